/* Command submission: the CS ioctl's chunk checks (amdgpu_cs.c amdgpu_cs_parser_init,
 * amdgpu_cs_pass1, amdgpu_cs_pass2, amdgpu_cs_parser_bos, amdgpu_cs_submit), one scheduler
 * entity per (context, IP, ring) with its own thread (drm_sched_entity + drm_gpu_scheduler:
 * in-order, waits for the job's dependencies, runs it, signals its fence), and the fence waits
 * (amdgpu_cs_wait_ioctl, amdgpu_cs_wait_fences_ioctl). */
#include "vgpu_ioctls.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libdrm/drm.h>

#include "vgpu_cp.h"
#include "vgpu_fault.h"

#define SCHED_JOBS 32 /* amdgpu_drv.c amdgpu_sched_jobs default: fences kept per entity */
/* amdgpu_ctx.c amdgpu_ctx_num_entities: GFX 1, COMPUTE 4 (the model's two engines) */
static const unsigned num_entities[2] = {1, 4};
/* amdgpu_ring.c amdgpu_ring_max_ibs: IBs a job may carry */
static const unsigned max_ibs[2] = {192, 125};
/* gpu_scheduler.h MAX_WAIT_SCHED_ENTITY_Q_EMPTY: drm_sched_entity_flush's wait at context fini */
#define ENTITY_FLUSH_NS 1000000000ull
/* amdgpu_fence.c AMDGPU_FENCE_JIFFIES_TIMEOUT (HZ / 2): amdgpu_fence_fallback processes the
 * ring's fences when their interrupt never came */
#define FENCE_FALLBACK_NS 500000000ull

uint64_t vgpu_wait_for_submit_timeout_ns(void);

struct vgpu_ib {
   uint64_t va;
   uint32_t ndw, flags;
   uint32_t *copy; /* the dwords as they were at the CS, or NULL (not mapped then) */
};

/* Kernarg bytes a dispatch of the job reads (vgpu_cp_kernargs), as they were at the CS. */
struct vgpu_kernargs {
   uint64_t va;
   uint32_t bytes;
   uint8_t *copy;
};

struct vgpu_job {
   struct vgpu_job *next;
   struct vgpu_file *file;
   uint64_t vm_seq, seq;
   struct vgpu_fence *fence;
   struct vgpu_fence **deps;
   unsigned n_deps;
   struct vgpu_ib *ibs;
   unsigned n_ibs;
   struct vgpu_kernargs *kernargs;
   unsigned n_kernargs;
   struct vgpu_bo *uf_bo;
   uint64_t uf_offset;
   struct vgpu_bo **bos; /* the BO list: kept referenced while the job runs */
   unsigned n_bos;
   unsigned generation; /* the VRAM-lost counter at the CS (amdgpu_job_alloc) */
   struct vgpu_inject inject;
};

struct vgpu_entity {
   struct vgpu_ctx *ctx;
   struct vgpu_file *file;
   uint32_t ip, ring;
   pthread_t thread;
   pthread_mutex_t lock;
   pthread_cond_t cond;
   struct vgpu_job *head, *tail;
   int running;
   atomic_int stop; /* read under the sync lock by the dependency wait */
   uint64_t sequence;
   struct vgpu_fence *fences[SCHED_JOBS];
   struct vgpu_cp *cp;
   int has_run; /* ring->current_ctx == this context: later preambles may be skipped */
};

/* Jobs in flight per device, for GEM_WAIT_IDLE. */
static pthread_mutex_t inflight_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vgpu_job *inflight[VGPU_MAX_NODES][1024];
static unsigned n_inflight[VGPU_MAX_NODES];

/* The scheduler's job timeout (amdgpu_device.c amdgpu_device_get_job_timeout_settings, the
 * lockup_timeout default): current mainline gives every queue 2 s on bare metal ("By default
 * timeout for all queues is 2 sec", as recent amd-gfx patches against it quote it: read in those
 * diffs, the stored kernel copies here are older); 6.1 (Debian 12) gave compute 60 s, gfx 10 s.
 * VGPU_JOB_TIMEOUT_MS overrides it. */
static uint64_t job_timeout_ns(void)
{
   const char *e = getenv("VGPU_JOB_TIMEOUT_MS");
   return e && *e ? strtoull(e, NULL, 0) * 1000000ull : 2000000000ull;
}

/* amdgpu.vm_fault_stop (amdgpu_drv.c; default 0: never stop): VGPU_VM_FAULT_STOP. 0 lets a
 * dispatch's page fault go by (vgpu_mem_ops.faults_continue), anything else stops the IB. */
static bool faults_continue(void)
{
   const char *e = getenv("VGPU_VM_FAULT_STOP");
   return !e || !*e || strtoul(e, NULL, 0) == 0;
}

static void job_free(struct vgpu_job *job)
{
   for (unsigned i = 0; i < job->n_deps; i++)
      vgpu_fence_unref(job->deps[i]);
   for (unsigned i = 0; i < job->n_bos; i++)
      vgpu_bo_unref(job->bos[i]);
   vgpu_bo_unref(job->uf_bo);
   vgpu_fence_unref(job->fence);
   if (job->file)
      vgpu_file_unref(job->file);
   free(job->deps);
   free(job->bos);
   for (unsigned i = 0; i < job->n_ibs; i++)
      free(job->ibs[i].copy);
   free(job->ibs);
   for (unsigned i = 0; i < job->n_kernargs; i++)
      free(job->kernargs[i].copy);
   free(job->kernargs);
   free(job);
}

