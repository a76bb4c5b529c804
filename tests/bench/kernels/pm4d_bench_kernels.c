/* Throughput of the conv2d OpenCL kernels (shaders/opencl) on any OpenCL platform: device
 * buffers, kernel time by OpenCL profiling events after warm-up, median of many runs, and a
 * check against a double-precision reference (a program, not a test).
 *
 * Usage: pm4d_bench_kernels [--platform NAME] [--batch N[,N..]] [--only 3x3|1x1|all]
 *                           [--max-c C] [--repeats N] [--warmup N] [--rounds N] [--json FILE]
 *                           [--csv FILE]
 *   --platform NAME  first OpenCL platform whose name contains NAME ("NVIDIA", "Portable")
 *   --max-c C        skip shapes with more than C input or output channels (small CPU runs)
 *   --rounds N       time each variant N times (warm-up, repeats and wall times each round);
 *                    every figure is the median over the rounds (default 3)
 *   --filter f16     an fp16 filter (the _f16 kernels; the reference uses the same fp16 values)
 *
 * "chosen" marks the variant pm4d_conv2d_variant_choose picks for the shape with the device's
 * compute-unit count (CL_DEVICE_MAX_COMPUTE_UNITS): what the layer would dispatch.
 *
 * The check: the output is poisoned with NaN, one run fills it, and then every output must be
 * finite and a sample of output points (all of them up to PM4D_BENCH_SAMPLES_MAX, else that
 * many drawn at random) is compared with a double-precision reference computed at those
 * points: relative error ||got - ref|| / ||ref|| over the sample (pm4d_bench_common).
 * GFLOPS = 2 n k oh ow (c / groups) r s / median kernel time. The timed runs are enqueued back
 * to back; "back to back" is first start to last end over their count (gaps included), and
 * "enqueue to finish" the host's wall time for one dispatch waited for alone (median). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pm4d_bench_common.h"
#include "pm4d_clrun_cl.h"

#define REPEATS_MAX 1000
#define ROUNDS_MAX  9

struct options {
   const char *platform, *only, *json, *csv;
   bool filter_f16;
   uint32_t batches[8];
   unsigned nbatches;
   uint32_t max_c;
   int repeats, warmup, rounds;
};

struct ocl {
   struct pm4d_clrun *runner;
   struct pm4d_clrun_cl cl;
   uint32_t compute_units;
};

struct result {
   const char *shape, *variant;
   uint32_t n;
   /* ms: median kernel time; ms_queued: see read_times; ms_wall: median host wall time of one
    * enqueue + clFinish (what an application waits for one dispatch) */
   double ms, ms_queued, ms_wall, gflops, err;
   double queued_rounds[ROUNDS_MAX]; /* ms_queued of each round */
   unsigned samples;
   bool ok, chosen;
};

/* The runner the sim uses, on the first platform whose name contains `name`: the same kernels
 * built the same way; this program enqueues them itself on device buffers. */
static bool ocl_open(struct ocl *o, const char *name)
{
   char reason[1024];
   if (pm4d_clrun_create(name, &o->runner, reason, sizeof(reason)) != PM4D_CLRUN_OK) {
      fprintf(stderr, "%s\n", reason);
      return false;
   }
   pm4d_clrun_cl_objects(o->runner, &o->cl);
   cl_device_id dev;
   cl_uint cus = 0;
   if (clGetCommandQueueInfo(o->cl.queue, CL_QUEUE_DEVICE, sizeof(dev), &dev, NULL) == CL_SUCCESS)
      clGetDeviceInfo(dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof(cus), &cus, NULL);
   o->compute_units = cus;
   return true;
}

/* Sets the kernel's arguments from the kernarg bytes the AMD path would use, so the benchmark
 * exercises the same argument packing (pm4d_conv2d_pack_kernargs). */
static bool set_args(cl_kernel k, const struct pm4d_conv2d_params *p, cl_mem mems[4])
{
   const struct pm4d_kernel_arg *args;
   const size_t nargs = pm4d_conv2d_args(&args);
   const struct pm4d_conv2d_buffers none = {0};
   uint8_t ka[PM4D_CONV2D_KERNARG_SIZE];
   if (!pm4d_conv2d_pack_kernargs(p, &none, ka, sizeof(ka)))
      return false;
   for (size_t i = 0; i < nargs; i++) {
      cl_int err = args[i].kind == PM4D_KERNEL_ARG_BY_VALUE
                      ? clSetKernelArg(k, (cl_uint)i, args[i].size, ka + args[i].offset)
                      : clSetKernelArg(k, (cl_uint)i, sizeof(cl_mem), mems[i] ? &mems[i] : NULL);
      if (err != CL_SUCCESS) {
         fprintf(stderr, "clSetKernelArg(%zu): %d\n", i, err);
         return false;
      }
   }
   return true;
}

