/* pm4direct selftest: runs the convnet helper (a Vulkan app whose conv2d the layer recognises)
 * three times on the machine's Vulkan GPU: through the driver alone, under the layer, and under
 * the layer with one injected hang; checks the outputs and the layer's counters; writes a
 * plain-text report. It reads only what the layer shows any user: outputs, its stats file, its
 * log lines and its diagnostics directory. */
#include "pm4d_tool_selftest.h"

#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pm4d_config.h"
#include "pm4d_tool_json.h"
#include "pm4d_tool_spawn.h"
#include "pm4d_tool_stats.h"
#include "pm4d_tool_sysinfo.h"

#define EXIT_FAILED 1
#define EXIT_USAGE  2
#define LAYER_NAME  "VK_LAYER_PM4DIRECT_conv2d"
/* The direct kernels sum in another order than the app's shaders: equal within fp32 rounding
 * (the bound the project's tests use, tests/e2e/pm4d_compare_f32.py). */
#define TOLERANCE 1e-5

const char pm4d_tool_selftest_help[] =
   "usage: pm4direct selftest [--out FILE] [--work DIR] [--app PATH] [--size N] [--iters K]\n"
   "                          [--hang auto|vgpu|sim|deadline|none] [--timeout S]\n"
   "Runs a small CNN's conv2d dispatches (the convnet helper, 6 conv2d per inference) on this\n"
   "machine's first Vulkan GPU three times: through the driver alone, under the pm4direct layer,\n"
   "and under the layer with one injected hang. Compares the outputs with the app's CPU\n"
   "reference and with each other, times submit to fence both ways, and writes a plain-text\n"
   "report to attach to a bug: kernel, DRM, libdrm and Mesa versions, the GPU, the layer's back\n"
   "end, what ran direct and what fell back and why (its counters), the figures labelled with\n"
   "where they ran, the hang and its recovery, and the decoded PM4 of the batch that hung.\n"
   "On lavapipe (a CPU device) the layer uses its sim back end; elsewhere PM4DIRECT_BACKEND\n"
   "(default auto). The layer is the one beside this program (a build tree or an install\n"
   "prefix) unless VK_LAYER_PATH says otherwise. Other PM4DIRECT_* settings reach the layer.\n"
   "  --out FILE   the report (default: standard output)\n"
   "  --work DIR   keep the runs' logs, outputs, stats and diagnostics there (default: a\n"
   "               temporary directory, removed at the end)\n"
   "  --app PATH   the helper (default: libexec/pm4direct/convnet beside this program's\n"
   "               prefix, or the build tree's tests/apps/convnet/convnet)\n"
   "  --size N     input N x N (default 16); --iters K inferences per run (default 5)\n"
   "  --hang M     how the hang is injected, in a run of one inference (default auto: the\n"
   "               first that applies):\n"
   "                 vgpu      the virtual AMD GPU (VGPU_PROFILE set): VGPU_INJECT hangs the\n"
   "                           layer's batch; the model's scheduler times it out after 1 s\n"
   "                           and resets that queue (VGPU_RESET=queue)\n"
   "                 sim       the sim back end stops after 3 dispatches of the batch\n"
   "                           (PM4DIRECT_SIM_FAULT=stall_after=3); its 500 ms deadline passes\n"
   "                 deadline  the sim with a 1 ms deadline (PM4DIRECT_DEADLINE_MS) plus its\n"
   "                           allowance of 1 GFLOP/s. Not on amdgpu: there the kernel's job\n"
   "                           timeout decides a hang (a missed deadline is only overdue), and\n"
   "                           a hang needs a GPU or queue reset, which the self-test never\n"
   "                           causes on real hardware (reported as not exercised, a NOTE)\n"
   "                 none      no hang run\n"
   "  --timeout S  seconds each run may take (default 120)\n"
   "Exit 0 when every check passed, 1 when one failed (the report says which), 2 on usage\n"
   "or I/O errors, or when the helper cannot run.\n";

struct opts {
   const char *out, *work, *app, *hang;
   uint32_t size, iters, timeout_s;
};

/* What one run of the helper showed. */
struct run {
   const char *title;
   char log[PATH_MAX], bin[PATH_MAX], stats[PATH_MAX], diag[PATH_MAX];
   uint32_t size, batch, iters;
   int rc;
   char device[256], driver[320], backend[32], pass_through[256];
   char sim_target[32]; /* "pm4direct: sim TARGET: ..." */
   uint32_t dispatches;
   bool ref_seen, ref_pass, have_ms;
   double ref_err, ms;
   struct pm4d_json stats_json;
   bool have_stats;
};

