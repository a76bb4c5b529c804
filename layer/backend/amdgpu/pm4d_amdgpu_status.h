/* Results of the amdgpu back end: a status enum plus an optional reason text for the log. */
#ifndef PM4D_AMDGPU_STATUS_H
#define PM4D_AMDGPU_STATUS_H

#include <stdbool.h>

enum pm4d_amdgpu_status {
   PM4D_AMDGPU_OK = 0,
   /* Pass-through results: the device cannot use this back end; say so once and go on. */
   PM4D_AMDGPU_NO_DEVICE,          /* no amdgpu render node for that PCI address */
   PM4D_AMDGPU_UNSUPPORTED_TARGET, /* an amdgpu GPU, but not a target we have kernels for */
   PM4D_AMDGPU_UNSUPPORTED_KERNEL, /* the kernel lacks timeline syncobjs */
   PM4D_AMDGPU_NOT_SHARED,         /* libdrm did not hand back the driver's device (and VM) */
   PM4D_AMDGPU_UNVERIFIED_STACK,   /* driver, libdrm or DRM version outside the verified set */
   /* Errors of one call; the work falls back to the driver. */
   PM4D_AMDGPU_INVALID_ARGUMENT,
   PM4D_AMDGPU_OUT_OF_HOST_MEMORY,
   PM4D_AMDGPU_POOL_FULL, /* wait for an older batch, retire, retry */
   PM4D_AMDGPU_DRM_ERROR, /* a libdrm call failed; the reason names it and its errno */
   PM4D_AMDGPU_TIMEOUT,   /* a wait reached its deadline */
   /* Hangs. */
   PM4D_AMDGPU_HANG,      /* deadline missed or context reset: recover, re-run the batches */
   PM4D_AMDGPU_VRAM_LOST, /* as HANG, and VRAM contents are gone: the driver reports device lost */
   PM4D_AMDGPU_BUSY,      /* a hung batch is not known dead yet: do not re-run it yet */
   PM4D_AMDGPU_STATUS_COUNT
};

#define PM4D_AMDGPU_REASON_MAX 192

/* Where a failing call says why; every function that takes one accepts NULL. */
struct pm4d_amdgpu_reason {
   char text[PM4D_AMDGPU_REASON_MAX];
};

const char *pm4d_amdgpu_status_name(enum pm4d_amdgpu_status status);
/* True for the results that mean "this device runs everything through the driver". */
bool pm4d_amdgpu_status_is_passthrough(enum pm4d_amdgpu_status status);
/* Fills why (if not NULL) and returns status, so a failure is one line: return
 * pm4d_amdgpu_fail(why, PM4D_AMDGPU_..., "fmt", ...). */
enum pm4d_amdgpu_status pm4d_amdgpu_fail(struct pm4d_amdgpu_reason *why,
                                         enum pm4d_amdgpu_status status, const char *fmt, ...)
   __attribute__((format(printf, 3, 4)));

#endif
