/* Coordinate transformations through PROJ. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo/geo.h"

int cov__lonlat_ok(double lon, double lat)
{
    return isfinite(lon) && isfinite(lat) && lon >= -180.0 && lon <= 360.0 &&
           lat >= -90.0 && lat <= 90.0;
}

const char *cov__lonlat_hint(double lon, double lat)
{
    if (cov__lonlat_ok(lon, lat) && lon <= 180.0) return "";
    if (cov__lonlat_ok(lat, lon) && lat <= 180.0)
        return " (they look swapped: give longitude first, latitude second)";
    if (isfinite(lon) && isfinite(lat) && (fabs(lon) > 360.0 || fabs(lat) > 90.0))
        return " (metres? give the CRS of projected coordinates)";
    return "";
}

const char *cov__swap_hint(cov_ctx *ctx, double x0, double y0, double x1, double y1)
{
    double w = 0, s = 0, e = 0, n = 0;
    PJ *crs = proj_create(ctx->proj, COV_LONLAT_CRS);
    int known = crs && proj_get_area_of_use(ctx->proj, crs, &w, &s, &e, &n, NULL);
    proj_destroy(crs);
    proj_context_errno(ctx->proj); /* a failed lookup is no error of the caller's */
    if (!known || !(y0 >= w && y1 <= e && x0 >= s && x1 <= n)) return "";
    return " (x and y look swapped: exchanged, they lie in Japan, the area of use of "
           "JGD2011; give longitude first)";
}

static const char *proj_reason(cov_ctx *ctx)
{
    int e = proj_context_errno(ctx->proj);
    const char *text = e ? proj_context_errno_string(ctx->proj, e) : NULL;
    /* PROJ says "Unknown error (code N)" for most parse failures */
    if (!text || strncmp(text, "Unknown error", 13) == 0)
        return "not a CRS PROJ knows: give e.g. EPSG:6668, WKT or a PROJ string";
    return text;
}

/* A normalised (lon/lat, easting/northing order) transformation. */
static int make_xform(cov_ctx *ctx, PJ *src, PJ *dst, const char *what,
                      cov_xform *out)
{
    PJ *op = proj_create_crs_to_crs_from_pj(ctx->proj, src, dst, NULL, NULL);
    PJ *norm = op ? proj_normalize_for_visualization(ctx->proj, op) : NULL;
    proj_destroy(op);
    if (!norm)
        return cov__error(ctx, COV_ERR_CRS,
                          "%s: no transformation to the target CRS (%s)", what,
                          proj_reason(ctx));
    out->pj = norm;
    out->identity = 0;
    return COV_OK;
}

/* Whether a CRS text is structured (AUTH:CODE, URN, WKT, PROJ string or
 * PROJJSON) rather than a bare name. */
static int structured(const char *crs)
{
    return strchr(crs, ':') || strchr(crs, '[') || strchr(crs, '{') || strstr(crs, "proj=");
}

static PJ *create_crs(cov_ctx *ctx, const char *crs, const char *what)
{
    PJ *pj = proj_create(ctx->proj, crs);
    /* PROJ matches bare names loosely ("foo" gives Amersfoort): a name must
     * be the CRS's own name, or the user gets a datum they never asked for. */
    if (pj && proj_is_crs(pj) &&
        (structured(crs) || (proj_get_name(pj) && strcasecmp(proj_get_name(pj), crs) == 0)))
        return pj;
    proj_destroy(pj);
    cov__error(ctx, COV_ERR_CRS, "%s: unknown CRS \"%.200s\" (%s)", what, crs,
               proj_reason(ctx));
    return NULL;
}

int cov__xform_to_lonlat(cov_ctx *ctx, const char *crs, const char *what,
                         cov_xform *out)
{
    out->pj = NULL;
    out->identity = 1;
    out->projected = 0;
    if (!crs || !*crs) return COV_OK;
    PJ *src = create_crs(ctx, crs, what);
    if (!src) return ctx->status;
    out->projected = proj_get_type(src) == PJ_TYPE_PROJECTED_CRS;
    PJ *dst = proj_create(ctx->proj, COV_LONLAT_CRS);
    int status = COV_OK;
    if (!dst) {
        status = cov__error(ctx, COV_ERR_CRS, "cannot create %s (is proj-data installed?): %s",
                            COV_LONLAT_CRS, proj_reason(ctx));
    } else if (!proj_is_equivalent_to_with_ctx(
                   ctx->proj, src, dst,
                   PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS)) {
        status = make_xform(ctx, src, dst, what, out);
    }
    proj_destroy(src);
    proj_destroy(dst);
    return status;
}

