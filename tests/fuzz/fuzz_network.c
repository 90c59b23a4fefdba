/* Fuzz target: the road-graph builder, then what runs on a built graph.
 *
 * Input: 4 header bytes, then the body.
 *   byte 0: source. Bit 0 clear: the body is up to 8 road entries separated
 *           by FUZZ_SEP, each [attribute byte][WKB], through
 *           cov_network_from_wkb(); the attribute byte draws the one-way rule
 *           (bits 0-1), the class (bits 2-4) and maxspeed (bits 5-7) from
 *           the tables below. Bit 0 set: the body is .shp FUZZ_SEP .shx
 *           [FUZZ_SEP .dbf] as in fuzz_shapefile, through
 *           cov_network_read_shp() (Geofabrik fields fclass, oneway,
 *           maxspeed when the .dbf has them); bit 1 set drops the .dbf.
 *   byte 1: options: node tolerance (bits 0-1), min_component_nodes (2-3).
 *   byte 2: travel: metric (bit 0), winter (bit 1), threshold (bits 2-4),
 *           snap cap (bits 5-7).
 *   byte 3: where the probe points go (offsets from nodes, see probes()).
 * On success the graph is checked for what network.h promises (indices in
 * range, finite positions, non-negative lengths, the components and classes
 * tables summing to the graph), then edge costs, snapping, a multi-source
 * search from points and a node search run and their results are checked:
 * costs >= 0 and either finite within the threshold or +INFINITY. Every
 * failure must leave a status and a message. */
#include <math.h>

#include "fuzz_util.h"
#include "libcoverage/coverage.h"

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_network.c:%d: broken: %s\n", __LINE__, #c);  \
            abort();                                                           \
        }                                                                      \
    } while (0)

static const char *const classes[8] = {NULL, "", "primary", "residential", "motorway",
                                       "service", "no_such_class", "track"};
static const double speeds[8] = {NAN, 0.0, -40.0, 30.0, 60.0, 1e300, INFINITY, 1e-9};
/* 4-7 (bit 4 of the options byte): outside the accepted range 0, 1 mm..10 km
 * but 1e-3 itself: refused with a message, never an overflowed cell key */
static const double tolerances[8] = {0.0, 1.0, 25.0, 1e4, 1e-9, 1e-3, 1e300, -1.0};
static const size_t min_nodes[4] = {0, 1, 3, 50};
static const double thresholds[8] = {0.0, -1.0, NAN, 50.0, 2000.0, 1e5, INFINITY, 1e300};
static const double snaps[8] = {0.0, -5.0, NAN, 10.0, 1000.0, 1e7, INFINITY, 1e300};

static void check_failed(cov_ctx *ctx, const void *result, const char *what)
{
    fuzz_report(result, what, ctx);
    if (!result) CHECK(cov_last_error(ctx) != COV_OK && cov_last_message(ctx)[0]);
    cov_clear_error(ctx);
}

static void check_graph(cov_ctx *ctx, cov_network *net)
{
    size_t nn = cov_network_node_count(net), ne = cov_network_edge_count(net),
           nc = cov_network_component_count(net);
    CHECK(nn >= 1 && ne >= 1 && nc >= 1 && nc <= nn);
    if (getenv("COV_FUZZ_VERBOSE"))
        fprintf(stderr, "graph: %zu nodes, %zu edges, %zu components\n", nn, ne, nc);
    const double *lon = cov_network_node_lon(net), *lat = cov_network_node_lat(net);
    const uint32_t *comp = cov_network_node_component(net);
    for (size_t i = 0; i < nn; i++)
        CHECK(fabs(lon[i]) <= 180 && fabs(lat[i]) <= 90 && comp[i] < nc);
    const uint32_t *from = cov_network_edge_from(net), *to = cov_network_edge_to(net);
    const double *len = cov_network_edge_length_m(net);
    for (size_t e = 0; e < ne; e++)
        CHECK(from[e] < nn && to[e] < nn && len[e] >= 0 && isfinite(len[e]) &&
              comp[from[e]] == comp[to[e]]);

    cov_table *t = cov_network_components(ctx, net);
    check_failed(ctx, t, "components");
    if (t) {
        CHECK(cov_table_nrows(t) == nc);
        const int64_t *n_nodes = cov_table_ints(t, 1), *n_edges = cov_table_ints(t, 2);
        int64_t sn = 0, se = 0;
        for (size_t k = 0; k < nc; k++) {
            CHECK(n_nodes[k] >= 1 && (k == 0 || n_nodes[k] <= n_nodes[k - 1]));
            sn += n_nodes[k];
            se += n_edges[k];
        }
        CHECK(sn == (int64_t)nn && se == (int64_t)ne);
    }
    cov_table_destroy(t);

    t = cov_network_classes(ctx, net);
    check_failed(ctx, t, "classes");
    if (t) {
        long ce = cov_table_column_index(t, "n_edges"), cs = cov_table_column_index(t, "speed_kmh"),
             cw = cov_table_column_index(t, "winter_factor");
        CHECK(ce >= 0 && cs >= 0 && cw >= 0);
        int64_t se = 0;
        for (size_t k = 0; k < cov_table_nrows(t); k++) {
            double v = cov_table_doubles(t, (size_t)cs)[k], w = cov_table_doubles(t, (size_t)cw)[k];
            CHECK(v >= 0 && isfinite(v) && w > 0 && w <= 1);
            se += cov_table_ints(t, (size_t)ce)[k];
        }
        CHECK(se == (int64_t)ne);
    }
    cov_table_destroy(t);
}

