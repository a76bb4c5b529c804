/* Test instrument: a struct pm4d_drm_ops whose functions record their arguments and answer from
 * scripted state instead of reaching the kernel. Handles are the recorder's own objects; live
 * counts catch leaks and double frees. One recorder at a time (the ops are plain functions). */
#ifndef PM4D_DRM_RECORDER_H
#define PM4D_DRM_RECORDER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "pm4d_drm_ops.h"

#define REC_MAX_DEVICES 8
#define REC_MAX_CALLS   64
#define REC_MAX_BOS     80

struct rec_fake_device {
   int bustype;
   drmPciBusInfo pci;
   drmPciDeviceInfo info;
   int available_nodes;
   char render[64];
};

struct rec_va_op {
   void *bo;
   uint32_t kms;     /* the BO's, when the op was recorded */
   uint64_t bo_size; /* likewise */
   uint64_t offset, size, addr, flags;
   uint32_t op;
};

struct rec_submit {
   int ctx_id; /* contexts are numbered from 1 in creation order */
   uint32_t bo_list_handle;
   int num_chunks;
   struct drm_amdgpu_cs_chunk chunks[8];
   struct drm_amdgpu_cs_chunk_ib ib;
   struct drm_amdgpu_bo_list_in bo_in;
   struct drm_amdgpu_bo_list_entry bos[REC_MAX_BOS];
   struct drm_amdgpu_cs_chunk_syncobj wait, signal;
   bool has_ib, has_bos, has_wait, has_signal;
};

#define REC_WAIT_HANDLES 4

struct rec_wait {
   int fd;
   uint32_t handle; /* the first handle and point */
   uint64_t point;
   int64_t timeout;
   unsigned flags;
   unsigned count; /* every handle and point, in the call's order */
   uint32_t handles[REC_WAIT_HANDLES];
   uint64_t points[REC_WAIT_HANDLES];
};

struct recorder {
   /* Script. */
   struct rec_fake_device devices[REC_MAX_DEVICES];
   int device_count;
   int get_devices_result; /* < 0: drmGetDevices2 fails with it */
   int open_result;        /* < 0: open fails */
   int init_result;
   bool device_on_probe_file; /* libdrm made a new device on the probe's fd (not shared) */
   int same_file_error;       /* < 0: kcmp fails with it */
   uint64_t timeline_cap;
   uint32_t drm_minor;
   uint32_t family_id, external_rev;
   int ctx_create_high_result; /* returned for priorities above NORMAL */
   int ctx_create_result;      /* returned for every priority */
   _Atomic int submit_result;  /* the next CS's result; set by a test while the watchdog kicks */
   /* AMDGPU_CTX_QUERY2 flags, reported to contexts made before they were set: a context made
    * after a reset starts clean (amdgpu_ctx.c, amdgpu_ctx_query2 compares the device's reset
    * counters with the ones the context took at creation). Atomic: tests set it while the
    * direct path's watchdog thread queries it. */
   _Atomic uint64_t reset_flags;
   /* Bumped by a test for a later reset: every context made before it sees all of reset_flags
    * again (the device's reset counter moved past the one it took). */
   _Atomic uint32_t reset_epoch;
   _Atomic uint64_t timeline_value; /* the bridge syncobj's current value (tests set it) */
   /* The fence error AMDGPU_WAIT_CS reports for every job (amdgpu_cs_wait_ioctl): 0 done,
    * -ETIME timed out, -ECANCELED cancelled. Atomic: read by the watchdog thread. */
   _Atomic int fence_error;
   /* The bridge's newest point with a fence attached (a submission that signals it is in the
    * kernel): the driver's, scripted; a recorded CS's signal chunk raises it too. Atomic: the
    * direct path's watchdog asks and submits (deferred kicks) while a test scripts it. */
   _Atomic uint64_t timeline_submitted;
   /* A second bridge (a second queue's, imported from REC_BRIDGE2_FD): its value and newest
    * point with a fence attached, as timeline_value and timeline_submitted for the first. */
   _Atomic uint64_t bridge2_value, bridge2_submitted;
   int fail_bo_alloc_at; /* n > 0: the n-th bo_alloc fails */
   /* AMDGPU_INFO_GPUVM_FAULT's answer (addr, status, vmhub as the kernel's struct
    * drm_amdgpu_info_gpuvm_fault), from DRM 3.55 (drm_minor); -EINVAL below, as
    * amdgpu_info_ioctl answers an unknown query. Set by tests while the watchdog reads it. */
   _Atomic uint64_t vm_fault_addr;
   _Atomic uint32_t vm_fault_status, vm_fault_vmhub;
   _Atomic int vm_fault_queries;

