/* Helpers of the tests/isa programs: read a code object file; the model's translation over
 * tests/unit/kernels' toy address space (pm4d_ref_space, isa_test_space.c). */
#ifndef ISA_TEST_UTIL_H
#define ISA_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The whole file (malloc'd), or NULL. */
char *isa_test_slurp(const char *path, size_t *size);

/* pm4d_isa_translate_fn over a struct pm4d_ref_space (every mapping readable and writable). */
bool isa_test_translate(void *user, uint64_t addr, bool write, void **host, size_t *bytes);

#endif
