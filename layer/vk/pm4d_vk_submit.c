/* Submission (DESIGN.md data flow steps 4 and 6): a submission whose command buffers have jobs
 * becomes a chain of driver links and direct batches over the queue's bridge timeline
 * semaphore; the app's waits go to the first link, its signals and fence to the last, which is
 * always a driver link. Submissions without jobs go through as they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_autodisable.h"
#include "pm4d_alloc.h"
#include "pm4d_killfile.h"
#include "pm4d_vk_redirect.h"

static void note_submit(uint64_t command_buffers)
{
   pm4d_counter_add(PM4D_CTR_submitted_command_buffers, command_buffers);
   if (pm4d_killfile_active())
      pm4d_counter_inc(PM4D_CTR_submits_while_killed);
}

/* A growable array of T. */
#define VEC(T)         \
   struct {            \
      T *v;            \
      uint32_t n, cap; \
   }

static bool vec_reserve(void **v, uint32_t *cap, uint32_t need, size_t size)
{
   if (need <= *cap)
      return true;
   uint32_t cap2 = *cap * 2 > need ? *cap * 2 : need + 8;
   void *a = pm4d_realloc(*v, (size_t)cap2 * size);
   if (!a)
      return false;
   *v = a;
   *cap = cap2;
   return true;
}

#define VEC_PUSH(x, vec, item)                                                       \
   do {                                                                              \
      if (vec_reserve((void **)&(vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v))) \
         (vec).v[(vec).n++] = (item);                                                \
      else                                                                           \
         (x)->nomem = true;                                                          \
   } while (0)

/* The driver link being built, and how to submit it. */
struct chain {
   struct pm4d_vk_device *dev;
   struct pm4d_vk_queue *q; /* NULL: no bridge; batches run their fallbacks inline */
   VkQueue queue;
   bool v2; /* submit with vkQueueSubmit2 (the app did) */
   bool nomem;
   uint32_t emitted;
   uint64_t end_point; /* a SIMULTANEOUS_USE command buffer's end (pm4d_vk_arm.c): signalled */
   bool in_order;      /* its batches arm on the GPU (pm4d_vk_arm_claim) */
   struct pm4d_vk_chain_storage *store; /* where the arrays below live between calls */
   uint64_t *scratch;                   /* emit_v1's arrays, sized for the largest link */
   uint32_t scratch_cap;
   VEC(VkSemaphoreSubmitInfo) waits;
   VEC(VkCommandBufferSubmitInfo) cbs;
   VEC(VkSemaphoreSubmitInfo) signals;
   /* reserve_chain looks up each of the call's command buffers once, in the order
    * add_command_buffer takes them */
   VEC(struct pm4d_vk_cmdbuf *) records; /* claimed for GPU arming (pm4d_vk_arm.c) */
   uint32_t next_record;
};

/* Takes the storage's arrays for one call. */
static void chain_take(struct chain *x, struct pm4d_vk_chain_storage *st)
{
   x->store = st;
   x->scratch = st->scratch;
   x->scratch_cap = st->scratch_cap;
   x->waits.v = st->waits;
   x->waits.cap = st->waits_cap;
   x->cbs.v = st->cbs;
   x->cbs.cap = st->cbs_cap;
   x->signals.v = st->signals;
   x->signals.cap = st->signals_cap;
   x->records.v = st->records;
   x->records.cap = st->records_cap;
}

/* Hands the arrays back to the storage, grown or not. */
static void chain_put_back(const struct chain *x)
{
   *x->store = (struct pm4d_vk_chain_storage){
      x->waits.v,   x->signals.v,   x->cbs.v,   x->records.v,   x->scratch,
      x->waits.cap, x->signals.cap, x->cbs.cap, x->records.cap, x->scratch_cap};
}

void pm4d_vk_chain_storage_free(struct pm4d_vk_chain_storage *st)
{
   free(st->waits);
   free(st->signals);
   free(st->cbs);
   free(st->records);
   free(st->scratch);
   *st = (struct pm4d_vk_chain_storage){0};
}

static void add_wait(struct chain *x, VkSemaphore s, uint64_t value, VkPipelineStageFlags2 stage)
{
   VkSemaphoreSubmitInfo w = {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, NULL, s, value, stage, 0};
   VEC_PUSH(x, x->waits, w);
}

