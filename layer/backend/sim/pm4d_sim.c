/* The sim device: its address space (mapped host ranges), the programs uploaded into it, the
 * injected faults and the OpenCL runner that executes kernels. */
#include "pm4d_sim_internal.h"
#include "pm4d_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_clrun.h"

const char *pm4d_sim_status_name(enum pm4d_sim_status s)
{
   switch (s) {
   case PM4D_SIM_OK: return "ok";
   case PM4D_SIM_NO_PLATFORM: return "no OpenCL platform";
   case PM4D_SIM_INVALID: return "invalid";
   case PM4D_SIM_FULL: return "queue full";
   case PM4D_SIM_NOMEM: return "out of memory";
   case PM4D_SIM_FAILED: return "failed";
   }
   return "unknown";
}

enum pm4d_sim_status pm4d_sim_create(const char *target, const struct pm4d_sim_fault *fault,
                                     const struct pm4d_sim_events *events, struct pm4d_sim **out,
                                     char *reason, size_t reason_size)
{
   enum pm4d_gfx_level level = PM4D_GFX_COUNT;
   const struct pm4d_reg_table *regs =
      pm4d_gfx_parse(target, &level) ? pm4d_regs_table(level) : NULL;
   if (!regs || !events || !events->fence || !events->fault || !events->wait) {
      snprintf(reason, reason_size, "sim: unknown target or missing event callbacks");
      return PM4D_SIM_INVALID;
   }
   struct pm4d_sim *s = pm4d_calloc(1, sizeof(*s));
   if (!s) {
      snprintf(reason, reason_size, "sim: out of memory");
      return PM4D_SIM_NOMEM;
   }
   s->level = level;
   s->regs = regs;
   s->preamble = pm4d_preamble_get(pm4d_device_info_for(target));
   s->ev = *events;
   if (fault)
      s->fault = *fault;
   s->isa_exec = s->fault.isa_exec && !s->fault.no_exec;
   if (s->fault.no_exec) {
      snprintf(s->device_name, sizeof(s->device_name), "no_exec (kernels are not run)");
   } else if (s->isa_exec) {
      /* The model's targets: gfx1030 for GFX10.3, gfx1100 for GFX11, gfx90a for GFX9 (the only
       * GFX9 code object the build makes; tests/isa/README.md). */
      s->isa_target = level == PM4D_GFX10_3 ? PM4D_ISA_GFX1030
                      : level == PM4D_GFX11 ? PM4D_ISA_GFX1100
                                            : PM4D_ISA_GFX90A;
      snprintf(s->device_name, sizeof(s->device_name), "instruction model %s (tests/isa)",
               pm4d_isa_target_name(s->isa_target));
   } else {
      enum pm4d_clrun_status cst = pm4d_clrun_create(NULL, &s->clrun, reason, reason_size);
      if (cst != PM4D_CLRUN_OK) {
         free(s);
         return cst == PM4D_CLRUN_NO_PLATFORM ? PM4D_SIM_NO_PLATFORM : PM4D_SIM_FAILED;
      }
      snprintf(s->device_name, sizeof(s->device_name), "%s", pm4d_clrun_device_name(s->clrun));
   }
   pthread_rwlock_init(&s->map_lock, NULL);
   pthread_mutex_init(&s->fault_mu, NULL);
   pthread_mutex_init(&s->exec_mu, NULL);
   *out = s;
   return PM4D_SIM_OK;
}

void pm4d_sim_destroy(struct pm4d_sim *s)
{
   if (!s)
      return;
   for (uint32_t i = 0; i < s->nregions; i++)
      if (s->regions[i].owned)
         free((void *)(uintptr_t)s->regions[i].base);
   free(s->regions);
   pm4d_clrun_destroy(s->clrun);
   pthread_rwlock_destroy(&s->map_lock);
   pthread_mutex_destroy(&s->fault_mu);
   pthread_mutex_destroy(&s->exec_mu);
   free(s);
}

void pm4d_sim_set_fault(struct pm4d_sim *s, const struct pm4d_sim_fault *fault)
{
   pthread_mutex_lock(&s->fault_mu);
   bool no_exec = s->fault.no_exec, isa_exec = s->fault.isa_exec;
   s->fault = *fault;
   s->fault.no_exec = no_exec;
   s->fault.isa_exec = isa_exec;
   s->dispatches = 0;
   pthread_mutex_unlock(&s->fault_mu);
}

