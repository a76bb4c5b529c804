/* VGPU_INJECT: a comma list of KIND@ctxN:jobK[:MS] (KIND hang, slow, lost-fence, vram-lost,
 * page-fault; MS
 * for slow). Parsed once; a malformed entry gets one log line and is ignored. */
#include "vgpu_fault.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_driver.h"

#define MAX_RULES 32

struct rule {
   unsigned ctx;
   uint64_t job;
   struct vgpu_inject what;
};

static struct rule rules[MAX_RULES];
static unsigned n_rules;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const struct {
   const char *name;
   enum vgpu_inject_kind kind;
} kinds[] = {
   {"hang", VGPU_INJECT_HANG},
   {"slow", VGPU_INJECT_SLOW},
   {"lost-fence", VGPU_INJECT_LOST_FENCE},
   {"vram-lost", VGPU_INJECT_VRAM_LOST},
   {"page-fault", VGPU_INJECT_PAGE_FAULT},
};

static int parse_rule(const char *s, struct rule *out)
{
   char kind[16];
   unsigned ctx, ms = 0;
   unsigned long long job;
   int n = sscanf(s, "%15[a-z-]@ctx%u:job%llu:%u", kind, &ctx, &job, &ms);
   if (n < 3 || !ctx || !job)
      return -1;
   for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
      if (!strcmp(kind, kinds[i].name)) {
         if ((kinds[i].kind == VGPU_INJECT_SLOW) != (n == 4))
            return -1; /* slow takes MS, the others none */
         *out = (struct rule){ctx, job, {kinds[i].kind, ms}};
         return 0;
      }
   return -1;
}

static void parse(void)
{
   const char *env = getenv("VGPU_INJECT");
   if (!env || !*env)
      return;
   char *copy = strdup(env), *save = NULL;
   for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
        tok = strtok_r(NULL, ",", &save)) {
      if (n_rules == MAX_RULES || parse_rule(tok, &rules[n_rules])) {
         vgpu_log(0, "VGPU_INJECT: ignored \"%s\" (want KIND@ctxN:jobK[:MS], at most %u)", tok,
                  MAX_RULES);
         continue;
      }
      vgpu_log(1, "VGPU_INJECT: %s", tok);
      n_rules++;
   }
   free(copy);
}

struct vgpu_inject vgpu_inject_lookup(unsigned ctx, uint64_t job)
{
   pthread_once(&once, parse);
   for (unsigned i = 0; i < n_rules; i++)
      if (rules[i].ctx == ctx && rules[i].job == job)
         return rules[i].what;
   return (struct vgpu_inject){VGPU_INJECT_NONE, 0};
}
