/* Recording on devices with a back end (DESIGN.md data flow step 3): a dispatch of a
 * recognised pipeline becomes a job (shape and addresses resolved now, so descriptor sets the
 * app rewrites later do not matter) with a fallback command buffer that runs it through the
 * driver; the app's command buffer is split at jobs into driver segments and direct batches;
 * every other vkCmd* goes to the current segment. */
#include <stdlib.h>
#include <string.h>

#include "pm4d_autodisable.h"
#include "pm4d_alloc.h"
#include "pm4d_killfile.h"
#include "pm4d_vk_redirect.h"

/* The layer's pool for r's command pool (same queue family), made on first use. */
static VkCommandPool shadow_pool(struct pm4d_vk_cmdbuf *r)
{
   if (r->shadow)
      return r->shadow;
   struct pm4d_vk_device *dev = r->dev;
   pthread_mutex_lock(&dev->lock);
   struct pm4d_vk_command_pool *p =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_COMMAND_POOL], (uint64_t)r->pool);
   if (p && !p->shadow) {
      VkCommandPoolCreateInfo ci = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, NULL,
                                    VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT |
                                       (p->flags & VK_COMMAND_POOL_CREATE_PROTECTED_BIT),
                                    p->family};
      if (dev->table.CreateCommandPool(dev->handle, &ci, NULL, &p->shadow) != VK_SUCCESS)
         p->shadow = VK_NULL_HANDLE;
   }
   r->shadow = p ? p->shadow : VK_NULL_HANDLE;
   pthread_mutex_unlock(&dev->lock);
   return r->shadow;
}

VkCommandBuffer pm4d_vk_split_begin_own(struct pm4d_vk_cmdbuf *r, VkCommandBufferUsageFlags usage)
{
   struct pm4d_vk_device *dev = r->dev;
   VkCommandPool pool = shadow_pool(r);
   VkCommandBuffer cb = VK_NULL_HANDLE;
   VkCommandBufferAllocateInfo ai = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, NULL, pool,
                                     VK_COMMAND_BUFFER_LEVEL_PRIMARY, 1};
   if (!pool || dev->table.AllocateCommandBuffers(dev->handle, &ai, &cb) != VK_SUCCESS)
      return VK_NULL_HANDLE;
   VkCommandBufferBeginInfo bi = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, NULL, usage, NULL};
   if (pm4d_vk_device_set_loader_data(dev, cb) != VK_SUCCESS ||
       dev->table.BeginCommandBuffer(cb, &bi) != VK_SUCCESS) {
      dev->table.FreeCommandBuffers(dev->handle, pool, 1, &cb);
      return VK_NULL_HANDLE;
   }
   return cb;
}

/* Re-records the compute state of r (pipeline, tracked sets, pushed bytes) into cb. */
static void record_state(struct pm4d_vk_cmdbuf *r, VkCommandBuffer cb)
{
   const struct pm4d_vk_compute_state *c = &r->compute;
   const struct pm4d_vk_device_table *t = &r->dev->table;
   if (c->pipeline)
      t->CmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
   for (uint32_t slot = 0; slot < PM4D_VK_MAX_SETS; slot++) {
      if (!(c->sets_tracked & (1u << slot)))
         continue;
      pthread_mutex_lock(&r->dev->lock);
      uint32_t n = pm4d_vk_set_dynamic_count_locked(r->dev, c->sets[slot]);
      pthread_mutex_unlock(&r->dev->lock);
      if (n <= PM4D_VK_MAX_DYNAMIC_PER_SET)
         t->CmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->sets_layout, slot, 1,
                                  &c->sets[slot], n, c->dynamic_offsets[slot]);
   }
   uint32_t first = 0;
   while (first < c->push_bytes && !c->push_valid[first])
      first++;
   if (c->push_layout && first < c->push_bytes)
      t->CmdPushConstants(cb, c->push_layout, c->push_stages, first, c->push_bytes - first,
                          c->push + first);
}

/* Segments and fallbacks start with a full barrier: the app's barriers between jobs and
 * around batches were dropped, and fallbacks may run inline in one driver link with the
 * segments around them. */
