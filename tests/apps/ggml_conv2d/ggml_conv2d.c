/* Drives ggml's own, unmodified Vulkan backend (libggml-vulkan.so from the npm package
 * @node-llama-cpp/linux-x64-vulkan@3.22.1) through ggml_conv_2d_direct at a table of shapes and
 * checks each result against a plain C reference.
 *
 * Usage: ggml_conv2d [--out FILE] [--compare FILE] [--repeat N]
 *   --out FILE      writes every shape's output, in table order, as raw little-endian float32 in
 *                   ggml's layout [OW, OH, K, N] (the same bytes as NCHW).
 *   --compare FILE  reads such a file (say, written without the pm4direct layer) and also
 *                   requires each shape's output to be within the tolerance of it.
 *   --repeat N      runs each graph N times (default 2); every run after the first must be
 *                   bit-identical to the first (ggml's conv2d is deterministic).
 * Exit: 0 all shapes within tolerance, 1 a mismatch or error, 77 no Vulkan device. */
#include "ggml.h"
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml-vulkan.h"

#include <vulkan/vulkan.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Relative error ||out - ref||_2 / ||ref||_2. Both sides accumulate fp32 products of the same
 * fp32 (or fp16-rounded) values, only the summation order differs: observed errors are ~1e-7. */
#define REL_TOL 1e-5

struct shape {
   const char *name;
   int n, c, h, w;             /* input [W, H, C, N] */
   int k, kh, kw;              /* kernel [KW, KH, C, K] */
   int s0, s1, p0, p1, d0, d1; /* index 0 is along W, 1 along H (ggml's order) */
   enum ggml_type ktype;       /* kernel type: F32 (conv2d_f32) or F16 (conv2d_f16_f32) */
};

static const struct shape shapes[] = {
   {"3x3 s1 p1", 1, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, GGML_TYPE_F32},
   {"3x3 s2 p1 batch2 odd", 2, 4, 9, 7, 8, 3, 3, 2, 2, 1, 1, 1, 1, GGML_TYPE_F32},
   {"3x3 s1 p2 d2 odd", 1, 5, 13, 11, 6, 3, 3, 1, 1, 2, 2, 2, 2, GGML_TYPE_F32},
   {"1x1 pointwise", 1, 8, 10, 10, 16, 1, 1, 1, 1, 0, 0, 1, 1, GGML_TYPE_F32},
   {"5x3 mixed s/p/d b3", 3, 2, 5, 7, 3, 3, 5, 1, 2, 2, 1, 1, 2, GGML_TYPE_F32},
   {"4x4 s2 p0 batch2", 2, 3, 9, 12, 5, 4, 4, 2, 2, 0, 0, 1, 1, GGML_TYPE_F32},
   {"3x3 C16 K32", 1, 16, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, GGML_TYPE_F32},
   {"3x3 tile-aligned", 1, 32, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, GGML_TYPE_F32},
   {"3x3 f16 kernel", 1, 4, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, GGML_TYPE_F16},
};
#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))

static double now_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int out_dim(int in, int k, int s, int p, int d)
{
   return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

/* Deterministic values in [-1, 1) (xorshift32), so runs can be compared byte for byte. */
static void fill_random(float *v, size_t n, uint32_t seed)
{
   uint32_t x = seed ? seed : 1;
   for (size_t i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      v[i] = (float)((x >> 8) * (2.0 / 16777216.0) - 1.0);
   }
}

/* Direct convolution, double accumulation. in: NCHW, w: KCRS, out: NKPQ. */
static void conv2d_ref(const struct shape *s, const float *in, const float *w, float *out)
{
   const int oh = out_dim(s->h, s->kh, s->s1, s->p1, s->d1);
   const int ow = out_dim(s->w, s->kw, s->s0, s->p0, s->d0);
   for (int n = 0; n < s->n; n++)
      for (int k = 0; k < s->k; k++)
         for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
               double acc = 0.0;
               for (int c = 0; c < s->c; c++)
                  for (int r = 0; r < s->kh; r++) {
                     const int iy = y * s->s1 + r * s->d1 - s->p1;
                     if (iy < 0 || iy >= s->h)
                        continue;
                     for (int q = 0; q < s->kw; q++) {
                        const int ix = x * s->s0 + q * s->d0 - s->p0;
                        if (ix < 0 || ix >= s->w)
                           continue;
                        acc += (double)in[((size_t)(n * s->c + c) * s->h + iy) * s->w + ix] *
                               w[((size_t)(k * s->c + c) * s->kh + r) * s->kw + q];
                     }
                  }
               out[((size_t)(n * s->k + k) * oh + y) * ow + x] = (float)acc;
            }
}

static double rel_error(const float *got, const float *ref, size_t n)
{
   double diff = 0.0, norm = 0.0;
   for (size_t i = 0; i < n; i++) {
      const double d = (double)got[i] - ref[i];
      diff += d * d;
      norm += (double)ref[i] * ref[i];
   }
   if (!isfinite(diff))
      return INFINITY;
   return norm > 0.0 ? sqrt(diff / norm) : sqrt(diff);
}

