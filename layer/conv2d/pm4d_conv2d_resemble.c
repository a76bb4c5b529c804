#include "pm4d_conv2d_recognize.h"

#include <string.h>

/* Whether the module declares storage buffer (set, binding). */
static bool has_buffer(const struct pm4d_spirv_info *m, uint32_t set, uint32_t binding)
{
   for (uint32_t i = 0; i < m->n_buffers; i++)
      if (m->buffers[i].set == set && m->buffers[i].binding == binding &&
          m->buffers[i].kind == PM4D_SPIRV_STORAGE_BUFFER)
         return true;
   return false;
}

/* Whether the push-constant block has a 4-byte member at byte `offset`. */
static bool has_push_word(const struct pm4d_spirv_info *m, uint32_t offset)
{
   for (uint32_t i = 0; i < m->n_push_members; i++)
      if (m->push_members[i].offset == offset && m->push_members[i].size == 4)
         return true;
   return false;
}

static bool has_spec(const struct pm4d_spirv_info *m, uint32_t id)
{
   for (uint32_t i = 0; i < m->n_spec; i++)
      if (m->spec[i].id == id)
         return true;
   return false;
}

/* Every buffer, push-constant word and specialization constant entry e reads is in the module,
 * and the module has no other buffer. */
static bool same_interface(const struct pm4d_shader_entry *e, const struct pm4d_spirv_info *m)
{
   uint32_t roles = 0;
   if (strcmp(e->entry_point, m->entry_point) != 0)
      return false;
   for (int r = 0; r < PM4D_CONV2D_ROLE_COUNT; r++) {
      const struct pm4d_shader_binding *b = &e->buffers[r];
      if (!b->present)
         continue;
      if (!has_buffer(m, b->set, b->binding))
         return false;
      /* Two roles may share a binding; count distinct ones. */
      bool again = false;
      for (int q = 0; q < r; q++)
         again |= e->buffers[q].present && e->buffers[q].set == b->set &&
                  e->buffers[q].binding == b->binding;
      roles += !again;
   }
   if (roles != m->n_buffers)
      return false;
   for (int f = 0; f < PM4D_FIELD_COUNT; f++) {
      const struct pm4d_conv2d_source *s = &e->fields[f];
      if ((s->kind == PM4D_SOURCE_PUSH && !has_push_word(m, s->arg)) ||
          (s->kind == PM4D_SOURCE_SPEC && !has_spec(m, s->arg)))
         return false;
   }
   for (uint32_t i = 0; i < e->n_expect; i++)
      if (!has_push_word(m, e->expect[i].push_offset))
         return false;
   return true;
}

const struct pm4d_shader_entry *pm4d_conv2d_resembles(const struct pm4d_shader_table *table,
                                                      const struct pm4d_spirv_info *info)
{
   for (size_t i = 0; i < table->count; i++) {
      const struct pm4d_shader_entry *e = &table->entries[i];
      if (e->variant == PM4D_SHADER_CONV2D && same_interface(e, info))
         return e;
   }
   return NULL;
}
