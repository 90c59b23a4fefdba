/* Internal: the analysis object shared by reach, coverage and areas. */
#ifndef COV_ANALYSIS_INTERNAL_H
#define COV_ANALYSIS_INTERNAL_H

#include "model/model.h"
#include "model/reach_sets.h"
#include "libcoverage/analysis.h"

/* Facility groups: each real kind, then the derived groups. Coverage rows
 * are reported for the real kinds, COV_KIND_DOCTOR_ANY and
 * COV_KIND_DOCTOR_AND_NURSING; the nursing group is internal. */
enum group_role { GROUP_KIND = 0, GROUP_DOCTOR_ANY, GROUP_NURSING_ANY, GROUP_COMBINED };

typedef struct cov_group {
    char *name;
    int role;
    size_t *members; /* facility indices */
    size_t n_members;
    cov_kdtree *tree; /* NULL for GROUP_COMBINED */
    /* For the cached radius: facilities of the group within reach of each
     * demand unit (for GROUP_COMBINED: min of doctor and nursing counts), and
     * the union of the group's circles (projected), both made on demand. */
    int32_t *n_within;
    GEOSGeometry *reach_union;
} cov_group;

struct cov_analysis {
    const cov_regions *regions;
    const cov_facilities *facilities;
    const cov_demand *demand;
    /* Copied from the borrowed regions: destroying the analysis must not
     * touch them, they may be gone already. */
    size_t n_regions;
    cov_ctx *ctx; /* the creating context (a reference) */
    double coastal_snap_m;
    int circle_segments;
    char *crs_def;
    cov_xform proj; /* lon/lat -> analysis CRS */
    GEOSGeometry **region_proj; /* outlines, made on demand */
    int64_t *demand_region;
    unsigned char *demand_on_land; /* 1: outside every region, on the land layer */
    double *demand_snap_m;
    size_t n_unassigned;
    int64_t *facility_region;
    cov_group *groups;
    size_t n_groups, n_kind_groups; /* real kinds come first */
    size_t groups_cap;
    long doctor_group, nursing_group, combined_group; /* -1 when absent */
    double cached_radius_m; /* NaN: nothing cached */
    /* Road-network travel model (issue 4; analysis/net_model.h), NULL for
     * the straight line. */
    struct cov__net_model *net;
};

/* Checks a radius: finite, > 0 and at most 1,000 km. */
int cov__check_radius(cov_ctx *ctx, double radius_m);

/* Drops per-radius caches unless they were made for radius_m. */
void cov__analysis_use_radius(cov_analysis *a, double radius_m);

/* Counts within radius_m (the analysis's cached radius) for group g,
 * computing them when needed. NULL with an error in ctx on failure. */
const int32_t *cov__group_counts(cov_ctx *ctx, cov_analysis *a, size_t g, double radius_m);

/* Group index by name, or -1. */
long cov__group_find(const cov_analysis *a, const char *name);

/* Assigns demand units and facilities to regions (analysis creation). */
int cov__assign(cov_ctx *ctx, cov_analysis *a, const cov_regions *land);

/* Region outline i in the analysis CRS (made on demand). */
const GEOSGeometry *cov__region_proj(cov_ctx *ctx, cov_analysis *a, size_t i);

/* Union of group g's circles in the analysis CRS for radius_m (made on
 * demand; empty collection when the group has no facility). */
const GEOSGeometry *cov__group_union(cov_ctx *ctx, cov_analysis *a, size_t g,
                                     double radius_m);

/* Area in m^2 of region i not reached by group g (NaN on failure). */
double cov__region_uncovered_m2(cov_ctx *ctx, cov_analysis *a, size_t i, size_t g,
                                double radius_m);

/* Demand weights per region for one group's counts within reach. */
typedef struct cov_row_sums {
    double total, uncovered, covered, redundant; /* 0, >= 1, >= 2 within reach */
} cov_row_sums;

/* Sums the weights w of the assigned units per region (sums: one entry per
 * region) by counts, the group's facilities within reach of each unit. */
void cov__sum_demand(const cov_analysis *a, const int32_t *counts, const double *w,
                     cov_row_sums *sums);

/* Writes the groups reported in tables (real kinds, then doctor_any and
 * doctor_and_nursing when present) into out (room for n_groups) and returns
 * their number. */
size_t cov__report_groups(const cov_analysis *a, size_t *out);

/* Which costs a caller needs: every one, or membership only (then a
 * straight-line cost is NaN where the pair is surely within reach and no
 * geodesic was computed; road costs are always given). */
enum { COV__COSTS_NONE = 0, COV__COSTS_ALL = 1 };

/* Straight-line (geodesic) reach sets of every facility of the analysis
 * within radius_m. The 16 km rule always uses these. COV_OK or an error in
 * ctx (then *out is zeroed). */
int cov__straight_reach_sets(cov_ctx *ctx, struct cov_analysis *a, double radius_m,
                             int costs, cov__reach_sets *out);

/* Reach sets under the analysis's travel model: straight line, or the road
 * network when one is set (threshold in metres or seconds accordingly). */
int cov__analysis_reach_sets(cov_ctx *ctx, struct cov_analysis *a, double threshold,
                             int costs, cov__reach_sets *out);

#endif /* COV_ANALYSIS_INTERNAL_H */
