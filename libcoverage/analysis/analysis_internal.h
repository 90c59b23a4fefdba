/* Internal: the analysis object shared by reach, coverage and areas. */
#ifndef COV_ANALYSIS_INTERNAL_H
#define COV_ANALYSIS_INTERNAL_H

#include "model/model.h"
#include "model/reach_sets.h"
#include "libcoverage/analysis.h"
#include "net/net_internal.h"

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
    /* the first earlier group with the same members (doctor_any of one
     * doctor kind, nursing_any of "nursing"), whose polygons this one
     * shares; -1 when none */
    long same_as;
} cov_group;

/* A travel model: the straight line (metric COV_TRAVEL_STRAIGHT, network
 * NULL) or a road network with settings. Plain data, never changed. */
struct cov_travel_model {
    int metric;
    cov_network *network; /* borrowed */
    cov_travel travel;    /* road settings; zeroed for the straight line */
};

/* Facilities and demand units snapped to one network with one snap cap. */
typedef struct cov__snaps {
    cov_network *network; /* NULL: free slot */
    uint64_t stamp;
    double snap_max_m;
    cov__snap fac, dem;
    uint64_t used;
} cov__snaps;

/* One (model, threshold) entry and its products, made on demand. */
typedef struct cov__reach {
    int in_use;
    cov_travel_model model;
    uint64_t stamp, generation; /* of the model's network */
    double threshold;
    cov__snaps *snaps;      /* road models: the analysis's snapping */
    int32_t **counts;       /* per group: facilities within reach per unit */
    GEOSGeometry **unions;  /* per group: union of service areas (analysis CRS) */
    GEOSGeometry **parts;   /* [covered][group][region]: each region minus (0) or within (1)
                             * the group's reach, analysis CRS; made when first asked for */
    double *uncovered_m2;   /* [group][region]: area of the region out of reach, NaN not yet */
    int sets_made;          /* 0, or 1 + the costs asked (COV__COSTS_*) */
    cov__reach_sets sets;
    uint64_t used;
} cov__reach;

#define COV__REACH_SLOTS 8
#define COV__SNAP_SLOTS 4

typedef struct cov__reach_cache {
    cov__reach entry[COV__REACH_SLOTS];
    cov__snaps snaps[COV__SNAP_SLOTS];
    uint64_t clock;
} cov__reach_cache;


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
    struct cov__tiles *region_tiles; /* per region: pieces for areas, made on demand */
    int64_t *demand_region;
    unsigned char *demand_on_land; /* 1: outside every region, on the land layer */
    double *demand_snap_m;
    size_t n_unassigned;
    int64_t *facility_region;
    cov_group *groups;
    size_t n_groups, n_kind_groups; /* real kinds come first */
    size_t groups_cap;
    long doctor_group, nursing_group, combined_group; /* -1 when absent */
    /* What was computed per (travel model, threshold): the reach engine
     * (analysis/reach_engine.h). */
    cov__reach_cache cache;
};

/* Checks a radius: finite, > 0 and at most 1,000 km. */
int cov__check_radius(cov_ctx *ctx, double radius_m);

/* Group index by name, or -1. */
long cov__group_find(const cov_analysis *a, const char *name);

/* Assigns demand units and facilities to regions (analysis creation). */
int cov__assign(cov_ctx *ctx, cov_analysis *a, const cov_regions *land);

/* Region outline i in the analysis CRS (made on demand). */
const GEOSGeometry *cov__region_proj(cov_ctx *ctx, cov_analysis *a, size_t i);

/* A projected region cut into pieces of at most a few thousand points by
 * boxes, for areas of what a reach leaves uncovered without overlaying
 * the whole region (areas.c). */
typedef struct cov__tiles {
    int made;            /* 0 not yet, 1 made, -1 could not be made */
    size_t n;
    GEOSGeometry **piece; /* valid polygons, the region's part in box k */
    double (*box)[4];    /* xmin, ymin, xmax, ymax */
    double *area_m2;
} cov__tiles;

void cov__tiles_free(cov_ctx *ctx, cov__tiles *t);

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

#endif /* COV_ANALYSIS_INTERNAL_H */
