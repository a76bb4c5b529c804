/* One AMD GPU as the amdgpu back end sees it: the driver's own libdrm_amdgpu device (shared
 * in-process, so buffer device addresses are valid in our submissions), its target, the code
 * pool with the uploaded kernels, and the cache of imported application buffers. */
#ifndef PM4D_AMDGPU_DEVICE_H
#define PM4D_AMDGPU_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "pm4d_amdgpu_status.h"
#include "pm4d_amdgpu_target.h"
#include "pm4d_drm_ops.h"

/* VK_EXT_pci_bus_info's VkPhysicalDevicePCIBusInfoPropertiesEXT, as drmPciBusInfo holds it. */
struct pm4d_pci_addr {
   uint16_t domain;
   uint8_t bus, dev, func;
};

#define PM4D_AMDGPU_CODE_POOL_BYTES (4u << 20)
/* Largest IB alignment accepted from the kernel (a batch pads up to it). */
#define PM4D_AMDGPU_IB_ALIGN_MAX 256u

struct pm4d_amdgpu_device;

/* Finds the render node at addr, shares the driver's amdgpu device on it (NOT_SHARED unless
 * libdrm handed back a device on another DRM file than the one the probe opened: the driver's)
 * and identifies the target. Pass-through results (pm4d_amdgpu_status_is_passthrough) say why
 * in why: the caller logs that once and runs the device through the driver. */
enum pm4d_amdgpu_status pm4d_amdgpu_device_probe(const struct pm4d_drm_ops *ops,
                                                 struct pm4d_pci_addr addr,
                                                 struct pm4d_amdgpu_device **out, char *why,
                                                 size_t why_size);
void pm4d_amdgpu_device_destroy(struct pm4d_amdgpu_device *dev);

const struct pm4d_amdgpu_target *pm4d_amdgpu_device_target(const struct pm4d_amdgpu_device *dev);
/* Active compute units, as the kernel reports them (amdgpu_query_gpu_info). */
uint32_t pm4d_amdgpu_device_compute_units(const struct pm4d_amdgpu_device *dev);
const struct pm4d_drm_ops *pm4d_amdgpu_device_ops(const struct pm4d_amdgpu_device *dev);
/* The compute IB start and size alignment the kernel reported (bytes). */
void pm4d_amdgpu_device_ib_align(const struct pm4d_amdgpu_device *dev, uint32_t *start_bytes,
                                 uint32_t *size_bytes);
amdgpu_device_handle pm4d_amdgpu_device_handle(const struct pm4d_amdgpu_device *dev);
/* The shared DRM fd (libdrm's); syncobj handles used in submissions live on it. */
int pm4d_amdgpu_device_fd(const struct pm4d_amdgpu_device *dev);
/* The amdgpu DRM interface version the kernel reported (drmGetVersion through libdrm). */
void pm4d_amdgpu_device_drm_version(const struct pm4d_amdgpu_device *dev, uint32_t *major,
                                    uint32_t *minor);

/* Copies a loaded code-object image into the device's executable code pool once; later calls
 * with the same image pointer (embedded images are static) return the same address. The base
 * is 256-byte aligned, as COMPUTE_PGM_LO requires. */
enum pm4d_amdgpu_status pm4d_amdgpu_device_upload_code(struct pm4d_amdgpu_device *dev,
                                                       const void *image, size_t size, uint64_t *va,
                                                       char *why, size_t why_size);

/* Imports an application buffer exported as a dma-buf (amdgpu_bo_import) under the caller's key
 * (its VkDeviceMemory), once; the fd stays the caller's. Later submissions name the key.
 * dmabuf_fd < 0: the caller vouches that the buffer is always valid in the shared VM
 * (AMDGPU_GEM_CREATE_VM_ALWAYS_VALID: resident for every submission on the VM); it is known
 * under key but never listed. */
enum pm4d_amdgpu_status pm4d_amdgpu_device_import(struct pm4d_amdgpu_device *dev, uint64_t key,
                                                  int dmabuf_fd, char *why, size_t why_size);
/* Drops the import of key (at vkFreeMemory); unknown keys are ignored. */
void pm4d_amdgpu_device_forget(struct pm4d_amdgpu_device *dev, uint64_t key);
/* The GEM handle of an imported key, for BO lists; 0 for an always-valid one (not listed). */
enum pm4d_amdgpu_status pm4d_amdgpu_device_bo_handle(struct pm4d_amdgpu_device *dev, uint64_t key,
                                                     uint32_t *kms_handle, char *why,
                                                     size_t why_size);
/* The same for keys[0, n) into kms_handles, under one hold of the device's lock (a batch's
 * buffers); INVALID_ARGUMENT naming the first key not imported. */
enum pm4d_amdgpu_status pm4d_amdgpu_device_bo_handles(struct pm4d_amdgpu_device *dev,
                                                      const uint64_t *keys, uint32_t n,
                                                      uint32_t *kms_handles, char *why,
                                                      size_t why_size);
/* How many times imports were made or dropped: while it stays the same, every key's GEM handle
 * does too. */
uint32_t pm4d_amdgpu_device_import_changes(struct pm4d_amdgpu_device *dev);
/* The code pool's GEM handle: every submission lists it. */
uint32_t pm4d_amdgpu_device_code_handle(const struct pm4d_amdgpu_device *dev);

#endif
