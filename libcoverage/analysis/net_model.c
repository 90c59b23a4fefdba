/* The road-network travel model of an analysis: setting it, the reach sets
 * behind its counts, and the isochrones behind its service areas and gaps.
 * The reach table is in net_reach.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/net_model.h"
#include "io/table_internal.h"

void cov__net_model_free(cov__net_model *m)
{
    if (!m) return;
    cov__snap_free(&m->fac);
    cov__snap_free(&m->dem);
    cov__reach_sets_free(&m->sets);
    cov_table_destroy(m->iso);
    free(m);
}

int cov__check_threshold(cov_ctx *ctx, const cov_analysis *a, double t)
{
    if (!a->net || a->net->travel.metric == COV_TRAVEL_DISTANCE) return cov__check_radius(ctx, t);
    if (!(t > 0.0) || t > COV_NET_MAX_TIME_S)
        return cov__error(ctx, COV_ERR_ARG,
                          "time threshold %g s is not usable: it must be > 0 and <= %g s (24 h)",
                          t, COV_NET_MAX_TIME_S);
    return COV_OK;
}

/* Says which demand units and facilities lie beyond the snap cap: they
 * reach nothing and nothing reaches them (never silently). */
static void warn_off_road(cov_ctx *ctx, const cov_analysis *a, const cov__net_model *m)
{
    const cov_demand *d = a->demand;
    char list[400] = "";
    size_t len = 0, n = 0, nf = 0;
    double weight = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        if (m->dem.edge[i] >= 0) continue;
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
                  n, m->travel.snap_max_m, d->n_weights ? d->weight_names[0] : "", weight, list,
                  n > 8 ? ", ..." : "");
    size_t n_moved = 0;
    double w_moved = 0.0;
    for (size_t i = 0; i < d->n; i++)
        if (m->dem.moved[i]) n_moved++, w_moved += d->n_weights ? d->weights[i] : 1.0;
    if (n_moved)
        cov__warn(ctx,
                  "%zu demand unit(s) (weight \"%s\" %.10g) lie nearest to a road fragment "
                  "that no facility is on and which is cut off from the main road network: they "
                  "were snapped to the nearest road that takes part (the largest strongly "
                  "connected component, or one holding a facility) instead, or count as "
                  "unreachable beyond the snap cap; read_network(snap_to=\"any\") keeps the "
                  "nearest road",
                  n_moved, d->n_weights ? d->weight_names[0] : "", w_moved);
    for (size_t j = 0; j < a->facilities->n; j++) nf += m->fac.edge[j] < 0;
    if (nf)
        cov__warn(ctx, "%zu of %zu facilities lie farther than %g m from every road and reach "
                  "nothing", nf, a->facilities->n, m->travel.snap_max_m);
}

int cov_analysis_set_network(cov_ctx *ctx, cov_analysis *a, cov_network *network,
                             const cov_travel *travel)
{
    COV_CHECK_ARG(ctx, ctx, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, a, COV_ERR_ARG);
    double buffer = a->net ? a->net->buffer_m : COV_NET_DEFAULT_BUFFER_M;
    if (!network) {
        cov__net_model_free(a->net);
        a->net = NULL;
        cov__analysis_use_radius(a, NAN);
        return COV_OK;
    }
    cov_travel tr;
    if (travel) tr = *travel;
    else cov_travel_init(&tr);
    tr.cutoff = 0.0; /* the threshold of each call sets it */
    if (cov__net_check_travel(ctx, &tr) != COV_OK) return ctx->status;
    /* reach tables report the time of distance-metric paths too */
    if (!(tr.access_speed_kmh > 0 && isfinite(tr.access_speed_kmh)))
        return cov__error(ctx, COV_ERR_ARG, "access_speed_kmh must be > 0 (got %g)",
                          tr.access_speed_kmh);
    cov__net_model *m = cov__calloc(ctx, 1, sizeof *m);
    if (!m) return COV_ERR_NOMEM;
    m->network = network;
    m->travel = tr;
    m->buffer_m = buffer;
    m->sets_threshold = m->iso_threshold = NAN;
    const cov_facilities *f = a->facilities;
    const cov_demand *d = a->demand;
    if (cov__net_snap_sources(ctx, network, f->n, f->lon, f->lat, tr.snap_max_m, &m->fac) !=
            COV_OK ||
        cov__net_snap_demand(ctx, network, &m->fac, d->n, d->lon, d->lat, tr.snap_max_m,
                             &m->dem) != COV_OK) {
        cov__net_model_free(m);
        return ctx->status;
    }
    cov__net_model_free(a->net);
    a->net = m;
    cov__analysis_use_radius(a, NAN);
    warn_off_road(ctx, a, m);
    return COV_OK;
}

int cov_analysis_set_isochrone_buffer(cov_ctx *ctx, cov_analysis *a, double buffer_m)
{
    COV_CHECK_ARG(ctx, ctx, COV_ERR_ARG);
    COV_CHECK_ARG(ctx, a, COV_ERR_ARG);
    if (!a->net)
        return cov__error(ctx, COV_ERR_ARG, "isochrone buffer: the analysis has no road network "
                          "(cov_analysis_set_network() first)");
    if (!(buffer_m > 0.0) || buffer_m > 10000.0)
        return cov__error(ctx, COV_ERR_ARG, "isochrone buffer %g m must be > 0 and <= 10 km",
                          buffer_m);
    if (buffer_m != a->net->buffer_m) {
        a->net->buffer_m = buffer_m;
        cov_table_destroy(a->net->iso);
        a->net->iso = NULL;
        a->net->iso_threshold = NAN;
        cov__analysis_use_radius(a, NAN);
    }
    return COV_OK;
}

