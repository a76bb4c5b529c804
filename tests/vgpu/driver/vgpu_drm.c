/* Devices, DRM files and their handle tables, contexts, and the ioctl dispatcher (drm_ioctl.c
 * drm_ioctl: dispatch on the ioctl number; the DRM core's ioctls below DRM_COMMAND_BASE, the
 * driver's from it). */
#include "vgpu_driver.h"
#include "vgpu_ioctls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include <libdrm/drm.h>

static struct vgpu_device devices[VGPU_MAX_NODES];
static unsigned n_devices;
static pthread_once_t devices_once = PTHREAD_ONCE_INIT;
/* PCI buses of nodes 0..3: distinct, so libdrm sees distinct devices (drm_device_equal). */
static const unsigned pci_bus[VGPU_MAX_NODES] = {0x03, 0x0c, 0x13, 0x1a};

int vgpu_verbose(void)
{
   static int v = -1;
   if (v < 0) {
      const char *e = getenv("VGPU_VERBOSE");
      v = e && *e && strcmp(e, "0");
   }
   return v;
}

void vgpu_log(int debug, const char *fmt, ...)
{
   if (debug && !vgpu_verbose())
      return;
   char line[512];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(line, sizeof(line), fmt, ap);
   va_end(ap);
   fprintf(stderr, "vgpu: %s\n", line);
}

/* VGPU_PROFILE=NAME[,NAME...]: one render node per name (renderD128, renderD129, ...). */
static void init_devices(void)
{
   /* Every BO holds a memfd, where the kernel holds no fd at all: raise the soft fd limit to
    * the hard one (up to the fd table's size) so allocation-heavy apps do not run out. */
   struct rlimit rl;
   if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 65536) {
      rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
      setrlimit(RLIMIT_NOFILE, &rl);
   }
   const char *env = getenv("VGPU_PROFILE");
   char list[256];
   snprintf(list, sizeof(list), "%s", env && *env ? env : "gfx1030");
   char *save = NULL;
   for (char *name = strtok_r(list, ",", &save); name && n_devices < VGPU_MAX_NODES;
        name = strtok_r(NULL, ",", &save)) {
      const struct vgpu_profile *p = vgpu_profile_find(name);
      if (!p) {
         vgpu_log(0, "unknown profile '%s' in VGPU_PROFILE (scripts/vgpu --list); no node for it",
                  name);
         continue;
      }
      struct vgpu_device *d = &devices[n_devices];
      d->profile = p;
      d->index = n_devices;
      d->minor = VGPU_RENDER_MINOR0 + n_devices;
      snprintf(d->pci_slot, sizeof(d->pci_slot), "0000:%02x:00.0", pci_bus[n_devices]);
      pthread_mutex_init(&d->lock, NULL);
      /* drm_gem.c DRM_FILE_PAGE_OFFSET_START on 64-bit: (0xFFFFFFFF >> PAGE_SHIFT) + 1 */
      d->next_mmap_pgoff = (0xFFFFFFFFull >> 12) + 1;
      atomic_init(&d->next_context_id, 1);
      n_devices++;
   }
}

/* VGPU_LIST_PROFILES=1: print the profiles and nothing else (scripts/vgpu --list). */
__attribute__((constructor)) static void list_profiles(void)
{
   const char *e = getenv("VGPU_LIST_PROFILES");
   if (!e || strcmp(e, "1"))
      return;
   for (const struct vgpu_profile *const *p = vgpu_profile_all(); *p; p++)
      printf("%-14s %s\n", (*p)->name, (*p)->description);
   fflush(stdout);
}

unsigned vgpu_device_count(void)
{
   pthread_once(&devices_once, init_devices);
   return n_devices;
}

struct vgpu_device *vgpu_device_get(unsigned index)
{
   return index < vgpu_device_count() ? &devices[index] : NULL;
}

