/* What the direct path needs from a back end (sim, amdgpu): memory the device can read (ring,
 * kernargs, fences), code upload, app memory, and per queue a kick, a status query and a
 * reset. The direct path owns everything else: ring, kernarg arena, batches in flight,
 * deadlines, recovery, counters; no back end keeps a batch list. A back end is
 * opened by its own function below and reports completions and faults through
 * pm4d_direct_queue_interrupt / pm4d_direct_queue_fault. Internal to layer/direct. */
#ifndef PM4D_DIRECT_BACKEND_H
#define PM4D_DIRECT_BACKEND_H

#include "pm4d_codeobj.h"
#include "pm4d_direct.h"

struct pm4d_direct_mem {
   void *cpu;
   uint64_t addr; /* what the device uses */
   void *handle;  /* the back end's */
};

/* The most queues whose deferred kicks the watchdog waits for in one `ready` (more: the rest
 * on its tick). */
#define PM4D_DIRECT_WAIT_QUEUES 16u

/* What the device says about a queue's work. */
struct pm4d_direct_backend_state {
   /* Every batch whose signal point is at most this is over on the device (completed, failed or
    * cancelled): it touches its ring and kernarg space no more, so they may be reused. */
   uint64_t settled;
   /* The device lost the queue's work (amdgpu: a GPU reset since its context was made), and
    * with memory_lost its memory too (VRAM lost); guilty: this queue's own work caused it
    * (amdgpu: AMDGPU_CTX_QUERY2_FLAGS_GUILTY), else another context's hang did. */
   bool reset, memory_lost, guilty;
   /* Batches up to this point were kicked on a context since renewed after a reset (amdgpu):
    * their fence alone proves nothing (a later batch's RELEASE_MEM on the new context writes
    * the same fence), so their verdict says whether they ran. */
   uint64_t suspect_upto;
};

/* A GPU page fault as the device records it for the process's GPU VM: the faulting page's
 * address, the hub's fault status register and which hub (amdgpu: AMDGPU_INFO_GPUVM_FAULT). */
struct pm4d_direct_vm_fault {
   uint64_t addr;
   uint32_t status, hub;
};

struct pm4d_direct_backend_ops {
   const char *name;
   enum pm4d_address_space space;
   /* Picoseconds per FLOP the device is assumed to need at worst (deadline estimate). */
   uint64_t ps_per_flop;
   /* Whether completions arrive through pm4d_direct_queue_interrupt; otherwise the watchdog
    * looks at fences on a tick. */
   bool interrupts;
   /* Whether the kernel signals each kicked batch's bridge point however the batch ends (the
    * amdgpu CS signal chunk); otherwise the direct path does (pm4d_direct_queue_point_done). */
   bool kernel_signals;
   /* Batches a queue may have in flight on the device before a kick would block in the kernel
    * (0: PM4D_DIRECT_MAX_INFLIGHT): the direct path waits for a slot below it (back pressure,
    * RING_FULL at the deadline) instead. */
   uint32_t max_inflight;
   /* Where a batch (an IB) may start and the multiple its size must be, in bytes, as the
    * device reports them (powers of two): the direct path starts every batch on the start
    * alignment and pads it with NOPs to the size alignment. */
   void (*ib_align)(void *dev, uint32_t *start_bytes, uint32_t *size_bytes);
   /* Compute units of the device (0: unknown): pm4d_conv2d_variant_choose picks the tiles. */
   uint32_t (*compute_units)(void *dev);
   void (*destroy)(void *dev);
   enum pm4d_direct_status (*alloc)(void *dev, uint64_t size, uint32_t align,
                                    struct pm4d_direct_mem *out);
   void (*free)(void *dev, struct pm4d_direct_mem *mem);
   /* Uploads a laid-out code-object image; *base is its device address (256-byte aligned). */
   enum pm4d_direct_status (*upload_code)(void *dev, const void *image, uint64_t size,
                                          const struct pm4d_codeobj_info *info, uint64_t *base,
                                          char *reason, size_t reason_size);
   enum pm4d_direct_status (*memory_register)(void *dev, uint64_t id, void *host, uint64_t size,
                                              int dmabuf_fd);
   void (*memory_unregister)(void *dev, uint64_t id, void *host);
   /* Fault injection for tests (PM4DIRECT_SIM_FAULT syntax for the sim); NULL: none. */
   enum pm4d_direct_status (*inject)(void *dev, const char *spec, char *reason, size_t reason_size);

