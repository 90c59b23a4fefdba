/* Malformed and hostile input, each with its defined outcome; and the
 * inputs the fuzzers (tests/fuzz) found, rebuilt here so that each fix
 * stays fixed. Files are written with shapelib directly and then damaged
 * byte by byte. */
#include <signal.h>
#include <unistd.h>

#include "core/internal.h"
#include "geo/geo.h"
#include "io/table_internal.h"
#include "io/text.h"
#include "libcoverage/coverage.h"
#include "testutil.h"

static const char *tmp(char *buf, size_t size, const char *name)
{
    return cov_test_tmp(buf, size, name);
}

/* Writes stem.shp/.shx/.dbf: polygons (one ring each, n vertices given in
 * xy pairs) with a text field muni_code. No .prj. */
static void write_polygons(const char *stem, int n_shapes, const int *nv, const double *xy,
                           const char *const *ids)
{
    char p[1024];
    SHPHandle shp = SHPCreate(tmp(p, sizeof p, stem), SHPT_POLYGON);
    DBFHandle dbf = DBFCreate(p);
    DBFAddField(dbf, "muni_code", FTString, 10, 0);
    for (int s = 0, at = 0; s < n_shapes; at += nv[s], s++) {
        double x[64], y[64];
        for (int k = 0; k < nv[s]; k++) x[k] = xy[2 * (at + k)], y[k] = xy[2 * (at + k) + 1];
        SHPObject *o = SHPCreateSimpleObject(SHPT_POLYGON, nv[s], x, y, NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(dbf, s, 0, ids[s]);
    }
    SHPClose(shp);
    DBFClose(dbf);
}

/* Overwrites bytes at offset of a file. */
static void patch(const char *path, long offset, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "r+b");
    if (!f) return;
    fseek(f, offset, SEEK_SET);
    fwrite(bytes, 1, n, f);
    fclose(f);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static const double square[] = {140.0, 40.0, 140.0, 40.1, 140.1, 40.1, 140.1, 40.0, 140.0, 40.0};

/* ---- found by fuzz_dbf_encoding: a header declaring 989,859,330 records
 * in a 133-byte file made the UTF-8 scan loop for minutes. ------------- */
static void test_dbf_record_count_beyond_file(cov_ctx *ctx)
{
    char p[1024], dbf_path[1024];
    int nv[1] = {5};
    const char *ids[1] = {"01101"};
    write_polygons("hugecount", 1, nv, square, ids);
    tmp(dbf_path, sizeof dbf_path, "hugecount.dbf");
    int32_t n = 989859330; /* little-endian on the platforms we build for */
    patch(dbf_path, 4, &n, 4);
    DBFHandle dbf = DBFOpen(dbf_path, "rb");
    CHECK(dbf != NULL);
    cov_dbf_encoding enc;
    if (dbf) {
        CHECK(cov__dbf_detect_encoding(ctx, dbf_path, dbf, &enc) == COV_ERR_FORMAT);
        CHECK_CONTAINS(cov_last_message(ctx), "hugecount.dbf: truncated or damaged");
        CHECK_CONTAINS(cov_last_message(ctx), "declares 989859330 records");
        DBFClose(dbf);
    }
    /* Through the public reader the count disagrees with the .shp first. */
    CHECK(cov_regions_read_shp(ctx, tmp(p, sizeof p, "hugecount.shp"), "muni_code", NULL,
                               NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "has 989859330");

    /* A .dbf cut short (the counts agree): named as truncated. */
    write_polygons("shortdbf", 1, nv, square, ids);
    tmp(dbf_path, sizeof dbf_path, "shortdbf.dbf");
    CHECK(truncate(dbf_path, file_size(dbf_path) - 5) == 0);
    CHECK(cov_regions_read_shp(ctx, tmp(p, sizeof p, "shortdbf.shp"), "muni_code", NULL,
                               NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "shortdbf.dbf: truncated or damaged");
}

/* ---- found by fuzz_shapefile: header bounds in lon/lat but one vertex at
 * x = -2152755.2; the region then spanned the globe and densifying it for
 * its area asked for 6.9 GB. ------------------------------------------- */
static void test_stray_vertex(cov_ctx *ctx)
{
    char p[1024];
    double xy[10];
    memcpy(xy, square, sizeof xy);
    xy[2] = -2152755.2;
    int nv[1] = {5};
    const char *ids[1] = {"01101"};
    write_polygons("stray", 1, nv, xy, ids);
    /* put lon/lat bounds back in both headers, as the fuzzer's input had */
    double bounds[4] = {140.0, 40.0, 140.1, 40.1};
    patch(tmp(p, sizeof p, "stray.shp"), 36, bounds, sizeof bounds);
    patch(tmp(p, sizeof p, "stray.shx"), 36, bounds, sizeof bounds);
    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);
    CHECK(cov_regions_read_shp(ctx, tmp(p, sizeof p, "stray.shp"), "muni_code", NULL, NULL) ==
          NULL);
    cov_ctx_set_message_handler(ctx, NULL, NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "stray.shp record 0 (id 01101)");
    CHECK_CONTAINS(cov_last_message(ctx), "-2.15276e+06");
    CHECK_CONTAINS(cov_last_message(ctx), "not all lon/lat");
}

/* Densifying a ring is bounded (about 1e6 points inserted): a ring of
 * 80 x 80 degrees at 1e-6 would otherwise need 3.2e8 points; and since a
 * rectangle's planar area does not change when points are inserted on its
 * edges, the area checks the densified copy. */
static void test_densify_bounded(cov_ctx *ctx)
{
    double x[5] = {100, 100, 180, 180, 100}, y[5] = {-40, 40, 40, -40, -40};
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(ctx->geos, x, y, NULL, NULL, 5);
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(ctx->geos, seq);
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(ctx->geos, ring, NULL, 0);
    cov_xform id = {.pj = NULL, .identity = 1};
    GEOSGeometry *d = cov__xform_geom_densify(ctx, &id, poly, 0, 1e-6, "test");
    CHECK(d != NULL);
    if (d) {
        int n = GEOSGetNumCoordinates_r(ctx->geos, d);
        double area = 0;
        CHECK(n > 900000 && n <= 1000010);
        GEOSArea_r(ctx->geos, d, &area);
        CHECK_NEAR(area, 80.0 * 80.0, 1e-6);
        GEOSGeom_destroy_r(ctx->geos, d);
    }
    /* a modest request is honoured exactly: 4 edges of 80 deg at 1 deg */
    d = cov__xform_geom_densify(ctx, &id, poly, 0, 1.0, "test");
    CHECK(d && GEOSGetNumCoordinates_r(ctx->geos, d) == 5 + 4 * 79);
    if (d) GEOSGeom_destroy_r(ctx->geos, d);
    GEOSGeom_destroy_r(ctx->geos, poly);
}

/* ---- invalid polygons through WKB --------------------------------------- */

static size_t wkb_polygon(unsigned char *b, const double *xy, uint32_t n)
{
    uint32_t type = 3, rings = 1;
    size_t k = 0;
    b[k++] = 1;
    memcpy(b + k, &type, 4), k += 4;
    memcpy(b + k, &rings, 4), k += 4;
    memcpy(b + k, &n, 4), k += 4;
    if (n) memcpy(b + k, xy, 16 * (size_t)n);
    return k + 16 * (size_t)n;
}

/* Regions from one WKB polygon of n vertices (id "r"); NULL on failure. */
static cov_regions *one_region(cov_ctx *ctx, const double *xy, uint32_t n)
{
    unsigned char b[2048];
    size_t size = wkb_polygon(b, xy, n);
    const unsigned char *w[1] = {b};
    const char *ids[1] = {"r"};
    return cov_regions_from_wkb(ctx, 1, ids, NULL, w, &size, NULL);
}

static double region_area_km2(cov_ctx *ctx, const cov_regions *r)
{
    cov_table *t = cov_regions_table(ctx, r);
    double a = t ? cov_table_doubles(t, 2)[0] : NAN;
    cov_table_destroy(t);
    return a;
}

static void test_invalid_polygons(cov_ctx *ctx)
{
    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);

    /* Bow-tie: repaired into its two triangles, with a warning; its area
     * is that of the two triangles given as valid polygons. */
    double bow[] = {140, 40, 140.1, 40.1, 140.1, 40, 140, 40.1, 140, 40};
    cov_regions *r = one_region(ctx, bow, 5);
    CHECK(r != NULL && m.n_warning == 1);
    CHECK_CONTAINS(m.warning, "regions entry 0 (id r): invalid polygon repaired (Self-intersection");
    double t1[] = {140, 40, 140.05, 40.05, 140, 40.1, 140, 40};
    double t2[] = {140.1, 40, 140.1, 40.1, 140.05, 40.05, 140.1, 40};
    cov_regions *a = one_region(ctx, t1, 4), *b = one_region(ctx, t2, 4);
    CHECK(a && b);
    if (r && a && b)
        CHECK_NEAR(region_area_km2(ctx, r), region_area_km2(ctx, a) + region_area_km2(ctx, b),
                   1e-6);
    cov_regions_destroy(r);
    cov_regions_destroy(a);
    cov_regions_destroy(b);

    /* Unclosed ring: GEOS refuses the WKB. */
    m.n_warning = 0;
    CHECK(one_region(ctx, square, 4) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_GEOMETRY);
    CHECK_STR(cov_last_message(ctx), "regions entry 0 (id r): malformed WKB");

    /* Zero area (points on a line): skipped with a warning; the only
     * region gone, the layer is empty. */
    double flat[] = {140, 40, 140.1, 40, 140.2, 40, 140, 40};
    CHECK(one_region(ctx, flat, 4) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);
    CHECK_CONTAINS(m.warning, "regions entry 0 (id r): the polygon has no area");
    CHECK_STR(cov_last_message(ctx), "regions: no region with a polygon");

    /* Empty polygon: the same. */
    m.n_warning = 0;
    CHECK(one_region(ctx, NULL, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY && m.n_warning == 1);

    /* NaN vertex: an error, not a repair (GEOS would throw later). */
    double with_nan[10];
    memcpy(with_nan, square, sizeof with_nan);
    with_nan[2] = NAN;
    m.n_warning = 0;
    CHECK(one_region(ctx, with_nan, 5) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE && m.n_warning == 0);
    CHECK_CONTAINS(cov_last_message(ctx), "regions entry 0 (id r): a vertex has a non-finite");

    /* Infinity: not lon/lat. */
    with_nan[2] = INFINITY;
    CHECK(one_region(ctx, with_nan, 5) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CRS);
    CHECK_CONTAINS(cov_last_message(ctx), "140..inf");
    cov_ctx_set_message_handler(ctx, NULL, NULL);
}

/* ---- found by fuzz_wkb: a 39-point ring (a sample municipality with a few
 * vertices mutated, one to NaN) on which GEOSMakeValid ran for more than 5
 * minutes. A non-finite vertex is now an error before any repair. The
 * alarm turns a hang into a failure. ----------------------------------- */
static const double wild_ring[] = {
    136.09583333333333, 40.0625,
    136.09583333333333, 40.07083333333333,
    136.1, 4.8578750597338906e-33,
    136.10000287224264, 40.084722222222226,
    136.10833333333332, 40.09027777777778,
    136.10833333333332, 40.09305555555556,
    136.1125, 40.09583333333333,
    136.1125, 40.09861111111111,
    136.11458333333334, 40.1,
    136.12291666666667, 40.1,
    136.12708333333333, 40.102777777777774,
    136.13958333333332, 40.102777777777774,
    136.14375, 40.105555555555554,
    136.15625, 3.6885629036361074,
    136.16041666666666, 40.108333333333334,
    136.17291666666668, 40.108333333333334,
    136.17708333333334, 40.111111111111114,
    136.18958333333333, 8.46440543287e-313,
    136.19791666666666, 40.105555555555554,
    136.20208333333332, 40.105555555555554,
    4.858158284716803e-33, 25.223529411764705,
    136.21041666666667, 40.102777777777774,
    136.22083333333333, 40.09583333333333,
    136.22083333333333, 40.084722222222226,
    136.21666666666667, 40.081944444444446,
    136.21666666666667, 40.079166666666666,
    136.20208333333332, -0.10923936642292473,
    136.19791681629914, 40.06944444444444,
    136.19375, 40.06666666666667,
    -1.6894591950718726e-263, 40.062760416535696,
    NAN, 40.03906249999999,
    136.16875, 40.05833333333333,
    -8.89065955277571e-41, 40.05555555555556,
    136.14791666666667, -40.05555555555556,
    136.14375, 40.05277777777778,
    136.11458333333334, 40.05277777777778,
    136.11041666666668, 40.05555555555556,
    136.10625, 40.05555555555556,
    136.09583333333333, 40.0625
};

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "test_hostile: repairing the wild ring hung (> 60 s)\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

static void test_wild_ring_repair(cov_ctx *ctx)
{
    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);
    signal(SIGALRM, on_alarm);
    alarm(60);
    cov_regions *r = one_region(ctx, wild_ring, sizeof wild_ring / sizeof *wild_ring / 2);
    alarm(0);
    signal(SIGALRM, SIG_DFL);
    cov_ctx_set_message_handler(ctx, NULL, NULL);
    CHECK(r == NULL && m.n_warning == 0);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "regions entry 0 (id r): a vertex has a non-finite "
                                          "coordinate (Invalid Coordinate[nan 40.039");
}

