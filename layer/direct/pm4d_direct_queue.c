/* Queues of the direct path: ring, kernarg arena and fence of one application queue, and
 * pm4d_direct_submit, which turns jobs into one PM4 batch and kicks it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_reason.h"
#include "pm4d_alloc.h"
#include "pm4d_autodisable.h"
#include "pm4d_counters.h"
#include "pm4d_direct_internal.h"
#include "pm4d_histogram.h"

enum pm4d_direct_status pm4d_direct_queue_create(struct pm4d_direct *d,
                                                 const struct pm4d_bridge *bridge, void *queue_user,
                                                 struct pm4d_direct_queue **out)
{
   enum pm4d_direct_status st = PM4D_DIRECT_NOMEM;
   if (!bridge || !bridge->wait || !bridge->signal)
      return PM4D_DIRECT_UNSUPPORTED;
   struct pm4d_direct_queue *q = pm4d_calloc(1, sizeof(*q));
   if (!q)
      return PM4D_DIRECT_NOMEM;
   q->d = d;
   q->bridge = *bridge;
   q->user = queue_user;
   pthread_mutex_init(&q->mu, NULL);
   pthread_mutex_init(&q->signal_mu, NULL);
   /* The ring lives in memory the back end allocates: the device reads each batch in place. */
   st = d->ops->alloc(d->dev, d->ring_bytes, 4096, &q->ring_mem);
   if (st != PM4D_DIRECT_OK)
      goto fail;
   if (pm4d_ring_create_in(q->ring_mem.cpu, d->ring_bytes, &q->ring) != PM4D_RING_OK) {
      st = PM4D_DIRECT_UNSUPPORTED; /* ring_bytes not a power of two in range */
      goto fail;
   }
   q->ring_addr = q->ring_mem.addr;
   /* Batches start on the IB alignment, on the device and (for the per-batch check's vector
    * loads) on the host. */
   if (q->ring_addr % (d->ib_align_dw * 4u) || (uintptr_t)q->ring_mem.cpu % (d->ib_align_dw * 4u)) {
      st = PM4D_DIRECT_UNSUPPORTED;
      goto fail;
   }
   uint32_t size_dw = pm4d_ring_size_dw(q->ring);
   /* padding and the last job's fallback switch included */
   uint32_t fixed = d->head_dw + d->tail.ndw + d->ib_align_dw - 1 + d->disarm[1].extra;
   if (size_dw / 2 <= fixed)
      goto fail_unsupported;
   /* A batch is one reservation, at most half the ring. */
   q->max_jobs = (size_dw / 2 - fixed) / (d->dispatch_dw_max + d->disarm[0].extra);
   if (q->max_jobs == 0)
      goto fail_unsupported;
   q->plan = pm4d_calloc(q->max_jobs, sizeof(*q->plan));
   q->disarm = pm4d_calloc(q->max_jobs, sizeof(*q->disarm));
   if (!q->plan || !q->disarm) {
      st = PM4D_DIRECT_NOMEM; /* st still holds the ring allocation's OK */
      goto fail;
   }
   /* Room for the kernargs of every job the ring can hold at once, and a job record each. */
   uint32_t slots = size_dw / d->dispatch_dw_min + 1;
   q->kernarg_bytes = (uint64_t)slots * PM4D_DIRECT_KERNARG_SLOT;
   q->job_records = pm4d_calloc(slots, sizeof(*q->job_records));
   if (!q->job_records) {
      st = PM4D_DIRECT_NOMEM;
      goto fail;
   }
   st = d->ops->alloc(d->dev, q->kernarg_bytes, 256, &q->kernargs);
   if (st == PM4D_DIRECT_OK)
      st = d->ops->alloc(d->dev, 8, 256, &q->fence);
   if (st != PM4D_DIRECT_OK)
      goto fail;
   q->batch_xor = pm4d_direct_batch_fixed_xor(d, q->fence.addr);
   q->validator = d->validator;
   pm4d_validator_add_kernarg(&q->validator, q->kernargs.addr, q->kernarg_bytes);
   pm4d_validator_add_fence(&q->validator, q->fence.addr, 8);
   st = d->ops->queue_create(d->dev, q, &q->bq);
   if (st != PM4D_DIRECT_OK)
      goto fail;

   pthread_mutex_lock(&d->mu);
   q->next = d->queues;
   d->queues = q;
   pthread_mutex_unlock(&d->mu);
   *out = q;
   return PM4D_DIRECT_OK;

fail_unsupported:
   st = PM4D_DIRECT_UNSUPPORTED; /* ring too small for one dispatch */
