/* Command buffers: lifecycle, compute-state tracking, dispatches, barriers and submission.
 * This is the recording fast path: no allocation, one thread-local cache hit per command. */
#include "pm4d_vk_cmdbuf.h"
#include "pm4d_alloc.h"

#include <stdlib.h>
#include <string.h>

#include "pm4d_vk_redirect.h"

__thread struct pm4d_vk_cmdbuf_cache pm4d_vk_cmdbuf_cache
   __attribute__((tls_model("initial-exec")));

/* Cold: a cache miss. Returned by value (two registers) so the hooks' fast path keeps nothing
 * on the stack. */
__attribute__((noinline, cold)) struct pm4d_vk_cmdbuf_ref
pm4d_vk_cmdbuf_refresh(VkCommandBuffer handle)
{
   uint64_t gen = atomic_load_explicit(&pm4d_vk_state_generation, memory_order_acquire);
   struct pm4d_vk_cmdbuf_ref ref = {pm4d_vk_state_device(handle), NULL};
   if (!ref.dev) {
      PM4D_LOG_ONCE(PM4D_LOG_ERROR, "command buffer of an unknown device: call dropped");
      return ref;
   }
   pthread_mutex_lock(&ref.dev->lock);
   ref.cb =
      pm4d_map_get(&ref.dev->objects[PM4D_VK_OBJ_COMMAND_BUFFER], (uint64_t)(uintptr_t)handle);
   pthread_mutex_unlock(&ref.dev->lock);
   if (ref.cb) {
      pm4d_vk_cmdbuf_cache.handle = handle;
      pm4d_vk_cmdbuf_cache.generation = gen;
      pm4d_vk_cmdbuf_cache.cb = ref.cb;
   }
   return ref;
}

#define CMDBUF_HOOK(r, handle, name, args) \
   PM4D_VK_CMDBUF_HOOK(r, handle, name, args, PM4D_CTR_vk##name)

/* The lookup for the hooks that return a result: counts the call, sets *r (NULL: untracked),
 * returns the device (NULL: unknown). */
static struct pm4d_vk_device *cmdbuf_lookup(VkCommandBuffer handle, enum pm4d_counter counter,
                                            struct pm4d_vk_cmdbuf **r)
{
   *r = pm4d_vk_cmdbuf_cached(handle);
   struct pm4d_vk_device *dev = *r ? (*r)->dev : NULL;
   if (!*r) {
      struct pm4d_vk_cmdbuf_ref ref = pm4d_vk_cmdbuf_refresh(handle);
      dev = ref.dev;
      *r = ref.cb;
   }
   if (*r)
      (*r)->counts[counter]++;
   else
      pm4d_counter_inc(counter);
   return dev;
}

void pm4d_vk_cmdbuf_flush_counts(struct pm4d_vk_cmdbuf *cb)
{
   for (unsigned i = 0; i < PM4D_CTR_COUNT; i++) {
      if (cb->counts[i]) {
         pm4d_counter_add(i, cb->counts[i]);
         cb->counts[i] = 0;
      }
   }
}

static void reset_state(struct pm4d_vk_cmdbuf *cb)
{
   pm4d_vk_cmdbuf_flush_counts(cb);
   memset(&cb->compute, 0, sizeof(cb->compute));
   cb->in_render_pass = false;
   pm4d_vk_split_release(cb, true);
}

VkResult pm4d_hook_CreateCommandPool(VkDevice device, const VkCommandPoolCreateInfo *pCreateInfo,
                                     const VkAllocationCallbacks *pAllocator,
                                     VkCommandPool *pCommandPool)
{
   pm4d_counter_inc(PM4D_CTR_vkCreateCommandPool);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkCreateCommandPool", VK_ERROR_INITIALIZATION_FAILED);
   VkResult res = dev->table.CreateCommandPool(device, pCreateInfo, pAllocator, pCommandPool);
   if (res != VK_SUCCESS)
      return res;
   struct pm4d_vk_command_pool *p = pm4d_calloc(1, sizeof(*p));
   if (!p) {
      PM4D_VK_UNTRACKED(
         "vkCreateCommandPool: out of memory; pool not tracked (its dispatches pass through)");
      return res;
   }
   p->family = pCreateInfo->queueFamilyIndex;
   p->flags = pCreateInfo->flags;
   pm4d_vk_object_add(dev, PM4D_VK_OBJ_COMMAND_POOL, (uint64_t)*pCommandPool, p);
   return res;
}

VkResult pm4d_hook_AllocateCommandBuffers(VkDevice device,
                                          const VkCommandBufferAllocateInfo *pAllocateInfo,
                                          VkCommandBuffer *pCommandBuffers)
{
   pm4d_counter_inc(PM4D_CTR_vkAllocateCommandBuffers);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkAllocateCommandBuffers",
                            VK_ERROR_INITIALIZATION_FAILED);
   VkResult res = dev->table.AllocateCommandBuffers(device, pAllocateInfo, pCommandBuffers);
   if (res != VK_SUCCESS)
      return res;
   for (uint32_t i = 0; i < pAllocateInfo->commandBufferCount; i++) {
      struct pm4d_vk_cmdbuf *cb = pm4d_calloc(1, sizeof(*cb));
      if (!cb) {
         PM4D_VK_UNTRACKED("vkAllocateCommandBuffers: out of memory; command buffer not tracked");
         continue;
      }
      cb->handle = pCommandBuffers[i];
      cb->cur = cb->handle;
      cb->secondary = pAllocateInfo->level == VK_COMMAND_BUFFER_LEVEL_SECONDARY;
      cb->dev = dev;
      cb->backend = dev->redirect != NULL;
      cb->pool = pAllocateInfo->commandPool;
      pm4d_vk_object_add(dev, PM4D_VK_OBJ_COMMAND_BUFFER, (uint64_t)(uintptr_t)cb->handle, cb);
   }
   return res;
}

