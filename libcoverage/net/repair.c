/* Topology repair: free line ends joined to the nearest point of another
 * line, never across levels, with a record of every join.
 *
 * Layers cut into tiles (OpenMapTiles), generalised, or digitised by hand
 * end lines near, not at, the roads they meet: a T-junction whose stem
 * stops a metre short of the through road, a road cut at a tile edge
 * whose other half starts a few decimetres away. Joining ends to vertices
 * only misses the T-junctions whose through road has no vertex there. So a
 * free end joins the nearest point of any segment within the tolerance;
 * the segment is split there by a new vertex, or the end goes to the
 * segment's vertex when that is nearly as near (a quarter of the
 * tolerance), which keeps edges of centimetres out of the graph.
 *
 * The repair rewrites the lines (ends moved onto their join points, split
 * points inserted) so that the build nodes them as shared vertices: one
 * noding rule downstream, and the edges' geometry runs exactly to the
 * node. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define NONE UINT32_MAX
/* a vertex is taken instead of the nearest point when it is at most this
 * share of the tolerance farther */
#define VERTEX_SLACK 0.25
/* own-line segments closer than this many tolerances along the line to
 * the end are not junctions: a line's first metres curve near its end */
#define OWN_LINE_SKIP 2.0

typedef struct seg_grid {
    double x0, y0, cell;
    size_t nx, ny;
    size_t *off;     /* nx * ny + 1 */
    uint32_t *seg;   /* segment = its first vertex index */
} seg_grid;

typedef struct split {
    uint32_t v;   /* segment (first vertex) */
    double t;     /* position along it, (0, 1) */
    uint32_t join; /* the join whose point it is */
} split;

/* A join in the making: the point in both coordinate systems. */
typedef struct jpoint {
    double x, y, lon, lat;
} jpoint;

static size_t clampi(double v, size_t n)
{
    if (!(v > 0)) return 0;
    return v >= (double)(n - 1) ? n - 1 : (size_t)v;
}

/* Cells a segment's bounding box covers under cell size c. */
static double seg_cells(const double *x, const double *y, uint32_t v, double x0, double y0,
                        double c)
{
    double ax = floor((fmin(x[v], x[v + 1]) - x0) / c), bx = floor((fmax(x[v], x[v + 1]) - x0) / c);
    double ay = floor((fmin(y[v], y[v + 1]) - y0) / c), by = floor((fmax(y[v], y[v + 1]) - y0) / c);
    return (bx - ax + 1) * (by - ay + 1);
}

static int is_seg(const cov__lines *l, const uint32_t *line_of, const double *x,
                  const double *y, size_t v)
{
    return v + 1 < l->n_vertices && line_of[v] == line_of[v + 1] &&
           (x[v] != x[v + 1] || y[v] != y[v + 1]);
}

/* A uniform grid of segments by bounding box. The cell starts at about
 * one segment per cell (never below two tolerances, so a query touches at
 * most 2 x 2 cells) and doubles until the registrations stay linear in
 * the segments, whatever the layer's shape. */
