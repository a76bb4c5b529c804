/* Decoder and LLVM-syntax printer of the model. Field layouts: RDNA2 ISA guide ("Microcode
 * Formats", gfx10) and RDNA3 ISA guide (gfx11); the same layouts are the Enc_* records of
 * the AMDGPU *Instructions.td files. Anything outside what the shipped kernels use
 * (DPP, VOP3P, modifiers, scratch/flat segments, SGPR-based global addresses, SMEM soffset)
 * is refused as "not executable" rather than guessed. */
#include "pm4d_isa_decode.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *isa_enc_name(enum isa_enc e)
{
   static const char *const names[ENC_COUNT] = {"SOP1", "SOP2", "SOPK",   "SOPC",  "SOPP",
                                                "SMEM", "VOP1", "VOP2",   "VOPC",  "VOP3",
                                                "VOPD", "DS",   "GLOBAL", "MUBUF", "VOP3P"};
   return e < ENC_COUNT ? names[e] : "?";
}

static bool refuse(char *reason, size_t rs, size_t pc, const char *fmt, ...)
   __attribute__((format(printf, 4, 5)));
static bool refuse(char *reason, size_t rs, size_t pc, const char *fmt, ...)
{
   char what[160];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(what, sizeof(what), fmt, ap);
   va_end(ap);
   snprintf(reason, rs, "not executable: %s at dword offset %zu", what, pc);
   return false;
}

static uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
   return (v >> lo) & ((hi - lo == 31) ? ~0u : ((1u << (hi - lo + 1)) - 1u));
}

static int32_t sext(uint32_t v, unsigned width)
{
   uint32_t m = 1u << (width - 1);
   return (int32_t)((v ^ m) - m);
}

/* Reads the literal dword if one of the n sources is 255 (one literal per instruction). */
static bool take_literal(struct isa_inst *in, const uint16_t *src, unsigned n, const uint32_t *code,
                         size_t avail, size_t pc, char *reason, size_t rs)
{
   for (unsigned i = 0; i < n; i++) {
      if (src[i] == ISA_SRC_LITERAL) {
         if (pc + in->ndw >= avail)
            return refuse(reason, rs, pc, "%s literal past the end of the code",
                          isa_enc_name(in->enc));
         in->literal = code[pc + in->ndw];
         in->ndw++;
         return true;
      }
   }
   return true;
}

unsigned isa_valu_nsrc(enum isa_op op, bool e64)
{
   switch (op) {
   case OP_V_MOV_B32:
   case OP_V_READFIRSTLANE_B32:
   case OP_V_CVT_F32_U32:
   case OP_V_CVT_U32_F32:
   case OP_V_RCP_IFLAG_F32:
   case OP_V_BFREV_B32: return 1;
   case OP_V_CNDMASK_B32:
   case OP_V_ADD_CO_CI_U32: return e64 ? 3 : 2;
   case OP_V_ADD3_U32:
   case OP_V_AND_OR_B32:
   case OP_V_LSHL_ADD_U32:
   case OP_V_LSHL_OR_B32:
   case OP_V_ADD_LSHL_U32:
   case OP_V_MAD_U32_U24:
   case OP_V_FMA_F32:
   case OP_V_MAD_U64_U32:
   case OP_V_BFE_U32:
   case OP_V_BFE_I32: return 3;
   default: return 2;
   }
}

static bool is_vop3b(enum isa_op op)
{
   return op == OP_V_ADD_CO_U32 || op == OP_V_ADD_CO_CI_U32 || op == OP_V_MAD_U64_U32;
}

bool isa_is_cmp(enum isa_op op)
{
   return op >= OP_V_CMP_LT_F32 && op <= OP_V_CMPX_EQ_U32;
}

bool isa_is_cmpx(enum isa_op op)
{
   return op >= OP_V_CMPX_GT_U32 && op <= OP_V_CMPX_EQ_U32;
}

static bool literal_ok(enum pm4d_isa_target t, const struct isa_inst *in, size_t pc, char *reason,
                       size_t rs);

