#include "pm4d_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

FILE *pm4d_file_create(const char *path)
{
   int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
   if (fd < 0)
      return NULL;
   FILE *f = fdopen(fd, "w");
   if (!f) {
      int saved = errno;
      close(fd);
      errno = saved;
   }
   return f;
}

FILE *pm4d_file_create_temp(const char *path, char *tmp, size_t tmp_size)
{
   if ((size_t)snprintf(tmp, tmp_size, "%s.XXXXXX", path) >= tmp_size) {
      errno = ENAMETOOLONG;
      return NULL;
   }
   int fd = mkostemp(tmp, O_CLOEXEC);
   if (fd < 0)
      return NULL;
   FILE *f = fdopen(fd, "w");
   if (!f) {
      int saved = errno;
      close(fd);
      unlink(tmp);
      errno = saved;
   }
   return f;
}
