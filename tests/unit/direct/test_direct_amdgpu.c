/* The direct path over the amdgpu back end, with the libdrm recorder of tests/unit/amdgpu in
 * place of the kernel (no AMD GPU here): the device is probed and the gfx1030 kernels
 * uploaded; a submission becomes one validated IB that runs in place from the direct path's
 * ring (a 32 KiB GTT BO, no copy), with a BO list of every BO alive (code, ring, kernarg arena,
 * fence, the exported buffer the job uses; not the always-valid one), each exactly once, and the bridge points in its
 * chunks; nothing writes the fence: past its deadline the batch is only overdue, and once the
 * kernel signals its point without our fence it is failed once and the context made anew; a
 * GPU reset the kernel reports (AMDGPU_CTX_QUERY2) fails the next batch, counted toward
 * auto-disable only when GUILTY (our own hang), not for another context's; at most 32 batches
 * in flight (the kernel's per-context job limit), the 33rd back pressure; an unknown PCI address is
 * UNAVAILABLE with a reason. Then, on a fresh device, deferred kicks (deferred_kicks below). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "pm4d_autodisable.h"
#include "pm4d_direct.h"
#include "pm4d_direct_test.h"
#include "pm4d_counters.h"
#include "pm4d_drm_recorder.h"
#include "pm4d_check.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static uint32_t failed;
static uint64_t failed_signal;
static uint64_t failed_points[16]; /* each report's signal point, in order */
static char failed_reason[320];
/* Non-zero: the app's host signal of this bridge value, armed by the next batch_failed report
 * and arriving after the direct path has first looked for it (a queue destroyed while its
 * queued batch's wait point is pending). */
static uint64_t app_signal_on_failure, app_signal_armed;
static uint32_t app_signal_looks;
/* The direct path's host signals of bridge points (batches never kicked), with the bridge's
 * value when each came: one below the batch's wait point breaks
 * VUID-VkSemaphoreSignalInfo-value-03259. */
static struct {
   uint64_t point, value_before;
} host_signals[8];
static uint32_t host_signal_count;

static void batch_failed(void *user, void *queue_user, const struct pm4d_job *jobs, uint32_t count,
                         uint64_t wait_point, uint64_t signal_point, const char *reason)
{
   (void)user, (void)queue_user, (void)jobs, (void)count, (void)wait_point;
   pthread_mutex_lock(&mu);
   if (failed < 16)
      failed_points[failed] = signal_point;
   failed++;
   failed_signal = signal_point;
   snprintf(failed_reason, sizeof(failed_reason), "%s", reason);
   if (app_signal_on_failure)
      app_signal_armed = app_signal_on_failure;
   app_signal_on_failure = 0;
   pthread_cond_broadcast(&cv);
   pthread_mutex_unlock(&mu);
}

/* The bridge as the kernel holds it: the recorder's timeline value. */
static int bridge_wait(void *user, uint64_t point, uint64_t timeout_ns)
{
   (void)user, (void)timeout_ns;
   pthread_mutex_lock(&mu);
   if (app_signal_armed && point == app_signal_armed && ++app_signal_looks > 1) {
      rec.timeline_value = app_signal_armed;
      app_signal_armed = 0;
   }
   pthread_mutex_unlock(&mu);
   return point <= rec.timeline_value ? 0 : 1;
}

/* amdgpu signals kicked batches' points in the kernel; the direct path signals only those of
 * batches never kicked. Recorded; the timeline moves as vkSignalSemaphore moves it. */
static int bridge_signal(void *user, uint64_t point)
{
   (void)user;
   pthread_mutex_lock(&mu);
   if (host_signal_count < 8) {
      host_signals[host_signal_count].point = point;
      host_signals[host_signal_count].value_before = rec.timeline_value;
   }
   host_signal_count++;
   rec.timeline_value = point;
   pthread_cond_broadcast(&cv);
   pthread_mutex_unlock(&mu);
   return 0;
}

/* Waits up to 5 s for *what (under mu) to reach n. */
static bool wait_count(const uint32_t *what, uint32_t n)
{
   struct timespec ts;
   clock_gettime(CLOCK_REALTIME, &ts);
   ts.tv_sec += 5;
   pthread_mutex_lock(&mu);
   while (*what < n && pthread_cond_timedwait(&cv, &mu, &ts) == 0)
      ;
   bool ok = *what >= n;
   pthread_mutex_unlock(&mu);
   return ok;
}

/* Waits up to 5 s for the recorder to have n CS submissions (the watchdog kicks). */
static bool wait_submits(int n)
{
   for (int i = 0; i < 5000 && rec.submit_count < n; i++)
      nanosleep(&(struct timespec){0, 1000000}, NULL);
   return rec.submit_count >= n;
}

