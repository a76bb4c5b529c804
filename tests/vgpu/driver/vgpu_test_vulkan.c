/* RADV on the virtual GPU, end to end: memory (allocate, map, free), dma-buf export/import,
 * opaque syncobj fds, fences, binary and timeline semaphores (wait-before-signal too), and the
 * small vkCmdFillBuffer/vkCmdUpdateBuffer that RADV 22.3 sends as PM4 (radv_meta_buffer.c: fills
 * below RADV_BUFFER_OPS_CS_THRESHOLD = 4096 bytes use CP DMA, updates below
 * RADV_BUFFER_UPDATE_THRESHOLD = 1024 bytes use WRITE_DATA), checked in memory afterwards: the
 * bytes can only be right if the command processor executed RADV's packets. Runs on queue
 * family 0 (gfx ring) and the compute-only family (compute ring). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vulkan/vulkan.h>

static int failures;
#define CHECK(c)                                                      \
   do {                                                               \
      if (!(c)) {                                                     \
         fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); \
         failures++;                                                  \
      }                                                               \
   } while (0)
#define VK(call)                                                                  \
   do {                                                                           \
      VkResult r_ = (call);                                                       \
      if (r_ != VK_SUCCESS) {                                                     \
         fprintf(stderr, "FAIL %s:%d: %s = %d\n", __FILE__, __LINE__, #call, r_); \
         exit(1);                                                                 \
      }                                                                           \
   } while (0)

#define FIVE_S 5000000000ull

static VkInstance inst;
static VkPhysicalDevice phys;
static VkDevice dev;
static VkPhysicalDeviceMemoryProperties memprops;
static PFN_vkGetMemoryFdKHR get_memory_fd;
static PFN_vkGetSemaphoreFdKHR get_semaphore_fd;
static PFN_vkImportSemaphoreFdKHR import_semaphore_fd;

static uint32_t mem_type(uint32_t bits, VkMemoryPropertyFlags want)
{
   for (uint32_t i = 0; i < memprops.memoryTypeCount; i++)
      if ((bits & (1u << i)) && (memprops.memoryTypes[i].propertyFlags & want) == want)
         return i;
   return UINT32_MAX;
}

static VkDeviceMemory alloc(VkDeviceSize size, uint32_t type, const void *pnext)
{
   VkMemoryAllocateInfo ai = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, pnext, size, type};
   VkDeviceMemory m;
   VK(vkAllocateMemory(dev, &ai, NULL, &m));
   return m;
}

static void test_memory(void)
{
   uint32_t t =
      mem_type(~0u, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   CHECK(t != UINT32_MAX);
   VkDeviceMemory m = alloc(1 << 20, t, NULL);
   uint32_t *p;
   VK(vkMapMemory(dev, m, 0, VK_WHOLE_SIZE, 0, (void **)&p));
   for (uint32_t i = 0; i < (1 << 18); i++)
      p[i] = i * 2654435761u;
   vkUnmapMemory(dev, m);
   VK(vkMapMemory(dev, m, 4096, 4096, 0, (void **)&p));
   CHECK(p[0] == 1024 * 2654435761u && p[1023] == 2047 * 2654435761u);
   vkUnmapMemory(dev, m);
   vkFreeMemory(dev, m, NULL);
   /* device-local and host-visible: every type on a resizable-BAR card or the APU */
   uint32_t dl =
      mem_type(~0u, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
   if (dl != UINT32_MAX) {
      m = alloc(65536, dl, NULL);
      VK(vkMapMemory(dev, m, 0, VK_WHOLE_SIZE, 0, (void **)&p));
      p[100] = 0x12345678;
      CHECK(p[100] == 0x12345678);
      vkUnmapMemory(dev, m);
      vkFreeMemory(dev, m, NULL);
   }
}

