/* Tests for JIS X 0410 mesh codes (cov_mesh_decode, cov_mesh_encode,
 * cov__mesh_decode_n).
 *
 * Published values used, none computed by this library:
 *  [WGS] glassonion1/world-grid-square-ts, tests/jis.test.ts (commit
 *        54066a891f1787c706fdb01138fdb2ab38e7251b): south-west corner and
 *        centre of the Tokyo Tower codes 5339 ... 5339359921, and the codes
 *        of a point in Shibuya; tests/to_point.test.ts (commit
 *        458cc4b1242b3317f9d81cf15e328e1494273d24): the same for the Kyoto
 *        Tower codes, written there with the world-grid prefix "20"
 *        (2052353680 = JIS 52353680).
 *  [JISMESH] miettal/jismesh (the jismesh Python package), tests/
 *        test_to_meshcode.py: Tokyo Tower (35.658581 N, 139.745433 E) and
 *        Kyoto Tower (34.987574 N, 135.759363 E) codes at levels 1-5, and
 *        the rejected points lat -0.1, lon 99.99, lon 180, level 0;
 *        tests/test_to_meshpoint.py: the cell size of every level and the
 *        south-west corner (35 1/3 N, 139 E) of 5339, 533900, 53390000,
 *        533900001 and 5339000011.
 *  [GIKOSHA] http://www.gikosha.co.jp/fig_blog/mesh.html: 5339 has south
 *        edge 35 deg 20' and west edge 139 deg; 533923 is row 3 from the
 *        south (digit 2) and column 4 from the west (digit 3); 1-4 number
 *        the SW, SE, NW, NE quarters.
 *  [SINFONICA] http://www.sinfonica.or.jp/mesh/mimginfo.html and
 *        minfo.html: 5339-23 is the 1:25,000 sheet 原町田, 5339-23-43 one of
 *        its 3rd-level cells and 5339-23-43-1 the 1/2 cell in its south-west;
 *        cell sizes 40' x 1 deg, 5' x 7'30", 30" x 45", 15" x 22.5".
 */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "io/mesh_internal.h"
#include "libcoverage/mesh.h"
#include "testutil.h"

#define TOL 1e-9

/* Lat and lon sizes of each level in degrees, written from the definition
 * ([JISMESH] DICT_LEVEL_UNIT, [SINFONICA] table), not from the library. */
static const double size_lat[6] = {0, 40.0 / 60, 5.0 / 60, 30.0 / 3600,
                                   15.0 / 3600, 7.5 / 3600};
static const double size_lon[6] = {0, 1.0, 7.5 / 60, 45.0 / 3600,
                                   22.5 / 3600, 11.25 / 3600};

/* A code with its published south-west corner and centre. */
typedef struct {
    const char *code;
    int level;
    double sw_lon, sw_lat, c_lon, c_lat;
} published_cell;

static const published_cell published[] = {
    /* [WGS] jis.test.ts, Tokyo Tower */
    {"5339", 1, 139, 35.33333333333333, 139.5, 35.666666666666664},
    {"533935", 2, 139.625, 35.58333333333333, 139.6875, 35.62499999999999},
    {"53393599", 3, 139.7375, 35.65833333333333, 139.74375, 35.6625},
    {"533935992", 4, 139.74375, 35.65833333333333, 139.74687500000002,
     35.66041666666666},
    {"5339359921", 5, 139.74375, 35.65833333333333, 139.7453125, 35.659375},
    /* [WGS] to_point.test.ts, Kyoto Tower */
    {"5235", 1, 135, 34.66666666666666, 135.5, 34.99999999999999},
    {"523536", 2, 135.75, 34.91666666666666, 135.8125, 34.95833333333332},
    {"52353680", 3, 135.75, 34.98333333333333, 135.75625, 34.9875},
    {"523536804", 4, 135.75625, 34.9875, 135.759375, 34.98958333333333},
    {"5235368041", 5, 135.75625, 34.9875, 135.7578125, 34.98854166666666},
};

