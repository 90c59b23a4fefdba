/* Isochrones: the reached parts of edges (cut where the budget runs out),
 * buffered laterally. A buffer of lines holds only points within the
 * buffer distance of them (GEOS approximates the round caps by chords,
 * inside the circle), so the polygon never claims land beyond the
 * threshold plus the stated buffer. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "io/table_internal.h"
#include "net/net_internal.h"

/* Growable list of projected lines (the chains of reached spans). */
typedef struct pieces {
    GEOSGeometry **g;
    size_t n, cap;
} pieces;

static void pieces_free(cov_ctx *ctx, pieces *p)
{
    for (size_t i = 0; i < p->n; i++) GEOSGeom_destroy_r(ctx->geos, p->g[i]);
    free(p->g);
    memset(p, 0, sizeof *p);
}

/* Reached parts of edges: fractions [f0, f1] of edge e's length from its
 * edge_from end. The search gives each edge up to one span from each end
 * and one from each facility on it; they are merged per edge, so an edge
 * reached from both ends is one span, and then chained. */
typedef struct span {
    uint32_t e;
    double f0, f1;
} span;

typedef struct spans {
    span *v;
    size_t n, cap;
} spans;

static int spans_add(cov_ctx *ctx, spans *sp, size_t e, double f0, double f1)
{
    if (!(f1 > f0)) return COV_OK;
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? 2 * sp->cap : 256;
        span *v = cov__realloc(ctx, sp->v, cap * sizeof *v);
        if (!v) return COV_ERR_NOMEM;
        sp->v = v;
        sp->cap = cap;
    }
    sp->v[sp->n++] = (span){(uint32_t)e, f0, f1};
    return COV_OK;
}

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->e != y->e) return x->e < y->e ? -1 : 1;
    return x->f0 < y->f0 ? -1 : x->f0 > y->f0;
}

/* Sorts the spans by edge and merges those of an edge that overlap or touch. */
static void spans_merge(spans *sp)
{
    if (sp->n > 1) qsort(sp->v, sp->n, sizeof *sp->v, span_cmp);
    size_t out = 0;
    for (size_t i = 0; i < sp->n; i++) {
        span *last = out ? &sp->v[out - 1] : NULL;
        if (last && last->e == sp->v[i].e && sp->v[i].f0 <= last->f1)
            last->f1 = fmax(last->f1, sp->v[i].f1);
        else
            sp->v[out++] = sp->v[i];
    }
    sp->n = out;
}

/* Growable coordinate list of the chain being made. */
typedef struct coords {
    double *x, *y;
    size_t n, cap;
} coords;

static int coords_push(cov_ctx *ctx, coords *c, double x, double y)
{
    if (c->n && c->x[c->n - 1] == x && c->y[c->n - 1] == y) return COV_OK;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        double *nx = cov__realloc(ctx, c->x, cap * sizeof *nx);
        if (nx) c->x = nx;
        double *ny = nx ? cov__realloc(ctx, c->y, cap * sizeof *ny) : NULL;
        if (!ny) return COV_ERR_NOMEM;
        c->y = ny;
        c->cap = cap;
    }
    c->x[c->n] = x;
    c->y[c->n++] = y;
    return COV_OK;
}

/* Appends the points of span sp of edge geometry, from f0 to f1 (rev: from
 * f1 to f0), cut where the fractions fall inside a segment. */
static int span_coords(cov_ctx *ctx, const cov_network *n, const span *sp, int rev, coords *c)
{
    size_t e = sp->e, a = n->geom_off[e], z = n->geom_off[e + 1];
    double total = n->edge_plen[e], s0 = sp->f0 * total, s1 = sp->f1 * total;
    size_t first = c->n;
    double acc = 0;
    int rc = COV_OK, any = 0;
    for (size_t k = a; rc == COV_OK && k + 1 < z; k++) {
        double dx = n->gx[k + 1] - n->gx[k], dy = n->gy[k + 1] - n->gy[k];
        double len = hypot(dx, dy), lo = acc, hi = acc + len;
        acc = hi;
        if (hi < s0 || lo > s1 || len == 0) continue;
        double t0 = fmax(0, (s0 - lo) / len), t1 = fmin(1, (s1 - lo) / len);
        if (!any) rc = coords_push(ctx, c, n->gx[k] + t0 * dx, n->gy[k] + t0 * dy);
        any = 1;
        if (rc == COV_OK) rc = coords_push(ctx, c, n->gx[k] + t1 * dx, n->gy[k] + t1 * dy);
    }
    if (rc == COV_OK && !any) rc = coords_push(ctx, c, n->gx[a], n->gy[a]); /* a point */
    if (rc == COV_OK && rev) /* this span's points, reversed in place */
        for (size_t i = first, j = c->n - 1; i < j; i++, j--) {
            double tx = c->x[i], ty = c->y[i];
            c->x[i] = c->x[j]; c->y[i] = c->y[j];
            c->x[j] = tx; c->y[j] = ty;
        }
    return rc;
}

