/* Tables: storage and accessors, WKB, CSV output compared byte for byte
 * with hand-written text, shapefile output read back with shapelib
 * directly (ring orientation, vertices, DBF fields) and with our reader,
 * and failed writes that must leave nothing behind. */
#include <dirent.h>
#include <stdint.h>
#include <unistd.h>

#include "core/internal.h"
#include "geo/geo.h"
#include "io/shp_read.h"
#include "io/table_internal.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------- */

typedef struct messages {
    int n_notice, n_warning;
    char notice[COV_MSG_MAX], warning[COV_MSG_MAX];
} messages;

static void on_message(int level, const char *message, void *userdata)
{
    messages *m = userdata;
    if (level == COV_MSG_NOTICE) {
        m->n_notice++;
        snprintf(m->notice, sizeof m->notice, "%s", message);
    } else if (level == COV_MSG_WARNING) {
        m->n_warning++;
        snprintf(m->warning, sizeof m->warning, "%s", message);
    }
}

static char *slurp(const char *path, size_t *out_n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (out_n) *out_n = n;
    return buf;
}

/* Number of entries in dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    if (d) closedir(d);
    return n;
}

static void empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    char p[4096];
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        remove(p);
    }
    if (d) closedir(d);
}

static char test_dir[1024];

static const char *in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", test_dir, name);
    return buf;
}

static GEOSGeometry *wkt(cov_ctx *ctx, const char *text)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(ctx->geos, r, text);
    GEOSWKTReader_destroy_r(ctx->geos, r);
    return g;
}

/* Twice the signed area (shoelace): < 0 means clockwise. */
static double shoelace(const double *x, const double *y, int n)
{
    double a = 0;
    for (int i = 0; i + 1 < n; i++) a += x[i] * y[i + 1] - x[i + 1] * y[i];
    return a;
}

/* ---- storage and accessors ----------------------------------------------- */

