/* Builder -> decoder / iterator / validator round trip, template == dynamic build, automatic
 * path selection and its counters, the bounded emitter, descriptor refusals, NOP padding. */
#include <stdint.h>
#include <stdlib.h>

#include "pm4d_decode.h"
#include "pm4d_iter.h"
#include "pm4d_template.h"
#include "pm4d_test.h"
#include "pm4d_validate.h"

static const struct {
   enum pm4d_gfx_level level;
   const char *target;
   unsigned wave;
} levels[] = {
   {PM4D_GFX9, "gfx900", 64}, {PM4D_GFX10_3, "gfx1030", 32}, {PM4D_GFX11, "gfx1100", 32}};
#define NLEVELS 3

/* A batch: head, the first dispatch (no barrier), a later one (barrier), tail. Returns dwords. */
static uint32_t build_batch(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k,
                            uint32_t *buf, uint32_t max, const uint32_t grid[3])
{
   struct pm4d_cs cs;
   char why[PM4D_PM4_REASON_MAX] = "";
   pm4d_cs_init(&cs, buf, max);
   CHECK(pm4d_builder_batch_head(b, &cs, why, sizeof(why)) == PM4D_OK);
   for (int later = 0; later < 2; later++)
      CHECK(pm4d_builder_dispatch(b, k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, !later, &cs,
                                  NULL, why, sizeof(why)) == PM4D_OK);
   CHECK(pm4d_builder_batch_tail(b, PM4D_TEST_FENCE, 7, &cs, NULL, why, sizeof(why)) == PM4D_OK);
   return cs.cdw;
}

/* Register offsets and fields written out from the sources, not from pm4d_regs.c (SH offset =
 * kernel offset + GC seg0 - 0x2C00; gc_10_3_0 / gc_11_0_0: seg0 0x1260, gc_9_x: 0x2000): */
#define SH_NUM_THREAD_X 0x207 /* mmCOMPUTE_NUM_THREAD_X 0x1ba7 / 0x0e07 */
#define SH_PGM_LO       0x20C /* mmCOMPUTE_PGM_LO 0x1bac / 0x0e0c */
#define SH_PGM_RSRC2    0x213 /* mmCOMPUTE_PGM_RSRC2 0x1bb3 / 0x0e13 */
#define SH_RSRC3_GFX10  0x228 /* mmCOMPUTE_PGM_RSRC3 0x1bc8 (gc_10_3_0, gc_11_0_0) */
#define SH_RSRC3_GFX90A 0x22D /* regCOMPUTE_PGM_RSRC3 0x0e2d (gc_9_4_2_offset.h) */
#define SH_USER_DATA_0  0x240 /* mmCOMPUTE_USER_DATA_0 0x1be0 / 0x0e40 */
/* pm4d_test_kernel's RSRC2 0x84 with LDS_SIZE (gc_*_sh_mask.h COMPUTE_PGM_RSRC2__LDS_SIZE,
 * bits 23:15) = 4096 bytes / 512 = 8. */
#define TEST_RSRC2_PROGRAMMED 0x00040084u

/* Every SET_SH_REG write of a stream by its raw SH offset (no register table involved). */
struct sh_writes {
   uint32_t value[PM4D_SH_REG_END - PM4D_SH_REG_BASE];
   bool written[PM4D_SH_REG_END - PM4D_SH_REG_BASE];
};

static void collect_sh_writes(const struct pm4d_packet *p, struct sh_writes *w)
{
   if (p->opcode != PM4D_OP_SET_SH_REG)
      return;
   for (uint32_t i = 0; i + 1 < p->body_dw; i++) {
      uint32_t off = p->body[0] + i;
      CHECKF(off < PM4D_SH_REG_END - PM4D_SH_REG_BASE, "SH offset 0x%x", off);
      if (off < PM4D_SH_REG_END - PM4D_SH_REG_BASE) {
         w->value[off] = p->body[1 + i];
         w->written[off] = true;
      }
   }
}

