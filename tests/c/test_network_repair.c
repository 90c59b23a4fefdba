/* Topology repair (net/repair.c) through cov_network_from_lines(): free
 * ends joined to the nearest point of another line (split there) or to its
 * vertex, never across levels, and the report tables; checked against
 * positions and lengths computed independently with PROJ's geodesic. */
#include <geodesic.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "libcoverage/coverage.h"
#include "testutil.h"

static struct geod_geodesic G;
static const double LON0 = 141.35, LAT0 = 43.06; /* Sapporo */

static double geod(const double *a, const double *b)
{
    double d;
    geod_inverse(&G, a[1], a[0], b[1], b[0], &d, NULL, NULL);
    return d;
}

/* The point east_m east and north_m north of the origin (east first, then
 * north, along geodesics). */
static void at(double east_m, double north_m, double *out)
{
    double lat, lon;
    geod_direct(&G, LAT0, LON0, 90, east_m, &lat, &lon, NULL);
    geod_direct(&G, lat, lon, 0, north_m, &out[1], &out[0], NULL);
}

typedef struct layout {
    size_t n;
    size_t off[8];
    double x[32], y[32];
    uint8_t level[8];
} layout;

static void add_line(layout *L, size_t n_pts, const double (*pts)[2], uint8_t level)
{
    size_t k = L->off[L->n];
    for (size_t i = 0; i < n_pts; i++) {
        double p[2];
        at(pts[i][0], pts[i][1], p);
        L->x[k + i] = p[0];
        L->y[k + i] = p[1];
    }
    L->level[L->n] = level;
    L->off[++L->n] = k + n_pts;
}

static cov_network *build(cov_ctx *ctx, const layout *L, double tol)
{
    cov_road_lines rl;
    cov_road_lines_init(&rl);
    rl.n_lines = L->n;
    rl.offsets = L->off;
    rl.x = L->x;
    rl.y = L->y;
    rl.level = L->level;
    cov_network_options o;
    cov_network_options_init(&o);
    o.node_tolerance_m = tol;
    return cov_network_from_lines(ctx, &rl, &o);
}

static double report(cov_ctx *ctx, const cov_network *n, const char *col)
{
    cov_table *t = cov_network_repair_report(ctx, n);
    double v = NAN;
    long c = t ? cov_table_column_index(t, col) : -1;
    if (c >= 0)
        v = cov_table_column_type(t, (size_t)c) == COV_COL_INT
                ? (double)cov_table_ints(t, (size_t)c)[0]
                : cov_table_doubles(t, (size_t)c)[0];
    cov_table_destroy(t);
    return v;
}

/* A stem stopping 3 m short of a through road with no vertex there: the
 * through road is split at the foot of the perpendicular. */
static void test_t_junction_split(cov_ctx *ctx)
{
    layout L = {0};
    add_line(&L, 2, (const double[][2]){{0, 0}, {1000, 0}}, COV_ROAD_GROUND);
    add_line(&L, 2, (const double[][2]){{500, 3}, {500, 500}}, COV_ROAD_GROUND);
    cov_network *n = build(ctx, &L, 5.0);
    CHECK(n != NULL);
    if (!n) return;
    CHECK(cov_network_node_count(n) == 4);
    CHECK(cov_network_edge_count(n) == 3);
    CHECK(cov_network_component_count(n) == 1);
    double P[2], Q[2], F[2], S[2], T[2];
    at(0, 0, P); at(1000, 0, Q); at(500, 0, F); at(500, 3, S); at(500, 500, T);
    /* the edges: P-F, F-Q and the stem from F (its end moved there) */
    double expect[3] = {geod(P, F), geod(F, Q), geod(F, T)}, got[3] = {0};
    for (size_t e = 0; e < 3; e++) got[e] = cov_network_edge_length_m(n)[e];
    for (size_t e = 0; e < 3; e++) {
        int found = 0;
        for (size_t k = 0; k < 3; k++) found |= fabs(got[k] - expect[e]) < 0.02;
        CHECK(found);
    }
    cov_table *j = cov_network_joins(ctx, n);
    CHECK(j && cov_table_nrows(j) == 1);
    if (j && cov_table_nrows(j) == 1) {
        CHECK(cov_table_ints(j, 0)[0] == 1);  /* line: the stem */
        CHECK(cov_table_ints(j, 1)[0] == 0);  /* its first point */
        CHECK(cov_table_ints(j, 2)[0] == 0);  /* joined the through road */
        CHECK_NEAR(cov_table_doubles(j, 3)[0], geod(S, F), 0.02);
        CHECK(cov_table_ints(j, 4)[0] == 1);  /* split */
        double J[2] = {cov_table_doubles(j, 7)[0], cov_table_doubles(j, 8)[0]};
        CHECK_NEAR(geod(J, F), 0, 0.02);
    }
    cov_table_destroy(j);
    CHECK(report(ctx, n, "n_free_ends") == 4);
    CHECK(report(ctx, n, "n_joins") == 1);
    CHECK(report(ctx, n, "n_splits") == 1);
    CHECK(report(ctx, n, "n_refused_level") == 0);
    CHECK_NEAR(report(ctx, n, "largest_gap_m"), geod(S, F), 0.02);
    CHECK_NEAR(report(ctx, n, "largest_share_length"), 1.0, 1e-12);
    cov_network_destroy(n);
    /* a tolerance below the gap joins nothing: two components */
    n = build(ctx, &L, 2.0);
    CHECK(n && cov_network_component_count(n) == 2 && cov_network_edge_count(n) == 2);
    if (n) {
        CHECK(report(ctx, n, "n_joins") == 0);
        CHECK_NEAR(report(ctx, n, "largest_share_length"), 1000.0 / 1497.0, 0.001);
    }
    cov_network_destroy(n);
}

