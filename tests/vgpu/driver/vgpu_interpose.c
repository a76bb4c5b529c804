/* libc interposition: what libdrm, libdrm_amdgpu and RADV see of /dev/dri and sysfs, and the
 * file descriptors the model owns (render-node files, sync_files, syncobj files). The calls
 * covered are those /work/shared/research/vgpu-radv-22.3.md found those libraries import (Debian
 * 12: glibc 2.36 exports stat64/fstat64 directly). Device discovery follows libdrm 2.4.114's
 * xf86drm.c: drmGetDevices2 lists /dev/dri, stats each node (the type comes from minor >> 6),
 * checks /sys/dev/char/M:m/device/drm, reads the subsystem link, uevent (PCI_SLOT_NAME) and the
 * PCI id files, and drmGetMinorNameForFD lists the drm/ folder for the card name that
 * libdrm_amdgpu's fd_compare uses to tell devices apart. */
#include "vgpu_driver.h"
#include "vgpu_ioctls.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define REAL(name) ((__typeof__(&name))real_fn(#name))

static void *real_fn(const char *name)
{
   void *p = dlsym(RTLD_NEXT, name);
   if (!p) {
      fprintf(stderr, "vgpu: libc has no %s\n", name);
      abort();
   }
   return p;
}

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
/* Built with TSan (the tsan test build), the library needs the TSan runtime of the program it is
 * preloaded into. The programs such a process starts have none (PoCL's linker, run when the vgpu
 * builds its kernels: "undefined symbol: __tsan_init"), so their LD_PRELOAD goes without it. */
__attribute__((constructor)) static void preload_only_here(void)
{
   Dl_info self;
   const char *pre = getenv("LD_PRELOAD");
   if (!pre || !dladdr((void *)preload_only_here, &self) || !self.dli_fname)
      return;
   char *rest = calloc(1, strlen(pre) + 1), *copy = strdup(pre), *save = NULL;
   for (char *tok = copy && rest ? strtok_r(copy, ": ", &save) : NULL; tok;
        tok = strtok_r(NULL, ": ", &save)) {
      if (strcmp(tok, self.dli_fname) == 0)
         continue;
      if (*rest)
         strcat(rest, ":");
      strcat(rest, tok);
   }
   if (copy && rest)
      setenv("LD_PRELOAD", rest, 1);
   free(copy);
   free(rest);
}
#endif
#endif

/* ---- the fd table ---- */
#define MAX_FDS 65536
static pthread_mutex_t fdt_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
   enum vgpu_fd_kind kind;
   void *obj;
} fdt[MAX_FDS];

static void *obj_ref(enum vgpu_fd_kind kind, void *obj)
{
   switch (kind) {
   case VGPU_FD_DRM: return vgpu_file_ref(obj);
   case VGPU_FD_SYNC_FILE: return vgpu_sync_file_ref(obj);
   case VGPU_FD_SYNCOBJ: return vgpu_syncobj_ref(obj);
   default: return NULL;
   }
}

static void obj_drop(enum vgpu_fd_kind kind, void *obj)
{
   switch (kind) {
   case VGPU_FD_DRM: {
      struct vgpu_file *f = obj;
      if (atomic_fetch_sub(&f->fds, 1) == 1)
         vgpu_file_close(f);
      else
         vgpu_file_unref(f);
      break;
   }
   case VGPU_FD_SYNC_FILE: vgpu_sync_file_unref(obj); break;
   case VGPU_FD_SYNCOBJ: vgpu_syncobj_unref(obj); break;
   default: break;
   }
}

void vgpu_fd_register(int fd, enum vgpu_fd_kind kind, void *obj)
{
   if (fd < 0 || fd >= MAX_FDS) {
      vgpu_log(0, "fd %d is beyond the model's fd table; dropped", fd);
      obj_drop(kind, obj);
      return;
   }
   if (kind == VGPU_FD_DRM)
      atomic_fetch_add(&((struct vgpu_file *)obj)->fds, 1);
   pthread_mutex_lock(&fdt_lock);
   enum vgpu_fd_kind old_kind = fdt[fd].kind;
   void *old = fdt[fd].obj;
   fdt[fd].kind = kind;
   fdt[fd].obj = obj;
   pthread_mutex_unlock(&fdt_lock);
   if (old)
      obj_drop(old_kind, old);
}

