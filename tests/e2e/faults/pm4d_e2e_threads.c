/* Many submissions from four threads under the layer: each thread has a conv2d (the convnet
 * direct shader) recorded once and submits it `per_thread` times, waiting on a fence each
 * time, and checks its output against the C reference every 64th submission and at the end.
 *   own     each thread its own device and queue (lavapipe has one queue per device)
 *   ordered own, with the devices created one after the other before the threads start (the
 *           virtual AMD GPU then numbers their contexts in that order, for VGPU_INJECT)
 *   shared  one device, one queue, the threads take turns submitting (external sync)
 *   burst   one thread submits everything back to back, each submission first waiting (in
 *           its command buffer) for an event the host sets only after the last one: no direct
 *           batch can start, so the direct path's 64 batch slots fill and later batches are
 *           refused as ring full (each after the 100 ms deadline) and run by their fallbacks
 *   flood   burst without the event: the batches pile up only behind a slow one (the virtual
 *           AMD GPU's VGPU_INJECT=slow), 33 and more in flight (the kernel's 32 jobs per
 *           context: a gate in the GPU would make the app's own 33rd CS block on a real kernel)
 *   flood_clear flood whose command buffer first fills the output with NaN (vkCmdFillBuffer):
 *           the last submission's output is right only if its own conv2d ran, directly or by
 *           its fallback (a fallback another submission's batch disarmed leaves NaN)
 *   two_queues flood, the submissions going to two queues of one family in turn (a device
 *           with two compute queues: RADV's compute family; 77 without one), then waiting for
 *           both
 *   two_queues_cycle two_queues, each submission to the first queue waiting on a timeline
 *           semaphore that the next one, to the second queue, signals: the second must not
 *           wait for the first (the layer's arming once made that a GPU hang)
 * usage: pm4d_e2e_threads own|ordered|shared|burst|flood|flood_clear|two_queues|two_queues_cycle
 * SUBMISSIONS (the total over the four threads)
 * Prints "threads: <n> submissions, <k> checks, all right". Exit 0, 1 on a wrong output or a
 * Vulkan error, 77 without a device. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_conv2d_ref.h"
#include "pm4d_glsl.h"
#include "pm4d_vktest.h"

#define THREADS     4u
#define CHECK_EVERY 64u
#define PROG        "threads"

static const struct pm4d_conv2d_params shape = {.n = 1,
                                                .c = 4,
                                                .h = 8,
                                                .w = 8,
                                                .k = 8,
                                                .r = 3,
                                                .s = 3,
                                                .stride_h = 1,
                                                .stride_w = 1,
                                                .pad_h = 1,
                                                .pad_w = 1,
                                                .dil_h = 1,
                                                .dil_w = 1,
                                                .groups = 1,
                                                .has_bias = true,
                                                .relu = true,
                                                .oh = 8,
                                                .ow = 8};

/* The mode: burst, flood, flood_clear, two_queues or two_queues_cycle (submissions back to
 * back); burst; flood_clear; two_queues or two_queues_cycle; two_queues_cycle. */
static bool burst, gated, clear, two, cycle;

/* What a device needs to run the conv2d; one per thread (own) or one for all (shared). */
struct gpu {
   struct pm4d_vktest_ctx ctx;
   VkDescriptorSetLayout dsl;
   VkPipelineLayout layout;
   VkPipeline pipeline;
   pthread_mutex_t queue_lock;
};

struct worker {
   struct gpu *gpu;
   unsigned index, submissions, checks;
   struct pm4d_vktest_buffer buf[PM4D_GLSL_BINDING_COUNT];
   float reference[8 * 8 * 8];
   int rc;
};

