/* Parameter extraction for each kind of entry (push constants with masks, spec constants with
 * defaults, constants, derived output sizes, stride expectations), and every pass-through
 * reason extraction can give. */
#include "pm4d_check.h"
#include "pm4d_conv2d_extract.h"

#include <string.h>

static struct pm4d_shader_table table;

static const struct pm4d_shader_entry *entry(const char *name)
{
   for (size_t i = 0; i < table.count; i++)
      if (strcmp(table.entries[i].name, name) == 0)
         return &table.entries[i];
   pm4d_check_fail(__FILE__, __LINE__, "no table entry %s", name);
   return NULL;
}

/* ---- convnet: everything in push constants (struct pm4d_glsl_conv2d_push layout) ---------- */

enum { PN, PC, PH, PW, PK, PR, PS, PSH, PSW, PPH, PPW, PDH, PDW, POH, POW, PFLAGS, PCOUNT };

struct convnet_case {
   uint32_t push[PCOUNT];
   uint8_t valid[PCOUNT * 4];
   struct pm4d_conv2d_range ranges[4];
   uint32_t n_ranges;
};

static void convnet_good(struct convnet_case *c)
{
   /* n1 c3 8x8, k4 3x3, stride 1, pad 1, dil 1 -> 8x8, bias + relu. */
   static const uint32_t push[PCOUNT] = {1, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8, 3};
   memcpy(c->push, push, sizeof(push));
   memset(c->valid, 1, sizeof(c->valid));
   c->ranges[0] = (struct pm4d_conv2d_range){0, 0, 1 * 3 * 8 * 8 * 4};
   c->ranges[1] = (struct pm4d_conv2d_range){0, 1, 4 * 3 * 3 * 3 * 4};
   c->ranges[2] = (struct pm4d_conv2d_range){0, 2, 4 * 4};
   c->ranges[3] = (struct pm4d_conv2d_range){0, 3, 1 * 4 * 8 * 8 * 4};
   c->n_ranges = 4;
}

static enum pm4d_conv2d_pt convnet_run(const char *name, const struct convnet_case *c,
                                       struct pm4d_conv2d_job_desc *out)
{
   const struct pm4d_shader_entry *e = entry(name);
   struct pm4d_conv2d_dispatch d = {
      .push = (const uint8_t *)c->push,
      .push_valid = c->valid,
      .push_size = sizeof(c->push),
      .ranges = c->ranges,
      .n_ranges = c->n_ranges,
   };
   return e ? pm4d_conv2d_extract(e, &d, out) : PM4D_CONV2D_PT_COUNT;
}

#define EXPECT_PT(c, want)                                                        \
   do {                                                                           \
      struct pm4d_conv2d_job_desc j_;                                             \
      enum pm4d_conv2d_pt got_ = convnet_run("convnet_conv2d_direct", &(c), &j_); \
      CHECKF(got_ == (want), "got %s, want %s", pm4d_conv2d_pt_name(got_),        \
             pm4d_conv2d_pt_name(want));                                          \
      hit[want] = 1;                                                              \
   } while (0)

static int hit[PM4D_CONV2D_PT_COUNT];