fail:
   if (q->fence.cpu)
      d->ops->free(d->dev, &q->fence);
   if (q->kernargs.cpu)
      d->ops->free(d->dev, &q->kernargs);
   pm4d_ring_destroy(q->ring);
   if (q->ring_mem.cpu)
      d->ops->free(d->dev, &q->ring_mem);
   free(q->job_records);
   free(q->plan);
   free(q->disarm);
   pthread_mutex_destroy(&q->mu);
   pthread_mutex_destroy(&q->signal_mu);
   free(q);
   return st;
}

void pm4d_direct_queue_destroy(struct pm4d_direct_queue *q)
{
   if (!q)
      return;
   struct pm4d_direct *d = q->d;
   /* The watchdog completes or fails every batch (unstarted ones of a closing queue at once)
    * and has returned from batch_failed for them. */
   pthread_mutex_lock(&q->mu);
   q->closing = true;
   for (;;) {
      uint32_t seen = atomic_load(&d->event);
      bool empty = q->count == 0 && !q->reporting;
      pthread_mutex_unlock(&q->mu);
      if (empty)
         break;
      pm4d_direct_event_bump(d);
      pm4d_direct_event_wait(d, seen + 1, pm4d_clock_now_ns() + PM4D_DIRECT_TICK_NS);
      pthread_mutex_lock(&q->mu);
   }

   pthread_mutex_lock(&d->mu);
   for (struct pm4d_direct_queue **p = &d->queues; *p; p = &(*p)->next) {
      if (*p == q) {
         *p = q->next;
         break;
      }
   }
   pthread_mutex_lock(&q->mu);
   pm4d_direct_stats_add(&d->stats, &q->stats);
   pthread_mutex_unlock(&q->mu);
   pthread_mutex_unlock(&d->mu);

   d->ops->queue_destroy(q->bq);
   d->ops->free(d->dev, &q->fence);
   d->ops->free(d->dev, &q->kernargs);
   pm4d_ring_destroy(q->ring);
   d->ops->free(d->dev, &q->ring_mem);
   free(q->job_records);
   free(q->plan);
   free(q->disarm);
   pthread_mutex_destroy(&q->mu);
   pthread_mutex_destroy(&q->signal_mu);
   free(q);
}

void pm4d_direct_queue_host_signal(struct pm4d_direct_queue *q, uint64_t point)
{
   pthread_mutex_lock(&q->signal_mu);
   if (point > q->signalled && q->bridge.signal(q->bridge.user, point) == 0)
      q->signalled = point;
   pthread_mutex_unlock(&q->signal_mu);
}

void pm4d_direct_queue_point_done(struct pm4d_direct_queue *q, uint64_t point)
{
   if (!q->d->ops->kernel_signals)
      pm4d_direct_queue_host_signal(q, point);
}

void pm4d_direct_queue_interrupt(struct pm4d_direct_queue *q, uint64_t value)
{
   pm4d_direct_queue_point_done(q, value);
   pm4d_direct_event_bump(q->d);
}

void pm4d_direct_queue_fault(struct pm4d_direct_queue *q, const char *reason)
{
   if (!atomic_load(&q->fault_pending)) {
      snprintf(q->fault_reason, sizeof(q->fault_reason), "%s", reason);
      atomic_store(&q->fault_pending, 1);
   }
   pm4d_direct_event_bump(q->d);
}

void pm4d_direct_queue_clock(struct pm4d_direct_queue *q, bool running)
{
   uint64_t now = pm4d_clock_now_ns();
   pthread_mutex_lock(&q->mu);
   if (!running && !q->clock_stopped_ns) {
      q->clock_stopped_ns = now ? now : 1;
   } else if (running && q->clock_stopped_ns) {
      /* Started batches get the stopped time back (one that started meanwhile gets all of
       * it: generous, never short). */
      uint64_t stopped = now - q->clock_stopped_ns;
      for (uint32_t i = 0; i < q->count; i++) {
         struct pm4d_direct_batch *b = &q->batches[(q->head + i) % PM4D_DIRECT_MAX_INFLIGHT];
         if (b->started)
            b->deadline_ns += stopped;
      }
      q->clock_stopped_ns = 0;
   }
   pthread_mutex_unlock(&q->mu);
   pm4d_direct_event_bump(q->d);
}

int pm4d_direct_queue_bridge_wait(struct pm4d_direct_queue *q, uint64_t point, uint64_t timeout_ns)
{
   return q->bridge.wait(q->bridge.user, point, timeout_ns);
}