static void record_barrier(struct pm4d_vk_cmdbuf *r, VkCommandBuffer cb)
{
   VkMemoryBarrier mb = {VK_STRUCTURE_TYPE_MEMORY_BARRIER, NULL, VK_ACCESS_MEMORY_WRITE_BIT,
                         VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT};
   r->dev->table.CmdPipelineBarrier(cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                                    VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1, &mb, 0, NULL, 0,
                                    NULL);
}

/* Room for one job's indirect arguments (zeroed), from r's chunks: *switch_addr is where the
 * batch clears its group count x (pm4d_job.disarm), in the direct path's address space, in
 * the memory it knows as *memory_id. The chunks are registered like app memory (amdgpu: a
 * per-VM BO with a device address, always valid for the kick; sim: the layer's mapping). */
static bool args_slot(struct pm4d_vk_cmdbuf *r, VkBuffer *buffer, VkDeviceSize *offset,
                      uint32_t **host, uint64_t *switch_addr, uint64_t *memory_id)
{
   struct pm4d_vk_device *dev = r->dev;
   const struct pm4d_vk_device_table *t = &dev->table;
   struct pm4d_vk_args_chunk *c = r->args;
   const bool gpu = dev->redirect->space == PM4D_ADDR_GPU_VA;
   if (!c || c->used == PM4D_VK_ARGS_PER_CHUNK) {
      c = pm4d_calloc(1, sizeof(*c));
      if (!c)
         return false;
      VkBufferCreateInfo bi = {VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                               NULL,
                               0,
                               PM4D_VK_ARGS_PER_CHUNK * PM4D_VK_ARGS_STRIDE,
                               VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT |
                                  VK_BUFFER_USAGE_TRANSFER_DST_BIT | /* arming on the GPU */
                                  (gpu ? VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT : 0),
                               VK_SHARING_MODE_EXCLUSIVE,
                               0,
                               NULL};
      /* amdgpu enabled bufferDeviceAddress at device creation (pm4d_vk_redirect.c) */
      VkMemoryAllocateFlagsInfo fi = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO, NULL,
                                      VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT, 0};
      VkMemoryRequirements req = {0};
      const VkPhysicalDeviceMemoryProperties *mp = &dev->redirect->memory;
      const VkMemoryPropertyFlags want =
         VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      uint32_t type = 0;
      if (t->CreateBuffer(dev->handle, &bi, NULL, &c->buffer) == VK_SUCCESS) {
         t->GetBufferMemoryRequirements(dev->handle, c->buffer, &req);
         while (type < mp->memoryTypeCount &&
                (!(req.memoryTypeBits & (1u << type)) ||
                 (mp->memoryTypes[type].propertyFlags & want) != want))
            type++;
      }
      VkMemoryAllocateInfo ai = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, gpu ? &fi : NULL, req.size,
                                 type};
      void *host = NULL;
      VkBufferDeviceAddressInfo di = {VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO, NULL,
                                      c->buffer};
      bool registered = false;
      if (!c->buffer || type == mp->memoryTypeCount ||
          t->AllocateMemory(dev->handle, &ai, NULL, &c->memory) != VK_SUCCESS ||
          t->BindBufferMemory(dev->handle, c->buffer, c->memory, 0) != VK_SUCCESS ||
          t->MapMemory(dev->handle, c->memory, 0, VK_WHOLE_SIZE, 0, &host) != VK_SUCCESS ||
          !(registered =
               pm4d_direct_memory_register(dev->redirect->direct, (uint64_t)c->memory,
                                           gpu ? NULL : host, req.size, -1) == PM4D_DIRECT_OK) ||
          /* amdgpu: the buffer sits at offset 0 of its memory, so the memory lies at its address */
          !(c->address =
               gpu ? t->GetBufferDeviceAddress(dev->handle, &di) : (uint64_t)(uintptr_t)host) ||
          (gpu && pm4d_direct_memory_place(dev->redirect->direct, (uint64_t)c->memory,
                                           c->address) != PM4D_DIRECT_OK)) {
         if (registered)
            pm4d_direct_memory_unregister(dev->redirect->direct, (uint64_t)c->memory);
         if (c->memory)
            t->FreeMemory(dev->handle, c->memory, NULL);
         if (c->buffer)
            t->DestroyBuffer(dev->handle, c->buffer, NULL);
         free(c);
         return false;
      }
      c->host = host;
      c->next = r->args;
      r->args = c;
   }
   *buffer = c->buffer;
   *offset = (VkDeviceSize)c->used * PM4D_VK_ARGS_STRIDE;
   *host = (uint32_t *)(c->host + *offset);
   *switch_addr = c->address + *offset;
   *memory_id = (uint64_t)c->memory;
   c->used++;
   return true;
}

