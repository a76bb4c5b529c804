/* Object records: shader modules, compute pipelines, layouts, buffers (memory: pm4d_vk_memory.c). */
#include "pm4d_vk_objects.h"
#include "pm4d_alloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_counters.h"
#include "pm4d_log.h"
#include "pm4d_vk_cmdbuf.h"
#include "pm4d_vk_redirect.h"

void pm4d_vk_spirv_unref(struct pm4d_vk_spirv *spirv)
{
   if (spirv && atomic_fetch_sub(&spirv->refs, 1) == 1) {
      free(spirv->module);
      free(spirv);
   }
}

void pm4d_vk_object_release(enum pm4d_vk_object_kind kind, void *record)
{
   switch (kind) {
   case PM4D_VK_OBJ_SHADER_MODULE: pm4d_vk_spirv_unref(record); break;
   case PM4D_VK_OBJ_PIPELINE:
      if (record)
         pm4d_vk_spirv_unref(((struct pm4d_vk_pipeline *)record)->spirv);
      free(record);
      break;
   case PM4D_VK_OBJ_COMMAND_BUFFER:
      if (record) {
         pm4d_vk_cmdbuf_flush_counts(record);
         pm4d_vk_split_release(record, false);
      }
      free(record);
      break;
   case PM4D_VK_OBJ_DESCRIPTOR_SET:
      if (record)
         free(((struct pm4d_vk_descriptor_set *)record)->layout);
      free(record);
      break;
   default: free(record); break;
   }
}

void pm4d_vk_object_add(struct pm4d_vk_device *dev, enum pm4d_vk_object_kind kind, uint64_t handle,
                        void *record)
{
   pthread_mutex_lock(&dev->lock);
   /* A record still there for this handle belongs to an object the app let go of without
   * telling the layer (e.g. freed with its pool): replace it. */
   void *stale = pm4d_map_get(&dev->objects[kind], handle);
   bool ok = pm4d_map_put(&dev->objects[kind], handle, record);
   pthread_mutex_unlock(&dev->lock);
   if (!ok) {
      pm4d_vk_object_release(kind, record);
      PM4D_VK_UNTRACKED("out of memory for the object map; object not tracked");
   } else if (stale) {
      pm4d_vk_state_bump_generation(); /* per-thread caches may hold it */
      pm4d_vk_object_release(kind, stale);
   }
}

void pm4d_vk_object_remove(struct pm4d_vk_device *dev, enum pm4d_vk_object_kind kind,
                           uint64_t handle)
{
   if (!handle)
      return;
   pthread_mutex_lock(&dev->lock);
   void *record = pm4d_map_take(&dev->objects[kind], handle);
   pthread_mutex_unlock(&dev->lock);
   pm4d_vk_object_release(kind, record);
}

struct release_ctx {
   enum pm4d_vk_object_kind kind;
};

static bool release_entry(void *ctx, uint64_t key, void *value)
{
   (void)key;
   pm4d_vk_object_release(((struct release_ctx *)ctx)->kind, value);
   return true;
}

void pm4d_vk_objects_release_all(struct pm4d_vk_device *dev)
{
   for (unsigned k = 0; k < PM4D_VK_OBJ_COUNT; k++) {
      struct release_ctx ctx = {.kind = k};
      pm4d_map_remove_if(&dev->objects[k], release_entry, &ctx);
      pm4d_map_finish(&dev->objects[k]);
   }
}

bool pm4d_vk_pnext_known(const void *pNext, const VkStructureType *known, unsigned known_count)
{
   for (const VkBaseInStructure *s = pNext; s; s = s->pNext) {
      unsigned i = 0;
      while (i < known_count && known[i] != s->sType)
         i++;
      if (i == known_count)
         return false;
   }
   return true;
}

