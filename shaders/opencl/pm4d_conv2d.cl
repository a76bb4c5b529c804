/* conv2d kernels, fp32, NCHW input, KCRS filter, NKHW output, optional bias and fused ReLU.
 * One source for two targets: clang's amdgcn target (AMD code objects, built with -nogpulib,
 * so no OpenCL library function may be called) and any OpenCL runtime (PoCL in the tests).
 *
 * ABI shared by all three kernels (see pm4d_kernels.h for the host side):
 * - arguments: input, filter, bias (0 when flags lacks FLAG_BIAS), output, then
 *   n, c, h, w, k, r, s, oh, ow, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups, flags;
 * - workgroups are one-dimensional (reqd_work_group_size(X, 1, 1));
 * - grid convention: x = spatial output tile, y = output-channel block, z = batch image; the
 *   GEMM kernels (1x1, 3x3) tile the pixels of the whole batch along x and have z = 1.
 * Indices are 32-bit: the host refuses tensors of 2^31 elements or more. */
#ifndef PM4D_CONV2D_TILES_H
#include "pm4d_conv2d_tiles.h"
#endif

#ifdef __AMDGCN__
/* No device library: take ids straight from the hardware registers. */
#define PM4D_WG_X() __builtin_amdgcn_workgroup_id_x()
#define PM4D_WG_Y() __builtin_amdgcn_workgroup_id_y()
#define PM4D_WG_Z() __builtin_amdgcn_workgroup_id_z()
#define PM4D_LID() __builtin_amdgcn_workitem_id_x()
#define PM4D_BARRIER()                                     \
   do {                                                    \
      __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup"); \
      __builtin_amdgcn_s_barrier();                        \
      __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup"); \
   } while (0)
#else
#define PM4D_WG_X() ((uint)get_group_id(0))
#define PM4D_WG_Y() ((uint)get_group_id(1))
#define PM4D_WG_Z() ((uint)get_group_id(2))
#define PM4D_LID() ((uint)get_local_id(0))
#define PM4D_BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#endif


#define PM4D_CONV2D_ARGS                                                                     \
   global const float *restrict input, global const float *restrict filter,                  \
      global const float *restrict bias, global float *restrict output, uint n, uint c,      \
      uint h, uint w, uint k, uint r, uint s, uint oh, uint ow, uint stride_h, uint stride_w, \
      uint pad_h, uint pad_w, uint dil_h, uint dil_w, uint groups, uint flags

static inline float pm4d_epilogue(float acc, global const float *bias, uint kk, uint flags)
{
   if (flags & PM4D_CONV2D_FLAG_BIAS)
      acc += bias[kk];
   if (flags & PM4D_CONV2D_FLAG_RELU)
      acc = acc > 0.0f ? acc : 0.0f;
   return acc;
}

/* Filter word i: fp32, or fp16 bits widened exactly (no library call, so it builds with
 * -nogpulib and on runtimes without cl_khr_fp16). */
