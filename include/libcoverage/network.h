/*
 * Road networks: travel distance and time along roads.
 *
 * A network is built from line layers (a shapefile, or flat coordinate
 * arrays): lines are noded where they share a vertex, and where a line's
 * free end lies within a tolerance of another line (topology repair, see
 * cov_network_joins()); they are split into edges at the nodes and stored
 * compactly (CSR adjacency). Each edge keeps its geodesic length (GRS80),
 * road class, one-way rule and speed.
 *
 * Speeds come from a per-class table (defaults for Japan, Geofabrik `fclass`
 * names, see cov_network_set_speed()), from a maxspeed field where it holds
 * a positive value, or from a fixed speed for layers without attributes. A
 * winter scenario lowers speeds: by default v_winter = max(v - 10 km/h,
 * v / 2). The 10 km/h is the drop measured on snow- and ice-covered
 * surfaces of a rural two-lane national road (CERI 1996, Ishimoto et al.,
 * "Vehicle Speed and Visibility on Winter Roads", 国道230 中山峠; CERI's
 * 土木試験所 report found 52-59 km/h snow-free vs 46-57 km/h in winter on
 * two-lane roads); applying it to motorways and to urban and residential
 * streets is an extrapolation, and the floor of half the speed has no
 * source (libcoverage/net/speeds.c gives the references).
 * cov_network_set_winter_factor() replaces the rule per class.
 *
 * Facilities and demand units attach to the nearest point of the nearest
 * edge; the leg from the point to the road (the access leg) is costed at
 * cov_travel.access_speed_kmh. Units farther than cov_travel.snap_max_m from
 * every road count as unreachable and are listed.
 *
 * Searches are bounded Dijkstra runs from the facilities (the carer drives
 * to the patient, so one-way rules apply outward), with memory linear in
 * the graph: no all-pairs matrix is ever built.
 */
#ifndef LIBCOVERAGE_NETWORK_H
#define LIBCOVERAGE_NETWORK_H

#include "libcoverage/demand.h"
#include "libcoverage/facilities.h"
#include "libcoverage/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cov_network cov_network;

/* How a network is read and noded. */
typedef struct cov_network_options {
    size_t struct_size; /* set by _init() (see cov_analysis_options) */
    /* Topology repair: a free line end (a first or last point no other
     * line position shares) within this distance of another line is joined
     * to the nearest point of that line, which is split there; to a vertex
     * of it instead when the vertex is at most a quarter of the tolerance
     * farther than that point (no edge of centimetres beside a vertex).
     * Never across levels: see enum cov_road_level. An end whose join point
     * has moved (it was itself a free end, joined first) farther than the
     * tolerance stays free. Metres in the network's local transverse
     * Mercator projection (scale within 0.1 % of true over a prefecture);
     * 0 joins only identical vertices. */
    double node_tolerance_m;
    /* Fields of a shapefile's .dbf: road class (Geofabrik `fclass`), one-way
     * rule (`oneway`: F forward, T backward, B both; also yes/no/1/-1) and
     * speed in km/h (`maxspeed`; 0 or empty means unknown). NULL takes the
     * Geofabrik name when the .dbf has that field; "" means none. A field
     * named explicitly must exist. */
    const char *class_field;
    const char *oneway_field;
    const char *speed_field;
    /* Speed of edges without a class (attribute-less layers), km/h. */
    double default_speed_kmh;
    /* Components with fewer nodes are dropped (a notice says how many);
     * 0 or 1 keeps every component. */
    size_t min_component_nodes;
    /* CRS of the coordinates; NULL: the .prj, else JGD2011 lon/lat. */
    const char *crs;
    /* Where points snap (enum cov_snap_rule): by default to the nearest edge
     * of the routable part, the largest strongly connected component, so
     * that no point lands on a fragment that reaches nothing. */
    int snap_to;
    /* Shapefile flags of the line's level (enum cov_road_level) for
     * topology repair: T, yes, 1 or true is a bridge (resp. tunnel); a
     * line flagged both is a bridge. NULL takes Geofabrik's `bridge` and
     * `tunnel` when the .dbf has them; "" means none; a field named
     * explicitly must exist. (Added with issue 14: programs built
     * against older headers get the defaults.) */
    const char *bridge_field;
    const char *tunnel_field;
} cov_network_options;