void pm4d_hook_FreeCommandBuffers(VkDevice device, VkCommandPool commandPool,
                                  uint32_t commandBufferCount,
                                  const VkCommandBuffer *pCommandBuffers)
{
   pm4d_counter_inc(PM4D_CTR_vkFreeCommandBuffers);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkFreeCommandBuffers", );
   for (uint32_t i = 0; i < commandBufferCount; i++) {
      if (!pCommandBuffers[i])
         continue;
      pthread_mutex_lock(&dev->lock);
      struct pm4d_vk_cmdbuf *cb = pm4d_map_take(&dev->objects[PM4D_VK_OBJ_COMMAND_BUFFER],
                                                (uint64_t)(uintptr_t)pCommandBuffers[i]);
      pthread_mutex_unlock(&dev->lock);
      if (cb)
         pm4d_vk_split_release(cb, true);
      pm4d_vk_object_release(PM4D_VK_OBJ_COMMAND_BUFFER, cb);
   }
   pm4d_vk_state_bump_generation();
   dev->table.FreeCommandBuffers(device, commandPool, commandBufferCount, pCommandBuffers);
}

struct pool_ctx {
   VkCommandPool pool;
   bool destroy; /* true: drop the records; false: reset their state */
};

static bool visit_pool_cmdbuf(void *ctx, uint64_t key, void *value)
{
   (void)key;
   const struct pool_ctx *p = ctx;
   struct pm4d_vk_cmdbuf *cb = value;
   if (cb->pool != p->pool)
      return false;
   if (!p->destroy) {
      reset_state(cb);
      return false;
   }
   pm4d_vk_split_release(cb, true);
   pm4d_vk_object_release(PM4D_VK_OBJ_COMMAND_BUFFER, cb);
   return true;
}

static void visit_pool(struct pm4d_vk_device *dev, VkCommandPool pool, bool destroy)
{
   struct pool_ctx ctx = {pool, destroy};
   pthread_mutex_lock(&dev->lock);
   pm4d_map_remove_if(&dev->objects[PM4D_VK_OBJ_COMMAND_BUFFER], visit_pool_cmdbuf, &ctx);
   pthread_mutex_unlock(&dev->lock);
}

void pm4d_hook_DestroyCommandPool(VkDevice device, VkCommandPool commandPool,
                                  const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyCommandPool);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkDestroyCommandPool", );
   if (commandPool) {
      visit_pool(dev, commandPool, true);
      pm4d_vk_state_bump_generation();
      /* Its command buffers' segments and fallbacks go with the layer's pool. */
      pthread_mutex_lock(&dev->lock);
      struct pm4d_vk_command_pool *p =
         pm4d_map_take(&dev->objects[PM4D_VK_OBJ_COMMAND_POOL], (uint64_t)commandPool);
      pthread_mutex_unlock(&dev->lock);
      if (p && p->shadow)
         dev->table.DestroyCommandPool(device, p->shadow, NULL);
      free(p);
   }
   dev->table.DestroyCommandPool(device, commandPool, pAllocator);
}

