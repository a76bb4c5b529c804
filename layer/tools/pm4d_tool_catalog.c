#include "pm4d_tool_catalog.h"

#include <stdio.h>
#include <string.h>

enum pm4d_status pm4d_tool_catalog_load(struct pm4d_tool_catalog *c, char *reason,
                                        size_t reason_size)
{
   const struct pm4d_code_object *co;
   size_t n = pm4d_embedded_code_objects(&co);
   c->count = 0;
   for (size_t i = 0; i < n && i < PM4D_TOOL_MAX_OBJECTS; i++) {
      struct pm4d_tool_object *o = &c->objects[c->count];
      char why[256];
      enum pm4d_codeobj_status st =
         pm4d_codeobj_load(co[i].elf, co[i].size, &o->info, why, sizeof(why));
      if (st != PM4D_CODEOBJ_OK) {
         snprintf(reason, reason_size, "embedded code object for %s: %s: %s", co[i].target,
                  pm4d_codeobj_status_name(st), why);
         return PM4D_ERR_INVALID;
      }
      o->load_addr = PM4D_TOOL_CODE_BASE + PM4D_TOOL_CODE_STRIDE * c->count;
      c->count++;
   }
   return PM4D_OK;
}

static uint64_t entry_of(const struct pm4d_tool_object *o, const struct pm4d_kernel_desc *k)
{
   return o->load_addr + k->desc_offset + (uint64_t)k->entry_offset;
}

const struct pm4d_kernel_desc *pm4d_tool_catalog_find(const struct pm4d_tool_catalog *c,
                                                      const char *gfx, const char *name,
                                                      uint64_t *entry_addr, const char **target)
{
   enum pm4d_gfx_level want, have;
   if (!pm4d_gfx_parse(gfx, &want))
      return NULL;
   bool exact = false;
   for (uint32_t i = 0; i < c->count; i++)
      exact |= strcmp(c->objects[i].info.target, gfx) == 0;
   /* A target with no code object (gfx900 when none was built) is not stood in for by another
    * target of its level: only a level name picks by level. */
   if (!exact && strcmp(pm4d_gfx_name(want), gfx) != 0)
      return NULL;
   for (uint32_t i = 0; i < c->count; i++) {
      const struct pm4d_tool_object *o = &c->objects[i];
      if (exact ? strcmp(o->info.target, gfx) != 0
                : !pm4d_gfx_parse(o->info.target, &have) || have != want)
         continue;
      const struct pm4d_kernel_desc *k = pm4d_codeobj_find(&o->info, name);
      if (k) {
         *entry_addr = entry_of(o, k);
         *target = o->info.target;
         return k;
      }
   }
   return NULL;
}

enum pm4d_status pm4d_tool_catalog_register(const struct pm4d_tool_catalog *c,
                                            struct pm4d_validator *v, enum pm4d_gfx_level level)
{
   enum pm4d_status st =
      pm4d_validator_add_kernarg(v, PM4D_TOOL_KERNARG_BASE, PM4D_TOOL_KERNARG_SIZE);
   if (st == PM4D_OK)
      st = pm4d_validator_add_fence(v, PM4D_TOOL_FENCE_BASE, PM4D_TOOL_FENCE_SIZE);
   for (uint32_t i = 0; i < c->count && st == PM4D_OK; i++) {
      const struct pm4d_tool_object *o = &c->objects[i];
      enum pm4d_gfx_level have;
      if (!pm4d_gfx_parse(o->info.target, &have) || have != level)
         continue;
      for (uint32_t k = 0; k < o->info.num_kernels && st == PM4D_OK; k++) {
         const struct pm4d_kernel_desc *d = &o->info.kernels[k];
         uint64_t entry = entry_of(o, d);
         st = pm4d_validator_add_program(v, entry, o->load_addr + o->info.image_size - entry, d);
      }
   }
   return st;
}
