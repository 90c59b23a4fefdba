/* The one reach engine (reach_engine.h): a cache of (model, threshold)
 * entries and their products, and the snapping of an analysis's points to
 * each network it travels on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reach_engine.h"
#include "io/table_internal.h"

static const cov_travel_model straight_model = {COV_TRAVEL_STRAIGHT, NULL, {0}};

int cov__check_threshold(cov_ctx *ctx, const cov_travel_model *m, double t)
{
    if (!m || m->metric != COV_TRAVEL_TIME) return cov__check_radius(ctx, t);
    if (!(t > 0.0) || t > COV_NET_MAX_TIME_S)
        return cov__error(ctx, COV_ERR_ARG,
                          "time threshold %g s is not usable: it must be > 0 and <= %g s (24 h)",
                          t, COV_NET_MAX_TIME_S);
    return COV_OK;
}

/* ---- snapping, once per network and snap cap ------------------------------ */

static void snaps_free(cov__snaps *s)
{
    cov__snap_free(&s->fac);
    cov__snap_free(&s->dem);
    memset(s, 0, sizeof *s);
}

/* Says which demand units and facilities lie beyond the snap cap: they
 * reach nothing and nothing reaches them (never silently). */
static void warn_off_road(cov_ctx *ctx, const cov_analysis *a, const cov__snaps *s)
{
    const cov_demand *d = a->demand;
    char list[400] = "";
    size_t len = 0, n = 0, nf = 0;
    double weight = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        if (s->dem.edge[i] >= 0) continue;
        weight += d->n_weights ? d->weights[i] : 1.0;
        if (n++ < 8 && len < sizeof list - 40)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", n > 1 ? ", " : "",
                                    d->ids[i]);
    }
    if (n)
        cov__warn(ctx,
                  "%zu demand unit(s) lie farther than %g m from every road and count as "
                  "unreachable (not covered; weight \"%s\" %.10g): %s%s; "
                  "cov_analysis_unreachable() lists them",
                  n, s->snap_max_m, d->n_weights ? d->weight_names[0] : "", weight, list,
                  n > 8 ? ", ..." : "");
    size_t n_moved = 0;
    double w_moved = 0.0;
    for (size_t i = 0; i < d->n; i++)
        if (s->dem.moved[i]) n_moved++, w_moved += d->n_weights ? d->weights[i] : 1.0;
    if (n_moved)
        cov__warn(ctx,
                  "%zu demand unit(s) (weight \"%s\" %.10g) lie nearest to a road fragment "
                  "that no facility is on and which is cut off from the main road network: they "
                  "were snapped to the nearest road that takes part (the largest strongly "
                  "connected component, or one holding a facility) instead, or count as "
                  "unreachable beyond the snap cap; read_network(snap_to=\"any\") keeps the "
                  "nearest road",
                  n_moved, d->n_weights ? d->weight_names[0] : "", w_moved);
    for (size_t j = 0; j < a->facilities->n; j++) nf += s->fac.edge[j] < 0;
    if (nf)
        cov__warn(ctx, "%zu of %zu facilities lie farther than %g m from every road and reach "
                  "nothing", nf, a->facilities->n, s->snap_max_m);
}

static void entry_free(cov_analysis *a, cov__reach *r);

/* The snapping of a's points to model's network with its snap cap. */
static cov__snaps *snaps_get(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *m)
{
    cov__reach_cache *c = &a->cache;
    cov__snaps *slot = NULL;
    for (size_t i = 0; i < COV__SNAP_SLOTS; i++) {
        cov__snaps *s = &c->snaps[i];
        if (s->network == m->network && s->stamp == m->network->stamp &&
            s->snap_max_m == m->travel.snap_max_m) {
            s->used = ++c->clock;
            return s;
        }
        if (!slot || !s->network || (slot->network && s->used < slot->used)) slot = s;
    }
    if (slot->network) { /* evict: entries using it go too */
        for (size_t i = 0; i < COV__REACH_SLOTS; i++)
            if (c->entry[i].in_use && c->entry[i].snaps == slot) entry_free(a, &c->entry[i]);
        snaps_free(slot);
    }
    const cov_facilities *f = a->facilities;
    const cov_demand *d = a->demand;
    double cap = m->travel.snap_max_m;
    if (cov__net_snap_sources(ctx, m->network, f->n, f->lon, f->lat, cap, &slot->fac) != COV_OK ||
        cov__net_snap_demand(ctx, m->network, &slot->fac, d->n, d->lon, d->lat, cap,
                             &slot->dem) != COV_OK) {
        snaps_free(slot);
        return NULL;
    }
    slot->network = m->network;
    slot->stamp = m->network->stamp;
    slot->snap_max_m = cap;
    slot->used = ++c->clock;
    warn_off_road(ctx, a, slot);
    return slot;
}