VkResult pm4d_hook_ResetCommandPool(VkDevice device, VkCommandPool commandPool,
                                    VkCommandPoolResetFlags flags)
{
   pm4d_counter_inc(PM4D_CTR_vkResetCommandPool);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkResetCommandPool", VK_ERROR_INITIALIZATION_FAILED);
   visit_pool(dev, commandPool, false);
   return dev->table.ResetCommandPool(device, commandPool, flags);
}

VkResult pm4d_hook_BeginCommandBuffer(VkCommandBuffer commandBuffer,
                                      const VkCommandBufferBeginInfo *pBeginInfo)
{
   struct pm4d_vk_cmdbuf *r;
   struct pm4d_vk_device *dev = cmdbuf_lookup(commandBuffer, PM4D_CTR_vkBeginCommandBuffer, &r);
   if (!dev)
      return VK_ERROR_INITIALIZATION_FAILED;
   if (r) {
      reset_state(r);
      r->usage = pBeginInfo->flags;
   }
   return dev->table.BeginCommandBuffer(commandBuffer, pBeginInfo);
}

VkResult pm4d_hook_EndCommandBuffer(VkCommandBuffer commandBuffer)
{
   struct pm4d_vk_cmdbuf *r;
   struct pm4d_vk_device *dev = cmdbuf_lookup(commandBuffer, PM4D_CTR_vkEndCommandBuffer, &r);
   if (!dev)
      return VK_ERROR_INITIALIZATION_FAILED;
   if (!r)
      return dev->table.EndCommandBuffer(commandBuffer);
   pm4d_vk_cmdbuf_flush_counts(r);
   pm4d_vk_split_end(r);
   /* A split command buffer ends its last segment (none when it ended on a batch). */
   VkResult res = r->cur ? dev->table.EndCommandBuffer(r->cur) : VK_SUCCESS;
   return r->broken ? VK_ERROR_OUT_OF_HOST_MEMORY : res;
}

VkResult pm4d_hook_ResetCommandBuffer(VkCommandBuffer commandBuffer,
                                      VkCommandBufferResetFlags flags)
{
   struct pm4d_vk_cmdbuf *r;
   struct pm4d_vk_device *dev = cmdbuf_lookup(commandBuffer, PM4D_CTR_vkResetCommandBuffer, &r);
   if (!dev)
      return VK_ERROR_INITIALIZATION_FAILED;
   if (r)
      reset_state(r);
   return dev->table.ResetCommandBuffer(commandBuffer, flags);
}

void pm4d_hook_CmdBindPipeline(VkCommandBuffer commandBuffer, VkPipelineBindPoint pipelineBindPoint,
                               VkPipeline pipeline)
{
   CMDBUF_HOOK(r, commandBuffer, CmdBindPipeline, (commandBuffer, pipelineBindPoint, pipeline));
   if (pipelineBindPoint == VK_PIPELINE_BIND_POINT_COMPUTE) {
      struct pm4d_vk_compute_state *c = &r->compute;
      pthread_mutex_lock(&r->dev->lock);
      const struct pm4d_vk_pipeline *p =
         pm4d_map_get(&r->dev->objects[PM4D_VK_OBJ_PIPELINE], (uint64_t)pipeline);
      c->pipeline_tracked = p != NULL;
      c->spirv_hash = p ? p->spirv->hash : 0;
      c->pt = p ? p->pt : PM4D_CONV2D_PT_UNKNOWN_SHADER;
      pthread_mutex_unlock(&r->dev->lock);
      c->pipeline = pipeline;
      /* Inside a batch compute binds only update the state a later segment re-records. */
      if (!r->cur)
         return;
   }
   commandBuffer = pm4d_vk_cmdbuf_target(r);
   if (commandBuffer)
      r->dev->table.CmdBindPipeline(commandBuffer, pipelineBindPoint, pipeline);
}

uint32_t pm4d_vk_set_dynamic_count_locked(struct pm4d_vk_device *dev, VkDescriptorSet set)
{
   const struct pm4d_vk_descriptor_set *s =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_DESCRIPTOR_SET], (uint64_t)set);
   if (!s)
      return UINT32_MAX;
   uint32_t n = 0;
   for (uint32_t i = 0; i < s->layout->binding_count; i++) {
      VkDescriptorType t = s->layout->bindings[i].type;
      if (t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC ||
          t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC)
         n += s->layout->bindings[i].count;
   }
   return n;
}

