/* The layer's amdgpu glue against stubs (no AMD GPU here), the back end over the libdrm
 * recorder. Expected values come from the Vulkan spec's valid usage and RADV's allocation rules
 * (radv_alloc_memory), not from the layer:
 * - the bridge timeline semaphore is created exportable as an opaque fd, and that fd, still
 *   open, is what the back end turns into its syncobj (drmSyncobjFDToHandle); the layer closes
 *   its copy afterwards;
 * - every allocation gets VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT (storage buffers get
 *   SHADER_DEVICE_ADDRESS usage: VUID-vkBindBufferMemory-bufferDeviceAddress-03339), including
 *   ggml's, which chains its own VkMemoryAllocateFlagsInfo; the app's structures are never
 *   written (they sit in read-only memory here);
 * - the layer never makes memory exportable (RADV would then give up the always-valid BO);
 *   memory neither exported nor imported is registered as resident in the VM (nothing
 *   imported); memory the app exported is imported by fd and listed; imported or dedicated
 *   memory is not registered;
 * - a memory's GPU VA is learnt at the first bind of a buffer with SHADER_DEVICE_ADDRESS usage:
 *   RADV's buffer address is its memory's BO VA plus the bind offset (radv_BindBufferMemory2,
 *   radv_GetBufferDeviceAddress), which the stubs model; a later bind that disagrees (a driver
 *   that does not work that way) unregisters the memory, its jobs pass through;
 * - after a GPU page fault in the direct path's memory, every wait and status query the app can
 *   make returns VK_ERROR_DEVICE_LOST (vkGetFenceStatus, vkWaitSemaphores,
 *   vkGetSemaphoreCounterValue and their KHR names included); the fault record is looked at
 *   after one of them succeeds with batches kicked since the last look. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pm4d_amdgpu_direct_fixture.h"
#include "pm4d_direct_test.h"
#include "pm4d_drm_recorder.h"
#include "pm4d_vk_fake.h"
#include "pm4d_vk_redirect.h"
#include "pm4d_check.h"

static VkBufferUsageFlags seen_usage;
static bool seen_export, seen_address_flag, seen_priority;
static uint32_t seen_device_mask;
static int fd_calls, last_fd = -1;
static uint64_t next_handle = 0x9000;

static VkResult stub_CreateBuffer(VkDevice d, const VkBufferCreateInfo *ci,
                                  const VkAllocationCallbacks *a, VkBuffer *out)
{
   (void)d, (void)a;
   seen_usage = ci->usage;
   *out = (VkBuffer)next_handle++;
   return VK_SUCCESS;
}

static VkResult stub_AllocateMemory(VkDevice d, const VkMemoryAllocateInfo *ai,
                                    const VkAllocationCallbacks *a, VkDeviceMemory *out)
{
   (void)d, (void)a;
   int flags_structs = 0;
   seen_export = seen_address_flag = seen_priority = false;
   seen_device_mask = 0;
   for (const VkBaseInStructure *s = ai->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO)
         seen_export = ((const VkExportMemoryAllocateInfo *)s)->handleTypes != 0;
      if (s->sType == VK_STRUCTURE_TYPE_MEMORY_PRIORITY_ALLOCATE_INFO_EXT)
         seen_priority = ((const VkMemoryPriorityAllocateInfoEXT *)s)->priority == 0.75f;
      if (s->sType == VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO) {
         const VkMemoryAllocateFlagsInfo *f = (const void *)s;
         flags_structs++;
         seen_address_flag = f->flags & VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
         seen_device_mask = f->deviceMask;
      }
   }
   /* VUID-VkMemoryAllocateInfo-sType-unique */
   if (flags_structs > 1)
      return VK_ERROR_VALIDATION_FAILED_EXT;
   *out = (VkDeviceMemory)next_handle++;
   return VK_SUCCESS;
}

static VkResult stub_GetMemoryFdKHR(VkDevice d, const VkMemoryGetFdInfoKHR *gi, int *fd)
{
   (void)d;
   fd_calls++;
   *fd = last_fd = gi->handleType == VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT
                      ? open("/dev/null", O_RDONLY)
                      : -1;
   return *fd >= 0 ? VK_SUCCESS : VK_ERROR_INVALID_EXTERNAL_HANDLE;
}

static void stub_FreeMemory(VkDevice d, VkDeviceMemory m, const VkAllocationCallbacks *a)
{
   (void)d, (void)m, (void)a;
}

