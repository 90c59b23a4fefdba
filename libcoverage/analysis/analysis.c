/* Analyses: projection of the regions, assignment of demand and facilities
 * to regions and facility groups. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "analysis/reach_engine.h"
#include "io/table_internal.h"

/* Longest edge, in degrees, kept when projecting regions (about 1 km). */
#define COV_DENSIFY_DEGREE 0.01

static const char *const default_doctor_kinds[] = {
    "zaishin", "zaibyo", "enhanced_single", "enhanced_network", "backup_hospital",
    "hospital", "clinic"};
static const char *const default_nursing_kinds[] = {"nursing"};

void cov_analysis_options_init(cov_analysis_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->coastal_snap_m = 1000.0;
    o->circle_segments = 128;
}

int cov__check_radius(cov_ctx *ctx, double radius_m)
{
    if (!(radius_m > 0.0) || radius_m > 1e6)
        return cov__error(ctx, COV_ERR_ARG,
                          "radius %g m is not usable: it must be > 0 and <= 1,000 km", radius_m);
    return COV_OK;
}

static int in_list(const char *kind, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] && strcmp(kind, list[i]) == 0) return 1;
    return 0;
}

static int add_group(cov_ctx *ctx, cov_analysis *a, const char *name, int role,
                     const char *const *kinds, size_t n_kinds)
{
    const cov_facilities *f = a->facilities;
    cov_group *g = &a->groups[a->n_groups];
    g->members = cov__mallocarray(ctx, f->n ? f->n : 1, sizeof *g->members);
    if (!g->members || !(g->name = cov__strdup(ctx, name))) return COV_ERR_NOMEM;
    g->role = role;
    for (size_t i = 0; i < f->n; i++) {
        const char *kind = f->kinds[i];
        if (role == GROUP_KIND ? strcmp(kind, name) == 0 : in_list(kind, kinds, n_kinds))
            g->members[g->n_members++] = i;
    }
    g->same_as = -1;
    for (size_t h = 0; h < a->n_groups && g->same_as < 0; h++)
        if (a->groups[h].n_members == g->n_members && g->n_members &&
            memcmp(a->groups[h].members, g->members, g->n_members * sizeof *g->members) == 0)
            g->same_as = (long)h;
    a->n_groups++;
    if (role != GROUP_KIND && g->n_members == 0) return COV_OK;
    g->tree = cov__kdtree_build(ctx, f->lon, f->lat, g->members, g->n_members);
    return g->tree ? COV_OK : ctx->status;
}

static int make_groups(cov_ctx *ctx, cov_analysis *a, const cov_analysis_options *o)
{
    const cov_facilities *f = a->facilities;
    const char *const *dk = o->doctor_kinds ? o->doctor_kinds : default_doctor_kinds;
    size_t ndk = o->doctor_kinds ? o->n_doctor_kinds
                                 : sizeof default_doctor_kinds / sizeof *default_doctor_kinds;
    const char *const *nk = o->nursing_kinds ? o->nursing_kinds : default_nursing_kinds;
    size_t nnk = o->nursing_kinds ? o->n_nursing_kinds : 1;
    a->groups = cov__calloc(ctx, f->n_kinds + 3, sizeof *a->groups);
    if (!a->groups) return COV_ERR_NOMEM;
    a->groups_cap = f->n_kinds + 3;
    for (size_t k = 0; k < f->n_kinds; k++)
        if (add_group(ctx, a, f->kind_names[k], GROUP_KIND, NULL, 0) != COV_OK)
            return ctx->status;
    a->n_kind_groups = a->n_groups;
    a->doctor_group = a->nursing_group = a->combined_group = -1;
    if (add_group(ctx, a, COV_KIND_DOCTOR_ANY, GROUP_DOCTOR_ANY, dk, ndk) != COV_OK ||
        add_group(ctx, a, "nursing_any", GROUP_NURSING_ANY, nk, nnk) != COV_OK)
        return ctx->status;
    if (a->groups[a->n_kind_groups].n_members) a->doctor_group = (long)a->n_kind_groups;
    if (a->groups[a->n_kind_groups + 1].n_members) a->nursing_group = (long)a->n_kind_groups + 1;
    if (a->doctor_group >= 0 && a->nursing_group >= 0) {
        cov_group *g = &a->groups[a->n_groups];
        if (!(g->name = cov__strdup(ctx, COV_KIND_DOCTOR_AND_NURSING))) return COV_ERR_NOMEM;
        g->role = GROUP_COMBINED;
        g->same_as = -1;
        a->combined_group = (long)a->n_groups++;
    }
    return COV_OK;
}

