#include "pm4d_spirv.h"
#include "pm4d_alloc.h"

#include "pm4d_spirv_op.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[PM4D_SPIRV_STATUS_COUNT] = {
   [PM4D_SPIRV_OK] = "ok",
   [PM4D_SPIRV_TOO_SHORT] = "too_short",
   [PM4D_SPIRV_BAD_MAGIC] = "bad_magic",
   [PM4D_SPIRV_BAD_VERSION] = "bad_version",
   [PM4D_SPIRV_BAD_BOUND] = "bad_bound",
   [PM4D_SPIRV_BAD_SCHEMA] = "bad_schema",
   [PM4D_SPIRV_BAD_LENGTH] = "bad_length",
   [PM4D_SPIRV_BAD_OPERANDS] = "bad_operands",
   [PM4D_SPIRV_BAD_ID] = "bad_id",
   [PM4D_SPIRV_NO_ENTRY] = "no_compute_entry",
   [PM4D_SPIRV_BAD_LAYOUT] = "bad_layout",
   [PM4D_SPIRV_LIMIT] = "limit",
   [PM4D_SPIRV_NO_MEMORY] = "no_memory",
};

const char *pm4d_spirv_status_name(enum pm4d_spirv_status status)
{
   if ((unsigned)status >= PM4D_SPIRV_STATUS_COUNT)
      return "unknown";
   return status_names[status];
}

enum pm4d_spirv_status pm4d_spirv_check(const uint32_t *words, size_t n_words, size_t *bad_word)
{
   size_t pos = 0;
   enum pm4d_spirv_status st = PM4D_SPIRV_OK;

   if (!words || n_words < PM4D_SPIRV_HEADER_WORDS) {
      st = PM4D_SPIRV_TOO_SHORT;
      goto fail;
   }
   if (words[0] != PM4D_SPIRV_MAGIC) {
      st = PM4D_SPIRV_BAD_MAGIC;
      goto fail;
   }
   /* Version: 0 | major | minor | 0, major 1, minor 0..6. */
   pos = 1;
   if ((words[1] & 0xff0000ffu) != 0 || (words[1] >> 16) != 1 || ((words[1] >> 8) & 0xff) > 6) {
      st = PM4D_SPIRV_BAD_VERSION;
      goto fail;
   }
   pos = 3;
   if (words[3] == 0 || words[3] > PM4D_SPIRV_MAX_BOUND) {
      st = PM4D_SPIRV_BAD_BOUND;
      goto fail;
   }
   pos = 4;
   if (words[4] != 0) {
      st = PM4D_SPIRV_BAD_SCHEMA;
      goto fail;
   }
   for (pos = PM4D_SPIRV_HEADER_WORDS; pos < n_words;) {
      uint32_t len = words[pos] >> 16;
      if (len == 0 || len > n_words - pos) {
         st = PM4D_SPIRV_BAD_LENGTH;
         goto fail;
      }
      pos += len;
   }
   return PM4D_SPIRV_OK;
fail:
   if (bad_word)
      *bad_word = pos;
   return st;
}

void pm4d_spirv_iter_init(struct pm4d_spirv_iter *it, const uint32_t *words, size_t n_words)
{
   it->words = words;
   it->n_words = n_words;
   it->pos = PM4D_SPIRV_HEADER_WORDS;
}

int pm4d_spirv_iter_next(struct pm4d_spirv_iter *it, struct pm4d_spirv_inst *inst)
{
   uint32_t len;

   if (it->pos >= it->n_words)
      return 0;
   len = it->words[it->pos] >> 16;
   /* Checked modules never trip this; it keeps an unchecked caller in bounds. */
   if (len == 0 || len > it->n_words - it->pos)
      return 0;
   inst->w = it->words + it->pos;
   inst->len = len;
   inst->opcode = it->words[it->pos] & 0xffffu;
   inst->pos = it->pos;
   it->pos += len;
   return 1;
}

