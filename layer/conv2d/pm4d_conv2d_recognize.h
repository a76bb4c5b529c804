/* Module-level recognition, what vkCreateShaderModule (or inline SPIR-V at pipeline creation)
 * runs: parse, fingerprint, and whether the table has an entry for the fingerprint and the
 * module's first GLCompute entry point. The pipeline's pName is only known at pipeline creation:
 * pm4d_shader_table_lookup(table, module.fingerprint, pName) then gives the entry. */
#ifndef PM4D_CONV2D_RECOGNIZE_H
#define PM4D_CONV2D_RECOGNIZE_H

#include "pm4d_conv2d_extract.h"
#include "pm4d_shader_table.h"
#include "pm4d_spirv.h"

#include <stddef.h>
#include <stdint.h>

struct pm4d_conv2d_module {
   uint64_t fingerprint;
   struct pm4d_spirv_info info;  /* spec-constant defaults for extraction */
   enum pm4d_spirv_status spirv; /* why the module was malformed */
   size_t bad_word;
};

/* PM4D_CONV2D_REDIRECT when the module is well-formed and its fingerprint is in the table;
 * else PM4D_CONV2D_PT_MALFORMED_SPIRV or PM4D_CONV2D_PT_UNKNOWN_SHADER. */
enum pm4d_conv2d_pt pm4d_conv2d_recognize(const struct pm4d_shader_table *table,
                                          const uint32_t *code, size_t size_bytes,
                                          struct pm4d_conv2d_module *out);

#endif