static int grid_build(cov_ctx *ctx, const cov__lines *l, const uint32_t *line_of,
                      const double *x, const double *y, double tol, seg_grid *g)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    size_t nseg = 0;
    for (size_t v = 0; v < l->n_vertices; v++) {
        x0 = fmin(x0, x[v]); x1 = fmax(x1, x[v]);
        y0 = fmin(y0, y[v]); y1 = fmax(y1, y[v]);
        nseg += is_seg(l, line_of, x, y, v);
    }
    double w = x1 - x0, h = y1 - y0;
    double c = fmax(2 * tol, sqrt(w * h / (double)(nseg ? nseg : 1)));
    for (;;) {
        double cells = (floor(w / c) + 1) * (floor(h / c) + 1);
        if (cells <= 4.0 * (double)nseg + 1024) {
            double reg = 0;
            for (size_t v = 0; v < l->n_vertices && reg <= 8.0 * (double)nseg + 1e6; v++)
                if (is_seg(l, line_of, x, y, v)) reg += seg_cells(x, y, (uint32_t)v, x0, y0, c);
            if (reg <= 8.0 * (double)nseg + 1e6) break;
        }
        c *= 2;
    }
    g->x0 = x0; g->y0 = y0; g->cell = c;
    g->nx = (size_t)floor(w / c) + 1;
    g->ny = (size_t)floor(h / c) + 1;
    size_t ncell = g->nx * g->ny;
    g->off = cov__calloc(ctx, ncell + 1, sizeof *g->off);
    if (!g->off) return COV_ERR_NOMEM;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t v = 0; v < l->n_vertices; v++) {
            if (!is_seg(l, line_of, x, y, v)) continue;
            size_t ax = clampi((fmin(x[v], x[v + 1]) - x0) / c, g->nx);
            size_t bx = clampi((fmax(x[v], x[v + 1]) - x0) / c, g->nx);
            size_t ay = clampi((fmin(y[v], y[v + 1]) - y0) / c, g->ny);
            size_t by = clampi((fmax(y[v], y[v + 1]) - y0) / c, g->ny);
            for (size_t cy = ay; cy <= by; cy++)
                for (size_t cx = ax; cx <= bx; cx++) {
                    size_t k = cy * g->nx + cx;
                    if (pass == 0) g->off[k + 1]++;
                    else g->seg[g->off[k]++] = (uint32_t)v;
                }
        }
        if (pass == 0) {
            for (size_t k = 0; k < ncell; k++) g->off[k + 1] += g->off[k];
            g->seg = cov__mallocarray(ctx, g->off[ncell] ? g->off[ncell] : 1, sizeof *g->seg);
            if (!g->seg) return COV_ERR_NOMEM;
        }
    }
    /* the fill pass moved every start to the next cell's: shift back */
    memmove(g->off + 1, g->off, ncell * sizeof *g->off);
    g->off[0] = 0;
    return COV_OK;
}

static int split_cmp(const void *a, const void *b)
{
    const split *p = a, *q = b;
    if (p->v != q->v) return p->v < q->v ? -1 : 1;
    if (p->t != q->t) return p->t < q->t ? -1 : 1;
    return p->join < q->join ? -1 : p->join > q->join;
}

/* The nearest admissible point of another line to the end vertex `end` of
 * line i (within tol): *out_v the segment, *out_t the position, *out_d
 * the distance; -1 when none. *other_level says whether a line of another
 * level lay within tol. */
static int nearest_point(const cov__lines *l, const seg_grid *g, const uint32_t *line_of,
                         const double *x, const double *y, const double *cum, size_t i,
                         size_t end, int first, double tol, uint32_t *out_v, double *out_t,
                         double *out_d, int *other_level)
{
    double px = x[end], py = y[end], best = INFINITY, line_len = cum[l->off[i + 1] - 1];
    int found = -1;
    size_t ax = clampi((px - tol - g->x0) / g->cell, g->nx);
    size_t bx = clampi((px + tol - g->x0) / g->cell, g->nx);
    size_t ay = clampi((py - tol - g->y0) / g->cell, g->ny);
    size_t by = clampi((py + tol - g->y0) / g->cell, g->ny);
    for (size_t cy = ay; cy <= by; cy++)
        for (size_t cx = ax; cx <= bx; cx++) {
            size_t k = cy * g->nx + cx;
            for (size_t s = g->off[k]; s < g->off[k + 1]; s++) {
                uint32_t v = g->seg[s];
                uint32_t j = line_of[v];
                if (j == i) {
                    double along = first ? cum[v] : line_len - cum[v + 1];
                    if (along < OWN_LINE_SKIP * tol) continue;
                }
                double dx = x[v + 1] - x[v], dy = y[v + 1] - y[v];
                double t = ((px - x[v]) * dx + (py - y[v]) * dy) / (dx * dx + dy * dy);
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                double d = hypot(x[v] + t * dx - px, y[v] + t * dy - py);
                if (!(d <= tol)) continue;
                if (l->level[j] != l->level[i]) { *other_level = 1; continue; }
                if (d < best || (d == best && v < *out_v)) {
                    best = d;
                    *out_v = v;
                    *out_t = t;
                    found = 0;
                }
            }
        }
    *out_d = best;
    return found;
}