static void test_decode_published(cov_ctx *ctx)
{
    for (size_t i = 0; i < sizeof published / sizeof *published; i++) {
        const published_cell *p = &published[i];
        cov_mesh_cell c;
        CHECK(cov_mesh_decode(ctx, p->code, &c) == COV_OK);
        CHECK(c.level == p->level);
        CHECK_NEAR(c.west_lon_degree, p->sw_lon, TOL);
        CHECK_NEAR(c.south_lat_degree, p->sw_lat, TOL);
        /* the published centre fixes the north-east corner too */
        CHECK_NEAR(c.east_lon_degree, 2 * p->c_lon - p->sw_lon, TOL);
        CHECK_NEAR(c.north_lat_degree, 2 * p->c_lat - p->sw_lat, TOL);
    }
}

/* [JISMESH] test_to_meshpoint.py: every level's first cell in 5339 has
 * the 1st-level corner (35 1/3, 139) and the level's closed-form size. */
static void test_decode_jismesh_corners(cov_ctx *ctx)
{
    const char *codes[] = {NULL, "5339", "533900", "53390000", "533900001",
                           "5339000011"};
    for (int level = 1; level <= 5; level++) {
        cov_mesh_cell c;
        CHECK(cov_mesh_decode(ctx, codes[level], &c) == COV_OK);
        CHECK(c.level == level);
        CHECK_NEAR(c.south_lat_degree, 35.0 + 1.0 / 3.0, TOL);
        CHECK_NEAR(c.west_lon_degree, 139.0, TOL);
        CHECK_NEAR(c.north_lat_degree - c.south_lat_degree, size_lat[level], 1e-12);
        CHECK_NEAR(c.east_lon_degree - c.west_lon_degree, size_lon[level], 1e-12);
    }
}

/* [GIKOSHA]/[SINFONICA]: 5339-23 is 35d30'-35d35' N, 139d22'30"-139d30' E
 * (sheet 原町田); 5339-23-43 is 4 rows (of 30") and 3 columns (of 45") into
 * it; its 1/2 cell 1 is the south-west one, 2 the south-east. */
static void test_decode_sinfonica(cov_ctx *ctx)
{
    cov_mesh_cell c;
    CHECK(cov_mesh_decode(ctx, "533923", &c) == COV_OK);
    CHECK_NEAR(c.south_lat_degree, 35.5, TOL);
    CHECK_NEAR(c.north_lat_degree, 35.0 + 35.0 / 60, TOL);
    CHECK_NEAR(c.west_lon_degree, 139.0 + 22.5 / 60, TOL);
    CHECK_NEAR(c.east_lon_degree, 139.5, TOL);

    double s3 = 35.5 + 4 * 30.0 / 3600, w3 = 139.375 + 3 * 45.0 / 3600;
    CHECK(cov_mesh_decode(ctx, "53392343", &c) == COV_OK);
    CHECK(c.level == COV_MESH_1KM);
    CHECK_NEAR(c.south_lat_degree, s3, TOL);
    CHECK_NEAR(c.west_lon_degree, w3, TOL);

    CHECK(cov_mesh_decode(ctx, "533923431", &c) == COV_OK);
    CHECK(c.level == COV_MESH_500M);
    CHECK_NEAR(c.south_lat_degree, s3, TOL);
    CHECK_NEAR(c.west_lon_degree, w3, TOL);
    CHECK_NEAR(c.north_lat_degree, s3 + 15.0 / 3600, TOL);
    CHECK_NEAR(c.east_lon_degree, w3 + 22.5 / 3600, TOL);

    /* quarters 2, 3, 4 of the 1/2 cell: SE, NW, NE ([GIKOSHA]) */
    const double dlat[5] = {0, 0, 0, 15.0 / 3600, 15.0 / 3600};
    const double dlon[5] = {0, 0, 22.5 / 3600, 0, 22.5 / 3600};
    char code[32];
    for (int q = 1; q <= 4; q++) {
        snprintf(code, sizeof code, "53392343%d", q);
        CHECK(cov_mesh_decode(ctx, code, &c) == COV_OK);
        CHECK_NEAR(c.south_lat_degree, s3 + dlat[q], TOL);
        CHECK_NEAR(c.west_lon_degree, w3 + dlon[q], TOL);
        /* and the 1/4 cells inside it step by half that */
        snprintf(code, sizeof code, "53392343%d4", q);
        CHECK(cov_mesh_decode(ctx, code, &c) == COV_OK);
        CHECK(c.level == COV_MESH_250M);
        CHECK_NEAR(c.south_lat_degree, s3 + dlat[q] + 7.5 / 3600, TOL);
        CHECK_NEAR(c.west_lon_degree, w3 + dlon[q] + 11.25 / 3600, TOL);
    }
}