uint32_t pm4d_spirv_string_end(const struct pm4d_spirv_inst *inst, uint32_t first)
{
   for (uint32_t i = first; i < inst->len; i++) {
      uint32_t w = inst->w[i];
      /* Strings are UTF-8, little-endian within each word, nul-padded. */
      if ((w & 0xffu) == 0 || (w & 0xff00u) == 0 || (w & 0xff0000u) == 0 || (w >> 24) == 0)
         return i + 1;
   }
   return 0;
}

/* ---- collected facts ---------------------------------------------------------------------- */

struct def {
   uint32_t id;
   uint32_t pos; /* word index of the defining instruction */
};

struct deco {
   uint32_t target;
   uint32_t member; /* member index for OpMemberDecorate Offset, else UINT32_MAX */
   uint32_t kind;
   uint32_t value;
};

struct reader {
   const uint32_t *words;
   size_t n_words;
   uint32_t bound;
   struct def *defs;
   size_t n_defs;
   struct deco *decos;
   size_t n_decos;
   uint32_t entry_id;
   size_t bad_word;
};

static int def_cmp(const void *a, const void *b)
{
   const struct def *x = a, *y = b;
   return (x->id > y->id) - (x->id < y->id);
}

static int id_ok(const struct reader *r, uint32_t id)
{
   return id != 0 && id < r->bound;
}

/* Word index within the instruction of the result id for the definitions the reader keeps;
 * 0 for instructions it does not keep. */
static uint32_t kept_result_index(uint32_t opcode)
{
   switch (opcode) {
   case PM4D_OP_TYPE_BOOL:
   case PM4D_OP_TYPE_INT:
   case PM4D_OP_TYPE_FLOAT:
   case PM4D_OP_TYPE_VECTOR:
   case PM4D_OP_TYPE_ARRAY:
   case PM4D_OP_TYPE_RUNTIME_ARRAY:
   case PM4D_OP_TYPE_STRUCT:
   case PM4D_OP_TYPE_POINTER: return 1;
   case PM4D_OP_CONSTANT:
   case PM4D_OP_CONSTANT_COMPOSITE:
   case PM4D_OP_SPEC_CONSTANT_TRUE:
   case PM4D_OP_SPEC_CONSTANT_FALSE:
   case PM4D_OP_SPEC_CONSTANT:
   case PM4D_OP_SPEC_CONSTANT_COMPOSITE:
   case PM4D_OP_VARIABLE: return 2;
   default: return 0;
   }
}

/* Minimum word count of the instructions the reader interprets. */
static uint32_t min_len(uint32_t opcode)
{
   switch (opcode) {
   case PM4D_OP_ENTRY_POINT: return 4;
   case PM4D_OP_EXECUTION_MODE: return 3;
   case PM4D_OP_EXECUTION_MODE_ID: return 3;
   case PM4D_OP_DECORATE: return 3;
   case PM4D_OP_MEMBER_DECORATE: return 4;
   case PM4D_OP_TYPE_BOOL: return 2;
   case PM4D_OP_TYPE_INT: return 4;
   case PM4D_OP_TYPE_FLOAT: return 3;
   case PM4D_OP_TYPE_VECTOR: return 4;
   case PM4D_OP_TYPE_ARRAY: return 4;
   case PM4D_OP_TYPE_RUNTIME_ARRAY: return 3;
   case PM4D_OP_TYPE_STRUCT: return 2;
   case PM4D_OP_TYPE_POINTER: return 4;
   case PM4D_OP_CONSTANT: return 4;
   case PM4D_OP_CONSTANT_COMPOSITE: return 3;
   case PM4D_OP_SPEC_CONSTANT_TRUE: return 3;
   case PM4D_OP_SPEC_CONSTANT_FALSE: return 3;
   case PM4D_OP_SPEC_CONSTANT: return 4;
   case PM4D_OP_SPEC_CONSTANT_COMPOSITE: return 3;
   case PM4D_OP_VARIABLE: return 4;
   default: return 1;
   }
}

static const struct def *find_def(const struct reader *r, uint32_t id)
{
   struct def key = {.id = id};
   return bsearch(&key, r->defs, r->n_defs, sizeof(key), def_cmp);
}

