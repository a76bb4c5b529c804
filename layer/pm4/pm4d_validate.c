#include "pm4d_validate.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "pm4d_iter.h"
#include "pm4d_pkt_defs.h"

/* Register state gathered since the previous DISPATCH_DIRECT. */
struct vstate {
   uint32_t value[PM4D_REG_COUNT];
   uint64_t written; /* pm4d_reg_bit() per register */
   uint64_t ever;    /* written anywhere in the stream (the preamble's registers) */
   /* Barrier order (pm4d_builder.h): a dispatch needs an ACQUIRE_MEM before it (the batch
    * head for the first), and after an earlier dispatch a CS_PARTIAL_FLUSH before that. */
   bool dispatched, flushed, acquired;
   uint32_t disarmed; /* fallback switches cleared so far (pm4d_validator.disarm) */
};

static enum pm4d_status refuse(struct pm4d_validate_error *err, uint32_t offset, const char *fmt,
                               ...)
{
   va_list ap;
   err->offset = offset;
   va_start(ap, fmt);
   vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
   va_end(ap);
   return PM4D_ERR_INVALID;
}

enum pm4d_status pm4d_validator_init(struct pm4d_validator *v, enum pm4d_gfx_level level)
{
   *v = (struct pm4d_validator){.max_workgroups = PM4D_VALIDATOR_DEFAULT_MAX_WORKGROUPS};
   return pm4d_builder_init(&v->builder, level);
}

enum pm4d_status pm4d_validator_init_target(struct pm4d_validator *v, const char *target)
{
   *v = (struct pm4d_validator){.max_workgroups = PM4D_VALIDATOR_DEFAULT_MAX_WORKGROUPS};
   return pm4d_builder_init_target(&v->builder, target);
}

static enum pm4d_status add_range(struct pm4d_vranges *rs, uint64_t base, uint64_t size,
                                  const struct pm4d_kernel_desc *k)
{
   if (rs->count >= PM4D_VALIDATOR_MAX_RANGES || size == 0 || base + size < base)
      return rs->count >= PM4D_VALIDATOR_MAX_RANGES ? PM4D_ERR_NO_SPACE : PM4D_ERR_INVALID;
   rs->r[rs->count++] = (struct pm4d_vrange){.base = base, .size = size, .kernel = k};
   return PM4D_OK;
}

enum pm4d_status pm4d_validator_add_program(struct pm4d_validator *v, uint64_t entry, uint64_t size,
                                            const struct pm4d_kernel_desc *k)
{
   return k ? add_range(&v->program, entry, size, k) : PM4D_ERR_INVALID;
}

enum pm4d_status pm4d_validator_add_kernarg(struct pm4d_validator *v, uint64_t base, uint64_t size)
{
   return add_range(&v->kernarg, base, size, NULL);
}

enum pm4d_status pm4d_validator_add_fence(struct pm4d_validator *v, uint64_t base, uint64_t size)
{
   return add_range(&v->fence, base, size, NULL);
}

static bool inside(const struct pm4d_vranges *rs, uint64_t addr, uint64_t len)
{
   for (uint32_t i = 0; i < rs->count; i++) {
      const struct pm4d_vrange *r = &rs->r[i];
      if (addr >= r->base && len <= r->size && addr - r->base <= r->size - len)
         return true;
   }
   return false;
}

static uint64_t addr64(const uint32_t *lo_hi)
{
   return (uint64_t)lo_hi[0] | ((uint64_t)lo_hi[1] << 32);
}

/* Registers a stream may write with SET_SH_REG: the ones the builder writes (any USER_DATA:
 * which one carries the kernarg pointer depends on the kernel). */
static bool writable(enum pm4d_reg r)
{
   if (r >= PM4D_REG_USER_DATA_0 && r <= PM4D_REG_USER_DATA_LAST)
      return true;
   switch (r) {
   case PM4D_REG_START_X:
   case PM4D_REG_START_Y:
   case PM4D_REG_START_Z:
   case PM4D_REG_NUM_THREAD_X:
   case PM4D_REG_NUM_THREAD_Y:
   case PM4D_REG_NUM_THREAD_Z:
   case PM4D_REG_PGM_LO:
   case PM4D_REG_PGM_HI:
   case PM4D_REG_PGM_RSRC1:
   case PM4D_REG_PGM_RSRC2:
   case PM4D_REG_RESOURCE_LIMITS:
   case PM4D_REG_TMPRING_SIZE:
   case PM4D_REG_PGM_RSRC3: /* GFX9: gfx90a kernels; checked against the kernel at dispatch */
      return true;
   default: return false;
   }
}

