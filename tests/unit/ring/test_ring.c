/* Ring buffer tests: a producer and a consumer thread exchanging random-size packets (sequence
 * and contents checked, packets never straddle the end), a wrap at every offset, overflow with
 * and without retirement before the deadline, consumer waits (timeout, wake, new work). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "pm4d_iter.h"
#include "pm4d_pkt.h"
#include "pm4d_ring.h"
#include "pm4d_validate.h"
#include "../pm4/pm4d_test.h"

#define MS  1000000ull
#define SEC 1000000000ull

static uint32_t pattern(uint64_t seq, uint32_t i)
{
   return (uint32_t)(seq * 2654435761u) ^ (i * 40503u);
}

struct exchange {
   struct pm4d_ring *ring;
   uint64_t packets;
   uint32_t max_dw;
   int errors;
};

static void *producer(void *arg)
{
   struct exchange *x = arg;
   uint64_t rng = 88172645463325252ull;
   for (uint64_t seq = 0; seq < x->packets; seq++) {
      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      uint32_t ndw = 2 + (uint32_t)(rng % (x->max_dw - 1));
      uint32_t *p;
      char rwhy[PM4D_RING_REASON_MAX] = "";
      if (pm4d_ring_reserve(x->ring, ndw, pm4d_clock_now_ns() + 20 * SEC, &p, rwhy, sizeof(rwhy)) !=
          PM4D_RING_OK) {
         fprintf(stderr, "reserve failed: %s\n", rwhy);
         x->errors++;
         break;
      }
      p[0] = PM4D_PKT3(PM4D_OP_WRITE_DATA, ndw - 1);
      p[1] = (uint32_t)seq;
      for (uint32_t i = 2; i < ndw; i++)
         p[i] = pattern(seq, i);
      pm4d_ring_commit(x->ring, ndw);
   }
   return NULL;
}

static void *consumer(void *arg)
{
   struct exchange *x = arg;
   struct pm4d_ring *r = x->ring;
   uint32_t size = pm4d_ring_size_dw(r);
   uint64_t pos = 0, seq = 0;
   while (seq < x->packets && !x->errors) {
      if (pm4d_ring_wait_work(r, pos, pm4d_clock_now_ns() + 20 * SEC) != PM4D_RING_OK) {
         fprintf(stderr, "consumer: no work within 20 s at packet %llu\n", (unsigned long long)seq);
         x->errors++;
         break;
      }
      uint64_t end = pm4d_ring_published(r);
      while (pos < end) {
         const uint32_t *p = pm4d_ring_ptr(r, pos);
         uint32_t off = (uint32_t)(pos & (size - 1));
         struct pm4d_iter it;
         struct pm4d_packet pk;
         char why[PM4D_PM4_REASON_MAX] = "";
         pm4d_iter_init(&it, p, size - off);
         if (pm4d_iter_next(&it, &pk, why, sizeof(why)) != PM4D_ITER_PACKET ||
             pk.total_dw > end - pos) {
            fprintf(stderr, "bad or straddling packet at %llu\n", (unsigned long long)pos);
            x->errors++;
            return NULL;
         }
         if (pk.opcode == PM4D_OP_WRITE_DATA) {
            int bad = pk.body[0] != (uint32_t)seq;
            for (uint32_t i = 1; i < pk.body_dw; i++)
               bad |= pk.body[i] != pattern(seq, i + 1);
            if (bad) {
               fprintf(stderr, "packet %llu damaged or out of order\n", (unsigned long long)seq);
               x->errors++;
               return NULL;
            }
            seq++;
         } else if (pk.opcode != PM4D_OP_NOP || off + pk.total_dw != size) {
            fprintf(stderr, "padding that does not end at the ring's end\n");
            x->errors++;
            return NULL;
         }
         pos += pk.total_dw;
         pm4d_ring_retire(r, pos);
      }
   }
   return NULL;
}

static void test_threads(uint64_t packets)
{
   struct exchange x = {.packets = packets, .max_dw = 300};
   pthread_t prod, cons;
   CHECK(pm4d_ring_create(4096, &x.ring) == PM4D_RING_OK); /* 1024 dwords: wraps constantly */
   pthread_create(&cons, NULL, consumer, &x);
   pthread_create(&prod, NULL, producer, &x);
   pthread_join(prod, NULL);
   pthread_join(cons, NULL);
   CHECK(x.errors == 0);
   CHECK(pm4d_ring_read_pos(x.ring) == pm4d_ring_published(x.ring));
   printf("%llu packets, %llu dwords through a 1024-dword ring\n", (unsigned long long)packets,
          (unsigned long long)pm4d_ring_published(x.ring));
   pm4d_ring_destroy(x.ring);
}

