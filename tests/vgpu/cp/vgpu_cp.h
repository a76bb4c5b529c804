/* The virtual GPU's command processor: the contract between the kernel-driver model (driver/,
 * which owns files, BOs, the GPU VM, contexts, syncobjs and the per-ring scheduler threads) and
 * the packet engine (cp/, which executes one ring's IBs). The CP knows nothing of files or
 * syncobjs; the driver knows nothing of packets. */
#ifndef VGPU_CP_H
#define VGPU_CP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The driver's side, for one submission: memory as the submitting file's GPU VM sees it. */
struct vgpu_mem_ops {
   void *user;
   /* Host pointer for [va, va + size) when every page is mapped in the VM with the access asked
    * for (write != 0: writable; VGPU_MEM_SHADER_WRITE: a dispatch's write to one of its
    * buffers, VGPU_MEM_CP_WRITE: the CP's own, a packet's); NULL otherwise. va is as the packet gives it (canonical,
    * sign-extended addresses are accepted). A NULL return is a GPU page fault: the CP calls
    * fault() and treats the access as the hardware would (see vgpu_cp_execute_ib). */
   void *(*translate)(void *user, uint64_t va, uint64_t size, int write);
   /* A GPU page fault at va (the driver logs it as the kernel does; see the fault issue). */
   void (*fault)(void *user, uint64_t va, int write, const char *what);
   /* Monotonic nanoseconds past which a blocking packet (WAIT_REG_MEM) gives up: the job's
    * scheduler timeout. 0: none. */
   uint64_t deadline_ns;
   /* The device's GPU reset counter and its value when the job started, or NULL: a blocking
    * packet gives up (VGPU_CP_TIMEOUT) once it moves, as a GPU reset stops every ring. */
   const atomic_uint *reset_counter;
   unsigned reset_seen;
   /* amdgpu.vm_fault_stop=0, the kernel's default (amdgpu_drv.c): a dispatch's page fault is
    * reported and its access goes nowhere, the waves run on and so does the CP; the model drops
    * the dispatch (it computes nothing it could stand for) and goes on with the IB. false: the
    * IB stops at the fault (vm_fault_stop=2, and the CP unit tests' VMs). A fault of the CP's
    * own accesses (IB fetch, packets) stops the IB either way. */
   bool faults_continue;
};
#define VGPU_MEM_CP_WRITE     1
#define VGPU_MEM_SHADER_WRITE 2

enum vgpu_cp_status {
   VGPU_CP_OK,
   VGPU_CP_FAULT,          /* a page fault stopped the IB */
   VGPU_CP_BAD_PACKET,     /* an opcode, register or field the CP does not know */
   VGPU_CP_NOT_EXECUTABLE, /* a dispatch of code the CP cannot run (RADV's own shaders) */
   VGPU_CP_TIMEOUT,        /* a wait did not complete before deadline_ns */
};

/* One hardware ring's command processor (its SH/UCONFIG register state persists across IBs of
 * one context, as on hardware). target: "gfx1030", "gfx1036", "gfx1100", "gfx90a". */
struct vgpu_cp;
struct vgpu_cp *vgpu_cp_create(const char *target);
void vgpu_cp_destroy(struct vgpu_cp *cp);

/* Executes the IB of ndw dwords at ib_va (and the IBs it calls or chains to) to its end, on the
 * calling thread (the driver's scheduler thread of this ring). reason gets one line on failure. */
enum vgpu_cp_status vgpu_cp_execute_ib(struct vgpu_cp *cp, const struct vgpu_mem_ops *mem,
                                       uint64_t ib_va, uint32_t ndw, char *reason,
                                       size_t reason_size);

/* The kernarg bytes each DISPATCH_DIRECT of the project's kernels in one IB will read, found
 * without running it, for the driver's in-flight check at CS time: COMPUTE_PGM_LO/HI, RSRC2
 * and USER_DATA as the IB's SET_SH_REG packets write them, the kernel recognised by the code at
 * COMPUTE_PGM, the pointer in the USER_DATA pair its descriptor's enable bits say, the size its
 * descriptor's kernarg_size says. A dispatch whose registers the IB does not write itself (set
 * by an earlier IB), with an empty grid or of code that is none of the project's kernels is
 * left out, as are called and chained IBs. Returns how many ranges it found (at most max go
 * to out); memory is read through mem, never faulting. target as for vgpu_cp_create. */
struct vgpu_cp_range {
   uint64_t va;
   uint32_t bytes;
};
unsigned vgpu_cp_kernargs(const char *target, const struct vgpu_mem_ops *mem, uint64_t ib_va,
                          uint32_t ndw, struct vgpu_cp_range *out, unsigned max);

struct vgpu_cp_counters {
   uint64_t ibs, packets;
   uint64_t dispatches_run;            /* the project's kernels, executed */
   uint64_t dispatches_not_executable; /* counted, never faked */
   uint64_t faults;
   uint64_t misaligned_ibs; /* IB start or size off the profile's alignment */
   /* Dispatches that inherited a register Mesa's compute preamble sets (COMPUTE_STATIC_THREAD_
    * MGMT_SE*, USER_ACCUM_*, DISPATCH_TUNNEL, GFX11 DISPATCH_INTERLEAVE), poisoned at context
    * start; with VGPU_STRICT_PREAMBLE=1 also refused (VGPU_CP_BAD_PACKET). */
   uint64_t dispatches_inherited;
   /* Interrupts the IBs asked for (RELEASE_MEM / EVENT_WRITE_EOP with INT_SEL != 0): the
    * kernel's own fence raises one per job; one in a user IB is an interrupt nothing waits for. */
   uint64_t interrupts;
};
void vgpu_cp_get_counters(const struct vgpu_cp *cp, struct vgpu_cp_counters *out);

#endif