static void test_storage(cov_ctx *ctx)
{
    cov_table *t = cov__table_create(ctx, 3, 0);
    CHECK(t != NULL);
    CHECK(cov_table_nrows(t) == 3 && cov_table_ncols(t) == 0);
    CHECK(cov__table_add_column(ctx, t, "name", COV_COL_STRING) == 0);
    CHECK(cov__table_add_column(ctx, t, "pop", COV_COL_DOUBLE) == 1);
    CHECK(cov__table_add_column(ctx, t, "code", COV_COL_INT) == 2);
    CHECK(cov__table_add_column(ctx, t, "pop", COV_COL_INT) == -1);
    CHECK(cov_last_error(ctx) == COV_ERR_DUPLICATE);
    CHECK_CONTAINS(cov_last_message(ctx), "pop");
    CHECK(cov__table_add_column(ctx, t, "x", 99) == -1);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov__table_add_column(ctx, t, "", COV_COL_INT) == -1);
    CHECK(cov__table_add_column(ctx, t, NULL, COV_COL_INT) == -1);
    CHECK(cov__table_add_column(ctx, NULL, "y", COV_COL_INT) == -1);
    CHECK(cov_table_ncols(t) == 3);

    CHECK_STR(cov_table_column_name(t, 1), "pop");
    CHECK(cov_table_column_name(t, 3) == NULL);
    CHECK(cov_table_column_type(t, 0) == COV_COL_STRING);
    CHECK(cov_table_column_type(t, 2) == COV_COL_INT);
    CHECK(cov_table_column_type(t, 3) == 0);
    CHECK(cov_table_column_index(t, "code") == 2);
    CHECK(cov_table_column_index(t, "Code") == -1);
    CHECK(cov_table_column_index(t, NULL) == -1);

    /* Defaults: "", NaN, 0. */
    CHECK_STR(cov_table_string(t, 0, 2), "");
    CHECK(isnan(cov_table_doubles(t, 1)[0]) && isnan(cov_table_doubles(t, 1)[2]));
    CHECK(cov_table_ints(t, 2)[0] == 0 && cov_table_ints(t, 2)[2] == 0);

    /* Type mismatch and out of range give NULL. */
    CHECK(cov_table_doubles(t, 0) == NULL && cov_table_doubles(t, 2) == NULL);
    CHECK(cov_table_ints(t, 1) == NULL && cov_table_ints(t, 9) == NULL);
    CHECK(cov_table_string(t, 1, 0) == NULL && cov_table_string(t, 0, 3) == NULL);
    CHECK(cov__table_doubles_mut(t, 0) == NULL && cov__table_ints_mut(t, 1) == NULL);

    CHECK(cov__table_set_string(ctx, t, 0, 1, "札幌市") == COV_OK);
    CHECK(cov__table_set_string(ctx, t, 0, 1, "函館市") == COV_OK); /* replaces */
    CHECK(cov__table_set_string(ctx, t, 0, 2, NULL) == COV_OK);
    CHECK_STR(cov_table_string(t, 0, 1), "函館市");
    CHECK_STR(cov_table_string(t, 0, 2), "");
    CHECK(cov__table_set_string(ctx, t, 0, 3, "x") == COV_ERR_ARG);
    CHECK(cov__table_set_string(ctx, t, 1, 0, "x") == COV_ERR_ARG);
    cov__table_doubles_mut(t, 1)[1] = 2.5;
    cov__table_ints_mut(t, 2)[1] = INT64_MIN;
    CHECK(cov_table_doubles(t, 1)[1] == 2.5);
    CHECK(cov_table_ints(t, 2)[1] == INT64_MIN);

    /* No geometry column. */
    size_t n = 99;
    CHECK(!cov_table_has_geometry(t));
    CHECK(cov__table_geometry(t, 0) == NULL);
    CHECK(cov_table_wkb(ctx, t, 0, &n) == NULL && n == 0);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK_CONTAINS(cov_last_message(ctx), "no geometry");
    /* Ownership passes even when the table cannot keep it: no leak. */
    cov__table_set_geometry(t, 0, GEOSGeom_createPointFromXY_r(ctx->geos, 1, 2));
    cov_table_destroy(t);

    /* NULL tables. */
    CHECK(cov_table_nrows(NULL) == 0 && cov_table_ncols(NULL) == 0);
    CHECK(cov_table_column_name(NULL, 0) == NULL && cov_table_column_type(NULL, 0) == 0);
    CHECK(cov_table_column_index(NULL, "a") == -1 && !cov_table_has_geometry(NULL));
    CHECK(cov_table_doubles(NULL, 0) == NULL && cov_table_string(NULL, 0, 0) == NULL);
    CHECK(cov__table_create(NULL, 1, 0) == NULL);
    cov_table_destroy(NULL);

    /* Truncation keeps the first rows and frees the others (LeakSanitizer
     * checks the strings and geometries of the dropped rows). */
    t = cov__table_create(ctx, 3, 1);
    cov__table_add_column(ctx, t, "s", COV_COL_STRING);
    cov__table_add_column(ctx, t, "d", COV_COL_DOUBLE);
    for (size_t r = 0; r < 3; r++) {
        cov__table_set_string(ctx, t, 0, r, r ? "dropped" : "kept");
        cov__table_doubles_mut(t, 1)[r] = (double)r;
        cov__table_set_geometry(t, r, GEOSGeom_createPointFromXY_r(ctx->geos, 1, 2));
    }
    cov__table_truncate(t, 5); /* no-op: more rows than there are */
    CHECK(cov_table_nrows(t) == 3);
    cov__table_truncate(t, 1);
    CHECK(cov_table_nrows(t) == 1);
    CHECK_STR(cov_table_string(t, 0, 0), "kept");
    CHECK(cov_table_string(t, 0, 1) == NULL);
    CHECK(cov_table_doubles(t, 1)[0] == 0);
    CHECK(cov__table_geometry(t, 0) != NULL && cov__table_geometry(t, 1) == NULL);
    CHECK(cov_table_wkb(ctx, t, 1, &n) == NULL);
    cov__table_truncate(t, 0);
    CHECK(cov_table_nrows(t) == 0);
    cov_table_destroy(t);
    cov__table_truncate(NULL, 0);

    /* Zero rows. */
    t = cov__table_create(ctx, 0, 1);
    CHECK(t && cov__table_add_column(ctx, t, "a", COV_COL_DOUBLE) == 0);
    CHECK(cov_table_doubles(t, 0) != NULL);
    cov_table_destroy(t);
}

/* ---- opaque geometry cells (io/ knows no GEOS) ------------------------------- */

/* Cells that record their own freeing: each is freed exactly once, by the
 * function stored with it, at replacement, truncation or destruction. */
typedef struct cell {
    int freed;
    cov_ctx *ctx_seen;
} cell;

static int n_freed;

static void free_cell(cov_ctx *ctx, void *p)
{
    cell *c = p;
    c->freed++;
    c->ctx_seen = ctx;
    n_freed++;
}