static bool decode_vop3(enum pm4d_isa_target t, const uint32_t *code, size_t avail, size_t pc,
                        struct isa_inst *in, char *reason, size_t rs)
{
   uint32_t d0 = code[pc], d1;
   if (pc + 1 >= avail)
      return refuse(reason, rs, pc, "VOP3 truncated");
   d1 = code[pc + 1];
   in->ndw = 2;
   uint32_t op = bits(d0, 25, 16);
   in->opcode = (uint16_t)op;
   /* VOP3 opcode space: VOPC 0..255, VOP2 256..319, VOP1 384..511 on GFX10+ (RDNA guides,
    * "VOP3"), VOP1 320..447 on GFX9 (CDNA2 guide); the rest VOP3-only. */
   uint32_t vop1 = t == PM4D_ISA_GFX90A ? 320 : 384;
   if (op < 256) {
      in->info = isa_op_lookup(t, ENC_VOPC, op);
      in->e64 = true;
   } else if (op < 320) {
      in->info = isa_op_lookup(t, ENC_VOP2, op - 256);
      in->e64 = true;
   } else if (op >= vop1 && op < vop1 + 128) {
      in->info = isa_op_lookup(t, ENC_VOP1, op - vop1);
      in->e64 = true;
   }
   if (!in->info)
      in->info = isa_op_lookup(t, ENC_VOP3, op);
   if (!in->info || in->info->op == OP_V_READFIRSTLANE_B32)
      return refuse(reason, rs, pc, "VOP3 opcode %" PRIu32, op);
   in->vop3b = is_vop3b(in->info->op);
   uint32_t mods = in->vop3b ? bits(d0, 15, 15) : bits(d0, 15, 8);
   if (mods || bits(d1, 31, 27))
      return refuse(reason, rs, pc, "VOP3 opcode %" PRIu32 " with abs/neg/op_sel/clamp/omod", op);
   in->dst = (uint16_t)bits(d0, 7, 0);
   if (in->vop3b)
      in->sdst = (uint16_t)bits(d0, 14, 8);
   if (!isa_is_cmp(in->info->op))
      in->dst = (uint16_t)ISA_VGPR(in->dst);
   in->src[0] = (uint16_t)bits(d1, 8, 0);
   in->src[1] = (uint16_t)bits(d1, 17, 9);
   in->src[2] = (uint16_t)bits(d1, 26, 18);
   return literal_ok(t, in, pc, reason, rs) &&
          take_literal(in, in->src, isa_valu_nsrc(in->info->op, in->e64), code, avail, pc, reason,
                       rs);
}

/* GFX9 has no literal in 64-bit VALU encodings (GFX10+ has: FeatureVOP3Literal). */
static bool literal_ok(enum pm4d_isa_target t, const struct isa_inst *in, size_t pc, char *reason,
                       size_t rs)
{
   if (t != PM4D_ISA_GFX90A)
      return true;
   for (unsigned i = 0; i < 3; i++)
      if (in->src[i] == ISA_SRC_LITERAL)
         return refuse(reason, rs, pc, "%s opcode %u with a literal", isa_enc_name(in->enc),
                       in->opcode);
   return true;
}

/* VOP3P (GFX9, CDNA2 guide "VOP3P"): op_sel / op_sel_hi / neg_lo / neg_hi per source. */
static bool decode_vop3p(enum pm4d_isa_target t, const uint32_t *code, size_t avail, size_t pc,
                         struct isa_inst *in, char *reason, size_t rs)
{
   if (pc + 1 >= avail)
      return refuse(reason, rs, pc, "VOP3P truncated");
   uint32_t d0 = code[pc], d1 = code[pc + 1];
   in->enc = ENC_VOP3P;
   in->ndw = 2;
   in->opcode = (uint16_t)bits(d0, 22, 16);
   in->info = isa_op_lookup(t, ENC_VOP3P, in->opcode);
   if (!in->info || bits(d0, 15, 15))
      return refuse(reason, rs, pc, "VOP3P opcode %u%s", in->opcode,
                    bits(d0, 15, 15) ? " with clamp" : "");
   in->dst = (uint16_t)ISA_VGPR(bits(d0, 7, 0));
   in->neg_hi = (uint8_t)bits(d0, 10, 8);
   in->op_sel = (uint8_t)bits(d0, 13, 11);
   in->op_sel_hi = (uint8_t)(bits(d1, 28, 27) | bits(d0, 14, 14) << 2);
   in->neg_lo = (uint8_t)bits(d1, 31, 29);
   in->src[0] = (uint16_t)bits(d1, 8, 0);
   in->src[1] = (uint16_t)bits(d1, 17, 9);
   in->src[2] = (uint16_t)bits(d1, 26, 18);
   return literal_ok(t, in, pc, reason, rs);
}

/* SDWA dword (gfx10 and gfx9: the same fields, RDNA2 / Vega ISA guides "SDWA" and "SDWAB";
 * SIInstrFormats.td VOP_SDWAe / VOP_SDWA9e): selects and sign extension (SRC0_SEXT bit 19,
 * SRC1_SEXT bit 27), no other modifier. */
