/* Latency histograms (nanoseconds), listed once in PM4D_HISTOGRAMS. Buckets are log2 octaves
 * split into 8 linear sub-buckets (HDR style: every value lands in a bucket at most 12.5 %
 * wide), counted with relaxed atomics: a record is a count-leading-zeros and two atomic adds,
 * cheap enough for the submission path, and safe from any thread. */
#ifndef PM4D_HISTOGRAM_H
#define PM4D_HISTOGRAM_H

#include <stdatomic.h>
#include <stdint.h>

/* X(name, what): submit_to_kick from pm4d_direct_submit's entry to the kick; kick_to_fence
 * from the kick to the watchdog seeing the batch's fence (it includes any wait for the batch's
 * wait point). The direct path times one submission in 8 per queue. */
#define PM4D_HISTOGRAMS(X)                          \
   X(submit_to_kick, "direct submit entry to kick") \
   X(kick_to_fence, "kick to fence seen by the watchdog")

enum pm4d_hist {
#define PM4D_HIST_ENUM(name, what) PM4D_HIST_##name,
   PM4D_HISTOGRAMS(PM4D_HIST_ENUM)
#undef PM4D_HIST_ENUM
      PM4D_HIST_COUNT
};

#define PM4D_HIST_SUB_BITS 3u
#define PM4D_HIST_SUB      (1u << PM4D_HIST_SUB_BITS)
#define PM4D_HIST_BUCKETS  ((64u - PM4D_HIST_SUB_BITS + 1u) * PM4D_HIST_SUB)

struct pm4d_hist_data {
   _Atomic uint64_t buckets[PM4D_HIST_BUCKETS];
   _Atomic uint64_t sum, max;
};

extern struct pm4d_hist_data pm4d_hist_values[PM4D_HIST_COUNT];

static inline unsigned pm4d_hist_bucket(uint64_t v)
{
   if (v < PM4D_HIST_SUB)
      return (unsigned)v;
   unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= SUB_BITS */
   return (e - PM4D_HIST_SUB_BITS + 1u) * PM4D_HIST_SUB +
          (unsigned)((v >> (e - PM4D_HIST_SUB_BITS)) & (PM4D_HIST_SUB - 1u));
}

static inline void pm4d_hist_record(enum pm4d_hist h, uint64_t ns)
{
   struct pm4d_hist_data *d = &pm4d_hist_values[h];
   atomic_fetch_add_explicit(&d->buckets[pm4d_hist_bucket(ns)], 1, memory_order_relaxed);
   atomic_fetch_add_explicit(&d->sum, ns, memory_order_relaxed);
   uint64_t m = atomic_load_explicit(&d->max, memory_order_relaxed);
   while (ns > m && !atomic_compare_exchange_weak_explicit(&d->max, &m, ns, memory_order_relaxed,
                                                           memory_order_relaxed))
      ;
}

/* A consistent-enough copy for reports (counts may move while it is taken). */
struct pm4d_hist_snapshot {
   uint64_t buckets[PM4D_HIST_BUCKETS];
   uint64_t count, sum, max;
};

void pm4d_hist_snapshot(enum pm4d_hist h, struct pm4d_hist_snapshot *out);
/* The smallest value of bucket i. */
uint64_t pm4d_hist_bucket_lower(unsigned i);
/* The q-quantile (0 < q <= 1) as the middle of the bucket holding it, at most max; 0 when
 * empty. */
uint64_t pm4d_hist_quantile(const struct pm4d_hist_snapshot *s, double q);
const char *pm4d_hist_name(enum pm4d_hist h);
const char *pm4d_hist_what(enum pm4d_hist h);
void pm4d_hist_reset_all(void);

#endif
