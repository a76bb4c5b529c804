/* Allocation failures inside the layer: a compute app's whole sequence of calls is replayed
 * with the layer's k-th malloc/calloc failing, for every k, and with all of them failing.
 * Every call must still reach the next layer, nothing may crash, and (under ASan) nothing
 * may leak. The layer's allocations are redirected with the linker's --wrap. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_vk_fake.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);

static bool armed;
static long countdown; /* the allocation that fails: 1 = the next one; 0: none; < 0: all */
static unsigned allocations;

static bool fail_now(void)
{
   if (!armed)
      return false;
   allocations++;
   if (countdown == 0)
      return false;
   return countdown < 0 || --countdown == 0;
}

void *__wrap_malloc(size_t size)
{
   return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
   return fail_now() ? NULL : __real_calloc(n, size);
}

#define DEV PM4D_VK_FAKE_DEV
#define CB  PM4D_VK_FAKE_CB

/* The calls of a small compute app; returns how many hooks it called. */
static unsigned scenario(void)
{
   static const uint32_t spirv[6] = {0x07230203, 0x00010000, 0, 8, 0, 0};
   unsigned calls = 0;
   VkShaderModuleCreateInfo smci = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                    .codeSize = sizeof(spirv),
                                    .pCode = spirv};
   VkShaderModule module;
   pm4d_hook_CreateShaderModule(DEV, &smci, NULL, &module), calls++;
   VkComputePipelineCreateInfo ci[2] = {
      {.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
       .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                 .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                 .module = module,
                 .pName = "main"}},
      {.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
       .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                 .pNext = &smci,
                 .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                 .pName = "main"}},
   };
   VkPipeline pipes[2];
   pm4d_hook_CreateComputePipelines(DEV, VK_NULL_HANDLE, 2, ci, NULL, pipes), calls++;
   VkDescriptorSetLayoutBinding binding = {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2,
                                           VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   VkDescriptorSetLayoutCreateInfo lci = {.sType =
                                             VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                          .bindingCount = 1,
                                          .pBindings = &binding};
   VkDescriptorSetLayout layout;
   pm4d_hook_CreateDescriptorSetLayout(DEV, &lci, NULL, &layout), calls++;
   VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                     .descriptorPool = (VkDescriptorPool)0x55,
                                     .descriptorSetCount = 1,
                                     .pSetLayouts = &layout};
   VkDescriptorSet set;
   pm4d_hook_AllocateDescriptorSets(DEV, &ai, &set), calls++;
   VkDescriptorBufferInfo infos[2] = {{(VkBuffer)0xb1, 0, 64}, {(VkBuffer)0xb2, 0, 64}};
   VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                             .dstSet = set,
                             .descriptorCount = 2,
                             .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                             .pBufferInfo = infos};
   pm4d_hook_UpdateDescriptorSets(DEV, 1, &w, 0, NULL), calls++;
   VkDescriptorUpdateTemplateEntry e = {
      0, 0, 2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 0, sizeof(infos[0])};
   VkDescriptorUpdateTemplateCreateInfo tci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO,
      .descriptorUpdateEntryCount = 1,
      .pDescriptorUpdateEntries = &e,
      .templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET};
   VkDescriptorUpdateTemplate t;
   pm4d_hook_CreateDescriptorUpdateTemplate(DEV, &tci, NULL, &t), calls++;
   pm4d_hook_UpdateDescriptorSetWithTemplate(DEV, set, t, infos), calls++;

   VkCommandBufferAllocateInfo cai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                      .commandPool = (VkCommandPool)0x66,
                                      .commandBufferCount = 1};
   VkCommandBuffer cb;
   pm4d_hook_AllocateCommandBuffers(DEV, &cai, &cb), calls++;
   VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   pm4d_hook_BeginCommandBuffer(CB, &bi), calls++;
   for (int i = 0; i < 2; i++) {
      pm4d_hook_CmdBindPipeline(CB, VK_PIPELINE_BIND_POINT_COMPUTE, pipes[i]), calls++;
      pm4d_hook_CmdBindDescriptorSets(CB, VK_PIPELINE_BIND_POINT_COMPUTE, (VkPipelineLayout)0x77, 0,
                                      1, &set, 0, NULL),
         calls++;
      pm4d_hook_CmdPushConstants(CB, (VkPipelineLayout)0x77, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &i),
         calls++;
      pm4d_hook_CmdDispatch(CB, 1, 1, 1), calls++;
   }
   pm4d_hook_EndCommandBuffer(CB), calls++;
   pm4d_hook_FreeCommandBuffers(DEV, (VkCommandPool)0x66, 1, &cb), calls++;
   pm4d_hook_DestroyDescriptorPool(DEV, (VkDescriptorPool)0x55, NULL), calls++;
   pm4d_hook_DestroyPipeline(DEV, pipes[0], NULL), calls++;
   pm4d_hook_DestroyPipeline(DEV, pipes[1], NULL), calls++;
   pm4d_hook_DestroyShaderModule(DEV, module, NULL), calls++;
   return calls;
}

/* One replay; countdown as above, 0 = no failure. Returns false on a dropped call. */
static bool replay(long fail_at, unsigned *allocations_made)
{
   struct pm4d_vk_device *dev = pm4d_vk_fake_device_create();
   if (!dev)
      return false;
   unsigned before = pm4d_vk_fake_forwarded;
   countdown = fail_at;
   allocations = 0;
   armed = true;
   unsigned calls = scenario();
   armed = false;
   *allocations_made = allocations;
   pm4d_vk_fake_device_destroy(dev);
   if (pm4d_vk_fake_forwarded - before != calls) {
      fprintf(stderr, "pm4d_vk_oom_test: failing allocation %ld: %u of %u calls forwarded\n",
              fail_at, pm4d_vk_fake_forwarded - before, calls);
      return false;
   }
   return true;
}

int main(void)
{
   unsigned total;
   int failures = 0;
   if (!replay(0, &total) || total == 0) {
      fprintf(stderr, "pm4d_vk_oom_test: the clean replay failed or allocated nothing\n");
      return 1;
   }
   for (long k = 1; k <= (long)total; k++) {
      unsigned n;
      failures += !replay(k, &n);
   }
   unsigned n;
   failures += !replay(-1, &n);
   if (failures) {
      fprintf(stderr, "pm4d_vk_oom_test: %d replay(s) dropped calls\n", failures);
      return 1;
   }
   printf(
      "pm4d_vk_oom_test: each of %u layer allocations failed in turn, and all at once: every call forwarded\n",
      total);
   return 0;
}
