/* Shared by the sim's device part (pm4d_sim.c) and its queues (pm4d_sim_cp.c). */
#ifndef PM4D_SIM_INTERNAL_H
#define PM4D_SIM_INTERNAL_H

#include <pthread.h>

#include "pm4d_isa.h"
#include "pm4d_kernel_desc.h"
#include "pm4d_regs.h"
#include "pm4d_sim.h"

struct pm4d_clrun;

#define PM4D_SIM_PROGRAMS_MAX 64u

struct pm4d_sim_region {
   uint64_t base, size;
   bool owned; /* allocated by pm4d_sim_alloc */
};

struct pm4d_sim {
   enum pm4d_gfx_level level;
   const struct pm4d_reg_table *regs;
   const struct pm4d_preamble *preamble; /* poisoned at queue start, checked per dispatch */
   struct pm4d_sim_events ev;

   pthread_rwlock_t map_lock; /* regions and programs */
   struct pm4d_sim_region *regions;
   uint32_t nregions, cap;
   struct {
      uint64_t entry;
      char name[PM4D_KERNEL_NAME_MAX];
      uint32_t kernarg_sgpr;
   } programs[PM4D_SIM_PROGRAMS_MAX];
   uint32_t nprograms;

   pthread_mutex_t fault_mu;
   struct pm4d_sim_fault fault;
   uint32_t dispatches; /* since the fault was set, for stall_after */

   pthread_mutex_t exec_mu;  /* one kernel at a time on the runner */
   struct pm4d_clrun *clrun; /* NULL with no_exec or isa_exec */
   bool isa_exec;
   enum pm4d_isa_target isa_target;
   char device_name[256];
};

/* What the injected faults do to the next dispatch. */
struct pm4d_sim_dispatch_faults {
   bool stall, bad_address;
   uint32_t delay_us;
};

/* True when [addr, addr + bytes) lies in one mapped region; *host = the bytes. */
bool pm4d_sim_translate(struct pm4d_sim *s, uint64_t addr, uint64_t bytes, void **host);
/* Kernel name and kernarg user SGPR of the program at entry; false when none was added there. */
bool pm4d_sim_program(struct pm4d_sim *s, uint64_t entry, char name[PM4D_KERNEL_NAME_MAX],
                      uint32_t *kernarg_sgpr);
/* Counts one dispatch and says which injected faults apply to it. */
struct pm4d_sim_dispatch_faults pm4d_sim_fault_next(struct pm4d_sim *s);
bool pm4d_sim_no_exec(const struct pm4d_sim *s);
/* Runs a dispatch from the SH registers on the instruction model (isa_exec); false with the
 * model's reason. Not serialised: the model keeps no state between calls. */
bool pm4d_sim_exec_isa(struct pm4d_sim *s, const struct pm4d_isa_regs *regs, char *reason,
                       size_t reason_size);
/* Runs a kernel on the OpenCL runner (serialised across queues). */
bool pm4d_sim_exec(struct pm4d_sim *s, const char *name, const uint32_t grid[3],
                   const void *kernarg, size_t kernarg_size, char *reason, size_t reason_size);

#endif
