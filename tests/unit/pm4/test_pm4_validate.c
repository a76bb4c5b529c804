/* One test per class of bad stream the validator must refuse: each mutates a valid batch
 * (built for the target argv[2] names: gfx900, gfx90a, gfx1030 (default) or gfx1100) and
 * checks the refusal's dword offset and reason. */
#include <stdint.h>
#include <stdlib.h>

#include "pm4d_iter.h"
#include "pm4d_test.h"
#include "pm4d_validate.h"

static const char *target = "gfx1030";
static enum pm4d_gfx_level level;
static uint32_t acquire_dw; /* ACQUIRE_MEM: 7 dwords on GFX9, 8 from GFX10 (soc15d.h, nvd.h) */
static struct pm4d_kernel_desc kernel;
static struct pm4d_validator validator;
static uint32_t stream[256];
static uint32_t nstream;

static void setup(void)
{
   struct pm4d_builder b;
   struct pm4d_cs cs;
   char why[PM4D_PM4_REASON_MAX] = "";
   const uint32_t grid[3] = {4, 4, 1};
   CHECK(pm4d_gfx_parse(target, &level));
   acquire_dw = level == PM4D_GFX9 ? 7 : 8;
   kernel = pm4d_test_kernel(target, level == PM4D_GFX9 ? 64 : 32);
   CHECK(pm4d_builder_init_target(&b, target) == PM4D_OK);
   pm4d_cs_init(&cs, stream, 200);
   CHECK(pm4d_builder_batch_head(&b, &cs, why, sizeof(why)) == PM4D_OK);
   for (int later = 0; later < 2; later++) /* the first without a barrier, then one with */
      CHECK(pm4d_builder_dispatch(&b, &kernel, PM4D_TEST_PROGRAM, PM4D_TEST_KERNARG, grid, !later,
                                  &cs, NULL, why, sizeof(why)) == PM4D_OK);
   CHECK(pm4d_builder_batch_tail(&b, PM4D_TEST_FENCE, 1, &cs, NULL, why, sizeof(why)) == PM4D_OK);
   nstream = cs.cdw;
   CHECK(pm4d_validator_init_target(&validator, target) == PM4D_OK);
   CHECK(pm4d_validator_add_program(&validator, PM4D_TEST_PROGRAM, 4096, &kernel) == PM4D_OK);
   CHECK(pm4d_validator_add_kernarg(&validator, PM4D_TEST_KERNARG, 256) == PM4D_OK);
   CHECK(pm4d_validator_add_fence(&validator, PM4D_TEST_FENCE, 64) == PM4D_OK);
   struct pm4d_validate_error err;
   CHECK(pm4d_validate(&validator, stream, nstream, &err) == PM4D_OK);
}

/* Dword index of the first packet with this opcode at or after dword `from`. */
static uint32_t find_packet_from(uint32_t opcode, uint32_t from)
{
   struct pm4d_iter it;
   struct pm4d_packet p;
   char why[PM4D_PM4_REASON_MAX] = "";
   pm4d_iter_init(&it, stream, nstream);
   while (pm4d_iter_next(&it, &p, why, sizeof(why)) == PM4D_ITER_PACKET)
      if (p.opcode == opcode && p.offset >= from)
         return p.offset;
   CHECK(!"packet not found");
   return 0;
}

static uint32_t find_packet(uint32_t opcode)
{
   return find_packet_from(opcode, 0);
}

/* Dword index of the value written to register r: in the first dispatch (after the head's
 * ACQUIRE_MEM), or in the preamble for `in_head`. */
static uint32_t find_reg_in(enum pm4d_reg r, bool in_head)
{
   struct pm4d_iter it;
   struct pm4d_packet p;
   char why[PM4D_PM4_REASON_MAX] = "";
   const struct pm4d_reg_table *t = pm4d_regs_table(level);
   uint32_t head_end = find_packet(PM4D_OP_ACQUIRE_MEM);
   pm4d_iter_init(&it, stream, nstream);
   while (pm4d_iter_next(&it, &p, why, sizeof(why)) == PM4D_ITER_PACKET) {
      if ((p.offset > head_end) == in_head)
         continue;
      for (uint32_t i = 0; i < pm4d_sh_write_count(&p); i++) {
         enum pm4d_reg got;
         uint32_t off, v;
         pm4d_sh_write(&p, i, t, &got, &off, &v);
         if (got == r)
            return p.offset + 2 + i;
      }
   }
   CHECK(!"register not found");
   return 0;
}

