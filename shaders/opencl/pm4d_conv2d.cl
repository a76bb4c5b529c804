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

#define PM4D_3X3_IW (PM4D_3X3_TW + 2) /* input tile width and height, with the halo */
#define PM4D_3X3_IH (PM4D_3X3_TH + 2)
#define PM4D_3X3_IWP (PM4D_3X3_TW + 4) /* input tile row, padded to keep rows 16-byte aligned */
#define PM4D_3X3_FK (PM4D_3X3_TK + 4)  /* filter tile row, padded: fewer store conflicts */

/* r = s = 3, stride 1, dilation 1, groups 1, any padding. Grid:
 * x = ceil(ow / 3X3_TW) * ceil(oh / 3X3_TH) (row-major tiles), y = ceil(k / 3X3_TK), z = n.
 * Work-item t owns output channels k0 + (t/32)*4 + i (i < 4) and pixels x0 + (t%4)*4 + j
 * (j < 4) of row y0 + (t%32)/4. Per input channel and filter row it reads 6 input words (two
 * LDS reads) and 3 x 4 filter words (three 16-byte reads, broadcast within the wave) for 48
 * FMAs. */
kernel __attribute__((reqd_work_group_size(PM4D_3X3_WG, 1, 1))) void
pm4d_conv2d_3x3(PM4D_CONV2D_ARGS)
{
   local union {
      float f[PM4D_3X3_TC * PM4D_3X3_IH * PM4D_3X3_IWP];
      float4 v[PM4D_3X3_TC * PM4D_3X3_IH * PM4D_3X3_IWP / 4];
   } is; /* [cc][iy][ix] */
   local union {
      float f[PM4D_3X3_TC * 9 * PM4D_3X3_FK];
      float4 v[PM4D_3X3_TC * 9 * PM4D_3X3_FK / 4];
   } fs; /* [cc][ry][sx][kk] */
   const uint t = PM4D_LID();
   const uint tiles_x = (ow + PM4D_3X3_TW - 1) / PM4D_3X3_TW;
   const uint x0 = (PM4D_WG_X() % tiles_x) * PM4D_3X3_TW;
   const uint y0 = (PM4D_WG_X() / tiles_x) * PM4D_3X3_TH;
   const uint k0 = PM4D_WG_Y() * PM4D_3X3_TK;
   const uint b = PM4D_WG_Z() < n ? PM4D_WG_Z() : n - 1; /* every work-item reaches barriers */
   const uint kq = (t / 32) * 4, ty = (t % 32) / 4, tx = (t % 4) * 4;
   global const float *in_b = input + b * c * h * w;

   float acc[4][4] = {{0.0f}};

   for (uint c0 = 0; c0 < c; c0 += PM4D_3X3_TC) {
      for (uint e = t; e < PM4D_3X3_TC * PM4D_3X3_IH * PM4D_3X3_IW; e += PM4D_3X3_WG) {
         const uint row = e / PM4D_3X3_IW, ix = e % PM4D_3X3_IW; /* row = cc * IH + iy */
         const uint cc = row / PM4D_3X3_IH, iy = row % PM4D_3X3_IH;
         const int gy = (int)(y0 + iy) - (int)pad_h, gx = (int)(x0 + ix) - (int)pad_w;
         const bool ok = c0 + cc < c && gy >= 0 && gy < (int)h && gx >= 0 && gx < (int)w;
         is.f[row * PM4D_3X3_IWP + ix] = ok ? in_b[((c0 + cc) * h + (uint)gy) * w + (uint)gx] : 0.0f;
      }
      for (uint e = t; e < PM4D_3X3_TC * 9 * PM4D_3X3_TK; e += PM4D_3X3_WG) {
         const uint kk = e / (PM4D_3X3_TC * 9), rest = e % (PM4D_3X3_TC * 9); /* cc*9 + rs */
         const bool ok = k0 + kk < k && c0 + rest / 9 < c;
         fs.f[rest * PM4D_3X3_FK + kk] = ok ? filter[((k0 + kk) * c + c0) * 9 + rest] : 0.0f;
      }
      PM4D_BARRIER();
      for (uint cc = 0; cc < PM4D_3X3_TC; cc++) {
#pragma unroll
         for (uint ry = 0; ry < 3; ry++) {
            const uint at = ((cc * PM4D_3X3_IH + ty + ry) * PM4D_3X3_IWP + tx) / 4;
            const float4 lo = is.v[at], hi = is.v[at + 1];
            const float iv[6] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y};
#pragma unroll
            for (uint sx = 0; sx < 3; sx++) {
               const float4 f = fs.v[((cc * 9 + ry * 3 + sx) * PM4D_3X3_FK + kq) / 4];
               const float fv[4] = {f.x, f.y, f.z, f.w};
#pragma unroll
               for (uint i = 0; i < 4; i++)
#pragma unroll
                  for (uint j = 0; j < 4; j++)
                     acc[i][j] += iv[j + sx] * fv[i];
            }
         }
      }
      PM4D_BARRIER();
   }
   if (PM4D_WG_Z() < n && y0 + ty < oh)
      pm4d_store_4x4(output, acc, bias, flags, b, k, k0 + kq, oh * ow, (y0 + ty) * ow, x0 + tx,
                     ow);
}
