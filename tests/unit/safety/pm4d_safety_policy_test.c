/* Unit tests of the safety policies: latency histograms (buckets, quantiles, JSON, summary),
 * auto-disable over a window, its configuration, the kill-file watcher thread, and the
 * allocation fault-injection hook. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pm4d_alloc.h"
#include "pm4d_autodisable.h"
#include "pm4d_config.h"
#include "pm4d_counters.h"
#include "pm4d_histogram.h"
#include "pm4d_killfile.h"
#include "pm4d_check.h"
#include "pm4d_fake_env.h"
#include "pm4d_stats.h"

static void test_buckets(void)
{
   /* Every value lies in its bucket, buckets are contiguous and at most 12.5 % wide. */
   for (uint64_t v = 0; v < 5000; v++) {
      unsigned b = pm4d_hist_bucket(v);
      CHECK(pm4d_hist_bucket_lower(b) <= v && v < pm4d_hist_bucket_lower(b + 1));
   }
   for (unsigned i = 1; i < PM4D_HIST_BUCKETS; i++) {
      uint64_t lo = pm4d_hist_bucket_lower(i), prev = pm4d_hist_bucket_lower(i - 1);
      CHECK(lo > prev && pm4d_hist_bucket(lo) == i && pm4d_hist_bucket(lo - 1) == i - 1);
      if (i > PM4D_HIST_SUB) /* below 2 * SUB every value has its own bucket */
         CHECK((lo - prev) * 8 <= prev);
   }
   CHECK(pm4d_hist_bucket(UINT64_MAX) == PM4D_HIST_BUCKETS - 1);
}

static void test_quantiles(void)
{
   pm4d_hist_reset_all();
   struct pm4d_hist_snapshot s;
   pm4d_hist_snapshot(PM4D_HIST_submit_to_kick, &s);
   CHECK(s.count == 0 && pm4d_hist_quantile(&s, 0.5) == 0);
   /* 1..1000 us: p50 ~ 500 us, p99 ~ 990 us, within a bucket's width. */
   for (uint64_t us = 1; us <= 1000; us++)
      pm4d_hist_record(PM4D_HIST_submit_to_kick, us * 1000);
   pm4d_hist_snapshot(PM4D_HIST_submit_to_kick, &s);
   uint64_t p50 = pm4d_hist_quantile(&s, 0.50), p99 = pm4d_hist_quantile(&s, 0.99);
   CHECK(s.count == 1000 && s.max == 1000000 && s.sum == 500500000);
   CHECK(p50 > 500000 * 0.9 && p50 < 500000 * 1.1);
   CHECK(p99 > 990000 * 0.9 && p99 <= 1000000);
   CHECK(pm4d_hist_quantile(&s, 1.0) == 1000000); /* capped at max */
   /* One outlier moves p99 only when it is more than 1 % of the samples. */
   pm4d_hist_record(PM4D_HIST_kick_to_fence, 7);
   pm4d_hist_snapshot(PM4D_HIST_kick_to_fence, &s);
   CHECK(s.count == 1 && pm4d_hist_quantile(&s, 0.5) == 7 && pm4d_hist_quantile(&s, 0.99) == 7);

   char line[512];
   pm4d_stats_summary(line, sizeof(line));
   CHECK(strstr(line, "submit_to_kick_p50/p99=") && strstr(line, "(n=1000)"));
   char json[65536];
   FILE *f = fmemopen(json, sizeof(json), "w");
   struct pm4d_stats_gauges g = {0};
   CHECK(f && pm4d_stats_write_json(f, &g) == 0);
   fclose(f);
   CHECK(strstr(json, "\"submit_to_kick_ns\": {\"count\": 1000, \"mean\": 500500, \"p50\": "));
   CHECK(strstr(json, "\"kick_to_fence_ns\": {\"count\": 1, \"mean\": 7, \"p50\": 7, \"p99\": 7, "
                      "\"max\": 7, \"buckets\": [[7, 1]]}"));
   CHECK(
      strstr(json, "\"auto_disable\": {\"window\": 100, \"threshold\": 95.00, \"tripped\": false"));
   pm4d_hist_reset_all();
}

struct hist_thread {
   unsigned n;
};

