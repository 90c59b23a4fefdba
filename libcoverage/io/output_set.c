/* Atomic outputs. Every file is first written under a hidden temporary
 * name in the destination folder (so rename() is atomic and never crosses
 * file systems), then renamed; on failure the temporaries are removed and
 * nothing is left behind. A shapefile is a set of files renamed together,
 * the .shp last. Nothing is written over a file read as an input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/write.h"

#define TEMP_TRIES 100

/* ---- temporary names ----------------------------------------------------- */

/* "<dir>/.<base>.tmp.<pid>[.<k>]": hidden, beside the destination. */
static char *temp_stem(cov_ctx *ctx, const char *dest, size_t dest_stem_len, int k)
{
    const char *slash = strrchr(dest, '/');
    size_t dir = slash ? (size_t)(slash - dest) + 1 : 0;
    size_t n = dest_stem_len + 64;
    char *s = cov__malloc(ctx, n);
    if (!s) return NULL;
    int len = snprintf(s, n, "%.*s.%.*s.tmp.%ld", (int)dir, dest, (int)(dest_stem_len - dir),
                       dest + dir, (long)getpid());
    if (k) snprintf(s + len, n - (size_t)len, ".%d", k);
    return s;
}

char *cov__concat(cov_ctx *ctx, const char *a, const char *b)
{
    char *s = cov__malloc(ctx, strlen(a) + strlen(b) + 1);
    if (s) sprintf(s, "%s%s", a, b);
    return s;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int cov__write_error(cov_ctx *ctx, const char *path, int err)
{
    return cov__error(ctx, COV_ERR_IO, "cannot write %s: %s", path, strerror(err));
}

/* ---- one file ------------------------------------------------------------ */

/* Opens a new temporary file beside path, exclusively ("x") so that two
 * writers never share one. */
FILE *cov__open_temp(cov_ctx *ctx, const char *path, char **out_tmp)
{
    for (int k = 0; k < TEMP_TRIES; k++) {
        char *tmp = temp_stem(ctx, path, strlen(path), k);
        if (!tmp) return NULL;
        FILE *f = fopen(tmp, "wbx");
        if (f) {
            *out_tmp = tmp;
            return f;
        }
        int err = errno;
        free(tmp);
        if (err != EEXIST) {
            cov__write_error(ctx, path, err);
            return NULL;
        }
    }
    cov__write_error(ctx, path, EEXIST);
    return NULL;
}

int cov__refuse_input(cov_ctx *ctx, const char *path)
{
    return cov__error(ctx, COV_ERR_IO,
                      "refusing to write %s: it was read as an input in this context", path);
}

int cov__commit_temp(cov_ctx *ctx, FILE *f, char *tmp, const char *path, int rc)
{
    if (fclose(f) != 0 && rc == COV_OK) rc = cov__write_error(ctx, path, errno);
    if (rc == COV_OK && rename(tmp, path) != 0) rc = cov__write_error(ctx, path, errno);
    if (rc != COV_OK) remove(tmp);
    free(tmp);
    return rc;
}

/* ---- the shapefile as a set of files ------------------------------------- */

static const char *const shp_exts[] = {".shx", ".dbf", ".prj", ".cpg", ".shp"};
#define N_SHP_EXTS (sizeof shp_exts / sizeof *shp_exts)

int cov__write_text(cov_ctx *ctx, const char *tmp, const char *text, const char *path)
{
    FILE *f = fopen(tmp, "wbx");
    if (!f) return cov__write_error(ctx, path, errno);
    int ok = fputs(text, f) >= 0;
    ok = (fclose(f) == 0) && ok;
    return ok ? COV_OK : cov__write_error(ctx, path, errno ? errno : EIO);
}

/* Refuses when any file of the set (either case of extension) was an input. */
int cov__shp_set_check_inputs(cov_ctx *ctx, const char *path, size_t stem)
{
    char *p = cov__malloc(ctx, stem + 5);
    if (!p) return COV_ERR_NOMEM;
    int rc = COV_OK;
    for (size_t i = 0; rc == COV_OK && i < N_SHP_EXTS; i++) {
        for (int upper = 0; rc == COV_OK && upper < 2; upper++) {
            sprintf(p, "%.*s%s", (int)stem, path, shp_exts[i]);
            for (char *c = p + stem + 1; upper && *c; c++) *c = (char)(*c - 'a' + 'A');
            if (cov__is_input(ctx, p)) rc = cov__refuse_input(ctx, p);
        }
    }
    free(p);
    return rc;
}

/* Sets *out when a file stem + any extension of the set exists. */
static int set_exists(cov_ctx *ctx, const char *stem, int *out)
{
    *out = 0;
    for (size_t i = 0; !*out && i < N_SHP_EXTS; i++) {
        char *p = cov__concat(ctx, stem, shp_exts[i]);
        if (!p) return COV_ERR_NOMEM;
        *out = exists(p);
        free(p);
    }
    return COV_OK;
}

/* A temporary stem none of whose siblings exist yet. */
char *cov__shp_set_temp(cov_ctx *ctx, const char *path, size_t stem)
{
    for (int k = 0; k < TEMP_TRIES; k++) {
        char *s = temp_stem(ctx, path, stem, k);
        int taken = 1, rc = s ? set_exists(ctx, s, &taken) : COV_ERR_NOMEM;
        if (rc == COV_OK && !taken) return s;
        free(s);
        if (rc != COV_OK) return NULL;
    }
    cov__write_error(ctx, path, EEXIST);
    return NULL;
}

/* Final name for extension i: the case of the .shp's extension. */
static char *final_name(cov_ctx *ctx, const char *path, size_t stem, size_t i)
{
    char *p = cov__malloc(ctx, stem + 5);
    if (!p) return NULL;
    sprintf(p, "%.*s%s", (int)stem, path, shp_exts[i]);
    int upper = path[stem + 1] == 'S';
    for (char *c = p + stem + 1; upper && *c; c++) *c = (char)(*c - 'a' + 'A');
    return p;
}

void cov__shp_set_remove(cov_ctx *ctx, const char *tmp_stem)
{
    for (size_t i = 0; i < N_SHP_EXTS; i++) {
        char *p = cov__concat(ctx, tmp_stem, shp_exts[i]);
        if (p) remove(p);
        free(p);
    }
}

/* Renames the .shp last, so that until the set is complete no new .shp
 * points at old companions. */
int cov__shp_set_rename(cov_ctx *ctx, const char *tmp_stem, const char *path, size_t stem)
{
    int rc = COV_OK;
    for (size_t i = 0; rc == COV_OK && i < N_SHP_EXTS; i++) {
        char *to = final_name(ctx, path, stem, i), *from = cov__concat(ctx, tmp_stem, shp_exts[i]);
        if (!to || !from) rc = COV_ERR_NOMEM;
        else if (rename(from, to) != 0) rc = cov__write_error(ctx, to, errno);
        free(to);
        free(from);
    }
    return rc;
}
