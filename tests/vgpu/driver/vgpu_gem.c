/* GEM objects: create, mmap, close, metadata, op, userptr, wait-idle and PRIME, from the
 * kernel's amdgpu_gem.c, amdgpu_dma_buf.c and drm_prime.c. A BO is a memfd, so the DRM fd's mmap,
 * a dma-buf fd (a dup of the memfd: one file, as the kernel's dma_buf), and lseek(SEEK_END)
 * all behave as on the real driver. */
#include "vgpu_ioctls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdrm/drm.h>

#define PAGE 4096ull
/* amdgpu_drm.h of kernel 6.1 (not in libdrm 2.4.114's copy) */
#define AMDGPU_GEM_CREATE_DISCARDABLE (1 << 12)

/* dma-buf registry: exported BOs by memfd inode. A dma-buf holds a reference on its GEM object
 * (drm_gem_prime_export); the model cannot see the last close of an fd copy, so an exported BO
 * stays alive until exit. */
static pthread_mutex_t dmabuf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vgpu_bo **dmabufs;
static unsigned n_dmabufs;

struct vgpu_bo *vgpu_dmabuf_lookup(uint64_t ino)
{
   struct vgpu_bo *bo = NULL;
   pthread_mutex_lock(&dmabuf_lock);
   for (unsigned i = 0; i < n_dmabufs && !bo; i++)
      if (dmabufs[i]->ino == ino)
         bo = vgpu_bo_ref(dmabufs[i]);
   pthread_mutex_unlock(&dmabuf_lock);
   return bo;
}

struct vgpu_bo *vgpu_bo_ref(struct vgpu_bo *bo)
{
   atomic_fetch_add(&bo->refs, 1);
   return bo;
}

static void account(struct vgpu_bo *bo, int64_t sign)
{
   struct vgpu_device *d = bo->dev;
   pthread_mutex_lock(&d->lock);
   if (bo->domains & AMDGPU_GEM_DOMAIN_VRAM) {
      d->vram_usage += sign * (int64_t)bo->size;
      if (bo->flags & AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED)
         d->vis_vram_usage += sign * (int64_t)bo->size;
   } else if (bo->domains & AMDGPU_GEM_DOMAIN_GTT) {
      d->gtt_usage += sign * (int64_t)bo->size;
   }
   pthread_mutex_unlock(&d->lock);
}

void vgpu_bo_unref(struct vgpu_bo *bo)
{
   if (!bo || atomic_fetch_sub(&bo->refs, 1) != 1)
      return;
   account(bo, -1);
   if (bo->memfd >= 0) {
      munmap(bo->cpu, bo->size);
      vgpu_real_close(bo->memfd);
   }
   free(bo);
}

/* A BO over memfd (owned) of size bytes, with its own mmap offset range. */
static struct vgpu_bo *bo_new(struct vgpu_device *dev, int memfd, uint64_t size)
{
   struct vgpu_bo *bo = calloc(1, sizeof(*bo));
   if (!bo)
      return NULL;
   void *cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, memfd, 0);
   struct stat st;
   if (cpu == MAP_FAILED || fstat(memfd, &st)) {
      if (cpu != MAP_FAILED)
         munmap(cpu, size);
      free(bo);
      return NULL;
   }
   atomic_init(&bo->refs, 1);
   bo->dev = dev;
   bo->size = size;
   bo->memfd = memfd;
   bo->cpu = cpu;
   bo->ino = st.st_ino;
   pthread_mutex_init(&bo->meta_lock, NULL);
   pthread_mutex_lock(&dev->lock);
   bo->mmap_pgoff = dev->next_mmap_pgoff;
   dev->next_mmap_pgoff += size / PAGE;
   pthread_mutex_unlock(&dev->lock);
   return bo;
}

