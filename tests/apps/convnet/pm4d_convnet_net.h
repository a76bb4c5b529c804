/* The network convnet runs: its conv layers, shapes derived from the input, deterministic
 * tensors, and the plain C reference the GPU result is checked against. */
#ifndef PM4D_CONVNET_NET_H
#define PM4D_CONVNET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM4D_CONVNET_LAYERS 6

/* One conv2d: input n x c x h x w (NCHW), filter k x c x r x s (KCRS), output n x k x oh x ow.
 * Square kernels, strides, padding and dilation. */
struct pm4d_convnet_conv {
   uint32_t n, c, h, w;
   uint32_t k, r, s;
   uint32_t stride, pad, dil;
   uint32_t oh, ow;
   bool bias, relu;
};

struct pm4d_convnet_net {
   struct pm4d_convnet_conv conv[PM4D_CONVNET_LAYERS];
   float *input; /* conv[0]'s input */
   float *filter[PM4D_CONVNET_LAYERS];
   float *bias[PM4D_CONVNET_LAYERS]; /* NULL where the layer has no bias */
};

/* Derives every layer's shape; allocates nothing. */
void pm4d_convnet_net_init(struct pm4d_convnet_net *net, uint32_t batch, uint32_t channels,
                           uint32_t size);

/* Allocates input and weights and fills them from a fixed LCG. Returns false when out of host
 * memory (nothing is left allocated). */
bool pm4d_convnet_net_fill(struct pm4d_convnet_net *net);

/* Frees what pm4d_convnet_net_fill allocated; safe after init alone. */
void pm4d_convnet_net_free(struct pm4d_convnet_net *net);

uint64_t pm4d_convnet_conv_in_elems(const struct pm4d_convnet_conv *cv);
uint64_t pm4d_convnet_conv_out_elems(const struct pm4d_convnet_conv *cv);
uint64_t pm4d_convnet_conv_filter_elems(const struct pm4d_convnet_conv *cv);

/* The last layer's output computed on the CPU in the shaders' arithmetic (fp32, same summation
 * order, no fused multiply-add), so a conforming device matches it bit for bit; malloc'd, or
 * NULL when out of host memory. */
float *pm4d_convnet_net_reference(const struct pm4d_convnet_net *net);

/* max |got - ref| / max |ref| (the max-norm of the error relative to the max-norm of the
 * reference output; absolute error when the reference is all zero). *differ counts the values
 * whose bits differ; infinite when got holds a NaN. */
double pm4d_convnet_net_rel_error(const float *got, const float *ref, uint64_t n, uint64_t *differ);

#endif
