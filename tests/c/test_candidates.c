/* Designation candidates: who may be designated and why not
 * (cov_plan_candidates), and cov_plan_designate keeping to it. A hand-built
 * case whose optimum is read off by hand: facilities at least 5.7 km apart
 * (0.07 degree of longitude at 43 N), each unit of demand sitting on one
 * facility and reached by it alone within 5 km, so a pick's gain is the
 * weight of its own unit. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "libcoverage/coverage.h"
#include "testgeom.h"
#include "testutil.h"

#define R 5000.0

static const char *rwkt[] = {"POLYGON((141 43,141.2 43,141.2 43.2,141 43.2,141 43))",
                             "POLYGON((141.2 43,141.4 43,141.4 43.2,141.2 43.2,141.2 43))"};
static const char *rid[] = {"A", "B"};

/* PSY: 399 psychiatric beds of 399, the best coverage (100) of region A.
 * GEN: a general hospital (10). UNK: beds unknown, 120 psychiatric (5).
 * LEAD: designated already, psychiatric only, in B (7). MIX: 100 of 300
 * psychiatric (3). Z1: a 在支診 (2). OUT: a hospital east of B, outside
 * every region, whose unit inside B weighs 50. N1: a nurse station. */
enum { PSY, GEN, UNK, LEAD, MIX, Z1, OUT, N1, NF };
static const char *fid[NF] = {"PSY", "GEN", "UNK", "LEAD", "MIX", "Z1", "OUT", "N1"};
static const char *fkind[NF] = {"hospital", "hospital", "hospital", "hospital",
                                "hospital", "zaishin",  "hospital", "nursing"};
static const double flon[NF] = {141.02, 141.09, 141.16, 141.23, 141.30, 141.265, 141.42, 141.05};
static const double flat[NF] = {43.10, 43.10, 43.10, 43.10, 43.10, 43.16, 43.10, 43.18};
static const char *froles[NF] = {"", "", "", "lead", "", "", "", ""};
static double fbeds[NF] = {399, 100, NAN, 200, 300, NAN, 50, NAN};
static double fpsy[NF] = {399, 0, 120, 200, 100, NAN, 0, NAN};

/* Units: on PSY, GEN, UNK, LEAD, MIX, Z1, and 2.8 km west of OUT inside B. */
enum { NU = 7 };
static const char *uid[NU] = {"u_psy", "u_gen", "u_unk", "u_lead", "u_mix", "u_z1", "u_out"};
static const double ulon[NU] = {141.02, 141.09, 141.16, 141.23, 141.30, 141.265, 141.385};
static const double ulat[NU] = {43.10, 43.10, 43.10, 43.10, 43.10, 43.16, 43.10};
static const double uw[NU] = {100, 10, 5, 7, 3, 2, 50};
#define TOTAL (100 + 10 + 5 + 7 + 3 + 2 + 50)

static const char *cell(const cov_table *t, size_t row, const char *col)
{
    long c = cov_table_column_index(t, col);
    return c < 0 ? NULL : cov_table_string(t, (size_t)c, row);
}

static double num(const cov_table *t, size_t row, const char *col)
{
    long c = cov_table_column_index(t, col);
    if (c < 0) return -999;
    if (cov_table_column_type(t, (size_t)c) == COV_COL_INT)
        return (double)cov_table_ints(t, (size_t)c)[row];
    return cov_table_doubles(t, (size_t)c)[row];
}

static long row_of(const cov_table *t, const char *id)
{
    for (size_t i = 0; i < cov_table_nrows(t); i++)
        if (!strcmp(cell(t, i, "facility_id"), id)) return (long)i;
    return -1;
}

static const char *hospital_kinds[] = {"hospital"};

static void options(cov_plan_options *o, size_t budget, int psychiatric)
{
    cov_plan_options_init(o);
    o->threshold = R;
    o->candidate_kinds = hospital_kinds;
    o->n_candidate_kinds = 1;
    o->budget = budget;
    o->psychiatric_only_candidates = psychiatric;
}

