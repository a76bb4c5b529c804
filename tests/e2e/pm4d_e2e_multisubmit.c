/* Split command buffers under many submissions: each thread owns a queue (of one device when
 * its compute family has a queue per thread, else of a device of its own: lavapipe has one
 * queue) and records two conv2d dispatches of the convnet direct
 * shader (pm4d_glsl_get) with a barrier between them and a vkCmdCopyBuffer after them (so the
 * layer splits the command buffer: app segment, direct batch, a segment with the copy). It
 * then submits:
 *   - a SIMULTANEOUS_USE command buffer 8 times in a chain of binary semaphores, fence at the end;
 *   - the same 4 times with vkQueueSubmit2, each waiting on and signalling a timeline semaphore,
 *     the first wait released by the host after the submissions (wait before signal);
 *   - a ONE_TIME_SUBMIT command buffer, recorded, submitted, reset, re-recorded, submitted,
 *     each followed by vkQueueWaitIdle;
 *   - the two dispatches in a secondary command buffer executed by a primary one (not
 *     redirected: passthrough_secondary), vkQueueWaitIdle;
 * and checks the copied output against a CPU reference after each group (zeroed before).
 * Main thread: vkDeviceWaitIdle at the end. Prints "multisubmit: <n> conv2d dispatches
 * submitted" for the test script, which checks the layer redirected every one.
 * With --bench N (scripts/bench-redirect) one thread instead submits the SIMULTANEOUS_USE
 * command buffer N times, each time alone with a fence, and prints the median host time of
 * the vkQueueSubmit call (the layer builds and kicks the direct batch inside it) and of
 * submit to fence. --jobs 6 records 6 dispatches per command buffer instead of 2 (convnet's
 * batch: the first from the input, then ping-pong between two buffers). --miss alternates two
 * command buffers whose jobs differ in every slot, in shape (H = W = 12 and 10) and in
 * buffers (each its own memories), so that no memo of the layer's plan or kick (kept per job
 * slot and per batch for a repeated job) can hit: the cost of a stream of different jobs.
 * With --direct-only (the virtual AMD GPU, which cannot run the driver's own conv2d shader)
 * nothing is left for the driver to run: the timeline group's first wait is released before
 * its submissions (a kick waiting on a point the driver has not submitted yet falls back, see
 * layer/vk/README.md), and the secondary command buffer group is left out.
 * With --wait-before-signal as well (the fault matrix on the virtual AMD GPU) the timeline group
 * keeps its wait before signal: the first wait is released by the host after the submissions.
 * With --all-gpus each thread has a device of its own on the process's GPUs in turn (several
 * GPUs in one process: each device gets its own GPU's back end).
 * usage: pm4d_e2e_multisubmit [threads (1-4, default 4) [--direct-only]
 *                              [--wait-before-signal] [--all-gpus]]
 *        | --bench N [--jobs 2|6] [--miss] */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vulkan/vulkan.h>

#include "pm4d_glsl.h"

#define C0               4u
#define K0               8u
#define HW               12u
#define MAX_THREADS      4u
#define BINARY_SUBMITS   8u
#define TIMELINE_SUBMITS 4u
#define ONE_TIME_SUBMITS 2u
#define JOBS_PER_SUBMIT  2u
#define BENCH_MAX_JOBS   6u
#define HW_MISS          10u /* the --miss bench's second shape */

enum { B_IN, B_F1, B_B1, B_MID, B_F2, B_B2, B_OUT, B_FINAL, B_COUNT };
static const uint32_t buffer_floats[B_COUNT] = {C0 * HW * HW, K0 *C0 * 9, K0,         K0 *HW *HW,
                                                K0 *K0 * 9,   K0,         K0 *HW *HW, K0 *HW *HW};

static VkInstance instance;
static VkPhysicalDevice physicals[4];
static uint32_t n_physicals;
static uint32_t family_queues; /* of the first GPU's compute family */

/* A device with the conv2d pipeline: one shared by every thread (one queue each), or one per
 * thread when the family has fewer queues than threads. */
