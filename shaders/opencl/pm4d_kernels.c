#include "pm4d_kernels.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* pm4d_conv2d.cl's GEMM blocking: 4 channels x 8 pixels per work-item, (t/PL)*4 + i and
 * (t%PL)*4 + {0, TP/2} + j (PL = TP/8) covering the tile; each step's loads split evenly over
 * the work-items (at most GEMM_IL_MAX = 18 input and GEMM_FL_MAX = 18 filter words each). */
#define GEMM_LC (PM4D_GEMM_WG / PM4D_GEMM_TP) /* channels loaded per pass */
#define GEMM_FT (PM4D_GEMM_WG / PM4D_GEMM_TK) /* work-items per filter row */
_Static_assert(PM4D_GEMM_TK *PM4D_GEMM_TP == PM4D_GEMM_WG * 32 && PM4D_GEMM_TP % 8 == 0 &&
                  PM4D_GEMM_WG % PM4D_GEMM_TP == 0 && PM4D_GEMM_WG % PM4D_GEMM_TK == 0,
               "GEMM tile");
/* The small tiles: S groups of TK*TP/32 work-items, a power of two (the LDS tree), each
 * with a whole share of a step's rows; the tree's partial sums fit in the input tile. */
#define SMALL_LC (PM4D_GEMM_WG / PM4D_SMALL_TP)
_Static_assert(PM4D_SMALL_TK *PM4D_SMALL_TP *PM4D_SMALL_S == PM4D_GEMM_WG * 32 &&
                  (PM4D_SMALL_S & (PM4D_SMALL_S - 1)) == 0 && PM4D_SMALL_TP % 8 == 0 &&
                  PM4D_GEMM_WG % PM4D_SMALL_TP == 0 && PM4D_GEMM_WG % PM4D_SMALL_TK == 0,
               "small GEMM tile");
_Static_assert(PM4D_1X1_SMALL_TC % PM4D_SMALL_S == 0 && PM4D_3X3_SMALL_TC * 9 % PM4D_SMALL_S == 0,
               "whole rows per group");
_Static_assert(PM4D_1X1_SMALL_TC % SMALL_LC == 0 && PM4D_3X3_SMALL_TC % SMALL_LC == 0 &&
                  PM4D_1X1_SMALL_TC / SMALL_LC <= 18 && PM4D_3X3_SMALL_TC / SMALL_LC * 9 <= 18 &&
                  PM4D_1X1_SMALL_TC * PM4D_SMALL_TK <= 18 * PM4D_GEMM_WG &&
                  PM4D_3X3_SMALL_TC * 9 * PM4D_SMALL_TK <= 18 * PM4D_GEMM_WG,
               "register arrays of pm4d_gemm_load (small)");
_Static_assert(PM4D_SMALL_S / 2 * PM4D_GEMM_WG / PM4D_SMALL_S * 32 <=
                  PM4D_1X1_SMALL_TC * PM4D_SMALL_TP,
               "split sums fit the input tile");
_Static_assert(PM4D_1X1_TC % GEMM_LC == 0 && PM4D_3X3_TC % GEMM_LC == 0, "whole input loads");
_Static_assert(PM4D_1X1_TC % GEMM_FT == 0 && PM4D_3X3_TC * 9 % GEMM_FT == 0, "whole filter loads");
_Static_assert(PM4D_1X1_TC / GEMM_LC <= 18 && PM4D_3X3_TC / GEMM_LC * 9 <= 18 &&
                  PM4D_1X1_TC / GEMM_FT <= 18 && PM4D_3X3_TC * 9 / GEMM_FT <= 18,
               "register arrays of pm4d_gemm_load");

/* pm4d_conv2d.cl's Winograd blocking: 16 points x 4 x 4 work-items, each KR = TK/4 channels
 * x TR = TT/4 tiles read as float4s; whole patches and filters per work-item and step; the
 * output transform's 16 x (TK/KR*4) x (TT+1) words fit the step's LDS. */