static struct pm4d_vk_spirv *spirv_copy(const VkShaderModuleCreateInfo *ci)
{
   if (!ci->pCode || ci->codeSize < 20 || ci->codeSize % 4 || ci->codeSize > (1u << 30))
      return NULL;
   struct pm4d_vk_spirv *s = pm4d_malloc(sizeof(*s) + ci->codeSize);
   if (!s)
      return NULL;
   atomic_init(&s->refs, 1);
   s->word_count = (uint32_t)(ci->codeSize / 4);
   memcpy(s->words, ci->pCode, ci->codeSize);
   uint64_t h = 0xcbf29ce484222325ull;
   const unsigned char *bytes = (const unsigned char *)s->words;
   for (size_t i = 0; i < ci->codeSize; i++)
      h = (h ^ bytes[i]) * 0x100000001b3ull;
   s->hash = h;
   /* Recognised once here; dispatches only look the pipeline's entry up. */
   struct pm4d_conv2d_module module;
   s->pt = (uint8_t)pm4d_conv2d_recognize(pm4d_vk_shader_table(), s->words, ci->codeSize, &module);
   s->module = NULL;
   if (s->pt == PM4D_CONV2D_PT_UNKNOWN_SHADER && module.resembles)
      PM4D_LOG_ONCE(PM4D_LOG_WARN,
                    "shader 0x%016llx (entry %s) has the interface of the known conv2d %s "
                    "(buffers, push constants, spec constants) but an unknown fingerprint, so it "
                    "passes through; to redirect it, check it with pm4d-spirv-info "
                    "(pm4d-ggml-spirv-info for ggml's) and put a copy of the %s entry of "
                    "layer/conv2d/known_shaders.txt with fingerprint 0x%016llx in a table named "
                    "by PM4DIRECT_SHADER_TABLE (said once)",
                    (unsigned long long)module.fingerprint, module.info.entry_point,
                    module.resembles->name, module.resembles->name,
                    (unsigned long long)module.fingerprint);
   if (s->pt == PM4D_CONV2D_REDIRECT) {
      s->module = pm4d_malloc(sizeof(module));
      if (s->module)
         *s->module = module;
      else
         s->pt = PM4D_CONV2D_PT_UNKNOWN_SHADER;
   }
   return s;
}

VkResult pm4d_hook_CreateShaderModule(VkDevice device, const VkShaderModuleCreateInfo *pCreateInfo,
                                      const VkAllocationCallbacks *pAllocator,
                                      VkShaderModule *pShaderModule)
{
   pm4d_counter_inc(PM4D_CTR_vkCreateShaderModule);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkCreateShaderModule", VK_ERROR_INITIALIZATION_FAILED);
   VkResult res = dev->table.CreateShaderModule(device, pCreateInfo, pAllocator, pShaderModule);
   if (res != VK_SUCCESS)
      return res;
   /* Validation-cache and debug structures do not change the code; anything else might. */
   static const VkStructureType known[] = {
      VK_STRUCTURE_TYPE_SHADER_MODULE_VALIDATION_CACHE_CREATE_INFO_EXT,
      VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT,
   };
   struct pm4d_vk_spirv *s = NULL;
   if (!pm4d_vk_pnext_known(pCreateInfo->pNext, known, 2))
      PM4D_VK_UNTRACKED("vkCreateShaderModule: unknown pNext structure; module not tracked");
   else if (!(s = spirv_copy(pCreateInfo)))
      PM4D_VK_UNTRACKED(
         "vkCreateShaderModule: SPIR-V malformed or out of memory; module not tracked");
   if (s)
      pm4d_vk_object_add(dev, PM4D_VK_OBJ_SHADER_MODULE, (uint64_t)*pShaderModule, s);
   return res;
}

void pm4d_hook_DestroyShaderModule(VkDevice device, VkShaderModule shaderModule,
                                   const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyShaderModule);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkDestroyShaderModule", );
   pm4d_vk_object_remove(dev, PM4D_VK_OBJ_SHADER_MODULE, (uint64_t)shaderModule);
   dev->table.DestroyShaderModule(device, shaderModule, pAllocator);
}

