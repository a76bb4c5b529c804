/* GPU page faults that get through, over the amdgpu back end with the libdrm recorder in place of
 * the kernel (no AMD GPU here). The recorder answers AMDGPU_INFO_GPUVM_FAULT as the kernel's
 * amdgpu_info_ioctl does: -EINVAL below DRM 3.55, else the VM's last fault record {u64 addr
 * (the 48-bit page address the interrupt gives, gmc_v10_0.c), u32 status, u32 vmhub}. The
 * batches here never end (nothing writes their fence): the look is the app's wait's
 * (pm4d_direct_check_faults), made only when batches were kicked since the last one. Checked:
 * below 3.55 nothing is asked; from 3.55 a record there before the device is not new; a fault
 * outside the direct path's memory changes nothing; one in a job's output page (canonical high
 * address against the 48-bit record) makes the device lost, is counted and turns the path off.
 * First of all, a bad address is refused by the plan before any kick (UNSUPPORTED, no CS): a
 * buffer in memory the layer has not registered (never, or no more: freed), in registered
 * memory whose GPU VA the layer has not learnt yet (no buffer bound to it), or one byte past
 * the end of its memory's [VA, VA + size); and re-registration invalidates the plan's memo
 * of a job that passed before. */
#include <inttypes.h>
#include <string.h>

#include "pm4d_autodisable.h"
#include "pm4d_check.h"
#include "pm4d_counters.h"
#include "pm4d_direct.h"
#include "pm4d_direct_test.h"
#include "pm4d_drm_recorder.h"

/* GCVM_L2_PROTECTION_FAULT_STATUS of a write to an unmapped page: RW bit 18, MAPPING_ERROR bit 8
 * (gc_10_3_0_sh_mask.h / mmhub_3_3_0_sh_mask.h field layout). */
#define WRITE_UNMAPPED 0x00040100u
/* The output buffer's canonical address (RADV's high VA range, bit 47 set) and the 48-bit page
 * address the kernel records for it (amdgpu_gmc.h AMDGPU_GMC_HOLE_MASK). */
#define OUTPUT_VA   0xffff800100080000ull
#define OUTPUT_PAGE 0x0000800100080000ull
/* Memory 1 (2 MiB: input, then filter 1 MiB on) and memory 2 (1 MiB: output at its start), as
 * the layer places them at their first buffer bind. */
#define MEMORY1_VA   0x800000000ull
#define MEMORY2_SIZE (1u << 20)
#define OUTPUT_BYTES (4u * 8 * 8 * 4) /* 1x4x8x8 fp32 */

static void batch_failed(void *user, void *queue_user, const struct pm4d_job *jobs, uint32_t count,
                         uint64_t wait_point, uint64_t signal_point, const char *reason)
{
   (void)user, (void)queue_user, (void)jobs, (void)count, (void)wait_point, (void)signal_point,
      (void)reason;
}

static int bridge_wait(void *user, uint64_t point, uint64_t timeout_ns)
{
   (void)user, (void)timeout_ns;
   return point <= rec.timeline_value ? 0 : 1;
}

static int bridge_signal(void *user, uint64_t point)
{
   (void)user, (void)point;
   return -1;
}

static struct pm4d_job job;

/* The job the batches carry: a 1x4x8x8 input, four 3x3 filters, stride and padding 1 (an 8x8
 * output), its output at OUTPUT_VA in memory 2. */
static void job_init(void)
{
   struct pm4d_conv2d_params p = {.n = 1, .c = 4, .h = 8, .w = 8, .k = 4, .r = 3, .s = 3};
   p.groups = p.stride_h = p.stride_w = p.pad_h = p.pad_w = p.dil_h = p.dil_w = 1;
   char why[160];
   CHECKF(pm4d_conv2d_params_check(&p, why, sizeof(why)), "shape: %s", why); /* oh, ow */
   job = (struct pm4d_job){.params = p,
                           .addr = {MEMORY1_VA, MEMORY1_VA + (1 << 20), 0, OUTPUT_VA},
                           .memory_ids = {1, 1, 0, 2}};
}

