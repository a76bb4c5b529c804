/* Built instead of pm4d_sim_backend.c when there is no OpenCL: the sim back end is absent. */
#include <stdio.h>

#include "pm4d_direct_backend.h"

enum pm4d_direct_status pm4d_direct_sim_open(const struct pm4d_direct_config *cfg, void **dev,
                                             const struct pm4d_direct_backend_ops **ops,
                                             char target[PM4D_TARGET_NAME_MAX], char *reason,
                                             size_t reason_size)
{
   (void)cfg;
   (void)target;
   (void)dev;
   (void)ops;
   snprintf(reason, reason_size, "sim back end not built (no OpenCL development files)");
   return PM4D_DIRECT_UNAVAILABLE;
}