/* The ring as the direct path uses it: the producer builds whole batches (cache invalidate,
 * dispatch, fence with value = batch number) straight into reservations; the consumer thread
 * validates every contiguous published region like the debug mode does, and checks the fence
 * values arrive in order. */
struct batches {
   struct pm4d_ring *ring;
   struct pm4d_builder builder;
   struct pm4d_kernel_desc kernel;
   struct pm4d_validator validator;
   uint64_t count;
   int errors;
};

static void *batch_producer(void *arg)
{
   struct batches *x = arg;
   uint32_t ndw = pm4d_builder_head_dw(&x->builder) +
                  pm4d_builder_dispatch_dw(&x->builder, &x->kernel, true) +
                  pm4d_builder_tail_dw(&x->builder);
   for (uint64_t i = 0; i < x->count; i++) {
      uint32_t *p;
      char why[PM4D_PM4_REASON_MAX] = "";
      char rwhy[PM4D_RING_REASON_MAX] = "";
      const uint32_t grid[3] = {1 + (uint32_t)(i % 97), 1, 1};
      struct pm4d_cs cs;
      if (pm4d_ring_reserve(x->ring, ndw, pm4d_clock_now_ns() + 20 * SEC, &p, rwhy, sizeof(rwhy)) !=
          PM4D_RING_OK) {
         fprintf(stderr, "reserve failed: %s\n", rwhy);
         x->errors++;
         return NULL;
      }
      pm4d_cs_init(&cs, p, ndw);
      if (pm4d_builder_batch_head(&x->builder, &cs, why, sizeof(why)) != PM4D_OK ||
          pm4d_builder_dispatch(&x->builder, &x->kernel, PM4D_TEST_PROGRAM,
                                PM4D_TEST_KERNARG + 64 * (i % 16), grid, true, &cs, NULL, why,
                                sizeof(why)) != PM4D_OK ||
          pm4d_builder_batch_tail(&x->builder, PM4D_TEST_FENCE, i + 1, &cs, NULL, why,
                                  sizeof(why)) != PM4D_OK ||
          cs.cdw != ndw) {
         fprintf(stderr, "build failed: %s\n", why[0] ? why : "size");
         x->errors++;
         return NULL;
      }
      pm4d_ring_commit(x->ring, ndw);
   }
   return NULL;
}

static void *batch_consumer(void *arg)
{
   struct batches *x = arg;
   struct pm4d_ring *r = x->ring;
   uint32_t size = pm4d_ring_size_dw(r);
   uint64_t pos = 0, fences = 0;
   while (fences < x->count && !x->errors) {
      if (pm4d_ring_wait_work(r, pos, pm4d_clock_now_ns() + 20 * SEC) != PM4D_RING_OK) {
         x->errors++;
         break;
      }
      uint64_t end = pm4d_ring_published(r);
      while (pos < end) {
         uint32_t off = (uint32_t)(pos & (size - 1));
         uint32_t n = (uint32_t)(end - pos < size - off ? end - pos : size - off);
         const uint32_t *p = pm4d_ring_ptr(r, pos);
         struct pm4d_validate_error err;
         struct pm4d_iter it;
         struct pm4d_packet pk;
         char why[PM4D_PM4_REASON_MAX] = "";
         uint32_t from = 0; /* each batch is validated alone, as the back end kicks it */
         pm4d_iter_init(&it, p, n);
         for (bool more = true; more;) {
            more = pm4d_iter_next(&it, &pk, why, sizeof(why)) == PM4D_ITER_PACKET;
            if (more && pk.opcode != PM4D_OP_RELEASE_MEM)
               continue;
            if (it.pos > from &&
                pm4d_validate(&x->validator, p + from, it.pos - from, &err) != PM4D_OK) {
               fprintf(stderr, "ring region invalid at %u: %s\n", from + err.offset, err.reason);
               x->errors++;
               return NULL;
            }
            from = it.pos;
            if (more && pk.body[4] != (uint32_t)++fences) {
               fprintf(stderr, "fence %u where %llu was due\n", pk.body[4],
                       (unsigned long long)fences);
               x->errors++;
               return NULL;
            }
         }
         if (from != n) { /* a header the iterator refused: the validator names it */
            pm4d_validate(&x->validator, p + from, n - from, &err);
            fprintf(stderr, "ring region invalid at %u: %s\n", from + err.offset, err.reason);
            x->errors++;
            return NULL;
         }
         pos += n;
         pm4d_ring_retire(r, pos);
      }
   }
   return NULL;
}

