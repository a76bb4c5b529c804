#include "pm4d_regs.h"

#include <stddef.h>
#include <string.h>
#include <pthread.h>

/* The kernel headers give offsets relative to the GC block's segment base (base index 0):
 * GFX9 seg0 = 0x2000, GFX10.3 and GFX11 seg0 = 0x1260 (gc_*_offset.h together with
 * soc15/nv/soc21 ip_offset headers). SH offset = kernel offset + seg0 - 0x2C00. The values
 * below are already converted; the comments give the kernel's own numbers. */

/* USER_DATA_0..15 are consecutive (mmCOMPUTE_USER_DATA_0 .. _15). */
#define USER_DATA_0_TO_15(first)                                                           \
   [PM4D_REG_USER_DATA_0] = (first), [PM4D_REG_USER_DATA_0 + 1] = (first) + 1,             \
   [PM4D_REG_USER_DATA_0 + 2] = (first) + 2, [PM4D_REG_USER_DATA_0 + 3] = (first) + 3,     \
   [PM4D_REG_USER_DATA_0 + 4] = (first) + 4, [PM4D_REG_USER_DATA_0 + 5] = (first) + 5,     \
   [PM4D_REG_USER_DATA_0 + 6] = (first) + 6, [PM4D_REG_USER_DATA_0 + 7] = (first) + 7,     \
   [PM4D_REG_USER_DATA_0 + 8] = (first) + 8, [PM4D_REG_USER_DATA_0 + 9] = (first) + 9,     \
   [PM4D_REG_USER_DATA_0 + 10] = (first) + 10, [PM4D_REG_USER_DATA_0 + 11] = (first) + 11, \
   [PM4D_REG_USER_DATA_0 + 12] = (first) + 12, [PM4D_REG_USER_DATA_0 + 13] = (first) + 13, \
   [PM4D_REG_USER_DATA_0 + 14] = (first) + 14, [PM4D_REG_USER_DATA_0 + 15] = (first) + 15

/* Preamble registers of GFX10.3 and GFX11 (Mesa ac_cmdbuf.c gfx10_init_compute_preamble_state;
 * byte address R_00Bxxx -> SH (0xBxxx - 0xB000) / 4): STATIC_THREAD_MGMT_SE0/1 R_00B858/85C,
 * SE2/3 R_00B864/868, USER_ACCUM_0..3 R_00B890..89C, DISPATCH_TUNNEL R_00B9F4. */
#define GFX10_PREAMBLE_REGS                                                                  \
   [PM4D_REG_STATIC_THREAD_MGMT_SE0] = 0x216, [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 1] = 0x217, \
   [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 2] = 0x219,                                            \
   [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 3] = 0x21A, [PM4D_REG_USER_ACCUM_0] = 0x224,           \
   [PM4D_REG_USER_ACCUM_0 + 1] = 0x225, [PM4D_REG_USER_ACCUM_0 + 2] = 0x226,                 \
   [PM4D_REG_USER_ACCUM_0 + 3] = 0x227, [PM4D_REG_DISPATCH_TUNNEL] = 0x27D

/* Linux drivers/gpu/drm/amd/include/asic_reg/gc/gc_9_0_offset.h (gfx900; gc_9_4_2_offset.h for
 * gfx90a has the same COMPUTE_* offsets and adds COMPUTE_PGM_RSRC3). */
