/* Reading regions from shapefiles and WKB. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "io/shp_read.h"

/* Collects polygon parts with their ids and names while reading. */
typedef struct cov_partvec {
    GEOSGeometry **parts;
    cov_strvec ids, names;
    size_t n, cap;
} cov_partvec;

static void partvec_free(cov_ctx *ctx, cov_partvec *v)
{
    for (size_t k = 0; k < v->n; k++) GEOSGeom_destroy_r(ctx->geos, v->parts[k]);
    free(v->parts);
    cov__strvec_free(&v->ids);
    cov__strvec_free(&v->names);
    memset(v, 0, sizeof *v);
}

static int push_part(cov_ctx *ctx, cov_partvec *v, GEOSGeometry *p, const char *id,
                     const char *name)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 64;
        GEOSGeometry **parts = cov__realloc(ctx, v->parts, cap * sizeof *parts);
        if (!parts) {
            GEOSGeom_destroy_r(ctx->geos, p);
            return COV_ERR_NOMEM;
        }
        v->parts = parts;
        v->cap = cap;
    }
    if (cov__strvec_push(ctx, &v->ids, id) != COV_OK ||
        cov__strvec_push(ctx, &v->names, name ? name : "") != COV_OK) {
        GEOSGeom_destroy_r(ctx->geos, p);
        return COV_ERR_NOMEM;
    }
    v->parts[v->n++] = p;
    return COV_OK;
}

/* Appends the non-empty polygons of g (Polygon, MultiPolygon, or the
 * collection GEOSMakeValid may return) to v. Does not take g. */
static int push_polygons(cov_ctx *ctx, cov_partvec *v, const GEOSGeometry *g,
                         const char *id, const char *name)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx->geos, g)) return COV_OK;
        GEOSGeometry *c = GEOSGeom_clone_r(ctx->geos, g);
        return c ? push_part(ctx, v, c, id, name) : cov__geos_error(ctx, "region part");
    }
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION) return COV_OK;
    int n = GEOSGetNumGeometries_r(ctx->geos, g);
    for (int i = 0; i < n; i++) {
        int st = push_polygons(ctx, v, GEOSGetGeometryN_r(ctx->geos, g, i), id, name);
        if (st != COV_OK) return st;
    }
    return COV_OK;
}

/* After any transformation every vertex must be a lon/lat: the no-CRS
 * check looks only at the header's bounds, and one stray vertex in metres
 * (a damaged file, a layer in another CRS pasted in) would otherwise make
 * a region span the globe. */
static int in_lonlat_range(cov_ctx *ctx, const GEOSGeometry *g, const char *where)
{
    double x0, y0, x1, y1;
    if (GEOSisEmpty_r(ctx->geos, g)) return 1;
    if (GEOSGeom_getExtent_r(ctx->geos, g, &x0, &y0, &x1, &y1) && cov__lonlat_ok(x0, y0) &&
        cov__lonlat_ok(x1, y1) && x1 <= 180.0)
        return 1;
    cov__error(ctx, COV_ERR_VALUE,
               "%s: coordinates (%.6g..%.6g, %.6g..%.6g) are not all lon/lat: a damaged "
               "vertex, or the wrong CRS%s", where, x0, x1, y0, y1,
               cov__swap_hint(ctx, x0, y0, x1, y1));
    return 0;
}

/* ---- repair ---------------------------------------------------------------
 * GEOSMakeValid on a whole record nodes every ring against every other: on
 * a record of overlapping parts (copies of one island, 100 slightly shifted
 * squares) that ran for minutes. Repairing each ring on its own and then
 * combining them by overlay (outer parts united, holes cut out) costs
 * little more than the rings themselves, and gives the area a GIS shows:
 * overlapping parts count once, where MakeValid's even-odd rule would have
 * made their overlap a hole. */

typedef struct polyvec {
    GEOSGeometry **g;
    size_t n, cap;
} polyvec;

