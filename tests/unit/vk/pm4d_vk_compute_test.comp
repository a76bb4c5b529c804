#version 450
// Test kernel for the layer's tracking tests: y = y * MUL + x * scale + bias.
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer In { float x[]; };
layout(set = 0, binding = 1) buffer Out { float y[]; };
layout(push_constant) uniform Push { float scale; float bias; uint n; } pc;
layout(constant_id = 0) const float MUL = 1.0;
void main()
{
  uint i = gl_GlobalInvocationID.x;
  if (i < pc.n)
    y[i] = y[i] * MUL + x[i] * pc.scale + pc.bias;
}
