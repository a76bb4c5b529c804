#include "pm4d_decode.h"

#include <inttypes.h>

#include "pm4d_iter.h"
#include "pm4d_pkt.h"

/* Names of the body dwords of fixed packets, and fields of their control dwords. Single-bit
 * fields come from the masks in pm4d_pkt_defs.h. */
#define BIT(name, mask)                     \
   {                                        \
      name, (uint8_t)__builtin_ctz(mask), 1 \
   }
static const struct pm4d_field event_fields[] = {
   {"EVENT_TYPE", PM4D_EVENT_TYPE_SHIFT, 6},
   {"EVENT_INDEX", PM4D_EVENT_INDEX_SHIFT, 4},
};
static const struct pm4d_field rm_gfx9_dw1[] = {
   {"EVENT_TYPE", PM4D_EVENT_TYPE_SHIFT, 6},
   {"EVENT_INDEX", PM4D_EVENT_INDEX_SHIFT, 4},
   BIT("TC_WB_ACTION_EN", PM4D_RM_GFX9_TC_WB_ACTION_EN),
   BIT("TCL1_ACTION_EN", PM4D_RM_GFX9_TCL1_ACTION_EN),
   BIT("TC_ACTION_EN", PM4D_RM_GFX9_TC_ACTION_EN),
   BIT("TC_MD_ACTION_EN", PM4D_RM_GFX9_TC_MD_ACTION_EN),
};
static const struct pm4d_field rm_gfx10_dw1[] = {
   {"EVENT_TYPE", PM4D_EVENT_TYPE_SHIFT, 6}, {"EVENT_INDEX", PM4D_EVENT_INDEX_SHIFT, 4},
   BIT("GLM_WB", PM4D_RM_GFX10_GLM_WB),      BIT("GLM_INV", PM4D_RM_GFX10_GLM_INV),
   BIT("GLV_INV", PM4D_RM_GFX10_GLV_INV),    BIT("GL1_INV", PM4D_RM_GFX10_GL1_INV),
   BIT("GL2_INV", PM4D_RM_GFX10_GL2_INV),    BIT("GL2_WB", PM4D_RM_GFX10_GL2_WB),
   BIT("GCR_SEQ", PM4D_RM_GFX10_GCR_SEQ),    {"CACHE_POLICY", PM4D_RM_GFX10_CACHE_POLICY_SHIFT, 2},
};
static const struct pm4d_field rm_dw2[] = {
   {"DST_SEL", PM4D_RM_DST_SEL_SHIFT, 2},
   {"INT_SEL", PM4D_RM_INT_SEL_SHIFT, 3},
   {"DATA_SEL", PM4D_RM_DATA_SEL_SHIFT, 3},
};
static const struct pm4d_field am_gfx9_cntl[] = {
   BIT("TC_WB_ACTION_ENA", PM4D_AM_GFX9_TC_WB_ACTION_ENA),
   BIT("TCL1_ACTION_ENA", PM4D_AM_GFX9_TCL1_ACTION_ENA),
   BIT("TC_ACTION_ENA", PM4D_AM_GFX9_TC_ACTION_ENA),
   BIT("SH_KCACHE_ACTION_ENA", PM4D_AM_GFX9_SH_KCACHE_ACTION_ENA),
   BIT("SH_ICACHE_ACTION_ENA", PM4D_AM_GFX9_SH_ICACHE_ACTION_ENA),
};
static const struct pm4d_field am_gfx10_gcr[] = {
   {"GLI_INV", (uint8_t)__builtin_ctz(PM4D_AM_GFX10_GLI_INV_ALL), 2},
   BIT("GLM_WB", PM4D_AM_GFX10_GLM_WB),
   BIT("GLM_INV", PM4D_AM_GFX10_GLM_INV),
   BIT("GLK_WB", PM4D_AM_GFX10_GLK_WB),
   BIT("GLK_INV", PM4D_AM_GFX10_GLK_INV),
   BIT("GLV_INV", PM4D_AM_GFX10_GLV_INV),
   BIT("GL1_INV", PM4D_AM_GFX10_GL1_INV),
   BIT("GL2_INV", PM4D_AM_GFX10_GL2_INV),
   BIT("GL2_WB", PM4D_AM_GFX10_GL2_WB),
};
static const struct pm4d_field wrm_dw1[] = {
   {"FUNCTION", 0, 3},
   {"MEM_SPACE", PM4D_WRM_MEM_SPACE_SHIFT, 2},
   {"OPERATION", PM4D_WRM_OPERATION_SHIFT, 2},
   {"ENGINE", PM4D_WRM_ENGINE_SHIFT, 2},
};
static const struct pm4d_field wd_dw1[] = {
   {"DST_SEL", PM4D_WD_DST_SEL_SHIFT, 4},
   BIT("WR_CONFIRM", PM4D_WD_WR_CONFIRM),
   {"ENGINE_SEL", PM4D_WD_ENGINE_SEL_SHIFT, 2},
};
static const struct pm4d_field ib_dw3[] = {
   {"IB_SIZE", 0, 20},
   BIT("VALID", PM4D_IB_VALID),
   {"VMID", PM4D_IB_VMID_SHIFT, 4},
};