/* Enqueues one dispatch (in order after the previous one), with a profiling event if ev. */
static bool launch(struct ocl *o, enum pm4d_conv2d_variant v, const struct pm4d_conv2d_params *p,
                   cl_event *ev)
{
   uint32_t grid[3];
   if (!pm4d_conv2d_grid(v, p, grid))
      return false;
   const size_t wg = pm4d_conv2d_workgroup_size(v);
   const size_t local[3] = {wg, 1, 1};
   const size_t global[3] = {grid[0] * wg, grid[1], grid[2]};
   cl_int err =
      clEnqueueNDRangeKernel(o->cl.queue, o->cl.kernels[v], 3, NULL, global, local, 0, NULL, ev);
   if (err != CL_SUCCESS) {
      fprintf(stderr, "%s: clEnqueueNDRangeKernel: %d\n", pm4d_conv2d_variant_name(v), err);
      return false;
   }
   return true;
}

/* Times `count` dispatches enqueued back to back: t[i] = each kernel's own time (ns, by its
 * profiling event), *span = first start to last end over count (ns per dispatch, gaps between
 * kernels included). Releases the events. */
static bool read_times(cl_event *ev, int count, double *t, double *span)
{
   cl_ulong first = 0, last = 0;
   bool ok = clWaitForEvents((cl_uint)count, ev) == CL_SUCCESS;
   for (int i = 0; i < count; i++) {
      cl_ulong t0 = 0, t1 = 0;
      ok = ok && clGetEventProfilingInfo(ev[i], CL_PROFILING_COMMAND_START, sizeof(t0), &t0,
                                         NULL) == CL_SUCCESS;
      ok = ok && clGetEventProfilingInfo(ev[i], CL_PROFILING_COMMAND_END, sizeof(t1), &t1, NULL) ==
                    CL_SUCCESS;
      t[i] = (double)(t1 - t0);
      first = i == 0 ? t0 : first;
      last = t1;
      clReleaseEvent(ev[i]);
   }
   *span = (double)(last - first) / count;
   if (!ok)
      fprintf(stderr, "a kernel failed or gave no profiling times\n");
   return ok;
}

/* Median wall time (ms) of `count` dispatches, each enqueued and waited for alone. */
static double wall_ms(struct ocl *o, enum pm4d_conv2d_variant v, const struct pm4d_conv2d_params *p,
                      int count, double *t)
{
   for (int i = 0; i < count; i++) {
      struct timespec a, b;
      clock_gettime(CLOCK_MONOTONIC, &a);
      if (!launch(o, v, p, NULL) || clFinish(o->cl.queue) != CL_SUCCESS)
         return -1.0;
      clock_gettime(CLOCK_MONOTONIC, &b);
      t[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) * 1e-6;
   }
   return pm4d_bench_median(t, (size_t)count);
}