static void test_batches(uint64_t count)
{
   static struct batches x;
   pthread_t prod, cons;
   x.count = count;
   x.kernel = pm4d_test_kernel("gfx1030", 32);
   CHECK(pm4d_builder_init(&x.builder, PM4D_GFX10_3) == PM4D_OK);
   CHECK(pm4d_validator_init(&x.validator, PM4D_GFX10_3) == PM4D_OK);
   CHECK(pm4d_validator_add_program(&x.validator, PM4D_TEST_PROGRAM, 4096, &x.kernel) == PM4D_OK);
   CHECK(pm4d_validator_add_kernarg(&x.validator, PM4D_TEST_KERNARG, 4096) == PM4D_OK);
   CHECK(pm4d_validator_add_fence(&x.validator, PM4D_TEST_FENCE, 8) == PM4D_OK);
   CHECK(pm4d_ring_create(2048, &x.ring) == PM4D_RING_OK); /* 512 dwords: 8 batches, pads */
   pthread_create(&cons, NULL, batch_consumer, &x);
   pthread_create(&prod, NULL, batch_producer, &x);
   pthread_join(prod, NULL);
   pthread_join(cons, NULL);
   CHECK(x.errors == 0);
   printf("%llu batches validated through a 512-dword ring\n", (unsigned long long)count);
   pm4d_ring_destroy(x.ring);
}

static void test_wrap_every_offset(void)
{
   const uint32_t size = 64;
   for (uint32_t start = 0; start < size; start++) {
      for (uint32_t n = 1; n <= size / 2; n++) {
         struct pm4d_ring *r;
         uint32_t *p;
         char why[PM4D_PM4_REASON_MAX] = "";
         char rwhy[PM4D_RING_REASON_MAX] = "";
         CHECK(pm4d_ring_create(size * 4, &r) == PM4D_RING_OK);
         const uint32_t *base = pm4d_ring_ptr(r, 0);
         for (uint32_t i = 0; i < start; i++) { /* move both positions to `start` */
            CHECK(pm4d_ring_reserve(r, 1, 0, &p, rwhy, sizeof(rwhy)) == PM4D_RING_OK);
            pm4d_pkt_nop_fill(p, 1);
            pm4d_ring_commit(r, 1);
            pm4d_ring_retire(r, pm4d_ring_published(r));
         }
         CHECK(pm4d_ring_can_write(r, n));
         CHECK(pm4d_ring_reserve(r, n, 0, &p, rwhy, sizeof(rwhy)) == PM4D_RING_OK);
         uint32_t expect_off = start + n > size ? 0 : start;
         CHECK((uint32_t)(p - base) == expect_off);
         for (uint32_t i = 0; i < n; i++)
            p[i] = 0xA5A50000u + i;
         pm4d_ring_commit(r, n);
         uint32_t pad = start + n > size ? size - start : 0;
         CHECK(pm4d_ring_published(r) == (uint64_t)start + pad + n);
         if (pad) { /* the padding decodes as NOPs that end exactly at the ring's end */
            struct pm4d_iter it;
            struct pm4d_packet pk;
            pm4d_iter_init(&it, base + start, pad);
            while (pm4d_iter_next(&it, &pk, why, sizeof(why)) == PM4D_ITER_PACKET)
               CHECK(pk.opcode == PM4D_OP_NOP);
            CHECK(it.pos == pad);
         }
         for (uint32_t i = 0; i < n; i++)
            CHECK(p[i] == 0xA5A50000u + i);
         pm4d_ring_destroy(r);
      }
   }
}

