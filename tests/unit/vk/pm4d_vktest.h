/* Small Vulkan helpers shared by the layer's test programs and the pass-through benchmark. */
#ifndef PM4D_VKTEST_H
#define PM4D_VKTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

/* Exit codes of the test programs (77: ctest SKIP_RETURN_CODE). */
enum { PM4D_VKTEST_OK = 0, PM4D_VKTEST_FAIL = 1, PM4D_VKTEST_SKIP = 77 };

struct pm4d_vktest_ctx {
   VkInstance instance;
   VkDebugUtilsMessengerEXT messenger;
   VkPhysicalDevice physical;
   VkDevice device;
   VkQueue queue;
   VkQueue queue2; /* two_queues: a second queue of the family */
   uint32_t queue_family;
   bool inline_spirv; /* VK_EXT_graphics_pipeline_library enabled: modules may be inline */
   unsigned validation_messages;
};

struct pm4d_vktest_options {
   bool debug_messenger; /* print validation messages as "validation: <id name>" to stdout */
   bool want_inline_spirv;
   bool two_queues; /* a family with two compute queues (timeline semaphores on), else
                     * VK_ERROR_INCOMPATIBLE_DRIVER */
};

/* Creates an instance and a device with one compute queue (synchronization2 on). Returns
 * VK_ERROR_INCOMPATIBLE_DRIVER when no device is there (the caller skips). */
VkResult pm4d_vktest_init(struct pm4d_vktest_ctx *ctx, const struct pm4d_vktest_options *opt);
void pm4d_vktest_finish(struct pm4d_vktest_ctx *ctx);

struct pm4d_vktest_buffer {
   VkBuffer buffer;
   VkDeviceMemory memory;
   void *map;
   VkDeviceSize size;
};

/* A host-visible, coherent, mapped buffer; bind2 binds with vkBindBufferMemory2. */
VkResult pm4d_vktest_buffer(struct pm4d_vktest_ctx *ctx, VkDeviceSize size,
                            VkBufferUsageFlags usage, bool bind2, struct pm4d_vktest_buffer *out);
void pm4d_vktest_buffer_free(struct pm4d_vktest_ctx *ctx, struct pm4d_vktest_buffer *b);

/* Prints "<prog>: SKIPPED: <why>" or "<prog>: <what> failed: <VkResult>" and returns the exit
 * code for it. */
int pm4d_vktest_fail(const char *prog, const char *what, VkResult res);

#define PM4D_VKTEST_TRY(prog, what, expr)               \
   do {                                                 \
      VkResult try_res_ = (expr);                       \
      if (try_res_ != VK_SUCCESS)                       \
         return pm4d_vktest_fail(prog, what, try_res_); \
   } while (0)

#endif
