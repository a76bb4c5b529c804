/* The exit report: VGPU_REPORT=FILE gets the counters as JSON; VGPU_VERBOSE prints one line. */
#include "vgpu_driver.h"

#include <stdio.h>
#include <stdlib.h>

#include "vgpu_cp.h"

struct vgpu_stats vgpu_stats;

static pthread_mutex_t cps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vgpu_cp *cps[256];
static unsigned n_cps;
static struct vgpu_cp_counters gone; /* sums of destroyed CPs */

/* The CP's counters (vgpu_cp.h struct vgpu_cp_counters), each reported as "cp.<name>". */
#define CP_COUNTERS(X)          \
   X(ibs)                       \
   X(packets)                   \
   X(dispatches_run)            \
   X(dispatches_not_executable) \
   X(faults)                    \
   X(misaligned_ibs)            \
   X(dispatches_inherited)      \
   X(interrupts)

static void add_counters(struct vgpu_cp_counters *to, const struct vgpu_cp_counters *c)
{
#define ADD(f) to->f += c->f;
   CP_COUNTERS(ADD)
#undef ADD
}

void vgpu_report_add_cp(struct vgpu_cp *cp)
{
   pthread_mutex_lock(&cps_lock);
   if (n_cps < sizeof(cps) / sizeof(cps[0]))
      cps[n_cps++] = cp;
   pthread_mutex_unlock(&cps_lock);
}

void vgpu_report_remove_cp(struct vgpu_cp *cp)
{
   pthread_mutex_lock(&cps_lock);
   for (unsigned i = 0; i < n_cps; i++)
      if (cps[i] == cp) {
         struct vgpu_cp_counters c;
         vgpu_cp_get_counters(cp, &c);
         add_counters(&gone, &c);
         cps[i] = cps[--n_cps];
         break;
      }
   pthread_mutex_unlock(&cps_lock);
}

#define U(x) ((unsigned long long)atomic_load(&vgpu_stats.x))

__attribute__((destructor)) static void vgpu_report_at_exit(void)
{
   const char *path = getenv("VGPU_REPORT");
   if (!vgpu_verbose() && !(path && *path))
      return;
   struct vgpu_cp_counters cp = {0};
   pthread_mutex_lock(&cps_lock);
   add_counters(&cp, &gone);
   for (unsigned i = 0; i < n_cps; i++) {
      struct vgpu_cp_counters c;
      vgpu_cp_get_counters(cps[i], &c);
      add_counters(&cp, &c);
   }
   pthread_mutex_unlock(&cps_lock);
   if (path && *path) {
      FILE *fp = fopen(path, "w");
      if (fp) {
         const char *profile = getenv("VGPU_PROFILE");
         fprintf(fp,
                 "{\"profile\": \"%s\", \"cs_ioctls\": %llu, \"cs_rejected\": %llu, "
                 "\"jobs\": %llu, \"jobs_done\": %llu, \"ibs\": %llu, \"ibs_ok\": %llu, "
                 "\"ibs_preamble_skipped\": %llu, \"ibs_fault\": %llu, \"ibs_bad_packet\": %llu, "
                 "\"ibs_not_executable\": %llu, \"ibs_timeout\": %llu, \"vm_faults\": %llu, "
                 "\"gpu_resets\": %llu, \"vram_losses\": %llu, \"jobs_cancelled\": %llu, "
                 "\"injected\": %llu, \"reused_in_flight\": %llu, \"cp\": {",
                 profile ? profile : "gfx1030", U(cs_ioctls), U(cs_rejected), U(jobs), U(jobs_done),
                 U(ibs), U(ibs_ok), U(ibs_preamble_skipped), U(ibs_fault), U(ibs_bad_packet),
                 U(ibs_not_executable), U(ibs_timeout), U(vm_faults), U(gpu_resets), U(vram_losses),
                 U(jobs_cancelled), U(injected), U(reused_in_flight));
         const char *sep = "";
#define PRINT(f)                                                     \
   fprintf(fp, "%s\"" #f "\": %llu", sep, (unsigned long long)cp.f); \
   sep = ", ";
         CP_COUNTERS(PRINT)
#undef PRINT
         fprintf(fp, "}, \"ioctls\": {");
         sep = "";
         for (unsigned nr = 0; nr < 256; nr++) {
            unsigned long long n = atomic_load(&vgpu_stats.ioctls[nr]);
            if (!n)
               continue;
            char unnamed[16];
            const char *name = vgpu_ioctl_name(nr);
            snprintf(unnamed, sizeof(unnamed), "nr 0x%x", nr);
            /* each ioctl: [calls, calls that failed] */
            fprintf(fp, "%s\"%s\": [%llu, %llu]", sep, name ? name : unnamed, n,
                    (unsigned long long)atomic_load(&vgpu_stats.ioctl_errors[nr]));
            sep = ", ";
         }
         fprintf(fp, "}}\n");
         fclose(fp);
      } else {
         vgpu_log(0, "cannot write VGPU_REPORT=%s", path);
      }
   }
   if (vgpu_verbose())
      vgpu_log(0,
               "report: %llu CS (%llu rejected), %llu IBs (%llu ok, %llu bad packet, %llu not "
               "executable, %llu fault), CP: %llu packets, %llu dispatches run, %llu not "
               "executable, %llu faults, %llu misaligned IBs",
               U(cs_ioctls), U(cs_rejected), U(ibs), U(ibs_ok), U(ibs_bad_packet),
               U(ibs_not_executable), U(ibs_fault), (unsigned long long)cp.packets,
               (unsigned long long)cp.dispatches_run,
               (unsigned long long)cp.dispatches_not_executable, (unsigned long long)cp.faults,
               (unsigned long long)cp.misaligned_ibs);
}
