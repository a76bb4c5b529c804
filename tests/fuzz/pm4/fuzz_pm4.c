/* libFuzzer target for the packet iterator, decoder and validator. Input: one byte (GFX level
 * = byte % 3; bit 7 = "xor mode"), then little-endian dwords. In xor mode the dwords are
 * XORed over a valid batch that the builder makes for the validator's one registered kernel,
 * so small inputs reach the validator's deep checks; otherwise they are the stream itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_decode.h"
#include "pm4d_iter.h"
#include "pm4d_validate.h"

#define MAX_DW 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
   static FILE *f;
   if (!f)
      f = fopen("/dev/null", "w");
   return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   static uint32_t dw[MAX_DW];
   if (size < 1)
      return 0;
   enum pm4d_gfx_level level = (enum pm4d_gfx_level)((data[0] & 0x7F) % PM4D_GFX_COUNT);
   uint32_t ndw = (uint32_t)((size - 1) / 4);
   if (ndw > MAX_DW)
      ndw = MAX_DW;
   memset(dw, 0, sizeof(dw));
   memcpy(dw, data + 1, ndw * 4u);

   static const char *targets[PM4D_GFX_COUNT] = {"gfx900", "gfx1030", "gfx1100"};
   struct pm4d_kernel_desc k = {
      .rsrc1 = 0x60AF0042u,
      .rsrc2 = 0x84u,
      .kernarg_size = 64,
      .kernarg_align = 16,
      .group_segment_size = 4096,
      .wg_size = {64, 1, 1},
      .wave_size = 64,
   };
   snprintf(k.name, sizeof(k.name), "fuzz");
   snprintf(k.target, sizeof(k.target), "%s", targets[level]);

   if (data[0] & 0x80) {
      static const uint32_t grid[3] = {3, 2, 1};
      uint32_t batch[128];
      struct pm4d_builder b;
      struct pm4d_cs cs;
      char reason[PM4D_PM4_REASON_MAX] = "";
      pm4d_cs_init(&cs, batch, 128);
      if (pm4d_builder_init(&b, level) != PM4D_OK ||
          pm4d_builder_batch_head(&b, &cs, reason, sizeof(reason)) != PM4D_OK ||
          pm4d_builder_dispatch(&b, &k, 0x00007F1234567800ull, 0x00007E0000001000ull, grid, true,
                                &cs, NULL, reason, sizeof(reason)) != PM4D_OK ||
          pm4d_builder_batch_tail(&b, 0x00007D0000000100ull, 1, &cs, NULL, reason,
                                  sizeof(reason)) != PM4D_OK)
         abort(); /* the builder must accept its own fixed inputs */
      for (uint32_t i = 0; i < cs.cdw; i++)
         dw[i] ^= batch[i];
      if (ndw < cs.cdw)
         ndw = cs.cdw;
   }
   /* an exactly sized heap copy, so ASan sees any read past the stream */
   uint32_t *copy = malloc(ndw ? ndw * 4u : 4u);
   if (!copy)
      return 0;
   memcpy(copy, dw, ndw * 4u);

   struct pm4d_validator v;
   struct pm4d_validate_error err;
   if (pm4d_validator_init(&v, level) == PM4D_OK) {
      pm4d_validator_add_program(&v, 0x00007F1234567800ull, 4096, &k);
      pm4d_validator_add_kernarg(&v, 0x00007E0000001000ull, 4096);
      pm4d_validator_add_fence(&v, 0x00007D0000000100ull, 64);
      pm4d_validate(&v, copy, ndw, &err);
   }
   if (sink())
      pm4d_decode(level, copy, ndw, sink());

   struct pm4d_iter it;
   struct pm4d_packet p;
   char why[PM4D_PM4_REASON_MAX] = "";
   const struct pm4d_reg_table *t = pm4d_regs_table(level);
   pm4d_iter_init(&it, copy, ndw);
   while (pm4d_iter_next(&it, &p, why, sizeof(why)) == PM4D_ITER_PACKET) {
      for (uint32_t i = 0; i < pm4d_sh_write_count(&p); i++) {
         enum pm4d_reg r;
         uint32_t off, val;
         pm4d_sh_write(&p, i, t, &r, &off, &val);
      }
   }
   free(copy);
   return 0;
}
