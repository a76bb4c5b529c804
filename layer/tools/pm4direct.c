/* pm4direct: command-line access to the PM4 core. Each subcommand has its own --help, which
 * also describes the file formats:
 *   pm4direct emit --list | --gfx GFX --kernel NAME --grid X,Y,Z [--kernarg A] [--fence A]
 *                  [--value V]        a batch as hex dwords after a "# pm4direct" header line
 *   pm4direct emit --gfx GFX --conv N,C,H,W,K,R,S,STRIDE,PAD [--cus CU] [...]
 *                                      the kernel and grid the layer picks for that conv2d
 *   pm4direct decode [--gfx GFX] [FILE|-]     packets and registers, one line each
 *   pm4direct validate [--gfx GFX] [FILE|-]   exit 0 valid, 1 invalid, 2 usage or I/O
 *   pm4direct stats FILE                      a PM4DIRECT_STATS file for people
 *   pm4direct selftest [--out FILE] [...]     conv2d with and without the layer on this
 *                                             machine's GPU, one injected hang: a bug report
 * decode and validate read standard input without FILE or with "-", and take the target from the
 * header emit writes, so `pm4direct emit ... | pm4direct validate -` needs no --gfx. Addresses
 * follow the plan in pm4d_tool_catalog.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_decode.h"
#include "pm4d_kernels.h"
#include "pm4d_tool_catalog.h"
#include "pm4d_tool_selftest.h"
#include "pm4d_tool_stats.h"

#define EXIT_INVALID 1
#define EXIT_USAGE   2
#define MAX_FILE_DW  (1u << 20)

#define STREAM_FORMAT                                                                          \
   "Stream format (what emit writes, decode and validate read):\n"                             \
   "  one hex dword per line (\"0x%08x\", the format umr reads with --dump-ib-file); any\n"    \
   "  white space separates dwords, the 0x is optional, '#' starts a comment to the end of\n"  \
   "  the line. emit begins with a header comment that the other commands read:\n"             \
   "    # pm4direct target=TARGET kernel=NAME grid=X,Y,Z\n"                                    \
   "  TARGET is a code-object target that emit --list prints (its GFX level decides how the\n" \
   "  stream is decoded and validated). A stream without the header needs --gfx.\n"

static const char usage_text[] =
   "usage: pm4direct emit --list\n"
   "       pm4direct emit --gfx GFX --kernel NAME --grid X,Y,Z [--kernarg ADDR] [--fence ADDR]"
   " [--value V]\n"
   "       pm4direct emit --gfx GFX --conv N,C,H,W,K,R,S,STRIDE,PAD [--cus CU] [--kernarg ADDR]"
   " [--fence ADDR] [--value V]\n"
   "       pm4direct decode [--gfx GFX] [FILE|-]\n"
   "       pm4direct validate [--gfx GFX] [FILE|-]\n"
   "       pm4direct stats FILE\n"
   "       pm4direct selftest [--out FILE] [--work DIR] [--app PATH] [--size N] [--iters K]"
   " [--hang auto|vgpu|sim|deadline|none] [--timeout S]\n"
   "       pm4direct COMMAND --help   (what it does, its options and file formats)\n";

static const char emit_help[] =
   "usage: pm4direct emit --list\n"
   "       pm4direct emit --gfx GFX --kernel NAME --grid X,Y,Z [--kernarg ADDR] [--fence ADDR]"
   " [--value V]\n"
   "       pm4direct emit --gfx GFX --conv N,C,H,W,K,R,S,STRIDE,PAD [--cus CU] [--kernarg ADDR]"
   " [--fence ADDR] [--value V]\n"
   "Prints one batch to standard output: cache invalidate, the dispatch of kernel NAME over\n"
   "X*Y*Z workgroups, and an end-of-pipe fence writing V (default 1) to the fence address.\n"
   "  --list      the embedded kernels: KERNEL, TARGET, GFX level, workgroup, wave size, dwords\n"
   "  --gfx GFX   a TARGET (gfx1036) or a GFX level (gfx10.3: its first target) from --list\n"
   "  --conv N,C,H,W,K,R,S,STRIDE,PAD   instead of --kernel and --grid: the kernel and grid the\n"
   "              layer would dispatch for that conv2d (fp32, dilation 1, groups 1), said on\n"
   "              standard error\n"
   "  --cus CU    with --conv: the device's compute units the choice assumes (default 0: unknown)\n"
   "  --kernarg, --fence   GPU addresses (defaults: the tool's address plan, which validate\n"
   "              knows)\n" STREAM_FORMAT;

static const char decode_help[] =
   "usage: pm4direct decode [--gfx GFX] [FILE|-]\n"
   "Prints each packet of the stream (standard input without FILE or with -) with its\n"
   "register writes by name, one line each, after a '#' line naming the stream and its level.\n"
   "  --gfx GFX   decode as this target or level (default: the header's target)\n"
   "Exit 0, 1 when a packet cannot be decoded, 2 on usage or I/O errors.\n" STREAM_FORMAT;

static const char validate_help[] =
   "usage: pm4direct validate [--gfx GFX] [FILE|-]\n"
   "Checks the stream (standard input without FILE or with -) as the layer checks each batch:\n"
   "headers and counts, allowed opcodes, COMPUTE_* register writes only, non-zero grids,\n"
   "programs, kernargs and fences only at the tool's addresses (see emit --help).\n"
   "  --gfx GFX   validate as this target or level (default: the header's target)\n"
   "Exit 0 with \"FILE: valid\", 1 with \"FILE: invalid at dword N: reason\", 2 on usage or\n"
   "I/O errors.\n" STREAM_FORMAT;

static const char stats_help[] =
   "usage: pm4direct stats FILE\n"
   "Prints a stats file for people: mode, auto-disable, kill file, latency histograms\n"
   "(p50/p99) and the non-zero counters by group.\n"
   "File format: the JSON object the layer writes at exit where PM4DIRECT_STATS points:\n"
   "  disabled (bool), live_instances, live_devices, auto_disable {window, threshold, tripped,\n"
   "  successes, failures, reason}, kill_file {path, active}, histograms {NAME_ns: {count,\n"
   "  mean, p50, p99, max, buckets [[lower bound ns, count]...]}}, counters {NAME: count}.\n"
   "Exit 0, 2 when the file cannot be read or is not such JSON.\n";

static int usage(void)
{
   fputs(usage_text, stderr);
   return EXIT_USAGE;
}

/* True (after printing text) when the arguments ask for help. */
static bool help(int argc, char **argv, const char *text)
{
   for (int i = 0; i < argc; i++) {
      if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
         fputs(text, stdout);
         return true;
      }
   }
   return false;
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

