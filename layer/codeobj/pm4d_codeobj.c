/* The ELF side of the code-object loader. Layouts: ELF64 from the System V gABI; AMDGPU
 * specifics (EM_AMDGPU, ELFOSABI_AMDGPU_HSA, NT_AMDGPU_METADATA, the 64-byte kernel descriptor
 * and its kernel_code_properties bits) from LLVM's docs/AMDGPUUsage.rst ("ELF Code Object",
 * "Code Object V3 Kernel Descriptor") and llvm/include/llvm/BinaryFormat/ELF.h. Every read is
 * checked against the buffer; nothing here trusts an offset from the file. */
#include "pm4d_codeobj_internal.h"
#include "pm4d_device_info.h"
#include "pm4d_regs.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define EM_AMDGPU           224
#define ELFOSABI_AMDGPU_HSA 64
#define EF_AMDGPU_MACH      0xffu
#define SHT_SYMTAB          2
#define SHT_STRTAB          3
#define SHT_RELA            4
#define SHT_NOTE            7
#define SHT_NOBITS          8
#define SHT_REL             9
#define SHT_DYNSYM          11
#define PT_LOAD             1
#define NT_AMDGPU_METADATA  32
#define EHDR_SIZE           64
#define SHDR_SIZE           64
#define PHDR_SIZE           56
#define SYM_SIZE            24

/* Kernel descriptor (AMDGPUUsage, "Code Object V3 Kernel Descriptor"): byte offsets. */
#define KD_GROUP_SEGMENT_FIXED_SIZE   0
#define KD_PRIVATE_SEGMENT_FIXED_SIZE 4
#define KD_KERNARG_SIZE               8
#define KD_ENTRY_BYTE_OFFSET          16
#define KD_PGM_RSRC3                  44
#define KD_PGM_RSRC1                  48
#define KD_PGM_RSRC2                  52
#define KD_CODE_PROPERTIES            56
#define KD_SIZE                       64

/* kernel_code_properties bits. */
#define KCP_PRIVATE_SEGMENT_BUFFER (1u << 0)
#define KCP_DISPATCH_PTR           (1u << 1)
#define KCP_QUEUE_PTR              (1u << 2)
#define KCP_KERNARG_SEGMENT_PTR    (1u << 3)
#define KCP_DISPATCH_ID            (1u << 4)
#define KCP_FLAT_SCRATCH_INIT      (1u << 5)
#define KCP_PRIVATE_SEGMENT_SIZE   (1u << 6)
#define KCP_WAVEFRONT_SIZE32       (1u << 10)
#define KCP_USES_DYNAMIC_STACK     (1u << 11)

const char *pm4d_codeobj_status_name(enum pm4d_codeobj_status s)
{
   switch (s) {
   case PM4D_CODEOBJ_OK: return "ok";
   case PM4D_CODEOBJ_BAD_ELF: return "bad ELF";
   case PM4D_CODEOBJ_WRONG_MACHINE: return "wrong machine";
   case PM4D_CODEOBJ_BAD_METADATA: return "bad metadata";
   case PM4D_CODEOBJ_NO_DESCRIPTOR: return "missing descriptor";
   case PM4D_CODEOBJ_UNSUPPORTED: return "unsupported";
   }
   return "unknown";
}

/* Little-endian reads, independent of the host's byte order. */
static uint64_t rd(const uint8_t *p, unsigned n)
{
   uint64_t v = 0;
   for (unsigned i = n; i--;)
      v = (v << 8) | p[i];
   return v;
}

static bool in_range(uint64_t size, uint64_t off, uint64_t len)
{
   return off <= size && len <= size - off;
}

struct elf {
   const uint8_t *b;
   uint64_t size;
   uint64_t shoff, phoff;
   uint32_t shnum, phnum;
};

/* Section header i (index checked against shnum, table checked at open). */
struct shdr {
   uint32_t type, link;
   uint64_t addr, offset, size, entsize;
};

static struct shdr section(const struct elf *e, uint32_t i)
{
   const uint8_t *p = e->b + e->shoff + (uint64_t)i * SHDR_SIZE;
   return (struct shdr){
      .type = (uint32_t)rd(p + 4, 4),
      .addr = rd(p + 16, 8),
      .offset = rd(p + 24, 8),
      .size = rd(p + 32, 8),
      .link = (uint32_t)rd(p + 40, 4),
      .entsize = rd(p + 56, 8),
   };
}

