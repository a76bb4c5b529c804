/* ggml's own Vulkan conv2d (ggml_conv_2d_direct on libggml-vulkan, unmodified) at the kernel
 * benchmark's shapes (a program, not a test). Per shape: one checked run (output poisoned with
 * NaN first, sampled double-precision check as in pm4d_bench_kernels), warm-up, then the wall
 * time of ggml_backend_graph_compute (submit and wait) per run, median. At batch 1 that
 * median is the whole submit-and-wait latency of one small dispatch.
 *
 * Usage: pm4d_bench_ggml [--batch N[,N..]] [--only 3x3|1x1|all] [--max-c C] [--repeats N]
 *                        [--warmup N] [--json FILE]
 * Environment: GGML_VK_VISIBLE_DEVICES=0 where the device is a CPU (lavapipe). */
#include "ggml.h"
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml-vulkan.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_bench_common.h"

#define REPEATS_MAX 1000

struct result {
   const char *shape;
   uint32_t n;
   double ms, gflops, err;
   unsigned samples;
   bool ok;
};

static double now_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One-node graph ggml_conv_2d_direct for p (ggml order: input [W, H, C, N], kernel
 * [S, R, C, K], the same bytes as NCHW and KCRS). */
static bool bench_one(ggml_backend_t be, const struct pm4d_conv2d_params *p, int warmup,
                      int repeats, struct result *r)
{
   static double t[REPEATS_MAX];
   const size_t n_in = (size_t)p->n * p->c * p->h * p->w, n_f = (size_t)p->k * p->c * p->r * p->s;
   const size_t n_out = (size_t)p->n * p->k * p->oh * p->ow;
   struct ggml_init_params ip = {ggml_tensor_overhead() * 4 + ggml_graph_overhead(), NULL, true};
   struct ggml_context *ctx = ggml_init(ip);
   float *in = malloc(n_in * 4), *f = malloc(n_f * 4), *out = malloc(n_out * 4);
   ggml_backend_buffer_t buf = NULL;
   uint32_t seed = 1;
   bool ok = false;
   if (!ctx || !in || !f || !out)
      goto out;
   struct ggml_tensor *tk = ggml_new_tensor_4d(ctx, GGML_TYPE_F32, p->s, p->r, p->c, p->k);
   struct ggml_tensor *ti = ggml_new_tensor_4d(ctx, GGML_TYPE_F32, p->w, p->h, p->c, p->n);
   struct ggml_tensor *to =
      ggml_conv_2d_direct(ctx, tk, ti, (int)p->stride_w, (int)p->stride_h, (int)p->pad_w,
                          (int)p->pad_h, (int)p->dil_w, (int)p->dil_h);
   struct ggml_cgraph *gf = ggml_new_graph(ctx);
   ggml_build_forward_expand(gf, to);
   if (!(buf = ggml_backend_alloc_ctx_tensors(ctx, be)) || (size_t)ggml_nelements(to) != n_out)
      goto out;
   pm4d_bench_fill(in, n_in, &seed);
   pm4d_bench_fill(f, n_f, &seed);
   for (size_t i = 0; i < n_out; i++)
      out[i] = NAN;
   ggml_backend_tensor_set(ti, in, 0, n_in * 4);
   ggml_backend_tensor_set(tk, f, 0, n_f * 4);
   ggml_backend_tensor_set(to, out, 0, n_out * 4);
   if (ggml_backend_graph_compute(be, gf) != GGML_STATUS_SUCCESS)
      goto out;
   ggml_backend_tensor_get(to, out, 0, n_out * 4);
   r->err = pm4d_bench_check(p, in, f, out, &r->samples);
   for (int i = 0; i < warmup; i++) {
      if (ggml_backend_graph_compute(be, gf) != GGML_STATUS_SUCCESS)
         goto out;
   }
   for (int i = 0; i < repeats; i++) {
      const double t0 = now_ms();
      if (ggml_backend_graph_compute(be, gf) != GGML_STATUS_SUCCESS)
         goto out;
      t[i] = now_ms() - t0;
   }
   r->ms = pm4d_bench_median(t, (size_t)repeats);
   r->gflops = pm4d_bench_flops(p) / (r->ms * 1e6);
   ok = true;
out:
   if (buf)
      ggml_backend_buffer_free(buf);
   if (ctx)
      ggml_free(ctx);
   free(in);
   free(f);
   free(out);
   return ok;
}

