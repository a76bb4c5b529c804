/* Every libdrm / libdrm_amdgpu call the amdgpu back end makes goes through this table, so tests
 * can swap in a recorder and check arguments up to the ioctl boundary with no AMD GPU. The
 * library only ever fills it with the real functions (pm4d_drm_ops_default); the recorder lives
 * under tests/unit/amdgpu. Signatures are libdrm 2.4.114's. */
#ifndef PM4D_DRM_OPS_H
#define PM4D_DRM_OPS_H

#include <stdint.h>

#include <amdgpu.h>
#include <amdgpu_drm.h>
#include <xf86drm.h>

struct pm4d_drm_ops {
   /* Device discovery and the render node. */
   int (*get_devices2)(uint32_t flags, drmDevicePtr devices[], int max_devices);
   void (*free_devices)(drmDevicePtr devices[], int count);
   int (*open_node)(const char *path); /* open(path, O_RDWR | O_CLOEXEC) */
   int (*close_node)(int fd);
   int (*get_cap)(int fd, uint64_t capability, uint64_t *value);
   /* 1 when fds a and b are one open file description (kcmp KCMP_FILE), 0 when not, -errno
    * when the kernel cannot say. */
   int (*same_file)(int a, int b);

   /* Device. */
   int (*device_initialize)(int fd, uint32_t *major, uint32_t *minor, amdgpu_device_handle *dev);
   int (*device_deinitialize)(amdgpu_device_handle dev);
   int (*device_get_fd)(amdgpu_device_handle dev);
   int (*query_gpu_info)(amdgpu_device_handle dev, struct amdgpu_gpu_info *info);
   int (*query_hw_ip_info)(amdgpu_device_handle dev, unsigned type, unsigned ip_instance,
                           struct drm_amdgpu_info_hw_ip *info);
   /* DRM_AMDGPU_INFO with any query id (AMDGPU_INFO_GPUVM_FAULT, which libdrm has no call for). */
   int (*query_info)(amdgpu_device_handle dev, unsigned info_id, unsigned size, void *value);

   /* Buffers and the GPU virtual address space. */
   int (*bo_alloc)(amdgpu_device_handle dev, struct amdgpu_bo_alloc_request *req,
                   amdgpu_bo_handle *bo);
   int (*bo_free)(amdgpu_bo_handle bo);
   int (*bo_cpu_map)(amdgpu_bo_handle bo, void **cpu);
   int (*bo_cpu_unmap)(amdgpu_bo_handle bo);
   int (*bo_import)(amdgpu_device_handle dev, enum amdgpu_bo_handle_type type,
                    uint32_t shared_handle, struct amdgpu_bo_import_result *out);
   int (*bo_export)(amdgpu_bo_handle bo, enum amdgpu_bo_handle_type type, uint32_t *handle);
   int (*va_range_alloc)(amdgpu_device_handle dev, enum amdgpu_gpu_va_range type, uint64_t size,
                         uint64_t align, uint64_t required, uint64_t *va, amdgpu_va_handle *handle,
                         uint64_t flags);
   int (*va_range_free)(amdgpu_va_handle handle);
   /* The _raw variant: amdgpu_bo_va_op ignores its flags and always maps R|W|X (libdrm
    * amdgpu_bo.c), and only code should be executable. */
   int (*bo_va_op_raw)(amdgpu_device_handle dev, amdgpu_bo_handle bo, uint64_t offset,
                       uint64_t size, uint64_t addr, uint64_t flags, uint32_t ops);

   /* Contexts and submission. */
   int (*cs_ctx_create2)(amdgpu_device_handle dev, uint32_t priority, amdgpu_context_handle *ctx);
   int (*cs_ctx_free)(amdgpu_context_handle ctx);
   int (*cs_submit_raw2)(amdgpu_device_handle dev, amdgpu_context_handle ctx, uint32_t bo_list,
                         int num_chunks, struct drm_amdgpu_cs_chunk *chunks, uint64_t *seq_no);
   int (*cs_query_reset_state2)(amdgpu_context_handle ctx, uint64_t *flags);
   /* AMDGPU_WAIT_CS on one job: -errno of its fence once it ended with an error. */
   int (*cs_query_fence_status)(struct amdgpu_cs_fence *fence, uint64_t timeout_ns, uint64_t flags,
                                uint32_t *expired);

   /* Timeline syncobjs (the queue's bridge semaphore). */
   int (*syncobj_fd_to_handle)(int fd, int obj_fd, uint32_t *handle);
   int (*syncobj_destroy)(int fd, uint32_t handle);
   /* Only with WAIT_AVAILABLE: whether a point has been submitted (a kick's wait point). */
   int (*syncobj_timeline_wait)(int fd, uint32_t *handles, uint64_t *points, unsigned count,
                                int64_t timeout_abs_ns, unsigned flags, uint32_t *first);
   int (*syncobj_query)(int fd, uint32_t *handles, uint64_t *points, uint32_t count);
};

/* The real libdrm functions. */
const struct pm4d_drm_ops *pm4d_drm_ops_default(void);

#endif
