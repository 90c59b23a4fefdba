/* Ring assembly: shapefile records (read by io/shp.c) as GEOS geometries.
 * Rings are checked (closed, >= 4 points, finite), exact repeats dropped,
 * holes given to the outer ring that contains them (by orientation, as the
 * format says, or by nesting when the writer ignored it). io/ builds no
 * geometry: this is the floor that owns GEOS. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"
#include "io/shp_read.h"

typedef struct ring {
    int start, n;
    double area2;   /* twice the signed area: < 0 for clockwise (outer) rings */
    double env[4];  /* minx, miny, maxx, maxy */
    int owner;      /* -1: outer ring; else index of the outer ring it is a hole of */
} ring;

/* Range of part i, checked against the vertex count. */
static int part_range(const SHPObject *o, int i, int *start, int *n)
{
    int s = o->panPartStart[i];
    int e = i + 1 < o->nParts ? o->panPartStart[i + 1] : o->nVertices;
    *start = s;
    *n = e - s;
    return s >= 0 && s < e && e <= o->nVertices;
}

static int check_finite(cov_ctx *ctx, const cov_shp_reader *r, int rec, const SHPObject *o)
{
    for (int i = 0; i < o->nVertices; i++)
        if (!isfinite(o->padfX[i]) || !isfinite(o->padfY[i]))
            return cov__error(ctx, COV_ERR_FORMAT,
                              "%s record %d: vertex %d has a non-finite coordinate", r->path,
                              rec, i);
    return COV_OK;
}

/* Shoelace relative to the first vertex, which keeps the products small
 * for lon/lat far from the origin. */
static double ring_area2(const double *x, const double *y, int n)
{
    double a = 0;
    for (int i = 0; i + 1 < n; i++)
        a += (x[i] - x[0]) * (y[i + 1] - y[0]) - (x[i + 1] - x[0]) * (y[i] - y[0]);
    return a;
}

static int read_ring(cov_ctx *ctx, const cov_shp_reader *r, int rec, const SHPObject *o,
                     int i, ring *out)
{
    if (!part_range(o, i, &out->start, &out->n))
        return cov__error(ctx, COV_ERR_FORMAT, "%s record %d: part %d has invalid bounds",
                          r->path, rec, i);
    const double *x = o->padfX + out->start, *y = o->padfY + out->start;
    int n = out->n;
    if (n < 4)
        return cov__error(ctx, COV_ERR_FORMAT,
                          "%s record %d: ring %d has %d points (a ring needs at least 4)",
                          r->path, rec, i, n);
    if (x[0] != x[n - 1] || y[0] != y[n - 1])
        return cov__error(ctx, COV_ERR_FORMAT, "%s record %d: ring %d is not closed",
                          r->path, rec, i);
    out->area2 = ring_area2(x, y, n);
    out->env[0] = out->env[2] = x[0];
    out->env[1] = out->env[3] = y[0];
    for (int k = 1; k < n; k++) {
        out->env[0] = fmin(out->env[0], x[k]);
        out->env[1] = fmin(out->env[1], y[k]);
        out->env[2] = fmax(out->env[2], x[k]);
        out->env[3] = fmax(out->env[3], y[k]);
    }
    return COV_OK;
}

/* Whether ring b lies in ring a: decided by b's first vertex that is not on
 * a's boundary (a hole may touch its shell at a vertex). */
static int ring_in_ring(const SHPObject *o, const ring *a, const ring *b)
{
    if (b->env[0] < a->env[0] || b->env[1] < a->env[1] || b->env[2] > a->env[2] ||
        b->env[3] > a->env[3])
        return 0;
    const double *ax = o->padfX + a->start, *ay = o->padfY + a->start;
    for (int k = 0; k + 1 < b->n; k++) {
        int where = cov__point_in_ring(o->padfX[b->start + k], o->padfY[b->start + k], ax, ay,
                                       (size_t)a->n);
        if (where) return where > 0;
    }
    return 1; /* every vertex on a's boundary: the same ring */
}

/* Innermost ring containing ring h, among outer rings only or all rings;
 * -1 if none. Equal areas are ordered by index so that two copies of one
 * ring never contain each other. */