struct vgpu_file *vgpu_file_open(struct vgpu_device *dev)
{
   static atomic_uint next_pasid = 32769; /* amdgpu_pasid_alloc hands out 16-bit PASIDs */
   struct vgpu_file *f = calloc(1, sizeof(*f));
   if (!f)
      return NULL;
   atomic_init(&f->refs, 1);
   f->dev = dev;
   f->pasid = atomic_fetch_add(&next_pasid, 1);
   pthread_mutex_init(&f->lock, NULL);
   return f;
}

struct vgpu_file *vgpu_file_ref(struct vgpu_file *f)
{
   atomic_fetch_add(&f->refs, 1);
   return f;
}

/* The handle tables of a file, taken out under its lock and released outside it (finishing a
 * context waits for its scheduler threads, which take the file's lock). */
struct file_tables {
   struct vgpu_ctx **ctxs;
   struct vgpu_bo **bos;
   struct vgpu_syncobj **syncobjs;
   struct vgpu_bo_list **bo_lists;
   unsigned n_ctxs, n_bos, n_syncobjs, n_bo_lists;
};

static struct file_tables take_tables_locked(struct vgpu_file *f)
{
   struct file_tables t = {f->ctxs,   f->bos,   f->syncobjs,   f->bo_lists,
                           f->n_ctxs, f->n_bos, f->n_syncobjs, f->n_bo_lists};
   f->ctxs = NULL;
   f->bos = NULL;
   f->syncobjs = NULL;
   f->bo_lists = NULL;
   f->n_ctxs = f->n_bos = f->n_syncobjs = f->n_bo_lists = 0;
   return t;
}

/* The last close (drm_file_free -> amdgpu_driver_postclose_kms): contexts are finished (their
 * queued jobs flushed or killed), handles dropped; jobs still running keep the file (and its
 * VM) alive through their own references. */
static void release_tables(struct file_tables *t)
{
   for (unsigned i = 0; i < t->n_ctxs; i++)
      if (t->ctxs[i]) {
         vgpu_ctx_fini_entities(t->ctxs[i]);
         vgpu_ctx_unref(t->ctxs[i]);
      }
   for (unsigned i = 0; i < t->n_bos; i++)
      vgpu_bo_unref(t->bos[i]);
   for (unsigned i = 0; i < t->n_syncobjs; i++)
      vgpu_syncobj_unref(t->syncobjs[i]);
   for (unsigned i = 0; i < t->n_bo_lists; i++)
      if (t->bo_lists[i]) {
         for (unsigned j = 0; j < t->bo_lists[i]->n; j++)
            vgpu_bo_unref(t->bo_lists[i]->bos[j]);
         free(t->bo_lists[i]->bos);
         free(t->bo_lists[i]);
      }
   free(t->ctxs);
   free(t->bos);
   free(t->syncobjs);
   free(t->bo_lists);
}

void vgpu_file_unref(struct vgpu_file *f)
{
   if (atomic_fetch_sub(&f->refs, 1) != 1)
      return;
   /* Jobs and entities hold references, so this is the end of everything: free the VM. */
   struct file_tables t = take_tables_locked(f);
   release_tables(&t);
   for (unsigned i = 0; i < f->n_maps; i++)
      vgpu_bo_unref(f->maps[i].bo);
   free(f->maps);
   free(f);
}

/* The fd table holds one reference per open fd (and dups share it); on the last fd close the
 * file is released even while jobs still hold it. */
void vgpu_file_close(struct vgpu_file *f)
{
   pthread_mutex_lock(&f->lock);
   struct file_tables t = take_tables_locked(f);
   pthread_mutex_unlock(&f->lock);
   release_tables(&t);
   vgpu_file_unref(f);
}

