/* The settings parser (pm4d_config): every wrong value from issue 17 gets one line naming what
 * is accepted and what is used instead; a privileged (AT_SECURE) process ignores every setting
 * that names a file; README.md's settings table lists every variable the parser knows. The
 * expected texts are the documented ones (README table, issue 17), typed here, not read from the
 * parser's table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm4d_check.h"
#include "pm4d_config.h"
#include "pm4d_fake_env.h"
#include "pm4d_file.h"
#include "pm4d_stats.h"

static struct pm4d_config cfg;
static char problem[2048];

static unsigned lines(const char *text)
{
   unsigned n = text[0] != '\0';
   for (const char *p = text; *p; p++)
      n += *p == '\n';
   return n;
}

/* Parses one NAME=VALUE; checks the single problem line equals want ("" : no problem). */
static void one(const char *setting, bool secure, const char *want)
{
   const char *const env[] = {setting, NULL};
   fake_env = env;
   pm4d_config_parse(&cfg, fake_getenv, secure, problem, sizeof(problem));
   CHECKF(!strcmp(problem, want), "%s: got '%s', want '%s'", setting, problem, want);
}

static void test_wrong_values(void)
{
   static const char *const deadline[] = {"abc", "0", "-5", "-100", "1.5", "600001", "1e3", ""};
   for (unsigned i = 0; deadline[i][0]; i++) {
      char setting[64], want[256];
      snprintf(setting, sizeof(setting), "PM4DIRECT_DEADLINE_MS=%s", deadline[i]);
      snprintf(want, sizeof(want),
               "PM4DIRECT_DEADLINE_MS=%s not accepted (accepted: whole milliseconds from 1 to "
               "600000); using 100",
               deadline[i]);
      one(setting, false, want);
      CHECKF(cfg.deadline_ms == 100, "%s gave %u ms", setting, cfg.deadline_ms);
   }
   one("PM4DIRECT_DEADLINE_MS=250", false, "");
   CHECK(cfg.deadline_ms == 250);
   one("PM4DIRECT_DEADLINE_MS=600000", false, "");
   CHECK(cfg.deadline_ms == 600000);

   one("PM4DIRECT_BACKEND=bogus", false,
       "PM4DIRECT_BACKEND=bogus not accepted (accepted: auto, amdgpu, sim or none); using auto");
   CHECK(cfg.backend == PM4D_BACKEND_AUTO);
   one("PM4DIRECT_AUTODISABLE_THRESHOLD=200", false,
       "PM4DIRECT_AUTODISABLE_THRESHOLD=200 not accepted (accepted: percent from 0 to 100, '%' "
       "optional); using 95");
   CHECK(cfg.autodisable_threshold == 95.0);
   one("PM4DIRECT_AUTODISABLE_WINDOW=-1", false,
       "PM4DIRECT_AUTODISABLE_WINDOW=-1 not accepted (accepted: whole batches from 0 (never) to "
       "4096); using 100");
   one("PM4DIRECT_LOG=loud", false,
       "PM4DIRECT_LOG=loud not accepted (accepted: error, warn, info or debug); using warn");
   CHECK(cfg.log_level == PM4D_LOG_WARN);
   /* A wrong kill switch still switches the layer off. */
   one("PM4DIRECT_DISABLE=yes", false,
       "PM4DIRECT_DISABLE=yes not accepted (accepted: 0 or 1 (1: forward every call)); using 1");
   CHECK(cfg.disable);
   one("PM4DIRECT_DEBUG=2", false, "PM4DIRECT_DEBUG=2 not accepted (accepted: 0 or 1); using 1");
   CHECK(cfg.debug);
   one("PM4DIRECT_SIM_CORRUPT_TEMPLATE=7", false,
       "PM4DIRECT_SIM_CORRUPT_TEMPLATE=7 not accepted (accepted: DWORD:MASK (decimal dword "
       "index, hex mask)); using no corruption");
   CHECK(!cfg.sim_corrupt[0]);
   one("PM4DIRECT_SIM_CORRUPT_TEMPLATE=7:ff", false, "");
   CHECK(!strcmp(cfg.sim_corrupt, "7:ff"));
   one("PM4DIRECT_FAIL_ALLOC=x", false,
       "PM4DIRECT_FAIL_ALLOC=x not accepted (accepted: N: the N-th allocation fails (-1: every "
       "one)); using none fails");
   one("PM4DIRECT_FAIL_ALLOC=-1", false, "");
   one("PM4DIRECT_FAIL_ALLOC_SITE=pm4d_ring.c:40#0", false,
       "PM4DIRECT_FAIL_ALLOC_SITE=pm4d_ring.c:40#0 not accepted (accepted: F.c:L (every "
       "allocation there) or F.c:L#K (its K-th)); using none fails");
   one("PM4DIRECT_FAIL_ALLOC_SITE=pm4d_ring.c:40#2", false, "");
   one("PM4DIRECT_FAIL_ALLOC_RANDOM=1001", false,
       "PM4DIRECT_FAIL_ALLOC_RANDOM=1001 not accepted (accepted: P or P:SEED (P per mille, 0 to "
       "1000)); using none fails");
   one("PM4DIRECT_FAIL_ALLOC_RANDOM=20:7", false, "");

   /* Several wrong values: one line each. */
   static const char *const several[] = {"PM4DIRECT_DEADLINE_MS=abc", "PM4DIRECT_BACKEND=bogus",
                                         "PM4DIRECT_AUTODISABLE_THRESHOLD=200", NULL};
   fake_env = several;
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECKF(lines(problem) == 3, "three lines: %s", problem);
}

