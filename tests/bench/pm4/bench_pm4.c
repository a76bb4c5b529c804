/* PM4 core costs per GFX level, measured on the host CPU (no GPU is involved):
 *   dwords per conv2d dispatch alone (a batch's first, without the barrier, and a later one),
 *   a whole 1-dispatch batch (head, dispatch, fence), and the per-dispatch average of 4- and
 *   8-dispatch batches;
 *   template instantiation, template path with checks, dynamic build, validation per dispatch.
 * Usage: bench_pm4                 wall-clock table (ns per operation, ratios from one run)
 *        bench_pm4 --one FN LEVEL N  runs FN (instantiate|emit_template|dynamic|validate) N
 *                                    times for callgrind (scripts/bench-pm4 collects only FN) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_codeobj.h"
#include "pm4d_template.h"
#include "pm4d_validate.h"

#define PROGRAM 0x00007F0000004500ull
#define KERNARG 0x00007E0000000000ull
#define FENCE   0x00007D0000000000ull
#define BATCH   8u

struct level_setup {
   enum pm4d_gfx_level level;
   struct pm4d_kernel_desc k;
   const char *source; /* "embedded" or "synthetic" */
   struct pm4d_builder b;
   struct pm4d_template t;
   struct pm4d_validator v;
   uint32_t batch[PM4D_BATCH_HEAD_MAX_DW + BATCH * PM4D_DISPATCH_MAX_DW + PM4D_BATCH_TAIL_MAX_DW];
   uint32_t batch_dw;
};

static uint32_t out_buf[PM4D_DISPATCH_MAX_DW * 4];
static volatile uint32_t sink;

/* The conv2d 3x3 kernel from the embedded code objects when the build has them, else a
 * descriptor with the same register values. */
static void pick_kernel(struct level_setup *s)
{
   static const char *targets[PM4D_GFX_COUNT] = {"gfx90a", "gfx1030", "gfx1100"};
   const struct pm4d_code_object *co;
   size_t n = pm4d_embedded_code_objects(&co);
   for (size_t i = 0; i < n; i++) {
      static struct pm4d_codeobj_info info;
      char why[256];
      enum pm4d_gfx_level l;
      if (!pm4d_gfx_parse(co[i].target, &l) || l != s->level ||
          pm4d_codeobj_load(co[i].elf, co[i].size, &info, why, sizeof(why)) != PM4D_CODEOBJ_OK)
         continue;
      const struct pm4d_kernel_desc *k = pm4d_codeobj_find(&info, "pm4d_conv2d_3x3");
      if (k) {
         s->k = *k;
         s->source = "embedded";
         return;
      }
   }
   memset(&s->k, 0, sizeof(s->k));
   snprintf(s->k.name, sizeof(s->k.name), "conv2d_3x3");
   snprintf(s->k.target, sizeof(s->k.target), "%s", targets[s->level]);
   s->k.rsrc1 = 0x60af00c4;
   s->k.rsrc2 = s->level == PM4D_GFX11 ? 0x39a : 0x38c;
   s->k.rsrc3 = s->level == PM4D_GFX9 ? 0x11 : 0;
   s->k.kernarg_size = 100;
   s->k.kernarg_align = 8;
   s->k.group_segment_size = 15264;
   s->k.wg_size[0] = 256;
   s->k.wg_size[1] = s->k.wg_size[2] = 1;
   s->k.wave_size = s->level == PM4D_GFX9 ? 64 : 32;
   s->source = "synthetic";
}

static int setup(struct level_setup *s, enum pm4d_gfx_level level)
{
   char why[PM4D_PM4_REASON_MAX] = "";
   struct pm4d_cs cs;
   const uint32_t grid[3] = {64, 1, 1};
   s->level = level;
   pick_kernel(s);
   if (pm4d_builder_init(&s->b, level) != PM4D_OK ||
       pm4d_template_build(&s->b, &s->k, PROGRAM, &s->t, why, sizeof(why)) != PM4D_OK ||
       pm4d_validator_init(&s->v, level) != PM4D_OK ||
       pm4d_validator_add_program(&s->v, PROGRAM, 65536, &s->k) != PM4D_OK ||
       pm4d_validator_add_kernarg(&s->v, KERNARG, 65536) != PM4D_OK ||
       pm4d_validator_add_fence(&s->v, FENCE, 64) != PM4D_OK) {
      fprintf(stderr, "setup %s failed: %s\n", pm4d_gfx_name(level), why);
      return 1;
   }
   pm4d_cs_init(&cs, s->batch, sizeof(s->batch) / 4);
   pm4d_builder_batch_head(&s->b, &cs, why, sizeof(why));
   for (uint32_t i = 0; i < BATCH; i++)
      pm4d_builder_dispatch(&s->b, &s->k, PROGRAM, KERNARG + 128 * i, grid, i == 0, &cs, NULL, why,
                            sizeof(why));
   pm4d_builder_batch_tail(&s->b, FENCE, 1, &cs, NULL, why, sizeof(why));
   s->batch_dw = cs.cdw;
   struct pm4d_validate_error err;
   if (cs.failed || pm4d_validate(&s->v, s->batch, s->batch_dw, &err) != PM4D_OK) {
      fprintf(stderr, "benchmark batch invalid: %s\n", err.reason);
      return 1;
   }
   return 0;
}

/* One operation each; noinline so callgrind can collect exactly these functions. Every
 * BATCH-th dispatch is a batch's first (no barrier), as in an 8-dispatch batch. */