static const struct pm4d_reg_table gfx9_table = {
   .level = PM4D_GFX9,
   .source = "linux asic_reg/gc/gc_9_0_offset.h (mm* base idx 0, seg0 0x2000)",
   .offset =
      {
         [PM4D_REG_DISPATCH_INITIATOR] = 0x200, /* mmCOMPUTE_DISPATCH_INITIATOR 0x0e00 */
         [PM4D_REG_DIM_X] = 0x201,              /* 0x0e01 */
         [PM4D_REG_DIM_Y] = 0x202,
         [PM4D_REG_DIM_Z] = 0x203,
         [PM4D_REG_START_X] = 0x204, /* 0x0e04 */
         [PM4D_REG_START_Y] = 0x205,
         [PM4D_REG_START_Z] = 0x206,
         [PM4D_REG_NUM_THREAD_X] = 0x207, /* 0x0e07 */
         [PM4D_REG_NUM_THREAD_Y] = 0x208,
         [PM4D_REG_NUM_THREAD_Z] = 0x209,
         [PM4D_REG_PGM_LO] = 0x20C, /* 0x0e0c */
         [PM4D_REG_PGM_HI] = 0x20D,
         [PM4D_REG_PGM_RSRC1] = 0x212, /* 0x0e12 */
         [PM4D_REG_PGM_RSRC2] = 0x213,
         [PM4D_REG_RESOURCE_LIMITS] = 0x215, /* 0x0e15 */
         [PM4D_REG_TMPRING_SIZE] = 0x218,    /* 0x0e18 */
         /* gfx90a only: gc_9_4_2_offset.h regCOMPUTE_PGM_RSRC3 0x0e2d (0x0e28 there is
          * regCOMPUTE_STATIC_THREAD_MGMT_SE7) */
         [PM4D_REG_PGM_RSRC3] = 0x22D,
         USER_DATA_0_TO_15(0x240), /* 0x0e40 */
         /* regCOMPUTE_STATIC_THREAD_MGMT_SE0/1 0x0e16/0x0e17, SE2/3 0x0e19/0x0e1a; SE4..7
          * 0x0e25..0x0e28 on gfx90a only (gc_9_4_2_offset.h; Mesa ac_cmdbuf.c
          * cdna_init_compute_preamble_state R_00B894..R_00B8A0) */
         [PM4D_REG_STATIC_THREAD_MGMT_SE0] = 0x216,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 1] = 0x217,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 2] = 0x219,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 3] = 0x21A,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 4] = 0x225,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 5] = 0x226,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 6] = 0x227,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 7] = 0x228,
         /* no USER_ACCUM, DISPATCH_TUNNEL or DISPATCH_INTERLEAVE on GC 9.x */
      },
};

/* Linux drivers/gpu/drm/amd/include/asic_reg/gc/gc_10_3_0_offset.h. */
static const struct pm4d_reg_table gfx10_3_table = {
   .level = PM4D_GFX10_3,
   .source = "linux asic_reg/gc/gc_10_3_0_offset.h (mm* base idx 0, seg0 0x1260)",
   .offset =
      {
         [PM4D_REG_DISPATCH_INITIATOR] = 0x200, /* mmCOMPUTE_DISPATCH_INITIATOR 0x1ba0 */
         [PM4D_REG_DIM_X] = 0x201,              /* 0x1ba1 */
         [PM4D_REG_DIM_Y] = 0x202,
         [PM4D_REG_DIM_Z] = 0x203,
         [PM4D_REG_START_X] = 0x204, /* 0x1ba4 */
         [PM4D_REG_START_Y] = 0x205,
         [PM4D_REG_START_Z] = 0x206,
         [PM4D_REG_NUM_THREAD_X] = 0x207, /* 0x1ba7 */
         [PM4D_REG_NUM_THREAD_Y] = 0x208,
         [PM4D_REG_NUM_THREAD_Z] = 0x209,
         [PM4D_REG_PGM_LO] = 0x20C,          /* 0x1bac */
         [PM4D_REG_PGM_HI] = 0x20D,          /* 0x1bad */
         [PM4D_REG_PGM_RSRC1] = 0x212,       /* 0x1bb2 */
         [PM4D_REG_PGM_RSRC2] = 0x213,       /* 0x1bb3 */
         [PM4D_REG_RESOURCE_LIMITS] = 0x215, /* 0x1bb5 */
         [PM4D_REG_TMPRING_SIZE] = 0x218,    /* 0x1bb8 */
         [PM4D_REG_PGM_RSRC3] = 0x228,       /* 0x1bc8 */
         USER_DATA_0_TO_15(0x240),           /* 0x1be0 */
         GFX10_PREAMBLE_REGS,
      },
};

