/* The loader against llvm-readelf: for every built code object, what pm4d_codeobj_load reads
 * (target, kernels, kernarg size and alignment, LDS and scratch sizes, workgroup and wave size,
 * argument table) must equal what `llvm-readelf --notes` prints for the same file, each
 * kernel's descriptor and entry must be where the ELF symbols NAME.kd and NAME are
 * (`llvm-readelf -s`) and its RSRC1/2/3 what the descriptor bytes hold (`llvm-readelf -x`), the
 * embedded copy must equal the file, and the argument table must equal the host-side ABI
 * (pm4d_kernels). Usage: test READELF FILE...  */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_check.h"
#include "pm4d_codeobj.h"
#include "pm4d_kernels.h"

/* What readelf says about one kernel. */
struct ref_kernel {
   char name[PM4D_KERNEL_NAME_MAX];
   unsigned long kernarg_size, kernarg_align, group, priv, wave, wg[3], nwg;
   unsigned nargs;
   struct {
      unsigned long offset, size;
      char kind[32];
   } args[PM4D_KERNEL_ARGS_MAX];
};

struct ref {
   char target[64];
   unsigned nkernels;
   struct ref_kernel k[PM4D_CODEOBJ_KERNELS_MAX];
};

/* readelf prints the metadata as YAML: kernels are "  - " items, their keys sit at indent 4,
 * arguments are "      - " items with keys at indent 8, list values are "      - N". */
static int parse_readelf(FILE *f, struct ref *r)
{
   char line[512], list_key[64] = "", top_key[64] = "";
   struct ref_kernel *k = NULL;
   memset(r, 0, sizeof(*r));
   while (fgets(line, sizeof(line), f)) {
      line[strcspn(line, "\n")] = 0;
      char *p = line;
      int indent = 0;
      while (*p == ' ')
         p++, indent++;
      if (p[0] == '-' && p[1] == ' ') {
         p += 2;
         if (indent == 2 && !strcmp(top_key, "amdhsa.kernels")) {
            if (r->nkernels == PM4D_CODEOBJ_KERNELS_MAX)
               return -1;
            k = &r->k[r->nkernels++];
         } else if (indent == 6 && k && !strcmp(list_key, ".args")) {
            if (k->nargs == PM4D_KERNEL_ARGS_MAX)
               return -1;
            k->nargs++;
         } else if (indent == 6 && k && !strcmp(list_key, ".reqd_workgroup_size")) {
            if (k->nwg < 3)
               k->wg[k->nwg++] = strtoul(p, NULL, 0);
            continue;
         }
         indent += 2;
      }
      char *colon = strchr(p, ':');
      if (!colon)
         continue;
      *colon = 0;
      char *v = colon + 1;
      while (*v == ' ')
         v++;
      if (indent == 0)
         snprintf(top_key, sizeof(top_key), "%.63s", p);
      if (indent == 0 && !strcmp(p, "amdhsa.target"))
         snprintf(r->target, sizeof(r->target), "%.63s", v);
      if (!k)
         continue;
      if (indent == 4) {
         if (!*v)
            snprintf(list_key, sizeof(list_key), "%.63s", p);
         if (!strcmp(p, ".name"))
            snprintf(k->name, sizeof(k->name), "%.63s", v);
         else if (!strcmp(p, ".kernarg_segment_size"))
            k->kernarg_size = strtoul(v, NULL, 0);
         else if (!strcmp(p, ".kernarg_segment_align"))
            k->kernarg_align = strtoul(v, NULL, 0);
         else if (!strcmp(p, ".group_segment_fixed_size"))
            k->group = strtoul(v, NULL, 0);
         else if (!strcmp(p, ".private_segment_fixed_size"))
            k->priv = strtoul(v, NULL, 0);
         else if (!strcmp(p, ".wavefront_size"))
            k->wave = strtoul(v, NULL, 0);
      } else if (indent == 8 && k->nargs) {
         if (!strcmp(p, ".offset"))
            k->args[k->nargs - 1].offset = strtoul(v, NULL, 0);
         else if (!strcmp(p, ".size"))
            k->args[k->nargs - 1].size = strtoul(v, NULL, 0);
         else if (!strcmp(p, ".value_kind"))
            snprintf(k->args[k->nargs - 1].kind, sizeof(k->args[0].kind), "%.31s", v);
      }
   }
   return 0;
}

