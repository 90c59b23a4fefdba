/* Snapping points to the nearest point of the nearest edge, through a
 * uniform grid over the edges' segments (projected metres) searched in
 * growing rings until no nearer segment can remain. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/table_internal.h"
#include "net/net_internal.h"

/* Offsets this close to an edge's end (metres) snap onto the end node. */
#define SNAP_NODE_EPS_M 1e-6

/* Segment s joins geometry points s and s + 1; it is real when both belong
 * to one edge. seg_edge maps a point index to its edge. */
static int build_grid(cov_ctx *ctx, cov_network *n)
{
    cov__seg_grid *g = &n->grid;
    size_t n_pts = n->geom_off[n->n_edges], n_seg = n_pts > n->n_edges ? n_pts - n->n_edges : 0;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, total = 0;
    for (size_t k = 0; k < n_pts; k++) {
        x0 = fmin(x0, n->gx[k]); x1 = fmax(x1, n->gx[k]);
        y0 = fmin(y0, n->gy[k]); y1 = fmax(y1, n->gy[k]);
    }
    for (size_t e = 0; e < n->n_edges; e++) total += n->edge_plen[e];
    double cell = n_seg ? 2 * total / (double)n_seg : 100;
    cell = fmin(fmax(cell, 50), 2000);
    /* at most about 4 cells per segment, whatever the extent */
    for (;;) {
        double cx = floor((x1 - x0) / cell) + 1, cy = floor((y1 - y0) / cell) + 1;
        if (cx * cy <= 4.0 * (double)(n_seg + 16)) break;
        cell *= 1.5;
    }
    g->x0 = x0; g->y0 = y0; g->cell = cell;
    g->nx = (size_t)floor((x1 - x0) / cell) + 1;
    g->ny = (size_t)floor((y1 - y0) / cell) + 1;
    size_t n_cells = g->nx * g->ny;
    g->cell_off = cov__calloc(ctx, n_cells + 1, sizeof *g->cell_off);
    if (!g->cell_off) return COV_ERR_NOMEM;
    /* two passes: count, then place */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t e = 0; e < n->n_edges; e++)
            for (size_t k = n->geom_off[e]; k + 1 < n->geom_off[e + 1]; k++) {
                size_t i0 = (size_t)((fmin(n->gx[k], n->gx[k + 1]) - x0) / cell);
                size_t i1 = (size_t)((fmax(n->gx[k], n->gx[k + 1]) - x0) / cell);
                size_t j0 = (size_t)((fmin(n->gy[k], n->gy[k + 1]) - y0) / cell);
                size_t j1 = (size_t)((fmax(n->gy[k], n->gy[k + 1]) - y0) / cell);
                if (i1 >= g->nx) i1 = g->nx - 1;
                if (j1 >= g->ny) j1 = g->ny - 1;
                for (size_t j = j0; j <= j1; j++)
                    for (size_t i = i0; i <= i1; i++) {
                        size_t c = j * g->nx + i;
                        if (pass == 0) g->cell_off[c + 1]++;
                        else g->seg[g->cell_off[c]++] = (uint32_t)k;
                    }
            }
        if (pass == 0) {
            for (size_t c = 0; c < n_cells; c++) g->cell_off[c + 1] += g->cell_off[c];
            size_t m = g->cell_off[n_cells];
            g->seg = cov__mallocarray(ctx, m ? m : 1, sizeof *g->seg);
            if (!g->seg) return COV_ERR_NOMEM;
        }
    }
    /* placing advanced every start to the next cell's: shift back */
    for (size_t c = n_cells; c > 0; c--) g->cell_off[c] = g->cell_off[c - 1];
    g->cell_off[0] = 0;
    return COV_OK;
}

/* Edge of geometry point k (binary search over geom_off). */
static size_t edge_of_point(const cov_network *n, size_t k)
{
    size_t lo = 0, hi = n->n_edges;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (n->geom_off[mid] <= k) lo = mid;
        else hi = mid;
    }
    return lo;
}

