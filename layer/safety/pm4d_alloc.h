/* Heap allocation for all layer code. The plain build forwards to libc. Test builds link the
 * pm4d_alloc_inject objects instead, where any chosen allocation can be made to fail, so every
 * allocation site's failure path can be exercised. Memory is released with free(). */
#ifndef PM4D_ALLOC_H
#define PM4D_ALLOC_H

#include <stddef.h>

void *pm4d_malloc(size_t size);
void *pm4d_calloc(size_t n, size_t size);
void *pm4d_realloc(void *p, size_t size);
void *pm4d_aligned_alloc(size_t align, size_t size);

/* Test builds only (pm4d_alloc_inject; the layer library has none of these). */
#define PM4D_ALLOC_FAIL_ALL (-1L)
/* Counting starts again at the next allocation: the nth one from now (1 = the next) fails;
 * 0 fails none; PM4D_ALLOC_FAIL_ALL fails every one. PM4DIRECT_FAIL_ALLOC=N in the environment
 * arms nth = N at the first allocation of the process. */
void pm4d_alloc_fail_at(long nth);
/* Allocations since the last pm4d_alloc_fail_at (or process start), and failures injected. */
unsigned long pm4d_alloc_count(void);
unsigned long pm4d_alloc_failures(void);

#endif
