/* Geodesic distances, the ECEF kd-tree, geodesic circles and areas, each
 * against closed forms or brute force. */
#include <math.h>
#include <stdlib.h>

#include "geo/geo.h"
#include "libcoverage/coverage.h"
#include "testutil.h"

#define PI 3.14159265358979323846
#define A 6378137.0
#define F (1.0 / 298.257222101)
#define E2 (F * (2.0 - F))

/* Meridian arc length between latitudes (degrees) by Simpson's rule on
 * M(phi) = a (1 - e^2) / (1 - e^2 sin^2 phi)^1.5: independent of geod_inverse. */
static double meridian_arc(double lat1, double lat2)
{
    int n = 20000;
    double h = (lat2 - lat1) * PI / 180.0 / n, sum = 0.0;
    for (int i = 0; i <= n; i++) {
        double phi = lat1 * PI / 180.0 + i * h, s = sin(phi);
        double m = A * (1.0 - E2) / pow(1.0 - E2 * s * s, 1.5);
        sum += m * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
    }
    return sum * h / 3.0;
}

/* Area of the ellipsoidal quadrangle between two parallels and meridians
 * (closed form with the authalic q function). */
static double q_of(double lat)
{
    double e = sqrt(E2), s = sin(lat * PI / 180.0);
    return s / (1.0 - E2 * s * s) + log((1.0 + e * s) / (1.0 - e * s)) / (2.0 * e);
}

static double quad_area(double lon1, double lat1, double lon2, double lat2)
{
    double b2 = A * A * (1.0 - E2);
    return 0.5 * b2 * (lon2 - lon1) * PI / 180.0 * (q_of(lat2) - q_of(lat1));
}

static void test_distances(cov_ctx *ctx)
{
    /* On the equator a geodesic shorter than (1 - f) pi a is the equator. */
    CHECK_NEAR(cov_geodesic_distance_m(ctx, 0.0, 0.0, 1.0, 0.0), A * PI / 180.0, 1e-6);
    CHECK_NEAR(cov_geodesic_distance_m(ctx, 140.0, 0.0, 140.25, 0.0), A * PI / 720.0, 1e-6);
    CHECK_NEAR(cov_geodesic_distance_m(ctx, 141.35, 43.0, 141.35, 44.0), meridian_arc(43.0, 44.0),
               1e-3);
    CHECK_NEAR(cov_geodesic_distance_m(ctx, 130.0, 31.0, 130.0, 45.5), meridian_arc(31.0, 45.5),
               1e-2);
    CHECK(isnan(cov_geodesic_distance_m(ctx, 0.0, 91.0, 0.0, 0.0)));
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(isnan(cov_geodesic_distance_m(ctx, NAN, 0.0, 0.0, 0.0)));
    CHECK(isnan(cov_geodesic_distance_m(NULL, 0.0, 0.0, 0.0, 0.0)));
    cov_clear_error(ctx);
}

static double frand(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return ((*state >> 8) & 0xffffff) / (double)0x1000000;
}

/* kd-tree answers equal brute force over geod_inverse, also for points put
 * within millimetres of the radius. */
