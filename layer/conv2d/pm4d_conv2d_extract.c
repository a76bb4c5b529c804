#include "pm4d_conv2d_extract.h"

#include <string.h>

static const char *const pt_names[PM4D_CONV2D_PT_COUNT] = {
   [PM4D_CONV2D_REDIRECT] = "redirect",
   [PM4D_CONV2D_PT_MALFORMED_SPIRV] = "malformed_spirv",
   [PM4D_CONV2D_PT_UNKNOWN_SHADER] = "unknown_shader",
   [PM4D_CONV2D_PT_VARIANT] = "unsupported_variant",
   [PM4D_CONV2D_PT_LAYOUT] = "unsupported_layout",
   [PM4D_CONV2D_PT_DTYPE] = "unsupported_dtype",
   [PM4D_CONV2D_PT_MISSING_PUSH] = "missing_push_constants",
   [PM4D_CONV2D_PT_MISSING_SPEC] = "missing_spec_constant",
   [PM4D_CONV2D_PT_MISSING_BUFFER] = "missing_buffer",
   [PM4D_CONV2D_PT_ZERO_SIZE] = "zero_size",
   [PM4D_CONV2D_PT_NEGATIVE_SIZE] = "negative_size",
   [PM4D_CONV2D_PT_OVERFLOW] = "size_overflow",
   [PM4D_CONV2D_PT_TOO_LARGE] = "tensor_too_large",
   [PM4D_CONV2D_PT_EMPTY_OUTPUT] = "empty_output",
   [PM4D_CONV2D_PT_OUTPUT_MISMATCH] = "output_size_mismatch",
   [PM4D_CONV2D_PT_GROUPS] = "bad_groups",
   [PM4D_CONV2D_PT_NOT_CONTIGUOUS] = "not_contiguous",
   [PM4D_CONV2D_PT_BUFFER_TOO_SMALL] = "buffer_too_small",
};

const char *pm4d_conv2d_pt_name(enum pm4d_conv2d_pt reason)
{
   return (unsigned)reason < PM4D_CONV2D_PT_COUNT ? pt_names[reason] : "unknown";
}

static enum pm4d_conv2d_pt read_push(const struct pm4d_conv2d_dispatch *d, uint32_t offset,
                                     uint32_t *value)
{
   if (!d->push || !d->push_valid || offset > d->push_size || d->push_size - offset < 4)
      return PM4D_CONV2D_PT_MISSING_PUSH;
   for (uint32_t i = 0; i < 4; i++)
      if (!d->push_valid[offset + i])
         return PM4D_CONV2D_PT_MISSING_PUSH;
   memcpy(value, d->push + offset, 4); /* Vulkan hosts are little-endian like the shader */
   return PM4D_CONV2D_REDIRECT;
}

/* The pipeline's value for spec id, else the module's default. */
static enum pm4d_conv2d_pt read_spec(const struct pm4d_conv2d_dispatch *d, uint32_t id,
                                     uint32_t *value)
{
   uint64_t v = 0;
   const VkSpecializationInfo *s = d->spec;
   int found = 0;

   if (s && s->mapEntryCount && (!s->pMapEntries || (s->dataSize && !s->pData)))
      return PM4D_CONV2D_PT_MISSING_SPEC;
   for (uint32_t i = 0; s && i < s->mapEntryCount; i++) {
      const VkSpecializationMapEntry *m = &s->pMapEntries[i];
      if (m->constantID != id)
         continue;
      if ((m->size != 1 && m->size != 2 && m->size != 4 && m->size != 8) ||
          m->offset > s->dataSize || s->dataSize - m->offset < m->size)
         return PM4D_CONV2D_PT_MISSING_SPEC;
      memcpy(&v, (const uint8_t *)s->pData + m->offset, m->size);
      found = 1;
      break;
   }
   if (!found && !(d->module && pm4d_spirv_spec_default(d->module, id, &v)))
      return PM4D_CONV2D_PT_MISSING_SPEC;
   if (v > UINT32_MAX)
      return PM4D_CONV2D_PT_NEGATIVE_SIZE;
   *value = (uint32_t)v;
   return PM4D_CONV2D_REDIRECT;
}

