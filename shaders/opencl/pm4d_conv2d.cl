/* conv2d kernels, fp32, NCHW input, KCRS filter, NKHW output, optional bias and fused ReLU.
 * One source for two targets: clang's amdgcn target (AMD code objects, built with -nogpulib,
 * so no OpenCL library function may be called) and any OpenCL runtime (PoCL in the tests).
 *
 * ABI shared by all three kernels (see pm4d_kernels.h for the host side):
 * - arguments: input, filter, bias (0 when flags lacks FLAG_BIAS), output, then
 *   n, c, h, w, k, r, s, oh, ow, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups, flags;
 * - workgroups are one-dimensional (reqd_work_group_size(X, 1, 1));
 * - grid convention: x = spatial output tile, y = output-channel block, z = batch image.
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

/* Stores a 4 x 4 register block: channels k0 + i (those < k), columns col0 + j (those <
 * cols) of the plane row at row_off; plane is the size of one output channel's plane. */
static inline void pm4d_store_4x4(global float *output, const float acc[4][4],
                                  global const float *bias, uint flags, uint b, uint k, uint k0,
                                  uint plane, uint row_off, uint col0, uint cols)
{
#pragma unroll
   for (uint i = 0; i < 4; i++) {
      const uint kk = k0 + i;
      if (kk >= k)
         continue;
#pragma unroll
      for (uint j = 0; j < 4; j++) {
         if (col0 + j < cols)
            output[(b * k + kk) * plane + row_off + col0 + j] =
               pm4d_epilogue(acc[i][j], bias, kk, flags);
      }
   }
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
               acc[j] += v * filter[frow[j] + f];
         }
      }
   }
#pragma unroll
   for (uint j = 0; j < PM4D_DIRECT_KB; j++) {
      if (k0 + j < kend)
         output[((b * k + k0 + j) * oh + y) * ow + x] = pm4d_epilogue(acc[j], bias, k0 + j, flags);
   }
}

/* r = s = 1, pad 0, groups 1, any stride: a GEMM over channels per image. Grid:
 * x = ceil(oh*ow / 1X1_TP), y = ceil(k / 1X1_TK), z = n. Work-item t owns output channels
 * k0 + (t/16)*4 + i and pixels p0 + (t%16)*4 + j (i, j < 4), so each input channel costs it
 * two 16-byte LDS reads (4 filter words, a broadcast within the wave, and 4 input words) for
 * 16 FMAs. */
