/* Simulated AMD command processor: a test device that runs PM4 the way the hardware front end
 * does. Each queue has a hardware ring (layer/ring) read by a command-processor thread that
 * sleeps in pm4d_ring_wait_work; a small scheduler thread (the in-kernel scheduler's role on
 * amdgpu) waits for a batch's wait point and then writes an INDIRECT_BUFFER packet for it into
 * the hardware ring. The CP follows the IB, keeps an SH register file, runs DISPATCH_DIRECT by
 * mapping COMPUTE_PGM_LO/HI to an uploaded kernel and executing it through PoCL (pm4d_clrun)
 * with the kernarg bytes that the kernel's kernarg user SGPRs (USER_DATA_n) point to, and carries out RELEASE_MEM by writing the 64-bit
 * fence value and raising an interrupt (a callback). Addresses are host addresses of memory
 * mapped into the sim; anything else is a fault, reported like a GPU page fault, after which
 * the CP halts until reset. Unknown opcodes are faults too.
 *
 * Fault injection (PM4DIRECT_SIM_FAULT, comma-separated, or pm4d_sim_set_fault):
 *   stall_after=N  the CP stops before dispatch N+1 (counted per device) until reset
 *   delay_us=N     the CP sleeps N microseconds before every dispatch
 *   no_fence       RELEASE_MEM writes nothing and raises no interrupt
 *   bad_address    the next dispatch's kernarg pointer is turned into an unmapped address
 *   no_exec        test switch, not a fault: dispatches are decoded and checked, not run, and
 *                  no OpenCL platform is needed (host-cost benchmarks)
 *
 * The sim is a test device: nothing it measures is a hardware figure. */
#ifndef PM4D_SIM_H
#define PM4D_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm4d_gfx.h"

#define PM4D_SIM_ENV_FAULT "PM4DIRECT_SIM_FAULT"
/* Kicked batches a queue holds at once (scheduled, running, or waiting for their point). */
#define PM4D_SIM_QUEUE_DEPTH 128u

enum pm4d_sim_status {
   PM4D_SIM_OK = 0,
   PM4D_SIM_NO_PLATFORM, /* no OpenCL platform to run kernels on */
   PM4D_SIM_INVALID,     /* bad argument: address not mapped, overlapping map, ... */
   PM4D_SIM_FULL,        /* the queue holds PM4D_SIM_QUEUE_DEPTH batches */
   PM4D_SIM_NOMEM,
   PM4D_SIM_FAILED, /* a thread could not be started */
};
const char *pm4d_sim_status_name(enum pm4d_sim_status s);

struct pm4d_sim_fault {
   uint32_t stall_after; /* 0: never */
   uint32_t delay_us;
   bool no_fence;
   bool bad_address;
   bool no_exec;
};

/* Parses the PM4DIRECT_SIM_FAULT syntax above into *out (zeroed first; NULL or "" is no
 * fault). False with a reason on an unknown token or a bad number. */
bool pm4d_sim_fault_parse(const char *text, struct pm4d_sim_fault *out, char *reason,
                          size_t reason_size);

/* What the sim calls back, on its own threads. queue_user is the queue's. */
struct pm4d_sim_events {
   void *user;
   /* RELEASE_MEM's interrupt, after the fence value is visible in memory. */
   void (*fence)(void *user, void *queue_user, uint64_t value);
   /* The CP halted at a fault; it does nothing more until reset. */
   void (*fault)(void *user, void *queue_user, const char *reason);
   /* The scheduler's wait for a batch's wait point: 0 once reached, 1 at timeout, -1 error. */
   int (*wait)(void *user, void *queue_user, uint64_t point, uint64_t timeout_ns);
};

struct pm4d_sim;
struct pm4d_sim_queue;

/* level: the register table the CP decodes with. fault: initial injection (NULL: none). The
 * OpenCL runner is built here unless fault->no_exec. */
enum pm4d_sim_status pm4d_sim_create(enum pm4d_gfx_level level, const struct pm4d_sim_fault *fault,
                                     const struct pm4d_sim_events *events, struct pm4d_sim **out,
                                     char *reason, size_t reason_size);
/* Destroy every queue first. */
void pm4d_sim_destroy(struct pm4d_sim *s);
/* no_exec is fixed at creation; the other fields apply from the next packet on, and the
 * dispatch count of stall_after restarts. */
void pm4d_sim_set_fault(struct pm4d_sim *s, const struct pm4d_sim_fault *fault);
/* "PoCL / cpu-..." or "no_exec". */
const char *pm4d_sim_device_name(const struct pm4d_sim *s);

/* Makes [host, host + size) addressable by the device at address (uint64_t)host. Ranges must
 * not overlap. */
enum pm4d_sim_status pm4d_sim_map(struct pm4d_sim *s, void *host, uint64_t size);
void pm4d_sim_unmap(struct pm4d_sim *s, void *host);
/* Device memory: host memory aligned to `align` (a power of two), zeroed and mapped. */
enum pm4d_sim_status pm4d_sim_alloc(struct pm4d_sim *s, uint64_t size, uint32_t align, void **out);
void pm4d_sim_free(struct pm4d_sim *s, void *mem);
/* A kernel's first instruction is at entry (inside mapped memory): DISPATCH_DIRECT with
 * COMPUTE_PGM = entry runs kernel_name, whose kernarg pointer is in user SGPRs
 * kernarg_sgpr, kernarg_sgpr + 1 (COMPUTE_USER_DATA_n, as pm4d_kernel_desc says). */
enum pm4d_sim_status pm4d_sim_add_program(struct pm4d_sim *s, uint64_t entry,
                                          const char *kernel_name, uint32_t kernarg_sgpr);

enum pm4d_sim_status pm4d_sim_queue_create(struct pm4d_sim *s, void *queue_user,
                                           struct pm4d_sim_queue **out);
/* Stops the queue's threads (work in flight is abandoned). */
void pm4d_sim_queue_destroy(struct pm4d_sim_queue *q);
/* Runs the ndw dwords at device address ib once events->wait reports wait_point; the batch
 * counts as complete when a RELEASE_MEM writes a value >= signal_point. FULL when the queue
 * holds PM4D_SIM_QUEUE_DEPTH batches. */
enum pm4d_sim_status pm4d_sim_queue_kick(struct pm4d_sim_queue *q, uint64_t ib, uint32_t ndw,
                                         uint64_t wait_point, uint64_t signal_point);
/* The signal point up to which every kicked batch is over: fenced, or abandoned by a reset. */
uint64_t pm4d_sim_queue_settled(struct pm4d_sim_queue *q);
/* Stops the CP and the scheduler for good (after this no fence of older work is written),
 * with no kick on this queue in flight (the caller holds kicks back while it resets),
 * writes the signal points of kicked batches that never completed to never_done (in order, at
 * most max; returns how many there were) and starts fresh threads for later work. */
uint32_t pm4d_sim_queue_reset(struct pm4d_sim_queue *q, uint64_t *never_done, uint32_t max);

#endif
