/* Local draft of the shared conv2d shape (branch kernels defines struct pm4d_conv2d_params in
 * shaders/opencl/pm4d_kernels.h); replaced by that header once it is merged. Same fields. */
#ifndef PM4D_CONV2D_PARAMS_DRAFT_H
#define PM4D_CONV2D_PARAMS_DRAFT_H

#include <stdbool.h>
#include <stdint.h>

struct pm4d_conv2d_params {
   uint32_t n, c, h, w, k, r, s;
   uint32_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups;
   bool has_bias, relu;
   uint32_t oh, ow;
};

#endif