/* Linux drivers/gpu/drm/amd/include/asic_reg/gc/gc_11_0_0_offset.h (reg* names). */
static const struct pm4d_reg_table gfx11_table = {
   .level = PM4D_GFX11,
   .source = "linux asic_reg/gc/gc_11_0_0_offset.h (reg* base idx 0, seg0 0x1260)",
   .offset =
      {
         [PM4D_REG_DISPATCH_INITIATOR] = 0x200, /* regCOMPUTE_DISPATCH_INITIATOR 0x1ba0 */
         [PM4D_REG_DIM_X] = 0x201,
         [PM4D_REG_DIM_Y] = 0x202,
         [PM4D_REG_DIM_Z] = 0x203,
         [PM4D_REG_START_X] = 0x204, /* 0x1ba4 */
         [PM4D_REG_START_Y] = 0x205,
         [PM4D_REG_START_Z] = 0x206,
         [PM4D_REG_NUM_THREAD_X] = 0x207, /* 0x1ba7 */
         [PM4D_REG_NUM_THREAD_Y] = 0x208,
         [PM4D_REG_NUM_THREAD_Z] = 0x209,
         [PM4D_REG_PGM_LO] = 0x20C, /* 0x1bac */
         [PM4D_REG_PGM_HI] = 0x20D,
         [PM4D_REG_PGM_RSRC1] = 0x212, /* 0x1bb2 */
         [PM4D_REG_PGM_RSRC2] = 0x213,
         [PM4D_REG_RESOURCE_LIMITS] = 0x215, /* 0x1bb5 */
         [PM4D_REG_TMPRING_SIZE] = 0x218,    /* 0x1bb8 */
         [PM4D_REG_PGM_RSRC3] = 0x228,       /* 0x1bc8 */
         USER_DATA_0_TO_15(0x240),           /* 0x1be0 */
         GFX10_PREAMBLE_REGS,
         /* GFX11 only: SE4..7 R_00B8AC..R_00B8B8, DISPATCH_INTERLEAVE R_00B8BC */
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 4] = 0x22B,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 5] = 0x22C,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 6] = 0x22D,
         [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 7] = 0x22E,
         [PM4D_REG_DISPATCH_INTERLEAVE] = 0x22F,
      },
};

static const struct pm4d_reg_table *const tables[PM4D_GFX_COUNT] = {
   [PM4D_GFX9] = &gfx9_table,
   [PM4D_GFX10_3] = &gfx10_3_table,
   [PM4D_GFX11] = &gfx11_table,
};

