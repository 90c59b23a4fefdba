/* Policy checks per region: designations, 在支診/在支病 present, the 16 km
 * rule and its exception, nurse coverage, redundancy, backup, sub-areas. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planning/plan_internal.h"

void cov_policy_options_init(cov_policy_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->rule16_m = COV_RULE16_M;
    o->doctor_threshold = NAN;
    o->nursing_threshold = NAN;
    o->min_share_rule16 = 0.9;
    o->min_share_nursing = 0.9;
    o->min_share_redundant = 0.9;
}

/* Per-region sums of the checks that count demand. */
typedef struct region_sums {
    double total, rule16, exception, nursing, redundant;
    size_t leads, hubs, home_care, standard, no_backup, subareas, subareas_no_lead;
    char missing[256]; /* names of sub-areas without a lead */
} region_sums;

/* The nearest backup provider of every standard clinic (straight line).
 * backup[i] = provider index or -1, dist[i] its distance; only entries of
 * standard clinics are set. */
static int find_backup(cov_ctx *ctx, const cov_analysis *a, const unsigned char *standard,
                       const unsigned char *provider, long *backup, double *dist)
{
    const cov_facilities *f = a->facilities;
    size_t n = 0;
    size_t *idx = cov__mallocarray(ctx, f->n ? f->n : 1, sizeof *idx);
    if (!idx) return ctx->status;
    for (size_t i = 0; i < f->n; i++)
        if (provider[i]) idx[n++] = i;
    for (size_t i = 0; i < f->n; i++) {
        backup[i] = -1;
        dist[i] = NAN;
        if (!standard[i]) continue;
        /* a clinic cannot back itself up: search the providers without it */
        size_t m = 0;
        double best = INFINITY;
        for (size_t k = 0; k < n; k++) {
            if (idx[k] == i) continue;
            m++;
            double s;
            geod_inverse(&ctx->geod, f->lat[i], f->lon[i], f->lat[idx[k]], f->lon[idx[k]], &s,
                         NULL, NULL);
            if (s < best) best = s, backup[i] = (long)idx[k];
        }
        if (m) dist[i] = best;
    }
    free(idx);
    return COV_OK;
}

typedef struct policy_inputs {
    cov_policy_options o;
    const cov_travel_model *model;
    const double *w;
    unsigned char *hc, *doctor, *nursing, *standard, *provider;
    /* backup reach (straight line, metres): the doctor threshold, or the
     * 16 km rule when that threshold is a road distance or time */
    double backup_m;
} policy_inputs;

static void inputs_free(policy_inputs *in)
{
    free(in->hc);
    free(in->doctor);
    free(in->nursing);
    free(in->standard);
    free(in->provider);
}

static int inputs_make(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                       const cov_policy_options *options, policy_inputs *in)
{
    memset(in, 0, sizeof *in);
    in->model = model;
    cov_policy_options_init(&in->o);
    if (options &&
        cov__options_take(ctx, &in->o, sizeof in->o, options, "policy options") != COV_OK)
        return ctx->status;
    cov_policy_options *o = &in->o;
    if (isnan(o->doctor_threshold)) o->doctor_threshold = cov__plan_default_threshold(model, 0);
    if (isnan(o->nursing_threshold)) o->nursing_threshold = cov__plan_default_threshold(model, 1);
    if (cov__check_radius(ctx, o->rule16_m) != COV_OK ||
        cov__plan_check_threshold(ctx, o->doctor_threshold, "doctor threshold") != COV_OK ||
        cov__plan_check_threshold(ctx, o->nursing_threshold, "nursing threshold") != COV_OK)
        return ctx->status;
    in->backup_m = cov__plan_has_network(model) ? o->rule16_m : o->doctor_threshold;
    if (!(in->w = cov__plan_weights(ctx, a, o->weight, "policy check"))) return ctx->status;
    const cov_facilities *f = a->facilities;
    in->hc = cov__plan_kind_mask(ctx, a, o->home_care_kinds, o->n_home_care_kinds,
                                 cov__home_care_kinds, 4);
    in->standard = cov__plan_kind_mask(ctx, a, o->standard_kinds, o->n_standard_kinds,
                                       cov__standard_kinds, 1);
    in->provider = cov__plan_kind_mask(ctx, a, o->backup_kinds, o->n_backup_kinds,
                                       cov__backup_kinds, 3);
    in->doctor = cov__plan_group_mask(ctx, a, a->doctor_group);
    in->nursing = cov__plan_group_mask(ctx, a, a->nursing_group);
    if (!in->hc || !in->standard || !in->provider || !in->doctor || !in->nursing)
        return ctx->status;
    /* a lead is a backup provider and does not need one */
    for (size_t i = 0; i < f->n; i++)
        if (cov_facilities_roles(f, i) & COV_ROLE_LEAD) in->provider[i] = 1, in->standard[i] = 0;
    return COV_OK;
}

