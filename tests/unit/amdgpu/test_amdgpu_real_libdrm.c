/* The probe against the real libdrm of the machine it runs on. Where no DRM device is driven by
 * amdgpu (this project's machines: no GPU, lavapipe, an NVIDIA H200) it must say "no amdgpu
 * device" for every PCI DRM device there is and for an address with nothing at it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* The shared-VM check's kcmp against this machine's kernel: a dup is the same file
 * description, a second open of the same node is not (open(2), dup(2)). */
static void test_same_file(void)
{
   const struct pm4d_drm_ops *ops = pm4d_drm_ops_default();
   int a = open("/dev/null", O_RDWR | O_CLOEXEC), b = open("/dev/null", O_RDWR | O_CLOEXEC);
   int c = fcntl(a, F_DUPFD_CLOEXEC, 0); /* as libdrm dups the fd it is given */
   CHECK(a >= 0 && b >= 0 && c >= 0);
   int same = ops->same_file(a, c), other = ops->same_file(a, b);
   if (same == -ENOSYS || same == -EPERM) {
      printf("kcmp unavailable here (%s): the probe passes through, as tested with the "
             "recorder\n",
             strerror(-same));
   } else {
      CHECK(same == 1);
      CHECK(other == 0);
   }
   close(a), close(b), close(c);
}

int main(void)
{
   test_same_file();
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
