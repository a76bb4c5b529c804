#include "pm4d_cs.h"

void pm4d_cs_init(struct pm4d_cs *cs, uint32_t *buf, uint32_t max_dw)
{
   *cs = (struct pm4d_cs){.buf = buf, .max_dw = buf ? max_dw : 0};
}

bool pm4d_cs_end(struct pm4d_cs *cs)
{
   if (!cs->open) {
      if (!cs->failed) {
         cs->failed = true;
         cs->reason = "end without begin";
      }
      return false;
   }
   cs->open = false;
   if (!cs->failed && cs->cdw != cs->reserved_end) {
      cs->failed = true;
      cs->reason = "block wrote fewer dwords than it reserved";
   }
   return !cs->failed;
}
