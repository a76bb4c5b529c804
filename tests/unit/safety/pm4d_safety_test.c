/* Unit tests of the safety parts: configuration parsing, log levels, counters and the stats
 * JSON, the kill-file check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "pm4d_config.h"
#include "pm4d_counters.h"
#include "pm4d_killfile.h"
#include "pm4d_check.h"
#include "pm4d_fake_env.h"
#include "pm4d_stats.h"

static void test_config(void)
{
   struct pm4d_config cfg;
   char problem[256];
   static const char *const empty[] = {NULL};
   fake_env = empty;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(!cfg.disable && !cfg.debug && cfg.backend == PM4D_BACKEND_AUTO);
   CHECK(cfg.sim_exec == PM4D_SIM_EXEC_POCL);
   CHECK(cfg.log_level == PM4D_LOG_WARN && !cfg.stats_path[0] && !cfg.kill_file[0] && !problem[0]);

   static const char *const full[] = {
      "PM4DIRECT_DISABLE=1",         "PM4DIRECT_DEBUG=1",
      "PM4DIRECT_BACKEND=sim",       "PM4DIRECT_LOG=debug",
      "PM4DIRECT_STATS=/tmp/s.json", "PM4DIRECT_KILL_FILE=/tmp/kill",
      "PM4DIRECT_SIM_EXEC=isa",      NULL};
   fake_env = full;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(cfg.disable && cfg.debug && cfg.backend == PM4D_BACKEND_SIM &&
         cfg.log_level == PM4D_LOG_DEBUG);
   CHECK(strcmp(cfg.stats_path, "/tmp/s.json") == 0 && strcmp(cfg.kill_file, "/tmp/kill") == 0);
   CHECK(cfg.sim_exec == PM4D_SIM_EXEC_ISA);
   CHECK(!problem[0]);

   static const char *const zero[] = {"PM4DIRECT_DISABLE=0", "PM4DIRECT_BACKEND=none", NULL};
   fake_env = zero;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(!cfg.disable && cfg.backend == PM4D_BACKEND_NONE);

   static const char *const bad[] = {"PM4DIRECT_BACKEND=radv", "PM4DIRECT_LOG=loud",
                                     "PM4DIRECT_SIM_EXEC=gem5", NULL};
   fake_env = bad;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(cfg.backend == PM4D_BACKEND_AUTO && cfg.log_level == PM4D_LOG_WARN);
   CHECK(cfg.sim_exec == PM4D_SIM_EXEC_POCL);
   CHECK(strstr(problem, "PM4DIRECT_BACKEND=radv") && strstr(problem, "PM4DIRECT_LOG=loud") &&
         strstr(problem, "PM4DIRECT_SIM_EXEC=gem5"));

   char long_path[PM4D_CONFIG_PATH_MAX + 32] = "PM4DIRECT_STATS=";
   memset(long_path + 16, 'x', PM4D_CONFIG_PATH_MAX + 8);
   long_path[sizeof(long_path) - 1] = '\0';
   const char *const too_long[] = {long_path, NULL};
   fake_env = too_long;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(!cfg.stats_path[0] && strstr(problem, "PM4DIRECT_STATS"));
}

static void test_log_levels(void)
{
   enum pm4d_log_level l;
   CHECK(pm4d_log_parse_level("error", &l) && l == PM4D_LOG_ERROR);
   CHECK(pm4d_log_parse_level("info", &l) && l == PM4D_LOG_INFO);
   CHECK(pm4d_log_parse_level(NULL, &l) && l == PM4D_LOG_WARN);
   CHECK(!pm4d_log_parse_level("INFO", &l) && l == PM4D_LOG_WARN);
}

static void test_counters_and_stats(void)
{
   pm4d_counter_reset_all();
   pm4d_counter_inc(PM4D_CTR_vkCmdDispatch);
   pm4d_counter_add(PM4D_CTR_vkCmdDispatch, 41);
   pm4d_counter_inc(PM4D_CTR_vkQueueSubmit2);
   CHECK(pm4d_counter_get(PM4D_CTR_vkCmdDispatch) == 42);
   CHECK(strcmp(pm4d_counter_name(PM4D_CTR_vkQueueSubmit2), "vkQueueSubmit2") == 0);

   char line[512];
   pm4d_stats_summary(line, sizeof(line));
   CHECK(strcmp(line, "stats: vkCmdDispatch=42 vkQueueSubmit2=1") == 0);
   char tiny[12];
   pm4d_stats_summary(tiny, sizeof(tiny)); /* truncates, never overruns */
   CHECK(strlen(tiny) == sizeof(tiny) - 1);

   char path[] = "/tmp/pm4d_stats_testXXXXXX";
   int fd = mkstemp(path);
   CHECK(fd >= 0);
   close(fd);
   struct pm4d_stats_gauges g = {.disabled = true, .live_instances = 2, .live_devices = 1};
   CHECK(pm4d_stats_write_file(path, &g) == 0);
   FILE *f = fopen(path, "r");
   char json[16384] = "";
   size_t n = f ? fread(json, 1, sizeof(json) - 1, f) : 0;
   json[n] = '\0';
   if (f)
      fclose(f);
   unlink(path);
   CHECK(strstr(json, "\"disabled\": true,"));
   CHECK(strstr(json, "\"live_instances\": 2,"));
   CHECK(strstr(json, "\"vkCmdDispatch\": 42,"));
   CHECK(strstr(json, "\"vkCreateInstance\": 0,"));
   /* Every counter appears exactly once; the last one closes without a comma. */
   for (unsigned i = 0; i < PM4D_CTR_COUNT; i++) {
      char key[80];
      snprintf(key, sizeof(key), "\"%s\": ", pm4d_counter_name(i));
      const char *hit = strstr(json, key);
      CHECK(hit && !strstr(hit + 1, key));
   }
   char last[96];
   snprintf(last, sizeof(last), "\"%s\": 0\n  }\n}\n", pm4d_counter_name(PM4D_CTR_COUNT - 1));
   CHECK(strstr(json, last));
   CHECK(pm4d_stats_write_file("/nonexistent-dir/stats.json", &g) != 0);
}

static void test_killfile(void)
{
   char path[] = "/tmp/pm4d_kill_testXXXXXX";
   int fd = mkstemp(path);
   CHECK(fd >= 0);
   close(fd);
   struct pm4d_killfile kf;
   const uint64_t ms = 1000000;
   pm4d_killfile_init(&kf, path, 50 * ms);
   CHECK(pm4d_killfile_check(&kf, 1000 * ms)); /* first call stats: the file exists */
   unlink(path);
   CHECK(pm4d_killfile_check(&kf, 1020 * ms));  /* within the interval: cached answer */
   CHECK(!pm4d_killfile_check(&kf, 1051 * ms)); /* interval passed: stat again, gone */
   fd = open(path, O_CREAT | O_WRONLY, 0600);
   CHECK(fd >= 0);
   close(fd);
   CHECK(!pm4d_killfile_check(&kf, 1060 * ms));
   CHECK(pm4d_killfile_check(&kf, 1102 * ms));
   unlink(path);

   struct pm4d_killfile none;
   pm4d_killfile_init(&none, "", 0);
   CHECK(!pm4d_killfile_check(&none, 5));
}

int main(void)
{
   test_config();
   test_log_levels();
   test_counters_and_stats();
   test_killfile();
   return pm4d_check_finish("pm4d_safety_test");
}