static void test_roundtrip(void)
{
   for (int l = 0; l < NLEVELS; l++) {
      struct pm4d_builder b;
      struct pm4d_kernel_desc k = pm4d_test_kernel(levels[l].target, levels[l].wave);
      uint32_t buf[256];
      const uint32_t grid[3] = {9, 3, 2};
      CHECK(pm4d_builder_init(&b, levels[l].level) == PM4D_OK);
      uint32_t n = build_batch(&b, &k, buf, 256, grid);

      /* iterator: every SET_SH_REG write by its SH offset */
      static struct sh_writes w;
      memset(&w, 0, sizeof(w));
      uint32_t dispatches = 0, release = 0, partial = 0, acquire = 0;
      struct pm4d_iter it;
      struct pm4d_packet p;
      char why[PM4D_PM4_REASON_MAX] = "";
      pm4d_iter_init(&it, buf, n);
      while (pm4d_iter_next(&it, &p, why, sizeof(why)) == PM4D_ITER_PACKET) {
         collect_sh_writes(&p, &w);
         if (p.opcode == PM4D_OP_DISPATCH_DIRECT) {
            dispatches++;
            CHECK(p.body[0] == 9 && p.body[1] == 3 && p.body[2] == 2);
         }
         release += p.opcode == PM4D_OP_RELEASE_MEM;
         /* the one barrier sits between the two dispatches; the head's acquire comes first */
         if (p.opcode == PM4D_OP_EVENT_WRITE)
            CHECK(dispatches == 1 && partial++ == 0);
         if (p.opcode == PM4D_OP_ACQUIRE_MEM)
            CHECK(dispatches == acquire++);
      }
      CHECK(it.pos == n);
      CHECK(dispatches == 2 && release == 1 && partial == 1 && acquire == 2);
      CHECK(n == pm4d_builder_head_dw(&b) + pm4d_builder_dispatch_dw(&b, &k, true) +
                    pm4d_builder_dispatch_dw(&b, &k, false) + pm4d_builder_tail_dw(&b));
      CHECK(w.value[SH_PGM_LO] == (uint32_t)(PM4D_TEST_PROGRAM >> 8));
      CHECK(w.value[SH_USER_DATA_0] == (uint32_t)PM4D_TEST_KERNARG);
      CHECK(w.value[SH_USER_DATA_0 + 1] == (uint32_t)(PM4D_TEST_KERNARG >> 32));
      CHECK(w.value[SH_NUM_THREAD_X] == 64);
      CHECK(w.value[SH_PGM_RSRC2] == TEST_RSRC2_PROGRAMMED);
      CHECK(w.written[SH_RSRC3_GFX10] == (levels[l].level != PM4D_GFX9));

      /* decoder: names registers and fields */
      char *text = NULL;
      size_t len = 0;
      FILE *out = open_memstream(&text, &len);
      CHECK(pm4d_decode(levels[l].level, buf, n, out) == PM4D_OK);
      fclose(out);
      CHECK(strstr(text, "COMPUTE_PGM_LO") && strstr(text, "COMPUTE_USER_DATA_1"));
      CHECK(strstr(text, "LDS_SIZE=8") != NULL);
      CHECK(strstr(text, "DISPATCH_DIRECT") && strstr(text, "RELEASE_MEM"));
      CHECK(strstr(text, "DATA_SEL=2") && strstr(text, "INT_SEL=0"));
      CHECK((strstr(text, "CS_W32_EN") != NULL) == (levels[l].wave == 32));
      CHECK(strstr(text, "ORDER_MODE=1") != NULL);
      CHECK((strstr(text, "COMPUTE_PGM_RSRC3") != NULL) == (levels[l].level != PM4D_GFX9));
      free(text);

      /* validator accepts what the builder emits */
      struct pm4d_validator v;
      struct pm4d_validate_error err;
      CHECK(pm4d_validator_init(&v, levels[l].level) == PM4D_OK);
      CHECK(pm4d_validator_add_program(&v, PM4D_TEST_PROGRAM, 4096, &k) == PM4D_OK);
      CHECK(pm4d_validator_add_kernarg(&v, PM4D_TEST_KERNARG, 4096) == PM4D_OK);
      CHECK(pm4d_validator_add_fence(&v, PM4D_TEST_FENCE, 8) == PM4D_OK);
      enum pm4d_status st = pm4d_validate(&v, buf, n, &err);
      if (st != PM4D_OK)
         fprintf(stderr, "validate: %u: %s\n", err.offset, err.reason);
      CHECK(st == PM4D_OK);
   }
}

