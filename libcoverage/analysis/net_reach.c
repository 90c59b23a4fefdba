/* Reach along roads: per demand unit and kind, the nearest facility within
 * the threshold by the network metric, the count within it, and both the
 * distance and the time of the path to the nearest one.
 *
 * The search minimises one metric; the other is measured along a path of
 * the shortest-path tree by walking tight arcs (dist[u] + w = dist[v]) in
 * order of cost, taking the least of the other metric among tied paths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reach_engine.h"
#include "io/table_internal.h"

static const cov_column_spec spec[] = {
    {"demand_id", COV_COL_STRING},   {"region_id", COV_COL_STRING},
    {"kind", COV_COL_STRING},        {"nearest_id", COV_COL_STRING},
    {"nearest_index", COV_COL_INT},  {"distance_m", COV_COL_DOUBLE},
    {"n_within", COV_COL_INT},       {"time_s", COV_COL_DOUBLE},
    {"snap_distance_m", COV_COL_DOUBLE}, {"lon", COV_COL_DOUBLE},
    {"lat", COV_COL_DOUBLE}};
enum { C_DEMAND, C_REGION, C_KIND, C_NEAREST_ID, C_NEAREST, C_DIST, C_WITHIN, C_TIME, C_SNAP,
       C_LON, C_LAT, N_COLS };

/* A (facility, unit) pair whose path's other metric is wanted. */
typedef struct need {
    uint32_t fac, unit;
    size_t row;
} need;

static int need_cmp(const void *x, const void *y)
{
    const need *a = x, *b = y;
    return a->fac < b->fac ? -1 : a->fac > b->fac ? 1 : (a->row > b->row) - (a->row < b->row);
}

typedef struct keyed {
    double key;
    uint32_t node;
} keyed;

static int keyed_cmp(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    return a->key < b->key ? -1 : a->key > b->key ? 1 : (a->node > b->node) - (a->node < b->node);
}

static int tight(double x, double y) { return fabs(x - y) <= 1e-9 * fmax(1.0, fabs(y)); }

/* The other metric: per edge both ways, and per metre of access leg. */
typedef struct other {
    double *fwd, *bwd, per_m;
} other;

/* Other-metric cost at every node settled by the current search, over the
 * tight arcs; alt must be INFINITY at every node on entry. */
static void walk_tree(const cov__search *s, const other *o, keyed *order, int64_t edge,
                      double offset, double acc, double acc2, double *alt)
{
    const cov_network *n = s->net;
    size_t m = 0;
    for (size_t t = 0; t < s->n_touched; t++) {
        uint32_t u = s->touched[t];
        if (cov__search_settled(s, u)) order[m++] = (keyed){cov__search_dist(s, u), u};
    }
    qsort(order, m, sizeof *order, keyed_cmp);
    size_t e = (size_t)edge;
    double len = n->edge_len_m[e], back = len > 0 ? offset / len : 0, ahead = len > 0 ? 1 - back : 0;
    uint32_t u0 = n->edge_from[e], v0 = n->edge_to[e];
    if (cov__search_settled(s, u0) && (back == 0 || isfinite(s->edge_bwd[e])) &&
        tight(cov__search_dist(s, u0), acc + (back == 0 ? 0 : s->edge_bwd[e] * back)))
        alt[u0] = fmin(alt[u0], acc2 + (back == 0 ? 0 : o->bwd[e] * back));
    if (cov__search_settled(s, v0) && (ahead == 0 || isfinite(s->edge_fwd[e])) &&
        tight(cov__search_dist(s, v0), acc + (ahead == 0 ? 0 : s->edge_fwd[e] * ahead)))
        alt[v0] = fmin(alt[v0], acc2 + (ahead == 0 ? 0 : o->fwd[e] * ahead));
    /* twice: a zero-cost arc may join nodes sorted in either order */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < m; i++) {
            uint32_t u = order[i].node;
            if (!isfinite(alt[u])) continue;
            for (size_t a = n->arc_off[u]; a < n->arc_off[u + 1]; a++) {
                uint32_t h = n->arc_head[a];
                if (!cov__search_settled(s, h) || !tight(cov__search_dist(s, u) + cov__search_arc_w(s, a), cov__search_dist(s, h))) continue;
                size_t ae = n->arc_edge[a];
                alt[h] = fmin(alt[h], alt[u] + (n->arc_rev[a] ? o->bwd[ae] : o->fwd[ae]));
            }
        }
}

/* Other-metric cost of the best path to a point at (edge, offset), the
 * facility seeded at (fe, fo) with access costs acc and acc2. */