static void polyvec_free(cov_ctx *ctx, polyvec *v)
{
    for (size_t k = 0; k < v->n; k++) GEOSGeom_destroy_r(ctx->geos, v->g[k]);
    free(v->g);
    memset(v, 0, sizeof *v);
}

/* Appends clones of the non-empty polygons of g (any type). */
static int polyvec_collect(cov_ctx *ctx, polyvec *v, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(ctx->geos, g);
        for (int i = 0; i < n; i++)
            if (polyvec_collect(ctx, v, GEOSGetGeometryN_r(ctx->geos, g, i)) != COV_OK)
                return COV_ERR_NOMEM;
        return COV_OK;
    }
    if (type != GEOS_POLYGON || GEOSisEmpty_r(ctx->geos, g)) return COV_OK;
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16;
        GEOSGeometry **a = cov__realloc(ctx, v->g, cap * sizeof *a);
        if (!a) return COV_ERR_NOMEM;
        v->g = a;
        v->cap = cap;
    }
    GEOSGeometry *c = GEOSGeom_clone_r(ctx->geos, g);
    if (!c) return COV_ERR_GEOMETRY;
    v->g[v->n++] = c;
    return COV_OK;
}

/* MakeValid of g, its polygons appended to v. */
static int collect_valid(cov_ctx *ctx, polyvec *v, const GEOSGeometry *g)
{
    if (GEOSisValid_r(ctx->geos, g) == 1) return polyvec_collect(ctx, v, g);
    GEOSGeometry *fixed = GEOSMakeValid_r(ctx->geos, g);
    if (!fixed) return COV_ERR_GEOMETRY;
    int st = polyvec_collect(ctx, v, fixed);
    GEOSGeom_destroy_r(ctx->geos, fixed);
    return st;
}

/* The union of v's polygons (taken; v is left empty). */
static GEOSGeometry *polyvec_union(cov_ctx *ctx, polyvec *v)
{
    GEOSGeometry *mp = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, v->g,
                                                   (unsigned)v->n);
    if (!mp) {
        polyvec_free(ctx, v);
        return NULL;
    }
    free(v->g);
    memset(v, 0, sizeof *v);
    GEOSGeometry *u = GEOSUnaryUnion_r(ctx->geos, mp);
    GEOSGeom_destroy_r(ctx->geos, mp);
    return u;
}

/* A polygon built from ring (cloned). */
static GEOSGeometry *ring_polygon(cov_ctx *ctx, const GEOSGeometry *ring)
{
    GEOSGeometry *shell = GEOSGeom_clone_r(ctx->geos, ring);
    return shell ? GEOSGeom_createPolygon_r(ctx->geos, shell, NULL, 0) : NULL;
}

/* Repaired polygon (a polygon with holes: its shell repaired less the
 * union of its holes repaired), its polygons appended to out. */
static int repair_polygon(cov_ctx *ctx, polyvec *out, const GEOSGeometry *poly)
{
    int n_holes = GEOSGetNumInteriorRings_r(ctx->geos, poly);
    if (n_holes <= 0) return collect_valid(ctx, out, poly);
    polyvec shell = {0}, holes = {0};
    GEOSGeometry *sp = ring_polygon(ctx, GEOSGetExteriorRing_r(ctx->geos, poly));
    int st = sp ? collect_valid(ctx, &shell, sp) : COV_ERR_GEOMETRY;
    if (sp) GEOSGeom_destroy_r(ctx->geos, sp);
    for (int i = 0; st == COV_OK && i < n_holes; i++) {
        GEOSGeometry *hp = ring_polygon(ctx, GEOSGetInteriorRingN_r(ctx->geos, poly, i));
        st = hp ? collect_valid(ctx, &holes, hp) : COV_ERR_GEOMETRY;
        if (hp) GEOSGeom_destroy_r(ctx->geos, hp);
    }
    GEOSGeometry *s = st == COV_OK ? polyvec_union(ctx, &shell) : NULL;
    GEOSGeometry *h = s ? polyvec_union(ctx, &holes) : NULL;
    GEOSGeometry *d = h ? GEOSDifference_r(ctx->geos, s, h) : NULL;
    if (st == COV_OK) st = d ? polyvec_collect(ctx, out, d) : COV_ERR_GEOMETRY;
    if (s) GEOSGeom_destroy_r(ctx->geos, s);
    if (h) GEOSGeom_destroy_r(ctx->geos, h);
    if (d) GEOSGeom_destroy_r(ctx->geos, d);
    polyvec_free(ctx, &shell);
    polyvec_free(ctx, &holes);
    return st;
}

