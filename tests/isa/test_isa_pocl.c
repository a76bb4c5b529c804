/* The shipped code objects run on the instruction model against PoCL's run of the same OpenCL
 * source (the sim's runner, an independent compiler and executor): every kernel variant at
 * small odd shapes (stride, padding, dilation, groups, bias, ReLU, partial tiles), relative L2
 * error per output <= 1e-6 on each target, every output written (outputs start as NaN), and
 * whether gfx1030 and gfx1100 agree bit for bit. Prints instructions executed per output.
 * Usage: test_isa_pocl GFX CODE_OBJECT [GFX CODE_OBJECT]... */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_conv2d_ref.h"
#include "isa_test_util.h"
#include "pm4d_isa.h"

#define TOLERANCE  1e-6
#define MAX_TARGET 4

struct shape {
   uint32_t n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw, g;
   bool bias, relu;
};

static const struct shape shapes[] = {
   /* n  c  h  w  k  r  s  sh sw ph pw dh dw g  bias relu */
   {1, 3, 7, 9, 5, 3, 3, 2, 1, 1, 2, 1, 2, 1, true, true},     /* direct: stride, pad, dilation */
   {2, 4, 6, 5, 8, 2, 3, 1, 1, 0, 1, 2, 1, 2, false, true},    /* direct: groups 2, batch 2 */
   {1, 6, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6, true, false},    /* direct: depthwise */
   {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, false},   /* one output */
   {1, 37, 5, 7, 70, 1, 1, 1, 1, 0, 0, 1, 1, 1, true, false},  /* 1x1: c, k off the tiles */
   {2, 8, 9, 9, 16, 1, 1, 2, 2, 0, 0, 1, 1, 1, true, true},    /* 1x1: stride 2 */
   {1, 5, 9, 11, 66, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true},   /* 3x3: pad 1 */
   {2, 3, 4, 5, 7, 3, 3, 1, 1, 0, 0, 1, 1, 1, false, false},   /* 3x3: no pad, batch 2 */
   {1, 4, 6, 5, 9, 3, 3, 1, 1, 2, 0, 1, 1, 1, true, false},    /* 3x3: pad 2x0 */
   {1, 3, 11, 10, 5, 5, 5, 3, 2, 2, 3, 1, 1, 1, true, true},   /* direct: 5x5, stride 3x2 */
   {1, 4, 9, 9, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, false, false},   /* direct: 3x3 dilated, groups */
   {1, 4, 6, 6, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, false},    /* direct: 1x1 with padding */
   {2, 33, 7, 5, 65, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, true},  /* 1x1: c off the 32-step */
   {3, 5, 6, 6, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true},    /* 3x3: batch across a tile */
   {1, 7, 13, 3, 130, 3, 3, 1, 1, 1, 0, 1, 1, 1, false, true}, /* 3x3: three k tiles */
   {2, 12, 5, 7, 20, 3, 3, 1, 1, 0, 1, 1, 1, 1, true, false},  /* 3x3 small, c >= 8 */
   {2, 17, 7, 6, 35, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true},   /* Winograd: c, k off its steps */
};

struct target {
   const char *name;
   enum pm4d_isa_target t;
   char *elf;
   size_t size;
};

static struct pm4d_conv2d_params params_of(const struct shape *s)
{
   return (struct pm4d_conv2d_params){.n = s->n,
                                      .c = s->c,
                                      .h = s->h,
                                      .w = s->w,
                                      .k = s->k,
                                      .r = s->r,
                                      .s = s->s,
                                      .stride_h = s->sh,
                                      .stride_w = s->sw,
                                      .pad_h = s->ph,
                                      .pad_w = s->pw,
                                      .dil_h = s->dh,
                                      .dil_w = s->dw,
                                      .groups = s->g,
                                      .has_bias = s->bias,
                                      .relu = s->relu};
}

/* Runs one shape on PoCL and every target, with fp32 or (f16) fp16 filter words; returns the
 * number of failures. */
