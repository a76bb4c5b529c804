#include "pm4d_alloc.h"

#include <stdlib.h>

#ifdef PM4D_FAULT_INJECTION
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pm4d_config.h"
#include "pm4d_file.h"

#define MAX_SITES 512u

static _Atomic long fail_nth;
static atomic_ulong count, failures;
static char fail_site[256];         /* suffix of the failing site's name, or "" */
static unsigned long fail_site_nth; /* 0: every allocation there, else only the nth */
static unsigned random_permille;
static _Atomic uint64_t random_state;
static const char *sites_file;
static const char *_Atomic site_names[MAX_SITES];
static atomic_ulong site_calls[MAX_SITES], site_failures[MAX_SITES];
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

/* The hooks' settings come from pm4d_config (which reads the environment and checks values). */
static void arm_from_env(void)
{
   const struct pm4d_config *cfg = pm4d_config_get();
   if (cfg->fail_alloc[0])
      atomic_store(&fail_nth, strtol(cfg->fail_alloc, NULL, 0));
   if (cfg->fail_alloc_site[0]) {
      snprintf(fail_site, sizeof(fail_site), "%s", cfg->fail_alloc_site);
      char *hash = strchr(fail_site, '#');
      if (hash) {
         *hash = '\0';
         fail_site_nth = strtoul(hash + 1, NULL, 0);
      }
   }
   if (cfg->fail_alloc_random[0]) {
      char *end;
      random_permille = (unsigned)strtoul(cfg->fail_alloc_random, &end, 0);
      atomic_store(&random_state, *end == ':' ? strtoull(end + 1, NULL, 0) | 1 : 1);
   }
   sites_file = cfg->alloc_sites[0] ? cfg->alloc_sites : NULL;
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

/* The site's slot (added on first use); MAX_SITES when the table is full. */
static unsigned site_slot(const char *site)
{
   for (unsigned i = 0; i < MAX_SITES; i++) {
      const char *name = atomic_load(&site_names[i]);
      if (!name) {
         const char *none = NULL;
         if (atomic_compare_exchange_strong(&site_names[i], &none, site))
            return i;
         name = none;
      }
      if (name == site || !strcmp(name, site))
         return i;
   }
   return MAX_SITES;
}

static bool ends_with(const char *s, const char *suffix)
{
   size_t n = strlen(s), m = strlen(suffix);
   return n >= m && !strcmp(s + n - m, suffix);
}

static bool random_hit(void)
{
   /* xorshift64; races between threads only perturb the sequence */
   uint64_t x = atomic_load_explicit(&random_state, memory_order_relaxed);
   x ^= x << 13;
   x ^= x >> 7;
   x ^= x << 17;
   atomic_store_explicit(&random_state, x, memory_order_relaxed);
   return x % 1000u < random_permille;
}

/* Numbers this allocation; true when it is one to fail. */
static bool inject(const char *site)
{
   pthread_once(&env_once, arm_from_env);
   unsigned long n = atomic_fetch_add(&count, 1) + 1;
   long nth = atomic_load_explicit(&fail_nth, memory_order_relaxed);
   unsigned slot = site_slot(site);
   unsigned long at_site = slot < MAX_SITES ? atomic_fetch_add(&site_calls[slot], 1) + 1 : 0;
   bool fail = nth == PM4D_ALLOC_FAIL_ALL || (nth > 0 && n == (unsigned long)nth) ||
               (fail_site[0] && ends_with(site, fail_site) &&
                (!fail_site_nth || at_site == fail_site_nth)) ||
               (random_permille && random_hit());
   if (slot < MAX_SITES)
      atomic_fetch_add(&site_failures[slot], fail);
   if (fail)
      atomic_fetch_add(&failures, 1);
   return fail;
}

__attribute__((destructor)) static void write_sites(void)
{
   if (!sites_file)
      return;
   FILE *f = pm4d_file_create(sites_file);
   if (!f)
      return;
   for (unsigned i = 0; i < MAX_SITES; i++) {
      const char *name = atomic_load(&site_names[i]);
      if (name)
         fprintf(f, "%s %lu %lu\n", name, atomic_load(&site_calls[i]),
                 atomic_load(&site_failures[i]));
   }
   fclose(f);
}
#define INJECT(site) inject(site)
#else
#define INJECT(site) ((void)(site), 0)
#endif

void *pm4d_malloc_at(size_t size, const char *site)
{
   return INJECT(site) ? NULL : malloc(size);
}

void *pm4d_calloc_at(size_t n, size_t size, const char *site)
{
   return INJECT(site) ? NULL : calloc(n, size);
}

void *pm4d_realloc_at(void *p, size_t size, const char *site)
{
   return INJECT(site) ? NULL : realloc(p, size);
}

void *pm4d_aligned_alloc_at(size_t align, size_t size, const char *site)
{
   return INJECT(site) ? NULL : aligned_alloc(align, size);
}
