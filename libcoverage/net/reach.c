/* Network reach: node costs from many sources, per-facility reach sets over
 * demand units, and the reach table (nearest facility, count within the
 * cutoff) built from them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "io/table_internal.h"
#include "net/net_internal.h"

int cov_network_node_costs(cov_ctx *ctx, cov_network *net, size_t n, const double *lon,
                           const double *lat, const cov_travel *travel, double threshold,
                           double *out_cost,
                           int64_t *out_source)
{
    COV_CHECK_ARG(ctx, ctx && net && out_cost, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, n == 0 || (lon && lat), COV_ERR_ARG);
    cov_travel travel_copy;
    if (cov__net_take_travel(ctx, &travel, &travel_copy) != COV_OK ||
        cov__net_check_threshold(ctx, threshold) != COV_OK)
        return ctx->status;
    cov__snap snap;
    cov__search s;
    if (cov__net_snap_sources(ctx, net, n, lon, lat, travel->snap_max_m, &snap) != COV_OK)
        return ctx->status;
    int rc = cov__search_init(ctx, &s, net, travel);
    double k = cov__net_access_cost_per_m(travel);
    for (size_t i = 0; rc == COV_OK && i < n; i++)
        rc = cov__search_seed(ctx, &s, snap.edge[i], snap.offset_m[i], k * snap.dist_m[i],
                              (int64_t)i);
    if (rc == COV_OK) rc = cov__search_run(ctx, &s, threshold);
    if (rc == COV_OK)
        for (size_t u = 0; u < net->n_nodes; u++) {
            int ok = cov__search_settled(&s, (uint32_t)u);
            out_cost[u] = ok ? cov__search_dist(&s, (uint32_t)u) : INFINITY;
            if (out_source) out_source[u] = ok ? cov__search_label(&s, (uint32_t)u) : -1;
        }
    net->n_settled += s.n_settled;
    cov__search_free(&s);
    cov__snap_free(&snap);
    return rc;
}

/* ---- per-facility reach sets ---------------------------------------------- */

/* Units grouped by edge (CSR), for the units snapped to each edge; and
 * units snapped onto an end node of their edge, grouped by that node: on a
 * one-way edge entering the node, no arc out of the node scans the edge,
 * yet the unit is reached with the node. */
typedef struct by_edge {
    size_t *off;
    uint32_t *unit;
    size_t *node_off;
    uint32_t *node_unit;
} by_edge;

/* The end node a unit sits on (offset 0 or the edge's length), or -1. */
static int64_t end_node(const cov_network *net, const cov__snap *u, size_t i)
{
    if (u->edge[i] < 0) return -1;
    size_t e = (size_t)u->edge[i];
    if (u->offset_m[i] == 0) return net->edge_from[e];
    if (u->offset_m[i] == net->edge_len_m[e]) return net->edge_to[e];
    return -1;
}

static int group_by_node(cov_ctx *ctx, const cov_network *net, const cov__snap *u, by_edge *g)
{
    g->node_off = cov__calloc(ctx, net->n_nodes + 1, sizeof *g->node_off);
    g->node_unit = cov__mallocarray(ctx, u->n ? u->n : 1, sizeof *g->node_unit);
    size_t *fill = cov__mallocarray(ctx, net->n_nodes ? net->n_nodes : 1, sizeof *fill);
    if (!g->node_off || !g->node_unit || !fill) {
        free(fill);
        return COV_ERR_NOMEM;
    }
    for (size_t i = 0; i < u->n; i++) {
        int64_t v = end_node(net, u, i);
        if (v >= 0) g->node_off[v + 1]++;
    }
    for (size_t v = 0; v < net->n_nodes; v++) g->node_off[v + 1] += g->node_off[v];
    memcpy(fill, g->node_off, net->n_nodes * sizeof *fill);
    for (size_t i = 0; i < u->n; i++) {
        int64_t v = end_node(net, u, i);
        if (v >= 0) g->node_unit[fill[v]++] = (uint32_t)i;
    }
    free(fill);
    return COV_OK;
}

