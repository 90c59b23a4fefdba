/* The analysis on a hand-built case whose answers are known: two square
 * regions, five facilities, six demand points, a 5 km radius. Distances are
 * checked with geod_inverse, areas with closed forms. */
#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <stdlib.h>

#include "libcoverage/coverage.h"
#include "testgeom.h"
#include "testutil.h"

#define PI 3.14159265358979323846
#define R 5000.0
#define A_ 6378137.0
#define F_ (1.0 / 298.257222101)
#define E2 (F_ * (2.0 - F_))

static double quad_area(double lon1, double lat1, double lon2, double lat2)
{
    double e = sqrt(E2), s1 = sin(lat1 * PI / 180), s2 = sin(lat2 * PI / 180);
    double q1 = s1 / (1 - E2 * s1 * s1) + log((1 + e * s1) / (1 - e * s1)) / (2 * e);
    double q2 = s2 / (1 - E2 * s2 * s2) + log((1 + e * s2) / (1 - e * s2)) / (2 * e);
    return 0.5 * A_ * A_ * (1 - E2) * (lon2 - lon1) * PI / 180 * (q2 - q1);
}

static struct geod_geodesic geod;

static double dist(double lon1, double lat1, double lon2, double lat2)
{
    double s;
    geod_inverse(&geod, lat1, lon1, lat2, lon2, &s, NULL, NULL);
    return s;
}

static int warnings;
static void on_message(int level, const char *msg, void *ud)
{
    (void)msg;
    (void)ud;
    warnings += level == COV_MSG_WARNING;
}

static cov_regions *make_regions(cov_ctx *ctx)
{
    const char *wkt[2] = {"POLYGON((141 43,141.2 43,141.2 43.2,141 43.2,141 43))",
                          "POLYGON((141.2 43,141.4 43,141.4 43.2,141.2 43.2,141.2 43))"};
    const char *ids[2] = {"A", "B"}, *names[2] = {"北区域", "南区域"};
    return test_regions_from_wkt(ctx, 2, wkt, ids, names);
}

static const char *fid[] = {"N1", "D1", "D4", "D2", "D3"};
static const char *fkind[] = {"nursing", "zaishin", "zaishin", "zaishin", "zaibyo"};
static const double flon[] = {141.1, 141.1, 141.12, 141.3, 141.9};
static const double flat[] = {43.1, 43.1, 43.1, 43.1, 43.1};
static const char *did[] = {"p1", "p2", "p3", "p5", "p6"};
static const double dlon[] = {141.1, 141.3, 141.02, 141.1, 141.1};
static const double dlat[] = {43.12, 43.13, 43.02, 42.996, 42.9};
static const double dw[] = {10, 100, 20, 200, 30, 300, 5, 50, 7, 70}; /* total, age65 */

/* The construction is what we think: checked with geod_inverse. */
static void check_construction(void)
{
    CHECK(dist(141.1, 43.12, 141.1, 43.1) < R && dist(141.1, 43.12, 141.12, 43.1) < R);
    CHECK(dist(141.3, 43.13, 141.3, 43.1) < R && dist(141.3, 43.13, 141.1, 43.1) > R);
    CHECK(dist(141.02, 43.02, 141.1, 43.1) > R && dist(141.1, 42.996, 141.1, 43.1) > R);
    CHECK(dist(141.1, 42.996, 141.1, 43.0) < 1000.0 && dist(141.1, 42.9, 141.1, 43.0) > 1000.0);
    CHECK(dist(141.4, 43.1, 141.9, 43.1) > R + 1000); /* D3's circle misses region B */
    CHECK(dist(141.0, 43.1, 141.1, 43.1) > R && dist(141.12, 43.1, 141.2, 43.1) > R);
}

static long find_row(const cov_table *t, const char *region, const char *kind)
{
    long cr = cov_table_column_index(t, "region_id"), ck = cov_table_column_index(t, "kind");
    for (size_t i = 0; i < cov_table_nrows(t); i++)
        if (!strcmp(cov_table_string(t, (size_t)cr, i), region) &&
            !strcmp(cov_table_string(t, (size_t)ck, i), kind))
            return (long)i;
    return -1;
}

static double cell(const cov_table *t, long row, const char *col)
{
    long c = cov_table_column_index(t, col);
    if (row < 0 || c < 0) return NAN;
    if (cov_table_column_type(t, (size_t)c) == COV_COL_INT)
        return (double)cov_table_ints(t, (size_t)c)[row];
    return cov_table_doubles(t, (size_t)c)[row];
}

