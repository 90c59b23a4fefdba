/* Geodesic areas and circles. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"

/* Area of one ring on the ellipsoid (absolute value). */
static double ring_area(cov_ctx *ctx, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, &n) || n < 4) return 0.0;
    struct geod_polygon poly;
    geod_polygon_init(&poly, 0);
    for (unsigned int i = 0; i + 1 < n; i++) { /* the closing point repeats the first */
        double x, y;
        GEOSCoordSeq_getXY_r(ctx->geos, seq, i, &x, &y);
        geod_polygon_addpoint(&ctx->geod, &poly, y, x);
    }
    double area = 0.0;
    geod_polygon_compute(&ctx->geod, &poly, 0, 1, &area, NULL);
    return fabs(area);
}

static double polygon_area(cov_ctx *ctx, const GEOSGeometry *p)
{
    double a = ring_area(ctx, GEOSGetExteriorRing_r(ctx->geos, p));
    int holes = GEOSGetNumInteriorRings_r(ctx->geos, p);
    for (int i = 0; i < holes; i++)
        a -= ring_area(ctx, GEOSGetInteriorRingN_r(ctx->geos, p, i));
    return a;
}

double cov__geod_area_m2(cov_ctx *ctx, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON) return polygon_area(ctx, g);
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION) return 0.0;
    double a = 0.0;
    int n = GEOSGetNumGeometries_r(ctx->geos, g);
    for (int i = 0; i < n; i++)
        a += cov__geod_area_m2(ctx, GEOSGetGeometryN_r(ctx->geos, g, i));
    return a;
}

double cov__area_m2_in(cov_ctx *ctx, const cov_xform *xf, const GEOSGeometry *g)
{
    double area = -1.0;
    if (GEOSisEmpty_r(ctx->geos, g)) return 0.0;
    GEOSGeometry *p = cov__xform_geom_densify(ctx, xf, g, 0, 0.01, "area");
    if (p && !GEOSArea_r(ctx->geos, p, &area)) area = -1.0;
    if (p) GEOSGeom_destroy_r(ctx->geos, p);
    return area;
}

double cov__area_m2(cov_ctx *ctx, const GEOSGeometry *g)
{
    double x0, y0, x1, y1, area;
    char *def = NULL;
    cov_xform xf;
    if (GEOSisEmpty_r(ctx->geos, g)) return 0.0;
    if (!GEOSGeom_getExtent_r(ctx->geos, g, &x0, &y0, &x1, &y1) ||
        cov__xform_to_projected(ctx, NULL, 0.5 * (x0 + x1), 0.5 * (y0 + y1), &xf, &def) != COV_OK)
        return -1.0;
    area = cov__area_m2_in(ctx, &xf, g);
    cov__xform_free(&xf);
    free(def);
    return area;
}

GEOSGeometry *cov__geod_circle(cov_ctx *ctx, const cov_xform *xf, double lon,
                               double lat, double radius_m, int segments)
{
    size_t n = (size_t)segments + 1;
    double *x = cov__mallocarray(ctx, 2 * n, sizeof *x);
    if (!x) return NULL;
    double *y = x + n;
    /* Clockwise from north is the azimuth's own sense; GEOS does not care
     * about orientation, the shapefile writer normalises it. */
    for (int k = 0; k < segments; k++) {
        double azi = 360.0 * k / segments;
        geod_direct(&ctx->geod, lat, lon, azi, radius_m, &y[k], &x[k], NULL);
    }
    x[segments] = x[0];
    y[segments] = y[0];
    GEOSGeometry *poly = NULL;
    if (cov__xform_points(ctx, xf, n, x, y, "service circle") == COV_OK) {
        GEOSCoordSequence *seq =
            GEOSCoordSeq_copyFromArrays_r(ctx->geos, x, y, NULL, NULL, (unsigned)n);
        GEOSGeometry *shell = seq ? GEOSGeom_createLinearRing_r(ctx->geos, seq) : NULL;
        poly = shell ? GEOSGeom_createPolygon_r(ctx->geos, shell, NULL, 0) : NULL;
        if (!poly) cov__geos_error(ctx, "service circle");
    }
    free(x);
    return poly;
}

/* Union of parts that tile exactly: an edge inside the union is shared by
 * two parts, so the outline is the edges used once. They are counted in a
 * hash table and rebuilt into polygons by GEOSPolygonize_valid (even-odd,
 * so lakes stay holes). GEOS 3.11's coverage union is slower than its
 * general union on N03 data; this is linear. */
typedef struct edge_key {
    double x1, y1, x2, y2; /* endpoints in lexicographic order */
} edge_key;

