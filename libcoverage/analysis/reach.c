/* Reach: nearest facility and facilities within a radius, per demand unit
 * and kind, in long form. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "analysis/reach_engine.h"
#include "io/table_internal.h"

static const cov_column_spec reach_spec[] = {
    {"demand_id", COV_COL_STRING},  {"region_id", COV_COL_STRING}, {"kind", COV_COL_STRING},
    {"nearest_id", COV_COL_STRING}, {"nearest_index", COV_COL_INT}, {"distance_m", COV_COL_DOUBLE},
    {"n_within", COV_COL_INT},      {"lon", COV_COL_DOUBLE},       {"lat", COV_COL_DOUBLE}};
enum { C_DEMAND, C_REGION, C_KIND, C_NEAREST_ID, C_NEAREST, C_DISTANCE, C_WITHIN, C_LON, C_LAT,
       N_COLS };

void cov__reach_unit_points(const cov_demand *d, cov_table *t, size_t c_lon, size_t c_lat,
                            size_t n_groups)
{
    double *lon = cov__table_doubles_mut(t, c_lon), *lat = cov__table_doubles_mut(t, c_lat);
    for (size_t k = 0; k < n_groups; k++) {
        memcpy(lon + k * d->n, d->lon, d->n * sizeof *lon);
        memcpy(lat + k * d->n, d->lat, d->n * sizeof *lat);
    }
}

/* Fills rows [row0, row0 + n_demand) for group g. */
static int fill_group(cov_ctx *ctx, cov_analysis *a, cov__reach *r, cov_table *t,
                      const size_t *c, size_t g, size_t row0)
{
    const cov_demand *d = a->demand;
    const cov_group *grp = &a->groups[g];
    const int32_t *counts = cov__reach_counts(ctx, a, r, g);
    if (!counts) return ctx->status;
    int64_t *near = cov__table_ints_mut(t, c[C_NEAREST]);
    int64_t *within = cov__table_ints_mut(t, c[C_WITHIN]);
    double *dist = cov__table_doubles_mut(t, c[C_DISTANCE]);
    for (size_t i = 0; i < d->n; i++) {
        size_t row = row0 + i;
        int64_t region = a->demand_region[i];
        long j = cov__kdtree_nearest(grp->tree, &ctx->geod, d->lon[i], d->lat[i], &dist[row]);
        near[row] = j;
        within[row] = counts[i];
        if (cov__table_set_string(ctx, t, c[C_DEMAND], row, d->ids[i]) != COV_OK ||
            cov__table_set_string(ctx, t, c[C_REGION], row,
                                  region < 0 ? "" : a->regions->ids[region]) != COV_OK ||
            cov__table_set_string(ctx, t, c[C_KIND], row, grp->name) != COV_OK ||
            cov__table_set_string(ctx, t, c[C_NEAREST_ID], row,
                                  j < 0 ? "" : a->facilities->ids[j]) != COV_OK)
            return ctx->status;
        if (i % 4096 == 4095 && cov__progress(ctx, (double)i / d->n, "reach") != COV_OK)
            return ctx->status;
    }
    return COV_OK;
}

cov_table *cov_analysis_reach(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                              const char *kind, double threshold)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    if (cov__check_threshold(ctx, model, threshold) != COV_OK) return NULL;
    /* every real kind, then doctor_any (the nearest doctor of any kind),
     * which the groups hold right after the real kinds */
    size_t first = 0, n_groups = a->n_kind_groups + (a->doctor_group >= 0);
    if (kind) {
        long g = cov__group_find(a, kind);
        if (g < 0 || (a->groups[g].role != GROUP_KIND && a->groups[g].role != GROUP_DOCTOR_ANY) ||
            a->groups[g].tree == NULL) {
            cov__error(ctx, COV_ERR_ARG, "reach: no facility kind \"%s\"", kind);
            return NULL;
        }
        first = (size_t)g;
        n_groups = 1;
    }
    cov__reach *r = cov__reach_get(ctx, a, model, threshold);
    if (!r) return NULL;
    if (cov__reach_by_road(r)) return cov__net_reach_table(ctx, a, r, first, n_groups);
    size_t n = a->demand->n;
    cov_table *t = cov__table_create(ctx, n * n_groups, 0);
    size_t c[N_COLS];
    if (!t || cov__table_add_columns(ctx, t, reach_spec, N_COLS, c) != COV_OK) goto fail;
    for (size_t k = 0; k < n_groups; k++)
        if (fill_group(ctx, a, r, t, c, first + k, k * n) != COV_OK) goto fail;
    cov__reach_unit_points(a->demand, t, c[C_LON], c[C_LAT], n_groups);
    return t;
fail:
    cov_table_destroy(t);
    return NULL;
}