struct selftest {
   struct opts o;
   /* The layer's diagnostics ("... on the X back end (TARGET): ..."), else the sim's log line
    * or the first amdgpu render node's. */
   char target[32];
   char work[PATH_MAX], exe_dir[PATH_MAX], layer_path[PATH_MAX];
   const char *backend, *where_layer;
   char where_driver[320];
   bool vgpu;
   unsigned failed;
   FILE *checks, *body; /* report parts, joined at the end */
   char *checks_text, *body_text;
   size_t checks_len, body_len;
};

static void check(struct selftest *t, bool ok, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   fputs(ok ? "[PASS] " : "[FAIL] ", t->checks);
   vfprintf(t->checks, fmt, ap);
   fputc('\n', t->checks);
   va_end(ap);
   t->failed += !ok;
}

static void note(struct selftest *t, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   fputs("[NOTE] ", t->checks);
   vfprintf(t->checks, fmt, ap);
   fputc('\n', t->checks);
   va_end(ap);
}

static bool parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
   char *end;
   errno = 0;
   unsigned long v = strtoul(s, &end, 10);
   if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
      return false;
   *out = (uint32_t)v;
   return true;
}

static bool is_file(const char *path)
{
   struct stat st;
   return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The helper and the layer: given, or where an install or a build tree puts them beside this
 * program (bin/ -> libexec/pm4direct/, share/vulkan/; layer/tools/ -> tests/apps/convnet/,
 * manifest/explicit/). */
static bool locate(struct selftest *t, char *app, size_t app_size)
{
   ssize_t n = readlink("/proc/self/exe", t->exe_dir, sizeof(t->exe_dir) - 1);
   t->exe_dir[n > 0 ? n : 0] = '\0';
   char *slash = strrchr(t->exe_dir, '/');
   if (slash)
      *slash = '\0';
   static const char *const apps[] = {"../libexec/pm4direct/convnet",
                                      "../../tests/apps/convnet/convnet"};
   static const char *const layers[] = {"../share/vulkan/explicit_layer.d",
                                        "../../manifest/explicit"};
   if (t->o.app) {
      snprintf(app, app_size, "%s", t->o.app);
   } else {
      app[0] = '\0';
      for (size_t i = 0; i < 2 && !app[0]; i++) {
         if (snprintf(app, app_size, "%s/%s", t->exe_dir, apps[i]) >= (int)app_size ||
             access(app, X_OK) != 0)
            app[0] = '\0';
      }
   }
   if (!app[0] || access(app, X_OK) != 0) {
      fprintf(stderr, "pm4direct: selftest: no helper program%s%s (give --app PATH)\n",
              t->o.app ? " at " : "", t->o.app ? t->o.app : "");
      return false;
   }
   const char *given = getenv("VK_LAYER_PATH");
   t->layer_path[0] = '\0';
   if (given && given[0]) {
      snprintf(t->layer_path, sizeof(t->layer_path), "%s (VK_LAYER_PATH)", given);
      return true;
   }
   for (size_t i = 0; i < 2; i++) {
      char dir[PATH_MAX + 64], json[PATH_MAX + 96];
      if (snprintf(dir, sizeof(dir), "%s/%s", t->exe_dir, layers[i]) >= (int)sizeof(dir) ||
          snprintf(json, sizeof(json), "%s/VkLayer_pm4direct.json", dir) >= (int)sizeof(json))
         continue;
      if (is_file(json) && realpath(dir, t->layer_path)) {
         setenv("VK_LAYER_PATH", t->layer_path, 1);
         return true;
      }
   }
   snprintf(t->layer_path, sizeof(t->layer_path), "the loader's default search");
   return true;
}

/* The helper's and the layer's lines that the report uses (tests/apps/convnet/README.md). */
static void parse_log(struct run *r)
{
   FILE *f = fopen(r->log, "r");
   char line[1024];
   if (!f)
      return;
   while (fgets(line, sizeof(line), f)) {
      line[strcspn(line, "\n")] = '\0';
      char word[16];
      const char *p;
      /* Into temporaries, with %n: a line that matches only a format's first conversions
       * leaves the run as it was. */
      int end = 0;
      unsigned u;
      double x;
      if (sscanf(line, "convnet: device \"%255[^\"]\"", r->device) == 1)
         continue;
      if (!strncmp(line, "convnet: driver ", 16)) {
         snprintf(r->driver, sizeof(r->driver), "%.300s", line + 16);
      } else if (sscanf(line, "convnet: %u dispatches per inference%n", &u, &end) == 1 && end) {
         r->dispatches = u;
      } else if (sscanf(line, "convnet: reference check %15s max relative error %lf%n", word, &x,
                        &end) == 2 &&
                 end) {
         r->ref_seen = true;
         r->ref_pass = !strcmp(word, "passed,");
         r->ref_err = x;
      } else if (sscanf(line, "convnet: %lf ms per inference%n", &x, &end) == 1 && end) {
         r->have_ms = true;
         r->ms = x;
      } else if ((p = strstr(line, "pm4direct: device has back end "))) {
         sscanf(p + 31, "%31s", r->backend);
      } else if ((p = strstr(line, "pm4direct: sim ")) && !r->sim_target[0]) {
         sscanf(p + 15, "%31[^:]", r->sim_target);
      } else if ((p = strstr(line, "device is pass-through")) && !r->pass_through[0]) {
         snprintf(r->pass_through, sizeof(r->pass_through), "%s", p);
      }
   }
   fclose(f);
}

static void load_stats(struct run *r)
{
   FILE *f = fopen(r->stats, "r");
   if (!f)
      return;
   char *text = NULL, why[128];
   size_t cap = 0;
   ssize_t n = getdelim(&text, &cap, '\0', f);
   fclose(f);
   r->have_stats = n > 0 && pm4d_json_parse(text, &r->stats_json, why, sizeof(why));
   free(text);
}

static double counter(const struct run *r, const char *name)
{
   if (!r->have_stats)
      return 0;
   return pm4d_json_number(pm4d_json_get(pm4d_json_get(&r->stats_json, "counters"), name), 0);
}

/* work/NAME.EXT into a PATH_MAX buffer (make_work left room for it). */
static void work_path(char *out, const struct selftest *t, const char *name, const char *ext)
{
   if (snprintf(out, PATH_MAX, "%s/%s%s", t->work, name, ext) >= PATH_MAX)
      out[0] = '\0';
}

/* Runs the helper with the environment edits env. */
static void run_app(struct selftest *t, struct run *r, const char *app, const char *name,
                    const char *const env[], bool check_ref)
{
   work_path(r->log, t, name, ".log");
   work_path(r->bin, t, name, ".bin");
   work_path(r->stats, t, name, ".json");
   work_path(r->diag, t, name, ".diag");
   char size[16], batch[16], iters[16];
   snprintf(size, sizeof(size), "%u", r->size);
   snprintf(batch, sizeof(batch), "%u", r->batch);
   snprintf(iters, sizeof(iters), "%u", r->iters);
   char *argv[] = {(char *)app, "--size", size,    "--batch", batch,
                   "--iters",   iters,    "--out", r->bin,    check_ref ? NULL : "--no-check",
                   NULL};
   fprintf(stderr, "pm4direct: selftest: %s\n", r->title);
   r->rc = pm4d_tool_spawn(argv, env, r->log, t->o.timeout_s);
   parse_log(r);
   load_stats(r);
}

/* max |a - b| / max |b| over two outputs of equal size; -1 when they cannot be read or differ
 * in size. */
static double compare_outputs(const char *a_path, const char *b_path)
{
   FILE *a = fopen(a_path, "rb"), *b = fopen(b_path, "rb");
   double diff = 0, scale = 0;
   bool ok = a && b;
   while (ok) {
      float x, y;
      size_t na = fread(&x, sizeof(x), 1, a), nb = fread(&y, sizeof(y), 1, b);
      if (na != nb)
         ok = false;
      if (!na || !nb)
         break;
      if (isnan(x) != isnan(y))
         ok = false;
      diff = fmax(diff, fabs((double)x - y));
      scale = fmax(scale, fabs((double)y));
   }
   if (a)
      fclose(a);
   if (b)
      fclose(b);
   if (!ok)
      return -1;
   return scale > 0 ? diff / scale : diff;
}

/* Where the figures of the runs come from, in the project's words (lavapipe, sim, vgpu, AMD
 * hardware). */
static void label(struct selftest *t, const struct run *drv, const struct run *lay)
{
   const char *profile = getenv("VGPU_PROFILE"), *preload = getenv("LD_PRELOAD");
   t->vgpu = profile && preload && strstr(preload, "vgpu");
   if (t->vgpu)
      snprintf(t->where_driver, sizeof(t->where_driver),
               "vgpu %.32s (the virtual AMD GPU: Debian's RADV on a model of the amdgpu kernel "
               "driver; no hardware, the times are the model's)",
               profile);
   else if (strstr(drv->device, "llvmpipe"))
      snprintf(t->where_driver, sizeof(t->where_driver), "lavapipe (CPU)");
   else
      snprintf(t->where_driver, sizeof(t->where_driver), "%.255s",
               drv->device[0] ? drv->device : "unknown device");
   if (!strcmp(lay->backend, "sim"))
      t->where_layer = "sim (the simulated command processor; kernels run by PoCL on the CPU)";
   else if (!strcmp(lay->backend, "amdgpu") && t->vgpu)
      t->where_layer = "vgpu (the amdgpu back end on the virtual AMD GPU)";
   else if (!strcmp(lay->backend, "amdgpu"))
      t->where_layer = "AMD hardware (the amdgpu back end)";
   else
      t->where_layer = "the driver (the layer had no back end)";
}

static void section(struct selftest *t, const char *title)
{
   fprintf(t->body, "\n== %s\n", title);
}

/* Copies the lines of path that contain one of the words (all lines when words is NULL) and
 * none of skip, at most max of them, indented. */
static void quote_file(FILE *out, const char *path, const char *const *words,
                       const char *const *skip, unsigned max)
{
   FILE *f = fopen(path, "r");
   char line[1024];
   unsigned n = 0, more = 0;
   if (!f) {
      fprintf(out, "  (%s: %s)\n", path, strerror(errno));
      return;
   }
   while (fgets(line, sizeof(line), f)) {
      bool want = !words;
      for (size_t i = 0; words && words[i] && !want; i++)
         want = strstr(line, words[i]) != NULL;
      for (size_t i = 0; skip && skip[i] && want; i++)
         want = strstr(line, skip[i]) == NULL;
      if (!want)
         continue;
      if (n++ < max)
         fprintf(out, "  %s%s", line, strchr(line, '\n') ? "" : "\n");
      else
         more++;
   }
   if (more)
      fprintf(out, "  (%u more lines in %s)\n", more, path);
   fclose(f);
}

static void describe_run(struct selftest *t, const struct run *r, const char *where)
{
   fprintf(t->body, "%s: input %ux3x%ux%u, %u inferences; exit %d%s\n", r->title, r->batch, r->size,
           r->size, r->iters, r->rc,
           r->rc == PM4D_TOOL_SPAWN_TIMEOUT ? " (past the time limit: killed)" : "");
   if (r->ref_seen)
      fprintf(t->body, "  CPU reference: %s, max relative error %g\n",
              r->ref_pass ? "passed" : "FAILED", r->ref_err);
   if (r->have_ms)
      fprintf(t->body, "  submit to fence: %.3f ms per inference (median; ran on %s)\n", r->ms,
              where);
   fprintf(t->body, "  log: %s\n", r->log);
}

/* The layer's own lines of a run: warnings, hangs, resets, fallbacks, pass-through reasons. */
static void layer_lines(struct selftest *t, const struct run *r)
{
   static const char *const words[] = {"pm4direct:", NULL}, *const skip[] = {"pm4direct: stats:",
                                                                             NULL};
   fprintf(t->body, "the layer's log lines (%s; its counters are above):\n", r->title);
   quote_file(t->body, r->log, words, skip, 40);
}

static void stats_of(struct selftest *t, const struct run *r)
{
   if (!r->have_stats) {
      fprintf(t->body, "(no stats file: the layer did not load or did not exit cleanly)\n");
      return;
   }
   pm4d_tool_stats_print(t->body, r->stats);
}

/* The decoded PM4 of the first batch the diagnostics directory holds (written by the layer's
 * decoder, layer/pm4); false when it holds none. */
static bool decoded_event(struct selftest *t, const struct run *r)
{
   char pattern[PATH_MAX + 16], path[PATH_MAX] = "";
   glob_t g;
   snprintf(pattern, sizeof(pattern), "%s/*/pm4.txt", r->diag);
   if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc)
      snprintf(path, sizeof(path), "%s", g.gl_pathv[0]); /* sorted: the first event */
   globfree(&g);
   if (!path[0])
      return false;
   char dir[PATH_MAX];
   snprintf(dir, sizeof(dir), "%s", path);
   *strrchr(dir, '/') = '\0';
   fprintf(t->body, "event %s:\n", dir);
   char reason[PATH_MAX + 16], line[512];
   snprintf(reason, sizeof(reason), "%s/reason.txt", dir);
   FILE *f = fopen(reason, "r");
   const char *p;
   if (f && fgets(line, sizeof(line), f) && (p = strstr(line, " back end (")))
      sscanf(p + 11, "%31[^)]", t->target);
   if (f)
      fclose(f);
   quote_file(t->body, reason, NULL, NULL, 10);
   quote_file(t->body, path, NULL, NULL, 2000);
   return true;
}

