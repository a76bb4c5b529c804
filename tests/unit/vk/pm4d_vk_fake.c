/* A device for unit tests: registered in the layer's state map, its next-layer table made of
 * stubs that hand out handles and count the calls that reached them. */
#include "pm4d_vk_fake.h"

#include <stdlib.h>

int pm4d_vk_fake_loader_table;
struct pm4d_vk_fake_dispatchable pm4d_vk_fake_device = {&pm4d_vk_fake_loader_table},
                                 pm4d_vk_fake_cmdbuf = {&pm4d_vk_fake_loader_table};
unsigned pm4d_vk_fake_forwarded;
static uint64_t next_handle = 0x1000;

/* Fills n handles; one forwarded call. */
static VkResult stub_create_n(void *out, uint32_t n)
{
   for (uint32_t i = 0; i < n; i++)
      ((uint64_t *)out)[i] = next_handle++;
   pm4d_vk_fake_forwarded++;
   return VK_SUCCESS;
}

static VkResult stub_create(void *out)
{
   return stub_create_n(out, 1);
}
static VkResult stub_CreateShaderModule(VkDevice d, const VkShaderModuleCreateInfo *ci,
                                        const VkAllocationCallbacks *a, VkShaderModule *out)
{
   (void)d, (void)ci, (void)a;
   return stub_create(out);
}
static VkResult stub_CreateComputePipelines(VkDevice d, VkPipelineCache c, uint32_t n,
                                            const VkComputePipelineCreateInfo *ci,
                                            const VkAllocationCallbacks *a, VkPipeline *out)
{
   (void)d, (void)c, (void)ci, (void)a;
   return stub_create_n(out, n);
}
static VkResult stub_CreateDescriptorSetLayout(VkDevice d,
                                               const VkDescriptorSetLayoutCreateInfo *ci,
                                               const VkAllocationCallbacks *a,
                                               VkDescriptorSetLayout *out)
{
   (void)d, (void)ci, (void)a;
   return stub_create(out);
}
static VkResult stub_AllocateDescriptorSets(VkDevice d, const VkDescriptorSetAllocateInfo *ai,
                                            VkDescriptorSet *out)
{
   (void)d;
   return stub_create_n(out, ai->descriptorSetCount);
}
static void stub_UpdateDescriptorSets(VkDevice d, uint32_t nw, const VkWriteDescriptorSet *w,
                                      uint32_t nc, const VkCopyDescriptorSet *c)
{
   (void)d, (void)nw, (void)w, (void)nc, (void)c;
   pm4d_vk_fake_forwarded++;
}
static VkResult stub_CreateDescriptorUpdateTemplate(VkDevice d,
                                                    const VkDescriptorUpdateTemplateCreateInfo *ci,
                                                    const VkAllocationCallbacks *a,
                                                    VkDescriptorUpdateTemplate *out)
{
   (void)d, (void)ci, (void)a;
   return stub_create(out);
}
static void stub_UpdateDescriptorSetWithTemplate(VkDevice d, VkDescriptorSet s,
                                                 VkDescriptorUpdateTemplate t, const void *p)
{
   (void)d, (void)s, (void)t, (void)p;
   pm4d_vk_fake_forwarded++;
}
static void stub_DestroyDescriptorPool(VkDevice d, VkDescriptorPool p,
                                       const VkAllocationCallbacks *a)
{
   (void)d, (void)p, (void)a;
   pm4d_vk_fake_forwarded++;
}
static VkResult stub_AllocateCommandBuffers(VkDevice d, const VkCommandBufferAllocateInfo *ai,
                                            VkCommandBuffer *out)
{
   (void)d, (void)ai;
   out[0] = PM4D_VK_FAKE_CB;
   pm4d_vk_fake_forwarded++;
   return VK_SUCCESS;
}
static VkResult stub_BeginCommandBuffer(VkCommandBuffer c, const VkCommandBufferBeginInfo *b)
{
   (void)c, (void)b;
   pm4d_vk_fake_forwarded++;
   return VK_SUCCESS;
}
static void stub_CmdBindPipeline(VkCommandBuffer c, VkPipelineBindPoint bp, VkPipeline p)
{
   (void)c, (void)bp, (void)p;
   pm4d_vk_fake_forwarded++;
}
static void stub_CmdBindDescriptorSets(VkCommandBuffer c, VkPipelineBindPoint bp,
                                       VkPipelineLayout l, uint32_t f, uint32_t n,
                                       const VkDescriptorSet *s, uint32_t nd, const uint32_t *d)
{
   (void)c, (void)bp, (void)l, (void)f, (void)n, (void)s, (void)nd, (void)d;
   pm4d_vk_fake_forwarded++;
}
static void stub_CmdPushConstants(VkCommandBuffer c, VkPipelineLayout l, VkShaderStageFlags st,
                                  uint32_t o, uint32_t s, const void *v)
{
   (void)c, (void)l, (void)st, (void)o, (void)s, (void)v;
   pm4d_vk_fake_forwarded++;
}
static void stub_CmdDispatch(VkCommandBuffer c, uint32_t x, uint32_t y, uint32_t z)
{
   (void)c, (void)x, (void)y, (void)z;
   pm4d_vk_fake_forwarded++;
}
static void stub_CmdPushDescriptorSetKHR(VkCommandBuffer c, VkPipelineBindPoint bp,
                                         VkPipelineLayout l, uint32_t set, uint32_t n,
                                         const VkWriteDescriptorSet *w)
{
   (void)c, (void)bp, (void)l, (void)set, (void)n, (void)w;
   pm4d_vk_fake_forwarded++;
}
static void stub_DestroyShaderModule(VkDevice d, VkShaderModule m, const VkAllocationCallbacks *a)
{
   (void)d, (void)m, (void)a;
   pm4d_vk_fake_forwarded++;
}
static void stub_DestroyPipeline(VkDevice d, VkPipeline p, const VkAllocationCallbacks *a)
{
   (void)d, (void)p, (void)a;
   pm4d_vk_fake_forwarded++;
}
static void stub_FreeCommandBuffers(VkDevice d, VkCommandPool p, uint32_t n,
                                    const VkCommandBuffer *c)
{
   (void)d, (void)p, (void)n, (void)c;
   pm4d_vk_fake_forwarded++;
}
static VkResult stub_EndCommandBuffer(VkCommandBuffer c)
{
   (void)c;
   pm4d_vk_fake_forwarded++;
   return VK_SUCCESS;
}