static uint32_t find_reg(enum pm4d_reg r)
{
   return find_reg_in(r, false);
}

static void expect_refusal(uint32_t ndw, uint32_t offset, const char *needle)
{
   struct pm4d_validate_error err;
   enum pm4d_status st = pm4d_validate(&validator, stream, ndw, &err);
   CHECK(st == PM4D_ERR_INVALID);
   if (st != PM4D_ERR_INVALID)
      return;
   printf("refused at %u: %s\n", err.offset, err.reason);
   CHECKF(err.offset == offset, "refused at %u, expected %u", err.offset, offset);
   CHECK(strstr(err.reason, needle) != NULL);
}

static void bad_header(void)
{
   uint32_t at = find_packet(PM4D_OP_DISPATCH_DIRECT);
   stream[at] = 0x00010000; /* type 0 */
   expect_refusal(nstream, at, "bad header");
}

static void overrun(void)
{
   uint32_t at = find_packet(PM4D_OP_RELEASE_MEM);
   expect_refusal(nstream - 1, at, "runs past the end");
}

static void opcode(void)
{
   uint32_t at = find_packet(PM4D_OP_EVENT_WRITE);
   /* turn the 2-dword EVENT_WRITE into a 2-dword COPY_DATA (0x40), not on the allow-list */
   stream[at] = PM4D_PKT3(0x40, 1);
   expect_refusal(nstream, at, "allow-list");
}

static void indirect_buffer(void)
{
   uint32_t at = find_packet(PM4D_OP_ACQUIRE_MEM); /* the head's */
   struct pm4d_cs cs;
   pm4d_cs_init(&cs, stream + at, acquire_dw);
   pm4d_pkt_indirect_buffer(&cs, 0x1000, 16);
   /* The control dword as the kernel writes it for a compute IB (gfx_v9_0.c and gfx_v10_0.c,
    * *_ring_emit_ib_compute): size in dwords, INDIRECT_BUFFER_VALID (bit 23), vmid 0. */
   CHECK(stream[at + 3] == (16u | 1u << 23));
   pm4d_pkt_nop(&cs, acquire_dw - 4);
   CHECK(!cs.failed);
   expect_refusal(nstream, at, "INDIRECT_BUFFER");
}

static void bad_count(void)
{
   /* an ACQUIRE_MEM one body dword short, followed by a 1-dword NOP */
   uint32_t at = find_packet(PM4D_OP_ACQUIRE_MEM);
   stream[at] = PM4D_PKT3(PM4D_OP_ACQUIRE_MEM, acquire_dw - 2);
   pm4d_pkt_nop_fill(stream + at + acquire_dw - 1, 1);
   expect_refusal(nstream, at, "body dwords");
}

static void register_write(void)
{
   /* point RESOURCE_LIMITS' write at COMPUTE_VMID (0x214: gc_10_3_0_offset.h mmCOMPUTE_VMID
    * 0x1bb4 + 0x1260 - 0x2C00) */
   uint32_t at = find_reg(PM4D_REG_RESOURCE_LIMITS);
   stream[at - 1] = 0x214;
   expect_refusal(nstream, at, "outside the allowed");
}

static void dim_register(void)
{
   uint32_t at = find_reg(PM4D_REG_TMPRING_SIZE);
   stream[at - 1] = 0x201; /* COMPUTE_DIM_X: only DISPATCH_DIRECT sets it */
   expect_refusal(nstream, at, "COMPUTE_DIM_X");
}

/* A CU mask another client left on the ring: the preamble's first run (STATIC_THREAD_MGMT_SE0,
 * SE1, TMPRING_SIZE, SE2, SE3: 7 dwords on every level) is gone, or sets another value. */
