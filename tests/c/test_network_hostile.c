/* Malformed and hostile road inputs, each with its defined outcome (listed
 * in docs/bad-inputs.md); and what fuzz_network found, rebuilt here so
 * that each fix stays fixed. Layers are written with shapelib or given as
 * arrays. */
#include <math.h>
#include <shapefil.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "libcoverage/coverage.h"
#include "testutil.h"

/* A 3 x 3 street grid near Sapporo as lines (rows then columns, 3 vertices
 * each, sharing the crossings), spacing 0.001 degrees. */
#define GRID_LON 141.35
#define GRID_LAT 43.06
static size_t grid(double *x, double *y, size_t *off)
{
    size_t k = 0, line = 0;
    off[0] = 0;
    for (int dir = 0; dir < 2; dir++)
        for (int a = 0; a < 3; a++, line++) {
            for (int b = 0; b < 3; b++, k++) {
                x[k] = GRID_LON + 0.001 * (dir ? a : b);
                y[k] = GRID_LAT + 0.001 * (dir ? b : a);
            }
            off[line + 1] = k;
        }
    return line;
}

/* Writes stem.shp/.shx (polylines, one part each) and, with oneway != NULL,
 * a .dbf with fields fclass, oneway and maxspeed. */
static const char *write_lines(char *path, size_t size, const char *stem, size_t n,
                               const size_t *off, const double *x, const double *y,
                               const char *const *oneway, const double *maxspeed)
{
    cov_test_tmp(path, size, stem);
    SHPHandle shp = SHPCreate(path, SHPT_ARC);
    DBFHandle dbf = oneway ? DBFCreate(path) : NULL;
    if (dbf) {
        DBFAddField(dbf, "fclass", FTString, 20, 0);
        DBFAddField(dbf, "oneway", FTString, 12, 0);
        DBFAddField(dbf, "maxspeed", FTDouble, 12, 1);
    }
    for (size_t i = 0; i < n; i++) {
        int nv = (int)(off[i + 1] - off[i]);
        SHPObject *o = SHPCreateSimpleObject(SHPT_ARC, nv, x + off[i], y + off[i], NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        if (dbf) {
            DBFWriteStringAttribute(dbf, (int)i, 0, "residential");
            DBFWriteStringAttribute(dbf, (int)i, 1, oneway[i]);
            if (maxspeed && isnan(maxspeed[i])) DBFWriteNULLAttribute(dbf, (int)i, 2);
            else DBFWriteDoubleAttribute(dbf, (int)i, 2, maxspeed ? maxspeed[i] : 0);
        }
    }
    SHPClose(shp);
    if (dbf) DBFClose(dbf);
    strcat(path, ".shp");
    return path;
}

static cov_network *grid_network(cov_ctx *ctx)
{
    double x[18], y[18];
    size_t off[7], n = grid(x, y, off);
    return cov_network_from_arrays(ctx, n, off, x, y, NULL, NULL, NULL, NULL);
}

/* ---- empty layers, lines without two distinct points ------------------- */
static void test_empty(cov_ctx *ctx)
{
    size_t off0 = 0;
    CHECK(cov_network_from_arrays(ctx, 0, &off0, NULL, NULL, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);
    CHECK_CONTAINS(cov_last_message(ctx), "road arrays: no line");
    CHECK(cov_network_from_wkb(ctx, 0, NULL, NULL, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);

    /* a shapefile without records */
    char p[1024];
    write_lines(p, sizeof p, "roads_empty", 0, &off0, NULL, NULL, NULL, NULL);
    CHECK(cov_network_read_shp(ctx, p, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);
    CHECK_CONTAINS(cov_last_message(ctx), "roads_empty.shp: no line with points");

    /* single-point lines, and a line whose points are all one place */
    double x[5] = {141.35, 141.36, 141.37, 141.37, 141.37};
    double y[5] = {43.06, 43.06, 43.06, 43.06, 43.06};
    size_t off[4] = {0, 1, 2, 5};
    CHECK(cov_network_from_arrays(ctx, 3, off, x, y, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);
    CHECK_CONTAINS(cov_last_message(ctx), "no road edge (no line with two distinct points)");
    write_lines(p, sizeof p, "roads_points", 3, off, x, y, NULL, NULL);
    CHECK(cov_network_read_shp(ctx, p, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "roads_points.shp: no road edge");

    /* a zero-length line (two points at one place) beside a real line that
     * starts there: no edge of its own; the real line is one edge of its
     * geodesic length (0.01 degrees of longitude at 43.06 N: 814.62 m on
     * GRS80, from pyproj.Geod) */
    double x3[4] = {141.35, 141.35, 141.35, 141.36}, y3[4] = {43.06, 43.06, 43.06, 43.06};
    size_t off3[3] = {0, 2, 4};
    cov_network *n = cov_network_from_arrays(ctx, 2, off3, x3, y3, NULL, NULL, NULL, NULL);
    CHECK(n != NULL);
    if (n) {
        CHECK(cov_network_edge_count(n) == 1);
        CHECK(cov_network_node_count(n) == 2);
        CHECK_NEAR(cov_network_edge_length_m(n)[0], 814.62, 0.05);
    }
    cov_network_destroy(n);
}

/* ---- NaN and infinite vertices ---------------------------------------- */
static void test_non_finite(cov_ctx *ctx)
{
    double x[18], y[18];
    size_t off[7], n = grid(x, y, off);
    x[4] = NAN;
    CHECK(cov_network_from_arrays(ctx, n, off, x, y, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "road arrays line 1 point 1: coordinate is not a "
                                          "finite number");
    x[4] = GRID_LON + 0.001;
    y[16] = INFINITY;
    char p[1024];
    write_lines(p, sizeof p, "roads_inf", n, off, x, y, NULL, NULL);
    CHECK(cov_network_read_shp(ctx, p, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "roads_inf.shp record 5 part 0 point 1: coordinate "
                                          "is not a finite number");
}

/* ---- metres without a CRS, swapped axes, degrees with a projected CRS -- */
static void test_units(cov_ctx *ctx)
{
    double x[2] = {528000.0, 529000.0}, y[2] = {4768000.0, 4768000.0};
    size_t off[2] = {0, 2};
    CHECK(cov_network_from_arrays(ctx, 1, off, x, y, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "road arrays line 0 point 0: (528000, 4.768e+06) "
                                          "is not a lon/lat position (metres? give the CRS");
    double lat[2] = {43.06, 43.07}, lon[2] = {141.35, 141.35};
    CHECK(cov_network_from_arrays(ctx, 1, off, lat, lon, NULL, NULL, NULL, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "(they look swapped: give longitude first");

    /* degrees given as JGD2011 / Japan Plane Rectangular CS XII metres: a
     * warning, the network is still built (a real layer could sit at the
     * origin; it would be 150 m across) */
    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);
    cov_network_options opt;
    cov_network_options_init(&opt);
    opt.crs = "EPSG:6680";
    cov_network *n = cov_network_from_arrays(ctx, 1, off, lon, lat, NULL, NULL, NULL, &opt);
    CHECK(n != NULL);
    CHECK(m.n_warning == 1);
    CHECK_CONTAINS(m.warning, "road arrays: every coordinate lies within 180 m of the origin "
                              "of the projected CRS");
    CHECK_CONTAINS(m.warning, "they look like lon/lat degrees");
    cov_network_destroy(n);
    /* real plane-rectangular metres (Sapporo in zone XII): no warning */
    double px[2] = {-75000.0, -74000.0}, py[2] = {-103000.0, -103000.0};
    m.n_warning = 0;
    n = cov_network_from_arrays(ctx, 1, off, px, py, NULL, NULL, NULL, &opt);
    CHECK(n != NULL);
    CHECK(m.n_warning == 0);
    if (n) CHECK_NEAR(cov_network_edge_length_m(n)[0], 1000.0, 2.0);
    cov_network_destroy(n);
    /* lon/lat in WGS 84 is geographic: no warning either */
    opt.crs = "EPSG:4326";
    n = cov_network_from_arrays(ctx, 1, off, lon, lat, NULL, NULL, NULL, &opt);
    CHECK(n != NULL && m.n_warning == 0);
    cov_network_destroy(n);
    cov_ctx_set_message_handler(ctx, NULL, NULL);
}

/* ---- one-way rules, maxspeed ------------------------------------------ */
static void test_attributes(cov_ctx *ctx)
{
    double x[18], y[18];
    size_t off[7], n = grid(x, y, off);
    const char *ow[6] = {"F", "T", "B", "", "yes", "sideways"};
    char p[1024];
    write_lines(p, sizeof p, "roads_oneway", n, off, x, y, ow, NULL);
    CHECK(cov_network_read_shp(ctx, p, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "roads_oneway.shp record 5 field oneway: one-way "
                                          "rule \"sideways\" is not F, T, B, yes, no, 1, 0 or -1");

    /* arrays: the sign of the one-way value decides (5 forward, -7 backward) */
    int8_t w[6] = {5, -7, 0, 0, 0, 0};
    cov_network *net = cov_network_from_arrays(ctx, n, off, x, y, NULL, w, NULL, NULL);
    CHECK(net != NULL);
    if (net) {
        size_t ne = cov_network_edge_count(net);
        double fw[32], bw[32];
        cov_travel tr;
    double threshold = 16000.0;
        cov_travel_init(&tr);
        CHECK(ne <= 32 && cov_network_edge_costs(ctx, net, &tr, fw, bw) == COV_OK);
        /* row 0 runs west to east: open forward only; row 1 backward only */
        const uint32_t *from = cov_network_edge_from(net);
        const double *lat = cov_network_node_lat(net), *lon = cov_network_node_lon(net);
        int n_fwd = 0, n_bwd = 0;
        for (size_t e = 0; e < ne; e++) {
            uint32_t a = from[e], b = cov_network_edge_to(net)[e];
            if (fabs(lat[a] - GRID_LAT) < 1e-9 && fabs(lat[b] - GRID_LAT) < 1e-9 &&
                lon[b] > lon[a])
                n_fwd += isfinite(fw[e]) && isinf(bw[e]);
            if (fabs(lat[a] - GRID_LAT - 0.001) < 1e-9 && fabs(lat[b] - GRID_LAT - 0.001) < 1e-9)
                n_bwd += isinf(fw[e]) && isfinite(bw[e]);
        }
        CHECK(n_fwd == 2 && n_bwd == 2);
    }
    cov_network_destroy(net);

    /* maxspeed: negative and NaN are unknown, above 300 km/h unknown with a
     * warning; the class speed (default 30 km/h here) applies */
    double ms[6] = {-40, NAN, 1e6, 60, 0, 300};
    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);
    net = cov_network_from_arrays(ctx, n, off, x, y, NULL, NULL, ms, NULL);
    CHECK(net != NULL);
    CHECK(m.n_warning == 1);
    CHECK_CONTAINS(m.warning, "road arrays: 1 lines have a maxspeed above 300 km/h (first: "
                              "road arrays line 2, 1e+06), read as unknown");
    if (net) {
        size_t ne = cov_network_edge_count(net);
        double fw[32], bw[32];
        cov_travel tr;
    double threshold = 16000.0;
        cov_travel_init(&tr);
        tr.metric = COV_TRAVEL_TIME;
        CHECK(cov_network_edge_costs(ctx, net, &tr, fw, bw) == COV_OK);
        const double *len = cov_network_edge_length_m(net);
        /* every edge at 30, 60 or 300 km/h: nothing faster, nothing free */
        for (size_t e = 0; e < ne; e++) {
            double v = len[e] * 3.6 / fw[e];
            CHECK(fabs(v - 30) < 1e-6 || fabs(v - 60) < 1e-6 || fabs(v - 300) < 1e-6);
        }
    }
    cov_network_destroy(net);
    /* the same through a .dbf names file, record and part */
    const char *ow2[6] = {"B", "B", "B", "B", "B", "B"};
    m.n_warning = 0;
    write_lines(p, sizeof p, "roads_speed", n, off, x, y, ow2, ms);
    net = cov_network_read_shp(ctx, p, NULL);
    CHECK(net != NULL);
    CHECK_CONTAINS(m.warning, "roads_speed.shp record 2 part 0, 1e+06)");
    cov_network_destroy(net);
    cov_ctx_set_message_handler(ctx, NULL, NULL);
}

/* ---- snap caps and cutoffs -------------------------------------------- */
static void alarm_fired(int sig)
{
    (void)sig;
    fprintf(stderr, "FAIL: timed out (a snap ran unbounded)\n");
    _exit(1);
}

static void test_snap_and_cutoff(cov_ctx *ctx)
{
    cov_network *net = grid_network(ctx);
    CHECK(net != NULL);
    if (!net) return;
    /* on the centre node; 50 m north of the grid's top edge; far at sea */
    double lon[3] = {GRID_LON + 0.001, GRID_LON + 0.001, 160.0};
    double lat[3] = {GRID_LAT + 0.001, GRID_LAT + 0.002 + 50.0 / 111100.0, 20.0};

    /* cap 0: only a point on a road snaps */
    cov_table *t = cov_network_snap(ctx, net, 3, lon, lat, 0.0);
    CHECK(t != NULL);
    if (t) {
        const int64_t *ok = cov_table_ints(t, 4);
        CHECK(ok[0] == 1 && ok[1] == 0 && ok[2] == 0);
        CHECK_NEAR(cov_table_doubles(t, 3)[0], 0.0, 1e-6);
    }
    cov_table_destroy(t);

    /* found by fuzz_network: a cap of 10,000 km and a point 4,000 km away
     * walked rings of empty grid cells for minutes; now immediate, and
     * the far point snaps (to some edge, at its true distance) */
    signal(SIGALRM, alarm_fired);
    alarm(20);
    t = cov_network_snap(ctx, net, 3, lon, lat, 1e7);
    alarm(0);
    CHECK(t != NULL);
    if (t) {
        const int64_t *ok = cov_table_ints(t, 4);
        const double *d = cov_table_doubles(t, 3);
        CHECK(ok[0] == 1 && ok[1] == 1 && ok[2] == 1);
        CHECK_NEAR(d[1], 50.0, 1.0);
        CHECK(d[2] > 3.0e6 && d[2] < 1e7);
    }
    cov_table_destroy(t);

    /* caps that are no distance */
    double bad[3] = {-1.0, NAN, INFINITY};
    for (int k = 0; k < 3; k++) {
        CHECK(cov_network_snap(ctx, net, 3, lon, lat, bad[k]) == NULL);
        CHECK(cov_last_error(ctx) == COV_ERR_ARG);
        CHECK_CONTAINS(cov_last_message(ctx), "snap_max_m must be >= 0");
    }

    /* threshold 0: the source's own node at cost 0 and nothing else */
    cov_travel tr;
    double threshold = 16000.0;
    cov_travel_init(&tr);
    threshold = 0;
    size_t nn = cov_network_node_count(net);
    double cost[16];
    int64_t src[16];
    CHECK(nn <= 16 && cov_network_node_costs(ctx, net, 1, lon, lat, &tr, threshold, cost, src) == COV_OK);
    int n_reached = 0;
    for (size_t v = 0; v < nn; v++)
        if (isfinite(cost[v])) {
            n_reached++;
            CHECK(cost[v] == 0 && src[v] == 0);
        } else {
            CHECK(src[v] == -1);
        }
    CHECK(n_reached == 1);
    /* an infinite threshold reaches the whole (connected) grid */
    threshold = INFINITY;
    CHECK(cov_network_node_costs(ctx, net, 1, lon, lat, &tr, threshold, cost, src) == COV_OK);
    for (size_t v = 0; v < nn; v++) CHECK(isfinite(cost[v]) && src[v] == 0);
    /* negative and NaN thresholds are refused */
    double badc[2] = {-1.0, NAN};
    for (int k = 0; k < 2; k++) {
        threshold = badc[k];
        CHECK(cov_network_node_costs(ctx, net, 1, lon, lat, &tr, threshold, cost, src) == COV_ERR_ARG);
        CHECK_CONTAINS(cov_last_message(ctx), "search threshold must be >= 0");
        int64_t node = 0;
        CHECK(cov_network_node_search(ctx, net, 1, &node, &tr, threshold, 1) == NULL);
        CHECK_CONTAINS(cov_last_message(ctx), "search threshold must be >= 0");
    }
    cov_network_destroy(net);
}

/* ---- found by fuzz_network: min_component_nodes dropping every edge was
 * reported as "no line with two distinct points" ----------------------- */
static void test_all_components_dropped(cov_ctx *ctx)
{
    double x[4] = {141.35, 141.36, 142.0, 142.01}, y[4] = {43.06, 43.06, 44.0, 44.0};
    size_t off[3] = {0, 2, 4};
    cov_network_options opt;
    cov_network_options_init(&opt);
    opt.min_component_nodes = 3;
    CHECK(cov_network_from_arrays(ctx, 2, off, x, y, NULL, NULL, NULL, &opt) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);
    CHECK_CONTAINS(cov_last_message(ctx), "road arrays: no road edge left: all 2 edges lie in "
                                          "components of fewer than 3 nodes");
}

/* ---- found by fuzz_network: a WKB of another type than lines leaked the
 * type name GEOS allocated for the message (LeakSanitizer) ------------- */
static void test_wrong_wkb_type(cov_ctx *ctx)
{
    /* POINT (141.35 43.06), little-endian */
    unsigned char point[21] = {1, 1, 0, 0, 0};
    double xy[2] = {141.35, 43.06};
    memcpy(point + 5, xy, sizeof xy);
    const unsigned char *wkb[1] = {point};
    size_t size[1] = {sizeof point};
    CHECK(cov_network_from_wkb(ctx, 1, wkb, size, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_GEOMETRY);
    CHECK_CONTAINS(cov_last_message(ctx), "road WKB 0: Point, expected a LineString or "
                                          "MultiLineString");
}


/* ---- node tolerance: the accepted range, and its bounds ---------------- */
/* A line whose free end lies `gap_m` (about, east) of the middle vertex of
 * another line, at (lon, lat): one component when joined, two otherwise. */
static cov_network *near_miss_sized(cov_ctx *ctx, double lon, double lat, double gap_m,
                                   double tol, double len_deg)
{
    double deg_per_m = 1.0 / (111320.0 * cos(lat * 3.14159265358979323846 / 180.0));
    double bx = lon + len_deg + gap_m * deg_per_m;
    double x[5] = {lon, lon + len_deg, bx, bx, bx};
    double y[5] = {lat, lat, lat - len_deg, lat, lat + len_deg};
    size_t off[3] = {0, 2, 5};
    cov_network_options o;
    cov_network_options_init(&o);
    o.node_tolerance_m = tol;
    return cov_network_from_arrays(ctx, 2, off, x, y, NULL, NULL, NULL, &o);
}

static cov_network *near_miss(cov_ctx *ctx, double lon, double lat, double gap_m, double tol)
{
    return near_miss_sized(ctx, lon, lat, gap_m, tol, 0.001);
}

static void test_node_tolerance(cov_ctx *ctx)
{
    /* outside the range, and the old overflow (1e-9 m) */
    const double bad[] = {-1.0, 9.99e-4, 1e-9, 1e-300, 10000.5, INFINITY, NAN};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(near_miss(ctx, GRID_LON, GRID_LAT, 0.0005, bad[i]) == NULL);
        CHECK(cov_last_error(ctx) == COV_ERR_ARG);
        CHECK_CONTAINS(cov_last_message(ctx), "road arrays: node_tolerance_m ");
        CHECK_CONTAINS(cov_last_message(ctx), " is not usable: it must be 0 (join identical "
                                              "vertices only) or between 0.001 and 10000 m");
    }
    /* at the bounds, near Sapporo and at the corners of the lon/lat range
     * (the projected coordinates are then millions of metres from the
     * projection's origin: |x / tol| ~ 1e10, the old signed product's
     * overflow region for smaller tolerances) */
    const double where[][2] = {{GRID_LON, GRID_LAT}, {179.99, 84.0}, {-179.99, -84.0},
                               {0.0, 0.0}};
    for (size_t k = 0; k < sizeof where / sizeof *where; k++) {
        double lon = where[k][0], lat = where[k][1];
        cov_network *n = near_miss(ctx, lon, lat, 0.0005, 1e-3); /* 0.5 mm gap: joined */
        CHECK(n && cov_network_component_count(n) == 1 && cov_network_edge_count(n) == 3);
        cov_network_destroy(n);
        n = near_miss(ctx, lon, lat, 0.002, 1e-3); /* 2 mm gap: not joined */
        CHECK(n && cov_network_component_count(n) == 2 && cov_network_edge_count(n) == 2);
        cov_network_destroy(n);
        n = near_miss(ctx, lon, lat, 0.0005, 0.0); /* 0: identical vertices only */
        CHECK(n && cov_network_component_count(n) == 2);
        cov_network_destroy(n);
        /* lines of 50 km or more, 50 m gap, 10 km tolerance: joined */
        double len = 0.5 / cos(lat * 3.14159265358979323846 / 180.0);
        n = near_miss_sized(ctx, lon > 170 ? lon - 2 * len : lon, lat, 50.0, 1e4, len);
        CHECK(n && cov_network_component_count(n) == 1 && cov_network_edge_count(n) == 3);
        cov_network_destroy(n);
    }
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    test_empty(ctx);
    test_non_finite(ctx);
    test_units(ctx);
    test_attributes(ctx);
    test_snap_and_cutoff(ctx);
    test_all_components_dropped(ctx);
    test_wrong_wkb_type(ctx);
    test_node_tolerance(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