static void add_signal(struct chain *x, VkSemaphore s, uint64_t value)
{
   VkSemaphoreSubmitInfo w = {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, NULL, s, value,
                              VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT,    0};
   VEC_PUSH(x, x->signals, w);
}

static void add_cb(struct chain *x, VkCommandBuffer cb)
{
   VkCommandBufferSubmitInfo c = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO, NULL, cb, 0};
   VEC_PUSH(x, x->cbs, c);
}

/* vkQueueSubmit form of the link. */
static VkResult emit_v1(struct chain *x, VkFence fence)
{
   uint32_t nw = x->waits.n, nc = x->cbs.n, ns = x->signals.n;
   uint64_t *values = x->scratch;
   VkSemaphore *sems = (VkSemaphore *)(values + nw + ns);
   VkCommandBuffer *cbs = (VkCommandBuffer *)(sems + nw + ns);
   VkPipelineStageFlags *stages = (VkPipelineStageFlags *)(cbs + nc);
   for (uint32_t i = 0; i < nw; i++) {
      sems[i] = x->waits.v[i].semaphore;
      values[i] = x->waits.v[i].value;
      stages[i] = (VkPipelineStageFlags)x->waits.v[i].stageMask;
   }
   for (uint32_t i = 0; i < ns; i++) {
      sems[nw + i] = x->signals.v[i].semaphore;
      values[nw + i] = x->signals.v[i].value;
   }
   for (uint32_t i = 0; i < nc; i++)
      cbs[i] = x->cbs.v[i].commandBuffer;
   VkTimelineSemaphoreSubmitInfo tl = {
      VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO, NULL, nw, values, ns, values + nw};
   VkSubmitInfo si = {VK_STRUCTURE_TYPE_SUBMIT_INFO, &tl, nw, sems, stages, nc, cbs, ns, sems + nw};
   return x->dev->table.QueueSubmit(x->queue, 1, &si, fence);
}

/* Submits the link and starts an empty one. */
static VkResult emit(struct chain *x, VkFence fence)
{
   if (x->nomem)
      return VK_ERROR_OUT_OF_HOST_MEMORY;
   VkResult res;
   if (x->v2) {
      VkSubmitInfo2 si = {VK_STRUCTURE_TYPE_SUBMIT_INFO_2,
                          NULL,
                          0,
                          x->waits.n,
                          x->waits.v,
                          x->cbs.n,
                          x->cbs.v,
                          x->signals.n,
                          x->signals.v};
      res = x->dev->table.QueueSubmit2(x->queue, 1, &si, fence);
   } else {
      res = emit_v1(x, fence);
   }
   /* Points are handed out in order under the queue lock: the link's bridge point, if any, is
    * now the last one promised. A refused link signals nothing. */
   for (uint32_t i = 0; i < x->signals.n && res == VK_SUCCESS && x->q; i++)
      if (x->signals.v[i].semaphore == x->q->bridge)
         x->q->promised = x->signals.v[i].value;
   x->emitted++;
   x->waits.n = x->cbs.n = x->signals.n = 0;
   return res;
}

/* Arms the batch's fallbacks: before anything can run them (the link after the batch, or this
 * link when they run in it) and before the kick (the batch disarms each job it completes).
 * From the host, or, for a SIMULTANEOUS_USE command buffer whose last submission may still be
 * pending, on the GPU, in this link, in queue order (pm4d_vk_arm.c). */
static void arm_fallbacks(struct chain *x, const struct pm4d_vk_link *l,
                          const struct pm4d_job *jobs)
{
   if (l->arm && x->in_order) {
      add_cb(x, l->arm);
      pm4d_counter_inc(PM4D_CTR_gpu_armed_batches);
      return;
   }
   for (uint32_t i = 0; i < l->jobs; i++)
      pm4d_vk_fallback_arm(jobs[i].fallback, true);
}

/* Adds the batch's armed fallbacks to the link being built; `run`: the batch was not kicked,
 * so they all run. */
static void add_fallbacks(struct chain *x, const struct pm4d_job *jobs, uint32_t count, bool run)
{
   for (uint32_t i = 0; i < count; i++)
      add_cb(x, ((struct pm4d_vk_fallback *)jobs[i].fallback)->cb);
   if (run)
      pm4d_counter_add(PM4D_CTR_fallback_jobs, count);
}

