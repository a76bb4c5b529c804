/* The last steps of a batch before its kick: NOP padding to the device's IB size alignment
 * (submit_build), then its validation (submit_validate), which is never switched off.
 *
 * Every dispatch template, the batch head, the fallback switches (pm4d_direct_disarm_prepare),
 * the tail and the padding went through the full validator once, at device creation
 * (pm4d_direct_batch_prepare). A batch is those parts copied into the ring with a few dwords
 * patched (kernarg address, grid, switch address, fence address and value), so per batch it is enough to know that the ring holds exactly those copies: the XOR
 * of the batch's dwords in the ring must equal the XOR of the validated parts' fixed dwords
 * and of the values patched in, which the build adds up as it writes them
 * (pm4d_direct_built.expect_xor; the launch values were checked by pm4d_builder_check_launch
 * before they were written). Any single-bit change of the ring before the kick changes that
 * XOR; in a batch of several jobs each template used (and the switch between jobs, in a batch
 * that can hold two of it) is also checked against the XOR it had when it was validated (an error in a template repeats in each of its copies, and an even
 * number of copies would cancel out of the batch's XOR; one copy cannot). Either way the batch
 * is refused before the kick. A one-job batch that matches is accepted inline
 * (pm4d_direct_batch_validate); everything else comes to pm4d_direct_batch_check. A batch with
 * a dispatch from the dynamic builder (a variant without a template) goes through the full
 * validator instead; PM4DIRECT_DEBUG runs the full validator on every batch too. */
#include <inttypes.h>

#include "pm4d_direct_internal.h"
#include "pm4d_reason.h"

/* Stand-in addresses for the one-time validation of the templates. */
#define CHECK_KERNARG 0x100000ull
#define CHECK_FENCE   0x200000ull
#define CHECK_DISARM  0x300000ull

static enum pm4d_direct_status full_check(const struct pm4d_validator *v, const uint32_t *dw,
                                          uint32_t ndw, char *reason, size_t rs)
{
   struct pm4d_validate_error err;
   if (pm4d_validate(v, dw, ndw, &err) == PM4D_OK)
      return PM4D_DIRECT_OK;
   return pm4d_fail(reason, rs, PM4D_DIRECT_INVALID,
                    "validator refused the batch at dword %" PRIu32 ": %s", err.offset, err.reason);
}

enum pm4d_direct_status pm4d_direct_disarm_prepare(struct pm4d_direct *d, char *reason, size_t rs)
{
   for (int last = 0; last < 2; last++) {
      struct pm4d_direct_disarm *s = &d->disarm[last];
      struct pm4d_cs cs;
      pm4d_cs_init(&cs, s->dw, PM4D_DISARM_MAX_DW);
      if (pm4d_builder_disarm(&d->builder, 0, !last, &cs, &s->slot) != PM4D_OK)
         return pm4d_fail(reason, rs, PM4D_DIRECT_UNAVAILABLE, "no room for a fallback switch");
      s->ndw = cs.cdw;
      s->xor = pm4d_xor_dw(s->dw, s->ndw); /* the address dwords are 0 */
      s->extra = s->ndw - (last ? 0 : pm4d_builder_barrier_dw(&d->builder));
   }
   return PM4D_DIRECT_OK;
}