static void bind_sets(struct pm4d_vk_cmdbuf *r, VkPipelineLayout layout, uint32_t firstSet,
                      uint32_t setCount, const VkDescriptorSet *pSets, uint32_t dynamicCount,
                      const uint32_t *pDynamic)
{
   struct pm4d_vk_compute_state *c = &r->compute;
   c->sets_layout = layout;
   uint32_t used = 0;
   pthread_mutex_lock(&r->dev->lock);
   for (uint32_t i = 0; i < setCount; i++) {
      uint32_t slot = firstSet + i;
      if (slot >= PM4D_VK_MAX_SETS)
         break;
      uint32_t n = pm4d_vk_set_dynamic_count_locked(r->dev, pSets[i]);
      c->sets[slot] = pSets[i];
      c->sets_tracked &= ~(1u << slot);
      c->sets_opaque |= 1u << slot;
      if (n == UINT32_MAX || n > PM4D_VK_MAX_DYNAMIC_PER_SET || used + n > dynamicCount) {
         /* Without the set's layout the split of the dynamic offsets is unknown from here on. */
         used = dynamicCount + 1;
         continue;
      }
      if (n) /* pDynamic may be NULL when no set has dynamic descriptors */
         memcpy(c->dynamic_offsets[slot], pDynamic + used, n * sizeof(uint32_t));
      used += n;
      c->sets_tracked |= 1u << slot;
      c->sets_opaque &= ~(1u << slot);
   }
   pthread_mutex_unlock(&r->dev->lock);
}

void pm4d_hook_CmdBindDescriptorSets(VkCommandBuffer commandBuffer,
                                     VkPipelineBindPoint pipelineBindPoint, VkPipelineLayout layout,
                                     uint32_t firstSet, uint32_t descriptorSetCount,
                                     const VkDescriptorSet *pDescriptorSets,
                                     uint32_t dynamicOffsetCount, const uint32_t *pDynamicOffsets)
{
   CMDBUF_HOOK(r, commandBuffer, CmdBindDescriptorSets,
               (commandBuffer, pipelineBindPoint, layout, firstSet, descriptorSetCount,
                pDescriptorSets, dynamicOffsetCount, pDynamicOffsets));
   if (pipelineBindPoint == VK_PIPELINE_BIND_POINT_COMPUTE && r->backend) {
      bind_sets(r, layout, firstSet, descriptorSetCount, pDescriptorSets, dynamicOffsetCount,
                pDynamicOffsets);
      /* Deferred to the next segment, which re-records tracked sets only: an opaque one goes
     * into a segment now. */
      if (!r->cur && !r->compute.sets_opaque)
         return;
   }
   commandBuffer = pm4d_vk_cmdbuf_target(r);
   if (commandBuffer)
      r->dev->table.CmdBindDescriptorSets(commandBuffer, pipelineBindPoint, layout, firstSet,
                                          descriptorSetCount, pDescriptorSets, dynamicOffsetCount,
                                          pDynamicOffsets);
}

/* A push on a device with a back end: the bytes are kept for a redirect and for the segments
 * after a batch (without a back end they are never read, so not copied). */
static __attribute__((noinline)) void push_constants(VkCommandBuffer commandBuffer,
                                                     VkPipelineLayout layout,
                                                     VkShaderStageFlags stageFlags, uint32_t offset,
                                                     uint32_t size, const void *pValues)
{
   CMDBUF_HOOK(r, commandBuffer, CmdPushConstants,
               (commandBuffer, layout, stageFlags, offset, size, pValues));
   /* Offsets and sizes are multiples of 4 (VUID-vkCmdPushConstants-offset-00368, -size-00369):
   * an inline word copy instead of a memcpy call keeps this path free of calls and spills. */
   if ((stageFlags & VK_SHADER_STAGE_COMPUTE_BIT) &&
       (uint64_t)offset + size <= PM4D_VK_MAX_PUSH_BYTES && ((offset | size) & 3) == 0) {
      struct pm4d_vk_compute_state *c = &r->compute;
      for (uint32_t i = 0; i < size; i += 4) {
         __builtin_memcpy(c->push + offset + i, (const uint8_t *)pValues + i, 4);
         __builtin_memcpy(c->push_valid + offset + i, "\1\1\1\1", 4);
      }
      if (offset + size > c->push_bytes)
         c->push_bytes = offset + size;
      c->push_layout = layout;
      c->push_stages = stageFlags;
      if (!r->cur)
         return;
   }
   commandBuffer = pm4d_vk_cmdbuf_target(r);
   if (commandBuffer)
      r->dev->table.CmdPushConstants(commandBuffer, layout, stageFlags, offset, size, pValues);
}

