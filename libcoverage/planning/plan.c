/* Designation of lead institutions: maximal covering with preferences.
 *
 * The objective F(S) = sum over units u of w_u * max{pref_f : f in S reaches
 * u} (0 when none) is monotone submodular, so the greedy is within 1 - 1/e
 * of the optimum and lazy evaluation (CELF) is exact: a marginal gain can
 * only shrink as S grows, so a stale gain is an upper bound. Swaps of one
 * pick for one candidate then climb to a local optimum. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planning/plan_internal.h"

void cov_plan_options_init(cov_plan_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->threshold = NAN;
    o->enhanced_weight = 1.1;
    o->target_share = NAN;
    o->one_per_region = 1;
    o->swap_passes = 10;
    o->psychiatric_only_candidates = 0;
    o->start = o->focus = NULL;
}

enum { ST_NONE = 0, ST_CAND, ST_FIXED, ST_PICKED };

typedef struct planner {
    cov_ctx *ctx;
    cov_analysis *a;
    cov_plan_options o;
    const cov__reach_sets *rs; /* borrowed from the analysis's reach engine */
    size_t nf, nu, nr;
    double *w;       /* demand weight, 0 for unassigned units */
    double *pref;    /* per facility */
    unsigned char *state;
    double *b;       /* best preference reaching each unit, 0 none */
    size_t *t_off, *t_fac; /* transpose: unit -> selected-able facilities */
    size_t *region_sel;    /* selected per region */
    unsigned char *region_has_cand;
    double total, covered, objective;
} planner;

static void planner_free(planner *p)
{
    free(p->w);
    free(p->pref);
    free(p->state);
    free(p->b);
    free(p->t_off);
    free(p->t_fac);
    free(p->region_sel);
    free(p->region_has_cand);
}

static long fregion(const planner *p, size_t f) { return (long)p->a->facility_region[f]; }

/* Objective and covered-demand gains of adding f to the selection. */
static double gain_of(const planner *p, size_t f, double *out_covered)
{
    double g = 0.0, c = 0.0;
    for (size_t k = p->rs->offset[f]; k < p->rs->offset[f + 1]; k++) {
        size_t u = p->rs->unit[k];
        double d = p->pref[f] - p->b[u];
        if (d > 0.0) g += p->w[u] * d;
        if (p->b[u] == 0.0) c += p->w[u];
    }
    if (out_covered) *out_covered = c;
    return g;
}

static void add(planner *p, size_t f, int state)
{
    double c;
    p->objective += gain_of(p, f, &c);
    p->covered += c;
    for (size_t k = p->rs->offset[f]; k < p->rs->offset[f + 1]; k++) {
        size_t u = p->rs->unit[k];
        if (p->pref[f] > p->b[u]) p->b[u] = p->pref[f];
    }
    p->state[f] = (unsigned char)state;
    if (fregion(p, f) >= 0) p->region_sel[fregion(p, f)]++;
}

static int selected(const planner *p, size_t f)
{
    return p->state[f] == ST_FIXED || p->state[f] == ST_PICKED;
}

/* Best preference at u among the selected, leaving out facility skip. */
static double best_without(const planner *p, size_t u, size_t skip)
{
    double best = 0.0;
    for (size_t k = p->t_off[u]; k < p->t_off[u + 1]; k++) {
        size_t f = p->t_fac[k];
        if (f != skip && selected(p, f) && p->pref[f] > best) best = p->pref[f];
    }
    return best;
}

