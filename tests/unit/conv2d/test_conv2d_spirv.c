/* SPIR-V reader: facts extracted from shaders compiled by glslangValidator at build time, and
 * refusal of malformed modules (hand-built minimal module, mutated). */
#include "pm4d_check.h"
#include "pm4d_spirv.h"

#include <stdlib.h>
#include <string.h>

static const char *dir;

static void check_layout(const char *file)
{
   size_t size = 0, bad = 0;
   uint32_t *w = pm4d_check_read_file(&size, "%s/%s", dir, file);
   struct pm4d_spirv_info in;
   uint64_t v = 0;
   if (!w)
      return;
   CHECK(pm4d_spirv_parse(w, size, &in, &bad) == PM4D_SPIRV_OK);
   CHECK(strcmp(in.entry_point, "main") == 0);
   CHECK(in.compute_entries == 1);
   CHECK(in.local_size[0] == 8 && in.local_size[1] == 4 && in.local_size[2] == 2);
   CHECK(in.local_size_spec[0] == -1 && in.local_size_spec[1] == -1);
   CHECK(in.n_buffers == 3);
   CHECK(in.buffers[0].set == 0 && in.buffers[0].binding == 0 &&
         in.buffers[0].kind == PM4D_SPIRV_STORAGE_BUFFER);
   CHECK(in.buffers[1].set == 0 && in.buffers[1].binding == 5 &&
         in.buffers[1].kind == PM4D_SPIRV_UNIFORM_BUFFER);
   CHECK(in.buffers[2].set == 1 && in.buffers[2].binding == 3 &&
         in.buffers[2].kind == PM4D_SPIRV_STORAGE_BUFFER);
   /* uint a; vec2 b; uvec4 c; float d (std430 push constants). */
   CHECK(in.n_push_members == 4);
   CHECK(in.push_members[0].offset == 0 && in.push_members[0].size == 4);
   CHECK(in.push_members[1].offset == 8 && in.push_members[1].size == 8);
   CHECK(in.push_members[2].offset == 16 && in.push_members[2].size == 16);
   CHECK(in.push_members[3].offset == 32 && in.push_members[3].size == 4);
   CHECK(in.push_size == 36);
   CHECK(pm4d_spirv_spec_default(&in, 9, &v) && v == 42);
   CHECK(pm4d_spirv_spec_default(&in, 2, &v) && v == 1);
   CHECK(!pm4d_spirv_spec_default(&in, 3, &v));
   for (uint32_t i = 0; i < in.n_spec; i++)
      CHECK(in.spec[i].id != 2 || in.spec[i].bits == 1);
   free(w);
}

/* local_size_x_id = 3, local_size_y_id = 4, z = 2: through the WorkgroupSize built-in (SPIR-V
 * 1.0) or OpExecutionModeId LocalSizeId (Vulkan 1.3). */
static void check_specsize(const char *file)
{
   size_t size = 0;
   uint32_t *w = pm4d_check_read_file(&size, "%s/%s", dir, file);
   struct pm4d_spirv_info in;
   uint64_t v = 0;
   if (!w)
      return;
   CHECK(pm4d_spirv_parse(w, size, &in, NULL) == PM4D_SPIRV_OK);
   CHECK(in.local_size_spec[0] == 3 && in.local_size_spec[1] == 4 && in.local_size_spec[2] == -1);
   CHECK(in.local_size[2] == 2);
   CHECK(in.n_buffers == 1 && in.buffers[0].set == 2 && in.buffers[0].binding == 1);
   CHECK(in.n_push_members == 0 && in.push_size == 0);
   CHECK(pm4d_spirv_spec_default(&in, 5, &v) && v == 9);
   free(w);
}

/* Minimal compute module with one storage buffer. Ids: 1 main, 2 void, 3 fn type, 4 label,
 * 5 uint, 6 struct {uint}, 7 pointer, 8 variable. Comments give the instruction index. */
