#include "pm4d_pkt.h"

#include <stddef.h>

static inline uint32_t lo32(uint64_t v)
{
   return (uint32_t)v;
}
static inline uint32_t hi32(uint64_t v)
{
   return (uint32_t)(v >> 32);
}

void pm4d_pkt_nop_fill(uint32_t *dst, uint32_t ndw)
{
   while (ndw) {
      if (ndw == 1) {
         /* count 0x3FFF: a NOP that is its own header and nothing else */
         *dst = (PM4D_PKT_TYPE3 << PM4D_PKT_TYPE_SHIFT) |
                (PM4D_NOP_SINGLE_COUNT << PM4D_PKT_COUNT_SHIFT) |
                ((uint32_t)PM4D_OP_NOP << PM4D_PKT_OPCODE_SHIFT);
         return;
      }
      uint32_t body = ndw - 1;
      if (body > PM4D_PKT_MAX_BODY_DW - 1)
         body = PM4D_PKT_MAX_BODY_DW - 1;
      if (ndw - (body + 1) == 1)
         body--; /* leave two dwords rather than one, so the tail is a normal NOP */
      dst[0] = PM4D_PKT3(PM4D_OP_NOP, body);
      for (uint32_t i = 1; i <= body; i++)
         dst[i] = 0;
      dst += body + 1;
      ndw -= body + 1;
   }
}

void pm4d_pkt_nop(struct pm4d_cs *cs, uint32_t ndw)
{
   if (!pm4d_cs_begin(cs, ndw))
      return;
   pm4d_pkt_nop_fill(cs->buf + cs->cdw, ndw);
   cs->cdw += ndw;
   pm4d_cs_end(cs);
}

void pm4d_pkt_set_sh_reg(struct pm4d_cs *cs, const struct pm4d_reg_table *t, enum pm4d_reg first,
                         const uint32_t *values, uint32_t n)
{
   uint32_t off = t->offset[first];
   for (uint32_t i = 1; i < n; i++) {
      if (t->offset[first + i] != off + i || off == PM4D_REG_ABSENT) {
         cs->failed = true;
         cs->reason = "SET_SH_REG of registers that are not adjacent";
         return;
      }
   }
   if (!pm4d_cs_begin(cs, 2 + n))
      return;
   pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_SET_SH_REG, 1 + n));
   pm4d_cs_emit(cs, off);
   for (uint32_t i = 0; i < n; i++)
      pm4d_cs_emit(cs, values[i]);
   pm4d_cs_end(cs);
}

void pm4d_pkt_dispatch_direct(struct pm4d_cs *cs, uint32_t x, uint32_t y, uint32_t z,
                              uint32_t initiator)
{
   if (!pm4d_cs_begin(cs, 1 + PM4D_DISPATCH_DIRECT_BODY_DW))
      return;
   pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_DISPATCH_DIRECT, PM4D_DISPATCH_DIRECT_BODY_DW));
   pm4d_cs_emit(cs, x);
   pm4d_cs_emit(cs, y);
   pm4d_cs_emit(cs, z);
   pm4d_cs_emit(cs, initiator);
   pm4d_cs_end(cs);
}

void pm4d_pkt_event_write(struct pm4d_cs *cs, uint32_t type, uint32_t index)
{
   if (!pm4d_cs_begin(cs, 1 + PM4D_EVENT_WRITE_BODY_DW))
      return;
   pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_EVENT_WRITE, PM4D_EVENT_WRITE_BODY_DW));
   pm4d_cs_emit(cs, ((type & PM4D_EVENT_TYPE_MASK) << PM4D_EVENT_TYPE_SHIFT) |
                       ((index & PM4D_EVENT_INDEX_MASK) << PM4D_EVENT_INDEX_SHIFT));
   pm4d_cs_end(cs);
}

void pm4d_pkt_wait_reg_mem(struct pm4d_cs *cs, uint64_t addr, uint32_t ref, uint32_t mask)
{
   if (!pm4d_cs_begin(cs, 1 + PM4D_WAIT_REG_MEM_BODY_DW))
      return;
   pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_WAIT_REG_MEM, PM4D_WAIT_REG_MEM_BODY_DW));
   pm4d_cs_emit(cs, PM4D_WRM_FUNCTION_GEQUAL | (1u << PM4D_WRM_MEM_SPACE_SHIFT));
   pm4d_cs_emit(cs, lo32(addr));
   pm4d_cs_emit(cs, hi32(addr));
   pm4d_cs_emit(cs, ref);
   pm4d_cs_emit(cs, mask);
   pm4d_cs_emit(cs, PM4D_AM_POLL_INTERVAL); /* the kernel's wait_reg_mem uses 0x0A too */
   pm4d_cs_end(cs);
}

