#include "pm4d_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pm4d_config.h"

static const char *const level_names[] = {"error", "warn", "info", "debug"};

bool pm4d_log_parse_level(const char *text, enum pm4d_log_level *out)
{
   *out = PM4D_LOG_WARN;
   if (!text || !*text)
      return true;
   for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
      if (strcmp(text, level_names[i]) == 0) {
         *out = (enum pm4d_log_level)i;
         return true;
      }
   }
   return false;
}

bool pm4d_log_enabled(enum pm4d_log_level level)
{
   return level <= pm4d_config_get()->log_level;
}

void pm4d_log(enum pm4d_log_level level, const char *fmt, ...)
{
   if (!pm4d_log_enabled(level))
      return;
   /* One fprintf per line so lines from several threads do not interleave. */
   char line[1024];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(line, sizeof(line), fmt, ap);
   va_end(ap);
   fprintf(stderr, "pm4direct: %s\n", line);
}
