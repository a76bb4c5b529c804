#include "pm4d_amdgpu_stack.h"

#include <string.h>

/* vulkan_core.h: VK_DRIVER_ID_MESA_RADV = 3. */
#define STACK_DRIVER_ID_RADV 3u
/* Mesa's driverVersion is VK_MAKE_VERSION of its release (src/vulkan/util/vk_util.c,
 * vk_get_driver_version): 22.3.x is Debian 12's RADV (mesa 22.3.6). */
#define STACK_MESA_MAJOR 22u
#define STACK_MESA_MINOR 3u
/* amdgpu DRM interface: 3.32 brought the timeline syncobj CS chunks the queue uses; 3.49 is the
 * newest the virtual GPU models (Debian 12's 6.1 kernel; amdgpu_drv.c KMS_DRIVER_MINOR). */
#define STACK_DRM_MINOR_MIN 32u
#define STACK_DRM_MINOR_MAX 49u
#define STACK_LIBDRM        "2.4.114"

enum pm4d_amdgpu_status pm4d_amdgpu_stack_check(const struct pm4d_amdgpu_stack *s, char *why,
                                                size_t why_size)
{
   const uint32_t major = s->driver_version >> 22, minor = (s->driver_version >> 12) & 0x3ff;
   if (s->driver_id != STACK_DRIVER_ID_RADV)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_UNVERIFIED_STACK,
                       "the Vulkan driver is not RADV (driverID %u); verified with RADV "
                       "%u.%u",
                       s->driver_id, STACK_MESA_MAJOR, STACK_MESA_MINOR);
   if (major != STACK_MESA_MAJOR || minor != STACK_MESA_MINOR)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_UNVERIFIED_STACK,
                       "RADV %u.%u; verified with %u.%u", major, minor, STACK_MESA_MAJOR,
                       STACK_MESA_MINOR);
   if (s->drm_major != 3 || s->drm_minor < STACK_DRM_MINOR_MIN ||
       s->drm_minor > STACK_DRM_MINOR_MAX)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_UNVERIFIED_STACK,
                       "amdgpu DRM %u.%u; verified with 3.%u to 3.%u", s->drm_major, s->drm_minor,
                       STACK_DRM_MINOR_MIN, STACK_DRM_MINOR_MAX);
   if (!s->libdrm || strcmp(s->libdrm, STACK_LIBDRM) != 0)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_UNVERIFIED_STACK,
                       "built against libdrm_amdgpu %s; verified with %s",
                       s->libdrm ? s->libdrm : "(unknown)", STACK_LIBDRM);
   return PM4D_AMDGPU_OK;
}