/* Registers a dispatch of kernel k needs written since the previous dispatch. */
static uint64_t required_mask(const struct pm4d_validator *v, const struct pm4d_kernel_desc *k)
{
   static const enum pm4d_reg always[] = {
      PM4D_REG_START_X,      PM4D_REG_START_Y,      PM4D_REG_START_Z,         PM4D_REG_NUM_THREAD_X,
      PM4D_REG_NUM_THREAD_Y, PM4D_REG_NUM_THREAD_Z, PM4D_REG_PGM_LO,          PM4D_REG_PGM_HI,
      PM4D_REG_PGM_RSRC1,    PM4D_REG_PGM_RSRC2,    PM4D_REG_RESOURCE_LIMITS, PM4D_REG_TMPRING_SIZE,
   };
   uint64_t m = 0;
   for (unsigned i = 0; i < sizeof(always) / sizeof(always[0]); i++)
      m |= pm4d_reg_bit(always[i]);
   if (k) {
      m |= pm4d_reg_bit(PM4D_REG_USER_DATA_0) | pm4d_reg_bit(PM4D_REG_USER_DATA_0 + 1);
      if (pm4d_builder_has_rsrc3(&v->builder, k))
         m |= pm4d_reg_bit(PM4D_REG_PGM_RSRC3);
   }
   return m;
}

static enum pm4d_status check_set_sh_reg(const struct pm4d_validator *v,
                                         const struct pm4d_packet *p, struct vstate *s,
                                         struct pm4d_validate_error *err)
{
   if (p->body_dw < 2)
      return refuse(err, p->offset, "SET_SH_REG without a register value");
   if (p->body[0] & ~PM4D_SET_SH_REG_OFFSET_MASK)
      return refuse(err, p->offset + 1, "SET_SH_REG with index bits set (0x%08" PRIx32 ")",
                    p->body[0]);
   uint32_t base = p->body[0];
   for (uint32_t i = 0; i + 1 < p->body_dw; i++) {
      uint32_t off = base + i;
      enum pm4d_reg r = pm4d_regs_lookup(v->builder.regs, off);
      const struct pm4d_preamble *pre = v->builder.preamble;
      bool in_preamble = r != PM4D_REG_NONE && (pre->mask & pm4d_reg_bit(r));
      if (r == PM4D_REG_NONE || !(writable(r) || in_preamble))
         return refuse(err, p->offset + 2 + i,
                       "register write outside the allowed COMPUTE_* registers: SH offset "
                       "0x%03" PRIx32 " (%s)",
                       off, r == PM4D_REG_NONE ? "unknown" : pm4d_reg_name(r));
      for (uint32_t j = 0; in_preamble && j < pre->count; j++)
         if (pre->regs[j].reg == r && pre->regs[j].value != p->body[1 + i])
            return refuse(err, p->offset + 2 + i,
                          "%s = 0x%08" PRIx32 "; the compute preamble sets 0x%08" PRIx32,
                          pm4d_reg_name(r), p->body[1 + i], pre->regs[j].value);
      s->value[r] = p->body[1 + i];
      s->written |= pm4d_reg_bit(r);
      s->ever |= pm4d_reg_bit(r);
   }
   return PM4D_OK;
}

/* Name of the lowest register id in a non-empty pm4d_reg_bit() mask. */
static const char *first_reg_name(uint64_t mask)
{
   return pm4d_reg_name((enum pm4d_reg)__builtin_ctzll(mask));
}

static const struct pm4d_vrange *find_program(const struct pm4d_validator *v, uint64_t entry)
{
   for (uint32_t i = 0; i < v->program.count; i++)
      if (v->program.r[i].base == entry)
         return &v->program.r[i];
   return NULL;
}