static void test_secure(void)
{
   static const char *const env[] = {"PM4DIRECT_STATS=/tmp/s.json",   "PM4DIRECT_DIAG_DIR=/tmp/d",
                                     "PM4DIRECT_SHADER_TABLE=/tmp/t", "PM4DIRECT_KILL_FILE=/tmp/k",
                                     "PM4DIRECT_ALLOC_SITES=/tmp/a",  "PM4DIRECT_DEADLINE_MS=250",
                                     "PM4DIRECT_BACKEND=sim",         NULL};
   fake_env = env;
   pm4d_config_parse(&cfg, fake_getenv, true, problem, sizeof(problem));
   CHECK(cfg.secure && !cfg.stats_path[0] && !cfg.diag_dir[0] && !cfg.shader_table[0] &&
         !cfg.kill_file[0] && !cfg.alloc_sites[0]);
   CHECK(cfg.deadline_ms == 250 && cfg.backend == PM4D_BACKEND_SIM);
   CHECKF(!strcmp(problem, "setuid/setgid process: ignoring PM4DIRECT_STATS, PM4DIRECT_KILL_FILE, "
                           "PM4DIRECT_DIAG_DIR, PM4DIRECT_SHADER_TABLE, PM4DIRECT_ALLOC_SITES "
                           "(settings that name files are not used in a privileged process)"),
          "one line: %s", problem);
   /* The same environment in an ordinary process uses them all. */
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(!cfg.secure && !strcmp(cfg.stats_path, "/tmp/s.json") &&
         !strcmp(cfg.kill_file, "/tmp/k") && !strcmp(cfg.shader_table, "/tmp/t") && !problem[0]);
}

/* Given: set and used. The default's own value, typed by the user, is given; a wrong value, an
 * empty one, a file setting a privileged process ignores, and an unknown name are not. */
static void test_given(void)
{
   static const char *const env[] = {"PM4DIRECT_DEADLINE_MS=100", "PM4DIRECT_BACKEND=bogus",
                                     "PM4DIRECT_LOG=", "PM4DIRECT_STATS=/tmp/s.json", NULL};
   fake_env = env;
   pm4d_config_parse(&cfg, fake_getenv, true, problem, sizeof(problem));
   CHECK(pm4d_config_given(&cfg, "PM4DIRECT_DEADLINE_MS"));
   CHECK(!pm4d_config_given(&cfg, "PM4DIRECT_BACKEND") &&
         !pm4d_config_given(&cfg, "PM4DIRECT_LOG"));
   CHECK(!pm4d_config_given(&cfg, "PM4DIRECT_STATS") &&
         !pm4d_config_given(&cfg, "PM4DIRECT_DEBUG"));
   CHECK(!pm4d_config_given(&cfg, "PM4DIRECT_NO_SUCH"));
   pm4d_config_parse(&cfg, fake_getenv, false, problem, sizeof(problem));
   CHECK(pm4d_config_given(&cfg, "PM4DIRECT_STATS"));
}

/* README.md's settings table has a row for every variable. */
static void test_readme_lists_all(void)
{
   FILE *f = fopen(PM4D_SOURCE_DIR "/README.md", "r");
   CHECK(f != NULL);
   if (!f)
      return;
   static char text[1 << 16];
   size_t n = fread(text, 1, sizeof(text) - 1, f);
   text[n] = '\0';
   fclose(f);
   size_t count;
   const struct pm4d_config_var *v = pm4d_config_vars(&count);
   CHECK(count >= 18);
   for (size_t i = 0; i < count; i++) {
      char row[96];
      snprintf(row, sizeof(row), "\n| `%s", v[i].name);
      CHECKF(strstr(text, row) != NULL, "README.md has no settings row for %s", v[i].name);
   }
}

static bool file_is(const char *path, const char *want)
{
   char got[64] = "";
   FILE *f = fopen(path, "r");
   if (!f)
      return false;
   size_t n = fread(got, 1, sizeof(got) - 1, f);
   got[n] = '\0';
   fclose(f);
   return !strcmp(got, want);
}

/* Output files: a symbolic link planted where the setting points is never written through. */
static void test_output_files(void)
{
   char dir[] = "/tmp/pm4d_config_test.XXXXXX", victim[96], link[96], fresh[96];
   CHECK(mkdtemp(dir) != NULL);
   snprintf(victim, sizeof(victim), "%s/victim", dir);
   snprintf(link, sizeof(link), "%s/link", dir);
   snprintf(fresh, sizeof(fresh), "%s/fresh", dir);
   FILE *v = fopen(victim, "w");
   CHECK(v && fputs("precious", v) >= 0 && fclose(v) == 0);
   CHECK(symlink(victim, link) == 0);

   errno = 0;
   FILE *f = pm4d_file_create(link);
   CHECKF(!f && errno == ELOOP, "create through a link: %p, %s", (void *)f, strerror(errno));
   CHECK(file_is(victim, "precious"));

   mode_t old = umask(0);
   f = pm4d_file_create(fresh);
   umask(old);
   struct stat sb;
   CHECK(f && fclose(f) == 0 && stat(fresh, &sb) == 0 && (sb.st_mode & 0777) == 0600);

   /* Stats replace the link itself (rename), owner-only, and leave no temporary behind. */
   struct pm4d_stats_gauges g = {0};
   CHECK(pm4d_stats_write_file(link, &g) == 0);
   CHECK(file_is(victim, "precious"));
   CHECK(lstat(link, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 0777) == 0600);
   char cmd[160];
   snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) = 3 && rm -r %s", dir, dir);
   CHECKF(system(cmd) == 0, "%s holds victim, link, fresh only", dir);
}

int main(void)
{
   test_output_files();
   test_wrong_values();
   test_secure();
   test_given();
   test_readme_lists_all();
   return pm4d_check_finish("pm4d_config_test");
}
