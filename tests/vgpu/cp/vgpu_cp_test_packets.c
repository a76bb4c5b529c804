/* The CP's packets, one by one, on a host-memory VM: IB dwords hand-encoded here from the
 * kernel headers (literals cited below), never built with layer/pm4 or with the CP's own
 * macros, so a wrong field in either shows up. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_check.h"
#include "vgpu_cp.h"
#include "vgpu_cp_test_vm.h"

/* nvd.h PACKET3(op, n): type 3 in bits 31:30, n = body dwords - 1 in 29:16, opcode in 15:8.
 * Here `body` is the number of body dwords. */
#define P3(op, body) ((3u << 30) | (((uint32_t)(body)-1u) << 16) | ((uint32_t)(op) << 8))
#define TYPE2        0x80000000u /* nvd.h CP_PACKET2 */
/* nvd.h opcodes */
#define NOP               0x10
#define DISPATCH_DIRECT   0x15
#define WRITE_DATA        0x37
#define WAIT_REG_MEM      0x3C
#define INDIRECT_BUFFER   0x3F
#define COPY_DATA         0x40
#define EVENT_WRITE       0x46
#define EVENT_WRITE_EOP   0x47
#define RELEASE_MEM       0x49
#define DMA_DATA          0x50
#define ACQUIRE_MEM       0x58
#define SET_SH_REG        0x76
#define SET_BASE          0x11
#define DISPATCH_INDIRECT 0x16
/* nvd.h fields */
#define WRITE_DATA_DST_SEL(x)     ((uint32_t)(x) << 8)
#define WR_ONE_ADDR               (1u << 16)
#define WR_CONFIRM                (1u << 20)
#define WAIT_REG_MEM_FUNCTION(x)  ((uint32_t)(x) << 0)
#define WAIT_REG_MEM_MEM_SPACE(x) ((uint32_t)(x) << 4)
#define INDIRECT_BUFFER_VALID     (1u << 23)
#define IB_CHAIN                  (1u << 20) /* Mesa sid.h S_3F2_CHAIN */
#define RM_DATA_SEL(x)            ((uint32_t)(x) << 29)
#define RM_INT_SEL(x)             ((uint32_t)(x) << 24)
#define EOP_DATA_SEL(x)           ((uint32_t)(x) << 29) /* soc15d.h */
#define EOP_INT_SEL(x)            ((uint32_t)(x) << 24)
#define DMA_SRC_SEL(x)            ((uint32_t)(x) << 29)
#define DMA_DST_SEL(x)            ((uint32_t)(x) << 20)
#define DMA_CP_SYNC               (1u << 31)
#define CD_SRC_SEL(x)             ((uint32_t)(x))      /* Mesa sid.h COPY_DATA_SRC_SEL */
#define CD_DST_SEL(x)             ((uint32_t)(x) << 8) /* COPY_DATA_DST_SEL */
#define CD_COUNT_SEL              (1u << 16)
/* CACHE_FLUSH_AND_INV_TS_EVENT 0x14, EVENT_INDEX 5 (gfx_v10_0_ring_emit_fence) */
#define EOP_EVENT (0x14u | (5u << 8))
/* COMPUTE_DISPATCH_INITIATOR (gc_11_0_0_sh_mask.h): COMPUTE_SHADER_EN bit 0, CS_W32_EN 15 */
#define INITIATOR (1u | (1u << 15))

#define IB_VA   0x100000000ull /* IBs (read-only) */
#define DATA_VA 0x200000000ull /* data (writable) */
#define HOLE_VA 0x300000000ull /* unmapped */
#define RO_VA   0x400000000ull /* mapped read-only */

struct ib {
   uint32_t *host;
   uint64_t va;
   uint32_t n;
};

static struct test_vm vm;
static uint32_t *ib_mem;
static uint8_t *data;

static struct ib ib_at(uint32_t byte_offset)
{
   return (struct ib){ib_mem + byte_offset / 4, IB_VA + byte_offset, 0};
}