typedef struct hit {
    double d, t; /* distance, position on the segment in [0, 1] */
    int64_t seg;
} hit;

static void test_segment(const cov_network *n, uint32_t k, double px, double py, hit *best)
{
    double ax = n->gx[k], ay = n->gy[k], dx = n->gx[k + 1] - ax, dy = n->gy[k + 1] - ay;
    double l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double d = hypot(px - (ax + t * dx), py - (ay + t * dy));
    if (d < best->d || (d == best->d && (int64_t)k < best->seg)) {
        best->d = d;
        best->t = t;
        best->seg = k;
    }
}

/* The nearest segment (*out_any) and the nearest on a routable edge (the
 * result; the same one when every segment counts: ok NULL). */
static hit nearest_segment(const cov_network *n, const uint8_t *ok, double px, double py,
                           double max_m, hit *out_any)
{
    const cov__seg_grid *g = &n->grid;
    hit best = {INFINITY, 0, -1}, any = {INFINITY, 0, -1};
    *out_any = any;
    double fx = floor((px - g->x0) / g->cell), fy = floor((py - g->y0) / g->cell);
    if (!isfinite(fx) || !isfinite(fy)) return best;
    /* rings beyond max_m, or past the whole grid, cannot help */
    double far = fmax(fmax(fabs(fx), fabs(fx - (double)g->nx)),
                      fmax(fabs(fy), fabs(fy - (double)g->ny)));
    double rmax = fmin(ceil(max_m / g->cell) + 1, far + 1);
    /* rings are clamped to the grid, and those that miss it skipped: a
     * point far outside with a large cap would otherwise walk rings of
     * millions of empty cells (found by fuzz_network) */
    double nx = (double)g->nx, ny = (double)g->ny;
    double r0 = fmax(0, fmax(fmax(-fx, fx - (nx - 1)), fmax(-fy, fy - (ny - 1))));
    for (double r = r0; r <= rmax; r++) {
        for (double j = fmax(fy - r, 0), j1 = fmin(fy + r, ny - 1); j <= j1; j++) {
            int edge_row = j == fy - r || j == fy + r;
            double i0 = edge_row ? fmax(fx - r, 0) : fx - r, i1 = fmin(fx + r, nx - 1);
            double step = edge_row ? 1 : 2 * r;
            for (double i = i0; i <= fx + r; i += step) {
                if (i > i1) break;
                if (i >= 0) {
                    size_t c = (size_t)j * g->nx + (size_t)i;
                    for (size_t k = g->cell_off[c]; k < g->cell_off[c + 1]; k++) {
                        uint32_t seg = g->seg[k];
                        if (ok) test_segment(n, seg, px, py, &any);
                        if (!ok || ok[seg]) test_segment(n, seg, px, py, &best);
                    }
                }
                if (step == 0) break;
            }
        }
        /* anything in ring r + 1 or beyond is at least r * cell away */
        if (best.d <= r * g->cell) break;
    }
    *out_any = ok ? any : best;
    return best;
}

/* The segments a point may snap to: those of edges inside a live
 * component (live[c] for component c). Caller frees. */
static uint8_t *live_points(cov_ctx *ctx, const cov_network *n, const uint8_t *live)
{
    size_t n_pts = n->geom_off[n->n_edges];
    uint8_t *ok = cov__calloc(ctx, n_pts ? n_pts : 1, 1);
    if (!ok) return NULL;
    for (size_t e = 0; e < n->n_edges; e++) {
        uint32_t c = cov__net_edge_scc(n, e);
        if (c != UINT32_MAX && live[c])
            for (size_t k = n->geom_off[e]; k + 1 < n->geom_off[e + 1]; k++) ok[k] = 1;
    }
    return ok;
}

void cov__snap_free(cov__snap *s)
{
    if (!s) return;
    free(s->edge); free(s->offset_m); free(s->dist_m); free(s->x); free(s->y); free(s->moved);
    memset(s, 0, sizeof *s);
}