static void test_geom_cells(cov_ctx *ctx)
{
    cell c[6] = {{0}};
    n_freed = 0;
    cov_table *t = cov__table_create(ctx, 3, 1);
    CHECK(t && cov__table_geom_cell(t, 0) == NULL);
    cov__table_set_geom_cell(t, 0, &c[0], free_cell);
    cov__table_set_geom_cell(t, 1, &c[1], free_cell);
    CHECK(cov__table_geom_cell(t, 0) == &c[0] && cov__table_geom_cell(t, 1) == &c[1]);
    CHECK(cov__table_geom_cell(t, 3) == NULL && cov__table_geom_cell(NULL, 0) == NULL);
    CHECK(n_freed == 0);
    /* Replacing frees the old cell; an out-of-range row frees the new one
     * at once (ownership passes in all cases). */
    cov__table_set_geom_cell(t, 0, &c[2], free_cell);
    CHECK(c[0].freed == 1 && c[0].ctx_seen == ctx && n_freed == 1);
    cov__table_set_geom_cell(t, 3, &c[3], free_cell);
    CHECK(c[3].freed == 1 && n_freed == 2);
    /* NULL clears a row without freeing anything new. */
    cov__table_set_geom_cell(t, 1, NULL, free_cell);
    CHECK(c[1].freed == 1 && n_freed == 3 && cov__table_geom_cell(t, 1) == NULL);
    cov__table_set_geom_cell(t, 2, &c[4], free_cell);
    cov__table_truncate(t, 1); /* frees row 2 */
    CHECK(c[4].freed == 1 && c[2].freed == 0 && n_freed == 4);
    cov_table_destroy(t); /* frees row 0 */
    CHECK(c[2].freed == 1 && n_freed == 5);
    /* A table without a geometry column frees what it is given. */
    t = cov__table_create(ctx, 2, 0);
    cov__table_set_geom_cell(t, 0, &c[5], free_cell);
    CHECK(c[5].freed == 1 && cov__table_geom_cell(t, 0) == NULL && n_freed == 6);
    cov_table_destroy(t);
    for (int i = 0; i < 6; i++) CHECK(c[i].freed == 1);
}

/* ---- WKB ----------------------------------------------------------------- */

