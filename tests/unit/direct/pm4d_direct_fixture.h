/* Test fixture for the direct path without Vulkan: a bridge timeline (mutex + condvar counter)
 * that records who signalled each point, conv2d jobs over one registered host pool, each with
 * its fallback switch there (armed at the submit, cleared by the batch), and the driver link
 * after each batch as the layer makes it: when the batch's point is signalled, every job still
 * armed runs through the C reference before the point is seen. batch_failed only records. */
#ifndef PM4D_DIRECT_FIXTURE_H
#define PM4D_DIRECT_FIXTURE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pm4d_direct.h"

#define FX_MAX_POINTS  256u
#define FX_MAX_JOBS    512u
#define FX_MAX_BATCHES 128u
#define FX_WAIT_NS     10000000000ull /* every wait in the tests ends within 10 s */

struct fx_bridge {
   pthread_mutex_t mu;
   pthread_cond_t cv;
   uint64_t value;
   uint64_t last_direct;
   bool out_of_order; /* a point arrived below the current value */
   uint32_t direct[FX_MAX_POINTS], driver[FX_MAX_POINTS]; /* who signalled each point */
   uint64_t reached_ns[FX_MAX_POINTS];
};

struct fx_job {
   struct pm4d_job job;
   float *in, *filter, *bias, *out;
   uint32_t *armed;   /* the job's fallback switch (job.disarm), in the registered pool */
   bool via_fallback; /* its fallback ran */
};

struct fx_batch {
   uint32_t first, count;
   uint64_t wait_point, signal_point;
   enum pm4d_direct_status submitted;
   uint32_t failed;
   uint32_t fallbacks; /* jobs that ran through their fallback (still armed at the point) */
   uint64_t failed_ns;
   char reason[160];
};

struct fx_queue {
   struct fx_bridge bridge; /* first: the bridge's user is the queue */
   struct pm4d_direct_queue *q;
   struct fx_job jobs[FX_MAX_JOBS];
   uint32_t njobs;
   struct fx_batch batches[FX_MAX_BATCHES];
   uint32_t nbatches; /* written by the submitting thread, read by the callback under bridge.mu */
};

struct fx {
   struct pm4d_direct *d;
   uint8_t *pool;
   uint64_t pool_size, pool_used;
   pthread_mutex_t pool_mu;
   uint32_t seed;
   bool fallback_error;
   struct pm4d_direct_stats base; /* counters after the warm-up */
};

/* The batch_failed callback (user: the struct fx): records the report. */
void fx_batch_failed(void *user, void *queue_user, const struct pm4d_job *jobs, uint32_t count,
                     uint64_t wait_point, uint64_t signal_point, const char *reason);

/* Creates the direct path (sim); 77 when it cannot serve (no PoCL, no code objects), after
 * printing SKIPPED. */
int fx_init(struct fx *fx, const struct pm4d_direct_config *cfg);
void fx_fini(struct fx *fx);
/* Runs every kernel once on a queue of its own (PoCL compiles a kernel at its first launch,
 * which may take longer than a test deadline) and records the counters after it. */
void fx_warm_up(struct fx *fx);
/* Counters since the warm-up. */
void fx_stats(struct fx *fx, struct pm4d_direct_stats *out);
void fx_queue_init(struct fx *fx, struct fx_queue *fq);
void fx_queue_fini(struct fx_queue *fq);

/* Adds a job of shape `shape` (0..FX_SHAPES-1) with filled inputs. */
#define FX_SHAPES 3
uint32_t fx_job_add(struct fx *fx, struct fx_queue *fq, unsigned shape);
/* Shape `shape` (0..FX_SHAPES-1), not yet checked (0: 3x3, stride 1, padding 1, bias, ReLU). */
struct pm4d_conv2d_params fx_shape(unsigned shape);
/* A job of checked shape p on the given pool buffers (fx_alloc). */
uint32_t fx_job_add_buffers(struct fx *fx, struct fx_queue *fq, const struct pm4d_conv2d_params *p,
                            float *in, float *filter, float *bias, float *out);
/* Floats from the registered pool (256-byte aligned). */
float *fx_alloc(struct fx *fx, size_t floats);
/* Submits jobs [first, first + count) as one batch (arming each job's fallback switch first)
 * and records it. */
enum pm4d_direct_status fx_submit(struct fx_queue *fq, uint32_t first, uint32_t count,
                                  uint64_t wait_point, uint64_t signal_point);

/* What the layer does with a batch pm4d_direct_submit refused: after its wait point, the
 * fallbacks (all armed) and the point, signalled by the driver. */
void fx_run_refused(struct fx_queue *fq, uint32_t batch);
/* The driver's side: signal a point (a driver segment or a fallback). */
void fx_signal(struct fx_bridge *b, uint64_t point);
/* 0 once value >= point, 1 at timeout. */
int fx_wait(struct fx_bridge *b, uint64_t point, uint64_t timeout_ns);

/* Every job's output against the reference (fp32 bound 1e-5 of the output norm); the count
 * of bad jobs. */
uint32_t fx_check_outputs(const struct fx_queue *fq);
/* Each signal point of the queue's batches up to `last` signalled exactly once, by the direct
 * path for a kicked batch (failed or not: one signaller), by the driver for a refused one, in
 * order. Returns false and prints why otherwise. */
bool fx_check_points(struct fx_queue *fq, uint64_t last);

#endif
