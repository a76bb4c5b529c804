/* The entry points the layer intercepts or calls, each listed once. The lists generate the
 * dispatch-table structs, the functions that fill them from the next layer, the hook
 * declarations and the name -> hook table (pm4d_vk_dispatch.c). */
#ifndef PM4D_VK_HOOKS_H
#define PM4D_VK_HOOKS_H

#include <vulkan/vulkan.h>

#include "pm4d_vk_cmd_forwards.h"

/* X(name, alias): instance-level functions the layer hooks; alias is the extension name
 * that means the same function, or NULL. */
#define PM4D_VK_INSTANCE_HOOKS(X)              \
   X(CreateInstance, NULL)                     \
   X(DestroyInstance, NULL)                    \
   X(CreateDevice, NULL)                       \
   X(EnumerateDeviceExtensionProperties, NULL) \
   X(GetInstanceProcAddr, NULL)

/* Instance-level functions the layer only calls. */
#define PM4D_VK_INSTANCE_CALLS(X)                                       \
   X(GetPhysicalDeviceProperties, NULL)                                 \
   X(GetPhysicalDeviceProperties2, "vkGetPhysicalDeviceProperties2KHR") \
   X(GetPhysicalDeviceFeatures2, "vkGetPhysicalDeviceFeatures2KHR")     \
   X(GetPhysicalDeviceMemoryProperties, NULL)                           \
   X(GetPhysicalDeviceExternalSemaphoreProperties,                      \
     "vkGetPhysicalDeviceExternalSemaphorePropertiesKHR")

/* Pre-instance functions answered by the layer itself (the loader asks for them by name). */
#define PM4D_VK_GLOBAL_HOOKS(X)                  \
   X(EnumerateInstanceLayerProperties, NULL)     \
   X(EnumerateInstanceExtensionProperties, NULL) \
   X(EnumerateDeviceLayerProperties, NULL)

/* Device-level functions the layer hooks (each has a counter of the same name). */
#define PM4D_VK_DEVICE_HOOKS(X)                                               \
   X(GetDeviceProcAddr, NULL)                                                 \
   X(DestroyDevice, NULL)                                                     \
   X(CreateShaderModule, NULL)                                                \
   X(DestroyShaderModule, NULL)                                               \
   X(CreateComputePipelines, NULL)                                            \
   X(DestroyPipeline, NULL)                                                   \
   X(CreateDescriptorSetLayout, NULL)                                         \
   X(DestroyDescriptorSetLayout, NULL)                                        \
   X(CreatePipelineLayout, NULL)                                              \
   X(DestroyPipelineLayout, NULL)                                             \
   X(DestroyDescriptorPool, NULL)                                             \
   X(ResetDescriptorPool, NULL)                                               \
   X(AllocateDescriptorSets, NULL)                                            \
   X(FreeDescriptorSets, NULL)                                                \
   X(UpdateDescriptorSets, NULL)                                              \
   X(CreateDescriptorUpdateTemplate, "vkCreateDescriptorUpdateTemplateKHR")   \
   X(DestroyDescriptorUpdateTemplate, "vkDestroyDescriptorUpdateTemplateKHR") \
   X(UpdateDescriptorSetWithTemplate, "vkUpdateDescriptorSetWithTemplateKHR") \
   X(CreateBuffer, NULL)                                                      \
   X(DestroyBuffer, NULL)                                                     \
   X(BindBufferMemory, NULL)                                                  \
   X(BindBufferMemory2, "vkBindBufferMemory2KHR")                             \
   X(AllocateMemory, NULL)                                                    \
   X(FreeMemory, NULL)                                                        \
   X(MapMemory, NULL)                                                         \
   X(UnmapMemory, NULL)                                                       \
   X(DestroyCommandPool, NULL)                                                \
   X(ResetCommandPool, NULL)                                                  \
   X(AllocateCommandBuffers, NULL)                                            \
   X(FreeCommandBuffers, NULL)                                                \
   X(BeginCommandBuffer, NULL)                                                \
   X(EndCommandBuffer, NULL)                                                  \
   X(ResetCommandBuffer, NULL)                                                \
   X(QueueSubmit, NULL)                                                       \
   X(QueueSubmit2, "vkQueueSubmit2KHR")                                       \
   X(QueueWaitIdle, NULL)                                                     \
   X(DeviceWaitIdle, NULL)                                                    \
   X(WaitForFences, NULL)                                                     \
   X(CreateCommandPool, NULL)                                                 \
   X(GetFenceStatus, NULL)                                                    \
   X(WaitSemaphores, "vkWaitSemaphoresKHR")                                   \
   X(GetSemaphoreCounterValue, "vkGetSemaphoreCounterValueKHR")

