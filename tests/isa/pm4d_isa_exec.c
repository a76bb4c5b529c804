/* Instruction semantics of the model, wave32. Pseudocode: RDNA2 / RDNA3 ISA reference guides
 * (instruction descriptions); register-file rules: the same guides' "Wave State" chapters
 * (EXEC/VCC are EXEC_LO/VCC_LO in wave32; VCC_HI is an ordinary SGPR; NULL reads 0 and drops
 * writes). Float arithmetic is IEEE binary32 with round-to-nearest-even and denormals kept,
 * which is what the shipped descriptors' RSRC1 FLOAT_MODE asks for (FP_ROUND 0, FP_DENORM 3);
 * the library is built with -ffp-contract=off so that mul and add stay two roundings and
 * fmaf one. Scheduling hints and cache controls (s_waitcnt*, s_clause, s_delay_alu,
 * s_waitcnt_depctr, s_nop, buffer_gl0_inv, s_sendmsg MSG_DEALLOC_VGPRS) do nothing in a
 * model that completes every access before the next instruction. */
#include "pm4d_isa_exec.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool fail(struct isa_ctx *c, enum pm4d_isa_status st, const char *fmt, ...)
   __attribute__((format(printf, 3, 4)));
static bool fail(struct isa_ctx *c, enum pm4d_isa_status st, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(c->result->reason, sizeof(c->result->reason), fmt, ap);
   va_end(ap);
   c->result->status = st;
   return false;
}

/* ---- memory ---- */

/* The window holding addr for the access, translating (and caching) a new one if needed; NULL
 * when addr is not mapped for it. *left = bytes valid from addr. */
static uint8_t *window_at(struct isa_ctx *c, uint64_t addr, bool write, size_t *left)
{
   for (unsigned i = 0; i < ISA_WINDOWS; i++) {
      const struct isa_window *w = &c->win[i];
      if (w->size && addr >= w->addr && addr - w->addr < w->size && (w->write || !write)) {
         *left = (size_t)(w->size - (addr - w->addr));
         return w->host + (addr - w->addr);
      }
   }
   void *host;
   size_t avail;
   if (!c->translate(c->user, addr, write, &host, &avail) || avail == 0)
      return NULL;
   c->win[c->next_win] = (struct isa_window){addr, avail, host, write};
   c->next_win = (c->next_win + 1) % ISA_WINDOWS;
   *left = avail;
   return host;
}

bool isa_mem_copy(struct isa_ctx *c, uint64_t addr, void *buf, size_t n, bool write,
                  uint64_t *fault_addr)
{
   uint8_t *b = buf;
   while (n) {
      size_t left;
      uint8_t *p = window_at(c, addr, write, &left);
      if (!p) {
         *fault_addr = addr;
         return false;
      }
      size_t k = n < left ? n : left;
      if (write)
         memcpy(p, b, k);
      else
         memcpy(b, p, k);
      addr += k;
      b += k;
      n -= k;
   }
   return true;
}

/* ---- operands ---- */

static float f32(uint32_t u)
{
   float f;
   memcpy(&f, &u, 4);
   return f;
}

static uint32_t u32(float f)
{
   uint32_t u;
   memcpy(&u, &f, 4);
   return u;
}

/* A scalar source (SSRC / SRC 0..255) as 32 bits; false for one the model does not read. */
static bool sread(struct isa_ctx *c, const struct isa_wave *w, const struct isa_inst *in,
                  uint32_t r, uint32_t *out)
{
   /* Inline float constants (both guides, "Inline Constants"). */
   static const uint32_t fconst[] = {0x3f000000, 0xbf000000, 0x3f800000, 0xbf800000,
                                     0x40000000, 0xc0000000, 0x40800000, 0xc0800000};
   if (r == isa_null_reg(c->target))
      *out = 0;
   else if (r < 128)
      *out = w->s[r];
   else if (r <= 192)
      *out = r - 128;
   else if (r <= 208)
      *out = (uint32_t)(192 - (int32_t)r);
   else if (r >= 240 && r <= 247)
      *out = fconst[r - 240];
   else if (r == ISA_SCC_SRC)
      *out = w->scc;
   else if (r == ISA_SRC_LITERAL)
      *out = in->literal;
   else
      return fail(c, PM4D_ISA_NOT_EXECUTABLE,
                  "not executable: source operand %" PRIu32 " of %s at dword offset %zu", r,
                  in->info->name, w->pc);
   return true;
}

/* A 64-bit scalar source: register pairs; inline integers sign-extend, literals zero-extend. */
static bool sread64(struct isa_ctx *c, const struct isa_wave *w, const struct isa_inst *in,
                    uint32_t r, uint64_t *out)
{
   uint32_t lo = 0, hi = 0; /* lo: set by sread on success; 0 keeps gcc -O3 quiet */
   if (!sread(c, w, in, r, &lo))
      return false;
   if (r + 1 < ISA_SGPRS && r != isa_null_reg(c->target))
      hi = w->s[r + 1];
   else if (r < ISA_SGPRS && r != isa_null_reg(c->target))
      return fail(c, PM4D_ISA_NOT_EXECUTABLE,
                  "not executable: %s reads a 64-bit operand at s%u at dword offset %zu",
                  in->info->name, r, w->pc);
   else if (r >= 193 && r <= 208)
      hi = ~0u;
   *out = lo | (uint64_t)hi << 32;
   return true;
}

static bool swrite(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in, uint32_t r,
                   uint32_t v)
{
   if (r == isa_null_reg(c->target))
      return true;
   if (r >= 128 || (r >= 108 && r <= 123))
      return fail(c, PM4D_ISA_NOT_EXECUTABLE,
                  "not executable: %s writes scalar operand %" PRIu32 " at dword offset %zu",
                  in->info->name, r, w->pc);
   w->s[r] = v;
   return true;
}

