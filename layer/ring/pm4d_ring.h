/* Ring buffer of PM4 dwords between one producer and one consumer.
 *
 * Threads:
 *  - Producer functions (pm4d_ring_can_write, _reserve, _commit) are called by one thread at
 *    a time: the caller serialises them under its own queue lock.
 *  - Consumer functions (pm4d_ring_published, _ptr, _retire, _wait_work) are called by one
 *    consumer thread (the sim's command processor, or the back end's retire path).
 *  - pm4d_ring_read_pos, pm4d_ring_wake and pm4d_ring_size_dw may be called from any thread.
 *  - create/destroy when no other thread uses the ring.
 *
 * Positions are 64-bit monotonic dword counts; offset in the ring = position & (size - 1).
 * The producer publishes its write position with a release store after writing the dwords;
 * the consumer reads it with an acquire load. The consumer publishes its read position with a
 * release store after it has finished reading; the producer reads it with an acquire load
 * before overwriting. A reservation never straddles the end of the ring: the rest of the ring
 * is padded with NOP packets and the reservation starts at offset 0. Unread dwords are never
 * overwritten. When the ring is full, reserve waits (futex on the read position) for the
 * consumer to retire, until a deadline, then fails with a reason. A consumer waiting for work
 * sleeps on a futex of the write position; commit and pm4d_ring_wake wake it. */
#ifndef PM4D_RING_H
#define PM4D_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm4d_clock.h"

#define PM4D_RING_DEFAULT_BYTES (64u * 1024u)
#define PM4D_RING_MIN_BYTES     64u
#define PM4D_RING_MAX_BYTES     (1u << 30)

enum pm4d_ring_status {
   PM4D_RING_OK = 0,
   PM4D_RING_INVALID, /* bad size or argument */
   PM4D_RING_TOO_BIG, /* a reservation larger than half the ring */
   PM4D_RING_TIMEOUT, /* deadline passed: ring still full, or no new work */
   PM4D_RING_WOKEN,   /* wait_work ended by pm4d_ring_wake */
   PM4D_RING_NOMEM,
};

struct pm4d_ring;

/* Deadlines are absolute values of pm4d_clock_now_ns (layer/common/pm4d_clock.h). */

/* size_bytes: power of two in [PM4D_RING_MIN_BYTES, PM4D_RING_MAX_BYTES]; 0 = 64 KiB. */
enum pm4d_ring_status pm4d_ring_create(uint32_t size_bytes, struct pm4d_ring **out);
/* The same over the caller's storage (size_bytes, dword aligned), e.g. the CPU mapping of
 * memory the device reads the batches from in place. It is zeroed here, written through by the
 * producer, read back only by consumers, and stays the caller's: free it after destroy. */
enum pm4d_ring_status pm4d_ring_create_in(void *storage, uint32_t size_bytes,
                                          struct pm4d_ring **out);
void pm4d_ring_destroy(struct pm4d_ring *ring);
uint32_t pm4d_ring_size_dw(const struct pm4d_ring *ring);

/* --- producer --- */
/* True when a reservation of ndw dwords (plus any wrap padding) fits without waiting. */
bool pm4d_ring_can_write(const struct pm4d_ring *ring, uint32_t ndw);
/* Reserves ndw contiguous dwords and returns where to write them. Waits for the consumer
 * until deadline_ns (0: do not wait). Nothing becomes visible before pm4d_ring_commit. On
 * failure the reason buffer (layer/common/pm4d_reason.h) says why (ring size, free space,
 * positions). */
#define PM4D_RING_REASON_MAX 192 /* holds any of its reasons */
enum pm4d_ring_status pm4d_ring_reserve(struct pm4d_ring *ring, uint32_t ndw, uint64_t deadline_ns,
                                        uint32_t **out, char *reason, size_t reason_size);
/* Publishes the padding and the first `ndw` dwords of the last reservation (ndw may be less
 * than reserved). */
void pm4d_ring_commit(struct pm4d_ring *ring, uint32_t ndw);

/* --- consumer --- */
/* Write position as last published (acquire). */
uint64_t pm4d_ring_published(const struct pm4d_ring *ring);
/* Dword at position pos (valid for read_pos <= pos < published). */
const uint32_t *pm4d_ring_ptr(const struct pm4d_ring *ring, uint64_t pos);
/* Everything before new_read_pos has been consumed (release); wakes a waiting producer. */
void pm4d_ring_retire(struct pm4d_ring *ring, uint64_t new_read_pos);
/* Returns PM4D_RING_OK once published > seen_write_pos, PM4D_RING_WOKEN after a wake, or
 * PM4D_RING_TIMEOUT at deadline_ns. Sleeps in the kernel; no polling. */
enum pm4d_ring_status pm4d_ring_wait_work(struct pm4d_ring *ring, uint64_t seen_write_pos,
                                          uint64_t deadline_ns);

/* --- any thread --- */
uint64_t pm4d_ring_read_pos(const struct pm4d_ring *ring);
/* Makes a consumer blocked in pm4d_ring_wait_work return PM4D_RING_WOKEN (shutdown, reset). */
void pm4d_ring_wake(struct pm4d_ring *ring);

#endif