/* A command buffer of barrier, state and the job's dispatch: indirect from (buffer, offset),
 * or with f's group counts when buffer is VK_NULL_HANDLE; NULL on failure. */
static VkCommandBuffer record_dispatch(struct pm4d_vk_cmdbuf *r, const struct pm4d_vk_fallback *f,
                                       VkBuffer buffer)
{
   const struct pm4d_vk_device_table *t = &r->dev->table;
   VkCommandBuffer cb = pm4d_vk_split_begin_own(r, VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT);
   if (!cb)
      return NULL;
   record_barrier(r, cb);
   record_state(r, cb);
   if (buffer)
      t->CmdDispatchIndirect(cb, buffer, f->offset);
   else
      t->CmdDispatch(cb, f->groups[0], f->groups[1], f->groups[2]);
   if (t->EndCommandBuffer(cb) != VK_SUCCESS) {
      t->FreeCommandBuffers(r->dev->handle, r->shadow, 1, &cb);
      return NULL;
   }
   return cb;
}

/* The job's fallback: the dispatch indirect, disarmed (its switch goes to the job), and for a
 * SIMULTANEOUS_USE command buffer the plain one too. */
static struct pm4d_vk_fallback *record_fallback(struct pm4d_vk_cmdbuf *r, uint32_t gx, uint32_t gy,
                                                uint32_t gz, struct pm4d_job *job)
{
   struct pm4d_vk_fallback *f = pm4d_calloc(1, sizeof(*f));
   if (!f || !args_slot(r, &f->buffer, &f->offset, &f->args, &job->disarm, &job->disarm_memory)) {
      free(f);
      return NULL;
   }
   f->groups[0] = gx;
   f->groups[1] = gy;
   f->groups[2] = gz;
   pm4d_vk_fallback_arm(f, false);
   if (!(f->cb = record_dispatch(r, f, f->buffer)) ||
       ((r->usage & VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT) &&
        !(f->plain = record_dispatch(r, f, VK_NULL_HANDLE)))) {
      if (f->cb)
         r->dev->table.FreeCommandBuffers(r->dev->handle, r->shadow, 1, &f->cb);
      free(f);
      return NULL;
   }
   return f;
}

/* What a bound (set, binding) resolves to. */
struct bound_buffer {
   uint32_t set, binding;
   VkBuffer buffer;
   VkDeviceSize offset; /* in the buffer, dynamic offset included */
   uint64_t bytes;      /* available from offset */
   VkDeviceMemory memory;
   VkDeviceSize memory_offset;
   uint64_t address; /* amdgpu: the buffer's device address (0: none taken at bind) */
};

static bool resolve_locked(struct pm4d_vk_cmdbuf *r, uint32_t set, uint32_t binding,
                           struct bound_buffer *out)
{
   const struct pm4d_vk_compute_state *c = &r->compute;
   if (set >= PM4D_VK_MAX_SETS || !(c->sets_tracked & (1u << set)))
      return false;
   struct pm4d_vk_device *dev = r->dev;
   const struct pm4d_vk_descriptor_set *s =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_DESCRIPTOR_SET], (uint64_t)c->sets[set]);
   if (!s)
      return false;
   uint32_t dynamic = 0;
   for (uint32_t i = 0; i < s->layout->binding_count; i++) {
      const struct pm4d_vk_set_binding *b = &s->layout->bindings[i];
      bool is_dynamic = b->type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC ||
                        b->type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
      if (b->binding != binding) {
         dynamic += is_dynamic ? b->count : 0;
         continue;
      }
      const struct pm4d_vk_descriptor *d = &s->descriptors[b->first];
      const struct pm4d_vk_buffer *buf =
         d->buffer && b->count
            ? pm4d_map_get(&dev->objects[PM4D_VK_OBJ_BUFFER], (uint64_t)d->buffer)
            : NULL;
      if (!buf || !buf->memory || (is_dynamic && dynamic >= PM4D_VK_MAX_DYNAMIC_PER_SET))
         return false;
      VkDeviceSize offset = d->offset + (is_dynamic ? c->dynamic_offsets[set][dynamic] : 0);
      if (offset > buf->size)
         return false;
      VkDeviceSize bytes = d->range == VK_WHOLE_SIZE ? buf->size - offset : d->range;
      *out = (struct bound_buffer){set,   binding,     d->buffer,          offset,
                                   bytes, buf->memory, buf->memory_offset, buf->address};
      return true;
   }
   return false;
}

