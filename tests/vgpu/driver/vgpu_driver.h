/* The virtual GPU's kernel-driver model: devices (render nodes), DRM files, GEM objects, the
 * per-file GPU VM, contexts with their scheduler entities, and the ioctl entry points. */
#ifndef VGPU_DRIVER_H
#define VGPU_DRIVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "vgpu_profile.h"
#include "vgpu_sync.h"

#define VGPU_MAX_NODES     4
#define VGPU_RENDER_MINOR0 128 /* drm_minor_alloc: render minors start at 128 */
#define VGPU_DRM_MAJOR     226

/* amdgpu_kms.c KMS_DRIVER_MAJOR/MINOR of Debian 12's kernel (6.1: 3.49); VGPU_DRM_MINOR
 * reports a later one (55 and up answer AMDGPU_INFO_GPUVM_FAULT). */
#define VGPU_DRM_VERSION_MAJOR 3
#define VGPU_DRM_VERSION_MINOR 49
unsigned vgpu_drm_minor(void);

struct vgpu_device {
   const struct vgpu_profile *profile;
   unsigned index, minor;
   char pci_slot[16];    /* "0000:03:00.0" */
   pthread_mutex_t lock; /* mmap offsets, usage counters */
   uint64_t next_mmap_pgoff;
   uint64_t vram_usage, gtt_usage, vis_vram_usage;
   /* Failure state read by QUERY2 and INFO (amdgpu_device.c: gpu_reset_counter,
    * vram_lost_counter); the fault issue drives them. */
   atomic_uint gpu_reset_counter, vram_lost_counter;
   /* Full GPU resets only: they stop every ring (a queue reset moves gpu_reset_counter alone). */
   atomic_uint full_reset_counter;
   atomic_uint_fast64_t next_context_id;
};

/* A GEM object backed by a memfd, so mmap, dma-buf export and lseek(SEEK_END) work. */
struct vgpu_bo {
   atomic_int refs;
   struct vgpu_device *dev;
   uint64_t size, alignment;
   uint32_t domains, flags; /* AMDGPU_GEM_DOMAIN_*, AMDGPU_GEM_CREATE_* */
   int memfd;
   uint64_t mmap_pgoff; /* the fake offset GEM_MMAP hands out (drm_vma_node) */
   void *cpu;           /* the model's own mapping, for the command processor */
   uint64_t ino;        /* the memfd's inode: how an imported dma-buf fd is recognised */
   int exported;
   pthread_mutex_t meta_lock;
   uint64_t tiling_info;
   uint32_t metadata_size, metadata_flags;
   uint32_t metadata[64];
};

/* A GEM_VA mapping (amdgpu_vm.c struct amdgpu_bo_va_mapping), in GPU pages, 48-bit addresses. */
struct vgpu_mapping {
   uint64_t start, last; /* inclusive, bytes */
   uint64_t offset;
   uint64_t flags; /* AMDGPU_VM_PAGE_* */
   struct vgpu_bo *bo;
   uint64_t unmapped_at; /* file job count when unmapped; UINT64_MAX while mapped */
};

struct vgpu_vm_fault {
   uint64_t addr;
   uint32_t status;
   int write;
   unsigned count;
};

struct vgpu_entity;
struct vgpu_ctx {
   uint32_t id;
   int32_t priority;
   atomic_uint refs;
   struct vgpu_file *file;
   unsigned reset_counter, reset_counter_query, vram_lost_counter;
   atomic_int guilty;
   unsigned serial;     /* creation order in the process, from 1 (VGPU_INJECT names it) */
   atomic_uint jobs_cs; /* CS accepted so far (VGPU_INJECT's jobK) */
   uint32_t stable_pstate;
   struct vgpu_entity *entities[2][4]; /* [GFX, COMPUTE][ring] (amdgpu_ctx_num_entities) */
};

struct vgpu_bo_list {
   unsigned n;
   struct vgpu_bo **bos;
};

/* A struct drm_file of one render node. */
struct vgpu_file {
   atomic_int refs;
   atomic_int fds; /* fd-table entries: the last one's close releases the file */
   struct vgpu_device *dev;
   pthread_mutex_t lock;
   /* GEM handles (idr): index = handle - 1 */
   struct vgpu_bo **bos;
   unsigned n_bos;
   /* syncobj handles: index = handle - 1 */
   struct vgpu_syncobj **syncobjs;
   unsigned n_syncobjs;
   struct vgpu_ctx **ctxs; /* index = id - 1 */
   unsigned n_ctxs;
   struct vgpu_bo_list **bo_lists;
   unsigned n_bo_lists;
   /* the VM */
   struct vgpu_mapping *maps;
   unsigned n_maps, cap_maps;
   uint64_t jobs_submitted, jobs_in_flight;
   struct vgpu_vm_fault last_fault;
   unsigned pasid;
};

/* Devices from VGPU_PROFILE (vgpu_drm.c). */
unsigned vgpu_device_count(void);
struct vgpu_device *vgpu_device_get(unsigned index);

struct vgpu_file *vgpu_file_open(struct vgpu_device *dev);
struct vgpu_file *vgpu_file_ref(struct vgpu_file *f);
void vgpu_file_unref(struct vgpu_file *f);

