/* DISPATCH_DIRECT: recognise the kernel by the code at COMPUTE_PGM, check the dispatch's
 * registers against its descriptor, and run it through the PoCL runner with kernargs and
 * buffers read through the GPU VM, or (VGPU_EXEC=isa) on the instruction model from the
 * registers. Code that is none of the project's kernels runs only on the instruction model
 * (VGPU_EXEC=isa: RADV's own shaders, where the model knows their instructions); otherwise it
 * is counted, never faked. */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pm4d_clrun.h"
#include "pm4d_kernels.h"
#include "vgpu_cp_internal.h"
#include "vgpu_cp_kernels.h"

#define BUFFERS_MAX 8

/* One runner for the process (building the kernels takes seconds); one dispatch at a time. */
static pthread_mutex_t runner_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pm4d_clrun *runner;
static char runner_error[256];

struct buffers {
   uint32_t n;
   uint64_t va[BUFFERS_MAX];
   void *host[BUFFERS_MAX];
   uint64_t bytes[BUFFERS_MAX];
};

static bool buffer_lookup(void *user, uint64_t addr, void **host, size_t *bytes)
{
   const struct buffers *b = user;
   for (uint32_t i = 0; i < b->n; i++) {
      if (b->va[i] == addr) {
         *host = b->host[i];
         *bytes = (size_t)b->bytes[i];
         return true;
      }
   }
   return false;
}

static enum vgpu_cp_status not_executable(struct vgpu_cp_run *r, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));
static enum vgpu_cp_status not_executable(struct vgpu_cp_run *r, const char *fmt, ...)
{
   r->cp->counters.dispatches_not_executable++;
   char what[240];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(what, sizeof(what), fmt, ap);
   va_end(ap);
   return vgpu_cp_fail(r, VGPU_CP_NOT_EXECUTABLE, "dispatch not executable: %s", what);
}

/* The descriptor decides RSRC1/2/3; the dispatch may only add the LDS size (RSRC2.LDS_SIZE,
 * dynamic in the descriptor) and it must cover the group segment. */
static enum vgpu_cp_status check_program(struct vgpu_cp_run *r, const struct vgpu_cp_kernel *k,
                                         uint32_t initiator)
{
   const struct vgpu_cp *cp = r->cp;
   const struct vgpu_cp_regs *g = cp->regs;
   uint32_t rsrc1 = cp->sh[g->rsrc1], rsrc2 = cp->sh[g->rsrc2], rsrc3 = cp->sh[g->rsrc3];
   uint32_t lds =
      ((rsrc2 & VGPU_RSRC2_LDS_SIZE_MASK) >> VGPU_RSRC2_LDS_SIZE_SHIFT) * VGPU_LDS_GRANULE_BYTES;
   if (rsrc1 != k->rsrc1)
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                          "COMPUTE_PGM_RSRC1 0x%08x is not %s's descriptor value 0x%08x", rsrc1,
                          k->name, k->rsrc1);
   if ((rsrc2 & ~VGPU_RSRC2_LDS_SIZE_MASK) != (k->rsrc2 & ~VGPU_RSRC2_LDS_SIZE_MASK))
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                          "COMPUTE_PGM_RSRC2 0x%08x is not %s's descriptor value 0x%08x "
                          "(outside LDS_SIZE)",
                          rsrc2, k->name, k->rsrc2);
   if (lds < k->group_segment_size)
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                          "COMPUTE_PGM_RSRC2.LDS_SIZE gives %u bytes, %s needs %u", lds, k->name,
                          k->group_segment_size);
   if (rsrc3 != k->rsrc3)
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                          "COMPUTE_PGM_RSRC3 0x%08x is not %s's descriptor value 0x%08x", rsrc3,
                          k->name, k->rsrc3);
   bool w32 = initiator & VGPU_INIT_CS_W32_EN;
   if (w32 != ((k->kernel_code_properties & VGPU_KCP_WAVEFRONT_SIZE32) != 0))
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "%s is wave%u, dispatched as wave%u", k->name,
                          k->wave_size, w32 ? 32u : 64u);
   for (int i = 0; i < 3; i++) {
      uint32_t n = VGPU_NUM_THREAD_FULL(cp->sh[g->num_thread_x + i]);
      if (cp->sh[g->start_x + i] != 0)
         return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "COMPUTE_START_%c is %u (not 0)", 'X' + i,
                             cp->sh[g->start_x + i]);
      if (k->wg_size[i] && n != k->wg_size[i])
         return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                             "COMPUTE_NUM_THREAD_%c is %u, %s's reqd_work_group_size %u", 'X' + i,
                             n, k->name, k->wg_size[i]);
   }
   return VGPU_CP_OK;
}