static inline float pm4d_filter_word(global const float *filter, uint i, bool f16)
{
   if (!f16)
      return filter[i];
   const uint h = ((global const ushort *)filter)[i];
   const uint sign = (h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
   if (e == 0) /* zero or subnormal: m * 2^-24, exact in fp32 */
      return as_float(sign | as_uint((float)m * 0x1p-24f));
   return as_float(sign | (e == 31 ? 0x7f800000u | (m << 13) : ((e + 112u) << 23) | (m << 13)));
}

/* Any shape. Grid: x = ceil(oh*ow / DIRECT_WG), y = groups * ceil((k/groups) / DIRECT_KB),
 * z = n. */
kernel __attribute__((reqd_work_group_size(PM4D_DIRECT_WG, 1, 1))) void
pm4d_conv2d_direct(PM4D_CONV2D_ARGS)
{
   const uint kpg = k / groups, cpg = c / groups;
   const uint kblocks = (kpg + PM4D_DIRECT_KB - 1) / PM4D_DIRECT_KB;
   const uint g = PM4D_WG_Y() / kblocks;
   const uint k0 = g * kpg + (PM4D_WG_Y() % kblocks) * PM4D_DIRECT_KB;
   const uint kend = g * kpg + kpg;
   const uint b = PM4D_WG_Z();
   const uint p = PM4D_WG_X() * PM4D_DIRECT_WG + PM4D_LID();
   if (p >= oh * ow || b >= n || g >= groups)
      return; /* no barrier in this kernel, so idle work-items may leave */
   const uint y = p / ow, x = p % ow;
   const int iy0 = (int)(y * stride_h) - (int)pad_h;
   const int ix0 = (int)(x * stride_w) - (int)pad_w;

   /* Channels past the group's end read the last valid filter row and are never stored. */
   uint frow[PM4D_DIRECT_KB];
   float acc[PM4D_DIRECT_KB];
#pragma unroll
   for (uint j = 0; j < PM4D_DIRECT_KB; j++) {
      frow[j] = (k0 + j < kend ? k0 + j : kend - 1) * cpg * r * s;
      acc[j] = 0.0f;
   }

   global const float *in_g = input + (b * c + g * cpg) * h * w;
   for (uint ci = 0; ci < cpg; ci++) {
      global const float *in_c = in_g + ci * h * w;
      const uint fci = ci * r * s;
      for (uint ry = 0; ry < r; ry++) {
         const int iy = iy0 + (int)(ry * dil_h);
         if (iy < 0 || iy >= (int)h)
            continue;
         for (uint sx = 0; sx < s; sx++) {
            const int ix = ix0 + (int)(sx * dil_w);
            if (ix < 0 || ix >= (int)w)
               continue;
            const float v = in_c[(uint)iy * w + (uint)ix];
            const uint f = fci + ry * s + sx;
#pragma unroll
            for (uint j = 0; j < PM4D_DIRECT_KB; j++)
               acc[j] += v * pm4d_filter_word(filter, frow[j] + f, flags & PM4D_CONV2D_FLAG_FILTER_F16);
         }
      }
   }
#pragma unroll
   for (uint j = 0; j < PM4D_DIRECT_KB; j++) {
      if (k0 + j < kend)
         output[((b * k + k0 + j) * oh + y) * ow + x] = pm4d_epilogue(acc[j], bias, k0 + j, flags);
   }
}

/* The implicit GEMM behind the 1x1 and 3x3 kernels: filter (k x c*R*R) times the input
 * gathered per output pixel (c*R*R x n*oh*ow), pixels flattened over the batch. R (taps per
 * side, dilation 1), TC (input channels per step), the tile TK channels x TP pixels and S (how
 * many ways the workgroup splits the reduction) are compile-time constants at each call, so
 * every loop below unrolls and every register array stays in registers. */
#define PM4D_GEMM_IL_MAX 18 /* input words per work-item and step */
#define PM4D_GEMM_FL_MAX 18 /* filter words per work-item and step */

/* Loads the step at input channel c0 into registers: input words for pixel lp (its taps that
 * fall in the padding masked off by `taps`), channels c0 + lc + LC * i, all R*R taps; filter
 * words of channel t / FT, rows t % FT + FT * i (so the LDS stores are a fixed stride apart).
 * Out-of-range words are 0. */
static inline __attribute__((always_inline)) void
pm4d_gemm_load(global const float *input, global const float *filter, float *ireg, float *freg,
               const uint R, const uint TC, const uint TK, const uint TP, const bool F16, uint c0,
               uint c, uint k, uint k0, uint hw, uint w, int base, uint taps, uint lc, uint t)
{
   const uint rr = R * R, tq = TC * rr, LC = PM4D_GEMM_WG / TP, FT = PM4D_GEMM_WG / TK;
   /* Loops run to the largest count and skip the rest (no early exit): constant trip counts
    * unroll fully whatever R and TC are, so ireg and freg stay in registers. */
#pragma unroll
   for (uint i = 0; i < PM4D_GEMM_IL_MAX; i++) {
      if (i < TC / LC * rr) {
         const uint cc = c0 + lc + LC * (i / rr), rs = i % rr;
         const bool ok = cc < c && ((taps >> rs) & 1u);
         ireg[i] = ok ? input[base + (int)(cc * hw + (rs / R) * w + rs % R)] : 0.0f;
      }
   }
#pragma unroll
   for (uint i = 0; i < PM4D_GEMM_FL_MAX; i++) {
      const uint kk = t / FT, q = t % FT + FT * i;
      if (i < tq / FT || (i == tq / FT && t % FT < tq % FT)) { /* q < tq */
         const bool ok = k0 + kk < k && c0 + q / rr < c;
         freg[i] = ok ? pm4d_filter_word(filter, ((k0 + kk) * c + c0) * rr + q, F16) : 0.0f;
      }
   }
}

/* One reduction row q: acc[i][j] += filter word of channel tk + i x input word of pixel j. */
static inline __attribute__((always_inline)) void
pm4d_gemm_row(float acc[4][8], local const float4 *fs_v, local const float4 *is_v, uint q,
              uint tk, uint tp, const uint TK, const uint TP)
{
   const float4 f = fs_v[(q * (TK + 4) + tk) / 4];
   const float4 lo = is_v[(q * TP + tp) / 4];
   const float4 hi = is_v[(q * TP + TP / 2 + tp) / 4];
   const float fv[4] = {f.x, f.y, f.z, f.w};
   const float pv[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
#pragma unroll
   for (uint i = 0; i < 4; i++)
#pragma unroll
      for (uint j = 0; j < 8; j++)
         acc[i][j] += fv[i] * pv[j];
}

/* Grid: x = ceil(n*oh*ow / TP), y = ceil(k / TK), z = 1. The GEMM_WG work-items form S groups
 * of G = TK*TP/32; each group computes the whole tile over its own S-th of every step's rows,
 * and the groups' partial sums are added in a fixed tree at the end (deterministic). Work-item
 * t (tl = its index in the group) owns output channels k0 + (tl/PL)*4 + i (i < 4) and pixels
 * p0 + (tl%PL)*4 + j and p0 + TP/2 + (tl%PL)*4 + j (j < 4), PL = TP/8: per reduction row three
 * 16-byte LDS reads (the filter one a broadcast within the wave) for 32 FMAs. The next step's
 * words are loaded into registers while this step computes. is_* is the [row][pixel] tile,
 * fs_* the [row][channel] tile (TC*R*R rows, rows TK + 4 apart: fewer bank conflicts). */
static inline __attribute__((always_inline)) void
pm4d_gemm(global const float *input, global const float *filter, global const float *bias,
          global float *output, uint n, uint c, uint h, uint w, uint k, uint oh, uint ow,
          uint stride_h, uint stride_w, uint pad_h, uint pad_w, uint flags, local float *is_f,
          local const float4 *is_v, local float *fs_f, local const float4 *fs_v, const uint R,
          const uint TC, const uint TK, const uint TP, const uint S, const bool F16)
{
   const uint rr = R * R, tq = TC * rr, G = PM4D_GEMM_WG / S, PL = TP / 8;
   const uint LC = PM4D_GEMM_WG / TP, FT = PM4D_GEMM_WG / TK;
   /* With S = 1 these fold to constants (the compiler need not know that t < GEMM_WG). */
   const uint t = PM4D_LID(), grp = S == 1 ? 0 : t / G, tl = S == 1 ? t : t % G;
   const uint hw = h * w, ohw = oh * ow, np = n * ohw;
   const uint p0 = PM4D_WG_X() * TP, k0 = PM4D_WG_Y() * TK;
   const uint tk = (tl / PL) * 4, tp = (tl % PL) * 4;

   /* The pixel this work-item loads, and which of its taps lie inside the image. */
   const uint lp = t % TP, lc = t / TP;
   uint taps = 0;
   int base = 0; /* input offset of tap (0, 0) of channel 0; negative in the padding */
   if (p0 + lp < np) {
      const uint b = (p0 + lp) / ohw, rem = (p0 + lp) % ohw;
      const int iy = (int)((rem / ow) * stride_h) - (int)pad_h;
      const int ix = (int)((rem % ow) * stride_w) - (int)pad_w;
      base = (int)(b * c * hw) + iy * (int)w + ix;
#pragma unroll
      for (uint rs = 0; rs < 9; rs++) {
         const int y = iy + (int)(rs / R), x = ix + (int)(rs % R);
         if (rs < rr && y >= 0 && y < (int)h && x >= 0 && x < (int)w)
            taps |= 1u << rs;
      }
   }

   float ireg[PM4D_GEMM_IL_MAX], freg[PM4D_GEMM_FL_MAX];
   float acc[4][8] = {{0.0f}};
   pm4d_gemm_load(input, filter, ireg, freg, R, TC, TK, TP, F16, 0, c, k, k0, hw, w, base, taps,
                  lc, t);
   for (uint c0 = 0; c0 < c; c0 += TC) {
#pragma unroll
      for (uint i = 0; i < PM4D_GEMM_IL_MAX; i++) {
         if (i < TC / LC * rr)
            is_f[((lc + LC * (i / rr)) * rr + i % rr) * TP + lp] = ireg[i];
      }
#pragma unroll
      for (uint i = 0; i < PM4D_GEMM_FL_MAX; i++) {
         if (i < tq / FT || (i == tq / FT && t % FT < tq % FT))
            fs_f[(t % FT + FT * i) * (TK + 4) + t / FT] = freg[i];
      }
      PM4D_BARRIER();
      if (c0 + TC < c)
         pm4d_gemm_load(input, filter, ireg, freg, R, TC, TK, TP, F16, c0 + TC, c, k, k0, hw, w,
                        base, taps, lc, t);
      /* Measured on the H200 (docs/bench-h200-kernels.md): the 1x1 step runs fastest fully
       * unrolled, the 3x3 step four rows at a time: two loops, since the unroll pragma takes
       * no expression. On AMD both stay at four: fully unrolled, the 1x1 spills past GFX11's
       * 128 VGPRs. */
      const uint q0 = grp * (tq / S);
      if (R == 1) {
#ifdef __AMDGCN__
#pragma unroll 4
#else
#pragma unroll
#endif
         for (uint q = 0; q < tq / S; q++)
            pm4d_gemm_row(acc, fs_v, is_v, q0 + q, tk, tp, TK, TP);
      } else {
#pragma unroll 4
         for (uint q = 0; q < tq / S; q++)
            pm4d_gemm_row(acc, fs_v, is_v, q0 + q, tk, tp, TK, TP);
      }
      PM4D_BARRIER();
   }
   /* Split reduction: the upper half of the groups hands its sums to the lower half through
    * LDS (the input tile, free now), halving until group 0 holds the tile: the same order of
    * additions on every run. */
#pragma unroll
   for (uint span = S / 2; span >= 1; span /= 2) {
      if (grp >= span && grp < 2 * span) {
#pragma unroll
         for (uint a = 0; a < 32; a++)
            is_f[((grp - span) * 32 + a) * G + tl] = acc[a / 8][a % 8];
      }
      PM4D_BARRIER();
      if (grp < span) {
#pragma unroll
         for (uint a = 0; a < 32; a++)
            acc[a / 8][a % 8] += is_f[(grp * 32 + a) * G + tl];
      }
      PM4D_BARRIER();
   }
   const bool stores = grp == 0; /* group 0 holds the sums */
   /* Each side of the work-item's pixels is 4 consecutive ones. When a plane is a multiple of
    * 4 pixels they lie in one image, 16-byte aligned: one vector store per channel. Otherwise
    * they may straddle two images: place each on its own. */
#pragma unroll
   for (uint side = 0; side < 2; side++) {
      const uint pix0 = p0 + tp + side * (TP / 2);
      if (stores && ohw % 4 == 0 && pix0 + 3 < np) {
         global float *out = output + (pix0 / ohw) * k * ohw + pix0 % ohw;
#pragma unroll
         for (uint i = 0; i < 4; i++) {
            const uint kk = k0 + tk + i;
            if (kk < k)
               *(global float4 *)(out + kk * ohw) =
                  (float4)(pm4d_epilogue(acc[i][side * 4], bias, kk, flags),
                           pm4d_epilogue(acc[i][side * 4 + 1], bias, kk, flags),
                           pm4d_epilogue(acc[i][side * 4 + 2], bias, kk, flags),
                           pm4d_epilogue(acc[i][side * 4 + 3], bias, kk, flags));
         }
         continue;
      }
#pragma unroll
      for (uint j = 0; j < 4; j++) {
         const uint pix = pix0 + j;
         if (!stores || pix >= np)
            continue;
         global float *out = output + (pix / ohw) * k * ohw + pix % ohw;
#pragma unroll
         for (uint i = 0; i < 4; i++) {
            const uint kk = k0 + tk + i;
            if (kk < k)
               out[kk * ohw] = pm4d_epilogue(acc[i][side * 4 + j], bias, kk, flags);
         }
      }
   }
}

/* The LDS tiles of a GEMM kernel with `rows` reduction rows per step and a TK x TP tile.
 * Written a word at a time, read 16 bytes at a time: unions make that well-defined. */
#define PM4D_GEMM_TILES(rows, TK, TP)                   \
   local union {                                        \
      float f[(rows) * (TP)];                           \
      float4 v[(rows) * (TP) / 4];                      \
   } is;                                                \
   local union {                                        \
      float f[(rows) * ((TK) + 4)];                     \
      float4 v[(rows) * ((TK) + 4) / 4];                \
   } fs

/* F16: the filter is fp16 (the _f16 kernels). A compile-time choice: a run-time test, even one
 * per step around the loads, cost the fp32 3x3 GEMM 2-6 % on the H200. */
#define PM4D_GEMM_CALL(R, TC, TK, TP, S, F16)                                                   \
   pm4d_gemm(input, filter, bias, output, n, c, h, w, k, oh, ow, stride_h, stride_w, pad_h,    \
             pad_w, flags, is.f, is.v, fs.f, fs.v, R, TC, TK, TP, S, F16)

/* One kernel per tile, shape and filter type: NAME(TK, TP, S) for 1x1 and 3x3. r = s = 1,
 * pad 0, groups 1, any stride; r = s = 3, stride 1, dilation 1, groups 1, any padding. */
#define PM4D_GEMM_KERNELS(name, TK, TP, S, TC1, TC3, F16)                                       \
   kernel __attribute__((reqd_work_group_size(PM4D_GEMM_WG, 1, 1))) void pm4d_conv2d_1x1##name( \
      PM4D_CONV2D_ARGS)                                                                         \
   {                                                                                            \
      PM4D_GEMM_TILES(TC1, TK, TP);                                                             \
      PM4D_GEMM_CALL(1, TC1, TK, TP, S, F16);                                                   \
   }                                                                                            \
   kernel __attribute__((reqd_work_group_size(PM4D_GEMM_WG, 1, 1))) void pm4d_conv2d_3x3##name( \
      PM4D_CONV2D_ARGS)                                                                         \
   {                                                                                            \
      PM4D_GEMM_TILES(TC3 * 9, TK, TP);                                                         \
      PM4D_GEMM_CALL(3, TC3, TK, TP, S, F16);                                                   \
   }