static int innermost(const SHPObject *o, const ring *rings, int nr, int h, int outer_only)
{
    int best = -1;
    for (int s = 0; s < nr; s++) {
        if (s == h || (outer_only && rings[s].owner != -1)) continue;
        double as = fabs(rings[s].area2), ah = fabs(rings[h].area2);
        if (as < ah || (as == ah && s > h)) continue;
        if (!ring_in_ring(o, &rings[s], &rings[h])) continue;
        if (best < 0 || as < fabs(rings[best].area2)) best = s;
    }
    return best;
}

/* The shapefile rule: clockwise rings are outer, each counter-clockwise one
 * a hole of the innermost outer ring containing it. Returns 0 when some
 * hole lies in no outer ring (the writer ignored the rule). */
static int assign_by_orientation(const SHPObject *o, ring *rings, int nr)
{
    for (int i = 0; i < nr; i++) rings[i].owner = rings[i].area2 > 0 ? -2 : -1;
    for (int i = 0; i < nr; i++) {
        if (rings[i].owner == -1) continue;
        rings[i].owner = innermost(o, rings, nr, i, 1);
        if (rings[i].owner < 0) return 0;
    }
    return 1;
}

/* Fallback for files with wrong orientation: rings nested an even number of
 * times are outer, the others holes of the ring just outside them. */
static void assign_by_nesting(const SHPObject *o, ring *rings, int nr)
{
    int *parent = malloc((size_t)nr * sizeof *parent);
    if (!parent) return; /* keep the orientation result: valid enough */
    for (int i = 0; i < nr; i++) parent[i] = innermost(o, rings, nr, i, 0);
    for (int i = 0; i < nr; i++) {
        int depth = 0;
        for (int p = parent[i]; p >= 0 && depth <= nr; p = parent[p]) depth++;
        rings[i].owner = depth % 2 ? parent[i] : -1;
    }
    free(parent);
}

static GEOSGeometry *make_ring(cov_ctx *ctx, const SHPObject *o, const ring *rg)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(
        ctx->geos, o->padfX + rg->start, o->padfY + rg->start, NULL, NULL, (unsigned)rg->n);
    return seq ? GEOSGeom_createLinearRing_r(ctx->geos, seq) : NULL;
}

/* Polygon of outer ring s with its holes; NULL on GEOS failure. */
static GEOSGeometry *make_polygon(cov_ctx *ctx, const SHPObject *o, const ring *rings,
                                  int nr, int s)
{
    GEOSGeometry **holes = malloc((size_t)nr * sizeof *holes);
    GEOSGeometry *shell = holes ? make_ring(ctx, o, &rings[s]) : NULL;
    unsigned nh = 0;
    int ok = shell != NULL;
    for (int i = 0; ok && i < nr; i++)
        if (rings[i].owner == s) ok = (holes[nh++] = make_ring(ctx, o, &rings[i])) != NULL;
    GEOSGeometry *poly = NULL;
    if (ok) {
        poly = GEOSGeom_createPolygon_r(ctx->geos, shell, holes, nh);
    } else {
        for (unsigned k = 0; k < nh; k++)
            if (holes[k]) GEOSGeom_destroy_r(ctx->geos, holes[k]);
        if (shell) GEOSGeom_destroy_r(ctx->geos, shell);
    }
    free(holes);
    return poly;
}

/* Polygon, or MultiPolygon when the record has several outer rings. */
static GEOSGeometry *make_polygons(cov_ctx *ctx, const SHPObject *o, const ring *rings,
                                   int nr)
{
    GEOSGeometry **polys = malloc((size_t)nr * sizeof *polys);
    unsigned np = 0;
    int ok = polys != NULL;
    for (int s = 0; ok && s < nr; s++)
        if (rings[s].owner == -1) ok = (polys[np++] = make_polygon(ctx, o, rings, nr, s)) != NULL;
    GEOSGeometry *g = NULL;
    if (ok && np == 1) g = polys[0];
    else if (ok) g = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, polys, np);
    else
        for (unsigned k = 0; polys && k < np; k++)
            if (polys[k]) GEOSGeom_destroy_r(ctx->geos, polys[k]);
    free(polys);
    return g;
}

