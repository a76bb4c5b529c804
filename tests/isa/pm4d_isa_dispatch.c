/* One dispatch on the model: the initial wave state from the registers (or from a kernel
 * descriptor, the way an AQL packet processor would derive them), workgroup by workgroup,
 * every wave run to each s_barrier before any passes it.
 *
 * Initial state rules: LLVM docs/AMDGPUUsage.rst, "Initial Kernel Execution State":
 *  - SGPRs: user SGPRs first, then system SGPRs ("SGPR Register Set Up Order" table). The CP
 *    copies COMPUTE_USER_DATA_0..USER_SGPR_COUNT-1 into s0..; the system SGPRs follow at
 *    USER_SGPR_COUNT (RSRC2 bits 5:1), which LLVM may pad past the enabled user SGPRs (gfx1100
 *    wave32: FeatureUserSGPRInit16Bug, AMDGPU.td): work-group id X, Y, Z (RSRC2 bits 7, 8, 9),
 *    work-group info (bit 10), private segment wave offset (bit 0).
 *  - VGPRs: work-item ids ("VGPR Register Set Up Order" table, and "Register Layout for Packed
 *    Work-Item ID Method"): RSRC2.ENABLE_VGPR_WORKITEM_ID (bits 12:11) enables Y (>= 1) and Z
 *    (2); targets with "Packed work-item IDs" in the processor table (gfx11) get
 *    v0 = X[9:0] | Y[19:10] | Z[29:20], the others (gfx10.3) X, Y, Z in v0, v1, v2.
 *  - LDS: RSRC2.LDS_SIZE (bits 23:15) in 128-dword (512-byte) granules: "compute_pgm_rsrc2"
 *    table, GRANULATED_LDS_SIZE, roundup(lds-size / (128 * 4)) for GFX7-GFX12 (older
 *    revisions of the table say GFX7-GFX9 and stop there).
 *  - Kernel descriptor: "Kernel Descriptor" tables; kernel_code_properties bits 0..6 enable the
 *    user SGPRs private segment buffer (4), dispatch ptr (2), queue ptr (2), kernarg segment
 *    ptr (2), dispatch id (2), flat scratch init (2), private segment size (1), in that order;
 *    bit 10 ENABLE_WAVEFRONT_SIZE32 (GFX10+).
 * Registers that nothing initialises hold a poison value, so a kernel reading one shows. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_isa_elf.h"
#include "pm4d_isa_exec.h"

#define POISON         0x7FBADBADu /* a NaN as float, an absurd address as integer */
#define LDS_GRANULE    512u
#define LDS_MAX        65536u     /* per workgroup on GFX10/GFX11 */
#define MAX_ITEMS      1024u      /* work-items per workgroup */
#define CODE_WINDOW_DW (1u << 16) /* read at most 256 KiB of code from the entry */

/* RSRC2 fields (gc_10_3_0_sh_mask.h / gc_11_0_0_sh_mask.h COMPUTE_PGM_RSRC2__*). */
#define RSRC2_SCRATCH_EN(r)    ((r)&1u)
#define RSRC2_USER_SGPR(r)     (((r) >> 1) & 0x1Fu)
#define RSRC2_TGID_EN(r, i)    (((r) >> (7 + (i))) & 1u)
#define RSRC2_TG_SIZE_EN(r)    (((r) >> 10) & 1u)
#define RSRC2_TIDIG_CNT(r)     (((r) >> 11) & 3u)
#define RSRC2_LDS_SIZE(r)      (((r) >> 15) & 0x1FFu)
#define RSRC2_LDS_SIZE_SHIFT   15
#define PROP_KERNARG_PTR       (1u << 3)
#define PROP_WAVE32            (1u << 10)
#define PROP_USER_SGPR_ENABLES 0x7Fu

struct run {
   struct isa_ctx c;
   const struct pm4d_isa_regs *r;
   struct isa_wave *waves;
   uint32_t nwaves, items;
};

