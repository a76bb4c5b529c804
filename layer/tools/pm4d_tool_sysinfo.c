#include "pm4d_tool_sysinfo.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

/* struct drm_version and DRM_IOCTL_VERSION: /usr/include/libdrm/drm.h (libdrm-dev, the kernel's
 * include/uapi/drm/drm.h); DRM_IOCTL_AMDGPU_INFO, AMDGPU_INFO_DEV_INFO and struct
 * drm_amdgpu_info_device: amdgpu_drm.h beside it. */
#include <amdgpu_drm.h>
#include <drm.h>

#include "pm4d_device_info.h"

#include "pm4d_tool_spawn.h"

/* Render nodes are minors 128..191 (drivers/gpu/drm/drm_drv.c, DRM_MINOR_RENDER); a machine has
 * few, and they are numbered from 128 without gaps in practice. */
#define FIRST_RENDER_MINOR 128
#define MAX_RENDER_NODES   8

/* An amdgpu node's family and external revision (what libdrm's amdgpu_query_gpu_info reports
 * as family_id and chip_external_rev) and the target they identify; false when the query fails. */
static bool amdgpu_node(int fd, uint32_t *family, uint32_t *rev, const char **target)
{
   struct drm_amdgpu_info_device dev = {0};
   struct drm_amdgpu_info q = {
      .return_pointer = (uintptr_t)&dev, .return_size = sizeof(dev), .query = AMDGPU_INFO_DEV_INFO};
   if (ioctl(fd, DRM_IOCTL_AMDGPU_INFO, &q) != 0)
      return false;
   *family = dev.family;
   *rev = dev.external_rev;
   const struct pm4d_device_info *info = pm4d_device_info_identify(dev.family, dev.external_rev);
   *target = info ? info->name : NULL;
   return true;
}

/* Calls fn for each render node that opens, with its path, its fd and the version the
 * kernel reports (name "" when DRM_IOCTL_VERSION fails); returns how many opened. */
static int each_node(void (*fn)(void *, const char *, int, const struct drm_version *), void *user)
{
   int found = 0;
   for (int i = 0; i < MAX_RENDER_NODES; i++) {
      char path[32], name[64] = "", date[64] = "";
      snprintf(path, sizeof(path), "/dev/dri/renderD%d", FIRST_RENDER_MINOR + i);
      int fd = open(path, O_RDWR | O_CLOEXEC);
      if (fd < 0)
         continue;
      struct drm_version v = {
         .name_len = sizeof(name) - 1, .name = name, .date_len = sizeof(date) - 1, .date = date};
      if (ioctl(fd, DRM_IOCTL_VERSION, &v) != 0)
         name[0] = '\0';
      fn(user, path, fd, &v);
      close(fd);
      found++;
   }
   return found;
}

static void print_node(void *user, const char *path, int fd, const struct drm_version *v)
{
   FILE *out = user;
   uint32_t family, rev;
   const char *target;
   if (!v->name[0]) {
      fprintf(out, "DRM: %s: DRM_IOCTL_VERSION failed\n", path);
      return;
   }
   fprintf(out, "DRM: %s: %s %d.%d.%d (%s)", path, v->name, v->version_major, v->version_minor,
           v->version_patchlevel, v->date);
   if (!strcmp(v->name, "amdgpu") && amdgpu_node(fd, &family, &rev, &target))
      fprintf(out, ", family %u, external revision 0x%x: %s", family, rev,
              target ? target : "not a target pm4direct knows");
   fputc('\n', out);
}

struct first_target {
   char *buf;
   size_t size;
};

static void first_target(void *user, const char *path, int fd, const struct drm_version *v)
{
   struct first_target *f = user;
   uint32_t family, rev;
   const char *target;
   (void)path;
   if (!f->buf[0] && !strcmp(v->name, "amdgpu") && amdgpu_node(fd, &family, &rev, &target) &&
       target)
      snprintf(f->buf, f->size, "%s", target);
}

void pm4d_tool_sysinfo_amdgpu_target(char *buf, size_t size)
{
   struct first_target f = {buf, size};
   buf[0] = '\0';
   each_node(first_target, &f);
}

static void drm_nodes(FILE *out)
{
   if (!each_node(print_node, out))
      fprintf(out, "DRM: no render node opens (/dev/dri/renderD%d..%d)\n", FIRST_RENDER_MINOR,
              FIRST_RENDER_MINOR + MAX_RENDER_NODES - 1);
}

void pm4d_tool_sysinfo(FILE *out)
{
   struct utsname u;
   if (uname(&u) == 0)
      fprintf(out, "kernel: %s %s %s %s\n", u.sysname, u.release, u.version, u.machine);
   drm_nodes(out);
   fprintf(out, "libdrm: pm4direct built against libdrm_amdgpu %s\n", PM4D_TOOL_LIBDRM_BUILT);
   /* What is installed, where the package manager can say (Debian's package names). */
   static const char *const pkgs[] = {"libdrm-amdgpu1", "libdrm2", "mesa-vulkan-drivers"};
   for (size_t i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++) {
      char line[160];
      char *argv[] = {"/usr/bin/dpkg-query", "-W", "-f=${Package} ${Version} ${Architecture}",
                      (char *)pkgs[i], NULL};
      if (access(argv[0], X_OK) != 0)
         break;
      pm4d_tool_spawn_line(argv, line, sizeof(line));
      if (line[0])
         fprintf(out, "package: %s\n", line);
      else
         fprintf(out, "package: %s not installed\n", pkgs[i]);
   }
}
