/* Bounded Dijkstra from snapped points, single- or multi-source, with a
 * workspace reset sparsely so that per-facility runs cost what they settle
 * and memory stays linear in the graph. The layout (net_internal.h) keeps a
 * node's search state and an arc's cost and head in one record each; the
 * heap is 4-ary with lazy deletion (stale entries are skipped when popped).
 * No allocation happens during a run except when the heap or the seed list
 * outgrows its largest size so far. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/table_internal.h"
#include "net/net_internal.h"

int cov__search_init(cov_ctx *ctx, cov__search *s, const cov_network *net,
                     const cov_travel *travel)
{
    memset(s, 0, sizeof *s);
    s->net = net;
    if (net->n_arcs >= UINT32_MAX || net->n_nodes >= UINT32_MAX)
        return cov__error(ctx, COV_ERR_ARG, "network search: more than 4 billion arcs");
    size_t nn = net->n_nodes, ne = net->n_edges ? net->n_edges : 1;
    s->node = cov__mallocarray(ctx, nn + 1, sizeof *s->node);
    s->arc = cov__mallocarray(ctx, net->n_arcs ? net->n_arcs : 1, sizeof *s->arc);
    s->edge_fwd = cov__mallocarray(ctx, ne, sizeof *s->edge_fwd);
    s->edge_bwd = cov__mallocarray(ctx, ne, sizeof *s->edge_bwd);
    s->touched = cov__mallocarray(ctx, nn ? nn : 1, sizeof *s->touched);
    s->hcap = 1024;
    s->heap = cov__mallocarray(ctx, s->hcap, sizeof *s->heap);
    if (!s->node || !s->arc || !s->edge_fwd || !s->edge_bwd || !s->touched || !s->heap) {
        cov__search_free(s);
        return COV_ERR_NOMEM;
    }
    cov__net_edge_costs(ctx, net, travel, s->edge_fwd, s->edge_bwd);
    for (size_t a = 0; a < net->n_arcs; a++) {
        uint32_t e = net->arc_edge[a];
        s->arc[a] = (cov__arc){net->arc_rev[a] ? s->edge_bwd[e] : s->edge_fwd[e],
                               net->arc_head[a], 0};
    }
    for (size_t u = 0; u <= nn; u++)
        s->node[u] = (cov__node_state){INFINITY, COV__NO_LABEL, (uint32_t)net->arc_off[u]};
    return COV_OK;
}

void cov__search_free(cov__search *s)
{
    if (!s) return;
    free(s->node); free(s->arc); free(s->edge_fwd); free(s->edge_bwd);
    free(s->touched); free(s->heap); free(s->seeds);
    memset(s, 0, sizeof *s);
}

void cov__search_reset(cov__search *s)
{
    for (size_t i = 0; i < s->n_touched; i++) {
        cov__node_state *st = &s->node[s->touched[i]];
        st->dist = INFINITY;
        st->label = COV__NO_LABEL;
    }
    s->n_touched = 0;
    s->hn = 0;
    s->n_seeds = 0;
}

/* ---- heap: 4-ary, children of i are 4i + 1 .. 4i + 4 ------------------------ */

static int heap_grow(cov_ctx *ctx, cov__search *s)
{
    size_t cap = 2 * s->hcap;
    cov__heap_entry *h = cov__realloc(ctx, s->heap, cap * sizeof *h);
    if (!h) return COV_ERR_NOMEM;
    s->heap = h;
    s->hcap = cap;
    return COV_OK;
}

static inline int heap_push(cov_ctx *ctx, cov__search *s, double key, uint32_t node,
                            uint32_t first_arc)
{
    if (s->hn == s->hcap && heap_grow(ctx, s) != COV_OK) return COV_ERR_NOMEM;
    cov__heap_entry *h = s->heap;
    size_t i = s->hn++;
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (h[p].key <= key) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = (cov__heap_entry){key, node, first_arc};
    return COV_OK;
}

