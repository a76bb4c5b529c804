/* libFuzzer: the known-shader table parser on arbitrary text; every entry it accepts is then
 * run through extraction with push-constant and specialization bytes taken from the input. */
#include "pm4d_conv2d_extract.h"
#include "pm4d_shader_table.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   struct pm4d_shader_table t;
   char err[256];
   uint8_t push[256] = {0}, valid[256];
   uint32_t spec_data[16] = {0};
   VkSpecializationMapEntry map[16];
   VkSpecializationInfo spec = {16, map, sizeof(spec_data), spec_data};
   struct pm4d_conv2d_range ranges[4] = {
      {0, 0, 1u << 30}, {0, 1, 1u << 30}, {0, 2, 1u << 30}, {0, 3, 1u << 30}};
   struct pm4d_conv2d_dispatch d = {push, valid, sizeof(push), NULL, &spec, ranges, 4};
   struct pm4d_conv2d_job_desc job;
   char *text = malloc(size ? size : 1);

   if (!text)
      return 0;
   memcpy(text, data, size);
   /* The tail of the input doubles as push constants and spec values. */
   memcpy(push, data + (size > sizeof(push) ? size - sizeof(push) : 0),
          size < sizeof(push) ? size : sizeof(push));
   memcpy(spec_data, push, sizeof(spec_data));
   for (size_t i = 0; i < sizeof(valid); i++)
      valid[i] = push[i] != 0xff;
   for (uint32_t i = 0; i < 16; i++)
      map[i] = (VkSpecializationMapEntry){i, i * 4, 4};

   pm4d_shader_table_init(&t);
   if (pm4d_shader_table_parse(&t, text, size, "fuzz", err, sizeof(err)) ==
          PM4D_SHADER_TABLE_SYNTAX &&
       strncmp(err, "fuzz:", 5) != 0)
      abort();
   pm4d_shader_table_finish(&t);
   for (size_t i = 0; i < t.count; i++) {
      enum pm4d_conv2d_pt pt = pm4d_conv2d_extract(&t.entries[i], &d, &job);
      if (pt >= PM4D_CONV2D_PT_COUNT ||
          (pt == PM4D_CONV2D_REDIRECT && (job.params.oh == 0 || job.params.ow == 0)))
         abort();
      if (pm4d_shader_table_lookup(&t, t.entries[i].fingerprint, t.entries[i].entry_point) !=
          &t.entries[i])
         abort();
   }
   pm4d_shader_table_free(&t);
   free(text);
   return 0;
}