/* The vkCmd* functions the layer hooks (each has a counter of the same name). They only keep
 * the state a redirect reads and count: on a device without a back end the app gets the next
 * layer's functions instead (no call through the layer while recording; STYLE.md 5), unless
 * PM4DIRECT_DEBUG=1 asks for them to be counted there too. */
#define PM4D_VK_RECORD_HOOKS(X)                       \
   X(CmdBindPipeline, NULL)                           \
   X(CmdBindDescriptorSets, NULL)                     \
   X(CmdPushConstants, NULL)                          \
   X(CmdPushDescriptorSetKHR, NULL)                   \
   X(CmdPushDescriptorSetWithTemplateKHR, NULL)       \
   X(CmdDispatch, NULL)                               \
   X(CmdDispatchIndirect, NULL)                       \
   X(CmdDispatchBase, "vkCmdDispatchBaseKHR")         \
   X(CmdPipelineBarrier, NULL)                        \
   X(CmdPipelineBarrier2, "vkCmdPipelineBarrier2KHR") \
   X(CmdBeginRenderPass, NULL)                        \
   X(CmdBeginRenderPass2, "vkCmdBeginRenderPass2KHR") \
   X(CmdEndRenderPass, NULL)                          \
   X(CmdEndRenderPass2, "vkCmdEndRenderPass2KHR")     \
   X(CmdBeginRendering, "vkCmdBeginRenderingKHR")     \
   X(CmdEndRendering, "vkCmdEndRenderingKHR")

/* The other vkCmd* functions: hooked only on devices with a back end, where a split command
 * buffer records them into its current segment (pm4d_vk_split.c). */
#define PM4D_VK_DEVICE_FORWARDS(X) PM4D_VK_CMD_FORWARD_NAMES(X)

/* Device-level functions the layer only calls (bridge semaphores, its own command buffers,
 * buffer addresses and dma-buf export for amdgpu). */
#define PM4D_VK_DEVICE_CALLS(X)                             \
   X(CreateSemaphore, NULL)                                 \
   X(DestroySemaphore, NULL)                                \
   X(SignalSemaphore, "vkSignalSemaphoreKHR")               \
   X(GetBufferDeviceAddress, "vkGetBufferDeviceAddressKHR") \
   X(GetMemoryFdKHR, NULL)                                  \
   X(GetSemaphoreFdKHR, NULL)                               \
   X(GetBufferMemoryRequirements, NULL)

/* Hooks are declared from the PFN types so a definition with the wrong signature fails to
 * compile. */
#define PM4D_VK_DECLARE_HOOK(name, alias) extern __typeof__(*(PFN_vk##name)0) pm4d_hook_##name;
PM4D_VK_INSTANCE_HOOKS(PM4D_VK_DECLARE_HOOK)
PM4D_VK_GLOBAL_HOOKS(PM4D_VK_DECLARE_HOOK)
PM4D_VK_DEVICE_HOOKS(PM4D_VK_DECLARE_HOOK)
PM4D_VK_RECORD_HOOKS(PM4D_VK_DECLARE_HOOK)
PM4D_VK_DEVICE_FORWARDS(PM4D_VK_DECLARE_HOOK)
#undef PM4D_VK_DECLARE_HOOK

#define PM4D_VK_TABLE_MEMBER(name, alias) PFN_vk##name name;

/* The next layer's functions, one table per instance and per device. */
struct pm4d_vk_instance_table {
   PM4D_VK_INSTANCE_HOOKS(PM4D_VK_TABLE_MEMBER)
   PM4D_VK_INSTANCE_CALLS(PM4D_VK_TABLE_MEMBER)
};

struct pm4d_vk_device_table {
   PM4D_VK_DEVICE_HOOKS(PM4D_VK_TABLE_MEMBER)
   PM4D_VK_RECORD_HOOKS(PM4D_VK_TABLE_MEMBER)
   PM4D_VK_DEVICE_FORWARDS(PM4D_VK_TABLE_MEMBER)
   PM4D_VK_DEVICE_CALLS(PM4D_VK_TABLE_MEMBER)
};

#endif
