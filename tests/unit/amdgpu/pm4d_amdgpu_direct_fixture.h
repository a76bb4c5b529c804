/* The amdgpu direct path over whatever drm ops the test installed (pm4d_direct_test_amdgpu_ops),
 * made as the layer makes it for Debian 12's RADV at PCI 0000:03:00.0 (the recorder's device). */
#ifndef PM4D_AMDGPU_DIRECT_FIXTURE_H
#define PM4D_AMDGPU_DIRECT_FIXTURE_H

#include <vulkan/vulkan_core.h>

#include "pm4d_direct.h"

static void fix_batch_failed(void *user, void *queue_user, const struct pm4d_job *jobs,
                             uint32_t count, uint64_t wait_point, uint64_t signal_point,
                             const char *reason)
{
   (void)user, (void)queue_user, (void)jobs, (void)count, (void)wait_point, (void)signal_point,
      (void)reason;
}

/* force: PM4DIRECT_BACKEND=amdgpu. */
static inline enum pm4d_direct_status fix_direct_create(bool force, struct pm4d_direct **d,
                                                        char *reason, size_t reason_size)
{
   const struct pm4d_direct_callbacks cb = {.batch_failed = fix_batch_failed};
   const struct pm4d_direct_config cfg = {.backend = PM4D_DIRECT_BACKEND_AMDGPU,
                                          .pci = {0, 3, 0, 0},
                                          .driver_id = VK_DRIVER_ID_MESA_RADV,
                                          .driver_version = VK_MAKE_VERSION(22, 3, 6),
                                          .force = force};
   reason[0] = '\0';
   return pm4d_direct_create(&cfg, &cb, d, reason, reason_size);
}

#endif
