/* The analysis on a road network: a hand-built network whose coverage,
 * reach and reach sets are recomputed here with a lexicographic
 * Bellman-Ford over edge lengths from geod_inverse (independent of the
 * library's search); and a dense 8-neighbour grid on which network reach
 * is sandwiched between straight-line reaches (issue 8's invariant). */
#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reach_engine.h"
#include "libcoverage/coverage.h"
#include "testgeom.h"
#include "testutil.h"

static struct geod_geodesic G;

static double geod(double lon1, double lat1, double lon2, double lat2)
{
    double s;
    geod_inverse(&G, lat1, lon1, lat2, lon2, &s, NULL, NULL);
    return s;
}

static int warnings;
static void on_message(int level, const char *msg, void *ud)
{
    (void)msg;
    (void)ud;
    warnings += level == COV_MSG_WARNING;
}

static cov_regions *rect_regions(cov_ctx *ctx, size_t n, const char *const *wkt,
                                 const char *const *ids)
{
    return test_regions_from_wkt(ctx, n, wkt, ids, NULL);
}

static long col(const cov_table *t, const char *name)
{
    long c = cov_table_column_index(t, name);
    CHECK(c >= 0);
    return c;
}

/* ---- hand-built network ------------------------------------------------------ */

#define LON0 141.35
#define LAT0 43.06
#define DLON 0.012
#define DLAT 0.009
#define NX 8 /* lattice columns 0..7 (6, 7: an island) */
#define NY 3
#define NODE(i, j) ((j) * NX + (i))

typedef struct seg {
    int i0, j0, i1, j1;
    const char *cls;
    int8_t oneway; /* 1: (i0,j0) -> (i1,j1) only, -1: the reverse only */
} seg;

static const seg segs[] = {
    {0, 0, 1, 0, "primary", 0},     {1, 0, 2, 0, "primary", 0},
    {2, 0, 3, 0, "primary", 0},     {3, 0, 4, 0, "primary", 0},
    {0, 1, 1, 1, "residential", 0}, {1, 1, 2, 1, "residential", 1},
    {2, 1, 3, 1, "residential", 0}, {3, 1, 4, 1, "residential", 0},
    {0, 2, 1, 2, "service", 0},     {1, 2, 2, 2, "service", 0},
    {3, 2, 4, 2, "service", 0},     {0, 0, 0, 1, "secondary", 0},
    {0, 1, 0, 2, "secondary", 0},   {2, 0, 2, 1, "secondary", 0},
    {2, 1, 2, 2, "secondary", -1},  {4, 0, 4, 1, "secondary", 0},
    {4, 1, 4, 2, "secondary", 0},   {6, 0, 7, 0, "primary", 0}};
#define NSEG (sizeof segs / sizeof *segs)

static double speed_of(const char *cls)
{
    return strcmp(cls, "primary") == 0     ? 36
         : strcmp(cls, "residential") == 0 ? 18
         : strcmp(cls, "secondary") == 0   ? 27
                                           : 9;
}

static double nlon(int i) { return LON0 + i * DLON; }
static double nlat(int j) { return LAT0 + j * DLAT; }

/* Facilities on lattice nodes. */
static const char *fids[] = {"Z0", "N1", "N2", "Z3"};
static const char *fkinds[] = {"zaishin", "nursing", "nursing", "zaishin"};
static const int fi[] = {0, 4, 2, 3}, fj[] = {0, 2, 2, 0};
#define NF 4
/* Demand: the 15 nodes of columns 0..4, the midpoint of the one-way edge
 * (1,1) -> (2,1), a point 5.5 km south (beyond the 1 km snap cap) and an
 * island node (6,0). */
#define ND 18
#define D_MID 15
#define D_OFF 16
#define D_ISLAND 17

typedef struct bf_state {
    double c[NX * NY], c2[NX * NY]; /* cost, then the other metric */
} bf_state;

/* Lexicographic Bellman-Ford from node src: minimal cost, and among
 * minimal-cost paths the least other metric. */