static void preamble_missing(void)
{
   uint32_t at = find_reg_in(PM4D_REG_STATIC_THREAD_MGMT_SE0, true) - 2;
   pm4d_pkt_nop_fill(stream + at, 7);
   expect_refusal(nstream, find_packet(PM4D_OP_DISPATCH_DIRECT),
                  "inherit COMPUTE_STATIC_THREAD_MGMT_SE0");
}

static void preamble_value(void)
{
   uint32_t at = find_reg_in(PM4D_REG_STATIC_THREAD_MGMT_SE0 + 3, true);
   stream[at] = 0x00030003; /* two CUs per SH on SE3 */
   expect_refusal(nstream, at, "COMPUTE_STATIC_THREAD_MGMT_SE3 = 0x00030003");
}

static void missing_state(void)
{
   uint32_t at = find_reg(PM4D_REG_PGM_LO) - 2;
   pm4d_pkt_nop_fill(stream + at, 4);
   expect_refusal(nstream, find_packet(PM4D_OP_DISPATCH_DIRECT), "without COMPUTE_PGM_LO");
}

static void zero_grid(void)
{
   uint32_t at = find_packet(PM4D_OP_DISPATCH_DIRECT);
   stream[at + 2] = 0;
   expect_refusal(nstream, at + 2, "zero grid");
}

static void oversized_grid(void)
{
   uint32_t at = find_packet(PM4D_OP_DISPATCH_DIRECT);
   stream[at + 1] = 0x08000000; /* x 64 work-items > 2^32 */
   expect_refusal(nstream, at + 1, "oversized grid");
   stream[at + 1] = 1 << 16;
   stream[at + 2] = 1 << 10; /* 2^26 workgroups > the 2^24 limit */
   expect_refusal(nstream, at + 1, "oversized grid");
}

static void workgroup(void)
{
   stream[find_reg(PM4D_REG_NUM_THREAD_X)] = 128;
   expect_refusal(nstream, find_packet(PM4D_OP_DISPATCH_DIRECT), "workgroup size 128x1x1");
}

static void program(void)
{
   stream[find_reg(PM4D_REG_PGM_LO)] += 1; /* 256 bytes further */
   expect_refusal(nstream, find_packet(PM4D_OP_DISPATCH_DIRECT), "registered program");
}

static void kernarg(void)
{
   stream[find_reg(PM4D_REG_USER_DATA_0)] += 256 - 32; /* last 32 bytes of a 64-byte block */
   expect_refusal(nstream, find_packet(PM4D_OP_DISPATCH_DIRECT), "kernarg");
}

static void fence(void)
{
   uint32_t at = find_packet(PM4D_OP_RELEASE_MEM);
   stream[at + 3] += 64;
   expect_refusal(nstream, at + 3, "fence buffers");
}

static void rsrc(void)
{
   stream[find_reg(PM4D_REG_PGM_RSRC2)] &= ~PM4D_RSRC2_LDS_SIZE_MASK; /* LDS dropped */
   expect_refusal(nstream, find_packet(PM4D_OP_DISPATCH_DIRECT), "COMPUTE_PGM_RSRC2");
}

static void scratch(void)
{
   uint32_t at = find_reg(PM4D_REG_TMPRING_SIZE);
   stream[at] = 0x1000; /* refused where it is written: the preamble's value is 0 too */
   expect_refusal(nstream, at, "TMPRING_SIZE");
}

static void initiator(void)
{
   uint32_t at = find_packet(PM4D_OP_DISPATCH_DIRECT);
   stream[at + 4] ^= PM4D_DI_ORDER_MODE; /* bit 6 (gc_*_sh_mask.h), as RADV sets it */
   expect_refusal(nstream, at + 4, "DISPATCH_INITIATOR");
}

static void event(void)
{
   uint32_t at = find_packet(PM4D_OP_EVENT_WRITE);
   stream[at + 1] = PM4D_EVENT_CACHE_FLUSH_AND_INV_TS;
   expect_refusal(nstream, at + 1, "CS_PARTIAL_FLUSH");
}