/* The defining instruction of `id` if it has opcode `opcode` (0: any kept opcode). */
static int get_def(const struct reader *r, uint32_t id, uint32_t opcode,
                   struct pm4d_spirv_inst *out)
{
   const struct def *d = find_def(r, id);
   if (!d)
      return 0;
   out->w = r->words + d->pos;
   out->len = out->w[0] >> 16;
   out->opcode = out->w[0] & 0xffffu;
   out->pos = d->pos;
   return opcode == 0 || out->opcode == opcode;
}

static int find_deco(const struct reader *r, uint32_t target, uint32_t member, uint32_t kind,
                     uint32_t *value)
{
   for (size_t i = 0; i < r->n_decos; i++) {
      const struct deco *d = &r->decos[i];
      if (d->target == target && d->member == member && d->kind == kind) {
         if (value)
            *value = d->value;
         return 1;
      }
   }
   return 0;
}

static int kept_decoration(uint32_t kind)
{
   return kind == PM4D_SPV_DECO_SPEC_ID || kind == PM4D_SPV_DECO_BLOCK ||
          kind == PM4D_SPV_DECO_BUFFER_BLOCK || kind == PM4D_SPV_DECO_BUILTIN ||
          kind == PM4D_SPV_DECO_BINDING || kind == PM4D_SPV_DECO_DESCRIPTOR_SET;
}

/* Checks that every operand in [first, last) of inst is a valid id. */
static int ids_ok(const struct reader *r, const struct pm4d_spirv_inst *inst, uint32_t first,
                  uint32_t last)
{
   for (uint32_t i = first; i < last && i < inst->len; i++)
      if (!id_ok(r, inst->w[i]))
         return 0;
   return 1;
}

static enum pm4d_spirv_status collect_entry(struct reader *r, const struct pm4d_spirv_inst *inst,
                                            struct pm4d_spirv_info *info)
{
   uint32_t end = pm4d_spirv_string_end(inst, 3);
   if (end == 0)
      return PM4D_SPIRV_BAD_OPERANDS;
   if (!ids_ok(r, inst, 2, 3) || !ids_ok(r, inst, end, inst->len))
      return PM4D_SPIRV_BAD_ID;
   if (inst->w[1] != PM4D_SPV_EXEC_MODEL_GLCOMPUTE)
      return PM4D_SPIRV_OK;
   if (info->compute_entries++ == 0) {
      size_t n = (size_t)(end - 3) * 4;
      const char *s = (const char *)&inst->w[3];
      size_t len = strnlen(s, n);
      if (len >= PM4D_SPIRV_MAX_NAME)
         return PM4D_SPIRV_LIMIT;
      memcpy(info->entry_point, s, len);
      info->entry_point[len] = '\0';
      r->entry_id = inst->w[2];
   }
   return PM4D_SPIRV_OK;
}

static enum pm4d_spirv_status collect_decoration(struct reader *r,
                                                 const struct pm4d_spirv_inst *inst)
{
   struct deco d;
   if (!id_ok(r, inst->w[1]))
      return PM4D_SPIRV_BAD_ID;
   if (inst->opcode == PM4D_OP_MEMBER_DECORATE) {
      if (inst->w[3] != PM4D_SPV_DECO_OFFSET)
         return PM4D_SPIRV_OK;
      if (inst->len < 5)
         return PM4D_SPIRV_BAD_OPERANDS;
      d = (struct deco){inst->w[1], inst->w[2], inst->w[3], inst->w[4]};
   } else {
      uint32_t kind = inst->w[2];
      if (!kept_decoration(kind))
         return PM4D_SPIRV_OK;
      if (kind != PM4D_SPV_DECO_BLOCK && kind != PM4D_SPV_DECO_BUFFER_BLOCK && inst->len < 4)
         return PM4D_SPIRV_BAD_OPERANDS;
      d = (struct deco){inst->w[1], UINT32_MAX, kind, inst->len >= 4 ? inst->w[3] : 0};
   }
   r->decos[r->n_decos++] = d;
   return PM4D_SPIRV_OK;
}

/* Checks the ids of a kept definition; composite constituents and struct members are checked
 * where they are followed. */
