/* Helpers shared by the libFuzzer targets: a private scratch folder per
 * process, writing files into it, and splitting one fuzz input into the
 * several files a shapefile is made of. */
#ifndef COV_FUZZ_UTIL_H
#define COV_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Separates the parts of a multi-file input (.shp, .shx, .dbf, ...). Long
 * and unlikely in real files, so that a mutation rarely creates one. */
#define FUZZ_SEP "\n#%%PART%%#\n"
#define FUZZ_SEP_LEN (sizeof FUZZ_SEP - 1)

/* The scratch folder of this process, made once under $TMPDIR; every
 * iteration overwrites the same few files in it. */
static const char *fuzz_dir(void)
{
    static char dir[512];
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/covfuzz.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) abort();
    }
    return dir;
}

/* Writes n bytes to dir/name (path into buf); aborts when it cannot, since
 * the target would otherwise test nothing. */
static const char *fuzz_write(char *buf, size_t size, const char *name, const uint8_t *data,
                              size_t n)
{
    snprintf(buf, size, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(buf, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) abort();
    return buf;
}

static void fuzz_remove(const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    unlink(path);
}

/* Splits data at FUZZ_SEP into at most max parts; returns how many there
 * are. Part k is [start[k], start[k] + len[k]). */
static size_t fuzz_split(const uint8_t *data, size_t n, size_t max, const uint8_t **start,
                         size_t *len)
{
    size_t k = 0, from = 0;
    while (k + 1 < max) {
        const uint8_t *hit = NULL;
        for (size_t i = from; i + FUZZ_SEP_LEN <= n; i++)
            if (memcmp(data + i, FUZZ_SEP, FUZZ_SEP_LEN) == 0) {
                hit = data + i;
                break;
            }
        if (!hit) break;
        start[k] = data + from;
        len[k++] = (size_t)(hit - (data + from));
        from = (size_t)(hit - data) + FUZZ_SEP_LEN;
    }
    start[k] = data + from;
    len[k++] = n - from;
    return k;
}

/* With COV_FUZZ_VERBOSE set, prints what a call gave: for checking that
 * the seeds reach the success paths (and for reading crash inputs). */
#define fuzz_report(ok, what, ctx)                                                  \
    do {                                                                            \
        if (getenv("COV_FUZZ_VERBOSE"))                                             \
            fprintf(stderr, "%s: %s\n", (what), (ok) ? "ok" : cov_last_message(ctx)); \
    } while (0)

#endif /* COV_FUZZ_UTIL_H */