static enum pm4d_conv2d_pt read_source(const struct pm4d_conv2d_source *src,
                                       const struct pm4d_conv2d_dispatch *d, uint32_t *value)
{
   enum pm4d_conv2d_pt pt = PM4D_CONV2D_REDIRECT;
   switch (src->kind) {
   case PM4D_SOURCE_PUSH:
      pt = read_push(d, src->arg, value);
      if (pt == PM4D_CONV2D_REDIRECT && src->mask)
         *value = (*value & src->mask) != 0;
      return pt;
   case PM4D_SOURCE_SPEC: return read_spec(d, src->arg, value);
   case PM4D_SOURCE_CONST: *value = src->arg; return pt;
   default: /* DERIVED: filled from the formula later; UNSET never passes the parser */
      *value = 0;
      return pt;
   }
}

/* out = (in + 2 pad - dil (k - 1) - 1) / stride + 1, all operands already < 2^31. */
static enum pm4d_conv2d_pt output_size(uint32_t in, uint32_t k, uint32_t stride, uint32_t pad,
                                       uint32_t dil, uint32_t *out)
{
   uint64_t padded = (uint64_t)in + 2ull * pad;
   uint64_t span = (uint64_t)dil * (k - 1) + 1;
   uint64_t o;
   if (padded < span)
      return PM4D_CONV2D_PT_EMPTY_OUTPUT;
   o = (padded - span) / stride + 1;
   if (o > INT32_MAX)
      return PM4D_CONV2D_PT_TOO_LARGE;
   *out = (uint32_t)o;
   return PM4D_CONV2D_REDIRECT;
}

static enum pm4d_conv2d_pt resolve_output(const struct pm4d_shader_entry *e, uint32_t v[],
                                          struct pm4d_conv2d_params *p)
{
   enum pm4d_conv2d_pt pt;
   pt = output_size(p->h, p->r, p->stride_h, p->pad_h, p->dil_h, &p->oh);
   if (pt == PM4D_CONV2D_REDIRECT)
      pt = output_size(p->w, p->s, p->stride_w, p->pad_w, p->dil_w, &p->ow);
   if (pt != PM4D_CONV2D_REDIRECT)
      return pt;
   if ((e->fields[PM4D_FIELD_OH].kind != PM4D_SOURCE_DERIVED && v[PM4D_FIELD_OH] != p->oh) ||
       (e->fields[PM4D_FIELD_OW].kind != PM4D_SOURCE_DERIVED && v[PM4D_FIELD_OW] != p->ow))
      return PM4D_CONV2D_PT_OUTPUT_MISMATCH;
   return PM4D_CONV2D_REDIRECT;
}

static enum pm4d_conv2d_pt read_fields(const struct pm4d_shader_entry *e,
                                       const struct pm4d_conv2d_dispatch *d, uint32_t v[])
{
   /* Sizes that must be at least 1; padding and the flags may be 0. */
   static const enum pm4d_conv2d_field nonzero[] = {
      PM4D_FIELD_N,        PM4D_FIELD_C,     PM4D_FIELD_H,     PM4D_FIELD_W,
      PM4D_FIELD_K,        PM4D_FIELD_R,     PM4D_FIELD_S,     PM4D_FIELD_STRIDE_H,
      PM4D_FIELD_STRIDE_W, PM4D_FIELD_DIL_H, PM4D_FIELD_DIL_W, PM4D_FIELD_GROUPS};
   for (int f = 0; f < PM4D_FIELD_COUNT; f++) {
      enum pm4d_conv2d_pt pt = read_source(&e->fields[f], d, &v[f]);
      if (pt != PM4D_CONV2D_REDIRECT)
         return pt;
   }
   for (size_t i = 0; i < sizeof(nonzero) / sizeof(nonzero[0]); i++)
      if (v[nonzero[i]] == 0)
         return PM4D_CONV2D_PT_ZERO_SIZE;
   for (int f = 0; f < PM4D_FIELD_COUNT; f++)
      if (v[f] > INT32_MAX)
         return PM4D_CONV2D_PT_NEGATIVE_SIZE;
   return PM4D_CONV2D_REDIRECT;
}

