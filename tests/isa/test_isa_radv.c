/* RADV's buffer fill and copy compute shaders (the ones an app's vkCmdFillBuffer /
 * vkCmdCopyBuffer become on GFX10+ for large VRAM buffers) on the model, for the virtual GPU.
 * Instruction words and their text: Mesa 22.3.6 RADV (Debian 12), ACO's disassembly (LLVM 15
 * MC), dumped with RADV_DEBUG=shaders,metashaders on a null device (RADV_FORCE_FAMILY=navi21
 * for gfx1030, =gfx1100). The decoder must print the same text; the shaders must fill and copy
 * a 1000-byte buffer (63 invocations of 16 bytes, the last clamped by max_offset = size - 16)
 * when dispatched as radv_meta_buffer.c does: push constants in s2.. ({addr, max_offset, data}
 * for fill, {src, dst, max_offset} for copy), work-group id X right after them, 64 work-items.
 * Usage: test_isa_radv (no arguments). */
#include <stdio.h>
#include <string.h>

#include "isa_test_util.h"
#include "pm4d_conv2d_ref.h"
#include "pm4d_isa.h"
#include "pm4d_isa_decode.h"

struct shader {
   const char *name;
   enum pm4d_isa_target t;
   uint32_t words[20];
   unsigned nwords;
   const char *text[12];
};

static const struct shader shaders[] = {
   {"meta_buffer_fill",
    PM4D_ISA_GFX1030,
    {0xd7460000, 0x04010c06, 0x34000084, 0x22000004, 0x7e080205, 0x7e0a0205, 0x7e0c0205, 0x7e0e0205,
     0xdc788000, 0x00020400, 0xbf810000},
    11,
    {"v_lshl_add_u32 v0, s6, 6, v0", "v_lshlrev_b32_e32 v0, 4, v0", "v_min_i32_e32 v0, s4, v0",
     "v_mov_b32_e32 v4, s5", "v_mov_b32_e32 v5, s5", "v_mov_b32_e32 v6, s5", "v_mov_b32_e32 v7, s5",
     "global_store_dwordx4 v0, v[4:7], s[2:3]", "s_endpgm"}},
   {"meta_buffer_copy",
    PM4D_ISA_GFX1030,
    {0xd7460000, 0x04010c07, 0x34000084, 0x22000006, 0xdc388000, 0x04020000, 0xbf8c3f70, 0xdc788000,
     0x00040400, 0xbf810000},
    10,
    {"v_lshl_add_u32 v0, s7, 6, v0", "v_lshlrev_b32_e32 v0, 4, v0", "v_min_i32_e32 v0, s6, v0",
     "global_load_dwordx4 v[4:7], v0, s[2:3]", "s_waitcnt vmcnt(0)",
     "global_store_dwordx4 v0, v[4:7], s[4:5]", "s_endpgm"}},
   {"meta_buffer_fill",
    PM4D_ISA_GFX1100,
    {0xd6100000, 0x02290100, 0xd6460000, 0x04010c06, 0x30000084, 0x22000004, 0x7e080205, 0x7e0a0205,
     0x7e0c0205, 0x7e0e0205, 0xdc760000, 0x00020400, 0xbfb00000},
    13,
    {"v_bfe_u32 v0, v0, 0, 10", "v_lshl_add_u32 v0, s6, 6, v0", "v_lshlrev_b32_e32 v0, 4, v0",
     "v_min_i32_e32 v0, s4, v0", "v_mov_b32_e32 v4, s5", "v_mov_b32_e32 v5, s5",
     "v_mov_b32_e32 v6, s5", "v_mov_b32_e32 v7, s5", "global_store_b128 v0, v[4:7], s[2:3]",
     "s_endpgm"}},
   {"meta_buffer_copy",
    PM4D_ISA_GFX1100,
    {0xd6100000, 0x02290100, 0xd6460000, 0x04010c07, 0x30000084, 0x22000006, 0xdc5e0000, 0x04020000,
     0xbf8903f7, 0xdc760000, 0x00040400, 0xbfb00000},
    12,
    {"v_bfe_u32 v0, v0, 0, 10", "v_lshl_add_u32 v0, s7, 6, v0", "v_lshlrev_b32_e32 v0, 4, v0",
     "v_min_i32_e32 v0, s6, v0", "global_load_b128 v[4:7], v0, s[2:3]", "s_waitcnt vmcnt(0)",
     "global_store_b128 v0, v[4:7], s[4:5]", "s_endpgm"}},
};

