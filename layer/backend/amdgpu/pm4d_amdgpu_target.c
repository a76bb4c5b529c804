#include "pm4d_amdgpu_target.h"

#include <stddef.h>

/* Family ids: the kernel's include/uapi/drm/amdgpu_drm.h (AMDGPU_FAMILY_*; the GC_* ones are
 * newer than libdrm 2.4.114's copy, hence the numbers here). External-revision ranges
 * [first, end): Mesa src/amd/addrlib/src/amdgpu_asic_addr.h (AMDGPU_*_RANGE) and, for
 * Aldebaran, src/amd/common/ac_gpu_info.c; Aldebaran ends at 0x46 where the kernel starts
 * GC 9.4.3 (external_rev_id = rev_id + 0x46 in soc15.c). Target names: Mesa
 * ac_get_llvm_processor_name / LLVM AMDGPUUsage. */
struct pm4d_amdgpu_target_range {
   uint32_t family_id;
   uint32_t rev_first, rev_end;
   const char *name;
   enum pm4d_gfx_level gfx_level;
};

static const struct pm4d_amdgpu_target_range pm4d_amdgpu_targets[] = {
   {141, 0x01, 0x14, "gfx900", PM4D_GFX9},     /* FAMILY_AI: Vega10 */
   {141, 0x3C, 0x46, "gfx90a", PM4D_GFX9},     /* FAMILY_AI: Aldebaran (MI200) */
   {143, 0x28, 0x32, "gfx1030", PM4D_GFX10_3}, /* FAMILY_NV: Navi21 (Sienna Cichlid) */
   {143, 0x32, 0x3C, "gfx1031", PM4D_GFX10_3}, /* FAMILY_NV: Navi22 (Navy Flounder) */
   {143, 0x3C, 0x46, "gfx1032", PM4D_GFX10_3}, /* FAMILY_NV: Navi23 (Dimgrey Cavefish) */
   {143, 0x46, 0x50, "gfx1034", PM4D_GFX10_3}, /* FAMILY_NV: Navi24 (Beige Goby) */
   {144, 0x01, 0xFF, "gfx1033", PM4D_GFX10_3}, /* FAMILY_VGH: Van Gogh */
   {146, 0x01, 0xFF, "gfx1035", PM4D_GFX10_3}, /* FAMILY_YC / RMB: Rembrandt */
   {149, 0x01, 0xFF, "gfx1036", PM4D_GFX10_3}, /* GC_10_3_6 / RPL: Raphael */
   {145, 0x01, 0x10, "gfx1100", PM4D_GFX11},   /* GC_11_0_0 / NV3: Navi31 */
   {145, 0x10, 0x20, "gfx1102", PM4D_GFX11},   /* GC_11_0_0 / NV3: Navi33 */
   {145, 0x20, 0xFF, "gfx1101", PM4D_GFX11},   /* GC_11_0_0 / NV3: Navi32 */
   {148, 0x01, 0xFF, "gfx1103", PM4D_GFX11},   /* GC_11_0_1 / PHX: Phoenix 1 and 2 */
};

bool pm4d_amdgpu_target_identify(uint32_t family_id, uint32_t chip_external_rev,
                                 struct pm4d_amdgpu_target *out)
{
   for (size_t i = 0; i < sizeof(pm4d_amdgpu_targets) / sizeof(pm4d_amdgpu_targets[0]); i++) {
      const struct pm4d_amdgpu_target_range *t = &pm4d_amdgpu_targets[i];
      if (t->family_id == family_id && chip_external_rev >= t->rev_first &&
          chip_external_rev < t->rev_end) {
         out->name = t->name;
         out->gfx_level = t->gfx_level;
         return true;
      }
   }
   return false;
}
