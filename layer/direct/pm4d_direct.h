/* The direct path of one VkDevice, with no Vulkan in it: conv2d jobs in, PM4 batches written
 * into a ring and kicked through a back end (sim or amdgpu), completion and failure reported
 * through the queue's bridge timeline semaphore. The layer (layer/vk) owns recognition,
 * command-buffer splitting and fallback command buffers, and talks to the direct path only
 * through this header.
 *
 * Threads: create/destroy and queue_create/queue_destroy are called with no other call on the
 * same object in flight. pm4d_direct_submit on one queue is called by one thread at a time
 * (the layer holds its queue lock); different queues may submit concurrently. The callbacks run
 * on the direct path's own watchdog thread. */
#ifndef PM4D_DIRECT_H
#define PM4D_DIRECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm4d_kernels.h"

enum pm4d_direct_status {
   PM4D_DIRECT_OK = 0,
   PM4D_DIRECT_UNAVAILABLE, /* no back end, no kernels for this target, or the path is off */
   PM4D_DIRECT_UNSUPPORTED, /* this job cannot run direct (shape, memory not registered) */
   PM4D_DIRECT_RING_FULL,   /* the ring stayed full past the deadline */
   PM4D_DIRECT_INVALID,     /* the batch's validation refused it */
   PM4D_DIRECT_NOMEM,
   PM4D_DIRECT_FAILED, /* the back end refused the kick */
};
const char *pm4d_direct_status_name(enum pm4d_direct_status s);

enum pm4d_backend_kind { PM4D_DIRECT_BACKEND_SIM, PM4D_DIRECT_BACKEND_AMDGPU };

/* How job addresses are formed: host pointers into the layer's mappings (sim), or GPU virtual
 * addresses from vkGetBufferDeviceAddress (amdgpu). */
enum pm4d_address_space { PM4D_ADDR_HOST, PM4D_ADDR_GPU_VA };

struct pm4d_direct_config {
   enum pm4d_backend_kind backend;
   bool debug;          /* also run the full validator on every batch (every batch is validated) */
   uint32_t ring_bytes; /* 0: the ring's default */
   uint64_t deadline_base_ns; /* per batch, before the FLOP estimate; 0: 100 ms */
   struct {
      uint32_t domain, bus, device, function;
   } pci; /* amdgpu: which GPU */
   /* amdgpu: the Vulkan driver above it (VkPhysicalDeviceDriverProperties.driverID, 0:
    * unknown; VkPhysicalDeviceProperties.driverVersion), checked against the verified stack. */
   uint32_t driver_id, driver_version;
   /* amdgpu asked for by name: run outside the verified stack too (the reason of create, OK,
    * then says what is outside it). */
   bool force;
};

/* Host access to one queue's bridge timeline semaphore; the layer implements wait and signal
 * with vkWaitSemaphores / vkSignalSemaphore. amdgpu also uses opaque_fd (-1: none). */
struct pm4d_bridge {
   void *user;
   /* 0 once the semaphore's value is >= point, 1 at timeout, -1 on error. */
   int (*wait)(void *user, uint64_t point, uint64_t timeout_ns);
   /* 0 ok, -1 error. */
   int (*signal)(void *user, uint64_t point);
   int opaque_fd;
};

/* A conv2d the layer recognised and resolved. */
struct pm4d_job {
   struct pm4d_conv2d_params params; /* pm4d_conv2d_params_check has passed */
   struct pm4d_conv2d_buffers addr;  /* in the device's address space */
   uint64_t memory_ids[4]; /* registered memory of input, filter, bias, output (0: none) */
   void *fallback;         /* the layer's handle for re-running the job via the driver */
   /* The job's fallback switch (0: none): a u32 in registered memory disarm_memory, in the
    * device's address space, that the caller arms (non-zero) before the submit and the batch
    * sets to 0 once the job has completed on the device (a WRITE_DATA after the barrier that
    * follows the job, before anything later can run). A batch that hangs, is cancelled or
    * loses its fence leaves exactly its unfinished jobs armed. */
   uint64_t disarm, disarm_memory;
};

/* A kicked batch that the back end could not complete (hang past its deadline, fault, reset):
 * a report only. The jobs the batch did not complete are still armed (pm4d_job.disarm), and
 * their fallbacks, which the caller put after signal_point, run when the point is signalled.
 * The caller must not signal the point: each point has one signaller, the kernel for amdgpu,
 * the direct path for the sim and for an amdgpu batch that failed before its deferred kick
 * (once the batch is over, whatever the outcome, in point order, after wait_point). On amdgpu the report may come after the kernel signalled the point, when
 * the app may already have re-recorded or freed what jobs[i].fallback names: do not read it. */