/* Registers Mesa's preamble sets and this context never wrote (issue 16). */
static enum vgpu_cp_status check_inherited(struct vgpu_cp_run *r)
{
   struct vgpu_cp *cp = r->cp;
   const char *first = NULL;
   for (uint32_t i = 0; i < cp->regs->num_poisoned && !first; i++)
      if (!cp->sh_written[cp->regs->poisoned[i].index])
         first = cp->regs->poisoned[i].name;
   if (!first)
      return VGPU_CP_OK;
   cp->counters.dispatches_inherited++;
   if (!cp->strict_preamble)
      return VGPU_CP_OK;
   return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                       "dispatch inherits %s from context start (VGPU_STRICT_PREAMBLE=1)", first);
}

/* The metadata's layout must be the one the runner reads kernargs with (pm4d_conv2d_args). */
static bool layout_matches(const struct vgpu_cp_kernel *k)
{
   const struct pm4d_kernel_arg *abi;
   size_t n = pm4d_conv2d_args(&abi);
   if (n != k->num_args || k->kernarg_size < PM4D_CONV2D_KERNARG_SIZE)
      return false;
   for (size_t i = 0; i < n; i++) {
      bool buffer = k->args[i].kind == VGPU_CP_ARG_GLOBAL_BUFFER;
      if (abi[i].offset != k->args[i].offset || abi[i].size != k->args[i].size ||
          buffer != (abi[i].kind == PM4D_KERNEL_ARG_GLOBAL_BUFFER))
         return false;
   }
   return true;
}

/* Translates every buffer argument for the bytes the shape needs (the kernel's ABI, in
 * argument order: input, filter, bias, output), writable where the metadata says so. */
static enum vgpu_cp_status map_buffers(struct vgpu_cp_run *r, const struct vgpu_cp_kernel *k,
                                       const uint8_t *kernarg, struct buffers *b)
{
   struct pm4d_conv2d_params p;
   struct pm4d_conv2d_buffers unused;
   uint64_t need[4];
   char why[160];
   if (!pm4d_conv2d_unpack_kernargs(kernarg, k->kernarg_size, &p, &unused) ||
       !pm4d_conv2d_params_check(&p, why, sizeof(why)))
      return not_executable(r, "%s kernargs describe no conv2d it can run: %s", k->name, why);
   pm4d_conv2d_buffer_bytes(&p, need);
   b->n = 0;
   for (uint32_t i = 0; i < k->num_args; i++) {
      const struct vgpu_cp_arg *a = &k->args[i];
      if (a->kind != VGPU_CP_ARG_GLOBAL_BUFFER)
         continue;
      if (b->n >= 4)
         return not_executable(r, "%s has more buffers than conv2d", k->name);
      uint64_t va;
      memcpy(&va, kernarg + a->offset, 8);
      uint64_t bytes = need[b->n];
      char what[64];
      snprintf(what, sizeof(what), "%s argument %u", k->name, i);
      void *host = NULL;
      if (bytes &&
          !(host = vgpu_cp_translate(r, va, bytes, a->writable ? VGPU_MEM_SHADER_WRITE : 0, what)))
         return VGPU_CP_FAULT;
      b->va[b->n] = va;
      b->host[b->n] = host;
      b->bytes[b->n] = bytes;
      b->n++;
   }
   return VGPU_CP_OK;
}