/* Counts sub-areas and those without a lead per parent region. */
static int subarea_sums(cov_ctx *ctx, const cov_analysis *a, const cov_policy_options *o,
                        region_sums *rs)
{
    const cov_regions *sub = o->subareas;
    const cov_regions *reg = a->regions;
    const cov_facilities *f = a->facilities;
    int st = COV_OK;
    size_t *leads = cov__calloc(ctx, sub->n ? sub->n : 1, sizeof *leads);
    cov_locator *in_sub = cov__locator_build(ctx, sub->parts, sub->n_parts);
    cov_locator *in_reg = o->subarea_parent ? NULL
                                             : cov__locator_build(ctx, reg->parts, reg->n_parts);
    if (!leads || !in_sub || (!o->subarea_parent && !in_reg)) goto done;
    for (size_t i = 0; i < f->n; i++) {
        if (!(cov_facilities_roles(f, i) & COV_ROLE_LEAD)) continue;
        long s = cov__locator_inside(in_sub, f->lon[i], f->lat[i], sub->part_region);
        if (s >= 0) leads[s]++;
    }
    for (size_t s = 0; s < sub->n; s++) {
        long r = -1;
        if (o->subarea_parent) {
            for (size_t k = 0; k < reg->n && r < 0; k++)
                if (o->subarea_parent[s] && strcmp(reg->ids[k], o->subarea_parent[s]) == 0)
                    r = (long)k;
            if (r < 0) {
                st = cov__error(ctx, COV_ERR_VALUE,
                                "sub-area %s: parent region \"%s\" is not a region of the "
                                "analysis", sub->ids[s],
                                o->subarea_parent[s] ? o->subarea_parent[s] : "(null)");
                goto done;
            }
        } else {
            const GEOSGeometry *g = cov__regions_outline(ctx, sub, s);
            GEOSGeometry *p = g ? GEOSPointOnSurface_r(ctx->geos, g) : NULL;
            double x = 0, y = 0;
            if (!p) {
                st = g ? cov__geos_error(ctx, "sub-area interior point") : ctx->status;
                goto done;
            }
            GEOSGeomGetX_r(ctx->geos, p, &x);
            GEOSGeomGetY_r(ctx->geos, p, &y);
            GEOSGeom_destroy_r(ctx->geos, p);
            r = cov__locator_inside(in_reg, x, y, reg->part_region);
            if (r < 0) {
                cov__warn(ctx, "sub-area %s lies in no region of the analysis: not checked",
                          sub->ids[s]);
                continue;
            }
        }
        rs[r].subareas++;
        if (leads[s]) continue;
        rs[r].subareas_no_lead++;
        size_t len = strlen(rs[r].missing);
        const char *name = sub->names[s] && sub->names[s][0] ? sub->names[s] : sub->ids[s];
        if (len + strlen(name) + 3 < sizeof rs[r].missing)
            snprintf(rs[r].missing + len, sizeof rs[r].missing - len, "%s%s", len ? ", " : "",
                     name);
    }
done:
    if (st == COV_OK && ctx->status != COV_OK && (!leads || !in_sub)) st = ctx->status;
    free(leads);
    cov__locator_destroy(in_sub);
    cov__locator_destroy(in_reg);
    return st;
}