_Static_assert(PM4D_WINO_TK % 16 == 0 && PM4D_WINO_TT % 16 == 0 &&
                  PM4D_WINO_TC * PM4D_WINO_TT % PM4D_GEMM_WG == 0 &&
                  PM4D_WINO_TC * PM4D_WINO_TK % PM4D_GEMM_WG == 0 &&
                  PM4D_GEMM_WG % PM4D_WINO_TT == 0 && PM4D_GEMM_WG % PM4D_WINO_TC == 0 &&
                  16 * 16 * PM4D_WINO_TT % PM4D_GEMM_WG == 0 &&
                  16 * 16 * (PM4D_WINO_TT + 1) <=
                     PM4D_WINO_TC * (2 * 16 * 4 + 16 * (PM4D_WINO_TK + PM4D_WINO_TT) + 8),
               "Winograd tile");

static const char *const variant_names[PM4D_CONV2D_VARIANT_COUNT] = {
   [PM4D_CONV2D_DIRECT] = "pm4d_conv2d_direct",
   [PM4D_CONV2D_1X1] = "pm4d_conv2d_1x1",
   [PM4D_CONV2D_3X3] = "pm4d_conv2d_3x3",
   [PM4D_CONV2D_1X1_SMALL] = "pm4d_conv2d_1x1_small",
   [PM4D_CONV2D_3X3_SMALL] = "pm4d_conv2d_3x3_small",
   [PM4D_CONV2D_1X1_F16] = "pm4d_conv2d_1x1_f16",
   [PM4D_CONV2D_3X3_F16] = "pm4d_conv2d_3x3_f16",
   [PM4D_CONV2D_1X1_SMALL_F16] = "pm4d_conv2d_1x1_small_f16",
   [PM4D_CONV2D_3X3_SMALL_F16] = "pm4d_conv2d_3x3_small_f16",
   [PM4D_CONV2D_3X3_WINO] = "pm4d_conv2d_3x3_wino",
};

/* Each GEMM variant: its shape family, tile size and filter type. */
static const struct {
   bool is_1x1, small, f16, wino;
} gemm_kind[PM4D_CONV2D_VARIANT_COUNT] = {
   [PM4D_CONV2D_1X1] = {true, false, false, false},
   [PM4D_CONV2D_3X3] = {false, false, false, false},
   [PM4D_CONV2D_1X1_SMALL] = {true, true, false, false},
   [PM4D_CONV2D_3X3_SMALL] = {false, true, false, false},
   [PM4D_CONV2D_1X1_F16] = {true, false, true, false},
   [PM4D_CONV2D_3X3_F16] = {false, false, true, false},
   [PM4D_CONV2D_1X1_SMALL_F16] = {true, true, true, false},
   [PM4D_CONV2D_3X3_SMALL_F16] = {false, true, true, false},
   [PM4D_CONV2D_3X3_WINO] = {false, false, false, true},
};

/* input, filter, bias, output pointers, then 17 uint32 values in the order of
 * PM4D_CONV2D_ARGS; the layout clang gives OpenCL kernel arguments (natural alignment). */
#define PTR(i)                                    \
   {                                              \
      (i) * 8u, 8u, PM4D_KERNEL_ARG_GLOBAL_BUFFER \
   }
#define VAL(i)                                   \
   {                                             \
      32u + (i)*4u, 4u, PM4D_KERNEL_ARG_BY_VALUE \
   }
static const struct pm4d_kernel_arg conv2d_args[] = {
   PTR(0), PTR(1), PTR(2), PTR(3),  VAL(0),  VAL(1),  VAL(2),  VAL(3),  VAL(4),  VAL(5),  VAL(6),
   VAL(7), VAL(8), VAL(9), VAL(10), VAL(11), VAL(12), VAL(13), VAL(14), VAL(15), VAL(16),
};
#undef PTR
#undef VAL
_Static_assert(32u + 17u * 4u == PM4D_CONV2D_KERNARG_SIZE, "kernarg size");

size_t pm4d_conv2d_args(const struct pm4d_kernel_arg **out)
{
   *out = conv2d_args;
   return sizeof(conv2d_args) / sizeof(conv2d_args[0]);
}

/* Extent of a dilated filter tap range over a padded input: out = (in + 2 pad - span) / stride
 * + 1 where span = dil (taps - 1) + 1; 0 when the filter does not fit. */
static uint64_t out_extent(uint32_t in, uint32_t pad, uint32_t taps, uint32_t dil, uint32_t stride)
{
   uint64_t padded = (uint64_t)in + 2u * (uint64_t)pad;
   uint64_t span = (uint64_t)dil * (taps - 1u) + 1u;
   return padded < span ? 0 : (padded - span) / stride + 1u;
}

