/* pm4direct selftest: running a helper program with a changed environment and a time limit. */
#ifndef PM4D_TOOL_SPAWN_H
#define PM4D_TOOL_SPAWN_H

/* The exit status of a run that went past its time limit (as timeout(1) reports one). */
#define PM4D_TOOL_SPAWN_TIMEOUT 124

/* Runs argv[0] (a path) with argv, the environment changed by env (NULL-terminated: "NAME=VALUE"
 * sets, "NAME" alone unsets; later entries win), standard output and error appended to the file
 * log, standard input from /dev/null. Kills its process group after timeout_s seconds. Returns
 * its exit status, 128 + N for signal N, PM4D_TOOL_SPAWN_TIMEOUT past the limit, or -1 (said on
 * stderr) when it could not be started. */
int pm4d_tool_spawn(char *const argv[], const char *const env[], const char *log,
                    unsigned timeout_s);

/* The first line of a command's standard output (trailing newline removed) in buf, "" when it
 * printed nothing, could not run or failed; the same environment, no time limit beyond 10 s. */
void pm4d_tool_spawn_line(char *const argv[], char *buf, unsigned size);

#endif
