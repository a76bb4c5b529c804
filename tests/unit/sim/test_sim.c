/* The sim command processor on its own (no direct path, no kernels run: no_exec): the
 * PM4DIRECT_SIM_FAULT parser; batches built with the project's builder run in order and their
 * RELEASE_MEM fences land with an interrupt each; a wait point holds a batch back; and every
 * kind of bad stream halts the CP with a fault, after which a reset lists the batches that
 * never completed and a fresh CP runs new work. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_builder.h"
#include "pm4d_check.h"
#include "pm4d_sim.h"

#define WAIT_NS 5000000000ull

struct events {
   pthread_mutex_t mu;
   pthread_cond_t cv;
   uint64_t fence, point; /* last interrupt value; the "bridge" the scheduler waits on */
   uint32_t interrupts, faults;
   bool out_of_order;
   char reason[320];
};

static struct events ev = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void on_fence(void *user, void *queue_user, uint64_t value)
{
   (void)user, (void)queue_user;
   pthread_mutex_lock(&ev.mu);
   ev.out_of_order |= value <= ev.fence;
   ev.fence = value;
   ev.interrupts++;
   pthread_cond_broadcast(&ev.cv);
   pthread_mutex_unlock(&ev.mu);
}

static void on_fault(void *user, void *queue_user, const char *reason)
{
   (void)user, (void)queue_user;
   pthread_mutex_lock(&ev.mu);
   ev.faults++;
   strncpy(ev.reason, reason, sizeof(ev.reason) - 1);
   pthread_cond_broadcast(&ev.cv);
   pthread_mutex_unlock(&ev.mu);
}

static struct timespec abs_time(uint64_t ns_from_now)
{
   struct timespec ts;
   clock_gettime(CLOCK_REALTIME, &ts);
   uint64_t t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + ns_from_now;
   return (struct timespec){(time_t)(t / 1000000000ull), (long)(t % 1000000000ull)};
}

static int on_wait(void *user, void *queue_user, uint64_t point, uint64_t timeout_ns)
{
   (void)user, (void)queue_user;
   struct timespec ts = abs_time(timeout_ns);
   pthread_mutex_lock(&ev.mu);
   while (ev.point < point && pthread_cond_timedwait(&ev.cv, &ev.mu, &ts) == 0)
      ;
   int r = ev.point >= point ? 0 : 1;
   pthread_mutex_unlock(&ev.mu);
   return r;
}

static void set_point(uint64_t p)
{
   pthread_mutex_lock(&ev.mu);
   ev.point = p;
   pthread_cond_broadcast(&ev.cv);
   pthread_mutex_unlock(&ev.mu);
}

/* Waits (bounded) until the fence reaches value or a fault arrives; true for the fence. */
static bool wait_fence(uint64_t value)
{
   struct timespec ts = abs_time(WAIT_NS);
   pthread_mutex_lock(&ev.mu);
   while (ev.fence < value && !ev.faults && pthread_cond_timedwait(&ev.cv, &ev.mu, &ts) == 0)
      ;
   bool ok = ev.fence >= value;
   pthread_mutex_unlock(&ev.mu);
   return ok;
}

static bool wait_fault(void)
{
   struct timespec ts = abs_time(WAIT_NS);
   pthread_mutex_lock(&ev.mu);
   while (!ev.faults && pthread_cond_timedwait(&ev.cv, &ev.mu, &ts) == 0)
      ;
   bool ok = ev.faults > 0;
   pthread_mutex_unlock(&ev.mu);
   return ok;
}

static struct pm4d_sim *sim;
static struct pm4d_builder b;
static struct pm4d_kernel_desc kernel;
static uint64_t program, kernarg;
static uint64_t *fence;
static uint32_t *ibs; /* one 256-dword IB per batch */

/* Batch i: head, one dispatch, RELEASE_MEM of value i + 1; `corrupt` replaces the dispatch's
 * first header with one of another opcode. */
