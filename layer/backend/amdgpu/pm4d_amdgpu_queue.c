#include "pm4d_amdgpu_queue.h"
#include "pm4d_alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Chunk payload sizes, as the kernel reads them (include/uapi/drm/amdgpu_drm.h; amdgpu_cs.c,
 * amdgpu_cs_pass1 copies length_dw dwords): IB 8 dwords, BO list 6, timeline syncobj 4, a BO
 * list entry 8 bytes (bo_info_size). */
_Static_assert(sizeof(struct drm_amdgpu_cs_chunk_ib) == 32, "drm_amdgpu_cs_chunk_ib");
_Static_assert(sizeof(struct drm_amdgpu_bo_list_in) == 24, "drm_amdgpu_bo_list_in");
_Static_assert(sizeof(struct drm_amdgpu_cs_chunk_syncobj) == 16, "drm_amdgpu_cs_chunk_syncobj");
_Static_assert(sizeof(struct drm_amdgpu_bo_list_entry) == 8, "drm_amdgpu_bo_list_entry");

/* The device's code pool comes first in every BO list. */
#define PM4D_AMDGPU_MAX_BOS (1 + PM4D_AMDGPU_MAX_POOLS + PM4D_AMDGPU_MAX_BUFFERS)
/* The last submissions remembered for their verdict: more than are ever in flight (the kernel
 * keeps amdgpu_sched_jobs = 32 fences per context entity, amdgpu_ctx.c amdgpu_ctx_get_fence). */
#define PM4D_AMDGPU_KICKS_KEPT 64
/* Contexts kept after their renewal for their jobs' verdicts: a reset can renew twice in a
 * row (GUILTY seen before the reset counters move: the second context predates them). */
#define PM4D_AMDGPU_OLD_CTXS 4

struct pm4d_amdgpu_queue {
   struct pm4d_amdgpu_device *dev;
   const struct pm4d_drm_ops *ops;
   amdgpu_context_handle ctx; /* NULL after a failed reset: submissions are refused */
   /* The contexts before the last renewals, kept for the verdicts of their jobs, and whether
    * the kernel had blamed each (GUILTY) when it was renewed. */
   struct {
      amdgpu_context_handle ctx;
      bool guilty;
   } olds[PM4D_AMDGPU_OLD_CTXS];
   uint32_t next_old;
   uint32_t priority;
   uint32_t bridge; /* syncobj handle on the device's DRM fd */
   uint64_t last_signal;
   struct {
      uint64_t point, seq;
      amdgpu_context_handle ctx;
   } kicks[PM4D_AMDGPU_KICKS_KEPT];
   uint32_t next_kick;
   uint32_t renewals; /* contexts made after the first */
   uint64_t renewed_upto;
   /* The last batch's BO list and what it was made of (count 0: none), for the next batch
    * with the same pools and buffers while the device's imports stay unchanged (a command
    * buffer submitted again). The code pool's handle never changes. */
   struct {
      struct drm_amdgpu_bo_list_entry list[PM4D_AMDGPU_MAX_BOS];
      uint32_t count, import_changes, pool_count, buffer_count;
      uint32_t pools[PM4D_AMDGPU_MAX_POOLS];
      uint64_t buffers[PM4D_AMDGPU_MAX_BUFFERS];
   } bos;
};

static enum pm4d_amdgpu_status pm4d_amdgpu_ctx_create(struct pm4d_amdgpu_queue *q, char *why,
                                                      size_t why_size)
{
   amdgpu_device_handle h = pm4d_amdgpu_device_handle(q->dev);
   int r = q->ops->cs_ctx_create2(h, q->priority, &q->ctx);
   /* Priorities above NORMAL need CAP_SYS_NICE or DRM master (amdgpu_ctx_priority_permit). */
   if (r == -EACCES && (int32_t)q->priority > AMDGPU_CTX_PRIORITY_NORMAL) {
      q->priority = AMDGPU_CTX_PRIORITY_NORMAL;
      r = q->ops->cs_ctx_create2(h, q->priority, &q->ctx);
   }
   if (r) {
      q->ctx = NULL;
      return pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_cs_ctx_create2: %s",
                       strerror(-r));
   }
   return PM4D_AMDGPU_OK;
}

