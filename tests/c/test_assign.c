/* Assigning demand to regions at the edges (issue 21): the coastal rule
 * joins points in the sea, never points on the land of a neighbouring
 * municipality. Checked against the layout's own geometry: rectangles in
 * lon/lat, a spatial join by comparison, and geodesic distances
 * (geod_inverse) to the nearest edge or corner. */
#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcoverage/analysis.h"
#include "testgeom.h"
#include "testutil.h"

/* Wards A and B (the regions), towns C (east) and D (south) on land; sea
 * west and north. */
#define LON0 141.0
#define LON1 141.4
#define LAT0 43.0
#define LAT1 43.2
#define SNAP_M 1000.0
#define STEP 0.0025

static struct geod_geodesic geod;

static double dist(double lon1, double lat1, double lon2, double lat2)
{
    double s, a1, a2;
    geod_inverse(&geod, lat1, lon1, lat2, lon2, &s, &a1, &a2);
    return s;
}

enum expect { IN_A, IN_B, ON_LAND, SEA_NEAR, FAR, UNSURE };

static int in_box(double lon, double lat, double x0, double x1, double y0, double y1)
{
    return lon > x0 && lon < x1 && lat > y0 && lat < y1;
}

/* Distance from a sea point to the wards' outline: to the nearest edge
 * along its parallel or meridian, or to the nearest corner. */
static double sea_distance(double lon, double lat)
{
    double clon = fmin(fmax(lon, LON0), LON1), clat = fmin(fmax(lat, LAT0), LAT1);
    return dist(lon, lat, clon, clat);
}

static enum expect expected(double lon, double lat)
{
    if (in_box(lon, lat, LON0, 141.2, LAT0, LAT1)) return IN_A;
    if (in_box(lon, lat, 141.2, LON1, LAT0, LAT1)) return IN_B;
    if (in_box(lon, lat, LON1, 141.6, LAT0, LAT1) || in_box(lon, lat, LON0, LON1, 42.8, LAT0))
        return ON_LAND;
    /* the corners where C or D meet the sea: the nearest ward edge may be
     * diagonal; keep the check to points whose answer is clear */
    double d = sea_distance(lon, lat);
    if (fabs(d - SNAP_M) < 100.0) return UNSURE;
    return d < SNAP_M ? SEA_NEAR : FAR;
}

