#include "pm4d_config.h"

#include "pm4d_autodisable.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const backend_names[] = {"auto", "amdgpu", "sim", "none"};
static const char *const sim_exec_names[] = {"pocl", "isa"};

const char *pm4d_config_backend_name(enum pm4d_backend_choice backend)
{
   return backend_names[backend];
}

const char *pm4d_config_sim_exec_name(enum pm4d_sim_exec_choice exec)
{
   return sim_exec_names[exec];
}

static bool parse_flag(const char *text)
{
   return text && *text && strcmp(text, "0") != 0;
}

static void note_problem(char *problem, unsigned size, const char *name, const char *value)
{
   size_t used = strlen(problem);
   if (used + 1 < size)
      snprintf(problem + used, size - used, "%s%s=%s not understood", used ? "; " : "", name,
               value);
}

/* The index in names[n] of the variable's value; def when unset or empty, and also (noted as
 * a problem) when the value is none of the names. */
static unsigned parse_choice(pm4d_config_getenv_fn getenv_fn, const char *name,
                             const char *const *names, unsigned n, unsigned def, char *problem,
                             unsigned problem_size)
{
   const char *text = getenv_fn(name);
   if (!text || !*text)
      return def;
   for (unsigned i = 0; i < n; i++)
      if (!strcmp(text, names[i]))
         return i;
   note_problem(problem, problem_size, name, text);
   return def;
}

static void copy_path(char *dst, const char *src, char *problem, unsigned problem_size,
                      const char *name)
{
   dst[0] = '\0';
   if (!src)
      return;
   if (strlen(src) >= PM4D_CONFIG_PATH_MAX) {
      note_problem(problem, problem_size, name, "(path too long)");
      return;
   }
   strcpy(dst, src);
}

/* A number in [lo, hi] (an optional '%' after it); false for anything else. */
static bool parse_number(const char *text, double lo, double hi, bool integer, double *out)
{
   char *end;
   double v = strtod(text, &end);
   bool percent = !integer && *end == '%';
   if (end == text || end[percent] != '\0' || !(v >= lo && v <= hi) ||
       (integer && v != (double)(uint32_t)v))
      return false;
   *out = v;
   return true;
}

static void parse_autodisable(struct pm4d_config *cfg, pm4d_config_getenv_fn getenv_fn,
                              char *problem, unsigned problem_size)
{
   double v;
   cfg->autodisable_window = PM4D_AUTODISABLE_DEFAULT_WINDOW;
   cfg->autodisable_threshold = PM4D_AUTODISABLE_DEFAULT_THRESHOLD;
   const char *window = getenv_fn("PM4DIRECT_AUTODISABLE_WINDOW");
   if (window && *window) {
      if (parse_number(window, 0, PM4D_AUTODISABLE_WINDOW_MAX, true, &v))
         cfg->autodisable_window = (uint32_t)v;
      else
         note_problem(problem, problem_size, "PM4DIRECT_AUTODISABLE_WINDOW", window);
   }
   const char *threshold = getenv_fn("PM4DIRECT_AUTODISABLE_THRESHOLD");
   if (threshold && *threshold) {
      if (parse_number(threshold, 0, 100, false, &v))
         cfg->autodisable_threshold = v;
      else
         note_problem(problem, problem_size, "PM4DIRECT_AUTODISABLE_THRESHOLD", threshold);
   }
}

void pm4d_config_parse(struct pm4d_config *cfg, pm4d_config_getenv_fn getenv_fn, char *problem,
                       unsigned problem_size)
{
   memset(cfg, 0, sizeof(*cfg));
   problem[0] = '\0';
   cfg->disable = parse_flag(getenv_fn("PM4DIRECT_DISABLE"));
   cfg->debug = parse_flag(getenv_fn("PM4DIRECT_DEBUG"));

   const char *level = getenv_fn("PM4DIRECT_LOG");
   if (!pm4d_log_parse_level(level, &cfg->log_level))
      note_problem(problem, problem_size, "PM4DIRECT_LOG", level);

   cfg->backend = (enum pm4d_backend_choice)parse_choice(
      getenv_fn, "PM4DIRECT_BACKEND", backend_names,
      sizeof(backend_names) / sizeof(backend_names[0]), PM4D_BACKEND_AUTO, problem, problem_size);
   cfg->sim_exec =
      (enum pm4d_sim_exec_choice)parse_choice(getenv_fn, "PM4DIRECT_SIM_EXEC", sim_exec_names,
                                              sizeof(sim_exec_names) / sizeof(sim_exec_names[0]),
                                              PM4D_SIM_EXEC_POCL, problem, problem_size);
   copy_path(cfg->stats_path, getenv_fn("PM4DIRECT_STATS"), problem, problem_size,
             "PM4DIRECT_STATS");
   copy_path(cfg->kill_file, getenv_fn("PM4DIRECT_KILL_FILE"), problem, problem_size,
             "PM4DIRECT_KILL_FILE");
   copy_path(cfg->diag_dir, getenv_fn("PM4DIRECT_DIAG_DIR"), problem, problem_size,
             "PM4DIRECT_DIAG_DIR");
   parse_autodisable(cfg, getenv_fn, problem, problem_size);
}

static struct pm4d_config process_config;
static char process_problem[256];
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static const char *real_getenv(const char *name)
{
   return getenv(name);
}

static void load_process_config(void)
{
   pm4d_config_parse(&process_config, real_getenv, process_problem, sizeof(process_problem));
}

const struct pm4d_config *pm4d_config_get(void)
{
   pthread_once(&process_once, load_process_config);
   if (process_problem[0])
      PM4D_LOG_ONCE(PM4D_LOG_WARN, "configuration: %s; using defaults for those", process_problem);
   return &process_config;
}
