/* A fake device whose next layer is a set of stubs, for unit tests of the hooks. */
#ifndef PM4D_VK_FAKE_H
#define PM4D_VK_FAKE_H

#include "pm4d_vk_objects.h"

/* Dispatchable objects start with the loader's dispatch pointer; the fake device and its
 * command buffer share one, as with the real loader. */
struct pm4d_vk_fake_dispatchable {
   void *loader_dispatch;
};
extern int pm4d_vk_fake_loader_table;
extern struct pm4d_vk_fake_dispatchable pm4d_vk_fake_device, pm4d_vk_fake_cmdbuf;
#define PM4D_VK_FAKE_DEV ((VkDevice)&pm4d_vk_fake_device)
#define PM4D_VK_FAKE_CB  ((VkCommandBuffer)&pm4d_vk_fake_cmdbuf)

/* Calls that reached the stubs (i.e. were forwarded by the layer). */
extern unsigned pm4d_vk_fake_forwarded;

/* Creates the device and registers it in the state map (NULL when out of memory). */
struct pm4d_vk_device *pm4d_vk_fake_device_create(void);
/* Unregisters it and frees it with every record it holds. */
void pm4d_vk_fake_device_destroy(struct pm4d_vk_device *dev);

#endif
