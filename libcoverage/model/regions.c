/* Regions: the model, accessors, dissolving and the region table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "io/csv.h"
#include "io/table_internal.h"

void cov_regions_destroy(cov_regions *r)
{
    if (!r) return;
    cov__free_strings(r->ids, r->n);
    cov__free_strings(r->names, r->n);
    for (size_t k = 0; k < r->n_parts; k++) GEOSGeom_destroy_r(r->ctx->geos, r->parts[k]);
    for (size_t i = 0; r->outline && i < r->n; i++)
        if (r->outline[i]) GEOSGeom_destroy_r(r->ctx->geos, r->outline[i]);
    free(r->outline);
    free(r->parts);
    free(r->part_region);
    cov__ctx_release(r->ctx);
    free(r);
}

static void destroy_parts(cov_ctx *ctx, GEOSGeometry **parts, size_t n)
{
    for (size_t k = 0; k < n; k++) GEOSGeom_destroy_r(ctx->geos, parts[k]);
    free(parts);
}

cov_regions *cov__regions_from_parts(cov_ctx *ctx, size_t n_parts,
                                     GEOSGeometry **parts,
                                     const char *const *ids,
                                     const char *const *names)
{
    cov_regions *r = cov__calloc(ctx, 1, sizeof *r);
    cov_strmap map = {0};
    if (!r || cov__strmap_init(ctx, &map, n_parts) != COV_OK) {
        free(r);
        destroy_parts(ctx, parts, n_parts);
        return NULL;
    }
    r->ctx = cov__ctx_retain(ctx);
    r->parts = parts;
    r->n_parts = n_parts;
    r->part_region = cov__mallocarray(ctx, n_parts, sizeof *r->part_region);
    r->ids = cov__calloc(ctx, n_parts, sizeof *r->ids);
    r->names = cov__calloc(ctx, n_parts, sizeof *r->names);
    if (!r->part_region || !r->ids || !r->names) goto fail;
    for (size_t k = 0; k < n_parts; k++) {
        size_t region;
        if (cov__strmap_put(ctx, &map, ids[k], r->n, &region) != COV_OK) goto fail;
        const char *name = names && names[k] ? names[k] : "";
        if (region == r->n) {
            if (!(r->ids[r->n] = cov__strdup(ctx, ids[k]))) goto fail;
            r->n++;
            if (!(r->names[region] = cov__strdup(ctx, name))) goto fail;
        } else if (!r->names[region][0] && name[0]) {
            free(r->names[region]);
            if (!(r->names[region] = cov__strdup(ctx, name))) goto fail;
        }
        r->part_region[k] = region;
    }
    cov__strmap_free(&map);
    return r;
fail:
    cov__strmap_free(&map);
    cov_regions_destroy(r);
    return NULL;
}

size_t cov_regions_count(const cov_regions *r) { return r ? r->n : 0; }

const char *cov_regions_id(const cov_regions *r, size_t i)
{
    return r && i < r->n ? r->ids[i] : NULL;
}

const char *cov_regions_name(const cov_regions *r, size_t i)
{
    return r && i < r->n ? r->names[i] : NULL;
}

long cov_regions_find(const cov_regions *r, const char *id)
{
    if (!r || !id) return -1;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->ids[i], id) == 0) return (long)i;
    return -1;
}

/* Where a source region goes when dissolving. */
typedef struct dissolve_target {
    size_t n_rows;
    const char *const *from, *const *to, *const *names;
    cov_strmap by_from; /* from id -> mapping row */
} dissolve_target;

static int index_mapping(cov_ctx *ctx, dissolve_target *m)
{
    if (cov__strmap_init(ctx, &m->by_from, m->n_rows) != COV_OK) return COV_ERR_NOMEM;
    for (size_t k = 0; k < m->n_rows; k++) {
        size_t first;
        if (!m->from[k] || !m->to[k])
            return cov__error(ctx, COV_ERR_ARG, "mapping row %zu: NULL id", k + 1);
        if (cov__strmap_put(ctx, &m->by_from, m->from[k], k, &first) != COV_OK)
            return COV_ERR_NOMEM;
        if (first != k && strcmp(m->to[first], m->to[k]) != 0)
            return cov__error(ctx, COV_ERR_DUPLICATE,
                              "mapping rows %zu and %zu both map region \"%s\" "
                              "(to \"%s\" and \"%s\")",
                              first + 1, k + 1, m->from[k], m->to[first], m->to[k]);
    }
    return COV_OK;
}