static int planner_make(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                        const cov_plan_options *options, planner *p)
{
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
    p->a = a;
    cov_plan_options_init(&p->o);
    if (options && cov__options_take(ctx, &p->o, sizeof p->o, options, "plan options") != COV_OK)
        return ctx->status;
    cov_plan_options *o = &p->o;
    if (isnan(o->threshold)) o->threshold = cov__plan_default_threshold(model, 0);
    if (cov__plan_check_threshold(ctx, o->threshold, "plan threshold") != COV_OK)
        return ctx->status;
    if (!(o->enhanced_weight >= 1.0) || !isfinite(o->enhanced_weight))
        return cov__error(ctx, COV_ERR_ARG, "enhanced_weight %g must be >= 1",
                          o->enhanced_weight);
    if (!isnan(o->target_share) && !(o->target_share > 0.0 && o->target_share <= 1.0))
        return cov__error(ctx, COV_ERR_ARG, "target share %g must be in (0, 1]",
                          o->target_share);
    const double *w = cov__plan_weights(ctx, a, o->weight, "plan");
    if (!w) return ctx->status;
    p->nf = a->facilities->n;
    p->nu = a->demand->n;
    p->nr = a->n_regions;
    size_t nf1 = p->nf ? p->nf : 1, nu1 = p->nu ? p->nu : 1, nr1 = p->nr ? p->nr : 1;
    p->w = cov__mallocarray(ctx, nu1, sizeof *p->w);
    p->b = cov__calloc(ctx, nu1, sizeof *p->b);
    p->pref = cov__mallocarray(ctx, nf1, sizeof *p->pref);
    p->state = cov__calloc(ctx, nf1, 1);
    p->region_sel = cov__calloc(ctx, nr1, sizeof *p->region_sel);
    p->region_has_cand = cov__calloc(ctx, nr1, 1);
    unsigned char *cand = cov__mallocarray(ctx, nf1, 1);
    if (cand && cov__plan_candidate_status(ctx, a, o, cand) != COV_OK) {
        free(cand);
        return ctx->status;
    }
    unsigned char *enh = cov__plan_kind_mask(ctx, a, o->enhanced_kinds, o->n_enhanced_kinds,
                                             cov__enhanced_kinds, 2);
    if (!p->w || !p->b || !p->pref || !p->state || !p->region_sel || !p->region_has_cand ||
        !cand || !enh) {
        free(cand);
        free(enh);
        return ctx->status;
    }
    for (size_t u = 0; u < p->nu; u++) {
        p->w[u] = a->demand_region[u] >= 0 ? w[u] : 0.0;
        p->total += p->w[u];
    }
    for (size_t i = 0; i < p->nf; i++) {
        p->pref[i] = enh[i] ? o->enhanced_weight : 1.0;
        p->state[i] = cov__plan_candidate_fixed(cand[i])  ? ST_FIXED
                      : cov__plan_candidate_yes(cand[i]) ? ST_CAND
                                                         : ST_NONE;
        if (p->state[i] != ST_NONE && fregion(p, i) >= 0)
            p->region_has_cand[fregion(p, i)] = 1;
    }
    free(cand);
    free(enh);
    p->rs = cov__plan_reach_sets(ctx, a, model, o->threshold, COV__COSTS_NONE);
    return p->rs ? COV_OK : ctx->status;
}

/* unit -> candidate or fixed facilities reaching it (for swaps). */
static int planner_transpose(planner *p)
{
    p->t_off = cov__calloc(p->ctx, p->nu + 1, sizeof *p->t_off);
    if (!p->t_off) return p->ctx->status;
    for (size_t f = 0; f < p->nf; f++)
        if (p->state[f] != ST_NONE)
            for (size_t k = p->rs->offset[f]; k < p->rs->offset[f + 1]; k++)
                p->t_off[p->rs->unit[k] + 1]++;
    for (size_t u = 0; u < p->nu; u++) p->t_off[u + 1] += p->t_off[u];
    p->t_fac = cov__mallocarray(p->ctx, p->t_off[p->nu] ? p->t_off[p->nu] : 1, sizeof *p->t_fac);
    size_t *fill = cov__calloc(p->ctx, p->nu ? p->nu : 1, sizeof *fill);
    if (!p->t_fac || !fill) {
        free(fill);
        return p->ctx->status;
    }
    for (size_t f = 0; f < p->nf; f++)
        if (p->state[f] != ST_NONE)
            for (size_t k = p->rs->offset[f]; k < p->rs->offset[f + 1]; k++) {
                size_t u = p->rs->unit[k];
                p->t_fac[p->t_off[u] + fill[u]++] = f;
            }
    free(fill);
    return COV_OK;
}

static int region_needs(const planner *p, long r)
{
    return r >= 0 && p->region_has_cand[r] && p->region_sel[r] == 0;
}

static size_t needy_count(const planner *p)
{
    size_t n = 0;
    for (size_t r = 0; p->o.one_per_region && r < p->nr; r++) n += region_needs(p, (long)r);
    return n;
}

/* Lazy greedy over candidates; in_region_phase restricts to candidates of
 * regions still without a lead and stops when none is left. With reserve,
 * the free phase stops while the picks left are just enough for the
 * regions still without a lead. */
