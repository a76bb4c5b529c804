/* The OpenCL objects behind a runner, for a program that enqueues the conv2d kernels itself on
 * device buffers of its own (tests/bench/kernels): the same platform choice, context, profiling
 * queue and built kernels that pm4d_clrun_dispatch uses. The runner keeps owning them. */
#ifndef PM4D_CLRUN_CL_H
#define PM4D_CLRUN_CL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include "pm4d_clrun.h"
#include "pm4d_kernels.h"

struct pm4d_clrun_cl {
   cl_context ctx;
   cl_command_queue queue;                       /* in order, CL_QUEUE_PROFILING_ENABLE */
   cl_kernel kernels[PM4D_CONV2D_VARIANT_COUNT]; /* by enum pm4d_conv2d_variant */
};

void pm4d_clrun_cl_objects(const struct pm4d_clrun *r, struct pm4d_clrun_cl *out);

#endif