/* Reports regions without a target: an error in strict mode, else one
 * warning listing them. */
static int report_unmapped(cov_ctx *ctx, const cov_regions *src,
                           const size_t *row_of, int flags)
{
    char list[600] = "";
    size_t n = 0, len = 0;
    for (size_t i = 0; i < src->n; i++) {
        if (row_of[i] != (size_t)-1) continue;
        if (n++ < 12 && len < sizeof list - 40)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", n > 1 ? ", " : "",
                                    src->ids[i]);
    }
    if (!n) return COV_OK;
    if (flags & COV_DISSOLVE_STRICT)
        return cov__error(ctx, COV_ERR_VALUE,
                          "dissolve: %zu region(s) have no target in the mapping: %s%s", n,
                          list, n > 12 ? ", ..." : "");
    cov__warn(ctx, "dissolve: %zu region(s) have no target in the mapping and are dropped: %s%s",
              n, list, n > 12 ? ", ..." : "");
    return COV_OK;
}

static void notice_absent(cov_ctx *ctx, const cov_regions *src, const dissolve_target *m)
{
    size_t absent = 0;
    const char *example = NULL;
    for (size_t k = 0; k < m->n_rows; k++)
        if (cov_regions_find(src, m->from[k]) < 0 && m->to[k][0]) {
            if (!absent++) example = m->from[k];
        }
    if (absent)
        cov__notice(ctx, "dissolve: %zu mapping row(s) name regions that are absent (e.g. \"%s\")",
                    absent, example);
}

static cov_regions *dissolve(cov_ctx *ctx, const cov_regions *src, dissolve_target *m,
                             int flags)
{
    size_t *row_of = cov__mallocarray(ctx, src->n, sizeof *row_of);
    GEOSGeometry **parts = cov__calloc(ctx, src->n_parts, sizeof *parts);
    const char **ids = cov__calloc(ctx, src->n_parts, sizeof *ids);
    const char **names = cov__calloc(ctx, src->n_parts, sizeof *names);
    cov_regions *out = NULL;
    size_t n = 0;
    if (!row_of || !parts || !ids || !names || index_mapping(ctx, m) != COV_OK) goto done;
    for (size_t i = 0; i < src->n; i++) {
        size_t row = cov__strmap_get(&m->by_from, src->ids[i]);
        row_of[i] = row != (size_t)-1 && m->to[row][0] ? row : (size_t)-1;
    }
    if (report_unmapped(ctx, src, row_of, flags) != COV_OK) goto done;
    notice_absent(ctx, src, m);
    for (size_t k = 0; k < src->n_parts; k++) {
        size_t row = row_of[src->part_region[k]];
        if (row == (size_t)-1) continue;
        if (!(parts[n] = GEOSGeom_clone_r(ctx->geos, src->parts[k]))) {
            cov__geos_error(ctx, "dissolve");
            goto done;
        }
        ids[n] = m->to[row];
        names[n] = m->names ? m->names[row] : NULL;
        n++;
    }
    if (!n) {
        cov__error(ctx, COV_ERR_EMPTY, "dissolve: no region has a target in the mapping");
        goto done;
    }
    out = cov__regions_from_parts(ctx, n, parts, ids, names);
    parts = NULL; /* taken */
done:
    if (parts) destroy_parts(ctx, parts, n);
    cov__strmap_free(&m->by_from);
    free(row_of);
    free(ids);
    free(names);
    return out;
}

cov_regions *cov_regions_dissolve(cov_ctx *ctx, const cov_regions *src, size_t n_rows,
                                  const char *const *from_ids, const char *const *to_ids,
                                  const char *const *to_names, int flags)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, src && from_ids && to_ids, NULL);
    dissolve_target m = {.n_rows = n_rows, .from = from_ids, .to = to_ids, .names = to_names};
    return dissolve(ctx, src, &m, flags);
}

