/* Tile sizes and flags of the conv2d kernels, shared by the OpenCL C source (both targets) and
 * the host code that computes grids and packs kernargs, so neither side repeats a number. Plain
 * #defines only: this file is also OpenCL C. */
#ifndef PM4D_CONV2D_TILES_H
#define PM4D_CONV2D_TILES_H

/* Bits of the kernels' `flags` argument. */
#define PM4D_CONV2D_FLAG_BIAS 1u
#define PM4D_CONV2D_FLAG_RELU 2u

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
#define PM4D_1X1_WG  PM4D_GEMM_WG
#define PM4D_1X1_TC  32
#define PM4D_3X3_WG  PM4D_GEMM_WG
#define PM4D_3X3_TC  4

#endif
