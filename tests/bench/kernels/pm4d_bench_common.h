/* What the kernel benchmarks share: the ResNet-like shapes, deterministic inputs, medians and
 * the sampled double-precision check, so every table compares the same work. */
#ifndef PM4D_BENCH_COMMON_H
#define PM4D_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "pm4d_kernels.h"

/* Outputs checked: all of them up to this many, else this many drawn at random. */
#define PM4D_BENCH_SAMPLES_MAX 4096

struct pm4d_bench_shape {
   const char *name;
   uint32_t c, hw, k, rs; /* stride 1, padding rs / 2 */
};

/* ResNet-50's stages: each 3x3 layer and the 1x1 layers that open and close its block. */
extern const struct pm4d_bench_shape pm4d_bench_shapes[];
extern const size_t pm4d_bench_shape_count;

/* The conv2d of shape s at batch n (checked: oh, ow filled). */
struct pm4d_conv2d_params pm4d_bench_params(const struct pm4d_bench_shape *s, uint32_t n);
/* 2 n k oh ow (c / groups) r s. */
double pm4d_bench_flops(const struct pm4d_conv2d_params *p);
/* Whether shape s passes an --only (3x3, 1x1, all) and --max-c filter. */
int pm4d_bench_selected(const struct pm4d_bench_shape *s, const char *only, uint32_t max_c);

/* Deterministic values in [-1, 1). */
void pm4d_bench_fill(float *x, size_t n, uint32_t *seed);
/* Median of n values (sorts them). */
double pm4d_bench_median(double *v, size_t n);
/* Every output finite (a NaN poison overwritten), then ||out - ref|| / ||ref|| over the
 * sampled output points with a double-precision reference (NCHW input, KCRS filter, NKHW
 * output, no bias); *samples says how many points. INFINITY when an output is not finite. */
double pm4d_bench_check(const struct pm4d_conv2d_params *p, const float *in, const float *f,
                        const float *out, unsigned *samples);

#endif