/* Adds the plain fallbacks of a batch that does not go direct (pm4d_vk_arm_claim). */
static void add_plain_fallbacks(struct chain *x, const struct pm4d_job *jobs, uint32_t count)
{
   for (uint32_t i = 0; i < count; i++)
      add_cb(x, ((struct pm4d_vk_fallback *)jobs[i].fallback)->plain);
   pm4d_counter_inc(PM4D_CTR_fallback_other_queue);
   pm4d_counter_add(PM4D_CTR_fallback_jobs, count);
}

static const enum pm4d_counter fallback_by_status[] = {
   [PM4D_DIRECT_UNAVAILABLE] = PM4D_CTR_fallback_unavailable,
   [PM4D_DIRECT_UNSUPPORTED] = PM4D_CTR_fallback_unsupported,
   [PM4D_DIRECT_RING_FULL] = PM4D_CTR_fallback_ring_full,
   [PM4D_DIRECT_INVALID] = PM4D_CTR_fallback_invalid,
   [PM4D_DIRECT_NOMEM] = PM4D_CTR_fallback_nomem,
   [PM4D_DIRECT_FAILED] = PM4D_CTR_fallback_failed,
};

/* Why a batch must not go direct (PM4D_CTR_COUNT: it may): no bridge, the kill file, or the
 * direct path auto-disabled. */
static enum pm4d_counter turned_away(const struct chain *x)
{
   if (!x->q)
      return PM4D_CTR_fallback_unavailable;
   if (pm4d_killfile_active())
      return PM4D_CTR_fallback_kill_file;
   if (pm4d_autodisable_active())
      return PM4D_CTR_fallback_auto_disabled;
   return PM4D_CTR_COUNT;
}

/* PM4DIRECT_DEBUG=1: one line per batch that went direct, each job's shape and variant. */
static void log_redirect(const struct pm4d_direct *d, const struct pm4d_job *jobs, uint32_t count,
                         uint64_t p1, uint64_t p2)
{
   char line[900];
   size_t used = (size_t)snprintf(line, sizeof(line),
                                  "redirect: %u conv2d dispatch%s direct "
                                  "(bridge %llu -> %llu):",
                                  count, count == 1 ? "" : "es", (unsigned long long)p1,
                                  (unsigned long long)p2);
   for (uint32_t i = 0; i < count && used < sizeof(line); i++) {
      const struct pm4d_conv2d_params *p = &jobs[i].params;
      used += (size_t)snprintf(line + used, sizeof(line) - used,
                               "%s %s n%u c%u %ux%u k%u %ux%u s%ux%u p%ux%u d%ux%u g%u -> %ux%u",
                               i ? ";" : "", pm4d_direct_variant_name(d, p), p->n, p->c, p->h, p->w,
                               p->k, p->r, p->s, p->stride_h, p->stride_w, p->pad_h, p->pad_w,
                               p->dil_h, p->dil_w, p->groups, p->oh, p->ow);
   }
   pm4d_log(PM4D_LOG_INFO, "%s", line);
}

/* One direct batch in the chain: the link so far signals p1, the batch runs p1 -> p2 and
 * disarms each job it completes, the next link waits for p2 and starts with the batch's
 * fallbacks (those still armed run). Killed, auto-disabled, without a bridge, or refused: the
 * fallbacks run armed in a driver link instead. */
