/* Device memory: allocation records, and on devices with a back end the memory the direct
 * path may touch. sim (host addresses): the layer maps every host-visible allocation once and
 * registers that mapping; the app's vkMapMemory / vkUnmapMemory then hand out pointers into it
 * without calling the driver (flush / invalidate still go to the driver: offsets are the
 * same). amdgpu (GPU addresses): allocations are exported as dma-buf and registered by fd,
 * with the device-address flag so vkGetBufferDeviceAddress works for their buffers. */
#include <stdlib.h>
#include <unistd.h>

#include "pm4d_vk_redirect.h"
#include "pm4d_alloc.h"

static bool host_visible(const struct pm4d_vk_redirect *rd, uint32_t type)
{
   return type < rd->memory.memoryTypeCount &&
          (rd->memory.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
}

static const void *find_struct(const void *chain, VkStructureType type)
{
   for (const VkBaseInStructure *s = chain; s; s = s->pNext)
      if (s->sType == type)
         return s;
   return NULL;
}

/* amdgpu: export as dma-buf and allow device addresses, unless the app's chain already says
 * something about either (then its choice stands and the memory is not registered). */
static VkResult allocate_exported(struct pm4d_vk_device *dev, const VkMemoryAllocateInfo *ai,
                                  const VkAllocationCallbacks *pAllocator, VkDeviceMemory *pMemory,
                                  bool *exported)
{
   VkMemoryAllocateInfo info = *ai;
   VkExportMemoryAllocateInfo exp = {VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO, info.pNext,
                                     VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT};
   VkMemoryAllocateFlagsInfo flags = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO, &exp,
                                      VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT, 0};
   *exported = !find_struct(ai->pNext, VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO) &&
               !find_struct(ai->pNext, VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO) &&
               !find_struct(ai->pNext, VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR);
   if (*exported)
      info.pNext = &flags;
   VkResult res = dev->table.AllocateMemory(dev->handle, &info, pAllocator, pMemory);
   if (res != VK_SUCCESS && *exported) {
      /* The type may not allow export: the app's allocation as asked, not registered. */
      *exported = false;
      res = dev->table.AllocateMemory(dev->handle, ai, pAllocator, pMemory);
   }
   return res;
}

/* Registers the allocation with the direct path; false leaves it unregistered (jobs on it pass
 * through as unmapped_memory). */
static bool register_memory(struct pm4d_vk_device *dev, VkDeviceMemory memory,
                            struct pm4d_vk_memory *m, bool exported)
{
   struct pm4d_vk_redirect *rd = dev->redirect;
   int fd = -1;
   if (rd->space == PM4D_ADDR_HOST) {
      if (!host_visible(rd, m->type_index) ||
          dev->table.MapMemory(dev->handle, memory, 0, VK_WHOLE_SIZE, 0, &m->host) != VK_SUCCESS) {
         m->host = NULL;
         return false;
      }
   } else {
      VkMemoryGetFdInfoKHR gi = {VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR, NULL, memory,
                                 VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT};
      if (!exported || !dev->table.GetMemoryFdKHR ||
          dev->table.GetMemoryFdKHR(dev->handle, &gi, &fd) != VK_SUCCESS)
         return false;
   }
   enum pm4d_direct_status st =
      pm4d_direct_memory_register(rd->direct, (uint64_t)memory, m->host, m->size, fd);
   if (fd >= 0)
      close(fd); /* the back end imported its own reference */
   if (st != PM4D_DIRECT_OK)
      PM4D_LOG_ONCE(PM4D_LOG_WARN,
                    "memory not registered with the direct path (%s); its jobs pass through",
                    pm4d_direct_status_name(st));
   m->registered = st == PM4D_DIRECT_OK;
   return m->registered;
}