static void test_template_equals_dynamic(void)
{
   srand(12345);
   for (int l = 0; l < NLEVELS; l++) {
      struct pm4d_builder b;
      struct pm4d_kernel_desc k = pm4d_test_kernel(levels[l].target, levels[l].wave);
      struct pm4d_template t;
      struct pm4d_tail_template tt;
      char why[PM4D_PM4_REASON_MAX] = "";
      CHECK(pm4d_builder_init(&b, levels[l].level) == PM4D_OK);
      CHECK(pm4d_template_build(&b, &k, PM4D_TEST_PROGRAM, &t, why, sizeof(why)) == PM4D_OK);
      CHECK(pm4d_tail_template_build(&b, &tt, why, sizeof(why)) == PM4D_OK);
      for (int i = 0; i < 1000; i++) {
         uint32_t grid[3] = {1 + (uint32_t)rand() % 65535, 1 + (uint32_t)rand() % 300,
                             1 + (uint32_t)rand() % 7};
         uint64_t ka = ((uint64_t)rand() << 20 | (uint64_t)rand() << 4) & 0xFFFFFFFFFFF0ull;
         ka += 16;
         uint64_t fa = (((uint64_t)rand() << 24) | (uint64_t)rand()) & ~7ull;
         fa += 8;
         uint64_t fv = ((uint64_t)rand() << 33) ^ (uint64_t)rand();
         uint32_t dyn[PM4D_DISPATCH_MAX_DW], tpl[PM4D_DISPATCH_MAX_DW + 1];
         struct pm4d_cs cs;
         for (int first = 0; first < 2; first++) {
            for (uint32_t j = 0; j <= PM4D_DISPATCH_MAX_DW; j++)
               tpl[j] = 0xDEADBEEF;
            pm4d_cs_init(&cs, dyn, PM4D_DISPATCH_MAX_DW);
            CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, ka, grid, first, &cs, NULL, why,
                                        sizeof(why)) == PM4D_OK);
            uint32_t n = pm4d_template_instantiate(&t, tpl, first, ka, grid);
            CHECK(n == cs.cdw && n == pm4d_template_dw(&t, first));
            CHECK(memcmp(dyn, tpl, n * 4) == 0);
            CHECK(tpl[n] == 0xDEADBEEF); /* nothing written past the dispatch */
         }

         uint32_t dtail[PM4D_BATCH_TAIL_MAX_DW], ttail[PM4D_BATCH_TAIL_MAX_DW];
         pm4d_cs_init(&cs, dtail, PM4D_BATCH_TAIL_MAX_DW);
         CHECK(pm4d_builder_batch_tail(&b, fa, fv, &cs, NULL, why, sizeof(why)) == PM4D_OK);
         CHECK(pm4d_tail_template_instantiate(&tt, ttail, fa, fv) == cs.cdw);
         CHECK(memcmp(dtail, ttail, cs.cdw * 4) == 0);
      }
   }
}

/* The XORs the direct path's per-batch check rests on (layer/pm4/pm4d_template.h), against a
 * plain dword-at-a-time loop: pm4d_xor_dw at every start offset and length, pm4d_xor_dw8 on
 * aligned whole blocks, an instantiated template's XOR against pm4d_template_xor, and
 * pm4d_template_intact refusing every single-bit change of a template's fixed dwords. */
static uint32_t xor_plain(const uint32_t *dw, uint32_t n)
{
   uint32_t r = 0;
   for (uint32_t i = 0; i < n; i++)
      r ^= dw[i];
   return r;
}

