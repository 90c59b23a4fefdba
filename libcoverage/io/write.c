/* Writing tables as CSV and as shapefiles. Every file is first written
 * under a hidden temporary name in the destination folder (so rename() is
 * atomic and never crosses file systems), then renamed; on failure the
 * temporaries are removed and nothing is left behind. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <shapefil.h>

#include "io/table_internal.h"

#define TEMP_TRIES 100
#define DBF_NAME_MAX 10    /* bytes in a DBF field name */
#define DBF_STRING_MAX 254 /* widest C field most readers accept */
#define DBF_DOUBLE_WIDTH 24
#define DBF_DOUBLE_DECIMALS 15
#define DBF_INT_WIDTH 20   /* "-9223372036854775808" */

/* ---- temporary names ----------------------------------------------------- */

/* "<dir>/.<base>.tmp.<pid>[.<k>]": hidden, beside the destination. */
static char *temp_stem(cov_ctx *ctx, const char *dest, size_t dest_stem_len, int k)
{
    const char *slash = strrchr(dest, '/');
    size_t dir = slash ? (size_t)(slash - dest) + 1 : 0;
    size_t n = dest_stem_len + 64;
    char *s = cov__malloc(ctx, n);
    if (!s) return NULL;
    int len = snprintf(s, n, "%.*s.%.*s.tmp.%ld", (int)dir, dest, (int)(dest_stem_len - dir),
                       dest + dir, (long)getpid());
    if (k) snprintf(s + len, n - (size_t)len, ".%d", k);
    return s;
}

