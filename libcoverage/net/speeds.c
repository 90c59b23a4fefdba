/* Speeds per road class, winter factors and edge costs.
 *
 * Default speeds are for driving in Japan, keyed by Geofabrik's `fclass`.
 * The legal limits are 60 km/h on general roads and 100 km/h on
 * expressways unless signed otherwise (道路交通法施行令 第11条, 第27条);
 * the defaults are lower because they stand for travel speed with
 * junctions and signals, not the limit. They are our assumption, to be
 * overridden with cov_network_set_speed() where local figures exist.
 * They sit inside the measured range: 道路交通センサス (national road
 * traffic census, MLIT) finds a mean peak-hour travel speed (混雑時平均旅行
 * 速度) of 35.1 km/h over all surveyed roads (平成22年度 一般交通量調査,
 * www.mlit.go.jp/report/press/road01_hh_000207.html) and 21.0 km/h in
 * densely inhabited districts (DID; 平成17年度, www.mlit.go.jp/road/press/
 * press06/20060630_2). Our trunk 50, primary 40, secondary 35 km/h are a
 * little above the all-road mean, for the off-peak hours of home visits
 * and Hokkaido's open roads; residential 20 km/h matches the DID mean.
 * That split by class is our assumption: the census reports by road
 * administrator (国道, 都道府県道, ...), not by OSM class.
 *
 * OpenMapTiles names its `transportation` classes after OSM too, so
 * motorway, trunk, primary, secondary, tertiary, service, track, path
 * and busway mean what Geofabrik's names mean and share their speeds (its
 * ramps, `ramp` = 1, are read as <class>_link by zaitaku). Its own
 * classes: `minor` (OSM unclassified, residential, living_street, road)
 * takes the residential 20 km/h, the class most of its length is in a
 * town and the DID mean above (an assumption: rural unclassified roads
 * run faster, 25 here); `raceway`, `bus_guideway`, `pier`, `rail`,
 * `transit` and `ferry` are closed (0): no public car travel, and a ferry
 * is a timetable, not a speed.
 * Classes a car cannot use (footway, path, steps, pedestrian, cycleway,
 * bridleway, busway) default to 0: closed.
 *
 * Winter. By default a winter speed is the summer speed less 10 km/h,
 * and never less than half the summer speed:
 *     v_winter = max(v - 10 km/h, v / 2).
 * The 10 km/h is measured: on 国道230 at 中山峠, year-round 10-minute
 * data showed mean speeds about 10 km/h lower on snow- or ice-covered
 * surfaces than on bare ones (Ishimoto, Takahashi, Kajiya, "Vehicle Speed
 * and Visibility on Winter Roads", 寒地土木研究所 (CERI) 1996, 道路除雪と
 * 雪氷対策技術に関する国際シンポジウム; thesis.ceri.go.jp/db/documents/
 * public_detail/53592). It is the snow-and-ice case, not the winter mean:
 * CERI's 土木試験所 report on two-lane roads found time-mean speeds of
 * 52-59 km/h without snow and 46-57 km/h in winter, cuts of 2-6 km/h
 * (thesis.ceri.go.jp/db/documents/public_detail/26374); so the default is
 * a bad-day planning figure, the cautious side for home visits.
 * Both sources measured rural two-lane roads at 50-60 km/h. Applying the
 * same 10 km/h to faster roads (motorways, 80 -> 70) and to urban and
 * residential streets (20 -> 10) is our extrapolation; the floor of half
 * the summer speed (which binds below 20 km/h: service roads, tracks,
 * living streets) has no source and only keeps slow streets from being
 * closed by the subtraction. In towns the winter drop is real too: the
 * 冬期道路交通センサス puts Sapporo's winter travel speeds near those of
 * the three metropolitan areas (北海道開発局, www.hkd.mlit.go.jp/ky/kn/
 * dou_kei/ud49g70000000k1c.html); how much of it the rule captures is our
 * assumption. A positive maxspeed is reduced the same way.
 * cov_network_set_winter_factor() replaces the rule for a class by a
 * plain multiplier where local figures (e.g. probe data) exist. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"
#include "io/table_internal.h"

typedef struct class_default {
    const char *name;
    double speed_kmh;
} class_default;

/* The default winter rule (see above); a class's winter factor is
 * WINTER_RULE until cov_network_set_winter_factor() sets one. */
#define WINTER_CUT_KMH 10.0
#define WINTER_FLOOR 0.5
#define WINTER_RULE NAN

static double winter_speed(double v, double factor)
{
    return isnan(factor) ? fmax(v - WINTER_CUT_KMH, WINTER_FLOOR * v) : v * factor;
}