struct dev_ctx {
   VkPhysicalDevice physical;
   uint32_t family; /* its first family with compute */
   VkDevice device;
   VkPipeline pipeline;
   VkPipelineLayout playout;
   VkDescriptorSetLayout dsl;
};
static float reference[K0 * HW * HW];

#define TRY(what, expr)                                             \
   do {                                                             \
      VkResult r_ = (expr);                                         \
      if (r_ != VK_SUCCESS) {                                       \
         fprintf(stderr, "multisubmit: %s failed: %d\n", what, r_); \
         return false;                                              \
      }                                                             \
   } while (0)

struct worker {
   unsigned index;
   struct dev_ctx *dc;
   bool own_device;
   VkQueue queue;
   VkCommandPool pool;
   VkBuffer buf[B_COUNT];
   VkDeviceMemory mem[B_COUNT];
   float *map[B_COUNT];
   VkDescriptorPool dpool;
   VkDescriptorSet sets[3]; /* in -> mid, mid -> out, out -> mid */
   bool ok;
};

static float lcg(uint32_t *state)
{
   *state = *state * 1664525u + 1013904223u;
   return (float)((*state >> 8) & 0xffff) / 65536.0f - 0.5f;
}

static void conv_ref(const float *x, const float *f, const float *b, float *y, uint32_t c,
                     uint32_t k, bool relu)
{
   for (uint32_t o = 0; o < k; o++)
      for (uint32_t i = 0; i < HW; i++)
         for (uint32_t j = 0; j < HW; j++) {
            float acc = b[o];
            for (uint32_t ci = 0; ci < c; ci++)
               for (uint32_t r = 0; r < 3; r++)
                  for (uint32_t s = 0; s < 3; s++) {
                     int yy = (int)i + (int)r - 1, xx = (int)j + (int)s - 1;
                     if (yy >= 0 && yy < (int)HW && xx >= 0 && xx < (int)HW)
                        acc += x[(ci * HW + yy) * HW + xx] * f[((o * c + ci) * 3 + r) * 3 + s];
                  }
            y[(o * HW + i) * HW + j] = relu && acc < 0 ? 0 : acc;
         }
}

static uint32_t host_memory_type(const struct dev_ctx *dc, uint32_t bits)
{
   VkPhysicalDeviceMemoryProperties mp;
   vkGetPhysicalDeviceMemoryProperties(dc->physical, &mp);
   const VkMemoryPropertyFlags want =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
      if ((bits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want)
         return i;
   return UINT32_MAX;
}

static bool make_buffers(struct worker *w)
{
   uint32_t seed = 12345;
   for (unsigned i = 0; i < B_COUNT; i++) {
      VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                               .size = buffer_floats[i] * 4,
                               .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                        VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                        VK_BUFFER_USAGE_TRANSFER_DST_BIT};
      TRY("vkCreateBuffer", vkCreateBuffer(w->dc->device, &bi, NULL, &w->buf[i]));
      VkMemoryRequirements req;
      vkGetBufferMemoryRequirements(w->dc->device, w->buf[i], &req);
      VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                                 .allocationSize = req.size,
                                 .memoryTypeIndex = host_memory_type(w->dc, req.memoryTypeBits)};
      TRY("vkAllocateMemory", vkAllocateMemory(w->dc->device, &ai, NULL, &w->mem[i]));
      TRY("vkBindBufferMemory", vkBindBufferMemory(w->dc->device, w->buf[i], w->mem[i], 0));
      TRY("vkMapMemory",
          vkMapMemory(w->dc->device, w->mem[i], 0, VK_WHOLE_SIZE, 0, (void **)&w->map[i]));
      for (uint32_t j = 0; j < buffer_floats[i]; j++)
         w->map[i][j] = lcg(&seed);
   }
   VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 12};
   VkDescriptorPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                     .maxSets = 3,
                                     .poolSizeCount = 1,
                                     .pPoolSizes = &ps};
   TRY("vkCreateDescriptorPool", vkCreateDescriptorPool(w->dc->device, &pci, NULL, &w->dpool));
   VkDescriptorSetLayout layouts[3] = {w->dc->dsl, w->dc->dsl, w->dc->dsl};
   VkDescriptorSetAllocateInfo dai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                      .descriptorPool = w->dpool,
                                      .descriptorSetCount = 3,
                                      .pSetLayouts = layouts};
   TRY("vkAllocateDescriptorSets", vkAllocateDescriptorSets(w->dc->device, &dai, w->sets));
   const unsigned roles[3][4] = {
      {B_IN, B_F1, B_B1, B_MID}, {B_MID, B_F2, B_B2, B_OUT}, {B_OUT, B_F2, B_B2, B_MID}};
   for (unsigned s = 0; s < 3; s++) {
      VkDescriptorBufferInfo infos[4];
      VkWriteDescriptorSet writes[4];
      for (unsigned b = 0; b < 4; b++) {
         infos[b] = (VkDescriptorBufferInfo){w->buf[roles[s][b]], 0, VK_WHOLE_SIZE};
         writes[b] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                            .dstSet = w->sets[s],
                                            .dstBinding = b,
                                            .descriptorCount = 1,
                                            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                            .pBufferInfo = &infos[b]};
      }
      vkUpdateDescriptorSets(w->dc->device, 4, writes, 0, NULL);
   }
   return true;
}

