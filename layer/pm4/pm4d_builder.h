/* Dynamic builder: turns a kernel descriptor plus launch arguments into the dwords of one
 * dispatch, and emits the once-per-batch head (cache invalidate) and tail (end-of-pipe
 * fence). Every part has a declared dword budget that the emitter checks.
 *
 * A dispatch is, in this order (dword counts GFX9 / GFX10.3+):
 *   barrier, later dispatches of a batch only:
 *     EVENT_WRITE CS_PARTIAL_FLUSH                   2 / 2   wait for the previous dispatch
 *     ACQUIRE_MEM shader caches                      7 / 8   its writes visible to this one
 *   SET_SH_REG PGM_LO, PGM_HI                        4 / 4
 *   SET_SH_REG PGM_RSRC1, PGM_RSRC2                  4 / 4
 *   SET_SH_REG PGM_RSRC3 (GFX9: gfx90a only)         - / 3
 *   SET_SH_REG RESOURCE_LIMITS                       3 / 3
 *   SET_SH_REG TMPRING_SIZE                          3 / 3
 *   SET_SH_REG USER_DATA_0, USER_DATA_1 (kernarg)    4 / 4
 *     the loader accepts only kernels whose one user SGPR pair is the kernarg pointer; further
 *     user SGPRs (GFX11 pads them) are not read and not written
 *   SET_SH_REG START_X..Z, NUM_THREAD_X..Z           8 / 8
 *   DISPATCH_DIRECT                                  5 / 5
 *                                         first:    31 / 34  (gfx90a 34)
 *                                         later:    40 / 44  (gfx90a 43)
 * Batch head: the compute preamble (pm4d_regs.h), then ACQUIRE_MEM of every cache incl. L2
 * (7 / 8). Batch tail: RELEASE_MEM with CACHE_FLUSH_AND_INV_TS (L2 write-back), 64-bit data,
 * no interrupt (8). A 1-dispatch batch before IB padding: gfx900 53, gfx90a 62, GFX10.3 66,
 * GFX11 73; dispatch + tail 39 / 42.
 *
 * The preamble (gfx900 7 dwords: SE0..3 with TMPRING_SIZE between them in one SET_SH_REG;
 * gfx90a 13; GFX10.3 16; GFX11 23) goes into every batch head, not once per queue: compute SH
 * registers are not saved per context on a hardware compute ring, so another process's IB
 * between two of our batches can leave a CU mask, an accumulator or a tunnel setting behind.
 * The kernel could skip a preamble IB when no other context ran (AMDGPU_IB_FLAG_PREAMBLE,
 * amdgpu_ib_schedule) but not the sim, and the IB would cost a second IB chunk per submit.
 * The fence carries no interrupt (INT_SEL 0): the amdgpu back end looks at fences on a tick
 * and the kernel's own fence after the IB signals the syncobj; the sim reports a batch's fence
 * at the end of its IB, as the kernel's fence does. DISPATCH_INITIATOR has ORDER_MODE as RADV
 * sets it; not TUNNEL_ENABLE, which the kernel honours only on high-priority compute queues
 * (radv_device.c), and ours are normal priority.
 *
 * Why the first dispatch needs no barrier, and why the rest is the minimal sequence:
 * - Between two dependent compute dispatches RADV emits exactly CS_PARTIAL_FLUSH (EVENT_WRITE,
 *   EVENT_INDEX 4) then an ACQUIRE_MEM invalidating the shader caches (Mesa
 *   src/amd/vulkan/si_cmd_buffer.c si_cs_emit_cache_flush / gfx10_cs_emit_cache_flush for a
 *   barrier with src COMPUTE_SHADER write, dst SHADER_READ); radeonsi does the same in
 *   si_emit_cache_flush (gfx10_emit_cache_flush). The partial flush is the only thing that
 *   makes the CP wait for the earlier dispatch's waves; the invalidate drops stale L0/L1/K$
 *   lines on other CUs. Neither can be dropped between dispatches.
 * - A batch's first dispatch has nothing of this batch before it. Everything before the batch
 *   on this queue finished before the batch starts: the batch runs only once the bridge reached
 *   its wait point (amdgpu: a syncobj dependency; the scheduler waits for it, or, for one it
 *   lets through to the same ring, amdgpu_ib_schedule emits a pipeline sync, WAIT_REG_MEM on
 *   the ring's last fence, gfx_v10_0/gfx_v11_0 ring_emit_pipeline_sync; sim: the CP waits
 *   for the point), and that point is written by an end-of-pipe RELEASE_MEM after L2
 *   write-back. The batch head's ACQUIRE_MEM invalidates every cache the per-dispatch barrier
 *   would (plus L2), so a barrier right after it would repeat it.
 * - The head stays: the batch reads what the driver segment, the host or another engine wrote
 *   before the wait point, so stale L0/L1/K$ lines (and L2, for writers outside it) must go.
 *   The kernel emits its own ACQUIRE_MEM before an IB (emit_mem_sync of gfx_v9_0 / gfx_v10_0
 *   / gfx_v11_0) only for IBs flagged AMDGPU_IB_FLAG_EMIT_MEM_SYNC (uapi amdgpu_drm.h), and
 *   RADV starts each submission with a full invalidate in its initial preamble too; asking
 *   the kernel for it would move these 7 / 8 dwords into its ring, not save them. */
