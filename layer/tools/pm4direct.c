/* pm4direct: command-line access to the PM4 core.
 *   pm4direct emit --list
 *   pm4direct emit --gfx GFX --kernel NAME --grid X,Y,Z [--kernarg ADDR] [--fence ADDR]
 *                  [--value V]
 *   pm4direct emit --gfx GFX --conv N,C,H,W,K,R,S,STRIDE,PAD [--cus CU] [...]
 *       prints a batch (cache invalidate, the dispatch, end-of-pipe fence) as hex dwords, one
 *       per line ("0x%08x"), the format umr reads with --dump-ib-file. --conv: the kernel and
 *       grid the layer would dispatch for that conv2d (fp32, dilation 1, groups 1) on a device
 *       of CU compute units (pm4d_conv2d_variant_choose; default 0: unknown), said on stderr
 *   pm4direct decode [--gfx GFX] FILE
 *   pm4direct validate [--gfx GFX] FILE
 *       exit 0 when valid; 1 with "invalid at dword N: reason"; 2 on usage or I/O errors
 *   pm4direct stats FILE
 *       prints a stats JSON (PM4DIRECT_STATS) for people: mode, auto-disable, kill file,
 *       latency histograms (p50/p99), non-zero counters by group
 * FILE holds hex dwords (with or without 0x), separated by white space; '#' starts a comment.
 * Addresses follow the plan in pm4d_tool_catalog.h; --gfx defaults to gfx10.3. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_decode.h"
#include "pm4d_kernels.h"
#include "pm4d_tool_catalog.h"
#include "pm4d_tool_stats.h"

#define EXIT_INVALID 1
#define EXIT_USAGE   2
#define MAX_FILE_DW  (1u << 20)

static int usage(void)
{
   fprintf(stderr, "usage: pm4direct emit --list\n"
                   "       pm4direct emit --gfx GFX --kernel NAME --grid X,Y,Z [--kernarg ADDR]"
                   " [--fence ADDR] [--value V]\n"
                   "       pm4direct emit --gfx GFX --conv N,C,H,W,K,R,S,STRIDE,PAD [--cus CU]"
                   " [--kernarg ADDR] [--fence ADDR] [--value V]\n"
                   "       pm4direct decode [--gfx GFX] FILE\n"
                   "       pm4direct validate [--gfx GFX] FILE\n"
                   "       pm4direct stats FILE\n");
   return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
   char *end;
   errno = 0;
   unsigned long long v = strtoull(s, &end, 0);
   if (errno || end == s || *end || s[0] == '-')
      return false;
   *out = v;
   return true;
}

/* n comma-separated uint32 values. */
static bool parse_list(const char *s, uint32_t *out, int n)
{
   char *end;
   for (int i = 0; i < n; i++) {
      errno = 0;
      unsigned long v = strtoul(s, &end, 0);
      if (errno || end == s || v > UINT32_MAX || s[0] == '-' || *end != (i < n - 1 ? ',' : '\0'))
         return false;
      out[i] = (uint32_t)v;
      s = end + 1;
   }
   return true;
}

static uint32_t *read_hex_file(const char *path, uint32_t *ndw)
{
   FILE *f = fopen(path, "r");
   uint32_t cap = 1024, n = 0;
   uint32_t *dw = malloc(cap * sizeof(*dw));
   char word[64];
   if (!f || !dw) {
      fprintf(stderr, "pm4direct: cannot read %s: %s\n", path,
              f ? "out of memory" : strerror(errno));
      goto fail;
   }
   while (fscanf(f, "%63s", word) == 1) {
      if (word[0] == '#') {
         int c;
         while ((c = fgetc(f)) != EOF && c != '\n')
            ;
         continue;
      }
      char *end;
      errno = 0;
      unsigned long long v = strtoull(word, &end, 16);
      if (errno || *end || v > UINT32_MAX) {
         fprintf(stderr, "pm4direct: %s: dword %u: '%s' is not a 32-bit hex value\n", path, n,
                 word);
         goto fail;
      }
      if (n == cap) {
         uint32_t *bigger = cap < MAX_FILE_DW ? realloc(dw, 2 * cap * sizeof(*dw)) : NULL;
         if (!bigger) {
            fprintf(stderr, "pm4direct: %s: more than %u dwords\n", path, MAX_FILE_DW);
            goto fail;
         }
         dw = bigger;
         cap *= 2;
      }
      dw[n++] = (uint32_t)v;
   }
   fclose(f);
   *ndw = n;
   return dw;
fail:
   if (f)
      fclose(f);
   free(dw);
   return NULL;
}

static int load_catalog(struct pm4d_tool_catalog *c)
{
   char why[320];
   if (pm4d_tool_catalog_load(c, why, sizeof(why)) != PM4D_OK) {
      fprintf(stderr, "pm4direct: %s\n", why);
      return EXIT_USAGE;
   }
   return 0;
}

