/* Unit test of the layer's object tracking, without a driver: the hooks are called directly
 * on a device whose next-layer table points at stubs, and the records a redirect will read
 * (SPIR-V of pipelines, descriptor contents, bound state, push constants) are checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_counters.h"
#include "pm4d_vk_cmdbuf.h"
#include "pm4d_vk_fake.h"
#include "pm4d_check.h"

static void *record(struct pm4d_vk_device *dev, enum pm4d_vk_object_kind kind, uint64_t handle)
{
   return pm4d_map_get(&dev->objects[kind], handle);
}

static const uint32_t spirv[6] = {0x07230203, 0x00010000, 0, 8, 0, 0x11223344};

static uint64_t fnv1a(const void *data, size_t size)
{
   uint64_t h = 0xcbf29ce484222325ull;
   for (size_t i = 0; i < size; i++)
      h = (h ^ ((const unsigned char *)data)[i]) * 0x100000001b3ull;
   return h;
}

static void test_pipelines(struct pm4d_vk_device *dev, VkPipeline *out_module_pipe)
{
   VkShaderModuleCreateInfo smci = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                    .codeSize = sizeof(spirv),
                                    .pCode = spirv};
   VkShaderModule module;
   CHECK(pm4d_hook_CreateShaderModule(PM4D_VK_FAKE_DEV, &smci, NULL, &module) == VK_SUCCESS);
   struct pm4d_vk_spirv *s = record(dev, PM4D_VK_OBJ_SHADER_MODULE, (uint64_t)module);
   CHECK(s && s->word_count == 6 && s->hash == fnv1a(spirv, sizeof(spirv)) &&
         s->words[5] == 0x11223344);

   VkComputePipelineCreateInfo ci[2] = {
      {.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
       .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                 .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                 .module = module,
                 .pName = "main"},
       .layout = (VkPipelineLayout)0x77},
      {.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
       .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                 .pNext = &smci,
                 .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                 .pName = "conv"}},
   };
   VkPipeline pipes[2];
   CHECK(pm4d_hook_CreateComputePipelines(PM4D_VK_FAKE_DEV, VK_NULL_HANDLE, 2, ci, NULL, pipes) ==
         VK_SUCCESS);
   struct pm4d_vk_pipeline *a = record(dev, PM4D_VK_OBJ_PIPELINE, (uint64_t)pipes[0]);
   struct pm4d_vk_pipeline *b = record(dev, PM4D_VK_OBJ_PIPELINE, (uint64_t)pipes[1]);
   CHECK(a && a->spirv == s && a->layout == (VkPipelineLayout)0x77 &&
         strcmp(a->entry, "main") == 0);
   CHECK(b && b->spirv != s && b->spirv->hash == s->hash && strcmp(b->entry, "conv") == 0);
   /* The module's words outlive the module: pipelines hold a reference. */
   pm4d_vk_object_remove(dev, PM4D_VK_OBJ_SHADER_MODULE, (uint64_t)module);
   CHECK(a->spirv->words[0] == 0x07230203 && atomic_load(&a->spirv->refs) == 1);

   /* Unknown pNext on the pipeline: pm4d_vk_fake_forwarded, not tracked, counted. */
   uint64_t untracked = pm4d_counter_get(PM4D_CTR_untracked_objects);
   VkBaseInStructure unknown = {.sType = (VkStructureType)0x7fff0001};
   ci[0].pNext = &unknown;
   VkPipeline p3;
   unsigned before = pm4d_vk_fake_forwarded;
   CHECK(pm4d_hook_CreateComputePipelines(PM4D_VK_FAKE_DEV, VK_NULL_HANDLE, 1, ci, NULL, &p3) ==
         VK_SUCCESS);
   CHECK(pm4d_vk_fake_forwarded == before + 1 && !record(dev, PM4D_VK_OBJ_PIPELINE, (uint64_t)p3));
   CHECK(pm4d_counter_get(PM4D_CTR_untracked_objects) == untracked + 1);
   /* Robustness settings (ggml disables it on NVIDIA) do not change what is computed: tracked. */
   VkPipelineRobustnessCreateInfoEXT robust = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_ROBUSTNESS_CREATE_INFO_EXT};
   ci[1].pNext = &robust; /* the inline-SPIR-V one: the module of ci[0] is gone */
   VkPipeline p4;
   CHECK(pm4d_hook_CreateComputePipelines(PM4D_VK_FAKE_DEV, VK_NULL_HANDLE, 1, &ci[1], NULL, &p4) ==
         VK_SUCCESS);
   CHECK(record(dev, PM4D_VK_OBJ_PIPELINE, (uint64_t)p4) != NULL);
   /* Malformed SPIR-V (size not a multiple of 4): module pm4d_vk_fake_forwarded, not tracked. */
   smci.codeSize = 22;
   VkShaderModule bad;
   CHECK(pm4d_hook_CreateShaderModule(PM4D_VK_FAKE_DEV, &smci, NULL, &bad) == VK_SUCCESS);
   CHECK(!record(dev, PM4D_VK_OBJ_SHADER_MODULE, (uint64_t)bad));
   *out_module_pipe = pipes[0];
}

