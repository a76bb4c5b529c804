/* Storage buffers in device-local memory where the device has it, mapped when that memory is
 * host-visible (lavapipe, resizable BAR), reached through a host-visible staging buffer when it
 * is not (discrete GPUs). */
#ifndef PM4D_CONVNET_MEM_H
#define PM4D_CONVNET_MEM_H

#include <stdbool.h>
#include <vulkan/vulkan.h>

#include "pm4d_convnet_dev.h"

struct pm4d_convnet_buf {
   VkBuffer buf;
   VkDeviceMemory mem;
   VkDeviceSize size;
   void *map;     /* whole allocation, when host-visible */
   bool coherent; /* HOST_COHERENT: no flush or invalidate needed */
};

/* A storage buffer (also a transfer source and destination) of size bytes. */
VkResult pm4d_convnet_mem_create(struct pm4d_convnet_dev *dev, VkDeviceSize size,
                                 struct pm4d_convnet_buf *b);

/* Writes size bytes from src at offset 0, ready for compute-shader reads. */
VkResult pm4d_convnet_mem_upload(struct pm4d_convnet_dev *dev, struct pm4d_convnet_buf *b,
                                 const void *src, VkDeviceSize size);

/* Reads size bytes at offset 0 into dst, after compute-shader writes that have completed. */
VkResult pm4d_convnet_mem_download(struct pm4d_convnet_dev *dev, struct pm4d_convnet_buf *b,
                                   void *dst, VkDeviceSize size);

/* Records a barrier on the whole of buf: src accesses in src stages before dst accesses in dst
 * stages. */
void pm4d_convnet_mem_barrier(VkCommandBuffer cb, VkBuffer buf, VkPipelineStageFlags src,
                              VkAccessFlags src_access, VkPipelineStageFlags dst,
                              VkAccessFlags dst_access);

/* Safe on a zeroed struct. */
void pm4d_convnet_mem_destroy(struct pm4d_convnet_dev *dev, struct pm4d_convnet_buf *b);

#endif
