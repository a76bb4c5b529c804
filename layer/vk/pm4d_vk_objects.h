/* Records of the objects a device tracks, and the helpers that add and drop them. Records
 * live in dev->objects[kind], keyed by handle; an object without a record is untracked (bad
 * input, unknown pNext, allocation failure) and can never be redirected. */
#ifndef PM4D_VK_OBJECTS_H
#define PM4D_VK_OBJECTS_H

#include <stdatomic.h>

#include "pm4d_conv2d_recognize.h"
#include "pm4d_counters.h"
#include "pm4d_log.h"
#include "pm4d_vk_state.h"

/* SPIR-V words shared by a shader module and the pipelines built from it. */
struct pm4d_vk_spirv {
   _Atomic uint32_t refs;
   uint32_t word_count;
   uint64_t hash;                     /* FNV-1a 64 of the bytes */
   uint8_t pt;                        /* pm4d_conv2d_recognize's answer (enum pm4d_conv2d_pt) */
   struct pm4d_conv2d_module *module; /* when pt is REDIRECT: fingerprint, spec defaults */
   uint32_t words[];
};

struct pm4d_vk_pipeline {
   struct pm4d_vk_spirv *spirv; /* the compute stage's code */
   VkPipelineLayout layout;
   char entry[64];
   /* Recognition: the table entry (NULL: pass-through for reason pt) and a copy of the
   * stage's specialization constants (spec.pMapEntries / pData point into this record). */
   const struct pm4d_shader_entry *conv2d;
   uint8_t pt;
   VkSpecializationInfo spec;
};

struct pm4d_vk_set_binding {
   uint32_t binding;
   VkDescriptorType type;
   uint32_t count;
   uint32_t first; /* index of its first element in pm4d_vk_descriptor_set.descriptors */
};

struct pm4d_vk_set_layout {
   uint32_t binding_count;
   uint32_t descriptor_count;
   struct pm4d_vk_set_binding bindings[]; /* sorted by binding number */
};

#define PM4D_VK_MAX_SETS 8

struct pm4d_vk_pipeline_layout {
   uint32_t set_count;
   VkDescriptorSetLayout sets[PM4D_VK_MAX_SETS];
   uint32_t push_constant_bytes; /* end of the highest push-constant range */
};

/* One descriptor element; buffer is VK_NULL_HANDLE for non-buffer types and unwritten ones. */
struct pm4d_vk_descriptor {
   VkBuffer buffer;
   VkDeviceSize offset;
   VkDeviceSize range;
};

struct pm4d_vk_descriptor_set {
   VkDescriptorPool pool;
   struct pm4d_vk_set_layout *layout; /* a copy: the app may destroy its layout */
   struct pm4d_vk_descriptor descriptors[];
};

struct pm4d_vk_update_template {
   uint32_t entry_count;
   VkDescriptorUpdateTemplateEntry entries[];
};

struct pm4d_vk_buffer {
   VkDeviceSize size;
   VkBufferUsageFlags usage;
   VkDeviceMemory memory;
   VkDeviceSize memory_offset;
   /* amdgpu: its device address, taken at bind when jobs may use it (SHADER_DEVICE_ADDRESS
    * usage, registered memory placed there: pm4d_vk_objects.c place_memory); 0: none. */
   uint64_t address;
};

struct pm4d_vk_memory {
   VkDeviceSize size;
   uint32_t type_index;
   void *mapped; /* host pointer of the mapped range start, or NULL */
   VkDeviceSize map_offset;
   /* Devices with a host-address back end (sim): the layer's own mapping of the whole
   * allocation, registered with the direct path; app maps return pointers into it. */
   void *host;
   bool registered;     /* jobs may use it: the direct path knows it */
   bool device_address; /* amdgpu: allocated with VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT */
};

/* Adds a record (dev->lock taken inside). On failure the record is released, the object is
 * counted as untracked and the reason logged once. */
void pm4d_vk_object_add(struct pm4d_vk_device *dev, enum pm4d_vk_object_kind kind, uint64_t handle,
                        void *record);
/* Drops the record of handle, if any. */
void pm4d_vk_object_remove(struct pm4d_vk_device *dev, enum pm4d_vk_object_kind kind,
                           uint64_t handle);
/* Frees a record of the given kind. */
void pm4d_vk_object_release(enum pm4d_vk_object_kind kind, void *record);
/* Frees every record of a device being destroyed. */
void pm4d_vk_objects_release_all(struct pm4d_vk_device *dev);

/* Counts an object the layer will not track and logs why (once per call site). */
#define PM4D_VK_UNTRACKED(...)                      \
   do {                                             \
      pm4d_counter_inc(PM4D_CTR_untracked_objects); \
      PM4D_LOG_ONCE(PM4D_LOG_WARN, __VA_ARGS__);    \
   } while (0)

/* True when every structure in the pNext chain has one of the known sTypes. */
bool pm4d_vk_pnext_known(const void *pNext, const VkStructureType *known, unsigned known_count);

/* Looks up the device or, if it is unknown, logs and returns ret from the calling hook. */
#define PM4D_VK_DEVICE_OR_RETURN(dev, handle, what, ret)                       \
   struct pm4d_vk_device *dev = pm4d_vk_state_device(handle);                  \
   if (!dev) {                                                                 \
      PM4D_LOG_ONCE(PM4D_LOG_ERROR, "%s: unknown device, call dropped", what); \
      return ret;                                                              \
   }

void pm4d_vk_spirv_unref(struct pm4d_vk_spirv *spirv);

#endif
