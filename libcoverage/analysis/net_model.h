/* Internal: the road-network travel model of an analysis (issue 4), set by
 * cov_analysis_set_network(). With it, the analysis's threshold is metres
 * (COV_TRAVEL_DISTANCE) or seconds (COV_TRAVEL_TIME) along roads; counts
 * come from per-facility reach sets and service areas from isochrones. */
#ifndef COV_ANALYSIS_NET_MODEL_H
#define COV_ANALYSIS_NET_MODEL_H

#include "analysis/analysis_internal.h"
#include "model/reach_sets.h"
#include "net/net_internal.h"

/* Lateral buffer of isochrones when none is set (metres). */
#define COV_NET_DEFAULT_BUFFER_M 100.0
/* Largest usable time threshold (seconds). */
#define COV_NET_MAX_TIME_S 86400.0

typedef struct cov__net_model {
    cov_network *network; /* borrowed: must outlive its use by the analysis */
    cov_travel travel;    /* copied; cutoff is set per call from the threshold */
    double buffer_m;
    cov__snap fac, dem;   /* facilities and demand units, snapped once */
    double sets_threshold; /* threshold of `sets`, NaN when none */
    cov__reach_sets sets;
    double iso_threshold;  /* threshold of `iso`, NaN when none */
    cov_table *iso;        /* one isochrone per facility, lon/lat */
} cov__net_model;

void cov__net_model_free(cov__net_model *m);

/* Checks a threshold: a radius without network, else metres or seconds of
 * the network's metric. */
int cov__check_threshold(cov_ctx *ctx, const cov_analysis *a, double threshold);

/* Facilities of group g (not GROUP_COMBINED) within the threshold of each
 * demand unit along roads, written into counts (demand count entries). */
int cov__net_count_group(cov_ctx *ctx, cov_analysis *a, const cov_group *g, double threshold,
                         int32_t *counts);

/* Union of the isochrones of group g's facilities in the analysis CRS
 * (empty polygon when none reaches anything). Caller destroys. */
GEOSGeometry *cov__net_group_union(cov_ctx *ctx, cov_analysis *a, const cov_group *g,
                                   double threshold);

/* One isochrone per facility (facility_id, kind, area_km2; lon/lat), as
 * cov_analysis_service_areas(COV_AREAS_BY_FACILITY) returns. */
cov_table *cov__net_facility_areas(cov_ctx *ctx, cov_analysis *a, double threshold);

/* The reach table along roads for groups [first, first + n_groups). */
cov_table *cov__net_reach_table(cov_ctx *ctx, cov_analysis *a, size_t first, size_t n_groups,
                                double threshold);

/* The reach sets for threshold, computed and cached in the model; NULL
 * with an error in ctx. */
const cov__reach_sets *cov__net_model_sets(cov_ctx *ctx, cov_analysis *a, double threshold);

/* Per-facility reach sets of the analysis's facilities over its demand
 * units along the road network set by cov_analysis_set_network(), within
 * threshold (metres or seconds, the network metric), access legs at both
 * ends included; units beyond the snap cap are in no set. Set f holds the
 * units facility f (index in the analysis's facilities) reaches, in
 * ascending order, with their cost. COV_OK, or an error in ctx (no network
 * set, bad threshold, out of memory) and *out zeroed. The caller frees
 * *out with cov__reach_sets_free(). */
int cov__network_reach_sets(cov_ctx *ctx, struct cov_analysis *a, double threshold,
                            cov__reach_sets *out);

#endif /* COV_ANALYSIS_NET_MODEL_H */
