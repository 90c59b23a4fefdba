/* Planning on hand-built cases, every figure recomputed here by brute force
 * with geod_inverse (reach sets, policy shares, backup, the optimum of the
 * designation by enumeration, 2SFCA/E2SFCA and the Gini by their
 * definitions, clusters by pairwise links, cell areas in closed form). */
#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reach_engine.h"
#include "model/reach_sets.h"
#include "libcoverage/coverage.h"
#include "testgeom.h"
#include "testutil.h"

#define PI 3.14159265358979323846
#define R 5000.0
#define A_ 6378137.0
#define F_ (1.0 / 298.257222101)
#define E2 (F_ * (2.0 - F_))

static struct geod_geodesic geod;

static double dist(double lon1, double lat1, double lon2, double lat2)
{
    double s;
    geod_inverse(&geod, lat1, lon1, lat2, lon2, &s, NULL, NULL);
    return s;
}

static double quad_area(double lon1, double lat1, double lon2, double lat2)
{
    double e = sqrt(E2), s1 = sin(lat1 * PI / 180), s2 = sin(lat2 * PI / 180);
    double q1 = s1 / (1 - E2 * s1 * s1) + log((1 + e * s1) / (1 - e * s1)) / (2 * e);
    double q2 = s2 / (1 - E2 * s2 * s2) + log((1 + e * s2) / (1 - e * s2)) / (2 * e);
    return 0.5 * A_ * A_ * (1 - E2) * (lon2 - lon1) * PI / 180 * (q2 - q1);
}

static cov_regions *make_regions(cov_ctx *ctx, size_t n, const char **wkt, const char **ids)
{
    return test_regions_from_wkt(ctx, n, wkt, ids, NULL);
}

/* Three regions side by side; C has no facility. */
static const char *rwkt[] = {"POLYGON((141 43,141.2 43,141.2 43.2,141 43.2,141 43))",
                             "POLYGON((141.2 43,141.4 43,141.4 43.2,141.2 43.2,141.2 43))",
                             "POLYGON((141.4 43,141.6 43,141.6 43.2,141.4 43.2,141.4 43))"};
static const char *rid[] = {"A", "B", "C"};
enum { NF = 6 };
static const char *fid[NF] = {"Z1", "E1", "Z2", "N1", "Z3", "H1"};
static const char *fkind[NF] = {"zaishin", "enhanced_single", "zaishin", "nursing", "zaishin",
                                "hospital"};
static const double flon[NF] = {141.05, 141.15, 141.3, 141.1, 141.33, 141.45};
static const double flat[NF] = {43.1, 43.1, 43.1, 43.1, 43.12, 43.1};
static const double fcap[NF] = {1, 4, 2, 6, 1, 10};
static const char *froles[NF] = {"hub", "", "lead", "", "", ""};

#define NU 60
static char uid[NU][8];
static const char *uidp[NU];
static double ulon[NU], ulat[NU], uw[NU];

static void make_units(void)
{
    for (int i = 0; i < NU; i++) { /* a 12 x 5 grid over the three regions */
        snprintf(uid[i], sizeof uid[i], "u%02d", i);
        uidp[i] = uid[i];
        ulon[i] = 141.01 + 0.05 * (i % 12);
        ulat[i] = 43.02 + 0.04 * (i / 12);
        uw[i] = 1 + (i * 37) % 11;
    }
}

static int region_of_lon(double lon) { return lon < 141.2 ? 0 : lon < 141.4 ? 1 : 2; }