enum pm4d_direct_status pm4d_direct_batch_prepare(struct pm4d_direct *d, char *reason, size_t rs)
{
   uint32_t start = 0, size = 0;
   d->ops->ib_align(d->dev, &start, &size);
   uint32_t align = start > size ? start : size;
   if (align < 4 || align > PM4D_DIRECT_IB_ALIGN_MAX || (align & (align - 1)) != 0)
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNAVAILABLE,
                       "%s reports an IB alignment of %" PRIu32 " / %" PRIu32
                       " bytes (start / size): not a power of two in 4..%u",
                       d->ops->name, start, size, PM4D_DIRECT_IB_ALIGN_MAX);
   /* Batches padded to at least 32 bytes, whatever smaller alignment a back end reports (a
    * multiple of it): the per-batch XOR then reads whole aligned vectors (pm4d_xor_dw). */
   d->ib_align_dw = align < 32 ? 8 : align / 4;
   uint32_t pad[PM4D_DIRECT_IB_ALIGN_MAX / 4];
   for (uint32_t n = 0; n < d->ib_align_dw; n++) {
      /* a padding shorter than the alignment is one NOP (pm4d_pkt_nop_fill): its header and
       * zeros, which seal writes without the general filler's loop */
      pm4d_pkt_nop_fill(pad, n);
      d->pad_header[n] = n ? pad[0] : 0; /* also the padding's XOR: */
      if (pm4d_xor_dw(pad, n) != d->pad_header[n])
         return pm4d_fail(reason, rs, PM4D_DIRECT_UNAVAILABLE, "a %u-dword padding is not one NOP",
                          n);
   }
   d->head_xor = pm4d_xor_dw(d->head, d->head_dw);

   /* Each template once through the validator: head, its first and its later form, tail,
    * the longest padding. */
   struct pm4d_validator v = d->validator;
   const uint32_t grid[3] = {1, 1, 1};
   uint32_t dw[PM4D_BATCH_HEAD_MAX_DW + 2 * PM4D_DISPATCH_MAX_DW + 2 * PM4D_DISARM_MAX_DW +
               PM4D_BATCH_TAIL_MAX_DW + PM4D_DIRECT_IB_ALIGN_MAX / 4];
   if (pm4d_validator_add_kernarg(&v, CHECK_KERNARG, 2 * PM4D_DIRECT_KERNARG_SLOT) != PM4D_OK ||
       pm4d_validator_add_fence(&v, CHECK_FENCE, 8) != PM4D_OK)
      return pm4d_fail(reason, rs, PM4D_DIRECT_UNAVAILABLE, "validator has no room for its ranges");
   for (unsigned kv = 0; kv < PM4D_CONV2D_VARIANT_COUNT; kv++) {
      const struct pm4d_template *t = d->kernels[kv].tmpl;
      if (!t)
         continue; /* no variant, or the dynamic builder (fully validated per batch) */
      uint32_t n = d->head_dw;
      memcpy(dw, d->head, d->head_dw * 4u);
      n += pm4d_template_instantiate(t, dw + n, true, CHECK_KERNARG, grid);
      n += pm4d_template_instantiate(t, dw + n, false, CHECK_KERNARG + PM4D_DIRECT_KERNARG_SLOT,
                                     grid);
      n += pm4d_tail_template_instantiate(&d->tail, dw + n, CHECK_FENCE, 1);
      pm4d_pkt_nop_fill(dw + n, d->ib_align_dw - 1);
      n += d->ib_align_dw - 1;
      enum pm4d_direct_status st = full_check(&v, dw, n, reason, rs);
      if (st != PM4D_DIRECT_OK)
         return st; /* the builder or a table is broken: no direct path on this device */
      /* With fallback switches: head, first, switch, first again, last switch, tail. */
      static const uint64_t disarm[2] = {CHECK_DISARM, CHECK_DISARM + 16};
      v.disarm = disarm;
      v.ndisarm = 2;
      n = d->head_dw;
      n += pm4d_template_instantiate(t, dw + n, true, CHECK_KERNARG, grid);
      n += pm4d_direct_disarm_copy(&d->disarm[0], dw + n, disarm[0]);
      n +=
         pm4d_template_instantiate(t, dw + n, true, CHECK_KERNARG + PM4D_DIRECT_KERNARG_SLOT, grid);
      n += pm4d_direct_disarm_copy(&d->disarm[1], dw + n, disarm[1]);
      n += pm4d_tail_template_instantiate(&d->tail, dw + n, CHECK_FENCE, 1);
      pm4d_pkt_nop_fill(dw + n, d->ib_align_dw - 1);
      n += d->ib_align_dw - 1;
      st = full_check(&v, dw, n, reason, rs);
      v.disarm = NULL;
      v.ndisarm = 0;
      if (st != PM4D_DIRECT_OK)
         return st;
   }
   return PM4D_DIRECT_OK;
}