static int64_t now_ns(void)
{
   struct timespec now;
   clock_gettime(CLOCK_MONOTONIC, &now);
   return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static bool wait_failed(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_REALTIME, &ts);
   ts.tv_sec += 5;
   pthread_mutex_lock(&mu);
   while (!failed && pthread_cond_timedwait(&cv, &mu, &ts) == 0)
      ;
   bool ok = failed > 0;
   pthread_mutex_unlock(&mu);
   return ok;
}

/* Memory 1 and 2 placed where the jobs' addresses point (the layer learns a memory's GPU VA at
 * its first buffer bind): 1 MiB each, back to back from MEMORY_VA. */
#define MEMORY_VA 0x800000000ull
static bool place_memory(struct pm4d_direct *d)
{
   return pm4d_direct_memory_place(d, 1, MEMORY_VA) == PM4D_DIRECT_OK &&
          pm4d_direct_memory_place(d, 2, MEMORY_VA + (1 << 20)) == PM4D_DIRECT_OK;
}

/* A fresh recorder, device and queue (bridge value 0), the test's records cleared; false
 * (checked) when any step failed, with everything made destroyed. */
static bool fresh_device(const struct pm4d_direct_config *cfg,
                         const struct pm4d_direct_callbacks *cb, struct pm4d_direct **d,
                         struct pm4d_direct_queue **q)
{
   char reason[320] = "";
   rec_reset();
   pthread_mutex_lock(&mu);
   failed = 0;
   host_signal_count = 0;
   app_signal_on_failure = app_signal_armed = app_signal_looks = 0;
   pthread_mutex_unlock(&mu);
   const struct pm4d_bridge bridge = {.wait = bridge_wait, .signal = bridge_signal, .opaque_fd = 9};
   *d = NULL;
   *q = NULL;
   CHECKF(pm4d_direct_create(cfg, cb, d, reason, sizeof(reason)) == PM4D_DIRECT_OK &&
             pm4d_direct_memory_register(*d, 1, NULL, 1 << 20, 5) == PM4D_DIRECT_OK &&
             pm4d_direct_memory_register(*d, 2, NULL, 1 << 20, -1) == PM4D_DIRECT_OK &&
             place_memory(*d) && pm4d_direct_queue_create(*d, &bridge, NULL, q) == PM4D_DIRECT_OK,
          "a fresh device and queue: %s", reason);
   if (!*q)
      pm4d_direct_destroy(*d);
   return *q != NULL;
}

/* Deferred kicks, on a fresh device and timeline (bridge value 0): a batch whose wait point has
 * no fence attached (RADV holds the link before it: the app waits before it signals) is queued,
 * not kicked (a CS would sleep in the ioctl, drm_syncobj.c drm_syncobj_find_fence with
 * WAIT_FOR_SUBMIT), and the watchdog kicks it once the point is attached. 1: that kick is
 * refused: the batch is reported failed once, and its point, which no kernel will signal, is
 * signalled by the direct path once, only after its wait point. 2: a batch behind a queued
 * one is queued too though its own wait point is reached (order). 3: the device destroyed
 * with a batch queued: no hang, every batch reported once, the queued one's point signalled
 * after the app's signal of its wait point, nothing leaked. */
