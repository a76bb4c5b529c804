/* The loader on bad input: truncated copies of every embedded code object (all refused as
 * bad ELF or missing pieces, never read past the end: run under ASan), random byte corruption
 * (any status, no crash, sane fields when accepted), and hand-made refusals with the expected
 * status: wrong machine, missing descriptor, scratch, dispatch packet, queue pointer, flat
 * scratch, private segment buffer, no kernarg pointer, implicit arguments. */
#include <stdlib.h>
#include <string.h>

#include "pm4d_check.h"
#include "pm4d_codeobj.h"

static struct pm4d_codeobj_info info;
static char reason[256];

static enum pm4d_codeobj_status load(const unsigned char *elf, size_t size)
{
   reason[0] = 0;
   return pm4d_codeobj_load(elf, size, &info, reason, sizeof(reason));
}

static void check_truncations(const struct pm4d_code_object *co)
{
   /* Every length in the headers and metadata, then a stride through the code. */
   for (size_t len = 0; len < co->size; len += len < 8192 ? 1 : 61) {
      unsigned char *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
      memcpy(copy, co->elf, len);
      enum pm4d_codeobj_status st = load(copy, len);
      CHECKF(st != PM4D_CODEOBJ_OK, "%s: truncated to %zu bytes accepted", co->target, len);
      CHECKF(reason[0], "%s: truncated to %zu bytes refused without a reason", co->target, len);
      free(copy);
   }
}

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
   rng = rng * 1664525u + 1013904223u;
   return rng >> 8;
}

static void check_corruptions(const struct pm4d_code_object *co)
{
   unsigned char *copy = malloc(co->size);
   for (int iter = 0; iter < 1500; iter++) {
      memcpy(copy, co->elf, co->size);
      int flips = 1 + (int)(next_rand() % 4);
      for (int i = 0; i < flips; i++) {
         /* Mostly the headers, note and descriptors (the first 8 KiB), where parsing happens. */
         size_t at = next_rand() % (co->size < 8192 ? co->size : 8192);
         copy[at] = (unsigned char)next_rand();
      }
      if (load(copy, co->size) == PM4D_CODEOBJ_OK) {
         for (uint32_t k = 0; k < info.num_kernels; k++) {
            const struct pm4d_kernel_desc *d = &info.kernels[k];
            CHECKF(d->private_segment_size == 0 && d->num_args <= PM4D_KERNEL_ARGS_MAX &&
                      d->desc_offset + 64 <= info.image_size && memchr(d->name, 0, sizeof(d->name)),
                   "%s: corrupted copy accepted with insane fields", co->target);
         }
      } else {
         CHECKF(reason[0], "%s: corrupted copy refused without a reason", co->target);
      }
   }
   free(copy);
}

/* Offset of the first occurrence of needle in the object, or 0. */
static size_t find(const unsigned char *elf, size_t size, const char *needle)
{
   size_t n = strlen(needle);
   for (size_t i = 0; i + n <= size; i++) {
      if (!memcmp(elf + i, needle, n))
         return i;
   }
   return 0;
}

/* Sets byte `at` of every occurrence of needle to ch. */
static void rename_all(unsigned char *elf, size_t size, const char *needle, size_t at, char ch)
{
   size_t n = strlen(needle);
   for (size_t i = 0; i + n <= size; i++) {
      if (!memcmp(elf + i, needle, n))
         elf[i + at] = (unsigned char)ch;
   }
}

static void expect(const char *what, const unsigned char *elf, size_t size,
                   enum pm4d_codeobj_status want)
{
   enum pm4d_codeobj_status st = load(elf, size);
   CHECKF(st == want, "%s: got %s (%s), want %s", what, pm4d_codeobj_status_name(st), reason,
          pm4d_codeobj_status_name(want));
   if (st == want)
      printf("refused as expected: %-34s %s\n", what, reason);
}

