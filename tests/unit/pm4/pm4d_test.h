/* What the PM4 and ring unit tests share besides the checks: a kernel descriptor, addresses and
 * a runner for named cases. */
#ifndef PM4D_TEST_H
#define PM4D_TEST_H

#include <stdio.h>
#include <string.h>

#include "pm4d_check.h"
#include "pm4d_kernel_desc.h"

/* A conv2d-like kernel descriptor: kernarg pointer as the only user SGPRs (USER_SGPR = 2),
 * TGID_X_EN, 4 KiB of LDS, workgroup 64x1x1. */
static inline struct pm4d_kernel_desc pm4d_test_kernel(const char *target, unsigned wave)
{
   struct pm4d_kernel_desc k;
   memset(&k, 0, sizeof(k));
   snprintf(k.name, sizeof(k.name), "conv2d_test");
   snprintf(k.target, sizeof(k.target), "%s", target);
   k.rsrc1 = 0x60AF0042u;
   k.rsrc2 = 0x00000084u; /* USER_SGPR = 2 (bits 5:1), TGID_X_EN (bit 7) */
   k.rsrc3 = 0;
   k.kernarg_size = 64;
   k.kernarg_align = 16;
   k.group_segment_size = 4096;
   k.wg_size[0] = 64;
   k.wg_size[1] = 1;
   k.wg_size[2] = 1;
   k.wave_size = wave;
   return k;
}

/* One named case of a test program; ctest runs each by name. */
struct pm4d_test_case {
   const char *name;
   void (*fn)(void);
};

/* Runs the case argv[1] names, or every case without an argument, each after setup (if not
 * NULL). A name that matches no case is a failed check, so a misspelt test cannot pass. */
static inline void pm4d_test_run(const struct pm4d_test_case *cases, size_t n, int argc,
                                 char **argv, void (*setup)(void))
{
   int ran = 0;
   for (size_t i = 0; i < n; i++) {
      if (argc < 2 || !strcmp(argv[1], cases[i].name)) {
         if (setup)
            setup();
         cases[i].fn();
         ran++;
      }
   }
   CHECKF(ran > 0, "no test named %s", argc > 1 ? argv[1] : "");
}

#define PM4D_TEST_PROGRAM 0x00007F1234567800ull
#define PM4D_TEST_KERNARG 0x00007E0000001000ull
#define PM4D_TEST_FENCE   0x00007D0000000100ull

#endif
