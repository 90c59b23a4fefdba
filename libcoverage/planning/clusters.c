/* Gap clusters (uncovered demand grouped by adjacency) and sites for new
 * facilities (greedy maximum coverage of the uncovered demand). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "planning/plan_internal.h"
#include "libcoverage/mesh.h"

void cov_gap_options_init(cov_gap_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->threshold = NAN;
    o->link_m = 1000.0;
    o->site_radius_m = NAN;
    o->max_sites = 5;
}

/* The uncovered units with positive demand, in index order. */
typedef struct gap_set {
    cov_gap_options o;
    const double *w;
    unsigned char *mask; /* facilities that cover */
    size_t *units;
    size_t n;
} gap_set;

static void gap_free(gap_set *g)
{
    free(g->mask);
    free(g->units);
}

static int gap_make(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                    const cov_gap_options *options, gap_set *g)
{
    memset(g, 0, sizeof *g);
    cov_gap_options_init(&g->o);
    if (options && cov__options_take(ctx, &g->o, sizeof g->o, options, "gap options") != COV_OK)
        return ctx->status;
    if (isnan(g->o.threshold)) g->o.threshold = cov__plan_default_threshold(model, 1);
    if (cov__plan_check_threshold(ctx, g->o.threshold, "gap threshold") != COV_OK)
        return ctx->status;
    if (!(g->o.link_m >= 0.0) || !isfinite(g->o.link_m))
        return cov__error(ctx, COV_ERR_ARG, "link distance %g m must be >= 0", g->o.link_m);
    if (!(g->w = cov__plan_weights(ctx, a, g->o.weight, "gap clusters"))) return ctx->status;
    g->mask = g->o.kinds ? cov__plan_kind_mask(ctx, a, g->o.kinds, g->o.n_kinds, NULL, 0)
                         : cov__plan_group_mask(ctx, a, a->nursing_group);
    if (!g->mask) return ctx->status;
    const cov__reach_sets *rs =
        cov__plan_reach_sets(ctx, a, model, g->o.threshold, COV__COSTS_NONE);
    if (!rs) return ctx->status;
    int32_t *counts = cov__plan_unit_counts(ctx, a, rs, g->mask);
    g->units = cov__mallocarray(ctx, a->demand->n ? a->demand->n : 1, sizeof *g->units);
    if (!counts || !g->units) {
        free(counts);
        return ctx->status;
    }
    for (size_t u = 0; u < a->demand->n; u++)
        if (a->demand_region[u] >= 0 && counts[u] == 0 && g->w[u] > 0.0) g->units[g->n++] = u;
    free(counts);
    return COV_OK;
}

/* ---- clusters ---- */

static size_t uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

typedef struct link_state {
    const cov_analysis *a;
    const cov_mesh_cell *cell; /* per demand unit (level 0 for points) */
    size_t *parent;            /* per demand unit */
    size_t self;
    double link_m;
} link_state;

static int cells_touch(const cov_mesh_cell *p, const cov_mesh_cell *q)
{
    const double eps = 1e-9;
    return p->west_lon_degree <= q->east_lon_degree + eps &&
           q->west_lon_degree <= p->east_lon_degree + eps &&
           p->south_lat_degree <= q->north_lat_degree + eps &&
           q->south_lat_degree <= p->north_lat_degree + eps;
}

static void link_visit(void *userdata, size_t v, double d)
{
    link_state *s = userdata;
    size_t u = s->self;
    if (v == u || s->a->demand_region[u] != s->a->demand_region[v]) return;
    const cov_mesh_cell *cu = &s->cell[u], *cv = &s->cell[v];
    int joined = cu->level && cv->level ? cells_touch(cu, cv) : !(d > s->link_m);
    if (!joined) return;
    size_t ru = uf_find(s->parent, u), rv = uf_find(s->parent, v);
    if (ru != rv) s->parent[ru > rv ? ru : rv] = ru < rv ? ru : rv;
}

typedef struct cluster {
    int64_t region;
    size_t n_units, first, id;
    double demand, area_m2, swx, swy;
    long nearest;
    double nearest_m;
} cluster;

