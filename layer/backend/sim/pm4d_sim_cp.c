/* A sim queue: the scheduler thread that lets a kicked batch into the hardware ring once its
 * wait point is reached, and the command-processor thread that executes the ring. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_alloc.h"
#include "pm4d_iter.h"
#include "pm4d_kernels.h"
#include "pm4d_pkt.h"
#include "pm4d_ring.h"
#include "pm4d_sim_internal.h"

/* Hardware ring: one 4-dword INDIRECT_BUFFER per batch, at most PM4D_SIM_QUEUE_DEPTH of them
 * unread, which must fit half the ring (a reservation's limit). */
#define HW_RING_BYTES (PM4D_SIM_QUEUE_DEPTH * 4u * 4u * 2u)
/* The scheduler waits for a wait point in slices this long, so a reset never waits longer. */
#define SCHED_SLICE_NS 20000000ull
#define CP_IDLE_NS     1000000000ull
#define SH_REGS        (PM4D_SH_REG_END - PM4D_SH_REG_BASE)

struct kick {
   uint64_t ib, wait_point, signal_point;
   uint32_t ndw;
};

struct pm4d_sim_queue {
   struct pm4d_sim *s;
   void *user;

   pthread_mutex_t mu;
   pthread_cond_t cond;
   struct kick kicks[PM4D_SIM_QUEUE_DEPTH];
   /* Counts that only grow (until reset): kicked >= scheduled >= fenced is not required,
    * kicked >= fenced is. */
   uint64_t kicked, scheduled, fenced;
   uint64_t settled_before; /* the last signal point kicked before the latest reset */
   bool stop, running;

   struct pm4d_ring *hw;
   pthread_t cp_thread, sched_thread;
   uint32_t sh[SH_REGS]; /* CP thread only */
   bool ib_fenced;       /* CP thread only: the running IB wrote a fence, ib_fence */
   uint64_t ib_fence;
};

/* What another client may leave in a preamble register: a CU mask with one CU per SH, a
 * non-zero accumulator, tunnelling on, no interleave. */
#define POISON 0x00010001u

/* The preamble registers as a queue finds them: poisoned. */
static void poison(struct pm4d_sim_queue *q)
{
   const struct pm4d_preamble *p = q->s->preamble;
   for (uint32_t i = 0; i < p->count; i++)
      q->sh[q->s->regs->offset[p->regs[i].reg]] = POISON;
}

/* The first preamble register a dispatch would inherit, or NULL. */
static const struct pm4d_preamble_reg *inherited(const struct pm4d_sim_queue *q)
{
   const struct pm4d_preamble *p = q->s->preamble;
   for (uint32_t i = 0; i < p->count; i++)
      if (q->sh[q->s->regs->offset[p->regs[i].reg]] != p->regs[i].value)
         return &p->regs[i];
   return NULL;
}

static bool stopped(struct pm4d_sim_queue *q)
{
   pthread_mutex_lock(&q->mu);
   bool stop = q->stop;
   pthread_mutex_unlock(&q->mu);
   return stop;
}

/* Sleeps until deadline (CLOCK_MONOTONIC ns, 0: forever) or stop; false when stopped. */
static bool sleep_until(struct pm4d_sim_queue *q, uint64_t deadline_ns)
{
   pthread_mutex_lock(&q->mu);
   while (!q->stop && (deadline_ns == 0 || pm4d_clock_now_ns() < deadline_ns)) {
      if (deadline_ns == 0) {
         pthread_cond_wait(&q->cond, &q->mu);
      } else {
         struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000ull),
                               .tv_nsec = (long)(deadline_ns % 1000000000ull)};
         pthread_cond_timedwait(&q->cond, &q->mu, &ts);
      }
   }
   bool stop = q->stop;
   pthread_mutex_unlock(&q->mu);
   return !stop;
}