/* Chooses the analysis CRS, centred on the regions. Region outlines are
 * projected only when polygon work needs them (cov__region_proj). */
static int choose_projection(cov_ctx *ctx, cov_analysis *a, const char *crs)
{
    const cov_regions *r = a->regions;
    double lon_min = INFINITY, lon_max = -INFINITY, lat_min = INFINITY, lat_max = -INFINITY;
    for (size_t k = 0; k < r->n_parts; k++) {
        double x0, y0, x1, y1;
        if (!GEOSGeom_getXMin_r(ctx->geos, r->parts[k], &x0)) continue;
        GEOSGeom_getYMin_r(ctx->geos, r->parts[k], &y0);
        GEOSGeom_getXMax_r(ctx->geos, r->parts[k], &x1);
        GEOSGeom_getYMax_r(ctx->geos, r->parts[k], &y1);
        lon_min = fmin(lon_min, x0), lat_min = fmin(lat_min, y0);
        lon_max = fmax(lon_max, x1), lat_max = fmax(lat_max, y1);
    }
    if (cov__xform_to_projected(ctx, crs, 0.5 * (lon_min + lon_max), 0.5 * (lat_min + lat_max),
                                &a->proj, &a->crs_def) != COV_OK)
        return ctx->status;
    a->region_proj = cov__calloc(ctx, r->n, sizeof *a->region_proj);
    a->region_tiles = cov__calloc(ctx, r->n ? r->n : 1, sizeof *a->region_tiles);
    return a->region_proj && a->region_tiles ? COV_OK : COV_ERR_NOMEM;
}

cov_analysis *cov_analysis_create(cov_ctx *ctx, const cov_regions *regions,
                                  const cov_facilities *facilities, const cov_demand *demand,
                                  const cov_analysis_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, regions && facilities && demand, NULL);
    cov_analysis_options taken;
    cov_analysis_options_init(&taken);
    if (options && cov__options_take(ctx, &taken, sizeof taken, options, "analysis options") !=
                       COV_OK)
        return NULL;
    const cov_analysis_options *o = &taken;
    if (!(o->coastal_snap_m >= 0.0 && o->coastal_snap_m <= COV_MAX_COASTAL_SNAP_M) ||
        o->circle_segments < 8 || o->circle_segments > 100000) {
        cov__error(ctx, COV_ERR_ARG,
                   "analysis options: coastal_snap_m (%g) must be between 0 and 100 km and "
                   "circle_segments "
                   "(%d) between 8 and 100000",
                   o->coastal_snap_m, o->circle_segments);
        return NULL;
    }
    /* Empty inputs are valid, but their results are empty or NaN: say why. */
    if (!facilities->n)
        cov__warn(ctx, "analysis: there are no facilities, so nothing is within reach and "
                       "coverage tables have no kind to report");
    if (!demand->n)
        cov__warn(ctx, "analysis: there are no demand units, so demand shares are NaN");
    cov_analysis *a = cov__calloc(ctx, 1, sizeof *a);
    if (!a) return NULL;
    a->regions = regions;
    a->facilities = facilities;
    a->demand = demand;
    a->ctx = cov__ctx_retain(ctx);
    a->n_regions = regions->n;
    a->coastal_snap_m = o->coastal_snap_m;
    a->circle_segments = o->circle_segments;
    if (choose_projection(ctx, a, o->crs) != COV_OK || make_groups(ctx, a, o) != COV_OK ||
        cov__assign(ctx, a, o->land) != COV_OK) {
        cov_analysis_destroy(a);
        return NULL;
    }
    return a;
}

long cov__group_find(const cov_analysis *a, const char *name)
{
    for (size_t g = 0; g < a->n_groups; g++)
        if (strcmp(a->groups[g].name, name) == 0) return (long)g;
    return -1;
}