static enum pm4d_isa_status set(struct pm4d_isa_result *res, enum pm4d_isa_status st,
                                const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static enum pm4d_isa_status set(struct pm4d_isa_result *res, enum pm4d_isa_status st,
                                const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
   va_end(ap);
   res->status = st;
   return st;
}

/* The initial state of wave `wi` of workgroup (x, y, z). */
static void wave_init(struct run *u, struct isa_wave *w, uint32_t wi, const uint32_t wg[3])
{
   const struct pm4d_isa_regs *r = u->r;
   const uint32_t n = RSRC2_USER_SGPR(r->rsrc2);
   for (unsigned i = 0; i < ISA_SGPRS; i++)
      w->s[i] = POISON;
   for (unsigned i = 0; i < ISA_VGPRS; i++)
      for (unsigned l = 0; l < ISA_LANES; l++)
         w->v[i][l] = POISON;
   for (uint32_t i = 0; i < n; i++)
      w->s[i] = r->user_data[i];
   uint32_t next = n;
   for (unsigned i = 0; i < 3; i++)
      if (RSRC2_TGID_EN(r->rsrc2, i))
         w->s[next++] = wg[i];
   const uint32_t nx = r->num_thread[0], ny = r->num_thread[1];
   const uint32_t comps = RSRC2_TIDIG_CNT(r->rsrc2);
   const unsigned lanes = u->c.lanes;
   uint64_t exec = 0;
   for (unsigned l = 0; l < lanes; l++) {
      uint32_t id = wi * lanes + l;
      if (id >= u->items)
         continue;
      exec |= 1ull << l;
      uint32_t x = id % nx, y = (id / nx) % ny, z = id / (nx * ny);
      /* Packed work-item IDs: gfx1100 and gfx90a in the processor table; gfx1030 unpacked. */
      if (u->c.target != PM4D_ISA_GFX1030) {
         w->v[0][l] = x | (comps >= 1 ? y << 10 : 0) | (comps >= 2 ? z << 20 : 0);
      } else {
         w->v[0][l] = x;
         if (comps >= 1)
            w->v[1][l] = y;
         if (comps >= 2)
            w->v[2][l] = z;
      }
   }
   w->s[ISA_EXEC_LO] = (uint32_t)exec;
   w->s[ISA_EXEC_HI] = (uint32_t)(exec >> 32);
   w->s[ISA_VCC_LO] = 0;
   w->s[ISA_VCC_HI] = 0;
   w->pc = 0;
   w->scc = false;
   w->done = w->at_barrier = false;
   w->executed = 0;
}

/* Runs one workgroup: rounds of "every live wave to its next barrier or end". */
static bool workgroup(struct run *u, const uint32_t wg[3])
{
   struct pm4d_isa_counters *k = &u->c.result->counters;
   memset(u->c.lds, 0xA5, u->c.lds_bytes); /* LDS starts undefined: poison it */
   for (uint32_t i = 0; i < u->nwaves; i++)
      wave_init(u, &u->waves[i], i, wg);
   for (;;) {
      uint32_t live = 0;
      for (uint32_t i = 0; i < u->nwaves; i++) {
         struct isa_wave *w = &u->waves[i];
         if (w->done)
            continue;
         if (!isa_wave_run(&u->c, w)) {
            size_t len = strlen(u->c.result->reason);
            snprintf(u->c.result->reason + len, sizeof(u->c.result->reason) - len,
                     " (workgroup %" PRIu32 ",%" PRIu32 ",%" PRIu32 " wave %" PRIu32 ")", wg[0],
                     wg[1], wg[2], i);
            return false;
         }
         live += !w->done;
      }
      if (!live)
         break;
      /* Every wave that has not ended waits at a barrier: release them all. */
   }
   for (uint32_t i = 0; i < u->nwaves; i++) {
      k->waves++;
      if (u->waves[i].executed > k->max_wave_instructions)
         k->max_wave_instructions = u->waves[i].executed;
   }
   k->workgroups++;
   return true;
}

static enum pm4d_isa_status run(enum pm4d_isa_target t, const struct pm4d_isa_regs *r,
                                const uint32_t *code, size_t code_dw,
                                pm4d_isa_translate_fn translate, void *user,
                                struct pm4d_isa_result *res)
{
   struct run u = {.r = r};
   const uint32_t rs = r->rsrc2;
   /* gfx1030 / gfx1100 code runs as wave32 here, gfx90a (GFX9: no wave32) as wave64. */
   if (r->wave32 == (t == PM4D_ISA_GFX90A))
      return set(res, PM4D_ISA_NOT_EXECUTABLE,
                 "not executable: a wave%u dispatch (DISPATCH_INITIATOR.CS_W32_EN = %u); the model "
                 "runs %s as wave%u only",
                 r->wave32 ? 32u : 64u, r->wave32 ? 1u : 0u, pm4d_isa_target_name(t),
                 t == PM4D_ISA_GFX90A ? 64u : 32u);
   if (RSRC2_SCRATCH_EN(rs) || RSRC2_TG_SIZE_EN(rs))
      return set(res, PM4D_ISA_BAD_DISPATCH,
                 "bad dispatch: RSRC2 enables the %s SGPR, which the model does not provide",
                 RSRC2_SCRATCH_EN(rs) ? "private segment wave offset" : "work-group info");
   uint32_t nsys = RSRC2_TGID_EN(rs, 0) + RSRC2_TGID_EN(rs, 1) + RSRC2_TGID_EN(rs, 2);
   if (RSRC2_USER_SGPR(rs) > 16 || RSRC2_USER_SGPR(rs) + nsys > 106)
      return set(res, PM4D_ISA_BAD_DISPATCH, "bad dispatch: RSRC2.USER_SGPR_COUNT %" PRIu32,
                 RSRC2_USER_SGPR(rs));
   uint64_t items = (uint64_t)r->num_thread[0] * r->num_thread[1] * r->num_thread[2];
   if (items == 0 || items > MAX_ITEMS || r->num_thread[0] > 1023 || r->num_thread[1] > 1023 ||
       r->num_thread[2] > 1023)
      return set(res, PM4D_ISA_BAD_DISPATCH,
                 "bad dispatch: workgroup %" PRIu32 "x%" PRIu32 "x%" PRIu32 " work-items",
                 r->num_thread[0], r->num_thread[1], r->num_thread[2]);
   if (!r->grid[0] || !r->grid[1] || !r->grid[2])
      return set(res, PM4D_ISA_BAD_DISPATCH, "bad dispatch: empty grid");
   u.items = (uint32_t)items;
   u.c.lanes = r->wave32 ? 32 : 64;
   u.nwaves = (u.items + u.c.lanes - 1) / u.c.lanes;
   u.c.target = t;
   u.c.code = code;
   u.c.code_dw = code_dw;
   u.c.translate = translate;
   u.c.user = user;
   u.c.result = res;
   u.c.lds_bytes = RSRC2_LDS_SIZE(rs) * LDS_GRANULE;
   if (u.c.lds_bytes > LDS_MAX)
      return set(res, PM4D_ISA_BAD_DISPATCH,
                 "bad dispatch: RSRC2.LDS_SIZE asks for %" PRIu32 " bytes (64 KiB at most)",
                 u.c.lds_bytes);
   u.waves = malloc(sizeof(*u.waves) * u.nwaves);
   u.c.lds = malloc(u.c.lds_bytes ? u.c.lds_bytes : 1);
   u.c.decoded = malloc(sizeof(*u.c.decoded) * code_dw);
   u.c.decoded_ok = calloc(code_dw, 1);
   if (!u.waves || !u.c.lds || !u.c.decoded || !u.c.decoded_ok) {
      set(res, PM4D_ISA_NO_MEMORY, "out of memory for %" PRIu32 " waves", u.nwaves);
   } else {
      res->status = PM4D_ISA_OK;
      uint32_t wg[3];
      for (wg[2] = 0; wg[2] < r->grid[2] && res->status == PM4D_ISA_OK; wg[2]++)
         for (wg[1] = 0; wg[1] < r->grid[1] && res->status == PM4D_ISA_OK; wg[1]++)
            for (wg[0] = 0; wg[0] < r->grid[0]; wg[0]++)
               if (!workgroup(&u, wg))
                  break;
   }
   free(u.waves);
   free(u.c.lds);
   free(u.c.decoded);
   free(u.c.decoded_ok);
   return res->status;
}

enum pm4d_isa_status pm4d_isa_run_regs(enum pm4d_isa_target t, const struct pm4d_isa_regs *r,
                                       pm4d_isa_translate_fn translate, void *user,
                                       struct pm4d_isa_result *res)
{
   memset(res, 0, sizeof(*res));
   if (t >= PM4D_ISA_TARGET_COUNT || !r || !translate)
      return set(res, PM4D_ISA_BAD_DISPATCH, "bad dispatch: unknown target or no translation");
   /* The code: copied from COMPUTE_PGM up to CODE_WINDOW_DW dwords or the first unmapped
    * byte (a VM may answer page by page). */
   uint32_t *code = malloc(CODE_WINDOW_DW * 4u);
   size_t dw = 0;
   if (!code)
      return set(res, PM4D_ISA_NO_MEMORY, "out of memory for the code");
   while (dw < CODE_WINDOW_DW && !(r->pgm & 3u)) {
      void *host;
      size_t avail;
      uint64_t at = r->pgm + 4ull * dw;
      if (!translate(user, at, false, &host, &avail) || avail < 4)
         break;
      size_t k = avail / 4 < CODE_WINDOW_DW - dw ? avail / 4 : CODE_WINDOW_DW - dw;
      memcpy(code + dw, host, k * 4u);
      dw += k;
   }
   if (dw == 0) {
      free(code);
      return set(res, PM4D_ISA_PAGE_FAULT,
                 "page fault: COMPUTE_PGM 0x%" PRIx64
                 " (the first instruction) is not mapped or not 4-byte aligned",
                 r->pgm);
   }
   run(t, r, code, dw, translate, user, res);
   free(code);
   return res->status;
}

enum pm4d_isa_status pm4d_isa_run_code_object(enum pm4d_isa_target t, const void *elf, size_t size,
                                              const struct pm4d_isa_launch *l,
                                              pm4d_isa_translate_fn translate, void *user,
                                              struct pm4d_isa_result *res)
{
   struct pm4d_isa_kernel k;
   memset(res, 0, sizeof(*res));
   if (t >= PM4D_ISA_TARGET_COUNT || !l || !l->kernel || !translate)
      return set(res, PM4D_ISA_BAD_DISPATCH, "bad dispatch: unknown target or no kernel");
   res->status = pm4d_isa_kernel_find(elf, size, l->kernel, &k, res->reason, sizeof(res->reason));
   if (res->status != PM4D_ISA_OK)
      return res->status;
   /* The dispatch provides one user SGPR pair, the kernarg segment pointer. */
   static const char *const user_sgpr[7] = {
      "private segment buffer", "dispatch ptr", "queue ptr",
      "kernarg segment ptr",    "dispatch id",  "flat scratch init",
      "private segment size"};
   for (unsigned i = 0; i < 7; i++)
      if ((k.properties & PROP_USER_SGPR_ENABLES & ~PROP_KERNARG_PTR) >> i & 1u)
         return set(res, PM4D_ISA_BAD_DISPATCH,
                    "bad dispatch: %s's descriptor enables the %s user SGPR "
                    "(kernel_code_properties bit %u), which this dispatch does not set",
                    l->kernel, user_sgpr[i], i);
   uint32_t enabled = k.properties & PROP_KERNARG_PTR ? 2 : 0;
   if (RSRC2_USER_SGPR(k.rsrc2) < enabled)
      return set(res, PM4D_ISA_BAD_DISPATCH,
                 "bad dispatch: %s: RSRC2.USER_SGPR_COUNT %" PRIu32 " < %" PRIu32
                 " enabled user SGPRs",
                 l->kernel, RSRC2_USER_SGPR(k.rsrc2), enabled);
   bool wave32 = k.properties & PROP_WAVE32;
   if (l->force_wave && (l->force_wave == 32) != wave32)
      return set(res, PM4D_ISA_BAD_DISPATCH,
                 "bad dispatch: %s is a wave%u kernel (ENABLE_WAVEFRONT_SIZE32 = %u) dispatched "
                 "as wave%" PRIu32,
                 l->kernel, wave32 ? 32u : 64u, wave32 ? 1u : 0u, l->force_wave);
   uint32_t lds = l->lds_bytes_override ? l->lds_bytes_override : k.group_segment_size;
   if (lds < k.group_segment_size)
      return set(res, PM4D_ISA_BAD_DISPATCH,
                 "bad dispatch: %s needs %" PRIu32 " bytes of LDS (group segment size), the "
                 "dispatch gives %" PRIu32,
                 l->kernel, k.group_segment_size, lds);
   if (lds > LDS_MAX)
      return set(res, PM4D_ISA_BAD_DISPATCH, "bad dispatch: %" PRIu32 " bytes of LDS", lds);
   struct pm4d_isa_regs r = {0};
   uint64_t entry = k.desc_offset + (uint64_t)k.entry_offset;
   const void *code = isa_elf_at(elf, size, entry, 4);
   if (!code)
      return set(res, PM4D_ISA_BAD_CODE_OBJECT, "bad code object: entry outside the file");
   r.pgm = entry;
   r.rsrc1 = k.rsrc1;
   r.rsrc3 = k.rsrc3;
   r.rsrc2 = (k.rsrc2 & ~(0x1FFu << RSRC2_LDS_SIZE_SHIFT)) | ((lds + LDS_GRANULE - 1) / LDS_GRANULE)
                                                                << RSRC2_LDS_SIZE_SHIFT;
   r.user_data[0] = (uint32_t)l->kernarg;
   r.user_data[1] = (uint32_t)(l->kernarg >> 32);
   memcpy(r.num_thread, l->workgroup, sizeof(r.num_thread));
   memcpy(r.grid, l->grid, sizeof(r.grid));
   r.wave32 = l->force_wave ? l->force_wave == 32 : wave32;
   size_t dw = (size_t)((k.text_offset + k.text_size - entry) / 4);
   return run(t, &r, code, dw, translate, user, res);
}

void pm4d_isa_occupancy(enum pm4d_isa_target t, const struct pm4d_isa_kernel *k,
                        uint32_t workgroup_items, struct pm4d_isa_occupancy *o)
{
   /* LLVM AMDGPUBaseInfo.cpp: VGPR encoding granule 8 (wave32 and gfx90a); allocation granule
    * 16 of 1024 VGPRs on GFX10.3 wave32, 24 of 1536 on gfx1100/gfx1101 (Feature1_5xVGPRs), 8 of
    * 512 on gfx90a (unified VGPR/AGPR file); at most 16 waves per SIMD on GFX10.3+, 8 on gfx90a
    * (getMaxWavesPerEU). LDS: 128 KiB per WGP of 4 SIMD32s in WGP mode (RSRC1.WGP_MODE, bit
    * 29), 64 KiB per CU of 2 SIMDs in CU mode (AMDGPUUsage, Memory Model GFX10-GFX11); 64 KiB
    * per CU of 4 SIMDs on gfx90a. SGPRs do not limit occupancy on GFX10+ (106 per wave) nor
    * below 8 waves on gfx90a (800 per SIMD). */
   bool g11 = t == PM4D_ISA_GFX1100, g9 = t == PM4D_ISA_GFX90A;
   uint32_t granule = g9 ? 8 : g11 ? 24 : 16, total = g9 ? 512 : g11 ? 1536 : 1024;
   memset(o, 0, sizeof(*o));
   o->wave_size = (k->properties & PROP_WAVE32) ? 32 : 64;
   o->vgprs = ((k->rsrc1 & 0x3Fu) + 1) * 8;
   o->sgprs = 106;
   o->lds_bytes = k->group_segment_size;
   o->waves_per_workgroup = (workgroup_items + o->wave_size - 1) / o->wave_size;
   o->limit_hw = g9 ? 8 : 16;
   o->limit_vgpr = total / ((o->vgprs + granule - 1) / granule * granule);
   bool wgp = !g9 && ((k->rsrc1 >> 29) & 1u);
   uint32_t lds_unit = wgp ? 131072 : 65536, simds = wgp || g9 ? 4 : 2;
   o->limit_lds =
      o->lds_bytes ? lds_unit / o->lds_bytes * o->waves_per_workgroup / simds : o->limit_hw;
   o->waves_per_simd = o->limit_hw;
   if (o->limit_vgpr < o->waves_per_simd)
      o->waves_per_simd = o->limit_vgpr;
   if (o->limit_lds < o->waves_per_simd)
      o->waves_per_simd = o->limit_lds;
}
