#include "pm4d_direct_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_conv2d_ref.h"

static uint64_t now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void run_job(struct fx_job *j)
{
   const struct pm4d_job *p = &j->job;
   pm4d_ref_conv2d(&p->params, (const float *)(uintptr_t)p->addr.input,
                   (const float *)(uintptr_t)p->addr.filter, (const float *)(uintptr_t)p->addr.bias,
                   (float *)(uintptr_t)p->addr.output);
   j->via_fallback = true;
}

/* The driver links after the batches whose points (value, point] now reach: their jobs still
 * armed run, in order, before anything sees the point (the link waits for it, then runs). */
static void run_armed(struct fx_queue *fq, uint64_t point)
{
   struct fx_bridge *b = &fq->bridge;
   pthread_mutex_lock(&b->mu);
   uint64_t from = b->value;
   uint32_t n = fq->nbatches;
   pthread_mutex_unlock(&b->mu);
   for (uint32_t i = 0; i < n; i++) {
      struct fx_batch *bt = &fq->batches[i];
      pthread_mutex_lock(&b->mu);
      bool due =
         bt->signal_point > from && bt->signal_point <= point && bt->submitted == PM4D_DIRECT_OK;
      uint32_t first = bt->first, count = bt->count;
      pthread_mutex_unlock(&b->mu);
      if (!due)
         continue;
      for (uint32_t k = first; k < first + count; k++) {
         struct fx_job *j = &fq->jobs[k];
         if (__atomic_load_n(j->armed, __ATOMIC_ACQUIRE)) {
            run_job(j);
            __atomic_add_fetch(&bt->fallbacks, 1, __ATOMIC_RELAXED);
         }
      }
   }
}

static void bridge_set(struct fx_bridge *b, uint64_t point, bool direct)
{
   pthread_mutex_lock(&b->mu);
   if (point < FX_MAX_POINTS) {
      if (direct)
         b->direct[point]++;
      else
         b->driver[point]++;
   }
   if (point < b->value || (direct && point <= b->last_direct))
      b->out_of_order = true;
   if (direct)
      b->last_direct = point;
   if (point > b->value) {
      for (uint64_t p = b->value + 1; p <= point && p < FX_MAX_POINTS; p++)
         b->reached_ns[p] = now_ns();
      b->value = point;
   }
   pthread_cond_broadcast(&b->cv);
   pthread_mutex_unlock(&b->mu);
}

void fx_signal(struct fx_bridge *b, uint64_t point)
{
   bridge_set(b, point, false);
}

int fx_wait(struct fx_bridge *b, uint64_t point, uint64_t timeout_ns)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   uint64_t end = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + timeout_ns;
   ts.tv_sec = (time_t)(end / 1000000000ull);
   ts.tv_nsec = (long)(end % 1000000000ull);
   pthread_mutex_lock(&b->mu);
   int r = 0;
   while (b->value < point && r == 0)
      r = pthread_cond_timedwait(&b->cv, &b->mu, &ts);
   bool ok = b->value >= point;
   pthread_mutex_unlock(&b->mu);
   return ok ? 0 : 1;
}

static int bridge_wait(void *user, uint64_t point, uint64_t timeout_ns)
{
   return fx_wait(&((struct fx_queue *)user)->bridge, point, timeout_ns);
}

static int bridge_signal(void *user, uint64_t point)
{
   struct fx_queue *fq = user; /* the bridge is its first member */
   run_armed(fq, point);
   bridge_set(&fq->bridge, point, true);
   return 0;
}

void fx_batch_failed(void *user, void *queue_user, const struct pm4d_job *jobs, uint32_t count,
                     uint64_t wait_point, uint64_t signal_point, const char *reason)
{
   (void)user, (void)jobs;
   struct fx_queue *fq = queue_user;
   pthread_mutex_lock(&fq->bridge.mu);
   for (uint32_t i = 0; i < fq->nbatches; i++) {
      struct fx_batch *b = &fq->batches[i];
      if (b->signal_point == signal_point && b->wait_point == wait_point && b->count == count) {
         b->failed++;
         b->failed_ns = now_ns();
         snprintf(b->reason, sizeof(b->reason), "%s", reason);
      }
   }
   pthread_mutex_unlock(&fq->bridge.mu);
   fprintf(stderr, "batch_failed %llu->%llu (%u jobs): %s\n", (unsigned long long)wait_point,
           (unsigned long long)signal_point, count, reason);
}

