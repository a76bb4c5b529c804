/* An instruction-level model of AMD RDNA2 (gfx1030) and RDNA3 (gfx1100) shader cores: it runs
 * one compute dispatch of a shipped AMD code object on the CPU, wave by wave, with the initial
 * wave state the hardware would give it (kernel descriptor or COMPUTE_* registers, dispatch
 * grid and workgroup size) and all memory through the caller's address translation.
 *
 * It covers the instructions the project's conv2d code objects contain (tests/isa/README.md
 * lists them); anything else stops the dispatch with PM4D_ISA_NOT_EXECUTABLE and names the
 * encoding, the opcode number and the dword offset. It is a test model: plain C, no layer
 * internals, one dispatch per call, no threads, no global state. Nothing it counts is a
 * hardware figure. */
#ifndef PM4D_ISA_H
#define PM4D_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pm4d_isa_target {
   PM4D_ISA_GFX1030, /* RDNA2 (GFX10.3): also runs gfx1036 code, whose .text is identical */
   PM4D_ISA_GFX1100, /* RDNA3 (GFX11) */
   PM4D_ISA_GFX90A,  /* CDNA2 (GFX9): decoded; wave64 execution see README */
   PM4D_ISA_TARGET_COUNT
};

enum pm4d_isa_status {
   PM4D_ISA_OK = 0,
   PM4D_ISA_BAD_CODE_OBJECT,  /* ELF, symbol or kernel descriptor unreadable */
   PM4D_ISA_BAD_DISPATCH,     /* the descriptor asks for state this dispatch does not provide */
   PM4D_ISA_NOT_EXECUTABLE,   /* an encoding or opcode the model does not implement */
   PM4D_ISA_PAGE_FAULT,       /* a code, scalar or global access outside mapped memory */
   PM4D_ISA_LDS_OUT_OF_RANGE, /* a DS access past the workgroup's LDS allocation */
   PM4D_ISA_HANG,             /* a wave ran past the instruction limit */
   PM4D_ISA_NO_MEMORY,        /* the model could not allocate its wave state */
};
const char *pm4d_isa_status_name(enum pm4d_isa_status s);

/* Maps a GPU address for a read (write = false) or a write: *host = the bytes at addr, *bytes =
 * how many bytes from there are mapped with that access (at least 1). False is a GPU page
 * fault. An access that runs past *bytes is split and the rest translated again, so a VM can
 * answer page by page; the sim answers with the rest of the mapping. The model calls it from
 * the caller's thread only and caches the windows it returns for the length of one dispatch;
 * it reads the code through it too, up to 256 KiB from COMPUTE_PGM or the first unmapped
 * byte. */
typedef bool (*pm4d_isa_translate_fn)(void *user, uint64_t addr, bool write, void **host,
                                      size_t *bytes);

/* The dispatch as the command processor sees it, i.e. the SH registers and the
 * DISPATCH_DIRECT packet (register fields: gc_10_3_0_sh_mask.h / gc_11_0_0_sh_mask.h). */
struct pm4d_isa_regs {
   uint64_t pgm;                 /* COMPUTE_PGM_LO/HI as a byte address: the first instruction */
   uint32_t rsrc1, rsrc2, rsrc3; /* COMPUTE_PGM_RSRC1/2/3; LDS size from RSRC2.LDS_SIZE */
   uint32_t user_data[16];       /* COMPUTE_USER_DATA_0..15 */
   uint32_t num_thread[3];       /* COMPUTE_NUM_THREAD_X/Y/Z: workgroup size */
   uint32_t grid[3];             /* DISPATCH_DIRECT DIM_X/Y/Z, in workgroups */
   bool wave32;                  /* DISPATCH_INITIATOR.CS_W32_EN */
};

/* What a dispatch did. instructions counts every instruction issued by every wave (a VOPD
 * pair is one); the per-wave figures are over all waves of the dispatch. */