static VkResult run_batch(struct chain *x, const struct pm4d_vk_link *l,
                          const struct pm4d_job *jobs)
{
   const uint32_t count = l->jobs;
   enum pm4d_counter away = turned_away(x);
   arm_fallbacks(x, l, jobs);
   if (away != PM4D_CTR_COUNT) {
      pm4d_counter_inc(away);
      add_fallbacks(x, jobs, count, true);
      return VK_SUCCESS;
   }
   struct pm4d_vk_queue *q = x->q;
   uint64_t p1 = ++q->point, p2 = ++q->point;
   add_signal(x, q->bridge, p1);
   VkResult res = emit(x, VK_NULL_HANDLE);
   if (res != VK_SUCCESS)
      return res;
   char reason[160];
   enum pm4d_direct_status st =
      pm4d_direct_submit(q->direct, jobs, count, p1, p2, reason, sizeof(reason));
   if (st == PM4D_DIRECT_OK) {
      q->promised = p2;
      pm4d_counter_inc(PM4D_CTR_direct_batches);
      pm4d_counter_add(PM4D_CTR_dispatches_redirected, count);
      if (x->dev->redirect->debug)
         log_redirect(x->dev->redirect->direct, jobs, count, p1, p2);
      add_wait(x, q->bridge, p2, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT);
      add_fallbacks(x, jobs, count, false);
      return VK_SUCCESS;
   }
   pm4d_counter_inc(st < sizeof(fallback_by_status) / sizeof(fallback_by_status[0]) &&
                          fallback_by_status[st]
                       ? fallback_by_status[st]
                       : PM4D_CTR_fallback_failed);
   PM4D_LOG_ONCE(PM4D_LOG_WARN, "direct batch refused (%s: %s); its jobs run through the driver",
                 pm4d_direct_status_name(st), reason);
   add_fallbacks(x, jobs, count, true);
   add_signal(x, q->bridge, p2);
   return emit(x, VK_NULL_HANDLE);
}

/* Adds a command buffer: as it is, or its segments and batches. */
static VkResult add_command_buffer(struct chain *x, VkCommandBuffer cb)
{
   struct pm4d_vk_cmdbuf *r = x->records.v[x->next_record++];
   if (!r || !r->n_links) {
      add_cb(x, cb);
      return VK_SUCCESS;
   }
   const bool queue_order = r->usage & VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT;
   /* Pending on another queue: no batch, nothing that touches the shared arguments. */
   x->in_order = false;
   const bool other_queue = queue_order && pm4d_vk_arm_claim(r, x->q, &x->in_order);
   VkResult res = VK_SUCCESS;
   for (uint32_t i = 0; i < r->n_links && res == VK_SUCCESS; i++) {
      const struct pm4d_vk_link *l = &r->links[i];
      /* The app's own part before its first job holds only state (binds, pushes, barriers),
       * which every later segment records again: the link before the batch goes without it,
       * often with no command buffer at all, which RADV submits with no CS (its signals still
       * follow all earlier work of the queue: a signal operation's first synchronization scope
       * is everything earlier in submission order). */
      if (i == 0 && l->cb == r->handle && !r->lead_work)
         continue;
      if (l->cb)
         add_cb(x, l->cb);
      else if (other_queue)
         add_plain_fallbacks(x, r->jobs + l->first_job, l->jobs);
      else
         res = run_batch(x, l, r->jobs + l->first_job);
   }
   /* The next bridge point is signalled by the link that now holds r's last fallbacks (no
    * bridge: nothing to wait for later, and nothing disarms here). */
   if (queue_order && !other_queue) {
      x->end_point = res == VK_SUCCESS && x->q ? x->q->point + 1 : 0;
      pm4d_vk_arm_claimed(r, x->end_point);
   }
   return res;
}

/* True when some command buffer of the submission has jobs. */
static bool has_jobs(struct pm4d_vk_device *dev, const VkCommandBuffer *cbs,
                     const VkCommandBufferSubmitInfo *infos, uint32_t n)
{
   bool found = false;
   pthread_mutex_lock(&dev->lock);
   for (uint32_t i = 0; i < n && !found; i++) {
      VkCommandBuffer cb = cbs ? cbs[i] : infos[i].commandBuffer;
      const struct pm4d_vk_cmdbuf *r =
         pm4d_map_get(&dev->objects[PM4D_VK_OBJ_COMMAND_BUFFER], (uint64_t)(uintptr_t)cb);
      found = r && r->n_links;
   }
   pthread_mutex_unlock(&dev->lock);
   return found;
}

/* One application submit (v1 or v2 view) as links. */
struct app_submit {
   const VkSemaphore *waits;
   const uint64_t *wait_values;
   const VkPipelineStageFlags *wait_stages;
   const VkSemaphoreSubmitInfo *waits2;
   uint32_t n_waits;
   const VkCommandBuffer *cbs;
   const VkCommandBufferSubmitInfo *cbs2;
   uint32_t n_cbs;
   const VkSemaphore *signals;
   const uint64_t *signal_values;
   const VkSemaphoreSubmitInfo *signals2;
   uint32_t n_signals;
};

