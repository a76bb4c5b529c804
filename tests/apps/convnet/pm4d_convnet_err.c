#include "pm4d_convnet_err.h"

#include <stdio.h>

/* Core VkResult values of Vulkan 1.3 (vulkan_core.h) plus the extension results a compute app
 * can meet. */
#define PM4D_CONVNET_RESULTS(X)               \
   X(VK_SUCCESS)                              \
   X(VK_NOT_READY)                            \
   X(VK_TIMEOUT)                              \
   X(VK_EVENT_SET)                            \
   X(VK_EVENT_RESET)                          \
   X(VK_INCOMPLETE)                           \
   X(VK_ERROR_OUT_OF_HOST_MEMORY)             \
   X(VK_ERROR_OUT_OF_DEVICE_MEMORY)           \
   X(VK_ERROR_INITIALIZATION_FAILED)          \
   X(VK_ERROR_DEVICE_LOST)                    \
   X(VK_ERROR_MEMORY_MAP_FAILED)              \
   X(VK_ERROR_LAYER_NOT_PRESENT)              \
   X(VK_ERROR_EXTENSION_NOT_PRESENT)          \
   X(VK_ERROR_FEATURE_NOT_PRESENT)            \
   X(VK_ERROR_INCOMPATIBLE_DRIVER)            \
   X(VK_ERROR_TOO_MANY_OBJECTS)               \
   X(VK_ERROR_FORMAT_NOT_SUPPORTED)           \
   X(VK_ERROR_FRAGMENTED_POOL)                \
   X(VK_ERROR_UNKNOWN)                        \
   X(VK_ERROR_OUT_OF_POOL_MEMORY)             \
   X(VK_ERROR_INVALID_EXTERNAL_HANDLE)        \
   X(VK_ERROR_FRAGMENTATION)                  \
   X(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS) \
   X(VK_PIPELINE_COMPILE_REQUIRED)            \
   X(VK_ERROR_VALIDATION_FAILED_EXT)          \
   X(VK_ERROR_INVALID_SHADER_NV)

const char *pm4d_convnet_err_name(VkResult r)
{
   switch (r) {
#define PM4D_CONVNET_RESULT_CASE(name) \
   case name: return #name;
      PM4D_CONVNET_RESULTS(PM4D_CONVNET_RESULT_CASE)
#undef PM4D_CONVNET_RESULT_CASE
   default: return "VK_RESULT_UNKNOWN_VALUE";
   }
}

VkResult pm4d_convnet_err_report(const char *what, VkResult r)
{
   fprintf(stderr, "convnet: %s failed: %s (%d)\n", what, pm4d_convnet_err_name(r), (int)r);
   return r;
}