static enum pm4d_spirv_status collect_def(struct reader *r, const struct pm4d_spirv_inst *inst,
                                          uint32_t result_index)
{
   uint32_t id = inst->w[result_index];
   if (!id_ok(r, id))
      return PM4D_SPIRV_BAD_ID;
   if (result_index == 2 && !id_ok(r, inst->w[1]))
      return PM4D_SPIRV_BAD_ID;
   if (!ids_ok(r, inst, 2, inst->len) &&
       (inst->opcode == PM4D_OP_TYPE_STRUCT || inst->opcode == PM4D_OP_CONSTANT_COMPOSITE ||
        inst->opcode == PM4D_OP_SPEC_CONSTANT_COMPOSITE))
      return PM4D_SPIRV_BAD_ID;
   if ((inst->opcode == PM4D_OP_TYPE_VECTOR || inst->opcode == PM4D_OP_TYPE_ARRAY ||
        inst->opcode == PM4D_OP_TYPE_RUNTIME_ARRAY) &&
       !id_ok(r, inst->w[2]))
      return PM4D_SPIRV_BAD_ID;
   if (inst->opcode == PM4D_OP_TYPE_POINTER && !id_ok(r, inst->w[3]))
      return PM4D_SPIRV_BAD_ID;
   r->defs[r->n_defs++] = (struct def){id, (uint32_t)inst->pos};
   return PM4D_SPIRV_OK;
}

/* A value of a constant id: plain constants give a value, spec constants their SpecId. */
static int constant_value(const struct reader *r, uint32_t id, uint32_t *value, int32_t *spec_id)
{
   struct pm4d_spirv_inst c;
   uint32_t sid;
   if (!get_def(r, id, 0, &c))
      return 0;
   if (c.opcode != PM4D_OP_CONSTANT && c.opcode != PM4D_OP_SPEC_CONSTANT)
      return 0;
   *value = c.w[3];
   *spec_id = -1;
   if (c.opcode == PM4D_OP_SPEC_CONSTANT &&
       find_deco(r, id, UINT32_MAX, PM4D_SPV_DECO_SPEC_ID, &sid))
      *spec_id = (int32_t)(sid & 0x7fffffffu);
   return 1;
}

static enum pm4d_spirv_status local_size_from_ids(const struct reader *r, const uint32_t ids[3],
                                                  struct pm4d_spirv_info *info)
{
   for (int i = 0; i < 3; i++)
      if (!constant_value(r, ids[i], &info->local_size[i], &info->local_size_spec[i]))
         return PM4D_SPIRV_BAD_LAYOUT;
   return PM4D_SPIRV_OK;
}

static enum pm4d_spirv_status collect_exec_mode(struct reader *r,
                                                const struct pm4d_spirv_inst *inst, uint32_t ids[3],
                                                int *have_ids, struct pm4d_spirv_info *info)
{
   if (!id_ok(r, inst->w[1]))
      return PM4D_SPIRV_BAD_ID;
   if (inst->w[1] != r->entry_id)
      return PM4D_SPIRV_OK;
   if (inst->opcode == PM4D_OP_EXECUTION_MODE && inst->w[2] == PM4D_SPV_EXEC_MODE_LOCAL_SIZE) {
      if (inst->len < 6)
         return PM4D_SPIRV_BAD_OPERANDS;
      memcpy(info->local_size, &inst->w[3], sizeof(info->local_size));
   } else if (inst->opcode == PM4D_OP_EXECUTION_MODE_ID &&
              inst->w[2] == PM4D_SPV_EXEC_MODE_LOCAL_SIZE_ID) {
      if (inst->len < 6)
         return PM4D_SPIRV_BAD_OPERANDS;
      if (!ids_ok(r, inst, 3, 6))
         return PM4D_SPIRV_BAD_ID;
      memcpy(ids, &inst->w[3], 3 * sizeof(uint32_t));
      *have_ids = 1;
   }
   return PM4D_SPIRV_OK;
}

static uint32_t scalar_size(const struct pm4d_spirv_inst *t)
{
   if (t->opcode != PM4D_OP_TYPE_INT && t->opcode != PM4D_OP_TYPE_FLOAT)
      return 0;
   return (t->w[2] % 8 == 0 && t->w[2] <= 64) ? t->w[2] / 8 : 0;
}

