#include "pm4d_vk_state.h"

#include "pm4d_config.h"
#include "pm4d_stats.h"

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
/* Values are tagged: bit 0 set for devices (both structs are at least 8-byte aligned). */
static struct pm4d_map state_map;
static unsigned live_instances, live_devices;
/* Adds promised by pm4d_vk_state_reserve: the map always has room for all of them. */
static unsigned reserved;

_Atomic uint64_t pm4d_vk_state_generation;

void pm4d_vk_state_lock(void)
{
   pthread_mutex_lock(&state_lock);
}

void pm4d_vk_state_unlock(void)
{
   pthread_mutex_unlock(&state_lock);
}

void pm4d_vk_state_gauges(struct pm4d_stats_gauges *g)
{
   pm4d_vk_state_lock();
   g->disabled = pm4d_config_get()->disable;
   g->live_instances = live_instances;
   g->live_devices = live_devices;
   pm4d_vk_state_unlock();
}

bool pm4d_vk_state_reserve(void)
{
   pm4d_vk_state_lock();
   bool ok = pm4d_map_reserve(&state_map, reserved + 1);
   reserved += ok;
   pm4d_vk_state_unlock();
   return ok;
}

void pm4d_vk_state_unreserve(void)
{
   pm4d_vk_state_lock();
   reserved--;
   pm4d_vk_state_unlock();
}

static bool add(uint64_t key, void *tagged, unsigned *live)
{
   pm4d_vk_state_lock();
   bool ok = pm4d_map_put(&state_map, key, tagged);
   reserved--;
   if (ok)
      (*live)++;
   pm4d_vk_state_unlock();
   /* The unload report needs the gauges; registering again is harmless. */
   pm4d_stats_set_gauges_source(pm4d_vk_state_gauges);
   return ok;
}

bool pm4d_vk_state_add_instance(struct pm4d_vk_instance *inst)
{
   return add(pm4d_vk_dispatch_key(inst->handle), inst, &live_instances);
}

bool pm4d_vk_state_add_device(struct pm4d_vk_device *dev)
{
   return add(pm4d_vk_dispatch_key(dev->handle), (void *)((uintptr_t)dev | 1), &live_devices);
}

static void *lookup(const void *dispatchable, uintptr_t tag)
{
   pm4d_vk_state_lock();
   uintptr_t v = (uintptr_t)pm4d_map_get(&state_map, pm4d_vk_dispatch_key(dispatchable));
   pm4d_vk_state_unlock();
   return (v & 1) == tag ? (void *)(v & ~(uintptr_t)1) : NULL;
}

struct pm4d_vk_instance *pm4d_vk_state_instance(const void *dispatchable)
{
   return lookup(dispatchable, 0);
}

struct pm4d_vk_device *pm4d_vk_state_device(const void *dispatchable)
{
   return lookup(dispatchable, 1);
}

static void *take(const void *dispatchable, uintptr_t tag, unsigned *live)
{
   uint64_t key = pm4d_vk_dispatch_key(dispatchable);
   pm4d_vk_state_lock();
   uintptr_t v = (uintptr_t)pm4d_map_get(&state_map, key);
   if (v && (v & 1) == tag) {
      pm4d_map_take(&state_map, key);
      (*live)--;
   } else {
      v = 0;
   }
   if (live_instances == 0 && live_devices == 0)
      pm4d_map_finish(&state_map);
   pm4d_vk_state_unlock();
   return (void *)(v & ~(uintptr_t)1);
}

struct pm4d_vk_instance *pm4d_vk_state_take_instance(VkInstance instance)
{
   return take(instance, 0, &live_instances);
}

struct pm4d_vk_device *pm4d_vk_state_take_device(VkDevice device)
{
   struct pm4d_vk_device *dev = take(device, 1, &live_devices);
   pm4d_vk_state_bump_generation();
   return dev;
}

VkResult pm4d_vk_device_set_loader_data(struct pm4d_vk_device *dev, void *object)
{
   if (!dev->set_loader_data)
      return VK_ERROR_INITIALIZATION_FAILED;
   return dev->set_loader_data(dev->handle, object);
}
