/* Instance and device creation and destruction: the dispatch chains. */
#include <stdlib.h>
#include <string.h>

#include "pm4d_config.h"
#include "pm4d_alloc.h"
#include "pm4d_counters.h"
#include "pm4d_log.h"
#include "pm4d_stats.h"
#include "pm4d_vk_dispatch.h"
#include "pm4d_vk_objects.h"
#include "pm4d_vk_redirect.h"

/* The loader's chain link for this layer (VK_LAYER_LINK_INFO), or NULL. */
static VkLayerInstanceCreateInfo *instance_link(const VkInstanceCreateInfo *ci)
{
   for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext) {
      VkLayerInstanceCreateInfo *info = (VkLayerInstanceCreateInfo *)s;
      if (s->sType == VK_STRUCTURE_TYPE_LOADER_INSTANCE_CREATE_INFO &&
          info->function == VK_LAYER_LINK_INFO)
         return info;
   }
   return NULL;
}

static VkLayerDeviceCreateInfo *device_info(const VkDeviceCreateInfo *ci, VkLayerFunction function)
{
   for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext) {
      VkLayerDeviceCreateInfo *info = (VkLayerDeviceCreateInfo *)s;
      if (s->sType == VK_STRUCTURE_TYPE_LOADER_DEVICE_CREATE_INFO && info->function == function)
         return info;
   }
   return NULL;
}

VkResult pm4d_hook_CreateInstance(const VkInstanceCreateInfo *pCreateInfo,
                                  const VkAllocationCallbacks *pAllocator, VkInstance *pInstance)
{
   pm4d_counter_inc(PM4D_CTR_vkCreateInstance);
   VkLayerInstanceCreateInfo *link = instance_link(pCreateInfo);
   if (!link || !link->u.pLayerInfo) {
      pm4d_log(PM4D_LOG_ERROR, "vkCreateInstance: no loader chain info; is the loader too old?");
      return VK_ERROR_INITIALIZATION_FAILED;
   }
   PFN_vkGetInstanceProcAddr next_gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
   PFN_vkCreateInstance next_create = (PFN_vkCreateInstance)next_gipa(NULL, "vkCreateInstance");
   if (!next_create) {
      pm4d_log(PM4D_LOG_ERROR, "vkCreateInstance: next layer has no vkCreateInstance");
      return VK_ERROR_INITIALIZATION_FAILED;
   }
   struct pm4d_vk_instance *inst = pm4d_calloc(1, sizeof(*inst));
   if (!inst || !pm4d_vk_state_reserve()) {
      free(inst);
      return VK_ERROR_OUT_OF_HOST_MEMORY;
   }

   /* Advance the chain for the next layer, and put it back for the app afterwards. */
   VkLayerInstanceLink *mine = link->u.pLayerInfo;
   link->u.pLayerInfo = mine->pNext;
   VkResult res = next_create(pCreateInfo, pAllocator, pInstance);
   link->u.pLayerInfo = mine;
   if (res != VK_SUCCESS)
      goto fail_reserved;

   inst->handle = *pInstance;
   inst->api_version = pCreateInfo->pApplicationInfo && pCreateInfo->pApplicationInfo->apiVersion
                          ? pCreateInfo->pApplicationInfo->apiVersion
                          : VK_API_VERSION_1_0;
   pm4d_vk_dispatch_fill_instance(&inst->table, inst->handle, next_gipa);
   if (!inst->table.DestroyInstance) {
      pm4d_log(PM4D_LOG_ERROR, "vkCreateInstance: next layer has no vkDestroyInstance");
      res = VK_ERROR_INITIALIZATION_FAILED;
      goto fail_reserved;
   }
   if (!pm4d_vk_state_add_instance(inst)) {
      inst->table.DestroyInstance(inst->handle, pAllocator);
      res = VK_ERROR_OUT_OF_HOST_MEMORY;
      goto fail;
   }
   const struct pm4d_config *cfg = pm4d_config_get();
   pm4d_log(PM4D_LOG_INFO, "instance created (%s, back end %s)",
            cfg->disable ? "disabled: forwarding only" : "tracking",
            pm4d_config_backend_name(cfg->backend));
   return VK_SUCCESS;
fail_reserved:
   pm4d_vk_state_unreserve();
fail:
   free(inst);
   return res;
}

void pm4d_hook_DestroyInstance(VkInstance instance, const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyInstance);
   if (!instance)
      return;
   struct pm4d_vk_instance *inst = pm4d_vk_state_take_instance(instance);
   if (!inst) {
      PM4D_LOG_ONCE(PM4D_LOG_ERROR, "vkDestroyInstance: unknown instance, not forwarded");
      return;
   }
   inst->table.DestroyInstance(instance, pAllocator);
   free(inst);
}