/* ---- lon/lat swapped ---------------------------------------------------- */

static void test_swapped_axes(cov_ctx *ctx)
{
    double swapped[10];
    for (int k = 0; k < 5; k++) swapped[2 * k] = square[2 * k + 1], swapped[2 * k + 1] = square[2 * k];
    CHECK(one_region(ctx, swapped, 5) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CRS);
    CHECK_CONTAINS(cov_last_message(ctx), "(40..40.1, 140..140.1) are not lon/lat");
    CHECK_CONTAINS(cov_last_message(ctx), "x and y look swapped: exchanged, they lie in Japan");

    /* the same in a shapefile without .prj */
    char p[1024];
    int nv[1] = {5};
    const char *ids[1] = {"01101"};
    write_polygons("swapped", 1, nv, swapped, ids);
    CHECK(cov_regions_read_shp(ctx, tmp(p, sizeof p, "swapped.shp"), "muni_code", NULL, NULL) ==
          NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CRS);
    CHECK_CONTAINS(cov_last_message(ctx), "swapped.shp: no .prj");
    CHECK_CONTAINS(cov_last_message(ctx), "x and y look swapped");

    /* a .prj that is no CRS: refused, naming the file and the text */
    cov_test_write_file(tmp(p, sizeof p, "swapped.prj"), "GEOGCS[\"nonsense\n");
    CHECK(cov_regions_read_shp(ctx, tmp(p, sizeof p, "swapped.shp"), "muni_code", NULL, NULL) ==
          NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CRS);
    CHECK_CONTAINS(cov_last_message(ctx), "swapped.shp: unknown CRS \"GEOGCS[\"nonsense\"");
    unlink(tmp(p, sizeof p, "swapped.prj"));

    /* not in Japan either way: no swap suggested, only "give the CRS" */
    double metres[10] = {0, 0, 0, 5000, 5000, 5000, 5000, 0, 0, 0};
    CHECK(one_region(ctx, metres, 5) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "give the CRS");
    CHECK(strstr(cov_last_message(ctx), "swapped") == NULL);

    /* facility points: lat beyond 90 */
    const char *fid[1] = {"f1"};
    double x[1] = {40.05}, y[1] = {140.05};
    CHECK(cov_facilities_from_arrays(ctx, 1, fid, NULL, NULL, NULL, x, y, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "facilities entry 0 (id f1)");
    CHECK_CONTAINS(cov_last_message(ctx), "look swapped");
}

/* ---- facilities, demand and radius -------------------------------------- */

static void test_points_and_weights(cov_ctx *ctx)
{
    const char *dup[2] = {"a", "a"};
    double x[2] = {140.05, 140.06}, y[2] = {40.05, 40.05};
    CHECK(cov_facilities_from_arrays(ctx, 2, dup, NULL, NULL, NULL, x, y, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_DUPLICATE);
    CHECK_STR(cov_last_message(ctx),
              "facilities entry 1: facility id \"a\" already used at facilities entry 0");

    const char *one[1] = {"a"};
    double bad[3] = {NAN, INFINITY, -INFINITY};
    for (int k = 0; k < 3; k++) {
        CHECK(cov_facilities_from_arrays(ctx, 1, one, NULL, NULL, NULL, &bad[k], y, NULL) ==
              NULL);
        CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
        CHECK_CONTAINS(cov_last_message(ctx), "are not a valid lon/lat");
        CHECK(cov_demand_from_points(ctx, 1, one, x, &bad[k], NULL, 0, NULL, NULL) == NULL);
        CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    }

    const char *codes[1] = {"53394611"}, *wn[1] = {"pop"};
    double w[4] = {-1, NAN, INFINITY, -0.0};
    for (int k = 0; k < 3; k++) {
        CHECK(cov_demand_from_mesh(ctx, 1, codes, 1, wn, &w[k]) == NULL);
        CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
        CHECK_CONTAINS(cov_last_message(ctx), "mesh demand: unit 53394611, weight \"pop\"");
    }
    cov_demand *d = cov_demand_from_mesh(ctx, 1, codes, 1, wn, &w[3]); /* -0 is 0 */
    CHECK(d && cov_demand_weights(d, 0)[0] == 0.0);
    cov_demand_destroy(d);

    /* a CSV with an empty or negative weight cell names file and line */
    char p[1024];
    cov_test_write_file(tmp(p, sizeof p, "weights.csv"), "mesh_code,pop\n53394611,3\n53394612,\n");
    const char *wf[1] = {"pop"};
    CHECK(cov_demand_read_mesh_csv(ctx, p, "mesh_code", 1, wf, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "weights.csv line 3");
    cov_test_write_file(p, "mesh_code,pop\n53394611,3\n53394612,-2\n");
    CHECK(cov_demand_read_mesh_csv(ctx, p, "mesh_code", 1, wf, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "weights.csv line 3");

    /* without a header, messages name the column by number */
    cov_test_write_file(p, "53394611,3\n5339461,4\n");
    const char *w2[1] = {"2"};
    CHECK(cov_demand_read_mesh_csv(ctx, p, "1", 1, w2, COV_CSV_NO_HEADER) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_MESH);
    CHECK_CONTAINS(cov_last_message(ctx), "weights.csv line 2 column 1: mesh code \"5339461\"");
    cov_test_write_file(p, "53394611,3\n53394612,-4\n");
    CHECK(cov_demand_read_mesh_csv(ctx, p, "1", 1, w2, COV_CSV_NO_HEADER) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "weights.csv line 2 column 2: weight -4 is negative");

    /* unknown CRS */
    CHECK(cov_facilities_from_arrays(ctx, 1, one, NULL, NULL, NULL, x, y, "EPSG:999999") == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CRS);
    CHECK_CONTAINS(cov_last_message(ctx), "unknown CRS \"EPSG:999999\"");
    CHECK(cov_facilities_from_arrays(ctx, 1, one, NULL, NULL, NULL, x, y, "not a crs") == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_CRS);
}

/* Radius 0, negative, NaN, infinite or beyond 1,000 km is refused; a
 * facility far from every region is kept with a warning; empty inputs
 * give empty or NaN results with a warning. */
static void test_analysis_edges(cov_ctx *ctx)
{
    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);
    cov_regions *r = one_region(ctx, square, 5);
    const char *fid[2] = {"near", "far"}, *did[1] = {"p"}, *wn[1] = {"pop"};
    double fx[2] = {140.05, 145.0}, fy[2] = {40.05, 44.0}, w[1] = {7};
    cov_facilities *f = cov_facilities_from_arrays(ctx, 2, fid, NULL, NULL, NULL, fx, fy, NULL);
    cov_demand *d = cov_demand_from_points(ctx, 1, did, fx, fy, NULL, 1, wn, w);
    CHECK(r && f && d);
    m.n_warning = 0;
    cov_analysis *an = r && f && d ? cov_analysis_create(ctx, r, f, d, NULL) : NULL;
    CHECK(an != NULL && m.n_warning == 1);
    CHECK_CONTAINS(m.warning, "1 facility(ies) lie more than 50 km from every region");
    CHECK_CONTAINS(m.warning, "far");
    double radii[] = {0, -1, NAN, INFINITY, 1000001};
    for (int k = 0; an && k < 5; k++) {
        CHECK(cov_analysis_coverage(ctx, an, NULL, radii[k], 0, 0) == NULL);
        CHECK(cov_last_error(ctx) == COV_ERR_ARG);
        CHECK_CONTAINS(cov_last_message(ctx), "it must be > 0 and <= 1,000 km");
    }
    /* the largest radius accepted covers the point: 1 of 1 */
    cov_table *t = an ? cov_analysis_coverage(ctx, an, NULL, 1000000, 0, COV_COVERAGE_NO_AREA) : NULL;
    CHECK(t && cov_table_nrows(t) == 1);
    if (t) CHECK_NEAR(cov_table_doubles(t, 6)[0], 1.0, 0);
    cov_table_destroy(t);
    cov_analysis_destroy(an);

    /* no facilities, no demand */
    cov_facilities *f0 = cov_facilities_from_arrays(ctx, 0, NULL, NULL, NULL, NULL, NULL, NULL,
                                                    NULL);
    cov_demand *d0 = cov_demand_from_points(ctx, 0, NULL, NULL, NULL, NULL, 1, wn, NULL);
    CHECK(f0 && d0);
    m.n_warning = 0;
    an = f0 && d0 ? cov_analysis_create(ctx, r, f0, d0, NULL) : NULL;
    CHECK(an && m.n_warning == 2);
    CHECK_CONTAINS(m.warning, "there are no demand units");
    t = an ? cov_analysis_coverage(ctx, an, NULL, 16000, 0, 0) : NULL;
    CHECK(t && cov_table_nrows(t) == 0);
    cov_table_destroy(t);
    cov_analysis_destroy(an);
    an = d0 ? cov_analysis_create(ctx, r, f, d0, NULL) : NULL;
    t = an ? cov_analysis_coverage(ctx, an, NULL, 16000, 0, COV_COVERAGE_NO_AREA) : NULL;
    CHECK(t && cov_table_nrows(t) == 1 && isnan(cov_table_doubles(t, 6)[0]) &&
          cov_table_doubles(t, 4)[0] == 0.0);
    cov_table_destroy(t);
    cov_analysis_destroy(an);
    cov_ctx_set_message_handler(ctx, NULL, NULL);
    cov_facilities_destroy(f0);
    cov_demand_destroy(d0);
    cov_facilities_destroy(f);
    cov_demand_destroy(d);
    cov_regions_destroy(r);

    /* a shapefile with no records */
    char p[1024];
    write_polygons("emptylayer", 0, NULL, NULL, NULL);
    CHECK(cov_regions_read_shp(ctx, tmp(p, sizeof p, "emptylayer.shp"), "muni_code", NULL,
                               "EPSG:6668") == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_EMPTY);
    CHECK_CONTAINS(cov_last_message(ctx), "emptylayer.shp: no region with a polygon");
    /* a facility CSV with only its header: no facilities, no error */
    cov_test_write_file(tmp(p, sizeof p, "nofac.csv"), "id,lon,lat\n");
    cov_facility_fields ff = {.id = "id", .lon = "lon", .lat = "lat"};
    cov_facilities *fe = cov_facilities_read_csv(ctx, p, &ff, NULL);
    CHECK(fe && cov_facilities_count(fe) == 0);
    cov_facilities_destroy(fe);
}

/* ---- huge declared lengths in the .shx / .shp --------------------------- */

static void test_huge_lengths(cov_ctx *ctx)
{
    char p[1024];
    int nv[2] = {5, 5};
    const char *ids[2] = {"a", "b"};
    double two[20];
    memcpy(two, square, sizeof square);
    memcpy(two + 10, square, sizeof square);
    write_polygons("hugelen", 2, nv, two, ids);
    /* record 1's content length in the .shx (big-endian 16-bit words) */
    unsigned char huge[4] = {0x7f, 0xff, 0xff, 0xff};
    patch(tmp(p, sizeof p, "hugelen.shx"), 100 + 8 + 4, huge, 4);
    CHECK(cov_regions_read_shp(ctx, tmp(p, sizeof p, "hugelen.shp"), "muni_code", NULL,
                               NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "hugelen.shp: not a valid shapefile");

    /* the part count of record 0 in the .shp itself */
    write_polygons("hugeparts", 2, nv, two, ids);
    int32_t parts = 0x7fffffff;
    patch(tmp(p, sizeof p, "hugeparts.shp"), 100 + 8 + 36, &parts, 4);
    CHECK(cov_regions_read_shp(ctx, tmp(p, sizeof p, "hugeparts.shp"), "muni_code", NULL,
                               NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "hugeparts.shp record 0: unreadable shape");

    /* a .shx declaring more records than the .shp holds */
    write_polygons("shortshp", 2, nv, two, ids);
    tmp(p, sizeof p, "shortshp.shp");
    CHECK(truncate(p, file_size(p) - 20) == 0);
    CHECK(cov_regions_read_shp(ctx, p, "muni_code", NULL, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "record 1 ends at byte");
}

/* ---- outputs ------------------------------------------------------------ */

static int same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int ca = 0, cb = 0, same = fa && fb;
    while (same && (ca = fgetc(fa)) == (cb = fgetc(fb)) && ca != EOF) {}
    if (same) same = ca == cb;
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

static void copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    for (int c; in && out && (c = fgetc(in)) != EOF;) fputc(c, out);
    if (in) fclose(in);
    if (out) fclose(out);
}

/* An input is never written over, however its path is spelled; a write
 * that fails leaves the previous output as it was. */
static void test_outputs(cov_ctx *ctx)
{
    char p[1024], q[1024], alias[1200];
    copy_file("data/sample/facilities.csv", tmp(p, sizeof p, "fac_in.csv"));
    copy_file(p, tmp(q, sizeof q, "fac_copy.csv"));
    cov_facility_fields ff = {.id = "facility_id", .kind = "kind", .lon = "lon", .lat = "lat"};
    cov_facilities *f = cov_facilities_read_csv(ctx, p, &ff, NULL);
    cov_table *t = f ? cov_facilities_table(ctx, f) : NULL;
    CHECK(t != NULL);
    CHECK(cov_is_input_path(ctx, p) && !cov_is_input_path(ctx, q));
    CHECK(!cov_is_input_path(NULL, p) && !cov_is_input_path(ctx, NULL));
    /* the same file as dir/./../<dir's name>/fac_in.csv, and a symlink */
    const char *dir = getenv("COV_TEST_TMP") && *getenv("COV_TEST_TMP") ? getenv("COV_TEST_TMP")
                                                                       : "/tmp";
    snprintf(alias, sizeof alias, "%s/./../%s/fac_in.csv", dir, strrchr(dir, '/') + 1);
    char link[1024];
    tmp(link, sizeof link, "fac_link.csv");
    unlink(link);
    CHECK(symlink(p, link) == 0);
    const char *spellings[3] = {p, alias, link};
    for (int k = 0; t && k < 3; k++) {
        CHECK(cov_table_write_csv(ctx, t, spellings[k]) == COV_ERR_IO);
        CHECK_CONTAINS(cov_last_message(ctx), "refusing to write");
        CHECK(cov_table_write_shp(ctx, t, spellings[k]) != COV_OK);
    }
    CHECK(same_bytes(p, q)); /* the input is untouched */

    /* every file of a shapefile set read as input, either case */
    cov_regions *r = cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "muni_code",
                                          NULL, NULL);
    CHECK(r != NULL);
    CHECK(cov_table_write_shp(ctx, t, "data/sample/municipalities.SHP") == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "municipalities.");
    CHECK(cov_table_write_csv(ctx, t, "data/sample/municipalities.dbf") == COV_ERR_IO);
    cov_regions_destroy(r);

    /* a failing write over an earlier output leaves it whole */
    tmp(q, sizeof q, "earlier.shp");
    CHECK(cov_table_write_shp(ctx, t, q) == COV_OK);
    char saved[1024];
    copy_file(q, tmp(saved, sizeof saved, "earlier_saved.bin"));
    cov_table *mixed = cov__table_create(ctx, 2, 1);
    GEOSWKTReader *rd = GEOSWKTReader_create_r(ctx->geos);
    cov__table_set_geometry(mixed, 0, GEOSWKTReader_read_r(ctx->geos, rd, "POINT (140 40)"));
    cov__table_set_geometry(mixed, 1, GEOSWKTReader_read_r(ctx->geos, rd,
                                                           "POLYGON ((140 40, 141 40, 141 41, 140 40))"));
    GEOSWKTReader_destroy_r(ctx->geos, rd);
    CHECK(cov_table_write_shp(ctx, mixed, q) == COV_ERR_GEOMETRY);
    CHECK(same_bytes(q, saved));
    SHPHandle h = SHPOpen(q, "rb");
    int n = 0;
    if (h) SHPGetInfo(h, &n, NULL, NULL, NULL), SHPClose(h);
    CHECK(n == (int)cov_facilities_count(f) && n > 0);
    cov_table_destroy(mixed);
    cov_table_destroy(t);
    cov_facilities_destroy(f);
}

/* Weights or capacities whose total is infinite (each finite) are refused
 * where the total overflows, naming the file, line and column; the largest
 * total that stays finite is accepted. Point demand names file and line. */
static void test_overflowing_totals(cov_ctx *ctx)
{
    char p[1024];
    const char *wf[1] = {"pop"};
    cov_test_write_file(tmp(p, sizeof p, "huge.csv"),
                        "mesh_code,pop\n53394611,1.7e308\n53394612,1e292\n53394613,1.7e308\n");
    CHECK(cov_demand_read_mesh_csv(ctx, p, "mesh_code", 1, wf, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "huge.csv line 4 column pop: weight is 1.7e+308, and "
                   "the column's total exceeds the largest number (1.8e308); weights must add "
                   "up to a finite total");
    /* 1.7e308 + 1e292 is finite: read, and the total is what C adds */
    cov_test_write_file(p, "mesh_code,pop\n53394611,1.7e308\n53394612,1e292\n");
    cov_demand *d = cov_demand_read_mesh_csv(ctx, p, "mesh_code", 1, wf, 0);
    CHECK(d && isfinite(cov_demand_weights(d, 0)[0] + cov_demand_weights(d, 0)[1]));
    cov_demand_destroy(d);

    const char *codes[2] = {"53394611", "53394612"}, *wn[1] = {"pop"};
    double w[2] = {1.7e308, 1.7e308};
    CHECK(cov_demand_from_mesh(ctx, 2, codes, 1, wn, w) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_STR(cov_last_message(ctx), "mesh demand: unit 53394612, weight \"pop\" is 1.7e+308, "
              "and the column's total exceeds the largest number (1.8e308); weights must add "
              "up to a finite total");
    double x[2] = {141.35, 141.36}, y[2] = {43.06, 43.06};
    CHECK(cov_demand_from_points(ctx, 2, codes, x, y, NULL, 1, wn, w) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "point demand: unit 53394612, weight \"pop\" is "
                   "1.7e+308, and the column's total exceeds");

    /* facility capacities */
    CHECK(cov_facilities_from_arrays(ctx, 2, codes, NULL, NULL, w, x, y, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_STR(cov_last_message(ctx), "facilities entry 1 (id 53394612): capacity 1.7e+308, "
              "and the total capacity exceeds the largest number (1.8e308); capacities must "
              "add up to a finite total");
    cov_test_write_file(tmp(p, sizeof p, "huge_fac.csv"),
                        "id,lon,lat,cap\nA,141.35,43.06,1e308\nB,141.36,43.06,\n"
                        "C,141.37,43.06,1e308\n");
    cov_facility_fields ff = {.id = "id", .lon = "lon", .lat = "lat", .capacity = "cap"};
    CHECK(cov_facilities_read_csv(ctx, p, &ff, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "huge_fac.csv line 4 (id C): capacity 1e+308, and "
                   "the total capacity exceeds");

    /* point demand from a CSV: the file and line of a bad position */
    cov_test_write_file(tmp(p, sizeof p, "points.csv"),
                        "id,lon,lat,pop\nP1,141.35,43.06,1\nP2,43.07,141.36,2\n");
    CHECK(cov_demand_read_points_csv(ctx, p, "id", "lon", "lat", NULL, 1, wf, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "points.csv line 3 (id P2) columns lon, lat: (43.07, "
                   "141.36) is not a valid lon/lat (they look swapped");
    cov_test_write_file(p, "id,lon,lat,pop\nP1,141.35,43.06,1e308\nP2,141.36,43.07,1e308\n");
    CHECK(cov_demand_read_points_csv(ctx, p, "id", "lon", "lat", NULL, 1, wf, 0) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "points.csv line 3 column pop: weight is 1e+308, and "
                   "the column's total exceeds");
    cov_test_write_file(p, "id,lon,lat,pop\nP1,141.35,43.06,1\nP1,141.36,43.07,1\n");
    CHECK(cov_demand_read_points_csv(ctx, p, "id", "lon", "lat", NULL, 1, wf, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_DUPLICATE);
    CHECK_CONTAINS(cov_last_message(ctx), "points.csv line 3: id \"P1\" repeats line 2");
}

/* A mesh code inside another of the same input (a 1 km cell beside its own
 * 500 m cells) would count its people twice: an error naming both. Codes
 * of mixed levels that do not overlap are fine. */
static void test_nested_mesh_codes(cov_ctx *ctx)
{
    char p[1024];
    const char *wf[1] = {"pop"};
    cov_test_write_file(tmp(p, sizeof p, "nested.csv"),
                        "mesh_code,pop\n53394611,4\n53394612,1\n533946111,1\n");
    CHECK(cov_demand_read_mesh_csv(ctx, p, "mesh_code", 1, wf, 0) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_DUPLICATE);
    CHECK_CONTAINS(cov_last_message(ctx), "nested.csv line 4 column mesh_code: mesh code "
                   "\"533946111\" lies inside mesh code \"53394611\" of line 2: a cell and a "
                   "cell within it would count the same people twice");
    cov_test_write_file(p, "mesh_code,pop\n5339,4\n5340,1\n5339461234,1\n");
    CHECK(cov_demand_read_mesh_csv(ctx, p, "mesh_code", 1, wf, 0) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "line 4 column mesh_code: mesh code \"5339461234\" "
                   "lies inside mesh code \"5339\" of line 2");
    const char *codes[3] = {"533946", "53394611", "5339461"}, *wn[1] = {"pop"};
    double w[3] = {1, 2, 3};
    CHECK(cov_demand_from_mesh(ctx, 2, codes, 1, wn, w) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_DUPLICATE);
    CHECK_CONTAINS(cov_last_message(ctx), "mesh demand: unit 1 (mesh code \"53394611\") lies "
                   "inside mesh code \"533946\" of unit 0");
    /* mixed levels side by side: read, each cell once, weights as given */
    cov_test_write_file(p, "mesh_code,pop\n53394611,4\n533946121,1\n533946122,2\n5340,7\n");
    cov_demand *d = cov_demand_read_mesh_csv(ctx, p, "mesh_code", 1, wf, 0);
    CHECK(d && cov_demand_count(d) == 4);
    CHECK(d && cov_demand_mesh_level(d, 0) == 3 && cov_demand_mesh_level(d, 1) == 4 &&
          cov_demand_mesh_level(d, 3) == 1);
    double sum = 0;
    for (size_t i = 0; d && i < 4; i++) sum += cov_demand_weights(d, 0)[i];
    CHECK(sum == 14.0);
    cov_demand_destroy(d);
}

/* ---- rings per record ------------------------------------------------ */
/* Writes stem.shp (+ .shx, .dbf with muni_code "01101", a JGD2011 .prj):
 * one polygon record of n_rings rings of 5 vertices each, ring i being the
 * clockwise square of side `side` degrees with its south-west corner at
 * (140 + i * shift, 40 + i * shift). */
static void write_ring_record(const char *stem, int n_rings, double side, double shift)
{
    char p[1024];
    int nv = 5 * n_rings;
    double *x = malloc((size_t)nv * sizeof *x), *y = malloc((size_t)nv * sizeof *y);
    int *start = malloc((size_t)n_rings * sizeof *start);
    for (int i = 0; i < n_rings; i++) {
        double x0 = 140 + i * shift, y0 = 40 + i * shift;
        const double dx[5] = {0, 0, side, side, 0}, dy[5] = {0, side, side, 0, 0};
        start[i] = 5 * i;
        for (int k = 0; k < 5; k++) x[5 * i + k] = x0 + dx[k], y[5 * i + k] = y0 + dy[k];
    }
    SHPHandle shp = SHPCreate(tmp(p, sizeof p, stem), SHPT_POLYGON);
    DBFHandle dbf = DBFCreate(p);
    DBFAddField(dbf, "muni_code", FTString, 10, 0);
    SHPObject *o = SHPCreateObject(SHPT_POLYGON, -1, n_rings, start, NULL, nv, x, y, NULL, NULL);
    SHPWriteObject(shp, -1, o);
    SHPDestroyObject(o);
    DBFWriteStringAttribute(dbf, 0, 0, "01101");
    SHPClose(shp);
    DBFClose(dbf);
    char prj[1100];
    snprintf(prj, sizeof prj, "%s.prj", p);
    cov_test_write_file(prj, "GEOGCS[\"JGD2011\",DATUM[\"Japanese_Geodetic_Datum_2011\","
                        "SPHEROID[\"GRS 1980\",6378137,298.257222101]],PRIMEM[\"Greenwich\",0],"
                        "UNIT[\"degree\",0.0174532925199433]]");
    free(x);
    free(y);
    free(start);
}

static double shp_area_km2(cov_ctx *ctx, const char *stem)
{
    char stem_path[1024], p[1100];
    snprintf(p, sizeof p, "%s.shp", tmp(stem_path, sizeof stem_path, stem));
    cov_regions *r = cov_regions_read_shp(ctx, p, "muni_code", NULL, NULL);
    double a = r ? region_area_km2(ctx, r) : NAN;
    cov_regions_destroy(r);
    return a;
}

/* 2,000 copies of one ring took a minute in GEOS (8,000: over 20 minutes);
 * copies are now dropped with a warning, overlapping parts are united part
 * by part, and a record beyond 10,000 rings is refused. The alarm turns a
 * return of the old cost into a failure. */
static void test_rings_per_record(cov_ctx *ctx)
{
    test_messages m = {0};
    cov_ctx_set_message_handler(ctx, test_on_warning, &m);
    signal(SIGALRM, on_alarm);
    alarm(60);
    write_ring_record("one_ring", 1, 0.01, 0);
    write_ring_record("copies", 2000, 0.01, 0);
    double one = shp_area_km2(ctx, "one_ring");
    CHECK(one > 0 && m.n_warning == 0);
    double copies = shp_area_km2(ctx, "copies");
    CHECK(copies == one);
    CHECK(m.n_warning == 1);
    CHECK_CONTAINS(m.warning, "copies.shp record 0: 1999 of its 2000 rings repeat an earlier "
                              "ring vertex for vertex and are dropped (first: ring 1 repeats "
                              "ring 0)");

    /* 300 squares of side a, each shifted by d on both axes: their union
     * is a staircase, given here as one valid ring (area a^2 + 299 (2ad - d^2)
     * in degrees) */
    const int n = 300;
    const double a = 0.01, d = 1e-5;
    m.n_warning = 0;
    write_ring_record("shifted", n, a, d);
    double shifted = shp_area_km2(ctx, "shifted");
    CHECK(m.n_warning == 1);
    CHECK_CONTAINS(m.warning, "shifted.shp record 0 (id 01101): invalid polygon repaired");
    double *xy = malloc((size_t)(4 * n + 4) * 2 * sizeof *xy);
    size_t k = 0;
    const double x0 = 140, y0 = 40;
#define PT(px, py) (xy[2 * k] = (px), xy[2 * k + 1] = (py), k++)
    PT(x0, y0);
    for (int i = 0; i < n; i++) { /* south-east side, up the steps */
        PT(x0 + a + i * d, y0 + i * d);
        PT(x0 + a + i * d, y0 + (i + 1) * d);
    }
    k--; /* the last step ends at the north-east corner's foot */
    PT(x0 + a + (n - 1) * d, y0 + a + (n - 1) * d);
    for (int i = n - 1; i > 0; i--) { /* north-west side, down the steps */
        PT(x0 + i * d, y0 + a + i * d);
        PT(x0 + i * d, y0 + a + (i - 1) * d);
    }
    PT(x0, y0 + a);
    PT(x0, y0);
#undef PT
    unsigned char *b = malloc(16 * k + 64);
    size_t size = wkb_polygon(b, xy, (uint32_t)k);
    const unsigned char *w[1] = {b};
    const char *ids[1] = {"stairs"};
    cov_regions *stairs = cov_regions_from_wkb(ctx, 1, ids, NULL, w, &size, NULL);
    CHECK(stairs != NULL && m.n_warning == 1); /* the staircase itself is valid */
    if (stairs) CHECK_NEAR(shifted, region_area_km2(ctx, stairs), 1e-9 * shifted);
    double ratio = (a * a + (n - 1) * (2 * a * d - d * d)) / (a * a);
    CHECK_NEAR(shifted / one, ratio, 1e-3 * ratio); /* degrees are not quite equal-area */
    cov_regions_destroy(stairs);
    free(b);
    free(xy);

    /* beyond the bound: refused before any work */
    write_ring_record("too_many", 10001, 0.0001, 0.0002);
    CHECK(isnan(shp_area_km2(ctx, "too_many")));
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "too_many.shp record 0: 10001 rings of 50005 "
                   "vertices in all; a record is read with at most 10000 rings and 5000000 "
                   "vertices (a damaged file, or split the polygon)");
    /* the same bound for WKB: a MultiPolygon of 10,001 small squares */
    size_t poly_bytes = 1 + 4 + 4 + 4 + 5 * 16, wkb_size = 9 + 10001 * poly_bytes;
    unsigned char *mw = malloc(wkb_size);
    uint32_t mtype = 6, mcount = 10001;
    mw[0] = 1;
    memcpy(mw + 1, &mtype, 4);
    memcpy(mw + 5, &mcount, 4);
    for (uint32_t i = 0; i < mcount; i++) {
        double sqxy[10], x0 = 140 + 0.0002 * (i % 100), y0 = 40 + 0.0002 * (i / 100);
        const double dx[5] = {0, 0, 1, 1, 0}, dy[5] = {0, 1, 1, 0, 0};
        for (int q = 0; q < 5; q++) sqxy[2 * q] = x0 + 1e-4 * dx[q], sqxy[2 * q + 1] = y0 + 1e-4 * dy[q];
        wkb_polygon(mw + 9 + i * poly_bytes, sqxy, 5);
    }
    const unsigned char *mws[1] = {mw};
    const char *mid[1] = {"r"};
    CHECK(cov_regions_from_wkb(ctx, 1, mid, NULL, mws, &wkb_size, NULL) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_GEOMETRY);
    CHECK_STR(cov_last_message(ctx), "regions entry 0 (id r): 10001 rings of 50005 vertices in "
              "all; a polygon is read with at most 10000 rings and 5000000 vertices (split it)");
    free(mw);
    /* 10,000 separate small squares: at the bound, read */
    write_ring_record("at_bound", 10000, 0.0001, 0.0002);
    double at_bound = shp_area_km2(ctx, "at_bound");
    CHECK(at_bound > 0);
    CHECK_NEAR(at_bound / one, 10000 * 1e-8 / 1e-4, 0.05); /* about 10000 (0.0001 deg)^2 */
    alarm(0);
    signal(SIGALRM, SIG_DFL);
    cov_ctx_set_message_handler(ctx, NULL, NULL);
}

/* ---- found by fuzz_dbf_encoding: a .cpg naming "UTF-8" followed by blanks
 * and a DOS end-of-file byte made iconv copy invalid bytes into the text.
 * The name is now trimmed of control bytes too: UTF-8, and CP932 bytes in
 * the .dbf are an error naming record and field. ------------------------ */
static void test_cpg_with_eof_byte(cov_ctx *ctx)
{
    const int nv[1] = {5};
    const char *ids[1] = {"\x8e\x44\x96\x79"}; /* 札幌 in CP932: not UTF-8 */
    write_polygons("cpg_eof", 1, nv, square, ids);
    char p[1024];
    cov_test_write_file(tmp(p, sizeof p, "cpg_eof.cpg"), "UTF-8                    \x1a");
    tmp(p, sizeof p, "cpg_eof.shp");
    CHECK(cov_regions_read_shp(ctx, p, "muni_code", NULL, "EPSG:6668") == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ENCODING);
    CHECK_CONTAINS(cov_last_message(ctx), "cpg_eof.shp record 0 field muni_code: invalid UTF-8 "
                                          "at byte 1 (0x8E 0x44)");
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    test_dbf_record_count_beyond_file(ctx);
    test_stray_vertex(ctx);
    test_densify_bounded(ctx);
    test_invalid_polygons(ctx);
    test_wild_ring_repair(ctx);
    test_swapped_axes(ctx);
    test_points_and_weights(ctx);
    test_analysis_edges(ctx);
    test_huge_lengths(ctx);
    test_outputs(ctx);
    test_overflowing_totals(ctx);
    test_nested_mesh_codes(ctx);
    test_rings_per_record(ctx);
    test_cpg_with_eof_byte(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
