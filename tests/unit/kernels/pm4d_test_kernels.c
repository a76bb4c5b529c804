/* Every conv2d kernel variant, run through PoCL by the kernarg-bytes path (grid and AMD
 * kernarg layout from pm4d_kernels, buffers at fake device addresses), against the C
 * reference at many shapes: odd sizes, padding, stride 2, dilation 2, groups, depthwise,
 * channel counts that do not divide the tiles. Bound for every variant: fp32 relative error
 * by the output norm <= 1e-5. Every output must be written (the output starts as NaN) and
 * nothing past it (guard words). The table's shapes run again with an fp16 filter: its words
 * come from the C compiler's _Float16 conversion (an independent widening), including
 * subnormal, zero and negative-zero words, and the reference convolves the same fp16 values.
 * Also the runner's refusals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_check.h"
#include "pm4d_conv2d_ref.h"

#define TOLERANCE 1e-5
#define GUARD     64 /* floats after the output that must stay untouched */

struct shape {
   uint32_t n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw, g;
   bool bias, relu;
};

static const struct shape shapes[] = {
   /* n  c   h   w   k   r  s  sh sw ph pw dh dw g  bias relu */
   {1, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, false, false},     /* odd sizes */
   {2, 4, 11, 10, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, true, false},    /* stride 2 */
   {1, 6, 12, 13, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, true, true},     /* dilation 2, groups 2 */
   {1, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, false, true},      /* depthwise */
   {1, 5, 10, 8, 7, 5, 3, 2, 1, 2, 1, 1, 2, 1, true, false},     /* mixed per-axis */
   {1, 3, 32, 32, 8, 7, 7, 2, 2, 3, 3, 1, 1, 1, true, true},     /* 7x7 stem */
   {1, 4, 6, 6, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, false},      /* 1x1 with padding */
   {2, 19, 9, 7, 70, 1, 1, 1, 1, 0, 0, 1, 1, 1, true, true},     /* 1x1, c and k off the tile */
   {1, 33, 13, 11, 65, 1, 1, 2, 2, 0, 0, 1, 1, 1, true, false},  /* 1x1 stride 2 */
   {1, 64, 14, 14, 128, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, true}, /* 1x1, full tiles */
   {2, 11, 13, 19, 37, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true},   /* 3x3, nothing divides */
   {1, 16, 10, 17, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1, false, false}, /* 3x3, no padding */
   {1, 9, 8, 8, 33, 3, 3, 1, 1, 2, 2, 1, 1, 1, true, false},     /* 3x3, padding 2 */
   {1, 3, 3, 3, 2, 3, 3, 1, 1, 0, 0, 1, 1, 1, false, false},     /* 1x1 output */
   {1, 32, 28, 28, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true},   /* ResNet-like 3x3 */
   /* The GEMM kernels tile pixels across images: 36-pixel planes put image boundaries inside
    * a tile (16-byte stores), 5x5 planes make 4-pixel groups straddle two images. */
   {3, 5, 6, 6, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true},    /* 3x3, batch across a tile */
   {5, 7, 5, 5, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, false, false},   /* 3x3, groups straddle images */
   {3, 40, 6, 6, 66, 1, 1, 1, 1, 0, 0, 1, 1, 1, true, false},  /* 1x1, c off the 32-step */
   {1, 130, 5, 5, 20, 1, 1, 1, 1, 0, 0, 1, 1, 1, true, false}, /* 1x1, c off the 64-step */
};

static struct pm4d_clrun *runner;

/* Random small shapes on top of the table: every third one forced to 3x3 stride 1 or 1x1 so
 * the specialised kernels see odd shapes too. Deterministic (fixed seed). */
#define RANDOM_SHAPES 36
static struct shape random_shape(uint32_t *seed, int i)
{
#define RND(lo, hi) \
   ((*seed = *seed * 1664525u + 1013904223u), (lo) + (*seed >> 8) % ((hi) - (lo) + 1))
   struct shape sp = {RND(1, 2), RND(1, 12), RND(1, 17), RND(1, 17), RND(1, 12), RND(1, 5),
                      RND(1, 5), RND(1, 3),  RND(1, 3),  RND(0, 3),  RND(0, 3),  RND(1, 2),
                      RND(1, 2), 1,          RND(0, 1),  RND(0, 1)};
   uint32_t g = RND(1, 4);
   if (sp.c % g == 0 && sp.k % g == 0)
      sp.g = g;
   if (i % 3 == 1) { /* 3x3 stride 1 */
      sp.r = sp.s = 3;
      sp.sh = sp.sw = sp.dh = sp.dw = sp.g = 1;
   } else if (i % 3 == 2) { /* 1x1, any stride */
      sp.r = sp.s = 1;
      sp.ph = sp.pw = 0;
      sp.g = 1;
   }
   return sp;
#undef RND
}

