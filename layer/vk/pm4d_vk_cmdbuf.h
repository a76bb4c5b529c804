/* Command-buffer state: what the redirect needs at each vkCmdDispatch, and the split of a
 * command buffer into driver segments and direct batches (pm4d_vk_split.c). */
#ifndef PM4D_VK_CMDBUF_H
#define PM4D_VK_CMDBUF_H

#include "pm4d_vk_objects.h"

#define PM4D_VK_MAX_PUSH_BYTES      256
#define PM4D_VK_MAX_DYNAMIC_PER_SET 8

/* The compute bind point as of the last recorded command. */
struct pm4d_vk_compute_state {
   VkPipeline pipeline;
   bool pipeline_tracked; /* the pipeline has a record; spirv_hash is valid */
   uint64_t spirv_hash;
   VkPipelineLayout sets_layout; /* layout of the last vkCmdBindDescriptorSets */
   VkDescriptorSet sets[PM4D_VK_MAX_SETS];
   uint32_t sets_tracked; /* bit per set: handle and dynamic offsets are known */
   uint32_t sets_opaque;  /* bit per set bound with what a new segment cannot re-record
                            (untracked set, push descriptors): no job while any is bound */
   uint32_t dynamic_offsets[PM4D_VK_MAX_SETS][PM4D_VK_MAX_DYNAMIC_PER_SET];
   uint8_t push[PM4D_VK_MAX_PUSH_BYTES];
   uint8_t push_valid[PM4D_VK_MAX_PUSH_BYTES]; /* 1: byte was pushed since begin */
   uint32_t push_bytes; /* end of the highest byte written (bytes beyond a range are stale) */
   VkPipelineLayout push_layout; /* of the last compute push, for re-recording it */
   VkShaderStageFlags push_stages;
   /* The bound pipeline's recognition: REDIRECT when it is a known conv2d, else why not. */
   uint8_t pt;
};

/* One link of a split command buffer, in order: a driver segment (links[0] is the app's own
 * command buffer), or a direct batch of jobs [first_job, first_job + jobs). */
struct pm4d_vk_link {
   VkCommandBuffer cb; /* VK_NULL_HANDLE for a batch */
   uint32_t first_job, jobs;
   /* A batch of a SIMULTANEOUS_USE command buffer: writes its jobs' group counts into their
    * fallback arguments on the GPU, in queue order (pm4d_vk_arm.c). */
   VkCommandBuffer arm;
};

struct pm4d_vk_cmdbuf {
   VkCommandBuffer handle;
   struct pm4d_vk_device *dev;
   VkCommandPool pool;
   /* The device has a back end. Without one nothing is redirected, so the compute state keeps
   * only the bound pipeline's recognition (for the counters) and the hooks forward at once. */
   bool backend;
   struct pm4d_vk_compute_state compute;
   /* Counter increments of this command buffer's recording, added to the global counters at
   * end, reset or free (keeps atomics out of the recording path). */
   uint32_t counts[PM4D_CTR_COUNT];
   /* Split: where commands go now (the app's handle, a segment, or VK_NULL_HANDLE right after
   * a job, while the batch may still grow), the begin flags segments copy, and the links. */
   VkCommandBuffer cur;
   VkCommandBufferUsageFlags usage;
   bool secondary, in_render_pass;
   /* The app's own command buffer got a command the GPU must run (anything but binds, push
    * constants, push descriptors and barriers) before its first job; without one, submission
    * leaves it out of the link before the batch (pm4d_vk_submit.c). */
   bool lead_work;
   bool broken;          /* a segment or fallback could not be made: End fails */
   VkCommandPool shadow; /* the layer's pool the segments and fallbacks come from */
   uint32_t n_links, cap_links, n_jobs, cap_jobs;
   struct pm4d_vk_link *links; /* NULL until the first job */
   struct pm4d_job *jobs;      /* job.fallback: struct pm4d_vk_fallback (pm4d_vk_redirect.h) */
   struct pm4d_vk_args_chunk *args;
   /* SIMULTANEOUS_USE: the queue of the last submission and the point of that queue's bridge
    * that follows its last fallback (0: being submitted now), under dev->lock (pm4d_vk_arm.c). */
   struct pm4d_vk_queue *arm_queue;
   uint64_t arm_end;
};

void pm4d_vk_cmdbuf_flush_counts(struct pm4d_vk_cmdbuf *cb);

/* Number of dynamic descriptors of a tracked set, or UINT32_MAX when the set is untracked. */
uint32_t pm4d_vk_set_dynamic_count_locked(struct pm4d_vk_device *dev, VkDescriptorSet set);

/* Command buffers are recorded by one thread at a time, usually many commands in a row: keep
 * the last tracked one per thread, valid while no device or command buffer record went away.
 * initial-exec TLS: a plain %fs access instead of a __tls_get_addr call (24 bytes of the
 * static TLS surplus that glibc keeps for dlopen()ed libraries, as Mesa's drivers do). */
struct pm4d_vk_cmdbuf_cache {
   VkCommandBuffer handle;
   uint64_t generation;
   struct pm4d_vk_cmdbuf *cb;
};
extern __thread struct pm4d_vk_cmdbuf_cache pm4d_vk_cmdbuf_cache
   __attribute__((tls_model("initial-exec")));