static VkResult chain_submit(struct chain *x, const struct app_submit *s, bool last, VkFence fence)
{
   for (uint32_t i = 0; i < s->n_waits; i++) {
      if (s->waits2)
         VEC_PUSH(x, x->waits, s->waits2[i]);
      else
         add_wait(x, s->waits[i], s->wait_values ? s->wait_values[i] : 0, s->wait_stages[i]);
   }
   for (uint32_t i = 0; i < s->n_cbs; i++) {
      VkResult res = add_command_buffer(x, s->cbs ? s->cbs[i] : s->cbs2[i].commandBuffer);
      if (res != VK_SUCCESS)
         return res;
   }
   for (uint32_t i = 0; i < s->n_signals; i++) {
      if (s->signals2)
         VEC_PUSH(x, x->signals, s->signals2[i]);
      else
         add_signal(x, s->signals[i], s->signal_values ? s->signal_values[i] : 0);
   }
   if (last) {
      if (x->end_point && x->end_point > x->q->point) /* a bridge: x->q */
         add_signal(x, x->q->bridge, ++x->q->point);
      return emit(x, fence);
   }
   /* Submits of one call stay in order: the next one's first link waits for this one. */
   if (x->q) {
      uint64_t p = ++x->q->point;
      add_signal(x, x->q->bridge, p);
      VkResult res = emit(x, VK_NULL_HANDLE);
      add_wait(x, x->q->bridge, p, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT);
      return res;
   }
   return emit(x, VK_NULL_HANDLE);
}

static const VkTimelineSemaphoreSubmitInfo *timeline_info(const VkSubmitInfo *si)
{
   for (const VkBaseInStructure *s = si->pNext; s; s = s->pNext)
      if (s->sType == VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO)
         return (const VkTimelineSemaphoreSubmitInfo *)s;
   return NULL;
}

/* Room for every link of the call, taken before the first one goes out: running out of memory
 * half-way would leave earlier links submitted and the app's semaphores half used. Bounds per
 * call: the app's waits and signals plus two bridge points per submit and batch, and per
 * command buffer its links and its jobs' fallbacks (or itself). Records each command buffer's
 * record for add_command_buffer (the app may not re-record or free one while it submits it). */
static bool reserve_chain(struct chain *x, uint32_t count, const VkSubmitInfo *v1,
                          const VkSubmitInfo2 *v2)
{
   uint32_t nw = 2 * count + 2, ns = 2 * count + 2, nc = 0;
   pthread_mutex_lock(&x->dev->lock);
   for (uint32_t i = 0; i < count; i++) {
      uint32_t n_cbs = v1 ? v1[i].commandBufferCount : v2[i].commandBufferInfoCount;
      nw += v1 ? v1[i].waitSemaphoreCount : v2[i].waitSemaphoreInfoCount;
      ns += v1 ? v1[i].signalSemaphoreCount : v2[i].signalSemaphoreInfoCount;
      for (uint32_t j = 0; j < n_cbs; j++) {
         VkCommandBuffer cb =
            v1 ? v1[i].pCommandBuffers[j] : v2[i].pCommandBufferInfos[j].commandBuffer;
         struct pm4d_vk_cmdbuf *r =
            pm4d_map_get(&x->dev->objects[PM4D_VK_OBJ_COMMAND_BUFFER], (uint64_t)(uintptr_t)cb);
         VEC_PUSH(x, x->records, r);
         nc += r && r->n_links ? 2 * r->n_links + r->n_jobs : 1; /* arm, fallbacks */
         nw += r ? r->n_links : 0;                               /* a bridge wait per batch */
         ns += r ? r->n_links : 0;
      }
   }
   pthread_mutex_unlock(&x->dev->lock);
   if (x->nomem)
      return false;
   size_t scratch = (size_t)(nw + ns) * (sizeof(VkSemaphore) + sizeof(uint64_t)) +
                    nw * sizeof(VkPipelineStageFlags) + nc * sizeof(VkCommandBuffer);
   return vec_reserve((void **)&x->waits.v, &x->waits.cap, nw, sizeof(*x->waits.v)) &&
          vec_reserve((void **)&x->cbs.v, &x->cbs.cap, nc, sizeof(*x->cbs.v)) &&
          vec_reserve((void **)&x->signals.v, &x->signals.cap, ns, sizeof(*x->signals.v)) &&
          (x->v2 || vec_reserve((void **)&x->scratch, &x->scratch_cap, (uint32_t)scratch + 1, 1));
}