static void deferred_kicks(const struct pm4d_direct_config *cfg,
                           const struct pm4d_direct_callbacks *cb, const struct pm4d_job *job)
{
   struct pm4d_direct *d = NULL;
   struct pm4d_direct_queue *q = NULL;
   char reason[320] = "";
   if (!fresh_device(cfg, cb, &d, &q))
      return;
   const uint64_t deferred = pm4d_counter_get(PM4D_CTR_direct_kicks_deferred);

   /* 1: batch 1->2, point 1 not attached: queued, the submitting thread only looked. */
   int submits = rec.submit_count;
   struct rec_wait waits[REC_MAX_CALLS];
   int nwaits = rec_waits_copy(waits, REC_MAX_CALLS);
   int64_t t0 = now_ns();
   enum pm4d_direct_status st = pm4d_direct_submit(q, job, 1, 1, 2, reason, sizeof(reason));
   CHECKF(st == PM4D_DIRECT_OK && rec.submit_count == submits &&
             pm4d_counter_get(PM4D_CTR_direct_kicks_deferred) == deferred + 1,
          "wait point 1 not attached: recorded, queued, no CS (%d): %s", st, reason);
   int n = rec_waits_copy(waits, REC_MAX_CALLS);
   CHECKF(n > nwaits && waits[nwaits].point == 1 &&
             waits[nwaits].flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE &&
             waits[nwaits].timeout <= now_ns() && waits[nwaits].timeout < t0 + 1000000,
          "the submitting thread asked whether point 1 is attached without waiting");
   /* The driver's link 0->1 reaches the kernel; the deferred CS is refused. */
   rec.submit_result = -EINVAL;
   rec.timeline_submitted = 1;
   CHECKF(wait_failed(), "the refused deferred kick fails the batch");
   pthread_mutex_lock(&mu);
   CHECKF(failed == 1 && failed_signal == 2 && strstr(failed_reason, "deferred kick") &&
             rec.submit_count == submits + 1,
          "batch_failed once for 1->2 after one refused CS: %s", failed_reason);
   pthread_mutex_unlock(&mu);
   /* Ticks go by: point 1 is attached, not signalled, so point 2 stays unsignalled. */
   nanosleep(&(struct timespec){0, 100000000}, NULL);
   pthread_mutex_lock(&mu);
   CHECKF(host_signal_count == 0, "no host signal of 2 before 1 (%u)", host_signal_count);
   pthread_mutex_unlock(&mu);
   rec.submit_result = 0;
   rec.timeline_value = 1; /* the driver's link signals 1 */
   CHECKF(wait_count(&host_signal_count, 1), "point 2 signalled by the direct path");
   pthread_mutex_lock(&mu);
   CHECKF(host_signal_count == 1 && host_signals[0].point == 2 && host_signals[0].value_before >= 1,
          "point 2 signalled once (%u), after 1 (the bridge was at %" PRIu64 ")", host_signal_count,
          host_signals[0].value_before);
   pthread_mutex_unlock(&mu);

   /* 2: batch 3->4 (3 not attached) queued; batch 2->5, whose wait point is reached, queued
    * behind it; once 3 is attached both go out, in order. */
   submits = rec.submit_count;
   CHECKF(pm4d_direct_submit(q, job, 1, 3, 4, reason, sizeof(reason)) == PM4D_DIRECT_OK &&
             pm4d_direct_submit(q, job, 1, 2, 5, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "two batches recorded: %s", reason);
   CHECKF(rec.submit_count == submits &&
             pm4d_counter_get(PM4D_CTR_direct_kicks_deferred) == deferred + 3,
          "both queued, no CS (%d)", rec.submit_count - submits);
   rec.timeline_submitted = 3;
   CHECKF(wait_submits(submits + 2), "the watchdog kicked both");
   if (rec.submit_count >= submits + 2) {
      const struct rec_submit *a = &rec.submits[submits], *b = &rec.submits[submits + 1];
      CHECKF(a->wait.point == 3 && a->signal.point == 4 && b->wait.point == 2 &&
                b->signal.point == 5,
             "kicked in order: %llu->%llu, %llu->%llu", (unsigned long long)a->wait.point,
             (unsigned long long)a->signal.point, (unsigned long long)b->wait.point,
             (unsigned long long)b->signal.point);
   }

   /* 3: batch 6->7 queued (6 not attached) behind the two in flight; the device is destroyed.
    * The app's signal of 6 arrives after the batches were reported failed and the watchdog
    * looked for it once. */
   submits = rec.submit_count;
   CHECKF(pm4d_direct_submit(q, job, 1, 6, 7, reason, sizeof(reason)) == PM4D_DIRECT_OK &&
             rec.submit_count == submits,
          "6->7 queued: %s", reason);
   pthread_mutex_lock(&mu);
   failed = 0;
   app_signal_on_failure = 6;
   pthread_mutex_unlock(&mu);
   pm4d_direct_destroy(d);
   pthread_mutex_lock(&mu);
   CHECKF(failed == 3 && failed_points[0] == 4 && failed_points[1] == 5 && failed_points[2] == 7,
          "each batch reported once, in order (%u reports)", failed);
   CHECKF(host_signal_count == 2 && host_signals[1].point == 7 && host_signals[1].value_before >= 6,
          "the queued batch's point 7 signalled once by the direct path, after 6 (%u signals)",
          host_signal_count);
   pthread_mutex_unlock(&mu);
   CHECKF(rec.submit_count == submits, "nothing kicked after the destroy began");
   CHECKF(rec_all_released(), "every libdrm object released");
}

/* Back pressure on a deferred kick: the kernel refuses the CS for memory (-ENOMEM, amdgpu_cs.c
 * amdgpu_cs_ioctl: the BO list does not fit now; the back end's RING_FULL). 1: refused until
 * past the base deadline (1 s here): failed once as a full ring (not toward auto-disable), its
 * point signalled by the direct path after its wait point. 2: the batch stays queued, is tried
 * again on later looks, and goes out once the CS is taken: never failed. */
static void deferred_back_pressure(struct pm4d_direct_config cfg,
                                   const struct pm4d_direct_callbacks *cb,
                                   const struct pm4d_job *job)
{
   struct pm4d_direct *d;
   struct pm4d_direct_queue *q;
   char reason[320] = "";
   cfg.deadline_base_ns = 1000000000ull;
   if (!fresh_device(&cfg, cb, &d, &q))
      return;
   const struct pm4d_autodisable *ad = pm4d_autodisable_process();
   const uint64_t ad_failures = ad->failures;

   /* 1: batch 1->2 queued (1 not attached); the driver's link reaches the kernel; every CS of
    * ours is refused for memory. */
   struct pm4d_direct_stats before, after;
   pm4d_direct_stats_get(d, &before);
   CHECKF(pm4d_direct_submit(q, job, 1, 1, 2, reason, sizeof(reason)) == PM4D_DIRECT_OK &&
             rec.submit_count == 0,
          "1->2 queued: %s", reason);
   rec.submit_result = -ENOMEM;
   int64_t t0 = now_ns();
   rec.timeline_submitted = 1;
   CHECKF(wait_submits(2), "the refused deferred kick is tried again");
   pthread_mutex_lock(&mu);
   CHECKF(failed == 0, "back pressure does not fail the batch at once (%u reports: %s)", failed,
          failed_reason);
   pthread_mutex_unlock(&mu);
   CHECKF(wait_failed(), "refused past the base deadline: failed");
   int64_t took = now_ns() - t0;
   pthread_mutex_lock(&mu);
   CHECKF(failed == 1 && failed_signal == 2 && strstr(failed_reason, "ring full"),
          "reported once, as back pressure: %s", failed_reason);
   pthread_mutex_unlock(&mu);
   CHECKF(took >= 900000000, "only after the base deadline (%.0f ms)", took / 1e6);
   pm4d_direct_stats_get(d, &after);
   CHECKF(ad->failures == ad_failures && after.ring_full == before.ring_full + 1 &&
             after.hangs == before.hangs && after.faults == before.faults,
          "a full ring, not toward auto-disable (ring_full +%" PRIu64 ")",
          after.ring_full - before.ring_full);
   rec.submit_result = 0;
   rec.timeline_value = 1; /* the driver's link signals 1 */
   CHECKF(wait_count(&host_signal_count, 1), "point 2 signalled by the direct path");
   pthread_mutex_lock(&mu);
   CHECKF(host_signal_count == 1 && host_signals[0].point == 2 && host_signals[0].value_before >= 1,
          "point 2 signalled once (%u), after 1", host_signal_count);
   failed = 0;
   pthread_mutex_unlock(&mu);

   /* 2: batch 3->4 queued (3 not attached); the kernel refuses our CS for memory a few times,
    * then takes it. */
   CHECKF(pm4d_direct_submit(q, job, 1, 3, 4, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "3->4 queued: %s", reason);
   int submits = rec.submit_count;
   rec.submit_result = -ENOMEM;
   rec.timeline_submitted = 3;
   CHECKF(wait_submits(submits + 2), "the refused deferred kick is tried again");
   rec.submit_result = 0;
   int tries = rec.submit_count;
   CHECKF(wait_submits(tries + 1), "kicked once the kernel takes it");
   nanosleep(&(struct timespec){0, 50000000}, NULL); /* a few ticks: no further CS */
   CHECKF(rec.submit_count == tries + 1 && rec.submits[tries % REC_MAX_CALLS].signal.point == 4,
          "one accepted CS for 3->4 (%d after the refusals)", rec.submit_count - tries);
   pthread_mutex_lock(&mu);
   CHECKF(failed == 0 && host_signal_count == 1, "never failed, no host signal (%u, %u)", failed,
          host_signal_count - 1);
   pthread_mutex_unlock(&mu);
   CHECKF(ad->failures == ad_failures, "nothing toward auto-disable");
   pm4d_direct_destroy(d);
   CHECKF(rec_all_released(), "every libdrm object released");
}

/* A queue destroyed (the device lives on) with a kicked batch and two queued behind it: no
 * hang; each batch reported once, in order; the queued batches' points signalled by the direct
 * path once each, never below their wait points (the app's signal of 3 arrives only after the
 * reports); nothing of the queue left. Then a queue destroyed with a batch whose wait point
 * never comes: reported once, its point left unsignalled after the base deadline (the rule of
 * layer/direct/README.md), destroy returns. */
static void queue_destroyed_queued(const struct pm4d_direct_config *cfg,
                                   const struct pm4d_direct_callbacks *cb,
                                   const struct pm4d_job *job)
{
   struct pm4d_direct *d;
   struct pm4d_direct_queue *q;
   char reason[320] = "";
   if (!fresh_device(cfg, cb, &d, &q))
      return;
   CHECKF(pm4d_direct_submit(q, job, 1, 0, 1, reason, sizeof(reason)) == PM4D_DIRECT_OK &&
             pm4d_direct_submit(q, job, 1, 3, 4, reason, sizeof(reason)) == PM4D_DIRECT_OK &&
             pm4d_direct_submit(q, job, 1, 4, 5, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "0->1 kicked, 3->4 and 4->5 queued: %s", reason);
   CHECKF(rec.submit_count == 1, "one CS (%d)", rec.submit_count);
   pthread_mutex_lock(&mu);
   app_signal_on_failure = 3;
   pthread_mutex_unlock(&mu);
   int64_t t0 = now_ns();
   pm4d_direct_queue_destroy(q);
   int64_t took = now_ns() - t0;
   CHECKF(took < 5000000000, "queue destroy returned (%.0f ms)", took / 1e6);
   pthread_mutex_lock(&mu);
   CHECKF(failed == 3 && failed_points[0] == 1 && failed_points[1] == 4 && failed_points[2] == 5,
          "each batch reported once, in order (%u reports)", failed);
   bool ordered = host_signal_count >= 1 && host_signal_count <= 2;
   static const uint64_t wait_of[6] = {[4] = 3, [5] = 4};
   for (uint32_t i = 0; ordered && i < host_signal_count; i++)
      ordered = (host_signals[i].point == 4 || host_signals[i].point == 5) &&
                host_signals[i].value_before >= wait_of[host_signals[i].point] &&
                (i == 0 || host_signals[i].point > host_signals[i - 1].point);
   CHECKF(ordered && host_signals[host_signal_count - 1].point == 5,
          "points 4 and 5 signalled by the direct path once, each after its wait point (%u "
          "signals)",
          host_signal_count);
   pthread_mutex_unlock(&mu);
   CHECKF(rec.submit_count == 1, "nothing kicked after the destroy began");
   CHECKF(rec.syncobjs_live == 0 && rec.ctxs_live == 0,
          "the queue's bridge handle and contexts released (%d, %d)", rec.syncobjs_live,
          rec.ctxs_live);

   /* The wait point never comes. */
   const struct pm4d_bridge bridge = {.wait = bridge_wait, .signal = bridge_signal, .opaque_fd = 9};
   CHECKF(pm4d_direct_queue_create(d, &bridge, NULL, &q) == PM4D_DIRECT_OK, "a second queue");
   pthread_mutex_lock(&mu);
   failed = 0;
   host_signal_count = 0;
   pthread_mutex_unlock(&mu);
   if (q) {
      CHECKF(pm4d_direct_submit(q, job, 1, 9, 10, reason, sizeof(reason)) == PM4D_DIRECT_OK,
             "9->10 queued: %s", reason);
      t0 = now_ns();
      pm4d_direct_queue_destroy(q);
      took = now_ns() - t0;
      CHECKF(took < 5000000000, "queue destroy returned (%.0f ms)", took / 1e6);
      pthread_mutex_lock(&mu);
      CHECKF(failed == 1 && failed_points[0] == 10 && host_signal_count == 0,
             "reported once, point 10 left unsignalled (%u reports, %u signals)", failed,
             host_signal_count);
      pthread_mutex_unlock(&mu);
   }
   rec.timeline_value = 9; /* too late: the queue is gone */
   nanosleep(&(struct timespec){0, 30000000}, NULL);
   pthread_mutex_lock(&mu);
   CHECKF(host_signal_count == 0, "nothing signalled after the destroy (%u)", host_signal_count);
   pthread_mutex_unlock(&mu);
   pm4d_direct_memory_unregister(d, 1);
   pm4d_direct_memory_unregister(d, 2);
   pm4d_direct_destroy(d);
   CHECKF(rec_all_released(), "every libdrm object released");
}

/* The second queue's bridge: the recorder's second syncobj. */
static int bridge2_wait(void *user, uint64_t point, uint64_t timeout_ns)
{
   (void)user, (void)timeout_ns;
   return point <= rec.bridge2_value ? 0 : 1;
}

static int bridge2_signal(void *user, uint64_t point)
{
   (void)user;
   rec.bridge2_value = point;
   return 0;
}

/* Two queues with a deferred kick each: the watchdog sleeps for both wait points in one
 * syncobj wait (any of them), so the second queue's kick is not held up by the first's
 * sleep; each queue's batch goes out once its own point is attached, the other's not. */
static void two_queues_deferred(const struct pm4d_direct_config *cfg,
                                const struct pm4d_direct_callbacks *cb, const struct pm4d_job *job)
{
   struct pm4d_direct *d;
   struct pm4d_direct_queue *a, *b = NULL;
   char reason[320] = "";
   if (!fresh_device(cfg, cb, &d, &a))
      return;
   const struct pm4d_bridge bridge2 = {
      .wait = bridge2_wait, .signal = bridge2_signal, .opaque_fd = REC_BRIDGE2_FD};
   CHECKF(pm4d_direct_queue_create(d, &bridge2, NULL, &b) == PM4D_DIRECT_OK, "a second queue");
   if (!b) {
      pm4d_direct_queue_destroy(a);
      pm4d_direct_destroy(d);
      return;
   }
   struct rec_wait waits[REC_MAX_CALLS];
   int nwaits = rec_waits_copy(waits, REC_MAX_CALLS);
   CHECKF(pm4d_direct_submit(a, job, 1, 1, 2, reason, sizeof(reason)) == PM4D_DIRECT_OK &&
             pm4d_direct_submit(b, job, 1, 7, 8, reason, sizeof(reason)) == PM4D_DIRECT_OK &&
             rec.submit_count == 0,
          "1->2 on the first queue, 7->8 on the second, both queued: %s", reason);
   /* The watchdog's sleep (a wait with a deadline ahead) names both points. */
   bool both = false;
   for (int i = 0; i < 5000 && !both; i++) {
      int n = rec_waits_copy(waits, REC_MAX_CALLS);
      for (int w = nwaits; w < n && w < REC_MAX_CALLS && !both; w++) {
         bool has_a = false, has_b = false;
         for (unsigned h = 0; h < waits[w].count; h++) {
            has_a |= waits[w].handles[h] == REC_BRIDGE_HANDLE && waits[w].points[h] == 1;
            has_b |= waits[w].handles[h] == REC_BRIDGE2_HANDLE && waits[w].points[h] == 7;
         }
         both = has_a && has_b && !(waits[w].flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL);
      }
      if (!both)
         nanosleep(&(struct timespec){0, 1000000}, NULL);
   }
   CHECKF(both, "the watchdog waits for both queues' wait points at once (any of them)");
   /* The second queue's point is attached first: its batch goes out, the first's stays. */
   rec.bridge2_submitted = 7;
   CHECKF(wait_submits(1), "the second queue's batch kicked");
   nanosleep(&(struct timespec){0, 30000000}, NULL);
   CHECKF(rec.submit_count == 1 && rec.submits[0].signal.handle == REC_BRIDGE2_HANDLE &&
             rec.submits[0].wait.point == 7 && rec.submits[0].signal.point == 8,
          "only 7->8, on the second bridge (%d CS)", rec.submit_count);
   rec.timeline_submitted = 1;
   CHECKF(wait_submits(2), "the first queue's batch kicked");
   if (rec.submit_count >= 2)
      CHECKF(rec.submits[1].signal.handle == REC_BRIDGE_HANDLE && rec.submits[1].signal.point == 2,
             "then 1->2 on the first bridge");
   pm4d_direct_queue_destroy(b);
   pm4d_direct_queue_destroy(a);
   pm4d_direct_memory_unregister(d, 1);
   pm4d_direct_memory_unregister(d, 2);
   pm4d_direct_destroy(d);
   CHECKF(rec_all_released(), "every libdrm object released");
}

int main(void)
{
   const struct pm4d_direct_callbacks cb = {.batch_failed = batch_failed};
   struct pm4d_direct_config cfg = {.backend = PM4D_DIRECT_BACKEND_AMDGPU,
                                    .debug = true,
                                    .deadline_base_ns = 50000000ull,
                                    .ring_bytes = 32768, /* no other BO has this size */
                                    .pci = {.domain = 0, .bus = 3, .device = 0, .function = 0},
                                    /* Debian 12's RADV (vulkan_core.h VkDriverId) */
                                    .driver_id = 3,
                                    .driver_version = (22u << 22) | (3u << 12) | 6u};
   struct pm4d_direct *d = NULL;
   char reason[256] = "";
   rec_reset();
   pm4d_direct_test_amdgpu_ops(rec_ops());

   cfg.pci.bus = 9;
   CHECKF(pm4d_direct_create(&cfg, &cb, &d, reason, sizeof(reason)) == PM4D_DIRECT_UNAVAILABLE &&
             reason[0],
          "no GPU at 0000:09:00.0: %s", reason);
   cfg.pci.bus = 3;
   enum pm4d_direct_status st = pm4d_direct_create(&cfg, &cb, &d, reason, sizeof(reason));
   if (st == PM4D_DIRECT_UNAVAILABLE && strstr(reason, "code object")) {
      printf("SKIPPED: %s\n", reason);
      return 77;
   }
   CHECKF(st == PM4D_DIRECT_OK, "create: %s", reason);
   if (st != PM4D_DIRECT_OK)
      return pm4d_check_finish(__FILE__);
   CHECKF(!strcmp(pm4d_direct_backend_name(d), "amdgpu") &&
             pm4d_direct_address_space(d) == PM4D_ADDR_GPU_VA,
          "amdgpu, GPU addresses");

   /* 1: exported by the app, imported and listed; 2: always valid in the shared VM (RADV's
    * local BOs), known but never listed. */
   CHECKF(pm4d_direct_memory_register(d, 1, NULL, 1 << 20, 5) == PM4D_DIRECT_OK &&
             pm4d_direct_memory_register(d, 2, NULL, 1 << 20, -1) == PM4D_DIRECT_OK &&
             rec.import_count == 1 && place_memory(d),
          "one dma-buf imported, one always-valid memory known");

   const struct pm4d_bridge bridge = {.wait = bridge_wait, .signal = bridge_signal, .opaque_fd = 9};
   struct pm4d_direct_queue *q = NULL;
   CHECKF(pm4d_direct_queue_create(d, &bridge, NULL, &q) == PM4D_DIRECT_OK, "queue");
   const uint64_t va = MEMORY_VA; /* inside the imported buffers, as the layer's BDA */
   struct pm4d_job job = {
      .params = {.n = 1,
                 .c = 4,
                 .h = 8,
                 .w = 8,
                 .k = 4,
                 .r = 3,
                 .s = 3,
                 .stride_h = 1,
                 .stride_w = 1,
                 .pad_h = 1,
                 .pad_w = 1,
                 .dil_h = 1,
                 .dil_w = 1,
                 .groups = 1},
      .addr = {va, va + (1 << 20), 0, va + 8192},
      .memory_ids = {1, 2, 0, 1},
   };
   int submits = rec.submit_count;
   if (q) {
      st = pm4d_direct_submit(q, &job, 1, 0, 1, reason, sizeof(reason));
      CHECKF(st == PM4D_DIRECT_OK, "submit: %s", reason);
   }
   CHECKF(rec.submit_count == submits + 1, "one CS submission");
   if (rec.submit_count == submits + 1) {
      const struct rec_submit *s = &rec.submits[submits];
      CHECKF(s->has_ib && s->ib.ib_bytes > 0 && s->ib.ib_bytes % 4 == 0, "IB chunk (%u bytes)",
             s->ib.ib_bytes);
      /* code, ring, kernargs, fence, one import */
      CHECKF(s->bo_in.bo_number == 5 && rec.bos_live == 5, "5 BOs listed (%u), 5 alive (%d)",
             s->bo_in.bo_number, rec.bos_live);
      CHECKF(rec_bo_list_is_live_set(s), "every BO alive is in the BO list exactly once");
      CHECKF(rec_bo_count(s, REC_IMPORT_KMS_BASE + 5) == 1 && rec_bo_count(s, 0) == 0,
             "the exported memory is listed once, the always-valid one not at all");
      uint64_t size = 0, off = 0;
      uint32_t kms = rec_bo_at_va(s->ib.va_start, s->ib.ib_bytes, &size, &off);
      const uint32_t *mem = kms ? rec_bo_memory(kms) : NULL;
      CHECKF(kms && size == cfg.ring_bytes && rec_bo_count(s, kms) == 1,
             "the IB lies in the 32 KiB ring BO (kms %u, %llu bytes), which is listed", kms,
             (unsigned long long)size);
      CHECKF(mem && off % 4 == 0 && mem[off / 4] >> 30 == 3,
             "the IB chunk points at the batch's PM4 in the ring (type-3 header)");

      CHECKF(s->has_signal && s->signal.point == 1, "signals bridge point 1");
   }
   /* Past its deadline (4x) with no fence the batch is only overdue: the kernel decides (its
    * job timeout), and a late fence would be success. Then the kernel ends the job without our
    * fence (its point signalled: a timeout or a cancel): not computed, reported once, and the
    * queue gets a new context. */
   nanosleep(&(struct timespec){0, 200000000}, NULL);
   pthread_mutex_lock(&mu);
   uint32_t early = failed;
   pthread_mutex_unlock(&mu);
   CHECKF(early == 0, "overdue, not failed, while the kernel has not ended the job");
   /* The kernel's job timeout: the job's fence -ETIME (amdgpu_job.c amdgpu_job_timedout), a
    * full GPU reset makes the context guilty (amdgpu_device_gpu_recover), the point signals. */
   rec.fence_error = -ETIME;
   rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_GUILTY;
   rec.timeline_value = 1;
   CHECKF(wait_failed(), "the kernel ended it without the fence: failed");
   struct pm4d_direct_stats stats;
   pm4d_direct_stats_get(d, &stats);
   CHECKF(failed == 1 && failed_signal == 1 && strstr(failed_reason, "without its fence"),
          "batch_failed once: %s", failed_reason);
   printf("batch_failed: %s\n", failed_reason);
   CHECKF(stats.hangs == 1 && stats.faults == 0 && strstr(failed_reason, "timed out: a hang"),
          "the job's -ETIME is our hang: %s", failed_reason);
   CHECKF(stats.resets == 1 && rec.ctx_create_count == 2,
          "context re-created once after the hang (%d contexts)", rec.ctx_create_count);

   /* Another context's hang reset the GPU (QUERY2 RESET, not GUILTY) and cancelled the next
    * batch (its fence -ECANCELED, drm_sched_start): lost, reported once, the queue gets a new
    * context, nothing counts toward auto-disable or as our hang. Then our own job times out
    * with no GUILTY at all (a per-queue reset, amdgpu_ring_reset): its -ETIME is a hang that
    * does count. */
   const struct pm4d_autodisable *ad = pm4d_autodisable_process();
   for (int guilty = 0; guilty < 2; guilty++) {
      uint64_t ad_failures = ad->failures, hangs = stats.hangs,
               resets = pm4d_counter_get(PM4D_CTR_direct_resets);
      int ctxs = rec.ctx_create_count;
      rec.reset_flags = AMDGPU_CTX_QUERY2_FLAGS_RESET;
      rec.reset_epoch++;
      rec.fence_error = guilty ? -ETIME : -ECANCELED;
      pthread_mutex_lock(&mu);
      failed = 0;
      pthread_mutex_unlock(&mu);
      uint64_t p = 1 + (uint64_t)guilty;
      if (q) {
         st = pm4d_direct_submit(q, &job, 1, p, p + 1, reason, sizeof(reason));
         CHECKF(st == PM4D_DIRECT_OK, "submit after point %" PRIu64 ": %s", p, reason);
      }
      rec.timeline_value = p + 1; /* the kernel signals the ended job's point */
      CHECKF(wait_failed(), "the kernel's end of the batch fails it");
      pm4d_direct_stats_get(d, &stats);
      CHECKF(failed == 1 && failed_signal == p + 1 &&
                strstr(failed_reason, guilty ? "timed out: a hang" : "cancelled by a reset"),
             "batch_failed once for the reset: %s", failed_reason);
      /* The context is renewed once, by the watchdog or by the kick (the batch before it has
       * not written its fence, so the kick asks QUERY2 first): never a CS on it. */
      CHECKF(rec.ctx_create_count == ctxs + 1 &&
                (int)rec.submits[rec.submit_count - 1].ctx_id == rec.ctx_create_count,
             "one new context after the reset (%d), the batch kicked on it",
             rec.ctx_create_count - ctxs);
      uint64_t renewed = pm4d_counter_get(PM4D_CTR_direct_resets) - resets;
      CHECKF(stats.hangs == hangs + (uint64_t)guilty && stats.faults == 0 && renewed == 1 &&
                ad->failures == ad_failures + (uint64_t)guilty,
             "%s: hangs +%" PRIu64 ", resets +%" PRIu64 ", auto-disable failures +%" PRIu64,
             guilty ? "own hang" : "another's reset", stats.hangs - hangs, renewed,
             ad->failures - ad_failures);
   }
   rec.fence_error = 0;
   /* The kernel takes 32 jobs in flight per context before a CS sleeps in the ioctl
    * (amdgpu_ctx_wait_prev_fence): the direct path keeps 32 batches in flight, and the 33rd
    * waits outside every lock until its deadline, then is back pressure (a full ring), not a
    * failure. The first batch is started and overdue, the rest wait for their points. */
   if (q) {
      uint64_t ad_failures = ad->failures, full = stats.ring_full,
               deferred = pm4d_counter_get(PM4D_CTR_direct_kicks_deferred);
      submits = rec.submit_count;
      uint32_t ok = 0;
      for (uint64_t k = 0; k < 33; k++) {
         st = pm4d_direct_submit(q, &job, 1, k ? 5 + k : 3, 6 + k, reason, sizeof(reason));
         ok += st == PM4D_DIRECT_OK;
      }
      pm4d_direct_stats_get(d, &stats);
      CHECKF(ok == 32 && st == PM4D_DIRECT_RING_FULL && rec.submit_count == submits + 32,
             "32 batches in flight, the 33rd refused as a full ring (%u ok, %d CS): %s", ok,
             rec.submit_count - submits, reason);
      CHECKF(stats.ring_full == full + 1 && ad->failures == ad_failures,
             "counted as a full ring, not toward auto-disable");
      CHECKF(pm4d_counter_get(PM4D_CTR_direct_kicks_deferred) == deferred,
             "each wait point attached by the kick before: none deferred");
   }
   pm4d_direct_queue_destroy(q);
   pm4d_direct_memory_unregister(d, 1);
   pm4d_direct_memory_unregister(d, 2);
   pm4d_direct_destroy(d);
   CHECKF(rec_all_released(), "every libdrm object released");
   CHECKF(host_signal_count == 0, "no host signal of a kicked batch's point (%u)",
          host_signal_count);
   deferred_kicks(&cfg, &cb, &job);
   deferred_back_pressure(cfg, &cb, &job);
   queue_destroyed_queued(&cfg, &cb, &job);
   two_queues_deferred(&cfg, &cb, &job);
   return pm4d_check_finish(__FILE__);
}