static char *concat(cov_ctx *ctx, const char *a, const char *b)
{
    char *s = cov__malloc(ctx, strlen(a) + strlen(b) + 1);
    if (s) sprintf(s, "%s%s", a, b);
    return s;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static int write_error(cov_ctx *ctx, const char *path, int err)
{
    return cov__error(ctx, COV_ERR_IO, "cannot write %s: %s", path, strerror(err));
}

/* ---- CSV ----------------------------------------------------------------- */

/* RFC 4180: quote a cell holding a comma, a quote or a line break. */
static void csv_text(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_cell(FILE *f, const cov_table *t, size_t c, size_t row)
{
    int type = cov_table_column_type(t, c);
    if (type == COV_COL_STRING) {
        csv_text(f, cov_table_string(t, c, row));
    } else if (type == COV_COL_INT) {
        fprintf(f, "%" PRId64, cov_table_ints(t, c)[row]);
    } else {
        double v = cov_table_doubles(t, c)[row];
        if (!isnan(v)) fprintf(f, "%.17g", v);
    }
}

static int csv_geometry(cov_ctx *ctx, FILE *f, GEOSWKTWriter *w, const GEOSGeometry *g,
                        const char *path, size_t row)
{
    if (!g) return COV_OK;
    char *wkt = GEOSWKTWriter_write_r(ctx->geos, w, g);
    if (!wkt) {
        char what[600];
        snprintf(what, sizeof what, "%s row %zu: writing WKT", path, row);
        return cov__geos_error(ctx, what);
    }
    csv_text(f, wkt);
    GEOSFree_r(ctx->geos, wkt);
    return COV_OK;
}

static void csv_header(FILE *f, const cov_table *t)
{
    size_t nc = cov_table_ncols(t);
    for (size_t c = 0; c < nc; c++) {
        if (c) fputc(',', f);
        csv_text(f, cov_table_column_name(t, c));
    }
    if (cov_table_has_geometry(t)) {
        /* "geometry" as geopandas names it, unless a column has that name. */
        const char *name = cov_table_column_index(t, "geometry") < 0 ? "geometry" : "geometry_wkt";
        fprintf(f, "%s%s", nc ? "," : "", name);
    }
    fputc('\n', f);
}

static GEOSWKTWriter *wkt_writer(cov_ctx *ctx)
{
    GEOSWKTWriter *w = GEOSWKTWriter_create_r(ctx->geos);
    if (!w) {
        cov__geos_error(ctx, "creating a WKT writer");
        return NULL;
    }
    /* Trimmed: the shortest digits that read back exactly, up to 17
     * decimals (GEOS's default of -1 keeps only 16 and rounds 0.1 + 0.2
     * to 0.3; 17 decimals are below a nanometre in degrees). */
    GEOSWKTWriter_setTrim_r(ctx->geos, w, 1);
    GEOSWKTWriter_setRoundingPrecision_r(ctx->geos, w, 17);
    GEOSWKTWriter_setOutputDimension_r(ctx->geos, w, 2);
    return w;
}

static int csv_body(cov_ctx *ctx, const cov_table *t, FILE *f, const char *path)
{
    GEOSWKTWriter *w = NULL;
    if (cov_table_has_geometry(t) && !(w = wkt_writer(ctx))) return ctx->status;
    csv_header(f, t);
    size_t nc = cov_table_ncols(t), nr = cov_table_nrows(t);
    int rc = COV_OK;
    for (size_t r = 0; r < nr && rc == COV_OK && !ferror(f); r++) {
        for (size_t c = 0; c < nc; c++) {
            if (c) fputc(',', f);
            csv_cell(f, t, c, r);
        }
        if (w) {
            if (nc) fputc(',', f);
            rc = csv_geometry(ctx, f, w, cov__table_geometry(t, r), path, r);
        }
        fputc('\n', f);
    }
    if (w) GEOSWKTWriter_destroy_r(ctx->geos, w);
    if (rc == COV_OK && ferror(f)) rc = write_error(ctx, path, errno ? errno : EIO);
    return rc;
}

/* Opens a new temporary file beside path, exclusively ("x") so that two
 * writers never share one. */
static FILE *open_temp(cov_ctx *ctx, const char *path, char **out_tmp)
{
    for (int k = 0; k < TEMP_TRIES; k++) {
        char *tmp = temp_stem(ctx, path, strlen(path), k);
        if (!tmp) return NULL;
        FILE *f = fopen(tmp, "wbx");
        if (f) {
            *out_tmp = tmp;
            return f;
        }
        int err = errno;
        free(tmp);
        if (err != EEXIST) {
            write_error(ctx, path, err);
            return NULL;
        }
    }
    write_error(ctx, path, EEXIST);
    return NULL;
}

static int refuse_input(cov_ctx *ctx, const char *path)
{
    return cov__error(ctx, COV_ERR_IO,
                      "refusing to write %s: it was read as an input in this context", path);
}

int cov_table_write_csv(cov_ctx *ctx, const cov_table *table, const char *path)
{
    COV_CHECK_ARG(ctx, ctx && table && path && *path, COV_ERR_ARG);
    if (cov__is_input(ctx, path)) return refuse_input(ctx, path);
    char *tmp = NULL;
    FILE *f = open_temp(ctx, path, &tmp);
    if (!f) return ctx->status;
    int rc = csv_body(ctx, table, f, path);
    if (fclose(f) != 0 && rc == COV_OK) rc = write_error(ctx, path, errno);
    if (rc == COV_OK && rename(tmp, path) != 0) rc = write_error(ctx, path, errno);
    if (rc != COV_OK) remove(tmp);
    free(tmp);
    return rc;
}

/* ---- DBF field plan ------------------------------------------------------ */

typedef struct dbf_field {
    char name[DBF_NAME_MAX + 1];
    char type;    /* 'C' or 'N' */
    int width, decimals;
    long col;     /* table column, -1 for the row-number field of a table without columns */
    int col_type;
} dbf_field;

/* Longest prefix of s of at most max bytes that ends on a UTF-8 boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    return max;
}

/* Readers match DBF names without regard to case. */
static int name_taken(const dbf_field *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].name[0] && strcasecmp(f[i].name, name) == 0) return 1;
    return 0;
}

/* A unique name of at most 10 bytes: the name cut short, then with "_1",
 * "_2", ... in place of its end. */