/* Which kernel ran each redirected job: the variant choice, visible in the stats. */
static const enum pm4d_counter variant_counter[PM4D_CONV2D_VARIANT_COUNT] = {
   [PM4D_CONV2D_DIRECT] = PM4D_CTR_kernel_direct,
   [PM4D_CONV2D_1X1] = PM4D_CTR_kernel_1x1,
   [PM4D_CONV2D_3X3] = PM4D_CTR_kernel_3x3,
   [PM4D_CONV2D_1X1_SMALL] = PM4D_CTR_kernel_1x1_small,
   [PM4D_CONV2D_3X3_SMALL] = PM4D_CTR_kernel_3x3_small,
   [PM4D_CONV2D_1X1_F16] = PM4D_CTR_kernel_1x1_f16,
   [PM4D_CONV2D_3X3_F16] = PM4D_CTR_kernel_3x3_f16,
   [PM4D_CONV2D_1X1_SMALL_F16] = PM4D_CTR_kernel_1x1_small_f16,
   [PM4D_CONV2D_3X3_SMALL_F16] = PM4D_CTR_kernel_3x3_small_f16,
   [PM4D_CONV2D_3X3_WINO] = PM4D_CTR_kernel_3x3_wino,
};

/* One submission on its way through the steps of pm4d_direct_submit: plan, reserve, build,
 * validate, commit. Lives on the submitting thread's stack. */
struct submission {
   const struct pm4d_job *jobs;
   uint32_t count;
   uint64_t wait_point, signal_point;
   char *reason;
   size_t reason_size;
   bool timed;
   uint64_t t_submit;
   uint64_t flops;                  /* plan: for the deadline */
   uint32_t ndw;                    /* plan, reserve: the batch's size in the ring, padded */
   uint64_t ka_off, ka_end;         /* reserve: kernarg slots */
   uint32_t *dw;                    /* reserve: the batch's place in the ring */
   struct pm4d_path_counters paths; /* build */
   struct pm4d_direct_built built;  /* build: what validate needs to know */
};

/* The registered memory `id`, looked for first where *at says (then updated). Called with
 * d->mem_lock held. */
static const struct pm4d_direct_memory *memory_find_at(const struct pm4d_direct *d, uint64_t id,
                                                       uint32_t *at)
{
   if (*at < d->nmem && d->mem[*at].id == id)
      return &d->mem[*at];
   const struct pm4d_direct_memory *m = pm4d_direct_memory_find_locked(d, id);
   if (m)
      *at = (uint32_t)(m - d->mem);
   return m;
}

/* [at, +size) lies inside registered memory m, in the device's address space (host pointers
 * on the sim, GPU VAs on amdgpu: nothing else stands between a job's address and the GPU, the
 * validator checks only the batch's own code, kernarg and fence addresses). */
static bool in_memory(const struct pm4d_direct_memory *m, uint64_t at, uint64_t size)
{
   return m->base && at >= m->base && at - m->base <= m->size && size <= m->size - (at - m->base);
}

/* Why job i's range named `name` was refused by range_ok. */
static enum pm4d_direct_status range_refused(const struct pm4d_direct *d, uint32_t i,
                                             const char *name, uint64_t id, uint64_t at,
                                             uint64_t size, char *reason, size_t rs)
{
   const struct pm4d_direct_memory *m = pm4d_direct_memory_find_locked(d, id);
   if (!m)
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNSUPPORTED,
                       "job %" PRIu32 ": %s memory %" PRIu64 " is not registered", i, name, id);
   if (!m->base)
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNSUPPORTED,
                       "job %" PRIu32 ": %s memory %" PRIu64 " has no known address", i, name, id);
   return pm4d_fail(reason, rs, PM4D_DIRECT_UNSUPPORTED,
                    "job %" PRIu32 ": %s [0x%" PRIx64 ", +%" PRIu64
                    ") lies outside its memory [0x%" PRIx64 ", +%" PRIu64 ")",
                    i, name, at, size, m->base, m->size);
}

/* The range [at, +size) lies in the registered memory `id` (found last at d->mem[*mem_at])
 * as in_memory says. Called with d->mem_lock held for reading. */
static inline bool range_ok(const struct pm4d_direct *d, uint64_t id, uint32_t *mem_at, uint64_t at,
                            uint64_t size)
{
   const struct pm4d_direct_memory *m = memory_find_at(d, id, mem_at);
   return m && in_memory(m, at, size);
}

static uint64_t job_flops(const struct pm4d_conv2d_params *p)
{
   return 2ull * p->n * p->k * p->oh * p->ow * (p->c / p->groups) * p->r * p->s;
}

/* The shape's part of the plan: the check, the kernel and grid, buffer sizes and FLOPs; kept
 * in the slot for the next job with equal params (they depend on nothing else). */
