/* Assigning demand units and facilities to regions: inside a part of the
 * region (tested in lon/lat, where region edges are straight by
 * convention), else the nearest region within the coastal snap distance
 * (measured in the analysis CRS, projecting only the candidate parts). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"

/* Metres per degree of latitude is at least this on GRS80 (at the equator),
 * so a box of snap_m / this degrees always holds the snap circle. */
#define MIN_M_PER_DEGREE_LAT 110574.0
#define M_PER_DEGREE_EQUATOR 111319.0

typedef struct locator {
    GEOSSTRtree *tree; /* over the lon/lat parts */
    const GEOSPreparedGeometry **prepared, **prepared_proj;
    size_t n_parts;
    size_t *hits;
    size_t n_hits, cap_hits;
} locator;

static void collect_hit(void *item, void *userdata)
{
    locator *l = userdata;
    if (l->n_hits < l->cap_hits) l->hits[l->n_hits++] = (size_t)(uintptr_t)item - 1;
}

static int locator_init(cov_ctx *ctx, locator *l, const cov_regions *r)
{
    memset(l, 0, sizeof *l);
    l->n_parts = r->n_parts;
    l->tree = GEOSSTRtree_create_r(ctx->geos, 10);
    l->prepared = cov__calloc(ctx, l->n_parts, sizeof *l->prepared);
    l->prepared_proj = cov__calloc(ctx, l->n_parts, sizeof *l->prepared_proj);
    l->cap_hits = l->n_parts;
    l->hits = cov__mallocarray(ctx, l->n_parts ? l->n_parts : 1, sizeof *l->hits);
    if (!l->tree || !l->prepared || !l->prepared_proj || !l->hits)
        return cov__geos_error(ctx, "region index");
    for (size_t k = 0; k < l->n_parts; k++)
        GEOSSTRtree_insert_r(ctx->geos, l->tree, r->parts[k], (void *)(uintptr_t)(k + 1));
    return COV_OK;
}

static void locator_free(cov_ctx *ctx, locator *l)
{
    for (size_t k = 0; k < l->n_parts; k++) {
        if (l->prepared && l->prepared[k]) GEOSPreparedGeom_destroy_r(ctx->geos, l->prepared[k]);
        if (l->prepared_proj && l->prepared_proj[k])
            GEOSPreparedGeom_destroy_r(ctx->geos, l->prepared_proj[k]);
    }
    free(l->prepared);
    free(l->prepared_proj);
    free(l->hits);
    if (l->tree) GEOSSTRtree_destroy_r(ctx->geos, l->tree);
}

static void query(cov_ctx *ctx, locator *l, const GEOSGeometry *g)
{
    l->n_hits = 0;
    GEOSSTRtree_query_r(ctx->geos, l->tree, g, collect_hit, l);
}

/* Region containing (lon, lat): lowest region index on shared borders. */
static int64_t inside(cov_ctx *ctx, locator *l, const cov_regions *r, double lon, double lat)
{
    int64_t best = -1;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, lon, lat);
    if (!pt) return -1;
    query(ctx, l, pt);
    for (size_t h = 0; h < l->n_hits; h++) {
        size_t k = l->hits[h];
        if (!l->prepared[k]) l->prepared[k] = GEOSPrepare_r(ctx->geos, r->parts[k]);
        if (l->prepared[k] && GEOSPreparedIntersects_r(ctx->geos, l->prepared[k], pt) == 1 &&
            (best < 0 || (int64_t)r->part_region[k] < best))
            best = (int64_t)r->part_region[k];
    }
    GEOSGeom_destroy_r(ctx->geos, pt);
    return best;
}

/* Nearest region within snap_m of (lon, lat), or -1; *out_d its distance.
 * -2 when the point cannot be projected (error in ctx). */
