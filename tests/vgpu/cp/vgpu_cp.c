/* The virtual GPU's command processor: executes one ring's IBs packet by packet, following
 * INDIRECT_BUFFER calls and chains, with its own packet knowledge (vgpu_cp_regs.h). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vgpu_cp_internal.h"

/* IB start and size alignment in bytes: the kernel's amdgpu_hw_ip_info (amdgpu_kms.c) reports
 * ib_start_alignment = ib_size_alignment = 32 for AMDGPU_HW_IP_GFX and AMDGPU_HW_IP_COMPUTE. */
#define IB_ALIGN_BYTES 32u
/* The ring's IB calls an IB2 (RADV's preamble, a secondary); an IB2 calls no further. */
#define IB_MAX_DEPTH 2
/* Values a poisoned register holds until a packet writes it. */
#define POISON 0xDEAD0000u
/* What another client left in the per-dispatch program registers (RSRC1/2/3, START, NUM_THREAD):
 * a dispatch that does not set them runs with these and fails the descriptor checks. */
#define STALE 0x5EE00000u
/* How often WAIT_REG_MEM polls memory. */
#define POLL_NS 20000l

struct vgpu_cp *vgpu_cp_create(const char *target)
{
   struct vgpu_cp *cp = calloc(1, sizeof(*cp));
   if (!cp)
      return NULL;
   snprintf(cp->target, sizeof(cp->target), "%s", target ? target : "");
   cp->regs = vgpu_cp_regs_for(cp->target);
   const char *strict = getenv("VGPU_STRICT_PREAMBLE");
   cp->strict_preamble = strict && !strcmp(strict, "1");
   const char *exec = getenv("VGPU_EXEC");
   snprintf(cp->exec_name, sizeof(cp->exec_name), "%s", exec ? exec : "");
   cp->exec = !exec || !*exec || !strcmp(exec, "pocl") ? VGPU_CP_EXEC_POCL
              : !strcmp(exec, "isa")                   ? VGPU_CP_EXEC_ISA
                                                       : VGPU_CP_EXEC_UNKNOWN;
   /* Context start: what another client left in the registers Mesa's preamble sets. */
   const struct vgpu_cp_regs *g = cp->regs;
   for (uint32_t i = 0; g && i < g->num_poisoned; i++)
      cp->sh[g->poisoned[i].index] = POISON | i;
   if (g) {
      const uint32_t stale[] = {
         g->rsrc1,           g->rsrc2,       g->rsrc3,        g->start_x,
         g->start_x + 1,     g->start_x + 2, g->num_thread_x, g->num_thread_x + 1,
         g->num_thread_x + 2};
      for (uint32_t i = 0; i < sizeof(stale) / sizeof(stale[0]); i++)
         cp->sh[stale[i]] = STALE | i;
   }
   return cp;
}

void vgpu_cp_destroy(struct vgpu_cp *cp)
{
   free(cp);
}

void vgpu_cp_get_counters(const struct vgpu_cp *cp, struct vgpu_cp_counters *out)
{
   *out = cp->counters;
}

enum vgpu_cp_status vgpu_cp_fail(struct vgpu_cp_run *r, enum vgpu_cp_status status, const char *fmt,
                                 ...)
{
   if (r->reason && r->reason_size) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(r->reason, r->reason_size, fmt, ap);
      va_end(ap);
   }
   return status;
}

void *vgpu_cp_translate(struct vgpu_cp_run *r, uint64_t va, uint64_t size, int write,
                        const char *what)
{
   void *host = r->mem->translate(r->mem->user, va, size, write);
   if (host)
      return host;
   r->cp->counters.faults++;
   if (r->mem->fault)
      r->mem->fault(r->mem->user, va, write, what);
   vgpu_cp_fail(r, VGPU_CP_FAULT, "GPU page fault: %s %s 0x%llx (%llu bytes)", what,
                write ? "writes" : "reads", (unsigned long long)va, (unsigned long long)size);
   return NULL;
}

static uint64_t now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t addr64(uint32_t lo, uint32_t hi)
{
   return lo | (uint64_t)hi << 32;
}

