/* A CPU-mapped buffer in GTT with its own GPU virtual range, handed out as a ring: allocations
 * are fenced with the timeline point of the batch that uses them and come back when that point
 * completes. The IB pool and the kernarg pool of a queue, and the device's code pool (never
 * fenced, so it only grows), are pools. */
#ifndef PM4D_AMDGPU_POOL_H
#define PM4D_AMDGPU_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "pm4d_amdgpu_status.h"
#include "pm4d_drm_ops.h"

#define PM4D_AMDGPU_POOL_FENCES 64

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
   /* Ring positions as byte counts that only grow; offset = position % size. */
   uint64_t head, tail, fenced;
   struct {
      uint64_t end, point;
   } fences[PM4D_AMDGPU_POOL_FENCES];
   unsigned fence_first, fence_count;
};

/* size: a multiple of 4096. vm_flags: AMDGPU_VM_PAGE_* for the GPU mapping. */
enum pm4d_amdgpu_status pm4d_amdgpu_pool_create(const struct pm4d_drm_ops *ops,
                                                amdgpu_device_handle dev, uint64_t size,
                                                uint64_t vm_flags, struct pm4d_amdgpu_pool *pool,
                                                struct pm4d_amdgpu_reason *why);
void pm4d_amdgpu_pool_destroy(struct pm4d_amdgpu_pool *pool);

/* align: a power of two up to 4096. POOL_FULL when the ring has no room until older points
 * retire. */
enum pm4d_amdgpu_status pm4d_amdgpu_pool_alloc(struct pm4d_amdgpu_pool *pool, uint64_t bytes,
                                               uint64_t align, struct pm4d_amdgpu_span *out,
                                               struct pm4d_amdgpu_reason *why);
/* Everything allocated since the last fence is in use until point (not below earlier fences'
 * points) completes. With all fence slots pending, the newest fence absorbs it: the space then
 * comes back later, never early. */
void pm4d_amdgpu_pool_fence(struct pm4d_amdgpu_pool *pool, uint64_t point);
/* Points up to completed are done: give their space back. */
void pm4d_amdgpu_pool_retire(struct pm4d_amdgpu_pool *pool, uint64_t completed);
/* Whether [va, va + bytes) lies inside the pool. */
bool pm4d_amdgpu_pool_contains(const struct pm4d_amdgpu_pool *pool, uint64_t va, uint64_t bytes);

#endif
