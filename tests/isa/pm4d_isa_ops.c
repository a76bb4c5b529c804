/* Opcode tables of the two targets: the opcodes the conv2d code objects contain, per encoding,
 * with LLVM's mnemonic, plus the few more that RADV's buffer fill/copy meta shaders use
 * (v_min_i32, v_bfe_u32, global_load_dwordx4 / _b128; test_isa_radv). Numbers: the
 * *_Real_gfx10 / *_Real_gfx11 definitions of the AMDGPU backend's {SOP,SM,VOP1,VOP2,VOPC,VOP3,
 * VOPD,DS,FLAT,BUF}Instructions.td (LLVM 15) and the RDNA2 / RDNA3 ISA guides' opcode tables;
 * test_isa_objdump checks every entry the code objects use against llvm-objdump-15. The
 * small-tile and fp16-filter kernels (issue 18) added 16-bit global loads, the two-address DS
 * forms, bit-field extract/reverse, more v_cmpx, v_pk_add_f32 and v_dual_add_f32; the
 * Winograd kernel v_sub_f32 (and v_dual_sub_f32, v_dual_mul_f32), v_mul_i32_i24,
 * v_add_lshl_u32, ds_write2_b64 and ds_write_b128. An opcode not listed here is "not
 * executable". Where a target keeps most of another's numbers, its table lists only what
 * differs (a row of its own overrides the base's row of that opcode; a HIDE row says the base's
 * opcode is not that instruction here). */
#include "pm4d_isa_decode.h"

/* The base's row for this opcode is another instruction on this target. */
#define HIDE(opcode)         \
   {                         \
      (opcode), "", OP_NONE, \
      {                      \
         0                   \
      }                      \
   }
#define END             \
   {                    \
      0, NULL, OP_NONE, \
      {                 \
         0              \
      }                 \
   }

/* ---- gfx1030 (RDNA2) ---- */
static const struct isa_opinfo g10_sop1[] = {
   {3, "s_mov_b32", OP_S_MOV_B32, {0}},
   {11, "s_brev_b32", OP_S_BREV_B32, {0}},
   {60, "s_and_saveexec_b32", OP_S_AND_SAVEEXEC_B32, {0}},
   {63, "s_andn2_saveexec_b32", OP_S_ANDN2_SAVEEXEC_B32, {0}},
   END};
static const struct isa_opinfo g10_sop2[] = {{0, "s_add_u32", OP_S_ADD_U32, {0}},
                                             {2, "s_add_i32", OP_S_ADD_I32, {0}},
                                             {3, "s_sub_i32", OP_S_SUB_I32, {0}},
                                             {4, "s_addc_u32", OP_S_ADDC_U32, {0}},
                                             {9, "s_max_u32", OP_S_MAX_U32, {0}},
                                             {10, "s_cselect_b32", OP_S_CSELECT_B32, {0}},
                                             {14, "s_and_b32", OP_S_AND_B32, {0}},
                                             {16, "s_or_b32", OP_S_OR_B32, {0}},
                                             {18, "s_xor_b32", OP_S_XOR_B32, {0}},
                                             {20, "s_andn2_b32", OP_S_ANDN2_B32, {0}},
                                             {30, "s_lshl_b32", OP_S_LSHL_B32, {0}},
                                             {31, "s_lshl_b64", OP_S_LSHL_B64, {2, 2, 1, 0}},
                                             {32, "s_lshr_b32", OP_S_LSHR_B32, {0}},
                                             {38, "s_mul_i32", OP_S_MUL_I32, {0}},
                                             {39, "s_bfe_u32", OP_S_BFE_U32, {0}},
                                             {53, "s_mul_hi_u32", OP_S_MUL_HI_U32, {0}},
                                             END};
static const struct isa_opinfo g10_sopk[] = {{0, "s_movk_i32", OP_S_MOVK_I32, {0}},
                                             {4, "s_cmpk_lg_i32", OP_S_CMPK_LG_I32, {0}},
                                             {15, "s_addk_i32", OP_S_ADDK_I32, {0}},
                                             {23, "s_waitcnt_vscnt", OP_S_WAITCNT_VSCNT, {0}},
                                             END};
