/* The generated headers define one array each, so they are included in this file only. */
#include "pm4d_glsl.h"

#include "pm4d_conv2d_1x1.spv.h"
#include "pm4d_conv2d_direct.spv.h"

static const struct pm4d_glsl_spirv pm4d_glsl_table[PM4D_GLSL_SHADER_COUNT] = {
   [PM4D_GLSL_CONV2D_DIRECT] = {"pm4d_conv2d_direct", pm4d_conv2d_direct_spv,
                                sizeof(pm4d_conv2d_direct_spv)},
   [PM4D_GLSL_CONV2D_1X1] = {"pm4d_conv2d_1x1", pm4d_conv2d_1x1_spv, sizeof(pm4d_conv2d_1x1_spv)},
};

const struct pm4d_glsl_spirv *pm4d_glsl_get(enum pm4d_glsl_shader id)
{
   if ((unsigned)id >= PM4D_GLSL_SHADER_COUNT)
      return NULL;
   return &pm4d_glsl_table[id];
}
