/* A bounded MessagePack reader: just enough for the AMDGPU metadata note. Every read checks the
 * remaining bytes and fails (returns false) instead of reading past the end; skipping is
 * iterative, so hostile nesting cannot exhaust the stack. */
#ifndef PM4D_MSGPACK_H
#define PM4D_MSGPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pm4d_mp {
   const uint8_t *p, *end;
};

bool pm4d_mp_read_map(struct pm4d_mp *m, uint32_t *count);
bool pm4d_mp_read_array(struct pm4d_mp *m, uint32_t *count);
/* Strings point into the buffer and are not NUL-terminated. */
bool pm4d_mp_read_str(struct pm4d_mp *m, const char **s, uint32_t *len);
/* Non-negative integers of any width. */
bool pm4d_mp_read_uint(struct pm4d_mp *m, uint64_t *v);
bool pm4d_mp_read_bool(struct pm4d_mp *m, bool *v);
/* Skips one complete value (with everything nested in it). */
bool pm4d_mp_skip(struct pm4d_mp *m);
/* Whether the string s (len bytes) equals the C string lit. */
bool pm4d_mp_str_eq(const char *s, uint32_t len, const char *lit);

#endif