static int cmp_cluster(const void *x, const void *y)
{
    const cluster *a = x, *b = y;
    if (a->demand != b->demand) return a->demand < b->demand ? 1 : -1;
    return (a->first > b->first) - (a->first < b->first);
}

static GEOSGeometry *cell_polygon(cov_ctx *ctx, const cov_mesh_cell *c)
{
    double x[5] = {c->west_lon_degree, c->east_lon_degree, c->east_lon_degree,
                   c->west_lon_degree, c->west_lon_degree};
    double y[5] = {c->south_lat_degree, c->south_lat_degree, c->north_lat_degree,
                   c->north_lat_degree, c->south_lat_degree};
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromArrays_r(ctx->geos, x, y, NULL, NULL, 5);
    GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(ctx->geos, cs) : NULL;
    GEOSGeometry *p = ring ? GEOSGeom_createPolygon_r(ctx->geos, ring, NULL, 0) : NULL;
    if (!p) cov__geos_error(ctx, "mesh cell polygon");
    return p;
}

/* Geometry of cluster k: union of its cells, or its points. */
static GEOSGeometry *cluster_geometry(cov_ctx *ctx, const cov_analysis *a,
                                      const cov_mesh_cell *cell, const size_t *members,
                                      size_t n)
{
    GEOSGeometry **parts = cov__calloc(ctx, n ? n : 1, sizeof *parts);
    if (!parts) return NULL;
    GEOSGeometry *out = NULL;
    size_t n_cells = 0;
    for (size_t k = 0; k < n; k++) n_cells += cell[members[k]].level != 0;
    for (size_t k = 0; k < n; k++) {
        size_t u = members[k];
        parts[k] = n_cells == n ? cell_polygon(ctx, &cell[u])
                                : GEOSGeom_createPointFromXY_r(ctx->geos, a->demand->lon[u],
                                                               a->demand->lat[u]);
        if (!parts[k]) goto done;
    }
    if (n_cells == n) {
        out = cov__union_parts(ctx, (const GEOSGeometry *const *)parts, n);
    } else {
        out = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOINT, parts, (unsigned)n);
        if (out) n = 0; /* the collection owns the points now */
        else cov__geos_error(ctx, "cluster points");
    }
done:
    for (size_t k = 0; k < n; k++)
        if (parts[k]) GEOSGeom_destroy_r(ctx->geos, parts[k]);
    free(parts);
    return out;
}

static const cov_column_spec cluster_spec[] = {
    {"cluster_id", COV_COL_INT},        {"region_id", COV_COL_STRING},
    {"region_name", COV_COL_STRING},    {"n_units", COV_COL_INT},
    {"demand", COV_COL_DOUBLE},         {"area_km2", COV_COL_DOUBLE},
    {"centroid_lon", COV_COL_DOUBLE},   {"centroid_lat", COV_COL_DOUBLE},
    {"nearest_id", COV_COL_STRING},     {"nearest_distance_m", COV_COL_DOUBLE}};
enum { K_ID, K_REGION, K_NAME, K_N, K_DEMAND, K_AREA, K_LON, K_LAT, K_NEAR, K_DIST, K_NCOLS };

/* Decodes the cells of the gap units and links neighbours. */
static int link_units(cov_ctx *ctx, const cov_analysis *a, const gap_set *g,
                      cov_mesh_cell *cell, size_t *parent)
{
    const cov_demand *d = a->demand;
    double reach = g->o.link_m;
    for (size_t k = 0; k < g->n; k++) {
        size_t u = g->units[k];
        parent[u] = u;
        if (!d->level[u]) continue;
        if (cov_mesh_decode(ctx, d->ids[u], &cell[u]) != COV_OK) return ctx->status;
        double diag;
        geod_inverse(&ctx->geod, cell[u].south_lat_degree, cell[u].west_lon_degree,
                     cell[u].north_lat_degree, cell[u].east_lon_degree, &diag, NULL, NULL);
        if (1.01 * diag > reach) reach = 1.01 * diag;
    }
    cov_kdtree *tree = cov__kdtree_build(ctx, d->lon, d->lat, g->units, g->n);
    if (!tree) return ctx->status;
    link_state s = {.a = a, .cell = cell, .parent = parent, .link_m = g->o.link_m};
    for (size_t k = 0; k < g->n; k++) {
        s.self = g->units[k];
        cov__kdtree_visit_within(tree, &ctx->geod, d->lon[s.self], d->lat[s.self], reach, 1,
                                 link_visit, &s);
    }
    cov__kdtree_destroy(tree);
    return COV_OK;
}