/* The listing: every facility with its status and reason. */
static void check_listing(cov_ctx *ctx, cov_analysis *a)
{
    cov_plan_options o;
    options(&o, 0, 0);
    cov_table *t = cov_plan_candidates(ctx, a, &o);
    CHECK(t && cov_table_nrows(t) == NF && cov_table_has_geometry(t));
    if (!t) return;
    static const char *status[NF] = {"psychiatric_only", "candidate", "candidate", "fixed",
                                     "candidate", "kind", "outside", "kind"};
    static const char *reason[NF] = {"psychiatric beds only (399 of 399)",
                                     "candidate",
                                     "candidate",
                                     "fixed (lead role)",
                                     "candidate",
                                     "kind zaishin is not a candidate kind",
                                     "outside every region",
                                     "kind nursing is not a candidate kind"};
    static const char *region[NF] = {"A", "A", "A", "B", "B", "B", "", "A"};
    for (size_t i = 0; i < NF; i++) {
        CHECK_STR(cell(t, i, "facility_id"), fid[i]);
        CHECK_STR(cell(t, i, "status"), status[i]);
        CHECK_STR(cell(t, i, "reason"), reason[i]);
        CHECK_STR(cell(t, i, "region_id"), region[i]);
        CHECK_STR(cell(t, i, "kind"), fkind[i]);
        CHECK(num(t, i, "candidate") ==
              (!strcmp(status[i], "candidate") || !strcmp(status[i], "fixed")));
        CHECK(isnan(fbeds[i]) ? isnan(num(t, i, "beds")) : num(t, i, "beds") == fbeds[i]);
        CHECK(isnan(fpsy[i]) ? isnan(num(t, i, "beds_psychiatric"))
                             : num(t, i, "beds_psychiatric") == fpsy[i]);
    }
    cov_table_destroy(t);

    /* asked for: the psychiatric-only hospital is a candidate */
    o.psychiatric_only_candidates = 1;
    t = cov_plan_candidates(ctx, a, &o);
    CHECK(t && !strcmp(cell(t, PSY, "status"), "candidate") && num(t, PSY, "candidate") == 1);
    cov_table_destroy(t);

    /* default kinds (在支診/在支病): hospitals are not candidates by kind */
    t = cov_plan_candidates(ctx, a, NULL);
    CHECK(t && !strcmp(cell(t, Z1, "status"), "candidate"));
    CHECK(t && !strcmp(cell(t, GEN, "reason"), "kind hospital is not a candidate kind"));
    CHECK(t && !strcmp(cell(t, PSY, "status"), "kind")); /* kind decides first */
    CHECK(t && !strcmp(cell(t, LEAD, "reason"), "fixed (lead role)"));
    cov_table_destroy(t);

    /* masks: a fixed mask replaces the lead roles, a candidate mask the kinds */
    unsigned char fixed[NF] = {0, 1, 0, 0, 0, 0, 0, 0}, cand[NF] = {1, 0, 0, 0, 0, 1, 1, 0};
    options(&o, 0, 0);
    o.fixed = fixed;
    o.candidate = cand;
    t = cov_plan_candidates(ctx, a, &o);
    CHECK(t != NULL);
    if (t) {
        CHECK_STR(cell(t, GEN, "reason"), "fixed (given)");
        CHECK_STR(cell(t, LEAD, "reason"), "not in the given candidates");
        CHECK_STR(cell(t, PSY, "reason"), "psychiatric beds only (399 of 399)");
        CHECK_STR(cell(t, Z1, "status"), "candidate");
        CHECK_STR(cell(t, OUT, "status"), "outside");
    }
    cov_table_destroy(t);
    fixed[GEN] = 0;
    fixed[LEAD] = 1;
    cand[LEAD] = 1;
    o.candidate = cand;
    t = cov_plan_candidates(ctx, a, &o);
    CHECK(t && !strcmp(cell(t, LEAD, "reason"), "fixed (given)")); /* fixed wins */
    cov_table_destroy(t);
}

/* Designation: the picks read off by hand, and never a left-out facility. */
static void check_designate(cov_ctx *ctx, cov_analysis *a)
{
    static const struct {
        size_t budget;
        int psychiatric;
        const char *picks[4];
        double covered;
    } cases[] = {
        /* A needs a lead: GEN (10) beats UNK (5); PSY and OUT stay out */
        {0, 0, {"LEAD", "GEN", NULL}, 7 + 10},
        /* then UNK (5: unknown beds do not exclude) over MIX (3) */
        {2, 0, {"LEAD", "GEN", "UNK", NULL}, 7 + 10 + 5},
        {3, 0, {"LEAD", "GEN", "UNK", "MIX"}, 7 + 10 + 5 + 3},
        /* asked for: PSY (100) leads A */
        {0, 1, {"LEAD", "PSY", NULL}, 7 + 100},
        {2, 1, {"LEAD", "PSY", "GEN", NULL}, 7 + 100 + 10},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        cov_plan_options o;
        options(&o, cases[k].budget, cases[k].psychiatric);
        cov_table *picks = NULL, *listing = cov_plan_candidates(ctx, a, &o);
        CHECK(cov_plan_designate(ctx, a, NULL, &o, &picks, NULL) == COV_OK);
        CHECK(picks && listing);
        if (!picks || !listing) {
            cov_table_destroy(picks);
            cov_table_destroy(listing);
            continue;
        }
        size_t n = 0;
        while (n < 4 && cases[k].picks[n]) n++;
        CHECK(cov_table_nrows(picks) == n);
        for (size_t i = 0; i < n && i < cov_table_nrows(picks); i++) {
            CHECK_STR(cell(picks, i, "facility_id"), cases[k].picks[i]);
            long r = row_of(listing, cell(picks, i, "facility_id"));
            CHECK(r >= 0 && num(listing, (size_t)r, "candidate") == 1);
        }
        if (n) {
            CHECK_NEAR(num(picks, n - 1, "covered_demand"), cases[k].covered, 1e-9);
            CHECK_NEAR(num(picks, n - 1, "share_covered"), cases[k].covered / TOTAL, 1e-12);
        }
        cov_table_destroy(picks);
        cov_table_destroy(listing);
    }
}

