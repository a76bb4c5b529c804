/* Device profiles. Every number below is a reading from real hardware unless marked "derived":
 * the drm_amdgpu_info_device, HW_IP, firmware, GB_ADDR_CONFIG and memory dumps of Mesa's
 * src/amd/drm-shim/amdgpu_devices.c (entries "navi21", "navi31", "raphael_mendocino"; read in
 * the bminor/mesa-mesa mirror). PCI revisions match /usr/share/libdrm/amdgpu.ids (73BF C3 is
 * "AMD Radeon RX 6800"; Debian's copy lacks 744C and 164E). The kernel's drivers/gpu/drm/amd/
 * amdgpu/amdgpu_drv.c lists 0x73BF as CHIP_SIENNA_CICHLID; Navi31 and Raphael bind by PCI class
 * (CHIP_IP_DISCOVERY). */
#include "vgpu_profile.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

/* The kernel's include/uapi/drm/amdgpu_drm.h (libdrm 2.4.114's copy predates them). */
#ifndef AMDGPU_FAMILY_GC_11_0_0
#define AMDGPU_FAMILY_GC_11_0_0 145
#endif
#ifndef AMDGPU_FAMILY_GC_10_3_6
#define AMDGPU_FAMILY_GC_10_3_6 149
#endif

/* Common to the three dumps: the VA layout (amdgpu_gmc.h AMDGPU_GMC_HOLE_*, 48-bit VM). */
#define VA_LAYOUT                                                                           \
   .virtual_address_offset = 0x200000, .virtual_address_max = 0x800000000000ull,            \
   .virtual_address_alignment = 4096, .pte_fragment_size = 2097152, .gart_page_size = 4096, \
   .high_va_offset = 0xffff800000000000ull, .high_va_max = 0xffffffffffe00000ull

#define HEAP(total, usable)                                    \
   {                                                           \
      .total_heap_size = (total), .usable_heap_size = (usable) \
   }

/* Navi21 (gfx1030), "navi21" dump: RX 6800, SE1 harvested (60 CUs). */
#define NAVI21_DEV                                                                             \
   {                                                                                           \
      .device_id = 0x73bf, .chip_rev = 0x01, .external_rev = 0x29, .pci_rev = 0xc3,            \
      .family = AMDGPU_FAMILY_NV, .num_shader_engines = 4, .num_shader_arrays_per_engine = 2,  \
      .gpu_counter_freq = 100000, .max_engine_clock = 2475000, .max_memory_clock = 1000000,    \
      .cu_active_number = 60, .cu_ao_mask = 0x3ffff,                                           \
      .cu_bitmap = {{0x3ff, 0x3ff}, {0, 0}, {0x3ff, 0x3ff}, {0x3ff, 0x3ff}},                   \
      .enabled_rb_pipes_mask = 0xff0f, .num_rb_pipes = 16, .num_hw_gfx_contexts = 8,           \
      .ids_flags = 0, VA_LAYOUT, .ce_ram_size = 65536, .vram_type = 9, .vram_bit_width = 256,  \
      .gc_double_offchip_lds_buf = 1, .wave_front_size = 32, .num_shader_visible_vgprs = 1024, \
      .num_cu_per_sh = 10, .num_tcc_blocks = 16, .gs_vgt_table_depth = 32,                     \
      .gs_prim_buffer_depth = 1792, .max_gs_waves_per_vgt = 32,                                \
      .cu_ao_bitmap = {{0x3ff, 0x3ff}, {0, 0}, {0x3ff, 0x3ff}, {0x3ff, 0x3ff}},                \
   }
#define NAVI21_IP                                                                      \
   .gfx = {.hw_ip_version_major = 10,                                                  \
           .ib_start_alignment = 32,                                                   \
           .ib_size_alignment = 32,                                                    \
           .available_rings = 0x1},                                                    \
   .compute = {.hw_ip_version_major = 10,                                              \
               .ib_start_alignment = 32,                                               \
               .ib_size_alignment = 32,                                                \
               .available_rings = 0xf},                                                \
   .ip_discovery_version = 0xa0300, .me = {64, 42}, .pfp = {95, 42}, .mec = {104, 42}, \
   .gb_addr_config = 0x444, .subsystem_vendor = 0x1002, .subsystem_device = 0x0e3a