/* Rewrites the lines with ends moved and split points inserted. */
static int apply(cov_ctx *ctx, cov__lines *l, double **px, double **py, const uint32_t *pid,
                 const uint32_t *move_of, const jpoint *jp, split *sp, size_t n_splits)
{
    if (n_splits) qsort(sp, n_splits, sizeof *sp, split_cmp);
    size_t nv = l->n_vertices + n_splits;
    double *lon = cov__mallocarray(ctx, nv ? nv : 1, sizeof *lon);
    double *lat = cov__mallocarray(ctx, nv ? nv : 1, sizeof *lat);
    double *x = cov__mallocarray(ctx, nv ? nv : 1, sizeof *x);
    double *y = cov__mallocarray(ctx, nv ? nv : 1, sizeof *y);
    if (!lon || !lat || !x || !y) {
        free(lon); free(lat); free(x); free(y);
        return COV_ERR_NOMEM;
    }
    const double *ox = *px, *oy = *py;
    size_t w = 0, s = 0;
    for (size_t i = 0; i < l->n; i++) {
        size_t a = l->off[i], b = l->off[i + 1];
        l->off[i] = w;
        for (size_t v = a; v < b; v++) {
            uint32_t m = move_of[pid[v]];
            if (m == NONE) {
                lon[w] = l->lon[v]; lat[w] = l->lat[v]; x[w] = ox[v]; y[w] = oy[v];
            } else {
                lon[w] = jp[m].lon; lat[w] = jp[m].lat; x[w] = jp[m].x; y[w] = jp[m].y;
            }
            w++;
            for (; s < n_splits && sp[s].v == v; s++) {
                const jpoint *q = &jp[sp[s].join];
                lon[w] = q->lon; lat[w] = q->lat; x[w] = q->x; y[w] = q->y;
                w++;
            }
        }
    }
    l->off[l->n] = w;
    free(l->lon); free(l->lat); free(*px); free(*py);
    l->lon = lon; l->lat = lat; *px = x; *py = y;
    l->n_vertices = l->cap_vertices = w;
    return COV_OK;
}