static bool decode_sdwa(uint32_t s, bool vopc, struct isa_inst *in, size_t pc, char *reason,
                        size_t rs)
{
   if (bits(s, 22, 20) || bits(s, 30, 28) || (!vopc && bits(s, 15, 13)))
      return refuse(reason, rs, pc, "SDWA with neg/abs/clamp/omod");
   in->sdwa = true;
   in->src_sext = (uint8_t)(bits(s, 19, 19) | bits(s, 27, 27) << 1);
   in->src[0] = (uint16_t)(bits(s, 23, 23) ? bits(s, 7, 0) : ISA_VGPR(bits(s, 7, 0)));
   /* vsrc1 came from the VOP word: S1 turns it into an SGPR. */
   if (bits(s, 31, 31))
      in->src[1] = (uint16_t)(in->src[1] - 256u);
   in->src_sel[0] = (uint8_t)bits(s, 18, 16);
   in->src_sel[1] = (uint8_t)bits(s, 26, 24);
   if (vopc) {
      in->sdst = (uint16_t)(bits(s, 15, 15) ? bits(s, 14, 8) : ISA_VCC_LO);
   } else {
      in->dst_sel = (uint8_t)bits(s, 10, 8);
      in->dst_unused = (uint8_t)bits(s, 12, 11);
   }
   if (in->src_sel[0] > 6 || in->src_sel[1] > 6 || in->dst_sel > 6 || in->dst_unused > 2)
      return refuse(reason, rs, pc, "SDWA select out of range");
   return true;
}

static bool decode_vop12c(enum pm4d_isa_target t, enum isa_enc e, const uint32_t *code,
                          size_t avail, size_t pc, struct isa_inst *in, char *reason, size_t rs)
{
   uint32_t d = code[pc];
   uint32_t op = e == ENC_VOP1 ? bits(d, 16, 9) : e == ENC_VOP2 ? bits(d, 30, 25) : bits(d, 24, 17);
   in->enc = e;
   in->opcode = (uint16_t)op;
   in->info = isa_op_lookup(t, e, op);
   if (!in->info)
      return refuse(reason, rs, pc, "%s opcode %" PRIu32, isa_enc_name(e), op);
   in->src[0] = (uint16_t)bits(d, 8, 0);
   if (e == ENC_VOP1) {
      in->dst = (uint16_t)bits(d, 24, 17);
      if (in->info->op != OP_V_READFIRSTLANE_B32)
         in->dst = (uint16_t)ISA_VGPR(in->dst);
   } else {
      in->src[1] = (uint16_t)ISA_VGPR(bits(d, 16, 9));
      if (e == ENC_VOP2)
         in->dst = (uint16_t)ISA_VGPR(bits(d, 24, 17));
      else
         in->sdst = ISA_VCC_LO;
   }
   if (in->src[0] == 250 || in->src[0] == 233)
      return refuse(reason, rs, pc, "%s opcode %" PRIu32 " with DPP", isa_enc_name(e), op);
   if (in->src[0] == 249) {
      if (t == PM4D_ISA_GFX1100 || pc + 1 >= avail) /* RDNA3 has no SDWA */
         return refuse(reason, rs, pc, "%s opcode %" PRIu32 " with SDWA", isa_enc_name(e), op);
      in->ndw = 2;
      return decode_sdwa(code[pc + 1], e == ENC_VOPC, in, pc, reason, rs);
   }
   return take_literal(in, in->src, 1, code, avail, pc, reason, rs);
}

static bool decode_vopd(const uint32_t *code, size_t avail, size_t pc, struct isa_inst *in,
                        char *reason, size_t rs)
{
   if (pc + 1 >= avail)
      return refuse(reason, rs, pc, "VOPD truncated");
   uint32_t d0 = code[pc], d1 = code[pc + 1];
   uint32_t opx = bits(d0, 25, 22), opy = bits(d0, 21, 17);
   in->enc = ENC_VOPD;
   in->ndw = 2;
   in->opcode = (uint16_t)(opx << 5 | opy);
   in->info = isa_vopd_lookup(false, opx);
   in->infoy = isa_vopd_lookup(true, opy);
   if (!in->info || !in->infoy)
      return refuse(reason, rs, pc, "VOPD opcode X %" PRIu32 " / Y %" PRIu32, opx, opy);
   in->src[0] = (uint16_t)bits(d0, 8, 0);
   in->src[1] = (uint16_t)ISA_VGPR(bits(d0, 16, 9));
   in->srcy[0] = (uint16_t)bits(d1, 8, 0);
   in->srcy[1] = (uint16_t)ISA_VGPR(bits(d1, 16, 9));
   uint32_t vdstx = bits(d1, 31, 24);
   in->dst = (uint16_t)ISA_VGPR(vdstx);
   /* VDSTY holds bits 7:1; bit 0 is the inverse of VDSTX's (RDNA3 guide, VOPD). */
   in->dsty = (uint16_t)ISA_VGPR(bits(d1, 23, 17) << 1 | ((vdstx & 1u) ^ 1u));
   uint16_t s0[2] = {in->src[0], in->srcy[0]};
   return take_literal(in, s0, 2, code, avail, pc, reason, rs);
}

