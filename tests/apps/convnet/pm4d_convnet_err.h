/* VkResult reporting for convnet: every failing Vulkan call is named on stderr with its result
 * as text, then the caller unwinds with goto fail. */
#ifndef PM4D_CONVNET_ERR_H
#define PM4D_CONVNET_ERR_H

#include <vulkan/vulkan.h>

const char *pm4d_convnet_err_name(VkResult r);

/* Prints "convnet: <what> failed: <VK_...>" on stderr; returns r. */
VkResult pm4d_convnet_err_report(const char *what, VkResult r);

/* res = fn(...); on anything but VK_SUCCESS report fn by name and goto fail. */
#define PM4D_CONVNET_TRY(res, fn, ...)        \
   do {                                       \
      (res) = fn(__VA_ARGS__);                \
      if ((res) != VK_SUCCESS) {              \
         pm4d_convnet_err_report(#fn, (res)); \
         goto fail;                           \
      }                                       \
   } while (0)

#endif