static VkResult expand(struct pm4d_vk_device *dev, VkQueue queue, uint32_t count,
                       const VkSubmitInfo *v1, const VkSubmitInfo2 *v2, VkFence fence)
{
   struct chain x = {.dev = dev, .queue = queue, .v2 = v2 != NULL};
   struct pm4d_vk_chain_storage own = {0}; /* without a bridge: the call's own arrays */
   x.q = pm4d_vk_queue_get(dev, queue, true);
   if (x.q)
      pthread_mutex_lock(&x.q->lock);
   chain_take(&x, x.q ? &x.q->chain : &own);
   VkResult res = reserve_chain(&x, count, v1, v2) ? VK_SUCCESS : VK_ERROR_OUT_OF_HOST_MEMORY;
   for (uint32_t i = 0; i < count && res == VK_SUCCESS; i++) {
      struct app_submit s;
      if (v1) {
         const VkTimelineSemaphoreSubmitInfo *tl = timeline_info(&v1[i]);
         s = (struct app_submit){
            v1[i].pWaitSemaphores,
            tl && tl->waitSemaphoreValueCount ? tl->pWaitSemaphoreValues : NULL,
            v1[i].pWaitDstStageMask,
            NULL,
            v1[i].waitSemaphoreCount,
            v1[i].pCommandBuffers,
            NULL,
            v1[i].commandBufferCount,
            v1[i].pSignalSemaphores,
            tl && tl->signalSemaphoreValueCount ? tl->pSignalSemaphoreValues : NULL,
            NULL,
            v1[i].signalSemaphoreCount};
      } else {
         s = (struct app_submit){NULL,
                                 NULL,
                                 NULL,
                                 v2[i].pWaitSemaphoreInfos,
                                 v2[i].waitSemaphoreInfoCount,
                                 NULL,
                                 v2[i].pCommandBufferInfos,
                                 v2[i].commandBufferInfoCount,
                                 NULL,
                                 NULL,
                                 v2[i].pSignalSemaphoreInfos,
                                 v2[i].signalSemaphoreInfoCount};
      }
      res = chain_submit(&x, &s, i + 1 == count, fence);
   }
   chain_put_back(&x);
   if (x.q)
      pthread_mutex_unlock(&x.q->lock);
   if (!x.q)
      pm4d_vk_chain_storage_free(&own);
   if (x.emitted > 1)
      pm4d_counter_add(PM4D_CTR_extra_driver_submissions, x.emitted - 1);
   return res;
}

/* A GPU page fault in the direct path's memory (pm4d_direct_check_faults) makes the device lost
 * to the app from then on: the batch completed with it, its fallback disarmed, so its output
 * may be wrong and nothing can recompute it. */
static bool device_lost(const struct pm4d_vk_device *dev)
{
   return dev->redirect && pm4d_direct_lost(dev->redirect->direct);
}

/* After a wait that succeeded: the work it covered may hold direct batches; a fault of theirs
 * turns the success into VK_ERROR_DEVICE_LOST. */
static VkResult after_wait(const struct pm4d_vk_device *dev, VkResult res)
{
   if (res == VK_SUCCESS && dev->redirect && pm4d_direct_check_faults(dev->redirect->direct))
      return VK_ERROR_DEVICE_LOST;
   return res;
}

/* The fast path: forwarded as it is, under the queue lock once the queue has a bridge (the
 * watchdog may submit fallbacks to it). */
#define FORWARD_LOCKED(dev, queue, call)                                    \
   do {                                                                     \
      struct pm4d_vk_queue *q_ =                                            \
         (dev)->redirect ? pm4d_vk_queue_get((dev), (queue), false) : NULL; \
      if (q_)                                                               \
         pthread_mutex_lock(&q_->lock);                                     \
      VkResult res_ = (call);                                               \
      if (q_)                                                               \
         pthread_mutex_unlock(&q_->lock);                                   \
      return res_;                                                          \
   } while (0)