/* Codes of the extremes of the codable range. */
static void test_decode_range_ends(cov_ctx *ctx)
{
    cov_mesh_cell c;
    /* pp = 99, uu = 79: lat 66.0-66 2/3, lon 179-180 */
    CHECK(cov_mesh_decode(ctx, "99797799", &c) == COV_OK);
    CHECK_NEAR(c.north_lat_degree, 200.0 / 3, TOL);
    CHECK_NEAR(c.east_lon_degree, 180.0, TOL);
    /* 0000 is the grid's origin cell (lat 0, lon 100), inside the range
     * mesh.h documents for cov_mesh_encode, which codes points there as
     * 0000...; decode must accept what encode writes. */
    CHECK(cov_mesh_decode(ctx, "00000000", &c) == COV_OK);
    CHECK_NEAR(c.south_lat_degree, 0.0, TOL);
    CHECK_NEAR(c.west_lon_degree, 100.0, TOL);
}

/* Expects COV_ERR_MESH with the code (as shown) and reason in the message. */
static void check_bad(cov_ctx *ctx, const char *code, const char *shown,
                      const char *reason)
{
    cov_mesh_cell c = {99, 1, 2, 3, 4};
    cov_clear_error(ctx);
    CHECK(cov_mesh_decode(ctx, code, &c) == COV_ERR_MESH);
    CHECK(cov_last_error(ctx) == COV_ERR_MESH);
    CHECK_CONTAINS(cov_last_message(ctx), shown);
    CHECK_CONTAINS(cov_last_message(ctx), reason);
    CHECK(c.level == 99 && c.west_lon_degree == 1); /* untouched */
}

static void test_decode_malformed(cov_ctx *ctx)
{
    check_bad(ctx, "", "\"\"", "0 digits");
    check_bad(ctx, "12", "\"12\"", "2 digits");
    check_bad(ctx, "53394", "\"53394\"", "5 digits");
    check_bad(ctx, "5339461", "\"5339461\"", "7 digits");
    check_bad(ctx, "53394611230", "\"53394611230\"", "11 digits");
    check_bad(ctx, "533946119", "\"533946119\"", "digit 9 ('9') must be 1-4");
    check_bad(ctx, "533946110", "\"533946110\"", "digit 9 ('0') must be 1-4");
    check_bad(ctx, "5339461125", "\"5339461125\"", "digit 10 ('5') must be 1-4");
    check_bad(ctx, "533986", "\"533986\"",
              "digit 5 ('8') must be 0-7 in a 2nd-level code");
    check_bad(ctx, "53394811", "\"53394811\"",
              "digit 6 ('8') must be 0-7 in a 3rd-level code");
    check_bad(ctx, "5380", "\"5380\"", "digits 3-4 ('80') must be 00-79");
    check_bad(ctx, "99999999", "\"99999999\"", "digits 3-4 ('99')");
    check_bad(ctx, "53A9", "\"53A9\"", "character 3 ('A') is not a digit");
    check_bad(ctx, "5339-46", "\"5339-46\"", "character 5 ('-')");
    check_bad(ctx, "53394611.0", "\"53394611.0\"", "character 9 ('.')");
    check_bad(ctx, " 5339", "\" 5339\"", "character 1 (' ')");
    check_bad(ctx, "5339 ", "\"5339 \"", "character 5 (' ')");
    check_bad(ctx, "５３３９", "\"\\xEF\\xBC", "character 1 (\\xEF)");
    check_bad(ctx, "53\"9", "\"53\\x229\"", "character 3 ('\"')");

    /* A long line is cut in the message, not copied whole. */
    char longcode[600];
    memset(longcode, '5', sizeof longcode - 1);
    longcode[sizeof longcode - 1] = '\0';
    check_bad(ctx, longcode, "...\"", "599 digits");
    CHECK(strlen(cov_last_message(ctx)) < 200);

    cov_mesh_cell c;
    cov_clear_error(ctx);
    CHECK(cov_mesh_decode(ctx, NULL, &c) == COV_ERR_ARG);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov_mesh_decode(ctx, "5339", NULL) == COV_ERR_ARG);
    CHECK(cov_mesh_decode(NULL, "5339", &c) == COV_ERR_ARG);
}