static void test_xor(void)
{
   _Alignas(32) static uint32_t buf[512];
   srand(777);
   for (uint32_t i = 0; i < 512; i++)
      buf[i] = (uint32_t)rand() * 2654435761u ^ (uint32_t)rand();
   for (uint32_t off = 0; off < 8; off++)
      for (uint32_t n = 0; n + off <= 300; n++)
         CHECK(pm4d_xor_dw(buf + off, n) == xor_plain(buf + off, n));
   for (uint32_t off = 0; off < 16; off += 4)
      for (uint32_t n = 0; n + off <= 504; n += 8)
         CHECK(pm4d_xor_dw8(buf + off, n) == xor_plain(buf + off, n));

   for (int l = 0; l < NLEVELS; l++) {
      struct pm4d_builder b;
      struct pm4d_kernel_desc k = pm4d_test_kernel(levels[l].target, levels[l].wave);
      static struct pm4d_template t;
      char why[PM4D_PM4_REASON_MAX] = "";
      CHECK(pm4d_builder_init(&b, levels[l].level) == PM4D_OK);
      CHECK(pm4d_template_build(&b, &k, PM4D_TEST_PROGRAM, &t, why, sizeof(why)) == PM4D_OK);
      const uint32_t grid[3] = {77, 5, 3};
      uint32_t out[PM4D_DISPATCH_MAX_DW];
      for (int first = 0; first < 2; first++) {
         uint64_t ka = 0x12345678A0ull + 128u * (uint64_t)first;
         uint32_t n = pm4d_template_instantiate(&t, out, first, ka, grid);
         CHECK(xor_plain(out, n) == pm4d_template_xor(&t, first, ka, grid));
      }
      CHECK(pm4d_template_intact(&t));
      const struct pm4d_dispatch_slots *s = &t.slots;
      uint32_t flips = 0, refused = 0;
      for (uint32_t i = 0; i < t.ndw; i++) {
         if (i == s->kernarg_lo || i == s->kernarg_hi || i == s->grid[0] || i == s->grid[1] ||
             i == s->grid[2])
            continue; /* overwritten by every instantiation */
         for (uint32_t bit = 0; bit < 32; bit++, flips++) {
            t.dw[i] ^= 1u << bit;
            refused += !pm4d_template_intact(&t);
            t.dw[i] ^= 1u << bit;
         }
      }
      CHECK(flips == (t.ndw - 5) * 32 && refused == flips);
      CHECK(pm4d_template_intact(&t));
   }
}

static void test_auto_selection(void)
{
   struct pm4d_builder b;
   struct pm4d_kernel_desc k = pm4d_test_kernel("gfx1030", 32);
   struct pm4d_kernel_desc other = pm4d_test_kernel("gfx1030", 64);
   static struct pm4d_template t;
   struct pm4d_path_counters c = {0};
   uint32_t buf[4 * PM4D_DISPATCH_MAX_DW];
   struct pm4d_cs cs;
   char why[PM4D_PM4_REASON_MAX] = "";
   const uint32_t grid[3] = {2, 2, 2}, zero[3] = {0, 1, 1};
   CHECK(pm4d_builder_init(&b, PM4D_GFX10_3) == PM4D_OK);
   CHECK(pm4d_template_build(&b, &k, PM4D_TEST_PROGRAM, &t, why, sizeof(why)) == PM4D_OK);
   pm4d_cs_init(&cs, buf, 4 * PM4D_DISPATCH_MAX_DW);
   CHECK(pm4d_emit_dispatch(&b, &t, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, false, &cs, &c,
                            why, sizeof(why)) == PM4D_OK);
   CHECK(pm4d_emit_dispatch(&b, NULL, &other, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, false,
                            &cs, &c, why, sizeof(why)) == PM4D_OK);
   CHECK(pm4d_emit_dispatch(&b, &t, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, zero, false, &cs, &c,
                            why, sizeof(why)) == PM4D_ERR_INVALID);
   CHECK(c.template_dispatches == 1 && c.dynamic_dispatches == 1 && c.refused == 1);
   CHECK(cs.cdw == 2 * pm4d_builder_dispatch_dw(&b, &k, false));
   /* both halves are identical apart from the initiator's wave32 bit */
   uint32_t n = pm4d_builder_dispatch_dw(&b, &k, false);
   CHECK(memcmp(buf, buf + n, (n - 1) * 4) == 0);
   CHECK(buf[n - 1] == (buf[2 * n - 1] | PM4D_DI_CS_W32_EN));
}

