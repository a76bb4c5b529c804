#include "pm4d_fingerprint.h"
#include "pm4d_alloc.h"

#include "pm4d_spirv_grammar.h"
#include "pm4d_spirv_op.h"

#include <stdlib.h>
#include <string.h>

#define FNV_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
/* At most this many non-semantic extended-instruction sets are tracked per module. */
#define MAX_NONSEMANTIC_SETS 8

/* Open-addressing map from module id to canonical id (first-appearance order). */
struct idmap {
   uint32_t *keys; /* 0 = empty slot (id 0 is never valid) */
   uint32_t *vals;
   size_t mask;
   uint32_t next;
};

struct hasher {
   uint64_t h;
   struct idmap ids;
   uint32_t nonsemantic[MAX_NONSEMANTIC_SETS];
   uint32_t n_nonsemantic;
};

static void hash_word(struct hasher *hs, uint32_t w)
{
   for (int i = 0; i < 4; i++) {
      hs->h ^= (w >> (8 * i)) & 0xffu;
      hs->h *= FNV_PRIME;
   }
}

static uint32_t canonical_id(struct idmap *m, uint32_t id)
{
   size_t i = ((size_t)id * 0x9e3779b1u) & m->mask;
   if (id == 0)
      return 0;
   while (m->keys[i] != 0 && m->keys[i] != id)
      i = (i + 1) & m->mask;
   if (m->keys[i] == 0) {
      m->keys[i] = id;
      m->vals[i] = ++m->next;
   }
   return m->vals[i];
}

static void hash_id(struct hasher *hs, uint32_t id)
{
   hash_word(hs, canonical_id(&hs->ids, id));
}

/* Memory operands: mask, Aligned literal (0x2), MakePointerAvailable id (0x8),
 * MakePointerVisible id (0x10). Returns the next word index. */
static uint32_t hash_memory_operands(struct hasher *hs, const struct pm4d_spirv_inst *inst,
                                     uint32_t i)
{
   uint32_t mask;
   if (i >= inst->len)
      return i;
   mask = inst->w[i++];
   hash_word(hs, mask);
   if ((mask & 0x2u) && i < inst->len)
      hash_word(hs, inst->w[i++]);
   if ((mask & 0x8u) && i < inst->len)
      hash_id(hs, inst->w[i++]);
   if ((mask & 0x10u) && i < inst->len)
      hash_id(hs, inst->w[i++]);
   return i;
}

static void hash_operands(struct hasher *hs, const struct pm4d_spirv_inst *inst)
{
   const char *p = pm4d_spirv_grammar_operands(inst->opcode);
   uint32_t i = 1;

   while (i < inst->len) {
      char k = *p ? *p++ : 'L';
      switch (k) {
      case 'i': hash_id(hs, inst->w[i++]); break;
      case 's': {
         uint32_t end = pm4d_spirv_string_end(inst, i);
         for (uint32_t e = end ? end : inst->len; i < e; i++)
            hash_word(hs, inst->w[i]);
         break;
      }
      case 'm': i = hash_memory_operands(hs, inst, i); break;
      case 'x':
         hash_word(hs, inst->w[i++]);
         p = "I";
         break;
      case 'p':
         for (uint32_t first = i; i < inst->len; i++) {
            if ((i - first) & 1u)
               hash_id(hs, inst->w[i]);
            else
               hash_word(hs, inst->w[i]);
         }
         break;
      case 'I':
         for (; i < inst->len; i++)
            hash_id(hs, inst->w[i]);
         break;
      default: /* 'l', 'L' and past the pattern */
         hash_word(hs, inst->w[i++]);
         if (k == 'L')
            p = "L";
         break;
      }
   }
}

/* Whether the string operand at word `first` is `s` (whole string) or starts with it. */
static int string_operand_is(const struct pm4d_spirv_inst *inst, uint32_t first, const char *s,
                             int whole)
{
   uint32_t end = pm4d_spirv_string_end(inst, first);
   size_t n = strlen(s) + (whole ? 1 : 0); /* with the terminating NUL when whole */
   if (end == 0 || (size_t)(end - first) * 4 < n)
      return 0;
   return memcmp(&inst->w[first], s, n) == 0;
}

