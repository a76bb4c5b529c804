#include "pm4d_autodisable.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pm4d_config.h"
#include "pm4d_counters.h"
#include "pm4d_log.h"

void pm4d_autodisable_init(struct pm4d_autodisable *a, uint32_t window, double threshold)
{
   memset(a, 0, sizeof(*a));
   a->window = window < PM4D_AUTODISABLE_WINDOW_MAX ? window : PM4D_AUTODISABLE_WINDOW_MAX;
   a->threshold = threshold < 0 ? 0 : threshold > 100 ? 100 : threshold;
   /* Failures a full window may hold and still be at or above the threshold. */
   a->allowed = (uint32_t)((double)a->window * (100.0 - a->threshold) / 100.0 + 1e-9);
   pthread_mutex_init(&a->mu, NULL);
   atomic_init(&a->tripped, false);
}

bool pm4d_autodisable_record(struct pm4d_autodisable *a, bool success)
{
   bool trip = false;
   pthread_mutex_lock(&a->mu);
   if (success)
      a->successes++;
   else
      a->failures++;
   if (a->window && !atomic_load_explicit(&a->tripped, memory_order_relaxed)) {
      if (a->filled == a->window)
         a->failures_in_window -= a->ring[a->pos]; /* the oldest outcome leaves */
      else
         a->filled++;
      a->ring[a->pos] = !success;
      a->failures_in_window += !success;
      a->pos = (a->pos + 1) % a->window;
      if (a->failures_in_window > a->allowed) {
         trip = true;
         snprintf(a->why, sizeof(a->why),
                  "%" PRIu32 " of the last %" PRIu32 " direct batches failed (success %.1f %% of a "
                  "%" PRIu32 "-batch window, threshold %.1f %%)",
                  a->failures_in_window, a->filled,
                  100.0 * (a->window - a->failures_in_window) / a->window, a->window, a->threshold);
         atomic_store_explicit(&a->tripped, true, memory_order_relaxed);
      }
   }
   pthread_mutex_unlock(&a->mu);
   return trip;
}

atomic_bool pm4d_autodisable_off;
static struct pm4d_autodisable process_ad;
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void init_process(void)
{
   const struct pm4d_config *cfg = pm4d_config_get();
   pm4d_autodisable_init(&process_ad, cfg->autodisable_window, cfg->autodisable_threshold);
}

struct pm4d_autodisable *pm4d_autodisable_process(void)
{
   pthread_once(&process_once, init_process);
   return &process_ad;
}

static void turn_off(const char *why)
{
   if (atomic_exchange(&pm4d_autodisable_off, true))
      return; /* already off: counted and said once */
   pm4d_counter_inc(PM4D_CTR_auto_disables);
   pm4d_log(PM4D_LOG_ERROR,
            "auto-disable: %s; the direct path is now off for this process: every later conv2d "
            "runs through the driver as recorded (fallback), work already kicked completes or "
            "falls back as usual",
            why);
}

bool pm4d_autodisable_note(bool success)
{
   struct pm4d_autodisable *a = pm4d_autodisable_process();
   if (!pm4d_autodisable_record(a, success))
      return false;
   turn_off(a->why);
   return true;
}

void pm4d_autodisable_force(const char *why)
{
   turn_off(why);
}
