/* The model's wave executor (internal to tests/isa): wave state, memory access through the
 * owner's translation, and the instruction semantics. pm4d_isa_dispatch.c builds waves and
 * schedules them; this file runs one wave until it ends, waits at a barrier or faults. */
#ifndef PM4D_ISA_EXEC_H
#define PM4D_ISA_EXEC_H

#include "pm4d_isa_decode.h"

#define ISA_LANES   64u /* the most lanes of a wave (wave64) */
#define ISA_SGPRS   128u
#define ISA_VGPRS   256u
#define ISA_WINDOWS 8u
/* A wave that issues this many instructions is declared hung. */
#define ISA_WAVE_LIMIT 200000000ull

struct isa_wave {
   uint32_t s[ISA_SGPRS];
   uint32_t v[ISA_VGPRS][ISA_LANES];
   size_t pc; /* dword index into the code */
   bool scc, done, at_barrier;
   uint64_t executed;
};

struct isa_window {
   uint64_t addr, size;
   uint8_t *host;
   bool write; /* translated for writing (then reads are fine too) */
};

/* One dispatch being run. */
struct isa_ctx {
   enum pm4d_isa_target target;
   unsigned lanes; /* 32 or 64 */
   const uint32_t *code;
   size_t code_dw;
   struct isa_inst *decoded; /* per dword, filled on first execution */
   uint8_t *decoded_ok;
   pm4d_isa_translate_fn translate;
   void *user;
   struct isa_window win[ISA_WINDOWS];
   unsigned next_win;
   uint8_t *lds;
   uint32_t lds_bytes;
   struct pm4d_isa_result *result;
};

/* Copies n bytes between GPU memory at addr and host buffer buf (write: to GPU memory), split
 * over as many translated windows as it takes. False when some byte is not mapped for that
 * access; *fault_addr is then the first such address. */
bool isa_mem_copy(struct isa_ctx *c, uint64_t addr, void *buf, size_t n, bool write,
                  uint64_t *fault_addr);

/* Runs w until s_endpgm, s_barrier (w->at_barrier) or an error (false, result filled). */
bool isa_wave_run(struct isa_ctx *c, struct isa_wave *w);

#endif
