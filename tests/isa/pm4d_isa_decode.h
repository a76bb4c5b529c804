/* The model's decoder: instruction words -> one decoded instruction, and its text in LLVM's
 * syntax (what llvm-objdump prints, so that a test can compare the two). Internal to tests/isa. */
#ifndef PM4D_ISA_DECODE_H
#define PM4D_ISA_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm4d_isa.h"

/* Encoding families (RDNA2 and RDNA3 ISA guides, "Microcode Formats"). */
enum isa_enc {
   ENC_SOP1,
   ENC_SOP2,
   ENC_SOPK,
   ENC_SOPC,
   ENC_SOPP,
   ENC_SMEM,
   ENC_VOP1,
   ENC_VOP2,
   ENC_VOPC,
   ENC_VOP3, /* VOP3-only opcodes; promoted VOP1/2/C forms keep their own table */
   ENC_VOPD,
   ENC_DS,
   ENC_GLOBAL,
   ENC_MUBUF,
   ENC_VOP3P, /* gfx90a packed math */
   ENC_COUNT
};
const char *isa_enc_name(enum isa_enc e);

/* Operations, shared by both targets (the tables map each target's opcode numbers here). */
enum isa_op {
   OP_NONE,
   /* SALU */
   OP_S_MOV_B32,
   OP_S_AND_SAVEEXEC_B32,
   OP_S_ANDN2_SAVEEXEC_B32,
   OP_S_ADD_U32,
   OP_S_ADDC_U32,
   OP_S_ADD_I32,
   OP_S_SUB_I32,
   OP_S_AND_B32,
   OP_S_ANDN2_B32,
   OP_S_OR_B32,
   OP_S_XOR_B32,
   OP_S_CSELECT_B32,
   OP_S_LSHL_B32,
   OP_S_LSHL_B64,
   OP_S_LSHR_B32,
   OP_S_MAX_U32,
   OP_S_MUL_I32,
   OP_S_MUL_HI_U32,
   OP_S_MOVK_I32,
   OP_S_ADDK_I32,
   OP_S_CMPK_LG_I32,
   OP_S_WAITCNT_VSCNT,
   OP_S_CMP_EQ_U32,
   OP_S_CMP_LG_U32,
   OP_S_CMP_GT_U32,
   OP_S_CMP_GE_U32,
   OP_S_CMP_LT_U32,
   OP_S_BITCMP0_B32,
   OP_S_AND_B64,
   OP_S_ANDN2_B64,
   OP_S_OR_B64,
   OP_S_XOR_B64,
   OP_S_CSELECT_B64,
   OP_S_AND_SAVEEXEC_B64,
   OP_S_ANDN2_SAVEEXEC_B64,
   OP_S_BITCMP1_B32,
   OP_S_MOV_B64,
   OP_S_BREV_B32,
   OP_S_BFE_U32,
   OP_S_CMP_GT_I32,
   OP_S_NOP,
   OP_S_ENDPGM,
   OP_S_BRANCH,
   OP_S_CBRANCH_SCC0,
   OP_S_CBRANCH_SCC1,
   OP_S_CBRANCH_VCCZ,
   OP_S_CBRANCH_VCCNZ,
   OP_S_CBRANCH_EXECZ,
   OP_S_CBRANCH_EXECNZ,
   OP_S_BARRIER,
   OP_S_WAITCNT,
   OP_S_CLAUSE,
   OP_S_CODE_END,
   OP_S_DELAY_ALU,
   OP_S_WAITCNT_DEPCTR,
   OP_S_SENDMSG,
   OP_S_LOAD,
   /* VALU */
   OP_V_MOV_B32,
   OP_V_READFIRSTLANE_B32,
   OP_V_CVT_F32_U32,
   OP_V_CVT_U32_F32,
   OP_V_RCP_IFLAG_F32,
   OP_V_BFREV_B32,
   OP_V_CNDMASK_B32,
   OP_V_ADD_F32,
   OP_V_SUB_F32,
   OP_V_MUL_F32,
   OP_V_FMAC_F32,
   OP_V_MUL_U32_U24,
   OP_V_MUL_I32_I24,
   OP_V_ADD_NC_U32,
   OP_V_SUB_NC_U32,
   OP_V_SUBREV_NC_U32,
   OP_V_ADD_CO_CI_U32,
   OP_V_AND_B32,
   OP_V_OR_B32,
   OP_V_LSHLREV_B32,
   OP_V_LSHRREV_B32,
   OP_V_ASHRREV_I32,
   OP_V_CMP_LT_F32,
   OP_V_CMP_LT_I32,
   OP_V_CMP_GT_I32,
   OP_V_CMP_LE_I32,
   OP_V_CMP_LT_U32,
   OP_V_CMP_GT_U32,
   OP_V_CMP_LE_U32,
   OP_V_CMP_EQ_U32,
   OP_V_CMP_NE_U32,
   OP_V_CMPX_GT_U32, /* the v_cmpx ops: OP_V_CMPX_GT_U32 .. OP_V_CMPX_EQ_U32 */
   OP_V_CMPX_LT_I32,
   OP_V_CMPX_NE_U32,
   OP_V_CMPX_EQ_U32,
   OP_V_ADD3_U32,
   OP_V_AND_OR_B32,
   OP_V_LSHL_ADD_U32,
   OP_V_LSHL_OR_B32,
   OP_V_ADD_LSHL_U32,
   OP_V_LSHLREV_B64,
   OP_V_LSHRREV_B16,
   OP_V_MUL_LO_U16,
   OP_V_MUL_LO_U32,
   OP_V_MUL_HI_U32,
   OP_V_MAD_U32_U24,
   OP_V_FMA_F32,
   OP_V_ADD_CO_U32,
   OP_V_MAD_U64_U32,
   OP_V_MIN_I32,
   OP_V_BFE_U32,
   OP_V_BFE_I32,
   OP_V_PK_FMA_F32,
   OP_V_PK_MOV_B32,
   OP_V_PK_ADD_F32,
   /* memory */
   OP_DS_WRITE_B32,
   OP_DS_WRITE2ST64_B32,
   OP_DS_READ_B128,
   OP_DS_READ_B32,
   OP_DS_READ2_B32,
   OP_DS_WRITE2_B32,
   OP_DS_WRITE2_B64,
   OP_DS_WRITE_B128,
   OP_GLOBAL_LOAD,
   OP_GLOBAL_LOAD_U16, /* 16 bits, zero-extended */
   OP_GLOBAL_STORE,
   OP_BUFFER_GL0_INV,
};

