/* A device's back end (DESIGN.md data flow step 1), its queues' bridges, and the process's
 * known-shader table. */
#include "pm4d_vk_redirect.h"
#include "pm4d_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm4d_config.h"

#define AMD_VENDOR_ID 0x1002u

static struct pm4d_shader_table shader_table;
static pthread_once_t shader_table_once = PTHREAD_ONCE_INIT;

static void load_shader_table(void)
{
   char err[256];
   pm4d_shader_table_init(&shader_table);
   if (pm4d_shader_table_load_builtin(&shader_table, err, sizeof(err)) != PM4D_SHADER_TABLE_OK)
      pm4d_log(PM4D_LOG_ERROR, "built-in shader table: %s", err);
   const char *user = pm4d_config_get()->shader_table;
   if (user[0]) {
      const unsigned before = (unsigned)shader_table.count;
      if (pm4d_shader_table_load_file(&shader_table, user, err, sizeof(err)) !=
          PM4D_SHADER_TABLE_OK)
         pm4d_log(PM4D_LOG_WARN, "PM4DIRECT_SHADER_TABLE ignored: %s", err);
      else
         pm4d_log(PM4D_LOG_WARN, "PM4DIRECT_SHADER_TABLE: %u entries loaded from %s",
                  (unsigned)shader_table.count - before, user);
   }
   pm4d_shader_table_finish(&shader_table);
}

const struct pm4d_shader_table *pm4d_vk_shader_table(void)
{
   pthread_once(&shader_table_once, load_shader_table);
   return &shader_table;
}

/* Device extensions of physical; NULL on failure. */
static VkExtensionProperties *device_extensions(struct pm4d_vk_instance *inst,
                                                VkPhysicalDevice physical, uint32_t *count)
{
   *count = 0;
   if (inst->table.EnumerateDeviceExtensionProperties(physical, NULL, count, NULL) != VK_SUCCESS)
      return NULL;
   VkExtensionProperties *e = pm4d_calloc(*count ? *count : 1, sizeof(*e));
   if (e && inst->table.EnumerateDeviceExtensionProperties(physical, NULL, count, e) < 0) {
      free(e);
      e = NULL;
   }
   return e;
}

static bool has_name(const char *const *names, uint32_t n, const char *name)
{
   for (uint32_t i = 0; i < n; i++)
      if (strcmp(names[i], name) == 0)
         return true;
   return false;
}

static bool supported(const VkExtensionProperties *e, uint32_t n, const char *name)
{
   for (uint32_t i = 0; i < n; i++)
      if (strcmp(e[i].extensionName, name) == 0)
         return true;
   return false;
}

/* Turns a feature on for the device: in the app's own structure when its chain has one
 * (restored after the call), else in ours, prepended to the chain. */
static void enable_feature(struct pm4d_vk_redirect_plan *plan, VkStructureType own_type,
                           size_t own_offset, size_t v12_offset, VkBaseOutStructure *ours)
{
   for (const VkBaseInStructure *s = plan->info.pNext; s; s = s->pNext) {
      size_t off = s->sType == own_type                                                ? own_offset
                   : s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES ? v12_offset
                                                                                       : 0;
      if (off) {
         VkBool32 *flag = (VkBool32 *)((char *)s + off);
         plan->patched[plan->n_patched] = flag;
         plan->saved[plan->n_patched++] = *flag;
         *flag = VK_TRUE;
         return;
      }
   }
   ours->pNext = (VkBaseOutStructure *)plan->info.pNext;
   plan->info.pNext = ours;
}

