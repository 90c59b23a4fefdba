/*
 * Planning: policy checks per region, gap clusters, designation of lead
 * institutions, sites for new nursing stations, and accessibility indices
 * (2SFCA / E2SFCA).
 *
 * Travel model. Every function takes a travel model (libcoverage/travel.h;
 * NULL: the straight line) and every threshold called `threshold` is in its
 * unit: metres of geodesic distance for the straight line, metres or
 * seconds along roads for a road model. The 16 km house-call rule
 * (rule16_m) is always a
 * geodesic straight line, whatever the model: the rule is written so
 * (保険医療機関及び保険医療養担当規則 / 療担規則 通知: 往診は患家の所在地から
 * 半径16キロメートル以内).
 *
 * Defaults and where they come from:
 * - rule16_m = 16,000 m: the house-call rule above.
 * - threshold, doctors and nurses alike: 16,000 m (straight line, or along
 *   roads under a road-distance model: the same rule, as the reach a
 *   home-care clinic is paid for); 1,800 s (30 minutes) under a road-time
 *   model. The 30
 *   minutes are the 日常生活圏域 of 地域包括ケアシステム (厚生労働省: services
 *   "おおむね30分以内に" provided).
 * - min_share_* = 0.9: no official figure exists; a planning choice, set
 *   your own.
 * - Kinds: home-care doctors (在支診/在支病) = zaishin, enhanced_single,
 *   enhanced_network, zaibyo, also the default designation candidates (the
 *   national guideline, 令和5年 医政地発0331第14号: leads are expected to
 *   come from 在宅療養支援診療所及び在宅療養支援病院等); enhanced = enhanced_single, enhanced_network;
 *   backup for a standard 在支診 = a lead, an enhanced clinic or a
 *   backup_hospital (在宅療養後方支援病院); nursing = the analysis's nursing
 *   kinds.
 *
 * Demand counts when its point is within reach (as in coverage); units
 * assigned to no region are left out of every per-region figure.
 */
#ifndef LIBCOVERAGE_PLANNING_H
#define LIBCOVERAGE_PLANNING_H

#include "libcoverage/analysis.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The house-call radius of the 16 km rule, in metres. */
#define COV_RULE16_M 16000.0

/* ---- Policy checks ------------------------------------------------------ */

typedef struct cov_policy_options {
    size_t struct_size; /* set by _init() (see cov_analysis_options) */
    size_t weight;             /* demand weight column */
    double rule16_m;           /* straight line, always */
    double doctor_threshold;   /* NaN: default (see above) */
    double nursing_threshold;  /* NaN: default (see above) */
    double min_share_rule16;   /* rule16 passes at or above this share */
    double min_share_nursing;
    double min_share_redundant;
    /* Kind lists; NULL takes the defaults above. */
    const char *const *home_care_kinds;
    size_t n_home_care_kinds;
    const char *const *backup_kinds;
    size_t n_backup_kinds;
    const char *const *standard_kinds; /* clinics that need backup: zaishin */
    size_t n_standard_kinds;
    /* Optional sub-areas (e.g. 在宅医療圏 inside 二次医療圏): each must hold a
     * lead. subarea_parent gives the analysis region id of each sub-area
     * (cov_regions_count(subareas) entries); NULL finds it from a point
     * inside the sub-area. */
    const cov_regions *subareas;
    const char *const *subarea_parent;
} cov_policy_options;

/* Fills *options with the defaults above (weight 0). */
COV_API void cov_policy_options_init(cov_policy_options *options);

/* Policy checks per region, in long form: one row per region and check.
 * Columns: region_id, region_name, check, passed (1 pass, 0 fail, -1 not
 * applicable), value, target, reason (a plain sentence). Checks:
 * "lead" and "hub" (number designated inside the region, target 1),
 * "home_care" (在支診/在支病 inside, target 1), "rule16" (share of demand
 * within rule16_m of a 在支診/在支病), "rule16_exception" (demand with no
 * doctor facility of any kind within rule16_m: house calls there rely on
 * the exception; passes when 0), "nursing" (share within the nursing
 * threshold), "redundancy" (share with >= 2 在支診/在支病 within the doctor
 * threshold), "backup" (standard 在支診 without a backup within the doctor
 * threshold, straight line; under a road model, within rule16_m in a
 * straight line, as the backup's house calls fall under the same rule;
 * passes when 0) and, with sub-areas,
 * "subareas" (sub-areas without a lead; passes when 0). options may be
 * NULL (defaults). Caller frees with cov_table_destroy(); NULL with an
 * error in ctx. */
