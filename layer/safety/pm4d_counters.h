/* Process-wide event counters (relaxed atomics), listed once in PM4D_COUNTERS. */
#ifndef PM4D_COUNTERS_H
#define PM4D_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

/* X(name): one counter per intercepted Vulkan entry point (named after it), then the layer's
 * own events. Later parts (redirect, fallback, watchdog) add their counters at the end. */
#define PM4D_COUNTERS(X)                                                                       \
  X(vkCreateInstance)                                                                          \
  X(vkDestroyInstance)                                                                         \
  X(vkCreateDevice)                                                                            \
  X(vkDestroyDevice)                                                                           \
  X(vkCreateShaderModule)                                                                      \
  X(vkDestroyShaderModule)                                                                     \
  X(vkCreateComputePipelines)                                                                  \
  X(vkDestroyPipeline)                                                                         \
  X(vkCreateDescriptorSetLayout)                                                               \
  X(vkDestroyDescriptorSetLayout)                                                              \
  X(vkCreatePipelineLayout)                                                                    \
  X(vkDestroyPipelineLayout)                                                                   \
  X(vkDestroyDescriptorPool)                                                                   \
  X(vkResetDescriptorPool)                                                                     \
  X(vkAllocateDescriptorSets)                                                                  \
  X(vkFreeDescriptorSets)                                                                      \
  X(vkUpdateDescriptorSets)                                                                    \
  X(vkCreateDescriptorUpdateTemplate)                                                          \
  X(vkDestroyDescriptorUpdateTemplate)                                                         \
  X(vkUpdateDescriptorSetWithTemplate)                                                         \
  X(vkCreateBuffer)                                                                            \
  X(vkDestroyBuffer)                                                                           \
  X(vkBindBufferMemory)                                                                        \
  X(vkBindBufferMemory2)                                                                       \
  X(vkAllocateMemory)                                                                          \
  X(vkFreeMemory)                                                                              \
  X(vkMapMemory)                                                                               \
  X(vkUnmapMemory)                                                                             \
  X(vkDestroyCommandPool)                                                                      \
  X(vkResetCommandPool)                                                                        \
  X(vkAllocateCommandBuffers)                                                                  \
  X(vkFreeCommandBuffers)                                                                      \
  X(vkBeginCommandBuffer)                                                                      \
  X(vkEndCommandBuffer)                                                                        \
  X(vkResetCommandBuffer)                                                                      \
  X(vkCmdBindPipeline)                                                                         \
  X(vkCmdBindDescriptorSets)                                                                   \
  X(vkCmdPushConstants)                                                                        \
  X(vkCmdPushDescriptorSetKHR)                                                                 \
  X(vkCmdPushDescriptorSetWithTemplateKHR)                                                     \
  X(vkCmdDispatch)                                                                             \
  X(vkCmdDispatchIndirect)                                                                     \
  X(vkCmdDispatchBase)                                                                         \
  X(vkCmdPipelineBarrier)                                                                      \
  X(vkCmdPipelineBarrier2)                                                                     \
  X(vkQueueSubmit)                                                                             \
  X(vkQueueSubmit2)                                                                            \
  /* dispatches recorded with a tracked compute pipeline bound (redirect candidates) */        \
  X(dispatch_tracked)                                                                          \
  /* objects the layer stopped tracking (bad input, unknown pNext, allocation failure) */      \
  X(untracked_objects)                                                                         \
  /* command buffers submitted, and submissions made while the kill file existed */            \
  X(submitted_command_buffers)                                                                 \
  X(submits_while_killed)

enum pm4d_counter {
#define PM4D_COUNTER_ENUM(name) PM4D_CTR_##name,
  PM4D_COUNTERS(PM4D_COUNTER_ENUM)
#undef PM4D_COUNTER_ENUM
  PM4D_CTR_COUNT
};

extern _Atomic uint64_t pm4d_counter_values[PM4D_CTR_COUNT];

static inline void pm4d_counter_add(enum pm4d_counter c, uint64_t n)
{
  atomic_fetch_add_explicit(&pm4d_counter_values[c], n, memory_order_relaxed);
}

static inline void pm4d_counter_inc(enum pm4d_counter c)
{
  pm4d_counter_add(c, 1);
}

uint64_t pm4d_counter_get(enum pm4d_counter c);
const char *pm4d_counter_name(enum pm4d_counter c);
void pm4d_counter_reset_all(void);

#endif