static const struct isa_opinfo g10_sopc[] = {{2, "s_cmp_gt_i32", OP_S_CMP_GT_I32, {0}},
                                             {6, "s_cmp_eq_u32", OP_S_CMP_EQ_U32, {0}},
                                             {7, "s_cmp_lg_u32", OP_S_CMP_LG_U32, {0}},
                                             {8, "s_cmp_gt_u32", OP_S_CMP_GT_U32, {0}},
                                             {9, "s_cmp_ge_u32", OP_S_CMP_GE_U32, {0}},
                                             {10, "s_cmp_lt_u32", OP_S_CMP_LT_U32, {0}},
                                             {12, "s_bitcmp0_b32", OP_S_BITCMP0_B32, {0}},
                                             {13, "s_bitcmp1_b32", OP_S_BITCMP1_B32, {0}},
                                             END};
static const struct isa_opinfo g10_sopp[] = {{0, "s_nop", OP_S_NOP, {0}},
                                             {1, "s_endpgm", OP_S_ENDPGM, {0}},
                                             {2, "s_branch", OP_S_BRANCH, {0}},
                                             {4, "s_cbranch_scc0", OP_S_CBRANCH_SCC0, {0}},
                                             {5, "s_cbranch_scc1", OP_S_CBRANCH_SCC1, {0}},
                                             {6, "s_cbranch_vccz", OP_S_CBRANCH_VCCZ, {0}},
                                             {7, "s_cbranch_vccnz", OP_S_CBRANCH_VCCNZ, {0}},
                                             {8, "s_cbranch_execz", OP_S_CBRANCH_EXECZ, {0}},
                                             {9, "s_cbranch_execnz", OP_S_CBRANCH_EXECNZ, {0}},
                                             {10, "s_barrier", OP_S_BARRIER, {0}},
                                             {12, "s_waitcnt", OP_S_WAITCNT, {0}},
                                             {31, "s_code_end", OP_S_CODE_END, {0}},
                                             {33, "s_clause", OP_S_CLAUSE, {0}},
                                             END};
static const struct isa_opinfo g10_smem[] = {{0, "s_load_dword", OP_S_LOAD, {1, 0, 0, 0}},
                                             {1, "s_load_dwordx2", OP_S_LOAD, {2, 0, 0, 0}},
                                             {2, "s_load_dwordx4", OP_S_LOAD, {4, 0, 0, 0}},
                                             {4, "s_load_dwordx16", OP_S_LOAD, {16, 0, 0, 0}},
                                             END};
static const struct isa_opinfo g10_vop1[] = {
   {1, "v_mov_b32", OP_V_MOV_B32, {0}},
   {2, "v_readfirstlane_b32", OP_V_READFIRSTLANE_B32, {0}},
   {6, "v_cvt_f32_u32", OP_V_CVT_F32_U32, {0}},
   {7, "v_cvt_u32_f32", OP_V_CVT_U32_F32, {0}},
   {43, "v_rcp_iflag_f32", OP_V_RCP_IFLAG_F32, {0}},
   {56, "v_bfrev_b32", OP_V_BFREV_B32, {0}},
   END};
static const struct isa_opinfo g10_vop2[] = {{1, "v_cndmask_b32", OP_V_CNDMASK_B32, {0}},
                                             {3, "v_add_f32", OP_V_ADD_F32, {0}},
                                             {4, "v_sub_f32", OP_V_SUB_F32, {0}},
                                             {8, "v_mul_f32", OP_V_MUL_F32, {0}},
                                             {9, "v_mul_i32_i24", OP_V_MUL_I32_I24, {0}},
                                             {11, "v_mul_u32_u24", OP_V_MUL_U32_U24, {0}},
                                             {17, "v_min_i32", OP_V_MIN_I32, {0}},
                                             {22, "v_lshrrev_b32", OP_V_LSHRREV_B32, {0}},
                                             {24, "v_ashrrev_i32", OP_V_ASHRREV_I32, {0}},
                                             {26, "v_lshlrev_b32", OP_V_LSHLREV_B32, {0}},
                                             {27, "v_and_b32", OP_V_AND_B32, {0}},
                                             {28, "v_or_b32", OP_V_OR_B32, {0}},
                                             {37, "v_add_nc_u32", OP_V_ADD_NC_U32, {0}},
                                             {38, "v_sub_nc_u32", OP_V_SUB_NC_U32, {0}},
                                             {39, "v_subrev_nc_u32", OP_V_SUBREV_NC_U32, {0}},
                                             {40, "v_add_co_ci_u32", OP_V_ADD_CO_CI_U32, {0}},
                                             {43, "v_fmac_f32", OP_V_FMAC_F32, {0}},
                                             END};