/* A valid geometry covering what g's parts cover; NULL on GEOS failure. */
static GEOSGeometry *repair(cov_ctx *ctx, const GEOSGeometry *g)
{
    polyvec v = {0};
    int st = COV_OK;
    if (GEOSGeomTypeId_r(ctx->geos, g) != GEOS_MULTIPOLYGON) {
        st = repair_polygon(ctx, &v, g);
    } else {
        int n = GEOSGetNumGeometries_r(ctx->geos, g);
        for (int i = 0; st == COV_OK && i < n; i++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(ctx->geos, g, i);
            st = GEOSisValid_r(ctx->geos, part) == 1 ? polyvec_collect(ctx, &v, part)
                                                     : repair_polygon(ctx, &v, part);
        }
    }
    if (st != COV_OK) {
        polyvec_free(ctx, &v);
        return NULL;
    }
    return polyvec_union(ctx, &v);
}

/* COV_MAX_RINGS_PER_RECORD and COV_MAX_VERTICES_PER_RECORD for geometries
 * that did not come through the shapefile reader (WKB). */
static int within_bounds(cov_ctx *ctx, const GEOSGeometry *g, const char *where)
{
    int n_parts = GEOSGetNumGeometries_r(ctx->geos, g), rings = 0;
    for (int i = 0; i < n_parts; i++)
        rings += 1 + GEOSGetNumInteriorRings_r(ctx->geos, GEOSGetGeometryN_r(ctx->geos, g, i));
    int vertices = GEOSGetNumCoordinates_r(ctx->geos, g);
    if (rings <= COV_MAX_RINGS_PER_RECORD && vertices <= COV_MAX_VERTICES_PER_RECORD) return 1;
    cov__error(ctx, COV_ERR_GEOMETRY, "%s: %d rings of %d vertices in all; a polygon is read "
               "with at most %d rings and %d vertices (split it)", where, rings, vertices,
               COV_MAX_RINGS_PER_RECORD, COV_MAX_VERTICES_PER_RECORD);
    return 0;
}

/* Transforms g (owned, taken) with xf, repairs it when invalid (warning
 * naming `where`), and appends its polygons to v with id and name. */
static int partvec_add(cov_ctx *ctx, cov_partvec *v, GEOSGeometry *g, const cov_xform *xf,
                       const char *id, const char *name, const char *where)
{
    GEOSGeometry *p = g; /* JGD2011 lon/lat already: no copy */
    if (!within_bounds(ctx, g, where)) {
        GEOSGeom_destroy_r(ctx->geos, g);
        return ctx->status;
    }
    if (!xf->identity) {
        p = cov__xform_geom(ctx, xf, g, 0, where);
        GEOSGeom_destroy_r(ctx->geos, g);
        if (!p) return ctx->status;
    }
    if (!in_lonlat_range(ctx, p, where)) {
        GEOSGeom_destroy_r(ctx->geos, p);
        return ctx->status;
    }
    if (GEOSisValid_r(ctx->geos, p) != 1) {
        char *reason = GEOSisValidReason_r(ctx->geos, p);
        if (reason && strncmp(reason, "Invalid Coordinate", 18) == 0) {
            /* NaN or infinity: nothing to repair, and GEOS would throw */
            cov__error(ctx, COV_ERR_VALUE, "%s: a vertex has a non-finite coordinate (%s)",
                       where, reason);
            GEOSFree_r(ctx->geos, reason);
            GEOSGeom_destroy_r(ctx->geos, p);
            return ctx->status;
        }
        GEOSGeometry *fixed = repair(ctx, p);
        cov__warn(ctx, "%s: invalid polygon repaired (%s)", where, reason ? reason : "?");
        GEOSFree_r(ctx->geos, reason);
        GEOSGeom_destroy_r(ctx->geos, p);
        if (!fixed) return cov__geos_error(ctx, where);
        p = fixed;
    }
    size_t before = v->n;
    int st = push_polygons(ctx, v, p, id, name);
    if (st == COV_OK && v->n == before)
        cov__warn(ctx, "%s: the polygon has no area (empty, or all its points on a line) "
                  "and is skipped", where);
    GEOSGeom_destroy_r(ctx->geos, p);
    return st;
}