/* `jobs` dispatches (an even number) of hw x hw images with their barriers: in -> mid, then
 * mid -> out and out -> mid in turn, ending in out. */
static void record_convs(struct worker *w, VkCommandBuffer cb, uint32_t jobs, uint32_t hw)
{
   vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, w->dc->pipeline);
   const VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                               .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
                               .dstAccessMask =
                                  VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT};
   for (unsigned s = 0; s < jobs; s++) {
      struct pm4d_glsl_conv2d_push p = {
         1, s ? K0 : C0, hw, hw, K0, 3,  3,  1,
         1, 1,           1,  1,  1,  hw, hw, PM4D_GLSL_FLAG_BIAS | (s ? 0 : PM4D_GLSL_FLAG_RELU)};
      unsigned set = s == 0 ? 0 : s % 2 ? 1 : 2;
      vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, w->dc->playout, 0, 1,
                              &w->sets[set], 0, NULL);
      vkCmdPushConstants(cb, w->dc->playout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(p), &p);
      vkCmdDispatch(cb, (hw * hw + PM4D_GLSL_LOCAL_SIZE_X - 1) / PM4D_GLSL_LOCAL_SIZE_X, K0, 1);
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                           1, &mb, 0, NULL, 0, NULL);
   }
}

static bool record_jobs(struct worker *w, VkCommandBuffer cb, VkCommandBufferUsageFlags usage,
                        uint32_t jobs, uint32_t hw)
{
   VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                  .flags = usage};
   TRY("vkBeginCommandBuffer", vkBeginCommandBuffer(cb, &bi));
   record_convs(w, cb, jobs, hw);
   VkBufferCopy region = {0, 0, buffer_floats[B_OUT] * 4};
   vkCmdCopyBuffer(cb, w->buf[B_OUT], w->buf[B_FINAL], 1, &region);
   TRY("vkEndCommandBuffer", vkEndCommandBuffer(cb));
   return true;
}

static bool record(struct worker *w, VkCommandBuffer cb, VkCommandBufferUsageFlags usage)
{
   return record_jobs(w, cb, usage, JOBS_PER_SUBMIT, HW);
}

/* The copied output matches the reference (zeroed again for the next check). */
static bool check(struct worker *w, const char *what)
{
   float worst = 0, norm = 0;
   for (uint32_t i = 0; i < buffer_floats[B_FINAL]; i++) {
      float d = fabsf(w->map[B_FINAL][i] - reference[i]);
      worst = d > worst ? d : worst;
      norm = fabsf(reference[i]) > norm ? fabsf(reference[i]) : norm;
   }
   memset(w->map[B_FINAL], 0, buffer_floats[B_FINAL] * 4);
   memset(w->map[B_OUT], 0, buffer_floats[B_OUT] * 4);
   if (worst > 1e-4f * norm || norm == 0) {
      fprintf(stderr, "multisubmit: thread %u, %s: output wrong (max error %g of %g)\n", w->index,
              what, worst, norm);
      return false;
   }
   return true;
}

