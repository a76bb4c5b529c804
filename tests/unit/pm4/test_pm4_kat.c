/* Known-answer tests: the builder's dispatch, batch head and batch tail for each GFX level,
 * compared dword by dword with values written out by hand from the sources, not from the
 * builder's tables:
 *  - headers: PACKET3(op, n) = 3 << 30 | n << 16 | op << 8, plus the compute bit 1 << 1
 *    (PACKET3_COMPUTE, nvd.h); SET_SH_REG 0x76, DISPATCH_DIRECT 0x15, EVENT_WRITE 0x46,
 *    ACQUIRE_MEM 0x58, RELEASE_MEM 0x49 (soc15d.h / nvd.h).
 *  - SH offsets = kernel mm/reg offset + GC seg0 - 0x2C00: GFX10.3/11 mmCOMPUTE_PGM_LO 0x1bac
 *    + 0x1260 - 0x2C00 = 0x20C; RSRC1 0x1bb2 -> 0x212; RESOURCE_LIMITS 0x1bb5 -> 0x215;
 *    TMPRING_SIZE 0x1bb8 -> 0x218; RSRC3 0x1bc8 -> 0x228; USER_DATA_0 0x1be0 -> 0x240;
 *    START_X 0x1ba4 -> 0x204. GFX9 (gc_9_0_offset.h, seg0 0x2000): 0x0e0c -> 0x20C etc.
 *    gfx90a (gc_9_4_2_offset.h): regCOMPUTE_PGM_RSRC3 0x0e2d -> 0x22D (0x0e28, i.e. 0x228,
 *    is regCOMPUTE_STATIC_THREAD_MGMT_SE7 there).
 *  - EVENT_WRITE CS_PARTIAL_FLUSH: type 7, index 4 -> 0x407.
 *  - ACQUIRE_MEM GFX10+ GCR_CNTL: GLI_INV(1) 1<<0, GLK_INV 1<<7, GLV_INV 1<<8, GL1_INV 1<<9
 *    = 0x381; plus GLM_WB 1<<4, GLM_INV 1<<5, GL2_INV 1<<14, GL2_WB 1<<15 = 0xC3B1.
 *    GFX9 CP_COHER_CNTL: SH_ICACHE 1<<29, SH_KCACHE 1<<27, TCL1 1<<22 = 0x28400000; plus
 *    TC 1<<23, TC_WB 1<<18 = 0x28C40000.
 *  - RELEASE_MEM dw1 GFX10+: GCR_SEQ 1<<22 | GL2_WB 1<<21 | GLM_INV 1<<13 | GLM_WB 1<<12 |
 *    CACHE_POLICY(3) 3<<25 | EVENT_INDEX(5) 5<<8 | CACHE_FLUSH_AND_INV_TS 0x14 = 0x06603514.
 *    GFX9: TC_MD 1<<21 | TC 1<<17 | TCL1 1<<16 | TC_WB 1<<15 | 0x514 = 0x00238514.
 *    dw2: DATA_SEL(2) 2<<29, INT_SEL 0 (no interrupt) = 0x40000000.
 *  - DISPATCH_INITIATOR: COMPUTE_SHADER_EN 1<<0 | FORCE_START_AT_000 1<<2 | ORDER_MODE 1<<6
 *    (| CS_W32_EN 1<<15) = 0x45 / 0x8045 (gc_*_sh_mask.h COMPUTE_DISPATCH_INITIATOR__*_SHIFT).
 *  - Batch head compute preamble (SH offsets from the byte addresses in Mesa ac_cmdbuf.c,
 *    (0xBxxx - 0xB000) / 4, and the kernel headers): STATIC_THREAD_MGMT_SE0/1 0x216/0x217,
 *    TMPRING_SIZE 0x218 between, SE2/3 0x219/0x21A, all CUs 0xFFFFFFFF; gfx90a SE4..7
 *    0x225..0x228 (gc_9_4_2_offset.h 0x0e25..0x0e28); GFX10+ USER_ACCUM_0..3 0x224..0x227 = 0
 *    (R_00B890..), DISPATCH_TUNNEL 0x27D = 0 (R_00B9F4); GFX11 SE4..7 0x22B..0x22E
 *    (R_00B8AC..) and DISPATCH_INTERLEAVE 0x22F (R_00B8BC) = 64 (RADV).
 *  - RSRC2 0x84 with LDS_SIZE (bits 23:15) = 4096 / 512 = 8 -> 0x00040084.
 *  - A batch's first dispatch is the body alone; a later one is the barrier (CS_PARTIAL_FLUSH,
 *    ACQUIRE_MEM of the shader caches, as RADV's si_cs_emit_cache_flush emits between
 *    dependent compute dispatches) followed by the same body. Sizes written out: body
 *    2+2 PGM, 2+2 RSRC1/2, [1+2 RSRC3], 1+2 LIMITS, 1+2 TMPRING, 2+2 USER_DATA, 2+6 START/NUM,
 *    1+4 DISPATCH = 34 on GFX10.3/11, 31 on gfx900; barrier 2 + 8 (GFX10+) / 2 + 7 (GFX9). */
#include <stdint.h>

