#include "pm4d_amdgpu_fixture.h"

#include <string.h>

#include "pm4d_drm_recorder.h"

bool fixture_open(struct fixture *f)
{
   memset(f, 0, sizeof(*f));
   rec_reset();
   struct pm4d_pci_addr addr = {.domain = 0, .bus = 3, .dev = 0, .func = 0};
   if (pm4d_amdgpu_device_probe(rec_ops(), addr, &f->dev, f->why, sizeof(f->why)) != PM4D_AMDGPU_OK)
      return false;
   if (pm4d_amdgpu_pool_create(rec_ops(), pm4d_amdgpu_device_handle(f->dev), FIX_POOL_BYTES,
                               AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE, &f->ring, f->why,
                               sizeof(f->why)) != PM4D_AMDGPU_OK)
      return false;
   f->pools[0] = &f->ring;
   struct pm4d_amdgpu_queue_desc desc = {
      .priority = AMDGPU_CTX_PRIORITY_NORMAL,
      .bridge_fd = FIX_BRIDGE_FD,
   };
   return pm4d_amdgpu_queue_create(f->dev, &desc, &f->q, f->why, sizeof(f->why)) == PM4D_AMDGPU_OK;
}

bool fixture_close(struct fixture *f)
{
   pm4d_amdgpu_queue_destroy(f->q);
   pm4d_amdgpu_pool_destroy(&f->ring);
   pm4d_amdgpu_device_destroy(f->dev);
   return rec_all_released();
}

struct pm4d_amdgpu_batch fixture_batch(struct fixture *f, uint64_t id, uint32_t dwords,
                                       uint64_t wait_point, uint64_t signal_point)
{
   struct pm4d_amdgpu_span ib = {0};
   pm4d_amdgpu_pool_alloc(&f->ring, (uint64_t)dwords * 4, 4, &ib, f->why, sizeof(f->why));
   return (struct pm4d_amdgpu_batch){
      .id = id,
      .ib_va = ib.va,
      .ib_bytes = (uint32_t)ib.bytes,
      .pools = f->pools,
      .pool_count = 1,
      .wait_point = wait_point,
      .signal_point = signal_point,
   };
}