/* Without a diagnostics event: the batch the layer builds for convnet's first conv2d (1 x 3 x
 * size^2, 16 filters 3x3, stride 1, pad 1) on the target, through this tool's own emit and
 * decode (the layer's builder, templates and decoder), labelled as such. */
static void decoded_emitted(struct selftest *t)
{
   if (!t->target[0] || strspn(t->target, "gfx0123456789abcdef") != strlen(t->target)) {
      fprintf(t->body, "(no batch decoded: no diagnostics event, and no target known)\n");
      return;
   }
   char exe[PATH_MAX], cmd[3 * PATH_MAX], out[PATH_MAX];
   ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
   exe[n > 0 ? n : 0] = '\0';
   work_path(out, t, "batch", ".txt");
   /* The paths are this program's and its work directory's (no quote in them: checked). */
   if (strchr(exe, '\'') || strchr(t->work, '\'') ||
       snprintf(cmd, sizeof(cmd),
                "'%s' emit --gfx %s --conv 1,3,%u,%u,16,3,3,1,1 2>/dev/null | '%s' decode -", exe,
                t->target, t->o.size, t->o.size, exe) >= (int)sizeof(cmd)) {
      fprintf(t->body, "(no batch decoded: the tool's path cannot be quoted)\n");
      return;
   }
   char *argv[] = {"/bin/sh", "-c", cmd, NULL};
   int rc = pm4d_tool_spawn(argv, NULL, out, 30);
   fprintf(t->body,
           "no batch failed, so no diagnostics event holds one that ran: this is the batch the "
           "layer builds for convnet's first conv2d on %s (pm4direct emit --conv | decode; "
           "exit %d)\n",
           t->target, rc);
   quote_file(t->body, out, NULL, NULL, 2000);
}

