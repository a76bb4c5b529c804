#include "pm4d_amdgpu_status.h"

static const char *const pm4d_amdgpu_status_names[PM4D_AMDGPU_STATUS_COUNT] = {
   [PM4D_AMDGPU_OK] = "ok",
   [PM4D_AMDGPU_NO_DEVICE] = "no amdgpu device",
   [PM4D_AMDGPU_UNSUPPORTED_TARGET] = "unsupported target",
   [PM4D_AMDGPU_UNSUPPORTED_KERNEL] = "unsupported kernel",
   [PM4D_AMDGPU_INVALID_ARGUMENT] = "invalid argument",
   [PM4D_AMDGPU_OUT_OF_HOST_MEMORY] = "out of host memory",
   [PM4D_AMDGPU_POOL_FULL] = "pool full",
   [PM4D_AMDGPU_DRM_ERROR] = "drm error",
   [PM4D_AMDGPU_HANG] = "hang",
};

const char *pm4d_amdgpu_status_name(enum pm4d_amdgpu_status status)
{
   if ((unsigned)status >= PM4D_AMDGPU_STATUS_COUNT)
      return "unknown status";
   return pm4d_amdgpu_status_names[status];
}

bool pm4d_amdgpu_status_is_passthrough(enum pm4d_amdgpu_status status)
{
   return status == PM4D_AMDGPU_NO_DEVICE || status == PM4D_AMDGPU_UNSUPPORTED_TARGET ||
          status == PM4D_AMDGPU_UNSUPPORTED_KERNEL;
}
