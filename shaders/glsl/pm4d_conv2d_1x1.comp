#version 450
#extension GL_GOOGLE_include_directive : require
// 1x1 conv2d with stride 1 and no padding: a per-pixel matrix-vector product over channels.
// The caller guarantees r = s = 1, stride 1, pad 0, so oh = h and ow = w.
#include "pm4d_conv2d_common.glsl"

void main()
{
    uint pix = gl_GlobalInvocationID.x;
    uint ko = gl_GlobalInvocationID.y;
    uint no = gl_GlobalInvocationID.z;
    uint plane = p.h * p.w;
    if (pix >= plane || ko >= p.k || no >= p.n)
        return;

    // precise: a separate multiply and add per tap, never a fused multiply-add, so the result
    // is defined by the summation order alone (see pm4d_conv2d_common.glsl).
    precise float acc = 0.0;
    uint xi = no * p.c * plane + pix;
    uint fi = ko * p.c;
    for (uint ci = 0u; ci < p.c; ++ci) {
        acc += x[xi] * f[fi + ci];
        xi += plane;
    }
    y[(no * p.k + ko) * plane + pix] = conv2d_epilogue(acc, ko);
}
