/* Futex waits on a 32-bit sequence word (process-private), the layer's only way to sleep for
 * an event: the ring's producer and consumer, the direct path's device event. */
#ifndef PM4D_FUTEX_H
#define PM4D_FUTEX_H

#include <stdatomic.h>
#include <stdint.h>

/* Sleeps while *word == seen, until the absolute CLOCK_MONOTONIC deadline (pm4d_clock.h), a
 * wake, or a signal: callers re-check their condition. */
void pm4d_futex_wait(_Atomic uint32_t *word, uint32_t seen, uint64_t deadline_ns);
/* Wakes every thread sleeping on word. */
void pm4d_futex_wake(_Atomic uint32_t *word);

#endif