static int gpu_init(struct gpu *g)
{
   VkResult res = pm4d_vktest_init(&g->ctx, &(struct pm4d_vktest_options){.two_queues = two});
   if (res != VK_SUCCESS)
      return pm4d_vktest_fail(PROG, two ? "device with two compute queues in a family" : "device",
                              res);
   pthread_mutex_init(&g->queue_lock, NULL);
   VkDescriptorSetLayoutBinding b[PM4D_GLSL_BINDING_COUNT];
   for (uint32_t i = 0; i < PM4D_GLSL_BINDING_COUNT; i++)
      b[i] = (VkDescriptorSetLayoutBinding){i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                                            VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   VkDescriptorSetLayoutCreateInfo dci = {.sType =
                                             VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                          .bindingCount = PM4D_GLSL_BINDING_COUNT,
                                          .pBindings = b};
   PM4D_VKTEST_TRY(PROG, "vkCreateDescriptorSetLayout",
                   vkCreateDescriptorSetLayout(g->ctx.device, &dci, NULL, &g->dsl));
   VkPushConstantRange pcr = {VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(struct pm4d_glsl_conv2d_push)};
   VkPipelineLayoutCreateInfo lci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                     .setLayoutCount = 1,
                                     .pSetLayouts = &g->dsl,
                                     .pushConstantRangeCount = 1,
                                     .pPushConstantRanges = &pcr};
   PM4D_VKTEST_TRY(PROG, "vkCreatePipelineLayout",
                   vkCreatePipelineLayout(g->ctx.device, &lci, NULL, &g->layout));
   const struct pm4d_glsl_spirv *spv = pm4d_glsl_get(PM4D_GLSL_CONV2D_DIRECT);
   VkShaderModuleCreateInfo mci = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                   .codeSize = spv->size,
                                   .pCode = spv->code};
   VkShaderModule module;
   PM4D_VKTEST_TRY(PROG, "vkCreateShaderModule",
                   vkCreateShaderModule(g->ctx.device, &mci, NULL, &module));
   VkComputePipelineCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = module,
                .pName = "main"},
      .layout = g->layout};
   res = vkCreateComputePipelines(g->ctx.device, VK_NULL_HANDLE, 1, &pci, NULL, &g->pipeline);
   vkDestroyShaderModule(g->ctx.device, module, NULL);
   PM4D_VKTEST_TRY(PROG, "vkCreateComputePipelines", res);
   return 0;
}

static void gpu_fini(struct gpu *g)
{
   vkDestroyPipeline(g->ctx.device, g->pipeline, NULL);
   vkDestroyPipelineLayout(g->ctx.device, g->layout, NULL);
   vkDestroyDescriptorSetLayout(g->ctx.device, g->dsl, NULL);
   pthread_mutex_destroy(&g->queue_lock);
   pm4d_vktest_finish(&g->ctx);
}

static bool output_right(struct worker *w)
{
   double err = pm4d_ref_rel_error(w->buf[PM4D_GLSL_BINDING_OUTPUT].map, w->reference, 8 * 8 * 8);
   memset(w->buf[PM4D_GLSL_BINDING_OUTPUT].map, 0xff, sizeof(w->reference)); /* NaN again */
   w->checks++;
   if (!(err <= 1e-5)) {
      fprintf(stderr, "%s: thread %u, submission %u: output wrong (relative error %g)\n", PROG,
              w->index, w->submissions, err);
      return false;
   }
   return true;
}

/* Submits the recorded command buffer `count` times: each waits for its fence, or (burst) all
 * back to back (burst: behind the gate event, which opens after the last). */
static int submit_all(struct worker *w, VkCommandBuffer cb, VkEvent gate, VkFence fence,
                      unsigned count)
{
   struct gpu *g = w->gpu;
   VkDevice dev = g->ctx.device;
   VkSemaphoreTypeCreateInfo sti = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
                                    .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE};
   VkSemaphoreCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, .pNext = &sti};
   VkSemaphore sem = VK_NULL_HANDLE;
   if (cycle)
      PM4D_VKTEST_TRY(PROG, "vkCreateSemaphore", vkCreateSemaphore(dev, &sci, NULL, &sem));
   const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
   for (unsigned i = 0; i < count; i++) {
      bool wait = !burst || i + 1 == count;
      /* cycle: submission 2k waits for value k + 1, which submission 2k + 1 signals. */
      uint64_t value = i / 2 + 1;
      VkTimelineSemaphoreSubmitInfo ti = {.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
                                          .waitSemaphoreValueCount = i % 2 ? 0 : 1,
                                          .pWaitSemaphoreValues = &value,
                                          .signalSemaphoreValueCount = i % 2 ? 1 : 0,
                                          .pSignalSemaphoreValues = &value};
      VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
                         .pNext = cycle ? &ti : NULL,
                         .waitSemaphoreCount = cycle && !(i % 2),
                         .pWaitSemaphores = &sem,
                         .pWaitDstStageMask = &stage,
                         .commandBufferCount = 1,
                         .pCommandBuffers = &cb,
                         .signalSemaphoreCount = cycle && i % 2,
                         .pSignalSemaphores = &sem};
      pthread_mutex_lock(&g->queue_lock);
      VkQueue queue = two && i % 2 ? g->ctx.queue2 : g->ctx.queue;
      VkResult res = vkQueueSubmit(queue, 1, &si, wait ? fence : VK_NULL_HANDLE);
      pthread_mutex_unlock(&g->queue_lock);
      if (res == VK_SUCCESS && gated && wait)
         res = vkSetEvent(dev, gate);
      if (res == VK_SUCCESS && wait)
         res = vkWaitForFences(dev, 1, &fence, VK_TRUE, 60ull * 1000000000ull);
      if (res == VK_SUCCESS && wait)
         res = vkResetFences(dev, 1, &fence);
      if (res == VK_SUCCESS && wait && two)
         res = vkDeviceWaitIdle(dev); /* the other queue's submissions too */
      if (res != VK_SUCCESS) {
         vkDestroySemaphore(dev, sem, NULL);
         return pm4d_vktest_fail(PROG, "submission", res);
      }
      w->submissions++;
      if (((i + 1) % CHECK_EVERY == 0 || i + 1 == count) && wait && !output_right(w)) {
         vkDestroySemaphore(dev, sem, NULL);
         return 1;
      }
   }
   vkDestroySemaphore(dev, sem, NULL);
   return 0;
}