static enum pm4d_status check_dispatch(const struct pm4d_validator *v, const struct pm4d_packet *p,
                                       struct vstate *s, struct pm4d_validate_error *err)
{
   const uint32_t *val = s->value;
   uint64_t pgm_written = pm4d_reg_bit(PM4D_REG_PGM_LO) | pm4d_reg_bit(PM4D_REG_PGM_HI);
   uint64_t pgm = ((uint64_t)val[PM4D_REG_PGM_LO] << 8) |
                  ((uint64_t)(val[PM4D_REG_PGM_HI] & PM4D_PGM_HI_MASK) << 40);
   const struct pm4d_vrange *prog =
      (s->written & pgm_written) == pgm_written ? find_program(v, pgm) : NULL;
   uint64_t stale = v->builder.preamble->mask & ~s->ever;
   if (stale)
      return refuse(err, p->offset,
                    "DISPATCH_DIRECT would inherit %s from the ring (the batch head's "
                    "compute preamble sets it)",
                    first_reg_name(stale));
   uint64_t missing = required_mask(v, prog ? prog->kernel : NULL) & ~s->written;
   if (missing)
      return refuse(err, p->offset,
                    "DISPATCH_DIRECT without %s written since the previous "
                    "dispatch (compute state must be complete per dispatch)",
                    first_reg_name(missing));
   bool rsrc3_written = (s->written & pm4d_reg_bit(PM4D_REG_PGM_RSRC3)) != 0;
   s->written = 0;
   if (val[PM4D_REG_PGM_HI] & ~PM4D_PGM_HI_MASK)
      return refuse(err, p->offset, "COMPUTE_PGM_HI has bits above address bit 47");
   if (!prog)
      return refuse(err, p->offset,
                    "COMPUTE_PGM 0x%" PRIx64 " is not the entry of a "
                    "registered program",
                    pgm);
   const struct pm4d_kernel_desc *k = prog->kernel;
   if (val[PM4D_REG_PGM_RSRC1] != k->rsrc1)
      return refuse(err, p->offset,
                    "COMPUTE_PGM_RSRC1 0x%08" PRIx32 " disagrees with kernel "
                    "%s (0x%08" PRIx32 ")",
                    val[PM4D_REG_PGM_RSRC1], k->name, k->rsrc1);
   uint32_t rsrc2 = pm4d_builder_rsrc2(k);
   if (val[PM4D_REG_PGM_RSRC2] != rsrc2)
      return refuse(err, p->offset,
                    "COMPUTE_PGM_RSRC2 0x%08" PRIx32 " disagrees with kernel "
                    "%s (0x%08" PRIx32 ")",
                    val[PM4D_REG_PGM_RSRC2], k->name, rsrc2);
   if (rsrc3_written && val[PM4D_REG_PGM_RSRC3] != k->rsrc3)
      return refuse(err, p->offset,
                    "COMPUTE_PGM_RSRC3 0x%08" PRIx32 " disagrees with kernel "
                    "%s (0x%08" PRIx32 ")",
                    val[PM4D_REG_PGM_RSRC3], k->name, k->rsrc3);
   if (val[PM4D_REG_TMPRING_SIZE] != 0)
      return refuse(err, p->offset, "COMPUTE_TMPRING_SIZE is non-zero (no scratch is set up)");
   for (int i = 0; i < 3; i++) {
      if (val[PM4D_REG_START_X + i] != 0)
         return refuse(err, p->offset, "COMPUTE_START_%c is non-zero", 'X' + i);
      if (val[PM4D_REG_NUM_THREAD_X + i] != k->wg_size[i])
         return refuse(err, p->offset,
                       "workgroup size %" PRIu32 "x%" PRIu32 "x%" PRIu32
                       " disagrees with kernel %s (%" PRIu32 "x%" PRIu32 "x%" PRIu32 ")",
                       val[PM4D_REG_NUM_THREAD_X], val[PM4D_REG_NUM_THREAD_Y],
                       val[PM4D_REG_NUM_THREAD_Z], k->name, k->wg_size[0], k->wg_size[1],
                       k->wg_size[2]);
   }
   const uint32_t *user = val + PM4D_REG_USER_DATA_0;
   uint64_t kernarg = (uint64_t)user[0] | ((uint64_t)user[1] << 32);
   if (!inside(&v->kernarg, kernarg, k->kernarg_size ? k->kernarg_size : 1))
      return refuse(err, p->offset,
                    "kernarg 0x%" PRIx64 "+%" PRIu32 " is outside the "
                    "registered kernarg buffers",
                    kernarg, k->kernarg_size);

