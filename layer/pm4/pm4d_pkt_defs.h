/* PM4 type-3 packet formats: header, opcodes and the fields of every packet the direct path
 * emits or accepts. The single definition of these values in the tree.
 *
 * Sources:
 *  - Linux, drivers/gpu/drm/amd/amdgpu/soc15d.h (GFX9 PM4: PACKET3(), opcodes, EVENT_WRITE,
 *    RELEASE_MEM EOP_* / DATA_SEL / INT_SEL / DST_SEL, ACQUIRE_MEM CP_COHER_CNTL bits, WRITE_DATA,
 *    WAIT_REG_MEM, INDIRECT_BUFFER).
 *  - Linux, drivers/gpu/drm/amd/amdgpu/nvd.h (GFX10/GFX11 PM4: PACKET3_COMPUTE(), RELEASE_MEM
 *    GCR bits, ACQUIRE_MEM GCR_CNTL bits, INDIRECT_BUFFER_VALID).
 *  - Linux gfx_v9_0.c / gfx_v10_0.c / gfx_v11_0.c emit_mem_sync and ring_emit_fence for the
 *    dword counts (ACQUIRE_MEM: 7 dwords on GFX9, 8 from GFX10; RELEASE_MEM: 8 dwords) and
 *    vgt_event_type values (CS_PARTIAL_FLUSH = 7, CACHE_FLUSH_AND_INV_TS_EVENT = 0x14).
 * Per-generation differences are tagged GFX9 / GFX10+. */
#ifndef PM4D_PKT_DEFS_H
#define PM4D_PKT_DEFS_H

#include <stdint.h>

/* Header: bits 31:30 type, 29:16 body dwords - 1, 15:8 opcode, bit 1 shader type (1 =
 * compute, PACKET3_COMPUTE in nvd.h). */
#define PM4D_PKT_TYPE_SHIFT     30
#define PM4D_PKT_COUNT_SHIFT    16
#define PM4D_PKT_COUNT_MASK     0x3FFFu
#define PM4D_PKT_OPCODE_SHIFT   8
#define PM4D_PKT_OPCODE_MASK    0xFFu
#define PM4D_PKT_SHADER_COMPUTE (1u << 1)
#define PM4D_PKT_TYPE2          2u
#define PM4D_PKT_TYPE3          3u
#define PM4D_PKT3(op, body_dw)                                                   \
   ((PM4D_PKT_TYPE3 << PM4D_PKT_TYPE_SHIFT) |                                    \
    ((((uint32_t)(body_dw)-1u) & PM4D_PKT_COUNT_MASK) << PM4D_PKT_COUNT_SHIFT) | \
    (((uint32_t)(op)&PM4D_PKT_OPCODE_MASK) << PM4D_PKT_OPCODE_SHIFT) | PM4D_PKT_SHADER_COMPUTE)
/* A NOP whose count field is 0x3FFF is a single dword (the kernel's ring->funcs->nop). */
#define PM4D_NOP_SINGLE_COUNT 0x3FFFu
/* Longest body one packet can carry: count 0x3FFE (0x3FFF is the single-dword NOP). */
#define PM4D_PKT_MAX_BODY_DW 0x3FFFu

/* Opcodes (same values on GFX9, GFX10.3 and GFX11). */
#define PM4D_OP_NOP             0x10
#define PM4D_OP_DISPATCH_DIRECT 0x15
#define PM4D_OP_WRITE_DATA      0x37
#define PM4D_OP_WAIT_REG_MEM    0x3C
#define PM4D_OP_INDIRECT_BUFFER 0x3F
#define PM4D_OP_EVENT_WRITE     0x46
#define PM4D_OP_RELEASE_MEM     0x49
#define PM4D_OP_ACQUIRE_MEM     0x58
#define PM4D_OP_SET_SH_REG      0x76

/* SET_SH_REG: body[0] = register dword offset from PM4D_SH_REG_BASE (PACKET3_SET_SH_REG_START),
 * then one value per consecutive register. */
#define PM4D_SH_REG_BASE            0x2C00u
#define PM4D_SH_REG_END             0x3000u
#define PM4D_SET_SH_REG_OFFSET_MASK 0xFFFFu

/* DISPATCH_DIRECT: body = DIM_X, DIM_Y, DIM_Z (workgroups), DISPATCH_INITIATOR. */
#define PM4D_DISPATCH_DIRECT_BODY_DW 4u

/* EVENT_WRITE: body[0] = EVENT_TYPE [5:0] | EVENT_INDEX [11:8]. */
#define PM4D_EVENT_TYPE_SHIFT             0
#define PM4D_EVENT_TYPE_MASK              0x3Fu
#define PM4D_EVENT_INDEX_SHIFT            8
#define PM4D_EVENT_INDEX_MASK             0xFu
#define PM4D_EVENT_WRITE_BODY_DW          1u
#define PM4D_EVENT_CS_PARTIAL_FLUSH       0x07u
#define PM4D_EVENT_INDEX_PARTIAL_FLUSH    4u
#define PM4D_EVENT_CACHE_FLUSH_AND_INV_TS 0x14u
#define PM4D_EVENT_INDEX_EOP              5u

/* RELEASE_MEM: body = dw1 event + cache actions, dw2 selects, addr lo, addr hi, data lo,
 * data hi, int ctxid. */
