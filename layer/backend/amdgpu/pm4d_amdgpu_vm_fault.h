/* GPU page faults as the kernel reports them to user space: AMDGPU_INFO_GPUVM_FAULT, the last
 * fault of the DRM file's GPU VM (amdgpu_kms.c amdgpu_info_ioctl, from DRM 3.55, kernel 6.7).
 * A fault does not fail the job that made it (gmc_v10_0.c gmc_v10_0_process_interrupt logs it,
 * amdgpu_vm.c amdgpu_vm_update_fault_cache records it), so this is the only way a process
 * learns that one of its jobs wrote or read unmapped memory. */
#ifndef PM4D_AMDGPU_VM_FAULT_H
#define PM4D_AMDGPU_VM_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "pm4d_amdgpu_device.h"

/* include/uapi/drm/amdgpu_drm.h (Linux 6.7+; Debian 12's libdrm header predates it):
 * AMDGPU_INFO_GPUVM_FAULT 0x23, struct drm_amdgpu_info_gpuvm_fault {__u64 addr; __u32 status;
 * __u32 vmhub;}, AMDGPU_VMHUB_TYPE_MASK 0xff (GFX 0, MM0 1, MM1 2), AMDGPU_VMHUB_IDX_MASK 0xff00. */
#define PM4D_AMDGPU_INFO_GPUVM_FAULT  0x23u
#define PM4D_AMDGPU_GPUVM_FAULT_MINOR 55u /* amdgpu_drv.c KMS_DRIVER_MINOR history: 3.55 */
#define PM4D_AMDGPU_VMHUB_TYPE_MASK   0xFFu
#define PM4D_AMDGPU_VMHUB_IDX_SHIFT   8
struct pm4d_amdgpu_gpuvm_fault {
   uint64_t addr;   /* the faulting page's GPU address (sign-extended, as user space has it) */
   uint32_t status; /* the hub's L2 PROTECTION_FAULT_STATUS register */
   uint32_t vmhub;
};

/* Whether the kernel answers the query (DRM 3.55 or later). */
int pm4d_amdgpu_vm_fault_supported(const struct pm4d_amdgpu_device *dev);
/* The last fault of the shared DRM file's VM (all zeros: none yet). The kernel keeps one record
 * per VM, overwritten by each fault with a non-zero status, never cleared: a caller tells a
 * new fault from the one it saw last by comparing records. UNSUPPORTED below DRM 3.55. */
enum pm4d_amdgpu_status pm4d_amdgpu_vm_fault_query(const struct pm4d_amdgpu_device *dev,
                                                   struct pm4d_amdgpu_gpuvm_fault *out);
/* One line for a fault record: address, hub, and the status register's fields. */
void pm4d_amdgpu_vm_fault_describe(const struct pm4d_amdgpu_gpuvm_fault *f, char *buf, size_t n);

#endif