void pm4d_hook_CmdPushConstants(VkCommandBuffer commandBuffer, VkPipelineLayout layout,
                                VkShaderStageFlags stageFlags, uint32_t offset, uint32_t size,
                                const void *pValues)
{
   PM4D_VK_CMDBUF_PASS(r, commandBuffer, push_constants,
                       (commandBuffer, layout, stageFlags, offset, size, pValues));
   r->counts[PM4D_CTR_vkCmdPushConstants]++;
   r->dev->table.CmdPushConstants(commandBuffer, layout, stageFlags, offset, size, pValues);
}

/* Push descriptors are not tracked: the set they replace becomes unknown for a redirect. */
static void forget_set(struct pm4d_vk_cmdbuf *r, VkPipelineBindPoint bind_point, uint32_t set)
{
   if (bind_point == VK_PIPELINE_BIND_POINT_COMPUTE && set < PM4D_VK_MAX_SETS) {
      r->compute.sets[set] = VK_NULL_HANDLE;
      r->compute.sets_tracked &= ~(1u << set);
      r->compute.sets_opaque |= 1u << set;
   }
}

void pm4d_hook_CmdPushDescriptorSetKHR(VkCommandBuffer commandBuffer,
                                       VkPipelineBindPoint pipelineBindPoint,
                                       VkPipelineLayout layout, uint32_t set,
                                       uint32_t descriptorWriteCount,
                                       const VkWriteDescriptorSet *pDescriptorWrites)
{
   CMDBUF_HOOK(
      r, commandBuffer, CmdPushDescriptorSetKHR,
      (commandBuffer, pipelineBindPoint, layout, set, descriptorWriteCount, pDescriptorWrites));
   forget_set(r, pipelineBindPoint, set);
   commandBuffer = pm4d_vk_cmdbuf_target(r);
   if (commandBuffer)
      r->dev->table.CmdPushDescriptorSetKHR(commandBuffer, pipelineBindPoint, layout, set,
                                            descriptorWriteCount, pDescriptorWrites);
}

void pm4d_hook_CmdPushDescriptorSetWithTemplateKHR(
   VkCommandBuffer commandBuffer, VkDescriptorUpdateTemplate descriptorUpdateTemplate,
   VkPipelineLayout layout, uint32_t set, const void *pData)
{
   CMDBUF_HOOK(r, commandBuffer, CmdPushDescriptorSetWithTemplateKHR,
               (commandBuffer, descriptorUpdateTemplate, layout, set, pData));
   /* The template names its bind point; compute is the only one a redirect reads. */
   forget_set(r, VK_PIPELINE_BIND_POINT_COMPUTE, set);
   commandBuffer = pm4d_vk_cmdbuf_target(r);
   if (commandBuffer)
      r->dev->table.CmdPushDescriptorSetWithTemplateKHR(commandBuffer, descriptorUpdateTemplate,
                                                        layout, set, pData);
}

/* Dispatches other than vkCmdDispatch are never redirected. */
static inline void note_other_dispatch(struct pm4d_vk_cmdbuf *r)
{
   r->counts[PM4D_CTR_dispatch_tracked] += r->compute.pipeline_tracked;
   if (r->compute.pipeline_tracked && r->compute.pt == PM4D_CONV2D_REDIRECT) {
      r->counts[PM4D_CTR_dispatches_recognised]++;
      r->counts[PM4D_CTR_passthrough_indirect]++;
   }
}

/* A dispatch on a device with a back end: a recognised conv2d may become a job. */
static __attribute__((noinline)) void dispatch(VkCommandBuffer commandBuffer, uint32_t groupCountX,
                                               uint32_t groupCountY, uint32_t groupCountZ)
{
   CMDBUF_HOOK(r, commandBuffer, CmdDispatch,
               (commandBuffer, groupCountX, groupCountY, groupCountZ));
   if (pm4d_vk_cmdbuf_recognise(r) &&
       pm4d_vk_split_dispatch(r, groupCountX, groupCountY, groupCountZ))
      return;
   commandBuffer = pm4d_vk_cmdbuf_work_target(r);
   if (commandBuffer)
      r->dev->table.CmdDispatch(commandBuffer, groupCountX, groupCountY, groupCountZ);
}