   /* Record. */
   char opened[REC_MAX_CALLS][64];
   int open_count, close_count;
   int devices_live, devices_freed_lists;
   struct amdgpu_bo_alloc_request allocs[REC_MAX_CALLS];
   int alloc_count;
   int bos_live, vas_live, ctxs_live, syncobjs_live, maps_live;
   uint32_t live_kms[REC_MAX_BOS]; /* the first bos_live entries: every BO alive now */
   uint64_t va_sizes[REC_MAX_CALLS], va_aligns[REC_MAX_CALLS], va_flags[REC_MAX_CALLS];
   int va_count;
   struct rec_va_op va_ops[REC_MAX_CALLS];
   int va_op_count;
   uint32_t ctx_priorities[REC_MAX_CALLS];
   int ctx_create_count, ctx_free_count;
   struct rec_submit submits[REC_MAX_CALLS]; /* CS n in submits[n % REC_MAX_CALLS] */
   _Atomic int submit_count; /* raised once submits[] has the record (the watchdog kicks too) */
   int fd_to_handle_fd, fd_to_handle_obj_fd;
   uint32_t syncobj_destroyed;
   struct rec_wait waits[REC_MAX_CALLS];
   int wait_count, query_count, import_count;
};

extern struct recorder rec;

/* Resets rec to an empty script: one supported device (gfx1030 at 0000:03:00.0). */
void rec_reset(void);
/* Adds a fake DRM device. */
void rec_add_device(int bustype, uint16_t domain, uint8_t bus, uint8_t dev, uint8_t func,
                    uint16_t vendor, bool render, const char *node);
const struct pm4d_drm_ops *rec_ops(void);
/* The fd the recorder hands out for the shared device, and the bridge syncobj handle. */
#define REC_DEVICE_FD     77
#define REC_BRIDGE_HANDLE 55u
/* The opaque fd that imports as the second bridge, and its handle. */
#define REC_BRIDGE2_FD     10
#define REC_BRIDGE2_HANDLE 56u
/* GEM handles of imported dma-bufs: REC_IMPORT_KMS_BASE + fd. */
#define REC_IMPORT_KMS_BASE 1000u
/* True when nothing the recorder handed out is still alive. */
bool rec_all_released(void);
/* How often handle appears in the submission's BO list. */
int rec_bo_count(const struct rec_submit *s, uint32_t handle);
/* True when the submission's BO list holds every BO alive now, each exactly once, and nothing
 * else (the residency rule: a batch may touch any of them). */
bool rec_bo_list_is_live_set(const struct rec_submit *s);
/* The kms handle of the BO whose mapping holds [va, va + bytes), still mapped; 0: none.
 * *bo_size: that BO's size; *offset: where va lies in it. */
uint32_t rec_bo_at_va(uint64_t va, uint64_t bytes, uint64_t *bo_size, uint64_t *offset);
/* Copies the recorded syncobj waits (the direct path's watchdog records them too) into out, at
 * most max; returns how many were recorded. */
int rec_waits_copy(struct rec_wait *out, int max);
/* The CPU memory of the live BO with that kms handle (NULL: none or never mapped). */
const void *rec_bo_memory(uint32_t kms);

#endif