/* The job of the current dispatch, or the counter saying why there is none. */
static enum pm4d_counter make_job(struct pm4d_vk_cmdbuf *r, struct pm4d_job *job)
{
   struct pm4d_vk_device *dev = r->dev;
   struct pm4d_vk_redirect *rd = dev->redirect;
   struct pm4d_vk_compute_state *c = &r->compute;
   struct bound_buffer bound[PM4D_CONV2D_ROLE_COUNT];
   struct pm4d_conv2d_range ranges[PM4D_CONV2D_ROLE_COUNT];
   struct pm4d_conv2d_job_desc desc;
   enum pm4d_counter why = PM4D_CTR_COUNT;
   memset(job, 0, sizeof(*job));

   pthread_mutex_lock(&dev->lock);
   const struct pm4d_vk_pipeline *p =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_PIPELINE], (uint64_t)c->pipeline);
   if (!p || !p->conv2d || !p->spirv->module) {
      why = pm4d_vk_pt_counter(PM4D_CONV2D_PT_UNKNOWN_SHADER);
      goto out;
   }
   uint32_t n = 0;
   for (unsigned role = 0; role < PM4D_CONV2D_ROLE_COUNT; role++) {
      const struct pm4d_shader_binding *b = &p->conv2d->buffers[role];
      if (b->present && resolve_locked(r, b->set, b->binding, &bound[n])) {
         ranges[n] = (struct pm4d_conv2d_range){b->set, b->binding, bound[n].bytes};
         n++;
      }
   }
   struct pm4d_conv2d_dispatch d = {c->push,
                                    c->push_valid,
                                    PM4D_VK_MAX_PUSH_BYTES,
                                    &p->spirv->module->info,
                                    p->spec.mapEntryCount ? &p->spec : NULL,
                                    ranges,
                                    n};
   enum pm4d_conv2d_pt pt = pm4d_conv2d_extract(p->conv2d, &d, &desc);
   if (pt != PM4D_CONV2D_REDIRECT) {
      why = pm4d_vk_pt_counter(pt);
      goto out;
   }
   job->params = desc.params;
   uint64_t *addr[PM4D_CONV2D_ROLE_COUNT] = {&job->addr.input, &job->addr.filter, &job->addr.bias,
                                             &job->addr.output};
   for (unsigned role = 0; role < PM4D_CONV2D_ROLE_COUNT; role++) {
      if (!desc.buffers[role].bytes)
         continue;
      const struct bound_buffer *bb = NULL;
      for (uint32_t i = 0; i < n && !bb; i++)
         if (bound[i].set == desc.buffers[role].set &&
             bound[i].binding == desc.buffers[role].binding)
            bb = &bound[i];
      const struct pm4d_vk_memory *m =
         bb ? pm4d_map_get(&dev->objects[PM4D_VK_OBJ_MEMORY], (uint64_t)bb->memory) : NULL;
      if (!m || !m->registered || (rd->space == PM4D_ADDR_GPU_VA && !bb->address)) {
         why = PM4D_CTR_passthrough_unmapped_memory;
         goto out;
      }
      *addr[role] = rd->space == PM4D_ADDR_HOST
                       ? (uint64_t)(uintptr_t)((uint8_t *)m->host + bb->memory_offset + bb->offset)
                       : bb->address + bb->offset;
      job->memory_ids[role] = (uint64_t)bb->memory;
   }
out:
   pthread_mutex_unlock(&dev->lock);
   if (why == PM4D_CTR_COUNT && !pm4d_direct_supports(rd->direct, &job->params))
      why = PM4D_CTR_passthrough_unsupported_shape;
   return why;
}

static bool grow(void **array, uint32_t *cap, uint32_t need, size_t size)
{
   if (need <= *cap)
      return true;
   uint32_t cap2 = *cap ? *cap * 2 : 8;
   void *a = pm4d_realloc(*array, (size_t)cap2 * size);
   if (!a)
      return false;
   *array = a;
   *cap = cap2;
   return true;
}

