/* State of the direct path, shared by its files: the device part (pm4d_direct.c), queues and
 * submission (pm4d_direct_queue.c) and the watchdog (pm4d_direct_watchdog.c). */
#ifndef PM4D_DIRECT_INTERNAL_H
#define PM4D_DIRECT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "pm4d_builder.h"
#include "pm4d_codeobj.h"
#include "pm4d_direct.h"
#include "pm4d_direct_backend.h"
#include "pm4d_index.h"
#include "pm4d_ring.h"
#include "pm4d_template.h"
#include "pm4d_validate.h"

#define PM4D_DIRECT_MAX_INFLIGHT        64u /* batches per queue */
#define PM4D_DIRECT_DEFAULT_DEADLINE_NS 100000000ull
/* Kernarg bytes per job: the conv2d kernargs rounded up to a cache line. */
#define PM4D_DIRECT_KERNARG_SLOT 128u
/* How often the watchdog looks at batches it has no event for (wait points not yet reached,
 * back ends without interrupts). Well under the 100 ms detection bound. */
#define PM4D_DIRECT_TICK_NS    10000000ull
#define PM4D_DIRECT_REASON_MAX 320
/* One submission in this many (per queue) feeds the latency histograms. */
#define PM4D_DIRECT_TIMING_EVERY 8u
/* Largest IB alignment (bytes) a back end may report. */
#define PM4D_DIRECT_IB_ALIGN_MAX 256u
/* A fallback switch: barrier (at most 2 + 8) and a 5-dword WRITE_DATA. */
#define PM4D_DISARM_MAX_DW 16u
/* scripts/bench-safety builds with -DPM4D_SAFETY_FASTPATH_OFF to measure the submission path
 * without its safety instrumentation (timing, auto-disable check); never a product build. */
#ifdef PM4D_SAFETY_FASTPATH_OFF
#define PM4D_DIRECT_SAFETY 0
#else
#define PM4D_DIRECT_SAFETY 1
#endif
/* scripts/bench-validation builds with -DPM4D_BENCH_UNVALIDATED to measure what the per-batch
 * check costs the submission path; never a product build (batches are always validated). */
#ifdef PM4D_BENCH_UNVALIDATED
#define PM4D_DIRECT_VALIDATE 0
#else
#define PM4D_DIRECT_VALIDATE 1
#endif

struct pm4d_direct_kernel {
   const struct pm4d_kernel_desc *desc; /* in pm4d_direct.info; NULL: variant missing */
   uint64_t program;                    /* entry address on the device */
   uint32_t dispatch_dw;                /* what one dispatch of it takes in the ring */
   const struct pm4d_template *tmpl;    /* &tmpl_storage, or NULL: the dynamic builder */
   struct pm4d_template tmpl_storage;
};

struct pm4d_direct_memory {
   uint64_t id; /* first: mem_index's key */
   uint64_t size;
   void *host;
   /* The device address of its first byte, where job addresses point: the host mapping (sim),
    * or the GPU VA the layer learnt at its first buffer bind (amdgpu,
    * pm4d_direct_memory_place); 0: not known yet, no job may use it. */
   uint64_t base;
};

struct pm4d_direct {
   struct pm4d_direct_callbacks cb;
   bool debug;
   uint32_t ring_bytes;
   uint64_t deadline_base_ns;
   const struct pm4d_direct_backend_ops *ops;
   void *dev;

   char target[PM4D_TARGET_NAME_MAX];
   uint32_t compute_units; /* the back end's count (0: unknown), for the variant choice */
   uint32_t max_inflight;  /* batches per queue: the back end's limit, at most the table's */
   enum pm4d_gfx_level level;
   struct pm4d_builder builder;
   struct pm4d_codeobj_info info;
   struct pm4d_direct_kernel kernels[PM4D_CONV2D_VARIANT_COUNT];
   struct pm4d_tail_template tail;
   uint32_t head[PM4D_BATCH_HEAD_MAX_DW], head_dw;
   /* pm4d_direct_batch.c: IB alignment (start and size) in dwords, and the XOR of the head
    * and of each padding length, for the per-batch check. */
   uint32_t ib_align_dw, head_xor;
   /* each padding: this, then zeros (this is also its XOR) */
   uint32_t pad_header[PM4D_DIRECT_IB_ALIGN_MAX / 4];
   uint32_t test_flip_index, test_flip_mask;  /* pm4d_direct_test_flip_next_batch */
   uint32_t test_bad_job;                     /* pm4d_direct_test_bad_address (0: none) */
   _Atomic uint32_t test_jobs;                /* jobs submitted since it was set */
   uint32_t dispatch_dw_min, dispatch_dw_max; /* over the loaded kernels */
   /* The fallback switches (pm4d_job.disarm): [0] between two jobs (the barrier the next
    * dispatch needs, then WRITE_DATA 0), [1] after the last (CS_PARTIAL_FLUSH, WRITE_DATA 0);
    * the address dwords (slot, slot + 1) are 0 here and patched per job. */
   struct pm4d_direct_disarm {
      uint32_t ndw, slot, xor;
      uint32_t extra; /* dwords beyond what the plan counts (the barrier is the dispatch's) */
      uint32_t dw[PM4D_DISARM_MAX_DW];
   } disarm[2];
   struct pm4d_validator validator; /* programs; each queue adds its own memory */

