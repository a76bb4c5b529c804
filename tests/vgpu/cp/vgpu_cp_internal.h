/* The CP's state and the helpers its packet and dispatch files share. */
#ifndef VGPU_CP_INTERNAL_H
#define VGPU_CP_INTERNAL_H

#include <stdbool.h>

#include "pm4d_isa.h"
#include "vgpu_cp.h"
#include "vgpu_cp_kernels.h"
#include "vgpu_cp_regs.h"

/* What runs a checked dispatch (VGPU_EXEC). */
enum vgpu_cp_exec {
   VGPU_CP_EXEC_POCL,    /* "pocl" or unset: the kernel's OpenCL source on the PoCL runner */
   VGPU_CP_EXEC_ISA,     /* "isa": the code at COMPUTE_PGM on the instruction model (tests/isa) */
   VGPU_CP_EXEC_UNKNOWN, /* anything else: every dispatch is refused, naming the value */
};

struct vgpu_cp {
   char target[16];
   const struct vgpu_cp_regs *regs; /* NULL: no register table, no dispatch executes */
   bool strict_preamble;            /* VGPU_STRICT_PREAMBLE=1: refuse inherited registers */
   enum vgpu_cp_exec exec;
   char exec_name[24]; /* VGPU_EXEC as given, for the refusal */
   uint32_t sh[VGPU_SH_REGS];
   bool sh_written[VGPU_SH_REGS];
   uint32_t context[VGPU_CONTEXT_REGS];
   uint32_t uconfig[VGPU_UCONFIG_REGS];
   uint64_t set_base[4]; /* SET_BASE by base index (1: DISPATCH_INDIRECT arguments) */
   struct vgpu_cp_counters counters;
};

/* One execute_ib call: where it reads memory and where a failure's reason goes. */
struct vgpu_cp_run {
   struct vgpu_cp *cp;
   const struct vgpu_mem_ops *mem;
   char *reason;
   size_t reason_size;
};

/* Sets the reason line and returns status. */
enum vgpu_cp_status vgpu_cp_fail(struct vgpu_cp_run *r, enum vgpu_cp_status status, const char *fmt,
                                 ...) __attribute__((format(printf, 3, 4)));

/* Host pointer for [va, va + size) through the VM, or NULL after reporting a GPU page fault
 * (mem->fault, the fault counter, the reason naming `what`); the caller returns
 * VGPU_CP_FAULT. */
void *vgpu_cp_translate(struct vgpu_cp_run *r, uint64_t va, uint64_t size, int write,
                        const char *what);

/* The project's kernel whose machine code is at pgm, searched among target's kernels (gfx1036
 * runs gfx1030's); *other: a kernel of another target whose code is there, for the reason. */
const struct vgpu_cp_kernel *vgpu_cp_find_kernel(const struct vgpu_mem_ops *mem, uint64_t pgm,
                                                 const char *target,
                                                 const struct vgpu_cp_kernel **other);
/* k's kernarg pointer from the SH registers sh (indices of g): the user SGPR pair after those
 * the descriptor's enable bits put first; *sgpr its first USER_DATA index. False when k takes
 * no kernarg pointer or RSRC2 enables too few user SGPRs. */
bool vgpu_cp_kernarg_address(const uint32_t *sh, const struct vgpu_cp_regs *g,
                             const struct vgpu_cp_kernel *k, uint64_t *va, uint32_t *sgpr);

/* DISPATCH_DIRECT (grid in workgroups or threads as the initiator says). */
enum vgpu_cp_status vgpu_cp_dispatch(struct vgpu_cp_run *r, const uint32_t dim[3],
                                     uint32_t initiator);

/* The last address the VM refused the instruction model. */
struct vgpu_cp_isa_refusal {
   bool seen;
   uint64_t va;
   int write;
};

/* Runs the dispatch the CP's COMPUTE_* registers describe (code at pgm, grid in workgroups) on
 * the instruction model with memory through r->mem; *refused says where a PM4D_ISA_PAGE_FAULT
 * was. Returns res->status. */
enum pm4d_isa_status vgpu_cp_isa_run(struct vgpu_cp_run *r, uint64_t pgm, const uint32_t grid[3],
                                     uint32_t initiator, struct pm4d_isa_result *res,
                                     struct vgpu_cp_isa_refusal *refused);

#endif
