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

#endif
