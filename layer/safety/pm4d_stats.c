#include "pm4d_stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pm4d_config.h"
#include "pm4d_counters.h"
#include "pm4d_log.h"

int pm4d_stats_write_json(FILE *f, const struct pm4d_stats_gauges *g)
{
  fprintf(f, "{\n  \"disabled\": %s,\n  \"live_instances\": %u,\n  \"live_devices\": %u,\n",
          g->disabled ? "true" : "false", g->live_instances, g->live_devices);
  fprintf(f, "  \"counters\": {\n");
  for (unsigned i = 0; i < PM4D_CTR_COUNT; i++)
    fprintf(f, "    \"%s\": %" PRIu64 "%s\n", pm4d_counter_name(i), pm4d_counter_get(i),
            i + 1 < PM4D_CTR_COUNT ? "," : "");
  fprintf(f, "  }\n}\n");
  return ferror(f) ? -1 : 0;
}

int pm4d_stats_write_file(const char *path, const struct pm4d_stats_gauges *g)
{
  char tmp[PM4D_CONFIG_PATH_MAX + 32];
  snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f)
    return -1;
  int rc = pm4d_stats_write_json(f, g);
  if (fclose(f) != 0)
    rc = -1;
  if (rc == 0 && rename(tmp, path) != 0)
    rc = -1;
  if (rc != 0) {
    int saved = errno;
    unlink(tmp);
    errno = saved;
  }
  return rc;
}

void pm4d_stats_summary(char *buf, size_t size)
{
  size_t used = (size_t)snprintf(buf, size, "stats:");
  for (unsigned i = 0; i < PM4D_CTR_COUNT && used < size; i++) {
    uint64_t v = pm4d_counter_get(i);
    if (v)
      used += (size_t)snprintf(buf + used, size - used, " %s=%" PRIu64, pm4d_counter_name(i), v);
  }
}

/* Sum of all counters at the last report: the destructor reports again only if it moved. */
static _Atomic uint64_t reported_total = UINT64_MAX;
static _Atomic pm4d_stats_gauges_fn gauges_source;

static uint64_t counter_total(void)
{
  uint64_t total = 0;
  for (unsigned i = 0; i < PM4D_CTR_COUNT; i++)
    total += pm4d_counter_get(i);
  return total;
}

void pm4d_stats_report(const struct pm4d_stats_gauges *g)
{
  atomic_store(&reported_total, counter_total());
  char line[900];
  pm4d_stats_summary(line, sizeof(line));
  pm4d_log(PM4D_LOG_INFO, "%s", line);
  const char *path = pm4d_config_get()->stats_path;
  if (path[0] && pm4d_stats_write_file(path, g) != 0)
    PM4D_LOG_ONCE(PM4D_LOG_WARN, "cannot write stats to %s: %s", path, strerror(errno));
}

void pm4d_stats_set_gauges_source(pm4d_stats_gauges_fn fn)
{
  atomic_store(&gauges_source, fn);
}

__attribute__((destructor)) static void report_at_unload(void)
{
  pm4d_stats_gauges_fn fn = atomic_load(&gauges_source);
  if (!fn || atomic_load(&reported_total) == counter_total())
    return;
  struct pm4d_stats_gauges g;
  fn(&g);
  pm4d_stats_report(&g);
}