/* A device at DRM 3.minor with one queue; false when it cannot be made (reason said). */
static bool open_device(uint32_t minor, struct pm4d_direct **d, struct pm4d_direct_queue **q,
                        int *skip)
{
   const struct pm4d_direct_callbacks cb = {.batch_failed = batch_failed};
   const struct pm4d_direct_config cfg = {.backend = PM4D_DIRECT_BACKEND_AMDGPU,
                                          .deadline_base_ns = 50000000ull,
                                          .pci = {.bus = 3},
                                          .driver_id = 3,
                                          .driver_version = (22u << 22) | (3u << 12) | 6u,
                                          .force = true}; /* 3.57 is outside the verified set */
   static const struct pm4d_bridge bridge = {
      .wait = bridge_wait, .signal = bridge_signal, .opaque_fd = 9};
   char reason[256] = "";
   rec_reset();
   rec.drm_minor = minor;
   rec.vm_fault_addr = 0x0000000012345000ull; /* a fault from before the device: not new */
   rec.vm_fault_status = WRITE_UNMAPPED;
   pm4d_direct_test_amdgpu_ops(rec_ops());
   enum pm4d_direct_status st = pm4d_direct_create(&cfg, &cb, d, reason, sizeof(reason));
   if (st == PM4D_DIRECT_UNAVAILABLE && strstr(reason, "code object")) {
      printf("SKIPPED: %s\n", reason);
      *skip = 1;
      return false;
   }
   CHECKF(st == PM4D_DIRECT_OK, "create at DRM 3.%u: %s", minor, reason);
   if (st != PM4D_DIRECT_OK)
      return false;
   CHECKF(pm4d_direct_memory_register(*d, 1, NULL, 1 << 21, -1) == PM4D_DIRECT_OK &&
             pm4d_direct_memory_register(*d, 2, NULL, MEMORY2_SIZE, -1) == PM4D_DIRECT_OK &&
             pm4d_direct_memory_place(*d, 1, MEMORY1_VA) == PM4D_DIRECT_OK &&
             pm4d_direct_memory_place(*d, 2, OUTPUT_VA) == PM4D_DIRECT_OK &&
             pm4d_direct_queue_create(*d, &bridge, NULL, q) == PM4D_DIRECT_OK,
          "memory and queue");
   return *q != NULL;
}

static bool kick(struct pm4d_direct_queue *q, uint64_t point)
{
   char reason[256] = "";
   enum pm4d_direct_status st = pm4d_direct_submit(q, &job, 1, 0, point, reason, sizeof(reason));
   CHECKF(st == PM4D_DIRECT_OK, "submit %" PRIu64 ": %s", point, reason);
   return st == PM4D_DIRECT_OK;
}

/* A submission of `bad` is refused before any CS, the reason saying `why`. */
static void refused(struct pm4d_direct_queue *q, const struct pm4d_job *bad, const char *why,
                    const char *what)
{
   char reason[256] = "";
   int cs = rec.submit_count;
   CHECKF(pm4d_direct_submit(q, bad, 1, 0, 1, reason, sizeof(reason)) == PM4D_DIRECT_UNSUPPORTED &&
             strstr(reason, why) && rec.submit_count == cs,
          "%s: refused before any CS (%s): %s", what, why, reason);
}

static void close_device(struct pm4d_direct *d, struct pm4d_direct_queue *q)
{
   pm4d_direct_queue_destroy(q);
   pm4d_direct_destroy(d);
   CHECKF(rec_all_released(), "every libdrm object released");
}

