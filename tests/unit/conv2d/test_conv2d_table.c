/* Known-shader table: the shipped table parses and maps what known_shaders.txt says; bad lines
 * are refused with file:line and leave the table unchanged; user files add and replace. */
#include "pm4d_check.h"
#include "pm4d_shader_table.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fingerprints from known_shaders.txt. */
#define FP_CONVNET_DIRECT     0xcd34ef527124d389ull
#define FP_CONVNET_1X1        0x6b2b159570fd0aa1ull
#define FP_GGML_F32           0x0db5459c14e7946cull
#define FP_GGML_F32_CM2       0x0e6a6aca0eb09c62ull
#define FP_GGML_F16_UNROLL    0xc8de8333e3e88b93ull
#define FP_GGML_TRANSPOSE_F32 0x846fa2b9fc3cf23cull

static void check_builtin(void)
{
   struct pm4d_shader_table t;
   const struct pm4d_shader_entry *e;
   char err[256];

   pm4d_shader_table_init(&t);
   CHECK(pm4d_shader_table_load_builtin(&t, err, sizeof(err)) == PM4D_SHADER_TABLE_OK);
   CHECK(err[0] == '\0');
   pm4d_shader_table_finish(&t);
   CHECK(t.count == 18); /* 2 convnet, 8 ggml conv2d, 8 ggml conv_transpose_2d */
   for (size_t i = 1; i < t.count; i++)
      CHECK(t.entries[i - 1].fingerprint < t.entries[i].fingerprint);

   e = pm4d_shader_table_lookup(&t, FP_CONVNET_DIRECT, "main");
   CHECK(e && strcmp(e->name, "convnet_conv2d_direct") == 0);
   if (e) {
      CHECK(e->buffers[PM4D_CONV2D_BIAS].present && e->buffers[PM4D_CONV2D_BIAS].binding == 2);
      CHECK(e->fields[PM4D_FIELD_STRIDE_W].kind == PM4D_SOURCE_PUSH &&
            e->fields[PM4D_FIELD_STRIDE_W].arg == 32);
      CHECK(e->fields[PM4D_FIELD_RELU].kind == PM4D_SOURCE_PUSH &&
            e->fields[PM4D_FIELD_RELU].arg == 60 && e->fields[PM4D_FIELD_RELU].mask == 2);
      CHECK(e->fields[PM4D_FIELD_GROUPS].kind == PM4D_SOURCE_CONST &&
            e->fields[PM4D_FIELD_GROUPS].arg == 1);
   }
   e = pm4d_shader_table_lookup(&t, FP_CONVNET_1X1, "main");
   CHECK(e && e->fields[PM4D_FIELD_OH].kind == PM4D_SOURCE_DERIVED &&
         e->fields[PM4D_FIELD_R].kind == PM4D_SOURCE_CONST && e->fields[PM4D_FIELD_R].arg == 1);

   e = pm4d_shader_table_lookup(&t, FP_GGML_F32, "main");
   CHECK(e && strcmp(e->name, "ggml_conv2d_f32") == 0);
   if (e) {
      CHECK(e->buffers[PM4D_CONV2D_FILTER].binding == 0 &&
            e->buffers[PM4D_CONV2D_INPUT].binding == 1);
      CHECK(!e->buffers[PM4D_CONV2D_BIAS].present);
      CHECK(e->fields[PM4D_FIELD_S].kind == PM4D_SOURCE_SPEC && e->fields[PM4D_FIELD_S].arg == 13);
      CHECK(e->fields[PM4D_FIELD_DIL_H].kind == PM4D_SOURCE_SPEC &&
            e->fields[PM4D_FIELD_DIL_H].arg == 12);
      CHECK(e->n_expect == 9 && e->expect[8].push_offset == 60 && e->expect[8].n_fields == 3);
   }
   /* 'like' copies the mapping; dtype and variant lines change what differs. */
   e = pm4d_shader_table_lookup(&t, FP_GGML_F32_CM2, "main");
   CHECK(e && e->n_expect == 9 && e->dtype[PM4D_CONV2D_FILTER] == PM4D_DTYPE_F32);
   e = pm4d_shader_table_lookup(&t, FP_GGML_F16_UNROLL, "main");
   CHECK(e && e->dtype[PM4D_CONV2D_FILTER] == PM4D_DTYPE_F16 &&
         e->fields[PM4D_FIELD_R].kind == PM4D_SOURCE_SPEC);
   e = pm4d_shader_table_lookup(&t, FP_GGML_TRANSPOSE_F32, "main");
   CHECK(e && e->variant == PM4D_SHADER_CONV_TRANSPOSE2D);

   CHECK(pm4d_shader_table_lookup(&t, FP_GGML_F32, "other") == NULL);
   CHECK(pm4d_shader_table_lookup(&t, 0x1234, "main") == NULL);
   CHECK(pm4d_shader_table_lookup(&t, UINT64_MAX, "main") == NULL);
   pm4d_shader_table_free(&t);
}