static void test_emitter_bounds(void)
{
   uint32_t buf[8];
   struct pm4d_cs cs;
   pm4d_cs_init(&cs, buf, 8);
   CHECK(pm4d_cs_begin(&cs, 2));
   pm4d_cs_emit(&cs, 1);
   pm4d_cs_emit(&cs, 2);
   pm4d_cs_emit(&cs, 3); /* past the reservation */
   CHECK(!pm4d_cs_end(&cs));
   CHECK(cs.failed && cs.cdw == 2);

   pm4d_cs_init(&cs, buf, 8);
   CHECK(pm4d_cs_begin(&cs, 3));
   pm4d_cs_emit(&cs, 1);
   CHECK(!pm4d_cs_end(&cs)); /* fewer than reserved */

   pm4d_cs_init(&cs, buf, 8);
   CHECK(!pm4d_cs_begin(&cs, 9)); /* more than capacity */
   pm4d_cs_init(&cs, buf, 8);
   pm4d_cs_emit(&cs, 1); /* outside begin/end */
   CHECK(cs.failed && cs.cdw == 0);

   /* a dispatch into a buffer that cannot hold its budget */
   struct pm4d_builder b;
   struct pm4d_kernel_desc k = pm4d_test_kernel("gfx1100", 64);
   const uint32_t grid[3] = {1, 1, 1};
   char why[PM4D_PM4_REASON_MAX] = "";
   uint32_t small[40];
   CHECK(pm4d_builder_init(&b, PM4D_GFX11) == PM4D_OK);
   pm4d_cs_init(&cs, small, 40);
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, false, &cs, NULL,
                               why, sizeof(why)) == PM4D_ERR_NO_SPACE);
   CHECK(cs.cdw == 0);
   for (int l = 0; l < NLEVELS; l++) {
      struct pm4d_kernel_desc lk = pm4d_test_kernel(levels[l].target, levels[l].wave);
      CHECK(pm4d_builder_init(&b, levels[l].level) == PM4D_OK);
      CHECK(pm4d_builder_dispatch_dw(&b, &lk, false) <= PM4D_DISPATCH_MAX_DW);
      CHECK(pm4d_builder_head_dw(&b) <= PM4D_BATCH_HEAD_MAX_DW);
      CHECK(pm4d_builder_tail_dw(&b) <= PM4D_BATCH_TAIL_MAX_DW);
   }
}

static void refused(enum pm4d_gfx_level level, struct pm4d_kernel_desc k, const char *what)
{
   struct pm4d_builder b;
   uint32_t buf[64];
   struct pm4d_cs cs;
   char why[PM4D_PM4_REASON_MAX] = "";
   const uint32_t grid[3] = {1, 1, 1};
   CHECK(pm4d_builder_init(&b, level) == PM4D_OK);
   pm4d_cs_init(&cs, buf, 64);
   enum pm4d_status st = pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid,
                                               false, &cs, NULL, why, sizeof(why));
   CHECKF(st == PM4D_ERR_INVALID && why[0] && cs.cdw == 0, "kernel with %s was not refused", what);
}

static void test_refused_kernels(void)
{
   struct pm4d_kernel_desc k;
   refused(PM4D_GFX9, pm4d_test_kernel("gfx900", 32), "wave32 on GFX9");
   refused(PM4D_GFX11, pm4d_test_kernel("gfx1030", 64), "another target");
   k = pm4d_test_kernel("gfx1030", 64);
   k.private_segment_size = 16;
   refused(PM4D_GFX10_3, k, "scratch");
   k = pm4d_test_kernel("gfx1030", 64);
   k.group_segment_size = 65537;
   refused(PM4D_GFX10_3, k, "too much LDS");
   k = pm4d_test_kernel("gfx900", 64);
   k.rsrc3 = 10;
   refused(PM4D_GFX9, k, "RSRC3 on gfx900");
   k = pm4d_test_kernel("gfx1030", 64);
   k.wg_size[1] = 32;
   refused(PM4D_GFX10_3, k, "2048 work-items");
   k = pm4d_test_kernel("gfx1030", 64);
   k.rsrc2 &= ~0x3eu; /* USER_SGPR = 0: no room for the kernarg pointer */
   refused(PM4D_GFX10_3, k, "kernarg pointer without user SGPRs");
   k = pm4d_test_kernel("gfx1030", 64);
   k.wg_size[0] = 1024; /* 65536 * 1024 > 2^32 */
   struct pm4d_builder b;
   uint32_t buf[64];
   struct pm4d_cs cs;
   char why[PM4D_PM4_REASON_MAX] = "";
   const uint32_t big[3] = {65536 * 64, 1, 1};
   CHECK(pm4d_builder_init(&b, PM4D_GFX10_3) == PM4D_OK);
   pm4d_cs_init(&cs, buf, 64);
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, big, false, &cs, NULL,
                               why, sizeof(why)) == PM4D_ERR_INVALID);
   const uint32_t one[3] = {1, 1, 1};
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM + 4, PM4D_TEST_KERNARG, one, false, &cs,
                               NULL, why,
                               sizeof(why)) == PM4D_ERR_INVALID); /* misaligned program */
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG + 4, one, false, &cs,
                               NULL, why,
                               sizeof(why)) == PM4D_ERR_INVALID); /* misaligned kernarg */
   CHECK(cs.cdw == 0);
}