void *vgpu_fd_lookup(int fd, enum vgpu_fd_kind kind)
{
   if (fd < 0 || fd >= MAX_FDS)
      return NULL;
   void *obj = NULL;
   pthread_mutex_lock(&fdt_lock);
   if (fdt[fd].kind == kind && fdt[fd].obj)
      obj = obj_ref(kind, fdt[fd].obj);
   pthread_mutex_unlock(&fdt_lock);
   return obj;
}

static enum vgpu_fd_kind fd_kind(int fd)
{
   if (fd < 0 || fd >= MAX_FDS)
      return VGPU_FD_NONE;
   pthread_mutex_lock(&fdt_lock);
   enum vgpu_fd_kind k = fdt[fd].obj ? fdt[fd].kind : VGPU_FD_NONE;
   pthread_mutex_unlock(&fdt_lock);
   return k;
}

static void fd_forget(int fd)
{
   if (fd < 0 || fd >= MAX_FDS)
      return;
   pthread_mutex_lock(&fdt_lock);
   enum vgpu_fd_kind kind = fdt[fd].kind;
   void *obj = fdt[fd].obj;
   fdt[fd].kind = VGPU_FD_NONE;
   fdt[fd].obj = NULL;
   pthread_mutex_unlock(&fdt_lock);
   if (obj)
      obj_drop(kind, obj);
}

/* A dup of fd at newfd shares fd's object (one more reference). */
static void fd_dup(int fd, int newfd)
{
   enum vgpu_fd_kind k = fd_kind(fd);
   if (k == VGPU_FD_NONE || newfd < 0)
      return;
   void *obj = vgpu_fd_lookup(fd, k);
   if (obj)
      vgpu_fd_register(newfd, k, obj);
}

int vgpu_real_close(int fd)
{
   return REAL(close)(fd);
}

int vgpu_real_dup_cloexec(int fd)
{
   return REAL(fcntl)(fd, F_DUPFD_CLOEXEC, 0);
}

/* ---- paths ---- */
enum path_kind {
   P_NONE,     /* not ours */
   P_ABSENT,   /* ours to hide: ENOENT */
   P_DEVDRI,   /* /dev/dri */
   P_RENDER,   /* /dev/dri/renderD<minor> */
   P_SYS_DIR,  /* /sys/dev/char/226:M, .../device, .../device/drm, .../drm/<node> */
   P_SYS_DRM,  /* .../device/drm (listed) */
   P_SYS_FILE, /* .../device/<attribute> */
   P_SYS_LINK, /* .../device/subsystem, .../device/driver */
};

struct path_info {
   enum path_kind kind;
   struct vgpu_device *dev;
   char leaf[32];
};

/* The node whose char-device minor is m: render minors 128+i (and card minors i for the
 * /sys/dev/char/226:i entries drmGetMinorNameForFD never needs). */
static struct vgpu_device *dev_by_minor(unsigned m)
{
   for (unsigned i = 0; i < vgpu_device_count(); i++)
      if (vgpu_device_get(i)->minor == m)
         return vgpu_device_get(i);
   return NULL;
}

