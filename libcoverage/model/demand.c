/* Demand: mesh cells or points with weights. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "io/csv.h"
#include "io/mesh_internal.h"
#include "io/table_internal.h"
#include "libcoverage/mesh.h"

/* A column of weights must have a finite total: coverage and share totals
 * add up subsets of it, and an infinite one would be written as inf. */
#define TOTAL_OVERFLOW_FMT(where) \
    where " is %g, and the column's total exceeds the largest number (1.8e308); weights " \
    "must add up to a finite total"

void cov_demand_destroy(cov_demand *d)
{
    if (!d) return;
    cov__free_strings(d->ids, d->n);
    cov__free_strings(d->weight_names, d->n_weights);
    free(d->level);
    free(d->lon);
    free(d->lat);
    free(d->weights);
    free(d);
}

static cov_demand *demand_alloc(cov_ctx *ctx, size_t n)
{
    cov_demand *d = cov__calloc(ctx, 1, sizeof *d);
    if (!d) return NULL;
    d->n = n;
    d->ids = cov__calloc(ctx, n ? n : 1, sizeof *d->ids);
    d->level = cov__calloc(ctx, n ? n : 1, sizeof *d->level);
    d->lon = cov__mallocarray(ctx, n, sizeof *d->lon);
    d->lat = cov__mallocarray(ctx, n, sizeof *d->lat);
    if (!d->ids || !d->level || !d->lon || !d->lat) {
        cov_demand_destroy(d);
        return NULL;
    }
    return d;
}

/* Validates demand weights (finite, >= 0; rowmajor[i * n_weights + j]) and
 * stores them column-major in d; n_weights 0 gives one column "count" of 1s.
 * Errors name `source` and the unit's id. */
static int set_weights(cov_ctx *ctx, cov_demand *d, size_t n_weights,
                       const char *const *names, const double *rowmajor,
                       const char *source)
{
    size_t cols = n_weights ? n_weights : 1;
    d->weight_names = cov__calloc(ctx, cols, sizeof *d->weight_names);
    d->weights = cov__mallocarray(ctx, cols * (d->n ? d->n : 1), sizeof *d->weights);
    if (!d->weight_names || !d->weights) return COV_ERR_NOMEM;
    d->n_weights = cols;
    for (size_t j = 0; j < cols; j++) {
        const char *name = n_weights ? names[j] : "count";
        if (!name || !name[0])
            return cov__error(ctx, COV_ERR_ARG, "%s: weight column %zu has no name", source, j);
        if (!(d->weight_names[j] = cov__strdup(ctx, name))) return COV_ERR_NOMEM;
        double total = 0.0;
        for (size_t i = 0; i < d->n; i++) {
            double w = n_weights ? rowmajor[i * n_weights + j] : 1.0;
            if (!isfinite(w) || w < 0.0)
                return cov__error(ctx, COV_ERR_VALUE,
                                  "%s: unit %s, weight \"%s\" is %g; weights must be finite "
                                  "and >= 0",
                                  source, d->ids[i], name, w);
            /* every total (coverage, shares, gaps) sums a subset of these */
            if (!isfinite(total += w))
                return cov__error(ctx, COV_ERR_VALUE, TOTAL_OVERFLOW_FMT("%s: unit %s, weight "
                                  "\"%s\""), source, d->ids[i], name, w);
            d->weights[j * d->n + i] = w;
        }
    }
    return COV_OK;
}

static int check_unique_ids(cov_ctx *ctx, const cov_demand *d, const char *source)
{
    cov_strmap seen = {0};
    if (cov__strmap_init(ctx, &seen, d->n) != COV_OK) return COV_ERR_NOMEM;
    int st = COV_OK;
    for (size_t i = 0; i < d->n && st == COV_OK; i++) {
        size_t first;
        st = cov__strmap_put(ctx, &seen, d->ids[i], i, &first);
        if (st == COV_OK && first != i)
            st = cov__error(ctx, COV_ERR_DUPLICATE, "%s: unit %zu repeats id \"%s\" of unit %zu",
                            source, i, d->ids[i], first);
    }
    cov__strmap_free(&seen);
    return st;
}

/* Index in `seen` of a coarser code that contains `code` (a prefix that is
 * itself a code: 5339 holds 533946, which holds 53394611 ...), or -1.
 * e-Stat never lists a cell with a cell inside it; such a file counts the
 * same people twice (a 1 km total beside its own 500 m cells). */
