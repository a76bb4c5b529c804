/* CHECK(cond, fmt, ...) for the codeobj and kernels tests: counts and reports a failure and
 * carries on, so one run lists every mismatch. */
#ifndef PM4D_TEST_CHECK_H
#define PM4D_TEST_CHECK_H

#include <stdio.h>

static int pm4d_test_failures;

#define CHECK(cond, ...)                                              \
   do {                                                               \
      if (!(cond)) {                                                  \
         pm4d_test_failures++;                                        \
         fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);         \
         fprintf(stderr, __VA_ARGS__);                                \
         fputc('\n', stderr);                                         \
      }                                                               \
   } while (0)

/* The exit status for main: 0, or 1 after printing the failure count. */
static inline int pm4d_test_result(void)
{
   if (pm4d_test_failures)
      fprintf(stderr, "%d failures\n", pm4d_test_failures);
   return pm4d_test_failures ? 1 : 0;
}

#endif
