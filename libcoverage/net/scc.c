/* The strongly connected components of a road graph (iterative Tarjan over
 * the forward arcs) and its routable part: the largest of them. A point
 * snapped to a fragment outside it can reach, or be reached from, almost
 * nothing, so by default demand points snap to the nearest edge of this
 * component, or of a component holding a facility (an island with its own
 * clinic), instead (issue 21; pandana and QGIS restrict snapping the same
 * way). */
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"

#define UNSEEN UINT32_MAX

int cov__net_routable(cov_ctx *ctx, cov_network *n)
{
    if (n->node_scc) return COV_OK;
    size_t nn = n->n_nodes;
    uint32_t *index = cov__mallocarray(ctx, nn ? nn : 1, sizeof *index);
    uint32_t *low = cov__mallocarray(ctx, nn ? nn : 1, sizeof *low);
    uint32_t *comp = cov__mallocarray(ctx, nn ? nn : 1, sizeof *comp);
    uint32_t *stack = cov__mallocarray(ctx, nn ? nn : 1, sizeof *stack);
    /* the call stack of the depth-first search: node and its next arc */
    uint32_t *call_node = cov__mallocarray(ctx, nn ? nn : 1, sizeof *call_node);
    size_t *call_arc = cov__mallocarray(ctx, nn ? nn : 1, sizeof *call_arc);
    uint8_t *on_stack = cov__calloc(ctx, nn ? nn : 1, 1);
    int rc = index && low && comp && stack && call_node && call_arc && on_stack
                 ? COV_OK
                 : COV_ERR_NOMEM;
    size_t n_comp = 0, best = 0, best_size = 0;
    if (rc == COV_OK) {
        for (size_t u = 0; u < nn; u++) index[u] = UNSEEN;
        uint32_t next = 0;
        size_t sp = 0;
        for (size_t root = 0; root < nn; root++) {
            if (index[root] != UNSEEN) continue;
            size_t depth = 0;
            call_node[0] = (uint32_t)root;
            call_arc[0] = n->arc_off[root];
            index[root] = low[root] = next++;
            stack[sp++] = (uint32_t)root;
            on_stack[root] = 1;
            for (;;) {
                uint32_t u = call_node[depth];
                if (call_arc[depth] < n->arc_off[u + 1]) {
                    uint32_t v = n->arc_head[call_arc[depth]++];
                    if (index[v] == UNSEEN) {
                        index[v] = low[v] = next++;
                        stack[sp++] = v;
                        on_stack[v] = 1;
                        depth++;
                        call_node[depth] = v;
                        call_arc[depth] = n->arc_off[v];
                    } else if (on_stack[v] && index[v] < low[u]) {
                        low[u] = index[v];
                    }
                    continue;
                }
                if (low[u] == index[u]) { /* u roots a component: pop it */
                    size_t size = 0;
                    uint32_t w;
                    do {
                        w = stack[--sp];
                        on_stack[w] = 0;
                        comp[w] = (uint32_t)n_comp;
                        size++;
                    } while (w != u);
                    if (size > best_size) best_size = size, best = n_comp;
                    n_comp++;
                }
                if (depth == 0) break;
                depth--;
                uint32_t parent = call_node[depth];
                if (low[u] < low[parent]) low[parent] = low[u];
            }
        }
    }
    free(index), free(low), free(stack), free(call_node), free(call_arc);
    free(on_stack);
    if (rc != COV_OK) {
        free(comp);
        return cov__error(ctx, rc, "road graph: out of memory finding its routable component");
    }
    n->node_scc = comp;
    n->n_strong_components = n_comp;
    n->largest_scc = (uint32_t)best;
    n->routable_nodes = best_size;
    return COV_OK;
}

/* The strongly connected component an edge lies in, or UINT32_MAX when its
 * ends lie in different ones (a one-way link between components). */
uint32_t cov__net_edge_scc(const cov_network *n, size_t e)
{
    uint32_t a = n->node_scc[n->edge_from[e]], b = n->node_scc[n->edge_to[e]];
    return a == b ? a : UNSEEN;
}