VkResult pm4d_hook_AllocateMemory(VkDevice device, const VkMemoryAllocateInfo *pAllocateInfo,
                                  const VkAllocationCallbacks *pAllocator, VkDeviceMemory *pMemory)
{
   pm4d_counter_inc(PM4D_CTR_vkAllocateMemory);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkAllocateMemory", VK_ERROR_INITIALIZATION_FAILED);
   bool exported = false;
   VkResult res;
   if (dev->redirect && dev->redirect->space == PM4D_ADDR_GPU_VA)
      res = allocate_exported(dev, pAllocateInfo, pAllocator, pMemory, &exported);
   else
      res = dev->table.AllocateMemory(device, pAllocateInfo, pAllocator, pMemory);
   if (res != VK_SUCCESS)
      return res;
   struct pm4d_vk_memory *m = pm4d_calloc(1, sizeof(*m));
   if (!m) {
      PM4D_VK_UNTRACKED("vkAllocateMemory: out of memory; allocation not tracked");
      return res;
   }
   m->size = pAllocateInfo->allocationSize;
   m->type_index = pAllocateInfo->memoryTypeIndex;
   if (dev->redirect)
      register_memory(dev, *pMemory, m, exported);
   pm4d_vk_object_add(dev, PM4D_VK_OBJ_MEMORY, (uint64_t)*pMemory, m);
   return res;
}

void pm4d_hook_FreeMemory(VkDevice device, VkDeviceMemory memory,
                          const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkFreeMemory);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkFreeMemory", );
   if (memory) {
      pthread_mutex_lock(&dev->lock);
      struct pm4d_vk_memory *m = pm4d_map_take(&dev->objects[PM4D_VK_OBJ_MEMORY], (uint64_t)memory);
      pthread_mutex_unlock(&dev->lock);
      if (m && m->registered)
         pm4d_direct_memory_unregister(dev->redirect->direct, (uint64_t)memory);
      if (m && m->host)
         dev->table.UnmapMemory(device, memory);
      pm4d_vk_object_release(PM4D_VK_OBJ_MEMORY, m);
   }
   dev->table.FreeMemory(device, memory, pAllocator);
}

/* The layer's own mapping of memory, or NULL (the driver maps). */
static void *layer_mapping(struct pm4d_vk_device *dev, VkDeviceMemory memory)
{
   if (!dev->redirect)
      return NULL;
   pthread_mutex_lock(&dev->lock);
   struct pm4d_vk_memory *m = pm4d_map_get(&dev->objects[PM4D_VK_OBJ_MEMORY], (uint64_t)memory);
   void *host = m ? m->host : NULL;
   pthread_mutex_unlock(&dev->lock);
   return host;
}

static void set_mapping(struct pm4d_vk_device *dev, VkDeviceMemory memory, void *ptr,
                        VkDeviceSize offset)
{
   pthread_mutex_lock(&dev->lock);
   struct pm4d_vk_memory *m = pm4d_map_get(&dev->objects[PM4D_VK_OBJ_MEMORY], (uint64_t)memory);
   if (m) {
      m->mapped = ptr;
      m->map_offset = offset;
   }
   pthread_mutex_unlock(&dev->lock);
}

VkResult pm4d_hook_MapMemory(VkDevice device, VkDeviceMemory memory, VkDeviceSize offset,
                             VkDeviceSize size, VkMemoryMapFlags flags, void **ppData)
{
   pm4d_counter_inc(PM4D_CTR_vkMapMemory);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkMapMemory", VK_ERROR_INITIALIZATION_FAILED);
   uint8_t *host = layer_mapping(dev, memory);
   VkResult res = VK_SUCCESS;
   if (host)
      *ppData = host + offset; /* size (or VK_WHOLE_SIZE) lies inside the whole mapping */
   else
      res = dev->table.MapMemory(device, memory, offset, size, flags, ppData);
   if (res == VK_SUCCESS)
      set_mapping(dev, memory, *ppData, offset);
   return res;
}

void pm4d_hook_UnmapMemory(VkDevice device, VkDeviceMemory memory)
{
   pm4d_counter_inc(PM4D_CTR_vkUnmapMemory);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkUnmapMemory", );
   bool layer_owned = layer_mapping(dev, memory) != NULL;
   set_mapping(dev, memory, NULL, 0);
   if (!layer_owned)
      dev->table.UnmapMemory(device, memory);
}
