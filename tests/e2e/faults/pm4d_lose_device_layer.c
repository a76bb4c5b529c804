/* A test layer below pm4direct that makes the driver lose the device at one submission, as
 * RADV does when the kernel refuses its CS after a reset (-ECANCELED on a guilty context, or
 * VRAM lost: radv_amdgpu_cs_submit returns VK_ERROR_DEVICE_LOST). PM4D_TEST_LOSE_AT=N: the
 * Nth vkQueueSubmit/vkQueueSubmit2 that signals a timeline value and has no fence (a link
 * pm4direct adds before or after a direct batch; convnet's own submits all have a fence) is
 * refused with VK_ERROR_DEVICE_LOST and does nothing; from then on every submission is refused
 * the same way, and vkQueueWaitIdle / vkDeviceWaitIdle drain the driver and report the loss.
 * Waits on semaphores go through as they are: a point that nothing will signal is never
 * reached, as with a syncobj on the real kernel. A test artefact, never installed. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vk_layer.h>
#include <vulkan/vulkan.h>

#define EXPORT      __attribute__((visibility("default")))
#define MAX_OBJECTS 8

/* Dispatchable handles start with the loader's dispatch pointer, shared by a device and its
 * queues: the key of both tables. */
static void *key_of(const void *handle)
{
   return *(void *const *)handle;
}

struct instance_entry {
   void *key;
   PFN_vkGetInstanceProcAddr gipa;
};