bool isa_decode(enum pm4d_isa_target t, const uint32_t *code, size_t avail, size_t pc,
                struct isa_inst *in, char *reason, size_t rs)
{
   memset(in, 0, sizeof(*in));
   if (pc >= avail)
      return refuse(reason, rs, pc, "program counter past the end of the code");
   uint32_t d = code[pc];
   in->ndw = 1;
   uint32_t top9 = bits(d, 31, 23), top6 = bits(d, 31, 26);
   if (top9 == 0x17D || top9 == 0x17E || top9 == 0x17F || bits(d, 31, 28) == 0xB ||
       bits(d, 31, 30) == 2) {
      uint32_t op;
      if (top9 == 0x17D) {
         in->enc = ENC_SOP1;
         op = bits(d, 15, 8);
         in->dst = (uint16_t)bits(d, 22, 16);
         in->src[0] = (uint16_t)bits(d, 7, 0);
      } else if (top9 == 0x17E) {
         in->enc = ENC_SOPC;
         op = bits(d, 22, 16);
         in->src[0] = (uint16_t)bits(d, 7, 0);
         in->src[1] = (uint16_t)bits(d, 15, 8);
      } else if (top9 == 0x17F) {
         in->enc = ENC_SOPP;
         op = bits(d, 22, 16);
         in->imm = (int16_t)bits(d, 15, 0);
      } else if (bits(d, 31, 28) == 0xB) {
         in->enc = ENC_SOPK;
         op = bits(d, 27, 23);
         in->dst = (uint16_t)bits(d, 22, 16);
         in->imm = (int16_t)bits(d, 15, 0);
      } else {
         in->enc = ENC_SOP2;
         op = bits(d, 29, 23);
         in->dst = (uint16_t)bits(d, 22, 16);
         in->src[0] = (uint16_t)bits(d, 7, 0);
         in->src[1] = (uint16_t)bits(d, 15, 8);
      }
      in->opcode = (uint16_t)op;
      in->info = isa_op_lookup(t, in->enc, op);
      if (!in->info)
         return refuse(reason, rs, pc, "%s opcode %" PRIu32, isa_enc_name(in->enc), op);
      if (in->info->op == OP_S_SENDMSG && in->imm != 3) /* MSG_DEALLOC_VGPRS only */
         return refuse(reason, rs, pc, "s_sendmsg %" PRId32, in->imm);
      if (in->enc == ENC_SOP1 || in->enc == ENC_SOP2 || in->enc == ENC_SOPC)
         return take_literal(in, in->src, in->enc == ENC_SOP1 ? 1 : 2, code, avail, pc, reason, rs);
      return true;
   }
   if (bits(d, 31, 25) == 0x3F)
      return decode_vop12c(t, ENC_VOP1, code, avail, pc, in, reason, rs);
   if (bits(d, 31, 25) == 0x3E)
      return decode_vop12c(t, ENC_VOPC, code, avail, pc, in, reason, rs);
   if (bits(d, 31, 31) == 0)
      return decode_vop12c(t, ENC_VOP2, code, avail, pc, in, reason, rs);
   const bool g9 = t == PM4D_ISA_GFX90A;
   if (g9 && top9 == 0x1A7)
      return decode_vop3p(t, code, avail, pc, in, reason, rs);
   if (top6 == (g9 ? 0x34u : 0x35u)) {
      in->enc = ENC_VOP3;
      return decode_vop3(t, code, avail, pc, in, reason, rs);
   }
   if (top6 == 0x32 && t == PM4D_ISA_GFX1100)
      return decode_vopd(code, avail, pc, in, reason, rs);
   if (pc + 1 >= avail)
      return refuse(reason, rs, pc, "64-bit encoding 0x%02" PRIx32 " truncated", top6);
   uint32_t d1 = code[pc + 1];
   in->ndw = 2;
   if (g9 && top6 == 0x30) {
      /* GFX9 SMEM: sbase 5:0, sdata 12:6, soe 14, nv 15, glc 16, imm 17, op 25:18; offset
       * 20:0 of the second dword (CDNA2 guide, "SMEM"). */
      in->enc = ENC_SMEM;
      in->opcode = (uint16_t)bits(d, 25, 18);
      in->info = isa_op_lookup(t, ENC_SMEM, in->opcode);
      if (!in->info || !bits(d, 17, 17) || bits(d, 16, 14))
         return refuse(reason, rs, pc,
                       "SMEM opcode %u without an immediate offset or with "
                       "soe/nv/glc",
                       in->opcode);
      in->sbase = (uint16_t)(bits(d, 5, 0) << 1);
      in->dst = (uint16_t)bits(d, 12, 6);
      in->soffset = ISA_NO_REG;
      in->imm = (int32_t)bits(d1, 20, 0);
      return true;
   }
   switch (g9 && top6 == 0x3D ? 0u : top6) {
   case 0x3D: /* SMEM */
      in->enc = ENC_SMEM;
      in->opcode = (uint16_t)bits(d, 25, 18);
      in->info = isa_op_lookup(t, ENC_SMEM, in->opcode);
      if (!in->info)
         return refuse(reason, rs, pc, "SMEM opcode %u", in->opcode);
      in->sbase = (uint16_t)(bits(d, 5, 0) << 1);
      in->dst = (uint16_t)bits(d, 12, 6);
      in->soffset = (uint16_t)bits(d1, 31, 25);
      in->imm = sext(bits(d1, 20, 0), 21);
      if (in->soffset != isa_null_reg(t))
         return refuse(reason, rs, pc, "SMEM opcode %u with an SGPR offset", in->opcode);
      return true;
   case 0x36: /* DS */
      /* op 25:18 and gds 17 on GFX10+, op 24:17 and gds 16 on GFX9. */
      in->enc = ENC_DS;
      in->opcode = (uint16_t)(g9 ? bits(d, 24, 17) : bits(d, 25, 18));
      in->info = isa_op_lookup(t, ENC_DS, in->opcode);
      if (!in->info || bits(d, g9 ? 16 : 17, g9 ? 16 : 17))
         return refuse(reason, rs, pc, "DS opcode %u%s", in->opcode,
                       bits(d, g9 ? 16 : 17, g9 ? 16 : 17) ? " (GDS)" : "");
      in->offset0 = (uint8_t)bits(d, 7, 0);
      in->offset1 = (uint8_t)bits(d, 15, 8);
      in->src[0] = (uint16_t)ISA_VGPR(bits(d1, 7, 0));   /* addr */
      in->src[1] = (uint16_t)ISA_VGPR(bits(d1, 15, 8));  /* data0 */
      in->src[2] = (uint16_t)ISA_VGPR(bits(d1, 23, 16)); /* data1 */
      in->dst = (uint16_t)ISA_VGPR(bits(d1, 31, 24));
      return true;
   case 0x37: { /* FLAT / GLOBAL / SCRATCH */
      bool g11 = t == PM4D_ISA_GFX1100;
      uint32_t seg = g11 ? bits(d, 17, 16) : bits(d, 15, 14);
      uint32_t saddr = bits(d1, 22, 16);
      in->enc = ENC_GLOBAL;
      in->opcode = (uint16_t)bits(d, 24, 18);
      in->info = isa_op_lookup(t, ENC_GLOBAL, in->opcode);
      if (seg != 2 || !in->info)
         return refuse(reason, rs, pc, "FLAT segment %" PRIu32 " opcode %u", seg, in->opcode);
      /* Cache bits: glc/slc/dlc (and lds) must be 0; GFX9 has no dlc. */
      if (g11 ? bits(d, 15, 13) : (bits(d, 17, 16) | bits(d, 13, g9 ? 13 : 12)))
         return refuse(reason, rs, pc, "GLOBAL opcode %u with cache bits", in->opcode);
      /* saddr "off": 0x7F on gfx9, NULL on gfx10 (0x7D) and gfx11 (0x7C) (FLATInstructions.td);
       * otherwise an SGPR pair: 64-bit SGPR base + 32-bit VGPR offset. */
      in->saddr = saddr != (g9 ? 0x7Fu : isa_null_reg(t));
      if (in->saddr && (saddr > 104 || (saddr & 1u)))
         return refuse(reason, rs, pc, "GLOBAL opcode %u with saddr %" PRIu32, in->opcode, saddr);
      in->sbase = (uint16_t)saddr;
      /* Offset: 12 bits signed on gfx10, 13 on gfx9 and gfx11 (AMDGPUBaseInfo
       * getNumFlatOffsetBits). */
      in->imm = g11 || g9 ? sext(bits(d, 12, 0), 13) : sext(bits(d, 11, 0), 12);
      in->src[0] = (uint16_t)ISA_VGPR(bits(d1, 7, 0));  /* addr pair */
      in->src[1] = (uint16_t)ISA_VGPR(bits(d1, 15, 8)); /* data */
      in->dst = (uint16_t)ISA_VGPR(bits(d1, 31, 24));
      return true;
   }
   case 0x38: /* MUBUF */
      in->enc = ENC_MUBUF;
      in->opcode = (uint16_t)(t == PM4D_ISA_GFX1100 ? bits(d, 25, 18) : bits(d, 24, 18));
      in->info = isa_op_lookup(t, ENC_MUBUF, in->opcode);
      if (!in->info)
         return refuse(reason, rs, pc, "MUBUF opcode %u", in->opcode);
      return true;
   default:
      in->ndw = 1;
      return refuse(reason, rs, pc, "encoding 0x%08" PRIx32 " (bits 31:26 = 0x%02" PRIx32 ")", d,
                    top6);
   }
}

