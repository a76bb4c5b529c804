/* End to end on the virtual GPU (run under scripts/vgpu): the layer's conv2d batch
 * (vgpu_cp_test_batch) in BOs of a libdrm_amdgpu device on the vgpu's render node, submitted with
 * amdgpu_cs_submit_raw2 to the compute ring; the driver model runs it through the CP and the
 * GPU VM. Outputs against the plain C conv2d. Then the output of the first job is unmapped from
 * the VM and the same IB submitted again: the dispatch's write is a GPU page fault (the driver
 * logs it as the kernel does, the wrapper checks its counters), the job still completes and the
 * buffer is untouched. Usage: vgpu_cp_test_e2e TARGET (the profile's gfx name).
 * vgpu_cp_test_e2e TARGET kernarg-rewrite: one CS of the batch, and while it is in flight (the
 * wrapper delays it with VGPU_INJECT=slow) one byte of the first dispatch's kernargs is
 * rewritten, as a host that reused kernarg memory too early would: the driver's in-flight
 * check must count it (reused_in_flight, the wrapper checks). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <amdgpu.h>
#include <amdgpu_drm.h>
#include <xf86drm.h>

#include "pm4d_check.h"
#include "vgpu_cp_test_batch.h"

#define SKIP       77
#define MAX_BOS    64             /* the batch: 4 BOs, and up to 4 per job */
#define TIMEOUT_NS 30000000000ull /* PoCL builds the kernels at the first dispatch */
#define SENTINEL   0x7fc0dead     /* a NaN no conv2d writes */

struct device {
   amdgpu_device_handle dev;
   uint32_t n;
   struct {
      amdgpu_bo_handle bo;
      amdgpu_va_handle va_handle;
      uint64_t va, size;
      uint32_t kms;
   } bos[MAX_BOS];
};

/* GTT, CPU-mapped, mapped into the GPU VM (libdrm maps readable, writable, executable). */
static void *map(void *user, uint64_t size, int gpu_writable, uint64_t *va)
{
   (void)gpu_writable;
   struct device *d = user;
   if (d->n == MAX_BOS)
      return NULL;
   size = (size + 4095) & ~4095ull;
   struct amdgpu_bo_alloc_request req = {.alloc_size = size,
                                         .phys_alignment = 4096,
                                         .preferred_heap = AMDGPU_GEM_DOMAIN_GTT,
                                         .flags = AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED};
   amdgpu_bo_handle bo;
   amdgpu_va_handle vh;
   void *cpu;
   if (amdgpu_bo_alloc(d->dev, &req, &bo) != 0)
      return NULL;
   if (amdgpu_bo_cpu_map(bo, &cpu) != 0 ||
       amdgpu_va_range_alloc(d->dev, amdgpu_gpu_va_range_general, size, 4096, 0, va, &vh, 0) != 0)
      return NULL;
   if (amdgpu_bo_va_op(bo, 0, size, *va, 0, AMDGPU_VA_OP_MAP) != 0)
      return NULL;
   memset(cpu, 0, size);
   d->bos[d->n].bo = bo;
   d->bos[d->n].va_handle = vh;
   d->bos[d->n].va = *va;
   d->bos[d->n].size = size;
   amdgpu_bo_export(bo, amdgpu_bo_handle_type_kms, &d->bos[d->n].kms);
   d->n++;
   return cpu;
}

static int open_render_node(void)
{
   drmDevicePtr devs[8];
   int n = drmGetDevices2(0, devs, 8), fd = -1;
   for (int i = 0; i < n && fd < 0; i++)
      if ((devs[i]->available_nodes & (1 << DRM_NODE_RENDER)) && devs[i]->bustype == DRM_BUS_PCI &&
          devs[i]->deviceinfo.pci->vendor_id == 0x1002)
         fd = open(devs[i]->nodes[DRM_NODE_RENDER], O_RDWR | O_CLOEXEC);
   if (n > 0)
      drmFreeDevices(devs, n);
   return fd;
}

/* One IB on compute ring 0 with every BO in the list; flips the top bit of *rewrite (when not
 * NULL) once the CS returned, then waits for its fence. */