static bool run_binary(struct worker *w, VkCommandBuffer cb)
{
   VkSemaphore sems[2];
   VkSemaphoreCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
   TRY("vkCreateSemaphore", vkCreateSemaphore(w->dc->device, &sci, NULL, &sems[0]));
   TRY("vkCreateSemaphore", vkCreateSemaphore(w->dc->device, &sci, NULL, &sems[1]));
   VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   TRY("vkCreateFence", vkCreateFence(w->dc->device, &fci, NULL, &fence));
   VkPipelineStageFlags stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
   for (unsigned i = 0; i < BINARY_SUBMITS; i++) {
      bool last = i + 1 == BINARY_SUBMITS;
      VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
                         .waitSemaphoreCount = i ? 1 : 0,
                         .pWaitSemaphores = &sems[(i + 1) % 2],
                         .pWaitDstStageMask = &stage,
                         .commandBufferCount = 1,
                         .pCommandBuffers = &cb,
                         .signalSemaphoreCount = last ? 0 : 1,
                         .pSignalSemaphores = &sems[i % 2]};
      TRY("vkQueueSubmit", vkQueueSubmit(w->queue, 1, &si, last ? fence : VK_NULL_HANDLE));
   }
   TRY("vkWaitForFences",
       vkWaitForFences(w->dc->device, 1, &fence, VK_TRUE, 60ull * 1000 * 1000 * 1000));
   vkDestroyFence(w->dc->device, fence, NULL);
   vkDestroySemaphore(w->dc->device, sems[0], NULL);
   vkDestroySemaphore(w->dc->device, sems[1], NULL);
   return check(w, "binary semaphores and fence");
}

static bool direct_only, wait_before_signal;

static bool run_timeline(struct worker *w, VkCommandBuffer cb)
{
   VkSemaphoreTypeCreateInfo type = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
                                     .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE};
   VkSemaphoreCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, .pNext = &type};
   VkSemaphore tl;
   TRY("vkCreateSemaphore", vkCreateSemaphore(w->dc->device, &sci, NULL, &tl));
   VkSemaphoreSignalInfo go = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, .semaphore = tl, .value = 1};
   const bool signal_first = direct_only && !wait_before_signal;
   if (signal_first)
      TRY("vkSignalSemaphore", vkSignalSemaphore(w->dc->device, &go));
   for (unsigned i = 0; i < TIMELINE_SUBMITS; i++) {
      VkSemaphoreSubmitInfo wait = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO,
                                    .semaphore = tl,
                                    .value = i + 1,
                                    .stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT};
      VkSemaphoreSubmitInfo signal = wait;
      signal.value = i + 2;
      VkCommandBufferSubmitInfo cbi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO,
                                       .commandBuffer = cb};
      VkSubmitInfo2 si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2,
                          .waitSemaphoreInfoCount = 1,
                          .pWaitSemaphoreInfos = &wait,
                          .commandBufferInfoCount = 1,
                          .pCommandBufferInfos = &cbi,
                          .signalSemaphoreInfoCount = 1,
                          .pSignalSemaphoreInfos = &signal};
      TRY("vkQueueSubmit2", vkQueueSubmit2(w->queue, 1, &si, VK_NULL_HANDLE));
   }
   if (!signal_first)
      TRY("vkSignalSemaphore", vkSignalSemaphore(w->dc->device, &go));
   uint64_t done = TIMELINE_SUBMITS + 1;
   VkSemaphoreWaitInfo wi = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
                             .semaphoreCount = 1,
                             .pSemaphores = &tl,
                             .pValues = &done};
   TRY("vkWaitSemaphores", vkWaitSemaphores(w->dc->device, &wi, 60ull * 1000 * 1000 * 1000));
   vkDestroySemaphore(w->dc->device, tl, NULL);
   return check(w, "timeline semaphores");
}