#define N(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

/* The packet fields that differ by level: RELEASE_MEM's EVENT_CNTL (GFX9 TC actions, GFX10+
 * GCR bits) and ACQUIRE_MEM's COHER_CNTL (GFX9 only; GFX10+ use GCR_CNTL). */
static const struct level_fields {
   const struct pm4d_field *rm_dw1, *am_cntl;
   unsigned n_rm_dw1, n_am_cntl;
} level_fields[PM4D_GFX_COUNT] = {
   [PM4D_GFX9] = {rm_gfx9_dw1, am_gfx9_cntl, N(rm_gfx9_dw1), N(am_gfx9_cntl)},
   [PM4D_GFX10_3] = {rm_gfx10_dw1, NULL, N(rm_gfx10_dw1), 0},
   [PM4D_GFX11] = {rm_gfx10_dw1, NULL, N(rm_gfx10_dw1), 0},
};

struct dword_desc {
   const char *name;
   const struct pm4d_field *fields;
   unsigned nfields;
};

static void print_fields(FILE *out, uint32_t v, const struct pm4d_field *f, unsigned n)
{
   for (unsigned i = 0; i < n; i++) {
      uint32_t x = pm4d_field_get(v, &f[i]);
      if (x || f[i].width > 1)
         fprintf(out, " %s=%" PRIu32, f[i].name, x);
   }
}

static void print_dwords(FILE *out, const struct pm4d_packet *p, const struct dword_desc *d,
                         unsigned n)
{
   for (unsigned i = 0; i < n && i < p->body_dw; i++) {
      fprintf(out, "  [%04" PRIx32 "] %08" PRIx32 "   %s", p->offset + 1 + i, p->body[i],
              d[i].name);
      print_fields(out, p->body[i], d[i].fields, d[i].nfields);
      fputc('\n', out);
   }
}

static void decode_set_sh_reg(FILE *out, enum pm4d_gfx_level level, const struct pm4d_packet *p)
{
   const struct pm4d_reg_table *t = pm4d_regs_table(level);
   fprintf(out, "  [%04" PRIx32 "] %08" PRIx32 "   offset 0x%03" PRIx32 "\n", p->offset + 1,
           p->body[0], p->body[0] & PM4D_SET_SH_REG_OFFSET_MASK);
   for (uint32_t i = 0; i < pm4d_sh_write_count(p); i++) {
      enum pm4d_reg r;
      uint32_t off, v;
      unsigned nf;
      pm4d_sh_write(p, i, t, &r, &off, &v);
      fprintf(out, "  [%04" PRIx32 "] %08" PRIx32 "   ", p->offset + 2 + i, v);
      if (r == PM4D_REG_NONE) {
         fprintf(out, "SH_REG 0x%04" PRIx32 " (unknown)\n", PM4D_SH_REG_BASE + off);
         continue;
      }
      fprintf(out, "%s", pm4d_reg_name(r));
      const struct pm4d_field *f = pm4d_reg_fields(level, r, &nf);
      print_fields(out, v, f, nf);
      fputc('\n', out);
   }
}

