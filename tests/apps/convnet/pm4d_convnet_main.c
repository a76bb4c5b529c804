/* convnet: a small CNN run the way ML frameworks run one on Vulkan (conv2d compute shaders,
 * storage buffers, push-constant shapes, one command buffer per inference, a fence), checked
 * against a CPU reference. The test application of pm4direct; see pm4d_convnet_cli.h for the
 * command line and exit codes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pm4d_convnet_cli.h"
#include "pm4d_convnet_dev.h"
#include "pm4d_convnet_model.h"
#include "pm4d_convnet_net.h"

#define PM4D_CONVNET_TOLERANCE 1e-4

/* FNV-1a, 64-bit, over the bytes of the output tensor. */
static uint64_t pm4d_convnet_fnv1a64(const void *data, size_t n)
{
   const unsigned char *p = data;
   uint64_t h = 0xcbf29ce484222325ull;
   for (size_t i = 0; i < n; i++) {
      h ^= p[i];
      h *= 0x100000001b3ull;
   }
   return h;
}

static int pm4d_convnet_cmp_double(const void *a, const void *b)
{
   double x = *(const double *)a, y = *(const double *)b;
   return (x > y) - (x < y);
}

/* Waits (60 s at most) until the file gate exists, before inference i (1-based). */
static bool pm4d_convnet_gate(const char *gate, uint32_t i)
{
   printf("convnet: waiting for %s before inference %u\n", gate, i);
   fflush(stdout);
   for (int t = 0; t < 6000; t++) {
      if (access(gate, F_OK) == 0)
         return true;
      nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
   }
   fprintf(stderr, "convnet: --gate %s did not appear within 60 s\n", gate);
   return false;
}

static int pm4d_convnet_usage_error(const char *why)
{
   fprintf(stderr, "convnet: %s\n", why);
   pm4d_convnet_cli_usage(stderr);
   return PM4D_CONVNET_EXIT_USAGE;
}

/* Every tensor must fit one storage-buffer binding and every grid the workgroup-count limits. */
static bool pm4d_convnet_fits(const struct pm4d_convnet_net *net, const VkPhysicalDeviceLimits *lim,
                              char *why, size_t why_len)
{
   for (int i = 0; i < PM4D_CONVNET_LAYERS; i++) {
      const struct pm4d_convnet_conv *cv = &net->conv[i];
      uint64_t bytes[3] = {pm4d_convnet_conv_in_elems(cv) * sizeof(float),
                           pm4d_convnet_conv_out_elems(cv) * sizeof(float),
                           pm4d_convnet_conv_filter_elems(cv) * sizeof(float)};
      for (int t = 0; t < 3; t++) {
         if (bytes[t] > lim->maxStorageBufferRange) {
            snprintf(why, why_len,
                     "layer %d needs a %llu-byte tensor; the device's maxStorageBufferRange is %u",
                     i, (unsigned long long)bytes[t], lim->maxStorageBufferRange);
            return false;
         }
      }
      uint32_t grid[3];
      pm4d_convnet_model_grid(cv, grid);
      for (int d = 0; d < 3; d++) {
         if (grid[d] > lim->maxComputeWorkGroupCount[d]) {
            snprintf(why, why_len,
                     "layer %d needs %u workgroups in dimension %d; the device allows %u", i,
                     grid[d], d, lim->maxComputeWorkGroupCount[d]);
            return false;
         }
      }
   }
   return true;
}

