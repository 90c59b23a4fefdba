/* JIS X 0410 mesh codes: decoding to cell bounds, encoding points.
 *
 * Both directions count whole "units", the size of the finest cell (1/4
 * mesh): 7.5" of latitude (1/480 deg) by 11.25" of longitude (1/320 deg).
 * On both axes a 1st-level cell is then 320 units, a 2nd 40, a 3rd 4, a 1/2
 * cell 2. Integer units make decoding exact up to one final division and
 * reduce encoding's edge rule to one floor, instead of chains of fmod on
 * fractions like 1/1.5 that are not representable in binary. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "io/mesh_internal.h"

#define MESH_LAT_UNITS_PER_DEG 480 /* 3600" / 7.5" */
#define MESH_LON_UNITS_PER_DEG 320 /* 3600" / 11.25" */
#define MESH_LON_ORIGIN_DEG 100    /* the last two digits count from 100 E */
#define MESH_LAT_UNITS_END 32000   /* pp <= 99: lat < 66 2/3 deg */
#define MESH_LON_UNITS_END 25600   /* uu <= 79: lon < 180 deg */
#define MESH_UU_MAX 79

/* A point this close (in units) below a south or west edge is taken to lie
 * on it, so a user's edge computed as 35 + 20/60.0, a few ulps short of the
 * true 35 1/3, still falls in the cell north of it. 1e-9 units is about
 * 2e-12 deg (0.2 micrometres), far above rounding (~4e-12 units at 32000)
 * and far below any real coordinate's precision. */
#define MESH_EDGE_EPS_UNITS 1e-9

/* Indexed by enum cov_mesh_level. */
static const long mesh_cell_units[6] = {0, 320, 40, 4, 2, 1};
static const size_t mesh_code_len[6] = {0, 4, 6, 8, 9, 10};
static const char *const mesh_level_name[6] = {
    "", "1st-level", "2nd-level", "3rd-level", "1/2-mesh", "1/4-mesh"};

/* Longest part of a code quoted in a message: enough for any real code,
 * short enough that a whole line pasted by mistake does not flood it. */
#define MESH_SHOW_MAX 24

static int mesh_level_of_length(size_t len)
{
    for (int level = COV_MESH_80KM; level <= COV_MESH_250M; level++)
        if (mesh_code_len[level] == len) return level;
    return 0;
}

/* Quotes a byte for a message: 'A' if printable ASCII, else \xNN, so
 * control bytes and broken UTF-8 never reach the message handler raw. */
static void mesh_show_byte(unsigned char c, char *buf, size_t size)
{
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "\\x%02X", c);
}

/* Renders code for a message, escaping as mesh_show_byte and cutting it
 * after MESH_SHOW_MAX bytes with "...". buf needs 4 * MESH_SHOW_MAX + 4. */
static void mesh_show_code(const char *code, size_t len, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < len && i < MESH_SHOW_MAX && n + 5 < size; i++) {
        unsigned char c = (unsigned char)code[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            buf[n++] = (char)c;
        else
            n += (size_t)snprintf(buf + n, size - n, "\\x%02X", c);
    }
    if (len > MESH_SHOW_MAX && n + 4 <= size) memcpy(buf + n, "...", 4);
    else buf[n] = '\0';
}

/* floor(t), except that t within MESH_EDGE_EPS_UNITS below an integer
 * counts as that integer (see MESH_EDGE_EPS_UNITS). */
static long mesh_snap_floor(double t)
{
    double n = floor(t);
    if (n + 1.0 - t <= MESH_EDGE_EPS_UNITS) n += 1.0;
    return (long)n;
}

/* Units north of the equator and east of 100 E of the unit cell holding
 * (lon, lat); 0 when the point is outside the codable range. */
static int mesh_point_units(double lon, double lat, long *lat_u, long *lon_u)
{
    /* A loose prefilter keeps the long conversion below defined. */
    if (!(lat > -1.0 && lat < 67.0 && lon > 99.0 && lon < 181.0)) return 0;
    *lat_u = mesh_snap_floor(lat * MESH_LAT_UNITS_PER_DEG);
    *lon_u = mesh_snap_floor((lon - MESH_LON_ORIGIN_DEG) * MESH_LON_UNITS_PER_DEG);
    return *lat_u >= 0 && *lat_u < MESH_LAT_UNITS_END && *lon_u >= 0 &&
           *lon_u < MESH_LON_UNITS_END;
}

/* Writes the 10-digit (1/4 mesh) code of a unit cell; shorter levels are
 * its prefixes. */
static void mesh_units_to_code(long lat_u, long lon_u, char out[11])
{
    long pp = lat_u / 320, uu = lon_u / 320;
    out[0] = (char)('0' + pp / 10);
    out[1] = (char)('0' + pp % 10);
    out[2] = (char)('0' + uu / 10);
    out[3] = (char)('0' + uu % 10);
    out[4] = (char)('0' + lat_u % 320 / 40);
    out[5] = (char)('0' + lon_u % 320 / 40);
    out[6] = (char)('0' + lat_u % 40 / 4);
    out[7] = (char)('0' + lon_u % 40 / 4);
    /* 1/2 and 1/4 digits number SW, SE, NW, NE as 1-4: 1 + 2*north + east */
    out[8] = (char)('1' + 2 * (lat_u % 4 / 2) + lon_u % 4 / 2);
    out[9] = (char)('1' + 2 * (lat_u % 2) + lon_u % 2);
    out[10] = '\0';
}

