/* The virtual GPU's own register and packet knowledge, written from the Linux kernel's headers
 * (drivers/gpu/drm/amd/amdgpu/nvd.h and soc15d.h for packets and fields;
 * drivers/gpu/drm/amd/include/asic_reg/gc/gc_9_4_2_offset.h, gc_10_3_0_offset.h and
 * gc_11_0_0_offset.h for registers), never from layer/pm4: a wrong offset there must show up
 * here. */
#ifndef VGPU_CP_REGS_H
#define VGPU_CP_REGS_H

#include <stdint.h>

/* PM4 header (nvd.h CP_PACKET_GET_TYPE / GET_COUNT / PACKET3_GET_OPCODE). */
#define VGPU_PKT_TYPE(h)  (((h) >> 30) & 3u)
#define VGPU_PKT_COUNT(h) (((h) >> 16) & 0x3FFFu) /* body dwords - 1 */
#define VGPU_PKT3_OP(h)   (((h) >> 8) & 0xFFu)
#define VGPU_PKT3_NOP_PAD 0xFFFF1000u /* Mesa sid.h PKT3_NOP_PAD: PKT3(NOP, 0x3fff), header only */

/* Type-3 opcodes (nvd.h "Packet 3 types"; soc15d.h has the same values). */
enum vgpu_op {
   VGPU_OP_NOP = 0x10,
   VGPU_OP_SET_BASE = 0x11,
   VGPU_OP_CLEAR_STATE = 0x12,
   VGPU_OP_DISPATCH_DIRECT = 0x15,
   VGPU_OP_DISPATCH_INDIRECT = 0x16,
   VGPU_OP_CONTEXT_CONTROL = 0x28,
   VGPU_OP_WRITE_DATA = 0x37,
   VGPU_OP_WAIT_REG_MEM = 0x3C,
   VGPU_OP_INDIRECT_BUFFER = 0x3F,
   VGPU_OP_COPY_DATA = 0x40,
   VGPU_OP_PFP_SYNC_ME = 0x42,
   VGPU_OP_EVENT_WRITE = 0x46,
   VGPU_OP_EVENT_WRITE_EOP = 0x47,
   VGPU_OP_RELEASE_MEM = 0x49,
   VGPU_OP_PREAMBLE_CNTL = 0x4A,
   VGPU_OP_DMA_DATA = 0x50,
   VGPU_OP_ACQUIRE_MEM = 0x58,
   VGPU_OP_SET_CONTEXT_REG = 0x69,
   VGPU_OP_SET_CONTEXT_REG_INDEX = 0x6A,
   VGPU_OP_SET_SH_REG = 0x76,
   VGPU_OP_SET_UCONFIG_REG = 0x79,
   VGPU_OP_SET_UCONFIG_REG_INDEX = 0x7A,
   VGPU_OP_SET_SH_REG_INDEX = 0x9B,
};

/* Register spaces as dword offsets (nvd.h PACKET3_SET_*_REG_START/END). UCONFIG: Mesa's sid.h
 * CIK_UCONFIG_REG_OFFSET 0x30000 .. CIK_UCONFIG_REG_END 0x40000 (bytes), wider than nvd.h's
 * 0xc000..0xc400 because GFX11 RADV writes above 0xc400 (e.g. SPI_GS_THROTTLE_CNTL1). */
#define VGPU_SH_REG_START      0x2C00u
#define VGPU_SH_REGS           0x400u /* 0x2c00 .. 0x3000 */
#define VGPU_CONTEXT_REGS      0x400u /* 0xa000 .. 0xa400 */
#define VGPU_UCONFIG_REGS      0x4000u
#define VGPU_SET_REG_OFFSET(d) ((d)&0xFFFFu) /* body[0] of SET_*_REG: offset from START */

/* INDIRECT_BUFFER body[2]: size and CHAIN from Mesa sid.h S_3F2_IB_SIZE / S_3F2_CHAIN (the kernel
 * headers name neither). VALID (nvd.h bit 23) is not required: RADV 22.3 calls its gfx_init IB
 * without it. */
#define VGPU_IB_SIZE(d) ((d)&0xFFFFFu)
#define VGPU_IB_CHAIN   (1u << 20)
#define VGPU_IB_ADDR_HI 0xFFFFu /* body[1]: address bits 47:32 */

