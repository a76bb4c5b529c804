#include "pm4d_template.h"

#include "pm4d_reason.h"

/* Placeholders while building: any valid values do, the slots get overwritten. */
#define PLACEHOLDER_KERNARG 0x1000ull
#define PLACEHOLDER_FENCE   0x1000ull

enum pm4d_status pm4d_template_build(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k,
                                     uint64_t program_addr, struct pm4d_template *t, char *reason,
                                     size_t reason_size)
{
   static const uint32_t one[3] = {1, 1, 1};
   struct pm4d_cs cs;
   memset(t, 0, sizeof(*t));
   pm4d_cs_init(&cs, t->dw, PM4D_DISPATCH_MAX_DW);
   enum pm4d_status st = pm4d_builder_dispatch(b, k, program_addr, PLACEHOLDER_KERNARG, one, false,
                                               &cs, &t->slots, reason, reason_size);
   if (st != PM4D_OK)
      return st;
   t->kernel = k;
   t->program_addr = program_addr;
   t->ndw = cs.cdw;
   t->barrier_dw = pm4d_builder_barrier_dw(b);
   t->fixed_xor[0] = pm4d_template_fixed_xor(t, 0);
   t->fixed_xor[1] = pm4d_template_fixed_xor(t, t->barrier_dw);
   return PM4D_OK;
}

enum pm4d_status pm4d_tail_template_build(const struct pm4d_builder *b,
                                          struct pm4d_tail_template *t, char *reason,
                                          size_t reason_size)
{
   struct pm4d_cs cs;
   memset(t, 0, sizeof(*t));
   pm4d_cs_init(&cs, t->dw, PM4D_BATCH_TAIL_MAX_DW);
   enum pm4d_status st =
      pm4d_builder_batch_tail(b, PLACEHOLDER_FENCE, 0, &cs, &t->slots, reason, reason_size);
   if (st == PM4D_OK) {
      t->ndw = cs.cdw;
      t->fixed_xor = pm4d_xor_dw(t->dw, t->ndw) ^ t->dw[t->slots.addr_lo] ^
                     t->dw[t->slots.addr_hi] ^ t->dw[t->slots.value_lo] ^ t->dw[t->slots.value_hi];
   }
   return st;
}

enum pm4d_status pm4d_emit_dispatch(const struct pm4d_builder *b, const struct pm4d_template *t,
                                    const struct pm4d_kernel_desc *k, uint64_t program_addr,
                                    uint64_t kernarg_addr, const uint32_t grid[3], bool first,
                                    struct pm4d_cs *cs, struct pm4d_path_counters *counters,
                                    char *reason, size_t reason_size)
{
   enum pm4d_status st;
   if (t) {
      st = pm4d_builder_check_launch(k, kernarg_addr, grid, reason, reason_size);
      if (st == PM4D_OK && (cs->failed || cs->max_dw - cs->cdw < pm4d_template_dw(t, first))) {
         st = pm4d_fail(reason, reason_size, PM4D_ERR_NO_SPACE,
                        "stream buffer too small for a dispatch");
      }
      if (st == PM4D_OK)
         cs->cdw += pm4d_template_instantiate(t, cs->buf + cs->cdw, first, kernarg_addr, grid);
   } else {
      st = pm4d_builder_dispatch(b, k, program_addr, kernarg_addr, grid, first, cs, NULL, reason,
                                 reason_size);
   }
   if (counters) {
      if (st != PM4D_OK)
         counters->refused++;
      else if (t)
         counters->template_dispatches++;
      else
         counters->dynamic_dispatches++;
   }
   return st;
}