VkResult pm4d_hook_QueueSubmit(VkQueue queue, uint32_t submitCount, const VkSubmitInfo *pSubmits,
                               VkFence fence)
{
   pm4d_counter_inc(PM4D_CTR_vkQueueSubmit);
   PM4D_VK_DEVICE_OR_RETURN(dev, queue, "vkQueueSubmit", VK_ERROR_INITIALIZATION_FAILED);
   if (device_lost(dev))
      return VK_ERROR_DEVICE_LOST;
   uint64_t n = 0;
   bool jobs = false;
   for (uint32_t i = 0; i < submitCount; i++) {
      n += pSubmits[i].commandBufferCount;
      if (dev->redirect && !jobs)
         jobs = has_jobs(dev, pSubmits[i].pCommandBuffers, NULL, pSubmits[i].commandBufferCount);
   }
   note_submit(n);
   if (jobs)
      return expand(dev, queue, submitCount, pSubmits, NULL, fence);
   FORWARD_LOCKED(dev, queue, dev->table.QueueSubmit(queue, submitCount, pSubmits, fence));
}

VkResult pm4d_hook_QueueSubmit2(VkQueue queue, uint32_t submitCount, const VkSubmitInfo2 *pSubmits,
                                VkFence fence)
{
   pm4d_counter_inc(PM4D_CTR_vkQueueSubmit2);
   PM4D_VK_DEVICE_OR_RETURN(dev, queue, "vkQueueSubmit2", VK_ERROR_INITIALIZATION_FAILED);
   if (device_lost(dev))
      return VK_ERROR_DEVICE_LOST;
   uint64_t n = 0;
   bool jobs = false;
   for (uint32_t i = 0; i < submitCount; i++) {
      n += pSubmits[i].commandBufferInfoCount;
      if (dev->redirect && !jobs)
         jobs = has_jobs(dev, NULL, pSubmits[i].pCommandBufferInfos,
                         pSubmits[i].commandBufferInfoCount);
   }
   note_submit(n);
   if (jobs)
      return expand(dev, queue, submitCount, NULL, pSubmits, fence);
   FORWARD_LOCKED(dev, queue, dev->table.QueueSubmit2(queue, submitCount, pSubmits, fence));
}

/* Waits until the bridge has passed every point promised so far (not merely handed out: the
 * driver may have refused the link that was to signal one): after that the watchdog has no
 * fallback left to submit for this queue. */
static void drain_bridge(struct pm4d_vk_queue *q)
{
   pthread_mutex_lock(&q->lock);
   uint64_t last = q->promised;
   pthread_mutex_unlock(&q->lock);
   VkSemaphoreWaitInfo wi = {VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, NULL, 0, 1, &q->bridge, &last};
   if (last)
      q->dev->table.WaitSemaphores(q->dev->handle, &wi, UINT64_MAX);
}

VkResult pm4d_hook_QueueWaitIdle(VkQueue queue)
{
   pm4d_counter_inc(PM4D_CTR_vkQueueWaitIdle);
   PM4D_VK_DEVICE_OR_RETURN(dev, queue, "vkQueueWaitIdle", VK_ERROR_INITIALIZATION_FAILED);
   if (device_lost(dev))
      return VK_ERROR_DEVICE_LOST;
   struct pm4d_vk_queue *q = dev->redirect ? pm4d_vk_queue_get(dev, queue, false) : NULL;
   if (q) {
      drain_bridge(q);
      pthread_mutex_lock(&q->lock);
   }
   VkResult res = dev->table.QueueWaitIdle(queue);
   if (q)
      pthread_mutex_unlock(&q->lock);
   return after_wait(dev, res);
}

VkResult pm4d_hook_WaitForFences(VkDevice device, uint32_t fenceCount, const VkFence *pFences,
                                 VkBool32 waitAll, uint64_t timeout)
{
   pm4d_counter_inc(PM4D_CTR_vkWaitForFences);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkWaitForFences", VK_ERROR_INITIALIZATION_FAILED);
   if (device_lost(dev))
      return VK_ERROR_DEVICE_LOST;
   return after_wait(dev, dev->table.WaitForFences(device, fenceCount, pFences, waitAll, timeout));
}

/* A fence or timeline value read as reached is a wait that succeeded, as above. */
VkResult pm4d_hook_GetFenceStatus(VkDevice device, VkFence fence)
{
   pm4d_counter_inc(PM4D_CTR_vkGetFenceStatus);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkGetFenceStatus", VK_ERROR_INITIALIZATION_FAILED);
   if (device_lost(dev))
      return VK_ERROR_DEVICE_LOST;
   return after_wait(dev, dev->table.GetFenceStatus(device, fence));
}