/* The compute stage's SPIR-V: the module's record, or the inline VkShaderModuleCreateInfo in
 * the stage's pNext. Takes a reference; NULL when untracked. */
static struct pm4d_vk_spirv *stage_spirv(struct pm4d_vk_device *dev,
                                         const VkPipelineShaderStageCreateInfo *stage)
{
   const VkShaderModuleCreateInfo *inline_code = NULL;
   for (const VkBaseInStructure *s = stage->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO)
         inline_code = (const VkShaderModuleCreateInfo *)s;
      else if (s->sType !=
                  VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_REQUIRED_SUBGROUP_SIZE_CREATE_INFO &&
               s->sType != VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT)
         return NULL;
   }
   if (stage->module == VK_NULL_HANDLE)
      return inline_code ? spirv_copy(inline_code) : NULL;
   pthread_mutex_lock(&dev->lock);
   struct pm4d_vk_spirv *s =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_SHADER_MODULE], (uint64_t)stage->module);
   if (s)
      atomic_fetch_add(&s->refs, 1);
   pthread_mutex_unlock(&dev->lock);
   return s;
}

/* A pipeline record with room for a copy of the stage's specialization constants. */
static struct pm4d_vk_pipeline *pipeline_record(const VkSpecializationInfo *si)
{
   size_t entries = si && si->pMapEntries ? si->mapEntryCount : 0;
   size_t data = si && si->pData ? si->dataSize : 0;
   if (entries > 4096 || data > 65536)
      return NULL;
   struct pm4d_vk_pipeline *p =
      pm4d_calloc(1, sizeof(*p) + entries * sizeof(VkSpecializationMapEntry) + data);
   if (!p || !si)
      return p;
   VkSpecializationMapEntry *e = (VkSpecializationMapEntry *)(p + 1);
   if (entries)
      memcpy(e, si->pMapEntries, entries * sizeof(*e));
   if (data)
      memcpy(e + entries, si->pData, data);
   p->spec = (VkSpecializationInfo){(uint32_t)entries, e, data, e + entries};
   return p;
}

VkResult pm4d_hook_CreateComputePipelines(VkDevice device, VkPipelineCache pipelineCache,
                                          uint32_t createInfoCount,
                                          const VkComputePipelineCreateInfo *pCreateInfos,
                                          const VkAllocationCallbacks *pAllocator,
                                          VkPipeline *pPipelines)
{
   pm4d_counter_inc(PM4D_CTR_vkCreateComputePipelines);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkCreateComputePipelines",
                            VK_ERROR_INITIALIZATION_FAILED);
   VkResult res = dev->table.CreateComputePipelines(device, pipelineCache, createInfoCount,
                                                    pCreateInfos, pAllocator, pPipelines);
   /* Partial success leaves VK_NULL_HANDLE for the pipelines that failed. */
   if (res < 0 && res != VK_PIPELINE_COMPILE_REQUIRED)
      return res;
   /* None of these changes what the shader computes. ggml disables robustness on its compute
   * pipelines where the driver offers VK_EXT_pipeline_robustness (NVIDIA does). */
   static const VkStructureType known[] = {
      VK_STRUCTURE_TYPE_PIPELINE_CREATION_FEEDBACK_CREATE_INFO,
      VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT,
      VK_STRUCTURE_TYPE_PIPELINE_ROBUSTNESS_CREATE_INFO_EXT,
   };
   for (uint32_t i = 0; i < createInfoCount; i++) {
      const VkComputePipelineCreateInfo *ci = &pCreateInfos[i];
      if (!pPipelines[i])
         continue;
      if (!pm4d_vk_pnext_known(ci->pNext, known, 3)) {
         PM4D_VK_UNTRACKED(
            "vkCreateComputePipelines: unknown pNext structure; pipeline not tracked");
         continue;
      }
      struct pm4d_vk_spirv *spirv = stage_spirv(dev, &ci->stage);
      struct pm4d_vk_pipeline *p = spirv ? pipeline_record(ci->stage.pSpecializationInfo) : NULL;
      if (!p) {
         pm4d_vk_spirv_unref(spirv);
         PM4D_VK_UNTRACKED(
            "vkCreateComputePipelines: stage code unknown or out of memory; pipeline not tracked");
         continue;
      }
      p->spirv = spirv;
      p->layout = ci->layout;
      snprintf(p->entry, sizeof(p->entry), "%s", ci->stage.pName ? ci->stage.pName : "");
      p->pt = spirv->pt;
      if (spirv->module) {
         p->conv2d =
            pm4d_shader_table_lookup(pm4d_vk_shader_table(), spirv->module->fingerprint, p->entry);
         p->pt = p->conv2d ? PM4D_CONV2D_REDIRECT : PM4D_CONV2D_PT_UNKNOWN_SHADER;
      }
      pm4d_vk_object_add(dev, PM4D_VK_OBJ_PIPELINE, (uint64_t)pPipelines[i], p);
   }
   return res;
}