static int group_by_edge(cov_ctx *ctx, const cov_network *net, const cov__snap *u, by_edge *g)
{
    g->off = cov__calloc(ctx, net->n_edges + 1, sizeof *g->off);
    g->unit = cov__mallocarray(ctx, u->n ? u->n : 1, sizeof *g->unit);
    if (!g->off || !g->unit) return COV_ERR_NOMEM;
    for (size_t i = 0; i < u->n; i++)
        if (u->edge[i] >= 0) g->off[u->edge[i] + 1]++;
    for (size_t e = 0; e < net->n_edges; e++) g->off[e + 1] += g->off[e];
    size_t *fill = cov__mallocarray(ctx, net->n_edges ? net->n_edges : 1, sizeof *fill);
    if (!fill) return COV_ERR_NOMEM;
    memcpy(fill, g->off, net->n_edges * sizeof *fill);
    for (size_t i = 0; i < u->n; i++) /* ascending unit order within an edge */
        if (u->edge[i] >= 0) g->unit[fill[u->edge[i]]++] = (uint32_t)i;
    free(fill);
    return COV_OK;
}

/* Growable pairs of (unit, cost) for one facility. */
typedef struct pairs {
    uint32_t *unit;
    double *cost;
    size_t n, cap;
} pairs;

static int pairs_push(cov_ctx *ctx, pairs *p, uint32_t unit, double cost)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 1024;
        uint32_t *u = cov__realloc(ctx, p->unit, cap * sizeof *u);
        if (!u) return COV_ERR_NOMEM;
        p->unit = u;
        double *c = cov__realloc(ctx, p->cost, cap * sizeof *c);
        if (!c) return COV_ERR_NOMEM;
        p->cost = c;
        p->cap = cap;
    }
    p->unit[p->n] = unit;
    p->cost[p->n++] = cost;
    return COV_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Units on edge e not yet seen in this run, costed and kept when within
 * the cutoff. */
static int visit_edge(cov_ctx *ctx, const cov__search *s, const by_edge *g,
                      const cov__snap *units, double k, size_t e, uint32_t stamp,
                      uint32_t *seen, pairs *found)
{
    for (size_t j = g->off[e]; j < g->off[e + 1]; j++) {
        uint32_t i = g->unit[j];
        if (seen[i] == stamp) continue;
        seen[i] = stamp;
        double c = cov__search_point_cost(s, (int64_t)e, units->offset_m[i], NULL);
        c += k * units->dist_m[i];
        if (c <= s->cutoff && pairs_push(ctx, found, i, c) != COV_OK) return COV_ERR_NOMEM;
    }
    return COV_OK;
}

/* Units sitting on node v not yet seen in this run. */
static int visit_node(cov_ctx *ctx, const cov__search *s, const by_edge *g,
                      const cov__snap *units, double k, size_t v, uint32_t stamp,
                      uint32_t *seen, pairs *found)
{
    for (size_t j = g->node_off[v]; j < g->node_off[v + 1]; j++) {
        uint32_t i = g->node_unit[j];
        if (seen[i] == stamp) continue;
        seen[i] = stamp;
        double c = cov__search_point_cost(s, units->edge[i], units->offset_m[i], NULL);
        c += k * units->dist_m[i];
        if (c <= s->cutoff && pairs_push(ctx, found, i, c) != COV_OK) return COV_ERR_NOMEM;
    }
    return COV_OK;
}