/* Why the device cannot have a back end, or NULL; fills the direct config. */
static const char *choose_backend(struct pm4d_vk_instance *inst, VkPhysicalDevice physical,
                                  const VkExtensionProperties *ext, uint32_t n_ext,
                                  struct pm4d_direct_config *cfg)
{
   enum pm4d_backend_choice choice = pm4d_config_get()->backend;
   if (choice == PM4D_BACKEND_NONE)
      return "PM4DIRECT_BACKEND=none";
   if (choice == PM4D_BACKEND_SIM) {
      cfg->backend = PM4D_DIRECT_BACKEND_SIM;
      return NULL;
   }
   VkPhysicalDeviceProperties props;
   inst->table.GetPhysicalDeviceProperties(physical, &props);
   if (props.vendorID != AMD_VENDOR_ID)
      return "not an AMD GPU";
   if (!supported(ext, n_ext, VK_EXT_PCI_BUS_INFO_EXTENSION_NAME) ||
       !inst->table.GetPhysicalDeviceProperties2)
      return "no VK_EXT_pci_bus_info to find the GPU's render node";
   /* The driver's identity, for the back end's verified-stack check: only where the device
    * knows the structure (1.2, or VK_KHR_driver_properties). */
   VkPhysicalDeviceDriverProperties driver = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
   const bool has_driver = VK_API_VERSION_MINOR(props.apiVersion) >= 2 ||
                           VK_API_VERSION_MAJOR(props.apiVersion) > 1 ||
                           supported(ext, n_ext, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME);
   VkPhysicalDevicePCIBusInfoPropertiesEXT pci = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT,
      .pNext = has_driver ? &driver : NULL};
   VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                     .pNext = &pci};
   inst->table.GetPhysicalDeviceProperties2(physical, &p2);
   cfg->backend = PM4D_DIRECT_BACKEND_AMDGPU;
   cfg->driver_id = has_driver ? (uint32_t)driver.driverID : 0;
   cfg->driver_version = props.driverVersion;
   cfg->force = choice == PM4D_BACKEND_AMDGPU;
   cfg->pci.domain = pci.pciDomain;
   cfg->pci.bus = pci.pciBus;
   cfg->pci.device = pci.pciDevice;
   cfg->pci.function = pci.pciFunction;
   return NULL;
}

/* Whether a timeline semaphore can be exported as an opaque fd: the amdgpu bridge is that
 * fd's syncobj, imported by the back end and signalled by the kernel. */
static bool bridge_exportable(struct pm4d_vk_instance *inst, VkPhysicalDevice physical)
{
   if (!inst->table.GetPhysicalDeviceExternalSemaphoreProperties)
      return false;
   VkSemaphoreTypeCreateInfo type = {VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO, NULL,
                                     VK_SEMAPHORE_TYPE_TIMELINE, 0};
   VkPhysicalDeviceExternalSemaphoreInfo info = {
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_SEMAPHORE_INFO, &type,
      VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT};
   VkExternalSemaphoreProperties props = {.sType = VK_STRUCTURE_TYPE_EXTERNAL_SEMAPHORE_PROPERTIES};
   inst->table.GetPhysicalDeviceExternalSemaphoreProperties(physical, &info, &props);
   return (props.externalSemaphoreFeatures & VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT) &&
          (props.exportFromImportedHandleTypes | props.compatibleHandleTypes) &
             VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
}