#include "pm4d_builder.h"
#include "pm4d_test.h"

#define PGM_LO   0x12345678u /* 0x7F1234567800 >> 8 */
#define PGM_HI   0x7Fu
#define KA_LO    0x00001000u
#define KA_HI    0x00007E00u
#define FENCE_LO 0x00000100u
#define FENCE_HI 0x00007D00u
#define VALUE    0x1122334455667788ull

static const uint32_t gfx10_barrier[] = {
   0xC0004602, 0x00000407, /* CS_PARTIAL_FLUSH */
   0xC0065802, 0,          0xFFFFFFFF, 0x00FFFFFF, 0, 0, 0x0000000A, 0x00000381, /* ACQUIRE_MEM */
};
static const uint32_t gfx9_barrier[] = {
   0xC0004602, 0x00000407, 0xC0055802, 0x28400000, 0xFFFFFFFF,
   0x00FFFFFF, 0,          0,          0x0000000A, /* 7-dword ACQUIRE_MEM */
};
static const uint32_t gfx10_3_body[] = {
   0xC0027602, 0x20C, PGM_LO,     PGM_HI,                           /* PGM_LO/HI */
   0xC0027602, 0x212, 0x60AF0042, 0x00040084,                       /* RSRC1/2 */
   0xC0017602, 0x228, 0x00000000,                                   /* RSRC3 */
   0xC0017602, 0x215, 0x00000000,                                   /* RESOURCE_LIMITS */
   0xC0017602, 0x218, 0x00000000,                                   /* TMPRING_SIZE */
   0xC0027602, 0x240, KA_LO,      KA_HI,                            /* USER_DATA_0/1 */
   0xC0067602, 0x204, 0,          0,          0,          64, 1, 1, /* START, NUM_THREAD */
   0xC0031502, 4,     2,          1,          0x00008045,           /* DISPATCH_DIRECT w32 */
};
static const uint32_t gfx11_body[] = {
   0xC0027602, 0x20C,      PGM_LO,     PGM_HI,     0xC0027602, 0x212,      0x60AF0042,
   0x00040084, 0xC0017602, 0x228,      0x00000000, 0xC0017602, 0x215,      0x00000000,
   0xC0017602, 0x218,      0x00000000, 0xC0027602, 0x240,      KA_LO,      KA_HI,
   0xC0067602, 0x204,      0,          0,          0,          64,         1,
   1,          0xC0031502, 4,          2,          1,          0x00000045, /* wave64: no CS_W32_EN */
};
static const uint32_t gfx9_body[] = {
   0xC0027602, 0x20C,      PGM_LO,     PGM_HI,     0xC0027602, 0x212,      0x60AF0042,
   0x00040084, 0xC0017602, 0x215,      0x00000000, /* no RSRC3 on GFX9 */
   0xC0017602, 0x218,      0x00000000, 0xC0027602, 0x240,      KA_LO,      KA_HI,
   0xC0067602, 0x204,      0,          0,          0,          64,         1,
   1,          0xC0031502, 4,          2,          1,          0x00000045,
};
/* gfx90a: the gfx900 body with RSRC3 (ACCUM_OFFSET 3, TG_SPLIT bit 16: gc_9_4_2_sh_mask.h)
 * after RSRC1/2. */
#define GFX90A_RSRC3 0x00010003u
static const uint32_t gfx90a_body[] = {
   0xC0027602, 0x20C, PGM_LO,       PGM_HI,     0xC0027602, 0x212,      0x60AF0042, 0x00040084,
   0xC0017602, 0x22D, GFX90A_RSRC3, /* RSRC3 at 0x22D */
   0xC0017602, 0x215, 0x00000000,   0xC0017602, 0x218,      0x00000000, 0xC0027602, 0x240,
   KA_LO,      KA_HI, 0xC0067602,   0x204,      0,          0,          0,          64,
   1,          1,     0xC0031502,   4,          2,          1,          0x00000045,
};
#define ALL           0xFFFFFFFFu
#define SE0_TO_3      0xC0057602, 0x216, ALL, ALL, 0 /* TMPRING_SIZE */, ALL, ALL
#define ACCUM         0xC0047602, 0x224, 0, 0, 0, 0
#define TUNNEL        0xC0017602, 0x27D, 0
#define GFX10_ACQUIRE 0xC0065802, 0, 0xFFFFFFFF, 0x00FFFFFF, 0, 0, 0xA, 0xC3B1
#define GFX9_ACQUIRE  0xC0055802, 0x28C40000, 0xFFFFFFFF, 0x00FFFFFF, 0, 0, 0xA
static const uint32_t gfx9_head[] = {SE0_TO_3, GFX9_ACQUIRE};
static const uint32_t gfx90a_head[] = {SE0_TO_3, 0xC0047602, 0x225, ALL,
                                       ALL,      ALL,        ALL,   GFX9_ACQUIRE};
static const uint32_t gfx10_3_head[] = {SE0_TO_3, ACCUM, TUNNEL, GFX10_ACQUIRE};
static const uint32_t gfx11_head[] = {SE0_TO_3, ACCUM, 0xC0057602, 0x22B,  ALL,          ALL,
                                      ALL,      ALL,   64,         TUNNEL, GFX10_ACQUIRE};
