#include "pm4d_futex.h"

#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void pm4d_futex_wait(_Atomic uint32_t *word, uint32_t seen, uint64_t deadline_ns)
{
   /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC timeout (futex(2)). */
   struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000ull),
                         .tv_nsec = (long)(deadline_ns % 1000000000ull)};
   syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, seen, &ts, NULL,
           FUTEX_BITSET_MATCH_ANY);
}

void pm4d_futex_wake(_Atomic uint32_t *word)
{
   syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
}