static void check_convnet(void)
{
   struct convnet_case c;
   struct pm4d_conv2d_job_desc j;

   convnet_good(&c);
   CHECK(convnet_run("convnet_conv2d_direct", &c, &j) == PM4D_CONV2D_REDIRECT);
   CHECK(j.params.n == 1 && j.params.c == 3 && j.params.h == 8 && j.params.w == 8);
   CHECK(j.params.k == 4 && j.params.r == 3 && j.params.s == 3 && j.params.groups == 1);
   CHECK(j.params.pad_h == 1 && j.params.pad_w == 1 && j.params.oh == 8 && j.params.ow == 8);
   CHECK(j.params.has_bias && j.params.relu);
   CHECK(j.buffers[PM4D_CONV2D_INPUT].binding == 0 && j.buffers[PM4D_CONV2D_INPUT].bytes == 768);
   CHECK(j.buffers[PM4D_CONV2D_FILTER].binding == 1 && j.buffers[PM4D_CONV2D_FILTER].bytes == 432);
   CHECK(j.buffers[PM4D_CONV2D_BIAS].binding == 2 && j.buffers[PM4D_CONV2D_BIAS].bytes == 16);
   CHECK(j.buffers[PM4D_CONV2D_OUTPUT].binding == 3 && j.buffers[PM4D_CONV2D_OUTPUT].bytes == 1024);
   hit[PM4D_CONV2D_REDIRECT] = 1;

   /* Flags: relu only; without bias the bias binding need not be bound. */
   c.push[PFLAGS] = 2;
   c.ranges[2] = c.ranges[3];
   c.n_ranges = 3;
   CHECK(convnet_run("convnet_conv2d_direct", &c, &j) == PM4D_CONV2D_REDIRECT);
   CHECK(!j.params.has_bias && j.params.relu && j.buffers[PM4D_CONV2D_BIAS].bytes == 0);
   c.push[PFLAGS] = 1;
   EXPECT_PT(c, PM4D_CONV2D_PT_MISSING_BUFFER); /* bias now needed */

   /* Stride 2, dilation 2, pad 2: oh = (8 + 4 - 5) / 2 + 1 = 4. */
   convnet_good(&c);
   c.push[PSH] = c.push[PSW] = 2;
   c.push[PDH] = c.push[PDW] = 2;
   c.push[PPH] = c.push[PPW] = 2;
   c.push[POH] = c.push[POW] = 4;
   CHECK(convnet_run("convnet_conv2d_direct", &c, &j) == PM4D_CONV2D_REDIRECT);
   CHECK(j.params.oh == 4 && j.params.ow == 4 && j.buffers[PM4D_CONV2D_OUTPUT].bytes == 256);
   c.push[POW] = 5;
   EXPECT_PT(c, PM4D_CONV2D_PT_OUTPUT_MISMATCH);

   convnet_good(&c);
   c.valid[PR * 4 + 3] = 0;
   EXPECT_PT(c, PM4D_CONV2D_PT_MISSING_PUSH);
   convnet_good(&c);
   c.push[PC] = 0;
   EXPECT_PT(c, PM4D_CONV2D_PT_ZERO_SIZE);
   convnet_good(&c);
   c.push[PSW] = 0;
   EXPECT_PT(c, PM4D_CONV2D_PT_ZERO_SIZE);
   convnet_good(&c);
   c.push[PH] = (uint32_t)-8;
   EXPECT_PT(c, PM4D_CONV2D_PT_NEGATIVE_SIZE);
   convnet_good(&c);
   c.push[PR] = 11; /* 8 + 2 < 11 */
   EXPECT_PT(c, PM4D_CONV2D_PT_EMPTY_OUTPUT);
   convnet_good(&c);
   c.ranges[3].size -= 1;
   EXPECT_PT(c, PM4D_CONV2D_PT_BUFFER_TOO_SMALL);
   convnet_good(&c);
   c.ranges[0].binding = 7;
   EXPECT_PT(c, PM4D_CONV2D_PT_MISSING_BUFFER);
   /* 65536 x 65536 x 1 x 1 input: 2^32 elements. */
   convnet_good(&c);
   c.push[PN] = c.push[PC] = 65536;
   c.push[PH] = c.push[PW] = 1;
   c.push[PR] = c.push[PS] = 1;
   c.push[PPH] = c.push[PPW] = 0;
   c.push[POH] = c.push[POW] = 1;
   EXPECT_PT(c, PM4D_CONV2D_PT_TOO_LARGE);
   /* Small tensors, but oh * stride_h = 2 * 2^30 reaches the kernels' 32-bit index limit. */
   convnet_good(&c);
   c.push[PN] = c.push[PC] = c.push[PW] = c.push[PK] = 1;
   c.push[PH] = (1u << 30) + 1;
   c.push[PR] = c.push[PS] = 1;
   c.push[PSH] = 1u << 30;
   c.push[PPH] = c.push[PPW] = 0;
   c.push[POH] = 2;
   c.push[POW] = 1;
   c.push[PFLAGS] = 0;
   for (int r = 0; r < 4; r++)
      c.ranges[r].size = UINT64_MAX;
   EXPECT_PT(c, PM4D_CONV2D_PT_TOO_LARGE);
   c.push[PSH] = (1u << 30) - 1; /* oh still 2: 2 * (2^30 - 1) stays below 2^31 */
   EXPECT_PT(c, PM4D_CONV2D_REDIRECT);
   /* (2^31 - 1)^4 elements overflows 64 bits. */
   convnet_good(&c);
   c.push[PR] = c.push[PS] = 1;
   c.push[PPH] = c.push[PPW] = 0;
   c.push[PN] = c.push[PC] = c.push[PH] = c.push[PW] = INT32_MAX;
   c.push[POH] = c.push[POW] = INT32_MAX;
   EXPECT_PT(c, PM4D_CONV2D_PT_OVERFLOW);

   /* Short push block. */
   convnet_good(&c);
   {
      const struct pm4d_shader_entry *e = entry("convnet_conv2d_direct");
      struct pm4d_conv2d_dispatch d = {.push = (const uint8_t *)c.push,
                                       .push_valid = c.valid,
                                       .push_size = 60,
                                       .ranges = c.ranges,
                                       .n_ranges = 4};
      CHECK(e && pm4d_conv2d_extract(e, &d, &j) == PM4D_CONV2D_PT_MISSING_PUSH);
      d.push = NULL;
      d.push_size = 64;
      CHECK(e && pm4d_conv2d_extract(e, &d, &j) == PM4D_CONV2D_PT_MISSING_PUSH);
   }
}

