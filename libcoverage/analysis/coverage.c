/* Coverage per region and kind: demand and area within reach, shares, and
 * redundancy. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reach_engine.h"
#include "io/table_internal.h"

static const cov_column_spec coverage_spec[] = {
    {"region_id", COV_COL_STRING},        {"region_name", COV_COL_STRING},
    {"kind", COV_COL_STRING},             {"n_facilities", COV_COL_INT},
    {"demand_total", COV_COL_DOUBLE},     {"demand_covered", COV_COL_DOUBLE},
    {"share_covered", COV_COL_DOUBLE},    {"demand_redundant", COV_COL_DOUBLE},
    {"share_redundant", COV_COL_DOUBLE},  {"area_km2", COV_COL_DOUBLE},
    {"area_covered_km2", COV_COL_DOUBLE}, {"share_area_covered", COV_COL_DOUBLE}};
enum {
    C_REGION, C_NAME, C_KIND, C_N_FACILITIES, C_TOTAL, C_COVERED, C_SHARE, C_REDUNDANT,
    C_SHARE_REDUNDANT, C_AREA, C_AREA_COVERED, C_SHARE_AREA, N_COLS
};

static double share(double part, double whole) { return whole > 0.0 ? part / whole : NAN; }

/* Marks group g's facilities in seen (one byte per facility) and counts
 * each once in the region it lies in: n_facilities of every region in one
 * pass over the members (the combined group: over both groups' members). */
static void mark_members(const cov_analysis *a, size_t g, unsigned char *seen, int64_t *per_region)
{
    const cov_group *grp = &a->groups[g];
    if (grp->role == GROUP_COMBINED) {
        mark_members(a, (size_t)a->doctor_group, seen, per_region);
        mark_members(a, (size_t)a->nursing_group, seen, per_region);
        return;
    }
    for (size_t m = 0; m < grp->n_members; m++) {
        size_t j = grp->members[m];
        if (seen[j]) continue;
        seen[j] = 1;
        int64_t r = a->facility_region[j];
        if (r >= 0) per_region[r]++;
    }
}

void cov__sum_demand(const cov_analysis *a, const int32_t *counts, const double *w,
                     cov_row_sums *sums)
{
    memset(sums, 0, a->regions->n * sizeof *sums);
    for (size_t u = 0; u < a->demand->n; u++) {
        int64_t r = a->demand_region[u];
        if (r < 0) continue;
        sums[r].total += w[u];
        if (counts[u] == 0) sums[r].uncovered += w[u];
        if (counts[u] >= 1) sums[r].covered += w[u];
        if (counts[u] >= 2) sums[r].redundant += w[u];
    }
}

static int fill_row(cov_ctx *ctx, cov_analysis *a, cov__reach *rr, cov_table *t,
                    const size_t *cols, size_t row, size_t region, size_t g,
                    const cov_row_sums *s, int64_t n_facilities, int flags)
{
    double v[N_COLS];
    v[C_TOTAL] = s->total;
    v[C_COVERED] = s->covered;
    v[C_SHARE] = share(s->covered, s->total);
    v[C_REDUNDANT] = s->redundant;
    v[C_SHARE_REDUNDANT] = share(s->redundant, s->total);
    v[C_AREA] = v[C_AREA_COVERED] = v[C_SHARE_AREA] = NAN;
    if (!(flags & COV_COVERAGE_NO_AREA)) {
        double gap = cov__region_uncovered_m2(ctx, a, rr, region, g);
        if (isnan(gap)) return ctx->status;
        double whole = 0.0;
        GEOSArea_r(ctx->geos, cov__region_proj(ctx, a, region), &whole);
        v[C_AREA] = whole / 1e6;
        v[C_AREA_COVERED] = fmax(0.0, whole - gap) / 1e6;
        v[C_SHARE_AREA] = share(v[C_AREA_COVERED], v[C_AREA]);
    }
    for (int c = C_TOTAL; c < N_COLS; c++) cov__table_doubles_mut(t, cols[c])[row] = v[c];
    cov__table_ints_mut(t, cols[C_N_FACILITIES])[row] = n_facilities;
    const cov_regions *r = a->regions;
    if (cov__table_set_string(ctx, t, cols[C_REGION], row, r->ids[region]) ||
        cov__table_set_string(ctx, t, cols[C_NAME], row, r->names[region]) ||
        cov__table_set_string(ctx, t, cols[C_KIND], row, a->groups[g].name))
        return ctx->status;
    return COV_OK;
}

cov_table *cov_analysis_coverage(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                                 double threshold, size_t weight, int flags)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    if (cov__check_threshold(ctx, model, threshold) != COV_OK) return NULL;
    if (weight >= a->demand->n_weights) {
        cov__error(ctx, COV_ERR_ARG, "coverage: weight column %zu does not exist (demand has %zu)",
                   weight, a->demand->n_weights);
        return NULL;
    }
    cov__reach *rr = cov__reach_get(ctx, a, model, threshold);
    if (!rr) return NULL;
    const cov_regions *r = a->regions;
    size_t *groups = cov__mallocarray(ctx, a->n_groups + 1, sizeof *groups);
    cov_row_sums *sums = cov__calloc(ctx, r->n, sizeof *sums);
    int64_t *n_fac = cov__calloc(ctx, r->n, sizeof *n_fac);
    unsigned char *seen = cov__calloc(ctx, a->facilities->n + 1, 1);
    size_t n_groups = groups ? cov__report_groups(a, groups) : 0;
    cov_table *t = groups && sums && n_fac && seen ? cov__table_create(ctx, r->n * n_groups, 0)
                                                  : NULL;
    size_t cols[N_COLS];
    if (!t || cov__table_add_columns(ctx, t, coverage_spec, N_COLS, cols) != COV_OK) goto fail;
    const double *w = a->demand->weights + weight * a->demand->n;
    for (size_t k = 0; k < n_groups; k++) {
        const int32_t *counts = cov__reach_counts(ctx, a, rr, groups[k]);
        if (!counts) goto fail;
        cov__sum_demand(a, counts, w, sums);
        memset(n_fac, 0, r->n * sizeof *n_fac);
        memset(seen, 0, a->facilities->n);
        mark_members(a, groups[k], seen, n_fac);
        for (size_t i = 0; i < r->n; i++)
            if (fill_row(ctx, a, rr, t, cols, i * n_groups + k, i, groups[k], &sums[i],
                         n_fac[i], flags) != COV_OK)
                goto fail;
    }
    free(groups);
    free(sums);
    free(n_fac);
    free(seen);
    return t;
fail:
    free(groups);
    free(sums);
    free(n_fac);
    free(seen);
    cov_table_destroy(t);
    return NULL;
}
