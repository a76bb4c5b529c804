/* Fingerprint: equal with and without debug info (glslangValidator -g), different for different
 * shaders and for any semantic change; the shipped table knows the convnet shaders as built. */
#include "pm4d_check.h"
#include "pm4d_conv2d_recognize.h"
#include "pm4d_fingerprint.h"
#include "pm4d_glsl.h"

#include <stdlib.h>
#include <string.h>

static const char *dir;

static uint64_t fingerprint_of(const char *file)
{
   size_t size = 0;
   uint64_t fp = 0;
   uint32_t *w = pm4d_check_read_file(&size, "%s/%s", dir, file);
   if (!w)
      return 0;
   CHECK(pm4d_fingerprint_compute(w, size, &fp) == PM4D_SPIRV_OK);
   free(w);
   return fp;
}

static void check_debug_invariance(void)
{
   static const char *const shaders[] = {"t_layout", "t_specsize", "t_other"};
   uint64_t plain[3];
   char a[64], b[64];
   for (int i = 0; i < 3; i++) {
      snprintf(a, sizeof(a), "%s.plain.spv", shaders[i]);
      snprintf(b, sizeof(b), "%s.g.spv", shaders[i]);
      plain[i] = fingerprint_of(a);
      CHECK(plain[i] != 0 && plain[i] == fingerprint_of(b));
      snprintf(a, sizeof(a), "%s.v13.spv", shaders[i]);
      snprintf(b, sizeof(b), "%s.v13g.spv", shaders[i]);
      CHECK(fingerprint_of(a) == fingerprint_of(b));
      /* SPIR-V 1.0 and 1.6 builds are different modules. */
      CHECK(fingerprint_of(a) != plain[i]);
   }
   /* t_other differs from t_specsize only in one arithmetic instruction. */
   CHECK(plain[0] != plain[1] && plain[1] != plain[2] && plain[0] != plain[2]);
}

static void check_header_and_literals(void)
{
   size_t size = 0;
   uint32_t *w = pm4d_check_read_file(&size, "%s/t_layout.plain.spv", dir);
   uint64_t base = 0, fp = 0;
   if (!w)
      return;
   CHECK(pm4d_fingerprint_compute(w, size, &base) == PM4D_SPIRV_OK);
   CHECK(pm4d_fingerprint_compute(w, size, &fp) == PM4D_SPIRV_OK && fp == base);
   w[2] ^= 0x12345678; /* generator: ignored */
   CHECK(pm4d_fingerprint_compute(w, size, &fp) == PM4D_SPIRV_OK && fp == base);
   w[3] += 100; /* bound: ignored */
   CHECK(pm4d_fingerprint_compute(w, size, &fp) == PM4D_SPIRV_OK && fp == base);
   /* A literal: the Binding value of the first Binding decoration. */
   for (size_t pos = 5; pos < size / 4; pos += w[pos] >> 16) {
      if ((w[pos] & 0xffff) == 71 && (w[pos] >> 16) == 4 && w[pos + 2] == 33) {
         w[pos + 3] += 1;
         CHECK(pm4d_fingerprint_compute(w, size, &fp) == PM4D_SPIRV_OK && fp != base);
         w[pos + 3] -= 1;
         break;
      }
   }
   w[1] = 0x00010300; /* version is covered */
   CHECK(pm4d_fingerprint_compute(w, size, &fp) == PM4D_SPIRV_OK && fp != base);
   w[0] = 0;
   CHECK(pm4d_fingerprint_compute(w, size, &fp) == PM4D_SPIRV_BAD_MAGIC);
   CHECK(pm4d_fingerprint_compute(w, size - 1, &fp) == PM4D_SPIRV_TOO_SHORT);
   free(w);
}

/* What ggml_vk_create_pipeline_func (ggml-vulkan.cpp) does to every module on devices with
 * shaderRoundingModeRTEFloat16 / shaderDenormPreserveFloat16: OpCapability RoundingModeRTE and
 * DenormPreserve after the capabilities, OpExtension "SPV_KHR_float_controls" after them, and
 * OpExecutionMode %main RoundingModeRTE 16 / DenormPreserve 16 after the execution modes.
 * `width` replaces 16 to make a semantic change. Returns the new word count. */
static size_t float_controls_patch(const uint32_t *in, size_t n, uint32_t *out, uint32_t width)
{
   static const char ext[24] = "SPV_KHR_float_controls";
   size_t pos = 5, cap_end = 5, mode_end = 5, o = 0;
   uint32_t entry = 0;
   while (pos < n) {
      uint32_t op = in[pos] & 0xffff, len = in[pos] >> 16;
      if (op == 17 || op == 10)
         cap_end = pos + len;
      if (op == 15)
         entry = in[pos + 2];
      if (op == 15 || op == 16 || op == 331)
         mode_end = pos + len;
      pos += len;
   }
   for (size_t i = 0; i < n; i++) {
      if (i == cap_end) {
         out[o++] = (2u << 16) | 17;
         out[o++] = 4467;
         out[o++] = (2u << 16) | 17;
         out[o++] = 4464;
         out[o++] = (7u << 16) | 10;
         memcpy(&out[o], ext, sizeof(ext));
         o += 6;
      }
      if (i == mode_end) {
         uint32_t modes[8] = {(4u << 16) | 16, entry, 4462, width,
                              (4u << 16) | 16, entry, 4459, width};
         memcpy(&out[o], modes, sizeof(modes));
         o += 8;
      }
      out[o++] = in[i];
   }
   return o;
}