static void test_kdtree(cov_ctx *ctx)
{
    enum { NF = 700, NQ = 3000 };
    static double lon[NF], lat[NF];
    unsigned st = 42;
    for (int i = 0; i < NF; i++) {
        lon[i] = 139.3 + 6.6 * frand(&st);
        lat[i] = 41.3 + 4.3 * frand(&st);
    }
    cov_kdtree *t = cov__kdtree_build(ctx, lon, lat, NULL, NF);
    CHECK(t != NULL && cov__kdtree_size(t) == NF);
    int nearest_ok = 0, within_ok = 0;
    for (int q = 0; q < NQ; q++) {
        double qlon = 139.0 + 7.2 * frand(&st), qlat = 41.0 + 5.0 * frand(&st);
        double radius = 16000.0;
        if (q % 3 == 0) { /* put the query 1 mm inside or outside a facility's circle */
            int j = q % NF;
            double az = 360.0 * frand(&st), d = radius + (q % 2 ? 0.001 : -0.001);
            geod_direct(&ctx->geod, lat[j], lon[j], az, d, &qlat, &qlon, NULL);
        }
        long best = -1;
        double best_d = INFINITY;
        size_t count = 0;
        for (int i = 0; i < NF; i++) {
            double s;
            geod_inverse(&ctx->geod, qlat, qlon, lat[i], lon[i], &s, NULL, NULL);
            if (s < best_d) best_d = s, best = i;
            count += s <= radius;
        }
        double d;
        long got = cov__kdtree_nearest(t, &ctx->geod, qlon, qlat, &d);
        nearest_ok += got == best && d == best_d;
        within_ok += cov__kdtree_within(t, &ctx->geod, qlon, qlat, radius) == count;
    }
    CHECK(nearest_ok == NQ);
    CHECK(within_ok == NQ);
    /* a subset index and an empty tree */
    size_t idx[3] = {5, 9, 11};
    cov_kdtree *sub = cov__kdtree_build(ctx, lon, lat, idx, 3);
    double d;
    long got = cov__kdtree_nearest(sub, &ctx->geod, lon[9], lat[9], &d);
    CHECK(got == 9 && d == 0.0);
    CHECK(cov__kdtree_within(sub, &ctx->geod, lon[9], lat[9], 1e7) == 3);
    cov_kdtree *empty = cov__kdtree_build(ctx, lon, lat, idx, 0);
    CHECK(cov__kdtree_nearest(empty, &ctx->geod, 140.0, 43.0, &d) == -1 && isnan(d));
    CHECK(cov__kdtree_within(empty, &ctx->geod, 140.0, 43.0, 1e6) == 0);
    cov__kdtree_destroy(empty);
    cov__kdtree_destroy(sub);
    cov__kdtree_destroy(t);
    cov__kdtree_destroy(NULL);
}

static void test_circles_and_areas(cov_ctx *ctx)
{
    cov_xform xf;
    char *def = NULL;
    CHECK(cov__xform_to_projected(ctx, NULL, 142.0, 43.5, &xf, &def) == COV_OK);
    /* A 16 km geodesic circle far from the projection centre: its polygon
     * area is pi r^2 up to the inscribed-polygon factor (closed form). */
    double r = 16000.0;
    int n = 128;
    GEOSGeometry *c = cov__geod_circle(ctx, &xf, 145.2, 44.2, r, n);
    CHECK(c != NULL);
    double area = 0.0;
    GEOSArea_r(ctx->geos, c, &area);
    double polygon = 0.5 * n * r * r * sin(2.0 * PI / n);
    CHECK(fabs(area / (PI * r * r) - 1.0) < 0.005);
    CHECK(fabs(area / polygon - 1.0) < 2e-4); /* equal-area projection */
    GEOSGeom_destroy_r(ctx->geos, c);
    /* every vertex of a lon/lat circle lies at r from the centre */
    cov_xform id = {NULL, 1};
    c = cov__geod_circle(ctx, &id, 141.35, 43.06, r, 64);
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(
        ctx->geos, GEOSGetExteriorRing_r(ctx->geos, c));
    double worst = 0.0;
    for (unsigned i = 0; i < 64; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(ctx->geos, seq, i, &x, &y);
        worst = fmax(worst, fabs(cov_geodesic_distance_m(ctx, 141.35, 43.06, x, y) - r));
    }
    CHECK(worst < 1e-6);
    /* the ellipsoidal area of that 64-gon is the planar 64-gon's */
    CHECK(fabs(cov__geod_area_m2(ctx, c) / (0.5 * 64 * r * r * sin(2.0 * PI / 64)) - 1.0) < 1e-4);
    /* ellipsoidal area of a 1 km mesh cell, directly and projected */
    GEOSGeom_destroy_r(ctx->geos, c);
    GEOSGeometry *q = GEOSGeom_createRectangle_r(ctx->geos, 141.0, 43.0, 141.0125, 43.0083333333);
    CHECK_NEAR(cov__geod_area_m2(ctx, q), quad_area(141.0, 43.0, 141.0125, 43.0083333333), 50.0);
    GEOSGeometry *qp = cov__xform_geom(ctx, &xf, q, 0, "test");
    GEOSArea_r(ctx->geos, qp, &area);
    CHECK(fabs(area / quad_area(141.0, 43.0, 141.0125, 43.0083333333) - 1.0) < 1e-4);
    GEOSGeom_destroy_r(ctx->geos, qp);
    GEOSGeom_destroy_r(ctx->geos, q);
    cov__xform_free(&xf);
    free(def);
    /* a geographic CRS is refused as analysis CRS; a projected one accepted */
    CHECK(cov__xform_to_projected(ctx, "EPSG:4326", 0, 0, &xf, &def) == COV_ERR_CRS);
    CHECK_CONTAINS(cov_last_message(ctx), "not a projected CRS");
    CHECK(cov__xform_to_projected(ctx, "EPSG:6680", 0, 0, &xf, &def) == COV_OK);
    CHECK_STR(def, "EPSG:6680");
    cov__xform_free(&xf);
    free(def);
    CHECK(cov__xform_to_lonlat(ctx, "EPSG:999999", "test input", &xf) == COV_ERR_CRS);
    CHECK_CONTAINS(cov_last_message(ctx), "test input");
    /* bare names must be a CRS's own name: PROJ would take "foo" for Amersfoort */
    CHECK(cov__xform_to_lonlat(ctx, "foo", "named", &xf) == COV_ERR_CRS);
    CHECK(cov__xform_to_lonlat(ctx, "bar", "named", &xf) == COV_ERR_CRS);
    CHECK(cov__xform_to_lonlat(ctx, "JGD2011", "named", &xf) == COV_OK && xf.identity);
}

