/* Contexts, status codes, messages, progress and cancellation, version,
 * analysis options, and NULL handling of every accessor. */
#include <math.h>
#include <stdlib.h>

#include "libcoverage/coverage.h"
#include "testutil.h"

static int n_errors, n_warnings, n_progress, cancel_after = -1;
static char last_error[1024], last_warning[1024];

static void on_message(int level, const char *msg, void *ud)
{
    CHECK(ud == &n_errors);
    if (level == COV_MSG_ERROR) {
        n_errors++;
        snprintf(last_error, sizeof last_error, "%s", msg);
    }
    if (level == COV_MSG_WARNING && strstr(msg, "facility")) /* the one this file checks */
        snprintf(last_warning, sizeof last_warning, "%s", msg);
    n_warnings += level == COV_MSG_WARNING;
}

static int on_progress(double fraction, const char *stage, void *ud)
{
    (void)ud;
    CHECK(fraction >= 0.0 && fraction <= 1.0 && stage && *stage);
    n_progress++;
    return cancel_after >= 0 && n_progress > cancel_after;
}

static void test_status(void)
{
    /* names and messages come from one table; every code has both */
    static const struct {
        int code;
        const char *name;
    } codes[] = {{COV_OK, "COV_OK"},
                 {COV_ERR_NOMEM, "COV_ERR_NOMEM"},
                 {COV_ERR_ARG, "COV_ERR_ARG"},
                 {COV_ERR_CANCELLED, "COV_ERR_CANCELLED"},
                 {COV_ERR_IO, "COV_ERR_IO"},
                 {COV_ERR_FORMAT, "COV_ERR_FORMAT"},
                 {COV_ERR_FIELD, "COV_ERR_FIELD"},
                 {COV_ERR_VALUE, "COV_ERR_VALUE"},
                 {COV_ERR_ENCODING, "COV_ERR_ENCODING"},
                 {COV_ERR_MESH, "COV_ERR_MESH"},
                 {COV_ERR_EMPTY, "COV_ERR_EMPTY"},
                 {COV_ERR_DUPLICATE, "COV_ERR_DUPLICATE"},
                 {COV_ERR_CRS, "COV_ERR_CRS"},
                 {COV_ERR_GEOMETRY, "COV_ERR_GEOMETRY"},
                 {COV_ERR_INTERNAL, "COV_ERR_INTERNAL"}};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        CHECK_STR(cov_status_name(codes[i].code), codes[i].name);
        CHECK(strlen(cov_strerror(codes[i].code)) > 5);
        CHECK(strcmp(cov_strerror(codes[i].code), "unknown status") != 0);
    }
    CHECK_STR(cov_status_name(12345), "COV_UNKNOWN");
    CHECK_STR(cov_strerror(-1), "unknown status");
    CHECK_STR(cov_version(), COV_VERSION_STRING);
    CHECK(cov_version_number() == COV_VERSION_NUMBER);
    CHECK(COV_VERSION_NUMBER == COV_VERSION_MAJOR * 10000 + COV_VERSION_MINOR * 100 +
                                    COV_VERSION_PATCH);
    /* at-least checks at the edges of the present release and C API */
    CHECK(COV_AT_LEAST_VERSION(COV_VERSION_MAJOR, COV_VERSION_MINOR, COV_VERSION_PATCH));
    CHECK(!COV_AT_LEAST_VERSION(COV_VERSION_MAJOR, COV_VERSION_MINOR, COV_VERSION_PATCH + 1));
    CHECK(COV_AT_LEAST_VERSION(0, 1, 0));
    CHECK(cov_api_version_number() == COV_API_VERSION_NUMBER);
    CHECK(COV_API_VERSION_NUMBER == COV_API_VERSION_MAJOR * 100 + COV_API_VERSION_MINOR);
    CHECK(COV_API_AT_LEAST(3, 0) && COV_API_AT_LEAST(2, 99) &&
          !COV_API_AT_LEAST(COV_API_VERSION_MAJOR, COV_API_VERSION_MINOR + 1) &&
          !COV_API_AT_LEAST(COV_API_VERSION_MAJOR + 1, 0));
}

static void test_context(void)
{
    cov_ctx *ctx = cov_ctx_create();
    CHECK(ctx != NULL);
    CHECK(cov_last_error(ctx) == COV_OK);
    CHECK_STR(cov_last_message(ctx), "");
    cov_ctx_set_message_handler(ctx, on_message, &n_errors);
    cov_mesh_cell c;
    CHECK(cov_mesh_decode(ctx, "12", &c) == COV_ERR_MESH);
    CHECK(cov_last_error(ctx) == COV_ERR_MESH);
    CHECK(n_errors == 1);
    CHECK_STR(last_error, cov_last_message(ctx)); /* the handler saw the same message */
    cov_clear_error(ctx);
    CHECK(cov_last_error(ctx) == COV_OK && cov_last_message(ctx)[0] == '\0');
    /* the error stays until cleared, also across successful calls */
    CHECK(cov_mesh_decode(ctx, "5339", &c) == COV_OK);
    CHECK(cov_last_error(ctx) == COV_OK);
    CHECK(cov_warning_count(ctx) == 0);
    cov_ctx_set_message_handler(ctx, NULL, NULL);
    cov_ctx_destroy(ctx);
    /* NULL everywhere is harmless */
    CHECK(cov_last_error(NULL) == COV_ERR_ARG);
    CHECK(cov_last_message(NULL) != NULL);
    CHECK(cov_warning_count(NULL) == 0);
    cov_clear_error(NULL);
    cov_ctx_set_message_handler(NULL, on_message, NULL);
    cov_ctx_set_progress_handler(NULL, on_progress, NULL);
    cov_ctx_destroy(NULL);
    cov_free(NULL);
    cov_table_destroy(NULL);
}

