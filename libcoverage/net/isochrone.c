/* Isochrones: the reached parts of edges (cut where the budget runs out),
 * buffered laterally. A buffer of lines holds only points within the
 * buffer distance of them (GEOS approximates the round caps by chords,
 * inside the circle), so the polygon never claims land beyond the
 * threshold plus the stated buffer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "io/table_internal.h"
#include "net/net_internal.h"

/* Growable list of projected line pieces. */
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

/* Appends the part of edge e between fractions f0 < f1 of its length. */
static int add_piece(cov_ctx *ctx, const cov_network *n, size_t e, double f0, double f1,
                     pieces *p)
{
    if (!(f1 > f0)) return COV_OK;
    size_t a = n->geom_off[e], z = n->geom_off[e + 1];
    double total = n->edge_plen[e], s0 = f0 * total, s1 = f1 * total;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(ctx->geos, (unsigned)(z - a + 2), 2);
    if (!cs) return cov__geos_error(ctx, "isochrone");
    unsigned m = 0;
    double acc = 0;
    for (size_t k = a; k + 1 < z; k++) {
        double dx = n->gx[k + 1] - n->gx[k], dy = n->gy[k + 1] - n->gy[k];
        double len = hypot(dx, dy), lo = acc, hi = acc + len;
        acc = hi;
        if (hi < s0 || lo > s1 || len == 0) continue;
        double t0 = fmax(0, (s0 - lo) / len), t1 = fmin(1, (s1 - lo) / len);
        if (m == 0) GEOSCoordSeq_setXY_r(ctx->geos, cs, m++, n->gx[k] + t0 * dx, n->gy[k] + t0 * dy);
        GEOSCoordSeq_setXY_r(ctx->geos, cs, m++, n->gx[k] + t1 * dx, n->gy[k] + t1 * dy);
    }
    if (m < 2) { /* a point: a degenerate line of two equal points */
        double x, y;
        if (m == 0) { x = n->gx[a]; y = n->gy[a]; GEOSCoordSeq_setXY_r(ctx->geos, cs, m++, x, y); }
        GEOSCoordSeq_getXY_r(ctx->geos, cs, 0, &x, &y);
        GEOSCoordSeq_setXY_r(ctx->geos, cs, m++, x, y);
    }
    /* shrink to the m points used */
    GEOSCoordSequence *used = GEOSCoordSeq_create_r(ctx->geos, m, 2);
    for (unsigned k = 0; used && k < m; k++) {
        double x, y;
        GEOSCoordSeq_getXY_r(ctx->geos, cs, k, &x, &y);
        GEOSCoordSeq_setXY_r(ctx->geos, used, k, x, y);
    }
    GEOSCoordSeq_destroy_r(ctx->geos, cs);
    GEOSGeometry *line = used ? GEOSGeom_createLineString_r(ctx->geos, used) : NULL;
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

/* Pieces reached by the settled search of one facility snapped at
 * (edge, offset) with access cost acc. */
static int reached_pieces(cov_ctx *ctx, const cov__search *s, int64_t edge, double offset,
                          double acc, pieces *p)
{
    const cov_network *n = s->net;
    double cut = s->cutoff;
    int rc = COV_OK;
    if (edge >= 0 && acc <= cut) {
        size_t e = (size_t)edge;
        double len = n->edge_len_m[e], ft = len > 0 ? offset / len : 0, left = cut - acc;
        double wf = s->edge_fwd[e], wb = s->edge_bwd[e];
        double hi = isfinite(wf) ? (wf > 0 ? fmin(1, ft + left / wf) : 1) : ft;
        double lo = isfinite(wb) ? (wb > 0 ? fmax(0, ft - left / wb) : 0) : ft;
        rc = add_piece(ctx, n, e, lo, hi, p);
    }
    for (size_t t = 0; rc == COV_OK && t < s->n_touched; t++) {
        uint32_t u = s->touched[t];
        if (!cov__search_settled(s, u)) continue;
        double left = cut - cov__search_dist(s, u);
        for (size_t a = n->arc_off[u]; rc == COV_OK && a < n->arc_off[u + 1]; a++) {
            double w = cov__search_arc_w(s, a);
            if (!isfinite(w)) continue;
            double f = w > 0 ? fmin(1, left / w) : 1;
            size_t e = n->arc_edge[a];
            rc = n->arc_rev[a] ? add_piece(ctx, n, e, 1 - f, 1, p) : add_piece(ctx, n, e, 0, f, p);
        }
    }
    return rc;
}

/* Buffer of the pieces, in lon/lat; *out_km2 its area (projected CRS is
 * equal-area). Empty pieces give an empty polygon. */
static GEOSGeometry *buffer_pieces(cov_ctx *ctx, const cov_network *n, pieces *p,
                                   double buffer_m, double *out_km2)
{
    GEOSGeometry *coll = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTILINESTRING, p->g,
                                                     (unsigned)p->n);
    if (!coll) return cov__geos_error(ctx, "isochrone lines"), NULL;
    int had = p->n > 0;
    p->n = 0; /* the collection owns them now */
    GEOSGeometry *buf = had ? GEOSBuffer_r(ctx->geos, coll, buffer_m, 8)
                                               : GEOSGeom_createEmptyPolygon_r(ctx->geos);
    GEOSGeom_destroy_r(ctx->geos, coll);
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
    for (size_t r = 0; rc == COV_OK && r < rows; r++) {
        pieces p = {0};
        size_t members = 0;
        for (size_t i = 0; rc == COV_OK && i < f->n; i++) {
            if (by_kind ? f->kind_of[i] != r : i != r) continue;
            members++;
            if (fs.edge[i] < 0) continue;
            double acc = k * fs.dist_m[i];
            rc = cov__search_seed(ctx, &s, fs.edge[i], fs.offset_m[i], acc, (int64_t)i);
            if (rc == COV_OK) rc = cov__search_run(ctx, &s, threshold);
            if (rc == COV_OK) rc = reached_pieces(ctx, &s, fs.edge[i], fs.offset_m[i], acc, &p);
            cov__search_reset(&s);
        }
        double km2 = 0;
        GEOSGeometry *g = rc == COV_OK ? buffer_pieces(ctx, net, &p, buffer_m, &km2) : NULL;
        pieces_free(ctx, &p);
        if (!g) { rc = ctx->status ? ctx->status : COV_ERR_GEOMETRY; break; }
        cov__table_set_geometry(t, r, g);
        cov__table_doubles_mut(t, c[2])[r] = km2;
        if (by_kind) {
            cov__table_ints_mut(t, c[1])[r] = (int64_t)members;
            rc = cov__table_set_string(ctx, t, c[0], r, f->kind_names[r]);
        } else {
            rc = cov__table_set_string(ctx, t, c[0], r, f->ids[r]);
            if (rc == COV_OK) rc = cov__table_set_string(ctx, t, c[1], r, f->kinds[r]);
        }
        if (rc == COV_OK && r % 16 == 15)
            rc = cov__progress(ctx, (double)r / (double)rows, "isochrones");
    }
    net->n_settled += s.n_settled;
    cov__search_free(&s);
    cov__snap_free(&fs);
    if (rc != COV_OK) {
        cov_table_destroy(t);
        return NULL;
    }
    return t;
}
