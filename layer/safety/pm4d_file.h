/* Output files the layer writes where a setting points (stats, diagnostics, allocation sites):
 * never through a symbolic link, owner-only, close-on-exec. */
#ifndef PM4D_FILE_H
#define PM4D_FILE_H

#include <stdio.h>

/* Opens path for writing, created with mode 0600 or truncated; refuses a symbolic link as the
 * last component (O_NOFOLLOW). NULL with errno set on failure. */
FILE *pm4d_file_create(const char *path);

/* A new file next to path ("PATH.XXXXXX", mkstemp: created exclusively, mode 0600), its name in
 * tmp (size tmp_size), to be renamed over path once written. NULL with errno on failure. */
FILE *pm4d_file_create_temp(const char *path, char *tmp, size_t tmp_size);

#endif
