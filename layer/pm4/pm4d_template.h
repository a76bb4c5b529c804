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
   _Alignas(16) uint32_t dw[PM4D_DISPATCH_MAX_DW]; /* aligned: pm4d_template_intact reads it */
};

struct pm4d_tail_template {
   uint32_t ndw;
   struct pm4d_fence_slots slots;
   uint32_t fixed_xor; /* as above, the fence address and value left out */
   uint32_t dw[PM4D_BATCH_TAIL_MAX_DW];
};

/* XOR of dwords: any single-bit change of them changes it. The per-batch check reads every
 * dword of a batch, so in 4-dword vectors (GCC/Clang vector extension; SSE2 on x86-64) whose
 * aligned loads fold into the XOR instruction, 32 dwords a step, then 16 and 8: about 0.35
 * instructions per dword and a dozen per call, against 3 per dword one at a time.
 * pm4d_xor_dw8: dw 16-byte aligned, n a multiple of 8 (a batch in the ring: layer/direct
 * starts it on a 32-byte boundary and pads it to a multiple of 8 dwords). */
typedef uint32_t pm4d_u32x4 __attribute__((vector_size(16), may_alias));
static inline uint32_t pm4d_xor_dw8(const uint32_t *dw, uint32_t n)
{
   const pm4d_u32x4 *v = (const pm4d_u32x4 *)dw, *end = v + n / 32 * 8;
   /* one accumulator per vector of a 32-dword step: each load folds into its XOR; the first
    * step starts them, the last 16 and 8 dwords come after the loop */
   pm4d_u32x4 x0 = {0}, x1 = {0}, x2 = {0}, x3 = {0}, x4 = {0}, x5 = {0}, x6 = {0}, x7 = {0};
   if (v != end) {
      x0 = v[0];
      x1 = v[1];
      x2 = v[2];
      x3 = v[3];
      x4 = v[4];
      x5 = v[5];
      x6 = v[6];
      x7 = v[7];
      v += 8;
   }
   for (; v != end; v += 8) {
      x0 ^= v[0];
      x1 ^= v[1];
      x2 ^= v[2];
      x3 ^= v[3];
      x4 ^= v[4];
      x5 ^= v[5];
      x6 ^= v[6];
      x7 ^= v[7];
   }
   if (n & 16) {
      x0 ^= v[0];
      x1 ^= v[1];
      x2 ^= v[2];
      x3 ^= v[3];
      v += 4;
   }
   if (n & 8) {
      x4 ^= v[0];
      x5 ^= v[1];
   }
   x0 ^= x1 ^ x2 ^ x3 ^ x4 ^ x5 ^ x6 ^ x7;
   x0 ^= __builtin_shufflevector(x0, x0, 2, 3, 0, 1);
   x0 ^= __builtin_shufflevector(x0, x0, 1, 0, 3, 2);
   return x0[0];
}

/* Any dw and n: one at a time up to a 16-byte boundary and after the last 8 dwords. */
static inline uint32_t pm4d_xor_dw(const uint32_t *dw, uint32_t n)
{
   uint32_t r = 0;
   for (; n && ((uintptr_t)dw & 15u); n--)
      r ^= *dw++;
   r ^= pm4d_xor_dw8(dw, n & ~7u);
   for (uint32_t i = n & ~7u; i < n; i++)
      r ^= dw[i];
   return r;
}

/* XOR of the template's slots: the placeholders an instantiation overwrites. */
static inline uint32_t pm4d_template_slots_xor(const struct pm4d_template *t)
{
   const struct pm4d_dispatch_slots *s = &t->slots;
   return t->dw[s->kernarg_lo] ^ t->dw[s->kernarg_hi] ^ t->dw[s->grid[0]] ^ t->dw[s->grid[1]] ^
          t->dw[s->grid[2]];
}

/* XOR of the template's dwords from `from` on, its slots left out. */
static inline uint32_t pm4d_template_fixed_xor(const struct pm4d_template *t, uint32_t from)
{
   return pm4d_xor_dw(t->dw + from, t->ndw - from) ^ pm4d_template_slots_xor(t);
}

/* Whether the template still holds what it held when it was built (and validated). In whole
 * aligned vectors: the dwords after ndw are zeros (pm4d_template_build clears the template). */
_Static_assert(PM4D_DISPATCH_MAX_DW % 8 == 0, "pm4d_template_intact reads whole 8-dword blocks");
static inline bool pm4d_template_intact(const struct pm4d_template *t)
{
   return (pm4d_xor_dw8(t->dw, (t->ndw + 7u) & ~7u) ^ pm4d_template_slots_xor(t)) ==
          t->fixed_xor[0];
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