static enum vgpu_cp_status bad_size(struct vgpu_cp_run *r, const char *packet, uint32_t body_dw)
{
   return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "%s with %u body dwords", packet, body_dw);
}

/* SET_SH_REG(_INDEX), SET_CONTEXT_REG, SET_UCONFIG_REG(_INDEX): register state. */
static enum vgpu_cp_status set_regs(struct vgpu_cp_run *r, const char *packet, uint32_t *space,
                                    bool *written, uint32_t space_size, const uint32_t *body,
                                    uint32_t body_dw)
{
   uint32_t first = VGPU_SET_REG_OFFSET(body[0]), n = body_dw - 1;
   if (body_dw < 2 || first >= space_size || n > space_size - first)
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                          "%s outside its register space (offset 0x%x, %u registers)", packet,
                          first, n);
   memcpy(space + first, body + 1, n * 4u);
   for (uint32_t i = 0; written && i < n; i++)
      written[first + i] = true;
   return VGPU_CP_OK;
}

static enum vgpu_cp_status write_data(struct vgpu_cp_run *r, const uint32_t *body, uint32_t body_dw)
{
   uint32_t sel = VGPU_WD_DST_SEL(body[0]);
   if (body_dw < 4)
      return bad_size(r, "WRITE_DATA", body_dw);
   /* DST_SEL 1 memory (sync), 2 GL2, 5 memory (async); 0 register and 3 GDS are not modelled */
   if (sel != 1 && sel != 2 && sel != 5)
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "WRITE_DATA with DST_SEL %u (not memory)", sel);
   uint64_t va = addr64(body[1], body[2]);
   uint32_t n = body_dw - 3;
   bool one = body[0] & VGPU_WD_ONE_ADDR;
   uint32_t *dst = vgpu_cp_translate(r, va, one ? 4 : n * 4ull, 1, "WRITE_DATA");
   if (!dst)
      return VGPU_CP_FAULT;
   for (uint32_t i = 0; i < n; i++)
      atomic_store_explicit((_Atomic uint32_t *)(dst + (one ? 0 : i)), body[3 + i],
                            memory_order_release);
   return VGPU_CP_OK;
}

/* Writes a fence value (nvd.h DATA_SEL: 0 none, 1 low 32 bits, 2 64 bits, 3 the 64-bit GPU
 * counter, 4 the 64-bit system counter) and counts the interrupt INT_SEL asks for (0 none;
 * 1 interrupt only, which needs DATA_SEL 0; 2 and up after the write). */
static enum vgpu_cp_status write_fence(struct vgpu_cp_run *r, const char *packet, uint64_t va,
                                       uint32_t data_sel, uint32_t int_sel, uint64_t value)
{
   if (data_sel > 4 || (int_sel == 1 && data_sel != 0))
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "%s with DATA_SEL %u INT_SEL %u", packet, data_sel,
                          int_sel);
   if (int_sel)
      r->cp->counters.interrupts++;
   if (data_sel == 0)
      return VGPU_CP_OK;
   uint32_t bytes = data_sel == 1 ? 4 : 8;
   void *dst = vgpu_cp_translate(r, va, bytes, 1, packet);
   if (!dst)
      return VGPU_CP_FAULT;
   if (data_sel >= 3)
      value = now_ns() / 10; /* 100 MHz counters, as gfx10/11 report gpu_counter_freq */
   if (bytes == 4)
      atomic_store_explicit((_Atomic uint32_t *)dst, (uint32_t)value, memory_order_release);
   else
      atomic_store_explicit((_Atomic uint64_t *)dst, value, memory_order_release);
   return VGPU_CP_OK;
}

/* RELEASE_MEM as gfx_v10_0/gfx_v11_0_ring_emit_fence write it: event, DATA_SEL/INT_SEL/DST_SEL,
 * address, data, interrupt context. The CP runs in order, so the event has completed. */
