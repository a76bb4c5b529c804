/* The loader on real compiler output that asks for what the PM4 path does not provide (a
 * dispatch packet pointer, a queue pointer, scratch, implicit arguments): each must be refused
 * as unsupported with a reason; the clean control, as code object v4 and v5, must load.
 * Usage: test STATUS FILE [STATUS FILE]...  with STATUS "ok" or "unsupported". */
#include <stdlib.h>
#include <string.h>

#include "pm4d_check.h"
#include "pm4d_codeobj.h"

int main(int argc, char **argv)
{
   static struct pm4d_codeobj_info info;
   if (argc < 3) {
      printf("SKIPPED: no test code objects were built (no clang 15+ with ld.lld)\n");
      return 77;
   }
   for (int i = 1; i + 1 < argc; i += 2) {
      size_t size = 0;
      char reason[256] = "";
      unsigned char *elf = pm4d_check_read_file(&size, "%s", argv[i + 1]);
      enum pm4d_codeobj_status want =
         strcmp(argv[i], "ok") ? PM4D_CODEOBJ_UNSUPPORTED : PM4D_CODEOBJ_OK;
      enum pm4d_codeobj_status st =
         elf ? pm4d_codeobj_load(elf, size, &info, reason, sizeof(reason)) : PM4D_CODEOBJ_BAD_ELF;
      CHECKF(st == want && (st == PM4D_CODEOBJ_OK || reason[0]), "%s: %s (%s), want %s",
             argv[i + 1], pm4d_codeobj_status_name(st), reason, pm4d_codeobj_status_name(want));
      printf("%-12s %s: %s\n", pm4d_codeobj_status_name(st), argv[i + 1],
             st == PM4D_CODEOBJ_OK ? "loaded" : reason);
      free(elf);
   }
   return pm4d_check_finish("codeobj_refuse");
}