/* idr_alloc(idr, obj, 1, 0): the lowest free handle from 1. */
int vgpu_handle_alloc(void ***table, unsigned *n, void *obj, uint32_t *handle)
{
   for (unsigned i = 0; i < *n; i++)
      if (!(*table)[i]) {
         (*table)[i] = obj;
         *handle = i + 1;
         return 0;
      }
   void **t = realloc(*table, (*n + 1) * sizeof(void *));
   if (!t)
      return -ENOMEM;
   *table = t;
   t[*n] = obj;
   *handle = ++*n;
   return 0;
}

void *vgpu_handle_get(void **table, unsigned n, uint32_t handle)
{
   return handle >= 1 && handle <= n ? table[handle - 1] : NULL;
}

struct vgpu_bo *vgpu_file_lookup_bo(struct vgpu_file *f, uint32_t handle)
{
   pthread_mutex_lock(&f->lock);
   struct vgpu_bo *bo = vgpu_handle_get((void **)f->bos, f->n_bos, handle);
   if (bo)
      vgpu_bo_ref(bo);
   pthread_mutex_unlock(&f->lock);
   return bo;
}

struct vgpu_syncobj *vgpu_file_lookup_syncobj(struct vgpu_file *f, uint32_t handle)
{
   pthread_mutex_lock(&f->lock);
   struct vgpu_syncobj *s = vgpu_handle_get((void **)f->syncobjs, f->n_syncobjs, handle);
   if (s)
      vgpu_syncobj_ref(s);
   pthread_mutex_unlock(&f->lock);
   return s;
}

struct vgpu_ctx *vgpu_file_lookup_ctx(struct vgpu_file *f, uint32_t id)
{
   pthread_mutex_lock(&f->lock);
   struct vgpu_ctx *c = vgpu_handle_get((void **)f->ctxs, f->n_ctxs, id);
   if (c)
      atomic_fetch_add(&c->refs, 1);
   pthread_mutex_unlock(&f->lock);
   return c;
}

void vgpu_ctx_unref(struct vgpu_ctx *ctx)
{
   if (ctx && atomic_fetch_sub(&ctx->refs, 1) == 1)
      free(ctx);
}

struct vgpu_bo_list *vgpu_file_bo_list_locked(struct vgpu_file *f, uint32_t handle)
{
   return vgpu_handle_get((void **)f->bo_lists, f->n_bo_lists, handle);
}

/* Whether the process may raise context priority (amdgpu_ctx.c amdgpu_ctx_priority_permit:
 * capable(CAP_SYS_NICE), bit 23 of the effective set). */
static int has_cap_sys_nice(void)
{
   FILE *fp = fopen("/proc/self/status", "r");
   char line[256];
   unsigned long long cap = 0;
   while (fp && fgets(line, sizeof(line), fp))
      if (sscanf(line, "CapEff: %llx", &cap) == 1)
         break;
   if (fp)
      fclose(fp);
   return (cap >> 23) & 1;
}

/* amdgpu_ctx.c amdgpu_ctx_priority_is_valid */
static int priority_valid(int32_t p)
{
   return p == AMDGPU_CTX_PRIORITY_UNSET || p == AMDGPU_CTX_PRIORITY_VERY_LOW ||
          p == AMDGPU_CTX_PRIORITY_LOW || p == AMDGPU_CTX_PRIORITY_NORMAL ||
          p == AMDGPU_CTX_PRIORITY_HIGH || p == AMDGPU_CTX_PRIORITY_VERY_HIGH;
}

