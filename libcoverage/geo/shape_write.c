/* Shapes from GEOS geometries for shapefile writing: vertex and part
 * arrays with the orientation the format wants (outer rings clockwise,
 * holes counter-clockwise), one shape type for the file, and the .shp (and
 * .shx) written through shapelib. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"
#include "io/table_internal.h"
#include "io/write.h"


/* Growable vertex and part arrays for one shape. */
typedef struct shape_buf {
    double *x, *y;
    int *parts;
    int n, cap, nparts, pcap;
} shape_buf;

static int buf_reserve(cov_ctx *ctx, shape_buf *b, size_t nv)
{
    if (nv > (size_t)INT32_MAX - (size_t)b->n)
        return cov__error(ctx, COV_ERR_GEOMETRY, "geometry too large for a shapefile");
    if (b->n + (int)nv > b->cap) {
        int cap = b->cap * 2 > b->n + (int)nv ? b->cap * 2 : b->n + (int)nv;
        double *x = cov__realloc(ctx, b->x, (size_t)cap * sizeof *x);
        if (x) b->x = x;
        double *y = x ? cov__realloc(ctx, b->y, (size_t)cap * sizeof *y) : NULL;
        if (!y) return COV_ERR_NOMEM;
        b->y = y;
        b->cap = cap;
    }
    if (b->nparts == b->pcap) {
        int pcap = b->pcap ? 2 * b->pcap : 8;
        int *p = cov__realloc(ctx, b->parts, (size_t)pcap * sizeof *p);
        if (!p) return COV_ERR_NOMEM;
        b->parts = p;
        b->pcap = pcap;
    }
    return COV_OK;
}

static void reverse(double *v, int n)
{
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* Appends a coordinate sequence as a part. orient: 0 keep, -1 make
 * clockwise (outer ring), +1 counter-clockwise (hole). */
static int buf_add(cov_ctx *ctx, shape_buf *b, const GEOSCoordSequence *seq, int orient)
{
    unsigned n = 0;
    if (!GEOSCoordSeq_getSize_r(ctx->geos, seq, &n)) return cov__geos_error(ctx, "reading coordinates");
    if (buf_reserve(ctx, b, n) != COV_OK) return ctx->status;
    double *x = b->x + b->n, *y = b->y + b->n;
    if (n && !GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, x, y, NULL, NULL))
        return cov__geos_error(ctx, "reading coordinates");
    for (unsigned i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return cov__error(ctx, COV_ERR_GEOMETRY, "non-finite coordinate");
    double a = 0;
    for (unsigned i = 0; orient && i + 1 < n; i++)
        a += (x[i] - x[0]) * (y[i + 1] - y[0]) - (x[i + 1] - x[0]) * (y[i] - y[0]);
    if (a * orient < 0) {
        reverse(x, (int)n);
        reverse(y, (int)n);
    }
    b->parts[b->nparts++] = b->n;
    b->n += (int)n;
    return COV_OK;
}

static int buf_polygon(cov_ctx *ctx, shape_buf *b, const GEOSGeometry *poly)
{
    if (GEOSisEmpty_r(ctx->geos, poly)) return COV_OK;
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(ctx->geos, poly);
    int nh = GEOSGetNumInteriorRings_r(ctx->geos, poly);
    if (!ring || nh < 0) return cov__geos_error(ctx, "reading a polygon");
    int rc = buf_add(ctx, b, GEOSGeom_getCoordSeq_r(ctx->geos, ring), -1);
    for (int i = 0; rc == COV_OK && i < nh; i++) {
        ring = GEOSGetInteriorRingN_r(ctx->geos, poly, i);
        rc = ring ? buf_add(ctx, b, GEOSGeom_getCoordSeq_r(ctx->geos, ring), +1)
                  : cov__geos_error(ctx, "reading a polygon");
    }
    return rc;
}

/* Vertices and parts of g (points, lines or polygons, single or multi). */
static int buf_geometry(cov_ctx *ctx, shape_buf *b, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_MULTIPOINT || type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOLYGON) {
        int rc = COV_OK, n = GEOSGetNumGeometries_r(ctx->geos, g);
        for (int i = 0; rc == COV_OK && i < n; i++)
            rc = buf_geometry(ctx, b, GEOSGetGeometryN_r(ctx->geos, g, i));
        return rc;
    }
    if (GEOSisEmpty_r(ctx->geos, g)) return COV_OK;
    if (type == GEOS_POLYGON) return buf_polygon(ctx, b, g);
    return buf_add(ctx, b, GEOSGeom_getCoordSeq_r(ctx->geos, g), 0);
}

