/* Allocation failures in the direct path (device, queue, submission, watchdog, sim back end,
 * ring): a short run (create, register memory, a queue, a chain of batches, destroy) is
 * replayed with its k-th allocation failing, for every k, then with every allocation failing.
 * Each run must refuse cleanly (create/register/queue) or carry on with the refused batches
 * run by their fallbacks: every output right, every bridge point signalled exactly once, no
 * crash, and under ASan no leak. Uses the pm4d_alloc_inject hook (test builds only). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_alloc.h"
#include "pm4d_check.h"
#include "pm4d_conv2d_ref.h"
#include "pm4d_direct_fixture.h"

#define BATCHES 4u

static struct fx fx;
static struct fx_queue fq;

enum outcome { REFUSED_CREATE, REFUSED_MEMORY, REFUSED_QUEUE, RAN };

static enum outcome run_once(uint32_t *direct, uint32_t *fallbacks)
{
   const struct pm4d_direct_config cfg = {
      .backend = PM4D_DIRECT_BACKEND_SIM, .debug = true, .deadline_base_ns = 2000000000ull};
   const struct pm4d_direct_callbacks cb = {.user = &fx, .batch_failed = fx_batch_failed};
   char reason[256] = "";
   enum outcome out = RAN;
   memset(&fx, 0, sizeof(fx));
   pthread_mutex_init(&fx.pool_mu, NULL);
   fx.seed = 7;
   fx.pool_size = 1u << 20;
   fx.pool = aligned_alloc(4096, fx.pool_size);
   enum pm4d_direct_status st = pm4d_direct_create(&cfg, &cb, &fx.d, reason, sizeof(reason));
   if (st != PM4D_DIRECT_OK) {
      CHECKF(st == PM4D_DIRECT_NOMEM || st == PM4D_DIRECT_UNAVAILABLE, "create: %s: %s",
             pm4d_direct_status_name(st), reason);
      CHECKF(reason[0] != '\0', "create refused without a reason");
      free(fx.pool);
      pthread_mutex_destroy(&fx.pool_mu);
      return REFUSED_CREATE;
   }
   st = pm4d_direct_memory_register(fx.d, 1, fx.pool, fx.pool_size, -1);
   if (st != PM4D_DIRECT_OK) {
      CHECKF(st == PM4D_DIRECT_NOMEM, "register: %s", pm4d_direct_status_name(st));
      out = REFUSED_MEMORY;
      goto done;
   }
   fx_queue_init(&fx, &fq);
   if (!fq.q) {
      out = REFUSED_QUEUE;
      fx_queue_fini(&fq);
      goto done;
   }
   for (uint32_t i = 0; i < BATCHES; i++) {
      uint32_t j = fx_job_add(&fx, &fq, i);
      if (fx_submit(&fq, j, 1, i, i + 1) != PM4D_DIRECT_OK) {
         /* The layer's fallback for a refused batch: after its wait point, through the driver. */
         CHECKF(fx_wait(&fq.bridge, i, FX_WAIT_NS) == 0, "wait point %u", i);
         const struct fx_job *r = &fq.jobs[j];
         pm4d_ref_conv2d(&r->job.params, r->in, r->filter, r->bias, r->out);
         fx_signal(&fq.bridge, i + 1);
         ++*fallbacks;
      }
   }
   CHECKF(fx_wait(&fq.bridge, BATCHES, FX_WAIT_NS) == 0, "chain finished");
   CHECKF(fx_check_points(&fq, BATCHES), "every point signalled once");
   CHECKF(fx_check_outputs(&fq) == 0, "outputs");
   CHECKF(!fx.fallback_error, "failed batches' fallbacks ran");
   for (uint32_t p = 1; p <= BATCHES; p++)
      *direct += fq.bridge.direct[p];
   fx_queue_fini(&fq);
done:
   fx_fini(&fx);
   return out;
}

int main(void)
{
   uint32_t direct = 0, fallbacks = 0;
   /* PoCL compiles each kernel at its first launch, which can take seconds on a loaded machine:
    * warm its cache first so that the counted runs see no hang. */
   const struct pm4d_direct_config warm = {.backend = PM4D_DIRECT_BACKEND_SIM};
   if (fx_init(&fx, &warm) == 0) {
      fx_warm_up(&fx);
      fx_fini(&fx);
   }
   pm4d_alloc_fail_at(0);
   if (run_once(&direct, &fallbacks) == REFUSED_CREATE) {
      printf("SKIPPED: the direct path is unavailable in this build\n");
      return 77;
   }
   unsigned long total = pm4d_alloc_count();
   CHECKF(direct == BATCHES && fallbacks == 0, "clean run: %u direct, %u fallbacks", direct,
          fallbacks);
   unsigned counts[4] = {0};
   for (unsigned long k = 1; k <= total + 1; k++) {
      direct = fallbacks = 0;
      pm4d_alloc_fail_at((long)k);
      enum outcome o = run_once(&direct, &fallbacks);
      counts[o]++;
      CHECKF(o != RAN || direct + fallbacks >= BATCHES, "allocation %lu: %u direct + %u refused", k,
             direct, fallbacks);
   }
   pm4d_alloc_fail_at(PM4D_ALLOC_FAIL_ALL);
   CHECKF(run_once(&direct, &fallbacks) == REFUSED_CREATE, "every allocation failing: refused");
   pm4d_alloc_fail_at(0);
   printf("%lu allocations in a run; failing each in turn: %u refused at create, %u at memory "
          "registration, %u at queue creation, %u ran to the end (refused batches by fallback)\n",
          total, counts[REFUSED_CREATE], counts[REFUSED_MEMORY], counts[REFUSED_QUEUE],
          counts[RAN]);
   CHECKF(counts[RAN] > 0 && counts[REFUSED_CREATE] > 0, "both kinds of outcome seen");
   return pm4d_check_finish("test_direct_oom");
}