/* RADV's buffer addresses: each VkDeviceMemory one BO, 16 MiB apart from BO_VA (below bit 47,
 * so a fault record's 48-bit page address is the canonical one); a buffer's address is its
 * memory's BO VA plus the bind offset, plus `liar` (a driver that breaks the rule). */
#define BO_VA 0x400000000ull
static uint64_t bo_va(VkDeviceMemory m)
{
   return BO_VA + ((uint64_t)m - 0x9000) * (16u << 20);
}
struct bound {
   VkBuffer buffer;
   uint64_t address;
};
static struct bound binds[16];
static uint32_t nbinds;
static uint64_t liar;

static void bind(VkBuffer buffer, VkDeviceMemory memory, VkDeviceSize offset)
{
   if (nbinds < 16)
      binds[nbinds++] = (struct bound){buffer, bo_va(memory) + offset + liar};
}

static VkResult stub_BindBufferMemory(VkDevice d, VkBuffer b, VkDeviceMemory m, VkDeviceSize o)
{
   (void)d;
   bind(b, m, o);
   return VK_SUCCESS;
}

static VkResult stub_BindBufferMemory2(VkDevice d, uint32_t n, const VkBindBufferMemoryInfo *bi)
{
   (void)d;
   for (uint32_t i = 0; i < n; i++)
      bind(bi[i].buffer, bi[i].memory, bi[i].memoryOffset);
   return VK_SUCCESS;
}

static VkDeviceAddress stub_GetBufferDeviceAddress(VkDevice d, const VkBufferDeviceAddressInfo *ai)
{
   (void)d;
   for (uint32_t i = nbinds; i-- > 0;)
      if (binds[i].buffer == ai->buffer)
         return binds[i].address;
   return 0;
}

/* The driver's answers to the app's status queries and waits. */
static VkResult fence_status = VK_SUCCESS;
static VkResult stub_GetFenceStatus(VkDevice d, VkFence f)
{
   (void)d, (void)f;
   return fence_status;
}

static VkResult stub_WaitSemaphores(VkDevice d, const VkSemaphoreWaitInfo *wi, uint64_t timeout)
{
   (void)d, (void)wi, (void)timeout;
   return VK_SUCCESS;
}

static VkResult stub_GetSemaphoreCounterValue(VkDevice d, VkSemaphore s, uint64_t *value)
{
   (void)d, (void)s;
   *value = 1;
   return VK_SUCCESS;
}

/* The bridge: what the driver was asked for, and the fd it handed out. */
static bool bridge_timeline, bridge_exportable;
static int bridge_fd = -1, bridge_fd_open_at_import = -1;

static VkResult stub_CreateSemaphore(VkDevice d, const VkSemaphoreCreateInfo *ci,
                                     const VkAllocationCallbacks *a, VkSemaphore *out)
{
   (void)d, (void)a;
   for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO)
         bridge_timeline =
            ((const VkSemaphoreTypeCreateInfo *)s)->semaphoreType == VK_SEMAPHORE_TYPE_TIMELINE;
      if (s->sType == VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO)
         bridge_exportable = ((const VkExportSemaphoreCreateInfo *)s)->handleTypes ==
                             VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
   }
   *out = (VkSemaphore)next_handle++;
   return VK_SUCCESS;
}

static void stub_DestroySemaphore(VkDevice d, VkSemaphore s, const VkAllocationCallbacks *a)
{
   (void)d, (void)s, (void)a;
}

static VkResult stub_GetSemaphoreFdKHR(VkDevice d, const VkSemaphoreGetFdInfoKHR *gi, int *fd)
{
   (void)d;
   /* vkGetSemaphoreFdKHR: handleType must be one the semaphore was created exportable with
    * (VUID-VkSemaphoreGetFdInfoKHR-handleType-01132). */
   if (!bridge_exportable || gi->handleType != VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT)
      return VK_ERROR_INVALID_EXTERNAL_HANDLE;
   *fd = bridge_fd = open("/dev/null", O_RDONLY);
   return *fd >= 0 ? VK_SUCCESS : VK_ERROR_TOO_MANY_OBJECTS;
}

/* The recorder's syncobj import, noting whether the fd was still open (the kernel's fget). */
static struct pm4d_drm_ops ops;
static int check_fd_to_handle(int fd, int obj_fd, uint32_t *handle)
{
   bridge_fd_open_at_import = obj_fd >= 0 && fcntl(obj_fd, F_GETFD) != -1;
   if (!bridge_fd_open_at_import)
      return -EBADF;
   return rec_ops()->syncobj_fd_to_handle(fd, obj_fd, handle);
}