static uint64_t edge_hash(const edge_key *e)
{
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *b = (const unsigned char *)e;
    for (size_t i = 0; i < sizeof *e; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

typedef struct edge_set {
    edge_key *edges;
    uint32_t *count;
    size_t n, cap; /* cap: power of two, twice the edges at least */
} edge_set;

static void edge_add(edge_set *s, double ax, double ay, double bx, double by)
{
    if (ax == bx && ay == by) return;
    edge_key e = (ax < bx || (ax == bx && ay < by)) ? (edge_key){ax, ay, bx, by}
                                                   : (edge_key){bx, by, ax, ay};
    size_t i = edge_hash(&e) & (s->cap - 1);
    while (s->count[i] && memcmp(&s->edges[i], &e, sizeof e) != 0) i = (i + 1) & (s->cap - 1);
    if (!s->count[i]++) s->edges[i] = e, s->n++;
}

static int add_rings(cov_ctx *ctx, edge_set *s, const GEOSGeometry *poly)
{
    int holes = GEOSGetNumInteriorRings_r(ctx->geos, poly);
    for (int r = -1; r < holes; r++) {
        const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(ctx->geos, poly)
                                         : GEOSGetInteriorRingN_r(ctx->geos, poly, r);
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
        unsigned int n = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, &n)) continue;
        double *xy = cov__mallocarray(ctx, 2 * (size_t)(n ? n : 1), sizeof *xy);
        if (!xy) return COV_ERR_NOMEM;
        GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, xy, xy + n, NULL, NULL);
        for (unsigned int i = 1; i < n; i++) edge_add(s, xy[i - 1], xy[n + i - 1], xy[i], xy[n + i]);
        free(xy);
    }
    return COV_OK;
}

static size_t count_vertices(cov_ctx *ctx, const GEOSGeometry *const *parts, size_t n)
{
    size_t v = 0;
    for (size_t k = 0; k < n; k++) {
        int c = GEOSGetNumCoordinates_r(ctx->geos, parts[k]);
        v += c > 0 ? (size_t)c : 0;
    }
    return v;
}

/* The outline's edges chained into lines between nodes (vertices not of
 * degree 2) and closed loops, as polygonize wants them: GEOSLineMerge does
 * this too, but at several microseconds an edge. */
typedef struct chainer {
    const edge_key *e; /* the edges used once */
    size_t n_edges, n_vertices;
    size_t *end[2];    /* per edge: its two vertex ids */
    size_t *first;     /* per vertex: offset into inc (n_vertices + 1) */
    size_t *inc;       /* incident edge ids, grouped by vertex */
    unsigned char *used;
    double *x, *y;     /* the chain being built */
    size_t len;
} chainer;

/* Vertex ids by hashing the endpoints. */
static int number_vertices(chainer *c)
{
    size_t cap = 16;
    while (cap < 4 * c->n_edges + 16) cap *= 2;
    size_t *slot = malloc(cap * sizeof *slot); /* vertex id + 1, 0 empty */
    double *vx = malloc(2 * c->n_edges * sizeof *vx), *vy = malloc(2 * c->n_edges * sizeof *vy);
    if (!slot || !vx || !vy) {
        free(slot), free(vx), free(vy);
        return -1;
    }
    memset(slot, 0, cap * sizeof *slot);
    for (size_t i = 0; i < c->n_edges; i++)
        for (int k = 0; k < 2; k++) {
            double p[2] = {k ? c->e[i].x2 : c->e[i].x1, k ? c->e[i].y2 : c->e[i].y1};
            uint64_t h = 1469598103934665603ULL;
            const unsigned char *b = (const unsigned char *)p;
            for (size_t j = 0; j < sizeof p; j++) h = (h ^ b[j]) * 1099511628211ULL;
            size_t at = h & (cap - 1);
            while (slot[at] && (vx[slot[at] - 1] != p[0] || vy[slot[at] - 1] != p[1]))
                at = (at + 1) & (cap - 1);
            if (!slot[at]) {
                vx[c->n_vertices] = p[0], vy[c->n_vertices] = p[1];
                slot[at] = ++c->n_vertices;
            }
            c->end[k][i] = slot[at] - 1;
        }
    free(slot), free(vx), free(vy);
    return 0;
}

