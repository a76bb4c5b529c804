#include "pm4d_histogram.h"

struct pm4d_hist_data pm4d_hist_values[PM4D_HIST_COUNT];

static const char *const hist_names[PM4D_HIST_COUNT] = {
#define PM4D_HIST_NAME(name, what) #name,
   PM4D_HISTOGRAMS(PM4D_HIST_NAME)
#undef PM4D_HIST_NAME
};

static const char *const hist_whats[PM4D_HIST_COUNT] = {
#define PM4D_HIST_WHAT(name, what) what,
   PM4D_HISTOGRAMS(PM4D_HIST_WHAT)
#undef PM4D_HIST_WHAT
};

const char *pm4d_hist_name(enum pm4d_hist h)
{
   return hist_names[h];
}

const char *pm4d_hist_what(enum pm4d_hist h)
{
   return hist_whats[h];
}

void pm4d_hist_snapshot(enum pm4d_hist h, struct pm4d_hist_snapshot *out)
{
   struct pm4d_hist_data *d = &pm4d_hist_values[h];
   out->count = 0;
   for (unsigned i = 0; i < PM4D_HIST_BUCKETS; i++) {
      out->buckets[i] = atomic_load_explicit(&d->buckets[i], memory_order_relaxed);
      out->count += out->buckets[i]; /* so quantiles always agree with the buckets */
   }
   out->sum = atomic_load_explicit(&d->sum, memory_order_relaxed);
   out->max = atomic_load_explicit(&d->max, memory_order_relaxed);
}

uint64_t pm4d_hist_bucket_lower(unsigned i)
{
   if (i < PM4D_HIST_SUB)
      return i;
   unsigned e = i / PM4D_HIST_SUB + PM4D_HIST_SUB_BITS - 1u;
   return (uint64_t)(PM4D_HIST_SUB + i % PM4D_HIST_SUB) << (e - PM4D_HIST_SUB_BITS);
}

uint64_t pm4d_hist_quantile(const struct pm4d_hist_snapshot *s, double q)
{
   if (s->count == 0)
      return 0;
   double want = q * (double)s->count;
   uint64_t rank = (uint64_t)want, seen = 0;
   if ((double)rank < want || rank == 0)
      rank++; /* the ceiling, at least the first */
   for (unsigned i = 0; i < PM4D_HIST_BUCKETS; i++) {
      seen += s->buckets[i];
      if (seen >= rank) {
         uint64_t lo = pm4d_hist_bucket_lower(i);
         uint64_t hi = i + 1 < PM4D_HIST_BUCKETS ? pm4d_hist_bucket_lower(i + 1) : UINT64_MAX;
         uint64_t mid = lo + (hi - lo) / 2;
         return mid < s->max ? mid : s->max;
      }
   }
   return s->max;
}

void pm4d_hist_reset_all(void)
{
   for (unsigned h = 0; h < PM4D_HIST_COUNT; h++) {
      struct pm4d_hist_data *d = &pm4d_hist_values[h];
      for (unsigned i = 0; i < PM4D_HIST_BUCKETS; i++)
         atomic_store_explicit(&d->buckets[i], 0, memory_order_relaxed);
      atomic_store_explicit(&d->sum, 0, memory_order_relaxed);
      atomic_store_explicit(&d->max, 0, memory_order_relaxed);
   }
}
