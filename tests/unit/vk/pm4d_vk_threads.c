/* Instances and devices created and destroyed in a loop from several threads at once, each
 * recording and submitting a little work, so the layer's maps, locks and per-thread caches
 * are exercised concurrently (run under TSan, and valgrind memcheck for leaks).
 *
 *   pm4d_vk_threads [--threads T] [--iterations K] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_vktest.h"

#define PROG "pm4d_vk_threads"

static unsigned iterations = 5;

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
  if ((res = pm4d_vktest_buffer(&ctx, 4096, VK_BUFFER_USAGE_TRANSFER_DST_BIT, false, &buf)) != VK_SUCCESS)
    goto done;
  VkCommandPoolCreateInfo cpci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                  .queueFamilyIndex = ctx.queue_family};
  if ((res = vkCreateCommandPool(ctx.device, &cpci, NULL, &pool)) != VK_SUCCESS)
    goto done;
  VkCommandBufferAllocateInfo cbai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = pool,
                                      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1};
  VkCommandBuffer cb;
  if ((res = vkAllocateCommandBuffers(ctx.device, &cbai, &cb)) != VK_SUCCESS)
    goto done;
  VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  if ((res = vkBeginCommandBuffer(cb, &begin)) != VK_SUCCESS)
    goto done;
  vkCmdFillBuffer(cb, buf.buffer, 0, 4096, 0x01020304u);
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, NULL, 0, NULL, 0, NULL);
  if ((res = vkEndCommandBuffer(cb)) != VK_SUCCESS)
    goto done;
  VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  if ((res = vkCreateFence(ctx.device, &fci, NULL, &fence)) != VK_SUCCESS)
    goto done;
  VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cb};
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

static void *worker(void *arg)
{
  VkResult *result = arg;
  for (unsigned i = 0; i < iterations && *result == VK_SUCCESS; i++)
    *result = one_round();
  return NULL;
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
  pthread_t tids[64];
  VkResult results[64];
  for (unsigned t = 0; t < threads; t++) {
    results[t] = VK_SUCCESS;
    if (pthread_create(&tids[t], NULL, worker, &results[t]) != 0) {
      fprintf(stderr, "%s: pthread_create failed\n", PROG);
      return 1;
    }
  }
  int rc = 0;
  for (unsigned t = 0; t < threads; t++) {
    pthread_join(tids[t], NULL);
    if (results[t] != VK_SUCCESS)
      rc = pm4d_vktest_fail(PROG, "a round", results[t]);
  }
  if (rc == 0)
    printf("%s: %u threads x %u rounds of instance+device+submit passed\n", PROG, threads, iterations);
  return rc;
}