static int build_incidence(chainer *c)
{
    c->first = calloc(c->n_vertices + 1, sizeof *c->first);
    c->inc = malloc(2 * c->n_edges * sizeof *c->inc);
    size_t *fill = malloc((c->n_vertices + 1) * sizeof *fill);
    if (!c->first || !c->inc || !fill) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < c->n_edges; i++) c->first[c->end[0][i] + 1]++, c->first[c->end[1][i] + 1]++;
    for (size_t v = 0; v < c->n_vertices; v++) c->first[v + 1] += c->first[v];
    memcpy(fill, c->first, (c->n_vertices + 1) * sizeof *fill);
    for (size_t i = 0; i < c->n_edges; i++) c->inc[fill[c->end[0][i]]++] = i, c->inc[fill[c->end[1][i]]++] = i;
    free(fill);
    return 0;
}

static void push_vertex(chainer *c, size_t edge, int which)
{
    c->x[c->len] = which ? c->e[edge].x2 : c->e[edge].x1;
    c->y[c->len++] = which ? c->e[edge].y2 : c->e[edge].y1;
}

/* Walks from vertex v along unused edge i until a node or back to the
 * start; returns the chain as a LineString. */
static GEOSGeometry *walk(cov_ctx *ctx, chainer *c, size_t v, size_t i)
{
    c->len = 0;
    size_t start = v;
    push_vertex(c, i, c->end[0][i] != v);
    for (;;) {
        c->used[i] = 1;
        int to = c->end[0][i] == v; /* index of the far end of edge i */
        v = c->end[to][i];
        push_vertex(c, i, to);
        if (v == start || c->first[v + 1] - c->first[v] != 2) break;
        size_t a = c->inc[c->first[v]], b = c->inc[c->first[v] + 1];
        i = a == i ? b : a;
        if (c->used[i]) break;
    }
    GEOSCoordSequence *seq =
        GEOSCoordSeq_copyFromArrays_r(ctx->geos, c->x, c->y, NULL, NULL, (unsigned)c->len);
    return seq ? GEOSGeom_createLineString_r(ctx->geos, seq) : NULL;
}

static size_t chain_all(cov_ctx *ctx, chainer *c, GEOSGeometry **lines)
{
    size_t m = 0;
    for (size_t v = 0; v < c->n_vertices; v++) /* lines from every node */
        if (c->first[v + 1] - c->first[v] != 2)
            for (size_t k = c->first[v]; k < c->first[v + 1]; k++)
                if (!c->used[c->inc[k]]) lines[m++] = walk(ctx, c, v, c->inc[k]);
    for (size_t i = 0; i < c->n_edges; i++) /* then the closed loops */
        if (!c->used[i]) lines[m++] = walk(ctx, c, c->end[0][i], i);
    return m;
}

/* One closed chain of the fast path below: its points, area and box. */
typedef struct ring_info {
    double *x, *y;
    size_t n;
    double area, minx, miny, maxx, maxy;
    long parent;
    int depth;
} ring_info;

static int ring_area_cmp(const void *a, const void *b)
{
    const ring_info *const *x = a, *const *y = b;
    return (*x)->area > (*y)->area ? -1 : (*x)->area < (*y)->area;
}

int cov__point_in_ring(double px, double py, const double *x, const double *y, size_t n)
{
    int inside = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double x1 = x[i], y1 = y[i], x2 = x[i + 1], y2 = y[i + 1];
        double cross = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1);
        if (cross == 0 && px >= fmin(x1, x2) && px <= fmax(x1, x2) && py >= fmin(y1, y2) &&
            py <= fmax(y1, y2))
            return 0;
        if ((y1 > py) != (y2 > py) && px < x1 + (py - y1) * (x2 - x1) / (y2 - y1))
            inside = !inside;
    }
    return inside ? 1 : -1;
}

static GEOSGeometry *ring_geom(cov_ctx *ctx, const ring_info *r)
{
    GEOSCoordSequence *seq =
        GEOSCoordSeq_copyFromArrays_r(ctx->geos, r->x, r->y, NULL, NULL, (unsigned)r->n);
    return seq ? GEOSGeom_createLinearRing_r(ctx->geos, seq) : NULL;
}

/* The fast path when every vertex has two edges, so that every chain is a
 * closed ring touching no other: rings nest by containment (each ring's
 * parent is the smallest larger ring holding one of its points; even depth
 * a shell, odd a hole of its parent), with no noding. GEOS's polygonizer
 * nodes every chain against every other first, which was most of the time
 * of Hokkaido's 21 areas (9,581 parts). The caller checks the result's
 * area and validity. NULL when it cannot be made. */