static void emit(struct ib *ib, uint32_t count, const uint32_t *dw)
{
   memcpy(ib->host + ib->n, dw, count * 4u);
   ib->n += count;
}
#define EMIT(ib, ...) emit(ib, sizeof((uint32_t[]){__VA_ARGS__}) / 4, (uint32_t[]){__VA_ARGS__})

static void write_data(struct ib *ib, uint64_t va, uint32_t value)
{
   EMIT(ib, P3(WRITE_DATA, 4), WRITE_DATA_DST_SEL(5) | WR_CONFIRM, (uint32_t)va,
        (uint32_t)(va >> 32), value);
}

static void call(struct ib *ib, const struct ib *callee, uint32_t flags)
{
   EMIT(ib, P3(INDIRECT_BUFFER, 3), (uint32_t)callee->va, (uint32_t)(callee->va >> 32),
        callee->n | INDIRECT_BUFFER_VALID | flags);
}

static uint32_t data32(uint32_t off)
{
   uint32_t v;
   memcpy(&v, data + off, 4);
   return v;
}

static uint64_t data64(uint32_t off)
{
   uint64_t v;
   memcpy(&v, data + off, 8);
   return v;
}

static char reason[256];

static enum vgpu_cp_status run(struct vgpu_cp *cp, const struct ib *ib)
{
   return vgpu_cp_execute_ib(cp, &vm.ops, ib->va, ib->n, reason, sizeof(reason));
}

static void test_nop_and_filler(struct vgpu_cp *cp)
{
   struct ib ib = ib_at(0);
   /* Mesa sid.h PKT3_NOP_PAD: a NOP with count 0x3fff is one dword (RADV pads IBs with it) */
   EMIT(&ib, 0xffff1000u, P3(NOP, 2), 1, 2, TYPE2, P3(NOP, 1), 0, P3(EVENT_WRITE, 1), 0x407,
        P3(ACQUIRE_MEM, 7), 0, 0xffffffff, 0xffffff, 0, 0, 10, 0);
   struct vgpu_cp_counters c0, c1;
   vgpu_cp_get_counters(cp, &c0);
   CHECKF(run(cp, &ib) == VGPU_CP_OK, "%s", reason);
   vgpu_cp_get_counters(cp, &c1);
   CHECK(c1.packets - c0.packets == 5);
   CHECK(c1.ibs - c0.ibs == 1);
}

static void test_write_data(struct vgpu_cp *cp)
{
   struct ib ib = ib_at(0);
   uint64_t va = DATA_VA + 0x40;
   EMIT(&ib, P3(WRITE_DATA, 6), WRITE_DATA_DST_SEL(5) | WR_CONFIRM, (uint32_t)va,
        (uint32_t)(va >> 32), 0x11, 0x22, 0x33);
   EMIT(&ib, P3(WRITE_DATA, 5), WRITE_DATA_DST_SEL(1) | WR_ONE_ADDR, (uint32_t)(va + 16),
        (uint32_t)(va >> 32), 0x44, 0x55);
   CHECKF(run(cp, &ib) == VGPU_CP_OK, "%s", reason);
   CHECK(data32(0x40) == 0x11 && data32(0x44) == 0x22 && data32(0x48) == 0x33);
   CHECK(data32(0x50) == 0x55 && data32(0x54) == 0); /* one address: the last value stays */
}

