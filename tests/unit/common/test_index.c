/* pm4d_index against a second implementation, a linear scan of the same array: keys shaped
 * like handles (pointers 16 bytes apart, which share their low bits) and small integers, added
 * as the table grows, removed the way its users remove (the last entry moved into the gap,
 * then a rebuild), and keys never added. */
#include <stdint.h>
#include <stdlib.h>

#include "pm4d_check.h"
#include "pm4d_index.h"

struct entry {
   uint64_t key;
   uint32_t payload;
};

#define MAX_ENTRIES 3000u

static struct entry entries[MAX_ENTRIES];
static uint32_t count;

static uint32_t scan(uint64_t key)
{
   for (uint32_t i = 0; i < count; i++)
      if (entries[i].key == key)
         return i;
   return UINT32_MAX;
}

/* Every key from keys[0, n) is where the scan finds it (or absent in both). */
static void check_all(const struct pm4d_index *ix, const uint64_t *keys, uint32_t n,
                      const char *when)
{
   for (uint32_t i = 0; i < n; i++) {
      uint32_t want = scan(keys[i]), got = pm4d_index_find(ix, entries, sizeof(*entries), keys[i]);
      CHECKF(got == want, "%s: key 0x%llx at %u, the scan says %u", when,
             (unsigned long long)keys[i], got, want);
   }
}

int main(void)
{
   static uint64_t keys[2 * MAX_ENTRIES];
   uint32_t n = 0;
   for (uint32_t i = 0; i < MAX_ENTRIES / 2; i++)
      keys[n++] = 0x7f3a12340000ull + 16ull * i; /* handles: 16 bytes apart */
   for (uint32_t i = 0; i < MAX_ENTRIES / 2; i++)
      keys[n++] = i + 1; /* small integers */
   const uint32_t added = n;
   for (uint32_t i = 0; i < MAX_ENTRIES; i++)
      keys[n++] = 0x100000000ull * (i + 1) + 8; /* never added: equal low halves */

   struct pm4d_index ix = {0};
   CHECK(pm4d_index_find(&ix, entries, sizeof(*entries), keys[0]) == UINT32_MAX);
   for (uint32_t i = 0; i < added; i++) {
      CHECK(pm4d_index_reserve(&ix, entries, sizeof(*entries), count, count + 1));
      pm4d_index_add(&ix, keys[i], count);
      entries[count++] = (struct entry){keys[i], i};
   }
   check_all(&ix, keys, n, "after adding");

   /* Remove every third entry as the users do: the last one moves into the gap. */
   uint32_t state = 1;
   for (uint32_t r = 0; r < added / 3; r++) {
      state = state * 1664525u + 1013904223u;
      uint32_t at = (state >> 8) % count;
      entries[at] = entries[--count];
      pm4d_index_rebuild(&ix, entries, sizeof(*entries), count);
   }
   check_all(&ix, keys, n, "after removing");
   for (uint32_t i = 0; i < count; i++)
      CHECK(pm4d_index_find(&ix, entries, sizeof(*entries), entries[i].key) == i);
   pm4d_index_finish(&ix);
   return pm4d_check_finish("common_index");
}
