#include "pm4d_clrun.h"
#include "pm4d_reason.h"
#include "pm4d_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_clrun_cl.h"
#include "pm4d_clrun_source.h" /* generated: pm4d_cl_tiles, pm4d_cl_source (C strings) */
#include "pm4d_kernels.h"

struct pm4d_clrun {
   cl_context ctx;
   cl_command_queue queue;
   cl_program program;
   cl_kernel kernels[PM4D_CONV2D_VARIANT_COUNT];
   char device_name[256];
   uint64_t last_kernel_ns;
};

const char *pm4d_clrun_status_name(enum pm4d_clrun_status s)
{
   switch (s) {
   case PM4D_CLRUN_OK: return "ok";
   case PM4D_CLRUN_NO_PLATFORM: return "no OpenCL platform";
   case PM4D_CLRUN_BUILD_FAILED: return "build failed";
   case PM4D_CLRUN_UNKNOWN_KERNEL: return "unknown kernel";
   case PM4D_CLRUN_BAD_ARGS: return "bad arguments";
   case PM4D_CLRUN_BAD_ADDRESS: return "bad address";
   case PM4D_CLRUN_FAILED: return "OpenCL error";
   }
   return "unknown";
}

/* The first device of the first matching platform that has one. */
static bool pick_device(const char *platform_name, cl_platform_id *platform, cl_device_id *dev,
                        char *name, size_t name_size)
{
   cl_platform_id ids[16];
   cl_uint n = 0;
   if (clGetPlatformIDs(16, ids, &n) != CL_SUCCESS)
      return false;
   for (cl_uint i = 0; i < n && i < 16; i++) {
      char pname[128] = "", dname[120] = "";
      cl_uint nd = 0;
      clGetPlatformInfo(ids[i], CL_PLATFORM_NAME, sizeof(pname) - 1, pname, NULL);
      if (platform_name && !strstr(pname, platform_name))
         continue;
      if (clGetDeviceIDs(ids[i], CL_DEVICE_TYPE_ALL, 1, dev, &nd) != CL_SUCCESS || !nd)
         continue;
      clGetDeviceInfo(*dev, CL_DEVICE_NAME, sizeof(dname) - 1, dname, NULL);
      snprintf(name, name_size, "%s / %s", pname, dname);
      *platform = ids[i];
      return true;
   }
   return false;
}

/* PoCL compiles a kernel's work-group function at its first enqueue, not in clBuildProgram,
 * and once per specialization: local size, zero global offset, and whether every grid dimension
 * is narrower than the device's grid_width_specialization_limit (USHRT_MAX work-items for
 * PoCL's CPU devices; pocl lib/CL/pocl_cache.c and lib/CL/devices/common.c). On an empty cache
 * that took seconds, inside the first batch's deadline. So every variant runs once here, at
 * device setup, on a tiny shape with a small grid and with a grid wider than that limit: the
 * kernels skip workgroups past the shape (pm4d_conv2d.cl guards them, as rounded-up grids need),
 * so the wide run costs little more than the launch. */
#define WARM_WIDE_ITEMS 65536u
#define WARM_SIZE       4u /* input WARM_SIZE x WARM_SIZE, one channel, one filter */
#define WARM_TAPS_MAX   7u

/* Aligned as device buffers are: the kernels store float4s (16-byte aligned). */
struct warm_buffers {
   _Alignas(64) float input[WARM_SIZE * WARM_SIZE];
   _Alignas(64) float filter[WARM_TAPS_MAX * WARM_TAPS_MAX];
   _Alignas(64) float output[WARM_SIZE * WARM_SIZE];
};

static bool warm_translate(void *user, uint64_t addr, void **host, size_t *bytes)
{
   struct warm_buffers *w = user;
   const uintptr_t base = (uintptr_t)w;
   if (addr < base || addr >= base + sizeof(*w))
      return false;
   *host = (void *)(uintptr_t)addr;
   *bytes = sizeof(*w) - (size_t)(addr - base);
   return true;
}

/* The first small shape variant v runs: fp32 or fp16 filters, square filters of 1 to
 * WARM_TAPS_MAX taps, stride 1 or 2, "same" padding. */
