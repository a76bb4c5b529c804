/* Loader negotiation, GetProcAddr and the layer's identity. */
#ifndef PM4D_VK_DISPATCH_H
#define PM4D_VK_DISPATCH_H

#include "pm4d_vk_state.h"

#define PM4D_VK_LAYER_NAME "VK_LAYER_PM4DIRECT_conv2d"

/* Fills the tables from the next layer's GetProcAddr. Device entries with an extension alias
 * fall back to it when the core name is not there. */
void pm4d_vk_dispatch_fill_instance(struct pm4d_vk_instance_table *t, VkInstance instance,
                                    PFN_vkGetInstanceProcAddr gipa);
void pm4d_vk_dispatch_fill_device(struct pm4d_vk_device_table *t, VkDevice device,
                                  PFN_vkGetDeviceProcAddr gdpa);

#endif
