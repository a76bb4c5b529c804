/* The watchdog thread of a device: retires completed batches, starts each batch's deadline once
 * its wait point is reached, and on a missed deadline or a device fault resets the queue's back
 * end and hands every unfinished batch to the layer's batch_failed, in order. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_alloc.h"
#include "pm4d_autodisable.h"
#include "pm4d_counters.h"
#include "pm4d_direct_internal.h"
#include "pm4d_histogram.h"
#include "pm4d_log.h"

#define IDLE_NS 1000000000ull

struct pm4d_direct_failed {
   struct pm4d_direct_queue *q; /* kept alive by q->reporting until the report is done */
   void *queue_user;
   struct pm4d_direct_batch batches[PM4D_DIRECT_MAX_INFLIGHT];
   uint32_t count;
   char reason[PM4D_DIRECT_REASON_MAX];
};

/* A batch whose fence arrived: latency and success recorded. */
static void completed(struct pm4d_direct_batch *b, uint64_t now)
{
   if (b->kick_ns)
      pm4d_hist_record(PM4D_HIST_kick_to_fence, now - b->kick_ns);
   pm4d_counter_add(PM4D_CTR_direct_jobs_completed, b->count);
   pm4d_autodisable_note(true);
}

/* Gives a finished (or failed) batch's ring and kernarg space back. q->mu held. */
static void retire_head(struct pm4d_direct_queue *q)
{
   struct pm4d_direct_batch *b = &q->batches[q->head];
   pm4d_ring_retire(q->ring, b->ring_end);
   atomic_store_explicit(&q->kernarg_retired, b->kernarg_end, memory_order_release);
   q->head = (q->head + 1) % PM4D_DIRECT_MAX_INFLIGHT;
   q->count--;
}

static uint64_t fence_value(const struct pm4d_direct_queue *q)
{
   return atomic_load_explicit((_Atomic uint64_t *)q->fence.cpu, memory_order_acquire);
}

/* RESET_OTHER: another context's hang reset the GPU (amdgpu, QUERY2 RESET without GUILTY):
 * our batches in flight are lost, but that is no failure of this path (not toward auto-disable).
 * KICK_REFUSED: the back end refused a deferred kick (kick_deferred). BACK_PRESSURE: it kept
 * refusing one as RING_FULL past the base deadline (a full ring: not toward auto-disable).
 */
enum cause { HANG, FAULT, RESET_OTHER, CLOSED, KICK_REFUSED, BACK_PRESSURE };

/* Moves what did not complete into *f: with ended UINT64_MAX every unfinished batch, after
 * the queue's back end is reset for good; else only the batch that signals point ended: one
 * the kernel has ended without success whatever the shared fence says (a later batch on a
 * renewed context writes it too), so that a batch the kernel still runs is never also run by
 * its fallback (later ones get their own verdict on later ticks), or a queued one whose
 * deferred kick was refused. The failed batches keep their ring and kernarg space until they
 * are reported and the back end says they are over (watch_queue retires them); a failed batch
 * never kicked leaves the queued ones (its point is the direct path's to signal). */
