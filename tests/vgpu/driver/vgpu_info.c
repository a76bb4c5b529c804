/* DRM_AMDGPU_INFO (amdgpu_kms.c amdgpu_info_ioctl): each answer is copied up to the caller's
 * return_size, as the kernel's copy_to_user(out, &x, min(size, sizeof(x))) does. */
#include "vgpu_ioctls.h"

#include <errno.h>
#include <string.h>

#define GB_ADDR_CONFIG 0x263e /* gc_10_3_0_offset.h mmGB_ADDR_CONFIG */

/* include/uapi/drm/amdgpu_drm.h since DRM 3.55 (kernel 6.7; Debian 12's header lacks it):
 * AMDGPU_INFO_GPUVM_FAULT, struct drm_amdgpu_info_gpuvm_fault, AMDGPU_VMHUB_TYPE_GFX. */
#define VGPU_INFO_GPUVM_FAULT 0x23
#define VGPU_VMHUB_TYPE_GFX   0
struct vgpu_info_gpuvm_fault {
   uint64_t addr;
   uint32_t status;
   uint32_t vmhub;
};
#define VGPU_GPUVM_FAULT_MINOR 55

static int copy_out(const struct drm_amdgpu_info *info, const void *src, size_t n)
{
   memcpy((void *)(uintptr_t)info->return_pointer, src,
          info->return_size < n ? info->return_size : n);
   return 0;
}

static int copy_u32(const struct drm_amdgpu_info *info, uint32_t v)
{
   return copy_out(info, &v, sizeof(v));
}

static int copy_u64(const struct drm_amdgpu_info *info, uint64_t v)
{
   return copy_out(info, &v, sizeof(v));
}

/* amdgpu_hw_ip_info: the model has GFX and COMPUTE engines only; any other known IP type reads
 * as absent (all zeros), as the kernel answers for an IP block the chip lacks. */
static int hw_ip_info(struct vgpu_file *f, const struct drm_amdgpu_info *info)
{
   if (info->query_hw_ip.ip_instance >= AMDGPU_HW_IP_INSTANCE_MAX_COUNT)
      return -EINVAL;
   const struct vgpu_profile *p = f->dev->profile;
   struct drm_amdgpu_info_hw_ip ip = {0};
   if (info->query_hw_ip.type >= AMDGPU_HW_IP_NUM)
      return -EINVAL;
   if (info->query_hw_ip.type <= AMDGPU_HW_IP_COMPUTE) {
      ip = info->query_hw_ip.type == AMDGPU_HW_IP_GFX ? p->gfx : p->compute;
      ip._pad = p->ip_discovery_version; /* ip_discovery_version in the kernel's header */
   }
   return copy_out(info, &ip, sizeof(ip));
}

/* amdgpu_firmware_info */
static int fw_version(struct vgpu_file *f, const struct drm_amdgpu_info *info)
{
   const struct vgpu_profile *p = f->dev->profile;
   struct drm_amdgpu_info_firmware fw = {0};
   switch (info->query_fw.fw_type) {
   case AMDGPU_INFO_FW_GFX_ME:
      fw = (struct drm_amdgpu_info_firmware){p->me.ver, p->me.feature};
      break;
   case AMDGPU_INFO_FW_GFX_PFP:
      fw = (struct drm_amdgpu_info_firmware){p->pfp.ver, p->pfp.feature};
      break;
   case AMDGPU_INFO_FW_GFX_MEC:
      fw = (struct drm_amdgpu_info_firmware){p->mec.ver, p->mec.feature};
      break;
   default:
      if (info->query_fw.fw_type > AMDGPU_INFO_FW_TOC)
         return -EINVAL;
      break; /* firmware the model does not describe reads as version 0 */
   }
   return copy_out(info, &fw, sizeof(fw));
}

static void heap(struct drm_amdgpu_heap_info *out, const struct drm_amdgpu_heap_info *in,
                 uint64_t usage)
{
   out->total_heap_size = in->total_heap_size;
   out->usable_heap_size = in->usable_heap_size;
   out->heap_usage = usage;
   out->max_allocation = in->usable_heap_size * 3 / 4; /* amdgpu_kms.c: usable * 3 / 4 */
}

