#include "pm4d_config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static const char *const backend_names[] = {"auto", "amdgpu", "sim", "none", NULL};
static const char *const sim_exec_names[] = {"pocl", "isa", NULL};
static const char *const log_names[] = {"error", "warn", "info", "debug", NULL};

/* Whole decimal (or 0x) number in [lo, hi], all of text[0..len). */
static bool whole_number(const char *text, size_t len, long long lo, long long hi)
{
   char buf[24], *end;
   if (!len || len >= sizeof(buf))
      return false;
   memcpy(buf, text, len);
   buf[len] = '\0';
   errno = 0;
   long long x = strtoll(buf, &end, 0);
   return !errno && *end == '\0' && x >= lo && x <= hi;
}

static bool check_fail_alloc(const char *text)
{
   return whole_number(text, strlen(text), -1, LONG_MAX);
}

static bool check_fail_alloc_site(const char *text)
{
   const char *hash = strchr(text, '#');
   return hash ? hash > text && whole_number(hash + 1, strlen(hash + 1), 1, LONG_MAX)
               : strchr(text, ':') != NULL;
}

static bool check_fail_alloc_random(const char *text)
{
   const char *colon = strchr(text, ':');
   size_t len = colon ? (size_t)(colon - text) : strlen(text);
   return whole_number(text, len, 0, 1000) &&
          (!colon || whole_number(colon + 1, strlen(colon + 1), 0, LLONG_MAX));
}

static bool check_corrupt(const char *text)
{
   unsigned dword, mask;
   char end;
   return sscanf(text, "%u:%x%c", &dword, &mask, &end) == 2;
}

/* One variable: its field in struct pm4d_config, what it accepts and its default, in words. */
#define VAR(var, k, f, acc, dflt, ...)                                                      \
   {                                                                                        \
      .name = var, .kind = PM4D_CONFIG_##k, .offset = offsetof(struct pm4d_config, f),      \
      .size = sizeof(((struct pm4d_config *)0)->f), .accepted = acc, .default_value = dflt, \
      __VA_ARGS__                                                                           \
   }

static const struct pm4d_config_var vars[] = {
   VAR("PM4DIRECT_DISABLE", FLAG, disable, "0 or 1 (1: forward every call)", "0"),
   VAR("PM4DIRECT_BACKEND", CHOICE, backend, "auto, amdgpu, sim or none", "auto",
       .choices = backend_names),
   VAR("PM4DIRECT_SIM_EXEC", CHOICE, sim_exec,
       "pocl or isa (sim only: PoCL, or the code object on tests/isa's instruction model)", "pocl",
       .choices = sim_exec_names),
   VAR("PM4DIRECT_DEBUG", FLAG, debug, "0 or 1", "0"),
   VAR("PM4DIRECT_LOG", CHOICE, log_level, "error, warn, info or debug", "warn",
       .choices = log_names),
   VAR("PM4DIRECT_STATS", PATH, stats_path, "a file path", "no stats file"),
   VAR("PM4DIRECT_KILL_FILE", PATH, kill_file, "a file path", "no kill file"),
   VAR("PM4DIRECT_DIAG_DIR", PATH, diag_dir, "a directory path", "no diagnostics"),
   VAR("PM4DIRECT_SHADER_TABLE", PATH, shader_table,
       "a regular file of at most 1 MiB (not a symbolic link)", "the built-in table only"),
   VAR("PM4DIRECT_DEADLINE_MS", UINT, deadline_ms, "whole milliseconds from 1 to 600000", "100",
       .lo = 1, .hi = 600000),
   VAR("PM4DIRECT_AUTODISABLE_WINDOW", UINT, autodisable_window,
       "whole batches from 0 (never) to 4096", "100", .lo = 0, .hi = PM4D_AUTODISABLE_WINDOW_MAX),
   VAR("PM4DIRECT_AUTODISABLE_THRESHOLD", PERCENT, autodisable_threshold,
       "percent from 0 to 100, '%' optional", "95", .lo = 0, .hi = 100),
   VAR("PM4DIRECT_SIM_TARGET", TEXT, sim_target, "a target that `pm4direct emit --list` prints",
       "gfx1030"),
   VAR("PM4DIRECT_SIM_COMPUTE_UNITS", UINT, sim_compute_units,
       "whole compute units from 0 (unknown) to 4096", "60", .lo = 0, .hi = 4096),
   VAR("PM4DIRECT_SIM_FAULT", TEXT, sim_fault,
       "comma-separated stall_after=N (N > 0), delay_us=N, no_fence, bad_address, no_exec",
       "no faults"),
   VAR("PM4DIRECT_SIM_CORRUPT_TEMPLATE", TEXT, sim_corrupt,
       "DWORD:MASK (decimal dword index, hex mask)", "no corruption", .check = check_corrupt),
   VAR("PM4DIRECT_BAD_ADDRESS", UINT, bad_address,
       "whole jobs from 0 (none) to 1000000: that job's output one byte past its memory's end", "0",
       .lo = 0, .hi = 1000000),
   VAR("PM4DIRECT_FAIL_ALLOC", TEXT, fail_alloc, "N: the N-th allocation fails (-1: every one)",
       "none fails", .check = check_fail_alloc),
   VAR("PM4DIRECT_FAIL_ALLOC_SITE", TEXT, fail_alloc_site,
       "F.c:L (every allocation there) or F.c:L#K (its K-th)", "none fails",
       .check = check_fail_alloc_site),
   VAR("PM4DIRECT_FAIL_ALLOC_RANDOM", TEXT, fail_alloc_random,
       "P or P:SEED (P per mille, 0 to 1000)", "none fails", .check = check_fail_alloc_random),
   VAR("PM4DIRECT_ALLOC_SITES", PATH, alloc_sites, "a file path", "no sites file"),
};