static void recover(struct pm4d_direct *d, struct pm4d_direct_queue *q, enum cause cause,
                    uint64_t ended, struct pm4d_direct_failed *f)
{
   char why[PM4D_DIRECT_REASON_MAX / 2] = "";
   bool whole = ended == UINT64_MAX; /* the whole queue fails: its back end is reset */
   enum pm4d_direct_status reset = PM4D_DIRECT_OK;
   if (whole) {
      pthread_mutex_lock(&q->mu);
      q->resetting = true; /* no kick while the back end resets */
      pthread_mutex_unlock(&q->mu);
      reset = d->ops->reset(q->bq, why, sizeof(why));
   }

   pthread_mutex_lock(&q->mu);
   uint64_t fence = fence_value(q);
   f->q = q;
   f->queue_user = q->user;
   f->count = 0;
   q->reporting = true;
   for (uint32_t i = 0; i < q->count; i++) {
      struct pm4d_direct_batch *b = &q->batches[(q->head + i) % PM4D_DIRECT_MAX_INFLIGHT];
      if (!b->failed && (whole ? fence < b->signal_point : b->signal_point == ended)) {
         b->failed = true; /* completed ones retire as usual */
         if (b->queued)
            atomic_fetch_sub(&q->deferred, 1);
         /* A destroyed queue still signals (sim) a failed batch's point should its wait point
          * come within this; after it the point is left unsignalled. */
         b->deadline_ns = pm4d_clock_now_ns() + d->deadline_base_ns;
         f->batches[f->count++] = *b;
         q->failed_held++;
      }
   }
   if (reset != PM4D_DIRECT_OK) {
      size_t len = strlen(f->reason);
      snprintf(f->reason + len, sizeof(f->reason) - len, " (reset refused: %s)", why);
   }
   if (f->count) {
      /* The failing batch's dwords are still in the ring. */
      static const char *const kinds[] = {[HANG] = "hang",
                                          [FAULT] = "fault",
                                          [RESET_OTHER] = "reset_by_other",
                                          [CLOSED] = "queue_destroyed",
                                          [KICK_REFUSED] = "kick_refused",
                                          [BACK_PRESSURE] = "ring_full"};
      char action[160];
      snprintf(action, sizeof(action),
               "%sthe %" PRIu32 " unfinished batches' jobs run "
               "through the driver (fallback command buffers), in order",
               whole ? "the queue's back end was reset; " : "", f->count);
      const struct pm4d_direct_batch *b = &f->batches[0];
      pm4d_direct_diag(q, kinds[cause], f->reason, action,
                       pm4d_ring_ptr(q->ring, b->ring_end - b->ndw), b->ndw, f->batches, f->count);
   }
   for (uint32_t i = 0; i < f->count && (cause == HANG || cause == FAULT || cause == KICK_REFUSED);
        i++)
      pm4d_autodisable_note(false);
   q->stats.ring_full += cause == BACK_PRESSURE;
   q->resetting = false;
   atomic_store(&q->fault_pending, 0);
   pthread_mutex_unlock(&q->mu);
   d->stats.faults += cause == FAULT;
   d->stats.hangs += cause == HANG;
   d->stats.resets += whole;
   pm4d_counter_add(PM4D_CTR_direct_faults, cause == FAULT);
   pm4d_counter_add(PM4D_CTR_direct_hangs, cause == HANG);
   pm4d_counter_add(PM4D_CTR_direct_resets, whole);
}

/* The deferred kicks (the watchdog is their kicker): queued batches in order, each once the
 * back end's `ready` says its wait point has a fence attached (a look here; watchdog_main's
 * sleep waits for it). The CS goes out with no queue lock held (d->mu is held, as for the
 * status query: a CS whose wait point is attached does not block): the submitting thread queues
 * behind while q->deferred is non-zero, so the kicks stay in order. A kick refused as RING_FULL
 * is back pressure: the batch stays queued and is tried again on a later look (a tick), until
 * the base deadline from the first refusal (*cause BACK_PRESSURE after it). Returns the signal
 * point of a batch whose kick the back end refused for good, with the reason in f and the cause
 * in *cause (0: none). d->mu held. */
