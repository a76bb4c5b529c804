#include "pm4d_drm_recorder.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct recorder rec;

struct rec_bo {
   uint32_t kms;
   uint64_t size;
   void *mem;
};

struct rec_ctx {
   int id;
   uint64_t reset_seen;  /* rec.reset_flags when it was made */
   uint32_t reset_epoch; /* rec.reset_epoch when it was made */
};

static int rec_dev_token; /* the fake amdgpu_device_handle points here */
static uint32_t rec_next_kms;
static uint64_t rec_next_va;

void rec_add_device(int bustype, uint16_t domain, uint8_t bus, uint8_t dev, uint8_t func,
                    uint16_t vendor, bool render, const char *node)
{
   struct rec_fake_device *d = &rec.devices[rec.device_count++];
   memset(d, 0, sizeof(*d));
   d->bustype = bustype;
   d->pci = (drmPciBusInfo){.domain = domain, .bus = bus, .dev = dev, .func = func};
   d->info.vendor_id = vendor;
   d->available_nodes = (1 << DRM_NODE_PRIMARY) | (render ? 1 << DRM_NODE_RENDER : 0);
   snprintf(d->render, sizeof(d->render), "%s", node);
}

/* The waits are recorded from the submitting thread and the direct path's watchdog. */
static pthread_mutex_t rec_waits_mu = PTHREAD_MUTEX_INITIALIZER;

void rec_reset(void)
{
   memset(&rec, 0, sizeof(rec));
   rec.timeline_cap = 1;
   rec.drm_minor = 49;      /* Debian 12 (kernel 6.1) */
   rec.family_id = 143;     /* FAMILY_NV */
   rec.external_rev = 0x28; /* Navi21: gfx1030 */
   rec_next_kms = 1;
   rec_next_va = 0x800000000ull;
   rec_add_device(DRM_BUS_PCI, 0, 3, 0, 0, 0x1002, true, "/dev/dri/renderD128");
}

bool rec_all_released(void)
{
   return rec.devices_live == 0 && rec.bos_live == 0 && rec.vas_live == 0 && rec.ctxs_live == 0 &&
          rec.syncobjs_live == 0 && rec.maps_live == 0 && rec.open_count == rec.close_count;
}

static int rec_get_devices2(uint32_t flags, drmDevicePtr devices[], int max)
{
   (void)flags;
   if (rec.get_devices_result < 0)
      return rec.get_devices_result;
   int n = rec.device_count < max ? rec.device_count : max;
   for (int i = 0; i < n; i++) {
      const struct rec_fake_device *f = &rec.devices[i];
      drmDevicePtr d = calloc(1, sizeof(*d));
      d->nodes = calloc(DRM_NODE_MAX, sizeof(char *));
      d->nodes[DRM_NODE_RENDER] = strdup(f->render);
      d->available_nodes = f->available_nodes;
      d->bustype = f->bustype;
      d->businfo.pci = malloc(sizeof(*d->businfo.pci));
      *d->businfo.pci = f->pci;
      d->deviceinfo.pci = malloc(sizeof(*d->deviceinfo.pci));
      *d->deviceinfo.pci = f->info;
      devices[i] = d;
      rec.devices_live++;
   }
   return n;
}

static void rec_free_devices(drmDevicePtr devices[], int count)
{
   for (int i = 0; i < count; i++) {
      free(devices[i]->nodes[DRM_NODE_RENDER]);
      free(devices[i]->nodes);
      free(devices[i]->businfo.pci);
      free(devices[i]->deviceinfo.pci);
      free(devices[i]);
      rec.devices_live--;
   }
   rec.devices_freed_lists++;
}

static int rec_open_node(const char *path)
{
   if (rec.open_result < 0)
      return rec.open_result;
   snprintf(rec.opened[rec.open_count], sizeof(rec.opened[0]), "%s", path);
   return 100 + rec.open_count++;
}

static int rec_close_node(int fd)
{
   (void)fd;
   rec.close_count++;
   return 0;
}