/* Barrier placement (pm4d_builder.h): the stream is head, first dispatch, barrier, later
 * dispatch, tail. */
static void head_missing(void)
{
   uint32_t at = find_packet(PM4D_OP_ACQUIRE_MEM); /* the head */
   pm4d_pkt_nop_fill(stream + at, acquire_dw);
   expect_refusal(nstream, find_packet(PM4D_OP_DISPATCH_DIRECT), "before any ACQUIRE_MEM");
}

static void barrier_missing(void)
{
   uint32_t at = find_packet(PM4D_OP_EVENT_WRITE);
   pm4d_pkt_nop_fill(stream + at, 2); /* the later dispatch keeps only the ACQUIRE_MEM */
   expect_refusal(nstream, find_packet_from(PM4D_OP_DISPATCH_DIRECT, at), "without a barrier");
}

static void barrier_order(void)
{
   /* ACQUIRE_MEM, then CS_PARTIAL_FLUSH: invalidated before the earlier dispatch drained */
   uint32_t at = find_packet(PM4D_OP_EVENT_WRITE), flush[2] = {stream[at], stream[at + 1]};
   memmove(stream + at, stream + at + 2, acquire_dw * 4);
   memcpy(stream + at + acquire_dw, flush, sizeof(flush));
   expect_refusal(nstream, find_packet_from(PM4D_OP_DISPATCH_DIRECT, at), "without a barrier");
}

static void type2(void)
{
   uint32_t at = find_packet(PM4D_OP_EVENT_WRITE);
   stream[at] = 0x80000000;
   stream[at + 1] = 0x80000000;
   expect_refusal(nstream, at, "type-2");
}

static void memory_ops(void)
{
   /* WRITE_DATA and WAIT_REG_MEM are allowed on fence memory only */
   uint32_t tail = find_packet(PM4D_OP_RELEASE_MEM);
   uint32_t v = 5;
   struct pm4d_cs cs;
   struct pm4d_validate_error err;
   pm4d_cs_init(&cs, stream + tail, 64);
   pm4d_pkt_write_data(&cs, PM4D_TEST_FENCE + 8, &v, 1);
   pm4d_pkt_wait_reg_mem(&cs, PM4D_TEST_FENCE + 8, 5, 0xFFFFFFFF);
   CHECK(pm4d_validate(&validator, stream, tail + cs.cdw, &err) == PM4D_OK);
   pm4d_cs_init(&cs, stream + tail, 64);
   pm4d_pkt_write_data(&cs, PM4D_TEST_KERNARG, &v, 1);
   expect_refusal(tail + cs.cdw, tail + 2, "WRITE_DATA address");
   pm4d_cs_init(&cs, stream + tail, 64);
   pm4d_pkt_wait_reg_mem(&cs, PM4D_TEST_FENCE + 64, 5, 0xFFFFFFFF);
   expect_refusal(tail + cs.cdw, tail + 2, "WAIT_REG_MEM address");
}

int main(int argc, char **argv)
{
   static const struct pm4d_test_case tests[] = {
      {"bad_header", bad_header},
      {"overrun", overrun},
      {"opcode", opcode},
      {"indirect_buffer", indirect_buffer},
      {"bad_count", bad_count},
      {"register", register_write},
      {"dim_register", dim_register},
      {"missing_state", missing_state},
      {"preamble_missing", preamble_missing},
      {"preamble_value", preamble_value},
      {"zero_grid", zero_grid},
      {"oversized_grid", oversized_grid},
      {"workgroup", workgroup},
      {"program", program},
      {"kernarg", kernarg},
      {"fence", fence},
      {"rsrc", rsrc},
      {"scratch", scratch},
      {"initiator", initiator},
      {"event", event},
      {"type2", type2},
      {"memory_ops", memory_ops},
      {"head_missing", head_missing},
      {"barrier_missing", barrier_missing},
      {"barrier_order", barrier_order},
   };
   if (argc > 2)
      target = argv[2];
   pm4d_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc < 3 ? argc : 2, argv, setup);
   return pm4d_check_finish("pm4_validate");
}