static bool run_one_time(struct worker *w, VkCommandBuffer cb)
{
   for (unsigned i = 0; i < ONE_TIME_SUBMITS; i++) {
      if (i)
         TRY("vkResetCommandBuffer", vkResetCommandBuffer(cb, 0));
      if (!record(w, cb, VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT))
         return false;
      VkSubmitInfo si = {
         .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cb};
      TRY("vkQueueSubmit", vkQueueSubmit(w->queue, 1, &si, VK_NULL_HANDLE));
      TRY("vkQueueWaitIdle", vkQueueWaitIdle(w->queue));
      if (!check(w, i ? "re-recorded one-time submit" : "one-time submit"))
         return false;
   }
   return true;
}

static bool run_secondary(struct worker *w, VkCommandBuffer primary)
{
   VkCommandBuffer secondary;
   VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                     .commandPool = w->pool,
                                     .level = VK_COMMAND_BUFFER_LEVEL_SECONDARY,
                                     .commandBufferCount = 1};
   TRY("vkAllocateCommandBuffers", vkAllocateCommandBuffers(w->dc->device, &ai, &secondary));
   VkCommandBufferInheritanceInfo inherit = {.sType =
                                                VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO};
   VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                  .pInheritanceInfo = &inherit};
   TRY("vkBeginCommandBuffer", vkBeginCommandBuffer(secondary, &bi));
   record_convs(w, secondary, JOBS_PER_SUBMIT, HW);
   TRY("vkEndCommandBuffer", vkEndCommandBuffer(secondary));
   TRY("vkResetCommandBuffer", vkResetCommandBuffer(primary, 0));
   bi.pInheritanceInfo = NULL;
   TRY("vkBeginCommandBuffer", vkBeginCommandBuffer(primary, &bi));
   vkCmdExecuteCommands(primary, 1, &secondary);
   VkBufferCopy region = {0, 0, buffer_floats[B_OUT] * 4};
   vkCmdCopyBuffer(primary, w->buf[B_OUT], w->buf[B_FINAL], 1, &region);
   TRY("vkEndCommandBuffer", vkEndCommandBuffer(primary));
   VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &primary};
   TRY("vkQueueSubmit", vkQueueSubmit(w->queue, 1, &si, VK_NULL_HANDLE));
   TRY("vkQueueWaitIdle", vkQueueWaitIdle(w->queue));
   return check(w, "secondary command buffer");
}

static uint64_t now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int compare_u64(const void *a, const void *b)
{
   uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
   return x < y ? -1 : x > y;
}

static uint32_t bench_submits;                /* --bench N */
static uint32_t bench_jobs = JOBS_PER_SUBMIT; /* --jobs J */
static bool bench_miss;                       /* --miss */

/* Submits cbs[0] n times (cbs[0] and cbs[1] in turn with --miss), each alone with a fence. */
static bool bench(struct worker *w, const VkCommandBuffer cbs[2], uint32_t n)
{
   uint64_t *submit = calloc(n, sizeof(*submit)), *total = calloc(n, sizeof(*total));
   VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   if (!submit || !total || vkCreateFence(w->dc->device, &fci, NULL, &fence) != VK_SUCCESS)
      return false;
   for (uint32_t i = 0; i < n; i++) {
      VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
                         .commandBufferCount = 1,
                         .pCommandBuffers = &cbs[bench_miss ? i % 2 : 0]};
      uint64_t t0 = now_ns();
      TRY("vkQueueSubmit", vkQueueSubmit(w->queue, 1, &si, fence));
      uint64_t t1 = now_ns();
      /* 10 min: under callgrind on the virtual GPU the first batch waits for PoCL's start-up
       * (scripts/bench-vgpu). */
      TRY("vkWaitForFences",
          vkWaitForFences(w->dc->device, 1, &fence, VK_TRUE, 600ull * 1000 * 1000 * 1000));
      total[i] = now_ns() - t0;
      submit[i] = t1 - t0;
      TRY("vkResetFences", vkResetFences(w->dc->device, 1, &fence));
   }
   qsort(submit, n, sizeof(*submit), compare_u64);
   qsort(total, n, sizeof(*total), compare_u64);
   printf(
      "bench: %u submissions of %u conv2d dispatches%s: vkQueueSubmit median %.1f us (%.1f us per "
      "dispatch), submit to fence median %.1f us\n",
      n, bench_jobs, bench_miss ? " (two command buffers in turn)" : "", submit[n / 2] / 1e3,
      submit[n / 2] / 1e3 / bench_jobs, total[n / 2] / 1e3);
   vkDestroyFence(w->dc->device, fence, NULL);
   free(submit);
   free(total);
   return true;
}