static void test_decode_n(void)
{
    cov_mesh_cell c;
    char why[128];
    CHECK(cov__mesh_decode_n("533986", 6, &c, why, sizeof why) != 0);
    CHECK_STR(why, "digit 5 ('8') must be 0-7 in a 2nd-level code");
    /* only len bytes are read */
    CHECK(cov__mesh_decode_n("53394611xyz", 8, &c, why, sizeof why) == 0);
    CHECK_STR(why, "");
    CHECK(c.level == COV_MESH_1KM);
    CHECK(cov__mesh_decode_n("5339\0" "46", 6, &c, why, sizeof why) != 0);
    CHECK_STR(why, "character 5 (\\x00) is not a digit; write the code as bare digits");
    /* why may be absent or tiny */
    CHECK(cov__mesh_decode_n("53A9", 4, &c, NULL, 0) != 0);
    char tiny[6] = "xxxxx";
    CHECK(cov__mesh_decode_n("53A9", 4, &c, tiny, sizeof tiny) != 0);
    CHECK(strlen(tiny) == 5);
    CHECK(cov__mesh_decode_n(NULL, 4, &c, why, sizeof why) != 0);
    CHECK(cov__mesh_decode_n("5339", 4, NULL, why, sizeof why) != 0);
}

/* [JISMESH] test_to_meshcode.py, [WGS] jis.test.ts */
static void test_encode_published(cov_ctx *ctx)
{
    static const struct {
        double lon, lat;
        const char *codes[6];
    } pts[] = {
        {139.745433, 35.658581, /* Tokyo Tower */
         {NULL, "5339", "533935", "53393599", "533935992", "5339359921"}},
        {135.759363, 34.987574, /* Kyoto Tower */
         {NULL, "5235", "523536", "52353680", "523536804", "5235368041"}},
        {139.6982122, 35.6640352, /* Shibuya ([WGS] only) */
         {NULL, "5339", "533935", "53393595", "533935954", "5339359542"}},
    };
    char code[11];
    for (size_t i = 0; i < sizeof pts / sizeof *pts; i++)
        for (int level = 1; level <= 5; level++) {
            CHECK(cov_mesh_encode(ctx, pts[i].lon, pts[i].lat, level, code) == COV_OK);
            CHECK_STR(code, pts[i].codes[level]);
        }
}

static void check_encode(cov_ctx *ctx, double lon, double lat, int level,
                         const char *want)
{
    char code[11];
    CHECK(cov_mesh_encode(ctx, lon, lat, level, code) == COV_OK);
    CHECK_STR(code, want);
}

/* Points on a south or west edge belong to the cell north or east of it,
 * including edges computed in floating point a few ulps short. */
