/* Parameter extraction: a known-shader entry plus what the application set at dispatch time
 * (push-constant bytes, specialization constants, bound buffer ranges) gives either a conv2d
 * shape with its four buffers, or a named pass-through reason. Pure data; no Vulkan calls. */
#ifndef PM4D_CONV2D_EXTRACT_H
#define PM4D_CONV2D_EXTRACT_H

#include "pm4d_kernels.h" /* struct pm4d_conv2d_params: the kernels' shape, one definition */
#include "pm4d_shader_table.h"
#include "pm4d_spirv.h"

#include <stdint.h>
#include <vulkan/vulkan_core.h>

/* Why a dispatch (or shader) goes to the driver. The layer counts by these; names are stable. */
enum pm4d_conv2d_pt {
   PM4D_CONV2D_REDIRECT = 0,        /* not a pass-through: the job can be redirected */
   PM4D_CONV2D_PT_MALFORMED_SPIRV,  /* the module failed pm4d_spirv_parse */
   PM4D_CONV2D_PT_UNKNOWN_SHADER,   /* fingerprint / entry point not in the table */
   PM4D_CONV2D_PT_VARIANT,          /* known variant the kernels do not run (transposed) */
   PM4D_CONV2D_PT_LAYOUT,           /* tensor layout other than NCHW / KCRS */
   PM4D_CONV2D_PT_DTYPE,            /* a tensor not fp32 */
   PM4D_CONV2D_PT_MISSING_PUSH,     /* a needed push-constant byte was never pushed */
   PM4D_CONV2D_PT_MISSING_SPEC,     /* spec constant neither specialized nor defaulted, or a
                                        malformed VkSpecializationInfo entry */
   PM4D_CONV2D_PT_MISSING_BUFFER,   /* a needed (set, binding) has no buffer bound */
   PM4D_CONV2D_PT_ZERO_SIZE,        /* n, c, h, w, k, r, s, stride, dilation or groups is 0 */
   PM4D_CONV2D_PT_NEGATIVE_SIZE,    /* a value >= 2^31 (negative as int32) */
   PM4D_CONV2D_PT_OVERFLOW,         /* size arithmetic overflows 64 bits */
   PM4D_CONV2D_PT_TOO_LARGE,        /* a tensor of 2^31 elements or more, or another index
                                        past the kernels' 32-bit limits */
   PM4D_CONV2D_PT_EMPTY_OUTPUT,     /* dilated filter larger than the padded input */
   PM4D_CONV2D_PT_OUTPUT_MISMATCH,  /* given oh/ow differ from the output-size formula */
   PM4D_CONV2D_PT_GROUPS,           /* groups does not divide c and k */
   PM4D_CONV2D_PT_NOT_CONTIGUOUS,   /* an 'expect' stride check failed */
   PM4D_CONV2D_PT_BUFFER_TOO_SMALL, /* a bound range smaller than the shape needs */
   PM4D_CONV2D_PT_COUNT
};

/* Stable snake_case name of a reason ("buffer_too_small"), for logs and the stats JSON. */
const char *pm4d_conv2d_pt_name(enum pm4d_conv2d_pt reason);

/* Bytes available at (set, binding): the descriptor's range, or buffer size minus offset. */
struct pm4d_conv2d_range {
   uint32_t set;
   uint32_t binding;
   uint64_t size;
};

/* What the application set when it dispatched. */
struct pm4d_conv2d_dispatch {
   const uint8_t *push;       /* push-constant bytes, offset 0 .. push_size-1 */
   const uint8_t *push_valid; /* push_valid[i] != 0: byte i was pushed */
   uint32_t push_size;
   const struct pm4d_spirv_info *module; /* spec-constant defaults */
   const VkSpecializationInfo *spec;     /* the pipeline's, or NULL */
   const struct pm4d_conv2d_range *ranges;
   uint32_t n_ranges;
};

struct pm4d_conv2d_buffer_use {
   uint32_t set;
   uint32_t binding;
   uint64_t bytes; /* bytes the shape reads or writes from the descriptor's offset */
};

/* A redirectable dispatch: shape (oh, ow filled) and buffers by role; buffers[BIAS].bytes is 0
 * when there is no bias. */
struct pm4d_conv2d_job_desc {
   struct pm4d_conv2d_params params;
   struct pm4d_conv2d_buffer_use buffers[PM4D_CONV2D_ROLE_COUNT];
};

/* Fills *out and returns PM4D_CONV2D_REDIRECT, or returns the reason to pass through. */
enum pm4d_conv2d_pt pm4d_conv2d_extract(const struct pm4d_shader_entry *entry,
                                        const struct pm4d_conv2d_dispatch *d,
                                        struct pm4d_conv2d_job_desc *out);

#endif
