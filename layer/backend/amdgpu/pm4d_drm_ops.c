#include "pm4d_drm_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

/* open() is variadic and close() is libc's; wrap them so the table has plain signatures. */
static int pm4d_drm_open_node(const char *path)
{
   return open(path, O_RDWR | O_CLOEXEC);
}

static int pm4d_drm_close_node(int fd)
{
   return close(fd);
}

/* kcmp(2): 0 when both fds of this process refer to one file description; 1 or 2 order
 * different ones (linux/kcmp.h, kernel/kcmp.c). */
static int pm4d_drm_same_file(int a, int b)
{
   pid_t pid = getpid();
   long r = syscall(SYS_kcmp, pid, pid, KCMP_FILE, a, b);
   return r < 0 ? -errno : r == 0;
}

static const struct pm4d_drm_ops pm4d_drm_real_ops = {
   .get_devices2 = drmGetDevices2,
   .free_devices = drmFreeDevices,
   .open_node = pm4d_drm_open_node,
   .close_node = pm4d_drm_close_node,
   .get_cap = drmGetCap,
   .same_file = pm4d_drm_same_file,
   .device_initialize = amdgpu_device_initialize,
   .device_deinitialize = amdgpu_device_deinitialize,
   .device_get_fd = amdgpu_device_get_fd,
   .query_gpu_info = amdgpu_query_gpu_info,
   .query_hw_ip_info = amdgpu_query_hw_ip_info,
   .query_info = amdgpu_query_info,
   .bo_alloc = amdgpu_bo_alloc,
   .bo_free = amdgpu_bo_free,
   .bo_cpu_map = amdgpu_bo_cpu_map,
   .bo_cpu_unmap = amdgpu_bo_cpu_unmap,
   .bo_import = amdgpu_bo_import,
   .bo_export = amdgpu_bo_export,
   .va_range_alloc = amdgpu_va_range_alloc,
   .va_range_free = amdgpu_va_range_free,
   .bo_va_op_raw = amdgpu_bo_va_op_raw,
   .cs_ctx_create2 = amdgpu_cs_ctx_create2,
   .cs_ctx_free = amdgpu_cs_ctx_free,
   .cs_submit_raw2 = amdgpu_cs_submit_raw2,
   .cs_query_reset_state2 = amdgpu_cs_query_reset_state2,
   .cs_query_fence_status = amdgpu_cs_query_fence_status,
   .syncobj_fd_to_handle = drmSyncobjFDToHandle,
   .syncobj_destroy = drmSyncobjDestroy,
   .syncobj_timeline_wait = drmSyncobjTimelineWait,
   .syncobj_query = drmSyncobjQuery,
};

const struct pm4d_drm_ops *pm4d_drm_ops_default(void)
{
   return &pm4d_drm_real_ops;
}