static void bellman_ford(int metric, int src, bf_state *s)
{
    for (int u = 0; u < NX * NY; u++) s->c[u] = s->c2[u] = INFINITY;
    s->c[src] = s->c2[src] = 0;
    for (int it = 0; it < NX * NY; it++)
        for (size_t k = 0; k < NSEG; k++) {
            const seg *g = &segs[k];
            int a = NODE(g->i0, g->j0), b = NODE(g->i1, g->j1);
            double len = geod(nlon(g->i0), nlat(g->j0), nlon(g->i1), nlat(g->j1));
            double t = len * 3.6 / speed_of(g->cls);
            double w = metric == COV_TRAVEL_DISTANCE ? len : t;
            double w2 = metric == COV_TRAVEL_DISTANCE ? t : len;
            for (int dir = 0; dir < 2; dir++) {
                if ((dir == 0 && g->oneway < 0) || (dir == 1 && g->oneway > 0)) continue;
                int u = dir ? b : a, v = dir ? a : b;
                double c = s->c[u] + w, c2 = s->c2[u] + w2;
                if (c < s->c[v] - 1e-9 || (fabs(c - s->c[v]) <= 1e-9 && c2 < s->c2[v])) {
                    s->c[v] = c;
                    s->c2[v] = c2;
                }
            }
        }
}

/* Cost (and other metric) from facility f to demand unit d. */
static void expect_cost(int metric, int f, int d, double *c, double *c2)
{
    bf_state s;
    bellman_ford(metric, NODE(fi[f], fj[f]), &s);
    *c = *c2 = INFINITY;
    if (d < 15) {
        *c = s.c[NODE(d % 5, d / 5)];
        *c2 = s.c2[NODE(d % 5, d / 5)];
    } else if (d == D_MID) { /* one-way east: only from (1,1) */
        double len = geod(nlon(1), nlat(1), nlon(2), nlat(1));
        double t = len * 3.6 / 18;
        *c = s.c[NODE(1, 1)] + 0.5 * (metric == COV_TRAVEL_DISTANCE ? len : t);
        *c2 = s.c2[NODE(1, 1)] + 0.5 * (metric == COV_TRAVEL_DISTANCE ? t : len);
    }
}

static void build_case(cov_ctx *ctx, cov_network **net, cov_regions **reg,
                       cov_facilities **fac, cov_demand **dem, double *w)
{
    size_t off[NSEG + 1];
    double x[2 * NSEG], y[2 * NSEG];
    const char *cls[NSEG];
    int8_t ow[NSEG];
    for (size_t k = 0; k < NSEG; k++) {
        off[k] = 2 * k;
        x[2 * k] = nlon(segs[k].i0), y[2 * k] = nlat(segs[k].j0);
        x[2 * k + 1] = nlon(segs[k].i1), y[2 * k + 1] = nlat(segs[k].j1);
        cls[k] = segs[k].cls;
        ow[k] = segs[k].oneway;
    }
    off[NSEG] = 2 * NSEG;
    cov_network_options o;
    cov_network_options_init(&o);
    /* the island unit must stay on its own fragment (test_snap_routable.c
     * covers the routable rule) */
    o.snap_to = COV_SNAP_ANY_EDGE;
    *net = cov_network_from_arrays(ctx, NSEG, off, x, y, cls, ow, NULL, &o);
    CHECK(*net != NULL);
    const char *names[] = {"primary", "residential", "secondary", "service"};
    for (int k = 0; k < 4; k++)
        CHECK(cov_network_set_speed(ctx, *net, names[k], speed_of(names[k])) == COV_OK);
    double xb = LON0 + 2.5 * DLON;
    char w0[200], w1[200];
    snprintf(w0, sizeof w0, "POLYGON((%.6f 42.9,%.6f 42.9,%.6f 43.2,%.6f 43.2,%.6f 42.9))",
             LON0 - 0.05, xb, xb, LON0 - 0.05, LON0 - 0.05);
    snprintf(w1, sizeof w1, "POLYGON((%.6f 42.9,%.6f 42.9,%.6f 43.2,%.6f 43.2,%.6f 42.9))", xb,
             LON0 + 0.15, LON0 + 0.15, xb, xb);
    const char *wkt[] = {w0, w1}, *rid[] = {"W", "E"};
    *reg = rect_regions(ctx, 2, wkt, rid);
    double flo[NF], fla[NF];
    for (int f = 0; f < NF; f++) flo[f] = nlon(fi[f]), fla[f] = nlat(fj[f]);
    *fac = cov_facilities_from_arrays(ctx, NF, fids, NULL, fkinds, NULL, flo, fla, NULL);
    static char idbuf[ND][8];
    const char *ids[ND];
    double dlo[ND], dla[ND];
    for (int d = 0; d < ND; d++) {
        snprintf(idbuf[d], sizeof idbuf[d], "u%02d", d);
        ids[d] = idbuf[d];
        w[d] = 1 + d % 7; /* distinct weights so sums tell units apart */
        if (d < 15) dlo[d] = nlon(d % 5), dla[d] = nlat(d / 5);
    }
    dlo[D_MID] = 0.5 * (nlon(1) + nlon(2)), dla[D_MID] = nlat(1);
    dlo[D_OFF] = nlon(0), dla[D_OFF] = LAT0 - 0.05;
    dlo[D_ISLAND] = nlon(6), dla[D_ISLAND] = nlat(0);
    const char *wn[] = {"total"};
    *dem = cov_demand_from_points(ctx, ND, ids, dlo, dla, NULL, 1, wn, w);
    CHECK(*reg && *fac && *dem);
}