static void check_kernel(const struct pm4d_kernel_desc *d, const struct ref_kernel *rk,
                         const char *target)
{
   const struct pm4d_kernel_arg *abi;
   size_t nabi = pm4d_conv2d_args(&abi);
   enum pm4d_conv2d_variant v = pm4d_conv2d_variant_from_name(d->name);

   CHECKF(!strcmp(d->name, rk->name), "%s: name %s vs readelf %s", target, d->name, rk->name);
   CHECKF(d->kernarg_size == rk->kernarg_size, "%s %s: kernarg size %u vs %lu", target, d->name,
          d->kernarg_size, rk->kernarg_size);
   CHECKF(d->kernarg_align == rk->kernarg_align, "%s %s: kernarg align", target, d->name);
   CHECKF(d->group_segment_size == rk->group, "%s %s: LDS %u vs %lu", target, d->name,
          d->group_segment_size, rk->group);
   CHECKF(d->private_segment_size == rk->priv && rk->priv == 0, "%s %s: scratch", target, d->name);
   CHECKF(d->wave_size == rk->wave, "%s %s: wave %u vs %lu", target, d->name, d->wave_size,
          rk->wave);
   CHECKF(rk->nwg == 3 && d->wg_size[0] == rk->wg[0] && d->wg_size[1] == rk->wg[1] &&
             d->wg_size[2] == rk->wg[2],
          "%s %s: workgroup size", target, d->name);
   CHECKF(d->num_args == rk->nargs, "%s %s: %u args vs %u", target, d->name, d->num_args,
          rk->nargs);
   for (unsigned i = 0; i < d->num_args && i < rk->nargs; i++) {
      const char *kind =
         d->args[i].kind == PM4D_KERNEL_ARG_GLOBAL_BUFFER ? "global_buffer" : "by_value";
      CHECKF(d->args[i].offset == rk->args[i].offset && d->args[i].size == rk->args[i].size &&
                !strcmp(kind, rk->args[i].kind),
             "%s %s: arg %u differs from readelf", target, d->name, i);
   }
   /* The host ABI agrees with what clang laid out. */
   CHECKF(v != PM4D_CONV2D_VARIANT_COUNT, "%s: unknown kernel %s", target, d->name);
   CHECKF(d->wg_size[0] == pm4d_conv2d_workgroup_size(v) && d->wg_size[1] == 1 &&
             d->wg_size[2] == 1,
          "%s %s: workgroup size differs from pm4d_kernels", target, d->name);
   CHECKF(d->num_args == nabi && d->kernarg_size >= PM4D_CONV2D_KERNARG_SIZE &&
             d->kernarg_align == PM4D_CONV2D_KERNARG_ALIGN,
          "%s %s: kernarg layout differs from pm4d_kernels", target, d->name);
   for (unsigned i = 0; i < d->num_args && i < nabi; i++)
      CHECKF(!memcmp(&d->args[i], &abi[i], sizeof(abi[i])), "%s %s: arg %u differs from ABI",
             target, d->name, i);
   /* Only the kernarg pointer among the user SGPRs (bit 3; bit 10 is wave32). */
   CHECKF((d->kernel_code_properties & ~(1u << 10)) == (1u << 3), "%s %s: properties %04x", target,
          d->name, d->kernel_code_properties);
   printf("%s %-20s rsrc1 %08x rsrc2 %08x rsrc3 %08x props %04x user SGPRs %u kernarg %u "
          "lds %u wg %u wave %u entry 0x%llx\n",
          target, d->name, d->rsrc1, d->rsrc2, d->rsrc3, d->kernel_code_properties,
          (d->rsrc2 >> 1) & 0x1f, d->kernarg_size, d->group_segment_size, d->wg_size[0],
          d->wave_size, (unsigned long long)(d->desc_offset + (uint64_t)d->entry_offset));
}

/* The kernel descriptors as llvm-readelf shows them, decoded here, not by the loader: the
 * symbol table (`-s`) gives each kernel's entry (NAME, STT_FUNC) and its descriptor (NAME.kd,
 * 64 bytes), the hex dump of .rodata (`-x .rodata`) the descriptor's bytes. Field offsets from
 * LLVM AMDGPUUsage, "Kernel Descriptor": kernel_code_entry_byte_offset (int64) at 16,
 * compute_pgm_rsrc3 at 44, compute_pgm_rsrc1 at 48, compute_pgm_rsrc2 at 52. */
