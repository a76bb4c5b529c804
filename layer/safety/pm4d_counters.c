#include "pm4d_counters.h"

_Atomic uint64_t pm4d_counter_values[PM4D_CTR_COUNT];

static const char *const counter_names[PM4D_CTR_COUNT] = {
#define PM4D_COUNTER_NAME(name) #name,
   PM4D_COUNTERS(PM4D_COUNTER_NAME)
#undef PM4D_COUNTER_NAME
};

uint64_t pm4d_counter_get(enum pm4d_counter c)
{
   return atomic_load_explicit(&pm4d_counter_values[c], memory_order_relaxed);
}

const char *pm4d_counter_name(enum pm4d_counter c)
{
   return counter_names[c];
}

void pm4d_counter_reset_all(void)
{
   for (unsigned i = 0; i < PM4D_CTR_COUNT; i++)
      atomic_store_explicit(&pm4d_counter_values[i], 0, memory_order_relaxed);
}