/* Buffers, descriptor set, command buffer, then the submissions. */
static int work(struct worker *w, unsigned count)
{
   struct gpu *g = w->gpu;
   VkDevice dev = g->ctx.device;
   const size_t floats[PM4D_GLSL_BINDING_COUNT] = {4 * 8 * 8, 8 * 4 * 3 * 3, 8, 8 * 8 * 8};
   uint32_t seed = 1000 + w->index;
   for (unsigned i = 0; i < PM4D_GLSL_BINDING_COUNT; i++) {
      PM4D_VKTEST_TRY(PROG, "buffer",
                      pm4d_vktest_buffer(&g->ctx, floats[i] * 4,
                                         VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                            (clear ? VK_BUFFER_USAGE_TRANSFER_DST_BIT : 0),
                                         false, &w->buf[i]));
      pm4d_ref_fill(w->buf[i].map, floats[i], &seed);
   }
   float **m = (float *[]){w->buf[0].map, w->buf[1].map, w->buf[2].map};
   pm4d_ref_conv2d(&shape, m[0], m[1], m[2], w->reference);
   memset(w->buf[PM4D_GLSL_BINDING_OUTPUT].map, 0xff, sizeof(w->reference));

   VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, PM4D_GLSL_BINDING_COUNT};
   VkDescriptorPoolCreateInfo dpi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                     .maxSets = 1,
                                     .poolSizeCount = 1,
                                     .pPoolSizes = &ps};
   VkDescriptorPool dpool;
   PM4D_VKTEST_TRY(PROG, "vkCreateDescriptorPool", vkCreateDescriptorPool(dev, &dpi, NULL, &dpool));
   VkDescriptorSetAllocateInfo dai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                      .descriptorPool = dpool,
                                      .descriptorSetCount = 1,
                                      .pSetLayouts = &g->dsl};
   VkDescriptorSet set;
   PM4D_VKTEST_TRY(PROG, "vkAllocateDescriptorSets", vkAllocateDescriptorSets(dev, &dai, &set));
   VkDescriptorBufferInfo bi[PM4D_GLSL_BINDING_COUNT];
   VkWriteDescriptorSet wr[PM4D_GLSL_BINDING_COUNT];
   for (uint32_t i = 0; i < PM4D_GLSL_BINDING_COUNT; i++) {
      bi[i] = (VkDescriptorBufferInfo){w->buf[i].buffer, 0, VK_WHOLE_SIZE};
      wr[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                     .dstSet = set,
                                     .dstBinding = i,
                                     .descriptorCount = 1,
                                     .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                     .pBufferInfo = &bi[i]};
   }
   vkUpdateDescriptorSets(dev, PM4D_GLSL_BINDING_COUNT, wr, 0, NULL);

   VkCommandPoolCreateInfo cpi = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                  .queueFamilyIndex = g->ctx.queue_family};
   VkCommandPool pool;
   PM4D_VKTEST_TRY(PROG, "vkCreateCommandPool", vkCreateCommandPool(dev, &cpi, NULL, &pool));
   VkCommandBufferAllocateInfo cai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                      .commandPool = pool,
                                      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                      .commandBufferCount = 1};
   VkCommandBuffer cb;
   PM4D_VKTEST_TRY(PROG, "vkAllocateCommandBuffers", vkAllocateCommandBuffers(dev, &cai, &cb));
   VkEventCreateInfo eci = {.sType = VK_STRUCTURE_TYPE_EVENT_CREATE_INFO};
   VkEvent gate;
   PM4D_VKTEST_TRY(PROG, "vkCreateEvent", vkCreateEvent(dev, &eci, NULL, &gate));
   VkCommandBufferBeginInfo cbi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                   .flags =
                                      burst ? VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT : 0};
   PM4D_VKTEST_TRY(PROG, "vkBeginCommandBuffer", vkBeginCommandBuffer(cb, &cbi));
   if (gated)
      vkCmdWaitEvents(cb, 1, &gate, VK_PIPELINE_STAGE_HOST_BIT,
                      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, NULL, 0, NULL, 0, NULL);
   if (clear) {
      vkCmdFillBuffer(cb, w->buf[PM4D_GLSL_BINDING_OUTPUT].buffer, 0, VK_WHOLE_SIZE, 0xffffffffu);
      VkMemoryBarrier mb = {VK_STRUCTURE_TYPE_MEMORY_BARRIER, NULL, VK_ACCESS_TRANSFER_WRITE_BIT,
                            VK_ACCESS_SHADER_WRITE_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           0, 1, &mb, 0, NULL, 0, NULL);
   }
   vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, g->pipeline);
   vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, g->layout, 0, 1, &set, 0, NULL);
   const struct pm4d_glsl_conv2d_push push = {
      1, 4, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8, PM4D_GLSL_FLAG_BIAS | PM4D_GLSL_FLAG_RELU};
   vkCmdPushConstants(cb, g->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), &push);
   vkCmdDispatch(cb, (8 * 8 + PM4D_GLSL_LOCAL_SIZE_X - 1) / PM4D_GLSL_LOCAL_SIZE_X, 8, 1);
   PM4D_VKTEST_TRY(PROG, "vkEndCommandBuffer", vkEndCommandBuffer(cb));

   VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   PM4D_VKTEST_TRY(PROG, "vkCreateFence", vkCreateFence(dev, &fci, NULL, &fence));
   int rc = submit_all(w, cb, gate, fence, count);
   vkDestroyFence(dev, fence, NULL);
   vkDestroyEvent(dev, gate, NULL);
   vkDestroyCommandPool(dev, pool, NULL);
   vkDestroyDescriptorPool(dev, dpool, NULL);
   for (unsigned i = 0; i < PM4D_GLSL_BINDING_COUNT; i++)
      pm4d_vktest_buffer_free(&g->ctx, &w->buf[i]);
   return rc;
}

