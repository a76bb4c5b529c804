#include "pm4d_device_info.h"

#include <string.h>

/* Sources:
 * - elf_mach: LLVM include/llvm/BinaryFormat/ELF.h (EF_AMDGPU_MACH_AMDGCN_*), checked against
 *   clang-15's output (llvm-readelf -h, low byte of Flags) for every row.
 * - family_id: the kernel's include/uapi/drm/amdgpu_drm.h (AMDGPU_FAMILY_*; the GC_* ones are
 *   newer than libdrm 2.4.114's copy, hence the numbers here).
 * - revision ranges [first, end): Mesa src/amd/addrlib/src/amdgpu_asic_addr.h
 *   (AMDGPU_*_RANGE) and, for Aldebaran, src/amd/common/ac_gpu_info.c; Aldebaran ends at 0x46
 *   where the kernel starts GC 9.4.3 (external_rev_id = rev_id + 0x46 in soc15.c).
 * - names and levels: Mesa ac_get_llvm_processor_name, LLVM AMDGPUUsage's processor table.
 * - wave32 / rsrc3: AMDGPUUsage (wavefrontsize64 off by default on GFX10+; COMPUTE_PGM_RSRC3 on
 *   GFX10+ and gfx90a, gc_9_4_2_offset.h mmCOMPUTE_PGM_RSRC3).
 * - se4_7: COMPUTE_STATIC_THREAD_MGMT_SE4..7 are in gc_9_4_2_offset.h (gfx90a, 0x0e25..0x0e28)
 *   and written by Mesa ac_cmdbuf.c for gfx90a (cdna_init_compute_preamble_state) and GFX11
 *   (gfx10_init_compute_preamble_state, R_00B8AC..); gfx900 and GFX10.3 write SE0..3 only.
 * layer/codeobj/CMakeLists.txt reads the names from the rows below: keep one row per line,
 * beginning with {"gfx. */
static const struct pm4d_device_info devices[] = {
   {"gfx900", PM4D_GFX9, 0x02c, 141, 0x01, 0x14, false, false, false},   /* FAMILY_AI: Vega10 */
   {"gfx90a", PM4D_GFX9, 0x03f, 141, 0x3C, 0x46, false, true, true},     /* FAMILY_AI: Aldebaran */
   {"gfx1030", PM4D_GFX10_3, 0x036, 143, 0x28, 0x32, true, true, false}, /* FAMILY_NV: Navi21 */
   {"gfx1031", PM4D_GFX10_3, 0x037, 143, 0x32, 0x3C, true, true, false}, /* FAMILY_NV: Navi22 */
   {"gfx1032", PM4D_GFX10_3, 0x038, 143, 0x3C, 0x46, true, true, false}, /* FAMILY_NV: Navi23 */
   {"gfx1033", PM4D_GFX10_3, 0x039, 144, 0x01, 0xFF, true, true, false}, /* FAMILY_VGH: Van Gogh */
   {"gfx1034", PM4D_GFX10_3, 0x03e, 143, 0x46, 0x50, true, true, false}, /* FAMILY_NV: Navi24 */
   {"gfx1035", PM4D_GFX10_3, 0x03d, 146, 0x01, 0xFF, true, true, false}, /* FAMILY_YC: Rembrandt */
   {"gfx1036", PM4D_GFX10_3, 0x045, 149, 0x01, 0xFF, true, true, false}, /* GC_10_3_6: Raphael */
   {"gfx1100", PM4D_GFX11, 0x041, 145, 0x01, 0x10, true, true, true},    /* GC_11_0_0: Navi31 */
   {"gfx1101", PM4D_GFX11, 0x046, 145, 0x20, 0xFF, true, true, true},    /* GC_11_0_0: Navi32 */
   {"gfx1102", PM4D_GFX11, 0x047, 145, 0x10, 0x20, true, true, true},    /* GC_11_0_0: Navi33 */
   {"gfx1103", PM4D_GFX11, 0x044, 148, 0x01, 0xFF, true, true, true},    /* GC_11_0_1: Phoenix */
};

const struct pm4d_device_info *pm4d_device_info_all(size_t *count)
{
   *count = sizeof(devices) / sizeof(devices[0]);
   return devices;
}

const struct pm4d_device_info *pm4d_device_info_find(const char *name)
{
   for (size_t i = 0; name && i < sizeof(devices) / sizeof(devices[0]); i++)
      if (!strcmp(devices[i].name, name))
         return &devices[i];
   return NULL;
}

const struct pm4d_device_info *pm4d_device_info_for(const char *name)
{
   enum pm4d_gfx_level level;
   const struct pm4d_device_info *d = pm4d_device_info_find(name);
   if (!d && pm4d_gfx_parse(name, &level))
      d = pm4d_device_info_of_level(level);
   return d;
}

const struct pm4d_device_info *pm4d_device_info_of_level(enum pm4d_gfx_level level)
{
   for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
      if (devices[i].level == level)
         return &devices[i];
   return NULL;
}

const struct pm4d_device_info *pm4d_device_info_identify(uint32_t family_id,
                                                         uint32_t chip_external_rev)
{
   for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
      const struct pm4d_device_info *d = &devices[i];
      if (d->family_id == family_id && chip_external_rev >= d->rev_first &&
          chip_external_rev < d->rev_end)
         return d;
   }
   return NULL;
}
