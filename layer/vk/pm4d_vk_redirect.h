/* The redirect: a device's back end (chosen at vkCreateDevice), its queues' bridge timeline
 * semaphores, recognition of conv2d shaders, and the split / submit machinery that runs
 * recognised dispatches on the direct path (layer/direct/pm4d_direct.h). DESIGN.md, data flow
 * steps 1-6. */
#ifndef PM4D_VK_REDIRECT_H
#define PM4D_VK_REDIRECT_H

#include "pm4d_conv2d_recognize.h"
#include "pm4d_direct.h"
#include "pm4d_vk_cmdbuf.h"

struct pm4d_vk_instance;

struct pm4d_vk_redirect {
   struct pm4d_direct *direct;
   enum pm4d_address_space space; /* HOST: sim reads the layer's mappings; GPU_VA: amdgpu */
   bool debug;                    /* PM4DIRECT_DEBUG: log every redirect */
   VkPhysicalDeviceMemoryProperties memory;
};

/* The arrays a split submission builds its driver links in (pm4d_vk_submit.c), kept with the
 * queue between submissions and used under its lock: a submission allocates only when it needs
 * more room than every one before it. */
struct pm4d_vk_chain_storage {
   VkSemaphoreSubmitInfo *waits, *signals;
   VkCommandBufferSubmitInfo *cbs;
   struct pm4d_vk_cmdbuf **records; /* each app command buffer's record, or NULL */
   void *scratch;                   /* vkQueueSubmit's arrays */
   uint32_t waits_cap, signals_cap, cbs_cap, records_cap, scratch_cap;
};

/* Frees the arrays of a chain storage. */
void pm4d_vk_chain_storage_free(struct pm4d_vk_chain_storage *s);

/* One queue that ran a split submission (map kind QUEUE). lock serialises every driver
 * submission to the queue (the app's, and fallbacks from the watchdog thread) and
 * pm4d_direct_submit; point is the bridge's last handed-out value, promised the last one that
 * a link the driver took or a kicked batch will signal (a point whose link the driver refused,
 * e.g. with VK_ERROR_DEVICE_LOST, is never signalled: nothing may wait for it). */
struct pm4d_vk_queue {
   VkQueue handle;
   struct pm4d_vk_device *dev;
   pthread_mutex_t lock;
   VkSemaphore bridge;
   uint64_t point;
   uint64_t promised;
   struct pm4d_direct_queue *direct;
   struct pm4d_vk_chain_storage chain;
};

/* The app's command pool: its queue family, and the layer's pool of the same family for the
 * segments and fallbacks of the pool's command buffers (made on first use). The app's
 * external synchronisation of its pool covers the layer's pool too. */
struct pm4d_vk_command_pool {
   uint32_t family;
   VkCommandPoolCreateFlags flags;
   VkCommandPool shadow;
};

/* What vkCreateDevice needs for a back end: the create info with the features and extensions
 * the back end needs added (the app's own feature structures are patched in place during the
 * call and restored after). */
struct pm4d_vk_redirect_plan {
   struct pm4d_direct *direct; /* NULL: pass-through */
   enum pm4d_address_space space;
   VkDeviceCreateInfo info;
   const char **extensions;
   VkPhysicalDeviceTimelineSemaphoreFeatures timeline;
   VkPhysicalDeviceBufferDeviceAddressFeatures bda;
   VkBool32 *patched[2];
   VkBool32 saved[2];
   unsigned n_patched;
   VkPhysicalDeviceMemoryProperties memory;
};

/* Chooses the back end and fills plan; returns the create info to pass down (the app's when
 * the device is pass-through). */
const VkDeviceCreateInfo *pm4d_vk_redirect_plan(struct pm4d_vk_instance *inst,
                                                VkPhysicalDevice physical,
                                                const VkDeviceCreateInfo *ci,
                                                struct pm4d_vk_redirect_plan *plan);
/* Puts the app's structures back. */
void pm4d_vk_redirect_plan_restore(struct pm4d_vk_redirect_plan *plan);
/* Device created: dev->redirect from the plan (or the plan's direct path destroyed when the
 * device failed). Frees the plan's storage. */
void pm4d_vk_redirect_attach(struct pm4d_vk_device *dev, struct pm4d_vk_redirect_plan *plan,
                             bool created);
/* Before the driver destroys the device: queues and direct path first, then the layer's
 * Vulkan objects. */
void pm4d_vk_redirect_detach(struct pm4d_vk_device *dev);

/* The process's known-shader table (built in, plus PM4DIRECT_SHADER_TABLE). */
const struct pm4d_shader_table *pm4d_vk_shader_table(void);