cov_table *cov_analysis_unreachable(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    if (!model || !model->network)
        return cov__error(ctx, COV_ERR_ARG, "unreachable: the straight-line model reaches "
                          "every point (pass a road model)"), NULL;
    const cov__snaps *s = snaps_get(ctx, a, model);
    return s ? cov__net_unreachable_table(ctx, a->demand, &s->dem) : NULL;
}

/* ---- the cache of (model, threshold) entries ------------------------------- */

static void entry_free(cov_analysis *a, cov__reach *r)
{
    for (size_t g = 0; g < a->n_groups; g++) {
        if (r->counts) free(r->counts[g]);
        if (r->unions && r->unions[g]) GEOSGeom_destroy_r(a->ctx->geos, r->unions[g]);
    }
    if (r->parts)
        for (size_t k = 0; k < 2 * a->n_groups * a->n_regions; k++)
            if (r->parts[k]) GEOSGeom_destroy_r(a->ctx->geos, r->parts[k]);
    free(r->counts);
    free(r->unions);
    free(r->parts);
    free(r->uncovered_m2);
    cov__reach_sets_free(&r->sets);
    memset(r, 0, sizeof *r);
}

void cov__reach_cache_free(cov_analysis *a)
{
    for (size_t i = 0; i < COV__REACH_SLOTS; i++)
        if (a->cache.entry[i].in_use) entry_free(a, &a->cache.entry[i]);
    for (size_t i = 0; i < COV__SNAP_SLOTS; i++) snaps_free(&a->cache.snaps[i]);
}

static int same_model(const cov__reach *r, const cov_travel_model *m)
{
    if (r->model.metric != m->metric || r->model.network != m->network) return 0;
    if (!m->network) return 1;
    const cov_travel *x = &r->model.travel, *y = &m->travel;
    return r->stamp == m->network->stamp && r->generation == m->network->generation &&
           x->winter == y->winter && x->snap_max_m == y->snap_max_m &&
           x->access_speed_kmh == y->access_speed_kmh &&
           x->isochrone_buffer_m == y->isochrone_buffer_m;
}

cov__reach *cov__reach_get(cov_ctx *ctx, cov_analysis *a, const cov_travel_model *model,
                           double threshold)
{
    const cov_travel_model *m = model ? model : &straight_model;
    if (cov__check_threshold(ctx, m, threshold) != COV_OK) return NULL;
    cov__reach_cache *c = &a->cache;
    cov__reach *slot = NULL;
    for (size_t i = 0; i < COV__REACH_SLOTS; i++) {
        cov__reach *r = &c->entry[i];
        if (r->in_use && r->threshold == threshold && same_model(r, m)) {
            r->used = ++c->clock;
            return r;
        }
        if (!slot || !r->in_use || (slot->in_use && r->used < slot->used)) slot = r;
    }
    if (slot->in_use) entry_free(a, slot);
    cov__snaps *snaps = NULL;
    if (m->network && !(snaps = snaps_get(ctx, a, m))) return NULL;
    slot->counts = cov__calloc(ctx, a->n_groups ? a->n_groups : 1, sizeof *slot->counts);
    slot->unions = cov__calloc(ctx, a->n_groups ? a->n_groups : 1, sizeof *slot->unions);
    if (!slot->counts || !slot->unions) {
        entry_free(a, slot);
        return NULL;
    }
    slot->in_use = 1;
    slot->model = *m;
    slot->stamp = m->network ? m->network->stamp : 0;
    slot->generation = m->network ? m->network->generation : 0;
    slot->threshold = threshold;
    slot->snaps = snaps;
    slot->used = ++c->clock;
    return slot;
}

/* ---- reach sets -------------------------------------------------------------- */

/* Pairs of one growing row, appended to the arrays of the whole set. */
typedef struct collector {
    cov_ctx *ctx;
    cov__reach_sets *rs;
    size_t n, cap;
    int failed;
} collector;

static void collect(void *userdata, size_t index, double distance_m)
{
    collector *c = userdata;
    if (c->failed) return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        uint32_t *u = cov__realloc(c->ctx, c->rs->unit, cap * sizeof *u);
        if (u) c->rs->unit = u;
        double *d = u ? cov__realloc(c->ctx, c->rs->cost, cap * sizeof *d) : NULL;
        if (d) c->rs->cost = d;
        if (!u || !d) {
            c->failed = 1;
            return;
        }
        c->cap = cap;
    }
    c->rs->unit[c->n] = (uint32_t)index;
    c->rs->cost[c->n++] = distance_m;
}

/* Rows come out of the kd-tree in leaf order; they are sorted by unit
 * through a packed copy (one buffer reused for every row). */