/* The CP halts at a fault: report it, then do nothing until reset. */
static void halt(struct pm4d_sim_queue *q, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));
static void halt(struct pm4d_sim_queue *q, const char *fmt, ...)
{
   char reason[320];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(reason, sizeof(reason), fmt, ap);
   va_end(ap);
   q->s->ev.fault(q->s->ev.user, q->user, reason);
   sleep_until(q, 0);
}

static uint32_t reg(const struct pm4d_sim_queue *q, enum pm4d_reg r)
{
   uint32_t off = q->s->regs->offset[r];
   return off < SH_REGS ? q->sh[off] : 0;
}

/* The dispatch on the instruction model, from the SH registers as programmed and the
 * DISPATCH_DIRECT packet (DIM_X..Z, DISPATCH_INITIATOR.CS_W32_EN); the model's time is taken
 * off the deadline clock. */
static bool dispatch_isa(struct pm4d_sim_queue *q, const struct pm4d_packet *p, uint64_t pgm,
                         const char *name)
{
   struct pm4d_sim *s = q->s;
   struct pm4d_isa_regs r = {
      .pgm = pgm,
      .rsrc1 = reg(q, PM4D_REG_PGM_RSRC1),
      .rsrc2 = reg(q, PM4D_REG_PGM_RSRC2),
      .rsrc3 = reg(q, PM4D_REG_PGM_RSRC3),
      .grid = {p->body[0], p->body[1], p->body[2]},
      .wave32 = (p->body[3] & PM4D_DI_CS_W32_EN) != 0,
   };
   for (uint32_t i = 0; i < 16; i++)
      r.user_data[i] = reg(q, (enum pm4d_reg)(PM4D_REG_USER_DATA_0 + i));
   for (uint32_t i = 0; i < 3; i++)
      r.num_thread[i] =
         (reg(q, (enum pm4d_reg)(PM4D_REG_NUM_THREAD_X + i)) >> PM4D_NUM_THREAD_FULL_SHIFT) &
         ((1u << PM4D_NUM_THREAD_FULL_WIDTH) - 1u);
   char reason[256];
   if (s->ev.clock)
      s->ev.clock(s->ev.user, q->user, false);
   bool ok = pm4d_sim_exec_isa(s, &r, reason, sizeof(reason));
   if (s->ev.clock)
      s->ev.clock(s->ev.user, q->user, true);
   if (!ok)
      halt(q, "%s on the instruction model: %s", name, reason);
   return ok;
}

static bool dispatch(struct pm4d_sim_queue *q, const struct pm4d_packet *p)
{
   struct pm4d_sim *s = q->s;
   uint64_t pgm = ((uint64_t)reg(q, PM4D_REG_PGM_LO) << 8) |
                  ((uint64_t)(reg(q, PM4D_REG_PGM_HI) & PM4D_PGM_HI_MASK) << 40);
   const uint32_t grid[3] = {p->body[0], p->body[1], p->body[2]};
   char name[PM4D_KERNEL_NAME_MAX];
   uint32_t sgpr = 0;
   void *args;

   const struct pm4d_preamble_reg *stale = inherited(q);
   if (stale) {
      halt(q, "dispatch inherits %s = 0x%08" PRIx32 " (the batch's preamble sets 0x%08" PRIx32 ")",
           pm4d_reg_name(stale->reg), reg(q, stale->reg), stale->value);
      return false;
   }
   struct pm4d_sim_dispatch_faults f = pm4d_sim_fault_next(s);
   if (f.stall) {
      sleep_until(q, 0); /* injected stall: only a reset ends it */
      return false;
   }
   if (f.delay_us && !sleep_until(q, pm4d_clock_now_ns() + f.delay_us * 1000ull))
      return false;
   if (!pm4d_sim_program(s, pgm, name, &sgpr)) {
      halt(q, "page fault: COMPUTE_PGM 0x%" PRIx64 " is no uploaded kernel", pgm);
      return false;
   }
   enum pm4d_reg lo = (enum pm4d_reg)(PM4D_REG_USER_DATA_0 + sgpr);
   uint64_t kernarg = reg(q, lo) | (uint64_t)reg(q, (enum pm4d_reg)(lo + 1)) << 32;
   if (f.bad_address)
      kernarg |= 1ull << 63; /* never a host address */
   if (!pm4d_sim_translate(s, kernarg, PM4D_CONV2D_KERNARG_SIZE, &args)) {
      halt(q, "page fault: kernarg pointer 0x%" PRIx64 " (USER_DATA_%" PRIu32 ") is not mapped",
           kernarg, sgpr);
      return false;
   }
   if (pm4d_sim_no_exec(s))
      return true;
   char reason[256];
   if (s->isa_exec)
      return dispatch_isa(q, p, pgm, name);
   if (!pm4d_sim_exec(s, name, grid, args, PM4D_CONV2D_KERNARG_SIZE, reason, sizeof(reason))) {
      halt(q, "page fault or kernel error in %s: %s", name, reason);
      return false;
   }
   return true;
}

