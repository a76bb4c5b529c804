/* LD_PRELOAD tracer: records what an unmodified Vulkan application (here ggml) hands the driver
 * for compute work, to establish the facts the conv2d recognition table relies on: the SPIR-V
 * the driver really receives, specialization constants, descriptor updates, push constants and
 * dispatch grids. Not part of the layer; an investigation tool for docs/ggml-conv2d.md.
 *
 * ggml resolves every Vulkan entry point through vkGetInstanceProcAddr / vkGetDeviceProcAddr
 * (vulkan-hpp's dynamic dispatcher), so interposing those two is enough.
 * Output: one line per event to $PM4D_VKTRACE_FILE (default stderr). */
#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vulkan.h>

#include "pm4d_fingerprint.h"

#define MAX_MODULES 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
struct module_entry {
   VkShaderModule module;
   uint64_t fingerprint;
};
static struct module_entry modules[MAX_MODULES];
static unsigned nmodules;

static PFN_vkGetInstanceProcAddr real_gipa;
static PFN_vkGetDeviceProcAddr real_gdpa;
static PFN_vkCreateShaderModule real_create_shader_module;
static PFN_vkCreateComputePipelines real_create_compute_pipelines;
static PFN_vkUpdateDescriptorSets real_update_descriptor_sets;
static PFN_vkCmdPushConstants real_cmd_push_constants;
static PFN_vkCmdBindPipeline real_cmd_bind_pipeline;
static PFN_vkCmdBindDescriptorSets real_cmd_bind_descriptor_sets;
static PFN_vkCmdDispatch real_cmd_dispatch;
static PFN_vkCmdDispatchBase real_cmd_dispatch_base;
static PFN_vkCmdDispatchIndirect real_cmd_dispatch_indirect;
static PFN_vkCmdPushDescriptorSetKHR real_cmd_push_descriptor_set;
static PFN_vkQueueSubmit real_queue_submit;
static PFN_vkQueueSubmit2 real_queue_submit2;

static void logf_locked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_locked(const char *fmt, ...)
{
   if (!out) {
      const char *path = getenv("PM4D_VKTRACE_FILE");
      out = path ? fopen(path, "w") : NULL;
      if (!out)
         out = stderr;
   }
   va_list ap;
   va_start(ap, fmt);
   vfprintf(out, fmt, ap);
   va_end(ap);
   fflush(out);
}

/* Arguments must not take the lock themselves. */
#define TRACE(...)                 \
   do {                            \
      pthread_mutex_lock(&lock);   \
      logf_locked(__VA_ARGS__);    \
      pthread_mutex_unlock(&lock); \
   } while (0)

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

/* FNV-1a 64 of the raw bytes: names the exact blob, where the fingerprint names the shader. */
static uint64_t fnv1a64(const void *data, size_t n)
{
   const unsigned char *p = data;
   uint64_t h = FNV_OFFSET;
   for (size_t i = 0; i < n; i++)
      h = (h ^ p[i]) * FNV_PRIME;
   return h;
}

static uint64_t module_fingerprint(VkShaderModule m)
{
   uint64_t fp = 0;
   pthread_mutex_lock(&lock);
   for (unsigned i = 0; i < nmodules; i++)
      if (modules[i].module == m)
         fp = modules[i].fingerprint;
   pthread_mutex_unlock(&lock);
   return fp;
}

static VKAPI_ATTR VkResult VKAPI_CALL trace_create_shader_module(VkDevice dev,
                                                                 const VkShaderModuleCreateInfo *ci,
                                                                 const VkAllocationCallbacks *alloc,
                                                                 VkShaderModule *module)
{
   VkResult r = real_create_shader_module(dev, ci, alloc, module);
   if (r != VK_SUCCESS)
      return r;
   /* The project's fingerprint (layer/conv2d), the one the layer recognises shaders by; 0 for
     * a module it refuses as malformed. */
   uint64_t fp = 0;
   if (pm4d_fingerprint_compute(ci->pCode, ci->codeSize, &fp) != PM4D_SPIRV_OK)
      fp = 0;
   pthread_mutex_lock(&lock);
   if (nmodules < MAX_MODULES)
      modules[nmodules++] = (struct module_entry){*module, fp};
   logf_locked("module %p bytes=%zu fnv=%016" PRIx64 " fp=0x%016" PRIx64 "\n", (void *)*module,
               ci->codeSize, fnv1a64(ci->pCode, ci->codeSize), fp);
   pthread_mutex_unlock(&lock);
   return r;
}

