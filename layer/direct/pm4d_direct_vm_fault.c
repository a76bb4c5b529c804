/* GPU page faults that get through. On amdgpu a VM fault does not fail the job that made it:
 * the kernel logs it and keeps the VM's last fault for the process to read
 * (AMDGPU_INFO_GPUVM_FAULT, DRM 3.55+; layer/backend/amdgpu/pm4d_amdgpu_vm_fault.h), the job
 * completes, its fence and our fallback switches are written, the driver link after it runs at
 * once. No fallback can make up for it any more: a fault in memory the direct path's batches
 * used means their output may be wrong, and the honest outcome is a lost device. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pm4d_autodisable.h"
#include "pm4d_counters.h"
#include "pm4d_direct_internal.h"
#include "pm4d_log.h"

#define FAULT_PAGE 4096u /* the record holds the faulting page's address */

/* What of the direct path's lies in the faulting page. */
struct owner {
   struct pm4d_direct_queue *q;
   struct pm4d_direct_batch batch; /* ndw 0: none (a queue's own memory) */
   char what[96];
};

static bool in_page(uint64_t page, uint64_t at, uint64_t bytes)
{
   return bytes && at < page + FAULT_PAGE && page < at + bytes;
}

/* The batch's job buffer or fallback switch in the page, if any. */
static bool batch_owns(const struct pm4d_direct_batch *b, uint64_t page, char *what, size_t n)
{
   for (uint32_t j = 0; j < b->count; j++) {
      const struct pm4d_job *job = &b->jobs[j];
      uint64_t at[4];
      pm4d_direct_job_buffers(job, at);
      uint64_t bytes[4];
      pm4d_conv2d_buffer_bytes(&job->params, bytes);
      for (int k = 0; k < 4; k++) {
         if (in_page(page, at[k], bytes[k])) {
            snprintf(what, n, "the %s buffer of job %" PRIu32 " of batch %" PRIu64 "->%" PRIu64,
                     pm4d_direct_buffer_name(k), j, b->wait_point, b->signal_point);
            return true;
         }
      }
      if (job->disarm && in_page(page, job->disarm, 4)) {
         snprintf(what, n, "the fallback switch of job %" PRIu32 " of batch %" PRIu64 "->%" PRIu64,
                  j, b->wait_point, b->signal_point);
         return true;
      }
   }
   return false;
}

/* Looks through every queue (its lock taken in turn) for the page. */
static bool find_owner(struct pm4d_direct *d, uint64_t page, struct owner *o)
{
   for (struct pm4d_direct_queue *q = d->queues; q; q = q->next) {
      const struct {
         const char *name;
         uint64_t addr, bytes;
      } pools[] = {{"ring", q->ring_mem.addr, d->ring_bytes},
                   {"kernarg arena", q->kernargs.addr, q->kernarg_bytes},
                   {"fence", q->fence.addr, 8}};
      o->q = q;
      o->batch.ndw = 0;
      pthread_mutex_lock(&q->mu);
      bool found = false;
      for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]) && !found; i++) {
         if (in_page(page, pools[i].addr, pools[i].bytes)) {
            snprintf(o->what, sizeof(o->what), "a queue's %s", pools[i].name);
            found = true;
         }
      }
      for (uint32_t i = 0; i < q->count && !found; i++) {
         const struct pm4d_direct_batch *b = &q->batches[(q->head + i) % PM4D_DIRECT_MAX_INFLIGHT];
         if (batch_owns(b, page, o->what, sizeof(o->what))) {
            o->batch = *b;
            found = true;
         }
      }
      if (found) {
         char reason[PM4D_DIRECT_REASON_MAX];
         snprintf(reason, sizeof(reason), "GPU page fault in %s", o->what);
         const struct pm4d_direct_batch *b = o->batch.ndw ? &o->batch : NULL;
         pm4d_direct_diag(q, "vm_fault", reason,
                          "none can be made up for (the job completed, its fallback is "
                          "disarmed): the direct path is turned off for the process and the "
                          "device reports VK_ERROR_DEVICE_LOST",
                          b ? pm4d_ring_ptr(q->ring, b->ring_end - b->ndw) : NULL, b ? b->ndw : 0,
                          b, b ? 1 : 0);
      }
      pthread_mutex_unlock(&q->mu);
      if (found)
         return true;
   }
   return false;
}

void pm4d_direct_vm_fault_init(struct pm4d_direct *d)
{
   char desc[PM4D_DIRECT_REASON_MAX / 2];
   /* A fault recorded before the direct path existed is none of its batches'. */
   d->fault_visible =
      d->ops->vm_fault && d->ops->vm_fault(d->dev, &d->fault_seen, desc, sizeof(desc)) == 0;
}

void pm4d_direct_vm_fault_look_locked(struct pm4d_direct *d)
{
   if (!d->fault_visible || atomic_load(&d->lost))
      return;
   /* Batches kicked after this load are looked at by the next look. */
   atomic_store_explicit(&d->fault_kicks, atomic_load(&d->kicks), memory_order_relaxed);
   struct pm4d_direct_vm_fault f;
   char desc[PM4D_DIRECT_REASON_MAX / 2] = "";
   if (d->ops->vm_fault(d->dev, &f, desc, sizeof(desc)) != 0 ||
       !memcmp(&f, &d->fault_seen, sizeof(f)))
      return; /* the record is the one seen last (the kernel keeps only the last fault) */
   d->fault_seen = f;
   struct owner o;
   if (!find_owner(d, f.addr, &o)) {
      pm4d_log(PM4D_LOG_INFO,
               "GPU page fault outside the direct path's memory (the driver's work): %s; the "
               "direct path goes on",
               desc);
      return;
   }
   atomic_store(&d->lost, true);
   pm4d_counter_inc(PM4D_CTR_direct_vm_faults);
   pm4d_log(PM4D_LOG_ERROR,
            "GPU page fault in %s: %s. A VM fault does not fail the job that made it, so the "
            "batch's output may be wrong with nothing to recompute it; the device now reports "
            "VK_ERROR_DEVICE_LOST to the app",
            o.what, desc);
   char why[PM4D_DIRECT_REASON_MAX];
   snprintf(why, sizeof(why), "a GPU page fault in %s", o.what);
   pm4d_autodisable_force(why);
}

bool pm4d_direct_lost(const struct pm4d_direct *d)
{
   return atomic_load_explicit(&d->lost, memory_order_relaxed);
}

bool pm4d_direct_check_faults(struct pm4d_direct *d)
{
   if (d->fault_visible && atomic_load_explicit(&d->kicks, memory_order_relaxed) !=
                              atomic_load_explicit(&d->fault_kicks, memory_order_relaxed)) {
      pthread_mutex_lock(&d->mu);
      pm4d_direct_vm_fault_look_locked(d);
      pthread_mutex_unlock(&d->mu);
   }
   return pm4d_direct_lost(d);
}
