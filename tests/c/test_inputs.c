/* Facilities and demand: CSV, shapefile and array input, errors naming file,
 * line and field; the bundled sample against its generator's own figures
 * (data/sample/README.md, computed independently in Python). */
#include <math.h>
#include <stdlib.h>

#include "libcoverage/coverage.h"
#include "testutil.h"

#define PI 3.14159265358979323846

static cov_facility_fields sample_fields = {.id = "facility_id", .name = "name", .kind = "kind",
                                            .capacity = "capacity", .lon = "lon", .lat = "lat"};

static const char *tmp_file(const char *name, const char *text)
{
    static char path[8][512];
    static int k;
    char *p = path[k++ % 8];
    cov_test_tmp(p, 512, name);
    cov_test_write_file(p, text);
    return p;
}

static void test_facilities_csv(cov_ctx *ctx)
{
    cov_facilities *f = cov_facilities_read_csv(ctx, "data/sample/facilities.csv", &sample_fields,
                                                NULL);
    CHECK(f && cov_facilities_count(f) == 41);
    CHECK(cov_facilities_kind_count(f) == 5);
    size_t c026 = 0;
    while (c026 < 41 && strcmp(cov_facilities_id(f, c026), "C026")) c026++;
    CHECK(c026 < 41);
    CHECK_STR(cov_facilities_name(f, c026), "対岸在宅クリニック");
    CHECK_NEAR(cov_facilities_lon(f)[c026], 137.244943, 1e-12);
    CHECK_NEAR(cov_facilities_lat(f)[c026], 39.901259, 1e-12);
    CHECK_NEAR(cov_facilities_capacity(f)[c026], 2, 0);
    /* through a point shapefile and back */
    cov_table *t = cov_facilities_table(ctx, f);
    char shp[512];
    CHECK(cov_table_write_shp(ctx, t, cov_test_tmp(shp, sizeof shp, "fac.shp")) == COV_OK);
    /* "facility_id" is stored as "facility_i" (DBF names hold 10 bytes) and
     * is found under its full name */
    cov_facility_fields sf = {.id = "facility_id", .name = "name", .kind = "kind",
                              .capacity = "capacity"};
    cov_facilities *g = cov_facilities_read_shp(ctx, shp, &sf, NULL);
    CHECK(g && cov_facilities_count(g) == 41);
    int same = 1;
    for (size_t i = 0; g && i < 41; i++)
        same &= !strcmp(cov_facilities_id(f, i), cov_facilities_id(g, i)) &&
                !strcmp(cov_facilities_kind(f, i), cov_facilities_kind(g, i)) &&
                !strcmp(cov_facilities_name(f, i), cov_facilities_name(g, i)) &&
                fabs(cov_facilities_lon(f)[i] - cov_facilities_lon(g)[i]) < 1e-12 &&
                fabs(cov_facilities_capacity(f)[i] - cov_facilities_capacity(g)[i]) < 1e-9;
    CHECK(same);
    cov_facilities_destroy(g);
    cov_table_destroy(t);
    cov_facilities_destroy(f);
}

