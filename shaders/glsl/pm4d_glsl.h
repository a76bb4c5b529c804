/* Embedded SPIR-V of the GLSL conv2d compute shaders and the interface they share
 * (pm4d_conv2d_common.glsl): descriptor bindings, push-constant layout, flag bits, workgroup
 * size. Applications (tests/apps/convnet) bind exactly this; the layer recognises it. */
#ifndef PM4D_GLSL_H
#define PM4D_GLSL_H

#include <stddef.h>
#include <stdint.h>

enum pm4d_glsl_shader {
   PM4D_GLSL_CONV2D_DIRECT, /* any R x S, stride, padding, dilation */
   PM4D_GLSL_CONV2D_1X1,    /* R = S = 1, stride 1, no padding */
   PM4D_GLSL_SHADER_COUNT
};

struct pm4d_glsl_spirv {
   const char *name; /* source file name without .comp */
   const uint32_t *code;
   size_t size; /* bytes */
};

/* Descriptor set 0, all storage buffers of fp32. */
enum {
   PM4D_GLSL_BINDING_INPUT = 0,  /* NCHW */
   PM4D_GLSL_BINDING_FILTER = 1, /* KCRS */
   PM4D_GLSL_BINDING_BIAS = 2,   /* K; must be bound, read only with PM4D_GLSL_FLAG_BIAS */
   PM4D_GLSL_BINDING_OUTPUT = 3, /* N K OH OW */
   PM4D_GLSL_BINDING_COUNT = 4
};

enum { PM4D_GLSL_FLAG_BIAS = 1u, PM4D_GLSL_FLAG_RELU = 2u };

/* Dispatch: x = ceil(oh * ow / PM4D_GLSL_LOCAL_SIZE_X), y = k, z = n. */
#define PM4D_GLSL_LOCAL_SIZE_X 64u

/* Push constants at offset 0, std430: every member a 32-bit unsigned integer. */
struct pm4d_glsl_conv2d_push {
   uint32_t n, c, h, w;
   uint32_t k, r, s;
   uint32_t stride_h, stride_w;
   uint32_t pad_h, pad_w;
   uint32_t dil_h, dil_w;
   uint32_t oh, ow;
   uint32_t flags;
};
_Static_assert(sizeof(struct pm4d_glsl_conv2d_push) == 64, "push-constant block is 16 dwords");

/* Returns NULL for an id out of range. */
const struct pm4d_glsl_spirv *pm4d_glsl_get(enum pm4d_glsl_shader id);

#endif
