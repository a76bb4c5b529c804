/* Helpers for the conv2d unit tests: a CHECK that counts failures and reading test inputs. */
#ifndef PM4D_TEST_UTIL_H
#define PM4D_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int pm4d_test_failures;

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);          \
            pm4d_test_failures++;                                                             \
        }                                                                                     \
    } while (0)

/* Reads dir/name into a malloc'd, 4-byte aligned buffer; NULL (with a message) on failure. */
uint32_t *pm4d_test_read(const char *dir, const char *name, size_t *size);

/* Prints the result line and returns the process exit code. */
int pm4d_test_finish(const char *name);

#endif