static uint64_t kick_deferred(struct pm4d_direct *d, struct pm4d_direct_queue *q,
                              struct pm4d_direct_failed *f, enum cause *cause)
{
   for (;;) {
      pthread_mutex_lock(&q->mu);
      uint32_t queued = atomic_load(&q->deferred);
      if (!queued || q->closing || q->resetting) {
         pthread_mutex_unlock(&q->mu);
         return 0;
      }
      struct pm4d_direct_batch *b =
         &q->batches[(q->head + q->count - queued) % PM4D_DIRECT_MAX_INFLIGHT];
      const struct pm4d_direct_batch k = *b; /* stays put: only this thread retires */
      pthread_mutex_unlock(&q->mu);
      if (!d->ops->ready(&q->bq, &k.wait_point, 1, 0))
         return 0;
      enum pm4d_direct_status st =
         d->ops->kick(q->bq, pm4d_ring_ptr(q->ring, k.ring_end - k.ndw), k.ib, k.ndw, k.jobs,
                      k.count, k.wait_point, k.signal_point);
      if (st == PM4D_DIRECT_RING_FULL) {
         uint64_t now = pm4d_clock_now_ns();
         pthread_mutex_lock(&q->mu);
         if (!b->pressure_until_ns)
            b->pressure_until_ns = now + d->deadline_base_ns;
         bool over = now >= b->pressure_until_ns;
         pthread_mutex_unlock(&q->mu);
         if (!over)
            return 0; /* still queued: watch_queue looks again within a tick */
      }
      if (st != PM4D_DIRECT_OK) {
         *cause = st == PM4D_DIRECT_RING_FULL ? BACK_PRESSURE : KICK_REFUSED;
         snprintf(f->reason, sizeof(f->reason),
                  "the %s back end refused the deferred kick of batch %" PRIu64 "->%" PRIu64
                  " (%s%s): never kicked, its point signalled by the direct path after %" PRIu64,
                  d->ops->name, k.wait_point, k.signal_point, pm4d_direct_status_name(st),
                  st == PM4D_DIRECT_RING_FULL ? ", past the base deadline" : "", k.wait_point);
         return k.signal_point;
      }
      pthread_mutex_lock(&q->mu);
      b->queued = false;
      atomic_fetch_sub(&q->deferred, 1);
      pthread_mutex_unlock(&q->mu);
   }
}

/* Looks at one queue's oldest batches. Returns true when it found a hang or fault and filled
 * *f; otherwise lowers *wake to when it must look again. d->mu held. */
