/* Hostile inputs whose cost used to explode (issue 16), timed: a kd-tree
 * over n facilities at one identical point (nearest + count within 16 km
 * for 2,000 queries), against n facilities spread at random; and one
 * polygon record of n rings, identical or each shifted by 1e-6 degrees,
 * read as regions. Files are written to $TMPDIR (default /tmp).
 *
 * Usage: bench_hostile [N_POINTS [N_RINGS]]   (defaults 5000 2000) */
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/internal.h"
#include "geo/geo.h"
#include "libcoverage/coverage.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void quiet(int level, const char *message, void *userdata)
{
    (void)level, (void)message, (void)userdata;
}

static void time_tree(cov_ctx *ctx, size_t n, int tied)
{
    double *lon = malloc(n * sizeof *lon), *lat = malloc(n * sizeof *lat);
    unsigned s = 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        double a = ((s >> 8) & 0xffffff) / 16777216.0;
        s = s * 1103515245u + 12345u;
        double b = ((s >> 8) & 0xffffff) / 16777216.0;
        lon[i] = tied ? 141.35 : 141.0 + a;
        lat[i] = tied ? 43.06 : 42.8 + b;
    }
    double t0 = now();
    cov_kdtree *t = cov__kdtree_build(ctx, lon, lat, NULL, n);
    double t1 = now(), d;
    size_t sum = 0, nq = 2000;
    for (size_t q = 0; q < nq; q++) {
        double x = 141 + 0.6 * (double)q / (double)nq, y = 42.8 + 0.5 * (double)(q * 7 % nq) / (double)nq;
        sum += (size_t)cov__kdtree_nearest(t, &ctx->geod, x, y, &d);
        sum += cov__kdtree_within(t, &ctx->geod, x, y, 16000);
    }
    double t2 = now();
    printf("kd-tree, %zu facilities %s: build %.3f s, %.2f us per query (nearest + within "
           "16 km) [checksum %zu]\n", n, tied ? "at one point" : "at random", t1 - t0,
           (t2 - t1) / (double)nq * 1e6, sum);
    cov__kdtree_destroy(t);
    free(lon);
    free(lat);
}

static void time_rings(cov_ctx *ctx, int n, double shift)
{
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char stem[512], shp[600];
    snprintf(stem, sizeof stem, "%s/bench_hostile_rings", dir);
    snprintf(shp, sizeof shp, "%s.shp", stem);
    double *x = malloc(5 * (size_t)n * sizeof *x), *y = malloc(5 * (size_t)n * sizeof *y);
    int *start = malloc((size_t)n * sizeof *start);
    for (int i = 0; i < n; i++) {
        const double dx[5] = {0, 0, 0.01, 0.01, 0}, dy[5] = {0, 0.01, 0.01, 0, 0};
        start[i] = 5 * i;
        for (int k = 0; k < 5; k++) {
            x[5 * i + k] = 141.3 + i * shift + dx[k];
            y[5 * i + k] = 43.0 + i * shift + dy[k];
        }
    }
    SHPHandle h = SHPCreate(stem, SHPT_POLYGON);
    DBFHandle d = DBFCreate(stem);
    DBFAddField(d, "id", FTString, 4, 0);
    SHPObject *o = SHPCreateObject(SHPT_POLYGON, -1, n, start, NULL, 5 * n, x, y, NULL, NULL);
    SHPWriteObject(h, -1, o);
    SHPDestroyObject(o);
    DBFWriteStringAttribute(d, 0, 0, "r1");
    SHPClose(h);
    DBFClose(d);
    double t0 = now();
    cov_regions *r = cov_regions_read_shp(ctx, shp, "id", NULL, "EPSG:6668");
    printf("one record of %d rings, %s: read in %.3f s (%s)\n", n,
           shift == 0 ? "identical" : "each shifted by 1e-6 deg", now() - t0,
           r ? "ok" : cov_last_message(ctx));
    cov_regions_destroy(r);
    free(x);
    free(y);
    free(start);
}

int main(int argc, char **argv)
{
    size_t n_points = argc > 1 ? (size_t)atol(argv[1]) : 5000;
    int n_rings = argc > 2 ? atoi(argv[2]) : 2000;
    cov_ctx *ctx = cov_ctx_create();
    cov_ctx_set_message_handler(ctx, quiet, NULL);
    time_tree(ctx, n_points, 0);
    time_tree(ctx, n_points, 1);
    time_rings(ctx, n_rings, 0);
    time_rings(ctx, n_rings, 1e-6);
    cov_ctx_destroy(ctx);
    return 0;
}
