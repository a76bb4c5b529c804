/* AMD code objects: the ones embedded at build time, and the loader that reads kernel
 * descriptors and metadata out of them. */
#ifndef PM4D_CODEOBJ_H
#define PM4D_CODEOBJ_H

#include <stddef.h>
#include <stdint.h>

#include "pm4d_kernel_desc.h"

struct pm4d_code_object {
   const char *target; /* "gfx1030", ... */
   const uint8_t *elf;
   size_t size;
};

/* The code objects built from shaders/opencl at build time; 0 when the build found no clang
 * able to target amdgcn (the amdgpu back end then has no kernels and never redirects). */
size_t pm4d_embedded_code_objects(const struct pm4d_code_object **out);
/* The embedded code object built for target ("gfx1030", ...), or NULL. */
const struct pm4d_code_object *pm4d_embedded_code_object_for(const char *target);

enum pm4d_codeobj_status {
   PM4D_CODEOBJ_OK,
   PM4D_CODEOBJ_BAD_ELF,       /* truncated or malformed ELF */
   PM4D_CODEOBJ_WRONG_MACHINE, /* not an AMDGPU HSA code object (64-bit, little-endian) */
   PM4D_CODEOBJ_BAD_METADATA,  /* NT_AMDGPU_METADATA missing, malformed or contradicting */
   PM4D_CODEOBJ_NO_DESCRIPTOR, /* a kernel whose NAME.kd symbol is missing or out of range */
   PM4D_CODEOBJ_UNSUPPORTED,   /* asks for something the PM4 path does not provide: user
                                 * SGPRs beyond the kernarg pointer, scratch, a dispatch packet,
                                 * implicit arguments, relocations */
};

#define PM4D_CODEOBJ_KERNELS_MAX 16
/* Largest image the loader accepts; conv2d code objects are about 20 KiB. */
#define PM4D_CODEOBJ_IMAGE_MAX (64u << 20)

/* What the loader read from one code object. */
struct pm4d_codeobj_info {
   char target[PM4D_TARGET_NAME_MAX]; /* from amdhsa.target without features: "gfx90a" */
   uint32_t mach;                     /* e_flags & EF_AMDGPU_MACH */
   /* Bytes from address 0 to the end of the last PT_LOAD segment: the size of the image that
    * pm4d_codeobj_image_copy lays out, and that desc_offset/entry_offset refer to. */
   uint64_t image_size;
   uint32_t num_kernels;
   struct pm4d_kernel_desc kernels[PM4D_CODEOBJ_KERNELS_MAX];
};

/* Reads every kernel of the code object elf[0..size). On anything but PM4D_CODEOBJ_OK, info is
 * unspecified and reason says why (it names the kernel where there is one). */
enum pm4d_codeobj_status pm4d_codeobj_load(const void *elf, size_t size,
                                           struct pm4d_codeobj_info *info, char *reason,
                                           size_t reason_size);

/* The kernel called name, or NULL. */
const struct pm4d_kernel_desc *pm4d_codeobj_find(const struct pm4d_codeobj_info *info,
                                                 const char *name);
/* The kernel whose first instruction is at byte `entry` of the image (desc_offset +
 * entry_offset), or NULL: how a command processor maps COMPUTE_PGM back to a kernel. */
const struct pm4d_kernel_desc *pm4d_codeobj_find_entry(const struct pm4d_codeobj_info *info,
                                                       uint64_t entry);

/* Lays the PT_LOAD segments out at their virtual addresses in dst (dst_size >= image_size);
 * gaps and the part of each segment past its file bytes are zeroed. Upload dst at a 256-byte
 * aligned address A: kernel entry = A + desc_offset + entry_offset. */
enum pm4d_codeobj_status pm4d_codeobj_image_copy(const void *elf, size_t size, void *dst,
                                                 size_t dst_size, char *reason, size_t reason_size);

const char *pm4d_codeobj_status_name(enum pm4d_codeobj_status s);

#endif
