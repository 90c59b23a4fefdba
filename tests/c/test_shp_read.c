/* Shapefile reader: files written here with shapelib directly (so the
 * reader is not checked against our own writer), damaged copies of them,
 * and the real N03 boundaries of Hokkaido when ../shared/data is present. */
#include <dirent.h>
#include <unistd.h>

#include "core/internal.h"
#include "geo/geo.h"
#include "io/shp_read.h"
#include "testutil.h"

static char test_dir[1024];

static const char *in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", test_dir, name);
    return buf;
}

/* Copies the first n bytes of src to dst (all when n < 0). */
static int copy_file(const char *src, const char *dst, long n)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    int c, ok = in && out;
    for (long i = 0; ok && (n < 0 || i < n) && (c = fgetc(in)) != EOF; i++) fputc(c, out);
    if (in) fclose(in);
    if (out) fclose(out);
    return ok ? 0 : -1;
}

/* Copies stem.{shp,shx,dbf,cpg} of the test folder to new_stem + the
 * extensions given (in whatever case), skipping NULL ones. */
static void copy_set(const char *stem, const char *new_stem, const char *shp,
                     const char *shx, const char *dbf)
{
    const char *from[3] = {"shp", "shx", "dbf"}, *to[3] = {shp, shx, dbf};
    char a[2048], b[2048], na[256], nb[256];
    for (int i = 0; i < 3; i++) {
        if (!to[i]) continue;
        snprintf(na, sizeof na, "%s.%s", stem, from[i]);
        snprintf(nb, sizeof nb, "%s.%s", new_stem, to[i]);
        copy_file(in_dir(a, sizeof a, na), in_dir(b, sizeof b, nb), -1);
    }
}

/* ---- writing test files with shapelib ------------------------------------ */

#define MAXV 64

typedef struct shape_spec {
    int type, nparts, nv;
    int parts[8];
    double x[MAXV], y[MAXV];
} shape_spec;

/* Appends a ring or line; cw: 1 clockwise, 0 counter-clockwise rectangle. */
static void add_rect(shape_spec *s, double x0, double y0, double x1, double y1, int cw)
{
    double xs[5] = {x0, x0, x1, x1, x0}, ys[5] = {y0, y1, y1, y0, y0};
    s->parts[s->nparts++] = s->nv;
    for (int i = 0; i < 5; i++) {
        int k = cw ? i : 4 - i;
        s->x[s->nv] = xs[k];
        s->y[s->nv++] = ys[k];
    }
}

static void add_points(shape_spec *s, int n, const double *xy)
{
    s->parts[s->nparts++] = s->nv;
    for (int i = 0; i < n; i++) {
        s->x[s->nv] = xy[2 * i];
        s->y[s->nv++] = xy[2 * i + 1];
    }
}

static void write_shapes(const char *path, int type, const shape_spec *specs, int n)
{
    SHPHandle h = SHPCreate(path, type);
    for (int i = 0; i < n; i++) {
        const shape_spec *s = &specs[i];
        int parts = type == SHPT_POLYGON || type == SHPT_ARC;
        SHPObject *o = SHPCreateObject(s->nv ? type : SHPT_NULL, -1, parts ? s->nparts : 0,
                                       s->parts, NULL, s->nv, s->x, s->y, NULL, NULL);
        SHPWriteObject(h, -1, o);
        SHPDestroyObject(o);
    }
    SHPClose(h);
}