/* Lane masks: EXEC, VCC, compare / carry results. wave32: one SGPR (EXEC_LO, VCC_LO; the high
 * halves are ordinary registers); wave64: an SGPR pair. */
static uint64_t mask_get(const struct isa_ctx *c, const struct isa_wave *w, uint32_t r)
{
   return w->s[r] | (c->lanes == 64 ? (uint64_t)w->s[r + 1] << 32 : 0);
}

static bool mask_write(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in, uint32_t r,
                       uint64_t m)
{
   if (!swrite(c, w, in, r, (uint32_t)m))
      return false;
   return c->lanes != 64 || r == isa_null_reg(c->target) ||
          swrite(c, w, in, r + 1, (uint32_t)(m >> 32));
}

/* A lane-mask source operand (cndmask / carry-in e64): a register, or an inline constant. */
static bool mask_read(struct isa_ctx *c, const struct isa_wave *w, const struct isa_inst *in,
                      uint32_t r, uint64_t *m)
{
   if (c->lanes == 64)
      return sread64(c, w, in, r, m);
   uint32_t x = 0; /* set by sread on success; 0 keeps gcc -O3 quiet */
   if (!sread(c, w, in, r, &x))
      return false;
   *m = x;
   return true;
}

/* A VALU source for every lane. */
static bool vread(struct isa_ctx *c, const struct isa_wave *w, const struct isa_inst *in,
                  uint32_t r, uint32_t out[ISA_LANES])
{
   if (r >= 256) {
      memcpy(out, w->v[r - 256], sizeof(w->v[0]));
      return true;
   }
   uint32_t x = 0; /* set by sread on success; 0 keeps gcc -O3 quiet */
   if (!sread(c, w, in, r, &x))
      return false;
   for (unsigned l = 0; l < c->lanes; l++)
      out[l] = x;
   return true;
}

/* The upper dword of a 64-bit VALU source. */
static bool vread_hi(struct isa_ctx *c, const struct isa_wave *w, const struct isa_inst *in,
                     uint32_t r, uint32_t out[ISA_LANES])
{
   if (r >= 256) {
      if (r - 256 + 1 >= ISA_VGPRS)
         return fail(c, PM4D_ISA_NOT_EXECUTABLE, "not executable: VGPR pair past v255");
      memcpy(out, w->v[r - 256 + 1], sizeof(w->v[0]));
      return true;
   }
   uint64_t x;
   if (!sread64(c, w, in, r, &x))
      return false;
   for (unsigned l = 0; l < c->lanes; l++)
      out[l] = (uint32_t)(x >> 32);
   return true;
}

/* A source's BYTE/WORD field, zero- or (SRC_SEXT) sign-extended (guides, "SDWA"). */
static uint32_t sdwa_sel(uint32_t x, unsigned sel, bool sext)
{
   unsigned bits = sel < 4 ? 8u : sel < 6 ? 16u : 32u;
   if (bits == 32)
      return x;
   x = (x >> (sel < 4 ? 8u * sel : 16u * (sel - 4u))) & ((1u << bits) - 1u);
   return sext && (x >> (bits - 1u)) ? x | ~((1u << bits) - 1u) : x;
}

/* Bits [off, off + width) of x, width = 0..31 (v_bfe_u32 / s_bfe_u32 take 5 bits of width,
 * s_bfe 7: a caller clamps), zero- or sign-extended (guide pseudocode of V_BFE_U32/I32). */
/* The low 24 bits of x as a signed number. */
static int32_t sext24(uint32_t x)
{
   return (int32_t)(x << 8) >> 8;
}

static uint32_t bfe(uint32_t x, uint32_t off, uint32_t width, bool sign)
{
   if (!width)
      return 0;
   x >>= off & 31u;
   if (width >= 32)
      return x;
   uint32_t m = (1u << width) - 1u;
   x &= m;
   return sign && (x >> (width - 1u)) ? x | ~m : x;
}

static uint32_t bitreverse32(uint32_t x)
{
   uint32_t r = 0;
   for (unsigned i = 0; i < 32; i++)
      r |= ((x >> i) & 1u) << (31u - i);
   return r;
}

/* ---- VALU ---- */

static bool cmp(enum isa_op op, uint32_t a, uint32_t b)
{
   switch (op) {
   case OP_V_CMP_LT_F32: return f32(a) < f32(b); /* ordered: false on NaN */
   case OP_V_CMP_LT_I32:
   case OP_V_CMPX_LT_I32: return (int32_t)a < (int32_t)b;
   case OP_V_CMP_GT_I32: return (int32_t)a > (int32_t)b;
   case OP_V_CMP_LE_I32: return (int32_t)a <= (int32_t)b;
   case OP_V_CMP_LT_U32: return a < b;
   case OP_V_CMP_GT_U32:
   case OP_V_CMPX_GT_U32: return a > b;
   case OP_V_CMP_LE_U32: return a <= b;
   case OP_V_CMP_EQ_U32:
   case OP_V_CMPX_EQ_U32: return a == b;
   case OP_V_CMP_NE_U32:
   case OP_V_CMPX_NE_U32: return a != b;
   default: return false;
   }
}

/* v_cvt_u32_f32 saturates: NaN and negatives to 0, >= 2^32 to 0xffffffff (guide pseudocode;
 * a C cast is undefined there). */
static uint32_t cvt_u32(float f)
{
   if (isnan(f) || f <= 0.0f)
      return 0;
   if (f >= 4294967296.0f)
      return 0xFFFFFFFFu;
   return (uint32_t)f;
}