int main(void)
{
   struct pm4d_direct *d = NULL;
   struct pm4d_direct_queue *q = NULL;
   int skip = 0;
   job_init();

   /* DRM 3.49 (Debian 12's kernel): the query does not exist, nothing is asked. */
   if (open_device(49, &d, &q, &skip)) {
      rec.vm_fault_addr = OUTPUT_PAGE;
      kick(q, 1);
      CHECKF(!pm4d_direct_check_faults(d) && rec.vm_fault_queries == 0,
             "DRM 3.49: no query (%d), not lost", rec.vm_fault_queries);
      /* The plan's memo of a job that passed goes with re-registration: memory 2 freed and
       * allocated again under the same key (a new BO, not placed yet); then placed elsewhere. */
      pm4d_direct_memory_unregister(d, 2);
      CHECKF(pm4d_direct_memory_register(d, 2, NULL, MEMORY2_SIZE, -1) == PM4D_DIRECT_OK,
             "memory 2 registered again");
      refused(q, &job, "output memory 2 has no known address", "the same job, memory 2 new");
      CHECKF(pm4d_direct_memory_place(d, 2, OUTPUT_VA + MEMORY2_SIZE) == PM4D_DIRECT_OK, "placed");
      refused(q, &job, "lies outside its memory", "the same job, memory 2 elsewhere");
      struct pm4d_job last = job; /* its output the last bytes of memory 2: inside */
      last.addr.output = OUTPUT_VA + 2 * MEMORY2_SIZE - OUTPUT_BYTES;
      char reason[256] = "";
      CHECKF(pm4d_direct_submit(q, &last, 1, 1, 2, reason, sizeof(reason)) == PM4D_DIRECT_OK,
             "output ending at the memory's last byte: kicked: %s", reason);
      close_device(d, q);
   }
   if (skip)
      return 77;

   /* DRM 3.57: the record at creation is the baseline. */
   if (open_device(57, &d, &q, &skip)) {
      CHECKF(rec.vm_fault_queries == 1, "one look at creation (%d)", rec.vm_fault_queries);
      /* A bad address: the output in memory 3, never registered, then in memory 2 once it is
       * unregistered (vkFreeMemory); registered again, at no known address until placed; then
       * one byte past its end. Each refused before the kick, nothing reaches the kernel. */
      struct pm4d_job bad = job;
      bad.memory_ids[3] = 3;
      refused(q, &bad, "output memory 3 is not registered", "output in unknown memory");
      pm4d_direct_memory_unregister(d, 2);
      refused(q, &job, "output memory 2 is not registered", "output in freed memory");
      CHECKF(pm4d_direct_memory_register(d, 2, NULL, MEMORY2_SIZE, -1) == PM4D_DIRECT_OK,
             "memory 2 registered again");
      refused(q, &job, "output memory 2 has no known address", "output in unplaced memory");
      CHECKF(pm4d_direct_memory_place(d, 2, OUTPUT_VA) == PM4D_DIRECT_OK &&
                pm4d_direct_memory_place(d, 2, OUTPUT_VA) == PM4D_DIRECT_OK &&
                pm4d_direct_memory_place(d, 2, OUTPUT_VA + 4096) == PM4D_DIRECT_UNSUPPORTED &&
                pm4d_direct_memory_place(d, 3, OUTPUT_VA) == PM4D_DIRECT_UNSUPPORTED,
             "placed once; the same place again agrees, another is refused, unknown memory too");
      bad = job;
      bad.addr.output = OUTPUT_VA + MEMORY2_SIZE - OUTPUT_BYTES + 1;
      refused(q, &bad, "lies outside its memory", "output one byte past the end");
      bad.addr.output = OUTPUT_VA - 4;
      refused(q, &bad, "lies outside its memory", "output 4 bytes before the start");
      CHECKF(!pm4d_direct_check_faults(d) && rec.vm_fault_queries == 1,
             "no batch kicked since: no query");
      kick(q, 1);
      CHECKF(!pm4d_direct_check_faults(d) && rec.vm_fault_queries == 2,
             "a batch kicked: one query, the old record is not new, not lost");
      /* RADV's fault: a page none of the direct path's memory lies in. */
      rec.vm_fault_addr = 0x0000000777777000ull;
      kick(q, 2);
      CHECKF(!pm4d_direct_check_faults(d) && pm4d_counter_get(PM4D_CTR_direct_vm_faults) == 0 &&
                !pm4d_autodisable_active(),
             "a fault outside the direct path's memory changes nothing");
      /* A write fault in the output page of the job in flight. */
      rec.vm_fault_addr = OUTPUT_PAGE;
      kick(q, 3);
      CHECKF(pm4d_direct_check_faults(d) && pm4d_direct_lost(d),
             "a fault in a job's output page: the device is lost");
      CHECKF(pm4d_counter_get(PM4D_CTR_direct_vm_faults) == 1 && pm4d_autodisable_active() &&
                pm4d_counter_get(PM4D_CTR_auto_disables) == 1,
             "counted once, the path turned off");
      char reason[256] = "";
      CHECKF(pm4d_direct_submit(q, &job, 1, 0, 4, reason, sizeof(reason)) ==
                PM4D_DIRECT_UNAVAILABLE,
             "no batch is kicked after it: %s", reason);
      close_device(d, q);
   }
   return pm4d_check_finish(__FILE__);
}