/* ---- printing (LLVM AMDGPUInstPrinter syntax) ---- */

struct out {
   char *p;
   size_t left;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   int n = vsnprintf(o->p, o->left, fmt, ap);
   va_end(ap);
   if (n > 0 && (size_t)n < o->left) {
      o->p += n;
      o->left -= (size_t)n;
   } else if (o->left) {
      o->p += o->left - 1;
      o->left = 1;
   }
}

/* One operand, w dwords wide. */
static void operand(struct out *o, enum pm4d_isa_target t, const struct isa_inst *in, uint32_t r,
                    unsigned w)
{
   static const char *const fconst[] = {"0.5", "-0.5", "1.0", "-1.0", "2.0", "-2.0", "4.0", "-4.0"};
   if (w == 0)
      w = 1;
   if (r >= 256) {
      if (w == 1)
         put(o, "v%u", r - 256);
      else
         put(o, "v[%u:%u]", r - 256, r - 256 + w - 1);
   } else if (r <= 105) {
      if (w == 1)
         put(o, "s%u", r);
      else
         put(o, "s[%u:%u]", r, r + w - 1);
   } else if (r == ISA_VCC_LO) {
      put(o, w == 1 ? "vcc_lo" : "vcc");
   } else if (r == ISA_VCC_HI) {
      put(o, "vcc_hi");
   } else if (r >= 108 && r <= 123) {
      if (w == 1)
         put(o, "ttmp%u", r - 108);
      else
         put(o, "ttmp[%u:%u]", r - 108, r - 108 + w - 1);
   } else if (r == isa_null_reg(t)) {
      put(o, "null");
   } else if (r == isa_m0_reg(t)) {
      put(o, "m0");
   } else if (r == ISA_EXEC_LO) {
      put(o, w == 1 ? "exec_lo" : "exec");
   } else if (r == ISA_EXEC_HI) {
      put(o, "exec_hi");
   } else if (r >= 128 && r <= 192) {
      put(o, "%u", r - 128);
   } else if (r >= 193 && r <= 208) {
      put(o, "-%u", r - 192);
   } else if (r >= 240 && r <= 247) {
      put(o, "%s", fconst[r - 240]);
   } else if (r == 248) {
      put(o, "0.15915494");
   } else if (r == 251) {
      put(o, "src_vccz");
   } else if (r == 252) {
      put(o, "src_execz");
   } else if (r == ISA_SCC_SRC) {
      put(o, "src_scc");
   } else if (r == ISA_SRC_LITERAL) {
      put(o, "0x%" PRIx32, in->literal);
   } else {
      put(o, "?%u", r);
   }
}