static bool device_setup(struct dev_ctx *dc, uint32_t queues);
static void device_finish(struct dev_ctx *dc);
static bool worker_finish(struct worker *w);

static void *worker_main(void *arg)
{
   struct worker *w = arg;
   w->ok = false;
   if (w->own_device && (!device_setup(w->dc, 1) || !make_buffers(w)))
      return NULL;
   vkGetDeviceQueue(w->dc->device, w->dc->family, w->own_device ? 0 : w->index, &w->queue);
   VkCommandPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                  .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                  .queueFamilyIndex = w->dc->family};
   VkCommandBuffer cbs[2];
   /* --miss: the second command buffer's own buffers */
   struct worker alt = {.index = w->index, .dc = w->dc};
   VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                     .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                     .commandBufferCount = 2};
   w->ok =
      vkCreateCommandPool(w->dc->device, &pci, NULL, &w->pool) == VK_SUCCESS &&
      (ai.commandPool = w->pool) &&
      vkAllocateCommandBuffers(w->dc->device, &ai, cbs) == VK_SUCCESS &&
      (bench_submits
          ? record_jobs(w, cbs[0], VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT, bench_jobs, HW) &&
               (!bench_miss ||
                (make_buffers(&alt) &&
                 record_jobs(&alt, cbs[1], VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT, bench_jobs,
                             HW_MISS))) &&
               bench(w, cbs, bench_submits)
          : record(w, cbs[0], VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT) &&
               run_binary(w, cbs[0]) && run_timeline(w, cbs[0]) && run_one_time(w, cbs[1]) &&
               (direct_only || run_secondary(w, cbs[1])));
   if (alt.dpool)
      w->ok = worker_finish(&alt) && w->ok;
   if (w->own_device)
      w->ok = worker_finish(w) && w->ok;
   return NULL;
}

static bool instance_setup(void)
{
   VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                            .apiVersion = VK_API_VERSION_1_3};
   VkInstanceCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                               .pApplicationInfo = &app};
   TRY("vkCreateInstance", vkCreateInstance(&ici, NULL, &instance));
   n_physicals = MAX_THREADS;
   VkResult res = vkEnumeratePhysicalDevices(instance, &n_physicals, physicals);
   if ((res != VK_SUCCESS && res != VK_INCOMPLETE) || n_physicals == 0) {
      printf("SKIPPED: no Vulkan device\n");
      exit(77);
   }
   for (uint32_t i = 0; i < n_physicals; i++) {
      VkQueueFamilyProperties fams[16];
      uint32_t nf = 16, family;
      vkGetPhysicalDeviceQueueFamilyProperties(physicals[i], &nf, fams);
      for (family = 0; family < nf && !(fams[family].queueFlags & VK_QUEUE_COMPUTE_BIT); family++)
         ;
      if (family == nf) {
         printf("SKIPPED: no compute queue\n");
         exit(77);
      }
      if (i == 0)
         family_queues = fams[family].queueCount;
   }
   return true;
}