/* An injected page fault (VGPU_INJECT=page-fault) refuses the job's dispatches' writes to their
 * buffers as unmapped pages would (the app freed them while the job was queued; the CP's own
 * writes to the submitter's fence and packets land): the CP reports the fault, the job still
 * completes (gmc_v10_0_process_interrupt). */
static void *mem_translate(void *user, uint64_t va, uint64_t size, int write)
{
   struct vgpu_job *job = user;
   if (write == VGPU_MEM_SHADER_WRITE && job->inject.kind == VGPU_INJECT_PAGE_FAULT)
      return NULL;
   return vgpu_vm_translate(job->file, va, size, write, job->vm_seq);
}

static void mem_fault(void *user, uint64_t va, int write, const char *what)
{
   struct vgpu_job *job = user;
   vgpu_vm_fault(job->file, va, write, what);
}

/* The IB dwords as the job's VM maps them now, for the in-flight check. */
static const uint32_t *ib_now(const struct vgpu_job *job, const struct vgpu_ib *ib)
{
   return vgpu_vm_translate(job->file, ib->va, (uint64_t)ib->ndw * 4, 0, job->vm_seq);
}

/* A copy of n bytes at va as the job's VM maps them now, or NULL (not mapped). */
static void *copy_now(const struct vgpu_job *job, uint64_t va, uint64_t n)
{
   const void *now = n ? vgpu_vm_translate(job->file, va, n, 0, job->vm_seq) : NULL;
   void *copy = now ? malloc(n) : NULL;
   if (copy)
      memcpy(copy, now, n);
   return copy;
}

/* The kernarg ranges the dispatches of the project's kernels in the job's IBs read (the CP's
 * own reading of the packets, vgpu_cp_kernargs), each with a copy. */
static void kernargs_snapshot(struct vgpu_job *job)
{
   enum { MAX_PER_IB = 256 };
   struct vgpu_mem_ops mem = {.user = job, .translate = mem_translate};
   struct vgpu_cp_range r[MAX_PER_IB];
   for (unsigned i = 0; i < job->n_ibs; i++) {
      unsigned n = vgpu_cp_kernargs(job->file->dev->profile->cp_target, &mem, job->ibs[i].va,
                                    job->ibs[i].ndw, r, MAX_PER_IB);
      n = n < MAX_PER_IB ? n : MAX_PER_IB;
      struct vgpu_kernargs *grown =
         n ? realloc(job->kernargs, (job->n_kernargs + n) * sizeof(*grown)) : job->kernargs;
      if (!grown)
         return;
      job->kernargs = grown;
      for (unsigned k = 0; k < n; k++)
         job->kernargs[job->n_kernargs++] =
            (struct vgpu_kernargs){r[k].va, r[k].bytes, copy_now(job, r[k].va, r[k].bytes)};
   }
}

/* At the CS: a copy of each IB and of the kernargs its dispatches read, so the scheduler can
 * tell whether anyone rewrote them while the job was in flight (the kernel's IBs, and what
 * they read, are the submitter's memory until the fence signals). */
static void ib_snapshot(struct vgpu_job *job)
{
   for (unsigned i = 0; i < job->n_ibs; i++)
      job->ibs[i].copy = copy_now(job, job->ibs[i].va, (uint64_t)job->ibs[i].ndw * 4);
   kernargs_snapshot(job);
}

/* Counts (once per job) an IB, or kernargs one of its dispatches reads, whose bytes differ
 * from the CS's copy. */
static void ib_check_unchanged(struct vgpu_job *job, int *counted, const char *when)
{
   for (unsigned i = 0; i < job->n_ibs && !*counted; i++) {
      const struct vgpu_ib *ib = &job->ibs[i];
      const uint32_t *now = ib->copy ? ib_now(job, ib) : NULL;
      if (now && memcmp(now, ib->copy, (size_t)ib->ndw * 4)) {
         atomic_fetch_add(&vgpu_stats.reused_in_flight, 1);
         vgpu_log(0, "IB 0x%llx (%u dwords) of job %llu was rewritten %s (reused in flight)",
                  (unsigned long long)ib->va, ib->ndw, (unsigned long long)job->seq + 1, when);
         *counted = 1;
      }
   }
   for (unsigned i = 0; i < job->n_kernargs && !*counted; i++) {
      const struct vgpu_kernargs *ka = &job->kernargs[i];
      const void *now =
         ka->copy ? vgpu_vm_translate(job->file, ka->va, ka->bytes, 0, job->vm_seq) : NULL;
      if (now && memcmp(now, ka->copy, ka->bytes)) {
         atomic_fetch_add(&vgpu_stats.reused_in_flight, 1);
         vgpu_log(0,
                  "kernargs 0x%llx (%u bytes) of dispatch %u of job %llu were rewritten %s "
                  "(reused in flight)",
                  (unsigned long long)ka->va, ka->bytes, i, (unsigned long long)job->seq + 1, when);
         *counted = 1;
      }
   }
}

/* Sleeps until abs_ns or until a GPU reset moves the counter from seen: 1 if a reset came. */
static int sleep_until(uint64_t abs_ns, const atomic_uint *counter, unsigned seen)
{
   while (vgpu_now_ns() < abs_ns) {
      if (atomic_load(counter) != seen)
         return 1;
      nanosleep(&(struct timespec){0, 1000000}, NULL);
   }
   return atomic_load(counter) != seen;
}

/* VGPU_RESET=queue: the per-queue reset of newer kernels instead of the full one. */
static int queue_reset_mode(void)
{
   const char *e = getenv("VGPU_RESET");
   return e && !strcmp(e, "queue");
}

