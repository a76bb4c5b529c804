/* The layer's own PM4 (vgpu_cp_test_batch: layer/pm4 builder and templates, as layer/direct
 * builds a batch of conv2d jobs) executed by the virtual GPU's CP, whose register knowledge comes
 * from the kernel headers: a wrong register offset or field in the layer makes the CP refuse the
 * dispatch or compute a wrong output, which the plain C conv2d catches. gfx90a, gfx1030, gfx1036
 * and gfx1100 by default; targets on the command line otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_check.h"
#include "vgpu_cp.h"
#include "vgpu_cp_test_batch.h"
#include "vgpu_cp_test_vm.h"

#define SKIP 77
/* The compute IB alignment the kernel reports (amdgpu_kms.c amdgpu_hw_ip_info: ib_start_alignment
 * and ib_size_alignment 32 bytes), which the layer's amdgpu back end queries. */
#define IB_ALIGN 32u

struct mapper {
   struct test_vm vm;
   uint64_t next_va;
};

static void *map(void *user, uint64_t size, int writable, uint64_t *va)
{
   struct mapper *m = user;
   *va = m->next_va;
   m->next_va += (size + 0xffffffull) & ~0xffffffull; /* 16 MiB steps: unmapped holes between */
   m->next_va += 0x1000000ull;
   return test_vm_map(&m->vm, *va, size, writable);
}

/* The first dword of the IB that sets SH register `sh` (SET_SH_REG 0x76, nvd.h; body[0] is the
 * offset from 0x2c00), or the first DISPATCH_DIRECT's initiator (0x15, body[3]) for sh ==
 * INITIATOR; the IB's length when there is none. */
#define INITIATOR 0xffffffffu
static uint32_t find_dword(const struct batch *b, uint32_t sh)
{
   for (uint32_t i = 0; i < b->ib_dw;) {
      uint32_t h = b->ib[i], op = (h >> 8) & 0xff, n = ((h >> 16) & 0x3fff) + 1;
      if (op == 0x76 && sh != INITIATOR && sh >= b->ib[i + 1] && sh < b->ib[i + 1] + n - 1)
         return i + 2 + (sh - b->ib[i + 1]);
      if (op == 0x15 && sh == INITIATOR)
         return i + 4;
      i += 1 + n;
   }
   return b->ib_dw;
}

/* SH offsets (gc_10_3_0 / gc_11_0_0_offset.h mmREG + 0x1260 - 0x2c00) */
static const struct mutation {
   const char *what;
   uint32_t sh, xor_mask;
   enum vgpu_cp_status want;
   const char *named;
   bool add; /* add xor_mask instead (a flip moves the address back when the bit is set) */
} mutations[] = {
   {"RSRC1 VGPRS + 1", 0x212, 0x1, VGPU_CP_BAD_PACKET, "COMPUTE_PGM_RSRC1", false},
   {"RSRC2 USER_SGPR 0", 0x213, 0x4, VGPU_CP_BAD_PACKET, "COMPUTE_PGM_RSRC2", false},
   {"wave64 initiator", INITIATOR, 1u << 15, VGPU_CP_BAD_PACKET, "wave", false},
   {"NUM_THREAD_X 64 -> 96", 0x207, 0x20, VGPU_CP_BAD_PACKET, "NUM_THREAD_X", false},
   {"START_Y 1", 0x205, 0x1, VGPU_CP_BAD_PACKET, "START_Y", false},
   {"kernarg pointer in a hole", 0x240, 0x800000, VGPU_CP_FAULT, "kernarg", false},
   {"PGM 256 bytes on", 0x20c, 0x1, VGPU_CP_NOT_EXECUTABLE, "none of the project's kernels", true},
};

/* Each mutation of the layer's first dispatch on a fresh CP: refused and named, never run. */
static void run_mutations(const char *target, struct test_vm *vm, struct batch *b)
{
   char reason[320];
   for (size_t m = 0; m < sizeof(mutations) / sizeof(mutations[0]); m++) {
      const struct mutation *mu = &mutations[m];
      uint32_t at = find_dword(b, mu->sh);
      CHECKF(at < b->ib_dw, "%s: no dword for %s", target, mu->what);
      if (at >= b->ib_dw)
         continue;
      const uint32_t saved = b->ib[at];
      b->ib[at] = mu->add ? saved + mu->xor_mask : saved ^ mu->xor_mask;
      struct vgpu_cp *cp = vgpu_cp_create(target);
      enum vgpu_cp_status st =
         vgpu_cp_execute_ib(cp, &vm->ops, b->ib_va, b->ib_dw, reason, sizeof(reason));
      struct vgpu_cp_counters c;
      vgpu_cp_get_counters(cp, &c);
      vgpu_cp_destroy(cp);
      b->ib[at] = saved;
      CHECKF(st == mu->want && strstr(reason, mu->named) && c.dispatches_run == 0,
             "%s, %s: status %d (want %d), %llu run: %s", target, mu->what, st, mu->want,
             (unsigned long long)c.dispatches_run, reason);
   }
}