   pthread_rwlock_t mem_lock;
   struct pm4d_direct_memory *mem;
   uint32_t nmem, memcap;
   /* mem by id: looked up for every buffer of a job the plan has not seen */
   struct pm4d_index mem_index;
   uint32_t mem_changes; /* (un)registrations and placements so far (plans follow it) */

   pthread_mutex_t mu; /* queues list, stop, device counters */
   struct pm4d_direct_queue *queues;
   struct pm4d_direct_stats stats; /* hangs, faults, resets, and destroyed queues' counters */
   bool stop;
   pthread_t watchdog;
   bool watchdog_running;
   bool killfile_watched;
   struct pm4d_direct_failed *failed; /* the watchdog's report buffer */
   _Atomic uint32_t event;            /* futex: bumped on every kick, completion, fault, close */
   /* GPU page faults (pm4d_direct_vm_fault.c): the last record the back end reported, under
    * d->mu; kicks counts batches kicked, fault_kicks its value at the last look; lost: a
    * fault hit the direct path's memory, the device is lost to the app. */
   bool fault_visible;
   struct pm4d_direct_vm_fault fault_seen;
   _Atomic uint64_t kicks, fault_kicks;
   atomic_bool lost;
};

struct pm4d_direct_batch {
   struct pm4d_job *jobs; /* in the queue's job records, beside its kernargs */
   uint32_t count;
   uint64_t wait_point, signal_point;
   uint64_t ring_end, kernarg_end; /* positions to retire to */
   /* The direct path signalled its point (sim: pm4d_direct_queue_point_done; a batch never
    * kicked: pm4d_direct_queue_host_signal). */
   bool signalled;
   /* Deferred: built, validated and recorded, not kicked yet (its wait point had no fence
    * attached); the watchdog kicks queued batches in order (kick_deferred). A failed batch
    * still queued was never kicked: the direct path signals its point, whatever the back end. */
   bool queued;
   /* Queued: when the back end first refused its deferred kick as back pressure (RING_FULL),
    * plus the base deadline: retried on later looks until then, failed after (0: none yet). */
   uint64_t pressure_until_ns;
   uint64_t ib;      /* the batch's device address, for a deferred kick */
   uint32_t ndw;     /* the batch is the ndw dwords before ring_end */
   uint64_t kick_ns; /* 0: not timed */
   uint64_t budget_ns, deadline_ns;
   bool started;
   bool overdue; /* amdgpu: past its deadline, the kernel's outcome awaited (logged once) */
   /* Recovery gave up on it: its jobs go to batch_failed (reported once they have), and its
    * space waits for the back end to say it is over. */
   bool failed, reported;
};

/* Checked form of one job, kept between the check and the build of a submission. */
struct pm4d_direct_plan {
   struct pm4d_conv2d_params params;
   const struct pm4d_direct_kernel *kernel;
   uint32_t grid[3];
   /* What the last job planned in this slot asked for, and what follows from its params alone
    * (the check's verdict, the kernel, grid, buffer sizes, FLOPs): a job with equal params (a
    * command buffer submitted again) reuses them. kernel NULL: nothing to reuse. */
   struct pm4d_conv2d_params asked;
   uint64_t bytes[4], flops;
   /* Where in pm4d_direct.mem the job's four buffers and its switch were found last: looked at
    * first (ids are unique there, so a match is the record). */
   uint32_t mem_at[5];
   /* The last job's buffers and switch, found inside registered memory while mem_changes was
    * this (ranges_ok): a job with equal params, buffers and switch passes again while nothing
    * was registered or unregistered since. */
   bool ranges_ok;
   uint32_t mem_changes;
   struct pm4d_conv2d_buffers addr;
   uint64_t memory_ids[4], disarm, disarm_memory;
};

struct pm4d_direct_queue {
   struct pm4d_direct *d;
   struct pm4d_direct_queue *next;
   struct pm4d_bridge bridge;
   void *user;
   void *bq;

