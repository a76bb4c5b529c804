/* The layer's amdgpu memory path against stubs (no AMD GPU here): a device whose direct path
 * is the amdgpu back end over the libdrm recorder gets buffers with SHADER_DEVICE_ADDRESS
 * usage, allocations exported as dma-buf with the device-address flag, the fd imported by the
 * back end (recorder: one import) and closed by the layer, unregistered at vkFreeMemory; an
 * allocation whose chain already names its flags is left as the app asked and not registered. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm4d_direct_test.h"
#include "pm4d_drm_recorder.h"
#include "pm4d_vk_fake.h"
#include "pm4d_vk_redirect.h"
#include "pm4d_check.h"

static VkBufferUsageFlags seen_usage;
static bool seen_export, seen_address_flag;
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
   seen_export = seen_address_flag = false;
   for (const VkBaseInStructure *s = ai->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO)
         seen_export = ((const VkExportMemoryAllocateInfo *)s)->handleTypes ==
                       VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
      if (s->sType == VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO)
         seen_address_flag =
            ((const VkMemoryAllocateFlagsInfo *)s)->flags & VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
   }
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

static void batch_failed(void *user, void *queue_user, const struct pm4d_job *jobs, uint32_t count,
                         uint64_t wait_point, uint64_t signal_point, const char *reason)
{
   (void)user, (void)queue_user, (void)jobs, (void)count, (void)wait_point, (void)signal_point,
      (void)reason;
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

int main(void)
{
   rec_reset();
   pm4d_direct_test_amdgpu_ops(rec_ops());
   const struct pm4d_direct_callbacks cb = {.batch_failed = batch_failed};
   struct pm4d_direct_config cfg = {.backend = PM4D_DIRECT_BACKEND_AMDGPU, .pci = {0, 3, 0, 0}};
   struct pm4d_direct *d = NULL;
   char reason[256] = "";
   if (pm4d_direct_create(&cfg, &cb, &d, reason, sizeof(reason)) != PM4D_DIRECT_OK) {
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
   CHECKF(rd->space == PM4D_ADDR_GPU_VA, "%s", "amdgpu jobs use GPU addresses");

   VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                            .size = 4096,
                            .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT};
   VkBuffer buffer;
   CHECKF(pm4d_hook_CreateBuffer(PM4D_VK_FAKE_DEV, &bi, NULL, &buffer) == VK_SUCCESS, "%s",
          "vkCreateBuffer");
   CHECKF(seen_usage ==
             (VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT),
          "%s", "buffers get SHADER_DEVICE_ADDRESS usage");

   int imports = rec.import_count;
   VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                              .allocationSize = 1 << 20};
   VkDeviceMemory memory;
   CHECKF(pm4d_hook_AllocateMemory(PM4D_VK_FAKE_DEV, &ai, NULL, &memory) == VK_SUCCESS, "%s",
          "vkAllocateMemory");
   CHECKF(seen_export && seen_address_flag, "%s",
          "allocation exported as dma-buf with the device-address flag");
   CHECKF(fd_calls == 1 && rec.import_count == imports + 1, "%s",
          "fd exported once and imported by the back end");
   CHECKF(last_fd >= 0 && fcntl(last_fd, F_GETFD) == -1, "%s", "the layer closed its fd");
   CHECKF(registered(dev, memory), "%s", "memory registered with the direct path");
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, memory, NULL);
   CHECKF(!registered(dev, memory), "%s", "record gone at vkFreeMemory");

   VkMemoryAllocateFlagsInfo own = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO};
   ai.pNext = &own;
   CHECKF(pm4d_hook_AllocateMemory(PM4D_VK_FAKE_DEV, &ai, NULL, &memory) == VK_SUCCESS, "%s",
          "vkAllocateMemory (own flags)");
   CHECKF(!seen_export && !seen_address_flag && fd_calls == 1 && !registered(dev, memory), "%s",
          "the app's own allocate flags stand; not registered");
   pm4d_hook_FreeMemory(PM4D_VK_FAKE_DEV, memory, NULL);

   dev->redirect = NULL;
   pm4d_direct_destroy(d);
   free(rd);
   pm4d_vk_fake_device_destroy(dev);
   pm4d_direct_test_amdgpu_ops(NULL);
   return pm4d_check_finish("amdgpu memory path (export, device address, import, unregister)");
}
