/* Accessibility: two-step floating catchment (2SFCA) and its enhanced form
 * with distance bands (E2SFCA, Luo & Qi 2009), per unit and per region;
 * and the JMAP age weights of medical demand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "planning/plan_internal.h"

void cov_access_options_init(cov_access_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->supply = COV_SUPPLY_CAPACITY;
    o->threshold = NAN;
}

static const char *supply_name(int s)
{
    static const char *const names[] = {"capacity", "doctors",          "nurse_fte",
                                        "beds",     "one",              "beds_psychiatric"};
    return s >= 0 && s <= COV_SUPPLY_BEDS_PSYCHIATRIC ? names[s] : "?";
}

/* Band weight of a cost, 0 beyond the last band. */
static double band_weight(const cov_access_options *o, double cost)
{
    if (!o->n_bands) return cost <= o->threshold ? 1.0 : 0.0;
    for (size_t k = 0; k < o->n_bands; k++)
        if (cost <= o->band_limits[k]) return o->band_weights ? o->band_weights[k] : 1.0;
    return 0.0;
}

static int check_options(cov_ctx *ctx, const cov_travel_model *model, cov_access_options *o)
{
    if (o->supply < COV_SUPPLY_CAPACITY || o->supply > COV_SUPPLY_BEDS_PSYCHIATRIC)
        return cov__error(ctx, COV_ERR_ARG, "access: unknown supply %d", o->supply);
    if (o->n_bands) {
        if (!o->band_limits)
            return cov__error(ctx, COV_ERR_ARG, "access: %zu bands but no band limits",
                              o->n_bands);
        for (size_t k = 0; k < o->n_bands; k++) {
            if (cov__plan_check_threshold(ctx, o->band_limits[k], "band limit") != COV_OK)
                return ctx->status;
            if (k && !(o->band_limits[k] > o->band_limits[k - 1]))
                return cov__error(ctx, COV_ERR_ARG,
                                  "access: band limits must increase (band %zu: %g after %g)", k,
                                  o->band_limits[k], o->band_limits[k - 1]);
            if (o->band_weights && (!(o->band_weights[k] >= 0.0) || !isfinite(o->band_weights[k])))
                return cov__error(ctx, COV_ERR_ARG, "access: band weight %zu (%g) must be >= 0",
                                  k, o->band_weights[k]);
        }
        o->threshold = o->band_limits[o->n_bands - 1];
    } else if (isnan(o->threshold)) {
        o->threshold = cov__plan_default_threshold(model, 0);
    }
    return cov__plan_check_threshold(ctx, o->threshold, "access threshold");
}

/* Weighted Gini of x with weights p over the n entries idx (sorted here):
 * G = sum_i sum_j p_i p_j |x_i - x_j| / (2 P^2 mean). */
typedef struct xp {
    double x, p;
} xp;

static int cmp_xp(const void *a, const void *b)
{
    double x = ((const xp *)a)->x, y = ((const xp *)b)->x;
    return (x > y) - (x < y);
}

static double gini(xp *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_xp);
    double P = 0.0, S = 0.0;
    for (size_t i = 0; i < n; i++) P += v[i].p;
    if (!(P > 0.0)) return NAN;
    /* shares q = p / P: products of two weights near 1e308 would overflow */
    for (size_t i = 0; i < n; i++) S += v[i].p / P * v[i].x;
    if (!(S > 0.0)) return NAN;
    /* sum_{i<j} q_i q_j (x_j - x_i) = sum_j q_j x_j Qbelow_j - q_j Sbelow_j */
    double qb = 0.0, sb = 0.0, acc = 0.0;
    for (size_t j = 0; j < n; j++) {
        double q = v[j].p / P;
        acc += q * (v[j].x * qb - sb);
        qb += q;
        sb += q * v[j].x;
    }
    return acc / S; /* 2 acc / (2 mean), the mean being S */
}

static const cov_column_spec unit_spec[] = {
    {"demand_id", COV_COL_STRING}, {"region_id", COV_COL_STRING}, {"access", COV_COL_DOUBLE}};
