// Interface shared by the conv2d compute shaders: NCHW fp32 tensors, KCRS filter, shape in push
// constants. The layout must match struct pm4d_glsl_conv2d_push and the PM4D_GLSL_BINDING_*
// numbers in pm4d_glsl.h (the layer's known-shader table reads parameters from these offsets).
//
// Arithmetic, fixed so another implementation can reproduce the output bit for bit: fp32
// accumulator starting at 0; taps summed in the order c, r, s (out-of-image taps skipped),
// each as a rounded multiply then a rounded add (no FMA); then + bias; then max(., 0).

#define PM4D_CONV2D_FLAG_BIAS 1u
#define PM4D_CONV2D_FLAG_RELU 2u

// One invocation per output pixel: x = pixel within the OH*OW plane, y = output channel k,
// z = batch index n.
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(push_constant, std430) uniform Conv2dShape {
    uint n, c, h, w;          // input  NCHW
    uint k, r, s;             // filter KCRS (C from the input)
    uint stride_h, stride_w;
    uint pad_h, pad_w;
    uint dil_h, dil_w;
    uint oh, ow;              // output NKOHOW
    uint flags;               // PM4D_CONV2D_FLAG_*
} p;

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Filter { float f[]; };
// Bound even without a bias (to any buffer); read only when FLAG_BIAS is set.
layout(std430, set = 0, binding = 2) readonly buffer Bias { float b[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Output { float y[]; };

float conv2d_epilogue(float acc, uint ko)
{
    if ((p.flags & PM4D_CONV2D_FLAG_BIAS) != 0u)
        acc += b[ko];
    if ((p.flags & PM4D_CONV2D_FLAG_RELU) != 0u)
        acc = max(acc, 0.0);
    return acc;
}