int main(int argc, char **argv)
{
   struct pm4d_convnet_opts o;
   char why[256];
   if (!pm4d_convnet_cli_parse(argc, argv, &o, why, sizeof(why)))
      return pm4d_convnet_usage_error(why);
   if (o.help) {
      pm4d_convnet_cli_usage(stdout);
      return PM4D_CONVNET_EXIT_OK;
   }

   int rc = PM4D_CONVNET_EXIT_VULKAN;
   struct pm4d_convnet_net net;
   struct pm4d_convnet_dev dev = {0};
   struct pm4d_convnet_model model = {0};
   float *out = NULL, *ref = NULL;
   double *ms = NULL;
   FILE *out_file = NULL;

   /* Opened first so that a bad path is a usage error, before any GPU work. */
   if (o.out && !(out_file = fopen(o.out, "wb"))) {
      snprintf(why, sizeof(why), "cannot open --out %s: %s", o.out, strerror(errno));
      return pm4d_convnet_usage_error(why);
   }
   pm4d_convnet_net_init(&net, o.batch, o.channels, o.size);
   uint32_t ndev = 0;
   if (pm4d_convnet_dev_open_instance(&dev, &ndev) != VK_SUCCESS)
      goto done;
   if (o.device >= ndev) {
      snprintf(why, sizeof(why), "--device %u: there are %u Vulkan devices", o.device, ndev);
      rc = pm4d_convnet_usage_error(why);
      goto done;
   }
   if (pm4d_convnet_dev_open_device(&dev, o.device) != VK_SUCCESS)
      goto done;
   if (!pm4d_convnet_fits(&net, &dev.props.limits, why, sizeof(why))) {
      rc = pm4d_convnet_usage_error(why);
      goto done;
   }
   if (!pm4d_convnet_net_fill(&net)) {
      fprintf(stderr,
              "convnet: out of host memory for the tensors (VK_ERROR_OUT_OF_HOST_MEMORY)\n");
      goto done;
   }

   const struct pm4d_convnet_conv *last = &net.conv[PM4D_CONVNET_LAYERS - 1];
   uint64_t out_elems = pm4d_convnet_conv_out_elems(last);
   size_t out_bytes = out_elems * sizeof(float);
   printf("convnet: device \"%s\", input %ux%ux%ux%u, %d conv layers\n", dev.props.deviceName,
          o.batch, o.channels, o.size, o.size, PM4D_CONVNET_LAYERS);
   char driver[2 * VK_MAX_DRIVER_NAME_SIZE + 2];
   pm4d_convnet_dev_driver(&dev, driver, sizeof(driver));
   printf("convnet: driver %s, Vulkan %u.%u.%u\n", driver,
          VK_API_VERSION_MAJOR(dev.props.apiVersion), VK_API_VERSION_MINOR(dev.props.apiVersion),
          VK_API_VERSION_PATCH(dev.props.apiVersion));
   fflush(stdout);
   if (pm4d_convnet_model_build(&model, &dev, &net) != VK_SUCCESS)
      goto done;
   printf("convnet: %u dispatches per inference\n", model.dispatches);
   printf("convnet: host transfers %s\n",
          model.input.map ? "through mapped device memory" : "through staging buffers");
   printf("convnet: output %ux%ux%ux%u (%zu bytes)\n", last->n, last->k, last->oh, last->ow,
          out_bytes);
   fflush(stdout);

   ms = calloc(o.iters, sizeof(*ms));
   out = malloc(out_bytes);
   if (!ms || !out) {
      fprintf(stderr, "convnet: out of host memory (VK_ERROR_OUT_OF_HOST_MEMORY)\n");
      goto done;
   }
   for (uint32_t i = 0; i < o.iters; i++) {
      if (i + 1 == o.gate_before && !pm4d_convnet_gate(o.gate, i + 1)) {
         rc = PM4D_CONVNET_EXIT_USAGE;
         goto done;
      }
      if (pm4d_convnet_model_infer(&model, &dev, &ms[i]) != VK_SUCCESS)
         goto done;
   }
   if (pm4d_convnet_model_read(&model, &dev, out, out_bytes) != VK_SUCCESS)
      goto done;
   printf("convnet: checksum 0x%016llx\n",
          (unsigned long long)pm4d_convnet_fnv1a64(out, out_bytes));

   if (out_file) {
      /* x86 and every Vulkan host here is little-endian: the bytes are written as they are. */
      bool ok = fwrite(out, 1, out_bytes, out_file) == out_bytes;
      ok = (fclose(out_file) == 0) && ok;
      out_file = NULL;
      if (!ok) {
         snprintf(why, sizeof(why), "writing --out %s failed: %s", o.out, strerror(errno));
         rc = pm4d_convnet_usage_error(why);
         goto done;
      }
   }

   rc = PM4D_CONVNET_EXIT_OK;
   if (o.check) {
      if (!(ref = pm4d_convnet_net_reference(&net))) {
         fprintf(stderr, "convnet: out of host memory for the reference "
                         "(VK_ERROR_OUT_OF_HOST_MEMORY)\n");
         rc = PM4D_CONVNET_EXIT_VULKAN;
         goto done;
      }
      uint64_t differ;
      double err = pm4d_convnet_net_rel_error(out, ref, out_elems, &differ);
      bool pass = err <= PM4D_CONVNET_TOLERANCE;
      printf("convnet: error measure max|gpu-cpu|/max|cpu| over the output, tolerance %g\n",
             PM4D_CONVNET_TOLERANCE);
      printf("convnet: reference check %s, max relative error %g\n", pass ? "passed" : "failed",
             err);
      printf("convnet: %llu of %llu output values differ from the reference in their bits\n",
             (unsigned long long)differ, (unsigned long long)out_elems);
      if (!pass)
         rc = PM4D_CONVNET_EXIT_MISMATCH;
   }
   qsort(ms, o.iters, sizeof(*ms), pm4d_convnet_cmp_double);
   double median = o.iters % 2 ? ms[o.iters / 2] : (ms[o.iters / 2 - 1] + ms[o.iters / 2]) / 2;
   printf("convnet: %.3f ms per inference\n", median);

done:
   if (out_file)
      fclose(out_file);
   free(ref);
   free(out);
   free(ms);
   pm4d_convnet_model_destroy(&model, &dev);
   pm4d_convnet_dev_close(&dev);
   pm4d_convnet_net_free(&net);
   return rc;
}