   /* Submitting thread only. */
   struct pm4d_ring *ring;
   uint64_t ring_addr;              /* device address of the ring's first dword */
   struct pm4d_direct_mem ring_mem; /* the ring's storage, from the back end */
   struct pm4d_direct_mem kernargs;
   uint64_t kernarg_bytes, kernarg_write;
   struct pm4d_direct_mem fence;
   uint32_t batch_xor; /* pm4d_direct_batch_fixed_xor of the fence */
   struct pm4d_validator validator;
   struct pm4d_direct_plan *plan;
   uint64_t *disarm; /* the batch's fallback switches, in order, for the full validator */
   /* The jobs of the batches in flight: one record per kernarg slot, so a batch's jobs take
    * the records of its kernarg slots and are retired with them (no allocation per batch). */
   struct pm4d_job *job_records;
   uint32_t max_jobs;
   uint32_t submits; /* picks the timed ones */

   pthread_mutex_t mu; /* batches, flags, counters */
   struct pm4d_direct_batch batches[PM4D_DIRECT_MAX_INFLIGHT];
   uint32_t head, count;
   /* Queued batches (the last `deferred` of the list): a later batch queues behind them.
    * Written under mu; read without it by the submitting thread's first look. */
   _Atomic uint32_t deferred;
   _Atomic uint64_t kernarg_retired;
   bool resetting, closing;
   bool reporting;            /* the watchdog is calling batch_failed for this queue */
   uint32_t failed_held;      /* failed batches still in the list; the watchdog's only */
   uint64_t fault_looked;     /* the watchdog's: `settled` at its last GPU page-fault look */
   uint64_t clock_stopped_ns; /* pm4d_direct_queue_clock: when it stopped; 0 while running */
   /* The last bridge point the direct path signalled, under signal_mu (sim: the CP thread's
    * interrupt and the watchdog both signal; never twice, never out of order). */
   pthread_mutex_t signal_mu;
   uint64_t signalled;
   struct pm4d_direct_stats stats;
   struct pm4d_path_counters paths;

   _Atomic int fault_pending;
   char fault_reason[PM4D_DIRECT_REASON_MAX - 64];
};

/* What pm4d_direct_batch_validate needs to know of a built batch (q->plan holds its jobs). */
struct pm4d_direct_built {
   const struct pm4d_job *jobs; /* their fallback switches, for the full validator */
   uint32_t count;
   /* What the build wrote XORs to: the XOR of every validated part copied in (head,
    * templates, fallback switches, tail: its fixed dwords; the padding) and of every value patched into one,
    * each added where it is written. A part added to batches adds its own the same way. */
   uint32_t expect_xor;
   bool templates_only; /* every dispatch was copied from a template */
};

/* Dwords a batch of ndw takes once padded to the IB size alignment. */
static inline uint32_t pm4d_direct_batch_dw(const struct pm4d_direct *d, uint32_t ndw)
{
   return (ndw + d->ib_align_dw - 1) & ~(d->ib_align_dw - 1);
}
/* At device creation, after the templates, head and tail: the back end's IB alignment, the
 * XORs the per-batch check uses, and each template once through the full validator. */
enum pm4d_direct_status pm4d_direct_batch_prepare(struct pm4d_direct *d, char *reason, size_t rs);
/* XOR of the parts of every batch of a queue with this fence: the head and the tail, its
 * fence value left out. */
uint32_t pm4d_direct_batch_fixed_xor(const struct pm4d_direct *d, uint64_t fence_addr);
/* Pads the built batch (cdw of its ndw dwords written at dw) with one NOP to ndw; returns the
 * padding's XOR. The last step of the build: a test's bit error
 * (pm4d_direct_test_flip_next_batch) goes into the batch here. */
uint32_t pm4d_direct_batch_pad(struct pm4d_direct *d, uint32_t *dw, uint32_t cdw, uint32_t ndw);
/* Validates the padded batch (pm4d_direct_batch.c); PM4D_DIRECT_INVALID with a reason when
 * refused. */
enum pm4d_direct_status pm4d_direct_batch_check(struct pm4d_direct_queue *q, uint32_t *dw,
                                                uint32_t ndw, const struct pm4d_direct_built *b,
                                                char *reason, size_t rs);
/* The same, with the common case inline: a one-job batch built from templates whose ring XORs
 * to what was written is accepted here; any other batch, and any mismatch (which it refuses
 * with its reason), goes to pm4d_direct_batch_check. */
static inline enum pm4d_direct_status pm4d_direct_batch_validate(struct pm4d_direct_queue *q,
                                                                 uint32_t *dw, uint32_t ndw,
                                                                 const struct pm4d_direct_built *b,
                                                                 char *reason, size_t rs)
{
   const struct pm4d_direct *d = q->d;
   if (!d->debug && b->templates_only && b->count == 1 && pm4d_xor_dw8(dw, ndw) == b->expect_xor)
      return PM4D_DIRECT_OK;
   return pm4d_direct_batch_check(q, dw, ndw, b, reason, rs);
}