/* One 32-bit lane result of a two/three-source operation; c = src2 or the old destination
 * (fmac), carry = carry-in bit. *co receives carry-out. */
static uint32_t alu32(enum isa_op op, uint32_t a, uint32_t b, uint32_t cc, bool carry, bool *co)
{
   uint64_t wide;
   switch (op) {
   case OP_V_MOV_B32: return a;
   case OP_V_CVT_F32_U32: return u32((float)a);
   case OP_V_CVT_U32_F32: return cvt_u32(f32(a));
   case OP_V_RCP_IFLAG_F32: return u32(1.0f / f32(a));
   case OP_V_CNDMASK_B32: return carry ? b : a;
   case OP_V_ADD_F32: return u32(f32(a) + f32(b));
   case OP_V_SUB_F32: return u32(f32(a) - f32(b));
   case OP_V_MUL_F32: return u32(f32(a) * f32(b));
   case OP_V_FMAC_F32:
   case OP_V_FMA_F32: return u32(fmaf(f32(a), f32(b), f32(cc)));
   case OP_V_MUL_U32_U24: return (a & 0xFFFFFFu) * (b & 0xFFFFFFu);
   /* Signed 24-bit operands, the low 32 bits of the product (guide pseudocode). */
   case OP_V_MUL_I32_I24: return (uint32_t)((int64_t)sext24(a) * sext24(b));
   case OP_V_MAD_U32_U24: return (a & 0xFFFFFFu) * (b & 0xFFFFFFu) + cc;
   case OP_V_ADD_NC_U32: return a + b;
   case OP_V_SUB_NC_U32: return a - b;
   case OP_V_SUBREV_NC_U32: return b - a;
   case OP_V_ADD_CO_U32:
   case OP_V_ADD_CO_CI_U32:
      wide = (uint64_t)a + b + (op == OP_V_ADD_CO_CI_U32 && carry);
      *co = wide >> 32;
      return (uint32_t)wide;
   case OP_V_AND_B32: return a & b;
   case OP_V_OR_B32: return a | b;
   case OP_V_LSHLREV_B32: return b << (a & 31u);
   case OP_V_LSHRREV_B32: return b >> (a & 31u);
   case OP_V_ASHRREV_I32: return (uint32_t)((int32_t)b >> (a & 31u));
   case OP_V_ADD3_U32: return a + b + cc;
   case OP_V_AND_OR_B32: return (a & b) | cc;
   case OP_V_LSHL_ADD_U32: return (a << (b & 31u)) + cc;
   case OP_V_LSHL_OR_B32: return (a << (b & 31u)) | cc;
   case OP_V_ADD_LSHL_U32: return (a + b) << (cc & 31u);
   /* 16-bit results: GFX10+ keeps the destination's high half (GCNSubtarget.cpp,
    * zeroesHigh16BitsOfDest is GFX9-only); cc carries the old destination here. */
   case OP_V_LSHRREV_B16: return (cc & 0xFFFF0000u) | ((b & 0xFFFFu) >> (a & 15u));
   case OP_V_MUL_LO_U16: return (cc & 0xFFFF0000u) | ((a * b) & 0xFFFFu);
   case OP_V_MUL_LO_U32: return a * b;
   case OP_V_MUL_HI_U32: return (uint32_t)(((uint64_t)a * b) >> 32);
   case OP_V_MIN_I32: return (int32_t)a < (int32_t)b ? a : b;
   case OP_V_BFE_U32: return bfe(a, b, cc & 31u, false);
   case OP_V_BFE_I32: return bfe(a, b, cc & 31u, true);
   case OP_V_BFREV_B32: return bitreverse32(a);
   default: return 0;
   }
}

