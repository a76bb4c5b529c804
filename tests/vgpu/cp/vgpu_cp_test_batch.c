/* The layer's conv2d batch and its reference (see vgpu_cp_test_batch.h). */
#include "vgpu_cp_test_batch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_builder.h"
#include "pm4d_codeobj.h"
#include "pm4d_cs.h"
#include "pm4d_gfx.h"
#include "pm4d_pkt.h"
#include "pm4d_template.h"

#define IB_MAX_DW 0x1000u

/* Each job's shape, the compute units its kernel is chosen for (0: unknown, the large tiles)
 * and that kernel, worked out by hand from pm4d_conv2d_tiles.h: the small tiles where the
 * 64x128 tiles number fewer than half the CUs (here one on 60), Winograd for the fp32 3x3
 * ones otherwise from 8 input channels. Every kernel variant runs; each gets its template, as layer/direct builds one per variant. */
static const struct {
   struct pm4d_conv2d_params p;
   uint32_t compute_units;
   const char *kernel;
} shapes[BATCH_JOBS] = {
   /* n c h w k r s stride pad dil groups bias relu f16 */
   {{2, 3, 9, 7, 5, 3, 2, 2, 1, 1, 0, 1, 2, 1, true, true, false, 0, 0}, 0, "pm4d_conv2d_direct"},
   {{1, 4, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2, false, false, false, 0, 0},
    0,
    "pm4d_conv2d_direct"}, /* 2 groups */
   {{1, 40, 10, 12, 70, 1, 1, 1, 1, 0, 0, 1, 1, 1, true, false, false, 0, 0}, 0, "pm4d_conv2d_1x1"},
   /* 3x3 stride 1: Winograd from 8 input channels, the GEMM below */
   {{1, 8, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true, false, 0, 0},
    0,
    "pm4d_conv2d_3x3_wino"},
   {{1, 4, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true, false, 0, 0}, 0, "pm4d_conv2d_3x3"},
   /* one large tile on 60 CUs: the small tiles, reductions longer than one step */
   {{1, 72, 9, 11, 20, 1, 1, 2, 2, 0, 0, 1, 1, 1, true, true, false, 0, 0},
    60,
    "pm4d_conv2d_1x1_small"},
   {{1, 12, 7, 9, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, false, true, false, 0, 0},
    60,
    "pm4d_conv2d_3x3_small"},
   {{1, 16, 8, 8, 32, 1, 1, 1, 1, 0, 0, 1, 1, 1, true, false, true, 0, 0},
    0,
    "pm4d_conv2d_1x1_f16"},
   {{1, 8, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, true, true, true, 0, 0},
    60,
    "pm4d_conv2d_3x3_small_f16"},
   {{1, 4, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2, true, false, true, 0, 0},
    60,
    "pm4d_conv2d_direct"}, /* f16 */
   {{1, 8, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, false, false, true, 0, 0},
    0,
    "pm4d_conv2d_3x3_f16"},
   {{1, 72, 9, 11, 20, 1, 1, 2, 2, 0, 0, 1, 1, 1, true, false, true, 0, 0},
    60,
    "pm4d_conv2d_1x1_small_f16"},
};

static float rnd(unsigned *seed)
{
   *seed = *seed * 1103515245u + 12345u;
   return (float)((*seed >> 8) & 0xffff) / 32768.0f - 1.0f;
}

#define FAIL(...)                             \
   do {                                       \
      fprintf(stderr, "batch: " __VA_ARGS__); \
      fputc('\n', stderr);                    \
      return false;                           \
   } while (0)

bool batch_build(const char *target, uint32_t ib_align, batch_map_fn map, void *user,
                 struct batch *b, bool *skip)
{
   *skip = false;
   const struct pm4d_code_object *co = pm4d_embedded_code_object_for(target);
   if (!co) {
      *skip = true;
      FAIL("no %s code object was built (no clang for amdgcn)", target);
   }
   char why[256];
   char err[PM4D_PM4_REASON_MAX] = "";
   static struct pm4d_codeobj_info info;
   struct pm4d_builder bld;
   if (pm4d_codeobj_load(co->elf, co->size, &info, why, sizeof(why)) != PM4D_CODEOBJ_OK)
      FAIL("%s", why);
   /* by target, as layer/direct: gfx90a's compute preamble is not gfx900's */
   if (pm4d_builder_init_target(&bld, target) != PM4D_OK)
      FAIL("no builder for %s", target);
   if (ib_align < 4 || ib_align > 256 || (ib_align & (ib_align - 1)))
      FAIL("IB alignment %u bytes: not a power of two in 4..256", ib_align);

   uint64_t code_va, ka_va, ib_va;
   void *code = map(user, info.image_size, 0, &code_va);
   uint8_t *kernargs = map(user, BATCH_KERNARG_SLOT * BATCH_JOBS, 0, &ka_va);
   uint32_t *ib = map(user, IB_MAX_DW * 4u, 0, &ib_va);
   b->fence = map(user, 4096, 1, &b->fence_va);
   b->kernargs = kernargs;
   if (!code || !kernargs || !ib || !b->fence)
      FAIL("cannot map the batch's memory");
   if (pm4d_codeobj_image_copy(co->elf, co->size, code, info.image_size, why, sizeof(why)) !=
       PM4D_CODEOBJ_OK)
      FAIL("%s", why);