static void test_fences(struct vgpu_cp *cp)
{
   memset(data + 0x80, 0xff, 32);
   struct ib ib = ib_at(0);
   uint64_t va = DATA_VA + 0x80;
   /* RELEASE_MEM as gfx_v10_0_ring_emit_fence: 64-bit value, interrupt after the write */
   EMIT(&ib, P3(RELEASE_MEM, 7), EOP_EVENT, RM_DATA_SEL(2) | RM_INT_SEL(2), (uint32_t)va,
        (uint32_t)(va >> 32), 0x89abcdef, 0x01234567, 0);
   /* 32-bit value: the upper half stays */
   EMIT(&ib, P3(RELEASE_MEM, 7), EOP_EVENT, RM_DATA_SEL(1), (uint32_t)(va + 8),
        (uint32_t)(va >> 32), 0x5, 0x6, 0);
   /* EVENT_WRITE_EOP (soc15d.h): selects share the address-high dword */
   EMIT(&ib, P3(EVENT_WRITE_EOP, 5), EOP_EVENT, (uint32_t)(va + 16),
        (uint32_t)(va >> 32) | EOP_DATA_SEL(2) | EOP_INT_SEL(2), 0x77, 0x88);
   struct vgpu_cp_counters c0, c1;
   vgpu_cp_get_counters(cp, &c0);
   CHECKF(run(cp, &ib) == VGPU_CP_OK, "%s", reason);
   vgpu_cp_get_counters(cp, &c1);
   CHECK(c1.interrupts - c0.interrupts == 2); /* the two with INT_SEL 2 */
   CHECK(data64(0x80) == 0x0123456789abcdefull);
   CHECK(data32(0x88) == 5 && data32(0x8c) == 0xffffffff);
   CHECK(data64(0x90) == 0x0000008800000077ull);
}

static void test_dma_and_copy(struct vgpu_cp *cp)
{
   for (int i = 0; i < 100; i++)
      data[0x1000 + i] = (uint8_t)(i * 7 + 1);
   struct ib ib = ib_at(0);
   uint64_t src = DATA_VA + 0x1000, dst = DATA_VA + 0x2000, fill = DATA_VA + 0x3000;
   /* copy through L2 (SRC_SEL 3, DST_SEL 3), 100 bytes */
   EMIT(&ib, P3(DMA_DATA, 6), DMA_SRC_SEL(3) | DMA_DST_SEL(3) | DMA_CP_SYNC, (uint32_t)src,
        (uint32_t)(src >> 32), (uint32_t)dst, (uint32_t)(dst >> 32), 100);
   /* fill (SRC_SEL 2: the data dword), 64 bytes */
   EMIT(&ib, P3(DMA_DATA, 6), DMA_SRC_SEL(2) | DMA_DST_SEL(3), 0xa5b6c7d8, 0, (uint32_t)fill,
        (uint32_t)(fill >> 32), 64);
   /* L2 prefetch (DST_SEL 2, Mesa sid.h V_411_NOWHERE): reads, writes nothing */
   EMIT(&ib, P3(DMA_DATA, 6), DMA_SRC_SEL(3) | DMA_DST_SEL(2), (uint32_t)src, (uint32_t)(src >> 32),
        0, 0, 64);
   /* COPY_DATA: 64-bit immediate to memory */
   EMIT(&ib, P3(COPY_DATA, 5), CD_SRC_SEL(5) | CD_DST_SEL(5) | CD_COUNT_SEL | WR_CONFIRM, 0x1111,
        0x2222, (uint32_t)(fill + 128), (uint32_t)(fill >> 32));
   /* COPY_DATA: 32 bits from memory (SRC_SEL 1), the 64-bit timestamp (SRC_SEL 9) */
   EMIT(&ib, P3(COPY_DATA, 5), CD_SRC_SEL(1) | CD_DST_SEL(5), (uint32_t)src, (uint32_t)(src >> 32),
        (uint32_t)(fill + 136), (uint32_t)(fill >> 32));
   EMIT(&ib, P3(COPY_DATA, 5), CD_SRC_SEL(9) | CD_DST_SEL(5) | CD_COUNT_SEL, 0, 0,
        (uint32_t)(fill + 144), (uint32_t)(fill >> 32));
   CHECKF(run(cp, &ib) == VGPU_CP_OK, "%s", reason);
   CHECK(memcmp(data + 0x1000, data + 0x2000, 100) == 0 && data[0x2000 + 100] == 0);
   CHECK(data32(0x3088) == data32(0x1000) && data64(0x3090) != 0);
   CHECK(data32(0x3000) == 0xa5b6c7d8 && data32(0x303c) == 0xa5b6c7d8 && data32(0x3040) == 0);
   CHECK(data64(0x3080) == 0x0000222200001111ull);
}