static void test_wkb(cov_ctx *ctx)
{
    cov_table *t = cov__table_create(ctx, 3, 1);
    CHECK(cov_table_has_geometry(t));
    cov__table_set_geometry(t, 0, wkt(ctx, "POINT Z (1 2 3)"));
    /* ISO WKB, little-endian, 2D: byte order 1, type 1 (Point), x = 1.0,
     * y = 2.0 as IEEE 754 little-endian. */
    static const unsigned char point12[21] = {
        0x01, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40};
    size_t n = 0;
    unsigned char *b = cov_table_wkb(ctx, t, 0, &n);
    CHECK(b && n == sizeof point12 && memcmp(b, point12, n) == 0);
    cov_free(b);

    /* A row without geometry: GEOMETRYCOLLECTION EMPTY (type 7, 0 items). */
    static const unsigned char empty_gc[9] = {1, 7, 0, 0, 0, 0, 0, 0, 0};
    b = cov_table_wkb(ctx, t, 1, &n);
    CHECK(b && n == 9 && memcmp(b, empty_gc, 9) == 0);
    cov_free(b);

    /* Replacing a geometry frees the old one (checked by LeakSanitizer). */
    cov__table_set_geometry(t, 2, wkt(ctx, "POINT (5 6)"));
    cov__table_set_geometry(t, 2, wkt(ctx, "LINESTRING (0 0, 1 1)"));
    b = cov_table_wkb(ctx, t, 2, &n);
    CHECK(b && n == 1 + 4 + 4 + 2 * 16 && b[1] == 2);
    cov_free(b);
    cov__table_set_geometry(t, 7, wkt(ctx, "POINT (5 6)")); /* out of range: freed */

    /* every row in one buffer: the same bytes as row by row, in order */
    size_t off[4] = {99, 99, 99, 99};
    unsigned char *all = cov_table_wkb_all(ctx, t, off);
    CHECK(all && off[0] == 0 && off[1] == sizeof point12 && off[2] == off[1] + 9 &&
          off[3] == off[2] + 1 + 4 + 4 + 2 * 16);
    for (size_t r = 0; all && r < 3; r++) {
        unsigned char *one = cov_table_wkb(ctx, t, r, &n);
        CHECK(one && n == off[r + 1] - off[r] && memcmp(one, all + off[r], n) == 0);
        cov_free(one);
    }
    cov_free(all);
    CHECK(cov_table_wkb_all(ctx, t, NULL) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    cov_table *plain = cov__table_create(ctx, 2, 0);
    CHECK(cov_table_wkb_all(ctx, plain, off) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "no geometry column");
    cov_table_destroy(plain);
    cov_table *none = cov__table_create(ctx, 0, 1);
    all = cov_table_wkb_all(ctx, none, off);
    CHECK(all != NULL && off[0] == 0);
    cov_free(all);
    cov_table_destroy(none);

    CHECK(cov_table_wkb(ctx, t, 3, &n) == NULL && n == 0);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK_CONTAINS(cov_last_message(ctx), "row 3");
    CHECK(cov_table_wkb(ctx, t, 0, NULL) == NULL);
    CHECK(cov_table_wkb(ctx, NULL, 0, &n) == NULL);
    CHECK(cov_table_wkb(NULL, t, 0, &n) == NULL);
    cov_table_destroy(t);
}

/* A string column in one buffer: each row's string and its NUL, in order;
 * unset cells as "". */
static void test_strings_all(cov_ctx *ctx)
{
    cov_table *t = cov__table_create(ctx, 3, 0);
    cov__table_add_column(ctx, t, "name", COV_COL_STRING);
    cov__table_add_column(ctx, t, "n", COV_COL_INT);
    cov__table_set_string(ctx, t, 0, 0, "札幌");
    cov__table_set_string(ctx, t, 0, 2, "a,b");
    size_t off[4] = {99, 99, 99, 99};
    char *all = cov_table_strings_all(ctx, t, 0, off);
    CHECK(all && off[0] == 0 && off[1] == 7 && off[2] == 8 && off[3] == 12);
    for (size_t r = 0; all && r < 3; r++) {
        CHECK_STR(all + off[r], cov_table_string(t, 0, r));
        CHECK(off[r + 1] - off[r] == strlen(cov_table_string(t, 0, r)) + 1);
    }
    cov_free(all);
    CHECK(cov_table_strings_all(ctx, t, 1, off) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    CHECK_CONTAINS(cov_last_message(ctx), "column 1 is not a string column");
    CHECK(cov_table_strings_all(ctx, t, 5, off) == NULL);
    CHECK(cov_table_strings_all(ctx, t, 0, NULL) == NULL);
    cov_table_destroy(t);
    cov_table *none = cov__table_create(ctx, 0, 0);
    cov__table_add_column(ctx, none, "name", COV_COL_STRING);
    all = cov_table_strings_all(ctx, none, 0, off);
    CHECK(all != NULL && off[0] == 0);
    cov_free(all);
    cov_table_destroy(none);
}

/* ---- CSV ----------------------------------------------------------------- */

static cov_table *csv_table(cov_ctx *ctx)
{
    cov_table *t = cov__table_create(ctx, 4, 1);
    cov__table_add_column(ctx, t, "name", COV_COL_STRING);
    cov__table_add_column(ctx, t, "share", COV_COL_DOUBLE);
    cov__table_add_column(ctx, t, "n, count", COV_COL_INT);
    cov__table_set_string(ctx, t, 0, 0, "札幌市中央区");
    cov__table_set_string(ctx, t, 0, 1, "a,b");
    cov__table_set_string(ctx, t, 0, 2, "say \"hi\"");
    cov__table_set_string(ctx, t, 0, 3, "two\nlines");
    double *d = cov__table_doubles_mut(t, 1);
    d[0] = 0.1;  /* nearest double: 0.1000000000000000055511151231257827 */
    d[1] = -0.5; /* NaN stays in d[2] */
    d[3] = 1e300;
    int64_t *k = cov__table_ints_mut(t, 2);
    k[0] = 7;
    k[1] = INT64_MIN;
    k[3] = -1;
    cov__table_set_geometry(t, 0, wkt(ctx, "POINT (141.35 43.06)"));
    cov__table_set_geometry(t, 1, wkt(ctx, "POLYGON ((0 0, 1 0, 1 1, 0 0))"));
    cov__table_set_geometry(t, 3, wkt(ctx, "POINT (0.30000000000000004 -1)"));
    return t;
}

static void test_csv(cov_ctx *ctx)
{
    char path[2048];
    in_dir(path, sizeof path, "out.csv");
    cov_test_write_file(path, "old content\n");
    cov_table *t = csv_table(ctx);
    CHECK(cov_table_write_csv(ctx, t, path) == COV_OK);
    const char *expected =
        "name,share,\"n, count\",geometry\n"
        "札幌市中央区,0.10000000000000001,7,POINT (141.35 43.06)\n"
        "\"a,b\",-0.5,-9223372036854775808,\"POLYGON ((0 0, 1 0, 1 1, 0 0))\"\n"
        "\"say \"\"hi\"\"\",,0,\n"
        "\"two\nlines\",1.0000000000000001e+300,-1,POINT (0.30000000000000004 -1)\n";
    char *got = slurp(path, NULL);
    CHECK_STR(got, expected);
    free(got);
    CHECK(count_entries(test_dir) == 1); /* no temporary left */

    /* Refuses to overwrite an input; the file is untouched. */
    cov__note_input(ctx, path);
    CHECK(cov_table_write_csv(ctx, t, path) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), path);
    got = slurp(path, NULL);
    CHECK_STR(got, expected);
    free(got);
    CHECK(count_entries(test_dir) == 1);
    remove(path);

    /* A folder that does not exist: error naming the path, nothing written. */
    char bad[2048];
    in_dir(bad, sizeof bad, "no_such_dir/out.csv");
    CHECK(cov_table_write_csv(ctx, t, bad) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), bad);
    CHECK(count_entries(test_dir) == 0);

    CHECK(cov_table_write_csv(ctx, NULL, path) == COV_ERR_ARG);
    CHECK(cov_table_write_csv(ctx, t, NULL) == COV_ERR_ARG);
    CHECK(cov_table_write_csv(NULL, t, path) == COV_ERR_ARG);
    CHECK(count_entries(test_dir) == 0);
    cov_table_destroy(t);

    /* path is now guarded as an input: use another. */
    in_dir(path, sizeof path, "out2.csv");
    /* A column called "geometry" does not clash with the WKT column. */
    t = cov__table_create(ctx, 1, 1);
    cov__table_add_column(ctx, t, "geometry", COV_COL_STRING);
    CHECK(cov_table_write_csv(ctx, t, path) == COV_OK);
    got = slurp(path, NULL);
    CHECK_STR(got, "geometry,geometry_wkt\n,\n");
    free(got);
    cov_table_destroy(t);
    t = cov__table_create(ctx, 0, 0);
    cov__table_add_column(ctx, t, "a", COV_COL_INT);
    CHECK(cov_table_write_csv(ctx, t, path) == COV_OK);
    got = slurp(path, NULL);
    CHECK_STR(got, "a\n");
    free(got);
    cov_table_destroy(t);
    remove(path);
}

