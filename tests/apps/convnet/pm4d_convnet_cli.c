#include "pm4d_convnet_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bounds keep every derived size well inside 64-bit arithmetic; the device limits are checked
 * separately once the device is known. */
struct pm4d_convnet_cli_num {
   const char *flag;
   size_t offset; /* of the uint32_t field in struct pm4d_convnet_opts */
   uint32_t min, max;
};

static const struct pm4d_convnet_cli_num pm4d_convnet_cli_nums[] = {
   {"--size", offsetof(struct pm4d_convnet_opts, size), 1, 16384},
   {"--channels", offsetof(struct pm4d_convnet_opts, channels), 1, 4096},
   {"--batch", offsetof(struct pm4d_convnet_opts, batch), 1, 65535},
   {"--iters", offsetof(struct pm4d_convnet_opts, iters), 1, 1000000},
   {"--device", offsetof(struct pm4d_convnet_opts, device), 0, 65535},
   {"--gate-before", offsetof(struct pm4d_convnet_opts, gate_before), 1, 1000000},
};

void pm4d_convnet_cli_usage(FILE *f)
{
   fprintf(f, "usage: convnet [--size N] [--channels C] [--batch B] [--iters K] [--out FILE] "
              "[--no-check] [--device N] [--gate FILE --gate-before I]\n");
}

static bool pm4d_convnet_cli_number(const char *text, uint32_t min, uint32_t max, uint32_t *v)
{
   char *end;
   if (text[0] < '0' || text[0] > '9')
      return false;
   errno = 0;
   unsigned long long x = strtoull(text, &end, 10);
   if (errno != 0 || *end != '\0' || x < min || x > max)
      return false;
   *v = (uint32_t)x;
   return true;
}

bool pm4d_convnet_cli_parse(int argc, char **argv, struct pm4d_convnet_opts *o, char *why,
                            size_t why_len)
{
   *o = (struct pm4d_convnet_opts){
      .size = 32, .channels = 3, .batch = 1, .iters = 3, .device = 0, .check = true};
   for (int i = 1; i < argc; i++) {
      const char *arg = argv[i];
      if (strcmp(arg, "--no-check") == 0) {
         o->check = false;
         continue;
      }
      if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
         o->help = true;
         continue;
      }
      if (i + 1 >= argc) {
         snprintf(why, why_len, "unknown option or missing value: %s", arg);
         return false;
      }
      const char *val = argv[++i];
      if (strcmp(arg, "--out") == 0) {
         o->out = val;
         continue;
      }
      if (strcmp(arg, "--gate") == 0) {
         o->gate = val;
         continue;
      }
      const struct pm4d_convnet_cli_num *num = NULL;
      for (size_t j = 0; j < sizeof(pm4d_convnet_cli_nums) / sizeof(pm4d_convnet_cli_nums[0]);
           j++) {
         if (strcmp(arg, pm4d_convnet_cli_nums[j].flag) == 0)
            num = &pm4d_convnet_cli_nums[j];
      }
      if (!num) {
         snprintf(why, why_len, "unknown option: %s", arg);
         return false;
      }
      uint32_t *field = (uint32_t *)((char *)o + num->offset);
      if (!pm4d_convnet_cli_number(val, num->min, num->max, field)) {
         snprintf(why, why_len, "%s needs an integer in [%u, %u], got \"%s\"", arg, num->min,
                  num->max, val);
         return false;
      }
   }
   if (!o->gate != !o->gate_before || o->gate_before > o->iters) {
      snprintf(why, why_len,
               "--gate and --gate-before go together, with an inference in "
               "[1, --iters]");
      return false;
   }
   return true;
}
