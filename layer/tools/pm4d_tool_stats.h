/* pm4direct stats FILE: the layer's stats JSON (PM4DIRECT_STATS) for people. */
#ifndef PM4D_TOOL_STATS_H
#define PM4D_TOOL_STATS_H

#include <stdio.h>

/* Prints mode, policies, latency histograms and the non-zero counters by group. Exit status:
 * 0, or 2 when the file cannot be read or is not a stats file. */
int pm4d_tool_stats(int argc, char **argv);
/* The same for the stats file at path, printed to out. */
int pm4d_tool_stats_print(FILE *out, const char *path);

#endif
