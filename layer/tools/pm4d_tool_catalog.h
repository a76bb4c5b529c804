/* The kernels the pm4direct tool knows (every kernel of every embedded code object) and the
 * fixed GPU address plan it emits and validates against:
 *   code object i   loaded at PM4D_TOOL_CODE_BASE + i * PM4D_TOOL_CODE_STRIDE
 *                   (kernel entry = load address + desc_offset + entry_offset)
 *   kernarg buffer  PM4D_TOOL_KERNARG_BASE, PM4D_TOOL_KERNARG_SIZE bytes
 *   fence buffer    PM4D_TOOL_FENCE_BASE, PM4D_TOOL_FENCE_SIZE bytes */
#ifndef PM4D_TOOL_CATALOG_H
#define PM4D_TOOL_CATALOG_H

#include <stdint.h>

#include "pm4d_codeobj.h"
#include "pm4d_validate.h"

#define PM4D_TOOL_CODE_BASE    0x00007F0000000000ull
#define PM4D_TOOL_CODE_STRIDE  0x100000ull
#define PM4D_TOOL_KERNARG_BASE 0x00007E0000000000ull
#define PM4D_TOOL_KERNARG_SIZE 0x10000ull
#define PM4D_TOOL_FENCE_BASE   0x00007D0000000000ull
#define PM4D_TOOL_FENCE_SIZE   0x1000ull
#define PM4D_TOOL_MAX_OBJECTS  16u

struct pm4d_tool_object {
   uint64_t load_addr;
   struct pm4d_codeobj_info info;
};

struct pm4d_tool_catalog {
   uint32_t count;
   struct pm4d_tool_object objects[PM4D_TOOL_MAX_OBJECTS];
};

/* Loads every embedded code object; a load failure is an error with a reason. */
enum pm4d_status pm4d_tool_catalog_load(struct pm4d_tool_catalog *c, char *reason,
                                        size_t reason_size);
/* The kernel `name` for `gfx`: a target that emit --list prints ("gfx1036": that code object)
 * or a level it prints ("gfx10.3": the first code object of that level); *target = the code
 * object's target. NULL when gfx is neither or the kernel is absent. */
const struct pm4d_kernel_desc *pm4d_tool_catalog_find(const struct pm4d_tool_catalog *c,
                                                      const char *gfx, const char *name,
                                                      uint64_t *entry_addr, const char **target);
/* Registers every kernel of `level`, the kernarg and the fence buffer with the validator. */
enum pm4d_status pm4d_tool_catalog_register(const struct pm4d_tool_catalog *c,
                                            struct pm4d_validator *v, enum pm4d_gfx_level level);

#endif
