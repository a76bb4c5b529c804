#include "pm4d_builder.h"

#include <string.h>

#include "pm4d_device_info.h"

#define FAIL(msg)              \
   do {                        \
      *reason = (msg);         \
      return PM4D_ERR_INVALID; \
   } while (0)

enum pm4d_status pm4d_builder_init(struct pm4d_builder *b, enum pm4d_gfx_level level)
{
   b->ops = pm4d_gfx_ops_get(level);
   b->regs = pm4d_regs_table(level);
   b->preamble = pm4d_preamble_get(level, false);
   return b->ops && b->regs && b->preamble ? PM4D_OK : PM4D_ERR_INVALID;
}

enum pm4d_status pm4d_builder_init_target(struct pm4d_builder *b, const char *target)
{
   enum pm4d_gfx_level level;
   if (!pm4d_gfx_parse(target, &level) || pm4d_builder_init(b, level) != PM4D_OK)
      return PM4D_ERR_INVALID;
   b->preamble = pm4d_preamble_get(level, strcmp(target, "gfx90a") == 0);
   return PM4D_OK;
}

/* Writes the preamble, one SET_SH_REG per run of consecutive SH offsets, and returns its
 * dword count (cs NULL: counts only). */
static uint32_t preamble_runs(const struct pm4d_builder *b, struct pm4d_cs *cs)
{
   const struct pm4d_preamble *p = b->preamble;
   uint32_t dw = 0;
   for (uint32_t i = 0, n; i < p->count; i += n) {
      uint32_t v[PM4D_REG_COUNT];
      for (n = 0; i + n < p->count; n++) {
         if (n && b->regs->offset[p->regs[i + n].reg] != b->regs->offset[p->regs[i].reg] + n)
            break;
         v[n] = p->regs[i + n].value;
      }
      if (cs) {
         uint32_t off = b->regs->offset[p->regs[i].reg];
         if (!pm4d_cs_begin(cs, 2 + n))
            return 0;
         pm4d_cs_emit(cs, PM4D_PKT3(PM4D_OP_SET_SH_REG, 1 + n));
         pm4d_cs_emit(cs, off);
         for (uint32_t j = 0; j < n; j++)
            pm4d_cs_emit(cs, v[j]);
         pm4d_cs_end(cs);
      }
      dw += 2 + n;
   }
   return dw;
}

/* The device-info row a kernel runs as: its target's, or for a kernel named by its level
 * ("gfx9") that level's first row. Never NULL: every level has rows. */
static const struct pm4d_device_info *kernel_device(const struct pm4d_builder *b,
                                                    const struct pm4d_kernel_desc *k)
{
   const struct pm4d_device_info *d = pm4d_device_info_find(k->target);
   return d ? d : pm4d_device_info_of_level(b->ops->level);
}

bool pm4d_builder_has_rsrc3(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k)
{
   /* Per target: GFX9 has none except gfx90a (accumulation VGPR offset, TG_SPLIT). */
   return kernel_device(b, k)->rsrc3;
}

uint32_t pm4d_builder_barrier_dw(const struct pm4d_builder *b)
{
   return 2 + b->ops->acquire_mem_dw; /* partial flush + acquire */
}

static void emit_barrier(const struct pm4d_builder *b, struct pm4d_cs *cs)
{
   pm4d_pkt_event_write(cs, PM4D_EVENT_CS_PARTIAL_FLUSH, PM4D_EVENT_INDEX_PARTIAL_FLUSH);
   b->ops->acquire_mem(cs, PM4D_CACHE_SHADER);
}

uint32_t pm4d_builder_disarm_dw(const struct pm4d_builder *b, bool between)
{
   return (between ? pm4d_builder_barrier_dw(b) : 2u) + 5u;
}

enum pm4d_status pm4d_builder_disarm(const struct pm4d_builder *b, uint64_t addr, bool between,
                                     struct pm4d_cs *cs, uint32_t *slot)
{
   static const uint32_t zero = 0;
   if (cs->failed || cs->max_dw - cs->cdw < pm4d_builder_disarm_dw(b, between) || (addr & 3u))
      return PM4D_ERR_NO_SPACE;
   if (between)
      emit_barrier(b, cs);
   else /* the last dispatch drains; no cache to invalidate for a CP write */
      pm4d_pkt_event_write(cs, PM4D_EVENT_CS_PARTIAL_FLUSH, PM4D_EVENT_INDEX_PARTIAL_FLUSH);
   if (slot)
      *slot = cs->cdw + 2; /* after header and control */
   pm4d_pkt_write_data(cs, addr, &zero, 1);
   return cs->failed ? PM4D_ERR_NO_SPACE : PM4D_OK;
}