static int celf(planner *p, int in_region_phase, int reserve, size_t max_picks, size_t *n_picks)
{
    cov_heap h = {0};
    size_t round = 0;
    for (size_t f = 0; f < p->nf; f++) {
        if (p->state[f] != ST_CAND || (in_region_phase && !region_needs(p, fregion(p, f))))
            continue;
        if (cov__heap_push(p->ctx, &h, (cov_heap_entry){gain_of(p, f, NULL), f, 0}) != COV_OK) {
            cov__heap_free(&h);
            return p->ctx->status;
        }
    }
    cov_heap_entry top;
    while (*n_picks < max_picks && cov__heap_pop(&h, &top)) {
        size_t f = top.item;
        if (in_region_phase && !region_needs(p, fregion(p, f))) continue;
        if (!in_region_phase && !isnan(p->o.target_share) && p->total > 0 &&
            p->covered >= p->o.target_share * p->total)
            break;
        if (reserve && max_picks - *n_picks <= needy_count(p)) break;
        if (top.stamp != round) {
            top.gain = gain_of(p, f, NULL);
            top.stamp = round;
            if (cov__heap_push(p->ctx, &h, top) != COV_OK) {
                cov__heap_free(&h);
                return p->ctx->status;
            }
            continue;
        }
        if (!in_region_phase && !(top.gain > 0.0)) break;
        add(p, f, ST_PICKED);
        (*n_picks)++;
        round++;
    }
    cov__heap_free(&h);
    return COV_OK;
}

/* Takes pick s out of the selection. */
static void remove_pick(planner *p, size_t s)
{
    p->state[s] = ST_CAND;
    if (fregion(p, s) >= 0) p->region_sel[fregion(p, s)]--;
    for (size_t k = p->rs->offset[s]; k < p->rs->offset[s + 1]; k++) {
        size_t u = p->rs->unit[k];
        double nb = best_without(p, u, s);
        p->objective -= p->w[u] * (p->b[u] - nb);
        if (nb == 0.0 && p->b[u] > 0.0) p->covered -= p->w[u];
        p->b[u] = nb;
    }
}

/* One pass of swaps: for each pick s, the candidate c (allowed by the
 * region constraint) whose swap gains most, applied when it gains. */
static int swap_pass(planner *p, int *improved)
{
    double *saved = cov__mallocarray(p->ctx, p->nu ? p->nu : 1, sizeof *saved);
    if (!saved) return p->ctx->status;
    double eps = 1e-12 * (p->total + 1.0);
    *improved = 0;
    for (size_t s = 0; s < p->nf; s++) {
        if (p->state[s] != ST_PICKED) continue;
        long rs_ = fregion(p, s);
        int sole = p->o.one_per_region && rs_ >= 0 && p->region_sel[rs_] == 1;
        double loss = 0.0;
        size_t b0 = p->rs->offset[s], b1 = p->rs->offset[s + 1];
        for (size_t k = b0; k < b1; k++) {
            size_t u = p->rs->unit[k];
            saved[k - b0] = p->b[u];
            double nb = best_without(p, u, s);
            loss += p->w[u] * (p->b[u] - nb);
            p->b[u] = nb;
        }
        long best_c = -1;
        double best_delta = eps;
        for (size_t c = 0; c < p->nf; c++) {
            if (p->state[c] != ST_CAND || (sole && fregion(p, c) != rs_)) continue;
            double delta = gain_of(p, c, NULL) - loss;
            if (delta > best_delta) best_delta = delta, best_c = (long)c;
        }
        for (size_t k = b0; k < b1; k++) p->b[p->rs->unit[k]] = saved[k - b0];
        if (best_c < 0) continue;
        remove_pick(p, s);
        add(p, (size_t)best_c, ST_PICKED);
        *improved = 1;
    }
    free(saved);
    return COV_OK;
}

/* The candidates that reach a unit of s1 or s2 (s1 and s2 included, both
 * out of the selection), into out; returns their number. */
static size_t neighbourhood(const planner *p, size_t s1, size_t s2, unsigned char *seen,
                            size_t *out)
{
    size_t n = 0, pair[2] = {s1, s2};
    for (int q = 0; q < 2; q++)
        for (size_t k = p->rs->offset[pair[q]]; k < p->rs->offset[pair[q] + 1]; k++) {
            size_t u = p->rs->unit[k];
            for (size_t t = p->t_off[u]; t < p->t_off[u + 1]; t++) {
                size_t c = p->t_fac[t];
                if (p->state[c] == ST_CAND && !seen[c]) seen[c] = 1, out[n++] = c;
            }
        }
    for (size_t k = 0; k < n; k++) seen[out[k]] = 0;
    return n;
}

/* Keeps the PAIR_TOP candidates of cand[0..n) with the largest single
 * gains (the pair search is quadratic in them); returns how many remain. */
#define PAIR_TOP 16
typedef struct ranked {
    double gain;
    size_t c;
} ranked;

