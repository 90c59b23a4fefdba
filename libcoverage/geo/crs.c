/* Coordinate transformations through PROJ. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"

int cov__lonlat_ok(double lon, double lat)
{
    return isfinite(lon) && isfinite(lat) && lon >= -180.0 && lon <= 360.0 &&
           lat >= -90.0 && lat <= 90.0;
}

static const char *proj_reason(cov_ctx *ctx)
{
    int e = proj_context_errno(ctx->proj);
    return e ? proj_context_errno_string(ctx->proj, e) : "no reason given";
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

static PJ *create_crs(cov_ctx *ctx, const char *crs, const char *what)
{
    PJ *pj = proj_create(ctx->proj, crs);
    if (pj && proj_is_crs(pj)) return pj;
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
    if (!crs || !*crs) return COV_OK;
    PJ *src = create_crs(ctx, crs, what);
    if (!src) return ctx->status;
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

typedef struct xform_job {
    PJ *pj;
    PJ_DIRECTION dir;
} xform_job;

static int transform_xy(double *x, double *y, void *userdata)
{
    xform_job *job = userdata;
    PJ_COORD c = proj_coord(*x, *y, 0, 0);
    c = proj_trans(job->pj, job->dir, c);
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || c.xy.x == HUGE_VAL) return 0;
    *x = c.xy.x;
    *y = c.xy.y;
    return 1;
}

GEOSGeometry *cov__xform_geom(cov_ctx *ctx, const cov_xform *xf,
                              const GEOSGeometry *g, int inverse,
                              const char *what)
{
    if (xf->identity) return GEOSGeom_clone_r(ctx->geos, g);
    xform_job job = {xf->pj, inverse ? PJ_INV : PJ_FWD};
    GEOSGeometry *out = GEOSGeom_transformXY_r(ctx->geos, g, transform_xy, &job);
    if (!out)
        cov__error(ctx, COV_ERR_CRS, "%s: geometry cannot be transformed (%s)",
                   what, proj_reason(ctx));
    return out;
}

void cov__xform_free(cov_xform *xf)
{
    if (!xf) return;
    proj_destroy(xf->pj);
    xf->pj = NULL;
}
