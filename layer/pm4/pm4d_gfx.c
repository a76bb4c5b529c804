#include "pm4d_gfx.h"

#include "pm4d_device_info.h"

#include <string.h>

static const char *const names[PM4D_GFX_COUNT] = {
   [PM4D_GFX9] = "gfx9",
   [PM4D_GFX10_3] = "gfx10.3",
   [PM4D_GFX11] = "gfx11",
};

const char *pm4d_gfx_name(enum pm4d_gfx_level level)
{
   return (unsigned)level < PM4D_GFX_COUNT ? names[level] : "unknown";
}

bool pm4d_gfx_parse(const char *name, enum pm4d_gfx_level *out)
{
   if (!name)
      return false;
   for (unsigned i = 0; i < PM4D_GFX_COUNT; i++) {
      if (strcmp(name, names[i]) == 0) {
         *out = (enum pm4d_gfx_level)i;
         return true;
      }
   }
   const struct pm4d_device_info *d = pm4d_device_info_find(name);
   if (d)
      *out = d->level;
   return d != NULL;
}
