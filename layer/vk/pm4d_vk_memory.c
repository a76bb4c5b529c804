/* Device memory: allocation records, and on devices with a back end the memory the direct
 * path may touch. sim (host addresses): the layer maps every host-visible allocation once and
 * registers that mapping; the app's vkMapMemory / vkUnmapMemory then hand out pointers into it
 * without calling the driver (flush / invalidate still go to the driver: offsets are the
 * same). amdgpu (GPU addresses in RADV's VM, which the back end shares): every allocation gets
 * VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT and nothing else; the layer never exports memory the
 * app did not make exportable (README.md, "Memory", says why). */
#include <stdlib.h>
#include <string.h>
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

/* Sizes of the VkMemoryAllocateInfo extension structures a chain may hold before the app's
 * VkMemoryAllocateFlagsInfo (vulkan_core.h 1.3.239, "Valid Usage (Implicit)" of
 * VkMemoryAllocateInfo, the ones a Linux driver can take); 0: unknown. */
static size_t alloc_struct_size(VkStructureType type)
{
   switch (type) {
   case VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO:
      return sizeof(VkMemoryDedicatedAllocateInfo);
   case VK_STRUCTURE_TYPE_DEDICATED_ALLOCATION_MEMORY_ALLOCATE_INFO_NV:
      return sizeof(VkDedicatedAllocationMemoryAllocateInfoNV);
   case VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO: return sizeof(VkExportMemoryAllocateInfo);
   case VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR: return sizeof(VkImportMemoryFdInfoKHR);
   case VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT:
      return sizeof(VkImportMemoryHostPointerInfoEXT);
   case VK_STRUCTURE_TYPE_MEMORY_OPAQUE_CAPTURE_ADDRESS_ALLOCATE_INFO:
      return sizeof(VkMemoryOpaqueCaptureAddressAllocateInfo);
   case VK_STRUCTURE_TYPE_MEMORY_PRIORITY_ALLOCATE_INFO_EXT:
      return sizeof(VkMemoryPriorityAllocateInfoEXT);
   default: return 0;
   }
}

/* Room for the copied head of an allocation chain (each known structure is at most 32 bytes). */
#define CHAIN_COPY_MAX 8
struct chain_copy {
   VkMemoryAllocateFlagsInfo flags;
   union {
      VkBaseOutStructure base;
      uint64_t bytes[4];
   } head[CHAIN_COPY_MAX];
};

/* info with VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT added: the app's structures are never
 * written (they may be const); a VkMemoryAllocateFlagsInfo of the app's is replaced by a copy,
 * and the structures before it are copied to link to that copy. false: a structure the layer
 * does not know comes first, info stays the app's. */
static bool with_device_address(VkMemoryAllocateInfo *info, struct chain_copy *c)
{
   const VkMemoryAllocateFlagsInfo *app =
      find_struct(info->pNext, VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO);
   if (app && (app->flags & VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT))
      return true;
   if (!app) {
      c->flags = (VkMemoryAllocateFlagsInfo){VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
                                             info->pNext, VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT, 0};
      info->pNext = &c->flags;
      return true;
   }
   c->flags = *app;
   c->flags.flags |= VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
   const void **link = &info->pNext;
   unsigned n = 0;
   for (const VkBaseInStructure *s = info->pNext; s != (const void *)app; s = s->pNext) {
      size_t size = alloc_struct_size(s->sType);
      if (!size || n == CHAIN_COPY_MAX)
         return false;
      memcpy(&c->head[n], s, size);
      *link = &c->head[n];
      link = (const void **)&c->head[n].base.pNext;
      n++;
   }
   *link = &c->flags;
   return true;
}

/* Where the BO behind an amdgpu allocation stands for the layer's submissions. */
enum residency {
   /* RADV gives a BO that is neither exported nor imported AMDGPU_GEM_CREATE_VM_ALWAYS_VALID
    * once buffer device addresses are on (radv_alloc_memory: RADEON_FLAG_PREFER_LOCAL_BO with
    * use_global_bo_list); the kernel validates such per-VM BOs for every submission on the VM
    * and fences them through the VM's reservation (amdgpu_cs.c, amdgpu_cs_parser_bos /
    * amdgpu_vm_validate): resident for ours with no BO-list entry. */
   RESIDENT_IN_VM,
   /* Exported by the app as an fd: the layer asks for one too and lists the BO. */
   LISTED_BY_FD,
   /* Imported, dedicated, or exportable only as a handle type the back end cannot import: the
    * layer cannot name the BO, so jobs on it pass through. */
   NOT_REACHABLE,
};