static bool exec_valu(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in)
{
   uint32_t a[ISA_LANES], b[ISA_LANES], cc[ISA_LANES] = {0}, ah[ISA_LANES], ch[ISA_LANES];
   const enum isa_op op = in->info->op;
   const uint64_t exec = mask_get(c, w, ISA_EXEC_LO);
   const bool e64 = in->enc == ENC_VOP3;
   /* src2 / masks are read below, per operation. */
   unsigned nsrc = isa_valu_nsrc(op, false) > 1 ? 2 : 1;
   if (!vread(c, w, in, in->src[0], a) || (nsrc > 1 && !vread(c, w, in, in->src[1], b)))
      return false;
   if (in->sdwa)
      for (unsigned l = 0; l < c->lanes; l++) {
         a[l] = sdwa_sel(a[l], in->src_sel[0], in->src_sext & 1u);
         b[l] = sdwa_sel(b[l], in->src_sel[1], in->src_sext & 2u);
      }

   if (op == OP_V_READFIRSTLANE_B32) {
      /* The lowest active lane, lane 0 when EXEC is 0 (guide pseudocode). */
      unsigned lane = exec ? (unsigned)__builtin_ctzll(exec) : 0;
      return swrite(c, w, in, in->dst, a[lane]);
   }
   if (isa_is_cmp(op)) {
      /* Inactive lanes' bits are written as 0. VOPC e32 writes VCC; VOP3 writes SDST;
       * v_cmpx writes EXEC only on GFX10+ (FeatureNoSdstCMPX, AMDGPU.td). */
      uint64_t m = 0;
      for (unsigned l = 0; l < c->lanes; l++)
         if ((exec >> l & 1u) && cmp(op, a[l], b[l]))
            m |= 1ull << l;
      if (isa_is_cmpx(op))
         return mask_write(c, w, in, ISA_EXEC_LO, m);
      return mask_write(c, w, in, e64 ? in->dst : in->sdst, m);
   }

   /* Third operand: the mask (cndmask / carry-in), the old destination, or src2. */
   uint64_t in_mask = 0;
   switch (op) {
   case OP_V_CNDMASK_B32:
   case OP_V_ADD_CO_CI_U32:
      if (!e64)
         in_mask = mask_get(c, w, ISA_VCC_LO);
      else if (!mask_read(c, w, in, in->src[2], &in_mask))
         return false;
      break;
   case OP_V_LSHRREV_B16:
   case OP_V_MUL_LO_U16:
      /* The old destination keeps its high half on GFX10+; GFX9 zeroes it (GCNSubtarget.cpp,
       * zeroesHigh16BitsOfDest): cc stays 0 there. */
      if (c->target != PM4D_ISA_GFX90A)
         memcpy(cc, w->v[in->dst - 256], sizeof(cc));
      break;
   case OP_V_FMAC_F32: memcpy(cc, w->v[in->dst - 256], sizeof(cc)); break;
   default:
      if (isa_valu_nsrc(op, true) == 3 && !vread(c, w, in, in->src[2], cc))
         return false;
      break;
   }

   /* A 64-bit destination must be a VGPR pair below v256. */
   if (in->info->w[0] == 2 && in->dst - 256u + 1 >= ISA_VGPRS)
      return fail(c, PM4D_ISA_NOT_EXECUTABLE, "not executable: %s writes past v255",
                  in->info->name);
   uint32_t *d = w->v[in->dst - 256];
   uint64_t carry_out = 0;
   if (op == OP_V_LSHLREV_B64) {
      if (!vread_hi(c, w, in, in->src[1], ah))
         return false;
      uint32_t *dh = w->v[in->dst - 256 + 1];
      for (unsigned l = 0; l < c->lanes; l++)
         if (exec >> l & 1u) {
            uint64_t x = ((uint64_t)ah[l] << 32 | b[l]) << (a[l] & 63u);
            d[l] = (uint32_t)x;
            dh[l] = (uint32_t)(x >> 32);
         }
      return true;
   }
   if (op == OP_V_MAD_U64_U32) {
      if (!vread_hi(c, w, in, in->src[2], ch))
         return false;
      uint32_t *dh = w->v[in->dst - 256 + 1];
      for (unsigned l = 0; l < c->lanes; l++)
         if (exec >> l & 1u) {
            unsigned __int128 x =
               (unsigned __int128)((uint64_t)a[l] * b[l]) + ((uint64_t)ch[l] << 32 | cc[l]);
            d[l] = (uint32_t)x;
            dh[l] = (uint32_t)((uint64_t)x >> 32);
            if (x >> 64)
               carry_out |= 1ull << l;
         }
      return mask_write(c, w, in, in->sdst, carry_out);
   }
   for (unsigned l = 0; l < c->lanes; l++) {
      if (!(exec >> l & 1u))
         continue;
      bool co = false;
      uint32_t r = alu32(op, a[l], b[l], cc[l], in_mask >> l & 1u, &co);
      if (in->sdwa && in->dst_sel != 6) {
         /* dst_sel BYTE/WORD: the field gets the low bits; the rest is padded with 0 or
          * preserved (dst_unused). */
         unsigned sh = in->dst_sel < 4 ? 8u * in->dst_sel : 16u * (in->dst_sel - 4u);
         uint32_t fm = (in->dst_sel < 4 ? 0xFFu : 0xFFFFu) << sh;
         r = ((r << sh) & fm) | (in->dst_unused == 2 ? d[l] & ~fm : 0);
      }
      d[l] = r;
      if (co)
         carry_out |= 1ull << l;
   }
   if (op == OP_V_ADD_CO_U32 || op == OP_V_ADD_CO_CI_U32)
      return mask_write(c, w, in, e64 ? in->sdst : ISA_VCC_LO, carry_out);
   return true;
}

/* VOPD: both halves read all their sources before either writes (RDNA3 guide, VOPD). */
static bool exec_vopd(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in)
{
   uint32_t src[2][3][ISA_LANES], res[2][ISA_LANES];
   const struct isa_opinfo *info[2] = {in->info, in->infoy};
   const uint16_t *s[2] = {in->src, in->srcy};
   const uint16_t dst[2] = {in->dst, in->dsty};
   const uint64_t exec = mask_get(c, w, ISA_EXEC_LO), vcc = mask_get(c, w, ISA_VCC_LO);
   if (dst[0] == dst[1])
      return fail(c, PM4D_ISA_NOT_EXECUTABLE,
                  "not executable: VOPD with one destination for both halves at dword offset %zu",
                  w->pc);
   for (unsigned h = 0; h < 2; h++) {
      if (!vread(c, w, in, s[h][0], src[h][0]) || !vread(c, w, in, s[h][1], src[h][1]))
         return false;
      memcpy(src[h][2], w->v[dst[h] - 256], sizeof(src[h][2]));
   }
   for (unsigned h = 0; h < 2; h++)
      for (unsigned l = 0; l < c->lanes; l++) {
         bool co;
         res[h][l] =
            alu32(info[h]->op, src[h][0][l], src[h][1][l], src[h][2][l], vcc >> l & 1u, &co);
      }
   for (unsigned h = 0; h < 2; h++)
      for (unsigned l = 0; l < c->lanes; l++)
         if (exec >> l & 1u)
            w->v[dst[h] - 256][l] = res[h][l];
   return true;
}

/* VOP3P packed 32-bit math (gfx90a): each source is a register pair; for the low result
 * source i gives its op_sel bit's half (0: low dword, 1: high), for the high result its
 * op_sel_hi bit's half; neg_lo / neg_hi negate (CDNA2 guide, VOP3P). v_pk_mov_b32 takes D.lo
 * from src0 and D.hi from src1, each half chosen by op_sel[0] / op_sel[1]: LLVM expands a
 * 64-bit register move into it with op_sel 0 on src0 and 1 on src1 (SIInstrInfo.cpp,
 * expandPostRAPseudo, V_MOV_B64_PSEUDO). */