struct run_result {
   double first_ms, steady_ms, err;
   int deterministic;
};

/* Builds the one-node graph for shape s on backend, runs it `repeat` times and leaves the
 * first run's output in out (NKPQ). Returns 0 on success, -1 on a ggml failure. */
static int run_shape(ggml_backend_t backend, const struct shape *s, int repeat, const float *in,
                     const float *w, float *out, struct run_result *res)
{
   const size_t nw = (size_t)s->kw * s->kh * s->c * s->k;
   struct ggml_init_params ip = {
      .mem_size = ggml_tensor_overhead() * 4 + ggml_graph_overhead(),
      .mem_buffer = NULL,
      .no_alloc = true,
   };
   struct ggml_context *ctx = ggml_init(ip);
   ggml_backend_buffer_t buf = NULL;
   float *again = NULL;
   void *wbytes = NULL;
   int rc = -1;
   if (!ctx)
      return -1;
   struct ggml_tensor *tk = ggml_new_tensor_4d(ctx, s->ktype, s->kw, s->kh, s->c, s->k);
   struct ggml_tensor *ti = ggml_new_tensor_4d(ctx, GGML_TYPE_F32, s->w, s->h, s->c, s->n);
   struct ggml_tensor *to =
      ggml_conv_2d_direct(ctx, tk, ti, s->s0, s->s1, s->p0, s->p1, s->d0, s->d1);
   struct ggml_cgraph *gf = ggml_new_graph(ctx);
   ggml_build_forward_expand(gf, to);
   buf = ggml_backend_alloc_ctx_tensors(ctx, backend);
   if (!buf)
      goto out;

   if (s->ktype == GGML_TYPE_F16) {
      wbytes = malloc(nw * sizeof(ggml_fp16_t));
      if (!wbytes)
         goto out;
      ggml_fp32_to_fp16_row(w, wbytes, (int64_t)nw);
      ggml_backend_tensor_set(tk, wbytes, 0, nw * sizeof(ggml_fp16_t));
   } else {
      ggml_backend_tensor_set(tk, w, 0, nw * sizeof(float));
   }
   ggml_backend_tensor_set(ti, in, 0, ggml_nbytes(ti));

   const size_t nout = (size_t)ggml_nelements(to);
   again = malloc(nout * sizeof(float));
   if (!again)
      goto out;
   res->deterministic = 1;
   res->steady_ms = 0.0;
   for (int i = 0; i < repeat; i++) {
      const double t0 = now_ms();
      if (ggml_backend_graph_compute(backend, gf) != GGML_STATUS_SUCCESS)
         goto out;
      ggml_backend_tensor_get(to, i == 0 ? out : again, 0, nout * sizeof(float));
      const double t = now_ms() - t0;
      if (i == 0) {
         res->first_ms = t;
      } else {
         res->steady_ms += t / (repeat - 1);
         if (memcmp(out, again, nout * sizeof(float)) != 0)
            res->deterministic = 0;
      }
   }
   rc = 0;
out:
   free(again);
   free(wbytes);
   if (buf)
      ggml_backend_buffer_free(buf);
   ggml_free(ctx);
   return rc;
}

/* ggml throws (and aborts) when no Vulkan instance can be created, so look first. */
static int vulkan_device_count(void)
{
   const VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                                  .apiVersion = VK_API_VERSION_1_2};
   const VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                                    .pApplicationInfo = &app};
   VkInstance inst;
   uint32_t n = 0;
   if (vkCreateInstance(&ci, NULL, &inst) != VK_SUCCESS)
      return 0;
   if (vkEnumeratePhysicalDevices(inst, &n, NULL) != VK_SUCCESS)
      n = 0;
   vkDestroyInstance(inst, NULL);
   return (int)n;
}

struct options {
   const char *out_path, *compare_path;
   int repeat;
   FILE *out, *compare;
};

static int parse_args(int argc, char **argv, struct options *o)
{
   for (int i = 1; i < argc; i++) {
      if (!strcmp(argv[i], "--out") && i + 1 < argc) {
         o->out_path = argv[++i];
      } else if (!strcmp(argv[i], "--compare") && i + 1 < argc) {
         o->compare_path = argv[++i];
      } else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
         o->repeat = atoi(argv[++i]);
         if (o->repeat < 1 || o->repeat > 1000) {
            fprintf(stderr, "--repeat wants 1..1000\n");
            return -1;
         }
      } else {
         fprintf(stderr, "usage: %s [--out FILE] [--compare FILE] [--repeat N]\n", argv[0]);
         return -1;
      }
   }
   return 0;
}