static long containing_code(const cov_strmap *seen, const char *code)
{
    static const size_t prefix_len[] = {4, 6, 8, 9};
    size_t len = strlen(code);
    char prefix[16];
    for (size_t k = 0; k < sizeof prefix_len / sizeof *prefix_len && prefix_len[k] < len; k++) {
        memcpy(prefix, code, prefix_len[k]);
        prefix[prefix_len[k]] = '\0';
        size_t at = cov__strmap_get(seen, prefix);
        if (at != (size_t)-1) return (long)at;
    }
    return -1;
}

#define NESTED_FMT \
    "lies inside mesh code \"%s\" of %s %zu: a cell and a cell within it would count the " \
    "same people twice (give one mesh level, or cells that do not overlap)"

static int check_nested_units(cov_ctx *ctx, const cov_demand *d, const char *source)
{
    cov_strmap seen = {0};
    if (cov__strmap_init(ctx, &seen, d->n) != COV_OK) return COV_ERR_NOMEM;
    int st = COV_OK;
    size_t first;
    for (size_t i = 0; i < d->n && st == COV_OK; i++)
        st = cov__strmap_put(ctx, &seen, d->ids[i], i, &first);
    for (size_t i = 0; i < d->n && st == COV_OK; i++) {
        long outer = containing_code(&seen, d->ids[i]);
        if (outer >= 0)
            st = cov__error(ctx, COV_ERR_DUPLICATE, "%s: unit %zu (mesh code \"%s\") " NESTED_FMT,
                            source, i, d->ids[i], d->ids[outer], "unit", (size_t)outer);
    }
    cov__strmap_free(&seen);
    return st;
}

cov_demand *cov_demand_from_mesh(cov_ctx *ctx, size_t n, const char *const *codes,
                                 size_t n_weights, const char *const *weight_names,
                                 const double *weights)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, n == 0 || codes, NULL);
    COV_CHECK_ARG(ctx, n_weights == 0 || (weight_names && (n == 0 || weights)), NULL);
    cov_demand *d = demand_alloc(ctx, n);
    if (!d) return NULL;
    for (size_t i = 0; i < n; i++) {
        cov_mesh_cell cell;
        char why[200];
        const char *code = codes[i] ? codes[i] : "";
        if (cov__mesh_decode_n(code, strlen(code), &cell, why, sizeof why) != 0) {
            cov__error(ctx, COV_ERR_MESH, "mesh demand entry %zu: code \"%.40s\": %s", i, code,
                       why);
            goto fail;
        }
        if (!(d->ids[i] = cov__strdup(ctx, code))) goto fail;
        d->level[i] = cell.level;
        d->lon[i] = 0.5 * (cell.west_lon_degree + cell.east_lon_degree);
        d->lat[i] = 0.5 * (cell.south_lat_degree + cell.north_lat_degree);
    }
    if (check_unique_ids(ctx, d, "mesh demand") != COV_OK ||
        check_nested_units(ctx, d, "mesh demand") != COV_OK ||
        set_weights(ctx, d, n_weights, weight_names, weights, "mesh demand") !=
            COV_OK)
        goto fail;
    return d;
fail:
    cov_demand_destroy(d);
    return NULL;
}

/* A column for messages: its header name, or its 1-based number in a file
 * read without a header (as the caller named it). */
static const char *column_label(const cov_csv *csv, size_t col, char *buf, size_t size)
{
    const char *name = cov__csv_header(csv, col);
    if (*name) return name;
    snprintf(buf, size, "%zu", col + 1);
    return buf;
}

