/* VGPU_EXEC=isa: a dispatch the CP has checked runs on the instruction model of tests/isa
 * (pm4d_isa_run_regs) from the COMPUTE_* registers this CP holds, with all memory, the code
 * included, through the run's GPU VM. */
#include "vgpu_cp_internal.h"

/* The GPU page: the kernel's AMDGPU_GPU_PAGE_SIZE (drivers/gpu/drm/amd/amdgpu/amdgpu_gart.h).
 * The model is answered at most to the end of a page, as the VM maps them. */
#define GPU_PAGE_BYTES 4096ull

struct isa_vm {
   const struct vgpu_mem_ops *mem;
   struct vgpu_cp_isa_refusal *refused;
};

/* How many bytes from addr the VM maps with the access, up to the end of addr's page: the
 * VM answers a whole range yes or no, so a shorter mapping (a test VM's range that ends
 * inside a page) is found by halving. */
static void *isa_mapped(const struct vgpu_mem_ops *mem, uint64_t addr, int write, uint64_t *len)
{
   uint64_t max = GPU_PAGE_BYTES - (addr & (GPU_PAGE_BYTES - 1));
   void *host = mem->translate(mem->user, addr, max, write);
   if (host) {
      *len = max;
      return host;
   }
   uint64_t lo = 0, hi = max; /* lo bytes are mapped (host for them once lo > 0), hi are not */
   while (hi - lo > 1) {
      uint64_t mid = lo + (hi - lo) / 2;
      void *p = mem->translate(mem->user, addr, mid, write);
      if (p) {
         lo = mid;
         host = p;
      } else {
         hi = mid;
      }
   }
   *len = lo;
   return host;
}

static bool isa_translate(void *user, uint64_t addr, bool write, void **host, size_t *bytes)
{
   struct isa_vm *vm = user;
   uint64_t len;
   void *p = isa_mapped(vm->mem, addr, write ? VGPU_MEM_SHADER_WRITE : 0, &len);
   if (!p) {
      *vm->refused = (struct vgpu_cp_isa_refusal){.seen = true, .va = addr, .write = write};
      return false;
   }
   *host = p;
   *bytes = (size_t)len;
   return true;
}

enum pm4d_isa_status vgpu_cp_isa_run(struct vgpu_cp_run *r, uint64_t pgm, const uint32_t grid[3],
                                     uint32_t initiator, struct pm4d_isa_result *res,
                                     struct vgpu_cp_isa_refusal *refused)
{
   const struct vgpu_cp *cp = r->cp;
   const struct vgpu_cp_regs *g = cp->regs;
   struct pm4d_isa_regs regs = {
      .pgm = pgm,
      .rsrc1 = cp->sh[g->rsrc1],
      .rsrc2 = cp->sh[g->rsrc2],
      .rsrc3 = cp->sh[g->rsrc3],
      .grid = {grid[0], grid[1], grid[2]},
      .wave32 = (initiator & VGPU_INIT_CS_W32_EN) != 0,
   };
   for (uint32_t i = 0; i < 16; i++)
      regs.user_data[i] = cp->sh[g->user_data_0 + i];
   for (uint32_t i = 0; i < 3; i++)
      regs.num_thread[i] = VGPU_NUM_THREAD_FULL(cp->sh[g->num_thread_x + i]);
   *refused = (struct vgpu_cp_isa_refusal){0};
   struct isa_vm vm = {.mem = r->mem, .refused = refused};
   return pm4d_isa_run_regs(pm4d_isa_target_from_name(cp->target), &regs, isa_translate, &vm, res);
}
