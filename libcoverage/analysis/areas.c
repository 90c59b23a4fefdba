/* Service areas and gaps: geodesic circles, their unions per group, and the
 * parts of regions they do or do not reach. Polygon work happens in the
 * analysis CRS; results leave in lon/lat. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reach_engine.h"
#include "io/table_internal.h"

/* Region i minus (covered = 0) or intersected with (covered = 1) the reach
 * of group g, in the analysis CRS: made once per reach entry and kept, so
 * coverage's areas, gaps and service areas of one threshold share the
 * overlays (each of them redid every region's, for every call). Owned by
 * the entry; NULL with an error in ctx. */
static const GEOSGeometry *region_part(cov_ctx *ctx, cov_analysis *a, cov__reach *rr, size_t i,
                                       size_t g, int covered)
{
    size_t n = a->n_groups * a->n_regions;
    if (a->groups[g].same_as >= 0) g = (size_t)a->groups[g].same_as; /* the same land */
    if (!rr->parts && !(rr->parts = cov__calloc(ctx, 2 * n, sizeof *rr->parts))) return NULL;
    GEOSGeometry **slot = &rr->parts[(size_t)covered * n + g * a->n_regions + i];
    if (*slot) return *slot;
    const GEOSGeometry *u = cov__reach_union(ctx, a, rr, g);
    const GEOSGeometry *r = u ? cov__region_proj(ctx, a, i) : NULL;
    if (!r) return NULL;
    *slot = covered ? GEOSIntersection_r(ctx->geos, r, u) : GEOSDifference_r(ctx->geos, r, u);
    if (!*slot) cov__geos_error(ctx, covered ? "covered area" : "gap area");
    return *slot;
}

void cov__tiles_free(cov_ctx *ctx, cov__tiles *t)
{
    for (size_t k = 0; k < t->n; k++) GEOSGeom_destroy_r(ctx->geos, t->piece[k]);
    free(t->piece);
    free(t->box);
    free(t->area_m2);
    memset(t, 0, sizeof *t);
}

#define TILE_POINTS 2000 /* a piece small enough to overlay cheaply */
#define TILE_DEPTH 14

static int tiles_push(cov_ctx *ctx, cov__tiles *t, GEOSGeometry *g, const double box[4])
{
    if (GEOSisValid_r(ctx->geos, g) != 1) { /* a clip by box may leave a sliver crossing */
        GEOSGeometry *v = GEOSMakeValid_r(ctx->geos, g);
        GEOSGeom_destroy_r(ctx->geos, g);
        if (!v) return COV_ERR_GEOMETRY;
        g = v;
    }
    size_t cap = t->n + 1;
    GEOSGeometry **pg = cov__realloc(ctx, t->piece, cap * sizeof *pg);
    if (pg) t->piece = pg;
    double(*pb)[4] = pg ? cov__realloc(ctx, t->box, cap * sizeof *pb) : NULL;
    if (pb) t->box = pb;
    double *pa = pb ? cov__realloc(ctx, t->area_m2, cap * sizeof *pa) : NULL;
    if (!pa) {
        GEOSGeom_destroy_r(ctx->geos, g);
        return COV_ERR_NOMEM;
    }
    t->area_m2 = pa;
    t->piece[t->n] = g;
    memcpy(t->box[t->n], box, sizeof t->box[0]);
    if (!GEOSArea_r(ctx->geos, g, &t->area_m2[t->n])) t->area_m2[t->n] = 0;
    t->n++;
    return COV_OK;
}

/* Cuts g (owned) in halves of its box, the longer side first, until each
 * piece has at most TILE_POINTS points. */
static int tiles_cut(cov_ctx *ctx, cov__tiles *t, GEOSGeometry *g, const double box[4],
                     int depth)
{
    if (GEOSisEmpty_r(ctx->geos, g)) {
        GEOSGeom_destroy_r(ctx->geos, g);
        return COV_OK;
    }
    if (GEOSGetNumCoordinates_r(ctx->geos, g) <= TILE_POINTS || depth >= TILE_DEPTH)
        return tiles_push(ctx, t, g, box);
    double half[2][4];
    memcpy(half[0], box, sizeof half[0]);
    memcpy(half[1], box, sizeof half[1]);
    int x = box[2] - box[0] >= box[3] - box[1];
    double mid = x ? 0.5 * (box[0] + box[2]) : 0.5 * (box[1] + box[3]);
    half[0][x ? 2 : 3] = half[1][x ? 0 : 1] = mid;
    int rc = COV_OK;
    for (int h = 0; rc == COV_OK && h < 2; h++) {
        GEOSGeometry *part = GEOSClipByRect_r(ctx->geos, g, half[h][0], half[h][1], half[h][2],
                                              half[h][3]);
        rc = part ? tiles_cut(ctx, t, part, half[h], depth + 1) : COV_ERR_GEOMETRY;
    }
    GEOSGeom_destroy_r(ctx->geos, g);
    return rc;
}

