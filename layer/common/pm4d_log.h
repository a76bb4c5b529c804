/* Logging to stderr with the "pm4direct: " prefix, filtered by PM4DIRECT_LOG. */
#ifndef PM4D_LOG_H
#define PM4D_LOG_H

#include <stdatomic.h>
#include <stdbool.h>

enum pm4d_log_level {
   PM4D_LOG_ERROR,
   PM4D_LOG_WARN,
   PM4D_LOG_INFO,
   PM4D_LOG_DEBUG,
};

/* Parses "error|warn|info|debug"; NULL or empty gives the default (warn). Returns false for
 * anything else and leaves *out at the default. */
bool pm4d_log_parse_level(const char *text, enum pm4d_log_level *out);

bool pm4d_log_enabled(enum pm4d_log_level level);

__attribute__((format(printf, 2, 3))) void pm4d_log(enum pm4d_log_level level, const char *fmt,
                                                    ...);

/* Logs the first time this call site runs, never again (bad input must not flood stderr). */
#define PM4D_LOG_ONCE(level, ...)                                                         \
   do {                                                                                   \
      static atomic_flag pm4d_log_once_flag_ = ATOMIC_FLAG_INIT;                          \
      if (!atomic_flag_test_and_set_explicit(&pm4d_log_once_flag_, memory_order_relaxed)) \
         pm4d_log((level), __VA_ARGS__);                                                  \
   } while (0)

#endif
