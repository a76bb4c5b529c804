/* Failure reasons: every fallible function of the project fills a caller's reason buffer and
 * returns its own status enum. Each module wraps this as `fail(reason, size, status, fmt, ...)`
 * (a comma expression yielding the status). */
#ifndef PM4D_REASON_H
#define PM4D_REASON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void pm4d_reason_set(char *reason, size_t size, const char *fmt, ...)
   __attribute__((format(printf, 3, 4)));
static inline void pm4d_reason_set(char *reason, size_t size, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   if (reason && size)
      vsnprintf(reason, size, fmt, ap);
   va_end(ap);
}

#endif