/* WRITE_DATA body[0] (nvd.h). */
#define VGPU_WD_DST_SEL(d) (((d) >> 8) & 0xFu)
#define VGPU_WD_ONE_ADDR   (1u << 16)
/* WAIT_REG_MEM body[0] (nvd.h). */
#define VGPU_WRM_FUNCTION(d)  ((d)&7u)
#define VGPU_WRM_MEM_SPACE(d) (((d) >> 4) & 3u)
#define VGPU_WRM_OPERATION(d) (((d) >> 6) & 3u)
/* RELEASE_MEM body[1] (nvd.h PACKET3_RELEASE_MEM_DATA_SEL / INT_SEL / DST_SEL). */
#define VGPU_RM_DATA_SEL(d) (((d) >> 29) & 7u)
#define VGPU_RM_INT_SEL(d)  (((d) >> 24) & 7u)
#define VGPU_RM_DST_SEL(d)  (((d) >> 16) & 3u)
/* EVENT_WRITE_EOP body[2] (soc15d.h EOP_DATA_SEL / EOP_INT_SEL; address bits 47:32 below). */
#define VGPU_EOP_DATA_SEL(d) (((d) >> 29) & 7u)
#define VGPU_EOP_INT_SEL(d)  (((d) >> 24) & 7u)
/* DMA_DATA body[0] control and body[5] command (nvd.h PACKET3_DMA_DATA_*). */
#define VGPU_DMA_DST_SEL(d)    (((d) >> 20) & 3u)
#define VGPU_DMA_SRC_SEL(d)    (((d) >> 29) & 3u)
#define VGPU_DMA_BYTE_COUNT(d) ((d)&0x3FFFFFFu)
#define VGPU_DMA_CMD_SAS       (1u << 26)
#define VGPU_DMA_CMD_DAS       (1u << 27)
#define VGPU_DMA_CMD_SAIC      (1u << 28)
#define VGPU_DMA_CMD_DAIC      (1u << 29)
/* COPY_DATA body[0] (Mesa sid.h COPY_DATA_SRC_SEL / DST_SEL / COUNT_SEL; soc15d.h lacks them):
 * sources 1 memory, 2 TC L2, 5 immediate, 9 timestamp; destinations 1, 2, 5 memory. */
#define VGPU_CD_SRC_SEL(d) ((d)&0xFu)
#define VGPU_CD_DST_SEL(d) (((d) >> 8) & 0xFu)
#define VGPU_CD_COUNT_SEL  (1u << 16)

/* COMPUTE_DISPATCH_INITIATOR fields (gc_10_3_0_sh_mask.h and gc_11_0_0_sh_mask.h:
 * COMPUTE_SHADER_EN 0, USE_THREAD_DIMENSIONS 5, CS_W32_EN 15). */
#define VGPU_INIT_COMPUTE_SHADER_EN     (1u << 0)
#define VGPU_INIT_USE_THREAD_DIMENSIONS (1u << 5)
#define VGPU_INIT_CS_W32_EN             (1u << 15)
/* COMPUTE_PGM_HI__DATA_MASK 0xff; COMPUTE_NUM_THREAD_X__NUM_THREAD_FULL_MASK 0xffff;
 * COMPUTE_PGM_RSRC2__USER_SGPR 5:1, __LDS_SIZE 23:15 (gc_10_3_0/gc_11_0_0 sh_mask.h). */
#define VGPU_PGM_HI_DATA          0xFFu
#define VGPU_NUM_THREAD_FULL(d)   ((d)&0xFFFFu)
#define VGPU_RSRC2_USER_SGPR(d)   (((d) >> 1) & 0x1Fu)
#define VGPU_RSRC2_LDS_SIZE_SHIFT 15
#define VGPU_RSRC2_LDS_SIZE_MASK  0x00FF8000u
/* LLVM AMDGPUUsage, compute_pgm_rsrc2 GRANULATED_LDS_SIZE: GFX7-GFX11 blocks of 128 dwords. */
#define VGPU_LDS_GRANULE_BYTES 512u
/* Kernel descriptor kernel_code_properties bits (AMDGPUUsage "Kernel Descriptor" table). */
#define VGPU_KCP_PRIVATE_SEGMENT_BUFFER (1u << 0)
#define VGPU_KCP_DISPATCH_PTR           (1u << 1)
#define VGPU_KCP_QUEUE_PTR              (1u << 2)
#define VGPU_KCP_KERNARG_SEGMENT_PTR    (1u << 3)
#define VGPU_KCP_WAVEFRONT_SIZE32       (1u << 10)

#define VGPU_POISON_MAX 16

/* COMPUTE_* registers of one GFX level, as indices into the SH register space
 * (mmREG + GC segment 0 base - 0x2c00). */
struct vgpu_cp_regs {
   const char *level;
   uint32_t pgm_lo, pgm_hi, rsrc1, rsrc2, rsrc3, start_x, num_thread_x, user_data_0;
   /* Registers Mesa writes in every compute preamble: poisoned at context start; a dispatch
    * that inherits one is counted (issue 16). */
   uint32_t num_poisoned;
   struct {
      uint32_t index;
      const char *name;
   } poisoned[VGPU_POISON_MAX];
};

/* The table for target ("gfx1030", "gfx1036", "gfx1100", "gfx90a"), or NULL where the CP has
 * none. */
const struct vgpu_cp_regs *vgpu_cp_regs_for(const char *target);

#endif
