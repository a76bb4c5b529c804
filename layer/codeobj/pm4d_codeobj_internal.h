/* Shared between the loader's ELF part (pm4d_codeobj.c) and its metadata part
 * (pm4d_codeobj_meta.c); not part of the library's interface. */
#ifndef PM4D_CODEOBJ_INTERNAL_H
#define PM4D_CODEOBJ_INTERNAL_H

#include "pm4d_codeobj.h"
#include "pm4d_reason.h"

/* Parses the NT_AMDGPU_METADATA msgpack blob: fills info->target, info->num_kernels and, per
 * kernel, name, kernarg size and alignment, segment sizes, workgroup and wave size and the
 * argument table. Refuses hidden (implicit) arguments, dynamic stacks and missing fields. */
enum pm4d_codeobj_status pm4d_codeobj_meta_parse(const uint8_t *note, size_t size,
                                                 struct pm4d_codeobj_info *info, char *reason,
                                                 size_t reason_size);

#endif
