/* pm4direct selftest: conv2d through the layer and through the driver alone on this machine's
 * Vulkan GPU, one injected hang, and a plain-text report to attach to a bug. */
#ifndef PM4D_TOOL_SELFTEST_H
#define PM4D_TOOL_SELFTEST_H

extern const char pm4d_tool_selftest_help[];

/* Exit status: 0 every check passed, 1 a check failed (the report says which), 2 usage, I/O,
 * or no helper program / Vulkan device to run it with. */
int pm4d_tool_selftest(int argc, char **argv);

#endif
