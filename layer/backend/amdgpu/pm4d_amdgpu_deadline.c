#include "pm4d_amdgpu_deadline.h"

uint64_t pm4d_amdgpu_deadline_ns(uint64_t flops)
{
   /* ns = flops * 1e9 / rate = flops / (rate / 1e9), rate / 1e9 = 10 FLOP per ns. */
   const uint64_t flops_per_ns = PM4D_AMDGPU_DEADLINE_FLOPS_PER_S / 1000000000ull;
   uint64_t compute = flops / flops_per_ns + (flops % flops_per_ns != 0);
   if (compute > UINT64_MAX - PM4D_AMDGPU_DEADLINE_BASE_NS)
      return UINT64_MAX;
   return PM4D_AMDGPU_DEADLINE_BASE_NS + compute;
}