static enum residency amdgpu_residency(const VkMemoryAllocateInfo *ai,
                                       VkExternalMemoryHandleTypeFlagBits *fd_type)
{
   const VkImportMemoryFdInfoKHR *imp =
      find_struct(ai->pNext, VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR);
   const VkImportMemoryHostPointerInfoEXT *host =
      find_struct(ai->pNext, VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT);
   const VkExportMemoryAllocateInfo *exp =
      find_struct(ai->pNext, VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO);
   const VkMemoryDedicatedAllocateInfo *ded =
      find_struct(ai->pNext, VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO);
   if ((imp && imp->handleType) || (host && host->handleType))
      return NOT_REACHABLE;
   if (exp && exp->handleTypes) {
      /* On RADV both are the BO's dma-buf (radv_GetMemoryFdKHR). */
      *fd_type = exp->handleTypes & VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT
                    ? VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT
                    : VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
      return exp->handleTypes & *fd_type ? LISTED_BY_FD : NOT_REACHABLE;
   }
   /* Mesa of 2018 kept dedicated allocations out of the per-VM set; whether RADV 22.3 still
    * does is not verified here, so they are not relied on. */
   if (ded && (ded->image || ded->buffer))
      return NOT_REACHABLE;
   return RESIDENT_IN_VM;
}

/* Registers an amdgpu allocation by its residency; false: its jobs pass through. */
static bool register_gpu_memory(struct pm4d_vk_device *dev, VkDeviceMemory memory,
                                struct pm4d_vk_memory *m, enum residency where,
                                VkExternalMemoryHandleTypeFlagBits fd_type)
{
   int fd = -1;
   if (where == NOT_REACHABLE || !m->device_address)
      return false;
   if (where == LISTED_BY_FD) {
      VkMemoryGetFdInfoKHR gi = {VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR, NULL, memory, fd_type};
      if (!dev->table.GetMemoryFdKHR ||
          dev->table.GetMemoryFdKHR(dev->handle, &gi, &fd) != VK_SUCCESS)
         return false;
   }
   enum pm4d_direct_status st =
      pm4d_direct_memory_register(dev->redirect->direct, (uint64_t)memory, NULL, m->size, fd);
   if (fd >= 0)
      close(fd); /* the back end imported its own reference */
   return st == PM4D_DIRECT_OK;
}

/* sim: the layer's own mapping of a host-visible allocation, registered. */
static bool register_host_memory(struct pm4d_vk_device *dev, VkDeviceMemory memory,
                                 struct pm4d_vk_memory *m)
{
   struct pm4d_vk_redirect *rd = dev->redirect;
   if (!host_visible(rd, m->type_index) ||
       dev->table.MapMemory(dev->handle, memory, 0, VK_WHOLE_SIZE, 0, &m->host) != VK_SUCCESS) {
      m->host = NULL;
      return false;
   }
   if (pm4d_direct_memory_register(rd->direct, (uint64_t)memory, m->host, m->size, -1) ==
       PM4D_DIRECT_OK)
      return true;
   dev->table.UnmapMemory(dev->handle, memory);
   m->host = NULL;
   return false;
}

VkResult pm4d_hook_AllocateMemory(VkDevice device, const VkMemoryAllocateInfo *pAllocateInfo,
                                  const VkAllocationCallbacks *pAllocator, VkDeviceMemory *pMemory)
{
   pm4d_counter_inc(PM4D_CTR_vkAllocateMemory);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkAllocateMemory", VK_ERROR_INITIALIZATION_FAILED);
   const bool gpu = dev->redirect && dev->redirect->space == PM4D_ADDR_GPU_VA;
   VkMemoryAllocateInfo info = *pAllocateInfo;
   struct chain_copy copy;
   bool device_address = gpu && with_device_address(&info, &copy);
   if (gpu && !device_address)
      PM4D_LOG_ONCE(PM4D_LOG_WARN,
                    "vkAllocateMemory: an extension structure the layer does not know precedes "
                    "the app's VkMemoryAllocateFlagsInfo; allocation left as asked, its jobs pass "
                    "through");
   VkResult res = dev->table.AllocateMemory(device, &info, pAllocator, pMemory);
   if (res != VK_SUCCESS)
      return res;
   struct pm4d_vk_memory *m = pm4d_calloc(1, sizeof(*m));
   if (!m) {
      PM4D_VK_UNTRACKED("vkAllocateMemory: out of memory; allocation not tracked");
      return res;
   }
   m->size = pAllocateInfo->allocationSize;
   m->type_index = pAllocateInfo->memoryTypeIndex;
   m->device_address = device_address;
   if (gpu) {
      VkExternalMemoryHandleTypeFlagBits fd_type = 0;
      enum residency where = amdgpu_residency(pAllocateInfo, &fd_type);
      m->registered = register_gpu_memory(dev, *pMemory, m, where, fd_type);
      if (!m->registered)
         PM4D_LOG_ONCE(PM4D_LOG_INFO,
                       "memory the back end cannot reach (%s); jobs on it pass through",
                       where == NOT_REACHABLE ? "imported, dedicated or not exportable as an fd"
                                              : "registration failed");
   } else if (dev->redirect) {
      m->registered = register_host_memory(dev, *pMemory, m);
      if (!m->registered)
         PM4D_LOG_ONCE(PM4D_LOG_INFO,
                       "memory not registered with the direct path (not host-visible or not "
                       "mappable); its jobs pass through");
   }
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