static void test_encode_edges(cov_ctx *ctx)
{
    check_encode(ctx, 139.0, 35.0 + 20.0 / 60, 1, "5339"); /* [GIKOSHA] */
    check_encode(ctx, 139.0, 53 / 1.5, 1, "5339");
    check_encode(ctx, 139.0, 35.0 + 1.0 / 3.0, 1, "5339");
    check_encode(ctx, 139.0, 35.0 + 1.0 / 3.0 - 1e-9, 1, "5239");
    check_encode(ctx, 140.0, 35.5, 1, "5340");
    check_encode(ctx, 140.0 - 1e-9, 35.5, 1, "5339");
    check_encode(ctx, 139.5, 36.0, 1, "5439");
    /* [SINFONICA] 5339-23: south edge 35.5, west edge 139 deg 22'30" */
    check_encode(ctx, 139.0 + 22.5 / 60, 35.0 + 30.0 / 60, 2, "533923");
    check_encode(ctx, 139.375 - 1e-9, 35.5, 2, "533922");
    check_encode(ctx, 139.375, 35.5 - 1e-9, 2, "533913");
    /* the corner of 5339-23-43, built from inexact steps */
    double s3 = 35.5 + 4 * (30.0 / 3600), w3 = 139.375 + 3 * (45.0 / 3600);
    check_encode(ctx, w3, s3, 3, "53392343");
    check_encode(ctx, w3, s3, 4, "533923431");
    check_encode(ctx, w3, s3, 5, "5339234311");
    check_encode(ctx, w3 + 22.5 / 3600, s3 + 15.0 / 3600, 4, "533923434");
    check_encode(ctx, w3 + 11.25 / 3600, s3 + 7.5 / 3600, 5, "5339234314");
    check_encode(ctx, w3 + 11.25 / 3600 - 1e-9, s3 + 7.5 / 3600, 5, "5339234313");
    /* the ends of the range */
    check_encode(ctx, 100.0, 0.0, 5, "0000000011");
    check_encode(ctx, 180.0 - 1e-9, 200.0 / 3 - 1e-9, 5, "9979779944");
}

static void check_encode_fails(cov_ctx *ctx, double lon, double lat,
                               int level, int status, const char *reason)
{
    char code[11] = "junk";
    cov_clear_error(ctx);
    CHECK(cov_mesh_encode(ctx, lon, lat, level, code) == status);
    CHECK(cov_last_error(ctx) == status);
    CHECK_CONTAINS(cov_last_message(ctx), reason);
    CHECK_STR(code, "");
}

static void test_encode_rejects(cov_ctx *ctx)
{
    /* [JISMESH] test_invalid_latitude/longitude/unsupported_level */
    check_encode_fails(ctx, 139.745433, -0.1, 1, COV_ERR_VALUE, "lat -0.1");
    check_encode_fails(ctx, 99.99, 35.658581, 1, COV_ERR_VALUE, "lon 99.99");
    check_encode_fails(ctx, 180.0, 35.658581, 1, COV_ERR_VALUE, "outside");
    check_encode_fails(ctx, 139.745433, 35.658581, 0, COV_ERR_ARG, "level 0");
    /* north of pp = 99, and non-finite input */
    check_encode_fails(ctx, 139.0, 200.0 / 3, 3, COV_ERR_VALUE, "outside");
    check_encode_fails(ctx, 139.0, 66.67, 3, COV_ERR_VALUE, "outside");
    check_encode_fails(ctx, NAN, 35.0, 3, COV_ERR_VALUE, "outside");
    check_encode_fails(ctx, 139.0, INFINITY, 3, COV_ERR_VALUE, "outside");
    check_encode_fails(ctx, -1e300, 1e300, 3, COV_ERR_VALUE, "outside");
    check_encode_fails(ctx, 139.0, 35.0, 6, COV_ERR_ARG, "level 6");
    check_encode_fails(ctx, 139.0, 35.0, -1, COV_ERR_ARG, "level -1");

    CHECK(cov_mesh_encode(ctx, 139.0, 35.0, 3, NULL) == COV_ERR_ARG);
    char code[11];
    CHECK(cov_mesh_encode(NULL, 139.0, 35.0, 3, code) == COV_ERR_ARG);
}

/* Code of (lon, lat) by the textbook formula (floor of lat*1.5, of lat*12
 * mod 8, ...): independent of the library's integer units, and reliable
 * away from cell edges. */
static void textbook_code(double lon, double lat, char out[11])
{
    double x = lon - 100;
    int pp = (int)floor(lat * 1.5), uu = (int)floor(x);
    int q = (int)floor(fmod(lat * 12, 8)), v = (int)floor(fmod(x * 8, 8));
    int r = (int)floor(fmod(lat * 120, 10)), w = (int)floor(fmod(x * 80, 10));
    int h = 1 + 2 * (int)floor(fmod(lat * 240, 2)) + (int)floor(fmod(x * 160, 2));
    int k = 1 + 2 * (int)floor(fmod(lat * 480, 2)) + (int)floor(fmod(x * 320, 2));
    snprintf(out, 11, "%02d%02d%d%d%d%d%d%d", pp, uu, q, v, r, w, h, k);
}

