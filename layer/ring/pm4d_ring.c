#include "pm4d_ring.h"
#include "pm4d_alloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_clock.h"
#include "pm4d_futex.h"
#include "pm4d_pkt.h"
#include "pm4d_reason.h"

struct pm4d_ring {
   uint32_t *buf;
   uint32_t size_dw, mask;
   bool owns_buf; /* false: the caller's storage (pm4d_ring_create_in) */

   _Atomic uint64_t write_pos; /* published by the producer (release) */
   _Atomic uint64_t read_pos;  /* published by the consumer (release) */
   /* futex words: bumped after every publish, retire and wake */
   _Atomic uint32_t write_seq, read_seq;
   _Atomic uint32_t write_waiters, read_waiters;
   _Atomic uint32_t wake_pending;

   /* producer only */
   uint64_t resv_pos;
   uint32_t resv_ndw;
};

/* Publishing side of the futex protocol: the position was stored before; bump the sequence
 * (seq_cst) and wake only when someone announced it sleeps. */
static void signal_seq(_Atomic uint32_t *seq, _Atomic uint32_t *waiters)
{
   atomic_fetch_add(seq, 1);
   if (atomic_load(waiters))
      pm4d_futex_wake(seq);
}

static bool size_ok(uint32_t size_bytes)
{
   return size_bytes >= PM4D_RING_MIN_BYTES && size_bytes <= PM4D_RING_MAX_BYTES &&
          (size_bytes & (size_bytes - 1)) == 0;
}

enum pm4d_ring_status pm4d_ring_create_in(void *storage, uint32_t size_bytes,
                                          struct pm4d_ring **out)
{
   if (!storage || (uintptr_t)storage % 4 || !size_ok(size_bytes))
      return PM4D_RING_INVALID;
   struct pm4d_ring *r = pm4d_calloc(1, sizeof(*r));
   if (!r)
      return PM4D_RING_NOMEM;
   r->buf = storage;
   memset(r->buf, 0, size_bytes);
   r->size_dw = size_bytes / 4;
   r->mask = r->size_dw - 1;
   *out = r;
   return PM4D_RING_OK;
}

enum pm4d_ring_status pm4d_ring_create(uint32_t size_bytes, struct pm4d_ring **out)
{
   if (size_bytes == 0)
      size_bytes = PM4D_RING_DEFAULT_BYTES;
   if (!size_ok(size_bytes))
      return PM4D_RING_INVALID;
   void *buf = pm4d_aligned_alloc(64, size_bytes);
   if (!buf)
      return PM4D_RING_NOMEM;
   enum pm4d_ring_status st = pm4d_ring_create_in(buf, size_bytes, out);
   if (st != PM4D_RING_OK)
      free(buf);
   else
      (*out)->owns_buf = true;
   return st;
}

void pm4d_ring_destroy(struct pm4d_ring *ring)
{
   if (!ring)
      return;
   if (ring->owns_buf)
      free(ring->buf);
   free(ring);
}

uint32_t pm4d_ring_size_dw(const struct pm4d_ring *ring)
{
   return ring->size_dw;
}

/* Dwords a reservation of ndw at write position w needs, padding included. */
static uint64_t needed(const struct pm4d_ring *r, uint64_t w, uint32_t ndw)
{
   uint32_t off = (uint32_t)(w & r->mask);
   return (uint64_t)ndw + (off + ndw > r->size_dw ? r->size_dw - off : 0);
}

static uint64_t free_dw(const struct pm4d_ring *r, uint64_t w)
{
   return r->size_dw - (w - atomic_load_explicit(&r->read_pos, memory_order_acquire));
}

bool pm4d_ring_can_write(const struct pm4d_ring *ring, uint32_t ndw)
{
   uint64_t w = atomic_load_explicit(&ring->write_pos, memory_order_relaxed);
   return ndw > 0 && ndw <= ring->size_dw / 2 && free_dw(ring, w) >= needed(ring, w, ndw);
}