static void check_reach_sets(cov_ctx *ctx, cov_analysis *a)
{
    /* the engine's sets, first with every cost */
    cov__reach *entry = cov__reach_get(ctx, a, NULL, R);
    const cov__reach_sets *all = entry ? cov__reach_sets_of(ctx, a, entry, COV__COSTS_ALL) : NULL;
    CHECK(all && all->n_sets == NF);
    if (!all) return;
    cov__reach_sets rs = *all;
    for (int f = 0; f < NF; f++) {
        size_t k = rs.offset[f];
        for (int u = 0; u < NU; u++) {
            double d = dist(flon[f], flat[f], ulon[u], ulat[u]);
            if (d > R) continue;
            CHECK(k < rs.offset[f + 1] && rs.unit[k] == (uint32_t)u);
            if (k < rs.offset[f + 1]) CHECK_NEAR(rs.cost[k], d, 1e-6);
            k++;
        }
        CHECK(k == rs.offset[f + 1]);
    }
    cov__reach_sets zero = {0};
    cov__reach_sets_free(&zero); /* a zeroed struct is a no-op */
    /* membership only: the same sets; a cost is NaN (surely inside, no
     * geodesic computed) or the geodesic */
    /* a fresh threshold (a hair above R, no unit lies between) */
    entry = cov__reach_get(ctx, a, NULL, R + 1e-6);
    const cov__reach_sets *none = entry ? cov__reach_sets_of(ctx, a, entry, COV__COSTS_NONE) : NULL;
    CHECK(none != NULL);
    if (!none) return;
    rs = *none;
    size_t n_nan = 0;
    for (int f = 0; f < NF; f++) {
        size_t k = rs.offset[f];
        for (int u = 0; u < NU; u++) {
            double d = dist(flon[f], flat[f], ulon[u], ulat[u]);
            if (d > R) continue;
            CHECK(k < rs.offset[f + 1] && rs.unit[k] == (uint32_t)u);
            if (k < rs.offset[f + 1] && !isnan(rs.cost[k])) CHECK_NEAR(rs.cost[k], d, 1e-6);
            n_nan += k < rs.offset[f + 1] && isnan(rs.cost[k]);
            k++;
        }
        CHECK(k == rs.offset[f + 1]);
    }
    CHECK(n_nan > 0); /* the saving is real */
    CHECK(cov__reach_get(ctx, a, NULL, -1) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
}

static double cellv(const cov_table *t, size_t row, const char *col)
{
    long c = cov_table_column_index(t, col);
    if (c < 0) return NAN;
    if (cov_table_column_type(t, (size_t)c) == COV_COL_INT)
        return (double)cov_table_ints(t, (size_t)c)[row];
    return cov_table_doubles(t, (size_t)c)[row];
}

static const char *cells(const cov_table *t, size_t row, const char *col)
{
    return cov_table_string(t, (size_t)cov_table_column_index(t, col), row);
}

static long policy_row(const cov_table *t, const char *region, const char *check)
{
    for (size_t i = 0; i < cov_table_nrows(t); i++)
        if (!strcmp(cells(t, i, "region_id"), region) && !strcmp(cells(t, i, "check"), check))
            return (long)i;
    return -1;
}

static void check_policy(cov_ctx *ctx, cov_analysis *a)
{
    cov_policy_options o;
    cov_policy_options_init(&o);
    o.rule16_m = o.doctor_threshold = o.nursing_threshold = R;
    cov_table *t = cov_policy_check(ctx, a, NULL, &o);
    CHECK(t != NULL);
    CHECK(cov_table_nrows(t) == 3 * 8);
    int hc[NF] = {1, 1, 1, 0, 1, 0}, doc[NF] = {1, 1, 1, 0, 1, 1};
    for (int r = 0; r < 3; r++) {
        double tot = 0, in16 = 0, exc = 0, nur = 0, red = 0;
        for (int u = 0; u < NU; u++) {
            if (region_of_lon(ulon[u]) != r) continue;
            int n_hc = 0, n_doc = 0, n_nur = 0;
            for (int f = 0; f < NF; f++) {
                int in = dist(flon[f], flat[f], ulon[u], ulat[u]) <= R;
                n_hc += in && hc[f];
                n_doc += in && doc[f];
                n_nur += in && f == 3;
            }
            tot += uw[u];
            in16 += n_hc ? uw[u] : 0;
            exc += n_doc ? 0 : uw[u];
            nur += n_nur ? uw[u] : 0;
            red += n_hc >= 2 ? uw[u] : 0;
        }
        long row = policy_row(t, rid[r], "rule16");
        CHECK(row >= 0);
        CHECK_NEAR(cellv(t, (size_t)row, "value"), in16 / tot, 1e-12);
        CHECK(cellv(t, (size_t)row, "passed") == (in16 / tot >= 0.9));
        row = policy_row(t, rid[r], "rule16_exception");
        CHECK_NEAR(cellv(t, (size_t)row, "value"), exc, 1e-9);
        row = policy_row(t, rid[r], "nursing");
        CHECK_NEAR(cellv(t, (size_t)row, "value"), nur / tot, 1e-12);
        row = policy_row(t, rid[r], "redundancy");
        CHECK_NEAR(cellv(t, (size_t)row, "value"), red / tot, 1e-12);
    }
    /* designations: A has a hub (Z1) and no lead, B a lead (Z2), C nothing */
    CHECK(cellv(t, (size_t)policy_row(t, "A", "lead"), "passed") == 0);
    CHECK(cellv(t, (size_t)policy_row(t, "A", "hub"), "passed") == 1);
    CHECK(cellv(t, (size_t)policy_row(t, "B", "lead"), "passed") == 1);
    CHECK(cellv(t, (size_t)policy_row(t, "C", "home_care"), "passed") == 0);
    CHECK_CONTAINS(cells(t, (size_t)policy_row(t, "C", "home_care"), "reason"), "no 在支診");
    CHECK(cellv(t, (size_t)policy_row(t, "A", "home_care"), "value") == 2);
    /* backup: Z1's nearest provider is E1 (enhanced), Z3's is Z2 (lead) */
    double d_z1 = dist(flon[0], flat[0], flon[1], flat[1]);
    double d_z3 = dist(flon[4], flat[4], flon[2], flat[2]);
    CHECK(d_z1 > R && d_z3 < R); /* the construction */
    CHECK(cellv(t, (size_t)policy_row(t, "A", "backup"), "passed") == 0);
    CHECK(cellv(t, (size_t)policy_row(t, "B", "backup"), "passed") == 1);
    cov_table_destroy(t);
    cov_table *b = cov_policy_backup(ctx, a, NULL, &o);
    CHECK(b && cov_table_nrows(b) == 2); /* Z1 and Z3 are standard; Z2 is a lead */
    if (b && cov_table_nrows(b) == 2) {
        CHECK_STR(cells(b, 0, "facility_id"), "Z1");
        CHECK_STR(cells(b, 0, "backup_id"), "E1");
        CHECK_NEAR(cellv(b, 0, "backup_distance_m"), d_z1, 1e-6);
        CHECK(cellv(b, 0, "has_backup") == 0);
        CHECK_STR(cells(b, 1, "backup_id"), "Z2");
        CHECK(cellv(b, 1, "has_backup") == 1);
    }
    cov_table_destroy(b);
    o.weight = 7;
    CHECK(cov_policy_check(ctx, a, NULL, &o) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov_policy_check(ctx, NULL, NULL, &o) == NULL);
}

/* Objective of a selection by brute force (enhanced weight ew). */
static double objective(const int *sel, double ew, double *covered)
{
    double obj = 0;
    *covered = 0;
    for (int u = 0; u < NU; u++) {
        double best = 0;
        for (int f = 0; f < NF; f++)
            if (sel[f] && dist(flon[f], flat[f], ulon[u], ulat[u]) <= R) {
                double p = f == 1 ? ew : 1.0;
                if (p > best) best = p;
            }
        obj += uw[u] * best;
        *covered += best > 0 ? uw[u] : 0;
    }
    return obj;
}

/* Sum of a picks table's gain_objective (0 for no table): the plan's
 * objective as the library counts it. */
static double objective_of_picks(const cov_table *picks)
{
    double sum = 0;
    for (size_t r = 0; picks && r < cov_table_nrows(picks); r++)
        sum += cellv(picks, r, "gain_objective");
    return sum;
}

static void check_plan(cov_ctx *ctx, cov_analysis *a)
{
    cov_plan_options o;
    cov_plan_options_init(&o);
    o.threshold = R;
    o.budget = 2;
    cov_table *picks = NULL, *regions = NULL;
    CHECK(cov_plan_designate(ctx, a, NULL, &o, &picks, &regions) == COV_OK);
    /* enumerate: Z2 fixed; two of {Z1, E1, Z3}, at least one in A */
    double best = -1, best_cov = 0;
    int cands[3] = {0, 1, 4};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++) {
            int sel[NF] = {0};
            sel[2] = 1;
            sel[cands[i]] = sel[cands[j]] = 1;
            if (!sel[0] && !sel[1]) continue;
            double c, v = objective(sel, 1.1, &c);
            if (v > best) best = v, best_cov = c;
        }
    CHECK(picks && cov_table_nrows(picks) == 3);
    CHECK_NEAR(objective_of_picks(picks), best, 1e-9);
    if (picks) {
        CHECK_STR(cells(picks, 0, "facility_id"), "Z2");
        CHECK_STR(cells(picks, 0, "reason"), "fixed");
        CHECK_NEAR(cellv(picks, 2, "covered_demand"), best_cov, 1e-9);
        /* gains are non-increasing after the fixed ones (greedy order) */
        CHECK(cellv(picks, 1, "gain_objective") >= cellv(picks, 2, "gain_objective"));
    }
    CHECK(regions && cov_table_nrows(regions) == 3);
    if (regions) {
        CHECK_CONTAINS(cells(regions, 2, "status"), "cross-region");
        CHECK_STR(cells(regions, 0, "status"), "ok");
        double tot = 0, after = 0;
        for (size_t r = 0; r < 3; r++) tot += cellv(regions, r, "demand_total"),
                                       after += cellv(regions, r, "covered_after");
        double all = 0;
        for (int u = 0; u < NU; u++) all += uw[u];
        CHECK_NEAR(tot, all, 1e-9);
        CHECK_NEAR(after, best_cov, 1e-9);
    }
    cov_table_destroy(picks);
    cov_table_destroy(regions);
    /* budget too small: without the fixed lead both A and B need one */
    unsigned char fixed[NF] = {0};
    o.fixed = fixed;
    o.budget = 1;
    CHECK(cov_plan_designate(ctx, a, NULL, &o, &picks, NULL) == COV_ERR_ARG);
    CHECK(picks == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "A, B");
    /* target share: stops at the first pick reaching it */
    o.budget = 0;
    o.target_share = 0.01;
    CHECK(cov_plan_designate(ctx, a, NULL, &o, &picks, NULL) == COV_OK);
    CHECK(picks && cov_table_nrows(picks) == 2); /* A and B need one each; share reached */
    cov_table_destroy(picks);
    o.target_share = 2;
    CHECK(cov_plan_designate(ctx, a, NULL, &o, &picks, NULL) == COV_ERR_ARG);
}