static int emit_list(const struct pm4d_tool_catalog *c)
{
   if (c->count == 0)
      printf("no embedded code objects (the build found no clang able to target amdgcn)\n");
   /* dwords of a batch's first dispatch (no barrier) and of each later one */
   printf("%-24s %-8s %-8s %-12s %-5s %s\n", "KERNEL", "TARGET", "GFX", "WORKGROUP", "WAVE",
          "DWORDS/DISPATCH(FIRST/LATER)");
   for (uint32_t i = 0; i < c->count; i++) {
      const struct pm4d_codeobj_info *info = &c->objects[i].info;
      enum pm4d_gfx_level level;
      struct pm4d_builder b;
      bool known = pm4d_gfx_parse(info->target, &level) && pm4d_builder_init(&b, level) == PM4D_OK;
      for (uint32_t k = 0; k < info->num_kernels; k++) {
         const struct pm4d_kernel_desc *d = &info->kernels[k];
         char wg[32];
         snprintf(wg, sizeof(wg), "%ux%ux%u", d->wg_size[0], d->wg_size[1], d->wg_size[2]);
         printf("%-24s %-8s %-8s %-12s %-5u %u/%u\n", d->name, info->target,
                known ? pm4d_gfx_name(level) : "?", wg, d->wave_size,
                known ? pm4d_builder_dispatch_dw(&b, d, true) : 0,
                known ? pm4d_builder_dispatch_dw(&b, d, false) : 0);
      }
   }
   return 0;
}

/* The kernel and grid the layer picks for conv = n,c,h,w,k,r,s,stride,pad on `cus` compute
 * units (said on stderr); NULL, said too, when the shape is refused. */
static const char *conv_kernel(const uint32_t conv[9], uint32_t cus, uint32_t grid[3])
{
   struct pm4d_conv2d_params p = {.n = conv[0],
                                  .c = conv[1],
                                  .h = conv[2],
                                  .w = conv[3],
                                  .k = conv[4],
                                  .r = conv[5],
                                  .s = conv[6],
                                  .stride_h = conv[7],
                                  .stride_w = conv[7],
                                  .pad_h = conv[8],
                                  .pad_w = conv[8],
                                  .dil_h = 1,
                                  .dil_w = 1,
                                  .groups = 1};
   char reason[128];
   if (!pm4d_conv2d_params_check(&p, reason, sizeof(reason))) {
      fprintf(stderr, "pm4direct: %s\n", reason);
      return NULL;
   }
   enum pm4d_conv2d_variant v = pm4d_conv2d_variant_choose(&p, cus);
   if (!pm4d_conv2d_grid(v, &p, grid)) {
      fprintf(stderr, "pm4direct: no grid for this conv2d\n");
      return NULL;
   }
   fprintf(
      stderr,
      "pm4direct: conv2d %ux%ux%ux%u k%u %ux%u -> %ux%u on %u compute units: %s, grid %u,%u,%u\n",
      p.n, p.c, p.h, p.w, p.k, p.r, p.s, p.oh, p.ow, cus, pm4d_conv2d_variant_name(v), grid[0],
      grid[1], grid[2]);
   return pm4d_conv2d_variant_name(v);
}