static uint64_t now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *late_writer(void *arg)
{
   (void)arg;
   nanosleep(&(struct timespec){0, 50000000}, NULL);
   __atomic_store_n((uint32_t *)(data + 0x100), 8u, __ATOMIC_RELEASE);
   return NULL;
}

static void wait_packet(struct ib *ib, uint32_t function, uint32_t ref)
{
   uint64_t va = DATA_VA + 0x100;
   EMIT(ib, P3(WAIT_REG_MEM, 6), WAIT_REG_MEM_FUNCTION(function) | WAIT_REG_MEM_MEM_SPACE(1),
        (uint32_t)va, (uint32_t)(va >> 32), ref, 0xffffffff, 4);
}

static void test_wait_reg_mem(struct vgpu_cp *cp)
{
   memcpy(data + 0x100, &(uint32_t){7}, 4);
   struct ib ib = ib_at(0);
   wait_packet(&ib, 3, 7); /* == 7: holds */
   wait_packet(&ib, 5, 7); /* >= 7: holds */
   CHECKF(run(cp, &ib) == VGPU_CP_OK, "%s", reason);

   ib = ib_at(0);
   wait_packet(&ib, 3, 8); /* never holds: times out at the deadline */
   uint64_t t0 = now_ns();
   vm.ops.deadline_ns = t0 + 100000000ull;
   enum vgpu_cp_status st = run(cp, &ib);
   CHECKF(st == VGPU_CP_TIMEOUT, "status %d: %s", st, reason);
   CHECKF(now_ns() - t0 < 5000000000ull, "the wait ran %llu ns past a 100 ms deadline",
          (unsigned long long)(now_ns() - t0));

   /* released by another thread's write long before the deadline */
   vm.ops.deadline_ns = now_ns() + 10000000000ull;
   pthread_t t;
   pthread_create(&t, NULL, late_writer, NULL);
   st = run(cp, &ib);
   pthread_join(t, NULL);
   CHECKF(st == VGPU_CP_OK, "status %d: %s", st, reason);
   vm.ops.deadline_ns = 0;
}

static void test_ib_calls_and_chains(struct vgpu_cp *cp)
{
   memset(data + 0x200, 0, 0x200);
   struct ib ib2 = ib_at(0x400), ib4 = ib_at(0xc00), ib3 = ib_at(0x800), ib1 = ib_at(0);
   write_data(&ib2, DATA_VA + 0x200, 0x22);
   write_data(&ib4, DATA_VA + 0x308, 0x66);
   write_data(&ib3, DATA_VA + 0x300, 0x44);
   call(&ib3, &ib4, IB_CHAIN);
   write_data(&ib3, DATA_VA + 0x304, 0x55); /* after the chain: never executed */
   write_data(&ib1, DATA_VA + 0x100 + 0x100, 0x11);
   call(&ib1, &ib2, 0); /* a call returns here */
   call(&ib1, &ib3, 0); /* a call whose IB chains: returns here too */
   write_data(&ib1, DATA_VA + 0x30c, 0x77);
   CHECKF(run(cp, &ib1) == VGPU_CP_OK, "%s", reason);
   CHECK(data32(0x200) == 0x22);
   CHECK(data32(0x300) == 0x44 && data32(0x304) == 0 && data32(0x308) == 0x66);
   CHECK(data32(0x30c) == 0x77);

   /* an IB2 may not call further */
   struct ib deep = ib_at(0x1000);
   call(&deep, &ib1, 0);
   CHECK(run(cp, &deep) == VGPU_CP_BAD_PACKET);
   CHECKF(strstr(reason, "INDIRECT_BUFFER"), "%s", reason);
}