static int64_t nearest(cov_ctx *ctx, locator *l, cov_analysis *a, double lon, double lat,
                       double snap_m, double *out_d)
{
    const cov_regions *r = a->regions;
    double dlat = snap_m / MIN_M_PER_DEGREE_LAT * 1.01;
    double coslat = cos(fmin(fabs(lat) + dlat, 89.0) * 3.14159265358979323846 / 180.0);
    double dlon = snap_m / (M_PER_DEGREE_EQUATOR * coslat) * 1.01;
    double x = lon, y = lat;
    int64_t best = -1;
    *out_d = INFINITY;
    if (cov__xform_points(ctx, &a->proj, 1, &x, &y, "demand point") != COV_OK) return -2;
    GEOSGeometry *box = GEOSGeom_createRectangle_r(ctx->geos, lon - dlon, lat - dlat, lon + dlon,
                                                   lat + dlat);
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, x, y);
    if (box) query(ctx, l, box);
    for (size_t h = 0; box && pt && h < l->n_hits; h++) {
        size_t k = l->hits[h];
        double d = INFINITY;
        if (!l->prepared_proj[k]) {
            const GEOSGeometry *p = cov__part_proj(ctx, a, k);
            l->prepared_proj[k] = p ? GEOSPrepare_r(ctx->geos, p) : NULL;
        }
        if (!l->prepared_proj[k] ||
            !GEOSPreparedDistance_r(ctx->geos, l->prepared_proj[k], pt, &d) || d > snap_m)
            continue;
        if (d < *out_d || (d == *out_d && (int64_t)r->part_region[k] < best))
            best = (int64_t)r->part_region[k], *out_d = d;
    }
    if (box) GEOSGeom_destroy_r(ctx->geos, box);
    if (pt) GEOSGeom_destroy_r(ctx->geos, pt);
    return best;
}

static int64_t locate(cov_ctx *ctx, locator *l, cov_analysis *a, double lon, double lat,
                      double *out_snap)
{
    int64_t region = inside(ctx, l, a->regions, lon, lat);
    *out_snap = region >= 0 ? 0.0 : NAN;
    if (region >= 0 || !(a->coastal_snap_m > 0.0)) return region;
    double d;
    region = nearest(ctx, l, a, lon, lat, a->coastal_snap_m, &d);
    if (region >= 0) *out_snap = d;
    return region; /* -2: error */
}

static void warn_unassigned(cov_ctx *ctx, const cov_analysis *a)
{
    const cov_demand *d = a->demand;
    char list[400] = "";
    size_t len = 0, shown = 0;
    double weight = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        if (a->demand_region[i] >= 0) continue;
        weight += d->weights[i];
        if (shown++ < 8 && len < sizeof list - 40)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", shown > 1 ? ", " : "",
                                    d->ids[i]);
    }
    cov__warn(ctx,
              "%zu demand unit(s) lie in no region nor within %.0f m of one and are left out "
              "of coverage (weight \"%s\" %.10g): %s%s; see cov_analysis_assignment()",
              a->n_unassigned, a->coastal_snap_m, d->weight_names[0], weight, list,
              a->n_unassigned > 8 ? ", ..." : "");
}

int cov__assign(cov_ctx *ctx, cov_analysis *a)
{
    const cov_demand *d = a->demand;
    const cov_facilities *f = a->facilities;
    size_t n = d->n + f->n;
    locator l;
    a->demand_region = cov__mallocarray(ctx, d->n ? d->n : 1, sizeof *a->demand_region);
    a->demand_snap_m = cov__mallocarray(ctx, d->n ? d->n : 1, sizeof *a->demand_snap_m);
    a->facility_region = cov__mallocarray(ctx, f->n ? f->n : 1, sizeof *a->facility_region);
    if (!a->demand_region || !a->demand_snap_m || !a->facility_region) return COV_ERR_NOMEM;
    int st = locator_init(ctx, &l, a->regions);
    for (size_t i = 0; i < n && st == COV_OK; i++) {
        double snap;
        int is_demand = i < d->n;
        size_t j = is_demand ? i : i - d->n;
        int64_t region = is_demand ? locate(ctx, &l, a, d->lon[j], d->lat[j], &snap)
                                   : locate(ctx, &l, a, f->lon[j], f->lat[j], &snap);
        if (region == -2) {
            st = COV_ERR_CRS;
            break;
        }
        if (is_demand) {
            a->demand_region[j] = region;
            a->demand_snap_m[j] = snap;
            a->n_unassigned += region < 0;
        } else {
            a->facility_region[j] = region;
        }
        if (i % 4096 == 4095)
            st = cov__progress(ctx, (double)i / n, "assigning to regions");
    }
    if (st == COV_OK && a->n_unassigned) warn_unassigned(ctx, a);
    locator_free(ctx, &l);
    return st;
}