/* The line of c (a point as a degenerate line of two equal points, whose
 * buffer is the disc), appended to p; c is emptied. */
static int coords_line(cov_ctx *ctx, coords *c, pieces *p)
{
    unsigned m = (unsigned)c->n;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(ctx->geos, m < 2 ? 2 : m, 2);
    for (unsigned k = 0; cs && k < m; k++) GEOSCoordSeq_setXY_r(ctx->geos, cs, k, c->x[k], c->y[k]);
    if (cs && m < 2) GEOSCoordSeq_setXY_r(ctx->geos, cs, 1, c->x[0], c->y[0]);
    c->n = 0;
    GEOSGeometry *line = cs ? GEOSGeom_createLineString_r(ctx->geos, cs) : NULL;
    if (!line) return cov__geos_error(ctx, "isochrone");
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        GEOSGeometry **g = cov__realloc(ctx, p->g, cap * sizeof *g);
        if (!g) { GEOSGeom_destroy_r(ctx->geos, line); return COV_ERR_NOMEM; }
        p->g = g;
        p->cap = cap;
    }
    p->g[p->n++] = line;
    return COV_OK;
}

#define NO_NODE UINT32_MAX

/* The node span i ends at on side `end` (0: f0, 1: f1), or NO_NODE where it
 * stops inside its edge. */
static uint32_t span_node(const cov_network *n, const span *sp, int end)
{
    if (end) return sp->f1 >= 1 ? n->edge_to[sp->e] : NO_NODE;
    return sp->f0 <= 0 ? n->edge_from[sp->e] : NO_NODE;
}

/* Lines through the merged spans: walks from span to span through shared
 * nodes, so that the whole reached network is a few long lines instead of
 * a line per edge (on Sapporo's roads: 18,000 against 73,000, and their
 * buffers union 2.7 times faster). Spans whose ends meet only inside an
 * edge stay lines of their own. */