/* Reads the weight columns of a CSV, row-major; NULL with an error. */
static double *read_weights(cov_ctx *ctx, const cov_csv *csv, size_t n_weights,
                            const char *const *fields)
{
    size_t n = cov__csv_nrows(csv);
    long *cols = cov__mallocarray(ctx, n_weights ? n_weights : 1, sizeof *cols);
    double *w = cov__mallocarray(ctx, (n ? n : 1) * (n_weights ? n_weights : 1), sizeof *w);
    double *total = cov__calloc(ctx, n_weights ? n_weights : 1, sizeof *total);
    int st = cols && w && total ? COV_OK : COV_ERR_NOMEM;
    for (size_t j = 0; j < n_weights && st == COV_OK; j++)
        if (!fields[j] || (cols[j] = cov__csv_column(ctx, csv, fields[j])) < 0)
            st = fields[j] ? ctx->status : cov__error(ctx, COV_ERR_ARG, "weight field %zu is NULL", j);
    for (size_t i = 0; i < n && st == COV_OK; i++)
        for (size_t j = 0; j < n_weights && st == COV_OK; j++) {
            double *v = &w[i * n_weights + j];
            st = cov__csv_double(ctx, csv, i, (size_t)cols[j], v);
            char label[32];
            if (st == COV_OK && *v < 0.0)
                st = cov__error(ctx, COV_ERR_VALUE, "%s line %zu column %s: weight %g is negative",
                                cov__csv_path(csv), cov__csv_line(csv, i),
                                column_label(csv, (size_t)cols[j], label, sizeof label), *v);
            else if (st == COV_OK && !isfinite(total[j] += *v))
                st = cov__error(ctx, COV_ERR_VALUE, TOTAL_OVERFLOW_FMT("%s line %zu column %s: "
                                "weight"), cov__csv_path(csv), cov__csv_line(csv, i),
                                column_label(csv, (size_t)cols[j], label, sizeof label), *v);
        }
    free(cols);
    free(total);
    if (st != COV_OK) {
        free(w);
        return NULL;
    }
    return w;
}

/* Weight column names: the header names, or the field specs without one. */
static const char **weight_labels(cov_ctx *ctx, const cov_csv *csv, size_t n_weights,
                                  const char *const *fields, int flags)
{
    const char **names = cov__calloc(ctx, n_weights ? n_weights : 1, sizeof *names);
    for (size_t j = 0; names && j < n_weights; j++) {
        long c = (flags & COV_CSV_NO_HEADER) ? -1 : cov__csv_column(ctx, csv, fields[j]);
        names[j] = c >= 0 ? cov__csv_header(csv, (size_t)c) : fields[j];
    }
    return names;
}

/* Checks the ids of a CSV (mesh codes when is_mesh) before building, so that
 * errors name the file and line rather than an entry index. */
static int validate_csv_ids(cov_ctx *ctx, const cov_csv *csv, long col, int is_mesh)
{
    size_t n = cov__csv_nrows(csv);
    cov_strmap seen = {0};
    if (cov__strmap_init(ctx, &seen, n) != COV_OK) return COV_ERR_NOMEM;
    int st = COV_OK;
    for (size_t i = 0; i < n && st == COV_OK; i++) {
        const char *id = cov__csv_cell(csv, i, (size_t)col);
        cov_mesh_cell cell;
        char why[200], label[32];
        size_t first;
        if (is_mesh && cov__mesh_decode_n(id, strlen(id), &cell, why, sizeof why) != 0)
            st = cov__error(ctx, COV_ERR_MESH, "%s line %zu column %s: mesh code \"%.40s\": %s",
                            cov__csv_path(csv), cov__csv_line(csv, i),
                            column_label(csv, (size_t)col, label, sizeof label), id, why);
        else if (!id[0])
            st = cov__error(ctx, COV_ERR_VALUE, "%s line %zu: empty id", cov__csv_path(csv),
                            cov__csv_line(csv, i));
        else if ((st = cov__strmap_put(ctx, &seen, id, i, &first)) == COV_OK && first != i)
            st = cov__error(ctx, COV_ERR_DUPLICATE, "%s line %zu: id \"%s\" repeats line %zu",
                            cov__csv_path(csv), cov__csv_line(csv, i), id,
                            cov__csv_line(csv, first));
    }
    for (size_t i = 0; is_mesh && i < n && st == COV_OK; i++) {
        const char *id = cov__csv_cell(csv, i, (size_t)col);
        long outer = containing_code(&seen, id);
        char label[32];
        if (outer >= 0)
            st = cov__error(ctx, COV_ERR_DUPLICATE, "%s line %zu column %s: mesh code \"%s\" "
                            NESTED_FMT, cov__csv_path(csv), cov__csv_line(csv, i),
                            column_label(csv, (size_t)col, label, sizeof label), id,
                            cov__csv_cell(csv, (size_t)outer, (size_t)col), "line",
                            cov__csv_line(csv, (size_t)outer));
    }
    cov__strmap_free(&seen);
    return st;
}