static enum vgpu_cp_status release_mem(struct vgpu_cp_run *r, const uint32_t *body,
                                       uint32_t body_dw)
{
   if (body_dw != 7)
      return bad_size(r, "RELEASE_MEM", body_dw);
   if (VGPU_RM_DST_SEL(body[1]) > 1) /* 0 memory controller, 1 TC/L2 */
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "RELEASE_MEM with DST_SEL %u",
                          VGPU_RM_DST_SEL(body[1]));
   return write_fence(r, "RELEASE_MEM", addr64(body[2], body[3]), VGPU_RM_DATA_SEL(body[1]),
                      VGPU_RM_INT_SEL(body[1]), addr64(body[4], body[5]));
}

/* EVENT_WRITE_EOP (soc15d.h/gfx_v8 layout): event, address lo, address hi | selects, data. */
static enum vgpu_cp_status event_write_eop(struct vgpu_cp_run *r, const uint32_t *body,
                                           uint32_t body_dw)
{
   if (body_dw != 5)
      return bad_size(r, "EVENT_WRITE_EOP", body_dw);
   return write_fence(r, "EVENT_WRITE_EOP", addr64(body[1], body[2] & 0xFFFFu),
                      VGPU_EOP_DATA_SEL(body[2]), VGPU_EOP_INT_SEL(body[2]),
                      addr64(body[3], body[4]));
}

static bool compare(uint32_t function, uint32_t value, uint32_t ref)
{
   switch (function) { /* nvd.h WAIT_REG_MEM_FUNCTION */
   case 0: return true;
   case 1: return value < ref;
   case 2: return value <= ref;
   case 3: return value == ref;
   case 4: return value != ref;
   case 5: return value >= ref;
   default: return value > ref;
   }
}

/* Whether another job's GPU reset came since this submission started (the driver's counter). */
static bool reset_came(const struct vgpu_cp_run *r)
{
   return r->mem->reset_counter && atomic_load(r->mem->reset_counter) != r->mem->reset_seen;
}

/* WAIT_REG_MEM on memory (gfx_v10_0_wait_reg_mem layout): polls until (value & mask) FUNCTION
 * ref holds, or mem->deadline_ns passes. */
static enum vgpu_cp_status wait_reg_mem(struct vgpu_cp_run *r, const uint32_t *body,
                                        uint32_t body_dw)
{
   if (body_dw != 6)
      return bad_size(r, "WAIT_REG_MEM", body_dw);
   uint32_t function = VGPU_WRM_FUNCTION(body[0]);
   if (VGPU_WRM_MEM_SPACE(body[0]) != 1 || VGPU_WRM_OPERATION(body[0]) != 0 || function == 7)
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                          "WAIT_REG_MEM MEM_SPACE %u OPERATION %u FUNCTION %u (only memory waits)",
                          VGPU_WRM_MEM_SPACE(body[0]), VGPU_WRM_OPERATION(body[0]), function);
   uint64_t va = addr64(body[1], body[2]);
   uint32_t ref = body[3], mask = body[4];
   if (va & 3u)
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "WAIT_REG_MEM address 0x%llx not dword aligned",
                          (unsigned long long)va);
   _Atomic uint32_t *p = vgpu_cp_translate(r, va, 4, 0, "WAIT_REG_MEM");
   if (!p)
      return VGPU_CP_FAULT;
   for (;;) {
      /* The reset first: once it came, the ring is stopped, whatever the memory now holds
       * (a value written after the reset, e.g. by a host that saw the guilty fence, must not
       * let the job go on). */
      if (reset_came(r))
         return vgpu_cp_fail(r, VGPU_CP_TIMEOUT, "WAIT_REG_MEM at 0x%llx stopped by a GPU reset",
                             (unsigned long long)va);
      uint32_t value = atomic_load_explicit(p, memory_order_acquire);
      if (compare(function, value & mask, ref))
         return VGPU_CP_OK;
      if (r->mem->deadline_ns && now_ns() >= r->mem->deadline_ns)
         return vgpu_cp_fail(r, VGPU_CP_TIMEOUT,
                             "WAIT_REG_MEM at 0x%llx: (0x%08x & 0x%08x) function %u 0x%08x never "
                             "held before the deadline",
                             (unsigned long long)va, value, mask, function, ref);
      nanosleep(&(struct timespec){0, POLL_NS}, NULL);
   }
}