/* The device context's GPU (the first, or GPU `gpu` of the process) and compute family. */
static void dev_ctx_gpu(struct dev_ctx *dc, uint32_t gpu)
{
   dc->physical = physicals[gpu % n_physicals];
   VkQueueFamilyProperties fams[16];
   uint32_t nf = 16;
   vkGetPhysicalDeviceQueueFamilyProperties(dc->physical, &nf, fams);
   for (dc->family = 0; dc->family < nf && !(fams[dc->family].queueFlags & VK_QUEUE_COMPUTE_BIT);
        dc->family++)
      ;
}

static bool device_setup(struct dev_ctx *dc, uint32_t queues)
{
   float prio[MAX_THREADS] = {1, 1, 1, 1};
   VkDeviceQueueCreateInfo qci = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                  .queueFamilyIndex = dc->family,
                                  .queueCount = queues,
                                  .pQueuePriorities = prio};
   /* The app's own Vulkan12Features: the layer must patch this one, not add a second. */
   VkPhysicalDeviceVulkan13Features f13 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES, .synchronization2 = VK_TRUE};
   VkPhysicalDeviceVulkan12Features f12 = {.sType =
                                              VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
                                           .pNext = &f13,
                                           .timelineSemaphore = VK_TRUE};
   VkDeviceCreateInfo dci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                             .pNext = &f12,
                             .queueCreateInfoCount = 1,
                             .pQueueCreateInfos = &qci};
   TRY("vkCreateDevice", vkCreateDevice(dc->physical, &dci, NULL, &dc->device));
   const struct pm4d_glsl_spirv *code = pm4d_glsl_get(PM4D_GLSL_CONV2D_DIRECT);
   VkShaderModuleCreateInfo smci = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                    .codeSize = code->size,
                                    .pCode = code->code};
   VkShaderModule module;
   TRY("vkCreateShaderModule", vkCreateShaderModule(dc->device, &smci, NULL, &module));
   VkDescriptorSetLayoutBinding b[4];
   for (unsigned i = 0; i < 4; i++)
      b[i] = (VkDescriptorSetLayoutBinding){i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                                            VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   VkDescriptorSetLayoutCreateInfo dlci = {.sType =
                                              VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                           .bindingCount = 4,
                                           .pBindings = b};
   TRY("vkCreateDescriptorSetLayout",
       vkCreateDescriptorSetLayout(dc->device, &dlci, NULL, &dc->dsl));
   VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                sizeof(struct pm4d_glsl_conv2d_push)};
   VkPipelineLayoutCreateInfo plci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                      .setLayoutCount = 1,
                                      .pSetLayouts = &dc->dsl,
                                      .pushConstantRangeCount = 1,
                                      .pPushConstantRanges = &range};
   TRY("vkCreatePipelineLayout", vkCreatePipelineLayout(dc->device, &plci, NULL, &dc->playout));
   VkComputePipelineCreateInfo cpci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = module,
                .pName = "main"},
      .layout = dc->playout};
   TRY("vkCreateComputePipelines",
       vkCreateComputePipelines(dc->device, VK_NULL_HANDLE, 1, &cpci, NULL, &dc->pipeline));
   vkDestroyShaderModule(dc->device, module, NULL);
   return true;
}

static void device_finish(struct dev_ctx *dc)
{
   vkDestroyPipeline(dc->device, dc->pipeline, NULL);
   vkDestroyPipelineLayout(dc->device, dc->playout, NULL);
   vkDestroyDescriptorSetLayout(dc->device, dc->dsl, NULL);
   vkDestroyDevice(dc->device, NULL);
}

/* vkDeviceWaitIdle, then the worker's objects go (and its device, when it has its own). */
static bool worker_finish(struct worker *w)
{
   bool ok = vkDeviceWaitIdle(w->dc->device) == VK_SUCCESS;
   vkDestroyCommandPool(w->dc->device, w->pool, NULL);
   vkDestroyDescriptorPool(w->dc->device, w->dpool, NULL);
   for (unsigned b = 0; b < B_COUNT; b++) {
      vkDestroyBuffer(w->dc->device, w->buf[b], NULL);
      vkFreeMemory(w->dc->device, w->mem[b], NULL);
   }
   if (w->own_device)
      device_finish(w->dc);
   return ok;
}

