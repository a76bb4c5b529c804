/* The device-info table (layer/pm4/pm4d_device_info.c) against the code objects clang built:
 * every table target has an embedded code object, whose ELF e_flags machine byte (read here from
 * the raw header, not through the loader) and whose kernels' wave size (kernel descriptor) agree
 * with its row; every row's level round-trips through pm4d_gfx_parse; revision ranges of one
 * family do not overlap. Skips when the build embedded no code objects. */
#include <stdio.h>
#include <string.h>

#include "pm4d_check.h"
#include "pm4d_codeobj.h"
#include "pm4d_device_info.h"

int main(void)
{
   size_t ndev, nco;
   const struct pm4d_device_info *dev = pm4d_device_info_all(&ndev);
   const struct pm4d_code_object *co;
   nco = pm4d_embedded_code_objects(&co);
   if (!nco) {
      printf("SKIPPED: this build embedded no code objects\n");
      return 77;
   }
   CHECKF(nco == ndev, "%zu code objects for %zu table targets", nco, ndev);
   for (size_t i = 0; i < ndev; i++) {
      const struct pm4d_device_info *d = &dev[i];
      enum pm4d_gfx_level level;
      CHECKF(pm4d_gfx_parse(d->name, &level) && level == d->level, "%s: level", d->name);
      for (size_t j = 0; j < ndev; j++)
         CHECKF(j == i || d->family_id != dev[j].family_id || d->rev_end <= dev[j].rev_first ||
                   dev[j].rev_end <= d->rev_first,
                "%s and %s overlap in family %u", d->name, dev[j].name, d->family_id);
      const struct pm4d_code_object *c = pm4d_embedded_code_object_for(d->name);
      CHECKF(c != NULL, "no embedded code object for %s", d->name);
      if (!c)
         continue;
      /* ELF64 header: e_flags at byte 48, little-endian; EF_AMDGPU_MACH is its low byte. */
      CHECKF(c->size > 52 && c->elf[48] == d->elf_mach, "%s: e_flags machine 0x%02x, table 0x%02x",
             d->name, c->size > 52 ? c->elf[48] : 0, d->elf_mach);
      struct pm4d_codeobj_info info;
      char why[256];
      CHECKF(pm4d_codeobj_load(c->elf, c->size, &info, why, sizeof(why)) == PM4D_CODEOBJ_OK,
             "%s: %s", d->name, why);
      for (uint32_t k = 0; k < info.num_kernels; k++)
         CHECKF(info.kernels[k].wave_size == (d->wave32 ? 32u : 64u), "%s %s: wave %u", d->name,
                info.kernels[k].name, info.kernels[k].wave_size);
   }
   CHECK(pm4d_device_info_find("gfx1037") == NULL && pm4d_device_info_identify(143, 0x50) == NULL);
   return pm4d_check_finish("test_device_info");
}