static enum pm4d_direct_status plan_shape(const struct pm4d_direct *d, struct pm4d_direct_plan *pl,
                                          const struct pm4d_conv2d_params *asked, uint32_t i,
                                          char *reason, size_t rs)
{
   if (pl->kernel && pm4d_conv2d_params_equal(&pl->asked, asked))
      return PM4D_DIRECT_OK;
   char why[160];
   pl->kernel = NULL;
   pl->ranges_ok = false; /* they depend on the buffer sizes */
   pl->asked = *asked;
   pl->params = *asked;
   if (!pm4d_conv2d_params_check(&pl->params, why, sizeof(why)))
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNSUPPORTED, "job %" PRIu32 ": %s", i, why);
   enum pm4d_conv2d_variant v = pm4d_direct_variant(d, &pl->params, pl->grid);
   if (v == PM4D_CONV2D_VARIANT_COUNT)
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNSUPPORTED,
                       "job %" PRIu32 ": no kernel on %s runs this shape", i, d->target);
   pm4d_conv2d_buffer_bytes(&pl->params, pl->bytes); /* an fp16 filter is two bytes a word */
   pl->flops = job_flops(&pl->params);
   pl->kernel = &d->kernels[v];
   return PM4D_DIRECT_OK;
}

/* The slot's last job, with equal params, had the same buffers and switch, found inside their
 * memory with nothing registered or unregistered since. */
static bool ranges_same(const struct pm4d_direct *d, const struct pm4d_direct_plan *pl,
                        const struct pm4d_job *job)
{
   return pl->ranges_ok && pl->mem_changes == d->mem_changes && pl->addr.input == job->addr.input &&
          pl->addr.filter == job->addr.filter && pl->addr.bias == job->addr.bias &&
          pl->addr.output == job->addr.output && pl->memory_ids[0] == job->memory_ids[0] &&
          pl->memory_ids[1] == job->memory_ids[1] && pl->memory_ids[2] == job->memory_ids[2] &&
          pl->memory_ids[3] == job->memory_ids[3] && pl->disarm == job->disarm &&
          pl->disarm_memory == job->disarm_memory;
}

/* Every buffer of job i and its fallback switch lie inside the registered memory it names. */
static enum pm4d_direct_status plan_ranges(const struct pm4d_direct *d, struct pm4d_direct_plan *pl,
                                           const struct pm4d_job *job, uint32_t i, char *reason,
                                           size_t rs)
{
   uint64_t addr[4];
   pm4d_direct_job_buffers(job, addr);
   for (int b = 0; b < 4; b++) {
      if (pl->bytes[b] && !range_ok(d, job->memory_ids[b], &pl->mem_at[b], addr[b], pl->bytes[b]))
         return range_refused(d, i, pm4d_direct_buffer_name(b), job->memory_ids[b], addr[b],
                              pl->bytes[b], reason, rs);
   }
   if (!job->disarm)
      return PM4D_DIRECT_OK;
   if (job->disarm & 3u) /* the switch: a u32 the batch clears */
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNSUPPORTED,
                       "job %" PRIu32 ": fallback switch 0x%" PRIx64 " is not aligned", i,
                       job->disarm);
   return range_ok(d, job->disarm_memory, &pl->mem_at[4], job->disarm, 4)
             ? PM4D_DIRECT_OK
             : range_refused(d, i, "fallback switch", job->disarm_memory, job->disarm, 4, reason,
                             rs);
}

/* pm4d_direct_test_bad_address: the job's output one byte past the end of its memory. */
static void move_output(const struct pm4d_direct *d, const struct pm4d_direct_plan *pl,
                        struct pm4d_job *job)
{
   const struct pm4d_direct_memory *m = pm4d_direct_memory_find_locked(d, job->memory_ids[3]);
   if (m)
      job->addr.output = m->base + m->size - pl->bytes[3] + 1;
}

/* Checks one job: shape, kernel, and that every buffer and its fallback switch lie inside the
 * registered memory the job names (`moved`: its output moved out first, a test's bad address).
 * Called with d->mem_lock held for reading. */
