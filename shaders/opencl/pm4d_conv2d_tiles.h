/* Tile sizes and flags of the conv2d kernels, shared by the OpenCL C source (both targets) and
 * the host code that computes grids and packs kernargs, so neither side repeats a number. Plain
 * #defines only: this file is also OpenCL C. */
#ifndef PM4D_CONV2D_TILES_H
#define PM4D_CONV2D_TILES_H

/* Bits of the kernels' `flags` argument. */
#define PM4D_CONV2D_FLAG_BIAS 1u
#define PM4D_CONV2D_FLAG_RELU 2u
/* The filter holds IEEE fp16 words (same KCRS order); the kernels widen each to fp32 and
 * accumulate in fp32. */
#define PM4D_CONV2D_FLAG_FILTER_F16 4u

/* pm4d_conv2d_direct: one work-item = one output pixel x DIRECT_KB output channels. */
#define PM4D_DIRECT_WG 64
#define PM4D_DIRECT_KB 4

/* pm4d_conv2d_1x1 and pm4d_conv2d_3x3: one implicit GEMM, output channels x output pixels,
 * where the pixels are flattened over the whole batch (n * oh * ow), so small images waste no
 * lanes. A workgroup computes GEMM_TK channels x GEMM_TP pixels; each work-item owns 4
 * channels x 8 pixels. The reduction (input channel x filter tap) advances 1X1_TC or 3X3_TC
 * input channels per step. */
#define PM4D_GEMM_WG 256
#define PM4D_GEMM_TK 64
#define PM4D_GEMM_TP 128
#define PM4D_1X1_TC  32
#define PM4D_3X3_TC  4

/* pm4d_conv2d_1x1_small and pm4d_conv2d_3x3_small: the same GEMM for grids smaller than the
 * machine (batch 1, small images): a SMALL_TK x SMALL_TP tile, so four to eight times the
 * workgroups, and the workgroup's GEMM_WG work-items split each step's reduction rows SMALL_S
 * ways (groups of SMALL_TK * SMALL_TP / 32), adding the partial sums in LDS at the end. */
#define PM4D_SMALL_TK     16
#define PM4D_SMALL_TP     64
#define PM4D_SMALL_S      8
#define PM4D_1X1_SMALL_TC 64
#define PM4D_3X3_SMALL_TC 8

/* pm4d_conv2d_3x3_wino: Winograd F(2x2, 3x3) for the 3x3 stride-1 shapes. The output is cut
 * into 2x2 tiles, flattened over the batch; a workgroup computes WINO_TK channels x WINO_TT
 * tiles as 16 GEMMs (one per transformed point), WINO_TC input channels per step. */
#define PM4D_WINO_TK 32
#define PM4D_WINO_TT 32
#define PM4D_WINO_TC 8

#endif
