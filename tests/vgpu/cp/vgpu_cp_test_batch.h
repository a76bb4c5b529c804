/* The layer's own conv2d batch for the CP tests: code image, kernargs, random inputs and the IB
 * written with layer/pm4 (builder and templates, as layer/direct builds a batch: head with the
 * compute preamble, one dispatch per job, tail with the fence, NOP padding to the IB
 * alignment), in memory the caller maps (a host VM for the unit test, BOs through libdrm for
 * the end-to-end test); and the plain C conv2d that checks the outputs. */
#ifndef VGPU_CP_TEST_BATCH_H
#define VGPU_CP_TEST_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "pm4d_kernels.h"

/* direct, grouped direct, 1x1, 3x3_wino, 3x3, 1x1_small, 3x3_small, 1x1_f16, 3x3_small_f16,
 * grouped direct with an fp16 filter, 3x3_f16, 1x1_small_f16: every kernel variant */
#define BATCH_JOBS 12u

/* Maps size bytes of zeroed GPU memory, writable by the GPU or not; returns the host pointer
 * and the GPU address in *va (256-byte aligned), NULL on failure. */
typedef void *(*batch_map_fn)(void *user, uint64_t size, int gpu_writable, uint64_t *va);

struct batch_job {
   struct pm4d_conv2d_params p;
   float *host[4]; /* input, filter (_Float16 words when p.filter_f16), bias, output */
   uint64_t va[4], bytes[4];
};

struct batch {
   struct batch_job jobs[BATCH_JOBS];
   uint64_t ib_va, fence_va;
   uint32_t *ib, ib_dw;
   uint8_t *kernargs; /* job i's at kernargs + i * BATCH_KERNARG_SLOT */
   uint64_t *fence;
};

#define BATCH_FENCE_VALUE  0x1234567890ull
#define BATCH_KERNARG_SLOT 256u

/* Builds the batch for target, NOP-padded to a multiple of ib_align bytes (the device's IB
 * alignment; the IB's memory is 256-byte aligned); false (with a line on stderr) when something
 * failed; *skip set when the build made no code object for target. */
bool batch_build(const char *target, uint32_t ib_align, batch_map_fn map, void *user,
                 struct batch *b, bool *skip);

/* Relative L2 error of job i's output against the plain C conv2d. */
double batch_error(const struct batch *b, uint32_t i);

#endif