void pm4d_pkt_write_data(struct pm4d_cs *cs, uint64_t addr, const uint32_t *data, uint32_t n)
{
   if (!pm4d_cs_begin(cs, 4 + n))
      return;
   pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_WRITE_DATA, 3 + n));
   pm4d_cs_emit(cs, (PM4D_WD_DST_SEL_MEMORY << PM4D_WD_DST_SEL_SHIFT) | PM4D_WD_WR_CONFIRM);
   pm4d_cs_emit(cs, lo32(addr));
   pm4d_cs_emit(cs, hi32(addr));
   for (uint32_t i = 0; i < n; i++)
      pm4d_cs_emit(cs, data[i]);
   pm4d_cs_end(cs);
}

void pm4d_pkt_indirect_buffer(struct pm4d_cs *cs, uint64_t addr, uint32_t ndw)
{
   if (!pm4d_cs_begin(cs, 1 + PM4D_INDIRECT_BUFFER_BODY_DW))
      return;
   pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_INDIRECT_BUFFER, PM4D_INDIRECT_BUFFER_BODY_DW));
   pm4d_cs_emit(cs, lo32(addr) & ~3u);
   pm4d_cs_emit(cs, hi32(addr) & 0xFFFFu);
   pm4d_cs_emit(cs, (ndw & PM4D_IB_SIZE_MASK) | PM4D_IB_VALID);
   pm4d_cs_end(cs);
}

/* GFX9: CP_COHER_CNTL actions (gfx_v9_0_emit_mem_sync). */
static void gfx9_acquire_mem(struct pm4d_cs *cs, enum pm4d_cache_scope scope)
{
   uint32_t cntl = PM4D_AM_GFX9_SH_ICACHE_ACTION_ENA | PM4D_AM_GFX9_SH_KCACHE_ACTION_ENA |
                   PM4D_AM_GFX9_TCL1_ACTION_ENA;
   if (scope == PM4D_CACHE_ALL)
      cntl |= PM4D_AM_GFX9_TC_ACTION_ENA | PM4D_AM_GFX9_TC_WB_ACTION_ENA;
   if (!pm4d_cs_begin(cs, 1 + PM4D_ACQUIRE_MEM_GFX9_BODY_DW))
      return;
   pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_ACQUIRE_MEM, PM4D_ACQUIRE_MEM_GFX9_BODY_DW));
   pm4d_cs_emit(cs, cntl);
   pm4d_cs_emit(cs, PM4D_AM_COHER_SIZE_ALL);
   pm4d_cs_emit(cs, PM4D_AM_COHER_SIZE_HI_ALL);
   pm4d_cs_emit(cs, 0); /* COHER_BASE */
   pm4d_cs_emit(cs, 0); /* COHER_BASE_HI */
   pm4d_cs_emit(cs, PM4D_AM_POLL_INTERVAL);
   pm4d_cs_end(cs);
}

/* GFX10+: COHER_CNTL 0, actions in GCR_CNTL (gfx_v10_0/gfx_v11_0 emit_mem_sync). */
static void gfx10_acquire_mem(struct pm4d_cs *cs, enum pm4d_cache_scope scope)
{
   uint32_t gcr = PM4D_AM_GFX10_GLI_INV_ALL | PM4D_AM_GFX10_GLK_INV | PM4D_AM_GFX10_GLV_INV |
                  PM4D_AM_GFX10_GL1_INV;
   if (scope == PM4D_CACHE_ALL)
      gcr |= PM4D_AM_GFX10_GLM_WB | PM4D_AM_GFX10_GLM_INV | PM4D_AM_GFX10_GL2_WB |
             PM4D_AM_GFX10_GL2_INV;
   if (!pm4d_cs_begin(cs, 1 + PM4D_ACQUIRE_MEM_GFX10_BODY_DW))
      return;
   pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_ACQUIRE_MEM, PM4D_ACQUIRE_MEM_GFX10_BODY_DW));
   pm4d_cs_emit(cs, 0); /* COHER_CNTL */
   pm4d_cs_emit(cs, PM4D_AM_COHER_SIZE_ALL);
   pm4d_cs_emit(cs, PM4D_AM_COHER_SIZE_HI_ALL);
   pm4d_cs_emit(cs, 0);
   pm4d_cs_emit(cs, 0);
   pm4d_cs_emit(cs, PM4D_AM_POLL_INTERVAL);
   pm4d_cs_emit(cs, gcr);
   pm4d_cs_end(cs);
}

static void release_mem(struct pm4d_cs *cs, uint32_t dw1, uint64_t addr, uint64_t value)
{
   if (!pm4d_cs_begin(cs, 1 + PM4D_RELEASE_MEM_BODY_DW))
      return;
   pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_RELEASE_MEM, PM4D_RELEASE_MEM_BODY_DW));
   pm4d_cs_emit(cs, dw1 | (PM4D_EVENT_CACHE_FLUSH_AND_INV_TS << PM4D_EVENT_TYPE_SHIFT) |
                       (PM4D_EVENT_INDEX_EOP << PM4D_EVENT_INDEX_SHIFT));
   /* INT_SEL 0: nothing takes an interrupt per batch (pm4d_builder.h) */
   pm4d_cs_emit(cs, PM4D_RM_DATA_SEL_64 << PM4D_RM_DATA_SEL_SHIFT);
   pm4d_cs_emit(cs, lo32(addr));
   pm4d_cs_emit(cs, hi32(addr));
   pm4d_cs_emit(cs, lo32(value));
   pm4d_cs_emit(cs, hi32(value));
   pm4d_cs_emit(cs, 0); /* INT_CTXID */
   pm4d_cs_end(cs);
}

