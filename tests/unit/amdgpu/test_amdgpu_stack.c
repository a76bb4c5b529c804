/* The verified driver stack. Expected values come from the Vulkan headers (VkDriverId, the
 * VK_MAKE_VERSION encoding Mesa uses for driverVersion) and Debian 12's versions (mesa 22.3.6,
 * libdrm 2.4.114, amdgpu DRM 3.49 on its 6.1 kernel), not from the code under test. Through the
 * direct path: outside the stack the device is unavailable with a reason, unless forced. */
#include <string.h>
#include <vulkan/vulkan_core.h>

#include "pm4d_amdgpu_direct_fixture.h"
#include "pm4d_amdgpu_stack.h"
#include "pm4d_direct.h"
#include "pm4d_direct_test.h"
#include "pm4d_drm_recorder.h"
#include "pm4d_check.h"

static enum pm4d_amdgpu_status check(uint32_t id, uint32_t version, uint32_t minor,
                                     const char *libdrm, const char *expect)
{
   char why[PM4D_AMDGPU_REASON_MAX] = "";
   struct pm4d_amdgpu_stack s = {id, version, 3, minor, libdrm};
   enum pm4d_amdgpu_status st = pm4d_amdgpu_stack_check(&s, why, sizeof(why));
   CHECKF(!expect || strstr(why, expect), "'%s' says '%s'", why, expect);
   return st;
}

static void test_direct_open(void)
{
   struct pm4d_direct *d = NULL;
   char reason[256];
   rec_reset();
   pm4d_direct_test_amdgpu_ops(rec_ops());
   enum pm4d_direct_status st = fix_direct_create(false, &d, reason, sizeof(reason));
   if (st == PM4D_DIRECT_UNAVAILABLE && strstr(reason, "code object")) {
      printf("SKIPPED (direct path part): %s\n", reason);
      pm4d_direct_test_amdgpu_ops(NULL);
      return;
   }
   CHECKF(st == PM4D_DIRECT_OK && !reason[0], "Debian 12's stack: %s", reason);
   pm4d_direct_destroy(d);

   rec.drm_minor = 54; /* a newer kernel than verified */
   d = NULL;
   st = fix_direct_create(false, &d, reason, sizeof(reason));
   CHECKF(st == PM4D_DIRECT_UNAVAILABLE && d == NULL && strstr(reason, "DRM 3.54"),
          "DRM 3.54 passes through: %s", reason);
   CHECKF(rec_all_released(), "%s", "nothing kept");
   st = fix_direct_create(true, &d, reason, sizeof(reason));
   CHECKF(st == PM4D_DIRECT_OK && strstr(reason, "DRM 3.54") && strstr(reason, "anyway"),
          "forced: runs, and says what is outside: %s", reason);
   pm4d_direct_destroy(d);
   CHECKF(rec_all_released(), "%s", "released");
   pm4d_direct_test_amdgpu_ops(NULL);
}

int main(void)
{
   const uint32_t radv = VK_DRIVER_ID_MESA_RADV;
   CHECK(check(radv, VK_MAKE_VERSION(22, 3, 6), 49, "2.4.114", "") == PM4D_AMDGPU_OK);
   CHECK(check(radv, VK_MAKE_VERSION(22, 3, 0), 32, "2.4.114", "") == PM4D_AMDGPU_OK);
   CHECK(check(radv, VK_MAKE_VERSION(23, 0, 4), 49, "2.4.114", "RADV 23.0") ==
         PM4D_AMDGPU_UNVERIFIED_STACK);
   CHECK(check(radv, VK_MAKE_VERSION(22, 2, 5), 49, "2.4.114", "RADV 22.2") ==
         PM4D_AMDGPU_UNVERIFIED_STACK);
   CHECK(check(VK_DRIVER_ID_AMD_OPEN_SOURCE, VK_MAKE_VERSION(2, 0, 0), 49, "2.4.114", "not RADV") ==
         PM4D_AMDGPU_UNVERIFIED_STACK);
   CHECK(check(0, VK_MAKE_VERSION(22, 3, 6), 49, "2.4.114", "not RADV") ==
         PM4D_AMDGPU_UNVERIFIED_STACK);
   CHECK(check(radv, VK_MAKE_VERSION(22, 3, 6), 57, "2.4.114", "DRM 3.57") ==
         PM4D_AMDGPU_UNVERIFIED_STACK);
   CHECK(check(radv, VK_MAKE_VERSION(22, 3, 6), 31, "2.4.114", "DRM 3.31") ==
         PM4D_AMDGPU_UNVERIFIED_STACK);
   CHECK(check(radv, VK_MAKE_VERSION(22, 3, 6), 49, "2.4.120", "libdrm_amdgpu 2.4.120") ==
         PM4D_AMDGPU_UNVERIFIED_STACK);
   CHECK(pm4d_amdgpu_status_is_passthrough(PM4D_AMDGPU_UNVERIFIED_STACK));
   test_direct_open();
   return pm4d_check_finish("amdgpu_stack");
}
