/* Shared by the safety unit tests: a CHECK that counts failures and carries on, and a fake
 * environment for pm4d_config_parse. */
#ifndef PM4D_SAFETY_CHECK_H
#define PM4D_SAFETY_CHECK_H

#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(cond)                                                                            \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                 \
      failures++;                                                                              \
    }                                                                                          \
  } while (0)

/* The fake environment: NULL-terminated name=value pairs. */
static const char *const *fake_env;
static inline const char *fake_getenv(const char *name)
{
  size_t n = strlen(name);
  for (const char *const *e = fake_env; *e; e++)
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
      return *e + n + 1;
  return NULL;
}

/* main's exit status after reporting. */
static inline int pm4d_safety_check_result(const char *prog)
{
  if (failures) {
    fprintf(stderr, "%s: %d failure(s)\n", prog, failures);
    return 1;
  }
  printf("%s: all checks passed\n", prog);
  return 0;
}

#endif
