/* The metadata side of the code-object loader: the NT_AMDGPU_METADATA msgpack map
 * ("amdhsa.target", "amdhsa.kernels" with ".name", ".kernarg_segment_size", ".args", ...), as
 * documented in LLVM's AMDGPUUsage.rst, "Code Object V3 Metadata" and later. */
#include "pm4d_codeobj_internal.h"
#include "pm4d_msgpack.h"

#include <stdio.h>
#include <string.h>

#define BAD(...) pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_METADATA, __VA_ARGS__)

static bool read_u32(struct pm4d_mp *m, uint32_t *v)
{
   uint64_t x;
   if (!pm4d_mp_read_uint(m, &x) || x > UINT32_MAX)
      return false;
   *v = (uint32_t)x;
   return true;
}

/* Copies a msgpack string into a fixed C buffer; false when it does not fit or holds a NUL. */
static bool read_name(struct pm4d_mp *m, char *dst, size_t dst_size)
{
   const char *s;
   uint32_t len;
   if (!pm4d_mp_read_str(m, &s, &len) || len >= dst_size || memchr(s, 0, len))
      return false;
   memcpy(dst, s, len);
   dst[len] = 0;
   return true;
}

static enum pm4d_codeobj_status read_arg(struct pm4d_mp *m, struct pm4d_kernel_desc *d,
                                         uint32_t index, char *reason, size_t rs)
{
   uint32_t keys;
   bool have_offset = false, have_size = false, have_kind = false;
   struct pm4d_kernel_arg *a = &d->args[index];
   if (!pm4d_mp_read_map(m, &keys))
      return BAD("%s: argument %u is not a map", d->name, index);
   while (keys--) {
      const char *k, *v;
      uint32_t klen, vlen;
      if (!pm4d_mp_read_str(m, &k, &klen))
         return BAD("%s: argument %u has a non-string key", d->name, index);
      if (pm4d_mp_str_eq(k, klen, ".offset")) {
         have_offset = read_u32(m, &a->offset);
         if (!have_offset)
            return BAD("%s: argument %u has a bad .offset", d->name, index);
      } else if (pm4d_mp_str_eq(k, klen, ".size")) {
         have_size = read_u32(m, &a->size);
         if (!have_size)
            return BAD("%s: argument %u has a bad .size", d->name, index);
      } else if (pm4d_mp_str_eq(k, klen, ".value_kind")) {
         if (!pm4d_mp_read_str(m, &v, &vlen))
            return BAD("%s: argument %u has a bad .value_kind", d->name, index);
         if (pm4d_mp_str_eq(v, vlen, "by_value"))
            a->kind = PM4D_KERNEL_ARG_BY_VALUE;
         else if (pm4d_mp_str_eq(v, vlen, "global_buffer"))
            a->kind = PM4D_KERNEL_ARG_GLOBAL_BUFFER;
         else /* hidden_* (implicit arguments), images, samplers, queues, LDS pointers */
            return pm4d_fail(reason, rs, PM4D_CODEOBJ_UNSUPPORTED,
                             "%s: argument %u is of kind %.*s, which the PM4 path does "
                             "not provide",
                             d->name, index, (int)(vlen > 40 ? 40 : vlen), v);
         have_kind = true;
      } else if (!pm4d_mp_skip(m)) {
         return BAD("%s: argument %u is malformed", d->name, index);
      }
   }
   if (!have_offset || !have_size || !have_kind)
      return BAD("%s: argument %u lacks .offset, .size or .value_kind", d->name, index);
   if ((uint64_t)a->offset + a->size > d->kernarg_size)
      return BAD("%s: argument %u ends past the kernarg segment", d->name, index);
   return PM4D_CODEOBJ_OK;
}

/* Fields every kernel must state. */
enum {
   HAVE_NAME = 1 << 0,
   HAVE_KERNARG_SIZE = 1 << 1,
   HAVE_KERNARG_ALIGN = 1 << 2,
   HAVE_GROUP = 1 << 3,
   HAVE_PRIVATE = 1 << 4,
   HAVE_WG = 1 << 5,
   HAVE_WAVE = 1 << 6,
   HAVE_ARGS = 1 << 7,
   HAVE_ALL = (1 << 8) - 1,
};

/* .args may precede .kernarg_segment_size (the map is sorted by key), so arguments are read
 * after the other fields: remember where the array starts and come back to it. */