static uint64_t ring_hash(const SHPObject *o, const ring *rg)
{
    uint64_t h = (uint64_t)rg->n;
    for (int k = 0; k < rg->n; k++) {
        uint64_t bx, by;
        memcpy(&bx, &o->padfX[rg->start + k], sizeof bx);
        memcpy(&by, &o->padfY[rg->start + k], sizeof by);
        h = cov__mix64(h ^ bx) + by;
    }
    return cov__mix64(h);
}

static int same_ring(const SHPObject *o, const ring *a, const ring *b)
{
    size_t bytes = (size_t)a->n * sizeof(double);
    return a->n == b->n && memcmp(o->padfX + a->start, o->padfX + b->start, bytes) == 0 &&
           memcmp(o->padfY + a->start, o->padfY + b->start, bytes) == 0;
}

/* Drops rings that repeat an earlier ring of the record vertex for vertex
 * (a writer that appended one ring many times): each copy would only make
 * the repair of the overlapping parts slower (2,000 copies: a minute in
 * GEOS), never change the polygon. Returns the rings kept, or -1 when
 * memory runs out. *out_first_dup and *out_of name the first copy. */
static int drop_duplicate_rings(const SHPObject *o, ring *rings, int nr, int *out_first_dup,
                                int *out_of)
{
    size_t cap = 16;
    while (cap < 2 * (size_t)nr) cap <<= 1;
    int *slot = malloc(cap * sizeof *slot), *orig = malloc((size_t)nr * sizeof *orig);
    if (!slot || !orig) {
        free(slot);
        free(orig);
        return -1;
    }
    for (size_t h = 0; h < cap; h++) slot[h] = -1;
    int kept = 0;
    *out_first_dup = *out_of = -1;
    for (int i = 0; i < nr; i++) {
        size_t h = (size_t)ring_hash(o, &rings[i]) & (cap - 1);
        int dup = -1;
        for (; slot[h] >= 0; h = (h + 1) & (cap - 1))
            if (same_ring(o, &rings[slot[h]], &rings[i])) {
                dup = slot[h];
                break;
            }
        if (dup >= 0) {
            if (*out_first_dup < 0) *out_first_dup = i, *out_of = orig[dup];
            continue;
        }
        rings[kept] = rings[i];
        orig[kept] = i;
        slot[h] = kept++;
    }
    free(slot);
    free(orig);
    return kept;
}

static GEOSGeometry *polygon_geom(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                                  const SHPObject *o)
{
    if (o->nParts > COV_MAX_RINGS_PER_RECORD || o->nVertices > COV_MAX_VERTICES_PER_RECORD) {
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: %d rings of %d vertices in all; a "
                   "record is read with at most %d rings and %d vertices (a damaged file, or "
                   "split the polygon)", r->path, rec, o->nParts, o->nVertices,
                   COV_MAX_RINGS_PER_RECORD, COV_MAX_VERTICES_PER_RECORD);
        return NULL;
    }
    ring *rings = cov__calloc(ctx, (size_t)o->nParts, sizeof *rings);
    if (!rings) return NULL;
    int rc = COV_OK, nr = o->nParts;
    for (int i = 0; rc == COV_OK && i < o->nParts; i++)
        rc = read_ring(ctx, r, rec, o, i, &rings[i]);
    int first_dup = -1, dup_of = -1;
    if (rc == COV_OK && (nr = drop_duplicate_rings(o, rings, nr, &first_dup, &dup_of)) < 0)
        rc = cov__error(ctx, COV_ERR_NOMEM, "out of memory");
    if (rc == COV_OK && nr < o->nParts)
        cov__warn(ctx, "%s record %d: %d of its %d rings repeat an earlier ring vertex for "
                  "vertex and are dropped (first: ring %d repeats ring %d)", r->path, rec,
                  o->nParts - nr, o->nParts, first_dup, dup_of);
    GEOSGeometry *g = NULL;
    if (rc == COV_OK) {
        if (!assign_by_orientation(o, rings, nr)) {
            cov__warn(ctx, "%s record %d: a counter-clockwise ring lies in no clockwise "
                      "ring; outer rings and holes decided by nesting instead", r->path, rec);
            assign_by_nesting(o, rings, nr);
        }
        g = make_polygons(ctx, o, rings, nr);
        if (!g) {
            char what[600];
            snprintf(what, sizeof what, "%s record %d: building the polygon", r->path, rec);
            cov__geos_error(ctx, what);
        }
    }
    free(rings);
    return g;
}