static int add_handle(struct vgpu_file *f, struct vgpu_bo *bo, uint32_t *handle)
{
   pthread_mutex_lock(&f->lock);
   int r = vgpu_handle_alloc((void ***)&f->bos, &f->n_bos, bo, handle);
   pthread_mutex_unlock(&f->lock);
   return r;
}

/* amdgpu_gem.c amdgpu_gem_create_ioctl */
int vgpu_gem_create_ioctl(struct vgpu_file *f, void *arg)
{
   union drm_amdgpu_gem_create *args = arg;
   uint64_t flags = args->in.domain_flags, size = args->in.bo_size;
   uint32_t domains = args->in.domains;
   const struct drm_amdgpu_memory_info *mem = &f->dev->profile->mem;
   if (flags & ~(uint64_t)(AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED | AMDGPU_GEM_CREATE_NO_CPU_ACCESS |
                           AMDGPU_GEM_CREATE_CPU_GTT_USWC | AMDGPU_GEM_CREATE_VRAM_CLEARED |
                           AMDGPU_GEM_CREATE_VM_ALWAYS_VALID | AMDGPU_GEM_CREATE_EXPLICIT_SYNC |
                           AMDGPU_GEM_CREATE_ENCRYPTED | AMDGPU_GEM_CREATE_DISCARDABLE))
      return -EINVAL;
   if (domains & ~AMDGPU_GEM_DOMAIN_MASK)
      return -EINVAL;
   if (flags & AMDGPU_GEM_CREATE_ENCRYPTED) /* "TMZ is disabled" */
      return -EINVAL;
   if (domains & (AMDGPU_GEM_DOMAIN_GDS | AMDGPU_GEM_DOMAIN_GWS | AMDGPU_GEM_DOMAIN_OA)) {
      if (flags & AMDGPU_GEM_CREATE_VM_ALWAYS_VALID)
         return -EINVAL; /* "GDS bo cannot be per-vm-bo" */
      vgpu_log(0, "GDS/GWS/OA buffers are not modelled");
      return -EINVAL;
   }
   size = (size + PAGE - 1) & ~(PAGE - 1);
   /* amdgpu_object.c amdgpu_bo_validate_size: larger than the domain's heap -> -ENOMEM */
   uint64_t heap =
      (domains & AMDGPU_GEM_DOMAIN_VRAM) ? mem->vram.total_heap_size : mem->gtt.total_heap_size;
   if (!size)
      return -EINVAL;
   if (size > heap)
      return -ENOMEM;
   char name[32];
   snprintf(name, sizeof(name), "vgpu-bo");
   int fd = memfd_create(name, MFD_CLOEXEC);
   if (fd < 0)
      return -ENOMEM;
   if (ftruncate(fd, (off_t)size)) {
      vgpu_real_close(fd);
      return -ENOMEM;
   }
   struct vgpu_bo *bo = bo_new(f->dev, fd, size);
   if (!bo) {
      vgpu_real_close(fd);
      return -ENOMEM;
   }
   bo->alignment = args->in.alignment;
   bo->domains = domains;
   bo->flags = (uint32_t)flags;
   account(bo, 1);
   uint32_t handle;
   int r = add_handle(f, bo, &handle);
   if (r) {
      vgpu_bo_unref(bo);
      return r;
   }
   memset(&args->out, 0, sizeof(args->out));
   args->out.handle = handle;
   return 0;
}

/* amdgpu_gem.c amdgpu_mode_dumb_mmap: userptr and NO_CPU_ACCESS objects cannot be mapped. */
int vgpu_gem_mmap_ioctl(struct vgpu_file *f, void *arg)
{
   union drm_amdgpu_gem_mmap *args = arg;
   struct vgpu_bo *bo = vgpu_file_lookup_bo(f, args->in.handle);
   if (!bo)
      return -ENOENT;
   int r = 0;
   if (bo->memfd < 0 || (bo->flags & AMDGPU_GEM_CREATE_NO_CPU_ACCESS))
      r = -EPERM;
   else
      args->out.addr_ptr = bo->mmap_pgoff * PAGE;
   vgpu_bo_unref(bo);
   return r;
}