const char *pm4d_sim_device_name(const struct pm4d_sim *s)
{
   return s->device_name;
}

bool pm4d_sim_no_exec(const struct pm4d_sim *s)
{
   return s->clrun == NULL && !s->isa_exec;
}

struct pm4d_sim_dispatch_faults pm4d_sim_fault_next(struct pm4d_sim *s)
{
   struct pm4d_sim_dispatch_faults f = {0};
   pthread_mutex_lock(&s->fault_mu);
   f.stall = s->fault.stall_after && s->dispatches >= s->fault.stall_after;
   f.bad_address = s->fault.bad_address;
   f.delay_us = s->fault.delay_us;
   s->fault.bad_address = false; /* one-shot */
   s->dispatches++;
   pthread_mutex_unlock(&s->fault_mu);
   return f;
}

static enum pm4d_sim_status map_locked(struct pm4d_sim *s, uint64_t base, uint64_t size, bool owned)
{
   if (size == 0 || base + size < base)
      return PM4D_SIM_INVALID;
   for (uint32_t i = 0; i < s->nregions; i++) {
      const struct pm4d_sim_region *r = &s->regions[i];
      if (base < r->base + r->size && r->base < base + size)
         return PM4D_SIM_INVALID;
   }
   if (s->nregions == s->cap) {
      uint32_t cap = s->cap ? s->cap * 2 : 16;
      struct pm4d_sim_region *n = pm4d_realloc(s->regions, cap * sizeof(*n));
      if (!n)
         return PM4D_SIM_NOMEM;
      s->regions = n;
      s->cap = cap;
   }
   s->regions[s->nregions++] = (struct pm4d_sim_region){base, size, owned};
   return PM4D_SIM_OK;
}

enum pm4d_sim_status pm4d_sim_map(struct pm4d_sim *s, void *host, uint64_t size)
{
   if (!host)
      return PM4D_SIM_INVALID;
   pthread_rwlock_wrlock(&s->map_lock);
   enum pm4d_sim_status st = map_locked(s, (uint64_t)(uintptr_t)host, size, false);
   pthread_rwlock_unlock(&s->map_lock);
   return st;
}

/* Removes the region starting at host; returns whether the sim owned it. */
static bool unmap(struct pm4d_sim *s, void *host)
{
   bool owned = false;
   pthread_rwlock_wrlock(&s->map_lock);
   for (uint32_t i = 0; i < s->nregions; i++) {
      if (s->regions[i].base == (uint64_t)(uintptr_t)host) {
         owned = s->regions[i].owned;
         s->regions[i] = s->regions[--s->nregions];
         break;
      }
   }
   pthread_rwlock_unlock(&s->map_lock);
   return owned;
}

void pm4d_sim_unmap(struct pm4d_sim *s, void *host)
{
   unmap(s, host);
}

enum pm4d_sim_status pm4d_sim_alloc(struct pm4d_sim *s, uint64_t size, uint32_t align, void **out)
{
   if (align < 8 || (align & (align - 1)) || size == 0)
      return PM4D_SIM_INVALID;
   uint64_t bytes = (size + align - 1) & ~(uint64_t)(align - 1);
   void *mem = pm4d_aligned_alloc(align, bytes);
   if (!mem)
      return PM4D_SIM_NOMEM;
   memset(mem, 0, bytes);
   pthread_rwlock_wrlock(&s->map_lock);
   enum pm4d_sim_status st = map_locked(s, (uint64_t)(uintptr_t)mem, bytes, true);
   pthread_rwlock_unlock(&s->map_lock);
   if (st != PM4D_SIM_OK) {
      free(mem);
      return st;
   }
   *out = mem;
   return PM4D_SIM_OK;
}

void pm4d_sim_free(struct pm4d_sim *s, void *mem)
{
   if (mem && unmap(s, mem))
      free(mem);
}