/* Where points (facilities, demand units) attach to a network. */
enum cov_snap_rule {
    /* The nearest edge of the largest strongly connected component; points
     * whose nearest road is a fragment move to it (when it is within the
     * snap cap; else they are unreachable) and are counted. */
    COV_SNAP_ROUTABLE = 0,
    /* The nearest edge, whatever its component (before issue 21). */
    COV_SNAP_ANY_EDGE = 1
};

/* Levels of a road line, for topology repair. A free end of a line joins
 * only lines of its own level: a ground road never joins a bridge or a
 * tunnel passing over or under it, nor a bridge a tunnel. Where a bridge
 * really meets its approach road they share a vertex, which noding keeps
 * whatever the levels; only the tolerance joins are restricted. So a
 * bridge cut at a tile edge joins its other half (also a bridge), not the
 * river road cut at the same edge below it. Fords are ground. */
enum cov_road_level {
    COV_ROAD_GROUND = 0,
    COV_ROAD_BRIDGE = 1,
    COV_ROAD_TUNNEL = 2
};

/* Fills *options with the defaults: node_tolerance_m 1, Geofabrik fields
 * when present, default_speed_kmh 30, min_component_nodes 0, crs NULL,
 * snap_to COV_SNAP_ROUTABLE. */
COV_API void cov_network_options_init(cov_network_options *options);

/* Reads a network from a line shapefile. The .dbf may be missing (then no
 * attributes: every edge gets default_speed_kmh). Null shapes are skipped;
 * non-finite coordinates fail with the file and record. options may be
 * NULL. Returns a network the caller frees with cov_network_destroy(), or
 * NULL with an error in ctx. */
COV_API cov_network *cov_network_read_shp(cov_ctx *ctx, const char *path,
                                          const cov_network_options *options);

/* Builds a network from n_lines polylines in flat arrays: line i has the
 * points [offsets[i], offsets[i + 1]) of x and y (offsets has n_lines + 1
 * entries, offsets[0] = 0). classes (may be NULL), oneway (NULL: all both
 * ways; 0 both, 1 forward, -1 backward) and maxspeed_kmh (NULL: none; NaN
 * or <= 0: none) have one entry per line. Coordinates are in options->crs
 * (NULL: lon/lat). Caller frees with cov_network_destroy(). */
COV_API cov_network *cov_network_from_arrays(
    cov_ctx *ctx, size_t n_lines, const size_t *offsets, const double *x,
    const double *y, const char *const *classes, const int8_t *oneway,
    const double *maxspeed_kmh, const cov_network_options *options);

/* Builds a network from n WKB geometries (LineString or MultiLineString,
 * lon/lat unless options->crs says otherwise); the other arrays as in
 * cov_network_from_arrays(), one entry per geometry. Returns a network the
 * caller frees with cov_network_destroy(), or NULL with an error in ctx
 * naming the geometry. */
COV_API cov_network *cov_network_from_wkb(
    cov_ctx *ctx, size_t n, const unsigned char *const *wkb, const size_t *wkb_size,
    const char *const *classes, const int8_t *oneway, const double *maxspeed_kmh,
    const cov_network_options *options);

/* Road lines in flat arrays, with the attributes a layer may have: the
 * parameter object of cov_network_from_lines(). Make it with
 * cov_road_lines_init() (which sets struct_size and NULLs the rest), then
 * set members; the arrays stay the caller's. */
