/*
 * Travel models: how far is "within reach", as values.
 *
 * A travel model is either the straight line (geodesic distance on GRS80,
 * in metres: the legal 16 km rule) or a road network with a metric
 * (distance in metres or time in seconds), a season (summer or winter
 * speeds), a snap cap, an access speed and an isochrone buffer. A model is
 * made once and never changes; a different metric or season is a different
 * model (cov_travel_model_with_season(), _with_metric()). Every analysis
 * and planning query takes the model and a threshold in the model's unit
 * (cov_travel_model_unit()); no call changes what a later call means.
 *
 * An analysis remembers what it computed per model and threshold (reach
 * sets, counts, service areas: a small cache, least recently used first
 * out) and snaps its facilities and demand units once per network and snap
 * cap, whatever the metric and season: summer and winter models of one
 * network share the snapping.
 *
 * A network model borrows its network: the network must stay alive while
 * the model is used. Changing the network's speeds
 * (cov_network_set_speed(), _set_winter_factor()) is seen by later
 * queries (cached results made with the old speeds are not reused).
 *
 * A model is plain data: it may be used from any thread, and with any
 * analysis, as long as its network is used by one thread at a time.
 */
#ifndef LIBCOVERAGE_TRAVEL_H
#define LIBCOVERAGE_TRAVEL_H

#include "libcoverage/network.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cov_travel_model cov_travel_model;

/* The straight-line model (geodesic metres). Returns a model the caller
 * frees with cov_travel_model_destroy(), or NULL with COV_ERR_NOMEM in
 * ctx. Queries also accept NULL for the straight line. */
COV_API cov_travel_model *cov_travel_model_straight(cov_ctx *ctx);

/* A road model on network (borrowed: it must outlive every use of the
 * model) with travel's metric, season, snap cap, access speed and
 * isochrone buffer (copied; NULL takes cov_travel_init()'s defaults).
 * Returns a model the caller frees with cov_travel_model_destroy(), or
 * NULL with COV_ERR_ARG in ctx naming the bad setting. */
COV_API cov_travel_model *cov_travel_model_network(cov_ctx *ctx, cov_network *network,
                                                   const cov_travel *travel);

/* A copy of model with winter speeds on (winter != 0) or off: a new model
 * the caller frees, or NULL with an error in ctx (COV_ERR_ARG for the
 * straight line, which has no season). model is not changed. */
COV_API cov_travel_model *cov_travel_model_with_season(cov_ctx *ctx,
                                                       const cov_travel_model *model,
                                                       int winter);

/* A copy of a road model with another metric (enum cov_travel_metric): a
 * new model the caller frees, or NULL with an error in ctx. */
COV_API cov_travel_model *cov_travel_model_with_metric(cov_ctx *ctx,
                                                       const cov_travel_model *model,
                                                       int metric);

/* COV_TRAVEL_STRAIGHT, COV_TRAVEL_DISTANCE or COV_TRAVEL_TIME; NULL is the
 * straight line. */
COV_API int cov_travel_model_metric(const cov_travel_model *model);

/* 1 for a winter road model, else 0. */
COV_API int cov_travel_model_winter(const cov_travel_model *model);

/* 1 for a road model, else 0. */
COV_API int cov_travel_model_is_network(const cov_travel_model *model);

/* The network of a road model (borrowed), NULL for the straight line. */
COV_API cov_network *cov_travel_model_network_of(const cov_travel_model *model);

/* Unit of the model's thresholds: "m" (straight line, road distance) or
 * "s" (road time). A static string. */
COV_API const char *cov_travel_model_unit(const cov_travel_model *model);

/* Copies the road settings of a road model into *out (COV_OK); for the
 * straight line, COV_ERR_ARG in ctx. */
COV_API int cov_travel_model_travel(cov_ctx *ctx, const cov_travel_model *model,
                                    cov_travel *out);

/* Frees a model. NULL is a no-op. */
COV_API void cov_travel_model_destroy(cov_travel_model *model);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_TRAVEL_H */