/* Runs every variant that supports p: one checked run, warm-up, then the timed runs. */
static unsigned bench_shape(struct ocl *o, const struct options *opt,
                            const struct pm4d_bench_shape *s, const struct pm4d_conv2d_params *p,
                            struct result *res)
{
   const size_t n_in = (size_t)p->n * p->c * p->h * p->w;
   const size_t n_f = (size_t)p->k * (p->c / p->groups) * p->r * p->s;
   const size_t n_out = (size_t)p->n * p->k * p->oh * p->ow;
   const double flops = pm4d_bench_flops(p);
   float *in = malloc(n_in * 4), *f = malloc(n_f * 4), *out = malloc(n_out * 4);
   cl_mem mems[4] = {0};
   unsigned count = 0;
   uint32_t seed = 1;
   cl_int err = CL_SUCCESS;
   if (!in || !f || !out)
      goto out;
   pm4d_bench_fill(in, n_in, &seed);
   pm4d_bench_fill(f, n_f, &seed);
   mems[0] = clCreateBuffer(o->cl.ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, n_in * 4, in, &err);
   if (p->filter_f16) {
      /* The words the kernels read, and the same values widened for the reference. */
      _Float16 *fh = malloc(n_f * sizeof(*fh));
      for (size_t i = 0; fh && i < n_f; i++) {
         fh[i] = (_Float16)f[i];
         f[i] = (float)fh[i];
      }
      if (fh)
         mems[1] =
            clCreateBuffer(o->cl.ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, n_f * 2, fh, &err);
      free(fh);
   } else {
      mems[1] =
         clCreateBuffer(o->cl.ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, n_f * 4, f, &err);
   }
   mems[3] = clCreateBuffer(o->cl.ctx, CL_MEM_READ_WRITE, n_out * 4, NULL, &err);
   if (!mems[0] || !mems[1] || !mems[3]) {
      fprintf(stderr, "%s: clCreateBuffer: %d\n", s->name, err);
      goto out;
   }
   for (unsigned v = 0; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
      static double t[REPEATS_MAX];
      static cl_event ev[REPEATS_MAX];
      double ms[3][ROUNDS_MAX];
      struct result *r = &res[count];
      const float nan = NAN;
      if (!pm4d_conv2d_variant_supports(v, p))
         continue;
      *r = (struct result){.shape = s->name,
                           .variant = pm4d_conv2d_variant_name(v),
                           .n = p->n,
                           .err = INFINITY,
                           .chosen = v == pm4d_conv2d_variant_choose(p, o->compute_units)};
      count++;
      if (!set_args(o->cl.kernels[v], p, mems) ||
          clEnqueueFillBuffer(o->cl.queue, mems[3], &nan, 4, 0, n_out * 4, 0, NULL, NULL) ||
          !launch(o, v, p, NULL) ||
          clEnqueueReadBuffer(o->cl.queue, mems[3], CL_TRUE, 0, n_out * 4, out, 0, NULL, NULL))
         continue;
      r->err = pm4d_bench_check(p, in, f, out, &r->samples);
      /* Each round: warm-up after the first (compiling) run, kernels launched back to back. */
      bool ok = true;
      for (int round = 0; round < opt->rounds && ok; round++) {
         double span = 0;
         int queued = 0;
         for (int i = 0; i < opt->warmup && ok; i++)
            ok = launch(o, v, p, NULL);
         for (; queued < opt->repeats && ok; queued++)
            ok = launch(o, v, p, &ev[queued]);
         queued -= !ok;
         ok = read_times(ev, queued, t, &span) && ok;
         ms[0][round] = pm4d_bench_median(t, (size_t)opt->repeats) * 1e-6;
         ms[1][round] = r->queued_rounds[round] = span * 1e-6;
         ms[2][round] = wall_ms(o, v, p, opt->repeats, t);
      }
      if (!ok)
         continue;
      r->ms = pm4d_bench_median(ms[0], (size_t)opt->rounds);
      r->ms_queued = pm4d_bench_median(ms[1], (size_t)opt->rounds);
      r->ms_wall = pm4d_bench_median(ms[2], (size_t)opt->rounds);
      r->gflops = r->ms > 0 ? flops / (r->ms * 1e6) : 0;
      r->ok = true;
      printf("%-18s n=%-3u %-21s%s %9.4f ms %9.1f GFLOPS  rel.err %.2e (%u %s)  back to back "
             "%.4f ms, enqueue to finish %.4f ms\n",
             s->name, p->n, r->variant, r->chosen ? "*" : " ", r->ms, r->gflops, r->err, r->samples,
             r->samples == n_out ? "points, all" : "sampled points", r->ms_queued, r->ms_wall);
      fflush(stdout);
   }
out:
   for (unsigned i = 0; i < 4; i++) {
      if (mems[i])
         clReleaseMemObject(mems[i]);
   }
   free(in);
   free(f);
   free(out);
   return count;
}

static void write_reports(const struct options *opt, const struct ocl *o, const struct result *res,
                          unsigned count)
{
   FILE *j = opt->json ? fopen(opt->json, "w") : NULL;
   FILE *c = opt->csv ? fopen(opt->csv, "w") : NULL;
   if (j) {
      fprintf(j,
              "{\"device\": \"%s\", \"compute_units\": %u, \"repeats\": %d, \"warmup\": %d, "
              "\"rounds\": %d, \"filter\": \"%s\", \"samples_max\": %d, \"results\": [\n",
              pm4d_clrun_device_name(o->runner), o->compute_units, opt->repeats, opt->warmup,
              opt->rounds, opt->filter_f16 ? "f16" : "f32", PM4D_BENCH_SAMPLES_MAX);
      for (unsigned i = 0; i < count; i++) {
         fprintf(j,
                 "  {\"shape\": \"%s\", \"n\": %u, \"variant\": \"%s\", \"chosen\": %s, "
                 "\"ok\": %s, \"ms\": %.6f, \"ms_queued\": %.6f, \"ms_wall\": %.6f, "
                 "\"gflops\": %.1f, \"rel_err\": %.3e, \"samples\": %u, \"ms_queued_rounds\": [",
                 res[i].shape, res[i].n, res[i].variant, res[i].chosen ? "true" : "false",
                 res[i].ok ? "true" : "false", res[i].ms, res[i].ms_queued, res[i].ms_wall,
                 res[i].gflops, isfinite(res[i].err) ? res[i].err : -1.0, res[i].samples);
         for (int k = 0; k < opt->rounds && res[i].ok; k++)
            fprintf(j, "%s%.6f", k ? ", " : "", res[i].queued_rounds[k]);
         fprintf(j, "]}%s\n", i + 1 < count ? "," : "");
      }
      fprintf(j, "]}\n");
      fclose(j);
   }
   if (c) {
      fprintf(c, "device,shape,n,variant,ok,ms,ms_queued,gflops,rel_err,samples\n");
      for (unsigned i = 0; i < count; i++)
         fprintf(c, "\"%s\",\"%s\",%u,%s,%d,%.6f,%.6f,%.1f,%.3e,%u\n",
                 pm4d_clrun_device_name(o->runner), res[i].shape, res[i].n, res[i].variant,
                 res[i].ok, res[i].ms, res[i].ms_queued, res[i].gflops, res[i].err, res[i].samples);
      fclose(c);
   }
}