/* One opcode of one encoding on one target. w: operand widths in dwords (dst, src0, src1,
 * src2); 0 means 1. */
struct isa_opinfo {
   uint16_t opcode;
   const char *name;
   enum isa_op op;
   uint8_t w[4];
};

/* Operand numbering: the 9-bit source field of VALU encodings (0..255 scalar registers,
 * inline constants and specials, 256..511 v0..v255). */
#define ISA_SRC_LITERAL 255u
#define ISA_VGPR(n)     (256u + (n))

struct isa_inst {
   enum isa_enc enc;
   uint16_t opcode;
   uint8_t ndw; /* including the literal */
   const struct isa_opinfo *info;
   bool e64;        /* a VOP1/VOP2/VOPC opcode in the VOP3 encoding */
   bool vop3b;      /* VOP3 with a scalar carry/compare destination (sdst) */
   uint16_t dst;    /* operand number (VGPR as ISA_VGPR) */
   uint16_t sdst;   /* VOP3B / VOPC e64 / SDWA-B scalar destination */
   uint16_t src[3]; /* operand numbers */
   uint32_t literal;
   int32_t imm;              /* SOPK/SOPP simm16, SMEM/global/DS offset */
   uint8_t offset0, offset1; /* DS */
   uint16_t sbase, soffset;  /* SMEM, and GLOBAL with saddr: first SGPR of the base pair */
   bool saddr;               /* GLOBAL: SGPR base + 32-bit VGPR offset */
   /* SDWA (gfx10, gfx90a) */
   bool sdwa;
   uint8_t src_sext; /* bit i: source i's selected field is sign-extended */
   uint8_t dst_sel, dst_unused, src_sel[2];
   /* VOP3P (gfx90a): per source, bit i = source i */
   uint8_t op_sel, op_sel_hi, neg_lo, neg_hi;
   /* VOPD second half */
   const struct isa_opinfo *infoy;
   uint16_t dsty, srcy[2];
};

/* Decodes the instruction at code[pc] (n dwords available). False with a "not executable"
 * reason naming encoding, opcode and dword offset when it is not one the model runs. */
bool isa_decode(enum pm4d_isa_target t, const uint32_t *code, size_t n, size_t pc,
                struct isa_inst *out, char *reason, size_t reason_size);
/* Writes the instruction in LLVM's syntax (mnemonic and operands, single spaces). */
void isa_print(enum pm4d_isa_target t, const struct isa_inst *in, char *buf, size_t size);

/* Sources a VALU operation reads: 1, 2, or 3 (VOP3-only three-source ops, and the e64 forms of
 * v_cndmask / v_add_co_ci whose mask is src2). */
unsigned isa_valu_nsrc(enum isa_op op, bool e64);
/* v_cmp and v_cmpx; v_cmpx writes EXEC (and on GFX10+ has no SDST: FeatureNoSdstCMPX). */
bool isa_is_cmp(enum isa_op op);
bool isa_is_cmpx(enum isa_op op);

/* The per-target opcode tables (pm4d_isa_ops.c). */
const struct isa_opinfo *isa_op_lookup(enum pm4d_isa_target t, enum isa_enc e, uint32_t opcode);
/* VOPD halves: X opcodes 0..15, Y 0..31 (RDNA3 guide, VOPD opcode tables). */
const struct isa_opinfo *isa_vopd_lookup(bool y, uint32_t opcode);

/* Scalar register numbers that differ per target (RDNA2/RDNA3 guides, SSRC operand tables). */
#define ISA_VCC_LO  106u
#define ISA_VCC_HI  107u
#define ISA_EXEC_LO 126u
#define ISA_EXEC_HI 127u
#define ISA_SCC_SRC 253u
#define ISA_NO_REG  0xFFFFu
static inline uint32_t isa_null_reg(enum pm4d_isa_target t)
{
   /* GFX9 has no NULL operand: ISA_NO_REG never matches a register field. */
   return t == PM4D_ISA_GFX1100 ? 124u : t == PM4D_ISA_GFX90A ? ISA_NO_REG : 125u;
}
static inline uint32_t isa_m0_reg(enum pm4d_isa_target t)
{
   return t == PM4D_ISA_GFX1100 ? 125u : 124u;
}
/* Lane masks (EXEC, VCC, compare and carry results) are SGPR pairs in wave64 (gfx90a). */
static inline unsigned isa_mask_dw(enum pm4d_isa_target t)
{
   return t == PM4D_ISA_GFX90A ? 2u : 1u;
}

#endif