static GEOSGeometry *nest_rings(cov_ctx *ctx, GEOSGeometry **lines, size_t m)
{
    ring_info *r = calloc(m ? m : 1, sizeof *r);
    ring_info **order = malloc((m ? m : 1) * sizeof *order);
    GEOSGeometry **polys = malloc((m ? m : 1) * sizeof *polys), *out = NULL;
    int ok = r && order && polys;
    for (size_t k = 0; ok && k < m; k++) {
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, lines[k]);
        unsigned n = 0;
        ok = seq && GEOSCoordSeq_getSize_r(ctx->geos, seq, &n) && n >= 4;
        r[k].n = n;
        r[k].x = ok ? malloc(n * sizeof *r[k].x) : NULL;
        r[k].y = ok ? malloc(n * sizeof *r[k].y) : NULL;
        ok = ok && r[k].x && r[k].y &&
             GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, r[k].x, r[k].y, NULL, NULL);
        if (!ok) break;
        double a = 0;
        r[k].minx = r[k].maxx = r[k].x[0];
        r[k].miny = r[k].maxy = r[k].y[0];
        for (size_t i = 0; i + 1 < n; i++) {
            a += r[k].x[i] * r[k].y[i + 1] - r[k].x[i + 1] * r[k].y[i];
            r[k].minx = fmin(r[k].minx, r[k].x[i + 1]), r[k].maxx = fmax(r[k].maxx, r[k].x[i + 1]);
            r[k].miny = fmin(r[k].miny, r[k].y[i + 1]), r[k].maxy = fmax(r[k].maxy, r[k].y[i + 1]);
        }
        r[k].area = fabs(a) / 2;
        order[k] = &r[k];
    }
    if (ok) qsort(order, m, sizeof *order, ring_area_cmp);
    /* a long ring that holds the boxes of others (a coast and its islets)
     * answers through an indexed locator, made when first asked */
    GEOSGeometry **area = calloc(m ? m : 1, sizeof *area);
    const GEOSPreparedGeometry **located = calloc(m ? m : 1, sizeof *located);
    ok = ok && area && located;
    for (size_t k = 0; ok && k < m; k++) {
        ring_info *q = order[k];
        q->parent = -1;
        for (size_t j = 0; ok && j < k; j++) { /* larger rings, largest first */
            const ring_info *p = order[j];
            if (!(p->minx <= q->minx && p->maxx >= q->maxx && p->miny <= q->miny &&
                  p->maxy >= q->maxy))
                continue;
            size_t pi = (size_t)(p - r);
            int in;
            if (p->n < 256) {
                in = cov__point_in_ring(q->x[0], q->y[0], p->x, p->y, p->n) > 0;
            } else {
                if (!located[pi]) {
                    GEOSGeometry *shell = ring_geom(ctx, p);
                    area[pi] = shell ? GEOSGeom_createPolygon_r(ctx->geos, shell, NULL, 0) : NULL;
                    located[pi] = area[pi] ? GEOSPrepare_r(ctx->geos, area[pi]) : NULL;
                    if (!located[pi]) { ok = 0; break; }
                }
                GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, q->x[0], q->y[0]);
                in = pt ? GEOSPreparedContains_r(ctx->geos, located[pi], pt) : 2;
                if (pt) GEOSGeom_destroy_r(ctx->geos, pt);
                if (in == 2) { ok = 0; break; }
            }
            if (in) q->parent = (long)pi;
        }
        q->depth = q->parent < 0 ? 0 : r[q->parent].depth + 1;
    }
    for (size_t k = 0; located && k < m; k++) {
        if (located[k]) GEOSPreparedGeom_destroy_r(ctx->geos, located[k]);
        if (area[k]) GEOSGeom_destroy_r(ctx->geos, area[k]);
    }
    free(located), free(area);
    size_t np = 0;
    for (size_t k = 0; ok && k < m; k++) {
        if (r[k].depth % 2) continue;
        size_t nh = 0;
        for (size_t j = 0; j < m; j++) nh += r[j].parent == (long)k && r[j].depth % 2;
        GEOSGeometry **holes = malloc((nh ? nh : 1) * sizeof *holes);
        GEOSGeometry *shell = holes ? ring_geom(ctx, &r[k]) : NULL;
        size_t h = 0;
        for (size_t j = 0; shell && j < m; j++)
            if (r[j].parent == (long)k && r[j].depth % 2) {
                if (!(holes[h] = ring_geom(ctx, &r[j]))) break;
                h++;
            }
        GEOSGeometry *poly = shell && h == nh
                                 ? GEOSGeom_createPolygon_r(ctx->geos, shell, holes, (unsigned)nh)
                                 : NULL;
        if (!poly) {
            for (size_t i = 0; i < h; i++) GEOSGeom_destroy_r(ctx->geos, holes[i]);
            if (shell) GEOSGeom_destroy_r(ctx->geos, shell);
            ok = 0;
        } else {
            polys[np++] = poly;
        }
        free(holes);
    }
    if (ok) out = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, polys, (unsigned)np);
    else
        for (size_t i = 0; i < np; i++) GEOSGeom_destroy_r(ctx->geos, polys[i]);
    for (size_t k = 0; r && k < m; k++) free(r[k].x), free(r[k].y);
    free(r), free(order), free(polys);
    return out;
}