static void shorten_name(dbf_field *f, size_t nf, size_t i, const char *name)
{
    char cand[DBF_NAME_MAX + 1];
    snprintf(cand, sizeof cand, "%.*s", (int)utf8_cut(name, DBF_NAME_MAX), name);
    for (int k = 1; name_taken(f, nf, cand) && k < 100000; k++) {
        char suffix[8];
        int sl = snprintf(suffix, sizeof suffix, "_%d", k);
        snprintf(cand, sizeof cand, "%.*s%s", (int)utf8_cut(name, DBF_NAME_MAX - (size_t)sl),
                 name, suffix);
    }
    memcpy(f[i].name, cand, sizeof cand);
}

/* Names that fit and are unique are kept first, so a shortened name never
 * takes the name of a later column that needed no change. */
static void plan_names(cov_ctx *ctx, const cov_table *t, dbf_field *f, size_t nf,
                       const char *path)
{
    for (size_t i = 0; i < nf; i++) {
        const char *name = cov_table_column_name(t, (size_t)f[i].col);
        if (strlen(name) <= DBF_NAME_MAX && !name_taken(f, nf, name))
            snprintf(f[i].name, sizeof f[i].name, "%s", name);
    }
    char notice[COV_MSG_MAX];
    size_t len = 0;
    for (size_t i = 0; i < nf; i++) {
        if (f[i].name[0]) continue;
        const char *name = cov_table_column_name(t, (size_t)f[i].col);
        shorten_name(f, nf, i, name);
        if (len < sizeof notice)
            len += (size_t)snprintf(notice + len, sizeof notice - len, "%s%s -> %s",
                                    len ? ", " : "", name, f[i].name);
    }
    if (len) cov__notice(ctx, "%s: DBF field names are limited to %d bytes; renamed %s",
                         path, DBF_NAME_MAX, notice);
}

static void plan_string_width(cov_ctx *ctx, const cov_table *t, dbf_field *f,
                              const char *path)
{
    size_t widest = 1, cut = 0;
    for (size_t r = 0; r < cov_table_nrows(t); r++) {
        size_t n = strlen(cov_table_string(t, (size_t)f->col, r));
        if (n > DBF_STRING_MAX) cut++;
        if (n > widest) widest = n;
    }
    f->width = widest > DBF_STRING_MAX ? DBF_STRING_MAX : (int)widest;
    if (cut)
        cov__warn(ctx, "%s: %zu value(s) of column %s longer than %d bytes were truncated",
                  path, cut, cov_table_column_name(t, (size_t)f->col), DBF_STRING_MAX);
}

static void plan_types(cov_ctx *ctx, const cov_table *t, dbf_field *f, const char *path)
{
    f->col_type = f->col < 0 ? COV_COL_INT : cov_table_column_type(t, (size_t)f->col);
    f->type = f->col_type == COV_COL_STRING ? 'C' : 'N';
    f->decimals = f->col_type == COV_COL_DOUBLE ? DBF_DOUBLE_DECIMALS : 0;
    f->width = f->col_type == COV_COL_DOUBLE ? DBF_DOUBLE_WIDTH : DBF_INT_WIDTH;
    if (f->col_type == COV_COL_STRING) plan_string_width(ctx, t, f, path);
}

/* One field per column; a table without columns gets a row number, since
 * a DBF without fields cannot hold records. */
static dbf_field *plan_fields(cov_ctx *ctx, const cov_table *t, const char *path,
                              size_t *out_n)
{
    size_t nc = cov_table_ncols(t), nf = nc ? nc : 1;
    dbf_field *f = cov__calloc(ctx, nf, sizeof *f);
    if (!f) return NULL;
    for (size_t i = 0; i < nf; i++) f[i].col = nc ? (long)i : -1;
    if (nc) plan_names(ctx, t, f, nf, path);
    else strcpy(f[0].name, "FID");
    for (size_t i = 0; i < nf; i++) plan_types(ctx, t, &f[i], path);
    *out_n = nf;
    return f;
}

/* ---- DBF writing --------------------------------------------------------- */