enum pm4d_sim_status pm4d_sim_add_program(struct pm4d_sim *s, uint64_t entry,
                                          const char *kernel_name, uint32_t kernarg_sgpr)
{
   enum pm4d_sim_status st = PM4D_SIM_OK;
   void *host;
   if (!pm4d_sim_translate(s, entry, 4, &host) || strlen(kernel_name) >= PM4D_KERNEL_NAME_MAX ||
       kernarg_sgpr > PM4D_REG_USER_DATA_LAST - PM4D_REG_USER_DATA_0 - 1)
      return PM4D_SIM_INVALID;
   pthread_rwlock_wrlock(&s->map_lock);
   if (s->nprograms == PM4D_SIM_PROGRAMS_MAX) {
      st = PM4D_SIM_NOMEM;
   } else {
      s->programs[s->nprograms].entry = entry;
      strcpy(s->programs[s->nprograms].name, kernel_name);
      s->programs[s->nprograms].kernarg_sgpr = kernarg_sgpr;
      s->nprograms++;
   }
   pthread_rwlock_unlock(&s->map_lock);
   return st;
}

/* The region holding addr, or NULL; called with map_lock held. */
static const struct pm4d_sim_region *find_locked(const struct pm4d_sim *s, uint64_t addr)
{
   for (uint32_t i = 0; i < s->nregions; i++) {
      const struct pm4d_sim_region *r = &s->regions[i];
      if (addr >= r->base && addr - r->base < r->size)
         return r;
   }
   return NULL;
}

bool pm4d_sim_translate(struct pm4d_sim *s, uint64_t addr, uint64_t bytes, void **host)
{
   pthread_rwlock_rdlock(&s->map_lock);
   const struct pm4d_sim_region *r = find_locked(s, addr);
   bool ok = r && bytes <= r->size - (addr - r->base);
   pthread_rwlock_unlock(&s->map_lock);
   if (ok)
      *host = (void *)(uintptr_t)addr;
   return ok;
}

bool pm4d_sim_program(struct pm4d_sim *s, uint64_t entry, char name[PM4D_KERNEL_NAME_MAX],
                      uint32_t *kernarg_sgpr)
{
   bool ok = false;
   pthread_rwlock_rdlock(&s->map_lock);
   for (uint32_t i = 0; i < s->nprograms && !ok; i++) {
      if (s->programs[i].entry == entry) {
         memcpy(name, s->programs[i].name, PM4D_KERNEL_NAME_MAX);
         *kernarg_sgpr = s->programs[i].kernarg_sgpr;
         ok = true;
      }
   }
   pthread_rwlock_unlock(&s->map_lock);
   return ok;
}

/* The runner's view of a buffer address: the rest of the region it falls in. */
static bool clrun_translate(void *user, uint64_t addr, void **host, size_t *bytes)
{
   struct pm4d_sim *s = user;
   pthread_rwlock_rdlock(&s->map_lock);
   const struct pm4d_sim_region *r = find_locked(s, addr);
   if (r)
      *bytes = (size_t)(r->size - (addr - r->base));
   pthread_rwlock_unlock(&s->map_lock);
   if (r)
      *host = (void *)(uintptr_t)addr;
   return r != NULL;
}

bool pm4d_sim_exec(struct pm4d_sim *s, const char *name, const uint32_t grid[3],
                   const void *kernarg, size_t kernarg_size, char *reason, size_t reason_size)
{
   pthread_mutex_lock(&s->exec_mu);
   enum pm4d_clrun_status st = pm4d_clrun_dispatch(s->clrun, name, grid, kernarg, kernarg_size,
                                                   clrun_translate, s, reason, reason_size);
   pthread_mutex_unlock(&s->exec_mu);
   return st == PM4D_CLRUN_OK;
}

/* The model's view: the same as the runner's (sim memory is readable and writable). */
static bool isa_translate(void *user, uint64_t addr, bool write, void **host, size_t *bytes)
{
   (void)write;
   return clrun_translate(user, addr, host, bytes);
}

bool pm4d_sim_exec_isa(struct pm4d_sim *s, const struct pm4d_isa_regs *regs, char *reason,
                       size_t reason_size)
{
   struct pm4d_isa_result res;
   if (pm4d_isa_run_regs(s->isa_target, regs, isa_translate, s, &res) == PM4D_ISA_OK)
      return true;
   snprintf(reason, reason_size, "%s", res.reason);
   return false;
}