/* The covering model as arrays (cov_plan_problem) against the hand-built
 * case: statuses, preferences, regions that need a lead, weights and every
 * reach set by brute force; and start picks giving exactly a given plan. */
static void check_problem(cov_ctx *ctx, cov_analysis *a)
{
    cov_plan_options o;
    cov_plan_options_init(&o);
    o.threshold = R;
    o.budget = 2;
    cov_plan_problem *q = cov_plan_problem_create(ctx, a, NULL, &o);
    CHECK(q != NULL);
    if (!q) return;
    CHECK(q->n_facilities == NF && q->n_units == NU && q->n_regions == 3 && q->budget == 2);
    static const unsigned char want_status[NF] = {1, 1, 2, 0, 1, 0};
    double total = 0;
    for (int u = 0; u < NU; u++) {
        CHECK_NEAR(q->weight[u], uw[u], 0);
        total += uw[u];
    }
    CHECK_NEAR(q->total, total, 1e-9);
    for (int f = 0; f < NF; f++) {
        CHECK(q->status[f] == want_status[f]);
        CHECK_NEAR(q->pref[f], f == 1 ? 1.1 : 1.0, 0);
        CHECK(q->region[f] == region_of_lon(flon[f]));
        size_t k = q->offset[f];
        for (int u = 0; u < NU; u++)
            if (want_status[f] && dist(flon[f], flat[f], ulon[u], ulat[u]) <= R) {
                CHECK(k < q->offset[f + 1] && q->unit[k] == (uint32_t)u);
                k++;
            }
        CHECK(k == q->offset[f + 1]); /* nothing more, and none for the others */
    }
    /* A has candidates and no lead; B has Z2 (lead role); C has no candidate */
    CHECK(q->needs_lead[0] == 1 && q->needs_lead[1] == 0 && q->needs_lead[2] == 0);
    cov_plan_problem_destroy(q);
    o.budget = 0; /* one per region only: the budget is the regions that need one */
    q = cov_plan_problem_create(ctx, a, NULL, &o);
    CHECK(q && q->budget == 1);
    cov_plan_problem_destroy(q);
    cov_plan_problem_destroy(NULL);
    unsigned char fixed[NF] = {0};
    o.fixed = fixed;
    o.budget = 1;
    CHECK(cov_plan_problem_create(ctx, a, NULL, &o) == NULL &&
          cov_last_error(ctx) == COV_ERR_ARG);
    /* start picks with no swaps and a budget of their number: exactly them */
    o.fixed = NULL;
    unsigned char start[NF] = {0, 0, 0, 0, 1, 0}; /* Z3, in B: A still gets its lead */
    o.start = start;
    o.swap_passes = 0;
    o.budget = 2;
    cov_table *picks = NULL;
    CHECK(cov_plan_designate(ctx, a, NULL, &o, &picks, NULL) == COV_OK);
    int seen_z3 = 0;
    for (size_t r = 0; picks && r < cov_table_nrows(picks); r++)
        seen_z3 += strcmp(cells(picks, r, "facility_id"), "Z3") == 0;
    CHECK(picks && cov_table_nrows(picks) == 3 && seen_z3 == 1);
    cov_table_destroy(picks);
    start[0] = 1; /* Z1 and Z3: the plan, objective by enumeration */
    CHECK(cov_plan_designate(ctx, a, NULL, &o, &picks, NULL) == COV_OK);
    int sel[NF] = {1, 0, 1, 0, 1, 0};
    double cov_, want = objective(sel, 1.1, &cov_);
    CHECK(picks && cov_table_nrows(picks) == 3);
    CHECK_NEAR(objective_of_picks(picks), want, 1e-9);
    cov_table_destroy(picks);
    o.budget = 1; /* more start picks than the budget */
    CHECK(cov_plan_designate(ctx, a, NULL, &o, &picks, NULL) == COV_ERR_ARG && picks == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "start picks");
}

