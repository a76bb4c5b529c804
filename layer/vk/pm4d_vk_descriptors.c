/* Descriptor sets, their pools, updates and update templates. */
#include <stdlib.h>
#include <string.h>

#include "pm4d_vk_objects.h"
#include "pm4d_alloc.h"

static bool is_buffer_type(VkDescriptorType t)
{
   return t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER || t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER ||
          t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC ||
          t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
}

/* Index of descriptor (binding, element) in set->descriptors, following the rule that an update
 * running past the end of a binding continues in the next one. Returns UINT32_MAX when out of
 * range. */
static uint32_t descriptor_index(const struct pm4d_vk_set_layout *l, uint32_t binding,
                                 uint32_t element)
{
   uint32_t i = 0;
   while (i < l->binding_count && l->bindings[i].binding < binding)
      i++;
   if (i == l->binding_count || l->bindings[i].binding != binding)
      return UINT32_MAX;
   while (i < l->binding_count && element >= l->bindings[i].count)
      element -= l->bindings[i++].count;
   return i < l->binding_count ? l->bindings[i].first + element : UINT32_MAX;
}

/* Writes count descriptors starting at (binding, element); info(k) gives the k-th buffer info,
 * or NULL for non-buffer types. */
static void write_locked(struct pm4d_vk_descriptor_set *set, uint32_t binding, uint32_t element,
                         uint32_t count,
                         const VkDescriptorBufferInfo *(*info)(const void *, uint32_t),
                         const void *ctx)
{
   uint32_t first = descriptor_index(set->layout, binding, element);
   if (first == UINT32_MAX || first + (uint64_t)count > set->layout->descriptor_count) {
      PM4D_LOG_ONCE(PM4D_LOG_WARN,
                    "descriptor update outside its set's layout; ignored by the layer");
      return;
   }
   for (uint32_t k = 0; k < count; k++) {
      const VkDescriptorBufferInfo *bi = info ? info(ctx, k) : NULL;
      set->descriptors[first + k] =
         bi ? (struct pm4d_vk_descriptor){bi->buffer, bi->offset, bi->range}
            : (struct pm4d_vk_descriptor){0};
   }
}

static const VkDescriptorBufferInfo *write_info(const void *ctx, uint32_t k)
{
   return &((const VkWriteDescriptorSet *)ctx)->pBufferInfo[k];
}

struct template_ctx {
   const VkDescriptorUpdateTemplateEntry *entry;
   const char *data;
};

static const VkDescriptorBufferInfo *template_info(const void *ctx, uint32_t k)
{
   const struct template_ctx *t = ctx;
   return (const VkDescriptorBufferInfo *)(t->data + t->entry->offset + k * t->entry->stride);
}

static struct pm4d_vk_descriptor_set *set_locked(struct pm4d_vk_device *dev, VkDescriptorSet set)
{
   return pm4d_map_get(&dev->objects[PM4D_VK_OBJ_DESCRIPTOR_SET], (uint64_t)set);
}

static struct pm4d_vk_descriptor_set *
new_set_locked(struct pm4d_vk_device *dev, VkDescriptorPool pool, VkDescriptorSetLayout layout)
{
   const struct pm4d_vk_set_layout *l =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_SET_LAYOUT], (uint64_t)layout);
   if (!l)
      return NULL;
   size_t layout_size = sizeof(*l) + l->binding_count * sizeof(l->bindings[0]);
   struct pm4d_vk_descriptor_set *s =
      pm4d_calloc(1, sizeof(*s) + l->descriptor_count * sizeof(s->descriptors[0]));
   struct pm4d_vk_set_layout *copy = pm4d_malloc(layout_size);
   if (!s || !copy) {
      free(s);
      free(copy);
      return NULL;
   }
   memcpy(copy, l, layout_size);
   s->pool = pool;
   s->layout = copy;
   return s;
}

VkResult pm4d_hook_AllocateDescriptorSets(VkDevice device,
                                          const VkDescriptorSetAllocateInfo *pAllocateInfo,
                                          VkDescriptorSet *pDescriptorSets)
{
   pm4d_counter_inc(PM4D_CTR_vkAllocateDescriptorSets);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkAllocateDescriptorSets",
                            VK_ERROR_INITIALIZATION_FAILED);
   VkResult res = dev->table.AllocateDescriptorSets(device, pAllocateInfo, pDescriptorSets);
   if (res != VK_SUCCESS)
      return res;
   /* Variable-count sets are tracked at their layout's full size, which covers them. */
   static const VkStructureType known[] = {
      VK_STRUCTURE_TYPE_DESCRIPTOR_SET_VARIABLE_DESCRIPTOR_COUNT_ALLOCATE_INFO,
   };
   bool known_chain = pm4d_vk_pnext_known(pAllocateInfo->pNext, known, 1);
   for (uint32_t i = 0; i < pAllocateInfo->descriptorSetCount; i++) {
      pthread_mutex_lock(&dev->lock);
      struct pm4d_vk_descriptor_set *s =
         known_chain
            ? new_set_locked(dev, pAllocateInfo->descriptorPool, pAllocateInfo->pSetLayouts[i])
            : NULL;
      pthread_mutex_unlock(&dev->lock);
      if (s)
         pm4d_vk_object_add(dev, PM4D_VK_OBJ_DESCRIPTOR_SET, (uint64_t)pDescriptorSets[i], s);
      else
         PM4D_VK_UNTRACKED(
            "vkAllocateDescriptorSets: untracked layout, unknown pNext or out of memory; set not tracked");
   }
   return res;
}

