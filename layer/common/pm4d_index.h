/* The position of an entry in an array by its 64-bit key, the first member of each entry: an
 * open-addressing table of positions, for arrays looked up by key on a submission's path (the
 * direct path's registered memory, the amdgpu back end's imports) whose entries are added and
 * removed outside it. A lookup costs the same however many entries there are. Not
 * thread-safe: the owner holds its lock. */
#ifndef PM4D_INDEX_H
#define PM4D_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pm4d_index {
   uint32_t *slots; /* position + 1 (0: empty), at most half full; NULL before the first */
   uint32_t shift;  /* 1 << (32 - shift) slots */
};

/* The first slot of key: keys are handles (pointers) or small integers, so both halves are
 * mixed in (Fibonacci hashing: the top bits of the product). */
static inline uint32_t pm4d_index_slot(uint64_t key, uint32_t shift)
{
   return ((uint32_t)key ^ (uint32_t)(key >> 32)) * 0x9e3779b9u >> shift;
}

static inline uint64_t pm4d_index_key(const void *entries, size_t stride, uint32_t pos)
{
   return *(const uint64_t *)(const void *)((const char *)entries + pos * stride);
}

/* The position of key among entries (stride bytes apart), or UINT32_MAX. */
static inline uint32_t pm4d_index_find(const struct pm4d_index *ix, const void *entries,
                                       size_t stride, uint64_t key)
{
   if (!ix->slots)
      return UINT32_MAX;
   const uint32_t mask = UINT32_MAX >> ix->shift;
   for (uint32_t s = pm4d_index_slot(key, ix->shift);; s = (s + 1) & mask) {
      uint32_t at = ix->slots[s];
      if (!at)
         return UINT32_MAX;
      if (pm4d_index_key(entries, stride, at - 1) == key)
         return at - 1;
   }
}

/* Room for n entries; when the table grows it is filled again from entries[0, count). False
 * when out of memory (the index unchanged). */
bool pm4d_index_reserve(struct pm4d_index *ix, const void *entries, size_t stride, uint32_t count,
                        uint32_t n);
/* Adds key at pos (room reserved). */
void pm4d_index_add(struct pm4d_index *ix, uint64_t key, uint32_t pos);
/* Fills the index again from entries[0, count) (after entries moved). */
void pm4d_index_rebuild(struct pm4d_index *ix, const void *entries, size_t stride, uint32_t count);
void pm4d_index_finish(struct pm4d_index *ix);

#endif