   /* Each job's template, as layer/direct keeps one with each kernel variant. */
   static struct pm4d_template templates[BATCH_JOBS];
   struct pm4d_tail_template tail;
   struct pm4d_cs cs;
   pm4d_cs_init(&cs, ib, IB_MAX_DW);
   if (pm4d_builder_batch_head(&bld, &cs, err, sizeof(err)) != PM4D_OK)
      FAIL("batch head: %s", err);
   unsigned seed = 1;
   for (uint32_t i = 0; i < BATCH_JOBS; i++) {
      struct batch_job *j = &b->jobs[i];
      j->p = shapes[i].p;
      if (!pm4d_conv2d_params_check(&j->p, why, sizeof(why)))
         FAIL("shape %u: %s", i, why);
      enum pm4d_conv2d_variant v = pm4d_conv2d_variant_choose(&j->p, shapes[i].compute_units);
      if (strcmp(pm4d_conv2d_variant_name(v), shapes[i].kernel) != 0)
         FAIL("shape %u: the layer picks %s, not %s", i, pm4d_conv2d_variant_name(v),
              shapes[i].kernel);
      const struct pm4d_kernel_desc *k = pm4d_codeobj_find(&info, pm4d_conv2d_variant_name(v));
      if (!k || pm4d_builder_check_kernel(&bld, k, err, sizeof(err)) != PM4D_OK)
         FAIL("%s: no usable %s", target, pm4d_conv2d_variant_name(v));
      uint64_t entry = code_va + k->desc_offset + (uint64_t)k->entry_offset;
      if (pm4d_template_build(&bld, k, entry, &templates[i], err, sizeof(err)) != PM4D_OK)
         FAIL("%s: template: %s", target, err);

      pm4d_conv2d_buffer_bytes(&j->p, j->bytes);
      for (int t = 0; t < 4; t++) {
         j->host[t] = j->bytes[t] ? map(user, j->bytes[t], t == 3, &j->va[t]) : NULL;
         if (j->bytes[t] && !j->host[t])
            FAIL("cannot map buffer %d of job %u", t, i);
         if (t == 1 && j->p.filter_f16) {
            for (uint64_t e = 0; e < j->bytes[t] / 2; e++)
               ((_Float16 *)j->host[t])[e] = (_Float16)rnd(&seed);
         } else {
            for (uint64_t e = 0; t < 3 && e < j->bytes[t] / 4; e++)
               j->host[t][e] = rnd(&seed);
         }
      }
      struct pm4d_conv2d_buffers bufs = {j->va[0], j->va[1], j->va[2], j->va[3]};
      pm4d_conv2d_pack_kernargs(&j->p, &bufs, kernargs + i * BATCH_KERNARG_SLOT,
                                BATCH_KERNARG_SLOT);
      uint32_t grid[3];
      if (!pm4d_conv2d_grid(v, &j->p, grid) ||
          pm4d_emit_dispatch(&bld, &templates[i], k, entry, ka_va + i * BATCH_KERNARG_SLOT, grid,
                             i == 0, &cs, NULL, err, sizeof(err)) != PM4D_OK)
         FAIL("job %u: %s", i, err[0] ? err : "no grid");
   }
   if (pm4d_tail_template_build(&bld, &tail, err, sizeof(err)) != PM4D_OK)
      FAIL("tail: %s", err);
   cs.cdw += pm4d_tail_template_instantiate(&tail, ib + cs.cdw, b->fence_va, BATCH_FENCE_VALUE);
   /* NOP padding to the IB alignment, as layer/direct pads every batch (pm4d_direct_batch_pad) */
   uint32_t pad = (0u - cs.cdw) & (ib_align / 4 - 1);
   pm4d_pkt_nop_fill(ib + cs.cdw, pad);
   cs.cdw += pad;
   b->ib = ib;
   b->ib_va = ib_va;
   b->ib_dw = cs.cdw;
   return true;
}

/* Filter word i: fp32, or fp16 widened (the kernels accumulate in fp32 either way). */
static double filter_at(const struct batch_job *j, uint64_t i)
{
   return j->p.filter_f16 ? (double)((const _Float16 *)j->host[1])[i] : (double)j->host[1][i];
}

/* Plain conv2d: NCHW input, KCRS filter (C per group), NKHW output. */
static void reference(const struct batch_job *j, float *out)
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
                           filter_at(j, ((k * cg + c) * p->r + r) * p->s + s);
                     }
               if (p->relu && acc < 0)
                  acc = 0;
               out[((n * p->k + k) * p->oh + y) * p->ow + x] = (float)acc;
            }
}

double batch_error(const struct batch *b, uint32_t i)
{
   const struct batch_job *j = &b->jobs[i];
   uint64_t n = j->bytes[3] / 4;
   float *want = malloc(j->bytes[3]);
   if (!want)
      return INFINITY;
   reference(j, want);
   double err2 = 0, ref2 = 0;
   for (uint64_t e = 0; e < n; e++) {
      double d = (double)want[e] - j->host[3][e];
      err2 += d * d;
      ref2 += (double)want[e] * want[e];
   }
   free(want);
   return sqrt(err2 / (ref2 > 0 ? ref2 : 1));
}