static const struct isa_opinfo g10_vopc[] = {
   {1, "v_cmp_lt_f32", OP_V_CMP_LT_F32, {0}},     {129, "v_cmp_lt_i32", OP_V_CMP_LT_I32, {0}},
   {131, "v_cmp_le_i32", OP_V_CMP_LE_I32, {0}},   {132, "v_cmp_gt_i32", OP_V_CMP_GT_I32, {0}},
   {193, "v_cmp_lt_u32", OP_V_CMP_LT_U32, {0}},   {194, "v_cmp_eq_u32", OP_V_CMP_EQ_U32, {0}},
   {195, "v_cmp_le_u32", OP_V_CMP_LE_U32, {0}},   {196, "v_cmp_gt_u32", OP_V_CMP_GT_U32, {0}},
   {197, "v_cmp_ne_u32", OP_V_CMP_NE_U32, {0}},   {145, "v_cmpx_lt_i32", OP_V_CMPX_LT_I32, {0}},
   {210, "v_cmpx_eq_u32", OP_V_CMPX_EQ_U32, {0}}, {212, "v_cmpx_gt_u32", OP_V_CMPX_GT_U32, {0}},
   {213, "v_cmpx_ne_u32", OP_V_CMPX_NE_U32, {0}}, END};
static const struct isa_opinfo g10_vop3[] = {{323, "v_mad_u32_u24", OP_V_MAD_U32_U24, {0}},
                                             {328, "v_bfe_u32", OP_V_BFE_U32, {0}},
                                             {331, "v_fma_f32", OP_V_FMA_F32, {0}},
                                             {361, "v_mul_lo_u32", OP_V_MUL_LO_U32, {0}},
                                             {362, "v_mul_hi_u32", OP_V_MUL_HI_U32, {0}},
                                             {374, "v_mad_u64_u32", OP_V_MAD_U64_U32, {2, 1, 1, 2}},
                                             {767, "v_lshlrev_b64", OP_V_LSHLREV_B64, {2, 1, 2, 0}},
                                             {773, "v_mul_lo_u16", OP_V_MUL_LO_U16, {0}},
                                             {775, "v_lshrrev_b16", OP_V_LSHRREV_B16, {0}},
                                             {783, "v_add_co_u32", OP_V_ADD_CO_U32, {0}},
                                             {838, "v_lshl_add_u32", OP_V_LSHL_ADD_U32, {0}},
                                             {839, "v_add_lshl_u32", OP_V_ADD_LSHL_U32, {0}},
                                             {877, "v_add3_u32", OP_V_ADD3_U32, {0}},
                                             {879, "v_lshl_or_b32", OP_V_LSHL_OR_B32, {0}},
                                             {881, "v_and_or_b32", OP_V_AND_OR_B32, {0}},
                                             END};
static const struct isa_opinfo g10_ds[] = {{13, "ds_write_b32", OP_DS_WRITE_B32, {0}},
                                           {14, "ds_write2_b32", OP_DS_WRITE2_B32, {0}},
                                           {15, "ds_write2st64_b32", OP_DS_WRITE2ST64_B32, {0}},
                                           {78, "ds_write2_b64", OP_DS_WRITE2_B64, {0, 1, 2, 2}},
                                           {223, "ds_write_b128", OP_DS_WRITE_B128, {0, 1, 4, 0}},
                                           {54, "ds_read_b32", OP_DS_READ_B32, {1, 0, 0, 0}},
                                           {55, "ds_read2_b32", OP_DS_READ2_B32, {2, 0, 0, 0}},
                                           {255, "ds_read_b128", OP_DS_READ_B128, {4, 0, 0, 0}},
                                           END};
static const struct isa_opinfo g10_global[] = {
   {10, "global_load_ushort", OP_GLOBAL_LOAD_U16, {1, 0, 0, 0}},
   {12, "global_load_dword", OP_GLOBAL_LOAD, {1, 0, 0, 0}},
   {14, "global_load_dwordx4", OP_GLOBAL_LOAD, {4, 0, 0, 0}},
   {28, "global_store_dword", OP_GLOBAL_STORE, {1, 0, 0, 0}},
   {30, "global_store_dwordx4", OP_GLOBAL_STORE, {4, 0, 0, 0}},
   END};
static const struct isa_opinfo g10_mubuf[] = {{113, "buffer_gl0_inv", OP_BUFFER_GL0_INV, {0}}, END};