static const class_default defaults[] = {
    {"motorway", 80},        {"motorway_link", 40},
    {"trunk", 50},           {"trunk_link", 30},
    {"primary", 40},        {"primary_link", 30},
    {"secondary", 35},      {"secondary_link", 25},
    {"tertiary", 30},       {"tertiary_link", 25},
    {"unclassified", 25},    {"residential", 20},
    {"living_street", 10},   {"service", 15},
    {"road", 20},            {"unknown", 20},
    {"track", 10},           {"track_grade1", 10},
    {"track_grade2", 10},    {"track_grade3", 10},
    {"track_grade4", 10},    {"track_grade5", 10},
    {"footway", 0},            {"path", 0},
    {"steps", 0},              {"pedestrian", 0},
    {"cycleway", 0},           {"bridleway", 0},
    {"busway", 0},
    /* OpenMapTiles classes (see above) */
    {"minor", 20},             {"raceway", 0},
    {"bus_guideway", 0},       {"pier", 0},
    {"rail", 0},               {"transit", 0},
    {"ferry", 0},
};
/* a class not in the table */
#define OTHER_SPEED_KMH 20.0

static const class_default *lookup(const char *name)
{
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
        if (strcmp(defaults[i].name, name) == 0) return &defaults[i];
    return NULL;
}

int cov__net_set_classes(cov_ctx *ctx, cov_network *n, const cov__lines *l,
                         double default_kmh)
{
    size_t k = l->classes.n;
    n->class_names = cov__calloc(ctx, k ? k : 1, sizeof *n->class_names);
    n->class_speed_kmh = cov__mallocarray(ctx, k ? k : 1, sizeof(double));
    n->class_winter = cov__mallocarray(ctx, k ? k : 1, sizeof(double));
    if (!n->class_names || !n->class_speed_kmh || !n->class_winter) return COV_ERR_NOMEM;
    for (size_t i = 0; i < k; i++) {
        if (!(n->class_names[i] = cov__strdup(ctx, l->classes.items[i]))) return COV_ERR_NOMEM;
        n->n_classes = i + 1;
        const class_default *d = lookup(l->classes.items[i]);
        n->class_speed_kmh[i] = d ? d->speed_kmh : OTHER_SPEED_KMH;
        n->class_winter[i] = WINTER_RULE;
    }
    n->default_speed_kmh = default_kmh;
    n->default_winter = WINTER_RULE;
    return COV_OK;
}

static long class_index(const cov_network *n, const char *name)
{
    for (size_t i = 0; i < n->n_classes; i++)
        if (strcmp(n->class_names[i], name) == 0) return (long)i;
    return -1;
}

int cov_network_set_speed(cov_ctx *ctx, cov_network *n, const char *road_class,
                          double speed_kmh)
{
    COV_CHECK_ARG(ctx, ctx && n, COV_ERR_ARG);
    if (!(speed_kmh >= 0 && speed_kmh <= 300))
        return cov__error(ctx, COV_ERR_ARG, "speed of class \"%s\" must be in [0, 300] km/h "
                          "(got %g)", road_class ? road_class : "", speed_kmh);
    n->generation++; /* results cached with the old speeds go stale */
    if (!road_class || !*road_class) {
        n->default_speed_kmh = speed_kmh;
        return COV_OK;
    }
    long i = class_index(n, road_class);
    if (i >= 0) n->class_speed_kmh[i] = speed_kmh;
    return COV_OK;
}

int cov_network_set_winter_factor(cov_ctx *ctx, cov_network *n, const char *road_class,
                                  double factor)
{
    COV_CHECK_ARG(ctx, ctx && n, COV_ERR_ARG);
    if (!(factor > 0 && factor <= 1))
        return cov__error(ctx, COV_ERR_ARG, "winter factor of class \"%s\" must be in "
                          "(0, 1] (got %g)", road_class ? road_class : "", factor);
    n->generation++;
    if (!road_class || !*road_class) {
        n->default_winter = factor;
        return COV_OK;
    }
    long i = class_index(n, road_class);
    if (i >= 0) n->class_winter[i] = factor;
    return COV_OK;
}

void cov_travel_init(cov_travel *t)
{
    if (!t) return;
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
    t->metric = COV_TRAVEL_DISTANCE;
    t->winter = 0;
    t->snap_max_m = 1000.0;
    t->access_speed_kmh = 15.0;
    t->isochrone_buffer_m = 100.0;
}

int cov__net_take_travel(cov_ctx *ctx, const cov_travel **travel, cov_travel *copy)
{
    if (!*travel) return cov__error(ctx, COV_ERR_ARG, "travel is NULL");
    cov_travel_init(copy);
    if (cov__options_take(ctx, copy, sizeof *copy, *travel, "travel") != COV_OK)
        return ctx->status;
    *travel = copy;
    return cov__net_check_travel(ctx, copy);
}

