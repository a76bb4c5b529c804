/* The AMD targets pm4direct supports: one table, read by the GFX-level parser (pm4d_gfx.c), the
 * code-object loader (ELF machine check), the amdgpu back end (which target a GPU is) and the
 * build (layer/codeobj/CMakeLists.txt builds a code object for every name in it). Adding a
 * target is one row here; adding a GFX level also needs its register table and ops. */
#ifndef PM4D_DEVICE_INFO_H
#define PM4D_DEVICE_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm4d_gfx.h"

struct pm4d_device_info {
   const char *name;          /* LLVM's -mcpu spelling: "gfx1030" */
   enum pm4d_gfx_level level; /* register table and per-level ops */
   uint32_t elf_mach;         /* EF_AMDGPU_MACH_AMDGCN_*: the low byte of a code object's e_flags */
   uint32_t family_id;        /* AMDGPU_FAMILY_* from amdgpu_query_gpu_info */
   uint32_t rev_first, rev_end; /* its chip_external_rev range [first, end) in that family */
   bool wave32;                 /* runs wave32 dispatches; LLVM's default there (GFX10+) */
   bool rsrc3;                  /* dispatches write COMPUTE_PGM_RSRC3 (GFX10+ and gfx90a) */
   bool se4_7; /* has COMPUTE_STATIC_THREAD_MGMT_SE4..7: the compute preamble writes them */
};

/* Every supported target; *count rows. */
const struct pm4d_device_info *pm4d_device_info_all(size_t *count);
/* The row named name ("gfx1030"), or NULL. */
const struct pm4d_device_info *pm4d_device_info_find(const char *name);
/* The row of a target name, or for a level name ("gfx9") that level's first row; NULL when
 * unknown. */
const struct pm4d_device_info *pm4d_device_info_for(const char *name);
/* The first row of a level: what a kernel named by its level ("gfx9") is taken for. */
const struct pm4d_device_info *pm4d_device_info_of_level(enum pm4d_gfx_level level);
/* The row of a GPU with this family id and external revision, or NULL. */
const struct pm4d_device_info *pm4d_device_info_identify(uint32_t family_id,
                                                         uint32_t chip_external_rev);

#endif