static enum vgpu_cp_status run_kernel(struct vgpu_cp_run *r, const struct vgpu_cp_kernel *k,
                                      const uint32_t grid[3], const void *kernarg,
                                      struct buffers *b)
{
   char why[256] = "";
   pthread_mutex_lock(&runner_mu);
   if (!runner && !runner_error[0] &&
       pm4d_clrun_create(NULL, &runner, runner_error, sizeof(runner_error)) != PM4D_CLRUN_OK &&
       !runner_error[0])
      snprintf(runner_error, sizeof(runner_error), "no OpenCL runner");
   enum pm4d_clrun_status st = PM4D_CLRUN_NO_PLATFORM;
   if (runner)
      st = pm4d_clrun_dispatch(runner, k->name, grid, kernarg, k->kernarg_size, buffer_lookup, b,
                               why, sizeof(why));
   pthread_mutex_unlock(&runner_mu);
   if (!runner)
      return not_executable(r, "the PoCL runner is unavailable: %s", runner_error);
   if (st == PM4D_CLRUN_OK) {
      r->cp->counters.dispatches_run++;
      return VGPU_CP_OK;
   }
   return not_executable(r, "the PoCL runner refused %s: %s: %s", k->name,
                         pm4d_clrun_status_name(st), why);
}

/* VGPU_EXEC=isa: the model's page fault is reported as the CP reports one (the VM's fault
 * hook, the counter); a dispatch of one of our kernels (ours) that the model finds wrong is a
 * bad packet; what it cannot run, and foreign code whose state it does not provide (no
 * descriptor says that state is wrong), is not executable. */
static enum vgpu_cp_status run_isa(struct vgpu_cp_run *r, const char *name, bool ours, uint64_t pgm,
                                   const uint32_t grid[3], uint32_t initiator)
{
   struct pm4d_isa_result res;
   struct vgpu_cp_isa_refusal refused;
   enum pm4d_isa_status st = vgpu_cp_isa_run(r, pgm, grid, initiator, &res, &refused);
   if (st == PM4D_ISA_OK) {
      r->cp->counters.dispatches_run++;
      return VGPU_CP_OK;
   }
   if (st == PM4D_ISA_PAGE_FAULT && refused.seen &&
       !vgpu_cp_translate(r, refused.va, 1, refused.write, name))
      return VGPU_CP_FAULT;
   if (st == PM4D_ISA_BAD_DISPATCH && ours)
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET, "%s on the instruction model: %s", name,
                          res.reason);
   return not_executable(r, "the instruction model refused %s: %s: %s", name,
                         pm4d_isa_status_name(st), res.reason);
}

/* The kernel of ours whose code holds the bytes at pgm after its start (a program address
 * pointing into our code, a layer bug, not foreign code), with the offset; NULL when none. */
#define INSIDE_PROBE_BYTES 32
static const struct vgpu_cp_kernel *inside_kernel(struct vgpu_cp_run *r, uint64_t pgm,
                                                  size_t *offset)
{
   const uint8_t *probe = r->mem->translate(r->mem->user, pgm, INSIDE_PROBE_BYTES, 0);
   for (unsigned i = 0; probe && i < vgpu_cp_kernel_count; i++) {
      const struct vgpu_cp_kernel *k = &vgpu_cp_kernels[i];
      const uint8_t *at = k->code_size > INSIDE_PROBE_BYTES
                             ? memmem(k->code + 1, k->code_size - 1, probe, INSIDE_PROBE_BYTES)
                             : NULL;
      if (at) {
         *offset = (size_t)(at - k->code);
         return k;
      }
   }
   return NULL;
}

/* The grid in workgroups from DISPATCH_DIRECT's dimensions (threads when the initiator says so). */
static enum vgpu_cp_status dispatch_grid(struct vgpu_cp_run *r, const uint32_t dim[3],
                                         uint32_t initiator, uint32_t grid[3])
{
   const struct vgpu_cp *cp = r->cp;
   const struct vgpu_cp_regs *g = cp->regs;
   for (int i = 0; i < 3; i++) {
      uint32_t n = VGPU_NUM_THREAD_FULL(cp->sh[g->num_thread_x + i]);
      if (!(initiator & VGPU_INIT_USE_THREAD_DIMENSIONS))
         grid[i] = dim[i];
      else if (n && dim[i] % n == 0)
         grid[i] = dim[i] / n;
      else
         return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                             "thread-dimension dispatch %u not a multiple of the workgroup %u",
                             dim[i], n);
   }
   return VGPU_CP_OK;
}

/* VGPU_EXEC=isa and code that is none of the project's kernels (RADV's own shaders, e.g. the
 * buffer copy it uses on the APU): the instruction model runs it from the registers alone, or
 * says which instruction or state it cannot run (not executable, never faked). */