static int run_target(const char *target)
{
   struct mapper m = {.next_va = 0x100000000ull};
   struct batch b;
   bool skip;
   test_vm_init(&m.vm);
   if (!batch_build(target, IB_ALIGN, map, &m, &b, &skip)) {
      test_vm_destroy(&m.vm);
      if (skip) {
         printf("SKIPPED: no %s code object was built\n", target);
         return SKIP;
      }
      CHECKF(false, "%s: the batch was not built", target);
      return 0;
   }
   struct vgpu_cp *cp = vgpu_cp_create(target);
   char reason[320];
   enum vgpu_cp_status st =
      vgpu_cp_execute_ib(cp, &m.vm.ops, b.ib_va, b.ib_dw, reason, sizeof(reason));
   struct vgpu_cp_counters c;
   vgpu_cp_get_counters(cp, &c);
   vgpu_cp_destroy(cp);
   int rc = 0;
   /* With VGPU_EXEC=isa no dispatch may reach the PoCL runner, so its absence is no skip. */
   const char *exec = getenv("VGPU_EXEC");
   bool isa = exec && !strcmp(exec, "isa");
   if (st == VGPU_CP_NOT_EXECUTABLE && strstr(reason, "PoCL runner is unavailable") && !isa) {
      printf("SKIPPED: %s\n", reason);
      rc = SKIP;
   } else {
      CHECKF(st == VGPU_CP_OK, "%s: the CP refused the layer's batch: %s", target, reason);
      CHECKF(c.dispatches_run == BATCH_JOBS && c.dispatches_not_executable == 0,
             "%s: %llu dispatches run", target, (unsigned long long)c.dispatches_run);
      CHECKF(*b.fence == BATCH_FENCE_VALUE, "%s: fence 0x%llx", target,
             (unsigned long long)*b.fence);
      /* issue 16: the batch is padded to the IB alignment, writes the compute preamble in its
       * head before any dispatch, and asks for no interrupt (the fence is polled) */
      CHECKF(c.misaligned_ibs == 0, "%s: %llu of %llu IBs misaligned", target,
             (unsigned long long)c.misaligned_ibs, (unsigned long long)c.ibs);
      CHECKF(c.dispatches_inherited == 0, "%s: %llu dispatches inherited preamble registers",
             target, (unsigned long long)c.dispatches_inherited);
      CHECKF(c.interrupts == 0, "%s: %llu interrupts requested", target,
             (unsigned long long)c.interrupts);
      for (uint32_t i = 0; st == VGPU_CP_OK && i < BATCH_JOBS; i++) {
         double e = batch_error(&b, i);
         CHECKF(e < 1e-5, "%s job %u: relative L2 error %g", target, i, e);
      }
      printf(
         "%s: %llu of %u dispatches of the layer's batch (%u dwords) run on the vgpu CP (%s); %llu "
         "of %llu IBs misaligned, %llu dispatches inherited preamble registers, %llu "
         "interrupts requested\n",
         target, (unsigned long long)c.dispatches_run, BATCH_JOBS, b.ib_dw,
         isa ? "instruction model" : "PoCL", (unsigned long long)c.misaligned_ibs,
         (unsigned long long)c.ibs, (unsigned long long)c.dispatches_inherited,
         (unsigned long long)c.interrupts);
      run_mutations(target, &m.vm, &b);
   }
   test_vm_destroy(&m.vm);
   return rc;
}

int main(int argc, char **argv)
{
   static const char *def[] = {"gfx90a", "gfx1030", "gfx1036", "gfx1100"};
   int skipped = 0, targets = argc > 1 ? argc - 1 : (int)(sizeof(def) / sizeof(def[0]));
   for (int i = 0; i < targets; i++)
      skipped += run_target(argc > 1 ? argv[i + 1] : def[i]) == SKIP;
   int rc = pm4d_check_finish("vgpu_cp_conv2d");
   return rc ? rc : skipped == targets ? SKIP : 0;
}