/* RELEASE_MEM: 64-bit value to memory (INT_SEL is ignored: the fence is reported at the end
 * of the IB). */
static bool release_mem(struct pm4d_sim_queue *q, const struct pm4d_packet *p)
{
   uint64_t addr = p->body[2] | (uint64_t)p->body[3] << 32;
   uint64_t value = p->body[4] | (uint64_t)p->body[5] << 32;
   uint32_t data_sel = (p->body[1] >> PM4D_RM_DATA_SEL_SHIFT) & 7u;
   void *host;
   if (data_sel != PM4D_RM_DATA_SEL_64) {
      halt(q, "RELEASE_MEM with DATA_SEL %" PRIu32 " (the sim writes 64-bit values only)",
           data_sel);
      return false;
   }
   if ((addr & 7u) || !pm4d_sim_translate(q->s, addr, 8, &host)) {
      halt(q, "page fault: RELEASE_MEM address 0x%" PRIx64 " is not mapped or not aligned", addr);
      return false;
   }
   pthread_mutex_lock(&q->s->fault_mu);
   bool no_fence = q->s->fault.no_fence;
   pthread_mutex_unlock(&q->s->fault_mu);
   if (no_fence)
      return true;
   pthread_mutex_lock(&q->mu);
   if (q->stop) { /* reset: no fence of abandoned work may land */
      pthread_mutex_unlock(&q->mu);
      return false;
   }
   atomic_store_explicit((_Atomic uint64_t *)host, value, memory_order_release);
   while (q->fenced < q->kicked && q->kicks[q->fenced % PM4D_SIM_QUEUE_DEPTH].signal_point <= value)
      q->fenced++;
   pthread_mutex_unlock(&q->mu);
   q->ib_fenced = true; /* reported at the end of the IB */
   q->ib_fence = value;
   return true;
}

static bool write_data(struct pm4d_sim_queue *q, const struct pm4d_packet *p)
{
   void *host;
   uint64_t addr = p->body[1] | (uint64_t)p->body[2] << 32;
   uint32_t n = p->body_dw - 3;
   if (p->body_dw < 4 ||
       ((p->body[0] >> PM4D_WD_DST_SEL_SHIFT) & PM4D_WD_DST_SEL_MASK) != PM4D_WD_DST_SEL_MEMORY) {
      halt(q, "WRITE_DATA that does not write memory");
      return false;
   }
   if (!pm4d_sim_translate(q->s, addr, n * 4ull, &host)) {
      halt(q, "page fault: WRITE_DATA address 0x%" PRIx64 " is not mapped", addr);
      return false;
   }
   memcpy(host, p->body + 3, n * 4ull);
   return true;
}