/* The polygon records described in test_polygons(). */
static int polygon_specs(shape_spec *s)
{
    memset(s, 0, 10 * sizeof *s);
    add_rect(&s[0], 0, 0, 1, 1, 1);
    add_rect(&s[0], 0.25, 0.25, 0.5, 0.5, 0);
    add_rect(&s[1], 0, 0, 1, 1, 1);
    add_rect(&s[1], 2.5, 0.5, 3, 1, 0); /* hole listed before its shell */
    add_rect(&s[1], 2, 0, 4, 2, 1);
    add_rect(&s[2], 0, 0, 10, 10, 1);
    add_rect(&s[2], 1, 1, 9, 9, 0);
    add_rect(&s[2], 2, 2, 8, 8, 1);
    add_rect(&s[2], 3, 3, 4, 4, 0);
    /* s[3]: null */
    static const double tri3[] = {0, 0, 0, 1, 0, 0};
    add_points(&s[4], 3, tri3);
    static const double open4[] = {0, 0, 0, 1, 1, 1, 1, 0};
    add_points(&s[5], 4, open4);
    add_rect(&s[6], 0, 0, 1, 1, 1);
    s[6].x[2] = NAN;
    add_rect(&s[7], 0, 0, 1, 1, 0); /* orientation inverted */
    add_rect(&s[7], 0.25, 0.25, 0.5, 0.5, 1);
    add_rect(&s[8], 0, 0, 2, 2, 1);
    static const double touching[] = {0, 0, 1, 0.5, 1, 1, 0, 0}; /* CCW, shares (0,0) */
    add_points(&s[8], 4, touching);
    add_rect(&s[9], 0, 0, 1, 1, 0); /* lone counter-clockwise ring */
    for (int i = 0; i < 10; i++) s[i].type = SHPT_POLYGON;
    return 10;
}

/* rings.dbf: NAME (text), Code and CODE (exact match wins over case),
 * VAL (number), TXT (text that is a number or not). .cpg UTF-8. */
static void write_dbf(const char *path, int nrec)
{
    DBFHandle d = DBFCreateEx(path, "UTF-8");
    DBFAddField(d, "NAME", FTString, 20, 0);
    DBFAddField(d, "Code", FTString, 5, 0);
    DBFAddField(d, "CODE", FTString, 5, 0);
    DBFAddField(d, "VAL", FTDouble, 10, 3);
    DBFAddField(d, "TXT", FTString, 10, 0);
    for (int i = 0; i < nrec; i++) {
        DBFWriteStringAttribute(d, i, 0, i == 0 ? "  lead" : i == 1 ? "札幌" : "");
        DBFWriteStringAttribute(d, i, 1, "a");
        DBFWriteStringAttribute(d, i, 2, "B");
        if (i == 1) DBFWriteNULLAttribute(d, i, 3);
        else DBFWriteDoubleAttribute(d, i, 3, 12.5);
        DBFWriteStringAttribute(d, i, 4, i == 0 ? "abc" : " 7.25");
    }
    DBFClose(d);
}

/* ---- tests --------------------------------------------------------------- */

static double area_of(cov_ctx *ctx, const GEOSGeometry *g)
{
    double a = -1;
    GEOSArea_r(ctx->geos, g, &a);
    return a;
}

static int n_holes(cov_ctx *ctx, const GEOSGeometry *poly)
{
    return GEOSGetNumInteriorRings_r(ctx->geos, poly);
}

/* Record i of rings.shp as a geometry, expecting success. */
static GEOSGeometry *geom(cov_ctx *ctx, cov_shp_reader *r, int i)
{
    int is_null = -1;
    GEOSGeometry *g = cov__shp_geometry(ctx, r, i, &is_null);
    CHECK(g != NULL && is_null == 0);
    if (!g) fprintf(stderr, "  record %d: %s\n", i, cov_last_message(ctx));
    return g;
}