static enum pm4d_codeobj_status elf_open(struct elf *e, const void *buf, size_t size, char *reason,
                                         size_t rs)
{
   const uint8_t *b = buf;
   e->b = b;
   e->size = size;
   if (!b || size < EHDR_SIZE)
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_ELF, "ELF header truncated (%zu bytes)", size);
   if (memcmp(b, "\177ELF", 4))
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_ELF, "no ELF magic");
   if (b[4] != 2 || b[5] != 1 || b[7] != ELFOSABI_AMDGPU_HSA || rd(b + 18, 2) != EM_AMDGPU)
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_WRONG_MACHINE,
                       "not a 64-bit little-endian AMDGPU HSA object (class %u, data %u, "
                       "OS/ABI %u, machine %u)",
                       b[4], b[5], b[7], (unsigned)rd(b + 18, 2));
   e->phoff = rd(b + 32, 8);
   e->shoff = rd(b + 40, 8);
   e->phnum = (uint32_t)rd(b + 56, 2);
   e->shnum = (uint32_t)rd(b + 60, 2);
   if ((e->phnum && rd(b + 54, 2) != PHDR_SIZE) || (e->shnum && rd(b + 58, 2) != SHDR_SIZE))
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_ELF, "unexpected header entry sizes");
   if (!in_range(size, e->shoff, (uint64_t)e->shnum * SHDR_SIZE) ||
       !in_range(size, e->phoff, (uint64_t)e->phnum * PHDR_SIZE))
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_ELF,
                       "section or program headers past the end (%zu bytes)", size);
   for (uint32_t i = 0; i < e->shnum; i++) {
      struct shdr sh = section(e, i);
      if (sh.type != SHT_NOBITS && !in_range(size, sh.offset, sh.size))
         return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_ELF, "section %u past the end of the file",
                          i);
      if ((sh.type == SHT_REL || sh.type == SHT_RELA) && sh.size)
         return pm4d_fail(reason, rs, PM4D_CODEOBJ_UNSUPPORTED,
                          "section %u holds relocations, which the loader does not apply", i);
   }
   return PM4D_CODEOBJ_OK;
}

/* The NT_AMDGPU_METADATA note's descriptor, searched in every SHT_NOTE section. */
static bool find_metadata(const struct elf *e, const uint8_t **desc, uint64_t *desc_size)
{
   for (uint32_t i = 0; i < e->shnum; i++) {
      struct shdr sh = section(e, i);
      if (sh.type != SHT_NOTE)
         continue;
      const uint8_t *p = e->b + sh.offset;
      uint64_t left = sh.size;
      while (left >= 12) {
         uint64_t namesz = rd(p, 4), descsz = rd(p + 4, 4), type = rd(p + 8, 4);
         uint64_t name_pad = (namesz + 3) & ~3ull, desc_pad = (descsz + 3) & ~3ull;
         if (name_pad > left - 12 || desc_pad > left - 12 - name_pad)
            break;
         if (type == NT_AMDGPU_METADATA && namesz == 7 && !memcmp(p + 12, "AMDGPU", 7)) {
            *desc = p + 12 + name_pad;
            *desc_size = descsz;
            return true;
         }
         p += 12 + name_pad + desc_pad;
         left -= 12 + name_pad + desc_pad;
      }
   }
   return false;
}

/* Address of symbol `name` in .symtab (or .dynsym when stripped). */
static bool find_symbol(const struct elf *e, const char *name, uint64_t *value)
{
   size_t name_len = strlen(name);
   for (int pass = 0; pass < 2; pass++) {
      uint32_t want = pass ? SHT_DYNSYM : SHT_SYMTAB;
      for (uint32_t i = 0; i < e->shnum; i++) {
         struct shdr sh = section(e, i);
         if (sh.type != want || sh.entsize != SYM_SIZE || sh.link >= e->shnum)
            continue;
         struct shdr str = section(e, sh.link);
         if (str.type != SHT_STRTAB)
            continue;
         for (uint64_t off = 0; off + SYM_SIZE <= sh.size; off += SYM_SIZE) {
            const uint8_t *sym = e->b + sh.offset + off;
            uint64_t st_name = rd(sym, 4);
            if (!in_range(str.size, st_name, name_len + 1))
               continue;
            const uint8_t *s = e->b + str.offset + st_name;
            if (!memcmp(s, name, name_len) && s[name_len] == 0) {
               *value = rd(sym + 8, 8);
               return true;
            }
         }
      }
   }
   return false;
}

/* File bytes of the address range [addr, addr + len), if one section holds all of them. */
static const uint8_t *bytes_at(const struct elf *e, uint64_t addr, uint64_t len)
{
   for (uint32_t i = 0; i < e->shnum; i++) {
      struct shdr sh = section(e, i);
      if (sh.type == SHT_NOBITS || sh.type == 0 || !sh.addr)
         continue;
      if (addr >= sh.addr && in_range(sh.size, addr - sh.addr, len))
         return e->b + sh.offset + (addr - sh.addr);
   }
   return NULL;
}