typedef struct pair {
    uint32_t unit;
    double cost;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    uint32_t x = ((const pair *)a)->unit, y = ((const pair *)b)->unit;
    return (x > y) - (x < y);
}

static int sort_row(cov_ctx *ctx, cov__reach_sets *rs, size_t b, size_t e, pair **buf,
                    size_t *buf_cap)
{
    size_t n = e - b;
    if (n < 2) return COV_OK;
    if (n > *buf_cap) {
        pair *p = cov__realloc(ctx, *buf, n * sizeof *p);
        if (!p) return COV_ERR_NOMEM;
        *buf = p;
        *buf_cap = n;
    }
    for (size_t k = 0; k < n; k++) (*buf)[k] = (pair){rs->unit[b + k], rs->cost[b + k]};
    qsort(*buf, n, sizeof **buf, cmp_pair);
    for (size_t k = 0; k < n; k++) {
        rs->unit[b + k] = (*buf)[k].unit;
        rs->cost[b + k] = (*buf)[k].cost;
    }
    return COV_OK;
}

/* Straight-line (geodesic) reach sets of every facility within radius_m. */
static int straight_sets(cov_ctx *ctx, cov_analysis *a, double radius_m, int costs,
                         cov__reach_sets *out)
{
    memset(out, 0, sizeof *out);
    const cov_demand *d = a->demand;
    const cov_facilities *f = a->facilities;
    if (d->n > UINT32_MAX)
        return cov__error(ctx, COV_ERR_ARG, "reach sets: more than %u demand units",
                          (unsigned)UINT32_MAX);
    cov_kdtree *tree = cov__kdtree_build(ctx, d->lon, d->lat, NULL, d->n);
    out->n_sets = f->n;
    out->offset = cov__calloc(ctx, f->n + 1, sizeof *out->offset);
    if (!tree || !out->offset) goto fail;
    collector c = {.ctx = ctx, .rs = out};
    pair *buf = NULL;
    size_t buf_cap = 0;
    for (size_t j = 0; j < f->n; j++) {
        size_t begin = c.n;
        cov__kdtree_visit_within(tree, &ctx->geod, f->lon[j], f->lat[j], radius_m, costs, collect,
                                 &c);
        if (c.failed || sort_row(ctx, out, begin, c.n, &buf, &buf_cap) != COV_OK) {
            free(buf);
            goto fail;
        }
        out->offset[j + 1] = c.n;
        if (j % 64 == 63 && cov__progress(ctx, (double)j / f->n, "reach sets") != COV_OK) {
            free(buf);
            goto fail;
        }
    }
    free(buf);
    cov__kdtree_destroy(tree);
    return COV_OK;
fail:
    cov__kdtree_destroy(tree);
    cov__reach_sets_free(out);
    return ctx->status ? ctx->status : COV_ERR_NOMEM;
}

const cov__reach_sets *cov__reach_sets_of(cov_ctx *ctx, cov_analysis *a, cov__reach *r,
                                          int costs)
{
    /* road sets always carry their costs */
    if (r->sets_made && (cov__reach_by_road(r) || r->sets_made - 1 >= costs)) return &r->sets;
    cov__reach_sets_free(&r->sets);
    r->sets_made = 0;
    int rc = cov__reach_by_road(r)
                 ? cov__net_reach_sets(ctx, r->model.network, &r->snaps->fac, &r->snaps->dem,
                                       &r->model.travel, r->threshold, &r->sets)
                 : straight_sets(ctx, a, r->threshold, costs, &r->sets);
    if (rc != COV_OK) return NULL;
    r->sets_made = 1 + costs;
    return &r->sets;
}

/* ---- counts ------------------------------------------------------------------- */

static int count_straight(cov_ctx *ctx, cov_analysis *a, const cov_group *g, double radius_m,
                          int32_t *counts)
{
    const cov_demand *d = a->demand;
    for (size_t i = 0; i < d->n; i++) {
        counts[i] = (int32_t)cov__kdtree_within(g->tree, &ctx->geod, d->lon[i], d->lat[i],
                                                radius_m);
        if (i % 4096 == 4095 && cov__progress(ctx, (double)i / d->n, g->name) != COV_OK)
            return ctx->status;
    }
    return COV_OK;
}

static int count_road(cov_ctx *ctx, cov_analysis *a, cov__reach *r, const cov_group *g,
                      int32_t *counts)
{
    const cov__reach_sets *rs = cov__reach_sets_of(ctx, a, r, COV__COSTS_ALL);
    if (!rs) return ctx->status;
    for (size_t m = 0; m < g->n_members; m++) {
        size_t f = g->members[m];
        for (size_t p = rs->offset[f]; p < rs->offset[f + 1]; p++) counts[rs->unit[p]]++;
    }
    return COV_OK;
}