static void test_polygons(cov_ctx *ctx, test_messages *m)
{
    char path[2048];
    cov_shp_reader r;
    in_dir(path, sizeof path, "rings.shp");
    CHECK(cov__shp_open(ctx, path, SHPT_POLYGON, &r) == COV_OK);
    if (!r.shp) return;
    CHECK(r.n_records == 10 && r.shape_type == SHPT_POLYGON && r.prj_wkt == NULL);

    /* 0: square with a hole: 1 - 1/16. */
    GEOSGeometry *g = geom(ctx, &r, 0);
    if (g) {
        CHECK(GEOSGeomTypeId_r(ctx->geos, g) == GEOS_POLYGON && n_holes(ctx, g) == 1);
        CHECK(area_of(ctx, g) == 0.9375);
    }
    GEOSGeom_destroy_r(ctx->geos, g);

    /* 1: two outer rings, the hole (listed first) in the second: 1 + 4 - 1/4. */
    g = geom(ctx, &r, 1);
    if (g) {
        CHECK(GEOSGeomTypeId_r(ctx->geos, g) == GEOS_MULTIPOLYGON);
        CHECK(GEOSGetNumGeometries_r(ctx->geos, g) == 2);
        const GEOSGeometry *a = GEOSGetGeometryN_r(ctx->geos, g, 0);
        const GEOSGeometry *b = GEOSGetGeometryN_r(ctx->geos, g, 1);
        CHECK(n_holes(ctx, a) == 0 && area_of(ctx, a) == 1);
        CHECK(n_holes(ctx, b) == 1 && area_of(ctx, b) == 3.75);
    }
    GEOSGeom_destroy_r(ctx->geos, g);

    /* 2: island with a hole inside a lake: the inner hole belongs to the
     * island, the innermost ring around it. 100 - 64 + 36 - 1 = 71. */
    g = geom(ctx, &r, 2);
    if (g) {
        CHECK(GEOSGetNumGeometries_r(ctx->geos, g) == 2);
        CHECK(n_holes(ctx, GEOSGetGeometryN_r(ctx->geos, g, 0)) == 1);
        CHECK(n_holes(ctx, GEOSGetGeometryN_r(ctx->geos, g, 1)) == 1);
        CHECK(area_of(ctx, g) == 71);
        CHECK(GEOSisValid_r(ctx->geos, g) == 1);
    }
    GEOSGeom_destroy_r(ctx->geos, g);

    int is_null = 0;
    CHECK(cov__shp_geometry(ctx, &r, 3, &is_null) == NULL && is_null == 1);

    /* 4-6: malformed rings, each an error naming the file and record. */
    static const char *const why[3] = {"3 points", "not closed", "non-finite"};
    for (int i = 4; i <= 6; i++) {
        is_null = -1;
        cov_clear_error(ctx);
        CHECK(cov__shp_geometry(ctx, &r, i, &is_null) == NULL && is_null == 0);
        CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
        char rec[32];
        snprintf(rec, sizeof rec, "record %d", i);
        CHECK_CONTAINS(cov_last_message(ctx), rec);
        CHECK_CONTAINS(cov_last_message(ctx), "rings.shp");
        CHECK_CONTAINS(cov_last_message(ctx), why[i - 4]);
    }

    /* 7: orientation inverted: decided by nesting, with a warning. */
    m->n_warning = 0;
    g = geom(ctx, &r, 7);
    if (g) CHECK(GEOSGeomTypeId_r(ctx->geos, g) == GEOS_POLYGON && area_of(ctx, g) == 0.9375);
    CHECK(m->n_warning == 1);
    CHECK_CONTAINS(m->warning, "record 7");
    GEOSGeom_destroy_r(ctx->geos, g);

    /* 8: a hole touching its shell at a vertex is still its hole. */
    g = geom(ctx, &r, 8);
    if (g) CHECK(n_holes(ctx, g) == 1 && area_of(ctx, g) == 3.75);
    GEOSGeom_destroy_r(ctx->geos, g);

    /* 9: a lone counter-clockwise ring is an outer ring. */
    g = geom(ctx, &r, 9);
    if (g) CHECK(GEOSGeomTypeId_r(ctx->geos, g) == GEOS_POLYGON && area_of(ctx, g) == 1);
    GEOSGeom_destroy_r(ctx->geos, g);

    CHECK(cov__shp_geometry(ctx, &r, 10, &is_null) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov__shp_geometry(ctx, &r, -1, &is_null) == NULL);
    CHECK(cov__shp_geometry(ctx, &r, 0, NULL) == NULL);
    CHECK(cov__shp_geometry(ctx, NULL, 0, &is_null) == NULL);
    cov__shp_close(&r);
    CHECK(r.shp == NULL && r.path == NULL);
    cov__shp_close(&r); /* twice is harmless */
    double v = 0;
    CHECK(cov__shp_string(ctx, &r, 0, 0) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov__shp_double(ctx, &r, 0, 0, &v) == COV_ERR_ARG);
    CHECK(cov__shp_geometry(ctx, &r, 0, &is_null) == NULL);
    CHECK(cov__shp_field(ctx, &r, "NAME") == -1);
}

