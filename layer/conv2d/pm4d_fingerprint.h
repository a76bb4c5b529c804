/* SPIR-V fingerprint: a 64-bit FNV-1a hash that names a shader independently of debug info.
 *
 * Covered, in order, as 32-bit little-endian words:
 *   - header words 0 (magic), 1 (version) and 4 (schema);
 *   - every non-debug instruction: its first word (word count << 16 | opcode), then each operand
 *     word; an operand the grammar (pm4d_spirv_grammar.h) marks as an id is replaced by its
 *     canonical number: 1 for the first distinct id met in id position in this walk, 2 for the
 *     next, and so on. Literal operands (numbers, strings, enums) are hashed as they are.
 * Ignored:
 *   - header words 2 (generator) and 3 (id bound);
 *   - debug-only instructions: OpSourceContinued, OpSource, OpSourceExtension, OpName,
 *     OpMemberName, OpString, OpLine, OpNoLine, OpModuleProcessed;
 *   - non-semantic debug info: OpExtension "SPV_KHR_non_semantic_info", OpExtInstImport of a
 *     "NonSemantic.*" set and every OpExtInst of such a set;
 *   - fp16 float controls: OpCapability DenormPreserve, DenormFlushToZero,
 *     SignedZeroInfNanPreserve, RoundingModeRTE, RoundingModeRTZ; OpExtension
 *     "SPV_KHR_float_controls"; OpExecutionMode of those five modes with width 16. ggml inserts
 *     them at pipeline creation when the device supports them (ggml_vk_create_pipeline_func),
 *     so the module the driver receives would otherwise differ from the one ggml ships. They
 *     only affect 16-bit float arithmetic, which the fp32 kernels do not replace; the same
 *     modes for 32- or 64-bit floats are hashed;
 *   - the id numbers themselves (renumbering above), so ids consumed by OpString (glslang -g
 *     allocates one before everything else) do not change the fingerprint.
 * Consequences: the same shader compiled with and without -g has one fingerprint; any change in
 * code, types, constants, decorations, entry-point names or execution modes changes it.
 * Instructions whose operand kinds the grammar table does not list are hashed with every operand
 * treated as an id; that is still deterministic, only less robust to debug-info id shifts.
 * FNV-1a 64: offset basis 0xcbf29ce484222325, prime 0x100000001b3 (Fowler, Noll, Vo). */
#ifndef PM4D_FINGERPRINT_H
#define PM4D_FINGERPRINT_H

#include "pm4d_spirv.h"

#include <stddef.h>
#include <stdint.h>

/* Fingerprint of a module; the module's header and lengths are checked first (as
 * pm4d_spirv_check), and anything malformed gives that status. */
enum pm4d_spirv_status pm4d_fingerprint_compute(const uint32_t *words, size_t size_bytes,
                                                uint64_t *fingerprint);

#endif