/* Snaps to the nearest segment among those with ok[k] set (NULL: any). */
static int snap_to(cov_ctx *ctx, cov_network *n, size_t count, const double *lon,
                   const double *lat, double max_m, const uint8_t *ok, cov__snap *out)
{
    memset(out, 0, sizeof *out);
    if (!n->grid.cell_off && build_grid(ctx, n) != COV_OK) return ctx->status;
    size_t m = count ? count : 1;
    out->n = count;
    out->edge = cov__mallocarray(ctx, m, sizeof *out->edge);
    out->offset_m = cov__mallocarray(ctx, m, sizeof *out->offset_m);
    out->dist_m = cov__mallocarray(ctx, m, sizeof *out->dist_m);
    out->x = cov__mallocarray(ctx, m, sizeof *out->x);
    out->y = cov__mallocarray(ctx, m, sizeof *out->y);
    out->moved = cov__calloc(ctx, m, 1);
    if (!out->edge || !out->offset_m || !out->dist_m || !out->x || !out->y || !out->moved) {
        cov__snap_free(out);
        return COV_ERR_NOMEM;
    }
    memcpy(out->x, lon, count * sizeof *lon);
    memcpy(out->y, lat, count * sizeof *lat);
    for (size_t i = 0; i < count; i++)
        if (!cov__lonlat_ok(lon[i], lat[i])) {
            cov__snap_free(out);
            return cov__error(ctx, COV_ERR_VALUE, "point %zu: (%g, %g) is not a lon/lat "
                              "position%s", i, lon[i], lat[i], cov__lonlat_hint(lon[i], lat[i]));
        }
    if (cov__xform_points(ctx, &n->proj, count, out->x, out->y, "points to snap") != COV_OK) {
        cov__snap_free(out);
        return ctx->status;
    }
    for (size_t i = 0; i < count; i++) {
        hit any, h = nearest_segment(n, ok, out->x[i], out->y[i], max_m, &any);
        /* the nearest road within the cap is a fragment's */
        out->moved[i] = any.seg >= 0 && any.d <= max_m && any.seg != h.seg && any.d < h.d;
        out->dist_m[i] = h.seg >= 0 ? h.d : NAN;
        if (h.seg < 0 || h.d > max_m) {
            out->edge[i] = -1;
            out->offset_m[i] = NAN;
            continue;
        }
        size_t k = (size_t)h.seg, e = edge_of_point(n, k);
        double along = 0;
        for (size_t q = n->geom_off[e]; q < k; q++)
            along += hypot(n->gx[q + 1] - n->gx[q], n->gy[q + 1] - n->gy[q]);
        double seg_len = hypot(n->gx[k + 1] - n->gx[k], n->gy[k + 1] - n->gy[k]);
        along += h.t * seg_len;
        double scale = n->edge_plen[e] > 0 ? n->edge_len_m[e] / n->edge_plen[e] : 0;
        double off = along * scale;
        out->edge[i] = (int64_t)e;
        /* a point on a node must be at the node exactly, not a rounding
         * error before it: on a one-way edge that would leave it
         * reachable only from the edge's far end */
        double len = n->edge_len_m[e];
        out->offset_m[i] = off >= len - SNAP_NODE_EPS_M ? len : off <= SNAP_NODE_EPS_M ? 0 : off;
        out->x[i] = n->gx[k] + h.t * (n->gx[k + 1] - n->gx[k]);
        out->y[i] = n->gy[k] + h.t * (n->gy[k + 1] - n->gy[k]);
    }
    return COV_OK;
}


int cov__net_snap_sources(cov_ctx *ctx, cov_network *n, size_t count, const double *lon,
                          const double *lat, double max_m, cov__snap *out)
{
    return snap_to(ctx, n, count, lon, lat, max_m, NULL, out);
}

/* Snaps under the network's rule with the largest component live, and the
 * components of the given sources' edges too (sources may be NULL). */
