/* Internal: the road graph's layout, shared by building, speeds, snapping,
 * search and isochrones. */
#ifndef COV_NET_INTERNAL_H
#define COV_NET_INTERNAL_H

#include <stdint.h>

#include "core/internal.h"
#include "model/reach_sets.h"
#include "geo/geo.h"
#include "libcoverage/network.h"

/* Directions an edge may be travelled, relative to its geometry. */
enum { NET_BOTH = 0, NET_FORWARD = 1, NET_BACKWARD = 2 };

/* Lines as read, before noding: coordinates in lon/lat (JGD2011), line i
 * is vertices [off[i], off[i + 1]), with its attributes. */
typedef struct cov__lines {
    size_t n, cap_lines, n_vertices, cap_vertices;
    size_t *off;
    double *lon, *lat;
    int32_t *klass;   /* index into class names, -1: no class */
    uint8_t *dir;     /* NET_* */
    double *maxspeed; /* km/h, NaN: none */
    uint8_t *level;   /* enum cov_road_level */
    size_t *src;      /* input record or geometry of the line (for reports) */
    cov_strvec classes;
    /* for warnings at build time: lines whose maxspeed was above
     * COV_NET_MAX_SPEED_KMH (the first named), and the extent of the
     * coordinates as given when they were in a projected CRS */
    size_t n_absurd_speed;
    double absurd_speed;
    char absurd_where[160];
    int projected;
    double raw_x0, raw_y0, raw_x1, raw_y1;
} cov__lines;

/* Speeds above this (km/h) are refused by cov_network_set_speed() and read
 * from a maxspeed field as unknown. */
#define COV_NET_MAX_SPEED_KMH 300.0

void cov__lines_free(cov__lines *l);

/* pid[v] for every vertex: the first vertex with exactly the same lon/lat
 * (graph.c). COV_OK or COV_ERR_NOMEM. */
int cov__net_unique_points(cov_ctx *ctx, const cov__lines *l, uint32_t *pid);
/* Uses of each root point by line positions (a repeated point counts
 * once); with ends_twice, line ends count twice so that they are always
 * nodes. */
void cov__net_count_uses(const cov__lines *l, const uint32_t *root, uint32_t *uses,
                         int ends_twice);

/* What topology repair did (repair.c), kept by the network for
 * cov_network_joins() and cov_network_repair_report(). */
typedef struct cov__join {
    size_t line, target_line; /* input indices (cov__lines.src) */
    uint8_t end;              /* 0: the line's first point, 1: its last */
    uint8_t split;            /* 1: the target was split at a new point */
    uint8_t level, target_level;
    double gap_m;             /* geodesic, from the end to the join point */
    double lon, lat;          /* the join point */
} cov__join;

typedef struct cov__repair {
    double tolerance_m;
    size_t n_lines, n_free_ends, n_refused_level;
    size_t n_joins, n_splits;
    double largest_gap_m; /* 0 without joins */
    cov__join *joins;
} cov__repair;

/* Joins free line ends to the nearest point of another line within
 * tol_m (projected metres), never across levels (see network.h). Moves
 * each joined end onto its join point and inserts split points into the
 * target lines, in l (lon/lat) and in *x, *y (projected, reallocated), so
 * that joins become shared vertices. Fills *out (caller frees
 * out->joins). COV_OK or COV_ERR_NOMEM. */
int cov__net_repair(cov_ctx *ctx, cov__lines *l, double **x, double **y, double tol_m,
                    cov__repair *out);

/* Builds the graph from lines (consumed: freed on return). `source` names
 * the input for messages. */
cov_network *cov__network_build(cov_ctx *ctx, cov__lines *lines,
                                const cov_network_options *opt, const char *source);

/* A segment grid over the edges' projected geometry for snapping. */
typedef struct cov__seg_grid {
    double x0, y0, cell;
    size_t nx, ny;
    size_t *cell_off; /* nx * ny + 1 */
    uint32_t *seg;    /* global segment index (into gx/gy, see seg_edge) */
} cov__seg_grid;