/* DMA_DATA (CP DMA): memory to memory, or a fill with the dword in body[1]. */
static enum vgpu_cp_status dma_data(struct vgpu_cp_run *r, const uint32_t *body, uint32_t body_dw)
{
   if (body_dw != 6)
      return bad_size(r, "DMA_DATA", body_dw);
   uint32_t src_sel = VGPU_DMA_SRC_SEL(body[0]), dst_sel = VGPU_DMA_DST_SEL(body[0]);
   uint32_t cmd = body[5], bytes = VGPU_DMA_BYTE_COUNT(cmd);
   /* SRC_SEL 0 / 3 address, 2 data; DST_SEL 0 / 3 address, 2 nowhere (Mesa sid.h V_411_NOWHERE:
    * RADV's L2 prefetch of shader code reads the source and writes nothing); GDS and register
    * sides refused. */
   if (src_sel == 1 || dst_sel == 1 ||
       (cmd & (VGPU_DMA_CMD_SAS | VGPU_DMA_CMD_DAS | VGPU_DMA_CMD_SAIC | VGPU_DMA_CMD_DAIC)))
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                          "DMA_DATA SRC_SEL %u DST_SEL %u command 0x%08x (memory and fills only)",
                          src_sel, dst_sel, cmd);
   if (bytes == 0)
      return VGPU_CP_OK;
   if (dst_sel == 2) {
      if (src_sel == 2)
         return VGPU_CP_OK;
      return vgpu_cp_translate(r, addr64(body[1], body[2]), bytes, 0, "DMA_DATA prefetch")
                ? VGPU_CP_OK
                : VGPU_CP_FAULT;
   }
   uint8_t *dst = vgpu_cp_translate(r, addr64(body[3], body[4]), bytes, 1, "DMA_DATA destination");
   if (!dst)
      return VGPU_CP_FAULT;
   if (src_sel == 2) {
      for (uint32_t i = 0; i < bytes; i++)
         dst[i] = (uint8_t)(body[1] >> (8 * (i & 3u)));
      return VGPU_CP_OK;
   }
   const void *src = vgpu_cp_translate(r, addr64(body[1], body[2]), bytes, 0, "DMA_DATA source");
   if (!src)
      return VGPU_CP_FAULT;
   memmove(dst, src, bytes);
   return VGPU_CP_OK;
}

/* COPY_DATA from memory, an immediate or the GPU clock to memory (RADV's queries, timestamps). */
static enum vgpu_cp_status copy_data(struct vgpu_cp_run *r, const uint32_t *body, uint32_t body_dw)
{
   if (body_dw != 5)
      return bad_size(r, "COPY_DATA", body_dw);
   uint32_t src_sel = VGPU_CD_SRC_SEL(body[0]), dst_sel = VGPU_CD_DST_SEL(body[0]);
   uint32_t bytes = body[0] & VGPU_CD_COUNT_SEL ? 8 : 4;
   if ((src_sel != 1 && src_sel != 2 && src_sel != 5 && src_sel != 9) ||
       (dst_sel != 1 && dst_sel != 2 && dst_sel != 5))
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "COPY_DATA SRC_SEL %u DST_SEL %u", src_sel,
                          dst_sel);
   uint64_t value;
   if (src_sel == 5) {
      value = addr64(body[1], body[2]);
   } else if (src_sel == 9) {
      value = now_ns() / 10;
   } else {
      const void *src = vgpu_cp_translate(r, addr64(body[1], body[2]), bytes, 0, "COPY_DATA");
      if (!src)
         return VGPU_CP_FAULT;
      value = 0;
      memcpy(&value, src, bytes);
   }
   void *dst = vgpu_cp_translate(r, addr64(body[3], body[4]), bytes, 1, "COPY_DATA");
   if (!dst)
      return VGPU_CP_FAULT;
   memcpy(dst, &value, bytes);
   return VGPU_CP_OK;
}

/* DISPATCH_INDIRECT: on the compute queue the body has the argument address (RADV's compute
 * form); on GFX an offset from SET_BASE index 1. Arguments: x, y, z workgroups. */
