/* Command line of convnet (kept exactly; tests/e2e drive it):
 *   convnet [--size N] [--channels C] [--batch B] [--iters K] [--out FILE] [--no-check]
 *           [--device N] [--gate FILE --gate-before I]
 * and its exit codes. */
#ifndef PM4D_CONVNET_CLI_H
#define PM4D_CONVNET_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pm4d_convnet_exit {
   PM4D_CONVNET_EXIT_OK = 0,
   PM4D_CONVNET_EXIT_MISMATCH = 1, /* output differs from the CPU reference */
   PM4D_CONVNET_EXIT_VULKAN = 2,   /* a Vulkan call failed (named on stderr) */
   PM4D_CONVNET_EXIT_USAGE = 3,    /* bad arguments, or a shape the device cannot hold */
};

struct pm4d_convnet_opts {
   uint32_t size;     /* input height and width */
   uint32_t channels; /* input channels */
   uint32_t batch;
   uint32_t iters;
   uint32_t device; /* index into vkEnumeratePhysicalDevices */
   const char *out; /* raw little-endian fp32 output tensor, or NULL */
   /* Inference gate_before (1-based; 0: none) starts once the file gate exists: a test makes
    * it when what it waits for has happened, so no case depends on timing. */
   const char *gate;
   uint32_t gate_before;
   bool check; /* compare against the CPU reference */
   bool help;
};

/* Fills *o from argv. On a bad argument returns false with a reason in why. */
bool pm4d_convnet_cli_parse(int argc, char **argv, struct pm4d_convnet_opts *o, char *why,
                            size_t why_len);

void pm4d_convnet_cli_usage(FILE *f);

#endif