/* ---- shapefile: polygons ------------------------------------------------- */

/* Row 0: a square with a square hole (area 0.25 - 0.015625 = 0.234375,
 * exact in binary); given counter-clockwise as WKT usually is, so the
 * writer must reverse it. Row 1: two squares. Rows 2, 3: none, empty. */
static const char *const poly_wkt[2] = {
    "POLYGON ((141 43, 141.5 43, 141.5 43.5, 141 43.5, 141 43),"
    " (141.125 43.125, 141.125 43.25, 141.25 43.25, 141.25 43.125, 141.125 43.125))",
    "MULTIPOLYGON (((142 44, 142 44.25, 142.25 44.25, 142.25 44, 142 44)),"
    " ((143 44, 143.5 44, 143.5 44.5, 143 44.5, 143 44)))"};

static const char *const sapporo = "札幌市中央区";

static cov_table *poly_table(cov_ctx *ctx)
{
    cov_table *t = cov__table_create(ctx, 4, 1);
    cov__table_add_column(ctx, t, "municipality_name", COV_COL_STRING);
    cov__table_add_column(ctx, t, "municipality_code", COV_COL_STRING);
    cov__table_add_column(ctx, t, "share", COV_COL_DOUBLE);
    cov__table_add_column(ctx, t, "count", COV_COL_INT);
    cov__table_add_column(ctx, t, "long_text", COV_COL_STRING);
    cov__table_set_string(ctx, t, 0, 0, sapporo);
    cov__table_set_string(ctx, t, 1, 1, "01101");
    /* 100 x "あ" = 300 bytes: cut at the last whole character within 254
     * bytes, 84 characters = 252 bytes. */
    char longtext[301] = "";
    for (int i = 0; i < 100; i++) strcat(longtext, "あ");
    cov__table_set_string(ctx, t, 4, 0, longtext);
    double *d = cov__table_doubles_mut(t, 2);
    d[0] = 0.25;
    d[1] = 12345678901.25; /* needs fewer decimals to fit 24 characters */
    d[2] = 1e30;           /* fits no fixed form */
    int64_t *k = cov__table_ints_mut(t, 3);
    k[0] = 9007199254740993; /* 2^53 + 1: would not survive a double */
    k[1] = -42;
    for (int i = 0; i < 2; i++) cov__table_set_geometry(t, (size_t)i, wkt(ctx, poly_wkt[i]));
    cov__table_set_geometry(t, 3, wkt(ctx, "POLYGON EMPTY"));
    return t;
}

/* Reads the .shp with shapelib itself: orientation and exact vertices. */
static void check_shp_with_shapelib(const char *path)
{
    SHPHandle h = SHPOpen(path, "rb");
    CHECK(h != NULL);
    if (!h) return;
    int n = 0, type = 0;
    SHPGetInfo(h, &n, &type, NULL, NULL);
    CHECK(n == 4 && type == SHPT_POLYGON);
    SHPObject *o = SHPReadObject(h, 0);
    CHECK(o && o->nParts == 2 && o->nVertices == 10);
    if (o && o->nParts == 2 && o->nVertices == 10) {
        CHECK(o->panPartStart[0] == 0 && o->panPartStart[1] == 5);
        CHECK(shoelace(o->padfX, o->padfY, 5) < 0);         /* outer: clockwise */
        CHECK(shoelace(o->padfX + 5, o->padfY + 5, 5) > 0); /* hole: counter-clockwise */
        /* The WKT shell reversed. */
        static const double ex[5] = {141, 141, 141.5, 141.5, 141};
        static const double ey[5] = {43, 43.5, 43.5, 43, 43};
        int same = 1;
        for (int i = 0; i < 5; i++) same &= o->padfX[i] == ex[i] && o->padfY[i] == ey[i];
        CHECK(same);
        CHECK(o->dfXMin == 141 && o->dfXMax == 141.5 && o->dfYMin == 43 && o->dfYMax == 43.5);
    }
    SHPDestroyObject(o);
    o = SHPReadObject(h, 1);
    CHECK(o && o->nParts == 2 && o->nVertices == 10);
    if (o && o->nParts == 2)
        CHECK(shoelace(o->padfX, o->padfY, 5) < 0 && shoelace(o->padfX + 5, o->padfY + 5, 5) < 0);
    SHPDestroyObject(o);
    for (int r = 2; r < 4; r++) {
        o = SHPReadObject(h, r);
        CHECK(o && o->nSHPType == SHPT_NULL);
        SHPDestroyObject(o);
    }
    SHPClose(h);
}