uint32_t pm4d_builder_dispatch_dw(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k,
                                  bool first)
{
   /* [barrier] + PGM(4) + RSRC1/2(4) + [RSRC3(3)] + LIMITS(3) + TMPRING(3) + USER_DATA(4) +
    * START/NUM_THREAD(8) + DISPATCH_DIRECT(5) */
   return (first ? 0 : pm4d_builder_barrier_dw(b)) + 4 + 4 +
          (pm4d_builder_has_rsrc3(b, k) ? 3 : 0) + 3 + 3 + 4 + 8 + 5;
}

uint32_t pm4d_builder_head_dw(const struct pm4d_builder *b)
{
   return preamble_runs(b, NULL) + b->ops->acquire_mem_dw;
}

uint32_t pm4d_builder_tail_dw(const struct pm4d_builder *b)
{
   return b->ops->release_mem_dw;
}

enum pm4d_status pm4d_builder_check_kernel(const struct pm4d_builder *b,
                                           const struct pm4d_kernel_desc *k, const char **reason)
{
   enum pm4d_gfx_level target;
   if (!pm4d_gfx_parse(k->target, &target))
      FAIL("kernel target is not a known gfx target");
   if (target != b->ops->level)
      FAIL("kernel was built for another GFX level");
   if (k->private_segment_size != 0 || (k->rsrc2 & 1u))
      FAIL("kernel needs scratch (private segment), which the direct path does not set up");
   if (k->wave_size != 64 && !(k->wave_size == 32 && kernel_device(b, k)->wave32))
      FAIL("wave size must be 64, or 32 from GFX10");
   if (!pm4d_builder_has_rsrc3(b, k) && k->rsrc3 != 0)
      FAIL("descriptor sets COMPUTE_PGM_RSRC3 for a target that has none");
   uint64_t threads = 1;
   for (int i = 0; i < 3; i++) {
      if (k->wg_size[i] == 0 || k->wg_size[i] > PM4D_WG_MAX_THREADS)
         FAIL("workgroup size must be 1..1024 in each dimension");
      threads *= k->wg_size[i];
   }
   if (threads > PM4D_WG_MAX_THREADS)
      FAIL("workgroup has more than 1024 work-items");
   if (k->group_segment_size > PM4D_LDS_MAX_BYTES)
      FAIL("kernel asks for more than 64 KiB of LDS");
   if (PM4D_RSRC2_USER_SGPR(k->rsrc2) < 2)
      FAIL("kernel has no user SGPRs for the kernarg pointer");
   return PM4D_OK;
}

enum pm4d_status pm4d_builder_check_launch(const struct pm4d_kernel_desc *k, uint64_t kernarg_addr,
                                           const uint32_t grid[3], const char **reason)
{
   uint32_t align =
      k->kernarg_align > PM4D_KERNARG_MIN_ALIGN ? k->kernarg_align : PM4D_KERNARG_MIN_ALIGN;
   if (kernarg_addr == 0 || (kernarg_addr & (align - 1)) != 0)
      FAIL("kernarg address is null or misaligned");
   for (int i = 0; i < 3; i++) {
      if (grid[i] == 0)
         FAIL("grid dimension is zero");
      if ((uint64_t)grid[i] * k->wg_size[i] > UINT32_MAX)
         FAIL("grid dimension times workgroup size exceeds 32 bits");
   }
   return PM4D_OK;
}

uint32_t pm4d_builder_rsrc2(const struct pm4d_kernel_desc *k)
{
   /* The descriptor's RSRC2 has no LDS size (the amount is dynamic there): granulate
    * group_segment_size into the register. */
   uint32_t lds = (k->group_segment_size + PM4D_LDS_GRANULE_BYTES - 1) / PM4D_LDS_GRANULE_BYTES;
   return (k->rsrc2 & ~PM4D_RSRC2_LDS_SIZE_MASK) |
          ((lds << PM4D_RSRC2_LDS_SIZE_SHIFT) & PM4D_RSRC2_LDS_SIZE_MASK);
}

uint32_t pm4d_builder_initiator(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k)
{
   uint32_t di = PM4D_DI_COMPUTE_SHADER_EN | PM4D_DI_FORCE_START_AT_000 | PM4D_DI_ORDER_MODE;
   if (k->wave_size == 32 && kernel_device(b, k)->wave32)
      di |= PM4D_DI_CS_W32_EN;
   return di;
}

static void set_reg(const struct pm4d_builder *b, struct pm4d_cs *cs, enum pm4d_reg r, uint32_t v)
{
   pm4d_pkt_set_sh_reg(cs, b->regs, r, &v, 1);
}