int cov__net_reach_sets(cov_ctx *ctx, cov_network *net, const cov__snap *fac,
                        const cov__snap *units, const cov_travel *travel, double threshold,
                        cov__reach_sets *out)
{
    memset(out, 0, sizeof *out);
    cov__search s;
    by_edge g = {0};
    pairs all = {0}, one = {0};
    uint32_t *seen = cov__calloc(ctx, units->n ? units->n : 1, sizeof *seen);
    size_t *order = cov__mallocarray(ctx, units->n ? units->n : 1, sizeof *order);
    out->n_sets = fac->n;
    out->offset = cov__calloc(ctx, fac->n + 1, sizeof *out->offset);
    int rc = seen && order && out->offset ? COV_OK : COV_ERR_NOMEM;
    if (rc == COV_OK) rc = group_by_edge(ctx, net, units, &g);
    if (rc == COV_OK) rc = group_by_node(ctx, net, units, &g);
    if (rc == COV_OK) rc = cov__search_init(ctx, &s, net, travel);
    else memset(&s, 0, sizeof s);
    double k = cov__net_access_cost_per_m(travel);
    for (size_t f = 0; rc == COV_OK && f < fac->n; f++) {
        one.n = 0;
        uint32_t stamp = (uint32_t)f + 1;
        if (fac->edge[f] >= 0) {
            rc = cov__search_seed(ctx, &s, fac->edge[f], fac->offset_m[f], k * fac->dist_m[f],
                                  (int64_t)f);
            if (rc == COV_OK) rc = cov__search_run(ctx, &s, threshold);
            if (rc == COV_OK)
                rc = visit_edge(ctx, &s, &g, units, k, (size_t)fac->edge[f], stamp, seen, &one);
            for (size_t t = 0; rc == COV_OK && t < s.n_touched; t++) {
                uint32_t u = s.touched[t];
                if (!cov__search_settled(&s, u)) continue;
                /* units on edges leaving u, and on edges entering it (a one-way
                 * edge's units are reached from its tail only, which the point
                 * cost knows) */
                for (size_t a = net->arc_off[u]; rc == COV_OK && a < net->arc_off[u + 1]; a++)
                    rc = visit_edge(ctx, &s, &g, units, k, net->arc_edge[a], stamp, seen, &one);
                if (rc == COV_OK) rc = visit_node(ctx, &s, &g, units, k, u, stamp, seen, &one);
            }
            cov__search_reset(&s);
        }
        if (rc != COV_OK) break;
        /* rows in ascending unit order; order[] maps a unit to its pair */
        if (one.n > 1) {
            uint32_t *tmp_u = cov__mallocarray(ctx, one.n, sizeof *tmp_u);
            double *tmp_c = cov__mallocarray(ctx, one.n, sizeof *tmp_c);
            if (!tmp_u || !tmp_c) { free(tmp_u); free(tmp_c); rc = COV_ERR_NOMEM; break; }
            memcpy(tmp_u, one.unit, one.n * sizeof *tmp_u);
            qsort(tmp_u, one.n, sizeof *tmp_u, cmp_u32);
            for (size_t j = 0; j < one.n; j++) order[one.unit[j]] = j;
            for (size_t j = 0; j < one.n; j++) tmp_c[j] = one.cost[order[tmp_u[j]]];
            memcpy(one.unit, tmp_u, one.n * sizeof *tmp_u);
            memcpy(one.cost, tmp_c, one.n * sizeof *tmp_c);
            free(tmp_u);
            free(tmp_c);
        }
        for (size_t j = 0; rc == COV_OK && j < one.n; j++)
            rc = pairs_push(ctx, &all, one.unit[j], one.cost[j]);
        out->offset[f + 1] = all.n;
        if (f % 64 == 63 && rc == COV_OK)
            rc = cov__progress(ctx, (double)f / (double)fac->n, "network reach");
    }
    net->n_settled += s.n_settled;
    cov__search_free(&s);
    free(g.off); free(g.unit); free(g.node_off); free(g.node_unit); free(seen); free(order); free(one.unit); free(one.cost);
    if (rc != COV_OK) {
        free(all.unit); free(all.cost);
        cov__reach_sets_free(out);
        return rc;
    }
    out->unit = all.unit;
    out->cost = all.cost;
    return COV_OK;
}

/* ---- tables --------------------------------------------------------------- */