static int rec_get_cap(int fd, uint64_t cap, uint64_t *value)
{
   if (fd != REC_DEVICE_FD || cap != DRM_CAP_SYNCOBJ_TIMELINE)
      return -EINVAL;
   *value = rec.timeline_cap;
   return 0;
}

/* The device libdrm hands back sits on REC_DEVICE_FD, the driver's file, unless the script
 * says libdrm made a new one on the probe's own fd (no device to share). */
static int rec_same_file(int a, int b)
{
   if (rec.same_file_error)
      return rec.same_file_error;
   return rec.device_on_probe_file && a >= 100 && a < 100 + rec.open_count && b == REC_DEVICE_FD;
}

static int rec_device_initialize(int fd, uint32_t *major, uint32_t *minor,
                                 amdgpu_device_handle *dev)
{
   (void)fd;
   if (rec.init_result)
      return rec.init_result;
   *major = 3;
   *minor = rec.drm_minor;
   *dev = (amdgpu_device_handle)(void *)&rec_dev_token;
   rec.devices_live++;
   return 0;
}

static int rec_device_deinitialize(amdgpu_device_handle dev)
{
   if ((void *)dev != &rec_dev_token)
      return -EINVAL;
   rec.devices_live--;
   return 0;
}

static int rec_device_get_fd(amdgpu_device_handle dev)
{
   return (void *)dev == &rec_dev_token ? REC_DEVICE_FD : -1;
}

static int rec_query_gpu_info(amdgpu_device_handle dev, struct amdgpu_gpu_info *info)
{
   (void)dev;
   memset(info, 0, sizeof(*info));
   info->family_id = rec.family_id;
   info->chip_external_rev = rec.external_rev;
   return 0;
}

/* What the kernel reports for compute (amdgpu_kms.c amdgpu_hw_ip_info: 32-byte IB start and
 * size alignment). */
static int rec_query_hw_ip_info(amdgpu_device_handle dev, unsigned type, unsigned ip_instance,
                                struct drm_amdgpu_info_hw_ip *info)
{
   (void)dev;
   memset(info, 0, sizeof(*info));
   if (type != AMDGPU_HW_IP_COMPUTE || ip_instance != 0)
      return -EINVAL;
   info->ib_start_alignment = 32;
   info->ib_size_alignment = 32;
   return 0;
}

/* DRM_AMDGPU_INFO: only AMDGPU_INFO_GPUVM_FAULT (0x23, include/uapi/drm/amdgpu_drm.h since
 * DRM 3.55) is scripted; the kernel copies min(size, 16) bytes of {u64 addr, u32 status, u32
 * vmhub}. */
static int rec_query_info(amdgpu_device_handle dev, unsigned info_id, unsigned size, void *value)
{
   (void)dev;
   if (info_id != 0x23 || rec.drm_minor < 55)
      return -EINVAL;
   atomic_fetch_add(&rec.vm_fault_queries, 1);
   uint8_t out[16];
   uint64_t addr = atomic_load(&rec.vm_fault_addr);
   uint32_t status = atomic_load(&rec.vm_fault_status), hub = atomic_load(&rec.vm_fault_vmhub);
   memcpy(out, &addr, 8);
   memcpy(out + 8, &status, 4);
   memcpy(out + 12, &hub, 4);
   memcpy(value, out, size < sizeof(out) ? size : sizeof(out));
   return 0;
}

static struct rec_bo *rec_live_bos[REC_MAX_BOS]; /* parallel to rec.live_kms */

static amdgpu_bo_handle rec_new_bo(uint64_t size, uint32_t kms)
{
   struct rec_bo *bo = calloc(1, sizeof(*bo));
   bo->kms = kms;
   bo->size = size;
   if (rec.bos_live < REC_MAX_BOS) {
      rec_live_bos[rec.bos_live] = bo;
      rec.live_kms[rec.bos_live] = kms;
   }
   rec.bos_live++;
   return (amdgpu_bo_handle)(void *)bo;
}

