/* The library's exports: loader interface 2 negotiation and the two GetProcAddr functions
 * (pm4d_vk_exports.map hides everything else). */
#include <stddef.h>
#include <vulkan/vk_layer.h>

#include "pm4d_vk_hooks.h"

__attribute__((visibility("default"))) VKAPI_ATTR VkResult VKAPI_CALL
vkNegotiateLoaderLayerInterfaceVersion(VkNegotiateLayerInterface *pVersionStruct)
{
   if (!pVersionStruct || pVersionStruct->sType != LAYER_NEGOTIATE_INTERFACE_STRUCT ||
       pVersionStruct->loaderLayerInterfaceVersion < 2)
      return VK_ERROR_INITIALIZATION_FAILED;
   pVersionStruct->loaderLayerInterfaceVersion = 2;
   pVersionStruct->pfnGetInstanceProcAddr = pm4d_hook_GetInstanceProcAddr;
   pVersionStruct->pfnGetDeviceProcAddr = pm4d_hook_GetDeviceProcAddr;
   pVersionStruct->pfnGetPhysicalDeviceProcAddr = NULL;
   return VK_SUCCESS;
}

__attribute__((visibility("default"))) VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vkGetInstanceProcAddr(VkInstance instance, const char *pName)
{
   return pm4d_hook_GetInstanceProcAddr(instance, pName);
}

__attribute__((visibility("default"))) VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vkGetDeviceProcAddr(VkDevice device, const char *pName)
{
   return pm4d_hook_GetDeviceProcAddr(device, pName);
}
