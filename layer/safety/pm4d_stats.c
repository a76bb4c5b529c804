#include "pm4d_stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pm4d_autodisable.h"
#include "pm4d_config.h"
#include "pm4d_file.h"
#include "pm4d_counters.h"
#include "pm4d_histogram.h"
#include "pm4d_killfile.h"
#include "pm4d_log.h"

static void write_json_string(FILE *f, const char *s)
{
   fputc('"', f);
   for (; *s; s++) {
      unsigned char c = (unsigned char)*s;
      if (c == '"' || c == '\\')
         fprintf(f, "\\%c", c);
      else if (c < 0x20)
         fprintf(f, "\\u%04x", c);
      else
         fputc(c, f);
   }
   fputc('"', f);
}

static void write_safety_json(FILE *f)
{
   struct pm4d_autodisable *a = pm4d_autodisable_process();
   pthread_mutex_lock(&a->mu);
   fprintf(f,
           "  \"auto_disable\": {\"window\": %" PRIu32 ", \"threshold\": %.2f, \"tripped\": %s, "
           "\"successes\": %" PRIu64 ", \"failures\": %" PRIu64 ", \"reason\": ",
           a->window, a->threshold, pm4d_autodisable_tripped(a) ? "true" : "false", a->successes,
           a->failures);
   write_json_string(f, a->why);
   pthread_mutex_unlock(&a->mu);
   fprintf(f, "},\n  \"kill_file\": {\"path\": ");
   write_json_string(f, pm4d_config_get()->kill_file);
   fprintf(f, ", \"active\": %s},\n", pm4d_killfile_active() ? "true" : "false");

   fprintf(f, "  \"histograms\": {\n");
   for (unsigned h = 0; h < PM4D_HIST_COUNT; h++) {
      struct pm4d_hist_snapshot s;
      pm4d_hist_snapshot(h, &s);
      fprintf(f,
              "    \"%s_ns\": {\"count\": %" PRIu64 ", \"mean\": %" PRIu64 ", \"p50\": %" PRIu64
              ", \"p99\": %" PRIu64 ", \"max\": %" PRIu64 ", \"buckets\": [",
              pm4d_hist_name(h), s.count, s.count ? s.sum / s.count : 0,
              pm4d_hist_quantile(&s, 0.50), pm4d_hist_quantile(&s, 0.99), s.max);
      const char *sep = "";
      for (unsigned i = 0; i < PM4D_HIST_BUCKETS; i++) {
         if (s.buckets[i]) {
            fprintf(f, "%s[%" PRIu64 ", %" PRIu64 "]", sep, pm4d_hist_bucket_lower(i),
                    s.buckets[i]);
            sep = ", ";
         }
      }
      fprintf(f, "]}%s\n", h + 1 < PM4D_HIST_COUNT ? "," : "");
   }
   fprintf(f, "  },\n");
}

int pm4d_stats_write_json(FILE *f, const struct pm4d_stats_gauges *g)
{
   fprintf(f, "{\n  \"disabled\": %s,\n  \"live_instances\": %u,\n  \"live_devices\": %u,\n",
           g->disabled ? "true" : "false", g->live_instances, g->live_devices);
   write_safety_json(f);
   fprintf(f, "  \"counters\": {\n");
   for (unsigned i = 0; i < PM4D_CTR_COUNT; i++)
      fprintf(f, "    \"%s\": %" PRIu64 "%s\n", pm4d_counter_name(i), pm4d_counter_get(i),
              i + 1 < PM4D_CTR_COUNT ? "," : "");
   fprintf(f, "  }\n}\n");
   return ferror(f) ? -1 : 0;
}