static void test_attributes(cov_ctx *ctx)
{
    char path[2048], other[2048];
    cov_shp_reader r;
    in_dir(path, sizeof path, "rings.shp");
    CHECK(cov__shp_open(ctx, path, 0, &r) == COV_OK);
    if (!r.shp) return;
    CHECK_STR(r.encoding.iconv_name, "UTF-8");
    CHECK_STR(r.encoding.source, "cpg");
    /* Every file of the set is now guarded against being overwritten. */
    CHECK(cov__is_input(ctx, in_dir(other, sizeof other, "rings.dbf")));
    CHECK(cov__is_input(ctx, in_dir(other, sizeof other, "rings.shx")));
    CHECK(cov__is_input(ctx, in_dir(other, sizeof other, "rings.cpg")));

    CHECK(cov__shp_field(ctx, &r, "NAME") == 0);
    CHECK(cov__shp_field(ctx, &r, "name") == 0);
    CHECK(cov__shp_field(ctx, &r, "CODE") == 2);
    CHECK(cov__shp_field(ctx, &r, "Code") == 1);
    CHECK(cov__shp_field(ctx, &r, "code") == 1); /* first case-insensitive match */
    CHECK(cov__shp_field(ctx, &r, "N03_004") == -1);
    CHECK(cov_last_error(ctx) == COV_ERR_FIELD);
    CHECK_CONTAINS(cov_last_message(ctx), "N03_004");
    CHECK_CONTAINS(cov_last_message(ctx), "rings.shp");
    CHECK_CONTAINS(cov_last_message(ctx), "NAME, Code, CODE, VAL, TXT");
    CHECK(cov__shp_field(ctx, &r, NULL) == -1);
    CHECK(cov__shp_field(ctx, NULL, "NAME") == -1);

    char *s = cov__shp_string(ctx, &r, 0, 0);
    CHECK_STR(s, "lead"); /* spaces at both ends are trimmed, as GDAL and QGIS trim them */
    free(s);
    s = cov__shp_string(ctx, &r, 1, 0);
    CHECK_STR(s, "札幌");
    free(s);
    s = cov__shp_string(ctx, &r, 2, 0);
    CHECK_STR(s, "");
    free(s);
    CHECK(cov__shp_string(ctx, &r, 10, 0) == NULL);
    CHECK(cov__shp_string(ctx, &r, 0, 5) == NULL);
    CHECK(cov__shp_string(ctx, NULL, 0, 0) == NULL);

    double v = 0;
    CHECK(cov__shp_double(ctx, &r, 0, 3, &v) == COV_OK && v == 12.5);
    CHECK(cov__shp_double(ctx, &r, 1, 3, &v) == COV_OK && isnan(v));
    CHECK(cov__shp_double(ctx, &r, 1, 4, &v) == COV_OK && v == 7.25);
    CHECK(cov__shp_double(ctx, &r, 0, 4, &v) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "record 0 field TXT");
    CHECK_CONTAINS(cov_last_message(ctx), "\"abc\"");
    CHECK(cov__shp_double(ctx, &r, 0, 4, NULL) == COV_ERR_ARG);
    CHECK(cov__shp_double(ctx, &r, 0, 9, &v) == COV_ERR_ARG);
    cov__shp_close(&r);
}

static void test_other_families(cov_ctx *ctx)
{
    char path[2048];
    shape_spec s[2];
    memset(s, 0, sizeof s);
    static const double p1[] = {141.35, 43.06}, p2[] = {1, 2, 3, 4};
    add_points(&s[0], 1, p1);
    add_points(&s[1], 2, p2);
    write_shapes(in_dir(path, sizeof path, "mpts.shp"), SHPT_MULTIPOINT, s, 2);
    write_dbf(in_dir(path, sizeof path, "mpts.dbf"), 2);
    cov_shp_reader r;
    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "mpts.shp"), SHPT_POINT, &r) == COV_OK);
    int is_null = 0;
    GEOSGeometry *g = r.shp ? cov__shp_geometry(ctx, &r, 0, &is_null) : NULL;
    double x = 0, y = 0;
    CHECK(g && GEOSGeomTypeId_r(ctx->geos, g) == GEOS_POINT);
    CHECK(g && GEOSGeomGetX_r(ctx->geos, g, &x) && GEOSGeomGetY_r(ctx->geos, g, &y));
    CHECK(x == 141.35 && y == 43.06);
    GEOSGeom_destroy_r(ctx->geos, g);
    CHECK(r.shp && cov__shp_geometry(ctx, &r, 1, &is_null) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "record 1");
    cov__shp_close(&r);

    memset(s, 0, sizeof s);
    static const double l1[] = {0, 0, 1, 1}, l2[] = {2, 2, 3, 3, 4, 4}, l3[] = {5, 5};
    add_points(&s[0], 2, l1);
    add_points(&s[0], 3, l2);
    add_points(&s[1], 1, l3);
    write_shapes(in_dir(path, sizeof path, "lines.shp"), SHPT_ARC, s, 2);
    write_dbf(in_dir(path, sizeof path, "lines.dbf"), 2);
    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "lines.shp"), SHPT_ARC, &r) == COV_OK);
    g = r.shp ? cov__shp_geometry(ctx, &r, 0, &is_null) : NULL;
    double len = 0;
    CHECK(g && GEOSGeomTypeId_r(ctx->geos, g) == GEOS_MULTILINESTRING);
    CHECK(g && GEOSGetNumGeometries_r(ctx->geos, g) == 2);
    CHECK(g && GEOSLength_r(ctx->geos, g, &len) && fabs(len - 3 * sqrt(2.0)) < 1e-12);
    GEOSGeom_destroy_r(ctx->geos, g);
    CHECK(r.shp && cov__shp_geometry(ctx, &r, 1, &is_null) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    cov__shp_close(&r);

    /* A family other than the one expected. */
    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "lines.shp"), SHPT_POLYGON, &r) ==
          COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "line");
    CHECK_CONTAINS(cov_last_message(ctx), "expected polygon");
    CHECK(r.shp == NULL && r.dbf == NULL && r.path == NULL);
}

