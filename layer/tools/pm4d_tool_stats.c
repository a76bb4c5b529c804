#include "pm4d_tool_stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm4d_tool_json.h"

#define EXIT_USAGE     2
#define MAX_FILE_BYTES (16u << 20)

/* Counter groups, first match by name prefix; the last catches the rest. */
static const struct {
   const char *prefix, *title;
} groups[] = {
   {"vk", "Vulkan entry points"},
   {"passthrough_", "passed through to the driver (by reason)"},
   {"fallback_", "fallen back to the driver (by reason)"},
   {"direct_hangs", "failures and safety"},
   {"direct_faults", "failures and safety"},
   {"direct_resets", "failures and safety"},
   {"direct_validation", "failures and safety"},
   {"direct_ring_full", "failures and safety"},
   {"auto_disables", "failures and safety"},
   {"diagnostics", "failures and safety"},
   {"dispatch", "redirect"},
   {"jobs_", "redirect"},
   {"direct_", "redirect"},
   {"ring_", "redirect"},
   {"", "layer"},
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static unsigned group_of(const char *name)
{
   unsigned g = 0;
   while (strncmp(name, groups[g].prefix, strlen(groups[g].prefix)))
      g++;
   /* Groups sharing a title print as one. */
   for (unsigned i = 0; i < g; i++)
      if (!strcmp(groups[i].title, groups[g].title))
         return i;
   return g;
}

static char *read_text(const char *path)
{
   FILE *f = fopen(path, "r");
   if (!f) {
      fprintf(stderr, "pm4direct: cannot read %s: %s\n", path, strerror(errno));
      return NULL;
   }
   char *text = malloc(MAX_FILE_BYTES + 1);
   size_t n = text ? fread(text, 1, MAX_FILE_BYTES + 1, f) : 0;
   fclose(f);
   if (!text || n > MAX_FILE_BYTES) {
      fprintf(stderr, "pm4direct: %s: %s\n", path, text ? "larger than 16 MiB" : "out of memory");
      free(text);
      return NULL;
   }
   text[n] = '\0';
   return text;
}

/* "12.3 us" style, from nanoseconds. */
static const char *duration(double ns, char *buf, size_t size)
{
   if (ns < 1e3)
      snprintf(buf, size, "%.0f ns", ns);
   else if (ns < 1e6)
      snprintf(buf, size, "%.1f us", ns / 1e3);
   else if (ns < 1e9)
      snprintf(buf, size, "%.2f ms", ns / 1e6);
   else
      snprintf(buf, size, "%.2f s", ns / 1e9);
   return buf;
}

static bool flag(const struct pm4d_json *v)
{
   return v && v->type == PM4D_JSON_BOOL && v->boolean;
}

static void print_policies(FILE *out, const struct pm4d_json *root)
{
   fprintf(out, "mode: %s; %.0f live instances, %.0f live devices\n",
           flag(pm4d_json_get(root, "disabled")) ? "DISABLED (PM4DIRECT_DISABLE)" : "enabled",
           pm4d_json_number(pm4d_json_get(root, "live_instances"), 0),
           pm4d_json_number(pm4d_json_get(root, "live_devices"), 0));
   const struct pm4d_json *ad = pm4d_json_get(root, "auto_disable");
   if (ad) {
      const struct pm4d_json *why = pm4d_json_get(ad, "reason");
      fprintf(out,
              "auto-disable: %s (window %.0f batches, threshold %.2f %%; %.0f batches ok, %.0f "
              "failed)\n",
              flag(pm4d_json_get(ad, "tripped")) ? "TRIPPED" : "not tripped",
              pm4d_json_number(pm4d_json_get(ad, "window"), 0),
              pm4d_json_number(pm4d_json_get(ad, "threshold"), 0),
              pm4d_json_number(pm4d_json_get(ad, "successes"), 0),
              pm4d_json_number(pm4d_json_get(ad, "failures"), 0));
      if (why && why->type == PM4D_JSON_STRING && why->string[0])
         fprintf(out, "  %s\n", why->string);
   }
   const struct pm4d_json *kf = pm4d_json_get(root, "kill_file");
   const struct pm4d_json *path = pm4d_json_get(kf, "path");
   if (path && path->type == PM4D_JSON_STRING && path->string[0])
      fprintf(out, "kill file: %s (%s at the time of writing)\n", path->string,
              flag(pm4d_json_get(kf, "active")) ? "PRESENT: redirect stopped" : "absent");
}

static void print_histograms(FILE *out, const struct pm4d_json *hs)
{
   if (!hs || hs->type != PM4D_JSON_OBJECT)
      return;
   fprintf(out, "\n%-22s %10s %10s %10s %10s %10s\n", "latency", "count", "mean", "p50", "p99",
           "max");
   for (size_t i = 0; i < hs->count; i++) {
      const struct pm4d_json *h = &hs->items[i];
      char name[64], b[4][32];
      snprintf(name, sizeof(name), "%s", hs->keys[i]);
      size_t n = strlen(name);
      if (n > 3 && !strcmp(name + n - 3, "_ns"))
         name[n - 3] = '\0';
      double count = pm4d_json_number(pm4d_json_get(h, "count"), 0);
      if (count == 0) {
         fprintf(out, "  %-20s %10s\n", name, "0");
         continue;
      }
      fprintf(out, "  %-20s %10.0f %10s %10s %10s %10s\n", name, count,
              duration(pm4d_json_number(pm4d_json_get(h, "mean"), 0), b[0], sizeof(b[0])),
              duration(pm4d_json_number(pm4d_json_get(h, "p50"), 0), b[1], sizeof(b[1])),
              duration(pm4d_json_number(pm4d_json_get(h, "p99"), 0), b[2], sizeof(b[2])),
              duration(pm4d_json_number(pm4d_json_get(h, "max"), 0), b[3], sizeof(b[3])));
   }
}

static void print_counters(FILE *out, const struct pm4d_json *cs)
{
   bool any = false;
   for (unsigned g = 0; g < NGROUPS; g++) {
      bool titled = false;
      for (size_t i = 0; i < cs->count; i++) {
         double v = pm4d_json_number(&cs->items[i], 0);
         if (v == 0 || group_of(cs->keys[i]) != g)
            continue;
         if (!titled)
            fprintf(out, "\n%s\n", groups[g].title);
         titled = any = true;
         fprintf(out, "  %-40s %12.0f\n", cs->keys[i], v);
      }
   }
   if (!any)
      fprintf(out, "\nevery counter is zero\n");
}

int pm4d_tool_stats(int argc, char **argv)
{
   if (argc != 1) {
      fprintf(stderr, "usage: pm4direct stats FILE\n");
      return EXIT_USAGE;
   }
   return pm4d_tool_stats_print(stdout, argv[0]);
}

int pm4d_tool_stats_print(FILE *out, const char *path)
{
   char *text = read_text(path);
   if (!text)
      return EXIT_USAGE;
   struct pm4d_json root;
   char why[128];
   bool ok = pm4d_json_parse(text, &root, why, sizeof(why));
   free(text);
   if (!ok) {
      fprintf(stderr, "pm4direct: %s: not JSON: %s\n", path, why);
      return EXIT_USAGE;
   }
   const struct pm4d_json *counters = pm4d_json_get(&root, "counters");
   if (!counters || counters->type != PM4D_JSON_OBJECT) {
      fprintf(stderr, "pm4direct: %s: no \"counters\" object: not a pm4direct stats file\n", path);
      pm4d_json_free(&root);
      return EXIT_USAGE;
   }
   fprintf(out, "pm4direct stats: %s\n", path);
   print_policies(out, &root);
   print_histograms(out, pm4d_json_get(&root, "histograms"));
   print_counters(out, counters);
   pm4d_json_free(&root);
   return 0;
}