typedef struct cov_road_lines {
    size_t struct_size; /* set by _init() (see cov_analysis_options) */
    size_t n_lines;
    /* line i has the points [offsets[i], offsets[i + 1]) of x and y
     * (n_lines + 1 entries, offsets[0] = 0), in the options' crs (NULL:
     * lon/lat); lines with no point are skipped */
    const size_t *offsets;
    const double *x, *y;
    /* class of each line: an index into class_names (n_class_names
     * names), -1 for none; NULL: no classes */
    const int32_t *class_codes;
    const char *const *class_names;
    size_t n_class_names;
    const int8_t *oneway;        /* NULL: both ways; 0 both, 1 forward, -1 backward */
    const double *maxspeed_kmh;  /* NULL: none; NaN or <= 0: none */
    const uint8_t *level;        /* enum cov_road_level; NULL: all ground */
} cov_road_lines;

/* Fills *lines with struct_size and no lines. */
COV_API void cov_road_lines_init(cov_road_lines *lines);

/* Builds a network from lines (see cov_road_lines) in one call; messages
 * name the line by its index ("road lines line 12 point 3"). Returns a
 * network the caller frees with cov_network_destroy(), or NULL with an
 * error in ctx (bad arrays, codes or levels, coordinates that are not
 * finite or not lon/lat, no line). */
COV_API cov_network *cov_network_from_lines(cov_ctx *ctx, const cov_road_lines *lines,
                                            const cov_network_options *options);

/* What topology repair did, one row per join of a free line end:
 * line (the input index of the line whose end was joined: shapefile
 * record, WKB geometry or cov_road_lines line), end (0: its first point,
 * 1: its last), target_line (input index of the line joined), gap_m (the
 * geodesic distance closed), split (1: the target line was split at a new
 * point; 0: joined to one of its vertices), level, target_level (enum
 * cov_road_level; always equal), lon, lat (the join point). Rows in the
 * order of the lines. Caller frees with cov_table_destroy(); NULL with an
 * error in ctx. */
COV_API cov_table *cov_network_joins(cov_ctx *ctx, const cov_network *network);

/* The repair in one row: node_tolerance_m, n_lines, n_free_ends (line
 * ends no other line position shares, before repair), n_joins, n_splits,
 * n_refused_level (free ends left free because only lines of another
 * level lay within the tolerance), largest_gap_m (0 without joins),
 * n_components, largest_share_length (share of the network's length in
 * component 0, the largest by nodes; 0 to 1). Caller frees with cov_table_destroy();
 * NULL with an error in ctx. */
COV_API cov_table *cov_network_repair_report(cov_ctx *ctx, const cov_network *network);

/* Frees a network. NULL is a no-op. */
COV_API void cov_network_destroy(cov_network *network);

/* Sizes: nodes, edges (each edge may be travelled in one or both
 * directions), weakly connected components; 0 for NULL. */
COV_API size_t cov_network_node_count(const cov_network *network);
COV_API size_t cov_network_edge_count(const cov_network *network);
COV_API size_t cov_network_component_count(const cov_network *network);

/* Node coordinates (lon/lat JGD2011), node_count() entries each, and the
 * component of each node (0 is the largest). Owned by the network; NULL
 * for NULL or an empty network. */
COV_API const double *cov_network_node_lon(const cov_network *network);
COV_API const double *cov_network_node_lat(const cov_network *network);
COV_API const uint32_t *cov_network_node_component(const cov_network *network);

/* Edge endpoints (node indices, the edge's geometry runs from `from` to
 * `to`) and geodesic lengths in metres, edge_count() entries. Owned by the
 * network; NULL for NULL or a network without edges. */
COV_API const uint32_t *cov_network_edge_from(const cov_network *network);
COV_API const uint32_t *cov_network_edge_to(const cov_network *network);
COV_API const double *cov_network_edge_length_m(const cov_network *network);

/* Components, largest first: component, n_nodes, n_edges, length_km.
 * Caller frees with cov_table_destroy(); NULL with an error in ctx. */
