/* Process-wide event counters (relaxed atomics), listed once in PM4D_COUNTERS. */
#ifndef PM4D_COUNTERS_H
#define PM4D_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

/* X(name): one counter per intercepted Vulkan entry point (named after it), then the layer's
 * own events. Later parts (redirect, fallback, watchdog) add their counters at the end. */
#define PM4D_COUNTERS(X)                                                                         \
   X(vkCreateInstance)                                                                           \
   X(vkDestroyInstance)                                                                          \
   X(vkCreateDevice)                                                                             \
   X(vkDestroyDevice)                                                                            \
   X(vkCreateShaderModule)                                                                       \
   X(vkDestroyShaderModule)                                                                      \
   X(vkCreateComputePipelines)                                                                   \
   X(vkDestroyPipeline)                                                                          \
   X(vkCreateDescriptorSetLayout)                                                                \
   X(vkDestroyDescriptorSetLayout)                                                               \
   X(vkCreatePipelineLayout)                                                                     \
   X(vkDestroyPipelineLayout)                                                                    \
   X(vkDestroyDescriptorPool)                                                                    \
   X(vkResetDescriptorPool)                                                                      \
   X(vkAllocateDescriptorSets)                                                                   \
   X(vkFreeDescriptorSets)                                                                       \
   X(vkUpdateDescriptorSets)                                                                     \
   X(vkCreateDescriptorUpdateTemplate)                                                           \
   X(vkDestroyDescriptorUpdateTemplate)                                                          \
   X(vkUpdateDescriptorSetWithTemplate)                                                          \
   X(vkCreateBuffer)                                                                             \
   X(vkDestroyBuffer)                                                                            \
   X(vkBindBufferMemory)                                                                         \
   X(vkBindBufferMemory2)                                                                        \
   X(vkAllocateMemory)                                                                           \
   X(vkFreeMemory)                                                                               \
   X(vkMapMemory)                                                                                \
   X(vkUnmapMemory)                                                                              \
   X(vkDestroyCommandPool)                                                                       \
   X(vkResetCommandPool)                                                                         \
   X(vkAllocateCommandBuffers)                                                                   \
   X(vkFreeCommandBuffers)                                                                       \
   X(vkBeginCommandBuffer)                                                                       \
   X(vkEndCommandBuffer)                                                                         \
   X(vkResetCommandBuffer)                                                                       \
   X(vkCmdBindPipeline)                                                                          \
   X(vkCmdBindDescriptorSets)                                                                    \
   X(vkCmdPushConstants)                                                                         \
   X(vkCmdPushDescriptorSetKHR)                                                                  \
   X(vkCmdPushDescriptorSetWithTemplateKHR)                                                      \
   X(vkCmdDispatch)                                                                              \
   X(vkCmdDispatchIndirect)                                                                      \
   X(vkCmdDispatchBase)                                                                          \
   X(vkCmdPipelineBarrier)                                                                       \
   X(vkCmdPipelineBarrier2)                                                                      \
   X(vkQueueSubmit)                                                                              \
   X(vkQueueSubmit2)                                                                             \
   /* dispatches recorded with a tracked compute pipeline bound (redirect candidates) */         \
   X(dispatch_tracked)                                                                           \
   /* objects the layer stopped tracking (bad input, unknown pNext, allocation failure) */       \
   X(untracked_objects)                                                                          \
   /* command buffers submitted, and submissions made while the kill file existed */             \
   X(submitted_command_buffers)                                                                  \
   X(submits_while_killed)                                                                       \
   X(vkQueueWaitIdle)                                                                            \
   X(vkDeviceWaitIdle)                                                                           \
   X(vkWaitForFences)                                                                            \
   X(vkCreateCommandPool)                                                                        \
   X(vkGetFenceStatus)                                                                           \
   X(vkWaitSemaphores)                                                                           \
   X(vkGetSemaphoreCounterValue)                                                                 \
   X(vkCmdBeginRenderPass)                                                                       \
   X(vkCmdBeginRenderPass2)                                                                      \
   X(vkCmdEndRenderPass)                                                                         \
   X(vkCmdEndRenderPass2)                                                                        \
   X(vkCmdBeginRendering)                                                                        \
   X(vkCmdEndRendering)                                                                          \
   /* the other vkCmd* calls of command buffers on devices with a back end */                    \
   X(cmd_forwarded)                                                                              \
   /* redirect: recognised conv2d dispatches recorded, and the jobs made of them */              \
   X(dispatches_recognised)                                                                      \
   X(jobs_recorded)                                                                              \
   /* pass-through by pm4d_conv2d_pt reason (the order of enum pm4d_conv2d_pt), then the */      \
   /* layer's own reasons */                                                                     \
   X(passthrough_malformed_spirv)                                                                \
   X(passthrough_unknown_shader)                                                                 \
   X(passthrough_unsupported_variant)                                                            \
   X(passthrough_unsupported_layout)                                                             \
   X(passthrough_unsupported_dtype)                                                              \
   X(passthrough_missing_push_constants)                                                         \
   X(passthrough_missing_spec_constant)                                                          \
   X(passthrough_missing_buffer)                                                                 \
   X(passthrough_zero_size)                                                                      \
   X(passthrough_negative_size)                                                                  \
   X(passthrough_size_overflow)                                                                  \
   X(passthrough_tensor_too_large)                                                               \
   X(passthrough_empty_output)                                                                   \
   X(passthrough_output_size_mismatch)                                                           \
   X(passthrough_bad_groups)                                                                     \
   X(passthrough_not_contiguous)                                                                 \
   X(passthrough_buffer_too_small)                                                               \
   X(passthrough_no_backend)                                                                     \
   X(passthrough_secondary)                                                                      \
   X(passthrough_render_pass)                                                                    \
   X(passthrough_kill_switch)                                                                    \
   X(passthrough_indirect)                                                                       \
   X(passthrough_unsupported_shape)                                                              \
   X(passthrough_unmapped_memory)                                                                \
   X(passthrough_no_memory)                                                                      \
   /* submission: jobs kicked on the direct path, batches, and batches run by their fallback */  \
   /* command buffers instead (pm4d_direct_status of the failed submit, watchdog, kill file) */  \
   X(dispatches_redirected)                                                                      \
   /* redirected jobs by the kernel variant that ran them (pm4d_conv2d_variant_choose) */        \
   X(kernel_direct)                                                                              \
   X(kernel_1x1)                                                                                 \
   X(kernel_3x3)                                                                                 \
   X(kernel_1x1_small)                                                                           \
   X(kernel_3x3_small)                                                                           \
   X(kernel_1x1_f16)                                                                             \
   X(kernel_3x3_f16)                                                                             \
   X(kernel_1x1_small_f16)                                                                       \
   X(kernel_3x3_small_f16)                                                                       \
   X(kernel_3x3_wino)                                                                            \
   X(direct_batches)                                                                             \
   X(fallback_unavailable)                                                                       \
   X(fallback_unsupported)                                                                       \
   X(fallback_ring_full)                                                                         \
   X(fallback_invalid)                                                                           \
   X(fallback_nomem)                                                                             \
   X(fallback_failed)                                                                            \
   X(fallback_batch_failed)                                                                      \
   X(fallback_kill_file)                                                                         \
   X(fallback_jobs)                                                                              \
   /* driver submissions beyond one per application submission (the chains' links) */            \
   X(extra_driver_submissions)                                                                   \
   /* batches of SIMULTANEOUS_USE command buffers armed on the GPU (layer/vk/pm4d_vk_arm.c): */  \
   /* a command buffer in the link before each, at most one CS more */                           \
   X(gpu_armed_batches)                                                                          \
   X(fallback_other_queue)                                                                       \
   /* safety: direct-path failures as they happen (watchdog, submission), jobs whose batch */    \
   /* fence arrived, auto-disable trips and what it turned away, diagnostics events written */   \
   X(direct_hangs)                                                                               \
   X(direct_faults)                                                                              \
   /* GPU page faults in the direct path's memory read back from the kernel (device lost) */     \
   X(direct_vm_faults)                                                                           \
   X(direct_resets)                                                                              \
   X(direct_validation_failures)                                                                 \
   X(direct_ring_full)                                                                           \
   X(direct_jobs_completed)                                                                      \
   /* amdgpu batches queued because their wait point had no fence attached yet (or behind one */ \
   /* that had none), kicked later by the watchdog, or failed unkicked (batch_failed) */         \
   X(direct_kicks_deferred)                                                                      \
   X(auto_disables)                                                                              \
   X(passthrough_auto_disabled)                                                                  \
   X(fallback_auto_disabled)                                                                     \
   X(diagnostics_written)                                                                        \
   /* folded in when a device's direct path is destroyed: dispatches built from a template or */ \
   /* by the dynamic builder, and the highest ring use of any queue (dwords) */                  \
   X(direct_template_dispatches)                                                                 \
   X(direct_dynamic_dispatches)                                                                  \
   X(ring_high_water_dw)

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

/* Raises counter c to at least v (high-water marks). */
static inline void pm4d_counter_max(enum pm4d_counter c, uint64_t v)
{
   uint64_t cur = atomic_load_explicit(&pm4d_counter_values[c], memory_order_relaxed);
   while (v > cur &&
          !atomic_compare_exchange_weak_explicit(&pm4d_counter_values[c], &cur, v,
                                                 memory_order_relaxed, memory_order_relaxed))
      ;
}

uint64_t pm4d_counter_get(enum pm4d_counter c);
const char *pm4d_counter_name(enum pm4d_counter c);
void pm4d_counter_reset_all(void);

#endif
