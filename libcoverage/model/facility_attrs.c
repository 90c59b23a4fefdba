/* Planning attributes of facilities: designated roles (lead, hub), the
 * 24-hour flag, the network id of enhanced_network clinics, capacities
 * (doctors, nurse FTE, beds) and psychiatric beds, read from columns the user names. Absent
 * columns leave the attributes unset: no role, 24-hour unknown, NaN. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model.h"
#include "io/csv.h"
#include "io/shp_read.h"

void cov__facility_attrs_free(cov_facilities *f)
{
    free(f->roles);
    free(f->h24);
    if (f->network_ids) cov__free_strings(f->network_ids, f->n);
    free(f->doctors);
    free(f->nurse_fte);
    free(f->beds);
    free(f->beds_psychiatric);
    f->roles = f->h24 = NULL;
    f->network_ids = NULL;
    f->doctors = f->nurse_fte = f->beds = f->beds_psychiatric = NULL;
}

/* Allocates every attribute array with its "absent" value. */
static int attrs_alloc(cov_ctx *ctx, cov_facilities *f)
{
    cov__facility_attrs_free(f);
    size_t n = f->n ? f->n : 1;
    f->roles = cov__calloc(ctx, n, sizeof *f->roles);
    f->h24 = cov__mallocarray(ctx, n, sizeof *f->h24);
    f->network_ids = cov__calloc(ctx, n, sizeof *f->network_ids);
    f->doctors = cov__mallocarray(ctx, n, sizeof *f->doctors);
    f->nurse_fte = cov__mallocarray(ctx, n, sizeof *f->nurse_fte);
    f->beds = cov__mallocarray(ctx, n, sizeof *f->beds);
    f->beds_psychiatric = cov__mallocarray(ctx, n, sizeof *f->beds_psychiatric);
    if (!f->roles || !f->h24 || !f->network_ids || !f->doctors || !f->nurse_fte || !f->beds ||
        !f->beds_psychiatric) {
        cov__facility_attrs_free(f);
        return COV_ERR_NOMEM;
    }
    for (size_t i = 0; i < f->n; i++) {
        f->h24[i] = -1;
        f->doctors[i] = f->nurse_fte[i] = f->beds[i] = f->beds_psychiatric[i] = NAN;
        if (!(f->network_ids[i] = cov__strdup(ctx, ""))) {
            cov__facility_attrs_free(f);
            return COV_ERR_NOMEM;
        }
    }
    return COV_OK;
}

static int token_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Roles: tokens separated by ';', ',', '|', '/', '+' or spaces. */
static int parse_roles(const char *text, int *out)
{
    static const char *const lead[] = {"lead", "積極的役割", "積極的医療機関", "積極"};
    static const char *const hub[] = {"hub", "拠点", "連携拠点", "連携の拠点"};
    *out = 0;
    const char *p = text;
    while (*p) {
        while (*p && strchr(";,|/+ \t", *p)) p++;
        const char *b = p;
        while (*p && !strchr(";,|/+ \t", *p)) p++;
        size_t n = (size_t)(p - b), k;
        if (!n) continue;
        for (k = 0; k < 4 && !token_is(b, n, lead[k]); k++) {}
        if (k < 4) {
            *out |= COV_ROLE_LEAD;
            continue;
        }
        for (k = 0; k < 4 && !token_is(b, n, hub[k]); k++) {}
        if (k == 4) return -1;
        *out |= COV_ROLE_HUB;
    }
    return 0;
}

/* 24-hour flag: 1, 0, or -1 for an empty cell. */
static int parse_flag(const char *text, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "y", "t", "○", "有", "あり", "24h"};
    static const char *const no[] = {"0", "false", "no", "n", "f", "×", "無", "なし", "-"};
    while (isspace((unsigned char)*text)) text++;
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1])) n--;
    *out = -1;
    if (!n) return 0;
    for (size_t k = 0; k < sizeof yes / sizeof *yes; k++)
        if (token_is(text, n, yes[k])) return *out = 1, 0;
    for (size_t k = 0; k < sizeof no / sizeof *no; k++)
        if (token_is(text, n, no[k])) return *out = 0, 0;
    return -1;
}