static int cmp_ranked(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->gain != b->gain) return a->gain < b->gain ? 1 : -1;
    return (a->c > b->c) - (a->c < b->c);
}

static size_t top_candidates(const planner *p, size_t n, size_t *cand, ranked *gains)
{
    if (n <= PAIR_TOP) return n;
    for (size_t k = 0; k < n; k++) gains[k] = (ranked){gain_of(p, cand[k], NULL), cand[k]};
    qsort(gains, n, sizeof *gains, cmp_ranked);
    for (size_t k = 0; k < PAIR_TOP; k++) cand[k] = gains[k].c;
    return PAIR_TOP;
}

/* The candidates of the focus mask among cand[0..n), at most PAIR_TOP of
 * them (the largest single gains), into out; returns their number. */
static size_t focus_candidates(const planner *p, size_t n, const size_t *cand, ranked *gains,
                               size_t *out)
{
    size_t m = 0;
    for (size_t k = 0; p->o.focus && k < n; k++)
        if (p->o.focus[cand[k]]) gains[m++] = (ranked){gain_of(p, cand[k], NULL), cand[k]};
    if (m > PAIR_TOP) {
        qsort(gains, m, sizeof *gains, cmp_ranked);
        m = PAIR_TOP;
    }
    for (size_t k = 0; k < m; k++) out[k] = gains[k].c;
    return m;
}

/* Appends extra[0..m) to cand[0..n) leaving out those already there;
 * returns the new length. seen is all zero on entry and on return. */
static size_t merge_candidates(size_t n, size_t *cand, size_t m, const size_t *extra,
                               unsigned char *seen)
{
    size_t n0 = n;
    for (size_t k = 0; k < n0; k++) seen[cand[k]] = 1;
    for (size_t k = 0; k < m; k++)
        if (!seen[extra[k]]) seen[extra[k]] = 1, cand[n++] = extra[k];
    for (size_t k = 0; k < n; k++) seen[cand[k]] = 0;
    return n;
}

/* One pass of pair moves: for two picks whose neighbourhoods meet, the
 * best pair among the PAIR_TOP best candidates of those neighbourhoods
 * (exhaustively) replaces
 * them when the objective grows and every region keeps its lead. Single
 * swaps get stuck when the one-per-region rule ties the picks of
 * neighbouring regions together; candidates outside the neighbourhoods
 * cannot gain from being swapped in together, single swaps try them. */
static int pair_pass(planner *p, int *improved)
{
    size_t np = 0, nf1 = p->nf ? p->nf : 1;
    size_t *picks = cov__mallocarray(p->ctx, nf1, sizeof *picks);
    size_t *cand = cov__mallocarray(p->ctx, nf1 + PAIR_TOP, sizeof *cand);
    size_t *extra = cov__mallocarray(p->ctx, PAIR_TOP, sizeof *extra);
    ranked *gains = cov__mallocarray(p->ctx, nf1, sizeof *gains);
    unsigned char *seen = cov__calloc(p->ctx, nf1, 1);
    if (!picks || !cand || !extra || !gains || !seen) {
        free(picks);
        free(cand);
        free(extra);
        free(gains);
        free(seen);
        return p->ctx->status;
    }
    double eps = 1e-12 * (p->total + 1.0);
    *improved = 0;
    for (size_t f = 0; f < p->nf; f++)
        if (p->state[f] == ST_PICKED) picks[np++] = f;
    for (size_t i = 0; i < np; i++)
        for (size_t j = i + 1; j < np; j++) {
            size_t s1 = picks[i], s2 = picks[j];
            double before = p->objective, best = before + eps;
            long b1 = -1, b2 = -1, r1 = fregion(p, s1), r2 = fregion(p, s2);
            /* a pick alone in its region can only move inside it */
            int sole1 = p->o.one_per_region && r1 >= 0 && p->region_sel[r1] == 1;
            int sole2 = p->o.one_per_region && r2 >= 0 && p->region_sel[r2] == 1;
            remove_pick(p, s1);
            remove_pick(p, s2);
            size_t nc = neighbourhood(p, s1, s2, seen, cand);
            size_t ne = focus_candidates(p, nc, cand, gains, extra);
            nc = merge_candidates(top_candidates(p, nc, cand, gains), cand, ne, extra, seen);
            /* Do the two moves interact? When a candidate reaches units of
             * both picks, or when one reaching the units of one pick lies
             * in the region of the other, which only a candidate of that
             * region may replace (the change of two regions at once). */
            int touch = 0;
            for (size_t k = p->rs->offset[s1]; k < p->rs->offset[s1 + 1]; k++)
                for (size_t t = p->t_off[p->rs->unit[k]]; t < p->t_off[p->rs->unit[k] + 1]; t++) {
                    seen[p->t_fac[t]] = 1;
                    size_t c = p->t_fac[t];
                    touch |= sole2 && p->state[c] == ST_CAND && fregion(p, c) == r2;
                }
            for (size_t k = p->rs->offset[s2]; k < p->rs->offset[s2 + 1] && !touch; k++)
                for (size_t t = p->t_off[p->rs->unit[k]]; t < p->t_off[p->rs->unit[k] + 1]; t++) {
                    size_t c = p->t_fac[t];
                    touch |= seen[c] || (sole1 && p->state[c] == ST_CAND && fregion(p, c) == r1);
                }
            memset(seen, 0, p->nf);
            for (size_t x = 0; touch && x < nc; x++) {
                add(p, cand[x], ST_PICKED);
                for (size_t y = x + 1; y < nc; y++) {
                    add(p, cand[y], ST_PICKED);
                    if (p->objective > best && needy_count(p) == 0) {
                        best = p->objective;
                        b1 = (long)cand[x];
                        b2 = (long)cand[y];
                    }
                    remove_pick(p, cand[y]);
                }
                remove_pick(p, cand[x]);
            }
            if (b1 >= 0 && !(b1 == (long)s1 && b2 == (long)s2) &&
                !(b1 == (long)s2 && b2 == (long)s1)) {
                add(p, (size_t)b1, ST_PICKED);
                add(p, (size_t)b2, ST_PICKED);
                picks[i] = (size_t)b1;
                picks[j] = (size_t)b2;
                *improved = 1;
            } else {
                add(p, s1, ST_PICKED);
                add(p, s2, ST_PICKED);
            }
        }
    free(picks);
    free(cand);
    free(extra);
    free(gains);
    free(seen);
    return COV_OK;
}