static void check_access(cov_ctx *ctx, cov_analysis *a)
{
    double limits[2] = {2500, R}, weights[2] = {1.0, 0.4};
    for (int variant = 0; variant < 2; variant++) {
        cov_access_options o;
        cov_access_options_init(&o);
        o.threshold = R;
        if (variant) o.band_limits = limits, o.band_weights = weights, o.n_bands = 2;
        cov_table *tu = NULL, *tr = NULL;
        CHECK(cov_access_2sfca(ctx, a, NULL, &o, &tu, &tr) == COV_OK);
        int doctor[NF] = {1, 1, 1, 0, 1, 1};
        double acc[NU] = {0};
        for (int f = 0; f < NF; f++) {
            if (!doctor[f]) continue;
            double den = 0, wt[NU];
            for (int u = 0; u < NU; u++) {
                double d = dist(flon[f], flat[f], ulon[u], ulat[u]);
                wt[u] = d > R ? 0 : !variant ? 1 : d <= 2500 ? 1.0 : 0.4;
                den += wt[u] * uw[u];
            }
            for (int u = 0; u < NU && den > 0; u++) acc[u] += wt[u] * fcap[f] / den;
        }
        for (int u = 0; u < NU && tu; u++) CHECK_NEAR(cellv(tu, (size_t)u, "access"), acc[u], 1e-12);
        for (int r = 0; r < 3 && tr; r++) { /* mean and Gini by their definitions */
            double P = 0, S = 0, G = 0;
            for (int u = 0; u < NU; u++)
                if (region_of_lon(ulon[u]) == r) P += uw[u], S += uw[u] * acc[u];
            for (int u = 0; u < NU; u++)
                for (int v = 0; v < NU; v++)
                    if (region_of_lon(ulon[u]) == r && region_of_lon(ulon[v]) == r)
                        G += uw[u] * uw[v] * fabs(acc[u] - acc[v]);
            CHECK_NEAR(cellv(tr, (size_t)r, "mean"), S / P, 1e-12);
            if (S > 0) CHECK_NEAR(cellv(tr, (size_t)r, "gini"), G / (2 * P * P * (S / P)), 1e-12);
        }
        cov_table_destroy(tu);
        cov_table_destroy(tr);
    }
    cov_access_options o;
    cov_access_options_init(&o);
    o.supply = COV_SUPPLY_DOCTORS; /* unknown for every facility */
    CHECK(cov_access_2sfca(ctx, a, NULL, &o, NULL, NULL) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "has no doctors");
    double bad[2] = {R, 2500};
    cov_access_options_init(&o);
    o.band_limits = bad, o.n_bands = 2;
    CHECK(cov_access_2sfca(ctx, a, NULL, &o, NULL, NULL) == COV_ERR_ARG);
}