/* Kernels as the code-object loader describes them: the kernarg pointer in s[0:1] with more
 * user SGPRs declared than used (GFX11 pads them), and gfx90a with RSRC3 (ACCUM_OFFSET). */
static void test_loader_layouts(void)
{
   struct {
      enum pm4d_gfx_level level;
      const char *target;
      unsigned wave;
      uint32_t rsrc3;
   } cases[] = {
      {PM4D_GFX10_3, "gfx1030", 32, 0}, {PM4D_GFX9, "gfx90a", 64, 3}, {PM4D_GFX9, "gfx900", 64, 0}};
   for (unsigned c = 0; c < 3; c++) {
      struct pm4d_builder b;
      struct pm4d_kernel_desc k = pm4d_test_kernel(cases[c].target, cases[c].wave);
      k.rsrc2 = 0x38c; /* USER_SGPR = 6, TGID_X/Y/Z_EN */
      k.rsrc3 = cases[c].rsrc3;
      uint32_t buf[256];
      const uint32_t grid[3] = {3, 1, 1};
      CHECK(pm4d_builder_init_target(&b, cases[c].target) == PM4D_OK);
      uint32_t n = build_batch(&b, &k, buf, 256, grid);
      CHECK(pm4d_builder_dispatch_dw(&b, &k, false) <= PM4D_DISPATCH_MAX_DW);
      struct pm4d_iter it;
      struct pm4d_packet p;
      char why[PM4D_PM4_REASON_MAX] = "";
      static struct sh_writes w;
      memset(&w, 0, sizeof(w));
      pm4d_iter_init(&it, buf, n);
      while (pm4d_iter_next(&it, &p, why, sizeof(why)) == PM4D_ITER_PACKET)
         collect_sh_writes(&p, &w);
      CHECK(w.written[SH_USER_DATA_0] && !w.written[SH_USER_DATA_0 + 2]);
      CHECK(w.value[SH_USER_DATA_0] == (uint32_t)PM4D_TEST_KERNARG);
      CHECK(w.value[SH_USER_DATA_0 + 1] == (uint32_t)(PM4D_TEST_KERNARG >> 32));
      /* RSRC3: GFX10+ at 0x228; gfx90a at 0x22D, where 0x228 is STATIC_THREAD_MGMT_SE7 and
       * carries the preamble's all-CUs mask; gfx900 has none */
      uint32_t rsrc3_at = cases[c].level != PM4D_GFX9 ? SH_RSRC3_GFX10 : SH_RSRC3_GFX90A;
      CHECK(w.written[rsrc3_at] == (cases[c].level != PM4D_GFX9 || cases[c].rsrc3 != 0));
      CHECK(w.value[rsrc3_at] == cases[c].rsrc3);
      if (cases[c].rsrc3 && cases[c].level == PM4D_GFX9)
         CHECK(w.value[SH_RSRC3_GFX10] == 0xFFFFFFFFu);
      struct pm4d_validator v;
      struct pm4d_validate_error err;
      CHECK(pm4d_validator_init_target(&v, cases[c].target) == PM4D_OK);
      CHECK(pm4d_validator_add_program(&v, PM4D_TEST_PROGRAM, 4096, &k) == PM4D_OK);
      CHECK(pm4d_validator_add_kernarg(&v, PM4D_TEST_KERNARG, 4096) == PM4D_OK);
      CHECK(pm4d_validator_add_fence(&v, PM4D_TEST_FENCE, 8) == PM4D_OK);
      CHECK(pm4d_validate(&v, buf, n, &err) == PM4D_OK);
   }
}

/* Field names per level from the sh_mask headers: RSRC1 bits 22 (DEBUG_MODE) and 25
 * (CDBG_USER) exist on GFX9 / GFX10.3 and not on GC 11; the initiator's bit 17
 * (DISABLE_DISP_PREMPT_EN) and 16 (AMP_SHADER_EN) only on GC 11 here
 * (gc_11_0_0_sh_mask.h COMPUTE_PGM_RSRC1__*, COMPUTE_DISPATCH_INITIATOR__*). */
