/* COMPUTE_* register offsets per GFX level, each from the kernel header named. */
#include "vgpu_cp_regs.h"

#include <string.h>

/* GC block segment 0 base: 0x1260 (drivers/gpu/drm/amd/include/sienna_cichlid_ip_offset.h
 * GC_BASE inst 0 seg 0; GFX11 parts report the same through IP discovery). An mmREG with
 * BASE_IDX 0 is the absolute dword 0x1260 + REG; the SH space starts at 0x2c00 (nvd.h). */
#define SH(reg) ((reg) + 0x1260u - VGPU_SH_REG_START)

/* drivers/gpu/drm/amd/include/asic_reg/gc/gc_10_3_0_offset.h (all BASE_IDX 0). */
static const struct vgpu_cp_regs gfx10_3 = {
   .level = "GFX10.3",
   .pgm_lo = SH(0x1bac),       /* mmCOMPUTE_PGM_LO */
   .pgm_hi = SH(0x1bad),       /* mmCOMPUTE_PGM_HI */
   .rsrc1 = SH(0x1bb2),        /* mmCOMPUTE_PGM_RSRC1 */
   .rsrc2 = SH(0x1bb3),        /* mmCOMPUTE_PGM_RSRC2 */
   .rsrc3 = SH(0x1bc8),        /* mmCOMPUTE_PGM_RSRC3 */
   .start_x = SH(0x1ba4),      /* mmCOMPUTE_START_X (Y, Z follow) */
   .num_thread_x = SH(0x1ba7), /* mmCOMPUTE_NUM_THREAD_X (Y, Z follow) */
   .user_data_0 = SH(0x1be0),  /* mmCOMPUTE_USER_DATA_0 .. _15 at 0x1bef */
   .num_poisoned = 9,
   .poisoned =
      {
         {SH(0x1bb6), "COMPUTE_STATIC_THREAD_MGMT_SE0"},
         {SH(0x1bb7), "COMPUTE_STATIC_THREAD_MGMT_SE1"},
         {SH(0x1bb9), "COMPUTE_STATIC_THREAD_MGMT_SE2"},
         {SH(0x1bba), "COMPUTE_STATIC_THREAD_MGMT_SE3"},
         {SH(0x1bc4), "COMPUTE_USER_ACCUM_0"},
         {SH(0x1bc5), "COMPUTE_USER_ACCUM_1"},
         {SH(0x1bc6), "COMPUTE_USER_ACCUM_2"},
         {SH(0x1bc7), "COMPUTE_USER_ACCUM_3"},
         {SH(0x1c1d), "COMPUTE_DISPATCH_TUNNEL"},
         /* GC 10.3 has no SE4..7 and no DISPATCH_INTERLEAVE (0x1bcb is COMPUTE_RELAUNCH). */
      },
};

/* drivers/gpu/drm/amd/include/asic_reg/gc/gc_11_0_0_offset.h (reg* names, BASE_IDX 0). */
static const struct vgpu_cp_regs gfx11 = {
   .level = "GFX11",
   .pgm_lo = SH(0x1bac),       /* regCOMPUTE_PGM_LO */
   .pgm_hi = SH(0x1bad),       /* regCOMPUTE_PGM_HI */
   .rsrc1 = SH(0x1bb2),        /* regCOMPUTE_PGM_RSRC1 */
   .rsrc2 = SH(0x1bb3),        /* regCOMPUTE_PGM_RSRC2 */
   .rsrc3 = SH(0x1bc8),        /* regCOMPUTE_PGM_RSRC3 */
   .start_x = SH(0x1ba4),      /* regCOMPUTE_START_X */
   .num_thread_x = SH(0x1ba7), /* regCOMPUTE_NUM_THREAD_X */
   .user_data_0 = SH(0x1be0),  /* regCOMPUTE_USER_DATA_0 */
   .num_poisoned = 14,
   .poisoned =
      {
         {SH(0x1bb6), "COMPUTE_STATIC_THREAD_MGMT_SE0"},
         {SH(0x1bb7), "COMPUTE_STATIC_THREAD_MGMT_SE1"},
         {SH(0x1bb9), "COMPUTE_STATIC_THREAD_MGMT_SE2"},
         {SH(0x1bba), "COMPUTE_STATIC_THREAD_MGMT_SE3"},
         {SH(0x1bcb), "COMPUTE_STATIC_THREAD_MGMT_SE4"},
         {SH(0x1bcc), "COMPUTE_STATIC_THREAD_MGMT_SE5"},
         {SH(0x1bcd), "COMPUTE_STATIC_THREAD_MGMT_SE6"},
         {SH(0x1bce), "COMPUTE_STATIC_THREAD_MGMT_SE7"},
         {SH(0x1bc4), "COMPUTE_USER_ACCUM_0"},
         {SH(0x1bc5), "COMPUTE_USER_ACCUM_1"},
         {SH(0x1bc6), "COMPUTE_USER_ACCUM_2"},
         {SH(0x1bc7), "COMPUTE_USER_ACCUM_3"},
         {SH(0x1c1d), "COMPUTE_DISPATCH_TUNNEL"},
         {SH(0x1bcf), "COMPUTE_DISPATCH_INTERLEAVE"},
      },
};