static size_t find(size_t *p, size_t x) { return p[x] == x ? x : (p[x] = find(p, p[x])); }

static void check_clusters_points(cov_ctx *ctx, cov_analysis *a)
{
    cov_gap_options o;
    cov_gap_options_init(&o);
    o.threshold = R;
    o.link_m = 6000;
    cov_table *t = cov_gap_clusters(ctx, a, NULL, &o);
    CHECK(t != NULL);
    /* brute force: uncovered by N1, linked within 6 km inside a region */
    size_t p[NU];
    int unc[NU];
    for (size_t u = 0; u < NU; u++) {
        p[u] = u;
        unc[u] = dist(flon[3], flat[3], ulon[u], ulat[u]) > R;
    }
    for (size_t u = 0; u < NU; u++)
        for (size_t v = 0; v < NU; v++)
            if (unc[u] && unc[v] && region_of_lon(ulon[u]) == region_of_lon(ulon[v]) &&
                dist(ulon[u], ulat[u], ulon[v], ulat[v]) <= 6000)
                p[find(p, u)] = find(p, v);
    double demand[NU] = {0};
    size_t n = 0;
    for (size_t u = 0; u < NU; u++)
        if (unc[u]) demand[find(p, u)] += uw[u];
    for (size_t u = 0; u < NU; u++) n += unc[u] && find(p, u) == u;
    CHECK(t && cov_table_nrows(t) == n);
    double best = 0;
    for (size_t u = 0; u < NU; u++) best = fmax(best, demand[u]);
    if (t && n) {
        CHECK_NEAR(cellv(t, 0, "demand"), best, 1e-9);
        for (size_t r = 1; r < n; r++) CHECK(cellv(t, r - 1, "demand") >= cellv(t, r, "demand"));
    }
    cov_table_destroy(t);
    /* sites: one site; its gain is the best uncovered weight within R */
    o.max_sites = 1;
    t = cov_plan_sites(ctx, a, NULL, &o);
    double best_gain = 0;
    for (size_t c = 0; c < NU; c++) {
        if (!unc[c]) continue;
        double g = 0;
        for (size_t v = 0; v < NU; v++)
            if (unc[v] && dist(ulon[c], ulat[c], ulon[v], ulat[v]) <= R) g += uw[v];
        best_gain = fmax(best_gain, g);
    }
    CHECK(t && cov_table_nrows(t) == 1);
    if (t && cov_table_nrows(t)) CHECK_NEAR(cellv(t, 0, "gain_demand"), best_gain, 1e-9);
    cov_table_destroy(t);
}