/* a * b * c * d, or UINT64_MAX where it passes 64 bits (sizes near 2^32 each): such a product
 * must fail the 2^31 limit, not wrap to a small value under it. */
static uint64_t product4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
   uint64_t ab, cd, abcd;
   if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(c, d, &cd) ||
       __builtin_mul_overflow(ab, cd, &abcd))
      return UINT64_MAX;
   return abcd;
}

bool pm4d_conv2d_params_check(struct pm4d_conv2d_params *p, char *reason, size_t reason_size)
{
   const uint64_t limit = (uint64_t)1 << 31;
   if (!p->n || !p->c || !p->h || !p->w || !p->k || !p->r || !p->s || !p->stride_h ||
       !p->stride_w || !p->dil_h || !p->dil_w || !p->groups) {
      snprintf(reason, reason_size, "conv2d: a size, stride, dilation or group count is zero");
      return false;
   }
   if (p->c % p->groups || p->k % p->groups) {
      snprintf(reason, reason_size, "conv2d: groups %u does not divide c %u and k %u", p->groups,
               p->c, p->k);
      return false;
   }
   uint64_t oh = out_extent(p->h, p->pad_h, p->r, p->dil_h, p->stride_h);
   uint64_t ow = out_extent(p->w, p->pad_w, p->s, p->dil_w, p->stride_w);
   if (!oh || !ow) {
      snprintf(reason, reason_size, "conv2d: filter larger than the padded input");
      return false;
   }
   uint64_t in_elems = product4(p->n, p->c, p->h, p->w);
   uint64_t f_elems = product4(p->k, p->c / p->groups, p->r, p->s);
   uint64_t out_elems = product4(p->n, p->k, oh, ow);
   /* Kernels index with 32-bit unsigned arithmetic, including iy * w and y * stride. */
   if (in_elems >= limit || f_elems >= limit || out_elems >= limit || oh * p->stride_h >= limit ||
       ow * p->stride_w >= limit || p->pad_h >= limit || p->pad_w >= limit ||
       (uint64_t)p->dil_h * p->r >= limit || (uint64_t)p->dil_w * p->s >= limit) {
      snprintf(reason, reason_size, "conv2d: a tensor or index reaches 2^31 elements");
      return false;
   }
   p->oh = (uint32_t)oh;
   p->ow = (uint32_t)ow;
   return true;
}

bool pm4d_conv2d_params_equal(const struct pm4d_conv2d_params *a,
                              const struct pm4d_conv2d_params *b)
{
   return a->n == b->n && a->c == b->c && a->h == b->h && a->w == b->w && a->k == b->k &&
          a->r == b->r && a->s == b->s && a->stride_h == b->stride_h &&
          a->stride_w == b->stride_w && a->pad_h == b->pad_h && a->pad_w == b->pad_w &&
          a->dil_h == b->dil_h && a->dil_w == b->dil_w && a->groups == b->groups &&
          a->has_bias == b->has_bias && a->relu == b->relu && a->filter_f16 == b->filter_f16 &&
          a->oh == b->oh && a->ow == b->ow;
}

const char *pm4d_conv2d_variant_name(enum pm4d_conv2d_variant v)
{
   return (unsigned)v < PM4D_CONV2D_VARIANT_COUNT ? variant_names[v] : NULL;
}

enum pm4d_conv2d_variant pm4d_conv2d_variant_from_name(const char *name)
{
   for (unsigned v = 0; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
      if (!strcmp(variant_names[v], name))
         return (enum pm4d_conv2d_variant)v;
   }
   return PM4D_CONV2D_VARIANT_COUNT;
}

uint32_t pm4d_conv2d_workgroup_size(enum pm4d_conv2d_variant v)
{
   if ((unsigned)v >= PM4D_CONV2D_VARIANT_COUNT)
      return 0;
   return v == PM4D_CONV2D_DIRECT ? PM4D_DIRECT_WG : PM4D_GEMM_WG;
}

