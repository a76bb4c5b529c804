/* Runs the conv2d kernels (shaders/opencl, source embedded at build time) on an OpenCL device,
 * PoCL on the CPU in practice, the way the GPU would: kernel name, grid in workgroups and the
 * AMD-layout kernarg bytes. Buffer arguments are 64-bit addresses that a caller-supplied
 * callback turns into host memory, wrapped zero-copy (CL_MEM_USE_HOST_PTR). The simulated
 * command processor executes DISPATCH_DIRECT through this.
 * A runner is used by one thread at a time. */
#ifndef PM4D_CLRUN_H
#define PM4D_CLRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pm4d_clrun_status {
   PM4D_CLRUN_OK,
   PM4D_CLRUN_NO_PLATFORM,    /* no OpenCL platform or device: skip, or pass through */
   PM4D_CLRUN_BUILD_FAILED,   /* the embedded source did not build (reason has the log) */
   PM4D_CLRUN_UNKNOWN_KERNEL, /* no kernel of that name */
   PM4D_CLRUN_BAD_ARGS,       /* kernarg bytes too short, empty grid */
   PM4D_CLRUN_BAD_ADDRESS,    /* the callback refused a buffer address (a "page fault") */
   PM4D_CLRUN_FAILED,         /* an OpenCL call failed */
};

/* Maps a buffer address taken from the kernarg bytes to host memory: *host = the bytes at
 * addr, *bytes = how many are valid from there. False for an address it does not know. */
typedef bool (*pm4d_clrun_translate_fn)(void *user, uint64_t addr, void **host, size_t *bytes);

struct pm4d_clrun;

/* Picks the first OpenCL platform whose name contains platform_name (NULL: any) and has a
 * device, builds the kernels on it once and runs each once (PoCL compiles at first run). */
enum pm4d_clrun_status pm4d_clrun_create(const char *platform_name, struct pm4d_clrun **out,
                                         char *reason, size_t reason_size);
void pm4d_clrun_destroy(struct pm4d_clrun *r);
/* "platform / device" of the runner, for logs and benchmark reports. */
const char *pm4d_clrun_device_name(const struct pm4d_clrun *r);
/* Device time of the last successful dispatch's kernel alone (OpenCL profiling), 0 if the
 * runtime did not say: what a benchmark reports, without buffer wrapping and copies. */
uint64_t pm4d_clrun_last_kernel_ns(const struct pm4d_clrun *r);

/* Runs kernel `name` over grid[0] x grid[1] x grid[2] workgroups with the given kernarg bytes
 * and returns when it has finished and its writes are visible in host memory. Before running,
 * it reads the shape back from the kernargs: a shape the kernel cannot run, or an output size
 * that does not follow from it, is BAD_ARGS; a buffer the callback cannot cover for the whole
 * size the shape implies is BAD_ADDRESS. So no kernarg bytes make it touch unregistered
 * memory. */
enum pm4d_clrun_status pm4d_clrun_dispatch(struct pm4d_clrun *r, const char *name,
                                           const uint32_t grid[3], const void *kernarg,
                                           size_t kernarg_size, pm4d_clrun_translate_fn translate,
                                           void *user, char *reason, size_t reason_size);

const char *pm4d_clrun_status_name(enum pm4d_clrun_status s);

#endif