static bool warm_shape(enum pm4d_conv2d_variant v, struct pm4d_conv2d_params *p, uint32_t grid[3])
{
   const uint32_t tap_counts = (WARM_TAPS_MAX + 1) / 2; /* 1, 3, ..., WARM_TAPS_MAX */
   for (uint32_t i = 0; i < 2 * tap_counts * 2; i++) {
      const uint32_t stride = 1 + i % 2, taps = 1 + 2 * (i / 2 % tap_counts);
      *p = (struct pm4d_conv2d_params){.n = 1,
                                       .c = 1,
                                       .h = WARM_SIZE,
                                       .w = WARM_SIZE,
                                       .k = 1,
                                       .r = taps,
                                       .s = taps,
                                       .stride_h = stride,
                                       .stride_w = stride,
                                       .pad_h = taps / 2,
                                       .pad_w = taps / 2,
                                       .dil_h = 1,
                                       .dil_w = 1,
                                       .groups = 1,
                                       .filter_f16 = i >= tap_counts * 2};
      char why[64];
      if (pm4d_conv2d_params_check(p, why, sizeof(why)) && pm4d_conv2d_variant_supports(v, p) &&
          pm4d_conv2d_grid(v, p, grid))
         return true;
   }
   return false;
}

static enum pm4d_clrun_status warm_kernels(struct pm4d_clrun *r, char *reason, size_t rs)
{
   struct warm_buffers w;
   memset(&w, 0, sizeof(w));
   const struct pm4d_conv2d_buffers bufs = {
      .input = (uintptr_t)w.input, .filter = (uintptr_t)w.filter, .output = (uintptr_t)w.output};
   enum pm4d_clrun_status st = PM4D_CLRUN_OK;
   uint8_t ka[PM4D_CONV2D_KERNARG_SIZE];
   for (unsigned v = 0; v < PM4D_CONV2D_VARIANT_COUNT && st == PM4D_CLRUN_OK; v++) {
      struct pm4d_conv2d_params p;
      uint32_t grid[3];
      if (!warm_shape(v, &p, grid))
         return pm4d_fail(reason, rs, PM4D_CLRUN_FAILED, "%s: no warm-up shape",
                          pm4d_conv2d_variant_name(v));
      pm4d_conv2d_pack_kernargs(&p, &bufs, ka, sizeof(ka));
      st = pm4d_clrun_dispatch(r, pm4d_conv2d_variant_name(v), grid, ka, sizeof(ka), warm_translate,
                               &w, reason, rs);
      const uint32_t wg = pm4d_conv2d_workgroup_size(v);
      grid[0] = (WARM_WIDE_ITEMS + wg - 1) / wg;
      if (st == PM4D_CLRUN_OK)
         st = pm4d_clrun_dispatch(r, pm4d_conv2d_variant_name(v), grid, ka, sizeof(ka),
                                  warm_translate, &w, reason, rs);
   }
   return st;
}

enum pm4d_clrun_status pm4d_clrun_create(const char *platform_name, struct pm4d_clrun **out,
                                         char *reason, size_t rs)
{
   enum pm4d_clrun_status st;
   cl_platform_id platform;
   cl_device_id dev;
   cl_int err = CL_SUCCESS;
   struct pm4d_clrun *r = pm4d_calloc(1, sizeof(*r));

   *out = NULL;
   if (!r)
      return pm4d_fail(reason, rs, PM4D_CLRUN_FAILED, "out of memory");
   if (!pick_device(platform_name, &platform, &dev, r->device_name, sizeof(r->device_name))) {
      st = pm4d_fail(reason, rs, PM4D_CLRUN_NO_PLATFORM, "no OpenCL platform%s%s with a device",
                     platform_name ? " named " : "", platform_name ? platform_name : "");
      goto fail;
   }
   const cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)platform, 0};
   r->ctx = clCreateContext(props, 1, &dev, NULL, NULL, &err);
   if (r->ctx)
      r->queue = clCreateCommandQueue(r->ctx, dev, CL_QUEUE_PROFILING_ENABLE, &err);
   if (!r->ctx || !r->queue) {
      st = pm4d_fail(reason, rs, PM4D_CLRUN_FAILED, "%s: no context or queue (%d)", r->device_name,
                     err);
      goto fail;
   }
   /* The tile header first: the source includes it only when it is not defined yet. */
   const char *srcs[2] = {(const char *)pm4d_cl_tiles, (const char *)pm4d_cl_source};
   r->program = clCreateProgramWithSource(r->ctx, 2, srcs, NULL, &err);
   if (!r->program || clBuildProgram(r->program, 1, &dev, "", NULL, NULL) != CL_SUCCESS) {
      char log[1024] = "";
      if (r->program)
         clGetProgramBuildInfo(r->program, dev, CL_PROGRAM_BUILD_LOG, sizeof(log) - 1, log, NULL);
      st = pm4d_fail(reason, rs, PM4D_CLRUN_BUILD_FAILED, "%s: conv2d kernels did not build: %s",
                     r->device_name, log);
      goto fail;
   }
   for (unsigned v = 0; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
      r->kernels[v] = clCreateKernel(r->program, pm4d_conv2d_variant_name(v), &err);
      if (!r->kernels[v]) {
         st = pm4d_fail(reason, rs, PM4D_CLRUN_BUILD_FAILED, "%s: no kernel %s (%d)",
                        r->device_name, pm4d_conv2d_variant_name(v), err);
         goto fail;
      }
   }
   st = warm_kernels(r, reason, rs);
   if (st != PM4D_CLRUN_OK)
      goto fail;
   *out = r;
   return PM4D_CLRUN_OK;