COV_API cov_table *cov_network_components(cov_ctx *ctx, const cov_network *network);

/* Road classes in the network and the speed and winter factor used for
 * each: class ("" for edges without class), n_edges, length_km, speed_kmh,
 * winter_factor (winter speed / speed at the class speed: the default
 * rule's max(1 - 10 / v, 0.5), or the factor set). Caller frees with
 * cov_table_destroy(); NULL with an error in ctx. */
COV_API cov_table *cov_network_classes(cov_ctx *ctx, const cov_network *network);

/* Sets the speed of a road class in km/h (road_class NULL or "": edges
 * without class). 0 closes the class. Classes not in the network are
 * accepted (and ignored). */
COV_API int cov_network_set_speed(cov_ctx *ctx, cov_network *network,
                                  const char *road_class, double speed_kmh);

/* Sets the winter factor of a class (speed multiplier in (0, 1]), replacing
 * the default rule (10 km/h less, at least half) for that class; road_class
 * NULL or "": edges without class. */
COV_API int cov_network_set_winter_factor(cov_ctx *ctx, cov_network *network,
                                          const char *road_class, double factor);

/* What a search measures. */
enum cov_travel_metric {
    COV_TRAVEL_STRAIGHT = 0, /* geodesic metres: a travel model's, never a search's */
    COV_TRAVEL_DISTANCE = 1, /* metres along roads */
    COV_TRAVEL_TIME = 2      /* seconds at the edges' speeds */
};

/* How to travel on a network: metric, season, how points attach. The
 * threshold (how far a search goes) is never part of it: every search and
 * every analysis query takes its own threshold, in the metric's unit. */
typedef struct cov_travel {
    size_t struct_size; /* set by _init() (see cov_analysis_options) */
    int metric;              /* enum cov_travel_metric */
    int winter;              /* time: winter speeds (see above) */
    double snap_max_m;       /* farther points are unreachable */
    double access_speed_kmh; /* time cost of the access leg */
    /* Lateral buffer of isochrones (service areas and gaps), metres,
     * > 0 and <= 10 km. */
    double isochrone_buffer_m;
} cov_travel;

/* Fills *travel with the defaults: distance, no winter, snap_max_m 1000,
 * access_speed_kmh 15 (a slow drive along a private way or a parking lot;
 * the access leg is short), isochrone_buffer_m 100. */
COV_API void cov_travel_init(cov_travel *travel);

/* Cost of each edge in each direction under travel (+INFINITY where the
 * direction is closed: one-way, or speed 0). out_forward and out_backward
 * are the caller's, edge_count() entries. COV_OK, or COV_ERR_ARG in ctx for
 * a bad travel. */
COV_API int cov_network_edge_costs(cov_ctx *ctx, const cov_network *network,
                                   const cov_travel *travel, double *out_forward,
                                   double *out_backward);

/* Where n points attach (under the network's snap_to rule): columns index,
 * edge, offset_m (along the edge from its `from` node), snap_distance_m,
 * snapped (1, or 0 beyond travel->snap_max_m), moved_off_fragment (1: the
 * nearest road within the cap is a fragment outside the routable
 * component, so the point attached to the routable one, or to nothing),
 * snap point geometry (lon/lat). Caller frees with cov_table_destroy();
 * NULL with an error in ctx (bad coordinates or snap_max_m). */
COV_API cov_table *cov_network_snap(cov_ctx *ctx, cov_network *network, size_t n,
                                    const double *lon, const double *lat,
                                    double snap_max_m);

/* Multi-source search from n points: for every node, the cost from the
 * nearest source (+INFINITY beyond threshold, in metres or seconds of
 * travel's metric, or unreachable) and that source's index (-1 then).
 * Sources beyond snap_max_m take no part. out_cost and out_source have
 * node_count() entries. COV_OK or an error in ctx. */