static unsigned per_thread;
static bool own, ordered; /* own or ordered; ordered */

static void *thread_main(void *arg)
{
   struct worker *w = arg;
   if (own && !ordered && (w->rc = gpu_init(w->gpu)) != 0)
      return NULL;
   w->rc = work(w, per_thread);
   if (own)
      gpu_fini(w->gpu);
   return NULL;
}

int main(int argc, char **argv)
{
   if (argc != 3 ||
       (strcmp(argv[1], "own") && strcmp(argv[1], "ordered") && strcmp(argv[1], "shared") &&
        strcmp(argv[1], "burst") && strcmp(argv[1], "flood") && strcmp(argv[1], "flood_clear") &&
        strcmp(argv[1], "two_queues") && strcmp(argv[1], "two_queues_cycle"))) {
      fprintf(stderr, "usage: pm4d_e2e_threads own|ordered|shared|burst|flood|flood_clear|"
                      "two_queues|two_queues_cycle SUBMISSIONS\n");
      return 1;
   }
   ordered = !strcmp(argv[1], "ordered");
   own = ordered || !strcmp(argv[1], "own");
   gated = !strcmp(argv[1], "burst");
   clear = !strcmp(argv[1], "flood_clear");
   cycle = !strcmp(argv[1], "two_queues_cycle");
   two = cycle || !strcmp(argv[1], "two_queues");
   burst = gated || clear || two || !strcmp(argv[1], "flood");
   unsigned threads = burst ? 1 : THREADS;
   per_thread = (unsigned)strtoul(argv[2], NULL, 10) / threads;
   static struct gpu gpus[THREADS];
   static struct worker workers[THREADS];
   if (!own) {
      int rc = gpu_init(&gpus[0]);
      if (rc)
         return rc;
   }
   for (unsigned i = 0; ordered && i < threads; i++) {
      int rc = gpu_init(&gpus[i]);
      if (rc)
         return rc;
   }
   pthread_t t[THREADS];
   for (unsigned i = 0; i < threads; i++) {
      workers[i] = (struct worker){.gpu = &gpus[own ? i : 0], .index = i};
      pthread_create(&t[i], NULL, thread_main, &workers[i]);
   }
   int rc = 0;
   unsigned submissions = 0, checks = 0;
   for (unsigned i = 0; i < threads; i++) {
      pthread_join(t[i], NULL);
      rc = rc ? rc : workers[i].rc;
      submissions += workers[i].submissions;
      checks += workers[i].checks;
   }
   if (!own)
      gpu_fini(&gpus[0]);
   if (rc == 0)
      printf("%s: %u submissions, %u checks, all right\n", PROG, submissions, checks);
   return rc;
}