enum pm4d_ring_status pm4d_ring_reserve(struct pm4d_ring *ring, uint32_t ndw, uint64_t deadline_ns,
                                        uint32_t **out, char *reason, size_t reason_size)
{
   struct pm4d_ring *r = ring;
   if (ndw == 0 || ndw > r->size_dw / 2)
      return pm4d_fail(reason, reason_size, PM4D_RING_TOO_BIG,
                       "reservation of %" PRIu32 " dwords: must be 1..%" PRIu32 " (half the ring)",
                       ndw, r->size_dw / 2);
   uint64_t w = atomic_load_explicit(&r->write_pos, memory_order_relaxed);
   uint64_t need = needed(r, w, ndw);
   while (free_dw(r, w) < need) {
      if (deadline_ns == 0 || pm4d_clock_now_ns() >= deadline_ns) {
         uint64_t rp = atomic_load_explicit(&r->read_pos, memory_order_acquire);
         return pm4d_fail(reason, reason_size, PM4D_RING_TIMEOUT,
                          "ring full: %" PRIu64 " dwords needed, %" PRIu64 " free of %" PRIu32
                          " when the deadline passed (read %" PRIu64 ", write %" PRIu64
                          "): the consumer did not retire work in time",
                          need, r->size_dw - (w - rp), r->size_dw, rp, w);
      }
      atomic_fetch_add(&r->read_waiters, 1);
      uint32_t seen = atomic_load(&r->read_seq);
      if (free_dw(r, w) < need)
         pm4d_futex_wait(&r->read_seq, seen, deadline_ns);
      atomic_fetch_sub(&r->read_waiters, 1);
   }
   uint32_t pad = (uint32_t)(need - ndw);
   if (pad)
      pm4d_pkt_nop_fill(r->buf + (w & r->mask), pad);
   r->resv_pos = w + pad;
   r->resv_ndw = ndw;
   *out = r->buf + (r->resv_pos & r->mask);
   return PM4D_RING_OK;
}

void pm4d_ring_commit(struct pm4d_ring *ring, uint32_t ndw)
{
   if (ndw > ring->resv_ndw)
      ndw = ring->resv_ndw;
   atomic_store_explicit(&ring->write_pos, ring->resv_pos + ndw, memory_order_release);
   ring->resv_ndw = 0;
   signal_seq(&ring->write_seq, &ring->write_waiters);
}

uint64_t pm4d_ring_published(const struct pm4d_ring *ring)
{
   return atomic_load_explicit(&ring->write_pos, memory_order_acquire);
}

const uint32_t *pm4d_ring_ptr(const struct pm4d_ring *ring, uint64_t pos)
{
   return ring->buf + (pos & ring->mask);
}

void pm4d_ring_retire(struct pm4d_ring *ring, uint64_t new_read_pos)
{
   atomic_store_explicit(&ring->read_pos, new_read_pos, memory_order_release);
   signal_seq(&ring->read_seq, &ring->read_waiters);
}

enum pm4d_ring_status pm4d_ring_wait_work(struct pm4d_ring *ring, uint64_t seen_write_pos,
                                          uint64_t deadline_ns)
{
   for (;;) {
      if (pm4d_ring_published(ring) > seen_write_pos)
         return PM4D_RING_OK;
      if (atomic_exchange(&ring->wake_pending, 0))
         return PM4D_RING_WOKEN;
      if (pm4d_clock_now_ns() >= deadline_ns)
         return PM4D_RING_TIMEOUT;
      atomic_fetch_add(&ring->write_waiters, 1);
      uint32_t seen = atomic_load(&ring->write_seq);
      if (pm4d_ring_published(ring) <= seen_write_pos && !atomic_load(&ring->wake_pending))
         pm4d_futex_wait(&ring->write_seq, seen, deadline_ns);
      atomic_fetch_sub(&ring->write_waiters, 1);
   }
}

uint64_t pm4d_ring_read_pos(const struct pm4d_ring *ring)
{
   return atomic_load_explicit(&ring->read_pos, memory_order_acquire);
}

void pm4d_ring_wake(struct pm4d_ring *ring)
{
   atomic_store(&ring->wake_pending, 1);
   signal_seq(&ring->write_seq, &ring->write_waiters);
}
