/* One application queue's direct path on an amdgpu device: a context and the queue's bridge
 * timeline syncobj that orders direct batches with the driver's own submissions. The caller
 * (layer/direct) builds each batch in its own pools, keeps the batches in flight, decides hangs
 * and reuses memory; this queue only submits an IB in place (amdgpu_cs_submit_raw2), reports
 * what the kernel says about the queue, and resets its context.
 * A queue is used by one thread at a time (the caller's queue lock); the device it belongs to
 * may be shared. */
#ifndef PM4D_AMDGPU_QUEUE_H
#define PM4D_AMDGPU_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "pm4d_amdgpu_device.h"
#include "pm4d_amdgpu_pool.h"
#include "pm4d_amdgpu_status.h"

#define PM4D_AMDGPU_MAX_BUFFERS 64 /* imported buffers per batch */
#define PM4D_AMDGPU_MAX_POOLS   4  /* caller pools per batch */
/* An IB's size in dwords is the 20-bit IB_SIZE field of the INDIRECT_BUFFER packet the kernel
 * writes for it (gfx_v10_0_ring_emit_ib_compute: control = length_dw | vmid << 24). */
#define PM4D_AMDGPU_IB_MAX_DW 0xFFFFFu

struct pm4d_amdgpu_queue;

struct pm4d_amdgpu_queue_desc {
   int32_t priority; /* AMDGPU_CTX_PRIORITY_*; above NORMAL without the right: NORMAL */
   int bridge_fd;    /* opaque fd of the bridge timeline semaphore; stays the caller's */
};

struct pm4d_amdgpu_batch {
   uint64_t id;             /* the caller's, for reasons */
   uint64_t ib_va;          /* inside one of pools, dword aligned */
   uint32_t ib_bytes;       /* a non-zero multiple of 4, at most PM4D_AMDGPU_IB_MAX_DW dwords */
   const uint64_t *buffers; /* import keys (pm4d_amdgpu_device_import) the batch touches */
   uint32_t buffer_count;
   /* The caller's pools the batch reads or writes (its ring, kernargs, fence): listed in the
    * BO list with the code pool, so the kernel makes them resident. */
   const struct pm4d_amdgpu_pool *const *pools;
   uint32_t pool_count;
   uint64_t wait_point;   /* bridge point to wait for before running; 0: none */
   uint64_t signal_point; /* bridge point signalled when the job ends; above every earlier one */
};

/* What the kernel says about a queue (one query each, no waiting). */
struct pm4d_amdgpu_queue_state {
   /* The bridge's value. The kernel signals a batch's point when its job's fence signals,
    * whether the job completed, failed or was cancelled by a reset (the signal chunk,
    * amdgpu_cs_post_dependencies): every batch up to this point is over and its memory may be
    * reused. (A point the host signals too breaks this: one signaller per point.) */
   uint64_t settled;
   /* AMDGPU_CTX_QUERY2 since the context was made: a GPU reset (RESET or GUILTY), this
    * context blamed, VRAM contents lost. */
   bool reset, guilty, vram_lost;
};

/* bridge_fd is turned into a syncobj handle on the device's shared DRM fd. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_create(struct pm4d_amdgpu_device *dev,
                                                 const struct pm4d_amdgpu_queue_desc *desc,
                                                 struct pm4d_amdgpu_queue **out, char *why,
                                                 size_t why_size);
void pm4d_amdgpu_queue_destroy(struct pm4d_amdgpu_queue *queue);

/* Submits one IB on the compute ring, where the caller built it. The BO list holds every BO the
 * batch touches, each once: the device's code pool, the batch's pools, its imports. *seq: the
 * kernel's sequence number. HANG when the kernel refuses the context (reset): reset it. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_submit(struct pm4d_amdgpu_queue *queue,
                                                 const struct pm4d_amdgpu_batch *batch,
                                                 uint64_t *seq, char *why, size_t why_size);
/* The reset flags of the context and the bridge's value: DRM_ERROR when either query fails or
 * the queue has no context. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_state(struct pm4d_amdgpu_queue *queue,
                                                struct pm4d_amdgpu_queue_state *out, char *why,
                                                size_t why_size);
/* Drops the context and makes a new one; it does not wait for the old one's jobs (the caller
 * reuses their memory once pm4d_amdgpu_queue_state says they are settled). DRM_ERROR when no
 * new context could be made: the queue then refuses work until a later reset succeeds. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_reset(struct pm4d_amdgpu_queue *queue, char *why,
                                                size_t why_size);

#endif
