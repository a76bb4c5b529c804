/* The sim back end behind the direct path's back-end interface: device memory is host memory
 * mapped into the sim, addresses are host addresses, the sim's interrupt signals the bridge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_config.h"
#include "pm4d_direct_internal.h"
#include "pm4d_log.h"
#include "pm4d_sim.h"

/* The sim runs kernels through PoCL on a CPU: assume 1 GFLOP/s at worst for deadlines. */
#define SIM_PS_PER_FLOP 1000u

static void on_fence(void *user, void *queue_user, uint64_t value)
{
   (void)user;
   pm4d_direct_queue_interrupt(queue_user, value);
}

static void on_fault(void *user, void *queue_user, const char *reason)
{
   (void)user;
   pm4d_direct_queue_fault(queue_user, reason);
}

static int on_wait(void *user, void *queue_user, uint64_t point, uint64_t timeout_ns)
{
   (void)user;
   return pm4d_direct_queue_bridge_wait(queue_user, point, timeout_ns);
}

static void on_clock(void *user, void *queue_user, bool running)
{
   (void)user;
   pm4d_direct_queue_clock(queue_user, running);
}

static enum pm4d_direct_status from_sim(enum pm4d_sim_status st)
{
   switch (st) {
   case PM4D_SIM_OK: return PM4D_DIRECT_OK;
   case PM4D_SIM_NOMEM: return PM4D_DIRECT_NOMEM;
   case PM4D_SIM_INVALID: return PM4D_DIRECT_UNSUPPORTED;
   case PM4D_SIM_NO_PLATFORM: return PM4D_DIRECT_UNAVAILABLE;
   default: return PM4D_DIRECT_FAILED;
   }
}

/* The variant choice's CU count: PM4DIRECT_SIM_COMPUTE_UNITS (pm4d_config, default 60). */
static uint32_t sim_compute_units(void *dev)
{
   (void)dev;
   return pm4d_config_get()->sim_compute_units;
}

static void sim_destroy(void *dev)
{
   pm4d_sim_destroy(dev);
}

static enum pm4d_direct_status sim_alloc(void *dev, uint64_t size, uint32_t align,
                                         struct pm4d_direct_mem *out)
{
   enum pm4d_sim_status st = pm4d_sim_alloc(dev, size, align, &out->cpu);
   out->addr = st == PM4D_SIM_OK ? (uint64_t)(uintptr_t)out->cpu : 0;
   return from_sim(st);
}

static void sim_free(void *dev, struct pm4d_direct_mem *mem)
{
   pm4d_sim_free(dev, mem->cpu);
   *mem = (struct pm4d_direct_mem){0};
}

/* The user SGPR that holds the kernarg pointer: the enabled user SGPRs before it, from the
 * descriptor's kernel_code_properties (LLVM AMDGPUUsage, "Kernel Descriptor": bit 0
 * private-segment buffer = 4 SGPRs, bit 1 dispatch pointer = 2, bit 2 queue pointer = 2, then
 * the kernarg segment pointer). */
static uint32_t kernarg_sgpr(const struct pm4d_kernel_desc *k)
{
   return (k->kernel_code_properties & 1u ? 4u : 0u) + (k->kernel_code_properties & 2u ? 2u : 0u) +
          (k->kernel_code_properties & 4u ? 2u : 0u);
}

static enum pm4d_direct_status sim_upload_code(void *dev, const void *image, uint64_t size,
                                               const struct pm4d_codeobj_info *info, uint64_t *base,
                                               char *reason, size_t rs)
{
   void *mem;
   enum pm4d_sim_status st = pm4d_sim_alloc(dev, size, 256, &mem);
   if (st != PM4D_SIM_OK) {
      snprintf(reason, rs, "sim: no memory for a %llu-byte code image", (unsigned long long)size);
      return from_sim(st);
   }
   memcpy(mem, image, size);
   *base = (uint64_t)(uintptr_t)mem;
   for (uint32_t i = 0; i < info->num_kernels; i++) {
      const struct pm4d_kernel_desc *k = &info->kernels[i];
      st = pm4d_sim_add_program(dev, *base + k->desc_offset + (uint64_t)k->entry_offset, k->name,
                                kernarg_sgpr(k));
      if (st != PM4D_SIM_OK) {
         snprintf(reason, rs, "sim: cannot register kernel %s", k->name);
         return from_sim(st);
      }
   }
   return PM4D_DIRECT_OK;
}

static enum pm4d_direct_status sim_memory_register(void *dev, uint64_t id, void *host,
                                                   uint64_t size, int dmabuf_fd)
{
   (void)id;
   (void)dmabuf_fd;
   if (!host)
      return PM4D_DIRECT_UNSUPPORTED; /* the sim reads app memory through host mappings */
   return from_sim(pm4d_sim_map(dev, host, size));
}

static void sim_memory_unregister(void *dev, uint64_t id, void *host)
{
   (void)id;
   pm4d_sim_unmap(dev, host);
}

