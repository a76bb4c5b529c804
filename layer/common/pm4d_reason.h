/* Failure reasons, the project's one convention: a fallible function returns its module's
 * status enum and says why in a buffer its caller owns, passed as (char *reason, size_t size);
 * NULL, 0 when the caller wants no text. A refusal is one line:
 *    return pm4d_fail(reason, size, MODULE_STATUS, "fmt", ...);
 * Nothing is formatted on success: a hot caller's buffer need not even be cleared. */
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

/* Fills the reason and yields status. */
#define pm4d_fail(reason, size, status, ...) \
   (pm4d_reason_set((reason), (size), __VA_ARGS__), (status))

#endif