static VKAPI_ATTR VkResult VKAPI_CALL trace_create_compute_pipelines(
   VkDevice dev, VkPipelineCache cache, uint32_t n, const VkComputePipelineCreateInfo *ci,
   const VkAllocationCallbacks *alloc, VkPipeline *pipelines)
{
   VkResult r = real_create_compute_pipelines(dev, cache, n, ci, alloc, pipelines);
   for (uint32_t i = 0; r == VK_SUCCESS && i < n; i++) {
      const VkSpecializationInfo *si = ci[i].stage.pSpecializationInfo;
      char spec[512] = "";
      size_t len = 0;
      for (uint32_t j = 0; si && j < si->mapEntryCount && len < sizeof(spec) - 24; j++) {
         uint32_t v = 0;
         const VkSpecializationMapEntry *e = &si->pMapEntries[j];
         memcpy(&v, (const char *)si->pData + e->offset, e->size < 4 ? e->size : 4);
         len += snprintf(spec + len, sizeof(spec) - len, "%s%u:%u", j ? "," : "", e->constantID, v);
      }
      const uint64_t fp = module_fingerprint(ci[i].stage.module);
      TRACE("pipeline %p module_fp=0x%016" PRIx64 " layout=%p flags=0x%x stage_flags=0x%x "
            "pnext=%s spec=[%s]\n",
            (void *)pipelines[i], fp, (void *)ci[i].layout, ci[i].flags, ci[i].stage.flags,
            ci[i].stage.pNext ? "yes" : "no", spec);
   }
   return r;
}

static VKAPI_ATTR void VKAPI_CALL trace_update_descriptor_sets(VkDevice dev, uint32_t nw,
                                                               const VkWriteDescriptorSet *w,
                                                               uint32_t nc,
                                                               const VkCopyDescriptorSet *c)
{
   for (uint32_t i = 0; i < nw; i++)
      for (uint32_t j = 0; w[i].pBufferInfo && j < w[i].descriptorCount; j++)
         TRACE("update set=%p binding=%u type=%d buffer=%p offset=%" PRIu64 " range=%" PRIu64 "\n",
               (void *)w[i].dstSet, w[i].dstBinding + j, w[i].descriptorType,
               (void *)w[i].pBufferInfo[j].buffer, w[i].pBufferInfo[j].offset,
               w[i].pBufferInfo[j].range);
   if (nc)
      TRACE("update copies=%u\n", nc);
   real_update_descriptor_sets(dev, nw, w, nc, c);
}

static VKAPI_ATTR void VKAPI_CALL trace_cmd_push_constants(VkCommandBuffer cb,
                                                           VkPipelineLayout layout,
                                                           VkShaderStageFlags stages,
                                                           uint32_t offset, uint32_t size,
                                                           const void *values)
{
   char text[1024] = "";
   size_t len = 0;
   for (uint32_t i = 0; i + 4 <= size && len < sizeof(text) - 16; i += 4) {
      uint32_t v;
      memcpy(&v, (const char *)values + i, 4);
      len += snprintf(text + len, sizeof(text) - len, "%s%u", i ? "," : "", v);
   }
   TRACE("push cb=%p layout=%p stages=0x%x offset=%u size=%u data=[%s]\n", (void *)cb,
         (void *)layout, stages, offset, size, text);
   real_cmd_push_constants(cb, layout, stages, offset, size, values);
}

static VKAPI_ATTR void VKAPI_CALL trace_cmd_bind_pipeline(VkCommandBuffer cb,
                                                          VkPipelineBindPoint bp, VkPipeline p)
{
   TRACE("bind_pipeline cb=%p bind_point=%d pipeline=%p\n", (void *)cb, bp, (void *)p);
   real_cmd_bind_pipeline(cb, bp, p);
}

static VKAPI_ATTR void VKAPI_CALL trace_cmd_bind_descriptor_sets(
   VkCommandBuffer cb, VkPipelineBindPoint bp, VkPipelineLayout layout, uint32_t first, uint32_t n,
   const VkDescriptorSet *sets, uint32_t ndyn, const uint32_t *dyn)
{
   TRACE("bind_sets cb=%p layout=%p first=%u count=%u set0=%p dynamic=%u\n", (void *)cb,
         (void *)layout, first, n, n ? (void *)sets[0] : NULL, ndyn);
   real_cmd_bind_descriptor_sets(cb, bp, layout, first, n, sets, ndyn, dyn);
}

static VKAPI_ATTR void VKAPI_CALL trace_cmd_dispatch(VkCommandBuffer cb, uint32_t x, uint32_t y,
                                                     uint32_t z)
{
   TRACE("dispatch cb=%p grid=%u,%u,%u\n", (void *)cb, x, y, z);
   real_cmd_dispatch(cb, x, y, z);
}

static VKAPI_ATTR void VKAPI_CALL trace_cmd_dispatch_base(VkCommandBuffer cb, uint32_t bx,
                                                          uint32_t by, uint32_t bz, uint32_t x,
                                                          uint32_t y, uint32_t z)
{
   TRACE("dispatch_base cb=%p base=%u,%u,%u grid=%u,%u,%u\n", (void *)cb, bx, by, bz, x, y, z);
   real_cmd_dispatch_base(cb, bx, by, bz, x, y, z);
}

static VKAPI_ATTR void VKAPI_CALL trace_cmd_dispatch_indirect(VkCommandBuffer cb, VkBuffer b,
                                                              VkDeviceSize off)
{
   TRACE("dispatch_indirect cb=%p buffer=%p offset=%" PRIu64 "\n", (void *)cb, (void *)b, off);
   real_cmd_dispatch_indirect(cb, b, off);
}