/* A job's timeout (drm_sched_job_timedout -> amdgpu_job_timedout; the caller gives the job
 * -ETIME), with the kernel's log lines. By default a full GPU reset (amdgpu_device_gpu_recover:
 * Debian 12's 6.1 has no queue reset for gfx10/11, and newer kernels fall back to it):
 * drm_sched_increase_karma with amdgpu_job_hang_limit 0 marks the context guilty; with VRAM
 * lost (amdgpu_device_check_vram_lost) VRAM contents go and vram_lost_counter moves; then the
 * reset counters, which stop every other job on the hardware (drm_sched_start ends those with
 * -ECANCELED). With VGPU_RESET=queue, the per-queue reset that amdgpu_job_timedout tries first
 * in newer kernels (amdgpu_ring_reset; stored copy ~6.15): gpu_reset_counter moves, the context
 * is not made guilty, other rings go on. */
static void gpu_reset(struct vgpu_entity *e, struct vgpu_job *job, const char *reason,
                      int vram_lost)
{
   struct vgpu_device *dev = e->file->dev;
   const char *ring = e->ip ? "comp_1" : "gfx_0";
   vgpu_log(0, "amdgpu %s: ring %s.%u timeout, signaled seq=%llu: %s", dev->pci_slot, ring, e->ring,
            (unsigned long long)job->seq - 1, reason);
   atomic_fetch_add(&vgpu_stats.gpu_resets, 1);
   if (queue_reset_mode() && !vram_lost) {
      vgpu_log(0, "amdgpu %s: Starting %s.%u ring reset", dev->pci_slot, ring, e->ring);
      atomic_fetch_add(&dev->gpu_reset_counter, 1);
      return;
   }
   vgpu_log(0, "amdgpu %s: GPU reset begin!", dev->pci_slot);
   atomic_store(&e->ctx->guilty, 1);
   if (vram_lost) {
      vgpu_log(0, "amdgpu %s: VRAM is lost due to GPU reset!", dev->pci_slot);
      vgpu_file_lose_vram(job->file);
      atomic_fetch_add(&dev->vram_lost_counter, 1);
      atomic_fetch_add(&vgpu_stats.vram_losses, 1);
   }
   unsigned n = atomic_fetch_add(&dev->gpu_reset_counter, 1) + 1;
   atomic_fetch_add(&dev->full_reset_counter, 1);
   vgpu_log(0, "amdgpu %s: GPU reset(%u) succeeded!", dev->pci_slot, n);
}

/* An injected hang or delay before the IBs: 0 to go on, -ETIME when the job's own timeout
 * passed (a reset follows), -ECANCELED when another job's reset stopped it. */
static int injected_delay(struct vgpu_entity *e, struct vgpu_job *job,
                          const struct vgpu_mem_ops *mem)
{
   const struct vgpu_inject *in = &job->inject;
   uint64_t until = mem->deadline_ns;
   if (in->kind == VGPU_INJECT_SLOW && vgpu_now_ns() + in->ms * 1000000ull < until)
      until = vgpu_now_ns() + in->ms * 1000000ull;
   else if (in->kind != VGPU_INJECT_SLOW && in->kind != VGPU_INJECT_HANG &&
            in->kind != VGPU_INJECT_VRAM_LOST)
      return 0;
   if (sleep_until(until, mem->reset_counter, mem->reset_seen))
      return -ECANCELED;
   if (until < mem->deadline_ns)
      return 0;
   atomic_fetch_add(&vgpu_stats.ibs_timeout, 1);
   gpu_reset(e, job, "injected by VGPU_INJECT", in->kind == VGPU_INJECT_VRAM_LOST);
   return -ETIME;
}

/* amdgpu_job_run -> amdgpu_ib_schedule: the IBs in order (a preamble IB is skipped when the
 * ring last ran this context, "skip_preamble"), then the fence. Returns the job's error: -ETIME
 * for its own timeout, -ECANCELED when another job's GPU reset came while it was on the
 * hardware (amdgpu_device_gpu_recover clears the hardware fences; drm_sched_start then ends
 * each such job with -ECANCELED: innocent jobs are not resubmitted). */
