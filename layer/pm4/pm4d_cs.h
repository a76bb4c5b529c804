/* Bounded emitter: every packet is written between pm4d_cs_begin(n) and pm4d_cs_end(), and
 * the count reserved by begin is checked at end (Mesa's radeon_begin/radeon_end). A failed
 * begin or an emit past the reservation marks the stream failed; nothing is written past
 * the buffer. */
#ifndef PM4D_CS_H
#define PM4D_CS_H

#include <stdbool.h>
#include <stdint.h>

struct pm4d_cs {
   uint32_t *buf;
   uint32_t max_dw;       /* capacity of buf */
   uint32_t cdw;          /* dwords written */
   uint32_t reserved_end; /* cdw the open block must reach exactly */
   bool open;
   bool failed;
   const char *reason; /* why it failed */
};

void pm4d_cs_init(struct pm4d_cs *cs, uint32_t *buf, uint32_t max_dw);

static inline bool pm4d_cs_begin(struct pm4d_cs *cs, uint32_t ndw)
{
   if (cs->failed)
      return false;
   if (cs->open || ndw > cs->max_dw - cs->cdw) {
      cs->failed = true;
      cs->reason = cs->open ? "begin inside an open block" : "stream buffer full";
      return false;
   }
   cs->open = true;
   cs->reserved_end = cs->cdw + ndw;
   return true;
}

static inline void pm4d_cs_emit(struct pm4d_cs *cs, uint32_t v)
{
   if (cs->open && cs->cdw < cs->reserved_end) {
      cs->buf[cs->cdw++] = v;
   } else if (!cs->failed) {
      cs->failed = true;
      cs->reason = cs->open ? "emit past the reserved dwords" : "emit outside begin/end";
   }
}

/* False when the block wrote fewer or more dwords than it reserved. */
bool pm4d_cs_end(struct pm4d_cs *cs);

#endif