PM4D_GEMM_KERNELS(, PM4D_GEMM_TK, PM4D_GEMM_TP, 1, PM4D_1X1_TC, PM4D_3X3_TC, false)
/* Grids smaller than the machine: SMALL_TK x SMALL_TP tiles, the reduction split SMALL_S ways
 * inside the workgroup. */
PM4D_GEMM_KERNELS(_small, PM4D_SMALL_TK, PM4D_SMALL_TP, PM4D_SMALL_S, PM4D_1X1_SMALL_TC,
                  PM4D_3X3_SMALL_TC, false)
/* fp16 filters (flag FILTER_F16 set): the same four. */
PM4D_GEMM_KERNELS(_f16, PM4D_GEMM_TK, PM4D_GEMM_TP, 1, PM4D_1X1_TC, PM4D_3X3_TC, true)
PM4D_GEMM_KERNELS(_small_f16, PM4D_SMALL_TK, PM4D_SMALL_TP, PM4D_SMALL_S, PM4D_1X1_SMALL_TC,
                  PM4D_3X3_SMALL_TC, true)

/* Winograd F(2x2, 3x3) (Lavin & Gray 2015): for each 2x2 output tile, Y = A^T [sum over input
 * channels of (G g G^T) .* (B^T d B)] A, with d the tile's 4x4 input patch and g the 3x3 filter:
 * 16 multiplications per tile and channel instead of 36. The transforms only add, subtract
 * and halve (halving is exact), so the error stays that of a direct sum of a few more terms.
 * WINO_TK x WINO_TT (channels x tiles) per workgroup: work-item t owns transformed point
 * t / 16 (16 points) and, of that point's GEMM, channels (t % 16 / 4) * KR + i and tiles
 * (t % 4) * TR + j. Each step transforms WINO_TC input channels of patches and filters into LDS
 * (U[channel][point][k], V[channel][point][tile], points 4 words apart and channels 4 more:
 * fewer bank conflicts), the next step's words loaded into registers meanwhile. At the end the
 * 16 points of each (channel, tile) meet in LDS for the output transform. */