static enum pm4d_direct_status plan_job(struct pm4d_direct_queue *q, const struct pm4d_job *job,
                                        bool moved, uint32_t i, char *reason, size_t rs)
{
   struct pm4d_direct *d = q->d;
   struct pm4d_direct_plan *pl = &q->plan[i];
   enum pm4d_direct_status st = plan_shape(d, pl, &job->params, i, reason, rs);
   struct pm4d_job bad;
   if (st == PM4D_DIRECT_OK && moved) {
      bad = *job;
      move_output(d, pl, &bad);
      job = &bad;
   }
   if (st != PM4D_DIRECT_OK || ranges_same(d, pl, job))
      return st;
   st = plan_ranges(d, pl, job, i, reason, rs);
   pl->ranges_ok = st == PM4D_DIRECT_OK;
   if (pl->ranges_ok) {
      pl->mem_changes = d->mem_changes;
      pl->addr = job->addr;
      memcpy(pl->memory_ids, job->memory_ids, sizeof(pl->memory_ids));
      pl->disarm = job->disarm;
      pl->disarm_memory = job->disarm_memory;
   }
   return st;
}

/* Plan: the batch's arguments and every job checked, each job's kernel and grid chosen, the
 * batch's dwords and FLOPs summed. UNSUPPORTED: the caller runs the jobs through the driver. */
static enum pm4d_direct_status submit_plan(struct pm4d_direct_queue *q, struct submission *s)
{
   struct pm4d_direct *d = q->d;
   char *rs = s->reason;
   size_t rn = s->reason_size;
   if (!s->jobs || s->count == 0)
      return pm4d_fail(rs, rn, PM4D_DIRECT_UNSUPPORTED, "empty batch");
   if (s->count > q->max_jobs)
      return pm4d_fail(rs, rn, PM4D_DIRECT_UNSUPPORTED,
                       "batch of %" PRIu32 " jobs: the ring takes at most %" PRIu32, s->count,
                       q->max_jobs);
   if (s->signal_point <= s->wait_point)
      return pm4d_fail(rs, rn, PM4D_DIRECT_UNSUPPORTED, "signal point must follow the wait point");

   enum pm4d_direct_status st = PM4D_DIRECT_OK;
   /* The first dispatch goes without the barrier that plan's dispatch_dw counts. */
   s->ndw = d->head_dw + d->tail.ndw - pm4d_builder_barrier_dw(&d->builder);
   uint32_t bad = UINT32_MAX; /* pm4d_direct_test_bad_address: which job of these it hits */
   if (d->test_bad_job) {
      uint32_t seen = atomic_fetch_add_explicit(&d->test_jobs, s->count, memory_order_relaxed);
      if (d->test_bad_job > seen && d->test_bad_job - seen <= s->count)
         bad = d->test_bad_job - seen - 1;
   }
   pthread_rwlock_rdlock(&d->mem_lock);
   for (uint32_t i = 0; i < s->count && st == PM4D_DIRECT_OK; i++) {
      st = plan_job(q, &s->jobs[i], i == bad, i, rs, rn);
      if (st == PM4D_DIRECT_OK) {
         s->flops += q->plan[i].flops;
         s->ndw +=
            q->plan[i].kernel->dispatch_dw + pm4d_direct_disarm_dw(d, &s->jobs[i], i, s->count);
      }
   }
   pthread_rwlock_unlock(&d->mem_lock);
   return st;
}

/* Kernarg space for `bytes` contiguous bytes: its offset, or UINT64_MAX when the arena is
 * still in use. Sets *end to the new write position. */
static uint64_t kernarg_take(struct pm4d_direct_queue *q, uint64_t bytes, uint64_t *end)
{
   uint64_t pos = q->kernarg_write;
   uint64_t off = pos % q->kernarg_bytes;
   if (off + bytes > q->kernarg_bytes)
      pos += q->kernarg_bytes - off; /* never straddle the end */
   if (pos + bytes - atomic_load_explicit(&q->kernarg_retired, memory_order_acquire) >
       q->kernarg_bytes)
      return UINT64_MAX;
   *end = pos + bytes;
   return pos % q->kernarg_bytes;
}

/* Reserve: a batch slot, kernarg slots and ring dwords; each waits for the watchdog to retire
 * older batches until the deadline. RING_FULL after it (back pressure, not a failure). */
static enum pm4d_direct_status submit_reserve(struct pm4d_direct_queue *q, struct submission *s)
{
   struct pm4d_direct *d = q->d;
   /* Every batch padded to the IB alignment, so each one also starts on it. */
   s->ndw = pm4d_direct_batch_dw(d, s->ndw);
   uint64_t deadline = pm4d_clock_now_ns() + d->deadline_base_ns;
   for (;;) {
      uint32_t seen = atomic_load(&d->event);
      pthread_mutex_lock(&q->mu);
      bool slot = q->count < d->max_inflight;
      pthread_mutex_unlock(&q->mu);
      if (slot && (s->ka_off = kernarg_take(q, (uint64_t)s->count * PM4D_DIRECT_KERNARG_SLOT,
                                            &s->ka_end)) != UINT64_MAX)
         break;
      if (pm4d_clock_now_ns() >= deadline)
         return pm4d_fail(s->reason, s->reason_size, PM4D_DIRECT_RING_FULL,
                          "%s stayed full past the deadline (%" PRIu32 " batches in flight)",
                          slot ? "kernarg arena" : "batch list", d->max_inflight);
      pm4d_direct_event_wait(d, seen, deadline);
   }
   if (pm4d_ring_reserve(q->ring, s->ndw, deadline, &s->dw, s->reason, s->reason_size) !=
       PM4D_RING_OK)
      return PM4D_DIRECT_RING_FULL;
   return PM4D_DIRECT_OK;
}