/* Region i's pieces, made once; NULL when they cannot be made (the caller
 * overlays the whole region instead). */
static const cov__tiles *region_tiles(cov_ctx *ctx, cov_analysis *a, size_t i)
{
    cov__tiles *t = &a->region_tiles[i];
    if (t->made) return t->made > 0 ? t : NULL;
    const GEOSGeometry *r = cov__region_proj(ctx, a, i);
    double box[4];
    if (!r || !GEOSGeom_getXMin_r(ctx->geos, r, &box[0]) ||
        !GEOSGeom_getYMin_r(ctx->geos, r, &box[1]) || !GEOSGeom_getXMax_r(ctx->geos, r, &box[2]) ||
        !GEOSGeom_getYMax_r(ctx->geos, r, &box[3]))
        return NULL;
    GEOSGeometry *whole = GEOSGeom_clone_r(ctx->geos, r);
    int rc = whole ? tiles_cut(ctx, t, whole, box, 0) : COV_ERR_NOMEM;
    if (rc != COV_OK) cov__tiles_free(ctx, t);
    t->made = rc == COV_OK ? 1 : -1;
    return t->made > 0 ? t : NULL;
}

/* The area of region i outside u, piece by piece: a piece whose box u
 * holds is covered, one whose box u misses is not, the others are
 * overlaid alone (a piece of 2,000 points against the part of u in its
 * box, instead of a whole coast against all of u). NaN when an overlay
 * fails. */
static double tiled_uncovered_m2(cov_ctx *ctx, const cov__tiles *t, const GEOSGeometry *u,
                                 const GEOSGeometry *region)
{
    const GEOSPreparedGeometry *pu = GEOSPrepare_r(ctx->geos, u);
    if (!pu) return NAN;
    double total = 0.0;
    int reached = 0;
    for (size_t k = 0; k < t->n && !isnan(total); k++) {
        const double *b = t->box[k];
        GEOSGeometry *box = GEOSGeom_createRectangle_r(ctx->geos, b[0], b[1], b[2], b[3]);
        char holds = box ? GEOSPreparedContains_r(ctx->geos, pu, box) : 2;
        char meets = holds == 0 ? GEOSPreparedIntersects_r(ctx->geos, pu, box) : 1;
        if (box) GEOSGeom_destroy_r(ctx->geos, box);
        if (holds == 2 || meets == 2) {
            total = NAN;
        } else if (!holds && !meets) {
            total += t->area_m2[k];
        } else if (!holds) {
            reached = 1;
            GEOSGeometry *gap = GEOSDifference_r(ctx->geos, t->piece[k], u);
            double area = 0.0;
            if (!gap || !GEOSArea_r(ctx->geos, gap, &area)) total = NAN;
            else total += area;
            if (gap) GEOSGeom_destroy_r(ctx->geos, gap);
        } else {
            reached = 1;
        }
    }
    GEOSPreparedGeom_destroy_r(ctx->geos, pu);
    /* reaching none of it: the whole region, not the sum of its pieces
     * (which differs in the last digits, and would leave covered land of
     * 1e-11 km2) */
    if (!reached && !isnan(total) && !GEOSArea_r(ctx->geos, region, &total)) total = NAN;
    return total;
}

double cov__region_uncovered_m2(cov_ctx *ctx, cov_analysis *a, cov__reach *rr, size_t i,
                                size_t g)
{
    if (a->groups[g].same_as >= 0) g = (size_t)a->groups[g].same_as; /* the same land */
    size_t n = a->n_groups * a->n_regions;
    if (!rr->uncovered_m2) {
        if (!(rr->uncovered_m2 = cov__mallocarray(ctx, n ? n : 1, sizeof *rr->uncovered_m2)))
            return NAN;
        for (size_t k = 0; k < n; k++) rr->uncovered_m2[k] = NAN;
    }
    double *slot = &rr->uncovered_m2[g * a->n_regions + i];
    if (!isnan(*slot)) return *slot; /* kept: the figure does not change once given */
    const GEOSGeometry *made = rr->parts ? rr->parts[g * a->n_regions + i] : NULL;
    double area = NAN;
    if (made) { /* the gap itself was made (gaps, maps): its area, within 1e-14 of the pieces' */
        GEOSArea_r(ctx->geos, made, &area);
        return *slot = area;
    }
    const GEOSGeometry *u = cov__reach_union(ctx, a, rr, g);
    if (!u) return NAN;
    const cov__tiles *t = region_tiles(ctx, a, i);
    if (t) area = tiled_uncovered_m2(ctx, t, u, cov__region_proj(ctx, a, i));
    if (isnan(area)) { /* pieces or one of their overlays failed: the whole region */
        cov_clear_error(ctx);
        const GEOSGeometry *gap = region_part(ctx, a, rr, i, g, 0);
        if (gap) GEOSArea_r(ctx->geos, gap, &area);
    }
    return *slot = area;
}