static struct path_info classify(const char *path)
{
   struct path_info pi = {P_NONE, NULL, ""};
   if (!path || !vgpu_device_count())
      return pi;
   unsigned m;
   int n = 0;
   if (!strcmp(path, "/dev/dri") || !strcmp(path, "/dev/dri/")) {
      pi.kind = P_DEVDRI;
   } else if (!strncmp(path, "/dev/dri/", 9)) {
      pi.kind = P_ABSENT;
      if (sscanf(path, "/dev/dri/renderD%u%n", &m, &n) == 1 && !path[n] &&
          (pi.dev = dev_by_minor(m)))
         pi.kind = P_RENDER;
   } else if (sscanf(path, "/sys/dev/char/226:%u%n", &m, &n) == 1) {
      pi.kind = P_ABSENT;
      pi.dev = dev_by_minor(m);
      const char *rest = path + n;
      if (!pi.dev)
         return pi;
      if (!*rest || !strcmp(rest, "/") || !strcmp(rest, "/device") || !strcmp(rest, "/device/")) {
         pi.kind = P_SYS_DIR;
      } else if (!strcmp(rest, "/device/drm") || !strcmp(rest, "/device/drm/")) {
         pi.kind = P_SYS_DRM;
      } else if (!strncmp(rest, "/device/drm/", 12)) {
         unsigned x;
         char tail;
         if ((sscanf(rest + 12, "card%u%c", &x, &tail) == 1 && x == pi.dev->index) ||
             (sscanf(rest + 12, "renderD%u%c", &x, &tail) == 1 && x == pi.dev->minor))
            pi.kind = P_SYS_DIR;
      } else if (!strcmp(rest, "/device/subsystem") || !strcmp(rest, "/device/driver")) {
         pi.kind = P_SYS_LINK;
         snprintf(pi.leaf, sizeof(pi.leaf), "%s", rest + 8);
      } else if (!strncmp(rest, "/device/", 8) && !strchr(rest + 8, '/')) {
         static const char *const attrs[] = {
            "uevent",           "vendor",   "device", "subsystem_vendor",
            "subsystem_device", "revision", "config", "class"};
         for (unsigned i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
            if (!strcmp(rest + 8, attrs[i])) {
               pi.kind = P_SYS_FILE;
               snprintf(pi.leaf, sizeof(pi.leaf), "%s", attrs[i]);
            }
      }
   }
   return pi;
}

/* The sysfs attribute's bytes (PCI config space: pci_regs.h offsets). */
static size_t sys_file(const struct path_info *pi, char *buf, size_t cap)
{
   const struct vgpu_profile *p = pi->dev->profile;
   unsigned id = p->dev.device_id, rev = p->dev.pci_rev;
   if (!strcmp(pi->leaf, "config")) {
      memset(buf, 0, 256);
      buf[0x00] = 0x02, buf[0x01] = 0x10; /* PCI_VENDOR_ID 0x1002 */
      buf[0x02] = (char)(id & 0xff), buf[0x03] = (char)(id >> 8);
      buf[0x08] = (char)rev; /* PCI_REVISION_ID */
      buf[0x0b] = 0x03;      /* PCI_CLASS_DEVICE: display controller */
      buf[0x2c] = (char)(p->subsystem_vendor & 0xff), buf[0x2d] = (char)(p->subsystem_vendor >> 8);
      buf[0x2e] = (char)(p->subsystem_device & 0xff), buf[0x2f] = (char)(p->subsystem_device >> 8);
      return 256;
   }
   int n;
   if (!strcmp(pi->leaf, "uevent"))
      n = snprintf(
         buf, cap,
         "DRIVER=amdgpu\nPCI_CLASS=30000\nPCI_ID=1002:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
         "PCI_SLOT_NAME=%s\nMODALIAS=pci:v00001002d0000%04Xsv0000%04Xsd0000%04Xbc03sc00i00\n",
         id, p->subsystem_vendor, p->subsystem_device, pi->dev->pci_slot, id, p->subsystem_vendor,
         p->subsystem_device);
   else if (!strcmp(pi->leaf, "vendor"))
      n = snprintf(buf, cap, "0x1002\n");
   else if (!strcmp(pi->leaf, "device"))
      n = snprintf(buf, cap, "0x%04x\n", id);
   else if (!strcmp(pi->leaf, "subsystem_vendor"))
      n = snprintf(buf, cap, "0x%04x\n", p->subsystem_vendor);
   else if (!strcmp(pi->leaf, "subsystem_device"))
      n = snprintf(buf, cap, "0x%04x\n", p->subsystem_device);
   else if (!strcmp(pi->leaf, "revision"))
      n = snprintf(buf, cap, "0x%02x\n", rev);
   else
      n = snprintf(buf, cap, "0x030000\n");
   return (size_t)n;
}

static int open_sys_file(const struct path_info *pi, int flags)
{
   if ((flags & O_ACCMODE) != O_RDONLY) {
      errno = EACCES;
      return -1;
   }
   char buf[512];
   size_t n = sys_file(pi, buf, sizeof(buf));
   int fd = memfd_create("vgpu-sysfs", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
   if (fd < 0)
      return -1;
   if (write(fd, buf, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET)) {
      REAL(close)(fd);
      errno = EIO;
      return -1;
   }
   return fd;
}

/* Opening a render node is drm_open: a new struct drm_file. The fd behind it is /dev/null. */
static int open_render(struct vgpu_device *dev, int flags)
{
   int fd = REAL(open)("/dev/null", O_RDWR | (flags & O_CLOEXEC));
   if (fd < 0)
      return -1;
   struct vgpu_file *f = vgpu_file_open(dev);
   if (!f) {
      REAL(close)(fd);
      errno = ENOMEM;
      return -1;
   }
   vgpu_log(1, "open renderD%u (%s, %s) as fd %d", dev->minor, dev->profile->name, dev->pci_slot,
            fd);
   vgpu_fd_register(fd, VGPU_FD_DRM, f);
   return fd;
}

/* 1: handled (result in *fd); 0: not ours */
static int open_ours(const char *path, int flags, int *fd)
{
   struct path_info pi = classify(path);
   switch (pi.kind) {
   case P_NONE: return 0;
   case P_RENDER: *fd = open_render(pi.dev, flags); return 1;
   case P_SYS_FILE: *fd = open_sys_file(&pi, flags); return 1;
   case P_DEVDRI:
   case P_SYS_DIR:
   case P_SYS_DRM:
      errno = EISDIR; /* directories are only read through opendir */
      *fd = -1;
      return 1;
   default:
      errno = ENOENT;
      *fd = -1;
      return 1;
   }
}

/* The mode argument of an open that creates (O_CREAT, O_TMPFILE); a macro because va_start
 * must run in the variadic function itself. */
#define OPEN_MODE(flags, mode)            \
   mode_t mode = 0;                       \
   if ((flags) & (O_CREAT | O_TMPFILE)) { \
      va_list ap;                         \
      va_start(ap, flags);                \
      mode = va_arg(ap, mode_t);          \
      va_end(ap);                         \
   }

/* Every open variant: an absolute path of ours, else the real call (open(p) is
 * openat(AT_FDCWD, p)). */
static int open_at(int (*real)(int, const char *, int, ...), int dirfd, const char *path, int flags,
                   mode_t mode)
{
   int fd;
   if (path[0] == '/' && open_ours(path, flags, &fd))
      return fd;
   return real(dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
   OPEN_MODE(flags, mode);
   return open_at(REAL(openat), AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
   OPEN_MODE(flags, mode);
   return open_at(REAL(openat64), AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
   OPEN_MODE(flags, mode);
   return open_at(REAL(openat), dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
   OPEN_MODE(flags, mode);
   return open_at(REAL(openat64), dirfd, path, flags, mode);
}

/* The _FORTIFY_SOURCE entries (no mode: they never create). */
int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
   return open_at(REAL(openat), AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags)
{
   return open_at(REAL(openat64), AT_FDCWD, path, flags, 0);
}

static FILE *fopen_ours(const char *path, const char *mode, int *handled)
{
   struct path_info pi = classify(path);
   *handled = pi.kind != P_NONE;
   if (!*handled)
      return NULL;
   int fd;
   open_ours(path, strchr(mode, 'e') ? O_CLOEXEC : 0, &fd);
   if (fd < 0)
      return NULL;
   FILE *fp = fdopen(fd, "r");
   if (!fp)
      REAL(close)(fd);
   return fp;
}

FILE *fopen(const char *path, const char *mode)
{
   int handled;
   FILE *fp = fopen_ours(path, mode, &handled);
   return handled ? fp : REAL(fopen)(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
   int handled;
   FILE *fp = fopen_ours(path, mode, &handled);
   return handled ? fp : REAL(fopen64)(path, mode);
}

int close(int fd)
{
   fd_forget(fd);
   return REAL(close)(fd);
}

int dup(int fd)
{
   int n = REAL(dup)(fd);
   fd_dup(fd, n);
   return n;
}

int dup2(int fd, int newfd)
{
   if (fd != newfd)
      fd_forget(newfd);
   int n = REAL(dup2)(fd, newfd);
   if (fd != newfd)
      fd_dup(fd, n);
   return n;
}

int dup3(int fd, int newfd, int flags)
{
   fd_forget(newfd);
   int n = REAL(dup3)(fd, newfd, flags);
   fd_dup(fd, n);
   return n;
}

static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
   int r = real(fd, cmd, arg);
   if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && r >= 0)
      fd_dup(fd, r);
   return r;
}

int fcntl(int fd, int cmd, ...)
{
   va_list ap;
   va_start(ap, cmd);
   void *arg = va_arg(ap, void *);
   va_end(ap);
   return fcntl_common(REAL(fcntl), fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...);
int fcntl64(int fd, int cmd, ...)
{
   va_list ap;
   va_start(ap, cmd);
   void *arg = va_arg(ap, void *);
   va_end(ap);
   return fcntl_common(REAL(fcntl64), fd, cmd, arg);
}

int ioctl(int fd, unsigned long request, ...)
{
   va_list ap;
   va_start(ap, request);
   void *arg = va_arg(ap, void *);
   va_end(ap);
   switch (fd_kind(fd)) {
   case VGPU_FD_DRM: {
      struct vgpu_file *f = vgpu_fd_lookup(fd, VGPU_FD_DRM);
      if (!f)
         break;
      int r = vgpu_drm_ioctl(f, request, arg);
      int e = errno;
      vgpu_file_unref(f);
      errno = e;
      return r;
   }
   case VGPU_FD_SYNC_FILE: {
      struct vgpu_sync_file *sf = vgpu_fd_lookup(fd, VGPU_FD_SYNC_FILE);
      if (!sf)
         break;
      int r = vgpu_sync_file_ioctl(sf, request, arg);
      vgpu_sync_file_unref(sf);
      if (r) {
         errno = -r;
         return -1;
      }
      return 0;
   }
   case VGPU_FD_SYNCOBJ: errno = ENOTTY; return -1;
   default: break;
   }
   return REAL(ioctl)(fd, request, arg);
}

static void *mmap_common(void *addr, size_t len, int prot, int flags, int fd, off_t off,
                         int *handled)
{
   *handled = 0;
   if (fd_kind(fd) != VGPU_FD_DRM)
      return NULL;
   struct vgpu_file *f = vgpu_fd_lookup(fd, VGPU_FD_DRM);
   if (!f)
      return NULL;
   *handled = 1;
   void *p = vgpu_file_mmap(f, addr, len, prot, flags, (uint64_t)off);
   int e = errno;
   vgpu_file_unref(f);
   errno = e;
   return p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
   int handled;
   void *p = mmap_common(addr, len, prot, flags, fd, off, &handled);
   return handled ? p : REAL(mmap)(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
   int handled;
   void *p = mmap_common(addr, len, prot, flags, fd, off, &handled);
   return handled ? p : REAL(mmap64)(addr, len, prot, flags, fd, off);
}

/* ---- stat ---- */
static void fill_stat(struct stat *st, mode_t mode, dev_t rdev, ino_t ino, off_t size)
{
   memset(st, 0, sizeof(*st));
   st->st_mode = mode;
   st->st_rdev = rdev;
   st->st_ino = ino;
   st->st_nlink = 1;
   st->st_size = size;
   st->st_blksize = 4096;
}

/* 1 with *st filled, -1 with errno, 0 not ours. follow: stat (not lstat). */
static int stat_ours(const char *path, struct stat *st, int follow)
{
   struct path_info pi = classify(path);
   switch (pi.kind) {
   case P_NONE: return 0;
   case P_DEVDRI:
   case P_SYS_DIR:
   case P_SYS_DRM: fill_stat(st, S_IFDIR | 0755, 0, 1, 0); return 1;
   case P_RENDER:
      fill_stat(st, S_IFCHR | 0666, makedev(VGPU_DRM_MAJOR, pi.dev->minor), pi.dev->minor, 0);
      return 1;
   case P_SYS_FILE:
      fill_stat(st, S_IFREG | 0444, 0, 2, 4096); /* sysfs attributes report 4096 bytes */
      return 1;
   case P_SYS_LINK: fill_stat(st, follow ? (S_IFDIR | 0755) : (S_IFLNK | 0777), 0, 3, 0); return 1;
   default: errno = ENOENT; return -1;
   }
}

static int fstat_ours(int fd, struct stat *st)
{
   if (fd_kind(fd) != VGPU_FD_DRM)
      return 0;
   struct vgpu_file *f = vgpu_fd_lookup(fd, VGPU_FD_DRM);
   if (!f)
      return 0;
   fill_stat(st, S_IFCHR | 0666, makedev(VGPU_DRM_MAJOR, f->dev->minor), f->dev->minor, 0);
   vgpu_file_unref(f);
   return 1;
}

int stat(const char *path, struct stat *st)
{
   int r = stat_ours(path, st, 1);
   return r ? (r > 0 ? 0 : -1) : REAL(stat)(path, st);
}

int stat64(const char *path, struct stat64 *st)
{
   int r = stat_ours(path, (struct stat *)st, 1);
   return r ? (r > 0 ? 0 : -1) : REAL(stat64)(path, st);
}

int lstat(const char *path, struct stat *st)
{
   int r = stat_ours(path, st, 0);
   return r ? (r > 0 ? 0 : -1) : REAL(lstat)(path, st);
}

int lstat64(const char *path, struct stat64 *st)
{
   int r = stat_ours(path, (struct stat *)st, 0);
   return r ? (r > 0 ? 0 : -1) : REAL(lstat64)(path, st);
}

int fstat(int fd, struct stat *st)
{
   return fstat_ours(fd, st) ? 0 : REAL(fstat)(fd, st);
}

int fstat64(int fd, struct stat64 *st)
{
   return fstat_ours(fd, (struct stat *)st) ? 0 : REAL(fstat64)(fd, st);
}

static int fstatat_ours(int dirfd, const char *path, struct stat *st, int flags)
{
   if (path && !*path && (flags & AT_EMPTY_PATH))
      return fstat_ours(dirfd, st);
   if (!path || path[0] != '/')
      return 0;
   return stat_ours(path, st, !(flags & AT_SYMLINK_NOFOLLOW));
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
   int r = fstatat_ours(dirfd, path, st, flags);
   return r ? (r > 0 ? 0 : -1) : REAL(fstatat)(dirfd, path, st, flags);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
   int r = fstatat_ours(dirfd, path, (struct stat *)st, flags);
   return r ? (r > 0 ? 0 : -1) : REAL(fstatat64)(dirfd, path, st, flags);
}

/* glibc's stat ABI before 2.33 (__xstat and friends, a version first; still exported by 2.36
 * and on x86-64 the same struct layout for every version): the sanitizers' stat interceptors
 * (compiler-rt 14, tsan_interceptors_posix.cpp: fstat calls REAL(__fxstat)) reach libc through
 * these, past the stat functions above. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

int __xstat(int ver, const char *path, struct stat *st)
{
   int r = stat_ours(path, st, 1);
   return r ? (r > 0 ? 0 : -1) : REAL(__xstat)(ver, path, st);
}

int __xstat64(int ver, const char *path, struct stat64 *st)
{
   int r = stat_ours(path, (struct stat *)st, 1);
   return r ? (r > 0 ? 0 : -1) : REAL(__xstat64)(ver, path, st);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
   int r = stat_ours(path, st, 0);
   return r ? (r > 0 ? 0 : -1) : REAL(__lxstat)(ver, path, st);
}

int __lxstat64(int ver, const char *path, struct stat64 *st)
{
   int r = stat_ours(path, (struct stat *)st, 0);
   return r ? (r > 0 ? 0 : -1) : REAL(__lxstat64)(ver, path, st);
}

int __fxstat(int ver, int fd, struct stat *st)
{
   return fstat_ours(fd, st) ? 0 : REAL(__fxstat)(ver, fd, st);
}

int __fxstat64(int ver, int fd, struct stat64 *st)
{
   return fstat_ours(fd, (struct stat *)st) ? 0 : REAL(__fxstat64)(ver, fd, st);
}

int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
   int r = fstatat_ours(dirfd, path, st, flags);
   return r ? (r > 0 ? 0 : -1) : REAL(__fxstatat)(ver, dirfd, path, st, flags);
}

int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
   int r = fstatat_ours(dirfd, path, (struct stat *)st, flags);
   return r ? (r > 0 ? 0 : -1) : REAL(__fxstatat64)(ver, dirfd, path, st, flags);
}

/* statx (coreutils' ls and stat use it): the same answers as stat, in struct statx. */
int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx)
{
   struct stat st;
   int r = fstatat_ours(dirfd, path, &st, flags);
   if (!r)
      return REAL(statx)(dirfd, path, flags, mask, stx);
   if (r < 0)
      return -1;
   memset(stx, 0, sizeof(*stx));
   stx->stx_mask = STATX_BASIC_STATS;
   stx->stx_mode = st.st_mode;
   stx->stx_ino = st.st_ino;
   stx->stx_nlink = st.st_nlink;
   stx->stx_size = st.st_size;
   stx->stx_blksize = st.st_blksize;
   stx->stx_rdev_major = major(st.st_rdev);
   stx->stx_rdev_minor = minor(st.st_rdev);
   return 0;
}

int access(const char *path, int mode)
{
   struct stat st;
   int r = stat_ours(path, &st, 1);
   if (!r)
      return REAL(access)(path, mode);
   if (r < 0)
      return -1;
   if ((mode & W_OK) && S_ISREG(st.st_mode)) {
      errno = EACCES;
      return -1;
   }
   return 0;
}

/* ---- symlinks and real paths ---- */
static ssize_t readlink_ours(const char *path, char *buf, size_t size, int *handled)
{
   struct path_info pi = classify(path);
   *handled = pi.kind != P_NONE;
   if (!*handled)
      return 0;
   if (pi.kind != P_SYS_LINK) {
      errno = pi.kind == P_ABSENT ? ENOENT : EINVAL;
      return -1;
   }
   const char *target =
      !strcmp(pi.leaf, "subsystem") ? "../../../bus/pci" : "../../../bus/pci/drivers/amdgpu";
   size_t n = strlen(target);
   if (n > size)
      n = size;
   memcpy(buf, target, n); /* readlink does not terminate */
   return (ssize_t)n;
}

ssize_t readlink(const char *path, char *buf, size_t size)
{
   int handled;
   ssize_t r = readlink_ours(path, buf, size, &handled);
   return handled ? r : REAL(readlink)(path, buf, size);
}

ssize_t __readlink_chk(const char *path, char *buf, size_t size, size_t buflen);
ssize_t __readlink_chk(const char *path, char *buf, size_t size, size_t buflen)
{
   (void)buflen;
   int handled;
   ssize_t r = readlink_ours(path, buf, size, &handled);
   return handled ? r : REAL(readlink)(path, buf, size);
}

/* Our sysfs and devfs paths are their own real paths (no symlinks in between). */
static char *realpath_ours(const char *path, char *resolved, int *handled)
{
   struct path_info pi = classify(path);
   *handled = pi.kind != P_NONE;
   if (!*handled)
      return NULL;
   if (pi.kind == P_ABSENT) {
      errno = ENOENT;
      return NULL;
   }
   if (!resolved)
      return strdup(path);
   snprintf(resolved, PATH_MAX, "%s", path);
   return resolved;
}

char *realpath(const char *path, char *resolved)
{
   int handled;
   char *r = realpath_ours(path, resolved, &handled);
   return handled ? r : REAL(realpath)(path, resolved);
}

char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
   (void)resolvedlen;
   int handled;
   char *r = realpath_ours(path, resolved, &handled);
   return handled ? r : REAL(realpath)(path, resolved);
}

/* ---- directories: /dev/dri lists the render nodes; .../device/drm lists card and render ---- */
struct fake_dir {
   struct fake_dir *next;
   unsigned n, pos;
   char names[2 + 2 * VGPU_MAX_NODES][16];
   unsigned char types[2 + 2 * VGPU_MAX_NODES];
   struct dirent64 ent;
};
static pthread_mutex_t dirs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_dir *dirs;

static void dir_add(struct fake_dir *d, const char *name, unsigned char type)
{
   snprintf(d->names[d->n], sizeof(d->names[0]), "%s", name);
   d->types[d->n++] = type;
}

DIR *opendir(const char *path)
{
   struct path_info pi = classify(path);
   if (pi.kind == P_NONE)
      return REAL(opendir)(path);
   if (pi.kind != P_DEVDRI && pi.kind != P_SYS_DRM) {
      errno = pi.kind == P_ABSENT ? ENOENT : ENOTDIR;
      return NULL;
   }
   struct fake_dir *d = calloc(1, sizeof(*d));
   if (!d) {
      errno = ENOMEM;
      return NULL;
   }
   dir_add(d, ".", DT_DIR);
   dir_add(d, "..", DT_DIR);
   char name[16];
   if (pi.kind == P_DEVDRI) {
      for (unsigned i = 0; i < vgpu_device_count(); i++) {
         snprintf(name, sizeof(name), "renderD%u", vgpu_device_get(i)->minor);
         dir_add(d, name, DT_CHR);
      }
   } else {
      snprintf(name, sizeof(name), "card%u", pi.dev->index);
      dir_add(d, name, DT_DIR);
      snprintf(name, sizeof(name), "renderD%u", pi.dev->minor);
      dir_add(d, name, DT_DIR);
   }
   pthread_mutex_lock(&dirs_lock);
   d->next = dirs;
   dirs = d;
   pthread_mutex_unlock(&dirs_lock);
   return (DIR *)d;
}

static struct fake_dir *find_dir(DIR *dir)
{
   pthread_mutex_lock(&dirs_lock);
   struct fake_dir *d = dirs;
   while (d && (DIR *)d != dir)
      d = d->next;
   pthread_mutex_unlock(&dirs_lock);
   return d;
}

struct dirent64 *readdir64(DIR *dir)
{
   struct fake_dir *d = find_dir(dir);
   if (!d)
      return REAL(readdir64)(dir);
   if (d->pos >= d->n)
      return NULL;
   memset(&d->ent, 0, sizeof(d->ent));
   d->ent.d_ino = d->pos + 1;
   d->ent.d_off = d->pos + 1;
   d->ent.d_reclen = sizeof(d->ent);
   d->ent.d_type = d->types[d->pos];
   snprintf(d->ent.d_name, sizeof(d->ent.d_name), "%s", d->names[d->pos]);
   d->pos++;
   return &d->ent;
}

struct dirent *readdir(DIR *dir)
{
   if (!find_dir(dir))
      return REAL(readdir)(dir);
   return (struct dirent *)readdir64(dir); /* same layout on LP64 */
}

int closedir(DIR *dir)
{
   pthread_mutex_lock(&dirs_lock);
   for (struct fake_dir **p = &dirs; *p; p = &(*p)->next)
      if ((DIR *)*p == dir) {
         struct fake_dir *d = *p;
         *p = d->next;
         pthread_mutex_unlock(&dirs_lock);
         free(d);
         return 0;
      }
   pthread_mutex_unlock(&dirs_lock);
   return REAL(closedir)(dir);
}
