/* Facilities: points with id, name, kind and capacity. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "io/csv.h"
#include "io/shp_read.h"
#include "io/table_internal.h"

/* Planning attributes (facility_attrs.c), read after the facilities. */
int cov__facility_attrs_read_csv(cov_ctx *ctx, cov_facilities *f, const cov_csv *csv,
                                 const cov_facility_fields *fields);
int cov__facility_attrs_read_shp(cov_ctx *ctx, cov_facilities *f, const cov_shp_reader *r,
                                 const cov_facility_fields *fields);

void cov_facilities_destroy(cov_facilities *f)
{
    if (!f) return;
    cov__free_strings(f->ids, f->n);
    cov__free_strings(f->names, f->n);
    cov__free_strings(f->kinds, f->n);
    cov__free_strings(f->kind_names, f->n_kinds);
    free(f->lon);
    free(f->lat);
    free(f->capacity);
    free(f->kind_of);
    cov__facility_attrs_free(f);
    free(f);
}

/* Where entry i came from, for messages: "file line N" or "entry i". */
typedef struct origin {
    const char *source;
    const size_t *lines; /* NULL: entries are counted from 0 */
    const char *unit;    /* "line" or "record" */
} origin;

static void describe(const origin *o, size_t i, char *buf, size_t size)
{
    if (o->lines) snprintf(buf, size, "%s %s %zu", o->source, o->unit, o->lines[i]);
    else snprintf(buf, size, "%s entry %zu", o->source, i);
}

static int index_kinds(cov_ctx *ctx, cov_facilities *f)
{
    cov_strmap map = {0};
    if (cov__strmap_init(ctx, &map, 16) != COV_OK) return COV_ERR_NOMEM;
    f->kind_names = cov__calloc(ctx, f->n ? f->n : 1, sizeof *f->kind_names);
    int st = f->kind_names ? COV_OK : COV_ERR_NOMEM;
    for (size_t i = 0; i < f->n && st == COV_OK; i++) {
        size_t k;
        st = cov__strmap_put(ctx, &map, f->kinds[i], f->n_kinds, &k);
        if (st == COV_OK && k == f->n_kinds) {
            f->kind_names[f->n_kinds] = cov__strdup(ctx, f->kinds[i]);
            st = f->kind_names[f->n_kinds++] ? COV_OK : COV_ERR_NOMEM;
        }
        f->kind_of[i] = k;
    }
    cov__strmap_free(&map);
    return st;
}

static int check_entry(cov_ctx *ctx, const cov_facilities *f, size_t i, const origin *o,
                       cov_strmap *seen)
{
    char where[512];
    size_t first;
    describe(o, i, where, sizeof where);
    if (!f->ids[i][0]) return cov__error(ctx, COV_ERR_VALUE, "%s: empty facility id", where);
    if (!cov__lonlat_ok(f->lon[i], f->lat[i]) || f->lon[i] > 180.0)
        return cov__error(ctx, COV_ERR_VALUE,
                          "%s (id %s): coordinates (%.8g, %.8g) are not a valid lon/lat%s",
                          where, f->ids[i], f->lon[i], f->lat[i],
                          cov__lonlat_hint(f->lon[i], f->lat[i]));
    if (f->capacity[i] < 0.0 || isinf(f->capacity[i]))
        return cov__error(ctx, COV_ERR_VALUE, "%s (id %s): capacity %g must be >= 0", where,
                          f->ids[i], f->capacity[i]);
    if (cov__strmap_put(ctx, seen, f->ids[i], i, &first) != COV_OK) return COV_ERR_NOMEM;
    if (first != i) {
        char other[512];
        describe(o, first, other, sizeof other);
        return cov__error(ctx, COV_ERR_DUPLICATE, "%s: facility id \"%s\" already used at %s",
                          where, f->ids[i], other);
    }
    return COV_OK;
}