__attribute__((noinline)) static void op_instantiate(struct level_setup *s, uint32_t i)
{
   const uint32_t grid[3] = {i | 1, 1, 1};
   sink =
      pm4d_template_instantiate(&s->t, out_buf, i % BATCH == 0, KERNARG + 16ull * (i & 1023), grid);
}

__attribute__((noinline)) static void op_emit_template(struct level_setup *s, uint32_t i)
{
   const uint32_t grid[3] = {i | 1, 1, 1};
   struct pm4d_cs cs;
   struct pm4d_path_counters c = {0};
   char why[PM4D_PM4_REASON_MAX]; /* as on the hot path: read only after a refusal */
   pm4d_cs_init(&cs, out_buf, sizeof(out_buf) / 4);
   pm4d_emit_dispatch(&s->b, &s->t, &s->k, PROGRAM, KERNARG + 16ull * (i & 1023), grid,
                      i % BATCH == 0, &cs, &c, why, sizeof(why));
   sink = cs.cdw;
}

__attribute__((noinline)) static void op_dynamic(struct level_setup *s, uint32_t i)
{
   const uint32_t grid[3] = {i | 1, 1, 1};
   struct pm4d_cs cs;
   char why[PM4D_PM4_REASON_MAX]; /* as on the hot path: read only after a refusal */
   pm4d_cs_init(&cs, out_buf, sizeof(out_buf) / 4);
   pm4d_builder_dispatch(&s->b, &s->k, PROGRAM, KERNARG + 16ull * (i & 1023), grid, i % BATCH == 0,
                         &cs, NULL, why, sizeof(why));
   sink = cs.cdw;
}

/* Validates the whole 8-dispatch batch: per-dispatch cost = this / 8. */
__attribute__((noinline)) static void op_validate(struct level_setup *s, uint32_t i)
{
   struct pm4d_validate_error err;
   (void)i;
   sink = (uint32_t)pm4d_validate(&s->v, s->batch, s->batch_dw, &err);
}

static const struct {
   const char *name;
   void (*fn)(struct level_setup *, uint32_t);
} ops[] = {
   {"instantiate", op_instantiate},
   {"emit_template", op_emit_template},
   {"dynamic", op_dynamic},
   {"validate", op_validate},
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static double ns_per_op(struct level_setup *s, void (*fn)(struct level_setup *, uint32_t),
                        uint32_t n)
{
   struct timespec a, b;
   double best = 1e30;
   for (int rep = 0; rep < 5; rep++) { /* best of 5: the machine is shared */
      clock_gettime(CLOCK_MONOTONIC, &a);
      for (uint32_t i = 0; i < n; i++)
         fn(s, i);
      clock_gettime(CLOCK_MONOTONIC, &b);
      double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / n;
      if (ns < best)
         best = ns;
   }
   return best;
}

int main(int argc, char **argv)
{
   static struct level_setup s;
   if (argc == 5 && !strcmp(argv[1], "--one")) {
      enum pm4d_gfx_level level;
      if (!pm4d_gfx_parse(argv[3], &level) || setup(&s, level))
         return 2;
      uint32_t n = (uint32_t)strtoul(argv[4], NULL, 10);
      for (unsigned o = 0; o < NOPS; o++) {
         if (!strcmp(argv[2], ops[o].name)) {
            for (uint32_t i = 0; i < n; i++)
               ops[o].fn(&s, i);
            return 0;
         }
      }
      return 2;
   }
   printf("PM4 core on the host CPU (no GPU): ns per operation, best of 5 runs\n");
   printf("%-8s %-9s %6s %6s %7s %7s %7s %8s %9s %9s %9s %7s %7s\n", "gfx", "kernel", "first",
          "later", "+fence", "batch1", "avg/4", "avg/8", "templ_ns", "tmplchk", "dyn_ns",
          "valid_ns", "dyn/tpl");
   for (int l = 0; l < PM4D_GFX_COUNT; l++) {
      if (setup(&s, (enum pm4d_gfx_level)l))
         return 1;
      uint32_t first = pm4d_builder_dispatch_dw(&s.b, &s.k, true);
      uint32_t later = pm4d_builder_dispatch_dw(&s.b, &s.k, false);
      uint32_t head = pm4d_builder_head_dw(&s.b), tail = pm4d_builder_tail_dw(&s.b);
      double t_inst = ns_per_op(&s, op_instantiate, 2000000);
      double t_tchk = ns_per_op(&s, op_emit_template, 2000000);
      double t_dyn = ns_per_op(&s, op_dynamic, 1000000);
      double t_val = ns_per_op(&s, op_validate, 100000) / BATCH;
      printf("%-8s %-9s %6u %6u %7u %7u %7.1f %8.1f %9.1f %9.1f %9.1f %7.1f %7.1f\n",
             pm4d_gfx_name(s.level), s.source, first, later, first + tail, head + first + tail,
             (head + first + 3.0 * later + tail) / 4.0, (head + first + 7.0 * later + tail) / 8.0,
             t_inst, t_tchk, t_dyn, t_val, t_dyn / t_inst);
   }
   printf("first: a batch's first dispatch (no barrier); later: each further one, barrier "
          "included; +fence: first + the RELEASE_MEM fence; batch1: a whole 1-dispatch batch "
          "(head cache invalidate, dispatch, fence); avg/N: dwords per dispatch of an N-dispatch "
          "batch, head and fence shared\n"
          "templ_ns: copy + patch; tmplchk: automatic path incl. launch checks and counters; "
          "dyn_ns: dynamic builder; valid_ns: validator per dispatch (8-dispatch batch)\n");
   return 0;
}
