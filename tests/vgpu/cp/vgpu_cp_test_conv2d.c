/* The layer's own PM4 (vgpu_cp_test_batch: layer/pm4 builder and templates, as layer/direct
 * builds a batch of conv2d jobs) executed by the virtual GPU's CP, whose register knowledge comes
 * from the kernel headers: a wrong register offset or field in the layer makes the CP refuse the
 * dispatch or compute a wrong output, which the plain C conv2d catches. gfx1030, gfx1036 and
 * gfx1100 by default; targets on the command line otherwise. */
#include <stdio.h>
#include <string.h>

#include "pm4d_check.h"
#include "vgpu_cp.h"
#include "vgpu_cp_test_batch.h"
#include "vgpu_cp_test_vm.h"

#define SKIP 77

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

static int run_target(const char *target)
{
   struct mapper m = {.next_va = 0x100000000ull};
   struct batch b;
   bool skip;
   test_vm_init(&m.vm);
   if (!batch_build(target, map, &m, &b, &skip)) {
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
   if (st == VGPU_CP_NOT_EXECUTABLE && strstr(reason, "PoCL runner is unavailable")) {
      printf("SKIPPED: %s\n", reason);
      rc = SKIP;
   } else {
      CHECKF(st == VGPU_CP_OK, "%s: the CP refused the layer's batch: %s", target, reason);
      CHECKF(c.dispatches_run == BATCH_JOBS && c.dispatches_not_executable == 0,
             "%s: %llu dispatches run", target, (unsigned long long)c.dispatches_run);
      CHECKF(*b.fence == BATCH_FENCE_VALUE, "%s: fence 0x%llx", target,
             (unsigned long long)*b.fence);
      for (uint32_t i = 0; st == VGPU_CP_OK && i < BATCH_JOBS; i++) {
         double e = batch_error(&b, i);
         CHECKF(e < 1e-5, "%s job %u: relative L2 error %g", target, i, e);
      }
      printf("%s: %llu of %u dispatches of the layer's batch (%u dwords) run on the vgpu CP; %llu "
             "of %llu IBs misaligned, %llu dispatches inherited preamble registers\n",
             target, (unsigned long long)c.dispatches_run, BATCH_JOBS, b.ib_dw,
             (unsigned long long)c.misaligned_ibs, (unsigned long long)c.ibs,
             (unsigned long long)c.dispatches_inherited);
   }
   test_vm_destroy(&m.vm);
   return rc;
}

int main(int argc, char **argv)
{
   static const char *def[] = {"gfx1030", "gfx1036", "gfx1100"};
   int skipped = 0, targets = argc > 1 ? argc - 1 : 3;
   for (int i = 0; i < targets; i++)
      skipped += run_target(argc > 1 ? argv[i + 1] : def[i]) == SKIP;
   int rc = pm4d_check_finish("vgpu_cp_conv2d");
   return rc ? rc : skipped == targets ? SKIP : 0;
}