/* The 1x1 shader: r, s, strides, padding are constants; oh/ow derived (the pushed ones are not
 * read). */
static void check_convnet_1x1(void)
{
   struct convnet_case c;
   struct pm4d_conv2d_job_desc j;
   convnet_good(&c);
   c.push[PR] = c.push[PS] = 7;
   c.push[POH] = c.push[POW] = 99;
   c.push[PFLAGS] = 0;
   c.ranges[1].size = 4 * 3 * 4;
   CHECK(convnet_run("convnet_conv2d_1x1", &c, &j) == PM4D_CONV2D_REDIRECT);
   CHECK(j.params.r == 1 && j.params.s == 1 && j.params.stride_h == 1 && j.params.pad_w == 0);
   CHECK(j.params.oh == 8 && j.params.ow == 8 && !j.params.has_bias && !j.params.relu);
   CHECK(j.buffers[PM4D_CONV2D_FILTER].bytes == 48);
}

/* ---- ggml: sizes and strides in push constants, geometry in spec constants --------------- */

struct ggml_case {
   uint32_t push[20];
   uint8_t valid[80];
   uint32_t spec[8]; /* ids 7..14: s0 s1 p0 p1 d0 d1 KW KH */
   VkSpecializationMapEntry map[8];
   VkSpecializationInfo info;
   struct pm4d_conv2d_range ranges[3];
};

/* N2 Cin3 H7 W9 -> Cout5, KH3 KW2, stride (h2, w1), pad (h1, w0), dil (h1, w2). */
static void ggml_good(struct ggml_case *g)
{
   uint32_t n = 2, c = 3, h = 7, w = 9, k = 5, kh = 3, kw = 2;
   uint32_t oh = (7 + 2 - 3) / 2 + 1, ow = (9 + 0 - 3) / 1 + 1; /* 4, 7 */
   uint32_t push[20] = {k,       c,           n,           w, h,      ow,        oh,
                        kw,      kw * kh,     kw * kh * c, w, w * h,  w * h * c, ow,
                        ow * oh, ow * oh * k, 0xdead,      1, 0xbeef, 2};
   uint32_t spec[8] = {1, 2, 0, 1, 2, 1, kw, kh};
   memcpy(g->push, push, sizeof(push));
   memset(g->valid, 1, sizeof(g->valid));
   memcpy(g->spec, spec, sizeof(spec));
   for (uint32_t i = 0; i < 8; i++)
      g->map[i] = (VkSpecializationMapEntry){7 + i, i * 4, 4};
   g->info = (VkSpecializationInfo){8, g->map, sizeof(g->spec), g->spec};
   g->ranges[0] = (struct pm4d_conv2d_range){0, 0, (uint64_t)k * c * kh * kw * 4};
   g->ranges[1] = (struct pm4d_conv2d_range){0, 1, (uint64_t)n * c * h * w * 4};
   g->ranges[2] = (struct pm4d_conv2d_range){0, 2, (uint64_t)n * k * oh * ow * 4};
}