#define BYTES 1000u

static int decode_check(const struct shader *s)
{
   int bad = 0;
   unsigned i = 0;
   char text[256], reason[256];
   for (size_t pc = 0; pc < s->nwords; i++) {
      struct isa_inst in;
      if (!isa_decode(s->t, s->words, s->nwords, pc, &in, reason, sizeof(reason))) {
         printf("FAIL %s %s: %s\n", pm4d_isa_target_name(s->t), s->name, reason);
         return 1;
      }
      isa_print(s->t, &in, text, sizeof(text));
      if (!s->text[i] || strcmp(text, s->text[i])) {
         printf("FAIL %s %s instruction %u: model '%s', RADV/LLVM '%s'\n",
                pm4d_isa_target_name(s->t), s->name, i, text, s->text[i] ? s->text[i] : "(none)");
         bad++;
      }
      pc += in.ndw;
   }
   return bad + (s->text[i] != NULL);
}

static int run(const struct shader *s)
{
   static uint32_t src[BYTES / 4], dst[BYTES / 4];
   uint32_t code[20];
   struct pm4d_ref_space sp = {0};
   bool fill = !strcmp(s->name, "meta_buffer_fill");
   for (unsigned i = 0; i < BYTES / 4; i++) {
      src[i] = i * 2654435761u;
      dst[i] = 0;
   }
   memcpy(code, s->words, sizeof(code));
   uint64_t a_src = pm4d_ref_register(&sp, src, BYTES), a_dst = pm4d_ref_register(&sp, dst, BYTES);
   const uint32_t data = 0xdeadbeefu, max_offset = BYTES - 16;
   struct pm4d_isa_regs r = {.pgm = pm4d_ref_register(&sp, code, sizeof(code)),
                             .num_thread = {64, 1, 1},
                             .grid = {(BYTES / 16 + 63) / 64, 1, 1},
                             .wave32 = true};
   /* RSRC2: USER_SGPR_COUNT = 6 (fill) / 7 (copy), TGID_X_EN (bit 7). */
   r.rsrc2 = (fill ? 6u : 7u) << 1 | 1u << 7;
   if (fill) {
      const uint32_t ud[6] = {0, 0, (uint32_t)a_dst, (uint32_t)(a_dst >> 32), max_offset, data};
      memcpy(r.user_data, ud, sizeof(ud));
   } else {
      const uint32_t ud[7] = {0,
                              0,
                              (uint32_t)a_src,
                              (uint32_t)(a_src >> 32),
                              (uint32_t)a_dst,
                              (uint32_t)(a_dst >> 32),
                              max_offset};
      memcpy(r.user_data, ud, sizeof(ud));
   }
   struct pm4d_isa_result res;
   if (pm4d_isa_run_regs(s->t, &r, isa_test_translate, &sp, &res) != PM4D_ISA_OK) {
      printf("FAIL %s %s: %s\n", pm4d_isa_target_name(s->t), s->name, res.reason);
      return 1;
   }
   for (unsigned i = 0; i < BYTES / 4; i++)
      if (dst[i] != (fill ? data : src[i])) {
         printf("FAIL %s %s: dword %u is 0x%08x\n", pm4d_isa_target_name(s->t), s->name, i, dst[i]);
         return 1;
      }
   printf("ok   %s %s: %u bytes, %llu instructions\n", pm4d_isa_target_name(s->t), s->name, BYTES,
          (unsigned long long)res.counters.instructions);
   return 0;
}

int main(void)
{
   int bad = 0;
   for (unsigned i = 0; i < sizeof(shaders) / sizeof(shaders[0]); i++)
      bad += decode_check(&shaders[i]) + run(&shaders[i]);
   printf("%s: %d failures\n", bad ? "FAIL" : "PASS", bad);
   return bad ? 1 : 0;
}