/* The queue's record, made (bridge semaphore, direct queue) when create is true. */
struct pm4d_vk_queue *pm4d_vk_queue_get(struct pm4d_vk_device *dev, VkQueue queue, bool create);

/* A job's fallback (pm4d_job.fallback): its command buffer re-runs the recorded dispatch with
 * vkCmdDispatchIndirect from args (buffer, offset), three u32 in host-coherent memory. The
 * fallbacks of every batch ride in the driver link after it; the layer arms them (the group
 * counts) before the kick: from the host, or for a SIMULTANEOUS_USE command buffer on the GPU
 * in the link before the batch (pm4d_vk_link.arm); the batch itself writes 0 into each job's x
 * count (pm4d_job.disarm) once that job has completed, so a zero count dispatches nothing. A
 * batch that hangs, is cancelled or loses its fence leaves exactly its unfinished jobs armed,
 * with no host action and no new submission behind links the queue is already blocked on. */
struct pm4d_vk_fallback {
   VkCommandBuffer cb;
   /* SIMULTANEOUS_USE only: barrier, state, vkCmdDispatch with groups (reads no args), for a
    * submission while the command buffer is pending on another queue (pm4d_vk_arm_claim). */
   VkCommandBuffer plain;
   uint32_t *args;
   VkBuffer buffer;
   VkDeviceSize offset;
   uint32_t groups[3];
};

static inline void pm4d_vk_fallback_arm(struct pm4d_vk_fallback *f, bool run)
{
   for (unsigned i = 0; i < 3; i++)
      __atomic_store_n(&f->args[i], run ? f->groups[i] : 0, __ATOMIC_RELEASE);
}

/* Buffers of fallback arguments, per command buffer. */
#define PM4D_VK_ARGS_PER_CHUNK 64u
#define PM4D_VK_ARGS_STRIDE    16u
struct pm4d_vk_args_chunk {
   VkBuffer buffer;
   VkDeviceMemory memory;
   uint8_t *host;
   uint64_t address; /* of host's first byte in the direct path's address space */
   uint32_t used;
   struct pm4d_vk_args_chunk *next;
};

/* Recording (pm4d_vk_split.c). */
/* Called at a vkCmdDispatch of a recognised conv2d (pm4d_vk_cmdbuf_recognise) on a device with a
 * back end; true when it became a job (the caller must not forward it). */
bool pm4d_vk_split_dispatch(struct pm4d_vk_cmdbuf *r, uint32_t gx, uint32_t gy, uint32_t gz);
/* Frees segments, fallbacks and jobs (reset, re-begin, free); frees the Vulkan command
 * buffers too when free_vk. */
void pm4d_vk_split_release(struct pm4d_vk_cmdbuf *r, bool free_vk);
/* The recording ends (vkEndCommandBuffer): closes a batch it ended on. */
void pm4d_vk_split_end(struct pm4d_vk_cmdbuf *r);
/* A primary command buffer of the layer's pool for r, begun with usage; NULL on failure. */
VkCommandBuffer pm4d_vk_split_begin_own(struct pm4d_vk_cmdbuf *r, VkCommandBufferUsageFlags usage);

/* Arming on the GPU (pm4d_vk_arm.c), for command buffers begun with SIMULTANEOUS_USE. */
/* Records l->arm for the batch link l of r (its jobs' fallbacks recorded); false on failure. */
bool pm4d_vk_arm_record(struct pm4d_vk_cmdbuf *r, struct pm4d_vk_link *l);
/* r's links go to queue q now (NULL: a queue without a bridge): false, claiming r for q, unless
 * r's last submission went to another queue and may still be pending there: true, nothing
 * claimed, and the submission runs the plain fallbacks with no batch. *in_order (when
 * claimed): arm on the GPU, r's last submission not known to be over; false: the host arms. */
bool pm4d_vk_arm_claim(struct pm4d_vk_cmdbuf *r, struct pm4d_vk_queue *q, bool *in_order);
/* r's links are in the chain on q; end is the first bridge point q hands out after them, which
 * the link holding r's last fallbacks signals. */
void pm4d_vk_arm_claimed(struct pm4d_vk_cmdbuf *r, uint64_t end);

/* Submission (pm4d_vk_submit.c): the watchdog's callback. */
void pm4d_vk_submit_batch_failed(void *user, void *queue_user, const struct pm4d_job *jobs,
                                 uint32_t count, uint64_t wait_point, uint64_t signal_point,
                                 const char *reason);

#endif