/* Groups reported in tables: real kinds, then doctor_any and combined. */
size_t cov__report_groups(const cov_analysis *a, size_t *out)
{
    size_t n = 0;
    for (size_t g = 0; g < a->n_groups; g++)
        if (a->groups[g].role != GROUP_NURSING_ANY &&
            (a->groups[g].role != GROUP_DOCTOR_ANY || a->groups[g].n_members))
            out[n++] = g;
    return n;
}

static cov_table *facility_circles(cov_ctx *ctx, cov_analysis *a, double radius_m)
{
    const cov_facilities *f = a->facilities;
    cov_xform lonlat = {.pj = NULL, .identity = 1};
    static const cov_column_spec spec[] = {
        {"facility_id", COV_COL_STRING}, {"kind", COV_COL_STRING}, {"area_km2", COV_COL_DOUBLE}};
    enum { C_ID, C_KIND, C_AREA };
    size_t c[3];
    cov_table *t = cov__table_create(ctx, f->n, 1);
    if (!t || cov__table_add_columns(ctx, t, spec, 3, c) != COV_OK) goto fail;
    double *area = cov__table_doubles_mut(t, c[C_AREA]);
    for (size_t i = 0; i < f->n; i++) {
        GEOSGeometry *circle = cov__geod_circle(ctx, &lonlat, f->lon[i], f->lat[i], radius_m,
                                                a->circle_segments);
        if (!circle) goto fail;
        area[i] = cov__geod_area_m2(ctx, circle) / 1e6;
        cov__table_set_geometry(t, i, circle);
        if (cov__table_set_string(ctx, t, c[C_ID], i, f->ids[i]) != COV_OK ||
            cov__table_set_string(ctx, t, c[C_KIND], i, f->kinds[i]) != COV_OK)
            goto fail;
    }
    return t;
fail:
    cov_table_destroy(t);
    return NULL;
}

/* Uncovered demand per group and region (n_groups x regions), summed once
 * rather than per table row; NULL with an error in ctx. */
static cov_row_sums *uncovered_sums(cov_ctx *ctx, cov_analysis *a, cov__reach *rr,
                                    const size_t *groups, size_t n_groups, size_t weight)
{
    size_t n = a->regions->n;
    cov_row_sums *sums = cov__calloc(ctx, n_groups * n + 1, sizeof *sums);
    const double *w = a->demand->weights + weight * a->demand->n;
    for (size_t k = 0; sums && k < n_groups; k++) {
        const int32_t *cnt = cov__reach_counts(ctx, a, rr, groups[k]);
        if (!cnt) {
            free(sums);
            return NULL;
        }
        cov__sum_demand(a, cnt, w, sums + k * n);
    }
    return sums;
}

/* One row per region and group with the covered (or uncovered) polygon;
 * empty results get no row. */