static void driver_alone(struct selftest *t, struct run *drv, const char *app)
{
   static const char *const env[] = {"VK_INSTANCE_LAYERS", "PM4DIRECT_ENABLE",
                                     "PM4DIRECT_DISABLE=1", NULL};
   *drv = (struct run){
      .title = "driver alone (no layer)", .size = t->o.size, .batch = 1, .iters = t->o.iters};
   run_app(t, drv, app, "driver", env, true);
}

static void under_layer(struct selftest *t, struct run *r, const char *app, const char *name,
                        const char *const extra[])
{
   char stats[PATH_MAX + 32], backend[64], diag[PATH_MAX + 32];
   const char *env[24];
   size_t n = 0;
   snprintf(stats, sizeof(stats), "PM4DIRECT_STATS=%s/%s.json", t->work, name);
   snprintf(diag, sizeof(diag), "PM4DIRECT_DIAG_DIR=%s/%s.diag", t->work, name);
   snprintf(backend, sizeof(backend), "PM4DIRECT_BACKEND=%s", t->backend);
   env[n++] = "VK_INSTANCE_LAYERS=" LAYER_NAME;
   env[n++] = "PM4DIRECT_ENABLE"; /* the explicit layer only, never twice */
   env[n++] = "PM4DIRECT_DISABLE";
   env[n++] = "PM4DIRECT_LOG=info";
   env[n++] = stats;
   env[n++] = diag;
   env[n++] = backend;
   /* A patient deadline for the runs that must not hang (a first dispatch on the vgpu builds
    * its kernels); the user's own wins (a value the layer would refuse is none). */
   if (!pm4d_config_given(pm4d_config_get(), "PM4DIRECT_DEADLINE_MS"))
      env[n++] = "PM4DIRECT_DEADLINE_MS=30000";
   for (size_t i = 0; extra && extra[i] && n < 23; i++)
      env[n++] = extra[i];
   env[n] = NULL;
   char path[PATH_MAX + 32];
   snprintf(path, sizeof(path), "%s/%s.diag", t->work, name);
   mkdir(path, 0755);
   run_app(t, r, app, name, env, true);
}