static enum pm4d_conv2d_pt check_expect(const struct pm4d_shader_entry *e,
                                        const struct pm4d_conv2d_dispatch *d, const uint32_t v[])
{
   for (uint32_t i = 0; i < e->n_expect; i++) {
      const struct pm4d_shader_expect *x = &e->expect[i];
      uint64_t want = x->factor;
      uint32_t got;
      enum pm4d_conv2d_pt pt = read_push(d, x->push_offset, &got);
      if (pt != PM4D_CONV2D_REDIRECT)
         return pt;
      for (uint32_t f = 0; f < x->n_fields; f++)
         if (__builtin_mul_overflow(want, (uint64_t)v[x->fields[f]], &want))
            return PM4D_CONV2D_PT_NOT_CONTIGUOUS;
      if (want != got)
         return PM4D_CONV2D_PT_NOT_CONTIGUOUS;
   }
   return PM4D_CONV2D_REDIRECT;
}

/* bytes = word * a * b * c * d, refusing 64-bit overflow and tensors of 2^31+ elements. */
static enum pm4d_conv2d_pt tensor_bytes(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                                        uint64_t word, uint64_t *bytes)
{
   uint64_t n = a;
   if (__builtin_mul_overflow(n, b, &n) || __builtin_mul_overflow(n, c, &n) ||
       __builtin_mul_overflow(n, d, &n))
      return PM4D_CONV2D_PT_OVERFLOW;
   if (n > INT32_MAX)
      return PM4D_CONV2D_PT_TOO_LARGE;
   *bytes = n * word;
   return PM4D_CONV2D_REDIRECT;
}

/* Bytes each role reads or writes; bias only when present. */
static enum pm4d_conv2d_pt tensor_sizes(const struct pm4d_conv2d_params *p,
                                        uint64_t need[PM4D_CONV2D_ROLE_COUNT])
{
   enum pm4d_conv2d_pt pt;
   if ((pt = tensor_bytes(p->n, p->c, p->h, p->w, 4, &need[PM4D_CONV2D_INPUT])) ||
       (pt = tensor_bytes(p->k, p->c / p->groups, p->r, p->s, p->filter_f16 ? 2 : 4,
                          &need[PM4D_CONV2D_FILTER])) ||
       (pt = tensor_bytes(p->n, p->k, p->oh, p->ow, 4, &need[PM4D_CONV2D_OUTPUT])))
      return pt;
   need[PM4D_CONV2D_BIAS] = p->has_bias ? (uint64_t)p->k * 4 : 0;
   return PM4D_CONV2D_REDIRECT;
}

static enum pm4d_conv2d_pt bind_buffers(const struct pm4d_shader_entry *e,
                                        const struct pm4d_conv2d_dispatch *d,
                                        const uint64_t need[PM4D_CONV2D_ROLE_COUNT],
                                        struct pm4d_conv2d_job_desc *out)
{
   for (int r = 0; r < PM4D_CONV2D_ROLE_COUNT; r++) {
      const struct pm4d_shader_binding *b = &e->buffers[r];
      const struct pm4d_conv2d_range *range = NULL;
      out->buffers[r] = (struct pm4d_conv2d_buffer_use){b->set, b->binding, need[r]};
      if (need[r] == 0)
         continue;
      for (uint32_t i = 0; i < d->n_ranges && !range; i++)
         if (d->ranges[i].set == b->set && d->ranges[i].binding == b->binding)
            range = &d->ranges[i];
      if (!range)
         return PM4D_CONV2D_PT_MISSING_BUFFER;
      if (range->size < need[r])
         return PM4D_CONV2D_PT_BUFFER_TOO_SMALL;
   }
   return PM4D_CONV2D_REDIRECT;
}

