/*
 * Benchmark: bounded Dijkstra on a road network through the public API,
 * the libcoverage side of bench/net/run_net.py (pgRouting is the peer).
 *
 *   bench_net ROADS.shp [--crs CRS] --sources N --seed S --cutoff-m C
 *             --out DIR [--runs R]
 *
 * Builds the graph (cov_network_read_shp), picks N distinct random nodes of
 * the largest component (splitmix64 seeded with S), then times, best of R
 * runs, cov_network_node_search() by distance within C metres:
 *   - multi-source: one search from all N nodes (nearest source per node);
 *   - per-source: one search per node (its reach set).
 * Each timed call includes the per-call set-up (edge costs, node arrays)
 * and building the result table, as pgr_drivingDistance's timing includes
 * its graph build and its result table.
 *
 * Writes into DIR (untimed), in pgRouting's conventions:
 *   edges.csv     id,source,target,cost,reverse_cost (metres; -1 where the
 *                 edge is closed that way)
 *   sources.csv   facility_id,node
 *   ours_reach.csv    facility_id,node,cost (per-source reach sets)
 *   ours_nearest.csv  node,facility_id,cost (multi-source)
 * Node ids in these files are library node indices + 1 (pgRouting's vertex
 * ids are positive); edge ids are edge indices + 1.
 *
 * Prints one JSON line: build_s, n_nodes, n_edges, multi_s, multi_settled,
 * per_source_s, per_source_settled, settled nodes per second, and setup_s:
 * a call from one source with cutoff 0 (it settles only that source), i.e.
 * the fixed cost of a call that multi_s and per_source_s include.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "libcoverage/coverage.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(cov_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_net: %s: %s\n", what, ctx ? cov_last_message(ctx) : "");
    exit(1);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_net ROADS.shp [--crs CRS] --sources N --seed S "
                    "--cutoff-m C --out DIR [--runs R]\n");
    exit(2);
}

static void on_message(int level, const char *message, void *userdata)
{
    (void)userdata;
    if (level >= COV_MSG_WARNING) fprintf(stderr, "bench_net: %s\n", message);
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench_net: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

static void close_out(FILE *f, const char *name)
{
    if (ferror(f) | fclose(f)) {
        fprintf(stderr, "bench_net: writing %s failed\n", name);
        exit(1);
    }
}

/* N distinct nodes of component 0 (the largest), in draw order. */
static int64_t *pick_sources(const cov_network *net, size_t n, uint64_t seed)
{
    size_t nn = cov_network_node_count(net), m = 0;
    const uint32_t *comp = cov_network_node_component(net);
    uint32_t *pool = malloc((nn ? nn : 1) * sizeof *pool);
    int64_t *out = malloc((n ? n : 1) * sizeof *out);
    if (!pool || !out) die(NULL, "out of memory");
    for (size_t u = 0; u < nn; u++)
        if (comp[u] == 0) pool[m++] = (uint32_t)u;
    if (n > m) {
        fprintf(stderr, "bench_net: %zu sources asked, the largest component has %zu nodes\n",
                n, m);
        exit(1);
    }
    for (size_t i = 0; i < n; i++) { /* partial Fisher-Yates */
        size_t j = i + (size_t)(splitmix64(&seed) % (m - i));
        uint32_t t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
        out[i] = pool[i];
    }
    free(pool);
    return out;
}

/* Best of runs of one node search; keeps the last table in *out. */
static double time_search(cov_ctx *ctx, cov_network *net, size_t n, const int64_t *src,
                          const cov_travel *travel, double threshold, int multi, int runs,
                          size_t *out_settled,
                          cov_table **out)
{
    double best = INFINITY;
    *out = NULL;
    for (int r = 0; r < runs; r++) {
        cov_table_destroy(*out);
        size_t before = cov_network_settled_count(net);
        double t0 = now_s();
        *out = cov_network_node_search(ctx, net, n, src, travel, threshold, multi);
        double dt = now_s() - t0;
        if (!*out) die(ctx, multi ? "multi-source search" : "per-source search");
        *out_settled = cov_network_settled_count(net) - before;
        if (dt < best) best = dt;
    }
    return best;
}