/* Build, in place in the ring: the head, per job its kernargs packed into the arena and its
 * dispatch from its kernel's template (the builder when there is none), the tail with the
 * fence, the NOP padding to the IB alignment. INVALID when a dispatch cannot be built. */
static enum pm4d_direct_status submit_build(struct pm4d_direct_queue *q, struct submission *s)
{
   struct pm4d_direct *d = q->d;
   struct pm4d_cs cs;
   char why[PM4D_PM4_REASON_MAX]; /* filled only on a refusal: not cleared on the hot path */
   pm4d_cs_init(&cs, s->dw, s->ndw);
   memcpy(s->dw, d->head, d->head_dw * 4u);
   cs.cdw = d->head_dw;
   uint8_t *ka = (uint8_t *)q->kernargs.cpu + s->ka_off;
   /* For the per-batch check (pm4d_direct_batch.c), what is written XORs to, added up as it is
    * written: head and tail (their fixed dwords and the fence address: q->batch_xor), the
    * fence value, per dispatch copied from a template its fixed dwords and patches, per
    * fallback switch its fixed dwords and address. */
   uint32_t expect = q->batch_xor ^ (uint32_t)s->signal_point ^ (uint32_t)(s->signal_point >> 32);
   for (uint32_t i = 0; i < s->count; i++) {
      const struct pm4d_direct_plan *pl = &q->plan[i];
      const struct pm4d_template *t = pl->kernel->tmpl;
      uint64_t ka_addr = q->kernargs.addr + s->ka_off + (uint64_t)i * PM4D_DIRECT_KERNARG_SLOT;
      pm4d_conv2d_pack_kernargs(&pl->params, &s->jobs[i].addr,
                                ka + (size_t)i * PM4D_DIRECT_KERNARG_SLOT,
                                PM4D_DIRECT_KERNARG_SLOT);
      /* The previous job's fallback switch goes after the barrier this dispatch needs, before
       * anything of this job can run: a job that may have started has its predecessor
       * disarmed (ping-pong buffers: this one may overwrite that one's input). */
      bool after_switch = i > 0 && s->jobs[i - 1].disarm;
      if (after_switch) {
         cs.cdw += pm4d_direct_disarm_copy(&d->disarm[0], s->dw + cs.cdw, s->jobs[i - 1].disarm);
         if (PM4D_DIRECT_VALIDATE)
            expect ^= pm4d_direct_disarm_xor(&d->disarm[0], s->jobs[i - 1].disarm);
      }
      /* after a switch (which holds the barrier) a dispatch goes in its first form */
      bool first = i == 0 || after_switch;
      if (pm4d_emit_dispatch(&d->builder, t, pl->kernel->desc, pl->kernel->program, ka_addr,
                             pl->grid, first, &cs, &s->paths, why, sizeof(why)) != PM4D_OK)
         return pm4d_fail(s->reason, s->reason_size, PM4D_DIRECT_INVALID, "job %" PRIu32 ": %s", i,
                          why);
      if (PM4D_DIRECT_VALIDATE && t) {
         expect ^= pm4d_template_xor(t, first, ka_addr, pl->grid);
         /* the one launch limit pm4d_builder_check_launch leaves to the validator (which
          * checks it itself on a batch it decodes) */
         if ((uint64_t)pl->grid[0] * pl->grid[1] * pl->grid[2] > q->validator.max_workgroups)
            return pm4d_fail(s->reason, s->reason_size, PM4D_DIRECT_INVALID,
                             "job %" PRIu32 ": oversized grid (more than %" PRIu64 " workgroups)",
                             i, q->validator.max_workgroups);
      }
   }
   uint64_t last_switch = s->jobs[s->count - 1].disarm;
   if (last_switch) { /* the last job's: after a partial flush, before the fence */
      cs.cdw += pm4d_direct_disarm_copy(&d->disarm[1], s->dw + cs.cdw, last_switch);
      if (PM4D_DIRECT_VALIDATE)
         expect ^= pm4d_direct_disarm_xor(&d->disarm[1], last_switch);
   }
   uint32_t built = cs.cdw + pm4d_tail_template_instantiate(&d->tail, s->dw + cs.cdw, q->fence.addr,
                                                            s->signal_point);
   s->built = (struct pm4d_direct_built){s->jobs, s->count,
                                         expect ^ pm4d_direct_batch_pad(d, s->dw, built, s->ndw),
                                         s->paths.dynamic_dispatches == 0};
   return PM4D_DIRECT_OK;
}

