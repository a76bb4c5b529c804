/* Device profiles of the virtual AMD GPU: the values a real amdgpu kernel reports for one card. */
#ifndef VGPU_PROFILE_H
#define VGPU_PROFILE_H

#include <stdint.h>

#include <libdrm/amdgpu_drm.h>

struct vgpu_fw {
   uint32_t ver, feature;
};

struct vgpu_profile {
   const char *name;        /* VGPU_PROFILE value, e.g. "gfx1030-rebar" */
   const char *cp_target;   /* vgpu_cp_create() target */
   const char *description; /* for scripts/vgpu --list */
   struct drm_amdgpu_info_device dev;
   /* HW_IP_INFO for GFX and COMPUTE; ip_discovery goes where the installed header has _pad (the
    * kernel's amdgpu_drm.h names that field ip_discovery_version, same offset). */
   struct drm_amdgpu_info_hw_ip gfx, compute;
   uint32_t ip_discovery_version;
   struct vgpu_fw me, pfp, mec;
   uint32_t gb_addr_config; /* the one register READ_MMR_REG answers (0x263e) */
   struct drm_amdgpu_memory_info mem;
   uint16_t subsystem_vendor, subsystem_device;
};

/* The profile named name, or NULL. */
const struct vgpu_profile *vgpu_profile_find(const char *name);
/* All profiles, NULL-terminated. */
const struct vgpu_profile *const *vgpu_profile_all(void);

#endif