COV_API int cov_network_node_costs(cov_ctx *ctx, cov_network *network, size_t n,
                                   const double *lon, const double *lat,
                                   const cov_travel *travel, double threshold,
                                   double *out_cost, int64_t *out_source);

/* Reach per demand unit and kind along the network: nearest facility of the
 * kind within threshold (access legs at both ends included), its cost,
 * and how many facilities of the kind lie within the threshold. kind NULL
 * gives every kind in long form. Columns: demand_id, kind, nearest_id (""
 * when none within the threshold), nearest_index (-1 then), cost (metres or
 * seconds; NaN then), n_within, snap_distance_m (NaN when the unit is
 * unreachable: farther than snap_max_m from every road). Caller frees with
 * cov_table_destroy(). */
COV_API cov_table *cov_network_reach(cov_ctx *ctx, cov_network *network,
                                     const cov_facilities *facilities,
                                     const cov_demand *demand, const char *kind,
                                     const cov_travel *travel, double threshold);

/* Per-facility reach sets: one row per facility and demand unit it reaches
 * within threshold: facility_id, facility_index, demand_id, demand_index,
 * cost. Rows by facility, then demand index. Caller frees with
 * cov_table_destroy(); NULL with an error in ctx. */
COV_API cov_table *cov_network_reach_sets(cov_ctx *ctx, cov_network *network,
                                          const cov_facilities *facilities,
                                          const cov_demand *demand,
                                          const cov_travel *travel, double threshold);

/* Demand units farther than snap_max_m from every road they may snap to
 * (under COV_SNAP_ROUTABLE: of the largest strongly connected component;
 * an analysis also counts the components of its facilities, see
 * cov_analysis_unreachable()): demand_id, snap_distance_m (NaN when there is
 * no such road). Caller frees with cov_table_destroy(). */
COV_API cov_table *cov_network_unreachable(cov_ctx *ctx, cov_network *network,
                                           const cov_demand *demand,
                                           const cov_travel *travel);

/* What cov_network_isochrones() returns. */
enum cov_isochrone_mode {
    COV_ISOCHRONE_BY_FACILITY = 1, /* facility_id, kind, area_km2 */
    COV_ISOCHRONE_BY_KIND = 2      /* kind, n_facilities, area_km2 */
};

/* Service-area polygons (lon/lat): the parts of edges reachable within
 * threshold (edges cut where the budget runs out, the facility's access
 * leg included) buffered laterally by travel->isochrone_buffer_m metres. A
 * polygon never holds a point farther than the buffer from a reached part
 * of an edge. Facilities beyond snap_max_m get an empty polygon. Caller
 * frees with cov_table_destroy(); NULL with an error in ctx. */
COV_API cov_table *cov_network_isochrones(cov_ctx *ctx, cov_network *network,
                                          const cov_facilities *facilities,
                                          const cov_travel *travel, double threshold,
                                          int mode);

/* Bounded searches from graph nodes instead of snapped points (graph tools,
 * benchmarks, comparisons with other routers): sources are n node indices
 * (0 <= nodes[i] < node_count(), repeats allowed) at cost 0, no access leg;
 * travel->snap_max_m is not used. With multi != 0, one search from all of
 * them together: a row per node within threshold, with its nearest
 * source (ties: the smallest index). Otherwise one search per source: a
 * row per node of its reach set, rows grouped by source in source order.
 * Within a search, rows come in the order nodes were reached. Columns:
 * source_index (into nodes), node, cost (metres or seconds). Caller frees
 * with cov_table_destroy(); NULL with an error in ctx on failure. */
COV_API cov_table *cov_network_node_search(cov_ctx *ctx, cov_network *network, size_t n,
                                           const int64_t *nodes, const cov_travel *travel,
                                           double threshold, int multi);

/* Nodes settled by searches on this network since it was made (for
 * benchmarks: settled nodes per second). */
COV_API size_t cov_network_settled_count(const cov_network *network);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_NETWORK_H */
