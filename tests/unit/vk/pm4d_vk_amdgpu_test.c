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
 *   memory is not registered. */
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
   ops = *rec_ops();
   ops.syncobj_fd_to_handle = check_fd_to_handle;
   pm4d_direct_test_amdgpu_ops(&ops);
   struct pm4d_direct *d = NULL;
   char reason[256];
   if (fix_direct_create(false, &d, reason, sizeof(reason)) != PM4D_DIRECT_OK) {
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
   CHECKF(rd->space == PM4D_ADDR_GPU_VA, "%s", "amdgpu jobs use GPU addresses");

   test_buffers();
   test_memory(dev);
   test_bridge(dev);

   pm4d_vk_redirect_detach(dev); /* queues, direct path */
   pm4d_vk_fake_device_destroy(dev);
   pm4d_direct_test_amdgpu_ops(NULL);
   CHECKF(rec_all_released(), "%s", "everything the back end took from libdrm released");
   return pm4d_check_finish("amdgpu glue (bridge fd, device addresses, residency)");
}