/* A vertex 1 m beside the foot: the end joins the vertex (no split). */
static void test_vertex_preferred(cov_ctx *ctx)
{
    layout L = {0};
    add_line(&L, 3, (const double[][2]){{0, 0}, {501, 0}, {1000, 0}}, COV_ROAD_GROUND);
    add_line(&L, 2, (const double[][2]){{500, 3}, {500, 500}}, COV_ROAD_GROUND);
    cov_network *n = build(ctx, &L, 5.0);
    CHECK(n && cov_network_node_count(n) == 4 && cov_network_edge_count(n) == 3);
    cov_table *j = n ? cov_network_joins(ctx, n) : NULL;
    CHECK(j && cov_table_nrows(j) == 1);
    if (j && cov_table_nrows(j) == 1) {
        double S[2], V[2];
        at(500, 3, S); at(501, 0, V);
        CHECK(cov_table_ints(j, 4)[0] == 0);
        CHECK_NEAR(cov_table_doubles(j, 3)[0], geod(S, V), 0.02);
    }
    cov_table_destroy(j);
    cov_network_destroy(n);
    /* 2 m beside (more than a quarter of 5 m farther): split instead */
    layout M = {0};
    add_line(&M, 3, (const double[][2]){{0, 0}, {504, 0}, {1000, 0}}, COV_ROAD_GROUND);
    add_line(&M, 2, (const double[][2]){{500, 3}, {500, 500}}, COV_ROAD_GROUND);
    n = build(ctx, &M, 5.0);
    CHECK(n && cov_network_node_count(n) == 4 && report(ctx, n, "n_splits") == 1);
    cov_network_destroy(n);
}

/* Levels: a ground stem ending under a bridge does not join it; a bridge
 * does; the refusal is counted. */
static void test_levels(cov_ctx *ctx)
{
    for (int lv = 0; lv < 3; lv++) {
        layout L = {0};
        add_line(&L, 2, (const double[][2]){{0, 0}, {1000, 0}}, COV_ROAD_BRIDGE);
        add_line(&L, 2, (const double[][2]){{500, 3}, {500, 500}}, (uint8_t)lv);
        cov_network *n = build(ctx, &L, 5.0);
        CHECK(n != NULL);
        if (!n) continue;
        int same = lv == COV_ROAD_BRIDGE;
        CHECK(cov_network_component_count(n) == (same ? 1u : 2u));
        CHECK(report(ctx, n, "n_joins") == same);
        CHECK(report(ctx, n, "n_refused_level") == !same);
        cov_table *j = cov_network_joins(ctx, n);
        if (j && cov_table_nrows(j) == 1)
            CHECK(cov_table_ints(j, 5)[0] == 1 && cov_table_ints(j, 6)[0] == 1);
        cov_table_destroy(j);
        cov_network_destroy(n);
    }
}

/* A line cut at a tile edge: the halves 0.3 m apart join end to end, once
 * (the second end finds the first already joined). An empty line before
 * them keeps the reported indices those of the input. */