/* Mesh cells: 11, 12 and 22 join (12-22 share a corner), 55 stands alone. */
static void check_clusters_mesh(cov_ctx *ctx)
{
    const char *wkt[] = {"POLYGON((139 35.3,139.2 35.3,139.2 35.5,139 35.5,139 35.3))"};
    const char *ids[] = {"M"};
    cov_regions *reg = make_regions(ctx, 1, wkt, ids);
    const char *codes[] = {"53390011", "53390012", "53390022", "53390055"};
    const char *wn[] = {"total"};
    double w[] = {5, 7, 11, 3};
    cov_demand *d = cov_demand_from_mesh(ctx, 4, codes, 1, wn, w);
    const char *fi[] = {"far"}, *fk[] = {"nursing"};
    double fx[] = {139.9}, fy[] = {35.9};
    cov_facilities *f = cov_facilities_from_arrays(ctx, 1, fi, NULL, fk, NULL, fx, fy, NULL);
    cov_analysis *a = cov_analysis_create(ctx, reg, f, d, NULL);
    cov_gap_options o;
    cov_gap_options_init(&o);
    o.threshold = 1000;
    cov_table *t = cov_gap_clusters(ctx, a, NULL, &o);
    CHECK(t && cov_table_nrows(t) == 2);
    if (t && cov_table_nrows(t) == 2) {
        CHECK_NEAR(cellv(t, 0, "demand"), 23, 0);
        CHECK(cellv(t, 0, "n_units") == 3);
        /* 3rd mesh 5339 00 uv: lat 35 20' + u 30", lon 139 + v 45" */
        double lat0 = 53 / 1.5, lon0 = 139;
        double area = quad_area(lon0 + 45.0 / 3600, lat0 + 30.0 / 3600, lon0 + 90.0 / 3600,
                                lat0 + 60.0 / 3600) +
                      quad_area(lon0 + 90.0 / 3600, lat0 + 30.0 / 3600, lon0 + 135.0 / 3600,
                                lat0 + 60.0 / 3600) +
                      quad_area(lon0 + 90.0 / 3600, lat0 + 60.0 / 3600, lon0 + 135.0 / 3600,
                                lat0 + 90.0 / 3600);
        CHECK(fabs(cellv(t, 0, "area_km2") * 1e6 / area - 1) < 1e-6);
        double wlon = (5 * (lon0 + 67.5 / 3600) + 7 * (lon0 + 112.5 / 3600) +
                       11 * (lon0 + 112.5 / 3600)) / 23;
        CHECK_NEAR(cellv(t, 0, "centroid_lon"), wlon, 1e-9);
        CHECK_STR(cells(t, 0, "nearest_id"), "far");
        CHECK_NEAR(cellv(t, 1, "demand"), 3, 0);
    }
    cov_table_destroy(t);
    cov_analysis_destroy(a);
    cov_facilities_destroy(f);
    cov_demand_destroy(d);
    cov_regions_destroy(reg);
}