static bool set_sh_reg(struct pm4d_sim_queue *q, const struct pm4d_packet *p)
{
   uint32_t n = pm4d_sh_write_count(p);
   uint32_t first = p->body[0] & PM4D_SET_SH_REG_OFFSET_MASK;
   if (n == 0 || first >= SH_REGS || n > SH_REGS - first) {
      halt(q,
           "SET_SH_REG outside the SH register space (offset 0x%" PRIx32 ", %" PRIu32 " registers)",
           first, n);
      return false;
   }
   memcpy(q->sh + first, p->body + 1, n * 4u);
   return true;
}

/* Executes one packet of an IB; false when the CP halted or was stopped. */
static bool execute(struct pm4d_sim_queue *q, const struct pm4d_packet *p)
{
   if (p->type != PM4D_PKT_TYPE3 || p->opcode == PM4D_OP_NOP)
      return true;
   uint32_t fixed = pm4d_pkt_fixed_body_dw(q->s->level, p->opcode);
   if (fixed && fixed != p->body_dw) {
      halt(q, "%s with %" PRIu32 " body dwords (%" PRIu32 " expected)",
           pm4d_pkt_opcode_name(p->opcode), p->body_dw, fixed);
      return false;
   }
   switch (p->opcode) {
   case PM4D_OP_SET_SH_REG: return set_sh_reg(q, p);
   case PM4D_OP_EVENT_WRITE:
   case PM4D_OP_ACQUIRE_MEM:
      return true; /* the sim has no caches and runs one dispatch at a time */
   case PM4D_OP_DISPATCH_DIRECT: return dispatch(q, p);
   case PM4D_OP_RELEASE_MEM: return release_mem(q, p);
   case PM4D_OP_WRITE_DATA: return write_data(q, p);
   default:
      halt(q, "unknown or unsupported opcode 0x%02" PRIx32 " at IB dword %" PRIu32, p->opcode,
           p->offset);
      return false;
   }
}

static bool run_ib(struct pm4d_sim_queue *q, uint64_t addr, uint32_t ndw)
{
   void *host;
   if ((addr | ndw * 4ull) % PM4D_SIM_IB_ALIGN_BYTES) {
      halt(q, "IB at 0x%" PRIx64 " (%" PRIu32 " dwords) breaks the %u-byte start / size alignment",
           addr, ndw, PM4D_SIM_IB_ALIGN_BYTES);
      return false;
   }
   if (ndw == 0 || !pm4d_sim_translate(q->s, addr, ndw * 4ull, &host)) {
      halt(q, "page fault: IB at 0x%" PRIx64 " (%" PRIu32 " dwords) is not mapped", addr, ndw);
      return false;
   }
   struct pm4d_iter it;
   struct pm4d_packet p;
   char why[PM4D_PM4_REASON_MAX]; /* filled only on a refusal: not cleared on the hot path */
   enum pm4d_iter_result r;
   pm4d_iter_init(&it, host, ndw);
   while ((r = pm4d_iter_next(&it, &p, why, sizeof(why))) == PM4D_ITER_PACKET) {
      if (!execute(q, &p) || stopped(q))
         return false;
   }
   if (r == PM4D_ITER_ERROR) {
      halt(q, "bad packet at IB dword %" PRIu32 ": %s", it.pos, why);
      return false;
   }
   return true;
}