int cov__xform_to_projected(cov_ctx *ctx, const char *crs, double lon0,
                            double lat0, cov_xform *out, char **out_def)
{
    char def[256];
    out->pj = NULL;
    out->identity = 0;
    *out_def = NULL;
    if (!crs || !*crs) {
        /* Equal-area, so that areas and shares of area are exact; GRS80 is
         * JGD2011's ellipsoid, so no datum shift is involved. */
        snprintf(def, sizeof def,
                 "+proj=laea +lat_0=%.6f +lon_0=%.6f +x_0=0 +y_0=0 "
                 "+ellps=GRS80 +units=m +no_defs +type=crs",
                 lat0, lon0);
        crs = def;
    }
    PJ *dst = create_crs(ctx, crs, "analysis CRS");
    if (!dst) return ctx->status;
    PJ_TYPE type = proj_get_type(dst);
    int status;
    if (type != PJ_TYPE_PROJECTED_CRS) {
        status = cov__error(ctx, COV_ERR_CRS,
                            "analysis CRS \"%.200s\" is not a projected CRS in "
                            "metres; areas need one",
                            crs);
    } else {
        PJ *src = proj_create(ctx->proj, COV_LONLAT_CRS);
        status = src ? make_xform(ctx, src, dst, "analysis CRS", out)
                     : cov__error(ctx, COV_ERR_CRS, "cannot create %s: %s",
                                  COV_LONLAT_CRS, proj_reason(ctx));
        proj_destroy(src);
    }
    proj_destroy(dst);
    if (status == COV_OK && !(*out_def = cov__strdup(ctx, crs))) {
        cov__xform_free(out);
        status = COV_ERR_NOMEM;
    }
    return status;
}

int cov__xform_points(cov_ctx *ctx, const cov_xform *xf, size_t n, double *x,
                      double *y, const char *what)
{
    if (xf->identity || n == 0) return COV_OK;
    proj_trans_generic(xf->pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n, NULL,
                       0, 0, NULL, 0, 0);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]) || x[i] == HUGE_VAL)
            return cov__error(ctx, COV_ERR_CRS,
                              "%s: point %zu cannot be transformed (%s)", what,
                              i, proj_reason(ctx));
    return COV_OK;
}

/* A transformation job: direction, and the longest segment kept in source
 * units (0: none) so that edges straight in the source stay close to
 * straight once transformed. */
typedef struct xform_job {
    PJ *pj;
    PJ_DIRECTION dir;
    double max_segment;
} xform_job;

#define DENSIFY_MAX_POINTS 1e6 /* points inserted per ring at most */

/* Copies seq into new arrays *x, *y (one block, free *x), inserting
 * evenly spaced points in segments longer than max_segment. */
static unsigned int densified(cov_ctx *ctx, const GEOSCoordSequence *seq, double max_segment,
                              double **out_x)
{
    unsigned int n = 0;
    *out_x = NULL;
    if (!GEOSCoordSeq_getSize_r(ctx->geos, seq, &n)) return 0;
    double *sx = malloc(2 * (n ? n : 1) * sizeof *sx);
    if (!sx || !GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, sx, sx + n, NULL, NULL)) {
        free(sx);
        return 0;
    }
    size_t m = n;
    double total = 0.0;
    for (unsigned int i = 1; max_segment > 0 && i < n; i++)
        total += hypot(sx[i] - sx[i - 1], sx[n + i] - sx[n + i - 1]);
    /* A bounded number of inserted points: a huge ring (or one with a
     * far-off vertex) gets coarser steps instead of gigabytes. */
    if (max_segment > 0 && total / max_segment > DENSIFY_MAX_POINTS)
        max_segment = total / DENSIFY_MAX_POINTS;
    for (unsigned int i = 1; max_segment > 0 && i < n; i++) {
        double len = hypot(sx[i] - sx[i - 1], sx[n + i] - sx[n + i - 1]);
        if (len > max_segment) m += (size_t)ceil(len / max_segment) - 1;
    }
    if (m == n || m > UINT32_MAX / 2) {
        *out_x = sx;
        return n;
    }
    double *x = malloc(2 * m * sizeof *x), *y = x ? x + m : NULL;
    size_t k = 0;
    for (unsigned int i = 0; x && i < n; i++) {
        if (i > 0) {
            double dx = sx[i] - sx[i - 1], dy = sx[n + i] - sx[n + i - 1];
            size_t parts = (size_t)ceil(hypot(dx, dy) / max_segment);
            for (size_t j = 1; j < parts; j++) {
                x[k] = sx[i - 1] + dx * (double)j / (double)parts;
                y[k++] = sx[n + i - 1] + dy * (double)j / (double)parts;
            }
        }
        x[k] = sx[i];
        y[k++] = sx[n + i];
    }
    free(sx);
    *out_x = x;
    return x ? (unsigned int)m : 0;
}

/* A transformed copy of a coordinate sequence, in one proj_trans_generic
 * call (several times faster than a callback per point). */