/* Checks of the run under the layer: loaded, engaged, every conv2d direct, output right. */
static void check_layer_run(struct selftest *t, const struct run *drv, const struct run *lay)
{
   check(t, lay->have_stats && counter(lay, "vkCreateInstance") >= 1,
         "the layer loaded (its stats file %s)", lay->stats);
   check(t, lay->backend[0] && strcmp(lay->backend, "none"), "the layer has a back end: %s%s%s",
         lay->backend[0] ? lay->backend : "(none said)", lay->pass_through[0] ? "; " : "",
         lay->pass_through);
   double total = (double)lay->dispatches * lay->iters;
   double redirected = counter(lay, "dispatches_redirected"), fell = counter(lay, "fallback_jobs");
   check(t, lay->dispatches > 0 && redirected == total && fell == 0,
         "every conv2d ran direct: %.0f of %.0f redirected, %.0f fell back to the driver",
         redirected, total, fell);
   check(t, lay->rc == 0 && lay->ref_seen && lay->ref_pass && lay->ref_err <= TOLERANCE,
         "under the layer: exit %d, output against the CPU reference: max relative error %g "
         "(at most %g)",
         lay->rc, lay->ref_seen ? lay->ref_err : NAN, TOLERANCE);
   if (drv->rc == 0 && drv->ref_pass) {
      double d = compare_outputs(lay->bin, drv->bin);
      check(t, d >= 0 && d <= TOLERANCE,
            "output under the layer against the driver alone: max relative difference %g "
            "(at most %g)",
            d, TOLERANCE);
   } else if (t->vgpu) {
      note(t,
           "driver alone not compared: its conv2d is RADV's own shader, which the virtual "
           "GPU cannot run (exit %d; its time is of dispatches the model skipped); the "
           "layer's output is checked against the CPU reference",
           drv->rc);
   } else {
      check(t, false, "the driver alone: exit %d, CPU reference %s (max relative error %g)",
            drv->rc, drv->ref_seen ? (drv->ref_pass ? "passed" : "failed") : "not reached",
            drv->ref_err);
   }
   check(t, drv->have_ms && lay->have_ms, "submit-to-fence times both ways");
}

