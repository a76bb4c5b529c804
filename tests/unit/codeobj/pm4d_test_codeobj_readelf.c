/* The loader against llvm-readelf: for every built code object, what pm4d_codeobj_load reads
 * (target, kernels, kernarg size and alignment, LDS and scratch sizes, workgroup and wave size,
 * argument table) must equal what `llvm-readelf --notes` prints for the same file, the
 * embedded copy must equal the file, and the argument table must equal the host-side ABI
 * (pm4d_kernels). Usage: test READELF FILE...  */
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
   for (unsigned i = 0; i < info->num_kernels; i++) {
      const struct pm4d_kernel_desc *d = &info->kernels[i];
      CHECKF(pm4d_codeobj_find_entry(info, d->desc_offset + (uint64_t)d->entry_offset) == d &&
                !pm4d_codeobj_find_entry(info, d->desc_offset),
             "%s %s: find_entry", path, d->name);
   }
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