enum pm4d_amdgpu_status pm4d_amdgpu_queue_create(struct pm4d_amdgpu_device *dev,
                                                 const struct pm4d_amdgpu_queue_desc *desc,
                                                 struct pm4d_amdgpu_queue **out, char *why,
                                                 size_t why_size)
{
   enum pm4d_amdgpu_status st;
   int fd = pm4d_amdgpu_device_fd(dev);

   *out = NULL;
   if (desc->bridge_fd < 0)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_INVALID_ARGUMENT, "no bridge semaphore fd");
   struct pm4d_amdgpu_queue *q = pm4d_calloc(1, sizeof(*q));
   if (!q)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_OUT_OF_HOST_MEMORY, "queue struct");
   q->dev = dev;
   q->ops = pm4d_amdgpu_device_ops(dev);
   q->priority = (uint32_t)desc->priority;

   int r = q->ops->syncobj_fd_to_handle(fd, desc->bridge_fd, &q->bridge);
   if (r) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "drmSyncobjFDToHandle(bridge fd %d): %s",
                     desc->bridge_fd, strerror(-r));
      goto fail;
   }
   st = pm4d_amdgpu_ctx_create(q, why, why_size);
   if (st != PM4D_AMDGPU_OK)
      goto fail_syncobj;
   *out = q;
   return PM4D_AMDGPU_OK;

fail_syncobj:
   q->ops->syncobj_destroy(fd, q->bridge);
fail:
   free(q);
   return st;
}

void pm4d_amdgpu_queue_destroy(struct pm4d_amdgpu_queue *q)
{
   if (!q)
      return;
   if (q->ctx)
      q->ops->cs_ctx_free(q->ctx);
   for (uint32_t i = 0; i < PM4D_AMDGPU_OLD_CTXS; i++)
      if (q->olds[i].ctx)
         q->ops->cs_ctx_free(q->olds[i].ctx);
   q->ops->syncobj_destroy(pm4d_amdgpu_device_fd(q->dev), q->bridge);
   free(q);
}

/* A new context; the old one is kept for its jobs' verdicts for the next few renewals. */
static enum pm4d_amdgpu_status pm4d_amdgpu_ctx_renew(struct pm4d_amdgpu_queue *q, char *why,
                                                     size_t why_size)
{
   uint64_t flags = 0;
   if (q->ctx) {
      uint32_t k = q->next_old++ % PM4D_AMDGPU_OLD_CTXS;
      if (q->olds[k].ctx)
         q->ops->cs_ctx_free(q->olds[k].ctx);
      q->olds[k].ctx = q->ctx;
      q->olds[k].guilty =
         q->ops->cs_query_reset_state2(q->ctx, &flags) || (flags & AMDGPU_CTX_QUERY2_FLAGS_GUILTY);
   }
   q->renewals++;
   q->renewed_upto = q->last_signal;
   return pm4d_amdgpu_ctx_create(q, why, why_size);
}

static bool pm4d_amdgpu_ib_inside(const struct pm4d_amdgpu_batch *b)
{
   /* An IB lies inside the one mapping it starts in (amdgpu_cs.c, amdgpu_cs_patch_ibs refuses
    * "IB va_start+ib_bytes is invalid" on rings that read IBs); each pool is one mapping. */
   for (uint32_t i = 0; i < b->pool_count; i++)
      if (pm4d_amdgpu_pool_contains(b->pools[i], b->ib_va, b->ib_bytes))
         return true;
   return false;
}

static enum pm4d_amdgpu_status pm4d_amdgpu_check_batch(const struct pm4d_amdgpu_queue *q,
                                                       const struct pm4d_amdgpu_batch *b, char *why,
                                                       size_t why_size)
{
   if (!q->ctx)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR,
                       "queue has no context (its reset failed)");
   if (b->pool_count > PM4D_AMDGPU_MAX_POOLS || (b->pool_count && !b->pools))
      return pm4d_fail(why, why_size, PM4D_AMDGPU_INVALID_ARGUMENT, "batch %llu: %u pools",
                       (unsigned long long)b->id, b->pool_count);
   /* Dword aligned: the kernel BUG()s on anything else (gfx_v10_0_ring_emit_ib_compute). */
   if (b->ib_bytes == 0 || b->ib_bytes % 4 || b->ib_bytes / 4 > PM4D_AMDGPU_IB_MAX_DW ||
       b->ib_va % 4 || !pm4d_amdgpu_ib_inside(b))
      return pm4d_fail(why, why_size, PM4D_AMDGPU_INVALID_ARGUMENT,
                       "batch %llu: IB 0x%llx + %u bytes is not at most %u dwords inside "
                       "one of the batch's pools",
                       (unsigned long long)b->id, (unsigned long long)b->ib_va, b->ib_bytes,
                       PM4D_AMDGPU_IB_MAX_DW);
   if (b->signal_point <= q->last_signal || b->wait_point >= b->signal_point)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_INVALID_ARGUMENT,
                       "batch %llu: points wait %llu signal %llu after %llu",
                       (unsigned long long)b->id, (unsigned long long)b->wait_point,
                       (unsigned long long)b->signal_point, (unsigned long long)q->last_signal);
   if (b->buffer_count > PM4D_AMDGPU_MAX_BUFFERS || (b->buffer_count && !b->buffers))
      return pm4d_fail(why, why_size, PM4D_AMDGPU_INVALID_ARGUMENT, "batch %llu: %u buffers",
                       (unsigned long long)b->id, b->buffer_count);
   return PM4D_AMDGPU_OK;
}