_Static_assert(sizeof(vars) / sizeof(vars[0]) <= 32, "struct pm4d_config's given has 32 bits");

const struct pm4d_config_var *pm4d_config_vars(size_t *count)
{
   *count = sizeof(vars) / sizeof(vars[0]);
   return vars;
}

const char *pm4d_config_backend_name(enum pm4d_backend_choice backend)
{
   return backend_names[backend];
}

const char *pm4d_config_sim_exec_name(enum pm4d_sim_exec_choice exec)
{
   return sim_exec_names[exec];
}

/* Appends one line to problem. */
__attribute__((format(printf, 3, 4))) static void add_problem(char *problem, size_t size,
                                                              const char *fmt, ...)
{
   size_t used = strlen(problem);
   if (used && used + 1 < size)
      problem[used++] = '\n', problem[used] = '\0';
   if (used + 1 >= size)
      return;
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(problem + used, size - used, fmt, ap);
   va_end(ap);
}

/* A whole number or a number with an optional '%', in [lo, hi]; false for anything else. */
static bool parse_number(const char *text, const struct pm4d_config_var *v, double *out)
{
   char *end;
   errno = 0;
   double x = strtod(text, &end);
   bool percent = v->kind == PM4D_CONFIG_PERCENT && *end == '%';
   if (end == text || errno || end[percent] != '\0' || !(x >= v->lo && x <= v->hi))
      return false;
   if (v->kind == PM4D_CONFIG_UINT && (x != (double)(uint32_t)x || strpbrk(text, ".eExX")))
      return false;
   *out = x;
   return true;
}

/* Stores text's value for v into *cfg; false when text is not accepted. */
static bool set_value(struct pm4d_config *cfg, const struct pm4d_config_var *v, const char *text)
{
   char *field = (char *)cfg + v->offset;
   double x;
   switch (v->kind) {
   case PM4D_CONFIG_FLAG:
      if (strcmp(text, "0") && strcmp(text, "1"))
         return false;
      *(bool *)field = text[0] == '1';
      return true;
   case PM4D_CONFIG_CHOICE:
      for (unsigned i = 0; v->choices[i]; i++) {
         if (!strcmp(text, v->choices[i])) {
            *(unsigned *)field = i; /* both choice fields are plain enums */
            return true;
         }
      }
      return false;
   case PM4D_CONFIG_UINT:
      if (!parse_number(text, v, &x))
         return false;
      *(uint32_t *)field = (uint32_t)x;
      return true;
   case PM4D_CONFIG_PERCENT:
      if (!parse_number(text, v, &x))
         return false;
      *(double *)field = x;
      return true;
   case PM4D_CONFIG_PATH:
   case PM4D_CONFIG_TEXT:
      if (strlen(text) >= v->size || (v->check && !v->check(text)))
         return false;
      memcpy(field, text, strlen(text) + 1);
      return true;
   }
   return false;
}