/* The cached record of handle, or NULL on a miss. */
static inline struct pm4d_vk_cmdbuf *pm4d_vk_cmdbuf_cached(VkCommandBuffer handle)
{
   uint64_t gen = atomic_load_explicit(&pm4d_vk_state_generation, memory_order_acquire);
   if (__builtin_expect(
          pm4d_vk_cmdbuf_cache.handle == handle && pm4d_vk_cmdbuf_cache.generation == gen, 1))
      return pm4d_vk_cmdbuf_cache.cb;
   return NULL;
}

struct pm4d_vk_cmdbuf_ref {
   struct pm4d_vk_device *dev; /* NULL: unknown device, the call cannot be forwarded */
   struct pm4d_vk_cmdbuf *cb;  /* NULL: command buffer not tracked */
};

/* Looks handle up in its device's map and caches it when tracked. */
struct pm4d_vk_cmdbuf_ref pm4d_vk_cmdbuf_refresh(VkCommandBuffer handle);

/* Start of every void vkCmd* hook: r = the tracked record, with the call counted in the
 * record's own counts (no atomic while recording; flushed by pm4d_vk_cmdbuf_flush_counts).
 * A cache miss retries the hook once the cache holds the record, or counts globally and
 * forwards for an untracked command buffer; the miss path ends in calls in tail position, so
 * the hit path need not keep the arguments across a call. */
#define PM4D_VK_CMDBUF_HOOK(r, handle, name, args, counter)            \
   struct pm4d_vk_cmdbuf *r = pm4d_vk_cmdbuf_cached(handle);           \
   if (__builtin_expect(r == NULL, 0)) {                               \
      struct pm4d_vk_cmdbuf_ref ref_ = pm4d_vk_cmdbuf_refresh(handle); \
      if (ref_.cb) {                                                   \
         pm4d_hook_##name args;                                        \
      } else if (ref_.dev) {                                           \
         pm4d_counter_inc(counter);                                    \
         ref_.dev->table.name args;                                    \
      }                                                                \
      return;                                                          \
   }                                                                   \
   r->counts[counter]++;

/* Pass-through counters follow enum pm4d_conv2d_pt from its first reason on. */
_Static_assert(PM4D_CTR_passthrough_buffer_too_small - PM4D_CTR_passthrough_malformed_spirv ==
                  PM4D_CONV2D_PT_BUFFER_TOO_SMALL - PM4D_CONV2D_PT_MALFORMED_SPIRV,
               "passthrough_* counters out of step with enum pm4d_conv2d_pt");
static inline enum pm4d_counter pm4d_vk_pt_counter(enum pm4d_conv2d_pt pt)
{
   return (enum pm4d_counter)(PM4D_CTR_passthrough_malformed_spirv +
                              (pt - PM4D_CONV2D_PT_MALFORMED_SPIRV));
}

/* Counts the bound pipeline's verdict at a vkCmdDispatch (tracked; why it is not a conv2d;
 * recognised); true when it is a recognised conv2d. */
static inline bool pm4d_vk_cmdbuf_recognise(struct pm4d_vk_cmdbuf *r)
{
   const struct pm4d_vk_compute_state *c = &r->compute;
   if (!c->pipeline_tracked)
      return false;
   r->counts[PM4D_CTR_dispatch_tracked]++;
   if (c->pt != PM4D_CONV2D_REDIRECT) {
      r->counts[pm4d_vk_pt_counter((enum pm4d_conv2d_pt)c->pt)]++;
      return false;
   }
   r->counts[PM4D_CTR_dispatches_recognised]++;
   return true;
}

/* First in the hooks that have nothing to do on a device without a back end (STYLE.md 5): a
 * cache hit there needs only its count and a forward in tail position, so the hook keeps no
 * register across a call and sets up no frame. A miss or a device with a back end goes to
 * full, the hook's whole path (it starts with PM4D_VK_CMDBUF_HOOK). */
#define PM4D_VK_CMDBUF_PASS(r, handle, full, args)           \
   struct pm4d_vk_cmdbuf *r = pm4d_vk_cmdbuf_cached(handle); \
   if (__builtin_expect(r == NULL || r->backend, 0)) {       \
      full args;                                             \
      return;                                                \
   }

/* Where a command goes: the app's command buffer, or the current segment of a split one
 * (pm4d_vk_split_target, declared in pm4d_vk_redirect.h, begins one after a batch). */
VkCommandBuffer pm4d_vk_split_target(struct pm4d_vk_cmdbuf *r);
static inline VkCommandBuffer pm4d_vk_cmdbuf_target(struct pm4d_vk_cmdbuf *r)
{
   return __builtin_expect(r->cur == r->handle, 1) ? r->handle : pm4d_vk_split_target(r);
}
/* The same for a command the GPU must run (see lead_work). */
static inline VkCommandBuffer pm4d_vk_cmdbuf_work_target(struct pm4d_vk_cmdbuf *r)
{
   r->lead_work |= r->cur == r->handle;
   return pm4d_vk_cmdbuf_target(r);
}

#endif