static int run_shape(struct pm4d_clrun *cl, const struct target *tg, int ntg, unsigned idx,
                     bool f16)
{
   const struct shape *sp = &shapes[idx];
   struct pm4d_conv2d_params p = params_of(sp);
   p.filter_f16 = f16;
   char reason[256];
   int bad = 0;
   if (!pm4d_conv2d_params_check(&p, reason, sizeof(reason))) {
      printf("FAIL shape %u: %s\n", idx, reason);
      return 1;
   }
   /* Every other shape as on a large device (120 CUs), so that small grids take the small-tile
    * kernels as the layer would pick them there. */
   enum pm4d_conv2d_variant v = pm4d_conv2d_variant_choose(&p, idx % 2 ? 120u : 0u);
   uint64_t bytes[4];
   pm4d_conv2d_buffer_bytes(&p, bytes);
   size_t n_out = bytes[3] / 4;
   uint32_t seed = 1234u + idx;
   const size_t n_f = bytes[1] / (f16 ? 2u : 4u);
   float *in = malloc(bytes[0]), *f = malloc(n_f * 4u), *bias = malloc(p.k * 4u);
   _Float16 *fh = malloc(n_f * sizeof(*fh));
   float *ref = malloc(bytes[3]), *out[MAX_TARGET] = {0};
   uint8_t *kernarg = calloc(1, 256);
   pm4d_ref_fill(in, bytes[0] / 4, &seed);
   pm4d_ref_fill(f, n_f, &seed);
   for (size_t i = 0; i < n_f; i++)
      fh[i] = (_Float16)f[i]; /* the C compiler's rounding, independent of both runs */
   pm4d_ref_fill(bias, p.k, &seed);

   struct pm4d_ref_space space = {0};
   struct pm4d_conv2d_buffers bufs = {.input = pm4d_ref_register(&space, in, bytes[0]),
                                      .filter =
                                         pm4d_ref_register(&space, f16 ? (void *)fh : f, bytes[1]),
                                      .bias = pm4d_ref_register(&space, bias, p.k * 4u),
                                      .output = pm4d_ref_register(&space, ref, bytes[3])};
   for (size_t i = 0; i < n_out; i++)
      ref[i] = NAN;
   if (pm4d_ref_dispatch(cl, &space, v, &p, &bufs, reason, sizeof(reason)) != PM4D_CLRUN_OK) {
      printf("FAIL shape %u: PoCL: %s\n", idx, reason);
      bad++;
      goto done;
   }
   uint64_t ka = pm4d_ref_register(&space, kernarg, 256);
   uint64_t out_addr[MAX_TARGET];
   for (int t = 0; t < ntg; t++) {
      out[t] = malloc(bytes[3]);
      out_addr[t] = pm4d_ref_register(&space, out[t], bytes[3]);
   }
   for (int t = 0; t < ntg; t++) {
      for (size_t i = 0; i < n_out; i++)
         out[t][i] = NAN;
      bufs.output = out_addr[t];
      pm4d_conv2d_pack_kernargs(&p, &bufs, kernarg, 256);
      struct pm4d_isa_launch l = {.kernel = pm4d_conv2d_variant_name(v),
                                  .workgroup = {pm4d_conv2d_workgroup_size(v), 1, 1},
                                  .kernarg = ka};
      pm4d_conv2d_grid(v, &p, l.grid);
      struct pm4d_isa_result res;
      pm4d_isa_run_code_object(tg[t].t, tg[t].elf, tg[t].size, &l, isa_test_translate, &space,
                               &res);
      if (res.status != PM4D_ISA_OK) {
         printf("FAIL shape %u %s on %s: %s\n", idx, l.kernel, tg[t].name, res.reason);
         bad++;
         continue;
      }
      double err = pm4d_ref_rel_error(out[t], ref, n_out);
      bool ok = err <= TOLERANCE;
      printf("%s shape %u %-25s %s n%u c%u %ux%u k%u r%ux%u s%u,%u p%u,%u d%u,%u g%u: rel L2 "
             "%.3g%s, %.1f instructions/output, %llu waves, max %llu per wave\n",
             ok ? "ok  " : "FAIL", idx, l.kernel, tg[t].name, p.n, p.c, p.h, p.w, p.k, p.r, p.s,
             p.stride_h, p.stride_w, p.pad_h, p.pad_w, p.dil_h, p.dil_w, p.groups, err,
             memcmp(out[t], ref, bytes[3]) ? "" : " (bit-exact with PoCL)",
             (double)res.counters.instructions / (double)n_out,
             (unsigned long long)res.counters.waves,
             (unsigned long long)res.counters.max_wave_instructions);
      bad += !ok;
   }
   for (int t = 1; t < ntg; t++)
      if (out[0] && out[t])
         printf("     shape %u: %s and %s %s bit for bit\n", idx, tg[0].name, tg[t].name,
                memcmp(out[0], out[t], bytes[3]) ? "DIFFER" : "agree");
done:
   free(in);
   free(f);
   free(fh);
   free(bias);
   free(ref);
   free(kernarg);
   for (int t = 0; t < MAX_TARGET; t++)
      free(out[t]);
   return bad;
}

int main(int argc, char **argv)
{
   struct target tg[MAX_TARGET];
   int ntg = 0;
   for (int i = 1; i + 1 < argc && ntg < MAX_TARGET; i += 2, ntg++) {
      tg[ntg].name = argv[i];
      tg[ntg].t = pm4d_isa_target_from_name(argv[i]);
      tg[ntg].elf = isa_test_slurp(argv[i + 1], &tg[ntg].size);
      if (tg[ntg].t == PM4D_ISA_TARGET_COUNT || !tg[ntg].elf) {
         fprintf(stderr, "FAIL: cannot use %s %s\n", argv[i], argv[i + 1]);
         return 1;
      }
   }
   if (ntg == 0) {
      fprintf(stderr, "usage: %s GFX CODE_OBJECT...\n", argv[0]);
      return 2;
   }
   char reason[512];
   struct pm4d_clrun *cl;
   enum pm4d_clrun_status st = pm4d_clrun_create(NULL, &cl, reason, sizeof(reason));
   if (st == PM4D_CLRUN_NO_PLATFORM) {
      printf("SKIPPED: no OpenCL platform for the PoCL reference (%s)\n", reason);
      return 77;
   }
   if (st != PM4D_CLRUN_OK) {
      printf("FAIL: PoCL runner: %s\n", reason);
      return 1;
   }
   int bad = 0;
   for (unsigned i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
      for (int f16 = 0; f16 <= 1; f16++)
         bad += run_shape(cl, tg, ntg, i, f16);
   pm4d_clrun_destroy(cl);
   for (int t = 0; t < ntg; t++)
      free(tg[t].elf);
   printf("%s: %d failures\n", bad ? "FAIL" : "PASS", bad);
   return bad ? 1 : 0;
}