const int32_t *cov__reach_counts(cov_ctx *ctx, cov_analysis *a, cov__reach *r, size_t g)
{
    if (r->counts[g]) return r->counts[g];
    const cov_group *grp = &a->groups[g];
    size_t n = a->demand->n;
    int32_t *counts = cov__calloc(ctx, n ? n : 1, sizeof *counts);
    if (!counts) return NULL;
    int rc = COV_OK;
    if (grp->role == GROUP_COMBINED) {
        const int32_t *dc = cov__reach_counts(ctx, a, r, (size_t)a->doctor_group);
        const int32_t *nc = dc ? cov__reach_counts(ctx, a, r, (size_t)a->nursing_group) : NULL;
        if (nc)
            for (size_t i = 0; i < n; i++) counts[i] = dc[i] < nc[i] ? dc[i] : nc[i];
        else
            rc = ctx->status ? ctx->status : COV_ERR_NOMEM;
    } else {
        rc = cov__reach_by_road(r) ? count_road(ctx, a, r, grp, counts)
                                   : count_straight(ctx, a, grp, r->threshold, counts);
    }
    if (rc != COV_OK) {
        free(counts);
        return NULL;
    }
    return r->counts[g] = counts;
}

/* ---- service areas ------------------------------------------------------------ */

static GEOSGeometry *union_of_circles(cov_ctx *ctx, cov_analysis *a, const cov_group *g,
                                      double radius_m)
{
    const cov_facilities *f = a->facilities;
    GEOSGeometry **c = cov__calloc(ctx, g->n_members ? g->n_members : 1, sizeof *c);
    if (!c) return NULL;
    for (size_t m = 0; m < g->n_members; m++) {
        size_t i = g->members[m];
        c[m] = cov__geod_circle(ctx, &a->proj, f->lon[i], f->lat[i], radius_m,
                                a->circle_segments);
        if (!c[m]) {
            for (size_t k = 0; k < m; k++) GEOSGeom_destroy_r(ctx->geos, c[k]);
            free(c);
            return NULL;
        }
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, c,
                                                     (unsigned)g->n_members);
    free(c);
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(ctx->geos, coll) : NULL;
    if (coll) GEOSGeom_destroy_r(ctx->geos, coll);
    if (!u) cov__geos_error(ctx, "union of service circles");
    return u;
}

/* The group's isochrone from one search seeded at all its members (see
 * cov__net_group_isochrone: the union of their own isochrones, which were
 * made one by one and unioned: on Sapporo's 308 stations at 30 minutes
 * that passed 13 GB), in the analysis CRS. */
static GEOSGeometry *union_of_isochrones(cov_ctx *ctx, cov_analysis *a, cov__reach *r,
                                         const cov_group *g)
{
    GEOSGeometry *ll = cov__net_group_isochrone(ctx, r->model.network, a->facilities,
                                                g->members, g->n_members, &r->model.travel,
                                                r->threshold);
    if (!ll) return NULL;
    /* the buffer was made in the network's CRS; moving its vertices to the
     * analysis CRS keeps it within the buffer up to the two projections'
     * scale difference (well under 0.1 % in a prefecture) */
    GEOSGeometry *u = GEOSisEmpty_r(ctx->geos, ll) ? GEOSGeom_createEmptyPolygon_r(ctx->geos)
                                                   : cov__xform_geom(ctx, &a->proj, ll, 0,
                                                                     "isochrones");
    GEOSGeom_destroy_r(ctx->geos, ll);
    if (!u && !ctx->status) cov__geos_error(ctx, "union of isochrones");
    return u;
}

const GEOSGeometry *cov__reach_union(cov_ctx *ctx, cov_analysis *a, cov__reach *r, size_t g)
{
    if (a->groups[g].same_as >= 0) return cov__reach_union(ctx, a, r, (size_t)a->groups[g].same_as);
    if (r->unions[g]) return r->unions[g];
    const cov_group *grp = &a->groups[g];
    if (grp->role == GROUP_COMBINED) {
        const GEOSGeometry *du = cov__reach_union(ctx, a, r, (size_t)a->doctor_group);
        const GEOSGeometry *nu = du ? cov__reach_union(ctx, a, r, (size_t)a->nursing_group) : NULL;
        r->unions[g] = nu ? GEOSIntersection_r(ctx->geos, du, nu) : NULL;
        if (nu && !r->unions[g]) cov__geos_error(ctx, "doctor and nurse reach");
    } else {
        r->unions[g] = cov__reach_by_road(r) ? union_of_isochrones(ctx, a, r, grp)
                                             : union_of_circles(ctx, a, grp, r->threshold);
    }
    return r->unions[g];
}
