/*
 * JIS X 0410 regional mesh codes (地域メッシュ), on the JGD2011 lon/lat grid.
 *
 * Levels and code lengths:
 *   1st   (about 80 km): 4 digits, 40' x 1 deg      e.g. 5339
 *   2nd   (about 10 km): 6 digits, 5'  x 7'30"      e.g. 533946
 *   3rd   (about 1 km):  8 digits, 30" x 45"        e.g. 53394611
 *   1/2   (about 500 m): 9 digits, 15" x 22.5"      e.g. 533946112
 *   1/4   (about 250 m): 10 digits, 7.5" x 11.25"   e.g. 5339461123
 */
#ifndef LIBCOVERAGE_MESH_H
#define LIBCOVERAGE_MESH_H

#include "libcoverage/core.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cov_mesh_level {
    COV_MESH_80KM = 1,  /* 1st-level mesh (第1次地域区画) */
    COV_MESH_10KM = 2,  /* 2nd-level mesh (第2次地域区画) */
    COV_MESH_1KM = 3,   /* 3rd-level mesh (基準地域メッシュ) */
    COV_MESH_500M = 4,  /* 1/2 mesh (2分の1地域メッシュ) */
    COV_MESH_250M = 5   /* 1/4 mesh (4分の1地域メッシュ) */
};

/* A decoded mesh cell: its level and its bounds in degrees (JGD2011). */
typedef struct cov_mesh_cell {
    int level;              /* enum cov_mesh_level */
    double west_lon_degree; /* south-west corner */
    double south_lat_degree;
    double east_lon_degree; /* north-east corner */
    double north_lat_degree;
} cov_mesh_cell;

/* Decodes a mesh code of 4, 6, 8, 9 or 10 ASCII digits (surrounding spaces
 * and a trailing ".0" written by spreadsheets are not accepted: the code must
 * be exact). Digits 3-4 of the 1st level must be 00-79 (longitude 100-179),
 * the 2nd-level digits 0-7, the 3rd-level digits 0-9, the 1/2 and 1/4
 * digits 1-4 (SW, SE, NW, NE). Returns COV_OK and fills *out_cell, or
 * COV_ERR_MESH (with a message naming the code and the digit at fault) for
 * a malformed code, or COV_ERR_ARG for NULL arguments; *out_cell is left
 * untouched on failure. */
COV_API int cov_mesh_decode(cov_ctx *ctx, const char *code,
                            cov_mesh_cell *out_cell);

/* Code of the cell of the given level that contains (lon, lat); points on a
 * cell's west or south edge belong to that cell (also points within about
 * 2e-12 deg below it, so that edges computed in floating point land right).
 * out_code must hold at least 11 bytes; it receives a NUL-terminated string,
 * "" on failure. Returns COV_OK, COV_ERR_ARG for a bad level or NULL, or
 * COV_ERR_VALUE when the point lies outside the range the mesh system can
 * code (0 <= lat < 66 2/3 deg, 100 <= lon < 180 deg) or is not finite. */
COV_API int cov_mesh_encode(cov_ctx *ctx, double lon, double lat, int level,
                            char *out_code);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_MESH_H */