struct cov_network {
    size_t n_nodes, n_edges;
    double *node_lon, *node_lat;
    double *node_x, *node_y; /* projected */
    uint32_t *edge_from, *edge_to;
    double *edge_len_m;   /* geodesic length of the geometry */
    double *edge_plen;    /* projected length of the geometry */
    int32_t *edge_class;  /* -1: none */
    uint8_t *edge_dir;
    double *edge_maxspeed; /* km/h, NaN: none */
    /* Geometry of edge e: projected points [geom_off[e], geom_off[e + 1])
     * from edge_from to edge_to; segment k joins points k and k + 1 of the
     * same edge. */
    size_t *geom_off;
    double *gx, *gy;
    /* Forward arcs (CSR): arcs of node u are [arc_off[u], arc_off[u + 1]);
     * arc a goes to arc_head[a] over edge arc_edge[a], along the geometry
     * unless arc_rev[a]. */
    size_t n_arcs;
    size_t *arc_off;
    uint32_t *arc_head, *arc_edge;
    uint8_t *arc_rev;
    /* Weakly connected components, largest first. */
    size_t n_components;
    uint32_t *node_comp;
    size_t *comp_nodes;
    /* Speeds: per class and the default for edges without class. */
    size_t n_classes;
    char **class_names;
    double *class_speed_kmh, *class_winter;
    double default_speed_kmh, default_winter;
    size_t n_dropped_nodes, n_dropped_edges; /* fragments removed at build */
    cov__repair repair;
    char *crs_def;    /* projected CRS (PROJ string) */
    cov_xform proj;   /* lon/lat -> projected */
    cov__seg_grid grid; /* made on first snap */
    /* Snapping rule (enum cov_snap_rule) and, made on first snap with it,
     * the strongly connected component of every node (scc.c). */
    int snap_to;
    uint32_t *node_scc;
    uint32_t largest_scc;
    size_t n_strong_components, routable_nodes;
    /* Identity for caches of analyses (analysis/reach_engine.c): a stamp
     * drawn at creation, so that a network made later at the same address
     * is never mistaken for this one, and a generation counted up by every
     * speed change. */
    uint64_t stamp, generation;
    size_t n_settled;   /* by all searches, for benchmarks */
};

/* Maps the lines' class names to the network's classes with their default
 * speeds and winter factors (speeds.c). */
int cov__net_set_classes(cov_ctx *ctx, cov_network *n, const cov__lines *l,
                         double default_kmh);

/* Cost of every edge in both directions under travel (INFINITY where the
 * direction is closed or the speed is 0): out_fwd/out_bwd of n_edges. */
int cov__net_edge_costs(cov_ctx *ctx, const cov_network *net, const cov_travel *travel,
                        double *out_fwd, double *out_bwd);

/* Cost per metre of the access leg. */
double cov__net_access_cost_per_m(const cov_travel *travel);

/* Checks a travel description. */
int cov__net_check_travel(cov_ctx *ctx, const cov_travel *travel);
/* Takes a caller's travel (cov__options_take(): older, shorter structs get
 * the defaults for what they lack) into *copy, checks it and points
 * *travel at the copy. */
int cov__net_take_travel(cov_ctx *ctx, const cov_travel **travel, cov_travel *copy);
/* The same for network options (NULL: the defaults). */
int cov__net_take_options(cov_ctx *ctx, const cov_network_options *in, cov_network_options *out);
/* Checks a search threshold (metres or seconds): >= 0, not NaN. */
int cov__net_check_threshold(cov_ctx *ctx, double threshold);

/* Where points attach to the graph. */
typedef struct cov__snap {
    size_t n;
    int64_t *edge;   /* -1: not snapped (beyond the cap, or no edge) */
    double *offset_m; /* along the edge from edge_from, in geodesic metres */
    double *dist_m;   /* snap distance (projected metres); NaN when none */
    double *x, *y;    /* snapped point, projected */
    /* 1: the nearest road was a fragment outside the routable component,
     * so the point snapped to the routable one (or, beyond the cap, to
     * nothing); COV_SNAP_ANY_EDGE never sets it. */
    uint8_t *moved;
} cov__snap;

/* Snaps points that may take part only through the routable component:
 * under COV_SNAP_ROUTABLE the nearest edge of the largest strongly
 * connected component (moved set where a fragment was nearer), else the
 * nearest edge. */
int cov__net_snap(cov_ctx *ctx, cov_network *net, size_t n, const double *lon,
                  const double *lat, double max_m, cov__snap *out);
/* Snaps sources (facilities, search origins): the nearest edge of any
 * component; an island's clinic stays on the island. */
int cov__net_snap_sources(cov_ctx *ctx, cov_network *net, size_t n, const double *lon,
                          const double *lat, double max_m, cov__snap *out);
/* Snaps demand points for sources snapped by cov__net_snap_sources():
 * under COV_SNAP_ROUTABLE the nearest edge of the largest strongly
 * connected component or of a component holding a source. */
int cov__net_snap_demand(cov_ctx *ctx, cov_network *net, const cov__snap *sources, size_t n,
                         const double *lon, const double *lat, double max_m, cov__snap *out);
void cov__snap_free(cov__snap *s);

/* The isochrone of a group of facilities (members[0..n_members) of f; all
 * of f when members is NULL): the buffer (travel->isochrone_buffer_m) of
 * the parts of edges any of them reaches within threshold, from one search
 * seeded at all of them, in lon/lat. The same polygon as the union of the
 * members' own isochrones (cov_network_isochrones). Caller frees with
 * GEOSGeom_destroy_r(); NULL with an error in ctx. */
GEOSGeometry *cov__net_group_isochrone(cov_ctx *ctx, cov_network *net, const cov_facilities *f,
                                       const size_t *members, size_t n_members,
                                       const cov_travel *travel, double threshold);

