#include "pm4d_spirv_grammar.h"

#include <stddef.h>

/* Operand kinds per opcode, from the SPIR-V 1.6 specification section 3.49 (instructions) and
 * SPV_KHR_cooperative_matrix / SPV_KHR_integer_dot_product; opcode numbers were checked against
 * spirv-dis (SPIRV-Tools, Debian 12). Only opcodes with literal operands are listed. Debug
 * instructions are absent: the fingerprint skips them before asking. */
struct range {
   uint16_t first, last;
   const char *ops;
};

static const struct range table[] = {
   {1, 1, "ii"},           /* OpUndef */
   {10, 10, "L"},          /* OpExtension */
   {11, 11, "iL"},         /* OpExtInstImport */
   {12, 12, "iiilI"},      /* OpExtInst: type, result, set, instruction, operands */
   {14, 14, "L"},          /* OpMemoryModel */
   {15, 15, "lisI"},       /* OpEntryPoint */
   {16, 16, "iL"},         /* OpExecutionMode */
   {17, 17, "L"},          /* OpCapability */
   {19, 20, "i"},          /* OpTypeVoid, OpTypeBool */
   {21, 22, "iL"},         /* OpTypeInt, OpTypeFloat */
   {23, 24, "iil"},        /* OpTypeVector, OpTypeMatrix */
   {25, 25, "iiL"},        /* OpTypeImage */
   {31, 31, "iL"},         /* OpTypeOpaque */
   {32, 32, "ili"},        /* OpTypePointer */
   {39, 39, "il"},         /* OpTypeForwardPointer */
   {43, 43, "iiL"},        /* OpConstant */
   {45, 45, "iiL"},        /* OpConstantSampler */
   {50, 50, "iiL"},        /* OpSpecConstant */
   {52, 52, "iilI"},       /* OpSpecConstantOp */
   {54, 54, "iili"},       /* OpFunction */
   {59, 59, "iili"},       /* OpVariable */
   {61, 61, "iiim"},       /* OpLoad */
   {62, 62, "iim"},        /* OpStore */
   {63, 63, "iimm"},       /* OpCopyMemory */
   {64, 64, "iiimm"},      /* OpCopyMemorySized */
   {68, 68, "iiil"},       /* OpArrayLength */
   {71, 71, "iL"},         /* OpDecorate */
   {72, 72, "iL"},         /* OpMemberDecorate */
   {79, 79, "iiiiL"},      /* OpVectorShuffle */
   {81, 81, "iiiL"},       /* OpCompositeExtract */
   {82, 82, "iiiiL"},      /* OpCompositeInsert */
   {87, 88, "iiiix"},      /* OpImageSample{Implicit,Explicit}Lod */
   {89, 90, "iiiiix"},     /* OpImageSampleDref{Implicit,Explicit}Lod */
   {91, 92, "iiiix"},      /* OpImageSampleProj{Implicit,Explicit}Lod */
   {93, 94, "iiiiix"},     /* OpImageSampleProjDref{Implicit,Explicit}Lod */
   {95, 95, "iiiix"},      /* OpImageFetch */
   {96, 97, "iiiiix"},     /* OpImageGather, OpImageDrefGather */
   {98, 98, "iiiix"},      /* OpImageRead */
   {99, 99, "iiix"},       /* OpImageWrite */
   {123, 123, "iiil"},     /* OpGenericCastToPtrExplicit */
   {246, 246, "iiL"},      /* OpLoopMerge */
   {247, 247, "iL"},       /* OpSelectionMerge */
   {250, 250, "iiiL"},     /* OpBranchConditional: branch weights */
   {251, 251, "iip"},      /* OpSwitch */
   {256, 257, "il"},       /* OpLifetimeStart/Stop */
   {264, 270, "iiilI"},    /* OpGroupIAdd .. OpGroupSMax: GroupOperation */
   {331, 331, "ilI"},      /* OpExecutionModeId */
   {332, 332, "ilI"},      /* OpDecorateId */
   {342, 342, "iiilI"},    /* OpGroupNonUniformBallotBitCount */
   {349, 364, "iiilI"},    /* OpGroupNonUniformIAdd .. LogicalXor: GroupOperation */
   {4450, 4452, "iiiiL"},  /* OpSDot, OpUDot, OpSUDot: packed vector format */
   {4457, 4457, "iiiiim"}, /* OpCooperativeMatrixLoadKHR: layout, stride, memory operands */
   {4458, 4458, "iiiim"},  /* OpCooperativeMatrixStoreKHR */
   {4459, 4459, "iiiiiL"}, /* OpCooperativeMatrixMulAddKHR: operands mask */
   {5632, 5632, "ilL"},    /* OpDecorateString */
   {5633, 5633, "ilL"},    /* OpMemberDecorateString */
};

const char *pm4d_spirv_grammar_operands(uint32_t opcode)
{
   size_t lo = 0, hi = sizeof(table) / sizeof(table[0]);
   while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (opcode < table[mid].first)
         hi = mid;
      else if (opcode > table[mid].last)
         lo = mid + 1;
      else
         return table[mid].ops;
   }
   return "I";
}