struct delayed_retire {
   struct pm4d_ring *ring;
   uint64_t delay_ns;
};

static void *retire_later(void *arg)
{
   struct delayed_retire *d = arg;
   struct timespec ts = {0, (long)d->delay_ns};
   nanosleep(&ts, NULL);
   pm4d_ring_retire(d->ring, pm4d_ring_published(d->ring));
   return NULL;
}

static void test_overflow(void)
{
   struct pm4d_ring *r;
   uint32_t *p;
   char rwhy[PM4D_RING_REASON_MAX] = "";
   CHECK(pm4d_ring_create(256, &r) == PM4D_RING_OK); /* 64 dwords */
   CHECK(pm4d_ring_reserve(r, 33, 0, &p, rwhy, sizeof(rwhy)) == PM4D_RING_TOO_BIG);
   for (int i = 0; i < 2; i++) {
      CHECK(pm4d_ring_reserve(r, 32, 0, &p, rwhy, sizeof(rwhy)) == PM4D_RING_OK);
      pm4d_pkt_nop_fill(p, 32);
      pm4d_ring_commit(r, 32);
   }
   CHECK(!pm4d_ring_can_write(r, 1));
   /* no wait */
   CHECK(pm4d_ring_reserve(r, 1, 0, &p, rwhy, sizeof(rwhy)) == PM4D_RING_TIMEOUT);
   /* deadline passes: clear error, never blocks forever */
   uint64_t t0 = pm4d_clock_now_ns();
   CHECK(pm4d_ring_reserve(r, 4, t0 + 30 * MS, &p, rwhy, sizeof(rwhy)) == PM4D_RING_TIMEOUT);
   uint64_t waited = pm4d_clock_now_ns() - t0;
   CHECK(waited >= 30 * MS && waited < 5 * SEC);
   CHECK(strstr(rwhy, "ring full") && strstr(rwhy, "deadline"));
   printf("overflow: %s\n", rwhy);
   /* the consumer retires before the deadline: the reservation succeeds after it */
   struct delayed_retire d = {r, 40 * MS};
   pthread_t th;
   pthread_create(&th, NULL, retire_later, &d);
   t0 = pm4d_clock_now_ns();
   CHECK(pm4d_ring_reserve(r, 4, t0 + 10 * SEC, &p, rwhy, sizeof(rwhy)) == PM4D_RING_OK);
   waited = pm4d_clock_now_ns() - t0;
   CHECK(waited >= 30 * MS && waited < 5 * SEC);
   pm4d_ring_commit(r, 0);
   pthread_join(th, NULL);
   pm4d_ring_destroy(r);
}

static void *commit_later(void *arg)
{
   struct pm4d_ring *r = arg;
   uint32_t *p;
   char rwhy[PM4D_RING_REASON_MAX] = "";
   struct timespec ts = {0, 30 * MS};
   nanosleep(&ts, NULL);
   if (pm4d_ring_reserve(r, 2, 0, &p, rwhy, sizeof(rwhy)) == PM4D_RING_OK) {
      pm4d_pkt_nop_fill(p, 2);
      pm4d_ring_commit(r, 2);
   }
   return NULL;
}

static void *wake_later(void *arg)
{
   struct timespec ts = {0, 30 * MS};
   nanosleep(&ts, NULL);
   pm4d_ring_wake(arg);
   return NULL;
}