static int run_job(struct vgpu_entity *e, struct vgpu_job *job)
{
   struct vgpu_device *dev = e->file->dev;
   struct vgpu_mem_ops mem = {
      .user = job,
      .translate = mem_translate,
      .fault = mem_fault,
      .deadline_ns = vgpu_now_ns() + job_timeout_ns(),
      .reset_counter = &dev->full_reset_counter,
      .reset_seen = atomic_load(&dev->full_reset_counter),
      .faults_continue = faults_continue(),
   };
   int reused = 0;
   ib_check_unchanged(job, &reused, "between its CS and its execution");
   if (job->inject.kind != VGPU_INJECT_NONE)
      atomic_fetch_add(&vgpu_stats.injected, 1);
   int error = injected_delay(e, job, &mem);
   for (unsigned i = 0; i < job->n_ibs && !error; i++) {
      const struct vgpu_ib *ib = &job->ibs[i];
      if ((ib->flags & AMDGPU_IB_FLAG_PREAMBLE) && e->has_run) {
         atomic_fetch_add(&vgpu_stats.ibs_preamble_skipped, 1);
         continue;
      }
      if (ib->flags & AMDGPU_IB_FLAG_CE) {
         vgpu_log(0, "a constant-engine IB is not modelled; skipped");
         atomic_fetch_add(&vgpu_stats.ibs_bad_packet, 1);
         continue;
      }
      atomic_fetch_add(&vgpu_stats.ibs, 1);
      char reason[256] = "";
      enum vgpu_cp_status st =
         vgpu_cp_execute_ib(e->cp, &mem, ib->va, ib->ndw, reason, sizeof(reason));
      switch (st) {
      case VGPU_CP_OK: atomic_fetch_add(&vgpu_stats.ibs_ok, 1); break;
      case VGPU_CP_FAULT: /* logged by the fault hook; the job still completes */
         atomic_fetch_add(&vgpu_stats.ibs_fault, 1);
         break;
      case VGPU_CP_BAD_PACKET:
         atomic_fetch_add(&vgpu_stats.ibs_bad_packet, 1);
         vgpu_log(0, "IB 0x%llx (%u dwords) on %s ring %u not executed: %s",
                  (unsigned long long)ib->va, ib->ndw, e->ip ? "compute" : "gfx", e->ring, reason);
         break;
      case VGPU_CP_NOT_EXECUTABLE:
         atomic_fetch_add(&vgpu_stats.ibs_not_executable, 1);
         vgpu_log(1, "IB 0x%llx: %s", (unsigned long long)ib->va, reason);
         break;
      case VGPU_CP_TIMEOUT:
         if (atomic_load(&dev->full_reset_counter) != mem.reset_seen)
            break; /* another job's reset stopped this one: -ECANCELED below */
         atomic_fetch_add(&vgpu_stats.ibs_timeout, 1);
         gpu_reset(e, job, reason, 0);
         error = -ETIME;
         break;
      }
      if (!error && atomic_load(&dev->full_reset_counter) != mem.reset_seen)
         error = -ECANCELED;
   }
   if (!error && atomic_load(&dev->full_reset_counter) != mem.reset_seen)
      error = -ECANCELED;
   ib_check_unchanged(job, &reused, "while it executed");
   e->has_run = 1;
   return error;
}

/* Why a job that is due to run ends unrun with -ECANCELED, or 0: its context is guilty
 * (drm_sched_entity_pop_job skips the jobs of a guilty entity), or VRAM was lost since its CS
 * (amdgpu_job_run: job->generation != amdgpu_vm_generation). */
static int job_cancelled(struct vgpu_entity *e, const struct vgpu_job *job)
{
   if (atomic_load(&e->ctx->guilty) ||
       job->generation != atomic_load(&e->file->dev->vram_lost_counter))
      return -ECANCELED;
   return 0;
}

static void job_finish(struct vgpu_entity *e, struct vgpu_job *job, int error)
{
   if (!error && job->uf_bo) /* the ring's EOP fence writes the 64-bit sequence number */
      memcpy((char *)job->uf_bo->cpu + job->uf_offset, &job->seq, sizeof(job->seq));
   if (!error && job->inject.kind == VGPU_INJECT_LOST_FENCE) /* the fallback timer finds it */
      nanosleep(&(struct timespec){0, FENCE_FALLBACK_NS}, NULL);
   if (error == -ECANCELED)
      atomic_fetch_add(&vgpu_stats.jobs_cancelled, 1);
   vgpu_fence_signal(job->fence, error);
   atomic_fetch_add(&vgpu_stats.jobs_done, 1);
   unsigned d = e->file->dev->index;
   pthread_mutex_lock(&inflight_lock);
   for (unsigned i = 0; i < n_inflight[d]; i++)
      if (inflight[d][i] == job) {
         inflight[d][i] = inflight[d][--n_inflight[d]];
         break;
      }
   pthread_mutex_unlock(&inflight_lock);
   struct vgpu_file *f = job->file;
   pthread_mutex_lock(&f->lock);
   f->jobs_in_flight--;
   vgpu_vm_reap_locked(f);
   pthread_mutex_unlock(&f->lock);
   job_free(job);
}

/* The scheduler thread of one entity: jobs in submission order; a job runs once all of its
 * dependencies have signalled (drm_sched_entity_pop_job / drm_sched_job_dependency). After a
 * kill, remaining jobs end with -ESRCH unrun (drm_sched_entity_kill_jobs_cb). */
static void *entity_thread(void *arg)
{
   struct vgpu_entity *e = arg;
   for (;;) {
      pthread_mutex_lock(&e->lock);
      while (!e->head && !e->stop)
         pthread_cond_wait(&e->cond, &e->lock);
      struct vgpu_job *job = e->head;
      if (!job) {
         pthread_mutex_unlock(&e->lock);
         break;
      }
      e->head = job->next;
      if (!e->head)
         e->tail = NULL;
      e->running = 1;
      pthread_mutex_unlock(&e->lock);
      int error = -ESRCH;
      if (vgpu_fence_wait_all(job->deps, job->n_deps, &e->stop) == 0) {
         error = job_cancelled(e, job);
         if (!error)
            error = run_job(e, job);
      }
      job_finish(e, job, error);
      pthread_mutex_lock(&e->lock);
      e->running = 0;
      pthread_cond_broadcast(&e->cond);
      pthread_mutex_unlock(&e->lock);
   }
   /* The thread was detached at context fini: the entity ends with it. */
   vgpu_report_remove_cp(e->cp);
   vgpu_cp_destroy(e->cp);
   for (unsigned i = 0; i < SCHED_JOBS; i++)
      vgpu_fence_unref(e->fences[i]);
   vgpu_ctx_unref(e->ctx);
   vgpu_file_unref(e->file);
   free(e);
   return NULL;
}

/* amdgpu_ctx_get_entity: the entity for (ip, instance, ring), created on first use. Only GFX
 * and COMPUTE exist in the model. */
