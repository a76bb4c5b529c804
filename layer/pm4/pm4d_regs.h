/* COMPUTE_* SH registers: one table per GFX level (offsets, names, fields). The tables in
 * pm4d_regs.c are the only place a register offset is written down; the builder, validator,
 * decoder and the sim all look registers up here. */
#ifndef PM4D_REGS_H
#define PM4D_REGS_H

#include <stdbool.h>
#include <stdint.h>

#include "pm4d_device_info.h"
#include "pm4d_gfx.h"

enum pm4d_reg {
   PM4D_REG_DISPATCH_INITIATOR,
   PM4D_REG_DIM_X,
   PM4D_REG_DIM_Y,
   PM4D_REG_DIM_Z,
   PM4D_REG_START_X,
   PM4D_REG_START_Y,
   PM4D_REG_START_Z,
   PM4D_REG_NUM_THREAD_X,
   PM4D_REG_NUM_THREAD_Y,
   PM4D_REG_NUM_THREAD_Z,
   PM4D_REG_PGM_LO,
   PM4D_REG_PGM_HI,
   PM4D_REG_PGM_RSRC1,
   PM4D_REG_PGM_RSRC2,
   PM4D_REG_RESOURCE_LIMITS,
   PM4D_REG_TMPRING_SIZE,
   PM4D_REG_PGM_RSRC3,   /* GFX10+, and gfx90a */
   PM4D_REG_USER_DATA_0, /* ..._15 follow: PM4D_REG_USER_DATA_0 + n */
   PM4D_REG_USER_DATA_LAST = PM4D_REG_USER_DATA_0 + 15,
   /* Written once per batch by the compute preamble (pm4d_builder.h), never per dispatch. */
   PM4D_REG_STATIC_THREAD_MGMT_SE0, /* ..._SE7 follow: + n (SE4..7: gfx90a, GFX11) */
   PM4D_REG_STATIC_THREAD_MGMT_SE7 = PM4D_REG_STATIC_THREAD_MGMT_SE0 + 7,
   PM4D_REG_USER_ACCUM_0, /* ..._3 follow; GFX10+ */
   PM4D_REG_USER_ACCUM_3 = PM4D_REG_USER_ACCUM_0 + 3,
   PM4D_REG_DISPATCH_TUNNEL,     /* GFX10+ */
   PM4D_REG_DISPATCH_INTERLEAVE, /* GFX11 */
   PM4D_REG_COUNT,
   PM4D_REG_NONE = PM4D_REG_COUNT
};

/* The validator's register masks are 64-bit. */
_Static_assert(PM4D_REG_COUNT <= 64, "register ids must fit a uint64_t mask");

/* Offsets are dword offsets from PM4D_SH_REG_BASE (0x2C00), as SET_SH_REG carries them. */
#define PM4D_REG_ABSENT 0xFFFFu

struct pm4d_field {
   const char *name;
   uint8_t shift, width;
};

struct pm4d_reg_table {
   enum pm4d_gfx_level level;
   const char *source; /* the header the offsets were read from */
   uint16_t offset[PM4D_REG_COUNT];
};

/* Fields that the builder sets (Mesa S_* style: register, then field). */
#define PM4D_RSRC2_SCRATCH_EN      1u /* bit 0 */
#define PM4D_RSRC2_USER_SGPR_SHIFT 1
#define PM4D_RSRC2_USER_SGPR_WIDTH 5
#define PM4D_RSRC2_USER_SGPR(v) \
   (((v) >> PM4D_RSRC2_USER_SGPR_SHIFT) & ((1u << PM4D_RSRC2_USER_SGPR_WIDTH) - 1u))
#define PM4D_RSRC2_LDS_SIZE_SHIFT 15
#define PM4D_RSRC2_LDS_SIZE_WIDTH 9
#define PM4D_RSRC2_LDS_SIZE_MASK \
   (((1u << PM4D_RSRC2_LDS_SIZE_WIDTH) - 1u) << PM4D_RSRC2_LDS_SIZE_SHIFT)
/* LDS_SIZE granule: 128 dwords (512 bytes) on GFX7 and later (Mesa ac_gpu_info
 * lds_encode_granularity). */
