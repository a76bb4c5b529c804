/* Results of the amdgpu back end: a status enum plus an optional reason text for the log. */
#ifndef PM4D_AMDGPU_STATUS_H
#define PM4D_AMDGPU_STATUS_H

#include <stdbool.h>

#include "pm4d_reason.h"

enum pm4d_amdgpu_status {
   PM4D_AMDGPU_OK = 0,
   /* Pass-through results: the device cannot use this back end; say so once and go on. */
   PM4D_AMDGPU_NO_DEVICE,          /* no amdgpu render node for that PCI address */
   PM4D_AMDGPU_UNSUPPORTED_TARGET, /* an amdgpu GPU, but not a target we have kernels for */
   PM4D_AMDGPU_UNSUPPORTED_KERNEL, /* the kernel lacks timeline syncobjs */
   /* Errors of one call; the work falls back to the driver. */
   PM4D_AMDGPU_INVALID_ARGUMENT,
   PM4D_AMDGPU_OUT_OF_HOST_MEMORY,
   PM4D_AMDGPU_POOL_FULL, /* a pool has no room left */
   PM4D_AMDGPU_DRM_ERROR, /* a libdrm call failed; the reason names it and its errno */
   PM4D_AMDGPU_HANG,      /* the kernel refused the context (reset): reset the queue */
   PM4D_AMDGPU_STATUS_COUNT
};

/* Failure reasons follow the project's convention (layer/common/pm4d_reason.h): a caller's buffer
 * and its size (NULL, 0: none wanted), filled by pm4d_fail; this size holds any of ours. */
#define PM4D_AMDGPU_REASON_MAX 192

const char *pm4d_amdgpu_status_name(enum pm4d_amdgpu_status status);
/* True for the results that mean "this device runs everything through the driver". */
bool pm4d_amdgpu_status_is_passthrough(enum pm4d_amdgpu_status status);
#endif
