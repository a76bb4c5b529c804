#include "pm4d_amdgpu_device.h"
#include "pm4d_alloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_amdgpu_pool.h"
#include "pm4d_index.h"

#define PM4D_AMDGPU_MAX_DRM_DEVICES 64
#define PM4D_AMDGPU_PCI_VENDOR_ATI  0x1002
#define PM4D_AMDGPU_NODE_PATH_MAX   256
#define PM4D_AMDGPU_CODE_ALIGN      256
#define PM4D_AMDGPU_MIN_DRM_MINOR   32

struct pm4d_amdgpu_code {
   const void *image;
   uint64_t va;
};

struct pm4d_amdgpu_import {
   uint64_t key; /* first: import_index's key */
   amdgpu_bo_handle bo;
   uint32_t kms_handle;
};

struct pm4d_amdgpu_device {
   const struct pm4d_drm_ops *ops;
   amdgpu_device_handle handle;
   int fd;
   uint32_t drm_major, drm_minor;
   struct pm4d_amdgpu_target target;
   uint32_t ib_start_align, ib_size_align; /* bytes, the compute IP's */
   uint32_t compute_units;                 /* amdgpu_gpu_info.cu_active_number (libdrm amdgpu.h) */
   struct pm4d_amdgpu_pool code_pool;
   /* lock guards the two caches below; queues on several threads share them. */
   pthread_mutex_t lock;
   struct pm4d_amdgpu_code *codes;
   size_t code_count, code_cap;
   /* Looked up per buffer of every batch whose buffers changed: by key through import_index,
    * the same cost however many memories the app has. */
   struct pm4d_amdgpu_import *imports;
   size_t import_count, import_cap;
   struct pm4d_index import_index;
   uint32_t import_changes; /* imports made and dropped: queues' BO lists follow it */
};

static bool align_ok(uint32_t bytes)
{
   return bytes >= 4 && bytes <= PM4D_AMDGPU_IB_ALIGN_MAX && (bytes & (bytes - 1)) == 0;
}

/* Room for one more element in a growable array. */
static bool pm4d_amdgpu_reserve(void **array, size_t *cap, size_t count, size_t elem)
{
   if (count < *cap)
      return true;
   size_t new_cap = *cap ? *cap * 2 : 16;
   void *p = pm4d_realloc(*array, new_cap * elem);
   if (!p)
      return false;
   *array = p;
   *cap = new_cap;
   return true;
}

/* The render node path of the AMD GPU at addr. */
static enum pm4d_amdgpu_status pm4d_amdgpu_find_node(const struct pm4d_drm_ops *ops,
                                                     struct pm4d_pci_addr addr, char *path,
                                                     size_t path_size, char *why, size_t why_size)
{
   drmDevicePtr devs[PM4D_AMDGPU_MAX_DRM_DEVICES];
   int n = ops->get_devices2(0, devs, PM4D_AMDGPU_MAX_DRM_DEVICES);
   if (n < 0)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_NO_DEVICE, "no amdgpu device: drmGetDevices2: %s",
                       strerror(-n));

   enum pm4d_amdgpu_status st =
      pm4d_fail(why, why_size, PM4D_AMDGPU_NO_DEVICE,
                "no amdgpu device: no DRM device at PCI %04x:%02x:%02x.%x (%d seen)", addr.domain,
                addr.bus, addr.dev, addr.func, n);
   for (int i = 0; i < n; i++) {
      const drmDevice *d = devs[i];
      if (d->bustype != DRM_BUS_PCI || d->businfo.pci->domain != addr.domain ||
          d->businfo.pci->bus != addr.bus || d->businfo.pci->dev != addr.dev ||
          d->businfo.pci->func != addr.func)
         continue;
      if (d->deviceinfo.pci->vendor_id != PM4D_AMDGPU_PCI_VENDOR_ATI) {
         pm4d_reason_set(why, why_size, "no amdgpu device: PCI %04x:%02x:%02x.%x is vendor 0x%04x",
                         addr.domain, addr.bus, addr.dev, addr.func, d->deviceinfo.pci->vendor_id);
         break;
      }
      if (!(d->available_nodes & (1 << DRM_NODE_RENDER))) {
         pm4d_reason_set(why, why_size,
                         "no amdgpu device: PCI %04x:%02x:%02x.%x has no render node", addr.domain,
                         addr.bus, addr.dev, addr.func);
         break;
      }
      snprintf(path, path_size, "%s", d->nodes[DRM_NODE_RENDER]);
      st = PM4D_AMDGPU_OK;
      break;
   }
   ops->free_devices(devs, n);
   return st;
}