static int get_entity(struct vgpu_ctx *ctx, uint32_t ip, uint32_t instance, uint32_t ring,
                      struct vgpu_entity **out)
{
   if (ip >= AMDGPU_HW_IP_NUM) {
      vgpu_log(1, "unknown HW IP type: %u", ip);
      return -EINVAL;
   }
   if (instance != 0) {
      vgpu_log(1, "invalid ip instance: %u", instance);
      return -EINVAL;
   }
   if (ip > AMDGPU_HW_IP_COMPUTE) {
      vgpu_log(0, "HW IP %u has no rings in the model (GFX and COMPUTE only)", ip);
      return -EINVAL;
   }
   if (ring >= num_entities[ip]) {
      vgpu_log(1, "invalid ring: %u %u", ip, ring);
      return -EINVAL;
   }
   struct vgpu_file *f = ctx->file;
   pthread_mutex_lock(&f->lock);
   struct vgpu_entity *e = ctx->entities[ip][ring];
   if (!e) {
      e = calloc(1, sizeof(*e));
      if (e) {
         e->ctx = ctx;
         atomic_fetch_add(&ctx->refs, 1);
         e->file = vgpu_file_ref(f);
         e->ip = ip;
         e->ring = ring;
         e->sequence = 1; /* amdgpu_ctx_init_entity */
         pthread_mutex_init(&e->lock, NULL);
         pthread_cond_init(&e->cond, NULL);
         e->cp = vgpu_cp_create(f->dev->profile->cp_target);
         if (!e->cp || pthread_create(&e->thread, NULL, entity_thread, e)) {
            if (e->cp)
               vgpu_cp_destroy(e->cp);
            atomic_fetch_sub(&ctx->refs, 1);
            vgpu_file_unref(f);
            free(e);
            e = NULL;
         } else {
            vgpu_report_add_cp(e->cp);
            ctx->entities[ip][ring] = e;
         }
      }
   }
   pthread_mutex_unlock(&f->lock);
   if (!e)
      return -ENOMEM;
   *out = e;
   return 0;
}

/* amdgpu_ctx_fini_entities -> drm_sched_entity_destroy: drm_sched_entity_flush waits (up to
 * 1 s) for the entity's queue to drain into the ring; what is still queued then is killed. A
 * job already running stays on the ring to its end (or its timeout): the thread is detached and
 * frees the entity itself. */
void vgpu_ctx_fini_entities(struct vgpu_ctx *ctx)
{
   for (unsigned ip = 0; ip < 2; ip++)
      for (unsigned r = 0; r < 4; r++) {
         struct vgpu_entity *e = ctx->entities[ip][r];
         if (!e)
            continue;
         ctx->entities[ip][r] = NULL;
         uint64_t deadline = vgpu_now_ns() + ENTITY_FLUSH_NS;
         pthread_mutex_lock(&e->lock);
         while ((e->head || e->running) && vgpu_now_ns() < deadline) {
            struct timespec ts = {.tv_sec = 0, .tv_nsec = 10000000};
            pthread_mutex_unlock(&e->lock);
            nanosleep(&ts, NULL);
            pthread_mutex_lock(&e->lock);
         }
         pthread_t thread = e->thread;
         e->stop = 1;
         pthread_cond_broadcast(&e->cond);
         pthread_mutex_unlock(&e->lock);
         vgpu_sync_broadcast();
         pthread_detach(thread); /* e may be gone from here on */
      }
}

/* amdgpu_ctx_get_fence */
static int entity_fence(struct vgpu_entity *e, uint64_t seq, struct vgpu_fence **out)
{
   pthread_mutex_lock(&e->lock);
   int r = 0;
   *out = NULL;
   if (seq == ~0ull)
      seq = e->sequence - 1;
   if (seq >= e->sequence)
      r = -EINVAL;
   else if (seq + SCHED_JOBS >= e->sequence)
      *out = vgpu_fence_ref(e->fences[seq % SCHED_JOBS]);
   pthread_mutex_unlock(&e->lock);
   return r;
}

int vgpu_ctx_get_fence(struct vgpu_ctx *ctx, uint32_t ip, uint32_t instance, uint32_t ring,
                       uint64_t seq, struct vgpu_fence **out)
{
   struct vgpu_entity *e;
   int r = get_entity(ctx, ip, instance, ring, &e);
   return r ? r : entity_fence(e, seq, out);
}

static int add_dep(struct vgpu_job *job, struct vgpu_fence *f)
{
   struct vgpu_fence **d = realloc(job->deps, (job->n_deps + 1) * sizeof(*d));
   if (!d) {
      vgpu_fence_unref(f);
      return -ENOMEM;
   }
   job->deps = d;
   d[job->n_deps++] = f;
   return 0;
}

struct post_dep {
   struct vgpu_syncobj *syncobj;
   uint64_t point;
};