static void test_tile_cut(cov_ctx *ctx)
{
    layout L = {0};
    L.off[1] = 0; /* line 0: no point */
    L.n = 1;
    add_line(&L, 2, (const double[][2]){{0, 0}, {100, 0}}, COV_ROAD_GROUND);
    add_line(&L, 2, (const double[][2]){{100.3, 0}, {200, 0}}, COV_ROAD_GROUND);
    cov_network *n = build(ctx, &L, 1.0);
    CHECK(n && cov_network_node_count(n) == 3 && cov_network_edge_count(n) == 2);
    cov_table *j = n ? cov_network_joins(ctx, n) : NULL;
    CHECK(j && cov_table_nrows(j) == 1);
    if (j && cov_table_nrows(j) == 1) {
        CHECK(cov_table_ints(j, 0)[0] == 1 && cov_table_ints(j, 1)[0] == 1);
        CHECK(cov_table_ints(j, 2)[0] == 2 && cov_table_ints(j, 4)[0] == 0);
        CHECK_NEAR(cov_table_doubles(j, 3)[0], 0.3, 0.001);
    }
    double total = 0;
    for (size_t e = 0; n && e < cov_network_edge_count(n); e++)
        total += cov_network_edge_length_m(n)[e];
    double A[2], B[2];
    at(0, 0, A); at(200, 0, B);
    CHECK_NEAR(total, geod(A, B), 0.01);
    cov_table_destroy(j);
    cov_network_destroy(n);
}

/* A chain: X's free start joins the nearer of Z's end (0.85 m) and Y's
 * start (0.9 m), so moves onto Z's end; Y's start, whose nearest point is
 * X's start, would now close 1.7 m: it stays free, and no gap exceeds the
 * tolerance. */
static void test_chain_within_tolerance(cov_ctx *ctx)
{
    layout L = {0};
    add_line(&L, 2, (const double[][2]){{0, 0}, {0, -100}}, 0);
    add_line(&L, 2, (const double[][2]){{0.9, 0}, {100, 0}}, 0);
    add_line(&L, 2, (const double[][2]){{-100, 0.3}, {-0.8, 0.3}}, 0);
    cov_network *n = build(ctx, &L, 1.0);
    CHECK(n != NULL);
    if (!n) return;
    CHECK(report(ctx, n, "n_joins") == 1);
    CHECK_NEAR(report(ctx, n, "largest_gap_m"), hypot(0.8, 0.3), 0.001);
    cov_table *j = cov_network_joins(ctx, n);
    CHECK(j && cov_table_nrows(j) == 1 && cov_table_ints(j, 0)[0] == 0 &&
          cov_table_ints(j, 2)[0] == 2);
    cov_table_destroy(j);
    CHECK(cov_network_component_count(n) == 2);
    cov_network_destroy(n);
}