void pm4d_hook_DestroyPipeline(VkDevice device, VkPipeline pipeline,
                               const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyPipeline);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkDestroyPipeline", );
   pm4d_vk_object_remove(dev, PM4D_VK_OBJ_PIPELINE, (uint64_t)pipeline);
   dev->table.DestroyPipeline(device, pipeline, pAllocator);
}

static int compare_bindings(const void *a, const void *b)
{
   uint32_t x = ((const struct pm4d_vk_set_binding *)a)->binding;
   uint32_t y = ((const struct pm4d_vk_set_binding *)b)->binding;
   return x < y ? -1 : x > y;
}

/* Binding flags are harmless unless descriptors may change after they are bound (then the
 * contents seen at record time are not what runs). */
static bool binding_flags_ok(const void *pNext)
{
   for (const VkBaseInStructure *s = pNext; s; s = s->pNext) {
      if (s->sType != VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_BINDING_FLAGS_CREATE_INFO)
         continue;
      const VkDescriptorSetLayoutBindingFlagsCreateInfo *f = (const void *)s;
      for (uint32_t i = 0; f->pBindingFlags && i < f->bindingCount; i++)
         if (f->pBindingFlags[i] & (VK_DESCRIPTOR_BINDING_UPDATE_AFTER_BIND_BIT |
                                    VK_DESCRIPTOR_BINDING_UPDATE_UNUSED_WHILE_PENDING_BIT))
            return false;
   }
   return true;
}

static struct pm4d_vk_set_layout *set_layout_record(const VkDescriptorSetLayoutCreateInfo *ci)
{
   static const VkStructureType known[] = {
      VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT,
      VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_BINDING_FLAGS_CREATE_INFO,
   };
   if (!pm4d_vk_pnext_known(ci->pNext, known, 2) || !binding_flags_ok(ci->pNext) ||
       (ci->bindingCount && !ci->pBindings))
      return NULL;
   struct pm4d_vk_set_layout *l =
      pm4d_malloc(sizeof(*l) + ci->bindingCount * sizeof(l->bindings[0]));
   if (!l)
      return NULL;
   l->binding_count = ci->bindingCount;
   for (uint32_t i = 0; i < ci->bindingCount; i++) {
      const VkDescriptorSetLayoutBinding *b = &ci->pBindings[i];
      /* Inline uniform blocks count bytes, not elements: not tracked. */
      if (b->descriptorType == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK ||
          b->descriptorCount > 4096) {
         free(l);
         return NULL;
      }
      l->bindings[i] =
         (struct pm4d_vk_set_binding){b->binding, b->descriptorType, b->descriptorCount, 0};
   }
   qsort(l->bindings, l->binding_count, sizeof(l->bindings[0]), compare_bindings);
   uint32_t first = 0;
   for (uint32_t i = 0; i < l->binding_count; i++) {
      l->bindings[i].first = first;
      first += l->bindings[i].count;
   }
   l->descriptor_count = first;
   return l;
}

