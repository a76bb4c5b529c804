#include "pm4d_gfx.h"

#include <string.h>

static const char *const names[PM4D_GFX_COUNT] = {
   [PM4D_GFX9] = "gfx9",
   [PM4D_GFX10_3] = "gfx10.3",
   [PM4D_GFX11] = "gfx11",
};

/* Targets per level, as the issue lists them (AMDGPUUsage processor table). */
static const struct {
   const char *target;
   enum pm4d_gfx_level level;
} targets[] = {
   {"gfx900", PM4D_GFX9},     {"gfx90a", PM4D_GFX9},     {"gfx1030", PM4D_GFX10_3},
   {"gfx1031", PM4D_GFX10_3}, {"gfx1032", PM4D_GFX10_3}, {"gfx1033", PM4D_GFX10_3},
   {"gfx1034", PM4D_GFX10_3}, {"gfx1035", PM4D_GFX10_3}, {"gfx1036", PM4D_GFX10_3},
   {"gfx1100", PM4D_GFX11},   {"gfx1101", PM4D_GFX11},   {"gfx1102", PM4D_GFX11},
   {"gfx1103", PM4D_GFX11},
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
   for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
      if (strcmp(name, targets[i].target) == 0) {
         *out = targets[i].level;
         return true;
      }
   }
   return false;
}