/* amdgpu_ctx.c amdgpu_ctx_ioctl */
static int ctx_ioctl(struct vgpu_file *f, union drm_amdgpu_ctx *args)
{
   uint32_t id = args->in.ctx_id;
   int32_t priority = args->in.priority;
   struct vgpu_device *dev = f->dev;
   switch (args->in.op) {
   case AMDGPU_CTX_OP_ALLOC_CTX: {
      if (!priority_valid(priority))
         return -EINVAL;
      if (priority > AMDGPU_CTX_PRIORITY_NORMAL && !has_cap_sys_nice())
         return -EACCES;
      struct vgpu_ctx *c = calloc(1, sizeof(*c));
      if (!c)
         return -ENOMEM;
      atomic_init(&c->refs, 1);
      c->file = f;
      c->priority = priority;
      /* amdgpu_ctx_init: counters as of now */
      c->reset_counter = c->reset_counter_query = atomic_load(&dev->gpu_reset_counter);
      c->vram_lost_counter = atomic_load(&dev->vram_lost_counter);
      static atomic_uint serials;
      c->serial = atomic_fetch_add(&serials, 1) + 1;
      pthread_mutex_lock(&f->lock);
      int r = vgpu_handle_alloc((void ***)&f->ctxs, &f->n_ctxs, c, &c->id);
      pthread_mutex_unlock(&f->lock);
      if (r) {
         free(c);
         return r;
      }
      memset(&args->out, 0, sizeof(args->out));
      args->out.alloc.ctx_id = c->id;
      return 0;
   }
   case AMDGPU_CTX_OP_FREE_CTX: {
      pthread_mutex_lock(&f->lock);
      struct vgpu_ctx *c = vgpu_handle_get((void **)f->ctxs, f->n_ctxs, id);
      if (c)
         f->ctxs[id - 1] = NULL;
      pthread_mutex_unlock(&f->lock);
      if (!c)
         return -EINVAL;
      vgpu_ctx_fini_entities(c);
      vgpu_ctx_unref(c);
      return 0;
   }
   case AMDGPU_CTX_OP_QUERY_STATE: { /* amdgpu_ctx_query */
      struct vgpu_ctx *c = vgpu_file_lookup_ctx(f, id);
      if (!c)
         return -EINVAL;
      unsigned now = atomic_load(&dev->gpu_reset_counter);
      memset(&args->out, 0, sizeof(args->out));
      args->out.state.reset_status =
         c->reset_counter_query == now ? AMDGPU_CTX_NO_RESET : AMDGPU_CTX_UNKNOWN_RESET;
      c->reset_counter_query = now;
      vgpu_ctx_unref(c);
      return 0;
   }
   case AMDGPU_CTX_OP_QUERY_STATE2: { /* amdgpu_ctx_query2 */
      struct vgpu_ctx *c = vgpu_file_lookup_ctx(f, id);
      if (!c)
         return -EINVAL;
      memset(&args->out, 0, sizeof(args->out));
      if (c->reset_counter != atomic_load(&dev->gpu_reset_counter))
         args->out.state.flags |= AMDGPU_CTX_QUERY2_FLAGS_RESET;
      if (c->vram_lost_counter != atomic_load(&dev->vram_lost_counter))
         args->out.state.flags |= AMDGPU_CTX_QUERY2_FLAGS_VRAMLOST;
      if (atomic_load(&c->guilty))
         args->out.state.flags |= AMDGPU_CTX_QUERY2_FLAGS_GUILTY;
      vgpu_ctx_unref(c);
      return 0;
   }
   case AMDGPU_CTX_OP_GET_STABLE_PSTATE:
   case AMDGPU_CTX_OP_SET_STABLE_PSTATE: { /* amdgpu_ctx_stable_pstate */
      struct vgpu_ctx *c = vgpu_file_lookup_ctx(f, id);
      if (!c)
         return -EINVAL;
      int r = 0;
      if (args->in.op == AMDGPU_CTX_OP_GET_STABLE_PSTATE) {
         memset(&args->out, 0, sizeof(args->out));
         args->out.pstate.flags = c->stable_pstate;
      } else if ((args->in.flags & AMDGPU_CTX_STABLE_PSTATE_FLAGS_MASK) >
                 AMDGPU_CTX_STABLE_PSTATE_PEAK) {
         r = -EINVAL;
      } else {
         c->stable_pstate = args->in.flags & AMDGPU_CTX_STABLE_PSTATE_FLAGS_MASK;
      }
      vgpu_ctx_unref(c);
      return r;
   }
   default: return -EINVAL;
   }
}