/* Size in bytes of scalar and vector types; 0 for anything else. No recursion: a vector's
 * component must be a scalar, so cyclic ids in hostile input cannot loop. */
static uint32_t type_size(const struct reader *r, uint32_t type_id)
{
   struct pm4d_spirv_inst t, comp;
   if (!get_def(r, type_id, 0, &t))
      return 0;
   if (t.opcode != PM4D_OP_TYPE_VECTOR)
      return scalar_size(&t);
   if (!get_def(r, t.w[2], 0, &comp) || t.w[3] > 16)
      return 0;
   return scalar_size(&comp) * t.w[3];
}

/* The struct a buffer variable points to, through one level of descriptor array. */
static int variable_struct(const struct reader *r, const struct pm4d_spirv_inst *var,
                           struct pm4d_spirv_inst *st)
{
   struct pm4d_spirv_inst ptr;
   uint32_t pointee;
   if (!get_def(r, var->w[1], PM4D_OP_TYPE_POINTER, &ptr))
      return 0;
   pointee = ptr.w[3];
   if (!get_def(r, pointee, 0, st))
      return 0;
   if (st->opcode == PM4D_OP_TYPE_ARRAY || st->opcode == PM4D_OP_TYPE_RUNTIME_ARRAY)
      if (!get_def(r, st->w[2], 0, st))
         return 0;
   return st->opcode == PM4D_OP_TYPE_STRUCT;
}

static enum pm4d_spirv_status push_block(const struct reader *r, const struct pm4d_spirv_inst *st,
                                         struct pm4d_spirv_info *info)
{
   uint32_t n = st->len - 2;
   if (n > PM4D_SPIRV_MAX_PUSH_MEMBERS)
      return PM4D_SPIRV_LIMIT;
   for (uint32_t m = 0; m < n; m++) {
      struct pm4d_spirv_push_member *pm = &info->push_members[m];
      uint64_t end;
      if (!find_deco(r, st->w[1], m, PM4D_SPV_DECO_OFFSET, &pm->offset))
         return PM4D_SPIRV_BAD_LAYOUT;
      pm->size = type_size(r, st->w[2 + m]);
      end = (uint64_t)pm->offset + pm->size;
      if (pm->size && end > info->push_size)
         info->push_size = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
   }
   info->n_push_members = n;
   return PM4D_SPIRV_OK;
}

static enum pm4d_spirv_status resolve_variable(const struct reader *r,
                                               const struct pm4d_spirv_inst *var, int *seen_push,
                                               struct pm4d_spirv_info *info)
{
   uint32_t sc = var->w[3];
   struct pm4d_spirv_inst st;
   struct pm4d_spirv_buffer b;

   if (sc != PM4D_SPV_STORAGE_UNIFORM && sc != PM4D_SPV_STORAGE_STORAGE_BUFFER &&
       sc != PM4D_SPV_STORAGE_PUSH_CONSTANT)
      return PM4D_SPIRV_OK;
   if (!variable_struct(r, var, &st))
      return PM4D_SPIRV_BAD_LAYOUT;
   if (sc == PM4D_SPV_STORAGE_PUSH_CONSTANT) {
      if ((*seen_push)++)
         return PM4D_SPIRV_LIMIT;
      return push_block(r, &st, info);
   }
   b.kind = PM4D_SPIRV_STORAGE_BUFFER;
   if (sc == PM4D_SPV_STORAGE_UNIFORM &&
       !find_deco(r, st.w[1], UINT32_MAX, PM4D_SPV_DECO_BUFFER_BLOCK, NULL))
      b.kind = PM4D_SPIRV_UNIFORM_BUFFER;
   if (!find_deco(r, var->w[2], UINT32_MAX, PM4D_SPV_DECO_DESCRIPTOR_SET, &b.set) ||
       !find_deco(r, var->w[2], UINT32_MAX, PM4D_SPV_DECO_BINDING, &b.binding))
      return PM4D_SPIRV_BAD_LAYOUT;
   if (info->n_buffers >= PM4D_SPIRV_MAX_BUFFERS)
      return PM4D_SPIRV_LIMIT;
   info->buffers[info->n_buffers++] = b;
   return PM4D_SPIRV_OK;
}