/* Builds facilities from arrays; coordinates are transformed with xf. */
static cov_facilities *build(cov_ctx *ctx, size_t n, const char *const *ids,
                             const char *const *names, const char *const *kinds,
                             const char *default_kind, const double *capacity,
                             const double *x, const double *y, const cov_xform *xf,
                             const origin *o)
{
    cov_facilities *f = cov__calloc(ctx, 1, sizeof *f);
    if (!f) return NULL;
    f->n = n;
    f->ids = cov__calloc(ctx, n ? n : 1, sizeof *f->ids);
    f->names = cov__calloc(ctx, n ? n : 1, sizeof *f->names);
    f->kinds = cov__calloc(ctx, n ? n : 1, sizeof *f->kinds);
    f->lon = cov__mallocarray(ctx, n, sizeof *f->lon);
    f->lat = cov__mallocarray(ctx, n, sizeof *f->lat);
    f->capacity = cov__mallocarray(ctx, n, sizeof *f->capacity);
    f->kind_of = cov__mallocarray(ctx, n, sizeof *f->kind_of);
    cov_strmap seen = {0};
    if (!f->ids || !f->names || !f->kinds || !f->lon || !f->lat || !f->capacity ||
        !f->kind_of || cov__strmap_init(ctx, &seen, n) != COV_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const char *kind = kinds && kinds[i] && kinds[i][0] ? kinds[i] : default_kind;
        f->ids[i] = cov__strdup(ctx, ids[i]);
        f->names[i] = cov__strdup(ctx, names ? names[i] : "");
        f->kinds[i] = cov__strdup(ctx, kind ? kind : "facility");
        if (!f->ids[i] || !f->names[i] || !f->kinds[i]) goto fail;
        f->lon[i] = x[i];
        f->lat[i] = y[i];
        f->capacity[i] = capacity ? capacity[i] : NAN;
    }
    if (cov__xform_points(ctx, xf, n, f->lon, f->lat, o->source) != COV_OK) goto fail;
    double total = 0.0; /* 2SFCA supply sums subsets of the capacities */
    for (size_t i = 0; i < n; i++) {
        if (check_entry(ctx, f, i, o, &seen) != COV_OK) goto fail;
        if (!isnan(f->capacity[i]) && !isfinite(total += f->capacity[i])) {
            char where[512];
            describe(o, i, where, sizeof where);
            cov__error(ctx, COV_ERR_VALUE, "%s (id %s): capacity %g, and the total capacity "
                       "exceeds the largest number (1.8e308); capacities must add up to a "
                       "finite total", where, f->ids[i], f->capacity[i]);
            goto fail;
        }
    }
    if (index_kinds(ctx, f) != COV_OK) goto fail;
    cov__strmap_free(&seen);
    return f;
fail:
    cov__strmap_free(&seen);
    cov_facilities_destroy(f);
    return NULL;
}

cov_facilities *cov_facilities_from_arrays(cov_ctx *ctx, size_t n, const char *const *ids,
                                           const char *const *names,
                                           const char *const *kinds, const double *capacity,
                                           const double *x, const double *y, const char *crs)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, n == 0 || (ids && x && y), NULL);
    for (size_t i = 0; i < n; i++)
        if (!ids[i]) {
            cov__error(ctx, COV_ERR_ARG, "facilities entry %zu: NULL id", i);
            return NULL;
        }
    cov_xform xf;
    if (cov__xform_to_lonlat(ctx, crs, "facilities", &xf) != COV_OK) return NULL;
    origin o = {"facilities", NULL, "entry"};
    cov_facilities *f = build(ctx, n, ids, names, kinds, NULL, capacity, x, y, &xf, &o);
    cov__xform_free(&xf);
    return f;
}

/* Columns of a facility CSV or DBF, resolved. */
typedef struct columns {
    long id, name, kind, capacity, x, y;
} columns;

/* Per-row staging shared by the CSV and shapefile readers. */
typedef struct staging {
    const char **ids, **names, **kinds;
    double *capacity, *x, *y;
    size_t *lines;
    char **owned; /* strings the shapefile reader decoded */
    size_t n_owned;
} staging;

static int staging_alloc(cov_ctx *ctx, staging *s, size_t n)
{
    memset(s, 0, sizeof *s);
    s->ids = cov__calloc(ctx, n, sizeof *s->ids);
    s->names = cov__calloc(ctx, n, sizeof *s->names);
    s->kinds = cov__calloc(ctx, n, sizeof *s->kinds);
    s->capacity = cov__calloc(ctx, n, sizeof *s->capacity);
    s->x = cov__calloc(ctx, n, sizeof *s->x);
    s->y = cov__calloc(ctx, n, sizeof *s->y);
    s->lines = cov__calloc(ctx, n, sizeof *s->lines);
    s->owned = cov__calloc(ctx, 3 * n + 1, sizeof *s->owned);
    return s->ids && s->names && s->kinds && s->capacity && s->x && s->y && s->lines &&
                   s->owned
               ? COV_OK
               : COV_ERR_NOMEM;
}

static void staging_free(staging *s)
{
    free(s->ids);
    free(s->names);
    free(s->kinds);
    free(s->capacity);
    free(s->x);
    free(s->y);
    free(s->lines);
    if (s->owned) cov__free_strings(s->owned, s->n_owned);
}

/* Transforms staged rows from crs and builds the facilities; messages name
 * `path` and the staged line or record numbers. */