static int chain_spans(cov_ctx *ctx, const cov_network *n, const spans *sp, pieces *p)
{
    size_t ns = sp->n, nn = n->n_nodes;
    size_t *off = cov__calloc(ctx, nn + 2, sizeof *off);
    uint32_t *inc = cov__mallocarray(ctx, 2 * ns + 1, sizeof *inc);
    uint8_t *used = cov__calloc(ctx, ns + 1, 1);
    size_t *back = cov__mallocarray(ctx, ns + 1, sizeof *back); /* span << 1 | walked f0 -> f1 */
    coords c = {0};
    int rc = off && inc && used && back ? COV_OK : COV_ERR_NOMEM;
    /* incidence: the spans at each node (CSR) */
    for (size_t i = 0; rc == COV_OK && i < ns; i++)
        for (int end = 0; end < 2; end++) {
            uint32_t v = span_node(n, &sp->v[i], end);
            if (v != NO_NODE) off[v + 2]++;
        }
    for (size_t v = 0; rc == COV_OK && v < nn; v++) off[v + 2] += off[v + 1];
    for (size_t i = 0; rc == COV_OK && i < ns; i++)
        for (int end = 0; end < 2; end++) {
            uint32_t v = span_node(n, &sp->v[i], end);
            if (v != NO_NODE) inc[off[v + 1]++] = (uint32_t)i;
        }
    /* now spans at v are inc[off[v] .. off[v + 1]) */
    for (size_t s0 = 0; rc == COV_OK && s0 < ns; s0++) {
        if (used[s0]) continue;
        used[s0] = 1;
        /* backward from s0's f0 end: the spans met, outward */
        size_t nb = 0;
        for (uint32_t v = span_node(n, &sp->v[s0], 0); v != NO_NODE;) {
            uint32_t q = NO_NODE;
            for (size_t k = off[v]; k < off[v + 1] && q == NO_NODE; k++)
                if (!used[inc[k]]) q = inc[k];
            if (q == NO_NODE) break;
            used[q] = 1;
            int from_f0 = span_node(n, &sp->v[q], 0) == v; /* walked f0 -> f1 */
            back[nb++] = (size_t)q << 1 | (size_t)from_f0;
            v = span_node(n, &sp->v[q], from_f0 ? 1 : 0);
        }
        /* the chain from its far end: the backward spans reversed, each
         * walked towards s0 */
        for (size_t k = nb; rc == COV_OK && k-- > 0;)
            rc = span_coords(ctx, n, &sp->v[back[k] >> 1], (int)(back[k] & 1), &c);
        if (rc == COV_OK) rc = span_coords(ctx, n, &sp->v[s0], 0, &c);
        /* forward from s0's f1 end */
        for (uint32_t v = span_node(n, &sp->v[s0], 1); rc == COV_OK && v != NO_NODE;) {
            uint32_t q = NO_NODE;
            for (size_t k = off[v]; k < off[v + 1] && q == NO_NODE; k++)
                if (!used[inc[k]]) q = inc[k];
            if (q == NO_NODE) break;
            used[q] = 1;
            int from_f0 = span_node(n, &sp->v[q], 0) == v;
            rc = span_coords(ctx, n, &sp->v[q], !from_f0, &c);
            v = span_node(n, &sp->v[q], from_f0 ? 1 : 0);
        }
        if (rc == COV_OK) rc = coords_line(ctx, &c, p);
    }
    free(off);
    free(inc);
    free(used);
    free(back);
    free(c.x);
    free(c.y);
    return rc;
}

/* The part of a facility's own edge reached from its snap point (edge,
 * offset) with access cost acc, both ways as the edge's directions allow. */
static int start_span(cov_ctx *ctx, const cov__search *s, int64_t edge, double offset,
                      double acc, spans *sp)
{
    const cov_network *n = s->net;
    double cut = s->cutoff;
    if (edge < 0 || !(acc <= cut)) return COV_OK;
    size_t e = (size_t)edge;
    double len = n->edge_len_m[e], ft = len > 0 ? offset / len : 0, left = cut - acc;
    double wf = s->edge_fwd[e], wb = s->edge_bwd[e];
    double hi = isfinite(wf) ? (wf > 0 ? fmin(1, ft + left / wf) : 1) : ft;
    double lo = isfinite(wb) ? (wb > 0 ? fmax(0, ft - left / wb) : 0) : ft;
    return spans_add(ctx, sp, e, lo, hi);
}

/* The parts of edges reached from the settled nodes of the search: along
 * each arc as far as the budget left at its tail goes. */
static int node_spans(cov_ctx *ctx, const cov__search *s, spans *sp)
{
    const cov_network *n = s->net;
    int rc = COV_OK;
    for (size_t t = 0; rc == COV_OK && t < s->n_touched; t++) {
        uint32_t u = s->touched[t];
        if (!cov__search_settled(s, u)) continue;
        double left = s->cutoff - cov__search_dist(s, u);
        for (size_t a = n->arc_off[u]; rc == COV_OK && a < n->arc_off[u + 1]; a++) {
            double w = cov__search_arc_w(s, a);
            if (!isfinite(w)) continue;
            double f = w > 0 ? fmin(1, left / w) : 1;
            size_t e = n->arc_edge[a];
            rc = n->arc_rev[a] ? spans_add(ctx, sp, e, 1 - f, 1) : spans_add(ctx, sp, e, 0, f);
        }
    }
    return rc;
}

/* The lines reached from any of the facilities members[0..n_members) (all
 * of fs when members is NULL) within threshold: one search seeded at all of
 * them. A point is within the threshold of one of them exactly when it is
 * within it of the nearest, so the nearest's budget at each node gives the
 * union of their reached parts (one search instead of one per facility,
 * and no facility's pieces kept beside the others'). */