#define PM4D_RELEASE_MEM_BODY_DW         7u
#define PM4D_RM_GFX9_TCL1_ACTION_EN      (1u << 16) /* GFX9 EOP_TCL1_ACTION_EN */
#define PM4D_RM_GFX9_TC_ACTION_EN        (1u << 17) /* GFX9 EOP_TC_ACTION_EN (L2 inv) */
#define PM4D_RM_GFX9_TC_WB_ACTION_EN     (1u << 15) /* GFX9 EOP_TC_WB_ACTION_EN (L2 wb) */
#define PM4D_RM_GFX9_TC_MD_ACTION_EN     (1u << 21) /* GFX9 EOP_TC_MD_ACTION_EN */
#define PM4D_RM_GFX10_GLM_WB             (1u << 12) /* GFX10+ GCR_GLM_WB */
#define PM4D_RM_GFX10_GLM_INV            (1u << 13) /* GFX10+ GCR_GLM_INV */
#define PM4D_RM_GFX10_GLV_INV            (1u << 14) /* GFX10+ GCR_GLV_INV */
#define PM4D_RM_GFX10_GL1_INV            (1u << 15) /* GFX10+ GCR_GL1_INV */
#define PM4D_RM_GFX10_GL2_INV            (1u << 20) /* GFX10+ GCR_GL2_INV */
#define PM4D_RM_GFX10_GL2_WB             (1u << 21) /* GFX10+ GCR_GL2_WB */
#define PM4D_RM_GFX10_GCR_SEQ            (1u << 22) /* GFX10+ GCR_SEQ */
#define PM4D_RM_GFX10_CACHE_POLICY_SHIFT 25         /* GFX10+ 3 = bypass */
#define PM4D_RM_DATA_SEL_SHIFT           29         /* 1 = 32-bit, 2 = 64-bit */
#define PM4D_RM_INT_SEL_SHIFT            24         /* 2 = interrupt after write confirm */
#define PM4D_RM_DST_SEL_SHIFT            16         /* 0 = memory (MC) */
#define PM4D_RM_DATA_SEL_64              2u
#define PM4D_RM_INT_SEL_AFTER_CONFIRM    2u

/* ACQUIRE_MEM. GFX9 body (6): COHER_CNTL, COHER_SIZE, COHER_SIZE_HI, COHER_BASE,
 * COHER_BASE_HI, POLL_INTERVAL. GFX10+ body (7): the same then GCR_CNTL (COHER_CNTL = 0). */
#define PM4D_ACQUIRE_MEM_GFX9_BODY_DW     6u
#define PM4D_ACQUIRE_MEM_GFX10_BODY_DW    7u
#define PM4D_AM_GFX9_TC_WB_ACTION_ENA     (1u << 18) /* GFX9 CP_COHER_CNTL */
#define PM4D_AM_GFX9_TCL1_ACTION_ENA      (1u << 22) /* GFX9 */
#define PM4D_AM_GFX9_TC_ACTION_ENA        (1u << 23) /* GFX9 */
#define PM4D_AM_GFX9_SH_KCACHE_ACTION_ENA (1u << 27) /* GFX9 */
#define PM4D_AM_GFX9_SH_ICACHE_ACTION_ENA (1u << 29) /* GFX9 */
#define PM4D_AM_GFX10_GLI_INV_ALL         (1u << 0)  /* GFX10+ GCR_CNTL GLI_INV = 1 (all) */
#define PM4D_AM_GFX10_GLM_WB              (1u << 4)  /* GFX10+ */
#define PM4D_AM_GFX10_GLM_INV             (1u << 5)  /* GFX10+ */
#define PM4D_AM_GFX10_GLK_WB              (1u << 6)  /* GFX10+ */
#define PM4D_AM_GFX10_GLK_INV             (1u << 7)  /* GFX10+ */
#define PM4D_AM_GFX10_GLV_INV             (1u << 8)  /* GFX10+ */
#define PM4D_AM_GFX10_GL1_INV             (1u << 9)  /* GFX10+ */
#define PM4D_AM_GFX10_GL2_INV             (1u << 14) /* GFX10+ */
#define PM4D_AM_GFX10_GL2_WB              (1u << 15) /* GFX10+ */
#define PM4D_AM_COHER_SIZE_ALL            0xFFFFFFFFu
#define PM4D_AM_COHER_SIZE_HI_ALL         0x00FFFFFFu
#define PM4D_AM_POLL_INTERVAL             0x0000000Au

/* WAIT_REG_MEM: body = dw1 function/space/operation/engine, poll addr lo, addr hi, reference,
 * mask, poll interval. */
#define PM4D_WAIT_REG_MEM_BODY_DW 6u
#define PM4D_WRM_FUNCTION_MASK    0x7u /* 3 = equal, 5 = greater or equal */
#define PM4D_WRM_FUNCTION_GEQUAL  5u
#define PM4D_WRM_MEM_SPACE_SHIFT  4 /* 1 = memory */
#define PM4D_WRM_OPERATION_SHIFT  6
#define PM4D_WRM_ENGINE_SHIFT     8

/* WRITE_DATA: body = dw1 control, dst addr lo, dst addr hi, data... */
#define PM4D_WD_DST_SEL_SHIFT    8 /* 5 = memory (async, direct) */
#define PM4D_WD_DST_SEL_MASK     0xFu
#define PM4D_WD_DST_SEL_MEMORY   5u
#define PM4D_WD_WR_CONFIRM       (1u << 20)
#define PM4D_WD_ENGINE_SEL_SHIFT 30

/* INDIRECT_BUFFER: body = addr lo (dword aligned), addr hi [15:0], control. */
#define PM4D_INDIRECT_BUFFER_BODY_DW 3u
#define PM4D_IB_SIZE_MASK            0xFFFFFu
/* INDIRECT_BUFFER_VALID: the kernel sets it on compute rings of every level we support
 * (gfx_v9_0.c and gfx_v10_0.c, *_ring_emit_ib_compute: control = INDIRECT_BUFFER_VALID |
 * length_dw | vmid << 24). */
#define PM4D_IB_VALID      (1u << 23)
#define PM4D_IB_VMID_SHIFT 24

#endif
