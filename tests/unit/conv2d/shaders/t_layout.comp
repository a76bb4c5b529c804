#version 450
// Reader test: fixed workgroup size, push block with mixed member sizes, buffers in two sets,
// a uniform buffer, bool and uint spec constants.
layout(local_size_x = 8, local_size_y = 4, local_size_z = 2) in;
layout(push_constant) uniform Push { uint a; vec2 b; uvec4 c; float d; } pc;
layout(set = 0, binding = 0) readonly buffer In { float x[]; };
layout(set = 1, binding = 3) writeonly buffer Out { float y[]; };
layout(set = 0, binding = 5) uniform Params { float scale; };
layout(constant_id = 2) const bool FLIP = true;
layout(constant_id = 9) const uint BIAS = 42u;
void main()
{
    uint i = gl_GlobalInvocationID.x;
    float v = x[i] * scale * pc.b.y + float(pc.c.z) + pc.d + float(BIAS);
    y[i + pc.a] = FLIP ? -v : v;
}
