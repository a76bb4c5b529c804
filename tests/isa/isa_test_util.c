#include "isa_test_util.h"

#include <stdio.h>
#include <stdlib.h>

char *isa_test_slurp(const char *path, size_t *size)
{
   FILE *f = fopen(path, "rb");
   if (!f)
      return NULL;
   fseek(f, 0, SEEK_END);
   long n = ftell(f);
   fseek(f, 0, SEEK_SET);
   char *b = n > 0 ? malloc((size_t)n) : NULL;
   if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
      free(b);
      b = NULL;
   }
   fclose(f);
   *size = n > 0 ? (size_t)n : 0;
   return b;
}
