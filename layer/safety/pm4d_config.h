/* Configuration from the environment, read once per process. */
#ifndef PM4D_CONFIG_H
#define PM4D_CONFIG_H

#include <stdbool.h>
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

#define PM4D_CONFIG_PATH_MAX 512

struct pm4d_config {
   bool disable;                       /* PM4DIRECT_DISABLE=1: forward everything, track nothing */
   enum pm4d_backend_choice backend;   /* PM4DIRECT_BACKEND */
   enum pm4d_sim_exec_choice sim_exec; /* PM4DIRECT_SIM_EXEC */
   bool debug;                         /* PM4DIRECT_DEBUG=1 */
   enum pm4d_log_level log_level;      /* PM4DIRECT_LOG */
   char stats_path[PM4D_CONFIG_PATH_MAX]; /* PM4DIRECT_STATS, "" when unset */
   char kill_file[PM4D_CONFIG_PATH_MAX];  /* PM4DIRECT_KILL_FILE, "" when unset */
   char diag_dir[PM4D_CONFIG_PATH_MAX];   /* PM4DIRECT_DIAG_DIR, "" when unset */
   uint32_t autodisable_window;           /* PM4DIRECT_AUTODISABLE_WINDOW (batches; 0: never) */
   double autodisable_threshold;          /* PM4DIRECT_AUTODISABLE_THRESHOLD (percent success) */
};

typedef const char *(*pm4d_config_getenv_fn)(const char *name);

/* Fills *cfg from getenv_fn. Unknown values keep the default and are described in
 * problem (size problem_size; "" when every value was understood). */
void pm4d_config_parse(struct pm4d_config *cfg, pm4d_config_getenv_fn getenv_fn, char *problem,
                       unsigned problem_size);

/* The process configuration, parsed from the real environment on first use. */
const struct pm4d_config *pm4d_config_get(void);

const char *pm4d_config_backend_name(enum pm4d_backend_choice backend);
const char *pm4d_config_sim_exec_name(enum pm4d_sim_exec_choice exec);

#endif
