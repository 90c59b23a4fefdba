/* Snapping to the routable part of a road graph (issue 21): points attach
 * to the nearest edge of the largest strongly connected component, and a
 * point whose nearest road is a fragment says it moved. Checked on random
 * graphs against an independent computation: strongly connected
 * components from a Floyd-Warshall reachability matrix, and the nearest
 * edge by brute force over every segment (local plane coordinates). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcoverage/network.h"
#include "testutil.h"

#define NX 6
#define NY 6
#define NN (NX * NY)
#define MAXL 120
#define NPTS 300
#define LON0 141.0
#define LAT0 43.0
#define D 0.01 /* grid step in degrees (about 800 m by 1.1 km) */

static unsigned rnd_state = 12345u;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) & 0xffffff;
}
static double urand(void) { return rnd() / (double)0x1000000; }

static double px(double lon) { return (lon - LON0) * 111320.0 * cos(LAT0 * 3.14159265358979323846 / 180); }
static double py(double lat) { return (lat - LAT0) * 111132.0; }

static double seg_dist(double x, double y, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(x - ax - t * dx, y - ay - t * dy);
}

static int one_case(cov_ctx *ctx, int trial)
{
    /* lines between grid neighbours, some one-way, some missing */
    size_t n = 0, off[MAXL + 1];
    double x[2 * MAXL], y[2 * MAXL];
    int8_t ow[MAXL];
    int a[MAXL], b[MAXL];
    for (int u = 0; u < NN; u++)
        for (int dir = 0; dir < 2; dir++) {
            int i = u % NX, j = u / NX, v = dir ? u + NX : u + 1;
            if ((dir && j + 1 >= NY) || (!dir && i + 1 >= NX)) continue;
            if (urand() < 0.35 || n >= MAXL) continue;
            a[n] = u, b[n] = v;
            off[n] = 2 * n;
            x[2 * n] = LON0 + D * (u % NX), y[2 * n] = LAT0 + D * (u / NX);
            x[2 * n + 1] = LON0 + D * (v % NX), y[2 * n + 1] = LAT0 + D * (v / NX);
            double r = urand();
            ow[n] = r < 0.15 ? 1 : r < 0.3 ? -1 : 0;
            n++;
        }
    off[n] = 2 * n;
    /* reachability over the arcs, then mutual reachability classes */
    static unsigned char reach[NN][NN];
    memset(reach, 0, sizeof reach);
    int used[NN] = {0};
    for (int u = 0; u < NN; u++) reach[u][u] = 1;
    for (size_t k = 0; k < n; k++) {
        used[a[k]] = used[b[k]] = 1;
        if (ow[k] >= 0) reach[a[k]][b[k]] = 1;
        if (ow[k] <= 0) reach[b[k]][a[k]] = 1;
    }
    for (int m = 0; m < NN; m++)
        for (int u = 0; u < NN; u++)
            if (reach[u][m])
                for (int v = 0; v < NN; v++) reach[u][v] |= reach[m][v];
    int size[NN] = {0}, best = -1, tie = 0;
    for (int u = 0; u < NN; u++) {
        if (!used[u]) continue;
        for (int v = 0; v < NN; v++) size[u] += used[v] && reach[u][v] && reach[v][u];
    }
    for (int u = 0; u < NN; u++) {
        if (!used[u]) continue;
        if (best < 0 || size[u] > size[best]) best = u, tie = 0;
        else if (size[u] == size[best] && !(reach[u][best] && reach[best][u])) tie = 1;
    }
    if (best < 0 || tie || size[best] < 3) return 0; /* no unique largest: another case */
    int in_main[NN];
    for (int u = 0; u < NN; u++) in_main[u] = used[u] && reach[u][best] && reach[best][u];
    int line_ok[MAXL], n_frag = 0;
    for (size_t k = 0; k < n; k++) {
        line_ok[k] = in_main[a[k]] && in_main[b[k]];
        n_frag += !line_ok[k];
    }
    if (!n_frag) return 0;

    cov_network_options o;
    cov_network_options_init(&o);
    o.node_tolerance_m = 0;
    cov_network *net = cov_network_from_arrays(ctx, n, off, x, y, NULL, ow, NULL, &o);
    o.snap_to = COV_SNAP_ANY_EDGE;
    cov_network *old = cov_network_from_arrays(ctx, n, off, x, y, NULL, ow, NULL, &o);
    CHECK(net && old);
    if (!net || !old) return 0;
    /* the network's edge e is one of our lines: find it by its end nodes */
    const uint32_t *ef = cov_network_edge_from(net), *et = cov_network_edge_to(net);
    const double *nlo = cov_network_node_lon(net), *nla = cov_network_node_lat(net);
    size_t ne = cov_network_edge_count(net);
    int *line_of = malloc(ne * sizeof *line_of);
    for (size_t e = 0; e < ne; e++) {
        line_of[e] = -1;
        for (size_t k = 0; k < n; k++) {
            double d0 = fabs(nlo[ef[e]] - x[2 * k]) + fabs(nla[ef[e]] - y[2 * k]) +
                        fabs(nlo[et[e]] - x[2 * k + 1]) + fabs(nla[et[e]] - y[2 * k + 1]);
            double d1 = fabs(nlo[ef[e]] - x[2 * k + 1]) + fabs(nla[ef[e]] - y[2 * k + 1]) +
                        fabs(nlo[et[e]] - x[2 * k]) + fabs(nla[et[e]] - y[2 * k]);
            if (d0 < 1e-9 || d1 < 1e-9) line_of[e] = (int)k;
        }
        CHECK(line_of[e] >= 0);
    }
    double lon[NPTS], lat[NPTS];
    for (int i = 0; i < NPTS; i++)
        lon[i] = LON0 + D * (NX - 1) * urand(), lat[i] = LAT0 + D * (NY - 1) * urand();
    const double cap = 600.0;
    cov_table *s = cov_network_snap(ctx, net, NPTS, lon, lat, cap);
    cov_table *s_old = cov_network_snap(ctx, old, NPTS, lon, lat, cap);
    CHECK(s && s_old);
    int checked = 0, moved_seen = 0;
    for (int i = 0; s && s_old && i < NPTS; i++) {
        double xi = px(lon[i]), yi = py(lat[i]), d_all = INFINITY, d_ok = INFINITY;
        for (size_t k = 0; k < n; k++) {
            double d = seg_dist(xi, yi, px(x[2 * k]), py(y[2 * k]), px(x[2 * k + 1]),
                                py(y[2 * k + 1]));
            d_all = fmin(d_all, d);
            if (line_ok[k]) d_ok = fmin(d_ok, d);
        }
        /* plane and projection agree to about 1e-3 here: skip near ties */
        double tol = 2e-3 * fmax(d_ok, 1.0) + 0.5;
        int64_t e = cov_table_ints(s, 1)[i];
        int snapped = (int)cov_table_ints(s, 4)[i];
        int moved = (int)cov_table_ints(s, 5)[i];
        if (fabs(d_ok - cap) < tol || fabs(d_all - cap) < tol || fabs(d_ok - d_all) < tol &&
            d_ok != d_all)
            continue;
        checked++;
        if (d_ok <= cap) {
            CHECK(snapped && e >= 0 && line_ok[line_of[e]]);
            CHECK_NEAR(cov_table_doubles(s, 3)[i], d_ok, tol);
        } else {
            CHECK(!snapped);
        }
        int want_moved = d_all <= cap && d_all < d_ok;
        CHECK(moved == want_moved);
        moved_seen += moved;
        /* the old rule: the nearest edge, whatever its component */
        CHECK(cov_table_ints(s_old, 5)[i] == 0);
        if (d_all <= cap) CHECK_NEAR(cov_table_doubles(s_old, 3)[i], d_all, tol);
    }
    CHECK(checked > NPTS / 2);
    cov_table_destroy(s);
    cov_table_destroy(s_old);
    free(line_of);
    cov_network_destroy(net);
    cov_network_destroy(old);
    (void)trial;
    return moved_seen;
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    test_messages msg = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &msg);
    int moved = 0, cases = 0;
    for (int trial = 0; trial < 200 && cases < 25; trial++) {
        unsigned before = rnd_state;
        int m = one_case(ctx, trial);
        cases += rnd_state != before && m >= 0;
        moved += m;
    }
    CHECK(moved > 0); /* the cases exercised the rule */

    /* a bad rule is refused, naming it */
    cov_network_options o;
    cov_network_options_init(&o);
    o.snap_to = 7;
    size_t off[2] = {0, 2};
    double x[2] = {141.0, 141.01}, y[2] = {43.0, 43.0};
    CHECK(cov_network_from_arrays(ctx, 1, off, x, y, NULL, NULL, NULL, &o) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK_CONTAINS(cov_last_message(ctx), "snap_to");
    cov_ctx_destroy(ctx);
    TEST_END();
}
