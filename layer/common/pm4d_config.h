/* Configuration from the environment, read once per process: the only place that reads
 * PM4DIRECT_* variables. One table (pm4d_config_vars) says per variable what it accepts, its
 * default, and whether it names a file; a wrong value keeps the default and gets one log line
 * that says what is accepted and what is used instead. */
#ifndef PM4D_CONFIG_H
#define PM4D_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm4d_log.h"

enum pm4d_backend_choice {
   PM4D_BACKEND_AUTO,
   PM4D_BACKEND_AMDGPU,
   PM4D_BACKEND_SIM,
   PM4D_BACKEND_NONE,
};

/* What the sim back end executes a DISPATCH_DIRECT with (PM4DIRECT_SIM_EXEC). */
enum pm4d_sim_exec_choice {
   PM4D_SIM_EXEC_POCL, /* "pocl" (default): the kernel's OpenCL source on PoCL */
   PM4D_SIM_EXEC_ISA,  /* "isa": the code object on the instruction model (tests/isa) */
};

#define PM4D_CONFIG_PATH_MAX    512
#define PM4D_CONFIG_TEXT_MAX    256
#define PM4D_CONFIG_DEADLINE_MS 100u /* default base deadline of a direct batch */
/* the sim's compute units for the kernel choice: the RX 6800's 60, the smallest board of the
 * sim's default target gfx1030, so small shapes take the small tiles */
#define PM4D_CONFIG_SIM_COMPUTE_UNITS 60u
/* auto-disable (layer/safety/pm4d_autodisable.h): the largest window, the defaults */
#define PM4D_AUTODISABLE_WINDOW_MAX        4096u
#define PM4D_AUTODISABLE_DEFAULT_WINDOW    100u
#define PM4D_AUTODISABLE_DEFAULT_THRESHOLD 95.0

struct pm4d_config {
   bool disable;                       /* PM4DIRECT_DISABLE=1: forward everything, track nothing */
   enum pm4d_backend_choice backend;   /* PM4DIRECT_BACKEND */
   enum pm4d_sim_exec_choice sim_exec; /* PM4DIRECT_SIM_EXEC */
   bool debug;                         /* PM4DIRECT_DEBUG=1 */
   enum pm4d_log_level log_level;      /* PM4DIRECT_LOG */
   /* Settings that name a file or directory: "" when unset, and always "" in a privileged
    * (AT_SECURE) process. */
   char stats_path[PM4D_CONFIG_PATH_MAX];   /* PM4DIRECT_STATS */
   char kill_file[PM4D_CONFIG_PATH_MAX];    /* PM4DIRECT_KILL_FILE */
   char diag_dir[PM4D_CONFIG_PATH_MAX];     /* PM4DIRECT_DIAG_DIR */
   char shader_table[PM4D_CONFIG_PATH_MAX]; /* PM4DIRECT_SHADER_TABLE */
   char alloc_sites[PM4D_CONFIG_PATH_MAX];  /* PM4DIRECT_ALLOC_SITES (test builds) */
   uint32_t deadline_ms;                    /* PM4DIRECT_DEADLINE_MS */
   uint32_t autodisable_window;             /* PM4DIRECT_AUTODISABLE_WINDOW (batches; 0: never) */
   double autodisable_threshold;            /* PM4DIRECT_AUTODISABLE_THRESHOLD (percent success) */
   /* sim back end: checked by the sim, which names the variable when it refuses a value */
   char sim_target[PM4D_CONFIG_TEXT_MAX];  /* PM4DIRECT_SIM_TARGET, "" = the default */
   uint32_t sim_compute_units;             /* PM4DIRECT_SIM_COMPUTE_UNITS (0: unknown) */
   char sim_fault[PM4D_CONFIG_TEXT_MAX];   /* PM4DIRECT_SIM_FAULT */
   char sim_corrupt[PM4D_CONFIG_TEXT_MAX]; /* PM4DIRECT_SIM_CORRUPT_TEMPLATE */
   /* PM4DIRECT_BAD_ADDRESS: the N-th job's output moved past its memory (fault tests; 0: none) */
   uint32_t bad_address;
   /* allocation-failure hooks (test builds only, pm4d_alloc.h) */
   char fail_alloc[PM4D_CONFIG_TEXT_MAX];        /* PM4DIRECT_FAIL_ALLOC */
   char fail_alloc_site[PM4D_CONFIG_TEXT_MAX];   /* PM4DIRECT_FAIL_ALLOC_SITE */
   char fail_alloc_random[PM4D_CONFIG_TEXT_MAX]; /* PM4DIRECT_FAIL_ALLOC_RANDOM */
   bool secure;    /* a setuid/setgid process (AT_SECURE): file settings were ignored */
   uint32_t given; /* bit i: entry i of pm4d_config_vars was set and its value used */
};

enum pm4d_config_kind {
   PM4D_CONFIG_FLAG,    /* 0 or 1 */
   PM4D_CONFIG_CHOICE,  /* one of a list of names (index stored as an enum) */
   PM4D_CONFIG_UINT,    /* whole number in [lo, hi] */
   PM4D_CONFIG_PERCENT, /* number in [lo, hi], an optional '%' after it */
   PM4D_CONFIG_PATH,    /* a file or directory */
   PM4D_CONFIG_TEXT,    /* free text, checked where it is used */
};

/* One variable: what README.md's settings table lists (a unit test compares them). */
struct pm4d_config_var {
   const char *name;
   enum pm4d_config_kind kind;
   size_t offset;               /* of its field in struct pm4d_config */
   size_t size;                 /* of that field */
   const char *accepted;        /* the values it accepts, in words */
   const char *default_value;   /* what is used when unset or wrong */
   const char *const *choices;  /* PM4D_CONFIG_CHOICE: the names, NULL-terminated */
   double lo, hi;               /* PM4D_CONFIG_UINT, PM4D_CONFIG_PERCENT */
   bool (*check)(const char *); /* PM4D_CONFIG_TEXT: the syntax, where this module knows it */
};

/* The table of every PM4DIRECT_* variable; *count entries. */
const struct pm4d_config_var *pm4d_config_vars(size_t *count);

typedef const char *(*pm4d_config_getenv_fn)(const char *name);

/* Fills *cfg from getenv_fn. secure: the process is privileged (AT_SECURE), so every
 * PM4D_CONFIG_PATH setting is ignored. problem (size problem_size) gets one line per value not
 * used, '\n'-separated ("" when every value was used): the variable, what it accepts and what is
 * used instead. */
void pm4d_config_parse(struct pm4d_config *cfg, pm4d_config_getenv_fn getenv_fn, bool secure,
                       char *problem, size_t problem_size);

/* Whether the variable called name was set and its value used (not the default): a launcher
 * (pm4direct selftest) gives its children a default of its own only where the user gave none. */
bool pm4d_config_given(const struct pm4d_config *cfg, const char *name);

/* The process configuration, parsed from the real environment on first use (secure from
 * getauxval(AT_SECURE)); the problems are logged once, one line each. */
const struct pm4d_config *pm4d_config_get(void);

const char *pm4d_config_backend_name(enum pm4d_backend_choice backend);
const char *pm4d_config_sim_exec_name(enum pm4d_sim_exec_choice exec);

#endif
