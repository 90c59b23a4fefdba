/* The kd-tree against brute force (geod_inverse on every point): nearest id
 * and distance (ties: the lowest index), counts within a radius, and the
 * sets a visit reports, on untied random points and on sets where many
 * points coincide (5,000 facilities geocoded to one address). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "geo/geo.h"
#include "testutil.h"

static double frand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

static double geodesic(const cov_ctx *ctx, double lon1, double lat1, double lon2, double lat2)
{
    double s;
    geod_inverse(&ctx->geod, lat1, lon1, lat2, lon2, &s, NULL, NULL);
    return s;
}

typedef struct visit_log {
    size_t n, cap;
    size_t *index;
    double *dist;
} visit_log;

static void log_visit(void *userdata, size_t index, double distance_m)
{
    visit_log *v = userdata;
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 64;
        v->index = realloc(v->index, v->cap * sizeof *v->index);
        v->dist = realloc(v->dist, v->cap * sizeof *v->dist);
    }
    v->index[v->n] = index;
    v->dist[v->n++] = distance_m;
}

/* Compares every query answer of a tree over idx[0..n) (NULL: all) with
 * brute force at n_q query points. Returns the number of disagreements. */
static int compare(cov_ctx *ctx, const double *lon, const double *lat, const size_t *idx,
                   size_t n, const double *qlon, const double *qlat, size_t n_q,
                   const double *radii, size_t n_radii)
{
    cov_kdtree *t = cov__kdtree_build(ctx, lon, lat, idx, n);
    CHECK(t != NULL);
    if (!t) return 1;
    CHECK(cov__kdtree_size(t) == n);
    int bad = 0;
    unsigned char *in = malloc(n * 4 + 1);
    size_t max_index = 0;
    for (size_t i = 0; i < n; i++)
        if ((idx ? idx[i] : i) > max_index) max_index = idx ? idx[i] : i;
    unsigned char *seen = calloc(max_index + 1, 1);
    for (size_t q = 0; q < n_q; q++) {
        double best = INFINITY;
        long best_j = -1;
        for (size_t i = 0; i < n; i++) {
            size_t j = idx ? idx[i] : i;
            double s = geodesic(ctx, qlon[q], qlat[q], lon[j], lat[j]);
            if (s < best || (s == best && (long)j < best_j)) best = s, best_j = (long)j;
        }
        double d;
        long got = cov__kdtree_nearest(t, &ctx->geod, qlon[q], qlat[q], &d);
        if (got != best_j || d != best) {
            fprintf(stderr, "query %zu: nearest %ld at %.17g, brute force %ld at %.17g\n", q,
                    got, d, best_j, best);
            bad++;
        }
        for (size_t r = 0; r < n_radii; r++) {
            size_t want = 0;
            for (size_t i = 0; i < n; i++) {
                size_t j = idx ? idx[i] : i;
                in[i] = geodesic(ctx, qlon[q], qlat[q], lon[j], lat[j]) <= radii[r];
                want += in[i];
            }
            size_t count = cov__kdtree_within(t, &ctx->geod, qlon[q], qlat[q], radii[r]);
            if (count != want) {
                fprintf(stderr, "query %zu radius %g: %zu within, brute force %zu\n", q,
                        radii[r], count, want);
                bad++;
            }
            for (int exact = 0; exact <= 1; exact++) {
                visit_log v = {0};
                cov__kdtree_visit_within(t, &ctx->geod, qlon[q], qlat[q], radii[r], exact,
                                         log_visit, &v);
                int ok = v.n == want;
                memset(seen, 0, max_index + 1);
                for (size_t k = 0; ok && k < v.n; k++) {
                    size_t j = v.index[k];
                    double s = geodesic(ctx, qlon[q], qlat[q], lon[j], lat[j]);
                    ok = j <= max_index && !seen[j] && s <= radii[r] &&
                         (exact ? v.dist[k] == s : isnan(v.dist[k]) || v.dist[k] == s);
                    if (ok) seen[j] = 1;
                }
                if (!ok) {
                    fprintf(stderr, "query %zu radius %g exact %d: visit reported %zu, brute "
                            "force %zu (or a wrong member or distance)\n", q, radii[r], exact,
                            v.n, want);
                    bad++;
                }
                free(v.index);
                free(v.dist);
            }
        }
    }
    free(in);
    free(seen);
    cov__kdtree_destroy(t);
    return bad;
}