#ifndef PM4D_BUILDER_H
#define PM4D_BUILDER_H

#include <stdint.h>

#include "pm4d_cs.h"
#include "pm4d_kernel_desc.h"
#include "pm4d_pkt.h"
#include "pm4d_status.h"

#define PM4D_DISPATCH_MAX_DW   48u
#define PM4D_BATCH_HEAD_MAX_DW 32u
#define PM4D_BATCH_TAIL_MAX_DW 8u
#define PM4D_KERNARG_MIN_ALIGN 16u
#define PM4D_WG_MAX_THREADS    1024u

/* Where the patchable values sit, as dword indices from the start of the dispatch / tail. */
struct pm4d_dispatch_slots {
   uint8_t kernarg_lo, kernarg_hi;
   uint8_t grid[3];
};
struct pm4d_fence_slots {
   uint8_t addr_lo, addr_hi, value_lo, value_hi;
};

struct pm4d_builder {
   const struct pm4d_gfx_ops *ops;
   const struct pm4d_reg_table *regs;
   const struct pm4d_preamble *preamble; /* what the batch head writes */
};

/* Chosen once per device. Fails for an unknown level. */
enum pm4d_status pm4d_builder_init(struct pm4d_builder *b, enum pm4d_gfx_level level);
/* The same for a target name ("gfx90a" gets its larger preamble) or a level name. */
enum pm4d_status pm4d_builder_init_target(struct pm4d_builder *b, const char *target);
/* Exact dword counts of what the builder emits at this level (a dispatch also depends on
 * whether the kernel has RSRC3 and on whether it is the first of its batch). */
uint32_t pm4d_builder_dispatch_dw(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k,
                                  bool first);
/* The barrier a later dispatch starts with (the first one of a batch goes without). */
uint32_t pm4d_builder_barrier_dw(const struct pm4d_builder *b);
bool pm4d_builder_has_rsrc3(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k);
uint32_t pm4d_builder_head_dw(const struct pm4d_builder *b);
uint32_t pm4d_builder_tail_dw(const struct pm4d_builder *b);

/* Refuses descriptors the direct path cannot run at this level (wrong target, scratch,
 * wave size, workgroup size, LDS, RSRC3 on gfx900, kernarg pointer beyond the user SGPRs). */
enum pm4d_status pm4d_builder_check_kernel(const struct pm4d_builder *b,
                                           const struct pm4d_kernel_desc *k, const char **reason);
/* Checks of the per-launch values, shared by the template path. */
enum pm4d_status pm4d_builder_check_launch(const struct pm4d_kernel_desc *k, uint64_t kernarg_addr,
                                           const uint32_t grid[3], const char **reason);
/* Register values derived from the descriptor (the validator compares against them). */
uint32_t pm4d_builder_rsrc2(const struct pm4d_kernel_desc *k);
uint32_t pm4d_builder_initiator(const struct pm4d_builder *b, const struct pm4d_kernel_desc *k);

/* program_addr is the kernel's first instruction (256-byte aligned). `first`: the batch's
 * first dispatch, right after the batch head, which goes without the barrier. `slots` may be
 * NULL; they count from the first dword emitted. */
enum pm4d_status pm4d_builder_dispatch(const struct pm4d_builder *b,
                                       const struct pm4d_kernel_desc *k, uint64_t program_addr,
                                       uint64_t kernarg_addr, const uint32_t grid[3], bool first,
                                       struct pm4d_cs *cs, struct pm4d_dispatch_slots *slots,
                                       const char **reason);
/* A job's fallback switch cleared once the job has drained (pm4d_job.disarm in
 * layer/direct): `between` two dispatches, the barrier the next one needs (it then goes in its
 * first form, without its own) and a WRITE_DATA of one 0 dword to addr; after the batch's last
 * dispatch, CS_PARTIAL_FLUSH and the WRITE_DATA, before the fence. Cost per job with a switch:
 * the WRITE_DATA, 5 dwords on every level (GFX9, GFX10.3, GFX11), and 2 more for the last job
 * of a batch. *slot (may be NULL): the index in cs of the address's low dword. */
uint32_t pm4d_builder_disarm_dw(const struct pm4d_builder *b, bool between);
enum pm4d_status pm4d_builder_disarm(const struct pm4d_builder *b, uint64_t addr, bool between,
                                     struct pm4d_cs *cs, uint32_t *slot);
enum pm4d_status pm4d_builder_batch_head(const struct pm4d_builder *b, struct pm4d_cs *cs,
                                         const char **reason);
enum pm4d_status pm4d_builder_batch_tail(const struct pm4d_builder *b, uint64_t fence_addr,
                                         uint64_t fence_value, struct pm4d_cs *cs,
                                         struct pm4d_fence_slots *slots, const char **reason);

#endif