static int check_line_parts(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                            const SHPObject *o)
{
    int start, n;
    for (int i = 0; i < o->nParts; i++)
        if (!part_range(o, i, &start, &n) || n < 2)
            return cov__error(ctx, COV_ERR_FORMAT,
                              "%s record %d: line part %d has fewer than 2 points or "
                              "invalid bounds", r->path, rec, i);
    return COV_OK;
}

static GEOSGeometry *line_geom(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                               const SHPObject *o)
{
    if (check_line_parts(ctx, r, rec, o) != COV_OK) return NULL;
    GEOSGeometry **lines = cov__calloc(ctx, (size_t)o->nParts, sizeof *lines);
    if (!lines) return NULL;
    int ok = 1, start, n;
    for (int i = 0; ok && i < o->nParts; i++) {
        part_range(o, i, &start, &n);
        GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(
            ctx->geos, o->padfX + start, o->padfY + start, NULL, NULL, (unsigned)n);
        ok = seq && (lines[i] = GEOSGeom_createLineString_r(ctx->geos, seq));
    }
    GEOSGeometry *g = ok ? GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTILINESTRING,
                                                        lines, (unsigned)o->nParts) : NULL;
    for (int k = 0; !ok && k < o->nParts; k++)
        if (lines[k]) GEOSGeom_destroy_r(ctx->geos, lines[k]);
    if (!g) {
        char what[600];
        snprintf(what, sizeof what, "%s record %d: building the lines", r->path, rec);
        cov__geos_error(ctx, what);
    }
    free(lines);
    return g;
}

static GEOSGeometry *point_geom(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                                const SHPObject *o)
{
    if (o->nVertices != 1) {
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: a multipoint of %d points (only "
                   "single points are supported)", r->path, rec, o->nVertices);
        return NULL;
    }
    GEOSGeometry *g = GEOSGeom_createPointFromXY_r(ctx->geos, o->padfX[0], o->padfY[0]);
    if (!g) {
        char what[600];
        snprintf(what, sizeof what, "%s record %d: building the point", r->path, rec);
        cov__geos_error(ctx, what);
    }
    return g;
}

static GEOSGeometry *shape_to_geos(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                                   const SHPObject *o)
{
    if (cov__shp_family(o->nSHPType) != r->shape_type) {
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: shape type %s in a file of %s shapes",
                   r->path, rec, SHPTypeName(o->nSHPType), cov__shp_family_name(r->shape_type));
        return NULL;
    }
    if (check_finite(ctx, r, rec, o) != COV_OK) return NULL;
    if (r->shape_type == SHPT_POINT) return point_geom(ctx, r, rec, o);
    if (o->nParts < 1) {
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: %d vertices but no parts", r->path,
                   rec, o->nVertices);
        return NULL;
    }
    return r->shape_type == SHPT_ARC ? line_geom(ctx, r, rec, o) : polygon_geom(ctx, r, rec, o);
}

GEOSGeometry *cov__shp_geometry(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                                int *out_null)
{
    if (out_null) *out_null = 0;
    COV_CHECK_ARG(ctx, ctx && r && r->shp && out_null, NULL);
    SHPObject *o = cov__shp_read_shape(ctx, r, rec, &rec);
    if (!o) return NULL;
    GEOSGeometry *g = NULL;
    if (o->nSHPType == SHPT_NULL || o->nVertices == 0) *out_null = 1;
    else g = shape_to_geos(ctx, r, rec, o);
    SHPDestroyObject(o);
    return g;
}