static void test_wait(void)
{
   struct pm4d_ring *r;
   pthread_t th;
   CHECK(pm4d_ring_create(0, &r) == PM4D_RING_OK);
   CHECK(pm4d_ring_size_dw(r) == PM4D_RING_DEFAULT_BYTES / 4);
   uint64_t t0 = pm4d_clock_now_ns();
   CHECK(pm4d_ring_wait_work(r, 0, t0 + 20 * MS) == PM4D_RING_TIMEOUT);
   CHECK(pm4d_clock_now_ns() - t0 >= 20 * MS);

   pthread_create(&th, NULL, wake_later, r);
   t0 = pm4d_clock_now_ns();
   CHECK(pm4d_ring_wait_work(r, 0, t0 + 10 * SEC) == PM4D_RING_WOKEN);
   CHECK(pm4d_clock_now_ns() - t0 < 5 * SEC);
   pthread_join(th, NULL);

   pthread_create(&th, NULL, commit_later, r);
   t0 = pm4d_clock_now_ns();
   CHECK(pm4d_ring_wait_work(r, 0, t0 + 10 * SEC) == PM4D_RING_OK);
   CHECK(pm4d_ring_published(r) == 2);
   pthread_join(th, NULL);
   pm4d_ring_destroy(r);
}

static void test_create(void)
{
   struct pm4d_ring *r = NULL;
   CHECK(pm4d_ring_create(100, &r) == PM4D_RING_INVALID);
   CHECK(pm4d_ring_create(32, &r) == PM4D_RING_INVALID);
   CHECK(pm4d_ring_create(1u << 31, &r) == PM4D_RING_INVALID);
   CHECK(pm4d_ring_create(1u << 20, &r) == PM4D_RING_OK);
   CHECK(r && pm4d_ring_size_dw(r) == (1u << 18));
   pm4d_ring_destroy(r);
}

/* Caller storage: checked like create, used in place (reservations point into it, padding is
 * written there), and still the caller's after destroy (ASan/valgrind see no double free). */
static void test_create_in(void)
{
   static uint32_t mem[65];
   struct pm4d_ring *r = NULL;
   uint32_t *p;
   char rwhy[PM4D_RING_REASON_MAX] = "";
   memset(mem, 0xEE, sizeof(mem));
   CHECK(pm4d_ring_create_in(NULL, 256, &r) == PM4D_RING_INVALID);
   CHECK(pm4d_ring_create_in((char *)mem + 2, 256, &r) == PM4D_RING_INVALID);
   CHECK(pm4d_ring_create_in(mem, 100, &r) == PM4D_RING_INVALID);
   CHECK(pm4d_ring_create_in(mem, 256, &r) == PM4D_RING_OK); /* 64 dwords */
   CHECK(r && pm4d_ring_size_dw(r) == 64 && pm4d_ring_ptr(r, 0) == mem);
   CHECK(mem[0] == 0 && mem[63] == 0 && mem[64] == 0xEEEEEEEEu); /* zeroed, not beyond */
   CHECK(pm4d_ring_reserve(r, 20, 0, &p, rwhy, sizeof(rwhy)) == PM4D_RING_OK && p == mem);
   pm4d_ring_commit(r, 20);
   CHECK(pm4d_ring_reserve(r, 30, 0, &p, rwhy, sizeof(rwhy)) == PM4D_RING_OK && p == mem + 20);
   pm4d_ring_commit(r, 30);
   pm4d_ring_retire(r, 50);
   CHECK(pm4d_ring_reserve(r, 20, 0, &p, rwhy, sizeof(rwhy)) == PM4D_RING_OK &&
         p == mem); /* wrapped */
   p[0] = 0x12345678u;
   pm4d_ring_commit(r, 20);
   CHECK(mem[0] == 0x12345678u && mem[50] != 0); /* NOP padding written in place */
   pm4d_ring_destroy(r);
   CHECK(mem[0] == 0x12345678u);
}

int main(int argc, char **argv)
{
   const char *which = argc > 1 ? argv[1] : "";
   if (!strcmp(which, "threads"))
      test_threads(argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000);
   else if (!strcmp(which, "batches"))
      test_batches(argc > 2 ? strtoull(argv[2], NULL, 10) : 20000);
   else if (!strcmp(which, "wrap"))
      test_wrap_every_offset();
   else if (!strcmp(which, "overflow"))
      test_overflow();
   else if (!strcmp(which, "wait"))
      test_wait();
   else if (!strcmp(which, "create"))
      test_create();
   else if (!strcmp(which, "create_in"))
      test_create_in();
   else
      CHECK(!"unknown test name");
   return pm4d_check_finish("ring");
}