struct pm4d_vk_device *pm4d_vk_fake_device_create(void)
{
   struct pm4d_vk_device *dev = calloc(1, sizeof(*dev));
   dev->handle = PM4D_VK_FAKE_DEV;
   dev->tracking = true;
   pthread_mutex_init(&dev->lock, NULL);
   dev->table.CreateShaderModule = stub_CreateShaderModule;
   dev->table.CreateComputePipelines = stub_CreateComputePipelines;
   dev->table.CreateDescriptorSetLayout = stub_CreateDescriptorSetLayout;
   dev->table.AllocateDescriptorSets = stub_AllocateDescriptorSets;
   dev->table.UpdateDescriptorSets = stub_UpdateDescriptorSets;
   dev->table.CreateDescriptorUpdateTemplate = stub_CreateDescriptorUpdateTemplate;
   dev->table.UpdateDescriptorSetWithTemplate = stub_UpdateDescriptorSetWithTemplate;
   dev->table.DestroyDescriptorPool = stub_DestroyDescriptorPool;
   dev->table.AllocateCommandBuffers = stub_AllocateCommandBuffers;
   dev->table.BeginCommandBuffer = stub_BeginCommandBuffer;
   dev->table.CmdBindPipeline = stub_CmdBindPipeline;
   dev->table.CmdBindDescriptorSets = stub_CmdBindDescriptorSets;
   dev->table.CmdPushConstants = stub_CmdPushConstants;
   dev->table.CmdDispatch = stub_CmdDispatch;
   dev->table.EndCommandBuffer = stub_EndCommandBuffer;
   dev->table.CmdPushDescriptorSetKHR = stub_CmdPushDescriptorSetKHR;
   dev->table.DestroyShaderModule = stub_DestroyShaderModule;
   dev->table.DestroyPipeline = stub_DestroyPipeline;
   dev->table.FreeCommandBuffers = stub_FreeCommandBuffers;
   if (!pm4d_vk_state_add_device(dev)) {
      free(dev);
      return NULL;
   }
   return dev;
}

void pm4d_vk_fake_device_destroy(struct pm4d_vk_device *dev)
{
   pm4d_vk_state_take_device(dev->handle);
   pm4d_vk_objects_release_all(dev);
   pthread_mutex_destroy(&dev->lock);
   free(dev);
}
