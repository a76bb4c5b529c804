/* Device probe through the recorder: the right render node among several fake DRM devices, a
 * clean pass-through result with none, and every failure unwound. */
#include <errno.h>
#include <string.h>

#include "pm4d_amdgpu_device.h"
#include "pm4d_check.h"
#include "pm4d_drm_recorder.h"

static enum pm4d_amdgpu_status probe(uint16_t domain, uint8_t bus, uint8_t dev, uint8_t func,
                                     struct pm4d_amdgpu_device **out, char *why, size_t why_size)
{
   struct pm4d_pci_addr addr = {.domain = domain, .bus = bus, .dev = dev, .func = func};
   memset(why, 0, why_size);
   return pm4d_amdgpu_device_probe(rec_ops(), addr, out, why, why_size);
}

static void test_single_device(void)
{
   struct pm4d_amdgpu_device *dev;
   char why[PM4D_AMDGPU_REASON_MAX];
   rec_reset();
   CHECK(probe(0, 3, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_OK);
   CHECK(dev != NULL);
   CHECK(rec.open_count == 1 && strcmp(rec.opened[0], "/dev/dri/renderD128") == 0);
   CHECK(rec.close_count == 1); /* libdrm keeps its own dup */
   CHECK(rec.devices_freed_lists == 1);
   CHECK(strcmp(pm4d_amdgpu_device_target(dev)->name, "gfx1030") == 0);
   CHECK(pm4d_amdgpu_device_target(dev)->gfx_level == PM4D_GFX10_3);
   CHECK(pm4d_amdgpu_device_fd(dev) == REC_DEVICE_FD);
   /* The code pool: 4 MiB in GTT, mapped readable and executable, not writable. */
   CHECK(rec.alloc_count == 1);
   CHECK(rec.allocs[0].alloc_size == PM4D_AMDGPU_CODE_POOL_BYTES);
   CHECK(rec.allocs[0].preferred_heap == AMDGPU_GEM_DOMAIN_GTT);
   CHECK(rec.va_op_count == 1 && rec.va_ops[0].op == AMDGPU_VA_OP_MAP);
   CHECK(rec.va_ops[0].flags == (AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_EXECUTABLE));
   CHECK(rec.va_ops[0].size == PM4D_AMDGPU_CODE_POOL_BYTES && rec.va_ops[0].offset == 0);
   pm4d_amdgpu_device_destroy(dev);
   CHECK(rec.va_op_count == 2 && rec.va_ops[1].op == AMDGPU_VA_OP_UNMAP);
   CHECK(rec.va_ops[1].addr == rec.va_ops[0].addr);
   CHECK(rec_all_released());
}

static void test_picks_node_among_several(void)
{
   struct pm4d_amdgpu_device *dev;
   char why[PM4D_AMDGPU_REASON_MAX];
   rec_reset();
   rec.device_count = 0;
   rec_add_device(DRM_BUS_PCI, 0, 1, 0, 0, 0x10de, true, "/dev/dri/renderD128"); /* NVIDIA */
   rec_add_device(DRM_BUS_PLATFORM, 0, 10, 0, 0, 0, true, "/dev/dri/renderD129");
   rec_add_device(DRM_BUS_PCI, 0, 3, 0, 0, 0x1002, true, "/dev/dri/renderD130");
   rec_add_device(DRM_BUS_PCI, 0, 10, 0, 0, 0x1002, true, "/dev/dri/renderD131");
   rec_add_device(DRM_BUS_PCI, 1, 10, 0, 0, 0x1002, true, "/dev/dri/renderD132");
   rec_add_device(DRM_BUS_PCI, 0, 10, 0, 1, 0x1002, true, "/dev/dri/renderD133");

   CHECK(probe(0, 10, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_OK);
   CHECK(rec.open_count == 1 && strcmp(rec.opened[0], "/dev/dri/renderD131") == 0);
   pm4d_amdgpu_device_destroy(dev);

   CHECK(probe(1, 10, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_OK);
   CHECK(strcmp(rec.opened[1], "/dev/dri/renderD132") == 0);
   pm4d_amdgpu_device_destroy(dev);

   CHECK(probe(0, 10, 0, 1, &dev, why, sizeof(why)) == PM4D_AMDGPU_OK);
   CHECK(strcmp(rec.opened[2], "/dev/dri/renderD133") == 0);
   pm4d_amdgpu_device_destroy(dev);

   /* The NVIDIA GPU's address: found, but not AMD, and never opened. */
   CHECK(probe(0, 1, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_NO_DEVICE);
   CHECK(dev == NULL);
   CHECK(strstr(why, "vendor 0x10de") != NULL);
   CHECK(rec.open_count == 3);
   CHECK(rec_all_released());
}

static void test_none(void)
{
   struct pm4d_amdgpu_device *dev = (void *)1;
   char why[PM4D_AMDGPU_REASON_MAX];
   rec_reset();
   rec.device_count = 0;
   enum pm4d_amdgpu_status st = probe(0, 3, 0, 0, &dev, why, sizeof(why));
   CHECK(st == PM4D_AMDGPU_NO_DEVICE);
   CHECK(pm4d_amdgpu_status_is_passthrough(st));
   CHECK(dev == NULL);
   CHECK(strstr(why, "no amdgpu device") != NULL);
   CHECK(rec.open_count == 0);
   CHECK(rec_all_released());

   /* drmGetDevices2 itself failing (no /dev/dri at all) is the same answer. */
   rec_reset();
   rec.get_devices_result = -ENOENT;
   CHECK(probe(0, 3, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_NO_DEVICE);
   CHECK(strstr(why, "no amdgpu device") != NULL);
   CHECK(rec_all_released());

   /* A device at another address only. */
   rec_reset();
   CHECK(probe(0, 4, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_NO_DEVICE);
   CHECK(strstr(why, "0000:04:00.0") != NULL);
   CHECK(rec.open_count == 0 && rec_all_released());
}

static void test_failures_unwind(void)
{
   struct pm4d_amdgpu_device *dev;
   char why[PM4D_AMDGPU_REASON_MAX];

   rec_reset(); /* the AMD device has no render node */
   rec.device_count = 0;
   rec_add_device(DRM_BUS_PCI, 0, 3, 0, 0, 0x1002, false, "");
   CHECK(probe(0, 3, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_NO_DEVICE);
   CHECK(strstr(why, "no render node") != NULL);
   CHECK(rec_all_released());

   rec_reset();
   rec.open_result = -EACCES;
   CHECK(probe(0, 3, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_NO_DEVICE);
   CHECK(strstr(why, "cannot open /dev/dri/renderD128") != NULL);
   CHECK(rec_all_released());

   rec_reset(); /* e.g. the radeon driver: amdgpu_device_initialize refuses the fd */
   rec.init_result = -EBADF;
   CHECK(probe(0, 3, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_NO_DEVICE);
   CHECK(strstr(why, "not driven by amdgpu") != NULL);
   CHECK(rec.close_count == 1 && rec_all_released());

   rec_reset();
   rec.timeline_cap = 0;
   enum pm4d_amdgpu_status st = probe(0, 3, 0, 0, &dev, why, sizeof(why));
   CHECK(st == PM4D_AMDGPU_UNSUPPORTED_KERNEL && pm4d_amdgpu_status_is_passthrough(st));
   CHECK(rec_all_released());

   rec_reset(); /* DRM 3.31: no timeline syncobj chunks in AMDGPU_CS yet */
   rec.drm_minor = 31;
   CHECK(probe(0, 3, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_UNSUPPORTED_KERNEL);
   CHECK(strstr(why, "DRM 3.31") != NULL);
   CHECK(rec_all_released());
   rec_reset();
   rec.drm_minor = 32;
   CHECK(probe(0, 3, 0, 0, &dev, why, sizeof(why)) == PM4D_AMDGPU_OK);
   pm4d_amdgpu_device_destroy(dev);
   CHECK(rec_all_released());

   rec_reset(); /* Navi10 (gfx1010): an amdgpu GPU we have no kernels for */
   rec.external_rev = 0x01;
   st = probe(0, 3, 0, 0, &dev, why, sizeof(why));
   CHECK(st == PM4D_AMDGPU_UNSUPPORTED_TARGET && pm4d_amdgpu_status_is_passthrough(st));
   CHECK(strstr(why, "family 143 external revision 0x1") != NULL);
   CHECK(dev == NULL && rec.alloc_count == 0 && rec_all_released());

   rec_reset();
   rec.fail_bo_alloc_at = 1;
   st = probe(0, 3, 0, 0, &dev, why, sizeof(why));
   CHECK(st == PM4D_AMDGPU_DRM_ERROR && !pm4d_amdgpu_status_is_passthrough(st));
   CHECK(strstr(why, "amdgpu_bo_alloc") != NULL);
   CHECK(dev == NULL && rec_all_released());

   /* NULL reason is allowed. */
   rec_reset();
   rec.device_count = 0;
   struct pm4d_pci_addr addr = {0};
   CHECK(pm4d_amdgpu_device_probe(rec_ops(), addr, &dev, NULL, 0) == PM4D_AMDGPU_NO_DEVICE);
}

int main(void)
{
   test_single_device();
   test_picks_node_among_several();
   test_none();
   test_failures_unwind();
   return pm4d_check_finish("amdgpu_probe");
}