static void test_facilities_errors(cov_ctx *ctx)
{
    const char *p = tmp_file("f1.csv", "id,lon,lat\nA,141.0,43.0\nB,141.1,abc\n");
    cov_facility_fields ff = {.id = "id", .lon = "lon", .lat = "lat"};
    CHECK(cov_facilities_read_csv(ctx, p, &ff, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "f1.csv");
    CHECK_CONTAINS(cov_last_message(ctx), "line 3");
    CHECK_CONTAINS(cov_last_message(ctx), "lat");
    p = tmp_file("f2.csv", "id,lon,lat\nA,141.0,43.0\nA,141.1,43.1\n");
    CHECK(cov_facilities_read_csv(ctx, p, &ff, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_DUPLICATE);
    CHECK_CONTAINS(cov_last_message(ctx), "line 3");
    CHECK_CONTAINS(cov_last_message(ctx), "line 2");
    p = tmp_file("f3.csv", "id,lon,lat\nA,43.0,141.0\n"); /* swapped */
    CHECK(cov_facilities_read_csv(ctx, p, &ff, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "not a valid lon/lat");
    CHECK_CONTAINS(cov_last_message(ctx), "swapped");
    p = tmp_file("f3b.csv", "id,lon,lat\nA,-45000.5,12000.25\n"); /* metres, no CRS */
    CHECK(cov_facilities_read_csv(ctx, p, &ff, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "give the CRS");
    cov_facility_fields bad = {.id = "id", .lon = "x", .lat = "lat"};
    CHECK(cov_facilities_read_csv(ctx, p, &bad, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FIELD);
    CHECK_CONTAINS(cov_last_message(ctx), "lon");
    p = tmp_file("f4.csv", "id,lon,lat,cap\nA,141.0,43.0,-2\n");
    cov_facility_fields fc = {.id = "id", .lon = "lon", .lat = "lat", .capacity = "cap"};
    CHECK(cov_facilities_read_csv(ctx, p, &fc, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "capacity");
    p = tmp_file("f5.csv", "");
    CHECK(cov_facilities_read_csv(ctx, p, &ff, NULL) == NULL);
    CHECK(cov_last_error(ctx) != COV_OK);
    /* header only: no facilities, not an error */
    p = tmp_file("f6.csv", "id,lon,lat\n");
    cov_facilities *f = cov_facilities_read_csv(ctx, p, &ff, NULL);
    CHECK(f && cov_facilities_count(f) == 0 && cov_facilities_kind_count(f) == 0);
    cov_facilities_destroy(f);
    CHECK(cov_facilities_read_csv(ctx, NULL, &ff, NULL) == NULL);
    CHECK(cov_facilities_read_csv(ctx, p, NULL, NULL) == NULL);
    CHECK(cov_facilities_read_csv(NULL, p, &ff, NULL) == NULL);
    CHECK(cov_facilities_read_shp(ctx, "data/sample/municipalities.shp", &ff, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    /* x/y in JGD2011 zone XII: the zone origin is 142.25E 44N */
    const char *ids[] = {"O"};
    double x = 0, y = 0;
    f = cov_facilities_from_arrays(ctx, 1, ids, NULL, NULL, NULL, &x, &y, "EPSG:6680");
    CHECK(f != NULL);
    CHECK_NEAR(cov_facilities_lon(f)[0], 142.25, 1e-9);
    CHECK_NEAR(cov_facilities_lat(f)[0], 44.0, 1e-9);
    CHECK_STR(cov_facilities_kind(f, 0), "facility");
    CHECK(isnan(cov_facilities_capacity(f)[0]));
    cov_facilities_destroy(f);
    CHECK(cov_facilities_from_arrays(ctx, 1, ids, NULL, NULL, NULL, NULL, &y, NULL) == NULL);
    CHECK(cov_facilities_from_arrays(ctx, 1, (const char *[]){NULL}, NULL, NULL, NULL, &x, &y,
                                     NULL) == NULL);
    CHECK(cov_facilities_count(NULL) == 0 && cov_facilities_id(NULL, 0) == NULL);
    CHECK(cov_facilities_table(ctx, NULL) == NULL);
    cov_facilities_destroy(NULL);
}

static const char *weights[] = {"total", "age65", "age75"};

static void test_demand_mesh(cov_ctx *ctx)
{
    cov_demand *d = cov_demand_read_mesh_csv(ctx, "data/sample/population_mesh1km.csv",
                                             "mesh_code", 3, weights, 0);
    CHECK(d && cov_demand_count(d) == 2200 && cov_demand_weight_count(d) == 3);
    double total = 0.0;
    int ordered = 1;
    for (size_t i = 0; d && i < 2200; i++) {
        total += cov_demand_weights(d, 0)[i];
        ordered &= cov_demand_weights(d, 2)[i] <= cov_demand_weights(d, 1)[i] &&
                   cov_demand_weights(d, 1)[i] <= cov_demand_weights(d, 0)[i];
    }
    CHECK_NEAR(total, 318249, 0); /* the generator's total */
    CHECK(ordered);
    CHECK_STR(cov_demand_weight_name(d, 1), "age65");
    CHECK(cov_demand_mesh_level(d, 0) == COV_MESH_1KM);
    /* 59365397 (pp uu q v r w = 59 36 5 3 9 7): centre at
     * 59/1.5 + 5*5' + 9.5*30" N, 136 + 3*7.5' + 7.5*45" E */
    CHECK_STR(cov_demand_id(d, 0), "59365397");
    CHECK_NEAR(cov_demand_lat(d)[0], 59 / 1.5 + 5 / 12.0 + 9.5 / 120.0, 1e-12);
    CHECK_NEAR(cov_demand_lon(d)[0], 136.0 + 3 / 8.0 + 7.5 / 80.0, 1e-12);
    cov_table *t = cov_demand_table(ctx, d);
    CHECK(t && cov_table_nrows(t) == 2200 && cov_table_has_geometry(t));
    cov_table_destroy(t);
    cov_demand_destroy(d);
    /* headerless, as the census mesh file ships */
    const char *p = tmp_file("m0.csv", "533946111,10,5,5,3\n533946112,0,0,0,0\n");
    const char *cols[] = {"2"};
    d = cov_demand_read_mesh_csv(ctx, p, "1", 1, cols, COV_CSV_NO_HEADER);
    CHECK(d && cov_demand_count(d) == 2 && cov_demand_mesh_level(d, 1) == COV_MESH_500M);
    CHECK_NEAR(cov_demand_weights(d, 0)[0], 10, 0);
    cov_demand_destroy(d);
}

static void test_demand_errors(cov_ctx *ctx)
{
    const char *w1[] = {"pop"};
    const char *p = tmp_file("m1.csv", "code,pop\n53394611,5\n5339461X,3\n");
    CHECK(cov_demand_read_mesh_csv(ctx, p, "code", 1, w1, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_MESH);
    CHECK_CONTAINS(cov_last_message(ctx), "m1.csv line 3");
    CHECK_CONTAINS(cov_last_message(ctx), "5339461X");
    p = tmp_file("m2.csv", "code,pop\n53394611,5\n53394612,-3\n");
    CHECK(cov_demand_read_mesh_csv(ctx, p, "code", 1, w1, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "line 3 column pop");
    p = tmp_file("m3.csv", "code,pop\n53394611,5\n53394611,3\n");
    CHECK(cov_demand_read_mesh_csv(ctx, p, "code", 1, w1, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_DUPLICATE);
    p = tmp_file("m4.csv", "code,pop\n53394611,\n");
    CHECK(cov_demand_read_mesh_csv(ctx, p, "code", 1, w1, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    const char *w2[] = {"people"};
    CHECK(cov_demand_read_mesh_csv(ctx, p, "code", 1, w2, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FIELD);
    CHECK(cov_demand_read_mesh_csv(ctx, "no/such.csv", "code", 1, w1, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_IO);
    const char *codes[] = {"5339", "534046", NULL};
    double w[] = {1, NAN};
    CHECK(cov_demand_from_mesh(ctx, 2, codes, 1, w1, w) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK(cov_demand_from_mesh(ctx, 3, codes, 0, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_MESH);
    cov_demand *d = cov_demand_from_mesh(ctx, 2, codes, 0, NULL, NULL);
    CHECK(d && cov_demand_weight_count(d) == 1);
    CHECK_STR(cov_demand_weight_name(d, 0), "count");
    cov_demand_destroy(d);
    /* points */
    const char *ids[] = {"a", "b"};
    double x[] = {141.0, 141.1}, y[] = {43.0, 95.0};
    CHECK(cov_demand_from_points(ctx, 2, ids, x, y, NULL, 0, NULL, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "id b");
    p = tmp_file("p1.csv", "id,x,y,pop\nh1,141.0,43.0,3\nh2,141.1,43.1,4\n");
    d = cov_demand_read_points_csv(ctx, p, "id", "x", "y", NULL, 1, w1, 0);
    CHECK(d && cov_demand_count(d) == 2 && cov_demand_mesh_level(d, 0) == 0);
    CHECK_NEAR(cov_demand_lat(d)[1], 43.1, 0);
    cov_demand_destroy(d);
    CHECK(cov_demand_from_mesh(NULL, 0, NULL, 0, NULL, NULL) == NULL);
    CHECK(cov_demand_from_mesh(ctx, 1, NULL, 0, NULL, NULL) == NULL);
    CHECK(cov_demand_count(NULL) == 0 && cov_demand_weights(NULL, 0) == NULL);
    cov_demand_destroy(NULL);
}

/* The sample analysis against the generator's independent figures: area
 * populations by centroid, the outside clinic, the lighthouse cell. */
static void test_sample_analysis(cov_ctx *ctx)
{
    cov_regions *m = cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "muni_code",
                                          "muni_name", NULL);
    cov_regions *a = cov_regions_dissolve_csv(ctx, m, "data/sample/areas.csv", "muni_code",
                                              "area_code", "area_name", 0);
    cov_facilities *f = cov_facilities_read_csv(ctx, "data/sample/facilities.csv", &sample_fields,
                                                NULL);
    cov_demand *d = cov_demand_read_mesh_csv(ctx, "data/sample/population_mesh1km.csv",
                                             "mesh_code", 3, weights, 0);
    cov_analysis *an = cov_analysis_create(ctx, a, f, d, NULL);
    CHECK(an && cov_analysis_unassigned_count(an) == 1);
    cov_table *as = cov_analysis_assignment(ctx, an);
    size_t lighthouse = 0, snapped = 0;
    for (size_t i = 0; i < cov_table_nrows(as); i++) {
        if (!strcmp(cov_table_string(as, 2, i), "unassigned"))
            lighthouse += !strcmp(cov_table_string(as, 0, i), "60360234");
        snapped += !strcmp(cov_table_string(as, 2, i), "snapped");
    }
    CHECK(lighthouse == 1);
    CHECK(snapped == 7); /* the seven coastal cells the generator lists */
    cov_table_destroy(as);
    cov_table *c = cov_analysis_coverage(ctx, an, NULL, 16000, 0, COV_COVERAGE_NO_AREA);
    long cr = cov_table_column_index(c, "region_id"), ck = cov_table_column_index(c, "kind");
    long ct = cov_table_column_index(c, "demand_total");
    double sum = 0.0;
    for (size_t i = 0; i < cov_table_nrows(c); i++) {
        if (strcmp(cov_table_string(c, (size_t)ck, i), "nursing")) continue;
        const char *r = cov_table_string(c, (size_t)cr, i);
        double v = cov_table_doubles(c, (size_t)ct)[i];
        sum += v;
        if (!strcmp(r, "9902")) CHECK_NEAR(v, 35065, 0);
        if (!strcmp(r, "9903")) CHECK_NEAR(v, 1370, 0);
        if (!strcmp(r, "9901")) CHECK(v >= 281251 && v <= 281251 + 561);
    }
    CHECK_NEAR(sum, 318249 - 2, 0);
    cov_table_destroy(c);
    cov_analysis_destroy(an);
    cov_demand_destroy(d);
    cov_facilities_destroy(f);
    cov_regions_destroy(a);
    cov_regions_destroy(m);
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    test_facilities_csv(ctx);
    test_facilities_errors(ctx);
    test_demand_mesh(ctx);
    test_demand_errors(ctx);
    test_sample_analysis(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