static void check_dbf_with_shapelib(const char *dbf_path)
{
    DBFHandle d = DBFOpen(dbf_path, "rb");
    CHECK(d != NULL);
    if (!d) return;
    char name[12];
    int w = 0, dec = 0;
    CHECK(DBFGetFieldCount(d) == 5 && DBFGetRecordCount(d) == 4);
    /* The first ten bytes, then a unique variant of the second. */
    CHECK(DBFGetFieldInfo(d, 0, name, &w, &dec) == FTString);
    CHECK_STR(name, "municipali");
    CHECK(w == (int)strlen(sapporo)); /* widest value in UTF-8 bytes */
    DBFGetFieldInfo(d, 1, name, &w, &dec);
    CHECK_STR(name, "municipa_1");
    DBFGetFieldInfo(d, 2, name, &w, &dec);
    CHECK_STR(name, "share");
    CHECK(DBFGetNativeFieldType(d, 2) == 'N' && w == 24 && dec == 15);
    DBFGetFieldInfo(d, 3, name, &w, &dec);
    CHECK(DBFGetNativeFieldType(d, 3) == 'N' && w == 20 && dec == 0);
    DBFGetFieldInfo(d, 4, name, &w, &dec);
    CHECK(w == 254);
    CHECK_STR(DBFReadStringAttribute(d, 0, 0), sapporo);
    CHECK_STR(DBFReadStringAttribute(d, 1, 1), "01101"); /* leading zero kept */
    CHECK(DBFReadDoubleAttribute(d, 0, 2) == 0.25);
    CHECK(DBFReadDoubleAttribute(d, 1, 2) == 12345678901.25);
    CHECK_NEAR(DBFReadDoubleAttribute(d, 2, 2) / 1e30, 1.0, 1e-15);
    CHECK(DBFIsAttributeNULL(d, 3, 2)); /* NaN */
    CHECK_STR(DBFReadStringAttribute(d, 0, 3), "9007199254740993");
    CHECK_STR(DBFReadStringAttribute(d, 1, 3), "-42");
    const char *lt = DBFReadStringAttribute(d, 0, 4);
    CHECK(strlen(lt) == 252 && strncmp(lt, "ああ", 6) == 0);
    DBFClose(d);
    /* LDID byte (offset 29): 0, the code page being given by the .cpg. */
    unsigned char *raw = (unsigned char *)slurp(dbf_path, NULL);
    CHECK(raw && raw[29] == 0);
    free(raw);
}

static void check_with_reader(cov_ctx *ctx, const char *path)
{
    cov_shp_reader r;
    CHECK(cov__shp_open(ctx, path, SHPT_POLYGON, &r) == COV_OK);
    if (!r.shp) return;
    CHECK(r.n_records == 4);
    CHECK_STR(r.encoding.iconv_name, "UTF-8");
    int f = cov__shp_field(ctx, &r, "municipali");
    char *s = cov__shp_string(ctx, &r, 0, f);
    CHECK_STR(s, sapporo);
    free(s);
    for (int i = 0; i < 2; i++) {
        int is_null = 1;
        GEOSGeometry *g = cov__shp_geometry(ctx, &r, i, &is_null);
        GEOSGeometry *want = wkt(ctx, poly_wkt[i]);
        CHECK(g && !is_null);
        if (g) {
            GEOSNormalize_r(ctx->geos, g);
            GEOSNormalize_r(ctx->geos, want);
            CHECK(GEOSEqualsExact_r(ctx->geos, g, want, 0) == 1);
            CHECK(GEOSGeomTypeId_r(ctx->geos, g) == (i ? GEOS_MULTIPOLYGON : GEOS_POLYGON));
        }
        double area = 0;
        if (i == 0 && g) CHECK(GEOSArea_r(ctx->geos, g, &area) && area == 0.234375);
        GEOSGeom_destroy_r(ctx->geos, g);
        GEOSGeom_destroy_r(ctx->geos, want);
    }
    int is_null = 0;
    CHECK(cov__shp_geometry(ctx, &r, 3, &is_null) == NULL && is_null);
    /* The .prj is EPSG:6668 as far as PROJ can tell. */
    CHECK(r.prj_wkt != NULL);
    PJ *got = r.prj_wkt ? proj_create(ctx->proj, r.prj_wkt) : NULL;
    PJ *jgd = proj_create(ctx->proj, "EPSG:6668");
    CHECK(got && proj_is_equivalent_to(got, jgd, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS));
    proj_destroy(got);
    proj_destroy(jgd);
    cov__shp_close(&r);
}