static void *record_many(void *arg)
{
   const struct hist_thread *t = arg;
   for (unsigned i = 0; i < t->n; i++)
      pm4d_hist_record(PM4D_HIST_kick_to_fence, 1000 + i % 64);
   return NULL;
}

static void test_threads(void)
{
   pm4d_hist_reset_all();
   pthread_t th[4];
   struct hist_thread t = {20000};
   for (int i = 0; i < 4; i++)
      pthread_create(&th[i], NULL, record_many, &t);
   for (int i = 0; i < 4; i++)
      pthread_join(th[i], NULL);
   struct pm4d_hist_snapshot s;
   pm4d_hist_snapshot(PM4D_HIST_kick_to_fence, &s);
   CHECK(s.count == 80000 && s.max == 1063); /* no update lost */
   pm4d_hist_reset_all();
}

static void test_autodisable(void)
{
   struct pm4d_autodisable a;
   /* Window 100 at 95 %: 5 failures in any 100 are allowed, the 6th trips. */
   pm4d_autodisable_init(&a, 100, 95);
   CHECK(a.allowed == 5);
   for (int i = 0; i < 1000; i++)
      CHECK(!pm4d_autodisable_record(&a, i % 20 != 0)); /* exactly 5 % failing */
   CHECK(!pm4d_autodisable_tripped(&a));
   int trips = 0;
   for (int i = 0; i < 10; i++)
      trips += pm4d_autodisable_record(&a, false);
   CHECK(trips == 1 && pm4d_autodisable_tripped(&a));
   CHECK(strstr(a.why, "6 of the last 100 direct batches failed"));
   CHECK(!pm4d_autodisable_record(&a, false)); /* true only once */

   /* Failures far apart (one per window) never trip; the old ones leave the window. */
   pm4d_autodisable_init(&a, 10, 90);
   CHECK(a.allowed == 1);
   for (int i = 0; i < 100; i++)
      CHECK(!pm4d_autodisable_record(&a, i % 10 != 0));
   CHECK(!pm4d_autodisable_record(&a, false)); /* outcome 100 pushes out the failure at 90 */
   CHECK(pm4d_autodisable_record(&a, false));  /* the 2nd within 10 */

   /* A device failing from the start is cut off early, before a window fills. */
   pm4d_autodisable_init(&a, 1000, 99);
   int n = 0;
   while (!pm4d_autodisable_record(&a, false) && n < 100)
      n++;
   CHECK(n == 10); /* the 11th failure of a 1000-window at 99 % */

   pm4d_autodisable_init(&a, 0, 95); /* window 0: off */
   for (int i = 0; i < 100; i++)
      CHECK(!pm4d_autodisable_record(&a, false));
   pm4d_autodisable_init(&a, 50, 100); /* 100 %: the first failure trips */
   CHECK(!pm4d_autodisable_record(&a, true) && pm4d_autodisable_record(&a, false));
   pm4d_autodisable_init(&a, 1u << 20, 95); /* clamped */
   CHECK(a.window == PM4D_AUTODISABLE_WINDOW_MAX);
}

static void test_config(void)
{
   struct pm4d_config cfg;
   char problem[256];
   static const char *const none[] = {NULL};
   fake_env = none;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(cfg.autodisable_window == 100 && cfg.autodisable_threshold == 95.0 && !cfg.diag_dir[0]);
   static const char *const set[] = {"PM4DIRECT_AUTODISABLE_WINDOW=20",
                                     "PM4DIRECT_AUTODISABLE_THRESHOLD=80%",
                                     "PM4DIRECT_DIAG_DIR=/tmp/d", NULL};
   fake_env = set;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(cfg.autodisable_window == 20 && cfg.autodisable_threshold == 80.0 && !problem[0]);
   CHECK(strcmp(cfg.diag_dir, "/tmp/d") == 0);
   static const char *const bad[] = {"PM4DIRECT_AUTODISABLE_WINDOW=1.5",
                                     "PM4DIRECT_AUTODISABLE_THRESHOLD=101", NULL};
   fake_env = bad;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(cfg.autodisable_window == 100 && cfg.autodisable_threshold == 95.0);
   CHECK(strstr(problem, "PM4DIRECT_AUTODISABLE_WINDOW=1.5") &&
         strstr(problem, "PM4DIRECT_AUTODISABLE_THRESHOLD=101"));
   static const char *const pct[] = {"PM4DIRECT_AUTODISABLE_WINDOW=5%", NULL};
   fake_env = pct;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(cfg.autodisable_window == 100 && problem[0]);
}

