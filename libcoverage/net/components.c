/* The components table of a network (cov_network_components()).
 *
 * network.h declares it; the graph builder already finds the weakly
 * connected components (largest first) and labels every node, so this only
 * counts nodes, edges and length per label. */
#include <stdlib.h>
#include "net/net_internal.h"
#include "io/table_internal.h"

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
    int64_t *id = cov__table_ints_mut(t, c[0]), *nn = cov__table_ints_mut(t, c[1]),
            *ne = cov__table_ints_mut(t, c[2]);
    double *len = cov__table_doubles_mut(t, c[3]);
    for (size_t k = 0; k < n->n_components; k++) {
        id[k] = (int64_t)k;
        nn[k] = ne[k] = 0;
        len[k] = 0.0;
    }
    for (size_t v = 0; v < n->n_nodes; v++) nn[n->node_comp[v]]++;
    /* Both ends of an edge lie in one component: label it by its first. */
    for (size_t e = 0; e < n->n_edges; e++) {
        uint32_t k = n->node_comp[n->edge_from[e]];
        ne[k]++;
        len[k] += n->edge_len_m[e] / 1000.0;
    }
    return t;
}
