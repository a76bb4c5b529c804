/* The safety net around the direct path over the sim back end, no Vulkan:
 *   diag         every failure (hang, device fault, validation refusal) leaves a diagnostics
 *                directory with the failing batch's PM4 (raw and decoded), the jobs, the ring
 *                positions and the counters; histograms fill on healthy batches; the direct
 *                path runs the kill-file watcher while it exists
 *   autodisable  a window of 10 at 80 %: the 3rd failed batch turns the direct path off, later
 *                submissions are refused as unavailable, every job still runs exactly once */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pm4d_autodisable.h"
#include "pm4d_check.h"
#include "pm4d_conv2d_ref.h"
#include "pm4d_direct_fixture.h"
#include "pm4d_direct_test.h"
#include "pm4d_histogram.h"
#include "pm4d_killfile.h"
#include "pm4d_pkt_defs.h"

#define DEADLINE_NS 50000000ull
/* EVENT_WRITE's header in every dispatch template turned into opcode 0x7A (see test_direct.c) */
#define CORRUPT_MASK (((uint32_t)PM4D_OP_EVENT_WRITE ^ 0x7Au) << PM4D_PKT_OPCODE_SHIFT)

static struct fx fx;
static struct fx_queue fq;
static uint64_t next_point;
static char root[] = "/tmp/pm4d_diag_testXXXXXX";

static void inject(const char *spec)
{
   char reason[256];
   CHECKF(pm4d_direct_test_inject(fx.d, spec, reason, sizeof(reason)) == PM4D_DIRECT_OK,
          "inject %s: %s", spec, reason);
}

/* Submits one single-job batch on the chain; runs the job's fallback itself when refused. */
static enum pm4d_direct_status chain_one(void)
{
   uint32_t j = fx_job_add(&fx, &fq, (unsigned)next_point);
   enum pm4d_direct_status st = fx_submit(&fq, j, 1, next_point, next_point + 1);
   if (st != PM4D_DIRECT_OK) {
      CHECKF(fx_wait(&fq.bridge, next_point, FX_WAIT_NS) == 0, "wait point before the fallback");
      const struct fx_job *r = &fq.jobs[j];
      pm4d_ref_conv2d(&r->job.params, r->in, r->filter, r->bias, r->out);
      fx_signal(&fq.bridge, next_point + 1);
   }
   next_point++;
   CHECKF(fx_wait(&fq.bridge, next_point, FX_WAIT_NS) == 0, "point %" PRIu64, next_point);
   return st;
}

/* The event directory of this kind (root/<seq>-<kind>-<pid>), in path; false when none. */
static bool find_event(const char *kind, char *path, size_t size)
{
   char suffix[64];
   snprintf(suffix, sizeof(suffix), "-%s-%ld", kind, (long)getpid());
   DIR *dir = opendir(root);
   struct dirent *e;
   bool found = false;
   while (dir && !found && (e = readdir(dir))) {
      size_t n = strlen(e->d_name), m = strlen(suffix);
      if (n > m && !strcmp(e->d_name + n - m, suffix)) {
         snprintf(path, size, "%s/%s", root, e->d_name);
         found = true;
      }
   }
   if (dir)
      closedir(dir);
   return found;
}

static bool file_has(const char *dir, const char *name, const char *needle)
{
   char path[600];
   snprintf(path, sizeof(path), "%s/%s", dir, name);
   size_t size = 0;
   char *text = pm4d_check_read_file(&size, "%s", path);
   bool hit = text && strstr(text, needle);
   if (!hit)
      fprintf(stderr, "%s: no '%s'\n", path, needle);
   free(text);
   return hit;
}

static void check_event(const char *kind, const char *reason_part, const char *pm4_part)
{
   char dir[512];
   if (!find_event(kind, dir, sizeof(dir))) {
      CHECKF(false, "no %s event under %s", kind, root);
      return;
   }
   CHECKF(file_has(dir, "reason.txt", reason_part), "%s: reason", kind);
   CHECKF(file_has(dir, "reason.txt", "the layer now: "), "%s: what the layer does", kind);
   CHECKF(file_has(dir, "pm4.hex", "0xc"), "%s: raw PM4 (type-3 headers)", kind);
   CHECKF(file_has(dir, "pm4.txt", pm4_part), "%s: decoded PM4", kind);
   CHECKF(file_has(dir, "jobs.txt", "job 0: n=") && file_has(dir, "jobs.txt", "output 0x"),
          "%s: shapes and addresses", kind);
   CHECKF(file_has(dir, "ring.txt", "ring: ") && file_has(dir, "ring.txt", "fence: value"),
          "%s: ring positions", kind);
   CHECKF(file_has(dir, "stats.json", "\"histograms\"") &&
             file_has(dir, "stats.json", "\"counters\""),
          "%s: counters", kind);
}