static const char *sel_name(unsigned s)
{
   static const char *const n[] = {"BYTE_0", "BYTE_1", "BYTE_2", "BYTE_3",
                                   "WORD_0", "WORD_1", "DWORD"};
   return s < 7 ? n[s] : "?";
}

static void print_waitcnt(struct out *o, enum pm4d_isa_target t, uint32_t v)
{
   /* gfx10: vmcnt 3:0 + 15:14, expcnt 6:4, lgkmcnt 13:8; gfx11: vmcnt 15:10, expcnt 2:0,
    * lgkmcnt 9:4 (AMDGPUBaseInfo.cpp, getVmcntBitShift* / getLgkmcntBitShift). Fields at their
    * maximum are not printed. */
   uint32_t vm, exp, lgkm, lgkm_max = 63;
   if (t == PM4D_ISA_GFX90A) { /* GFX9: lgkmcnt 11:8 */
      vm = bits(v, 3, 0) | bits(v, 15, 14) << 4;
      exp = bits(v, 6, 4);
      lgkm = bits(v, 11, 8);
      lgkm_max = 15;
   } else if (t == PM4D_ISA_GFX1100) {
      vm = bits(v, 15, 10);
      exp = bits(v, 2, 0);
      lgkm = bits(v, 9, 4);
   } else {
      vm = bits(v, 3, 0) | bits(v, 15, 14) << 4;
      exp = bits(v, 6, 4);
      lgkm = bits(v, 13, 8);
   }
   const char *sep = "";
   if (vm != 63) {
      put(o, "vmcnt(%u)", vm);
      sep = " ";
   }
   if (exp != 7) {
      put(o, "%sexpcnt(%u)", sep, exp);
      sep = " ";
   }
   if (lgkm != lgkm_max)
      put(o, "%slgkmcnt(%u)", sep, lgkm);
}

static void print_delay_alu(struct out *o, uint32_t v)
{
   /* instid0 3:0, instskip 6:4, instid1 10:7 (SOPInstructions.td / AMDGPUInstPrinter). */
   static const char *const id[] = {"NO_DEP",        "VALU_DEP_1",    "VALU_DEP_2",
                                    "VALU_DEP_3",    "VALU_DEP_4",    "TRANS32_DEP_1",
                                    "TRANS32_DEP_2", "TRANS32_DEP_3", "FMA_ACCUM_CYCLE_1",
                                    "SALU_CYCLE_1",  "SALU_CYCLE_2",  "SALU_CYCLE_3"};
   static const char *const skip[] = {"SAME", "NEXT", "SKIP_1", "SKIP_2", "SKIP_3", "SKIP_4"};
   uint32_t i0 = bits(v, 3, 0), sk = bits(v, 6, 4), i1 = bits(v, 10, 7);
   const char *sep = "";
   if (i0) {
      put(o, "instid0(%s)", i0 < 12 ? id[i0] : "?");
      sep = " | ";
   }
   if (sk) {
      put(o, "%sinstskip(%s)", sep, sk < 6 ? skip[sk] : "?");
      sep = " | ";
   }
   if (i1)
      put(o, "%sinstid1(%s)", sep, i1 < 12 ? id[i1] : "?");
}

