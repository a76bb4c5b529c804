/* Not a test: what the instruction model can count for free, per kernel and target, for
 * tests/isa/README.md: instructions executed per output on one representative full-tile shape
 * (random inputs), VGPRs and LDS per workgroup from the kernel descriptor, and the occupancy
 * they imply under LLVM's allocation rules. Instruction model figures, not hardware ones.
 * Usage: pm4d_isa_report GFX CODE_OBJECT [GFX CODE_OBJECT]... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa_test_util.h"
#include "pm4d_conv2d_ref.h"
#include "pm4d_isa.h"
#include "pm4d_kernels.h"

/* One full-tile shape per variant. */
static struct pm4d_conv2d_params shape(enum pm4d_conv2d_variant v)
{
   /* n, c, h, w, k, r, s, stride h/w, pad h/w, dilation h/w, groups, bias, ReLU, fp16 filter,
    * (oh, ow) */
   struct pm4d_conv2d_params p = {1, 32, 16, 16, 64,   3,     3,     1, 1, 1,
                                  1, 1,  1,  1,  true, false, false, 0, 0};
   if (v == PM4D_CONV2D_1X1) {
      p.r = p.s = 1;
      p.pad_h = p.pad_w = 0;
      p.c = 64;
   } else if (v == PM4D_CONV2D_DIRECT) {
      p.c = 16;
      p.k = 16;
      p.stride_h = p.stride_w = 2; /* not a 3x3 stride 1: the direct kernel's case */
   }
   return p;
}

static void report(const char *gfx, const char *elf, size_t size)
{
   enum pm4d_isa_target t = pm4d_isa_target_from_name(gfx);
   for (int v = 0; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
      const char *name = pm4d_conv2d_variant_name((enum pm4d_conv2d_variant)v);
      struct pm4d_isa_kernel k;
      char reason[256];
      if (pm4d_isa_kernel_find(elf, size, name, &k, reason, sizeof(reason)) != PM4D_ISA_OK) {
         printf("%s %s: %s\n", gfx, name, reason);
         continue;
      }
      uint32_t wg = pm4d_conv2d_workgroup_size((enum pm4d_conv2d_variant)v);
      struct pm4d_isa_occupancy o;
      pm4d_isa_occupancy(t, &k, wg, &o);

      struct pm4d_conv2d_params p = shape((enum pm4d_conv2d_variant)v);
      pm4d_conv2d_params_check(&p, reason, sizeof(reason));
      uint64_t bytes[4];
      pm4d_conv2d_buffer_bytes(&p, bytes);
      struct pm4d_ref_space sp = {0};
      void *host[4];
      uint64_t addr[4];
      uint8_t kernarg[128] = {0};
      for (int i = 0; i < 4; i++) {
         host[i] = calloc(1, bytes[i]);
         addr[i] = pm4d_ref_register(&sp, host[i], bytes[i]);
         float *f = host[i];
         for (size_t j = 0; j < bytes[i] / 4; j++)
            f[j] = (float)((j * 2654435761u) % 1000) / 1000.0f - 0.5f;
      }
      struct pm4d_conv2d_buffers bufs = {addr[0], addr[1], addr[2], addr[3]};
      pm4d_conv2d_pack_kernargs(&p, &bufs, kernarg, sizeof(kernarg));
      struct pm4d_isa_launch l = {.kernel = name,
                                  .workgroup = {wg, 1, 1},
                                  .kernarg = pm4d_ref_register(&sp, kernarg, sizeof(kernarg))};
      pm4d_conv2d_grid((enum pm4d_conv2d_variant)v, &p, l.grid);
      struct pm4d_isa_result res;
      pm4d_isa_run_code_object(t, elf, size, &l, isa_test_translate, &sp, &res);
      uint64_t outputs = bytes[3] / 4;
      printf("| %s | %s | n%u c%u %ux%u k%u r%ux%u stride %u pad %u | %.1f | %llu | %u | %u | %u | "
             "%u | %u (VGPR %u, LDS %u, hardware %u) |%s%s\n",
             name, gfx, p.n, p.c, p.h, p.w, p.k, p.r, p.s, p.stride_h, p.pad_h,
             (double)res.counters.instructions / (double)outputs,
             (unsigned long long)res.counters.max_wave_instructions, o.vgprs, o.lds_bytes, wg,
             o.waves_per_workgroup, o.waves_per_simd, o.limit_vgpr, o.limit_lds, o.limit_hw,
             res.status == PM4D_ISA_OK ? "" : " ", res.status == PM4D_ISA_OK ? "" : res.reason);
      for (int i = 0; i < 4; i++)
         free(host[i]);
   }
}

int main(int argc, char **argv)
{
   if (argc < 3) {
      fprintf(stderr, "usage: %s GFX CODE_OBJECT...\n", argv[0]);
      return 2;
   }
   printf("| kernel | target | shape | instructions / output | max per wave | VGPRs (descriptor) "
          "| LDS bytes / workgroup | work-items | waves / workgroup | waves / SIMD (limits) |\n"
          "|---|---|---|---|---|---|---|---|---|---|\n");
   for (int i = 1; i + 1 < argc; i += 2) {
      size_t size;
      char *elf = isa_test_slurp(argv[i + 1], &size);
      if (!elf || pm4d_isa_target_from_name(argv[i]) == PM4D_ISA_TARGET_COUNT) {
         fprintf(stderr, "cannot use %s %s\n", argv[i], argv[i + 1]);
         return 1;
      }
      report(argv[i], elf, size);
      free(elf);
   }
   return 0;
}
