/* PM4DIRECT_SIM_FAULT syntax: "stall_after=N,delay_us=N,no_fence,bad_address,no_exec". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_sim.h"

static bool parse_u32(const char *v, size_t len, uint32_t *out)
{
   char buf[16];
   if (len == 0 || len >= sizeof(buf))
      return false;
   memcpy(buf, v, len);
   buf[len] = 0;
   char *end;
   errno = 0;
   unsigned long x = strtoul(buf, &end, 10);
   if (errno || *end || x > UINT32_MAX || buf[0] == '-')
      return false;
   *out = (uint32_t)x;
   return true;
}

bool pm4d_sim_fault_parse(const char *text, struct pm4d_sim_fault *out, char *reason,
                          size_t reason_size)
{
   *out = (struct pm4d_sim_fault){0};
   const char *p = text ? text : "";
   while (*p) {
      size_t len = strcspn(p, ",");
      const char *eq = memchr(p, '=', len);
      size_t key = eq ? (size_t)(eq - p) : len;
      const char *val = eq ? eq + 1 : NULL;
      size_t vlen = eq ? len - key - 1 : 0;
#define KEY(k) (key == sizeof(k) - 1 && !memcmp(p, k, key))
      bool ok;
      if (KEY("stall_after"))
         ok = val && parse_u32(val, vlen, &out->stall_after) && out->stall_after > 0;
      else if (KEY("delay_us"))
         ok = val && parse_u32(val, vlen, &out->delay_us);
      else if (KEY("no_fence"))
         ok = !val && (out->no_fence = true);
      else if (KEY("bad_address"))
         ok = !val && (out->bad_address = true);
      else if (KEY("no_exec"))
         ok = !val && (out->no_exec = true);
      else
         ok = len == 0; /* empty item: "a,,b" */
#undef KEY
      if (!ok) {
         snprintf(reason, reason_size,
                  "%s: bad item '%.*s' (known: stall_after=N (N > 0), delay_us=N, no_fence, "
                  "bad_address, no_exec)",
                  PM4D_SIM_ENV_FAULT, (int)len, p);
         return false;
      }
      p += len;
      if (*p == ',')
         p++;
   }
   return true;
}