int main(int argc, char **argv)
{
   static struct result res[16 * 8];
   const char *only = "all", *json = NULL;
   uint32_t batches[8] = {1, 32}, max_c = UINT32_MAX;
   unsigned nb = 2, count = 0;
   int repeats = 50, warmup = 5, rc = 0;
   for (int i = 1; i + 1 < argc; i += 2) {
      if (!strcmp(argv[i], "--only")) {
         only = argv[i + 1];
      } else if (!strcmp(argv[i], "--json")) {
         json = argv[i + 1];
      } else if (!strcmp(argv[i], "--max-c")) {
         max_c = (uint32_t)strtoul(argv[i + 1], NULL, 10);
      } else if (!strcmp(argv[i], "--repeats")) {
         repeats = atoi(argv[i + 1]);
      } else if (!strcmp(argv[i], "--warmup")) {
         warmup = atoi(argv[i + 1]);
      } else if (!strcmp(argv[i], "--batch")) {
         char *end = argv[i + 1];
         nb = 0;
         while (*end && nb < 8) {
            batches[nb++] = (uint32_t)strtoul(end, &end, 10);
            end += *end == ',';
         }
      } else {
         argc = 0; /* usage */
      }
   }
   if (argc % 2 == 0 || repeats < 1 || repeats > REPEATS_MAX || warmup < 0 || !nb) {
      fprintf(stderr,
              "usage: %s [--batch N[,N..]] [--only 3x3|1x1|all] [--max-c C] "
              "[--repeats 1..%d] [--warmup N] [--json FILE]\n",
              argv[0], REPEATS_MAX);
      return 2;
   }
   if (ggml_backend_vk_get_device_count() < 1) {
      printf("SKIPPED: no Vulkan device visible to ggml\n");
      return 77;
   }
   char desc[256];
   ggml_backend_vk_get_device_description(0, desc, sizeof(desc));
   ggml_backend_t be = ggml_backend_vk_init(0);
   if (!be) {
      fprintf(stderr, "ggml_backend_vk_init(0) failed\n");
      return 1;
   }
   printf("device: %s (ggml Vulkan); wall time of ggml_backend_graph_compute, median of %d "
          "after %d warm-up runs\n",
          desc, repeats, warmup);
   for (unsigned bi = 0; bi < nb; bi++) {
      for (size_t i = 0; i < pm4d_bench_shape_count; i++) {
         const struct pm4d_bench_shape *s = &pm4d_bench_shapes[i];
         if (!pm4d_bench_selected(s, only, max_c))
            continue;
         const struct pm4d_conv2d_params p = pm4d_bench_params(s, batches[bi]);
         struct result *r = &res[count++];
         *r = (struct result){.shape = s->name, .n = p.n, .err = INFINITY};
         r->ok = bench_one(be, &p, warmup, repeats, r);
         rc |= !r->ok;
         printf("%-18s n=%-3u %9.4f ms %9.1f GFLOPS  rel.err %.2e (%u points)%s\n", s->name, p.n,
                r->ms, r->gflops, r->err, r->samples, r->ok ? "" : "  FAILED");
         fflush(stdout);
      }
   }
   ggml_backend_free(be);
   FILE *j = json ? fopen(json, "w") : NULL;
   if (j) {
      fprintf(j,
              "{\"device\": \"%s (ggml Vulkan)\", \"repeats\": %d, \"warmup\": %d, "
              "\"results\": [\n",
              desc, repeats, warmup);
      for (unsigned i = 0; i < count; i++)
         fprintf(j,
                 "  {\"shape\": \"%s\", \"n\": %u, \"ok\": %s, \"ms\": %.6f, "
                 "\"gflops\": %.1f, \"rel_err\": %.3e, \"samples\": %u}%s\n",
                 res[i].shape, res[i].n, res[i].ok ? "true" : "false", res[i].ms, res[i].gflops,
                 isfinite(res[i].err) ? res[i].err : -1.0, res[i].samples,
                 i + 1 < count ? "," : "");
      fprintf(j, "]}\n");
      fclose(j);
   }
   return rc;
}