int cov__net_repair(cov_ctx *ctx, cov__lines *l, double **px, double **py, double tol,
                    cov__repair *out)
{
    memset(out, 0, sizeof *out);
    out->tolerance_m = tol;
    out->n_lines = l->n;
    size_t nv = l->n_vertices, alloc = nv ? nv : 1;
    const double *x = *px, *y = *py;
    uint32_t *pid = cov__mallocarray(ctx, alloc, sizeof *pid);
    uint32_t *uses = cov__calloc(ctx, alloc, sizeof *uses);
    uint32_t *line_of = cov__mallocarray(ctx, alloc, sizeof *line_of);
    uint32_t *move_of = cov__mallocarray(ctx, alloc, sizeof *move_of);
    uint8_t *target = cov__calloc(ctx, alloc, 1);
    double *cum = cov__mallocarray(ctx, alloc, sizeof *cum);
    seg_grid g = {0};
    jpoint *jp = NULL;
    split *sp = NULL;
    size_t cap_j = 0, cap_s = 0, n_splits = 0;
    int rc = pid && uses && line_of && move_of && target && cum ? COV_OK : COV_ERR_NOMEM;
    if (rc == COV_OK) rc = cov__net_unique_points(ctx, l, pid);
    if (rc == COV_OK) {
        cov__net_count_uses(l, pid, uses, 0);
        for (size_t i = 0; i < l->n; i++)
            for (size_t v = l->off[i]; v < l->off[i + 1]; v++) {
                line_of[v] = (uint32_t)i;
                cum[v] = v == l->off[i] ? 0 : cum[v - 1] + hypot(x[v] - x[v - 1], y[v] - y[v - 1]);
            }
        for (size_t v = 0; v < nv; v++) move_of[v] = NONE;
        rc = grid_build(ctx, l, line_of, x, y, tol, &g);
    }
    for (size_t i = 0; rc == COV_OK && i < l->n; i++) {
        size_t a = l->off[i], b = l->off[i + 1];
        if (b - a < 2) continue;
        for (int e = 0; rc == COV_OK && e < 2; e++) {
            size_t end = e ? b - 1 : a;
            uint32_t p = pid[end];
            if (uses[p] != 1) continue;
            out->n_free_ends++;
            if (target[p] || move_of[p] != NONE) continue; /* already joined */
            uint32_t v = NONE;
            double t = 0, d = 0;
            int other = 0;
            if (nearest_point(l, &g, line_of, x, y, cum, i, end, !e, tol, &v, &t, &d,
                              &other) != 0) {
                out->n_refused_level += other;
                continue;
            }
            if (out->n_joins == cap_j) {
                cap_j = cap_j ? 2 * cap_j : 1024;
                void *pj = cov__realloc(ctx, jp, cap_j * sizeof *jp);
                void *pr = pj ? cov__realloc(ctx, out->joins, cap_j * sizeof *out->joins) : NULL;
                if (pj) jp = pj;
                if (pr) out->joins = pr;
                if (!pj || !pr) { rc = COV_ERR_NOMEM; break; }
            }
            size_t k = out->n_joins;
            jpoint *q = &jp[k];
            int split_here = 0;
            uint32_t vert = t <= 0 ? v : t >= 1 ? v + 1 : NONE;
            if (vert == NONE) {
                double da = hypot(x[v] - x[end], y[v] - y[end]);
                double db = hypot(x[v + 1] - x[end], y[v + 1] - y[end]);
                double dv = fmin(da, db);
                if (dv <= tol && dv - d <= VERTEX_SLACK * tol) vert = da <= db ? v : v + 1;
            }
            /* a vertex that was itself a free end has moved to its own join
             * point: follow it there only within the tolerance (else a
             * chain of joins would close gaps of twice the tolerance) */
            if (vert != NONE && move_of[pid[vert]] != NONE &&
                !(hypot(jp[move_of[pid[vert]]].x - x[end],
                        jp[move_of[pid[vert]]].y - y[end]) <= tol)) {
                if (!(t > 0 && t < 1)) continue; /* the nearest point is that vertex: stay free */
                vert = NONE;                     /* split beside it instead */
            }
            if (vert != NONE) {
                uint32_t r = pid[vert];
                uint32_t m = move_of[r];
                if (m != NONE) *q = jp[m];
                else { q->x = x[vert]; q->y = y[vert]; q->lon = l->lon[vert]; q->lat = l->lat[vert]; }
                target[r] = 1;
            } else {
                split_here = 1;
                /* the foot again in lon/lat scaled locally: the TM foot's
                 * parameter, applied to lon/lat, lands centimetres along a
                 * long segment from the nearest point of the segment as
                 * the layer draws it (straight in lon/lat) */
                double c = cos(l->lat[end] * M_PI / 180.0);
                double ux = (l->lon[v + 1] - l->lon[v]) * c, uy = l->lat[v + 1] - l->lat[v];
                double wx = (l->lon[end] - l->lon[v]) * c, wy = l->lat[end] - l->lat[v];
                double uu = ux * ux + uy * uy;
                if (uu > 0) {
                    double t2 = (wx * ux + wy * uy) / uu;
                    if (t2 > 0 && t2 < 1) t = t2;
                }
                q->x = x[v] + t * (x[v + 1] - x[v]);
                q->y = y[v] + t * (y[v + 1] - y[v]);
                q->lon = l->lon[v] + t * (l->lon[v + 1] - l->lon[v]);
                q->lat = l->lat[v] + t * (l->lat[v + 1] - l->lat[v]);
                if (n_splits == cap_s) {
                    cap_s = cap_s ? 2 * cap_s : 1024;
                    void *ps = cov__realloc(ctx, sp, cap_s * sizeof *sp);
                    if (!ps) { rc = COV_ERR_NOMEM; break; }
                    sp = ps;
                }
                sp[n_splits++] = (split){.v = v, .t = t, .join = (uint32_t)k};
            }
            move_of[p] = (uint32_t)k;
            cov__join *jr = &out->joins[k];
            jr->line = l->src[i];
            jr->target_line = l->src[line_of[v]];
            jr->end = (uint8_t)e;
            jr->split = (uint8_t)split_here;
            jr->level = l->level[i];
            jr->target_level = l->level[line_of[v]];
            jr->lon = q->lon;
            jr->lat = q->lat;
            geod_inverse(&ctx->geod, l->lat[end], l->lon[end], q->lat, q->lon, &jr->gap_m,
                         NULL, NULL);
            if (jr->gap_m > out->largest_gap_m) out->largest_gap_m = jr->gap_m;
            out->n_joins++;
            out->n_splits += (size_t)split_here;
        }
    }
    if (rc == COV_OK && out->n_joins)
        rc = apply(ctx, l, px, py, pid, move_of, jp, sp, n_splits);
    free(pid); free(uses); free(line_of); free(move_of); free(target); free(cum);
    free(g.off); free(g.seg); free(jp); free(sp);
    if (rc != COV_OK) {
        free(out->joins);
        out->joins = NULL;
    }
    return rc;
}