static int cs_submit(struct vgpu_file *f, union drm_amdgpu_cs *cs)
{
   struct vgpu_ctx *ctx = vgpu_file_lookup_ctx(f, cs->in.ctx_id);
   if (!ctx)
      return -EINVAL;
   if (atomic_load(&ctx->guilty)) {
      vgpu_ctx_unref(ctx);
      return -ECANCELED;
   }
   struct vgpu_job *job = calloc(1, sizeof(*job));
   struct post_dep *post = NULL;
   unsigned n_post = 0, have_post = 0, have_bo_handles = 0;
   struct vgpu_entity *entity = NULL;
   int r = 0;
   if (!job) {
      vgpu_ctx_unref(ctx);
      return -ENOMEM;
   }
   uint32_t nchunks = cs->in.num_chunks;
   const uint64_t *chunk_ptrs = (const uint64_t *)(uintptr_t)cs->in.chunks;
   if (!nchunks) {
      r = -EINVAL;
      goto out;
   }
   if (!chunk_ptrs) {
      r = -EFAULT;
      goto out;
   }
   /* pass 1: sizes, IB targets, the user fence, the BO list */
   for (uint32_t i = 0; i < nchunks && !r; i++) {
      const struct drm_amdgpu_cs_chunk *c = (const void *)(uintptr_t)chunk_ptrs[i];
      if (!c) {
         r = -EFAULT;
         break;
      }
      size_t bytes = (size_t)c->length_dw * 4;
      const void *data = (const void *)(uintptr_t)c->chunk_data;
      switch (c->chunk_id) {
      case AMDGPU_CHUNK_ID_IB: { /* amdgpu_cs_p1_ib */
         if (bytes < sizeof(struct drm_amdgpu_cs_chunk_ib)) {
            r = -EINVAL;
            break;
         }
         const struct drm_amdgpu_cs_chunk_ib *ib = data;
         struct vgpu_entity *e;
         r = get_entity(ctx, ib->ip_type, ib->ip_instance, ib->ring, &e);
         if (r)
            break;
         if (entity && e != entity) {
            vgpu_log(0, "gang submission (IBs for two rings in one CS) is not modelled");
            r = -EINVAL;
            break;
         }
         entity = e;
         if (job->n_ibs >= max_ibs[ib->ip_type]) {
            r = -EINVAL;
            break;
         }
         struct vgpu_ib *ibs = realloc(job->ibs, (job->n_ibs + 1) * sizeof(*ibs));
         if (!ibs) {
            r = -ENOMEM;
            break;
         }
         job->ibs = ibs;
         ibs[job->n_ibs++] = (struct vgpu_ib){ib->va_start, ib->ib_bytes / 4, ib->flags, NULL};
         break;
      }
      case AMDGPU_CHUNK_ID_FENCE: { /* amdgpu_cs_p1_user_fence */
         if (bytes < sizeof(struct drm_amdgpu_cs_chunk_fence)) {
            r = -EINVAL;
            break;
         }
         const struct drm_amdgpu_cs_chunk_fence *fc = data;
         struct vgpu_bo *bo = vgpu_file_lookup_bo(f, fc->handle);
         if (!bo) {
            r = -EINVAL;
            break;
         }
         vgpu_bo_unref(job->uf_bo);
         job->uf_bo = bo;
         job->uf_offset = fc->offset;
         if (bo->size != 4096 || fc->offset > bo->size - 8 || bo->memfd < 0)
            r = -EINVAL;
         break;
      }
      case AMDGPU_CHUNK_ID_BO_HANDLES: { /* amdgpu_cs_p1_bo_handles */
         if (bytes < sizeof(struct drm_amdgpu_bo_list_in) || have_bo_handles) {
            r = -EINVAL; /* "Only a single BO list is allowed to simplify handling." */
            break;
         }
         have_bo_handles = 1;
         const struct drm_amdgpu_bo_list_in *in = data;
         const char *entries = (const char *)(uintptr_t)in->bo_info_ptr;
         job->bos = calloc(in->bo_number ? in->bo_number : 1, sizeof(*job->bos));
         if (!job->bos) {
            r = -ENOMEM;
            break;
         }
         for (uint32_t k = 0; k < in->bo_number; k++) {
            struct drm_amdgpu_bo_list_entry ent = {0};
            memcpy(&ent, entries + (size_t)k * in->bo_info_size,
                   in->bo_info_size < sizeof(ent) ? in->bo_info_size : sizeof(ent));
            struct vgpu_bo *bo = vgpu_file_lookup_bo(f, ent.bo_handle);
            if (!bo) {
               r = -ENOENT;
               break;
            }
            job->bos[job->n_bos++] = bo;
         }
         break;
      }
      case AMDGPU_CHUNK_ID_DEPENDENCIES:
      case AMDGPU_CHUNK_ID_SYNCOBJ_IN:
      case AMDGPU_CHUNK_ID_SYNCOBJ_OUT:
      case AMDGPU_CHUNK_ID_SCHEDULED_DEPENDENCIES:
      case AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT:
      case AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL: break;
      default: r = -EINVAL;
      }
   }
   if (!r && !entity) /* "if (!p->gang_size)": no IB */
      r = -EINVAL;
   /* amdgpu_cs_pass1: a context made before a VRAM loss ("p->ctx->generation !=
    * p->gang_leader->generation"; vram_lost_counter in 6.1) */
   if (!r && ctx->vram_lost_counter != atomic_load(&f->dev->vram_lost_counter))
      r = -ECANCELED;
   /* pass 2: dependencies and signals (amdgpu_cs_p2_*) */
   for (uint32_t i = 0; i < nchunks && !r; i++) {
      const struct drm_amdgpu_cs_chunk *c = (const void *)(uintptr_t)chunk_ptrs[i];
      const void *data = (const void *)(uintptr_t)c->chunk_data;
      size_t bytes = (size_t)c->length_dw * 4;
      switch (c->chunk_id) {
      case AMDGPU_CHUNK_ID_DEPENDENCIES:
      case AMDGPU_CHUNK_ID_SCHEDULED_DEPENDENCIES: { /* amdgpu_cs_p2_dependencies */
         const struct drm_amdgpu_cs_chunk_dep *deps = data;
         for (size_t k = 0; k < bytes / sizeof(*deps) && !r; k++) {
            struct vgpu_ctx *dctx = vgpu_file_lookup_ctx(f, deps[k].ctx_id);
            if (!dctx) {
               r = -EINVAL;
               break;
            }
            struct vgpu_fence *fence;
            r = vgpu_ctx_get_fence(dctx, deps[k].ip_type, deps[k].ip_instance, deps[k].ring,
                                   deps[k].handle, &fence);
            vgpu_ctx_unref(dctx);
            if (!r && fence)
               r = add_dep(job, fence);
         }
         break;
      }
      case AMDGPU_CHUNK_ID_SYNCOBJ_IN:
      case AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT: { /* amdgpu_syncobj_lookup_and_add */
         int timeline = c->chunk_id == AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT;
         size_t sz = timeline ? sizeof(struct drm_amdgpu_cs_chunk_syncobj)
                              : sizeof(struct drm_amdgpu_cs_chunk_sem);
         for (size_t k = 0; k < bytes / sz && !r; k++) {
            uint32_t handle, flags = 0;
            uint64_t point = 0;
            if (timeline) {
               const struct drm_amdgpu_cs_chunk_syncobj *s =
                  (const void *)((const char *)data + k * sz);
               handle = s->handle;
               flags = s->flags;
               point = s->point;
            } else {
               handle = ((const struct drm_amdgpu_cs_chunk_sem *)data)[k].handle;
            }
            struct vgpu_syncobj *so = vgpu_file_lookup_syncobj(f, handle);
            if (!so) {
               r = -ENOENT;
               break;
            }
            struct vgpu_fence *fence;
            r =
               vgpu_syncobj_find_fence(so, point, flags, vgpu_wait_for_submit_timeout_ns(), &fence);
            vgpu_syncobj_unref(so);
            if (r)
               vgpu_log(0, "amdgpu: syncobj %u failed to find fence @ %llu (%d)!", handle,
                        (unsigned long long)point, r);
            else
               r = add_dep(job, fence);
         }
         break;
      }
      case AMDGPU_CHUNK_ID_SYNCOBJ_OUT:
      case AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL: { /* amdgpu_cs_p2_syncobj_(timeline_)out */
         if (have_post) {
            r = -EINVAL;
            break;
         }
         have_post = 1;
         int timeline = c->chunk_id == AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL;
         size_t sz = timeline ? sizeof(struct drm_amdgpu_cs_chunk_syncobj)
                              : sizeof(struct drm_amdgpu_cs_chunk_sem);
         size_t n = bytes / sz;
         post = calloc(n ? n : 1, sizeof(*post));
         if (!post) {
            r = -ENOMEM;
            break;
         }
         for (size_t k = 0; k < n; k++) {
            const void *ent = (const char *)data + k * sz;
            uint32_t handle = timeline ? ((const struct drm_amdgpu_cs_chunk_syncobj *)ent)->handle
                                       : ((const struct drm_amdgpu_cs_chunk_sem *)ent)->handle;
            post[k].point = timeline ? ((const struct drm_amdgpu_cs_chunk_syncobj *)ent)->point : 0;
            post[k].syncobj = vgpu_file_lookup_syncobj(f, handle);
            if (!post[k].syncobj) {
               r = -EINVAL;
               break;
            }
            n_post++;
         }
         break;
      }
      }
   }
   /* amdgpu_cs_parser_bos: a BO list handle and a BO_HANDLES chunk are exclusive */
   if (!r && cs->in.bo_list_handle) {
      if (have_bo_handles) {
         r = -EINVAL;
      } else {
         pthread_mutex_lock(&f->lock);
         struct vgpu_bo_list *l = vgpu_file_bo_list_locked(f, cs->in.bo_list_handle);
         if (!l) {
            r = -ENOENT;
         } else {
            job->bos = calloc(l->n ? l->n : 1, sizeof(*job->bos));
            for (unsigned k = 0; job->bos && k < l->n; k++)
               job->bos[job->n_bos++] = vgpu_bo_ref(l->bos[k]);
            if (!job->bos)
               r = -ENOMEM;
         }
         pthread_mutex_unlock(&f->lock);
      }
   }
   if (r)
      goto out;

   /* amdgpu_ctx_wait_prev_fence: at most SCHED_JOBS jobs in flight per entity (back pressure) */
   struct vgpu_fence *prev = NULL;
   pthread_mutex_lock(&entity->lock);
   prev = vgpu_fence_ref(entity->fences[entity->sequence % SCHED_JOBS]);
   pthread_mutex_unlock(&entity->lock);
   if (prev) {
      vgpu_fence_wait(prev, INT64_MAX);
      vgpu_fence_unref(prev);
   }

   /* amdgpu_cs_submit: the job's fence goes to the signal syncobjs before the job is queued */
   job->fence = vgpu_fence_create();
   job->file = vgpu_file_ref(f);
   pthread_mutex_lock(&f->lock);
   job->vm_seq = f->jobs_submitted++;
   f->jobs_in_flight++;
   pthread_mutex_unlock(&f->lock);
   job->generation = atomic_load(&f->dev->vram_lost_counter);
   job->inject = vgpu_inject_lookup(ctx->serial, atomic_fetch_add(&ctx->jobs_cs, 1) + 1);
   ib_snapshot(job);
   for (unsigned k = 0; k < n_post; k++) {
      if (post[k].point)
         vgpu_syncobj_add_point(post[k].syncobj, job->fence, post[k].point);
      else
         vgpu_syncobj_replace_fence(post[k].syncobj, job->fence);
   }
   unsigned d = f->dev->index;
   pthread_mutex_lock(&inflight_lock);
   if (n_inflight[d] < sizeof(inflight[d]) / sizeof(inflight[d][0]))
      inflight[d][n_inflight[d]++] = job;
   pthread_mutex_unlock(&inflight_lock);
   pthread_mutex_lock(&entity->lock);
   uint64_t seq = job->seq = entity->sequence++;
   vgpu_fence_unref(entity->fences[job->seq % SCHED_JOBS]);
   entity->fences[job->seq % SCHED_JOBS] = vgpu_fence_ref(job->fence);
   if (entity->tail)
      entity->tail->next = job;
   else
      entity->head = job;
   entity->tail = job;
   pthread_cond_broadcast(&entity->cond);
   pthread_mutex_unlock(&entity->lock);
   atomic_fetch_add(&vgpu_stats.jobs, 1);
   memset(&cs->out, 0, sizeof(cs->out));
   cs->out.handle = seq; /* the job itself may be done and freed by now */
   job = NULL;
out:
   for (unsigned k = 0; k < n_post; k++)
      vgpu_syncobj_unref(post[k].syncobj);
   free(post);
   if (job)
      job_free(job);
   vgpu_ctx_unref(ctx);
   return r;
}