#define OP(len, op) (((uint32_t)(len) << 16) | (op))
static const uint32_t minimal[] = {
   0x07230203, 0x00010000, 0,  9,          0, OP(2, 17), 1, /* 0  OpCapability Shader */
   OP(3, 14),  0,          1,                               /* 1  OpMemoryModel Logical GLSL450 */
   OP(5, 15),  5,          1,  0x6e69616d, 0,    /* 2  OpEntryPoint GLCompute %1 "main" */
   OP(6, 16),  1,          17, 4,          2, 1, /* 3  OpExecutionMode %1 LocalSize 4 2 1 */
   OP(4, 71),  8,          34, 0,                /* 4  OpDecorate %8 DescriptorSet 0 */
   OP(4, 71),  8,          33, 6,                /* 5  OpDecorate %8 Binding 6 */
   OP(3, 71),  6,          2,                    /* 6  OpDecorate %6 Block */
   OP(5, 72),  6,          0,  35,         0,    /* 7  OpMemberDecorate %6 0 Offset 0 */
   OP(2, 19),  2,                                /* 8  OpTypeVoid %2 */
   OP(3, 33),  3,          2,                    /* 9  OpTypeFunction %3 %2 */
   OP(4, 21),  5,          32, 0,                /* 10 OpTypeInt %5 32 0 */
   OP(3, 30),  6,          5,                    /* 11 OpTypeStruct %6 %5 */
   OP(4, 32),  7,          12, 6,                /* 12 OpTypePointer %7 StorageBuffer %6 */
   OP(4, 59),  7,          8,  12,               /* 13 OpVariable %7 %8 StorageBuffer */
   OP(5, 54),  2,          1,  0,          3,    /* 14 OpFunction %2 %1 None %3 */
   OP(2, 248), 4,                                /* 15 OpLabel %4 */
   OP(1, 253),                                   /* 16 OpReturn */
   OP(1, 56),                                    /* 17 OpFunctionEnd */
};
#define N_MIN (sizeof(minimal) / 4)

/* Word index of instruction n (0 = first after the header). */
static size_t inst_at(const uint32_t *w, unsigned n)
{
   size_t pos = 5;
   while (n--)
      pos += w[pos] >> 16;
   return pos;
}

static enum pm4d_spirv_status parse_words(const uint32_t *w, size_t n_words, size_t *bad)
{
   struct pm4d_spirv_info in;
   return pm4d_spirv_parse(w, n_words * 4, &in, bad);
}

static void check_minimal(void)
{
   struct pm4d_spirv_info in;
   size_t bad = 0;
   CHECK(pm4d_spirv_parse(minimal, sizeof(minimal), &in, &bad) == PM4D_SPIRV_OK);
   CHECK(strcmp(in.entry_point, "main") == 0 && in.local_size[0] == 4 && in.local_size[1] == 2);
   CHECK(in.n_buffers == 1 && in.buffers[0].set == 0 && in.buffers[0].binding == 6);
}