/* Sums the clusters; *out_members lists the units grouped by cluster,
 * cluster k owning members[start[k] .. start[k + 1]). */
static cluster *sum_clusters(cov_ctx *ctx, cov_analysis *a, const gap_set *g,
                             const cov_mesh_cell *cell, size_t *parent, size_t *out_n,
                             size_t **out_members, size_t **out_start)
{
    const cov_demand *d = a->demand;
    size_t nc = 0;
    size_t *id = cov__mallocarray(ctx, d->n ? d->n : 1, sizeof *id);
    cluster *c = cov__calloc(ctx, g->n ? g->n : 1, sizeof *c);
    size_t *start = cov__calloc(ctx, g->n + 1, sizeof *start);
    size_t *members = cov__mallocarray(ctx, g->n ? g->n : 1, sizeof *members);
    size_t *fill = cov__calloc(ctx, g->n + 1, sizeof *fill);
    cov_kdtree *tree = NULL;
    size_t *fac = cov__mallocarray(ctx, a->facilities->n ? a->facilities->n : 1, sizeof *fac);
    size_t n_fac = 0;
    if (!id || !c || !start || !members || !fill || !fac) goto fail;
    for (size_t i = 0; i < a->facilities->n; i++)
        if (g->mask[i]) fac[n_fac++] = i;
    if (!(tree = cov__kdtree_build(ctx, a->facilities->lon, a->facilities->lat, fac, n_fac)))
        goto fail;
    for (size_t k = 0; k < g->n; k++) { /* units are in index order: first = smallest */
        size_t u = g->units[k], r = uf_find(parent, u);
        if (r == u) {
            id[u] = nc;
            c[nc] = (cluster){.region = a->demand_region[u], .first = u, .nearest = -1,
                              .nearest_m = INFINITY};
            nc++;
        }
        cluster *cl = &c[id[r]];
        double w = g->w[u], dist;
        cl->n_units++;
        cl->demand += w;
        cl->swx += w * d->lon[u];
        cl->swy += w * d->lat[u];
        if (cell[u].level) {
            GEOSGeometry *p = cell_polygon(ctx, &cell[u]);
            if (!p) goto fail;
            cl->area_m2 += cov__geod_area_m2(ctx, p);
            GEOSGeom_destroy_r(ctx->geos, p);
        }
        long j = cov__kdtree_nearest(tree, &ctx->geod, d->lon[u], d->lat[u], &dist);
        if (j >= 0 && (dist < cl->nearest_m || (dist == cl->nearest_m && j < cl->nearest)))
            cl->nearest = j, cl->nearest_m = dist;
    }
    for (size_t k = 0; k < g->n; k++) start[id[uf_find(parent, g->units[k])] + 1]++;
    for (size_t k = 0; k < nc; k++) start[k + 1] += start[k];
    for (size_t k = 0; k < g->n; k++) {
        size_t cid = id[uf_find(parent, g->units[k])];
        members[start[cid] + fill[cid]++] = g->units[k];
    }
    cov__kdtree_destroy(tree);
    free(id);
    free(fill);
    free(fac);
    *out_n = nc;
    *out_members = members;
    *out_start = start;
    return c;
fail:
    cov__kdtree_destroy(tree);
    free(id);
    free(c);
    free(start);
    free(members);
    free(fill);
    free(fac);
    return NULL;
}