static void rec_forget_bo(const struct rec_bo *bo)
{
   int n = rec.bos_live < REC_MAX_BOS ? rec.bos_live : REC_MAX_BOS;
   for (int i = 0; i < n; i++) {
      if (rec_live_bos[i] == bo) {
         rec_live_bos[i] = rec_live_bos[n - 1];
         rec.live_kms[i] = rec.live_kms[n - 1];
         break;
      }
   }
   rec.bos_live--;
}

int rec_bo_count(const struct rec_submit *s, uint32_t handle)
{
   int n = 0;
   for (uint32_t i = 0; s->has_bos && i < s->bo_in.bo_number && i < REC_MAX_BOS; i++)
      n += s->bos[i].bo_handle == handle;
   return n;
}

bool rec_bo_list_is_live_set(const struct rec_submit *s)
{
   if (!s->has_bos || rec.bos_live > REC_MAX_BOS || s->bo_in.bo_number != (uint32_t)rec.bos_live)
      return false;
   for (int i = 0; i < rec.bos_live; i++)
      if (rec_bo_count(s, rec.live_kms[i]) != 1)
         return false;
   return true; /* as many entries as live BOs, each live one once: nothing else */
}

uint32_t rec_bo_at_va(uint64_t va, uint64_t bytes, uint64_t *bo_size, uint64_t *offset)
{
   for (int i = rec.va_op_count - 1; i >= 0; i--) {
      const struct rec_va_op *o = &rec.va_ops[i];
      if (va < o->addr || bytes > o->size || va - o->addr > o->size - bytes)
         continue;
      if (o->op != AMDGPU_VA_OP_MAP)
         return 0; /* the latest op on that range unmapped it */
      *bo_size = o->bo_size;
      *offset = o->offset + (va - o->addr);
      return o->kms;
   }
   return 0;
}

const void *rec_bo_memory(uint32_t kms)
{
   int n = rec.bos_live < REC_MAX_BOS ? rec.bos_live : REC_MAX_BOS;
   for (int i = 0; i < n; i++)
      if (rec.live_kms[i] == kms)
         return rec_live_bos[i]->mem;
   return NULL;
}

static int rec_bo_alloc(amdgpu_device_handle dev, struct amdgpu_bo_alloc_request *req,
                        amdgpu_bo_handle *bo)
{
   (void)dev;
   rec.allocs[rec.alloc_count++] = *req;
   if (rec.fail_bo_alloc_at == rec.alloc_count)
      return -ENOMEM;
   *bo = rec_new_bo(req->alloc_size, rec_next_kms++);
   return 0;
}

static int rec_bo_free(amdgpu_bo_handle handle)
{
   struct rec_bo *bo = (void *)handle;
   rec_forget_bo(bo);
   free(bo->mem);
   free(bo);
   return 0;
}

static int rec_bo_cpu_map(amdgpu_bo_handle handle, void **cpu)
{
   struct rec_bo *bo = (void *)handle;
   /* page-aligned and zeroed, like the kernel's mmap of a BO (amdgpu_bo_cpu_map) */
   if (!bo->mem && posix_memalign(&bo->mem, 4096, bo->size) == 0)
      memset(bo->mem, 0, bo->size);
   if (!bo->mem)
      return -ENOMEM;
   *cpu = bo->mem;
   rec.maps_live++;
   return 0;
}

static int rec_bo_cpu_unmap(amdgpu_bo_handle handle)
{
   (void)handle;
   rec.maps_live--;
   return 0;
}

static int rec_bo_import(amdgpu_device_handle dev, enum amdgpu_bo_handle_type type, uint32_t shared,
                         struct amdgpu_bo_import_result *out)
{
   (void)dev;
   if (type != amdgpu_bo_handle_type_dma_buf_fd)
      return -EINVAL;
   rec.import_count++;
   out->buf_handle = rec_new_bo(4096, REC_IMPORT_KMS_BASE + shared);
   out->alloc_size = 4096;
   return 0;
}