/* Shapefile type for a GEOS type id; 0 when a shapefile cannot hold it. */
static int shp_type_of(int geos_type)
{
    switch (geos_type) {
    case GEOS_POINT: return SHPT_POINT;
    case GEOS_MULTIPOINT: return SHPT_MULTIPOINT;
    case GEOS_LINESTRING: case GEOS_LINEARRING: case GEOS_MULTILINESTRING: return SHPT_ARC;
    case GEOS_POLYGON: case GEOS_MULTIPOLYGON: return SHPT_POLYGON;
    }
    return 0;
}

static int same_family(int a, int b)
{
    int pa = a == SHPT_POINT || a == SHPT_MULTIPOINT, pb = b == SHPT_POINT || b == SHPT_MULTIPOINT;
    return a == b || (pa && pb);
}

/* One shape type for the file: Point, or MultiPoint when any row is one;
 * Arc; Polygon. Point when no row has a geometry. */
static int choose_shp_type(cov_ctx *ctx, const cov_table *t, const char *path, int *out)
{
    int chosen = 0;
    size_t first = 0;
    for (size_t r = 0; r < cov_table_nrows(t); r++) {
        const GEOSGeometry *g = cov__table_geometry(t, r);
        if (!g || GEOSisEmpty_r(ctx->geos, g)) continue;
        int type = shp_type_of(GEOSGeomTypeId_r(ctx->geos, g));
        if (!type)
            return cov__error(ctx, COV_ERR_GEOMETRY, "%s row %zu: a geometry collection "
                              "cannot be stored in a shapefile", path, r);
        if (chosen && !same_family(chosen, type))
            return cov__error(ctx, COV_ERR_GEOMETRY, "%s: row %zu is a %s but row %zu is a %s; "
                              "a shapefile holds one kind", path, r, SHPTypeName(type), first,
                              SHPTypeName(chosen));
        if (!chosen) first = r;
        if (!chosen || type == SHPT_MULTIPOINT) chosen = type;
    }
    *out = chosen ? chosen : SHPT_POINT;
    return COV_OK;
}

static SHPObject *make_shape(cov_ctx *ctx, const GEOSGeometry *g, int shp_type,
                             const char *path, size_t row)
{
    shape_buf b = {0};
    SHPObject *o = NULL;
    int rc = g ? buf_geometry(ctx, &b, g) : COV_OK;
    if (rc != COV_OK) {
        char msg[COV_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", ctx->message);
        cov__error(ctx, ctx->status, "%s row %zu: %s", path, row, msg);
    } else if (b.n == 0) {
        o = SHPCreateObject(SHPT_NULL, -1, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL);
    } else {
        int parts = shp_type == SHPT_ARC || shp_type == SHPT_POLYGON;
        o = SHPCreateObject(shp_type, -1, parts ? b.nparts : 0, parts ? b.parts : NULL, NULL,
                            b.n, b.x, b.y, NULL, NULL);
    }
    if (rc == COV_OK && !o) cov__error(ctx, COV_ERR_NOMEM, "out of memory (shape)");
    free(b.x);
    free(b.y);
    free(b.parts);
    return o;
}

static int write_shapes(cov_ctx *ctx, const cov_table *t, int shp_type, const char *tmp_shp,
                        const char *path)
{
    SAHooks hooks;
    cov__shp_quiet_hooks(&hooks);
    errno = 0;
    SHPHandle shp = SHPCreateLL(tmp_shp, shp_type, &hooks);
    if (!shp) return cov__write_error(ctx, path, errno ? errno : EIO);
    int rc = COV_OK;
    for (size_t r = 0; rc == COV_OK && r < cov_table_nrows(t); r++) {
        SHPObject *o = make_shape(ctx, cov__table_geometry(t, r), shp_type, path, r);
        if (!o) rc = ctx->status;
        else if (SHPWriteObject(shp, -1, o) < 0) rc = cov__write_error(ctx, path, errno ? errno : EIO);
        SHPDestroyObject(o);
    }
    SHPClose(shp);
    return rc;
}

int cov__shp_write_shapes(cov_ctx *ctx, const cov_table *t, const char *tmp_shp,
                          const char *path)
{
    int type = 0;
    int rc = choose_shp_type(ctx, t, path, &type);
    return rc == COV_OK ? write_shapes(ctx, t, type, tmp_shp, path) : rc;
}