cov_table *cov_analysis_unreachable(cov_ctx *ctx, cov_analysis *a)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, a, NULL);
    if (!a->net)
        return cov__error(ctx, COV_ERR_ARG, "unreachable: the analysis has no road network "
                          "(cov_analysis_set_network() first)"), NULL;
    return cov__net_unreachable_table(ctx, a->demand, &a->net->dem);
}

const cov__reach_sets *cov__net_model_sets(cov_ctx *ctx, cov_analysis *a, double t)
{
    cov__net_model *m = a->net;
    if (m->sets_threshold == t) return &m->sets;
    cov__reach_sets_free(&m->sets);
    m->sets_threshold = NAN;
    cov_travel tr = m->travel;
    tr.cutoff = t;
    if (cov__net_reach_sets(ctx, m->network, &m->fac, &m->dem, &tr, &m->sets) != COV_OK)
        return NULL;
    m->sets_threshold = t;
    return &m->sets;
}

int cov__net_count_group(cov_ctx *ctx, cov_analysis *a, const cov_group *g, double t,
                         int32_t *counts)
{
    const cov__reach_sets *rs = cov__net_model_sets(ctx, a, t);
    if (!rs) return ctx->status;
    memset(counts, 0, a->demand->n * sizeof *counts);
    for (size_t m = 0; m < g->n_members; m++) {
        size_t f = g->members[m];
        for (size_t p = rs->offset[f]; p < rs->offset[f + 1]; p++) counts[rs->unit[p]]++;
    }
    return COV_OK;
}

int cov__network_reach_sets(cov_ctx *ctx, struct cov_analysis *a, double t, cov__reach_sets *out)
{
    COV_CHECK_ARG(ctx, ctx && a && out, COV_ERR_ARG);
    memset(out, 0, sizeof *out);
    if (!a->net)
        return cov__error(ctx, COV_ERR_ARG, "network reach sets: the analysis has no road "
                          "network (cov_analysis_set_network() first)");
    if (cov__check_threshold(ctx, a, t) != COV_OK) return ctx->status;
    const cov__reach_sets *rs = cov__net_model_sets(ctx, a, t);
    if (!rs) return ctx->status;
    size_t pairs = rs->offset[rs->n_sets];
    out->offset = cov__mallocarray(ctx, rs->n_sets + 1, sizeof *out->offset);
    out->unit = cov__mallocarray(ctx, pairs ? pairs : 1, sizeof *out->unit);
    out->cost = cov__mallocarray(ctx, pairs ? pairs : 1, sizeof *out->cost);
    if (!out->offset || !out->unit || !out->cost) {
        cov__reach_sets_free(out);
        return COV_ERR_NOMEM;
    }
    out->n_sets = rs->n_sets;
    memcpy(out->offset, rs->offset, (rs->n_sets + 1) * sizeof *out->offset);
    if (pairs) {
        memcpy(out->unit, rs->unit, pairs * sizeof *out->unit);
        memcpy(out->cost, rs->cost, pairs * sizeof *out->cost);
    }
    return COV_OK;
}

/* ---- isochrones ----------------------------------------------------------- */

static cov_table *isochrones(cov_ctx *ctx, cov_analysis *a, double t)
{
    cov__net_model *m = a->net;
    cov_travel tr = m->travel;
    tr.cutoff = t;
    return cov_network_isochrones(ctx, m->network, a->facilities, &tr, m->buffer_m,
                                  COV_ISOCHRONE_BY_FACILITY);
}

cov_table *cov__net_facility_areas(cov_ctx *ctx, cov_analysis *a, double t)
{
    return isochrones(ctx, a, t);
}

GEOSGeometry *cov__net_group_union(cov_ctx *ctx, cov_analysis *a, const cov_group *g, double t)
{
    cov__net_model *m = a->net;
    if (m->iso_threshold != t) {
        cov_table_destroy(m->iso);
        m->iso_threshold = NAN;
        if (!(m->iso = isochrones(ctx, a, t))) return NULL;
        m->iso_threshold = t;
    }
    GEOSGeometry **parts = cov__calloc(ctx, g->n_members ? g->n_members : 1, sizeof *parts);
    if (!parts) return NULL;
    unsigned k = 0;
    for (size_t i = 0; i < g->n_members; i++) {
        const GEOSGeometry *iso = cov__table_geometry(m->iso, g->members[i]);
        if (!iso || GEOSisEmpty_r(ctx->geos, iso)) continue;
        /* the buffer was made in the network's CRS; moving its vertices to
         * the analysis CRS keeps it within the buffer up to the two
         * projections' scale difference (well under 0.1 % in a prefecture) */
        if (!(parts[k] = cov__xform_geom(ctx, &a->proj, iso, 0, "isochrones"))) {
            for (unsigned j = 0; j < k; j++) GEOSGeom_destroy_r(ctx->geos, parts[j]);
            free(parts);
            return NULL;
        }
        k++;
    }
    GEOSGeometry *u;
    if (k == 0) {
        u = GEOSGeom_createEmptyPolygon_r(ctx->geos);
    } else {
        GEOSGeometry *coll =
            GEOSGeom_createCollection_r(ctx->geos, GEOS_GEOMETRYCOLLECTION, parts, k);
        u = coll ? GEOSUnaryUnion_r(ctx->geos, coll) : NULL;
        if (coll) GEOSGeom_destroy_r(ctx->geos, coll);
    }
    free(parts);
    if (!u) cov__geos_error(ctx, "union of isochrones");
    return u;
}
