/* Which AMD target (gfxNNNN) a GPU is, from amdgpu_query_gpu_info's family id and external chip
 * revision, and the GFX level whose register table it uses (the table: pm4d_device_info.c).
 * Anything else is pass-through. */
#ifndef PM4D_AMDGPU_TARGET_H
#define PM4D_AMDGPU_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "pm4d_gfx.h"

struct pm4d_amdgpu_target {
   const char *name; /* "gfx1030", as LLVM's -mcpu spells it */
   enum pm4d_gfx_level gfx_level;
};

/* False when the family/revision is not one of the known targets. */
bool pm4d_amdgpu_target_identify(uint32_t family_id, uint32_t chip_external_rev,
                                 struct pm4d_amdgpu_target *out);

#endif
