/* The probe against the real libdrm of the machine it runs on. Where no DRM device is driven by
 * amdgpu (this project's machines: no GPU, lavapipe, an NVIDIA H200) it must say "no amdgpu
 * device" for every PCI DRM device there is and for an address with nothing at it. */
#include <string.h>

#include "pm4d_amdgpu_device.h"
#include "pm4d_check.h"

#define MAX_DEVICES 64

static void expect_no_device(struct pm4d_pci_addr addr)
{
   struct pm4d_amdgpu_device *dev = (void *)1;
   char why[PM4D_AMDGPU_REASON_MAX] = "";
   enum pm4d_amdgpu_status st =
      pm4d_amdgpu_device_probe(pm4d_drm_ops_default(), addr, &dev, why, sizeof(why));
   printf("probe %04x:%02x:%02x.%x: %s: %s\n", addr.domain, addr.bus, addr.dev, addr.func,
          pm4d_amdgpu_status_name(st), why);
   CHECK(st == PM4D_AMDGPU_NO_DEVICE);
   CHECK(pm4d_amdgpu_status_is_passthrough(st));
   CHECK(dev == NULL);
   CHECK(strstr(why, "no amdgpu device") != NULL);
}

int main(void)
{
   drmDevicePtr devs[MAX_DEVICES];
   int n = drmGetDevices2(0, devs, MAX_DEVICES);
   printf("drmGetDevices2: %d\n", n);
   for (int i = 0; i < n; i++) {
      if (devs[i]->bustype != DRM_BUS_PCI)
         continue;
      /* An AMD GPU here would make this a different machine than the project's: refuse
       * rather than pretend. */
      CHECK(devs[i]->deviceinfo.pci->vendor_id != 0x1002);
      const drmPciBusInfo *p = devs[i]->businfo.pci;
      expect_no_device((struct pm4d_pci_addr){p->domain, p->bus, p->dev, p->func});
   }
   if (n > 0)
      drmFreeDevices(devs, n);
   /* An address no machine of ours has a GPU at. */
   expect_no_device((struct pm4d_pci_addr){.domain = 0xfff0, .bus = 0xfe, .dev = 0x1f, .func = 7});
   return pm4d_check_finish("amdgpu_real_libdrm");
}
