/* SPIR-V module reader: header and instruction-length validation, a bounds-checked instruction
 * walk, and the facts recognition needs (compute entry point, workgroup size, storage-buffer
 * bindings, push-constant members, specialization constants).
 *
 * Every read is checked against the word count; malformed input yields a status, never a crash.
 * Facts come from the SPIR-V 1.6 specification (section 2.3 physical layout, section 3 enums);
 * the opcode numbers used are listed in pm4d_spirv_op.h. */
#ifndef PM4D_SPIRV_H
#define PM4D_SPIRV_H

#include <stddef.h>
#include <stdint.h>

#define PM4D_SPIRV_MAGIC        0x07230203u
#define PM4D_SPIRV_HEADER_WORDS 5u
/* SPIR-V universal limit on the id bound (spec 2.17). */
#define PM4D_SPIRV_MAX_BOUND 4194303u

#define PM4D_SPIRV_MAX_NAME         64u
#define PM4D_SPIRV_MAX_BUFFERS      32u
#define PM4D_SPIRV_MAX_PUSH_MEMBERS 64u
#define PM4D_SPIRV_MAX_SPEC         64u

enum pm4d_spirv_status {
   PM4D_SPIRV_OK = 0,
   PM4D_SPIRV_TOO_SHORT,    /* fewer than 5 words, or a size that is not whole words */
   PM4D_SPIRV_BAD_MAGIC,    /* magic missing (byte-swapped modules are refused too) */
   PM4D_SPIRV_BAD_VERSION,  /* version word not 1.0 .. 1.6 with zero low/high bytes */
   PM4D_SPIRV_BAD_BOUND,    /* bound 0 or above the universal limit */
   PM4D_SPIRV_BAD_SCHEMA,   /* schema word not 0 */
   PM4D_SPIRV_BAD_LENGTH,   /* instruction word count 0 or running past the end */
   PM4D_SPIRV_BAD_OPERANDS, /* instruction too short for its opcode, or unterminated string */
   PM4D_SPIRV_BAD_ID,       /* an id operand 0 or >= bound */
   PM4D_SPIRV_NO_ENTRY,     /* no GLCompute entry point */
   PM4D_SPIRV_BAD_LAYOUT,   /* an interface type recognition needs is malformed */
   PM4D_SPIRV_LIMIT,        /* more buffers, members or spec constants than the reader keeps */
   PM4D_SPIRV_NO_MEMORY,
   PM4D_SPIRV_STATUS_COUNT
};

/* Stable name of a status ("bad_length"), for logs and counters. */
const char *pm4d_spirv_status_name(enum pm4d_spirv_status status);

/* One instruction inside a validated module: w[0] is the opcode word, w[1..len-1] operands. */
struct pm4d_spirv_inst {
   const uint32_t *w;
   uint32_t len;
   uint32_t opcode;
   size_t pos; /* word index of w[0] in the module */
};

/* Bounded walk over a module whose header and lengths pm4d_spirv_check accepted. */
struct pm4d_spirv_iter {
   const uint32_t *words;
   size_t n_words;
   size_t pos;
};

/* Validates the header and that instruction lengths tile the module exactly. On failure
 * *bad_word (may be NULL) is the word index of the offending word. */
enum pm4d_spirv_status pm4d_spirv_check(const uint32_t *words, size_t n_words, size_t *bad_word);

void pm4d_spirv_iter_init(struct pm4d_spirv_iter *it, const uint32_t *words, size_t n_words);
/* Returns 1 and fills *inst while instructions remain; 0 at the end. Only for checked modules. */
int pm4d_spirv_iter_next(struct pm4d_spirv_iter *it, struct pm4d_spirv_inst *inst);

/* Reads the literal string starting at operand word `first` of inst. Returns the word index
 * after the string, or 0 when the string is not nul-terminated inside the instruction. */
uint32_t pm4d_spirv_string_end(const struct pm4d_spirv_inst *inst, uint32_t first);

enum pm4d_spirv_buffer_kind { PM4D_SPIRV_STORAGE_BUFFER, PM4D_SPIRV_UNIFORM_BUFFER };

struct pm4d_spirv_buffer {
   uint32_t set;
   uint32_t binding;
   enum pm4d_spirv_buffer_kind kind;
};

struct pm4d_spirv_push_member {
   uint32_t offset; /* byte offset (Offset decoration) */
   uint32_t size;   /* bytes for scalars and vectors; 0 for other types */
};

struct pm4d_spirv_spec {
   uint32_t id;    /* SpecId */
   uint32_t bits;  /* 1 for bool, else the integer/float width */
   uint64_t value; /* default value (bool: 0 or 1) */
};

struct pm4d_spirv_info {
   uint32_t version;                      /* header word 1 */
   uint32_t generator;                    /* header word 2 */
   uint32_t bound;                        /* header word 3 */
   char entry_point[PM4D_SPIRV_MAX_NAME]; /* first GLCompute entry point */
   uint32_t compute_entries;              /* number of GLCompute entry points */
   /* Workgroup size as the module states it; local_size_spec[i] is the SpecId that overrides
     * dimension i (LocalSizeId or the WorkgroupSize built-in), or -1. */
   uint32_t local_size[3];
   int32_t local_size_spec[3];
   uint32_t n_buffers; /* sorted by (set, binding) */
   struct pm4d_spirv_buffer buffers[PM4D_SPIRV_MAX_BUFFERS];
   uint32_t n_push_members; /* members of the push-constant block, in declaration order */
   struct pm4d_spirv_push_member push_members[PM4D_SPIRV_MAX_PUSH_MEMBERS];
   uint32_t push_size; /* max(offset + size) over members with a known size */
   uint32_t n_spec;
   struct pm4d_spirv_spec spec[PM4D_SPIRV_MAX_SPEC];
};

/* Checks the module and extracts *info. size_bytes must be a multiple of 4. On failure *bad_word
 * (may be NULL) is the word index where reading stopped. */
enum pm4d_spirv_status pm4d_spirv_parse(const uint32_t *words, size_t size_bytes,
                                        struct pm4d_spirv_info *info, size_t *bad_word);

/* Default value of specialization constant `id`; returns 0 when the module has none. */
int pm4d_spirv_spec_default(const struct pm4d_spirv_info *info, uint32_t id, uint64_t *value);

#endif