#define FULL_FIELDS                                                                          \
   "input 0 0\nfilter 0 1\noutput 0 3\nn push 0\nc push 4\nh push 8\nw push 12\nk push 16\n" \
   "r const 3\ns const 3\noh derived\now derived\nstride_h const 1\nstride_w const 1\n"      \
   "pad_h const 1\npad_w const 1\ndil_h const 1\ndil_w const 1\ngroups const 1\n"            \
   "bias_present const 0\nrelu const 0\n"

/* Each bad text and the "t.txt:LINE: reason" prefix the parser must report. */
static void check_refusals(void)
{
   static const struct {
      const char *text;
      const char *want;
   } bad[] = {
      {"bogus 1\n", "t.txt:1: 'bogus' outside"},
      {"\n# c\nshader 0x12 a\nfrobnicate\nend\n", "t.txt:4: unknown keyword 'frobnicate'"},
      {"shader 12 a\nend\n", "t.txt:1: expected 'shader 0xFINGERPRINT"},
      {"shader 0x12345678123456789 a\nend\n", "t.txt:1: expected 'shader"},
      {"shader 0xfg a\nend\n", "t.txt:1: expected 'shader"},
      {"shader 0x1 a\n" FULL_FIELDS, "t.txt:1: shader a: no 'end'"},
      {"shader 0x1 a\nshader 0x2 b\n", "t.txt:2: 'shader' inside the entry begun at line 1"},
      {"shader 0x1 a\ninput 0 0\nfilter 0 1\nend\n", "t.txt:4: shader a: no output binding"},
      {"shader 0x1 a\ninput 0 0\nfilter 0 0\noutput 0 1\nend\n",
       "t.txt:5: shader a: input and filter share set 0 binding 0"},
      {"shader 0x1 a\ninput 0 0\nfilter 0 1\noutput 0 3\nend\n",
       "t.txt:5: shader a: no source for n"},
      {"shader 0x1 a\nn push 2\n", "t.txt:2: n: push offset 2 not a 4-aligned"},
      {"shader 0x1 a\nn push 256\n", "t.txt:2: n: push offset 256"},
      {"shader 0x1 a\nn derived\n", "t.txt:2: only oh and ow can be derived"},
      {"shader 0x1 a\nn const -1\n", "t.txt:2: n: expected"},
      {"shader 0x1 a\nn const 4294967296\n", "t.txt:2: n: expected"},
      {"shader 0x1 a\nn const 010\n", "t.txt:2: n: expected"},
      {"shader 0x1 a\nn const 0x\n", "t.txt:2: n: expected"},
      {"shader 0x1 a\nn const 0x-1\n", "t.txt:2: n: expected"},
      {"shader 0x1 a\nn const 1e3\n", "t.txt:2: n: expected"},
      {"shader 0x1 a\nn const 1\nn const 2\n", "t.txt:3: n given twice"},
      {"shader 0x1 a\nrelu push 4 & 0\n", "t.txt:2: relu: expected 'push OFFSET & MASK'"},
      {"shader 0x1 a\ninput 0\n", "t.txt:2: expected 'input SET BINDING'"},
      {"shader 0x1 a\nlayout NCHW XYZW\n", "t.txt:2: expected 'layout"},
      {"shader 0x1 a\ndtype filter f64\n", "t.txt:2: expected 'dtype"},
      {"shader 0x1 a\nvariant conv3d\n", "t.txt:2: expected 'variant"},
      {"shader 0x1 a\nexpect push 4 = q*r\n", "t.txt:2: expect: 'q' is neither"},
      {"shader 0x1 a\nexpect push 4 == r\n", "t.txt:2: expected 'expect push"},
      {"shader 0x1 a\nexpect push 4 = 4\n", "t.txt:2: expect: the product names no field"},
      {"shader 0x1 a\nexpect push 4 = r*65536*65536\n",
       "t.txt:2: expect: constant factor overflows"},
      {"shader 0x1 a\nexpect push 4 = n*c*h*w*k\n", "t.txt:2: expect: more than 4 fields"},
      {"shader 0x1 a like b\nend\n", "t.txt:1: 'like b': no earlier shader"},
      {"shader 0x1 a\nend x\n", "t.txt:2: 'end' takes no arguments"},
      {"shader 0x1 a\n" FULL_FIELDS "bias_present push 4\nend\n", "bias_present given twice"},
      {"shader 0x1 a\ninput 0 0\nfilter 0 1\noutput 0 3\nn push 0\nc push 4\nh push 8\n"
       "w push 12\nk push 16\nr const 3\ns const 3\noh derived\now derived\nstride_h const 1\n"
       "stride_w const 1\npad_h const 1\npad_w const 1\ndil_h const 1\ndil_w const 1\n"
       "groups const 1\nbias_present const 1\nrelu const 0\nend\n",
       "t.txt:23: shader a: bias_present must be 'const 0' without a bias binding"},
      {"shader 0x1 a\nentry 0123456789012345678901234567890123456789012345678901234567890123\n",
       "t.txt:2: expected 'entry NAME'"},
      {"shader 0x1 a b c d e f g h i j k l m n o p q\n", "t.txt:1: more than 16 words"},
   };
   struct pm4d_shader_table t;
   char err[256];
   char longline[600];

   pm4d_shader_table_init(&t);
   for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      enum pm4d_shader_table_status st =
         pm4d_shader_table_parse(&t, bad[i].text, strlen(bad[i].text), "t.txt", err, sizeof(err));
      CHECK(st == PM4D_SHADER_TABLE_SYNTAX);
      CHECKF(strstr(err, bad[i].want), "case %zu: got \"%s\", want \"%s\"", i, err, bad[i].want);
      CHECK(t.count == 0); /* all or nothing */
   }
   memset(longline, 'x', sizeof(longline) - 1);
   longline[sizeof(longline) - 1] = '\0';
   CHECK(pm4d_shader_table_parse(&t, longline, strlen(longline), "t.txt", err, sizeof(err)) ==
         PM4D_SHADER_TABLE_SYNTAX);
   CHECK(strstr(err, "t.txt:1: line longer than") != NULL);
   CHECK(pm4d_shader_table_parse(&t, "a\0b", 3, "t.txt", err, sizeof(err)) ==
         PM4D_SHADER_TABLE_SYNTAX);
   /* A good entry followed by a bad one: nothing is added. */
   {
      const char *text = "shader 0x1 a\n" FULL_FIELDS "end\nshader 0x2 b\n";
      CHECK(pm4d_shader_table_parse(&t, text, strlen(text), "t.txt", err, sizeof(err)) ==
            PM4D_SHADER_TABLE_SYNTAX);
      CHECK(t.count == 0);
   }
   /* Numbers: decimal, hex, 0. */
   {
      const char *text = "shader 0x1 a\n" FULL_FIELDS "expect push 0x10 = n*0x2*10\nend\n";
      CHECK(pm4d_shader_table_parse(&t, text, strlen(text), "t.txt", err, sizeof(err)) ==
            PM4D_SHADER_TABLE_OK);
      CHECK(t.count == 1 && t.entries[0].expect[0].push_offset == 16 &&
            t.entries[0].expect[0].factor == 20 && t.entries[0].fields[PM4D_FIELD_PAD_H].arg == 1);
      pm4d_shader_table_free(&t);
   }
   /* Names at their limits parse; a full good entry parses. */
   {
      const char *text =
         "# comment only\n\nshader 0xFFFFFFFFFFFFFFFF a  # trailing\n"
         "  entry e012345678901234567890123456789012345678901234567890123456789\n" FULL_FIELDS
         "end\n";
      CHECK(pm4d_shader_table_parse(&t, text, strlen(text), "t.txt", err, sizeof(err)) ==
            PM4D_SHADER_TABLE_OK);
      CHECK(t.count == 1 && t.entries[0].fingerprint == UINT64_MAX);
   }
   pm4d_shader_table_free(&t);
}

