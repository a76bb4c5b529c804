/* Fences, syncobjs and sync_files as the kernel has them (drivers/dma-buf/dma-fence-chain.c,
 * drivers/dma-buf/sync_file.c, drivers/gpu/drm/drm_syncobj.c). All state sits under one lock
 * with one condition variable, so waits on any mix of fences and syncobjs are simple and
 * thread-safe; every change broadcasts. */
#ifndef VGPU_SYNC_H
#define VGPU_SYNC_H

#include <stdatomic.h>
#include <stdint.h>

/* A dma_fence. PLAIN: signalled by its producer (a job). CHAIN: a timeline point
 * (dma_fence_chain): signalled once its own fence and every earlier link are. ARRAY: a merged
 * sync_file (dma_fence_array): signalled once all of its fences are. */
enum vgpu_fence_kind { VGPU_FENCE_PLAIN, VGPU_FENCE_CHAIN, VGPU_FENCE_ARRAY };

struct vgpu_fence;

struct vgpu_fence *vgpu_fence_create(void);
/* The always-signalled stub (dma_fence_get_stub()), referenced. */
struct vgpu_fence *vgpu_fence_stub(void);
struct vgpu_fence *vgpu_fence_ref(struct vgpu_fence *f);
void vgpu_fence_unref(struct vgpu_fence *f);
/* Signals a PLAIN fence with error (0 or a negative errno, dma_fence_set_error). */
void vgpu_fence_signal(struct vgpu_fence *f, int error);
int vgpu_fence_is_signaled(struct vgpu_fence *f);
int vgpu_fence_error(struct vgpu_fence *f);
/* Blocks until every fence is signalled or the entity's stop flag (*stop != 0) is set; returns
 * 0 or -1 when stopped. */
int vgpu_fence_wait_all(struct vgpu_fence *const *fences, unsigned n, const atomic_int *stop);
/* Waits up to abs_ns (CLOCK_MONOTONIC, INT64_MAX: forever): 1 signalled, 0 timed out. */
int vgpu_fence_wait(struct vgpu_fence *f, int64_t abs_ns);
/* Wakes every waiter (a stop flag changed). */
void vgpu_sync_broadcast(void);

/* drm_syncobj */
struct vgpu_syncobj;
struct vgpu_syncobj *vgpu_syncobj_create(int signaled);
struct vgpu_syncobj *vgpu_syncobj_ref(struct vgpu_syncobj *s);
void vgpu_syncobj_unref(struct vgpu_syncobj *s);
/* drm_syncobj_replace_fence (fence may be NULL: reset). */
void vgpu_syncobj_replace_fence(struct vgpu_syncobj *s, struct vgpu_fence *fence);
/* drm_syncobj_add_point: a new chain link for point. */
void vgpu_syncobj_add_point(struct vgpu_syncobj *s, struct vgpu_fence *fence, uint64_t point);
/* drm_syncobj_find_fence: 0 and *out (referenced) or -EINVAL (no fence for point); with
 * DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT it first waits up to timeout_ns for one (-ETIME). */
int vgpu_syncobj_find_fence(struct vgpu_syncobj *s, uint64_t point, uint32_t flags,
                            uint64_t timeout_ns, struct vgpu_fence **out);
/* drm_syncobj_array_wait_timeout over n syncobjs: 0 (first index in *first), -EINVAL, -ETIME. */
int vgpu_syncobj_wait(struct vgpu_syncobj *const *s, const uint64_t *points, unsigned n,
                      uint32_t flags, int64_t abs_ns, uint32_t *first);
/* DRM_IOCTL_SYNCOBJ_QUERY's point (flags: DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED). */
uint64_t vgpu_syncobj_query(struct vgpu_syncobj *s, uint32_t flags);

/* sync_file: an fd (an eventfd, readable once the fence has signalled, so poll() works) that
 * holds one fence. The fd is registered in the fd table by the caller. */
struct vgpu_sync_file;
struct vgpu_sync_file *vgpu_sync_file_create(struct vgpu_fence *fence, int *fd_out);
struct vgpu_sync_file *vgpu_sync_file_ref(struct vgpu_sync_file *sf);
void vgpu_sync_file_unref(struct vgpu_sync_file *sf);
struct vgpu_fence *vgpu_sync_file_fence(struct vgpu_sync_file *sf);
/* A fence that signals once both have (dma_fence_unwrap_merge), referenced. */
struct vgpu_fence *vgpu_fence_merge(struct vgpu_fence *a, struct vgpu_fence *b);

uint64_t vgpu_now_ns(void);

#endif