static enum pm4d_conv2d_pt ggml_run(const char *name, struct ggml_case *g,
                                    const struct pm4d_spirv_info *module,
                                    struct pm4d_conv2d_job_desc *out)
{
   const struct pm4d_shader_entry *e = entry(name);
   struct pm4d_conv2d_dispatch d = {
      .push = (const uint8_t *)g->push,
      .push_valid = g->valid,
      .push_size = 80,
      .module = module,
      .spec = &g->info,
      .ranges = g->ranges,
      .n_ranges = 3,
   };
   return e ? pm4d_conv2d_extract(e, &d, out) : PM4D_CONV2D_PT_COUNT;
}

#define GGML_PT(g, module, want)                                                 \
   do {                                                                          \
      struct pm4d_conv2d_job_desc j_;                                            \
      enum pm4d_conv2d_pt got_ = ggml_run("ggml_conv2d_f32", &(g), module, &j_); \
      CHECKF(got_ == (want), "got %s, want %s", pm4d_conv2d_pt_name(got_),       \
             pm4d_conv2d_pt_name(want));                                         \
      hit[want] = 1;                                                             \
   } while (0)

static void check_ggml(void)
{
   struct ggml_case g;
   struct pm4d_conv2d_job_desc j;
   struct pm4d_spirv_info module = {.n_spec = 2};
   uint64_t big = 1ull << 32;

   ggml_good(&g);
   CHECK(ggml_run("ggml_conv2d_f32", &g, NULL, &j) == PM4D_CONV2D_REDIRECT);
   CHECK(j.params.n == 2 && j.params.c == 3 && j.params.h == 7 && j.params.w == 9);
   CHECK(j.params.k == 5 && j.params.r == 3 && j.params.s == 2);
   CHECK(j.params.stride_h == 2 && j.params.stride_w == 1);
   CHECK(j.params.pad_h == 1 && j.params.pad_w == 0);
   CHECK(j.params.dil_h == 1 && j.params.dil_w == 2);
   CHECK(j.params.oh == 4 && j.params.ow == 7 && !j.params.has_bias && !j.params.relu);
   CHECK(j.buffers[PM4D_CONV2D_FILTER].binding == 0 && j.buffers[PM4D_CONV2D_INPUT].binding == 1);
   CHECK(j.buffers[PM4D_CONV2D_OUTPUT].bytes == 2 * 5 * 4 * 7 * 4);
   /* The cm2 build shares the mapping. */
   CHECK(ggml_run("ggml_conv2d_f32_cm2", &g, NULL, &j) == PM4D_CONV2D_REDIRECT);

   /* A non-contiguous view (input row stride 10 instead of 9). */
   g.push[10] = 10;
   GGML_PT(g, NULL, PM4D_CONV2D_PT_NOT_CONTIGUOUS);
   ggml_good(&g);
   g.push[15] += 1;
   GGML_PT(g, NULL, PM4D_CONV2D_PT_NOT_CONTIGUOUS);
   ggml_good(&g);
   g.valid[60] = 0; /* the last stride word never pushed */
   GGML_PT(g, NULL, PM4D_CONV2D_PT_MISSING_PUSH);

   /* KH (id 14) not specialized: the module default is used, or nothing. */
   ggml_good(&g);
   g.info.mapEntryCount = 7;
   GGML_PT(g, NULL, PM4D_CONV2D_PT_MISSING_SPEC);
   module.spec[0] = (struct pm4d_spirv_spec){14, 32, 3};
   module.spec[1] = (struct pm4d_spirv_spec){13, 32, 1};
   CHECK(ggml_run("ggml_conv2d_f32", &g, &module, &j) == PM4D_CONV2D_REDIRECT && j.params.r == 3);
   module.spec[0].value = 1; /* KH 1: oh (7 + 2 - 1) / 2 + 1 = 5, pushed 4 */
   GGML_PT(g, &module, PM4D_CONV2D_PT_OUTPUT_MISMATCH);

   /* Malformed VkSpecializationInfo entries. */
   ggml_good(&g);
   g.map[7].offset = 30; /* 30 + 4 > 32 */
   GGML_PT(g, NULL, PM4D_CONV2D_PT_MISSING_SPEC);
   ggml_good(&g);
   g.map[7].size = 3;
   GGML_PT(g, NULL, PM4D_CONV2D_PT_MISSING_SPEC);
   ggml_good(&g);
   g.info.pMapEntries = NULL;
   GGML_PT(g, NULL, PM4D_CONV2D_PT_MISSING_SPEC);
   /* An 8-byte value above 32 bits; a 2-byte value reads as its low bytes. */
   ggml_good(&g);
   g.info.pData = &big;
   g.info.dataSize = 8;
   g.info.mapEntryCount = 8;
   for (int i = 0; i < 8; i++)
      g.map[i] = (VkSpecializationMapEntry){7 + i, 0, 8};
   GGML_PT(g, NULL, PM4D_CONV2D_PT_NEGATIVE_SIZE);
   ggml_good(&g);
   g.map[7].size = 2; /* KH = low 16 bits of 3 */
   CHECK(ggml_run("ggml_conv2d_f32", &g, NULL, &j) == PM4D_CONV2D_REDIRECT && j.params.r == 3);

   /* fp16 filters run on the kernels' fp16-filter path: half the filter bytes. */
   ggml_good(&g);
   CHECK(ggml_run("ggml_conv2d_f16_f32", &g, NULL, &j) == PM4D_CONV2D_REDIRECT &&
         j.params.filter_f16);
   CHECK(ggml_run("ggml_conv2d_f16_f32_cm1", &g, NULL, &j) == PM4D_CONV2D_REDIRECT &&
         j.params.filter_f16);
   CHECK(ggml_run("ggml_conv2d_f32", &g, NULL, &j) == PM4D_CONV2D_REDIRECT && !j.params.filter_f16);
   /* Known but not redirected. */
   CHECK(ggml_run("ggml_conv_transpose_2d_f32", &g, NULL, &j) == PM4D_CONV2D_PT_VARIANT);
   hit[PM4D_CONV2D_PT_VARIANT] = 1;
}