/* dma-buf: an exported allocation imported back is the same memory. */
static void test_dmabuf(void)
{
   uint32_t t =
      mem_type(~0u, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   VkExportMemoryAllocateInfo ex = {VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO, NULL,
                                    VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT};
   VkDeviceMemory a = alloc(65536, t, &ex);
   VkMemoryGetFdInfoKHR gi = {VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR, NULL, a,
                              VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT};
   int fd = -1;
   VK(get_memory_fd(dev, &gi, &fd));
   CHECK(fd >= 0);
   CHECK(lseek(fd, 0, SEEK_END) == 65536); /* a dma-buf's size, as libdrm reads it */
   VkImportMemoryFdInfoKHR im = {VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR, NULL,
                                 VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT, fd};
   VkDeviceMemory b = alloc(65536, t, &im);
   uint32_t *pa, *pb;
   VK(vkMapMemory(dev, a, 0, VK_WHOLE_SIZE, 0, (void **)&pa));
   VK(vkMapMemory(dev, b, 0, VK_WHOLE_SIZE, 0, (void **)&pb));
   pa[7] = 0xcafef00d;
   CHECK(pb[7] == 0xcafef00d);
   vkUnmapMemory(dev, a);
   vkUnmapMemory(dev, b);
   vkFreeMemory(dev, b, NULL);
   vkFreeMemory(dev, a, NULL);
}

struct target {
   VkBuffer buf;
   VkDeviceMemory mem;
   uint32_t *map;
};

static struct target make_target(void)
{
   struct target t;
   VkBufferCreateInfo bi = {VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                            NULL,
                            0,
                            4096,
                            VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            VK_SHARING_MODE_EXCLUSIVE,
                            0,
                            NULL};
   VK(vkCreateBuffer(dev, &bi, NULL, &t.buf));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(dev, t.buf, &req);
   t.mem = alloc(req.size,
                 mem_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT),
                 NULL);
   VK(vkBindBufferMemory(dev, t.buf, t.mem, 0));
   VK(vkMapMemory(dev, t.mem, 0, VK_WHOLE_SIZE, 0, (void **)&t.map));
   memset(t.map, 0x11, 4096);
   return t;
}

static void free_target(struct target *t)
{
   vkUnmapMemory(dev, t->mem);
   vkDestroyBuffer(dev, t->buf, NULL);
   vkFreeMemory(dev, t->mem, NULL);
}

static VkSemaphore semaphore(VkSemaphoreType type, int exportable)
{
   VkExportSemaphoreCreateInfo ex = {VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO, NULL,
                                     VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT};
   VkSemaphoreTypeCreateInfo ti = {VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
                                   exportable ? &ex : NULL, type, 0};
   VkSemaphoreCreateInfo ci = {VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &ti, 0};
   VkSemaphore s;
   VK(vkCreateSemaphore(dev, &ci, NULL, &s));
   return s;
}

static VkCommandBuffer record(VkCommandPool pool, void (*body)(VkCommandBuffer, void *), void *arg)
{
   VkCommandBufferAllocateInfo ai = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, NULL, pool,
                                     VK_COMMAND_BUFFER_LEVEL_PRIMARY, 1};
   VkCommandBuffer cb;
   VK(vkAllocateCommandBuffers(dev, &ai, &cb));
   VkCommandBufferBeginInfo bi = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, NULL, 0, NULL};
   VK(vkBeginCommandBuffer(cb, &bi));
   body(cb, arg);
   VK(vkEndCommandBuffer(cb));
   return cb;
}

