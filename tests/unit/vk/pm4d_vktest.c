#include "pm4d_vktest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                 VkDebugUtilsMessageTypeFlagsEXT types,
                                                 const VkDebugUtilsMessengerCallbackDataEXT *data,
                                                 void *user)
{
   (void)types;
   if (severity < VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT)
      return VK_FALSE;
   struct pm4d_vktest_ctx *ctx = user;
   ctx->validation_messages++;
   printf("validation: %s\n", data->pMessageIdName ? data->pMessageIdName : "(no id)");
   fprintf(stderr, "validation message: %s\n", data->pMessage);
   return VK_FALSE;
}

static bool has_instance_extension(const char *name)
{
   uint32_t n = 0;
   vkEnumerateInstanceExtensionProperties(NULL, &n, NULL);
   VkExtensionProperties *props = calloc(n ? n : 1, sizeof(*props));
   bool found = false;
   if (props && vkEnumerateInstanceExtensionProperties(NULL, &n, props) >= 0)
      for (uint32_t i = 0; i < n && !found; i++)
         found = strcmp(props[i].extensionName, name) == 0;
   free(props);
   return found;
}

static bool has_device_extension(VkPhysicalDevice pd, const char *name)
{
   uint32_t n = 0;
   vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL);
   VkExtensionProperties *props = calloc(n ? n : 1, sizeof(*props));
   bool found = false;
   if (props && vkEnumerateDeviceExtensionProperties(pd, NULL, &n, props) >= 0)
      for (uint32_t i = 0; i < n && !found; i++)
         found = strcmp(props[i].extensionName, name) == 0;
   free(props);
   return found;
}

static VkResult create_instance(struct pm4d_vktest_ctx *ctx, const struct pm4d_vktest_options *opt)
{
   bool messenger =
      opt->debug_messenger && has_instance_extension(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
   const char *ext = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
   VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                            .pApplicationName = "pm4d_vktest",
                            .apiVersion = VK_API_VERSION_1_3};
   VkDebugUtilsMessengerCreateInfoEXT mci = {
      .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
      .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
      .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
      .pfnUserCallback = on_message,
      .pUserData = ctx,
   };
   VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                              .pNext = messenger ? &mci : NULL,
                              .pApplicationInfo = &app,
                              .enabledExtensionCount = messenger,
                              .ppEnabledExtensionNames = &ext};
   VkResult res = vkCreateInstance(&ci, NULL, &ctx->instance);
   if (res != VK_SUCCESS || !messenger)
      return res;
   PFN_vkCreateDebugUtilsMessengerEXT create =
      (PFN_vkCreateDebugUtilsMessengerEXT)vkGetInstanceProcAddr(ctx->instance,
                                                                "vkCreateDebugUtilsMessengerEXT");
   return create ? create(ctx->instance, &mci, NULL, &ctx->messenger)
                 : VK_ERROR_EXTENSION_NOT_PRESENT;
}

VkResult pm4d_vktest_init(struct pm4d_vktest_ctx *ctx, const struct pm4d_vktest_options *opt)
{
   memset(ctx, 0, sizeof(*ctx));
   VkResult res = create_instance(ctx, opt);
   if (res != VK_SUCCESS)
      return res;
   uint32_t count = 1;
   res = vkEnumeratePhysicalDevices(ctx->instance, &count, &ctx->physical);
   if (res < 0 || count == 0)
      return VK_ERROR_INCOMPATIBLE_DRIVER;
   VkPhysicalDeviceProperties props;
   vkGetPhysicalDeviceProperties(ctx->physical, &props);
   if (props.apiVersion < VK_API_VERSION_1_3)
      return VK_ERROR_INCOMPATIBLE_DRIVER;

   uint32_t nq = 0;
   vkGetPhysicalDeviceQueueFamilyProperties(ctx->physical, &nq, NULL);
   VkQueueFamilyProperties qf[16];
   nq = nq > 16 ? 16 : nq;
   vkGetPhysicalDeviceQueueFamilyProperties(ctx->physical, &nq, qf);
   ctx->queue_family = UINT32_MAX;
   for (uint32_t i = 0; i < nq && ctx->queue_family == UINT32_MAX; i++)
      if ((qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && qf[i].queueCount >= 1u + opt->two_queues)
         ctx->queue_family = i;
   if (ctx->queue_family == UINT32_MAX)
      return VK_ERROR_INCOMPATIBLE_DRIVER;

   ctx->inline_spirv =
      opt->want_inline_spirv &&
      has_device_extension(ctx->physical, VK_EXT_GRAPHICS_PIPELINE_LIBRARY_EXTENSION_NAME);
   /* Inline SPIR-V in a stage's pNext comes with graphics pipeline libraries. */
   const char *exts[] = {VK_KHR_PIPELINE_LIBRARY_EXTENSION_NAME,
                         VK_EXT_GRAPHICS_PIPELINE_LIBRARY_EXTENSION_NAME};
   VkPhysicalDeviceGraphicsPipelineLibraryFeaturesEXT gpl = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_GRAPHICS_PIPELINE_LIBRARY_FEATURES_EXT,
      .graphicsPipelineLibrary = VK_TRUE};
   VkPhysicalDeviceVulkan13Features f13 = {.sType =
                                              VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
                                           .pNext = ctx->inline_spirv ? &gpl : NULL,
                                           .synchronization2 = VK_TRUE};
   /* Two queues: timeline semaphores between them (pm4d_e2e_threads two_queues_cycle). */
   VkPhysicalDeviceVulkan12Features f12 = {.sType =
                                              VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
                                           .pNext = &f13,
                                           .timelineSemaphore = VK_TRUE};
   const float prio[2] = {1.0f, 1.0f};
   VkDeviceQueueCreateInfo qci = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                  .queueFamilyIndex = ctx->queue_family,
                                  .queueCount = 1u + opt->two_queues,
                                  .pQueuePriorities = prio};
   VkDeviceCreateInfo dci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                             .pNext = opt->two_queues ? (void *)&f12 : &f13,
                             .queueCreateInfoCount = 1,
                             .pQueueCreateInfos = &qci,
                             .enabledExtensionCount = ctx->inline_spirv ? 2 : 0,
                             .ppEnabledExtensionNames = exts};
   res = vkCreateDevice(ctx->physical, &dci, NULL, &ctx->device);
   if (res != VK_SUCCESS)
      return res;
   vkGetDeviceQueue(ctx->device, ctx->queue_family, 0, &ctx->queue);
   if (opt->two_queues)
      vkGetDeviceQueue(ctx->device, ctx->queue_family, 1, &ctx->queue2);
   return VK_SUCCESS;
}