/* drivers/gpu/drm/amd/include/asic_reg/gc/gc_9_4_2_offset.h (gfx90a; reg* names, BASE_IDX 0).
 * GC segment 0 base 0x2000 (aldebaran_ip_offset.h GC_BASE inst 0 seg 0). GC 9.4.2 has no
 * USER_ACCUM, DISPATCH_TUNNEL or DISPATCH_INTERLEAVE; Mesa's GFX9 preamble sets SE0..7 only. */
#define SH9(reg) ((reg) + 0x2000u - VGPU_SH_REG_START)
static const struct vgpu_cp_regs gfx9_4_2 = {
   .level = "GFX9.4.2",
   .pgm_lo = SH9(0x0e0c),       /* regCOMPUTE_PGM_LO */
   .pgm_hi = SH9(0x0e0d),       /* regCOMPUTE_PGM_HI */
   .rsrc1 = SH9(0x0e12),        /* regCOMPUTE_PGM_RSRC1 */
   .rsrc2 = SH9(0x0e13),        /* regCOMPUTE_PGM_RSRC2 */
   .rsrc3 = SH9(0x0e2d),        /* regCOMPUTE_PGM_RSRC3 (0x0e28 is STATIC_THREAD_MGMT_SE7) */
   .start_x = SH9(0x0e04),      /* regCOMPUTE_START_X */
   .num_thread_x = SH9(0x0e07), /* regCOMPUTE_NUM_THREAD_X */
   .user_data_0 = SH9(0x0e40),  /* regCOMPUTE_USER_DATA_0 */
   .num_poisoned = 8,
   .poisoned =
      {
         {SH9(0x0e16), "COMPUTE_STATIC_THREAD_MGMT_SE0"},
         {SH9(0x0e17), "COMPUTE_STATIC_THREAD_MGMT_SE1"},
         {SH9(0x0e19), "COMPUTE_STATIC_THREAD_MGMT_SE2"},
         {SH9(0x0e1a), "COMPUTE_STATIC_THREAD_MGMT_SE3"},
         {SH9(0x0e25), "COMPUTE_STATIC_THREAD_MGMT_SE4"},
         {SH9(0x0e26), "COMPUTE_STATIC_THREAD_MGMT_SE5"},
         {SH9(0x0e27), "COMPUTE_STATIC_THREAD_MGMT_SE6"},
         {SH9(0x0e28), "COMPUTE_STATIC_THREAD_MGMT_SE7"},
      },
};

const struct vgpu_cp_regs *vgpu_cp_regs_for(const char *target)
{
   if (!target)
      return NULL;
   if (!strcmp(target, "gfx1030") || !strcmp(target, "gfx1036"))
      return &gfx10_3;
   if (!strcmp(target, "gfx1100"))
      return &gfx11;
   if (!strcmp(target, "gfx90a"))
      return &gfx9_4_2;
   return NULL;
}
