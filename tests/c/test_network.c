/* Road network: noding against hand-made layouts, search against an
 * independent Bellman-Ford, reach sets against brute force, isochrones
 * against the reached segments computed by hand, real layers against the
 * figures their SOURCE.md publishes. */
#include <geodesic.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "libcoverage/coverage.h"
#include "io/table_internal.h"
#include "net/net_internal.h"
#include "testutil.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static struct geod_geodesic G;

static double geod(double lon1, double lat1, double lon2, double lat2)
{
    double d;
    geod_inverse(&G, lat1, lon1, lat2, lon2, &d, NULL, NULL);
    return d;
}

/* Independent shortest paths: Bellman-Ford over the edge list with the
 * given directed costs, from the nodes with initial cost in dist. */
static void bellman_ford(size_t n_nodes, size_t n_edges, const uint32_t *from, const uint32_t *to,
                         const double *fwd, const double *bwd, double *dist)
{
    for (size_t it = 0; it < n_nodes; it++) {
        int changed = 0;
        for (size_t e = 0; e < n_edges; e++) {
            if (dist[from[e]] + fwd[e] < dist[to[e]]) { dist[to[e]] = dist[from[e]] + fwd[e]; changed = 1; }
            if (dist[to[e]] + bwd[e] < dist[from[e]]) { dist[from[e]] = dist[to[e]] + bwd[e]; changed = 1; }
        }
        if (!changed) break;
    }
}

static int rel_close(double a, double b)
{
    if (isinf(a) || isinf(b)) return a == b;
    return fabs(a - b) <= 1e-6 * fmax(1.0, fabs(b));
}

/* ---- noding ---------------------------------------------------------------- */