/* Removes the top entry (the heap is not empty). */
static inline void heap_pop(cov__search *s)
{
    cov__heap_entry *h = s->heap, last = h[--s->hn];
    size_t n = s->hn, i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n) break;
        size_t best = c;
        double bk = h[c].key;
        if (c + 3 < n) { /* four children: a tournament, two levels deep */
            size_t b1 = h[c + 1].key < bk ? c + 1 : c;
            size_t b2 = h[c + 3].key < h[c + 2].key ? c + 3 : c + 2;
            best = h[b2].key < h[b1].key ? b2 : b1;
            bk = h[best].key;
        } else {
            for (size_t k = c + 1; k < n; k++)
                if (h[k].key < bk) { bk = h[k].key; best = k; }
        }
        if (bk >= last.key) break;
        h[i] = h[best];
        i = best;
    }
    if (n) h[i] = last;
}

/* ---- search --------------------------------------------------------------- */

#if defined(__GNUC__) || defined(__clang__)
#define COV__PREFETCH(p) __builtin_prefetch(p)
#else
#define COV__PREFETCH(p) ((void)0)
#endif

/* Offers cost c with source label to node v. A settled node has a cost <=
 * c already (costs are >= 0), so only ties need the settled bit; a tie
 * with a smaller source relabels the node, whose heap entry stays valid. */
static inline int relax(cov_ctx *ctx, cov__search *s, uint32_t v, double c, uint32_t label)
{
    cov__node_state *st = &s->node[v];
    if (c < st->dist) {
        if (st->dist == INFINITY) {
            s->touched[s->n_touched++] = v;
            /* v's arcs are read when v settles: start loading them now */
            COV__PREFETCH(&s->arc[st->first_arc]);
            COV__PREFETCH(&s->arc[st[1].first_arc - (st[1].first_arc > st->first_arc)]);
        }
        st->dist = c;
        st->label = label;
        return heap_push(ctx, s, c, v, st->first_arc);
    }
    if (c == st->dist && !(st->label & COV__SETTLED) && label < st->label) st->label = label;
    return COV_OK;
}

int cov__search_seed(cov_ctx *ctx, cov__search *s, int64_t edge, double offset_m, double acc,
                     int64_t label)
{
    if (edge < 0) return COV_OK;
    if (label < 0 || label >= COV__NO_LABEL)
        return cov__error(ctx, COV_ERR_ARG, "network search: source %lld out of range",
                          (long long)label);
    const cov_network *n = s->net;
    size_t e = (size_t)edge;
    double len = n->edge_len_m[e];
    double back = len > 0 ? offset_m / len : 0, ahead = len > 0 ? (len - offset_m) / len : 0;
    if (s->n_seeds == s->cap_seeds) {
        size_t cap = s->cap_seeds ? 2 * s->cap_seeds : 16;
        void *p = cov__realloc(ctx, s->seeds, cap * sizeof *s->seeds);
        if (!p) return COV_ERR_NOMEM;
        s->seeds = p;
        s->cap_seeds = cap;
    }
    s->seeds[s->n_seeds++] = (struct cov__seed){edge, offset_m, acc, label};
    int rc = COV_OK;
    uint32_t l = (uint32_t)label;
    /* a point on a node is at that node whatever the edge's direction */
    if (back == 0 || isfinite(s->edge_bwd[e]))
        rc = relax(ctx, s, n->edge_from[e], acc + (back == 0 ? 0 : s->edge_bwd[e] * back), l);
    if (rc == COV_OK && (ahead == 0 || isfinite(s->edge_fwd[e])))
        rc = relax(ctx, s, n->edge_to[e], acc + (ahead == 0 ? 0 : s->edge_fwd[e] * ahead), l);
    return rc;
}

static int seed_cmp(const void *a, const void *b)
{
    const struct cov__seed *x = a, *y = b;
    return x->edge < y->edge ? -1 : x->edge > y->edge ? 1 : (x->label > y->label) - (x->label < y->label);
}