static GEOSCoordSequence *xform_seq(cov_ctx *ctx, const xform_job *job,
                                    const GEOSCoordSequence *seq)
{
    double *x;
    unsigned int n = densified(ctx, seq, job->max_segment, &x);
    if (!x) return NULL;
    double *y = x + n;
    GEOSCoordSequence *out = NULL;
    if (job->pj)
        proj_trans_generic(job->pj, job->dir, x, sizeof *x, n, y, sizeof *y, n, NULL, 0, 0,
                           NULL, 0, 0);
    int ok = 1;
    for (unsigned int i = 0; i < n && ok; i++)
        ok = isfinite(x[i]) && isfinite(y[i]) && x[i] != HUGE_VAL;
    if (ok) out = GEOSCoordSeq_copyFromArrays_r(ctx->geos, x, y, NULL, NULL, n);
    free(x);
    return out;
}

static GEOSGeometry *xform_ring(cov_ctx *ctx, const xform_job *job, const GEOSGeometry *ring)
{
    GEOSCoordSequence *seq = xform_seq(ctx, job, GEOSGeom_getCoordSeq_r(ctx->geos, ring));
    return seq ? GEOSGeom_createLinearRing_r(ctx->geos, seq) : NULL;
}

static GEOSGeometry *xform_polygon(cov_ctx *ctx, const xform_job *job, const GEOSGeometry *g)
{
    if (GEOSisEmpty_r(ctx->geos, g)) return GEOSGeom_clone_r(ctx->geos, g);
    int nh = GEOSGetNumInteriorRings_r(ctx->geos, g);
    GEOSGeometry *shell = xform_ring(ctx, job, GEOSGetExteriorRing_r(ctx->geos, g));
    GEOSGeometry **holes = malloc((size_t)(nh > 0 ? nh : 1) * sizeof *holes);
    int made = 0;
    while (shell && holes && made < nh &&
           (holes[made] = xform_ring(ctx, job, GEOSGetInteriorRingN_r(ctx->geos, g, made))))
        made++;
    GEOSGeometry *out = NULL;
    if (shell && holes && made == nh) {
        out = GEOSGeom_createPolygon_r(ctx->geos, shell, holes, (unsigned)nh);
        shell = NULL;
        made = 0;
    }
    for (int i = 0; i < made; i++) GEOSGeom_destroy_r(ctx->geos, holes[i]);
    if (shell) GEOSGeom_destroy_r(ctx->geos, shell);
    free(holes);
    return out;
}

static GEOSGeometry *xform_any(cov_ctx *ctx, const xform_job *job, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON) return xform_polygon(ctx, job, g);
    if (type == GEOS_POINT || type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
        if (GEOSisEmpty_r(ctx->geos, g)) return GEOSGeom_clone_r(ctx->geos, g);
        GEOSCoordSequence *seq = xform_seq(ctx, job, GEOSGeom_getCoordSeq_r(ctx->geos, g));
        if (!seq) return NULL;
        return type == GEOS_POINT        ? GEOSGeom_createPoint_r(ctx->geos, seq)
               : type == GEOS_LINESTRING ? GEOSGeom_createLineString_r(ctx->geos, seq)
                                         : GEOSGeom_createLinearRing_r(ctx->geos, seq);
    }
    int n = GEOSGetNumGeometries_r(ctx->geos, g);
    GEOSGeometry **parts = malloc((size_t)(n > 0 ? n : 1) * sizeof *parts);
    int made = 0;
    while (parts && made < n &&
           (parts[made] = xform_any(ctx, job, GEOSGetGeometryN_r(ctx->geos, g, made))))
        made++;
    GEOSGeometry *out = parts && made == n
                            ? GEOSGeom_createCollection_r(ctx->geos, type, parts, (unsigned)n)
                            : NULL;
    if (!out)
        for (int i = 0; i < made; i++) GEOSGeom_destroy_r(ctx->geos, parts[i]);
    free(parts);
    return out;
}

GEOSGeometry *cov__xform_geom(cov_ctx *ctx, const cov_xform *xf, const GEOSGeometry *g,
                              int inverse, const char *what)
{
    return cov__xform_geom_densify(ctx, xf, g, inverse, 0.0, what);
}

GEOSGeometry *cov__xform_geom_densify(cov_ctx *ctx, const cov_xform *xf, const GEOSGeometry *g,
                                      int inverse, double max_segment, const char *what)
{
    if (xf->identity && max_segment <= 0.0) return GEOSGeom_clone_r(ctx->geos, g);
    xform_job job = {xf->pj, inverse ? PJ_INV : PJ_FWD, max_segment};
    GEOSGeometry *out = xform_any(ctx, &job, g);
    if (!out)
        cov__error(ctx, COV_ERR_CRS, "%s: geometry cannot be transformed (%s)", what,
                   proj_reason(ctx));
    return out;
}

void cov__xform_free(cov_xform *xf)
{
    if (!xf) return;
    proj_destroy(xf->pj);
    xf->pj = NULL;
}
