/* Who may be designated as a lead, and why not: the one rule that both
 * cov_plan_candidates() (the listing) and cov_plan_designate() (the
 * planner) apply. Candidates are facilities of the candidate kinds (by
 * default 在支診/在支病, as the national guideline expects) inside a
 * region; hospitals whose beds are all psychiatric are left out unless
 * asked for, as they are not home-care doctors' institutions (our default,
 * not a rule of law). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planning/plan_internal.h"

static int psychiatric_only(const cov_facilities *f, size_t i)
{
    if (!f->beds || !f->beds_psychiatric) return 0;
    double b = f->beds[i], p = f->beds_psychiatric[i];
    return b > 0.0 && p >= b; /* NaN compares false: unknown never excludes */
}

int cov__plan_candidate_status(cov_ctx *ctx, const cov_analysis *a, const cov_plan_options *o,
                               unsigned char *out)
{
    const cov_facilities *f = a->facilities;
    unsigned char *kind = cov__plan_kind_mask(ctx, a, o->candidate_kinds, o->n_candidate_kinds,
                                              cov__home_care_kinds, 4);
    if (!kind) return ctx->status;
    for (size_t i = 0; i < f->n; i++) {
        int fixed = o->fixed ? o->fixed[i] != 0 : (cov_facilities_roles(f, i) & COV_ROLE_LEAD);
        int cand = o->candidate ? o->candidate[i] != 0 : kind[i];
        if (fixed) out[i] = o->fixed ? COV__CAND_FIXED_GIVEN : COV__CAND_FIXED_ROLE;
        else if (!cand) out[i] = o->candidate ? COV__CAND_MASK : COV__CAND_KIND;
        else if (a->facility_region[i] < 0) out[i] = COV__CAND_OUTSIDE;
        else if (!o->psychiatric_only_candidates && psychiatric_only(f, i))
            out[i] = COV__CAND_PSYCH;
        else out[i] = COV__CAND_YES;
    }
    free(kind);
    return COV_OK;
}

int cov__plan_candidate_yes(int status)
{
    return status == COV__CAND_YES;
}

int cov__plan_candidate_fixed(int status)
{
    return status == COV__CAND_FIXED_ROLE || status == COV__CAND_FIXED_GIVEN;
}

static const cov_column_spec spec[] = {
    {"facility_id", COV_COL_STRING}, {"name", COV_COL_STRING},
    {"kind", COV_COL_STRING},        {"region_id", COV_COL_STRING},
    {"beds", COV_COL_DOUBLE},        {"beds_psychiatric", COV_COL_DOUBLE},
    {"candidate", COV_COL_INT},      {"status", COV_COL_STRING},
    {"reason", COV_COL_STRING}};
enum { C_ID, C_NAME, C_KIND, C_REGION, C_BEDS, C_PSY, C_CAND, C_STATUS, C_REASON, C_N };

static void reason_of(const cov_facilities *f, size_t i, int status, char *buf, size_t size)
{
    switch (status) {
    case COV__CAND_FIXED_ROLE: snprintf(buf, size, "fixed (lead role)"); break;
    case COV__CAND_FIXED_GIVEN: snprintf(buf, size, "fixed (given)"); break;
    case COV__CAND_KIND: snprintf(buf, size, "kind %s is not a candidate kind", f->kinds[i]); break;
    case COV__CAND_MASK: snprintf(buf, size, "not in the given candidates"); break;
    case COV__CAND_OUTSIDE: snprintf(buf, size, "outside every region"); break;
    case COV__CAND_PSYCH:
        snprintf(buf, size, "psychiatric beds only (%g of %g)", f->beds_psychiatric[i],
                 f->beds[i]);
        break;
    default: snprintf(buf, size, "candidate"); break;
    }
}

static const char *status_word(int status)
{
    switch (status) {
    case COV__CAND_FIXED_ROLE:
    case COV__CAND_FIXED_GIVEN: return "fixed";
    case COV__CAND_KIND:
    case COV__CAND_MASK: return "kind";
    case COV__CAND_OUTSIDE: return "outside";
    case COV__CAND_PSYCH: return "psychiatric_only";
    default: return "candidate";
    }
}

cov_table *cov_plan_candidates(cov_ctx *ctx, cov_analysis *a, const cov_plan_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    cov_plan_options o;
    cov_plan_options_init(&o);
    if (options && cov__options_take(ctx, &o, sizeof o, options, "plan options") != COV_OK)
        return NULL;
    const cov_facilities *f = a->facilities;
    unsigned char *status = cov__mallocarray(ctx, f->n ? f->n : 1, 1);
    cov_table *t = status ? cov__table_create(ctx, f->n, 1) : NULL;
    size_t c[C_N];
    if (!t || cov__table_add_columns(ctx, t, spec, C_N, c) ||
        cov__plan_candidate_status(ctx, a, &o, status) != COV_OK)
        goto fail;
    char reason[160];
    for (size_t i = 0; i < f->n; i++) {
        cov__table_doubles_mut(t, c[C_BEDS])[i] = f->beds ? f->beds[i] : NAN;
        cov__table_doubles_mut(t, c[C_PSY])[i] = f->beds_psychiatric ? f->beds_psychiatric[i]
                                                                     : NAN;
        cov__table_ints_mut(t, c[C_CAND])[i] =
            cov__plan_candidate_yes(status[i]) || cov__plan_candidate_fixed(status[i]);
        reason_of(f, i, status[i], reason, sizeof reason);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, f->lon[i], f->lat[i]);
        if (!pt) {
            cov__geos_error(ctx, "facility point");
            goto fail;
        }
        cov__table_set_geometry(t, i, pt);
        if (cov__table_set_string(ctx, t, c[C_ID], i, f->ids[i]) ||
            cov__table_set_string(ctx, t, c[C_NAME], i, f->names[i]) ||
            cov__table_set_string(ctx, t, c[C_KIND], i, f->kinds[i]) ||
            cov__plan_set_region(ctx, t, c[C_REGION], (size_t)-1, i, a,
                                 a->facility_region[i]) ||
            cov__table_set_string(ctx, t, c[C_STATUS], i, status_word(status[i])) ||
            cov__table_set_string(ctx, t, c[C_REASON], i, reason))
            goto fail;
    }
    free(status);
    return t;
fail:
    free(status);
    cov_table_destroy(t);
    return NULL;
}
