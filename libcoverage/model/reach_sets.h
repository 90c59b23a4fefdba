/* Internal: per-facility reach sets, the common currency of the planning
 * code (designation, backup, 2SFCA) whatever the travel model, and the
 * output of the network searches (net/). */
#ifndef COV_MODEL_REACH_SETS_H
#define COV_MODEL_REACH_SETS_H

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

#endif /* COV_MODEL_REACH_SETS_H */
