/* Vulkan instance, device, one compute queue, a command pool and the fence every submission
 * waits on. */
#ifndef PM4D_CONVNET_DEV_H
#define PM4D_CONVNET_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

struct pm4d_convnet_dev {
   VkInstance instance;
   VkPhysicalDevice phys;
   VkPhysicalDeviceProperties props;
   VkPhysicalDeviceMemoryProperties mem;
   VkDevice device;
   uint32_t queue_family;
   VkQueue queue;
   VkCommandPool pool;
   VkCommandBuffer xfer; /* staging copies; re-recorded for each */
   VkFence fence;
   /* PM4D_CONVNET_FORCE_STAGING=1: never map storage buffers, even host-visible ones, so that
    * lavapipe exercises the staging path a discrete GPU takes. */
   bool force_staging;
};

/* Creates the instance and returns how many physical devices it has. */
VkResult pm4d_convnet_dev_open_instance(struct pm4d_convnet_dev *dev, uint32_t *count);

/* Creates the device on physical device index (< count) with a compute queue. */
VkResult pm4d_convnet_dev_open_device(struct pm4d_convnet_dev *dev, uint32_t index);

/* Writes the driver's name and version text (VK_KHR_driver_properties: "radv Mesa 22.3.6") to
 * buf, or "unknown (no VK_KHR_driver_properties)". Call after open_device. */
void pm4d_convnet_dev_driver(const struct pm4d_convnet_dev *dev, char *buf, size_t size);

/* A primary command buffer from dev->pool (freed with the pool). */
VkResult pm4d_convnet_dev_alloc_cmd(struct pm4d_convnet_dev *dev, VkCommandBuffer *cb);

/* Submits cb with the fence, waits for it (deadline PM4D_CONVNET_FENCE_TIMEOUT_NS) and resets
 * it. */
VkResult pm4d_convnet_dev_submit_wait(struct pm4d_convnet_dev *dev, VkCommandBuffer cb);

/* Destroys whatever was created; safe on a partly opened or zeroed struct. */
void pm4d_convnet_dev_close(struct pm4d_convnet_dev *dev);

#endif
