/* pm4direct stats FILE: the layer's stats JSON (PM4DIRECT_STATS) for people. */
#ifndef PM4D_TOOL_STATS_H
#define PM4D_TOOL_STATS_H

/* Prints mode, policies, latency histograms and the non-zero counters by group. Exit status:
 * 0, or 2 when the file cannot be read or is not a stats file. */
int pm4d_tool_stats(int argc, char **argv);

#endif
