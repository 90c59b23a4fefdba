/* The shapefile reader where it used to disagree with GDAL and QGIS (found
 * by comparing every record of generated files with pyogrio/GDAL 3.12; see
 * docs/bad-inputs.md, "Reading shapefiles as GDAL does"): deleted records,
 * spaces around text, logical fields, numbers GDAL reads differently, ring
 * orientation and holes, Z and M. Files are written here with shapelib. */
#include <math.h>
#include <shapefil.h>
#include <string.h>

#include "core/internal.h"
#include "geo/geo.h"
#include "io/shp_read.h"
#include "libcoverage/coverage.h"
#include "testutil.h"

static const char *tmp(char *buf, size_t size, const char *name)
{
    return cov_test_tmp(buf, size, name);
}

/* Clockwise (outer, in the shapefile rule) or counter-clockwise square. */
static void square(double x0, double y0, double side, int cw, double *x, double *y)
{
    const double dx[5] = {0, 0, 1, 1, 0}, dy[5] = {0, 1, 1, 0, 0};
    for (int k = 0; k < 5; k++) {
        int j = cw ? k : 4 - k;
        x[k] = x0 + side * dx[j];
        y[k] = y0 + side * dy[j];
    }
}

/* ---- deleted records: skipped, records keep their file numbers -------- */
static void test_deleted_records(cov_ctx *ctx)
{
    char p[1024], shp[1100];
    tmp(p, sizeof p, "deleted");
    SHPHandle h = SHPCreate(p, SHPT_POLYGON);
    DBFHandle d = DBFCreate(p);
    DBFAddField(d, "id", FTString, 10, 0);
    const char *ids[4] = {"a", "b", "c", ""};
    for (int i = 0; i < 4; i++) {
        double x[5], y[5];
        square(140 + 0.2 * i, 40, 0.1, 1, x, y);
        SHPObject *o = SHPCreateSimpleObject(SHPT_POLYGON, 5, x, y, NULL);
        SHPWriteObject(h, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(d, i, 0, ids[i]);
    }
    DBFMarkRecordDeleted(d, 1, 1);
    SHPClose(h);
    DBFClose(d);
    snprintf(shp, sizeof shp, "%s.shp", p);

    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);
    cov_shp_reader r;
    CHECK(cov__shp_open(ctx, shp, SHPT_POLYGON, &r) == COV_OK);
    CHECK(m.n_warning == 1);
    CHECK_CONTAINS(m.warning, "deleted.dbf: 1 record(s) marked deleted are skipped, as GDAL "
                              "and QGIS skip them (first: record 1)");
    CHECK(r.n_records == 3 && r.n_deleted == 1);
    CHECK(cov__shp_record_number(&r, 0) == 0 && cov__shp_record_number(&r, 1) == 2 &&
          cov__shp_record_number(&r, 2) == 3);
    char *s = cov__shp_string(ctx, &r, 1, 0);
    CHECK_STR(s, "c");
    free(s);
    int is_null;
    GEOSGeometry *g = cov__shp_geometry(ctx, &r, 1, &is_null); /* file record 2 */
    double x0 = NAN, x1 = NAN, y0, y1;
    if (g) GEOSGeom_getExtent_r(ctx->geos, g, &x0, &y0, &x1, &y1), GEOSGeom_destroy_r(ctx->geos, g);
    CHECK_NEAR(x0, 140.4, 1e-12);
    cov__shp_close(&r);

    /* regions: a and c; the empty id of file record 3 is named as record 3 */
    m.n_warning = 0;
    cov_regions *reg = cov_regions_read_shp(ctx, shp, "id", NULL, NULL);
    CHECK(reg && cov_regions_count(reg) == 2);
    CHECK(reg && strcmp(cov_regions_id(reg, 0), "a") == 0 && strcmp(cov_regions_id(reg, 1), "c") == 0);
    CHECK_CONTAINS(m.warning, "deleted.shp: record 3 has an empty id and is skipped");
    cov_regions_destroy(reg);
    cov_ctx_set_message_handler(ctx, NULL, NULL);

    /* facilities: a bad value in a record after the deleted one names the
     * file's record number */
    tmp(p, sizeof p, "deleted_pts");
    h = SHPCreate(p, SHPT_POINT);
    d = DBFCreate(p);
    DBFAddField(d, "id", FTString, 10, 0);
    DBFAddField(d, "cap", FTString, 10, 0);
    const char *cap[3] = {"1", "2", "x"};
    for (int i = 0; i < 3; i++) {
        double x = 141.35 + 0.01 * i, y = 43.06;
        SHPObject *o = SHPCreateSimpleObject(SHPT_POINT, 1, &x, &y, NULL);
        SHPWriteObject(h, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(d, i, 0, ids[i]);
        DBFWriteStringAttribute(d, i, 1, cap[i]);
    }
    DBFMarkRecordDeleted(d, 0, 1);
    SHPClose(h);
    DBFClose(d);
    snprintf(shp, sizeof shp, "%s.shp", p);
    cov_facility_fields ff = {.id = "id", .capacity = "cap"};
    CHECK(cov_facilities_read_shp(ctx, shp, &ff, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "deleted_pts.shp record 2 field cap: \"x\" is not a "
                                          "number");
    ff.capacity = NULL;
    /* a planning attribute of the same record names the same number (the
     * attributes' reader counted live records) */
    ff.capacity = NULL;
    ff.h24 = "cap";
    CHECK(cov_facilities_read_shp(ctx, shp, &ff, NULL) == NULL);
    /* facility b, live record 0, is the file's record 1 (record 0 is deleted) */
    CHECK_CONTAINS(cov_last_message(ctx), "deleted_pts.shp record 1, field cap (facility b)");
    ff.h24 = NULL;
    cov_facilities *f = cov_facilities_read_shp(ctx, shp, &ff, NULL);
    CHECK(f && cov_facilities_count(f) == 2);
    CHECK(f && strcmp(cov_facilities_id(f, 0), "b") == 0);
    CHECK(f && cov_facilities_lon(f)[0] == 141.35 + 0.01 * 1);
    cov_facilities_destroy(f);
}

/* ---- attributes: text trimmed at both ends, logical and numeric fields -- */
static void test_attributes(cov_ctx *ctx)
{
    char p[1024], shp[1100];
    tmp(p, sizeof p, "attrs");
    SHPHandle h = SHPCreate(p, SHPT_POINT);
    DBFHandle d = DBFCreate(p);
    DBFAddField(d, "name", FTString, 14, 0);
    DBFAddField(d, "flag", FTLogical, 1, 0);
    DBFAddField(d, "num", FTDouble, 10, 2);
    const char *names[6] = {"  lead trail  ", "tab\t", "", "   ", "x", "y"};
    const char flags[6] = {'T', 'F', '?', 'Y', 'n', ' '};
    const char *nums[6] = {"  12.50", "", "**********", "1,5", "-", "1.5e3"};
    for (int i = 0; i < 6; i++) {
        double x = 141.35, y = 43.06;
        SHPObject *o = SHPCreateSimpleObject(SHPT_POINT, 1, &x, &y, NULL);
        SHPWriteObject(h, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(d, i, 0, names[i]);
        char flag[2] = {flags[i], '\0'}; /* shapelib writes only T and F itself */
        DBFWriteAttributeDirectly(d, i, 1, flag);
        DBFWriteAttributeDirectly(d, i, 2, (void *)nums[i]);
    }
    SHPClose(h);
    DBFClose(d);
    snprintf(shp, sizeof shp, "%s.shp", p);
    cov_shp_reader r;
    CHECK(cov__shp_open(ctx, shp, SHPT_POINT, &r) == COV_OK);
    const char *want[6] = {"lead trail", "tab\t", "", "", "x", "y"};
    for (int i = 0; i < 6; i++) {
        char *s = cov__shp_string(ctx, &r, i, 0);
        CHECK_STR(s, want[i]);
        free(s);
    }
    /* logical: GDAL's booleans, 1, 0 or null */
    const double want_flag[6] = {1, 0, NAN, 1, 0, NAN};
    for (int i = 0; i < 6; i++) {
        double v = -1;
        CHECK(cov__shp_double(ctx, &r, i, 1, &v) == COV_OK);
        CHECK(isnan(want_flag[i]) ? isnan(v) : v == want_flag[i]);
    }
    double v = 0;
    CHECK(cov__shp_double(ctx, &r, 0, 2, &v) == COV_OK && v == 12.5);
    CHECK(cov__shp_double(ctx, &r, 1, 2, &v) == COV_OK && isnan(v));
    CHECK(cov__shp_double(ctx, &r, 2, 2, &v) == COV_OK && isnan(v));
    /* GDAL reads "1,5" as 1 and "-" as 0 (with a warning at most): a number
     * we cannot be sure of is an error naming record and field */
    CHECK(cov__shp_double(ctx, &r, 3, 2, &v) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "attrs.shp record 3 field num: \"1,5\" is not a "
                                          "number");
    CHECK(cov__shp_double(ctx, &r, 4, 2, &v) == COV_ERR_VALUE);
    CHECK(cov__shp_double(ctx, &r, 5, 2, &v) == COV_OK && v == 1500.0);
    cov__shp_close(&r);
}

/* ---- rings: orientation and holes -------------------------------------- */
/* Geometry of one polygon record made of n_rings squares {x0, y0, side, cw}. */
static GEOSGeometry *ring_record(cov_ctx *ctx, const char *stem, int n_rings,
                                 const double (*sq)[4], int type, int *out_warnings)
{
    char p[1024], shp[1100];
    tmp(p, sizeof p, stem);
    SHPHandle h = SHPCreate(p, type);
    DBFHandle d = DBFCreate(p);
    DBFAddField(d, "id", FTString, 4, 0);
    double x[40], y[40], z[40];
    int start[8];
    for (int i = 0; i < n_rings; i++) {
        start[i] = 5 * i;
        square(sq[i][0], sq[i][1], sq[i][2], sq[i][3] != 0, x + 5 * i, y + 5 * i);
    }
    for (int k = 0; k < 5 * n_rings; k++) z[k] = 7.0;
    SHPObject *o = SHPCreateObject(type, -1, n_rings, start, NULL, 5 * n_rings, x, y, z, z);
    SHPWriteObject(h, -1, o);
    SHPDestroyObject(o);
    DBFWriteStringAttribute(d, 0, 0, "r");
    SHPClose(h);
    DBFClose(d);
    snprintf(shp, sizeof shp, "%s.shp", p);
    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);
    cov_shp_reader r;
    GEOSGeometry *g = NULL;
    int is_null;
    if (cov__shp_open(ctx, shp, SHPT_POLYGON, &r) == COV_OK) {
        g = cov__shp_geometry(ctx, &r, 0, &is_null);
        cov__shp_close(&r);
    }
    cov_ctx_set_message_handler(ctx, NULL, NULL);
    *out_warnings = m.n_warning;
    return g;
}

static int same_as_wkt(cov_ctx *ctx, const GEOSGeometry *g, const char *wkt)
{
    GEOSWKTReader *rd = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *w = GEOSWKTReader_read_r(ctx->geos, rd, wkt);
    int same = g && w && GEOSEquals_r(ctx->geos, g, w) == 1 &&
               GEOSGetNumGeometries_r(ctx->geos, g) == GEOSGetNumGeometries_r(ctx->geos, w) &&
               GEOSisValid_r(ctx->geos, g) == 1;
    if (w) GEOSGeom_destroy_r(ctx->geos, w);
    GEOSWKTReader_destroy_r(ctx->geos, rd);
    return same;
}

static void test_rings(cov_ctx *ctx)
{
    int warnings;
    const char *donut = "POLYGON ((0 0, 0 4, 4 4, 4 0, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1))";
    /* shell then hole, and the hole first: one polygon with a hole, as GDAL */
    const double shell_hole[2][4] = {{0, 0, 4, 1}, {1, 1, 1, 0}};
    const double hole_shell[2][4] = {{1, 1, 1, 0}, {0, 0, 4, 1}};
    GEOSGeometry *g = ring_record(ctx, "shell_hole", 2, shell_hole, SHPT_POLYGON, &warnings);
    CHECK(same_as_wkt(ctx, g, donut) && warnings == 0);
    GEOSGeom_destroy_r(ctx->geos, g);
    g = ring_record(ctx, "hole_shell", 2, hole_shell, SHPT_POLYGON, &warnings);
    CHECK(same_as_wkt(ctx, g, donut) && warnings == 0);
    GEOSGeom_destroy_r(ctx->geos, g);
    /* every ring reversed (a writer that ignored the rule): GDAL returns the
     * counter-clockwise square as the shell of an invalid polygon of
     * negative area; nesting gives the donut */
    const double reversed[2][4] = {{0, 0, 4, 0}, {1, 1, 1, 1}};
    g = ring_record(ctx, "reversed", 2, reversed, SHPT_POLYGON, &warnings);
    CHECK(same_as_wkt(ctx, g, donut) && warnings == 1);
    GEOSGeom_destroy_r(ctx->geos, g);
    /* a lone counter-clockwise shell: kept as the square */
    const double ccw[1][4] = {{0, 0, 4, 0}};
    g = ring_record(ctx, "ccw", 1, ccw, SHPT_POLYGON, &warnings);
    CHECK(same_as_wkt(ctx, g, "POLYGON ((0 0, 0 4, 4 4, 4 0, 0 0))") && warnings == 1);
    GEOSGeom_destroy_r(ctx->geos, g);
    /* two shells, the first with a hole */
    const double two[3][4] = {{0, 0, 4, 1}, {1, 1, 1, 0}, {10, 0, 2, 1}};
    g = ring_record(ctx, "two_shells", 3, two, SHPT_POLYGON, &warnings);
    CHECK(same_as_wkt(ctx, g, "MULTIPOLYGON (((0 0, 0 4, 4 4, 4 0, 0 0), (1 1, 2 1, 2 2, 1 2, "
                              "1 1)), ((10 0, 10 2, 12 2, 12 0, 10 0)))") && warnings == 0);
    GEOSGeom_destroy_r(ctx->geos, g);
    /* Z and M: dropped, the same polygon as GDAL's 2D one */
    g = ring_record(ctx, "donut_z", 2, shell_hole, SHPT_POLYGONZ, &warnings);
    CHECK(same_as_wkt(ctx, g, donut));
    CHECK(g && GEOSHasZ_r(ctx->geos, g) == 0);
    GEOSGeom_destroy_r(ctx->geos, g);
    g = ring_record(ctx, "donut_m", 2, shell_hole, SHPT_POLYGONM, &warnings);
    CHECK(same_as_wkt(ctx, g, donut));
    GEOSGeom_destroy_r(ctx->geos, g);
}

/* ---- road lines: a deleted record's line and attributes both skipped ---- */
static void test_deleted_road_record(cov_ctx *ctx)
{
    char p[1024], shp[1100];
    tmp(p, sizeof p, "deleted_roads");
    SHPHandle h = SHPCreate(p, SHPT_ARC);
    DBFHandle d = DBFCreate(p);
    DBFAddField(d, "oneway", FTString, 10, 0);
    const char *oneway[3] = {"F", "sideways", "T"};
    for (int i = 0; i < 3; i++) {
        double x[2] = {141.35, 141.36}, y[2] = {43.06 + 0.01 * i, 43.06 + 0.01 * i};
        SHPObject *o = SHPCreateSimpleObject(SHPT_ARC, 2, x, y, NULL);
        SHPWriteObject(h, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(d, i, 0, oneway[i]);
    }
    DBFMarkRecordDeleted(d, 1, 1);
    SHPClose(h);
    DBFClose(d);
    snprintf(shp, sizeof shp, "%s.shp", p);
    cov_network_options o;
    cov_network_options_init(&o);
    o.class_field = "";
    o.speed_field = "";
    cov_network *n = cov_network_read_shp(ctx, shp, &o);
    CHECK(n && cov_network_edge_count(n) == 2 && cov_network_component_count(n) == 2);
    /* the lines of file records 0 and 2, with their own one-way rules */
    if (n) {
        const double *lat = cov_network_node_lat(n);
        int at_0 = 0, at_2 = 0;
        for (size_t k = 0; k < cov_network_node_count(n); k++) {
            at_0 += lat[k] == 43.06;
            at_2 += lat[k] == 43.06 + 0.01 * 2;
        }
        CHECK(at_0 == 2 && at_2 == 2);
    }
    cov_network_destroy(n);
    /* an error in a record after the deleted one names its file number */
    d = DBFOpen(shp, "r+b");
    DBFWriteStringAttribute(d, 2, 0, "upwards");
    DBFClose(d);
    CHECK(cov_network_read_shp(ctx, shp, &o) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "deleted_roads.shp record 2 field oneway: one-way "
                                          "rule \"upwards\"");
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    test_deleted_records(ctx);
    test_attributes(ctx);
    test_rings(ctx);
    test_deleted_road_record(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