uint32_t pm4d_direct_batch_pad(struct pm4d_direct *d, uint32_t *dw, uint32_t cdw, uint32_t ndw)
{
   if (ndw > cdw) { /* the padding, as pm4d_direct_batch_prepare checked it */
      dw[cdw] = d->pad_header[ndw - cdw];
      for (uint32_t i = cdw + 1; i < ndw; i++)
         dw[i] = 0;
   }
   if (d->test_flip_mask) { /* tests only: one bit error between build and kick */
      dw[d->test_flip_index % ndw] ^= d->test_flip_mask;
      d->test_flip_mask = 0;
   }
   return d->pad_header[ndw - cdw];
}

/* The refusals of the per-batch check, out of line. */
static __attribute__((noinline, cold)) enum pm4d_direct_status
refuse_template(const struct pm4d_template *t, uint32_t job, char *reason, size_t rs)
{
   return pm4d_fail(reason, rs, PM4D_DIRECT_INVALID,
                    "job %" PRIu32 ": the dispatch template of %s changed after validation", job,
                    t->kernel->name);
}

static __attribute__((noinline, cold)) enum pm4d_direct_status
refuse_xor(uint32_t ndw, uint32_t got, uint32_t want, char *reason, size_t rs)
{
   return pm4d_fail(reason, rs, PM4D_DIRECT_INVALID,
                    "batch of %" PRIu32
                    " dwords differs from its validated templates (XOR 0x%08" PRIx32
                    ", expected 0x%08" PRIx32 "): changed after validation",
                    ndw, got, want);
}

uint32_t pm4d_direct_batch_fixed_xor(const struct pm4d_direct *d, uint64_t fence_addr)
{
   return d->head_xor ^ pm4d_tail_template_xor(&d->tail, fence_addr, 0);
}

enum pm4d_direct_status pm4d_direct_batch_check(struct pm4d_direct_queue *q, uint32_t *dw,
                                                uint32_t ndw, const struct pm4d_direct_built *b,
                                                char *reason, size_t rs)
{
   if (q->d->debug || !b->templates_only) {
      uint32_t n = 0;
      for (uint32_t i = 0; i < b->count; i++)
         if (b->jobs[i].disarm)
            q->disarm[n++] = b->jobs[i].disarm;
      q->validator.disarm = q->disarm;
      q->validator.ndisarm = n;
      enum pm4d_direct_status st = full_check(&q->validator, dw, ndw, reason, rs);
      if (st != PM4D_DIRECT_OK || !b->templates_only)
         return st;
   }
   /* A template error repeats in every copy of it, and an even number of copies (of the body,
    * or of the barrier, which the first dispatch leaves out) cancels out of the batch's XOR:
    * in a batch of several jobs each template used is checked itself, once per run of jobs
    * that use it. */
   const struct pm4d_template *last = NULL;
   /* The switch between two jobs (d->disarm[0]) is a stored sequence copied like a template:
    * checked itself once a batch can hold two copies of it (three jobs or more). The last
    * job's switch (d->disarm[1]) is in a batch once at most, so its XOR covers it. */
   const struct pm4d_direct_disarm *between = &q->d->disarm[0];
   if (b->count > 2 && pm4d_xor_dw(between->dw, between->ndw) != between->xor)
      return pm4d_fail(reason, rs, PM4D_DIRECT_INVALID,
                       "the fallback switch sequence changed after validation");
   for (uint32_t i = 0; b->count > 1 && i < b->count; i++) {
      const struct pm4d_template *t = q->plan[i].kernel->tmpl;
      if (t != last && !pm4d_template_intact(t))
         return refuse_template(t, i, reason, rs);
      last = t;
   }
   /* The ring (32-byte aligned, a multiple of 8 dwords: pm4d_direct_queue_create and
    * pm4d_direct_batch_dw see to it) must XOR to what the build wrote. */
   uint32_t got = pm4d_xor_dw8(dw, ndw);
   if (got != b->expect_xor)
      return refuse_xor(ndw, got, b->expect_xor, reason, rs);
   return PM4D_DIRECT_OK;
}