static const char *const reg_names[PM4D_REG_COUNT] = {
   [PM4D_REG_DISPATCH_INITIATOR] = "COMPUTE_DISPATCH_INITIATOR",
   [PM4D_REG_DIM_X] = "COMPUTE_DIM_X",
   [PM4D_REG_DIM_Y] = "COMPUTE_DIM_Y",
   [PM4D_REG_DIM_Z] = "COMPUTE_DIM_Z",
   [PM4D_REG_START_X] = "COMPUTE_START_X",
   [PM4D_REG_START_Y] = "COMPUTE_START_Y",
   [PM4D_REG_START_Z] = "COMPUTE_START_Z",
   [PM4D_REG_NUM_THREAD_X] = "COMPUTE_NUM_THREAD_X",
   [PM4D_REG_NUM_THREAD_Y] = "COMPUTE_NUM_THREAD_Y",
   [PM4D_REG_NUM_THREAD_Z] = "COMPUTE_NUM_THREAD_Z",
   [PM4D_REG_PGM_LO] = "COMPUTE_PGM_LO",
   [PM4D_REG_PGM_HI] = "COMPUTE_PGM_HI",
   [PM4D_REG_PGM_RSRC1] = "COMPUTE_PGM_RSRC1",
   [PM4D_REG_PGM_RSRC2] = "COMPUTE_PGM_RSRC2",
   [PM4D_REG_RESOURCE_LIMITS] = "COMPUTE_RESOURCE_LIMITS",
   [PM4D_REG_TMPRING_SIZE] = "COMPUTE_TMPRING_SIZE",
   [PM4D_REG_PGM_RSRC3] = "COMPUTE_PGM_RSRC3",
   [PM4D_REG_USER_DATA_0] = "COMPUTE_USER_DATA_0",
   [PM4D_REG_USER_DATA_0 + 1] = "COMPUTE_USER_DATA_1",
   [PM4D_REG_USER_DATA_0 + 2] = "COMPUTE_USER_DATA_2",
   [PM4D_REG_USER_DATA_0 + 3] = "COMPUTE_USER_DATA_3",
   [PM4D_REG_USER_DATA_0 + 4] = "COMPUTE_USER_DATA_4",
   [PM4D_REG_USER_DATA_0 + 5] = "COMPUTE_USER_DATA_5",
   [PM4D_REG_USER_DATA_0 + 6] = "COMPUTE_USER_DATA_6",
   [PM4D_REG_USER_DATA_0 + 7] = "COMPUTE_USER_DATA_7",
   [PM4D_REG_USER_DATA_0 + 8] = "COMPUTE_USER_DATA_8",
   [PM4D_REG_USER_DATA_0 + 9] = "COMPUTE_USER_DATA_9",
   [PM4D_REG_USER_DATA_0 + 10] = "COMPUTE_USER_DATA_10",
   [PM4D_REG_USER_DATA_0 + 11] = "COMPUTE_USER_DATA_11",
   [PM4D_REG_USER_DATA_0 + 12] = "COMPUTE_USER_DATA_12",
   [PM4D_REG_USER_DATA_0 + 13] = "COMPUTE_USER_DATA_13",
   [PM4D_REG_USER_DATA_0 + 14] = "COMPUTE_USER_DATA_14",
   [PM4D_REG_USER_DATA_0 + 15] = "COMPUTE_USER_DATA_15",
   [PM4D_REG_STATIC_THREAD_MGMT_SE0] = "COMPUTE_STATIC_THREAD_MGMT_SE0",
   [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 1] = "COMPUTE_STATIC_THREAD_MGMT_SE1",
   [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 2] = "COMPUTE_STATIC_THREAD_MGMT_SE2",
   [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 3] = "COMPUTE_STATIC_THREAD_MGMT_SE3",
   [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 4] = "COMPUTE_STATIC_THREAD_MGMT_SE4",
   [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 5] = "COMPUTE_STATIC_THREAD_MGMT_SE5",
   [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 6] = "COMPUTE_STATIC_THREAD_MGMT_SE6",
   [PM4D_REG_STATIC_THREAD_MGMT_SE0 + 7] = "COMPUTE_STATIC_THREAD_MGMT_SE7",
   [PM4D_REG_USER_ACCUM_0] = "COMPUTE_USER_ACCUM_0",
   [PM4D_REG_USER_ACCUM_0 + 1] = "COMPUTE_USER_ACCUM_1",
   [PM4D_REG_USER_ACCUM_0 + 2] = "COMPUTE_USER_ACCUM_2",
   [PM4D_REG_USER_ACCUM_0 + 3] = "COMPUTE_USER_ACCUM_3",
   [PM4D_REG_DISPATCH_TUNNEL] = "COMPUTE_DISPATCH_TUNNEL",
   [PM4D_REG_DISPATCH_INTERLEAVE] = "COMPUTE_DISPATCH_INTERLEAVE",
};

#define SE(n)                                               \
   {                                                        \
      PM4D_REG_STATIC_THREAD_MGMT_SE0 + (n), PM4D_CU_EN_ALL \
   }
#define ACCUM(n)                     \
   {                                 \
      PM4D_REG_USER_ACCUM_0 + (n), 0 \
   }
#define TMPRING_ZERO           \
   {                           \
      PM4D_REG_TMPRING_SIZE, 0 \
   } /* sits between SE1 and SE2: one run */
#define BIT(r) (1ull << (r))
#define SE_BITS(first, last)                                     \
   (((BIT(PM4D_REG_STATIC_THREAD_MGMT_SE0 + (last)) << 1) - 1) & \
    ~(BIT(PM4D_REG_STATIC_THREAD_MGMT_SE0 + (first)) - 1))