static double point_alt(const cov__search *s, const other *o, const double *alt, int64_t edge,
                        double offset, int64_t fe, double fo, double acc, double acc2)
{
    const cov_network *n = s->net;
    size_t e = (size_t)edge;
    double len = n->edge_len_m[e], wf = s->edge_fwd[e], wb = s->edge_bwd[e];
    double fa = len > 0 ? offset / len : 0, fb = len > 0 ? (len - offset) / len : 0;
    uint32_t u = n->edge_from[e], v = n->edge_to[e];
    double best = INFINITY, c[4], c2[4];
    int k = 0;
    if (cov__search_settled(s, u) && (fa == 0 || isfinite(wf))) {
        c[k] = cov__search_dist(s, u) + (fa == 0 ? 0 : wf * fa);
        c2[k++] = alt[u] + (fa == 0 ? 0 : o->fwd[e] * fa);
    }
    if (cov__search_settled(s, v) && (fb == 0 || isfinite(wb))) {
        c[k] = cov__search_dist(s, v) + (fb == 0 ? 0 : wb * fb);
        c2[k++] = alt[v] + (fb == 0 ? 0 : o->bwd[e] * fb);
    }
    if (fe == edge) {
        double along = len > 0 ? (offset - fo) / len : 0;
        if (along >= 0 && isfinite(wf)) {
            c[k] = acc + wf * along;
            c2[k++] = acc2 + o->fwd[e] * along;
        }
        if (along <= 0 && isfinite(wb)) {
            c[k] = acc - wb * along;
            c2[k++] = acc2 - o->bwd[e] * along;
        }
    }
    for (int i = 0; i < k; i++) best = fmin(best, c[i]);
    double out = INFINITY;
    for (int i = 0; i < k; i++)
        if (tight(c[i], best)) out = fmin(out, c2[i]);
    return out;
}

/* For each needed pair, the other metric along the path found (access legs
 * included) into alt_out[row]. */
static int other_metric(cov_ctx *ctx, cov__reach *r, need *nd, size_t n_need, double *alt_out)
{
    const cov__snaps *m = r->snaps;
    cov_network *net = r->model.network;
    double t = r->threshold;
    cov_travel tr = r->model.travel, tr2 = r->model.travel;
    tr2.metric = tr.metric == COV_TRAVEL_TIME ? COV_TRAVEL_DISTANCE : COV_TRAVEL_TIME;
    size_t ne = net->n_edges ? net->n_edges : 1, nn = net->n_nodes ? net->n_nodes : 1;
    other o = {cov__mallocarray(ctx, ne, sizeof(double)), cov__mallocarray(ctx, ne, sizeof(double)),
               cov__net_access_cost_per_m(&tr2)};
    double *alt = cov__mallocarray(ctx, nn, sizeof *alt);
    keyed *order = cov__mallocarray(ctx, nn, sizeof *order);
    cov__search s;
    int rc = o.fwd && o.bwd && alt && order ? COV_OK : COV_ERR_NOMEM;
    if (rc == COV_OK) rc = cov__search_init(ctx, &s, net, &tr);
    else memset(&s, 0, sizeof s);
    if (rc == COV_OK) {
        cov__net_edge_costs(ctx, net, &tr2, o.fwd, o.bwd);
        for (size_t u = 0; u < net->n_nodes; u++) alt[u] = INFINITY;
    }
    qsort(nd, n_need, sizeof *nd, need_cmp);
    double k = cov__net_access_cost_per_m(&tr);
    for (size_t i = 0; rc == COV_OK && i < n_need;) {
        uint32_t f = nd[i].fac;
        int64_t fe = m->fac.edge[f];
        double fo = m->fac.offset_m[f], acc = k * m->fac.dist_m[f], acc2 = o.per_m * m->fac.dist_m[f];
        rc = cov__search_seed(ctx, &s, fe, fo, acc, f);
        if (rc == COV_OK) rc = cov__search_run(ctx, &s, t);
        if (rc != COV_OK) break;
        walk_tree(&s, &o, order, fe, fo, acc, acc2, alt);
        for (; i < n_need && nd[i].fac == f; i++) {
            uint32_t unit = nd[i].unit;
            alt_out[nd[i].row] = point_alt(&s, &o, alt, m->dem.edge[unit], m->dem.offset_m[unit],
                                           fe, fo, acc, acc2) + o.per_m * m->dem.dist_m[unit];
        }
        for (size_t tt = 0; tt < s.n_touched; tt++) alt[s.touched[tt]] = INFINITY;
        cov__search_reset(&s);
    }
    net->n_settled += s.n_settled;
    cov__search_free(&s);
    free(o.fwd);
    free(o.bwd);
    free(alt);
    free(order);
    return rc;
}