static enum pm4d_spirv_status resolve_spec(const struct reader *r, const struct pm4d_spirv_inst *c,
                                           struct pm4d_spirv_info *info)
{
   struct pm4d_spirv_spec s = {0};
   if (!find_deco(r, c->w[2], UINT32_MAX, PM4D_SPV_DECO_SPEC_ID, &s.id))
      return PM4D_SPIRV_OK;
   if (c->opcode == PM4D_OP_SPEC_CONSTANT) {
      struct pm4d_spirv_inst t;
      if (!get_def(r, c->w[1], 0, &t) ||
          (t.opcode != PM4D_OP_TYPE_INT && t.opcode != PM4D_OP_TYPE_FLOAT))
         return PM4D_SPIRV_BAD_LAYOUT;
      s.bits = t.w[2];
      s.value = c->w[3];
      if (s.bits > 32) {
         if (c->len < 5)
            return PM4D_SPIRV_BAD_OPERANDS;
         s.value |= (uint64_t)c->w[4] << 32;
      }
   } else {
      s.bits = 1;
      s.value = c->opcode == PM4D_OP_SPEC_CONSTANT_TRUE;
   }
   if (info->n_spec >= PM4D_SPIRV_MAX_SPEC)
      return PM4D_SPIRV_LIMIT;
   info->spec[info->n_spec++] = s;
   return PM4D_SPIRV_OK;
}

/* The WorkgroupSize built-in overrides the LocalSize modes (spec 14.6 / Vulkan 15.6). */
static enum pm4d_spirv_status resolve_workgroup_builtin(const struct reader *r,
                                                        struct pm4d_spirv_info *info)
{
   for (size_t i = 0; i < r->n_decos; i++) {
      const struct deco *d = &r->decos[i];
      struct pm4d_spirv_inst c;
      if (d->kind != PM4D_SPV_DECO_BUILTIN || d->value != PM4D_SPV_BUILTIN_WORKGROUP_SIZE)
         continue;
      if (!get_def(r, d->target, 0, &c))
         return PM4D_SPIRV_BAD_LAYOUT;
      if (c.opcode != PM4D_OP_CONSTANT_COMPOSITE && c.opcode != PM4D_OP_SPEC_CONSTANT_COMPOSITE)
         return PM4D_SPIRV_BAD_LAYOUT;
      if (c.len != 6)
         return PM4D_SPIRV_BAD_LAYOUT;
      return local_size_from_ids(r, &c.w[3], info);
   }
   return PM4D_SPIRV_OK;
}

static enum pm4d_spirv_status collect(struct reader *r, struct pm4d_spirv_info *info,
                                      uint32_t ids[3], int *have_ids)
{
   struct pm4d_spirv_iter it;
   struct pm4d_spirv_inst inst;
   enum pm4d_spirv_status st = PM4D_SPIRV_OK;

   pm4d_spirv_iter_init(&it, r->words, r->n_words);
   while (pm4d_spirv_iter_next(&it, &inst)) {
      uint32_t ri = kept_result_index(inst.opcode);
      r->bad_word = inst.pos;
      if (inst.len < min_len(inst.opcode))
         return PM4D_SPIRV_BAD_OPERANDS;
      if (inst.opcode == PM4D_OP_ENTRY_POINT)
         st = collect_entry(r, &inst, info);
      else if (inst.opcode == PM4D_OP_EXECUTION_MODE || inst.opcode == PM4D_OP_EXECUTION_MODE_ID)
         st = collect_exec_mode(r, &inst, ids, have_ids, info);
      else if (inst.opcode == PM4D_OP_DECORATE || inst.opcode == PM4D_OP_MEMBER_DECORATE)
         st = collect_decoration(r, &inst);
      else if (ri)
         st = collect_def(r, &inst, ri);
      if (st != PM4D_SPIRV_OK)
         return st;
   }
   return PM4D_SPIRV_OK;
}

