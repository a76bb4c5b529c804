/* Instances and devices created and destroyed in a loop from several threads at once, each
 * recording and submitting a little work; then the threads share one device and record into
 * their own command buffers, allocated and freed in a loop. The layer's maps, locks and
 * per-thread caches are exercised concurrently (run under TSan, and valgrind memcheck).
 * Each thread records PM4D_THREADS_PUSHES push constants per shared-device round.
 *
 *   pm4d_vk_threads [--threads T] [--iterations K] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_vktest.h"

#define PROG "pm4d_vk_threads"

static unsigned iterations = 5;
#define PM4D_THREADS_PUSHES 200

/* The device all threads share in the second phase. */
static struct pm4d_vktest_ctx shared;
static VkPipelineLayout shared_layout;

static VkResult one_round(void)
{
   struct pm4d_vktest_ctx ctx;
   struct pm4d_vktest_options opt = {0};
   VkResult res = pm4d_vktest_init(&ctx, &opt);
   struct pm4d_vktest_buffer buf = {0};
   VkCommandPool pool = VK_NULL_HANDLE;
   VkFence fence = VK_NULL_HANDLE;
   if (res != VK_SUCCESS)
      goto done;
   if ((res = pm4d_vktest_buffer(&ctx, 4096, VK_BUFFER_USAGE_TRANSFER_DST_BIT, false, &buf)) !=
       VK_SUCCESS)
      goto done;
   VkCommandPoolCreateInfo cpci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                   .queueFamilyIndex = ctx.queue_family};
   if ((res = vkCreateCommandPool(ctx.device, &cpci, NULL, &pool)) != VK_SUCCESS)
      goto done;
   VkCommandBufferAllocateInfo cbai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                       .commandPool = pool,
                                       .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                       .commandBufferCount = 1};
   VkCommandBuffer cb;
   if ((res = vkAllocateCommandBuffers(ctx.device, &cbai, &cb)) != VK_SUCCESS)
      goto done;
   VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   if ((res = vkBeginCommandBuffer(cb, &begin)) != VK_SUCCESS)
      goto done;
   vkCmdFillBuffer(cb, buf.buffer, 0, 4096, 0x01020304u);
   vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, NULL,
                        0, NULL, 0, NULL);
   if ((res = vkEndCommandBuffer(cb)) != VK_SUCCESS)
      goto done;
   VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   if ((res = vkCreateFence(ctx.device, &fci, NULL, &fence)) != VK_SUCCESS)
      goto done;
   VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cb};
   if ((res = vkQueueSubmit(ctx.queue, 1, &si, fence)) != VK_SUCCESS)
      goto done;
   if ((res = vkWaitForFences(ctx.device, 1, &fence, VK_TRUE, UINT64_MAX)) != VK_SUCCESS)
      goto done;
   if (((const uint32_t *)buf.map)[1023] != 0x01020304u)
      res = VK_ERROR_UNKNOWN;
done:
   if (fence)
      vkDestroyFence(ctx.device, fence, NULL);
   if (pool)
      vkDestroyCommandPool(ctx.device, pool, NULL); /* frees cb with it */
   if (buf.buffer)
      pm4d_vktest_buffer_free(&ctx, &buf);
   pm4d_vktest_finish(&ctx);
   return res;
}

/* One thread's round on the shared device: its own pool and two command buffers, recorded
 * interleaved (so the per-thread cache switches between them), then freed. */
static VkResult shared_round(void)
{
   VkCommandPoolCreateInfo cpci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                   .queueFamilyIndex = shared.queue_family};
   VkCommandPool pool;
   VkResult res = vkCreateCommandPool(shared.device, &cpci, NULL, &pool);
   if (res != VK_SUCCESS)
      return res;
   VkCommandBufferAllocateInfo cbai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                       .commandPool = pool,
                                       .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                       .commandBufferCount = 2};
   VkCommandBuffer cbs[2];
   VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   if ((res = vkAllocateCommandBuffers(shared.device, &cbai, cbs)) != VK_SUCCESS ||
       (res = vkBeginCommandBuffer(cbs[0], &begin)) != VK_SUCCESS ||
       (res = vkBeginCommandBuffer(cbs[1], &begin)) != VK_SUCCESS)
      goto done;
   for (uint32_t i = 0; i < PM4D_THREADS_PUSHES; i++) {
      vkCmdPushConstants(cbs[i & 1], shared_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(i), &i);
      vkCmdPipelineBarrier(cbs[i & 1], VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 0, NULL, 0, NULL, 0, NULL);
   }
   if ((res = vkEndCommandBuffer(cbs[0])) == VK_SUCCESS)
      res = vkEndCommandBuffer(cbs[1]);
   vkFreeCommandBuffers(shared.device, pool, 2, cbs);
done:
   vkDestroyCommandPool(shared.device, pool, NULL);
   return res;
}

static void *worker(void *arg)
{
   VkResult *result = arg;
   for (unsigned i = 0; i < iterations && *result == VK_SUCCESS; i++)
      *result = one_round();
   return NULL;
}

static void *shared_worker(void *arg)
{
   VkResult *result = arg;
   for (unsigned i = 0; i < iterations && *result == VK_SUCCESS; i++)
      *result = shared_round();
   return NULL;
}

/* Runs fn on threads threads; returns the exit code. */
static int run_threads(unsigned threads, void *(*fn)(void *), const char *what)
{
   pthread_t tids[64];
   VkResult results[64];
   for (unsigned t = 0; t < threads; t++) {
      results[t] = VK_SUCCESS;
      if (pthread_create(&tids[t], NULL, fn, &results[t]) != 0) {
         fprintf(stderr, "%s: pthread_create failed\n", PROG);
         return PM4D_VKTEST_FAIL;
      }
   }
   int rc = 0;
   for (unsigned t = 0; t < threads; t++) {
      pthread_join(tids[t], NULL);
      if (results[t] != VK_SUCCESS)
         rc = pm4d_vktest_fail(PROG, what, results[t]);
   }
   return rc;
}

int main(int argc, char **argv)
{
   unsigned threads = 4;
   for (int i = 1; i + 1 < argc; i += 2) {
      if (strcmp(argv[i], "--threads") == 0)
         threads = (unsigned)atoi(argv[i + 1]);
      else if (strcmp(argv[i], "--iterations") == 0)
         iterations = (unsigned)atoi(argv[i + 1]);
   }
   if (threads < 1 || threads > 64 || iterations < 1) {
      fprintf(stderr, "usage: %s [--threads 1..64] [--iterations K]\n", PROG);
      return 2;
   }
   int rc = run_threads(threads, worker, "a device round");
   if (rc)
      return rc;

   struct pm4d_vktest_options opt = {0};
   PM4D_VKTEST_TRY(PROG, "shared device", pm4d_vktest_init(&shared, &opt));
   VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(uint32_t)};
   VkPipelineLayoutCreateInfo plci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                      .pushConstantRangeCount = 1,
                                      .pPushConstantRanges = &range};
   PM4D_VKTEST_TRY(PROG, "pipeline layout",
                   vkCreatePipelineLayout(shared.device, &plci, NULL, &shared_layout));
   rc = run_threads(threads, shared_worker, "a shared-device round");
   vkDestroyPipelineLayout(shared.device, shared_layout, NULL);
   pm4d_vktest_finish(&shared);
   if (rc == 0)
      printf(
         "%s: %u threads x %u rounds of instance+device+submit, then of recording on one device, passed\n",
         PROG, threads, iterations);
   return rc;
}