/* Runs shape i, prints its line, writes / compares files. Returns 0 when it passed. */
static int check_shape(ggml_backend_t backend, size_t i, const struct options *o)
{
   const struct shape *s = &shapes[i];
   const int oh = out_dim(s->h, s->kh, s->s1, s->p1, s->d1);
   const int ow = out_dim(s->w, s->kw, s->s0, s->p0, s->d0);
   const size_t nin = (size_t)s->n * s->c * s->h * s->w;
   const size_t nw = (size_t)s->k * s->c * s->kh * s->kw;
   const size_t nout = (size_t)s->n * s->k * oh * ow;
   float *in = malloc(nin * sizeof(float));
   float *w = malloc(nw * sizeof(float));
   float *got = malloc(nout * sizeof(float));
   float *ref = malloc(nout * sizeof(float));
   struct run_result res = {.deterministic = 1};
   double err_file = 0.0;
   const char *verdict = "FAIL";
   if (!in || !w || !got || !ref) {
      fprintf(stderr, "out of memory\n");
      goto out;
   }
   fill_random(in, nin, 0x1234u + (uint32_t)i);
   fill_random(w, nw, 0x9876u + (uint32_t)i);
   if (s->ktype == GGML_TYPE_F16) {
      /* The reference sees the same fp16-rounded weights the shader reads. */
      for (size_t j = 0; j < nw; j++)
         w[j] = ggml_fp16_to_fp32(ggml_fp32_to_fp16(w[j]));
   }
   conv2d_ref(s, in, w, ref);
   if (run_shape(backend, s, o->repeat, in, w, got, &res)) {
      fprintf(stderr, "%s: ggml graph failed\n", s->name);
      goto out;
   }
   res.err = rel_error(got, ref, nout);
   if (o->out && fwrite(got, sizeof(float), nout, o->out) != nout) {
      perror(o->out_path);
      goto out;
   }
   if (o->compare) {
      /* ref is no longer needed: reuse it for the earlier run's output. */
      if (fread(ref, sizeof(float), nout, o->compare) != nout) {
         fprintf(stderr, "%s: %s is too short\n", s->name, o->compare_path);
         goto out;
      }
      err_file = rel_error(got, ref, nout);
   }
   if (res.err <= REL_TOL && err_file <= REL_TOL && res.deterministic)
      verdict = "ok";
out : {
   char dims[64];
   snprintf(dims, sizeof(dims), "%d %d %dx%d -> %d %dx%d %d,%d %d,%d %d,%d", s->n, s->c, s->h, s->w,
            s->k, s->kh, s->kw, s->s1, s->s0, s->p1, s->p0, s->d1, s->d0);
   printf("%-22s %-28s %-6s %9.1f %9.2f %9.2e %9.2e  %s%s\n", s->name, dims,
          s->ktype == GGML_TYPE_F16 ? "f16" : "f32", res.first_ms, res.steady_ms, res.err, err_file,
          verdict, res.deterministic ? "" : " (repeated runs differ)");
}
   free(in);
   free(w);
   free(got);
   free(ref);
   return strcmp(verdict, "ok") != 0;
}

int main(int argc, char **argv)
{
   struct options o = {.repeat = 2};
   int failures = 0;
   if (parse_args(argc, argv, &o))
      return 1;

   if (vulkan_device_count() < 1) {
      printf("SKIPPED: no Vulkan driver or device\n");
      return 77;
   }
   if (ggml_backend_vk_get_device_count() < 1) {
      printf("SKIPPED: no Vulkan device visible to ggml (lavapipe needs "
             "GGML_VK_VISIBLE_DEVICES=0)\n");
      return 77;
   }
   if (o.out_path && !(o.out = fopen(o.out_path, "wb"))) {
      perror(o.out_path);
      return 1;
   }
   if (o.compare_path && !(o.compare = fopen(o.compare_path, "rb"))) {
      perror(o.compare_path);
      if (o.out)
         fclose(o.out);
      return 1;
   }
   char desc[256];
   ggml_backend_vk_get_device_description(0, desc, sizeof(desc));
   const double t_init = now_ms();
   ggml_backend_t backend = ggml_backend_vk_init(0);
   if (!backend) {
      fprintf(stderr, "ggml_backend_vk_init(0) failed\n");
      failures++;
      goto out;
   }
   printf("device: %s\nbackend init: %.1f ms\n", desc, now_ms() - t_init);
   printf("%-22s %-28s %-6s %9s %9s %9s %9s  %s\n", "shape", "N C HxW -> K RxS s p d", "kernel",
          "first ms", "steady ms", "err ref", "err file", "result");
   for (size_t i = 0; i < NSHAPES; i++)
      failures += check_shape(backend, i, &o);
   if (o.compare && fgetc(o.compare) != EOF) {
      fprintf(stderr, "%s is longer than this run's output\n", o.compare_path);
      failures++;
   }
   ggml_backend_free(backend);
out:
   if (o.out && fclose(o.out)) {
      perror(o.out_path);
      failures++;
   }
   if (o.compare)
      fclose(o.compare);
   printf("%s: %d of %zu shapes failed (tolerance: relative L2 error <= %.0e against the C "
          "reference%s)\n",
          failures ? "FAIL" : "PASS", failures, NSHAPES, REL_TOL,
          o.compare ? " and against the compared file" : "");
   return failures ? 1 : 0;
}