int pm4d_stats_write_file(const char *path, const struct pm4d_stats_gauges *g)
{
   char tmp[PM4D_CONFIG_PATH_MAX + 32];
   FILE *f = pm4d_file_create_temp(path, tmp, sizeof(tmp));
   if (!f)
      return -1;
   int rc = pm4d_stats_write_json(f, g);
   if (fclose(f) != 0)
      rc = -1;
   if (rc == 0 && rename(tmp, path) != 0)
      rc = -1;
   if (rc != 0) {
      int saved = errno;
      unlink(tmp);
      errno = saved;
   }
   return rc;
}

/* " name p50/p99=a/b us (n)" for each histogram with samples, at buf + used. */
static size_t summarize_histograms(char *buf, size_t size, size_t used)
{
   struct pm4d_hist_snapshot s;
   for (unsigned h = 0; h < PM4D_HIST_COUNT && used < size; h++) {
      pm4d_hist_snapshot(h, &s);
      if (s.count)
         used += (size_t)snprintf(buf + used, size - used, " %s_p50/p99=%.1f/%.1fus(n=%" PRIu64 ")",
                                  pm4d_hist_name(h), pm4d_hist_quantile(&s, 0.50) / 1e3,
                                  pm4d_hist_quantile(&s, 0.99) / 1e3, s.count);
   }
   return used;
}

void pm4d_stats_summary(char *buf, size_t size)
{
   size_t used = (size_t)snprintf(buf, size, "stats:");
   if (used < size && pm4d_autodisable_active())
      used += (size_t)snprintf(buf + used, size - used, " AUTO-DISABLED");
   if (used < size)
      used = summarize_histograms(buf, size, used);
   for (unsigned i = 0; i < PM4D_CTR_COUNT && used < size; i++) {
      uint64_t v = pm4d_counter_get(i);
      if (v)
         used += (size_t)snprintf(buf + used, size - used, " %s=%" PRIu64, pm4d_counter_name(i), v);
   }
}

static atomic_bool summary_logged;
static _Atomic pm4d_stats_gauges_fn gauges_source;

int pm4d_stats_write_current(FILE *f)
{
   struct pm4d_stats_gauges g = {0};
   pm4d_stats_gauges_fn fn = atomic_load(&gauges_source);
   if (fn)
      fn(&g);
   return pm4d_stats_write_json(f, &g);
}

static void write_stats_file(const struct pm4d_stats_gauges *g)
{
   const char *path = pm4d_config_get()->stats_path;
   if (path[0] && pm4d_stats_write_file(path, g) != 0)
      PM4D_LOG_ONCE(PM4D_LOG_WARN, "cannot write stats to %s: %s", path, strerror(errno));
}

static void log_summary(void)
{
   atomic_store(&summary_logged, true);
   char text[8192];
   pm4d_stats_summary(text, sizeof(text));
   /* The report is wanted by default: shown unless PM4DIRECT_LOG=error. A log line holds about
    * 1000 characters, so a longer summary goes on as more "stats:" lines, split between
    * counters. */
   const size_t most = 900, prefix = strlen("stats:");
   for (const char *p = text + prefix; *p;) {
      size_t len = strlen(p);
      if (len > most) {
         len = most;
         while (len > 1 && p[len] != ' ')
            len--;
      }
      pm4d_log(PM4D_LOG_WARN, "stats:%.*s", (int)len, p);
      p += len;
   }
}

void pm4d_stats_report(const struct pm4d_stats_gauges *g)
{
   log_summary();
   write_stats_file(g);
}

void pm4d_stats_set_gauges_source(pm4d_stats_gauges_fn fn)
{
   atomic_store(&gauges_source, fn);
}

/* At unload (process exit: the layer is linked -z nodelete) the file gets the final counts;
 * the summary line is logged again only for devices never destroyed, or if none was logged. */
__attribute__((destructor)) static void report_at_unload(void)
{
   pm4d_stats_gauges_fn fn = atomic_load(&gauges_source);
   if (!fn)
      return;
   struct pm4d_stats_gauges g;
   fn(&g);
   if (!atomic_load(&summary_logged) || g.live_devices)
      log_summary();
   write_stats_file(&g);
}