/* Costs: >= 0, and finite within the threshold or +INFINITY. */
static void check_cost(double c, double threshold)
{
    CHECK(!isnan(c) && c >= 0);
    if (isfinite(c)) CHECK(!(c > threshold * (1 + 1e-9) + 1e-6));
}

/* Four probe points: near the first and last nodes (offsets of up to a few
 * hundred metres, drawn from the byte), far out at sea and an edge of the
 * lon/lat range. */
static void probes(const cov_network *net, uint8_t b, double *lon, double *lat)
{
    size_t nn = cov_network_node_count(net);
    const double *x = cov_network_node_lon(net), *y = cov_network_node_lat(net);
    double d = ((b & 15) - 7) * 4e-4, e = ((b >> 4) - 7) * 4e-4;
    lon[0] = x[0] + d, lat[0] = y[0] + e;
    lon[1] = x[nn - 1] - e, lat[1] = y[nn - 1] + d;
    lon[2] = 160.0, lat[2] = 20.0;
    lon[3] = b & 1 ? 180.0 : -180.0, lat[3] = b & 2 ? 90.0 : -90.0;
}

static void run_searches(cov_ctx *ctx, cov_network *net, uint8_t tb, uint8_t pb)
{
    size_t nn = cov_network_node_count(net), ne = cov_network_edge_count(net);
    cov_travel tr;
    cov_travel_init(&tr);
    tr.metric = tb & 1 ? COV_TRAVEL_TIME : COV_TRAVEL_DISTANCE;
    tr.winter = (tb >> 1) & 1;
    double threshold = thresholds[(tb >> 2) & 7];
    tr.snap_max_m = snaps[(tb >> 5) & 7];

    double *fw = malloc(ne * sizeof *fw), *bw = malloc(ne * sizeof *bw);
    double *cost = malloc(nn * sizeof *cost);
    int64_t *src = malloc(nn * sizeof *src);
    CHECK(fw && bw && cost && src);
    int rc = cov_network_edge_costs(ctx, net, &tr, fw, bw);
    check_failed(ctx, rc == COV_OK ? net : NULL, "edge costs");
    if (rc == COV_OK)
        for (size_t e = 0; e < ne; e++) CHECK(fw[e] >= 0 && bw[e] >= 0);

    double lon[4], lat[4];
    probes(net, pb, lon, lat);
    cov_table *t = cov_network_snap(ctx, net, 4, lon, lat, tr.snap_max_m);
    check_failed(ctx, t, "snap");
    if (t) {
        CHECK(cov_table_nrows(t) == 4);
        const int64_t *edge = cov_table_ints(t, (size_t)cov_table_column_index(t, "edge"));
        const int64_t *ok = cov_table_ints(t, (size_t)cov_table_column_index(t, "snapped"));
        const double *off = cov_table_doubles(t, (size_t)cov_table_column_index(t, "offset_m"));
        const double *dist =
            cov_table_doubles(t, (size_t)cov_table_column_index(t, "snap_distance_m"));
        const double *len = cov_network_edge_length_m(net);
        for (size_t i = 0; i < 4; i++) {
            /* beyond the cap: no edge, and the distance when the bounded
             * look-up met a segment (greater than the cap), else NaN */
            CHECK(ok[i] == (edge[i] >= 0));
            if (!ok[i]) {
                CHECK(isnan(off[i]) && !(dist[i] <= tr.snap_max_m));
                continue;
            }
            CHECK((size_t)edge[i] < ne && dist[i] >= 0 && dist[i] <= tr.snap_max_m);
            CHECK(off[i] >= 0 && off[i] <= len[edge[i]]);
        }
    }
    cov_table_destroy(t);

    rc = cov_network_node_costs(ctx, net, 4, lon, lat, &tr, threshold, cost, src);
    check_failed(ctx, rc == COV_OK ? net : NULL, "node costs");
    if (rc == COV_OK)
        for (size_t v = 0; v < nn; v++) {
            check_cost(cost[v], threshold);
            CHECK(isinf(cost[v]) ? src[v] == -1 : src[v] >= 0 && src[v] < 4);
        }

    int64_t nodes[2] = {0, (int64_t)(nn - 1)};
    t = cov_network_node_search(ctx, net, 2, nodes, &tr, threshold, pb & 1);
    check_failed(ctx, t, "node search");
    if (t) {
        const int64_t *si = cov_table_ints(t, 0), *node = cov_table_ints(t, 1);
        const double *c = cov_table_doubles(t, 2);
        for (size_t r = 0; r < cov_table_nrows(t); r++) {
            CHECK(si[r] >= 0 && si[r] < 2 && node[r] >= 0 && (size_t)node[r] < nn);
            CHECK(isfinite(c[r]));
            check_cost(c[r], threshold);
        }
    }
    cov_table_destroy(t);
    free(fw), free(bw), free(cost), free(src);
}