/* Why the device lacks what the back end needs, or NULL; adds the extensions it needs. */
static const char *check_needs(struct pm4d_vk_instance *inst, VkPhysicalDevice physical,
                               const VkExtensionProperties *ext, uint32_t n_ext, bool amdgpu,
                               struct pm4d_vk_redirect_plan *plan)
{
   if (!inst->table.GetPhysicalDeviceFeatures2)
      return "cannot query device features (vkGetPhysicalDeviceFeatures2)";
   VkPhysicalDeviceBufferDeviceAddressFeatures bda = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES};
   VkPhysicalDeviceTimelineSemaphoreFeatures tl = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES, .pNext = &bda};
   VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                   .pNext = &tl};
   inst->table.GetPhysicalDeviceFeatures2(physical, &f2);
   if (!tl.timelineSemaphore)
      return "no timeline semaphores";
   if (amdgpu && !bda.bufferDeviceAddress)
      return "no buffer device address";
   if (amdgpu && !bridge_exportable(inst, physical))
      return "timeline semaphores cannot be exported as opaque fds (the bridge is a syncobj the "
             "kernel signals)";
   VkPhysicalDeviceProperties props;
   inst->table.GetPhysicalDeviceProperties(physical, &props);
   const char *needed[6];
   uint32_t n = 0;
   /* Core 1.2 functions exist for the device only when both the app and the device are 1.2+. */
   uint32_t api = props.apiVersion < inst->api_version ? props.apiVersion : inst->api_version;
   const bool pre12 = VK_API_VERSION_MAJOR(api) == 1 && VK_API_VERSION_MINOR(api) < 2;
   if (pre12)
      needed[n++] = VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME;
   /* Also on 1.2+: RADV 22.3 turns on its global BO list, and with it the always-valid BOs
    * the layer's submissions rely on (pm4d_vk_memory.c), from the extension or a
    * VkPhysicalDeviceVulkan12Features in the chain, not from the feature structure the layer
    * may add (radv_CreateDevice, use_global_bo_list). Not with the EXT twin the app chose
    * (VUID-VkDeviceCreateInfo-ppEnabledExtensionNames-03328). */
   if (amdgpu && (pre12 || supported(ext, n_ext, VK_KHR_BUFFER_DEVICE_ADDRESS_EXTENSION_NAME)) &&
       !has_name(plan->info.ppEnabledExtensionNames, plan->info.enabledExtensionCount,
                 VK_EXT_BUFFER_DEVICE_ADDRESS_EXTENSION_NAME))
      needed[n++] = VK_KHR_BUFFER_DEVICE_ADDRESS_EXTENSION_NAME;
   if (amdgpu) {
      needed[n++] = VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME;
      needed[n++] = VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME;
      needed[n++] = VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME;
   }
   for (uint32_t i = 0; i < n; i++)
      if (!supported(ext, n_ext, needed[i]))
         return needed[i];
   const VkDeviceCreateInfo *ci = &plan->info;
   plan->extensions = pm4d_malloc((ci->enabledExtensionCount + n + 1) * sizeof(char *));
   if (!plan->extensions)
      return "out of memory";
   uint32_t total = ci->enabledExtensionCount;
   if (total)
      memcpy(plan->extensions, ci->ppEnabledExtensionNames, total * sizeof(char *));
   for (uint32_t i = 0; i < n; i++)
      if (!has_name(plan->extensions, total, needed[i]))
         plan->extensions[total++] = needed[i];
   plan->info.enabledExtensionCount = total;
   plan->info.ppEnabledExtensionNames = plan->extensions;

   plan->timeline = (VkPhysicalDeviceTimelineSemaphoreFeatures){
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES, NULL, VK_TRUE};
   enable_feature(plan, VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES,
                  offsetof(VkPhysicalDeviceTimelineSemaphoreFeatures, timelineSemaphore),
                  offsetof(VkPhysicalDeviceVulkan12Features, timelineSemaphore),
                  (VkBaseOutStructure *)&plan->timeline);
   if (amdgpu) {
      plan->bda = (VkPhysicalDeviceBufferDeviceAddressFeatures){
         VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES, NULL, VK_TRUE, VK_FALSE,
         VK_FALSE};
      enable_feature(plan, VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES,
                     offsetof(VkPhysicalDeviceBufferDeviceAddressFeatures, bufferDeviceAddress),
                     offsetof(VkPhysicalDeviceVulkan12Features, bufferDeviceAddress),
                     (VkBaseOutStructure *)&plan->bda);
   }
   return NULL;
}

const VkDeviceCreateInfo *pm4d_vk_redirect_plan(struct pm4d_vk_instance *inst,
                                                VkPhysicalDevice physical,
                                                const VkDeviceCreateInfo *ci,
                                                struct pm4d_vk_redirect_plan *plan)
{
   memset(plan, 0, sizeof(*plan));
   plan->info = *ci;
   const struct pm4d_config *cfg = pm4d_config_get();
   if (cfg->disable)
      return ci;
   uint32_t n_ext;
   VkExtensionProperties *ext = device_extensions(inst, physical, &n_ext);
   struct pm4d_direct_config dc = {.debug = cfg->debug};
   /* PM4DIRECT_DEADLINE_MS: a batch's deadline before its FLOP estimate. */
   dc.deadline_base_ns = (uint64_t)cfg->deadline_ms * 1000000ull;
   char reason[256] = "";
   const char *why =
      ext ? choose_backend(inst, physical, ext, n_ext, &dc) : "cannot list device extensions";
   if (!why)
      why = check_needs(inst, physical, ext, n_ext, dc.backend == PM4D_DIRECT_BACKEND_AMDGPU, plan);
   struct pm4d_direct_callbacks cb = {NULL, pm4d_vk_submit_batch_failed};
   if (!why &&
       pm4d_direct_create(&dc, &cb, &plan->direct, reason, sizeof(reason)) != PM4D_DIRECT_OK) {
      plan->direct = NULL;
      why = reason[0] ? reason : "the direct path is unavailable";
   }
   free(ext);
   if (!why && reason[0]) /* forced outside the verified stack */
      pm4d_log(PM4D_LOG_WARN, "%s", reason);
   if (why) {
      pm4d_vk_redirect_plan_restore(plan);
      free(plan->extensions);
      plan->extensions = NULL;
      /* Said once per device; loudly when a back end was asked for by name. */
      pm4d_log(cfg->backend == PM4D_BACKEND_AUTO || cfg->backend == PM4D_BACKEND_NONE
                  ? PM4D_LOG_INFO
                  : PM4D_LOG_WARN,
               "device is pass-through: %s", why);
      return ci;
   }
   plan->space = pm4d_direct_address_space(plan->direct);
   inst->table.GetPhysicalDeviceMemoryProperties(physical, &plan->memory);
   return &plan->info;
}

