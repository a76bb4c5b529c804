#include "pm4d_amdgpu_deadline.h"

uint64_t pm4d_amdgpu_deadline_ns(uint64_t flops)
{
   /* ns = flops / (FLOP per ns), rounded up; at most ~1.8e18, so the sum cannot wrap. */
   const uint64_t flops_per_ns = PM4D_AMDGPU_DEADLINE_FLOPS_PER_S / 1000000000ull;
   return PM4D_AMDGPU_DEADLINE_BASE_NS + flops / flops_per_ns + (flops % flops_per_ns != 0);
}
