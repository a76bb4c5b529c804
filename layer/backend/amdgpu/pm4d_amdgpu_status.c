#include "pm4d_amdgpu_status.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const pm4d_amdgpu_status_names[PM4D_AMDGPU_STATUS_COUNT] = {
   [PM4D_AMDGPU_OK] = "ok",
   [PM4D_AMDGPU_NO_DEVICE] = "no amdgpu device",
   [PM4D_AMDGPU_UNSUPPORTED_TARGET] = "unsupported target",
   [PM4D_AMDGPU_UNSUPPORTED_KERNEL] = "unsupported kernel",
   [PM4D_AMDGPU_NOT_SHARED] = "driver's device not shared",
   [PM4D_AMDGPU_UNVERIFIED_STACK] = "unverified driver stack",
   [PM4D_AMDGPU_INVALID_ARGUMENT] = "invalid argument",
   [PM4D_AMDGPU_OUT_OF_HOST_MEMORY] = "out of host memory",
   [PM4D_AMDGPU_POOL_FULL] = "pool full",
   [PM4D_AMDGPU_DRM_ERROR] = "drm error",
   [PM4D_AMDGPU_TIMEOUT] = "timeout",
   [PM4D_AMDGPU_HANG] = "hang",
   [PM4D_AMDGPU_VRAM_LOST] = "vram lost",
   [PM4D_AMDGPU_BUSY] = "busy",
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
          status == PM4D_AMDGPU_UNSUPPORTED_KERNEL || status == PM4D_AMDGPU_NOT_SHARED ||
          status == PM4D_AMDGPU_UNVERIFIED_STACK;
}

enum pm4d_amdgpu_status pm4d_amdgpu_fail(struct pm4d_amdgpu_reason *why,
                                         enum pm4d_amdgpu_status status, const char *fmt, ...)
{
   if (why) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(why->text, sizeof(why->text), fmt, ap);
      va_end(ap);
   }
   return status;
}