/* amdgpu_bo_list.c amdgpu_bo_list_ioctl (entries read at the caller's entry size, as
 * amdgpu_bo_create_list_entry_array does) */
static int bo_list_ioctl(struct vgpu_file *f, union drm_amdgpu_bo_list *args)
{
   uint32_t op = args->in.operation, handle = args->in.list_handle;
   if (op == AMDGPU_BO_LIST_OP_DESTROY) {
      pthread_mutex_lock(&f->lock);
      struct vgpu_bo_list *l = vgpu_file_bo_list_locked(f, handle);
      if (l)
         f->bo_lists[handle - 1] = NULL;
      pthread_mutex_unlock(&f->lock);
      if (l) {
         for (unsigned j = 0; j < l->n; j++)
            vgpu_bo_unref(l->bos[j]);
         free(l->bos);
         free(l);
      }
      return 0; /* amdgpu_bo_list_free ignores unknown handles */
   }
   if (op != AMDGPU_BO_LIST_OP_CREATE && op != AMDGPU_BO_LIST_OP_UPDATE)
      return -EINVAL;
   struct vgpu_bo_list *l = calloc(1, sizeof(*l));
   if (!l)
      return -ENOMEM;
   l->bos = calloc(args->in.bo_number ? args->in.bo_number : 1, sizeof(*l->bos));
   if (!l->bos) {
      free(l);
      return -ENOMEM;
   }
   const char *entries = (const char *)(uintptr_t)args->in.bo_info_ptr;
   int r = 0;
   for (uint32_t i = 0; i < args->in.bo_number; i++) {
      struct drm_amdgpu_bo_list_entry e = {0};
      size_t sz = args->in.bo_info_size < sizeof(e) ? args->in.bo_info_size : sizeof(e);
      memcpy(&e, entries + (size_t)i * args->in.bo_info_size, sz);
      l->bos[i] = vgpu_file_lookup_bo(f, e.bo_handle);
      if (!l->bos[i]) {
         r = -ENOENT;
         break;
      }
      l->n++;
   }
   pthread_mutex_lock(&f->lock);
   struct vgpu_bo_list *old = NULL;
   if (!r && op == AMDGPU_BO_LIST_OP_CREATE) {
      r = vgpu_handle_alloc((void ***)&f->bo_lists, &f->n_bo_lists, l, &handle);
   } else if (!r) {
      old = vgpu_file_bo_list_locked(f, handle);
      if (old)
         f->bo_lists[handle - 1] = l;
      else
         r = -ENOENT;
   }
   pthread_mutex_unlock(&f->lock);
   struct vgpu_bo_list *drop = r ? l : old;
   if (drop) {
      for (unsigned j = 0; j < drop->n; j++)
         vgpu_bo_unref(drop->bos[j]);
      free(drop->bos);
      free(drop);
   }
   if (r)
      return r;
   memset(&args->out, 0, sizeof(args->out));
   args->out.list_handle = handle;
   return 0;
}

/* amdgpu_sched.c amdgpu_sched_ioctl: priority overrides are accepted and not modelled (the
 * model runs every entity on its own thread). */
static int sched_ioctl(struct vgpu_file *f, union drm_amdgpu_sched *args)
{
   if (!priority_valid(args->in.priority) || args->in.priority == AMDGPU_CTX_PRIORITY_UNSET)
      return -EINVAL;
   struct vgpu_file *target = vgpu_fd_lookup(args->in.fd, VGPU_FD_DRM);
   if (!target)
      return -EINVAL;
   vgpu_file_unref(target);
   switch (args->in.op) {
   case AMDGPU_SCHED_OP_PROCESS_PRIORITY_OVERRIDE: return 0;
   case AMDGPU_SCHED_OP_CONTEXT_PRIORITY_OVERRIDE: {
      struct vgpu_ctx *c = vgpu_file_lookup_ctx(f, args->in.ctx_id);
      if (!c)
         return -EINVAL;
      vgpu_ctx_unref(c);
      return 0;
   }
   default: return -EINVAL;
   }
}

