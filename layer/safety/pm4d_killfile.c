#include "pm4d_killfile.h"

#include <sys/stat.h>
#include <time.h>

#include "pm4d_config.h"
#include "pm4d_log.h"

static uint64_t now_coarse_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void pm4d_killfile_init(struct pm4d_killfile *kf, const char *path, uint64_t interval_ns)
{
   kf->path = path;
   kf->interval_ns = interval_ns;
   atomic_init(&kf->next_check_ns, 0);
   atomic_init(&kf->killed, false);
   atomic_init(&kf->watched, false);
   pthread_mutex_init(&kf->mu, NULL);
   pthread_condattr_t ca;
   pthread_condattr_init(&ca);
   pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
   pthread_cond_init(&kf->cv, &ca);
   pthread_condattr_destroy(&ca);
   kf->users = 0;
   kf->stop = kf->stopping = false;
   kf->changes = 0;
}

void pm4d_killfile_fini(struct pm4d_killfile *kf)
{
   pthread_cond_destroy(&kf->cv);
   pthread_mutex_destroy(&kf->mu);
}

static bool file_exists(const char *path)
{
   struct stat st;
   return stat(path, &st) == 0;
}

bool pm4d_killfile_check(struct pm4d_killfile *kf, uint64_t now_ns)
{
   if (!kf->path || !kf->path[0])
      return false;
   if (atomic_load_explicit(&kf->watched, memory_order_relaxed))
      return pm4d_killfile_killed(kf);
   uint64_t next = atomic_load_explicit(&kf->next_check_ns, memory_order_relaxed);
   /* Only the thread that moves next_check_ns forward pays for the stat(). */
   if (now_ns >= next &&
       atomic_compare_exchange_strong_explicit(&kf->next_check_ns, &next, now_ns + kf->interval_ns,
                                               memory_order_relaxed, memory_order_relaxed))
      atomic_store_explicit(&kf->killed, file_exists(kf->path), memory_order_relaxed);
   return pm4d_killfile_killed(kf);
}

static void *watch_main(void *arg)
{
   struct pm4d_killfile *kf = arg;
   pthread_mutex_lock(&kf->mu);
   while (!kf->stop) {
      bool now = file_exists(kf->path);
      if (now != pm4d_killfile_killed(kf)) {
         atomic_store_explicit(&kf->killed, now, memory_order_relaxed);
         kf->changes++;
         if (now)
            pm4d_log(PM4D_LOG_WARN,
                     "kill file %s exists: no new work is redirected (work already "
                     "kicked completes); conv2d runs through the driver until it is removed",
                     kf->path);
         else
            pm4d_log(PM4D_LOG_WARN, "kill file %s removed: redirecting conv2d again", kf->path);
      }
      uint64_t wake = now_coarse_ns() + kf->interval_ns;
      struct timespec ts = {.tv_sec = (time_t)(wake / 1000000000ull),
                            .tv_nsec = (long)(wake % 1000000000ull)};
      pthread_cond_timedwait(&kf->cv, &kf->mu, &ts);
   }
   pthread_mutex_unlock(&kf->mu);
   return NULL;
}

bool pm4d_killfile_watch_start(struct pm4d_killfile *kf)
{
   if (!kf->path || !kf->path[0])
      return true;
   bool ok = true;
   pthread_mutex_lock(&kf->mu);
   while (kf->stopping)
      pthread_cond_wait(&kf->cv, &kf->mu);
   if (kf->users == 0) {
      /* The first state is known before anyone relies on the flag. */
      atomic_store_explicit(&kf->killed, file_exists(kf->path), memory_order_relaxed);
      ok = pthread_create(&kf->thread, NULL, watch_main, kf) == 0;
   }
   if (ok) {
      kf->users++;
      atomic_store(&kf->watched, true);
   }
   pthread_mutex_unlock(&kf->mu);
   return ok;
}

void pm4d_killfile_watch_stop(struct pm4d_killfile *kf)
{
   if (!kf->path || !kf->path[0])
      return;
   pthread_mutex_lock(&kf->mu);
   bool last = kf->users == 1;
   if (kf->users)
      kf->users--;
   if (last) {
      atomic_store(&kf->watched, false);
      kf->stop = kf->stopping = true;
      pthread_cond_broadcast(&kf->cv);
   }
   pthread_mutex_unlock(&kf->mu);
   if (!last)
      return;
   pthread_join(kf->thread, NULL);
   pthread_mutex_lock(&kf->mu);
   kf->stop = kf->stopping = false;
   pthread_cond_broadcast(&kf->cv); /* a start that waited for the join */
   pthread_mutex_unlock(&kf->mu);
}

static struct pm4d_killfile process_killfile;
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void init_process_killfile(void)
{
   pm4d_killfile_init(&process_killfile, pm4d_config_get()->kill_file, PM4D_KILLFILE_INTERVAL_NS);
}

struct pm4d_killfile *pm4d_killfile_process(void)
{
   pthread_once(&process_once, init_process_killfile);
   return &process_killfile;
}

bool pm4d_killfile_active(void)
{
   struct pm4d_killfile *kf = pm4d_killfile_process();
   if (atomic_load_explicit(&kf->watched, memory_order_relaxed))
      return pm4d_killfile_killed(kf);
   return pm4d_killfile_check(kf, now_coarse_ns());
}
