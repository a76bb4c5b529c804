#include "pm4d_map.h"
#include "pm4d_alloc.h"

#include <stdlib.h>

#define PM4D_MAP_TOMBSTONE UINT64_MAX

void pm4d_map_init(struct pm4d_map *m)
{
   m->slots = NULL;
   m->capacity = m->count = m->used = 0;
}

void pm4d_map_finish(struct pm4d_map *m)
{
   free(m->slots);
   pm4d_map_init(m);
}

static uint32_t slot_of(uint64_t key, uint32_t capacity)
{
   /* Handles are pointers or small integers: mix the bits (splitmix64 finaliser). */
   key ^= key >> 30;
   key *= 0xbf58476d1ce4e5b9ull;
   key ^= key >> 27;
   key *= 0x94d049bb133111ebull;
   key ^= key >> 31;
   return (uint32_t)key & (capacity - 1);
}

static struct pm4d_map_slot *find(const struct pm4d_map *m, uint64_t key)
{
   if (!m->capacity)
      return NULL;
   for (uint32_t i = slot_of(key, m->capacity);; i = (i + 1) & (m->capacity - 1)) {
      if (m->slots[i].key == key)
         return &m->slots[i];
      if (m->slots[i].key == 0)
         return NULL;
   }
}

static bool rehash(struct pm4d_map *m, uint32_t capacity)
{
   struct pm4d_map_slot *slots = pm4d_calloc(capacity, sizeof(*slots));
   if (!slots)
      return false;
   for (uint32_t i = 0; i < m->capacity; i++) {
      uint64_t key = m->slots[i].key;
      if (key == 0 || key == PM4D_MAP_TOMBSTONE)
         continue;
      uint32_t j = slot_of(key, capacity);
      while (slots[j].key)
         j = (j + 1) & (capacity - 1);
      slots[j] = m->slots[i];
   }
   free(m->slots);
   m->slots = slots;
   m->capacity = capacity;
   m->used = m->count;
   return true;
}

bool pm4d_map_reserve(struct pm4d_map *m, uint32_t more)
{
   /* Keep at most half the slots used (live or tombstone) so probes stay short. */
   if ((m->used + more) * 2 <= m->capacity)
      return true;
   uint32_t capacity = m->capacity ? m->capacity : 16;
   while ((m->count + more) * 4 > capacity) /* a quarter full after rehash */
      capacity *= 2;
   return rehash(m, capacity);
}

bool pm4d_map_put(struct pm4d_map *m, uint64_t key, void *value)
{
   struct pm4d_map_slot *s = find(m, key);
   if (s) {
      s->value = value;
      return true;
   }
   if (!pm4d_map_reserve(m, 1))
      return false;
   uint32_t i = slot_of(key, m->capacity);
   while (m->slots[i].key != 0 && m->slots[i].key != PM4D_MAP_TOMBSTONE)
      i = (i + 1) & (m->capacity - 1);
   if (m->slots[i].key == 0)
      m->used++;
   m->slots[i].key = key;
   m->slots[i].value = value;
   m->count++;
   return true;
}

void *pm4d_map_get(const struct pm4d_map *m, uint64_t key)
{
   struct pm4d_map_slot *s = find(m, key);
   return s ? s->value : NULL;
}

void *pm4d_map_take(struct pm4d_map *m, uint64_t key)
{
   struct pm4d_map_slot *s = find(m, key);
   if (!s)
      return NULL;
   void *value = s->value;
   s->key = PM4D_MAP_TOMBSTONE;
   s->value = NULL;
   m->count--;
   return value;
}

void pm4d_map_remove_if(struct pm4d_map *m, pm4d_map_visit_fn fn, void *ctx)
{
   for (uint32_t i = 0; i < m->capacity; i++) {
      struct pm4d_map_slot *s = &m->slots[i];
      if (s->key == 0 || s->key == PM4D_MAP_TOMBSTONE)
         continue;
      if (fn(ctx, s->key, s->value)) {
         s->key = PM4D_MAP_TOMBSTONE;
         s->value = NULL;
         m->count--;
      }
   }
}