   uint64_t groups = 1;
   for (int i = 0; i < 3; i++) {
      if (p->body[i] == 0)
         return refuse(err, p->offset + 1 + (uint32_t)i, "zero grid dimension (DIM_%c)", 'X' + i);
      if ((uint64_t)p->body[i] * k->wg_size[i] > UINT32_MAX)
         return refuse(err, p->offset + 1 + (uint32_t)i,
                       "oversized grid: DIM_%c %" PRIu32 " x workgroup %" PRIu32 " exceeds 32 bits",
                       'X' + i, p->body[i], k->wg_size[i]);
      groups *= p->body[i];
   }
   if (groups > v->max_workgroups)
      return refuse(err, p->offset + 1,
                    "oversized grid: %" PRIu64 " workgroups (limit %" PRIu64 ")", groups,
                    v->max_workgroups);
   uint32_t di = p->body[3];
   uint32_t expect = pm4d_builder_initiator(&v->builder, k);
   if (di != expect)
      return refuse(err, p->offset + 4,
                    "DISPATCH_INITIATOR 0x%08" PRIx32 " is not 0x%08" PRIx32
                    " (the initiator for kernel %s, wave%" PRIu32 ")",
                    di, expect, k->name, k->wave_size);
   return PM4D_OK;
}

static enum pm4d_status check_release_mem(const struct pm4d_validator *v,
                                          const struct pm4d_packet *p,
                                          struct pm4d_validate_error *err)
{
   uint32_t event = (p->body[0] >> PM4D_EVENT_TYPE_SHIFT) & PM4D_EVENT_TYPE_MASK;
   uint32_t data_sel = p->body[1] >> PM4D_RM_DATA_SEL_SHIFT;
   uint32_t dst_sel = (p->body[1] >> PM4D_RM_DST_SEL_SHIFT) & 3u;
   if (event != PM4D_EVENT_CACHE_FLUSH_AND_INV_TS)
      return refuse(err, p->offset + 1,
                    "RELEASE_MEM event 0x%02" PRIx32 " is not "
                    "CACHE_FLUSH_AND_INV_TS_EVENT",
                    event);
   if (data_sel > PM4D_RM_DATA_SEL_64 || dst_sel != 0)
      return refuse(err, p->offset + 2,
                    "RELEASE_MEM DATA_SEL %" PRIu32 " / DST_SEL %" PRIu32
                    " not allowed (memory, 32 or 64-bit value only)",
                    data_sel, dst_sel);
   uint64_t addr = addr64(p->body + 2);
   uint32_t len = data_sel == PM4D_RM_DATA_SEL_64 ? 8 : 4;
   if (data_sel != 0 && ((addr & (len - 1)) != 0 || !inside(&v->fence, addr, len)))
      return refuse(err, p->offset + 3,
                    "fence address 0x%" PRIx64 " is misaligned or outside "
                    "the registered fence buffers",
                    addr);
   return PM4D_OK;
}