/* Appends handle unless the list has it already: each BO once, so the list says exactly what
 * the batch touches and the kernel looks each up and validates it once. */
static void pm4d_amdgpu_bo_list_add(struct drm_amdgpu_bo_list_entry *list, uint32_t *n,
                                    uint32_t handle)
{
   for (uint32_t i = 0; i < *n; i++)
      if (list[i].bo_handle == handle)
         return;
   list[(*n)++] = (struct drm_amdgpu_bo_list_entry){.bo_handle = handle};
}

/* q->bos made of the same pools and buffers as batch b, with the device's imports unchanged. */
static bool pm4d_amdgpu_bo_list_same(const struct pm4d_amdgpu_queue *q,
                                     const struct pm4d_amdgpu_batch *b, uint32_t import_changes)
{
   if (!q->bos.count || q->bos.import_changes != import_changes ||
       q->bos.pool_count != b->pool_count || q->bos.buffer_count != b->buffer_count)
      return false;
   for (uint32_t i = 0; i < b->pool_count; i++)
      if (q->bos.pools[i] != b->pools[i]->kms_handle)
         return false;
   return !b->buffer_count ||
          !memcmp(q->bos.buffers, b->buffers, b->buffer_count * sizeof(*b->buffers));
}

/* The batch's BO list in q->bos: the code pool, then each of the batch's pools and imported
 * buffers once; the last batch's list again when it was made of the same. */
static enum pm4d_amdgpu_status pm4d_amdgpu_bo_list(struct pm4d_amdgpu_queue *q,
                                                   const struct pm4d_amdgpu_batch *b, char *why,
                                                   size_t why_size)
{
   uint32_t changes = pm4d_amdgpu_device_import_changes(q->dev);
   if (pm4d_amdgpu_bo_list_same(q, b, changes))
      return PM4D_AMDGPU_OK;
   struct drm_amdgpu_bo_list_entry *list = q->bos.list;
   uint32_t n = 0;
   q->bos.count = 0;
   pm4d_amdgpu_bo_list_add(list, &n, pm4d_amdgpu_device_code_handle(q->dev));
   for (uint32_t i = 0; i < b->pool_count; i++) {
      pm4d_amdgpu_bo_list_add(list, &n, b->pools[i]->kms_handle);
      q->bos.pools[i] = b->pools[i]->kms_handle;
   }
   uint32_t handles[PM4D_AMDGPU_MAX_BUFFERS]; /* check_batch: at most this many */
   enum pm4d_amdgpu_status st =
      pm4d_amdgpu_device_bo_handles(q->dev, b->buffers, b->buffer_count, handles, why, why_size);
   if (st != PM4D_AMDGPU_OK)
      return st;
   for (uint32_t i = 0; i < b->buffer_count; i++)
      if (handles[i]) /* 0: always valid in the VM, resident without an entry */
         pm4d_amdgpu_bo_list_add(list, &n, handles[i]);
   if (b->buffer_count)
      memcpy(q->bos.buffers, b->buffers, b->buffer_count * sizeof(*b->buffers));
   q->bos.pool_count = b->pool_count;
   q->bos.buffer_count = b->buffer_count;
   q->bos.import_changes = changes;
   q->bos.count = n;
   return PM4D_AMDGPU_OK;
}