cov_table *cov_gap_clusters(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                            const cov_gap_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    gap_set g = {0};
    cov_table *t = NULL;
    cluster *c = NULL;
    size_t nc = 0, *members = NULL, *start = NULL;
    cov_mesh_cell *cell = cov__calloc(ctx, a->demand->n ? a->demand->n : 1, sizeof *cell);
    size_t *parent = cov__mallocarray(ctx, a->demand->n ? a->demand->n : 1, sizeof *parent);
    if (!cell || !parent || gap_make(ctx, a, model, options, &g) != COV_OK ||
        link_units(ctx, a, &g, cell, parent) != COV_OK ||
        !(c = sum_clusters(ctx, a, &g, cell, parent, &nc, &members, &start)))
        goto fail;
    /* rank by demand; id keeps the index of each cluster's member range */
    for (size_t k = 0; k < nc; k++) c[k].id = k;
    qsort(c, nc, sizeof *c, cmp_cluster);
    size_t col[K_NCOLS];
    if (!(t = cov__table_create(ctx, nc, 1)) ||
        cov__table_add_columns(ctx, t, cluster_spec, K_NCOLS, col) != COV_OK)
        goto fail;
    for (size_t k = 0; k < nc; k++) {
        const cluster *cl = &c[k];
        size_t orig = cl->id;
        cov__table_ints_mut(t, col[K_ID])[k] = (int64_t)k + 1;
        cov__table_ints_mut(t, col[K_N])[k] = (int64_t)cl->n_units;
        cov__table_doubles_mut(t, col[K_DEMAND])[k] = cl->demand;
        cov__table_doubles_mut(t, col[K_AREA])[k] = cl->area_m2 / 1e6;
        double lon = 0, lat = 0;
        for (size_t m = start[orig]; m < start[orig + 1]; m++) {
            lon += a->demand->lon[members[m]];
            lat += a->demand->lat[members[m]];
        }
        cov__table_doubles_mut(t, col[K_LON])[k] =
            cl->demand > 0 ? cl->swx / cl->demand : lon / (double)cl->n_units;
        cov__table_doubles_mut(t, col[K_LAT])[k] =
            cl->demand > 0 ? cl->swy / cl->demand : lat / (double)cl->n_units;
        cov__table_doubles_mut(t, col[K_DIST])[k] = cl->nearest < 0 ? NAN : cl->nearest_m;
        if (cov__plan_set_region(ctx, t, col[K_REGION], col[K_NAME], k, a, cl->region) ||
            cov__table_set_string(ctx, t, col[K_NEAR], k,
                                  cl->nearest < 0 ? "" : a->facilities->ids[cl->nearest]))
            goto fail;
        GEOSGeometry *geom = cluster_geometry(ctx, a, cell, members + start[orig],
                                              start[orig + 1] - start[orig]);
        if (!geom) goto fail;
        cov__table_set_geometry(t, k, geom);
    }
    gap_free(&g);
    free(cell);
    free(parent);
    free(c);
    free(members);
    free(start);
    return t;
fail:
    gap_free(&g);
    free(cell);
    free(parent);
    free(c);
    free(members);
    free(start);
    cov_table_destroy(t);
    return NULL;
}

/* ---- sites ---- */

typedef struct site_state {
    const double *w;
    const unsigned char *covered;
    unsigned char *mark; /* NULL: only sum */
    double sum;
} site_state;

static void site_visit(void *userdata, size_t v, double d)
{
    site_state *s = userdata;
    (void)d;
    if (s->covered[v]) return;
    s->sum += s->w[v];
    if (s->mark) s->mark[v] = 1;
}

static const cov_column_spec site_spec[] = {
    {"rank", COV_COL_INT},           {"demand_id", COV_COL_STRING},
    {"region_id", COV_COL_STRING},   {"gain_demand", COV_COL_DOUBLE},
    {"covered_demand", COV_COL_DOUBLE}, {"share_of_gap", COV_COL_DOUBLE}};
enum { S_RANK, S_ID, S_REGION, S_GAIN, S_COVERED, S_SHARE, S_NCOLS };