/* The hang's environment for method m into env (NULL-terminated), its description into why.
 * False for a method that does not apply here. */
static bool hang_env(struct selftest *t, const char *m, const struct run *lay, const char **env,
                     char *why, size_t why_size)
{
   if (!strcmp(m, "vgpu")) {
      /* The layer's context is the process's second: RADV makes the first for the app's
       * queue at vkCreateDevice (with VGPU_VERBOSE=1, ctx1's hang is on ring gfx_0.0, ctx2's on
       * the layer's comp_1.0). */
      env[0] = "VGPU_INJECT=hang@ctx2:job1";
      env[1] = "VGPU_RESET=queue";
      env[2] = "VGPU_JOB_TIMEOUT_MS=1000";
      env[3] = NULL;
      snprintf(why, why_size,
               "vgpu: VGPU_INJECT=hang@ctx2:job1 (the layer's batch never completes), the "
               "model's scheduler times it out after 1 s and resets that queue "
               "(VGPU_RESET=queue, as kernels with per-queue reset do), the layer's context is "
               "guilty");
      return t->vgpu;
   }
   if (!strcmp(m, "sim")) {
      env[0] = "PM4DIRECT_SIM_FAULT=stall_after=3";
      env[1] = "PM4DIRECT_DEADLINE_MS=500";
      env[2] = NULL;
      snprintf(why, why_size,
               "sim: PM4DIRECT_SIM_FAULT=stall_after=3 (the simulated command processor stops "
               "after 3 dispatches of the batch, which misses its deadline of 500 ms)");
      return !strcmp(t->backend, "sim") || !strcmp(lay->backend, "sim");
   }
   if (!strcmp(m, "deadline")) {
      env[0] = "PM4DIRECT_DEADLINE_MS=1";
      env[1] = NULL;
      snprintf(why, why_size,
               "deadline: PM4DIRECT_DEADLINE_MS=1: a sim batch still running 1 ms after its "
               "kick, plus the layer's allowance for its FLOPs, is declared hung; the layer "
               "resets the sim's queue and the driver re-runs its jobs");
      return !strcmp(lay->backend, "sim");
   }
   return false;
}

static void hang_run(struct selftest *t, const struct run *lay, const char *app)
{
   static const char *const order[] = {"vgpu", "sim", "deadline"};
   const char *env[8], *m = NULL;
   char why[512] = "";
   section(t, "Injected hang and recovery");
   if (!strcmp(t->o.hang, "none")) {
      note(t, "no hang injected (--hang none)");
      section(t, "Decoded PM4 of one batch (layer/pm4's decoder)");
      decoded_emitted(t);
      return;
   }
   for (size_t i = 0; i < 3 && !m; i++) {
      if ((!strcmp(t->o.hang, "auto") || !strcmp(t->o.hang, order[i])) &&
          hang_env(t, order[i], lay, env, why, sizeof(why)))
         m = order[i];
   }
   if (!m && !strcmp(t->o.hang, "auto") && !strcmp(lay->backend, "amdgpu")) {
      /* amdgpu off the vgpu: only the kernel's job timeout makes a hang, with a reset. */
      note(t, "hang: not exercised on real amdgpu hardware: the kernel's job timeout decides a "
              "hang there and recovers with a GPU or queue reset, which the self-test never "
              "causes (the virtual GPU's run of this self-test covers it)");
      section(t, "Decoded PM4 of one batch (layer/pm4's decoder)");
      decoded_emitted(t);
      return;
   }
   if (!m) {
      check(t, false, "a hang injected with --hang %s: it does not apply to back end '%s'%s",
            t->o.hang, lay->backend[0] ? lay->backend : "none", t->vgpu ? "" : " off the vgpu");
      return;
   }
   fprintf(t->body, "method: %s\n", why);
   /* One inference, one batch: the app's output is that of the batch that hung. */
   struct run h = {
      .title = "under the layer, one hang injected", .size = t->o.size, .batch = 1, .iters = 1};
   under_layer(t, &h, app, "hang", env);
   describe_run(t, &h, t->where_layer);
   double hangs = counter(&h, "direct_hangs"), faults = counter(&h, "direct_faults"),
          resets = counter(&h, "direct_resets"), total = (double)h.dispatches * h.iters,
          once = counter(&h, "direct_jobs_completed") + counter(&h, "fallback_jobs");
   fprintf(t->body,
           "  counters: direct_hangs %.0f, direct_faults %.0f, direct_resets %.0f, "
           "direct_jobs_completed %.0f, fallback_jobs %.0f, fallback_batch_failed %.0f\n",
           hangs, faults, resets, counter(&h, "direct_jobs_completed"),
           counter(&h, "fallback_jobs"), counter(&h, "fallback_batch_failed"));
   layer_lines(t, &h);
   check(t, hangs + faults >= 1 && resets >= 1,
         "hang (%s): declared (%.0f hangs, %.0f faults) and recovered (%.0f resets)", m, hangs,
         faults, resets);
   if (t->vgpu) {
      /* The re-run is the app's own conv2d through RADV, which the model cannot execute. */
      check(t, h.rc == 0 || h.rc == EXIT_FAILED,
            "hang (%s): the app ran to its end (exit %d: 0, or 1 for its reference check)", m,
            h.rc);
      note(t,
           "hang (%s): output not compared: the jobs re-run through the driver are RADV's "
           "own conv2d, which the virtual GPU cannot execute (max relative error %g)",
           m, h.ref_seen ? h.ref_err : NAN);
   } else {
      check(t, h.rc == 0 && h.ref_seen && h.ref_pass && h.ref_err <= TOLERANCE,
            "hang (%s): the app's output still right: exit %d, max relative error %g against "
            "the CPU reference",
            m, h.rc, h.ref_seen ? h.ref_err : NAN);
   }
   check(
      t, h.dispatches && once == total,
      "hang (%s): every conv2d ran exactly once: direct_jobs_completed + fallback_jobs = %.0f of %.0f",
      m, once, total);
   section(t, "Decoded PM4 of one batch (layer/pm4's decoder)");
   if (!decoded_event(t, &h))
      decoded_emitted(t);
   if (h.have_stats)
      pm4d_json_free(&h.stats_json);
}