static bool registered(struct pm4d_vk_device *dev, VkDeviceMemory memory)
{
   pthread_mutex_lock(&dev->lock);
   const struct pm4d_vk_memory *m =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_MEMORY], (uint64_t)memory);
   bool r = m && m->registered;
   pthread_mutex_unlock(&dev->lock);
   return r;
}

static VkDeviceMemory allocate(const void *chain)
{
   VkMemoryAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .pNext = chain, .allocationSize = 1 << 20};
   VkDeviceMemory memory = VK_NULL_HANDLE;
   CHECKF(pm4d_hook_AllocateMemory(PM4D_VK_FAKE_DEV, &ai, NULL, &memory) == VK_SUCCESS, "%s",
          "vkAllocateMemory");
   return memory;
}

static void test_buffers(void)
{
   VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                            .size = 4096,
                            .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT};
   VkBuffer buffer;
   CHECKF(pm4d_hook_CreateBuffer(PM4D_VK_FAKE_DEV, &bi, NULL, &buffer) == VK_SUCCESS, "%s",
          "vkCreateBuffer");
   CHECKF(seen_usage ==
             (VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT),
          "%s", "storage buffers get SHADER_DEVICE_ADDRESS usage");
   bi.usage = VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT;
   CHECKF(pm4d_hook_CreateBuffer(PM4D_VK_FAKE_DEV, &bi, NULL, &buffer) == VK_SUCCESS, "%s",
          "vkCreateBuffer (uniform)");
   CHECKF(seen_usage == VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, "%s",
          "other buffers are created as the app asked");
}

static void test_memory(struct pm4d_vk_device *dev)
{
   /* The app's structures in a read-only page: a write by the layer faults. */
   long page = sysconf(_SC_PAGESIZE);
   char *ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
   CHECKF(ro != MAP_FAILED, "%s", "mmap");
   if (ro == MAP_FAILED)
      return;
   VkMemoryAllocateFlagsInfo *ggml = (void *)ro;
   *ggml = (VkMemoryAllocateFlagsInfo){.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
                                       .flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT};
   VkMemoryAllocateFlagsInfo *mask = ggml + 1;
   *mask = (VkMemoryAllocateFlagsInfo){.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
                                       .flags = VK_MEMORY_ALLOCATE_DEVICE_MASK_BIT,
                                       .deviceMask = 1};
   VkMemoryPriorityAllocateInfoEXT *prio = (void *)(mask + 1);
   *prio = (VkMemoryPriorityAllocateInfoEXT){.sType =
                                                VK_STRUCTURE_TYPE_MEMORY_PRIORITY_ALLOCATE_INFO_EXT,
                                             .pNext = mask,
                                             .priority = 0.75f};
   VkExportMemoryAllocateInfo *exp = (void *)(prio + 1);
   *exp =
      (VkExportMemoryAllocateInfo){.sType = VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO,
                                   .handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT};
   VkImportMemoryFdInfoKHR *imp = (void *)(exp + 1);
   *imp = (VkImportMemoryFdInfoKHR){.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR,
                                    .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
                                    .fd = 3};
   VkMemoryDedicatedAllocateInfo *ded = (void *)(imp + 1);
   *ded = (VkMemoryDedicatedAllocateInfo){.sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO,
                                          .buffer = (VkBuffer)0x42};
   mprotect(ro, page, PROT_READ);

   int imports = rec.import_count;
   VkDeviceMemory m = allocate(NULL);
   CHECKF(seen_address_flag && !seen_export, "%s",
          "plain allocation: DEVICE_ADDRESS added, not made exportable");
   CHECKF(registered(dev, m) && fd_calls == 0 && rec.import_count == imports, "%s",
          "registered as resident in the VM: no fd, nothing imported");
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, m, NULL);
   CHECKF(!registered(dev, m), "%s", "record gone at vkFreeMemory");

   m = allocate(ggml);
   CHECKF(seen_address_flag && !seen_export && registered(dev, m) && fd_calls == 0, "%s",
          "ggml's own VkMemoryAllocateFlagsInfo: registered, not exported");
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, m, NULL);

   m = allocate(prio);
   CHECKF(seen_address_flag && seen_device_mask == 1 && seen_priority && registered(dev, m), "%s",
          "the app's flags without DEVICE_ADDRESS behind another structure: one flags "
          "structure, DEVICE_ADDRESS added, device mask and priority kept");
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, m, NULL);

   m = allocate(exp);
   CHECKF(seen_export && fd_calls == 1 && rec.import_count == imports + 1, "%s",
          "memory the app exported: the layer asks for its fd once, the back end imports it");
   CHECKF(last_fd >= 0 && fcntl(last_fd, F_GETFD) == -1 && registered(dev, m), "%s",
          "registered, the layer's fd closed");
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, m, NULL);

   m = allocate(imp);
   CHECKF(seen_address_flag && fd_calls == 1 && !registered(dev, m), "%s",
          "imported memory: not registered");
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, m, NULL);
   m = allocate(ded);
   CHECKF(seen_address_flag && fd_calls == 1 && !registered(dev, m), "%s",
          "dedicated memory: not registered");
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, m, NULL);
   munmap(ro, page);
}