static void expect_fault(struct vgpu_cp *cp, const struct ib *ib, uint64_t va, int write)
{
   unsigned before = vm.faults;
   struct vgpu_cp_counters c0, c1;
   vgpu_cp_get_counters(cp, &c0);
   enum vgpu_cp_status st = run(cp, ib);
   vgpu_cp_get_counters(cp, &c1);
   CHECKF(st == VGPU_CP_FAULT, "status %d: %s", st, reason);
   CHECK(vm.faults == before + 1 && c1.faults == c0.faults + 1);
   CHECKF(vm.fault_va == va && vm.fault_write == write, "fault at 0x%llx write %d",
          (unsigned long long)vm.fault_va, vm.fault_write);
}

static void test_page_faults(struct vgpu_cp *cp)
{
   struct ib ib = ib_at(0);
   write_data(&ib, HOLE_VA + 8, 1);
   write_data(&ib, DATA_VA + 0x500, 1); /* not reached: the fault stops the IB */
   data[0x500] = 0;
   expect_fault(cp, &ib, HOLE_VA + 8, 1);
   CHECK(data[0x500] == 0);

   ib = ib_at(0);
   write_data(&ib, RO_VA, 1); /* mapped, but not writable */
   expect_fault(cp, &ib, RO_VA, 1);

   ib = ib_at(0);
   struct ib missing = {NULL, HOLE_VA + 0x100, 8};
   call(&ib, &missing, 0);
   expect_fault(cp, &ib, HOLE_VA + 0x100, 0);
   CHECKF(strstr(reason, "IB"), "%s", reason);

   ib = ib_at(0);
   uint64_t dst = DATA_VA + 0x600;
   EMIT(&ib, P3(DMA_DATA, 6), DMA_SRC_SEL(3) | DMA_DST_SEL(3), (uint32_t)HOLE_VA,
        (uint32_t)(HOLE_VA >> 32), (uint32_t)dst, (uint32_t)(dst >> 32), 64);
   expect_fault(cp, &ib, HOLE_VA, 0);

   ib = ib_at(0); /* a prefetch of unmapped code faults too */
   EMIT(&ib, P3(DMA_DATA, 6), DMA_SRC_SEL(3) | DMA_DST_SEL(2), (uint32_t)HOLE_VA,
        (uint32_t)(HOLE_VA >> 32), 0, 0, 256);
   expect_fault(cp, &ib, HOLE_VA, 0);
}

static void test_bad_packets(struct vgpu_cp *cp)
{
   struct ib ib = ib_at(0);
   EMIT(&ib, P3(NOP, 1), 0, P3(0xEE, 2), 0, 0);
   CHECK(run(cp, &ib) == VGPU_CP_BAD_PACKET);
   CHECKF(strstr(reason, "0xee"), "the opcode is not named: %s", reason);

   ib = ib_at(0);
   EMIT(&ib, 0x00001234u); /* type 0 */
   CHECK(run(cp, &ib) == VGPU_CP_BAD_PACKET);

   ib = ib_at(0);
   EMIT(&ib, P3(NOP, 10), 0, 0); /* overruns the IB */
   CHECK(run(cp, &ib) == VGPU_CP_BAD_PACKET);
   CHECKF(strstr(reason, "overruns"), "%s", reason);

   ib = ib_at(0);
   EMIT(&ib, P3(SET_SH_REG, 3), 0x3ff, 1, 2); /* past the SH space (0x2c00..0x3000) */
   CHECK(run(cp, &ib) == VGPU_CP_BAD_PACKET);
}

