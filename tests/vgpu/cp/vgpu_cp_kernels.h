/* The project's own kernels as the virtual GPU's CP knows them: machine code, kernel descriptor
 * fields and kernarg layout, generated at build time from the built code objects by
 * vgpu_cp_gen_kernels.py (llvm-readelf, not layer/codeobj). */
#ifndef VGPU_CP_KERNELS_H
#define VGPU_CP_KERNELS_H

#include <stddef.h>
#include <stdint.h>

enum vgpu_cp_arg_kind {
   VGPU_CP_ARG_BY_VALUE,      /* metadata .value_kind by_value */
   VGPU_CP_ARG_GLOBAL_BUFFER, /* metadata .value_kind global_buffer: a 64-bit address */
};

struct vgpu_cp_arg {
   uint32_t offset, size;
   enum vgpu_cp_arg_kind kind;
   int writable; /* a buffer whose metadata .access is not read_only */
};

struct vgpu_cp_kernel {
   const char *target, *name;
   const uint8_t *code; /* the function's bytes (symbol value and size) */
   size_t code_size;
   uint32_t rsrc1, rsrc2, rsrc3;    /* as the descriptor holds them */
   uint16_t kernel_code_properties; /* descriptor bytes 56..57 */
   uint32_t group_segment_size, private_segment_size, kernarg_size;
   uint32_t wg_size[3]; /* metadata .reqd_workgroup_size */
   uint32_t wave_size;  /* metadata .wavefront_size */
   const struct vgpu_cp_arg *args;
   uint32_t num_args;
};

extern const struct vgpu_cp_kernel vgpu_cp_kernels[];
extern const unsigned vgpu_cp_kernel_count;

#endif
