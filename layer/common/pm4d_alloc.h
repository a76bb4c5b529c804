/* Heap allocation for all layer code. The plain build forwards to libc. Test builds link the
 * pm4d_alloc_inject objects instead, where chosen allocations can be made to fail, so every
 * allocation site's failure path can be exercised. Each call names its site ("file.c:123").
 * Memory is released with free(). */
#ifndef PM4D_ALLOC_H
#define PM4D_ALLOC_H

#include <stddef.h>

#define PM4D_ALLOC_STR_(x) #x
#define PM4D_ALLOC_STR(x)  PM4D_ALLOC_STR_(x)
#define PM4D_ALLOC_SITE    __FILE_NAME__ ":" PM4D_ALLOC_STR(__LINE__)

#define pm4d_malloc(size)               pm4d_malloc_at((size), PM4D_ALLOC_SITE)
#define pm4d_calloc(n, size)            pm4d_calloc_at((n), (size), PM4D_ALLOC_SITE)
#define pm4d_realloc(p, size)           pm4d_realloc_at((p), (size), PM4D_ALLOC_SITE)
#define pm4d_aligned_alloc(align, size) pm4d_aligned_alloc_at((align), (size), PM4D_ALLOC_SITE)

void *pm4d_malloc_at(size_t size, const char *site);
void *pm4d_calloc_at(size_t n, size_t size, const char *site);
void *pm4d_realloc_at(void *p, size_t size, const char *site);
void *pm4d_aligned_alloc_at(size_t align, size_t size, const char *site);

/* Test builds only (pm4d_alloc_inject; the layer library has none of these). The environment,
 * read at the first allocation, chooses what fails:
 *   PM4DIRECT_FAIL_ALLOC=N             the N-th allocation of the process
 *   PM4DIRECT_FAIL_ALLOC_SITE=F.c:L    every allocation at that site (F.c:L#K: only its K-th)
 *   PM4DIRECT_FAIL_ALLOC_RANDOM=P[:S]  each allocation with probability P per mille (seed S)
 *   PM4DIRECT_ALLOC_SITES=FILE         at exit, "site allocations failures" per site reached */
#define PM4D_ALLOC_FAIL_ALL (-1L)
/* Counting starts again at the next allocation: the nth one from now (1 = the next) fails;
 * 0 fails none; PM4D_ALLOC_FAIL_ALL fails every one. */
void pm4d_alloc_fail_at(long nth);
/* Allocations since the last pm4d_alloc_fail_at (or process start), and failures injected. */
unsigned long pm4d_alloc_count(void);
unsigned long pm4d_alloc_failures(void);

#endif