static void test_shp_polygons(cov_ctx *ctx, messages *m)
{
    char path[2048], p[2048];
    in_dir(path, sizeof path, "areas.shp");
    cov_table *t = poly_table(ctx);
    m->n_notice = m->n_warning = 0;
    CHECK(cov_table_write_shp(ctx, t, path) == COV_OK);
    CHECK(m->n_notice == 1);
    CHECK_CONTAINS(m->notice, "municipality_code -> municipa_1");
    CHECK(m->n_warning == 1);
    CHECK_CONTAINS(m->warning, "long_text");
    CHECK(count_entries(test_dir) == 5);
    char *cpg = slurp(in_dir(p, sizeof p, "areas.cpg"), NULL);
    CHECK_STR(cpg, "UTF-8");
    free(cpg);
    check_shp_with_shapelib(path);
    check_dbf_with_shapelib(in_dir(p, sizeof p, "areas.dbf"));
    check_with_reader(ctx, path);

    /* Writing over a file set read as input is refused; checked for every
     * member of the set, and nothing changes. */
    CHECK(cov_table_write_shp(ctx, t, path) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "areas.");
    CHECK(count_entries(test_dir) == 5);
    cov_table_destroy(t);
}

/* A fresh context: the one above now guards areas.* as inputs. */
static void test_shp_overwrite_and_failures(void)
{
    cov_ctx *ctx = cov_ctx_create();
    char path[2048], p[2048];
    in_dir(path, sizeof path, "areas.shp");
    cov_table *t = cov__table_create(ctx, 2, 1);
    cov__table_set_geometry(t, 0, wkt(ctx, "POINT (141.35 43.06)"));
    /* Replacing an existing set; a table without columns gets "FID". */
    CHECK(cov_table_write_shp(ctx, t, path) == COV_OK);
    CHECK(count_entries(test_dir) == 5);
    SHPHandle h = SHPOpen(path, "rb");
    int n = 0, type = 0;
    if (h) SHPGetInfo(h, &n, &type, NULL, NULL);
    CHECK(h && n == 2 && type == SHPT_POINT);
    SHPObject *o = h ? SHPReadObject(h, 0) : NULL;
    CHECK(o && o->nVertices == 1 && o->padfX[0] == 141.35 && o->padfY[0] == 43.06);
    SHPDestroyObject(o);
    if (h) SHPClose(h);
    DBFHandle d = DBFOpen(in_dir(p, sizeof p, "areas.dbf"), "rb");
    char name[12];
    CHECK(d && DBFGetFieldCount(d) == 1);
    if (d) DBFGetFieldInfo(d, 0, name, NULL, NULL);
    CHECK(d && strcmp(name, "FID") == 0 && DBFReadIntegerAttribute(d, 1, 0) == 1);
    if (d) DBFClose(d);
    empty_dir(test_dir);

    /* A temporary name already taken (by a crashed run, say) is skipped
     * and left alone. */
    char taken[128];
    snprintf(taken, sizeof taken, ".areas.tmp.%ld.dbf", (long)getpid());
    cov_test_write_file(in_dir(p, sizeof p, taken), "not ours");
    snprintf(taken, sizeof taken, ".x.csv.tmp.%ld", (long)getpid());
    cov_test_write_file(in_dir(p, sizeof p, taken), "not ours");
    CHECK(cov_table_write_shp(ctx, t, path) == COV_OK);
    CHECK(cov_table_write_csv(ctx, t, in_dir(p, sizeof p, "x.csv")) == COV_OK);
    CHECK(count_entries(test_dir) == 5 + 1 + 2);
    empty_dir(test_dir);

    /* Only the .dbf of the set was read: still refused. */
    cov__note_input(ctx, in_dir(p, sizeof p, "guarded.dbf"));
    CHECK(cov_table_write_shp(ctx, t, in_dir(p, sizeof p, "guarded.shp")) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "guarded.dbf");
    CHECK(count_entries(test_dir) == 0);

    CHECK(cov_table_write_shp(ctx, t, in_dir(p, sizeof p, "nodir/x.shp")) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "nodir/x.shp");
    CHECK(count_entries(test_dir) == 0);

    /* Mixed families fail after some rows were written: all removed. */
    cov__table_set_geometry(t, 1, wkt(ctx, "POLYGON ((0 0, 1 0, 1 1, 0 0))"));
    CHECK(cov_table_write_shp(ctx, t, path) == COV_ERR_GEOMETRY);
    CHECK_CONTAINS(cov_last_message(ctx), "row 1");
    CHECK(count_entries(test_dir) == 0);
    cov__table_set_geometry(t, 1, wkt(ctx, "GEOMETRYCOLLECTION (POINT (1 1))"));
    CHECK(cov_table_write_shp(ctx, t, path) == COV_ERR_GEOMETRY);
    cov__table_set_geometry(t, 1, wkt(ctx, "POINT (1 NaN)"));
    CHECK(cov_table_write_shp(ctx, t, path) == COV_ERR_GEOMETRY);
    CHECK_CONTAINS(cov_last_message(ctx), "non-finite");
    CHECK(count_entries(test_dir) == 0);

    CHECK(cov_table_write_shp(ctx, t, in_dir(p, sizeof p, "x.txt")) == COV_ERR_ARG);
    CHECK(cov_table_write_shp(ctx, t, NULL) == COV_ERR_ARG);
    CHECK(cov_table_write_shp(ctx, NULL, path) == COV_ERR_ARG);
    CHECK(cov_table_write_shp(NULL, t, path) == COV_ERR_ARG);
    cov_table_destroy(t);
    t = cov__table_create(ctx, 1, 0);
    CHECK(cov_table_write_shp(ctx, t, path) == COV_ERR_ARG);
    CHECK(count_entries(test_dir) == 0);
    cov_table_destroy(t);
    cov_ctx_destroy(ctx);
}