static int region_of(int d) /* 0: W, 1: E */
{
    if (d < 15) return d % 5 <= 2 ? 0 : 1;
    return d == D_ISLAND ? 1 : 0;
}

static int is_doctor(int f) { return strcmp(fkinds[f], "zaishin") == 0; }

/* Facilities of a kind within t of unit d (kind: "zaishin", "nursing"). */
static int n_within(int metric, const char *kind, int d, double t, double *min_margin)
{
    int n = 0;
    for (int f = 0; f < NF; f++) {
        if (strcmp(fkinds[f], kind) != 0) continue;
        double c, c2;
        expect_cost(metric, f, d, &c, &c2);
        if (isfinite(c)) *min_margin = fmin(*min_margin, fabs(c - t));
        n += c <= t;
    }
    return n;
}

static void check_case(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *m, double t)
{
    double w[ND];
    for (int d = 0; d < ND; d++) w[d] = 1 + d % 7;
    double margin = INFINITY;
    int metric = cov_travel_model_metric(m);
    /* coverage: per region and kind, the weight of units with a facility
     * within t by Bellman-Ford */
    cov_table *cov = cov_analysis_coverage(ctx, a, m, t, 0, 0);
    CHECK(cov != NULL);
    if (!cov) return;
    long cr = col(cov, "region_id"), ck = col(cov, "kind"), cc = col(cov, "demand_covered"),
         crd = col(cov, "demand_redundant"), ca = col(cov, "area_km2"),
         cac = col(cov, "area_covered_km2");
    size_t rows = cov_table_nrows(cov), seen = 0;
    for (size_t r = 0; r < rows; r++) {
        const char *kind = cov_table_string(cov, (size_t)ck, r);
        int region = strcmp(cov_table_string(cov, (size_t)cr, r), "W") == 0 ? 0 : 1;
        double covered = 0, redundant = 0;
        for (int d = 0; d < ND; d++) {
            if (region_of(d) != region) continue;
            int nz = n_within(metric, "zaishin", d, t, &margin);
            int nn = n_within(metric, "nursing", d, t, &margin);
            int n = strcmp(kind, "zaishin") == 0 || strcmp(kind, "doctor_any") == 0 ? nz
                  : strcmp(kind, "nursing") == 0                                   ? nn
                                                                 : (nz < nn ? nz : nn);
            covered += n >= 1 ? w[d] : 0;
            redundant += n >= 2 ? w[d] : 0;
        }
        CHECK_NEAR(cov_table_doubles(cov, (size_t)cc)[r], covered, 1e-9);
        CHECK_NEAR(cov_table_doubles(cov, (size_t)crd)[r], redundant, 1e-9);
        double area = cov_table_doubles(cov, (size_t)ca)[r],
               area_cov = cov_table_doubles(cov, (size_t)cac)[r];
        CHECK(area_cov >= 0 && area_cov < area);
        seen++;
    }
    CHECK(seen == 2 * 4); /* zaishin, nursing, doctor_any, doctor_and_nursing */
    /* the thresholds are chosen away from every cost: a unit on the edge
     * of reach would make the comparison depend on rounding */
    CHECK(margin > (metric == COV_TRAVEL_DISTANCE ? 1.0 : 0.1));

    /* gaps: uncovered demand is the rest of the region's weight; gap area
     * plus covered area is the region's area */
    cov_table *gaps = cov_analysis_gaps(ctx, a, m, t, "nursing", 0);
    CHECK(gaps != NULL);
    for (size_t r = 0; gaps && r < cov_table_nrows(gaps); r++) {
        const char *rid = cov_table_string(gaps, (size_t)col(gaps, "region_id"), r);
        for (size_t q = 0; q < rows; q++)
            if (strcmp(cov_table_string(cov, (size_t)cr, q), rid) == 0 &&
                strcmp(cov_table_string(cov, (size_t)ck, q), "nursing") == 0) {
                double total = cov_table_doubles(cov, (size_t)col(cov, "demand_total"))[q];
                CHECK_NEAR(cov_table_doubles(gaps, (size_t)col(gaps, "demand_uncovered"))[r],
                           total - cov_table_doubles(cov, (size_t)cc)[q], 1e-9);
                CHECK_NEAR(cov_table_doubles(gaps, (size_t)col(gaps, "area_km2"))[r] +
                               cov_table_doubles(cov, (size_t)cac)[q],
                           cov_table_doubles(cov, (size_t)ca)[q], 1e-6);
            }
    }
    cov_table_destroy(gaps);
    cov_table_destroy(cov);

    /* reach of nursing: nearest station, its path's distance and time */
    cov_table *rt = cov_analysis_reach(ctx, a, m, "nursing", t);
    CHECK(rt != NULL && cov_table_nrows(rt) == ND);
    for (int d = 0; rt && d < ND; d++) {
        double best = INFINITY, best2 = NAN;
        int bf = -1, n = 0;
        for (int f = 0; f < NF; f++) {
            if (is_doctor(f)) continue;
            double c, c2;
            expect_cost(metric, f, d, &c, &c2);
            if (c <= t) n++;
            if (c <= t && c < best) best = c, best2 = c2, bf = f;
        }
        CHECK_STR(cov_table_string(rt, (size_t)col(rt, "nearest_id"), (size_t)d),
                  bf < 0 ? "" : fids[bf]);
        CHECK(cov_table_ints(rt, (size_t)col(rt, "n_within"))[d] == n);
        double dist = cov_table_doubles(rt, (size_t)col(rt, "distance_m"))[d];
        double time = cov_table_doubles(rt, (size_t)col(rt, "time_s"))[d];
        if (bf < 0) {
            CHECK(isnan(dist) && isnan(time));
            continue;
        }
        double want_d = metric == COV_TRAVEL_DISTANCE ? best : best2;
        double want_t = metric == COV_TRAVEL_DISTANCE ? best2 : best;
        /* 5 cm: the midpoint unit's offset is measured in the network's
         * projection, the expected one along the geodesic */
        CHECK_NEAR(dist, want_d, 1e-6 * want_d + 0.05);
        CHECK_NEAR(time, want_t, 1e-6 * want_t + 0.05);
    }
    double snap_off = rt ? cov_table_doubles(rt, (size_t)col(rt, "snap_distance_m"))[D_OFF] : 0;
    CHECK(isnan(snap_off));
    cov_table_destroy(rt);

    /* reach sets for the planner: every pair within t, with its cost */
    cov__reach *entry = cov__reach_get(ctx, a, m, t);
    const cov__reach_sets *sets = entry ? cov__reach_sets_of(ctx, a, entry, COV__COSTS_ALL) : NULL;
    CHECK(sets && sets->n_sets == NF);
    if (!sets) return;
    cov__reach_sets rs = *sets;
    for (int f = 0; f < NF && rs.n_sets == NF; f++) {
        size_t p = rs.offset[f];
        for (int d = 0; d < ND; d++) {
            double c, c2;
            expect_cost(metric, f, d, &c, &c2);
            if (!(c <= t)) continue;
            CHECK(p < rs.offset[f + 1] && rs.unit[p] == (uint32_t)d);
            if (p < rs.offset[f + 1]) CHECK_NEAR(rs.cost[p], c, 1e-6 * c + 0.05);
            p++;
        }
        CHECK(p == rs.offset[f + 1]);
    }
}

