/* pm4d_embedded_code_objects(): the table over the arrays that the build generated into
 * pm4d_codeobj_blobs.h (none when it found no clang for amdgcn). */
#include "pm4d_codeobj.h"

#include <string.h>

#include "pm4d_codeobj_blobs.h"

#if PM4D_EMBED_COUNT > 0
#define PM4D_ENTRY(sym, label) {label, sym, sizeof(sym)},
static const struct pm4d_code_object embedded[] = {PM4D_EMBED_LIST(PM4D_ENTRY)};

size_t pm4d_embedded_code_objects(const struct pm4d_code_object **out)
{
   *out = embedded;
   return sizeof(embedded) / sizeof(embedded[0]);
}
#else
size_t pm4d_embedded_code_objects(const struct pm4d_code_object **out)
{
   *out = NULL;
   return 0;
}
#endif

const struct pm4d_code_object *pm4d_embedded_code_object_for(const char *target)
{
   const struct pm4d_code_object *objs;
   size_t n = pm4d_embedded_code_objects(&objs);
   for (size_t i = 0; i < n; i++) {
      if (!strcmp(objs[i].target, target))
         return &objs[i];
   }
   return NULL;
}
