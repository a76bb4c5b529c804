/* The model's decoder against llvm-objdump-15 (an independent decoder): every instruction of a
 * shipped code object's .text, in order, must decode to the same length, the same words and
 * the same text (mnemonic and operands). Usage: test_isa_objdump TARGET CODE_OBJECT. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa_test_util.h"
#include "pm4d_isa_decode.h"
#include "pm4d_isa_elf.h"

#define OBJDUMP "llvm-objdump-15"

/* Collapses runs of blanks into one space and trims both ends, in place. */
static void squeeze(char *s)
{
   char *w = s;
   bool space = true;
   for (char *r = s; *r; r++) {
      if (isspace((unsigned char)*r)) {
         if (!space)
            *w++ = ' ';
         space = true;
      } else {
         *w++ = *r;
         space = false;
      }
   }
   if (w > s && w[-1] == ' ')
      w--;
   *w = 0;
}

int main(int argc, char **argv)
{
   if (argc != 3) {
      fprintf(stderr, "usage: %s TARGET CODE_OBJECT\n", argv[0]);
      return 2;
   }
   enum pm4d_isa_target t = pm4d_isa_target_from_name(argv[1]);
   if (t == PM4D_ISA_TARGET_COUNT) {
      fprintf(stderr, "unknown target %s\n", argv[1]);
      return 2;
   }
   if (system("command -v " OBJDUMP " >/dev/null 2>&1") != 0) {
      printf("SKIPPED: %s is not installed (apt-get install llvm-15)\n", OBJDUMP);
      return 77;
   }
   size_t size;
   char *elf = isa_test_slurp(argv[2], &size);
   struct isa_elf_text text;
   if (!elf || !isa_elf_text(elf, size, &text)) {
      fprintf(stderr, "FAIL: cannot read .text of %s\n", argv[2]);
      return 1;
   }
   const uint32_t *code = text.bytes;
   size_t ndw = text.size / 4;

   char cmd[1024];
   snprintf(cmd, sizeof(cmd), OBJDUMP " -d --mcpu=%s '%s'", argv[1], argv[2]);
   FILE *p = popen(cmd, "r");
   if (!p) {
      fprintf(stderr, "FAIL: cannot run %s\n", cmd);
      return 1;
   }
   char line[1024], mine[256], reason[256];
   unsigned checked = 0, bad = 0;
   size_t expect_pc = 0;
   while (fgets(line, sizeof(line), p)) {
      if (line[0] != '\t')
         continue;
      char *cmt = strstr(line, "//");
      if (!cmt)
         continue;
      *cmt = 0;
      unsigned long long addr;
      int used = 0;
      if (sscanf(cmt + 2, " %llx: %n", &addr, &used) != 1) {
         fprintf(stderr, "FAIL: unparsed objdump line: %s\n", cmt + 2);
         bad++;
         continue;
      }
      uint32_t words[4];
      unsigned nw = 0;
      char *w = cmt + 2 + used;
      while (nw < 4 && sscanf(w, " %8x%n", &words[nw], &used) == 1) {
         nw++;
         w += used;
      }
      squeeze(line);
      size_t pc = (size_t)(addr - text.addr) / 4;
      struct isa_inst in;
      checked++;
      if (pc != expect_pc) {
         printf("MISMATCH at 0x%llx: objdump skipped from dword %zu to %zu\n", addr, expect_pc, pc);
         bad++;
      }
      if (!isa_decode(t, code, ndw, pc, &in, reason, sizeof(reason))) {
         printf("MISMATCH at 0x%llx: objdump '%s', model %s\n", addr, line, reason);
         bad++;
         expect_pc = pc + nw;
         continue;
      }
      isa_print(t, &in, mine, sizeof(mine));
      bool words_ok = in.ndw == nw;
      for (unsigned i = 0; words_ok && i < nw; i++)
         words_ok = code[pc + i] == words[i];
      if (!words_ok || strcmp(mine, line) != 0) {
         if (bad < 40)
            printf("MISMATCH at 0x%llx (%s opcode %u, %u dwords, objdump %u): objdump '%s', "
                   "model '%s'\n",
                   addr, isa_enc_name(in.enc), in.opcode, in.ndw, nw, line, mine);
         bad++;
      }
      expect_pc = pc + in.ndw;
   }
   int st = pclose(p);
   if (st != 0) {
      fprintf(stderr, "FAIL: %s exited with %d\n", cmd, st);
      return 1;
   }
   if (expect_pc != ndw) {
      printf("MISMATCH: objdump's listing ends at dword %zu of %zu\n", expect_pc, ndw);
      bad++;
   }
   printf("%s %s: %u instructions (%zu dwords) compared with %s, %u mismatches\n", argv[1], argv[2],
          checked, ndw, OBJDUMP, bad);
   free(elf);
   return bad || checked == 0 ? 1 : 0;
}