enum pm4d_amdgpu_status pm4d_amdgpu_device_probe(const struct pm4d_drm_ops *ops,
                                                 struct pm4d_pci_addr addr,
                                                 struct pm4d_amdgpu_device **out, char *why,
                                                 size_t why_size)
{
   char path[PM4D_AMDGPU_NODE_PATH_MAX];
   struct amdgpu_gpu_info info;
   uint32_t major, minor;
   uint64_t timeline = 0;
   enum pm4d_amdgpu_status st;
   int r;

   *out = NULL;
   st = pm4d_amdgpu_find_node(ops, addr, path, sizeof(path), why, why_size);
   if (st != PM4D_AMDGPU_OK)
      return st;

   struct pm4d_amdgpu_device *dev = pm4d_calloc(1, sizeof(*dev));
   if (!dev)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_OUT_OF_HOST_MEMORY, "device struct");
   dev->ops = ops;

   int fd = ops->open_node(path);
   if (fd < 0) {
      st =
         pm4d_fail(why, why_size, PM4D_AMDGPU_NO_DEVICE, "no amdgpu device: cannot open %s", path);
      goto fail;
   }
   /* In-process this finds the device RADV already initialized on the same GPU and returns
    * it (libdrm amdgpu_device.c: amdgpu_device_initialize dedupes by the primary node name,
    * fd_compare), so we share its DRM file and GPU VM; otherwise libdrm makes a new device on
    * a dup of our fd, with a VM of its own in which RADV's addresses mean nothing. */
   r = ops->device_initialize(fd, &major, &minor, &dev->handle);
   if (r) {
      ops->close_node(fd);
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_NO_DEVICE,
                     "no amdgpu device: %s is not driven by amdgpu (%s)", path, strerror(-r));
      goto fail;
   }
   dev->fd = ops->device_get_fd(dev->handle);
   r = ops->same_file(fd, dev->fd);
   ops->close_node(fd); /* libdrm keeps its own dup */
   if (r != 0) {
      st = r > 0 ? pm4d_fail(why, why_size, PM4D_AMDGPU_NOT_SHARED,
                             "%s: libdrm made a new device on the layer's own DRM file "
                             "instead of returning the driver's: no shared GPU VM",
                             path)
                 : pm4d_fail(why, why_size, PM4D_AMDGPU_NOT_SHARED,
                             "%s: cannot tell whether the driver's DRM file is shared "
                             "(kcmp: %s)",
                             path, strerror(-r));
      goto fail_dev;
   }
   dev->drm_major = major;
   dev->drm_minor = minor;

   /* amdgpu_drv.c's version history: BO_HANDLES chunk 3.27, timeline syncobj chunks 3.32. */
   r = ops->get_cap(dev->fd, DRM_CAP_SYNCOBJ_TIMELINE, &timeline);
   if (r || !timeline || major != 3 || minor < PM4D_AMDGPU_MIN_DRM_MINOR) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_UNSUPPORTED_KERNEL,
                     "%s: DRM %u.%u has no timeline syncobjs in AMDGPU_CS (needs 3.32)", path,
                     major, minor);
      goto fail_dev;
   }

   r = ops->query_gpu_info(dev->handle, &info);
   if (r) {
      st =
         pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_query_gpu_info: %s", strerror(-r));
      goto fail_dev;
   }
   if (!pm4d_amdgpu_target_identify(info.family_id, info.chip_external_rev, &dev->target)) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_UNSUPPORTED_TARGET,
                     "%s: family %u external revision 0x%x is not a supported target "
                     "(gfx900, gfx90a, gfx1030-gfx1036, gfx1100-gfx1103)",
                     path, info.family_id, info.chip_external_rev);
      goto fail_dev;
   }
   dev->compute_units = info.cu_active_number;

   /* IB alignment as the kernel reports it for compute (uapi drm_amdgpu_info_hw_ip
    * ib_start_alignment / ib_size_alignment, bytes; amdgpu_kms.c reports 32 and 32). */
   struct drm_amdgpu_info_hw_ip ip;
   r = ops->query_hw_ip_info(dev->handle, AMDGPU_HW_IP_COMPUTE, 0, &ip);
   if (r) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_query_hw_ip_info: %s",
                     strerror(-r));
      goto fail_dev;
   }
   if (!align_ok(ip.ib_start_alignment) || !align_ok(ip.ib_size_alignment)) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_UNSUPPORTED_KERNEL,
                     "%s: compute IB alignment %u / %u bytes (start / size) is not a power "
                     "of two in 4..%u",
                     path, ip.ib_start_alignment, ip.ib_size_alignment, PM4D_AMDGPU_IB_ALIGN_MAX);
      goto fail_dev;
   }
   dev->ib_start_align = ip.ib_start_alignment;
   dev->ib_size_align = ip.ib_size_alignment;

   st = pm4d_amdgpu_pool_create(ops, dev->handle, PM4D_AMDGPU_CODE_POOL_BYTES,
                                AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_EXECUTABLE,
                                &dev->code_pool, why, why_size);
   if (st != PM4D_AMDGPU_OK)
      goto fail_dev;
   pthread_mutex_init(&dev->lock, NULL);
   *out = dev;
   return PM4D_AMDGPU_OK;