bool pm4d_conv2d_variant_supports(enum pm4d_conv2d_variant v, const struct pm4d_conv2d_params *p)
{
   if ((unsigned)v >= PM4D_CONV2D_VARIANT_COUNT)
      return false;
   if (v == PM4D_CONV2D_DIRECT)
      return true;
   if (gemm_kind[v].f16 != p->filter_f16)
      return false;
   if (gemm_kind[v].is_1x1)
      return p->r == 1 && p->s == 1 && !p->pad_h && !p->pad_w && p->groups == 1;
   return p->r == 3 && p->s == 3 && p->stride_h == 1 && p->stride_w == 1 && p->dil_h == 1 &&
          p->dil_w == 1 && p->groups == 1;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
   return (a + b - 1) / b;
}

enum pm4d_conv2d_variant pm4d_conv2d_variant_choose(const struct pm4d_conv2d_params *p,
                                                    uint32_t compute_units)
{
   const uint64_t large_tiles =
      div_up((uint64_t)p->n * p->oh * p->ow, PM4D_GEMM_TP) * div_up(p->k, PM4D_GEMM_TK);
   /* Measured on the H200 (132 CUs, docs/bench-h200-kernels.md): the small tiles win by 2-4x
    * where the large ones fill a few CUs (batch 1), and lose 5-10 % where they fill most of
    * them (104 tiles, the 7x7 layers at batch 32): take them below half the CUs. */
   const bool small = large_tiles * 2 < compute_units;
   /* Measured on the H200: Winograd F(2x2, 3x3) runs the batch-32 3x3 layers 1.5-2x faster
    * than the 3x3 GEMM (error 2.5e-7 to 6.8e-7). It takes WINO_TC input channels a step, so
    * shapes with fewer (an RGB input layer) keep the GEMM's 4. */
   if (!small && p->c >= PM4D_WINO_TC && pm4d_conv2d_variant_supports(PM4D_CONV2D_3X3_WINO, p))
      return PM4D_CONV2D_3X3_WINO;
   for (unsigned v = PM4D_CONV2D_1X1; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
      if (gemm_kind[v].small == small && !gemm_kind[v].wino && pm4d_conv2d_variant_supports(v, p))
         return (enum pm4d_conv2d_variant)v;
   }
   return PM4D_CONV2D_DIRECT;
}

bool pm4d_conv2d_grid(enum pm4d_conv2d_variant v, const struct pm4d_conv2d_params *p,
                      uint32_t grid[3])
{
   uint64_t x, y, z = p->n;
   if (!pm4d_conv2d_variant_supports(v, p))
      return false;
   if (v == PM4D_CONV2D_DIRECT) {
      x = div_up((uint64_t)p->oh * p->ow, PM4D_DIRECT_WG);
      y = (uint64_t)p->groups * div_up(p->k / p->groups, PM4D_DIRECT_KB);
   } else if (gemm_kind[v].wino) { /* 2x2 output tiles flattened over the batch */
      x = div_up((uint64_t)p->n * div_up(p->oh, 2) * div_up(p->ow, 2), PM4D_WINO_TT);
      y = div_up(p->k, PM4D_WINO_TK);
      z = 1;
   } else { /* the GEMMs: pixels flattened over the batch */
      x = div_up((uint64_t)p->n * p->oh * p->ow, gemm_kind[v].small ? PM4D_SMALL_TP : PM4D_GEMM_TP);
      y = div_up(p->k, gemm_kind[v].small ? PM4D_SMALL_TK : PM4D_GEMM_TK);
      z = 1;
   }
   if (!x || !y || x > UINT32_MAX || y > UINT32_MAX)
      return false;
   grid[0] = (uint32_t)x;
   grid[1] = (uint32_t)y;
   grid[2] = (uint32_t)z;
   return true;
}

/* The 16 size arguments after the pointers, in kernel-argument order; flags comes last. */
static const size_t value_fields[16] = {
   offsetof(struct pm4d_conv2d_params, n),        offsetof(struct pm4d_conv2d_params, c),
   offsetof(struct pm4d_conv2d_params, h),        offsetof(struct pm4d_conv2d_params, w),
   offsetof(struct pm4d_conv2d_params, k),        offsetof(struct pm4d_conv2d_params, r),
   offsetof(struct pm4d_conv2d_params, s),        offsetof(struct pm4d_conv2d_params, oh),
   offsetof(struct pm4d_conv2d_params, ow),       offsetof(struct pm4d_conv2d_params, stride_h),
   offsetof(struct pm4d_conv2d_params, stride_w), offsetof(struct pm4d_conv2d_params, pad_h),
   offsetof(struct pm4d_conv2d_params, pad_w),    offsetof(struct pm4d_conv2d_params, dil_h),
   offsetof(struct pm4d_conv2d_params, dil_w),    offsetof(struct pm4d_conv2d_params, groups),
};
#define FLAGS_ARG 20