static VkBuffer storage_buffer(void)
{
   VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                            .size = 4096,
                            .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT};
   VkBuffer buffer = VK_NULL_HANDLE;
   CHECKF(pm4d_hook_CreateBuffer(PM4D_VK_FAKE_DEV, &bi, NULL, &buffer) == VK_SUCCESS, "%s",
          "vkCreateBuffer");
   return buffer;
}

/* Where the direct path placed memory m: placing it again at the same VA is accepted, at any
 * other refused. */
static bool placed_at(struct pm4d_direct *d, VkDeviceMemory m, uint64_t va)
{
   return pm4d_direct_memory_place(d, (uint64_t)m, va) == PM4D_DIRECT_OK &&
          pm4d_direct_memory_place(d, (uint64_t)m, va + 4096) == PM4D_DIRECT_UNSUPPORTED;
}

static void test_placement(struct pm4d_vk_device *dev, struct pm4d_direct *d)
{
   VkDeviceMemory m = allocate(NULL);
   CHECKF(pm4d_direct_memory_place(d, (uint64_t)m, 0) == PM4D_DIRECT_UNSUPPORTED, "%s",
          "VA 0 is no place");
   VkBuffer b1 = storage_buffer(), b2 = storage_buffer(), b3 = storage_buffer();
   CHECKF(pm4d_hook_BindBufferMemory(PM4D_VK_FAKE_DEV, b1, m, 65536) == VK_SUCCESS, "%s", "bind");
   CHECKF(registered(dev, m) && placed_at(d, m, bo_va(m)), "%s",
          "first bind at offset 64 KiB: the memory placed at the buffer's address - 64 KiB");
   VkBindBufferMemoryInfo bi = {VK_STRUCTURE_TYPE_BIND_BUFFER_MEMORY_INFO, NULL, b2, m, 8192};
   CHECKF(pm4d_hook_BindBufferMemory2(PM4D_VK_FAKE_DEV, 1, &bi) == VK_SUCCESS &&
             registered(dev, m) && placed_at(d, m, bo_va(m)),
          "%s", "a second bind (vkBindBufferMemory2) that agrees: nothing changes");
   liar = 256;
   CHECKF(pm4d_hook_BindBufferMemory(PM4D_VK_FAKE_DEV, b3, m, 0) == VK_SUCCESS &&
             !registered(dev, m) &&
             pm4d_direct_memory_place(d, (uint64_t)m, bo_va(m)) == PM4D_DIRECT_UNSUPPORTED,
          "%s", "a bind that disagrees: the memory unregistered, its jobs pass through");
   liar = 0;
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, m, NULL);
}

/* A GPU page fault in a job's output page (DRM 3.57: the fault record is readable): the device
 * is lost for every wait and status query. */
static int lost_bridge_wait(void *user, uint64_t point, uint64_t timeout_ns)
{
   (void)user, (void)timeout_ns;
   return point <= rec.timeline_value ? 0 : 1;
}

static int lost_bridge_signal(void *user, uint64_t point)
{
   (void)user, (void)point;
   return -1;
}