static int rec_bo_export(amdgpu_bo_handle handle, enum amdgpu_bo_handle_type type, uint32_t *out)
{
   if (type != amdgpu_bo_handle_type_kms)
      return -EINVAL;
   *out = ((struct rec_bo *)(void *)handle)->kms;
   return 0;
}

static int rec_va_range_alloc(amdgpu_device_handle dev, enum amdgpu_gpu_va_range type,
                              uint64_t size, uint64_t align, uint64_t required, uint64_t *va,
                              amdgpu_va_handle *handle, uint64_t flags)
{
   (void)dev;
   (void)required;
   if (type != amdgpu_gpu_va_range_general)
      return -EINVAL;
   rec.va_sizes[rec.va_count] = size;
   rec.va_aligns[rec.va_count] = align;
   rec.va_flags[rec.va_count] = flags;
   rec.va_count++;
   *va = rec_next_va;
   *handle = (amdgpu_va_handle)(uintptr_t)rec_next_va;
   rec_next_va += (size + 0xFFFFF) & ~0xFFFFFull; /* leave gaps so ranges stay distinct */
   rec_next_va += 0x100000;
   rec.vas_live++;
   return 0;
}

static int rec_va_range_free(amdgpu_va_handle handle)
{
   (void)handle;
   rec.vas_live--;
   return 0;
}

static int rec_bo_va_op_raw(amdgpu_device_handle dev, amdgpu_bo_handle bo, uint64_t offset,
                            uint64_t size, uint64_t addr, uint64_t flags, uint32_t ops)
{
   (void)dev;
   const struct rec_bo *b = (const void *)bo;
   rec.va_ops[rec.va_op_count++] = (struct rec_va_op){.bo = (void *)bo,
                                                      .kms = b->kms,
                                                      .bo_size = b->size,
                                                      .offset = offset,
                                                      .size = size,
                                                      .addr = addr,
                                                      .flags = flags,
                                                      .op = ops};
   return 0;
}

static int rec_cs_ctx_create2(amdgpu_device_handle dev, uint32_t priority,
                              amdgpu_context_handle *ctx)
{
   (void)dev;
   rec.ctx_priorities[rec.ctx_create_count++] = priority;
   if ((int32_t)priority > AMDGPU_CTX_PRIORITY_NORMAL && rec.ctx_create_high_result)
      return rec.ctx_create_high_result;
   if (rec.ctx_create_result)
      return rec.ctx_create_result;
   struct rec_ctx *c = calloc(1, sizeof(*c));
   c->id = rec.ctx_create_count;
   c->reset_seen = rec.reset_flags;
   c->reset_epoch = rec.reset_epoch;
   *ctx = (amdgpu_context_handle)(void *)c;
   rec.ctxs_live++;
   return 0;
}

static int rec_cs_ctx_free(amdgpu_context_handle ctx)
{
   free((void *)ctx);
   rec.ctxs_live--;
   rec.ctx_free_count++;
   return 0;
}

static int rec_cs_query_reset_state2(amdgpu_context_handle ctx, uint64_t *flags);

/* A bridge's value and its newest point with a fence attached (NULL: no such syncobj). */
static _Atomic uint64_t *rec_bridge_value(uint32_t handle)
{
   return handle == REC_BRIDGE_HANDLE    ? &rec.timeline_value
          : handle == REC_BRIDGE2_HANDLE ? &rec.bridge2_value
                                         : NULL;
}

static _Atomic uint64_t *rec_bridge_submitted(uint32_t handle)
{
   return handle == REC_BRIDGE_HANDLE    ? &rec.timeline_submitted
          : handle == REC_BRIDGE2_HANDLE ? &rec.bridge2_submitted
                                         : NULL;
}

