/* Which operand words of a SPIR-V instruction are ids: the part of the SPIR-V grammar the
 * fingerprint needs to renumber ids. */
#ifndef PM4D_SPIRV_GRAMMAR_H
#define PM4D_SPIRV_GRAMMAR_H

#include <stdint.h>

/* Operand pattern of `opcode`, read left to right over the words after the opcode word:
 *   i  one id                    l  one literal word        s  a literal string (nul-padded)
 *   I  every remaining word an id                           L  every remaining word a literal
 *   m  optional memory operands: a mask, then Aligned's literal and the MakePointerAvailable /
 *      MakePointerVisible scope ids its bits ask for
 *   x  optional image operands: a mask, then ids
 *   p  remaining words in (literal, id) pairs (OpSwitch targets, 32-bit selectors)
 * Words past the end of a pattern are literals. Opcodes not in the table are "I": every operand
 * an id, which is what most of the instruction set is. */
const char *pm4d_spirv_grammar_operands(uint32_t opcode);

#endif
