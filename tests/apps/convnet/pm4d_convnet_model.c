#include "pm4d_convnet_model.h"

#include <string.h>
#include <time.h>

#include "pm4d_convnet_err.h"

enum pm4d_glsl_shader pm4d_convnet_model_shader(const struct pm4d_convnet_conv *cv)
{
   if (cv->r == 1 && cv->s == 1 && cv->stride == 1 && cv->pad == 0)
      return PM4D_GLSL_CONV2D_1X1;
   return PM4D_GLSL_CONV2D_DIRECT;
}

struct pm4d_glsl_conv2d_push pm4d_convnet_model_push(const struct pm4d_convnet_conv *cv)
{
   return (struct pm4d_glsl_conv2d_push){
      .n = cv->n,
      .c = cv->c,
      .h = cv->h,
      .w = cv->w,
      .k = cv->k,
      .r = cv->r,
      .s = cv->s,
      .stride_h = cv->stride,
      .stride_w = cv->stride,
      .pad_h = cv->pad,
      .pad_w = cv->pad,
      .dil_h = cv->dil,
      .dil_w = cv->dil,
      .oh = cv->oh,
      .ow = cv->ow,
      .flags = (cv->bias ? PM4D_GLSL_FLAG_BIAS : 0u) | (cv->relu ? PM4D_GLSL_FLAG_RELU : 0u),
   };
}

void pm4d_convnet_model_grid(const struct pm4d_convnet_conv *cv, uint32_t grid[3])
{
   uint64_t pixels = (uint64_t)cv->oh * cv->ow;
   grid[0] = (uint32_t)((pixels + PM4D_GLSL_LOCAL_SIZE_X - 1) / PM4D_GLSL_LOCAL_SIZE_X);
   grid[1] = cv->k;
   grid[2] = cv->n;
}

static VkResult pm4d_convnet_model_pipelines(struct pm4d_convnet_model *m,
                                             struct pm4d_convnet_dev *dev)
{
   VkResult res;
   VkDescriptorSetLayoutBinding bindings[PM4D_GLSL_BINDING_COUNT];
   for (uint32_t i = 0; i < PM4D_GLSL_BINDING_COUNT; i++) {
      bindings[i] = (VkDescriptorSetLayoutBinding){
         .binding = i,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
         .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
      };
   }
   const VkDescriptorSetLayoutCreateInfo dslci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = PM4D_GLSL_BINDING_COUNT,
      .pBindings = bindings,
   };
   PM4D_CONVNET_TRY(res, vkCreateDescriptorSetLayout, dev->device, &dslci, NULL, &m->set_layout);
   const VkPushConstantRange pcr = {
      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
      .offset = 0,
      .size = sizeof(struct pm4d_glsl_conv2d_push),
   };
   const VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &m->set_layout,
      .pushConstantRangeCount = 1,
      .pPushConstantRanges = &pcr,
   };
   PM4D_CONVNET_TRY(res, vkCreatePipelineLayout, dev->device, &plci, NULL, &m->layout);

   for (int i = 0; i < PM4D_GLSL_SHADER_COUNT; i++) {
      const struct pm4d_glsl_spirv *spv = pm4d_glsl_get((enum pm4d_glsl_shader)i);
      const VkShaderModuleCreateInfo smci = {
         .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
         .codeSize = spv->size,
         .pCode = spv->code,
      };
      VkShaderModule module;
      PM4D_CONVNET_TRY(res, vkCreateShaderModule, dev->device, &smci, NULL, &module);
      const VkComputePipelineCreateInfo cpci = {
         .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
         .stage =
            {
               .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
               .stage = VK_SHADER_STAGE_COMPUTE_BIT,
               .module = module,
               .pName = "main",
            },
         .layout = m->layout,
      };
      res = vkCreateComputePipelines(dev->device, VK_NULL_HANDLE, 1, &cpci, NULL, &m->pipeline[i]);
      vkDestroyShaderModule(dev->device, module, NULL);
      if (res != VK_SUCCESS) {
         pm4d_convnet_err_report("vkCreateComputePipelines", res);
         goto fail;
      }
   }
fail:
   return res;
}