static void test_open_failures(cov_ctx *ctx)
{
    char path[2048], p[2048];
    cov_shp_reader r;

    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "absent.shp"), 0, &r) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "absent.shp");

    copy_set("rings", "noshx", "shp", NULL, "dbf");
    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "noshx.shp"), 0, &r) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "noshx.shx");

    copy_set("rings", "nodbf", "shp", "shx", NULL);
    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "nodbf.shp"), 0, &r) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "nodbf.dbf");
    CHECK(r.shp == NULL && r.dbf == NULL);

    /* .dbf with 9 records beside a .shp with 10. */
    copy_set("rings", "mismatch", "shp", "shx", NULL);
    write_dbf(in_dir(p, sizeof p, "mismatch.dbf"), 9);
    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "mismatch.shp"), 0, &r) ==
          COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "mismatch.shp has 10 records");
    CHECK_CONTAINS(cov_last_message(ctx), "mismatch.dbf has 9");

    /* Truncated .shp: last record cut short, and the header itself. */
    struct stat st;
    stat(in_dir(p, sizeof p, "rings.shp"), &st);
    copy_set("rings", "trunc", NULL, "shx", "dbf");
    copy_file(p, in_dir(path, sizeof path, "trunc.shp"), (long)st.st_size - 30);
    CHECK(cov__shp_open(ctx, path, 0, &r) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "trunc.shp");
    CHECK_CONTAINS(cov_last_message(ctx), "truncated");
    copy_file(p, path, 60);
    CHECK(cov__shp_open(ctx, path, 0, &r) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "trunc.shp");

    /* Extensions in any case; the path may also omit ".shp". */
    copy_set("rings", "Mixed", "SHP", "Shx", "dBf");
    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "Mixed.SHP"), 0, &r) == COV_OK);
    CHECK(r.n_records == 10);
    cov__shp_close(&r);
    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "rings"), 0, &r) == COV_OK);
    CHECK(r.n_records == 10);
    cov__shp_close(&r);

    /* Only a .shp (or a stem) names a shapefile; a folder is no file. */
    CHECK(cov__shp_open(ctx, in_dir(path, sizeof path, "rings.dbf"), 0, &r) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "rings.dbf.shp");
    CHECK(cov__shp_open(ctx, test_dir, 0, &r) == COV_ERR_IO);

    CHECK(cov__shp_open(NULL, path, 0, &r) == COV_ERR_ARG);
    CHECK(cov__shp_open(ctx, NULL, 0, &r) == COV_ERR_ARG);
    CHECK(cov__shp_open(ctx, path, 0, NULL) == COV_ERR_ARG);
    cov__shp_close(NULL);
}