/* Bad input: named errors, no crash; NULL network: NULL. */
static void test_bad_input(cov_ctx *ctx)
{
    size_t off[2] = {0, 2};
    double x[2] = {LON0, LON0 + 0.01}, y[2] = {LAT0, LAT0};
    uint8_t level[1] = {3};
    int32_t code[1] = {1};
    const char *names[1] = {"primary"};
    cov_road_lines rl;
    cov_road_lines_init(&rl);
    rl.n_lines = 1; rl.offsets = off; rl.x = x; rl.y = y; rl.level = level;
    CHECK(cov_network_from_lines(ctx, &rl, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "line 0: level 3");
    rl.level = NULL;
    rl.class_codes = code; rl.class_names = names; rl.n_class_names = 1;
    CHECK(cov_network_from_lines(ctx, &rl, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "line 0: class code 1");
    code[0] = 0;
    x[1] = NAN;
    CHECK(cov_network_from_lines(ctx, &rl, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "road lines line 0 point 1");
    x[1] = LON0 + 0.01;
    cov_network *n = cov_network_from_lines(ctx, &rl, NULL);
    CHECK(n != NULL);
    cov_table *ct = n ? cov_network_classes(ctx, n) : NULL;
    CHECK(ct && cov_table_nrows(ct) == 2 && strcmp(cov_table_string(ct, 0, 0), "primary") == 0 &&
          cov_table_ints(ct, 1)[0] == 1);
    cov_table_destroy(ct);
    cov_network_destroy(n);
    rl.n_lines = 0; /* empty */
    CHECK(cov_network_from_lines(ctx, &rl, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "road lines: no line");
    rl.n_lines = 1;
    /* a network without joins: an empty joins table, a report of zeros */
    n = cov_network_from_lines(ctx, &rl, NULL);
    cov_table *jt = n ? cov_network_joins(ctx, n) : NULL;
    CHECK(jt && cov_table_nrows(jt) == 0 && cov_table_ncols(jt) == 9);
    cov_table_destroy(jt);
    CHECK(n && report(ctx, n, "n_joins") == 0 && report(ctx, n, "largest_gap_m") == 0 &&
          report(ctx, n, "n_free_ends") == 2);
    cov_network_destroy(n);
    rl.struct_size = 0;
    CHECK(cov_network_from_lines(ctx, &rl, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "struct_size");
    CHECK(cov_network_from_lines(ctx, NULL, NULL) == NULL);
    CHECK(cov_network_joins(ctx, NULL) == NULL);
    CHECK(cov_network_repair_report(ctx, NULL) == NULL);
    cov_road_lines_init(NULL); /* harmless */
}

/* OpenMapTiles classes: costs at the documented speeds, summer and winter
 * (the rule max(v - 10, v / 2)), closed classes infinite both ways. */
static void test_omt_speeds(cov_ctx *ctx)
{
    layout L = {0};
    add_line(&L, 2, (const double[][2]){{0, 0}, {1000, 0}}, 0);
    add_line(&L, 2, (const double[][2]){{1000, 0}, {2000, 0}}, 0);
    add_line(&L, 2, (const double[][2]){{2000, 0}, {3000, 0}}, 0);
    int32_t codes[3] = {0, 1, 2};
    const char *names[3] = {"minor", "raceway", "motorway_link"};
    cov_road_lines rl;
    cov_road_lines_init(&rl);
    rl.n_lines = 3; rl.offsets = L.off; rl.x = L.x; rl.y = L.y;
    rl.class_codes = codes; rl.class_names = names; rl.n_class_names = 3;
    cov_network *n = cov_network_from_lines(ctx, &rl, NULL);
    CHECK(n && cov_network_edge_count(n) == 3);
    if (!n) return;
    double fwd[3], bwd[3];
    cov_travel t;
    cov_travel_init(&t);
    t.metric = COV_TRAVEL_TIME;
    for (int w = 0; w < 2; w++) {
        t.winter = w;
        CHECK(cov_network_edge_costs(ctx, n, &t, fwd, bwd) == COV_OK);
        const double *len = cov_network_edge_length_m(n);
        for (size_t e = 0; e < 3; e++) {
            double A[2], B[2];
            at(1000.0 * (double)e, 0, A); at(1000.0 * (double)(e + 1), 0, B);
            CHECK_NEAR(len[e], geod(A, B), 0.01);
            /* edges follow the lines' order: minor 20 (winter 10), raceway
             * closed, motorway_link 40 (winter 30) */
            double v = e == 0 ? (w ? 10 : 20) : e == 2 ? (w ? 30 : 40) : 0;
            if (v > 0) CHECK_NEAR(fwd[e], len[e] / (v / 3.6), 1e-9);
            else CHECK(isinf(fwd[e]) && isinf(bwd[e]));
        }
    }
    cov_network_destroy(n);
}

/* Shapes that could blow up the segment grid: lines spanning the globe
 * beside metre-long ones, and every point identical, at the largest
 * tolerance. They must build (or fail cleanly) quickly. */
static void test_hostile_shapes(cov_ctx *ctx)
{
    enum { N = 400 };
    static size_t off[N + 1];
    static double x[2 * N], y[2 * N];
    uint64_t r = 88172645463325252ULL;
    for (size_t i = 0; i < N; i++) {
        off[i] = 2 * i;
        for (int k = 0; k < 2; k++) {
            r ^= r << 13; r ^= r >> 7; r ^= r << 17;
            double u = (double)(r >> 11) / 9007199254740992.0;
            if (i % 2) { /* long: across the Earth */
                x[2 * i + k] = -179.0 + 358.0 * u;
                y[2 * i + k] = -80.0 + 160.0 * u;
            } else { /* short: a metre near Sapporo */
                x[2 * i + k] = LON0 + 1e-5 * (double)k + 0.3 * u;
                y[2 * i + k] = LAT0 + 0.2 * u;
            }
        }
    }
    off[N] = 2 * N;
    cov_network_options o;
    cov_network_options_init(&o);
    o.node_tolerance_m = 1e4;
    cov_network *n = cov_network_from_arrays(ctx, N, off, x, y, NULL, NULL, NULL, &o);
    /* projected far from its centre a line may not transform: a clean
     * error is as good as a network */
    CHECK(n != NULL || cov_last_message(ctx)[0] != '\0');
    if (n) {
        cov_table *t = cov_network_repair_report(ctx, n);
        CHECK(t && cov_table_ints(t, 2)[0] <= 2 * N);
        cov_table_destroy(t);
    }
    cov_network_destroy(n);
    for (size_t i = 0; i < 2 * N; i++) { x[i] = LON0; y[i] = LAT0; }
    n = cov_network_from_arrays(ctx, N, off, x, y, NULL, NULL, NULL, &o);
    CHECK(n == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "no road edge");
}

int main(void)
{
    geod_init(&G, 6378137.0, 1 / 298.257222101);
    cov_ctx *ctx = cov_ctx_create();
    test_t_junction_split(ctx);
    test_vertex_preferred(ctx);
    test_levels(ctx);
    test_tile_cut(ctx);
    test_bad_input(ctx);
    test_omt_speeds(ctx);
    test_hostile_shapes(ctx);
    test_chain_within_tolerance(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