/* ---- gfx1100 (RDNA3) ---- */
static const struct isa_opinfo g11_sop1[] = {
   {0, "s_mov_b32", OP_S_MOV_B32, {0}},
   {32, "s_and_saveexec_b32", OP_S_AND_SAVEEXEC_B32, {0}},
   {48, "s_and_not1_saveexec_b32", OP_S_ANDN2_SAVEEXEC_B32, {0}},
   END};
static const struct isa_opinfo g11_sop2[] = {{0, "s_add_u32", OP_S_ADD_U32, {0}},
                                             {2, "s_add_i32", OP_S_ADD_I32, {0}},
                                             {3, "s_sub_i32", OP_S_SUB_I32, {0}},
                                             {4, "s_addc_u32", OP_S_ADDC_U32, {0}},
                                             {8, "s_lshl_b32", OP_S_LSHL_B32, {0}},
                                             {9, "s_lshl_b64", OP_S_LSHL_B64, {2, 2, 1, 0}},
                                             {10, "s_lshr_b32", OP_S_LSHR_B32, {0}},
                                             {21, "s_max_u32", OP_S_MAX_U32, {0}},
                                             {38, "s_bfe_u32", OP_S_BFE_U32, {0}},
                                             {22, "s_and_b32", OP_S_AND_B32, {0}},
                                             {24, "s_or_b32", OP_S_OR_B32, {0}},
                                             {26, "s_xor_b32", OP_S_XOR_B32, {0}},
                                             {34, "s_and_not1_b32", OP_S_ANDN2_B32, {0}},
                                             {44, "s_mul_i32", OP_S_MUL_I32, {0}},
                                             {45, "s_mul_hi_u32", OP_S_MUL_HI_U32, {0}},
                                             {48, "s_cselect_b32", OP_S_CSELECT_B32, {0}},
                                             END};
/* over g10_sopk */
static const struct isa_opinfo g11_sopk[] = {
   HIDE(23), {24, "s_waitcnt_vscnt", OP_S_WAITCNT_VSCNT, {0}}, END};
static const struct isa_opinfo g11_sopp[] = {{0, "s_nop", OP_S_NOP, {0}},
                                             {5, "s_clause", OP_S_CLAUSE, {0}},
                                             {7, "s_delay_alu", OP_S_DELAY_ALU, {0}},
                                             {8, "s_waitcnt_depctr", OP_S_WAITCNT_DEPCTR, {0}},
                                             {9, "s_waitcnt", OP_S_WAITCNT, {0}},
                                             {31, "s_code_end", OP_S_CODE_END, {0}},
                                             {32, "s_branch", OP_S_BRANCH, {0}},
                                             {33, "s_cbranch_scc0", OP_S_CBRANCH_SCC0, {0}},
                                             {34, "s_cbranch_scc1", OP_S_CBRANCH_SCC1, {0}},
                                             {35, "s_cbranch_vccz", OP_S_CBRANCH_VCCZ, {0}},
                                             {36, "s_cbranch_vccnz", OP_S_CBRANCH_VCCNZ, {0}},
                                             {37, "s_cbranch_execz", OP_S_CBRANCH_EXECZ, {0}},
                                             {38, "s_cbranch_execnz", OP_S_CBRANCH_EXECNZ, {0}},
                                             {48, "s_endpgm", OP_S_ENDPGM, {0}},
                                             {54, "s_sendmsg", OP_S_SENDMSG, {0}},
                                             {61, "s_barrier", OP_S_BARRIER, {0}},
                                             END};
static const struct isa_opinfo g11_smem[] = {{0, "s_load_b32", OP_S_LOAD, {1, 0, 0, 0}},
                                             {1, "s_load_b64", OP_S_LOAD, {2, 0, 0, 0}},
                                             {2, "s_load_b128", OP_S_LOAD, {4, 0, 0, 0}},
                                             {4, "s_load_b512", OP_S_LOAD, {16, 0, 0, 0}},
                                             END};
/* over g10_vop2: the shifts and v_add_co_ci_u32 moved */
static const struct isa_opinfo g11_vop2[] = {HIDE(22),
                                             {24, "v_lshlrev_b32", OP_V_LSHLREV_B32, {0}},
                                             {25, "v_lshrrev_b32", OP_V_LSHRREV_B32, {0}},
                                             {26, "v_ashrrev_i32", OP_V_ASHRREV_I32, {0}},
                                             {32, "v_add_co_ci_u32", OP_V_ADD_CO_CI_U32, {0}},
                                             HIDE(40),
                                             END};
