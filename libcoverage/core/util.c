#define _XOPEN_SOURCE 700 /* realpath() */
/* Allocation that reports failure in the context, string vectors, and the
 * list of input paths that outputs must never overwrite. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"

void *cov__malloc(cov_ctx *ctx, size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) cov__error(ctx, COV_ERR_NOMEM, "out of memory (%zu bytes)", size);
    return p;
}

void *cov__calloc(cov_ctx *ctx, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) cov__error(ctx, COV_ERR_NOMEM, "out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *cov__realloc(cov_ctx *ctx, void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p) cov__error(ctx, COV_ERR_NOMEM, "out of memory (%zu bytes)", size);
    return p;
}

void *cov__mallocarray(cov_ctx *ctx, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        cov__error(ctx, COV_ERR_NOMEM, "allocation overflow (%zu x %zu)", n, size);
        return NULL;
    }
    return cov__malloc(ctx, n * size);
}

char *cov__strndup(cov_ctx *ctx, const char *s, size_t n)
{
    char *d = cov__malloc(ctx, n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *cov__strdup(cov_ctx *ctx, const char *s)
{
    return cov__strndup(ctx, s ? s : "", s ? strlen(s) : 0);
}

int cov__strvec_push(cov_ctx *ctx, cov_strvec *v, const char *s)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 8;
        char **items = cov__realloc(ctx, v->items, cap * sizeof *items);
        if (!items) return COV_ERR_NOMEM;
        v->items = items;
        v->cap = cap;
    }
    if (!(v->items[v->n] = cov__strdup(ctx, s))) return COV_ERR_NOMEM;
    v->n++;
    return COV_OK;
}

void cov__strvec_free(cov_strvec *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->n = v->cap = 0;
}

/* Canonical form of a path that may not exist yet: realpath() of its folder
 * plus its last component. */
static char *canonical(const char *path)
{
    char *full = realpath(path, NULL);
    if (full) return full;
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    const char *base = slash ? slash + 1 : path;
    size_t dlen = slash ? (size_t)(slash - path) : 1;
    if (dlen >= sizeof dir) return NULL;
    memcpy(dir, slash ? path : ".", dlen);
    dir[dlen ? dlen : 1] = '\0';
    if (slash == path) strcpy(dir, "/");
    char *rdir = realpath(dir, NULL);
    if (!rdir) return NULL;
    size_t n = strlen(rdir) + strlen(base) + 2;
    char *out = malloc(n);
    if (out) {
        strcpy(out, rdir);
        if (strcmp(rdir, "/") != 0) strcat(out, "/");
        strcat(out, base);
    }
    free(rdir);
    return out;
}

void cov__note_input(cov_ctx *ctx, const char *path)
{
    char *c = canonical(path);
    if (!c) return;
    if (cov__is_input(ctx, c)) {
        free(c);
        return;
    }
    char **p = realloc(ctx->input_paths, (ctx->n_input_paths + 1) * sizeof *p);
    if (!p) {
        free(c);
        return; /* the guard is best effort; the read itself succeeded */
    }
    ctx->input_paths = p;
    ctx->input_paths[ctx->n_input_paths++] = c;
}

int cov__is_input(const cov_ctx *ctx, const char *path)
{
    char *c = canonical(path);
    int found = 0;
    if (!c) return 0;
    for (size_t i = 0; i < ctx->n_input_paths && !found; i++)
        found = strcmp(ctx->input_paths[i], c) == 0;
    free(c);
    return found;
}

int cov_is_input_path(const cov_ctx *ctx, const char *path)
{
    return ctx && path && cov__is_input(ctx, path);
}

void cov__free_strings(char **s, size_t n)
{
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

uint64_t cov__unique_stamp(const void *object)
{
    struct timespec ts = {0, 0};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t h = cov__mix64((uint64_t)(uintptr_t)object);
    h = cov__mix64(h ^ ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec));
    h = cov__mix64(h ^ (uint64_t)(uintptr_t)&ts); /* the stack differs across threads */
    return h ? h : 1;
}

int cov__options_take(cov_ctx *ctx, void *dst, size_t dst_size, const void *src,
                      const char *what)
{
    size_t n;
    memcpy(&n, src, sizeof n);
    if (n < sizeof n)
        return cov__error(ctx, COV_ERR_ARG, "%s: struct_size is %zu: make the struct with its "
                          "_init() function before setting members", what, n);
    if (n > dst_size)
        return cov__error(ctx, COV_ERR_ARG, "%s: struct_size %zu is larger than this "
                          "libcoverage's %zu: the program was built against newer headers "
                          "(cov_api_version_number() says which)", what, n, dst_size);
    memcpy(dst, src, n);
    memcpy(dst, &dst_size, sizeof dst_size);
    return COV_OK;
}
