/* The submission path allocates nothing once warm: 1,000 submissions of 2-job batches over the
 * sim (no_exec: the CP decodes every dispatch, runs no kernel), with validation off and on,
 * counted through the pm4d_alloc wrappers (pm4d_alloc_inject's counter, every thread of the
 * process: the watchdog and the sim's threads included) must make 0 allocations. */
#include <stdio.h>
#include <stdlib.h>

#include "pm4d_alloc.h"
#include "pm4d_check.h"
#include "pm4d_direct_fixture.h"

#define WARM  64u
#define COUNT 1000u
#define ROUND 32u /* fits the batch list and the ring: no submission waits for space */
#define JOBS  2u

static int run(bool debug)
{
   static struct fx fx;
   static struct fx_queue fq;
   const struct pm4d_direct_config cfg = {.backend = PM4D_DIRECT_BACKEND_SIM, .debug = debug};
   int rc = fx_init(&fx, &cfg);
   if (rc)
      return rc;
   fx_queue_init(&fx, &fq);
   struct pm4d_job jobs[JOBS];
   for (uint32_t j = 0; j < JOBS; j++)
      jobs[j] = fq.jobs[fx_job_add(&fx, &fq, j)].job;
   char reason[256] = "";
   uint32_t refused = 0;
   unsigned long allocations = 0;
   for (uint32_t i = 0; i < WARM + COUNT; i++) {
      if (i == WARM) {
         fx_wait(&fq.bridge, i, FX_WAIT_NS);
         pm4d_alloc_fail_at(0); /* fails none; the count starts again here */
      } else if (i % ROUND == 0 && i) {
         fx_wait(&fq.bridge, i, FX_WAIT_NS);
      }
      if (pm4d_direct_submit(fq.q, jobs, JOBS, i, i + 1, reason, sizeof(reason)) !=
          PM4D_DIRECT_OK) {
         refused++;
         fx_signal(&fq.bridge, i + 1);
      }
   }
   CHECKF(fx_wait(&fq.bridge, WARM + COUNT, FX_WAIT_NS) == 0, "every batch completed");
   allocations = pm4d_alloc_count();
   CHECKF(refused == 0, "%u submissions refused (last: %s)", refused, reason);
   CHECKF(allocations == 0, "validation %s: %lu allocations over %u warm submissions",
          debug ? "on" : "off", allocations, COUNT);
   printf("validation %s: %lu allocations over %u warm submissions of %u jobs\n",
          debug ? "on" : "off", allocations, COUNT, JOBS);
   fx_queue_fini(&fq);
   fx_fini(&fx);
   return 0;
}

int main(void)
{
   setenv("PM4DIRECT_SIM_FAULT", "no_exec", 1);
   int rc = run(false);
   if (rc == 0)
      rc = run(true);
   return rc ? rc : pm4d_check_finish("direct_hot_path_allocations");
}