COV_API cov_table *cov_policy_check(cov_ctx *ctx, cov_analysis *analysis,
                                    const cov_travel_model *model,
                                    const cov_policy_options *options);

/* Backup for every standard 在支診 that is not itself a lead: facility_id, name, kind, region_id,
 * has_backup (0/1), backup_id (the nearest backup provider, "" when none),
 * backup_distance_m (geodesic; NaN when none), with the clinic's point.
 * Caller frees with cov_table_destroy(). */
COV_API cov_table *cov_policy_backup(cov_ctx *ctx, cov_analysis *analysis,
                                     const cov_travel_model *model,
                                     const cov_policy_options *options);

/* ---- Gap clusters and new sites ----------------------------------------- */

typedef struct cov_gap_options {
    size_t struct_size; /* set by _init() (see cov_analysis_options) */
    size_t weight;
    double threshold;        /* reach of existing facilities; NaN default */
    const char *const *kinds; /* facilities that cover; NULL: nursing kinds */
    size_t n_kinds;
    /* Point demand: units within link_m (geodesic) join one cluster. Mesh
     * cells join when they share an edge or a corner (8 neighbours). */
    double link_m;
    /* Sites: reach of a new site (straight line, metres; NaN: the
     * threshold, or 16,000 m under a road model) and the number
     * of sites to suggest. */
    double site_radius_m;
    size_t max_sites;
} cov_gap_options;

/* Defaults: weight 0, threshold NaN, kinds NULL, link_m 1000,
 * site_radius_m NaN, max_sites 5. */
COV_API void cov_gap_options_init(cov_gap_options *options);

/* Uncovered demand units (no facility of the kinds within the threshold)
 * grouped by adjacency inside each region, ranked by demand. Columns:
 * cluster_id (1 = most demand), region_id, region_name, n_units, demand,
 * area_km2 (geodesic area of the cells; 0 for points), centroid_lon,
 * centroid_lat (demand-weighted; unweighted when the demand is 0),
 * nearest_id (the facility of the kinds nearest to any unit of the
 * cluster, "" when none) and nearest_distance_m (geodesic, NaN then);
 * geometry: the union of the cells, or the points. Caller frees with
 * cov_table_destroy(). */
COV_API cov_table *cov_gap_clusters(cov_ctx *ctx, cov_analysis *analysis,
                                    const cov_travel_model *model,
                                    const cov_gap_options *options);

/* Suggested sites for new facilities (e.g. satellite nursing stations):
 * greedy maximum coverage of the uncovered demand, sites chosen among the
 * uncovered demand units with positive demand. Columns: rank, demand_id,
 * region_id, gain_demand, covered_demand (cumulative), share_of_gap
 * (cumulative share of the uncovered demand), with the site's point.
 * Caller frees with cov_table_destroy(); NULL with an error in ctx. */
COV_API cov_table *cov_plan_sites(cov_ctx *ctx, cov_analysis *analysis,
                                  const cov_travel_model *model,
                                  const cov_gap_options *options);

/* ---- Designation ----------------------------------------------------------- */