static void test_noding(cov_ctx *ctx)
{
    /* A: west-east through P1; B: south-north through P1 (an interior
     * vertex of both); C ends 0.5 m east of A's east end. */
    double lon0 = 141.35, lat0 = 43.06, dlon = 0.01, dlat = 0.01;
    double dx05 = 0.5 / (111320.0 * cos(lat0 * M_PI / 180)); /* about 0.5 m in lon */
    double x[] = {lon0 - dlon, lon0, lon0 + dlon,  lon0, lon0, lon0,
                  lon0 + dlon + dx05, lon0 + 2 * dlon};
    double y[] = {lat0, lat0, lat0,  lat0 - dlat, lat0, lat0 + dlat,  lat0, lat0};
    size_t off[] = {0, 3, 6, 8};
    cov_network_options o;
    cov_network_options_init(&o);
    cov_network *n = cov_network_from_arrays(ctx, 3, off, x, y, NULL, NULL, NULL, &o);
    CHECK(n != NULL);
    if (!n) return;
    /* nodes: A's ends, B's ends, P1, C's far end (C's near end joined) */
    CHECK(cov_network_node_count(n) == 6);
    CHECK(cov_network_edge_count(n) == 5);
    CHECK(cov_network_component_count(n) == 1);
    double total = 0, expect = 2 * geod(lon0 - dlon, lat0, lon0, lat0) * 0 +
                               geod(lon0 - dlon, lat0, lon0, lat0) + geod(lon0, lat0, lon0 + dlon, lat0) +
                               geod(lon0, lat0 - dlat, lon0, lat0) + geod(lon0, lat0, lon0, lat0 + dlat) +
                               geod(lon0 + dlon, lat0, lon0 + 2 * dlon, lat0);
    for (size_t e = 0; e < cov_network_edge_count(n); e++) total += cov_network_edge_length_m(n)[e];
    /* C was moved onto A's end: its length grows by the 0.5 m gap */
    CHECK_NEAR(total, expect, 1e-6);
    cov_network_destroy(n);
    /* without tolerance C stays apart: two components */
    o.node_tolerance_m = 0;
    n = cov_network_from_arrays(ctx, 3, off, x, y, NULL, NULL, NULL, &o);
    CHECK(n && cov_network_component_count(n) == 2 && cov_network_node_count(n) == 7);
    if (n) CHECK(n->comp_nodes[0] == 5 && n->comp_nodes[1] == 2);
    cov_table *ct = n ? cov_network_components(ctx, n) : NULL;
    CHECK(ct && cov_table_nrows(ct) == 2);
    if (ct) {
        CHECK(cov_table_ints(ct, 1)[0] == 5 && cov_table_ints(ct, 2)[0] == 4);
        CHECK(cov_table_ints(ct, 1)[1] == 2 && cov_table_ints(ct, 2)[1] == 1);
        CHECK_NEAR(cov_table_doubles(ct, 3)[1] * 1000, geod(lon0 + dlon + dx05, lat0, lon0 + 2 * dlon, lat0), 1e-6);
    }
    cov_table_destroy(ct);
    cov_network_destroy(n);
    /* and dropping fragments removes C */
    o.min_component_nodes = 3;
    n = cov_network_from_arrays(ctx, 3, off, x, y, NULL, NULL, NULL, &o);
    CHECK(n && cov_network_component_count(n) == 1 && cov_network_edge_count(n) == 4);
    cov_network_destroy(n);
    /* bad input */
    double bad_x[] = {lon0, NAN};
    size_t off1[] = {0, 2};
    CHECK(cov_network_from_arrays(ctx, 1, off1, bad_x, y, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "line 0 point 1");
    double far_x[] = {500000, 500100};
    CHECK(cov_network_from_arrays(ctx, 1, off1, far_x, y, NULL, NULL, NULL, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "metres?");
    size_t off0[] = {0};
    CHECK(cov_network_from_arrays(ctx, 0, off0, NULL, NULL, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);
}

/* ---- random graphs ---------------------------------------------------------- */

typedef struct rgraph {
    size_t n_pts, n_lines;
    double *px, *py;
    size_t *off;
    double *x, *y;
    int8_t *oneway;
    const char **cls;
} rgraph;

static const char *classes[] = {"primary", "residential", "service", "footway", "motorway"};

/* n_pts random junctions in a 5 km square near Sapporo, lines between
 * random pairs with a random bend point. */
static void make_random(rgraph *g, unsigned seed, size_t n_pts, size_t n_lines)
{
    srand(seed);
    g->n_pts = n_pts;
    g->n_lines = n_lines;
    g->px = malloc(n_pts * sizeof(double));
    g->py = malloc(n_pts * sizeof(double));
    for (size_t i = 0; i < n_pts; i++) {
        g->px[i] = 141.30 + 0.06 * rand() / (double)RAND_MAX;
        g->py[i] = 43.02 + 0.045 * rand() / (double)RAND_MAX;
    }
    g->off = malloc((n_lines + 1) * sizeof(size_t));
    g->x = malloc(3 * n_lines * sizeof(double));
    g->y = malloc(3 * n_lines * sizeof(double));
    g->oneway = malloc(n_lines);
    g->cls = malloc(n_lines * sizeof(char *));
    g->off[0] = 0;
    for (size_t l = 0; l < n_lines; l++) {
        size_t a = (size_t)rand() % n_pts, b = (size_t)rand() % n_pts;
        if (b == a) b = (a + 1) % n_pts;
        double mx = (g->px[a] + g->px[b]) / 2 + 0.002 * (rand() / (double)RAND_MAX - 0.5);
        double my = (g->py[a] + g->py[b]) / 2 + 0.002 * (rand() / (double)RAND_MAX - 0.5);
        size_t k = 3 * l;
        g->x[k] = g->px[a]; g->y[k] = g->py[a];
        g->x[k + 1] = mx; g->y[k + 1] = my;
        g->x[k + 2] = g->px[b]; g->y[k + 2] = g->py[b];
        g->off[l + 1] = k + 3;
        int r = rand() % 10;
        g->oneway[l] = r == 0 ? 1 : r == 1 ? -1 : 0;
        g->cls[l] = classes[rand() % 5];
    }
}

static void free_random(rgraph *g)
{
    free(g->px); free(g->py); free(g->off); free(g->x); free(g->y); free(g->oneway); free(g->cls);
}

/* The network of a random graph g (made here), noded without tolerance,
 * with or without its classes; NULL (g freed) when building fails. */
static cov_network *random_network(cov_ctx *ctx, rgraph *g, unsigned seed, int a, int b,
                                   int classes)
{
    make_random(g, seed, a, b);
    cov_network_options o;
    cov_network_options_init(&o);
    o.node_tolerance_m = 0;
    cov_network *n = cov_network_from_arrays(ctx, g->n_lines, g->off, g->x, g->y,
                                             classes ? g->cls : NULL,
                                             g->oneway, NULL, &o);
    CHECK(n != NULL);
    if (!n) free_random(g);
    return n;
}

static void test_random(cov_ctx *ctx, unsigned seed, int metric, int winter)
{
    rgraph g;
    cov_network *n = random_network(ctx, &g, seed, 60, 120, 1);
    if (!n) return;
    size_t nn = cov_network_node_count(n), ne = cov_network_edge_count(n);
    cov_travel t;
    double t_threshold = 16000.0;
    cov_travel_init(&t);
    t.metric = metric;
    t.winter = winter;
    t_threshold = metric == COV_TRAVEL_TIME ? 600 : 6000;
    double *fwd = malloc(ne * sizeof *fwd), *bwd = malloc(ne * sizeof *bwd);
    CHECK(cov_network_edge_costs(ctx, n, &t, fwd, bwd) == COV_OK);
    /* edge costs against the class speeds and geodesic lengths */
    int costs_ok = 1;
    for (size_t e = 0; e < ne; e++) {
        const char *c = n->class_names[n->edge_class[e]];
        double v = !strcmp(c, "primary") ? 40 : !strcmp(c, "residential") ? 20
                 : !strcmp(c, "service") ? 15 : !strcmp(c, "motorway") ? 80 : 0;
        /* winter: 10 km/h less (CERI 1996), at least half the speed */
        if (winter) v = fmax(v - 10, v / 2);
        double expect = v == 0 ? INFINITY : metric == COV_TRAVEL_TIME ? n->edge_len_m[e] / (v / 3.6)
                                                                     : n->edge_len_m[e];
        double f = n->edge_dir[e] == NET_BACKWARD ? INFINITY : expect;
        if (!rel_close(fwd[e], f)) costs_ok = 0;
    }
    CHECK(costs_ok);
    /* three sources placed on junctions (snap distance 0) */
    double slon[3], slat[3];
    for (int i = 0; i < 3; i++) { slon[i] = g.px[i * 7]; slat[i] = g.py[i * 7]; }
    double *cost = malloc(nn * sizeof *cost), *bf = malloc(nn * sizeof *bf);
    int64_t *src = malloc(nn * sizeof *src);
    CHECK(cov_network_node_costs(ctx, n, 3, slon, slat, &t, t_threshold, cost, src) == COV_OK);
    for (size_t u = 0; u < nn; u++) bf[u] = INFINITY;
    for (int i = 0; i < 3; i++)
        for (size_t u = 0; u < nn; u++)
            if (n->node_lon[u] == slon[i] && n->node_lat[u] == slat[i]) bf[u] = 0;
    bellman_ford(nn, ne, n->edge_from, n->edge_to, fwd, bwd, bf);
    int same = 1, reached = 0;
    for (size_t u = 0; u < nn; u++) {
        double want = bf[u] <= t_threshold ? bf[u] : INFINITY;
        if (!rel_close(cost[u], want)) {
            same = 0;
            fprintf(stderr, "node %zu: %g vs %g\n", u, cost[u], want);
        }
        reached += isfinite(want);
    }
    CHECK(same);
    CHECK(reached > 3); /* the test means something */
    /* the source label is the one whose own run gives that cost */
    double *one = malloc(nn * sizeof *one);
    int labels_ok = 1;
    for (int i = 0; i < 3; i++) {
        CHECK(cov_network_node_costs(ctx, n, 1, &slon[i], &slat[i], &t, t_threshold, one, NULL) == COV_OK);
        for (size_t u = 0; u < nn; u++)
            if (src[u] == i && !rel_close(one[u], cost[u])) labels_ok = 0;
    }
    CHECK(labels_ok);
    free(one); free(cost); free(bf); free(src); free(fwd); free(bwd);
    cov_network_destroy(n);
    free_random(&g);
}

/* Searches from nodes against Bellman-Ford from each source node: the
 * per-source reach sets, the multi-source nearest costs and labels (a
 * repeated source never wins), and the argument checks. */
static void test_node_search(cov_ctx *ctx, unsigned seed)
{
    rgraph g;
    cov_network *n = random_network(ctx, &g, seed, 80, 160, 1);
    if (!n) return;
    size_t nn = cov_network_node_count(n), ne = cov_network_edge_count(n);
    cov_travel t;
    double t_threshold = 16000.0;
    cov_travel_init(&t);
    t.metric = COV_TRAVEL_TIME;
    t_threshold = 400;
    double *fwd = malloc(ne * sizeof *fwd), *bwd = malloc(ne * sizeof *bwd);
    CHECK(cov_network_edge_costs(ctx, n, &t, fwd, bwd) == COV_OK);
    /* four sources, one node twice (the smaller index wins its ties) */
    int64_t src[4] = {0, (int64_t)(nn / 3), (int64_t)(nn / 2), (int64_t)(nn / 3)};
    double *bf = malloc(4 * nn * sizeof *bf);
    for (size_t i = 0; i < 4; i++) {
        double *d = bf + i * nn;
        for (size_t u = 0; u < nn; u++) d[u] = INFINITY;
        d[src[i]] = 0;
        bellman_ford(nn, ne, n->edge_from, n->edge_to, fwd, bwd, d);
    }
    /* per source: exactly the nodes within the cutoff, each once */
    cov_table *per = cov_network_node_search(ctx, n, 4, src, &t, t_threshold, 0);
    CHECK(per != NULL && cov_table_ncols(per) == 3);
    int per_ok = per != NULL;
    size_t expect_rows = 0;
    for (size_t k = 0; k < 4 * nn; k++) expect_rows += bf[k] <= t_threshold;
    if (per) {
        const int64_t *ps = cov_table_ints(per, 0), *pv = cov_table_ints(per, 1);
        const double *pc = cov_table_doubles(per, 2);
        per_ok = cov_table_nrows(per) == expect_rows;
        for (size_t r = 0; per_ok && r < cov_table_nrows(per); r++)
            per_ok = ps[r] >= 0 && ps[r] < 4 && (r == 0 || ps[r] >= ps[r - 1]) &&
                     rel_close(pc[r], bf[(size_t)ps[r] * nn + (size_t)pv[r]]);
    }
    CHECK(per_ok);
    CHECK(expect_rows > 8); /* the test means something */
    /* multi-source: the minimum over sources, labelled by the smallest
     * index reaching it at that cost */
    cov_table *multi = cov_network_node_search(ctx, n, 4, src, &t, t_threshold, 1);
    CHECK(multi != NULL);
    int multi_ok = multi != NULL;
    size_t expect_nodes = 0;
    for (size_t u = 0; u < nn; u++) {
        double best = INFINITY;
        for (size_t i = 0; i < 4; i++) best = fmin(best, bf[i * nn + u]);
        expect_nodes += best <= t_threshold;
    }
    if (multi) {
        const int64_t *ms = cov_table_ints(multi, 0), *mv = cov_table_ints(multi, 1);
        const double *mc = cov_table_doubles(multi, 2);
        multi_ok = cov_table_nrows(multi) == expect_nodes;
        for (size_t r = 0; multi_ok && r < cov_table_nrows(multi); r++) {
            size_t u = (size_t)mv[r];
            double best = INFINITY;
            for (size_t i = 0; i < 4; i++) best = fmin(best, bf[i * nn + u]);
            /* source 3 repeats source 1: every cost ties exactly, 1 wins */
            multi_ok = rel_close(mc[r], best) && ms[r] >= 0 && ms[r] < 3 &&
                       rel_close(bf[(size_t)ms[r] * nn + u], best);
        }
    }
    CHECK(multi_ok);
    cov_table_destroy(per);
    cov_table_destroy(multi);
    /* no source: an empty table; bad arguments: NULL and COV_ERR_ARG */
    cov_table *empty = cov_network_node_search(ctx, n, 0, NULL, &t, t_threshold, 1);
    CHECK(empty != NULL && cov_table_nrows(empty) == 0 && cov_table_ncols(empty) == 3);
    cov_table_destroy(empty);
    int64_t bad[2] = {0, (int64_t)nn};
    CHECK(cov_network_node_search(ctx, n, 2, bad, &t, t_threshold, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    bad[1] = -1;
    CHECK(cov_network_node_search(ctx, n, 2, bad, &t, t_threshold, 1) == NULL);
    CHECK(cov_network_node_search(ctx, n, 2, NULL, &t, t_threshold, 1) == NULL);
    CHECK(cov_network_node_search(ctx, n, 1, src, NULL, t_threshold, 1) == NULL);
    CHECK(cov_network_node_search(ctx, n, 1, src, &t, NAN, 1) == NULL);
    CHECK(cov_network_node_search(ctx, NULL, 1, src, &t, t_threshold, 1) == NULL);
    CHECK(cov_network_node_search(NULL, n, 1, src, &t, t_threshold, 1) == NULL);
    cov_clear_error(ctx);
    free(bf); free(fwd); free(bwd);
    cov_network_destroy(n);
    free_random(&g);
}

/* Ties on zero-cost arcs (white box: every arc set to cost 0 after the
 * workspace is made): a node settled from one source and offered the same
 * cost from a smaller one keeps its source and stays settled; every node
 * touched within the cutoff ends settled. */
static void test_zero_cost_ties(cov_ctx *ctx)
{
    rgraph g;
    cov_network *n = random_network(ctx, &g, 11, 80, 160, 0);
    if (!n) return;
    cov_travel t;
    double t_threshold = 16000.0;
    cov_travel_init(&t);
    cov__search s;
    CHECK(cov__search_init(ctx, &s, n, &t) == COV_OK);
    for (size_t a = 0; a < n->n_arcs; a++) s.arc[a].w = 0;
    /* sources 1 then 0 at the start of two edges, cost 0 */
    CHECK(cov__search_seed(ctx, &s, 0, 0, 0, 1) == COV_OK);
    CHECK(cov__search_seed(ctx, &s, (int64_t)n->n_edges / 2, 0, 0, 0) == COV_OK);
    CHECK(cov__search_run(ctx, &s, t_threshold) == COV_OK);
    int ok = s.n_touched > 2;
    size_t zero = 0;
    for (size_t i = 0; i < s.n_touched; i++) {
        uint32_t u = s.touched[i];
        int64_t l = cov__search_label(&s, u);
        if (!cov__search_settled(&s, u) || (l != 0 && l != 1)) ok = 0;
        zero += cov__search_dist(&s, u) == 0;
    }
    CHECK(ok);
    CHECK(zero > 2);
    cov__search_free(&s);
    cov_network_destroy(n);
    free_random(&g);
}

/* Reach sets against brute force: for each facility and unit, the best
 * of leaving the facility's edge by either end, Bellman-Ford between the
 * ends, and entering the unit's edge by either end (or along a shared
 * edge), plus both access legs. */
static void test_reach_sets(cov_ctx *ctx)
{
    rgraph g;
    make_random(&g, 7, 50, 100);
    cov_network *n = cov_network_from_arrays(ctx, g.n_lines, g.off, g.x, g.y, g.cls, g.oneway,
                                             NULL, NULL);
    CHECK(n != NULL);
    if (!n) { free_random(&g); return; }
    size_t nf = 4, nd = 40;
    double flon[4], flat[4], dlon[40], dlat[40];
    const char *fid[4] = {"f0", "f1", "f2", "f3"}, *kinds[4] = {"nursing", "zaishin", "nursing", "zaishin"};
    char dbuf[40][8];
    const char *did[40];
    for (size_t i = 0; i < nf; i++) {
        flon[i] = 141.31 + 0.04 * rand() / (double)RAND_MAX;
        flat[i] = 43.03 + 0.03 * rand() / (double)RAND_MAX;
    }
    for (size_t i = 0; i < nd; i++) {
        dlon[i] = 141.30 + 0.06 * rand() / (double)RAND_MAX;
        dlat[i] = 43.02 + 0.045 * rand() / (double)RAND_MAX;
        snprintf(dbuf[i], sizeof dbuf[i], "d%zu", i);
        did[i] = dbuf[i];
    }
    cov_facilities *f = cov_facilities_from_arrays(ctx, nf, fid, NULL, kinds, NULL, flon, flat, NULL);
    double w[40];
    for (size_t i = 0; i < nd; i++) w[i] = 1;
    const char *wn[] = {"pop"};
    cov_demand *d = cov_demand_from_points(ctx, nd, did, dlon, dlat, NULL, 1, wn, w);
    CHECK(f && d);
    cov_travel t;
    double t_threshold = 16000.0;
    cov_travel_init(&t);
    t.metric = COV_TRAVEL_TIME;
    t_threshold = 900;
    t.snap_max_m = 800;
    cov__snap fs, ds;
    CHECK(cov__net_snap(ctx, n, nf, flon, flat, t.snap_max_m, &fs) == COV_OK);
    CHECK(cov__net_snap(ctx, n, nd, dlon, dlat, t.snap_max_m, &ds) == COV_OK);
    cov_table *rs = cov_network_reach_sets(ctx, n, f, d, &t, t_threshold);
    CHECK(rs != NULL);
    size_t nn = n->n_nodes, ne = n->n_edges;
    double *fwd = malloc(ne * sizeof *fwd), *bwd = malloc(ne * sizeof *bwd);
    double *dist = malloc(nn * sizeof *dist);
    cov__net_edge_costs(ctx, n, &t, fwd, bwd);
    double k = 3.6 / t.access_speed_kmh;
    size_t expected_rows = 0, matched = 0;
    for (size_t fi = 0; fi < nf && rs; fi++) {
        if (fs.edge[fi] < 0) continue;
        size_t e = (size_t)fs.edge[fi];
        double L = n->edge_len_m[e], acc = k * fs.dist_m[fi], o = fs.offset_m[fi];
        for (size_t u = 0; u < nn; u++) dist[u] = INFINITY;
        if (isfinite(bwd[e]) || o == 0) dist[n->edge_from[e]] = acc + (o == 0 ? 0 : bwd[e] * o / L);
        if (isfinite(fwd[e]) || o == L) dist[n->edge_to[e]] = fmin(dist[n->edge_to[e]], acc + (o == L ? 0 : fwd[e] * (L - o) / L));
        bellman_ford(nn, ne, n->edge_from, n->edge_to, fwd, bwd, dist);
        for (size_t i = 0; i < nd; i++) {
            if (ds.edge[i] < 0) continue;
            size_t e2 = (size_t)ds.edge[i];
            double L2 = n->edge_len_m[e2], o2 = ds.offset_m[i], best = INFINITY;
            if (isfinite(fwd[e2]) || o2 == 0) best = fmin(best, dist[n->edge_from[e2]] + (o2 == 0 ? 0 : fwd[e2] * o2 / L2));
            if (isfinite(bwd[e2]) || o2 == L2) best = fmin(best, dist[n->edge_to[e2]] + (o2 == L2 ? 0 : bwd[e2] * (L2 - o2) / L2));
            if (e2 == e && o2 >= o && isfinite(fwd[e])) best = fmin(best, acc + fwd[e] * (o2 - o) / L);
            if (e2 == e && o2 <= o && isfinite(bwd[e])) best = fmin(best, acc + bwd[e] * (o - o2) / L);
            best += k * ds.dist_m[i];
            if (best > t_threshold) continue;
            expected_rows++;
            for (size_t r = 0; r < cov_table_nrows(rs); r++)
                if (cov_table_ints(rs, 1)[r] == (int64_t)fi && cov_table_ints(rs, 3)[r] == (int64_t)i &&
                    rel_close(cov_table_doubles(rs, 4)[r], best))
                    matched++;
        }
    }
    CHECK(rs && cov_table_nrows(rs) == expected_rows);
    CHECK(matched == expected_rows);
    printf("reach sets: %zu pairs within %g s\n", expected_rows, t_threshold);
    CHECK(expected_rows > 5);
    /* reach table: n_within per kind equals the count of rows of that kind */
    cov_table *r = cov_network_reach(ctx, n, f, d, "nursing", &t, t_threshold);
    CHECK(r && cov_table_nrows(r) == nd);
    if (r && rs) {
        int ok = 1;
        for (size_t i = 0; i < nd; i++) {
            int64_t cnt = 0;
            double best = NAN;
            for (size_t q = 0; q < cov_table_nrows(rs); q++)
                if (cov_table_ints(rs, 3)[q] == (int64_t)i && cov_table_ints(rs, 1)[q] % 2 == 0) {
                    cnt++;
                    double c = cov_table_doubles(rs, 4)[q];
                    if (!(c >= best)) best = c;
                }
            if (cov_table_ints(r, 5)[i] != cnt) ok = 0;
            if (cnt && cov_table_doubles(r, 4)[i] != best) ok = 0;
            if (!cnt && !isnan(cov_table_doubles(r, 4)[i])) ok = 0;
        }
        CHECK(ok);
    }
    cov_table_destroy(r);
    CHECK(cov_network_reach(ctx, n, f, d, "nope", &t, t_threshold) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "nope");
    cov_table_destroy(rs);
    cov__snap_free(&fs);
    cov__snap_free(&ds);
    free(fwd); free(bwd); free(dist);
    cov_facilities_destroy(f);
    cov_demand_destroy(d);
    cov_network_destroy(n);
    free_random(&g);
}

/* ---- isochrones ------------------------------------------------------------- */

static void to_proj(const cov_network *n, double *p)
{
    PJ_COORD c = proj_trans(n->proj.pj, PJ_FWD, proj_coord(p[0], p[1], 0, 0));
    p[0] = c.xy.x;
    p[1] = c.xy.y;
}

static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(px - ax - t * dx, py - ay - t * dy);
}

/* A 5 x 5 grid of straight two-point roads about 1 km apart; a facility on
 * the centre node; distance cutoff 1500 m. Reached by hand: the centre's
 * four edges whole, then from each neighbour 1500 - d(neighbour) metres
 * into each of its other edges. */
static void test_isochrone(cov_ctx *ctx)
{
    double lon0 = 141.30, lat0 = 43.00, s = 0.0123, sy = 0.009;
    double x[80], y[80];
    size_t off[41], m = 0, l = 0;
    off[0] = 0;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++) {
            /* horizontal (i row) and vertical (i column) pieces */
            x[m] = lon0 + j * s; y[m++] = lat0 + i * sy;
            x[m] = lon0 + (j + 1) * s; y[m++] = lat0 + i * sy;
            off[++l] = m;
            x[m] = lon0 + i * s; y[m++] = lat0 + j * sy;
            x[m] = lon0 + i * s; y[m++] = lat0 + (j + 1) * sy;
            off[++l] = m;
        }
    cov_network *n = cov_network_from_arrays(ctx, l, off, x, y, NULL, NULL, NULL, NULL);
    CHECK(n && cov_network_node_count(n) == 25 && cov_network_edge_count(n) == 40);
    if (!n) return;
    double flon = lon0 + 2 * s, flat = lat0 + 2 * sy, buffer = 50, cut = 1500;
    const char *id = "c";
    cov_facilities *f = cov_facilities_from_arrays(ctx, 1, &id, NULL, NULL, NULL, &flon, &flat, NULL);
    cov_travel t;
    double t_threshold = 16000.0;
    cov_travel_init(&t);
    t_threshold = cut;
    t.isochrone_buffer_m = buffer;
    cov_table *iso = cov_network_isochrones(ctx, n, f, &t, t_threshold, COV_ISOCHRONE_BY_FACILITY);
    CHECK(iso && cov_table_nrows(iso) == 1);
    /* the reached segments, projected, from the grid's own coordinates */
    double seg[16][4];
    size_t ns = 0;
    double c[2] = {flon, flat};
    to_proj(n, c);
    int dirs[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    for (int a = 0; a < 4; a++) {
        double nb[2] = {flon + dirs[a][0] * s, flat + dirs[a][1] * sy};
        double d1 = geod(flon, flat, nb[0], nb[1]);
        double pn[2] = {nb[0], nb[1]};
        to_proj(n, pn);
        seg[ns][0] = c[0]; seg[ns][1] = c[1]; seg[ns][2] = pn[0]; seg[ns][3] = pn[1]; ns++;
        for (int b = 0; b < 4; b++) {
            if (dirs[b][0] == -dirs[a][0] && dirs[b][1] == -dirs[a][1]) continue;
            double far[2] = {nb[0] + dirs[b][0] * s, nb[1] + dirs[b][1] * sy};
            double frac = (cut - d1) / geod(nb[0], nb[1], far[0], far[1]);
            to_proj(n, far);
            seg[ns][0] = pn[0]; seg[ns][1] = pn[1];
            seg[ns][2] = pn[0] + frac * (far[0] - pn[0]);
            seg[ns][3] = pn[1] + frac * (far[1] - pn[1]);
            ns++;
        }
    }
    if (iso) {
        const GEOSGeometry *ll = cov__table_geometry(iso, 0);
        GEOSGeometry *pg = cov__xform_geom(ctx, &n->proj, ll, 0, "test");
        const GEOSPreparedGeometry *pp = GEOSPrepare_r(ctx->geos, pg);
        double minx, miny, maxx, maxy;
        GEOSGeom_getXMin_r(ctx->geos, pg, &minx); GEOSGeom_getXMax_r(ctx->geos, pg, &maxx);
        GEOSGeom_getYMin_r(ctx->geos, pg, &miny); GEOSGeom_getYMax_r(ctx->geos, pg, &maxy);
        int inside = 0, beyond = 0;
        srand(3);
        for (int k = 0; k < 20000; k++) {
            double px = minx + (maxx - minx) * rand() / (double)RAND_MAX;
            double py = miny + (maxy - miny) * rand() / (double)RAND_MAX;
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, px, py);
            if (GEOSPreparedContains_r(ctx->geos, pp, pt) == 1) {
                inside++;
                double dmin = INFINITY;
                for (size_t q = 0; q < ns; q++)
                    dmin = fmin(dmin, seg_dist(px, py, seg[q][0], seg[q][1], seg[q][2], seg[q][3]));
                if (dmin > buffer + 0.01) beyond++;
            }
            GEOSGeom_destroy_r(ctx->geos, pt);
        }
        CHECK(inside > 1000);
        CHECK(beyond == 0);
        /* and every reached segment's midpoint and tip is inside */
        int covered = 1;
        for (size_t q = 0; q < ns; q++)
            for (double tt = 0.5; tt <= 1.0; tt += 0.49) {
                GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(
                    ctx->geos, seg[q][0] + tt * (seg[q][2] - seg[q][0]), seg[q][1] + tt * (seg[q][3] - seg[q][1]));
                if (GEOSPreparedContains_r(ctx->geos, pp, pt) != 1) covered = 0;
                GEOSGeom_destroy_r(ctx->geos, pt);
            }
        CHECK(covered);
        /* area: reached length 4 x 1000-ish + 12 x ~500 times two buffers, less overlaps */
        double len = 0;
        for (size_t q = 0; q < ns; q++) len += hypot(seg[q][2] - seg[q][0], seg[q][3] - seg[q][1]);
        double a = cov_table_doubles(iso, 2)[0] * 1e6;
        CHECK(a < len * 2 * buffer + M_PI * buffer * buffer);
        CHECK(a > len * 2 * buffer * 0.9);
        GEOSPreparedGeom_destroy_r(ctx->geos, pp);
        GEOSGeom_destroy_r(ctx->geos, pg);
    }
    cov_table_destroy(iso);
    t.isochrone_buffer_m = -1; /* checked with the travel settings */
    CHECK(cov_network_isochrones(ctx, n, f, &t, t_threshold, COV_ISOCHRONE_BY_KIND) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK_CONTAINS(cov_last_message(ctx), "isochrone_buffer_m");
    t.isochrone_buffer_m = 100;
    CHECK(cov_network_isochrones(ctx, n, f, &t, -1, COV_ISOCHRONE_BY_KIND) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "threshold");
    cov_facilities_destroy(f);
    cov_network_destroy(n);
}

/* The isochrone of a kind (one search from all its facilities) is the union
 * of its facilities' own isochrones: on a 5 x 5 grid with one-way streets,
 * three facilities off the nodes (two of them close, so their reach
 * overlaps) and one beyond the snap cap, by distance and by time. */
static void test_kind_isochrone_is_union(cov_ctx *ctx)
{
    double lon0 = 141.30, lat0 = 43.00, s = 0.0123, sy = 0.009;
    double x[80], y[80];
    size_t off[41], m = 0, l = 0;
    int8_t oneway[40];
    off[0] = 0;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++) {
            x[m] = lon0 + j * s; y[m++] = lat0 + i * sy;
            x[m] = lon0 + (j + 1) * s; y[m++] = lat0 + i * sy;
            oneway[l] = (int8_t)(i % 2 ? 1 : 0); /* odd rows one way, eastward */
            off[++l] = m;
            x[m] = lon0 + i * s; y[m++] = lat0 + j * sy;
            x[m] = lon0 + i * s; y[m++] = lat0 + (j + 1) * sy;
            oneway[l] = (int8_t)(i == 3 ? -1 : 0); /* one column one way, southward */
            off[++l] = m;
        }
    cov_network *n = cov_network_from_arrays(ctx, l, off, x, y, NULL, oneway, NULL, NULL);
    CHECK(n != NULL);
    if (!n) return;
    const char *ids[] = {"a", "b", "c", "far"}, *kinds[] = {"k", "k", "k", "k"};
    double flon[] = {lon0 + 0.4 * s, lon0 + 0.55 * s, lon0 + 3.3 * s, lon0 + 9 * s};
    double flat[] = {lat0 + 1.0001 * sy, lat0 + 1.0 * sy, lat0 + 2.7 * sy, lat0 + 9 * sy};
    cov_facilities *f = cov_facilities_from_arrays(ctx, 4, ids, NULL, kinds, NULL, flon, flat,
                                                   NULL);
    for (int metric = 0; f && metric < 2; metric++) {
        cov_travel t;
        cov_travel_init(&t);
        t.metric = metric ? COV_TRAVEL_TIME : COV_TRAVEL_DISTANCE;
        double cut = metric ? 150.0 : 1500.0;
        cov_table *one = cov_network_isochrones(ctx, n, f, &t, cut, COV_ISOCHRONE_BY_FACILITY);
        cov_table *kind = cov_network_isochrones(ctx, n, f, &t, cut, COV_ISOCHRONE_BY_KIND);
        CHECK(one && kind && cov_table_nrows(one) == 4 && cov_table_nrows(kind) == 1);
        if (!one || !kind) break;
        GEOSGeometry *parts[4];
        for (int i = 0; i < 4; i++)
            parts[i] = GEOSGeom_clone_r(ctx->geos, cov__table_geometry(one, (size_t)i));
        CHECK(GEOSisEmpty_r(ctx->geos, parts[3]) == 1); /* beyond the snap cap */
        GEOSGeometry *coll = GEOSGeom_createCollection_r(ctx->geos, GEOS_GEOMETRYCOLLECTION,
                                                         parts, 4);
        GEOSGeometry *u = GEOSUnaryUnion_r(ctx->geos, coll);
        const GEOSGeometry *k = cov__table_geometry(kind, 0);
        GEOSGeometry *d = GEOSSymDifference_r(ctx->geos, u, k);
        double au = 0, ad = 1;
        GEOSArea_r(ctx->geos, u, &au);
        GEOSArea_r(ctx->geos, d, &ad);
        /* the same land up to the chords of round caps and joins, which GEOS
         * lays out per line (1.5e-6 of the area here) */
        CHECK(au > 0 && ad < 1e-5 * au);
        /* a and b overlap: the union is less than the sum of the three */
        double sum = 0;
        for (int i = 0; i < 3; i++) sum += cov_table_doubles(one, 2)[i];
        CHECK(cov_table_doubles(kind, 2)[0] < 0.9 * sum);
        CHECK(cov_table_ints(kind, 1)[0] == 4);
        GEOSGeom_destroy_r(ctx->geos, d);
        GEOSGeom_destroy_r(ctx->geos, u);
        GEOSGeom_destroy_r(ctx->geos, coll);
        cov_table_destroy(one);
        cov_table_destroy(kind);
    }
    cov_facilities_destroy(f);
    cov_network_destroy(n);
}

/* ---- real layers ------------------------------------------------------------ */

static void test_sapporo(cov_ctx *ctx, const char *shared)
{
    char path[1024];
    snprintf(path, sizeof path,
             "%s/raw/roads-sapporo-authorized-road-geomonly/sapporo_authorized_road_202111.shp",
             shared);
    cov_network_options o;
    cov_network_options_init(&o);
    o.node_tolerance_m = 0;
    cov_network *n = cov_network_read_shp(ctx, path, &o);
    CHECK(n != NULL);
    if (!n) { fprintf(stderr, "%s\n", cov_last_message(ctx)); return; }
    /* SOURCE.md: total line length 6,374 km (ogr); noding keeps it */
    double total = 0;
    for (size_t e = 0; e < n->n_edges; e++) total += n->edge_len_m[e];
    CHECK_NEAR(total / 1000, 6374, 6374 * 0.002);
    /* SOURCE.md: merging identical vertices, the largest component holds
     * 83 % of the vertices; of our nodes (junctions and ends) the share is
     * in the same range */
    double share = (double)n->comp_nodes[0] / (double)n->n_nodes;
    printf("sapporo: %zu nodes, %zu edges, %zu components, largest %zu (%.1f%%)\n",
           n->n_nodes, n->n_edges, n->n_components, n->comp_nodes[0], 100 * share);
    CHECK(n->n_components > 1 && share > 0.6 && share < 0.95);
    cov_network_destroy(n);
    o.node_tolerance_m = 5;
    n = cov_network_read_shp(ctx, path, &o);
    CHECK(n != NULL);
    if (n) {
        double share5 = (double)n->comp_nodes[0] / (double)n->n_nodes;
        printf("sapporo 5 m: %zu components, largest %.1f%%\n", n->n_components, 100 * share5);
        CHECK(share5 > share); /* SOURCE.md: 94 % of vertices with 5 m snapping */
    }
    cov_network_destroy(n);
    /* a field asked for by name on a layer without .dbf */
    o.class_field = "fclass";
    CHECK(cov_network_read_shp(ctx, path, &o) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FIELD);
    CHECK_CONTAINS(cov_last_message(ctx), "no .dbf");
}

static void test_osaka(cov_ctx *ctx, const char *shared)
{
    char path[1024];
    snprintf(path, sizeof path,
             "%s/raw/roads-osaka-abeno-osm2025/osaka_abeno_overpass_20250616_roads_geofabrik_schema.shp",
             shared);
    cov_network *n = cov_network_read_shp(ctx, path, NULL);
    CHECK(n != NULL);
    if (!n) { fprintf(stderr, "%s\n", cov_last_message(ctx)); return; }
    size_t n_oneway = 0;
    for (size_t e = 0; e < n->n_edges; e++) n_oneway += n->edge_dir[e] != NET_BOTH;
    printf("osaka: %zu nodes, %zu edges, %zu classes, %zu one-way edges\n", n->n_nodes,
           n->n_edges, n->n_classes, n_oneway);
    CHECK(n->n_classes >= 10 && n_oneway > 100);
    cov_table *cls = cov_network_classes(ctx, n);
    CHECK(cls && cov_table_nrows(cls) == n->n_classes + 1);
    if (cls) {
        double sum = 0, total = 0;
        int64_t ne_sum = 0;
        for (size_t r = 0; r < cov_table_nrows(cls); r++) {
            sum += cov_table_doubles(cls, 2)[r];
            ne_sum += cov_table_ints(cls, 1)[r];
            if (!strcmp(cov_table_string(cls, 0, r), "residential"))
                CHECK_NEAR(cov_table_doubles(cls, 3)[r], 20, 0);
        }
        for (size_t e = 0; e < n->n_edges; e++) total += n->edge_len_m[e] / 1000;
        CHECK_NEAR(sum, total, 1e-9 * total);
        CHECK(ne_sum == (int64_t)n->n_edges);
    }
    cov_table_destroy(cls);
    cov_travel t;
    double t_threshold = 16000.0;
    cov_travel_init(&t);
    t.metric = COV_TRAVEL_TIME;
    t_threshold = 300;
    size_t nn = n->n_nodes, ne = n->n_edges;
    double *fwd = malloc(ne * sizeof *fwd), *bwd = malloc(ne * sizeof *bwd);
    double *cost = malloc(nn * sizeof *cost), *bf = malloc(nn * sizeof *bf);
    cov_network_edge_costs(ctx, n, &t, fwd, bwd);
    int same = 1;
    size_t reached = 0;
    for (size_t k = 0; k < 3; k++) {
        size_t u0 = (k * 7919) % nn;
        double lon = n->node_lon[u0], lat = n->node_lat[u0];
        CHECK(cov_network_node_costs(ctx, n, 1, &lon, &lat, &t, t_threshold, cost, NULL) == COV_OK);
        for (size_t u = 0; u < nn; u++) bf[u] = u == u0 ? 0 : INFINITY;
        bellman_ford(nn, ne, n->edge_from, n->edge_to, fwd, bwd, bf);
        for (size_t u = 0; u < nn; u++) {
            double want = bf[u] <= t_threshold ? bf[u] : INFINITY;
            if (!rel_close(cost[u], want)) same = 0;
            reached += isfinite(want);
        }
    }
    CHECK(same);
    CHECK(reached > 50);
    free(fwd); free(bwd); free(cost); free(bf);
    cov_network_destroy(n);
}

int main(void)
{
    geod_init(&G, 6378137.0, 1 / 298.257222101);
    cov_ctx *ctx = cov_ctx_create();
    test_noding(ctx);
    for (unsigned seed = 1; seed <= 4; seed++) {
        test_random(ctx, seed, COV_TRAVEL_DISTANCE, 0);
        test_random(ctx, seed, COV_TRAVEL_TIME, seed % 2);
    }
    for (unsigned seed = 1; seed <= 3; seed++) test_node_search(ctx, seed);
    test_zero_cost_ties(ctx);
    test_reach_sets(ctx);
    test_isochrone(ctx);
    test_kind_isochrone_is_union(ctx);
    const char *shared = cov_test_shared_data();
    if (shared) {
        test_sapporo(ctx, shared);
        test_osaka(ctx, shared);
    } else {
        printf("shared data absent (COV_SHARED_DATA): real-network tests skipped\n");
    }
    cov_ctx_destroy(ctx);
    TEST_END();
}
