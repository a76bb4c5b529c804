/* The layer's own PM4 (layer/pm4 builder and templates, as layer/direct builds a batch of conv2d
 * jobs) executed by the virtual GPU's CP, whose register knowledge comes from the kernel headers:
 * a wrong register offset or field in the layer makes the CP refuse the dispatch or compute a
 * wrong output, which a plain C conv2d here catches. gfx1030 and gfx1100. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_builder.h"
#include "pm4d_check.h"
#include "pm4d_codeobj.h"
#include "pm4d_cs.h"
#include "pm4d_gfx.h"
#include "pm4d_kernels.h"
#include "pm4d_template.h"
#include "vgpu_cp.h"
#include "vgpu_cp_test_vm.h"

#define SKIP 77

#define IB_VA        0x100000000ull
#define CODE_VA      0x200000000ull
#define KERNARG_VA   0x300000000ull
#define FENCE_VA     0x400000000ull
#define BUF_VA       0x500000000ull /* buffer i at BUF_VA + i * BUF_STRIDE */
#define BUF_STRIDE   0x10000000ull
#define KERNARG_SLOT 256u
#define JOBS_MAX     4u

struct job {
   struct pm4d_conv2d_params p;
   float *host[4]; /* input, filter, bias, output */
   uint64_t bytes[4];
};