/* Validate, always, before anything can run the batch (pm4d_direct_batch.c): against what
 * was validated at device creation, or through the full validator. INVALID when refused. */
static enum pm4d_direct_status submit_validate(struct pm4d_direct_queue *q, struct submission *s)
{
   if (!PM4D_DIRECT_VALIDATE)
      return PM4D_DIRECT_OK; /* scripts/bench-validation's reference build only */
   return pm4d_direct_batch_validate(q, s->dw, s->ndw, &s->built, s->reason, s->reason_size);
}

/* A batch refused after its jobs were accepted (ring full, validation, kick refused): counted,
 * a diagnostics event, and a failure for auto-disable unless the ring was only full (back
 * pressure from a burst, not a broken path). pm4: the built batch, NULL when there is none. */
static enum pm4d_direct_status refuse(struct pm4d_direct_queue *q, const struct submission *s,
                                      enum pm4d_direct_status st, const char *kind,
                                      const uint32_t *pm4)
{
   const struct pm4d_direct_batch b = {.jobs = (struct pm4d_job *)s->jobs,
                                       .count = s->count,
                                       .wait_point = s->wait_point,
                                       .signal_point = s->signal_point};
   pthread_mutex_lock(&q->mu);
   q->stats.ring_full += st == PM4D_DIRECT_RING_FULL;
   q->stats.validation_failures += st == PM4D_DIRECT_INVALID;
   pthread_mutex_unlock(&q->mu);
   if (st == PM4D_DIRECT_RING_FULL)
      pm4d_counter_inc(PM4D_CTR_direct_ring_full);
   else
      pm4d_autodisable_note(false);
   if (st == PM4D_DIRECT_INVALID)
      pm4d_counter_inc(PM4D_CTR_direct_validation_failures);
   pm4d_direct_diag(q, kind, s->reason ? s->reason : "",
                    "this batch was not kicked; its jobs run "
                    "through the driver (fallback command buffers)",
                    pm4, pm4 ? s->ndw : 0, &b, 1);
   return st;
}

/* Commit, under the queue lock: the kick, then the ring, the kernarg arena and the batch
 * record (its jobs copied into the records of its kernarg slots), and the counters. A batch
 * whose kick would block in the kernel (the back end's `ready`: its wait point has no fence
 * attached yet), and any batch behind a queued one (order), is recorded as queued instead: the
 * watchdog kicks it (kick_deferred in pm4d_direct_watchdog.c). FAILED while the queue resets
 * or closes, or when the back end refuses the kick. */