static const cov_column_spec reg_spec[] = {
    {"region_id", COV_COL_STRING}, {"region_name", COV_COL_STRING},
    {"demand_total", COV_COL_DOUBLE}, {"mean", COV_COL_DOUBLE}, {"sd", COV_COL_DOUBLE},
    {"min", COV_COL_DOUBLE}, {"max", COV_COL_DOUBLE}, {"gini", COV_COL_DOUBLE}};

static cov_table *region_stats(cov_ctx *ctx, const cov_analysis *a, const double *w,
                               const double *acc)
{
    size_t nr = a->n_regions, nu = a->demand->n, c[8];
    cov_table *t = cov__table_create(ctx, nr, 0);
    size_t *count = cov__calloc(ctx, nr + 1, sizeof *count), *start = NULL;
    xp *v = cov__mallocarray(ctx, nu ? nu : 1, sizeof *v);
    if (!t || !count || !v || cov__table_add_columns(ctx, t, reg_spec, 8, c)) goto fail;
    for (size_t u = 0; u < nu; u++)
        if (a->demand_region[u] >= 0) count[a->demand_region[u] + 1]++;
    for (size_t r = 0; r < nr; r++) count[r + 1] += count[r];
    start = count; /* prefix sums: region r owns v[start[r] .. start[r+1]) */
    size_t *fill = cov__calloc(ctx, nr ? nr : 1, sizeof *fill);
    if (!fill) goto fail;
    for (size_t u = 0; u < nu; u++) {
        int64_t r = a->demand_region[u];
        if (r >= 0) v[start[r] + fill[r]++] = (xp){acc[u], w[u]};
    }
    free(fill);
    for (size_t r = 0; r < nr; r++) {
        double P = 0, mean = 0, var = 0, lo = INFINITY, hi = -INFINITY;
        for (size_t k = start[r]; k < start[r + 1]; k++) {
            P += v[k].p;
            if (v[k].x < lo) lo = v[k].x;
            if (v[k].x > hi) hi = v[k].x;
        }
        /* with shares p / P: weights near 1e308 times access stay finite */
        for (size_t k = start[r]; P > 0 && k < start[r + 1]; k++) mean += v[k].p / P * v[k].x;
        for (size_t k = start[r]; P > 0 && k < start[r + 1]; k++)
            var += v[k].p / P * (v[k].x - mean) * (v[k].x - mean);
        cov__table_doubles_mut(t, c[2])[r] = P;
        cov__table_doubles_mut(t, c[3])[r] = P > 0 ? mean : NAN;
        cov__table_doubles_mut(t, c[4])[r] = P > 0 ? sqrt(var) : NAN;
        cov__table_doubles_mut(t, c[5])[r] = start[r + 1] > start[r] ? lo : NAN;
        cov__table_doubles_mut(t, c[6])[r] = start[r + 1] > start[r] ? hi : NAN;
        cov__table_doubles_mut(t, c[7])[r] = gini(v + start[r], start[r + 1] - start[r]);
        if (cov__plan_set_region(ctx, t, c[0], c[1], r, a, (int64_t)r)) goto fail;
    }
    free(count);
    free(v);
    return t;
fail:
    free(count);
    free(v);
    cov_table_destroy(t);
    return NULL;
}