static void set_defaults(struct pm4d_config *cfg)
{
   memset(cfg, 0, sizeof(*cfg));
   cfg->backend = PM4D_BACKEND_AUTO;
   cfg->log_level = PM4D_LOG_WARN;
   cfg->deadline_ms = PM4D_CONFIG_DEADLINE_MS;
   cfg->sim_compute_units = PM4D_CONFIG_SIM_COMPUTE_UNITS;
   cfg->autodisable_window = PM4D_AUTODISABLE_DEFAULT_WINDOW;
   cfg->autodisable_threshold = PM4D_AUTODISABLE_DEFAULT_THRESHOLD;
}

/* In a setuid/setgid process every setting that names a file or directory is ignored, as the
 * Vulkan loader and Mesa do: the layer loads into any Vulkan process whose environment enables
 * it, and a user must not make a privileged one write (stats, diagnostics, allocation sites),
 * read (a shader table) or probe (a kill file) a path of the user's choosing. PM4DIRECT_DISABLE
 * still turns the layer off there. */
void pm4d_config_parse(struct pm4d_config *cfg, pm4d_config_getenv_fn getenv_fn, bool secure,
                       char *problem, size_t problem_size)
{
   char ignored[512] = "";
   set_defaults(cfg);
   cfg->secure = secure;
   problem[0] = '\0';
   for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
      const struct pm4d_config_var *v = &vars[i];
      const char *text = getenv_fn(v->name);
      if (!text || !*text)
         continue;
      if (secure && v->kind == PM4D_CONFIG_PATH) {
         size_t used = strlen(ignored);
         snprintf(ignored + used, sizeof(ignored) - used, "%s%s", used ? ", " : "", v->name);
         continue;
      }
      if (set_value(cfg, v, text)) {
         cfg->given |= 1u << i;
         continue;
      }
      /* A wrong flag counts as set: PM4DIRECT_DISABLE=yes must still switch the layer off. */
      const bool flag = v->kind == PM4D_CONFIG_FLAG;
      if (flag)
         set_value(cfg, v, "1");
      add_problem(problem, problem_size, "%s=%.64s%s not accepted (accepted: %s); using %s",
                  v->name, text, strlen(text) > 64 ? "..." : "",
                  v->kind == PM4D_CONFIG_PATH ? "a path shorter than 512 bytes" : v->accepted,
                  flag ? "1" : v->default_value);
   }
   /* PM4DIRECT_DEBUG=1 is there to be seen: it shows info lines unless PM4DIRECT_LOG says. */
   const char *level = getenv_fn("PM4DIRECT_LOG");
   if (cfg->debug && (!level || !*level))
      cfg->log_level = PM4D_LOG_INFO;
   if (ignored[0])
      add_problem(problem, problem_size,
                  "setuid/setgid process: ignoring %s (settings that name files are not used in "
                  "a privileged process)",
                  ignored);
}

bool pm4d_config_given(const struct pm4d_config *cfg, const char *name)
{
   for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
      if (!strcmp(vars[i].name, name))
         return cfg->given & (1u << i);
   return false;
}

static struct pm4d_config process_config;
static char process_problem[2048];
static pthread_once_t process_once = PTHREAD_ONCE_INIT;
static atomic_flag problems_logged = ATOMIC_FLAG_INIT;

static const char *real_getenv(const char *name)
{
   return getenv(name);
}

static void load_process_config(void)
{
   pm4d_config_parse(&process_config, real_getenv, getauxval(AT_SECURE) != 0, process_problem,
                     sizeof(process_problem));
}

const struct pm4d_config *pm4d_config_get(void)
{
   pthread_once(&process_once, load_process_config);
   if (!atomic_flag_test_and_set_explicit(&problems_logged, memory_order_relaxed)) {
      for (const char *line = process_problem; *line;) {
         size_t len = strcspn(line, "\n");
         pm4d_log(PM4D_LOG_WARN, "%.*s", (int)len, line);
         line += len + (line[len] == '\n');
      }
      if (process_config.debug)
         pm4d_log(PM4D_LOG_INFO, "PM4DIRECT_DEBUG=1: every batch validated, one line per batch "
                                 "redirected, info lines shown");
   }
   return &process_config;
}
