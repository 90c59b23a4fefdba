/* Internal: travel models and the one reach engine of an analysis.
 *
 * Every query asks the engine for the entry of its (model, threshold):
 * cov__reach_get() finds it in a small least-recently-used cache or makes
 * it (snapping the facilities and demand units first, once per network and
 * snap cap). An entry makes its products on demand and keeps them: counts
 * of facilities within reach per group and demand unit, the union of each
 * group's service areas (circles, or along roads the isochrone of one
 * search from all the group's facilities; analysis CRS) and the
 * per-facility reach sets (planning).
 * Coverage, gaps, service areas, reach tables, policy checks, clusters,
 * sites, designation and 2SFCA all read these; nothing else computes
 * reach. */
#ifndef COV_ANALYSIS_REACH_ENGINE_H
#define COV_ANALYSIS_REACH_ENGINE_H

#include "analysis/analysis_internal.h"

/* Largest usable time threshold (seconds). */
#define COV_NET_MAX_TIME_S 86400.0

/* Checks a threshold in the unit of model (NULL: straight line): metres
 * (finite, > 0, <= 1,000 km) or seconds (> 0, <= 24 h). */
int cov__check_threshold(cov_ctx *ctx, const cov_travel_model *model, double threshold);

/* Frees every entry and snapping of the cache. */
void cov__reach_cache_free(cov_analysis *a);

/* The entry of (model, threshold), made when needed; the threshold is
 * checked first. Borrowed: valid while fewer than COV__REACH_SLOTS other
 * (model, threshold) pairs are asked for (a query never asks for more than
 * three). NULL with an error in ctx. */
cov__reach *cov__reach_get(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                           double threshold);

/* 1 for a road model. */
static inline int cov__reach_by_road(const cov__reach *r) { return r->model.network != NULL; }

/* Facilities of group g within reach of each demand unit (for
 * GROUP_COMBINED: the least of the doctor and nursing counts). Owned by
 * the entry; NULL with an error in ctx. */
const int32_t *cov__reach_counts(cov_ctx *ctx, cov_analysis *a, cov__reach *r, size_t g);

/* Union of group g's service areas in the analysis CRS (empty polygon when
 * the group reaches nothing). Owned by the entry; NULL with an error. */
const GEOSGeometry *cov__reach_union(cov_ctx *ctx, cov_analysis *a, cov__reach *r, size_t g);

/* Per-facility reach sets (COV__COSTS_NONE: straight-line costs may be
 * NaN where membership is sure; road costs are always given). Owned by the
 * entry; NULL with an error in ctx. */
const cov__reach_sets *cov__reach_sets_of(cov_ctx *ctx, cov_analysis *a, cov__reach *r,
                                          int costs);

/* Area in m^2 of region i not reached by group g (NaN on failure). */
double cov__region_uncovered_m2(cov_ctx *ctx, cov_analysis *a, cov__reach *r, size_t i,
                                size_t g);

/* The reach table along roads for groups [first, first + n_groups)
 * (net_reach.c). */
cov_table *cov__net_reach_table(cov_ctx *ctx, cov_analysis *a, cov__reach *r, size_t first,
                                size_t n_groups);

/* Fills the lon and lat columns of a long reach table of n_groups blocks
 * of d->n rows with each unit's point (reach.c). */
void cov__reach_unit_points(const cov_demand *d, cov_table *t, size_t c_lon, size_t c_lat,
                            size_t n_groups);

#endif /* COV_ANALYSIS_REACH_ENGINE_H */