const GEOSGeometry *cov__region_proj(cov_ctx *ctx, cov_analysis *a, size_t i)
{
    if (a->region_proj[i]) return a->region_proj[i];
    const GEOSGeometry *outline = cov__regions_outline(ctx, a->regions, i);
    if (!outline) return NULL;
    a->region_proj[i] = cov__xform_geom_densify(ctx, &a->proj, outline, 0, COV_DENSIFY_DEGREE,
                                                "regions");
    return a->region_proj[i];
}

const char *cov_analysis_crs(const cov_analysis *a) { return a ? a->crs_def : NULL; }

const int64_t *cov_analysis_demand_region(const cov_analysis *a)
{
    return a ? a->demand_region : NULL;
}

size_t cov_analysis_unassigned_count(const cov_analysis *a) { return a ? a->n_unassigned : 0; }

cov_table *cov_analysis_assignment(cov_ctx *ctx, const cov_analysis *a)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    const cov_demand *d = a->demand;
    static const cov_column_spec spec[] = {{"demand_id", COV_COL_STRING},
                                           {"region_id", COV_COL_STRING},
                                           {"method", COV_COL_STRING},
                                           {"snap_distance_m", COV_COL_DOUBLE}};
    enum { C_ID, C_REGION, C_METHOD, C_SNAP };
    size_t c[4];
    cov_table *t = cov__table_create(ctx, d->n, 0);
    if (!t || cov__table_add_columns(ctx, t, spec, 4, c) != COV_OK) goto fail;
    double *snap = cov__table_doubles_mut(t, c[C_SNAP]);
    for (size_t i = 0; i < d->n; i++) {
        int64_t r = a->demand_region[i];
        const char *method = r >= 0                 ? (a->demand_snap_m[i] > 0.0 ? "snapped" : "inside")
                             : a->demand_on_land[i] ? "outside_land"
                                                    : "unassigned";
        snap[i] = a->demand_snap_m[i];
        if (cov__table_set_string(ctx, t, c[C_ID], i, d->ids[i]) != COV_OK ||
            cov__table_set_string(ctx, t, c[C_REGION], i, r < 0 ? "" : a->regions->ids[r]) !=
                COV_OK ||
            cov__table_set_string(ctx, t, c[C_METHOD], i, method) != COV_OK)
            goto fail;
    }
    return t;
fail:
    cov_table_destroy(t);
    return NULL;
}

void cov_analysis_destroy(cov_analysis *a)
{
    if (!a) return;
    cov__reach_cache_free(a);
    for (size_t g = 0; g < a->groups_cap; g++) { /* also a group left half made */
        free(a->groups[g].name);
        free(a->groups[g].members);
        cov__kdtree_destroy(a->groups[g].tree);
    }
    free(a->groups);
    for (size_t i = 0; a->region_proj && i < a->n_regions; i++)
        if (a->region_proj[i]) GEOSGeom_destroy_r(a->ctx->geos, a->region_proj[i]);
    free(a->region_proj);
    for (size_t i = 0; a->region_tiles && i < a->n_regions; i++)
        cov__tiles_free(a->ctx, &a->region_tiles[i]);
    free(a->region_tiles);
    free(a->demand_region);
    free(a->demand_snap_m);
    free(a->demand_on_land);
    free(a->facility_region);
    free(a->crs_def);
    cov__xform_free(&a->proj);
    cov__ctx_release(a->ctx);
    free(a);
}

double cov_geodesic_distance_m(cov_ctx *ctx, double lon1, double lat1, double lon2,
                               double lat2)
{
    if (!ctx) return NAN;
    if (!cov__lonlat_ok(lon1, lat1) || !cov__lonlat_ok(lon2, lat2)) {
        cov__error(ctx, COV_ERR_ARG, "geodesic distance: (%g, %g) - (%g, %g) is not lon/lat",
                   lon1, lat1, lon2, lat2);
        return NAN;
    }
    double s;
    geod_inverse(&ctx->geod, lat1, lon1, lat2, lon2, &s, NULL, NULL);
    return s;
}