/* drm_ioctl.c drm_version / drm_copy_field: copies up to the caller's length, returns the full
 * length. */
static void copy_field(char *buf, __kernel_size_t *len, const char *value)
{
   size_t n = strlen(value);
   if (buf && *len)
      memcpy(buf, value, n < *len ? n : *len);
   *len = n;
}

unsigned vgpu_drm_minor(void)
{
   const char *e = getenv("VGPU_DRM_MINOR");
   unsigned long m = e && *e ? strtoul(e, NULL, 0) : 0;
   return m > VGPU_DRM_VERSION_MINOR ? (unsigned)m : VGPU_DRM_VERSION_MINOR;
}

static int version_ioctl(struct drm_version *v)
{
   v->version_major = VGPU_DRM_VERSION_MAJOR;
   v->version_minor = (int)vgpu_drm_minor();
   v->version_patchlevel = 0;
   copy_field(v->name, &v->name_len, "amdgpu");   /* amdgpu_drv.c DRIVER_NAME */
   copy_field(v->date, &v->date_len, "20150101"); /* DRIVER_DATE */
   copy_field(v->desc, &v->desc_len, "AMD GPU");  /* DRIVER_DESC */
   return 0;
}

/* drm_ioctl.c drm_getcap */
static int getcap_ioctl(struct drm_get_cap *c)
{
   switch (c->capability) {
   case DRM_CAP_TIMESTAMP_MONOTONIC:
   case DRM_CAP_SYNCOBJ: /* DRIVER_SYNCOBJ */
   case DRM_CAP_SYNCOBJ_TIMELINE: /* DRIVER_SYNCOBJ_TIMELINE */ c->value = 1; return 0;
   case DRM_CAP_PRIME: c->value = DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT; return 0;
   case DRM_CAP_DUMB_BUFFER:
   case DRM_CAP_ADDFB2_MODIFIERS:
   case DRM_CAP_CRTC_IN_VBLANK_EVENT: c->value = 1; return 0;
   default: return -EINVAL;
   }
}

const char *vgpu_ioctl_name(unsigned nr)
{
   static const struct {
      unsigned nr;
      const char *name;
   } names[] = {
      {_IOC_NR(DRM_IOCTL_VERSION), "VERSION"},
      {_IOC_NR(DRM_IOCTL_GET_CAP), "GET_CAP"},
      {_IOC_NR(DRM_IOCTL_GEM_CLOSE), "GEM_CLOSE"},
      {_IOC_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD), "PRIME_HANDLE_TO_FD"},
      {_IOC_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE), "PRIME_FD_TO_HANDLE"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_CREATE), "SYNCOBJ_CREATE"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_DESTROY), "SYNCOBJ_DESTROY"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD), "SYNCOBJ_HANDLE_TO_FD"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE), "SYNCOBJ_FD_TO_HANDLE"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_WAIT), "SYNCOBJ_WAIT"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_RESET), "SYNCOBJ_RESET"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_SIGNAL), "SYNCOBJ_SIGNAL"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT), "SYNCOBJ_TIMELINE_WAIT"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_QUERY), "SYNCOBJ_QUERY"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_TRANSFER), "SYNCOBJ_TRANSFER"},
      {_IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL), "SYNCOBJ_TIMELINE_SIGNAL"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_GEM_CREATE, "AMDGPU_GEM_CREATE"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_GEM_MMAP, "AMDGPU_GEM_MMAP"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_CTX, "AMDGPU_CTX"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_BO_LIST, "AMDGPU_BO_LIST"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_CS, "AMDGPU_CS"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_INFO, "AMDGPU_INFO"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_GEM_METADATA, "AMDGPU_GEM_METADATA"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_GEM_WAIT_IDLE, "AMDGPU_GEM_WAIT_IDLE"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_GEM_VA, "AMDGPU_GEM_VA"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_WAIT_CS, "AMDGPU_WAIT_CS"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_GEM_OP, "AMDGPU_GEM_OP"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_GEM_USERPTR, "AMDGPU_GEM_USERPTR"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_WAIT_FENCES, "AMDGPU_WAIT_FENCES"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_VM, "AMDGPU_VM"},
      {DRM_COMMAND_BASE + DRM_AMDGPU_SCHED, "AMDGPU_SCHED"},
   };
   for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
      if (names[i].nr == nr)
         return names[i].name;
   return NULL;
}

