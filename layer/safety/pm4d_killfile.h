/* The runtime kill switch: while PM4DIRECT_KILL_FILE exists, no new work is redirected. A
 * watcher thread stats the file once per interval and keeps an atomic flag, so the submission
 * path pays one relaxed load; without a watcher running, callers stat the file themselves, at
 * most once per interval (the others get the cached answer). */
#ifndef PM4D_KILLFILE_H
#define PM4D_KILLFILE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define PM4D_KILLFILE_INTERVAL_NS (50ull * 1000 * 1000)

struct pm4d_killfile {
   const char *path; /* NULL or "": never killed */
   uint64_t interval_ns;
   _Atomic uint64_t next_check_ns; /* monotonic time of the next stat() */
   _Atomic bool killed;
   atomic_bool watched; /* a watcher thread keeps `killed` */
   /* The watcher: reference-counted, stopped by the last pm4d_killfile_watch_stop. */
   pthread_mutex_t mu;
   pthread_cond_t cv;
   unsigned users;
   bool stop, stopping; /* stopping: the last user is joining the thread */
   pthread_t thread;
   uint64_t changes; /* appearances and removals the watcher saw */
};

void pm4d_killfile_init(struct pm4d_killfile *kf, const char *path, uint64_t interval_ns);
void pm4d_killfile_fini(struct pm4d_killfile *kf);

/* True while the file exists, as of the last stat() (at most interval_ns old at now_ns). */
bool pm4d_killfile_check(struct pm4d_killfile *kf, uint64_t now_ns);

/* Starts the watcher (first user) or counts one more user. Returns false when no thread could
 * be started: callers then keep stat()ing on demand. No-op without a path. */
bool pm4d_killfile_watch_start(struct pm4d_killfile *kf);
/* The last user stops and joins the watcher. */
void pm4d_killfile_watch_stop(struct pm4d_killfile *kf);

/* The flag, free when watched: one relaxed load. */
static inline bool pm4d_killfile_killed(struct pm4d_killfile *kf)
{
   return atomic_load_explicit(&kf->killed, memory_order_relaxed);
}

/* The process kill file (PM4DIRECT_KILL_FILE), checked against the monotonic clock unless its
 * watcher runs. */
bool pm4d_killfile_active(void);
struct pm4d_killfile *pm4d_killfile_process(void);

#endif