static int demand_sums(cov_ctx *ctx, cov_analysis *a, const policy_inputs *in, region_sums *rs)
{
    const cov_policy_options *o = &in->o;
    int32_t *c16 = NULL, *c16d = NULL, *cdoc = NULL, *cnur = NULL;
    /* the rule is a straight line whatever the model; the engine's cache
     * serves one set to all three when model and thresholds agree */
    int st = COV_ERR_NOMEM;
    const cov__reach_sets *r16 = cov__plan_reach_sets(ctx, a, NULL, o->rule16_m,
                                                      COV__COSTS_NONE);
    const cov__reach_sets *rdoc =
        r16 ? cov__plan_reach_sets(ctx, a, in->model, o->doctor_threshold, COV__COSTS_NONE)
            : NULL;
    const cov__reach_sets *rnur =
        rdoc ? cov__plan_reach_sets(ctx, a, in->model, o->nursing_threshold, COV__COSTS_NONE)
             : NULL;
    if (!rnur) {
        st = ctx->status;
        goto done;
    }
    c16 = cov__plan_unit_counts(ctx, a, r16, in->hc);
    c16d = cov__plan_unit_counts(ctx, a, r16, in->doctor);
    cdoc = cov__plan_unit_counts(ctx, a, rdoc, in->hc);
    cnur = cov__plan_unit_counts(ctx, a, rnur, in->nursing);
    if (!c16 || !c16d || !cdoc || !cnur) {
        st = ctx->status;
        goto done;
    }
    for (size_t u = 0; u < a->demand->n; u++) {
        int64_t r = a->demand_region[u];
        if (r < 0) continue;
        double w = in->w[u];
        rs[r].total += w;
        if (c16[u] > 0) rs[r].rule16 += w;
        if (c16d[u] == 0) rs[r].exception += w;
        if (cnur[u] > 0) rs[r].nursing += w;
        if (cdoc[u] >= 2) rs[r].redundant += w;
    }
    st = COV_OK;
done:
    free(c16);
    free(c16d);
    free(cdoc);
    free(cnur);
    return st;
}

static int facility_sums(cov_ctx *ctx, const cov_analysis *a, const policy_inputs *in,
                         region_sums *rs)
{
    const cov_facilities *f = a->facilities;
    long *backup = cov__mallocarray(ctx, f->n ? f->n : 1, sizeof *backup);
    double *dist = cov__mallocarray(ctx, f->n ? f->n : 1, sizeof *dist);
    int st = backup && dist ? find_backup(ctx, a, in->standard, in->provider, backup, dist)
                            : COV_ERR_NOMEM;
    for (size_t i = 0; i < f->n && st == COV_OK; i++) {
        int64_t r = a->facility_region[i];
        if (r < 0) continue;
        int roles = cov_facilities_roles(f, i);
        rs[r].leads += (roles & COV_ROLE_LEAD) != 0;
        rs[r].hubs += (roles & COV_ROLE_HUB) != 0;
        rs[r].home_care += in->hc[i];
        if (!in->standard[i]) continue;
        rs[r].standard++;
        if (!(dist[i] <= in->backup_m)) rs[r].no_backup++;
    }
    free(backup);
    free(dist);
    return st;
}

static const cov_column_spec policy_spec[] = {
    {"region_id", COV_COL_STRING}, {"region_name", COV_COL_STRING}, {"check", COV_COL_STRING},
    {"passed", COV_COL_INT},       {"value", COV_COL_DOUBLE},       {"target", COV_COL_DOUBLE},
    {"reason", COV_COL_STRING}};
enum { P_ID, P_NAME, P_CHECK, P_PASSED, P_VALUE, P_TARGET, P_REASON, P_NCOLS };

typedef struct row_out {
    cov_ctx *ctx;
    cov_table *t;
    size_t c[P_NCOLS];
    size_t row;
} row_out;