int vgpu_cs_ioctl(struct vgpu_file *f, void *arg)
{
   atomic_fetch_add(&vgpu_stats.cs_ioctls, 1);
   int r = cs_submit(f, arg);
   if (r)
      atomic_fetch_add(&vgpu_stats.cs_rejected, 1);
   return r;
}

/* amdgpu_gem.c amdgpu_gem_timeout: an absolute CLOCK_MONOTONIC time; negative waits forever. */
int64_t vgpu_gem_timeout(uint64_t t)
{
   return (int64_t)t < 0 ? INT64_MAX : (int64_t)t;
}

/* amdgpu_cs.c amdgpu_cs_wait_ioctl: out.status 1 while busy at the timeout; a fence error is
 * the ioctl's error. */
int vgpu_wait_cs_ioctl(struct vgpu_file *f, void *arg)
{
   union drm_amdgpu_wait_cs *w = arg;
   struct vgpu_ctx *ctx = vgpu_file_lookup_ctx(f, w->in.ctx_id);
   if (!ctx)
      return -EINVAL;
   struct vgpu_fence *fence;
   int r =
      vgpu_ctx_get_fence(ctx, w->in.ip_type, w->in.ip_instance, w->in.ring, w->in.handle, &fence);
   vgpu_ctx_unref(ctx);
   if (r)
      return r;
   int done = 1;
   if (fence) {
      done = vgpu_fence_wait(fence, vgpu_gem_timeout(w->in.timeout));
      r = done ? vgpu_fence_error(fence) : 0;
      vgpu_fence_unref(fence);
   }
   if (r)
      return r;
   memset(w, 0, sizeof(*w));
   w->out.status = !done;
   return 0;
}

