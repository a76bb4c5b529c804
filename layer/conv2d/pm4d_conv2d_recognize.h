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
   /* PM4D_CONV2D_PT_UNKNOWN_SHADER only: a known conv2d entry whose interface the module has
    * (a new build of a known shader, say a llama.cpp release), else NULL. */
   const struct pm4d_shader_entry *resembles;
};

/* PM4D_CONV2D_REDIRECT when the module is well-formed and its fingerprint is in the table;
 * else PM4D_CONV2D_PT_MALFORMED_SPIRV or PM4D_CONV2D_PT_UNKNOWN_SHADER (then out->resembles). */
enum pm4d_conv2d_pt pm4d_conv2d_recognize(const struct pm4d_shader_table *table,
                                          const uint32_t *code, size_t size_bytes,
                                          struct pm4d_conv2d_module *out);

/* The first conv2d entry of the table whose interface the module has: the same entry point,
 * exactly the entry's storage buffers (set, binding), a 4-byte push-constant member at every
 * offset the entry reads, and every specialization constant it reads; NULL when none. */
const struct pm4d_shader_entry *pm4d_conv2d_resembles(const struct pm4d_shader_table *table,
                                                      const struct pm4d_spirv_info *info);

#endif