#define ACCUM_BITS (((BIT(PM4D_REG_USER_ACCUM_3) << 1) - 1) & ~(BIT(PM4D_REG_USER_ACCUM_0) - 1))
#define PREAMBLE(a, m)                     \
   {                                       \
      (a), sizeof(a) / sizeof((a)[0]), (m) \
   }

/* Mesa ac_cmdbuf.c: gfx6_init_compute_preamble_state (SE0..3 on GFX9),
 * cdna_init_compute_preamble_state (gfx90a: SE0..7), gfx10_init_compute_preamble_state
 * (GFX10+: USER_ACCUM_0..3 = 0, DISPATCH_TUNNEL = 0; GFX11: SE4..7, DISPATCH_INTERLEAVE). */
static const struct pm4d_preamble_reg gfx9_pre[] = {SE(0), SE(1), TMPRING_ZERO, SE(2), SE(3)};
static const struct pm4d_preamble_reg gfx90a_pre[] = {SE(0), SE(1), TMPRING_ZERO, SE(2), SE(3),
                                                      SE(4), SE(5), SE(6),        SE(7)};
static const struct pm4d_preamble_reg gfx10_3_pre[] = {
   SE(0),    SE(1),    TMPRING_ZERO, SE(2),    SE(3),
   ACCUM(0), ACCUM(1), ACCUM(2),     ACCUM(3), {PM4D_REG_DISPATCH_TUNNEL, 0}};
static const struct pm4d_preamble_reg gfx11_pre[] = {
   SE(0),
   SE(1),
   TMPRING_ZERO,
   SE(2),
   SE(3),
   ACCUM(0),
   ACCUM(1),
   ACCUM(2),
   ACCUM(3),
   SE(4),
   SE(5),
   SE(6),
   SE(7),
   {PM4D_REG_DISPATCH_INTERLEAVE, PM4D_DISPATCH_INTERLEAVE_RADV},
   {PM4D_REG_DISPATCH_TUNNEL, 0}};
static const struct pm4d_preamble preambles[] = {
   PREAMBLE(gfx9_pre, SE_BITS(0, 3) | BIT(PM4D_REG_TMPRING_SIZE)),
   PREAMBLE(gfx90a_pre, SE_BITS(0, 7) | BIT(PM4D_REG_TMPRING_SIZE)),
   PREAMBLE(gfx10_3_pre, SE_BITS(0, 3) | BIT(PM4D_REG_TMPRING_SIZE) | ACCUM_BITS |
                            BIT(PM4D_REG_DISPATCH_TUNNEL)),
   PREAMBLE(gfx11_pre, SE_BITS(0, 7) | BIT(PM4D_REG_TMPRING_SIZE) | ACCUM_BITS |
                          BIT(PM4D_REG_DISPATCH_TUNNEL) | BIT(PM4D_REG_DISPATCH_INTERLEAVE)),
};

const struct pm4d_preamble *pm4d_preamble_get(const struct pm4d_device_info *d)
{
   switch (d ? d->level : PM4D_GFX_COUNT) {
   case PM4D_GFX9: return &preambles[d->se4_7 ? 1 : 0];
   case PM4D_GFX10_3: return &preambles[2];
   case PM4D_GFX11: return &preambles[3];
   default: return NULL;
   }
}

/* Field layouts from the kernel's gc_*_sh_mask.h (COMPUTE_PGM_RSRC1__*, ...). Where a later
 * level adds fields they come last, so an earlier level uses a prefix of the same array. */
static const struct pm4d_field rsrc1[] = {
   {"VGPRS", 0, 6},        {"SGPRS", 6, 4},         {"PRIORITY", 10, 2},   {"FLOAT_MODE", 12, 8},
   {"PRIV", 20, 1},        {"DX10_CLAMP", 21, 1},   {"DEBUG_MODE", 22, 1}, {"IEEE_MODE", 23, 1},
   {"BULKY", 24, 1},       {"CDBG_USER", 25, 1},    {"FP16_OVFL", 26, 1},  {"WGP_MODE", 29, 1},
   {"MEM_ORDERED", 30, 1}, {"FWD_PROGRESS", 31, 1}, /* GFX10+ */
};
#define RSRC1_GFX9_FIELDS 11u
/* GC 11 (gc_11_0_0_sh_mask.h COMPUTE_PGM_RSRC1__*) has no DEBUG_MODE (bit 22) and no CDBG_USER
 * (bit 25). */
