/* The network on the GPU: its buffers, the two conv2d pipelines, one descriptor set per layer,
 * and one command buffer recorded once that runs a whole inference. */
#ifndef PM4D_CONVNET_MODEL_H
#define PM4D_CONVNET_MODEL_H

#include <stdint.h>
#include <vulkan/vulkan.h>

#include "pm4d_convnet_dev.h"
#include "pm4d_convnet_mem.h"
#include "pm4d_convnet_net.h"
#include "pm4d_glsl.h"

struct pm4d_convnet_model {
   VkDescriptorSetLayout set_layout;
   VkPipelineLayout layout;
   VkPipeline pipeline[PM4D_GLSL_SHADER_COUNT];
   VkDescriptorPool desc_pool;
   VkDescriptorSet set[PM4D_CONVNET_LAYERS];
   VkCommandBuffer cmd;
   struct pm4d_convnet_buf input;
   struct pm4d_convnet_buf act[PM4D_CONVNET_LAYERS]; /* act[i] is layer i's output */
   struct pm4d_convnet_buf filter[PM4D_CONVNET_LAYERS];
   struct pm4d_convnet_buf bias[PM4D_CONVNET_LAYERS];
   uint32_t dispatches; /* per inference */
};

/* Which shader runs a layer: the 1x1 one where it applies, else the generic direct one. */
enum pm4d_glsl_shader pm4d_convnet_model_shader(const struct pm4d_convnet_conv *cv);

/* The push constants and the workgroup grid of a layer. */
struct pm4d_glsl_conv2d_push pm4d_convnet_model_push(const struct pm4d_convnet_conv *cv);
void pm4d_convnet_model_grid(const struct pm4d_convnet_conv *cv, uint32_t grid[3]);

/* Creates everything, uploads the input and weights of net, records the inference. On failure
 * everything created so far is destroyed. */
VkResult pm4d_convnet_model_build(struct pm4d_convnet_model *m, struct pm4d_convnet_dev *dev,
                                  const struct pm4d_convnet_net *net);

/* Runs one inference and waits for it; *ms is submit-to-fence wall time. */
VkResult pm4d_convnet_model_infer(struct pm4d_convnet_model *m, struct pm4d_convnet_dev *dev,
                                  double *ms);

/* Copies the last layer's output (bytes = its size) to dst. */
VkResult pm4d_convnet_model_read(struct pm4d_convnet_model *m, struct pm4d_convnet_dev *dev,
                                 void *dst, VkDeviceSize bytes);

void pm4d_convnet_model_destroy(struct pm4d_convnet_model *m, struct pm4d_convnet_dev *dev);

#endif
