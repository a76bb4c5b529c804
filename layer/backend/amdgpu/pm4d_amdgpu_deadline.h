/* How long a direct batch may run before the watchdog calls it a hang. */
#ifndef PM4D_AMDGPU_DEADLINE_H
#define PM4D_AMDGPU_DEADLINE_H

#include <stdint.h>

/* Fixed part: submission, cache flushes, clock ramp-up. */
#define PM4D_AMDGPU_DEADLINE_BASE_NS 100000000ull /* 100 ms */
/* A rate far below any supported GPU, so a slow but healthy batch is not called hung: the
 * smallest target, gfx1036 with 2 CUs, peaks near 0.5 TFLOP/s in f32 (2 CUs x 64 lanes x 2 x
 * 2.2 GHz); 10 GFLOP/s leaves a kernel at 2% of that peak inside its deadline. */
#define PM4D_AMDGPU_DEADLINE_FLOPS_PER_S 10000000000ull

/* 100 ms + flops at the conservative rate, in ns. */
uint64_t pm4d_amdgpu_deadline_ns(uint64_t flops);

#endif