static enum pm4d_direct_status submit_commit(struct pm4d_direct_queue *q, struct submission *s)
{
   struct pm4d_direct *d = q->d;
   uint64_t ib =
      q->ring_addr ? q->ring_addr + (uint64_t)(s->dw - pm4d_ring_ptr(q->ring, 0)) * 4u : 0;
   /* A look, no wait (the app's queue lock is held), outside the queue lock the watchdog
    * takes; none while a batch is queued (this one queues behind it). */
   bool defer = atomic_load(&q->deferred) != 0 ||
                (d->ops->ready && !d->ops->ready(&q->bq, &s->wait_point, 1, 0));
   pthread_mutex_lock(&q->mu);
   if (q->resetting || q->closing) {
      pthread_mutex_unlock(&q->mu);
      return pm4d_fail(s->reason, s->reason_size, PM4D_DIRECT_FAILED,
                       "the queue is being reset or destroyed");
   }
   /* the watchdog may have kicked the queued ones since the look: this one still waits for
    * its next look (only this thread adds queued batches) */
   defer |= atomic_load(&q->deferred) != 0;
   enum pm4d_direct_status st = defer ? PM4D_DIRECT_OK
                                      : d->ops->kick(q->bq, s->dw, ib, s->ndw, s->jobs, s->count,
                                                     s->wait_point, s->signal_point);
   if (st != PM4D_DIRECT_OK) {
      pthread_mutex_unlock(&q->mu);
      pm4d_reason_set(s->reason, s->reason_size, "the %s back end refused the kick", d->ops->name);
      /* RING_FULL from a back end is back pressure (counted as a full ring), not a failure of
       * the path. */
      if (st == PM4D_DIRECT_RING_FULL)
         return refuse(q, s, PM4D_DIRECT_RING_FULL, "ring_full", s->dw);
      return refuse(q, s, PM4D_DIRECT_FAILED, "kick_refused", s->dw);
   }
   uint64_t t_kick = 0; /* 0: not timed (a queued batch is not: its kick comes later) */
   if (s->timed && !defer) {
      t_kick = pm4d_clock_now_ns();
      pm4d_hist_record(PM4D_HIST_submit_to_kick, t_kick - s->t_submit);
   }
   pm4d_ring_commit(q->ring, s->ndw);
   q->kernarg_write = s->ka_end;
   struct pm4d_job *jobs = &q->job_records[s->ka_off / PM4D_DIRECT_KERNARG_SLOT];
   memcpy(jobs, s->jobs, s->count * sizeof(*jobs));
   /* The watchdog looks on a tick while batches are in flight; it needs waking only for the
    * first (saves a futex syscall per submission in a burst), and for a queued one. */
   bool wake = q->count == 0 || defer;
   struct pm4d_direct_batch *b = &q->batches[(q->head + q->count++) % PM4D_DIRECT_MAX_INFLIGHT];
   *b = (struct pm4d_direct_batch){
      .jobs = jobs,
      .count = s->count,
      .wait_point = s->wait_point,
      .signal_point = s->signal_point,
      .ring_end = pm4d_ring_published(q->ring),
      .kernarg_end = s->ka_end,
      .queued = defer,
      .ib = ib,
      .ndw = s->ndw,
      .kick_ns = t_kick,
      .budget_ns = d->deadline_base_ns + s->flops * d->ops->ps_per_flop / 1000u,
   };
   if (defer) {
      atomic_fetch_add(&q->deferred, 1);
      pm4d_counter_inc(PM4D_CTR_direct_kicks_deferred);
   }
   q->stats.batches++;
   q->stats.jobs += s->count;
   atomic_fetch_add_explicit(&d->kicks, 1, memory_order_relaxed); /* for the fault look */
   for (uint32_t i = 0; i < s->count; i++)
      pm4d_counter_inc(variant_counter[q->plan[i].kernel - d->kernels]);
   q->stats.template_dispatches += s->paths.template_dispatches;
   q->stats.dynamic_dispatches += s->paths.dynamic_dispatches;
   uint64_t used = b->ring_end - pm4d_ring_read_pos(q->ring);
   if (used > q->stats.ring_high_water_dw)
      q->stats.ring_high_water_dw = used;
   pthread_mutex_unlock(&q->mu);
   if (wake)
      pm4d_direct_event_bump(d);
   return PM4D_DIRECT_OK;
}

/* Allocates nothing: the plan, the job records and the ring are the queue's. */
enum pm4d_direct_status pm4d_direct_submit(struct pm4d_direct_queue *q, const struct pm4d_job *jobs,
                                           uint32_t count, uint64_t wait_point,
                                           uint64_t signal_point, char *reason, size_t reason_size)
{
   struct submission s = {.jobs = jobs,
                          .count = count,
                          .wait_point = wait_point,
                          .signal_point = signal_point,
                          .reason = reason,
                          .reason_size = reason_size};
   /* One submission in PM4D_DIRECT_TIMING_EVERY is timed for the latency histograms: two
    * clock reads and a histogram update on each would add ~2 % to the path's instructions. */
   s.timed = PM4D_DIRECT_SAFETY && q->submits++ % PM4D_DIRECT_TIMING_EVERY == 0;
   s.t_submit = s.timed ? pm4d_clock_now_ns() : 0;
   if (PM4D_DIRECT_SAFETY && pm4d_autodisable_active())
      return pm4d_fail(reason, reason_size, PM4D_DIRECT_UNAVAILABLE,
                       "the direct path is auto-disabled: %s", pm4d_autodisable_process()->why);

   enum pm4d_direct_status st = submit_plan(q, &s);
   if (st != PM4D_DIRECT_OK)
      return st;
   st = submit_reserve(q, &s);
   if (st != PM4D_DIRECT_OK)
      return refuse(q, &s, st, "ring_full", NULL);
   st = submit_build(q, &s);
   if (st == PM4D_DIRECT_OK)
      st = submit_validate(q, &s);
   if (st != PM4D_DIRECT_OK)
      return refuse(q, &s, st, "validation", s.dw);
   return submit_commit(q, &s);
}
