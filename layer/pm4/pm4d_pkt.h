/* One emitter per PM4 packet, and the per-generation ones behind a table of functions that
 * a device picks once (pm4d_gfx_ops_get at device creation). Each emitter reserves its exact
 * dword count from the bounded emitter. */
#ifndef PM4D_PKT_H
#define PM4D_PKT_H

#include <stdint.h>

#include "pm4d_cs.h"
#include "pm4d_gfx.h"
#include "pm4d_pkt_defs.h"
#include "pm4d_regs.h"

/* Writes `ndw` dwords of NOP padding to dst (no emitter: the ring uses it for wrap padding). */
void pm4d_pkt_nop_fill(uint32_t *dst, uint32_t ndw);

void pm4d_pkt_nop(struct pm4d_cs *cs, uint32_t ndw);
/* SET_SH_REG of `n` consecutive registers starting at `first` (ids must be consecutive in the
 * level's table; the caller passes registers it knows to be adjacent). */
void pm4d_pkt_set_sh_reg(struct pm4d_cs *cs, const struct pm4d_reg_table *t, enum pm4d_reg first,
                         const uint32_t *values, uint32_t n);
void pm4d_pkt_dispatch_direct(struct pm4d_cs *cs, uint32_t x, uint32_t y, uint32_t z,
                              uint32_t initiator);
void pm4d_pkt_event_write(struct pm4d_cs *cs, uint32_t type, uint32_t index);
/* Waits until (*addr & mask) >= ref (memory poll, ME engine). */
void pm4d_pkt_wait_reg_mem(struct pm4d_cs *cs, uint64_t addr, uint32_t ref, uint32_t mask);
/* Writes n dwords to memory with write confirm. */
void pm4d_pkt_write_data(struct pm4d_cs *cs, uint64_t addr, const uint32_t *data, uint32_t n);
/* VALID set on every level (soc15d.h and nvd.h INDIRECT_BUFFER_VALID). */
void pm4d_pkt_indirect_buffer(struct pm4d_cs *cs, uint64_t addr, uint32_t ndw);

enum pm4d_cache_scope {
   PM4D_CACHE_SHADER, /* I$, K$, vector L0/L1: between dependent dispatches */
   PM4D_CACHE_ALL,    /* the above plus L2 write-back and invalidate: batch start */
};

struct pm4d_gfx_ops {
   enum pm4d_gfx_level level;
   /* RSRC3 and wave32 are per target: pm4d_device_info.c (the builder reads them there). */
   uint32_t acquire_mem_dw, release_mem_dw; /* packet sizes, header included */
   void (*acquire_mem)(struct pm4d_cs *cs, enum pm4d_cache_scope scope);
   /* End-of-pipe fence: L2 write-back, then a 64-bit value and an interrupt. */
   void (*release_mem_fence)(struct pm4d_cs *cs, uint64_t addr, uint64_t value);
};

const struct pm4d_gfx_ops *pm4d_gfx_ops_get(enum pm4d_gfx_level level);

/* Body dwords a fixed-size packet must carry at this level; 0 for variable-size packets
 * (NOP, SET_SH_REG, WRITE_DATA) and for opcodes the core does not know. */
uint32_t pm4d_pkt_fixed_body_dw(enum pm4d_gfx_level level, uint32_t opcode);
const char *pm4d_pkt_opcode_name(uint32_t opcode);

#endif