fail:
   pm4d_clrun_destroy(r);
   return st;
}

void pm4d_clrun_destroy(struct pm4d_clrun *r)
{
   if (!r)
      return;
   for (unsigned v = 0; v < PM4D_CONV2D_VARIANT_COUNT; v++) {
      if (r->kernels[v])
         clReleaseKernel(r->kernels[v]);
   }
   if (r->program)
      clReleaseProgram(r->program);
   if (r->queue)
      clReleaseCommandQueue(r->queue);
   if (r->ctx)
      clReleaseContext(r->ctx);
   free(r);
}

const char *pm4d_clrun_device_name(const struct pm4d_clrun *r)
{
   return r->device_name;
}

void pm4d_clrun_cl_objects(const struct pm4d_clrun *r, struct pm4d_clrun_cl *out)
{
   out->ctx = r->ctx;
   out->queue = r->queue;
   memcpy(out->kernels, r->kernels, sizeof(out->kernels));
}

uint64_t pm4d_clrun_last_kernel_ns(const struct pm4d_clrun *r)
{
   return r->last_kernel_ns;
}

/* Reads the shape back from the kernarg bytes and checks it, so that a lying kernarg segment
 * becomes a refusal instead of an out-of-bounds access to host memory. */
static enum pm4d_clrun_status check_kernargs(enum pm4d_conv2d_variant v, const char *name,
                                             const uint8_t *ka, size_t size, uint64_t addrs[4],
                                             uint64_t need[4], char *reason, size_t rs)
{
   struct pm4d_conv2d_params p, q;
   struct pm4d_conv2d_buffers bufs;
   char why[160] = "unknown flag bits";
   if (!pm4d_conv2d_unpack_kernargs(ka, size, &p, &bufs))
      return pm4d_fail(reason, rs, PM4D_CLRUN_BAD_ARGS, "%s: bad kernargs: %s", name, why);
   q = p;
   if (!pm4d_conv2d_params_check(&q, why, sizeof(why)) || q.oh != p.oh || q.ow != p.ow ||
       !pm4d_conv2d_variant_supports(v, &q))
      return pm4d_fail(reason, rs, PM4D_CLRUN_BAD_ARGS,
                       "%s: kernargs describe no shape this kernel runs (%s; output %ux%u)", name,
                       why, p.oh, p.ow);
   pm4d_conv2d_buffer_bytes(&p, need);
   addrs[0] = bufs.input;
   addrs[1] = bufs.filter;
   addrs[2] = p.has_bias ? bufs.bias : 0;
   addrs[3] = bufs.output;
   return PM4D_CLRUN_OK;
}