void fx_run_refused(struct fx_queue *fq, uint32_t batch)
{
   struct fx_batch *b = &fq->batches[batch];
   if (fx_wait(&fq->bridge, b->wait_point, FX_WAIT_NS) != 0)
      return;
   for (uint32_t k = b->first; k < b->first + b->count; k++)
      run_job(&fq->jobs[k]);
   b->fallbacks = b->count;
   fx_signal(&fq->bridge, b->signal_point);
}

int fx_init(struct fx *fx, const struct pm4d_direct_config *cfg)
{
   char reason[256] = "";
   memset(fx, 0, sizeof(*fx));
   pthread_mutex_init(&fx->pool_mu, NULL);
   fx->seed = 12345;
   fx->pool_size = 16u << 20;
   fx->pool = aligned_alloc(4096, fx->pool_size);
   const struct pm4d_direct_callbacks cb = {.user = fx, .batch_failed = fx_batch_failed};
   enum pm4d_direct_status st = pm4d_direct_create(cfg, &cb, &fx->d, reason, sizeof(reason));
   if (st == PM4D_DIRECT_UNAVAILABLE) {
      printf("SKIPPED: direct path unavailable: %s\n", reason);
      free(fx->pool);
      return 77;
   }
   if (st != PM4D_DIRECT_OK || !fx->pool) {
      fprintf(stderr, "pm4d_direct_create: %s: %s\n", pm4d_direct_status_name(st), reason);
      return 1;
   }
   if (pm4d_direct_memory_register(fx->d, 1, fx->pool, fx->pool_size, -1) != PM4D_DIRECT_OK) {
      fprintf(stderr, "memory_register failed\n");
      return 1;
   }
   return 0;
}

void fx_fini(struct fx *fx)
{
   pm4d_direct_memory_unregister(fx->d, 1);
   pm4d_direct_destroy(fx->d);
   free(fx->pool);
   pthread_mutex_destroy(&fx->pool_mu);
}

void fx_queue_init(struct fx *fx, struct fx_queue *fq)
{
   memset(fq, 0, sizeof(*fq));
   pthread_mutex_init(&fq->bridge.mu, NULL);
   pthread_condattr_t ca;
   pthread_condattr_init(&ca);
   pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
   pthread_cond_init(&fq->bridge.cv, &ca);
   pthread_condattr_destroy(&ca);
   const struct pm4d_bridge br = {
      .user = fq, .wait = bridge_wait, .signal = bridge_signal, .opaque_fd = -1};
   if (pm4d_direct_queue_create(fx->d, &br, fq, &fq->q) != PM4D_DIRECT_OK)
      fq->q = NULL;
}

void fx_queue_fini(struct fx_queue *fq)
{
   pm4d_direct_queue_destroy(fq->q);
   pthread_mutex_destroy(&fq->bridge.mu);
   pthread_cond_destroy(&fq->bridge.cv);
}

float *fx_alloc(struct fx *fx, size_t floats)
{
   pthread_mutex_lock(&fx->pool_mu);
   uint64_t bytes = (floats * sizeof(float) + 255u) & ~255ull;
   float *p = NULL;
   if (fx->pool_used + bytes <= fx->pool_size) {
      p = (float *)(fx->pool + fx->pool_used);
      fx->pool_used += bytes;
   }
   pthread_mutex_unlock(&fx->pool_mu);
   return p;
}

/* Small shapes, one per kernel variant: 3x3 (bias, ReLU), 1x1 stride 2, generic (stride,
 * padding, dilation, groups). */