static struct pm4d_conv2d_params params_of(const struct shape *sp)
{
   return (struct pm4d_conv2d_params){
      .n = sp->n,
      .c = sp->c,
      .h = sp->h,
      .w = sp->w,
      .k = sp->k,
      .r = sp->r,
      .s = sp->s,
      .stride_h = sp->sh,
      .stride_w = sp->sw,
      .pad_h = sp->ph,
      .pad_w = sp->pw,
      .dil_h = sp->dh,
      .dil_w = sp->dw,
      .groups = sp->g,
      .has_bias = sp->bias,
      .relu = sp->relu,
   };
}

/* f16: the filter as fp16 words (p.filter_f16), the reference on the same values widened. */
static void run_shape(const struct shape *sp, bool f16)
{
   struct pm4d_conv2d_params p = params_of(sp);
   p.filter_f16 = f16;
   char reason[1024];
   uint32_t seed = 7;
   bool ok = pm4d_conv2d_params_check(&p, reason, sizeof(reason));
   CHECKF(ok, "shape rejected: %s", reason);
   if (!ok)
      return;
   size_t n_in = (size_t)p.n * p.c * p.h * p.w, n_f = (size_t)p.k * (p.c / p.groups) * p.r * p.s;
   size_t n_out = (size_t)p.n * p.k * p.oh * p.ow;
   float *in = malloc(n_in * 4), *f = malloc(n_f * 4), *bias = malloc(p.k * 4);
   float *ref = malloc(n_out * 4), *out = malloc((n_out + GUARD) * 4);
   pm4d_ref_fill(in, n_in, &seed);
   pm4d_ref_fill(f, n_f, &seed);
   pm4d_ref_fill(bias, p.k, &seed);
   _Float16 *fh = f16 ? malloc(n_f * sizeof(*fh)) : NULL;
   if (f16) {
      /* Subnormal fp16 words (2^-24 .. 2^-14), a zero and a negative zero among them. */
      static const float special[] = {0x1p-24f, -0x1.ff8p-15f, 0.0f, -0.0f, 0x1p-14f};
      for (size_t i = 0; i < n_f; i++) {
         fh[i] = (_Float16)(i % 7 == 3 ? special[(i / 7) % 5] : f[i]);
         f[i] = (float)fh[i];
      }
   }
   pm4d_ref_conv2d(&p, in, f, bias, ref);

   for (unsigned v = 0; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
      if (!pm4d_conv2d_variant_supports(v, &p))
         continue;
      struct pm4d_ref_space space = {0};
      struct pm4d_conv2d_buffers bufs = {
         .input = pm4d_ref_register(&space, in, n_in * 4),
         .filter =
            f16 ? pm4d_ref_register(&space, fh, n_f * 2) : pm4d_ref_register(&space, f, n_f * 4),
         .bias = pm4d_ref_register(&space, bias, p.k * 4),
         .output = pm4d_ref_register(&space, out, (n_out + GUARD) * 4),
      };
      for (size_t i = 0; i < n_out; i++)
         out[i] = NAN;
      for (size_t i = 0; i < GUARD; i++)
         out[n_out + i] = 12345.0f;
      enum pm4d_clrun_status st =
         pm4d_ref_dispatch(runner, &space, v, &p, &bufs, reason, sizeof(reason));
      CHECKF(st == PM4D_CLRUN_OK, "%s: %s", pm4d_conv2d_variant_name(v), reason);
      double err = pm4d_ref_rel_error(out, ref, n_out);
      bool guard_ok = true;
      for (size_t i = 0; i < GUARD; i++)
         guard_ok &= out[n_out + i] == 12345.0f;
      CHECKF(err <= TOLERANCE && guard_ok,
             "%s%s n%u c%u %ux%u k%u %ux%u s%u,%u p%u,%u d%u,%u g%u: rel error %.3g, guard %s",
             pm4d_conv2d_variant_name(v), f16 ? " f16" : "", p.n, p.c, p.h, p.w, p.k, p.r, p.s,
             p.stride_h, p.stride_w, p.pad_h, p.pad_w, p.dil_h, p.dil_w, p.groups, err,
             guard_ok ? "intact" : "overwritten");
      printf("%-21s%s n%u c%-3u %2ux%-2u k%-3u %ux%u s%u,%u p%u,%u d%u,%u g%u bias%d relu%d: "
             "rel error %.2e\n",
             pm4d_conv2d_variant_name(v), f16 ? " f16" : "    ", p.n, p.c, p.h, p.w, p.k, p.r, p.s,
             p.stride_h, p.stride_w, p.pad_h, p.pad_w, p.dil_h, p.dil_w, p.groups, p.has_bias,
             p.relu, err);
   }
   free(in);
   free(f);
   free(fh);
   free(bias);
   free(ref);
   free(out);
}