static const uint32_t gfx10_tail[] = {0xC0064902, 0x06603514, 0x40000000, FENCE_LO,
                                      FENCE_HI,   0x55667788, 0x11223344, 0};
static const uint32_t gfx9_tail[] = {0xC0064902, 0x00238514, 0x40000000, FENCE_LO,
                                     FENCE_HI,   0x55667788, 0x11223344, 0};

static void check_words(const char *what, const uint32_t *got, uint32_t ngot, const uint32_t *want,
                        uint32_t nwant)
{
   CHECK(ngot == nwant);
   for (uint32_t i = 0; i < ngot && i < nwant; i++) {
      CHECKF(got[i] == want[i], "%s dword %u: 0x%08x, expected 0x%08x", what, i, got[i], want[i]);
   }
}

struct kat {
   const uint32_t *barrier, *body, *head, *tail;
   uint32_t nbarrier, nbody, nhead, ntail;
   uint32_t batch1_dw; /* head + first dispatch + tail, written out */
};

static void run(enum pm4d_gfx_level level, const char *target, unsigned wave, const struct kat *x)
{
   struct pm4d_builder b;
   struct pm4d_kernel_desc k = pm4d_test_kernel(target, wave);
   if (!strcmp(target, "gfx90a"))
      k.rsrc3 = GFX90A_RSRC3;
   uint32_t buf[128];
   struct pm4d_cs cs;
   char why[PM4D_PM4_REASON_MAX] = "";
   const uint32_t grid[3] = {4, 2, 1};
   enum pm4d_gfx_level parsed;
   CHECK(pm4d_gfx_parse(target, &parsed) && parsed == level);
   CHECK(pm4d_builder_init_target(&b, target) == PM4D_OK);

   /* first dispatch of a batch: the body alone */
   pm4d_cs_init(&cs, buf, 128);
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, true, &cs, NULL,
                               why, sizeof(why)) == PM4D_OK);
   check_words("first dispatch", buf, cs.cdw, x->body, x->nbody);
   CHECK(cs.cdw == pm4d_builder_dispatch_dw(&b, &k, true));

   /* later dispatch: barrier, then the same body */
   pm4d_cs_init(&cs, buf, 128);
   CHECK(pm4d_builder_dispatch(&b, &k, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, false, &cs, NULL,
                               why, sizeof(why)) == PM4D_OK);
   CHECK(cs.cdw == x->nbarrier + x->nbody);
   check_words("later barrier", buf, x->nbarrier, x->barrier, x->nbarrier);
   check_words("later body", buf + x->nbarrier, cs.cdw - x->nbarrier, x->body, x->nbody);
   CHECK(cs.cdw <= PM4D_DISPATCH_MAX_DW);
   CHECK(cs.cdw == pm4d_builder_dispatch_dw(&b, &k, false));
   CHECK(x->nbarrier == pm4d_builder_barrier_dw(&b));

   pm4d_cs_init(&cs, buf, 128);
   CHECK(pm4d_builder_batch_head(&b, &cs, why, sizeof(why)) == PM4D_OK);
   check_words("head", buf, cs.cdw, x->head, x->nhead);

   pm4d_cs_init(&cs, buf, 128);
   CHECK(pm4d_builder_batch_tail(&b, PM4D_TEST_FENCE, VALUE, &cs, NULL, why, sizeof(why)) ==
         PM4D_OK);
   check_words("tail", buf, cs.cdw, x->tail, x->ntail);

   /* the target: a 1-dispatch batch's dispatch plus its fence within 48 dwords */
   CHECK(x->nhead + x->nbody + x->ntail == x->batch1_dw);
   CHECK(x->nbody + x->ntail <= 48);
}

#define KAT(bar, bod, h, t, n)                                                           \
   (&(const struct kat){bar, bod, h, t, sizeof(bar) / 4, sizeof(bod) / 4, sizeof(h) / 4, \
                        sizeof(t) / 4, n})

int main(int argc, char **argv)
{
   const char *which = argc > 1 ? argv[1] : "all";
   if (!strcmp(which, "gfx9") || !strcmp(which, "all"))
      run(PM4D_GFX9, "gfx900", 64, KAT(gfx9_barrier, gfx9_body, gfx9_head, gfx9_tail, 53));
   if (!strcmp(which, "gfx90a") || !strcmp(which, "all"))
      run(PM4D_GFX9, "gfx90a", 64, KAT(gfx9_barrier, gfx90a_body, gfx90a_head, gfx9_tail, 62));
   if (!strcmp(which, "gfx10.3") || !strcmp(which, "all"))
      run(PM4D_GFX10_3, "gfx1030", 32,
          KAT(gfx10_barrier, gfx10_3_body, gfx10_3_head, gfx10_tail, 66));
   if (!strcmp(which, "gfx11") || !strcmp(which, "all"))
      run(PM4D_GFX11, "gfx1100", 64, KAT(gfx10_barrier, gfx11_body, gfx11_head, gfx10_tail, 73));
   return pm4d_check_finish("pm4_kat");
}
