/* Helpers shared by the kernel tests and the kernel benchmark: a plain C conv2d reference,
 * a toy address space that stands in for GPU virtual addresses, and a one-call dispatch of a
 * conv2d shape through the PoCL runner's kernarg path. */
#ifndef PM4D_CONV2D_REF_H
#define PM4D_CONV2D_REF_H

#include <stddef.h>
#include <stdint.h>

#include "pm4d_clrun.h"
#include "pm4d_kernels.h"

/* Fills x with deterministic values in [-1, 1). */
void pm4d_ref_fill(float *x, size_t n, uint32_t *seed);

/* out = conv2d(in, filter) + bias, ReLU'd if p->relu; accumulates in double. */
void pm4d_ref_conv2d(const struct pm4d_conv2d_params *p, const float *in, const float *filter,
                     const float *bias, float *out);

/* ||a - b|| / ||b|| over n elements; NaN or infinity if a holds one. */
double pm4d_ref_rel_error(const float *a, const float *b, size_t n);

/* Host memory registered at fake device addresses (>= 4 GiB, so a pointer mix-up cannot pass
 * by accident); pm4d_ref_translate is the runner's callback over it. */
#define PM4D_REF_REGIONS_MAX 8
struct pm4d_ref_space {
   unsigned count;
   struct {
      uint64_t addr;
      void *host;
      size_t bytes;
   } regions[PM4D_REF_REGIONS_MAX];
};
uint64_t pm4d_ref_register(struct pm4d_ref_space *s, void *host, size_t bytes);
bool pm4d_ref_translate(void *user, uint64_t addr, void **host, size_t *bytes);

/* Runs variant v on p with the buffers at the given device addresses: grid and kernargs
 * from pm4d_kernels, kernarg bytes through pm4d_clrun_dispatch. */
enum pm4d_clrun_status pm4d_ref_dispatch(struct pm4d_clrun *r, struct pm4d_ref_space *s,
                                         enum pm4d_conv2d_variant v,
                                         const struct pm4d_conv2d_params *p,
                                         const struct pm4d_conv2d_buffers *bufs, char *reason,
                                         size_t reason_size);

#endif