/* ---- output ---- */

static const cov_column_spec pick_spec[] = {
    {"rank", COV_COL_INT},          {"facility_id", COV_COL_STRING},
    {"name", COV_COL_STRING},       {"kind", COV_COL_STRING},
    {"region_id", COV_COL_STRING},  {"reason", COV_COL_STRING},
    {"gain_demand", COV_COL_DOUBLE}, {"covered_demand", COV_COL_DOUBLE},
    {"share_covered", COV_COL_DOUBLE}, {"gain_objective", COV_COL_DOUBLE}};
enum { K_RANK, K_ID, K_NAME, K_KIND, K_REGION, K_REASON, K_GAIN, K_COV, K_SHARE, K_OBJ, K_N };

/* Rebuilds the selection in output order (fixed, then by marginal gain)
 * writing one row per facility. */
static cov_table *picks_table(planner *p)
{
    cov_ctx *ctx = p->ctx;
    const cov_facilities *f = p->a->facilities;
    size_t n = 0;
    for (size_t i = 0; i < p->nf; i++) n += selected(p, i);
    unsigned char *final = cov__calloc(ctx, p->nf ? p->nf : 1, 1);
    unsigned char *region_done = cov__calloc(ctx, p->nr ? p->nr : 1, 1);
    cov_table *t = cov__table_create(ctx, n, 1);
    size_t c[K_N];
    if (!final || !region_done || !t || cov__table_add_columns(ctx, t, pick_spec, K_N, c))
        goto fail;
    for (size_t i = 0; i < p->nf; i++) {
        final[i] = (unsigned char)p->state[i];
        if (selected(p, i)) p->state[i] = ST_CAND; /* replayed below */
    }
    memset(p->b, 0, p->nu * sizeof *p->b);
    memset(p->region_sel, 0, p->nr * sizeof *p->region_sel);
    p->covered = p->objective = 0.0;
    for (size_t row = 0; row < n; row++) {
        long best = -1;
        double best_gain = -1.0;
        for (size_t i = 0; i < p->nf && best < 0; i++) /* fixed first, in input order */
            if (final[i] == ST_FIXED && p->state[i] != ST_FIXED) best = (long)i;
        for (size_t i = 0; i < p->nf && (best < 0 || final[best] != ST_FIXED); i++) {
            if (final[i] != ST_PICKED || p->state[i] == ST_PICKED) continue;
            double g = gain_of(p, i, NULL);
            if (g > best_gain) best_gain = g, best = (long)i;
        }
        size_t i = (size_t)best;
        double cov_gain, obj_gain = gain_of(p, i, &cov_gain);
        add(p, i, final[i]);
        long r = fregion(p, i);
        const char *reason = final[i] == ST_FIXED ? "fixed"
                             : r >= 0 && !region_done[r] ? "region"
                                                         : "coverage";
        if (r >= 0) region_done[r] = 1;
        cov__table_ints_mut(t, c[K_RANK])[row] = (int64_t)row + 1;
        cov__table_doubles_mut(t, c[K_GAIN])[row] = cov_gain;
        cov__table_doubles_mut(t, c[K_COV])[row] = p->covered;
        cov__table_doubles_mut(t, c[K_SHARE])[row] = p->total > 0 ? p->covered / p->total : NAN;
        cov__table_doubles_mut(t, c[K_OBJ])[row] = obj_gain;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, f->lon[i], f->lat[i]);
        if (!pt) {
            cov__geos_error(ctx, "facility point");
            goto fail;
        }
        cov__table_set_geometry(t, row, pt);
        if (cov__table_set_string(ctx, t, c[K_ID], row, f->ids[i]) ||
            cov__table_set_string(ctx, t, c[K_NAME], row, f->names[i]) ||
            cov__table_set_string(ctx, t, c[K_KIND], row, f->kinds[i]) ||
            cov__plan_set_region(ctx, t, c[K_REGION], (size_t)-1, row, p->a, r) ||
            cov__table_set_string(ctx, t, c[K_REASON], row, reason))
            goto fail;
    }
    free(final);
    free(region_done);
    return t;