static const struct pm4d_field rsrc1_gfx11[] = {
   {"VGPRS", 0, 6},      {"SGPRS", 6, 4},       {"PRIORITY", 10, 2},    {"FLOAT_MODE", 12, 8},
   {"PRIV", 20, 1},      {"DX10_CLAMP", 21, 1}, {"IEEE_MODE", 23, 1},   {"BULKY", 24, 1},
   {"FP16_OVFL", 26, 1}, {"WGP_MODE", 29, 1},   {"MEM_ORDERED", 30, 1}, {"FWD_PROGRESS", 31, 1},
};
static const struct pm4d_field rsrc2[] = {
   {"SCRATCH_EN", 0, 1},   {"USER_SGPR", PM4D_RSRC2_USER_SGPR_SHIFT, PM4D_RSRC2_USER_SGPR_WIDTH},
   {"TRAP_PRESENT", 6, 1}, {"TGID_X_EN", 7, 1},
   {"TGID_Y_EN", 8, 1},    {"TGID_Z_EN", 9, 1},
   {"TG_SIZE_EN", 10, 1},  {"TIDIG_COMP_CNT", 11, 2},
   {"EXCP_EN_MSB", 13, 2}, {"LDS_SIZE", PM4D_RSRC2_LDS_SIZE_SHIFT, PM4D_RSRC2_LDS_SIZE_WIDTH},
   {"EXCP_EN", 24, 7},
};
static const struct pm4d_field rsrc3[] = {
   {"SHARED_VGPR_CNT", 0, 4}, /* GFX10+ */
   {"INST_PREF_SIZE", 4, 6},  {"TRAP_ON_START", 10, 1},
   {"TRAP_ON_END", 11, 1},    {"IMAGE_OP", 31, 1}, /* GFX11 */
};
#define RSRC3_GFX10_FIELDS 1u
static const struct pm4d_field rsrc3_gfx90a[] = {
   {"ACCUM_OFFSET", 0, 6},
   {"TG_SPLIT", 16, 1},
};
static const struct pm4d_field num_thread[] = {
   {"NUM_THREAD_FULL", PM4D_NUM_THREAD_FULL_SHIFT, PM4D_NUM_THREAD_FULL_WIDTH},
   {"NUM_THREAD_PARTIAL", 16, 16},
};
static const struct pm4d_field resource_limits[] = {
   {"WAVES_PER_SH", 0, 10},   {"TG_PER_CU", 12, 4},       {"LOCK_THRESHOLD", 16, 6},
   {"SIMD_DEST_CNTL", 22, 1}, {"FORCE_SIMD_DIST", 23, 1}, {"CU_GROUP_COUNT", 24, 3},
};
static const struct pm4d_field initiator[] = {
   {"COMPUTE_SHADER_EN", PM4D_DI_COMPUTE_SHADER_EN_SHIFT, 1},
   {"PARTIAL_TG_EN", 1, 1},
   {"FORCE_START_AT_000", PM4D_DI_FORCE_START_AT_000_SHIFT, 1},
   {"ORDERED_APPEND_ENBL", 3, 1},
   {"ORDERED_APPEND_MODE", 4, 1},
   {"USE_THREAD_DIMENSIONS", 5, 1},
   {"ORDER_MODE", 6, 1},
   {"SCALAR_L1_INV_VOL", 10, 1},
   {"VECTOR_L1_INV_VOL", 11, 1},
   {"RESTORE", 14, 1},
   {"TUNNEL_ENABLE", 13, 1},                  /* GFX10.3+ */
   {"CS_W32_EN", PM4D_DI_CS_W32_EN_SHIFT, 1}, /* GFX10+ */
   {"AMP_SHADER_EN", 16, 1},                  /* GFX11 (gc_11_0_0_sh_mask.h) */
   {"DISABLE_DISP_PREMPT_EN", 17, 1},         /* GFX11 */
};
#define INITIATOR_GFX9_FIELDS  10u
#define INITIATOR_GFX10_FIELDS 12u