int vgpu_drm_ioctl(struct vgpu_file *f, unsigned long request, void *arg)
{
   if (_IOC_TYPE(request) != DRM_IOCTL_BASE) {
      errno = ENOTTY;
      return -1;
   }
   unsigned nr = _IOC_NR(request);
   atomic_fetch_add(&vgpu_stats.ioctls[nr & 0xff], 1);
   int r;
   switch (nr) {
   case _IOC_NR(DRM_IOCTL_VERSION): r = version_ioctl(arg); break;
   case _IOC_NR(DRM_IOCTL_GET_CAP): r = getcap_ioctl(arg); break;
   case _IOC_NR(DRM_IOCTL_GEM_CLOSE): r = vgpu_gem_close_ioctl(f, arg); break;
   case _IOC_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD): r = vgpu_prime_handle_to_fd_ioctl(f, arg); break;
   case _IOC_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE): r = vgpu_prime_fd_to_handle_ioctl(f, arg); break;
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_CREATE):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_DESTROY):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_WAIT):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_RESET):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_QUERY):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_TRANSFER):
   case _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL): r = vgpu_syncobj_ioctl(f, nr, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_GEM_CREATE: r = vgpu_gem_create_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_GEM_MMAP: r = vgpu_gem_mmap_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_CTX: r = ctx_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_BO_LIST: r = bo_list_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_CS: r = vgpu_cs_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_INFO: r = vgpu_info_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_GEM_METADATA: r = vgpu_gem_metadata_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_GEM_WAIT_IDLE: r = vgpu_gem_wait_idle_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_GEM_VA: r = vgpu_gem_va_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_WAIT_CS: r = vgpu_wait_cs_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_GEM_OP: r = vgpu_gem_op_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_GEM_USERPTR: r = vgpu_gem_userptr_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_WAIT_FENCES: r = vgpu_wait_fences_ioctl(f, arg); break;
   case DRM_COMMAND_BASE + DRM_AMDGPU_VM: {
      /* amdgpu_vm.c amdgpu_vm_ioctl: VMID reservation has no visible effect here */
      union drm_amdgpu_vm *vm = arg;
      r = vm->in.op == AMDGPU_VM_OP_RESERVE_VMID || vm->in.op == AMDGPU_VM_OP_UNRESERVE_VMID
             ? 0
             : -EINVAL;
      if (!r)
         memset(&vm->out, 0, sizeof(vm->out));
      break;
   }
   case DRM_COMMAND_BASE + DRM_AMDGPU_SCHED: r = sched_ioctl(f, arg); break;
   default: vgpu_log(0, "ioctl nr 0x%x is not modelled: -EINVAL", nr); r = -EINVAL;
   }
   if (r < 0) {
      atomic_fetch_add(&vgpu_stats.ioctl_errors[nr & 0xff], 1);
      /* drmIoctl retries EINTR and EAGAIN forever; the model never returns them. */
      vgpu_log(1, "ioctl nr 0x%x: %s", nr, strerror(-r));
      errno = -r;
      return -1;
   }
   return 0;
}