/* The N03 administrative boundaries of Hokkaido (2022), CP932 text. */
static void test_hokkaido(cov_ctx *ctx)
{
    const char *data = cov_test_shared_data();
    char path[2048];
    if (data)
        snprintf(path, sizeof path, "%s/hokkaido_n03_shapefile_cp932/N03-22_01_220101.shp", data);
    struct stat st;
    if (!data || stat(path, &st) != 0) {
        printf("skipping the Hokkaido N03 checks: shared data not found\n");
        return;
    }
    cov_shp_reader r;
    CHECK(cov__shp_open(ctx, path, SHPT_POLYGON, &r) == COV_OK);
    if (!r.shp) return;
    CHECK(r.n_records == 9581);
    PJ *got = r.prj_wkt ? proj_create(ctx->proj, r.prj_wkt) : NULL;
    PJ *jgd = proj_create(ctx->proj, "EPSG:6668");
    CHECK(got && proj_is_equivalent_to(got, jgd, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS));
    proj_destroy(got);
    proj_destroy(jgd);

    int f_code = cov__shp_field(ctx, &r, "N03_007"), f_ward = cov__shp_field(ctx, &r, "N03_004");
    int f_city = cov__shp_field(ctx, &r, "n03_003");
    CHECK(f_code >= 0 && f_ward >= 0 && f_city >= 0);
    int found = -1;
    for (int i = 0; i < r.n_records && found < 0 && f_code >= 0; i++) {
        char *code = cov__shp_string(ctx, &r, i, f_code);
        if (code && strcmp(code, "01101") == 0) found = i;
        free(code);
    }
    CHECK(found >= 0);
    if (found >= 0) {
        char *ward = cov__shp_string(ctx, &r, found, f_ward);
        char *city = cov__shp_string(ctx, &r, found, f_city);
        CHECK_STR(ward, "中央区");
        CHECK_STR(city, "札幌市");
        free(ward);
        free(city);
        /* Sapporo City Hall (141.3544 E, 43.0621 N) is in Chuo-ku. */
        int is_null = 1;
        GEOSGeometry *g = cov__shp_geometry(ctx, &r, found, &is_null);
        GEOSGeometry *hall = GEOSGeom_createPointFromXY_r(ctx->geos, 141.3544, 43.0621);
        CHECK(g && GEOSContains_r(ctx->geos, g, hall) == 1);
        GEOSGeom_destroy_r(ctx->geos, g);
        GEOSGeom_destroy_r(ctx->geos, hall);
    }
    CHECK(cov__shp_field(ctx, &r, "N03_999") == -1);
    CHECK(cov_last_error(ctx) == COV_ERR_FIELD);
    CHECK_CONTAINS(cov_last_message(ctx), "N03_001, N03_002, N03_003, N03_004, N03_007");

    /* Every record reads as a geometry. */
    int errors = 0, nulls = 0;
    for (int i = 0; i < r.n_records; i++) {
        int is_null = 0;
        GEOSGeometry *g = cov__shp_geometry(ctx, &r, i, &is_null);
        if (!g && !is_null && errors++ < 3) fprintf(stderr, "  %s\n", cov_last_message(ctx));
        nulls += is_null;
        GEOSGeom_destroy_r(ctx->geos, g);
    }
    CHECK(errors == 0);
    printf("Hokkaido N03: %d records, %d null shapes, %zu warnings\n", r.n_records, nulls,
           cov_warning_count(ctx));
    cov__shp_close(&r);
}

int main(void)
{
    char name[64], path[2048];
    snprintf(name, sizeof name, "test_shp_read_%ld", (long)getpid());
    cov_test_tmp(test_dir, sizeof test_dir, name);
    if (mkdir(test_dir, 0700) != 0) {
        fprintf(stderr, "cannot create %s\n", test_dir);
        return 1;
    }
    shape_spec specs[10];
    int n = polygon_specs(specs);
    write_shapes(in_dir(path, sizeof path, "rings.shp"), SHPT_POLYGON, specs, n);
    write_dbf(in_dir(path, sizeof path, "rings.dbf"), n);

    cov_ctx *ctx = cov_ctx_create();
    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);
    test_polygons(ctx, &m);
    test_attributes(ctx);
    test_other_families(ctx);
    test_open_failures(ctx);
    test_hokkaido(ctx);
    cov_ctx_destroy(ctx);

    DIR *d = opendir(test_dir);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            remove(in_dir(path, sizeof path, e->d_name));
    if (d) closedir(d);
    rmdir(test_dir);
    TEST_END();
}
