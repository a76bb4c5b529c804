/* The direct path over the sim back end, no Vulkan: `healthy` (two queues, two producer
 * threads, outputs against the C reference, bridge points gated and in order), `faults` (every
 * injected sim fault detected and reported once per unfinished batch, then healthy work after
 * each reset), `invalid` (a corrupted template refused, by the full validator in debug mode
 * and by the per-batch check without it), `bitflip` (every single-bit error of a batch, in
 * the ring and in its template, refused before the kick), `ring_full` (a burst against a small
 * ring),
 * `lifecycle` (queue destruction with a batch running, and with one whose wait point has not
 * come), `pingpong` (a hang after job 2 of 4 over ping-pong buffers: exactly the unfinished jobs
 * re-run). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_conv2d_ref.h"
#include "pm4d_direct_backend.h"
#include "pm4d_direct_fixture.h"
#include "pm4d_direct_test.h"
#include "pm4d_builder.h"
#include "pm4d_pkt_defs.h"
#include "pm4d_check.h"

#define DEADLINE_NS 50000000ull /* per batch in the fault scenario, which times detection */
/* Everywhere else no batch should ever be declared hung: a loaded CI machine can stretch a
 * 20 ms injected delay or PoCL's first run far past 50 ms. */
#define RELAXED_DEADLINE_NS 10000000000ull
#define DETECT_NS           100000000ull /* a stall is detected within this of its deadline */

static struct fx fx;
static struct fx_queue queues[2];

