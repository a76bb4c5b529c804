/* Command-buffer state: what a later redirect needs at each vkCmdDispatch. The redirect
 * (issue 5) hooks into pm4d_vk_cmdbuf and the dispatch and submit hooks in pm4d_vk_cmdbuf.c. */
#ifndef PM4D_VK_CMDBUF_H
#define PM4D_VK_CMDBUF_H

#include "pm4d_vk_objects.h"

#define PM4D_VK_MAX_PUSH_BYTES 256
#define PM4D_VK_MAX_DYNAMIC_PER_SET 8

/* The compute bind point as of the last recorded command. */
struct pm4d_vk_compute_state {
  VkPipeline pipeline;
  bool pipeline_tracked; /* the pipeline has a record; spirv_hash is valid */
  uint64_t spirv_hash;
  VkPipelineLayout sets_layout; /* layout of the last vkCmdBindDescriptorSets */
  VkDescriptorSet sets[PM4D_VK_MAX_SETS];
  uint32_t sets_tracked; /* bit per set: handle and dynamic offsets are known */
  uint32_t dynamic_offsets[PM4D_VK_MAX_SETS][PM4D_VK_MAX_DYNAMIC_PER_SET];
  uint8_t push[PM4D_VK_MAX_PUSH_BYTES];
  uint32_t push_bytes; /* end of the highest byte written (bytes beyond a range are stale) */
};

struct pm4d_vk_cmdbuf {
  VkCommandBuffer handle;
  struct pm4d_vk_device *dev;
  VkCommandPool pool;
  struct pm4d_vk_compute_state compute;
  uint32_t dispatches; /* recorded since the last begin/reset */
  /* Counter increments of this command buffer's recording, added to the global counters at
   * end, reset or free (keeps atomics out of the recording path). */
  uint32_t counts[PM4D_CTR_COUNT];
};

void pm4d_vk_cmdbuf_flush_counts(struct pm4d_vk_cmdbuf *cb);

#endif