static bool exec_vop3p(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in)
{
   const enum isa_op op = in->info->op;
   const unsigned n = op == OP_V_PK_FMA_F32 ? 3 : 2;
   uint32_t lo[3][ISA_LANES] = {{0}}, hi[3][ISA_LANES] = {{0}};
   for (unsigned i = 0; i < n; i++) {
      /* Register pairs only: an inline constant's halves are not modelled. */
      if (in->src[i] >= 128 && in->src[i] < 256)
         return fail(c, PM4D_ISA_NOT_EXECUTABLE,
                     "not executable: %s with a constant operand at dword offset %zu",
                     in->info->name, w->pc);
      if (!vread(c, w, in, in->src[i], lo[i]) || !vread_hi(c, w, in, in->src[i], hi[i]))
         return false;
   }
   const uint64_t exec = mask_get(c, w, ISA_EXEC_LO);
   if (in->dst - 256u + 1 >= ISA_VGPRS)
      return fail(c, PM4D_ISA_NOT_EXECUTABLE, "not executable: %s writes past v255",
                  in->info->name);
   uint32_t *d = w->v[in->dst - 256], *dh = w->v[in->dst - 256 + 1];
   for (unsigned l = 0; l < c->lanes; l++) {
      if (!(exec >> l & 1u))
         continue;
      if (op == OP_V_PK_MOV_B32) {
         uint32_t x = (in->op_sel & 1u) ? hi[0][l] : lo[0][l];
         uint32_t y = (in->op_sel & 2u) ? hi[1][l] : lo[1][l];
         d[l] = x;
         dh[l] = y;
         continue;
      }
      float r[2];
      for (unsigned half = 0; half < 2; half++) {
         float v[3];
         uint8_t sel = half ? in->op_sel_hi : in->op_sel, neg = half ? in->neg_hi : in->neg_lo;
         for (unsigned i = 0; i < 3; i++) {
            v[i] = f32((sel >> i & 1u) ? hi[i][l] : lo[i][l]);
            if (neg >> i & 1u)
               v[i] = -v[i];
         }
         /* v_pk_add_f32: S0 + S1 per half (CDNA2 guide, V_PK_ADD_F32) */
         r[half] = op == OP_V_PK_ADD_F32 ? v[0] + v[1] : fmaf(v[0], v[1], v[2]);
      }
      d[l] = u32(r[0]);
      dh[l] = u32(r[1]);
   }
   return true;
}

/* ---- SALU and branches ---- */

/* The 64-bit logic, select and saveexec operations (wave64 lane masks). */
static bool exec_salu64(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in)
{
   const enum isa_op op = in->info->op;
   uint64_t a, b = 0, d;
   bool saveexec = op == OP_S_AND_SAVEEXEC_B64 || op == OP_S_ANDN2_SAVEEXEC_B64;
   if (!sread64(c, w, in, in->src[0], &a) || (!saveexec && !sread64(c, w, in, in->src[1], &b)))
      return false;
   if (saveexec) {
      /* D = EXEC; EXEC = S0 & EXEC (andn2: S0 & ~EXEC); SCC = EXEC != 0 (guide pseudocode). */
      uint64_t old = (uint64_t)w->s[ISA_EXEC_LO] | (uint64_t)w->s[ISA_EXEC_HI] << 32;
      uint64_t e = op == OP_S_AND_SAVEEXEC_B64 ? a & old : a & ~old;
      w->s[ISA_EXEC_LO] = (uint32_t)e;
      w->s[ISA_EXEC_HI] = (uint32_t)(e >> 32);
      w->scc = e != 0;
      return swrite(c, w, in, in->dst, (uint32_t)old) &&
             swrite(c, w, in, in->dst + 1u, (uint32_t)(old >> 32));
   }
   switch (op) {
   case OP_S_AND_B64: d = a & b; break;
   case OP_S_ANDN2_B64: d = a & ~b; break;
   case OP_S_OR_B64: d = a | b; break;
   case OP_S_XOR_B64: d = a ^ b; break;
   default: d = w->scc ? a : b; break; /* s_cselect_b64: SCC unchanged */
   }
   if (op != OP_S_CSELECT_B64)
      w->scc = d != 0;
   return swrite(c, w, in, in->dst, (uint32_t)d) &&
          swrite(c, w, in, in->dst + 1u, (uint32_t)(d >> 32));
}