struct vgpu_bo *vgpu_bo_ref(struct vgpu_bo *bo);
void vgpu_bo_unref(struct vgpu_bo *bo);
/* A handle's BO, referenced, or NULL. */
struct vgpu_bo *vgpu_file_lookup_bo(struct vgpu_file *f, uint32_t handle);
struct vgpu_syncobj *vgpu_file_lookup_syncobj(struct vgpu_file *f, uint32_t handle);
struct vgpu_ctx *vgpu_file_lookup_ctx(struct vgpu_file *f, uint32_t id);
void vgpu_ctx_unref(struct vgpu_ctx *ctx);
/* The BO list with that handle, or NULL (file lock held by the caller). */
struct vgpu_bo_list *vgpu_file_bo_list_locked(struct vgpu_file *f, uint32_t handle);

/* The mmap of a GEM object through the DRM fd (drm_gem_mmap): the mapping, or MAP_FAILED with
 * errno. */
void *vgpu_file_mmap(struct vgpu_file *f, void *addr, size_t len, int prot, int flags,
                     uint64_t offset);

/* Host pointer for [va, va + size) as the file's VM maps it for a job submitted as number
 * job_seq, or NULL (a GPU page fault). */
void *vgpu_vm_translate(struct vgpu_file *f, uint64_t va, uint64_t size, int write,
                        uint64_t job_seq);
/* Logs a GPU VM fault as gmc_v10_0_process_interrupt does and records it. */
void vgpu_vm_fault(struct vgpu_file *f, uint64_t va, int write, const char *what);
/* A GPU reset that lost VRAM: the contents of the file's VRAM objects are gone (poisoned with
 * 0xff bytes, so a reader sees garbage rather than its old data). */
void vgpu_file_lose_vram(struct vgpu_file *f);
/* Drops unmapped mappings once no job is in flight (file lock held). */
void vgpu_vm_reap_locked(struct vgpu_file *f);

/* ioctl entry points: 0, or -1 with errno. */
int vgpu_drm_ioctl(struct vgpu_file *f, unsigned long request, void *arg);
int vgpu_cs_ioctl(struct vgpu_file *f, void *arg);
int vgpu_wait_cs_ioctl(struct vgpu_file *f, void *arg);
int vgpu_wait_fences_ioctl(struct vgpu_file *f, void *arg);
/* Stops a context's entities: flush (drm_sched_entity_flush), then kill what is left. */
void vgpu_ctx_fini_entities(struct vgpu_ctx *ctx);
/* A job fence of the context, or NULL when it has long signalled (amdgpu_ctx_get_fence):
 * 0, or -EINVAL for a sequence not yet submitted or an unknown entity. */
int vgpu_ctx_get_fence(struct vgpu_ctx *ctx, uint32_t ip, uint32_t instance, uint32_t ring,
                       uint64_t seq, struct vgpu_fence **out);

/* fd table (vgpu_interpose.c): the model's own fds. */
enum vgpu_fd_kind { VGPU_FD_NONE, VGPU_FD_DRM, VGPU_FD_SYNC_FILE, VGPU_FD_SYNCOBJ };
/* Registers fd (takes over the reference in obj). */
void vgpu_fd_register(int fd, enum vgpu_fd_kind kind, void *obj);
/* The object behind fd of that kind (referenced), or NULL. */
void *vgpu_fd_lookup(int fd, enum vgpu_fd_kind kind);
/* The real (unwrapped) libc close/fcntl, for fds the model creates and drops itself. */
int vgpu_real_close(int fd);
int vgpu_real_dup_cloexec(int fd);

/* The dma-buf registry (vgpu_gem.c): exported BOs by memfd inode. */
struct vgpu_bo *vgpu_dmabuf_lookup(uint64_t ino);

/* Counters for the exit report (vgpu_report.c). */
struct vgpu_stats {
   atomic_uint_fast64_t cs_ioctls, cs_rejected, jobs, jobs_done, ibs, ibs_preamble_skipped, ibs_ok,
      ibs_fault, ibs_bad_packet, ibs_not_executable, ibs_timeout, vm_faults;
   /* faults: GPU resets (and those that lost VRAM), jobs ended -ECANCELED by a reset or a
    * guilty context or lost VRAM, injected faults, and jobs whose IB dwords changed between
    * the CS and their execution (memory reused while the GPU may still read it) */
   atomic_uint_fast64_t gpu_resets, vram_losses, jobs_cancelled, injected, reused_in_flight;
   atomic_uint_fast64_t ioctls[256], ioctl_errors[256]; /* by _IOC_NR */
};
/* The ioctl's name for the report ("AMDGPU_CS"), or NULL. */
const char *vgpu_ioctl_name(unsigned nr);
extern struct vgpu_stats vgpu_stats;
struct vgpu_cp;
/* CP instances register so the report can sum their counters, live or gone. */
void vgpu_report_add_cp(struct vgpu_cp *cp);
void vgpu_report_remove_cp(struct vgpu_cp *cp);

/* Logging: VGPU_VERBOSE=1 prints debug lines; errors always print (like the kernel log). */
void vgpu_log(int debug, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vgpu_verbose(void);

#endif