static void *cp_main(void *arg)
{
   struct pm4d_sim_queue *q = arg;
   uint64_t rp = pm4d_ring_read_pos(q->hw);
   uint32_t size = pm4d_ring_size_dw(q->hw);
   while (!stopped(q)) {
      uint64_t wp = pm4d_ring_published(q->hw);
      if (wp == rp) {
         pm4d_ring_wait_work(q->hw, rp, pm4d_clock_now_ns() + CP_IDLE_NS);
         continue;
      }
      /* A reservation never straddles the end, so this piece holds whole packets. */
      uint32_t off = (uint32_t)(rp & (size - 1));
      uint32_t n = (uint32_t)(wp - rp < size - off ? wp - rp : size - off);
      struct pm4d_iter it;
      struct pm4d_packet p;
      char why[PM4D_PM4_REASON_MAX]; /* filled only on a refusal: not cleared on the hot path */
      enum pm4d_iter_result r;
      pm4d_iter_init(&it, pm4d_ring_ptr(q->hw, rp), n);
      while ((r = pm4d_iter_next(&it, &p, why, sizeof(why))) == PM4D_ITER_PACKET) {
         if (p.type == PM4D_PKT_TYPE3 && p.opcode == PM4D_OP_INDIRECT_BUFFER) {
            uint64_t ib = (p.body[0] & ~3u) | (uint64_t)(p.body[1] & 0xFFFFu) << 32;
            q->ib_fenced = false;
            if (!run_ib(q, ib, p.body[2] & PM4D_IB_SIZE_MASK))
               return NULL;
            if (q->ib_fenced) /* the kernel's fence after the IB */
               q->s->ev.fence(q->s->ev.user, q->user, q->ib_fence);
         } else if (p.type == PM4D_PKT_TYPE3 && p.opcode != PM4D_OP_NOP) {
            halt(q, "ring holds opcode 0x%02" PRIx32 " (only INDIRECT_BUFFER and NOP)", p.opcode);
            return NULL;
         }
      }
      if (r == PM4D_ITER_ERROR) {
         halt(q, "bad packet in the ring: %s", why);
         return NULL;
      }
      rp += n;
      pm4d_ring_retire(q->hw, rp);
   }
   return NULL;
}

/* Writes the INDIRECT_BUFFER of k into the hardware ring. */
static void publish(struct pm4d_sim_queue *q, const struct kick *k)
{
   uint32_t *dst;
   struct pm4d_cs cs;
   /* Never full: the ring holds every batch the queue can have. */
   if (pm4d_ring_reserve(q->hw, 1 + PM4D_INDIRECT_BUFFER_BODY_DW,
                         pm4d_clock_now_ns() + SCHED_SLICE_NS, &dst, NULL, 0) != PM4D_RING_OK)
      return;
   pm4d_cs_init(&cs, dst, 1 + PM4D_INDIRECT_BUFFER_BODY_DW);
   pm4d_pkt_indirect_buffer(&cs, k->ib, k->ndw);
   pm4d_ring_commit(q->hw, cs.cdw);
}

static void *sched_main(void *arg)
{
   struct pm4d_sim_queue *q = arg;
   const struct pm4d_sim_events *ev = &q->s->ev;
   pthread_mutex_lock(&q->mu);
   while (!q->stop) {
      if (q->scheduled == q->kicked) {
         pthread_cond_wait(&q->cond, &q->mu);
         continue;
      }
      struct kick k = q->kicks[q->scheduled % PM4D_SIM_QUEUE_DEPTH];
      pthread_mutex_unlock(&q->mu);
      int r = ev->wait(ev->user, q->user, k.wait_point, SCHED_SLICE_NS);
      if (r == 0)
         publish(q, &k);
      else if (r < 0)
         sleep_until(q, pm4d_clock_now_ns() + SCHED_SLICE_NS);
      pthread_mutex_lock(&q->mu);
      if (r == 0)
         q->scheduled++;
   }
   pthread_mutex_unlock(&q->mu);
   return NULL;
}

static enum pm4d_sim_status start(struct pm4d_sim_queue *q)
{
   q->kicked = q->scheduled = q->fenced = 0;
   q->stop = false;
   memset(q->sh, 0, sizeof(q->sh));
   poison(q);
   if (pm4d_ring_create(HW_RING_BYTES, &q->hw) != PM4D_RING_OK)
      return PM4D_SIM_NOMEM;
   if (pthread_create(&q->cp_thread, NULL, cp_main, q) != 0)
      goto fail_ring;
   if (pthread_create(&q->sched_thread, NULL, sched_main, q) != 0)
      goto fail_cp;
   q->running = true;
   return PM4D_SIM_OK;

fail_cp:
   pthread_mutex_lock(&q->mu);
   q->stop = true;
   pthread_mutex_unlock(&q->mu);
   pm4d_ring_wake(q->hw);
   pthread_join(q->cp_thread, NULL);
fail_ring:
   pm4d_ring_destroy(q->hw);
   q->hw = NULL;
   return PM4D_SIM_FAILED;
}