#define PM4D_LDS_GRANULE_BYTES 512u
#define PM4D_LDS_MAX_BYTES     65536u

/* DISPATCH_INITIATOR bits the builder and validator use (gc_*_sh_mask.h
 * COMPUTE_DISPATCH_INITIATOR__*__SHIFT). */
#define PM4D_DI_COMPUTE_SHADER_EN_SHIFT  0
#define PM4D_DI_FORCE_START_AT_000_SHIFT 2
/* Waves may launch out of order: RADV sets it on GFX7+ below GFX940 (radv_device.c
 * dispatch_initiator); our kernels use no ordered append. */
#define PM4D_DI_ORDER_MODE_SHIFT   6
#define PM4D_DI_ORDER_MODE         (1u << PM4D_DI_ORDER_MODE_SHIFT)
#define PM4D_DI_CS_W32_EN_SHIFT    15 /* GFX10+ */
#define PM4D_DI_COMPUTE_SHADER_EN  (1u << PM4D_DI_COMPUTE_SHADER_EN_SHIFT)
#define PM4D_DI_FORCE_START_AT_000 (1u << PM4D_DI_FORCE_START_AT_000_SHIFT)
#define PM4D_DI_CS_W32_EN          (1u << PM4D_DI_CS_W32_EN_SHIFT)

#define PM4D_NUM_THREAD_FULL_SHIFT 0
#define PM4D_NUM_THREAD_FULL_WIDTH 16

/* PGM_LO holds address bits 39:8, PGM_HI bits 47:40. */
#define PM4D_PGM_ALIGN   256u
#define PM4D_PGM_HI_MASK 0xFFu

/* Compute preamble: registers a dispatch depends on that other clients of the hardware ring
 * may leave behind (SH registers are not saved per context on a compute ring). Mesa writes
 * them in every compute preamble (src/amd/common/ac_cmdbuf.c, *_init_compute_preamble_state);
 * the batch head writes them with these values, the validator and the sim insist on them.
 * Listed in SH offset order (the builder writes consecutive ones in one SET_SH_REG). */
/* SH0_CU_EN [15:0], SH1_CU_EN [31:16] all set: every CU (gc_*_sh_mask.h
 * COMPUTE_STATIC_THREAD_MGMT_SE0__SH*_CU_EN; the kernel's compute MQDs use 0xffffffff). */
#define PM4D_CU_EN_ALL 0xFFFFFFFFu
/* INTERLEAVE [9:0]: threads sent to one SE before the next; RADV's value (radv_queue.c). */
#define PM4D_DISPATCH_INTERLEAVE_RADV 64u
struct pm4d_preamble_reg {
   enum pm4d_reg reg;
   uint32_t value;
};
struct pm4d_preamble {
   const struct pm4d_preamble_reg *regs;
   uint32_t count;
   uint64_t mask; /* pm4d_reg_bit() of each */
};
/* The preamble of a device-info row: its level's, with COMPUTE_STATIC_THREAD_MGMT_SE4..7 where
 * the row says the target has them (gfx90a on GFX9). NULL for NULL or an unknown level. */
const struct pm4d_preamble *pm4d_preamble_get(const struct pm4d_device_info *d);

const struct pm4d_reg_table *pm4d_regs_table(enum pm4d_gfx_level level);
const char *pm4d_reg_name(enum pm4d_reg reg);
static inline uint64_t pm4d_reg_bit(enum pm4d_reg reg)
{
   return 1ull << reg;
}
/* Register id at SH offset `offset` for this level, or PM4D_REG_NONE. */
enum pm4d_reg pm4d_regs_lookup(const struct pm4d_reg_table *t, uint32_t offset);
/* Fields of a register at this level; *count = 0 when it has none worth naming. */
const struct pm4d_field *pm4d_reg_fields(enum pm4d_gfx_level level, enum pm4d_reg reg,
                                         unsigned *count);
static inline uint32_t pm4d_field_get(uint32_t v, const struct pm4d_field *f)
{
   return f->width >= 32 ? v : (v >> f->shift) & ((1u << f->width) - 1u);
}

#endif
