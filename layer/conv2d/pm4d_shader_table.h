/* Known-shader table: which SPIR-V modules (by fingerprint, see pm4d_fingerprint.h) are conv2d
 * and where each conv2d parameter lives. The table is data: layer/conv2d/known_shaders.txt is
 * embedded at build time, and a user file (PM4DIRECT_SHADER_TABLE, read by the caller) may add
 * or replace entries. The text format is described in layer/conv2d/README.md. */
#ifndef PM4D_SHADER_TABLE_H
#define PM4D_SHADER_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define PM4D_SHADER_NAME_MAX    64u
#define PM4D_SHADER_MAX_EXPECT  16u
#define PM4D_SHADER_MAX_FACTORS 4u

enum pm4d_shader_table_status {
   PM4D_SHADER_TABLE_OK = 0,
   PM4D_SHADER_TABLE_SYNTAX, /* a line the parser refuses; the message names file:line */
   PM4D_SHADER_TABLE_IO,     /* the file could not be read */
   PM4D_SHADER_TABLE_NO_MEMORY,
};

/* Buffer roles of a conv2d dispatch. */
enum pm4d_conv2d_role {
   PM4D_CONV2D_INPUT,
   PM4D_CONV2D_FILTER,
   PM4D_CONV2D_BIAS,
   PM4D_CONV2D_OUTPUT,
   PM4D_CONV2D_ROLE_COUNT
};

/* conv2d parameters an entry maps; names in the table are the lower-case suffixes. */
enum pm4d_conv2d_field {
   PM4D_FIELD_N,
   PM4D_FIELD_C,
   PM4D_FIELD_H,
   PM4D_FIELD_W,
   PM4D_FIELD_K,
   PM4D_FIELD_R,
   PM4D_FIELD_S,
   PM4D_FIELD_OH,
   PM4D_FIELD_OW,
   PM4D_FIELD_STRIDE_H,
   PM4D_FIELD_STRIDE_W,
   PM4D_FIELD_PAD_H,
   PM4D_FIELD_PAD_W,
   PM4D_FIELD_DIL_H,
   PM4D_FIELD_DIL_W,
   PM4D_FIELD_GROUPS,
   PM4D_FIELD_BIAS, /* bias present (0/1) */
   PM4D_FIELD_RELU, /* ReLU fused (0/1) */
   PM4D_FIELD_COUNT
};

enum pm4d_conv2d_source_kind {
   PM4D_SOURCE_UNSET = 0,
   PM4D_SOURCE_PUSH,    /* u32 at push-constant byte offset `arg`; with mask: (u32 & mask) != 0 */
   PM4D_SOURCE_SPEC,    /* specialization constant id `arg` (pipeline value, else default) */
   PM4D_SOURCE_CONST,   /* the value `arg` */
   PM4D_SOURCE_DERIVED, /* oh/ow from the output-size formula */
};

struct pm4d_conv2d_source {
   enum pm4d_conv2d_source_kind kind;
   uint32_t arg;
   uint32_t mask; /* PUSH only; 0 = the whole word */
};

/* "expect push OFFSET = F1*F2*...*CONST": a contiguity check; a mismatch passes through. */
struct pm4d_shader_expect {
   uint32_t push_offset;
   uint32_t factor; /* constant factor (1 when none) */
   uint32_t n_fields;
   enum pm4d_conv2d_field fields[PM4D_SHADER_MAX_FACTORS];
};

enum pm4d_shader_variant {
   PM4D_SHADER_CONV2D,           /* what the kernels run */
   PM4D_SHADER_CONV_TRANSPOSE2D, /* known, always passed through */
};

enum pm4d_tensor_layout { PM4D_LAYOUT_NCHW, PM4D_LAYOUT_NHWC, PM4D_LAYOUT_KCRS, PM4D_LAYOUT_KRSC };

enum pm4d_conv2d_dtype { PM4D_DTYPE_F32, PM4D_DTYPE_F16 };

struct pm4d_shader_binding {
   int present;
   uint32_t set;
   uint32_t binding;
};

struct pm4d_shader_entry {
   uint64_t fingerprint;
   char name[PM4D_SHADER_NAME_MAX];
   char entry_point[PM4D_SHADER_NAME_MAX];
   enum pm4d_shader_variant variant;
   enum pm4d_tensor_layout activation_layout; /* input and output */
   enum pm4d_tensor_layout filter_layout;
   enum pm4d_conv2d_dtype dtype[PM4D_CONV2D_ROLE_COUNT];
   struct pm4d_shader_binding buffers[PM4D_CONV2D_ROLE_COUNT];
   struct pm4d_conv2d_source fields[PM4D_FIELD_COUNT];
   uint32_t n_expect;
   struct pm4d_shader_expect expect[PM4D_SHADER_MAX_EXPECT];
   uint32_t seq; /* load order; a later entry with the same key replaces an earlier one */
};

struct pm4d_shader_table {
   struct pm4d_shader_entry *entries; /* sorted by (fingerprint, entry_point) after finish */
   size_t count;
   size_t cap;
};

void pm4d_shader_table_init(struct pm4d_shader_table *t);
void pm4d_shader_table_free(struct pm4d_shader_table *t);

/* Parses `len` bytes of table text and adds its entries. All or nothing: on error nothing is
 * added and err holds "origin:line: reason". */
enum pm4d_shader_table_status pm4d_shader_table_parse(struct pm4d_shader_table *t, const char *text,
                                                      size_t len, const char *origin, char *err,
                                                      size_t err_size);
/* The table shipped in the library (known_shaders.txt). */
enum pm4d_shader_table_status pm4d_shader_table_load_builtin(struct pm4d_shader_table *t, char *err,
                                                             size_t err_size);
/* A user table file (the caller takes the path from PM4DIRECT_SHADER_TABLE). */
enum pm4d_shader_table_status pm4d_shader_table_load_file(struct pm4d_shader_table *t,
                                                          const char *path, char *err,
                                                          size_t err_size);
/* Sorts for lookup; of entries with the same fingerprint and entry point the last loaded
 * stays. Call after loading, before lookups. */
void pm4d_shader_table_finish(struct pm4d_shader_table *t);

/* Binary search; NULL when the module is not a known conv2d for that entry point. */
const struct pm4d_shader_entry *pm4d_shader_table_lookup(const struct pm4d_shader_table *t,
                                                         uint64_t fingerprint,
                                                         const char *entry_point);

/* Table names of fields, roles and variants ("stride_h", "filter", "conv2d"). */
const char *pm4d_conv2d_field_name(enum pm4d_conv2d_field f);
const char *pm4d_conv2d_role_name(enum pm4d_conv2d_role r);

#endif