/* The sample analysis with non-default options, progress and cancellation. */
static void test_options_and_progress(void)
{
    cov_ctx *ctx = cov_ctx_create();
    cov_ctx_set_message_handler(ctx, on_message, &n_errors);
    cov_regions *r = cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "muni_code",
                                          "muni_name", NULL);
    cov_facility_fields ff = {.id = "facility_id", .kind = "kind", .lon = "lon", .lat = "lat"};
    cov_facilities *f = cov_facilities_read_csv(ctx, "data/sample/facilities.csv", &ff, NULL);
    const char *w[] = {"total"};
    cov_demand *d = cov_demand_read_mesh_csv(ctx, "data/sample/population_mesh1km.csv",
                                             "mesh_code", 1, w, 0);
    cov_analysis_options o;
    cov_analysis_options_init(&o);
    CHECK(o.coastal_snap_m == 1000.0 && o.circle_segments == 128 && o.crs == NULL);
    CHECK(o.doctor_kinds == NULL && o.nursing_kinds == NULL);
    cov_analysis_options_init(NULL);
    /* only enhanced clinics count as doctors; no coastal snapping; zone X */
    const char *doctors[] = {"enhanced_single"};
    o.doctor_kinds = doctors;
    o.n_doctor_kinds = 1;
    o.coastal_snap_m = 0.0;
    o.crs = "EPSG:6678";
    int w0 = n_warnings;
    cov_analysis *a = cov_analysis_create(ctx, r, f, d, &o);
    CHECK(a != NULL);
    CHECK(cov_analysis_unassigned_count(a) == 8); /* 7 coastal cells + the lighthouse */
    CHECK(n_warnings == w0 + 1 && cov_warning_count(ctx) >= 1);
    CHECK_STR(cov_analysis_crs(a), "EPSG:6678");
    cov_table *t = cov_analysis_coverage(ctx, a, NULL, 16000, 0, COV_COVERAGE_NO_AREA);
    long ck = cov_table_column_index(t, "kind"), cn = cov_table_column_index(t, "n_facilities");
    int64_t enhanced = 0, doctor_any = 0;
    for (size_t i = 0; i < cov_table_nrows(t); i++) {
        const char *k = cov_table_string(t, (size_t)ck, i);
        if (!strcmp(k, "enhanced_single")) enhanced += cov_table_ints(t, (size_t)cn)[i];
        if (!strcmp(k, COV_KIND_DOCTOR_ANY)) doctor_any += cov_table_ints(t, (size_t)cn)[i];
    }
    CHECK(enhanced == 4 && doctor_any == 4);
    cov_table_destroy(t);
    /* progress is reported, and a handler returning non-zero cancels */
    cov_ctx_set_progress_handler(ctx, on_progress, NULL);
    n_progress = 0;
    t = cov_analysis_gaps(ctx, a, NULL, 16000, NULL, 0);
    CHECK(t != NULL && n_progress > 3);
    cov_table_destroy(t);
    n_progress = 0;
    cancel_after = 2;
    CHECK(cov_analysis_gaps(ctx, a, NULL, 10000, NULL, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CANCELLED);
    CHECK_CONTAINS(cov_last_message(ctx), "cancelled");
    cancel_after = -1;
    cov_ctx_set_progress_handler(ctx, NULL, NULL);
    /* bad options */
    o.circle_segments = 3;
    CHECK(cov_analysis_create(ctx, r, f, d, &o) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK_CONTAINS(cov_last_message(ctx), "circle_segments");
    cov_analysis_options_init(&o);
    o.coastal_snap_m = COV_MAX_COASTAL_SNAP_M + 1; /* across a prefecture: refused */
    CHECK(cov_analysis_create(ctx, r, f, d, &o) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "must be between 0 and 100 km");
    o.coastal_snap_m = COV_MAX_COASTAL_SNAP_M; /* the bound itself is fine */
    cov_analysis *edge = cov_analysis_create(ctx, r, f, d, &o);
    CHECK(edge != NULL);
    cov_analysis_destroy(edge);
    cov_analysis_options_init(&o);
    o.crs = "EPSG:4326";
    CHECK(cov_analysis_create(ctx, r, f, d, &o) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CRS);
    cov_analysis_destroy(a);
    /* a facility far from every region (a station geocoded to Tokyo) is
     * kept but named in a warning; one just offshore is not */
    const char *ids[] = {"near", "tokyo"};
    double lon[] = {137.244943, 139.7671}, lat[] = {39.901259, 35.6812};
    cov_facilities *far = cov_facilities_from_arrays(ctx, 2, ids, NULL, NULL, NULL, lon, lat, NULL);
    w0 = n_warnings;
    a = cov_analysis_create(ctx, r, far, d, NULL);
    CHECK(a != NULL && n_warnings == w0 + 2); /* the far facility, the unassigned cell */
    CHECK_CONTAINS(last_warning, "tokyo");
    CHECK(strstr(last_warning, "near (") == NULL);
    cov_analysis_destroy(a);
    cov_facilities_destroy(far);
    cov_demand_destroy(d);
    cov_facilities_destroy(f);
    cov_regions_destroy(r);
    cov_ctx_destroy(ctx);
}

/* Accessors given NULL or an index out of range answer NULL, 0 or NaN. */
static void test_null_accessors(void)
{
    cov_ctx *ctx = cov_ctx_create();
    CHECK(cov_demand_id(NULL, 0) == NULL && cov_demand_lon(NULL) == NULL);
    CHECK(cov_demand_lat(NULL) == NULL && cov_demand_mesh_level(NULL, 0) == 0);
    CHECK(cov_demand_weight_count(NULL) == 0 && cov_demand_weight_name(NULL, 0) == NULL);
    CHECK(cov_demand_table(ctx, NULL) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov_facilities_name(NULL, 0) == NULL && cov_facilities_kind(NULL, 0) == NULL);
    CHECK(cov_facilities_lon(NULL) == NULL && cov_facilities_lat(NULL) == NULL);
    CHECK(cov_facilities_capacity(NULL) == NULL && cov_facilities_kind_count(NULL) == 0);
    CHECK(cov_facilities_kind_name(NULL, 0) == NULL);
    CHECK(cov_regions_name(NULL, 0) == NULL);
    CHECK(cov_table_ints(NULL, 0) == NULL && cov_table_doubles(NULL, 0) == NULL);
    CHECK(cov_facilities_read_shp(ctx, NULL, NULL, NULL) == NULL);
    CHECK(cov_demand_read_mesh_csv(ctx, NULL, "x", 0, NULL, 0) == NULL);
    CHECK(cov_demand_read_points_csv(ctx, "x.csv", NULL, "x", "y", NULL, 0, NULL, 0) == NULL);
    CHECK(cov_demand_from_points(ctx, 1, NULL, NULL, NULL, NULL, 0, NULL, NULL) == NULL);
    CHECK(cov_facilities_from_arrays(NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_regions_dissolve(ctx, NULL, 0, NULL, NULL, NULL, 0) == NULL);
    CHECK(cov_regions_dissolve_csv(ctx, NULL, "a.csv", "a", "b", NULL, 0) == NULL);
    CHECK(cov_regions_from_wkb(NULL, 0, NULL, NULL, NULL, NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    /* in range but on a real object: the kinds of the sample, in order */
    cov_facility_fields ff = {.id = "facility_id", .kind = "kind", .lon = "lon", .lat = "lat"};
    cov_facilities *f = cov_facilities_read_csv(ctx, "data/sample/facilities.csv", &ff, NULL);
    CHECK_STR(cov_facilities_kind_name(f, 0), cov_facilities_kind(f, 0));
    CHECK(cov_facilities_kind_name(f, 5) == NULL && cov_facilities_id(f, 41) == NULL);
    cov_facilities_destroy(f);
    cov_ctx_destroy(ctx);
}

/* Objects keep their context alive: destroying the context first, and the
 * inputs before the analysis that borrows them, is safe (ASan checks). */
static void test_destruction_order(void)
{
    cov_ctx *ctx = cov_ctx_create();
    cov_regions *r = cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "muni_code",
                                          NULL, NULL);
    cov_facility_fields ff = {.id = "facility_id", .kind = "kind", .lon = "lon", .lat = "lat"};
    cov_facilities *f = cov_facilities_read_csv(ctx, "data/sample/facilities.csv", &ff, NULL);
    cov_demand *d = cov_demand_from_mesh(ctx, 1, (const char *[]){"59365397"}, 0, NULL, NULL);
    cov_analysis *a = cov_analysis_create(ctx, r, f, d, NULL);
    cov_table *t = cov_analysis_gaps(ctx, a, NULL, 16000, NULL, 0);
    cov_table *rt = cov_regions_table(ctx, r);
    CHECK(a && t && rt && cov_table_nrows(rt) == 10);
    cov_ctx_destroy(ctx);
    cov_regions_destroy(r);
    cov_table_destroy(rt);
    cov_demand_destroy(d);
    CHECK(cov_table_has_geometry(t)); /* still readable */
    cov_analysis_destroy(a);
    cov_facilities_destroy(f);
    cov_table_destroy(t);
}

int main(void)
{
    test_destruction_order();
    test_status();
    test_context();
    test_options_and_progress();
    test_null_accessors();
    TEST_END();
}
