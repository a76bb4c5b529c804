/* A CPU-mapped buffer in GTT with its own GPU virtual range. The direct path's ring, kernarg
 * arena and fence are pools (it manages their space itself); the device's code pool hands out
 * space that is never given back (kernels stay loaded for the device's life). */
#ifndef PM4D_AMDGPU_POOL_H
#define PM4D_AMDGPU_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "pm4d_amdgpu_status.h"
#include "pm4d_drm_ops.h"

/* A piece of a pool: write through cpu, the GPU sees it at va. */
struct pm4d_amdgpu_span {
   void *cpu;
   uint64_t va;
   uint64_t bytes;
};

struct pm4d_amdgpu_pool {
   const struct pm4d_drm_ops *ops;
   amdgpu_device_handle dev;
   amdgpu_bo_handle bo;
   amdgpu_va_handle va_handle;
   uint32_t kms_handle; /* for BO lists */
   uint64_t va, size;
   uint8_t *cpu;
   uint64_t used; /* bytes handed out by pm4d_amdgpu_pool_alloc */
};

/* size: a multiple of 4096. vm_flags: AMDGPU_VM_PAGE_* for the GPU mapping. */
enum pm4d_amdgpu_status pm4d_amdgpu_pool_create(const struct pm4d_drm_ops *ops,
                                                amdgpu_device_handle dev, uint64_t size,
                                                uint64_t vm_flags, struct pm4d_amdgpu_pool *pool,
                                                char *why, size_t why_size);
void pm4d_amdgpu_pool_destroy(struct pm4d_amdgpu_pool *pool);

/* The next bytes of the pool, aligned (a power of two up to 4096); POOL_FULL when they do not
 * fit. Space is never given back. */
enum pm4d_amdgpu_status pm4d_amdgpu_pool_alloc(struct pm4d_amdgpu_pool *pool, uint64_t bytes,
                                               uint64_t align, struct pm4d_amdgpu_span *out,
                                               char *why, size_t why_size);
/* Whether [va, va + bytes) lies inside the pool. */
bool pm4d_amdgpu_pool_contains(const struct pm4d_amdgpu_pool *pool, uint64_t va, uint64_t bytes);

#endif