int main(int argc, char **argv)
{
    const char *shp = NULL, *crs = NULL, *out = NULL;
    long n_sources = -1, runs = 1;
    unsigned long long seed = 1;
    double cutoff = NAN;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') { if (shp) usage(); shp = a; continue; }
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (strcmp(a, "--crs") == 0) crs = v;
        else if (strcmp(a, "--sources") == 0) n_sources = strtol(v, NULL, 10);
        else if (strcmp(a, "--seed") == 0) seed = strtoull(v, NULL, 10);
        else if (strcmp(a, "--cutoff-m") == 0) cutoff = strtod(v, NULL);
        else if (strcmp(a, "--out") == 0) out = v;
        else if (strcmp(a, "--runs") == 0) runs = strtol(v, NULL, 10);
        else usage();
    }
    if (!shp || !out || n_sources < 1 || !(cutoff > 0) || runs < 1) usage();
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_net: %s: %s\n", out, strerror(errno));
        return 1;
    }

    cov_ctx *ctx = cov_ctx_create();
    if (!ctx) die(NULL, "no context");
    cov_ctx_set_message_handler(ctx, on_message, NULL);
    cov_network_options opt;
    cov_network_options_init(&opt);
    opt.crs = crs;
    double t0 = now_s();
    cov_network *net = cov_network_read_shp(ctx, shp, &opt);
    double build_s = now_s() - t0;
    if (!net) die(ctx, shp);
    size_t nn = cov_network_node_count(net), ne = cov_network_edge_count(net);

    cov_travel travel;
    double travel_threshold = 16000.0;
    cov_travel_init(&travel);
    travel.metric = COV_TRAVEL_DISTANCE;
    travel_threshold = cutoff;
    size_t n = (size_t)n_sources;
    int64_t *src = pick_sources(net, n, seed);

    size_t multi_settled = 0, per_settled = 0;
    cov_table *multi = NULL, *per = NULL;
    double multi_s = time_search(ctx, net, n, src, &travel, travel_threshold, 1, (int)runs, &multi_settled, &multi);
    double per_s = time_search(ctx, net, n, src, &travel, travel_threshold, 0, (int)runs, &per_settled, &per);
    /* the fixed cost of a call (edge costs, node arrays, result table): the
     * same call from one source with cutoff 0, which settles only it */
    cov_travel zero = travel;
    double zero_threshold = 0;
    size_t zero_settled = 0;
    cov_table *none = NULL;
    double setup_s = time_search(ctx, net, 1, src, &zero, zero_threshold, 1, (int)runs, &zero_settled, &none);
    cov_table_destroy(none);

    /* ---- files for the peer and compare.py (untimed) ---- */
    double *fwd = malloc((ne ? ne : 1) * sizeof *fwd), *bwd = malloc((ne ? ne : 1) * sizeof *bwd);
    if (!fwd || !bwd) die(NULL, "out of memory");
    if (cov_network_edge_costs(ctx, net, &travel, fwd, bwd) != COV_OK) die(ctx, "edge costs");
    const uint32_t *from = cov_network_edge_from(net), *to = cov_network_edge_to(net);
    FILE *f = open_out(out, "edges.csv");
    fprintf(f, "id,source,target,cost,reverse_cost\n");
    for (size_t e = 0; e < ne; e++)
        fprintf(f, "%zu,%lu,%lu,%.17g,%.17g\n", e + 1, (unsigned long)from[e] + 1,
                (unsigned long)to[e] + 1, isfinite(fwd[e]) ? fwd[e] : -1.0,
                isfinite(bwd[e]) ? bwd[e] : -1.0);
    close_out(f, "edges.csv");
    f = open_out(out, "sources.csv");
    fprintf(f, "facility_id,node\n");
    for (size_t i = 0; i < n; i++) fprintf(f, "f%05zu,%lld\n", i, (long long)src[i] + 1);
    close_out(f, "sources.csv");
    const int64_t *ps = cov_table_ints(per, 0), *pv = cov_table_ints(per, 1);
    const double *pc = cov_table_doubles(per, 2);
    f = open_out(out, "ours_reach.csv");
    fprintf(f, "facility_id,node,cost\n");
    for (size_t r = 0; r < cov_table_nrows(per); r++)
        fprintf(f, "f%05lld,%lld,%.17g\n", (long long)ps[r], (long long)pv[r] + 1, pc[r]);
    close_out(f, "ours_reach.csv");
    const int64_t *ms = cov_table_ints(multi, 0), *mv = cov_table_ints(multi, 1);
    const double *mc = cov_table_doubles(multi, 2);
    f = open_out(out, "ours_nearest.csv");
    fprintf(f, "node,facility_id,cost\n");
    for (size_t r = 0; r < cov_table_nrows(multi); r++)
        fprintf(f, "%lld,f%05lld,%.17g\n", (long long)mv[r] + 1, (long long)ms[r], mc[r]);
    close_out(f, "ours_nearest.csv");

    printf("{\"build_s\": %.6f, \"n_nodes\": %zu, \"n_edges\": %zu, \"n_components\": %zu, "
           "\"sources\": %zu, \"cutoff_m\": %g, \"runs\": %ld, "
           "\"multi_s\": %.6f, \"multi_settled\": %zu, \"multi_settled_per_s\": %.0f, "
           "\"per_source_s\": %.6f, \"per_source_settled\": %zu, "
           "\"per_source_settled_per_s\": %.0f, \"setup_s\": %.6f}\n",
           build_s, nn, ne, cov_network_component_count(net), n, cutoff, runs, multi_s,
           multi_settled, (double)multi_settled / multi_s, per_s, per_settled,
           (double)per_settled / per_s, setup_s);
    free(fwd);
    free(bwd);
    free(src);
    cov_table_destroy(multi);
    cov_table_destroy(per);
    cov_network_destroy(net);
    cov_ctx_destroy(ctx);
    return 0;
}
