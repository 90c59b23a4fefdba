/* Building the road graph: noding lines at shared vertices, splitting them
 * into edges, components and the CSR adjacency.
 *
 * Real layers rarely end lines at junctions: Sapporo's route sections meet
 * at interior vertices. So every vertex used by two line positions (or
 * twice by one line) becomes a node. Free line ends near another line are
 * joined to it first (repair.c), which leaves shared vertices too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "io/table_internal.h"
#include "net/net_internal.h"

/* The node tolerance accepted: a millimetre (below it, coordinates in
 * metres carry no such precision; a grid of finer cells only costs memory)
 * to ten kilometres (beyond it a line end would jump to another road). */
#define COV_NET_TOLERANCE_MIN_M 1e-3
#define COV_NET_TOLERANCE_MAX_M 1e4

void cov__lines_free(cov__lines *l)
{
    if (!l) return;
    free(l->off);
    free(l->lon);
    free(l->lat);
    free(l->klass);
    free(l->dir);
    free(l->maxspeed);
    free(l->level);
    free(l->src);
    cov__strvec_free(&l->classes);
    memset(l, 0, sizeof *l);
}

int cov__net_take_options(cov_ctx *ctx, const cov_network_options *in, cov_network_options *out)
{
    cov_network_options_init(out);
    return in ? cov__options_take(ctx, out, sizeof *out, in, "network options") : COV_OK;
}

void cov_network_options_init(cov_network_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->node_tolerance_m = 1.0;
    o->default_speed_kmh = 30.0;
}

void cov_network_destroy(cov_network *n)
{
    if (!n) return;
    free(n->node_lon); free(n->node_lat); free(n->node_x); free(n->node_y);
    free(n->edge_from); free(n->edge_to); free(n->edge_len_m); free(n->edge_plen);
    free(n->edge_class); free(n->edge_dir); free(n->edge_maxspeed);
    free(n->geom_off); free(n->gx); free(n->gy);
    free(n->arc_off); free(n->arc_head); free(n->arc_edge); free(n->arc_rev);
    free(n->node_comp); free(n->comp_nodes);
    cov__free_strings(n->class_names, n->n_classes);
    free(n->class_speed_kmh); free(n->class_winter);
    free(n->crs_def);
    cov__xform_free(&n->proj);
    free(n->grid.cell_off); free(n->grid.seg);
    free(n->node_scc);
    free(n->repair.joins);
    free(n);
}

/* ---- unique points -------------------------------------------------------- */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33; h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