/* Expected: region, kind, n_facilities, total, covered, redundant. */
static const struct {
    const char *region, *kind;
    double n_fac, total, covered, redundant;
} expected[] = {
    {"A", "zaishin", 2, 45, 10, 10},           {"A", "nursing", 1, 45, 10, 0},
    {"A", "zaibyo", 0, 45, 0, 0},              {"A", "doctor_any", 2, 45, 10, 10},
    {"A", "doctor_and_nursing", 3, 45, 10, 0}, {"B", "zaishin", 1, 20, 20, 0},
    {"B", "nursing", 0, 20, 0, 0},             {"B", "doctor_any", 1, 20, 20, 0},
    {"B", "doctor_and_nursing", 1, 20, 0, 0},
};

static void check_coverage(cov_ctx *ctx, cov_analysis *a)
{
    cov_table *t = cov_analysis_coverage(ctx, a, NULL, R, 0, 0);
    CHECK(t != NULL);
    CHECK(cov_table_nrows(t) == 2 * 5); /* 3 kinds + 2 derived, per region */
    for (size_t k = 0; k < sizeof expected / sizeof *expected; k++) {
        long row = find_row(t, expected[k].region, expected[k].kind);
        CHECK(row >= 0);
        CHECK_NEAR(cell(t, row, "n_facilities"), expected[k].n_fac, 0);
        CHECK_NEAR(cell(t, row, "demand_total"), expected[k].total, 0);
        CHECK_NEAR(cell(t, row, "demand_covered"), expected[k].covered, 0);
        CHECK_NEAR(cell(t, row, "demand_redundant"), expected[k].redundant, 0);
        CHECK_NEAR(cell(t, row, "share_covered"), expected[k].covered / expected[k].total, 1e-12);
    }
    /* areas: one circle is pi r^2 (inscribed 128-gon); two circles d apart
     * are 2 pi r^2 minus their lens */
    double circle = 0.5 * 128 * R * R * sin(2 * PI / 128) / 1e6;
    double d = dist(141.1, 43.1, 141.12, 43.1);
    double lens = 2 * R * R * acos(d / (2 * R)) - 0.5 * d * sqrt(4 * R * R - d * d);
    double two = (2 * PI * R * R - lens) / 1e6;
    double area_a = quad_area(141.0, 43.0, 141.2, 43.2) / 1e6;
    long ra = find_row(t, "A", "nursing"), rz = find_row(t, "A", "zaishin");
    CHECK(fabs(cell(t, ra, "area_km2") / area_a - 1) < 1e-4);
    CHECK(fabs(cell(t, ra, "area_covered_km2") / circle - 1) < 2e-4);
    CHECK(fabs(cell(t, find_row(t, "A", "doctor_and_nursing"), "area_covered_km2") / circle - 1) <
          2e-4);
    CHECK(fabs(cell(t, rz, "area_covered_km2") / two - 1) < 2e-3);
    CHECK(fabs(cell(t, find_row(t, "B", "zaishin"), "area_covered_km2") / circle - 1) < 2e-4);
    CHECK_NEAR(cell(t, find_row(t, "B", "zaibyo"), "area_covered_km2"), 0.0, 1e-9);
    CHECK(isnan(cell(t, find_row(t, "B", "zaibyo"), "share_covered")) == 0);
    cov_table_destroy(t);
    /* the second weight column and the no-area flag */
    t = cov_analysis_coverage(ctx, a, NULL, R, 1, COV_COVERAGE_NO_AREA);
    CHECK_NEAR(cell(t, find_row(t, "A", "zaishin"), "demand_total"), 450, 0);
    CHECK(isnan(cell(t, find_row(t, "A", "zaishin"), "area_km2")));
    cov_table_destroy(t);
}

