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
   /* XOR of the dwords an instantiation copies, its slots left out: [0] the later form, [1]
    * the first (pm4d_template_xor). A copy's XOR is this ^ the values patched in. */
   uint32_t fixed_xor[2];
   uint32_t dw[PM4D_DISPATCH_MAX_DW];
};

struct pm4d_tail_template {
   uint32_t ndw;
   struct pm4d_fence_slots slots;
   uint32_t fixed_xor; /* as above, the fence address and value left out */
   uint32_t dw[PM4D_BATCH_TAIL_MAX_DW];
};

/* XOR of n dwords: any single-bit change of them changes it. The per-batch check reads every
 * dword of a batch, so 16 dwords a step in 4-dword vectors (GCC/Clang vector extension; SSE2
 * on x86-64): about 0.7 instructions per dword, against 3 one dword at a time. */
typedef uint32_t pm4d_u32x4 __attribute__((vector_size(16)));
static inline uint32_t pm4d_xor_dw(const uint32_t *dw, uint32_t n)
{
   pm4d_u32x4 x0 = {0}, x1 = {0}, v0, v1, v2, v3;
   uint32_t i = 0;
   for (; i + 16 <= n; i += 16) {
      memcpy(&v0, dw + i, 16); /* unaligned-safe vector loads */
      memcpy(&v1, dw + i + 4, 16);
      memcpy(&v2, dw + i + 8, 16);
      memcpy(&v3, dw + i + 12, 16);
      x0 ^= v0 ^ v2;
      x1 ^= v1 ^ v3;
   }
   if (i + 8 <= n) {
      memcpy(&v0, dw + i, 16);
      memcpy(&v1, dw + i + 4, 16);
      x0 ^= v0;
      x1 ^= v1;
      i += 8;
   }
   x0 ^= x1;
   uint32_t r = x0[0] ^ x0[1] ^ x0[2] ^ x0[3];
   for (; i < n; i++)
      r ^= dw[i];
   return r;
}

/* XOR of the template's dwords, its slots left out. */
static inline uint32_t pm4d_template_fixed_xor(const struct pm4d_template *t, uint32_t from)
{
   const struct pm4d_dispatch_slots *s = &t->slots;
   return pm4d_xor_dw(t->dw + from, t->ndw - from) ^ t->dw[s->kernarg_lo] ^ t->dw[s->kernarg_hi] ^
          t->dw[s->grid[0]] ^ t->dw[s->grid[1]] ^ t->dw[s->grid[2]];
}

/* Whether the template still holds what it held when it was built (and validated). */
static inline bool pm4d_template_intact(const struct pm4d_template *t)
{
   return pm4d_template_fixed_xor(t, 0) == t->fixed_xor[0];
}

/* What pm4d_template_instantiate's copy XORs to, from the stored fixed part and the patches. */
static inline uint32_t pm4d_template_xor(const struct pm4d_template *t, bool first,
                                         uint64_t kernarg_addr, const uint32_t grid[3])
{
   return t->fixed_xor[first] ^ (uint32_t)kernarg_addr ^ (uint32_t)(kernarg_addr >> 32) ^ grid[0] ^
          grid[1] ^ grid[2];
}

/* Which path each dispatch took; the caller owns it (the layer's counters read it). */
struct pm4d_path_counters {
   uint64_t template_dispatches;
   uint64_t dynamic_dispatches;
   uint64_t refused;
};

enum pm4d_status pm4d_template_build(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k,
                                     uint64_t program_addr, struct pm4d_template *t, char *reason,
                                     size_t reason_size);
enum pm4d_status pm4d_tail_template_build(const struct pm4d_builder *b,
                                          struct pm4d_tail_template *t, char *reason,
                                          size_t reason_size);

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

static inline uint32_t pm4d_tail_template_xor(const struct pm4d_tail_template *t,
                                              uint64_t fence_addr, uint64_t fence_value)
{
   return t->fixed_xor ^ (uint32_t)fence_addr ^ (uint32_t)(fence_addr >> 32) ^
          (uint32_t)fence_value ^ (uint32_t)(fence_value >> 32);
}

/* One dispatch into cs: the template t (built for k and program_addr), or the dynamic builder
 * when t is NULL. `first`: the batch's first dispatch (no barrier). */
enum pm4d_status pm4d_emit_dispatch(const struct pm4d_builder *b, const struct pm4d_template *t,
                                    const struct pm4d_kernel_desc *k, uint64_t program_addr,
                                    uint64_t kernarg_addr, const uint32_t grid[3], bool first,
                                    struct pm4d_cs *cs, struct pm4d_path_counters *counters,
                                    char *reason, size_t reason_size);

#endif
