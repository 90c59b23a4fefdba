/* Internal: per-facility reach sets, the common currency of the planning
 * code (designation, backup, 2SFCA) whatever the travel model. */
#ifndef COV_ANALYSIS_REACH_SETS_H
#define COV_ANALYSIS_REACH_SETS_H

#include <stddef.h>
#include <stdint.h>

#include "libcoverage/core.h"

/* Compressed rows: for facility f (index in the analysis's facilities), the
 * demand units it reaches within the threshold are
 * unit[offset[f] .. offset[f + 1]) in ascending order, with their travel cost
 * (metres or seconds, the model's unit) in cost[] at the same positions.
 * offset has n_sets + 1 entries. Memory is linear in the pairs found. */
typedef struct cov__reach_sets {
    size_t n_sets;
    size_t *offset;
    uint32_t *unit;
    double *cost;
} cov__reach_sets;

/* Frees the arrays of *rs and zeroes it; NULL or a zeroed struct is a
 * no-op. */
void cov__reach_sets_free(cov__reach_sets *rs);

struct cov_analysis;

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

#endif /* COV_ANALYSIS_REACH_SETS_H */
