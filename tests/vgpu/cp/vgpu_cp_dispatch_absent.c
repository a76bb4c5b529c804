/* Without OpenCL there is no PoCL runner: every dispatch is counted as not executable. */
#include "vgpu_cp_internal.h"

enum vgpu_cp_status vgpu_cp_dispatch(struct vgpu_cp_run *r, const uint32_t dim[3],
                                     uint32_t initiator)
{
   (void)dim;
   if (!(initiator & VGPU_INIT_COMPUTE_SHADER_EN))
      return VGPU_CP_OK;
   r->cp->counters.dispatches_not_executable++;
   return vgpu_cp_fail(r, VGPU_CP_NOT_EXECUTABLE,
                       "dispatch not executable: built without OpenCL (no PoCL runner)");
}