#define RODATA_MAX  4096u
#define SYMBOLS_MAX 32u
struct elf_view {
   uint64_t rodata_addr;
   uint32_t rodata_len, nsyms;
   unsigned char rodata[RODATA_MAX];
   struct {
      char name[PM4D_KERNEL_NAME_MAX + 4];
      uint64_t value;
   } syms[SYMBOLS_MAX];
};

static bool read_symbols(const char *readelf, const char *path, struct elf_view *e)
{
   char cmd[1024], line[512];
   unsigned long long v;
   snprintf(cmd, sizeof(cmd), "'%s' -s --wide '%s'", readelf, path);
   FILE *f = popen(cmd, "r");
   e->nsyms = 0;
   /* "   2: 0000000000002a00  1712 FUNC    GLOBAL PROTECTED   7 pm4d_conv2d_direct" */
   while (f && fgets(line, sizeof(line), f) && e->nsyms < SYMBOLS_MAX)
      if (sscanf(line, " %*u: %llx %*s %*s %*s %*s %*s %67s", &v, e->syms[e->nsyms].name) == 2)
         e->syms[e->nsyms++].value = v;
   if (f)
      pclose(f);
   return e->nsyms > 0;
}

static bool symbol_value(const struct elf_view *e, const char *name, uint64_t *value)
{
   for (uint32_t i = 0; i < e->nsyms; i++)
      if (!strcmp(e->syms[i].name, name)) {
         *value = e->syms[i].value;
         return true;
      }
   return false;
}

static bool read_rodata(const char *readelf, const char *path, struct elf_view *e)
{
   char cmd[1024], line[512];
   snprintf(cmd, sizeof(cmd), "'%s' -x .rodata '%s'", readelf, path);
   FILE *f = popen(cmd, "r");
   e->rodata_len = 0;
   /* "0x000018c0 00000000 00000000 64000000 00000000 ........d......." */
   while (f && fgets(line, sizeof(line), f)) {
      unsigned long long addr;
      char w[4][16];
      int n = sscanf(line, " 0x%llx %15s %15s %15s %15s", &addr, w[0], w[1], w[2], w[3]);
      if (n < 2)
         continue;
      if (e->rodata_len == 0)
         e->rodata_addr = addr;
      for (int i = 0; i < n - 1 && strlen(w[i]) == 8; i++)
         for (int b = 0; b < 4 && e->rodata_len < RODATA_MAX; b++) {
            unsigned byte;
            sscanf(w[i] + 2 * b, "%2x", &byte);
            e->rodata[e->rodata_len++] = (unsigned char)byte;
         }
   }
   if (f)
      pclose(f);
   return e->rodata_len > 0;
}

static uint64_t le(const unsigned char *p, unsigned n)
{
   uint64_t v = 0;
   for (unsigned i = n; i-- > 0;)
      v = v << 8 | p[i];
   return v;
}

static void check_descriptor(const char *path, const struct elf_view *e,
                             const struct pm4d_kernel_desc *d)
{
   char kd[PM4D_KERNEL_NAME_MAX + 4];
   uint64_t entry = 0, desc = 0;
   snprintf(kd, sizeof(kd), "%s.kd", d->name);
   CHECKF(symbol_value(e, d->name, &entry) && symbol_value(e, kd, &desc),
          "%s %s: no symbols for the kernel and its descriptor", path, d->name);
   CHECKF(d->desc_offset == desc, "%s %s: descriptor at 0x%llx, symbol %s at 0x%llx", path, d->name,
          (unsigned long long)d->desc_offset, kd, (unsigned long long)desc);
   CHECKF(d->desc_offset + (uint64_t)d->entry_offset == entry,
          "%s %s: entry 0x%llx, ELF symbol at 0x%llx", path, d->name,
          (unsigned long long)(d->desc_offset + (uint64_t)d->entry_offset),
          (unsigned long long)entry);
   if (desc < e->rodata_addr || desc + 64 > e->rodata_addr + e->rodata_len) {
      CHECKF(false, "%s %s: descriptor outside .rodata", path, d->name);
      return;
   }
   const unsigned char *p = e->rodata + (desc - e->rodata_addr);
   CHECKF(desc + le(p + 16, 8) == entry, "%s %s: kernel_code_entry_byte_offset", path, d->name);
   CHECKF(d->rsrc1 == le(p + 48, 4) && d->rsrc2 == le(p + 52, 4) && d->rsrc3 == le(p + 44, 4),
          "%s %s: RSRC1/2/3 %08x %08x %08x, readelf's descriptor %08llx %08llx %08llx", path,
          d->name, d->rsrc1, d->rsrc2, d->rsrc3, (unsigned long long)le(p + 48, 4),
          (unsigned long long)le(p + 52, 4), (unsigned long long)le(p + 44, 4));
}