/* Navi31 (gfx1100), "navi31" dump: RX 7900 XTX, 96 CUs. */
#define NAVI31_DEV                                                                                \
   {                                                                                              \
      .device_id = 0x744c, .chip_rev = 0x00, .external_rev = 0x01, .pci_rev = 0xc8,               \
      .family = AMDGPU_FAMILY_GC_11_0_0, .num_shader_engines = 6,                                 \
      .num_shader_arrays_per_engine = 2, .gpu_counter_freq = 100000, .max_engine_clock = 2371000, \
      .max_memory_clock = 1249000, .cu_active_number = 96,                                        \
      .cu_bitmap = {{0xff, 0xff, 0xff, 0xff},                                                     \
                    {0xff, 0xff, 0xff, 0xff},                                                     \
                    {0xff, 0xff, 0, 0},                                                           \
                    {0xff, 0xff, 0, 0}},                                                          \
      .enabled_rb_pipes_mask = 0xffffff, .num_rb_pipes = 24, .num_hw_gfx_contexts = 8,            \
      .ids_flags = 0, VA_LAYOUT, .ce_ram_size = 0, .vram_type = 9, .vram_bit_width = 384,         \
      .gc_double_offchip_lds_buf = 0, .wave_front_size = 32, .num_shader_visible_vgprs = 1536,    \
      .num_cu_per_sh = 8, .num_tcc_blocks = 24, .gs_vgt_table_depth = 32,                         \
      .gs_prim_buffer_depth = 1792, .max_gs_waves_per_vgt = 32,                                   \
   }
#define NAVI31_IP                                                                          \
   .gfx = {.hw_ip_version_major = 11,                                                      \
           .ib_start_alignment = 32,                                                       \
           .ib_size_alignment = 32,                                                        \
           .available_rings = 0x1},                                                        \
   .compute = {.hw_ip_version_major = 11,                                                  \
               .ib_start_alignment = 32,                                                   \
               .ib_size_alignment = 32,                                                    \
               .available_rings = 0xf},                                                    \
   .ip_discovery_version = 0xb0000, .me = {1486, 29}, .pfp = {1525, 29}, .mec = {494, 29}, \
   .gb_addr_config = 0x545, .subsystem_vendor = 0x1002, .subsystem_device = 0x0e3b

static const struct vgpu_profile gfx1030 = {
   .name = "gfx1030",
   .cp_target = "gfx1030",
   .description = "Navi21, AMD Radeon RX 6800 (RADV NAVI21): 16 GiB VRAM, 256 MiB BAR",
   .dev = NAVI21_DEV,
   NAVI21_IP,
   .mem = {.vram = HEAP(17163091968ull, 17128448000ull),
           .cpu_accessible_vram = HEAP(268435456ull, 273055744ull),
           .gtt = HEAP(16746784768ull, 16733624320ull)},
};

/* The navi31 dump is a resizable-BAR system; the plain profile has the classic 256 MiB BAR
 * (derived, as Navi21's dump). */
static const struct vgpu_profile gfx1100 = {
   .name = "gfx1100",
   .cp_target = "gfx1100",
   .description = "Navi31, AMD Radeon Graphics (RADV GFX1100): 24 GiB VRAM, 256 MiB BAR",
   .dev = NAVI31_DEV,
   NAVI31_IP,
   .mem = {.vram = HEAP(25753026560ull, 25681096704ull),
           .cpu_accessible_vram = HEAP(268435456ull, 268435456ull),
           .gtt = HEAP(33254252544ull, 33240895488ull)},
};