static void test_misaligned_ibs(struct vgpu_cp *cp)
{
   struct vgpu_cp_counters c0, c1;
   struct ib ib = ib_at(0x40);
   for (int i = 0; i < 9; i++) /* one more for the shifted IB */
      EMIT(&ib, TYPE2);
   ib.n = 8;
   vgpu_cp_get_counters(cp, &c0);
   CHECK(run(cp, &ib) == VGPU_CP_OK); /* 32-byte start and size */
   ib.va += 4;                        /* start off by a dword */
   CHECK(run(cp, &ib) == VGPU_CP_OK);
   ib.va -= 4;
   ib.n = 6; /* size 24 bytes */
   CHECK(run(cp, &ib) == VGPU_CP_OK);
   vgpu_cp_get_counters(cp, &c1);
   CHECK(c1.misaligned_ibs - c0.misaligned_ibs == 2 && c1.ibs - c0.ibs == 3);
}

/* SET_SH_REG of `count` registers at SH index sh (mmREG + 0x1260 - 0x2c00). */
static void set_sh(struct ib *ib, uint32_t sh, uint32_t value)
{
   EMIT(ib, P3(SET_SH_REG, 2), sh, value);
}

static void dispatch_of_data(struct ib *ib)
{
   /* COMPUTE_PGM_LO/HI (gc_10_3_0/gc_11_0_0_offset.h 0x1bac/0x1bad -> SH 0x20c/0x20d): the
    * zeroed data page, no kernel of ours */
   set_sh(ib, 0x20c, (uint32_t)(DATA_VA >> 8));
   set_sh(ib, 0x20d, (uint32_t)(DATA_VA >> 40));
   EMIT(ib, P3(DISPATCH_DIRECT, 4), 1, 1, 1, INITIATOR);
}

/* Every register Mesa's compute preamble writes, from the offset headers: SE0 0x1bb6, SE1
 * 0x1bb7, SE2 0x1bb9, SE3 0x1bba, USER_ACCUM_0..3 0x1bc4..7, DISPATCH_TUNNEL 0x1c1d, and on
 * GC 11 SE4..7 0x1bcb..e and DISPATCH_INTERLEAVE 0x1bcf. */
static const uint32_t preamble_regs[] = {0x1bb6, 0x1bb7, 0x1bb9, 0x1bba, 0x1bc4, 0x1bc5, 0x1bc6,
                                         0x1bc7, 0x1c1d, 0x1bcb, 0x1bcc, 0x1bcd, 0x1bce, 0x1bcf};
#define PREAMBLE_GFX10_3 9u
#define PREAMBLE_GFX11   14u

/* The first `count` preamble registers but `skip` (none when skip >= count). */
static void preamble(struct ib *ib, unsigned count, unsigned skip)
{
   for (unsigned i = 0; i < count; i++)
      if (i != skip)
         set_sh(ib, preamble_regs[i] + 0x1260 - 0x2c00, 0xffffffff);
}