static void print_vopd_half(struct out *o, enum pm4d_isa_target t, const struct isa_inst *in,
                            const struct isa_opinfo *info, uint32_t dst, const uint16_t *src)
{
   put(o, "%s ", info->name);
   operand(o, t, in, dst, 1);
   put(o, ", ");
   operand(o, t, in, src[0], 1);
   if (info->op != OP_V_MOV_B32) {
      put(o, ", ");
      operand(o, t, in, src[1], 1);
   }
}

static void print_valu(struct out *o, enum pm4d_isa_target t, const struct isa_inst *in)
{
   const struct isa_opinfo *f = in->info;
   enum isa_op op = f->op;
   const char *suffix = in->sdwa ? "_sdwa" : in->e64 ? "_e64" : in->enc == ENC_VOP3 ? "" : "_e32";
   if (op == OP_V_READFIRSTLANE_B32)
      suffix = "";
   put(o, "%s%s ", f->name, suffix);
   unsigned nsrc = isa_valu_nsrc(op, in->e64 || in->enc == ENC_VOP3);
   const unsigned mw = isa_mask_dw(t); /* lane-mask operands: vcc_lo in wave32, vcc in wave64 */
   const bool carry = op == OP_V_ADD_CO_CI_U32 || op == OP_V_ADD_CO_U32;
   bool comma = false;
   if (isa_is_cmp(op)) {
      if (!isa_is_cmpx(op)) { /* gfx10+: v_cmpx has no sdst (FeatureNoSdstCMPX) */
         operand(o, t, in, in->enc == ENC_VOP3 ? in->dst : in->sdst, mw);
         comma = true;
      }
   } else {
      operand(o, t, in, in->dst, f->w[0]);
      comma = true;
      if (in->vop3b || (carry && in->enc != ENC_VOP3)) {
         put(o, ", ");
         operand(o, t, in, in->vop3b ? in->sdst : ISA_VCC_LO, mw);
      }
   }
   for (unsigned i = 0; i < nsrc; i++) {
      if (comma)
         put(o, ", ");
      comma = true;
      if (in->sdwa && i < 2 && (in->src_sext >> i & 1u))
         put(o, "sext(");
      /* src2 of the e64 cndmask / carry-in forms is a lane mask */
      operand(o, t, in, in->src[i],
              i == 2 && f->w[3] == 0 && nsrc == 3 && in->e64 ? mw : f->w[i + 1]);
      if (in->sdwa && i < 2 && (in->src_sext >> i & 1u))
         put(o, ")");
   }
   if (in->enc != ENC_VOP3 && !in->sdwa && (op == OP_V_CNDMASK_B32 || op == OP_V_ADD_CO_CI_U32)) {
      put(o, ", ");
      operand(o, t, in, ISA_VCC_LO, mw);
   }
   if (in->sdwa) {
      if (in->enc == ENC_VOP2)
         put(o, " dst_sel:%s dst_unused:%s", sel_name(in->dst_sel),
             (const char *[]){"UNUSED_PAD", "UNUSED_SEXT", "UNUSED_PRESERVE"}[in->dst_unused]);
      put(o, " src0_sel:%s src1_sel:%s", sel_name(in->src_sel[0]), sel_name(in->src_sel[1]));
   }
}

/* " name:[a,b,c]" for a per-source modifier unless it has its default value. */
static void print_sel(struct out *o, const char *name, unsigned v, unsigned n, unsigned def)
{
   if (v == def)
      return;
   put(o, " %s:[", name);
   for (unsigned i = 0; i < n; i++)
      put(o, "%s%u", i ? "," : "", (v >> i) & 1u);
   put(o, "]");
}

static void print_vop3p(struct out *o, enum pm4d_isa_target t, const struct isa_inst *in)
{
   unsigned n = in->info->op == OP_V_PK_FMA_F32 ? 3 : 2; /* v_pk_mov_b32, v_pk_add_f32: 2 */
   put(o, "%s ", in->info->name);
   operand(o, t, in, in->dst, 2);
   for (unsigned i = 0; i < n; i++) {
      put(o, ", ");
      operand(o, t, in, in->src[i], 2);
   }
   print_sel(o, "op_sel", in->op_sel, n, 0);
   print_sel(o, "op_sel_hi", in->op_sel_hi & ((1u << n) - 1u), n, (1u << n) - 1u);
   print_sel(o, "neg_lo", in->neg_lo, n, 0);
   print_sel(o, "neg_hi", in->neg_hi, n, 0);
}