static bool exec_salu(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in)
{
   const enum isa_op op = in->info->op;
   uint32_t a = 0, b = 0, d = 0;
   uint64_t wide;
   if (in->enc == ENC_SOPK) {
      uint32_t k = (uint32_t)in->imm; /* sign-extended simm16 */
      switch (op) {
      case OP_S_MOVK_I32: return swrite(c, w, in, in->dst, k);
      case OP_S_ADDK_I32:
         a = w->s[in->dst];
         d = a + k;
         w->scc = ((a ^ d) & (k ^ d)) >> 31; /* signed overflow */
         return swrite(c, w, in, in->dst, d);
      case OP_S_CMPK_LG_I32: w->scc = w->s[in->dst] != k; return true;
      default: return true; /* s_waitcnt_vscnt */
      }
   }
   if (op >= OP_S_AND_B64 && op <= OP_S_ANDN2_SAVEEXEC_B64)
      return exec_salu64(c, w, in);
   if (op == OP_S_LSHL_B64) {
      uint64_t x;
      if (!sread64(c, w, in, in->src[0], &x) || !sread(c, w, in, in->src[1], &b))
         return false;
      x <<= b & 63u;
      w->scc = x != 0;
      return swrite(c, w, in, in->dst, (uint32_t)x) &&
             swrite(c, w, in, in->dst + 1u, (uint32_t)(x >> 32));
   }
   if (op == OP_S_MOV_B64) {
      uint64_t x;
      return sread64(c, w, in, in->src[0], &x) && swrite(c, w, in, in->dst, (uint32_t)x) &&
             swrite(c, w, in, in->dst + 1u, (uint32_t)(x >> 32));
   }
   if (!sread(c, w, in, in->src[0], &a) ||
       (in->enc != ENC_SOP1 && !sread(c, w, in, in->src[1], &b)))
      return false;
   switch (op) {
   case OP_S_MOV_B32: return swrite(c, w, in, in->dst, a);
   case OP_S_AND_SAVEEXEC_B32:
   case OP_S_ANDN2_SAVEEXEC_B32: {
      uint32_t old = w->s[ISA_EXEC_LO];
      w->s[ISA_EXEC_LO] = op == OP_S_AND_SAVEEXEC_B32 ? a & old : a & ~old;
      w->scc = w->s[ISA_EXEC_LO] != 0;
      return swrite(c, w, in, in->dst, old);
   }
   case OP_S_ADD_U32:
   case OP_S_ADDC_U32:
      wide = (uint64_t)a + b + (op == OP_S_ADDC_U32 && w->scc);
      w->scc = wide >> 32;
      return swrite(c, w, in, in->dst, (uint32_t)wide);
   case OP_S_ADD_I32:
      d = a + b;
      w->scc = ((a ^ d) & (b ^ d)) >> 31;
      return swrite(c, w, in, in->dst, d);
   case OP_S_SUB_I32:
      d = a - b;
      w->scc = ((a ^ b) & (a ^ d)) >> 31;
      return swrite(c, w, in, in->dst, d);
   case OP_S_AND_B32: d = a & b; break;
   case OP_S_ANDN2_B32: d = a & ~b; break;
   case OP_S_OR_B32: d = a | b; break;
   case OP_S_XOR_B32: d = a ^ b; break;
   case OP_S_LSHL_B32: d = a << (b & 31u); break;
   case OP_S_LSHR_B32: d = a >> (b & 31u); break;
   /* offset S1[4:0], width S1[22:16] (0..127: 32 and more take every bit above offset) */
   case OP_S_BFE_U32: d = bfe(a, b & 31u, (b >> 16) & 0x7Fu, false); break;
   case OP_S_BREV_B32: return swrite(c, w, in, in->dst, bitreverse32(a)); /* SCC unchanged */
   case OP_S_CMP_GT_I32: w->scc = (int32_t)a > (int32_t)b; return true;
   case OP_S_CSELECT_B32: return swrite(c, w, in, in->dst, w->scc ? a : b);
   case OP_S_MAX_U32: w->scc = a > b; return swrite(c, w, in, in->dst, a > b ? a : b);
   case OP_S_MUL_I32: return swrite(c, w, in, in->dst, a * b);
   case OP_S_MUL_HI_U32: return swrite(c, w, in, in->dst, (uint32_t)(((uint64_t)a * b) >> 32));
   case OP_S_CMP_EQ_U32: w->scc = a == b; return true;
   case OP_S_CMP_LG_U32: w->scc = a != b; return true;
   case OP_S_CMP_GT_U32: w->scc = a > b; return true;
   case OP_S_CMP_GE_U32: w->scc = a >= b; return true;
   case OP_S_CMP_LT_U32: w->scc = a < b; return true;
   case OP_S_BITCMP0_B32: w->scc = !((a >> (b & 31u)) & 1u); return true;
   case OP_S_BITCMP1_B32: w->scc = (a >> (b & 31u)) & 1u; return true;
   default: return fail(c, PM4D_ISA_NOT_EXECUTABLE, "not executable: %s", in->info->name);
   }
   w->scc = d != 0;
   return swrite(c, w, in, in->dst, d);
}

/* SOPP; *next = the next pc. */
static bool exec_sopp(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in,
                      size_t *next)
{
   bool take;
   switch (in->info->op) {
   case OP_S_ENDPGM: w->done = true; return true;
   case OP_S_BARRIER:
      w->at_barrier = true;
      c->result->counters.barriers++;
      return true;
   case OP_S_CODE_END:
      return fail(c, PM4D_ISA_NOT_EXECUTABLE,
                  "not executable: s_code_end reached at dword offset %zu (ran past the kernel)",
                  w->pc);
   case OP_S_BRANCH: take = true; break;
   case OP_S_CBRANCH_SCC0: take = !w->scc; break;
   case OP_S_CBRANCH_SCC1: take = w->scc; break;
   case OP_S_CBRANCH_VCCZ: take = mask_get(c, w, ISA_VCC_LO) == 0; break;
   case OP_S_CBRANCH_VCCNZ: take = mask_get(c, w, ISA_VCC_LO) != 0; break;
   case OP_S_CBRANCH_EXECZ: take = mask_get(c, w, ISA_EXEC_LO) == 0; break;
   case OP_S_CBRANCH_EXECNZ: take = mask_get(c, w, ISA_EXEC_LO) != 0; break;
   default: return true; /* s_nop, s_waitcnt, s_clause, s_delay_alu, s_waitcnt_depctr, s_sendmsg */
   }
   c->result->counters.branches++;
   if (take) {
      /* PC = PC + 4 + simm16 * 4 bytes (guide pseudocode). */
      int64_t t = (int64_t)w->pc + 1 + in->imm;
      if (t < 0 || (uint64_t)t >= c->code_dw)
         return fail(c, PM4D_ISA_PAGE_FAULT,
                     "page fault: branch at dword offset %zu to dword %" PRId64 " outside the code",
                     w->pc, t);
      *next = (size_t)t;
   }
   return true;
}