struct pm4d_isa_counters {
   uint64_t instructions;
   uint64_t waves, workgroups;
   uint64_t max_wave_instructions;
   uint64_t valu, salu, smem, vmem, lds, branches, barriers;
};

struct pm4d_isa_result {
   enum pm4d_isa_status status;
   char reason[256];
   struct pm4d_isa_counters counters;
};

/* Runs one dispatch from registers: the code is read at regs->pgm through translate, the
 * wave state comes from the registers as AMDGPUUsage describes it (user SGPRs from USER_DATA
 * in order, USER_SGPR_COUNT of them, then the system SGPRs RSRC2 enables). This is the call
 * a command processor makes (the sim, the virtual GPU). Returns result->status. */
enum pm4d_isa_status pm4d_isa_run_regs(enum pm4d_isa_target target,
                                       const struct pm4d_isa_regs *regs,
                                       pm4d_isa_translate_fn translate, void *user,
                                       struct pm4d_isa_result *result);

/* What one kernel descriptor (`<kernel>.kd`, 64 bytes) says, parsed by the model itself
 * (AMDGPUUsage, "Kernel Descriptor" and its tables). */
struct pm4d_isa_kernel {
   uint32_t group_segment_size, private_segment_size, kernarg_size;
   int64_t entry_offset; /* from the descriptor to the first instruction */
   uint32_t rsrc1, rsrc2, rsrc3;
   uint16_t properties;             /* kernel_code_properties */
   uint64_t desc_offset;            /* the descriptor's virtual address in the code object */
   uint64_t text_offset, text_size; /* .text's virtual address range */
};

/* Finds `<name>.kd` in a code object (ELF64, EM_AMDGPU) and parses the descriptor. */
enum pm4d_isa_status pm4d_isa_kernel_find(const void *elf, size_t size, const char *name,
                                          struct pm4d_isa_kernel *out, char *reason,
                                          size_t reason_size);

/* Runs kernel `name` of a code object held in host memory (the model maps its loaded image
 * itself), the way an AQL packet processor would set the registers from the descriptor: the
 * only user SGPRs a dispatch provides are the kernarg segment pointer; LDS = the descriptor's
 * group segment size; wave32 exactly when the descriptor says so unless force_wave is 32 or
 * 64 (negative tests). workgroup: the workgroup size. Memory other than the code goes through
 * translate. */
struct pm4d_isa_launch {
   const char *kernel;
   uint32_t grid[3], workgroup[3];
   uint64_t kernarg;
   uint32_t force_wave;         /* 0: from the descriptor */
   uint32_t lds_bytes_override; /* 0: the descriptor's group segment size */
};
enum pm4d_isa_status pm4d_isa_run_code_object(enum pm4d_isa_target target, const void *elf,
                                              size_t size, const struct pm4d_isa_launch *launch,
                                              pm4d_isa_translate_fn translate, void *user,
                                              struct pm4d_isa_result *result);

/* Register use and occupancy one descriptor implies on a target (instruction model, from
 * LLVM's AMDGPUBaseInfo rules; not a hardware measurement). */
struct pm4d_isa_occupancy {
   uint32_t wave_size, vgprs, sgprs, lds_bytes, waves_per_workgroup;
   uint32_t waves_per_simd; /* min of the limits below */
   uint32_t limit_vgpr, limit_lds, limit_hw;
};
void pm4d_isa_occupancy(enum pm4d_isa_target target, const struct pm4d_isa_kernel *k,
                        uint32_t workgroup_items, struct pm4d_isa_occupancy *out);

/* "gfx1030" -> PM4D_ISA_GFX1030 (gfx1036 too), "gfx1100", "gfx90a"; PM4D_ISA_TARGET_COUNT
 * otherwise. */
enum pm4d_isa_target pm4d_isa_target_from_name(const char *name);
const char *pm4d_isa_target_name(enum pm4d_isa_target t);

#endif
