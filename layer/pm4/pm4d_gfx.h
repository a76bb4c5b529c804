/* GFX levels the direct path knows; the AMD targets (gfxNNNN names) of each are in
 * pm4d_device_info.c. */
#ifndef PM4D_GFX_H
#define PM4D_GFX_H

#include <stdbool.h>

enum pm4d_gfx_level {
   PM4D_GFX9,    /* gfx900, gfx90a */
   PM4D_GFX10_3, /* gfx1030 .. gfx1036 */
   PM4D_GFX11,   /* gfx1100 .. gfx1103 */
   PM4D_GFX_COUNT
};

/* "gfx9", "gfx10.3", "gfx11" */
const char *pm4d_gfx_name(enum pm4d_gfx_level level);
/* Accepts a level name ("gfx10.3") or a target name ("gfx1030"); false when unknown. */
bool pm4d_gfx_parse(const char *name, enum pm4d_gfx_level *out);

#endif