/* Distance of t from the nearest integer. */
static double off_grid(double t) { return fabs(t - floor(t + 0.5)); }

/* Over a grid of points covering Japan: the code matches the textbook
 * formula, codes nest, the cell contains the point, and the centre and
 * the south-west corner of the cell encode back to the same code. */
static void test_round_trip(cov_ctx *ctx)
{
    long bad_formula = 0, bad_nest = 0, bad_contain = 0, bad_centre = 0,
         bad_corner = 0, n = 0;
    for (double lat = 20.0; lat < 46.0; lat += 0.0731)
        for (double lon = 122.0; lon < 154.0; lon += 0.0917) {
            char prev[11] = "", code[11], want[11], back[11];
            int far_from_edges = off_grid(lat * 480) > 1e-6 &&
                                 off_grid((lon - 100) * 320) > 1e-6;
            textbook_code(lon, lat, want);
            for (int level = 1; level <= 5; level++, n++) {
                cov_mesh_cell c;
                if (cov_mesh_encode(ctx, lon, lat, level, code) != COV_OK ||
                    cov_mesh_decode(ctx, code, &c) != COV_OK) {
                    bad_formula++;
                    continue;
                }
                size_t len = strlen(code);
                if (far_from_edges && strncmp(code, want, len) != 0) bad_formula++;
                if (strncmp(code, prev, strlen(prev)) != 0) bad_nest++;
                if (!(c.south_lat_degree <= lat + 1e-12 && lat < c.north_lat_degree &&
                      c.west_lon_degree <= lon + 1e-12 && lon < c.east_lon_degree))
                    bad_contain++;
                cov_mesh_encode(ctx, (c.west_lon_degree + c.east_lon_degree) / 2,
                                (c.south_lat_degree + c.north_lat_degree) / 2,
                                level, back);
                if (strcmp(back, code) != 0) bad_centre++;
                cov_mesh_encode(ctx, c.west_lon_degree, c.south_lat_degree, level, back);
                if (strcmp(back, code) != 0) bad_corner++;
                memcpy(prev, code, len + 1);
            }
        }
    CHECK(n > 100000);
    CHECK(bad_formula == 0);
    CHECK(bad_nest == 0);
    CHECK(bad_contain == 0);
    CHECK(bad_centre == 0);
    CHECK(bad_corner == 0);
}

/* Every 1/4 cell of one 2nd-level cell (40 x 40 of them): each one's
 * centre finds it, and neighbours share edges exactly (no gaps or
 * overlaps), ending on the 2nd-level cell's own edges. */
static void test_tiling(cov_ctx *ctx)
{
    long bad = 0;
    cov_mesh_cell base;
    CHECK(cov_mesh_decode(ctx, "533946", &base) == COV_OK);
    double north = base.south_lat_degree, east = 0;
    for (int row = 0; row < 40; row++) {
        double lat = base.south_lat_degree + (row + 0.5) * size_lat[5];
        double row_south = north;
        east = base.west_lon_degree;
        for (int col = 0; col < 40; col++) {
            double lon = base.west_lon_degree + (col + 0.5) * size_lon[5];
            char code[11];
            cov_mesh_cell c = {0, 0, 0, 0, 0};
            if (cov_mesh_encode(ctx, lon, lat, 5, code) != COV_OK ||
                cov_mesh_decode(ctx, code, &c) != COV_OK ||
                strncmp(code, "533946", 6) != 0)
                bad++;
            if (c.south_lat_degree != row_south || c.west_lon_degree != east) bad++;
            east = c.east_lon_degree;
            north = c.north_lat_degree;
        }
        if (east != base.east_lon_degree) bad++;
    }
    CHECK(bad == 0);
    CHECK(north == base.north_lat_degree);
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    CHECK(ctx != NULL);
    if (!ctx) TEST_END();
    test_decode_published(ctx);
    test_decode_jismesh_corners(ctx);
    test_decode_sinfonica(ctx);
    test_decode_range_ends(ctx);
    test_decode_malformed(ctx);
    test_decode_n();
    test_encode_published(ctx);
    test_encode_edges(ctx);
    test_encode_rejects(ctx);
    test_round_trip(ctx);
    test_tiling(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
