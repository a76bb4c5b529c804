#include "pm4d_index.h"
#include "pm4d_alloc.h"

#include <stdlib.h>
#include <string.h>

void pm4d_index_add(struct pm4d_index *ix, uint64_t key, uint32_t pos)
{
   const uint32_t mask = UINT32_MAX >> ix->shift;
   uint32_t s = pm4d_index_slot(key, ix->shift);
   while (ix->slots[s])
      s = (s + 1) & mask;
   ix->slots[s] = pos + 1;
}

void pm4d_index_rebuild(struct pm4d_index *ix, const void *entries, size_t stride, uint32_t count)
{
   if (!ix->slots)
      return;
   memset(ix->slots, 0, (((size_t)UINT32_MAX >> ix->shift) + 1) * sizeof(*ix->slots));
   for (uint32_t i = 0; i < count; i++)
      pm4d_index_add(ix, pm4d_index_key(entries, stride, i), i);
}

bool pm4d_index_reserve(struct pm4d_index *ix, const void *entries, size_t stride, uint32_t count,
                        uint32_t n)
{
   if (n > UINT32_MAX / 4)
      return false;
   if (ix->slots && (uint64_t)n * 2 <= (UINT32_MAX >> ix->shift) + 1ull)
      return true;
   uint32_t shift = 32 - 5;                         /* 32 slots */
   while ((uint64_t)n * 4 > (1ull << (32 - shift))) /* a quarter full after growing */
      shift--;
   uint32_t *slots = pm4d_calloc((size_t)1 << (32 - shift), sizeof(*slots));
   if (!slots)
      return false;
   free(ix->slots);
   ix->slots = slots;
   ix->shift = shift;
   pm4d_index_rebuild(ix, entries, stride, count);
   return true;
}

void pm4d_index_finish(struct pm4d_index *ix)
{
   free(ix->slots);
   ix->slots = NULL;
}