static enum vgpu_cp_status dispatch_indirect(struct vgpu_cp_run *r, const uint32_t *body,
                                             uint32_t body_dw)
{
   uint64_t va;
   if (body_dw == 3)
      va = addr64(body[0], body[1]);
   else if (body_dw == 2)
      va = r->cp->set_base[1] + body[0];
   else
      return bad_size(r, "DISPATCH_INDIRECT", body_dw);
   const uint32_t *args = vgpu_cp_translate(r, va, 12, 0, "DISPATCH_INDIRECT arguments");
   if (!args)
      return VGPU_CP_FAULT;
   const uint32_t dim[3] = {args[0], args[1], args[2]};
   return vgpu_cp_dispatch(r, dim, body[body_dw - 1]);
}

static enum vgpu_cp_status run_ib(struct vgpu_cp_run *r, uint64_t va, uint32_t ndw, int depth);

/* Executes one type-3 packet. *chain gets the IB a CHAIN packet continues in. */
static enum vgpu_cp_status execute(struct vgpu_cp_run *r, uint32_t op, const uint32_t *body,
                                   uint32_t body_dw, int depth, uint64_t chain[2])
{
   struct vgpu_cp *cp = r->cp;
   switch (op) {
   case VGPU_OP_NOP:
   case VGPU_OP_CONTEXT_CONTROL:
   case VGPU_OP_CLEAR_STATE:
   case VGPU_OP_PFP_SYNC_ME:
   case VGPU_OP_PREAMBLE_CNTL:
   case VGPU_OP_EVENT_WRITE: /* flushes and partial flushes: the CP runs one thing at a time */
   case VGPU_OP_ACQUIRE_MEM: /* cache invalidation: the model has no caches */ return VGPU_CP_OK;
   case VGPU_OP_SET_BASE:
      if (body_dw != 3 || body[0] >= 4)
         return bad_size(r, "SET_BASE", body_dw);
      cp->set_base[body[0]] = addr64(body[1], body[2]);
      return VGPU_CP_OK;
   case VGPU_OP_SET_SH_REG:
   case VGPU_OP_SET_SH_REG_INDEX:
      return set_regs(r, "SET_SH_REG", cp->sh, cp->sh_written, VGPU_SH_REGS, body, body_dw);
   case VGPU_OP_SET_CONTEXT_REG:
   case VGPU_OP_SET_CONTEXT_REG_INDEX:
      return set_regs(r, "SET_CONTEXT_REG", cp->context, NULL, VGPU_CONTEXT_REGS, body, body_dw);
   case VGPU_OP_SET_UCONFIG_REG:
   case VGPU_OP_SET_UCONFIG_REG_INDEX:
      return set_regs(r, "SET_UCONFIG_REG", cp->uconfig, NULL, VGPU_UCONFIG_REGS, body, body_dw);
   case VGPU_OP_WRITE_DATA: return write_data(r, body, body_dw);
   case VGPU_OP_WAIT_REG_MEM: return wait_reg_mem(r, body, body_dw);
   case VGPU_OP_RELEASE_MEM: return release_mem(r, body, body_dw);
   case VGPU_OP_EVENT_WRITE_EOP: return event_write_eop(r, body, body_dw);
   case VGPU_OP_DMA_DATA: return dma_data(r, body, body_dw);
   case VGPU_OP_COPY_DATA: return copy_data(r, body, body_dw);
   case VGPU_OP_DISPATCH_INDIRECT: return dispatch_indirect(r, body, body_dw);
   case VGPU_OP_DISPATCH_DIRECT: {
      if (body_dw != 4)
         return bad_size(r, "DISPATCH_DIRECT", body_dw);
      {
         enum vgpu_cp_status st = vgpu_cp_dispatch(r, body, body[3]);
         /* The dispatch's fault was reported (vgpu_cp_translate); with vm_fault_stop=0 the CP goes
       * on (vgpu_mem_ops.faults_continue). */
         return st == VGPU_CP_FAULT && r->mem->faults_continue ? VGPU_CP_OK : st;
      }
   }
   case VGPU_OP_INDIRECT_BUFFER: {
      if (body_dw != 3)
         return bad_size(r, "INDIRECT_BUFFER", body_dw);
      uint64_t va = addr64(body[0] & ~3u, body[1] & VGPU_IB_ADDR_HI);
      uint32_t ndw = VGPU_IB_SIZE(body[2]);
      if (body[2] & VGPU_IB_CHAIN) {
         chain[0] = va;
         chain[1] = ndw;
         return VGPU_CP_OK;
      }
      if (depth >= IB_MAX_DEPTH)
         return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                             "INDIRECT_BUFFER call from an IB%d (the CP nests %d levels)", depth,
                             IB_MAX_DEPTH);
      return run_ib(r, va, ndw, depth + 1);
   }
   default: return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "unknown PM4 opcode 0x%02x", op);
   }
}