static cov_regions *regions_from_partvec(cov_ctx *ctx, cov_partvec *v, const char *source)
{
    if (v->n == 0) {
        partvec_free(ctx, v);
        cov__error(ctx, COV_ERR_EMPTY, "%s: no region with a polygon", source);
        return NULL;
    }
    cov_regions *r = cov__regions_from_parts(ctx, v->n, v->parts,
                                             (const char *const *)v->ids.items,
                                             (const char *const *)v->names.items);
    v->parts = NULL; /* taken */
    v->n = 0;
    partvec_free(ctx, v);
    return r;
}

/* Without any CRS, lon/lat JGD2011 is assumed only when every coordinate
 * could be one. */
static int assume_lonlat(cov_ctx *ctx, const cov_shp_reader *r)
{
    double lo[4], hi[4];
    SHPGetInfo(r->shp, NULL, NULL, lo, hi);
    if (!cov__lonlat_ok(lo[0], lo[1]) || !cov__lonlat_ok(hi[0], hi[1]) || hi[0] > 180.0)
        return cov__error(ctx, COV_ERR_CRS,
                          "%s: no .prj and no CRS given, and the coordinates "
                          "(%.6g..%.6g, %.6g..%.6g) are not lon/lat: give the CRS%s",
                          r->path, lo[0], hi[0], lo[1], hi[1],
                          cov__swap_hint(ctx, lo[0], lo[1], hi[0], hi[1]));
    cov__warn(ctx, "%s: no .prj and no CRS given; assuming JGD2011 lon/lat (EPSG:6668)",
              r->path);
    return COV_OK;
}

static int read_record(cov_ctx *ctx, const cov_shp_reader *r, int rec, int f_id,
                       int f_name, const cov_xform *xf, cov_partvec *v)
{
    char where[512];
    int is_null = 0, st = COV_OK;
    char *id = cov__shp_string(ctx, r, rec, f_id);
    char *name = f_name >= 0 && id ? cov__shp_string(ctx, r, rec, f_name) : NULL;
    if (!id || (f_name >= 0 && !name)) {
        st = ctx->status;
    } else if (!id[0]) {
        cov__warn(ctx, "%s: record %d has an empty id and is skipped", r->path,
                  cov__shp_record_number(r, rec));
    } else {
        GEOSGeometry *g = cov__shp_geometry(ctx, r, rec, &is_null);
        snprintf(where, sizeof where, "%s record %d (id %s)", r->path,
                 cov__shp_record_number(r, rec), id);
        if (g) st = partvec_add(ctx, v, g, xf, id, name, where);
        else if (is_null) cov__warn(ctx, "%s: null shape, skipped", where);
        else st = ctx->status;
    }
    free(id);
    free(name);
    return st;
}