void isa_print(enum pm4d_isa_target t, const struct isa_inst *in, char *buf, size_t size)
{
   struct out o = {buf, size};
   const struct isa_opinfo *f = in->info;
   buf[0] = 0;
   if (!f)
      return;
   switch (in->enc) {
   case ENC_SOP1:
   case ENC_SOP2:
   case ENC_SOPC:
      put(&o, "%s ", f->name);
      if (in->enc != ENC_SOPC) {
         operand(&o, t, in, in->dst, f->w[0]);
         put(&o, ", ");
      }
      operand(&o, t, in, in->src[0], f->w[1]);
      if (in->enc != ENC_SOP1) {
         put(&o, ", ");
         operand(&o, t, in, in->src[1], f->w[2]);
      }
      break;
   case ENC_SOPK:
      put(&o, "%s ", f->name);
      operand(&o, t, in, in->dst, 1);
      put(&o, ", 0x%x", (unsigned)(uint16_t)in->imm);
      break;
   case ENC_SOPP:
      put(&o, "%s", f->name);
      switch (f->op) {
      case OP_S_NOP: put(&o, " %d", in->imm); break;
      case OP_S_ENDPGM:
         if (in->imm)
            put(&o, " %d", in->imm);
         break;
      case OP_S_BRANCH:
      case OP_S_CBRANCH_SCC0:
      case OP_S_CBRANCH_SCC1:
      case OP_S_CBRANCH_VCCZ:
      case OP_S_CBRANCH_VCCNZ:
      case OP_S_CBRANCH_EXECZ:
      case OP_S_CBRANCH_EXECNZ: put(&o, " %u", (unsigned)(uint16_t)in->imm); break;
      case OP_S_WAITCNT:
         put(&o, " ");
         print_waitcnt(&o, t, (uint16_t)in->imm);
         break;
      case OP_S_DELAY_ALU:
         put(&o, " ");
         print_delay_alu(&o, (uint16_t)in->imm);
         break;
      case OP_S_CLAUSE:
      case OP_S_WAITCNT_DEPCTR: put(&o, " 0x%x", (unsigned)(uint16_t)in->imm); break;
      case OP_S_SENDMSG: put(&o, " sendmsg(MSG_DEALLOC_VGPRS)"); break;
      default: break;
      }
      break;
   case ENC_SMEM:
      put(&o, "%s ", f->name);
      operand(&o, t, in, in->dst, f->w[0]);
      put(&o, ", ");
      operand(&o, t, in, in->sbase, 2);
      if (in->imm || t == PM4D_ISA_GFX90A) /* GFX9 has no soffset here: 0x0 */
         put(&o, ", 0x%x", (unsigned)in->imm);
      else
         put(&o, ", null");
      break;
   case ENC_VOP1:
   case ENC_VOP2:
   case ENC_VOPC:
   case ENC_VOP3: print_valu(&o, t, in); break;
   case ENC_VOPD:
      print_vopd_half(&o, t, in, f, in->dst, in->src);
      put(&o, " :: ");
      print_vopd_half(&o, t, in, in->infoy, in->dsty, in->srcy);
      break;
   case ENC_DS: {
      unsigned off = (unsigned)in->offset1 << 8 | in->offset0;
      put(&o, "%s ", f->name);
      const bool read =
         f->op == OP_DS_READ_B128 || f->op == OP_DS_READ_B32 || f->op == OP_DS_READ2_B32;
      const bool two = f->op == OP_DS_WRITE2ST64_B32 || f->op == OP_DS_WRITE2_B32 ||
                       f->op == OP_DS_WRITE2_B64 || f->op == OP_DS_READ2_B32;
      if (read) {
         operand(&o, t, in, in->dst, f->w[0]);
         put(&o, ", ");
      }
      operand(&o, t, in, in->src[0], 1);
      if (!read) {
         put(&o, ", ");
         operand(&o, t, in, in->src[1], f->w[2]);
      }
      if (two && !read) {
         put(&o, ", ");
         operand(&o, t, in, in->src[2], f->w[3]);
      }
      if (two) {
         if (in->offset0)
            put(&o, " offset0:%u", in->offset0);
         if (in->offset1)
            put(&o, " offset1:%u", in->offset1);
      } else if (off) {
         put(&o, " offset:%u", off);
      }
      break;
   }
   case ENC_GLOBAL:
      put(&o, "%s ", f->name);
      if (f->op == OP_GLOBAL_LOAD || f->op == OP_GLOBAL_LOAD_U16) {
         operand(&o, t, in, in->dst, f->w[0]);
         put(&o, ", ");
         operand(&o, t, in, in->src[0], in->saddr ? 1 : 2);
      } else {
         operand(&o, t, in, in->src[0], in->saddr ? 1 : 2);
         put(&o, ", ");
         operand(&o, t, in, in->src[1], f->w[0]);
      }
      put(&o, ", ");
      if (in->saddr)
         operand(&o, t, in, in->sbase, 2);
      else
         put(&o, "off");
      if (in->imm)
         put(&o, " offset:%d", in->imm);
      break;
   case ENC_MUBUF: put(&o, "%s", f->name); break;
   case ENC_VOP3P: print_vop3p(&o, t, in); break;
   case ENC_COUNT: break;
   }
}