int cov_mesh_decode(cov_ctx *ctx, const char *code, cov_mesh_cell *out_cell)
{
    COV_CHECK_ARG(ctx, ctx, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, code, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, out_cell, COV_ERR_ARG);
    char why[128], shown[4 * MESH_SHOW_MAX + 4];
    size_t len = strlen(code);
    if (cov__mesh_decode_n(code, len, out_cell, why, sizeof why) == 0)
        return COV_OK;
    mesh_show_code(code, len, shown, sizeof shown);
    return cov__error(ctx, COV_ERR_MESH, "mesh code \"%s\": %s", shown, why);
}

int cov_mesh_encode(cov_ctx *ctx, double lon, double lat, int level,
                    char *out_code)
{
    COV_CHECK_ARG(ctx, ctx, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, out_code, COV_ERR_ARG);
    out_code[0] = '\0';
    if (level < COV_MESH_80KM || level > COV_MESH_250M)
        return cov__error(ctx, COV_ERR_ARG,
                          "cov_mesh_encode: level %d is not a mesh level "
                          "(1 = 1st ... 5 = 1/4 mesh)", level);
    long lat_u, lon_u;
    if (!mesh_point_units(lon, lat, &lat_u, &lon_u))
        return cov__error(ctx, COV_ERR_VALUE,
                          "cov_mesh_encode: point (lon %.12g, lat %.12g) is "
                          "outside the range mesh codes cover "
                          "(lon 100..180, lat 0..66.67 deg)", lon, lat);
    char full[11];
    mesh_units_to_code(lat_u, lon_u, full);
    memcpy(out_code, full, mesh_code_len[level]);
    out_code[mesh_code_len[level]] = '\0';
    return COV_OK;
}

/* ---- decoding without a context ---- */

static int mesh_fail(char *why, size_t why_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int mesh_fail(char *why, size_t why_size, const char *fmt, ...)
{
    if (why && why_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Checks that the digit at index i (0-based) lies in lo..hi. */
static int mesh_digit_ok(const char *code, size_t i, int lo, int hi,
                         int level, char *why, size_t why_size)
{
    int d = code[i] - '0';
    if (d >= lo && d <= hi) return 0;
    return mesh_fail(why, why_size, "digit %zu ('%c') must be %d-%d in a %s code",
                     i + 1, code[i], lo, hi, mesh_level_name[level]);
}

/* Syntax and range checks; on success *out_level is the code's level. */
static int mesh_validate(const char *code, size_t len, int *out_level,
                         char *why, size_t why_size)
{
    for (size_t i = 0; i < len; i++) {
        if (code[i] >= '0' && code[i] <= '9') continue;
        char shown[8];
        mesh_show_byte((unsigned char)code[i], shown, sizeof shown);
        return mesh_fail(why, why_size,
                         "character %zu (%s) is not a digit; write the code "
                         "as bare digits", i + 1, shown);
    }
    int level = mesh_level_of_length(len);
    if (!level)
        return mesh_fail(why, why_size,
                         "%zu digits; a mesh code has 4, 6, 8, 9 or 10", len);
    /* uu = lon - 100 deg: 80 and above would start at or east of 180 deg */
    if ((code[2] - '0') * 10 + (code[3] - '0') > MESH_UU_MAX)
        return mesh_fail(why, why_size,
                         "digits 3-4 ('%c%c') must be 00-79 (longitude 100-179 "
                         "deg) in a %s code", code[2], code[3],
                         mesh_level_name[level]);
    /* index, lowest, highest allowed digit after the 1st-level part */
    static const int rules[6][3] = {{4, 0, 7}, {5, 0, 7}, {6, 0, 9},
                                    {7, 0, 9}, {8, 1, 4}, {9, 1, 4}};
    for (size_t k = 0; k < 6 && (size_t)rules[k][0] < len; k++)
        if (mesh_digit_ok(code, (size_t)rules[k][0], rules[k][1], rules[k][2],
                          level, why, why_size))
            return -1;
    *out_level = level;
    return 0;
}

int cov__mesh_decode_n(const char *code, size_t len, cov_mesh_cell *out,
                       char *why, size_t why_size)
{
    if (why && why_size) why[0] = '\0';
    if (!code || !out) return mesh_fail(why, why_size, "no code or no output");
    int level = 0;
    if (mesh_validate(code, len, &level, why, why_size)) return -1;
    int d[10] = {0};
    for (size_t i = 0; i < len; i++) d[i] = code[i] - '0';
    long lat_u = (d[0] * 10 + d[1]) * 320L + d[4] * 40L + d[6] * 4L;
    long lon_u = (d[2] * 10 + d[3]) * 320L + d[5] * 40L + d[7] * 4L;
    /* 1/2 and 1/4 digits 1-4 = SW, SE, NW, NE: (digit - 1) = 2*north + east */
    for (int i = 8; i < (int)len; i++) {
        long step = i == 8 ? 2 : 1;
        lat_u += (d[i] - 1) / 2 * step;
        lon_u += (d[i] - 1) % 2 * step;
    }
    long size = mesh_cell_units[level];
    const double lon0 = MESH_LON_ORIGIN_DEG * (double)MESH_LON_UNITS_PER_DEG;
    out->level = level;
    /* one division each, so every bound is the correctly rounded value */
    out->south_lat_degree = (double)lat_u / MESH_LAT_UNITS_PER_DEG;
    out->north_lat_degree = (double)(lat_u + size) / MESH_LAT_UNITS_PER_DEG;
    out->west_lon_degree = (lon0 + (double)lon_u) / MESH_LON_UNITS_PER_DEG;
    out->east_lon_degree = (lon0 + (double)(lon_u + size)) / MESH_LON_UNITS_PER_DEG;
    return 0;
}