static VkResult pm4d_convnet_model_buffers(struct pm4d_convnet_model *m,
                                           struct pm4d_convnet_dev *dev,
                                           const struct pm4d_convnet_net *net)
{
   VkResult res;
   VkDeviceSize in_bytes = pm4d_convnet_conv_in_elems(&net->conv[0]) * sizeof(float);
   if ((res = pm4d_convnet_mem_create(dev, in_bytes, &m->input)) ||
       (res = pm4d_convnet_mem_upload(dev, &m->input, net->input, in_bytes)))
      return res;
   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++) {
      const struct pm4d_convnet_conv *cv = &net->conv[i];
      VkDeviceSize out_bytes = pm4d_convnet_conv_out_elems(cv) * sizeof(float);
      VkDeviceSize f_bytes = pm4d_convnet_conv_filter_elems(cv) * sizeof(float);
      if ((res = pm4d_convnet_mem_create(dev, out_bytes, &m->act[i])) ||
          (res = pm4d_convnet_mem_create(dev, f_bytes, &m->filter[i])) ||
          (res = pm4d_convnet_mem_upload(dev, &m->filter[i], net->filter[i], f_bytes)))
         return res;
      if (net->bias[i]) {
         VkDeviceSize b_bytes = (VkDeviceSize)cv->k * sizeof(float);
         if ((res = pm4d_convnet_mem_create(dev, b_bytes, &m->bias[i])) ||
             (res = pm4d_convnet_mem_upload(dev, &m->bias[i], net->bias[i], b_bytes)))
            return res;
      }
   }
   return VK_SUCCESS;
}

static VkResult pm4d_convnet_model_sets(struct pm4d_convnet_model *m, struct pm4d_convnet_dev *dev)
{
   VkResult res;
   const VkDescriptorPoolSize size = {
      .type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
      .descriptorCount = PM4D_CONVNET_LAYERS * PM4D_GLSL_BINDING_COUNT,
   };
   const VkDescriptorPoolCreateInfo dpci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = PM4D_CONVNET_LAYERS,
      .poolSizeCount = 1,
      .pPoolSizes = &size,
   };
   PM4D_CONVNET_TRY(res, vkCreateDescriptorPool, dev->device, &dpci, NULL, &m->desc_pool);
   VkDescriptorSetLayout layouts[PM4D_CONVNET_LAYERS];
   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++)
      layouts[i] = m->set_layout;
   const VkDescriptorSetAllocateInfo dsai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = m->desc_pool,
      .descriptorSetCount = PM4D_CONVNET_LAYERS,
      .pSetLayouts = layouts,
   };
   PM4D_CONVNET_TRY(res, vkAllocateDescriptorSets, dev->device, &dsai, m->set);

   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++) {
      const struct pm4d_convnet_buf *bufs[PM4D_GLSL_BINDING_COUNT] = {
         [PM4D_GLSL_BINDING_INPUT] = i == 0 ? &m->input : &m->act[i - 1],
         [PM4D_GLSL_BINDING_FILTER] = &m->filter[i],
         /* Without a bias the binding still needs a valid buffer; the shader never reads it. */
         [PM4D_GLSL_BINDING_BIAS] = m->bias[i].buf ? &m->bias[i] : &m->filter[i],
         [PM4D_GLSL_BINDING_OUTPUT] = &m->act[i],
      };
      VkDescriptorBufferInfo info[PM4D_GLSL_BINDING_COUNT];
      VkWriteDescriptorSet writes[PM4D_GLSL_BINDING_COUNT];
      for (uint32_t b = 0; b < PM4D_GLSL_BINDING_COUNT; b++) {
         info[b] = (VkDescriptorBufferInfo){.buffer = bufs[b]->buf, .range = VK_WHOLE_SIZE};
         writes[b] = (VkWriteDescriptorSet){
            .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
            .dstSet = m->set[i],
            .dstBinding = b,
            .descriptorCount = 1,
            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            .pBufferInfo = &info[b],
         };
      }
      vkUpdateDescriptorSets(dev->device, PM4D_GLSL_BINDING_COUNT, writes, 0, NULL);
   }
fail:
   return res;
}

/* Layer i+1 reads what layer i wrote: a buffer barrier on that activation between dispatches.
 * After the last layer the output is made visible to the host (mapped reads) and to transfers
 * (staged reads). */
static void pm4d_convnet_model_barrier(VkCommandBuffer cb, VkBuffer buf, bool last)
{
   if (last)
      pm4d_convnet_mem_barrier(cb, buf, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                               VK_ACCESS_SHADER_WRITE_BIT,
                               VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                               VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT);
   else
      pm4d_convnet_mem_barrier(cb, buf, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                               VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                               VK_ACCESS_SHADER_READ_BIT);
}

