/* The amdgpu back end (layer/backend/amdgpu) behind the direct path's back-end interface.
 * Every piece of memory the direct path allocates (its ring, kernarg arena, fence) is a pool of
 * its own, a GTT BO mapped for the CPU and the GPU. A kick submits the batch where the direct
 * path built it: the IB chunk points at the batch's dwords in the ring, no copy. Its BO list
 * names the ring, kernarg and fence pools, the queue's and the code pool, and the jobs'
 * imported buffers, each once, so all of them are resident while it runs. Completion signals
 * the bridge syncobj in the kernel, and the watchdog reads the batch's RELEASE_MEM fence on its
 * tick (no interrupts reach user space), and asks the kernel through the status query whether
 * the context was reset and which points are over. Never run on AMD hardware here: covered up to the
 * ioctl boundary with the libdrm recorder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_alloc.h"
#include "pm4d_amdgpu_device.h"
#include "pm4d_amdgpu_queue.h"
#include "pm4d_amdgpu_stack.h"
#include "pm4d_amdgpu_vm_fault.h"
#include "pm4d_counters.h"
#include "pm4d_log.h"
#include "pm4d_direct_internal.h"
#include "pm4d_direct_test.h"

#define PAGE 4096u
/* A rate far below any supported GPU, so a slow but healthy batch is not called hung: the
 * smallest target, gfx1036 with 2 CUs, peaks near 0.5 TFLOP/s in f32 (2 CUs x 64 lanes x 2 x
 * 2.2 GHz); 10 GFLOP/s leaves a kernel at 2% of that peak inside its deadline. */
#define AMDGPU_PS_PER_FLOP 100u
static const struct pm4d_drm_ops *test_drm_ops;

void pm4d_direct_test_amdgpu_ops(const void *drm_ops)
{
   test_drm_ops = drm_ops;
}

struct amd_dev {
   const struct pm4d_drm_ops *drm;
   struct pm4d_amdgpu_device *dev;
};

enum { AMD_QUEUE_POOLS = 3 }; /* ring, kernargs, fence */

#define AMD_IDS_KEPT 64 /* memory ids of up to 16 jobs */

struct amd_queue {
   struct amd_dev *ad;
   struct pm4d_direct_queue *q;
   struct pm4d_amdgpu_queue *aq;
   const struct pm4d_amdgpu_pool *pools[AMD_QUEUE_POOLS]; /* in every submission's BO list */
   uint64_t kicked;                                       /* the last signal point kicked */
   /* The last batch's memory ids as its jobs named them (n: 0 when not kept), and the same
    * de-duplicated: the keys of its imported buffers. */
   uint64_t ids[AMD_IDS_KEPT], keys[PM4D_AMDGPU_MAX_BUFFERS];
   uint32_t n_ids, n_keys;
};

static enum pm4d_direct_status from_amdgpu(enum pm4d_amdgpu_status st)
{
   switch (st) {
   case PM4D_AMDGPU_OK: return PM4D_DIRECT_OK;
   case PM4D_AMDGPU_OUT_OF_HOST_MEMORY: return PM4D_DIRECT_NOMEM;
   case PM4D_AMDGPU_POOL_FULL: return PM4D_DIRECT_RING_FULL;
   case PM4D_AMDGPU_INVALID_ARGUMENT: return PM4D_DIRECT_UNSUPPORTED;
   default:
      return pm4d_amdgpu_status_is_passthrough(st) ? PM4D_DIRECT_UNAVAILABLE : PM4D_DIRECT_FAILED;
   }
}