int main(void)
{
    geod_init(&geod, 6378137.0, 1 / 298.257222101);
    cov_ctx *ctx = cov_ctx_create();
    test_messages msg = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &msg);
    const char *wards[2] = {"POLYGON((141 43,141.2 43,141.2 43.2,141 43.2,141 43))",
                            "POLYGON((141.2 43,141.4 43,141.4 43.2,141.2 43.2,141.2 43))"};
    const char *towns[2] = {"POLYGON((141.4 43,141.6 43,141.6 43.2,141.4 43.2,141.4 43))",
                            "POLYGON((141 42.8,141.4 42.8,141.4 43,141 43,141 42.8))"};
    const char *wid[2] = {"A", "B"}, *tid[2] = {"C", "D"};
    cov_regions *regions = test_regions_from_wkt(ctx, 2, wards, wid, NULL);
    cov_regions *land = test_regions_from_wkt(ctx, 2, towns, tid, NULL);
    CHECK(regions && land);

    /* a grid of points offset from every edge by half a step */
    size_t nx = (size_t)((141.65 - 140.95) / STEP), ny = (size_t)((43.25 - 42.95) / STEP);
    size_t n = nx * ny;
    char **ids = malloc(n * sizeof *ids);
    double *lon = malloc(n * sizeof *lon), *lat = malloc(n * sizeof *lat);
    double *w = malloc(n * sizeof *w);
    enum expect *want = malloc(n * sizeof *want);
    double join[2] = {0, 0}, sea[2] = {0, 0}, land_near = 0;
    for (size_t i = 0; i < n; i++) {
        lon[i] = 140.95 + (i % nx + 0.5) * STEP;
        lat[i] = 42.95 + (i / nx + 0.5) * STEP;
        w[i] = 1.0 + (double)((i * 2654435761u) % 97);
        ids[i] = malloc(16);
        snprintf(ids[i], 16, "u%zu", i);
        want[i] = expected(lon[i], lat[i]);
        if (want[i] == IN_A || want[i] == IN_B) join[want[i]] += w[i];
        if (want[i] == SEA_NEAR) sea[lon[i] > 141.2] += w[i];
    }
    for (size_t i = 0; i < n; i++) {
        if (want[i] != ON_LAND) continue;
        /* on land within the snap distance of a ward: the old rule took it */
        double clon = fmin(fmax(lon[i], LON0), LON1), clat = fmin(fmax(lat[i], LAT0), LAT1);
        if (dist(lon[i], lat[i], clon, clat) < SNAP_M - 100.0) land_near += w[i];
    }
    CHECK(land_near > 0 && sea[0] > 0 && sea[1] > 0); /* the layout tests what it means to */
    const char *wn[1] = {"people"};
    cov_demand *d = cov_demand_from_points(ctx, n, (const char *const *)ids, lon, lat, NULL, 1,
                                           wn, w);
    const char *fid[1] = {"N1"}, *fkind[1] = {"nursing"};
    const double flon[1] = {141.2}, flat[1] = {43.1};
    cov_facilities *f = cov_facilities_from_arrays(ctx, 1, fid, NULL, fkind, NULL, flon, flat,
                                                   NULL);
    CHECK(d && f);

    /* with the land layer: wards get the spatial join plus the sea cells */
    cov_analysis_options o;
    cov_analysis_options_init(&o);
    o.land = land;
    msg.n_warning = 0;
    cov_analysis *a = cov_analysis_create(ctx, regions, f, d, &o);
    CHECK(a != NULL);
    const int64_t *reg = cov_analysis_demand_region(a);
    cov_table *as = cov_analysis_assignment(ctx, a);
    size_t wrong = 0;
    double got[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        const char *m = cov_table_string(as, 2, i);
        if (reg[i] >= 0) got[reg[i]] += w[i];
        int ok = want[i] == UNSURE ||
                 (want[i] == IN_A && reg[i] == 0 && strcmp(m, "inside") == 0) ||
                 (want[i] == IN_B && reg[i] == 1 && strcmp(m, "inside") == 0) ||
                 (want[i] == ON_LAND && reg[i] < 0 && strcmp(m, "outside_land") == 0) ||
                 (want[i] == SEA_NEAR && reg[i] >= 0 && strcmp(m, "snapped") == 0) ||
                 (want[i] == FAR && reg[i] < 0 && strcmp(m, "unassigned") == 0);
        if (!ok && wrong++ < 5)
            fprintf(stderr, "unit %zu (%.5f, %.5f): expected %d, got region %lld method %s\n",
                    i, lon[i], lat[i], (int)want[i], (long long)reg[i], m);
    }
    CHECK(wrong == 0);
    /* no unsure cell lies on land, so the totals are exact */
    for (size_t i = 0; i < n; i++)
        if (want[i] == UNSURE && reg[i] >= 0) sea[reg[i]] += w[i];
    CHECK_NEAR(got[0], join[0] + sea[0], 1e-9);
    CHECK_NEAR(got[1], join[1] + sea[1], 1e-9);
    CHECK(msg.n_warning >= 1);
    CHECK_CONTAINS(msg.warning, "in no region nor within 1000 m");
    cov_table_destroy(as);
    cov_analysis_destroy(a);

    /* without it: the old rule takes the neighbours' cells near the border,
     * and the analysis says the regions look like part of the land */
    msg.n_warning = 0;
    a = cov_analysis_create(ctx, regions, f, d, NULL);
    CHECK(a != NULL);
    reg = cov_analysis_demand_region(a);
    double old[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        if (reg[i] >= 0) old[reg[i]] += w[i];
    CHECK(old[0] + old[1] > got[0] + got[1] + land_near - 1e-9);
    CHECK_CONTAINS(msg.warning, "look like part of the land");
    cov_analysis_destroy(a);

    /* a land layer that covers nothing outside changes nothing */
    const char *far[1] = {"POLYGON((150 40,150.1 40,150.1 40.1,150 40.1,150 40))"};
    const char *farid[1] = {"X"};
    cov_regions *elsewhere = test_regions_from_wkt(ctx, 1, far, farid, NULL);
    o.land = elsewhere;
    a = cov_analysis_create(ctx, regions, f, d, &o);
    CHECK(a != NULL);
    reg = cov_analysis_demand_region(a);
    double same[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        if (reg[i] >= 0) same[reg[i]] += w[i];
    CHECK_NEAR(same[0], old[0], 1e-9);
    CHECK_NEAR(same[1], old[1], 1e-9);
    cov_analysis_destroy(a);

    cov_regions_destroy(elsewhere);
    cov_facilities_destroy(f);
    cov_demand_destroy(d);
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids), free(lon), free(lat), free(w), free(want);
    cov_regions_destroy(land);
    cov_regions_destroy(regions);
    cov_ctx_destroy(ctx);
    TEST_END();
}
