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
   const char *why = NULL;
   pm4d_cs_init(&cs, buf, max);
   CHECK(pm4d_builder_batch_head(b, &cs, &why) == PM4D_OK);
   for (int later = 0; later < 2; later++)
      CHECK(pm4d_builder_dispatch(b, k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, !later, &cs,
                                  NULL, &why) == PM4D_OK);
   CHECK(pm4d_builder_batch_tail(b, PM4D_TEST_FENCE, 7, &cs, NULL, &why) == PM4D_OK);
   return cs.cdw;
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

      /* iterator: resolve every SET_SH_REG write back to register ids and values */
      const struct pm4d_reg_table *t = pm4d_regs_table(levels[l].level);
      uint32_t seen[PM4D_REG_COUNT] = {0}, dispatches = 0, release = 0, partial = 0, acquire = 0;
      uint64_t written = 0;
      struct pm4d_iter it;
      struct pm4d_packet p;
      const char *why = NULL;
      pm4d_iter_init(&it, buf, n);
      while (pm4d_iter_next(&it, &p, &why) == PM4D_ITER_PACKET) {
         for (uint32_t i = 0; i < pm4d_sh_write_count(&p); i++) {
            enum pm4d_reg r;
            uint32_t off, v;
            CHECK(pm4d_sh_write(&p, i, t, &r, &off, &v));
            CHECK(r != PM4D_REG_NONE);
            if (r != PM4D_REG_NONE) {
               seen[r] = v;
               written |= pm4d_reg_bit(r);
            }
         }
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
      CHECK(seen[PM4D_REG_PGM_LO] == (uint32_t)(PM4D_TEST_PROGRAM >> 8));
      CHECK(seen[PM4D_REG_USER_DATA_0] == (uint32_t)PM4D_TEST_KERNARG);
      CHECK(seen[PM4D_REG_USER_DATA_0 + 1] == (uint32_t)(PM4D_TEST_KERNARG >> 32));
      CHECK(seen[PM4D_REG_NUM_THREAD_X] == 64);
      CHECK(seen[PM4D_REG_PGM_RSRC2] == pm4d_builder_rsrc2(&k));
      CHECK(!!(written & pm4d_reg_bit(PM4D_REG_PGM_RSRC3)) == (levels[l].level != PM4D_GFX9));

      /* decoder: names registers and fields */
      char *text = NULL;
      size_t len = 0;
      FILE *out = open_memstream(&text, &len);
      CHECK(pm4d_decode(levels[l].level, buf, n, out) == PM4D_OK);
      fclose(out);
      CHECK(strstr(text, "COMPUTE_PGM_LO") && strstr(text, "COMPUTE_USER_DATA_1"));
      CHECK(strstr(text, "LDS_SIZE=8") != NULL);
      CHECK(strstr(text, "DISPATCH_DIRECT") && strstr(text, "RELEASE_MEM"));
      CHECK(strstr(text, "DATA_SEL=2") && strstr(text, "INT_SEL=2"));
      CHECK((strstr(text, "CS_W32_EN") != NULL) == (levels[l].wave == 32));
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
      const char *why = NULL;
      CHECK(pm4d_builder_init(&b, levels[l].level) == PM4D_OK);
      CHECK(pm4d_template_build(&b, &k, PM4D_TEST_PROGRAM, &t, &why) == PM4D_OK);
      CHECK(pm4d_tail_template_build(&b, &tt, &why) == PM4D_OK);
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
            CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, ka, grid, first, &cs, NULL,
                                        &why) == PM4D_OK);
            uint32_t n = pm4d_template_instantiate(&t, tpl, first, ka, grid);
            CHECK(n == cs.cdw && n == pm4d_template_dw(&t, first));
            CHECK(memcmp(dyn, tpl, n * 4) == 0);
            CHECK(tpl[n] == 0xDEADBEEF); /* nothing written past the dispatch */
         }

         uint32_t dtail[PM4D_BATCH_TAIL_MAX_DW], ttail[PM4D_BATCH_TAIL_MAX_DW];
         pm4d_cs_init(&cs, dtail, PM4D_BATCH_TAIL_MAX_DW);
         CHECK(pm4d_builder_batch_tail(&b, fa, fv, &cs, NULL, &why) == PM4D_OK);
         CHECK(pm4d_tail_template_instantiate(&tt, ttail, fa, fv) == cs.cdw);
         CHECK(memcmp(dtail, ttail, cs.cdw * 4) == 0);
      }
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
   const char *why = NULL;
   const uint32_t grid[3] = {2, 2, 2}, zero[3] = {0, 1, 1};
   CHECK(pm4d_builder_init(&b, PM4D_GFX10_3) == PM4D_OK);
   CHECK(pm4d_template_build(&b, &k, PM4D_TEST_PROGRAM, &t, &why) == PM4D_OK);
   pm4d_cs_init(&cs, buf, 4 * PM4D_DISPATCH_MAX_DW);
   CHECK(pm4d_emit_dispatch(&b, &t, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, false, &cs, &c,
                            &why) == PM4D_OK);
   CHECK(pm4d_emit_dispatch(&b, NULL, &other, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, false,
                            &cs, &c, &why) == PM4D_OK);
   CHECK(pm4d_emit_dispatch(&b, &t, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, zero, false, &cs, &c,
                            &why) == PM4D_ERR_INVALID);
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
   const char *why = NULL;
   uint32_t small[40];
   CHECK(pm4d_builder_init(&b, PM4D_GFX11) == PM4D_OK);
   pm4d_cs_init(&cs, small, 40);
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, false, &cs, NULL,
                               &why) == PM4D_ERR_NO_SPACE);
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
   const char *why = NULL;
   const uint32_t grid[3] = {1, 1, 1};
   CHECK(pm4d_builder_init(&b, level) == PM4D_OK);
   pm4d_cs_init(&cs, buf, 64);
   enum pm4d_status st = pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid,
                                               false, &cs, NULL, &why);
   CHECKF(st == PM4D_ERR_INVALID && why && cs.cdw == 0, "kernel with %s was not refused", what);
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
   const char *why = NULL;
   const uint32_t big[3] = {65536 * 64, 1, 1};
   CHECK(pm4d_builder_init(&b, PM4D_GFX10_3) == PM4D_OK);
   pm4d_cs_init(&cs, buf, 64);
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, big, false, &cs, NULL,
                               &why) == PM4D_ERR_INVALID);
   const uint32_t one[3] = {1, 1, 1};
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM + 4, PM4D_TEST_KERNARG, one, false, &cs,
                               NULL, &why) == PM4D_ERR_INVALID); /* misaligned program */
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG + 4, one, false, &cs,
                               NULL, &why) == PM4D_ERR_INVALID); /* misaligned kernarg */
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
      CHECK(pm4d_builder_init(&b, cases[c].level) == PM4D_OK);
      uint32_t n = build_batch(&b, &k, buf, 256, grid);
      CHECK(pm4d_builder_dispatch_dw(&b, &k, false) <= PM4D_DISPATCH_MAX_DW);
      struct pm4d_iter it;
      struct pm4d_packet p;
      const char *why = NULL;
      uint64_t written = 0;
      uint32_t val[PM4D_REG_COUNT] = {0};
      pm4d_iter_init(&it, buf, n);
      while (pm4d_iter_next(&it, &p, &why) == PM4D_ITER_PACKET) {
         for (uint32_t i = 0; i < pm4d_sh_write_count(&p); i++) {
            enum pm4d_reg r;
            uint32_t off, v;
            pm4d_sh_write(&p, i, pm4d_regs_table(cases[c].level), &r, &off, &v);
            written |= pm4d_reg_bit(r);
            val[r] = v;
         }
      }
      CHECK(written & pm4d_reg_bit(PM4D_REG_USER_DATA_0));
      CHECK(!(written & pm4d_reg_bit(PM4D_REG_USER_DATA_0 + 2)));
      CHECK(val[PM4D_REG_USER_DATA_0] == (uint32_t)PM4D_TEST_KERNARG);
      CHECK(val[PM4D_REG_USER_DATA_0 + 1] == (uint32_t)(PM4D_TEST_KERNARG >> 32));
      CHECK(!!(written & pm4d_reg_bit(PM4D_REG_PGM_RSRC3)) ==
            (cases[c].level != PM4D_GFX9 || cases[c].rsrc3 != 0));
      CHECK(val[PM4D_REG_PGM_RSRC3] == cases[c].rsrc3);
      struct pm4d_validator v;
      struct pm4d_validate_error err;
      CHECK(pm4d_validator_init(&v, cases[c].level) == PM4D_OK);
      CHECK(pm4d_validator_add_program(&v, PM4D_TEST_PROGRAM, 4096, &k) == PM4D_OK);
      CHECK(pm4d_validator_add_kernarg(&v, PM4D_TEST_KERNARG, 4096) == PM4D_OK);
      CHECK(pm4d_validator_add_fence(&v, PM4D_TEST_FENCE, 8) == PM4D_OK);
      CHECK(pm4d_validate(&v, buf, n, &err) == PM4D_OK);
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
      const char *why = NULL;
      pm4d_iter_init(&it, buf, sizes[s]);
      int bad = 0;
      while (pm4d_iter_next(&it, &p, &why) == PM4D_ITER_PACKET)
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
      {"loader_layouts", test_loader_layouts},
   };
   pm4d_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv, NULL);
   return pm4d_check_finish("pm4_builder");
}