static uint64_t bits(double v)
{
    if (v == 0.0) v = 0.0; /* -0 and +0 are one place */
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* pid[v] for every vertex: the index of the first vertex with the same
 * coordinates (exactly: shared vertices are copies of one another). */
int cov__net_unique_points(cov_ctx *ctx, const cov__lines *l, uint32_t *pid)
{
    size_t cap = 16;
    while (cap < 2 * l->n_vertices) cap <<= 1;
    uint32_t *slot = cov__mallocarray(ctx, cap, sizeof *slot);
    if (!slot) return COV_ERR_NOMEM;
    memset(slot, 0xff, cap * sizeof *slot);
    for (size_t v = 0; v < l->n_vertices; v++) {
        uint64_t bx = bits(l->lon[v]), by = bits(l->lat[v]);
        size_t h = (size_t)mix(bx * 31 + mix(by)) & (cap - 1);
        for (;; h = (h + 1) & (cap - 1)) {
            uint32_t s = slot[h];
            if (s == UINT32_MAX) {
                slot[h] = (uint32_t)v;
                pid[v] = (uint32_t)v;
                break;
            }
            if (bits(l->lon[s]) == bx && bits(l->lat[s]) == by) {
                pid[v] = s;
                break;
            }
        }
    }
    free(slot);
    return COV_OK;
}

static uint32_t find(uint32_t *parent, uint32_t a)
{
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
}

/* ---- edges ---------------------------------------------------------------- */

typedef struct builder {
    cov_network *net;
    size_t cap_edges, cap_geom;
} builder;

static int grow_edges(cov_ctx *ctx, builder *b)
{
    cov_network *n = b->net;
    if (n->n_edges < b->cap_edges) return COV_OK;
    size_t cap = b->cap_edges ? 2 * b->cap_edges : 1024;
#define GROW(field)                                                      \
    do {                                                                 \
        void *p_ = cov__realloc(ctx, n->field, cap * sizeof *n->field);  \
        if (!p_) return COV_ERR_NOMEM;                                   \
        n->field = p_;                                                   \
    } while (0)
    GROW(edge_from); GROW(edge_to); GROW(edge_len_m); GROW(edge_plen);
    GROW(edge_class); GROW(edge_dir); GROW(edge_maxspeed);
    void *p = cov__realloc(ctx, n->geom_off, (cap + 1) * sizeof *n->geom_off);
    if (!p) return COV_ERR_NOMEM;
    n->geom_off = p;
    b->cap_edges = cap;
    return COV_OK;
}

static int push_point(cov_ctx *ctx, builder *b, size_t *n_geom, double px, double py)
{
    cov_network *n = b->net;
    if (*n_geom == b->cap_geom) {
        size_t cap = b->cap_geom ? 2 * b->cap_geom : 4096;
        double *gx = cov__realloc(ctx, n->gx, cap * sizeof *gx);
        if (!gx) return COV_ERR_NOMEM;
        n->gx = gx;
        double *gy = cov__realloc(ctx, n->gy, cap * sizeof *gy);
        if (!gy) return COV_ERR_NOMEM;
        n->gy = gy;
        b->cap_geom = cap;
    }
    n->gx[*n_geom] = px;
    n->gy[*n_geom] = py;
    (*n_geom)++;
    return COV_OK;
}

static double geod_m(cov_ctx *ctx, double lon1, double lat1, double lon2, double lat2)
{
    double d;
    geod_inverse(&ctx->geod, lat1, lon1, lat2, lon2, &d, NULL, NULL);
    return d;
}

/* Splits line i at its nodes. node_of[p] is the node of root point p
 * (UINT32_MAX: not a node); the line's vertices are taken at their roots. */
static int split_line(cov_ctx *ctx, builder *b, const cov__lines *l, size_t i,
                      const uint32_t *root, const uint32_t *node_of, const double *x,
                      const double *y, size_t *n_geom)
{
    cov_network *n = b->net;
    size_t a = l->off[i], z = l->off[i + 1];
    size_t start = SIZE_MAX; /* geometry index of the open edge's first point */
    uint32_t from = 0, prev = UINT32_MAX;
    double len = 0, plen = 0;
    for (size_t v = a; v < z; v++) {
        uint32_t p = root[v];
        if (p == prev) continue; /* repeated point: zero-length segment */
        if (start != SIZE_MAX) {
            len += geod_m(ctx, l->lon[prev], l->lat[prev], l->lon[p], l->lat[p]);
            plen += hypot(x[p] - x[prev], y[p] - y[prev]);
        }
        if (push_point(ctx, b, n_geom, x[p], y[p]) != COV_OK) return COV_ERR_NOMEM;
        prev = p;
        if (node_of[p] == UINT32_MAX) continue;
        if (start != SIZE_MAX) {
            if (grow_edges(ctx, b) != COV_OK) return COV_ERR_NOMEM;
            size_t e = n->n_edges++;
            n->edge_from[e] = from;
            n->edge_to[e] = node_of[p];
            n->edge_len_m[e] = len;
            n->edge_plen[e] = plen;
            n->edge_class[e] = l->klass[i];
            n->edge_dir[e] = l->dir[i];
            n->edge_maxspeed[e] = l->maxspeed[i];
            n->geom_off[e] = start;
            n->geom_off[e + 1] = *n_geom;
            /* the node's point also starts the next edge */
            if (push_point(ctx, b, n_geom, x[p], y[p]) != COV_OK) return COV_ERR_NOMEM;
        }
        start = *n_geom - 1;
        from = node_of[p];
        len = plen = 0;
    }
    /* the last point of the line is a node, so a dangling start point is
     * all that can remain: drop it */
    if (start != SIZE_MAX) *n_geom = start;
    return COV_OK;
}

/* ---- components and adjacency --------------------------------------------- */

/* Components by union-find over edges, numbered largest first. */
static int components(cov_ctx *ctx, cov_network *n)
{
    uint32_t *parent = cov__mallocarray(ctx, n->n_nodes ? n->n_nodes : 1, sizeof *parent);
    size_t *size = cov__calloc(ctx, n->n_nodes + 1, sizeof *size);
    size_t *order = cov__mallocarray(ctx, n->n_nodes + 1, sizeof *order);
    n->node_comp = cov__mallocarray(ctx, n->n_nodes ? n->n_nodes : 1, sizeof *n->node_comp);
    int rc = parent && size && order && n->node_comp ? COV_OK : COV_ERR_NOMEM;
    if (rc != COV_OK) goto done;
    for (size_t u = 0; u < n->n_nodes; u++) parent[u] = (uint32_t)u;
    for (size_t e = 0; e < n->n_edges; e++) {
        uint32_t a = find(parent, n->edge_from[e]), b = find(parent, n->edge_to[e]);
        if (a != b) parent[a < b ? b : a] = a < b ? a : b;
    }
    size_t nc = 0;
    for (size_t u = 0; u < n->n_nodes; u++) {
        uint32_t r = find(parent, (uint32_t)u);
        if (r == u) order[nc++] = u;
        size[r]++;
    }
    /* counting sort of the roots by size, descending; ties keep node order */
    {
        size_t max = 0;
        for (size_t i = 0; i < nc; i++) if (size[order[i]] > max) max = size[order[i]];
        size_t *cnt = cov__calloc(ctx, max + 2, sizeof *cnt);
        size_t *tmp = cov__mallocarray(ctx, nc ? nc : 1, sizeof *tmp);
        if (!cnt || !tmp) { free(cnt); free(tmp); rc = COV_ERR_NOMEM; goto done; }
        memcpy(tmp, order, nc * sizeof *tmp);
        for (size_t i = 0; i < nc; i++) cnt[max - size[tmp[i]]]++;
        size_t acc = 0;
        for (size_t k = 0; k <= max; k++) { size_t c = cnt[k]; cnt[k] = acc; acc += c; }
        for (size_t i = 0; i < nc; i++) order[cnt[max - size[tmp[i]]]++] = tmp[i];
        free(cnt);
        free(tmp);
    }
    n->comp_nodes = cov__mallocarray(ctx, nc ? nc : 1, sizeof *n->comp_nodes);
    if (!n->comp_nodes) { rc = COV_ERR_NOMEM; goto done; }
    /* reuse size[] of roots to hold the component number */
    for (size_t i = 0; i < nc; i++) {
        n->comp_nodes[i] = size[order[i]];
        size[order[i]] = i;
    }
    for (size_t u = 0; u < n->n_nodes; u++) n->node_comp[u] = (uint32_t)size[parent[u]];
    n->n_components = nc;
done:
    free(parent);
    free(size);
    free(order);
    return rc;
}

/* Removes the nodes and edges of components with fewer than min nodes,
 * renumbering the rest (components keep their order). */
static int drop_fragments(cov_ctx *ctx, cov_network *n, size_t min)
{
    size_t keep_c = 0;
    while (keep_c < n->n_components && n->comp_nodes[keep_c] >= min) keep_c++;
    if (keep_c == n->n_components) return COV_OK;
    uint32_t *new_id = cov__mallocarray(ctx, n->n_nodes ? n->n_nodes : 1, sizeof *new_id);
    if (!new_id) return COV_ERR_NOMEM;
    size_t m = 0;
    for (size_t u = 0; u < n->n_nodes; u++) {
        if (n->node_comp[u] < keep_c) {
            new_id[u] = (uint32_t)m;
            n->node_lon[m] = n->node_lon[u]; n->node_lat[m] = n->node_lat[u];
            n->node_x[m] = n->node_x[u]; n->node_y[m] = n->node_y[u];
            n->node_comp[m] = n->node_comp[u];
            m++;
        } else {
            new_id[u] = UINT32_MAX;
        }
    }
    size_t k = 0, g = 0;
    for (size_t e = 0; e < n->n_edges; e++) {
        if (new_id[n->edge_from[e]] == UINT32_MAX) continue;
        size_t a = n->geom_off[e], z = n->geom_off[e + 1];
        n->geom_off[k] = g;
        memmove(n->gx + g, n->gx + a, (z - a) * sizeof *n->gx);
        memmove(n->gy + g, n->gy + a, (z - a) * sizeof *n->gy);
        g += z - a;
        n->edge_from[k] = new_id[n->edge_from[e]];
        n->edge_to[k] = new_id[n->edge_to[e]];
        n->edge_len_m[k] = n->edge_len_m[e];
        n->edge_plen[k] = n->edge_plen[e];
        n->edge_class[k] = n->edge_class[e];
        n->edge_dir[k] = n->edge_dir[e];
        n->edge_maxspeed[k] = n->edge_maxspeed[e];
        k++;
    }
    n->geom_off[k] = g;
    n->n_dropped_nodes = n->n_nodes - m;
    n->n_dropped_edges = n->n_edges - k;
    n->n_nodes = m;
    n->n_edges = k;
    n->n_components = keep_c;
    free(new_id);
    return COV_OK;
}

/* Forward arcs in CSR: along every edge its open directions. */
static int adjacency(cov_ctx *ctx, cov_network *n)
{
    n->arc_off = cov__calloc(ctx, n->n_nodes + 1, sizeof *n->arc_off);
    if (!n->arc_off) return COV_ERR_NOMEM;
    size_t m = 0;
    for (size_t e = 0; e < n->n_edges; e++) {
        if (n->edge_dir[e] != NET_BACKWARD) { n->arc_off[n->edge_from[e] + 1]++; m++; }
        if (n->edge_dir[e] != NET_FORWARD) { n->arc_off[n->edge_to[e] + 1]++; m++; }
    }
    for (size_t u = 0; u < n->n_nodes; u++) n->arc_off[u + 1] += n->arc_off[u];
    n->n_arcs = m;
    n->arc_head = cov__mallocarray(ctx, m ? m : 1, sizeof *n->arc_head);
    n->arc_edge = cov__mallocarray(ctx, m ? m : 1, sizeof *n->arc_edge);
    n->arc_rev = cov__mallocarray(ctx, m ? m : 1, sizeof *n->arc_rev);
    size_t *fill = cov__mallocarray(ctx, n->n_nodes ? n->n_nodes : 1, sizeof *fill);
    int rc = n->arc_head && n->arc_edge && n->arc_rev && fill ? COV_OK : COV_ERR_NOMEM;
    if (rc == COV_OK) {
        memcpy(fill, n->arc_off, n->n_nodes * sizeof *fill);
        for (size_t e = 0; e < n->n_edges; e++) {
            if (n->edge_dir[e] != NET_BACKWARD) {
                size_t a = fill[n->edge_from[e]]++;
                n->arc_head[a] = n->edge_to[e];
                n->arc_edge[a] = (uint32_t)e;
                n->arc_rev[a] = 0;
            }
            if (n->edge_dir[e] != NET_FORWARD) {
                size_t a = fill[n->edge_to[e]]++;
                n->arc_head[a] = n->edge_from[e];
                n->arc_edge[a] = (uint32_t)e;
                n->arc_rev[a] = 1;
            }
        }
    }
    free(fill);
    return rc;
}

/* ---- the build ------------------------------------------------------------ */

static int project(cov_ctx *ctx, cov_network *n, const cov__lines *l, double **out_x,
                   double **out_y)
{
    double w = INFINITY, e = -INFINITY, s = INFINITY, nn = -INFINITY;
    for (size_t v = 0; v < l->n_vertices; v++) {
        w = fmin(w, l->lon[v]); e = fmax(e, l->lon[v]);
        s = fmin(s, l->lat[v]); nn = fmax(nn, l->lat[v]);
    }
    int rc = cov__xform_to_projected(ctx, NULL, (w + e) / 2, (s + nn) / 2, &n->proj,
                                     &n->crs_def);
    if (rc != COV_OK) return rc;
    size_t nv = l->n_vertices ? l->n_vertices : 1;
    double *x = cov__mallocarray(ctx, nv, sizeof *x), *y = cov__mallocarray(ctx, nv, sizeof *y);
    if (!x || !y) { free(x); free(y); return COV_ERR_NOMEM; }
    memcpy(x, l->lon, l->n_vertices * sizeof *x);
    memcpy(y, l->lat, l->n_vertices * sizeof *y);
    rc = cov__xform_points(ctx, &n->proj, l->n_vertices, x, y, "road network");
    if (rc != COV_OK) { free(x); free(y); return rc; }
    *out_x = x;
    *out_y = y;
    return COV_OK;
}

/* Uses of each root point by line positions (a repeated point counts once);
 * line ends count twice, so that they are always nodes. */
void cov__net_count_uses(const cov__lines *l, const uint32_t *root, uint32_t *uses,
                         int ends_twice)
{
    for (size_t i = 0; i < l->n; i++) {
        uint32_t prev = UINT32_MAX;
        for (size_t v = l->off[i]; v < l->off[i + 1]; v++) {
            uint32_t p = root[v];
            if (p != prev && uses[p] < UINT32_MAX - 2) uses[p]++;
            prev = p;
        }
        if (ends_twice && l->off[i + 1] > l->off[i]) {
            uses[root[l->off[i]]] += 1;
            uses[root[l->off[i + 1] - 1]] += 1;
        }
    }
}

/* Free line ends (used by one line position) when no repair runs. */
static int count_free_ends(cov_ctx *ctx, const cov__lines *l, size_t *out)
{
    *out = 0;
    size_t alloc = l->n_vertices ? l->n_vertices : 1;
    uint32_t *pid = cov__mallocarray(ctx, alloc, sizeof *pid);
    uint32_t *uses = cov__calloc(ctx, alloc, sizeof *uses);
    int rc = pid && uses ? cov__net_unique_points(ctx, l, pid) : COV_ERR_NOMEM;
    if (rc == COV_OK) {
        cov__net_count_uses(l, pid, uses, 0);
        for (size_t i = 0; i < l->n; i++)
            if (l->off[i + 1] - l->off[i] >= 2)
                *out += (uses[pid[l->off[i]]] == 1) + (uses[pid[l->off[i + 1] - 1]] == 1);
    }
    free(pid);
    free(uses);
    return rc;
}

static cov_network *build(cov_ctx *ctx, cov__lines *l, const cov_network_options *opt,
                          const char *source)
{
    size_t nv = l->n_vertices;
    if (nv >= UINT32_MAX)
        return cov__error(ctx, COV_ERR_ARG, "%s: more than 4 billion vertices", source), NULL;
    cov_network *n = cov__calloc(ctx, 1, sizeof *n);
    if (n) n->stamp = cov__unique_stamp(n);
    uint32_t *pid = NULL, *uses = NULL, *node_of = NULL;
    double *x = NULL, *y = NULL;
    if (!n) return NULL;
    int rc = cov__net_set_classes(ctx, n, l, opt->default_speed_kmh);
    if (rc == COV_OK) rc = project(ctx, n, l, &x, &y);
    if (rc == COV_OK && opt->node_tolerance_m > 0)
        rc = cov__net_repair(ctx, l, &x, &y, opt->node_tolerance_m, &n->repair);
    else if (rc == COV_OK) {
        n->repair.n_lines = l->n;
        rc = count_free_ends(ctx, l, &n->repair.n_free_ends);
    }
    size_t joined = n->repair.n_joins;
    nv = l->n_vertices;
    if (rc == COV_OK && nv >= UINT32_MAX)
        rc = cov__error(ctx, COV_ERR_ARG, "%s: more than 4 billion vertices after repair",
                        source);
    size_t alloc = nv ? nv : 1;
    if (rc == COV_OK) {
        pid = cov__mallocarray(ctx, alloc, sizeof *pid);
        uses = cov__calloc(ctx, alloc, sizeof *uses);
        node_of = cov__mallocarray(ctx, alloc, sizeof *node_of);
        rc = pid && uses && node_of ? COV_OK : COV_ERR_NOMEM;
    }
    if (rc == COV_OK) rc = cov__net_unique_points(ctx, l, pid);
    if (rc == COV_OK) {
        cov__net_count_uses(l, pid, uses, 1);
        size_t m = 0;
        for (size_t v = 0; v < nv; v++) node_of[v] = UINT32_MAX;
        for (size_t v = 0; v < nv; v++) {
            uint32_t p = pid[v];
            if (uses[p] >= 2 && node_of[p] == UINT32_MAX) node_of[p] = (uint32_t)m++;
        }
        n->n_nodes = m;
        size_t mm = m ? m : 1;
        n->node_lon = cov__mallocarray(ctx, mm, sizeof(double));
        n->node_lat = cov__mallocarray(ctx, mm, sizeof(double));
        n->node_x = cov__mallocarray(ctx, mm, sizeof(double));
        n->node_y = cov__mallocarray(ctx, mm, sizeof(double));
        rc = n->node_lon && n->node_lat && n->node_x && n->node_y ? COV_OK : COV_ERR_NOMEM;
        for (size_t v = 0; rc == COV_OK && v < nv; v++) {
            uint32_t p = pid[v], k = node_of[p];
            if (p != v || k == UINT32_MAX) continue;
            n->node_lon[k] = l->lon[p]; n->node_lat[k] = l->lat[p];
            n->node_x[k] = x[p]; n->node_y[k] = y[p];
        }
    }
    builder b = {.net = n};
    size_t n_geom = 0;
    if (rc == COV_OK) rc = grow_edges(ctx, &b);
    if (rc == COV_OK) n->geom_off[0] = 0;
    for (size_t i = 0; rc == COV_OK && i < l->n; i++)
        rc = split_line(ctx, &b, l, i, pid, node_of, x, y, &n_geom);
    if (rc == COV_OK) rc = components(ctx, n);
    if (rc == COV_OK && opt->min_component_nodes > 1)
        rc = drop_fragments(ctx, n, opt->min_component_nodes);
    if (rc == COV_OK) rc = adjacency(ctx, n);
    if (rc == COV_OK) {
        if (joined)
            cov__notice(ctx, "%s: %zu free line ends joined to a line within %g m (%zu of "
                        "them split it; largest gap %.2f m)%s", source, joined,
                        opt->node_tolerance_m, n->repair.n_splits, n->repair.largest_gap_m,
                        n->repair.n_refused_level ? "; ends near a line of another level "
                        "only (bridge, tunnel) were left free" : "");
        if (n->n_dropped_nodes)
            cov__notice(ctx, "%s: dropped %zu nodes and %zu edges in components of fewer "
                        "than %zu nodes", source, n->n_dropped_nodes, n->n_dropped_edges,
                        opt->min_component_nodes);
        if (n->n_components > 1)
            cov__notice(ctx, "%s: %zu nodes, %zu edges in %zu components; the largest "
                        "holds %zu nodes", source, n->n_nodes, n->n_edges,
                        n->n_components, n->comp_nodes[0]);
    }
    if (rc == COV_OK && n->n_edges == 0 && n->n_dropped_edges)
        rc = cov__error(ctx, COV_ERR_EMPTY, "%s: no road edge left: all %zu edges lie in "
                        "components of fewer than %zu nodes (min_component_nodes)", source,
                        n->n_dropped_edges, opt->min_component_nodes);
    else if (rc == COV_OK && n->n_edges == 0)
        rc = cov__error(ctx, COV_ERR_EMPTY, "%s: no road edge (no line with two distinct "
                        "points)", source);
    free(pid); free(uses); free(node_of); free(x); free(y);
    if (rc != COV_OK) {
        cov_network_destroy(n);
        return NULL;
    }
    return n;
}

cov_network *cov__network_build(cov_ctx *ctx, cov__lines *lines,
                                const cov_network_options *opt, const char *source)
{
    cov_network_options defaults;
    if (!opt) {
        cov_network_options_init(&defaults);
        opt = &defaults;
    }
    cov_network *n = NULL;
    if (lines->n_absurd_speed)
        cov__warn(ctx, "%s: %zu lines have a maxspeed above %g km/h (first: %s, %g), read "
                  "as unknown: their class speed applies", source, lines->n_absurd_speed,
                  COV_NET_MAX_SPEED_KMH, lines->absurd_where, lines->absurd_speed);
    /* a whole layer within 180 m of its projected CRS's origin is lon/lat
     * given with the wrong CRS far more often than a real road layer */
    if (lines->projected && lines->raw_x0 >= -180 && lines->raw_x1 <= 180 &&
        lines->raw_y0 >= -90 && lines->raw_y1 <= 90)
        cov__warn(ctx, "%s: every coordinate lies within 180 m of the origin of the projected "
                  "CRS (x %g..%g, y %g..%g): they look like lon/lat degrees; give the CRS "
                  "they are in (lon/lat: EPSG:6668)", source, lines->raw_x0, lines->raw_x1,
                  lines->raw_y0, lines->raw_y1);
    double tol = opt->node_tolerance_m;
    if (!(tol == 0 || (tol >= COV_NET_TOLERANCE_MIN_M && tol <= COV_NET_TOLERANCE_MAX_M)))
        cov__error(ctx, COV_ERR_ARG, "%s: node_tolerance_m %g is not usable: it must be 0 "
                   "(join identical vertices only) or between %g and %g m", source, tol,
                   COV_NET_TOLERANCE_MIN_M, COV_NET_TOLERANCE_MAX_M);
    else if (!(opt->default_speed_kmh >= 0) || !isfinite(opt->default_speed_kmh))
        cov__error(ctx, COV_ERR_ARG, "%s: default_speed_kmh must be >= 0 (got %g)", source,
                   opt->default_speed_kmh);
    else if (opt->snap_to != COV_SNAP_ROUTABLE && opt->snap_to != COV_SNAP_ANY_EDGE)
        cov__error(ctx, COV_ERR_ARG, "%s: snap_to must be COV_SNAP_ROUTABLE (0) or "
                   "COV_SNAP_ANY_EDGE (1), not %d", source, opt->snap_to);
    else if ((n = build(ctx, lines, opt, source)))
        n->snap_to = opt->snap_to;
    cov__lines_free(lines);
    return n;
}

/* ---- accessors ------------------------------------------------------------ */

size_t cov_network_node_count(const cov_network *n) { return n ? n->n_nodes : 0; }
size_t cov_network_edge_count(const cov_network *n) { return n ? n->n_edges : 0; }
size_t cov_network_component_count(const cov_network *n) { return n ? n->n_components : 0; }
const double *cov_network_node_lon(const cov_network *n) { return n ? n->node_lon : NULL; }
const double *cov_network_node_lat(const cov_network *n) { return n ? n->node_lat : NULL; }
const uint32_t *cov_network_node_component(const cov_network *n)
{
    return n ? n->node_comp : NULL;
}
const uint32_t *cov_network_edge_from(const cov_network *n) { return n ? n->edge_from : NULL; }
const uint32_t *cov_network_edge_to(const cov_network *n) { return n ? n->edge_to : NULL; }
const double *cov_network_edge_length_m(const cov_network *n)
{
    return n ? n->edge_len_m : NULL;
}
size_t cov_network_settled_count(const cov_network *n) { return n ? n->n_settled : 0; }

static const cov_column_spec comp_spec[] = {
    {"component", COV_COL_INT}, {"n_nodes", COV_COL_INT}, {"n_edges", COV_COL_INT},
    {"length_km", COV_COL_DOUBLE}};

cov_table *cov_network_components(cov_ctx *ctx, const cov_network *n)
{
    COV_CHECK_ARG(ctx, ctx && n, NULL);
    cov_table *t = cov__table_create(ctx, n->n_components, 0);
    size_t c[4];
    if (!t || cov__table_add_columns(ctx, t, comp_spec, 4, c) != COV_OK) {
        cov_table_destroy(t);
        return NULL;
    }
    int64_t *id = cov__table_ints_mut(t, c[0]), *nodes = cov__table_ints_mut(t, c[1]),
            *edges = cov__table_ints_mut(t, c[2]);
    double *km = cov__table_doubles_mut(t, c[3]);
    for (size_t k = 0; k < n->n_components; k++) {
        id[k] = (int64_t)k;
        nodes[k] = (int64_t)n->comp_nodes[k];
        km[k] = 0; /* double columns start as NaN */
    }
    for (size_t e = 0; e < n->n_edges; e++) {
        uint32_t k = n->node_comp[n->edge_from[e]];
        edges[k]++;
        km[k] += n->edge_len_m[e] / 1000.0;
    }
    return t;
}
