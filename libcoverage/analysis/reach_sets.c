/* Per-facility reach sets (facility -> demand units within a threshold),
 * the common input of designation, backup checks and 2SFCA. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "model/reach_sets.h"
#include "analysis/net_model.h"

/* Pairs of one growing row, appended to the arrays of the whole set. */
typedef struct collector {
    cov_ctx *ctx;
    cov__reach_sets *rs;
    size_t n, cap;
    int failed;
} collector;

static void collect(void *userdata, size_t index, double distance_m)
{
    collector *c = userdata;
    if (c->failed) return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        uint32_t *u = cov__realloc(c->ctx, c->rs->unit, cap * sizeof *u);
        if (u) c->rs->unit = u;
        double *d = u ? cov__realloc(c->ctx, c->rs->cost, cap * sizeof *d) : NULL;
        if (d) c->rs->cost = d;
        if (!u || !d) {
            c->failed = 1;
            return;
        }
        c->cap = cap;
    }
    c->rs->unit[c->n] = (uint32_t)index;
    c->rs->cost[c->n++] = distance_m;
}

/* Rows come out of the kd-tree in leaf order; they are sorted by unit
 * through a packed copy (one buffer reused for every row). */
typedef struct pair {
    uint32_t unit;
    double cost;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    uint32_t x = ((const pair *)a)->unit, y = ((const pair *)b)->unit;
    return (x > y) - (x < y);
}

static int sort_row(cov_ctx *ctx, cov__reach_sets *rs, size_t b, size_t e, pair **buf,
                    size_t *buf_cap)
{
    size_t n = e - b;
    if (n < 2) return COV_OK;
    if (n > *buf_cap) {
        pair *p = cov__realloc(ctx, *buf, n * sizeof *p);
        if (!p) return COV_ERR_NOMEM;
        *buf = p;
        *buf_cap = n;
    }
    for (size_t k = 0; k < n; k++) (*buf)[k] = (pair){rs->unit[b + k], rs->cost[b + k]};
    qsort(*buf, n, sizeof **buf, cmp_pair);
    for (size_t k = 0; k < n; k++) {
        rs->unit[b + k] = (*buf)[k].unit;
        rs->cost[b + k] = (*buf)[k].cost;
    }
    return COV_OK;
}

int cov__straight_reach_sets(cov_ctx *ctx, cov_analysis *a, double radius_m, int costs,
                             cov__reach_sets *out)
{
    memset(out, 0, sizeof *out);
    if (cov__check_radius(ctx, radius_m) != COV_OK) return ctx->status;
    const cov_demand *d = a->demand;
    const cov_facilities *f = a->facilities;
    if (d->n > UINT32_MAX)
        return cov__error(ctx, COV_ERR_ARG, "reach sets: more than %u demand units",
                          (unsigned)UINT32_MAX);
    cov_kdtree *tree = cov__kdtree_build(ctx, d->lon, d->lat, NULL, d->n);
    out->n_sets = f->n;
    out->offset = cov__calloc(ctx, f->n + 1, sizeof *out->offset);
    if (!tree || !out->offset) goto fail;
    collector c = {.ctx = ctx, .rs = out};
    pair *buf = NULL;
    size_t buf_cap = 0;
    for (size_t j = 0; j < f->n; j++) {
        size_t begin = c.n;
        cov__kdtree_visit_within(tree, &ctx->geod, f->lon[j], f->lat[j], radius_m, costs, collect,
                                 &c);
        if (c.failed || sort_row(ctx, out, begin, c.n, &buf, &buf_cap) != COV_OK) {
            free(buf);
            goto fail;
        }
        out->offset[j + 1] = c.n;
        if (j % 64 == 63 && cov__progress(ctx, (double)j / f->n, "reach sets") != COV_OK) {
            free(buf);
            goto fail;
        }
    }
    free(buf);
    cov__kdtree_destroy(tree);
    return COV_OK;
fail:
    cov__kdtree_destroy(tree);
    cov__reach_sets_free(out);
    return ctx->status ? ctx->status : COV_ERR_NOMEM;
}

int cov__analysis_reach_sets(cov_ctx *ctx, cov_analysis *a, double threshold, int costs,
                             cov__reach_sets *out)
{
    if (a->net) return cov__network_reach_sets(ctx, a, threshold, out);
    return cov__straight_reach_sets(ctx, a, threshold, costs, out);
}