static void check_refusals(const struct pm4d_code_object *co)
{
   unsigned char *c = malloc(co->size);
   CHECKF(load(co->elf, co->size) == PM4D_CODEOBJ_OK, "%s: %s", co->target, reason);
   const struct pm4d_kernel_desc *d = pm4d_codeobj_find(&info, "pm4d_conv2d_1x1");
   CHECKF(d && !pm4d_codeobj_find(&info, "nope"), "%s: find", co->target);
   if (!d)
      goto out;
   /* The first PT_LOAD maps file offset 0 to address 0, so the descriptor's file offset is its
    * address (checked: properties read back equal). */
   size_t kd = (size_t)d->desc_offset;
   uint16_t props;
   memcpy(&props, co->elf + kd + 56, 2);
   CHECKF(props == d->kernel_code_properties, "%s: descriptor not at its address", co->target);

#define MUTATE(what, stmt, want)       \
   do {                                \
      memcpy(c, co->elf, co->size);    \
      stmt;                            \
      expect(what, c, co->size, want); \
   } while (0)
   MUTATE("machine x86-64", c[18] = 62, PM4D_CODEOBJ_WRONG_MACHINE);
   MUTATE("32-bit class", c[4] = 1, PM4D_CODEOBJ_WRONG_MACHINE);
   MUTATE("big-endian", c[5] = 2, PM4D_CODEOBJ_WRONG_MACHINE);
   MUTATE("no ELF magic", c[1] = 'X', PM4D_CODEOBJ_BAD_ELF);
   /* e_shoff is the little-endian 64-bit word at 40: setting its byte 6 puts the section
    * table at 0x7f << 48 or beyond, past the end of an object of any size. */
   MUTATE("section table past the end", c[46] = 0x7f, PM4D_CODEOBJ_BAD_ELF);
   MUTATE("scratch in the descriptor", c[kd + 4] = 16, PM4D_CODEOBJ_UNSUPPORTED);
   MUTATE("scratch enabled in RSRC2", c[kd + 52] |= 1, PM4D_CODEOBJ_UNSUPPORTED);
   MUTATE("private segment buffer", c[kd + 56] |= 1u << 0, PM4D_CODEOBJ_UNSUPPORTED);
   MUTATE("dispatch packet pointer", c[kd + 56] |= 1u << 1, PM4D_CODEOBJ_UNSUPPORTED);
   MUTATE("queue pointer", c[kd + 56] |= 1u << 2, PM4D_CODEOBJ_UNSUPPORTED);
   MUTATE("no kernarg pointer", c[kd + 56] &= (unsigned char)~(1u << 3), PM4D_CODEOBJ_UNSUPPORTED);
   MUTATE("dispatch id", c[kd + 56] |= 1u << 4, PM4D_CODEOBJ_UNSUPPORTED);
   MUTATE("flat scratch init", c[kd + 56] |= 1u << 5, PM4D_CODEOBJ_UNSUPPORTED);
   MUTATE("kernarg size disagrees", c[kd + 8] ^= 4, PM4D_CODEOBJ_BAD_METADATA);
   MUTATE("entry not 256-byte aligned", c[kd + 16] ^= 4, PM4D_CODEOBJ_BAD_ELF);
   MUTATE("ELF flags name another GPU", c[48] = c[48] == 0x36 ? 0x41 : 0x36,
          PM4D_CODEOBJ_BAD_METADATA);
   /* Same-length renames inside the strings, so the msgpack and string tables stay intact. */
   MUTATE("descriptor symbol missing", rename_all(c, co->size, "pm4d_conv2d_1x1.kd", 16, 'x'),
          PM4D_CODEOBJ_NO_DESCRIPTOR); /* ".kd" -> ".xd" in .dynstr and .strtab */
   size_t kind = find(co->elf, co->size, "global_buffer");
   MUTATE("implicit (hidden) argument", if (kind) memcpy(c + kind, "hidden_global", 13),
          PM4D_CODEOBJ_UNSUPPORTED);
   size_t note = find(co->elf, co->size, "amdhsa.kernels");
   MUTATE("no kernel list", if (note) memcpy(c + note, "amdhsa.kernelz", 14),
          PM4D_CODEOBJ_BAD_METADATA);
   size_t tgt = find(co->elf, co->size, "amdgcn-amd-amdhsa--");
   MUTATE("foreign target triple", if (tgt) c[tgt] = 'x', PM4D_CODEOBJ_BAD_METADATA);
#undef MUTATE
   expect("truncated ELF header", co->elf, 63, PM4D_CODEOBJ_BAD_ELF);
   expect("NULL buffer", NULL, 0, PM4D_CODEOBJ_BAD_ELF);
out:
   free(c);
}

int main(void)
{
   const struct pm4d_code_object *objs;
   size_t n = pm4d_embedded_code_objects(&objs);
   if (!n) {
      printf("SKIPPED: no AMD code objects were built (no clang 15+ with ld.lld)\n");
      return 77;
   }
   for (size_t i = 0; i < n; i++) {
      check_refusals(&objs[i]);
      check_truncations(&objs[i]);
      check_corruptions(&objs[i]);
   }
   return pm4d_check_finish("codeobj_corrupt");
}
