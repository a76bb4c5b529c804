/* Validator: decodes a stream and refuses it, with the dword offset and a reason, unless every
 * packet is one the direct path emits and every address points into buffers registered here.
 * Refused: bad headers, counts that overrun the stream or disagree with the packet's size,
 * opcodes outside the allow-list, register writes outside the COMPUTE_* registers the builder
 * writes, compute preamble registers (pm4d_regs.h) not written before a dispatch or written
 * with other values, dispatches without full state or without their barrier (an ACQUIRE_MEM before the
 * first, a CS_PARTIAL_FLUSH then an ACQUIRE_MEM before each later one), zero or oversized
 * grids, workgroup sizes or RSRC values that disagree with the kernel, and program / kernarg /
 * fence addresses outside the registered ranges (WRITE_DATA: a fence range, or the stream's
 * next fallback switch, pm4d_validator.disarm). */
#ifndef PM4D_VALIDATE_H
#define PM4D_VALIDATE_H

#include <stdint.h>

#include "pm4d_builder.h"
#include "pm4d_kernel_desc.h"
#include "pm4d_status.h"

/* programs: the tool registers every kernel of every target of a level (gfx10.3: 7 targets x 9
 * conv2d kernels = 63) */
#define PM4D_VALIDATOR_MAX_RANGES             128u
#define PM4D_VALIDATOR_DEFAULT_MAX_WORKGROUPS (1ull << 24)

struct pm4d_vrange {
   uint64_t base, size;
   const struct pm4d_kernel_desc *kernel; /* program ranges only */
};

struct pm4d_vranges {
   uint32_t count;
   struct pm4d_vrange r[PM4D_VALIDATOR_MAX_RANGES];
};

struct pm4d_validator {
   struct pm4d_builder builder;
   struct pm4d_vranges program, kernarg, fence;
   uint64_t max_workgroups; /* per dispatch; larger grids are refused as oversized */
   /* The batch's fallback switches in order (pm4d_job.disarm): a WRITE_DATA of one 0 dword to
    * the next of them, after a CS_PARTIAL_FLUSH that follows a dispatch, is allowed; NULL:
    * none. The caller sets them per stream. */
   const uint64_t *disarm;
   uint32_t ndisarm;
};

struct pm4d_validate_error {
   uint32_t offset; /* dword offset in the stream */
   char reason[224];
};

enum pm4d_status pm4d_validator_init(struct pm4d_validator *v, enum pm4d_gfx_level level);
/* For a target name (gfx90a's preamble differs from gfx900's) or a level name. */
enum pm4d_status pm4d_validator_init_target(struct pm4d_validator *v, const char *target);
/* A kernel whose first instruction is at `entry`; its code occupies [entry, entry + size). */
enum pm4d_status pm4d_validator_add_program(struct pm4d_validator *v, uint64_t entry, uint64_t size,
                                            const struct pm4d_kernel_desc *k);
enum pm4d_status pm4d_validator_add_kernarg(struct pm4d_validator *v, uint64_t base, uint64_t size);
enum pm4d_status pm4d_validator_add_fence(struct pm4d_validator *v, uint64_t base, uint64_t size);

/* PM4D_OK when the stream is acceptable; otherwise PM4D_ERR_INVALID and *err filled. */
enum pm4d_status pm4d_validate(const struct pm4d_validator *v, const uint32_t *dw, uint32_t ndw,
                               struct pm4d_validate_error *err);

#endif
