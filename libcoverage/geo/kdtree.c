/* A kd-tree on earth-centred (ECEF) coordinates for exact geodesic nearest
 * and radius queries.
 *
 * Why ECEF: the straight chord between two points never exceeds the
 * geodesic distance s, so a chord bound prunes exactly. Conversely, a
 * geodesic on GRS80 has curvature at most 1/rho with rho = a(1 - e^2), the
 * smallest radius of curvature of the ellipsoid; by Schur's comparison
 * theorem its chord c satisfies c >= 2 rho sin(s / (2 rho)), hence
 * s <= 2 rho asin(c / (2 rho)). For a 16 km radius the two bounds are 4 mm
 * apart, so the exact (and slower) geod_inverse is needed only for points
 * within millimetres of the boundary.
 *
 * Coincident points (a facility list where 5,000 rows share one geocoded
 * address) are one leaf entry, a "site" with a member list: otherwise every
 * tied candidate survives the chord bound and each query costs O(n)
 * geodesics. A query then does one geodesic per site, counts a site's
 * members at once, and hands each member to a visitor with the site's one
 * distance. Points whose coordinates differ in any bit stay separate sites,
 * so without coincident points the tree is the one built before. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"

#define LEAF_SIZE 8
#define GRS80_A 6378137.0
#define GRS80_E2 0.00669438002290078756 /* f (2 - f), f = 1/298.257222101 */
#define RHO_MIN (GRS80_A * (1.0 - GRS80_E2))
#define COV_PI 3.14159265358979323846
#define DEG (COV_PI / 180.0)

typedef struct kd_node {
    double lo[3], hi[3]; /* bounding box of the node's points */
    size_t begin, end;   /* range in the permuted arrays */
    long left, right;    /* child nodes, -1 for a leaf */
} kd_node;

struct cov_kdtree {
    size_t n;        /* points */
    size_t m;        /* sites: distinct (lon, lat) among the points */
    double *xyz;     /* 3 m, permuted */
    size_t *site;    /* site of each permuted entry */
    size_t *cum;     /* m + 1: members of the permuted entries before each */
    size_t *rep;     /* per site: lowest original index among its members */
    size_t *mem_off; /* m + 1: site s has members mem[mem_off[s] .. mem_off[s + 1]) */
    size_t *mem;     /* n original indexes, grouped by site, ascending in each */
    double *lon, *lat;
    kd_node *nodes;
    size_t n_nodes;
};

static size_t members(const cov_kdtree *t, size_t s)
{
    return t->mem_off[s + 1] - t->mem_off[s];
}

static void to_ecef(double lon, double lat, double *p)
{
    double sl = sin(lat * DEG), cl = cos(lat * DEG);
    double nrad = GRS80_A / sqrt(1.0 - GRS80_E2 * sl * sl);
    p[0] = nrad * cl * cos(lon * DEG);
    p[1] = nrad * cl * sin(lon * DEG);
    p[2] = nrad * (1.0 - GRS80_E2) * sl;
}

static void swap_points(cov_kdtree *t, size_t a, size_t b)
{
    double tmp[3];
    memcpy(tmp, t->xyz + 3 * a, sizeof tmp);
    memcpy(t->xyz + 3 * a, t->xyz + 3 * b, sizeof tmp);
    memcpy(t->xyz + 3 * b, tmp, sizeof tmp);
    size_t ts = t->site[a];
    t->site[a] = t->site[b];
    t->site[b] = ts;
}