/* drm_gem.c drm_gem_mmap: the offset must fall in an object this file has a handle to and the
 * length must fit in it (drm_vma_offset_lookup_locked, drm_vma_node_is_allowed). */
void *vgpu_file_mmap(struct vgpu_file *f, void *addr, size_t len, int prot, int flags,
                     uint64_t offset)
{
   uint64_t pgoff = offset / PAGE, pages = (len + PAGE - 1) / PAGE;
   struct vgpu_bo *bo = NULL;
   pthread_mutex_lock(&f->lock);
   for (unsigned i = 0; i < f->n_bos && !bo; i++) {
      struct vgpu_bo *b = f->bos[i];
      if (b && b->memfd >= 0 && pgoff >= b->mmap_pgoff && pgoff < b->mmap_pgoff + b->size / PAGE)
         bo = vgpu_bo_ref(b);
   }
   pthread_mutex_unlock(&f->lock);
   if (!bo) {
      errno = EINVAL;
      return MAP_FAILED;
   }
   void *p = MAP_FAILED;
   if (pgoff + pages > bo->mmap_pgoff + bo->size / PAGE)
      errno = EINVAL;
   else if (bo->flags & AMDGPU_GEM_CREATE_NO_CPU_ACCESS) /* amdgpu_gem_object_mmap */
      errno = EPERM;
   else
      p = mmap(addr, len, prot, flags, bo->memfd, (off_t)((pgoff - bo->mmap_pgoff) * PAGE));
   vgpu_bo_unref(bo);
   return p;
}

/* drm_gem.c drm_gem_close_ioctl -> drm_gem_handle_delete (-EINVAL for an unknown handle);
 * amdgpu_gem_object_close removes the object's mappings from this file's VM. */
int vgpu_gem_close_ioctl(struct vgpu_file *f, void *arg)
{
   struct drm_gem_close *args = arg;
   pthread_mutex_lock(&f->lock);
   struct vgpu_bo *bo = vgpu_handle_get((void **)f->bos, f->n_bos, args->handle);
   if (bo) {
      f->bos[args->handle - 1] = NULL;
      vgpu_vm_bo_del_locked(f, bo, f->jobs_submitted);
   }
   pthread_mutex_unlock(&f->lock);
   if (!bo)
      return -EINVAL;
   vgpu_bo_unref(bo);
   return 0;
}

/* amdgpu_gem.c amdgpu_gem_metadata_ioctl with amdgpu_bo_set/get_metadata */
int vgpu_gem_metadata_ioctl(struct vgpu_file *f, void *arg)
{
   struct drm_amdgpu_gem_metadata *args = arg;
   struct vgpu_bo *bo = vgpu_file_lookup_bo(f, args->handle);
   if (!bo)
      return -ENOENT;
   int r = 0;
   pthread_mutex_lock(&bo->meta_lock);
   if (args->op == AMDGPU_GEM_METADATA_OP_GET_METADATA) {
      memcpy(args->data.data, bo->metadata, bo->metadata_size);
      args->data.data_size_bytes = bo->metadata_size;
      args->data.flags = bo->metadata_flags;
      args->data.tiling_info = bo->tiling_info;
   } else if (args->op == AMDGPU_GEM_METADATA_OP_SET_METADATA) {
      if (args->data.data_size_bytes > sizeof(args->data.data)) {
         r = -EINVAL;
      } else {
         bo->tiling_info = args->data.tiling_info;
         memcpy(bo->metadata, args->data.data, args->data.data_size_bytes);
         bo->metadata_size = args->data.data_size_bytes;
         bo->metadata_flags = args->data.flags;
      }
   } else {
      r = -EINVAL;
   }
   pthread_mutex_unlock(&bo->meta_lock);
   vgpu_bo_unref(bo);
   return r;
}