bool pm4d_vk_split_dispatch(struct pm4d_vk_cmdbuf *r, uint32_t gx, uint32_t gy, uint32_t gz)
{
   enum pm4d_counter why = PM4D_CTR_COUNT;
   struct pm4d_job job;
   if (r->secondary)
      why = PM4D_CTR_passthrough_secondary;
   else if (r->in_render_pass)
      why = PM4D_CTR_passthrough_render_pass;
   else if (pm4d_killfile_active())
      why = PM4D_CTR_passthrough_kill_switch;
   else if (pm4d_autodisable_active())
      why = PM4D_CTR_passthrough_auto_disabled;
   else if (r->broken)
      why = PM4D_CTR_passthrough_no_memory;
   else if (r->compute.sets_opaque)
      why = PM4D_CTR_passthrough_missing_buffer; /* a later segment could not re-record the sets */
   else
      why = make_job(r, &job);
   /* Room for the job and two links (the batch, the segment after it) before anything changes. */
   if (why == PM4D_CTR_COUNT &&
       (!grow((void **)&r->jobs, &r->cap_jobs, r->n_jobs + 1, sizeof(*r->jobs)) ||
        !grow((void **)&r->links, &r->cap_links, r->n_links + 3, sizeof(*r->links)) ||
        !(job.fallback = record_fallback(r, gx, gy, gz, &job))))
      why = PM4D_CTR_passthrough_no_memory;
   if (why != PM4D_CTR_COUNT) {
      r->counts[why]++;
      return false;
   }
   struct pm4d_vk_device_table *t = &r->dev->table;
   if (r->cur) {
      /* The segment so far ends here; the batch starts. */
      if (r->n_links == 0)
         r->links[r->n_links++] = (struct pm4d_vk_link){r->handle, 0, 0, VK_NULL_HANDLE};
      if (t->EndCommandBuffer(r->cur) != VK_SUCCESS)
         r->broken = true;
      r->links[r->n_links++] = (struct pm4d_vk_link){VK_NULL_HANDLE, r->n_jobs, 0, VK_NULL_HANDLE};
      r->cur = VK_NULL_HANDLE;
   }
   r->links[r->n_links - 1].jobs++;
   r->jobs[r->n_jobs++] = job;
   r->counts[PM4D_CTR_jobs_recorded]++;
   return true;
}

/* The batch r's recording just left (no command joins it any more): a SIMULTANEOUS_USE
 * command buffer arms its fallbacks on the GPU (pm4d_vk_arm.c). */
static void close_batch(struct pm4d_vk_cmdbuf *r)
{
   struct pm4d_vk_link *l = r->n_links ? &r->links[r->n_links - 1] : NULL;
   if (!l || l->cb || l->arm || !(r->usage & VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT))
      return;
   if (!pm4d_vk_arm_record(r, l)) {
      PM4D_LOG_ONCE(PM4D_LOG_ERROR,
                    "cannot make a fallback-arming command buffer; the recording fails at its end");
      r->broken = true;
   }
}

void pm4d_vk_split_end(struct pm4d_vk_cmdbuf *r)
{
   if (!r->cur && !r->broken)
      close_batch(r);
}

VkCommandBuffer pm4d_vk_split_target(struct pm4d_vk_cmdbuf *r)
{
   if (r->cur || r->broken)
      return r->cur;
   close_batch(r);
   if (r->broken)
      return VK_NULL_HANDLE;
   VkCommandBuffer seg = grow((void **)&r->links, &r->cap_links, r->n_links + 1, sizeof(*r->links))
                            ? pm4d_vk_split_begin_own(r, r->usage)
                            : VK_NULL_HANDLE;
   if (!seg) {
      PM4D_LOG_ONCE(PM4D_LOG_ERROR,
                    "cannot make a segment command buffer; the recording fails at its end");
      r->broken = true;
      return VK_NULL_HANDLE;
   }
   record_barrier(r, seg);
   record_state(r, seg);
   r->links[r->n_links++] = (struct pm4d_vk_link){seg, 0, 0, VK_NULL_HANDLE};
   r->cur = seg;
   return seg;
}