/* A caller built before psychiatric_only_candidates existed passes a
 * shorter struct: the member takes its default (left out), whatever lies
 * beyond its struct_size. */
static void check_old_callers(cov_ctx *ctx, cov_analysis *a)
{
    cov_plan_options o;
    options(&o, 0, 1);
    o.struct_size = offsetof(cov_plan_options, psychiatric_only_candidates);
    cov_table *t = cov_plan_candidates(ctx, a, &o);
    CHECK(t && !strcmp(cell(t, PSY, "status"), "psychiatric_only"));
    cov_table_destroy(t);
    cov_table *picks = NULL;
    CHECK(cov_plan_designate(ctx, a, NULL, &o, &picks, NULL) == COV_OK);
    CHECK(picks && cov_table_nrows(picks) == 2 && row_of(picks, "PSY") < 0);
    cov_table_destroy(picks);
    /* bad arguments */
    o.struct_size = 0;
    CHECK(cov_plan_candidates(ctx, a, &o) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    CHECK_CONTAINS(cov_last_message(ctx), "struct_size");
    CHECK(cov_plan_candidates(ctx, NULL, NULL) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov_plan_candidates(NULL, a, NULL) == NULL);
}

/* The attribute, read from a CSV column and from arrays. */
static void check_attribute(cov_ctx *ctx)
{
    char path[512];
    cov_test_tmp(path, sizeof path, "cov_test_candidates.csv");
    CHECK(cov_test_write_file(path, "id,kind,beds,psy,lon,lat\n"
                                    "a,hospital,399,399,141,43\n"
                                    "b,hospital,120,,141,43.1\n") == 0);
    cov_facility_fields ff = {.id = "id", .kind = "kind", .lon = "lon", .lat = "lat",
                              .beds = "beds", .beds_psychiatric = "psy"};
    cov_facilities *f = cov_facilities_read_csv(ctx, path, &ff, NULL);
    CHECK(f != NULL);
    CHECK(cov_facilities_supply(f, 0, COV_SUPPLY_BEDS_PSYCHIATRIC) == 399);
    CHECK(isnan(cov_facilities_supply(f, 1, COV_SUPPLY_BEDS_PSYCHIATRIC)));
    CHECK(cov_facilities_supply(f, 1, COV_SUPPLY_BEDS) == 120);
    cov_facilities_destroy(f);
    CHECK(cov_test_write_file(path, "id,kind,beds,psy,lon,lat\n"
                                    "a,hospital,399,many,141,43\n") == 0);
    CHECK(cov_facilities_read_csv(ctx, path, &ff, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx),
                   "line 2, field psy (facility a): \"many\" is not a number of psychiatric beds");
    remove(path);

    f = cov_facilities_from_arrays(ctx, 2, fid, NULL, fkind, NULL, flon, flat, NULL);
    double psy[2] = {10, -1};
    cov_facility_attrs at = {.beds_psychiatric = psy};
    CHECK(cov_facilities_set_attrs(ctx, f, &at) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "field beds_psychiatric (facility GEN)");
    psy[1] = 0;
    CHECK(cov_facilities_set_attrs(ctx, f, &at) == COV_OK);
    CHECK(cov_facilities_supply(f, 0, COV_SUPPLY_BEDS_PSYCHIATRIC) == 10);
    CHECK(isnan(cov_facilities_supply(f, 0, COV_SUPPLY_BEDS)));
    /* attributes without psychiatric beds leave them unknown */
    cov_facility_attrs plain = {.beds = fbeds};
    CHECK(cov_facilities_set_attrs(ctx, f, &plain) == COV_OK);
    CHECK(isnan(cov_facilities_supply(f, 0, COV_SUPPLY_BEDS_PSYCHIATRIC)));
    cov_facilities_destroy(f);
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    test_messages msgs = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &msgs);
    cov_regions *reg = test_regions_from_wkt(ctx, 2, rwkt, rid, NULL);
    cov_facilities *f = cov_facilities_from_arrays(ctx, NF, fid, NULL, fkind, NULL, flon, flat,
                                                   NULL);
    cov_facility_attrs at = {.roles = froles, .beds = fbeds, .beds_psychiatric = fpsy};
    CHECK(cov_facilities_set_attrs(ctx, f, &at) == COV_OK);
    const char *wn[] = {"total"};
    cov_demand *d = cov_demand_from_points(ctx, NU, uid, ulon, ulat, NULL, 1, wn, uw);
    cov_analysis *a = cov_analysis_create(ctx, reg, f, d, NULL);
    CHECK(a != NULL);
    if (a) {
        check_listing(ctx, a);
        check_designate(ctx, a);
        check_old_callers(ctx, a);
    }
    check_attribute(ctx);
    cov_analysis_destroy(a);
    cov_demand_destroy(d);
    cov_facilities_destroy(f);
    cov_regions_destroy(reg);
    cov_ctx_destroy(ctx);
    TEST_END();
}
