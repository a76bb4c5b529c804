/* The syncobj ioctls (drivers/gpu/drm/drm_syncobj.c, the *_ioctl functions named below) and the
 * sync_file ioctls (drivers/dma-buf/sync_file.c sync_file_ioctl). */
#include "vgpu_ioctls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <libdrm/drm.h>
#include <linux/sync_file.h>

/* DRM_SYNCOBJ_WAIT_FOR_SUBMIT_TIMEOUT (drm_syncobj.c): how long drm_syncobj_find_fence waits
 * for a fence to be attached. VGPU_WAIT_FOR_SUBMIT_TIMEOUT_MS overrides it (fault tests). */
uint64_t vgpu_wait_for_submit_timeout_ns(void)
{
   const char *e = getenv("VGPU_WAIT_FOR_SUBMIT_TIMEOUT_MS");
   return e && *e ? strtoull(e, NULL, 0) * 1000000ull : 5000000000ull;
}

int64_t vgpu_abs_timeout(int64_t timeout_ns)
{
   /* drm_utils.c drm_timeout_abs_to_jiffies: 0 polls; a time already past polls too. */
   if (timeout_ns <= 0)
      return 0;
   return timeout_ns;
}

/* drm_syncobj_array_find: every handle must exist (-ENOENT). */
static int find_array(struct vgpu_file *f, uint64_t handles_ptr, uint32_t count,
                      struct vgpu_syncobj ***out)
{
   const uint32_t *handles = (const uint32_t *)(uintptr_t)handles_ptr;
   struct vgpu_syncobj **s = calloc(count, sizeof(*s));
   if (!s)
      return -ENOMEM;
   for (uint32_t i = 0; i < count; i++) {
      s[i] = vgpu_file_lookup_syncobj(f, handles[i]);
      if (!s[i]) {
         while (i--)
            vgpu_syncobj_unref(s[i]);
         free(s);
         return -ENOENT;
      }
   }
   *out = s;
   return 0;
}

static void put_array(struct vgpu_syncobj **s, uint32_t count)
{
   for (uint32_t i = 0; i < count; i++)
      vgpu_syncobj_unref(s[i]);
   free(s);
}

static int add_syncobj_handle(struct vgpu_file *f, struct vgpu_syncobj *s, uint32_t *handle)
{
   pthread_mutex_lock(&f->lock);
   int r = vgpu_handle_alloc((void ***)&f->syncobjs, &f->n_syncobjs, s, handle);
   pthread_mutex_unlock(&f->lock);
   return r;
}

static int create(struct vgpu_file *f, struct drm_syncobj_create *args)
{
   if (args->flags & ~DRM_SYNCOBJ_CREATE_SIGNALED)
      return -EINVAL;
   struct vgpu_syncobj *s = vgpu_syncobj_create(args->flags & DRM_SYNCOBJ_CREATE_SIGNALED);
   if (!s)
      return -ENOMEM;
   int r = add_syncobj_handle(f, s, &args->handle);
   if (r)
      vgpu_syncobj_unref(s);
   return r;
}

static int destroy(struct vgpu_file *f, struct drm_syncobj_destroy *args)
{
   if (args->pad)
      return -EINVAL;
   pthread_mutex_lock(&f->lock);
   struct vgpu_syncobj *s = vgpu_handle_get((void **)f->syncobjs, f->n_syncobjs, args->handle);
   if (s)
      f->syncobjs[args->handle - 1] = NULL;
   pthread_mutex_unlock(&f->lock);
   if (!s)
      return -EINVAL;
   vgpu_syncobj_unref(s);
   return 0;
}

/* drm_syncobj_handle_to_fd_ioctl: opaque fd, or EXPORT_SYNC_FILE (drm_syncobj_export_sync_file:
 * the syncobj's current fence, -EINVAL without one). Both fds are O_CLOEXEC. */
