/* Internal to libcoverage: the context and helpers shared by all layers. */
#ifndef COV_CORE_INTERNAL_H
#define COV_CORE_INTERNAL_H

#include <geodesic.h>
#include <geos_c.h>
#include <proj.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>

#include "libcoverage/core.h"

#define COV_MSG_MAX 1024

struct cov_ctx {
    /* One reference for the caller and one per object made with the
     * context: objects may be destroyed in any order, before or after
     * cov_ctx_destroy() (garbage collectors choose their own order). */
    atomic_size_t refs;
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    struct geod_geodesic geod; /* GRS80 */
    int status;
    char message[COV_MSG_MAX];
    char geos_message[COV_MSG_MAX]; /* last GEOS error, for our messages */
    size_t n_warnings;
    cov_message_handler on_message;
    void *message_userdata;
    cov_progress_handler on_progress;
    void *progress_userdata;
    char **input_paths; /* canonical paths of inputs read: never overwritten */
    size_t n_input_paths;
};

/* Takes a reference to ctx for an object made with it; the object gives it
 * back with cov__ctx_release() when destroyed. */
cov_ctx *cov__ctx_retain(cov_ctx *ctx);
void cov__ctx_release(cov_ctx *ctx);

/* Records an error (status + printf-style message) and returns status.
 * The message should name the file, record and field where they apply. */
int cov__error(cov_ctx *ctx, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records COV_ERR_GEOMETRY with the given context and GEOS's own message. */
int cov__geos_error(cov_ctx *ctx, const char *what);

/* Emits a warning or notice to the handler. */
void cov__warn(cov_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cov__notice(cov_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reports progress; returns COV_OK or COV_ERR_CANCELLED (recorded). */
int cov__progress(cov_ctx *ctx, double fraction, const char *stage);

/* Allocation that records COV_ERR_NOMEM in ctx on failure. */
void *cov__malloc(cov_ctx *ctx, size_t size);
void *cov__calloc(cov_ctx *ctx, size_t n, size_t size);
void *cov__realloc(cov_ctx *ctx, void *ptr, size_t size);
/* n * size with overflow check (sets COV_ERR_NOMEM on overflow). */
void *cov__mallocarray(cov_ctx *ctx, size_t n, size_t size);
char *cov__strdup(cov_ctx *ctx, const char *s);
char *cov__strndup(cov_ctx *ctx, const char *s, size_t n);

/* Remembers that path was read as input; cov__is_input() tells whether a
 * path (existing or not) names one of them. */
void cov__note_input(cov_ctx *ctx, const char *path);
int cov__is_input(const cov_ctx *ctx, const char *path);

/* Growable array of strings (owned copies). */
typedef struct cov_strvec {
    char **items;
    size_t n, cap;
} cov_strvec;
int cov__strvec_push(cov_ctx *ctx, cov_strvec *v, const char *s);
void cov__strvec_free(cov_strvec *v);

/* Takes a caller's option struct (its first member the struct_size its
 * _init() set) over the defaults in dst (dst_size bytes, made by the same
 * _init()): a struct from older headers is shorter, and the members it
 * lacks keep their defaults. Fails with COV_ERR_ARG naming `what` when
 * struct_size is unset (the struct was not made by its _init()) or larger
 * than this library's (built against newer headers). */
int cov__options_take(cov_ctx *ctx, void *dst, size_t dst_size, const void *src,
                      const char *what);

/* MurmurHash3's 64-bit finaliser: mixes the bits of h (hash tables, stamps). */
static inline uint64_t cov__mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* A 64-bit stamp, never 0, for an object being made (its address and the
 * clock mixed): an identity that survives address reuse, for caches. */
uint64_t cov__unique_stamp(const void *object);

/* Frees an array of n strings and the array; NULL is a no-op. */
void cov__free_strings(char **s, size_t n);

/* A string -> index hash map (open addressing), for ids: a linear search
 * over 45,000 mesh codes would make loading quadratic. */
typedef struct cov_strmap {
    const char **keys;
    size_t *values;
    size_t cap, n;
} cov_strmap;
int cov__strmap_init(cov_ctx *ctx, cov_strmap *m, size_t expected);
/* Value of key, or (size_t)-1. */
size_t cov__strmap_get(const cov_strmap *m, const char *key);
/* Inserts key (not copied: must outlive the map) -> value unless present;
 * *out_value receives the value stored. COV_OK or COV_ERR_NOMEM. */
int cov__strmap_put(cov_ctx *ctx, cov_strmap *m, const char *key, size_t value,
                    size_t *out_value);
void cov__strmap_free(cov_strmap *m);

/* Pointer check for public entry points: records COV_ERR_ARG naming the
 * argument and returns from the function with the given value. */
#define COV_CHECK_ARG(ctx, cond, ret)                                         \
    do {                                                                      \
        if (!(cond)) {                                                        \
            if (ctx) cov__error((ctx), COV_ERR_ARG, "%s: invalid argument (%s)", \
                                __func__, #cond);                             \
            return ret;                                                       \
        }                                                                     \
    } while (0)

#endif /* COV_CORE_INTERNAL_H */
