/* Diagnostics on failure. With PM4DIRECT_DIAG_DIR set, each failure event (hang, device fault,
 * validation refusal, ring full, refused kick) gets its own directory
 * DIR/<seq>-<kind>-<pid>/ holding:
 *   reason.txt  what happened, and what the layer does about it
 *   pm4.hex     the failing batch's PM4, one 0x%08x dword per line (`pm4direct decode` reads it)
 *   pm4.txt     the same decoded by layer/pm4's decoder
 *   stats.json  the process counters, histograms and policy state at that moment
 * plus the caller's own files (the direct path adds jobs.txt and ring.txt). At most
 * PM4D_DIAG_MAX_EVENTS directories per process, so a long faulty run cannot fill the disk. */
#ifndef PM4D_DIAG_H
#define PM4D_DIAG_H

#include <stdint.h>
#include <stdio.h>

#include "pm4d_gfx.h"

#define PM4D_DIAG_MAX_EVENTS 64u

struct pm4d_diag;

/* A new event directory under root (created when missing); NULL when root is NULL or "", the
 * event limit is reached, or the directory cannot be made (said once in the log). */
struct pm4d_diag *pm4d_diag_open(const char *root, const char *kind);
/* A file of the event opened for writing; NULL on error. The caller closes it. */
FILE *pm4d_diag_file(struct pm4d_diag *dg, const char *name);
/* pm4.hex and pm4.txt of ndw dwords at dw. */
void pm4d_diag_pm4(struct pm4d_diag *dg, enum pm4d_gfx_level level, const uint32_t *dw,
                   uint32_t ndw);
/* Writes stats.json, logs where the event went, and frees dg. */
void pm4d_diag_close(struct pm4d_diag *dg);

#endif