/* A user file loaded after the shipped table replaces an entry and adds one. */
static void check_user_file(void)
{
   struct pm4d_shader_table t;
   char path[] = "/tmp/pm4d_table_XXXXXX";
   const char *text = "shader 0xcd34ef527124d389 mine\n" FULL_FIELDS "end\n"
                      "shader 0x42 extra\n" FULL_FIELDS "end\n";
   const struct pm4d_shader_entry *e;
   char err[256];
   int fd = mkstemp(path);
   FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

   CHECK(f != NULL);
   if (!f)
      return;
   fputs(text, f);
   fclose(f);
   pm4d_shader_table_init(&t);
   CHECK(pm4d_shader_table_load_builtin(&t, err, sizeof(err)) == PM4D_SHADER_TABLE_OK);
   CHECK(pm4d_shader_table_load_file(&t, path, err, sizeof(err)) == PM4D_SHADER_TABLE_OK);
   pm4d_shader_table_finish(&t);
   CHECK(t.count == 19);
   e = pm4d_shader_table_lookup(&t, FP_CONVNET_DIRECT, "main");
   CHECK(e && strcmp(e->name, "mine") == 0);
   e = pm4d_shader_table_lookup(&t, 0x42, "main");
   CHECK(e && strcmp(e->name, "extra") == 0);
   unlink(path);
   CHECK(pm4d_shader_table_load_file(&t, path, err, sizeof(err)) == PM4D_SHADER_TABLE_IO);
   CHECK(strncmp(err, path, strlen(path)) == 0);
   /* Errors in a user file name that file. */
   f = fopen(path, "w");
   CHECK(f != NULL);
   if (f) {
      fputs("shader 0x1 a\nbad line\n", f);
      fclose(f);
      CHECK(pm4d_shader_table_load_file(&t, path, err, sizeof(err)) == PM4D_SHADER_TABLE_SYNTAX);
      CHECK(strncmp(err, path, strlen(path)) == 0 && strstr(err, ":2: unknown keyword 'bad'"));
      unlink(path);
   }
   pm4d_shader_table_free(&t);
}

int main(void)
{
   check_builtin();
   check_refusals();
   check_user_file();
   return pm4d_check_finish("conv2d_table");
}
