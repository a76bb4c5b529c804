/* Format: https://github.com/msgpack/msgpack/blob/master/spec.md (type bytes and lengths are
 * big-endian). */
#include "pm4d_msgpack.h"

#include <string.h>

static bool take(struct pm4d_mp *m, size_t n, const uint8_t **out)
{
   if ((size_t)(m->end - m->p) < n)
      return false;
   *out = m->p;
   m->p += n;
   return true;
}

static bool read_be(struct pm4d_mp *m, size_t n, uint64_t *v)
{
   const uint8_t *b;
   if (!take(m, n, &b))
      return false;
   *v = 0;
   for (size_t i = 0; i < n; i++)
      *v = (*v << 8) | b[i];
   return true;
}

static bool read_type(struct pm4d_mp *m, uint8_t *t)
{
   const uint8_t *b;
   if (!take(m, 1, &b))
      return false;
   *t = b[0];
   return true;
}

/* Containers: fix form (low bits), 16- and 32-bit counts. */
static bool read_container(struct pm4d_mp *m, uint8_t fix, uint8_t fix_mask, uint8_t t16,
                           uint32_t *count)
{
   uint8_t t;
   uint64_t v;
   if (!read_type(m, &t))
      return false;
   if ((t & (uint8_t)~fix_mask) == fix) {
      *count = t & fix_mask;
      return true;
   }
   if (t != t16 && t != t16 + 1)
      return false;
   if (!read_be(m, t == t16 ? 2 : 4, &v))
      return false;
   *count = (uint32_t)v;
   return true;
}

bool pm4d_mp_read_map(struct pm4d_mp *m, uint32_t *count)
{
   return read_container(m, 0x80, 0x0f, 0xde, count);
}

bool pm4d_mp_read_array(struct pm4d_mp *m, uint32_t *count)
{
   return read_container(m, 0x90, 0x0f, 0xdc, count);
}

bool pm4d_mp_read_str(struct pm4d_mp *m, const char **s, uint32_t *len)
{
   uint8_t t;
   uint64_t n;
   const uint8_t *b;
   if (!read_type(m, &t))
      return false;
   if ((t & 0xe0) == 0xa0)
      n = t & 0x1f;
   else if (t < 0xd9 || t > 0xdb || !read_be(m, (size_t)1 << (t - 0xd9), &n)) /* str8..32 */
      return false;
   if (!take(m, (size_t)n, &b))
      return false;
   *s = (const char *)b;
   *len = (uint32_t)n;
   return true;
}

bool pm4d_mp_read_uint(struct pm4d_mp *m, uint64_t *v)
{
   uint8_t t;
   if (!read_type(m, &t))
      return false;
   if (t < 0x80) {
      *v = t;
      return true;
   }
   if (t >= 0xcc && t <= 0xcf) /* uint8..uint64 */
      return read_be(m, (size_t)1 << (t - 0xcc), v);
   if (t >= 0xd0 && t <= 0xd3) { /* int8..int64: accept non-negative values only */
      size_t n = (size_t)1 << (t - 0xd0);
      if (!read_be(m, n, v))
         return false;
      return !(*v >> (n * 8 - 1));
   }
   return false;
}

bool pm4d_mp_read_bool(struct pm4d_mp *m, bool *v)
{
   uint8_t t;
   if (!read_type(m, &t) || (t != 0xc2 && t != 0xc3))
      return false;
   *v = t == 0xc3;
   return true;
}

bool pm4d_mp_str_eq(const char *s, uint32_t len, const char *lit)
{
   return strlen(lit) == len && !memcmp(s, lit, len);
}

/* Bytes of payload after the type byte (and after its length field, read here), and the
 * number of nested values the type carries. */
static bool payload(struct pm4d_mp *m, uint8_t t, uint64_t *bytes, uint64_t *children)
{
   uint64_t n = 0;
   *bytes = 0;
   *children = 0;
   if (t < 0x80 || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
      return true; /* fixint, nil, bool */
   if (t < 0x90) {
      *children = 2u * (t & 0x0f);
      return true;
   }
   if (t < 0xa0) {
      *children = t & 0x0f;
      return true;
   }
   if (t < 0xc0) {
      *bytes = t & 0x1f;
      return true;
   }
   switch (t) {
   case 0xc4:
   case 0xc5:
   case 0xc6: /* bin8/16/32 */
      if (!read_be(m, (size_t)1 << (t - 0xc4), &n))
         return false;
      *bytes = n;
      return true;
   case 0xc7:
   case 0xc8:
   case 0xc9: /* ext8/16/32: length, then a type byte */
      if (!read_be(m, (size_t)1 << (t - 0xc7), &n))
         return false;
      *bytes = n + 1;
      return true;
   case 0xca: *bytes = 4; return true; /* float32 */
   case 0xcb: *bytes = 8; return true; /* float64 */
   case 0xcc:
   case 0xcd:
   case 0xce:
   case 0xcf: *bytes = (uint64_t)1 << (t - 0xcc); return true;
   case 0xd0:
   case 0xd1:
   case 0xd2:
   case 0xd3: *bytes = (uint64_t)1 << (t - 0xd0); return true;
   case 0xd4:
   case 0xd5:
   case 0xd6:
   case 0xd7:
   case 0xd8: /* fixext 1..16, plus a type byte */
      *bytes = ((uint64_t)1 << (t - 0xd4)) + 1;
      return true;
   case 0xd9:
   case 0xda:
   case 0xdb:
      if (!read_be(m, (size_t)1 << (t - 0xd9), &n))
         return false;
      *bytes = n;
      return true;
   case 0xdc:
   case 0xdd:
      if (!read_be(m, t == 0xdc ? 2 : 4, &n))
         return false;
      *children = n;
      return true;
   case 0xde:
   case 0xdf:
      if (!read_be(m, t == 0xde ? 2 : 4, &n))
         return false;
      *children = 2 * n;
      return true;
   default: /* 0xc1 is never used */ return false;
   }
}

bool pm4d_mp_skip(struct pm4d_mp *m)
{
   uint64_t pending = 1;
   while (pending) {
      uint8_t t;
      uint64_t bytes, children;
      const uint8_t *b;
      if (!read_type(m, &t) || !payload(m, t, &bytes, &children))
         return false;
      if (bytes > (uint64_t)(m->end - m->p) || !take(m, (size_t)bytes, &b))
         return false;
      /* Every value takes at least one byte, so more pending values than bytes is a lie. */
      pending = pending - 1 + children;
      if (pending > (uint64_t)(m->end - m->p))
         return false;
   }
   return true;
}