#define PM4D_WINO_KR (PM4D_WINO_TK / 4)
#define PM4D_WINO_TR (PM4D_WINO_TT / 4)
#define PM4D_WINO_NI (PM4D_WINO_TC * PM4D_WINO_TT / PM4D_GEMM_WG) /* patches per work-item */
#define PM4D_WINO_NF (PM4D_WINO_TC * PM4D_WINO_TK / PM4D_GEMM_WG) /* filters per work-item */
#define PM4D_WINO_US (16 * (PM4D_WINO_TK + 4) + 4) /* U: words per input channel */
#define PM4D_WINO_VS (16 * (PM4D_WINO_TT + 4) + 4) /* V: likewise */
#define PM4D_WINO_LDS (PM4D_WINO_TC * (PM4D_WINO_US + PM4D_WINO_VS))
#define PM4D_WINO_MK  (PM4D_WINO_TK / PM4D_WINO_KR * 4) /* channels per output-transform pass */
/* Whether the next step's words are loaded while this step computes: on OpenCL runtimes (the
 * H200 measurements). Not on AMD: the 25 registers it holds would push GFX11 past 128 VGPRs
 * into scratch. */
#ifdef __AMDGCN__
#define PM4D_WINO_PREFETCH 0
#else
#define PM4D_WINO_PREFETCH 1
#endif