static void check_file(const char *readelf, const char *path)
{
   size_t size = 0;
   unsigned char *elf = pm4d_check_read_file(&size, "%s", path);
   struct pm4d_codeobj_info *info = calloc(1, sizeof(*info));
   struct ref *r = calloc(1, sizeof(*r));
   char reason[256] = "", cmd[1024];
   FILE *f;

   CHECKF(elf && info && r, "%s: cannot read", path);
   if (!elf || !info || !r)
      goto out;
   enum pm4d_codeobj_status st = pm4d_codeobj_load(elf, size, info, reason, sizeof(reason));
   CHECKF(st == PM4D_CODEOBJ_OK, "%s: load: %s", path, reason);
   snprintf(cmd, sizeof(cmd), "'%s' --notes '%s'", readelf, path);
   f = popen(cmd, "r");
   CHECKF(f && parse_readelf(f, r) == 0, "%s: cannot run or parse %s", path, cmd);
   if (f)
      pclose(f);
   if (st != PM4D_CODEOBJ_OK)
      goto out;
   CHECKF(strstr(r->target, info->target) && r->nkernels == info->num_kernels &&
             r->nkernels == PM4D_CONV2D_VARIANT_COUNT,
          "%s: target %s (readelf %s), %u kernels (readelf %u)", path, info->target, r->target,
          info->num_kernels, r->nkernels);
   for (unsigned i = 0; i < info->num_kernels && i < r->nkernels; i++)
      check_kernel(&info->kernels[i], &r->k[i], info->target);
   const struct pm4d_code_object *co = pm4d_embedded_code_object_for(info->target);
   CHECKF(co && co->size == size && !memcmp(co->elf, elf, size),
          "%s: embedded copy for %s missing or different", path, info->target);
   struct elf_view *e = malloc(sizeof(*e));
   CHECKF(e && read_rodata(readelf, path, e) && read_symbols(readelf, path, e),
          "%s: no .rodata hex dump or symbols from %s", path, readelf);
   for (unsigned i = 0; e && e->rodata_len && i < info->num_kernels; i++) {
      const struct pm4d_kernel_desc *d = &info->kernels[i];
      check_descriptor(path, e, d);
      CHECKF(pm4d_codeobj_find_entry(info, d->desc_offset + (uint64_t)d->entry_offset) == d &&
                !pm4d_codeobj_find_entry(info, d->desc_offset),
             "%s %s: find_entry", path, d->name);
   }
   free(e);
   /* The image holds each descriptor at desc_offset and each entry inside it. */
   unsigned char *image = malloc((size_t)info->image_size);
   CHECKF(image && pm4d_codeobj_image_copy(elf, size, image, (size_t)info->image_size, reason,
                                           sizeof(reason)) == PM4D_CODEOBJ_OK,
          "%s: image copy: %s", path, reason);
   for (unsigned i = 0; image && i < info->num_kernels; i++) {
      const struct pm4d_kernel_desc *d = &info->kernels[i];
      CHECKF(!memcmp(image + d->desc_offset + 56, &d->kernel_code_properties, 2) &&
                !memcmp(image + d->desc_offset + 48, &d->rsrc1, 4),
             "%s %s: descriptor not at desc_offset in the image", path, d->name);
   }
   CHECKF(pm4d_codeobj_image_copy(elf, size, image, (size_t)info->image_size - 1, reason,
                                  sizeof(reason)) != PM4D_CODEOBJ_OK,
          "%s: image copy into a short buffer succeeded", path);
   free(image);
out:
   free(elf);
   free(info);
   free(r);
}

int main(int argc, char **argv)
{
   const struct pm4d_code_object *emb;
   size_t nemb = pm4d_embedded_code_objects(&emb);
   if (argc < 3 || nemb == 0) {
      printf("SKIPPED: no AMD code objects were built (no clang 15+ with ld.lld)\n");
      return 77;
   }
   CHECKF((size_t)(argc - 2) == nemb, "%d files but %zu embedded objects", argc - 2, nemb);
   CHECKF(!pm4d_embedded_code_object_for("gfx9999"), "an object for an unknown target");
   for (int i = 2; i < argc; i++)
      check_file(argv[1], argv[i]);
   return pm4d_check_finish("codeobj_readelf");
}