static void stop(struct pm4d_sim_queue *q)
{
   if (!q->running)
      return;
   pthread_mutex_lock(&q->mu);
   q->stop = true;
   pthread_cond_broadcast(&q->cond);
   pthread_mutex_unlock(&q->mu);
   pm4d_ring_wake(q->hw);
   pthread_join(q->sched_thread, NULL);
   pthread_join(q->cp_thread, NULL);
   pm4d_ring_destroy(q->hw);
   q->hw = NULL;
   q->running = false;
}

enum pm4d_sim_status pm4d_sim_queue_create(struct pm4d_sim *s, void *queue_user,
                                           struct pm4d_sim_queue **out)
{
   struct pm4d_sim_queue *q = pm4d_calloc(1, sizeof(*q));
   if (!q)
      return PM4D_SIM_NOMEM;
   q->s = s;
   q->user = queue_user;
   pthread_mutex_init(&q->mu, NULL);
   pthread_cond_init(&q->cond, NULL);
   enum pm4d_sim_status st = start(q);
   if (st != PM4D_SIM_OK) {
      pm4d_sim_queue_destroy(q);
      return st;
   }
   *out = q;
   return PM4D_SIM_OK;
}

void pm4d_sim_queue_destroy(struct pm4d_sim_queue *q)
{
   if (!q)
      return;
   stop(q);
   pthread_mutex_destroy(&q->mu);
   pthread_cond_destroy(&q->cond);
   free(q);
}

enum pm4d_sim_status pm4d_sim_queue_kick(struct pm4d_sim_queue *q, uint64_t ib, uint32_t ndw,
                                         uint64_t wait_point, uint64_t signal_point)
{
   enum pm4d_sim_status st = PM4D_SIM_OK;
   pthread_mutex_lock(&q->mu);
   if (!q->running || q->stop)
      st = PM4D_SIM_FAILED;
   else if (q->kicked - q->fenced >= PM4D_SIM_QUEUE_DEPTH)
      st = PM4D_SIM_FULL;
   else
      q->kicks[q->kicked++ % PM4D_SIM_QUEUE_DEPTH] =
         (struct kick){ib, wait_point, signal_point, ndw};
   pthread_cond_broadcast(&q->cond);
   pthread_mutex_unlock(&q->mu);
   return st;
}

uint64_t pm4d_sim_queue_settled(struct pm4d_sim_queue *q)
{
   pthread_mutex_lock(&q->mu);
   uint64_t v =
      q->fenced ? q->kicks[(q->fenced - 1) % PM4D_SIM_QUEUE_DEPTH].signal_point : q->settled_before;
   pthread_mutex_unlock(&q->mu);
   return v;
}

uint32_t pm4d_sim_queue_reset(struct pm4d_sim_queue *q, uint64_t *never_done, uint32_t max)
{
   stop(q);
   /* The threads are joined: nothing kicked so far runs any more. */
   if (q->kicked)
      q->settled_before = q->kicks[(q->kicked - 1) % PM4D_SIM_QUEUE_DEPTH].signal_point;
   uint32_t n = (uint32_t)(q->kicked - q->fenced);
   for (uint32_t i = 0; i < n && i < max; i++)
      never_done[i] = q->kicks[(q->fenced + i) % PM4D_SIM_QUEUE_DEPTH].signal_point;
   start(q); /* on failure the queue stays stopped and refuses kicks */
   return n;
}