VkResult pm4d_hook_FreeDescriptorSets(VkDevice device, VkDescriptorPool descriptorPool,
                                      uint32_t descriptorSetCount,
                                      const VkDescriptorSet *pDescriptorSets)
{
   pm4d_counter_inc(PM4D_CTR_vkFreeDescriptorSets);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkFreeDescriptorSets", VK_ERROR_INITIALIZATION_FAILED);
   for (uint32_t i = 0; i < descriptorSetCount; i++)
      pm4d_vk_object_remove(dev, PM4D_VK_OBJ_DESCRIPTOR_SET, (uint64_t)pDescriptorSets[i]);
   return dev->table.FreeDescriptorSets(device, descriptorPool, descriptorSetCount,
                                        pDescriptorSets);
}

static bool set_in_pool(void *ctx, uint64_t key, void *value)
{
   (void)key;
   struct pm4d_vk_descriptor_set *s = value;
   if (s->pool != *(VkDescriptorPool *)ctx)
      return false;
   pm4d_vk_object_release(PM4D_VK_OBJ_DESCRIPTOR_SET, s);
   return true;
}

/* Destroying or resetting a pool frees its sets without naming them. */
static void drop_pool_sets(struct pm4d_vk_device *dev, VkDescriptorPool pool)
{
   pthread_mutex_lock(&dev->lock);
   pm4d_map_remove_if(&dev->objects[PM4D_VK_OBJ_DESCRIPTOR_SET], set_in_pool, &pool);
   pthread_mutex_unlock(&dev->lock);
}

void pm4d_hook_DestroyDescriptorPool(VkDevice device, VkDescriptorPool descriptorPool,
                                     const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyDescriptorPool);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkDestroyDescriptorPool", );
   if (descriptorPool)
      drop_pool_sets(dev, descriptorPool);
   dev->table.DestroyDescriptorPool(device, descriptorPool, pAllocator);
}

VkResult pm4d_hook_ResetDescriptorPool(VkDevice device, VkDescriptorPool descriptorPool,
                                       VkDescriptorPoolResetFlags flags)
{
   pm4d_counter_inc(PM4D_CTR_vkResetDescriptorPool);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkResetDescriptorPool", VK_ERROR_INITIALIZATION_FAILED);
   drop_pool_sets(dev, descriptorPool);
   return dev->table.ResetDescriptorPool(device, descriptorPool, flags);
}

static void copy_locked(struct pm4d_vk_device *dev, const VkCopyDescriptorSet *c)
{
   struct pm4d_vk_descriptor_set *src = set_locked(dev, c->srcSet);
   struct pm4d_vk_descriptor_set *dst = set_locked(dev, c->dstSet);
   if (!src || !dst)
      return;
   uint32_t from = descriptor_index(src->layout, c->srcBinding, c->srcArrayElement);
   uint32_t to = descriptor_index(dst->layout, c->dstBinding, c->dstArrayElement);
   if (from == UINT32_MAX || to == UINT32_MAX ||
       from + (uint64_t)c->descriptorCount > src->layout->descriptor_count ||
       to + (uint64_t)c->descriptorCount > dst->layout->descriptor_count) {
      PM4D_LOG_ONCE(PM4D_LOG_WARN,
                    "descriptor copy outside its sets' layouts; ignored by the layer");
      return;
   }
   memmove(&dst->descriptors[to], &src->descriptors[from],
           c->descriptorCount * sizeof(dst->descriptors[0]));
}