/* The kernels' own gate (pm4d_kernels.h), so nothing is redirected that they refuse. Sizes,
 * groups and the output were checked above with their own reasons; what is left for it to
 * refuse is its 32-bit index limits (e.g. oh * stride_h >= 2^31). */
static int kernels_accept(const struct pm4d_conv2d_params *p)
{
   struct pm4d_conv2d_params k = *p;
   char why[128];
   return pm4d_conv2d_params_check(&k, why, sizeof(why)) && k.oh == p->oh && k.ow == p->ow;
}

enum pm4d_conv2d_pt pm4d_conv2d_extract(const struct pm4d_shader_entry *e,
                                        const struct pm4d_conv2d_dispatch *d,
                                        struct pm4d_conv2d_job_desc *out)
{
   uint32_t v[PM4D_FIELD_COUNT];
   uint64_t need[PM4D_CONV2D_ROLE_COUNT];
   struct pm4d_conv2d_params *p = &out->params;
   enum pm4d_conv2d_pt pt;

   memset(out, 0, sizeof(*out));
   if (e->variant != PM4D_SHADER_CONV2D)
      return PM4D_CONV2D_PT_VARIANT;
   if (e->activation_layout != PM4D_LAYOUT_NCHW || e->filter_layout != PM4D_LAYOUT_KCRS)
      return PM4D_CONV2D_PT_LAYOUT;
   /* The kernels read an fp16 filter (widened, fp32 accumulation); every other tensor is fp32. */
   for (int r = 0; r < PM4D_CONV2D_ROLE_COUNT; r++)
      if (e->dtype[r] != PM4D_DTYPE_F32 &&
          !(r == PM4D_CONV2D_FILTER && e->dtype[r] == PM4D_DTYPE_F16))
         return PM4D_CONV2D_PT_DTYPE;
   if ((pt = read_fields(e, d, v)) != PM4D_CONV2D_REDIRECT)
      return pt;
   *p = (struct pm4d_conv2d_params){
      .n = v[PM4D_FIELD_N],
      .c = v[PM4D_FIELD_C],
      .h = v[PM4D_FIELD_H],
      .w = v[PM4D_FIELD_W],
      .k = v[PM4D_FIELD_K],
      .r = v[PM4D_FIELD_R],
      .s = v[PM4D_FIELD_S],
      .stride_h = v[PM4D_FIELD_STRIDE_H],
      .stride_w = v[PM4D_FIELD_STRIDE_W],
      .pad_h = v[PM4D_FIELD_PAD_H],
      .pad_w = v[PM4D_FIELD_PAD_W],
      .dil_h = v[PM4D_FIELD_DIL_H],
      .dil_w = v[PM4D_FIELD_DIL_W],
      .groups = v[PM4D_FIELD_GROUPS],
      .has_bias = v[PM4D_FIELD_BIAS] != 0,
      .relu = v[PM4D_FIELD_RELU] != 0,
      .filter_f16 = e->dtype[PM4D_CONV2D_FILTER] == PM4D_DTYPE_F16,
   };
   if (p->c % p->groups || p->k % p->groups)
      return PM4D_CONV2D_PT_GROUPS;
   if ((pt = resolve_output(e, v, p)) != PM4D_CONV2D_REDIRECT)
      return pt;
   v[PM4D_FIELD_OH] = p->oh;
   v[PM4D_FIELD_OW] = p->ow;
   if ((pt = check_expect(e, d, v)) != PM4D_CONV2D_REDIRECT)
      return pt;
   if ((pt = tensor_sizes(p, need)) != PM4D_CONV2D_REDIRECT)
      return pt;
   if (!kernels_accept(p))
      return PM4D_CONV2D_PT_TOO_LARGE;
   return bind_buffers(e, d, need, out);
}