struct pm4d_direct_callbacks {
   void *user;
   void (*batch_failed)(void *user, void *queue_user, const struct pm4d_job *jobs, uint32_t count,
                        uint64_t wait_point, uint64_t signal_point, const char *reason);
};

struct pm4d_direct_stats {
   uint64_t batches, jobs;
   uint64_t template_dispatches, dynamic_dispatches;
   uint64_t validation_failures, ring_full;
   uint64_t hangs, faults, resets;
   uint64_t ring_high_water_dw;
};

struct pm4d_direct;
struct pm4d_direct_queue;

/* UNAVAILABLE with a reason (said once by the caller) when the back end cannot serve. With
 * cfg->force, OK may come with a reason too: a warning to say once. */
enum pm4d_direct_status pm4d_direct_create(const struct pm4d_direct_config *cfg,
                                           const struct pm4d_direct_callbacks *cb,
                                           struct pm4d_direct **out, char *reason,
                                           size_t reason_size);
/* Waits for in-flight batches up to their deadlines; failed ones go to batch_failed first. */
void pm4d_direct_destroy(struct pm4d_direct *d);
const char *pm4d_direct_backend_name(const struct pm4d_direct *d);
enum pm4d_address_space pm4d_direct_address_space(const struct pm4d_direct *d);
/* Whether a kernel for this target runs shape p (p checked). */
bool pm4d_direct_supports(const struct pm4d_direct *d, const struct pm4d_conv2d_params *p);
/* The kernel d runs for shape p (the choice depends on the device's compute units), or
 * "none". */
const char *pm4d_direct_variant_name(const struct pm4d_direct *d,
                                     const struct pm4d_conv2d_params *p);

/* App memory jobs may touch: host is the layer's mapping (NULL when not host-visible),
 * dmabuf_fd an exported fd whose BO submissions list, or -1 (amdgpu: the BO is always valid
 * in the shared GPU VM and needs no list entry). id is the layer's non-zero key (the
 * VkDeviceMemory). */
enum pm4d_direct_status pm4d_direct_memory_register(struct pm4d_direct *d, uint64_t id, void *host,
                                                    uint64_t size, int dmabuf_fd);
/* Where registered memory `id` lies in the device's address space, when registration could not
 * say (amdgpu: the GPU VA of a VkDeviceMemory is known once a buffer is bound to it). Jobs may
 * use it from then on, and only inside [base, base + size). OK when it was placed there or at
 * the same base before; UNSUPPORTED when it is not registered, base is 0, or it was placed
 * elsewhere (nothing changes: the caller unregisters it, its jobs pass through). */
enum pm4d_direct_status pm4d_direct_memory_place(struct pm4d_direct *d, uint64_t id, uint64_t base);
void pm4d_direct_memory_unregister(struct pm4d_direct *d, uint64_t id);

enum pm4d_direct_status pm4d_direct_queue_create(struct pm4d_direct *d,
                                                 const struct pm4d_bridge *bridge, void *queue_user,
                                                 struct pm4d_direct_queue **out);
void pm4d_direct_queue_destroy(struct pm4d_direct_queue *q);

/* Builds one batch of `count` jobs, writes it into the ring, validates it and kicks
 * it to run once the bridge reaches wait_point (or queues it, for the watchdog to kick once
 * the kernel has a fence at wait_point: amdgpu); signal_point is signalled once the batch is
 * over, completed or not (failed jobs stay armed). On any status but OK nothing was kicked and
 * the caller runs the fallbacks and signals signal_point itself. */
enum pm4d_direct_status pm4d_direct_submit(struct pm4d_direct_queue *q, const struct pm4d_job *jobs,
                                           uint32_t count, uint64_t wait_point,
                                           uint64_t signal_point, char *reason, size_t reason_size);

void pm4d_direct_stats_get(const struct pm4d_direct *d, struct pm4d_direct_stats *out);

/* GPU page faults that got through (a VM fault does not fail the job that made it): after the
 * app waited on work that may hold direct batches, looks at the device's fault record when
 * batches were kicked since the last look (the watchdog also looks as batches complete).
 * Returns whether the device is lost: a fault hit memory of the direct path's batches, so
 * their output may be wrong; the layer reports VK_ERROR_DEVICE_LOST from then on. */
bool pm4d_direct_check_faults(struct pm4d_direct *d);
/* Whether a fault made the device lost (one atomic load). */
bool pm4d_direct_lost(const struct pm4d_direct *d);

#endif