static void test_poisoned_preamble(const char *target, unsigned count)
{
   struct vgpu_cp *cp = vgpu_cp_create(target);
   struct vgpu_cp_counters c;
   struct ib ib = ib_at(0);
   dispatch_of_data(&ib);
   CHECK(run(cp, &ib) == VGPU_CP_NOT_EXECUTABLE); /* RADV-like foreign code: counted */
   CHECKF(strstr(reason, "none of the project's kernels"), "%s", reason);
   vgpu_cp_get_counters(cp, &c);
   CHECK(c.dispatches_inherited == 1 && c.dispatches_not_executable == 1 && c.dispatches_run == 0);

   ib = ib_at(0);
   preamble(&ib, count, count);
   dispatch_of_data(&ib);
   CHECK(run(cp, &ib) == VGPU_CP_NOT_EXECUTABLE);
   vgpu_cp_get_counters(cp, &c);
   CHECKF(c.dispatches_inherited == 1 && c.dispatches_not_executable == 2, "%s", target);
   vgpu_cp_destroy(cp);

   /* each register left out on its own is inherited (a fresh context each time) */
   for (unsigned skip = 0; skip < count; skip++) {
      cp = vgpu_cp_create(target);
      ib = ib_at(0);
      preamble(&ib, count, skip);
      dispatch_of_data(&ib);
      run(cp, &ib);
      vgpu_cp_get_counters(cp, &c);
      CHECKF(c.dispatches_inherited == 1, "%s: leaving out register 0x%x was not counted", target,
             preamble_regs[skip]);
      vgpu_cp_destroy(cp);
   }

   setenv("VGPU_STRICT_PREAMBLE", "1", 1);
   cp = vgpu_cp_create(target);
   unsetenv("VGPU_STRICT_PREAMBLE");
   ib = ib_at(0);
   dispatch_of_data(&ib);
   CHECK(run(cp, &ib) == VGPU_CP_BAD_PACKET);
   CHECKF(strstr(reason, "COMPUTE_STATIC_THREAD_MGMT_SE0"), "%s", reason);

   /* a program counter in a hole is an instruction-fetch page fault */
   ib = ib_at(0);
   preamble(&ib, count, count);
   set_sh(&ib, 0x20c, (uint32_t)(HOLE_VA >> 8));
   set_sh(&ib, 0x20d, (uint32_t)(HOLE_VA >> 40));
   EMIT(&ib, P3(DISPATCH_DIRECT, 4), 1, 1, 1, INITIATOR);
   CHECK(run(cp, &ib) == VGPU_CP_FAULT && vm.fault_va == HOLE_VA);
   vgpu_cp_destroy(cp);
}

/* DISPATCH_INDIRECT reads its x, y, z through the VM: the compute-queue form with the address
 * in the packet, the GFX form with an offset from SET_BASE index 1 (Mesa radv_emit_dispatch
 * packets); the code at PGM is no kernel of ours, so a dispatch that got its arguments is counted
 * as not executable, and one whose arguments are unmapped is a page fault. */
static void test_dispatch_indirect(void)
{
   struct vgpu_cp *cp = vgpu_cp_create("gfx1030");
   uint64_t args = DATA_VA + 0x700;
   memcpy(data + 0x700, (uint32_t[]){2, 1, 1}, 12);
   struct ib ib = ib_at(0);
   preamble(&ib, PREAMBLE_GFX10_3, PREAMBLE_GFX10_3);
   set_sh(&ib, 0x20c, (uint32_t)(DATA_VA >> 8));
   set_sh(&ib, 0x20d, (uint32_t)(DATA_VA >> 40));
   EMIT(&ib, P3(DISPATCH_INDIRECT, 3), (uint32_t)args, (uint32_t)(args >> 32), INITIATOR);
   CHECK(run(cp, &ib) == VGPU_CP_NOT_EXECUTABLE);
   CHECKF(strstr(reason, "none of the project's kernels"), "%s", reason);

   ib = ib_at(0);
   EMIT(&ib, P3(SET_BASE, 3), 1, (uint32_t)DATA_VA, (uint32_t)(DATA_VA >> 32));
   EMIT(&ib, P3(DISPATCH_INDIRECT, 2), 0x700, INITIATOR);
   CHECK(run(cp, &ib) == VGPU_CP_NOT_EXECUTABLE);

   ib = ib_at(0);
   EMIT(&ib, P3(DISPATCH_INDIRECT, 3), (uint32_t)HOLE_VA, (uint32_t)(HOLE_VA >> 32), INITIATOR);
   CHECK(run(cp, &ib) == VGPU_CP_FAULT && vm.fault_va == HOLE_VA);
   struct vgpu_cp_counters c;
   vgpu_cp_get_counters(cp, &c);
   CHECK(c.dispatches_not_executable == 2 && c.dispatches_run == 0 && c.faults == 1);
   vgpu_cp_destroy(cp);
}

/* VGPU_EXEC=isa runs code that is none of ours on the instruction model from the registers:
 * s_endpgm (0xbf810000, SOPP opcode 1: llvm-objdump-15 --mcpu=gfx1030) as wave32 runs; the
 * same as wave64 (what RADV dispatches by default on GFX10+) is refused, naming why; an empty
 * grid launches nothing. */