/* Dispatches ggml really recorded on lavapipe for ggml_conv_2d_direct (recorded with the ggml
 * branch's LD_PRELOAD tracer, tests/apps/ggml_conv2d/vktrace.c, libggml-vulkan.so of npm
 * @node-llama-cpp/linux-x64-vulkan@3.22.1): spec constants 7..14, the 80 push-constant bytes
 * as u32 (the last four are ggml's fastdiv values), and the descriptor ranges of bindings 0..2.
 * The last one ran conv2d_f16_f32 (fp16 filter: half the filter bytes). */
static const struct {
   uint32_t spec[8];
   uint32_t push[20];
   uint64_t range[3];
} ggml_trace[] = {
   {{1, 1, 1, 1, 1, 1, 3, 3},
    {4u, 3u, 1u, 8u, 8u, 8u, 8u, 3u, 9u, 27u, 8u, 64u, 192u, 8u, 64u, 256u, 1u, 3u, 1u, 6u},
    {432, 768, 1024}},
   {{2, 2, 1, 1, 1, 1, 3, 3},
    {8u, 4u,  2u,   7u, 9u,  4u,   5u, 3u, 9u,          36u,
     7u, 63u, 252u, 4u, 20u, 160u, 1u, 2u, 2576980378u, 5u},
    {1152, 2016, 1280}},
   {{1, 1, 2, 2, 2, 2, 3, 3},
    {6u,  5u,   1u,   11u, 13u,  11u,  13u,         3u, 9u,          45u,
     11u, 143u, 715u, 11u, 143u, 858u, 1952257862u, 4u, 3393925206u, 8u},
    {1080, 2860, 3432}},
   {{1, 1, 0, 0, 1, 1, 1, 1},
    {16u, 8u,   1u,   10u, 10u,  10u,   10u,         1u, 1u,          8u,
     10u, 100u, 800u, 10u, 100u, 1600u, 2576980378u, 4u, 1202590843u, 7u},
    {512, 3200, 6400}},
   {{1, 2, 2, 1, 1, 2, 5, 3},
    {3u, 2u,  3u,  7u, 5u,  7u,  2u,         5u, 15u,        30u,
     7u, 35u, 70u, 7u, 14u, 42u, 613566757u, 3u, 613566757u, 4u},
    {360, 840, 504}},
   {{2, 2, 0, 0, 1, 1, 4, 4},
    {5u,  3u,   2u,   12u, 9u,  5u,  3u,          4u, 16u,        48u,
     12u, 108u, 324u, 5u,  15u, 75u, 2576980378u, 3u, 286331154u, 4u},
    {960, 2592, 600}},
   {{1, 1, 1, 1, 1, 1, 3, 3},
    {32u, 16u,  1u,    16u, 16u,  16u,   16u, 3u, 9u, 144u,
     16u, 256u, 4096u, 16u, 256u, 8192u, 1u,  4u, 1u, 8u},
    {18432, 16384, 32768}},
   {{1, 1, 1, 1, 1, 1, 3, 3},
    {64u, 32u, 1u, 8u, 8u, 8u, 8u, 3u, 9u, 288u, 8u, 64u, 2048u, 8u, 64u, 4096u, 1u, 3u, 1u, 6u},
    {73728, 8192, 16384}},
   {{1, 1, 1, 1, 1, 1, 3, 3},
    {8u, 4u, 1u, 8u, 8u, 8u, 8u, 3u, 9u, 36u, 8u, 64u, 256u, 8u, 64u, 512u, 1u, 3u, 1u, 6u},
    {576, 1024, 2048}},
};