/* B^T x B of a 4x4 patch, in place (rows, then columns). */
static inline __attribute__((always_inline)) void pm4d_wino_input(float d[16])
{
#pragma unroll
   for (uint j = 0; j < 4; j++) {
      const float a = d[j], b = d[4 + j], c = d[8 + j], e = d[12 + j];
      d[j] = a - c;
      d[4 + j] = b + c;
      d[8 + j] = c - b;
      d[12 + j] = b - e;
   }
#pragma unroll
   for (uint i = 0; i < 4; i++) {
      const float a = d[4 * i], b = d[4 * i + 1], c = d[4 * i + 2], e = d[4 * i + 3];
      d[4 * i] = a - c;
      d[4 * i + 1] = b + c;
      d[4 * i + 2] = c - b;
      d[4 * i + 3] = b - e;
   }
}

/* G g G^T of a 3x3 filter into 16 words. */
static inline __attribute__((always_inline)) void pm4d_wino_filter(const float g[9], float u[16])
{
   float t[12]; /* G g: 4 rows x 3 */
#pragma unroll
   for (uint j = 0; j < 3; j++) {
      const float a = g[j], b = g[3 + j], c = g[6 + j];
      t[j] = a;
      t[3 + j] = 0.5f * (a + b + c);
      t[6 + j] = 0.5f * (a - b + c);
      t[9 + j] = c;
   }
#pragma unroll
   for (uint i = 0; i < 4; i++) {
      const float a = t[3 * i], b = t[3 * i + 1], c = t[3 * i + 2];
      u[4 * i] = a;
      u[4 * i + 1] = 0.5f * (a + b + c);
      u[4 * i + 2] = 0.5f * (a - b + c);
      u[4 * i + 3] = c;
   }
}