enum pm4d_status pm4d_builder_dispatch(const struct pm4d_builder *b,
                                       const struct pm4d_kernel_desc *k, uint64_t program_addr,
                                       uint64_t kernarg_addr, const uint32_t grid[3], bool first,
                                       struct pm4d_cs *cs, struct pm4d_dispatch_slots *slots,
                                       const char **reason)
{
   enum pm4d_status st = pm4d_builder_check_kernel(b, k, reason);
   if (st == PM4D_OK)
      st = pm4d_builder_check_launch(k, kernarg_addr, grid, reason);
   if (st != PM4D_OK)
      return st;
   if ((program_addr & (PM4D_PGM_ALIGN - 1)) != 0 || (program_addr >> 48) != 0)
      FAIL("program address is not 256-byte aligned or beyond 48 bits");
   uint32_t budget = pm4d_builder_dispatch_dw(b, k, first);
   if (cs->failed || cs->max_dw - cs->cdw < budget) {
      *reason = "stream buffer too small for a dispatch";
      return PM4D_ERR_NO_SPACE;
   }
   uint32_t start = cs->cdw;

   if (!first) /* the batch head already did this for the first one (pm4d_builder.h) */
      emit_barrier(b, cs);

   uint32_t pgm[2] = {(uint32_t)(program_addr >> 8),
                      (uint32_t)(program_addr >> 40) & PM4D_PGM_HI_MASK};
   pm4d_pkt_set_sh_reg(cs, b->regs, PM4D_REG_PGM_LO, pgm, 2);
   uint32_t rsrc[2] = {k->rsrc1, pm4d_builder_rsrc2(k)};
   pm4d_pkt_set_sh_reg(cs, b->regs, PM4D_REG_PGM_RSRC1, rsrc, 2);
   if (pm4d_builder_has_rsrc3(b, k))
      set_reg(b, cs, PM4D_REG_PGM_RSRC3, k->rsrc3);
   set_reg(b, cs, PM4D_REG_RESOURCE_LIMITS, 0); /* no wave or workgroup limits */
   set_reg(b, cs, PM4D_REG_TMPRING_SIZE, 0);    /* no scratch */

   uint32_t user[2] = {(uint32_t)kernarg_addr, (uint32_t)(kernarg_addr >> 32)};
   uint32_t user_at = cs->cdw + 2; /* after header and register offset */
   pm4d_pkt_set_sh_reg(cs, b->regs, PM4D_REG_USER_DATA_0, user, 2);

   uint32_t threads[6] = {0, 0, 0, k->wg_size[0], k->wg_size[1], k->wg_size[2]};
   pm4d_pkt_set_sh_reg(cs, b->regs, PM4D_REG_START_X, threads, 6);

   uint32_t dim_at = cs->cdw + 1;
   pm4d_pkt_dispatch_direct(cs, grid[0], grid[1], grid[2], pm4d_builder_initiator(b, k));

   if (cs->failed) {
      *reason = cs->reason;
      return PM4D_ERR_NO_SPACE;
   }
   if (cs->cdw - start != budget) {
      *reason = "dispatch did not match its declared dword budget";
      return PM4D_ERR_INVALID;
   }
   if (slots) {
      slots->kernarg_lo = (uint8_t)(user_at - start);
      slots->kernarg_hi = (uint8_t)(user_at - start + 1);
      for (int i = 0; i < 3; i++)
         slots->grid[i] = (uint8_t)(dim_at - start + (uint32_t)i);
   }
   return PM4D_OK;
}

static enum pm4d_status finish(struct pm4d_cs *cs, uint32_t start, uint32_t budget,
                               const char **reason)
{
   if (cs->failed) {
      *reason = cs->reason;
      return PM4D_ERR_NO_SPACE;
   }
   if (cs->cdw - start > budget) {
      *reason = "batch packet exceeded its declared dword budget";
      return PM4D_ERR_INVALID;
   }
   return PM4D_OK;
}

enum pm4d_status pm4d_builder_batch_head(const struct pm4d_builder *b, struct pm4d_cs *cs,
                                         const char **reason)
{
   uint32_t start = cs->cdw;
   preamble_runs(b, cs);
   b->ops->acquire_mem(cs, PM4D_CACHE_ALL);
   return finish(cs, start, PM4D_BATCH_HEAD_MAX_DW, reason);
}

enum pm4d_status pm4d_builder_batch_tail(const struct pm4d_builder *b, uint64_t fence_addr,
                                         uint64_t fence_value, struct pm4d_cs *cs,
                                         struct pm4d_fence_slots *slots, const char **reason)
{
   if (fence_addr == 0 || (fence_addr & 7u) != 0)
      FAIL("fence address is null or not 8-byte aligned");
   uint32_t start = cs->cdw;
   b->ops->release_mem_fence(cs, fence_addr, fence_value);
   enum pm4d_status st = finish(cs, start, PM4D_BATCH_TAIL_MAX_DW, reason);
   if (st == PM4D_OK && slots) {
      /* header, event, selects, then addr lo/hi, data lo/hi */
      *slots = (struct pm4d_fence_slots){.addr_lo = 3, .addr_hi = 4, .value_lo = 5, .value_hi = 6};
   }
   return st;
}