enum pm4d_amdgpu_status pm4d_amdgpu_queue_submit(struct pm4d_amdgpu_queue *q,
                                                 const struct pm4d_amdgpu_batch *b, uint64_t *seq,
                                                 char *why, size_t why_size)
{
   struct drm_amdgpu_cs_chunk chunks[4];
   int n = 0;

   enum pm4d_amdgpu_status st = pm4d_amdgpu_check_batch(q, b, why, why_size);
   if (st != PM4D_AMDGPU_OK)
      return st;
   st = pm4d_amdgpu_bo_list(q, b, why, why_size);
   if (st != PM4D_AMDGPU_OK)
      return st;

   /* Chunk layouts: the kernel's include/uapi/drm/amdgpu_drm.h; how they are read:
    * amdgpu_cs.c (amdgpu_cs_p1_ib, amdgpu_cs_p1_bo_handles, amdgpu_cs_p2_syncobj_timeline_*).
    * One IB on compute instance 0 ring 0 with no AMDGPU_IB_FLAG_* (CE, preamble and preemption
    * flags are for gfx); exactly one BO_HANDLES chunk and no bo_list_handle (the kernel refuses
    * a second BO_HANDLES chunk in amdgpu_cs_p1_bo_handles, and both together in
    * amdgpu_cs_parser_bos); bo_priority 0 (at most AMDGPU_BO_LIST_MAX_PRIORITY). */
   struct drm_amdgpu_cs_chunk_ib ib = {
      .va_start = b->ib_va,
      .ib_bytes = b->ib_bytes,
      .ip_type = AMDGPU_HW_IP_COMPUTE,
   };
   chunks[n++] = (struct drm_amdgpu_cs_chunk){
      .chunk_id = AMDGPU_CHUNK_ID_IB,
      .length_dw = sizeof(ib) / 4,
      .chunk_data = (uint64_t)(uintptr_t)&ib,
   };
   /* The BO list travels in the submission (DRM 3.27) rather than as a separate handle: one
    * ioctl instead of three. operation and list_handle are unused there (~0 as Mesa sends). */
   struct drm_amdgpu_bo_list_in bos = {
      .operation = ~0u,
      .list_handle = ~0u,
      .bo_number = q->bos.count,
      .bo_info_size = sizeof(q->bos.list[0]),
      .bo_info_ptr = (uint64_t)(uintptr_t)q->bos.list,
   };
   chunks[n++] = (struct drm_amdgpu_cs_chunk){
      .chunk_id = AMDGPU_CHUNK_ID_BO_HANDLES,
      .length_dw = sizeof(bos) / 4,
      .chunk_data = (uint64_t)(uintptr_t)&bos,
   };
   /* WAIT_FOR_SUBMIT: the driver segment that signals wait_point may be queued after us (the
    * wait chunk's flags go to drm_syncobj_find_fence; the signal chunk's are unused). */
   struct drm_amdgpu_cs_chunk_syncobj wait = {
      .handle = q->bridge,
      .flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
      .point = b->wait_point,
   };
   if (b->wait_point)
      chunks[n++] = (struct drm_amdgpu_cs_chunk){
         .chunk_id = AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT,
         .length_dw = sizeof(wait) / 4,
         .chunk_data = (uint64_t)(uintptr_t)&wait,
      };
   struct drm_amdgpu_cs_chunk_syncobj signal = {
      .handle = q->bridge,
      .point = b->signal_point,
   };
   chunks[n++] = (struct drm_amdgpu_cs_chunk){
      .chunk_id = AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL,
      .length_dw = sizeof(signal) / 4,
      .chunk_data = (uint64_t)(uintptr_t)&signal,
   };

   uint64_t kernel_seq = 0;
   int r =
      q->ops->cs_submit_raw2(pm4d_amdgpu_device_handle(q->dev), q->ctx, 0, n, chunks, &kernel_seq);
   /* -ECANCELED: the kernel failed the context (amdgpu_cs.c amdgpu_cs_parser_init, guilty;
    * amdgpu_cs_pass1, VRAM lost since it was made) before the batch was queued: a new context,
    * then the same batch once more. */
   if (r == -ECANCELED && pm4d_amdgpu_ctx_renew(q, why, why_size) == PM4D_AMDGPU_OK)
      r = q->ops->cs_submit_raw2(pm4d_amdgpu_device_handle(q->dev), q->ctx, 0, n, chunks,
                                 &kernel_seq);
   if (r == -ECANCELED || !q->ctx)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_HANG, "batch %llu: context lost to a GPU reset",
                       (unsigned long long)b->id);
   /* -ENOMEM: the BO list could not be made resident now (amdgpu_cs.c amdgpu_cs_ioctl, "Not
    * enough memory for command submission", from amdgpu_cs_parser_bos): memory pressure, back
    * pressure for the caller (a later try may fit), not a fault. (-EAGAIN and -EINTR never
    * come back: drmIoctl repeats the call.) */
   if (r == -ENOMEM)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_POOL_FULL,
                       "batch %llu: amdgpu_cs_submit_raw2: the BO list does not fit in memory now",
                       (unsigned long long)b->id);
   if (r)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR,
                       "batch %llu: amdgpu_cs_submit_raw2: %s", (unsigned long long)b->id,
                       strerror(-r));

   q->last_signal = b->signal_point;
   uint32_t k = q->next_kick++ % PM4D_AMDGPU_KICKS_KEPT;
   q->kicks[k].point = b->signal_point;
   q->kicks[k].seq = kernel_seq;
   q->kicks[k].ctx = q->ctx;
   if (seq)
      *seq = kernel_seq;
   return PM4D_AMDGPU_OK;
}