static void inject(const char *spec)
{
   char reason[256];
   CHECKF(pm4d_direct_test_inject(fx.d, spec, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "inject %s: %s", spec, reason);
}

/* --- healthy ------------------------------------------------------------------------- */
#define H_BATCHES 8u
#define H_JOBS    3u

/* Batch i waits for 2i (a "driver segment" the thread signals once 2i-1 is reached) and
 * signals 2i+1. Running a batch before its point would put 2i+1 before 2i: out of order. */
static void *producer(void *arg)
{
   struct fx_queue *fq = arg;
   for (uint32_t i = 0; i < H_BATCHES; i++) {
      uint32_t first = fq->njobs;
      for (uint32_t j = 0; j < H_JOBS; j++)
         fx_job_add(&fx, fq, i + j);
      fx_submit(fq, first, H_JOBS, 2 * i, 2 * i + 1);
   }
   for (uint32_t i = 1; i < H_BATCHES; i++) {
      if (fx_wait(&fq->bridge, 2 * i - 1, FX_WAIT_NS) != 0)
         break;
      nanosleep(&(struct timespec){0, 500000}, NULL);
      fx_signal(&fq->bridge, 2 * i);
   }
   return NULL;
}

static void healthy(void)
{
   pthread_t t[2];
   for (int i = 0; i < 2; i++)
      pthread_create(&t[i], NULL, producer, &queues[i]);
   for (int i = 0; i < 2; i++)
      pthread_join(t[i], NULL);
   for (int i = 0; i < 2; i++) {
      struct fx_queue *fq = &queues[i];
      CHECKF(fx_wait(&fq->bridge, 2 * H_BATCHES - 1, FX_WAIT_NS) == 0, "queue %d: last point", i);
      for (uint32_t b = 0; b < fq->nbatches; b++)
         CHECKF(fq->batches[b].submitted == PM4D_DIRECT_OK && fq->batches[b].failed == 0,
                "queue %d batch %u: %s / failed %u: %s", i, b,
                pm4d_direct_status_name(fq->batches[b].submitted), fq->batches[b].failed,
                fq->batches[b].reason);
      CHECKF(fx_check_points(fq, 2 * H_BATCHES - 1), "queue %d points", i);
      CHECKF(fx_check_outputs(fq) == 0, "queue %d outputs", i);
   }
   struct pm4d_direct_stats s;
   fx_stats(&fx, &s);
   CHECKF(s.batches == 2 * H_BATCHES && s.jobs == 2 * H_BATCHES * H_JOBS,
          "stats: %" PRIu64 " batches, %" PRIu64 " jobs", s.batches, s.jobs);
   CHECKF(s.template_dispatches == s.jobs && s.dynamic_dispatches == 0,
          "every dispatch from a template (%" PRIu64 " template, %" PRIu64 " dynamic)",
          s.template_dispatches, s.dynamic_dispatches);
   CHECKF(s.hangs == 0 && s.faults == 0 && s.validation_failures == 0 && s.ring_full == 0,
          "no failures counted");
   CHECKF(s.ring_high_water_dw > 0, "ring high-water mark recorded");
}

/* --- faults -------------------------------------------------------------------------- */
/* A chain on queue 0: batch k waits for point k and signals k + 1. */
static uint64_t next_point;

/* Submits n batches of 2 jobs under `spec`, waits (bounded) until the chain is through, and
 * returns the index of the first batch. The round's first batch waits for a point the test
 * signals (as a driver link would) only once every batch is submitted: a fault found at once
 * (bad_address: under a millisecond) then still finds the whole round in flight, instead of
 * racing the later submissions (which the reset would refuse, or run on a recovered queue with
 * the fault gone). */
static uint32_t round_of(const char *spec, uint32_t n)
{
   struct fx_queue *fq = &queues[0];
   inject(spec);
   uint32_t first_batch = fq->nbatches;
   uint64_t gate = ++next_point;
   bool refused[8] = {false};
   CHECKF(n <= sizeof(refused) / sizeof(refused[0]), "%s: %u batches in one round", spec, n);
   for (uint32_t i = 0; i < n; i++) {
      uint32_t j = fx_job_add(&fx, fq, i);
      fx_job_add(&fx, fq, i + 1);
      enum pm4d_direct_status st = fx_submit(fq, j, 2, next_point, next_point + 1);
      /* A submission that races the reset after an earlier round's fault is refused with
       * nothing kicked; the caller then runs the fallbacks itself, as the layer does, in chain
       * order once the gate is open. */
      CHECKF(st == PM4D_DIRECT_OK || st == PM4D_DIRECT_FAILED, "%s: submit %u: %s", spec, i,
             pm4d_direct_status_name(st));
      refused[i] = st != PM4D_DIRECT_OK;
      next_point++;
   }
   fx_signal(&fq->bridge, gate);
   for (uint32_t i = 0; i < n; i++)
      if (refused[i])
         fx_run_refused(fq, first_batch + i);
   CHECKF(fx_wait(&fq->bridge, next_point, FX_WAIT_NS) == 0, "%s: chain did not finish", spec);
   return first_batch;
}

static uint32_t failed_in(uint32_t first, uint32_t n)
{
   uint32_t f = 0;
   pthread_mutex_lock(&queues[0].bridge.mu);
   for (uint32_t i = first; i < first + n; i++)
      f += queues[0].batches[i].failed;
   pthread_mutex_unlock(&queues[0].bridge.mu);
   return f;
}

/* Jobs of batches [first, first + n) that ran through their fallbacks. */
static uint32_t fallbacks_in(uint32_t first, uint32_t n)
{
   uint32_t f = 0;
   for (uint32_t i = first; i < first + n; i++)
      f += __atomic_load_n(&queues[0].batches[i].fallbacks, __ATOMIC_RELAXED);
   return f;
}

/* Time from the batch's wait point to its batch_failed. */
static uint64_t detect_ns(uint32_t batch)
{
   struct fx_queue *fq = &queues[0];
   pthread_mutex_lock(&fq->bridge.mu);
   const struct fx_batch *b = &fq->batches[batch];
   uint64_t reached = b->wait_point ? fq->bridge.reached_ns[b->wait_point] : 0;
   uint64_t t = reached && b->failed_ns > reached ? b->failed_ns - reached : 0;
   pthread_mutex_unlock(&fq->bridge.mu);
   return t;
}

static void faults(void)
{
   /* Dispatches 1-4 run (batches 0 and 1), the 5th stalls: batches 2 and 3 fail once. */
   uint32_t b = round_of("stall_after=4", 4);
   CHECKF(failed_in(b, 2) == 0 && queues[0].batches[b + 2].failed == 1 &&
             queues[0].batches[b + 3].failed == 1,
          "stall: batches 0,1 direct, 2,3 failed once");
   CHECKF(fallbacks_in(b, 2) == 0 && fallbacks_in(b + 2, 2) == 4,
          "stall: no job of batches 0,1 re-ran, both of 2 and 3 did (%u, %u)", fallbacks_in(b, 2),
          fallbacks_in(b + 2, 2));
   uint64_t t = detect_ns(b + 2);
   CHECKF(t >= DEADLINE_NS && t <= DEADLINE_NS + DETECT_NS, "stall detected after %.1f ms",
          t / 1e6);
   printf("stall: batch_failed %.1f ms after its wait point (deadline %.0f ms)\n", t / 1e6,
          DEADLINE_NS / 1e6);

   b = round_of("", 2);
   CHECKF(failed_in(b, 2) == 0, "healthy after the reset");
   b = round_of("delay_us=2000", 2);
   CHECKF(failed_in(b, 2) == 0, "a delay inside the deadline is no hang");
   b = round_of("delay_us=300000", 1);
   CHECKF(failed_in(b, 1) == 1, "a delay past the deadline is a hang");
   t = detect_ns(b);
   CHECKF(t >= DEADLINE_NS && t <= DEADLINE_NS + DETECT_NS, "delay detected after %.1f ms",
          t / 1e6);
   printf("delay past deadline: batch_failed %.1f ms after its wait point\n", t / 1e6);
   b = round_of("no_fence", 2);
   CHECKF(failed_in(b, 2) == 2, "no fence: both batches failed once");
   /* The first batch ran to its end (every switch cleared): none of its jobs re-runs; the
    * second, behind it, never started. */
   CHECKF(fallbacks_in(b, 1) == 0 && fallbacks_in(b + 1, 1) == 2,
          "no fence: the first batch's jobs did not re-run, the second's did (%u, %u)",
          fallbacks_in(b, 1), fallbacks_in(b + 1, 1));
   b = round_of("bad_address", 2);
   CHECKF(failed_in(b, 2) == 2, "bad address: both batches failed once");
   t = detect_ns(b);
   CHECKF(t > 0 && t < DEADLINE_NS, "page fault reported before the deadline (%.1f ms)", t / 1e6);
   printf("page fault: batch_failed %.1f ms after its wait point\n", t / 1e6);
   CHECKF(strstr(queues[0].batches[b].reason, "page fault") != NULL, "reason: %s",
          queues[0].batches[b].reason);
   b = round_of("", 3);
   CHECKF(failed_in(b, 3) == 0, "healthy after the fault");

   CHECKF(fx_check_points(&queues[0], next_point), "points");
   CHECKF(fx_check_outputs(&queues[0]) == 0, "outputs");
   CHECKF(!fx.fallback_error, "fallbacks ran");
   struct pm4d_direct_stats s;
   fx_stats(&fx, &s);
   CHECKF(s.hangs == 3 && s.faults == 1 && s.resets == 4,
          "stats: %" PRIu64 " hangs, %" PRIu64 " faults, %" PRIu64 " resets", s.hangs, s.faults,
          s.resets);
}

/* --- pingpong ------------------------------------------------------------------------ */
/* Four jobs over two buffers, each reading the other's output (X -> Y -> X -> Y -> X); the CP
 * stops before the third dispatch (a hang). Jobs 1 and 2 must not re-run: job 2 has overwritten
 * job 1's input. The batch clears each job's fallback switch as soon as the job completes, so
 * exactly jobs 3 and 4 run through their fallbacks, after the point the direct path signals
 * once; X ends as four convolutions of its start, computed here on the CPU. */
static void pingpong(void)
{
   struct fx_queue *fq = &queues[0];
   struct pm4d_conv2d_params p = fx_shape(0); /* 3x3, stride 1, padding 1: same size out */
   p.k = p.c;
   char why[128];
   CHECKF(pm4d_conv2d_params_check(&p, why, sizeof(why)), "shape: %s", why);
   const size_t n = (size_t)p.c * p.h * p.w, nf = (size_t)p.k * p.c * p.r * p.s;
   float *x = fx_alloc(&fx, n), *y = fx_alloc(&fx, n), *f = fx_alloc(&fx, nf),
         *bias = fx_alloc(&fx, p.k);
   float *want = malloc(n * sizeof(float)), *tmp = malloc(n * sizeof(float));
   pm4d_ref_fill(x, n, &fx.seed);
   pm4d_ref_fill(f, nf, &fx.seed);
   pm4d_ref_fill(bias, p.k, &fx.seed);
   memcpy(want, x, n * sizeof(float));
   for (int i = 0; i < 4; i++) { /* the CPU reference of the chain */
      pm4d_ref_conv2d(&p, want, f, bias, tmp);
      memcpy(want, tmp, n * sizeof(float));
   }
   /* This shape's kernel once, healthy, so that no first-run compile meets the deadline. */
   uint32_t warm = fx_job_add_buffers(&fx, fq, &p, x, f, bias, fx_alloc(&fx, n));
   CHECKF(fx_submit(fq, warm, 1, 0, 1) == PM4D_DIRECT_OK &&
             fx_wait(&fq->bridge, 1, FX_WAIT_NS) == 0,
          "warm-up batch");
   uint32_t first = fq->njobs;
   for (int i = 0; i < 4; i++)
      fx_job_add_buffers(&fx, fq, &p, i % 2 ? y : x, f, bias, i % 2 ? x : y);
   inject("stall_after=2");
   CHECKF(fx_submit(fq, first, 4, 1, 2) == PM4D_DIRECT_OK, "submit");
   CHECKF(fx_wait(&fq->bridge, 2, FX_WAIT_NS) == 0, "the point comes");
   pthread_mutex_lock(&fq->bridge.mu);
   uint32_t failed = fq->batches[1].failed, fallbacks = fq->batches[1].fallbacks;
   pthread_mutex_unlock(&fq->bridge.mu);
   CHECKF(failed == 1, "the stall is a hang, reported once (%u)", failed);
   CHECKF(fallbacks == 2 && !fq->jobs[first].via_fallback && !fq->jobs[first + 1].via_fallback &&
             fq->jobs[first + 2].via_fallback && fq->jobs[first + 3].via_fallback,
          "exactly jobs 3 and 4 ran through their fallbacks (%u)", fallbacks);
   double err = pm4d_ref_rel_error(x, want, n);
   CHECKF(err <= 1e-5, "X after the chain: relative error %g", err);
   CHECKF(fx_check_points(fq, 2), "one signaller of each point");
   free(want);
   free(tmp);
}

/* --- invalid ------------------------------------------------------------------------- */
/* The first SET_SH_REG header (dword 0 after the barrier, in both dispatch forms) turned
 * into opcode 0x7A, which neither the validator nor the sim knows. */
#define CORRUPT_MASK (((uint32_t)PM4D_OP_SET_SH_REG ^ 0x7Au) << PM4D_PKT_OPCODE_SHIFT)

static void invalid(bool debug)
{
   struct fx_queue *fq = &queues[0];
   struct pm4d_direct_stats s;
   uint32_t j = fx_job_add(&fx, fq, 0);
   pm4d_direct_test_corrupt_templates(fx.d, 0, CORRUPT_MASK);
   enum pm4d_direct_status st = fx_submit(fq, j, 1, 0, 1);
   /* Refused before the kick with or without debug: by the full validator in debug mode, by
    * the per-batch check against the validated templates otherwise. */
   CHECKF(st == PM4D_DIRECT_INVALID, "corrupted template refused (%s)",
          pm4d_direct_status_name(st));
   const char *why = debug ? "validator refused" : "changed after";
   CHECKF(strstr(fq->batches[0].reason, why), "refused by the %s check: %s",
          debug ? "full" : "per-batch", fq->batches[0].reason);
   const struct fx_job *r = &fq->jobs[j]; /* the caller's fallback */
   pm4d_ref_conv2d(&r->job.params, r->in, r->filter, r->bias, r->out);
   fx_signal(&fq->bridge, 1);
   fx_stats(&fx, &s);
   CHECKF(s.validation_failures == 1 && s.batches == 0, "validation failure counted");
   pm4d_direct_test_corrupt_templates(fx.d, 0, CORRUPT_MASK); /* restore */
   fx_job_add(&fx, fq, 1);
   CHECKF(fx_submit(fq, j + 1, 1, 1, 2) == PM4D_DIRECT_OK, "restored template accepted");
   CHECKF(fx_wait(&fq->bridge, 2, FX_WAIT_NS) == 0, "restored batch ran");
   CHECKF(fx_check_points(fq, 2), "points");
   CHECKF(fx_check_outputs(fq) == 0, "outputs");
}

/* --- bitflip -------------------------------------------------------------------------- */
/* Every single-bit error of a one-job batch, in the ring between its build and its kick and
 * in the template it is copied from, and of a three-job batch, in the ring (its fallback
 * switches) and in the stored switch sequence, is refused before the kick (validation is not
 * switched off: this runs without debug); the job then runs through the fallback, and a clean
 * three-job batch (both kinds of switch) after all of them runs direct. */
static enum pm4d_direct_status submit_once(struct fx_queue *fq, uint32_t j, uint32_t count,
                                           char *reason, size_t rs)
{
   struct pm4d_job jobs[3] = {fq->jobs[j].job, fq->jobs[j].job, fq->jobs[j].job};
   return pm4d_direct_submit(fq->q, jobs, count, 0, 1, reason, rs);
}

/* Flips every bit of a batch of `count` copies of job j in the ring, one per submission, after
 * a first flip that learns the batch's size (*ndw); counts them in *flips (the first left out)
 * and checks that every one was refused. */
static void flip_ring(struct fx_queue *fq, uint32_t j, uint32_t count, uint32_t *ndw,
                      uint32_t *flips)
{
   char reason[256] = "";
   uint32_t refused = 0;
   /* the first refusal names the batch's size: "batch of N dwords differs ..." */
   pm4d_direct_test_flip_next_batch(fx.d, 0, 1);
   CHECKF(submit_once(fq, j, count, reason, sizeof(reason)) == PM4D_DIRECT_INVALID &&
             sscanf(reason, "batch of %u dwords", ndw) == 1 && *ndw % 8 == 0,
          "%u job(s): first flip refused, 32-byte multiple: %s", count, reason);
   for (uint32_t i = 0; i < *ndw; i++) {
      for (uint32_t bit = 0; bit < 32; bit++, ++*flips) {
         pm4d_direct_test_flip_next_batch(fx.d, i, 1u << bit);
         refused += submit_once(fq, j, count, reason, sizeof(reason)) == PM4D_DIRECT_INVALID;
      }
   }
   CHECKF(refused == *flips, "ring, %u job(s): %u of %u single-bit errors refused", count, refused,
          *flips);
}

/* Flips every bit of a stored part (corrupt: a test hook that flips dword i of it, 0 for a
 * patched slot or past its end), submitting `count` copies of job j after each; counts them
 * in *flips, returns how many were refused. */
static uint32_t flip_stored(struct fx_queue *fq, uint32_t j, uint32_t count,
                            uint32_t (*corrupt)(struct pm4d_direct *, uint32_t, uint32_t),
                            uint32_t *flips)
{
   char reason[256] = "";
   uint32_t refused = 0;
   for (uint32_t i = 0; i < PM4D_DISPATCH_MAX_DW; i++) {
      for (uint32_t bit = 0; bit < 32 && corrupt(fx.d, i, 1u << bit); bit++, ++*flips) {
         refused += submit_once(fq, j, count, reason, sizeof(reason)) == PM4D_DIRECT_INVALID;
         corrupt(fx.d, i, 1u << bit);
      }
   }
   return refused;
}

static void bitflip(void)
{
   struct fx_queue *fq = &queues[0];
   uint32_t j = fx_job_add(&fx, fq, 0), ndw = 0, flips = 0;
   flip_ring(fq, j, 1, &ndw, &flips);
   /* two copies of the template: a plain XOR of the batch would miss the error */
   uint32_t tflips = 0,
            trefused = flip_stored(fq, j, 2, pm4d_direct_test_corrupt_templates, &tflips);
   /* a dispatch body is 34 dwords on gfx1030, gfx1100 and gfx90a (test_pm4_kat.c), 5 of them
    * patched per launch (kernarg address lo/hi, grid x/y/z) */
   CHECKF(tflips == (34 - 5) * 32 && trefused == tflips,
          "templates: %u of %u single-bit errors refused", trefused, tflips);
   /* Three jobs, each with its fallback switch: every bit of the two switches between jobs
    * (and of the last one) in the ring, then of the stored switch sequence, whose two copies
    * a plain XOR of the batch would miss. */
   uint32_t ndw3 = 0, flips3 = 0;
   flip_ring(fq, j, 3, &ndw3, &flips3);
   uint32_t sflips = 0, srefused = flip_stored(fq, j, 3, pm4d_direct_test_corrupt_switch, &sflips);
   /* the switch between jobs is the barrier (EVENT_WRITE CS_PARTIAL_FLUSH: 2 dwords;
    * ACQUIRE_MEM: 7 on GFX9, 8 on GFX10.3 and GFX11, as in Mesa's si_cp_acquire_mem /
    * gfx10_emit_cache_flush) and a 5-dword WRITE_DATA, its 2-dword address left out: 12 or 13 */
   CHECKF((sflips == 12 * 32 || sflips == 13 * 32) && srefused == sflips,
          "switch sequence: %u of %u single-bit errors refused", srefused, sflips);
   struct pm4d_direct_stats s;
   fx_stats(&fx, &s);
   CHECKF(s.validation_failures == 2 + flips + tflips + flips3 + sflips && s.batches == 0,
          "every refusal counted (%" PRIu64 ")", s.validation_failures);
   const struct fx_job *r = &fq->jobs[j]; /* what the layer does after a refusal */
   pm4d_ref_conv2d(&r->job.params, r->in, r->filter, r->bias, r->out);
   fx_signal(&fq->bridge, 1);
   for (int k = 0; k < 3; k++) /* three jobs: both kinds of switch in the clean batch */
      fx_job_add(&fx, fq, 1);
   CHECKF(fx_submit(fq, j + 1, 3, 1, 2) == PM4D_DIRECT_OK, "clean batch accepted");
   CHECKF(fx_wait(&fq->bridge, 2, FX_WAIT_NS) == 0 && fq->bridge.direct[2] == 1,
          "clean batch ran direct");
   CHECKF(fx_check_outputs(fq) == 0, "outputs");
   printf("bitflip: %u ring and %u template single-bit errors refused (%u-dword batch); "
          "three jobs: %u ring and %u switch sequence errors refused (%u-dword batch)\n",
          flips, tflips, ndw, flips3, sflips, ndw3);
}

/* --- ring full ----------------------------------------------------------------------- */
static void ring_full(void)
{
   struct fx_queue *fq = &queues[0];
   /* Every batch waits for point 1, which arrives only after the burst: nothing retires. */
   uint32_t n = 0;
   enum pm4d_direct_status st = PM4D_DIRECT_OK;
   while (st == PM4D_DIRECT_OK && n < 60) {
      uint32_t j = fx_job_add(&fx, fq, n);
      st = fx_submit(fq, j, 1, 1, 2 + n);
      n++;
   }
   CHECKF(st == PM4D_DIRECT_RING_FULL && n > 2, "ring full after %u batches (%s: %s)", n,
          pm4d_direct_status_name(st), fq->batches[n - 1].reason);
   fx_signal(&fq->bridge, 1);
   CHECKF(fx_wait(&fq->bridge, n, FX_WAIT_NS) == 0, "accepted batches ran");
   /* The refused batch, as the layer runs it: through the driver, then its point. */
   const struct fx_job *r = &fq->jobs[n - 1];
   pm4d_ref_conv2d(&r->job.params, r->in, r->filter, r->bias, r->out);
   fx_signal(&fq->bridge, 1 + n);
   CHECKF(fx_check_points(fq, 1 + n), "points");
   CHECKF(fx_check_outputs(fq) == 0, "outputs");
   struct pm4d_direct_stats s;
   fx_stats(&fx, &s);
   CHECKF(s.ring_full == 1 && s.hangs == 0 && s.batches == n - 1,
          "stats: ring_full %" PRIu64 ", hangs %" PRIu64 ", batches %" PRIu64, s.ring_full, s.hangs,
          s.batches);
}

/* --- lifecycle ------------------------------------------------------------------------ */
static void *late_driver(void *arg)
{
   nanosleep(&(struct timespec){0, 100000000}, NULL);
   fx_signal(arg, 5);
   return NULL;
}

static void lifecycle(void)
{
   /* A running batch (slow, inside its deadline): destroy waits until it completes direct. */
   struct fx_queue *fq = &queues[0];
   inject("delay_us=20000");
   CHECKF(fx_submit(fq, fx_job_add(&fx, fq, 0), 1, 0, 1) == PM4D_DIRECT_OK, "submit");
   pm4d_direct_queue_destroy(fq->q);
   fq->q = NULL;
   CHECKF(fq->bridge.direct[1] == 1 && fq->batches[0].failed == 0, "running batch completed");
   CHECKF(fx_check_outputs(fq) == 0, "outputs");
   fx_queue_fini(fq);

   /* A batch whose wait point comes only after the destroy began: failed once, by reason. */
   inject("");
   fx_queue_init(&fx, fq);
   CHECKF(fq->q && fx_submit(fq, fx_job_add(&fx, fq, 1), 1, 5, 6) == PM4D_DIRECT_OK, "submit");
   pthread_t t;
   pthread_create(&t, NULL, late_driver, &fq->bridge);
   pm4d_direct_queue_destroy(fq->q); /* returns after batch_failed has returned */
   fq->q = NULL;
   pthread_join(t, NULL);
   CHECKF(fq->batches[0].failed == 1 && strstr(fq->batches[0].reason, "destroyed"),
          "unstarted batch failed once at destroy: %s", fq->batches[0].reason);
   CHECKF(fx_wait(&fq->bridge, 6, FX_WAIT_NS) == 0 && fx_check_points(fq, 6), "points");
   CHECKF(fx_check_outputs(fq) == 0, "outputs");
   struct pm4d_direct_stats s;
   fx_stats(&fx, &s);
   CHECKF(s.hangs == 0 && s.faults == 0 && s.resets == 1 && s.batches == 2,
          "stats: %" PRIu64 " hangs, %" PRIu64 " resets", s.hangs, s.resets);
   fx_queue_fini(fq);
   fx_queue_init(&fx, fq); /* main destroys one */
}

/* --- clock ---------------------------------------------------------------------------- */
/* pm4d_direct_queue_clock, as the sim calls it around an instruction-model run: while the
 * clock is stopped no batch is declared hung however long it takes (here a stalled CP, 4x the
 * deadline); once it runs again the deadline applies. */
static void clock_stop(void)
{
   struct fx_queue *fq = &queues[0];
   inject("stall_after=1"); /* the batch's second dispatch stalls */
   pm4d_direct_queue_clock(fq->q, false);
   uint32_t j = fx_job_add(&fx, fq, 0);
   fx_job_add(&fx, fq, 1);
   CHECKF(fx_submit(fq, j, 2, 0, 1) == PM4D_DIRECT_OK, "submit");
   nanosleep(&(struct timespec){0, (long)(4 * DEADLINE_NS)}, NULL);
   pthread_mutex_lock(&fq->bridge.mu);
   uint32_t failed = fq->batches[0].failed;
   pthread_mutex_unlock(&fq->bridge.mu);
   CHECKF(failed == 0, "no hang while the clock is stopped");
   pm4d_direct_queue_clock(fq->q, true);
   CHECKF(fx_wait(&fq->bridge, 1, FX_WAIT_NS) == 0, "the batch completes by its fallback");
   pthread_mutex_lock(&fq->bridge.mu);
   failed = fq->batches[0].failed;
   pthread_mutex_unlock(&fq->bridge.mu);
   CHECKF(failed == 1, "the stall is a hang once the clock runs (%u failures)", failed);
   CHECKF(fx_check_outputs(fq) == 0, "outputs");
}

/* --- replan --------------------------------------------------------------------------- */
/* A job submitted again reuses its slot's plan (pm4d_direct_queue.c plan_job) only while what
 * it was checked on is unchanged: in the slot of a job accepted just before, a shape that is
 * no convolution (more groups than channels: they must divide c), an output that ends past the
 * registered pool, and the job itself once its pool is unregistered are each refused; the
 * job runs direct again once restored. */
static enum pm4d_direct_status submit_alone(struct fx_queue *fq, const struct pm4d_job *job,
                                            uint64_t *point, char *reason, size_t rs)
{
   enum pm4d_direct_status st = pm4d_direct_submit(fq->q, job, 1, *point, *point + 1, reason, rs);
   if (st == PM4D_DIRECT_OK)
      CHECKF(fx_wait(&fq->bridge, *point + 1, FX_WAIT_NS) == 0, "batch to %llu ran",
             (unsigned long long)*point + 1);
   else
      fx_signal(&fq->bridge, *point + 1); /* the caller's fallback link signals it */
   (*point)++;
   return st;
}

static void replan(void)
{
   struct fx_queue *fq = &queues[0];
   char reason[256] = "";
   uint64_t point = 0;
   const struct pm4d_job job = fq->jobs[fx_job_add(&fx, fq, 0)].job;
   for (int i = 0; i < 2; i++)
      CHECKF(submit_alone(fq, &job, &point, reason, sizeof(reason)) == PM4D_DIRECT_OK,
             "submission %d of the job: %s", i, reason);

   struct pm4d_job bad = job;
   bad.params.groups = bad.params.c + 1;
   CHECKF(submit_alone(fq, &bad, &point, reason, sizeof(reason)) == PM4D_DIRECT_UNSUPPORTED &&
             strstr(reason, "does not divide"),
          "more groups than channels refused: %s", reason);
   CHECKF(submit_alone(fq, &job, &point, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "the shape restored: %s", reason);

   bad = job;
   bad.addr.output = (uint64_t)(uintptr_t)(fx.pool + fx.pool_size) - 4;
   CHECKF(submit_alone(fq, &bad, &point, reason, sizeof(reason)) == PM4D_DIRECT_UNSUPPORTED &&
             strstr(reason, "output") && strstr(reason, "outside"),
          "output past the pool refused: %s", reason);
   CHECKF(submit_alone(fq, &job, &point, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "the output restored: %s", reason);

   pm4d_direct_memory_unregister(fx.d, 1);
   CHECKF(submit_alone(fq, &job, &point, reason, sizeof(reason)) == PM4D_DIRECT_UNSUPPORTED &&
             strstr(reason, "not registered"),
          "the job on an unregistered pool refused: %s", reason);
   CHECKF(pm4d_direct_memory_register(fx.d, 1, fx.pool, fx.pool_size, -1) == PM4D_DIRECT_OK,
          "pool registered again");
   CHECKF(submit_alone(fq, &job, &point, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "the pool restored: %s", reason);
}

int main(int argc, char **argv)
{
   const char *what = argc > 1 ? argv[1] : "healthy";
   struct pm4d_direct_config cfg = {.backend = PM4D_DIRECT_BACKEND_SIM,
                                    .debug = true,
                                    .deadline_base_ns = !strcmp(what, "faults") ||
                                                              !strcmp(what, "clock") ||
                                                              !strcmp(what, "pingpong")
                                                           ? DEADLINE_NS
                                                           : RELAXED_DEADLINE_NS};
   if (!strcmp(what, "ring_full"))
      cfg.ring_bytes = 4096;
   if (!strcmp(what, "invalid_nodebug") || !strcmp(what, "bitflip"))
      cfg.debug = false;
   int rc = fx_init(&fx, &cfg);
   if (rc)
      return rc;
   fx_warm_up(&fx);
   unsigned nq = !strcmp(what, "healthy") ? 2 : 1;
   for (unsigned i = 0; i < nq; i++) {
      fx_queue_init(&fx, &queues[i]);
      CHECKF(queues[i].q != NULL, "queue %u created", i);
   }
   if (queues[0].q && (nq == 1 || queues[1].q)) {
      if (!strcmp(what, "healthy"))
         healthy();
      else if (!strcmp(what, "faults"))
         faults();
      else if (!strcmp(what, "invalid"))
         invalid(true);
      else if (!strcmp(what, "invalid_nodebug"))
         invalid(false);
      else if (!strcmp(what, "ring_full"))
         ring_full();
      else if (!strcmp(what, "bitflip"))
         bitflip();
      else if (!strcmp(what, "lifecycle"))
         lifecycle();
      else if (!strcmp(what, "clock"))
         clock_stop();
      else if (!strcmp(what, "pingpong"))
         pingpong();
      else if (!strcmp(what, "replan"))
         replan();
      else
         CHECKF(false, "unknown scenario %s", what);
   }
   for (unsigned i = 0; i < nq; i++)
      fx_queue_fini(&queues[i]);
   fx_fini(&fx);
   return pm4d_check_finish(__FILE__);
}
