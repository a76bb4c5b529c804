/* The CP's state and the helpers its packet and dispatch files share. */
#ifndef VGPU_CP_INTERNAL_H
#define VGPU_CP_INTERNAL_H

#include <stdbool.h>

#include "vgpu_cp.h"
#include "vgpu_cp_regs.h"

struct vgpu_cp {
   char target[16];
   const struct vgpu_cp_regs *regs; /* NULL: no register table, no dispatch executes */
   bool strict_preamble;            /* VGPU_STRICT_PREAMBLE=1: refuse inherited registers */
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

/* DISPATCH_DIRECT (grid in workgroups or threads as the initiator says). */
enum vgpu_cp_status vgpu_cp_dispatch(struct vgpu_cp_run *r, const uint32_t dim[3],
                                     uint32_t initiator);

#endif
