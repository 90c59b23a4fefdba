/* String -> index hash map with open addressing (FNV-1a, linear probing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int cov__strmap_init(cov_ctx *ctx, cov_strmap *m, size_t expected)
{
    size_t cap = 16;
    while (cap < 2 * expected + 1) cap *= 2;
    m->keys = cov__calloc(ctx, cap, sizeof *m->keys);
    m->values = cov__calloc(ctx, cap, sizeof *m->values);
    m->cap = cap;
    m->n = 0;
    if (!m->keys || !m->values) {
        cov__strmap_free(m);
        return COV_ERR_NOMEM;
    }
    return COV_OK;
}

static size_t slot(const cov_strmap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & (m->cap - 1);
    return i;
}

size_t cov__strmap_get(const cov_strmap *m, const char *key)
{
    if (!m->cap) return (size_t)-1;
    size_t i = slot(m, key);
    return m->keys[i] ? m->values[i] : (size_t)-1;
}

static int grow(cov_ctx *ctx, cov_strmap *m)
{
    cov_strmap bigger;
    if (cov__strmap_init(ctx, &bigger, m->cap) != COV_OK) return COV_ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot(&bigger, m->keys[i]);
            bigger.keys[j] = m->keys[i];
            bigger.values[j] = m->values[i];
        }
    bigger.n = m->n;
    cov__strmap_free(m);
    *m = bigger;
    return COV_OK;
}

int cov__strmap_put(cov_ctx *ctx, cov_strmap *m, const char *key, size_t value,
                    size_t *out_value)
{
    if (2 * (m->n + 1) > m->cap && grow(ctx, m) != COV_OK) return COV_ERR_NOMEM;
    size_t i = slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->values[i] = value;
        m->n++;
    }
    if (out_value) *out_value = m->values[i];
    return COV_OK;
}

void cov__strmap_free(cov_strmap *m)
{
    free(m->keys);
    free(m->values);
    m->keys = NULL;
    m->values = NULL;
    m->cap = m->n = 0;
}