static void report_header(FILE *out, const struct selftest *t, const struct run *drv,
                          const struct run *lay)
{
   time_t now = time(NULL);
   char when[64];
   strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
   fprintf(out, "pm4direct selftest report (pm4direct %s), %s\n", PM4D_TOOL_VERSION, when);
   fprintf(out, "verdict: %s", t->failed ? "FAIL" : "PASS");
   if (t->failed)
      fprintf(out, " (%u checks failed)", t->failed);
   fprintf(out, "\n\n== Machine\n");
   pm4d_tool_sysinfo(out);
   fprintf(out, "GPU: %s\n", drv->device[0] ? drv->device : lay->device);
   fprintf(out, "Vulkan driver: %s\n", drv->driver[0] ? drv->driver : lay->driver);
   fprintf(out, "driver alone ran on: %s\n", t->where_driver);
   fprintf(out, "the layer: %s; PM4DIRECT_BACKEND=%s; back end: %s; direct work ran on: %s\n",
           t->layer_path, t->backend, lay->backend[0] ? lay->backend : "(none said)",
           t->where_layer);
   fprintf(out, "target: %s\n",
           t->target[0] ? t->target : "not known (no amdgpu render node named one)");
   if (!t->vgpu && strcmp(lay->backend, "amdgpu"))
      fprintf(out, "(no AMD GPU ran anything here: the figures are not AMD hardware figures)\n");
}

static bool parse_opts(int argc, char **argv, struct opts *o)
{
   *o = (struct opts){.hang = "auto", .size = 16, .iters = 5, .timeout_s = 120};
   for (int i = 0; i < argc; i++) {
      const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
      if (!v)
         return false;
      i++;
      if (!strcmp(a, "--out"))
         o->out = v;
      else if (!strcmp(a, "--work"))
         o->work = v;
      else if (!strcmp(a, "--app"))
         o->app = v;
      else if (!strcmp(a, "--hang") &&
               (!strcmp(v, "auto") || !strcmp(v, "vgpu") || !strcmp(v, "sim") ||
                !strcmp(v, "deadline") || !strcmp(v, "none")))
         o->hang = v;
      else if (!(!strcmp(a, "--size") && parse_u32(v, 1, 4096, &o->size)) &&
               !(!strcmp(a, "--iters") && parse_u32(v, 1, 100000, &o->iters)) &&
               !(!strcmp(a, "--timeout") && parse_u32(v, 1, 86400, &o->timeout_s))) {
         fprintf(stderr, "pm4direct: selftest: bad option or value: %s %s\n", a, v);
         return false;
      }
   }
   return true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
   (void)st, (void)flag, (void)ftw;
   return remove(path) != 0 && errno != ENOENT;
}

