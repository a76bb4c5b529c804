#version 450
#extension GL_GOOGLE_include_directive : require
// Direct conv2d for any R x S, stride, padding and dilation.
#include "pm4d_conv2d_common.glsl"

void main()
{
    uint pix = gl_GlobalInvocationID.x;
    uint ko = gl_GlobalInvocationID.y;
    uint no = gl_GlobalInvocationID.z;
    if (pix >= p.oh * p.ow || ko >= p.k || no >= p.n)
        return;
    uint oy = pix / p.ow;
    uint ox = pix % p.ow;
    int iy0 = int(oy * p.stride_h) - int(p.pad_h);
    int ix0 = int(ox * p.stride_w) - int(p.pad_w);

    // precise: a separate multiply and add per tap, never a fused multiply-add, so the result
    // is defined by the summation order alone (see pm4d_conv2d_common.glsl).
    precise float acc = 0.0;
    for (uint ci = 0u; ci < p.c; ++ci) {
        uint xplane = (no * p.c + ci) * p.h;
        uint fbase = (ko * p.c + ci) * p.r;
        for (uint ri = 0u; ri < p.r; ++ri) {
            int iy = iy0 + int(ri * p.dil_h);
            if (iy < 0 || iy >= int(p.h))
                continue;
            uint xrow = (xplane + uint(iy)) * p.w;
            uint frow = (fbase + ri) * p.s;
            for (uint si = 0u; si < p.s; ++si) {
                int ix = ix0 + int(si * p.dil_w);
                if (ix < 0 || ix >= int(p.w))
                    continue;
                acc += x[xrow + uint(ix)] * f[frow + si];
            }
        }
    }
    y[(no * p.k + ko) * p.oh * p.ow + pix] = conv2d_epilogue(acc, ko);
}