void pm4d_vk_split_release(struct pm4d_vk_cmdbuf *r, bool free_vk)
{
   if (free_vk && r->shadow && r->n_links) {
      const struct pm4d_vk_device_table *t = &r->dev->table;
      for (uint32_t i = 1; i < r->n_links; i++) {
         if (r->links[i].cb)
            t->FreeCommandBuffers(r->dev->handle, r->shadow, 1, &r->links[i].cb);
         if (r->links[i].arm)
            t->FreeCommandBuffers(r->dev->handle, r->shadow, 1, &r->links[i].arm);
      }
      for (uint32_t i = 0; i < r->n_jobs; i++) {
         struct pm4d_vk_fallback *f = r->jobs[i].fallback;
         t->FreeCommandBuffers(r->dev->handle, r->shadow, 1, &f->cb);
         if (f->plain)
            t->FreeCommandBuffers(r->dev->handle, r->shadow, 1, &f->plain);
      }
   }
   for (uint32_t i = 0; i < r->n_jobs; i++)
      free(r->jobs[i].fallback);
   while (r->args) {
      struct pm4d_vk_args_chunk *c = r->args;
      r->args = c->next;
      if (r->dev->redirect && r->dev->redirect->direct) /* not after the direct path's end */
         pm4d_direct_memory_unregister(r->dev->redirect->direct, (uint64_t)c->memory);
      if (free_vk) {
         r->dev->table.DestroyBuffer(r->dev->handle, c->buffer, NULL);
         r->dev->table.FreeMemory(r->dev->handle, c->memory, NULL);
      }
      free(c);
   }
   free(r->links);
   free(r->jobs);
   r->links = NULL;
   r->jobs = NULL;
   r->n_links = r->cap_links = r->n_jobs = r->cap_jobs = 0;
   r->cur = r->handle;
   r->broken = false;
   r->lead_work = false;
   r->arm_queue = NULL;
   r->arm_end = 0;
}

/* Render passes: dispatches inside one are not redirected. */
#define RENDER_PASS_HOOK(name, params, args, inside)                        \
   void pm4d_hook_##name params                                             \
   {                                                                        \
      PM4D_VK_CMDBUF_HOOK(r, commandBuffer, name, args, PM4D_CTR_vk##name); \
      r->in_render_pass = inside;                                           \
      commandBuffer = pm4d_vk_cmdbuf_work_target(r);                        \
      if (commandBuffer)                                                    \
         r->dev->table.name args;                                           \
   }
RENDER_PASS_HOOK(CmdBeginRenderPass,
                 (VkCommandBuffer commandBuffer, const VkRenderPassBeginInfo *pRenderPassBegin,
                  VkSubpassContents contents),
                 (commandBuffer, pRenderPassBegin, contents), true)
RENDER_PASS_HOOK(CmdBeginRenderPass2,
                 (VkCommandBuffer commandBuffer, const VkRenderPassBeginInfo *pRenderPassBegin,
                  const VkSubpassBeginInfo *pSubpassBeginInfo),
                 (commandBuffer, pRenderPassBegin, pSubpassBeginInfo), true)
RENDER_PASS_HOOK(CmdEndRenderPass, (VkCommandBuffer commandBuffer), (commandBuffer), false)
RENDER_PASS_HOOK(CmdEndRenderPass2,
                 (VkCommandBuffer commandBuffer, const VkSubpassEndInfo *pSubpassEndInfo),
                 (commandBuffer, pSubpassEndInfo), false)
RENDER_PASS_HOOK(CmdBeginRendering,
                 (VkCommandBuffer commandBuffer, const VkRenderingInfo *pRenderingInfo),
                 (commandBuffer, pRenderingInfo), true)
RENDER_PASS_HOOK(CmdEndRendering, (VkCommandBuffer commandBuffer), (commandBuffer), false)

/* Every other vkCmd*: to the current segment. */
#define FORWARD_HOOK(name, params, args)                                         \
   void pm4d_hook_##name params                                                  \
   {                                                                             \
      PM4D_VK_CMDBUF_HOOK(r, commandBuffer, name, args, PM4D_CTR_cmd_forwarded); \
      commandBuffer = pm4d_vk_cmdbuf_work_target(r);                             \
      if (commandBuffer)                                                         \
         r->dev->table.name args;                                                \
   }
PM4D_VK_CMD_FORWARDS(FORWARD_HOOK)