/* A capacity: empty gives NaN; otherwise a finite number >= 0. */
static int parse_amount(const char *text, double *out)
{
    while (isspace((unsigned char)*text)) text++;
    *out = NAN;
    if (!*text) return 0;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    while (isspace((unsigned char)*end)) end++;
    if (*end || errno || !isfinite(v) || v < 0.0) return -1;
    *out = v;
    return 0;
}

enum { A_ROLES, A_H24, A_NETWORK, A_DOCTORS, A_NURSE, A_BEDS, A_BEDS_PSY, N_ATTRS };

static const char *attr_field(const cov_facility_fields *ff, int k)
{
    switch (k) {
    case A_ROLES: return ff->roles;
    case A_H24: return ff->h24;
    case A_NETWORK: return ff->network_id;
    case A_DOCTORS: return ff->doctors;
    case A_NURSE: return ff->nurse_fte;
    case A_BEDS: return ff->beds;
    default: return ff->beds_psychiatric;
    }
}

/* Stores the text of attribute k of facility i; `where` names the source
 * cell for messages. */
static int set_attr(cov_ctx *ctx, cov_facilities *f, size_t i, int k, const char *text,
                    const char *where, const char *field)
{
    static const char *const want[] = {
        "roles: \"lead\", \"hub\" or both (separated by ';')", "24-hour flag: 1/0, yes/no or empty",
        "", "a number of doctors >= 0", "a nurse FTE >= 0", "a number of beds >= 0",
        "a number of psychiatric beds >= 0"};
    int bad = 0;
    switch (k) {
    case A_ROLES: bad = parse_roles(text, &f->roles[i]); break;
    case A_H24: bad = parse_flag(text, &f->h24[i]); break;
    case A_NETWORK: {
        char *copy = cov__strdup(ctx, text);
        if (!copy) return COV_ERR_NOMEM;
        free(f->network_ids[i]);
        f->network_ids[i] = copy;
        break;
    }
    case A_DOCTORS: bad = parse_amount(text, &f->doctors[i]); break;
    case A_NURSE: bad = parse_amount(text, &f->nurse_fte[i]); break;
    case A_BEDS: bad = parse_amount(text, &f->beds[i]); break;
    default: bad = parse_amount(text, &f->beds_psychiatric[i]); break;
    }
    if (bad)
        return cov__error(ctx, COV_ERR_VALUE, "%s, field %s (facility %s): \"%s\" is not %s",
                          where, field, f->ids[i], text, want[k]);
    return COV_OK;
}

static int any_field(const cov_facility_fields *ff)
{
    for (int k = 0; k < N_ATTRS; k++)
        if (attr_field(ff, k)) return 1;
    return 0;
}

int cov__facility_attrs_read_csv(cov_ctx *ctx, cov_facilities *f, const cov_csv *csv,
                                 const cov_facility_fields *ff)
{
    if (!any_field(ff)) return COV_OK;
    long col[N_ATTRS];
    for (int k = 0; k < N_ATTRS; k++) {
        col[k] = -1;
        if (attr_field(ff, k) && (col[k] = cov__csv_column(ctx, csv, attr_field(ff, k))) < 0)
            return ctx->status;
    }
    if (attrs_alloc(ctx, f) != COV_OK) return ctx->status;
    char where[512];
    for (size_t i = 0; i < f->n; i++)
        for (int k = 0; k < N_ATTRS; k++) {
            if (col[k] < 0) continue;
            snprintf(where, sizeof where, "%s line %zu", cov__csv_path(csv),
                     cov__csv_line(csv, i));
            if (set_attr(ctx, f, i, k, cov__csv_cell(csv, i, (size_t)col[k]), where,
                         attr_field(ff, k)) != COV_OK)
                return ctx->status;
        }
    return COV_OK;
}