void pm4d_hook_CmdDispatch(VkCommandBuffer commandBuffer, uint32_t groupCountX,
                           uint32_t groupCountY, uint32_t groupCountZ)
{
   PM4D_VK_CMDBUF_PASS(r, commandBuffer, dispatch,
                       (commandBuffer, groupCountX, groupCountY, groupCountZ));
   /* Counted as on a device with a back end (a recognised conv2d is passthrough_no_backend). */
   r->counts[PM4D_CTR_vkCmdDispatch]++;
   r->counts[PM4D_CTR_passthrough_no_backend] += pm4d_vk_cmdbuf_recognise(r);
   r->dev->table.CmdDispatch(commandBuffer, groupCountX, groupCountY, groupCountZ);
}

void pm4d_hook_CmdDispatchIndirect(VkCommandBuffer commandBuffer, VkBuffer buffer,
                                   VkDeviceSize offset)
{
   CMDBUF_HOOK(r, commandBuffer, CmdDispatchIndirect, (commandBuffer, buffer, offset));
   note_other_dispatch(r);
   commandBuffer = pm4d_vk_cmdbuf_work_target(r);
   if (commandBuffer)
      r->dev->table.CmdDispatchIndirect(commandBuffer, buffer, offset);
}

void pm4d_hook_CmdDispatchBase(VkCommandBuffer commandBuffer, uint32_t baseGroupX,
                               uint32_t baseGroupY, uint32_t baseGroupZ, uint32_t groupCountX,
                               uint32_t groupCountY, uint32_t groupCountZ)
{
   CMDBUF_HOOK(
      r, commandBuffer, CmdDispatchBase,
      (commandBuffer, baseGroupX, baseGroupY, baseGroupZ, groupCountX, groupCountY, groupCountZ));
   note_other_dispatch(r);
   commandBuffer = pm4d_vk_cmdbuf_work_target(r);
   if (commandBuffer)
      r->dev->table.CmdDispatchBase(commandBuffer, baseGroupX, baseGroupY, baseGroupZ, groupCountX,
                                    groupCountY, groupCountZ);
}

void pm4d_hook_CmdPipelineBarrier(VkCommandBuffer commandBuffer, VkPipelineStageFlags srcStageMask,
                                  VkPipelineStageFlags dstStageMask,
                                  VkDependencyFlags dependencyFlags, uint32_t memoryBarrierCount,
                                  const VkMemoryBarrier *pMemoryBarriers,
                                  uint32_t bufferMemoryBarrierCount,
                                  const VkBufferMemoryBarrier *pBufferMemoryBarriers,
                                  uint32_t imageMemoryBarrierCount,
                                  const VkImageMemoryBarrier *pImageMemoryBarriers)
{
   CMDBUF_HOOK(r, commandBuffer, CmdPipelineBarrier,
               (commandBuffer, srcStageMask, dstStageMask, dependencyFlags, memoryBarrierCount,
                pMemoryBarriers, bufferMemoryBarrierCount, pBufferMemoryBarriers,
                imageMemoryBarrierCount, pImageMemoryBarriers));
   /* Between jobs of one batch barriers are dropped: the batch orders its dispatches, and the
   * next segment waits for the whole batch. */
   if (r->cur)
      r->dev->table.CmdPipelineBarrier(r->cur, srcStageMask, dstStageMask, dependencyFlags,
                                       memoryBarrierCount, pMemoryBarriers,
                                       bufferMemoryBarrierCount, pBufferMemoryBarriers,
                                       imageMemoryBarrierCount, pImageMemoryBarriers);
}

void pm4d_hook_CmdPipelineBarrier2(VkCommandBuffer commandBuffer,
                                   const VkDependencyInfo *pDependencyInfo)
{
   CMDBUF_HOOK(r, commandBuffer, CmdPipelineBarrier2, (commandBuffer, pDependencyInfo));
   if (r->cur)
      r->dev->table.CmdPipelineBarrier2(r->cur, pDependencyInfo);
}