static void check_float_controls(void)
{
   size_t size = 0, n;
   uint32_t *w = pm4d_check_read_file(&size, "%s/t_layout.plain.spv", dir);
   uint32_t *patched = w ? malloc(size + 64 * 4) : NULL;
   uint64_t base = 0, fp = 0;
   if (!w || !patched)
      goto out;
   CHECK(pm4d_fingerprint_compute(w, size, &base) == PM4D_SPIRV_OK);
   n = float_controls_patch(w, size / 4, patched, 16);
   CHECK(n == size / 4 + 19);
   CHECK(pm4d_spirv_check(patched, n, NULL) == PM4D_SPIRV_OK);
   CHECK(pm4d_fingerprint_compute(patched, n * 4, &fp) == PM4D_SPIRV_OK && fp == base);
   n = float_controls_patch(w, size / 4, patched, 32);
   CHECK(pm4d_fingerprint_compute(patched, n * 4, &fp) == PM4D_SPIRV_OK && fp != base);
out:
   free(patched);
   free(w);
}

/* The shipped table's convnet entries name the shaders as this tree builds them. */
static void check_convnet_entries(void)
{
   static const struct {
      enum pm4d_glsl_shader id;
      const char *entry;
   } want[] = {
      {PM4D_GLSL_CONV2D_DIRECT, "convnet_conv2d_direct"},
      {PM4D_GLSL_CONV2D_1X1, "convnet_conv2d_1x1"},
   };
   struct pm4d_shader_table t;
   struct pm4d_conv2d_module *m = malloc(sizeof(*m));
   char err[256];

   pm4d_shader_table_init(&t);
   CHECK(pm4d_shader_table_load_builtin(&t, err, sizeof(err)) == PM4D_SHADER_TABLE_OK);
   pm4d_shader_table_finish(&t);
   for (size_t i = 0; m && i < sizeof(want) / sizeof(want[0]); i++) {
      const struct pm4d_glsl_spirv *s = pm4d_glsl_get(want[i].id);
      const struct pm4d_shader_entry *e;
      CHECK(pm4d_conv2d_recognize(&t, s->code, s->size, m) == PM4D_CONV2D_REDIRECT);
      e = pm4d_shader_table_lookup(&t, m->fingerprint, "main");
      CHECK(e && strcmp(e->name, want[i].entry) == 0);
      if (!e)
         fprintf(stderr, "%s: fingerprint 0x%016llx not in known_shaders.txt\n", s->name,
                 (unsigned long long)m->fingerprint);
   }
   /* A new build of a known shader (one constant changed: a new fingerprint, the same
    * interface) is unknown but resembles a known entry with that interface (convnet's direct
    * and 1x1 shaders share theirs); an unrelated module resembles none. */
   {
      const struct pm4d_glsl_spirv *s = pm4d_glsl_get(PM4D_GLSL_CONV2D_DIRECT);
      uint32_t *w = malloc(s->size);
      size_t last = 0;
      if (w && m) {
         memcpy(w, s->code, s->size);
         for (size_t i = 5; i < s->size / 4; i += w[i] >> 16 ? w[i] >> 16 : 1)
            if ((w[i] & 0xffff) == 43 && (w[i] >> 16) == 4) /* OpConstant, 32-bit */
               last = i;
         CHECK(last != 0);
         w[last + 3] ^= 0x40; /* its value */
         CHECK(pm4d_conv2d_recognize(&t, w, s->size, m) == PM4D_CONV2D_PT_UNKNOWN_SHADER);
         CHECK(m->resembles && strncmp(m->resembles->name, "convnet_conv2d_", 15) == 0);
      }
      free(w);
   }
   {
      size_t size = 0;
      uint32_t *w = pm4d_check_read_file(&size, "%s/t_other.plain.spv", dir);
      if (w && m) {
         CHECK(pm4d_conv2d_recognize(&t, w, size, m) == PM4D_CONV2D_PT_UNKNOWN_SHADER);
         CHECK(m->resembles == NULL);
         w[0] = 0;
         CHECK(pm4d_conv2d_recognize(&t, w, size, m) == PM4D_CONV2D_PT_MALFORMED_SPIRV);
         CHECK(m->spirv == PM4D_SPIRV_BAD_MAGIC);
      }
      free(w);
   }
   free(m);
   pm4d_shader_table_free(&t);
}

int main(int argc, char **argv)
{
   if (argc != 2) {
      fprintf(stderr, "usage: %s SPV_DIR\n", argv[0]);
      return 2;
   }
   dir = argv[1];
   check_debug_invariance();
   check_header_and_literals();
   check_float_controls();
   check_convnet_entries();
   return pm4d_check_finish("conv2d_fingerprint");
}
