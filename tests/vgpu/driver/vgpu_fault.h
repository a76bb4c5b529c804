/* Fault injection for tests (VGPU_INJECT): which job of which context hangs, runs slowly, has
 * its fence interrupt lost, hangs with a reset that loses VRAM, or page-faults on its writes. Deterministic: a job is named
 * by its context's creation order in the process and its own order in that context. */
#ifndef VGPU_FAULT_H
#define VGPU_FAULT_H

#include <stdint.h>

enum vgpu_inject_kind {
   VGPU_INJECT_NONE,
   VGPU_INJECT_HANG,       /* never completes: the scheduler's timeout and a GPU reset */
   VGPU_INJECT_SLOW,       /* runs ms milliseconds longer (a timeout if that passes the limit) */
   VGPU_INJECT_LOST_FENCE, /* completes, but its fence interrupt is lost */
   VGPU_INJECT_VRAM_LOST,  /* hangs, and the reset that follows loses VRAM */
   VGPU_INJECT_PAGE_FAULT, /* its dispatches' buffer writes fault, as if unmapped */
};

struct vgpu_inject {
   enum vgpu_inject_kind kind;
   unsigned ms;
};

/* What VGPU_INJECT asks of job `job` (from 1) of context `ctx` (from 1, in creation order). */
struct vgpu_inject vgpu_inject_lookup(unsigned ctx, uint64_t job);

#endif