/* Copies every chunk's payload, as the kernel would copy_from_user it. */
static int rec_cs_submit_raw2(amdgpu_device_handle dev, amdgpu_context_handle ctx, uint32_t bo_list,
                              int num_chunks, struct drm_amdgpu_cs_chunk *chunks, uint64_t *seq_no)
{
   (void)dev;
   int n = rec.submit_count;
   struct rec_submit *s = &rec.submits[n % REC_MAX_CALLS]; /* the last REC_MAX_CALLS kept */
   memset(s, 0, sizeof(*s));
   s->ctx_id = ((struct rec_ctx *)(void *)ctx)->id;
   s->bo_list_handle = bo_list;
   s->num_chunks = num_chunks;
   for (int i = 0; i < num_chunks && i < 8; i++) {
      const struct drm_amdgpu_cs_chunk *c = &chunks[i];
      const void *data = (const void *)(uintptr_t)c->chunk_data;
      s->chunks[i] = *c;
      switch (c->chunk_id) {
      case AMDGPU_CHUNK_ID_IB:
         memcpy(&s->ib, data, sizeof(s->ib));
         s->has_ib = true;
         break;
      case AMDGPU_CHUNK_ID_BO_HANDLES:
         memcpy(&s->bo_in, data, sizeof(s->bo_in));
         if (s->bo_in.bo_number <= REC_MAX_BOS)
            memcpy(s->bos, (const void *)(uintptr_t)s->bo_in.bo_info_ptr,
                   s->bo_in.bo_number * sizeof(s->bos[0]));
         s->has_bos = true;
         break;
      case AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT:
         memcpy(&s->wait, data, sizeof(s->wait));
         s->has_wait = true;
         break;
      case AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL:
         memcpy(&s->signal, data, sizeof(s->signal));
         s->has_signal = true;
         break;
      default: break;
      }
   }
   rec.submit_count = n + 1; /* the record is whole: a reader of the count may read it */
   if (rec.submit_result)
      return rec.submit_result;
   /* A guilty context's CS is refused (amdgpu_cs.c amdgpu_cs_parser_init). */
   uint64_t flags;
   rec_cs_query_reset_state2(ctx, &flags);
   if (flags & AMDGPU_CTX_QUERY2_FLAGS_GUILTY)
      return -ECANCELED;
   /* An accepted CS attaches its job's fence at the signal point (amdgpu_cs.c,
    * amdgpu_cs_post_dependencies). */
   _Atomic uint64_t *attached = s->has_signal ? rec_bridge_submitted(s->signal.handle) : NULL;
   if (attached && s->signal.point > *attached)
      *attached = s->signal.point;
   *seq_no = (uint64_t)rec.submit_count;
   return 0;
}

static int rec_cs_query_reset_state2(amdgpu_context_handle ctx, uint64_t *flags)
{
   const struct rec_ctx *c = (const void *)ctx;
   *flags = rec.reset_flags & (c->reset_epoch == rec.reset_epoch ? ~c->reset_seen : ~0ull);
   return 0;
}

/* Every job has ended, with the scripted fence error (the recorder runs none). */
static int rec_cs_query_fence_status(struct amdgpu_cs_fence *fence, uint64_t timeout_ns,
                                     uint64_t flags, uint32_t *expired)
{
   (void)fence, (void)timeout_ns, (void)flags;
   *expired = 1;
   return rec.fence_error;
}

static int rec_syncobj_fd_to_handle(int fd, int obj_fd, uint32_t *handle)
{
   rec.fd_to_handle_fd = fd;
   rec.fd_to_handle_obj_fd = obj_fd;
   *handle = obj_fd == REC_BRIDGE2_FD ? REC_BRIDGE2_HANDLE : REC_BRIDGE_HANDLE;
   rec.syncobjs_live++;
   return 0;
}

static int rec_syncobj_destroy(int fd, uint32_t handle)
{
   if (fd != REC_DEVICE_FD)
      return -EINVAL;
   rec.syncobj_destroyed = handle;
   rec.syncobjs_live--;
   return 0;
}

/* drm_syncobj.c, drm_syncobj_array_wait_timeout: a point with no fence attached yet is -EINVAL
 * unless WAIT_FOR_SUBMIT (then waited for); WAIT_AVAILABLE is done once a fence is attached,
 * otherwise once it signals; the timeout gives -ETIME. The recorder does not sleep: what is not
 * done now is not done by the deadline. */