static bool watch_queue(struct pm4d_direct *d, struct pm4d_direct_queue *q, uint64_t now,
                        uint64_t *wake, struct pm4d_direct_failed *f)
{
   if (atomic_load(&q->fault_pending)) {
      snprintf(f->reason, sizeof(f->reason), "device fault: %s", q->fault_reason);
      recover(d, q, FAULT, UINT64_MAX, f);
      return true;
   }
   /* The back end's word, asked with no lock held: a reset the device reports (back ends
    * without interrupts) and which failed batches are over. */
   struct pm4d_direct_backend_state state = {0};
   char why[PM4D_DIRECT_REASON_MAX / 2] = "";
   bool known = false;
   if (q->failed_held || !d->ops->interrupts)
      known = d->ops->status(q->bq, &state, why, sizeof(why)) == PM4D_DIRECT_OK;
   if (known && state.reset) {
      /* amdgpu_ctx.c amdgpu_ctx_query2: RESET for any GPU reset since the context was made,
       * GUILTY only when this context's job hung (drm_sched_increase_karma). A new context
       * follows either way: a guilty one refuses every later CS (amdgpu_cs.c
       * amdgpu_cs_parser_init, -ECANCELED). A per-queue reset (amdgpu_job_timedout ->
       * amdgpu_ring_reset) sets no GUILTY at all, so which batches failed, and why, is each
       * batch's own verdict below (kernel_signals), not these flags. */
      snprintf(f->reason, sizeof(f->reason), "device reset: %s", why);
      if (state.memory_lost)
         PM4D_LOG_ONCE(PM4D_LOG_WARN,
                       "VRAM lost in a GPU reset: the layer's ring, code and kernargs are GTT "
                       "(pm4d_amdgpu_pool.c) and survive, so nothing is uploaded again and the "
                       "queue goes on with a new context; the app's VRAM contents are gone");
      if (!d->ops->kernel_signals) {
         recover(d, q, state.guilty ? HANG : RESET_OTHER, UINT64_MAX, f);
         return true;
      }
      char renew[PM4D_DIRECT_REASON_MAX / 2] = "";
      if (d->ops->reset(q->bq, renew, sizeof(renew)) != PM4D_DIRECT_OK)
         pm4d_log(PM4D_LOG_WARN, "%s; new context refused: %s", f->reason, renew);
      d->stats.resets++;
      pm4d_counter_inc(PM4D_CTR_direct_resets);
   }
   /* GPU page faults (pm4d_direct_vm_fault.c): looked at once the kernel says more work is
    * over, before any batch of it completes below, so that a faulting batch is still in the
    * list when its fault is read. The kernel records a fault in the interrupt handler before
    * the job's end-of-pipe fence interrupt that follows it in the IH ring. */
   if (known && d->ops->vm_fault && state.settled > q->fault_looked) {
      q->fault_looked = state.settled;
      pm4d_direct_vm_fault_look_locked(d);
   }
   enum cause refusal = KICK_REFUSED;
   uint64_t refused = d->ops->ready ? kick_deferred(d, q, f, &refusal) : 0;
   if (refused) {
      recover(d, q, refusal, refused, f);
      return true;
   }
   bool hang = false, retired = false;
   enum cause cause = HANG;
   uint64_t ended = UINT64_MAX; /* recover fails every unfinished batch, or this one only */
   uint64_t done = 0;           /* the last point of a batch that is over, to signal (sim) */
   uint64_t host = 0;           /* the last failed batch's point the direct path signals */
   pthread_mutex_lock(&q->mu);
   /* Read under the lock the kick takes: a batch kicked (and fenced) after the caller's clock
    * read would otherwise get a negative kick-to-fence time. */
   now = pm4d_clock_now_ns();
   uint64_t fence = fence_value(q);
   /* Failed batches whose point the direct path signals (sim: all, over once reset; amdgpu:
    * those never kicked, which no kernel signals): each after its wait point, in order (the
    * link before may still be pending, and a later value would overtake it;
    * VUID-VkSemaphoreSignalInfo-value-03259), so that the fallbacks behind it run. */
   for (uint32_t i = 0; i < q->count; i++) {
      struct pm4d_direct_batch *b = &q->batches[(q->head + i) % PM4D_DIRECT_MAX_INFLIGHT];
      if (!b->failed)
         break;
      if (b->signalled || (d->ops->kernel_signals && !b->queued))
         continue;
      if (q->bridge.wait(q->bridge.user, b->wait_point, 0) != 0)
         break;
      b->signalled = true;
      host = b->signal_point;
   }
   while (q->count) {
      struct pm4d_direct_batch *b = &q->batches[q->head];
      if (b->failed) {
         /* Its space is reused only once it was reported and the device is done with it (a
          * destroyed queue frees it all: the kernel keeps its own references), and (sim) its
          * point was signalled. */
         bool signalled = (d->ops->kernel_signals && !b->queued) || b->signalled;
         if (b->reported && ((q->closing && (signalled || now >= b->deadline_ns)) ||
                             (known && state.settled >= b->signal_point && signalled))) {
            retire_head(q);
            q->failed_held--;
            retired = true;
            continue;
         }
         *wake = *wake < now + PM4D_DIRECT_TICK_NS ? *wake : now + PM4D_DIRECT_TICK_NS;
         break;
      }
      if (b->queued) { /* not kicked yet (kick_deferred): no deadline runs */
         if (q->closing) {
            snprintf(f->reason, sizeof(f->reason),
                     "queue destroyed before the deferred kick of batch %" PRIu64 "->%" PRIu64,
                     b->wait_point, b->signal_point);
            hang = true;
            cause = CLOSED;
            break;
         }
         *wake = *wake < now + PM4D_DIRECT_TICK_NS ? *wake : now + PM4D_DIRECT_TICK_NS;
         break;
      }
      /* amdgpu: ring and kernargs are reused only once the kernel's fence of the job has
       * signalled the point (drm_syncobj.c drm_syncobj_query; the job's fence follows its IB),
       * not at our own RELEASE_MEM. */
      bool kernel_done = !d->ops->kernel_signals || (known && state.settled >= b->signal_point);
      bool fenced = fence >= b->signal_point;
      if (fenced && kernel_done && d->ops->verdict && b->signal_point <= state.suspect_upto &&
          d->ops->verdict(q->bq, b->signal_point) < 0)
         fenced = false; /* a later batch's fence, not its own */
      if (fenced && !kernel_done) {
         *wake = *wake < now + PM4D_DIRECT_TICK_NS ? *wake : now + PM4D_DIRECT_TICK_NS;
         break;
      }
      if (fenced) {
         completed(b, now);
         done = done > b->signal_point ? done : b->signal_point;
         retire_head(q);
         retired = true;
         continue;
      }
      if (d->ops->kernel_signals && kernel_done) {
         /* The kernel ended the job without our fence: not computed. Its fence error says
          * whose fault: -ETIME its own timeout (amdgpu_job.c amdgpu_job_timedout), a hang of
          * ours; -ECANCELED cancelled by a reset (drm_sched_start, sched_entity.c
          * drm_sched_entity_pop_job), innocent; anything else a fault (a late fence that does
          * signal is success above). */
         int err = d->ops->verdict ? d->ops->verdict(q->bq, b->signal_point) : 0;
         cause = err == -ETIME ? HANG : err == -ECANCELED ? RESET_OTHER : FAULT;
         snprintf(f->reason, sizeof(f->reason),
                  "the kernel ended batch %" PRIu64 "->%" PRIu64 " without its fence (%s)",
                  b->wait_point, b->signal_point,
                  err == -ETIME       ? "timed out: a hang"
                  : err == -ECANCELED ? "cancelled by a reset"
                                      : "no timeout");
         ended = b->signal_point; /* one verdict, one batch: later ones get their own */
         hang = true;
         break;
      }
      if (!b->started) {
         if (q->bridge.wait(q->bridge.user, b->wait_point, 0) != 0) {
            if (q->closing) {
               snprintf(f->reason, sizeof(f->reason),
                        "queue destroyed before wait point %" PRIu64 " was reached", b->wait_point);
               hang = true;
               cause = CLOSED;
               break;
            }
            *wake = *wake < now + PM4D_DIRECT_TICK_NS ? *wake : now + PM4D_DIRECT_TICK_NS;
            break;
         }
         b->started = true;
         b->deadline_ns = now + b->budget_ns;
      }
      if (q->clock_stopped_ns) { /* the back end's model is running: no deadline */
         *wake = *wake < now + PM4D_DIRECT_TICK_NS ? *wake : now + PM4D_DIRECT_TICK_NS;
         break;
      }
      if (now >= b->deadline_ns && d->ops->kernel_signals && q->closing) {
         snprintf(f->reason, sizeof(f->reason),
                  "queue destroyed with batch %" PRIu64 "->%" PRIu64 " past its deadline",
                  b->wait_point, b->signal_point);
         hang = true;
         cause = CLOSED;
         break;
      }
      if (now >= b->deadline_ns && d->ops->kernel_signals) {
         /* amdgpu: the kernel decides (its compute job timeout, 10 s on current kernels); our
          * deadline only says so once. A reset of our own now would free the context and kill
          * its queued jobs while the late one may still complete. */
         if (!b->overdue)
            pm4d_log(PM4D_LOG_WARN,
                     "batch %" PRIu64 "->%" PRIu64 " is past its %.1f ms deadline; waiting for "
                     "the kernel's outcome",
                     b->wait_point, b->signal_point, b->budget_ns / 1e6);
         b->overdue = true;
         *wake = *wake < now + PM4D_DIRECT_TICK_NS ? *wake : now + PM4D_DIRECT_TICK_NS;
         break;
      }
      if (now >= b->deadline_ns) {
         snprintf(f->reason, sizeof(f->reason),
                  "hang: batch %" PRIu64 "->%" PRIu64 " (%" PRIu32 " jobs) missed its %.1f ms "
                  "deadline (fence %" PRIu64 ")",
                  b->wait_point, b->signal_point, b->count, b->budget_ns / 1e6, fence);
         hang = true;
         break;
      }
      uint64_t next = d->ops->interrupts ? b->deadline_ns : now + PM4D_DIRECT_TICK_NS;
      if (next > b->deadline_ns)
         next = b->deadline_ns;
      *wake = *wake < next ? *wake : next;
      break;
   }
   pthread_mutex_unlock(&q->mu);
   if (host)
      pm4d_direct_queue_host_signal(q, host);
   if (done) /* one signaller, in order (a completion whose interrupt a reset cut off too) */
      pm4d_direct_queue_point_done(q, done);
   if (retired)
      pm4d_direct_event_bump(d); /* a submitter may wait for the space */
   if (hang)
      recover(d, q, cause, ended, f);
   return hang;
}