static const uint32_t update_data[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void fill_body(VkCommandBuffer cb, void *arg)
{
   vkCmdFillBuffer(cb, ((struct target *)arg)->buf, 0, 256, 0xdeadbeef);
}

static void update_body(VkCommandBuffer cb, void *arg)
{
   vkCmdUpdateBuffer(cb, ((struct target *)arg)->buf, 512, sizeof(update_data), update_data);
}

static void submit(VkQueue q, VkCommandBuffer cb, VkSemaphore wait, uint64_t wait_value,
                   VkSemaphore signal, uint64_t signal_value, VkFence fence)
{
   VkPipelineStageFlags stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
   VkTimelineSemaphoreSubmitInfo ti = {VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
                                       NULL,
                                       wait ? 1 : 0,
                                       &wait_value,
                                       signal ? 1 : 0,
                                       &signal_value};
   VkSubmitInfo si = {VK_STRUCTURE_TYPE_SUBMIT_INFO,
                      &ti,
                      wait ? 1 : 0,
                      &wait,
                      &stage,
                      cb ? 1 : 0,
                      &cb,
                      signal ? 1 : 0,
                      &signal};
   VK(vkQueueSubmit(q, 1, &si, fence));
}

static int filled(const struct target *t)
{
   for (int i = 0; i < 64; i++)
      if (t->map[i] != 0xdeadbeef)
         return 0;
   return t->map[64] == 0x11111111;
}

static int updated(const struct target *t)
{
   return !memcmp(t->map + 128, update_data, sizeof(update_data)) && t->map[127] == 0x11111111 &&
          t->map[144] == 0x11111111;
}

static void test_queue(uint32_t family)
{
   VkQueue q;
   vkGetDeviceQueue(dev, family, 0, &q);
   VkCommandPoolCreateInfo pi = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, NULL, 0, family};
   VkCommandPool pool;
   VK(vkCreateCommandPool(dev, &pi, NULL, &pool));
   VkFenceCreateInfo fi = {VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, NULL, 0};
   VkFence fence;
   VK(vkCreateFence(dev, &fi, NULL, &fence));

   /* a fence: unsignalled polls VK_TIMEOUT (the syncobj wait's ETIME), then the fill lands */
   struct target t = make_target();
   VkCommandBuffer fill = record(pool, fill_body, &t), update = record(pool, update_body, &t);
   CHECK(vkWaitForFences(dev, 1, &fence, VK_TRUE, 0) == VK_TIMEOUT);
   submit(q, fill, NULL, 0, NULL, 0, fence);
   VK(vkWaitForFences(dev, 1, &fence, VK_TRUE, FIVE_S));
   CHECK(vkGetFenceStatus(dev, fence) == VK_SUCCESS);
   CHECK(filled(&t));
   VK(vkResetFences(dev, 1, &fence));
   CHECK(vkGetFenceStatus(dev, fence) == VK_NOT_READY);

   /* binary semaphore between two submissions */
   memset(t.map, 0x11, 4096);
   VkSemaphore bin = semaphore(VK_SEMAPHORE_TYPE_BINARY, 0);
   submit(q, fill, NULL, 0, bin, 0, VK_NULL_HANDLE);
   submit(q, update, bin, 0, NULL, 0, fence);
   VK(vkWaitForFences(dev, 1, &fence, VK_TRUE, FIVE_S));
   CHECK(filled(&t) && updated(&t));
   VK(vkResetFences(dev, 1, &fence));

   /* timeline, wait before signal: the submission waits for a point the host signals later */
   memset(t.map, 0x11, 4096);
   VkSemaphore tl = semaphore(VK_SEMAPHORE_TYPE_TIMELINE, 0);
   submit(q, update, tl, 1, tl, 2, VK_NULL_HANDLE);
   usleep(20000);
   CHECK(!updated(&t));
   VkSemaphoreSignalInfo sig = {VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, NULL, tl, 1};
   VK(vkSignalSemaphore(dev, &sig));
   uint64_t two = 2, value = 0;
   VkSemaphoreWaitInfo wi = {VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, NULL, 0, 1, &tl, &two};
   VK(vkWaitSemaphores(dev, &wi, FIVE_S));
   VK(vkGetSemaphoreCounterValue(dev, tl, &value));
   CHECK(value == 2);
   CHECK(updated(&t));

   /* opaque fds: a binary and a timeline semaphore exported and imported into new ones */
   memset(t.map, 0x11, 4096);
   VkSemaphore exb = semaphore(VK_SEMAPHORE_TYPE_BINARY, 1),
               imb = semaphore(VK_SEMAPHORE_TYPE_BINARY, 0);
   VkSemaphoreGetFdInfoKHR gfd = {VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR, NULL, exb,
                                  VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT};
   int fd = -1;
   VK(get_semaphore_fd(dev, &gfd, &fd));
   VkImportSemaphoreFdInfoKHR ifd = {VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR,  NULL, imb, 0,
                                     VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT, fd};
   VK(import_semaphore_fd(dev, &ifd));
   submit(q, fill, NULL, 0, exb, 0, VK_NULL_HANDLE);
   submit(q, update, imb, 0, NULL, 0, fence);
   VK(vkWaitForFences(dev, 1, &fence, VK_TRUE, FIVE_S));
   CHECK(filled(&t) && updated(&t));
   VK(vkResetFences(dev, 1, &fence));

   VkSemaphore ext = semaphore(VK_SEMAPHORE_TYPE_TIMELINE, 1),
               imt = semaphore(VK_SEMAPHORE_TYPE_TIMELINE, 0);
   gfd.semaphore = ext;
   VK(get_semaphore_fd(dev, &gfd, &fd));
   ifd.semaphore = imt;
   ifd.fd = fd;
   VK(import_semaphore_fd(dev, &ifd));
   submit(q, NULL, NULL, 0, ext, 5, VK_NULL_HANDLE); /* an empty submission (sync_file path) */
   uint64_t five = 5;
   wi.pSemaphores = &imt;
   wi.pValues = &five;
   VK(vkWaitSemaphores(dev, &wi, FIVE_S));
   VK(vkGetSemaphoreCounterValue(dev, imt, &value));
   CHECK(value == 5);

   VK(vkQueueWaitIdle(q));
   VK(vkDeviceWaitIdle(dev));
   vkDestroySemaphore(dev, bin, NULL);
   vkDestroySemaphore(dev, tl, NULL);
   vkDestroySemaphore(dev, exb, NULL);
   vkDestroySemaphore(dev, imb, NULL);
   vkDestroySemaphore(dev, ext, NULL);
   vkDestroySemaphore(dev, imt, NULL);
   vkDestroyFence(dev, fence, NULL);
   vkDestroyCommandPool(dev, pool, NULL);
   free_target(&t);
}