static int group_pieces(cov_ctx *ctx, cov__search *s, const cov__snap *fs,
                        const size_t *members, size_t n_members, double access_per_m,
                        double threshold, pieces *p)
{
    spans sp = {0};
    int rc = COV_OK;
    for (size_t j = 0; rc == COV_OK && j < n_members; j++) {
        size_t i = members ? members[j] : j;
        rc = cov__search_seed(ctx, s, fs->edge[i], fs->offset_m[i], access_per_m * fs->dist_m[i],
                              (int64_t)i);
    }
    if (rc == COV_OK) rc = cov__search_run(ctx, s, threshold);
    for (size_t j = 0; rc == COV_OK && j < n_members; j++) {
        size_t i = members ? members[j] : j;
        rc = start_span(ctx, s, fs->edge[i], fs->offset_m[i], access_per_m * fs->dist_m[i], &sp);
    }
    if (rc == COV_OK) rc = node_spans(ctx, s, &sp);
    if (rc == COV_OK) {
        spans_merge(&sp);
        rc = chain_spans(ctx, s->net, &sp, p);
    }
    free(sp.v);
    cov__search_reset(s);
    return rc;
}

/* Buffer of the pieces, in lon/lat; *out_km2 its area (projected CRS is
 * equal-area). Empty pieces give an empty polygon. Each piece is buffered
 * by itself and the buffers unioned: GEOS's buffer of one multi-line nodes
 * every offset curve against every other, and on a city's reached roads
 * (Sapporo at 30 minutes, 140,000 pieces) passed 6 GB; piece by piece and
 * a cascaded union take seconds and a few hundred MB. The pieces are
 * consumed (p is left empty). */
static GEOSGeometry *buffer_pieces(cov_ctx *ctx, const cov_network *n, pieces *p,
                                   double buffer_m, double *out_km2)
{
    GEOSGeometry *buf = NULL;
    if (p->n == 0) {
        buf = GEOSGeom_createEmptyPolygon_r(ctx->geos);
    } else {
        size_t k = 0;
        for (; k < p->n; k++) { /* each line's buffer takes its place */
            GEOSGeometry *b = GEOSBuffer_r(ctx->geos, p->g[k], buffer_m, 8);
            if (!b) break;
            GEOSGeom_destroy_r(ctx->geos, p->g[k]);
            p->g[k] = b;
        }
        GEOSGeometry *coll = k == p->n ? GEOSGeom_createCollection_r(
                                             ctx->geos, GEOS_GEOMETRYCOLLECTION, p->g,
                                             (unsigned)p->n)
                                       : NULL;
        if (coll) {
            p->n = 0; /* the collection owns them now */
            buf = GEOSUnaryUnion_r(ctx->geos, coll);
            GEOSGeom_destroy_r(ctx->geos, coll);
        }
    }
    if (!buf) return cov__geos_error(ctx, "isochrone buffer"), NULL;
    double area = 0;
    if (!GEOSisEmpty_r(ctx->geos, buf)) GEOSArea_r(ctx->geos, buf, &area);
    *out_km2 = area / 1e6;
    GEOSGeometry *ll = cov__xform_geom(ctx, &n->proj, buf, 1, "isochrone");
    GEOSGeom_destroy_r(ctx->geos, buf);
    return ll;
}

static const cov_column_spec fac_spec[] = {
    {"facility_id", COV_COL_STRING}, {"kind", COV_COL_STRING}, {"area_km2", COV_COL_DOUBLE}};
static const cov_column_spec kind_spec[] = {
    {"kind", COV_COL_STRING}, {"n_facilities", COV_COL_INT}, {"area_km2", COV_COL_DOUBLE}};