int cov__facility_attrs_read_shp(cov_ctx *ctx, cov_facilities *f, const cov_shp_reader *r,
                                 const cov_facility_fields *ff)
{
    if (!any_field(ff)) return COV_OK;
    int col[N_ATTRS];
    for (int k = 0; k < N_ATTRS; k++) {
        col[k] = -1;
        if (attr_field(ff, k) && (col[k] = cov__shp_field(ctx, r, attr_field(ff, k))) < 0)
            return ctx->status;
    }
    if (attrs_alloc(ctx, f) != COV_OK) return ctx->status;
    char where[512];
    for (size_t i = 0; i < f->n; i++)
        for (int k = 0; k < N_ATTRS; k++) {
            if (col[k] < 0) continue;
            char *text = cov__shp_string(ctx, r, (int)i, col[k]);
            if (!text) return ctx->status;
            snprintf(where, sizeof where, "%s record %d", r->path,
                     cov__shp_record_number(r, (int)i)); /* the file's number */
            int st = set_attr(ctx, f, i, k, text, where, attr_field(ff, k));
            free(text);
            if (st != COV_OK) return st;
        }
    return COV_OK;
}

int cov_facilities_set_attrs(cov_ctx *ctx, cov_facilities *f, const cov_facility_attrs *at)
{
    COV_CHECK_ARG(ctx, ctx, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, f && at, COV_ERR_ARG);
    if (attrs_alloc(ctx, f) != COV_OK) return ctx->status;
    char where[64];
    for (size_t i = 0; i < f->n; i++) {
        snprintf(where, sizeof where, "facilities entry %zu", i);
        if (at->roles && at->roles[i] &&
            set_attr(ctx, f, i, A_ROLES, at->roles[i], where, "roles") != COV_OK)
            goto fail;
        if (at->h24) {
            if (at->h24[i] < -1 || at->h24[i] > 1) {
                cov__error(ctx, COV_ERR_VALUE, "%s, field h24 (facility %s): %d is not 1, 0 or -1",
                           where, f->ids[i], at->h24[i]);
                goto fail;
            }
            f->h24[i] = at->h24[i];
        }
        if (at->network_ids && at->network_ids[i] &&
            set_attr(ctx, f, i, A_NETWORK, at->network_ids[i], where, "network_id") != COV_OK)
            goto fail;
        const double *src[4] = {at->doctors, at->nurse_fte, at->beds, at->beds_psychiatric};
        double *dst[4] = {f->doctors, f->nurse_fte, f->beds, f->beds_psychiatric};
        static const char *const names[4] = {"doctors", "nurse_fte", "beds", "beds_psychiatric"};
        for (int k = 0; k < 4; k++) {
            if (!src[k]) continue;
            double v = src[k][i];
            if (!isnan(v) && (!isfinite(v) || v < 0.0)) {
                cov__error(ctx, COV_ERR_VALUE, "%s, field %s (facility %s): %g must be >= 0",
                           where, names[k], f->ids[i], v);
                goto fail;
            }
            dst[k][i] = v;
        }
    }
    return COV_OK;
fail:
    cov__facility_attrs_free(f);
    return ctx->status;
}

int cov_facilities_roles(const cov_facilities *f, size_t i)
{
    return f && i < f->n && f->roles ? f->roles[i] : 0;
}

int cov_facilities_h24(const cov_facilities *f, size_t i)
{
    return f && i < f->n && f->h24 ? f->h24[i] : -1;
}

const char *cov_facilities_network_id(const cov_facilities *f, size_t i)
{
    if (!f || i >= f->n) return NULL;
    return f->network_ids ? f->network_ids[i] : "";
}

double cov_facilities_supply(const cov_facilities *f, size_t i, int what)
{
    if (!f || i >= f->n) return NAN;
    switch (what) {
    case COV_SUPPLY_CAPACITY: return f->capacity[i];
    case COV_SUPPLY_DOCTORS: return f->doctors ? f->doctors[i] : NAN;
    case COV_SUPPLY_NURSE_FTE: return f->nurse_fte ? f->nurse_fte[i] : NAN;
    case COV_SUPPLY_BEDS: return f->beds ? f->beds[i] : NAN;
    case COV_SUPPLY_BEDS_PSYCHIATRIC: return f->beds_psychiatric ? f->beds_psychiatric[i] : NAN;
    case COV_SUPPLY_ONE: return 1.0;
    default: return NAN;
    }
}
