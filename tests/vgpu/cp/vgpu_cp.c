/* The virtual GPU's command processor: executes one ring's IBs (first step: NOP only). */
#include "vgpu_cp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vgpu_cp {
   char target[16];
   struct vgpu_cp_counters counters;
};

struct vgpu_cp *vgpu_cp_create(const char *target)
{
   struct vgpu_cp *cp = calloc(1, sizeof(*cp));
   if (!cp)
      return NULL;
   snprintf(cp->target, sizeof(cp->target), "%s", target ? target : "");
   return cp;
}

void vgpu_cp_destroy(struct vgpu_cp *cp)
{
   free(cp);
}

static void set_reason(char *reason, size_t size, const char *fmt, ...)
{
   if (!reason || !size)
      return;
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(reason, size, fmt, ap);
   va_end(ap);
}

enum vgpu_cp_status vgpu_cp_execute_ib(struct vgpu_cp *cp, const struct vgpu_mem_ops *mem,
                                       uint64_t ib_va, uint32_t ndw, char *reason,
                                       size_t reason_size)
{
   cp->counters.ibs++;
   const uint32_t *ib = mem->translate(mem->user, ib_va, (uint64_t)ndw * 4, 0);
   if (!ib) {
      mem->fault(mem->user, ib_va, 0, "IB fetch");
      cp->counters.faults++;
      set_reason(reason, reason_size, "page fault fetching the IB at 0x%llx",
                 (unsigned long long)ib_va);
      return VGPU_CP_FAULT;
   }
   for (uint32_t i = 0; i < ndw;) {
      uint32_t h = ib[i];
      uint32_t type = h >> 30;
      if (type == 2) { /* filler */
         i++;
         continue;
      }
      uint32_t op = (h >> 8) & 0xff;
      if (type != 3 || op != 0x10) {
         set_reason(reason, reason_size, "packet 0x%08x at dword %u not executed yet", h, i);
         return VGPU_CP_BAD_PACKET;
      }
      cp->counters.packets++;
      i += 2 + ((h >> 16) & 0x3fff);
   }
   return VGPU_CP_OK;
}

void vgpu_cp_get_counters(const struct vgpu_cp *cp, struct vgpu_cp_counters *out)
{
   *out = cp->counters;
}