enum pm4d_clrun_status pm4d_clrun_dispatch(struct pm4d_clrun *r, const char *name,
                                           const uint32_t grid[3], const void *kernarg,
                                           size_t kernarg_size, pm4d_clrun_translate_fn translate,
                                           void *user, char *reason, size_t rs)
{
   const struct pm4d_kernel_arg *args;
   const size_t nargs = pm4d_conv2d_args(&args);
   enum pm4d_conv2d_variant v = pm4d_conv2d_variant_from_name(name);
   enum pm4d_clrun_status st;
   cl_mem mems[4] = {0};
   uint64_t addrs[4], need[4];
   const uint8_t *ka = kernarg;
   cl_event done = NULL;
   cl_int err;

   r->last_kernel_ns = 0;
   if (v == PM4D_CONV2D_VARIANT_COUNT)
      return pm4d_fail(reason, rs, PM4D_CLRUN_UNKNOWN_KERNEL, "no kernel named %s", name);
   if (!grid[0] || !grid[1] || !grid[2] || kernarg_size < PM4D_CONV2D_KERNARG_SIZE || !ka)
      return pm4d_fail(reason, rs, PM4D_CLRUN_BAD_ARGS,
                       "%s: grid %ux%ux%u, %zu kernarg bytes (needs a non-empty grid and %u bytes)",
                       name, grid[0], grid[1], grid[2], kernarg_size, PM4D_CONV2D_KERNARG_SIZE);
   st = check_kernargs(v, name, ka, kernarg_size, addrs, need, reason, rs);
   if (st != PM4D_CLRUN_OK)
      return st;
   cl_kernel k = r->kernels[v];
   for (size_t i = 0; i < nargs; i++) {
      const struct pm4d_kernel_arg *a = &args[i];
      if (a->kind == PM4D_KERNEL_ARG_BY_VALUE) {
         err = clSetKernelArg(k, (cl_uint)i, a->size, ka + a->offset);
      } else { /* i < 4: input, filter, bias, output */
         void *host = NULL;
         size_t avail = 0;
         if (need[i] && (!translate(user, addrs[i], &host, &avail) || !host || avail < need[i])) {
            st = pm4d_fail(reason, rs, PM4D_CLRUN_BAD_ADDRESS,
                           "%s: argument %zu: %llu bytes at 0x%llx are not all in one registered "
                           "buffer",
                           name, i, (unsigned long long)need[i], (unsigned long long)addrs[i]);
            goto out;
         }
         if (need[i]) {
            mems[i] = clCreateBuffer(r->ctx, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR,
                                     (size_t)need[i], host, &err);
            if (!mems[i]) {
               st = pm4d_fail(reason, rs, PM4D_CLRUN_FAILED, "%s: clCreateBuffer(%llu bytes): %d",
                              name, (unsigned long long)need[i], err);
               goto out;
            }
         }
         /* No bias: a NULL pointer, which the kernel never reads. */
         err = clSetKernelArg(k, (cl_uint)i, sizeof(cl_mem), mems[i] ? &mems[i] : NULL);
      }
      if (err != CL_SUCCESS) {
         st = pm4d_fail(reason, rs, PM4D_CLRUN_FAILED, "%s: clSetKernelArg(%zu): %d", name, i, err);
         goto out;
      }
   }
   const size_t wg = pm4d_conv2d_workgroup_size(v);
   const size_t local[3] = {wg, 1, 1};
   const size_t global[3] = {grid[0] * wg, grid[1], grid[2]};
   err = clEnqueueNDRangeKernel(r->queue, k, 3, NULL, global, local, 0, NULL, &done);
   if (err != CL_SUCCESS) {
      st = pm4d_fail(reason, rs, PM4D_CLRUN_FAILED, "%s: clEnqueueNDRangeKernel: %d", name, err);
      goto out;
   }
   /* Mapping makes the host pointer current even where the runtime did not run zero-copy. */
   for (size_t i = 0; i < 4; i++) {
      if (!mems[i])
         continue;
      void *p = clEnqueueMapBuffer(r->queue, mems[i], CL_TRUE, CL_MAP_READ, 0, (size_t)need[i], 0,
                                   NULL, NULL, &err);
      if (!p || clEnqueueUnmapMemObject(r->queue, mems[i], p, 0, NULL, NULL) != CL_SUCCESS) {
         st = pm4d_fail(reason, rs, PM4D_CLRUN_FAILED, "%s: kernel or map failed: %d", name, err);
         goto out;
      }
   }
   if ((err = clFinish(r->queue)) != CL_SUCCESS) {
      st = pm4d_fail(reason, rs, PM4D_CLRUN_FAILED, "%s: clFinish: %d", name, err);
      goto out;
   }
   cl_ulong t0 = 0, t1 = 0;
   if (clGetEventProfilingInfo(done, CL_PROFILING_COMMAND_START, sizeof(t0), &t0, NULL) ==
          CL_SUCCESS &&
       clGetEventProfilingInfo(done, CL_PROFILING_COMMAND_END, sizeof(t1), &t1, NULL) ==
          CL_SUCCESS &&
       t1 > t0)
      r->last_kernel_ns = t1 - t0;
out:
   if (done)
      clReleaseEvent(done);
   for (size_t i = 0; i < 4; i++) {
      if (mems[i])
         clReleaseMemObject(mems[i]);
   }
   return st;
}