/* Snaps facilities and demand and computes every facility's reach set. */
static int prepare(cov_ctx *ctx, cov_network *net, const cov_facilities *f,
                   const cov_demand *d, const cov_travel *travel, double threshold, cov__snap *fs,
                   cov__snap *ds, cov__reach_sets *rs)
{
    memset(fs, 0, sizeof *fs);
    memset(ds, 0, sizeof *ds);
    memset(rs, 0, sizeof *rs);
    cov_travel travel_copy;
    if (cov__net_take_travel(ctx, &travel, &travel_copy) != COV_OK ||
        cov__net_check_threshold(ctx, threshold) != COV_OK)
        return ctx->status;
    int rc = cov__net_snap_sources(ctx, net, f->n, f->lon, f->lat, travel->snap_max_m, fs);
    if (rc == COV_OK)
        rc = cov__net_snap_demand(ctx, net, fs, d->n, d->lon, d->lat, travel->snap_max_m, ds);
    if (rc == COV_OK) rc = cov__net_reach_sets(ctx, net, fs, ds, travel, threshold, rs);
    size_t off_road = 0;
    for (size_t i = 0; rc == COV_OK && i < f->n; i++) off_road += fs->edge[i] < 0;
    if (off_road)
        cov__warn(ctx, "%zu of %zu facilities are farther than %g m from every road and "
                  "reach nothing", off_road, f->n, travel->snap_max_m);
    if (rc != COV_OK) {
        cov__snap_free(fs);
        cov__snap_free(ds);
    }
    return rc;
}

static const cov_column_spec sets_spec[] = {
    {"facility_id", COV_COL_STRING}, {"facility_index", COV_COL_INT},
    {"demand_id", COV_COL_STRING},   {"demand_index", COV_COL_INT}, {"cost", COV_COL_DOUBLE}};

cov_table *cov_network_reach_sets(cov_ctx *ctx, cov_network *net, const cov_facilities *f,
                                  const cov_demand *d, const cov_travel *travel,
                                  double threshold)
{
    COV_CHECK_ARG(ctx, ctx && net && f && d, NULL);
    cov__snap fs, ds;
    cov__reach_sets rs;
    if (prepare(ctx, net, f, d, travel, threshold, &fs, &ds, &rs) != COV_OK) return NULL;
    size_t rows = rs.offset[rs.n_sets];
    cov_table *t = cov__table_create(ctx, rows, 0);
    size_t c[5];
    int rc = t ? cov__table_add_columns(ctx, t, sets_spec, 5, c) : ctx->status;
    for (size_t fi = 0; rc == COV_OK && fi < rs.n_sets; fi++)
        for (size_t r = rs.offset[fi]; rc == COV_OK && r < rs.offset[fi + 1]; r++) {
            cov__table_ints_mut(t, c[1])[r] = (int64_t)fi;
            cov__table_ints_mut(t, c[3])[r] = rs.unit[r];
            cov__table_doubles_mut(t, c[4])[r] = rs.cost[r];
            rc = cov__table_set_string(ctx, t, c[0], r, f->ids[fi]);
            if (rc == COV_OK) rc = cov__table_set_string(ctx, t, c[2], r, d->ids[rs.unit[r]]);
        }
    cov__snap_free(&fs);
    cov__snap_free(&ds);
    cov__reach_sets_free(&rs);
    if (rc != COV_OK) {
        cov_table_destroy(t);
        return NULL;
    }
    return t;
}

static const cov_column_spec reach_spec[] = {
    {"demand_id", COV_COL_STRING}, {"kind", COV_COL_STRING},   {"nearest_id", COV_COL_STRING},
    {"nearest_index", COV_COL_INT}, {"cost", COV_COL_DOUBLE},  {"n_within", COV_COL_INT},
    {"snap_distance_m", COV_COL_DOUBLE}};
enum { R_DEMAND, R_KIND, R_NEAREST_ID, R_NEAREST, R_COST, R_WITHIN, R_SNAP, R_NCOLS };

