/* Which kernarg bytes a dispatch reads: the kernel at COMPUTE_PGM and its kernarg pointer,
 * shared by the CP's dispatch and by vgpu_cp_kernargs, the driver's CS-time scan of an IB for
 * its in-flight check (the kernel's IBs and the memory they read stay the submitter's until the
 * job's fence signals). */
#include <string.h>

#include "vgpu_cp_internal.h"

const struct vgpu_cp_kernel *vgpu_cp_find_kernel(const struct vgpu_mem_ops *mem, uint64_t pgm,
                                                 const char *target,
                                                 const struct vgpu_cp_kernel **other)
{
   *other = NULL;
   for (unsigned i = 0; i < vgpu_cp_kernel_count; i++) {
      const struct vgpu_cp_kernel *k = &vgpu_cp_kernels[i];
      const void *code = mem->translate(mem->user, pgm, k->code_size, 0);
      if (!code || memcmp(code, k->code, k->code_size) != 0)
         continue;
      if (!strcmp(k->target, target) ||
          (!strcmp(target, "gfx1036") && !strcmp(k->target, "gfx1030")))
         return k;
      *other = k;
   }
   return NULL;
}

/* AMDGPUUsage "Initial Kernel Execution State": private segment buffer 4 SGPRs, dispatch ptr
 * 2, queue ptr 2, then the kernarg segment ptr. */
bool vgpu_cp_kernarg_address(const uint32_t *sh, const struct vgpu_cp_regs *g,
                             const struct vgpu_cp_kernel *k, uint64_t *va, uint32_t *sgpr)
{
   uint16_t p = k->kernel_code_properties;
   if (!(p & VGPU_KCP_KERNARG_SEGMENT_PTR))
      return false;
   *sgpr = (p & VGPU_KCP_PRIVATE_SEGMENT_BUFFER ? 4u : 0u) + (p & VGPU_KCP_DISPATCH_PTR ? 2u : 0u) +
           (p & VGPU_KCP_QUEUE_PTR ? 2u : 0u);
   if (*sgpr + 2 > VGPU_RSRC2_USER_SGPR(sh[g->rsrc2]) || *sgpr + 2 > 16)
      return false;
   *va = sh[g->user_data_0 + *sgpr] | (uint64_t)sh[g->user_data_0 + *sgpr + 1] << 32;
   return true;
}

/* One DISPATCH_DIRECT (body: the grid, then the initiator) with the IB's own register writes:
 * its kernarg range, or false. */
static bool dispatch_kernargs(const char *target, const struct vgpu_mem_ops *mem,
                              const struct vgpu_cp_regs *g, const uint32_t *sh,
                              const uint8_t *written, const uint32_t *body,
                              struct vgpu_cp_range *out)
{
   if (!body[0] || !body[1] || !body[2] || !(body[3] & VGPU_INIT_COMPUTE_SHADER_EN))
      return false; /* no wave, no kernarg read */
   if (!written[g->pgm_lo] || !written[g->pgm_hi] || !written[g->rsrc2])
      return false;
   uint64_t pgm = (uint64_t)sh[g->pgm_lo] << 8 | (uint64_t)(sh[g->pgm_hi] & VGPU_PGM_HI_DATA) << 40;
   const struct vgpu_cp_kernel *other, *k = vgpu_cp_find_kernel(mem, pgm, target, &other);
   uint32_t sgpr;
   if (!k || !vgpu_cp_kernarg_address(sh, g, k, &out->va, &sgpr) ||
       !written[g->user_data_0 + sgpr] || !written[g->user_data_0 + sgpr + 1])
      return false;
   out->bytes = k->kernarg_size;
   return true;
}

unsigned vgpu_cp_kernargs(const char *target, const struct vgpu_mem_ops *mem, uint64_t ib_va,
                          uint32_t ndw, struct vgpu_cp_range *out, unsigned max)
{
   const struct vgpu_cp_regs *g = vgpu_cp_regs_for(target);
   const uint32_t *ib = g && ndw ? mem->translate(mem->user, ib_va, (uint64_t)ndw * 4u, 0) : NULL;
   uint32_t sh[VGPU_SH_REGS] = {0};
   uint8_t written[VGPU_SH_REGS] = {0};
   unsigned n = 0;
   for (uint32_t i = 0; ib && i < ndw;) {
      uint32_t h = ib[i];
      if (VGPU_PKT_TYPE(h) == 2) {
         i++;
         continue;
      }
      uint32_t body_dw = h == VGPU_PKT3_NOP_PAD ? 0 : VGPU_PKT_COUNT(h) + 1;
      if (VGPU_PKT_TYPE(h) != 3 || body_dw > ndw - i - 1)
         break; /* the CP refuses it when it gets there */
      const uint32_t *body = ib + i + 1;
      uint32_t op = VGPU_PKT3_OP(h);
      if ((op == VGPU_OP_SET_SH_REG || op == VGPU_OP_SET_SH_REG_INDEX) && body_dw) {
         for (uint32_t j = 1, reg = VGPU_SET_REG_OFFSET(body[0]); j < body_dw; j++, reg++) {
            if (reg < VGPU_SH_REGS) {
               sh[reg] = body[j];
               written[reg] = 1;
            }
         }
      }
      struct vgpu_cp_range r;
      if (op == VGPU_OP_DISPATCH_DIRECT && body_dw == 4 &&
          dispatch_kernargs(target, mem, g, sh, written, body, &r)) {
         if (n < max)
            out[n] = r;
         n++;
      }
      i += 1 + body_dw;
   }
   return n;
}