/* ---- memory instructions ---- */

static bool exec_smem(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in)
{
   unsigned n = in->info->w[0];
   /* Address = SGPR pair + signed byte offset, dword aligned (guides, "Scalar Memory"). */
   uint64_t addr = ((uint64_t)w->s[in->sbase] | (uint64_t)w->s[in->sbase + 1] << 32) +
                   (uint64_t)(int64_t)in->imm;
   addr &= ~(uint64_t)3;
   if (in->dst + n > 106)
      return fail(c, PM4D_ISA_NOT_EXECUTABLE, "not executable: %s past s105", in->info->name);
   uint64_t bad;
   if (!isa_mem_copy(c, addr, &w->s[in->dst], 4ull * n, false, &bad))
      return fail(c, PM4D_ISA_PAGE_FAULT,
                  "page fault: %s reads 0x%" PRIx64 " (%u bytes from 0x%" PRIx64
                  "), not mapped, at dword offset %zu",
                  in->info->name, bad, 4u * n, addr, w->pc);
   return true;
}

static bool exec_global(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in)
{
   unsigned n = in->info->w[0], a = in->src[0] - 256u;
   bool load = in->info->op == OP_GLOBAL_LOAD || in->info->op == OP_GLOBAL_LOAD_U16;
   /* global_load_ushort / _u16: 2 bytes, zero-extended into the dword */
   const uint64_t bytes = in->info->op == OP_GLOBAL_LOAD_U16 ? 2u : 4ull * n;
   uint64_t exec = mask_get(c, w, ISA_EXEC_LO);
   uint32_t reg = load ? in->dst - 256u : in->src[1] - 256u;
   if (a + !in->saddr >= ISA_VGPRS || reg + n > ISA_VGPRS)
      return fail(c, PM4D_ISA_NOT_EXECUTABLE, "not executable: %s VGPRs past v255", in->info->name);
   for (unsigned l = 0; l < c->lanes; l++) {
      if (!(exec >> l & 1u))
         continue;
      /* saddr off: 64-bit VGPR address; else SGPR pair + 32-bit VGPR offset; then the signed
       * immediate offset (guides, "Global Memory"). */
      uint64_t addr =
         in->saddr ? ((uint64_t)w->s[in->sbase] | (uint64_t)w->s[in->sbase + 1] << 32) + w->v[a][l]
                   : (uint64_t)w->v[a][l] | (uint64_t)w->v[a + 1][l] << 32;
      addr += (uint64_t)(int64_t)in->imm;
      uint32_t data[4] = {0};
      for (unsigned i = 0; !load && i < n; i++)
         data[i] = w->v[reg + i][l];
      uint64_t bad;
      if (!isa_mem_copy(c, addr, data, bytes, !load, &bad))
         return fail(c, PM4D_ISA_PAGE_FAULT,
                     "page fault: %s lane %u %s 0x%" PRIx64 " (%u bytes from 0x%" PRIx64
                     "), not mapped%s, at dword offset %zu",
                     in->info->name, l, load ? "reads" : "writes", bad, (unsigned)bytes, addr,
                     load ? "" : " for writing", w->pc);
      for (unsigned i = 0; load && i < n; i++)
         w->v[reg + i][l] = data[i];
   }
   return true;
}

static bool lds_check(struct isa_ctx *c, const struct isa_wave *w, const struct isa_inst *in,
                      unsigned lane, uint64_t addr, unsigned bytes)
{
   if (addr + bytes <= c->lds_bytes)
      return true;
   return fail(c, PM4D_ISA_LDS_OUT_OF_RANGE,
               "LDS out of range: %s lane %u at byte %" PRIu64 " (+%u), the workgroup has %" PRIu32
               " bytes of LDS (RSRC2.LDS_SIZE), at dword offset %zu",
               in->info->name, lane, addr, bytes, c->lds_bytes, w->pc);
}