/* Quickselect: puts the k-th smallest along axis at k within [lo, hi). */
static void select_kth(cov_kdtree *t, size_t lo, size_t hi, size_t k, int axis)
{
    while (hi - lo > 1) {
        double pivot = t->xyz[3 * (lo + (hi - lo) / 2) + axis];
        size_t i = lo, j = hi - 1;
        while (i <= j) {
            while (t->xyz[3 * i + axis] < pivot) i++;
            while (t->xyz[3 * j + axis] > pivot) j--;
            if (i <= j) {
                swap_points(t, i, j);
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j + 1;
        else if (k >= i) lo = i;
        else return;
    }
}

static long build(cov_kdtree *t, size_t begin, size_t end)
{
    long id = (long)t->n_nodes++;
    kd_node *nd = &t->nodes[id];
    nd->begin = begin;
    nd->end = end;
    nd->left = nd->right = -1;
    for (int a = 0; a < 3; a++) {
        nd->lo[a] = INFINITY;
        nd->hi[a] = -INFINITY;
    }
    for (size_t i = begin; i < end; i++)
        for (int a = 0; a < 3; a++) {
            double v = t->xyz[3 * i + a];
            if (v < nd->lo[a]) nd->lo[a] = v;
            if (v > nd->hi[a]) nd->hi[a] = v;
        }
    if (end - begin <= LEAF_SIZE) return id;
    int axis = 0;
    for (int a = 1; a < 3; a++)
        if (nd->hi[a] - nd->lo[a] > nd->hi[axis] - nd->lo[axis]) axis = a;
    size_t mid = begin + (end - begin) / 2;
    select_kth(t, begin, end, mid, axis);
    long left = build(t, begin, mid);
    long right = build(t, mid, end);
    t->nodes[id].left = left;
    t->nodes[id].right = right;
    return id;
}

static uint64_t coord_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int same_place(const cov_kdtree *t, size_t a, size_t b)
{
    return coord_bits(t->lon[a]) == coord_bits(t->lon[b]) &&
           coord_bits(t->lat[a]) == coord_bits(t->lat[b]);
}

/* Groups the points into sites (identical lon/lat bits), numbered in order
 * of first appearance; fills m, rep, mem_off, mem. site_of[i] is the site
 * of the i-th point of the input order. */
static int group_sites(cov_ctx *ctx, cov_kdtree *t, const size_t *idx, size_t *site_of)
{
    size_t n = t->n, cap = 16;
    while (cap < 2 * n) cap <<= 1;
    size_t *slot = cov__mallocarray(ctx, cap, sizeof *slot);
    size_t *count = cov__calloc(ctx, n + 1, sizeof *count);
    if (!slot || !count) {
        free(slot);
        free(count);
        return COV_ERR_NOMEM;
    }
    for (size_t h = 0; h < cap; h++) slot[h] = SIZE_MAX;
    t->m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = idx ? idx[i] : i;
        size_t h = (size_t)cov__mix64(coord_bits(t->lon[j]) * 31 + cov__mix64(coord_bits(t->lat[j]))) &
                   (cap - 1);
        for (;; h = (h + 1) & (cap - 1)) {
            if (slot[h] == SIZE_MAX) { /* new site; slot keeps its first point */
                slot[h] = i;
                site_of[i] = t->m;
                t->rep[t->m++] = j;
                break;
            }
            size_t first = slot[h];
            if (same_place(t, idx ? idx[first] : first, j)) {
                size_t s = site_of[first];
                site_of[i] = s;
                if (j < t->rep[s]) t->rep[s] = j;
                break;
            }
        }
        count[site_of[i]]++;
    }
    t->mem_off[0] = 0;
    for (size_t s = 0; s < t->m; s++) t->mem_off[s + 1] = t->mem_off[s] + count[s];
    memset(count, 0, (n + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++) {
        size_t s = site_of[i];
        t->mem[t->mem_off[s] + count[s]++] = idx ? idx[i] : i;
    }
    for (size_t s = 0; s < t->m; s++) { /* ascending, whatever the order of idx */
        size_t *a = t->mem + t->mem_off[s], k = members(t, s);
        for (size_t q = 1; q < k; q++)
            if (a[q - 1] > a[q]) {
                qsort(a, k, sizeof *a, cmp_size);
                break;
            }
    }
    free(slot);
    free(count);
    return COV_OK;
}

cov_kdtree *cov__kdtree_build(cov_ctx *ctx, const double *lon,
                              const double *lat, const size_t *idx, size_t n)
{
    cov_kdtree *t = cov__calloc(ctx, 1, sizeof *t);
    if (!t) return NULL;
    t->n = n;
    t->lon = (double *)lon;
    t->lat = (double *)lat;
    size_t n1 = n ? n : 1;
    size_t *site_of = cov__mallocarray(ctx, n1, sizeof *site_of);
    t->rep = cov__mallocarray(ctx, n1, sizeof *t->rep);
    t->mem_off = cov__mallocarray(ctx, n + 1, sizeof *t->mem_off);
    t->mem = cov__mallocarray(ctx, n1, sizeof *t->mem);
    if (!site_of || !t->rep || !t->mem_off || !t->mem ||
        group_sites(ctx, t, idx, site_of) != COV_OK) {
        free(site_of);
        cov__kdtree_destroy(t);
        return NULL;
    }
    free(site_of);
    size_t m = t->m;
    /* A tree with leaves of >= LEAF_SIZE/2 entries has fewer than 4m/LEAF_SIZE + 1 nodes. */
    size_t max_nodes = 2 * (m / (LEAF_SIZE / 2) + 1);
    t->xyz = cov__mallocarray(ctx, 3 * (m ? m : 1), sizeof *t->xyz);
    t->site = cov__mallocarray(ctx, m ? m : 1, sizeof *t->site);
    t->cum = cov__mallocarray(ctx, m + 1, sizeof *t->cum);
    t->nodes = cov__mallocarray(ctx, max_nodes, sizeof *t->nodes);
    if (!t->xyz || !t->site || !t->cum || !t->nodes) {
        cov__kdtree_destroy(t);
        return NULL;
    }
    for (size_t s = 0; s < m; s++) {
        t->site[s] = s;
        to_ecef(lon[t->rep[s]], lat[t->rep[s]], t->xyz + 3 * s);
    }
    if (m) build(t, 0, m);
    t->cum[0] = 0;
    for (size_t i = 0; i < m; i++) t->cum[i + 1] = t->cum[i] + members(t, t->site[i]);
    return t;
}

static double box_dist2(const kd_node *nd, const double *p)
{
    double d2 = 0.0;
    for (int a = 0; a < 3; a++) {
        double d = p[a] < nd->lo[a] ? nd->lo[a] - p[a]
                   : p[a] > nd->hi[a] ? p[a] - nd->hi[a] : 0.0;
        d2 += d * d;
    }
    return d2;
}

static double dist2(const double *a, const double *b)
{
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
}

static double geodesic(const struct geod_geodesic *g, double lon1, double lat1,
                       double lon2, double lat2)
{
    double s;
    geod_inverse(g, lat1, lon1, lat2, lon2, &s, NULL, NULL);
    return s;
}

typedef struct nn_query {
    const cov_kdtree *t;
    const struct geod_geodesic *g;
    double p[3], lon, lat;
    double best;   /* chord (phase 1) or geodesic (phase 2) distance */
    long best_idx; /* permuted index (phase 1) or original index (phase 2) */
    int exact;     /* phase 2 */
} nn_query;

static void nn_leaf(nn_query *q, const kd_node *nd)
{
    for (size_t i = nd->begin; i < nd->end; i++) {
        double c = sqrt(dist2(q->t->xyz + 3 * i, q->p));
        if (!q->exact) {
            if (c < q->best) q->best = c, q->best_idx = (long)i;
            continue;
        }
        if (c > q->best) continue; /* s >= c > best */
        size_t j = q->t->rep[q->t->site[i]];
        if ((long)j == q->best_idx) continue;
        double s = geodesic(q->g, q->lon, q->lat, q->t->lon[j], q->t->lat[j]);
        if (s < q->best || (s == q->best && (long)j < q->best_idx)) {
            q->best = s;
            q->best_idx = (long)j;
        }
    }
}

static void nn_search(nn_query *q, long id)
{
    const kd_node *nd = &q->t->nodes[id];
    if (box_dist2(nd, q->p) > q->best * q->best) return;
    if (nd->left < 0) {
        nn_leaf(q, nd);
        return;
    }
    long first = nd->left, second = nd->right;
    if (box_dist2(&q->t->nodes[second], q->p) < box_dist2(&q->t->nodes[first], q->p)) {
        first = nd->right;
        second = nd->left;
    }
    nn_search(q, first);
    nn_search(q, second);
}

/* Two phases: the nearest by chord (no geodesic needed), whose geodesic
 * distance then bounds the exact search, so that geodesics are computed
 * only for the few points whose chord beats it. */
long cov__kdtree_nearest(const cov_kdtree *t, const struct geod_geodesic *g,
                         double lon, double lat, double *out_dist_m)
{
    *out_dist_m = NAN;
    if (!t || t->n == 0) return -1;
    nn_query q = {.t = t, .g = g, .lon = lon, .lat = lat, .best = INFINITY, .best_idx = -1};
    to_ecef(lon, lat, q.p);
    nn_search(&q, 0);
    size_t j = t->rep[t->site[q.best_idx]];
    q.exact = 1;
    q.best_idx = (long)j;
    q.best = geodesic(g, lon, lat, t->lon[j], t->lat[j]);
    nn_search(&q, 0);
    *out_dist_m = q.best;
    return q.best_idx;
}

typedef struct range_query {
    const cov_kdtree *t;
    const struct geod_geodesic *g;
    double p[3], lon, lat, radius, chord_sure2, radius2;
    size_t count;
} range_query;

static double box_far2(const kd_node *nd, const double *p)
{
    double d2 = 0.0;
    for (int a = 0; a < 3; a++) {
        double d = fmax(fabs(p[a] - nd->lo[a]), fabs(p[a] - nd->hi[a]));
        d2 += d * d;
    }
    return d2;
}

static void range_search(range_query *q, long id)
{
    const kd_node *nd = &q->t->nodes[id];
    if (box_dist2(nd, q->p) > q->radius2) return;
    if (box_far2(nd, q->p) <= q->chord_sure2) { /* every point surely within */
        q->count += q->t->cum[nd->end] - q->t->cum[nd->begin];
        return;
    }
    if (nd->left >= 0) {
        range_search(q, nd->left);
        range_search(q, nd->right);
        return;
    }
    for (size_t i = nd->begin; i < nd->end; i++) {
        double c2 = dist2(q->t->xyz + 3 * i, q->p);
        if (c2 > q->radius2) continue;
        size_t s = q->t->site[i], j = q->t->rep[s];
        if (c2 <= q->chord_sure2 ||
            geodesic(q->g, q->lon, q->lat, q->t->lon[j], q->t->lat[j]) <= q->radius)
            q->count += members(q->t, s);
    }
}

size_t cov__kdtree_within(const cov_kdtree *t, const struct geod_geodesic *g,
                          double lon, double lat, double radius_m)
{
    if (!t || t->n == 0 || !(radius_m >= 0.0)) return 0;
    range_query q = {.t = t, .g = g, .lon = lon, .lat = lat, .radius = radius_m};
    to_ecef(lon, lat, q.p);
    q.radius2 = radius_m * radius_m;
    /* Largest chord c whose geodesic is surely <= radius: invert
     * s <= 2 rho asin(c / 2 rho), with a relative margin for rounding. */
    double c_sure = radius_m < COV_PI * RHO_MIN
                        ? 2.0 * RHO_MIN * sin(radius_m / (2.0 * RHO_MIN)) * (1.0 - 1e-12)
                        : 0.0;
    q.chord_sure2 = c_sure * c_sure;
    range_search(&q, 0);
    return q.count;
}

size_t cov__kdtree_size(const cov_kdtree *t) { return t ? t->n : 0; }

void cov__kdtree_destroy(cov_kdtree *t)
{
    if (!t) return;
    free(t->xyz);
    free(t->site);
    free(t->cum);
    free(t->rep);
    free(t->mem_off);
    free(t->mem);
    free(t->nodes);
    free(t);
}

/* Range listing for reach sets and site search: like range_search, but
 * every point found is passed on, with its exact geodesic distance when
 * asked for (else NaN for points surely inside, which saves the geodesic). */
typedef struct visit_query {
    range_query r;
    cov_kdtree_visit_fn fn;
    void *userdata;
    int exact;
} visit_query;

static void visit_site(visit_query *q, size_t s, double distance_m)
{
    const cov_kdtree *t = q->r.t;
    for (size_t k = t->mem_off[s]; k < t->mem_off[s + 1]; k++)
        q->fn(q->userdata, t->mem[k], distance_m);
}

static void visit_search(visit_query *q, long id)
{
    const cov_kdtree *t = q->r.t;
    const kd_node *nd = &t->nodes[id];
    if (box_dist2(nd, q->r.p) > q->r.radius2) return;
    if (!q->exact && box_far2(nd, q->r.p) <= q->r.chord_sure2) {
        for (size_t i = nd->begin; i < nd->end; i++) visit_site(q, t->site[i], NAN);
        return;
    }
    if (nd->left >= 0) {
        visit_search(q, nd->left);
        visit_search(q, nd->right);
        return;
    }
    for (size_t i = nd->begin; i < nd->end; i++) {
        double c2 = dist2(t->xyz + 3 * i, q->r.p);
        if (c2 > q->r.radius2) continue;
        size_t site = t->site[i], j = t->rep[site];
        if (!q->exact && c2 <= q->r.chord_sure2) {
            visit_site(q, site, NAN);
            continue;
        }
        double s = geodesic(q->r.g, q->r.lon, q->r.lat, t->lon[j], t->lat[j]);
        if (s <= q->r.radius) visit_site(q, site, s);
    }
}

void cov__kdtree_visit_within(const cov_kdtree *t, const struct geod_geodesic *g, double lon,
                              double lat, double radius_m, int exact, cov_kdtree_visit_fn fn,
                              void *userdata)
{
    if (!t || t->n == 0 || !(radius_m >= 0.0)) return;
    visit_query q = {.r = {.t = t, .g = g, .lon = lon, .lat = lat, .radius = radius_m},
                     .fn = fn, .userdata = userdata, .exact = exact};
    to_ecef(lon, lat, q.r.p);
    q.r.radius2 = radius_m * radius_m;
    double c_sure = radius_m < COV_PI * RHO_MIN
                        ? 2.0 * RHO_MIN * sin(radius_m / (2.0 * RHO_MIN)) * (1.0 - 1e-12)
                        : 0.0;
    q.r.chord_sure2 = c_sure * c_sure;
    visit_search(&q, 0);
}