static void test_descriptors(struct pm4d_vk_device *dev, VkDescriptorSet *out_set)
{
   /* Bindings given out of order; binding 1 is absent. */
   VkDescriptorSetLayoutBinding bindings[2] = {
      {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
      {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
   };
   VkDescriptorSetLayoutCreateInfo lci = {.sType =
                                             VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                          .bindingCount = 2,
                                          .pBindings = bindings};
   VkDescriptorSetLayout layout;
   CHECK(pm4d_hook_CreateDescriptorSetLayout(PM4D_VK_FAKE_DEV, &lci, NULL, &layout) == VK_SUCCESS);
   VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                     .descriptorPool = (VkDescriptorPool)0x55,
                                     .descriptorSetCount = 1,
                                     .pSetLayouts = &layout};
   VkDescriptorSet set;
   CHECK(pm4d_hook_AllocateDescriptorSets(PM4D_VK_FAKE_DEV, &ai, &set) == VK_SUCCESS);
   struct pm4d_vk_descriptor_set *s = record(dev, PM4D_VK_OBJ_DESCRIPTOR_SET, (uint64_t)set);
   CHECK(s && s->layout->descriptor_count == 3 && s->layout->bindings[1].binding == 2);

   /* A write from binding 0 element 1 running on into binding 2 element 0. */
   VkDescriptorBufferInfo infos[2] = {{(VkBuffer)0xb1, 16, 64}, {(VkBuffer)0xb2, 0, VK_WHOLE_SIZE}};
   VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                             .dstSet = set,
                             .dstBinding = 0,
                             .dstArrayElement = 1,
                             .descriptorCount = 2,
                             .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                             .pBufferInfo = infos};
   pm4d_hook_UpdateDescriptorSets(PM4D_VK_FAKE_DEV, 1, &w, 0, NULL);
   CHECK(s->descriptors[0].buffer == VK_NULL_HANDLE);
   CHECK(s->descriptors[1].buffer == (VkBuffer)0xb1 && s->descriptors[1].offset == 16 &&
         s->descriptors[1].range == 64);
   CHECK(s->descriptors[2].buffer == (VkBuffer)0xb2 && s->descriptors[2].range == VK_WHOLE_SIZE);
   /* A write past the layout's end is ignored by the layer (and still pm4d_vk_fake_forwarded). */
   w.dstArrayElement = 2;
   unsigned before = pm4d_vk_fake_forwarded;
   pm4d_hook_UpdateDescriptorSets(PM4D_VK_FAKE_DEV, 1, &w, 0, NULL);
   CHECK(pm4d_vk_fake_forwarded == before + 1 && s->descriptors[2].buffer == (VkBuffer)0xb2);

   /* Template: element 0 of binding 0 from a packed struct at offset 8. */
   struct {
      uint64_t pad;
      VkDescriptorBufferInfo info;
   } data = {0, {(VkBuffer)0xc3, 256, 32}};
   VkDescriptorUpdateTemplateEntry e = {
      0, 0, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 8, sizeof(VkDescriptorBufferInfo)};
   VkDescriptorUpdateTemplateCreateInfo tci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO,
      .descriptorUpdateEntryCount = 1,
      .pDescriptorUpdateEntries = &e,
      .templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET};
   VkDescriptorUpdateTemplate t;
   CHECK(pm4d_hook_CreateDescriptorUpdateTemplate(PM4D_VK_FAKE_DEV, &tci, NULL, &t) == VK_SUCCESS);
   pm4d_hook_UpdateDescriptorSetWithTemplate(PM4D_VK_FAKE_DEV, set, t, &data);
   CHECK(s->descriptors[0].buffer == (VkBuffer)0xc3 && s->descriptors[0].offset == 256);
   /* Copy binding 2 element 0 over binding 0 element 0. */
   VkCopyDescriptorSet c = {.sType = VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET,
                            .srcSet = set,
                            .srcBinding = 2,
                            .dstSet = set,
                            .dstBinding = 0,
                            .descriptorCount = 1};
   pm4d_hook_UpdateDescriptorSets(PM4D_VK_FAKE_DEV, 0, NULL, 1, &c);
   CHECK(s->descriptors[0].buffer == (VkBuffer)0xb2);
   /* An untracked template leaves the set unknown: the layer drops the set's record. */
   pm4d_hook_UpdateDescriptorSetWithTemplate(PM4D_VK_FAKE_DEV, set,
                                             (VkDescriptorUpdateTemplate)0xdead, &data);
   CHECK(!record(dev, PM4D_VK_OBJ_DESCRIPTOR_SET, (uint64_t)set));
   CHECK(pm4d_hook_AllocateDescriptorSets(PM4D_VK_FAKE_DEV, &ai, &set) == VK_SUCCESS);
   CHECK(record(dev, PM4D_VK_OBJ_DESCRIPTOR_SET, (uint64_t)set));
   *out_set = set;
}

