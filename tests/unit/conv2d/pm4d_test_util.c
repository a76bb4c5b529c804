#include "pm4d_test_util.h"

#include <stdlib.h>

int pm4d_test_failures;

uint32_t *pm4d_test_read(const char *dir, const char *name, size_t *size)
{
    char path[4096];
    FILE *f;
    uint32_t *buf = NULL;
    long n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        pm4d_test_failures++;
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 4);
        if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            *size = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "cannot read %s\n", path);
        pm4d_test_failures++;
    }
    return buf;
}

int pm4d_test_finish(const char *name)
{
    if (pm4d_test_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, pm4d_test_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}