static void test_transform(cov_ctx *ctx)
{
    /* JGD2011 plane rectangular zone XII (EPSG:6680) has its origin at
     * 44N 142.25E (false easting/northing 0): the origin maps there. */
    cov_xform xf;
    CHECK(cov__xform_to_lonlat(ctx, "EPSG:6680", "zone XII", &xf) == COV_OK);
    CHECK(!xf.identity);
    double x = 0.0, y = 0.0;
    CHECK(cov__xform_points(ctx, &xf, 1, &x, &y, "origin") == COV_OK);
    CHECK_NEAR(x, 142.25, 1e-9);
    CHECK_NEAR(y, 44.0, 1e-9);
    cov__xform_free(&xf);
    CHECK(cov__xform_to_lonlat(ctx, "EPSG:6668", "jgd", &xf) == COV_OK && xf.identity);
    CHECK(cov__xform_to_lonlat(ctx, NULL, "none", &xf) == COV_OK && xf.identity);
}

static GEOSGeometry *wkt(cov_ctx *ctx, const char *text)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(ctx->geos, r, text);
    GEOSWKTReader_destroy_r(ctx->geos, r);
    return g;
}

/* The union of parts against GEOS's general union: same area, and their
 * symmetric difference is empty. */
static void check_union(cov_ctx *ctx, const char *const *texts, size_t n, double want_area,
                        int want_polygons)
{
    GEOSGeometry *g[16];
    for (size_t k = 0; k < n; k++) g[k] = wkt(ctx, texts[k]);
    GEOSGeometry *u = cov__union_parts(ctx, (const GEOSGeometry *const *)g, n);
    GEOSGeometry *coll = GEOSGeom_createCollection_r(ctx->geos, GEOS_GEOMETRYCOLLECTION, g,
                                                     (unsigned)n); /* takes g */
    GEOSGeometry *ref = GEOSUnaryUnion_r(ctx->geos, coll);
    double area = 0, diff = 0;
    GEOSArea_r(ctx->geos, u, &area);
    GEOSGeometry *sym = GEOSSymDifference_r(ctx->geos, u, ref);
    GEOSArea_r(ctx->geos, sym, &diff);
    CHECK_NEAR(area, want_area, 1e-9);
    CHECK(diff < 1e-9);
    CHECK(GEOSisValid_r(ctx->geos, u) == 1);
    CHECK(GEOSGetNumGeometries_r(ctx->geos, u) == want_polygons);
    GEOSGeom_destroy_r(ctx->geos, sym);
    GEOSGeom_destroy_r(ctx->geos, ref);
    GEOSGeom_destroy_r(ctx->geos, coll);
    GEOSGeom_destroy_r(ctx->geos, u);
}