/* Wait before signal across queues: the compute queue waits for a timeline point that a later
 * submission on the gfx queue signals (RADV's submit thread blocks in a WAIT_FOR_SUBMIT syncobj
 * wait until the gfx CS has attached the point's fence). */
static void test_cross_queue(uint32_t compute_family)
{
   VkQueue gfx, comp;
   vkGetDeviceQueue(dev, 0, 0, &gfx);
   vkGetDeviceQueue(dev, compute_family, 0, &comp);
   VkCommandPoolCreateInfo pi = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, NULL, 0, 0};
   VkCommandPool gpool, cpool;
   VK(vkCreateCommandPool(dev, &pi, NULL, &gpool));
   pi.queueFamilyIndex = compute_family;
   VK(vkCreateCommandPool(dev, &pi, NULL, &cpool));
   VkFenceCreateInfo fi = {VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, NULL, 0};
   VkFence fence;
   VK(vkCreateFence(dev, &fi, NULL, &fence));
   struct target t = make_target();
   VkCommandBuffer fill = record(gpool, fill_body, &t), update = record(cpool, update_body, &t);
   VkSemaphore tl = semaphore(VK_SEMAPHORE_TYPE_TIMELINE, 0);
   submit(comp, update, tl, 1, NULL, 0, fence);
   usleep(20000);
   CHECK(vkGetFenceStatus(dev, fence) == VK_NOT_READY);
   submit(gfx, fill, NULL, 0, tl, 1, VK_NULL_HANDLE);
   VK(vkWaitForFences(dev, 1, &fence, VK_TRUE, FIVE_S));
   CHECK(filled(&t) && updated(&t));
   VK(vkDeviceWaitIdle(dev));
   vkDestroySemaphore(dev, tl, NULL);
   vkDestroyFence(dev, fence, NULL);
   vkDestroyCommandPool(dev, gpool, NULL);
   vkDestroyCommandPool(dev, cpool, NULL);
   free_target(&t);
}

static const char *result_name(VkResult r)
{
   switch (r) {
   case VK_SUCCESS: return "VK_SUCCESS";
   case VK_TIMEOUT: return "VK_TIMEOUT";
   case VK_NOT_READY: return "VK_NOT_READY";
   case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
   default: return "another VkResult";
   }
}

struct wait_fill {
   VkEvent event;
   struct target *t;
};

/* Blocks on the hardware until the host sets the event (RADV 22.3 radv_CmdWaitEvents emits a
 * WAIT_REG_MEM on the event's memory), then fills. */
static void wait_fill_body(VkCommandBuffer cb, void *arg)
{
   struct wait_fill *w = arg;
   vkCmdWaitEvents(cb, 1, &w->event, VK_PIPELINE_STAGE_HOST_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                   NULL, 0, NULL, 0, NULL);
   fill_body(cb, w->t);
}