fail:
    free(final);
    free(region_done);
    cov_table_destroy(t);
    return NULL;
}

static const cov_column_spec region_spec[] = {
    {"region_id", COV_COL_STRING},     {"region_name", COV_COL_STRING},
    {"n_candidates", COV_COL_INT},     {"n_fixed", COV_COL_INT},
    {"n_picked", COV_COL_INT},         {"demand_total", COV_COL_DOUBLE},
    {"covered_before", COV_COL_DOUBLE}, {"covered_after", COV_COL_DOUBLE},
    {"share_before", COV_COL_DOUBLE},  {"share_after", COV_COL_DOUBLE},
    {"status", COV_COL_STRING}};
enum { R_ID, R_NAME, R_CAND, R_FIXED, R_PICKED, R_TOTAL, R_BEFORE, R_AFTER, R_SB, R_SA,
       R_STATUS, R_N };

static cov_table *regions_table(planner *p, const double *covered_before)
{
    cov_ctx *ctx = p->ctx;
    cov_table *t = cov__table_create(ctx, p->nr, 0);
    size_t c[R_N];
    if (!t || cov__table_add_columns(ctx, t, region_spec, R_N, c)) goto fail;
    int64_t *nc = cov__table_ints_mut(t, c[R_CAND]), *nfx = cov__table_ints_mut(t, c[R_FIXED]),
            *np = cov__table_ints_mut(t, c[R_PICKED]);
    double *tot = cov__table_doubles_mut(t, c[R_TOTAL]), *bef = cov__table_doubles_mut(t, c[R_BEFORE]),
           *aft = cov__table_doubles_mut(t, c[R_AFTER]);
    for (size_t r = 0; r < p->nr; r++) tot[r] = bef[r] = aft[r] = 0.0; /* columns start NaN */
    for (size_t i = 0; i < p->nf; i++) {
        long r = fregion(p, i);
        if (r < 0) continue;
        nc[r] += p->state[i] == ST_CAND || p->state[i] == ST_PICKED;
        nfx[r] += p->state[i] == ST_FIXED;
        np[r] += p->state[i] == ST_PICKED;
    }
    for (size_t u = 0; u < p->nu; u++) {
        int64_t r = p->a->demand_region[u];
        if (r < 0) continue;
        tot[r] += p->w[u];
        bef[r] += covered_before[u];
        if (p->b[u] > 0.0) aft[r] += p->w[u];
    }
    for (size_t r = 0; r < p->nr; r++) {
        cov__table_doubles_mut(t, c[R_SB])[r] = tot[r] > 0 ? bef[r] / tot[r] : NAN;
        cov__table_doubles_mut(t, c[R_SA])[r] = tot[r] > 0 ? aft[r] / tot[r] : NAN;
        const char *status = nc[r] + nfx[r] > 0
                                 ? "ok"
                                 : "no candidate: needs cross-region support or a new facility";
        if (cov__plan_set_region(ctx, t, c[R_ID], c[R_NAME], r, p->a, (int64_t)r) ||
            cov__table_set_string(ctx, t, c[R_STATUS], r, status))
            goto fail;
    }
    return t;
fail:
    cov_table_destroy(t);
    return NULL;
}