static void test_decoder_fields(void)
{
   const uint32_t stream[] = {PM4D_PKT3(PM4D_OP_SET_SH_REG, 2),
                              0x212,
                              (1u << 22) | (1u << 25), /* RSRC1 at 0x212 */
                              PM4D_PKT3(PM4D_OP_DISPATCH_DIRECT, 4),
                              1,
                              1,
                              1,
                              (1u << 17) | (1u << 16) | 1u};
   for (int l = 0; l < NLEVELS; l++) {
      char *text = NULL;
      size_t len = 0;
      FILE *out = open_memstream(&text, &len);
      CHECK(pm4d_decode(levels[l].level, stream, sizeof(stream) / 4, out) == PM4D_OK);
      fclose(out);
      bool gfx11 = levels[l].level == PM4D_GFX11;
      CHECKF((strstr(text, "DEBUG_MODE=1") != NULL) == !gfx11, "%s: %s", levels[l].target, text);
      CHECKF((strstr(text, "CDBG_USER=1") != NULL) == !gfx11, "%s: %s", levels[l].target, text);
      CHECKF((strstr(text, "DISABLE_DISP_PREMPT_EN=1") != NULL) == gfx11, "%s: %s",
             levels[l].target, text);
      CHECKF((strstr(text, "AMP_SHADER_EN=1") != NULL) == gfx11, "%s: %s", levels[l].target, text);
      free(text);
   }
}

/* No two registers of a level at one SH offset (gfx90a's RSRC3 once sat on
 * COMPUTE_STATIC_THREAD_MGMT_SE7's 0x228), and every present one inside the SH range. */
static void test_table_offsets(void)
{
   for (int l = 0; l < NLEVELS; l++) {
      const struct pm4d_reg_table *t = pm4d_regs_table(levels[l].level);
      for (unsigned a = 0; a < PM4D_REG_COUNT; a++) {
         if (t->offset[a] == 0) /* not on this level */
            continue;
         CHECKF(t->offset[a] < PM4D_SH_REG_END - PM4D_SH_REG_BASE, "%s %s at 0x%x",
                levels[l].target, pm4d_reg_name((enum pm4d_reg)a), t->offset[a]);
         for (unsigned b = a + 1; b < PM4D_REG_COUNT; b++)
            CHECKF(t->offset[a] != t->offset[b], "%s: %s and %s both at 0x%x", levels[l].target,
                   pm4d_reg_name((enum pm4d_reg)a), pm4d_reg_name((enum pm4d_reg)b), t->offset[a]);
      }
   }
}

static void test_nop_fill(void)
{
   static uint32_t buf[3 * 0x4000];
   const uint32_t sizes[] = {1, 2, 3, 17, 0x3FFF, 0x4000, 0x4001, 0x4002, 3 * 0x4000};
   for (unsigned s = 0; s < sizeof(sizes) / 4; s++) {
      memset(buf, 0xAB, sizeof(buf));
      pm4d_pkt_nop_fill(buf, sizes[s]);
      struct pm4d_iter it;
      struct pm4d_packet p;
      char why[PM4D_PM4_REASON_MAX] = "";
      pm4d_iter_init(&it, buf, sizes[s]);
      int bad = 0;
      while (pm4d_iter_next(&it, &p, why, sizeof(why)) == PM4D_ITER_PACKET)
         bad += p.type != 3 || p.opcode != PM4D_OP_NOP;
      CHECK(bad == 0);
      CHECK(it.pos == sizes[s]);
   }
}

int main(int argc, char **argv)
{
   static const struct pm4d_test_case tests[] = {
      {"roundtrip", test_roundtrip},           {"template", test_template_equals_dynamic},
      {"auto", test_auto_selection},           {"emitter", test_emitter_bounds},
      {"refused", test_refused_kernels},       {"nop", test_nop_fill},
      {"loader_layouts", test_loader_layouts}, {"decoder_fields", test_decoder_fields},
      {"table_offsets", test_table_offsets},   {"xor", test_xor},
   };
   pm4d_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv, NULL);
   return pm4d_check_finish("pm4_builder");
}
