/* Throughput of the conv2d kernels through the runner's kernarg-bytes path (not a test).
 * Usage: pm4d_bench_kernels [PLATFORM_SUBSTRING [BATCH [REPEATS]]]
 * Prints, per shape and variant, the median time of REPEATS dispatches and GFLOP/s
 * (2 * n * k * oh * ow * c/groups * r * s flops), and where it ran (the OpenCL device):
 * "call" is the whole pm4d_clrun_dispatch (buffer wrapping, any host-device copies, map,
 * finish), "kernel" the kernel alone by OpenCL profiling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_conv2d_ref.h"

struct bench_shape {
   const char *name;
   uint32_t c, hw, k, rs, stride, pad;
};

static const struct bench_shape shapes[] = {
   {"resnet 3x3 64@56", 64, 56, 64, 3, 1, 1},
   {"resnet 3x3 128@28", 128, 28, 128, 3, 1, 1},
   {"resnet 3x3 256@14", 256, 14, 256, 3, 1, 1},
   {"resnet 1x1 64->256@56", 64, 56, 256, 1, 1, 0},
   {"resnet 1x1 256->64@56", 256, 56, 64, 1, 1, 0},
   {"resnet 3x3/2 128@56", 128, 56, 128, 3, 2, 1},
};

static double now(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
   double x = *(const double *)a, y = *(const double *)b;
   return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
   const char *platform = argc > 1 && argv[1][0] ? argv[1] : NULL;
   uint32_t batch = argc > 2 ? (uint32_t)atoi(argv[2]) : 1;
   int repeats = argc > 3 ? atoi(argv[3]) : 5;
   char reason[2048];
   struct pm4d_clrun *r;
   if (repeats < 1 || repeats > 1000 || batch < 1)
      return 2;
   if (pm4d_clrun_create(platform, &r, reason, sizeof(reason)) != PM4D_CLRUN_OK) {
      fprintf(stderr, "%s\n", reason);
      return 1;
   }
   printf("device: %s, batch %u, median of %d\n", pm4d_clrun_device_name(r), batch, repeats);
   for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
      const struct bench_shape *b = &shapes[i];
      struct pm4d_conv2d_params p = {.n = batch, .c = b->c, .h = b->hw, .w = b->hw, .k = b->k,
                                     .r = b->rs, .s = b->rs, .stride_h = b->stride,
                                     .stride_w = b->stride, .pad_h = b->pad, .pad_w = b->pad,
                                     .dil_h = 1, .dil_w = 1, .groups = 1, .has_bias = true,
                                     .relu = true};
      if (!pm4d_conv2d_params_check(&p, reason, sizeof(reason)))
         continue;
      size_t n_in = (size_t)p.n * p.c * p.h * p.w, n_f = (size_t)p.k * p.c * p.r * p.s;
      size_t n_out = (size_t)p.n * p.k * p.oh * p.ow;
      float *in = malloc(n_in * 4), *f = malloc(n_f * 4), *bias = malloc(p.k * 4);
      float *out = malloc(n_out * 4);
      uint32_t seed = 1;
      pm4d_ref_fill(in, n_in, &seed);
      pm4d_ref_fill(f, n_f, &seed);
      pm4d_ref_fill(bias, p.k, &seed);
      struct pm4d_ref_space space = {0};
      struct pm4d_conv2d_buffers bufs = {pm4d_ref_register(&space, in, n_in * 4),
                                         pm4d_ref_register(&space, f, n_f * 4),
                                         pm4d_ref_register(&space, bias, p.k * 4),
                                         pm4d_ref_register(&space, out, n_out * 4)};
      double flops = 2.0 * n_out * p.c * p.r * p.s;
      for (unsigned v = 0; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
         double t[1000], tk[1000];
         if (!pm4d_conv2d_variant_supports(v, &p))
            continue;
         /* One warm-up dispatch (first-use compilation in some runtimes). */
         if (pm4d_ref_dispatch(r, &space, v, &p, &bufs, reason, sizeof(reason)) != PM4D_CLRUN_OK) {
            fprintf(stderr, "%s\n", reason);
            continue;
         }
         for (int k = 0; k < repeats; k++) {
            double t0 = now();
            pm4d_ref_dispatch(r, &space, v, &p, &bufs, reason, sizeof(reason));
            t[k] = now() - t0;
            tk[k] = pm4d_clrun_last_kernel_ns(r) * 1e-9;
         }
         qsort(t, (size_t)repeats, sizeof(t[0]), cmp_double);
         qsort(tk, (size_t)repeats, sizeof(tk[0]), cmp_double);
         printf("%-24s %-20s call %9.3f ms %8.1f GFLOP/s | kernel %9.3f ms %8.1f GFLOP/s\n",
                b->name, pm4d_conv2d_variant_name(v), t[repeats / 2] * 1e3,
                flops / t[repeats / 2] * 1e-9, tk[repeats / 2] * 1e3,
                tk[repeats / 2] > 0 ? flops / tk[repeats / 2] * 1e-9 : 0.0);
      }
      free(in);
      free(f);
      free(bias);
      free(out);
   }
   pm4d_clrun_destroy(r);
   return 0;
}