typedef struct cov_plan_options {
    size_t struct_size; /* set by _init() (see cov_analysis_options) */
    size_t weight;
    double threshold;                 /* NaN: default doctor threshold */
    const char *const *candidate_kinds; /* NULL: 在支診/在支病 kinds */
    size_t n_candidate_kinds;
    const char *const *enhanced_kinds; /* NULL: enhanced_single/network */
    size_t n_enhanced_kinds;
    /* A unit reached by an enhanced lead is worth enhanced_weight times
     * its demand in the objective (1: plain covered demand). */
    double enhanced_weight;
    /* New designations allowed (0 with target_share NaN: one per region
     * only); with target_share set, picks stop at that share of demand
     * covered (budget, when > 0, still caps them). */
    size_t budget;
    double target_share;
    int one_per_region; /* >= 1 lead per region that has a candidate */
    int swap_passes;    /* swap-improvement passes after the greedy */
    /* Optional per-facility masks (cov_facilities_count() entries),
     * overriding the kinds and roles: candidate[i] != 0 makes facility i
     * a candidate, fixed[i] != 0 designated already. By default the fixed
     * are the facilities with the lead role. */
    const unsigned char *candidate;
    const unsigned char *fixed;
    /* Non-zero lets hospitals whose beds are all psychiatric (beds > 0 and
     * beds_psychiatric == beds: cov_facility_attrs) be candidates, by kind
     * or by mask; 0 (default) leaves them out. Unknown beds or psychiatric
     * beds (NaN) never exclude. (Appended in C API 3.0; struct_size keeps
     * older callers on the default.) */
    int psychiatric_only_candidates;
    /* Optional per-facility masks (appended in C API 3.1; struct_size
     * keeps older callers on NULL).
     * start[i] != 0 begins from candidate i designated: the greedy only
     * adds to these picks, up to the budget (more of them than the budget
     * fails with COV_ERR_ARG), and swaps and pair moves may change them;
     * with swap_passes 0 and a budget of their number the plan is exactly
     * them (how a plan made elsewhere, e.g. by an exact solver, gets its
     * tables). Fixed facilities or non-candidates in it are ignored.
     * focus[i] != 0 adds candidate i to the candidates of the pair moves
     * (beside the PAIR_TOP best single gains) wherever it reaches a unit of
     * the two picks taken out: e.g. the candidates a linear relaxation of
     * the covering model uses, which single gains can rank low when only a
     * change in two regions at once gains. */
    const unsigned char *start;
    const unsigned char *focus;
} cov_plan_options;

/* Defaults: weight 0, threshold NaN, default kinds, enhanced_weight 1.1,
 * budget 0, target_share NaN, one_per_region 1, swap_passes 10, no
 * masks, psychiatric_only_candidates 0. */
COV_API void cov_plan_options_init(cov_plan_options *options);

/* Who may be designated, and why not: one row per facility (input order)
 * with facility_id, name, kind, region_id ("" outside every region),
 * beds, beds_psychiatric (NaN unknown), candidate (1: fixed or a
 * candidate, 0: left out), status and reason, with the facility's point.
 * status / reason, first match wins:
 *   "fixed"      "fixed (lead role)", or "fixed (given)" with a fixed mask:
 *                kept whatever else holds;
 *   "kind"       "kind <k> is not a candidate kind", or "not in the given
 *                candidates" with a candidate mask;
 *   "outside"    "outside every region": a lead is the lead of an area
 *                (the facility still counts for reach);
 *   "psychiatric_only" "psychiatric beds only (<p> of <b>)";
 *   "candidate"  "candidate".
 * cov_plan_designate() decides with this same function, so the two never
 * disagree. options may be NULL (defaults; only the kinds, masks and
 * psychiatric_only_candidates matter). Caller frees with
 * cov_table_destroy(); NULL with an error in ctx. */
COV_API cov_table *cov_plan_candidates(cov_ctx *ctx, cov_analysis *analysis,
                                       const cov_plan_options *options);

/* Chooses lead institutions to maximise the objective (covered demand,
 * enhanced picks weighted by enhanced_weight) within the threshold: the
 * fixed ones kept, one per region where a candidate exists (first), then
 * the budget or target share. Greedy with lazy evaluation (CELF; the
 * objective is monotone submodular), then swaps of one pick for one
 * candidate while they improve it and keep the constraints.
 * *out_picks: rank, facility_id, name, kind, region_id, reason ("fixed",
 * "region": first lead of its region, "coverage"), gain_demand,
 * covered_demand and share_covered (cumulative, of the assigned demand),
 * gain_objective, with the facility's point; fixed first, then the picks
 * in greedy order of marginal gain. *out_regions: region_id, region_name,
 * n_candidates, n_fixed, n_picked, demand_total, covered_before (fixed
 * only), covered_after, share_before, share_after, status ("ok", or "no
 * candidate: needs cross-region support or a new facility"). A budget
 * smaller than the regions still needing a lead fails with COV_ERR_ARG
 * naming them. Either out pointer may be NULL. The caller frees the tables
 * with cov_table_destroy(). Returns COV_OK or an error code. */
COV_API int cov_plan_designate(cov_ctx *ctx, cov_analysis *analysis,
                               const cov_travel_model *model,
                               const cov_plan_options *options,
                               cov_table **out_picks, cov_table **out_regions);

