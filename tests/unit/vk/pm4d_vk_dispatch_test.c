/* Unit test of the dispatch tables and GetProcAddr: the name -> hook table (aliases included),
 * filling a device table from a next layer that only knows some names, NULL for functions the
 * next layer lacks, recording hooks only on devices with a back end, and forwarding everything
 * with tracking off (PM4DIRECT_DISABLE=1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_vk_dispatch.h"
#include "pm4d_vk_redirect.h"
#include "pm4d_check.h"

static void next_dispatch(VkCommandBuffer c, uint32_t x, uint32_t y, uint32_t z)
{
   (void)c, (void)x, (void)y, (void)z;
}
static VkResult next_submit2(VkQueue q, uint32_t n, const VkSubmitInfo2 *s, VkFence f)
{
   (void)q, (void)n, (void)s, (void)f;
   return VK_SUCCESS;
}
static void next_destroy(VkDevice d, const VkAllocationCallbacks *a)
{
   (void)d, (void)a;
}
static void next_other(void)
{
}

/* A next layer that knows vkCmdDispatch, the KHR name of vkQueueSubmit2 only, vkDestroyDevice
 * and one function the layer does not hook. */
static PFN_vkVoidFunction next_gdpa(VkDevice device, const char *name)
{
   (void)device;
   if (strcmp(name, "vkCmdDispatch") == 0)
      return (PFN_vkVoidFunction)next_dispatch;
   if (strcmp(name, "vkQueueSubmit2KHR") == 0)
      return (PFN_vkVoidFunction)next_submit2;
   if (strcmp(name, "vkDestroyDevice") == 0)
      return (PFN_vkVoidFunction)next_destroy;
   if (strcmp(name, "vkCmdFillBuffer") == 0)
      return (PFN_vkVoidFunction)next_other;
   return NULL;
}

int main(void)
{
   static int loader_table;
   static struct {
      void *loader_dispatch;
   } fake_device = {&loader_table};
   VkDevice device = (VkDevice)&fake_device;

   struct pm4d_vk_device *dev = calloc(1, sizeof(*dev));
   dev->handle = device;
   dev->tracking = true;
   pthread_mutex_init(&dev->lock, NULL);
   pm4d_vk_dispatch_fill_device(&dev->table, device, next_gdpa);
   CHECK(dev->table.CmdDispatch == next_dispatch);
   CHECK(dev->table.QueueSubmit2 == next_submit2); /* found through its KHR alias */
   CHECK(dev->table.CmdPipelineBarrier2 == NULL);
   CHECK(dev->table.GetDeviceProcAddr == next_gdpa);
   CHECK(pm4d_vk_state_add_device(dev));

   /* Recording hooks: the next layer's function on a device without a back end, the hook on
   * one with a back end (only its presence is read here). */
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkCmdDispatch") == (PFN_vkVoidFunction)next_dispatch);
   static struct pm4d_vk_redirect backend;
   dev->redirect = &backend;
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkCmdDispatch") ==
         (PFN_vkVoidFunction)pm4d_hook_CmdDispatch);
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkCmdPipelineBarrier2KHR") == NULL);
   dev->redirect = NULL;
   /* Both names of an aliased function give the one hook. */
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkQueueSubmit2") ==
         (PFN_vkVoidFunction)pm4d_hook_QueueSubmit2);
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkQueueSubmit2KHR") ==
         (PFN_vkVoidFunction)pm4d_hook_QueueSubmit2);
   /* The next layer lacks it: NULL, not a hook that would call NULL. */
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkCmdPipelineBarrier2") == NULL);
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkCmdPipelineBarrier2KHR") == NULL);
   /* Not hooked: the next layer's function. */
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkCmdFillBuffer") == (PFN_vkVoidFunction)next_other);
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkNoSuchFunction") == NULL);
   CHECK(pm4d_hook_GetDeviceProcAddr(device, NULL) == NULL);
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkGetDeviceProcAddr") ==
         (PFN_vkVoidFunction)pm4d_hook_GetDeviceProcAddr);

   /* Tracking off: everything goes straight to the next layer except device teardown. */
   dev->tracking = false;
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkCmdDispatch") == (PFN_vkVoidFunction)next_dispatch);
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkQueueSubmit2") ==
         NULL); /* next knows only the KHR name */
   CHECK(pm4d_hook_GetDeviceProcAddr(device, "vkDestroyDevice") ==
         (PFN_vkVoidFunction)pm4d_hook_DestroyDevice);

   /* Global functions need no instance; instance-level ones do. */
   CHECK(pm4d_hook_GetInstanceProcAddr(VK_NULL_HANDLE, "vkCreateInstance") ==
         (PFN_vkVoidFunction)pm4d_hook_CreateInstance);
   CHECK(pm4d_hook_GetInstanceProcAddr(VK_NULL_HANDLE, "vkGetInstanceProcAddr") ==
         (PFN_vkVoidFunction)pm4d_hook_GetInstanceProcAddr);
   CHECK(pm4d_hook_GetInstanceProcAddr(VK_NULL_HANDLE, "vkEnumerateInstanceLayerProperties") ==
         (PFN_vkVoidFunction)pm4d_hook_EnumerateInstanceLayerProperties);
   CHECK(pm4d_hook_GetInstanceProcAddr(VK_NULL_HANDLE, "vkCreateDevice") == NULL);

   uint32_t n = 0;
   CHECK(pm4d_hook_EnumerateInstanceLayerProperties(&n, NULL) == VK_SUCCESS && n == 1);
   VkLayerProperties props;
   n = 1;
   CHECK(pm4d_hook_EnumerateInstanceLayerProperties(&n, &props) == VK_SUCCESS);
   CHECK(strcmp(props.layerName, PM4D_VK_LAYER_NAME) == 0);
   n = 0;
   CHECK(pm4d_hook_EnumerateInstanceLayerProperties(&n, &props) == VK_INCOMPLETE);
   CHECK(pm4d_hook_EnumerateInstanceExtensionProperties(PM4D_VK_LAYER_NAME, &n, NULL) ==
            VK_SUCCESS &&
         n == 0);
   CHECK(pm4d_hook_EnumerateInstanceExtensionProperties("VK_LAYER_other", &n, NULL) ==
         VK_ERROR_LAYER_NOT_PRESENT);

   CHECK(pm4d_vk_state_take_device(device) == dev);
   pthread_mutex_destroy(&dev->lock);
   free(dev);
   return pm4d_check_finish("pm4d_vk_dispatch_test");
}