int main(int argc, char **argv)
{
   if (argc > 2 && strcmp(argv[1], "--bench") == 0) {
      bench_submits = (uint32_t)atoi(argv[2]);
      for (int i = 3; i < argc; i++) {
         bench_miss |= strcmp(argv[i], "--miss") == 0;
         if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc)
            bench_jobs = (uint32_t)atoi(argv[++i]);
      }
      if (bench_jobs == 0 || bench_jobs % 2 || bench_jobs > BENCH_MAX_JOBS) {
         fprintf(stderr, "multisubmit: --jobs takes 2, 4 or 6\n");
         return 1;
      }
   }
   uint32_t threads = bench_submits ? 1 : argc > 1 ? (uint32_t)atoi(argv[1]) : MAX_THREADS;
   bool all_gpus = false;
   for (int i = 2; !bench_submits && i < argc; i++) {
      direct_only |= strcmp(argv[i], "--direct-only") == 0;
      all_gpus |= strcmp(argv[i], "--all-gpus") == 0;
      wait_before_signal |= strcmp(argv[i], "--wait-before-signal") == 0;
   }
   threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
   if (!instance_setup())
      return 1;
   static struct worker workers[MAX_THREADS];
   static struct dev_ctx devices[MAX_THREADS];
   /* Several queues of one device when the family has them, else a device per thread. */
   bool shared = family_queues >= threads && !all_gpus;
   for (uint32_t i = 0; i < threads; i++)
      dev_ctx_gpu(&devices[i], all_gpus ? i : 0);
   if (shared && !device_setup(&devices[0], threads))
      return 1;
   for (uint32_t i = 0; i < threads; i++) {
      struct worker *w = &workers[i];
      w->index = i;
      w->own_device = !shared;
      w->dc = shared ? &devices[0] : &devices[i];
      if (shared && !make_buffers(w))
         return 1;
   }
   /* Every worker has the same inputs (same seed): one reference, from host copies. */
   float x[C0 * HW * HW], f1[K0 * C0 * 9], b1[K0], f2[K0 * K0 * 9], b2[K0], mid[K0 * HW * HW];
   float *inputs[] = {x, f1, b1, NULL, f2, b2};
   uint32_t seed = 12345;
   for (unsigned i = 0; i < 6; i++)
      for (uint32_t j = 0; j < buffer_floats[i]; j++) {
         float v = lcg(&seed);
         if (inputs[i])
            inputs[i][j] = v;
      }
   conv_ref(x, f1, b1, mid, C0, K0, true);
   conv_ref(mid, f2, b2, reference, K0, K0, false);
   pthread_t tids[MAX_THREADS];
   for (uint32_t i = 0; i < threads; i++)
      pthread_create(&tids[i], NULL, worker_main, &workers[i]);
   bool ok = true;
   for (uint32_t i = 0; i < threads; i++) {
      pthread_join(tids[i], NULL);
      ok = ok && workers[i].ok;
   }
   for (uint32_t i = 0; shared && i < threads; i++)
      ok = worker_finish(&workers[i]) && ok;
   if (shared)
      device_finish(&devices[0]);
   vkDestroyInstance(instance, NULL);
   if (all_gpus)
      printf("multisubmit: devices on %u GPU(s)\n", threads < n_physicals ? threads : n_physicals);
   if (!bench_submits)
      printf(
         "multisubmit: %u thread(s) on %u queue(s) of %u device(s), %u conv2d dispatches submitted\n",
         threads, threads, shared ? 1 : threads,
         threads * (BINARY_SUBMITS + TIMELINE_SUBMITS + ONE_TIME_SUBMITS) * JOBS_PER_SUBMIT);
   printf("multisubmit: %s\n", ok ? "all outputs right" : "FAILED");
   return ok ? 0 : 1;
}
