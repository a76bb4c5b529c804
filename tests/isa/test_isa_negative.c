/* What the model must refuse, each named: a descriptor enabling a user SGPR the dispatch does
 * not set, too little LDS (caught at dispatch from the descriptor, and at the first DS access
 * when the registers give less), a wave64 kernel dispatched as wave32, a bad address (a page
 * fault with the instruction and address), an unknown opcode (encoding, opcode number, dword
 * offset). The faulty inputs are the shipped code object with one field changed.
 * Usage: test_isa_negative GFX CODE_OBJECT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa_test_util.h"
#include "pm4d_conv2d_ref.h"
#include "pm4d_isa.h"
#include "pm4d_isa_elf.h"
#include "pm4d_kernels.h"

static int failures;

#define EXPECT(cond, ...)                    \
   do {                                      \
      if (!(cond)) {                         \
         printf("FAIL line %d: ", __LINE__); \
         printf(__VA_ARGS__);                \
         printf("\n");                       \
         failures++;                         \
      }                                      \
   } while (0)

/* A small conv2d of variant v with real buffers; *launch ready to run. */
struct job {
   struct pm4d_ref_space sp;
   float in[64], filter[64], bias[8], out[64];
   uint8_t kernarg[128];
   struct pm4d_conv2d_params p;
   struct pm4d_conv2d_buffers b;
   struct pm4d_isa_launch l;
};

static void job_init(struct job *j, enum pm4d_conv2d_variant v)
{
   char reason[128];
   memset(j, 0, sizeof(*j));
   /* n, c, h, w, k, r, s, stride h/w, pad h/w, dilation h/w, groups, bias, ReLU, fp16 filter,
    * (oh, ow) */
   j->p = (struct pm4d_conv2d_params){1, 2, 3, 3, 2,     1,     1,     1, 1, 0,
                                      0, 1, 1, 1, false, false, false, 0, 0};
   if (!pm4d_conv2d_params_check(&j->p, reason, sizeof(reason)))
      EXPECT(false, "shape: %s", reason);
   j->b.input = pm4d_ref_register(&j->sp, j->in, sizeof(j->in));
   j->b.filter = pm4d_ref_register(&j->sp, j->filter, sizeof(j->filter));
   j->b.output = pm4d_ref_register(&j->sp, j->out, sizeof(j->out));
   pm4d_conv2d_pack_kernargs(&j->p, &j->b, j->kernarg, sizeof(j->kernarg));
   j->l.kernel = pm4d_conv2d_variant_name(v);
   j->l.workgroup[0] = pm4d_conv2d_workgroup_size(v);
   j->l.workgroup[1] = j->l.workgroup[2] = 1;
   j->l.kernarg = pm4d_ref_register(&j->sp, j->kernarg, sizeof(j->kernarg));
   pm4d_conv2d_grid(v, &j->p, j->l.grid);
}

/* A VM that answers page by page (4 KiB) and maps one address range read-only: what the
 * virtual GPU's translation looks like. */
struct paged {
   struct pm4d_ref_space *sp;
   uint64_t ro_addr, ro_bytes;
};

static bool paged_translate(void *user, uint64_t addr, bool write, void **host, size_t *bytes)
{
   const struct paged *pg = user;
   if (write && addr >= pg->ro_addr && addr - pg->ro_addr < pg->ro_bytes)
      return false;
   if (!isa_test_translate(pg->sp, addr, write, host, bytes))
      return false;
   size_t page_left = 4096 - (size_t)(addr & 4095u);
   *bytes = *bytes < page_left ? *bytes : page_left;
   return true;
}

static enum pm4d_isa_status run(enum pm4d_isa_target t, const char *elf, size_t size, struct job *j,
                                struct pm4d_isa_result *res)
{
   enum pm4d_isa_status st =
      pm4d_isa_run_code_object(t, elf, size, &j->l, isa_test_translate, &j->sp, res);
   printf("  %s: %s\n", j->l.kernel, st == PM4D_ISA_OK ? "ok" : res->reason);
   return st;
}

/* Byte pointer to kernel `name`'s descriptor inside a writable copy of the ELF. */
static uint8_t *descriptor(char *elf, size_t size, const char *name, struct pm4d_isa_kernel *k)
{
   char reason[128];
   if (pm4d_isa_kernel_find(elf, size, name, k, reason, sizeof(reason)) != PM4D_ISA_OK)
      return NULL;
   return (uint8_t *)(uintptr_t)isa_elf_at(elf, size, k->desc_offset, 64);
}

