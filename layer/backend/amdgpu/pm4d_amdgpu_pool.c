#include "pm4d_amdgpu_pool.h"

#include <string.h>

#define PM4D_AMDGPU_PAGE 4096u

enum pm4d_amdgpu_status pm4d_amdgpu_pool_create(const struct pm4d_drm_ops *ops,
                                                amdgpu_device_handle dev, uint64_t size,
                                                uint64_t vm_flags, struct pm4d_amdgpu_pool *pool,
                                                char *why, size_t why_size)
{
   enum pm4d_amdgpu_status st;
   void *cpu = NULL;
   int r;

   memset(pool, 0, sizeof(*pool));
   if (size == 0 || size % PM4D_AMDGPU_PAGE)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_INVALID_ARGUMENT,
                       "pool size %llu is not a non-zero multiple of 4096",
                       (unsigned long long)size);
   pool->ops = ops;
   pool->dev = dev;
   pool->size = size;

   /* GTT, write-combined: the CPU writes packets and kernargs once, the GPU reads them. */
   struct amdgpu_bo_alloc_request req = {
      .alloc_size = size,
      .phys_alignment = PM4D_AMDGPU_PAGE,
      .preferred_heap = AMDGPU_GEM_DOMAIN_GTT,
      .flags = AMDGPU_GEM_CREATE_CPU_GTT_USWC,
   };
   r = ops->bo_alloc(dev, &req, &pool->bo);
   if (r) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_bo_alloc(%llu bytes GTT): %s",
                     (unsigned long long)size, strerror(-r));
      goto fail;
   }
   r = ops->bo_export(pool->bo, amdgpu_bo_handle_type_kms, &pool->kms_handle);
   if (r) {
      st =
         pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_bo_export(kms): %s", strerror(-r));
      goto fail_bo;
   }
   r = ops->va_range_alloc(dev, amdgpu_gpu_va_range_general, size, PM4D_AMDGPU_PAGE, 0, &pool->va,
                           &pool->va_handle, 0);
   if (r) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_va_range_alloc(%llu): %s",
                     (unsigned long long)size, strerror(-r));
      goto fail_bo;
   }
   r = ops->bo_va_op_raw(dev, pool->bo, 0, size, pool->va, vm_flags, AMDGPU_VA_OP_MAP);
   if (r) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_bo_va_op_raw(map): %s",
                     strerror(-r));
      goto fail_va;
   }
   r = ops->bo_cpu_map(pool->bo, &cpu);
   if (r) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_bo_cpu_map: %s", strerror(-r));
      goto fail_map;
   }
   pool->cpu = cpu;
   return PM4D_AMDGPU_OK;

fail_map:
   ops->bo_va_op_raw(dev, pool->bo, 0, size, pool->va, 0, AMDGPU_VA_OP_UNMAP);
fail_va:
   ops->va_range_free(pool->va_handle);
fail_bo:
   ops->bo_free(pool->bo);
fail:
   memset(pool, 0, sizeof(*pool));
   return st;
}

void pm4d_amdgpu_pool_destroy(struct pm4d_amdgpu_pool *pool)
{
   if (!pool->bo)
      return;
   pool->ops->bo_cpu_unmap(pool->bo);
   pool->ops->bo_va_op_raw(pool->dev, pool->bo, 0, pool->size, pool->va, 0, AMDGPU_VA_OP_UNMAP);
   pool->ops->va_range_free(pool->va_handle);
   pool->ops->bo_free(pool->bo);
   memset(pool, 0, sizeof(*pool));
}

enum pm4d_amdgpu_status pm4d_amdgpu_pool_alloc(struct pm4d_amdgpu_pool *pool, uint64_t bytes,
                                               uint64_t align, struct pm4d_amdgpu_span *out,
                                               char *why, size_t why_size)
{
   if (bytes == 0 || bytes > pool->size || align == 0 || (align & (align - 1)) ||
       align > PM4D_AMDGPU_PAGE)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_INVALID_ARGUMENT,
                       "pool allocation of %llu bytes aligned %llu (pool %llu bytes)",
                       (unsigned long long)bytes, (unsigned long long)align,
                       (unsigned long long)pool->size);
   uint64_t at = (pool->used + align - 1) & ~(align - 1);
   if (at > pool->size || bytes > pool->size - at)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_POOL_FULL,
                       "pool of %llu bytes has no room for %llu", (unsigned long long)pool->size,
                       (unsigned long long)bytes);
   pool->used = at + bytes;
   out->cpu = pool->cpu + at;
   out->va = pool->va + at;
   out->bytes = bytes;
   return PM4D_AMDGPU_OK;
}

bool pm4d_amdgpu_pool_contains(const struct pm4d_amdgpu_pool *pool, uint64_t va, uint64_t bytes)
{
   return va >= pool->va && bytes <= pool->size && va - pool->va <= pool->size - bytes;
}