/* What an app sees on RADV 22.3 when another context hangs the GPU (VGPU_INJECT=hang@ctx2:job1,
 * VGPU_JOB_TIMEOUT_MS=600: a second VkDevice is a second amdgpu context, radv_amdgpu_ctx_create,
 * and its first submission hangs). The model answers as the kernel does: the hung job -ETIME,
 * this device's job that was blocked on the hardware -ECANCELED (amdgpu_device_gpu_recover,
 * drm_sched_start), the guilty context's next CS -ECANCELED (amdgpu_cs_parser_init). What RADV
 * makes of it is RADV's own code (Mesa 22.3.6 as Debian ships it): radv_amdgpu_cs_submit maps a
 * CS's -ECANCELED to VK_ERROR_DEVICE_LOST; fence waits are syncobj waits, which report
 * signalled, never the fence's error; RADV 22.3 did not query the context's reset state here
 * (no QUERY_STATE2 in the report). Prints each result. */
static void test_reset_by_other_device(const VkDeviceCreateInfo *dci)
{
   VkDevice a = dev, b;
   VkQueue qa, qb;
   vkGetDeviceQueue(a, 0, 0, &qa);
   VkCommandPoolCreateInfo pi = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, NULL, 0, 0};
   VkFenceCreateInfo fi = {VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, NULL, 0};
   VkEventCreateInfo ei = {VK_STRUCTURE_TYPE_EVENT_CREATE_INFO, NULL, 0};
   VkCommandPool pa, pb;
   VkFence fa, fb;
   VK(vkCreateCommandPool(a, &pi, NULL, &pa));
   VK(vkCreateFence(a, &fi, NULL, &fa));
   struct target ta = make_target();
   struct wait_fill wf = {VK_NULL_HANDLE, &ta};
   VK(vkCreateEvent(a, &ei, NULL, &wf.event));
   VkCommandBuffer fill = record(pa, fill_body, &ta), blocked = record(pa, wait_fill_body, &wf);
   submit(qa, fill, VK_NULL_HANDLE, 0, VK_NULL_HANDLE, 0, fa);
   CHECK(vkWaitForFences(a, 1, &fa, VK_TRUE, FIVE_S) == VK_SUCCESS && filled(&ta));

   VK(vkCreateDevice(phys, dci, NULL, &b));
   dev = b;
   vkGetDeviceQueue(b, 0, 0, &qb);
   VK(vkCreateCommandPool(b, &pi, NULL, &pb));
   VK(vkCreateFence(b, &fi, NULL, &fb));
   struct target tb = make_target();
   VkCommandBuffer cbb = record(pb, fill_body, &tb);
   submit(qb, cbb, VK_NULL_HANDLE, 0, VK_NULL_HANDLE, 0, fb); /* the injected hang */
   dev = a;

   /* this app's work is on the hardware, waiting for its event, when the reset comes: it starts
    * half a job timeout (600 ms here) after the hang, so the hang's timeout comes first */
   usleep(300000);
   VK(vkResetFences(a, 1, &fa));
   memset(ta.map, 0x11, 4096);
   submit(qa, blocked, VK_NULL_HANDLE, 0, VK_NULL_HANDLE, 0, fa);
   VkResult hung = vkWaitForFences(b, 1, &fb, VK_TRUE, FIVE_S);
   VK(vkSetEvent(a, wf.event)); /* too late: the job was cancelled by the reset */
   VkResult innocent = vkWaitForFences(a, 1, &fa, VK_TRUE, FIVE_S);
   int innocent_done = filled(&ta);
   /* after the reset: this device goes on, the hung one's next submission */
   VK(vkResetFences(a, 1, &fa));
   memset(ta.map, 0x11, 4096);
   VkSubmitInfo si = {VK_STRUCTURE_TYPE_SUBMIT_INFO, NULL, 0, NULL, NULL, 1, &fill, 0, NULL};
   VkResult submit_after = vkQueueSubmit(qa, 1, &si, fa);
   VkResult wait_after = vkWaitForFences(a, 1, &fa, VK_TRUE, FIVE_S);
   int after_done = filled(&ta);
   si.pCommandBuffers = &cbb;
   VkResult guilty_submit = vkQueueSubmit(qb, 1, &si, VK_NULL_HANDLE);
   printf("RADV on vgpu, another context hangs:\n"
          "  the hung device: vkWaitForFences %s, its next vkQueueSubmit %s\n"
          "  this device, work cancelled on the hardware: vkWaitForFences %s, work done %d\n"
          "  this device after the reset: vkQueueSubmit %s, vkWaitForFences %s, work done %d\n",
          result_name(hung), result_name(guilty_submit), result_name(innocent), innocent_done,
          result_name(submit_after), result_name(wait_after), after_done);
   CHECK(hung == VK_SUCCESS && guilty_submit == VK_ERROR_DEVICE_LOST);
   CHECK(innocent == VK_SUCCESS && !innocent_done); /* the cancelled work reads as success */
   CHECK(submit_after == VK_SUCCESS && wait_after == VK_SUCCESS && after_done);
   dev = b;
   free_target(&tb);
   vkDestroyFence(b, fb, NULL);
   vkDestroyCommandPool(b, pb, NULL);
   vkDestroyDevice(b, NULL);
   dev = a;
   free_target(&ta);
   vkDestroyEvent(a, wf.event, NULL);
   vkDestroyFence(a, fa, NULL);
   vkDestroyCommandPool(a, pa, NULL);
}

