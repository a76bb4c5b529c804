/* Packet iterator: walks a dword stream packet by packet without interpreting it. Used by the
 * decoder, the validator and the simulated command processor (layer/backend/sim). */
#ifndef PM4D_ITER_H
#define PM4D_ITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm4d_regs.h"
#include "pm4d_status.h"

struct pm4d_packet {
   uint32_t offset; /* dword offset of the header in the stream */
   uint32_t header;
   uint32_t type;        /* 2 or 3 */
   uint32_t opcode;      /* type 3 only */
   bool compute;         /* shader-type bit */
   const uint32_t *body; /* first dword after the header */
   uint32_t body_dw;     /* 0 for type-2 filler and the single-dword NOP */
   uint32_t total_dw;    /* header + body */
};

struct pm4d_iter {
   const uint32_t *dw;
   uint32_t ndw;
   uint32_t pos;
};

enum pm4d_iter_result {
   PM4D_ITER_PACKET,
   PM4D_ITER_END,
   PM4D_ITER_ERROR, /* reason filled; pos stays at the bad header */
};

void pm4d_iter_init(struct pm4d_iter *it, const uint32_t *dw, uint32_t ndw);
enum pm4d_iter_result pm4d_iter_next(struct pm4d_iter *it, struct pm4d_packet *p, char *reason,
                                     size_t reason_size);

/* SET_SH_REG helpers: number of register writes, and the i-th one resolved against a level's
 * table (reg = PM4D_REG_NONE for an SH offset that is no COMPUTE_* register we know). False
 * when p is not a well-formed SET_SH_REG or i is out of range. */
uint32_t pm4d_sh_write_count(const struct pm4d_packet *p);
bool pm4d_sh_write(const struct pm4d_packet *p, uint32_t i, const struct pm4d_reg_table *t,
                   enum pm4d_reg *reg, uint32_t *sh_offset, uint32_t *value);

#endif