static int put_row(row_out *w, const cov_analysis *a, size_t r, const char *check, int passed,
                   double value, double target, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static int put_row(row_out *w, const cov_analysis *a, size_t r, const char *check, int passed,
                   double value, double target, const char *fmt, ...)
{
    char reason[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    size_t row = w->row++;
    cov__table_ints_mut(w->t, w->c[P_PASSED])[row] = passed;
    cov__table_doubles_mut(w->t, w->c[P_VALUE])[row] = value;
    cov__table_doubles_mut(w->t, w->c[P_TARGET])[row] = target;
    if (cov__plan_set_region(w->ctx, w->t, w->c[P_ID], w->c[P_NAME], row, a, (int64_t)r) !=
            COV_OK ||
        cov__table_set_string(w->ctx, w->t, w->c[P_CHECK], row, check) != COV_OK ||
        cov__table_set_string(w->ctx, w->t, w->c[P_REASON], row, reason) != COV_OK)
        return w->ctx->status;
    return COV_OK;
}

static double share(double part, double total) { return total > 0.0 ? part / total : NAN; }

/* A share check row: passes at or above target; no demand: not applicable. */
static int share_row(row_out *w, const cov_analysis *a, size_t r, const char *check,
                     double part, double total, double target, const char *what)
{
    double s = share(part, total);
    if (isnan(s))
        return put_row(w, a, r, check, -1, s, target, "no demand in the region");
    return put_row(w, a, r, check, s >= target, s, target,
                   "%.1f%% of demand (%.0f of %.0f) %s; target %.1f%%", 100.0 * s, part, total,
                   what, 100.0 * target);
}

/* A count check: passes with at least one. */
static int count_row(row_out *w, const cov_analysis *a, size_t r, const char *check, size_t n,
                     const char *some, const char *none)
{
    if (n == 0) return put_row(w, a, r, check, 0, 0.0, 1.0, "%s", none);
    return put_row(w, a, r, check, 1, (double)n, 1.0, "%zu %s", n, some);
}

static int region_rows(row_out *w, const cov_analysis *a, const policy_inputs *in, size_t r,
                       const region_sums *s)
{
    const cov_policy_options *o = &in->o;
    char what[160];
    int st = count_row(w, a, r, "lead", s->leads, "lead institution(s) designated",
                       "no lead institution (積極的役割を担う医療機関) designated");
    if (st == COV_OK)
        st = count_row(w, a, r, "hub", s->hubs, "coordination hub(s) designated",
                       "no coordination hub (連携の拠点) designated");
    if (st == COV_OK)
        st = count_row(w, a, r, "home_care", s->home_care, "在支診/在支病 in the region",
                       "no 在支診/在支病 in the region");
    snprintf(what, sizeof what, "lives within %g km (straight line) of a 在支診/在支病",
             o->rule16_m / 1000.0);
    if (st == COV_OK)
        st = share_row(w, a, r, "rule16", s->rule16, s->total, o->min_share_rule16, what);
    if (st == COV_OK)
        st = s->exception > 0.0
                 ? put_row(w, a, r, "rule16_exception", 0, s->exception, 0.0,
                           "%.0f (%.1f%%) of demand has no doctor of any kind within %g km: "
                           "house calls there rely on the 16 km exception",
                           s->exception, 100.0 * share(s->exception, s->total),
                           o->rule16_m / 1000.0)
                 : put_row(w, a, r, "rule16_exception", 1, 0.0, 0.0,
                           "every unit has a doctor within %g km", o->rule16_m / 1000.0);
    char reach[64];
    cov__plan_threshold_text(in->model, o->nursing_threshold, reach, sizeof reach);
    snprintf(what, sizeof what, "is within %s of a visiting-nurse station", reach);
    if (st == COV_OK)
        st = share_row(w, a, r, "nursing", s->nursing, s->total, o->min_share_nursing, what);
    if (st == COV_OK)
        st = share_row(w, a, r, "redundancy", s->redundant, s->total, o->min_share_redundant,
                       "has 2 or more 在支診/在支病 within reach");
    if (st == COV_OK)
        st = s->standard == 0
                 ? put_row(w, a, r, "backup", -1, 0.0, 0.0, "no standard 在支診 in the region")
                 : put_row(w, a, r, "backup", s->no_backup == 0, (double)s->no_backup, 0.0,
                           "%zu of %zu standard 在支診 have no lead, enhanced clinic or backup "
                           "hospital within %g km (straight line)",
                           s->no_backup, s->standard, in->backup_m / 1000.0);
    if (st == COV_OK && o->subareas)
        st = s->subareas == 0
                 ? put_row(w, a, r, "subareas", -1, 0.0, 0.0, "no sub-area in the region")
             : s->subareas_no_lead
                 ? put_row(w, a, r, "subareas", 0, (double)s->subareas_no_lead, 0.0,
                           "%zu of %zu sub-areas have no lead: %s", s->subareas_no_lead,
                           s->subareas, s->missing)
                 : put_row(w, a, r, "subareas", 1, 0.0, 0.0, "all %zu sub-areas have a lead",
                           s->subareas);
    return st;
}

cov_table *cov_policy_check(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                            const cov_policy_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    policy_inputs in = {0};
    cov_table *t = NULL;
    size_t nr = a->n_regions;
    region_sums *rs = cov__calloc(ctx, nr ? nr : 1, sizeof *rs);
    if (!rs || inputs_make(ctx, a, model, options, &in) != COV_OK) goto fail;
    if (demand_sums(ctx, a, &in, rs) != COV_OK || facility_sums(ctx, a, &in, rs) != COV_OK ||
        (in.o.subareas && subarea_sums(ctx, a, &in.o, rs) != COV_OK))
        goto fail;
    size_t n_checks = 8 + (in.o.subareas != NULL);
    row_out w = {.ctx = ctx};
    if (!(w.t = t = cov__table_create(ctx, nr * n_checks, 0)) ||
        cov__table_add_columns(ctx, t, policy_spec, P_NCOLS, w.c) != COV_OK)
        goto fail;
    for (size_t r = 0; r < nr; r++)
        if (region_rows(&w, a, &in, r, &rs[r]) != COV_OK) goto fail;
    inputs_free(&in);
    free(rs);
    return t;
fail:
    inputs_free(&in);
    free(rs);
    cov_table_destroy(t);
    return NULL;
}

cov_table *cov_policy_backup(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                             const cov_policy_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    static const cov_column_spec spec[] = {
        {"facility_id", COV_COL_STRING}, {"name", COV_COL_STRING},
        {"kind", COV_COL_STRING},        {"region_id", COV_COL_STRING},
        {"has_backup", COV_COL_INT},     {"backup_id", COV_COL_STRING},
        {"backup_distance_m", COV_COL_DOUBLE}};
    enum { B_ID, B_NAME, B_KIND, B_REGION, B_HAS, B_BID, B_DIST, B_N };
    const cov_facilities *f = a->facilities;
    policy_inputs in = {0};
    cov_table *t = NULL;
    size_t c[B_N], n = 0;
    long *backup = cov__mallocarray(ctx, f->n ? f->n : 1, sizeof *backup);
    double *dist = cov__mallocarray(ctx, f->n ? f->n : 1, sizeof *dist);
    if (!backup || !dist || inputs_make(ctx, a, model, options, &in) != COV_OK ||
        find_backup(ctx, a, in.standard, in.provider, backup, dist) != COV_OK)
        goto fail;
    for (size_t i = 0; i < f->n; i++) n += in.standard[i];
    if (!(t = cov__table_create(ctx, n, 1)) || cov__table_add_columns(ctx, t, spec, B_N, c))
        goto fail;
    size_t row = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (!in.standard[i]) continue;
        GEOSGeometry *p = GEOSGeom_createPointFromXY_r(ctx->geos, f->lon[i], f->lat[i]);
        if (!p) {
            cov__geos_error(ctx, "clinic point");
            goto fail;
        }
        cov__table_set_geometry(t, row, p);
        cov__table_ints_mut(t, c[B_HAS])[row] = dist[i] <= in.backup_m;
        cov__table_doubles_mut(t, c[B_DIST])[row] = dist[i];
        if (cov__table_set_string(ctx, t, c[B_ID], row, f->ids[i]) ||
            cov__table_set_string(ctx, t, c[B_NAME], row, f->names[i]) ||
            cov__table_set_string(ctx, t, c[B_KIND], row, f->kinds[i]) ||
            cov__plan_set_region(ctx, t, c[B_REGION], (size_t)-1, row, a,
                                 a->facility_region[i]) ||
            cov__table_set_string(ctx, t, c[B_BID], row,
                                  backup[i] < 0 ? "" : f->ids[backup[i]]))
            goto fail;
        row++;
    }
    inputs_free(&in);
    free(backup);
    free(dist);
    return t;
fail:
    inputs_free(&in);
    free(backup);
    free(dist);
    cov_table_destroy(t);
    return NULL;
}