static void test_lost(struct pm4d_vk_device *dev, struct pm4d_direct *d)
{
   VkDeviceMemory m = allocate(NULL);
   VkBuffer b = storage_buffer();
   pm4d_hook_BindBufferMemory(PM4D_VK_FAKE_DEV, b, m, 0);
   /* the exported bridge: an open fd (the import checks, as the kernel's fget) */
   const struct pm4d_bridge bridge = {.wait = lost_bridge_wait,
                                      .signal = lost_bridge_signal,
                                      .opaque_fd = open("/dev/null", O_RDONLY)};
   struct pm4d_direct_queue *q = NULL;
   CHECKF(pm4d_direct_queue_create(d, &bridge, NULL, &q) == PM4D_DIRECT_OK, "%s", "queue");
   if (!q)
      return;
   /* 1x4x8x8 input, four 3x3 filters, padding 1: every buffer inside the 1 MiB memory. */
   struct pm4d_job job = {.params = {.n = 1, .c = 4, .h = 8, .w = 8, .k = 4, .r = 3, .s = 3}};
   struct pm4d_conv2d_params *p = &job.params;
   p->groups = p->stride_h = p->stride_w = p->pad_h = p->pad_w = p->dil_h = p->dil_w = 1;
   char why[160];
   CHECKF(pm4d_conv2d_params_check(p, why, sizeof(why)), "shape: %s", why);
   job.addr = (struct pm4d_conv2d_buffers){bo_va(m), bo_va(m) + 65536, 0, bo_va(m) + 131072};
   for (int i = 0; i < 4; i++)
      job.memory_ids[i] = i == 2 ? 0 : (uint64_t)m;
   VkSemaphoreWaitInfo wi = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
   uint64_t value = 0;
   char reason[256] = "";
   CHECKF(pm4d_direct_submit(q, &job, 1, 0, 1, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "kick: %s", reason);
   int looks = rec.vm_fault_queries;
   CHECKF(pm4d_hook_GetFenceStatus(PM4D_VK_FAKE_DEV, VK_NULL_HANDLE) == VK_SUCCESS &&
             rec.vm_fault_queries == looks + 1 &&
             pm4d_hook_GetFenceStatus(PM4D_VK_FAKE_DEV, VK_NULL_HANDLE) == VK_SUCCESS &&
             rec.vm_fault_queries == looks + 1,
          "%s", "no fault: the fence signalled, one look after a kick, none without");
   rec.vm_fault_addr = bo_va(m) + 131072; /* the output's page (48-bit, as the kernel records) */
   rec.vm_fault_status = 0x00040100u;     /* write, no valid mapping (gc_10_3_0_sh_mask.h) */
   CHECKF(pm4d_direct_submit(q, &job, 1, 0, 2, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "kick: %s", reason);
   fence_status = VK_NOT_READY;
   CHECKF(pm4d_hook_GetFenceStatus(PM4D_VK_FAKE_DEV, VK_NULL_HANDLE) == VK_NOT_READY &&
             rec.vm_fault_queries == looks + 1,
          "%s", "a fence not signalled yet: no look, not ready");
   CHECKF(pm4d_hook_GetSemaphoreCounterValue(PM4D_VK_FAKE_DEV, VK_NULL_HANDLE, &value) ==
                VK_ERROR_DEVICE_LOST &&
             pm4d_direct_lost(d),
          "%s", "a counter value read after the kick: the fault is seen, the device lost");
   CHECKF(pm4d_hook_GetFenceStatus(PM4D_VK_FAKE_DEV, VK_NULL_HANDLE) == VK_ERROR_DEVICE_LOST &&
             pm4d_hook_WaitSemaphores(PM4D_VK_FAKE_DEV, &wi, 0) == VK_ERROR_DEVICE_LOST &&
             pm4d_hook_GetSemaphoreCounterValue(PM4D_VK_FAKE_DEV, VK_NULL_HANDLE, &value) ==
                VK_ERROR_DEVICE_LOST &&
             pm4d_hook_WaitForFences(PM4D_VK_FAKE_DEV, 0, NULL, VK_TRUE, 0) == VK_ERROR_DEVICE_LOST,
          "%s", "then every status query and wait: VK_ERROR_DEVICE_LOST");
   static const struct {
      const char *name;
      PFN_vkVoidFunction hook;
   } names[] = {
      {"vkGetFenceStatus", (PFN_vkVoidFunction)pm4d_hook_GetFenceStatus},
      {"vkWaitSemaphores", (PFN_vkVoidFunction)pm4d_hook_WaitSemaphores},
      {"vkWaitSemaphoresKHR", (PFN_vkVoidFunction)pm4d_hook_WaitSemaphores},
      {"vkGetSemaphoreCounterValue", (PFN_vkVoidFunction)pm4d_hook_GetSemaphoreCounterValue},
      {"vkGetSemaphoreCounterValueKHR", (PFN_vkVoidFunction)pm4d_hook_GetSemaphoreCounterValue},
   };
   for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
      CHECKF(pm4d_hook_GetDeviceProcAddr(PM4D_VK_FAKE_DEV, names[i].name) == names[i].hook,
             "%s is the layer's", names[i].name);
   fence_status = VK_SUCCESS;
   pm4d_direct_queue_destroy(q);
   close(bridge.opaque_fd);
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, m, NULL);
   (void)dev;
}

static void test_bridge(struct pm4d_vk_device *dev)
{
   static int queue_handle;
   struct pm4d_vk_queue *q = pm4d_vk_queue_get(dev, (VkQueue)&queue_handle, true);
   CHECKF(q != NULL, "%s", "queue with a bridge");
   CHECKF(bridge_timeline && bridge_exportable, "%s",
          "bridge: a timeline semaphore exportable as an opaque fd");
   CHECKF(bridge_fd >= 0 && rec.fd_to_handle_obj_fd == bridge_fd && bridge_fd_open_at_import == 1,
          "the exported fd (%d) reached the back end's syncobj import open (got %d)", bridge_fd,
          rec.fd_to_handle_obj_fd);
   CHECKF(rec.fd_to_handle_fd == REC_DEVICE_FD, "%s", "imported on the shared DRM file");
   CHECKF(bridge_fd >= 0 && fcntl(bridge_fd, F_GETFD) == -1, "%s", "the layer closed its fd");
}

int main(void)
{
   rec_reset();
   rec.drm_minor = 57; /* the fault record is readable (AMDGPU_INFO_GPUVM_FAULT, DRM 3.55+) */
   ops = *rec_ops();
   ops.syncobj_fd_to_handle = check_fd_to_handle;
   pm4d_direct_test_amdgpu_ops(&ops);
   struct pm4d_direct *d = NULL;
   char reason[256];
   /* forced: 3.57 is outside the verified stack */
   if (fix_direct_create(true, &d, reason, sizeof(reason)) != PM4D_DIRECT_OK) {
      printf("SKIPPED: no amdgpu direct path over the recorder: %s\n", reason);
      return 77;
   }
   struct pm4d_vk_device *dev = pm4d_vk_fake_device_create();
   struct pm4d_vk_redirect *rd = calloc(1, sizeof(*rd));
   if (!dev || !rd)
      return 1;
   rd->direct = d;
   rd->space = pm4d_direct_address_space(d);
   rd->memory.memoryTypeCount = 1;
   rd->memory.memoryTypes[0].propertyFlags = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
   dev->redirect = rd;
   dev->table.CreateBuffer = stub_CreateBuffer;
   dev->table.AllocateMemory = stub_AllocateMemory;
   dev->table.GetMemoryFdKHR = stub_GetMemoryFdKHR;
   dev->table.FreeMemory = stub_FreeMemory;
   dev->table.CreateSemaphore = stub_CreateSemaphore;
   dev->table.DestroySemaphore = stub_DestroySemaphore;
   dev->table.GetSemaphoreFdKHR = stub_GetSemaphoreFdKHR;
   dev->table.BindBufferMemory = stub_BindBufferMemory;
   dev->table.BindBufferMemory2 = stub_BindBufferMemory2;
   dev->table.GetBufferDeviceAddress = stub_GetBufferDeviceAddress;
   dev->table.GetFenceStatus = stub_GetFenceStatus;
   dev->table.WaitSemaphores = stub_WaitSemaphores;
   dev->table.GetSemaphoreCounterValue = stub_GetSemaphoreCounterValue;
   CHECKF(rd->space == PM4D_ADDR_GPU_VA, "%s", "amdgpu jobs use GPU addresses");

   test_buffers();
   test_memory(dev);
   test_bridge(dev);
   test_placement(dev, d);
   test_lost(dev, d); /* last: the device stays lost, the path off */

   pm4d_vk_redirect_detach(dev); /* queues, direct path */
   pm4d_vk_fake_device_destroy(dev);
   pm4d_direct_test_amdgpu_ops(NULL);
   CHECKF(rec_all_released(), "%s", "everything the back end took from libdrm released");
   return pm4d_check_finish("amdgpu glue (bridge fd, device addresses, residency)");
}