int rec_waits_copy(struct rec_wait *out, int max)
{
   pthread_mutex_lock(&rec_waits_mu);
   int n = rec.wait_count;
   memcpy(out, rec.waits, (size_t)(n < max ? n : max) * sizeof(*out));
   pthread_mutex_unlock(&rec_waits_mu);
   return n;
}

static int rec_syncobj_timeline_wait(int fd, uint32_t *handles, uint64_t *points, unsigned count,
                                     int64_t timeout, unsigned flags, uint32_t *first)
{
   if (fd != REC_DEVICE_FD || count == 0 || count > REC_WAIT_HANDLES)
      return -EINVAL;
   struct rec_wait w = {
      .fd = fd, .handle = handles[0], .point = points[0], .timeout = timeout, .flags = flags};
   w.count = count;
   memcpy(w.handles, handles, count * sizeof(*handles));
   memcpy(w.points, points, count * sizeof(*points));
   pthread_mutex_lock(&rec_waits_mu);
   if (rec.wait_count < REC_MAX_CALLS)
      rec.waits[rec.wait_count++] = w;
   pthread_mutex_unlock(&rec_waits_mu);
   /* Without WAIT_ALL the wait is over at the first point done (its index in *first). */
   unsigned done_count = 0, first_done = count;
   for (unsigned i = 0; i < count; i++) {
      _Atomic uint64_t *value = rec_bridge_value(handles[i]);
      if (!value)
         return -ENOENT; /* drm_syncobj_array_find: no such handle */
      bool attached = points[i] <= *rec_bridge_submitted(handles[i]) || points[i] <= *value;
      if (!attached && !(flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT))
         return -EINVAL;
      if (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE ? attached : points[i] <= *value) {
         done_count++;
         first_done = first_done < i ? first_done : i;
      }
   }
   bool done = flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL ? done_count == count : done_count > 0;
   if (done && first)
      *first = first_done;
   return done ? 0 : -ETIME;
}

static int rec_syncobj_query(int fd, uint32_t *handles, uint64_t *points, uint32_t count)
{
   if (fd != REC_DEVICE_FD || count != 1 || !rec_bridge_value(handles[0]))
      return -EINVAL;
   rec.query_count++;
   points[0] = *rec_bridge_value(handles[0]);
   return 0;
}

static const struct pm4d_drm_ops rec_table = {
   .get_devices2 = rec_get_devices2,
   .free_devices = rec_free_devices,
   .open_node = rec_open_node,
   .close_node = rec_close_node,
   .get_cap = rec_get_cap,
   .same_file = rec_same_file,
   .device_initialize = rec_device_initialize,
   .device_deinitialize = rec_device_deinitialize,
   .device_get_fd = rec_device_get_fd,
   .query_gpu_info = rec_query_gpu_info,
   .query_hw_ip_info = rec_query_hw_ip_info,
   .query_info = rec_query_info,
   .bo_alloc = rec_bo_alloc,
   .bo_free = rec_bo_free,
   .bo_cpu_map = rec_bo_cpu_map,
   .bo_cpu_unmap = rec_bo_cpu_unmap,
   .bo_import = rec_bo_import,
   .bo_export = rec_bo_export,
   .va_range_alloc = rec_va_range_alloc,
   .va_range_free = rec_va_range_free,
   .bo_va_op_raw = rec_bo_va_op_raw,
   .cs_ctx_create2 = rec_cs_ctx_create2,
   .cs_ctx_free = rec_cs_ctx_free,
   .cs_submit_raw2 = rec_cs_submit_raw2,
   .cs_query_reset_state2 = rec_cs_query_reset_state2,
   .cs_query_fence_status = rec_cs_query_fence_status,
   .syncobj_fd_to_handle = rec_syncobj_fd_to_handle,
   .syncobj_destroy = rec_syncobj_destroy,
   .syncobj_timeline_wait = rec_syncobj_timeline_wait,
   .syncobj_query = rec_syncobj_query,
};

const struct pm4d_drm_ops *rec_ops(void)
{
   return &rec_table;
}
