/* Target and status names of the model. */
#include <string.h>

#include "pm4d_isa.h"

enum pm4d_isa_target pm4d_isa_target_from_name(const char *name)
{
   /* gfx1036's .text is byte-identical to gfx1030's (only e_flags differ). */
   if (!strcmp(name, "gfx1030") || !strcmp(name, "gfx1036"))
      return PM4D_ISA_GFX1030;
   if (!strcmp(name, "gfx1100"))
      return PM4D_ISA_GFX1100;
   if (!strcmp(name, "gfx90a"))
      return PM4D_ISA_GFX90A;
   return PM4D_ISA_TARGET_COUNT;
}

const char *pm4d_isa_target_name(enum pm4d_isa_target t)
{
   static const char *const names[PM4D_ISA_TARGET_COUNT] = {"gfx1030", "gfx1100", "gfx90a"};
   return t < PM4D_ISA_TARGET_COUNT ? names[t] : "unknown";
}

const char *pm4d_isa_status_name(enum pm4d_isa_status s)
{
   switch (s) {
   case PM4D_ISA_OK: return "ok";
   case PM4D_ISA_BAD_CODE_OBJECT: return "bad code object";
   case PM4D_ISA_BAD_DISPATCH: return "bad dispatch";
   case PM4D_ISA_NOT_EXECUTABLE: return "not executable";
   case PM4D_ISA_PAGE_FAULT: return "page fault";
   case PM4D_ISA_LDS_OUT_OF_RANGE: return "LDS out of range";
   case PM4D_ISA_HANG: return "hang";
   case PM4D_ISA_NO_MEMORY: return "out of memory";
   }
   return "unknown";
}
