/* The point locator against GEOS: containment against prepared
 * GEOSIntersects, snapping distances against GEOSDistance in an azimuthal
 * equidistant projection centred on the point (exact distances from it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/model.h"
#include "geo/geo.h"
#include "libcoverage/coverage.h"
#include "testutil.h"

static double frand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

static long geos_inside(cov_ctx *ctx, const cov_regions *r, const GEOSPreparedGeometry **prep,
                        double x, double y)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, x, y);
    long best = -1;
    for (size_t k = 0; k < r->n_parts; k++)
        if (GEOSPreparedIntersects_r(ctx->geos, prep[k], pt) == 1 &&
            (best < 0 || (long)r->part_region[k] < best))
            best = (long)r->part_region[k];
    GEOSGeom_destroy_r(ctx->geos, pt);
    return best;
}

/* Nearest region within max_m by GEOS in an azimuthal equidistant
 * projection centred on the point. */
static long geos_nearest(cov_ctx *ctx, const cov_regions *r, double x, double y, double max_m,
                         double *out_d)
{
    char def[200];
    snprintf(def, sizeof def, "+proj=aeqd +lat_0=%.10f +lon_0=%.10f +ellps=GRS80 +type=crs", y, x);
    cov_xform xf;
    char *used;
    long best = -1;
    *out_d = INFINITY;
    if (cov__xform_to_projected(ctx, def, 0, 0, &xf, &used) != COV_OK) return -2;
    GEOSGeometry *origin = GEOSGeom_createPointFromXY_r(ctx->geos, 0, 0);
    for (size_t k = 0; k < r->n_parts; k++) {
        double a, b, c, e; /* parts whose box is 0.05 deg away are > 1.5 km away */
        GEOSGeom_getExtent_r(ctx->geos, r->parts[k], &a, &b, &c, &e);
        if (x < a - 0.05 || x > c + 0.05 || y < b - 0.05 || y > e + 0.05) continue;
        GEOSGeometry *p = cov__xform_geom_densify(ctx, &xf, r->parts[k], 0, 0.001, "test");
        double d;
        GEOSDistance_r(ctx->geos, p, origin, &d);
        GEOSGeom_destroy_r(ctx->geos, p);
        if (d <= max_m && (d < *out_d || (d == *out_d && (long)r->part_region[k] < best)))
            best = (long)r->part_region[k], *out_d = d;
    }
    GEOSGeom_destroy_r(ctx->geos, origin);
    cov__xform_free(&xf);
    free(used);
    return best;
}

static void check_layer(cov_ctx *ctx, const char *path, const char *id, int n_points,
                        int n_near)
{
    cov_regions *r = cov_regions_read_shp(ctx, path, id, NULL, NULL);
    CHECK(r != NULL);
    if (!r) return;
    cov_locator *l = cov__locator_build(ctx, r->parts, r->n_parts);
    const GEOSPreparedGeometry **prep = calloc(r->n_parts, sizeof *prep);
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t k = 0; k < r->n_parts; k++) {
        double a, b, c, d;
        prep[k] = GEOSPrepare_r(ctx->geos, r->parts[k]);
        GEOSGeom_getExtent_r(ctx->geos, r->parts[k], &a, &b, &c, &d);
        x0 = fmin(x0, a), y0 = fmin(y0, b), x1 = fmax(x1, c), y1 = fmax(y1, d);
    }
    unsigned s = 7;
    int same_inside = 0, near_tested = 0, same_near = 0;
    double worst = 0.0;
    for (int i = 0; i < n_points; i++) {
        double x = x0 + (x1 - x0) * frand(&s), y = y0 + (y1 - y0) * frand(&s);
        long want = geos_inside(ctx, r, prep, x, y);
        same_inside += cov__locator_inside(l, x, y, r->part_region) == want;
        if (want >= 0 || near_tested >= n_near) continue;
        double dg, dl;
        long wn = geos_nearest(ctx, r, x, y, 1500.0, &dg);
        long got = cov__locator_nearest(l, x, y, 1500.0, r->part_region, &dl);
        if (wn < 0 && got < 0) {
            same_near++, near_tested++;
            continue;
        }
        /* the distances differ by the tangent plane's error (< 0.5 m within
         * 1.5 km); a region is only compared where that cannot decide it */
        near_tested++;
        worst = fmax(worst, fabs(dg - dl));
        same_near += fabs(dg - dl) < 0.5 && (got == wn || fabs(dg - 1500.0) < 0.5);
    }
    printf("%s: %d points, %d snapping cases, worst distance difference %.3f m\n", path, n_points,
           near_tested, worst);
    CHECK(same_inside == n_points);
    CHECK(same_near == near_tested);
    CHECK(near_tested > 0);
    for (size_t k = 0; k < r->n_parts; k++) GEOSPreparedGeom_destroy_r(ctx->geos, prep[k]);
    free(prep);
    cov__locator_destroy(l);
    cov_regions_destroy(r);
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    check_layer(ctx, "data/sample/municipalities.shp", "muni_code", 20000, 400);
    /* a vertex shared by two regions belongs to the lower region index */
    cov_regions *r = cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "muni_code",
                                          NULL, NULL);
    cov_locator *l = cov__locator_build(ctx, r->parts, r->n_parts);
    int shared_ok = 1, shared_n = 0;
    for (size_t k = 0; k < r->n_parts; k++) {
        const GEOSCoordSequence *seq =
            GEOSGeom_getCoordSeq_r(ctx->geos, GEOSGetExteriorRing_r(ctx->geos, r->parts[k]));
        unsigned int n;
        GEOSCoordSeq_getSize_r(ctx->geos, seq, &n);
        for (unsigned int i = 0; i < n; i += 7) {
            double x, y;
            GEOSCoordSeq_getXY_r(ctx->geos, seq, i, &x, &y);
            long got = cov__locator_inside(l, x, y, r->part_region);
            shared_ok &= got >= 0 && got <= (long)r->part_region[k];
            shared_n++;
        }
    }
    CHECK(shared_n > 100 && shared_ok);
    cov__locator_destroy(l);
    cov_regions_destroy(r);
    const char *dir = cov_test_shared_data();
    if (dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/hokkaido_n03_shapefile_cp932/N03-22_01_220101.shp", dir);
        check_layer(ctx, path, "N03_007", 3000, 25);
    } else {
        printf("SKIP N03 locator check: ../shared/data not found (set COV_SHARED_DATA)\n");
    }
    cov_ctx_destroy(ctx);
    TEST_END();
}
