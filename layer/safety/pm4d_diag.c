#include "pm4d_diag.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm4d_alloc.h"
#include "pm4d_counters.h"
#include "pm4d_decode.h"
#include "pm4d_file.h"
#include "pm4d_log.h"
#include "pm4d_stats.h"

struct pm4d_diag {
   char dir[PATH_MAX];
};

static atomic_uint events;

struct pm4d_diag *pm4d_diag_open(const char *root, const char *kind)
{
   if (!root || !root[0])
      return NULL;
   unsigned seq = atomic_fetch_add(&events, 1);
   if (seq >= PM4D_DIAG_MAX_EVENTS) {
      PM4D_LOG_ONCE(PM4D_LOG_WARN, "diagnostics: %u events written to %s; no more this run",
                    PM4D_DIAG_MAX_EVENTS, root);
      return NULL;
   }
   struct pm4d_diag *dg = pm4d_malloc(sizeof(*dg));
   if (!dg)
      return NULL;
   int n = snprintf(dg->dir, sizeof(dg->dir), "%s/%04u-%s-%ld", root, seq, kind, (long)getpid());
   if (n < 0 || (size_t)n >= sizeof(dg->dir) ||
       ((mkdir(root, 0700) != 0 && errno != EEXIST) || mkdir(dg->dir, 0700) != 0)) {
      PM4D_LOG_ONCE(PM4D_LOG_WARN, "diagnostics: cannot create a directory under %s: %s", root,
                    strerror(errno));
      free(dg);
      return NULL;
   }
   return dg;
}

FILE *pm4d_diag_file(struct pm4d_diag *dg, const char *name)
{
   char path[PATH_MAX + 64];
   snprintf(path, sizeof(path), "%s/%s", dg->dir, name);
   return pm4d_file_create(path);
}

void pm4d_diag_pm4(struct pm4d_diag *dg, enum pm4d_gfx_level level, const uint32_t *dw,
                   uint32_t ndw)
{
   FILE *f = pm4d_diag_file(dg, "pm4.hex");
   if (f) {
      fprintf(f, "# %u dwords, %s\n", ndw, pm4d_gfx_name(level));
      for (uint32_t i = 0; i < ndw; i++)
         fprintf(f, "0x%08x\n", dw[i]);
      fclose(f);
   }
   f = pm4d_diag_file(dg, "pm4.txt");
   if (f) {
      if (pm4d_decode(level, dw, ndw, f) != PM4D_OK)
         fprintf(f, "(the decoder stopped: the stream is malformed from there on)\n");
      fclose(f);
   }
}

void pm4d_diag_close(struct pm4d_diag *dg)
{
   FILE *f = pm4d_diag_file(dg, "stats.json");
   if (f) {
      pm4d_stats_write_current(f);
      fclose(f);
   }
   pm4d_counter_inc(PM4D_CTR_diagnostics_written);
   pm4d_log(PM4D_LOG_WARN, "diagnostics written to %s", dg->dir);
   free(dg);
}