/* gfx_v9_0_ring_emit_fence */
static void gfx9_release_mem_fence(struct pm4d_cs *cs, uint64_t addr, uint64_t value)
{
   release_mem(cs,
               PM4D_RM_GFX9_TCL1_ACTION_EN | PM4D_RM_GFX9_TC_ACTION_EN |
                  PM4D_RM_GFX9_TC_WB_ACTION_EN | PM4D_RM_GFX9_TC_MD_ACTION_EN,
               addr, value);
}

/* gfx_v10_0 / gfx_v11_0 ring_emit_fence */
static void gfx10_release_mem_fence(struct pm4d_cs *cs, uint64_t addr, uint64_t value)
{
   release_mem(cs,
               PM4D_RM_GFX10_GCR_SEQ | PM4D_RM_GFX10_GL2_WB | PM4D_RM_GFX10_GLM_INV |
                  PM4D_RM_GFX10_GLM_WB | (3u << PM4D_RM_GFX10_CACHE_POLICY_SHIFT),
               addr, value);
}

static const struct pm4d_gfx_ops ops[PM4D_GFX_COUNT] = {
   [PM4D_GFX9] = {.level = PM4D_GFX9,
                  .acquire_mem_dw = 1 + PM4D_ACQUIRE_MEM_GFX9_BODY_DW,
                  .release_mem_dw = 1 + PM4D_RELEASE_MEM_BODY_DW,
                  .acquire_mem = gfx9_acquire_mem,
                  .release_mem_fence = gfx9_release_mem_fence},
   [PM4D_GFX10_3] = {.level = PM4D_GFX10_3,
                     .acquire_mem_dw = 1 + PM4D_ACQUIRE_MEM_GFX10_BODY_DW,
                     .release_mem_dw = 1 + PM4D_RELEASE_MEM_BODY_DW,
                     .acquire_mem = gfx10_acquire_mem,
                     .release_mem_fence = gfx10_release_mem_fence},
   [PM4D_GFX11] = {.level = PM4D_GFX11,
                   .acquire_mem_dw = 1 + PM4D_ACQUIRE_MEM_GFX10_BODY_DW,
                   .release_mem_dw = 1 + PM4D_RELEASE_MEM_BODY_DW,
                   .acquire_mem = gfx10_acquire_mem,
                   .release_mem_fence = gfx10_release_mem_fence},
};

const struct pm4d_gfx_ops *pm4d_gfx_ops_get(enum pm4d_gfx_level level)
{
   return (unsigned)level < PM4D_GFX_COUNT ? &ops[level] : NULL;
}

uint32_t pm4d_pkt_fixed_body_dw(enum pm4d_gfx_level level, uint32_t opcode)
{
   switch (opcode) {
   case PM4D_OP_DISPATCH_DIRECT: return PM4D_DISPATCH_DIRECT_BODY_DW;
   case PM4D_OP_EVENT_WRITE: return PM4D_EVENT_WRITE_BODY_DW;
   case PM4D_OP_RELEASE_MEM: return PM4D_RELEASE_MEM_BODY_DW;
   case PM4D_OP_ACQUIRE_MEM: return pm4d_gfx_ops_get(level)->acquire_mem_dw - 1;
   case PM4D_OP_WAIT_REG_MEM: return PM4D_WAIT_REG_MEM_BODY_DW;
   case PM4D_OP_INDIRECT_BUFFER: return PM4D_INDIRECT_BUFFER_BODY_DW;
   default: return 0;
   }
}

const char *pm4d_pkt_opcode_name(uint32_t opcode)
{
   switch (opcode) {
   case PM4D_OP_NOP: return "NOP";
   case PM4D_OP_DISPATCH_DIRECT: return "DISPATCH_DIRECT";
   case PM4D_OP_WRITE_DATA: return "WRITE_DATA";
   case PM4D_OP_WAIT_REG_MEM: return "WAIT_REG_MEM";
   case PM4D_OP_INDIRECT_BUFFER: return "INDIRECT_BUFFER";
   case PM4D_OP_EVENT_WRITE: return "EVENT_WRITE";
   case PM4D_OP_RELEASE_MEM: return "RELEASE_MEM";
   case PM4D_OP_ACQUIRE_MEM: return "ACQUIRE_MEM";
   case PM4D_OP_SET_SH_REG: return "SET_SH_REG";
   default: return NULL;
   }
}