static enum pm4d_codeobj_status image_extent(const struct elf *e, uint64_t *extent, char *reason,
                                             size_t rs)
{
   *extent = 0;
   for (uint32_t i = 0; i < e->phnum; i++) {
      const uint8_t *ph = e->b + e->phoff + (uint64_t)i * PHDR_SIZE;
      if (rd(ph, 4) != PT_LOAD)
         continue;
      uint64_t off = rd(ph + 8, 8), vaddr = rd(ph + 16, 8);
      uint64_t filesz = rd(ph + 32, 8), memsz = rd(ph + 40, 8);
      if (!in_range(e->size, off, filesz) || filesz > memsz ||
          !in_range(PM4D_CODEOBJ_IMAGE_MAX, vaddr, memsz))
         return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_ELF,
                          "PT_LOAD segment %u past the file or the %u MiB image limit", i,
                          PM4D_CODEOBJ_IMAGE_MAX >> 20);
      if (vaddr + memsz > *extent)
         *extent = vaddr + memsz;
   }
   if (!*extent)
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_ELF, "no PT_LOAD segment");
   return PM4D_CODEOBJ_OK;
}

/* Reads NAME.kd and refuses what the PM4 path cannot provide. */
static enum pm4d_codeobj_status read_descriptor(const struct elf *e, uint64_t image_size,
                                                struct pm4d_kernel_desc *d, char *reason, size_t rs)
{
   char sym[PM4D_KERNEL_NAME_MAX + 4];
   uint64_t addr;
   snprintf(sym, sizeof(sym), "%s.kd", d->name);
   if (!find_symbol(e, sym, &addr))
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_NO_DESCRIPTOR, "%s: no symbol %s", d->name, sym);
   const uint8_t *kd = bytes_at(e, addr, KD_SIZE);
   if (!kd || !in_range(image_size, addr, KD_SIZE))
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_NO_DESCRIPTOR,
                       "%s: descriptor at 0x%llx lies outside the loaded sections", d->name,
                       (unsigned long long)addr);
   uint32_t group = (uint32_t)rd(kd + KD_GROUP_SEGMENT_FIXED_SIZE, 4);
   uint32_t priv = (uint32_t)rd(kd + KD_PRIVATE_SEGMENT_FIXED_SIZE, 4);
   uint32_t kernarg = (uint32_t)rd(kd + KD_KERNARG_SIZE, 4);
   uint32_t props = (uint32_t)rd(kd + KD_CODE_PROPERTIES, 2);
   d->desc_offset = addr;
   d->entry_offset = (int64_t)rd(kd + KD_ENTRY_BYTE_OFFSET, 8);
   d->rsrc1 = (uint32_t)rd(kd + KD_PGM_RSRC1, 4);
   d->rsrc2 = (uint32_t)rd(kd + KD_PGM_RSRC2, 4);
   d->rsrc3 = (uint32_t)rd(kd + KD_PGM_RSRC3, 4);
   d->kernel_code_properties = (uint16_t)props;

   static const struct {
      uint32_t bit;
      const char *what;
   } refused[] = {
      {KCP_PRIVATE_SEGMENT_BUFFER, "the private segment buffer (scratch memory)"},
      {KCP_DISPATCH_PTR, "the dispatch packet pointer"},
      {KCP_QUEUE_PTR, "the queue pointer"},
      {KCP_DISPATCH_ID, "a dispatch id"},
      {KCP_FLAT_SCRATCH_INIT, "flat scratch (scratch memory)"},
      {KCP_PRIVATE_SEGMENT_SIZE, "the private segment size"},
      {KCP_USES_DYNAMIC_STACK, "a dynamic stack (scratch memory)"},
   };
   for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
      if (props & refused[i].bit)
         return pm4d_fail(reason, rs, PM4D_CODEOBJ_UNSUPPORTED, "%s asks for %s in user SGPRs",
                          d->name, refused[i].what);
   }
   if (!(props & KCP_KERNARG_SEGMENT_PTR))
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_UNSUPPORTED, "%s takes no kernarg segment pointer",
                       d->name);
   if (priv || d->private_segment_size || (d->rsrc2 & PM4D_RSRC2_SCRATCH_EN))
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_UNSUPPORTED,
                       "%s needs scratch (%u bytes per work-item)", d->name,
                       priv ? priv : d->private_segment_size);
   /* With every other user SGPR refused, the kernarg pointer is s[0:1]. RSRC2 may count more
    * (GFX11 pads user + system SGPRs to 16); those are never read. */
   if (PM4D_RSRC2_USER_SGPR(d->rsrc2) < 2)
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_METADATA,
                       "%s: RSRC2 has %u user SGPRs, fewer than its kernarg pointer needs", d->name,
                       PM4D_RSRC2_USER_SGPR(d->rsrc2));
   if (kernarg != d->kernarg_size || group != d->group_segment_size ||
       ((props & KCP_WAVEFRONT_SIZE32) ? 32u : 64u) != d->wave_size)
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_METADATA,
                       "%s: descriptor and metadata disagree on kernarg size (%u/%u), "
                       "LDS size (%u/%u) or wave size",
                       d->name, kernarg, d->kernarg_size, group, d->group_segment_size);
   /* entry_offset is signed and relative to the descriptor: compute in signed 64 bits within
    * the (at most PM4D_CODEOBJ_IMAGE_MAX) image. */
   if (d->entry_offset < -(int64_t)addr || d->entry_offset >= (int64_t)(image_size - addr) ||
       ((int64_t)addr + d->entry_offset) % 256)
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_ELF,
                       "%s: entry offset %lld leaves the image or is not 256-byte aligned", d->name,
                       (long long)d->entry_offset);
   return PM4D_CODEOBJ_OK;
}