/* Runs an IB at depth (1: the one the ring calls) and the IBs it chains to. */
static enum vgpu_cp_status run_ib(struct vgpu_cp_run *r, uint64_t va, uint32_t ndw, int depth)
{
   struct vgpu_cp *cp = r->cp;
   for (;;) {
      cp->counters.ibs++;
      if ((va % IB_ALIGN_BYTES) || ((uint64_t)ndw * 4u % IB_ALIGN_BYTES))
         cp->counters.misaligned_ibs++;
      if (ndw == 0)
         return VGPU_CP_OK;
      const uint32_t *ib = vgpu_cp_translate(r, va, (uint64_t)ndw * 4u, 0, "IB fetch");
      if (!ib)
         return VGPU_CP_FAULT;
      uint64_t chain[2] = {0, 0};
      bool chained = false;
      for (uint32_t i = 0; i < ndw && !chained;) {
         uint32_t h = ib[i];
         if (VGPU_PKT_TYPE(h) == 2) {
            i++;
            continue;
         }
         if (VGPU_PKT_TYPE(h) != 3)
            return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                                "type-%u packet 0x%08x at dword %u of the IB at 0x%llx",
                                VGPU_PKT_TYPE(h), h, i, (unsigned long long)va);
         /* A NOP whose count is 0x3fff is the header alone (Mesa sid.h PKT3_NOP_PAD, what RADV
          * pads its IBs with). */
         uint32_t body_dw = h == VGPU_PKT3_NOP_PAD ? 0 : VGPU_PKT_COUNT(h) + 1;
         if (body_dw > ndw - i - 1)
            return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                                "packet 0x%08x at dword %u overruns the IB at 0x%llx (%u dwords)",
                                h, i, (unsigned long long)va, ndw);
         /* A GPU reset stops the ring: no packet after it runs (amdgpu_device_gpu_recover). */
         if (reset_came(r))
            return vgpu_cp_fail(r, VGPU_CP_TIMEOUT,
                                "stopped by a GPU reset at dword %u of the "
                                "IB at 0x%llx",
                                i, (unsigned long long)va);
         cp->counters.packets++;
         enum vgpu_cp_status st = execute(r, VGPU_PKT3_OP(h), ib + i + 1, body_dw, depth, chain);
         if (st != VGPU_CP_OK) {
            size_t len = r->reason ? strlen(r->reason) : 0;
            if (r->reason && len + 1 < r->reason_size)
               snprintf(r->reason + len, r->reason_size - len, " (IB 0x%llx dword %u)",
                        (unsigned long long)va, i);
            return st;
         }
         chained = chain[1] != 0 ||
                   (VGPU_PKT3_OP(h) == VGPU_OP_INDIRECT_BUFFER && (ib[i + 3] & VGPU_IB_CHAIN));
         i += 1 + body_dw;
      }
      if (!chained)
         return VGPU_CP_OK;
      /* CHAIN: the rest of this IB is not executed; the chained IB ends where this one would. */
      va = chain[0];
      ndw = (uint32_t)chain[1];
   }
}

enum vgpu_cp_status vgpu_cp_execute_ib(struct vgpu_cp *cp, const struct vgpu_mem_ops *mem,
                                       uint64_t ib_va, uint32_t ndw, char *reason,
                                       size_t reason_size)
{
   struct vgpu_cp_run r = {cp, mem, reason, reason_size};
   if (reason && reason_size)
      reason[0] = '\0';
   return run_ib(&r, ib_va, ndw, 1);
}
