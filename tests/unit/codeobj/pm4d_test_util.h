/* Helpers of the codeobj and kernels tests. CHECK(cond, fmt, ...) counts and reports a
 * failure and carries on, so one run lists every mismatch. */
#ifndef PM4D_TEST_UTIL_H
#define PM4D_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

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

/* The whole file in a malloc'd buffer (NULL on any error). */
static inline unsigned char *pm4d_test_read_file(const char *path, size_t *size)
{
   FILE *f = fopen(path, "rb");
   unsigned char *buf = NULL;
   long n;
   if (!f)
      return NULL;
   if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
       (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
      *size = (size_t)n;
   } else {
      free(buf);
      buf = NULL;
   }
   fclose(f);
   return buf;
}

#endif
