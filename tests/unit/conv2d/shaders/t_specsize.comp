#version 450
// Reader test: workgroup size from specialization constants (ids 3 and 4), z fixed.
layout(local_size_x_id = 3, local_size_y_id = 4, local_size_z = 2) in;
layout(set = 2, binding = 1) buffer Data { uint v[]; };
layout(constant_id = 5) const uint STEP = 9u;
void main() { v[gl_GlobalInvocationID.x] += STEP; }
