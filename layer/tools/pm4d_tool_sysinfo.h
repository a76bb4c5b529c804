/* pm4direct selftest: what the report says about the machine (kernel, DRM nodes, libdrm). */
#ifndef PM4D_TOOL_SYSINFO_H
#define PM4D_TOOL_SYSINFO_H

#include <stddef.h>
#include <stdio.h>

/* Writes "kernel:", one "DRM:" line per render node (driver name and version as the kernel
 * reports them; for amdgpu its family, external revision and the target layer/pm4's device
 * table gives them) and "libdrm:" lines to out. */
void pm4d_tool_sysinfo(FILE *out);

/* The target of the first amdgpu render node ("gfx1030"), or "" when none is known. */
void pm4d_tool_sysinfo_amdgpu_target(char *buf, size_t size);

#endif