/* The runner refuses unknown kernels, short kernargs, empty grids and unknown addresses. */
static void check_refusals(void)
{
   char reason[256];
   float buf[64] = {0};
   struct pm4d_ref_space space = {0};
   uint64_t addr = pm4d_ref_register(&space, buf, sizeof(buf));
   struct pm4d_conv2d_params p = {.n = 1,
                                  .c = 1,
                                  .h = 4,
                                  .w = 4,
                                  .k = 1,
                                  .r = 1,
                                  .s = 1,
                                  .stride_h = 1,
                                  .stride_w = 1,
                                  .dil_h = 1,
                                  .dil_w = 1,
                                  .groups = 1};
   struct pm4d_conv2d_buffers good = {addr, addr, 0, addr + 32 * 4};
   struct pm4d_conv2d_buffers bad = good;
   uint8_t kernarg[PM4D_CONV2D_KERNARG_SIZE];
   const uint32_t grid[3] = {1, 1, 1}, empty[3] = {0, 1, 1};

   CHECKF(pm4d_conv2d_params_check(&p, reason, sizeof(reason)), "%s", reason);
   CHECKF(pm4d_ref_dispatch(runner, &space, PM4D_CONV2D_1X1, &p, &good, reason, sizeof(reason)) ==
             PM4D_CLRUN_OK,
          "tiny 1x1: %s", reason);
   bad.output = 0x1234; /* not registered: the sim's "page fault" */
   CHECKF(pm4d_ref_dispatch(runner, &space, PM4D_CONV2D_1X1, &p, &bad, reason, sizeof(reason)) ==
             PM4D_CLRUN_BAD_ADDRESS,
          "unregistered address accepted");
   pm4d_conv2d_pack_kernargs(&p, &good, kernarg, sizeof(kernarg));
   CHECKF(pm4d_clrun_dispatch(runner, "pm4d_conv2d_5x5", grid, kernarg, sizeof(kernarg),
                              pm4d_ref_translate, &space, reason,
                              sizeof(reason)) == PM4D_CLRUN_UNKNOWN_KERNEL,
          "unknown kernel accepted");
   CHECKF(pm4d_clrun_dispatch(runner, "pm4d_conv2d_1x1", grid, kernarg, sizeof(kernarg) - 1,
                              pm4d_ref_translate, &space, reason,
                              sizeof(reason)) == PM4D_CLRUN_BAD_ARGS,
          "short kernargs accepted");
   CHECKF(pm4d_clrun_dispatch(runner, "pm4d_conv2d_1x1", empty, kernarg, sizeof(kernarg),
                              pm4d_ref_translate, &space, reason,
                              sizeof(reason)) == PM4D_CLRUN_BAD_ARGS,
          "empty grid accepted");
   CHECKF(pm4d_clrun_dispatch(runner, "pm4d_conv2d_3x3", grid, kernarg, sizeof(kernarg),
                              pm4d_ref_translate, &space, reason,
                              sizeof(reason)) == PM4D_CLRUN_BAD_ARGS,
          "3x3 kernel accepted a 1x1 shape");
   /* Kernargs that lie about the output size would make the kernel write past the buffer. */
   const struct pm4d_kernel_arg *args;
   pm4d_conv2d_args(&args);
   kernarg[args[11].offset] = 5; /* oh */
   CHECKF(pm4d_clrun_dispatch(runner, "pm4d_conv2d_1x1", grid, kernarg, sizeof(kernarg),
                              pm4d_ref_translate, &space, reason,
                              sizeof(reason)) == PM4D_CLRUN_BAD_ARGS,
          "inconsistent output size accepted");
   pm4d_conv2d_pack_kernargs(&p, &good, kernarg, sizeof(kernarg));
   kernarg[args[20].offset] = 0x80; /* unknown flag */
   CHECKF(pm4d_clrun_dispatch(runner, "pm4d_conv2d_1x1", grid, kernarg, sizeof(kernarg),
                              pm4d_ref_translate, &space, reason,
                              sizeof(reason)) == PM4D_CLRUN_BAD_ARGS,
          "unknown flag accepted");
   bad = good;
   bad.output = addr + 60 * 4; /* 16 bytes left in the region, 64 needed */
   CHECKF(pm4d_ref_dispatch(runner, &space, PM4D_CONV2D_1X1, &p, &bad, reason, sizeof(reason)) ==
             PM4D_CLRUN_BAD_ADDRESS,
          "output past the end of its buffer accepted");
   printf("refused as expected: %s\n", reason);
}

int main(void)
{
   char reason[2048];
   enum pm4d_clrun_status st = pm4d_clrun_create(NULL, &runner, reason, sizeof(reason));
   if (st == PM4D_CLRUN_NO_PLATFORM) {
      printf("SKIPPED: %s\n", reason);
      return 77;
   }
   CHECKF(st == PM4D_CLRUN_OK, "runner: %s: %s", pm4d_clrun_status_name(st), reason);
   if (st != PM4D_CLRUN_OK)
      return pm4d_check_finish("kernels_pocl");
   printf("device: %s\n", pm4d_clrun_device_name(runner));
   check_refusals();
   for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
      run_shape(&shapes[i], false);
      run_shape(&shapes[i], true);
   }
   uint32_t seed = 99;
   for (int i = 0; i < RANDOM_SHAPES; i++) {
      struct shape sp = random_shape(&seed, i);
      struct pm4d_conv2d_params p = params_of(&sp);
      if (pm4d_conv2d_params_check(&p, reason, sizeof(reason))) /* else the filter is too big */
         run_shape(&sp, false);
   }
   pm4d_clrun_destroy(runner);
   return pm4d_check_finish("kernels_pocl");
}