/* Raphael (gfx1036), "raphael_mendocino" dump: the Ryzen 7000 APU, 2 CUs, 512 MiB carve-out. */
static const struct vgpu_profile gfx1036 = {
   .name = "gfx1036",
   .cp_target = "gfx1036",
   .description = "Raphael APU, AMD Radeon Graphics (RADV GFX1036): 512 MiB carve-out, 31 GiB GTT",
   .dev =
      {
         .device_id = 0x164e,
         .chip_rev = 0x01,
         .external_rev = 0x02,
         .pci_rev = 0xc1,
         .family = AMDGPU_FAMILY_GC_10_3_6,
         .num_shader_engines = 1,
         .num_shader_arrays_per_engine = 1,
         .gpu_counter_freq = 100000,
         .max_engine_clock = 200000,
         .max_memory_clock = 2400000,
         .cu_active_number = 2,
         .cu_ao_mask = 0x3,
         .cu_bitmap = {{0x3}},
         .enabled_rb_pipes_mask = 0x1,
         .num_rb_pipes = 1,
         .num_hw_gfx_contexts = 8,
         .ids_flags = AMDGPU_IDS_FLAGS_FUSION,
         VA_LAYOUT,
         .ce_ram_size = 65536,
         .vram_type = 10,
         .vram_bit_width = 128,
         .gc_double_offchip_lds_buf = 1,
         .wave_front_size = 32,
         .num_shader_visible_vgprs = 1024,
         .num_cu_per_sh = 2,
         .num_tcc_blocks = 2,
         .gs_vgt_table_depth = 32,
         .gs_prim_buffer_depth = 1792,
         .max_gs_waves_per_vgt = 32,
         .cu_ao_bitmap = {{0x3}},
      },
   .gfx = {.hw_ip_version_major = 10,
           .ib_start_alignment = 32,
           .ib_size_alignment = 32,
           .available_rings = 0x1},
   .compute = {.hw_ip_version_major = 10,
               .ib_start_alignment = 32,
               .ib_size_alignment = 32,
               .available_rings = 0xf},
   .ip_discovery_version = 0xa0306,
   .me = {13, 38},
   .pfp = {13, 38},
   .mec = {18, 38},
   .gb_addr_config = 0x42,
   .mem = {.vram = HEAP(536870912ull, 512081920ull),
           .cpu_accessible_vram = HEAP(536870912ull, 512081920ull),
           .gtt = HEAP(33254252544ull, 33241997312ull)},
   .subsystem_vendor = 0x1002,
   .subsystem_device = 0x164e,
};

/* Resizable BAR: a base profile with all of its VRAM CPU-visible (derived: visible = the VRAM
 * heap; the navi31 dump is such a system). Filled once from the base, before any lookup. */
static struct vgpu_profile gfx1030_rebar, gfx1100_rebar;

static void rebar(struct vgpu_profile *out, const struct vgpu_profile *base, const char *name,
                  const char *description)
{
   *out = *base;
   out->name = name;
   out->description = description;
   out->mem.cpu_accessible_vram = base->mem.vram;
}

static void derive_profiles(void)
{
   rebar(&gfx1030_rebar, &gfx1030, "gfx1030-rebar",
         "Navi21 with resizable BAR (all 16 GiB of VRAM CPU-visible)");
   rebar(&gfx1100_rebar, &gfx1100, "gfx1100-rebar",
         "Navi31 with resizable BAR (all 24 GiB of VRAM CPU-visible), as dumped");
}

static const struct vgpu_profile *const profiles[] = {
   &gfx1030, &gfx1030_rebar, &gfx1100, &gfx1100_rebar, &gfx1036, NULL,
};

const struct vgpu_profile *const *vgpu_profile_all(void)
{
   static pthread_once_t once = PTHREAD_ONCE_INIT;
   pthread_once(&once, derive_profiles);
   return profiles;
}

const struct vgpu_profile *vgpu_profile_find(const char *name)
{
   for (const struct vgpu_profile *const *p = vgpu_profile_all(); *p; p++)
      if (!strcmp((*p)->name, name))
         return *p;
   return NULL;
}