fail_dev:
   ops->device_deinitialize(dev->handle);
fail:
   free(dev);
   return st;
}

void pm4d_amdgpu_device_destroy(struct pm4d_amdgpu_device *dev)
{
   if (!dev)
      return;
   for (size_t i = 0; i < dev->import_count; i++)
      if (dev->imports[i].bo)
         dev->ops->bo_free(dev->imports[i].bo);
   free(dev->imports);
   pm4d_index_finish(&dev->import_index);
   free(dev->codes);
   pm4d_amdgpu_pool_destroy(&dev->code_pool);
   pthread_mutex_destroy(&dev->lock);
   dev->ops->device_deinitialize(dev->handle);
   free(dev);
}

uint32_t pm4d_amdgpu_device_compute_units(const struct pm4d_amdgpu_device *dev)
{
   return dev->compute_units;
}

const struct pm4d_amdgpu_target *pm4d_amdgpu_device_target(const struct pm4d_amdgpu_device *dev)
{
   return &dev->target;
}

void pm4d_amdgpu_device_ib_align(const struct pm4d_amdgpu_device *dev, uint32_t *start_bytes,
                                 uint32_t *size_bytes)
{
   *start_bytes = dev->ib_start_align;
   *size_bytes = dev->ib_size_align;
}

const struct pm4d_drm_ops *pm4d_amdgpu_device_ops(const struct pm4d_amdgpu_device *dev)
{
   return dev->ops;
}

amdgpu_device_handle pm4d_amdgpu_device_handle(const struct pm4d_amdgpu_device *dev)
{
   return dev->handle;
}

int pm4d_amdgpu_device_fd(const struct pm4d_amdgpu_device *dev)
{
   return dev->fd;
}

void pm4d_amdgpu_device_drm_version(const struct pm4d_amdgpu_device *dev, uint32_t *major,
                                    uint32_t *minor)
{
   *major = dev->drm_major;
   *minor = dev->drm_minor;
}

uint32_t pm4d_amdgpu_device_code_handle(const struct pm4d_amdgpu_device *dev)
{
   return dev->code_pool.kms_handle;
}

enum pm4d_amdgpu_status pm4d_amdgpu_device_upload_code(struct pm4d_amdgpu_device *dev,
                                                       const void *image, size_t size, uint64_t *va,
                                                       char *why, size_t why_size)
{
   enum pm4d_amdgpu_status st = PM4D_AMDGPU_OK;
   struct pm4d_amdgpu_span span;

   if (!image || size == 0)
      return pm4d_fail(why, why_size, PM4D_AMDGPU_INVALID_ARGUMENT, "empty code-object image");
   pthread_mutex_lock(&dev->lock);
   for (size_t i = 0; i < dev->code_count; i++) {
      if (dev->codes[i].image == image) {
         *va = dev->codes[i].va;
         goto out;
      }
   }
   if (!pm4d_amdgpu_reserve((void **)&dev->codes, &dev->code_cap, dev->code_count,
                            sizeof(dev->codes[0]))) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_OUT_OF_HOST_MEMORY, "code cache");
      goto out;
   }
   /* Never given back: code stays for the device's lifetime. */
   st = pm4d_amdgpu_pool_alloc(&dev->code_pool, size, PM4D_AMDGPU_CODE_ALIGN, &span, why, why_size);
   if (st != PM4D_AMDGPU_OK)
      goto out;
   memcpy(span.cpu, image, size);
   dev->codes[dev->code_count].image = image;
   dev->codes[dev->code_count].va = span.va;
   dev->code_count++;
   *va = span.va;
out:
   pthread_mutex_unlock(&dev->lock);
   return st;
}

static struct pm4d_amdgpu_import *pm4d_amdgpu_find_import_locked(struct pm4d_amdgpu_device *dev,
                                                                 uint64_t key)
{
   uint32_t at = pm4d_index_find(&dev->import_index, dev->imports, sizeof(*dev->imports), key);
   return at != UINT32_MAX ? &dev->imports[at] : NULL;
}

/* Appends an import the kernel made (index room reserved): nothing can fail after it. */
static void pm4d_amdgpu_add_import_locked(struct pm4d_amdgpu_device *dev,
                                          struct pm4d_amdgpu_import imp)
{
   pm4d_index_add(&dev->import_index, imp.key, (uint32_t)dev->import_count);
   dev->imports[dev->import_count++] = imp;
   dev->import_changes++;
}