static void sleep_ms(unsigned ms)
{
   nanosleep(&(struct timespec){ms / 1000, (long)(ms % 1000) * 1000000L}, NULL);
}

/* Polls the flag (as the submission path does) until it reads `want`, up to 2 s. */
static bool flag_becomes(struct pm4d_killfile *kf, bool want)
{
   for (int i = 0; i < 200; i++) {
      if (pm4d_killfile_check(kf, 0) == want)
         return true;
      sleep_ms(10);
   }
   return false;
}

static void test_killfile_watcher(void)
{
   char path[] = "/tmp/pm4d_killw_testXXXXXX";
   int fd = mkstemp(path);
   CHECK(fd >= 0);
   close(fd);
   unlink(path);
   struct pm4d_killfile kf;
   pm4d_killfile_init(&kf, path, 5 * 1000000ull);
   CHECK(pm4d_killfile_watch_start(&kf) && pm4d_killfile_watch_start(&kf)); /* two users */
   CHECK(!pm4d_killfile_check(&kf, 0));
   fd = open(path, O_CREAT | O_WRONLY, 0600);
   close(fd);
   CHECK(flag_becomes(&kf, true)); /* no caller stat()s: the watcher saw it */
   unlink(path);
   CHECK(flag_becomes(&kf, false));
   pm4d_killfile_watch_stop(&kf); /* one user left: still watched */
   fd = open(path, O_CREAT | O_WRONLY, 0600);
   close(fd);
   CHECK(flag_becomes(&kf, true));
   pm4d_killfile_watch_stop(&kf);
   CHECK(!atomic_load(&kf.watched));
   pthread_mutex_lock(&kf.mu);
   CHECK(kf.changes == 3);
   pthread_mutex_unlock(&kf.mu);
   CHECK(pm4d_killfile_watch_start(&kf)); /* restartable */
   unlink(path);
   CHECK(flag_becomes(&kf, false));
   pm4d_killfile_watch_stop(&kf);
   pm4d_killfile_fini(&kf);
}

static void test_alloc_injection(void)
{
   pm4d_alloc_fail_at(3);
   void *a = pm4d_malloc(8), *b = pm4d_calloc(2, 8), *c = pm4d_malloc(8),
        *d = pm4d_realloc(NULL, 8);
   CHECK(a && b && !c && d);
   CHECK(pm4d_alloc_count() == 4 && pm4d_alloc_failures() >= 1);
   free(a), free(b), free(d);
   pm4d_alloc_fail_at(PM4D_ALLOC_FAIL_ALL);
   CHECK(!pm4d_malloc(1) && !pm4d_aligned_alloc(64, 64) && !pm4d_realloc(NULL, 1));
   pm4d_alloc_fail_at(0);
   a = pm4d_aligned_alloc(64, 128);
   CHECK(a && ((uintptr_t)a & 63) == 0);
   free(a);
}

/* A stats file for the pm4direct stats test: known counters, latencies and policy state. */
static int write_sample(const char *path)
{
   pm4d_counter_add(PM4D_CTR_vkCmdDispatch, 42);
   pm4d_counter_add(PM4D_CTR_vkQueueSubmit, 7);
   pm4d_counter_add(PM4D_CTR_dispatch_tracked, 40);
   for (uint64_t us = 1; us <= 100; us++)
      pm4d_hist_record(PM4D_HIST_submit_to_kick, us * 1000);
   for (int i = 0; i < 10; i++)
      pm4d_autodisable_note(i != 3);
   struct pm4d_stats_gauges g = {.live_instances = 1, .live_devices = 1};
   return pm4d_stats_write_file(path, &g) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
   if (argc == 3 && !strcmp(argv[1], "--write-sample"))
      return write_sample(argv[2]);
   test_buckets();
   test_quantiles();
   test_threads();
   test_autodisable();
   test_config();
   test_killfile_watcher();
   test_alloc_injection();
   return pm4d_check_finish("pm4d_safety_policy_test");
}
