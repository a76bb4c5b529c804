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
   /* The last point submitted on a context since renewed (0: none). */
   uint64_t renewed_upto;
};

/* bridge_fd is turned into a syncobj handle on the device's shared DRM fd. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_create(struct pm4d_amdgpu_device *dev,
                                                 const struct pm4d_amdgpu_queue_desc *desc,
                                                 struct pm4d_amdgpu_queue **out, char *why,
                                                 size_t why_size);
void pm4d_amdgpu_queue_destroy(struct pm4d_amdgpu_queue *queue);

/* Submits one IB on the compute ring, where the caller built it. The BO list holds every BO the
 * batch touches, each once: the device's code pool, the batch's pools, its imports. *seq: the
 * kernel's sequence number. A context the kernel has failed (CS -ECANCELED) is renewed and the
 * batch submitted once more on the new one (it has not run); HANG when that is refused too. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_submit(struct pm4d_amdgpu_queue *queue,
                                                 const struct pm4d_amdgpu_batch *batch,
                                                 uint64_t *seq, char *why, size_t why_size);
/* The most queues one pm4d_amdgpu_queue_point_submitted asks about (more are left out). */
#define PM4D_AMDGPU_WAIT_MAX 16u
/* Whether, for any i < count, a submission that signals points[i] on queues[i]'s bridge is in
 * the kernel (a fence is attached: the point is "available") by deadline_ns (CLOCK_MONOTONIC):
 * one wait for the first of them. The queues are on one device. A CS that waits for a point
 * without one sleeps in the ioctl, up to 5 s and then -ETIME (drm_syncobj.c,
 * drm_syncobj_find_fence with WAIT_FOR_SUBMIT). */
bool pm4d_amdgpu_queue_point_submitted(struct pm4d_amdgpu_queue *const *queues,
                                       const uint64_t *points, uint32_t count,
                                       uint64_t deadline_ns);
/* The reset flags of the context and the bridge's value: DRM_ERROR when either query fails or
 * the queue has no context. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_state(struct pm4d_amdgpu_queue *queue,
                                                struct pm4d_amdgpu_queue_state *out, char *why,
                                                size_t why_size);
/* How the kernel ended the job that signals point: 0 completed, 1 not ended yet, else its
 * fence's error: -ETIME its own timeout (amdgpu_job.c amdgpu_job_timedout: a hang of ours),
 * -ECANCELED cancelled by a reset (innocent). Read with AMDGPU_WAIT_CS (amdgpu_cs.c
 * amdgpu_cs_wait_ioctl returns fence->error) on the context it was kicked on; when the kernel no
 * longer knows the job, -ETIME if its context was GUILTY when renewed (the second witness),
 * else -ESRCH: not known, so not proven done. */
int pm4d_amdgpu_queue_verdict(struct pm4d_amdgpu_queue *queue, uint64_t point);
/* How many times the queue's context was renewed (by a submission or a reset). */
uint32_t pm4d_amdgpu_queue_renewals(const struct pm4d_amdgpu_queue *queue);
/* Makes a new context when the current one has seen a GPU reset (QUERY2 flags; a guilty or
 * VRAM-lost one refuses every later CS), else keeps it (a submission may already have renewed
 * it). The old one stays until the next renewal, for pm4d_amdgpu_queue_verdict. It does not wait
 * for the old one's jobs (the caller reuses their memory once pm4d_amdgpu_queue_state says they
 * are settled). DRM_ERROR when no new context could be made: the queue then refuses work until
 * a later reset succeeds. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_reset(struct pm4d_amdgpu_queue *queue, char *why,
                                                size_t why_size);

#endif