/* Names the regions that still need a lead, for the budget message. */
static void needy_list(const planner *p, char *buf, size_t size, size_t *n)
{
    size_t len = 0;
    *n = 0;
    buf[0] = '\0';
    for (size_t r = 0; r < p->nr; r++) {
        if (!region_needs(p, (long)r)) continue;
        (*n)++;
        if (len + strlen(p->a->regions->ids[r]) + 8 < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                                    p->a->regions->ids[r]);
    }
}

/* Back to the fixed leads only. */
static void reset(planner *p)
{
    memset(p->b, 0, p->nu * sizeof *p->b);
    memset(p->region_sel, 0, p->nr * sizeof *p->region_sel);
    p->covered = p->objective = 0.0;
    for (size_t i = 0; i < p->nf; i++) {
        if (p->state[i] == ST_PICKED) p->state[i] = ST_CAND;
        if (p->state[i] == ST_FIXED) add(p, i, ST_FIXED);
    }
}

/* One strategy from the fixed leads: 0 gives every region its lead first,
 * then covers; 1 covers first, keeping just enough picks for the regions.
 * Each ends with swap passes. */
static int run_strategy(planner *p, int strategy, size_t budget)
{
    size_t n = 0;
    reset(p);
    for (size_t i = 0; p->o.start && i < p->nf; i++)
        if (p->o.start[i] && p->state[i] == ST_CAND) add(p, i, ST_PICKED), n++;
    if (strategy == 1 && celf(p, 0, 1, budget, &n) != COV_OK) return p->ctx->status;
    if (p->o.one_per_region && celf(p, 1, 0, budget, &n) != COV_OK) return p->ctx->status;
    if (celf(p, 0, 0, budget, &n) != COV_OK) return p->ctx->status;
    for (int pass = 0; pass < p->o.swap_passes; pass++) {
        int improved = 0, paired = 0;
        if (swap_pass(p, &improved) != COV_OK) return p->ctx->status;
        if (!improved && pair_pass(p, &paired) != COV_OK) return p->ctx->status;
        if (!improved && !paired) break;
    }
    return COV_OK;
}

/* The planner with the fixed leads added, and the new designations the
 * options allow (*budget) beside the regions that need a lead
 * (*n_needy); fails with COV_ERR_ARG when the budget cannot give each of
 * them one. */
static int planner_start(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                         const cov_plan_options *options, planner *p, size_t *budget,
                         size_t *n_needy)
{
    int st = planner_make(ctx, a, model, options, p);
    if (st != COV_OK) return st;
    for (size_t i = 0; i < p->nf; i++)
        if (p->state[i] == ST_FIXED) add(p, i, ST_FIXED);
    char list[512];
    needy_list(p, list, sizeof list, n_needy);
    if (!p->o.one_per_region) *n_needy = 0;
    *budget = p->o.budget ? p->o.budget : isnan(p->o.target_share) ? *n_needy : (size_t)-1;
    if (*n_needy > *budget)
        return cov__error(ctx, COV_ERR_ARG,
                          "plan: budget %zu is smaller than the %zu regions that need a lead (%s)",
                          *budget, *n_needy, list);
    size_t n_start = 0;
    for (size_t i = 0; p->o.start && i < p->nf; i++)
        n_start += p->o.start[i] && p->state[i] == ST_CAND;
    if (n_start > *budget)
        return cov__error(ctx, COV_ERR_ARG, "plan: %zu start picks are more than the budget %zu",
                          n_start, *budget);
    return COV_OK;
}

