/* Internal: helpers shared by the planning code (policy, clusters, plan,
 * access). */
#ifndef COV_ANALYSIS_PLAN_INTERNAL_H
#define COV_ANALYSIS_PLAN_INTERNAL_H

#include "analysis/reach_engine.h"
#include "model/reach_sets.h"
#include "io/table_internal.h"
#include "libcoverage/planning.h"

/* Default kind lists (planning.h explains them). */
extern const char *const cov__home_care_kinds[4];
extern const char *const cov__enhanced_kinds[2];
extern const char *const cov__backup_kinds[3];
extern const char *const cov__standard_kinds[1];

/* Designation status of a facility (candidates.c; planning.h's
 * cov_plan_candidates() lists them). */
enum {
    COV__CAND_YES = 0,
    COV__CAND_FIXED_ROLE, /* lead role, no fixed mask */
    COV__CAND_FIXED_GIVEN,
    COV__CAND_KIND,       /* kind not among the candidate kinds */
    COV__CAND_MASK,       /* not in the candidate mask */
    COV__CAND_OUTSIDE,    /* outside every region */
    COV__CAND_PSYCH       /* beds all psychiatric */
};

/* The status of every facility under o (taken and defaulted already) into
 * out (cov_facilities_count() entries). COV_OK or an error code. */
int cov__plan_candidate_status(cov_ctx *ctx, const cov_analysis *a, const cov_plan_options *o,
                               unsigned char *out);
int cov__plan_candidate_yes(int status);
int cov__plan_candidate_fixed(int status);

/* Non-zero for a road model. */
int cov__plan_has_network(const cov_travel_model *model);

/* The default threshold of doctors (nursing 0) or nurses (nursing 1) in
 * the model's unit. */
double cov__plan_default_threshold(const cov_travel_model *model, int nursing);

/* Per-facility reach sets under model within threshold, from the
 * analysis's reach engine (borrowed: see cov__reach_get()); NULL with an
 * error in ctx. */
const cov__reach_sets *cov__plan_reach_sets(cov_ctx *ctx, cov_analysis *a,
                                            const cov_travel_model *model, double threshold,
                                            int costs);

/* A threshold for people: "12 km", "30 min by road", "16 km by road". */
void cov__plan_threshold_text(const cov_travel_model *model, double t, char *buf, size_t size);

/* Checks a travel-model threshold (finite, > 0); `what` names it. */
int cov__plan_check_threshold(cov_ctx *ctx, double t, const char *what);

/* Weight column `weight` of the demand, or NULL with COV_ERR_ARG naming
 * `what`. */
const double *cov__plan_weights(cov_ctx *ctx, const cov_analysis *a, size_t weight,
                                const char *what);

/* Per-facility mask: 1 for facilities whose kind is in kinds[0..n) (kinds
 * NULL: defaults[0..n_defaults)); NULL with an error in ctx. Caller
 * frees. */
unsigned char *cov__plan_kind_mask(cov_ctx *ctx, const cov_analysis *a,
                                   const char *const *kinds, size_t n,
                                   const char *const *defaults, size_t n_defaults);

/* Mask of a group of the analysis (doctor or nursing kinds). */
unsigned char *cov__plan_group_mask(cov_ctx *ctx, const cov_analysis *a, long group);

/* For every demand unit, how many facilities of mask reach it in rs.
 * Caller frees; NULL with an error in ctx. */
int32_t *cov__plan_unit_counts(cov_ctx *ctx, const cov_analysis *a, const cov__reach_sets *rs,
                               const unsigned char *mask);

/* Sets the string cells of region columns (id, name; name col may be
 * (size_t)-1) for region r (-1: ""). */
int cov__plan_set_region(cov_ctx *ctx, cov_table *t, size_t c_id, size_t c_name, size_t row,
                         const cov_analysis *a, int64_t r);

/* A max-heap of (gain, item, stamp) for lazy greedy (CELF): a popped entry
 * whose stamp is the current round has an exact gain, else it is an upper
 * bound to refresh. */
typedef struct cov_heap_entry {
    double gain;
    size_t item;
    size_t stamp;
} cov_heap_entry;

typedef struct cov_heap {
    cov_heap_entry *e;
    size_t n, cap;
} cov_heap;

int cov__heap_push(cov_ctx *ctx, cov_heap *h, cov_heap_entry x);
/* Pops the largest gain (ties: lowest item) into *out; 0 when empty. */
int cov__heap_pop(cov_heap *h, cov_heap_entry *out);
void cov__heap_free(cov_heap *h);

#endif /* COV_ANALYSIS_PLAN_INTERNAL_H */
