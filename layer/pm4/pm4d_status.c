#include "pm4d_status.h"

const char *pm4d_status_name(enum pm4d_status s)
{
   switch (s) {
   case PM4D_OK: return "ok";
   case PM4D_ERR_INVALID: return "invalid";
   case PM4D_ERR_NO_SPACE: return "no space";
   case PM4D_ERR_TIMEOUT: return "timeout";
   case PM4D_ERR_NOMEM: return "out of memory";
   }
   return "unknown";
}