static void check_ggml_trace(void)
{
   const size_t n = sizeof(ggml_trace) / sizeof(ggml_trace[0]);
   for (size_t i = 0; i < n; i++) {
      struct ggml_case g;
      struct pm4d_conv2d_job_desc j;
      int f16 = i == n - 1;
      enum pm4d_conv2d_pt pt;
      ggml_good(&g);
      memcpy(g.push, ggml_trace[i].push, sizeof(g.push));
      memcpy(g.spec, ggml_trace[i].spec, sizeof(g.spec));
      for (int r = 0; r < 3; r++)
         g.ranges[r].size = ggml_trace[i].range[r];
      pt = ggml_run(f16 ? "ggml_conv2d_f16_f32_unroll" : "ggml_conv2d_f32_unroll", &g, NULL, &j);
      CHECK(pt == PM4D_CONV2D_REDIRECT && j.params.filter_f16 == f16);
      /* ggml binds exactly the tensors' bytes. */
      CHECK(j.buffers[PM4D_CONV2D_FILTER].bytes == ggml_trace[i].range[0]);
      CHECK(j.buffers[PM4D_CONV2D_INPUT].bytes == ggml_trace[i].range[1]);
      CHECK(j.buffers[PM4D_CONV2D_OUTPUT].bytes == ggml_trace[i].range[2]);
      CHECK(j.params.k == ggml_trace[i].push[0] && j.params.c == ggml_trace[i].push[1]);
      CHECK(j.params.ow == ggml_trace[i].push[5] && j.params.oh == ggml_trace[i].push[6]);
      CHECK(j.params.stride_w == ggml_trace[i].spec[0] && j.params.dil_h == ggml_trace[i].spec[5]);
      CHECK(j.params.s == ggml_trace[i].spec[6] && j.params.r == ggml_trace[i].spec[7]);
   }
}