VkResult pm4d_hook_CreateDescriptorSetLayout(VkDevice device,
                                             const VkDescriptorSetLayoutCreateInfo *pCreateInfo,
                                             const VkAllocationCallbacks *pAllocator,
                                             VkDescriptorSetLayout *pSetLayout)
{
   pm4d_counter_inc(PM4D_CTR_vkCreateDescriptorSetLayout);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkCreateDescriptorSetLayout",
                            VK_ERROR_INITIALIZATION_FAILED);
   VkResult res = dev->table.CreateDescriptorSetLayout(device, pCreateInfo, pAllocator, pSetLayout);
   if (res != VK_SUCCESS)
      return res;
   struct pm4d_vk_set_layout *l = set_layout_record(pCreateInfo);
   if (l)
      pm4d_vk_object_add(dev, PM4D_VK_OBJ_SET_LAYOUT, (uint64_t)*pSetLayout, l);
   else
      PM4D_VK_UNTRACKED(
         "vkCreateDescriptorSetLayout: unknown pNext, update-after-bind, inline block or out of memory; layout not tracked");
   return res;
}

void pm4d_hook_DestroyDescriptorSetLayout(VkDevice device,
                                          VkDescriptorSetLayout descriptorSetLayout,
                                          const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyDescriptorSetLayout);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkDestroyDescriptorSetLayout", );
   pm4d_vk_object_remove(dev, PM4D_VK_OBJ_SET_LAYOUT, (uint64_t)descriptorSetLayout);
   dev->table.DestroyDescriptorSetLayout(device, descriptorSetLayout, pAllocator);
}

VkResult pm4d_hook_CreatePipelineLayout(VkDevice device,
                                        const VkPipelineLayoutCreateInfo *pCreateInfo,
                                        const VkAllocationCallbacks *pAllocator,
                                        VkPipelineLayout *pPipelineLayout)
{
   pm4d_counter_inc(PM4D_CTR_vkCreatePipelineLayout);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkCreatePipelineLayout", VK_ERROR_INITIALIZATION_FAILED);
   VkResult res = dev->table.CreatePipelineLayout(device, pCreateInfo, pAllocator, pPipelineLayout);
   if (res != VK_SUCCESS)
      return res;
   struct pm4d_vk_pipeline_layout *l = NULL;
   if (pCreateInfo->setLayoutCount <= PM4D_VK_MAX_SETS && !pCreateInfo->pNext)
      l = pm4d_calloc(1, sizeof(*l));
   if (!l) {
      PM4D_VK_UNTRACKED(
         "vkCreatePipelineLayout: too many sets, pNext or out of memory; layout not tracked");
      return res;
   }
   l->set_count = pCreateInfo->setLayoutCount;
   for (uint32_t i = 0; i < l->set_count; i++)
      l->sets[i] = pCreateInfo->pSetLayouts[i];
   for (uint32_t i = 0; i < pCreateInfo->pushConstantRangeCount; i++) {
      const VkPushConstantRange *r = &pCreateInfo->pPushConstantRanges[i];
      if (r->offset + r->size > l->push_constant_bytes)
         l->push_constant_bytes = r->offset + r->size;
   }
   pm4d_vk_object_add(dev, PM4D_VK_OBJ_PIPELINE_LAYOUT, (uint64_t)*pPipelineLayout, l);
   return res;
}

void pm4d_hook_DestroyPipelineLayout(VkDevice device, VkPipelineLayout pipelineLayout,
                                     const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyPipelineLayout);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkDestroyPipelineLayout", );
   pm4d_vk_object_remove(dev, PM4D_VK_OBJ_PIPELINE_LAYOUT, (uint64_t)pipelineLayout);
   dev->table.DestroyPipelineLayout(device, pipelineLayout, pAllocator);
}