static int buffer_cmp(const void *a, const void *b)
{
   const struct pm4d_spirv_buffer *x = a, *y = b;
   if (x->set != y->set)
      return x->set < y->set ? -1 : 1;
   return (x->binding > y->binding) - (x->binding < y->binding);
}

static enum pm4d_spirv_status resolve(struct reader *r, struct pm4d_spirv_info *info,
                                      const uint32_t ids[3], int have_ids)
{
   enum pm4d_spirv_status st;
   int seen_push = 0;

   qsort(r->defs, r->n_defs, sizeof(*r->defs), def_cmp);
   for (size_t i = 1; i < r->n_defs; i++) {
      if (r->defs[i].id == r->defs[i - 1].id) {
         r->bad_word = r->defs[i].pos;
         return PM4D_SPIRV_BAD_ID;
      }
   }
   if (have_ids && (st = local_size_from_ids(r, ids, info)) != PM4D_SPIRV_OK)
      return st;
   if ((st = resolve_workgroup_builtin(r, info)) != PM4D_SPIRV_OK)
      return st;
   for (size_t i = 0; i < r->n_defs; i++) {
      struct pm4d_spirv_inst d;
      if (!get_def(r, r->defs[i].id, 0, &d))
         return PM4D_SPIRV_BAD_ID;
      r->bad_word = d.pos;
      if (d.opcode == PM4D_OP_VARIABLE)
         st = resolve_variable(r, &d, &seen_push, info);
      else if (d.opcode == PM4D_OP_SPEC_CONSTANT || d.opcode == PM4D_OP_SPEC_CONSTANT_TRUE ||
               d.opcode == PM4D_OP_SPEC_CONSTANT_FALSE)
         st = resolve_spec(r, &d, info);
      if (st != PM4D_SPIRV_OK)
         return st;
   }
   qsort(info->buffers, info->n_buffers, sizeof(info->buffers[0]), buffer_cmp);
   return PM4D_SPIRV_OK;
}

enum pm4d_spirv_status pm4d_spirv_parse(const uint32_t *words, size_t size_bytes,
                                        struct pm4d_spirv_info *info, size_t *bad_word)
{
   struct reader r = {.words = words, .n_words = size_bytes / 4};
   enum pm4d_spirv_status st;
   uint32_t ids[3] = {0};
   int have_ids = 0;
   /* Each kept definition or decoration takes at least two words. */
   size_t cap = r.n_words / 2 + 1;

   memset(info, 0, sizeof(*info));
   for (int i = 0; i < 3; i++)
      info->local_size_spec[i] = -1;
   if (size_bytes % 4) {
      st = PM4D_SPIRV_TOO_SHORT;
      goto fail;
   }
   st = pm4d_spirv_check(words, r.n_words, &r.bad_word);
   if (st != PM4D_SPIRV_OK)
      goto fail;
   info->version = words[1];
   info->generator = words[2];
   info->bound = r.bound = words[3];
   r.defs = pm4d_malloc(cap * sizeof(*r.defs));
   r.decos = pm4d_malloc(cap * sizeof(*r.decos));
   if (!r.defs || !r.decos) {
      st = PM4D_SPIRV_NO_MEMORY;
      goto fail;
   }
   st = collect(&r, info, ids, &have_ids);
   if (st != PM4D_SPIRV_OK)
      goto fail;
   r.bad_word = 0;
   if (info->compute_entries == 0) {
      st = PM4D_SPIRV_NO_ENTRY;
      goto fail;
   }
   st = resolve(&r, info, ids, have_ids);
   if (st != PM4D_SPIRV_OK)
      goto fail;
   free(r.defs);
   free(r.decos);
   return PM4D_SPIRV_OK;
fail:
   free(r.defs);
   free(r.decos);
   if (bad_word)
      *bad_word = r.bad_word;
   return st;
}

int pm4d_spirv_spec_default(const struct pm4d_spirv_info *info, uint32_t id, uint64_t *value)
{
   for (uint32_t i = 0; i < info->n_spec; i++) {
      if (info->spec[i].id == id) {
         *value = info->spec[i].value;
         return 1;
      }
   }
   return 0;
}