static void report(struct pm4d_direct *d, struct pm4d_direct_failed *f)
{
   struct pm4d_direct_queue *q = f->q;
   for (uint32_t i = 0; i < f->count; i++) {
      struct pm4d_direct_batch *b = &f->batches[i];
      d->cb.batch_failed(d->cb.user, f->queue_user, b->jobs, b->count, b->wait_point,
                         b->signal_point, f->reason);
   }
   /* The failed batches are still in the list (watch_queue retires them, this thread only). */
   pthread_mutex_lock(&q->mu);
   for (uint32_t i = 0; i < q->count; i++) {
      struct pm4d_direct_batch *b = &q->batches[(q->head + i) % PM4D_DIRECT_MAX_INFLIGHT];
      b->reported |= b->failed;
   }
   q->reporting = false;
   pthread_mutex_unlock(&q->mu);
}

/* The queued batches the watchdog sleeps for: each queue's next deferred kick, with its wait
 * point, all in one wait of the back end's `ready` (no event says when the kernel attaches a
 * fence), so that whichever point comes first is kicked at once, on any queue. A queue whose
 * kick met back pressure is left to the tick (its point is attached already), and queues past
 * PM4D_DIRECT_WAIT_QUEUES too. Returns how many. d->mu held. */
static uint32_t deferred_wait_points(struct pm4d_direct *d, void **bqs, uint64_t *points)
{
   uint32_t n = 0;
   for (struct pm4d_direct_queue *q = d->queues; q && n < PM4D_DIRECT_WAIT_QUEUES; q = q->next) {
      pthread_mutex_lock(&q->mu);
      uint32_t queued = atomic_load(&q->deferred);
      if (queued && !q->closing) {
         const struct pm4d_direct_batch *b =
            &q->batches[(q->head + q->count - queued) % PM4D_DIRECT_MAX_INFLIGHT];
         if (!b->pressure_until_ns) {
            bqs[n] = q->bq;
            points[n++] = b->wait_point;
         }
      }
      pthread_mutex_unlock(&q->mu);
   }
   return n;
}

