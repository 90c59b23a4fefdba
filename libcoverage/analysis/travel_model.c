/* Travel models as values (libcoverage/travel.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reach_engine.h"

static cov_travel_model *model_new(cov_ctx *ctx, const cov_travel_model *from)
{
    cov_travel_model *m = cov__calloc(ctx, 1, sizeof *m);
    if (m && from) *m = *from;
    return m;
}

cov_travel_model *cov_travel_model_straight(cov_ctx *ctx)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    cov_travel_model *m = model_new(ctx, NULL);
    if (m) m->metric = COV_TRAVEL_STRAIGHT;
    return m;
}

cov_travel_model *cov_travel_model_network(cov_ctx *ctx, cov_network *network,
                                           const cov_travel *travel)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    if (!network)
        return cov__error(ctx, COV_ERR_ARG, "road travel model: the network is NULL "
                          "(cov_travel_model_straight() is the straight line)"), NULL;
    cov_travel tr, defaults;
    cov_travel_init(&defaults);
    const cov_travel *given = travel ? travel : &defaults;
    if (cov__net_take_travel(ctx, &given, &tr) != COV_OK) return NULL;
    tr.winter = tr.winter != 0;
    cov_travel_model *m = model_new(ctx, NULL);
    if (!m) return NULL;
    m->metric = tr.metric;
    m->network = network;
    m->travel = tr;
    return m;
}

cov_travel_model *cov_travel_model_with_season(cov_ctx *ctx, const cov_travel_model *model,
                                               int winter)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    if (!model || !model->network)
        return cov__error(ctx, COV_ERR_ARG, "travel model season: the straight line has no "
                          "season (winter is a road model's)"), NULL;
    cov_travel tr = model->travel;
    tr.winter = winter != 0;
    return cov_travel_model_network(ctx, model->network, &tr);
}

cov_travel_model *cov_travel_model_with_metric(cov_ctx *ctx, const cov_travel_model *model,
                                               int metric)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    if (!model || !model->network)
        return cov__error(ctx, COV_ERR_ARG, "travel model metric: the straight line has one "
                          "metric (pass a road model)"), NULL;
    cov_travel tr = model->travel;
    tr.metric = metric;
    return cov_travel_model_network(ctx, model->network, &tr);
}

int cov_travel_model_metric(const cov_travel_model *m)
{
    return m ? m->metric : COV_TRAVEL_STRAIGHT;
}

int cov_travel_model_winter(const cov_travel_model *m) { return m && m->network && m->travel.winter; }

int cov_travel_model_is_network(const cov_travel_model *m) { return m && m->network; }

cov_network *cov_travel_model_network_of(const cov_travel_model *m)
{
    return m ? m->network : NULL;
}

const char *cov_travel_model_unit(const cov_travel_model *m)
{
    return m && m->metric == COV_TRAVEL_TIME ? "s" : "m";
}

int cov_travel_model_travel(cov_ctx *ctx, const cov_travel_model *m, cov_travel *out)
{
    COV_CHECK_ARG(ctx, ctx && out, COV_ERR_ARG);
    if (!m || !m->network)
        return cov__error(ctx, COV_ERR_ARG, "travel model: the straight line has no road "
                          "settings");
    *out = m->travel;
    return COV_OK;
}

void cov_travel_model_destroy(cov_travel_model *m) { free(m); }