void pm4d_vk_redirect_plan_restore(struct pm4d_vk_redirect_plan *plan)
{
   while (plan->n_patched) {
      plan->n_patched--;
      *plan->patched[plan->n_patched] = plan->saved[plan->n_patched];
   }
}

void pm4d_vk_redirect_attach(struct pm4d_vk_device *dev, struct pm4d_vk_redirect_plan *plan,
                             bool created)
{
   free(plan->extensions);
   if (!plan->direct)
      return;
   struct pm4d_vk_redirect *rd = created ? pm4d_calloc(1, sizeof(*rd)) : NULL;
   if (!rd) {
      pm4d_direct_destroy(plan->direct);
      if (created)
         pm4d_log(PM4D_LOG_WARN, "device is pass-through: out of memory");
      return;
   }
   rd->direct = plan->direct;
   rd->space = plan->space;
   rd->debug = pm4d_config_get()->debug;
   rd->memory = plan->memory;
   dev->redirect = rd;
   pm4d_log(PM4D_LOG_INFO, "device has back end %s%s", pm4d_direct_backend_name(rd->direct),
            rd->debug ? " (debug: every batch validated, every redirect logged)" : "");
}

/* Bridge access for the direct path (host waits and signals of the timeline semaphore). */
static int bridge_wait(void *user, uint64_t point, uint64_t timeout_ns)
{
   struct pm4d_vk_queue *q = user;
   VkSemaphoreWaitInfo wi = {VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, NULL, 0, 1, &q->bridge, &point};
   VkResult res = q->dev->table.WaitSemaphores(q->dev->handle, &wi, timeout_ns);
   return res == VK_SUCCESS ? 0 : res == VK_TIMEOUT ? 1 : -1;
}

static int bridge_signal(void *user, uint64_t point)
{
   struct pm4d_vk_queue *q = user;
   VkSemaphoreSignalInfo si = {VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, NULL, q->bridge, point};
   return q->dev->table.SignalSemaphore(q->dev->handle, &si) == VK_SUCCESS ? 0 : -1;
}

static struct pm4d_vk_queue *queue_create(struct pm4d_vk_device *dev, VkQueue queue)
{
   struct pm4d_vk_queue *q = pm4d_calloc(1, sizeof(*q));
   if (!q)
      return NULL;
   q->handle = queue;
   q->dev = dev;
   pthread_mutex_init(&q->lock, NULL);
   /* amdgpu: exportable as an opaque fd (checked at vkCreateDevice), whose syncobj the back
    * end imports on the shared DRM file: the kernel then waits for and signals the bridge
    * points of direct batches, with no host signal in between. */
   const bool gpu = dev->redirect->space == PM4D_ADDR_GPU_VA;
   VkExportSemaphoreCreateInfo exp = {VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO, NULL,
                                      VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT};
   VkSemaphoreTypeCreateInfo type = {VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
                                     gpu ? &exp : NULL, VK_SEMAPHORE_TYPE_TIMELINE, 0};
   VkSemaphoreCreateInfo sci = {VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type, 0};
   if (dev->table.CreateSemaphore(dev->handle, &sci, NULL, &q->bridge) != VK_SUCCESS)
      goto fail;
   struct pm4d_bridge bridge = {q, bridge_wait, bridge_signal, -1};
   VkSemaphoreGetFdInfoKHR gi = {VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR, NULL, q->bridge,
                                 VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT};
   if (gpu && (!dev->table.GetSemaphoreFdKHR ||
               dev->table.GetSemaphoreFdKHR(dev->handle, &gi, &bridge.opaque_fd) != VK_SUCCESS)) {
      PM4D_LOG_ONCE(PM4D_LOG_WARN, "vkGetSemaphoreFdKHR failed on the bridge semaphore");
      bridge.opaque_fd = -1;
      goto fail_semaphore;
   }
   enum pm4d_direct_status st =
      pm4d_direct_queue_create(dev->redirect->direct, &bridge, q, &q->direct);
   if (bridge.opaque_fd >= 0)
      close(bridge.opaque_fd); /* the back end holds its own syncobj handle */
   if (st != PM4D_DIRECT_OK)
      goto fail_semaphore;
   return q;
fail_semaphore:
   dev->table.DestroySemaphore(dev->handle, q->bridge, NULL);
fail:
   pthread_mutex_destroy(&q->lock);
   free(q);
   return NULL;
}