static cov_facilities *build_staged(cov_ctx *ctx, const staging *s, size_t n, const char *crs,
                                    const char *path, const char *unit,
                                    const char *default_kind)
{
    cov_xform xf;
    if (cov__xform_to_lonlat(ctx, crs, path, &xf) != COV_OK) return NULL;
    origin o = {path, s->lines, unit};
    cov_facilities *f = build(ctx, n, s->ids, s->names, s->kinds, default_kind, s->capacity,
                              s->x, s->y, &xf, &o);
    cov__xform_free(&xf);
    return f;
}

static long optional_csv_column(cov_ctx *ctx, const cov_csv *csv, const char *field, int *ok)
{
    if (!field) return -1;
    long c = cov__csv_column(ctx, csv, field);
    if (c < 0) *ok = 0;
    return c;
}

static int stage_csv_row(cov_ctx *ctx, const cov_csv *csv, const columns *c, size_t row,
                         staging *s)
{
    s->ids[row] = cov__csv_cell(csv, row, (size_t)c->id);
    s->names[row] = c->name >= 0 ? cov__csv_cell(csv, row, (size_t)c->name) : "";
    s->kinds[row] = c->kind >= 0 ? cov__csv_cell(csv, row, (size_t)c->kind) : NULL;
    s->lines[row] = cov__csv_line(csv, row);
    s->capacity[row] = NAN;
    if (c->capacity >= 0 && cov__csv_cell(csv, row, (size_t)c->capacity)[0] &&
        cov__csv_double(ctx, csv, row, (size_t)c->capacity, &s->capacity[row]) != COV_OK)
        return ctx->status;
    if (cov__csv_double(ctx, csv, row, (size_t)c->x, &s->x[row]) != COV_OK ||
        cov__csv_double(ctx, csv, row, (size_t)c->y, &s->y[row]) != COV_OK)
        return ctx->status;
    return COV_OK;
}

cov_facilities *cov_facilities_read_csv(cov_ctx *ctx, const char *path,
                                        const cov_facility_fields *fields, const char *crs)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, path && fields && fields->id && fields->lon && fields->lat, NULL);
    cov_csv *csv = cov__csv_read(ctx, path, 1);
    if (!csv) return NULL;
    cov_facilities *f = NULL;
    staging s = {0};
    int ok = 1;
    columns c;
    size_t n = cov__csv_nrows(csv);
    c.id = optional_csv_column(ctx, csv, fields->id, &ok);
    c.x = ok ? optional_csv_column(ctx, csv, fields->lon, &ok) : -1;
    c.y = ok ? optional_csv_column(ctx, csv, fields->lat, &ok) : -1;
    c.name = ok ? optional_csv_column(ctx, csv, fields->name, &ok) : -1;
    c.kind = ok ? optional_csv_column(ctx, csv, fields->kind, &ok) : -1;
    c.capacity = ok ? optional_csv_column(ctx, csv, fields->capacity, &ok) : -1;
    if (!ok || staging_alloc(ctx, &s, n) != COV_OK) goto done;
    for (size_t row = 0; row < n; row++)
        if (stage_csv_row(ctx, csv, &c, row, &s) != COV_OK) goto done;
    f = build_staged(ctx, &s, n, crs, path, "line", fields->default_kind);
    if (f && cov__facility_attrs_read_csv(ctx, f, csv, fields) != COV_OK) {
        cov_facilities_destroy(f);
        f = NULL;
    }
done:
    staging_free(&s);
    cov__csv_destroy(csv);
    return f;
}

static int optional_dbf_field(cov_ctx *ctx, const cov_shp_reader *r, const char *field,
                              int *ok)
{
    if (!field) return -1;
    int c = cov__shp_field(ctx, r, field);
    if (c < 0) *ok = 0;
    return c;
}

/* Decodes a DBF string into the staging area (freed with it). */
static const char *stage_string(cov_ctx *ctx, const cov_shp_reader *r, int rec, long field,
                                staging *s)
{
    if (field < 0) return NULL;
    char *v = cov__shp_string(ctx, r, rec, (int)field);
    if (v) s->owned[s->n_owned++] = v;
    return v;
}

static int stage_shp_record(cov_ctx *ctx, const cov_shp_reader *r, const columns *c,
                            int rec, staging *s)
{
    int is_null = 0;
    /* 0-based file numbers, as GDAL and QGIS number records */
    s->lines[rec] = (size_t)cov__shp_record_number(r, rec);
    s->ids[rec] = stage_string(ctx, r, rec, c->id, s);
    s->names[rec] = c->name >= 0 ? stage_string(ctx, r, rec, c->name, s) : "";
    s->kinds[rec] = stage_string(ctx, r, rec, c->kind, s);
    if (!s->ids[rec] || !s->names[rec] || (c->kind >= 0 && !s->kinds[rec])) return ctx->status;
    s->capacity[rec] = NAN;
    if (c->capacity >= 0 &&
        cov__shp_double(ctx, r, rec, (int)c->capacity, &s->capacity[rec]) != COV_OK)
        return ctx->status;
    GEOSGeometry *g = cov__shp_geometry(ctx, r, rec, &is_null);
    if (!g)
        return is_null ? cov__error(ctx, COV_ERR_VALUE, "%s record %d: null shape", r->path,
                                    cov__shp_record_number(r, rec))
                       : ctx->status;
    GEOSGeomGetX_r(ctx->geos, g, &s->x[rec]);
    GEOSGeomGetY_r(ctx->geos, g, &s->y[rec]);
    GEOSGeom_destroy_r(ctx->geos, g);
    return COV_OK;
}