/* Entries only a user table would have: other layouts, grouped convolution. */
static void check_custom_entries(void)
{
   static const char text[] =
      "shader 0x1 nhwc\nlayout NHWC KCRS\ninput 0 0\nfilter 0 1\noutput 0 2\n"
      "n const 1\nc const 1\nh const 1\nw const 1\nk const 1\nr const 1\ns const 1\n"
      "oh derived\now derived\nstride_h const 1\nstride_w const 1\npad_h const 0\n"
      "pad_w const 0\ndil_h const 1\ndil_w const 1\ngroups const 1\nbias_present const 0\n"
      "relu const 0\nend\n"
      "shader 0x2 grouped like nhwc\nlayout NCHW KCRS\nend\n"
      "shader 0x3 krsc like nhwc\nlayout NCHW KRSC\nend\n"
      "shader 0x5 f16in like grouped\ndtype input f16\nend\n";
   static const char grouped[] =
      "shader 0x4 groups\ninput 0 0\nfilter 0 1\noutput 0 2\n"
      "n const 1\nc push 0\nh const 5\nw const 5\nk push 4\nr const 3\ns const 3\n"
      "oh derived\now derived\nstride_h const 1\nstride_w const 1\npad_h const 1\n"
      "pad_w const 1\ndil_h const 1\ndil_w const 1\ngroups push 8\nbias_present const 0\n"
      "relu const 0\nend\n";
   struct pm4d_shader_table t;
   struct pm4d_conv2d_job_desc j;
   struct pm4d_conv2d_range ranges[3] = {{0, 0, 1 << 20}, {0, 1, 1 << 20}, {0, 2, 1 << 20}};
   uint32_t push[3] = {6, 4, 2};
   uint8_t valid[12];
   struct pm4d_conv2d_dispatch d = {.ranges = ranges,
                                    .n_ranges = 3,
                                    .push = (uint8_t *)push,
                                    .push_valid = valid,
                                    .push_size = 12};
   char err[256];

   memset(valid, 1, sizeof(valid));
   pm4d_shader_table_init(&t);
   CHECK(pm4d_shader_table_parse(&t, text, sizeof(text) - 1, "custom", err, sizeof(err)) ==
         PM4D_SHADER_TABLE_OK);
   CHECK(pm4d_shader_table_parse(&t, grouped, sizeof(grouped) - 1, "g", err, sizeof(err)) ==
         PM4D_SHADER_TABLE_OK);
   pm4d_shader_table_finish(&t);
   CHECK(t.count == 5);
   if (t.count == 5) {
      CHECK(pm4d_conv2d_extract(&t.entries[0], &d, &j) == PM4D_CONV2D_PT_LAYOUT);
      CHECK(pm4d_conv2d_extract(&t.entries[1], &d, &j) == PM4D_CONV2D_REDIRECT);
      CHECK(j.params.oh == 1 && j.buffers[PM4D_CONV2D_OUTPUT].bytes == 4);
      CHECK(pm4d_conv2d_extract(&t.entries[2], &d, &j) == PM4D_CONV2D_PT_LAYOUT);
      /* c 6, k 4, groups 2: filter k x c/groups x r x s. */
      CHECK(pm4d_conv2d_extract(&t.entries[3], &d, &j) == PM4D_CONV2D_REDIRECT);
      CHECK(j.params.groups == 2 && j.buffers[PM4D_CONV2D_FILTER].bytes == 4 * 3 * 9 * 4);
      push[2] = 4; /* does not divide c = 6 */
      CHECK(pm4d_conv2d_extract(&t.entries[3], &d, &j) == PM4D_CONV2D_PT_GROUPS);
      /* Only the filter may be fp16. */
      CHECK(pm4d_conv2d_extract(&t.entries[4], &d, &j) == PM4D_CONV2D_PT_DTYPE);
      hit[PM4D_CONV2D_PT_LAYOUT] = hit[PM4D_CONV2D_PT_GROUPS] = hit[PM4D_CONV2D_PT_DTYPE] = 1;
   }
   pm4d_shader_table_free(&t);
}

static void check_names(void)
{
   for (int r = 0; r < PM4D_CONV2D_PT_COUNT; r++) {
      CHECK(strcmp(pm4d_conv2d_pt_name(r), "unknown") != 0);
      for (int s = 0; s < r; s++)
         CHECK(strcmp(pm4d_conv2d_pt_name(r), pm4d_conv2d_pt_name(s)) != 0);
   }
   CHECK(strcmp(pm4d_conv2d_pt_name(PM4D_CONV2D_PT_COUNT), "unknown") == 0);
   /* Module-level reasons come from pm4d_conv2d_recognize (test_conv2d_fingerprint). */
   hit[PM4D_CONV2D_PT_MALFORMED_SPIRV] = hit[PM4D_CONV2D_PT_UNKNOWN_SHADER] = 1;
   for (int r = 0; r < PM4D_CONV2D_PT_COUNT; r++) {
      CHECKF(hit[r], "reason %s never produced", pm4d_conv2d_pt_name(r));
   }
}

int main(void)
{
   char err[256];
   pm4d_shader_table_init(&table);
   CHECK(pm4d_shader_table_load_builtin(&table, err, sizeof(err)) == PM4D_SHADER_TABLE_OK);
   pm4d_shader_table_finish(&table);
   check_convnet();
   check_convnet_1x1();
   check_ggml();
   check_ggml_trace();
   check_custom_entries();
   check_names();
   pm4d_shader_table_free(&table);
   return pm4d_check_finish("conv2d_extract");
}