VkResult pm4d_hook_CreateBuffer(VkDevice device, const VkBufferCreateInfo *pCreateInfo,
                                const VkAllocationCallbacks *pAllocator, VkBuffer *pBuffer)
{
   pm4d_counter_inc(PM4D_CTR_vkCreateBuffer);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkCreateBuffer", VK_ERROR_INITIALIZATION_FAILED);
   /* amdgpu jobs address storage buffers by vkGetBufferDeviceAddress. Valid usage: the layer
    * enabled bufferDeviceAddress and gives every allocation the DEVICE_ADDRESS flag
    * (VUID-vkBindBufferMemory-bufferDeviceAddress-03339); it never makes memory exportable, so
    * no VkExternalMemoryBufferCreateInfo is needed (VUID-vkBindBufferMemory-memory-02726). */
   VkBufferCreateInfo ci = *pCreateInfo;
   if (dev->redirect && dev->redirect->space == PM4D_ADDR_GPU_VA &&
       (ci.usage & VK_BUFFER_USAGE_STORAGE_BUFFER_BIT))
      ci.usage |= VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT;
   VkResult res = dev->table.CreateBuffer(device, &ci, pAllocator, pBuffer);
   if (res != VK_SUCCESS)
      return res;
   /* Buffers are tracked whatever their pNext: size and usage mean the same with any. */
   struct pm4d_vk_buffer *b = pm4d_calloc(1, sizeof(*b));
   if (!b) {
      PM4D_VK_UNTRACKED("vkCreateBuffer: out of memory; buffer not tracked");
      return res;
   }
   b->size = pCreateInfo->size;
   b->usage = ci.usage; /* as the driver saw it */
   pm4d_vk_object_add(dev, PM4D_VK_OBJ_BUFFER, (uint64_t)*pBuffer, b);
   return res;
}

void pm4d_hook_DestroyBuffer(VkDevice device, VkBuffer buffer,
                             const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyBuffer);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkDestroyBuffer", );
   pm4d_vk_object_remove(dev, PM4D_VK_OBJ_BUFFER, (uint64_t)buffer);
   dev->table.DestroyBuffer(device, buffer, pAllocator);
}

static void bind_buffer_locked(struct pm4d_vk_device *dev, VkBuffer buffer, VkDeviceMemory memory,
                               VkDeviceSize offset)
{
   struct pm4d_vk_buffer *b = pm4d_map_get(&dev->objects[PM4D_VK_OBJ_BUFFER], (uint64_t)buffer);
   if (b) {
      b->memory = memory;
      b->memory_offset = offset;
      b->address = 0;
   }
}

/* amdgpu: a bound buffer that jobs may address (SHADER_DEVICE_ADDRESS usage, on registered
 * memory) gets its device address, and its memory a place in the GPU VA space so that the
 * direct path checks every job address against [VA, VA + size). RADV makes one BO per
 * VkDeviceMemory and a buffer's address is that BO's VA plus the bind offset (Mesa 22.3,
 * radv_BindBufferMemory2: buffer->bo = mem->bo, buffer->offset = memoryOffset;
 * radv_GetBufferDeviceAddress: radv_buffer_get_va(buffer->bo) + buffer->offset), so the memory
 * lies at address - memoryOffset. A later bind that puts it elsewhere (a driver that does not
 * work that way): one line, the memory is unregistered and its jobs pass through. */