int main(int argc, char **argv)
{
   const char *want = argc > 1 ? argv[1] : "RADV";
   VkApplicationInfo app = {
      VK_STRUCTURE_TYPE_APPLICATION_INFO, NULL, "vgpu_test_vulkan", 1, NULL, 0, VK_API_VERSION_1_2};
   VkInstanceCreateInfo ici = {
      VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, NULL, 0, &app, 0, NULL, 0, NULL};
   if (vkCreateInstance(&ici, NULL, &inst) != VK_SUCCESS) {
      printf("SKIPPED: no Vulkan instance\n");
      return 77;
   }
   uint32_t n = 8;
   VkPhysicalDevice pds[8];
   VK(vkEnumeratePhysicalDevices(inst, &n, pds));
   for (uint32_t i = 0; i < n && !phys; i++) {
      VkPhysicalDeviceProperties p;
      vkGetPhysicalDeviceProperties(pds[i], &p);
      printf("device %u: %s\n", i, p.deviceName);
      if (strstr(p.deviceName, want))
         phys = pds[i];
   }
   if (!phys) {
      fprintf(stderr, "FAIL: no device named like '%s' (is libvgpu.so preloaded?)\n", want);
      return 1;
   }
   vkGetPhysicalDeviceMemoryProperties(phys, &memprops);
   uint32_t nf = 8;
   VkQueueFamilyProperties qf[8];
   vkGetPhysicalDeviceQueueFamilyProperties(phys, &nf, qf);
   uint32_t compute_family = UINT32_MAX;
   for (uint32_t i = 0; i < nf; i++)
      if ((qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && !(qf[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
         compute_family = i;
   float prio = 1.0f;
   VkDeviceQueueCreateInfo qci[2] = {
      {VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO, NULL, 0, 0, 1, &prio},
      {VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO, NULL, 0, compute_family, 1, &prio},
   };
   const char *exts[] = {"VK_KHR_external_memory_fd", "VK_EXT_external_memory_dma_buf",
                         "VK_KHR_external_semaphore_fd"};
   VkPhysicalDeviceVulkan12Features f12 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
   f12.timelineSemaphore = VK_TRUE;
   VkDeviceCreateInfo dci = {VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                             &f12,
                             0,
                             compute_family != UINT32_MAX ? 2 : 1,
                             qci,
                             0,
                             NULL,
                             3,
                             exts,
                             NULL};
   VK(vkCreateDevice(phys, &dci, NULL, &dev));
   get_memory_fd = (PFN_vkGetMemoryFdKHR)vkGetDeviceProcAddr(dev, "vkGetMemoryFdKHR");
   get_semaphore_fd = (PFN_vkGetSemaphoreFdKHR)vkGetDeviceProcAddr(dev, "vkGetSemaphoreFdKHR");
   import_semaphore_fd =
      (PFN_vkImportSemaphoreFdKHR)vkGetDeviceProcAddr(dev, "vkImportSemaphoreFdKHR");

   if (argc > 2 && !strcmp(argv[2], "reset-by-other")) {
      test_reset_by_other_device(&dci);
      vkDestroyDevice(dev, NULL);
      vkDestroyInstance(inst, NULL);
      printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
      return failures ? 1 : 0;
   }
   test_memory();
   test_dmabuf();
   test_queue(0);
   CHECK(compute_family != UINT32_MAX);
   if (compute_family != UINT32_MAX) {
      test_queue(compute_family);
      test_cross_queue(compute_family);
   }

   vkDestroyDevice(dev, NULL);
   vkDestroyInstance(inst, NULL);
   printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
   return failures ? 1 : 0;
}