/* conv2d_args as one record: the pointers, then the 16 sizes of value_fields and the flags. */
struct kernarg_record {
   uint64_t ptrs[4];
   uint32_t values[17];
};
_Static_assert(offsetof(struct kernarg_record, values) == 32u &&
                  offsetof(struct kernarg_record, values) + sizeof(uint32_t[17]) ==
                     PM4D_CONV2D_KERNARG_SIZE,
               "the record has conv2d_args' layout");

/* Kernarg bytes are little-endian, like the GPU and every host this runs on. Written as one
 * record in conv2d_args' order (once per dispatch on the direct path's hot path); unpacking
 * reads through the table, so the two check each other (tests/unit/kernels). */
bool pm4d_conv2d_pack_kernargs(const struct pm4d_conv2d_params *p,
                               const struct pm4d_conv2d_buffers *bufs, void *dst, size_t dst_size)
{
   if (dst_size < PM4D_CONV2D_KERNARG_SIZE)
      return false;
   const struct kernarg_record args = {
      {bufs->input, bufs->filter, p->has_bias ? bufs->bias : 0, bufs->output},
      {p->n, p->c, p->h, p->w, p->k, p->r, p->s, p->oh, p->ow, p->stride_h, p->stride_w, p->pad_h,
       p->pad_w, p->dil_h, p->dil_w, p->groups,
       (p->has_bias ? PM4D_CONV2D_FLAG_BIAS : 0u) | (p->relu ? PM4D_CONV2D_FLAG_RELU : 0u) |
          (p->filter_f16 ? PM4D_CONV2D_FLAG_FILTER_F16 : 0u)},
   };
   memcpy(dst, &args, PM4D_CONV2D_KERNARG_SIZE);
   memset((uint8_t *)dst + PM4D_CONV2D_KERNARG_SIZE, 0, dst_size - PM4D_CONV2D_KERNARG_SIZE);
   return true;
}

bool pm4d_conv2d_unpack_kernargs(const void *src, size_t src_size, struct pm4d_conv2d_params *p,
                                 struct pm4d_conv2d_buffers *bufs)
{
   const uint8_t *in = src;
   uint64_t ptrs[4];
   uint32_t flags;
   if (!src || src_size < PM4D_CONV2D_KERNARG_SIZE)
      return false;
   memset(p, 0, sizeof(*p));
   for (size_t i = 0; i < 4; i++)
      memcpy(&ptrs[i], in + conv2d_args[i].offset, 8);
   for (size_t i = 0; i < 16; i++)
      memcpy((uint8_t *)p + value_fields[i], in + conv2d_args[4 + i].offset, 4);
   memcpy(&flags, in + conv2d_args[FLAGS_ARG].offset, 4);
   p->has_bias = flags & PM4D_CONV2D_FLAG_BIAS;
   p->relu = flags & PM4D_CONV2D_FLAG_RELU;
   p->filter_f16 = flags & PM4D_CONV2D_FLAG_FILTER_F16;
   *bufs = (struct pm4d_conv2d_buffers){ptrs[0], ptrs[1], ptrs[2], ptrs[3]};
   return !(flags & ~(PM4D_CONV2D_FLAG_BIAS | PM4D_CONV2D_FLAG_RELU | PM4D_CONV2D_FLAG_FILTER_F16));
}

void pm4d_conv2d_buffer_bytes(const struct pm4d_conv2d_params *p, uint64_t bytes[4])
{
   bytes[0] = (uint64_t)p->n * p->c * p->h * p->w * 4;
   bytes[1] = (uint64_t)p->k * (p->c / p->groups) * p->r * p->s * (p->filter_f16 ? 2 : 4);
   bytes[2] = p->has_bias ? (uint64_t)p->k * 4 : 0;
   bytes[3] = (uint64_t)p->n * p->k * p->oh * p->ow * 4;
}
