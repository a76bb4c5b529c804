#include "pm4d_conv2d_recognize.h"

#include "pm4d_fingerprint.h"

enum pm4d_conv2d_pt pm4d_conv2d_recognize(const struct pm4d_shader_table *table,
                                          const uint32_t *code, size_t size_bytes,
                                          struct pm4d_conv2d_module *out)
{
   out->fingerprint = 0;
   out->bad_word = 0;
   out->resembles = NULL;
   out->spirv = pm4d_spirv_parse(code, size_bytes, &out->info, &out->bad_word);
   if (out->spirv == PM4D_SPIRV_OK)
      out->spirv = pm4d_fingerprint_compute(code, size_bytes, &out->fingerprint);
   if (out->spirv != PM4D_SPIRV_OK)
      return PM4D_CONV2D_PT_MALFORMED_SPIRV;
   if (!pm4d_shader_table_lookup(table, out->fingerprint, out->info.entry_point)) {
      out->resembles = pm4d_conv2d_resembles(table, &out->info);
      return PM4D_CONV2D_PT_UNKNOWN_SHADER;
   }
   return PM4D_CONV2D_REDIRECT;
}