VkResult pm4d_hook_CreateDevice(VkPhysicalDevice physicalDevice,
                                const VkDeviceCreateInfo *pCreateInfo,
                                const VkAllocationCallbacks *pAllocator, VkDevice *pDevice)
{
   pm4d_counter_inc(PM4D_CTR_vkCreateDevice);
   VkLayerDeviceCreateInfo *link = device_info(pCreateInfo, VK_LAYER_LINK_INFO);
   VkLayerDeviceCreateInfo *loader_data = device_info(pCreateInfo, VK_LOADER_DATA_CALLBACK);
   struct pm4d_vk_instance *inst = pm4d_vk_state_instance(physicalDevice);
   if (!link || !link->u.pLayerInfo || !inst) {
      pm4d_log(PM4D_LOG_ERROR, "vkCreateDevice: %s",
               inst ? "no loader chain info" : "unknown physical device");
      return VK_ERROR_INITIALIZATION_FAILED;
   }
   PFN_vkGetInstanceProcAddr next_gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
   PFN_vkGetDeviceProcAddr next_gdpa = link->u.pLayerInfo->pfnNextGetDeviceProcAddr;
   PFN_vkCreateDevice next_create = (PFN_vkCreateDevice)next_gipa(inst->handle, "vkCreateDevice");
   if (!next_create || !next_gdpa) {
      pm4d_log(PM4D_LOG_ERROR, "vkCreateDevice: next layer has no vkCreateDevice");
      return VK_ERROR_INITIALIZATION_FAILED;
   }
   struct pm4d_vk_device *dev = pm4d_calloc(1, sizeof(*dev));
   if (!dev || !pm4d_vk_state_reserve()) {
      free(dev);
      return VK_ERROR_OUT_OF_HOST_MEMORY;
   }

   /* The back end (amdgpu, sim or none) is chosen before the device exists: it decides which
   * features and extensions the device gets. */
   struct pm4d_vk_redirect_plan plan;
   const VkDeviceCreateInfo *ci = pm4d_vk_redirect_plan(inst, physicalDevice, pCreateInfo, &plan);
   VkLayerDeviceLink *mine = link->u.pLayerInfo;
   link->u.pLayerInfo = mine->pNext;
   VkResult res = next_create(physicalDevice, ci, pAllocator, pDevice);
   pm4d_vk_redirect_plan_restore(&plan);
   if (res != VK_SUCCESS && plan.direct) {
      pm4d_log(PM4D_LOG_WARN,
               "device is pass-through: the driver refused the back end's features (%d)", res);
      pm4d_vk_redirect_attach(dev, &plan, false);
      plan.direct = NULL;
      plan.extensions = NULL;
      res = next_create(physicalDevice, pCreateInfo, pAllocator, pDevice);
   }
   link->u.pLayerInfo = mine;
   if (res != VK_SUCCESS) {
      pm4d_vk_redirect_attach(dev, &plan, false);
      goto fail_reserved;
   }

   dev->handle = *pDevice;
   dev->physical = physicalDevice;
   dev->set_loader_data = loader_data ? loader_data->u.pfnSetDeviceLoaderData : NULL;
   dev->tracking = !pm4d_config_get()->disable;
   pm4d_vk_dispatch_fill_device(&dev->table, dev->handle, next_gdpa);
   pthread_mutex_init(&dev->lock, NULL);
   for (unsigned k = 0; k < PM4D_VK_OBJ_COUNT; k++)
      pm4d_map_init(&dev->objects[k]);
   if (!dev->table.DestroyDevice || !pm4d_vk_state_add_device(dev)) {
      pm4d_log(PM4D_LOG_ERROR, "vkCreateDevice: cannot set up the device's state");
      if (dev->table.DestroyDevice)
         dev->table.DestroyDevice(dev->handle, pAllocator); /* the add used the reservation up */
      else
         pm4d_vk_state_unreserve();
      pthread_mutex_destroy(&dev->lock);
      pm4d_vk_redirect_attach(dev, &plan, false);
      res = VK_ERROR_INITIALIZATION_FAILED;
      goto fail;
   }
   /* Before any object of the device exists (memory registration looks at dev->redirect). */
   pm4d_vk_redirect_attach(dev, &plan, true);
   if (pm4d_log_enabled(PM4D_LOG_INFO) && inst->table.GetPhysicalDeviceProperties) {
      VkPhysicalDeviceProperties props;
      inst->table.GetPhysicalDeviceProperties(physicalDevice, &props);
      pm4d_log(PM4D_LOG_INFO, "device created on %s: %s", props.deviceName,
               dev->redirect ? pm4d_direct_backend_name(dev->redirect->direct) : "pass-through");
   }
   return VK_SUCCESS;
fail_reserved:
   pm4d_vk_state_unreserve();
fail:
   free(dev);
   return res;
}

void pm4d_hook_DestroyDevice(VkDevice device, const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyDevice);
   if (!device)
      return;
   struct pm4d_vk_device *dev = pm4d_vk_state_take_device(device);
   if (!dev) {
      PM4D_LOG_ONCE(PM4D_LOG_ERROR, "vkDestroyDevice: unknown device, not forwarded");
      return;
   }
   pm4d_vk_redirect_detach(dev);
   dev->table.DestroyDevice(device, pAllocator);
   pm4d_vk_objects_release_all(dev);
   pthread_mutex_destroy(&dev->lock);
   free(dev);

   struct pm4d_stats_gauges g;
   pm4d_vk_state_gauges(&g);
   pm4d_stats_report(&g);
}