static void test_foreign_code_on_isa(void)
{
   setenv("VGPU_EXEC", "isa", 1);
   struct vgpu_cp *cp = vgpu_cp_create("gfx1030");
   unsetenv("VGPU_EXEC");
   memcpy(data + 0x800, &(uint32_t){0xbf810000}, 4);
   uint64_t code = DATA_VA + 0x800;
   struct vgpu_cp_counters c;
   for (int wave32 = 1; wave32 >= 0; wave32--) {
      struct ib ib = ib_at(0);
      preamble(&ib, PREAMBLE_GFX10_3, PREAMBLE_GFX10_3);
      set_sh(&ib, 0x20c, (uint32_t)(code >> 8));
      set_sh(&ib, 0x20d, (uint32_t)(code >> 40));
      /* COMPUTE_PGM_RSRC1/2 (gc_10_3_0_offset.h 0x1bb2/0x1bb3 -> SH 0x212/0x213): nothing
       * enabled; COMPUTE_NUM_THREAD_X..Z (0x1ba7..9 -> 0x207..9) */
      set_sh(&ib, 0x212, 0);
      set_sh(&ib, 0x213, 0);
      set_sh(&ib, 0x207, 64);
      set_sh(&ib, 0x208, 1);
      set_sh(&ib, 0x209, 1);
      EMIT(&ib, P3(DISPATCH_DIRECT, 4), 2, 1, 1, wave32 ? INITIATOR : 1u);
      enum vgpu_cp_status st = run(cp, &ib);
      if (wave32) {
         CHECKF(st == VGPU_CP_OK, "%s", reason);
      } else {
         CHECK(st == VGPU_CP_NOT_EXECUTABLE);
         CHECKF(strstr(reason, "(not ours)") && strstr(reason, "wave64"), "%s", reason);
      }
   }
   vgpu_cp_get_counters(cp, &c);
   CHECKF(c.dispatches_run == 1 && c.dispatches_not_executable == 1, "run %u, not executable %u",
          (unsigned)c.dispatches_run, (unsigned)c.dispatches_not_executable);
   struct ib ib = ib_at(0);
   EMIT(&ib, P3(DISPATCH_DIRECT, 4), 0, 1, 1, INITIATOR);
   CHECK(run(cp, &ib) == VGPU_CP_OK);
   vgpu_cp_get_counters(cp, &c);
   CHECK(c.dispatches_run == 1 && c.dispatches_not_executable == 1);
   vgpu_cp_destroy(cp);
}

int main(void)
{
   /* Foreign code is counted as not executable unless VGPU_EXEC=isa, which only
    * test_foreign_code_on_isa sets: the rest do not depend on the caller's environment. */
   unsetenv("VGPU_EXEC");
   test_vm_init(&vm);
   ib_mem = test_vm_map(&vm, IB_VA, 0x10000, 0);
   data = test_vm_map(&vm, DATA_VA, 0x10000, 1);
   test_vm_map(&vm, RO_VA, 0x1000, 0);
   struct vgpu_cp *cp = vgpu_cp_create("gfx1030");
   test_nop_and_filler(cp);
   test_write_data(cp);
   test_fences(cp);
   test_dma_and_copy(cp);
   test_wait_reg_mem(cp);
   test_ib_calls_and_chains(cp);
   test_page_faults(cp);
   test_bad_packets(cp);
   test_misaligned_ibs(cp);
   vgpu_cp_destroy(cp);
   test_poisoned_preamble("gfx1030", PREAMBLE_GFX10_3);
   test_poisoned_preamble("gfx1100", PREAMBLE_GFX11);
   test_dispatch_indirect();
   test_foreign_code_on_isa();
   test_vm_destroy(&vm);
   return pm4d_check_finish("vgpu_cp_packets");
}
