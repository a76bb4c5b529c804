/* Checks for the unit tests: a failed check prints where and why, is counted, and the test
 * carries on, so one run lists every mismatch; pm4d_check_finish turns the count into the exit
 * status. CHECK(cond) prints the condition, CHECKF(cond, fmt, ...) a message. The count is
 * atomic because the threaded tests check from their worker threads. */
#ifndef PM4D_CHECK_H
#define PM4D_CHECK_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_int pm4d_check_failures;

/* A failed check at file:line; also for a failure with no condition to test. */
static inline void pm4d_check_fail(const char *file, int line, const char *fmt, ...)
   __attribute__((format(printf, 3, 4)));
static inline void pm4d_check_fail(const char *file, int line, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   flockfile(stderr); /* one line per failure, also from several threads */
   fprintf(stderr, "%s:%d: check failed: ", file, line);
   vfprintf(stderr, fmt, ap);
   fputc('\n', stderr);
   funlockfile(stderr);
   va_end(ap);
   atomic_fetch_add(&pm4d_check_failures, 1);
}

#define CHECKF(cond, ...)                                  \
   do {                                                    \
      if (!(cond))                                         \
         pm4d_check_fail(__FILE__, __LINE__, __VA_ARGS__); \
   } while (0)

#define CHECK(cond) CHECKF(cond, "%s", #cond)

/* The exit status for main: 0, or 1 after printing the failure count; name labels the line. */
static inline int pm4d_check_finish(const char *name)
{
   int n = atomic_load(&pm4d_check_failures);
   if (n) {
      fprintf(stderr, "%s: %d check(s) failed\n", name, n);
      return 1;
   }
   printf("%s: all checks passed\n", name);
   return 0;
}

/* The whole file whose path the format gives, in a malloc'd buffer (malloc's alignment serves
 * word arrays; 4 spare bytes: never malloc(0), and a partial last word stays inside); the size
 * in bytes goes to *size. A file that cannot be read is a failed check
 * (with the path) and gives NULL. */
static inline void *pm4d_check_read_file(size_t *size, const char *path_fmt, ...)
   __attribute__((format(printf, 2, 3)));
static inline void *pm4d_check_read_file(size_t *size, const char *path_fmt, ...)
{
   char path[4096];
   va_list ap;
   unsigned char *buf = NULL;
   long n;
   va_start(ap, path_fmt);
   vsnprintf(path, sizeof(path), path_fmt, ap);
   va_end(ap);
   FILE *f = fopen(path, "rb");
   if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
       (buf = malloc((size_t)n + 4)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
      *size = (size_t)n;
   } else {
      free(buf);
      buf = NULL;
      pm4d_check_fail(__FILE__, __LINE__, "cannot read %s", path);
   }
   if (f)
      fclose(f);
   return buf;
}

#endif