static void test_hand_built(cov_ctx *ctx)
{
    cov_network *net;
    cov_regions *reg;
    cov_facilities *fac;
    cov_demand *dem;
    double w[ND];
    build_case(ctx, &net, &reg, &fac, &dem, w);
    if (!net || !reg || !fac || !dem) return;
    cov_analysis *a = cov_analysis_create(ctx, reg, fac, dem, NULL);
    CHECK(a != NULL);
    cov_table *straight = cov_analysis_coverage(ctx, a, NULL, 2500, 0, COV_COVERAGE_NO_AREA);

    /* the straight line has no roads */
    CHECK(cov_analysis_unreachable(ctx, a, NULL) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    cov_travel_model *sl = cov_travel_model_straight(ctx);
    CHECK(sl && cov_travel_model_metric(sl) == COV_TRAVEL_STRAIGHT &&
          !cov_travel_model_is_network(sl) && strcmp(cov_travel_model_unit(sl), "m") == 0);
    CHECK(cov_travel_model_with_season(ctx, sl, 1) == NULL &&
          cov_last_error(ctx) == COV_ERR_ARG);

    cov_travel tr;
    cov_travel_init(&tr);
    tr.metric = 7;
    CHECK(cov_travel_model_network(ctx, net, &tr) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    cov_travel_init(&tr);
    tr.isochrone_buffer_m = 0;
    CHECK(cov_travel_model_network(ctx, net, &tr) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    CHECK_CONTAINS(cov_last_message(ctx), "isochrone_buffer_m");
    cov_travel_init(&tr);
    cov_travel_model *md = cov_travel_model_network(ctx, net, &tr);
    CHECK(md && cov_travel_model_is_network(md) && cov_travel_model_network_of(md) == net);
    int before = warnings;
    /* snapping happens at the first use of the network, once */
    cov_table *un = cov_analysis_unreachable(ctx, a, md);
    CHECK(warnings == before + 1); /* the off-road unit */
    CHECK(un && cov_table_nrows(un) == 1);
    if (un && cov_table_nrows(un) == 1) CHECK_STR(cov_table_string(un, 0, 0), "u16");
    cov_table_destroy(un);
    /* distance thresholds: 2.5 km and 3.7 km */
    check_case(ctx, a, md, 2500);
    check_case(ctx, a, md, 3700);

    /* time: 2 and 5 minutes; a new model, the same snapping (no warning) */
    cov_travel_model *mt = cov_travel_model_with_metric(ctx, md, COV_TRAVEL_TIME);
    CHECK(mt && cov_travel_model_metric(mt) == COV_TRAVEL_TIME &&
          strcmp(cov_travel_model_unit(mt), "s") == 0);
    CHECK(cov_travel_model_metric(md) == COV_TRAVEL_DISTANCE); /* md is unchanged */
    before = warnings;
    check_case(ctx, a, mt, 130);
    check_case(ctx, a, mt, 310);
    CHECK(warnings == before);
    CHECK(cov_analysis_coverage(ctx, a, mt, 0, 0, 0) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "time threshold");
    CHECK(cov_analysis_reach(ctx, a, mt, NULL, 90000) == NULL);
    /* the distance model still answers in metres after the time queries */
    check_case(ctx, a, md, 2500);

    /* service areas: an isochrone per facility, and per region and kind
     * the union clipped to the region (no larger than the region) */
    cov_table *sa = cov_analysis_service_areas(ctx, a, mt, 310, COV_AREAS_BY_FACILITY, NULL);
    CHECK(sa && cov_table_nrows(sa) == NF && cov_table_has_geometry(sa));
    cov_table_destroy(sa);
    sa = cov_analysis_service_areas(ctx, a, mt, 310, COV_AREAS_BY_REGION_KIND, NULL);
    CHECK(sa && cov_table_nrows(sa) > 0);
    cov_table_destroy(sa);

    /* a wider isochrone buffer is another model: a larger area, and the
     * first model's areas do not change */
    cov_travel tw;
    CHECK(cov_travel_model_travel(ctx, mt, &tw) == COV_OK && tw.isochrone_buffer_m == 100.0);
    tw.isochrone_buffer_m = 300.0;
    cov_travel_model *mw = cov_travel_model_network(ctx, net, &tw);
    cov_table *a100 = cov_analysis_service_areas(ctx, a, mt, 310, COV_AREAS_BY_REGION_KIND, NULL);
    cov_table *a300 = cov_analysis_service_areas(ctx, a, mw, 310, COV_AREAS_BY_REGION_KIND, NULL);
    cov_table *a100b = cov_analysis_service_areas(ctx, a, mt, 310, COV_AREAS_BY_REGION_KIND, NULL);
    CHECK(a100 && a300 && a100b && cov_table_nrows(a100) == cov_table_nrows(a100b));
    if (a100 && a300 && a100b && cov_table_nrows(a100)) {
        size_t ca = (size_t)col(a100, "area_km2");
        CHECK(cov_table_doubles(a300, ca)[0] > cov_table_doubles(a100, ca)[0]);
        CHECK(cov_table_doubles(a100b, ca)[0] == cov_table_doubles(a100, ca)[0]);
    }
    cov_table_destroy(a100);
    cov_table_destroy(a300);
    cov_table_destroy(a100b);

    /* winter is slower: a winter model reaches no more within the same
     * time, and a speed change is seen by the next query (the cached
     * summer answer is not reused) */
    cov_travel_model *mwin = cov_travel_model_with_season(ctx, mt, 1);
    CHECK(mwin && cov_travel_model_winter(mwin) && !cov_travel_model_winter(mt));
    cov_table *cs = cov_analysis_coverage(ctx, a, mt, 310, 0, COV_COVERAGE_NO_AREA);
    cov_table *cw = cov_analysis_coverage(ctx, a, mwin, 310, 0, COV_COVERAGE_NO_AREA);
    CHECK(cs && cw);
    if (cs && cw) {
        size_t cc = (size_t)col(cs, "demand_covered");
        double sum_s = 0, sum_w = 0;
        for (size_t r = 0; r < cov_table_nrows(cs); r++) {
            CHECK(cov_table_doubles(cw, cc)[r] <= cov_table_doubles(cs, cc)[r]);
            sum_s += cov_table_doubles(cs, cc)[r];
            sum_w += cov_table_doubles(cw, cc)[r];
        }
        CHECK(sum_w < sum_s); /* the case is built so that winter loses units */
    }
    cov_table_destroy(cw);
    for (size_t c = 0; c < NSEG; c++) /* every class to a crawl */
        cov_network_set_speed(ctx, net, segs[c].cls, 1.0);
    cov_network_set_speed(ctx, net, NULL, 1.0);
    cov_table *slow = cov_analysis_coverage(ctx, a, mt, 310, 0, COV_COVERAGE_NO_AREA);
    CHECK(slow && cs);
    if (slow && cs) {
        size_t cc = (size_t)col(cs, "demand_covered");
        double sum_s = 0, sum_slow = 0;
        for (size_t r = 0; r < cov_table_nrows(cs); r++)
            sum_s += cov_table_doubles(cs, cc)[r], sum_slow += cov_table_doubles(slow, cc)[r];
        CHECK(sum_slow < sum_s);
    }
    cov_table_destroy(slow);
    cov_table_destroy(cs);

    /* the straight line: the same answers as before any road query */
    cov_table *again = cov_analysis_coverage(ctx, a, sl, 2500, 0, COV_COVERAGE_NO_AREA);
    CHECK(straight && again && cov_table_nrows(straight) == cov_table_nrows(again));
    for (size_t r = 0; straight && again && r < cov_table_nrows(again); r++)
        CHECK(cov_table_doubles(straight, (size_t)col(straight, "demand_covered"))[r] ==
              cov_table_doubles(again, (size_t)col(again, "demand_covered"))[r]);
    cov_travel_model_destroy(sl);
    cov_travel_model_destroy(md);
    cov_travel_model_destroy(mt);
    cov_travel_model_destroy(mw);
    cov_travel_model_destroy(mwin);
    cov_table_destroy(straight);
    cov_table_destroy(again);
    cov_analysis_destroy(a);
    cov_network_destroy(net);
    cov_regions_destroy(reg);
    cov_facilities_destroy(fac);
    cov_demand_destroy(dem);
}

/* ---- dense grid: network vs straight line ---------------------------------- */

/* On a lattice with horizontal, vertical and diagonal roads, the shortest
 * road path between lattice points is the octile distance, which lies
 * between the straight line and sqrt(4 - 2 sqrt 2) = 1.0824 times it. So for
 * every unit: geodesic <= network <= 1.0824 geodesic (plus 0.5 % for the
 * lon/lat lattice not being exactly square over 10 km), and coverage
 * within r along roads is sandwiched between the straight-line coverage
 * within r / 1.0824 / 1.005 and within r * 1.001. Units in a facility's
 * row lie on a straight road: there the two distances agree to 0.1 %. */
#define GN 41
static void test_grid(cov_ctx *ctx)
{
    double h = 250.0, lat0 = 43.0, lon0 = 141.5;
    double dy = h / 111090.0, dx;
    /* make the cell square on the ellipsoid at the grid's mid latitude */
    dx = h / (geod(lon0, lat0 + 20 * dy, lon0 + 0.01, lat0 + 20 * dy) / 0.01);
    dy = h / (geod(lon0, lat0, lon0, lat0 + 0.01) / 0.01);
    size_t n_lines = 2 * GN * (GN - 1) + 2 * (GN - 1) * (GN - 1);
    size_t *off = malloc((n_lines + 1) * sizeof *off);
    double *x = malloc(2 * n_lines * sizeof *x), *y = malloc(2 * n_lines * sizeof *y);
    size_t k = 0;
#define LINE(i0, j0, i1, j1)                                                        \
    do {                                                                            \
        off[k] = 2 * k;                                                             \
        x[2 * k] = lon0 + (i0) * dx, y[2 * k] = lat0 + (j0) * dy;                   \
        x[2 * k + 1] = lon0 + (i1) * dx, y[2 * k + 1] = lat0 + (j1) * dy;           \
        k++;                                                                        \
    } while (0)
    for (int j = 0; j < GN; j++)
        for (int i = 0; i + 1 < GN; i++) {
            LINE(i, j, i + 1, j);
            LINE(j, i, j, i + 1);
        }
    for (int j = 0; j + 1 < GN; j++)
        for (int i = 0; i + 1 < GN; i++) {
            LINE(i, j, i + 1, j + 1);
            LINE(i + 1, j, i, j + 1);
        }
#undef LINE
    off[k] = 2 * k;
    CHECK(k == n_lines);
    cov_network *net = cov_network_from_arrays(ctx, n_lines, off, x, y, NULL, NULL, NULL, NULL);
    CHECK(net && cov_network_node_count(net) == GN * GN);
    size_t nd = GN * GN;
    char (*idbuf)[12] = malloc(nd * sizeof *idbuf);
    const char **ids = malloc(nd * sizeof *ids);
    double *lo = malloc(nd * sizeof *lo), *la = malloc(nd * sizeof *la), *w = malloc(nd * sizeof *w);
    for (size_t d = 0; d < nd; d++) {
        snprintf(idbuf[d], sizeof idbuf[d], "c%zu", d);
        ids[d] = idbuf[d];
        lo[d] = lon0 + (double)(d % GN) * dx, la[d] = lat0 + (double)(d / GN) * dy;
        w[d] = 1;
    }
    const char *wn[] = {"total"};
    cov_demand *dem = cov_demand_from_points(ctx, nd, ids, lo, la, NULL, 1, wn, w);
    const char *fid[] = {"A", "B", "C"}, *fk[] = {"nursing", "nursing", "nursing"};
    int fii[] = {10, 30, 20}, fjj[] = {10, 12, 33};
    double flo[3], fla[3];
    for (int f = 0; f < 3; f++) flo[f] = lon0 + fii[f] * dx, fla[f] = lat0 + fjj[f] * dy;
    cov_facilities *fac = cov_facilities_from_arrays(ctx, 3, fid, NULL, fk, NULL, flo, fla, NULL);
    char wkt[256];
    snprintf(wkt, sizeof wkt, "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))",
             lon0 - 0.01, lat0 - 0.01, lon0 + 0.2, lat0 - 0.01, lon0 + 0.2, lat0 + 0.2, lon0 - 0.01,
             lat0 + 0.2, lon0 - 0.01, lat0 - 0.01);
    const char *wkts[] = {wkt}, *rid[] = {"R"};
    cov_regions *reg = rect_regions(ctx, 1, wkts, rid);
    cov_analysis *a = net && dem && fac && reg ? cov_analysis_create(ctx, reg, fac, dem, NULL) : NULL;
    CHECK(a != NULL);
    if (a) {
        const double oct = sqrt(4 - 2 * sqrt(2.0));
        double r = 3000;
        cov_table *s_lo = cov_analysis_coverage(ctx, a, NULL, r / oct / 1.005, 0, COV_COVERAGE_NO_AREA);
        cov_table *s_hi = cov_analysis_coverage(ctx, a, NULL, r * 1.001, 0, COV_COVERAGE_NO_AREA);
        cov_table *s_rt = cov_analysis_reach(ctx, a, NULL, "nursing", 1e5);
        cov_travel_model *m = cov_travel_model_network(ctx, net, NULL);
        CHECK(m != NULL);
        cov_table *n_cov = cov_analysis_coverage(ctx, a, m, r, 0, COV_COVERAGE_NO_AREA);
        cov_table *n_rt = cov_analysis_reach(ctx, a, m, "nursing", 1e5);
        cov_travel_model_destroy(m);
        CHECK(s_lo && s_hi && n_cov && s_rt && n_rt);
        if (s_lo && s_hi && n_cov) {
            size_t cc = (size_t)col(n_cov, "demand_covered");
            double lo_v = cov_table_doubles(s_lo, cc)[0], hi_v = cov_table_doubles(s_hi, cc)[0],
                   v = cov_table_doubles(n_cov, cc)[0];
            CHECK(lo_v <= v && v <= hi_v);
            CHECK(v > 0.8 * hi_v); /* the sandwich is narrow: not a vacuous check */
        }
        if (s_rt && n_rt) {
            size_t cs = (size_t)col(s_rt, "distance_m"), cn = (size_t)col(n_rt, "distance_m");
            size_t ci = (size_t)col(n_rt, "nearest_index");
            int ok_lo = 1, ok_hi = 1, ok_row = 1;
            for (size_t d = 0; d < nd; d++) {
                double sd = cov_table_doubles(s_rt, cs)[d], nd_ = cov_table_doubles(n_rt, cn)[d];
                int64_t f = cov_table_ints(n_rt, ci)[d];
                double to_f = geod(lo[d], la[d], flo[f], fla[f]);
                ok_lo &= nd_ >= sd * (1 - 1e-3) && nd_ >= to_f * (1 - 1e-3);
                ok_hi &= nd_ <= sd * oct * 1.005 + 1e-6;
                if ((int)(d / GN) == fjj[f]) ok_row &= fabs(nd_ - to_f) <= 1e-3 * to_f + 1e-6;
            }
            CHECK(ok_lo);
            CHECK(ok_hi);
            CHECK(ok_row);
        }
        cov_table_destroy(s_lo);
        cov_table_destroy(s_hi);
        cov_table_destroy(s_rt);
        cov_table_destroy(n_cov);
        cov_table_destroy(n_rt);
    }
    cov_analysis_destroy(a);
    cov_network_destroy(net);
    cov_demand_destroy(dem);
    cov_facilities_destroy(fac);
    cov_regions_destroy(reg);
    free(off); free(x); free(y); free(idbuf); free(ids); free(lo); free(la); free(w);
}

/* Option structs grow without breaking older programs: struct_size says
 * how much the caller has; the rest keeps its defaults. */
static void test_struct_size(cov_ctx *ctx)
{
    cov_network *net = cov_network_from_arrays(ctx, 1, (size_t[]){0, 2},
                                                (double[]){141.30, 141.31},
                                                (double[]){43.0, 43.0}, NULL, NULL, NULL, NULL);
    CHECK(net != NULL);
    cov_travel tr;
    cov_travel_init(&tr);
    CHECK(tr.struct_size == sizeof tr);
    /* a program built before isochrone_buffer_m existed: its struct ends
     * before it, and what lies beyond is not read */
    tr.struct_size = offsetof(cov_travel, isochrone_buffer_m);
    tr.isochrone_buffer_m = -5;
    tr.metric = COV_TRAVEL_TIME;
    cov_travel_model *m = cov_travel_model_network(ctx, net, &tr);
    cov_travel back;
    CHECK(m && cov_travel_model_travel(ctx, m, &back) == COV_OK);
    CHECK(back.isochrone_buffer_m == 100.0 && back.metric == COV_TRAVEL_TIME &&
          back.struct_size == sizeof back);
    cov_travel_model_destroy(m);
    tr.struct_size = 0; /* not made by cov_travel_init() */
    CHECK(cov_travel_model_network(ctx, net, &tr) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "struct_size is 0");
    tr.struct_size = sizeof tr + 8; /* built against newer headers */
    CHECK(cov_travel_model_network(ctx, net, &tr) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "newer headers");
    int64_t node = 0;
    CHECK(cov_network_node_search(ctx, net, 1, &node, &tr, 100, 1) == NULL);
    cov_network_options no;
    cov_network_options_init(&no);
    no.struct_size = 3;
    CHECK(cov_network_from_arrays(ctx, 1, (size_t[]){0, 2}, (double[]){141.3, 141.31},
                                  (double[]){43.0, 43.0}, NULL, NULL, NULL, &no) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "network options");
    cov_network_destroy(net);
}

int main(void)
{
    geod_init(&G, 6378137.0, 1 / 298.257222101);
    cov_ctx *ctx = cov_ctx_create();
    cov_ctx_set_message_handler(ctx, on_message, NULL);
    test_hand_built(ctx);
    test_struct_size(ctx);
    test_grid(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