/* n words from LDS, 16 bytes at a time. */
static inline __attribute__((always_inline)) void pm4d_wino_words(local const float4 *src,
                                                                  float *dst, const uint n)
{
#pragma unroll
   for (uint i = 0; i < n / 4; i++) {
      const float4 x = src[i];
      dst[4 * i] = x.x;
      dst[4 * i + 1] = x.y;
      dst[4 * i + 2] = x.z;
      dst[4 * i + 3] = x.w;
   }
}

/* Loads one step's words at input channel c0: NI patches (channel c0 + t / TT + i * 256 / TT,
 * tile t % TT, its taps in the padding masked off) and NF filters (channel c0 + t % TC, output
 * channel k0 + t / TC + i * 256 / TC). Out-of-range words are 0. */
static inline __attribute__((always_inline)) void
pm4d_wino_load(global const float *input, global const float *filter, float d[][16], float g[][9],
               uint c0, uint c, uint k, uint k0, uint hw, uint w, int base, uint taps, uint t)
{
#pragma unroll
   for (uint i = 0; i < PM4D_WINO_NI; i++) {
      const uint cc = c0 + t / PM4D_WINO_TT + i * (PM4D_GEMM_WG / PM4D_WINO_TT);
#pragma unroll
      for (uint e = 0; e < 16; e++) {
         const bool ok = cc < c && ((taps >> e) & 1u);
         d[i][e] = ok ? input[base + (int)(cc * hw + (e / 4) * w + e % 4)] : 0.0f;
      }
   }
#pragma unroll
   for (uint i = 0; i < PM4D_WINO_NF; i++) {
      const uint cc = c0 + t % PM4D_WINO_TC;
      const uint kk = k0 + t / PM4D_WINO_TC + i * (PM4D_GEMM_WG / PM4D_WINO_TC);
      const bool ok = cc < c && kk < k;
#pragma unroll
      for (uint e = 0; e < 9; e++)
         g[i][e] = ok ? filter[(kk * c + cc) * 9 + e] : 0.0f;
   }
}

