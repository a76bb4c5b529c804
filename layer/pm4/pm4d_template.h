/* Pre-built dispatch streams. A template is the builder's output for one (kernel, GFX level,
 * program address) in its later-dispatch form, the barrier a prefix of barrier_dw dwords,
 * with patch slots for the kernarg address and the grid; the batch tail template has slots
 * for the fence address and value. Instantiation is a copy plus patches; a batch's first
 * dispatch starts the copy after the barrier.
 * pm4d_emit_dispatch instantiates the template it is given and runs the builder when there is
 * none, and counts which path it took. The caller keeps each template with its kernel (the
 * direct path: one per loaded kernel variant), so no lookup is needed. */
#ifndef PM4D_TEMPLATE_H
#define PM4D_TEMPLATE_H

#include <stdint.h>
#include <string.h>

#include "pm4d_builder.h"

struct pm4d_template {
   const struct pm4d_kernel_desc *kernel;
   uint64_t program_addr;
   uint32_t ndw, barrier_dw; /* ndw: the later form, barrier included */
   struct pm4d_dispatch_slots slots;
   uint32_t dw[PM4D_DISPATCH_MAX_DW];
};

struct pm4d_tail_template {
   uint32_t ndw;
   struct pm4d_fence_slots slots;
   uint32_t dw[PM4D_BATCH_TAIL_MAX_DW];
};

/* Which path each dispatch took; the caller owns it (the layer's counters read it). */
struct pm4d_path_counters {
   uint64_t template_dispatches;
   uint64_t dynamic_dispatches;
   uint64_t refused;
};

enum pm4d_status pm4d_template_build(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k,
                                     uint64_t program_addr, struct pm4d_template *t,
                                     const char **reason);
enum pm4d_status pm4d_tail_template_build(const struct pm4d_builder *b,
                                          struct pm4d_tail_template *t, const char **reason);

/* Dwords an instantiation writes: the later form, or without the barrier for `first`. */
static inline uint32_t pm4d_template_dw(const struct pm4d_template *t, bool first)
{
   return t->ndw - (t->barrier_dw & (0u - (uint32_t)first));
}

/* Copies the template (from after the barrier for a batch's `first` dispatch) to dst and
 * patches it; no checks (the caller checked the launch and the room). Returns the dword count.
 * Writes nothing past the last dword it returns, so dst may be an exact ring reservation. */
static inline uint32_t pm4d_template_instantiate(const struct pm4d_template *t, uint32_t *dst,
                                                 bool first, uint64_t kernarg_addr,
                                                 const uint32_t grid[3])
{
   uint32_t skip = t->barrier_dw & (0u - (uint32_t)first), n = t->ndw - skip;
   memcpy(dst, t->dw + skip, n * sizeof(uint32_t));
   dst[t->slots.kernarg_lo - skip] = (uint32_t)kernarg_addr;
   dst[t->slots.kernarg_hi - skip] = (uint32_t)(kernarg_addr >> 32);
   dst[t->slots.grid[0] - skip] = grid[0];
   dst[t->slots.grid[1] - skip] = grid[1];
   dst[t->slots.grid[2] - skip] = grid[2];
   return n;
}

static inline uint32_t pm4d_tail_template_instantiate(const struct pm4d_tail_template *t,
                                                      uint32_t *dst, uint64_t fence_addr,
                                                      uint64_t fence_value)
{
   memcpy(dst, t->dw, t->ndw * sizeof(uint32_t));
   dst[t->slots.addr_lo] = (uint32_t)fence_addr;
   dst[t->slots.addr_hi] = (uint32_t)(fence_addr >> 32);
   dst[t->slots.value_lo] = (uint32_t)fence_value;
   dst[t->slots.value_hi] = (uint32_t)(fence_value >> 32);
   return t->ndw;
}

/* One dispatch into cs: the template t (built for k and program_addr), or the dynamic builder
 * when t is NULL. `first`: the batch's first dispatch (no barrier). */
enum pm4d_status pm4d_emit_dispatch(const struct pm4d_builder *b, const struct pm4d_template *t,
                                    const struct pm4d_kernel_desc *k, uint64_t program_addr,
                                    uint64_t kernarg_addr, const uint32_t grid[3], bool first,
                                    struct pm4d_cs *cs, struct pm4d_path_counters *counters,
                                    const char **reason);

#endif