static void random_points(unsigned *seed, size_t n, double *lon, double *lat)
{
    for (size_t i = 0; i < n; i++) {
        lon[i] = 141.0 + 0.6 * frand(seed);
        lat[i] = 42.8 + 0.5 * frand(seed);
    }
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    CHECK(ctx != NULL);
    unsigned seed = 12345;
    enum { N = 600, NQ = 40 };
    double lon[N], lat[N], qlon[NQ], qlat[NQ];
    const double radii[] = {0.0, 2000.0, 16000.0, 60000.0};
    random_points(&seed, NQ, qlon, qlat);

    /* untied random points, all of them and a shuffled subset */
    random_points(&seed, N, lon, lat);
    CHECK(compare(ctx, lon, lat, NULL, N, qlon, qlat, NQ, radii, 4) == 0);
    size_t idx[N / 2];
    for (size_t i = 0; i < N / 2; i++) idx[i] = N - 1 - 2 * i; /* descending */
    CHECK(compare(ctx, lon, lat, idx, N / 2, qlon, qlat, NQ, radii, 4) == 0);

    /* ties: every point at one of 7 places, in random order, some queries
     * exactly at a place (distance 0) */
    double plon[7], plat[7];
    random_points(&seed, 7, plon, plat);
    for (size_t i = 0; i < N; i++) {
        size_t k = (size_t)(7 * frand(&seed)) % 7;
        lon[i] = plon[k];
        lat[i] = plat[k];
    }
    qlon[0] = plon[3];
    qlat[0] = plat[3];
    CHECK(compare(ctx, lon, lat, NULL, N, qlon, qlat, NQ, radii, 4) == 0);
    CHECK(compare(ctx, lon, lat, idx, N / 2, qlon, qlat, NQ, radii, 4) == 0);

    /* half the points at one place, the rest random (a real list with one
     * bad geocode repeated) */
    random_points(&seed, N, lon, lat);
    for (size_t i = 0; i < N; i += 2) lon[i] = plon[0], lat[i] = plat[0];
    CHECK(compare(ctx, lon, lat, NULL, N, qlon, qlat, NQ, radii, 4) == 0);

    /* all 5,000 at one point: nearest is the lowest index, everything
     * counts within the radius that reaches it and nothing within one
     * that does not */
    enum { NT = 5000 };
    double *tlon = malloc(NT * sizeof *tlon), *tlat = malloc(NT * sizeof *tlat);
    for (size_t i = 0; i < NT; i++) tlon[i] = 141.35, tlat[i] = 43.06;
    size_t *tidx = malloc(NT / 2 * sizeof *tidx);
    for (size_t i = 0; i < NT / 2; i++) tidx[i] = NT - 1 - 2 * i; /* 4999, 4997, ..., 1 */
    cov_kdtree *t = cov__kdtree_build(ctx, tlon, tlat, tidx, NT / 2);
    double d, s = geodesic(ctx, 141.5, 43.1, 141.35, 43.06);
    CHECK(cov__kdtree_nearest(t, &ctx->geod, 141.5, 43.1, &d) == 1);
    CHECK(d == s);
    CHECK(cov__kdtree_within(t, &ctx->geod, 141.5, 43.1, s) == NT / 2);
    CHECK(cov__kdtree_within(t, &ctx->geod, 141.5, 43.1, s * (1 - 1e-9)) == 0);
    CHECK(cov__kdtree_within(t, &ctx->geod, 141.35, 43.06, 0.0) == NT / 2);
    cov__kdtree_destroy(t);
    free(tlon);
    free(tlat);
    free(tidx);

    /* empty tree */
    t = cov__kdtree_build(ctx, lon, lat, NULL, 0);
    CHECK(t && cov__kdtree_nearest(t, &ctx->geod, 141, 43, &d) == -1 && isnan(d));
    CHECK(cov__kdtree_within(t, &ctx->geod, 141, 43, 1e6) == 0);
    cov__kdtree_destroy(t);
    cov_ctx_destroy(ctx);
    TEST_END();
}