cov_table *cov_plan_sites(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                          const cov_gap_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    const cov_demand *d = a->demand;
    gap_set g = {0};
    cov_heap h = {0};
    cov_table *t = NULL;
    cov_kdtree *tree = NULL;
    size_t *picks = NULL;
    double *gains = NULL;
    unsigned char *covered = cov__calloc(ctx, d->n ? d->n : 1, 1);
    if (!covered || gap_make(ctx, a, model, options, &g) != COV_OK) goto fail;
    double radius = g.o.site_radius_m;
    if (isnan(radius)) radius = cov__plan_has_network(model) ? COV_RULE16_M : g.o.threshold;
    if (cov__check_radius(ctx, radius) != COV_OK) goto fail;
    /* units already covered are marked so; only the gap units count */
    memset(covered, 1, d->n);
    double gap_total = 0.0;
    for (size_t k = 0; k < g.n; k++) covered[g.units[k]] = 0, gap_total += g.w[g.units[k]];
    size_t max_sites = g.o.max_sites < g.n ? g.o.max_sites : g.n;
    picks = cov__mallocarray(ctx, max_sites ? max_sites : 1, sizeof *picks);
    gains = cov__mallocarray(ctx, max_sites ? max_sites : 1, sizeof *gains);
    if (!picks || !gains || !(tree = cov__kdtree_build(ctx, d->lon, d->lat, g.units, g.n)))
        goto fail;
    site_state s = {.w = g.w, .covered = covered};
    for (size_t k = 0; k < g.n; k++) {
        size_t u = g.units[k];
        s.sum = 0.0;
        cov__kdtree_visit_within(tree, &ctx->geod, d->lon[u], d->lat[u], radius, 0, site_visit,
                                 &s);
        if (cov__heap_push(ctx, &h, (cov_heap_entry){s.sum, u, 0}) != COV_OK) goto fail;
    }
    size_t n_picks = 0;
    cov_heap_entry top;
    while (n_picks < max_sites && cov__heap_pop(&h, &top)) {
        size_t u = top.item;
        if (top.stamp != n_picks) { /* stale upper bound: refresh it */
            s.sum = 0.0;
            cov__kdtree_visit_within(tree, &ctx->geod, d->lon[u], d->lat[u], radius, 0,
                                     site_visit, &s);
            if (cov__heap_push(ctx, &h, (cov_heap_entry){s.sum, u, n_picks}) != COV_OK)
                goto fail;
            continue;
        }
        if (!(top.gain > 0.0)) break;
        /* each unit is visited once, so marking while summing is safe */
        site_state m = {.w = g.w, .covered = covered, .mark = covered};
        cov__kdtree_visit_within(tree, &ctx->geod, d->lon[u], d->lat[u], radius, 0, site_visit,
                                 &m);
        picks[n_picks] = u;
        gains[n_picks++] = top.gain;
    }
    size_t col[S_NCOLS];
    if (!(t = cov__table_create(ctx, n_picks, 1)) ||
        cov__table_add_columns(ctx, t, site_spec, S_NCOLS, col) != COV_OK)
        goto fail;
    double cum = 0.0;
    for (size_t k = 0; k < n_picks; k++) {
        size_t u = picks[k];
        cum += gains[k];
        cov__table_ints_mut(t, col[S_RANK])[k] = (int64_t)k + 1;
        cov__table_doubles_mut(t, col[S_GAIN])[k] = gains[k];
        cov__table_doubles_mut(t, col[S_COVERED])[k] = cum;
        cov__table_doubles_mut(t, col[S_SHARE])[k] = gap_total > 0 ? cum / gap_total : NAN;
        GEOSGeometry *p = GEOSGeom_createPointFromXY_r(ctx->geos, d->lon[u], d->lat[u]);
        if (!p) {
            cov__geos_error(ctx, "site point");
            goto fail;
        }
        cov__table_set_geometry(t, k, p);
        if (cov__table_set_string(ctx, t, col[S_ID], k, d->ids[u]) ||
            cov__plan_set_region(ctx, t, col[S_REGION], (size_t)-1, k, a, a->demand_region[u]))
            goto fail;
    }
    goto done;
fail:
    cov_table_destroy(t);
    t = NULL;
done:
    cov__heap_free(&h);
    cov__kdtree_destroy(tree);
    gap_free(&g);
    free(covered);
    free(picks);
    free(gains);
    return t;
}