bool pm4d_amdgpu_queue_point_submitted(struct pm4d_amdgpu_queue *const *queues,
                                       const uint64_t *points, uint32_t count, uint64_t deadline_ns)
{
   uint32_t handles[PM4D_AMDGPU_WAIT_MAX];
   uint64_t wait_points[PM4D_AMDGPU_WAIT_MAX];
   count = count < PM4D_AMDGPU_WAIT_MAX ? count : PM4D_AMDGPU_WAIT_MAX;
   if (!count)
      return false;
   for (uint32_t i = 0; i < count; i++) {
      handles[i] = queues[i]->bridge;
      wait_points[i] = points[i];
   }
   int64_t timeout = deadline_ns > INT64_MAX ? INT64_MAX : (int64_t)deadline_ns;
   /* drm.h: WAIT_AVAILABLE waits for a fence to be attached to the point, not signalled;
    * without WAIT_ALL the wait ends at the first of the handles' points (drm_syncobj.c
    * drm_syncobj_array_wait_timeout); the kernel sleeps (absolute CLOCK_MONOTONIC timeout,
    * drm_timeout_abs_to_jiffies). One DRM file: every queue's bridge is a handle on it. */
   return queues[0]->ops->syncobj_timeline_wait(
             pm4d_amdgpu_device_fd(queues[0]->dev), handles, wait_points, count, timeout,
             DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
             NULL) == 0;
}

enum pm4d_amdgpu_status pm4d_amdgpu_queue_state(struct pm4d_amdgpu_queue *q,
                                                struct pm4d_amdgpu_queue_state *out, char *why,
                                                size_t why_size)
{
   uint64_t flags = 0, value = 0;
   uint32_t handle = q->bridge;

   if (!q->ctx)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR,
                       "queue has no context (its reset failed)");
   int r = q->ops->cs_query_reset_state2(q->ctx, &flags);
   if (r)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_cs_query_reset_state2: %s",
                       strerror(-r));
   r = q->ops->syncobj_query(pm4d_amdgpu_device_fd(q->dev), &handle, &value, 1);
   if (r)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "drmSyncobjQuery: %s", strerror(-r));
   *out = (struct pm4d_amdgpu_queue_state){
      .settled = value,
      .reset = flags & (AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_GUILTY),
      .guilty = flags & AMDGPU_CTX_QUERY2_FLAGS_GUILTY,
      .vram_lost = flags & AMDGPU_CTX_QUERY2_FLAGS_VRAMLOST,
      .renewed_upto = q->renewed_upto,
   };
   return PM4D_AMDGPU_OK;
}

uint32_t pm4d_amdgpu_queue_renewals(const struct pm4d_amdgpu_queue *q)
{
   return q->renewals;
}

int pm4d_amdgpu_queue_verdict(struct pm4d_amdgpu_queue *q, uint64_t point)
{
   for (uint32_t i = 0; i < PM4D_AMDGPU_KICKS_KEPT; i++) {
      if (q->kicks[i].point != point || !q->kicks[i].ctx)
         continue;
      amdgpu_context_handle ctx = q->kicks[i].ctx;
      int old = -1;
      for (int k = 0; k < PM4D_AMDGPU_OLD_CTXS; k++)
         old = q->olds[k].ctx == ctx ? k : old;
      if (ctx != q->ctx && old < 0)
         break; /* its context is freed: not known */
      struct amdgpu_cs_fence fence = {
         .context = ctx, .ip_type = AMDGPU_HW_IP_COMPUTE, .fence = q->kicks[i].seq};
      uint32_t expired = 0;
      int r = q->ops->cs_query_fence_status(&fence, 0, 0, &expired);
      if (r < 0 && r != -EINVAL)
         return r;
      if (!r)
         return expired ? 0 : 1;
      /* -EINVAL: the kernel no longer knows the job: its context's GUILTY flag then. */
      if (old >= 0 && q->olds[old].guilty)
         return -ETIME;
      break;
   }
   return -ESRCH; /* not known: not proven done */
}

enum pm4d_amdgpu_status pm4d_amdgpu_queue_reset(struct pm4d_amdgpu_queue *q, char *why,
                                                size_t why_size)
{
   uint64_t flags = 0;
   if (q->ctx && !q->ops->cs_query_reset_state2(q->ctx, &flags) && !flags)
      return PM4D_AMDGPU_OK;
   return pm4d_amdgpu_ctx_renew(q, why, why_size);
}