cov_regions *cov_regions_read_shp(cov_ctx *ctx, const char *path, const char *id_field,
                                  const char *name_field, const char *crs)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, path && id_field, NULL);
    cov_shp_reader r;
    if (cov__shp_open(ctx, path, SHPT_POLYGON, &r) != COV_OK) return NULL;
    cov_partvec v = {0};
    cov_xform xf = {0};
    cov_regions *out = NULL;
    int f_id = cov__shp_field(ctx, &r, id_field);
    int f_name = f_id >= 0 && name_field ? cov__shp_field(ctx, &r, name_field) : -1;
    if (f_id < 0 || (name_field && f_name < 0)) goto done;
    const char *use_crs = crs ? crs : r.prj_wkt;
    if (!use_crs && assume_lonlat(ctx, &r) != COV_OK) goto done;
    if (cov__xform_to_lonlat(ctx, use_crs, path, &xf) != COV_OK) goto done;
    for (int rec = 0; rec < r.n_records; rec++)
        if (read_record(ctx, &r, rec, f_id, f_name, &xf, &v) != COV_OK) goto done;
    out = regions_from_partvec(ctx, &v, path);
done:
    partvec_free(ctx, &v);
    cov__xform_free(&xf);
    cov__shp_close(&r);
    return out;
}

/* Without a CRS, lon/lat is assumed; coordinates that cannot be lon/lat
 * (metres from a projected CRS) are refused rather than misread. */
static int not_lonlat(cov_ctx *ctx, const GEOSGeometry *g, const char *where)
{
    double x0, y0, x1, y1;
    if (GEOSisEmpty_r(ctx->geos, g) || !GEOSGeom_getExtent_r(ctx->geos, g, &x0, &y0, &x1, &y1))
        return 0;
    if (cov__lonlat_ok(x0, y0) && cov__lonlat_ok(x1, y1) && x1 <= 180.0) return 0;
    cov__error(ctx, COV_ERR_CRS,
               "%s: coordinates (%.6g..%.6g, %.6g..%.6g) are not lon/lat and no CRS was "
               "given: give the CRS of the geometries%s",
               where, x0, x1, y0, y1, cov__swap_hint(ctx, x0, y0, x1, y1));
    return 1;
}

cov_regions *cov_regions_from_wkb(cov_ctx *ctx, size_t n, const char *const *ids,
                                  const char *const *names,
                                  const unsigned char *const *wkb, const size_t *wkb_size,
                                  const char *crs)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, ids && wkb && wkb_size, NULL);
    cov_partvec v = {0};
    cov_xform xf = {0};
    cov_regions *out = NULL;
    GEOSWKBReader *reader = GEOSWKBReader_create_r(ctx->geos);
    if (!reader || cov__xform_to_lonlat(ctx, crs, "regions", &xf) != COV_OK) goto done;
    for (size_t i = 0; i < n; i++) {
        char where[256];
        snprintf(where, sizeof where, "regions entry %zu (id %.80s)", i, ids[i] ? ids[i] : "NULL");
        if (!ids[i] || !ids[i][0] || !wkb[i]) {
            cov__error(ctx, COV_ERR_VALUE, "%s: missing id or geometry", where);
            goto done;
        }
        GEOSGeometry *g = GEOSWKBReader_read_r(ctx->geos, reader, wkb[i], wkb_size[i]);
        int type = g ? GEOSGeomTypeId_r(ctx->geos, g) : -1;
        if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
            if (g) GEOSGeom_destroy_r(ctx->geos, g);
            cov__error(ctx, COV_ERR_GEOMETRY, "%s: %s", where,
                       g ? "not a Polygon or MultiPolygon" : "malformed WKB");
            goto done;
        }
        if (!crs && not_lonlat(ctx, g, where)) {
            GEOSGeom_destroy_r(ctx->geos, g);
            goto done;
        }
        if (partvec_add(ctx, &v, g, &xf, ids[i], names ? names[i] : NULL, where) != COV_OK)
            goto done;
    }
    out = regions_from_partvec(ctx, &v, "regions");
done:
    partvec_free(ctx, &v);
    cov__xform_free(&xf);
    if (reader) GEOSWKBReader_destroy_r(ctx->geos, reader);
    return out;
}