static void decode_body(FILE *out, enum pm4d_gfx_level level, const struct pm4d_packet *p)
{
   const struct level_fields *lf = &level_fields[level];
   unsigned ndi;
   const struct pm4d_field *di = pm4d_reg_fields(level, PM4D_REG_DISPATCH_INITIATOR, &ndi);
   switch (p->opcode) {
   case PM4D_OP_SET_SH_REG:
      if (p->body_dw >= 1)
         decode_set_sh_reg(out, level, p);
      return;
   case PM4D_OP_DISPATCH_DIRECT: {
      const struct dword_desc d[] = {
         {"DIM_X", NULL, 0},
         {"DIM_Y", NULL, 0},
         {"DIM_Z", NULL, 0},
         {"DISPATCH_INITIATOR", di, ndi},
      };
      print_dwords(out, p, d, N(d));
      return;
   }
   case PM4D_OP_EVENT_WRITE: {
      const struct dword_desc d[] = {{"EVENT", event_fields, N(event_fields)}};
      print_dwords(out, p, d, N(d));
      return;
   }
   case PM4D_OP_RELEASE_MEM: {
      const struct dword_desc d[] = {
         {"EVENT_CNTL", lf->rm_dw1, lf->n_rm_dw1},
         {"DATA_CNTL", rm_dw2, N(rm_dw2)},
         {"ADDR_LO", NULL, 0},
         {"ADDR_HI", NULL, 0},
         {"DATA_LO", NULL, 0},
         {"DATA_HI", NULL, 0},
         {"INT_CTXID", NULL, 0},
      };
      print_dwords(out, p, d, N(d));
      return;
   }
   case PM4D_OP_ACQUIRE_MEM: {
      const struct dword_desc d[] = {
         {"COHER_CNTL", lf->am_cntl, lf->n_am_cntl},
         {"COHER_SIZE", NULL, 0},
         {"COHER_SIZE_HI", NULL, 0},
         {"COHER_BASE", NULL, 0},
         {"COHER_BASE_HI", NULL, 0},
         {"POLL_INTERVAL", NULL, 0},
         {"GCR_CNTL", am_gfx10_gcr, N(am_gfx10_gcr)}, /* GFX10+ */
      };
      print_dwords(out, p, d, N(d));
      return;
   }
   case PM4D_OP_WAIT_REG_MEM: {
      const struct dword_desc d[] = {
         {"WAIT_CNTL", wrm_dw1, N(wrm_dw1)},
         {"POLL_ADDR_LO", NULL, 0},
         {"POLL_ADDR_HI", NULL, 0},
         {"REFERENCE", NULL, 0},
         {"MASK", NULL, 0},
         {"POLL_INTERVAL", NULL, 0},
      };
      print_dwords(out, p, d, N(d));
      return;
   }
   case PM4D_OP_WRITE_DATA: {
      const struct dword_desc d[] = {
         {"WRITE_CNTL", wd_dw1, N(wd_dw1)},
         {"DST_ADDR_LO", NULL, 0},
         {"DST_ADDR_HI", NULL, 0},
      };
      print_dwords(out, p, d, N(d));
      for (uint32_t i = N(d); i < p->body_dw; i++)
         fprintf(out, "  [%04" PRIx32 "] %08" PRIx32 "   DATA\n", p->offset + 1 + i, p->body[i]);
      return;
   }
   case PM4D_OP_INDIRECT_BUFFER: {
      const struct dword_desc d[] = {
         {"IB_BASE_LO", NULL, 0},
         {"IB_BASE_HI", NULL, 0},
         {"IB_CNTL", ib_dw3, N(ib_dw3)},
      };
      print_dwords(out, p, d, N(d));
      return;
   }
   default: return; /* NOP and unknown opcodes: body not shown */
   }
}

enum pm4d_status pm4d_decode(enum pm4d_gfx_level level, const uint32_t *dw, uint32_t ndw, FILE *out)
{
   struct pm4d_iter it;
   struct pm4d_packet p;
   char why[PM4D_PM4_REASON_MAX] = "";
   enum pm4d_iter_result r;
   if (!pm4d_regs_table(level))
      return PM4D_ERR_INVALID;
   pm4d_iter_init(&it, dw, ndw);
   while ((r = pm4d_iter_next(&it, &p, why, sizeof(why))) == PM4D_ITER_PACKET) {
      fprintf(out, "[%04" PRIx32 "] %08" PRIx32 " ", p.offset, p.header);
      if (p.type != 3) {
         fprintf(out, "PKT2 (filler)\n");
         continue;
      }
      const char *name = pm4d_pkt_opcode_name(p.opcode);
      if (name)
         fprintf(out, "%s", name);
      else
         fprintf(out, "OPCODE_0x%02" PRIx32, p.opcode);
      fprintf(out, " (%" PRIu32 " body dwords%s)\n", p.body_dw, p.compute ? ", compute" : "");
      decode_body(out, level, &p);
   }
   if (r == PM4D_ITER_ERROR) {
      fprintf(out, "[%04" PRIx32 "] %08" PRIx32 " error: %s\n", it.pos, dw[it.pos], why);
      return PM4D_ERR_INVALID;
   }
   return PM4D_OK;
}
