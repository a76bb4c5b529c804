#include "pm4d_convnet_mem.h"

#include <string.h>

#include "pm4d_convnet_err.h"

/* The first allowed type with every flag of want|prefer, else the first with want: drivers list
 * memory types in their order of preference. UINT32_MAX when none fits. */
static uint32_t pm4d_convnet_mem_type(const VkPhysicalDeviceMemoryProperties *mp, uint32_t bits,
                                      VkMemoryPropertyFlags want, VkMemoryPropertyFlags prefer)
{
   const VkMemoryPropertyFlags tries[2] = {want | prefer, want};
   for (int t = 0; t < 2; t++) {
      for (uint32_t i = 0; i < mp->memoryTypeCount; i++) {
         if ((bits & (1u << i)) && (mp->memoryTypes[i].propertyFlags & tries[t]) == tries[t])
            return i;
      }
   }
   return UINT32_MAX;
}

static VkResult pm4d_convnet_mem_alloc(struct pm4d_convnet_dev *dev, VkDeviceSize size,
                                       VkBufferUsageFlags usage, VkMemoryPropertyFlags want,
                                       VkMemoryPropertyFlags prefer, bool may_map,
                                       struct pm4d_convnet_buf *b)
{
   VkResult res;
   memset(b, 0, sizeof(*b));
   b->size = size;
   const VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = size,
      .usage = usage,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
   };
   PM4D_CONVNET_TRY(res, vkCreateBuffer, dev->device, &bci, NULL, &b->buf);
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(dev->device, b->buf, &req);
   uint32_t type = pm4d_convnet_mem_type(&dev->mem, req.memoryTypeBits, want, prefer);
   if (type == UINT32_MAX) {
      res = pm4d_convnet_err_report("finding a memory type for a buffer",
                                    VK_ERROR_OUT_OF_DEVICE_MEMORY);
      goto fail;
   }
   const VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = req.size,
      .memoryTypeIndex = type,
   };
   PM4D_CONVNET_TRY(res, vkAllocateMemory, dev->device, &mai, NULL, &b->mem);
   PM4D_CONVNET_TRY(res, vkBindBufferMemory, dev->device, b->buf, b->mem, 0);
   VkMemoryPropertyFlags flags = dev->mem.memoryTypes[type].propertyFlags;
   b->coherent = (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0;
   if (may_map && (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
      PM4D_CONVNET_TRY(res, vkMapMemory, dev->device, b->mem, 0, VK_WHOLE_SIZE, 0, &b->map);
   return VK_SUCCESS;
fail:
   pm4d_convnet_mem_destroy(dev, b);
   return res;
}

VkResult pm4d_convnet_mem_create(struct pm4d_convnet_dev *dev, VkDeviceSize size,
                                 struct pm4d_convnet_buf *b)
{
   return pm4d_convnet_mem_alloc(dev, size,
                                 VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, !dev->force_staging, b);
}

void pm4d_convnet_mem_destroy(struct pm4d_convnet_dev *dev, struct pm4d_convnet_buf *b)
{
   if (b->map)
      vkUnmapMemory(dev->device, b->mem);
   if (b->buf)
      vkDestroyBuffer(dev->device, b->buf, NULL);
   if (b->mem)
      vkFreeMemory(dev->device, b->mem, NULL);
   memset(b, 0, sizeof(*b));
}

void pm4d_convnet_mem_barrier(VkCommandBuffer cb, VkBuffer buf, VkPipelineStageFlags src,
                              VkAccessFlags src_access, VkPipelineStageFlags dst,
                              VkAccessFlags dst_access)
{
   const VkBufferMemoryBarrier bmb = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
      .srcAccessMask = src_access,
      .dstAccessMask = dst_access,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .buffer = buf,
      .offset = 0,
      .size = VK_WHOLE_SIZE,
   };
   vkCmdPipelineBarrier(cb, src, dst, 0, 0, NULL, 1, &bmb, 0, NULL);
}

/* Copies between b and a staging buffer through dev->xfer. upload: staging -> b, then make it
 * visible to compute shaders; else: compute writes -> b -> staging -> host. */
static VkResult pm4d_convnet_mem_staged(struct pm4d_convnet_dev *dev, struct pm4d_convnet_buf *b,
                                        struct pm4d_convnet_buf *staging, VkDeviceSize size,
                                        bool upload)
{
   VkResult res;
   const VkCommandBufferBeginInfo begin = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
   };
   PM4D_CONVNET_TRY(res, vkBeginCommandBuffer, dev->xfer, &begin);
   const VkBufferCopy region = {.size = size};
   if (upload) {
      vkCmdCopyBuffer(dev->xfer, staging->buf, b->buf, 1, &region);
      pm4d_convnet_mem_barrier(dev->xfer, b->buf, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                               VK_ACCESS_SHADER_READ_BIT);
   } else {
      pm4d_convnet_mem_barrier(dev->xfer, b->buf, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                               VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_READ_BIT);
      vkCmdCopyBuffer(dev->xfer, b->buf, staging->buf, 1, &region);
      pm4d_convnet_mem_barrier(dev->xfer, staging->buf, VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                               VK_ACCESS_HOST_READ_BIT);
   }
   PM4D_CONVNET_TRY(res, vkEndCommandBuffer, dev->xfer);
   res = pm4d_convnet_dev_submit_wait(dev, dev->xfer);
fail:
   return res;
}

/* Direct mapping when b is host-visible, else a staging buffer of size bytes. */
static VkResult pm4d_convnet_mem_transfer(struct pm4d_convnet_dev *dev, struct pm4d_convnet_buf *b,
                                          void *host, VkDeviceSize size, bool upload)
{
   VkResult res;
   struct pm4d_convnet_buf staging = {0};
   struct pm4d_convnet_buf *mapped = b;
   if (!b->map) {
      res = pm4d_convnet_mem_alloc(
         dev, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
         VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, true, &staging);
      if (res != VK_SUCCESS)
         goto fail;
      mapped = &staging;
   }
   const VkMappedMemoryRange range = {
      .sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
      .memory = mapped->mem,
      .offset = 0,
      .size = VK_WHOLE_SIZE,
   };
   if (upload) {
      memcpy(mapped->map, host, size);
      if (!mapped->coherent)
         PM4D_CONVNET_TRY(res, vkFlushMappedMemoryRanges, dev->device, 1, &range);
      if (mapped == &staging && (res = pm4d_convnet_mem_staged(dev, b, &staging, size, true)))
         goto fail;
   } else {
      if (mapped == &staging && (res = pm4d_convnet_mem_staged(dev, b, &staging, size, false)))
         goto fail;
      if (!mapped->coherent)
         PM4D_CONVNET_TRY(res, vkInvalidateMappedMemoryRanges, dev->device, 1, &range);
      memcpy(host, mapped->map, size);
   }
   res = VK_SUCCESS;
fail:
   pm4d_convnet_mem_destroy(dev, &staging);
   return res;
}

VkResult pm4d_convnet_mem_upload(struct pm4d_convnet_dev *dev, struct pm4d_convnet_buf *b,
                                 const void *src, VkDeviceSize size)
{
   /* The transfer only reads host memory when uploading. */
   return pm4d_convnet_mem_transfer(dev, b, (void *)src, size, true);
}

VkResult pm4d_convnet_mem_download(struct pm4d_convnet_dev *dev, struct pm4d_convnet_buf *b,
                                   void *dst, VkDeviceSize size)
{
   return pm4d_convnet_mem_transfer(dev, b, dst, size, false);
}
