/* What the builder needs to know about one kernel: the fields of its AMD kernel descriptor
 * (the 64-byte amd_kernel_code_t successor, "kernel descriptor" in LLVM's AMDGPUUsage) and of
 * its code-object metadata. Produced by the code-object loader (layer/codeobj), consumed by the
 * PM4 builder, validator and the sim. */
#ifndef PM4D_KERNEL_DESC_H
#define PM4D_KERNEL_DESC_H

#include <stdint.h>

#define PM4D_KERNEL_NAME_MAX 64
#define PM4D_TARGET_NAME_MAX 16
#define PM4D_KERNEL_ARGS_MAX 24

/* Kinds of explicit kernel arguments the project's kernels use (metadata .value_kind). */
enum pm4d_kernel_arg_kind {
   PM4D_KERNEL_ARG_BY_VALUE,      /* "by_value": bytes copied into the kernarg segment */
   PM4D_KERNEL_ARG_GLOBAL_BUFFER, /* "global_buffer": a 64-bit global address */
};

/* One argument of the kernarg segment (metadata .args entry). */
struct pm4d_kernel_arg {
   uint32_t offset, size;
   enum pm4d_kernel_arg_kind kind;
};

struct pm4d_kernel_desc {
   char name[PM4D_KERNEL_NAME_MAX];   /* kernel symbol, e.g. "conv2d_direct" */
   char target[PM4D_TARGET_NAME_MAX]; /* e.g. "gfx1030" */
   uint32_t rsrc1, rsrc2, rsrc3;      /* COMPUTE_PGM_RSRC1/2/3 as the descriptor holds them */
   /* Byte offset of the descriptor inside the loaded code object, and of the first instruction
    * relative to the descriptor (kernel_code_entry_byte_offset): program address =
    * load address + desc_offset + entry_offset, which must be 256-byte aligned. */
   uint64_t desc_offset;
   int64_t entry_offset;
   uint32_t kernarg_size, kernarg_align;
   uint32_t group_segment_size;     /* LDS bytes (group_segment_fixed_size) */
   uint32_t private_segment_size;   /* scratch bytes; the loader refuses non-zero */
   uint32_t wg_size[3];             /* reqd_work_group_size */
   uint32_t wave_size;              /* 32 or 64 */
   uint16_t kernel_code_properties; /* the loader accepts only the kernarg pointer (s[0:1]) */
   uint32_t num_args;
   struct pm4d_kernel_arg args[PM4D_KERNEL_ARGS_MAX];
};

#endif