cov_facilities *cov_facilities_read_shp(cov_ctx *ctx, const char *path,
                                        const cov_facility_fields *fields, const char *crs)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, path && fields && fields->id, NULL);
    cov_shp_reader r;
    if (cov__shp_open(ctx, path, SHPT_POINT, &r) != COV_OK) return NULL;
    cov_facilities *f = NULL;
    staging s = {0};
    int ok = 1;
    columns c = {.x = -1, .y = -1};
    size_t n = (size_t)r.n_records;
    c.id = optional_dbf_field(ctx, &r, fields->id, &ok);
    c.name = ok ? optional_dbf_field(ctx, &r, fields->name, &ok) : -1;
    c.kind = ok ? optional_dbf_field(ctx, &r, fields->kind, &ok) : -1;
    c.capacity = ok ? optional_dbf_field(ctx, &r, fields->capacity, &ok) : -1;
    if (!ok || staging_alloc(ctx, &s, n) != COV_OK) goto done;
    for (int rec = 0; rec < r.n_records; rec++)
        if (stage_shp_record(ctx, &r, &c, rec, &s) != COV_OK) goto done;
    f = build_staged(ctx, &s, n, crs ? crs : r.prj_wkt, path, "record", fields->default_kind);
    if (f && cov__facility_attrs_read_shp(ctx, f, &r, fields) != COV_OK) {
        cov_facilities_destroy(f);
        f = NULL;
    }
done:
    staging_free(&s);
    cov__shp_close(&r);
    return f;
}

size_t cov_facilities_count(const cov_facilities *f) { return f ? f->n : 0; }

const char *cov_facilities_id(const cov_facilities *f, size_t i)
{
    return f && i < f->n ? f->ids[i] : NULL;
}

const char *cov_facilities_name(const cov_facilities *f, size_t i)
{
    return f && i < f->n ? f->names[i] : NULL;
}

const char *cov_facilities_kind(const cov_facilities *f, size_t i)
{
    return f && i < f->n ? f->kinds[i] : NULL;
}

const double *cov_facilities_lon(const cov_facilities *f) { return f ? f->lon : NULL; }
const double *cov_facilities_lat(const cov_facilities *f) { return f ? f->lat : NULL; }
const double *cov_facilities_capacity(const cov_facilities *f) { return f ? f->capacity : NULL; }
size_t cov_facilities_kind_count(const cov_facilities *f) { return f ? f->n_kinds : 0; }

const char *cov_facilities_kind_name(const cov_facilities *f, size_t k)
{
    return f && k < f->n_kinds ? f->kind_names[k] : NULL;
}

cov_table *cov_facilities_table(cov_ctx *ctx, const cov_facilities *f)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, f, NULL);
    static const cov_column_spec spec[] = {{"facility_id", COV_COL_STRING},
                                           {"name", COV_COL_STRING},
                                           {"kind", COV_COL_STRING},
                                           {"capacity", COV_COL_DOUBLE}};
    enum { C_ID, C_NAME, C_KIND, C_CAP };
    size_t c[4];
    cov_table *t = cov__table_create(ctx, f->n, 1);
    if (!t || cov__table_add_columns(ctx, t, spec, 4, c) != COV_OK) goto fail;
    double *cap = cov__table_doubles_mut(t, c[C_CAP]);
    for (size_t i = 0; i < f->n; i++) {
        GEOSGeometry *p = GEOSGeom_createPointFromXY_r(ctx->geos, f->lon[i], f->lat[i]);
        if (!p) {
            cov__geos_error(ctx, "facility point");
            goto fail;
        }
        cov__table_set_geometry(t, i, p);
        cap[i] = f->capacity[i];
        if (cov__table_set_string(ctx, t, c[C_ID], i, f->ids[i]) != COV_OK ||
            cov__table_set_string(ctx, t, c[C_NAME], i, f->names[i]) != COV_OK ||
            cov__table_set_string(ctx, t, c[C_KIND], i, f->kinds[i]) != COV_OK)
            goto fail;
    }
    return t;
fail:
    cov_table_destroy(t);
    return NULL;
}