static const struct isa_opinfo g11_vopc[] = {
   {17, "v_cmp_lt_f32", OP_V_CMP_LT_F32, {0}},    {65, "v_cmp_lt_i32", OP_V_CMP_LT_I32, {0}},
   {67, "v_cmp_le_i32", OP_V_CMP_LE_I32, {0}},    {68, "v_cmp_gt_i32", OP_V_CMP_GT_I32, {0}},
   {73, "v_cmp_lt_u32", OP_V_CMP_LT_U32, {0}},    {74, "v_cmp_eq_u32", OP_V_CMP_EQ_U32, {0}},
   {75, "v_cmp_le_u32", OP_V_CMP_LE_U32, {0}},    {76, "v_cmp_gt_u32", OP_V_CMP_GT_U32, {0}},
   {77, "v_cmp_ne_u32", OP_V_CMP_NE_U32, {0}},    {193, "v_cmpx_lt_i32", OP_V_CMPX_LT_I32, {0}},
   {202, "v_cmpx_eq_u32", OP_V_CMPX_EQ_U32, {0}}, {204, "v_cmpx_gt_u32", OP_V_CMPX_GT_U32, {0}},
   {205, "v_cmpx_ne_u32", OP_V_CMPX_NE_U32, {0}}, END};
static const struct isa_opinfo g11_vop3[] = {{523, "v_mad_u32_u24", OP_V_MAD_U32_U24, {0}},
                                             {528, "v_bfe_u32", OP_V_BFE_U32, {0}},
                                             {529, "v_bfe_i32", OP_V_BFE_I32, {0}},
                                             {531, "v_fma_f32", OP_V_FMA_F32, {0}},
                                             {582, "v_lshl_add_u32", OP_V_LSHL_ADD_U32, {0}},
                                             {583, "v_add_lshl_u32", OP_V_ADD_LSHL_U32, {0}},
                                             {597, "v_add3_u32", OP_V_ADD3_U32, {0}},
                                             {598, "v_lshl_or_b32", OP_V_LSHL_OR_B32, {0}},
                                             {599, "v_and_or_b32", OP_V_AND_OR_B32, {0}},
                                             {766, "v_mad_u64_u32", OP_V_MAD_U64_U32, {2, 1, 1, 2}},
                                             {768, "v_add_co_u32", OP_V_ADD_CO_U32, {0}},
                                             {773, "v_mul_lo_u16", OP_V_MUL_LO_U16, {0}},
                                             {812, "v_mul_lo_u32", OP_V_MUL_LO_U32, {0}},
                                             {813, "v_mul_hi_u32", OP_V_MUL_HI_U32, {0}},
                                             {825, "v_lshrrev_b16", OP_V_LSHRREV_B16, {0}},
                                             {828, "v_lshlrev_b64", OP_V_LSHLREV_B64, {2, 1, 2, 0}},
                                             END};
static const struct isa_opinfo g11_ds[] = {
   {13, "ds_store_b32", OP_DS_WRITE_B32, {0}},
   {14, "ds_store_2addr_b32", OP_DS_WRITE2_B32, {0}},
   {15, "ds_store_2addr_stride64_b32", OP_DS_WRITE2ST64_B32, {0}},
   {78, "ds_store_2addr_b64", OP_DS_WRITE2_B64, {0, 1, 2, 2}},
   {223, "ds_store_b128", OP_DS_WRITE_B128, {0, 1, 4, 0}},
   {54, "ds_load_b32", OP_DS_READ_B32, {1, 0, 0, 0}},
   {55, "ds_load_2addr_b32", OP_DS_READ2_B32, {2, 0, 0, 0}},
   {255, "ds_load_b128", OP_DS_READ_B128, {4, 0, 0, 0}},
   END};
static const struct isa_opinfo g11_global[] = {
   {18, "global_load_u16", OP_GLOBAL_LOAD_U16, {1, 0, 0, 0}},
   {20, "global_load_b32", OP_GLOBAL_LOAD, {1, 0, 0, 0}},
   {23, "global_load_b128", OP_GLOBAL_LOAD, {4, 0, 0, 0}},
   {26, "global_store_b32", OP_GLOBAL_STORE, {1, 0, 0, 0}},
   {29, "global_store_b128", OP_GLOBAL_STORE, {4, 0, 0, 0}},
   END};
static const struct isa_opinfo g11_mubuf[] = {{43, "buffer_gl0_inv", OP_BUFFER_GL0_INV, {0}}, END};

