#include "pm4d_killfile.h"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "pm4d_config.h"

void pm4d_killfile_init(struct pm4d_killfile *kf, const char *path, uint64_t interval_ns)
{
  kf->path = path;
  kf->interval_ns = interval_ns;
  atomic_init(&kf->next_check_ns, 0);
  atomic_init(&kf->killed, false);
}

bool pm4d_killfile_check(struct pm4d_killfile *kf, uint64_t now_ns)
{
  if (!kf->path || !kf->path[0])
    return false;
  uint64_t next = atomic_load_explicit(&kf->next_check_ns, memory_order_relaxed);
  /* Only the thread that moves next_check_ns forward pays for the stat(). */
  if (now_ns >= next &&
      atomic_compare_exchange_strong_explicit(&kf->next_check_ns, &next, now_ns + kf->interval_ns,
                                              memory_order_relaxed, memory_order_relaxed)) {
    struct stat st;
    atomic_store_explicit(&kf->killed, stat(kf->path, &st) == 0, memory_order_relaxed);
  }
  return atomic_load_explicit(&kf->killed, memory_order_relaxed);
}

static struct pm4d_killfile process_killfile;
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void init_process_killfile(void)
{
  pm4d_killfile_init(&process_killfile, pm4d_config_get()->kill_file, PM4D_KILLFILE_INTERVAL_NS);
}

bool pm4d_killfile_active(void)
{
  pthread_once(&process_once, init_process_killfile);
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return pm4d_killfile_check(&process_killfile, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
}
