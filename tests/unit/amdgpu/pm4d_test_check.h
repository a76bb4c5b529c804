/* Minimal checks for the amdgpu unit tests: a failed CHECK prints where and counts. */
#ifndef PM4D_TEST_CHECK_H
#define PM4D_TEST_CHECK_H

#include <stdio.h>

static int pm4d_test_failures;

#define CHECK(cond)                                                                  \
   do {                                                                              \
      if (!(cond)) {                                                                 \
         fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);    \
         pm4d_test_failures++;                                                       \
      }                                                                              \
   } while (0)

#define TEST_DONE()                                                                  \
   do {                                                                              \
      if (pm4d_test_failures)                                                        \
         fprintf(stderr, "%d check(s) failed\n", pm4d_test_failures);                \
      return pm4d_test_failures ? 1 : 0;                                             \
   } while (0)

#endif