static uint64_t pages(uint64_t bytes)
{
   return (bytes + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static void amd_destroy(void *dev)
{
   struct amd_dev *ad = dev;
   pm4d_amdgpu_device_destroy(ad->dev);
   free(ad);
}

static uint32_t amd_compute_units(void *dev)
{
   return pm4d_amdgpu_device_compute_units(((struct amd_dev *)dev)->dev);
}

static enum pm4d_direct_status amd_alloc(void *dev, uint64_t size, uint32_t align,
                                         struct pm4d_direct_mem *out)
{
   struct amd_dev *ad = dev;
   struct pm4d_amdgpu_pool *pool = pm4d_calloc(1, sizeof(*pool));
   if (!pool || align > PAGE) {
      free(pool);
      return pool ? PM4D_DIRECT_UNSUPPORTED : PM4D_DIRECT_NOMEM;
   }
   /* Written by the GPU too (the fence): readable and writable, never executable. Ring storage
    * is write-combined: the producer only writes it (debug validation reads it back, slowly). */
   enum pm4d_amdgpu_status st =
      pm4d_amdgpu_pool_create(ad->drm, pm4d_amdgpu_device_handle(ad->dev), pages(size),
                              AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE, pool, NULL, 0);
   if (st != PM4D_AMDGPU_OK) {
      free(pool);
      return from_amdgpu(st);
   }
   *out = (struct pm4d_direct_mem){.cpu = pool->cpu, .addr = pool->va, .handle = pool};
   return PM4D_DIRECT_OK;
}

static void amd_free(void *dev, struct pm4d_direct_mem *mem)
{
   (void)dev;
   if (mem->handle) {
      pm4d_amdgpu_pool_destroy(mem->handle);
      free(mem->handle);
   }
   *mem = (struct pm4d_direct_mem){0};
}

static enum pm4d_direct_status amd_upload_code(void *dev, const void *image, uint64_t size,
                                               const struct pm4d_codeobj_info *info, uint64_t *base,
                                               char *reason, size_t rs)
{
   struct amd_dev *ad = dev;
   char why[PM4D_AMDGPU_REASON_MAX] = "";
   (void)info;
   enum pm4d_amdgpu_status st =
      pm4d_amdgpu_device_upload_code(ad->dev, image, size, base, why, sizeof(why));
   if (st != PM4D_AMDGPU_OK)
      snprintf(reason, rs, "amdgpu: %s", why);
   return from_amdgpu(st);
}

static enum pm4d_direct_status amd_memory_register(void *dev, uint64_t id, void *host,
                                                   uint64_t size, int dmabuf_fd)
{
   struct amd_dev *ad = dev;
   (void)host, (void)size;
   /* dmabuf_fd < 0: the layer says the memory is always valid in RADV's VM (layer/vk
    * pm4d_vk_memory.c), so submissions need no BO-list entry for it. */
   return from_amdgpu(pm4d_amdgpu_device_import(ad->dev, id, dmabuf_fd, NULL, 0));
}

static void amd_memory_unregister(void *dev, uint64_t id, void *host)
{
   struct amd_dev *ad = dev;
   (void)host;
   pm4d_amdgpu_device_forget(ad->dev, id);
}

static enum pm4d_direct_status amd_queue_create(void *dev, struct pm4d_direct_queue *q, void **out)
{
   struct amd_dev *ad = dev;
   struct amd_queue *aq = pm4d_calloc(1, sizeof(*aq));
   if (!aq)
      return PM4D_DIRECT_NOMEM;
   const struct pm4d_amdgpu_queue_desc desc = {
      .priority = AMDGPU_CTX_PRIORITY_NORMAL,
      .bridge_fd = q->bridge.opaque_fd,
   };
   enum pm4d_amdgpu_status st = pm4d_amdgpu_queue_create(ad->dev, &desc, &aq->aq, NULL, 0);
   if (st != PM4D_AMDGPU_OK) {
      free(aq);
      return from_amdgpu(st);
   }
   aq->ad = ad;
   aq->q = q;
   aq->pools[0] = q->ring_mem.handle;
   aq->pools[1] = q->kernargs.handle;
   aq->pools[2] = q->fence.handle;
   *out = aq;
   return PM4D_DIRECT_OK;
}

static void amd_queue_destroy(void *bq)
{
   struct amd_queue *aq = bq;
   pm4d_amdgpu_queue_destroy(aq->aq);
   free(aq);
}

/* The driver link before the batch signals wait_point. RADV submits it later, from its submit
 * thread, when that link's own waits are not available yet (mesa vk_queue.c, threaded
 * submission: the app waits before it signals, from the host, after this vkQueueSubmit). A kick
 * then would sleep in the CS ioctl (WAIT_FOR_SUBMIT, drm_syncobj.c drm_syncobj_find_fence, up to
 * 5 s, then -ETIME), so it goes out only once the point is submitted: the submitting thread
 * looks (deadline now) and otherwise queues the batch, which the watchdog kicks once this says
 * so (it waits here, up to its tick). WAIT_FOR_SUBMIT | WAIT_AVAILABLE: done once a fence is
 * attached at the point, signalled or not (drm_syncobj.c drm_syncobj_array_wait_timeout; the
 * vgpu models it, tests/vgpu/driver/vgpu_sync.c). Asked with no lock held; the watchdog asks
 * for every queue's next deferred kick at once. */
static bool amd_ready(void *const *bqs, const uint64_t *wait_points, uint32_t count,
                      uint64_t deadline_ns)
{
   struct pm4d_amdgpu_queue *queues[PM4D_DIRECT_WAIT_QUEUES];
   count = count < PM4D_DIRECT_WAIT_QUEUES ? count : PM4D_DIRECT_WAIT_QUEUES;
   for (uint32_t i = 0; i < count; i++) {
      if (!wait_points[i])
         return true;
      queues[i] = ((struct amd_queue *)bqs[i])->aq;
   }
   return pm4d_amdgpu_queue_point_submitted(queues, wait_points, count, deadline_ns);
}

/* The jobs named the same memory ids as the last batch's, in the same order. */
static bool ids_same(const struct amd_queue *aq, const struct pm4d_job *jobs, uint32_t count)
{
   if (!aq->n_ids || aq->n_ids != count * 4u)
      return false;
   for (uint32_t i = 0; i < count; i++)
      for (int b = 0; b < 4; b++)
         if (aq->ids[i * 4u + (uint32_t)b] != jobs[i].memory_ids[b])
            return false;
   return true;
}

/* aq->keys: each memory the jobs name, once (the last batch's again when they name the same);
 * false when there are more than a BO list takes. */
static bool batch_keys(struct amd_queue *aq, const struct pm4d_job *jobs, uint32_t count)
{
   if (ids_same(aq, jobs, count))
      return true;
   aq->n_ids = aq->n_keys = 0;
   for (uint32_t i = 0; i < count; i++) {
      for (int b = 0; b < 4; b++) {
         uint64_t id = jobs[i].memory_ids[b];
         uint32_t k = 0;
         while (k < aq->n_keys && aq->keys[k] != id)
            k++;
         if (id && k == aq->n_keys) {
            if (aq->n_keys == PM4D_AMDGPU_MAX_BUFFERS)
               return false;
            aq->keys[aq->n_keys++] = id;
         }
      }
   }
   if (count * 4u <= AMD_IDS_KEPT) {
      for (uint32_t i = 0; i < count; i++)
         memcpy(&aq->ids[i * 4u], jobs[i].memory_ids, sizeof(jobs[i].memory_ids));
      aq->n_ids = count * 4u;
   }
   return true;
}

static enum pm4d_direct_status amd_kick(void *bq, const uint32_t *dw, uint64_t ib, uint32_t ndw,
                                        const struct pm4d_job *jobs, uint32_t count,
                                        uint64_t wait_point, uint64_t signal_point)
{
   struct amd_queue *aq = bq;
   char why[PM4D_AMDGPU_REASON_MAX]; /* read only after a refusal filled it (not cleared: hot) */
   (void)dw;
   if (!batch_keys(aq, jobs, count))
      return PM4D_DIRECT_UNSUPPORTED;
   const struct pm4d_amdgpu_batch batch = {
      .id = signal_point,
      .ib_va = ib,
      .ib_bytes = ndw * 4u,
      .buffers = aq->keys,
      .buffer_count = aq->n_keys,
      .pools = aq->pools,
      .pool_count = AMD_QUEUE_POOLS,
      .wait_point = wait_point,
      .signal_point = signal_point,
   };
   uint64_t seq;
   uint32_t renewals = pm4d_amdgpu_queue_renewals(aq->aq);
   /* The last batch kicked has not written its fence: it may have failed, and a failed
    * (guilty) context refuses the CS (amdgpu_cs.c amdgpu_cs_parser_init). Ask first, with one
    * QUERY2, and go on a new context if it has seen a reset; a failure after this answer is a
    * CS -ECANCELED, which queue_submit answers with a new context too. */
   uint64_t fence =
      atomic_load_explicit((_Atomic uint64_t *)aq->q->fence.cpu, memory_order_acquire);
   if (fence < aq->kicked && pm4d_amdgpu_queue_reset(aq->aq, why, sizeof(why)) != PM4D_AMDGPU_OK)
      pm4d_log(PM4D_LOG_WARN, "amdgpu: %s", why);
   enum pm4d_amdgpu_status st = pm4d_amdgpu_queue_submit(aq->aq, &batch, &seq, why, sizeof(why));
   /* A context renewed here is a queue reset the watchdog does not see. */
   pm4d_counter_add(PM4D_CTR_direct_resets, pm4d_amdgpu_queue_renewals(aq->aq) - renewals);
   if (st == PM4D_AMDGPU_OK)
      aq->kicked = signal_point;
   if (st == PM4D_AMDGPU_HANG) /* refused on a new context too: the watchdog resets the queue */
      pm4d_direct_queue_fault(aq->q, why);
   return from_amdgpu(st);
}

static enum pm4d_direct_status amd_status(void *bq, struct pm4d_direct_backend_state *out,
                                          char *reason, size_t rs)
{
   struct amd_queue *aq = bq;
   char why[PM4D_AMDGPU_REASON_MAX] = "";
   struct pm4d_amdgpu_queue_state state;
   enum pm4d_amdgpu_status st = pm4d_amdgpu_queue_state(aq->aq, &state, why, sizeof(why));
   if (st != PM4D_AMDGPU_OK) {
      snprintf(reason, rs, "amdgpu: %s", why);
      return from_amdgpu(st);
   }
   *out = (struct pm4d_direct_backend_state){.settled = state.settled,
                                             .reset = state.reset,
                                             .memory_lost = state.vram_lost,
                                             .guilty = state.guilty,
                                             .suspect_upto = state.renewed_upto};
   if (state.reset)
      snprintf(reason, rs, "amdgpu: GPU reset (%s%s)",
               state.guilty ? "this context guilty" : "another context",
               state.vram_lost ? ", VRAM lost" : "");
   return PM4D_DIRECT_OK;
}

static int amd_verdict(void *bq, uint64_t signal_point)
{
   return pm4d_amdgpu_queue_verdict(((struct amd_queue *)bq)->aq, signal_point);
}

static enum pm4d_direct_status amd_reset(void *bq, char *reason, size_t rs)
{
   struct amd_queue *aq = bq;
   char why[PM4D_AMDGPU_REASON_MAX] = "";
   enum pm4d_amdgpu_status st = pm4d_amdgpu_queue_reset(aq->aq, why, sizeof(why));
   if (st != PM4D_AMDGPU_OK)
      snprintf(reason, rs, "amdgpu: %s", why);
   return from_amdgpu(st);
}

/* The shared VM's last GPU page fault (AMDGPU_INFO_GPUVM_FAULT): RADV's file, so RADV's faults
 * show here too; the direct path tells them apart by address. */
static int amd_vm_fault(void *dev, struct pm4d_direct_vm_fault *out, char *desc, size_t n)
{
   struct pm4d_amdgpu_gpuvm_fault f;
   if (pm4d_amdgpu_vm_fault_query(((struct amd_dev *)dev)->dev, &f) != PM4D_AMDGPU_OK)
      return -1;
   *out = (struct pm4d_direct_vm_fault){.addr = f.addr, .status = f.status, .hub = f.vmhub};
   pm4d_amdgpu_vm_fault_describe(&f, desc, n);
   return 0;
}

static void amd_ib_align(void *dev, uint32_t *start_bytes, uint32_t *size_bytes)
{
   pm4d_amdgpu_device_ib_align(((struct amd_dev *)dev)->dev, start_bytes, size_bytes);
}

static const struct pm4d_direct_backend_ops amdgpu_ops = {
   .name = "amdgpu",
   .space = PM4D_ADDR_GPU_VA,
   .ps_per_flop = AMDGPU_PS_PER_FLOP,
   .interrupts = false,
   .kernel_signals = true, /* the CS signal chunk: the kernel signals the point however it ends */
   /* A CS sleeps in the ioctl while its context's entity has amdgpu_sched_jobs (default 32,
    * amdgpu_drv.c) jobs in flight (amdgpu_ctx.c amdgpu_ctx_add_fence / amdgpu_ctx_wait_prev_fence):
    * never more batches than that, so the 33rd waits outside every lock as back pressure. */
   .max_inflight = 32,
   .ib_align = amd_ib_align,
   .compute_units = amd_compute_units,
   .destroy = amd_destroy,
   .alloc = amd_alloc,
   .free = amd_free,
   .upload_code = amd_upload_code,
   .memory_register = amd_memory_register,
   .memory_unregister = amd_memory_unregister,
   .inject = NULL,
   .queue_create = amd_queue_create,
   .queue_destroy = amd_queue_destroy,
   .ready = amd_ready,
   .kick = amd_kick,
   .status = amd_status,
   .verdict = amd_verdict,
   .vm_fault = amd_vm_fault,
   .reset = amd_reset,
};

enum pm4d_direct_status pm4d_direct_amdgpu_open(const struct pm4d_direct_config *cfg, void **dev,
                                                const struct pm4d_direct_backend_ops **ops,
                                                char target[PM4D_TARGET_NAME_MAX], char *reason,
                                                size_t reason_size)
{
   struct amd_dev *ad = pm4d_calloc(1, sizeof(*ad));
   char why[PM4D_AMDGPU_REASON_MAX] = "";
   if (!ad) {
      snprintf(reason, reason_size, "amdgpu: out of memory");
      return PM4D_DIRECT_NOMEM;
   }
   ad->drm = test_drm_ops ? test_drm_ops : pm4d_drm_ops_default();
   const struct pm4d_pci_addr addr = {.domain = (uint16_t)cfg->pci.domain,
                                      .bus = (uint8_t)cfg->pci.bus,
                                      .dev = (uint8_t)cfg->pci.device,
                                      .func = (uint8_t)cfg->pci.function};
   enum pm4d_amdgpu_status st = pm4d_amdgpu_device_probe(ad->drm, addr, &ad->dev, why, sizeof(why));
   if (st != PM4D_AMDGPU_OK) {
      snprintf(reason, reason_size, "amdgpu: %s", why);
      free(ad);
      return pm4d_amdgpu_status_is_passthrough(st) ? PM4D_DIRECT_UNAVAILABLE : from_amdgpu(st);
   }
   struct pm4d_amdgpu_stack stack = {cfg->driver_id, cfg->driver_version, 0, 0,
                                     PM4D_LIBDRM_AMDGPU_BUILT};
   pm4d_amdgpu_device_drm_version(ad->dev, &stack.drm_major, &stack.drm_minor);
   if (pm4d_amdgpu_stack_check(&stack, why, sizeof(why)) != PM4D_AMDGPU_OK) {
      snprintf(reason, reason_size, "amdgpu: %s%s", why,
               cfg->force ? " (PM4DIRECT_BACKEND=amdgpu: running anyway)" : "");
      if (!cfg->force) {
         amd_destroy(ad);
         return PM4D_DIRECT_UNAVAILABLE;
      }
   }
   if (!pm4d_amdgpu_vm_fault_supported(ad->dev))
      pm4d_log(
         PM4D_LOG_INFO,
         "amdgpu: DRM %u.%u reports no GPU page faults to user space "
         "(AMDGPU_INFO_GPUVM_FAULT needs 3.%u): a page fault of a direct batch cannot be "
         "seen (a job's addresses come from its bound buffers' ranges at recording, and the memory "
         "they name must still be registered at the kick)",
         stack.drm_major, stack.drm_minor, PM4D_AMDGPU_GPUVM_FAULT_MINOR);
   snprintf(target, PM4D_TARGET_NAME_MAX, "%s", pm4d_amdgpu_device_target(ad->dev)->name);
   *dev = ad;
   *ops = &amdgpu_ops;
   return PM4D_DIRECT_OK;
}