/* amdgpu_gem.c amdgpu_gem_op_ioctl */
int vgpu_gem_op_ioctl(struct vgpu_file *f, void *arg)
{
   struct drm_amdgpu_gem_op *args = arg;
   struct vgpu_bo *bo = vgpu_file_lookup_bo(f, args->handle);
   if (!bo)
      return -ENOENT;
   int r = 0;
   if (args->op == AMDGPU_GEM_OP_GET_GEM_CREATE_INFO) {
      struct drm_amdgpu_gem_create_in info = {
         .bo_size = bo->size,
         .alignment = bo->alignment,
         .domains = bo->domains,
         .domain_flags = bo->flags,
      };
      memcpy((void *)(uintptr_t)args->value, &info, sizeof(info));
   } else if (args->op == AMDGPU_GEM_OP_SET_PLACEMENT) {
      if (bo->memfd < 0)
         r = -EPERM;
      else
         bo->domains =
            args->value & (AMDGPU_GEM_DOMAIN_VRAM | AMDGPU_GEM_DOMAIN_GTT | AMDGPU_GEM_DOMAIN_CPU);
   } else {
      r = -EINVAL;
   }
   vgpu_bo_unref(bo);
   return r;
}

/* amdgpu_gem.c amdgpu_gem_userptr_ioctl: the BO is the caller's memory itself. */
int vgpu_gem_userptr_ioctl(struct vgpu_file *f, void *arg)
{
   struct drm_amdgpu_gem_userptr *args = arg;
   if ((args->addr | args->size) & (PAGE - 1))
      return -EINVAL;
   if (args->flags & ~(uint32_t)(AMDGPU_GEM_USERPTR_READONLY | AMDGPU_GEM_USERPTR_ANONONLY |
                                 AMDGPU_GEM_USERPTR_VALIDATE | AMDGPU_GEM_USERPTR_REGISTER))
      return -EINVAL;
   if (!(args->flags & AMDGPU_GEM_USERPTR_READONLY) && !(args->flags & AMDGPU_GEM_USERPTR_REGISTER))
      return -EACCES; /* writable userptr needs an MMU notifier */
   if (!args->size)
      return -EINVAL;
   struct vgpu_bo *bo = calloc(1, sizeof(*bo));
   if (!bo)
      return -ENOMEM;
   atomic_init(&bo->refs, 1);
   bo->dev = f->dev;
   bo->size = args->size;
   bo->memfd = -1;
   bo->cpu = (void *)(uintptr_t)args->addr;
   bo->domains = AMDGPU_GEM_DOMAIN_CPU;
   pthread_mutex_init(&bo->meta_lock, NULL);
   uint32_t handle;
   int r = add_handle(f, bo, &handle);
   if (r) {
      free(bo);
      return r;
   }
   args->handle = handle;
   return 0;
}

/* amdgpu_gem.c amdgpu_gem_wait_idle_ioctl: status 1 while busy at the timeout. The model waits
 * for every job in flight on the device (a superset of the BO's reservation fences). */
int vgpu_gem_wait_idle_ioctl(struct vgpu_file *f, void *arg)
{
   union drm_amdgpu_gem_wait_idle *args = arg;
   struct vgpu_bo *bo = vgpu_file_lookup_bo(f, args->in.handle);
   if (!bo)
      return -ENOENT;
   vgpu_bo_unref(bo);
   int idle = vgpu_device_wait_idle(f->dev, vgpu_gem_timeout(args->in.timeout));
   memset(&args->out, 0, sizeof(args->out));
   args->out.status = !idle;
   return 0;
}

/* drm_prime.c drm_prime_handle_to_fd_ioctl; amdgpu_dma_buf.c amdgpu_gem_prime_export refuses
 * userptr and VM_ALWAYS_VALID objects with -EPERM. */
