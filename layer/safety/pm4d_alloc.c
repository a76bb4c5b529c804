#include "pm4d_alloc.h"

#include <stdlib.h>

#ifdef PM4D_FAULT_INJECTION
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

static _Atomic long fail_nth;
static atomic_ulong count, failures;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void arm_from_env(void)
{
  const char *v = getenv("PM4DIRECT_FAIL_ALLOC");
  if (v && *v)
    atomic_store(&fail_nth, strtol(v, NULL, 0));
}

void pm4d_alloc_fail_at(long nth)
{
  pthread_once(&env_once, arm_from_env);
  atomic_store(&count, 0);
  atomic_store(&fail_nth, nth);
}

unsigned long pm4d_alloc_count(void)
{
  return atomic_load(&count);
}

unsigned long pm4d_alloc_failures(void)
{
  return atomic_load(&failures);
}

/* Numbers this allocation; true when it is the one (or, in FAIL_ALL mode, any) to fail. */
static bool inject(void)
{
  pthread_once(&env_once, arm_from_env);
  unsigned long n = atomic_fetch_add(&count, 1) + 1;
  long nth = atomic_load_explicit(&fail_nth, memory_order_relaxed);
  bool fail = nth == PM4D_ALLOC_FAIL_ALL || (nth > 0 && n == (unsigned long)nth);
  if (fail)
    atomic_fetch_add(&failures, 1);
  return fail;
}
#define INJECT() inject()
#else
#define INJECT() 0
#endif

void *pm4d_malloc(size_t size)
{
  return INJECT() ? NULL : malloc(size);
}

void *pm4d_calloc(size_t n, size_t size)
{
  return INJECT() ? NULL : calloc(n, size);
}

void *pm4d_realloc(void *p, size_t size)
{
  return INJECT() ? NULL : realloc(p, size);
}

void *pm4d_aligned_alloc(size_t align, size_t size)
{
  return INJECT() ? NULL : aligned_alloc(align, size);
}
