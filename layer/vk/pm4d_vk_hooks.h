/* The entry points the layer intercepts or calls, each listed once. The lists generate the
 * dispatch-table structs, the functions that fill them from the next layer, the hook
 * declarations and the name -> hook table (pm4d_vk_dispatch.c). */
#ifndef PM4D_VK_HOOKS_H
#define PM4D_VK_HOOKS_H

#include <vulkan/vulkan.h>

/* X(name, alias): instance-level functions the layer hooks; alias is the extension name
 * that means the same function, or NULL. */
#define PM4D_VK_INSTANCE_HOOKS(X)                                                              \
  X(CreateInstance, NULL)                                                                      \
  X(DestroyInstance, NULL)                                                                     \
  X(CreateDevice, NULL)                                                                        \
  X(EnumerateDeviceExtensionProperties, NULL)                                                  \
  X(GetInstanceProcAddr, NULL)

/* Instance-level functions the layer only calls. */
#define PM4D_VK_INSTANCE_CALLS(X) X(GetPhysicalDeviceProperties, NULL)

/* Pre-instance functions answered by the layer itself (the loader asks for them by name). */
#define PM4D_VK_GLOBAL_HOOKS(X)                                                                \
  X(EnumerateInstanceLayerProperties, NULL)                                                    \
  X(EnumerateInstanceExtensionProperties, NULL)                                                \
  X(EnumerateDeviceLayerProperties, NULL)

/* Device-level functions the layer hooks (each has a counter of the same name). */
#define PM4D_VK_DEVICE_HOOKS(X)                                                                \
  X(GetDeviceProcAddr, NULL)                                                                   \
  X(DestroyDevice, NULL)                                                                       \
  X(CreateShaderModule, NULL)                                                                  \
  X(DestroyShaderModule, NULL)                                                                 \
  X(CreateComputePipelines, NULL)                                                              \
  X(DestroyPipeline, NULL)                                                                     \
  X(CreateDescriptorSetLayout, NULL)                                                           \
  X(DestroyDescriptorSetLayout, NULL)                                                          \
  X(CreatePipelineLayout, NULL)                                                                \
  X(DestroyPipelineLayout, NULL)                                                               \
  X(DestroyDescriptorPool, NULL)                                                               \
  X(ResetDescriptorPool, NULL)                                                                 \
  X(AllocateDescriptorSets, NULL)                                                              \
  X(FreeDescriptorSets, NULL)                                                                  \
  X(UpdateDescriptorSets, NULL)                                                                \
  X(CreateDescriptorUpdateTemplate, "vkCreateDescriptorUpdateTemplateKHR")                     \
  X(DestroyDescriptorUpdateTemplate, "vkDestroyDescriptorUpdateTemplateKHR")                   \
  X(UpdateDescriptorSetWithTemplate, "vkUpdateDescriptorSetWithTemplateKHR")                   \
  X(CreateBuffer, NULL)                                                                        \
  X(DestroyBuffer, NULL)                                                                       \
  X(BindBufferMemory, NULL)                                                                    \
  X(BindBufferMemory2, "vkBindBufferMemory2KHR")                                               \
  X(AllocateMemory, NULL)                                                                      \
  X(FreeMemory, NULL)                                                                          \
  X(MapMemory, NULL)                                                                           \
  X(UnmapMemory, NULL)                                                                         \
  X(DestroyCommandPool, NULL)                                                                  \
  X(ResetCommandPool, NULL)                                                                    \
  X(AllocateCommandBuffers, NULL)                                                              \
  X(FreeCommandBuffers, NULL)                                                                  \
  X(BeginCommandBuffer, NULL)                                                                  \
  X(EndCommandBuffer, NULL)                                                                    \
  X(ResetCommandBuffer, NULL)                                                                  \
  X(CmdBindPipeline, NULL)                                                                     \
  X(CmdBindDescriptorSets, NULL)                                                               \
  X(CmdPushConstants, NULL)                                                                    \
  X(CmdPushDescriptorSetKHR, NULL)                                                             \
  X(CmdPushDescriptorSetWithTemplateKHR, NULL)                                                 \
  X(CmdDispatch, NULL)                                                                         \
  X(CmdDispatchIndirect, NULL)                                                                 \
  X(CmdDispatchBase, "vkCmdDispatchBaseKHR")                                                   \
  X(CmdPipelineBarrier, NULL)                                                                  \
  X(CmdPipelineBarrier2, "vkCmdPipelineBarrier2KHR")                                           \
  X(QueueSubmit, NULL)                                                                         \
  X(QueueSubmit2, "vkQueueSubmit2KHR")

/* Hooks are declared from the PFN types so a definition with the wrong signature fails to
 * compile. */
#define PM4D_VK_DECLARE_HOOK(name, alias) extern __typeof__(*(PFN_vk##name)0) pm4d_hook_##name;
PM4D_VK_INSTANCE_HOOKS(PM4D_VK_DECLARE_HOOK)
PM4D_VK_GLOBAL_HOOKS(PM4D_VK_DECLARE_HOOK)
PM4D_VK_DEVICE_HOOKS(PM4D_VK_DECLARE_HOOK)
#undef PM4D_VK_DECLARE_HOOK

#define PM4D_VK_TABLE_MEMBER(name, alias) PFN_vk##name name;

/* The next layer's functions, one table per instance and per device. */
struct pm4d_vk_instance_table {
  PM4D_VK_INSTANCE_HOOKS(PM4D_VK_TABLE_MEMBER)
  PM4D_VK_INSTANCE_CALLS(PM4D_VK_TABLE_MEMBER)
};

struct pm4d_vk_device_table {
  PM4D_VK_DEVICE_HOOKS(PM4D_VK_TABLE_MEMBER)
};

#endif