/* A double in a 'N' field: as many of the 15 decimals as fit the width,
 * exponent notation for magnitudes no fixed form fits. */
static void format_double(double v, char *buf, size_t size)
{
    int len = snprintf(buf, size, "%*.*f", DBF_DOUBLE_WIDTH, DBF_DOUBLE_DECIMALS, v);
    int dec = DBF_DOUBLE_DECIMALS - (len - DBF_DOUBLE_WIDTH);
    if (len > DBF_DOUBLE_WIDTH && dec >= 0)
        len = snprintf(buf, size, "%*.*f", DBF_DOUBLE_WIDTH, dec, v);
    if (len > DBF_DOUBLE_WIDTH) snprintf(buf, size, "%*.16e", DBF_DOUBLE_WIDTH, v);
}

static int dbf_cell(DBFHandle dbf, const cov_table *t, const dbf_field *f, int field,
                    size_t row)
{
    char buf[DBF_STRING_MAX + 8];
    int r = (int)row;
    if (f->col < 0) {
        snprintf(buf, sizeof buf, "%*zu", DBF_INT_WIDTH, row);
    } else if (f->col_type == COV_COL_STRING) {
        const char *s = cov_table_string(t, (size_t)f->col, row);
        snprintf(buf, sizeof buf, "%.*s", (int)utf8_cut(s, DBF_STRING_MAX), s);
        return DBFWriteStringAttribute(dbf, r, field, buf);
    } else if (f->col_type == COV_COL_INT) {
        snprintf(buf, sizeof buf, "%*" PRId64, DBF_INT_WIDTH, cov_table_ints(t, (size_t)f->col)[row]);
    } else {
        double v = cov_table_doubles(t, (size_t)f->col)[row];
        if (!isfinite(v)) return DBFWriteNULLAttribute(dbf, r, field);
        format_double(v, buf, sizeof buf);
    }
    /* Formatted here: shapelib's own writers take an int and a fixed %f. */
    return DBFWriteAttributeDirectly(dbf, r, field, buf);
}

/* Shapelib would print to stderr; our messages name the path instead. */
static void hook_error(const char *message) { (void)message; }

static void quiet_hooks(SAHooks *h)
{
    SASetupDefaultHooks(h);
    h->Error = hook_error;
}

static int write_dbf(cov_ctx *ctx, const cov_table *t, const char *tmp_dbf, const char *path)
{
    size_t nf = 0;
    dbf_field *f = plan_fields(ctx, t, path, &nf);
    if (!f) return ctx->status;
    SAHooks hooks;
    quiet_hooks(&hooks);
    /* LDID 0 with a .cpg saying UTF-8 is what GDAL writes for UTF-8; the
     * .cpg is written by us (shapelib's own does not check fopen). */
    errno = 0;
    DBFHandle dbf = DBFCreateLL(tmp_dbf, "LDID/0", &hooks);
    int ok = dbf != NULL;
    if (!dbf) write_error(ctx, path, errno ? errno : EIO);
    for (size_t i = 0; ok && i < nf; i++)
        ok = DBFAddNativeFieldType(dbf, f[i].name, f[i].type, f[i].width, f[i].decimals) >= 0;
    for (size_t r = 0; ok && r < cov_table_nrows(t); r++)
        for (size_t i = 0; ok && i < nf; i++) ok = dbf_cell(dbf, t, &f[i], (int)i, r);
    if (dbf) DBFClose(dbf);
    free(f);
    if (!ok && dbf) return write_error(ctx, path, errno ? errno : EIO);
    return ok ? COV_OK : ctx->status;
}

/* ---- SHP geometry -------------------------------------------------------- */

/* Growable vertex and part arrays for one shape. */
typedef struct shape_buf {
    double *x, *y;
    int *parts;
    int n, cap, nparts, pcap;
} shape_buf;