int cov__net_check_travel(cov_ctx *ctx, const cov_travel *t)
{
    if (!t) return cov__error(ctx, COV_ERR_ARG, "travel is NULL");
    if (t->metric != COV_TRAVEL_DISTANCE && t->metric != COV_TRAVEL_TIME)
        return cov__error(ctx, COV_ERR_ARG, "travel metric must be COV_TRAVEL_DISTANCE (1) "
                          "or COV_TRAVEL_TIME (2), got %d", t->metric);
    if (!(t->snap_max_m >= 0) || !isfinite(t->snap_max_m))
        return cov__error(ctx, COV_ERR_ARG, "snap_max_m must be >= 0 (got %g)", t->snap_max_m);
    /* reach tables report the time of distance-metric paths too */
    if (!(t->access_speed_kmh > 0 && isfinite(t->access_speed_kmh)))
        return cov__error(ctx, COV_ERR_ARG, "access_speed_kmh must be > 0 (got %g)",
                          t->access_speed_kmh);
    if (!(t->isochrone_buffer_m > 0.0) || !(t->isochrone_buffer_m <= 10000.0))
        return cov__error(ctx, COV_ERR_ARG,
                          "isochrone_buffer_m %g must be > 0 and <= 10 km", t->isochrone_buffer_m);
    return COV_OK;
}

int cov__net_check_threshold(cov_ctx *ctx, double threshold)
{
    if (!(threshold >= 0))
        return cov__error(ctx, COV_ERR_ARG, "search threshold must be >= 0 (got %g)", threshold);
    return COV_OK;
}

double cov__net_access_cost_per_m(const cov_travel *t)
{
    return t->metric == COV_TRAVEL_TIME ? 3.6 / t->access_speed_kmh : 1.0;
}

/* Speed of edge e in km/h (0: closed). */
static double edge_speed(const cov_network *n, size_t e, int winter)
{
    int32_t c = n->edge_class[e];
    double base = c >= 0 ? n->class_speed_kmh[c] : n->default_speed_kmh;
    if (base <= 0) return 0; /* a closed class stays closed */
    double ms = n->edge_maxspeed[e];
    double v = ms > 0 ? ms : base;
    if (winter) v = winter_speed(v, c >= 0 ? n->class_winter[c] : n->default_winter);
    return v;
}

int cov__net_edge_costs(cov_ctx *ctx, const cov_network *n, const cov_travel *t,
                        double *fwd, double *bwd)
{
    for (size_t e = 0; e < n->n_edges; e++) {
        double v = edge_speed(n, e, t->winter);
        double c = v <= 0 ? INFINITY
                 : t->metric == COV_TRAVEL_TIME ? n->edge_len_m[e] * 3.6 / v
                                                : n->edge_len_m[e];
        fwd[e] = n->edge_dir[e] == NET_BACKWARD ? INFINITY : c;
        bwd[e] = n->edge_dir[e] == NET_FORWARD ? INFINITY : c;
    }
    return COV_OK;
}

int cov_network_edge_costs(cov_ctx *ctx, const cov_network *n, const cov_travel *t,
                           double *out_forward, double *out_backward)
{
    COV_CHECK_ARG(ctx, ctx && n && out_forward && out_backward, COV_ERR_ARG);
    cov_travel copy;
    int rc = cov__net_take_travel(ctx, &t, &copy);
    return rc == COV_OK ? cov__net_edge_costs(ctx, n, t, out_forward, out_backward) : rc;
}

static const cov_column_spec class_spec[] = {
    {"class", COV_COL_STRING}, {"n_edges", COV_COL_INT}, {"length_km", COV_COL_DOUBLE},
    {"speed_kmh", COV_COL_DOUBLE}, {"winter_factor", COV_COL_DOUBLE}};

cov_table *cov_network_classes(cov_ctx *ctx, const cov_network *n)
{
    COV_CHECK_ARG(ctx, ctx && n, NULL);
    size_t rows = n->n_classes + 1;
    cov_table *t = cov__table_create(ctx, rows, 0);
    size_t c[5];
    if (!t || cov__table_add_columns(ctx, t, class_spec, 5, c) != COV_OK) goto fail;
    int64_t *ne = cov__table_ints_mut(t, c[1]);
    double *len = cov__table_doubles_mut(t, c[2]), *sp = cov__table_doubles_mut(t, c[3]),
           *wf = cov__table_doubles_mut(t, c[4]);
    for (size_t r = 0; r < rows; r++) len[r] = 0; /* double columns start as NaN */
    for (size_t e = 0; e < n->n_edges; e++) {
        size_t r = n->edge_class[e] >= 0 ? (size_t)n->edge_class[e] : n->n_classes;
        ne[r]++;
        len[r] += n->edge_len_m[e] / 1000.0;
    }
    for (size_t r = 0; r < rows; r++) {
        int none = r == n->n_classes;
        if (cov__table_set_string(ctx, t, c[0], r, none ? "" : n->class_names[r]) != COV_OK)
            goto fail;
        sp[r] = none ? n->default_speed_kmh : n->class_speed_kmh[r];
        /* the rule's factor at the class speed (edges with a maxspeed may
         * differ) */
        double f = none ? n->default_winter : n->class_winter[r];
        wf[r] = sp[r] > 0 ? winter_speed(sp[r], f) / sp[r] : 1.0;
    }
    return t;
fail:
    cov_table_destroy(t);
    return NULL;
}