static enum pm4d_direct_status sim_inject(void *dev, const char *spec, char *reason, size_t rs)
{
   struct pm4d_sim_fault f;
   if (!pm4d_sim_fault_parse(spec, &f, reason, rs))
      return PM4D_DIRECT_UNSUPPORTED;
   pm4d_sim_set_fault(dev, &f);
   return PM4D_DIRECT_OK;
}

static enum pm4d_direct_status sim_queue_create(void *dev, struct pm4d_direct_queue *q, void **out)
{
   return from_sim(pm4d_sim_queue_create(dev, q, (struct pm4d_sim_queue **)out));
}

static void sim_queue_destroy(void *bq)
{
   pm4d_sim_queue_destroy(bq);
}

static enum pm4d_direct_status sim_kick(void *bq, const uint32_t *dw, uint64_t ib, uint32_t ndw,
                                        const struct pm4d_job *jobs, uint32_t count,
                                        uint64_t wait_point, uint64_t signal_point)
{
   (void)dw, (void)jobs, (void)count; /* the CP reads the ring itself; app memory is mapped */
   return from_sim(pm4d_sim_queue_kick(bq, ib, ndw, wait_point, signal_point));
}

static enum pm4d_direct_status sim_status(void *bq, struct pm4d_direct_backend_state *out,
                                          char *reason, size_t rs)
{
   (void)reason, (void)rs; /* the sim reports faults through on_fault */
   *out = (struct pm4d_direct_backend_state){.settled = pm4d_sim_queue_settled(bq)};
   return PM4D_DIRECT_OK;
}

static enum pm4d_direct_status sim_reset(void *bq, char *reason, size_t rs)
{
   (void)reason, (void)rs;
   pm4d_sim_queue_reset(bq, NULL, 0); /* the direct path knows which batches did not finish */
   return PM4D_DIRECT_OK;
}

/* The sim's profile: what the kernel reports for compute (amdgpu_kms.c amdgpu_hw_ip_info:
 * ib_start_alignment 32, ib_size_alignment 32); its CP halts at an IB that breaks it. */
static void sim_ib_align(void *dev, uint32_t *start_bytes, uint32_t *size_bytes)
{
   (void)dev;
   *start_bytes = PM4D_SIM_IB_ALIGN_BYTES;
   *size_bytes = PM4D_SIM_IB_ALIGN_BYTES;
}

static const struct pm4d_direct_backend_ops sim_ops = {
   .name = "sim",
   .space = PM4D_ADDR_HOST,
   .ps_per_flop = SIM_PS_PER_FLOP,
   .interrupts = true,
   .ib_align = sim_ib_align,
   .compute_units = sim_compute_units,
   .destroy = sim_destroy,
   .alloc = sim_alloc,
   .free = sim_free,
   .upload_code = sim_upload_code,
   .memory_register = sim_memory_register,
   .memory_unregister = sim_memory_unregister,
   .inject = sim_inject,
   .queue_create = sim_queue_create,
   .queue_destroy = sim_queue_destroy,
   .kick = sim_kick,
   .status = sim_status,
   .reset = sim_reset,
};

enum pm4d_direct_status pm4d_direct_sim_open(const struct pm4d_direct_config *cfg, void **dev,
                                             const struct pm4d_direct_backend_ops **ops,
                                             char target[PM4D_TARGET_NAME_MAX], char *reason,
                                             size_t reason_size)
{
   enum pm4d_gfx_level level;
   struct pm4d_sim_fault fault;
   static const struct pm4d_sim_events events = {
      .fence = on_fence, .fault = on_fault, .wait = on_wait, .clock = on_clock};
   const struct pm4d_config *env = pm4d_config_get();
   const char *name = env->sim_target[0] ? env->sim_target : PM4D_DIRECT_SIM_DEFAULT_TARGET;
   (void)cfg;
   if (strlen(name) >= PM4D_TARGET_NAME_MAX || !pm4d_gfx_parse(name, &level)) {
      snprintf(reason, reason_size,
               "sim: unknown target %.32s (%s accepts a target that `pm4direct emit --list` "
               "prints)",
               name, PM4D_DIRECT_ENV_SIM_TARGET);
      return PM4D_DIRECT_UNAVAILABLE;
   }
   strcpy(target, name);
   if (!pm4d_sim_fault_parse(env->sim_fault, &fault, reason, reason_size))
      return PM4D_DIRECT_UNAVAILABLE;
   fault.isa_exec = env->sim_exec == PM4D_SIM_EXEC_ISA;
   enum pm4d_sim_status st =
      pm4d_sim_create(name, &fault, &events, (struct pm4d_sim **)dev, reason, reason_size);
   if (st != PM4D_SIM_OK)
      return st == PM4D_SIM_NOMEM ? PM4D_DIRECT_NOMEM : PM4D_DIRECT_UNAVAILABLE;
   pm4d_log(PM4D_LOG_INFO, "sim %s: dispatches run on %s (PM4DIRECT_SIM_EXEC=%s)", name,
            pm4d_sim_device_name(*dev), pm4d_config_sim_exec_name(env->sim_exec));
   *ops = &sim_ops;
   return PM4D_DIRECT_OK;
}