static int buf_reserve(cov_ctx *ctx, shape_buf *b, size_t nv)
{
    if (nv > (size_t)INT32_MAX - (size_t)b->n)
        return cov__error(ctx, COV_ERR_GEOMETRY, "geometry too large for a shapefile");
    if (b->n + (int)nv > b->cap) {
        int cap = b->cap * 2 > b->n + (int)nv ? b->cap * 2 : b->n + (int)nv;
        double *x = cov__realloc(ctx, b->x, (size_t)cap * sizeof *x);
        if (x) b->x = x;
        double *y = x ? cov__realloc(ctx, b->y, (size_t)cap * sizeof *y) : NULL;
        if (!y) return COV_ERR_NOMEM;
        b->y = y;
        b->cap = cap;
    }
    if (b->nparts == b->pcap) {
        int pcap = b->pcap ? 2 * b->pcap : 8;
        int *p = cov__realloc(ctx, b->parts, (size_t)pcap * sizeof *p);
        if (!p) return COV_ERR_NOMEM;
        b->parts = p;
        b->pcap = pcap;
    }
    return COV_OK;
}

static void reverse(double *v, int n)
{
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* Appends a coordinate sequence as a part. orient: 0 keep, -1 make
 * clockwise (outer ring), +1 counter-clockwise (hole). */
static int buf_add(cov_ctx *ctx, shape_buf *b, const GEOSCoordSequence *seq, int orient)
{
    unsigned n = 0;
    if (!GEOSCoordSeq_getSize_r(ctx->geos, seq, &n)) return cov__geos_error(ctx, "reading coordinates");
    if (buf_reserve(ctx, b, n) != COV_OK) return ctx->status;
    double *x = b->x + b->n, *y = b->y + b->n;
    if (n && !GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, x, y, NULL, NULL))
        return cov__geos_error(ctx, "reading coordinates");
    for (unsigned i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return cov__error(ctx, COV_ERR_GEOMETRY, "non-finite coordinate");
    double a = 0;
    for (unsigned i = 0; orient && i + 1 < n; i++)
        a += (x[i] - x[0]) * (y[i + 1] - y[0]) - (x[i + 1] - x[0]) * (y[i] - y[0]);
    if (a * orient < 0) {
        reverse(x, (int)n);
        reverse(y, (int)n);
    }
    b->parts[b->nparts++] = b->n;
    b->n += (int)n;
    return COV_OK;
}

static int buf_polygon(cov_ctx *ctx, shape_buf *b, const GEOSGeometry *poly)
{
    if (GEOSisEmpty_r(ctx->geos, poly)) return COV_OK;
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(ctx->geos, poly);
    int nh = GEOSGetNumInteriorRings_r(ctx->geos, poly);
    if (!ring || nh < 0) return cov__geos_error(ctx, "reading a polygon");
    int rc = buf_add(ctx, b, GEOSGeom_getCoordSeq_r(ctx->geos, ring), -1);
    for (int i = 0; rc == COV_OK && i < nh; i++) {
        ring = GEOSGetInteriorRingN_r(ctx->geos, poly, i);
        rc = ring ? buf_add(ctx, b, GEOSGeom_getCoordSeq_r(ctx->geos, ring), +1)
                  : cov__geos_error(ctx, "reading a polygon");
    }
    return rc;
}

/* Vertices and parts of g (points, lines or polygons, single or multi). */
static int buf_geometry(cov_ctx *ctx, shape_buf *b, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_MULTIPOINT || type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOLYGON) {
        int rc = COV_OK, n = GEOSGetNumGeometries_r(ctx->geos, g);
        for (int i = 0; rc == COV_OK && i < n; i++)
            rc = buf_geometry(ctx, b, GEOSGetGeometryN_r(ctx->geos, g, i));
        return rc;
    }
    if (GEOSisEmpty_r(ctx->geos, g)) return COV_OK;
    if (type == GEOS_POLYGON) return buf_polygon(ctx, b, g);
    return buf_add(ctx, b, GEOSGeom_getCoordSeq_r(ctx->geos, g), 0);
}