cov_demand *cov_demand_read_mesh_csv(cov_ctx *ctx, const char *path, const char *mesh_field,
                                     size_t n_weights, const char *const *weight_fields,
                                     int flags)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, path && mesh_field && (n_weights == 0 || weight_fields), NULL);
    cov_csv *csv = cov__csv_read(ctx, path, !(flags & COV_CSV_NO_HEADER));
    if (!csv) return NULL;
    cov_demand *d = NULL;
    size_t n = cov__csv_nrows(csv);
    const char **codes = cov__calloc(ctx, n ? n : 1, sizeof *codes);
    const char **names = weight_labels(ctx, csv, n_weights, weight_fields, flags);
    long c_mesh = cov__csv_column(ctx, csv, mesh_field);
    double *w = codes && names && c_mesh >= 0 && validate_csv_ids(ctx, csv, c_mesh, 1) == COV_OK
                    ? read_weights(ctx, csv, n_weights, weight_fields)
                    : NULL;
    if (w) {
        for (size_t i = 0; i < n; i++) codes[i] = cov__csv_cell(csv, i, (size_t)c_mesh);
        d = cov_demand_from_mesh(ctx, n, codes, n_weights, names, w);
    }
    free(codes);
    free(names);
    free(w);
    cov__csv_destroy(csv);
    return d;
}

/* Point demand from arrays; messages name `csv`'s file, lines and the
 * columns xy[0], xy[1] when it is given (its rows are the units), else
 * "point demand entry i". */
static cov_demand *points_demand(cov_ctx *ctx, size_t n, const char *const *ids,
                                 const double *x, const double *y, const char *crs,
                                 size_t n_weights, const char *const *weight_names,
                                 const double *weights, const cov_csv *csv,
                                 const char *const xy[2])
{
    const char *source = csv ? cov__csv_path(csv) : "point demand";
    cov_xform xf;
    if (cov__xform_to_lonlat(ctx, crs, source, &xf) != COV_OK) return NULL;
    cov_demand *d = demand_alloc(ctx, n);
    char where[600];
    if (!d) goto fail;
    for (size_t i = 0; i < n; i++) {
        if (!ids[i] || !ids[i][0]) {
            cov__error(ctx, COV_ERR_VALUE, "point demand entry %zu: empty id", i);
            goto fail;
        }
        if (!(d->ids[i] = cov__strdup(ctx, ids[i]))) goto fail;
        d->lon[i] = x[i];
        d->lat[i] = y[i];
    }
    if (cov__xform_points(ctx, &xf, n, d->lon, d->lat, source) != COV_OK) goto fail;
    for (size_t i = 0; i < n; i++)
        if (!cov__lonlat_ok(d->lon[i], d->lat[i]) || d->lon[i] > 180.0) {
            if (csv)
                snprintf(where, sizeof where, "%s line %zu (id %s) columns %s, %s", source,
                         cov__csv_line(csv, i), d->ids[i], xy[0], xy[1]);
            else snprintf(where, sizeof where, "point demand entry %zu (id %s)", i, d->ids[i]);
            cov__error(ctx, COV_ERR_VALUE, "%s: (%.8g, %.8g) is not a valid lon/lat%s", where,
                       d->lon[i], d->lat[i], cov__lonlat_hint(d->lon[i], d->lat[i]));
            goto fail;
        }
    if (check_unique_ids(ctx, d, source) != COV_OK ||
        set_weights(ctx, d, n_weights, weight_names, weights, source) != COV_OK)
        goto fail;
    cov__xform_free(&xf);
    return d;
fail:
    cov__xform_free(&xf);
    cov_demand_destroy(d);
    return NULL;
}

cov_demand *cov_demand_from_points(cov_ctx *ctx, size_t n, const char *const *ids,
                                   const double *x, const double *y, const char *crs,
                                   size_t n_weights, const char *const *weight_names,
                                   const double *weights)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, n == 0 || (ids && x && y), NULL);
    COV_CHECK_ARG(ctx, n_weights == 0 || (weight_names && (n == 0 || weights)), NULL);
    return points_demand(ctx, n, ids, x, y, crs, n_weights, weight_names, weights, NULL, NULL);
}

