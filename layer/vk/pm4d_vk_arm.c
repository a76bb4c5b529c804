/* Arming fallbacks on the GPU, in queue order, for command buffers begun with
 * VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT (layer/vk/README.md, Submission).
 *
 * A job's fallback arguments are one per recorded job, not per submission. Armed from the
 * host at submit time, a second pending submission of the same command buffer would re-arm
 * them while the first one's batch may still disarm them (the second's failed jobs then never
 * run) or after it did (the first's completed jobs run again). Armed by a command buffer of
 * the layer's in the driver link before each batch instead, every access runs in the queue's
 * order: submission N arms, its batch disarms, its link after reads, and only then does
 * submission N+1's arm run (one queue: RADV's submissions are one scheduler entity, run in
 * order; lavapipe's queue runs them in order). A command buffer pending on two queues at once
 * has no such order: its submission to the second queue is not redirected and runs plain
 * fallbacks, which read no arguments (a GPU wait for the first one's end could close a cycle
 * of semaphores the app made between the two submissions). */
#include "pm4d_vk_redirect.h"

bool pm4d_vk_arm_record(struct pm4d_vk_cmdbuf *r, struct pm4d_vk_link *l)
{
   const struct pm4d_vk_device_table *t = &r->dev->table;
   VkCommandBuffer cb = pm4d_vk_split_begin_own(r, VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT);
   if (!cb)
      return false;
   for (uint32_t i = 0; i < l->jobs; i++) {
      const struct pm4d_vk_fallback *f = r->jobs[l->first_job + i].fallback;
      t->CmdUpdateBuffer(cb, f->buffer, f->offset, sizeof(f->groups), f->groups);
   }
   /* The counts before the indirect read of the fallbacks (the batch's disarm is ordered by
    * the bridge point this link signals). */
   VkMemoryBarrier mb = {VK_STRUCTURE_TYPE_MEMORY_BARRIER, NULL, VK_ACCESS_TRANSFER_WRITE_BIT,
                         VK_ACCESS_INDIRECT_COMMAND_READ_BIT | VK_ACCESS_MEMORY_READ_BIT |
                            VK_ACCESS_MEMORY_WRITE_BIT};
   t->CmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0,
                         1, &mb, 0, NULL, 0, NULL);
   if (t->EndCommandBuffer(cb) != VK_SUCCESS) {
      t->FreeCommandBuffers(r->dev->handle, r->shadow, 1, &cb);
      return false;
   }
   l->arm = cb;
   return true;
}

/* Claims r for q if its claim is still (prev, end). */
static bool claim_from(struct pm4d_vk_cmdbuf *r, struct pm4d_vk_queue *q,
                       const struct pm4d_vk_queue *prev, uint64_t end)
{
   pthread_mutex_lock(&r->dev->lock);
   bool mine = r->arm_queue == prev && r->arm_end == end;
   if (mine) {
      r->arm_queue = q;
      r->arm_end = 0;
   }
   pthread_mutex_unlock(&r->dev->lock);
   return mine;
}

bool pm4d_vk_arm_claim(struct pm4d_vk_cmdbuf *r, struct pm4d_vk_queue *q, bool *in_order)
{
   struct pm4d_vk_device *dev = r->dev;
   for (;;) { /* again only when another thread claimed r in between */
      pthread_mutex_lock(&dev->lock);
      struct pm4d_vk_queue *prev = r->arm_queue;
      uint64_t end = r->arm_end;
      pthread_mutex_unlock(&dev->lock);
      /* r's last submission is over when the point after its last fallbacks has passed:
       * nothing of it reads or writes the arguments any more (end 0: another thread is putting
       * r's links into prev's chain right now). */
      uint64_t reached = 0;
      bool over =
         prev && end && dev->table.GetSemaphoreCounterValue &&
         dev->table.GetSemaphoreCounterValue(dev->handle, prev->bridge, &reached) == VK_SUCCESS &&
         reached >= end;
      if (prev && prev != q && !over) {
         PM4D_LOG_ONCE(PM4D_LOG_WARN,
                       "a SIMULTANEOUS_USE command buffer with redirected conv2d was submitted to "
                       "a second queue while pending on another; that submission runs its conv2d "
                       "through the driver, as both would share their fallbacks' arguments");
         return true;
      }
      /* Over: the host may arm (no arm link, no CS). Not known to be over (pending on this
       * queue, never submitted, or a chain that failed half-way may have left links pending):
       * arm on the GPU, in queue order. */
      if (claim_from(r, q, prev, end)) {
         *in_order = !over;
         return false;
      }
   }
}

void pm4d_vk_arm_claimed(struct pm4d_vk_cmdbuf *r, uint64_t end)
{
   pthread_mutex_lock(&r->dev->lock);
   r->arm_end = end;
   if (!end)
      r->arm_queue = NULL; /* the chain failed: its end point may never come */
   pthread_mutex_unlock(&r->dev->lock);
}