/* Sub-areas: A split in two halves (no lead in either: Z1 is only a hub),
 * B whole (its lead Z2 inside); parents found from a point inside, then
 * given explicitly. */
static void check_subareas(cov_ctx *ctx, cov_analysis *a)
{
    const char *wkt[] = {"POLYGON((141 43,141.1 43,141.1 43.2,141 43.2,141 43))",
                         "POLYGON((141.1 43,141.2 43,141.2 43.2,141.1 43.2,141.1 43))",
                         "POLYGON((141.2 43,141.4 43,141.4 43.2,141.2 43.2,141.2 43))"};
    const char *ids[] = {"A1", "A2", "B1"};
    cov_regions *sub = make_regions(ctx, 3, wkt, ids);
    cov_policy_options o;
    cov_policy_options_init(&o);
    o.subareas = sub;
    cov_table *t = cov_policy_check(ctx, a, NULL, &o);
    CHECK(t && cov_table_nrows(t) == 3 * 9);
    if (t) {
        long ra = policy_row(t, "A", "subareas"), rb = policy_row(t, "B", "subareas"),
             rc = policy_row(t, "C", "subareas");
        CHECK(cellv(t, (size_t)ra, "passed") == 0 && cellv(t, (size_t)ra, "value") == 2);
        CHECK_CONTAINS(cells(t, (size_t)ra, "reason"), "2 of 2 sub-areas have no lead: A1, A2");
        CHECK(cellv(t, (size_t)rb, "passed") == 1);
        CHECK(cellv(t, (size_t)rc, "passed") == -1);
    }
    cov_table_destroy(t);
    const char *parents[] = {"A", "A", "Z"};
    o.subarea_parent = parents;
    CHECK(cov_policy_check(ctx, a, NULL, &o) == NULL && cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "sub-area B1: parent region \"Z\"");
    parents[2] = "A"; /* B1 declared part of A: A then has 1 of 3 with a lead */
    t = cov_policy_check(ctx, a, NULL, &o);
    if (t) {
        long ra = policy_row(t, "A", "subareas");
        CHECK(cellv(t, (size_t)ra, "value") == 2);
        CHECK_CONTAINS(cells(t, (size_t)ra, "reason"), "2 of 3 sub-areas");
        CHECK(cellv(t, (size_t)policy_row(t, "B", "subareas"), "passed") == -1);
    }
    cov_table_destroy(t);
    cov_regions_destroy(sub);
}

