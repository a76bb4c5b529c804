#include "pm4d_tool_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* In the child: the environment edits, the files, then exec; exits 127 when exec fails. */
static void child(char *const argv[], const char *const env[], int out_fd)
{
   setpgid(0, 0); /* its own group, so that a timeout ends whatever it started too */
   for (int i = 0; env && env[i]; i++) {
      const char *eq = strchr(env[i], '=');
      if (!eq) {
         unsetenv(env[i]);
         continue;
      }
      char name[128];
      snprintf(name, sizeof(name), "%.*s", (int)(eq - env[i]), env[i]);
      setenv(name, eq + 1, 1);
   }
   int in = open("/dev/null", O_RDONLY);
   if (in < 0 || dup2(in, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
      _exit(127);
   execv(argv[0], argv);
   dprintf(2, "pm4direct: cannot run %s: %s\n", argv[0], strerror(errno));
   _exit(127);
}

static int spawn_fd(char *const argv[], const char *const env[], int out_fd, unsigned timeout_s)
{
   fflush(NULL);
   pid_t pid = fork();
   if (pid < 0) {
      fprintf(stderr, "pm4direct: cannot start %s: %s\n", argv[0], strerror(errno));
      return -1;
   }
   if (pid == 0)
      child(argv, env, out_fd);
   /* Polled every 20 ms: a child that outlives its limit is killed with its group. */
   const struct timespec tick = {0, 20 * 1000 * 1000};
   for (unsigned long waited_ms = 0;; waited_ms += 20) {
      int st;
      pid_t r = waitpid(pid, &st, WNOHANG);
      if (r == pid)
         return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      if (r < 0 && errno != EINTR)
         return -1;
      if (waited_ms >= 1000ul * timeout_s) {
         kill(-pid, SIGKILL);
         kill(pid, SIGKILL);
         waitpid(pid, &st, 0);
         return PM4D_TOOL_SPAWN_TIMEOUT;
      }
      nanosleep(&tick, NULL);
   }
}

int pm4d_tool_spawn(char *const argv[], const char *const env[], const char *log,
                    unsigned timeout_s)
{
   int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
   if (fd < 0) {
      fprintf(stderr, "pm4direct: cannot write %s: %s\n", log, strerror(errno));
      return -1;
   }
   int rc = spawn_fd(argv, env, fd, timeout_s);
   close(fd);
   return rc;
}

void pm4d_tool_spawn_line(char *const argv[], char *buf, unsigned size)
{
   buf[0] = '\0';
   FILE *tmp = tmpfile();
   if (!tmp)
      return;
   if (spawn_fd(argv, NULL, fileno(tmp), 10) == 0) {
      rewind(tmp);
      if (fgets(buf, (int)size, tmp))
         buf[strcspn(buf, "\n")] = '\0';
      else
         buf[0] = '\0';
   }
   fclose(tmp);
}
