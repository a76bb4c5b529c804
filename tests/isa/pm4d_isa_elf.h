/* ELF helpers of the model (internal to tests/isa). */
#ifndef PM4D_ISA_ELF_H
#define PM4D_ISA_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm4d_isa.h"

struct isa_elf_text {
   const void *bytes;
   uint64_t addr, size;
};

/* The .text section of an AMDGPU ELF64 code object. */
bool isa_elf_text(const void *elf, size_t size, struct isa_elf_text *out);
/* The file bytes of [addr, addr + bytes) in an allocated section, or NULL. */
const void *isa_elf_at(const void *elf, size_t size, uint64_t addr, uint64_t bytes);

#endif