/* Grid: x = ceil(n * ceil(oh/2) * ceil(ow/2) / WINO_TT), y = ceil(k / WINO_TK), z = 1. */
kernel __attribute__((reqd_work_group_size(PM4D_GEMM_WG, 1, 1))) void
pm4d_conv2d_3x3_wino(PM4D_CONV2D_ARGS)
{
   local union {
      float f[PM4D_WINO_LDS];
      float4 v[PM4D_WINO_LDS / 4];
   } lds;
   local float *us = lds.f, *vs = lds.f + PM4D_WINO_TC * PM4D_WINO_US;
   const uint t = PM4D_LID();
   const uint th = (oh + 1) / 2, tw = (ow + 1) / 2, tpi = th * tw, nt = n * tpi;
   const uint hw = h * w, ohw = oh * ow;
   const uint t0 = PM4D_WG_X() * PM4D_WINO_TT, k0 = PM4D_WG_Y() * PM4D_WINO_TK;
   const uint ph = t / 16, kq = (t % 16) / 4, tq = t % 4;

   /* The tile this work-item loads, and which of its 16 patch words lie inside the image. */
   const uint lt = t % PM4D_WINO_TT;
   uint taps = 0;
   int base = 0;
   if (t0 + lt < nt) {
      const uint b = (t0 + lt) / tpi, rem = (t0 + lt) % tpi;
      const int iy = (int)(2 * (rem / tw)) - (int)pad_h, ix = (int)(2 * (rem % tw)) - (int)pad_w;
      base = (int)(b * c * hw) + iy * (int)w + ix;
#pragma unroll
      for (uint e = 0; e < 16; e++) {
         const int y = iy + (int)(e / 4), x = ix + (int)(e % 4);
         if (y >= 0 && y < (int)h && x >= 0 && x < (int)w)
            taps |= 1u << e;
      }
   }

   float d[PM4D_WINO_NI][16], g[PM4D_WINO_NF][9];
   float acc[PM4D_WINO_KR][PM4D_WINO_TR] = {{0.0f}};
   if (PM4D_WINO_PREFETCH)
      pm4d_wino_load(input, filter, d, g, 0, c, k, k0, hw, w, base, taps, t);
   for (uint c0 = 0; c0 < c; c0 += PM4D_WINO_TC) {
      if (!PM4D_WINO_PREFETCH)
         pm4d_wino_load(input, filter, d, g, c0, c, k, k0, hw, w, base, taps, t);
#pragma unroll
      for (uint i = 0; i < PM4D_WINO_NI; i++) {
         pm4d_wino_input(d[i]);
         const uint cl = t / PM4D_WINO_TT + i * (PM4D_GEMM_WG / PM4D_WINO_TT);
#pragma unroll
         for (uint e = 0; e < 16; e++)
            vs[cl * PM4D_WINO_VS + e * (PM4D_WINO_TT + 4) + lt] = d[i][e];
      }
#pragma unroll
      for (uint i = 0; i < PM4D_WINO_NF; i++) {
         float u[16];
         pm4d_wino_filter(g[i], u);
         const uint cl = t % PM4D_WINO_TC;
         const uint kl = t / PM4D_WINO_TC + i * (PM4D_GEMM_WG / PM4D_WINO_TC);
#pragma unroll
         for (uint e = 0; e < 16; e++)
            us[cl * PM4D_WINO_US + e * (PM4D_WINO_TK + 4) + kl] = u[e];
      }
      PM4D_BARRIER();
      if (PM4D_WINO_PREFETCH && c0 + PM4D_WINO_TC < c)
         pm4d_wino_load(input, filter, d, g, c0 + PM4D_WINO_TC, c, k, k0, hw, w, base, taps, t);
#pragma unroll
      for (uint cl = 0; cl < PM4D_WINO_TC; cl++) {
         local const float4 *u4 =
            lds.v + (cl * PM4D_WINO_US + ph * (PM4D_WINO_TK + 4) + kq * PM4D_WINO_KR) / 4;
         local const float4 *v4 = lds.v + (PM4D_WINO_TC * PM4D_WINO_US + cl * PM4D_WINO_VS +
                                           ph * (PM4D_WINO_TT + 4) + tq * PM4D_WINO_TR) / 4;
         float uk[PM4D_WINO_KR], vt[PM4D_WINO_TR];
         pm4d_wino_words(u4, uk, PM4D_WINO_KR);
         pm4d_wino_words(v4, vt, PM4D_WINO_TR);
#pragma unroll
         for (uint i = 0; i < PM4D_WINO_KR; i++)
#pragma unroll
            for (uint j = 0; j < PM4D_WINO_TR; j++)
               acc[i][j] += uk[i] * vt[j];
      }
      PM4D_BARRIER();
   }

   /* Output transform, four of each work-item's channels per pass: the 16 points of
    * (channel, tile) gathered in LDS as m[point][channel][tile] (rows TT + 1 apart). */
#pragma unroll
   for (uint pass = 0; pass < PM4D_WINO_KR / 4; pass++) {
#pragma unroll
      for (uint i = 0; i < 4; i++)
#pragma unroll
         for (uint j = 0; j < PM4D_WINO_TR; j++)
            lds.f[(ph * PM4D_WINO_MK + kq * 4 + i) * (PM4D_WINO_TT + 1) + tq * PM4D_WINO_TR + j] =
               acc[pass * 4 + i][j];
      PM4D_BARRIER();
#pragma unroll
      for (uint qi = 0; qi < PM4D_WINO_MK * PM4D_WINO_TT / PM4D_GEMM_WG; qi++) {
         const uint q = t + qi * PM4D_GEMM_WG, mk = q / PM4D_WINO_TT, tl = q % PM4D_WINO_TT;
         const uint kk = k0 + (mk / 4) * PM4D_WINO_KR + pass * 4 + mk % 4;
         float m[16];
#pragma unroll
         for (uint e = 0; e < 16; e++)
            m[e] = lds.f[(e * PM4D_WINO_MK + mk) * (PM4D_WINO_TT + 1) + tl];
         /* A^T m A: rows, then columns. */
         float r[8];
#pragma unroll
         for (uint j = 0; j < 4; j++) {
            r[j] = m[j] + m[4 + j] + m[8 + j];
            r[4 + j] = m[4 + j] - m[8 + j] - m[12 + j];
         }
         const float y[4] = {r[0] + r[1] + r[2], r[1] - r[2] - r[3], r[4] + r[5] + r[6],
                             r[5] - r[6] - r[7]};
         if (kk < k && t0 + tl < nt) {
            const uint b = (t0 + tl) / tpi, rem = (t0 + tl) % tpi;
            const uint oy = 2 * (rem / tw), ox = 2 * (rem % tw);
            global float *out = output + (b * k + kk) * ohw + oy * ow + ox;
#pragma unroll
            for (uint e = 0; e < 4; e++) {
               if (oy + e / 2 < oh && ox + e % 2 < ow)
                  out[(e / 2) * ow + e % 2] = pm4d_epilogue(y[e], bias, kk, flags);
            }
         }
      }
      PM4D_BARRIER();
   }
}
