/* Counter reports: the JSON file (PM4DIRECT_STATS) and the one-line summary. */
#ifndef PM4D_STATS_H
#define PM4D_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Gauges the layer reports beside the counters (live state, mode). */
struct pm4d_stats_gauges {
   bool disabled;
   unsigned live_instances;
   unsigned live_devices;
};

/* Writes {"disabled":..,"live_instances":..,"live_devices":..,"counters":{name:value,..}}. */
int pm4d_stats_write_json(FILE *f, const struct pm4d_stats_gauges *g);

/* The JSON with the gauges of the registered source (zeros when none is registered). */
int pm4d_stats_write_current(FILE *f);

/* Writes the JSON to path through a temporary file and rename, so readers never see half a
 * file. Returns 0 or -1 (errno set). */
int pm4d_stats_write_file(const char *path, const struct pm4d_stats_gauges *g);

/* "stats: name=value ..." with the non-zero counters, truncated to size. */
void pm4d_stats_summary(char *buf, size_t size);

/* Logs the summary (shown unless PM4DIRECT_LOG=error) and writes the stats file when PM4DIRECT_STATS is set. At
 * library unload the file is rewritten with the final counts, and the summary logged for apps
 * that never destroyed their device. */
void pm4d_stats_report(const struct pm4d_stats_gauges *g);

/* The gauges source the destructor uses; the layer registers it once. */
typedef void (*pm4d_stats_gauges_fn)(struct pm4d_stats_gauges *out);
void pm4d_stats_set_gauges_source(pm4d_stats_gauges_fn fn);

#endif