static const struct pm4d_conv2d_params shapes[FX_SHAPES] = {
   {.n = 1,
    .c = 4,
    .h = 10,
    .w = 9,
    .k = 6,
    .r = 3,
    .s = 3,
    .stride_h = 1,
    .stride_w = 1,
    .pad_h = 1,
    .pad_w = 1,
    .dil_h = 1,
    .dil_w = 1,
    .groups = 1,
    .has_bias = true,
    .relu = true},
   {.n = 2,
    .c = 8,
    .h = 7,
    .w = 7,
    .k = 5,
    .r = 1,
    .s = 1,
    .stride_h = 2,
    .stride_w = 2,
    .dil_h = 1,
    .dil_w = 1,
    .groups = 1},
   {.n = 1,
    .c = 6,
    .h = 9,
    .w = 11,
    .k = 4,
    .r = 3,
    .s = 2,
    .stride_h = 2,
    .stride_w = 1,
    .pad_h = 1,
    .pad_w = 2,
    .dil_h = 2,
    .dil_w = 1,
    .groups = 2,
    .has_bias = true},
};

struct pm4d_conv2d_params fx_shape(unsigned shape)
{
   return shapes[shape % FX_SHAPES];
}

uint32_t fx_job_add(struct fx *fx, struct fx_queue *fq, unsigned shape)
{
   struct pm4d_conv2d_params p = fx_shape(shape);
   char why[128];
   pm4d_conv2d_params_check(&p, why, sizeof(why));
   size_t n_in = (size_t)p.n * p.c * p.h * p.w, n_f = (size_t)p.k * (p.c / p.groups) * p.r * p.s;
   size_t n_out = (size_t)p.n * p.k * p.oh * p.ow;
   float *in = fx_alloc(fx, n_in), *filter = fx_alloc(fx, n_f), *bias = fx_alloc(fx, p.k);
   float *out = fx_alloc(fx, n_out);
   pthread_mutex_lock(&fx->pool_mu);
   pm4d_ref_fill(in, n_in, &fx->seed);
   pm4d_ref_fill(filter, n_f, &fx->seed);
   pm4d_ref_fill(bias, p.k, &fx->seed);
   pthread_mutex_unlock(&fx->pool_mu);
   memset(out, 0xff, n_out * sizeof(float)); /* NaN until written */
   return fx_job_add_buffers(fx, fq, &p, in, filter, bias, out);
}

uint32_t fx_job_add_buffers(struct fx *fx, struct fx_queue *fq, const struct pm4d_conv2d_params *pp,
                            float *in, float *filter, float *bias, float *out)
{
   struct fx_job *j = &fq->jobs[fq->njobs];
   const struct pm4d_conv2d_params p = *pp;
   j->in = in;
   j->filter = filter;
   j->bias = bias;
   j->out = out;
   j->armed = (uint32_t *)fx_alloc(fx, 1);
   *j->armed = 0;
   j->via_fallback = false;
   j->job = (struct pm4d_job){
      .params = p,
      .addr = {(uint64_t)(uintptr_t)j->in, (uint64_t)(uintptr_t)j->filter,
               (uint64_t)(uintptr_t)j->bias, (uint64_t)(uintptr_t)j->out},
      .memory_ids = {1, 1, 1, 1},
      .disarm = (uint64_t)(uintptr_t)j->armed,
      .disarm_memory = 1,
   };
   return fq->njobs++;
}

enum pm4d_direct_status fx_submit(struct fx_queue *fq, uint32_t first, uint32_t count,
                                  uint64_t wait_point, uint64_t signal_point)
{
   struct pm4d_job jobs[64];
   char reason[256] = "";
   for (uint32_t i = 0; i < count && i < 64; i++) {
      jobs[i] = fq->jobs[first + i].job;
      *fq->jobs[first + i].armed = 1; /* armed before anything can run the fallback */
   }
   /* Recorded before the submit: the batch may fail before pm4d_direct_submit returns. */
   pthread_mutex_lock(&fq->bridge.mu);
   struct fx_batch *b = &fq->batches[fq->nbatches++];
   *b = (struct fx_batch){.first = first,
                          .count = count,
                          .wait_point = wait_point,
                          .signal_point = signal_point,
                          .submitted = PM4D_DIRECT_OK};
   pthread_mutex_unlock(&fq->bridge.mu);
   enum pm4d_direct_status st =
      pm4d_direct_submit(fq->q, jobs, count, wait_point, signal_point, reason, sizeof(reason));
   pthread_mutex_lock(&fq->bridge.mu);
   b->submitted = st;
   if (st != PM4D_DIRECT_OK)
      snprintf(b->reason, sizeof(b->reason), "%s", reason);
   pthread_mutex_unlock(&fq->bridge.mu);
   return st;
}

