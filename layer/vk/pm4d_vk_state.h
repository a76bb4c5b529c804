/* Per-instance and per-device state, in one map keyed by the loader's dispatch key, behind
 * one lock. Functions ending in _locked expect pm4d_vk_state_lock() held. */
#ifndef PM4D_VK_STATE_H
#define PM4D_VK_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vk_layer.h>
#include <vulkan/vulkan.h>

#include "pm4d_map.h"
#include "pm4d_vk_hooks.h"

/* X(kind): non-dispatchable objects a device tracks, one map each (handles of different
 * types may be equal). Command buffers and queues are tracked here too, by handle. */
#define PM4D_VK_OBJECT_KINDS(X) \
   X(SHADER_MODULE)             \
   X(PIPELINE)                  \
   X(SET_LAYOUT)                \
   X(PIPELINE_LAYOUT)           \
   X(DESCRIPTOR_SET)            \
   X(UPDATE_TEMPLATE)           \
   X(BUFFER)                    \
   X(MEMORY)                    \
   X(COMMAND_BUFFER)            \
   X(COMMAND_POOL)              \
   X(QUEUE)

enum pm4d_vk_object_kind {
#define PM4D_VK_KIND_ENUM(kind) PM4D_VK_OBJ_##kind,
   PM4D_VK_OBJECT_KINDS(PM4D_VK_KIND_ENUM)
#undef PM4D_VK_KIND_ENUM
      PM4D_VK_OBJ_COUNT
};

struct pm4d_vk_instance {
   VkInstance handle;
   uint32_t api_version; /* the app's VkApplicationInfo::apiVersion (1.0 when none) */
   struct pm4d_vk_instance_table table;
};

struct pm4d_vk_redirect;

struct pm4d_vk_device {
   VkDevice handle;
   VkPhysicalDevice physical;
   struct pm4d_vk_device_table table;
   PFN_vkSetDeviceLoaderData set_loader_data;
   bool tracking; /* false with PM4DIRECT_DISABLE=1: hooks only forward */
   /* The direct path of a device with a back end (set at creation, gone at destruction);
   * NULL: pass-through. */
   struct pm4d_vk_redirect *redirect;
   /* Guards objects[]. Records are owned by their map; readers copy what they need while
   * holding the lock. */
   pthread_mutex_t lock;
   struct pm4d_map objects[PM4D_VK_OBJ_COUNT];
};

static inline uint64_t pm4d_vk_dispatch_key(const void *dispatchable)
{
   return (uint64_t)(uintptr_t) * (void *const *)dispatchable;
}

/* Global state lock (instance and device map). */
void pm4d_vk_state_lock(void);
void pm4d_vk_state_unlock(void);

/* Register / look up / remove by the dispatch key of a dispatchable handle. Add returns false
 * on allocation failure. */
/* Room for one add, taken before the driver creates the instance or device: once it exists a
 * failure could only be undone by destroying it again inside vkCreate*, which the loader does
 * not survive (it frees its own records a second time). Every reservation ends in exactly one
 * add (which uses it up) or one unreserve. */
bool pm4d_vk_state_reserve(void);
void pm4d_vk_state_unreserve(void);
bool pm4d_vk_state_add_instance(struct pm4d_vk_instance *inst);
bool pm4d_vk_state_add_device(struct pm4d_vk_device *dev);
struct pm4d_vk_instance *pm4d_vk_state_instance(const void *dispatchable);
struct pm4d_vk_device *pm4d_vk_state_device(const void *dispatchable);
struct pm4d_vk_instance *pm4d_vk_state_take_instance(VkInstance instance);
struct pm4d_vk_device *pm4d_vk_state_take_device(VkDevice device);

/* Live instance/device counts and mode, for the stats report. */
struct pm4d_stats_gauges;
void pm4d_vk_state_gauges(struct pm4d_stats_gauges *g);

/* Bumped whenever a device or a command buffer record goes away, so per-thread lookup
 * caches know to drop what they hold. */
extern _Atomic uint64_t pm4d_vk_state_generation;
static inline void pm4d_vk_state_bump_generation(void)
{
   atomic_fetch_add_explicit(&pm4d_vk_state_generation, 1, memory_order_release);
}

/* Sets the loader's dispatch data on a dispatchable object the layer creates itself (for
 * example a queue or command buffer of its own) so the loader's trampolines accept it. */
VkResult pm4d_vk_device_set_loader_data(struct pm4d_vk_device *dev, void *object);

#endif