#define FIELDS(a) (*count = sizeof(a) / sizeof((a)[0]), (a))
#define N(a)      (unsigned)(sizeof(a) / sizeof((a)[0]))

/* The field layouts that differ by level: its RSRC1 and RSRC3 layouts, and how many of
 * initiator's fields it has. */
struct level_fields {
   const struct pm4d_field *rsrc1, *rsrc3;
   unsigned rsrc1_count, rsrc3_count, initiator;
};
static const struct level_fields level_fields[PM4D_GFX_COUNT] = {
   [PM4D_GFX9] = {rsrc1, rsrc3_gfx90a, RSRC1_GFX9_FIELDS, N(rsrc3_gfx90a), INITIATOR_GFX9_FIELDS},
   [PM4D_GFX10_3] = {rsrc1, rsrc3, N(rsrc1), RSRC3_GFX10_FIELDS, INITIATOR_GFX10_FIELDS},
   [PM4D_GFX11] = {rsrc1_gfx11, rsrc3, N(rsrc1_gfx11), N(rsrc3), N(initiator)},
};

const struct pm4d_field *pm4d_reg_fields(enum pm4d_gfx_level level, enum pm4d_reg reg,
                                         unsigned *count)
{
   const struct level_fields *lf = &level_fields[(unsigned)level < PM4D_GFX_COUNT ? level : 0];
   switch (reg) {
   case PM4D_REG_PGM_RSRC1: *count = lf->rsrc1_count; return lf->rsrc1;
   case PM4D_REG_PGM_RSRC2: return FIELDS(rsrc2);
   case PM4D_REG_PGM_RSRC3: *count = lf->rsrc3_count; return lf->rsrc3;
   case PM4D_REG_NUM_THREAD_X:
   case PM4D_REG_NUM_THREAD_Y:
   case PM4D_REG_NUM_THREAD_Z: return FIELDS(num_thread);
   case PM4D_REG_RESOURCE_LIMITS: return FIELDS(resource_limits);
   case PM4D_REG_DISPATCH_INITIATOR: *count = lf->initiator; return initiator;
   default: break;
   }
   *count = 0;
   return NULL;
}

const struct pm4d_reg_table *pm4d_regs_table(enum pm4d_gfx_level level)
{
   return (unsigned)level < PM4D_GFX_COUNT ? tables[level] : NULL;
}

const char *pm4d_reg_name(enum pm4d_reg reg)
{
   return (unsigned)reg < PM4D_REG_COUNT ? reg_names[reg] : "?";
}

/* Offset -> register id, built once from the tables above (the validator and the sim look up
 * every register write). All COMPUTE_* registers lie in [REVERSE_FIRST, REVERSE_END). */
#define REVERSE_FIRST 0x200u
#define REVERSE_END   0x280u
static uint8_t reverse[PM4D_GFX_COUNT][REVERSE_END - REVERSE_FIRST];
static pthread_once_t reverse_once = PTHREAD_ONCE_INIT;

static void build_reverse(void)
{
   for (unsigned l = 0; l < PM4D_GFX_COUNT; l++) {
      memset(reverse[l], PM4D_REG_NONE, sizeof(reverse[l]));
      for (unsigned r = 0; r < PM4D_REG_COUNT; r++) {
         uint32_t off = tables[l]->offset[r];
         if (off >= REVERSE_FIRST && off < REVERSE_END)
            reverse[l][off - REVERSE_FIRST] = (uint8_t)r;
      }
   }
}

enum pm4d_reg pm4d_regs_lookup(const struct pm4d_reg_table *t, uint32_t offset)
{
   pthread_once(&reverse_once, build_reverse);
   if (offset < REVERSE_FIRST || offset >= REVERSE_END || (unsigned)t->level >= PM4D_GFX_COUNT)
      return PM4D_REG_NONE;
   return (enum pm4d_reg)reverse[t->level][offset - REVERSE_FIRST];
}