void pm4d_hook_UpdateDescriptorSets(VkDevice device, uint32_t descriptorWriteCount,
                                    const VkWriteDescriptorSet *pDescriptorWrites,
                                    uint32_t descriptorCopyCount,
                                    const VkCopyDescriptorSet *pDescriptorCopies)
{
   pm4d_counter_inc(PM4D_CTR_vkUpdateDescriptorSets);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkUpdateDescriptorSets", );
   pthread_mutex_lock(&dev->lock);
   for (uint32_t i = 0; i < descriptorWriteCount; i++) {
      const VkWriteDescriptorSet *w = &pDescriptorWrites[i];
      struct pm4d_vk_descriptor_set *s = set_locked(dev, w->dstSet);
      if (s)
         write_locked(s, w->dstBinding, w->dstArrayElement, w->descriptorCount,
                      is_buffer_type(w->descriptorType) && w->pBufferInfo ? write_info : NULL, w);
   }
   for (uint32_t i = 0; i < descriptorCopyCount; i++)
      copy_locked(dev, &pDescriptorCopies[i]);
   pthread_mutex_unlock(&dev->lock);
   dev->table.UpdateDescriptorSets(device, descriptorWriteCount, pDescriptorWrites,
                                   descriptorCopyCount, pDescriptorCopies);
}

VkResult pm4d_hook_CreateDescriptorUpdateTemplate(
   VkDevice device, const VkDescriptorUpdateTemplateCreateInfo *pCreateInfo,
   const VkAllocationCallbacks *pAllocator, VkDescriptorUpdateTemplate *pTemplate)
{
   pm4d_counter_inc(PM4D_CTR_vkCreateDescriptorUpdateTemplate);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkCreateDescriptorUpdateTemplate",
                            VK_ERROR_INITIALIZATION_FAILED);
   VkResult res =
      dev->table.CreateDescriptorUpdateTemplate(device, pCreateInfo, pAllocator, pTemplate);
   if (res != VK_SUCCESS)
      return res;
   struct pm4d_vk_update_template *t = NULL;
   /* Push-descriptor templates update no set. */
   if (pCreateInfo->templateType == VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET &&
       !pCreateInfo->pNext)
      t = pm4d_malloc(sizeof(*t) + pCreateInfo->descriptorUpdateEntryCount * sizeof(t->entries[0]));
   if (!t) {
      PM4D_VK_UNTRACKED(
         "vkCreateDescriptorUpdateTemplate: push-descriptor type, pNext or out of memory; template not tracked");
      return res;
   }
   t->entry_count = pCreateInfo->descriptorUpdateEntryCount;
   memcpy(t->entries, pCreateInfo->pDescriptorUpdateEntries,
          t->entry_count * sizeof(t->entries[0]));
   pm4d_vk_object_add(dev, PM4D_VK_OBJ_UPDATE_TEMPLATE, (uint64_t)*pTemplate, t);
   return res;
}

void pm4d_hook_DestroyDescriptorUpdateTemplate(VkDevice device,
                                               VkDescriptorUpdateTemplate descriptorUpdateTemplate,
                                               const VkAllocationCallbacks *pAllocator)
{
   pm4d_counter_inc(PM4D_CTR_vkDestroyDescriptorUpdateTemplate);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkDestroyDescriptorUpdateTemplate", );
   pm4d_vk_object_remove(dev, PM4D_VK_OBJ_UPDATE_TEMPLATE, (uint64_t)descriptorUpdateTemplate);
   dev->table.DestroyDescriptorUpdateTemplate(device, descriptorUpdateTemplate, pAllocator);
}

void pm4d_hook_UpdateDescriptorSetWithTemplate(VkDevice device, VkDescriptorSet descriptorSet,
                                               VkDescriptorUpdateTemplate descriptorUpdateTemplate,
                                               const void *pData)
{
   pm4d_counter_inc(PM4D_CTR_vkUpdateDescriptorSetWithTemplate);
   PM4D_VK_DEVICE_OR_RETURN(dev, device, "vkUpdateDescriptorSetWithTemplate", );
   pthread_mutex_lock(&dev->lock);
   struct pm4d_vk_descriptor_set *s = set_locked(dev, descriptorSet);
   const struct pm4d_vk_update_template *t =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_UPDATE_TEMPLATE], (uint64_t)descriptorUpdateTemplate);
   if (s && !t) {
      /* An untracked template leaves the set's contents unknown: stop tracking the set. */
      pm4d_map_take(&dev->objects[PM4D_VK_OBJ_DESCRIPTOR_SET], (uint64_t)descriptorSet);
      pm4d_vk_object_release(PM4D_VK_OBJ_DESCRIPTOR_SET, s);
      s = NULL;
   }
   for (uint32_t i = 0; s && t && pData && i < t->entry_count; i++) {
      const VkDescriptorUpdateTemplateEntry *e = &t->entries[i];
      struct template_ctx ctx = {e, pData};
      write_locked(s, e->dstBinding, e->dstArrayElement, e->descriptorCount,
                   is_buffer_type(e->descriptorType) ? template_info : NULL, &ctx);
   }
   pthread_mutex_unlock(&dev->lock);
   dev->table.UpdateDescriptorSetWithTemplate(device, descriptorSet, descriptorUpdateTemplate,
                                              pData);
}