static uint32_t build(uint32_t i, uint32_t corrupt_opcode)
{
   static const uint32_t grid[3] = {2, 1, 1};
   uint32_t *dw = ibs + i * 256;
   char why[PM4D_PM4_REASON_MAX] = "";
   struct pm4d_cs cs;
   pm4d_cs_init(&cs, dw, 256);
   CHECKF(pm4d_builder_batch_head(&b, &cs, why, sizeof(why)) == PM4D_OK, "head: %s", why);
   uint32_t at = cs.cdw;
   CHECKF(pm4d_builder_dispatch(&b, &kernel, program, kernarg, grid, true, &cs, NULL, why,
                                sizeof(why)) == PM4D_OK,
          "dispatch: %s", why);
   if (corrupt_opcode)
      dw[at] = (dw[at] & ~(0xFFu << 8)) | corrupt_opcode << 8;
   CHECKF(pm4d_builder_batch_tail(&b, (uint64_t)(uintptr_t)fence, i + 1, &cs, NULL, why,
                                  sizeof(why)) == PM4D_OK,
          "tail: %s", why);
   pm4d_pkt_nop(&cs, (8 - cs.cdw % 8) % 8); /* the kernel's 32-byte IB size alignment */
   return cs.cdw;
}

static void parse(void)
{
   struct pm4d_sim_fault f;
   char r[256];
   CHECKF(pm4d_sim_fault_parse("stall_after=3,delay_us=250,no_fence,bad_address,no_exec", &f, r,
                               sizeof(r)) &&
             f.stall_after == 3 && f.delay_us == 250 && f.no_fence && f.bad_address && f.no_exec,
          "full spec");
   CHECKF(pm4d_sim_fault_parse(NULL, &f, r, sizeof(r)) && !f.stall_after && !f.no_fence, "no spec");
   CHECKF(!pm4d_sim_fault_parse("stall_after=0", &f, r, sizeof(r)), "stall_after=0 refused");
   CHECKF(!pm4d_sim_fault_parse("delay_us=-1", &f, r, sizeof(r)), "negative refused");
   CHECKF(!pm4d_sim_fault_parse("explode", &f, r, sizeof(r)) && strstr(r, "explode"),
          "unknown item named: %s", r);
   CHECKF(!pm4d_sim_fault_parse("no_fence=1", &f, r, sizeof(r)), "flag with a value refused");
}

/* Kicks IB i (ndw dwords) and expects a fault naming `what`. */
static void expect_fault_ib(struct pm4d_sim_queue *q, uint32_t i, uint32_t ndw, const char *what)
{
   pthread_mutex_lock(&ev.mu);
   ev.faults = 0;
   pthread_mutex_unlock(&ev.mu);
   CHECKF(pm4d_sim_queue_kick(q, (uint64_t)(uintptr_t)(ibs + i * 256), ndw, 0, i + 1) ==
             PM4D_SIM_OK,
          "kick");
   CHECKF(wait_fault() && strstr(ev.reason, what), "fault '%s': %s", what, ev.reason);
   uint64_t never[4];
   CHECKF(pm4d_sim_queue_reset(q, never, 4) == 1 && never[0] == i + 1,
          "reset lists the batch that never completed");
   CHECKF(*fence < i + 1, "no fence after the fault");
}

/* Kicks a batch whose dispatch header is opcode `op` and expects a fault naming `what`. */
static void expect_fault(struct pm4d_sim_queue *q, uint32_t i, uint32_t op, const char *what)
{
   expect_fault_ib(q, i, build(i, op), what);
}

