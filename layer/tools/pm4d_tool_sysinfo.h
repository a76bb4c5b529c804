/* pm4direct selftest: what the report says about the machine (kernel, DRM nodes, libdrm). */
#ifndef PM4D_TOOL_SYSINFO_H
#define PM4D_TOOL_SYSINFO_H

#include <stdio.h>

/* Writes "kernel:", one "DRM:" line per render node (driver name and version as the kernel
 * reports them) and "libdrm:" lines to out. */
void pm4d_tool_sysinfo(FILE *out);

#endif