static enum pm4d_status check_packet(const struct pm4d_validator *v, const struct pm4d_packet *p,
                                     struct vstate *s, struct pm4d_validate_error *err)
{
   if (p->type != PM4D_PKT_TYPE3)
      return refuse(err, p->offset, "type-2 packet 0x%08" PRIx32 " (only type 3 is allowed)",
                    p->header);
   uint32_t fixed = pm4d_pkt_fixed_body_dw(v->builder.ops->level, p->opcode);
   switch (p->opcode) {
   case PM4D_OP_NOP:
   case PM4D_OP_SET_SH_REG:
   case PM4D_OP_WRITE_DATA:
   case PM4D_OP_DISPATCH_DIRECT:
   case PM4D_OP_EVENT_WRITE:
   case PM4D_OP_ACQUIRE_MEM:
   case PM4D_OP_RELEASE_MEM:
   case PM4D_OP_WAIT_REG_MEM: break;
   default: {
      const char *name = pm4d_pkt_opcode_name(p->opcode);
      return refuse(err, p->offset, "opcode 0x%02" PRIx32 " (%s) is not on the allow-list",
                    p->opcode, name ? name : "unknown");
   }
   }
   if (fixed && p->body_dw != fixed)
      return refuse(err, p->offset,
                    "%s with %" PRIu32 " body dwords; this GFX level's packet "
                    "has %" PRIu32,
                    pm4d_pkt_opcode_name(p->opcode), p->body_dw, fixed);
   switch (p->opcode) {
   case PM4D_OP_SET_SH_REG: return check_set_sh_reg(v, p, s, err);
   case PM4D_OP_DISPATCH_DIRECT:
      if (!s->acquired)
         return refuse(err, p->offset,
                       s->dispatched
                          ? "dispatch without a barrier (CS_PARTIAL_FLUSH, then ACQUIRE_MEM) "
                            "after the previous one"
                          : "dispatch before any ACQUIRE_MEM (the batch head)");
      s->dispatched = true;
      s->flushed = s->acquired = false;
      return check_dispatch(v, p, s, err);
   case PM4D_OP_EVENT_WRITE:
      if (p->body[0] != ((PM4D_EVENT_CS_PARTIAL_FLUSH << PM4D_EVENT_TYPE_SHIFT) |
                         (PM4D_EVENT_INDEX_PARTIAL_FLUSH << PM4D_EVENT_INDEX_SHIFT)))
         return refuse(err, p->offset + 1, "EVENT_WRITE 0x%08" PRIx32 " is not CS_PARTIAL_FLUSH",
                       p->body[0]);
      s->flushed = true;
      return PM4D_OK;
   case PM4D_OP_ACQUIRE_MEM:
      /* invalidating before the earlier dispatch has drained would not make its writes visible */
      s->acquired = s->acquired || !s->dispatched || s->flushed;
      return PM4D_OK;
   case PM4D_OP_RELEASE_MEM: return check_release_mem(v, p, err);
   case PM4D_OP_WRITE_DATA: {
      uint32_t dst = (p->body[0] >> PM4D_WD_DST_SEL_SHIFT) & PM4D_WD_DST_SEL_MASK;
      if (p->body_dw < 4 || dst != PM4D_WD_DST_SEL_MEMORY)
         return refuse(err, p->offset, "WRITE_DATA must write at least one dword to memory");
      uint64_t addr = addr64(p->body + 1);
      if (s->disarmed < v->ndisarm && addr == v->disarm[s->disarmed]) {
         /* A job's fallback switch: one 0, and only once the dispatch before has drained. */
         if (p->body_dw != 4 || p->body[3] != 0 || !s->dispatched || !s->flushed)
            return refuse(err, p->offset,
                          "fallback switch 0x%" PRIx64 " cleared with other than one 0 dword, "
                          "or before a CS_PARTIAL_FLUSH after its dispatch",
                          addr);
         s->disarmed++;
         return PM4D_OK;
      }
      if ((addr & 3u) || !inside(&v->fence, addr, 4ull * (p->body_dw - 3)))
         return refuse(err, p->offset + 2,
                       "WRITE_DATA address 0x%" PRIx64 " is outside the "
                       "registered fence buffers",
                       addr);
      return PM4D_OK;
   }
   case PM4D_OP_WAIT_REG_MEM: {
      uint64_t addr = addr64(p->body + 1);
      if (!((p->body[0] >> PM4D_WRM_MEM_SPACE_SHIFT) & 1u))
         return refuse(err, p->offset + 1, "WAIT_REG_MEM on a register (memory polls only)");
      if ((addr & 3u) || !inside(&v->fence, addr, 4))
         return refuse(err, p->offset + 2,
                       "WAIT_REG_MEM address 0x%" PRIx64 " is outside the "
                       "registered fence buffers",
                       addr);
      return PM4D_OK;
   }
   default: return PM4D_OK; /* NOP: size checked above */
   }
}

enum pm4d_status pm4d_validate(const struct pm4d_validator *v, const uint32_t *dw, uint32_t ndw,
                               struct pm4d_validate_error *err)
{
   struct pm4d_iter it;
   struct pm4d_packet p;
   struct vstate s = {0};
   const char *why = NULL;
   enum pm4d_iter_result r;
   pm4d_iter_init(&it, dw, ndw);
   while ((r = pm4d_iter_next(&it, &p, &why)) == PM4D_ITER_PACKET) {
      enum pm4d_status st = check_packet(v, &p, &s, err);
      if (st != PM4D_OK)
         return st;
   }
   if (r == PM4D_ITER_ERROR)
      return refuse(err, it.pos, "bad header 0x%08" PRIx32 ": %s", dw[it.pos], why);
   return PM4D_OK;
}