static float rnd(unsigned *seed)
{
   *seed = *seed * 1103515245u + 12345u;
   return (float)((*seed >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/* Plain conv2d: NCHW input, KCRS filter (C per group), NKHW output. */
static void reference(const struct job *j, float *out)
{
   const struct pm4d_conv2d_params *p = &j->p;
   uint32_t cg = p->c / p->groups, kg = p->k / p->groups;
   for (uint32_t n = 0; n < p->n; n++)
      for (uint32_t k = 0; k < p->k; k++)
         for (uint32_t y = 0; y < p->oh; y++)
            for (uint32_t x = 0; x < p->ow; x++) {
               double acc = p->has_bias ? j->host[2][k] : 0.0;
               uint32_t g = k / kg;
               for (uint32_t c = 0; c < cg; c++)
                  for (uint32_t r = 0; r < p->r; r++)
                     for (uint32_t s = 0; s < p->s; s++) {
                        long iy = (long)(y * p->stride_h + r * p->dil_h) - (long)p->pad_h;
                        long ix = (long)(x * p->stride_w + s * p->dil_w) - (long)p->pad_w;
                        if (iy < 0 || ix < 0 || iy >= (long)p->h || ix >= (long)p->w)
                           continue;
                        acc +=
                           (double)j->host[0][((n * p->c + g * cg + c) * p->h + iy) * p->w + ix] *
                           j->host[1][((k * cg + c) * p->r + r) * p->s + s];
                     }
               if (p->relu && acc < 0)
                  acc = 0;
               out[((n * p->k + k) * p->oh + y) * p->ow + x] = (float)acc;
            }
}

static const struct pm4d_conv2d_params shapes[] = {
   /* n c h w k r s stride pad dil groups bias relu: one shape per kernel variant */
   {2, 3, 9, 7, 5, 3, 2, 2, 1, 1, 0, 1, 2, 1, true, true, 0, 0},      /* direct */
   {1, 4, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2, false, false, 0, 0},    /* direct, 2 groups */
   {1, 40, 10, 12, 70, 1, 1, 1, 1, 0, 0, 1, 1, 1, true, false, 0, 0}, /* 1x1 */
   {1, 8, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true, 0, 0},   /* 3x3 */
};
#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))

static int run_target(const char *target)
{
   const struct pm4d_code_object *co = pm4d_embedded_code_object_for(target);
   if (!co) {
      printf("SKIPPED: no %s code object was built (no clang for amdgcn)\n", target);
      return SKIP;
   }
   char why[256];
   struct pm4d_codeobj_info info;
   enum pm4d_gfx_level level;
   struct pm4d_builder b;
   CHECKF(pm4d_codeobj_load(co->elf, co->size, &info, why, sizeof(why)) == PM4D_CODEOBJ_OK, "%s",
          why);
   CHECK(pm4d_gfx_parse(target, &level) && pm4d_builder_init(&b, level) == PM4D_OK);

   struct test_vm vm;
   test_vm_init(&vm);
   uint32_t *ib = test_vm_map(&vm, IB_VA, 0x10000, 0);
   void *code = test_vm_map(&vm, CODE_VA, info.image_size, 0);
   uint8_t *kernargs = test_vm_map(&vm, KERNARG_VA, KERNARG_SLOT * JOBS_MAX, 0);
   uint64_t *fence = test_vm_map(&vm, FENCE_VA, 4096, 1);
   CHECK(pm4d_codeobj_image_copy(co->elf, co->size, code, info.image_size, why, sizeof(why)) ==
         PM4D_CODEOBJ_OK);

   /* One batch, as layer/direct builds it: head, one dispatch per job, tail with the fence. */
   struct pm4d_template_cache templates = {0};
   struct pm4d_tail_template tail;
   struct pm4d_cs cs;
   const char *err = NULL;
   pm4d_cs_init(&cs, ib, 0x4000);
   CHECK(pm4d_builder_batch_head(&b, &cs, &err) == PM4D_OK);
   struct job jobs[NSHAPES];
   unsigned seed = 1;
   for (uint32_t i = 0; i < NSHAPES; i++) {
      struct job *j = &jobs[i];
      j->p = shapes[i];
      CHECKF(pm4d_conv2d_params_check(&j->p, why, sizeof(why)), "%s", why);
      enum pm4d_conv2d_variant v = pm4d_conv2d_variant_choose(&j->p);
      const struct pm4d_kernel_desc *k = pm4d_codeobj_find(&info, pm4d_conv2d_variant_name(v));
      CHECK(k && pm4d_builder_check_kernel(&b, k, &err) == PM4D_OK);
      uint64_t entry = CODE_VA + k->desc_offset + (uint64_t)k->entry_offset;
      pm4d_template_cache_add(&templates, &b, k, entry, &err);

      struct pm4d_conv2d_buffers bufs;
      pm4d_conv2d_buffer_bytes(&j->p, j->bytes);
      uint64_t *va[4] = {&bufs.input, &bufs.filter, &bufs.bias, &bufs.output};
      for (int t = 0; t < 4; t++) {
         *va[t] = BUF_VA + (i * 4u + t) * BUF_STRIDE;
         j->host[t] = j->bytes[t] ? test_vm_map(&vm, *va[t], j->bytes[t], t == 3) : NULL;
         for (uint64_t e = 0; t < 3 && e < j->bytes[t] / 4; e++)
            j->host[t][e] = rnd(&seed);
      }
      pm4d_conv2d_pack_kernargs(&j->p, &bufs, kernargs + i * KERNARG_SLOT, KERNARG_SLOT);
      uint32_t grid[3];
      CHECK(pm4d_conv2d_grid(v, &j->p, grid));
      CHECKF(pm4d_emit_dispatch(&b, &templates, k, entry, KERNARG_VA + i * KERNARG_SLOT, grid,
                                i == 0, &cs, NULL, &err) == PM4D_OK,
             "%s", err);
   }
   CHECK(pm4d_tail_template_build(&b, &tail, &err) == PM4D_OK);
   cs.cdw += pm4d_tail_template_instantiate(&tail, ib + cs.cdw, FENCE_VA, 0x1234567890ull);

   struct vgpu_cp *cp = vgpu_cp_create(target);
   char reason[320];
   enum vgpu_cp_status st = vgpu_cp_execute_ib(cp, &vm.ops, IB_VA, cs.cdw, reason, sizeof(reason));
   struct vgpu_cp_counters c;
   vgpu_cp_get_counters(cp, &c);
   vgpu_cp_destroy(cp);
   int rc = 0;
   if (st == VGPU_CP_NOT_EXECUTABLE && strstr(reason, "PoCL runner is unavailable")) {
      printf("SKIPPED: %s\n", reason);
      rc = SKIP;
   } else {
      CHECKF(st == VGPU_CP_OK, "%s: the CP refused the layer's batch: %s", target, reason);
      CHECKF(c.dispatches_run == NSHAPES && c.dispatches_not_executable == 0,
             "%s: %llu dispatches run", target, (unsigned long long)c.dispatches_run);
      CHECKF(*fence == 0x1234567890ull, "%s: fence 0x%llx", target, (unsigned long long)*fence);
      for (uint32_t i = 0; st == VGPU_CP_OK && i < NSHAPES; i++) {
         const struct job *j = &jobs[i];
         uint64_t n = j->bytes[3] / 4;
         float *want = malloc(j->bytes[3]);
         reference(j, want);
         double err2 = 0, ref2 = 0;
         for (uint64_t e = 0; e < n; e++) {
            err2 += (double)(want[e] - j->host[3][e]) * (want[e] - j->host[3][e]);
            ref2 += (double)want[e] * want[e];
         }
         CHECKF(sqrt(err2 / (ref2 > 0 ? ref2 : 1)) < 1e-5, "%s shape %u: relative L2 error %g",
                target, i, sqrt(err2 / (ref2 > 0 ? ref2 : 1)));
         free(want);
      }
      printf("%s: %llu of %u dispatches of the layer's batch (%u dwords) run on the vgpu CP; %llu "
             "of %llu IBs misaligned, %llu dispatches inherited preamble registers\n",
             target, (unsigned long long)c.dispatches_run, (unsigned)NSHAPES, cs.cdw,
             (unsigned long long)c.misaligned_ibs, (unsigned long long)c.ibs,
             (unsigned long long)c.dispatches_inherited);
   }
   test_vm_destroy(&vm);
   return rc;
}

int main(int argc, char **argv)
{
   int skipped = 0, targets = argc > 1 ? argc - 1 : 2;
   static const char *def[] = {"gfx1030", "gfx1100"};
   for (int i = 0; i < targets; i++)
      skipped += run_target(argc > 1 ? argv[i + 1] : def[i]) == SKIP;
   int rc = pm4d_check_finish("vgpu_cp_conv2d");
   return rc ? rc : skipped == targets ? SKIP : 0;
}
