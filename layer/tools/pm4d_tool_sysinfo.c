#include "pm4d_tool_sysinfo.h"

#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

/* struct drm_version and DRM_IOCTL_VERSION: /usr/include/libdrm/drm.h (libdrm-dev, the kernel's
 * include/uapi/drm/drm.h). */
#include <drm.h>

#include "pm4d_tool_spawn.h"

/* Render nodes are minors 128..191 (drivers/gpu/drm/drm_drv.c, DRM_MINOR_RENDER); a machine has
 * few, and they are numbered from 128 without gaps in practice. */
#define FIRST_RENDER_MINOR 128
#define MAX_RENDER_NODES   8

static void drm_nodes(FILE *out)
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
      if (ioctl(fd, DRM_IOCTL_VERSION, &v) == 0)
         fprintf(out, "DRM: %s: %s %d.%d.%d (%s)\n", path, name, v.version_major, v.version_minor,
                 v.version_patchlevel, date);
      else
         fprintf(out, "DRM: %s: DRM_IOCTL_VERSION failed\n", path);
      close(fd);
      found++;
   }
   if (!found)
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
