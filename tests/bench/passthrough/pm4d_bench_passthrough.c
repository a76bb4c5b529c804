/* Recording cost of compute dispatches with push constants, the layer's hottest path.
 *
 *   pm4d_bench_passthrough [--dispatches N] [--reps R]
 *
 * Records N x (vkCmdPushConstants + vkCmdDispatch) into one command buffer, R times, and
 * prints the best time per recorded command. Run it with and without the layer
 * (scripts/bench-passthrough does both in one run, and under callgrind). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_vk_compute_test.h"
#include "pm4d_vktest.h"

#define PROG "pm4d_bench_passthrough"

static uint64_t now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Kept out of line so callgrind can count just this (--toggle-collect=pm4d_bench_record). */
__attribute__((noinline)) void pm4d_bench_record(VkCommandBuffer cb, VkPipelineLayout layout,
                                                 uint32_t dispatches)
{
   struct {
      float scale, bias;
      uint32_t n;
   } pc = {1.0f, 0.0f, 64};
   for (uint32_t i = 0; i < dispatches; i++) {
      pc.bias = (float)i;
      vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(pc), &pc);
      vkCmdDispatch(cb, 1, 1, 1);
   }
}

int main(int argc, char **argv)
{
   uint32_t dispatches = 100000, reps = 5;
   for (int i = 1; i + 1 < argc; i += 2) {
      if (strcmp(argv[i], "--dispatches") == 0)
         dispatches = (uint32_t)strtoul(argv[i + 1], NULL, 0);
      else if (strcmp(argv[i], "--reps") == 0)
         reps = (uint32_t)strtoul(argv[i + 1], NULL, 0);
   }
   if (!dispatches || !reps) {
      fprintf(stderr, "usage: %s [--dispatches N] [--reps R]\n", PROG);
      return 2;
   }
   struct pm4d_vktest_ctx ctx;
   struct pm4d_vktest_options opt = {0};
   PM4D_VKTEST_TRY(PROG, "device creation", pm4d_vktest_init(&ctx, &opt));
   VkDevice dev = ctx.device;

   VkShaderModuleCreateInfo smci = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                    .codeSize = sizeof(pm4d_vk_compute_test_spv),
                                    .pCode = pm4d_vk_compute_test_spv};
   VkShaderModule module;
   PM4D_VKTEST_TRY(PROG, "module", vkCreateShaderModule(dev, &smci, NULL, &module));
   VkDescriptorSetLayoutBinding bindings[2] = {
      {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
      {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
   };
   VkDescriptorSetLayoutCreateInfo dslci = {.sType =
                                               VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                            .bindingCount = 2,
                                            .pBindings = bindings};
   VkDescriptorSetLayout dsl;
   PM4D_VKTEST_TRY(PROG, "set layout", vkCreateDescriptorSetLayout(dev, &dslci, NULL, &dsl));
   VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0, 12};
   VkPipelineLayoutCreateInfo plci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                      .setLayoutCount = 1,
                                      .pSetLayouts = &dsl,
                                      .pushConstantRangeCount = 1,
                                      .pPushConstantRanges = &range};
   VkPipelineLayout layout;
   PM4D_VKTEST_TRY(PROG, "pipeline layout", vkCreatePipelineLayout(dev, &plci, NULL, &layout));
   VkComputePipelineCreateInfo cpci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = module,
                .pName = "main"},
      .layout = layout};
   VkPipeline pipeline;
   PM4D_VKTEST_TRY(PROG, "pipeline",
                   vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpci, NULL, &pipeline));
   VkCommandPoolCreateInfo poolci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                     .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                     .queueFamilyIndex = ctx.queue_family};
   VkCommandPool pool;
   PM4D_VKTEST_TRY(PROG, "command pool", vkCreateCommandPool(dev, &poolci, NULL, &pool));
   VkCommandBufferAllocateInfo cbai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                       .commandPool = pool,
                                       .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                       .commandBufferCount = 1};
   VkCommandBuffer cb;
   PM4D_VKTEST_TRY(PROG, "command buffer", vkAllocateCommandBuffers(dev, &cbai, &cb));

   VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   uint64_t best = UINT64_MAX;
   for (uint32_t r = 0; r < reps; r++) {
      PM4D_VKTEST_TRY(PROG, "begin", vkBeginCommandBuffer(cb, &begin));
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
      uint64_t t0 = now_ns();
      pm4d_bench_record(cb, layout, dispatches);
      uint64_t t = now_ns() - t0;
      best = t < best ? t : best;
      PM4D_VKTEST_TRY(PROG, "end", vkEndCommandBuffer(cb));
      PM4D_VKTEST_TRY(PROG, "reset", vkResetCommandBuffer(cb, 0));
   }
   printf("%s: %.2f ns per recorded command (best of %u, %u dispatches + %u push constants)\n",
          PROG, (double)best / (2.0 * dispatches), reps, dispatches, dispatches);

   vkDestroyCommandPool(dev, pool, NULL);
   vkDestroyPipeline(dev, pipeline, NULL);
   vkDestroyPipelineLayout(dev, layout, NULL);
   vkDestroyDescriptorSetLayout(dev, dsl, NULL);
   vkDestroyShaderModule(dev, module, NULL);
   pm4d_vktest_finish(&ctx);
   return 0;
}