static bool exec_ds(struct isa_ctx *c, struct isa_wave *w, const struct isa_inst *in)
{
   uint64_t exec = mask_get(c, w, ISA_EXEC_LO);
   const uint32_t *addr = w->v[in->src[0] - 256];
   for (unsigned l = 0; l < c->lanes; l++) {
      if (!(exec >> l & 1u))
         continue;
      switch (in->info->op) {
      case OP_DS_WRITE_B32: {
         uint64_t at = (uint64_t)addr[l] + ((unsigned)in->offset1 << 8 | in->offset0);
         if (!lds_check(c, w, in, l, at, 4))
            return false;
         memcpy(c->lds + at, &w->v[in->src[1] - 256][l], 4);
         break;
      }
      case OP_DS_WRITE2ST64_B32: {
         /* Two dwords at addr + offset0 * 256 and addr + offset1 * 256 bytes (stride 64
          * dwords; guide pseudocode of DS_WRITE2ST64_B32 / DS_STORE_2ADDR_STRIDE64_B32). */
         uint64_t at0 = (uint64_t)addr[l] + in->offset0 * 256u;
         uint64_t at1 = (uint64_t)addr[l] + in->offset1 * 256u;
         if (!lds_check(c, w, in, l, at0, 4) || !lds_check(c, w, in, l, at1, 4))
            return false;
         memcpy(c->lds + at0, &w->v[in->src[1] - 256][l], 4);
         memcpy(c->lds + at1, &w->v[in->src[2] - 256][l], 4);
         break;
      }
      case OP_DS_WRITE2_B32:
      case OP_DS_READ2_B32: {
         /* Two dwords at addr + offset0 * 4 and addr + offset1 * 4 bytes (guide pseudocode of
          * DS_WRITE2_B32 / DS_READ2_B32, RDNA3 DS_STORE_2ADDR_B32 / DS_LOAD_2ADDR_B32). */
         const bool rd = in->info->op == OP_DS_READ2_B32;
         uint64_t at[2] = {(uint64_t)addr[l] + in->offset0 * 4u,
                           (uint64_t)addr[l] + in->offset1 * 4u};
         if ((rd && in->dst - 256u + 2 > ISA_VGPRS) || !lds_check(c, w, in, l, at[0], 4) ||
             !lds_check(c, w, in, l, at[1], 4))
            return false;
         for (unsigned i = 0; i < 2; i++) {
            if (rd)
               memcpy(&w->v[in->dst - 256 + i][l], c->lds + at[i], 4);
            else
               memcpy(c->lds + at[i], &w->v[in->src[1 + i] - 256][l], 4);
         }
         break;
      }
      case OP_DS_WRITE2_B64: {
         /* Two qwords at addr + offset0 * 8 and addr + offset1 * 8 bytes, from data0 and data1
          * (two VGPRs each; guide pseudocode of DS_WRITE2_B64 / DS_STORE_2ADDR_B64). */
         uint64_t at[2] = {(uint64_t)addr[l] + in->offset0 * 8u,
                           (uint64_t)addr[l] + in->offset1 * 8u};
         if (in->src[1] - 256u + 2 > ISA_VGPRS || in->src[2] - 256u + 2 > ISA_VGPRS ||
             !lds_check(c, w, in, l, at[0], 8) || !lds_check(c, w, in, l, at[1], 8))
            return false;
         for (unsigned i = 0; i < 2; i++)
            for (unsigned d = 0; d < 2; d++)
               memcpy(c->lds + at[i] + 4 * d, &w->v[in->src[1 + i] - 256 + d][l], 4);
         break;
      }
      case OP_DS_WRITE_B128: {
         uint64_t at = (uint64_t)addr[l] + ((unsigned)in->offset1 << 8 | in->offset0);
         if (in->src[1] - 256u + 4 > ISA_VGPRS || !lds_check(c, w, in, l, at, 16))
            return false;
         for (unsigned d = 0; d < 4; d++)
            memcpy(c->lds + at + 4 * d, &w->v[in->src[1] - 256 + d][l], 4);
         break;
      }
      case OP_DS_READ_B32: {
         uint64_t at = (uint64_t)addr[l] + ((unsigned)in->offset1 << 8 | in->offset0);
         if (!lds_check(c, w, in, l, at, 4))
            return false;
         memcpy(&w->v[in->dst - 256][l], c->lds + at, 4);
         break;
      }
      case OP_DS_READ_B128: {
         uint64_t at = (uint64_t)addr[l] + ((unsigned)in->offset1 << 8 | in->offset0);
         if (in->dst - 256u + 4 > ISA_VGPRS || !lds_check(c, w, in, l, at, 16))
            return false;
         for (unsigned i = 0; i < 4; i++)
            memcpy(&w->v[in->dst - 256 + i][l], c->lds + at + 4 * i, 4);
         break;
      }
      default: break;
      }
   }
   return true;
}

/* ---- the wave loop ---- */

static const struct isa_inst *fetch(struct isa_ctx *c, size_t pc)
{
   if (pc >= c->code_dw) {
      fail(c, PM4D_ISA_PAGE_FAULT,
           "page fault: instruction fetch at dword offset %zu, past the "
           "code",
           pc);
      return NULL;
   }
   if (!c->decoded_ok[pc]) {
      if (!isa_decode(c->target, c->code, c->code_dw, pc, &c->decoded[pc], c->result->reason,
                      sizeof(c->result->reason))) {
         c->result->status = PM4D_ISA_NOT_EXECUTABLE;
         return NULL;
      }
      c->decoded_ok[pc] = 1;
   }
   return &c->decoded[pc];
}

bool isa_wave_run(struct isa_ctx *c, struct isa_wave *w)
{
   struct pm4d_isa_counters *k = &c->result->counters;
   w->at_barrier = false;
   while (!w->done && !w->at_barrier) {
      const struct isa_inst *in = fetch(c, w->pc);
      if (!in)
         return false;
      if (++w->executed > ISA_WAVE_LIMIT)
         return fail(c, PM4D_ISA_HANG, "hang: a wave issued more than %llu instructions",
                     (unsigned long long)ISA_WAVE_LIMIT);
      k->instructions++;
      size_t next = w->pc + in->ndw;
      bool ok;
      switch (in->enc) {
      case ENC_SOP1:
      case ENC_SOP2:
      case ENC_SOPK:
      case ENC_SOPC:
         k->salu++;
         ok = exec_salu(c, w, in);
         break;
      case ENC_SOPP: ok = exec_sopp(c, w, in, &next); break;
      case ENC_SMEM:
         k->smem++;
         ok = exec_smem(c, w, in);
         break;
      case ENC_VOP1:
      case ENC_VOP2:
      case ENC_VOPC:
      case ENC_VOP3:
         k->valu++;
         ok = exec_valu(c, w, in);
         break;
      case ENC_VOPD:
         k->valu++;
         ok = exec_vopd(c, w, in);
         break;
      case ENC_VOP3P:
         k->valu++;
         ok = exec_vop3p(c, w, in);
         break;
      case ENC_DS:
         k->lds++;
         ok = exec_ds(c, w, in);
         break;
      case ENC_GLOBAL:
         k->vmem++;
         ok = exec_global(c, w, in);
         break;
      default: ok = true; break; /* buffer_gl0_inv */
      }
      if (!ok)
         return false;
      w->pc = next;
   }
   return true;
}
