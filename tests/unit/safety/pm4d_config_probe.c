/* Prints the process configuration as pm4d_config_get parsed it (its problem lines go to stderr
 * through the log) and, with "write", writes the stats file where PM4DIRECT_STATS points: what the
 * real setgid test (test_config_setgid.sh) runs. */
#include <stdio.h>
#include <string.h>

#include "pm4d_config.h"
#include "pm4d_stats.h"

int main(int argc, char **argv)
{
   const struct pm4d_config *cfg = pm4d_config_get();
   printf("secure=%d stats=%s diag_dir=%s shader_table=%s kill_file=%s deadline_ms=%u\n",
          cfg->secure, cfg->stats_path, cfg->diag_dir, cfg->shader_table, cfg->kill_file,
          cfg->deadline_ms);
   if (argc > 1 && !strcmp(argv[1], "write") && cfg->stats_path[0]) {
      struct pm4d_stats_gauges g = {0};
      return pm4d_stats_write_file(cfg->stats_path, &g) != 0;
   }
   return 0;
}