int main(int argc, char **argv)
{
   if (argc != 3) {
      fprintf(stderr, "usage: %s GFX CODE_OBJECT\n", argv[0]);
      return 2;
   }
   enum pm4d_isa_target t = pm4d_isa_target_from_name(argv[1]);
   size_t size;
   char *orig = isa_test_slurp(argv[2], &size), *elf = malloc(size);
   if (t == PM4D_ISA_TARGET_COUNT || !orig || !elf) {
      fprintf(stderr, "FAIL: cannot use %s %s\n", argv[1], argv[2]);
      return 1;
   }
   struct pm4d_isa_result res;
   struct pm4d_isa_kernel k;
   struct job j;
   const char *direct = pm4d_conv2d_variant_name(PM4D_CONV2D_DIRECT);
   const char *gemm = pm4d_conv2d_variant_name(PM4D_CONV2D_1X1);

   printf("baseline: the unchanged code object runs\n");
   job_init(&j, PM4D_CONV2D_DIRECT);
   EXPECT(run(t, orig, size, &j, &res) == PM4D_ISA_OK, "baseline direct");
   job_init(&j, PM4D_CONV2D_1X1);
   EXPECT(run(t, orig, size, &j, &res) == PM4D_ISA_OK, "baseline 1x1");

   printf("descriptor enables the dispatch-ptr user SGPR (kernel_code_properties bit 1)\n");
   memcpy(elf, orig, size);
   uint8_t *d = descriptor(elf, size, direct, &k);
   EXPECT(d != NULL, "no descriptor");
   d[56] |= 2u;
   job_init(&j, PM4D_CONV2D_DIRECT);
   EXPECT(run(t, elf, size, &j, &res) == PM4D_ISA_BAD_DISPATCH &&
             strstr(res.reason, "dispatch ptr"),
          "dispatch ptr not refused");

   printf("descriptor's RSRC2.USER_SGPR_COUNT below the enabled user SGPRs\n");
   memcpy(elf, orig, size);
   d = descriptor(elf, size, direct, &k);
   d[52] &= (uint8_t)~0x3Eu; /* RSRC2 bits 5:1 = 0 */
   EXPECT(run(t, elf, size, &j, &res) == PM4D_ISA_BAD_DISPATCH &&
             strstr(res.reason, "USER_SGPR_COUNT"),
          "user SGPR count not refused");

   printf("too little LDS for the descriptor's group segment size\n");
   job_init(&j, PM4D_CONV2D_1X1);
   j.l.lds_bytes_override = 512;
   EXPECT(run(t, orig, size, &j, &res) == PM4D_ISA_BAD_DISPATCH && strstr(res.reason, "LDS"),
          "small LDS not refused at dispatch");

   printf("too little LDS in RSRC2.LDS_SIZE of a register dispatch: the first DS access\n");
   {
      EXPECT(pm4d_isa_kernel_find(orig, size, gemm, &k, res.reason, sizeof(res.reason)) ==
                PM4D_ISA_OK,
             "find 1x1");
      struct pm4d_ref_space sp = j.sp;
      uint64_t code = pm4d_ref_register(&sp, orig, size);
      struct pm4d_isa_regs r = {.rsrc1 = k.rsrc1,
                                .rsrc2 = (k.rsrc2 & ~(0x1FFu << 15)) |
                                         1u << 15, /* one 512-byte granule */
                                .rsrc3 = k.rsrc3,
                                .user_data = {(uint32_t)j.l.kernarg, (uint32_t)(j.l.kernarg >> 32)},
                                .num_thread = {j.l.workgroup[0], 1, 1},
                                .grid = {j.l.grid[0], j.l.grid[1], j.l.grid[2]},
                                .wave32 = t != PM4D_ISA_GFX90A};
      /* The file is mapped as it is: COMPUTE_PGM = its base + the entry's file offset. */
      const uint8_t *entry = isa_elf_at(orig, size, k.desc_offset + (uint64_t)k.entry_offset, 4);
      r.pgm = code + (uint64_t)(entry - (const uint8_t *)orig);
      enum pm4d_isa_status st = pm4d_isa_run_regs(t, &r, isa_test_translate, &sp, &res);
      printf("  registers: %s: %s\n", pm4d_isa_status_name(st), res.reason);
      EXPECT(st == PM4D_ISA_LDS_OUT_OF_RANGE && strstr(res.reason, "512 bytes"),
             "LDS overrun not caught");
      r.rsrc2 = (k.rsrc2 & ~(0x1FFu << 15)) | ((k.group_segment_size + 511) / 512) << 15;
      st = pm4d_isa_run_regs(t, &r, isa_test_translate, &sp, &res);
      printf("  registers, full LDS: %s %s\n", pm4d_isa_status_name(st), res.reason);
      EXPECT(st == PM4D_ISA_OK, "register dispatch with the right LDS");
      /* Page by page (code and data split across 4 KiB windows): the same output. */
      float full[64];
      memcpy(full, j.out, sizeof(full));
      memset(j.out, 0, sizeof(j.out));
      struct paged pg = {&sp, 0, 0};
      st = pm4d_isa_run_regs(t, &r, paged_translate, &pg, &res);
      printf("  registers, page by page: %s\n", st == PM4D_ISA_OK ? "ok" : res.reason);
      EXPECT(st == PM4D_ISA_OK && !memcmp(full, j.out, sizeof(full)),
             "page-by-page translation gives the same output");
      /* The output mapped read-only: the first store is a page fault for writing. */
      pg.ro_addr = j.b.output;
      pg.ro_bytes = sizeof(j.out);
      st = pm4d_isa_run_regs(t, &r, paged_translate, &pg, &res);
      printf("  registers, read-only output: %s\n", res.reason);
      EXPECT(st == PM4D_ISA_PAGE_FAULT && strstr(res.reason, "for writing"),
             "store to a read-only page not a fault");
      /* The other wave size than the code was built for (CS_W32_EN flipped). */
      r.wave32 = !r.wave32;
      st = pm4d_isa_run_regs(t, &r, isa_test_translate, &sp, &res);
      printf("  registers, CS_W32_EN flipped: %s\n", res.reason);
      EXPECT(st == PM4D_ISA_NOT_EXECUTABLE && strstr(res.reason, r.wave32 ? "wave32" : "wave64"),
             "wrong wave size in the registers");
   }

   printf("a wave64 kernel (ENABLE_WAVEFRONT_SIZE32 = 0) dispatched as wave32\n");
   memcpy(elf, orig, size);
   d = descriptor(elf, size, direct, &k);
   d[57] &= (uint8_t) ~(1u << 2); /* kernel_code_properties bit 10 */
   job_init(&j, PM4D_CONV2D_DIRECT);
   j.l.force_wave = 32;
   EXPECT(run(t, elf, size, &j, &res) == PM4D_ISA_BAD_DISPATCH && strstr(res.reason, "wave64"),
          "wave64 kernel as wave32 not refused");

   printf("bad addresses: an unmapped input buffer, an unmapped kernarg pointer\n");
   job_init(&j, PM4D_CONV2D_DIRECT);
   j.b.input = 0xdead0000ull;
   pm4d_conv2d_pack_kernargs(&j.p, &j.b, j.kernarg, sizeof(j.kernarg));
   EXPECT(run(t, orig, size, &j, &res) == PM4D_ISA_PAGE_FAULT &&
             strstr(res.reason, "global_load") && strstr(res.reason, "0xdead"),
          "bad input address not a page fault");
   job_init(&j, PM4D_CONV2D_DIRECT);
   j.l.kernarg = 0xbad00000ull;
   EXPECT(run(t, orig, size, &j, &res) == PM4D_ISA_PAGE_FAULT && strstr(res.reason, "s_load"),
          "bad kernarg pointer not a page fault");

   printf("an opcode the model does not run (first instruction made SOP2 opcode 80)\n");
   memcpy(elf, orig, size);
   descriptor(elf, size, direct, &k);
   uint8_t *first =
      (uint8_t *)(uintptr_t)isa_elf_at(elf, size, k.desc_offset + (uint64_t)k.entry_offset, 4);
   const uint32_t word = 0xA8000000u; /* SOP2: bits 31:30 = 2, opcode (29:23) = 80 */
   memcpy(first, &word, 4);
   job_init(&j, PM4D_CONV2D_DIRECT);
   EXPECT(run(t, elf, size, &j, &res) == PM4D_ISA_NOT_EXECUTABLE &&
             strstr(res.reason, "SOP2 opcode 80") && strstr(res.reason, "dword offset 0"),
          "unknown opcode not named");

   free(orig);
   free(elf);
   printf("%s: %d failures\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}