static int submit(struct device *d, amdgpu_context_handle ctx, const struct batch *b,
                  uint8_t *rewrite)
{
   struct drm_amdgpu_bo_list_entry list[MAX_BOS];
   for (uint32_t i = 0; i < d->n; i++)
      list[i] = (struct drm_amdgpu_bo_list_entry){d->bos[i].kms, 0};
   uint32_t bo_list;
   if (amdgpu_bo_list_create_raw(d->dev, d->n, list, &bo_list) != 0)
      return -1;
   struct drm_amdgpu_cs_chunk_ib ib = {
      .ip_type = AMDGPU_HW_IP_COMPUTE, .va_start = b->ib_va, .ib_bytes = b->ib_dw * 4u};
   struct drm_amdgpu_cs_chunk chunk = {AMDGPU_CHUNK_ID_IB, sizeof(ib) / 4, (uintptr_t)&ib};
   uint64_t seq = 0;
   int r = amdgpu_cs_submit_raw2(d->dev, ctx, bo_list, 1, &chunk, &seq);
   amdgpu_bo_list_destroy_raw(d->dev, bo_list);
   if (r != 0)
      return r;
   if (rewrite)
      *rewrite ^= 0x80;
   struct amdgpu_cs_fence fence = {ctx, AMDGPU_HW_IP_COMPUTE, 0, 0, seq};
   uint32_t expired = 0;
   r = amdgpu_cs_query_fence_status(&fence, TIMEOUT_NS, 0, &expired);
   return r ? r : expired ? 0 : -1;
}

int main(int argc, char **argv)
{
   const char *target = argc > 1 ? argv[1] : "gfx1030";
   int fd = open_render_node();
   if (fd < 0) {
      printf("SKIPPED: no AMD render node (run under scripts/vgpu)\n");
      return SKIP;
   }
   struct device d = {0};
   uint32_t major, minor;
   if (amdgpu_device_initialize(fd, &major, &minor, &d.dev) != 0) {
      fprintf(stderr, "amdgpu_device_initialize failed\n");
      return 1;
   }
   /* The compute IB alignment from the driver, as the layer's amdgpu back end asks for it. */
   struct drm_amdgpu_info_hw_ip ip;
   if (amdgpu_query_hw_ip_info(d.dev, AMDGPU_HW_IP_COMPUTE, 0, &ip) != 0) {
      fprintf(stderr, "amdgpu_query_hw_ip_info failed\n");
      return 1;
   }
   uint32_t align =
      ip.ib_start_alignment > ip.ib_size_alignment ? ip.ib_start_alignment : ip.ib_size_alignment;
   struct batch b;
   bool skip;
   if (!batch_build(target, align, map, &d, &b, &skip)) {
      if (skip)
         printf("SKIPPED: no %s code object was built\n", target);
      return skip ? SKIP : 1;
   }
   amdgpu_context_handle ctx;
   CHECK(amdgpu_cs_ctx_create(d.dev, &ctx) == 0);

   if (argc > 2 && !strcmp(argv[2], "kernarg-rewrite")) {
      /* The last byte of job 0's kernarg segment (PM4D_CONV2D_KERNARG_SIZE, the descriptors'
       * kernarg_size): the top byte of its flags argument. */
      int r = submit(&d, ctx, &b, &b.kernargs[PM4D_CONV2D_KERNARG_SIZE - 1]);
      CHECKF(r == 0, "submit: %d", r);
      amdgpu_cs_ctx_free(ctx);
      amdgpu_device_deinitialize(d.dev);
      close(fd);
      printf("%s: job 0's kernargs rewritten while the batch was in flight\n", target);
      return pm4d_check_finish("vgpu_cp_e2e_kernarg_rewrite");
   }
   int r = submit(&d, ctx, &b, NULL);
   CHECKF(r == 0, "submit: %d", r);
   CHECKF(*b.fence == BATCH_FENCE_VALUE, "batch fence 0x%llx", (unsigned long long)*b.fence);
   for (uint32_t i = 0; i < BATCH_JOBS; i++) {
      double e = batch_error(&b, i);
      CHECKF(e < 1e-5, "%s job %u: relative L2 error %g", target, i, e);
   }

   /* The first job's output leaves the VM: the same IB's first dispatch writes to a hole. */
   struct batch_job *j = &b.jobs[0];
   uint32_t k;
   for (k = 0; k < d.n && d.bos[k].va != j->va[3]; k++)
      ;
   CHECK(k < d.n &&
         amdgpu_bo_va_op(d.bos[k].bo, 0, d.bos[k].size, d.bos[k].va, 0, AMDGPU_VA_OP_UNMAP) == 0);
   for (uint64_t e = 0; e < j->bytes[3] / 4; e++)
      memcpy(&j->host[3][e], &(uint32_t){SENTINEL}, 4);
   r = submit(&d, ctx, &b, NULL);
   CHECKF(r == 0, "the faulting job did not complete: %d", r);
   uint32_t first;
   memcpy(&first, j->host[3], 4);
   CHECKF(first == SENTINEL, "an unmapped output was written (0x%08x)", first);

   amdgpu_cs_ctx_free(ctx);
   amdgpu_device_deinitialize(d.dev);
   close(fd);
   printf("%s: the layer's batch (%u dwords) ran end to end on the vgpu; a write to an unmapped "
          "output faulted\n",
          target, b.ib_dw);
   return pm4d_check_finish("vgpu_cp_e2e");
}