/* ---- gfx90a (CDNA2, GFX9 encodings; *_Real_vi / *_Real_gfx90a) ---- */
static const struct isa_opinfo g9_sop1[] = {
   {0, "s_mov_b32", OP_S_MOV_B32, {0}},
   {1, "s_mov_b64", OP_S_MOV_B64, {2, 2, 0, 0}},
   {8, "s_brev_b32", OP_S_BREV_B32, {0}},
   {32, "s_and_saveexec_b64", OP_S_AND_SAVEEXEC_B64, {2, 2, 0, 0}},
   {35, "s_andn2_saveexec_b64", OP_S_ANDN2_SAVEEXEC_B64, {2, 2, 0, 0}},
   END};
static const struct isa_opinfo g9_sop2[] = {{0, "s_add_u32", OP_S_ADD_U32, {0}},
                                            {2, "s_add_i32", OP_S_ADD_I32, {0}},
                                            {3, "s_sub_i32", OP_S_SUB_I32, {0}},
                                            {4, "s_addc_u32", OP_S_ADDC_U32, {0}},
                                            {9, "s_max_u32", OP_S_MAX_U32, {0}},
                                            {10, "s_cselect_b32", OP_S_CSELECT_B32, {0}},
                                            {11, "s_cselect_b64", OP_S_CSELECT_B64, {2, 2, 2, 0}},
                                            {12, "s_and_b32", OP_S_AND_B32, {0}},
                                            {13, "s_and_b64", OP_S_AND_B64, {2, 2, 2, 0}},
                                            {14, "s_or_b32", OP_S_OR_B32, {0}},
                                            {15, "s_or_b64", OP_S_OR_B64, {2, 2, 2, 0}},
                                            {17, "s_xor_b64", OP_S_XOR_B64, {2, 2, 2, 0}},
                                            {19, "s_andn2_b64", OP_S_ANDN2_B64, {2, 2, 2, 0}},
                                            {28, "s_lshl_b32", OP_S_LSHL_B32, {0}},
                                            {29, "s_lshl_b64", OP_S_LSHL_B64, {2, 2, 1, 0}},
                                            {30, "s_lshr_b32", OP_S_LSHR_B32, {0}},
                                            {36, "s_mul_i32", OP_S_MUL_I32, {0}},
                                            {37, "s_bfe_u32", OP_S_BFE_U32, {0}},
                                            {44, "s_mul_hi_u32", OP_S_MUL_HI_U32, {0}},
                                            END};
static const struct isa_opinfo g9_sopk[] = {{0, "s_movk_i32", OP_S_MOVK_I32, {0}},
                                            {3, "s_cmpk_lg_i32", OP_S_CMPK_LG_I32, {0}},
                                            {14, "s_addk_i32", OP_S_ADDK_I32, {0}},
                                            END};
/* over g10_sopp: GFX9 has neither s_code_end nor s_clause */
static const struct isa_opinfo g9_sopp[] = {HIDE(31), HIDE(33), END};
/* over g10_vop1: v_rcp_iflag_f32 is 35; 43 and 56 are other instructions here (unlisted) */
static const struct isa_opinfo g9_vop1[] = {
   {35, "v_rcp_iflag_f32", OP_V_RCP_IFLAG_F32, {0}}, HIDE(43), HIDE(56), END};
static const struct isa_opinfo g9_vop2[] = {{0, "v_cndmask_b32", OP_V_CNDMASK_B32, {0}},
                                            {1, "v_add_f32", OP_V_ADD_F32, {0}},
                                            {2, "v_sub_f32", OP_V_SUB_F32, {0}},
                                            {5, "v_mul_f32", OP_V_MUL_F32, {0}},
                                            {6, "v_mul_i32_i24", OP_V_MUL_I32_I24, {0}},
                                            {8, "v_mul_u32_u24", OP_V_MUL_U32_U24, {0}},
                                            {16, "v_lshrrev_b32", OP_V_LSHRREV_B32, {0}},
                                            {17, "v_ashrrev_i32", OP_V_ASHRREV_I32, {0}},
                                            {18, "v_lshlrev_b32", OP_V_LSHLREV_B32, {0}},
                                            {19, "v_and_b32", OP_V_AND_B32, {0}},
                                            {20, "v_or_b32", OP_V_OR_B32, {0}},
                                            {25, "v_add_co_u32", OP_V_ADD_CO_U32, {0}},
                                            {28, "v_addc_co_u32", OP_V_ADD_CO_CI_U32, {0}},
                                            {41, "v_mul_lo_u16", OP_V_MUL_LO_U16, {0}},
                                            {43, "v_lshrrev_b16", OP_V_LSHRREV_B16, {0}},
                                            {52, "v_add_u32", OP_V_ADD_NC_U32, {0}},
                                            {53, "v_sub_u32", OP_V_SUB_NC_U32, {0}},
                                            {54, "v_subrev_u32", OP_V_SUBREV_NC_U32, {0}},
                                            {59, "v_fmac_f32", OP_V_FMAC_F32, {0}},
                                            END};
