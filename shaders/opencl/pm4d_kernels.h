/* Host side of the conv2d kernels' ABI (pm4d_conv2d.cl): the shape of one conv2d, which kernel
 * variant can run it, its grid in workgroups and its kernarg bytes in the AMD layout. The layer
 * (PM4 builder) and the sim share these, so a shape means the same dispatch everywhere. */
#ifndef PM4D_KERNELS_H
#define PM4D_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm4d_conv2d_tiles.h"
#include "pm4d_kernel_desc.h"

/* One conv2d: input n x c x h x w (NCHW), filter k x (c/groups) x r x s (KCRS), output
 * n x k x oh x ow. oh and ow are filled by pm4d_conv2d_params_check. */
struct pm4d_conv2d_params {
   uint32_t n, c, h, w, k, r, s;
   uint32_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups;
   bool has_bias, relu;
   bool filter_f16; /* filter words are IEEE fp16 (accumulation stays fp32) */
   uint32_t oh, ow;
};

enum pm4d_conv2d_variant {
   PM4D_CONV2D_DIRECT,    /* any shape */
   PM4D_CONV2D_1X1,       /* r = s = 1, pad 0, groups 1, any stride */
   PM4D_CONV2D_3X3,       /* r = s = 3, stride 1, dilation 1, groups 1, any padding */
   PM4D_CONV2D_1X1_SMALL, /* the 1x1 shapes, small tiles with a split reduction */
   PM4D_CONV2D_3X3_SMALL, /* the 3x3 shapes, likewise */
   /* The four GEMM kernels for an fp16 filter (filter_f16); the ones above take fp32 filters,
    * the direct kernel either. */
   PM4D_CONV2D_1X1_F16,
   PM4D_CONV2D_3X3_F16,
   PM4D_CONV2D_1X1_SMALL_F16,
   PM4D_CONV2D_3X3_SMALL_F16,
   PM4D_CONV2D_3X3_WINO, /* the 3x3 fp32 shapes, Winograd F(2x2, 3x3) */
   PM4D_CONV2D_VARIANT_COUNT
};

/* Buffer addresses as the kernel sees them (GPU virtual addresses, or sim host addresses).
 * bias is ignored unless has_bias. */
struct pm4d_conv2d_buffers {
   uint64_t input, filter, bias, output;
};

/* Explicit kernarg bytes of every variant (they share one argument list). */
#define PM4D_CONV2D_KERNARG_SIZE  100u
#define PM4D_CONV2D_KERNARG_ALIGN 8u

/* Checks the shape (non-zero sizes, groups dividing c and k, a non-empty output, every tensor
 * under 2^31 elements) and fills oh and ow. On failure writes a reason and returns false. */
bool pm4d_conv2d_params_check(struct pm4d_conv2d_params *p, char *reason, size_t reason_size);
/* Every field of a equals b's (field by field: the struct has padding). */
bool pm4d_conv2d_params_equal(const struct pm4d_conv2d_params *a,
                              const struct pm4d_conv2d_params *b);

/* Kernel symbol of a variant, e.g. "pm4d_conv2d_3x3"; NULL for an invalid variant. */
const char *pm4d_conv2d_variant_name(enum pm4d_conv2d_variant v);
/* The variant named `name`, or PM4D_CONV2D_VARIANT_COUNT. */
enum pm4d_conv2d_variant pm4d_conv2d_variant_from_name(const char *name);
/* Whether variant v computes shape p (p checked). */
bool pm4d_conv2d_variant_supports(enum pm4d_conv2d_variant v, const struct pm4d_conv2d_params *p);
/* The variant for p on a device with `compute_units` CUs (0: unknown): the 3x3 or 1x1 GEMM
 * when it supports p, its _small form when the large tiles would leave most CUs idle (fewer
 * workgroups than half the CUs), else the direct kernel; the _f16 twin for an fp16 filter;
 * in place of the large fp32 3x3 GEMM, Winograd (3X3_WINO) when c >= WINO_TC.
 * The same rule on every target. */
enum pm4d_conv2d_variant pm4d_conv2d_variant_choose(const struct pm4d_conv2d_params *p,
                                                    uint32_t compute_units);
/* Workgroup size (x; y = z = 1) of variant v. */
uint32_t pm4d_conv2d_workgroup_size(enum pm4d_conv2d_variant v);

/* Workgroup counts for variant v on shape p (the convention is in pm4d_conv2d.cl). False when
 * v does not support p or a count would not fit 32 bits. */
bool pm4d_conv2d_grid(enum pm4d_conv2d_variant v, const struct pm4d_conv2d_params *p,
                      uint32_t grid[3]);

/* Writes the kernarg bytes for p and bufs into dst (at least PM4D_CONV2D_KERNARG_SIZE bytes;
 * the rest of dst up to dst_size is zeroed). False when dst is too small. */
bool pm4d_conv2d_pack_kernargs(const struct pm4d_conv2d_params *p,
                               const struct pm4d_conv2d_buffers *bufs, void *dst, size_t dst_size);

/* Reads kernarg bytes back (what a command processor does): fills p (oh and ow as stored, not
 * checked) and bufs. False when src is short or flags has unknown bits. */
bool pm4d_conv2d_unpack_kernargs(const void *src, size_t src_size, struct pm4d_conv2d_params *p,
                                 struct pm4d_conv2d_buffers *bufs);

/* Bytes each buffer must hold for shape p: input, filter, bias (0 without bias), output. */
void pm4d_conv2d_buffer_bytes(const struct pm4d_conv2d_params *p, uint64_t bytes[4]);

/* The argument table of the conv2d kernels in the AMD kernarg layout (what the code-object
 * metadata lists as .args); also how the sim's PoCL runner reads kernarg bytes back. */
size_t pm4d_conv2d_args(const struct pm4d_kernel_arg **out);

#endif
