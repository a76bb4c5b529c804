/* The one clock of the layer: CLOCK_MONOTONIC in nanoseconds, the clock every deadline, futex
 * wait and latency figure uses. */
#ifndef PM4D_CLOCK_H
#define PM4D_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t pm4d_clock_now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