struct pm4d_vk_queue *pm4d_vk_queue_get(struct pm4d_vk_device *dev, VkQueue queue, bool create)
{
   pthread_mutex_lock(&dev->lock);
   struct pm4d_vk_queue *q =
      pm4d_map_get(&dev->objects[PM4D_VK_OBJ_QUEUE], (uint64_t)(uintptr_t)queue);
   pthread_mutex_unlock(&dev->lock);
   if (q || !create)
      return q;
   /* The app submits to one queue from one thread at a time: no one else makes this one. */
   q = queue_create(dev, queue);
   if (!q) {
      PM4D_LOG_ONCE(PM4D_LOG_WARN,
                    "cannot make a queue's bridge; its jobs run through their fallbacks");
      return NULL;
   }
   pthread_mutex_lock(&dev->lock);
   bool ok = pm4d_map_put(&dev->objects[PM4D_VK_OBJ_QUEUE], (uint64_t)(uintptr_t)queue, q);
   pthread_mutex_unlock(&dev->lock);
   if (!ok) {
      pm4d_direct_queue_destroy(q->direct);
      dev->table.DestroySemaphore(dev->handle, q->bridge, NULL);
      pthread_mutex_destroy(&q->lock);
      free(q);
      return NULL;
   }
   return q;
}

static bool detach_queue(void *ctx, uint64_t key, void *value)
{
   (void)ctx, (void)key;
   pm4d_direct_queue_destroy(((struct pm4d_vk_queue *)value)->direct);
   return false;
}

static bool destroy_queue(void *ctx, uint64_t key, void *value)
{
   (void)key;
   struct pm4d_vk_device *dev = ctx;
   struct pm4d_vk_queue *q = value;
   dev->table.DestroySemaphore(dev->handle, q->bridge, NULL);
   pthread_mutex_destroy(&q->lock);
   pm4d_vk_chain_storage_free(&q->chain);
   free(q);
   return true;
}

static bool release_split(void *ctx, uint64_t key, void *value)
{
   (void)ctx, (void)key;
   pm4d_vk_split_release(value, true);
   return false;
}

static bool destroy_shadow_pool(void *ctx, uint64_t key, void *value)
{
   (void)key;
   struct pm4d_vk_device *dev = ctx;
   struct pm4d_vk_command_pool *p = value;
   if (p->shadow)
      dev->table.DestroyCommandPool(dev->handle, p->shadow, NULL);
   p->shadow = VK_NULL_HANDLE;
   return false;
}

static bool unmap_memory(void *ctx, uint64_t key, void *value)
{
   struct pm4d_vk_device *dev = ctx;
   struct pm4d_vk_memory *m = value;
   if (m->host)
      dev->table.UnmapMemory(dev->handle, (VkDeviceMemory)key);
   m->host = NULL;
   m->registered = false;
   return false;
}

void pm4d_vk_redirect_detach(struct pm4d_vk_device *dev)
{
   struct pm4d_vk_redirect *rd = dev->redirect;
   if (!rd)
      return;
   /* Queues first: their destroy returns once batch_failed is done with them (the callbacks
   * take queue locks, so none is held here). */
   pm4d_map_remove_if(&dev->objects[PM4D_VK_OBJ_QUEUE], detach_queue, NULL);
   pm4d_direct_destroy(rd->direct);
   rd->direct = NULL; /* the command buffers' argument chunks below need not unregister */
   pm4d_map_remove_if(&dev->objects[PM4D_VK_OBJ_QUEUE], destroy_queue, dev);
   pm4d_map_remove_if(&dev->objects[PM4D_VK_OBJ_COMMAND_BUFFER], release_split, NULL);
   pm4d_map_remove_if(&dev->objects[PM4D_VK_OBJ_COMMAND_POOL], destroy_shadow_pool, dev);
   pm4d_map_remove_if(&dev->objects[PM4D_VK_OBJ_MEMORY], unmap_memory, dev);
   dev->redirect = NULL;
   free(rd);
}