int main(void)
{
   parse();
   const struct pm4d_sim_fault no_exec = {.no_exec = true};
   const struct pm4d_sim_events events = {.fence = on_fence, .fault = on_fault, .wait = on_wait};
   char reason[256];
   CHECKF(pm4d_sim_create("gfx1030", &no_exec, &events, &sim, reason, sizeof(reason)) ==
             PM4D_SIM_OK,
          "create: %s", reason);
   pm4d_builder_init(&b, PM4D_GFX10_3);
   kernel = (struct pm4d_kernel_desc){.name = "pm4d_conv2d_direct",
                                      .target = "gfx1030",
                                      .rsrc2 = 2u << 1,
                                      .wg_size = {64, 1, 1},
                                      .wave_size = 32,
                                      .kernarg_size = 100,
                                      .kernarg_align = 8};
   void *code, *args, *f, *ib;
   pm4d_sim_alloc(sim, 4096, 256, &code);
   pm4d_sim_alloc(sim, 256, 256, &args);
   pm4d_sim_alloc(sim, 8, 8, &f);
   pm4d_sim_alloc(sim, 16 * 256 * 4, 256, &ib);
   program = (uint64_t)(uintptr_t)code;
   kernarg = (uint64_t)(uintptr_t)args;
   fence = f;
   ibs = ib;
   CHECKF(pm4d_sim_add_program(sim, program, kernel.name, 0) == PM4D_SIM_OK, "program");
   struct pm4d_sim_queue *q;
   CHECKF(pm4d_sim_queue_create(sim, NULL, &q) == PM4D_SIM_OK, "queue");

   /* Batches 0..3 wait for points 0..3: all but the first are held until the point moves. */
   for (uint32_t i = 0; i < 4; i++)
      CHECKF(pm4d_sim_queue_kick(q, (uint64_t)(uintptr_t)(ibs + i * 256), build(i, 0), i, i + 1) ==
                PM4D_SIM_OK,
             "kick %u", i);
   CHECKF(wait_fence(1), "batch 0 ran");
   nanosleep(&(struct timespec){0, 20000000}, NULL);
   CHECKF(*fence == 1, "batch 1 held back by its wait point (fence %llu)",
          (unsigned long long)*fence);
   set_point(3);
   CHECKF(wait_fence(4) && *fence == 4, "batches 1-3 ran after the point");
   CHECKF(ev.interrupts == 4 && !ev.out_of_order, "one interrupt per fence, in order");

   expect_fault(q, 4, 0x7A, "opcode"); /* unknown opcode */
   /* the dispatch starts with SET_SH_REG PGM_LO/HI (3 body dwords) */
   expect_fault(q, 5, PM4D_OP_RELEASE_MEM, "RELEASE_MEM with 3"); /* wrong size for its opcode */
   expect_fault(q, 6, PM4D_OP_INDIRECT_BUFFER, "opcode 0x3f");    /* sized right: no chaining */
   pm4d_sim_set_fault(sim, &(struct pm4d_sim_fault){.bad_address = true});
   expect_fault(q, 7, 0, "page fault");
   pm4d_sim_set_fault(sim, &(struct pm4d_sim_fault){0});
   /* The batch head's first SET_SH_REG (STATIC_THREAD_MGMT_SE0, SE1, TMPRING_SIZE, SE2, SE3:
    * 7 dwords) gone: the dispatch would run with the poisoned CU mask of SE0. */
   uint32_t ndw = build(8, 0);
   pm4d_pkt_nop_fill(ibs + 8 * 256, 7);
   expect_fault_ib(q, 8, ndw, "inherits COMPUTE_STATIC_THREAD_MGMT_SE0");
   expect_fault_ib(q, 9, build(9, 0) - 1, "alignment"); /* IB size not a multiple of 32 bytes */
   /* A fresh CP after the resets runs new work. */
   pthread_mutex_lock(&ev.mu);
   ev.faults = 0;
   pthread_mutex_unlock(&ev.mu);
   CHECKF(pm4d_sim_queue_kick(q, (uint64_t)(uintptr_t)(ibs + 7 * 256), build(7, 0), 0, 8) ==
             PM4D_SIM_OK,
          "kick after reset");
   CHECKF(wait_fence(8), "healthy after the resets");
   CHECKF(pm4d_sim_queue_kick(q, 0x1000, 16, 0, 9) == PM4D_SIM_OK && wait_fault() &&
             strstr(ev.reason, "IB"),
          "an IB outside mapped memory faults: %s", ev.reason);

   pm4d_sim_queue_destroy(q);
   pm4d_sim_destroy(sim);
   return pm4d_check_finish("sim_cp");
}