static GEOSGeometry *polygonize_edges(cov_ctx *ctx, const edge_key *e, size_t n)
{
    chainer c = {.e = e, .n_edges = n};
    c.end[0] = malloc(n * sizeof(size_t));
    c.end[1] = malloc(n * sizeof(size_t));
    c.used = calloc(n, 1);
    c.x = malloc((n + 1) * sizeof *c.x);
    c.y = malloc((n + 1) * sizeof *c.y);
    GEOSGeometry **lines = malloc(n * sizeof *lines), *out = NULL;
    if (c.end[0] && c.end[1] && c.used && c.x && c.y && lines && number_vertices(&c) == 0 &&
        build_incidence(&c) == 0) {
        size_t m = chain_all(ctx, &c, lines);
        int two = 1; /* every vertex on two edges: the chains are separate rings */
        for (size_t v = 0; two && v < c.n_vertices; v++) two = c.first[v + 1] - c.first[v] == 2;
        if (two) out = nest_rings(ctx, lines, m);
        GEOSGeometry *coll =
            GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTILINESTRING, lines, (unsigned)m);
        const GEOSGeometry *one[1] = {coll};
        if (!out) out = coll ? GEOSPolygonize_valid_r(ctx->geos, one, 1) : NULL;
        if (coll) GEOSGeom_destroy_r(ctx->geos, coll);
    }
    free(c.end[0]), free(c.end[1]), free(c.used), free(c.x), free(c.y), free(c.first), free(c.inc);
    free(lines);
    return out;
}

/* The outline by edge counting, or NULL when it cannot be made (no error
 * recorded: the caller falls back). */
static GEOSGeometry *union_by_edges(cov_ctx *ctx, const GEOSGeometry *const *parts, size_t n)
{
    edge_set s = {0};
    size_t v = count_vertices(ctx, parts, n);
    s.cap = 16;
    while (s.cap < 2 * v + 16) s.cap *= 2;
    s.edges = malloc(s.cap * sizeof *s.edges);
    s.count = calloc(s.cap, sizeof *s.count);
    GEOSGeometry *out = NULL;
    int ok = s.edges && s.count;
    for (size_t k = 0; k < n && ok; k++) ok = add_rings(ctx, &s, parts[k]) == COV_OK;
    size_t m = 0;
    for (size_t i = 0; ok && i < s.cap; i++) /* compact the edges used once */
        if (s.count[i] == 1) s.edges[m++] = s.edges[i];
    if (ok && m) out = polygonize_edges(ctx, s.edges, m);
    free(s.edges);
    free(s.count);
    return out;
}

/* For exactly tiling parts the union's area is the sum of the parts'. */
static int same_area(cov_ctx *ctx, const GEOSGeometry *u, const GEOSGeometry *const *parts,
                     size_t n)
{
    double total = 0.0, a = 0.0, got = 0.0;
    for (size_t k = 0; k < n; k++)
        if (GEOSArea_r(ctx->geos, parts[k], &a)) total += a;
    return GEOSArea_r(ctx->geos, u, &got) && fabs(got - total) <= 1e-9 * total &&
           GEOSisValid_r(ctx->geos, u) == 1;
}

GEOSGeometry *cov__union_parts(cov_ctx *ctx, const GEOSGeometry *const *parts, size_t n)
{
    if (n == 1) return GEOSGeom_clone_r(ctx->geos, parts[0]);
    GEOSGeometry *u = union_by_edges(ctx, parts, n);
    if (u && same_area(ctx, u, parts, n)) return u;
    if (u) GEOSGeom_destroy_r(ctx->geos, u);
    /* parts that overlap or do not share their vertices: the general union */
    GEOSGeometry **g = cov__mallocarray(ctx, n ? n : 1, sizeof *g);
    if (!g) return NULL;
    for (size_t k = 0; k < n; k++) g[k] = GEOSGeom_clone_r(ctx->geos, parts[k]);
    GEOSGeometry *coll =
        GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, g, (unsigned)n);
    free(g);
    u = coll ? GEOSUnaryUnion_r(ctx->geos, coll) : NULL;
    if (coll) GEOSGeom_destroy_r(ctx->geos, coll);
    if (!u) cov__geos_error(ctx, "union of region parts");
    return u;
}