static void diag(void)
{
   struct pm4d_killfile *kf = pm4d_killfile_process();
   CHECKF(atomic_load(&kf->watched), "the direct path runs the kill-file watcher");

   /* 17 batches on a fresh queue: the 1st, 9th and 17th are timed (one in 8). */
   pm4d_hist_reset_all();
   for (int i = 0; i < 17; i++)
      CHECKF(chain_one() == PM4D_DIRECT_OK, "healthy batch %d", i);
   struct pm4d_hist_snapshot s;
   pm4d_hist_snapshot(PM4D_HIST_submit_to_kick, &s);
   CHECKF(s.count == 3 && s.max > 0, "submit_to_kick: %" PRIu64 " samples", s.count);
   /* The bridge point comes from the back end's interrupt; the watchdog retires (and times)
    * the batch just after. */
   for (int i = 0; i < 100; i++, nanosleep(&(struct timespec){0, 10000000}, NULL)) {
      pm4d_hist_snapshot(PM4D_HIST_kick_to_fence, &s);
      if (s.count == 3)
         break;
   }
   CHECKF(s.count == 3 && pm4d_hist_quantile(&s, 0.5) > 0, "kick_to_fence: %" PRIu64 " samples",
          s.count);

   inject("stall_after=1"); /* the next batch runs, the one after stalls */
   CHECKF(chain_one() == PM4D_DIRECT_OK && chain_one() == PM4D_DIRECT_OK, "batches kicked");
   check_event("hang", "missed its", "DISPATCH_DIRECT");
   inject("bad_address");
   CHECKF(chain_one() == PM4D_DIRECT_OK, "faulting batch kicked");
   check_event("fault", "page fault", "RELEASE_MEM");
   inject("");
   pm4d_direct_test_corrupt_templates(fx.d, 0, CORRUPT_MASK);
   CHECKF(chain_one() == PM4D_DIRECT_INVALID, "corrupted template refused");
   pm4d_direct_test_corrupt_templates(fx.d, 0, CORRUPT_MASK);
   check_event("validation", "validator refused", "ACQUIRE_MEM");
   CHECKF(chain_one() == PM4D_DIRECT_OK, "healthy again");

   /* The kill file, seen by the watcher within its interval. */
   char kill[600];
   snprintf(kill, sizeof(kill), "%s/kill", root);
   close(open(kill, O_CREAT | O_WRONLY, 0600));
   bool seen = false;
   for (int i = 0; i < 100 && !seen; i++, nanosleep(&(struct timespec){0, 10000000}, NULL))
      seen = pm4d_killfile_active();
   CHECKF(seen, "kill file seen");
   unlink(kill);

   CHECKF(fx_check_points(&fq, next_point), "points");
   CHECKF(fx_check_outputs(&fq) == 0, "outputs");
}

static void autodisable(void)
{
   struct pm4d_autodisable *a = pm4d_autodisable_process();
   CHECKF(a->window == 10 && a->allowed == 2, "window %u allows %u", a->window, a->allowed);
   uint64_t before = a->failures;
   CHECKF(chain_one() == PM4D_DIRECT_OK, "healthy batch");
   for (int i = 0; i < 3; i++) {
      CHECKF(!pm4d_autodisable_active(), "still on before failure %d", i + 1);
      inject("bad_address"); /* each reset clears the injected faults */
      CHECKF(chain_one() == PM4D_DIRECT_OK, "faulting batch %d kicked", i);
   }
   CHECKF(pm4d_autodisable_active() && a->failures - before == 3, "off after 3 failures (%s)",
          a->why);
   for (int i = 0; i < 3; i++)
      CHECKF(chain_one() == PM4D_DIRECT_UNAVAILABLE, "refused once off");
   CHECKF(strstr(fq.batches[fq.nbatches - 1].reason, "auto-disabled"), "reason: %s",
          fq.batches[fq.nbatches - 1].reason);
   CHECKF(fx_check_points(&fq, next_point), "every point once");
   CHECKF(fx_check_outputs(&fq) == 0, "outputs");
   CHECKF(!fx.fallback_error, "fallbacks ran");
}

int main(int argc, char **argv)
{
   const char *what = argc > 1 ? argv[1] : "diag";
   if (!mkdtemp(root))
      return 1;
   /* Read once by the safety configuration, at the direct path's first use of it. */
   setenv("PM4DIRECT_DIAG_DIR", root, 1);
   char kill[600];
   snprintf(kill, sizeof(kill), "%s/kill", root);
   setenv("PM4DIRECT_KILL_FILE", kill, 1);
   bool ad = !strcmp(what, "autodisable");
   setenv("PM4DIRECT_AUTODISABLE_WINDOW", ad ? "10" : "0", 1);
   setenv("PM4DIRECT_AUTODISABLE_THRESHOLD", "80", 1);
   /* autodisable: a generous deadline, so that only the injected faults fail batches. */
   struct pm4d_direct_config cfg = {.backend = PM4D_DIRECT_BACKEND_SIM,
                                    .debug = true,
                                    .deadline_base_ns = ad ? 2000000000ull : DEADLINE_NS};
   int rc = fx_init(&fx, &cfg);
   if (rc)
      return rc;
   fx_warm_up(&fx);
   fx_queue_init(&fx, &fq);
   CHECKF(fq.q != NULL, "queue created");
   if (fq.q && ad)
      autodisable();
   else if (fq.q)
      diag();
   fx_queue_fini(&fq);
   fx_fini(&fx);
   CHECKF(!atomic_load(&pm4d_killfile_process()->watched), "watcher stopped with the device");
   char cmd[600]; /* PM4D_TEST_KEEP=1 keeps the events for a look */
   snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
   if (atomic_load(&pm4d_check_failures) == 0 && !getenv("PM4D_TEST_KEEP") && system(cmd) != 0)
      fprintf(stderr, "could not remove %s\n", root);
   return pm4d_check_finish("test_direct_safety");
}
