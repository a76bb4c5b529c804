/* The model's ioctl handlers, one file per area; each returns 0 or a negative errno. */
#ifndef VGPU_IOCTLS_H
#define VGPU_IOCTLS_H

#include "vgpu_driver.h"

/* Handle tables (vgpu_drm.c): idr_alloc(idr, obj, 1, 0) and lookup. */
int vgpu_handle_alloc(void ***table, unsigned *n, void *obj, uint32_t *handle);
void *vgpu_handle_get(void **table, unsigned n, uint32_t handle);
void vgpu_file_close(struct vgpu_file *f);

/* vgpu_gem.c */
int vgpu_gem_create_ioctl(struct vgpu_file *f, void *arg);
int vgpu_gem_mmap_ioctl(struct vgpu_file *f, void *arg);
int vgpu_gem_close_ioctl(struct vgpu_file *f, void *arg);
int vgpu_gem_metadata_ioctl(struct vgpu_file *f, void *arg);
int vgpu_gem_op_ioctl(struct vgpu_file *f, void *arg);
int vgpu_gem_userptr_ioctl(struct vgpu_file *f, void *arg);
int vgpu_gem_wait_idle_ioctl(struct vgpu_file *f, void *arg);
int vgpu_prime_handle_to_fd_ioctl(struct vgpu_file *f, void *arg);
int vgpu_prime_fd_to_handle_ioctl(struct vgpu_file *f, void *arg);

/* vgpu_vm.c */
int vgpu_gem_va_ioctl(struct vgpu_file *f, void *arg);
/* amdgpu_vm_bo_del: every mapping of bo in the file's VM goes (file lock held). */
void vgpu_vm_bo_del_locked(struct vgpu_file *f, struct vgpu_bo *bo, uint64_t now_seq);

/* vgpu_info.c */
int vgpu_info_ioctl(struct vgpu_file *f, void *arg);

/* vgpu_syncobj_ioctl.c */
int vgpu_syncobj_ioctl(struct vgpu_file *f, unsigned nr, void *arg);
/* SYNC_IOC_* on a sync_file fd (sync_file.c sync_file_ioctl). */
int vgpu_sync_file_ioctl(struct vgpu_sync_file *sf, unsigned long request, void *arg);

/* vgpu_cs.c: waits (up to abs_ns) for every job in flight on the device (GEM_WAIT_IDLE's
 * conservative model); 1 idle, 0 busy. */
int vgpu_device_wait_idle(struct vgpu_device *dev, int64_t abs_ns);
/* amdgpu_gem_timeout: absolute CLOCK_MONOTONIC ns, negative = forever, as a deadline. */
int64_t vgpu_gem_timeout(uint64_t timeout_ns);
/* drm_timeout_abs_to_jiffies: an absolute CLOCK_MONOTONIC timeout as a deadline (0: poll). */
int64_t vgpu_abs_timeout(int64_t timeout_ns);

#endif