/* Shapefile type for a GEOS type id; 0 when a shapefile cannot hold it. */
static int shp_type_of(int geos_type)
{
    switch (geos_type) {
    case GEOS_POINT: return SHPT_POINT;
    case GEOS_MULTIPOINT: return SHPT_MULTIPOINT;
    case GEOS_LINESTRING: case GEOS_LINEARRING: case GEOS_MULTILINESTRING: return SHPT_ARC;
    case GEOS_POLYGON: case GEOS_MULTIPOLYGON: return SHPT_POLYGON;
    }
    return 0;
}

static int same_family(int a, int b)
{
    int pa = a == SHPT_POINT || a == SHPT_MULTIPOINT, pb = b == SHPT_POINT || b == SHPT_MULTIPOINT;
    return a == b || (pa && pb);
}

/* One shape type for the file: Point, or MultiPoint when any row is one;
 * Arc; Polygon. Point when no row has a geometry. */
static int choose_shp_type(cov_ctx *ctx, const cov_table *t, const char *path, int *out)
{
    int chosen = 0;
    size_t first = 0;
    for (size_t r = 0; r < cov_table_nrows(t); r++) {
        const GEOSGeometry *g = cov__table_geometry(t, r);
        if (!g || GEOSisEmpty_r(ctx->geos, g)) continue;
        int type = shp_type_of(GEOSGeomTypeId_r(ctx->geos, g));
        if (!type)
            return cov__error(ctx, COV_ERR_GEOMETRY, "%s row %zu: a geometry collection "
                              "cannot be stored in a shapefile", path, r);
        if (chosen && !same_family(chosen, type))
            return cov__error(ctx, COV_ERR_GEOMETRY, "%s: row %zu is a %s but row %zu is a %s; "
                              "a shapefile holds one kind", path, r, SHPTypeName(type), first,
                              SHPTypeName(chosen));
        if (!chosen) first = r;
        if (!chosen || type == SHPT_MULTIPOINT) chosen = type;
    }
    *out = chosen ? chosen : SHPT_POINT;
    return COV_OK;
}