   enum pm4d_direct_status (*queue_create)(void *dev, struct pm4d_direct_queue *q, void **out);
   void (*queue_destroy)(void *bq);
   /* Called with no lock held (NULL: always ready): whether, for any i < count, a kick on
    * queue bqs[i] waiting for wait_points[i] can go out without blocking in the kernel (amdgpu:
    * the point has a fence attached), waiting for the first of them until deadline_ns
    * (CLOCK_MONOTONIC; a past one: a look). false: the batch is queued and the watchdog kicks
    * it once ready says so (a deferred kick); it sleeps here for every queue's next one at once.
    * count is at most PM4D_DIRECT_WAIT_QUEUES. */
   bool (*ready)(void *const *bqs, const uint64_t *wait_points, uint32_t count,
                 uint64_t deadline_ns);
   /* Runs the batch (ndw dwords at dw, device address ib, in the ring) after the bridge reaches
    * wait_point; its own RELEASE_MEM writes signal_point. jobs: the memory it touches. */
   enum pm4d_direct_status (*kick)(void *bq, const uint32_t *dw, uint64_t ib, uint32_t ndw,
                                   const struct pm4d_job *jobs, uint32_t count, uint64_t wait_point,
                                   uint64_t signal_point);
   /* What the device says about the queue now; never waits. */
   enum pm4d_direct_status (*status)(void *bq, struct pm4d_direct_backend_state *out, char *reason,
                                     size_t reason_size);
   /* How the device ended the batch that signals signal_point (kernel_signals back ends; NULL:
    * unknown): 0 done or not known, 1 not ended, -ETIME its own job timed out (a hang of ours),
    * -ECANCELED cancelled by a reset (innocent), another -errno a fault. Never waits. */
   int (*verdict)(void *bq, uint64_t signal_point);
   /* The last GPU page fault the device recorded for the VM the batches run in (all zeros:
    * none yet), and one line that decodes it into desc; never waits. 0, or -1 when the device
    * cannot say (amdgpu below DRM 3.55). NULL: the back end has no such record (sim: its own
    * faults stop the queue, pm4d_direct_queue_fault). */
   int (*vm_fault)(void *dev, struct pm4d_direct_vm_fault *out, char *desc, size_t desc_size);
   /* Stops the queue's work for good and gets the queue ready for new work. Batches kicked
    * before may still be settling afterwards: status says when they are over. */
   enum pm4d_direct_status (*reset)(void *bq, char *reason, size_t reason_size);
};

/* Opening a back end: *dev and *ops, and target = the gfx name whose kernels it runs. */
/* The sim: target from PM4DIRECT_SIM_TARGET (default gfx1030), faults from
 * PM4DIRECT_SIM_FAULT. */
#define PM4D_DIRECT_ENV_SIM_TARGET     "PM4DIRECT_SIM_TARGET"
#define PM4D_DIRECT_SIM_DEFAULT_TARGET "gfx1030"
enum pm4d_direct_status pm4d_direct_sim_open(const struct pm4d_direct_config *cfg, void **dev,
                                             const struct pm4d_direct_backend_ops **ops,
                                             char target[PM4D_TARGET_NAME_MAX], char *reason,
                                             size_t reason_size);
/* amdgpu: the GPU at cfg->pci, through libdrm (or the ops a test set). */
enum pm4d_direct_status pm4d_direct_amdgpu_open(const struct pm4d_direct_config *cfg, void **dev,
                                                const struct pm4d_direct_backend_ops **ops,
                                                char target[PM4D_TARGET_NAME_MAX], char *reason,
                                                size_t reason_size);

/* Called by back ends, from their threads. */
/* A RELEASE_MEM's interrupt: value is in the fence memory; signals the bridge up to the last
 * batch it completes (pm4d_direct_queue_point_done). */
void pm4d_direct_queue_interrupt(struct pm4d_direct_queue *q, uint64_t value);
/* The device stopped at a fault on this queue; the watchdog resets it. */
void pm4d_direct_queue_fault(struct pm4d_direct_queue *q, const char *reason);
/* Stops (running = false) and restarts the deadline clock of the queue's batches: a back end
 * that executes work on a model far slower than the device it stands for (the sim's
 * instruction model) stops it around each model run, so that time never counts toward a
 * deadline. While stopped no batch of the queue is declared hung. */
void pm4d_direct_queue_clock(struct pm4d_direct_queue *q, bool running);
/* The bridge's wait, for a back end's scheduler. */
int pm4d_direct_queue_bridge_wait(struct pm4d_direct_queue *q, uint64_t point, uint64_t timeout_ns);

#endif