int cov__search_run(cov_ctx *ctx, cov__search *s, double cutoff)
{
    s->cutoff = cutoff;
    if (s->n_seeds > 1) qsort(s->seeds, s->n_seeds, sizeof *s->seeds, seed_cmp);
    cov__node_state *node = s->node;
    const cov__arc *arc = s->arc;
    size_t settled = 0;
    while (s->hn) {
        double d = s->heap[0].key;
        uint32_t u = s->heap[0].node;
        heap_pop(s);
        /* the next node to settle is probably the new top: load its
         * record and arcs while this one's are processed */
        if (s->hn) {
            COV__PREFETCH(&node[s->heap[0].node]);
            COV__PREFETCH(&arc[s->heap[0].first_arc]);
        }
        cov__node_state *su = &node[u];
        /* stale entry, or a second one with the same key */
        if (d != su->dist || (su->label & COV__SETTLED)) continue;
        /* only seeds beyond the cutoff get here: relaxations stay within */
        if (d > cutoff) break;
        su->label |= COV__SETTLED;
        settled++;
        uint32_t label = su->label & ~COV__SETTLED;
        for (uint32_t a = su->first_arc, end = su[1].first_arc; a < end; a++) {
            double c = d + arc[a].w;
            if (c <= cutoff && relax(ctx, s, arc[a].head, c, label) != COV_OK)
                return COV_ERR_NOMEM;
        }
    }
    s->hn = 0;
    s->n_settled += settled;
    return COV_OK;
}

double cov__search_point_cost(const cov__search *s, int64_t edge, double offset_m,
                              int64_t *out_label)
{
    double best = INFINITY;
    int64_t label = -1;
    if (out_label) *out_label = -1;
    if (edge < 0) return INFINITY;
    const cov_network *n = s->net;
    size_t e = (size_t)edge;
    double len = n->edge_len_m[e], wf = s->edge_fwd[e], wb = s->edge_bwd[e];
    double fa = len > 0 ? offset_m / len : 0, fb = len > 0 ? (len - offset_m) / len : 0;
    uint32_t u = n->edge_from[e], v = n->edge_to[e];
#define TAKE(c, l) do { double c_ = (c); int64_t l_ = (l); \
        if (c_ < best || (c_ == best && l_ < label)) { best = c_; label = l_; } } while (0)
    if (cov__search_settled(s, u) && (fa == 0 || isfinite(wf)))
        TAKE(s->node[u].dist + (fa == 0 ? 0 : wf * fa), cov__search_label(s, u));
    if (cov__search_settled(s, v) && (fb == 0 || isfinite(wb)))
        TAKE(s->node[v].dist + (fb == 0 ? 0 : wb * fb), cov__search_label(s, v));
    /* seeds on this edge: binary search for the first */
    size_t lo = 0, hi = s->n_seeds;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->seeds[mid].edge < edge) lo = mid + 1;
        else hi = mid;
    }
    for (size_t k = lo; k < s->n_seeds && s->seeds[k].edge == edge; k++) {
        const struct cov__seed *sd = &s->seeds[k];
        double along = offset_m - sd->offset_m;
        if (along >= 0 && isfinite(wf)) TAKE(sd->acc + wf * (len > 0 ? along / len : 0), sd->label);
        if (along <= 0 && isfinite(wb)) TAKE(sd->acc + wb * (len > 0 ? -along / len : 0), sd->label);
    }
#undef TAKE
    if (best > s->cutoff) return INFINITY;
    if (out_label) *out_label = label;
    return best;
}

/* ---- searches from nodes (public) ------------------------------------------ */

/* Rows of cov_network_node_search() as they are found. */
typedef struct node_rows {
    int64_t *source, *node;
    double *cost;
    size_t n, cap;
} node_rows;

static int rows_reserve(cov_ctx *ctx, node_rows *r, size_t more)
{
    if (r->n + more <= r->cap) return COV_OK;
    size_t cap = r->cap ? r->cap : 4096;
    while (cap < r->n + more) cap *= 2;
    int64_t *s = cov__realloc(ctx, r->source, cap * sizeof *s);
    if (!s) return COV_ERR_NOMEM;
    r->source = s;
    int64_t *v = cov__realloc(ctx, r->node, cap * sizeof *v);
    if (!v) return COV_ERR_NOMEM;
    r->node = v;
    double *c = cov__realloc(ctx, r->cost, cap * sizeof *c);
    if (!c) return COV_ERR_NOMEM;
    r->cost = c;
    r->cap = cap;
    return COV_OK;
}