cov_regions *cov_regions_dissolve_csv(cov_ctx *ctx, const cov_regions *src,
                                      const char *csv_path, const char *from_col,
                                      const char *to_col, const char *name_col, int flags)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, src && csv_path && from_col && to_col, NULL);
    cov_csv *csv = cov__csv_read(ctx, csv_path, 1);
    if (!csv) return NULL;
    cov_regions *out = NULL;
    size_t n = cov__csv_nrows(csv);
    const char **from = cov__calloc(ctx, n, sizeof *from);
    const char **to = cov__calloc(ctx, n, sizeof *to);
    const char **names = name_col ? cov__calloc(ctx, n, sizeof *names) : NULL;
    long cf = cov__csv_column(ctx, csv, from_col);
    long ct = cf >= 0 ? cov__csv_column(ctx, csv, to_col) : -1;
    long cn = ct >= 0 && name_col ? cov__csv_column(ctx, csv, name_col) : 0;
    if (from && to && (names || !name_col) && cf >= 0 && ct >= 0 && cn >= 0) {
        for (size_t k = 0; k < n; k++) {
            from[k] = cov__csv_cell(csv, k, (size_t)cf);
            to[k] = cov__csv_cell(csv, k, (size_t)ct);
            if (names) names[k] = cov__csv_cell(csv, k, (size_t)cn);
        }
        out = cov_regions_dissolve(ctx, src, n, from, to, names, flags);
    }
    free(from);
    free(to);
    free(names);
    cov__csv_destroy(csv);
    return out;
}

const GEOSGeometry *cov__regions_outline(cov_ctx *ctx, const cov_regions *r, size_t i)
{
    cov_regions *cache = (cov_regions *)r; /* a cache, not a change of value */
    if (!cache->outline && !(cache->outline = cov__calloc(ctx, r->n, sizeof *r->outline)))
        return NULL;
    if (r->outline[i]) return r->outline[i];
    const GEOSGeometry **g = cov__mallocarray(ctx, r->n_parts ? r->n_parts : 1, sizeof *g);
    if (!g) return NULL;
    size_t n = 0;
    for (size_t k = 0; k < r->n_parts; k++)
        if (r->part_region[k] == i) g[n++] = r->parts[k];
    cache->outline[i] = cov__union_parts(ctx, g, n);
    free(g);
    return r->outline[i];
}

cov_table *cov_regions_table(cov_ctx *ctx, const cov_regions *r)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, r, NULL);
    static const cov_column_spec spec[] = {
        {"region_id", COV_COL_STRING}, {"region_name", COV_COL_STRING}, {"area_km2", COV_COL_DOUBLE}};
    enum { C_ID, C_NAME, C_AREA };
    size_t c[3];
    cov_xform xf = {0};
    char *def = NULL;
    cov_table *t = cov__table_create(ctx, r->n, 1);
    if (!t || cov__table_add_columns(ctx, t, spec, 3, c) != COV_OK) goto fail;
    /* one equal-area projection centred on all the regions: making one per
     * region cost more than the areas (N03's 194 municipalities: 1.7 s) */
    double bx0 = INFINITY, by0 = INFINITY, bx1 = -INFINITY, by1 = -INFINITY;
    for (size_t i = 0; i < r->n; i++) {
        const GEOSGeometry *g = cov__regions_outline(ctx, r, i);
        double x0, y0, x1, y1;
        if (!g) goto fail;
        if (GEOSisEmpty_r(ctx->geos, g) || !GEOSGeom_getExtent_r(ctx->geos, g, &x0, &y0, &x1, &y1))
            continue;
        bx0 = fmin(bx0, x0), by0 = fmin(by0, y0), bx1 = fmax(bx1, x1), by1 = fmax(by1, y1);
    }
    if (bx0 > bx1) bx0 = bx1 = by0 = by1 = 0.0; /* every region empty */
    if (cov__xform_to_projected(ctx, NULL, 0.5 * (bx0 + bx1), 0.5 * (by0 + by1), &xf, &def) !=
        COV_OK)
        goto fail;
    double *area = cov__table_doubles_mut(t, c[C_AREA]);
    for (size_t i = 0; i < r->n; i++) {
        const GEOSGeometry *g = cov__regions_outline(ctx, r, i);
        GEOSGeometry *copy = g ? GEOSGeom_clone_r(ctx->geos, g) : NULL;
        if (!copy || (area[i] = cov__area_m2_in(ctx, &xf, g) / 1e6) < 0 ||
            cov__table_set_string(ctx, t, c[C_ID], i, r->ids[i]) != COV_OK ||
            cov__table_set_string(ctx, t, c[C_NAME], i, r->names[i]) != COV_OK) {
            if (copy) GEOSGeom_destroy_r(ctx->geos, copy);
            goto fail;
        }
        cov__table_set_geometry(t, i, copy);
    }
    cov__xform_free(&xf);
    free(def);
    return t;
fail:
    cov__xform_free(&xf);
    free(def);
    cov_table_destroy(t);
    return NULL;
}