static int handle_to_fd(struct vgpu_file *f, struct drm_syncobj_handle *args)
{
   if (args->pad)
      return -EINVAL;
   if (args->flags != 0 && args->flags != DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE)
      return -EINVAL;
   struct vgpu_syncobj *s = vgpu_file_lookup_syncobj(f, args->handle);
   if (args->flags & DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE) {
      if (!s)
         return -ENOENT;
      struct vgpu_fence *fence;
      int r = vgpu_syncobj_find_fence(s, 0, 0, 0, &fence);
      vgpu_syncobj_unref(s);
      if (r)
         return r;
      int fd;
      struct vgpu_sync_file *sf = vgpu_sync_file_create(fence, &fd);
      vgpu_fence_unref(fence);
      if (!sf)
         return -EMFILE;
      vgpu_fd_register(fd, VGPU_FD_SYNC_FILE, sf);
      args->fd = fd;
      return 0;
   }
   if (!s)
      return -EINVAL;
   int fd = eventfd(0, EFD_CLOEXEC); /* the syncobj file: only its identity matters */
   if (fd < 0) {
      vgpu_syncobj_unref(s);
      return -EMFILE;
   }
   vgpu_fd_register(fd, VGPU_FD_SYNCOBJ, s);
   args->fd = fd;
   return 0;
}

/* drm_syncobj_fd_to_handle_ioctl: a syncobj file gives a new handle to the same syncobj (any
 * other file is -EINVAL); IMPORT_SYNC_FILE puts the sync_file's fence into an existing syncobj
 * (drm_syncobj_import_sync_file_fence: -EINVAL for a non-sync_file, -ENOENT for the handle). */
static int fd_to_handle(struct vgpu_file *f, struct drm_syncobj_handle *args)
{
   if (args->pad)
      return -EINVAL;
   if (args->flags != 0 && args->flags != DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE)
      return -EINVAL;
   if (args->flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE) {
      struct vgpu_sync_file *sf = vgpu_fd_lookup(args->fd, VGPU_FD_SYNC_FILE);
      if (!sf)
         return -EINVAL;
      struct vgpu_syncobj *s = vgpu_file_lookup_syncobj(f, args->handle);
      if (s)
         vgpu_syncobj_replace_fence(s, vgpu_sync_file_fence(sf));
      vgpu_sync_file_unref(sf);
      vgpu_syncobj_unref(s);
      return s ? 0 : -ENOENT;
   }
   struct vgpu_syncobj *s = vgpu_fd_lookup(args->fd, VGPU_FD_SYNCOBJ);
   if (!s)
      return -EINVAL;
   int r = add_syncobj_handle(f, s, &args->handle);
   if (r)
      vgpu_syncobj_unref(s);
   return r;
}

static int wait_common(struct vgpu_file *f, uint64_t handles, uint64_t points_ptr, uint32_t count,
                       uint32_t flags, int64_t timeout, uint32_t *first)
{
   if (!count)
      return -EINVAL;
   struct vgpu_syncobj **s;
   int r = find_array(f, handles, count, &s);
   if (r)
      return r;
   r = vgpu_syncobj_wait(s, (const uint64_t *)(uintptr_t)points_ptr, count, flags,
                         vgpu_abs_timeout(timeout), first);
   put_array(s, count);
   return r;
}

/* drm_syncobj_transfer_ioctl: src_point's fence (drm_syncobj_find_fence with the given flags)
 * becomes dst_point on a timeline (add_point) or the binary dst's fence (replace_fence). */
static int transfer(struct vgpu_file *f, struct drm_syncobj_transfer *args)
{
   if (args->pad)
      return -EINVAL;
   struct vgpu_syncobj *src = vgpu_file_lookup_syncobj(f, args->src_handle);
   struct vgpu_syncobj *dst = vgpu_file_lookup_syncobj(f, args->dst_handle);
   int r = -ENOENT;
   if (src && dst) {
      struct vgpu_fence *fence;
      r = vgpu_syncobj_find_fence(src, args->src_point, args->flags,
                                  vgpu_wait_for_submit_timeout_ns(), &fence);
      if (!r) {
         if (args->dst_point)
            vgpu_syncobj_add_point(dst, fence, args->dst_point);
         else
            vgpu_syncobj_replace_fence(dst, fence);
         vgpu_fence_unref(fence);
      }
   }
   vgpu_syncobj_unref(src);
   vgpu_syncobj_unref(dst);
   return r;
}