int vgpu_info_ioctl(struct vgpu_file *f, void *arg)
{
   const struct drm_amdgpu_info *info = arg;
   struct vgpu_device *d = f->dev;
   const struct vgpu_profile *p = d->profile;
   if (!info->return_size || !info->return_pointer)
      return -EINVAL;
   switch (info->query) {
   case AMDGPU_INFO_ACCEL_WORKING: return copy_u32(info, 1);
   case AMDGPU_INFO_HW_IP_INFO: return hw_ip_info(f, info);
   case AMDGPU_INFO_HW_IP_COUNT: /* one GFX and one COMPUTE block, nothing else */
      if (info->query_hw_ip.type >= AMDGPU_HW_IP_NUM)
         return -EINVAL;
      return copy_u32(info, info->query_hw_ip.type <= AMDGPU_HW_IP_COMPUTE);
   case AMDGPU_INFO_TIMESTAMP: /* ticks of gpu_counter_freq (kHz) */
      return copy_u64(info, vgpu_now_ns() / (1000000ull / p->dev.gpu_counter_freq));
   case AMDGPU_INFO_FW_VERSION: return fw_version(f, info);
   case AMDGPU_INFO_NUM_BYTES_MOVED:
   case AMDGPU_INFO_NUM_EVICTIONS:
   case AMDGPU_INFO_NUM_VRAM_CPU_PAGE_FAULTS: return copy_u64(info, 0);
   case AMDGPU_INFO_VRAM_USAGE:
   case AMDGPU_INFO_GTT_USAGE:
   case AMDGPU_INFO_VIS_VRAM_USAGE: {
      pthread_mutex_lock(&d->lock);
      uint64_t v = info->query == AMDGPU_INFO_VRAM_USAGE  ? d->vram_usage
                   : info->query == AMDGPU_INFO_GTT_USAGE ? d->gtt_usage
                                                          : d->vis_vram_usage;
      pthread_mutex_unlock(&d->lock);
      return copy_u64(info, v);
   }
   case AMDGPU_INFO_GDS_CONFIG: {
      struct drm_amdgpu_info_gds gds = {0};
      return copy_out(info, &gds, sizeof(gds));
   }
   case AMDGPU_INFO_VRAM_GTT: {
      struct drm_amdgpu_info_vram_gtt vg = {
         .vram_size = p->mem.vram.usable_heap_size,
         .vram_cpu_accessible_size =
            p->mem.cpu_accessible_vram.usable_heap_size < p->mem.vram.usable_heap_size
               ? p->mem.cpu_accessible_vram.usable_heap_size
               : p->mem.vram.usable_heap_size,
         .gtt_size = p->mem.gtt.usable_heap_size,
      };
      return copy_out(info, &vg, sizeof(vg));
   }
   case AMDGPU_INFO_READ_MMR_REG: {
      uint32_t count = info->read_mmr_reg.count;
      uint32_t regs[128];
      if (count > 128)
         return -EINVAL;
      for (uint32_t i = 0; i < count; i++) {
         if (info->read_mmr_reg.dword_offset + i != GB_ADDR_CONFIG) {
            vgpu_log(1, "unallowed offset %#x", info->read_mmr_reg.dword_offset + i);
            return -EFAULT; /* amdgpu_asic_read_register refused it */
         }
         regs[i] = p->gb_addr_config;
      }
      return copy_out(info, regs, count * sizeof(uint32_t));
   }
   case AMDGPU_INFO_DEV_INFO: return copy_out(info, &p->dev, sizeof(p->dev));
   case AMDGPU_INFO_MEMORY: {
      struct drm_amdgpu_memory_info m = {0};
      pthread_mutex_lock(&d->lock);
      heap(&m.vram, &p->mem.vram, d->vram_usage);
      heap(&m.cpu_accessible_vram, &p->mem.cpu_accessible_vram, d->vis_vram_usage);
      heap(&m.gtt, &p->mem.gtt, d->gtt_usage);
      pthread_mutex_unlock(&d->lock);
      return copy_out(info, &m, sizeof(m));
   }
   case AMDGPU_INFO_VRAM_LOST_COUNTER: return copy_u32(info, atomic_load(&d->vram_lost_counter));
   case VGPU_INFO_GPUVM_FAULT: { /* amdgpu_kms.c: the last fault (amdgpu_vm_update_fault_cache) */
      if (vgpu_drm_minor() < VGPU_GPUVM_FAULT_MINOR)
         break; /* an older kernel does not know the query */
      struct vgpu_info_gpuvm_fault out = {.vmhub = VGPU_VMHUB_TYPE_GFX};
      pthread_mutex_lock(&f->lock);
      out.addr = f->last_fault.addr;
      out.status = f->last_fault.status;
      pthread_mutex_unlock(&f->lock);
      return copy_out(info, &out, sizeof(out));
   }
   case AMDGPU_INFO_SENSOR:
      return -ENOENT; /* "if (!adev->pm.dpm_enabled) return -ENOENT": no power management */
   case AMDGPU_INFO_VIDEO_CAPS: { /* no video engines: every codec unsupported */
      struct drm_amdgpu_info_video_caps caps = {0};
      return copy_out(info, &caps, sizeof(caps));
   }
   default: break;
   }
   vgpu_log(1, "INFO query 0x%x is not modelled: -EINVAL", info->query);
   return -EINVAL;
}