/* Appends "x y," of point i of n on the circle of radius rad (exact on the
 * x axis, so that both halves of a cut circle share those vertices). */
static size_t on_circle(char *buf, size_t at, size_t cap, double rad, int i, int n)
{
    double a = 2 * PI * i / n, x = rad * cos(a), y = rad * sin(a);
    if (i % (n / 2) == 0) x = i % n == 0 ? rad : -rad, y = 0;
    return at + (size_t)snprintf(buf + at, cap - at, "%.17g %.17g,", x, y);
}

/* Rings long enough for the indexed containment test (>= 256 points): a
 * 600-gon coast around a 64-gon lake, cut into two halves that share their
 * vertices on the cut, an island in the lake, and an islet inside the
 * coast's box but outside the coast. */
static void test_union_long_rings(cov_ctx *ctx)
{
    enum { N = 600, H = 64 };
    static char north[32768], south[32768];
    char *half[2] = {north, south};
    for (int side = 0; side < 2; side++) {
        size_t cap = sizeof north, at = (size_t)snprintf(half[side], cap, "POLYGON((");
        /* the outer arc of this half, then the lake's arc back, then closed */
        for (int k = 0; k <= N / 2; k++)
            at = on_circle(half[side], at, cap, 10, side * N / 2 + k, N);
        for (int k = H / 2; k >= 0; k--)
            at = on_circle(half[side], at, cap, 5, side * H / 2 + k, H);
        at = on_circle(half[side], at, cap, 10, side * N / 2, N);
        snprintf(half[side] + at - 1, cap - at + 1, "))"); /* over the last comma */
    }
    const char *parts[] = {north, south, "POLYGON((-1 -1,1 -1,1 1,-1 1,-1 -1))",
                           "POLYGON((9 9,9.5 9,9.5 9.5,9 9.5,9 9))"};
    double ring = 0.5 * N * 100 * sin(2 * PI / N) - 0.5 * H * 25 * sin(2 * PI / H);
    check_union(ctx, parts, 4, ring + 4 + 0.25, 3);
}

static void test_union_parts(cov_ctx *ctx)
{
    const char *two[] = {"POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((1 0,2 0,2 1,1 1,1 0))"};
    check_union(ctx, two, 2, 2.0, 1);
    /* four squares around a hole: the hole stays */
    const char *ring[] = {"POLYGON((0 0,3 0,3 1,0 1,0 0))", "POLYGON((0 2,3 2,3 3,0 3,0 2))",
                          "POLYGON((0 1,1 1,1 2,0 2,0 1))", "POLYGON((2 1,3 1,3 2,2 2,2 1))"};
    check_union(ctx, ring, 4, 8.0, 1);
    /* parts touching at a corner only stay two polygons */
    const char *corner[] = {"POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((1 1,2 1,2 2,1 2,1 1))"};
    check_union(ctx, corner, 2, 2.0, 2);
    /* overlapping parts are no tiling: the general union takes over */
    const char *overlap[] = {"POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((1 1,3 1,3 3,1 3,1 1))"};
    check_union(ctx, overlap, 2, 7.0, 1);
    /* neighbours whose shared border has different vertices: fallback too */
    const char *tjunction[] = {"POLYGON((0 0,1 0,1 2,0 2,0 0))",
                               "POLYGON((1 0,2 0,2 2,1 2,1 1,1 0))"};
    check_union(ctx, tjunction, 2, 4.0, 1);
    /* a region inside a lake-shaped part (island in a lake) */
    const char *island[] = {"POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1))",
                            "POLYGON((1.5 1.5,2.5 1.5,2.5 2.5,1.5 2.5,1.5 1.5))"};
    check_union(ctx, island, 2, 13.0, 2);
    test_union_long_rings(ctx);
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    CHECK(ctx != NULL);
    test_distances(ctx);
    test_kdtree(ctx);
    test_circles_and_areas(ctx);
    test_transform(ctx);
    test_union_parts(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