int vgpu_syncobj_ioctl(struct vgpu_file *f, unsigned nr, void *arg)
{
   switch (nr) {
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_CREATE): return create(f, arg);
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_DESTROY): return destroy(f, arg);
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD): return handle_to_fd(f, arg);
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE): return fd_to_handle(f, arg);
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_WAIT): { /* drm_syncobj_wait_ioctl */
      struct drm_syncobj_wait *a = arg;
      if (a->flags &
          ~(uint32_t)(DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT))
         return -EINVAL;
      return wait_common(f, a->handles, 0, a->count_handles, a->flags, a->timeout_nsec,
                         &a->first_signaled);
   }
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT): { /* drm_syncobj_timeline_wait_ioctl */
      struct drm_syncobj_timeline_wait *a = arg;
      if (a->flags &
          ~(uint32_t)(DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
                      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE))
         return -EINVAL;
      return wait_common(f, a->handles, a->points, a->count_handles, a->flags, a->timeout_nsec,
                         &a->first_signaled);
   }
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_RESET):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_SIGNAL): { /* drm_syncobj_reset_ioctl, _signal_ioctl */
      struct drm_syncobj_array *a = arg;
      if (a->pad || !a->count_handles)
         return -EINVAL;
      struct vgpu_syncobj **s;
      int r = find_array(f, a->handles, a->count_handles, &s);
      if (r)
         return r;
      for (uint32_t i = 0; i < a->count_handles; i++) {
         struct vgpu_fence *stub =
            nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_SIGNAL) ? vgpu_fence_stub() : NULL;
         vgpu_syncobj_replace_fence(s[i], stub);
         vgpu_fence_unref(stub);
      }
      put_array(s, a->count_handles);
      return 0;
   }
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL): { /* drm_syncobj_timeline_signal_ioctl */
      struct drm_syncobj_timeline_array *a = arg;
      if (a->flags || !a->count_handles)
         return -EINVAL;
      struct vgpu_syncobj **s;
      int r = find_array(f, a->handles, a->count_handles, &s);
      if (r)
         return r;
      const uint64_t *points = (const uint64_t *)(uintptr_t)a->points;
      for (uint32_t i = 0; i < a->count_handles; i++) {
         struct vgpu_fence *stub = vgpu_fence_stub();
         if (points[i])
            vgpu_syncobj_add_point(s[i], stub, points[i]);
         else
            vgpu_syncobj_replace_fence(s[i], stub);
         vgpu_fence_unref(stub);
      }
      put_array(s, a->count_handles);
      return 0;
   }
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_QUERY): { /* drm_syncobj_query_ioctl */
      struct drm_syncobj_timeline_array *a = arg;
      if (a->flags & ~(uint32_t)DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED || !a->count_handles)
         return -EINVAL;
      struct vgpu_syncobj **s;
      int r = find_array(f, a->handles, a->count_handles, &s);
      if (r)
         return r;
      uint64_t *points = (uint64_t *)(uintptr_t)a->points;
      for (uint32_t i = 0; i < a->count_handles; i++)
         points[i] = vgpu_syncobj_query(s[i], a->flags);
      put_array(s, a->count_handles);
      return 0;
   }
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_TRANSFER): return transfer(f, arg);
   }
   return -EINVAL;
}

/* sync_file.c: SYNC_IOC_MERGE (flags and pad must be 0, fd2 must be a sync_file: -ENOENT) and
 * SYNC_IOC_FILE_INFO (status 1 signalled, 0 active, <0 error). */
int vgpu_sync_file_ioctl(struct vgpu_sync_file *sf, unsigned long request, void *arg)
{
   if (request == SYNC_IOC_MERGE) {
      struct sync_merge_data *m = arg;
      if (m->flags || m->pad)
         return -EINVAL;
      struct vgpu_sync_file *other = vgpu_fd_lookup(m->fd2, VGPU_FD_SYNC_FILE);
      if (!other)
         return -ENOENT;
      struct vgpu_fence *merged =
         vgpu_fence_merge(vgpu_sync_file_fence(sf), vgpu_sync_file_fence(other));
      vgpu_sync_file_unref(other);
      int fd;
      struct vgpu_sync_file *n = vgpu_sync_file_create(merged, &fd);
      vgpu_fence_unref(merged);
      if (!n)
         return -ENOMEM;
      vgpu_fd_register(fd, VGPU_FD_SYNC_FILE, n);
      m->fence = fd;
      return 0;
   }
   if (request == SYNC_IOC_FILE_INFO) {
      struct sync_file_info *info = arg;
      if (info->flags || info->pad)
         return -EINVAL;
      struct vgpu_fence *fence = vgpu_sync_file_fence(sf);
      strncpy(info->name, "vgpu", sizeof(info->name));
      int err = vgpu_fence_error(fence);
      info->status = err ? err : vgpu_fence_is_signaled(fence);
      if (!info->num_fences)
         info->num_fences = 1; /* the model reports a merged file as one fence */
      return 0;
   }
   return -ENOTTY;
}