static int snap_live(cov_ctx *ctx, cov_network *n, const cov__snap *sources, size_t count,
                     const double *lon, const double *lat, double max_m, cov__snap *out)
{
    memset(out, 0, sizeof *out);
    if (n->snap_to != COV_SNAP_ROUTABLE) return snap_to(ctx, n, count, lon, lat, max_m, NULL, out);
    if (cov__net_routable(ctx, n) != COV_OK) return ctx->status;
    uint8_t *live = cov__calloc(ctx, n->n_strong_components ? n->n_strong_components : 1, 1);
    if (!live) return COV_ERR_NOMEM;
    if (n->n_strong_components) live[n->largest_scc] = 1;
    for (size_t i = 0; sources && i < sources->n; i++) {
        if (sources->edge[i] < 0) continue;
        uint32_t c = cov__net_edge_scc(n, (size_t)sources->edge[i]);
        if (c != UINT32_MAX) live[c] = 1;
    }
    uint8_t *ok = live_points(ctx, n, live);
    free(live);
    if (!ok) return COV_ERR_NOMEM;
    int rc = snap_to(ctx, n, count, lon, lat, max_m, ok, out);
    free(ok);
    return rc;
}

int cov__net_snap(cov_ctx *ctx, cov_network *n, size_t count, const double *lon,
                  const double *lat, double max_m, cov__snap *out)
{
    return snap_live(ctx, n, NULL, count, lon, lat, max_m, out);
}

int cov__net_snap_demand(cov_ctx *ctx, cov_network *n, const cov__snap *sources, size_t count,
                         const double *lon, const double *lat, double max_m, cov__snap *out)
{
    return snap_live(ctx, n, sources, count, lon, lat, max_m, out);
}

static const cov_column_spec snap_spec[] = {
    {"index", COV_COL_INT}, {"edge", COV_COL_INT}, {"offset_m", COV_COL_DOUBLE},
    {"snap_distance_m", COV_COL_DOUBLE}, {"snapped", COV_COL_INT},
    {"moved_off_fragment", COV_COL_INT}};

cov_table *cov_network_snap(cov_ctx *ctx, cov_network *n, size_t count, const double *lon,
                            const double *lat, double snap_max_m)
{
    COV_CHECK_ARG(ctx, ctx && n, NULL);
    COV_CHECK_ARG(ctx, count == 0 || (lon && lat), NULL);
    if (!(snap_max_m >= 0) || !isfinite(snap_max_m))
        return cov__error(ctx, COV_ERR_ARG, "snap_max_m must be >= 0 (got %g)", snap_max_m),
               NULL;
    cov__snap s;
    if (cov__net_snap(ctx, n, count, lon, lat, snap_max_m, &s) != COV_OK) return NULL;
    cov_table *t = cov__table_create(ctx, count, 1);
    size_t c[6];
    int rc = t ? cov__table_add_columns(ctx, t, snap_spec, 6, c) : ctx->status;
    /* snap points back to lon/lat for the geometry column */
    cov_xform *xf = &n->proj;
    for (size_t i = 0; rc == COV_OK && i < count; i++) {
        cov__table_ints_mut(t, c[0])[i] = (int64_t)i;
        cov__table_ints_mut(t, c[1])[i] = s.edge[i];
        cov__table_doubles_mut(t, c[2])[i] = s.offset_m[i];
        cov__table_doubles_mut(t, c[3])[i] = s.dist_m[i];
        cov__table_ints_mut(t, c[4])[i] = s.edge[i] >= 0;
        cov__table_ints_mut(t, c[5])[i] = s.moved[i];
        if (s.edge[i] < 0) continue;
        PJ_COORD p = proj_coord(s.x[i], s.y[i], 0, 0);
        p = proj_trans(xf->pj, PJ_INV, p);
        GEOSGeometry *g = GEOSGeom_createPointFromXY_r(ctx->geos, p.xy.x, p.xy.y);
        if (!g) rc = cov__geos_error(ctx, "snap point");
        else cov__table_set_geometry(t, i, g);
    }
    cov__snap_free(&s);
    if (rc != COV_OK) {
        cov_table_destroy(t);
        return NULL;
    }
    return t;
}