#define PM4D_1X1_FK (PM4D_1X1_TK + 4) /* filter tile row, padded: fewer store conflicts */
kernel __attribute__((reqd_work_group_size(PM4D_1X1_WG, 1, 1))) void
pm4d_conv2d_1x1(PM4D_CONV2D_ARGS)
{
   /* Written a word at a time, read 16 bytes at a time: unions make that well-defined. */
   local union {
      float f[PM4D_1X1_TC * PM4D_1X1_FK];
      float4 v[PM4D_1X1_TC * PM4D_1X1_FK / 4];
   } fs; /* [cc][kk] */
   local union {
      float f[PM4D_1X1_TC * PM4D_1X1_TP];
      float4 v[PM4D_1X1_TC * PM4D_1X1_TP / 4];
   } is; /* [cc][pp] */
   const uint t = PM4D_LID();
   const uint tk = (t / 16) * 4, tp = (t % 16) * 4;
   const uint np = oh * ow;
   const uint p0 = PM4D_WG_X() * PM4D_1X1_TP, k0 = PM4D_WG_Y() * PM4D_1X1_TK;
   const uint b = PM4D_WG_Z() < n ? PM4D_WG_Z() : n - 1; /* every work-item reaches barriers */

   /* This work-item always loads input pixel lp = t % TP, channels t / TP + 4q. */
   const uint lp = t % PM4D_1X1_TP, lc = t / PM4D_1X1_TP;
   const bool lp_ok = p0 + lp < np;
   const uint lpix = lp_ok ? ((p0 + lp) / ow) * stride_h * w + ((p0 + lp) % ow) * stride_w : 0;
   global const float *in_b = input + b * c * h * w + lpix;
   /* ... and filter words kk = t / TC + 16q, cc = t % TC. */
   const uint fk = t / PM4D_1X1_TC, fc = t % PM4D_1X1_TC;

   float acc[4][4] = {{0.0f}};

   for (uint c0 = 0; c0 < c; c0 += PM4D_1X1_TC) {
#pragma unroll
      for (uint q = 0; q < 4; q++) {
         const uint cc = lc + 4 * q;
         is.f[cc * PM4D_1X1_TP + lp] = (lp_ok && c0 + cc < c) ? in_b[(c0 + cc) * h * w] : 0.0f;
         const uint kk = fk + 16 * q;
         fs.f[fc * PM4D_1X1_FK + kk] =
            (k0 + kk < k && c0 + fc < c) ? filter[(k0 + kk) * c + c0 + fc] : 0.0f;
      }
      PM4D_BARRIER();
#pragma unroll
      for (uint cc = 0; cc < PM4D_1X1_TC; cc++) {
         const float4 f = fs.v[(cc * PM4D_1X1_FK + tk) / 4];
         const float4 v = is.v[(cc * PM4D_1X1_TP + tp) / 4];
         const float fv[4] = {f.x, f.y, f.z, f.w}, iv[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
         for (uint i = 0; i < 4; i++)
#pragma unroll
            for (uint j = 0; j < 4; j++)
               acc[i][j] += fv[i] * iv[j];
      }
      PM4D_BARRIER();
   }
   if (PM4D_WG_Z() < n)
      pm4d_store_4x4(output, acc, bias, flags, b, k, k0 + tk, np, 0, p0 + tp, np);
}

#define PM4D_3X3_TQ (PM4D_3X3_TC * 9)            /* reduction rows per step: channel x tap */
#define PM4D_3X3_FK (PM4D_3X3_TK + 4)            /* filter tile row, padded: fewer store conflicts */
#define PM4D_3X3_LC (PM4D_3X3_WG / PM4D_3X3_TP)  /* channels the workgroup loads per pass */
#define PM4D_3X3_IL (PM4D_3X3_TC / PM4D_3X3_LC * 9) /* input words per work-item and step */
#define PM4D_3X3_FL (PM4D_3X3_TQ * PM4D_3X3_TK / PM4D_3X3_WG) /* filter words per work-item */

/* Loads the step at input channel c0 into registers: input words for pixel lp (its taps that
 * fall in the padding masked off by `taps`, computed once), channels lc + LC * i, all 9 taps;
 * filter words e = t + WG * i of the TK x TQ tile. Out-of-range words are 0. */
static inline void pm4d_3x3_load(global const float *input, global const float *filter,
                                 float ireg[PM4D_3X3_IL], float freg[PM4D_3X3_FL], uint c0,
                                 uint c, uint k, uint k0, uint hw, uint w, int base, uint taps,
                                 uint lc, uint t)
{
#pragma unroll
   for (uint i = 0; i < PM4D_3X3_TC / PM4D_3X3_LC; i++) {
      const uint cc = c0 + lc + PM4D_3X3_LC * i;
      const int at = base + (int)(cc * hw);
#pragma unroll
      for (uint rs = 0; rs < 9; rs++) {
         const bool ok = cc < c && ((taps >> rs) & 1u);
         ireg[i * 9 + rs] = ok ? input[at + (int)((rs / 3) * w + rs % 3)] : 0.0f;
      }
   }
#pragma unroll
   for (uint i = 0; i < PM4D_3X3_FL; i++) {
      const uint e = t + PM4D_3X3_WG * i, kk = e / PM4D_3X3_TQ, q = e % PM4D_3X3_TQ;
      const bool ok = k0 + kk < k && c0 + q / 9 < c;
      freg[i] = ok ? filter[((k0 + kk) * c + c0) * 9 + q] : 0.0f;
   }
}

/* r = s = 3, stride 1, dilation 1, groups 1, any padding: an implicit GEMM of the filter
 * (k x 9c) by the input gathered per output pixel (9c x n*oh*ow), pixels flattened over the
 * batch. Grid: x = ceil(n*oh*ow / 3X3_TP), y = ceil(k / 3X3_TK), z = 1. Work-item t owns
 * output channels k0 + (t/16)*4 + i (i < 4) and pixels p0 + (t%16)*4 + j and p0 + TP/2 +
 * (t%16)*4 + j (j < 4): per reduction row three 16-byte LDS reads (the filter one a
 * broadcast within the wave) for 32 FMAs. The next step's words are loaded into registers
 * while this step computes. */
kernel __attribute__((reqd_work_group_size(PM4D_3X3_WG, 1, 1))) void
pm4d_conv2d_3x3(PM4D_CONV2D_ARGS)
{
   local union {
      float f[PM4D_3X3_TQ * PM4D_3X3_TP];
      float4 v[PM4D_3X3_TQ * PM4D_3X3_TP / 4];
   } is; /* [q][pixel] */
   local union {
      float f[PM4D_3X3_TQ * PM4D_3X3_FK];
      float4 v[PM4D_3X3_TQ * PM4D_3X3_FK / 4];
   } fs; /* [q][kk] */
   const uint t = PM4D_LID();
   const uint hw = h * w, ohw = oh * ow, np = n * ohw;
   const uint p0 = PM4D_WG_X() * PM4D_3X3_TP, k0 = PM4D_WG_Y() * PM4D_3X3_TK;
   const uint tk = (t / 16) * 4, tp = (t % 16) * 4;

   /* The pixel this work-item loads, and which of its 9 taps lie inside the image. */
   const uint lp = t % PM4D_3X3_TP, lc = t / PM4D_3X3_TP;
   uint taps = 0;
   int base = 0; /* input offset of tap (0, 0) of channel 0; negative in the padding */
   if (p0 + lp < np) {
      const uint b = (p0 + lp) / ohw, rem = (p0 + lp) % ohw;
      const int iy = (int)(rem / ow) - (int)pad_h, ix = (int)(rem % ow) - (int)pad_w;
      base = (int)(b * c * hw) + iy * (int)w + ix;
#pragma unroll
      for (int rs = 0; rs < 9; rs++) {
         if (iy + rs / 3 >= 0 && iy + rs / 3 < (int)h && ix + rs % 3 >= 0 && ix + rs % 3 < (int)w)
            taps |= 1u << rs;
      }
   }

   float ireg[PM4D_3X3_IL], freg[PM4D_3X3_FL];
   float acc[4][8] = {{0.0f}};
   pm4d_3x3_load(input, filter, ireg, freg, 0, c, k, k0, hw, w, base, taps, lc, t);
   for (uint c0 = 0; c0 < c; c0 += PM4D_3X3_TC) {
#pragma unroll
      for (uint i = 0; i < PM4D_3X3_IL; i++)
         is.f[((lc + PM4D_3X3_LC * (i / 9)) * 9 + i % 9) * PM4D_3X3_TP + lp] = ireg[i];
#pragma unroll
      for (uint i = 0; i < PM4D_3X3_FL; i++) {
         const uint e = t + PM4D_3X3_WG * i;
         fs.f[(e % PM4D_3X3_TQ) * PM4D_3X3_FK + e / PM4D_3X3_TQ] = freg[i];
      }
      PM4D_BARRIER();
      if (c0 + PM4D_3X3_TC < c)
         pm4d_3x3_load(input, filter, ireg, freg, c0 + PM4D_3X3_TC, c, k, k0, hw, w, base, taps,
                       lc, t);
#pragma unroll 6
      for (uint q = 0; q < PM4D_3X3_TQ; q++) {
         const float4 f = fs.v[(q * PM4D_3X3_FK + tk) / 4];
         const float4 lo = is.v[(q * PM4D_3X3_TP + tp) / 4];
         const float4 hi = is.v[(q * PM4D_3X3_TP + PM4D_3X3_TP / 2 + tp) / 4];
         const float fv[4] = {f.x, f.y, f.z, f.w};
         const float pv[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
#pragma unroll
         for (uint i = 0; i < 4; i++)
#pragma unroll
            for (uint j = 0; j < 8; j++)
               acc[i][j] += fv[i] * pv[j];
      }
      PM4D_BARRIER();
   }
   /* Pixels of one work-item may straddle two images: place each on its own. */
#pragma unroll
   for (uint j = 0; j < 8; j++) {
      const uint pix = p0 + tp + (j / 4) * (PM4D_3X3_TP / 2) + j % 4;
      if (pix >= np)
         continue;
      global float *out = output + (pix / ohw) * k * ohw + pix % ohw;
#pragma unroll
      for (uint i = 0; i < 4; i++) {
         const uint kk = k0 + tk + i;
         if (kk < k)
            out[kk * ohw] = pm4d_epilogue(acc[i][j], bias, kk, flags);
      }
   }
}