/* The covering model cov_plan_designate() solves, as arrays, for solvers
 * outside libcoverage: a linear-programming bound, an exact integer
 * program, one plan for several scenarios. With y_f = 1 when facility f is
 * designated and pref_f its preference (enhanced_weight or 1), the model
 * is: maximise sum_u weight_u * max{pref_f : y_f = 1, f reaches u} (0 when
 * none) subject to y_f = 1 for the fixed, y_f = 0 for the facilities that
 * are neither fixed nor candidates, sum of the candidates' y_f <= budget,
 * and, for every region r with needs_lead[r], sum of y_f over the
 * candidates of r >= 1. Everything is in the analysis's order (facilities
 * and units as given, regions as cov_regions). */
typedef struct cov_plan_problem {
    size_t n_facilities, n_units, n_regions;
    /* per facility: 0 neither, 1 candidate, 2 fixed (cov_plan_candidates) */
    const unsigned char *status;
    const double *pref;       /* per facility */
    const int64_t *region;    /* per facility: region index, -1 outside */
    const unsigned char *needs_lead; /* per region */
    const double *weight;     /* per unit: its demand, 0 when in no region */
    /* Reach of the candidates and the fixed (others have none): facility
     * f reaches units unit[offset[f] .. offset[f + 1]), ascending; offset
     * has n_facilities + 1 entries. */
    const size_t *offset;
    const uint32_t *unit;
    /* New designations allowed as cov_plan_designate() reads the options
     * (the budget; 0 with no target share: the regions that need a lead);
     * SIZE_MAX for no limit (a target share without a budget). */
    size_t budget;
    double total; /* sum of weight */
} cov_plan_problem;

/* The covering model of cov_plan_designate() under the same options
 * (threshold, weight, candidates, fixed, enhanced kinds and weight, budget,
 * one_per_region; start and focus are not part of it). A budget smaller
 * than the regions that need a lead fails as in cov_plan_designate().
 * Caller frees with cov_plan_problem_destroy(); NULL with an error in ctx. */
COV_API cov_plan_problem *cov_plan_problem_create(cov_ctx *ctx, cov_analysis *analysis,
                                                  const cov_travel_model *model,
                                                  const cov_plan_options *options);
/* Frees a problem; NULL is a no-op. */
COV_API void cov_plan_problem_destroy(cov_plan_problem *problem);

/* ---- Accessibility ---------------------------------------------------------- */

typedef struct cov_access_options {
    size_t struct_size; /* set by _init() (see cov_analysis_options) */
    size_t weight;
    const char *const *kinds; /* supply facilities; NULL: doctor kinds */
    size_t n_kinds;
    int supply;               /* enum cov_supply */
    /* E2SFCA bands: ascending upper limits (travel-model units) and their
     * weights; n_bands 0 gives 2SFCA with one band [0, threshold],
     * weight 1. */
    const double *band_limits;
    const double *band_weights;
    size_t n_bands;
    double threshold; /* NaN: the default doctor threshold */
} cov_access_options;

/* Defaults: weight 0, doctor kinds, COV_SUPPLY_CAPACITY, 2SFCA, threshold
 * NaN. */
COV_API void cov_access_options_init(cov_access_options *options);

/* Two-step floating catchment: R_j = S_j / sum_k W(d_kj) P_k over the
 * units k within reach of supply j; A_k = sum_j W(d_kj) R_j. W is the band
 * weight (1 for 2SFCA). A supply facility with an unknown (NaN) supply
 * fails with COV_ERR_VALUE naming it. *out_units: demand_id, region_id,
 * access. *out_regions: region_id, region_name, demand_total, mean, sd
 * (both demand-weighted), min, max, gini (demand-weighted Gini
 * coefficient). Either out pointer may be NULL; caller frees with
 * cov_table_destroy(). Returns COV_OK or an error code. */
COV_API int cov_access_2sfca(cov_ctx *ctx, cov_analysis *analysis,
                             const cov_travel_model *model,
                             const cov_access_options *options,
                             cov_table **out_units, cov_table **out_regions);

/* ---- Demand weights --------------------------------------------------------- */

/* JMAP (日本医師会 地域医療情報システム) age weights of medical demand:
 * out[i] = 0.6 a0_14 + 0.4 a15_39 + 1.0 a40_64 + 2.3 a65_74 + 3.9 a75,
 * the five populations of unit i given row-major in pop[5 i .. 5 i + 4].
 * A negative or non-finite population fails with COV_ERR_VALUE naming the
 * row and the age group. out is the caller's (n entries). */
COV_API int cov_demand_jmap_weights(cov_ctx *ctx, size_t n, const double *pop,
                                    double *out);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_PLANNING_H */