int vgpu_prime_handle_to_fd_ioctl(struct vgpu_file *f, void *arg)
{
   struct drm_prime_handle *args = arg;
   if (args->flags & ~(uint32_t)(DRM_CLOEXEC | DRM_RDWR))
      return -EINVAL;
   struct vgpu_bo *bo = vgpu_file_lookup_bo(f, args->handle);
   if (!bo)
      return -ENOENT;
   int r = 0;
   if (bo->memfd < 0 || (bo->flags & AMDGPU_GEM_CREATE_VM_ALWAYS_VALID)) {
      r = -EPERM;
   } else {
      int fd = fcntl(bo->memfd, (args->flags & DRM_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
      if (fd < 0) {
         r = -EMFILE;
      } else {
         args->fd = fd;
         pthread_mutex_lock(&dmabuf_lock);
         if (!bo->exported) {
            struct vgpu_bo **l = realloc(dmabufs, (n_dmabufs + 1) * sizeof(*l));
            if (l) {
               dmabufs = l;
               dmabufs[n_dmabufs++] = vgpu_bo_ref(bo);
               bo->exported = 1;
            }
         }
         pthread_mutex_unlock(&dmabuf_lock);
      }
   }
   vgpu_bo_unref(bo);
   return r;
}

/* drm_prime.c drm_gem_prime_fd_to_handle: the same object on the same file gets its existing
 * handle (drm_prime_lookup_buf_handle); amdgpu_dma_buf.c amdgpu_gem_prime_import returns the
 * exporter's own object on the same device, and on another device a new GTT object sharing the
 * pages (amdgpu_dma_buf_create_obj). A file that is not a dma-buf is -EINVAL (dma_buf_get). */
int vgpu_prime_fd_to_handle_ioctl(struct vgpu_file *f, void *arg)
{
   struct drm_prime_handle *args = arg;
   struct stat st;
   if (fstat(args->fd, &st))
      return -EBADF;
   pthread_mutex_lock(&f->lock);
   for (unsigned i = 0; i < f->n_bos; i++)
      if (f->bos[i] && f->bos[i]->memfd >= 0 && f->bos[i]->ino == (uint64_t)st.st_ino) {
         pthread_mutex_unlock(&f->lock);
         args->handle = i + 1;
         return 0;
      }
   pthread_mutex_unlock(&f->lock);
   struct vgpu_bo *src = vgpu_dmabuf_lookup(st.st_ino);
   if (!src)
      return -EINVAL;
   struct vgpu_bo *bo = src;
   if (src->dev != f->dev) {
      int fd = vgpu_real_dup_cloexec(src->memfd);
      bo = fd >= 0 ? bo_new(f->dev, fd, src->size) : NULL;
      if (!bo) {
         if (fd >= 0)
            vgpu_real_close(fd);
         vgpu_bo_unref(src);
         return -ENOMEM;
      }
      bo->domains = AMDGPU_GEM_DOMAIN_GTT;
      bo->flags = src->flags & AMDGPU_GEM_CREATE_CPU_GTT_USWC;
      bo->ino = src->ino;
      account(bo, 1);
      vgpu_bo_unref(src);
   }
   uint32_t handle;
   pthread_mutex_lock(&f->lock);
   int r = vgpu_handle_alloc((void ***)&f->bos, &f->n_bos, bo, &handle);
   pthread_mutex_unlock(&f->lock);
   if (r) {
      vgpu_bo_unref(bo);
      return r;
   }
   args->handle = handle;
   return 0;
}

void vgpu_file_lose_vram(struct vgpu_file *f)
{
   pthread_mutex_lock(&f->lock);
   for (unsigned i = 0; i < f->n_bos; i++) {
      struct vgpu_bo *bo = f->bos[i];
      if (bo && bo->cpu && (bo->domains & AMDGPU_GEM_DOMAIN_VRAM))
         memset(bo->cpu, 0xff, bo->size);
   }
   pthread_mutex_unlock(&f->lock);
}