static void *watchdog_main(void *arg)
{
   struct pm4d_direct *d = arg;
   struct pm4d_direct_failed *f = d->failed;
   void *bqs[PM4D_DIRECT_WAIT_QUEUES];
   uint64_t points[PM4D_DIRECT_WAIT_QUEUES];
   pthread_mutex_lock(&d->mu);
   while (!d->stop) {
      uint32_t seen = atomic_load(&d->event);
      uint64_t now = pm4d_clock_now_ns(), wake = now + IDLE_NS;
      bool failed = false;
      for (struct pm4d_direct_queue *q = d->queues; q && !failed; q = q->next)
         failed = watch_queue(d, q, now, &wake, f);
      uint32_t waiting = failed ? 0 : deferred_wait_points(d, bqs, points);
      pthread_mutex_unlock(&d->mu);
      if (failed) {
         report(d, f); /* no lock held: the layer may call back into the direct path */
         pm4d_direct_event_bump(d);
      } else if (!waiting || !d->ops->ready(bqs, points, waiting, wake)) {
         /* a queue with a queued batch stays until it is kicked or failed: this thread does */
         pm4d_direct_event_wait(d, seen, wake);
      }
      pthread_mutex_lock(&d->mu);
   }
   pthread_mutex_unlock(&d->mu);
   return NULL;
}

enum pm4d_direct_status pm4d_direct_watchdog_start(struct pm4d_direct *d)
{
   d->failed = pm4d_malloc(sizeof(*d->failed));
   if (!d->failed)
      return PM4D_DIRECT_NOMEM;
   if (pthread_create(&d->watchdog, NULL, watchdog_main, d) != 0)
      return PM4D_DIRECT_FAILED;
   d->watchdog_running = true;
   return PM4D_DIRECT_OK;
}

void pm4d_direct_watchdog_stop(struct pm4d_direct *d)
{
   if (!d->watchdog_running) {
      free(d->failed);
      d->failed = NULL;
      return;
   }
   pthread_mutex_lock(&d->mu);
   d->stop = true;
   pthread_mutex_unlock(&d->mu);
   pm4d_direct_event_bump(d);
   pthread_join(d->watchdog, NULL);
   d->watchdog_running = false;
   free(d->failed);
   d->failed = NULL;
}