static cov_network *from_wkb(cov_ctx *ctx, const uint8_t *data, size_t size,
                             const cov_network_options *opt)
{
    const uint8_t *part[8];
    size_t len[8], n = fuzz_split(data, size, 8, part, len);
    const unsigned char *wkb[8];
    size_t wkb_size[8];
    const char *klass[8];
    int8_t oneway[8];
    double maxspeed[8];
    for (size_t k = 0; k < n; k++) {
        uint8_t a = len[k] ? part[k][0] : 0;
        wkb[k] = len[k] ? part[k] + 1 : part[k];
        wkb_size[k] = len[k] ? len[k] - 1 : 0;
        oneway[k] = (int8_t)((a & 3) == 2 ? -1 : (a & 3) == 1 ? 1 : 0);
        klass[k] = classes[(a >> 2) & 7];
        maxspeed[k] = speeds[(a >> 5) & 7];
    }
    return cov_network_from_wkb(ctx, n, wkb, wkb_size, klass, oneway, maxspeed, opt);
}

static cov_network *from_shp(cov_ctx *ctx, const uint8_t *data, size_t size, int with_dbf,
                             const cov_network_options *opt)
{
    static const char *const names[] = {"in.shp", "in.shx", "in.dbf"};
    const uint8_t *part[3];
    size_t len[3], n = fuzz_split(data, size, 3, part, len);
    char path[600];
    for (size_t k = 0; k < 3; k++) {
        if (k < n && (k < 2 || with_dbf)) fuzz_write(path, sizeof path, names[k], part[k], len[k]);
        else fuzz_remove(names[k]);
    }
    snprintf(path, sizeof path, "%s/in.shp", fuzz_dir());
    return cov_network_read_shp(ctx, path, opt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    uint8_t mode = data[0], ob = data[1], tb = data[2], pb = data[3];
    cov_network_options opt;
    cov_network_options_init(&opt);
    opt.node_tolerance_m = tolerances[(ob & 3) | ((ob >> 2) & 4)];
    opt.min_component_nodes = min_nodes[(ob >> 2) & 3];
    cov_ctx *ctx = cov_ctx_create();
    CHECK(ctx);
    cov_network *net = mode & 1 ? from_shp(ctx, data + 4, size - 4, !(mode & 2), &opt)
                                : from_wkb(ctx, data + 4, size - 4, &opt);
    check_failed(ctx, net, "network");
    if (net) {
        check_graph(ctx, net);
        run_searches(ctx, net, tb, pb);
        cov_network_destroy(net);
    }
    cov_ctx_destroy(ctx);
    return 0;
}
