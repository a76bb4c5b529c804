#include "pm4d_vk_dispatch.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_config.h"
#include "pm4d_log.h"

/* HOOK_RECORD: device level, hooked on devices with a back end (all devices with
 * PM4DIRECT_DEBUG=1); HOOK_FORWARD: device level, hooked only on devices with a back end. */
enum hook_level { HOOK_GLOBAL, HOOK_INSTANCE, HOOK_DEVICE, HOOK_RECORD, HOOK_FORWARD };

struct hook_entry {
   const char *name;
   PFN_vkVoidFunction fn;
   enum hook_level level;
   size_t device_slot; /* offset of the next function in pm4d_vk_device_table (device level) */
};

/* Every hooked name, aliases included; sorted once, then searched with bsearch. */
#define HOOK_ENTRY(level, slot, name, alias) \
   {"vk" #name, (PFN_vkVoidFunction)pm4d_hook_##name, level, slot},
#define HOOK_ALIAS(level, slot, name, alias) \
   {alias, (PFN_vkVoidFunction)pm4d_hook_##name, level, slot},
#define GLOBAL_ENTRY(name, alias)   HOOK_ENTRY(HOOK_GLOBAL, 0, name, alias)
#define INSTANCE_ENTRY(name, alias) HOOK_ENTRY(HOOK_INSTANCE, 0, name, alias)
#define DEVICE_ENTRY(name, alias) \
   HOOK_ENTRY(HOOK_DEVICE, offsetof(struct pm4d_vk_device_table, name), name, alias)
#define DEVICE_ALIAS(name, alias) \
   HOOK_ALIAS(HOOK_DEVICE, offsetof(struct pm4d_vk_device_table, name), name, alias)
#define RECORD_ENTRY(name, alias) \
   HOOK_ENTRY(HOOK_RECORD, offsetof(struct pm4d_vk_device_table, name), name, alias)
#define RECORD_ALIAS(name, alias) \
   HOOK_ALIAS(HOOK_RECORD, offsetof(struct pm4d_vk_device_table, name), name, alias)
#define FORWARD_ENTRY(name, alias) \
   HOOK_ENTRY(HOOK_FORWARD, offsetof(struct pm4d_vk_device_table, name), name, alias)
#define FORWARD_ALIAS(name, alias) \
   HOOK_ALIAS(HOOK_FORWARD, offsetof(struct pm4d_vk_device_table, name), name, alias)
static struct hook_entry hooks[] = {
   PM4D_VK_GLOBAL_HOOKS(GLOBAL_ENTRY) PM4D_VK_INSTANCE_HOOKS(INSTANCE_ENTRY)
      PM4D_VK_DEVICE_HOOKS(DEVICE_ENTRY) PM4D_VK_DEVICE_HOOKS(DEVICE_ALIAS)
         PM4D_VK_RECORD_HOOKS(RECORD_ENTRY) PM4D_VK_RECORD_HOOKS(RECORD_ALIAS)
            PM4D_VK_DEVICE_FORWARDS(FORWARD_ENTRY) PM4D_VK_DEVICE_FORWARDS(FORWARD_ALIAS)};
#define HOOK_COUNT (sizeof(hooks) / sizeof(hooks[0]))
static size_t hook_count; /* entries left after dropping the NULL aliases */
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static int compare_hooks(const void *a, const void *b)
{
   return strcmp(((const struct hook_entry *)a)->name, ((const struct hook_entry *)b)->name);
}

static void sort_hooks(void)
{
   for (size_t i = 0; i < HOOK_COUNT; i++)
      if (hooks[i].name)
         hooks[hook_count++] = hooks[i];
   qsort(hooks, hook_count, sizeof(hooks[0]), compare_hooks);
}

static const struct hook_entry *find_hook(const char *name)
{
   pthread_once(&hooks_once, sort_hooks);
   struct hook_entry key = {.name = name};
   return bsearch(&key, hooks, hook_count, sizeof(hooks[0]), compare_hooks);
}

static PFN_vkVoidFunction device_slot(const struct pm4d_vk_device_table *t, size_t offset)
{
   PFN_vkVoidFunction fn;
   memcpy(&fn, (const char *)t + offset, sizeof(fn));
   return fn;
}

void pm4d_vk_dispatch_fill_instance(struct pm4d_vk_instance_table *t, VkInstance instance,
                                    PFN_vkGetInstanceProcAddr gipa)
{
   const char *alias_name;
#define FILL_INSTANCE(name, alias)                     \
   t->name = (PFN_vk##name)gipa(instance, "vk" #name); \
   alias_name = alias;                                 \
   if (!t->name && alias_name)                         \
      t->name = (PFN_vk##name)gipa(instance, alias_name);
   PM4D_VK_INSTANCE_HOOKS(FILL_INSTANCE)
   PM4D_VK_INSTANCE_CALLS(FILL_INSTANCE)
#undef FILL_INSTANCE
   t->GetInstanceProcAddr = gipa;
}

void pm4d_vk_dispatch_fill_device(struct pm4d_vk_device_table *t, VkDevice device,
                                  PFN_vkGetDeviceProcAddr gdpa)
{
   const char *alias_name;
#define FILL_DEVICE(name, alias)                     \
   t->name = (PFN_vk##name)gdpa(device, "vk" #name); \
   alias_name = alias;                               \
   if (!t->name && alias_name)                       \
      t->name = (PFN_vk##name)gdpa(device, alias_name);
   PM4D_VK_DEVICE_HOOKS(FILL_DEVICE)
   PM4D_VK_RECORD_HOOKS(FILL_DEVICE)
   PM4D_VK_DEVICE_FORWARDS(FILL_DEVICE)
   PM4D_VK_DEVICE_CALLS(FILL_DEVICE)
#undef FILL_DEVICE
   t->GetDeviceProcAddr = gdpa;
}

/* The hook when the layer tracks this device and the next layer has the function; otherwise
 * NULL so the caller forwards (unsupported functions stay NULL for the app). */
static PFN_vkVoidFunction device_hook(const struct hook_entry *e, const struct pm4d_vk_device *dev)
{
   bool tracking = dev->tracking;
   if (e->level == HOOK_FORWARD && !dev->redirect)
      return NULL;
   if (e->level == HOOK_RECORD && !dev->redirect && !pm4d_config_get()->debug)
      return NULL;
   const struct pm4d_vk_device_table *t = &dev->table;
   bool always = e->fn == (PFN_vkVoidFunction)pm4d_hook_GetDeviceProcAddr ||
                 e->fn == (PFN_vkVoidFunction)pm4d_hook_DestroyDevice;
   if (!tracking && !always)
      return NULL;
   return device_slot(t, e->device_slot) ? e->fn : NULL;
}

PFN_vkVoidFunction pm4d_hook_GetDeviceProcAddr(VkDevice device, const char *pName)
{
   struct pm4d_vk_device *dev = device && pName ? pm4d_vk_state_device(device) : NULL;
   if (!dev)
      return NULL;
   const struct hook_entry *e = find_hook(pName);
   if (e && e->level >= HOOK_DEVICE) {
      PFN_vkVoidFunction fn = device_hook(e, dev);
      if (fn)
         return fn;
   }
   return dev->table.GetDeviceProcAddr(device, pName);
}

PFN_vkVoidFunction pm4d_hook_GetInstanceProcAddr(VkInstance instance, const char *pName)
{
   if (!pName)
      return NULL;
   const struct hook_entry *e = find_hook(pName);
   /* Answered with or without an instance (vkGetInstanceProcAddr(NULL, ...) rules). */
   if (e && (e->level == HOOK_GLOBAL || e->fn == (PFN_vkVoidFunction)pm4d_hook_CreateInstance ||
             e->fn == (PFN_vkVoidFunction)pm4d_hook_GetInstanceProcAddr))
      return e->fn;
   struct pm4d_vk_instance *inst = instance ? pm4d_vk_state_instance(instance) : NULL;
   if (!inst)
      return NULL;
   if (e && e->level == HOOK_INSTANCE)
      return e->fn;
   PFN_vkVoidFunction next = inst->table.GetInstanceProcAddr(instance, pName);
   /* Device functions asked for through the instance: hook them too, unless disabled. */
   if (e && next && !pm4d_config_get()->disable)
      return e->fn;
   return next;
}

static const VkLayerProperties layer_properties = {
   .layerName = PM4D_VK_LAYER_NAME,
   .specVersion = VK_MAKE_API_VERSION(0, 1, 3, 0),
   .implementationVersion = 1,
   .description = "pm4direct: conv2d compute dispatches through a direct PM4 ring",
};

static VkResult one_layer(uint32_t *pPropertyCount, VkLayerProperties *pProperties)
{
   if (!pProperties) {
      *pPropertyCount = 1;
      return VK_SUCCESS;
   }
   if (*pPropertyCount < 1)
      return VK_INCOMPLETE;
   *pPropertyCount = 1;
   pProperties[0] = layer_properties;
   return VK_SUCCESS;
}

VkResult pm4d_hook_EnumerateInstanceLayerProperties(uint32_t *pPropertyCount,
                                                    VkLayerProperties *pProperties)
{
   return one_layer(pPropertyCount, pProperties);
}

VkResult pm4d_hook_EnumerateDeviceLayerProperties(VkPhysicalDevice physicalDevice,
                                                  uint32_t *pPropertyCount,
                                                  VkLayerProperties *pProperties)
{
   (void)physicalDevice;
   return one_layer(pPropertyCount, pProperties);
}

VkResult pm4d_hook_EnumerateInstanceExtensionProperties(const char *pLayerName,
                                                        uint32_t *pPropertyCount,
                                                        VkExtensionProperties *pProperties)
{
   (void)pProperties;
   if (!pLayerName || strcmp(pLayerName, PM4D_VK_LAYER_NAME) != 0)
      return VK_ERROR_LAYER_NOT_PRESENT;
   *pPropertyCount = 0; /* the layer adds no instance extensions */
   return VK_SUCCESS;
}

VkResult pm4d_hook_EnumerateDeviceExtensionProperties(VkPhysicalDevice physicalDevice,
                                                      const char *pLayerName,
                                                      uint32_t *pPropertyCount,
                                                      VkExtensionProperties *pProperties)
{
   if (pLayerName && strcmp(pLayerName, PM4D_VK_LAYER_NAME) == 0) {
      *pPropertyCount = 0; /* the layer adds no device extensions */
      return VK_SUCCESS;
   }
   struct pm4d_vk_instance *inst = pm4d_vk_state_instance(physicalDevice);
   if (!inst || !inst->table.EnumerateDeviceExtensionProperties) {
      PM4D_LOG_ONCE(PM4D_LOG_ERROR,
                    "vkEnumerateDeviceExtensionProperties: unknown physical device");
      return VK_ERROR_INITIALIZATION_FAILED;
   }
   return inst->table.EnumerateDeviceExtensionProperties(physicalDevice, pLayerName, pPropertyCount,
                                                         pProperties);
}