VkResult pm4d_hook_WaitSemaphores(VkDevice device, const VkSemaphoreWaitInfo *pWaitInfo,
                                  uint64_t timeout)
{
   pm4d_counter_inc(PM4D_CTR_vkWaitSemaphores);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkWaitSemaphores", VK_ERROR_INITIALIZATION_FAILED);
   if (device_lost(dev))
      return VK_ERROR_DEVICE_LOST;
   return after_wait(dev, dev->table.WaitSemaphores(device, pWaitInfo, timeout));
}

VkResult pm4d_hook_GetSemaphoreCounterValue(VkDevice device, VkSemaphore semaphore,
                                            uint64_t *pValue)
{
   pm4d_counter_inc(PM4D_CTR_vkGetSemaphoreCounterValue);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkGetSemaphoreCounterValue",
                            VK_ERROR_INITIALIZATION_FAILED);
   if (device_lost(dev))
      return VK_ERROR_DEVICE_LOST;
   return after_wait(dev, dev->table.GetSemaphoreCounterValue(device, semaphore, pValue));
}

static bool collect_queue(void *ctx, uint64_t key, void *value)
{
   (void)key;
   VEC(struct pm4d_vk_queue *) *qs = ctx;
   if (vec_reserve((void **)&qs->v, &qs->cap, qs->n + 1, sizeof(*qs->v)))
      qs->v[qs->n++] = value;
   return false;
}

VkResult pm4d_hook_DeviceWaitIdle(VkDevice device)
{
   pm4d_counter_inc(PM4D_CTR_vkDeviceWaitIdle);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkDeviceWaitIdle", VK_ERROR_INITIALIZATION_FAILED);
   if (!dev->redirect)
      return dev->table.DeviceWaitIdle(device);
   if (device_lost(dev))
      return VK_ERROR_DEVICE_LOST;
   VEC(struct pm4d_vk_queue *) qs = {0};
   pthread_mutex_lock(&dev->lock);
   pm4d_map_remove_if(&dev->objects[PM4D_VK_OBJ_QUEUE], collect_queue, &qs);
   pthread_mutex_unlock(&dev->lock);
   for (uint32_t i = 0; i < qs.n; i++)
      drain_bridge(qs.v[i]);
   /* Every queue is external-synchronised for vkDeviceWaitIdle: hold all their locks. */
   for (uint32_t i = 0; i < qs.n; i++)
      pthread_mutex_lock(&qs.v[i]->lock);
   VkResult res = dev->table.DeviceWaitIdle(device);
   for (uint32_t i = qs.n; i-- > 0;)
      pthread_mutex_unlock(&qs.v[i]->lock);
   free(qs.v);
   return after_wait(dev, res);
}

void pm4d_vk_submit_batch_failed(void *user, void *queue_user, const struct pm4d_job *jobs,
                                 uint32_t count, uint64_t wait_point, uint64_t signal_point,
                                 const char *reason)
{
   (void)user, (void)queue_user, (void)jobs;
   /* A report only: the jobs the batch did not complete are still armed, and their fallbacks
    * run in the link after signal_point, which the kernel (amdgpu) or the direct path (sim; amdgpu
    * never kicked) signals; the layer never signals a bridge point a batch owns
    * (VUID-VkSemaphoreSignalInfo-value-03259). The fallbacks are not read here: the point may
    * have been signalled already (amdgpu), the app may have re-recorded or freed the command
    * buffer and with it the fallbacks and their arguments. So fallback_jobs counts the jobs of
    * failed batches, those that ran through the driver and those the batch completed before it
    * failed (their fallbacks dispatched nothing): every job counts once, here or in
    * direct_jobs_completed. */
   pm4d_counter_inc(PM4D_CTR_fallback_batch_failed);
   pm4d_counter_add(PM4D_CTR_fallback_jobs, count);
   PM4D_LOG_ONCE(PM4D_LOG_WARN,
                 "direct batch failed (%s); its unfinished jobs run through the driver", reason);
   pm4d_log(PM4D_LOG_INFO, "batch %llu->%llu of %u jobs failed: %s", (unsigned long long)wait_point,
            (unsigned long long)signal_point, count, reason);
}