int cov_plan_designate(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                       const cov_plan_options *options, cov_table **out_picks,
                       cov_table **out_regions)
{
    COV_CHECK_ARG(ctx, ctx, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, a, COV_ERR_ARG);
    if (out_picks) *out_picks = NULL;
    if (out_regions) *out_regions = NULL;
    planner p;
    double *before = NULL;
    unsigned char *best = NULL;
    cov_table *tp = NULL, *tr = NULL;
    size_t budget, n_needy;
    int st = planner_start(ctx, a, model, options, &p, &budget, &n_needy);
    if (st != COV_OK) goto done;
    if (!(before = cov__calloc(ctx, p.nu ? p.nu : 1, sizeof *before))) goto fail;
    for (size_t u = 0; u < p.nu; u++) before[u] = p.b[u] > 0.0 ? p.w[u] : 0.0;
    if (planner_transpose(&p) != COV_OK ||
        !(best = cov__mallocarray(ctx, p.nf ? p.nf : 1, 1)))
        goto fail;
    double best_obj = -1.0;
    /* from given start picks, one strategy: the second would start alike */
    for (int strategy = 0; strategy < 1 + (n_needy > 0 && !p.o.start); strategy++) {
        if (run_strategy(&p, strategy, budget) != COV_OK) goto fail;
        if (p.objective > best_obj) {
            best_obj = p.objective;
            memcpy(best, p.state, p.nf);
        }
    }
    reset(&p);
    for (size_t i = 0; i < p.nf; i++)
        if (best[i] == ST_PICKED) add(&p, i, ST_PICKED);
    if (out_regions && !(tr = regions_table(&p, before))) goto fail;
    if (out_picks && !(tp = picks_table(&p))) goto fail;
    goto done;
fail:
    st = ctx->status ? ctx->status : COV_ERR_NOMEM;
done:
    if (st == COV_OK) {
        if (out_picks) *out_picks = tp;
        if (out_regions) *out_regions = tr;
    } else {
        cov_table_destroy(tp);
        cov_table_destroy(tr);
    }
    free(before);
    free(best);
    planner_free(&p);
    return st;
}

/* ---- the model, for outside solvers ---- */

typedef struct problem_owned {
    cov_plan_problem pub; /* first: the public pointer is this struct's */
    unsigned char *status, *needs_lead;
    double *pref, *weight;
    int64_t *region;
    size_t *offset;
    uint32_t *unit;
} problem_owned;

void cov_plan_problem_destroy(cov_plan_problem *problem)
{
    problem_owned *q = (problem_owned *)problem;
    if (!q) return;
    free(q->status);
    free(q->needs_lead);
    free(q->pref);
    free(q->weight);
    free(q->region);
    free(q->offset);
    free(q->unit);
    free(q);
}

cov_plan_problem *cov_plan_problem_create(cov_ctx *ctx, cov_analysis *a,
                                          const cov_travel_model *model,
                                          const cov_plan_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    planner p;
    size_t budget, n_needy;
    problem_owned *q = NULL;
    if (planner_start(ctx, a, model, options, &p, &budget, &n_needy) != COV_OK) goto fail;
    size_t nf1 = p.nf ? p.nf : 1, nu1 = p.nu ? p.nu : 1, nr1 = p.nr ? p.nr : 1, n_pairs = 0;
    for (size_t f = 0; f < p.nf; f++)
        if (p.state[f] != ST_NONE) n_pairs += p.rs->offset[f + 1] - p.rs->offset[f];
    if (!(q = cov__calloc(ctx, 1, sizeof *q))) goto fail;
    q->status = cov__mallocarray(ctx, nf1, 1);
    q->needs_lead = cov__calloc(ctx, nr1, 1);
    q->pref = cov__mallocarray(ctx, nf1, sizeof *q->pref);
    q->weight = cov__mallocarray(ctx, nu1, sizeof *q->weight);
    q->region = cov__mallocarray(ctx, nf1, sizeof *q->region);
    q->offset = cov__mallocarray(ctx, p.nf + 1, sizeof *q->offset);
    q->unit = cov__mallocarray(ctx, n_pairs ? n_pairs : 1, sizeof *q->unit);
    if (!q->status || !q->needs_lead || !q->pref || !q->weight || !q->region || !q->offset ||
        !q->unit)
        goto fail;
    size_t k = 0;
    q->offset[0] = 0;
    for (size_t f = 0; f < p.nf; f++) {
        q->status[f] = p.state[f] == ST_FIXED ? 2 : p.state[f] == ST_CAND;
        q->pref[f] = p.pref[f];
        q->region[f] = fregion(&p, f);
        if (p.state[f] != ST_NONE)
            for (size_t j = p.rs->offset[f]; j < p.rs->offset[f + 1]; j++)
                q->unit[k++] = p.rs->unit[j];
        q->offset[f + 1] = k;
    }
    for (size_t r = 0; p.o.one_per_region && r < p.nr; r++)
        q->needs_lead[r] = (unsigned char)region_needs(&p, (long)r);
    memcpy(q->weight, p.w, p.nu * sizeof *q->weight);
    q->pub = (cov_plan_problem){p.nf, p.nu, p.nr, q->status, q->pref, q->region, q->needs_lead,
                                q->weight, q->offset, q->unit, budget, p.total};
    planner_free(&p);
    return &q->pub;
fail:
    planner_free(&p);
    cov_plan_problem_destroy(q ? &q->pub : NULL);
    return NULL;
}
