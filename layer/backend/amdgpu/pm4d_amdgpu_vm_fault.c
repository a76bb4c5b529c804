#include "pm4d_amdgpu_vm_fault.h"

#include <stdio.h>
#include <string.h>

/* L2 PROTECTION_FAULT_STATUS fields, the layout gfxhub and mmhub share (mmhub_3_3_0_sh_mask.h
 * MMVM_L2_PROTECTION_FAULT_STATUS, gc_10_3_0_sh_mask.h GCVM_L2_PROTECTION_FAULT_STATUS):
 * MORE_FAULTS bit 0, WALKER_ERROR 3:1, PERMISSION_FAULTS 7:4, MAPPING_ERROR bit 8, CID 17:9,
 * RW bit 18 (1: a write). */
#define ST_MORE_FAULTS(s)       ((s)&1u)
#define ST_WALKER_ERROR(s)      (((s) >> 1) & 7u)
#define ST_PERMISSION_FAULTS(s) (((s) >> 4) & 0xFu)
#define ST_MAPPING_ERROR(s)     (((s) >> 8) & 1u)
#define ST_CID(s)               (((s) >> 9) & 0x1FFu)
#define ST_RW(s)                (((s) >> 18) & 1u)

/* amdgpu_gmc.h AMDGPU_GMC_HOLE_START / _END and amdgpu_gmc_sign_extend: the interrupt gives a
 * 48-bit page address (gmc_v10_0.c: src_data[0] << 12 | (src_data[1] & 0xf) << 44); user space
 * (RADV's buffer device addresses, our jobs') uses the canonical, sign-extended form. */
#define GMC_HOLE_START 0x0000800000000000ull
#define GMC_HOLE_END   0xffff800000000000ull

int pm4d_amdgpu_vm_fault_supported(const struct pm4d_amdgpu_device *dev)
{
   uint32_t major, minor;
   pm4d_amdgpu_device_drm_version(dev, &major, &minor);
   return major > 3 || (major == 3 && minor >= PM4D_AMDGPU_GPUVM_FAULT_MINOR);
}

enum pm4d_amdgpu_status pm4d_amdgpu_vm_fault_query(const struct pm4d_amdgpu_device *dev,
                                                   struct pm4d_amdgpu_gpuvm_fault *out)
{
   memset(out, 0, sizeof(*out));
   if (!pm4d_amdgpu_vm_fault_supported(dev))
      return PM4D_AMDGPU_UNSUPPORTED_KERNEL;
   /* The kernel copies min(return_size, sizeof) bytes (amdgpu_info_ioctl). */
   int r = pm4d_amdgpu_device_ops(dev)->query_info(pm4d_amdgpu_device_handle(dev),
                                                   PM4D_AMDGPU_INFO_GPUVM_FAULT, sizeof(*out), out);
   if (r)
      return PM4D_AMDGPU_DRM_ERROR;
   if (out->addr >= GMC_HOLE_START)
      out->addr |= GMC_HOLE_END;
   return PM4D_AMDGPU_OK;
}

void pm4d_amdgpu_vm_fault_describe(const struct pm4d_amdgpu_gpuvm_fault *f, char *buf, size_t n)
{
   static const char *const hubs[] = {"gfxhub", "mmhub0", "mmhub1"};
   uint32_t type = f->vmhub & PM4D_AMDGPU_VMHUB_TYPE_MASK, s = f->status;
   snprintf(buf, n,
            "address 0x%llx, %s%u, status 0x%08x (%s, %s%s, walker error %u, permission "
            "faults 0x%x, client %u)",
            (unsigned long long)f->addr, type < 3 ? hubs[type] : "hub?",
            f->vmhub >> PM4D_AMDGPU_VMHUB_IDX_SHIFT, s, ST_RW(s) ? "write" : "read",
            ST_MAPPING_ERROR(s) ? "no valid mapping" : "mapped",
            ST_MORE_FAULTS(s) ? ", more faults" : "", ST_WALKER_ERROR(s), ST_PERMISSION_FAULTS(s),
            ST_CID(s));
}
