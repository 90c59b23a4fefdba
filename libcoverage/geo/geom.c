/* Geodesic areas and circles. */
#include <math.h>
#include <stdlib.h>

#include "geo/geo.h"

/* Area of one ring on the ellipsoid (absolute value). */
static double ring_area(cov_ctx *ctx, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, &n) || n < 4) return 0.0;
    struct geod_polygon poly;
    geod_polygon_init(&poly, 0);
    for (unsigned int i = 0; i + 1 < n; i++) { /* the closing point repeats the first */
        double x, y;
        GEOSCoordSeq_getXY_r(ctx->geos, seq, i, &x, &y);
        geod_polygon_addpoint(&ctx->geod, &poly, y, x);
    }
    double area = 0.0;
    geod_polygon_compute(&ctx->geod, &poly, 0, 1, &area, NULL);
    return fabs(area);
}

static double polygon_area(cov_ctx *ctx, const GEOSGeometry *p)
{
    double a = ring_area(ctx, GEOSGetExteriorRing_r(ctx->geos, p));
    int holes = GEOSGetNumInteriorRings_r(ctx->geos, p);
    for (int i = 0; i < holes; i++)
        a -= ring_area(ctx, GEOSGetInteriorRingN_r(ctx->geos, p, i));
    return a;
}

double cov__geod_area_m2(cov_ctx *ctx, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON) return polygon_area(ctx, g);
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION) return 0.0;
    double a = 0.0;
    int n = GEOSGetNumGeometries_r(ctx->geos, g);
    for (int i = 0; i < n; i++)
        a += cov__geod_area_m2(ctx, GEOSGetGeometryN_r(ctx->geos, g, i));
    return a;
}

GEOSGeometry *cov__geod_circle(cov_ctx *ctx, const cov_xform *xf, double lon,
                               double lat, double radius_m, int segments)
{
    size_t n = (size_t)segments + 1;
    double *x = cov__mallocarray(ctx, 2 * n, sizeof *x);
    if (!x) return NULL;
    double *y = x + n;
    /* Clockwise from north is the azimuth's own sense; GEOS does not care
     * about orientation, the shapefile writer normalises it. */
    for (int k = 0; k < segments; k++) {
        double azi = 360.0 * k / segments;
        geod_direct(&ctx->geod, lat, lon, azi, radius_m, &y[k], &x[k], NULL);
    }
    x[segments] = x[0];
    y[segments] = y[0];
    GEOSGeometry *poly = NULL;
    if (cov__xform_points(ctx, xf, n, x, y, "service circle") == COV_OK) {
        GEOSCoordSequence *seq =
            GEOSCoordSeq_copyFromArrays_r(ctx->geos, x, y, NULL, NULL, (unsigned)n);
        GEOSGeometry *shell = seq ? GEOSGeom_createLinearRing_r(ctx->geos, seq) : NULL;
        poly = shell ? GEOSGeom_createPolygon_r(ctx->geos, shell, NULL, 0) : NULL;
        if (!poly) cov__geos_error(ctx, "service circle");
    }
    free(x);
    return poly;
}

GEOSGeometry *cov__union_parts(cov_ctx *ctx, const GEOSGeometry *const *parts, size_t n)
{
    if (n == 1) return GEOSGeom_clone_r(ctx->geos, parts[0]);
    GEOSGeometry **g = cov__mallocarray(ctx, n ? n : 1, sizeof *g);
    if (!g) return NULL;
    for (size_t k = 0; k < n; k++) g[k] = GEOSGeom_clone_r(ctx->geos, parts[k]);
    GEOSGeometry *coll =
        GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, g, (unsigned)n);
    free(g);
    GEOSGeometry *u = coll ? GEOSCoverageUnion_r(ctx->geos, coll) : NULL;
    if (coll && !u) u = GEOSUnaryUnion_r(ctx->geos, coll);
    if (coll) GEOSGeom_destroy_r(ctx->geos, coll);
    if (!u) cov__geos_error(ctx, "union of region parts");
    return u;
}