static void place_memory(struct pm4d_vk_device *dev, VkBuffer buffer, VkDeviceMemory memory,
                         VkDeviceSize offset)
{
   pthread_mutex_lock(&dev->lock);
   const struct pm4d_vk_buffer *b =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_BUFFER], (uint64_t)buffer);
   const struct pm4d_vk_memory *m =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_MEMORY], (uint64_t)memory);
   bool wanted = b && m && m->registered && (b->usage & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT);
   pthread_mutex_unlock(&dev->lock);
   if (!wanted)
      return;
   VkBufferDeviceAddressInfo ai = {VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO, NULL, buffer};
   uint64_t address = dev->table.GetBufferDeviceAddress(dev->handle, &ai);
   bool placed =
      address > offset && pm4d_direct_memory_place(dev->redirect->direct, (uint64_t)memory,
                                                   address - offset) == PM4D_DIRECT_OK;
   pthread_mutex_lock(&dev->lock);
   struct pm4d_vk_buffer *bw = pm4d_map_get(&dev->objects[PM4D_VK_OBJ_BUFFER], (uint64_t)buffer);
   struct pm4d_vk_memory *mw = pm4d_map_get(&dev->objects[PM4D_VK_OBJ_MEMORY], (uint64_t)memory);
   if (bw && placed)
      bw->address = address;
   bool unregister = !placed && mw && mw->registered;
   if (unregister)
      mw->registered = false;
   pthread_mutex_unlock(&dev->lock);
   if (unregister) {
      PM4D_LOG_ONCE(PM4D_LOG_WARN,
                    "vkBindBufferMemory: buffer address 0x%" PRIx64 " at memory offset %" PRIu64
                    " disagrees with the memory's place (RADV: one BO per allocation, address "
                    "= BO VA + offset); jobs on that memory pass through",
                    address, (uint64_t)offset);
      pm4d_direct_memory_unregister(dev->redirect->direct, (uint64_t)memory);
   }
}

VkResult pm4d_hook_BindBufferMemory(VkDevice device, VkBuffer buffer, VkDeviceMemory memory,
                                    VkDeviceSize memoryOffset)
{
   pm4d_counter_inc(PM4D_CTR_vkBindBufferMemory);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkBindBufferMemory", VK_ERROR_INITIALIZATION_FAILED);
   VkResult res = dev->table.BindBufferMemory(device, buffer, memory, memoryOffset);
   if (res == VK_SUCCESS) {
      pthread_mutex_lock(&dev->lock);
      bind_buffer_locked(dev, buffer, memory, memoryOffset);
      pthread_mutex_unlock(&dev->lock);
      if (dev->redirect && dev->redirect->space == PM4D_ADDR_GPU_VA)
         place_memory(dev, buffer, memory, memoryOffset);
   }
   return res;
}

VkResult pm4d_hook_BindBufferMemory2(VkDevice device, uint32_t bindInfoCount,
                                     const VkBindBufferMemoryInfo *pBindInfos)
{
   pm4d_counter_inc(PM4D_CTR_vkBindBufferMemory2);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkBindBufferMemory2", VK_ERROR_INITIALIZATION_FAILED);
   VkResult res = dev->table.BindBufferMemory2(device, bindInfoCount, pBindInfos);
   if (res != VK_SUCCESS)
      return res;
   pthread_mutex_lock(&dev->lock);
   for (uint32_t i = 0; i < bindInfoCount; i++) {
      const VkBindBufferMemoryInfo *bi = &pBindInfos[i];
      /* Device-group binds spread one buffer over several memories: not tracked. */
      if (bi->pNext)
         bind_buffer_locked(dev, bi->buffer, VK_NULL_HANDLE, 0);
      else
         bind_buffer_locked(dev, bi->buffer, bi->memory, bi->memoryOffset);
   }
   pthread_mutex_unlock(&dev->lock);
   for (uint32_t i = 0;
        i < bindInfoCount && dev->redirect && dev->redirect->space == PM4D_ADDR_GPU_VA; i++)
      if (!pBindInfos[i].pNext)
         place_memory(dev, pBindInfos[i].buffer, pBindInfos[i].memory, pBindInfos[i].memoryOffset);
   return res;
}