/* Nearest member of group g per unit (rows [row0, row0 + n)), from the
 * reach sets; ties go to the lower facility index. */
static void nearest_in_group(const cov_analysis *a, const cov__reach_sets *rs, const cov_group *g,
                             size_t row0, int64_t *near, double *cost)
{
    for (size_t i = 0; i < a->demand->n; i++) {
        near[row0 + i] = -1;
        cost[row0 + i] = INFINITY;
    }
    for (size_t mi = 0; mi < g->n_members; mi++) {
        size_t f = g->members[mi];
        for (size_t p = rs->offset[f]; p < rs->offset[f + 1]; p++) {
            size_t r = row0 + rs->unit[p];
            if (rs->cost[p] < cost[r] || (rs->cost[p] == cost[r] && (int64_t)f < near[r])) {
                cost[r] = rs->cost[p];
                near[r] = (int64_t)f;
            }
        }
    }
}

cov_table *cov__net_reach_table(cov_ctx *ctx, cov_analysis *a, cov__reach *rr, size_t first,
                                size_t n_groups)
{
    const cov_demand *d = a->demand;
    const cov__snaps *m = rr->snaps;
    size_t n = d->n, rows = n * n_groups;
    cov_table *tb = cov__table_create(ctx, rows, 0);
    size_t c[N_COLS];
    need *nd = NULL;
    double *cost = NULL;
    if (!tb || cov__table_add_columns(ctx, tb, spec, N_COLS, c) != COV_OK) goto fail;
    const cov__reach_sets *rs = cov__reach_sets_of(ctx, a, rr, COV__COSTS_ALL);
    if (!rs) goto fail;
    int64_t *near = cov__table_ints_mut(tb, c[C_NEAREST]);
    int64_t *within = cov__table_ints_mut(tb, c[C_WITHIN]);
    double *dist = cov__table_doubles_mut(tb, c[C_DIST]), *time = cov__table_doubles_mut(tb, c[C_TIME]);
    double *snap = cov__table_doubles_mut(tb, c[C_SNAP]);
    cost = cov__mallocarray(ctx, rows ? rows : 1, sizeof *cost);
    nd = cov__mallocarray(ctx, rows ? rows : 1, sizeof *nd);
    if (!cost || !nd) goto fail;
    size_t n_need = 0;
    for (size_t k = 0; k < n_groups; k++) {
        size_t g = first + k;
        const int32_t *counts = cov__reach_counts(ctx, a, rr, g);
        if (!counts) goto fail;
        nearest_in_group(a, rs, &a->groups[g], k * n, near, cost);
        for (size_t i = 0; i < n; i++) {
            size_t r = k * n + i;
            within[r] = counts[i];
            if (near[r] >= 0) nd[n_need++] = (need){(uint32_t)near[r], (uint32_t)i, r};
        }
    }
    double *alt = cov__mallocarray(ctx, rows ? rows : 1, sizeof *alt);
    if (!alt || other_metric(ctx, rr, nd, n_need, alt) != COV_OK) {
        free(alt);
        goto fail;
    }
    int by_time = rr->model.metric == COV_TRAVEL_TIME;
    for (size_t r = 0; r < rows; r++) {
        int hit = near[r] >= 0;
        dist[r] = !hit ? NAN : by_time ? alt[r] : cost[r];
        time[r] = !hit ? NAN : by_time ? cost[r] : alt[r];
        size_t i = r % n;
        snap[r] = m->dem.edge[i] >= 0 ? m->dem.dist_m[i] : NAN;
    }
    free(alt);
    for (size_t k = 0; k < n_groups; k++) {
        const char *kind = a->groups[first + k].name;
        for (size_t i = 0; i < n; i++) {
            size_t r = k * n + i;
            int64_t region = a->demand_region[i];
            if (cov__table_set_string(ctx, tb, c[C_DEMAND], r, d->ids[i]) != COV_OK ||
                cov__table_set_string(ctx, tb, c[C_REGION], r,
                                      region < 0 ? "" : a->regions->ids[region]) != COV_OK ||
                cov__table_set_string(ctx, tb, c[C_KIND], r, kind) != COV_OK ||
                cov__table_set_string(ctx, tb, c[C_NEAREST_ID], r,
                                      near[r] < 0 ? "" : a->facilities->ids[near[r]]) != COV_OK)
                goto fail;
        }
    }
    cov__reach_unit_points(d, tb, c[C_LON], c[C_LAT], n_groups);
    free(nd);
    free(cost);
    return tb;
fail:
    free(nd);
    free(cost);
    cov_table_destroy(tb);
    return NULL;
}