cov_table *cov_network_isochrones(cov_ctx *ctx, cov_network *net, const cov_facilities *f,
                                  const cov_travel *travel, double threshold, int mode)
{
    COV_CHECK_ARG(ctx, ctx && net && f, NULL);
    cov_travel travel_copy;
    if (cov__net_take_travel(ctx, &travel, &travel_copy) != COV_OK ||
        cov__net_check_threshold(ctx, threshold) != COV_OK)
        return NULL;
    double buffer_m = travel->isochrone_buffer_m;
    if (mode != COV_ISOCHRONE_BY_FACILITY && mode != COV_ISOCHRONE_BY_KIND)
        return cov__error(ctx, COV_ERR_ARG, "isochrone mode must be 1 or 2 (got %d)", mode), NULL;
    int by_kind = mode == COV_ISOCHRONE_BY_KIND;
    size_t rows = by_kind ? f->n_kinds : f->n;
    cov__snap fs;
    cov__search s;
    if (cov__net_snap_sources(ctx, net, f->n, f->lon, f->lat, travel->snap_max_m, &fs) != COV_OK)
        return NULL;
    int rc = cov__search_init(ctx, &s, net, travel);
    if (rc != COV_OK) memset(&s, 0, sizeof s);
    cov_table *t = rc == COV_OK ? cov__table_create(ctx, rows, 1) : NULL;
    size_t c[3];
    if (rc == COV_OK) rc = t ? cov__table_add_columns(ctx, t, by_kind ? kind_spec : fac_spec, 3, c)
                             : ctx->status;
    double k = cov__net_access_cost_per_m(travel);
    size_t *members = rc == COV_OK ? cov__mallocarray(ctx, f->n + 1, sizeof *members) : NULL;
    if (rc == COV_OK && !members) rc = COV_ERR_NOMEM;
    for (size_t r = 0; rc == COV_OK && r < rows; r++) {
        pieces p = {0};
        size_t n_members = 0;
        if (!by_kind) members[n_members++] = r; /* a facility by itself */
        for (size_t i = 0; by_kind && i < f->n; i++)
            if (f->kind_of[i] == r) members[n_members++] = i;
        rc = group_pieces(ctx, &s, &fs, members, n_members, k, threshold, &p);
        double km2 = 0;
        GEOSGeometry *g = rc == COV_OK ? buffer_pieces(ctx, net, &p, buffer_m, &km2) : NULL;
        pieces_free(ctx, &p);
        if (!g) { rc = ctx->status ? ctx->status : COV_ERR_GEOMETRY; break; }
        cov__table_set_geometry(t, r, g);
        cov__table_doubles_mut(t, c[2])[r] = km2;
        if (by_kind) {
            cov__table_ints_mut(t, c[1])[r] = (int64_t)n_members;
            rc = cov__table_set_string(ctx, t, c[0], r, f->kind_names[r]);
        } else {
            rc = cov__table_set_string(ctx, t, c[0], r, f->ids[r]);
            if (rc == COV_OK) rc = cov__table_set_string(ctx, t, c[1], r, f->kinds[r]);
        }
        if (rc == COV_OK && r % 16 == 15)
            rc = cov__progress(ctx, (double)r / (double)rows, "isochrones");
    }
    free(members);
    net->n_settled += s.n_settled;
    cov__search_free(&s);
    cov__snap_free(&fs);
    if (rc != COV_OK) {
        cov_table_destroy(t);
        return NULL;
    }
    return t;
}

GEOSGeometry *cov__net_group_isochrone(cov_ctx *ctx, cov_network *net, const cov_facilities *f,
                                       const size_t *members, size_t n_members,
                                       const cov_travel *travel, double threshold)
{
    cov_travel travel_copy;
    if (cov__net_take_travel(ctx, &travel, &travel_copy) != COV_OK ||
        cov__net_check_threshold(ctx, threshold) != COV_OK)
        return NULL;
    cov__snap fs;
    cov__search s;
    if (cov__net_snap_sources(ctx, net, f->n, f->lon, f->lat, travel->snap_max_m, &fs) != COV_OK)
        return NULL;
    pieces p = {0};
    int rc = cov__search_init(ctx, &s, net, travel);
    if (rc != COV_OK) memset(&s, 0, sizeof s);
    if (rc == COV_OK)
        rc = group_pieces(ctx, &s, &fs, members, n_members, cov__net_access_cost_per_m(travel),
                          threshold, &p);
    double km2 = 0;
    GEOSGeometry *g = rc == COV_OK ? buffer_pieces(ctx, net, &p, travel->isochrone_buffer_m, &km2)
                                   : NULL;
    pieces_free(ctx, &p);
    if (rc == COV_OK) net->n_settled += s.n_settled;
    cov__search_free(&s);
    cov__snap_free(&fs);
    return g;
}