/* ---- reports -------------------------------------------------------------- */

#include "io/table_internal.h"

static const cov_column_spec join_spec[] = {
    {"line", COV_COL_INT},         {"end", COV_COL_INT},
    {"target_line", COV_COL_INT},  {"gap_m", COV_COL_DOUBLE},
    {"split", COV_COL_INT},        {"level", COV_COL_INT},
    {"target_level", COV_COL_INT}, {"lon", COV_COL_DOUBLE},
    {"lat", COV_COL_DOUBLE}};

cov_table *cov_network_joins(cov_ctx *ctx, const cov_network *n)
{
    COV_CHECK_ARG(ctx, ctx && n, NULL);
    const cov__repair *r = &n->repair;
    cov_table *t = cov__table_create(ctx, r->n_joins, 0);
    size_t c[9];
    if (!t || cov__table_add_columns(ctx, t, join_spec, 9, c) != COV_OK) {
        cov_table_destroy(t);
        return NULL;
    }
    int64_t *line = cov__table_ints_mut(t, c[0]), *end = cov__table_ints_mut(t, c[1]),
            *target = cov__table_ints_mut(t, c[2]), *split_col = cov__table_ints_mut(t, c[4]),
            *level = cov__table_ints_mut(t, c[5]), *tlevel = cov__table_ints_mut(t, c[6]);
    double *gap = cov__table_doubles_mut(t, c[3]), *lon = cov__table_doubles_mut(t, c[7]),
           *lat = cov__table_doubles_mut(t, c[8]);
    for (size_t k = 0; k < r->n_joins; k++) {
        const cov__join *j = &r->joins[k];
        line[k] = (int64_t)j->line;
        end[k] = j->end;
        target[k] = (int64_t)j->target_line;
        gap[k] = j->gap_m;
        split_col[k] = j->split;
        level[k] = j->level;
        tlevel[k] = j->target_level;
        lon[k] = j->lon;
        lat[k] = j->lat;
    }
    return t;
}

static const cov_column_spec report_spec[] = {
    {"node_tolerance_m", COV_COL_DOUBLE}, {"n_lines", COV_COL_INT},
    {"n_free_ends", COV_COL_INT},         {"n_joins", COV_COL_INT},
    {"n_splits", COV_COL_INT},            {"n_refused_level", COV_COL_INT},
    {"largest_gap_m", COV_COL_DOUBLE},    {"n_components", COV_COL_INT},
    {"largest_share_length", COV_COL_DOUBLE}};

cov_table *cov_network_repair_report(cov_ctx *ctx, const cov_network *n)
{
    COV_CHECK_ARG(ctx, ctx && n, NULL);
    const cov__repair *r = &n->repair;
    cov_table *t = cov__table_create(ctx, 1, 0);
    size_t c[9];
    if (!t || cov__table_add_columns(ctx, t, report_spec, 9, c) != COV_OK) {
        cov_table_destroy(t);
        return NULL;
    }
    double total = 0, largest = 0;
    for (size_t e = 0; e < n->n_edges; e++) {
        total += n->edge_len_m[e];
        if (n->node_comp[n->edge_from[e]] == 0) largest += n->edge_len_m[e];
    }
    cov__table_doubles_mut(t, c[0])[0] = r->tolerance_m;
    cov__table_ints_mut(t, c[1])[0] = (int64_t)r->n_lines;
    cov__table_ints_mut(t, c[2])[0] = (int64_t)r->n_free_ends;
    cov__table_ints_mut(t, c[3])[0] = (int64_t)r->n_joins;
    cov__table_ints_mut(t, c[4])[0] = (int64_t)r->n_splits;
    cov__table_ints_mut(t, c[5])[0] = (int64_t)r->n_refused_level;
    cov__table_doubles_mut(t, c[6])[0] = r->largest_gap_m;
    cov__table_ints_mut(t, c[7])[0] = (int64_t)n->n_components;
    cov__table_doubles_mut(t, c[8])[0] = total > 0 ? largest / total : 0;
    return t;
}