/* The units of d not snapped in *snap: demand_id, snap_distance_m. Caller
 * frees with cov_table_destroy(); NULL with an error in ctx. */
cov_table *cov__net_unreachable_table(cov_ctx *ctx, const cov_demand *d, const cov__snap *snap);

/* Finds the strongly connected components (once; scc.c): n->node_scc,
 * n->largest_scc. COV_OK or COV_ERR_NOMEM. */
int cov__net_routable(cov_ctx *ctx, cov_network *n);
/* Component of edge e, UINT32_MAX when its ends lie in different ones. */
uint32_t cov__net_edge_scc(const cov_network *n, size_t e);

/* A search workspace reused across runs: arrays of n_nodes, reset sparsely
 * (only the touched entries), so per-facility runs cost what they settle.
 *
 * Laid out for the cache: what a relaxation reads and writes about a node
 * (cost, source, settled bit, first arc) is one 16-byte record, and an arc
 * (cost, head) another, so settling a node of degree d touches about 2 + d
 * cache lines; the heap is 4-ary over 16-byte entries with lazy deletion.
 * Read the state through the accessors below. */
typedef struct cov__node_state {
    double dist;        /* INFINITY when untouched */
    uint32_t label;     /* source of the best path; top bit: settled */
    uint32_t first_arc; /* arcs of u: [first_arc, node[u + 1].first_arc) */
} cov__node_state;

typedef struct cov__arc {
    double w; /* cost (INFINITY: closed) */
    uint32_t head, pad;
} cov__arc;

typedef struct cov__heap_entry {
    double key;
    uint32_t node, first_arc; /* first_arc: to prefetch the arcs before the pop */
} cov__heap_entry;

#define COV__SETTLED 0x80000000u
#define COV__NO_LABEL 0x7fffffffu /* labels are < 2^31 - 1 */

typedef struct cov__search {
    const cov_network *net;
    cov__node_state *node; /* n_nodes + 1: the last holds the end of the arcs */
    cov__arc *arc;         /* as the network's arcs */
    double *edge_fwd, *edge_bwd;
    uint32_t *touched;
    size_t n_touched;
    cov__heap_entry *heap;
    size_t hn, hcap;
    size_t n_settled; /* over all runs, for benchmarks */
    /* seeds of the current run, sorted by edge before point queries: a
     * point on a source's own edge may be reached along it directly */
    struct cov__seed {
        int64_t edge;
        double offset_m, acc;
        int64_t label;
    } *seeds;
    size_t n_seeds, cap_seeds;
    double cutoff;
} cov__search;

/* Node u settled in the last run (cost within the cutoff). */
static inline int cov__search_settled(const cov__search *s, uint32_t u)
{
    return (s->node[u].label & COV__SETTLED) != 0;
}

/* Cost of node u (INFINITY when untouched; final once settled). */
static inline double cov__search_dist(const cov__search *s, uint32_t u)
{
    return s->node[u].dist;
}

/* Source of node u's best path, -1 when untouched. */
static inline int64_t cov__search_label(const cov__search *s, uint32_t u)
{
    uint32_t l = s->node[u].label & ~COV__SETTLED;
    return l == COV__NO_LABEL ? -1 : (int64_t)l;
}

/* Cost of arc a (INFINITY: closed). */
static inline double cov__search_arc_w(const cov__search *s, size_t a)
{
    return s->arc[a].w;
}

int cov__search_init(cov_ctx *ctx, cov__search *s, const cov_network *net,
                     const cov_travel *travel);
void cov__search_free(cov__search *s);

/* Seeds of source `label` (0 <= label < 2^31 - 1) snapped at (edge,
 * offset) with access cost acc: the ends of the edge it can leave by.
 * Returns COV_OK, COV_ERR_NOMEM or COV_ERR_ARG (label out of range). */
int cov__search_seed(cov_ctx *ctx, cov__search *s, int64_t edge, double offset_m,
                     double acc, int64_t label);

/* Runs Dijkstra from the seeds, settling nodes with cost <= cutoff; entries
 * touched stay until cov__search_reset(). */
int cov__search_run(cov_ctx *ctx, cov__search *s, double cutoff);
void cov__search_reset(cov__search *s);

/* Cost to reach a point snapped at (edge, offset) after cov__search_run()
 * (not counting the point's own access leg; seeds on the same edge
 * included), INFINITY if none within the cutoff; *out_label gets the
 * source (may be NULL). */
double cov__search_point_cost(const cov__search *s, int64_t edge, double offset_m,
                              int64_t *out_label);

/* Reach sets of the snapped facilities over the snapped units within
 * threshold (the travel metric's unit), access legs at both ends included (units of a set in
 * ascending order). COV_OK or an error in ctx (then *out is zeroed). */
int cov__net_reach_sets(cov_ctx *ctx, cov_network *net, const cov__snap *fac,
                        const cov__snap *units, const cov_travel *travel,
                        double threshold, cov__reach_sets *out);

#endif /* COV_NET_INTERNAL_H */