enum pm4d_amdgpu_status pm4d_amdgpu_device_import(struct pm4d_amdgpu_device *dev, uint64_t key,
                                                  int dmabuf_fd, char *why, size_t why_size)
{
   enum pm4d_amdgpu_status st = PM4D_AMDGPU_OK;
   struct amdgpu_bo_import_result res;
   uint32_t kms;
   int r;

   pthread_mutex_lock(&dev->lock);
   if (pm4d_amdgpu_find_import_locked(dev, key))
      goto out;
   if (!pm4d_amdgpu_reserve((void **)&dev->imports, &dev->import_cap, dev->import_count,
                            sizeof(dev->imports[0])) ||
       dev->import_count >= UINT32_MAX / 4 ||
       !pm4d_index_reserve(&dev->import_index, dev->imports, sizeof(*dev->imports),
                           (uint32_t)dev->import_count, (uint32_t)dev->import_count + 1)) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_OUT_OF_HOST_MEMORY, "import cache");
      goto out;
   }
   if (dmabuf_fd < 0) {
      /* Always valid in the shared VM: nothing to import, nothing to list. */
      pm4d_amdgpu_add_import_locked(dev, (struct pm4d_amdgpu_import){key, NULL, 0});
      goto out;
   }
   /* The driver's BO on the same DRM file: the kernel returns its GEM handle and libdrm its
    * existing amdgpu_bo (with a reference), so nothing is mapped twice. */
   r =
      dev->ops->bo_import(dev->handle, amdgpu_bo_handle_type_dma_buf_fd, (uint32_t)dmabuf_fd, &res);
   if (r) {
      st = pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_bo_import(dma-buf fd %d): %s",
                     dmabuf_fd, strerror(-r));
      goto out;
   }
   r = dev->ops->bo_export(res.buf_handle, amdgpu_bo_handle_type_kms, &kms);
   if (r) {
      dev->ops->bo_free(res.buf_handle);
      st =
         pm4d_fail(why, why_size, PM4D_AMDGPU_DRM_ERROR, "amdgpu_bo_export(kms): %s", strerror(-r));
      goto out;
   }
   pm4d_amdgpu_add_import_locked(dev, (struct pm4d_amdgpu_import){key, res.buf_handle, kms});
out:
   pthread_mutex_unlock(&dev->lock);
   return st;
}

void pm4d_amdgpu_device_forget(struct pm4d_amdgpu_device *dev, uint64_t key)
{
   pthread_mutex_lock(&dev->lock);
   struct pm4d_amdgpu_import *imp = pm4d_amdgpu_find_import_locked(dev, key);
   if (imp) {
      if (imp->bo)
         dev->ops->bo_free(imp->bo);
      *imp = dev->imports[--dev->import_count];
      pm4d_index_rebuild(&dev->import_index, dev->imports, sizeof(*dev->imports),
                         (uint32_t)dev->import_count); /* moved */
      dev->import_changes++;
   }
   pthread_mutex_unlock(&dev->lock);
}

uint32_t pm4d_amdgpu_device_import_changes(struct pm4d_amdgpu_device *dev)
{
   pthread_mutex_lock(&dev->lock);
   uint32_t n = dev->import_changes;
   pthread_mutex_unlock(&dev->lock);
   return n;
}

enum pm4d_amdgpu_status pm4d_amdgpu_device_bo_handles(struct pm4d_amdgpu_device *dev,
                                                      const uint64_t *keys, uint32_t n,
                                                      uint32_t *kms_handles, char *why,
                                                      size_t why_size)
{
   enum pm4d_amdgpu_status st = PM4D_AMDGPU_OK;
   pthread_mutex_lock(&dev->lock);
   for (uint32_t i = 0; i < n && st == PM4D_AMDGPU_OK; i++) {
      const struct pm4d_amdgpu_import *imp = pm4d_amdgpu_find_import_locked(dev, keys[i]);
      if (imp)
         kms_handles[i] = imp->kms_handle;
      else
         st = pm4d_fail(why, why_size, PM4D_AMDGPU_INVALID_ARGUMENT,
                        "buffer 0x%llx is not imported", (unsigned long long)keys[i]);
   }
   pthread_mutex_unlock(&dev->lock);
   return st;
}

enum pm4d_amdgpu_status pm4d_amdgpu_device_bo_handle(struct pm4d_amdgpu_device *dev, uint64_t key,
                                                     uint32_t *kms_handle, char *why,
                                                     size_t why_size)
{
   return pm4d_amdgpu_device_bo_handles(dev, &key, 1, kms_handle, why, why_size);
}