static cov_table *region_table(cov_ctx *ctx, cov_analysis *a, cov__reach *rr,
                               const size_t *groups, size_t n_groups, int covered,
                               size_t weight)
{
    const cov_regions *r = a->regions;
    size_t cap = r->n * n_groups, n = 0;
    static const cov_column_spec spec[] = {
        {"region_id", COV_COL_STRING}, {"region_name", COV_COL_STRING},
        {"kind", COV_COL_STRING},      {"area_km2", COV_COL_DOUBLE},
        {"n_parts", COV_COL_INT},      {"demand_uncovered", COV_COL_DOUBLE}};
    enum { C_ID, C_NAME, C_KIND, C_AREA, C_PARTS, C_DEMAND };
    size_t c[6];
    cov_table *t = cov__table_create(ctx, cap, 1);
    cov_row_sums *sums = NULL;
    /* covered land has no demand_uncovered or n_parts */
    if (!t || cov__table_add_columns(ctx, t, spec, covered ? 4 : 6, c) != COV_OK) goto fail;
    if (!covered && !(sums = uncovered_sums(ctx, a, rr, groups, n_groups, weight)))
        goto fail;
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < n_groups; k++) {
            const GEOSGeometry *p = region_part(ctx, a, rr, i, groups[k], covered);
            if (!p) goto fail;
            double area = 0.0;
            GEOSArea_r(ctx->geos, p, &area);
            GEOSGeometry *ll = area > 0.0 ? cov__xform_geom(ctx, &a->proj, p, 1, "areas") : NULL;
            if (area <= 0.0) continue;
            if (!ll) goto fail;
            cov__table_set_geometry(t, n, ll);
            cov__table_doubles_mut(t, c[C_AREA])[n] = area / 1e6;
            if (!covered) {
                cov__table_doubles_mut(t, c[C_DEMAND])[n] = sums[k * r->n + i].uncovered;
                cov__table_ints_mut(t, c[C_PARTS])[n] = GEOSGetNumGeometries_r(ctx->geos, ll);
            }
            if (cov__table_set_string(ctx, t, c[C_ID], n, r->ids[i]) != COV_OK ||
                cov__table_set_string(ctx, t, c[C_NAME], n, r->names[i]) != COV_OK ||
                cov__table_set_string(ctx, t, c[C_KIND], n, a->groups[groups[k]].name) != COV_OK)
                goto fail;
            n++;
            if (cov__progress(ctx, (double)(i * n_groups + k + 1) / cap, "areas") != COV_OK)
                goto fail;
        }
    cov__table_truncate(t, n);
    free(sums);
    return t;
fail:
    free(sums);
    cov_table_destroy(t);
    return NULL;
}

/* The groups a table reports: every reported group (kind NULL) or the one
 * named; its count, 0 with an error in ctx. groups holds n_groups + 1. */
static size_t groups_named(cov_ctx *ctx, const cov_analysis *a, const char *kind,
                           const char *what, size_t *groups)
{
    if (!kind) return cov__report_groups(a, groups);
    long g = cov__group_find(a, kind);
    if (g < 0 || a->groups[g].role == GROUP_NURSING_ANY) {
        cov__error(ctx, COV_ERR_ARG, "%s: no facility kind \"%s\"", what, kind);
        return 0;
    }
    groups[0] = (size_t)g;
    return 1;
}

cov_table *cov_analysis_service_areas(cov_ctx *ctx, cov_analysis *a,
                                      const cov_travel_model *model, double threshold, int mode,
                                      const char *kind)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    COV_CHECK_ARG(ctx, mode == COV_AREAS_BY_FACILITY || mode == COV_AREAS_BY_REGION_KIND, NULL);
    if (mode == COV_AREAS_BY_FACILITY && kind) {
        cov__error(ctx, COV_ERR_ARG, "service areas: a kind selects regions' reached land "
                   "(COV_AREAS_BY_REGION_KIND); per facility, select rows by their kind column");
        return NULL;
    }
    cov__reach *rr = cov__reach_get(ctx, a, model, threshold);
    if (!rr) return NULL;
    if (mode == COV_AREAS_BY_FACILITY)
        return cov__reach_by_road(rr)
                   ? cov_network_isochrones(ctx, rr->model.network, a->facilities,
                                            &rr->model.travel, threshold,
                                            COV_ISOCHRONE_BY_FACILITY)
                   : facility_circles(ctx, a, threshold);
    size_t *groups = cov__mallocarray(ctx, a->n_groups + 1, sizeof *groups);
    if (!groups) return NULL;
    size_t n = groups_named(ctx, a, kind, "service areas", groups);
    cov_table *t = n ? region_table(ctx, a, rr, groups, n, 1, 0) : NULL;
    free(groups);
    return t;
}

cov_table *cov_analysis_gaps(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                             double threshold, const char *kind, size_t weight)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    if (cov__check_threshold(ctx, model, threshold) != COV_OK) return NULL;
    if (weight >= a->demand->n_weights) {
        cov__error(ctx, COV_ERR_ARG, "gaps: weight column %zu does not exist (demand has %zu)",
                   weight, a->demand->n_weights);
        return NULL;
    }
    size_t *groups = cov__mallocarray(ctx, a->n_groups + 1, sizeof *groups);
    if (!groups) return NULL;
    size_t n = groups_named(ctx, a, kind, "gaps", groups);
    cov__reach *rr = n ? cov__reach_get(ctx, a, model, threshold) : NULL;
    cov_table *t = rr ? region_table(ctx, a, rr, groups, n, 0, weight) : NULL;
    free(groups);
    return t;
}