/* No rows at all; a Japanese column name cut on a character boundary:
 * 人(3) 口(3) _(1) 6(1) 5(1) = 9 bytes, and 歳 (3 more) would exceed 10. */
static void test_shp_empty_and_names(cov_ctx *ctx)
{
    char path[2048], p[2048];
    cov_table *t = cov__table_create(ctx, 0, 1);
    cov__table_add_column(ctx, t, "人口_65歳以上", COV_COL_DOUBLE);
    CHECK(cov_table_write_shp(ctx, t, in_dir(path, sizeof path, "empty.shp")) == COV_OK);
    CHECK(count_entries(test_dir) == 5);
    SHPHandle h = SHPOpen(path, "rb");
    int n = -1;
    if (h) SHPGetInfo(h, &n, NULL, NULL, NULL);
    CHECK(h && n == 0);
    if (h) SHPClose(h);
    DBFHandle d = DBFOpen(in_dir(p, sizeof p, "empty.dbf"), "rb");
    char name[12] = "";
    if (d) DBFGetFieldInfo(d, 0, name, NULL, NULL);
    CHECK(d && DBFGetRecordCount(d) == 0);
    CHECK_STR(name, "人口_65");
    if (d) DBFClose(d);
    cov_table_destroy(t);
    empty_dir(test_dir);
}

/* Points and multipoints share a family; lines are written as arcs. */
static void test_shp_points_lines(cov_ctx *ctx)
{
    char path[2048];
    in_dir(path, sizeof path, "pts.shp");
    cov_table *t = cov__table_create(ctx, 2, 1);
    cov__table_set_geometry(t, 0, wkt(ctx, "POINT (141 43)"));
    cov__table_set_geometry(t, 1, wkt(ctx, "MULTIPOINT ((142 44), (143 45))"));
    CHECK(cov_table_write_shp(ctx, t, path) == COV_OK);
    SHPHandle h = SHPOpen(path, "rb");
    int n = 0, type = 0;
    if (h) SHPGetInfo(h, &n, &type, NULL, NULL);
    CHECK(h && n == 2 && type == SHPT_MULTIPOINT);
    SHPObject *o = h ? SHPReadObject(h, 1) : NULL;
    CHECK(o && o->nVertices == 2 && o->padfX[1] == 143 && o->padfY[1] == 45);
    SHPDestroyObject(o);
    if (h) SHPClose(h);
    cov_table_destroy(t);

    in_dir(path, sizeof path, "lines.shp");
    t = cov__table_create(ctx, 1, 1);
    cov__table_set_geometry(t, 0, wkt(ctx, "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3, 4 4))"));
    CHECK(cov_table_write_shp(ctx, t, path) == COV_OK);
    h = SHPOpen(path, "rb");
    if (h) SHPGetInfo(h, &n, &type, NULL, NULL);
    CHECK(h && type == SHPT_ARC);
    o = h ? SHPReadObject(h, 0) : NULL;
    CHECK(o && o->nParts == 2 && o->nVertices == 5 && o->panPartStart[1] == 2);
    SHPDestroyObject(o);
    if (h) SHPClose(h);
    cov_table_destroy(t);
    empty_dir(test_dir);
}

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "test_table_%ld", (long)getpid());
    cov_test_tmp(test_dir, sizeof test_dir, name);
    if (mkdir(test_dir, 0700) != 0) {
        fprintf(stderr, "cannot create %s\n", test_dir);
        return 1;
    }
    cov_ctx *ctx = cov_ctx_create();
    messages m = {0};
    cov_ctx_set_message_handler(ctx, on_message, &m);
    test_storage(ctx);
    test_geom_cells(ctx);
    test_wkb(ctx);
    test_strings_all(ctx);
    test_csv(ctx);
    test_shp_polygons(ctx, &m);
    empty_dir(test_dir);
    test_shp_overwrite_and_failures();
    test_shp_points_lines(ctx);
    test_shp_empty_and_names(ctx);
    cov_ctx_destroy(ctx);
    empty_dir(test_dir);
    rmdir(test_dir);
    TEST_END();
}