static void check_reach(cov_ctx *ctx, cov_analysis *a)
{
    cov_table *t = cov_analysis_reach(ctx, a, NULL, NULL, R);
    CHECK(cov_table_nrows(t) == 5 * 4); /* nursing, zaishin, zaibyo, doctor_any */
    long c_near = cov_table_column_index(t, "nearest_id"), c_d = cov_table_column_index(t, "distance_m");
    long c_n = cov_table_column_index(t, "n_within"), c_r = cov_table_column_index(t, "region_id");
    /* rows are kind-major in order of first appearance: nursing, zaishin, zaibyo */
    CHECK_STR(cov_table_string(t, (size_t)c_near, 5 + 0), "D1");
    CHECK_NEAR(cov_table_doubles(t, (size_t)c_d)[5], dist(141.1, 43.12, 141.1, 43.1), 1e-6);
    CHECK(cov_table_ints(t, (size_t)c_n)[5] == 2);
    CHECK_STR(cov_table_string(t, (size_t)c_near, 10 + 4), "D3"); /* p6 nearest zaibyo */
    CHECK_NEAR(cov_table_doubles(t, (size_t)c_d)[14], dist(141.1, 42.9, 141.9, 43.1), 1e-6);
    CHECK_STR(cov_table_string(t, (size_t)c_r, 3), "A"); /* p5 snapped */
    CHECK_STR(cov_table_string(t, (size_t)c_r, 4), "");  /* p6 unassigned */
    /* doctor_any: p6's nearest doctor is D1 at (141.1, 43.1), not D3 */
    CHECK_STR(cov_table_string(t, (size_t)c_near, 15 + 4), "D1");
    CHECK_NEAR(cov_table_doubles(t, (size_t)c_d)[19], dist(141.1, 42.9, 141.1, 43.1), 1e-6);
    CHECK(cov_table_ints(t, (size_t)c_n)[15] == 2); /* p1: D1 and D4 */
    /* each row carries its unit's point, in every kind's block */
    const double *lon = cov_table_doubles(t, (size_t)cov_table_column_index(t, "lon"));
    const double *lat = cov_table_doubles(t, (size_t)cov_table_column_index(t, "lat"));
    CHECK(lon[5] == 141.1 && lat[5] == 43.12 && lon[14] == 141.1 && lat[14] == 42.9);
    CHECK(lon[19] == lon[4] && lat[19] == lat[4]);
    cov_table_destroy(t);
    t = cov_analysis_reach(ctx, a, NULL, "nursing", R);
    CHECK(cov_table_nrows(t) == 5);
    cov_table_destroy(t);
    t = cov_analysis_reach(ctx, a, NULL, COV_KIND_DOCTOR_ANY, R);
    CHECK(cov_table_nrows(t) == 5);
    cov_table_destroy(t);
    CHECK(cov_analysis_reach(ctx, a, NULL, COV_KIND_DOCTOR_AND_NURSING, R) == NULL);
    CHECK(cov_analysis_reach(ctx, a, NULL, "dentist", R) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK_CONTAINS(cov_last_message(ctx), "dentist");
}

static void check_areas(cov_ctx *ctx, cov_analysis *a)
{
    double circle = 0.5 * 128 * R * R * sin(2 * PI / 128) / 1e6;
    double area_a = quad_area(141.0, 43.0, 141.2, 43.2) / 1e6;
    cov_table *g = cov_analysis_gaps(ctx, a, NULL, R, "nursing", 0);
    CHECK(cov_table_nrows(g) == 2 && cov_table_has_geometry(g));
    long row = find_row(g, "A", "nursing");
    CHECK(fabs(cell(g, row, "area_km2") / (area_a - circle) - 1) < 1e-4);
    CHECK_NEAR(cell(g, row, "demand_uncovered"), 35, 0);
    CHECK_NEAR(cell(g, row, "n_parts"), 1, 0);
    size_t size = 0;
    unsigned char *wkb = cov_table_wkb(ctx, g, (size_t)row, &size);
    CHECK(wkb != NULL && size > 100);
    cov_free(wkb);
    cov_table_destroy(g);
    cov_table *s = cov_analysis_service_areas(ctx, a, NULL, R, COV_AREAS_BY_FACILITY, NULL);
    CHECK(cov_table_nrows(s) == 5);
    CHECK(fabs(cell(s, 0, "area_km2") / circle - 1) < 2e-4);
    cov_table_destroy(s);
    s = cov_analysis_service_areas(ctx, a, NULL, R, COV_AREAS_BY_REGION_KIND, NULL);
    CHECK(find_row(s, "B", "zaibyo") < 0); /* no land reached: no row */
    CHECK(fabs(cell(s, find_row(s, "B", "zaishin"), "area_km2") / circle - 1) < 2e-4);
    /* one kind: the same rows as in the table of every kind, and only them */
    cov_table *one = cov_analysis_service_areas(ctx, a, NULL, R, COV_AREAS_BY_REGION_KIND,
                                                "zaishin");
    size_t n_zaishin = 0;
    size_t ck = (size_t)cov_table_column_index(s, "kind");
    size_t cr = (size_t)cov_table_column_index(s, "region_id");
    for (size_t i = 0; i < cov_table_nrows(s); i++) {
        if (strcmp(cov_table_string(s, ck, i), "zaishin") != 0) continue;
        n_zaishin++;
        long j = find_row(one, cov_table_string(s, cr, i), "zaishin");
        CHECK_NEAR(cell(one, j, "area_km2"), cell(s, (long)i, "area_km2"), 0);
    }
    CHECK(n_zaishin > 0 && cov_table_nrows(one) == n_zaishin);
    cov_table_destroy(one);
    cov_table_destroy(s);
}

static void check_errors(cov_ctx *ctx, cov_analysis *a)
{
    double bad[] = {0.0, -1.0, NAN, INFINITY, 2e6};
    for (int i = 0; i < 5; i++) {
        CHECK(cov_analysis_coverage(ctx, a, NULL, bad[i], 0, 0) == NULL);
        CHECK(cov_last_error(ctx) == COV_ERR_ARG);
        CHECK(cov_analysis_reach(ctx, a, NULL, NULL, bad[i]) == NULL);
        CHECK(cov_analysis_gaps(ctx, a, NULL, bad[i], NULL, 0) == NULL);
        CHECK(cov_analysis_service_areas(ctx, a, NULL, bad[i], COV_AREAS_BY_FACILITY, NULL) ==
              NULL);
    }
    CHECK_CONTAINS(cov_last_message(ctx), "radius");
    CHECK(cov_analysis_coverage(ctx, a, NULL, R, 2, 0) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "weight column 2");
    CHECK(cov_analysis_gaps(ctx, a, NULL, R, NULL, 9) == NULL);
    CHECK(cov_analysis_gaps(ctx, a, NULL, R, "nursing_any", 0) == NULL);
    CHECK(cov_analysis_service_areas(ctx, a, NULL, R, 99, NULL) == NULL);
    CHECK(cov_analysis_service_areas(ctx, a, NULL, R, COV_AREAS_BY_REGION_KIND, "dentist") ==
          NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "no facility kind \"dentist\"");
    CHECK(cov_analysis_service_areas(ctx, a, NULL, R, COV_AREAS_BY_FACILITY, "nursing") == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "per facility, select rows");
    CHECK(cov_analysis_coverage(NULL, a, NULL, R, 0, 0) == NULL);
    CHECK(cov_analysis_coverage(ctx, NULL, NULL, R, 0, 0) == NULL);
    CHECK(cov_analysis_reach(ctx, NULL, NULL, NULL, R) == NULL);
    CHECK(cov_analysis_gaps(ctx, NULL, NULL, R, NULL, 0) == NULL);
    CHECK(cov_analysis_service_areas(ctx, NULL, NULL, R, 1, NULL) == NULL);
    CHECK(cov_analysis_assignment(ctx, NULL) == NULL);
    CHECK(cov_analysis_create(ctx, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov_analysis_crs(NULL) == NULL && cov_analysis_demand_region(NULL) == NULL);
    CHECK(cov_analysis_unassigned_count(NULL) == 0);
    cov_analysis_destroy(NULL);
}

int main(void)
{
    geod_init(&geod, A_, F_);
    check_construction();
    cov_ctx *ctx = cov_ctx_create();
    cov_ctx_set_message_handler(ctx, on_message, NULL);
    cov_regions *r = make_regions(ctx);
    CHECK(cov_regions_count(r) == 2);
    cov_facilities *f =
        cov_facilities_from_arrays(ctx, 5, fid, NULL, fkind, NULL, flon, flat, NULL);
    const char *wn[] = {"total", "age65"};
    cov_demand *d = cov_demand_from_points(ctx, 5, did, dlon, dlat, NULL, 2, wn, dw);
    CHECK(f && d);
    cov_analysis *a = cov_analysis_create(ctx, r, f, d, NULL);
    CHECK(a != NULL);
    CHECK(cov_analysis_unassigned_count(a) == 1);
    /* p6 unassigned; and p6's weight is 10 % of the demand while p5 was
     * snapped: the regions may be part of the land (test_assign.c) */
    CHECK(warnings == 2);
    const int64_t *reg = cov_analysis_demand_region(a);
    CHECK(reg[0] == 0 && reg[1] == 1 && reg[2] == 0 && reg[3] == 0 && reg[4] == -1);
    cov_table *as = cov_analysis_assignment(ctx, a);
    CHECK_STR(cov_table_string(as, 2, 3), "snapped");
    CHECK_NEAR(cov_table_doubles(as, 3)[3], dist(141.1, 42.996, 141.1, 43.0), 0.5);
    CHECK_STR(cov_table_string(as, 2, 4), "unassigned");
    CHECK_STR(cov_table_string(as, 2, 0), "inside");
    cov_table_destroy(as);
    CHECK_CONTAINS(cov_analysis_crs(a), "+proj=laea");
    check_coverage(ctx, a);
    check_reach(ctx, a);
    check_areas(ctx, a);
    check_errors(ctx, a);
    cov_analysis_destroy(a);
    cov_demand_destroy(d);
    cov_facilities_destroy(f);
    cov_regions_destroy(r);
    cov_ctx_destroy(ctx);
    TEST_END();
}
