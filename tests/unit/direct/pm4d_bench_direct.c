/* Host cost of pm4d_direct_submit on the template path, over the sim with its no_exec switch
 * (the CP decodes every dispatch but runs no kernel), with validation off and on. Not a test:
 *   pm4d_bench_direct [submissions] [jobs per batch] [off|on|both]
 * prints ns per job for each mode. These are sim/CPU figures, never hardware figures. Under
 * callgrind, --toggle-collect=pm4d_direct_submit counts the submit path's instructions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_direct_fixture.h"

#define ROUND 32u

static uint64_t now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int run(bool debug, uint32_t n, uint32_t per_batch)
{
   struct fx fx;
   struct fx_queue *fq = malloc(sizeof(*fq));
   const struct pm4d_direct_config cfg = {.backend = PM4D_DIRECT_BACKEND_SIM, .debug = debug};
   int rc = fx_init(&fx, &cfg);
   if (rc) {
      free(fq);
      return rc;
   }
   fx_queue_init(&fx, fq);
   struct pm4d_job jobs[16];
   for (uint32_t j = 0; j < per_batch; j++)
      jobs[j] = fq->jobs[fx_job_add(&fx, fq, 0)].job; /* the 3x3 kernel */
   uint64_t spent = 0, refused = 0;
   char reason[256];
   for (uint32_t i = 0; i < n; i++) {
      /* Rounds that fit the batch list and the ring, drained untimed: a submit that waits for
       * space measures the sim's speed, not the host path. */
      if (i % ROUND == 0 && i)
         fx_wait(&fq->bridge, i, FX_WAIT_NS);
      uint64_t t0 = now_ns();
      enum pm4d_direct_status st =
         pm4d_direct_submit(fq->q, jobs, per_batch, i, i + 1, reason, sizeof(reason));
      spent += now_ns() - t0;
      if (st != PM4D_DIRECT_OK) {
         refused++;
         fx_signal(&fq->bridge, i + 1); /* the caller's fallback would run here */
      }
   }
   fx_wait(&fq->bridge, n, FX_WAIT_NS);
   struct pm4d_direct_stats s;
   pm4d_direct_stats_get(fx.d, &s);
   printf("validation %-3s: %u batches x %u jobs: %.0f ns per job in pm4d_direct_submit "
          "(%llu refused, %llu template / %llu dynamic dispatches) [sim no_exec, CPU]\n",
          debug ? "on" : "off", n, per_batch, (double)spent / ((double)n * per_batch),
          (unsigned long long)refused, (unsigned long long)s.template_dispatches,
          (unsigned long long)s.dynamic_dispatches);
   fx_queue_fini(fq);
   fx_fini(&fx);
   free(fq);
   return 0;
}

int main(int argc, char **argv)
{
   uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 20000;
   uint32_t per = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1;
   if (per == 0 || per > 16)
      per = 1;
   const char *mode = argc > 3 ? argv[3] : "both"; /* off, on or both */
   setenv("PM4DIRECT_SIM_FAULT", "no_exec", 1);
   int rc = mode[1] == 'n' ? 0 : run(false, n, per); /* "on" skips the off run */
   return rc || !strcmp(mode, "off") ? rc : run(true, n, per);
}