void pm4d_vktest_finish(struct pm4d_vktest_ctx *ctx)
{
   if (ctx->device)
      vkDestroyDevice(ctx->device, NULL);
   if (ctx->messenger) {
      PFN_vkDestroyDebugUtilsMessengerEXT destroy =
         (PFN_vkDestroyDebugUtilsMessengerEXT)vkGetInstanceProcAddr(
            ctx->instance, "vkDestroyDebugUtilsMessengerEXT");
      if (destroy)
         destroy(ctx->instance, ctx->messenger, NULL);
   }
   if (ctx->instance)
      vkDestroyInstance(ctx->instance, NULL);
   memset(ctx, 0, sizeof(*ctx));
}

VkResult pm4d_vktest_buffer(struct pm4d_vktest_ctx *ctx, VkDeviceSize size,
                            VkBufferUsageFlags usage, bool bind2, struct pm4d_vktest_buffer *out)
{
   memset(out, 0, sizeof(*out));
   out->size = size;
   VkBufferCreateInfo bci = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                             .size = size,
                             .usage = usage,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
   VkResult res = vkCreateBuffer(ctx->device, &bci, NULL, &out->buffer);
   if (res != VK_SUCCESS)
      return res;
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(ctx->device, out->buffer, &req);
   VkPhysicalDeviceMemoryProperties mp;
   vkGetPhysicalDeviceMemoryProperties(ctx->physical, &mp);
   const VkMemoryPropertyFlags want =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   uint32_t type = UINT32_MAX;
   for (uint32_t i = 0; i < mp.memoryTypeCount && type == UINT32_MAX; i++)
      if ((req.memoryTypeBits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want)
         type = i;
   if (type == UINT32_MAX)
      return VK_ERROR_FEATURE_NOT_PRESENT;
   VkMemoryAllocateInfo mai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                               .allocationSize = req.size,
                               .memoryTypeIndex = type};
   res = vkAllocateMemory(ctx->device, &mai, NULL, &out->memory);
   if (res != VK_SUCCESS)
      return res;
   if (bind2) {
      VkBindBufferMemoryInfo bi = {.sType = VK_STRUCTURE_TYPE_BIND_BUFFER_MEMORY_INFO,
                                   .buffer = out->buffer,
                                   .memory = out->memory};
      res = vkBindBufferMemory2(ctx->device, 1, &bi);
   } else {
      res = vkBindBufferMemory(ctx->device, out->buffer, out->memory, 0);
   }
   if (res != VK_SUCCESS)
      return res;
   return vkMapMemory(ctx->device, out->memory, 0, VK_WHOLE_SIZE, 0, &out->map);
}

void pm4d_vktest_buffer_free(struct pm4d_vktest_ctx *ctx, struct pm4d_vktest_buffer *b)
{
   if (b->map)
      vkUnmapMemory(ctx->device, b->memory);
   vkDestroyBuffer(ctx->device, b->buffer, NULL);
   vkFreeMemory(ctx->device, b->memory, NULL);
   memset(b, 0, sizeof(*b));
}

int pm4d_vktest_fail(const char *prog, const char *what, VkResult res)
{
   if (res == VK_ERROR_INCOMPATIBLE_DRIVER) {
      printf("%s: SKIPPED: no Vulkan 1.3 device with a compute queue (%s)\n", prog, what);
      return PM4D_VKTEST_SKIP;
   }
   fprintf(stderr, "%s: %s failed: VkResult %d\n", prog, what, (int)res);
   return PM4D_VKTEST_FAIL;
}
