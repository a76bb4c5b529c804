/* Diagnostics of a direct-path failure (PM4DIRECT_DIAG_DIR, see layer/safety/pm4d_diag.h):
 * besides the failing batch's PM4 and the process counters, jobs.txt (every affected batch's
 * jobs: shape and addresses) and ring.txt (ring, kernarg and fence positions, the queue's
 * counters). Runs on failure paths only. */
#include <inttypes.h>

#include "pm4d_config.h"
#include "pm4d_diag.h"
#include "pm4d_direct_internal.h"

static void write_jobs(struct pm4d_diag *dg, const struct pm4d_direct_batch *b, uint32_t nb)
{
   FILE *f = pm4d_diag_file(dg, "jobs.txt");
   if (!f)
      return;
   for (uint32_t i = 0; i < nb; i++) {
      fprintf(
         f, "batch %" PRIu32 ": wait point %" PRIu64 ", signal point %" PRIu64 ", %" PRIu32 " jobs",
         i, b[i].wait_point, b[i].signal_point, b[i].count);
      if (b[i].ndw) /* not for a batch refused before it was committed */
         fprintf(f, ", ring [%" PRIu64 ", %" PRIu64 ")", b[i].ring_end - b[i].ndw, b[i].ring_end);
      fputc('\n', f);
      for (uint32_t j = 0; j < b[i].count; j++) {
         const struct pm4d_job *job = &b[i].jobs[j];
         const struct pm4d_conv2d_params *p = &job->params;
         fprintf(f,
                 "  job %" PRIu32 ": n=%u c=%u h=%u w=%u k=%u r=%u s=%u stride=%u,%u pad=%u,%u "
                 "dil=%u,%u groups=%u bias=%d relu=%d -> %ux%u\n"
                 "    input 0x%" PRIx64 " filter 0x%" PRIx64 " bias 0x%" PRIx64 " output 0x%" PRIx64
                 " (memory %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 ")\n",
                 j, p->n, p->c, p->h, p->w, p->k, p->r, p->s, p->stride_h, p->stride_w, p->pad_h,
                 p->pad_w, p->dil_h, p->dil_w, p->groups, p->has_bias, p->relu, p->oh, p->ow,
                 job->addr.input, job->addr.filter, job->addr.bias, job->addr.output,
                 job->memory_ids[0], job->memory_ids[1], job->memory_ids[2], job->memory_ids[3]);
      }
   }
   fclose(f);
}

/* q->mu held or the submitting thread: the counters and positions are stable enough. */
static void write_ring(struct pm4d_diag *dg, struct pm4d_direct_queue *q)
{
   FILE *f = pm4d_diag_file(dg, "ring.txt");
   if (!f)
      return;
   const struct pm4d_direct_stats *s = &q->stats;
   fprintf(f,
           "ring: %" PRIu32 " dwords, read %" PRIu64 ", published %" PRIu64 ", high water %" PRIu64
           "\nkernargs: %" PRIu64 " bytes, write %" PRIu64 ", retired %" PRIu64
           "\nfence: value %" PRIu64 " at 0x%" PRIx64 "\nbatches in flight: %" PRIu32
           "\nqueue counters: batches %" PRIu64 " jobs %" PRIu64 " template %" PRIu64
           " dynamic %" PRIu64 " validation_failures %" PRIu64 " ring_full %" PRIu64 "\n",
           pm4d_ring_size_dw(q->ring), pm4d_ring_read_pos(q->ring), pm4d_ring_published(q->ring),
           s->ring_high_water_dw, q->kernarg_bytes, q->kernarg_write,
           atomic_load(&q->kernarg_retired),
           atomic_load_explicit((_Atomic uint64_t *)q->fence.cpu, memory_order_acquire),
           q->fence.addr, q->count, s->batches, s->jobs, s->template_dispatches,
           s->dynamic_dispatches, s->validation_failures, s->ring_full);
   fclose(f);
}

void pm4d_direct_diag(struct pm4d_direct_queue *q, const char *kind, const char *reason,
                      const char *action, const uint32_t *pm4, uint32_t ndw,
                      const struct pm4d_direct_batch *batches, uint32_t nb)
{
   struct pm4d_direct *d = q->d;
   struct pm4d_diag *dg = pm4d_diag_open(pm4d_config_get()->diag_dir, kind);
   if (!dg)
      return;
   FILE *f = pm4d_diag_file(dg, "reason.txt");
   if (f) {
      fprintf(f, "%s on the %s back end (%s): %s\nthe layer now: %s\n", kind, d->ops->name,
              d->target, reason, action);
      fclose(f);
   }
   if (pm4 && ndw)
      pm4d_diag_pm4(dg, d->level, pm4, ndw);
   write_jobs(dg, batches, nb);
   write_ring(dg, q);
   pm4d_diag_close(dg);
}