/* What emit's header line says ("# pm4direct target=T kernel=K grid=X,Y,Z"). */
struct stream_header {
   char target[32], kernel[64], grid[48];
};

static void parse_header(const char *line, struct stream_header *h)
{
   if (sscanf(line, "# pm4direct target=%31s kernel=%63s grid=%47s", h->target, h->kernel,
              h->grid) != 3)
      h->target[0] = '\0';
}

/* The dwords of the stream at path ("-": standard input) and its header (target "" when it has
 * none); NULL after a message on failure. */
static uint32_t *read_stream(const char *path, uint32_t *ndw, struct stream_header *h)
{
   const bool in = !strcmp(path, "-");
   FILE *f = in ? stdin : fopen(path, "r");
   uint32_t cap = 1024, n = 0;
   uint32_t *dw = malloc(cap * sizeof(*dw));
   char *line = NULL;
   size_t line_cap = 0;
   memset(h, 0, sizeof(*h));
   if (!f || !dw) {
      fprintf(stderr, "pm4direct: cannot read %s: %s\n", path,
              f ? "out of memory" : strerror(errno));
      goto fail;
   }
   while (getline(&line, &line_cap, f) >= 0) {
      char *hash = strchr(line, '#');
      if (hash && !h->target[0])
         parse_header(hash, h);
      if (hash)
         *hash = '\0';
      for (char *save, *word = strtok_r(line, " \t\r\n", &save); word;
           word = strtok_r(NULL, " \t\r\n", &save)) {
         char *end;
         errno = 0;
         unsigned long long v = strtoull(word, &end, 16);
         if (errno || *end || v > UINT32_MAX || word[0] == '-') {
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
   }
   if (ferror(f)) {
      fprintf(stderr, "pm4direct: cannot read %s: %s\n", path, strerror(errno));
      goto fail;
   }
   if (!in)
      fclose(f);
   free(line);
   *ndw = n;
   return dw;
fail:
   if (f && !in)
      fclose(f);
   free(line);
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
      printf("no embedded code objects (the build had PM4D_AMD_KERNELS=OFF or found no clang 15+ "
             "with a matching ld.lld)\n");
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
   if (help(argc, argv, emit_help))
      return 0;
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
   const char *target;
   const struct pm4d_kernel_desc *k =
      pm4d_tool_catalog_find(&catalog, gfx, kernel, &entry, &target);
   if (!k) {
      fprintf(stderr,
              "pm4direct: no kernel '%s' for '%s': --gfx takes a TARGET or GFX level that emit "
              "--list prints, --kernel a KERNEL of it\n",
              kernel, gfx);
      return EXIT_USAGE;
   }
   if (!pm4d_gfx_parse(target, &level) || pm4d_builder_init(&b, level) != PM4D_OK) {
      fprintf(stderr, "pm4direct: no PM4 builder for %s\n", target);
      return EXIT_USAGE;
   }
   uint32_t buf[PM4D_BATCH_HEAD_MAX_DW + PM4D_DISPATCH_MAX_DW + PM4D_BATCH_TAIL_MAX_DW];
   struct pm4d_cs cs;
   char why[PM4D_PM4_REASON_MAX] = "";
   pm4d_cs_init(&cs, buf, sizeof(buf) / sizeof(buf[0]));
   if (pm4d_builder_batch_head(&b, &cs, why, sizeof(why)) != PM4D_OK ||
       pm4d_builder_dispatch(&b, k, entry, kernarg, grid, true, &cs, NULL, why, sizeof(why)) !=
          PM4D_OK ||
       pm4d_builder_batch_tail(&b, fence, value, &cs, NULL, why, sizeof(why)) != PM4D_OK) {
      fprintf(stderr, "pm4direct: cannot build the dispatch: %s\n", why);
      return EXIT_INVALID;
   }
   printf("# pm4direct target=%s kernel=%s grid=%" PRIu32 ",%" PRIu32 ",%" PRIu32 "\n", target,
          kernel, grid[0], grid[1], grid[2]);
   for (uint32_t i = 0; i < cs.cdw; i++)
      printf("0x%08" PRIx32 "\n", buf[i]);
   return 0;
}

/* A stream for decode and validate: [--gfx GFX] [FILE|-], its dwords and its GFX level (from
 * --gfx, else from the header emit wrote). */
struct stream {
   const char *path;
   uint32_t *dw, ndw;
   enum pm4d_gfx_level level;
};

static int open_stream(int argc, char **argv, struct stream *st)
{
   const char *gfx = NULL;
   struct stream_header h;
   st->path = NULL;
   for (int i = 0; i < argc; i++) {
      if (!strcmp(argv[i], "--gfx") && i + 1 < argc)
         gfx = argv[++i];
      else if (!st->path && (argv[i][0] != '-' || !strcmp(argv[i], "-")))
         st->path = argv[i];
      else
         return usage();
   }
   if (!st->path)
      st->path = "-";
   const char *name = strcmp(st->path, "-") ? st->path : "(stdin)";
   if (gfx && !pm4d_gfx_parse(gfx, &st->level)) {
      fprintf(stderr, "pm4direct: unknown target or GFX level '%s' (see emit --list)\n", gfx);
      return EXIT_USAGE;
   }
   if (!(st->dw = read_stream(st->path, &st->ndw, &h)))
      return EXIT_USAGE;
   enum pm4d_gfx_level said;
   if (h.target[0] && !pm4d_gfx_parse(h.target, &said)) {
      fprintf(stderr, "pm4direct: %s: header names an unknown target '%s'\n", name, h.target);
   } else if (!gfx && h.target[0]) {
      st->level = said;
      return 0;
   } else if (gfx && h.target[0] && said != st->level) {
      fprintf(stderr, "pm4direct: note: %s says target %s (%s); reading it as %s (--gfx)\n", name,
              h.target, pm4d_gfx_name(said), pm4d_gfx_name(st->level));
      return 0;
   } else if (gfx) {
      return 0;
   } else {
      fprintf(stderr,
              "pm4direct: %s has no '# pm4direct target=...' header (emit writes one): give "
              "--gfx TARGET\n",
              name);
   }
   free(st->dw);
   return EXIT_USAGE;
}

static const char *stream_name(const struct stream *st)
{
   return strcmp(st->path, "-") ? st->path : "(stdin)";
}

static int decode(int argc, char **argv)
{
   struct stream st;
   if (help(argc, argv, decode_help))
      return 0;
   int rc = open_stream(argc, argv, &st);
   if (rc)
      return rc;
   printf("# %s, %u dwords, %s\n", stream_name(&st), st.ndw, pm4d_gfx_name(st.level));
   rc = pm4d_decode(st.level, st.dw, st.ndw, stdout) == PM4D_OK ? 0 : EXIT_INVALID;
   free(st.dw);
   return rc;
}

static int validate(int argc, char **argv)
{
   struct stream st;
   static struct pm4d_tool_catalog catalog;
   struct pm4d_validator v;
   struct pm4d_validate_error err;
   if (help(argc, argv, validate_help))
      return 0;
   int rc = load_catalog(&catalog);
   if (!rc)
      rc = open_stream(argc, argv, &st);
   if (rc)
      return rc;
   if (pm4d_validator_init(&v, st.level) != PM4D_OK ||
       pm4d_tool_catalog_register(&catalog, &v, st.level) != PM4D_OK) {
      fprintf(stderr, "pm4direct: cannot set up the validator for %s\n", pm4d_gfx_name(st.level));
      free(st.dw);
      return EXIT_USAGE;
   }
   if (pm4d_validate(&v, st.dw, st.ndw, &err) == PM4D_OK) {
      printf("%s: valid (%u dwords, %s)\n", stream_name(&st), st.ndw, pm4d_gfx_name(st.level));
      rc = 0;
   } else {
      printf("%s: invalid at dword %u: %s\n", stream_name(&st), err.offset, err.reason);
      rc = EXIT_INVALID;
   }
   free(st.dw);
   return rc;
}

int main(int argc, char **argv)
{
   if (argc < 2)
      return usage();
   if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
      fputs(usage_text, stdout);
      return 0;
   }
   if (!strcmp(argv[1], "emit"))
      return emit(argc - 2, argv + 2);
   if (!strcmp(argv[1], "decode"))
      return decode(argc - 2, argv + 2);
   if (!strcmp(argv[1], "stats"))
      return help(argc - 2, argv + 2, stats_help) ? 0 : pm4d_tool_stats(argc - 2, argv + 2);
   if (!strcmp(argv[1], "selftest"))
      return help(argc - 2, argv + 2, pm4d_tool_selftest_help)
                ? 0
                : pm4d_tool_selftest(argc - 2, argv + 2);
   if (!strcmp(argv[1], "validate"))
      return validate(argc - 2, argv + 2);
   return usage();
}