static const struct isa_opinfo g9_vopc[] = {
   {65, "v_cmp_lt_f32", OP_V_CMP_LT_F32, {0}},  {193, "v_cmp_lt_i32", OP_V_CMP_LT_I32, {0}},
   {195, "v_cmp_le_i32", OP_V_CMP_LE_I32, {0}}, {196, "v_cmp_gt_i32", OP_V_CMP_GT_I32, {0}},
   {201, "v_cmp_lt_u32", OP_V_CMP_LT_U32, {0}}, {202, "v_cmp_eq_u32", OP_V_CMP_EQ_U32, {0}},
   {203, "v_cmp_le_u32", OP_V_CMP_LE_U32, {0}}, {204, "v_cmp_gt_u32", OP_V_CMP_GT_U32, {0}},
   {205, "v_cmp_ne_u32", OP_V_CMP_NE_U32, {0}}, END};
static const struct isa_opinfo g9_vop3[] = {{451, "v_mad_u32_u24", OP_V_MAD_U32_U24, {0}},
                                            {456, "v_bfe_u32", OP_V_BFE_U32, {0}},
                                            {459, "v_fma_f32", OP_V_FMA_F32, {0}},
                                            {488, "v_mad_u64_u32", OP_V_MAD_U64_U32, {2, 1, 1, 2}},
                                            {509, "v_lshl_add_u32", OP_V_LSHL_ADD_U32, {0}},
                                            {510, "v_add_lshl_u32", OP_V_ADD_LSHL_U32, {0}},
                                            {511, "v_add3_u32", OP_V_ADD3_U32, {0}},
                                            {512, "v_lshl_or_b32", OP_V_LSHL_OR_B32, {0}},
                                            {513, "v_and_or_b32", OP_V_AND_OR_B32, {0}},
                                            {645, "v_mul_lo_u32", OP_V_MUL_LO_U32, {0}},
                                            {646, "v_mul_hi_u32", OP_V_MUL_HI_U32, {0}},
                                            {655, "v_lshlrev_b64", OP_V_LSHLREV_B64, {2, 1, 2, 0}},
                                            END};
static const struct isa_opinfo g9_vop3p[] = {{48, "v_pk_fma_f32", OP_V_PK_FMA_F32, {2, 2, 2, 2}},
                                             {50, "v_pk_add_f32", OP_V_PK_ADD_F32, {2, 2, 2, 0}},
                                             {51, "v_pk_mov_b32", OP_V_PK_MOV_B32, {2, 2, 2, 0}},
                                             END};
static const struct isa_opinfo g9_global[] = {
   {18, "global_load_ushort", OP_GLOBAL_LOAD_U16, {1, 0, 0, 0}},
   {20, "global_load_dword", OP_GLOBAL_LOAD, {1, 0, 0, 0}},
   {28, "global_store_dword", OP_GLOBAL_STORE, {1, 0, 0, 0}},
   {31, "global_store_dwordx4", OP_GLOBAL_STORE, {4, 0, 0, 0}},
   END};

/* VOPD (RDNA3 guide, "VOPD" opcode tables; VOPDInstructions.td). */
static const struct isa_opinfo vopd_x[] = {{0, "v_dual_fmac_f32", OP_V_FMAC_F32, {0}},
                                           {3, "v_dual_mul_f32", OP_V_MUL_F32, {0}},
                                           {4, "v_dual_add_f32", OP_V_ADD_F32, {0}},
                                           {5, "v_dual_sub_f32", OP_V_SUB_F32, {0}},
                                           {8, "v_dual_mov_b32", OP_V_MOV_B32, {0}},
                                           {9, "v_dual_cndmask_b32", OP_V_CNDMASK_B32, {0}},
                                           END};
