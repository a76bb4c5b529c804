/* The runtime kill switch: while PM4DIRECT_KILL_FILE exists, no new work is redirected. The
 * file is stat()ed at most once per interval; callers in between get the cached answer. */
#ifndef PM4D_KILLFILE_H
#define PM4D_KILLFILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define PM4D_KILLFILE_INTERVAL_NS (50ull * 1000 * 1000)

struct pm4d_killfile {
  const char *path;              /* NULL or "": never killed */
  uint64_t interval_ns;
  _Atomic uint64_t next_check_ns; /* monotonic time of the next stat() */
  _Atomic bool killed;
};

void pm4d_killfile_init(struct pm4d_killfile *kf, const char *path, uint64_t interval_ns);

/* True while the file exists, as of the last stat() (at most interval_ns old at now_ns). */
bool pm4d_killfile_check(struct pm4d_killfile *kf, uint64_t now_ns);

/* The process kill file (PM4DIRECT_KILL_FILE), checked against the monotonic clock. */
bool pm4d_killfile_active(void);

#endif