static enum pm4d_codeobj_status read_kernel(struct pm4d_mp *m, struct pm4d_kernel_desc *d,
                                            uint32_t index, char *reason, size_t rs)
{
   uint32_t keys, have = 0, n;
   struct pm4d_mp args = {0};
   bool dynamic_stack = false;
   snprintf(d->name, sizeof(d->name), "kernel %u", index);
   if (!pm4d_mp_read_map(m, &keys))
      return BAD("kernel %u is not a map", index);
   while (keys--) {
      const char *k;
      uint32_t klen;
      bool ok = true;
      if (!pm4d_mp_read_str(m, &k, &klen))
         return BAD("kernel %u has a non-string key", index);
      if (pm4d_mp_str_eq(k, klen, ".name")) {
         ok = read_name(m, d->name, sizeof(d->name));
         have |= HAVE_NAME;
      } else if (pm4d_mp_str_eq(k, klen, ".kernarg_segment_size")) {
         ok = read_u32(m, &d->kernarg_size);
         have |= HAVE_KERNARG_SIZE;
      } else if (pm4d_mp_str_eq(k, klen, ".kernarg_segment_align")) {
         ok = read_u32(m, &d->kernarg_align) && d->kernarg_align &&
              !(d->kernarg_align & (d->kernarg_align - 1));
         have |= HAVE_KERNARG_ALIGN;
      } else if (pm4d_mp_str_eq(k, klen, ".group_segment_fixed_size")) {
         ok = read_u32(m, &d->group_segment_size);
         have |= HAVE_GROUP;
      } else if (pm4d_mp_str_eq(k, klen, ".private_segment_fixed_size")) {
         ok = read_u32(m, &d->private_segment_size);
         have |= HAVE_PRIVATE;
      } else if (pm4d_mp_str_eq(k, klen, ".wavefront_size")) {
         ok = read_u32(m, &d->wave_size) && (d->wave_size == 32 || d->wave_size == 64);
         have |= HAVE_WAVE;
      } else if (pm4d_mp_str_eq(k, klen, ".uses_dynamic_stack")) {
         ok = pm4d_mp_read_bool(m, &dynamic_stack);
      } else if (pm4d_mp_str_eq(k, klen, ".reqd_workgroup_size")) {
         ok = pm4d_mp_read_array(m, &n) && n == 3;
         for (uint32_t i = 0; ok && i < 3; i++)
            ok = read_u32(m, &d->wg_size[i]) && d->wg_size[i] && d->wg_size[i] <= 1024;
         have |= HAVE_WG;
      } else if (pm4d_mp_str_eq(k, klen, ".args")) {
         args = *m;
         ok = pm4d_mp_skip(m);
         have |= HAVE_ARGS;
      } else {
         ok = pm4d_mp_skip(m);
      }
      if (!ok)
         return BAD("%s: bad value for %.*s", d->name, (int)(klen > 40 ? 40 : klen), k);
   }
   if ((have | HAVE_ARGS) != HAVE_ALL) /* a kernel without arguments has no .args */
      return BAD("%s: metadata lacks a required field (mask 0x%x)%s", d->name, have,
                 (have & HAVE_WG) ? "" : ", e.g. reqd_work_group_size");
   if (dynamic_stack)
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_UNSUPPORTED,
                       "%s uses a dynamic stack (scratch memory)", d->name);
   if (have & HAVE_ARGS) {
      if (!pm4d_mp_read_array(&args, &n))
         return BAD("%s: .args is not an array", d->name);
      if (n > PM4D_KERNEL_ARGS_MAX)
         return pm4d_fail(reason, rs, PM4D_CODEOBJ_UNSUPPORTED, "%s has %u arguments, more than %u",
                          d->name, n, PM4D_KERNEL_ARGS_MAX);
      for (uint32_t i = 0; i < n; i++) {
         enum pm4d_codeobj_status st = read_arg(&args, d, i, reason, rs);
         if (st != PM4D_CODEOBJ_OK)
            return st;
      }
      d->num_args = n;
   }
   return PM4D_CODEOBJ_OK;
}

/* "amdgcn-amd-amdhsa--gfx90a:sramecc+:xnack-" -> "gfx90a". */
static bool read_target(struct pm4d_mp *m, char *dst, size_t dst_size)
{
   static const char prefix[] = "amdgcn-amd-amdhsa--";
   const char *s;
   uint32_t len;
   if (!pm4d_mp_read_str(m, &s, &len) || len < sizeof(prefix) - 1 ||
       memcmp(s, prefix, sizeof(prefix) - 1))
      return false;
   s += sizeof(prefix) - 1;
   len -= sizeof(prefix) - 1;
   const char *colon = memchr(s, ':', len);
   if (colon)
      len = (uint32_t)(colon - s);
   if (!len || len >= dst_size || memchr(s, 0, len))
      return false;
   memcpy(dst, s, len);
   dst[len] = 0;
   return true;
}

enum pm4d_codeobj_status pm4d_codeobj_meta_parse(const uint8_t *note, size_t size,
                                                 struct pm4d_codeobj_info *info, char *reason,
                                                 size_t rs)
{
   struct pm4d_mp m = {note, note + size};
   uint32_t keys, n;
   bool have_target = false, have_kernels = false;
   if (!pm4d_mp_read_map(&m, &keys))
      return BAD("metadata is not a msgpack map");
   while (keys--) {
      const char *k;
      uint32_t klen;
      if (!pm4d_mp_read_str(&m, &k, &klen))
         return BAD("metadata has a non-string key");
      if (pm4d_mp_str_eq(k, klen, "amdhsa.target")) {
         if (!read_target(&m, info->target, sizeof(info->target)))
            return BAD("amdhsa.target is not amdgcn-amd-amdhsa--<gfx>");
         have_target = true;
      } else if (pm4d_mp_str_eq(k, klen, "amdhsa.kernels")) {
         if (!pm4d_mp_read_array(&m, &n))
            return BAD("amdhsa.kernels is not an array");
         if (n > PM4D_CODEOBJ_KERNELS_MAX)
            return pm4d_fail(reason, rs, PM4D_CODEOBJ_UNSUPPORTED, "%u kernels, more than %u", n,
                             PM4D_CODEOBJ_KERNELS_MAX);
         for (uint32_t i = 0; i < n; i++) {
            enum pm4d_codeobj_status st = read_kernel(&m, &info->kernels[i], i, reason, rs);
            if (st != PM4D_CODEOBJ_OK)
               return st;
         }
         info->num_kernels = n;
         have_kernels = true;
      } else if (!pm4d_mp_skip(&m)) {
         return BAD("metadata is malformed");
      }
   }
   if (!have_target || !have_kernels)
      return BAD("metadata lacks amdhsa.target or amdhsa.kernels");
   return PM4D_CODEOBJ_OK;
}
