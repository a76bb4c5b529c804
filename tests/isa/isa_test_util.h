/* Helper of the tests/isa programs: read a code object file. (Their toy GPU address space is
 * tests/unit/kernels' pm4d_ref_space.) */
#ifndef ISA_TEST_UTIL_H
#define ISA_TEST_UTIL_H

#include <stddef.h>

/* The whole file (malloc'd), or NULL. */
char *isa_test_slurp(const char *path, size_t *size);

#endif