/* The temporary work directory goes; one given with --work stays. */
static void remove_work(const struct selftest *t)
{
   if (!t->o.work && t->work[0] && nftw(t->work, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
      fprintf(stderr, "pm4direct: selftest: could not remove %s\n", t->work);
}

static bool make_work(struct selftest *t)
{
   if (t->o.work && strlen(t->o.work) > PATH_MAX - 64) {
      fprintf(stderr, "pm4direct: selftest: --work path too long\n");
      return false;
   }
   if (t->o.work) {
      snprintf(t->work, sizeof(t->work), "%s", t->o.work);
      if (mkdir(t->work, 0755) != 0 && errno != EEXIST) {
         fprintf(stderr, "pm4direct: selftest: cannot create %s: %s\n", t->work, strerror(errno));
         return false;
      }
      return true;
   }
   const char *tmp = getenv("TMPDIR");
   snprintf(t->work, sizeof(t->work), "%.3000s/pm4direct-selftest-XXXXXX",
            tmp && tmp[0] ? tmp : "/tmp");
   if (!mkdtemp(t->work)) {
      fprintf(stderr, "pm4direct: selftest: cannot create %s: %s\n", t->work, strerror(errno));
      return false;
   }
   return true;
}

int pm4d_tool_selftest(int argc, char **argv)
{
   struct selftest t = {0};
   char app[PATH_MAX];
   if (!parse_opts(argc, argv, &t.o)) {
      fputs(pm4d_tool_selftest_help, stderr);
      return EXIT_USAGE;
   }
   if (!locate(&t, app, sizeof(app)) || !make_work(&t))
      return EXIT_USAGE;
   t.checks = open_memstream(&t.checks_text, &t.checks_len);
   t.body = open_memstream(&t.body_text, &t.body_len);
   if (!t.checks || !t.body) {
      remove_work(&t);
      return EXIT_USAGE;
   }

   struct run drv,
      lay = {.title = "under the layer", .size = t.o.size, .batch = 1, .iters = t.o.iters};
   driver_alone(&t, &drv, app);
   if (!drv.device[0]) {
      fprintf(stderr,
              "pm4direct: selftest: the helper found no Vulkan device (exit %d); its "
              "log:\n",
              drv.rc);
      quote_file(stderr, drv.log, NULL, NULL, 40);
      remove_work(&t);
      return EXIT_USAGE;
   }
   /* lavapipe is a CPU device: the layer's only back end there is the sim, which auto never
    * picks. The user's choice wins, as the layer reads it (a wrong value is logged once, here,
    * and is none). */
   const struct pm4d_config *cfg = pm4d_config_get();
   t.backend = pm4d_config_given(cfg, "PM4DIRECT_BACKEND") ? pm4d_config_backend_name(cfg->backend)
               : strstr(drv.device, "llvmpipe")            ? "sim"
                                                           : "auto";
   under_layer(&t, &lay, app, "layer", NULL);
   label(&t, &drv, &lay);
   /* The target until a diagnostics event names the one the layer used. */
   if (!strcmp(lay.backend, "sim"))
      snprintf(t.target, sizeof(t.target), "%s", lay.sim_target);
   else
      pm4d_tool_sysinfo_amdgpu_target(t.target, sizeof(t.target));

   section(&t, "Runs (figures: median submit-to-fence time of one inference of 6 conv2d)");
   describe_run(&t, &drv, t.where_driver);
   describe_run(&t, &lay, t.where_layer);
   check_layer_run(&t, &drv, &lay);
   section(&t, "What ran direct, what fell back and why (the layer's counters)");
   stats_of(&t, &lay);
   layer_lines(&t, &lay);
   hang_run(&t, &lay, app);

   fclose(t.checks);
   fclose(t.body);
   FILE *out = t.o.out ? fopen(t.o.out, "w") : stdout;
   int rc = t.failed ? EXIT_FAILED : 0;
   if (!out) {
      fprintf(stderr, "pm4direct: selftest: cannot write %s: %s\n", t.o.out, strerror(errno));
      rc = EXIT_USAGE;
   } else {
      report_header(out, &t, &drv, &lay);
      fprintf(out, "\n== Checks\n%s", t.checks_text);
      fputs(t.body_text, out);
      fprintf(out, "\n== Files\n%s\n",
              t.o.work ? t.work
                       : "(the runs' files were in a temporary directory, removed; "
                         "--work DIR keeps them)");
      if (out != stdout && fclose(out) != 0)
         rc = EXIT_USAGE;
   }
   if (t.o.out)
      fprintf(stderr, "pm4direct: selftest: %s; report in %s\n", t.failed ? "FAIL" : "PASS",
              t.o.out);
   remove_work(&t);
   free(t.checks_text);
   free(t.body_text);
   if (drv.have_stats)
      pm4d_json_free(&drv.stats_json);
   if (lay.have_stats)
      pm4d_json_free(&lay.stats_json);
   return rc;
}