/* Appends the settled nodes of the last run: source_of < 0 takes each
 * node's label (multi-source), else that source for all. */
static int rows_take(cov_ctx *ctx, node_rows *r, const cov__search *s, int64_t source_of)
{
    if (rows_reserve(ctx, r, s->n_touched) != COV_OK) return COV_ERR_NOMEM;
    for (size_t t = 0; t < s->n_touched; t++) {
        uint32_t u = s->touched[t];
        const cov__node_state *st = &s->node[u];
        if (!(st->label & COV__SETTLED)) continue;
        r->source[r->n] = source_of < 0 ? (int64_t)(st->label & ~COV__SETTLED) : source_of;
        r->node[r->n] = u;
        r->cost[r->n++] = st->dist;
    }
    return COV_OK;
}

static const cov_column_spec node_search_spec[] = {
    {"source_index", COV_COL_INT}, {"node", COV_COL_INT}, {"cost", COV_COL_DOUBLE}};

cov_table *cov_network_node_search(cov_ctx *ctx, cov_network *net, size_t n,
                                   const int64_t *nodes, const cov_travel *travel,
                                   double threshold, int multi)
{
    COV_CHECK_ARG(ctx, ctx && net && (n == 0 || nodes), NULL);
    cov_travel travel_copy;
    if (cov__net_take_travel(ctx, &travel, &travel_copy) != COV_OK ||
        cov__net_check_threshold(ctx, threshold) != COV_OK)
        return NULL;
    if (n >= COV__NO_LABEL)
        return cov__error(ctx, COV_ERR_ARG, "node search: %zu sources, at most %u", n,
                          COV__NO_LABEL - 1), NULL;
    for (size_t i = 0; i < n; i++)
        if (nodes[i] < 0 || (uint64_t)nodes[i] >= net->n_nodes)
            return cov__error(ctx, COV_ERR_ARG, "node search: source %zu is node %lld, "
                              "outside [0, %zu)", i, (long long)nodes[i], net->n_nodes),
                   NULL;
    cov__search s;
    node_rows rows = {0};
    int rc = cov__search_init(ctx, &s, net, travel);
    for (size_t i = 0; rc == COV_OK && i < (multi ? 1 : n); i++) {
        size_t from = multi ? 0 : i, to = multi ? n : i + 1;
        for (size_t j = from; rc == COV_OK && j < to; j++)
            rc = relax(ctx, &s, (uint32_t)nodes[j], 0, (uint32_t)j);
        if (rc == COV_OK) rc = cov__search_run(ctx, &s, threshold);
        if (rc == COV_OK) rc = rows_take(ctx, &rows, &s, multi ? -1 : (int64_t)i);
        cov__search_reset(&s);
        if (rc == COV_OK && !multi && i % 64 == 63)
            rc = cov__progress(ctx, (double)i / (double)n, "node search");
    }
    net->n_settled += s.n_settled;
    cov__search_free(&s);
    cov_table *t = NULL;
    size_t c[3];
    if (rc == COV_OK) t = cov__table_create(ctx, rows.n, 0);
    if (t && cov__table_add_columns(ctx, t, node_search_spec, 3, c) != COV_OK) {
        cov_table_destroy(t);
        t = NULL;
    }
    if (t && rows.n) {
        memcpy(cov__table_ints_mut(t, c[0]), rows.source, rows.n * sizeof *rows.source);
        memcpy(cov__table_ints_mut(t, c[1]), rows.node, rows.n * sizeof *rows.node);
        memcpy(cov__table_doubles_mut(t, c[2]), rows.cost, rows.n * sizeof *rows.cost);
    }
    free(rows.source); free(rows.node); free(rows.cost);
    return t;
}
