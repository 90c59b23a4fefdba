/* Helpers shared by the planning code. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planning/plan_internal.h"

const char *const cov__home_care_kinds[4] = {"zaishin", "enhanced_single", "enhanced_network",
                                             "zaibyo"};
const char *const cov__enhanced_kinds[2] = {"enhanced_single", "enhanced_network"};
const char *const cov__backup_kinds[3] = {"enhanced_single", "enhanced_network",
                                          "backup_hospital"};
const char *const cov__standard_kinds[1] = {"zaishin"};

int cov__plan_has_network(const cov_travel_model *model)
{
    return cov_travel_model_is_network(model);
}

/* Defaults in the travel model's unit: 30 minutes by road with a time
 * metric (the nursing default of planning.h), else the 16 km of the rule
 * (straight line, or metres along roads with a distance metric). */
double cov__plan_default_threshold(const cov_travel_model *model, int nursing)
{
    (void)nursing;
    if (cov_travel_model_metric(model) == COV_TRAVEL_TIME) return 1800.0;
    return COV_RULE16_M;
}

const cov__reach_sets *cov__plan_reach_sets(cov_ctx *ctx, cov_analysis *a,
                                            const cov_travel_model *model, double threshold,
                                            int costs)
{
    cov__reach *r = cov__reach_get(ctx, a, model, threshold);
    return r ? cov__reach_sets_of(ctx, a, r, costs) : NULL;
}

void cov__plan_threshold_text(const cov_travel_model *model, double t, char *buf, size_t size)
{
    int metric = cov_travel_model_metric(model);
    if (metric == COV_TRAVEL_TIME) snprintf(buf, size, "%g min by road", t / 60.0);
    else if (metric == COV_TRAVEL_DISTANCE) snprintf(buf, size, "%g km by road", t / 1000.0);
    else snprintf(buf, size, "%g km", t / 1000.0);
}

int cov__plan_check_threshold(cov_ctx *ctx, double t, const char *what)
{
    if (!(t > 0.0) || !isfinite(t) || t > 1e6)
        return cov__error(ctx, COV_ERR_ARG, "%s %g is not usable: it must be > 0 and <= 1e6",
                          what, t);
    return COV_OK;
}

const double *cov__plan_weights(cov_ctx *ctx, const cov_analysis *a, size_t weight,
                                const char *what)
{
    if (weight >= a->demand->n_weights) {
        cov__error(ctx, COV_ERR_ARG, "%s: weight column %zu does not exist (demand has %zu)",
                   what, weight, a->demand->n_weights);
        return NULL;
    }
    return a->demand->weights + weight * a->demand->n;
}

unsigned char *cov__plan_kind_mask(cov_ctx *ctx, const cov_analysis *a,
                                   const char *const *kinds, size_t n,
                                   const char *const *defaults, size_t n_defaults)
{
    const cov_facilities *f = a->facilities;
    unsigned char *m = cov__calloc(ctx, f->n ? f->n : 1, 1);
    if (!m) return NULL;
    if (!kinds) {
        kinds = defaults;
        n = n_defaults;
    }
    for (size_t i = 0; i < f->n; i++)
        for (size_t k = 0; k < n; k++)
            if (kinds[k] && strcmp(f->kinds[i], kinds[k]) == 0) m[i] = 1;
    return m;
}

unsigned char *cov__plan_group_mask(cov_ctx *ctx, const cov_analysis *a, long group)
{
    unsigned char *m = cov__calloc(ctx, a->facilities->n ? a->facilities->n : 1, 1);
    if (!m || group < 0) return m;
    const cov_group *g = &a->groups[group];
    for (size_t k = 0; k < g->n_members; k++) m[g->members[k]] = 1;
    return m;
}

int32_t *cov__plan_unit_counts(cov_ctx *ctx, const cov_analysis *a, const cov__reach_sets *rs,
                               const unsigned char *mask)
{
    int32_t *c = cov__calloc(ctx, a->demand->n ? a->demand->n : 1, sizeof *c);
    if (!c) return NULL;
    for (size_t j = 0; j < rs->n_sets; j++) {
        if (mask && !mask[j]) continue;
        for (size_t p = rs->offset[j]; p < rs->offset[j + 1]; p++) c[rs->unit[p]]++;
    }
    return c;
}

int cov__plan_set_region(cov_ctx *ctx, cov_table *t, size_t c_id, size_t c_name, size_t row,
                         const cov_analysis *a, int64_t r)
{
    if (cov__table_set_string(ctx, t, c_id, row, r < 0 ? "" : a->regions->ids[r]) != COV_OK)
        return ctx->status;
    if (c_name == (size_t)-1) return COV_OK;
    return cov__table_set_string(ctx, t, c_name, row,
                                 r < 0 || !a->regions->names[r] ? "" : a->regions->names[r]);
}

static int heap_before(const cov_heap_entry *a, const cov_heap_entry *b)
{
    return a->gain > b->gain || (a->gain == b->gain && a->item < b->item);
}

int cov__heap_push(cov_ctx *ctx, cov_heap *h, cov_heap_entry x)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        cov_heap_entry *e = cov__realloc(ctx, h->e, cap * sizeof *e);
        if (!e) return COV_ERR_NOMEM;
        h->e = e;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0 && heap_before(&x, &h->e[(i - 1) / 2])) {
        h->e[i] = h->e[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->e[i] = x;
    return COV_OK;
}

int cov__heap_pop(cov_heap *h, cov_heap_entry *out)
{
    if (!h->n) return 0;
    *out = h->e[0];
    cov_heap_entry x = h->e[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const cov_heap_entry *best = &x;
        if (l < h->n && heap_before(&h->e[l], best)) m = l, best = &h->e[l];
        if (r < h->n && heap_before(&h->e[r], best)) m = r;
        if (m == i) break;
        h->e[i] = h->e[m];
        i = m;
    }
    if (h->n) h->e[i] = x;
    return 1;
}

void cov__heap_free(cov_heap *h)
{
    free(h->e);
    memset(h, 0, sizeof *h);
}