static void test_recording(struct pm4d_vk_device *dev, VkPipeline pipe, VkDescriptorSet set)
{
   VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                     .commandPool = (VkCommandPool)0x66,
                                     .commandBufferCount = 1};
   VkCommandBuffer cb;
   CHECK(pm4d_hook_AllocateCommandBuffers(PM4D_VK_FAKE_DEV, &ai, &cb) == VK_SUCCESS &&
         cb == PM4D_VK_FAKE_CB);
   struct pm4d_vk_cmdbuf *r =
      record(dev, PM4D_VK_OBJ_COMMAND_BUFFER, (uint64_t)(uintptr_t)PM4D_VK_FAKE_CB);
   CHECK(r != NULL && !r->backend);
   /* The fake device has no back end; the compute state below is what one reads. */
   r->backend = true;
   VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   CHECK(pm4d_hook_BeginCommandBuffer(PM4D_VK_FAKE_CB, &bi) == VK_SUCCESS);
   pm4d_hook_CmdDispatch(PM4D_VK_FAKE_CB, 1, 1,
                         1); /* nothing bound yet: not a redirect candidate */
   pm4d_hook_CmdBindPipeline(PM4D_VK_FAKE_CB, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
   const uint32_t dyn = 512;
   pm4d_hook_CmdBindDescriptorSets(PM4D_VK_FAKE_CB, VK_PIPELINE_BIND_POINT_COMPUTE,
                                   (VkPipelineLayout)0x77, 1, 1, &set, 1, &dyn);
   const uint32_t pc[2] = {7, 9};
   pm4d_hook_CmdPushConstants(PM4D_VK_FAKE_CB, (VkPipelineLayout)0x77, VK_SHADER_STAGE_COMPUTE_BIT,
                              4, 8, pc);
   pm4d_hook_CmdDispatch(PM4D_VK_FAKE_CB, 4, 2, 1);
   const struct pm4d_vk_compute_state *c = &r->compute;
   struct pm4d_vk_pipeline *p = record(dev, PM4D_VK_OBJ_PIPELINE, (uint64_t)pipe);
   CHECK(c->pipeline == pipe && c->pipeline_tracked && c->spirv_hash == p->spirv->hash);
   CHECK(c->sets[1] == set && c->sets_tracked == 2u && c->dynamic_offsets[1][0] == 512);
   CHECK(c->push_bytes == 12 && memcmp(c->push + 4, pc, 8) == 0);
   CHECK(r->counts[PM4D_CTR_vkCmdDispatch] == 2);
   /* A push descriptor set over set 1 makes it unknown; set 0 stays as it was. */
   pm4d_hook_CmdPushDescriptorSetKHR(PM4D_VK_FAKE_CB, VK_PIPELINE_BIND_POINT_COMPUTE,
                                     (VkPipelineLayout)0x77, 1, 0, NULL);
   CHECK(c->sets[1] == VK_NULL_HANDLE && c->sets_tracked == 0);
   pm4d_hook_CmdBindDescriptorSets(PM4D_VK_FAKE_CB, VK_PIPELINE_BIND_POINT_COMPUTE,
                                   (VkPipelineLayout)0x77, 1, 1, &set, 1, &dyn);
   CHECK(c->sets_tracked == 2u);
   /* Graphics binds leave the compute state alone. */
   pm4d_hook_CmdBindPipeline(PM4D_VK_FAKE_CB, VK_PIPELINE_BIND_POINT_GRAPHICS, (VkPipeline)0x999);
   CHECK(c->pipeline == pipe);

   uint64_t dispatches = pm4d_counter_get(PM4D_CTR_vkCmdDispatch);
   uint64_t tracked = pm4d_counter_get(PM4D_CTR_dispatch_tracked);
   CHECK(pm4d_hook_EndCommandBuffer(PM4D_VK_FAKE_CB) == VK_SUCCESS);
   CHECK(pm4d_counter_get(PM4D_CTR_vkCmdDispatch) == dispatches + 2);
   CHECK(pm4d_counter_get(PM4D_CTR_dispatch_tracked) == tracked + 1);
   /* Begin again: the state starts empty. */
   CHECK(pm4d_hook_BeginCommandBuffer(PM4D_VK_FAKE_CB, &bi) == VK_SUCCESS);
   CHECK(!c->pipeline && !c->sets_tracked && !c->push_bytes && !r->counts[PM4D_CTR_vkCmdDispatch]);

   /* A command buffer the layer never saw allocated: pm4d_vk_fake_forwarded and counted globally. */
   static struct pm4d_vk_fake_dispatchable stranger = {&pm4d_vk_fake_loader_table};
   unsigned before = pm4d_vk_fake_forwarded;
   dispatches = pm4d_counter_get(PM4D_CTR_vkCmdDispatch);
   pm4d_hook_CmdDispatch((VkCommandBuffer)&stranger, 1, 1, 1);
   pm4d_hook_CmdPushConstants((VkCommandBuffer)&stranger, (VkPipelineLayout)0x77,
                              VK_SHADER_STAGE_COMPUTE_BIT, 0, 8, pc);
   CHECK(pm4d_vk_fake_forwarded == before + 2 &&
         pm4d_counter_get(PM4D_CTR_vkCmdDispatch) == dispatches + 1);
   /* Then back to the tracked one: the per-thread cache must not mix them up. */
   pm4d_hook_CmdDispatch(PM4D_VK_FAKE_CB, 1, 1, 1);
   CHECK(r->counts[PM4D_CTR_vkCmdDispatch] == 1 && pm4d_vk_fake_forwarded == before + 3);
   /* One of an unknown device: dropped (nothing to forward to), no crash. */
   static int other_table;
   static struct pm4d_vk_fake_dispatchable orphan = {&other_table};
   pm4d_hook_CmdDispatch((VkCommandBuffer)&orphan, 1, 1, 1);
   CHECK(pm4d_hook_EndCommandBuffer((VkCommandBuffer)&orphan) == VK_ERROR_INITIALIZATION_FAILED);
   CHECK(pm4d_vk_fake_forwarded == before + 3);

   /* The same handle allocated again without a free the layer saw: the new record replaces the
   * old one (no leak under ASan) and the per-thread cache lets go of the old one. */
   CHECK(pm4d_hook_AllocateCommandBuffers(PM4D_VK_FAKE_DEV, &ai, &cb) == VK_SUCCESS);
   struct pm4d_vk_cmdbuf *r2 =
      record(dev, PM4D_VK_OBJ_COMMAND_BUFFER, (uint64_t)(uintptr_t)PM4D_VK_FAKE_CB);
   CHECK(r2 != NULL && !r2->backend && r2->counts[PM4D_CTR_vkCmdDispatch] == 0);
   /* Without a back end: counted and forwarded, push bytes and sets not kept, the pipeline's
   * recognition still counted at its dispatches. */
   before = pm4d_vk_fake_forwarded;
   pm4d_hook_CmdBindPipeline(PM4D_VK_FAKE_CB, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
   pm4d_hook_CmdBindDescriptorSets(PM4D_VK_FAKE_CB, VK_PIPELINE_BIND_POINT_COMPUTE,
                                   (VkPipelineLayout)0x77, 1, 1, &set, 1, &dyn);
   pm4d_hook_CmdPushConstants(PM4D_VK_FAKE_CB, (VkPipelineLayout)0x77, VK_SHADER_STAGE_COMPUTE_BIT,
                              4, 8, pc);
   pm4d_hook_CmdDispatch(PM4D_VK_FAKE_CB, 1, 1, 1);
   CHECK(pm4d_vk_fake_forwarded == before + 4);
   const struct pm4d_vk_compute_state *c2 = &r2->compute;
   CHECK(c2->pipeline == pipe && c2->pipeline_tracked && !c2->sets_tracked && !c2->push_bytes);
   CHECK(r2->counts[PM4D_CTR_vkCmdDispatch] == 1 && r2->counts[PM4D_CTR_vkCmdPushConstants] == 1 &&
         r2->counts[PM4D_CTR_dispatch_tracked] == 1);
}

int main(void)
{
   struct pm4d_vk_device *dev = pm4d_vk_fake_device_create();
   CHECK(dev != NULL);
   VkPipeline pipe;
   VkDescriptorSet set;
   test_pipelines(dev, &pipe);
   test_descriptors(dev, &set);
   test_recording(dev, pipe, set);

   /* Destroying the pool drops its sets. */
   pm4d_hook_DestroyDescriptorPool(PM4D_VK_FAKE_DEV, (VkDescriptorPool)0x55, NULL);
   CHECK(!record(dev, PM4D_VK_OBJ_DESCRIPTOR_SET, (uint64_t)set));

   pm4d_vk_fake_device_destroy(dev);
   return pm4d_check_finish("pm4d_vk_tracking_test");
}