static const struct isa_opinfo vopd_y[] = {{0, "v_dual_fmac_f32", OP_V_FMAC_F32, {0}},
                                           {3, "v_dual_mul_f32", OP_V_MUL_F32, {0}},
                                           {4, "v_dual_add_f32", OP_V_ADD_F32, {0}},
                                           {5, "v_dual_sub_f32", OP_V_SUB_F32, {0}},
                                           {8, "v_dual_mov_b32", OP_V_MOV_B32, {0}},
                                           {9, "v_dual_cndmask_b32", OP_V_CNDMASK_B32, {0}},
                                           {16, "v_dual_add_nc_u32", OP_V_ADD_NC_U32, {0}},
                                           {17, "v_dual_lshlrev_b32", OP_V_LSHLREV_B32, {0}},
                                           {18, "v_dual_and_b32", OP_V_AND_B32, {0}},
                                           END};

/* Per target and encoding: the target's own rows, then a base table they override (a table
 * shared whole is a base with no rows of its own). */
struct optable {
   const struct isa_opinfo *own, *base;
};
static const struct optable tables[PM4D_ISA_TARGET_COUNT][ENC_COUNT] =
   {
      [PM4D_ISA_GFX1030] =
         {
            [ENC_SOP1] = {g10_sop1, NULL},
            [ENC_SOP2] = {g10_sop2, NULL},
            [ENC_SOPK] = {g10_sopk, NULL},
            [ENC_SOPC] = {g10_sopc, NULL},
            [ENC_SOPP] = {g10_sopp, NULL},
            [ENC_SMEM] = {g10_smem, NULL},
            [ENC_VOP1] = {g10_vop1, NULL},
            [ENC_VOP2] = {g10_vop2, NULL},
            [ENC_VOPC] = {g10_vopc, NULL},
            [ENC_VOP3] = {g10_vop3, NULL},
            [ENC_DS] = {g10_ds, NULL},
            [ENC_GLOBAL] = {g10_global, NULL},
            [ENC_MUBUF] = {g10_mubuf, NULL},
         },
      [PM4D_ISA_GFX1100] =
         {
            [ENC_SOP1] = {g11_sop1, NULL},
            [ENC_SOP2] = {g11_sop2, NULL},
            [ENC_SOPK] = {g11_sopk, g10_sopk},
            [ENC_SOPC] = {NULL, g10_sopc}, /* unchanged in RDNA3 */
            [ENC_SOPP] = {g11_sopp, NULL},
            [ENC_SMEM] = {g11_smem, NULL},
            [ENC_VOP1] = {NULL, g10_vop1}, /* unchanged in RDNA3 */
            [ENC_VOP2] = {g11_vop2, g10_vop2},
            [ENC_VOPC] = {g11_vopc, NULL},
            [ENC_VOP3] = {g11_vop3, NULL},
            [ENC_DS] = {g11_ds, NULL},
            [ENC_GLOBAL] = {g11_global, NULL},
            [ENC_MUBUF] = {g11_mubuf, NULL},
         },
      [PM4D_ISA_GFX90A] =
         {
            [ENC_SOP1] = {g9_sop1, NULL},
            [ENC_SOP2] = {g9_sop2, NULL},
            [ENC_SOPK] = {g9_sopk, NULL},
            [ENC_SOPC] = {NULL, g10_sopc}, /* the same numbers on GFX9 */
            [ENC_SOPP] = {g9_sopp, g10_sopp},
            [ENC_SMEM] = {NULL, g10_smem}, /* the same numbers on GFX9 */
            [ENC_VOP1] = {g9_vop1, g10_vop1},
            [ENC_VOP2] = {g9_vop2, NULL},
            [ENC_VOPC] = {g9_vopc, NULL},
            [ENC_VOP3] = {g9_vop3, NULL},
            [ENC_VOP3P] = {g9_vop3p, NULL},
            [ENC_DS] = {NULL, g10_ds}, /* the same numbers on GFX9 */
            [ENC_GLOBAL] = {g9_global, NULL},
         },
};

static const struct isa_opinfo *find(const struct isa_opinfo *t, uint32_t opcode)
{
   for (; t && t->name; t++)
      if (t->opcode == opcode)
         return t;
   return NULL;
}

const struct isa_opinfo *isa_op_lookup(enum pm4d_isa_target t, enum isa_enc e, uint32_t opcode)
{
   if (t >= PM4D_ISA_TARGET_COUNT || e >= ENC_COUNT)
      return NULL;
   const struct isa_opinfo *own = find(tables[t][e].own, opcode);
   if (own)
      return own->op == OP_NONE ? NULL : own;
   return find(tables[t][e].base, opcode);
}

const struct isa_opinfo *isa_vopd_lookup(bool y, uint32_t opcode)
{
   return find(y ? vopd_y : vopd_x, opcode);
}