/* SPV_KHR_float_controls capabilities (4464..4468: DenormPreserve, DenormFlushToZero,
 * SignedZeroInfNanPreserve, RoundingModeRTE, RoundingModeRTZ) and execution modes
 * (4459..4463, same order). */
static int is_float_controls_capability(uint32_t cap)
{
   return cap >= 4464 && cap <= 4468;
}

static int is_fp16_float_controls_mode(const struct pm4d_spirv_inst *inst)
{
   return inst->len == 4 && inst->w[2] >= 4459 && inst->w[2] <= 4463 && inst->w[3] == 16;
}

/* Instructions the fingerprint skips: debug-only ones, non-semantic info (records the
 * NonSemantic.* import ids), and fp16 float controls (see pm4d_fingerprint.h). */
static int is_ignored(struct hasher *hs, const struct pm4d_spirv_inst *inst)
{
   switch (inst->opcode) {
   case PM4D_OP_CAPABILITY: return inst->len == 2 && is_float_controls_capability(inst->w[1]);
   case PM4D_OP_EXECUTION_MODE: return is_fp16_float_controls_mode(inst);
   case PM4D_OP_SOURCE_CONTINUED:
   case PM4D_OP_SOURCE:
   case PM4D_OP_SOURCE_EXTENSION:
   case PM4D_OP_NAME:
   case PM4D_OP_MEMBER_NAME:
   case PM4D_OP_STRING:
   case PM4D_OP_LINE:
   case PM4D_OP_NO_LINE:
   case PM4D_OP_MODULE_PROCESSED: return 1;
   case PM4D_OP_EXTENSION:
      return string_operand_is(inst, 1, "SPV_KHR_non_semantic_info", 1) ||
             string_operand_is(inst, 1, "SPV_KHR_float_controls", 1);
   case PM4D_OP_EXT_INST_IMPORT:
      if (inst->len < 3 || !string_operand_is(inst, 2, "NonSemantic.", 0))
         return 0;
      if (hs->n_nonsemantic < MAX_NONSEMANTIC_SETS) {
         hs->nonsemantic[hs->n_nonsemantic++] = inst->w[1];
         return 1;
      }
      return 0; /* too many sets to track: hash it, deterministically */
   case PM4D_OP_EXT_INST:
      if (inst->len < 4)
         return 0;
      for (uint32_t i = 0; i < hs->n_nonsemantic; i++)
         if (inst->w[3] == hs->nonsemantic[i])
            return 1;
      return 0;
   default: return 0;
   }
}

enum pm4d_spirv_status pm4d_fingerprint_compute(const uint32_t *words, size_t size_bytes,
                                                uint64_t *fingerprint)
{
   struct hasher hs = {.h = FNV_BASIS};
   struct pm4d_spirv_iter it;
   struct pm4d_spirv_inst inst;
   size_t n_words = size_bytes / 4, cap = 16;
   enum pm4d_spirv_status st;

   if (size_bytes % 4)
      return PM4D_SPIRV_TOO_SHORT;
   st = pm4d_spirv_check(words, n_words, NULL);
   if (st != PM4D_SPIRV_OK)
      return st;
   /* Distinct ids <= words; keep the map at most half full. */
   while (cap < 2 * n_words)
      cap *= 2;
   hs.ids.keys = pm4d_calloc(cap, sizeof(uint32_t));
   hs.ids.vals = pm4d_malloc(cap * sizeof(uint32_t));
   if (!hs.ids.keys || !hs.ids.vals) {
      st = PM4D_SPIRV_NO_MEMORY;
      goto out;
   }
   hs.ids.mask = cap - 1;
   hash_word(&hs, words[0]);
   hash_word(&hs, words[1]);
   hash_word(&hs, words[4]);
   pm4d_spirv_iter_init(&it, words, n_words);
   while (pm4d_spirv_iter_next(&it, &inst)) {
      if (is_ignored(&hs, &inst))
         continue;
      hash_word(&hs, inst.w[0]);
      hash_operands(&hs, &inst);
   }
   *fingerprint = hs.h;
out:
   free(hs.ids.keys);
   free(hs.ids.vals);
   return st;
}
