/* Open-addressing hash map from a non-zero 64-bit key to a pointer. Not thread-safe: the
 * owner holds its lock. */
#ifndef PM4D_MAP_H
#define PM4D_MAP_H

#include <stdbool.h>
#include <stdint.h>

struct pm4d_map_slot {
   uint64_t key; /* 0: empty, PM4D_MAP_TOMBSTONE: removed */
   void *value;
};

struct pm4d_map {
   struct pm4d_map_slot *slots;
   uint32_t capacity; /* power of two, or 0 before the first insert */
   uint32_t count;
   uint32_t used; /* count plus tombstones */
};

void pm4d_map_init(struct pm4d_map *m);
void pm4d_map_finish(struct pm4d_map *m);

/* Inserts or replaces. Returns false only when growing the table fails (map unchanged). */
bool pm4d_map_put(struct pm4d_map *m, uint64_t key, void *value);
/* Makes room so that `more` puts of new keys cannot fail; false when out of memory. */
bool pm4d_map_reserve(struct pm4d_map *m, uint32_t more);
void *pm4d_map_get(const struct pm4d_map *m, uint64_t key);
/* Removes key and returns its value, or NULL when absent. */
void *pm4d_map_take(struct pm4d_map *m, uint64_t key);

/* Calls fn on every entry; entries for which it returns true are removed. fn may not touch
 * the map. */
typedef bool (*pm4d_map_visit_fn)(void *ctx, uint64_t key, void *value);
void pm4d_map_remove_if(struct pm4d_map *m, pm4d_map_visit_fn fn, void *ctx);

#endif