cov_table *cov_network_reach(cov_ctx *ctx, cov_network *net, const cov_facilities *f,
                             const cov_demand *d, const char *kind, const cov_travel *travel,
                             double threshold)
{
    COV_CHECK_ARG(ctx, ctx && net && f && d, NULL);
    long only = -1;
    if (kind) {
        for (size_t k = 0; k < f->n_kinds; k++)
            if (strcmp(f->kind_names[k], kind) == 0) only = (long)k;
        if (only < 0)
            return cov__error(ctx, COV_ERR_ARG, "network reach: no facility kind \"%s\"", kind),
                   NULL;
    }
    cov__snap fs, ds;
    cov__reach_sets rs;
    if (prepare(ctx, net, f, d, travel, threshold, &fs, &ds, &rs) != COV_OK) return NULL;
    size_t n_kinds = only >= 0 ? 1 : f->n_kinds, n = d->n;
    cov_table *t = cov__table_create(ctx, n * n_kinds, 0);
    size_t c[R_NCOLS];
    int rc = t ? cov__table_add_columns(ctx, t, reach_spec, R_NCOLS, c) : ctx->status;
    if (rc == COV_OK) {
        int64_t *near = cov__table_ints_mut(t, c[R_NEAREST]);
        int64_t *within = cov__table_ints_mut(t, c[R_WITHIN]);
        double *cost = cov__table_doubles_mut(t, c[R_COST]);
        double *snapd = cov__table_doubles_mut(t, c[R_SNAP]);
        for (size_t r = 0; r < n * n_kinds; r++) {
            near[r] = -1;
            cost[r] = NAN;
            snapd[r] = ds.edge[r % (n ? n : 1)] >= 0 ? ds.dist_m[r % n] : NAN;
        }
        /* every pair: rows of the facility's kind */
        for (size_t fi = 0; fi < rs.n_sets; fi++) {
            size_t k = f->kind_of[fi];
            if (only >= 0 && k != (size_t)only) continue;
            size_t row0 = (only >= 0 ? 0 : k) * n;
            for (size_t p = rs.offset[fi]; p < rs.offset[fi + 1]; p++) {
                size_t r = row0 + rs.unit[p];
                within[r]++;
                if (near[r] < 0 || rs.cost[p] < cost[r]) {
                    near[r] = (int64_t)fi;
                    cost[r] = rs.cost[p];
                }
            }
        }
        for (size_t kk = 0; rc == COV_OK && kk < n_kinds; kk++) {
            const char *kname = f->kind_names[only >= 0 ? (size_t)only : kk];
            for (size_t i = 0; rc == COV_OK && i < n; i++) {
                size_t r = kk * n + i;
                rc = cov__table_set_string(ctx, t, c[R_DEMAND], r, d->ids[i]);
                if (rc == COV_OK) rc = cov__table_set_string(ctx, t, c[R_KIND], r, kname);
                if (rc == COV_OK)
                    rc = cov__table_set_string(ctx, t, c[R_NEAREST_ID], r,
                                               near[r] >= 0 ? f->ids[near[r]] : "");
            }
        }
    }
    cov__snap_free(&fs);
    cov__snap_free(&ds);
    cov__reach_sets_free(&rs);
    if (rc != COV_OK) {
        cov_table_destroy(t);
        return NULL;
    }
    return t;
}

static const cov_column_spec unreach_spec[] = {{"demand_id", COV_COL_STRING},
                                               {"snap_distance_m", COV_COL_DOUBLE}};

cov_table *cov__net_unreachable_table(cov_ctx *ctx, const cov_demand *d, const cov__snap *snap)
{
    const cov__snap ds = *snap;
    size_t m = 0;
    for (size_t i = 0; i < d->n; i++) m += ds.edge[i] < 0;
    cov_table *t = cov__table_create(ctx, m, 0);
    size_t c[2];
    int rc = t ? cov__table_add_columns(ctx, t, unreach_spec, 2, c) : ctx->status;
    for (size_t i = 0, r = 0; rc == COV_OK && i < d->n; i++) {
        if (ds.edge[i] >= 0) continue;
        cov__table_doubles_mut(t, c[1])[r] = ds.dist_m[i];
        rc = cov__table_set_string(ctx, t, c[0], r++, d->ids[i]);
    }
    if (rc != COV_OK) {
        cov_table_destroy(t);
        return NULL;
    }
    return t;
}

cov_table *cov_network_unreachable(cov_ctx *ctx, cov_network *net, const cov_demand *d,
                                   const cov_travel *travel)
{
    COV_CHECK_ARG(ctx, ctx && net && d, NULL);
    cov_travel travel_copy;
    if (cov__net_take_travel(ctx, &travel, &travel_copy) != COV_OK) return NULL;
    cov__snap ds;
    if (cov__net_snap(ctx, net, d->n, d->lon, d->lat, travel->snap_max_m, &ds) != COV_OK)
        return NULL;
    cov_table *t = cov__net_unreachable_table(ctx, d, &ds);
    cov__snap_free(&ds);
    return t;
}
