#include "pm4d_amdgpu_target.h"

#include "pm4d_device_info.h"

bool pm4d_amdgpu_target_identify(uint32_t family_id, uint32_t chip_external_rev,
                                 struct pm4d_amdgpu_target *out)
{
   const struct pm4d_device_info *d = pm4d_device_info_identify(family_id, chip_external_rev);
   if (d) {
      out->name = d->name;
      out->gfx_level = d->level;
   }
   return d != NULL;
}
