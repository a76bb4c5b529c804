/* The model's own reading of an AMD code object: ELF64 section and symbol tables (System V gABI
 * layouts, /usr/include/elf.h), the `<kernel>.kd` symbol and its 64-byte kernel descriptor
 * (LLVM AMDGPUUsage, "Kernel Descriptor", table "Kernel Descriptor for GFX6-GFX11": group
 * segment size at byte 0, private segment size at 4, kernarg size at 8, kernel code entry byte
 * offset (signed 64) at 16, COMPUTE_PGM_RSRC3 at 44, RSRC1 at 48, RSRC2 at 52,
 * kernel_code_properties at 56). Deliberately independent of layer/codeobj. */
#include "pm4d_isa_elf.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#ifndef EM_AMDGPU
#define EM_AMDGPU 224 /* elf.h of glibc 2.36 has it; older ones do not */
#endif

static uint32_t rd32(const uint8_t *p)
{
   return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool header(const uint8_t *b, size_t size, Elf64_Ehdr *eh)
{
   if (size < sizeof(*eh))
      return false;
   memcpy(eh, b, sizeof(*eh));
   return memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
          eh->e_ident[EI_DATA] == ELFDATA2LSB && eh->e_machine == EM_AMDGPU &&
          eh->e_shentsize == sizeof(Elf64_Shdr) && eh->e_shoff < size &&
          eh->e_shnum <= (size - eh->e_shoff) / sizeof(Elf64_Shdr) && eh->e_shstrndx < eh->e_shnum;
}

static Elf64_Shdr section(const uint8_t *b, const Elf64_Ehdr *eh, unsigned i)
{
   Elf64_Shdr sh;
   memcpy(&sh, b + eh->e_shoff + (size_t)i * sizeof(sh), sizeof(sh));
   return sh;
}

static bool in_file(const Elf64_Shdr *sh, size_t size)
{
   return sh->sh_type == SHT_NOBITS ||
          (sh->sh_offset <= size && sh->sh_size <= size - sh->sh_offset);
}

bool isa_elf_text(const void *elf, size_t size, struct isa_elf_text *out)
{
   const uint8_t *b = elf;
   Elf64_Ehdr eh;
   if (!header(b, size, &eh))
      return false;
   Elf64_Shdr names = section(b, &eh, eh.e_shstrndx);
   if (!in_file(&names, size))
      return false;
   for (unsigned i = 0; i < eh.e_shnum; i++) {
      Elf64_Shdr sh = section(b, &eh, i);
      if (sh.sh_name >= names.sh_size || !in_file(&sh, size) || sh.sh_type != SHT_PROGBITS)
         continue;
      const char *n = (const char *)b + names.sh_offset + sh.sh_name;
      if (strnlen(n, names.sh_size - sh.sh_name) < names.sh_size - sh.sh_name &&
          strcmp(n, ".text") == 0) {
         out->bytes = b + sh.sh_offset;
         out->addr = sh.sh_addr;
         out->size = sh.sh_size;
         return true;
      }
   }
   return false;
}

const void *isa_elf_at(const void *elf, size_t size, uint64_t addr, uint64_t bytes)
{
   const uint8_t *b = elf;
   Elf64_Ehdr eh;
   if (!header(b, size, &eh))
      return NULL;
   for (unsigned i = 0; i < eh.e_shnum; i++) {
      Elf64_Shdr sh = section(b, &eh, i);
      if (sh.sh_type == SHT_NOBITS || !(sh.sh_flags & SHF_ALLOC) || !in_file(&sh, size))
         continue;
      if (addr >= sh.sh_addr && addr - sh.sh_addr <= sh.sh_size &&
          bytes <= sh.sh_size - (addr - sh.sh_addr))
         return b + sh.sh_offset + (addr - sh.sh_addr);
   }
   return NULL;
}

/* Looks `name` up in the first symbol table; *value = its st_value. */
static bool symbol(const uint8_t *b, size_t size, const Elf64_Ehdr *eh, const char *name,
                   uint64_t *value)
{
   for (unsigned i = 0; i < eh->e_shnum; i++) {
      Elf64_Shdr sh = section(b, eh, i);
      if (sh.sh_type != SHT_SYMTAB || sh.sh_link >= eh->e_shnum || !in_file(&sh, size))
         continue;
      Elf64_Shdr str = section(b, eh, sh.sh_link);
      if (!in_file(&str, size))
         return false;
      for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= sh.sh_size; off += sizeof(Elf64_Sym)) {
         Elf64_Sym s;
         memcpy(&s, b + sh.sh_offset + off, sizeof(s));
         if (s.st_name >= str.sh_size)
            continue;
         const char *n = (const char *)b + str.sh_offset + s.st_name;
         size_t max = str.sh_size - s.st_name;
         if (strnlen(n, max) < max && strcmp(n, name) == 0) {
            *value = s.st_value;
            return true;
         }
      }
   }
   return false;
}

enum pm4d_isa_status pm4d_isa_kernel_find(const void *elf, size_t size, const char *name,
                                          struct pm4d_isa_kernel *k, char *reason, size_t rs)
{
   const uint8_t *b = elf;
   Elf64_Ehdr eh;
   char kd[256];
   uint64_t addr;
   struct isa_elf_text text;
   memset(k, 0, sizeof(*k));
   if (!header(b, size, &eh) || !isa_elf_text(elf, size, &text)) {
      snprintf(reason, rs, "not an AMDGPU ELF64 code object with a .text section");
      return PM4D_ISA_BAD_CODE_OBJECT;
   }
   if (snprintf(kd, sizeof(kd), "%s.kd", name) >= (int)sizeof(kd) ||
       !symbol(b, size, &eh, kd, &addr)) {
      snprintf(reason, rs, "no symbol %.200s.kd in the code object", name);
      return PM4D_ISA_BAD_CODE_OBJECT;
   }
   const uint8_t *d = isa_elf_at(elf, size, addr, 64);
   if (!d) {
      snprintf(reason, rs, "descriptor %.200s at 0x%llx is outside the file", kd,
               (unsigned long long)addr);
      return PM4D_ISA_BAD_CODE_OBJECT;
   }
   k->group_segment_size = rd32(d + 0);
   k->private_segment_size = rd32(d + 4);
   k->kernarg_size = rd32(d + 8);
   k->entry_offset = (int64_t)((uint64_t)rd32(d + 16) | (uint64_t)rd32(d + 20) << 32);
   k->rsrc3 = rd32(d + 44);
   k->rsrc1 = rd32(d + 48);
   k->rsrc2 = rd32(d + 52);
   k->properties = (uint16_t)(d[56] | d[57] << 8);
   k->desc_offset = addr;
   k->text_offset = text.addr;
   k->text_size = text.size;
   uint64_t entry = addr + (uint64_t)k->entry_offset;
   if (entry < text.addr || entry >= text.addr + text.size || (entry & 3u)) {
      snprintf(reason, rs, "%.200s: entry 0x%llx is not in .text", kd, (unsigned long long)entry);
      return PM4D_ISA_BAD_CODE_OBJECT;
   }
   return PM4D_ISA_OK;
}
