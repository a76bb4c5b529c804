/* A fake environment for pm4d_config_parse in the safety unit tests. */
#ifndef PM4D_FAKE_ENV_H
#define PM4D_FAKE_ENV_H

#include <string.h>

/* NULL-terminated name=value pairs. */
static const char *const *fake_env;
static inline const char *fake_getenv(const char *name)
{
   size_t n = strlen(name);
   for (const char *const *e = fake_env; *e; e++)
      if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
         return *e + n + 1;
   return NULL;
}

#endif