cov_demand *cov_demand_read_points_csv(cov_ctx *ctx, const char *path, const char *id_field,
                                       const char *x_field, const char *y_field,
                                       const char *crs, size_t n_weights,
                                       const char *const *weight_fields, int flags)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, path && id_field && x_field && y_field, NULL);
    COV_CHECK_ARG(ctx, n_weights == 0 || weight_fields, NULL);
    cov_csv *csv = cov__csv_read(ctx, path, !(flags & COV_CSV_NO_HEADER));
    if (!csv) return NULL;
    cov_demand *d = NULL;
    size_t n = cov__csv_nrows(csv);
    const char **ids = cov__calloc(ctx, n ? n : 1, sizeof *ids);
    double *xy = cov__mallocarray(ctx, 2 * (n ? n : 1), sizeof *xy);
    const char **names = weight_labels(ctx, csv, n_weights, weight_fields, flags);
    long c_id = cov__csv_column(ctx, csv, id_field);
    long c_x = c_id >= 0 ? cov__csv_column(ctx, csv, x_field) : -1;
    long c_y = c_x >= 0 ? cov__csv_column(ctx, csv, y_field) : -1;
    double *w = ids && xy && names && c_y >= 0 && validate_csv_ids(ctx, csv, c_id, 0) == COV_OK
                    ? read_weights(ctx, csv, n_weights, weight_fields)
                    : NULL;
    int st = w ? COV_OK : COV_ERR_VALUE;
    for (size_t i = 0; i < n && st == COV_OK; i++) {
        ids[i] = cov__csv_cell(csv, i, (size_t)c_id);
        st = cov__csv_double(ctx, csv, i, (size_t)c_x, &xy[i]);
        if (st == COV_OK) st = cov__csv_double(ctx, csv, i, (size_t)c_y, &xy[n + i]);
    }
    if (st == COV_OK) {
        const char *const columns[2] = {x_field, y_field};
        d = points_demand(ctx, n, ids, xy, xy + n, crs, n_weights, names, w, csv, columns);
    }
    free(ids);
    free(xy);
    free(names);
    free(w);
    cov__csv_destroy(csv);
    return d;
}

size_t cov_demand_count(const cov_demand *d) { return d ? d->n : 0; }

const char *cov_demand_id(const cov_demand *d, size_t i)
{
    return d && i < d->n ? d->ids[i] : NULL;
}

int cov_demand_mesh_level(const cov_demand *d, size_t i)
{
    return d && i < d->n ? d->level[i] : 0;
}

const double *cov_demand_lon(const cov_demand *d) { return d ? d->lon : NULL; }
const double *cov_demand_lat(const cov_demand *d) { return d ? d->lat : NULL; }
size_t cov_demand_weight_count(const cov_demand *d) { return d ? d->n_weights : 0; }

const char *cov_demand_weight_name(const cov_demand *d, size_t j)
{
    return d && j < d->n_weights ? d->weight_names[j] : NULL;
}

const double *cov_demand_weights(const cov_demand *d, size_t j)
{
    return d && j < d->n_weights ? d->weights + j * d->n : NULL;
}

/* The unit's cell polygon (its point for point demand), lon/lat. */
static GEOSGeometry *unit_geometry(cov_ctx *ctx, const cov_demand *d, size_t i)
{
    cov_mesh_cell c;
    char why[200];
    if (!d->level[i] ||
        cov__mesh_decode_n(d->ids[i], strlen(d->ids[i]), &c, why, sizeof why) != 0)
        return GEOSGeom_createPointFromXY_r(ctx->geos, d->lon[i], d->lat[i]);
    return GEOSGeom_createRectangle_r(ctx->geos, c.west_lon_degree, c.south_lat_degree,
                                      c.east_lon_degree, c.north_lat_degree);
}

cov_table *cov_demand_table(cov_ctx *ctx, const cov_demand *d)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, d, NULL);
    static const cov_column_spec spec[] = {{"demand_id", COV_COL_STRING},
                                           {"mesh_level", COV_COL_INT}};
    enum { C_ID, C_LEVEL };
    size_t c[2];
    cov_table *t = cov__table_create(ctx, d->n, 1);
    if (!t || cov__table_add_columns(ctx, t, spec, 2, c) != COV_OK) goto fail;
    for (size_t j = 0; j < d->n_weights; j++) {
        long w = cov__table_add_column(ctx, t, d->weight_names[j], COV_COL_DOUBLE);
        if (w < 0) goto fail;
        memcpy(cov__table_doubles_mut(t, (size_t)w), d->weights + j * d->n,
               d->n * sizeof(double));
    }
    int64_t *level = cov__table_ints_mut(t, c[C_LEVEL]);
    for (size_t i = 0; i < d->n; i++) {
        GEOSGeometry *g = unit_geometry(ctx, d, i);
        if (!g) {
            cov__geos_error(ctx, "demand geometry");
            goto fail;
        }
        cov__table_set_geometry(t, i, g);
        level[i] = d->level[i];
        if (cov__table_set_string(ctx, t, c[C_ID], i, d->ids[i]) != COV_OK) goto fail;
    }
    return t;
fail:
    cov_table_destroy(t);
    return NULL;
}
