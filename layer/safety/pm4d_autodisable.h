/* Auto-disable: the direct path is switched off for the rest of the process once the success
 * rate of its batches over the last `window` outcomes drops below `threshold`. Outcomes: a
 * batch's fence arrived (success); a hang, device fault, validation refusal or refused kick
 * (failure). A full ring is back pressure and does not count. It trips as
 * soon as the failures inside one window exceed what the threshold allows in a full window
 * (window 100 at 95 %: the 6th failure among any 100 consecutive outcomes), so a device that
 * fails from the start is cut off after a handful of batches, not after a full window. */
#ifndef PM4D_AUTODISABLE_H
#define PM4D_AUTODISABLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "pm4d_config.h" /* PM4D_AUTODISABLE_WINDOW_MAX and the defaults */

struct pm4d_autodisable {
   uint32_t window;  /* outcomes looked at; 0: never trips */
   uint32_t allowed; /* failures a window may hold */
   double threshold; /* percent */
   pthread_mutex_t mu;
   uint8_t ring[PM4D_AUTODISABLE_WINDOW_MAX]; /* 1 = failure, the last `window` outcomes */
   uint32_t pos, filled, failures_in_window;
   uint64_t successes, failures;
   atomic_bool tripped; /* read for free by the submission path */
   char why[256];       /* what happened, once tripped */
};

/* window is clamped to PM4D_AUTODISABLE_WINDOW_MAX; threshold in percent (0..100). */
void pm4d_autodisable_init(struct pm4d_autodisable *a, uint32_t window, double threshold);
/* Records one batch outcome. True exactly once: for the outcome that trips it. */
bool pm4d_autodisable_record(struct pm4d_autodisable *a, bool success);
static inline bool pm4d_autodisable_tripped(struct pm4d_autodisable *a)
{
   return atomic_load_explicit(&a->tripped, memory_order_relaxed);
}

/* The process's instance, configured from PM4DIRECT_AUTODISABLE_WINDOW / _THRESHOLD. Its
 * trip is logged once: what happened and what the layer does now. */
struct pm4d_autodisable *pm4d_autodisable_process(void);
/* Records into the process instance; true when this outcome tripped it. */
bool pm4d_autodisable_note(bool success);

/* Turns the process's direct path off now, whatever the window says (a failure no fallback
 * makes up for: a GPU page fault in its memory); counted and logged once like a trip. */
void pm4d_autodisable_force(const char *why);

/* Set once the process instance trips. */
extern atomic_bool pm4d_autodisable_off;
/* Whether the process's direct path is off (auto-disabled): one relaxed load. */
static inline bool pm4d_autodisable_active(void)
{
   return atomic_load_explicit(&pm4d_autodisable_off, memory_order_relaxed);
}

#endif