int cov_access_2sfca(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                     const cov_access_options *options,
                     cov_table **out_units, cov_table **out_regions)
{
    COV_CHECK_ARG(ctx, ctx, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, a, COV_ERR_ARG);
    if (out_units) *out_units = NULL;
    if (out_regions) *out_regions = NULL;
    cov_access_options o;
    cov_access_options_init(&o);
    if (options && cov__options_take(ctx, &o, sizeof o, options, "access options") != COV_OK)
        return ctx->status;
    const cov_facilities *f = a->facilities;
    const double *w = NULL;
    unsigned char *mask = NULL;
    double *acc = NULL;
    const cov__reach_sets *rs = NULL;
    cov_table *tu = NULL, *tr = NULL;
    int st = check_options(ctx, model, &o);
    if (st != COV_OK) goto done;
    if (!(w = cov__plan_weights(ctx, a, o.weight, "access"))) goto fail;
    mask = o.kinds ? cov__plan_kind_mask(ctx, a, o.kinds, o.n_kinds, NULL, 0)
                   : cov__plan_group_mask(ctx, a, a->doctor_group);
    acc = cov__calloc(ctx, a->demand->n ? a->demand->n : 1, sizeof *acc);
    if (!mask || !acc) goto fail;
    for (size_t j = 0; j < f->n; j++)
        if (mask[j] && isnan(cov_facilities_supply(f, j, o.supply))) {
            st = cov__error(ctx, COV_ERR_VALUE,
                            "access: facility %s (%s) has no %s: give it, or choose another "
                            "supply", f->ids[j], f->kinds[j], supply_name(o.supply));
            goto done;
        }
    if (!(rs = cov__plan_reach_sets(ctx, a, model, o.threshold, COV__COSTS_ALL))) goto fail;
    for (size_t j = 0; j < f->n; j++) {
        if (!mask[j]) continue;
        double denom = 0.0;
        for (size_t k = rs->offset[j]; k < rs->offset[j + 1]; k++)
            denom += band_weight(&o, rs->cost[k]) * w[rs->unit[k]];
        if (!(denom > 0.0)) continue; /* nobody in reach: supply unused */
        double ratio = cov_facilities_supply(f, j, o.supply) / denom;
        for (size_t k = rs->offset[j]; k < rs->offset[j + 1]; k++)
            acc[rs->unit[k]] += band_weight(&o, rs->cost[k]) * ratio;
    }
    if (out_units) {
        size_t c[3];
        if (!(tu = cov__table_create(ctx, a->demand->n, 0)) ||
            cov__table_add_columns(ctx, tu, unit_spec, 3, c))
            goto fail;
        memcpy(cov__table_doubles_mut(tu, c[2]), acc, a->demand->n * sizeof *acc);
        for (size_t u = 0; u < a->demand->n; u++)
            if (cov__table_set_string(ctx, tu, c[0], u, a->demand->ids[u]) ||
                cov__plan_set_region(ctx, tu, c[1], (size_t)-1, u, a, a->demand_region[u]))
                goto fail;
    }
    if (out_regions && !(tr = region_stats(ctx, a, w, acc))) goto fail;
    goto done;
fail:
    st = ctx->status ? ctx->status : COV_ERR_NOMEM;
done:
    if (st == COV_OK) {
        if (out_units) *out_units = tu;
        if (out_regions) *out_regions = tr;
    } else {
        cov_table_destroy(tu);
        cov_table_destroy(tr);
    }
    free(mask);
    free(acc);
    return st;
}

int cov_demand_jmap_weights(cov_ctx *ctx, size_t n, const double *pop, double *out)
{
    static const double weight[5] = {0.6, 0.4, 1.0, 2.3, 3.9};
    static const char *const group[5] = {"0-14", "15-39", "40-64", "65-74", "75+"};
    COV_CHECK_ARG(ctx, ctx, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, n == 0 || (pop && out), COV_ERR_ARG);
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (int k = 0; k < 5; k++) {
            double v = pop[5 * i + k];
            if (!(v >= 0.0) || !isfinite(v))
                return cov__error(ctx, COV_ERR_VALUE,
                                  "JMAP weights: row %zu, age group %s: population %g must be "
                                  "a finite number >= 0", i, group[k], v);
            s += weight[k] * v;
        }
        if (!isfinite(s))
            return cov__error(ctx, COV_ERR_VALUE,
                              "JMAP weights: row %zu: the weighted demand (0.6 x 0-14 + 0.4 x "
                              "15-39 + 1.0 x 40-64 + 2.3 x 65-74 + 3.9 x 75+) exceeds the largest "
                              "number (1.8e308)", i);
        out[i] = s;
    }
    return COV_OK;
}