static SHPObject *make_shape(cov_ctx *ctx, const GEOSGeometry *g, int shp_type,
                             const char *path, size_t row)
{
    shape_buf b = {0};
    SHPObject *o = NULL;
    int rc = g ? buf_geometry(ctx, &b, g) : COV_OK;
    if (rc != COV_OK) {
        char msg[COV_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", ctx->message);
        cov__error(ctx, ctx->status, "%s row %zu: %s", path, row, msg);
    } else if (b.n == 0) {
        o = SHPCreateObject(SHPT_NULL, -1, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL);
    } else {
        int parts = shp_type == SHPT_ARC || shp_type == SHPT_POLYGON;
        o = SHPCreateObject(shp_type, -1, parts ? b.nparts : 0, parts ? b.parts : NULL, NULL,
                            b.n, b.x, b.y, NULL, NULL);
    }
    if (rc == COV_OK && !o) cov__error(ctx, COV_ERR_NOMEM, "out of memory (shape)");
    free(b.x);
    free(b.y);
    free(b.parts);
    return o;
}

static int write_shapes(cov_ctx *ctx, const cov_table *t, int shp_type, const char *tmp_shp,
                        const char *path)
{
    SAHooks hooks;
    quiet_hooks(&hooks);
    errno = 0;
    SHPHandle shp = SHPCreateLL(tmp_shp, shp_type, &hooks);
    if (!shp) return write_error(ctx, path, errno ? errno : EIO);
    int rc = COV_OK;
    for (size_t r = 0; rc == COV_OK && r < cov_table_nrows(t); r++) {
        SHPObject *o = make_shape(ctx, cov__table_geometry(t, r), shp_type, path, r);
        if (!o) rc = ctx->status;
        else if (SHPWriteObject(shp, -1, o) < 0) rc = write_error(ctx, path, errno ? errno : EIO);
        SHPDestroyObject(o);
    }
    SHPClose(shp);
    return rc;
}

/* ---- the shapefile as a set of files ------------------------------------- */

static const char *const shp_exts[] = {".shx", ".dbf", ".prj", ".cpg", ".shp"};
#define N_SHP_EXTS (sizeof shp_exts / sizeof *shp_exts)

static int write_text(cov_ctx *ctx, const char *tmp, const char *text, const char *path)
{
    FILE *f = fopen(tmp, "wbx");
    if (!f) return write_error(ctx, path, errno);
    int ok = fputs(text, f) >= 0;
    ok = (fclose(f) == 0) && ok;
    return ok ? COV_OK : write_error(ctx, path, errno ? errno : EIO);
}

static int write_prj(cov_ctx *ctx, const char *tmp, const char *path)
{
    PJ *crs = proj_create(ctx->proj, "EPSG:6668");
    const char *wkt = crs ? proj_as_wkt(ctx->proj, crs, PJ_WKT1_ESRI, NULL) : NULL;
    int rc = wkt ? write_text(ctx, tmp, wkt, path)
                 : cov__error(ctx, COV_ERR_CRS, "%s: PROJ cannot describe EPSG:6668 as ESRI "
                              "WKT (is proj.db installed?)", path);
    proj_destroy(crs);
    return rc;
}

/* Shapelib and PROJ report success while a full disk truncates files;
 * reading the headers back and comparing sizes catches that. */
static int verify(cov_ctx *ctx, const char *tmp_shp, const char *tmp_dbf, size_t nrows,
                  const char *path)
{
    SAHooks hooks;
    quiet_hooks(&hooks);
    SHPHandle shp = SHPOpenLL(tmp_shp, "rb", &hooks);
    DBFHandle dbf = DBFOpenLL(tmp_dbf, "rb", &hooks);
    struct stat st;
    int ok = shp && dbf && stat(tmp_shp, &st) == 0 && (size_t)shp->nRecords == nrows &&
             (unsigned long long)st.st_size == shp->nFileSize &&
             (size_t)DBFGetRecordCount(dbf) == nrows;
    if (ok && stat(tmp_dbf, &st) == 0)
        ok = (unsigned long long)st.st_size >=
             (unsigned long long)dbf->nHeaderLength + (unsigned long long)dbf->nRecordLength * nrows;
    if (shp) SHPClose(shp);
    if (dbf) DBFClose(dbf);
    return ok ? COV_OK : cov__error(ctx, COV_ERR_IO, "cannot write %s: files came out "
                                    "incomplete (disk full?)", path);
}

/* Refuses when any file of the set (either case of extension) was an input. */
static int check_not_input(cov_ctx *ctx, const char *path, size_t stem)
{
    char *p = cov__malloc(ctx, stem + 5);
    if (!p) return COV_ERR_NOMEM;
    int rc = COV_OK;
    for (size_t i = 0; rc == COV_OK && i < N_SHP_EXTS; i++) {
        for (int upper = 0; rc == COV_OK && upper < 2; upper++) {
            sprintf(p, "%.*s%s", (int)stem, path, shp_exts[i]);
            for (char *c = p + stem + 1; upper && *c; c++) *c = (char)(*c - 'a' + 'A');
            if (cov__is_input(ctx, p)) rc = refuse_input(ctx, p);
        }
    }
    free(p);
    return rc;
}

/* Sets *out when a file stem + any extension of the set exists. */
static int set_exists(cov_ctx *ctx, const char *stem, int *out)
{
    *out = 0;
    for (size_t i = 0; !*out && i < N_SHP_EXTS; i++) {
        char *p = concat(ctx, stem, shp_exts[i]);
        if (!p) return COV_ERR_NOMEM;
        *out = exists(p);
        free(p);
    }
    return COV_OK;
}

/* A temporary stem none of whose siblings exist yet. */
static char *free_temp_stem(cov_ctx *ctx, const char *path, size_t stem)
{
    for (int k = 0; k < TEMP_TRIES; k++) {
        char *s = temp_stem(ctx, path, stem, k);
        int taken = 1, rc = s ? set_exists(ctx, s, &taken) : COV_ERR_NOMEM;
        if (rc == COV_OK && !taken) return s;
        free(s);
        if (rc != COV_OK) return NULL;
    }
    write_error(ctx, path, EEXIST);
    return NULL;
}

/* Final name for extension i: the case of the .shp's extension. */
static char *final_name(cov_ctx *ctx, const char *path, size_t stem, size_t i)
{
    char *p = cov__malloc(ctx, stem + 5);
    if (!p) return NULL;
    sprintf(p, "%.*s%s", (int)stem, path, shp_exts[i]);
    int upper = path[stem + 1] == 'S';
    for (char *c = p + stem + 1; upper && *c; c++) *c = (char)(*c - 'a' + 'A');
    return p;
}

static void remove_temps(cov_ctx *ctx, const char *tmp_stem)
{
    for (size_t i = 0; i < N_SHP_EXTS; i++) {
        char *p = concat(ctx, tmp_stem, shp_exts[i]);
        if (p) remove(p);
        free(p);
    }
}

/* Renames the .shp last, so that until the set is complete no new .shp
 * points at old companions. */
static int rename_all(cov_ctx *ctx, const char *tmp_stem, const char *path, size_t stem)
{
    int rc = COV_OK;
    for (size_t i = 0; rc == COV_OK && i < N_SHP_EXTS; i++) {
        char *to = final_name(ctx, path, stem, i), *from = concat(ctx, tmp_stem, shp_exts[i]);
        if (!to || !from) rc = COV_ERR_NOMEM;
        else if (rename(from, to) != 0) rc = write_error(ctx, to, errno);
        free(to);
        free(from);
    }
    return rc;
}

/* Writes the five temporaries tmp + ".shp", ... (shapelib adds the .shx). */
static int write_set(cov_ctx *ctx, const cov_table *t, const char *tmp, const char *path)
{
    char *shp = concat(ctx, tmp, ".shp"), *dbf = concat(ctx, tmp, ".dbf");
    char *prj = concat(ctx, tmp, ".prj"), *cpg = concat(ctx, tmp, ".cpg");
    int type = 0;
    int rc = shp && dbf && prj && cpg ? COV_OK : COV_ERR_NOMEM;
    if (rc == COV_OK) rc = choose_shp_type(ctx, t, path, &type);
    if (rc == COV_OK) rc = write_shapes(ctx, t, type, shp, path);
    if (rc == COV_OK) rc = write_dbf(ctx, t, dbf, path);
    if (rc == COV_OK) rc = write_prj(ctx, prj, path);
    if (rc == COV_OK) rc = write_text(ctx, cpg, "UTF-8", path);
    if (rc == COV_OK) rc = verify(ctx, shp, dbf, cov_table_nrows(t), path);
    free(shp);
    free(dbf);
    free(prj);
    free(cpg);
    return rc;
}

int cov_table_write_shp(cov_ctx *ctx, const cov_table *table, const char *path)
{
    COV_CHECK_ARG(ctx, ctx && table && path, COV_ERR_ARG);
    size_t len = strlen(path), stem = len - 4;
    if (len < 5 || path[len - 5] == '/' || strcasecmp(path + stem, ".shp") != 0)
        return cov__error(ctx, COV_ERR_ARG, "%s: a shapefile path must end in .shp", path);
    if (!cov_table_has_geometry(table))
        return cov__error(ctx, COV_ERR_ARG, "%s: the table has no geometry column", path);
    if (cov_table_nrows(table) > INT32_MAX) /* shapelib counts records in an int */
        return cov__error(ctx, COV_ERR_ARG, "%s: %zu rows are more than a shapefile holds",
                          path, cov_table_nrows(table));
    int rc = check_not_input(ctx, path, stem);
    char *tmp = rc == COV_OK ? free_temp_stem(ctx, path, stem) : NULL;
    if (rc == COV_OK && !tmp) rc = ctx->status;
    if (rc == COV_OK) rc = write_set(ctx, table, tmp, path);
    if (rc == COV_OK) rc = rename_all(ctx, tmp, path, stem);
    if (tmp) remove_temps(ctx, tmp);
    free(tmp);
    return rc;
}