static int emit(int argc, char **argv)
{
   const char *gfx = NULL, *kernel = NULL;
   uint32_t grid[3], conv[9], cus = 0;
   bool have_grid = false, have_conv = false, list = false;
   uint64_t kernarg = PM4D_TOOL_KERNARG_BASE, fence = PM4D_TOOL_FENCE_BASE, value = 1;
   for (int i = 0; i < argc; i++) {
      const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
      if (!strcmp(a, "--list")) {
         list = true;
         continue;
      }
      if (!v)
         return usage();
      i++;
      if (!strcmp(a, "--gfx"))
         gfx = v;
      else if (!strcmp(a, "--kernel"))
         kernel = v;
      else if (!strcmp(a, "--grid") && parse_list(v, grid, 3))
         have_grid = true;
      else if (!strcmp(a, "--conv") && parse_list(v, conv, 9))
         have_conv = true;
      else if (!strcmp(a, "--cus") && parse_list(v, &cus, 1))
         ;
      else if (!((!strcmp(a, "--kernarg") && parse_u64(v, &kernarg)) ||
                 (!strcmp(a, "--fence") && parse_u64(v, &fence)) ||
                 (!strcmp(a, "--value") && parse_u64(v, &value)))) {
         fprintf(stderr, "pm4direct: bad option or value: %s %s\n", a, v);
         return usage();
      }
   }
   static struct pm4d_tool_catalog catalog;
   int rc = load_catalog(&catalog);
   if (rc)
      return rc;
   if (list)
      return emit_list(&catalog);
   if (have_conv) { /* the kernel and grid come from the shape */
      if (kernel || have_grid)
         return usage();
      if (!(kernel = conv_kernel(conv, cus, grid)))
         return EXIT_USAGE;
      have_grid = true;
   }
   if (!gfx || !kernel || !have_grid)
      return usage();

   enum pm4d_gfx_level level;
   struct pm4d_builder b;
   uint64_t entry;
   const struct pm4d_kernel_desc *k;
   if (!pm4d_gfx_parse(gfx, &level) || pm4d_builder_init(&b, level) != PM4D_OK) {
      fprintf(stderr, "pm4direct: unknown GFX level or target '%s'\n", gfx);
      return EXIT_USAGE;
   }
   if (!(k = pm4d_tool_catalog_find(&catalog, gfx, kernel, &entry))) {
      fprintf(stderr, "pm4direct: no kernel '%s' for %s (see emit --list)\n", kernel, gfx);
      return EXIT_USAGE;
   }
   uint32_t buf[PM4D_BATCH_HEAD_MAX_DW + PM4D_DISPATCH_MAX_DW + PM4D_BATCH_TAIL_MAX_DW];
   struct pm4d_cs cs;
   const char *why = NULL;
   pm4d_cs_init(&cs, buf, sizeof(buf) / sizeof(buf[0]));
   if (pm4d_builder_batch_head(&b, &cs, &why) != PM4D_OK ||
       pm4d_builder_dispatch(&b, k, entry, kernarg, grid, true, &cs, NULL, &why) != PM4D_OK ||
       pm4d_builder_batch_tail(&b, fence, value, &cs, NULL, &why) != PM4D_OK) {
      fprintf(stderr, "pm4direct: cannot build the dispatch: %s\n", why);
      return EXIT_INVALID;
   }
   for (uint32_t i = 0; i < cs.cdw; i++)
      printf("0x%08" PRIx32 "\n", buf[i]);
   return 0;
}

/* Parses [--gfx GFX] FILE for decode and validate. */
static int file_args(int argc, char **argv, enum pm4d_gfx_level *level, const char **path)
{
   const char *gfx = "gfx10.3";
   *path = NULL;
   for (int i = 0; i < argc; i++) {
      if (!strcmp(argv[i], "--gfx") && i + 1 < argc)
         gfx = argv[++i];
      else if (!*path && argv[i][0] != '-')
         *path = argv[i];
      else
         return usage();
   }
   if (!*path)
      return usage();
   if (!pm4d_gfx_parse(gfx, level)) {
      fprintf(stderr, "pm4direct: unknown GFX level or target '%s'\n", gfx);
      return EXIT_USAGE;
   }
   return 0;
}

static int decode(int argc, char **argv)
{
   enum pm4d_gfx_level level;
   const char *path;
   uint32_t ndw;
   int rc = file_args(argc, argv, &level, &path);
   if (rc)
      return rc;
   uint32_t *dw = read_hex_file(path, &ndw);
   if (!dw)
      return EXIT_USAGE;
   printf("# %s, %u dwords, %s\n", path, ndw, pm4d_gfx_name(level));
   rc = pm4d_decode(level, dw, ndw, stdout) == PM4D_OK ? 0 : EXIT_INVALID;
   free(dw);
   return rc;
}

static int validate(int argc, char **argv)
{
   enum pm4d_gfx_level level;
   const char *path;
   uint32_t ndw;
   static struct pm4d_tool_catalog catalog;
   struct pm4d_validator v;
   struct pm4d_validate_error err;
   int rc = file_args(argc, argv, &level, &path);
   if (!rc)
      rc = load_catalog(&catalog);
   if (rc)
      return rc;
   if (pm4d_validator_init(&v, level) != PM4D_OK ||
       pm4d_tool_catalog_register(&catalog, &v, level) != PM4D_OK) {
      fprintf(stderr, "pm4direct: cannot set up the validator for %s\n", pm4d_gfx_name(level));
      return EXIT_USAGE;
   }
   uint32_t *dw = read_hex_file(path, &ndw);
   if (!dw)
      return EXIT_USAGE;
   if (pm4d_validate(&v, dw, ndw, &err) == PM4D_OK) {
      printf("%s: valid (%u dwords, %s)\n", path, ndw, pm4d_gfx_name(level));
      rc = 0;
   } else {
      printf("%s: invalid at dword %u: %s\n", path, err.offset, err.reason);
      rc = EXIT_INVALID;
   }
   free(dw);
   return rc;
}

int main(int argc, char **argv)
{
   if (argc < 2)
      return usage();
   if (!strcmp(argv[1], "emit"))
      return emit(argc - 2, argv + 2);
   if (!strcmp(argv[1], "decode"))
      return decode(argc - 2, argv + 2);
   if (!strcmp(argv[1], "stats"))
      return pm4d_tool_stats(argc - 2, argv + 2);
   if (!strcmp(argv[1], "validate"))
      return validate(argc - 2, argv + 2);
   return usage();
}