static VkResult pm4d_convnet_model_record(struct pm4d_convnet_model *m,
                                          struct pm4d_convnet_dev *dev,
                                          const struct pm4d_convnet_net *net)
{
   VkResult res;
   if ((res = pm4d_convnet_dev_alloc_cmd(dev, &m->cmd)) != VK_SUCCESS)
      return res;
   /* Recorded once, submitted for every inference. */
   const VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   PM4D_CONVNET_TRY(res, vkBeginCommandBuffer, m->cmd, &begin);
   m->dispatches = 0;
   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++) {
      const struct pm4d_convnet_conv *cv = &net->conv[i];
      struct pm4d_glsl_conv2d_push push = pm4d_convnet_model_push(cv);
      uint32_t grid[3];
      pm4d_convnet_model_grid(cv, grid);
      vkCmdBindPipeline(m->cmd, VK_PIPELINE_BIND_POINT_COMPUTE,
                        m->pipeline[pm4d_convnet_model_shader(cv)]);
      vkCmdBindDescriptorSets(m->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, m->layout, 0, 1, &m->set[i],
                              0, NULL);
      vkCmdPushConstants(m->cmd, m->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), &push);
      vkCmdDispatch(m->cmd, grid[0], grid[1], grid[2]);
      m->dispatches++;
      pm4d_convnet_model_barrier(m->cmd, m->act[i].buf, i == PM4D_CONVNET_LAYERS - 1);
   }
   PM4D_CONVNET_TRY(res, vkEndCommandBuffer, m->cmd);
fail:
   return res;
}

VkResult pm4d_convnet_model_build(struct pm4d_convnet_model *m, struct pm4d_convnet_dev *dev,
                                  const struct pm4d_convnet_net *net)
{
   VkResult res;
   memset(m, 0, sizeof(*m));
   if ((res = pm4d_convnet_model_pipelines(m, dev)) ||
       (res = pm4d_convnet_model_buffers(m, dev, net)) || (res = pm4d_convnet_model_sets(m, dev)) ||
       (res = pm4d_convnet_model_record(m, dev, net))) {
      pm4d_convnet_model_destroy(m, dev);
      return res;
   }
   return VK_SUCCESS;
}

static double pm4d_convnet_model_now_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

VkResult pm4d_convnet_model_infer(struct pm4d_convnet_model *m, struct pm4d_convnet_dev *dev,
                                  double *ms)
{
   double t0 = pm4d_convnet_model_now_ms();
   VkResult res = pm4d_convnet_dev_submit_wait(dev, m->cmd);
   *ms = pm4d_convnet_model_now_ms() - t0;
   return res;
}

VkResult pm4d_convnet_model_read(struct pm4d_convnet_model *m, struct pm4d_convnet_dev *dev,
                                 void *dst, VkDeviceSize bytes)
{
   return pm4d_convnet_mem_download(dev, &m->act[PM4D_CONVNET_LAYERS - 1], dst, bytes);
}

void pm4d_convnet_model_destroy(struct pm4d_convnet_model *m, struct pm4d_convnet_dev *dev)
{
   if (dev->device)
      (void)vkDeviceWaitIdle(dev->device);
   if (m->cmd)
      vkFreeCommandBuffers(dev->device, dev->pool, 1, &m->cmd);
   if (m->desc_pool)
      vkDestroyDescriptorPool(dev->device, m->desc_pool, NULL);
   for (int i = 0; i < PM4D_GLSL_SHADER_COUNT; i++) {
      if (m->pipeline[i])
         vkDestroyPipeline(dev->device, m->pipeline[i], NULL);
   }
   if (m->layout)
      vkDestroyPipelineLayout(dev->device, m->layout, NULL);
   if (m->set_layout)
      vkDestroyDescriptorSetLayout(dev->device, m->set_layout, NULL);
   pm4d_convnet_mem_destroy(dev, &m->input);
   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++) {
      pm4d_convnet_mem_destroy(dev, &m->act[i]);
      pm4d_convnet_mem_destroy(dev, &m->filter[i]);
      pm4d_convnet_mem_destroy(dev, &m->bias[i]);
   }
   memset(m, 0, sizeof(*m));
}