/* Builds d->disarm (at device creation, after the builder). */
enum pm4d_direct_status pm4d_direct_disarm_prepare(struct pm4d_direct *d, char *reason, size_t rs);
/* Dwords the fallback switch of job i of n adds (0 without one). */
static inline uint32_t pm4d_direct_disarm_dw(const struct pm4d_direct *d, const struct pm4d_job *j,
                                             uint32_t i, uint32_t n)
{
   return j->disarm ? d->disarm[i + 1 == n].extra : 0;
}
/* Copies switch sequence s with addr patched in; returns its dwords. */
static inline uint32_t pm4d_direct_disarm_copy(const struct pm4d_direct_disarm *s, uint32_t *dst,
                                               uint64_t addr)
{
   memcpy(dst, s->dw, s->ndw * 4u);
   dst[s->slot] = (uint32_t)addr;
   dst[s->slot + 1] = (uint32_t)(addr >> 32);
   return s->ndw;
}
/* What pm4d_direct_disarm_copy's copy XORs to (for the per-batch check). */
static inline uint32_t pm4d_direct_disarm_xor(const struct pm4d_direct_disarm *s, uint64_t addr)
{
   return s->xor ^(uint32_t)addr ^ (uint32_t)(addr >> 32);
}
/* sim: signals the bridge point of a batch that is over (pm4d_direct_queue.c), once, in point
 * order; amdgpu: nothing (the kernel signals). */
void pm4d_direct_queue_point_done(struct pm4d_direct_queue *q, uint64_t point);
/* Signals a bridge point from the host, once, in point order, whatever the back end: the sim's
 * points, and those of batches that failed before they were kicked (a deferred kick refused,
 * the queue destroyed or reset first), which no kernel will signal. The caller has seen the
 * batch's wait point reached (VUID-VkSemaphoreSignalInfo-value-03259: no host signal below a
 * pending signal operation). */
void pm4d_direct_queue_host_signal(struct pm4d_direct_queue *q, uint64_t point);

/* Device event futex. */
void pm4d_direct_event_bump(struct pm4d_direct *d);
/* Sleeps while the event count is `seen`, until deadline_ns (CLOCK_MONOTONIC). */
void pm4d_direct_event_wait(struct pm4d_direct *d, uint32_t seen, uint64_t deadline_ns);

/* A job's four buffers in pm4d_conv2d_buffer_bytes's order: their addresses, and the name of
 * buffer b for messages (the plan's range check, the page-fault owner). */
static inline void pm4d_direct_job_buffers(const struct pm4d_job *job, uint64_t at[4])
{
   at[0] = job->addr.input;
   at[1] = job->addr.filter;
   at[2] = job->addr.bias;
   at[3] = job->addr.output;
}

static inline const char *pm4d_direct_buffer_name(int b)
{
   static const char *const names[4] = {"input", "filter", "bias", "output"};
   return names[b];
}

/* The registered memory with key id (lock held by the caller), or NULL. */
static inline const struct pm4d_direct_memory *
pm4d_direct_memory_find_locked(const struct pm4d_direct *d, uint64_t id)
{
   uint32_t at = pm4d_index_find(&d->mem_index, d->mem, sizeof(*d->mem), id);
   return at != UINT32_MAX ? &d->mem[at] : NULL;
}

/* The variant that runs p on this device and its grid; PM4D_CONV2D_VARIANT_COUNT when none. */
enum pm4d_conv2d_variant pm4d_direct_variant(const struct pm4d_direct *d,
                                             const struct pm4d_conv2d_params *p, uint32_t grid[3]);

/* Writes a diagnostics event (PM4DIRECT_DIAG_DIR; nothing when unset): reason, the failing
 * batch's PM4 (pm4/ndw; NULL when none was built), the affected batches' jobs and the queue's
 * positions and counters. action says what the layer does now. */
void pm4d_direct_diag(struct pm4d_direct_queue *q, const char *kind, const char *reason,
                      const char *action, const uint32_t *pm4, uint32_t ndw,
                      const struct pm4d_direct_batch *batches, uint32_t nb);

/* GPU page faults (pm4d_direct_vm_fault.c). At creation: the record already there is not
 * ours. Then a look: asks the back end for its record; a new one whose page holds memory of the
 * direct path's (a queue's ring, kernargs or fence; a buffer or fallback switch of a batch in a
 * queue's list) makes the device lost: logged, counted, a diagnostics event, the path turned
 * off. Called with d->mu held and no queue lock. */
void pm4d_direct_vm_fault_init(struct pm4d_direct *d);
void pm4d_direct_vm_fault_look_locked(struct pm4d_direct *d);

enum pm4d_direct_status pm4d_direct_watchdog_start(struct pm4d_direct *d);
void pm4d_direct_watchdog_stop(struct pm4d_direct *d);
/* Adds a queue's counters into out. Called with q->mu held. */
void pm4d_direct_stats_add(struct pm4d_direct_stats *out, const struct pm4d_direct_stats *in);

#endif