void fx_warm_up(struct fx *fx)
{
   struct fx_queue *w = malloc(sizeof(*w));
   fx_queue_init(fx, w);
   uint64_t point = 0;
   /* Each kernel until one batch of it ran direct: a compile past the deadline fails the batch,
    * but the compile finishes before the reset completes, so the next try is fast. */
   for (unsigned i = 0; w->q && i < FX_SHAPES; i++) {
      for (int tries = 0; tries < 5; tries++, point++) {
         fx_submit(w, fx_job_add(fx, w, i), 1, point, point + 1);
         if (fx_wait(&w->bridge, point + 1, FX_WAIT_NS) != 0) {
            fx->fallback_error = true;
            break;
         }
         if (w->bridge.direct[point + 1]) {
            point++;
            break;
         }
      }
   }
   fx_queue_fini(w);
   free(w);
   pm4d_direct_stats_get(fx->d, &fx->base);
}

void fx_stats(struct fx *fx, struct pm4d_direct_stats *out)
{
   pm4d_direct_stats_get(fx->d, out);
   out->batches -= fx->base.batches;
   out->jobs -= fx->base.jobs;
   out->template_dispatches -= fx->base.template_dispatches;
   out->dynamic_dispatches -= fx->base.dynamic_dispatches;
   out->validation_failures -= fx->base.validation_failures;
   out->ring_full -= fx->base.ring_full;
   out->hangs -= fx->base.hangs;
   out->faults -= fx->base.faults;
   out->resets -= fx->base.resets;
}

uint32_t fx_check_outputs(const struct fx_queue *fq)
{
   uint32_t bad = 0;
   for (uint32_t i = 0; i < fq->njobs; i++) {
      const struct fx_job *j = &fq->jobs[i];
      const struct pm4d_conv2d_params *p = &j->job.params;
      size_t n = (size_t)p->n * p->k * p->oh * p->ow;
      float *ref = malloc(n * sizeof(float));
      pm4d_ref_conv2d(p, j->in, j->filter, j->bias, ref);
      double err = pm4d_ref_rel_error(j->out, ref, n);
      if (!(err <= 1e-5)) {
         fprintf(stderr, "job %u: relative error %g\n", i, err);
         bad++;
      }
      free(ref);
   }
   return bad;
}

bool fx_check_points(struct fx_queue *fq, uint64_t last)
{
   bool ok = true;
   pthread_mutex_lock(&fq->bridge.mu);
   if (fq->bridge.out_of_order) {
      fprintf(stderr, "bridge points arrived out of order\n");
      ok = false;
   }
   for (uint32_t i = 0; i < fq->nbatches; i++) {
      uint64_t p = fq->batches[i].signal_point;
      if (p > last || p >= FX_MAX_POINTS)
         continue;
      bool kicked = fq->batches[i].submitted == PM4D_DIRECT_OK;
      if (fq->bridge.direct[p] != (kicked ? 1u : 0u) ||
          fq->bridge.driver[p] != (kicked ? 0u : 1u)) {
         fprintf(stderr,
                 "point %llu of a %s batch signalled by the direct path %u, the driver %u\n",
                 (unsigned long long)p, kicked ? "kicked" : "refused", fq->bridge.direct[p],
                 fq->bridge.driver[p]);
         ok = false;
      }
      if (fq->batches[i].failed > 1) {
         fprintf(stderr, "batch ->%llu failed %u times\n", (unsigned long long)p,
                 fq->batches[i].failed);
         ok = false;
      }
   }
   pthread_mutex_unlock(&fq->bridge.mu);
   return ok;
}
