/* Regions: shapefile and WKB input, multi-part regions, dissolving, errors;
 * the real N03 file (CP932 names, 21 areas against published areas). */
#include <geos_c.h>
#include <math.h>
#include <stdlib.h>

#include "libcoverage/coverage.h"
#include "testutil.h"

static int warnings, notices;
static void on_message(int level, const char *msg, void *ud)
{
    (void)msg;
    (void)ud;
    warnings += level == COV_MSG_WARNING;
    notices += level == COV_MSG_NOTICE;
}

static double table_double(const cov_table *t, const char *col, size_t row)
{
    long c = cov_table_column_index(t, col);
    return c < 0 ? NAN : cov_table_doubles(t, (size_t)c)[row];
}

static void test_sample(cov_ctx *ctx)
{
    cov_regions *m = cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "muni_code",
                                          "muni_name", NULL);
    CHECK(m != NULL);
    CHECK(cov_regions_count(m) == 10); /* 11 records; 浜町 has two */
    long hama = cov_regions_find(m, "99304");
    CHECK(hama >= 0);
    CHECK_STR(cov_regions_name(m, (size_t)hama), "浜町");
    CHECK_STR(cov_regions_name(m, (size_t)cov_regions_find(m, "99201")), "中央市");
    cov_table *t = cov_regions_table(ctx, m);
    CHECK(t && cov_table_nrows(t) == 10 && cov_table_has_geometry(t));
    /* The ellipsoidal areas agree with the equal-area projection's, an
     * independent computation. */
    double sum = 0.0;
    for (size_t i = 0; i < 10; i++) sum += table_double(t, "area_km2", i);
    CHECK(sum > 2800 && sum < 2900); /* mainland 2,812 km2 + island + islet per the generator */
    cov_table_destroy(t);

    cov_regions *a = cov_regions_dissolve_csv(ctx, m, "data/sample/areas.csv", "muni_code",
                                              "area_code", "area_name", 0);
    CHECK(a && cov_regions_count(a) == 3);
    CHECK_STR(cov_regions_id(a, 0), "9901");
    CHECK_STR(cov_regions_name(a, 2), "島しょ在宅医療圏");
    cov_table *ta = cov_regions_table(ctx, a);
    double sum_a = 0.0;
    for (size_t i = 0; i < 3; i++) sum_a += table_double(ta, "area_km2", i);
    CHECK(fabs(sum_a / sum - 1.0) < 1e-9);
    cov_table_destroy(ta);

    /* in-memory mapping: unmapped regions dropped with a warning, or refused */
    const char *from[] = {"99201", "99202", "00000"}, *to[] = {"X", "X", "Y"};
    int w0 = warnings, n0 = notices;
    cov_regions *x = cov_regions_dissolve(ctx, m, 3, from, to, NULL, 0);
    CHECK(x && cov_regions_count(x) == 1 && warnings == w0 + 1 && notices == n0 + 1);
    CHECK_STR(cov_regions_name(x, 0), "");
    cov_regions_destroy(x);
    CHECK(cov_regions_dissolve(ctx, m, 3, from, to, NULL, COV_DISSOLVE_STRICT) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "99203");
    const char *from2[] = {"99201", "99201"}, *to2[] = {"X", "Z"};
    CHECK(cov_regions_dissolve(ctx, m, 2, from2, to2, NULL, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_DUPLICATE);
    CHECK(cov_regions_dissolve(ctx, m, 1, from, (const char *[]){""}, NULL, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);
    CHECK(cov_regions_dissolve_csv(ctx, m, "data/sample/areas.csv", "muni", "area_code", NULL, 0) ==
          NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FIELD);
    CHECK_CONTAINS(cov_last_message(ctx), "muni_code");
    cov_regions_destroy(a);
    cov_regions_destroy(m);
}

static void test_shp_errors(cov_ctx *ctx)
{
    CHECK(cov_regions_read_shp(ctx, "data/sample/nonexistent.shp", "id", NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "nonexistent");
    CHECK(cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "JIS", NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FIELD);
    CHECK_CONTAINS(cov_last_message(ctx), "muni_code");
    CHECK(cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "muni_code", "nom", NULL) ==
          NULL);
    CHECK(cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "muni_code", NULL,
                               "EPSG:123456789") == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CRS);
    CHECK(cov_regions_read_shp(ctx, NULL, "id", NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov_regions_read_shp(NULL, "x.shp", "id", NULL, NULL) == NULL);
    /* a point layer is not regions */
    cov_facility_fields ff = {.id = "facility_id", .kind = "kind", .lon = "lon", .lat = "lat"};
    cov_facilities *f = cov_facilities_read_csv(ctx, "data/sample/facilities.csv", &ff, NULL);
    cov_table *ft = cov_facilities_table(ctx, f);
    char path[512];
    CHECK(cov_table_write_shp(ctx, ft, cov_test_tmp(path, sizeof path, "points.shp")) == COV_OK);
    CHECK(cov_regions_read_shp(ctx, path, "facility_i", NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    cov_table_destroy(ft);
    cov_facilities_destroy(f);
}

static unsigned char *wkb_of(GEOSContextHandle_t h, const char *wkt, size_t *size)
{
    GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
    GEOSWKBWriter *wr = GEOSWKBWriter_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, rd, wkt);
    unsigned char *w = GEOSWKBWriter_write_r(h, wr, g, size);
    GEOSGeom_destroy_r(h, g);
    GEOSWKBWriter_destroy_r(h, wr);
    GEOSWKTReader_destroy_r(h, rd);
    return w;
}

static void test_wkb(cov_ctx *ctx)
{
    GEOSContextHandle_t h = GEOS_init_r();
    size_t s[3];
    unsigned char *w[3];
    w[0] = wkb_of(h, "POLYGON((140 43,140.1 43,140.1 43.1,140 43.1,140 43))", &s[0]);
    /* a bow-tie: repaired into two triangles with a warning */
    w[1] = wkb_of(h, "POLYGON((140.2 43,140.3 43.1,140.3 43,140.2 43.1,140.2 43))", &s[1]);
    w[2] = wkb_of(h, "POINT(140 43)", &s[2]);
    const char *ids[] = {"a", "b", "c"};
    int w0 = warnings;
    cov_regions *r = cov_regions_from_wkb(ctx, 2, ids, NULL, (const unsigned char *const *)w, s,
                                          NULL);
    CHECK(r && cov_regions_count(r) == 2 && warnings == w0 + 1);
    cov_table *t = cov_regions_table(ctx, r);
    /* the bow-tie's two triangles are a quarter of the square each */
    CHECK(fabs(table_double(t, "area_km2", 1) / (0.5 * table_double(t, "area_km2", 0)) - 1) < 1e-3);
    cov_table_destroy(t);
    cov_regions_destroy(r);
    CHECK(cov_regions_from_wkb(ctx, 3, ids, NULL, (const unsigned char *const *)w, s, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_GEOMETRY);
    CHECK_CONTAINS(cov_last_message(ctx), "entry 2 (id c)");
    unsigned char junk[9] = {1, 3, 0, 0, 0, 255, 255, 255, 127};
    const unsigned char *jp[] = {junk};
    size_t js[] = {sizeof junk};
    CHECK(cov_regions_from_wkb(ctx, 1, ids, NULL, jp, js, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "malformed WKB");
    const char *noid[] = {NULL};
    CHECK(cov_regions_from_wkb(ctx, 1, noid, NULL, (const unsigned char *const *)w, s, NULL) ==
          NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK(cov_regions_from_wkb(ctx, 0, ids, NULL, (const unsigned char *const *)w, s, NULL) ==
          NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);
    CHECK(cov_regions_from_wkb(ctx, 1, NULL, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    /* metres without a CRS are refused, not read as degrees */
    size_t ms;
    unsigned char *m = wkb_of(h, "POLYGON((-45000 12000,-44000 12000,-44000 13000,-45000 12000))",
                              &ms);
    const unsigned char *mp[] = {m};
    CHECK(cov_regions_from_wkb(ctx, 1, ids, NULL, mp, &ms, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CRS);
    CHECK_CONTAINS(cov_last_message(ctx), "give the CRS");
    cov_regions *zr = cov_regions_from_wkb(ctx, 1, ids, NULL, mp, &ms, "EPSG:6680");
    CHECK(zr && cov_regions_count(zr) == 1);
    cov_regions_destroy(zr);
    GEOSFree_r(h, m);
    for (int i = 0; i < 3; i++) GEOSFree_r(h, w[i]);
    GEOS_finish_r(h);
    CHECK(cov_regions_count(NULL) == 0 && cov_regions_id(NULL, 0) == NULL);
    CHECK(cov_regions_find(NULL, "x") == -1 && cov_regions_table(ctx, NULL) == NULL);
    cov_regions_destroy(NULL);
}

/* Published area of each secondary medical area (area_basic.csv of the
 * MHLW 2040 data in ../shared/data), against our polygons. */
static void check_published_areas(cov_ctx *ctx, const cov_regions *areas, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/raw/mhlw_chiiki_iryo_kousou_2040_youkiti/area_basic.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("SKIP published areas: %s absent\n", path);
        return;
    }
    cov_table *t = cov_regions_table(ctx, areas);
    char line[1024];
    int matched = 0;
    double worst = 0.0;
    while (fgets(line, sizeof line, f)) {
        char fy[8], pref[8], code[8];
        double km2;
        /* published_fy,pref_code,pref_name,area_code,area_name,pop,src,unit,area_2020_km2 */
        if (sscanf(line, "%7[^,],%7[^,],%*[^,],%7[^,],%*[^,],%*[^,],%*[^,],%*[^,],%lf", fy, pref,
                   code, &km2) != 4 ||
            strcmp(fy, "R7") || strcmp(pref, "01"))
            continue;
        long i = cov_regions_find(areas, code);
        if (i < 0) continue;
        matched++;
        worst = fmax(worst, fabs(table_double(t, "area_km2", (size_t)i) / km2 - 1));
    }
    fclose(f);
    cov_table_destroy(t);
    printf("published areas: %d matched, worst relative difference %.4f\n", matched, worst);
    CHECK(matched == 21);
    CHECK(worst < 0.02);
}

static void test_n03(cov_ctx *ctx)
{
    const char *dir = cov_test_shared_data();
    if (!dir) {
        printf("SKIP real N03 data: ../shared/data not found (set COV_SHARED_DATA)\n");
        return;
    }
    char shp[1024], map[1024];
    snprintf(shp, sizeof shp, "%s/hokkaido_n03_shapefile_cp932/N03-22_01_220101.shp", dir);
    snprintf(map, sizeof map, "%s/hokkaido_municipality_2ji_iryoken.csv", dir);
    cov_regions *m = cov_regions_read_shp(ctx, shp, "N03_007", "N03_004", NULL);
    CHECK(m != NULL);
    /* 194 codes: the mapping table's rows (188 municipalities and wards + 6 NT villages) */
    CHECK(cov_regions_count(m) == 194);
    CHECK_STR(cov_regions_name(m, (size_t)cov_regions_find(m, "01101")), "中央区");
    CHECK_STR(cov_regions_name(m, (size_t)cov_regions_find(m, "01202")), "函館市");
    int w0 = warnings;
    cov_regions *a = cov_regions_dissolve_csv(ctx, m, map, "muni_code", "iryoken2_code",
                                              "iryoken2_name", 0);
    CHECK(a && cov_regions_count(a) == 21 && warnings == w0 + 1);
    CHECK_STR(cov_regions_name(a, (size_t)cov_regions_find(a, "0104")), "札幌");
    check_published_areas(ctx, a, dir);
    cov_regions *s = cov_regions_read_shp(ctx, shp, "N03_007", "N03_003", NULL);
    CHECK_STR(cov_regions_name(s, (size_t)cov_regions_find(s, "01101")), "札幌市");
    cov_regions_destroy(s);
    cov_regions_destroy(a);
    cov_regions_destroy(m);
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    cov_ctx_set_message_handler(ctx, on_message, NULL);
    test_sample(ctx);
    test_shp_errors(ctx);
    test_wkb(ctx);
    test_n03(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