/* amdgpu_cs.c amdgpu_cs_wait_fences_ioctl (wait_all / wait_any): out.status 1 when satisfied. */
int vgpu_wait_fences_ioctl(struct vgpu_file *f, void *arg)
{
   union drm_amdgpu_wait_fences *w = arg;
   const struct drm_amdgpu_fence *in = (const void *)(uintptr_t)w->in.fences;
   uint32_t n = w->in.fence_count, wait_all = w->in.wait_all;
   int64_t deadline = vgpu_gem_timeout(w->in.timeout_ns);
   struct vgpu_fence **fences = calloc(n ? n : 1, sizeof(*fences));
   if (!fences)
      return -ENOMEM;
   int r = 0;
   for (uint32_t i = 0; i < n && !r; i++) {
      struct vgpu_ctx *ctx = vgpu_file_lookup_ctx(f, in[i].ctx_id);
      if (!ctx) {
         r = -EINVAL;
         break;
      }
      r = vgpu_ctx_get_fence(ctx, in[i].ip_type, in[i].ip_instance, in[i].ring, in[i].seq_no,
                             &fences[i]);
      vgpu_ctx_unref(ctx);
   }
   uint32_t first = 0;
   int ok = 0;
   if (!r && wait_all) {
      ok = 1;
      for (uint32_t i = 0; i < n && ok && !r; i++)
         if (fences[i]) {
            ok = vgpu_fence_wait(fences[i], deadline);
            if (ok)
               r = vgpu_fence_error(fences[i]);
         }
   } else if (!r) {
      for (;;) {
         for (uint32_t i = 0; i < n && !ok; i++)
            if (!fences[i] || vgpu_fence_is_signaled(fences[i])) {
               ok = 1;
               first = i;
            }
         if (ok || (int64_t)vgpu_now_ns() >= deadline || !n)
            break;
         /* any-of: poll the set; each wait is short so a later fence is noticed */
         int64_t step = (int64_t)vgpu_now_ns() + 1000000;
         vgpu_fence_wait(fences[0], step < deadline ? step : deadline);
      }
      if (ok && fences[first])
         r = vgpu_fence_error(fences[first]);
   }
   for (uint32_t i = 0; i < n; i++)
      vgpu_fence_unref(fences[i]);
   free(fences);
   if (r)
      return r;
   memset(&w->out, 0, sizeof(w->out));
   w->out.status = ok;
   w->out.first_signaled = first;
   return 0;
}

int vgpu_device_wait_idle(struct vgpu_device *dev, int64_t abs_ns)
{
   struct vgpu_fence *snap[1024];
   unsigned n = 0;
   pthread_mutex_lock(&inflight_lock);
   for (unsigned i = 0; i < n_inflight[dev->index]; i++)
      snap[n++] = vgpu_fence_ref(inflight[dev->index][i]->fence);
   pthread_mutex_unlock(&inflight_lock);
   int idle = 1;
   for (unsigned i = 0; i < n; i++) {
      if (idle)
         idle = vgpu_fence_wait(snap[i], abs_ns);
      vgpu_fence_unref(snap[i]);
   }
   return idle;
}