enum pm4d_codeobj_status pm4d_codeobj_load(const void *buf, size_t size,
                                           struct pm4d_codeobj_info *info, char *reason, size_t rs)
{
   struct elf e;
   enum pm4d_codeobj_status st;
   const uint8_t *note;
   uint64_t note_size;

   memset(info, 0, sizeof(*info));
   if ((st = elf_open(&e, buf, size, reason, rs)) != PM4D_CODEOBJ_OK)
      return st;
   info->mach = (uint32_t)rd(e.b + 48, 4) & EF_AMDGPU_MACH;
   if ((st = image_extent(&e, &info->image_size, reason, rs)) != PM4D_CODEOBJ_OK)
      return st;
   if (!find_metadata(&e, &note, &note_size))
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_METADATA, "no NT_AMDGPU_METADATA note");
   if ((st = pm4d_codeobj_meta_parse(note, note_size, info, reason, rs)) != PM4D_CODEOBJ_OK)
      return st;
   size_t ndev;
   const struct pm4d_device_info *dev = pm4d_device_info_all(&ndev);
   for (size_t i = 0; i < ndev; i++) {
      if (dev[i].elf_mach == info->mach && strcmp(dev[i].name, info->target))
         return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_METADATA,
                          "ELF flags say %s, metadata says %s", dev[i].name, info->target);
   }
   for (uint32_t i = 0; i < info->num_kernels; i++) {
      struct pm4d_kernel_desc *d = &info->kernels[i];
      memcpy(d->target, info->target, sizeof(d->target));
      if ((st = read_descriptor(&e, info->image_size, d, reason, rs)) != PM4D_CODEOBJ_OK)
         return st;
   }
   return PM4D_CODEOBJ_OK;
}

const struct pm4d_kernel_desc *pm4d_codeobj_find(const struct pm4d_codeobj_info *info,
                                                 const char *name)
{
   for (uint32_t i = 0; i < info->num_kernels; i++) {
      if (!strcmp(info->kernels[i].name, name))
         return &info->kernels[i];
   }
   return NULL;
}

const struct pm4d_kernel_desc *pm4d_codeobj_find_entry(const struct pm4d_codeobj_info *info,
                                                       uint64_t entry)
{
   for (uint32_t i = 0; i < info->num_kernels; i++) {
      const struct pm4d_kernel_desc *d = &info->kernels[i];
      if (d->desc_offset + (uint64_t)d->entry_offset == entry)
         return d;
   }
   return NULL;
}

enum pm4d_codeobj_status pm4d_codeobj_image_copy(const void *buf, size_t size, void *dst,
                                                 size_t dst_size, char *reason, size_t rs)
{
   struct elf e;
   enum pm4d_codeobj_status st;
   uint64_t extent;
   if ((st = elf_open(&e, buf, size, reason, rs)) != PM4D_CODEOBJ_OK ||
       (st = image_extent(&e, &extent, reason, rs)) != PM4D_CODEOBJ_OK)
      return st;
   if (extent > dst_size)
      return pm4d_fail(reason, rs, PM4D_CODEOBJ_BAD_ELF,
                       "image needs %llu bytes, destination has %zu", (unsigned long long)extent,
                       dst_size);
   memset(dst, 0, (size_t)extent);
   for (uint32_t i = 0; i < e.phnum; i++) {
      const uint8_t *ph = e.b + e.phoff + (uint64_t)i * PHDR_SIZE;
      if (rd(ph, 4) == PT_LOAD)
         memcpy((uint8_t *)dst + rd(ph + 16, 8), e.b + rd(ph + 8, 8), (size_t)rd(ph + 32, 8));
   }
   return PM4D_CODEOBJ_OK;
}
