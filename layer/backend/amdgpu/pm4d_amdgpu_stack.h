/* The driver stack the amdgpu back end was verified against. Outside it the device passes
 * through (said once), unless PM4DIRECT_BACKEND=amdgpu asks for the back end by name. "Verified"
 * means read against these versions' sources and run on the virtual AMD GPU (tests/vgpu), which
 * runs Debian 12's RADV and libdrm over a model of this DRM interface: not on AMD silicon. */
#ifndef PM4D_AMDGPU_STACK_H
#define PM4D_AMDGPU_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "pm4d_amdgpu_status.h"

struct pm4d_amdgpu_stack {
   uint32_t driver_id;      /* VkPhysicalDeviceDriverProperties.driverID; 0: unknown */
   uint32_t driver_version; /* VkPhysicalDeviceProperties.driverVersion */
   uint32_t drm_major, drm_minor;
   const char *libdrm; /* the libdrm_amdgpu version the layer was built against */
};

/* OK inside the verified set; else UNVERIFIED_STACK with what lies outside it in why. */
enum pm4d_amdgpu_status pm4d_amdgpu_stack_check(const struct pm4d_amdgpu_stack *stack, char *why,
                                                size_t why_size);

#endif