static int parse_args(int argc, char **argv, struct options *o)
{
   *o = (struct options){.only = "all",
                         .batches = {1, 32},
                         .nbatches = 2,
                         .max_c = UINT32_MAX,
                         .repeats = 50,
                         .warmup = 5,
                         .rounds = 3};
   for (int i = 1; i < argc; i++) {
      const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
      if (!v)
         goto usage;
      i++;
      if (!strcmp(a, "--platform")) {
         o->platform = v;
      } else if (!strcmp(a, "--only")) {
         o->only = v;
      } else if (!strcmp(a, "--json")) {
         o->json = v;
      } else if (!strcmp(a, "--csv")) {
         o->csv = v;
      } else if (!strcmp(a, "--max-c")) {
         o->max_c = (uint32_t)strtoul(v, NULL, 10);
      } else if (!strcmp(a, "--repeats")) {
         o->repeats = atoi(v);
      } else if (!strcmp(a, "--filter")) {
         if (strcmp(v, "f16") && strcmp(v, "f32"))
            goto usage;
         o->filter_f16 = !strcmp(v, "f16");
      } else if (!strcmp(a, "--rounds")) {
         o->rounds = atoi(v);
      } else if (!strcmp(a, "--warmup")) {
         o->warmup = atoi(v);
      } else if (!strcmp(a, "--batch")) {
         char *end = (char *)v;
         o->nbatches = 0;
         while (*end && o->nbatches < 8) {
            o->batches[o->nbatches++] = (uint32_t)strtoul(end, &end, 10);
            end += *end == ',';
         }
      } else {
         goto usage;
      }
   }
   if (o->repeats >= 1 && o->repeats <= REPEATS_MAX && o->warmup >= 0 && o->nbatches &&
       o->rounds >= 1 && o->rounds <= ROUNDS_MAX)
      return 0;
usage:
   fprintf(stderr,
           "usage: %s [--platform NAME] [--batch N[,N..]] [--only 3x3|1x1|all] "
           "[--max-c C] [--repeats 1..%d] [--warmup N] [--rounds 1..%d] [--filter f32|f16] "
           "[--json FILE] [--csv FILE]\n",
           argv[0], REPEATS_MAX, ROUNDS_MAX);
   return 2;
}

int main(int argc, char **argv)
{
   static struct result res[16 * 8 * PM4D_CONV2D_VARIANT_COUNT];
   struct options opt;
   struct ocl o = {0};
   unsigned count = 0;
   int rc = 1;
   if (parse_args(argc, argv, &opt))
      return 2;
   if (!ocl_open(&o, opt.platform))
      goto out;
   printf("device: %s, %u compute units; kernel time by OpenCL profiling, median of %d after %d "
          "warm-up runs, median of %d rounds; * = the variant the layer picks\n",
          pm4d_clrun_device_name(o.runner), o.compute_units, opt.repeats, opt.warmup, opt.rounds);
   for (unsigned bi = 0; bi < opt.nbatches; bi++) {
      for (size_t i = 0; i < pm4d_bench_shape_count; i++) {
         const struct pm4d_bench_shape *s = &pm4d_bench_shapes[i];
         if (!pm4d_bench_selected(s, opt.only, opt.max_c))
            continue;
         struct pm4d_conv2d_params p = pm4d_bench_params(s, opt.batches[bi]);
         p.filter_f16 = opt.filter_f16;
         count += bench_shape(&o, &opt, s, &p, res + count);
      }
   }
   write_reports(&opt, &o, res, count);
   rc = 0;
   for (unsigned i = 0; i < count; i++)
      rc |= !res[i].ok || !(res[i].err <= 1e-5);
out:
   pm4d_clrun_destroy(o.runner);
   return rc;
}