static void check_malformed(void)
{
   uint32_t w[N_MIN];
#define RESET() memcpy(w, minimal, sizeof(w))
   size_t bad = 0;

   for (size_t n = 0; n < 5; n++)
      CHECK(parse_words(minimal, n, NULL) == PM4D_SPIRV_TOO_SHORT);
   CHECK(parse_words(NULL, 0, NULL) == PM4D_SPIRV_TOO_SHORT);
   {
      struct pm4d_spirv_info in;
      CHECK(pm4d_spirv_parse(minimal, sizeof(minimal) - 2, &in, NULL) == PM4D_SPIRV_TOO_SHORT);
   }

   /* Header. */
   RESET();
   w[0] = 0x03022307; /* byte-swapped */
   CHECK(parse_words(w, N_MIN, &bad) == PM4D_SPIRV_BAD_MAGIC && bad == 0);
   RESET();
   w[1] = 0x00020000;
   CHECK(parse_words(w, N_MIN, &bad) == PM4D_SPIRV_BAD_VERSION && bad == 1);
   RESET();
   w[1] = 0x00010700;
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_VERSION);
   RESET();
   w[3] = 0;
   CHECK(parse_words(w, N_MIN, &bad) == PM4D_SPIRV_BAD_BOUND && bad == 3);
   RESET();
   w[3] = PM4D_SPIRV_MAX_BOUND + 1;
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_BOUND);
   RESET();
   w[4] = 1;
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_SCHEMA);

   /* Lengths: zero, overrunning the end, truncated mid-instruction, huge. */
   RESET();
   w[5] = OP(0, 17);
   CHECK(parse_words(w, N_MIN, &bad) == PM4D_SPIRV_BAD_LENGTH && bad == 5);
   RESET();
   w[N_MIN - 1] = OP(2, 56);
   CHECK(parse_words(w, N_MIN, &bad) == PM4D_SPIRV_BAD_LENGTH && bad == N_MIN - 1);
   RESET();
   CHECK(parse_words(w, inst_at(w, 2) + 2, &bad) == PM4D_SPIRV_BAD_LENGTH && bad == inst_at(w, 2));
   RESET();
   w[inst_at(w, 3)] = OP(0xffff, 16);
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_LENGTH);

   /* ids >= bound, id 0, an id defined twice. */
   RESET();
   w[3] = 8; /* %8 is used */
   CHECK(parse_words(w, N_MIN, &bad) == PM4D_SPIRV_BAD_ID && bad == inst_at(w, 4));
   RESET();
   w[inst_at(w, 2) + 2] = 9; /* entry point id == bound */
   CHECK(parse_words(w, N_MIN, &bad) == PM4D_SPIRV_BAD_ID && bad == inst_at(w, 2));
   RESET();
   w[inst_at(w, 12) + 3] = 0; /* pointee id 0 */
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_ID);
   RESET();
   w[inst_at(w, 11) + 2] = 100; /* struct member type id >= bound */
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_ID);
   RESET();
   w[inst_at(w, 11) + 1] = 5; /* OpTypeStruct redefines %5 */
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_ID);

   /* Operands: unterminated entry-point name, Offset without its literal, no compute entry. */
   RESET();
   w[inst_at(w, 2) + 4] = 0x41414141;
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_OPERANDS);
   RESET();
   w[inst_at(w, 5)] = OP(4, 72);
   w[inst_at(w, 5) + 2] = 0;
   w[inst_at(w, 5) + 3] = 35;
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_OPERANDS);
   RESET();
   w[inst_at(w, 2) + 1] = 0; /* Vertex */
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_NO_ENTRY);

   /* Interface layout: buffer of a non-struct, buffer without a binding, push member without
     * an Offset; a self-referencing vector type must not loop. */
   RESET();
   w[inst_at(w, 12) + 3] = 5;
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_LAYOUT);
   RESET();
   w[inst_at(w, 5) + 2] = 0; /* Binding -> RelaxedPrecision */
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_LAYOUT);
   RESET();
   w[inst_at(w, 12) + 2] = 9; /* PushConstant */
   w[inst_at(w, 13) + 3] = 9;
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_OK);
   w[inst_at(w, 7) + 3] = 24; /* Offset -> NonWritable */
   CHECK(parse_words(w, N_MIN, NULL) == PM4D_SPIRV_BAD_LAYOUT);
   RESET();
   w[inst_at(w, 12) + 2] = 9;
   w[inst_at(w, 13) + 3] = 9;
   w[inst_at(w, 10)] = OP(4, 23); /* %5 = OpTypeVector %5 4 */
   w[inst_at(w, 10) + 2] = 5;
   w[inst_at(w, 10) + 3] = 4;
   {
      struct pm4d_spirv_info in;
      CHECK(pm4d_spirv_parse(w, sizeof(w), &in, NULL) == PM4D_SPIRV_OK);
      CHECK(in.n_push_members == 1 && in.push_members[0].size == 0);
   }
#undef RESET

   for (int s = 0; s < PM4D_SPIRV_STATUS_COUNT; s++) {
      CHECK(strcmp(pm4d_spirv_status_name(s), "unknown") != 0);
      for (int t = 0; t < s; t++)
         CHECK(strcmp(pm4d_spirv_status_name(s), pm4d_spirv_status_name(t)) != 0);
   }
   CHECK(strcmp(pm4d_spirv_status_name(PM4D_SPIRV_STATUS_COUNT), "unknown") == 0);
}

/* Every truncation of a real module: a status, never a crash (run under ASan in CI). */
static void check_truncations(void)
{
   size_t size = 0;
   uint32_t *w = pm4d_check_read_file(&size, "%s/t_layout.g.spv", dir);
   struct pm4d_spirv_info in;
   if (!w)
      return;
   for (size_t n = 0; n < size; n += 4) {
      uint32_t *copy = malloc(n ? n : 1);
      memcpy(copy, w, n);
      (void)pm4d_spirv_parse(copy, n, &in, NULL);
      free(copy);
   }
   CHECK(pm4d_spirv_parse(w, size, &in, NULL) == PM4D_SPIRV_OK);
   free(w);
}

int main(int argc, char **argv)
{
   if (argc != 2) {
      fprintf(stderr, "usage: %s SPV_DIR\n", argv[0]);
      return 2;
   }
   dir = argv[1];
   check_layout("t_layout.plain.spv");
   check_layout("t_layout.g.spv");
   check_layout("t_layout.v13.spv");
   check_specsize("t_specsize.plain.spv");
   check_specsize("t_specsize.v13.spv");
   check_specsize("t_specsize.v13g.spv");
   check_minimal();
   check_malformed();
   check_truncations();
   return pm4d_check_finish("conv2d_spirv");
}
