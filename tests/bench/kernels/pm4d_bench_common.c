#include "pm4d_bench_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct pm4d_bench_shape pm4d_bench_shapes[] = {
   {"3x3 64@56", 64, 56, 64, 3},           {"3x3 128@28", 128, 28, 128, 3},
   {"3x3 256@14", 256, 14, 256, 3},        {"3x3 512@7", 512, 7, 512, 3},
   {"1x1 64->256@56", 64, 56, 256, 1},     {"1x1 256->64@56", 256, 56, 64, 1},
   {"1x1 128->512@28", 128, 28, 512, 1},   {"1x1 512->128@28", 512, 28, 128, 1},
   {"1x1 256->1024@14", 256, 14, 1024, 1}, {"1x1 1024->256@14", 1024, 14, 256, 1},
   {"1x1 512->2048@7", 512, 7, 2048, 1},   {"1x1 2048->512@7", 2048, 7, 512, 1},
};
const size_t pm4d_bench_shape_count = sizeof(pm4d_bench_shapes) / sizeof(pm4d_bench_shapes[0]);

struct pm4d_conv2d_params pm4d_bench_params(const struct pm4d_bench_shape *s, uint32_t n)
{
   struct pm4d_conv2d_params p = {.n = n,
                                  .c = s->c,
                                  .h = s->hw,
                                  .w = s->hw,
                                  .k = s->k,
                                  .r = s->rs,
                                  .s = s->rs,
                                  .stride_h = 1,
                                  .stride_w = 1,
                                  .pad_h = s->rs / 2,
                                  .pad_w = s->rs / 2,
                                  .dil_h = 1,
                                  .dil_w = 1,
                                  .groups = 1};
   char reason[160];
   if (!pm4d_conv2d_params_check(&p, reason, sizeof(reason)))
      fprintf(stderr, "%s: %s\n", s->name, reason); /* the table's shapes are all valid */
   return p;
}

double pm4d_bench_flops(const struct pm4d_conv2d_params *p)
{
   return 2.0 * p->n * p->k * p->oh * p->ow * (p->c / p->groups) * p->r * p->s;
}

int pm4d_bench_selected(const struct pm4d_bench_shape *s, const char *only, uint32_t max_c)
{
   char kind[24];
   snprintf(kind, sizeof(kind), "%ux%u", s->rs, s->rs);
   return (!strcmp(only, "all") || !strcmp(only, kind)) && s->c <= max_c && s->k <= max_c;
}

static uint32_t lcg(uint32_t *seed)
{
   *seed = *seed * 1664525u + 1013904223u;
   return *seed;
}

void pm4d_bench_fill(float *x, size_t n, uint32_t *seed)
{
   for (size_t i = 0; i < n; i++)
      x[i] = (float)((double)(lcg(seed) >> 8) / (double)(1u << 23) - 1.0);
}

static int cmp_double(const void *a, const void *b)
{
   double x = *(const double *)a, y = *(const double *)b;
   return x < y ? -1 : x > y;
}

double pm4d_bench_median(double *v, size_t n)
{
   qsort(v, n, sizeof(v[0]), cmp_double);
   return n ? v[n / 2] : 0.0;
}

/* Output point (b, kk, y, x) of conv2d p, in double. */
static double ref_point(const struct pm4d_conv2d_params *p, const float *in, const float *f,
                        uint32_t b, uint32_t kk, uint32_t y, uint32_t x)
{
   const uint32_t cpg = p->c / p->groups, g = kk / (p->k / p->groups);
   double acc = 0.0;
   for (uint32_t ci = 0; ci < cpg; ci++)
      for (uint32_t ry = 0; ry < p->r; ry++) {
         const long iy = (long)y * p->stride_h - p->pad_h + (long)ry * p->dil_h;
         if (iy < 0 || iy >= p->h)
            continue;
         for (uint32_t sx = 0; sx < p->s; sx++) {
            const long ix = (long)x * p->stride_w - p->pad_w + (long)sx * p->dil_w;
            if (ix < 0 || ix >= p->w)
               continue;
            acc += (double)in[(((size_t)b * p->c + g * cpg + ci) * p->h + iy) * p->w + ix] *
                   f[(((size_t)kk * cpg + ci) * p->r + ry) * p->s + sx];
         }
      }
   return acc;
}

double pm4d_bench_check(const struct pm4d_conv2d_params *p, const float *in, const float *f,
                        const float *out, unsigned *samples)
{
   const size_t n_out = (size_t)p->n * p->k * p->oh * p->ow;
   const size_t plane = (size_t)p->oh * p->ow;
   double diff = 0.0, norm = 0.0;
   uint32_t seed = 12345;
   *samples = 0;
   for (size_t i = 0; i < n_out; i++) {
      if (!isfinite(out[i]))
         return INFINITY;
   }
   *samples = n_out <= PM4D_BENCH_SAMPLES_MAX ? (unsigned)n_out : PM4D_BENCH_SAMPLES_MAX;
   for (unsigned s = 0; s < *samples; s++) {
      const size_t i =
         n_out <= PM4D_BENCH_SAMPLES_MAX ? s : (((size_t)lcg(&seed) << 16) ^ lcg(&seed)) % n_out;
      const uint32_t b = (uint32_t)(i / (plane * p->k)), kk = (uint32_t)(i / plane % p->k);
      const uint32_t y = (uint32_t)(i % plane / p->ow), x = (uint32_t)(i % p->ow);
      const double ref = ref_point(p, in, f, b, kk, y, x), d = out[i] - ref;
      diff += d * d;
      norm += ref * ref;
   }
   return sqrt(diff) / (norm > 0 ? sqrt(norm) : 1.0);
}
