#include "pm4d_convnet_dev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_convnet_err.h"

/* Generous: a large batch on lavapipe (CPU) takes minutes; a GPU takes milliseconds. */
#define PM4D_CONVNET_FENCE_TIMEOUT_NS (600ull * 1000 * 1000 * 1000)

VkResult pm4d_convnet_dev_open_instance(struct pm4d_convnet_dev *dev, uint32_t *count)
{
   VkResult res;
   memset(dev, 0, sizeof(*dev));
   const VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "convnet",
      .applicationVersion = 1,
      .pEngineName = "pm4direct-convnet",
      .apiVersion = VK_API_VERSION_1_1,
   };
   const VkInstanceCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &app,
   };
   PM4D_CONVNET_TRY(res, vkCreateInstance, &ici, NULL, &dev->instance);
   PM4D_CONVNET_TRY(res, vkEnumeratePhysicalDevices, dev->instance, count, NULL);
   return VK_SUCCESS;
fail:
   return res;
}

void pm4d_convnet_dev_driver(const struct pm4d_convnet_dev *dev, char *buf, size_t size)
{
   /* The struct may be chained only when the device has the extension (core from 1.2). */
   uint32_t n = 0;
   bool has = false;
   VkExtensionProperties *ext = NULL;
   if (vkEnumerateDeviceExtensionProperties(dev->phys, NULL, &n, NULL) == VK_SUCCESS && n &&
       (ext = calloc(n, sizeof(*ext))) &&
       vkEnumerateDeviceExtensionProperties(dev->phys, NULL, &n, ext) == VK_SUCCESS) {
      for (uint32_t i = 0; i < n && !has; i++)
         has = strcmp(ext[i].extensionName, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME) == 0;
   }
   free(ext);
   if (!has) {
      snprintf(buf, size, "unknown (no %s)", VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME);
      return;
   }
   VkPhysicalDeviceDriverProperties drv = {.sType =
                                              VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
   VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                     .pNext = &drv};
   vkGetPhysicalDeviceProperties2(dev->phys, &p2);
   snprintf(buf, size, "%s %s", drv.driverName, drv.driverInfo);
}

VkResult pm4d_convnet_dev_alloc_cmd(struct pm4d_convnet_dev *dev, VkCommandBuffer *cb)
{
   VkResult res;
   const VkCommandBufferAllocateInfo cai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = dev->pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 1,
   };
   PM4D_CONVNET_TRY(res, vkAllocateCommandBuffers, dev->device, &cai, cb);
fail:
   return res;
}

VkResult pm4d_convnet_dev_open_device(struct pm4d_convnet_dev *dev, uint32_t index)
{
   VkResult res;
   uint32_t count = index + 1;
   VkPhysicalDevice *phys = calloc(count, sizeof(*phys));
   VkQueueFamilyProperties *fams = NULL;
   if (!phys) {
      res = pm4d_convnet_err_report("calloc", VK_ERROR_OUT_OF_HOST_MEMORY);
      goto fail;
   }
   /* Asking for index + 1 devices returns VK_INCOMPLETE when there are more: not an error. */
   res = vkEnumeratePhysicalDevices(dev->instance, &count, phys);
   if ((res != VK_SUCCESS && res != VK_INCOMPLETE) || count <= index) {
      if (res == VK_SUCCESS || res == VK_INCOMPLETE)
         res = VK_ERROR_INITIALIZATION_FAILED;
      pm4d_convnet_err_report("vkEnumeratePhysicalDevices", res);
      goto fail;
   }
   dev->phys = phys[index];
   const char *force = getenv("PM4D_CONVNET_FORCE_STAGING");
   dev->force_staging = force && strcmp(force, "1") == 0;
   vkGetPhysicalDeviceProperties(dev->phys, &dev->props);
   vkGetPhysicalDeviceMemoryProperties(dev->phys, &dev->mem);

   uint32_t nfam = 0;
   vkGetPhysicalDeviceQueueFamilyProperties(dev->phys, &nfam, NULL);
   fams = calloc(nfam ? nfam : 1, sizeof(*fams));
   if (!fams) {
      res = pm4d_convnet_err_report("calloc", VK_ERROR_OUT_OF_HOST_MEMORY);
      goto fail;
   }
   vkGetPhysicalDeviceQueueFamilyProperties(dev->phys, &nfam, fams);
   dev->queue_family = UINT32_MAX;
   for (uint32_t i = 0; i < nfam && dev->queue_family == UINT32_MAX; i++) {
      if (fams[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
         dev->queue_family = i;
   }
   if (dev->queue_family == UINT32_MAX) {
      res = pm4d_convnet_err_report("finding a compute queue family", VK_ERROR_FEATURE_NOT_PRESENT);
      goto fail;
   }

   const float priority = 1.0f;
   const VkDeviceQueueCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = dev->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority,
   };
   const VkDeviceCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &qci,
   };
   PM4D_CONVNET_TRY(res, vkCreateDevice, dev->phys, &dci, NULL, &dev->device);
   vkGetDeviceQueue(dev->device, dev->queue_family, 0, &dev->queue);

   const VkCommandPoolCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
      .queueFamilyIndex = dev->queue_family,
   };
   PM4D_CONVNET_TRY(res, vkCreateCommandPool, dev->device, &pci, NULL, &dev->pool);
   if ((res = pm4d_convnet_dev_alloc_cmd(dev, &dev->xfer)) != VK_SUCCESS)
      goto fail;
   const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   PM4D_CONVNET_TRY(res, vkCreateFence, dev->device, &fci, NULL, &dev->fence);
   res = VK_SUCCESS;
fail:
   free(fams);
   free(phys);
   return res;
}

VkResult pm4d_convnet_dev_submit_wait(struct pm4d_convnet_dev *dev, VkCommandBuffer cb)
{
   VkResult res;
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cb,
   };
   PM4D_CONVNET_TRY(res, vkQueueSubmit, dev->queue, 1, &si, dev->fence);
   res = vkWaitForFences(dev->device, 1, &dev->fence, VK_TRUE, PM4D_CONVNET_FENCE_TIMEOUT_NS);
   if (res == VK_ERROR_DEVICE_LOST) /* a lost device stays lost for every status query too */
      fprintf(stderr, "convnet: after the loss vkGetFenceStatus returns %s\n",
              pm4d_convnet_err_name(vkGetFenceStatus(dev->device, dev->fence)));
   if (res != VK_SUCCESS) {
      pm4d_convnet_err_report("vkWaitForFences", res);
      goto fail;
   }
   PM4D_CONVNET_TRY(res, vkResetFences, dev->device, 1, &dev->fence);
fail:
   return res;
}

void pm4d_convnet_dev_close(struct pm4d_convnet_dev *dev)
{
   if (dev->device) {
      /* Nothing useful can be done about a failure here; everything is destroyed anyway. */
      (void)vkDeviceWaitIdle(dev->device);
      if (dev->fence)
         vkDestroyFence(dev->device, dev->fence, NULL);
      if (dev->pool)
         vkDestroyCommandPool(dev->device, dev->pool, NULL);
      vkDestroyDevice(dev->device, NULL);
   }
   if (dev->instance)
      vkDestroyInstance(dev->instance, NULL);
   memset(dev, 0, sizeof(*dev));
}
