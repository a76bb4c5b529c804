#include "pm4d_iter.h"

#include "pm4d_pkt_defs.h"
#include "pm4d_reason.h"

void pm4d_iter_init(struct pm4d_iter *it, const uint32_t *dw, uint32_t ndw)
{
   *it = (struct pm4d_iter){.dw = dw, .ndw = dw ? ndw : 0};
}

enum pm4d_iter_result pm4d_iter_next(struct pm4d_iter *it, struct pm4d_packet *p, char *reason,
                                     size_t reason_size)
{
   if (it->pos >= it->ndw)
      return PM4D_ITER_END;
   uint32_t h = it->dw[it->pos];
   uint32_t type = h >> PM4D_PKT_TYPE_SHIFT;
   uint32_t count = (h >> PM4D_PKT_COUNT_SHIFT) & PM4D_PKT_COUNT_MASK;
   *p = (struct pm4d_packet){
      .offset = it->pos,
      .header = h,
      .type = type,
      .body = it->dw + it->pos + 1,
   };
   if (type == PM4D_PKT_TYPE2) {
      p->total_dw = 1;
   } else if (type == PM4D_PKT_TYPE3) {
      p->opcode = (h >> PM4D_PKT_OPCODE_SHIFT) & PM4D_PKT_OPCODE_MASK;
      p->compute = (h & PM4D_PKT_SHADER_COMPUTE) != 0;
      if (p->opcode == PM4D_OP_NOP && count == PM4D_NOP_SINGLE_COUNT)
         p->body_dw = 0;
      else
         p->body_dw = count + 1;
      p->total_dw = 1 + p->body_dw;
      if (p->total_dw > it->ndw - it->pos) {
         return pm4d_fail(reason, reason_size, PM4D_ITER_ERROR,
                          "packet count runs past the end of the stream");
      }
   } else {
      return pm4d_fail(reason, reason_size, PM4D_ITER_ERROR,
                       "type-0/1 packet (only type 3 and type-2 filler are known)");
   }
   it->pos += p->total_dw;
   return PM4D_ITER_PACKET;
}

uint32_t pm4d_sh_write_count(const struct pm4d_packet *p)
{
   if (p->type != PM4D_PKT_TYPE3 || p->opcode != PM4D_OP_SET_SH_REG || p->body_dw < 2)
      return 0;
   return p->body_dw - 1;
}

bool pm4d_sh_write(const struct pm4d_packet *p, uint32_t i, const struct pm4d_reg_table *t,
                   enum pm4d_reg *reg, uint32_t *sh_offset, uint32_t *value)
{
   if (i >= pm4d_sh_write_count(p))
      return false;
   uint32_t off = (p->body[0] & PM4D_SET_SH_REG_OFFSET_MASK) + i;
   *sh_offset = off;
   *value = p->body[1 + i];
   *reg = pm4d_regs_lookup(t, off);
   return true;
}