static VKAPI_ATTR void VKAPI_CALL trace_cmd_push_descriptor_set(VkCommandBuffer cb,
                                                                VkPipelineBindPoint bp,
                                                                VkPipelineLayout layout,
                                                                uint32_t set, uint32_t nw,
                                                                const VkWriteDescriptorSet *w)
{
   TRACE("push_descriptor cb=%p set=%u writes=%u\n", (void *)cb, set, nw);
   real_cmd_push_descriptor_set(cb, bp, layout, set, nw, w);
}

static VKAPI_ATTR VkResult VKAPI_CALL trace_queue_submit(VkQueue q, uint32_t n,
                                                         const VkSubmitInfo *si, VkFence f)
{
   for (uint32_t i = 0; i < n; i++)
      TRACE("submit queue=%p cbs=%u waits=%u signals=%u timeline=%s fence=%p\n", (void *)q,
            si[i].commandBufferCount, si[i].waitSemaphoreCount, si[i].signalSemaphoreCount,
            si[i].pNext ? "yes" : "no", (void *)f);
   if (!n)
      TRACE("submit queue=%p empty fence=%p\n", (void *)q, (void *)f);
   return real_queue_submit(q, n, si, f);
}

static VKAPI_ATTR VkResult VKAPI_CALL trace_queue_submit2(VkQueue q, uint32_t n,
                                                          const VkSubmitInfo2 *si, VkFence f)
{
   TRACE("submit2 queue=%p submits=%u fence=%p\n", (void *)q, n, (void *)f);
   return real_queue_submit2(q, n, si, f);
}

/* name -> (where the real pointer goes, the hook). */
#define HOOKS(X)                                                                              \
   X(vkCreateShaderModule, real_create_shader_module, trace_create_shader_module)             \
   X(vkCreateComputePipelines, real_create_compute_pipelines, trace_create_compute_pipelines) \
   X(vkUpdateDescriptorSets, real_update_descriptor_sets, trace_update_descriptor_sets)       \
   X(vkCmdPushConstants, real_cmd_push_constants, trace_cmd_push_constants)                   \
   X(vkCmdBindPipeline, real_cmd_bind_pipeline, trace_cmd_bind_pipeline)                      \
   X(vkCmdBindDescriptorSets, real_cmd_bind_descriptor_sets, trace_cmd_bind_descriptor_sets)  \
   X(vkCmdDispatch, real_cmd_dispatch, trace_cmd_dispatch)                                    \
   X(vkCmdDispatchBase, real_cmd_dispatch_base, trace_cmd_dispatch_base)                      \
   X(vkCmdDispatchBaseKHR, real_cmd_dispatch_base, trace_cmd_dispatch_base)                   \
   X(vkCmdDispatchIndirect, real_cmd_dispatch_indirect, trace_cmd_dispatch_indirect)          \
   X(vkCmdPushDescriptorSetKHR, real_cmd_push_descriptor_set, trace_cmd_push_descriptor_set)  \
   X(vkQueueSubmit, real_queue_submit, trace_queue_submit)                                    \
   X(vkQueueSubmit2, real_queue_submit2, trace_queue_submit2)                                 \
   X(vkQueueSubmit2KHR, real_queue_submit2, trace_queue_submit2)

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL vkGetDeviceProcAddr(VkDevice dev, const char *name);

/* Swaps in the hook for a hooked name; the real pointer is kept (one device is enough here). */
static PFN_vkVoidFunction wrap(const char *name, PFN_vkVoidFunction real)
{
   if (!real)
      return NULL;
#define X(fn, slot, hook)              \
   if (!strcmp(name, #fn)) {           \
      pthread_mutex_lock(&lock);       \
      slot = (__typeof__(slot))real;   \
      pthread_mutex_unlock(&lock);     \
      return (PFN_vkVoidFunction)hook; \
   }
   HOOKS(X)
#undef X
   if (!strcmp(name, "vkGetDeviceProcAddr")) {
      real_gdpa = (PFN_vkGetDeviceProcAddr)real;
      return (PFN_vkVoidFunction)vkGetDeviceProcAddr;
   }
   return real;
}

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL vkGetInstanceProcAddr(VkInstance inst, const char *name)
{
   if (!real_gipa)
      real_gipa = (PFN_vkGetInstanceProcAddr)dlsym(RTLD_NEXT, "vkGetInstanceProcAddr");
   if (!real_gipa)
      return NULL;
   if (!strcmp(name, "vkGetInstanceProcAddr"))
      return (PFN_vkVoidFunction)vkGetInstanceProcAddr;
   return wrap(name, real_gipa(inst, name));
}

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL vkGetDeviceProcAddr(VkDevice dev, const char *name)
{
   if (!real_gdpa)
      real_gdpa = (PFN_vkGetDeviceProcAddr)dlsym(RTLD_NEXT, "vkGetDeviceProcAddr");
   if (!real_gdpa)
      return NULL;
   return wrap(name, real_gdpa(dev, name));
}