static void check_attrs(cov_ctx *ctx)
{
    const char *dir = getenv("COV_TEST_TMP");
    char path[1024];
    snprintf(path, sizeof path, "%s/planning_fac.csv", dir ? dir : ".");
    FILE *fp = fopen(path, "w");
    fputs("id,kind,role,h24,doctors,lon,lat\n"
          "a,zaishin,lead;hub,1,3,141,43\n"
          "b,zaishin,,無,,141.1,43\n"
          "c,nursing,拠点,,2.5,141.2,43\n", fp);
    fclose(fp);
    cov_facility_fields ff = {.id = "id", .kind = "kind", .lon = "lon", .lat = "lat",
                              .roles = "role", .h24 = "h24", .doctors = "doctors"};
    cov_facilities *f = cov_facilities_read_csv(ctx, path, &ff, NULL);
    CHECK(f != NULL);
    CHECK(cov_facilities_roles(f, 0) == (COV_ROLE_LEAD | COV_ROLE_HUB));
    CHECK(cov_facilities_roles(f, 1) == 0 && cov_facilities_roles(f, 2) == COV_ROLE_HUB);
    CHECK(cov_facilities_h24(f, 0) == 1 && cov_facilities_h24(f, 1) == 0 &&
          cov_facilities_h24(f, 2) == -1);
    CHECK(cov_facilities_supply(f, 0, COV_SUPPLY_DOCTORS) == 3);
    CHECK(isnan(cov_facilities_supply(f, 1, COV_SUPPLY_DOCTORS)));
    CHECK(isnan(cov_facilities_supply(f, 0, COV_SUPPLY_BEDS)));
    CHECK_STR(cov_facilities_network_id(f, 0), "");
    cov_facilities_destroy(f);
    fp = fopen(path, "w");
    fputs("id,kind,role,lon,lat\na,zaishin,lead,141,43\nb,zaishin,boss,141,43.1\n", fp);
    fclose(fp);
    cov_facility_fields bad = {.id = "id", .lon = "lon", .lat = "lat", .roles = "role"};
    CHECK(cov_facilities_read_csv(ctx, path, &bad, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "line 3, field role (facility b): \"boss\"");
    /* no planning fields: attributes absent */
    cov_facility_fields plain = {.id = "id", .lon = "lon", .lat = "lat"};
    f = cov_facilities_read_csv(ctx, path, &plain, NULL);
    CHECK(f && cov_facilities_roles(f, 0) == 0 && cov_facilities_h24(f, 0) == -1);
    /* arrays */
    const char *roles[] = {"hub", "lead"};
    int h24[] = {1, 2};
    cov_facility_attrs at = {.roles = roles, .h24 = h24};
    CHECK(cov_facilities_set_attrs(ctx, f, &at) == COV_ERR_VALUE);
    CHECK(cov_facilities_roles(f, 0) == 0); /* left without attributes */
    h24[1] = 0;
    CHECK(cov_facilities_set_attrs(ctx, f, &at) == COV_OK);
    CHECK(cov_facilities_roles(f, 1) == COV_ROLE_LEAD && cov_facilities_h24(f, 0) == 1);
    cov_facilities_destroy(f);
}

static void check_jmap(cov_ctx *ctx)
{
    double pop[10] = {10, 20, 30, 40, 50, 0, 0, 0, 0, 1}, out[2];
    CHECK(cov_demand_jmap_weights(ctx, 2, pop, out) == COV_OK);
    CHECK_NEAR(out[0], 0.6 * 10 + 0.4 * 20 + 30 + 2.3 * 40 + 3.9 * 50, 1e-12);
    CHECK_NEAR(out[1], 3.9, 1e-15);
    pop[3] = -1;
    CHECK(cov_demand_jmap_weights(ctx, 2, pop, out) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "row 0, age group 65-74");
}

int main(void)
{
    geod_init(&geod, A_, F_);
    make_units();
    cov_ctx *ctx = cov_ctx_create();
    cov_regions *reg = make_regions(ctx, 3, rwkt, rid);
    cov_facilities *f = cov_facilities_from_arrays(ctx, NF, fid, NULL, fkind, fcap, flon, flat,
                                                   NULL);
    cov_facility_attrs at = {.roles = froles};
    CHECK(cov_facilities_set_attrs(ctx, f, &at) == COV_OK);
    const char *wn[] = {"total"};
    cov_demand *d = cov_demand_from_points(ctx, NU, uidp, ulon, ulat, NULL, 1, wn, uw);
    cov_analysis *a = cov_analysis_create(ctx, reg, f, d, NULL);
    CHECK(a != NULL);
    if (a) {
        check_reach_sets(ctx, a);
        check_policy(ctx, a);
        check_plan(ctx, a);
        check_problem(ctx, a);
        check_access(ctx, a);
        check_clusters_points(ctx, a);
        check_subareas(ctx, a);
    }
    check_clusters_mesh(ctx);
    check_attrs(ctx);
    check_jmap(ctx);
    cov_analysis_destroy(a);
    cov_demand_destroy(d);
    cov_facilities_destroy(f);
    cov_regions_destroy(reg);
    cov_ctx_destroy(ctx);
    TEST_END();
}
