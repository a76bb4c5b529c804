#include "pm4d_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* A stream on fd (NULL, fd closed and unlink_path removed when given, errno kept, on failure). */
static FILE *stream(int fd, const char *unlink_path)
{
   if (fd < 0)
      return NULL;
   FILE *f = fdopen(fd, "w");
   if (!f) {
      int saved = errno;
      close(fd);
      if (unlink_path)
         unlink(unlink_path);
      errno = saved;
   }
   return f;
}

FILE *pm4d_file_create(const char *path)
{
   return stream(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600), NULL);
}

FILE *pm4d_file_create_temp(const char *path, char *tmp, size_t tmp_size)
{
   if ((size_t)snprintf(tmp, tmp_size, "%s.XXXXXX", path) >= tmp_size) {
      errno = ENAMETOOLONG;
      return NULL;
   }
   return stream(mkostemp(tmp, O_CLOEXEC), tmp);
}