struct device_entry {
   void *key;
   PFN_vkGetDeviceProcAddr gdpa;
   PFN_vkDestroyDevice destroy;
   PFN_vkQueueSubmit submit;
   PFN_vkQueueSubmit2 submit2;
   PFN_vkQueueWaitIdle queue_wait_idle;
   PFN_vkDeviceWaitIdle device_wait_idle;
   unsigned counted; /* submissions that signal a timeline value without a fence */
   bool lost;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct instance_entry instances[MAX_OBJECTS];
static struct device_entry devices[MAX_OBJECTS];

/* The entry of key (NULL: a free one), under lock. */
static struct instance_entry *instance_locked(void *key)
{
   for (int i = 0; i < MAX_OBJECTS; i++)
      if (instances[i].key == key)
         return &instances[i];
   return NULL;
}

static struct device_entry *device_locked(void *key)
{
   for (int i = 0; i < MAX_OBJECTS; i++)
      if (devices[i].key == key)
         return &devices[i];
   return NULL;
}

/* A device's entry, for a device or queue handle (valid until vkDestroyDevice). */
static struct device_entry *device_of(const void *handle)
{
   pthread_mutex_lock(&lock);
   struct device_entry *d = device_locked(key_of(handle));
   pthread_mutex_unlock(&lock);
   return d;
}

static unsigned lose_at(void)
{
   const char *s = getenv("PM4D_TEST_LOSE_AT");
   return s ? (unsigned)strtoul(s, NULL, 10) : 0;
}

/* Whether this submission is the one that loses the device, or comes after it. */
static bool refused(struct device_entry *d, bool timeline_signal, VkFence fence)
{
   pthread_mutex_lock(&lock);
   if (!d->lost && timeline_signal && fence == VK_NULL_HANDLE && ++d->counted == lose_at()) {
      d->lost = true;
      fprintf(stderr,
              "pm4d-test-lose-device: submission %u with a timeline signal and no fence "
              "refused: VK_ERROR_DEVICE_LOST, the device is lost\n",
              d->counted);
   }
   bool lost = d->lost;
   pthread_mutex_unlock(&lock);
   return lost;
}

static VKAPI_ATTR VkResult VKAPI_CALL QueueSubmit(VkQueue queue, uint32_t count,
                                                  const VkSubmitInfo *submits, VkFence fence)
{
   bool timeline_signal = false;
   for (uint32_t i = 0; i < count; i++)
      for (const VkBaseInStructure *s = submits[i].pNext; s; s = s->pNext)
         if (s->sType == VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO) {
            const VkTimelineSemaphoreSubmitInfo *tl = (const VkTimelineSemaphoreSubmitInfo *)s;
            for (uint32_t j = 0; j < tl->signalSemaphoreValueCount; j++)
               timeline_signal |= tl->pSignalSemaphoreValues[j] != 0;
         }
   struct device_entry *d = device_of(queue);
   if (refused(d, timeline_signal, fence))
      return VK_ERROR_DEVICE_LOST;
   return d->submit(queue, count, submits, fence);
}

static VKAPI_ATTR VkResult VKAPI_CALL QueueSubmit2(VkQueue queue, uint32_t count,
                                                   const VkSubmitInfo2 *submits, VkFence fence)
{
   bool timeline_signal = false;
   for (uint32_t i = 0; i < count; i++)
      for (uint32_t j = 0; j < submits[i].signalSemaphoreInfoCount; j++)
         timeline_signal |= submits[i].pSignalSemaphoreInfos[j].value != 0;
   struct device_entry *d = device_of(queue);
   if (refused(d, timeline_signal, fence))
      return VK_ERROR_DEVICE_LOST;
   return d->submit2(queue, count, submits, fence);
}

static bool lost(struct device_entry *d)
{
   pthread_mutex_lock(&lock);
   bool l = d->lost;
   pthread_mutex_unlock(&lock);
   return l;
}

static VKAPI_ATTR VkResult VKAPI_CALL QueueWaitIdle(VkQueue queue)
{
   struct device_entry *d = device_of(queue);
   VkResult res = d->queue_wait_idle(queue);
   return lost(d) ? VK_ERROR_DEVICE_LOST : res;
}

static VKAPI_ATTR VkResult VKAPI_CALL DeviceWaitIdle(VkDevice device)
{
   struct device_entry *d = device_of(device);
   VkResult res = d->device_wait_idle(device);
   return lost(d) ? VK_ERROR_DEVICE_LOST : res;
}

static VKAPI_ATTR void VKAPI_CALL DestroyDevice(VkDevice device, const VkAllocationCallbacks *a)
{
   pthread_mutex_lock(&lock);
   struct device_entry *d = device_locked(key_of(device));
   struct device_entry gone = *d;
   *d = (struct device_entry){0};
   pthread_mutex_unlock(&lock);
   gone.destroy(device, a);
}

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL GetDeviceProcAddr(VkDevice device,
                                                                  const char *name);

/* The device-level hooks by name. */
static PFN_vkVoidFunction device_hook(const char *name)
{
   static const struct {
      const char *name;
      PFN_vkVoidFunction fn;
   } hooks[] = {
      {"vkGetDeviceProcAddr", (PFN_vkVoidFunction)GetDeviceProcAddr},
      {"vkDestroyDevice", (PFN_vkVoidFunction)DestroyDevice},
      {"vkQueueSubmit", (PFN_vkVoidFunction)QueueSubmit},
      {"vkQueueSubmit2", (PFN_vkVoidFunction)QueueSubmit2},
      {"vkQueueSubmit2KHR", (PFN_vkVoidFunction)QueueSubmit2},
      {"vkQueueWaitIdle", (PFN_vkVoidFunction)QueueWaitIdle},
      {"vkDeviceWaitIdle", (PFN_vkVoidFunction)DeviceWaitIdle},
   };
   for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
      if (!strcmp(name, hooks[i].name))
         return hooks[i].fn;
   return NULL;
}

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL GetDeviceProcAddr(VkDevice device, const char *name)
{
   struct device_entry *d = device_of(device);
   PFN_vkVoidFunction next = d->gdpa(device, name);
   PFN_vkVoidFunction hook = device_hook(name);
   return next && hook ? hook : next;
}

/* The loader's link to the next layer in a create info's chain: VkLayerInstanceCreateInfo and
 * VkLayerDeviceCreateInfo both start with sType, pNext and function (vk_layer.h). */
static void *link_info(const void *chain, VkStructureType type)
{
   for (VkLayerInstanceCreateInfo *l = (VkLayerInstanceCreateInfo *)chain; l;
        l = (VkLayerInstanceCreateInfo *)l->pNext)
      if (l->sType == type && l->function == VK_LAYER_LINK_INFO)
         return l;
   return NULL;
}

static VKAPI_ATTR VkResult VKAPI_CALL CreateDevice(VkPhysicalDevice physical,
                                                   const VkDeviceCreateInfo *ci,
                                                   const VkAllocationCallbacks *a, VkDevice *device)
{
   VkLayerDeviceCreateInfo *link =
      link_info(ci->pNext, VK_STRUCTURE_TYPE_LOADER_DEVICE_CREATE_INFO);
   if (!link)
      return VK_ERROR_INITIALIZATION_FAILED;
   PFN_vkGetInstanceProcAddr gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
   PFN_vkGetDeviceProcAddr gdpa = link->u.pLayerInfo->pfnNextGetDeviceProcAddr;
   link->u.pLayerInfo = link->u.pLayerInfo->pNext;
   PFN_vkCreateDevice create = (PFN_vkCreateDevice)gipa(VK_NULL_HANDLE, "vkCreateDevice");
   VkResult res = create(physical, ci, a, device);
   if (res != VK_SUCCESS)
      return res;
   struct device_entry e = {
      .key = key_of(*device),
      .gdpa = gdpa,
      .destroy = (PFN_vkDestroyDevice)gdpa(*device, "vkDestroyDevice"),
      .submit = (PFN_vkQueueSubmit)gdpa(*device, "vkQueueSubmit"),
      .submit2 = (PFN_vkQueueSubmit2)gdpa(*device, "vkQueueSubmit2"),
      .queue_wait_idle = (PFN_vkQueueWaitIdle)gdpa(*device, "vkQueueWaitIdle"),
      .device_wait_idle = (PFN_vkDeviceWaitIdle)gdpa(*device, "vkDeviceWaitIdle"),
   };
   if (!e.submit2)
      e.submit2 = (PFN_vkQueueSubmit2)gdpa(*device, "vkQueueSubmit2KHR");
   pthread_mutex_lock(&lock);
   struct device_entry *free_slot = device_locked(NULL);
   if (free_slot)
      *free_slot = e;
   pthread_mutex_unlock(&lock);
   if (!free_slot) {
      e.destroy(*device, a);
      return VK_ERROR_TOO_MANY_OBJECTS;
   }
   return VK_SUCCESS;
}

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL GetInstanceProcAddr(VkInstance instance,
                                                                    const char *name);

static VKAPI_ATTR VkResult VKAPI_CALL CreateInstance(const VkInstanceCreateInfo *ci,
                                                     const VkAllocationCallbacks *a,
                                                     VkInstance *instance)
{
   VkLayerInstanceCreateInfo *link =
      link_info(ci->pNext, VK_STRUCTURE_TYPE_LOADER_INSTANCE_CREATE_INFO);
   if (!link)
      return VK_ERROR_INITIALIZATION_FAILED;
   PFN_vkGetInstanceProcAddr gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
   link->u.pLayerInfo = link->u.pLayerInfo->pNext;
   PFN_vkCreateInstance create = (PFN_vkCreateInstance)gipa(VK_NULL_HANDLE, "vkCreateInstance");
   VkResult res = create(ci, a, instance);
   if (res != VK_SUCCESS)
      return res;
   pthread_mutex_lock(&lock);
   struct instance_entry *free_slot = instance_locked(NULL);
   if (free_slot)
      *free_slot = (struct instance_entry){key_of(*instance), gipa};
   pthread_mutex_unlock(&lock);
   if (!free_slot) {
      ((PFN_vkDestroyInstance)gipa(*instance, "vkDestroyInstance"))(*instance, a);
      return VK_ERROR_TOO_MANY_OBJECTS;
   }
   return VK_SUCCESS;
}

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL GetInstanceProcAddr(VkInstance instance,
                                                                    const char *name)
{
   if (!strcmp(name, "vkGetInstanceProcAddr"))
      return (PFN_vkVoidFunction)GetInstanceProcAddr;
   if (!strcmp(name, "vkCreateInstance"))
      return (PFN_vkVoidFunction)CreateInstance;
   if (!strcmp(name, "vkCreateDevice"))
      return (PFN_vkVoidFunction)CreateDevice;
   PFN_vkVoidFunction hook = device_hook(name);
   if (hook)
      return hook;
   pthread_mutex_lock(&lock);
   struct instance_entry *e = instance ? instance_locked(key_of(instance)) : NULL;
   PFN_vkGetInstanceProcAddr gipa = e ? e->gipa : NULL;
   pthread_mutex_unlock(&lock);
   return gipa ? gipa(instance, name) : NULL;
}

EXPORT VKAPI_ATTR VkResult VKAPI_CALL
vkNegotiateLoaderLayerInterfaceVersion(VkNegotiateLayerInterface *v)
{
   if (v->loaderLayerInterfaceVersion < 2)
      return VK_ERROR_INITIALIZATION_FAILED;
   v->loaderLayerInterfaceVersion = 2;
   v->pfnGetInstanceProcAddr = GetInstanceProcAddr;
   v->pfnGetDeviceProcAddr = GetDeviceProcAddr;
   v->pfnGetPhysicalDeviceProcAddr = NULL;
   return VK_SUCCESS;
}
