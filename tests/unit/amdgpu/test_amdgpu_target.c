/* Target identification and status names: pure functions, no ops. */
#include <string.h>

#include "pm4d_amdgpu_status.h"
#include "pm4d_amdgpu_target.h"
#include "pm4d_check.h"

static void expect_target(uint32_t family, uint32_t rev, const char *name,
                          enum pm4d_gfx_level level)
{
   struct pm4d_amdgpu_target t = {0};
   bool ok = pm4d_amdgpu_target_identify(family, rev, &t);
   CHECK(ok);
   if (!ok) {
      fprintf(stderr, "  family %u rev 0x%x should be %s\n", family, rev, name);
      return;
   }
   CHECK(strcmp(t.name, name) == 0);
   CHECK(t.gfx_level == level);
}

static void expect_unknown(uint32_t family, uint32_t rev)
{
   struct pm4d_amdgpu_target t = {0};
   CHECK(!pm4d_amdgpu_target_identify(family, rev, &t));
}

int main(void)
{
   expect_target(141, 0x01, "gfx900", PM4D_GFX9);
   expect_target(141, 0x13, "gfx900", PM4D_GFX9);
   expect_target(141, 0x3C, "gfx90a", PM4D_GFX9);
   expect_target(141, 0x45, "gfx90a", PM4D_GFX9);
   expect_target(143, 0x28, "gfx1030", PM4D_GFX10_3);
   expect_target(143, 0x31, "gfx1030", PM4D_GFX10_3);
   expect_target(143, 0x32, "gfx1031", PM4D_GFX10_3);
   expect_target(143, 0x3C, "gfx1032", PM4D_GFX10_3);
   expect_target(144, 0x01, "gfx1033", PM4D_GFX10_3);
   expect_target(143, 0x46, "gfx1034", PM4D_GFX10_3);
   expect_target(146, 0x01, "gfx1035", PM4D_GFX10_3);
   expect_target(149, 0x01, "gfx1036", PM4D_GFX10_3);
   expect_target(145, 0x01, "gfx1100", PM4D_GFX11);
   expect_target(145, 0x20, "gfx1101", PM4D_GFX11);
   expect_target(145, 0x10, "gfx1102", PM4D_GFX11);
   expect_target(148, 0x01, "gfx1103", PM4D_GFX11);
   expect_target(148, 0x80, "gfx1103", PM4D_GFX11); /* Phoenix 2 */

   expect_unknown(141, 0x14); /* Vega12, gfx904 */
   expect_unknown(141, 0x28); /* Vega20, gfx906 */
   expect_unknown(141, 0x32); /* Arcturus, gfx908 */
   expect_unknown(141, 0x46); /* GC 9.4.3, gfx942 */
   expect_unknown(142, 0x01); /* Raven */
   expect_unknown(143, 0x01); /* Navi10, gfx1010 */
   expect_unknown(143, 0x50); /* past Navi24 */
   expect_unknown(150, 0x01); /* gfx1150 */
   expect_unknown(151, 0x01); /* Mendocino, gfx1037 */
   expect_unknown(146, 0x00);
   expect_unknown(0, 0);

   /* Status names: all present and distinct; the pass-through set. */
   for (int a = 0; a < PM4D_AMDGPU_STATUS_COUNT; a++) {
      CHECK(strcmp(pm4d_amdgpu_status_name(a), "unknown status") != 0);
      for (int b = 0; b < a; b++)
         CHECK(strcmp(pm4d_amdgpu_status_name(a), pm4d_amdgpu_status_name(b)) != 0);
   }
   CHECK(strcmp(pm4d_amdgpu_status_name(PM4D_AMDGPU_STATUS_COUNT), "unknown status") == 0);
   CHECK(pm4d_amdgpu_status_is_passthrough(PM4D_AMDGPU_NO_DEVICE));
   CHECK(pm4d_amdgpu_status_is_passthrough(PM4D_AMDGPU_UNSUPPORTED_TARGET));
   CHECK(pm4d_amdgpu_status_is_passthrough(PM4D_AMDGPU_UNSUPPORTED_KERNEL));
   CHECK(!pm4d_amdgpu_status_is_passthrough(PM4D_AMDGPU_OK));
   CHECK(!pm4d_amdgpu_status_is_passthrough(PM4D_AMDGPU_DRM_ERROR));
   CHECK(!pm4d_amdgpu_status_is_passthrough(PM4D_AMDGPU_HANG));
   return pm4d_check_finish("amdgpu_target");
}