static enum vgpu_cp_status run_foreign(struct vgpu_cp_run *r, uint64_t pgm, const uint32_t dim[3],
                                       uint32_t initiator)
{
   uint32_t grid[3];
   enum vgpu_cp_status st = dispatch_grid(r, dim, initiator, grid);
   if (st != VGPU_CP_OK)
      return st;
   char name[64];
   snprintf(name, sizeof(name), "the code at COMPUTE_PGM 0x%" PRIx64 " (not ours)", pgm);
   return run_isa(r, name, false, pgm, grid, initiator);
}

enum vgpu_cp_status vgpu_cp_dispatch(struct vgpu_cp_run *r, const uint32_t dim[3],
                                     uint32_t initiator)
{
   struct vgpu_cp *cp = r->cp;
   const struct vgpu_cp_regs *g = cp->regs;
   if (!(initiator & VGPU_INIT_COMPUTE_SHADER_EN))
      return VGPU_CP_OK; /* no compute shader: nothing runs */
   if (!g)
      return not_executable(r, "the CP has no register table for %s", cp->target);
   if (cp->exec == VGPU_CP_EXEC_UNKNOWN)
      return not_executable(r, "VGPU_EXEC=%s is neither pocl nor isa", cp->exec_name);
   /* An empty grid launches no wave, so no code is fetched: whatever is at COMPUTE_PGM (a
    * driver's disarmed vkCmdDispatchIndirect with zero groups: "no workgroups are dispatched",
    * Vulkan spec, vkCmdDispatch) is neither run nor counted. */
   if (!dim[0] || !dim[1] || !dim[2])
      return VGPU_CP_OK;
   enum vgpu_cp_status st = check_inherited(r);
   if (st != VGPU_CP_OK)
      return st;
   uint64_t pgm =
      (uint64_t)cp->sh[g->pgm_lo] << 8 | (uint64_t)(cp->sh[g->pgm_hi] & VGPU_PGM_HI_DATA) << 40;
   if (!vgpu_cp_translate(r, pgm, 4, 0, "COMPUTE_PGM instruction fetch"))
      return VGPU_CP_FAULT;
   const struct vgpu_cp_kernel *other, *k = vgpu_cp_find_kernel(r->mem, pgm, cp->target, &other);
   if (!k && other)
      return not_executable(r, "the code at COMPUTE_PGM 0x%" PRIx64 " is %s built for %s", pgm,
                            other->name, other->target);
   size_t off;
   const struct vgpu_cp_kernel *in = k ? NULL : inside_kernel(r, pgm, &off);
   if (in)
      return not_executable(r,
                            "the code at COMPUTE_PGM 0x%" PRIx64
                            " is none of the project's kernels: it lies %zu bytes into %s (%s)",
                            pgm, off, in->name, in->target);
   if (!k && cp->exec == VGPU_CP_EXEC_ISA)
      return run_foreign(r, pgm, dim, initiator);
   if (!k)
      return not_executable(
         r, "the code at COMPUTE_PGM 0x%" PRIx64 " is none of the project's kernels", pgm);
   if ((st = check_program(r, k, initiator)) != VGPU_CP_OK)
      return st;
   uint32_t grid[3];
   if ((st = dispatch_grid(r, dim, initiator, grid)) != VGPU_CP_OK)
      return st;
   uint64_t kva;
   uint32_t sgpr;
   if (!vgpu_cp_kernarg_address(cp->sh, g, k, &kva, &sgpr))
      return vgpu_cp_fail(r, VGPU_CP_BAD_PACKET,
                          "%s: no kernarg pointer among the user SGPRs RSRC2 enables", k->name);
   if (!layout_matches(k))
      return not_executable(r, "%s's metadata kernarg layout is not the runner's", k->name);
   const void *kernarg = vgpu_cp_translate(r, kva, k->kernarg_size, 0, "kernarg segment");
   if (!kernarg)
      return VGPU_CP_FAULT;
   struct buffers b;
   if ((st = map_buffers(r, k, kernarg, &b)) != VGPU_CP_OK)
      return st;
   if (cp->exec == VGPU_CP_EXEC_ISA)
      return run_isa(r, k->name, true, pgm, grid, initiator);
   return run_kernel(r, k, grid, kernarg, &b);
}
