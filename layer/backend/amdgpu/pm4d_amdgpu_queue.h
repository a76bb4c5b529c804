/* One application queue's direct path on an amdgpu device: a context, an IB pool (the ring) and
 * a kernarg pool, and the queue's bridge timeline syncobj that orders direct batches with the
 * driver's own submissions. Batches are submitted with amdgpu_cs_submit_raw2, waited on with the
 * kernel's syncobj wait, watched against a deadline, and recovered after a hang.
 * A queue is used by one thread at a time (the caller's queue lock); the device it belongs to
 * may be shared. */
#ifndef PM4D_AMDGPU_QUEUE_H
#define PM4D_AMDGPU_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "pm4d_amdgpu_device.h"
#include "pm4d_amdgpu_pool.h"
#include "pm4d_amdgpu_status.h"

#define PM4D_AMDGPU_MAX_INFLIGHT 32 /* batches; at most PM4D_AMDGPU_POOL_FENCES */
#define PM4D_AMDGPU_MAX_BUFFERS  64 /* imported buffers per batch */
#define PM4D_AMDGPU_MAX_POOLS    4  /* caller pools per batch */
/* An IB's size in dwords is the 20-bit IB_SIZE field of the INDIRECT_BUFFER packet the kernel
 * writes for it (gfx_v10_0_ring_emit_ib_compute: control = length_dw | vmid << 24). */
#define PM4D_AMDGPU_IB_MAX_DW 0xFFFFFu

struct pm4d_amdgpu_queue;

struct pm4d_amdgpu_queue_desc {
   int32_t priority; /* AMDGPU_CTX_PRIORITY_*; above NORMAL without the right: NORMAL */
   int bridge_fd;    /* opaque fd of the bridge timeline semaphore; stays the caller's */
   uint64_t ib_pool_bytes, kernarg_pool_bytes; /* multiples of 4096 */
};

struct pm4d_amdgpu_batch {
   uint64_t id;             /* the caller's, reported back when the batch must be re-run */
   uint64_t ib_va;          /* inside the queue's IB pool or one of pools, dword aligned */
   uint32_t ib_bytes;       /* a non-zero multiple of 4, at most PM4D_AMDGPU_IB_MAX_DW dwords */
   const uint64_t *buffers; /* import keys (pm4d_amdgpu_device_import) the batch touches */
   uint32_t buffer_count;
   /* The caller's own pools the batch reads or writes (its ring, kernargs, fence): listed in
    * the BO list like the queue's pools, so the kernel makes them resident. */
   const struct pm4d_amdgpu_pool *const *pools;
   uint32_t pool_count;
   uint64_t wait_point;   /* bridge point to wait for before running; 0: none */
   uint64_t signal_point; /* bridge point signalled on completion; above every earlier one */
   uint64_t deadline_ns;  /* pm4d_amdgpu_deadline_ns(flops), counted from when it can run */
};

struct pm4d_amdgpu_recovery {
   uint64_t rerun[PM4D_AMDGPU_MAX_INFLIGHT]; /* batch ids to run again through the driver */
   uint32_t rerun_count;
   bool reset;     /* the kernel reset the GPU (AMDGPU_CTX_QUERY2_FLAGS_RESET) */
   bool guilty;    /* ... and blames this context */
   bool vram_lost; /* ... and VRAM contents are gone */
};

/* bridge_fd is turned into a syncobj handle on the device's shared DRM fd. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_create(struct pm4d_amdgpu_device *dev,
                                                 const struct pm4d_amdgpu_queue_desc *desc,
                                                 struct pm4d_amdgpu_queue **out,
                                                 struct pm4d_amdgpu_reason *why);
/* Call once the last signal point has completed (pm4d_amdgpu_queue_wait). */
void pm4d_amdgpu_queue_destroy(struct pm4d_amdgpu_queue *queue);

/* Space in the IB pool for dwords packets; the PM4 builder writes into span.cpu. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_alloc_ib(struct pm4d_amdgpu_queue *queue, uint32_t dwords,
                                                   struct pm4d_amdgpu_span *out,
                                                   struct pm4d_amdgpu_reason *why);
enum pm4d_amdgpu_status pm4d_amdgpu_queue_alloc_kernarg(struct pm4d_amdgpu_queue *queue,
                                                        uint32_t bytes, uint32_t align,
                                                        struct pm4d_amdgpu_span *out,
                                                        struct pm4d_amdgpu_reason *why);

/* Submits one IB on the compute ring. The BO list holds every BO the batch touches, each once:
 * the queue's IB and kernarg pools, the device's code pool, the batch's pools, its imports.
 * Space allocated since the previous submission is held until this batch's signal point
 * completes (after a refused submission, until the next accepted one's). *seq: the kernel's
 * sequence number. HANG when the kernel refuses the context (reset): recover. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_submit(struct pm4d_amdgpu_queue *queue,
                                                 const struct pm4d_amdgpu_batch *batch,
                                                 uint64_t *seq, struct pm4d_amdgpu_reason *why);
/* Whether a submission that signals point is in the kernel (a fence is attached: the point is
 * "available") by deadline_ns (CLOCK_MONOTONIC). A CS that waits for a point without one sleeps
 * in the ioctl, up to 5 s and then -ETIME (drm_syncobj.c, drm_syncobj_find_fence with
 * WAIT_FOR_SUBMIT). */
bool pm4d_amdgpu_queue_point_submitted(struct pm4d_amdgpu_queue *queue, uint64_t point,
                                       uint64_t deadline_ns);
/* Sleeps in the kernel until point is signalled or deadline_ns (CLOCK_MONOTONIC) passes:
 * OK or TIMEOUT. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_wait(struct pm4d_amdgpu_queue *queue, uint64_t point,
                                               uint64_t deadline_ns,
                                               struct pm4d_amdgpu_reason *why);
/* The watchdog's look (one query each, no waiting): retires completed batches, then HANG if the
 * oldest batch has been runnable longer than its deadline or the context was reset, VRAM_LOST
 * if VRAM was lost, else OK. now_ns: CLOCK_MONOTONIC. */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_check(struct pm4d_amdgpu_queue *queue, uint64_t now_ns,
                                                struct pm4d_amdgpu_reason *why);
/* After HANG or VRAM_LOST: waits until settle_deadline_ns for the batches in flight to be
 * settled (finished, or cancelled by the kernel's reset), then drops the context and makes a new
 * one. BUSY: still running at the deadline (the kernel's job timeout will reset it); nothing
 * changed, call again later. Otherwise *rec lists the batches to re-run: with OK, VRAM_LOST
 * (the app's memory is gone too), or DRM_ERROR when no new context could be made (the queue then
 * refuses work until a later recover succeeds). */
enum pm4d_amdgpu_status pm4d_amdgpu_queue_recover(struct pm4d_amdgpu_queue *queue,
                                                  uint64_t settle_deadline_ns,
                                                  struct pm4d_amdgpu_recovery *rec,
                                                  struct pm4d_amdgpu_reason *why);

#endif
