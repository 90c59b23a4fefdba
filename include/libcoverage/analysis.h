/*
 * Straight-line analysis: reach, coverage, service areas and gaps.
 *
 * Distances are geodesic on the GRS80 ellipsoid (the legal 16 km rule is a
 * straight-line distance). Areas and polygon work happen in a projected CRS
 * chosen for the data: by default a Lambert azimuthal equal-area projection
 * centred on the regions, so that areas and area shares are exact; service
 * circles are built from geodesic points (geod_direct) projected into it.
 *
 * Coverage counts a demand unit as covered when its point (a mesh cell's
 * centroid) lies within the radius of a facility; the whole weight of the
 * unit then counts as covered. Area figures are computed from the polygons.
 *
 * Every query takes a travel model (libcoverage/travel.h; NULL: the
 * straight line) and a threshold in the model's unit: metres of straight
 * line, metres along roads (COV_TRAVEL_DISTANCE) or seconds along roads
 * (COV_TRAVEL_TIME), access legs at both ends included. Along roads:
 * - reach: nearest facility of the kind within the threshold ("" / -1 /
 *   NaN when none: the search is bounded); distance_m is the length of the
 *   path to it and n_within the facilities within the threshold; two more
 *   columns: time_s (the path's time; with the distance metric, the time
 *   along the shortest path) and snap_distance_m (the unit's access leg,
 *   NaN when unreachable), then lon and lat as on the straight line.
 * - coverage and gaps count a unit covered when a facility reaches it
 *   within the threshold.
 * - service areas are isochrones: the reached parts of edges buffered by
 *   the model's isochrone buffer, per facility, or per region and kind as
 *   their union clipped to the region; they never claim land farther than
 *   the buffer from a reached road. Gaps are the regions minus these
 *   unions.
 * Facilities and demand units are snapped to a network once per analysis,
 * network and snap cap (at the first query with such a model); units
 * farther than the snap cap from every road are unreachable: never
 * covered, reported in a warning and listed by cov_analysis_unreachable().
 *
 * Results are cached per (model, threshold): asking again is cheap, and
 * asking with another model never changes the answers for the first.
 */
#ifndef LIBCOVERAGE_ANALYSIS_H
#define LIBCOVERAGE_ANALYSIS_H

#include "libcoverage/demand.h"
#include "libcoverage/facilities.h"
#include "libcoverage/network.h"
#include "libcoverage/regions.h"
#include "libcoverage/travel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest coastal snap distance (metres): a cell in the sea joins a
 * region across a strait, never across a prefecture. */
#define COV_MAX_COASTAL_SNAP_M 100000.0

/* Names of the two derived kinds in coverage and gap tables. */
#define COV_KIND_DOCTOR_ANY "doctor_any"
#define COV_KIND_DOCTOR_AND_NURSING "doctor_and_nursing"

typedef struct cov_analysis_options {
    /* sizeof the struct as the caller was built: set by the _init()
     * function, so that the struct can grow without breaking programs
     * built against older headers. */
    size_t struct_size;
    /* A demand point outside every region joins the nearest region within
     * this distance (coastal cells whose centroid falls in the sea); 0 to
     * COV_MAX_COASTAL_SNAP_M. */
    double coastal_snap_m;
    /* Projected CRS for areas and polygons ("EPSG:n", PROJ string or WKT);
     * NULL chooses a Lambert azimuthal equal-area projection centred on the
     * regions. */
    const char *crs;
    /* Vertices of a service circle. */
    int circle_segments;
    /* Kinds given by doctors (their union is COV_KIND_DOCTOR_ANY) and by
     * nurses. NULL takes the defaults: zaishin, zaibyo, enhanced_single,
     * enhanced_network, backup_hospital, hospital, clinic; and nursing. */
    const char *const *doctor_kinds;
    size_t n_doctor_kinds;
    const char *const *nursing_kinds;
    size_t n_nursing_kinds;
    /* Land beyond the regions (e.g. every municipality of the prefecture
     * and its neighbours), borrowed for cov_analysis_create() only; NULL:
     * none. The coastal rule applies only to points that are not on land:
     * a point outside every region but inside the land (a cell of a
     * neighbouring town) stays outside ("outside_land" in
     * cov_analysis_assignment()), never joins a region. */
    const cov_regions *land;
} cov_analysis_options;

/* Fills *options with the defaults: coastal_snap_m 1000, crs NULL,
 * circle_segments 128, default kind lists, land NULL. */
COV_API void cov_analysis_options_init(cov_analysis_options *options);

typedef struct cov_analysis cov_analysis;

/* Prepares an analysis: projects the regions and assigns every demand unit
 * to the region containing its point, else (when the point is not on
 * options->land) to the nearest region within options->coastal_snap_m;
 * units left unassigned are reported in a warning
 * (see cov_analysis_assignment()) and excluded from coverage, never dropped
 * silently. options may be NULL (defaults). The inputs are borrowed: they
 * must stay alive and unchanged while the analysis is used (destroying it
 * does not touch them, so they may be destroyed first). Facilities outside every
 * region still count for reach. Returns an analysis the caller frees with
 * cov_analysis_destroy(), or NULL with an error in ctx. */
COV_API cov_analysis *cov_analysis_create(cov_ctx *ctx,
                                          const cov_regions *regions,
                                          const cov_facilities *facilities,
                                          const cov_demand *demand,
                                          const cov_analysis_options *options);

/* The projected CRS used for areas, as a PROJ string. Owned by the
 * analysis; NULL for NULL. */
COV_API const char *cov_analysis_crs(const cov_analysis *analysis);

/* Region index of each demand unit (-1 when unassigned), cov_demand_count()
 * entries. Owned by the analysis. */
COV_API const int64_t *cov_analysis_demand_region(
    const cov_analysis *analysis);

/* Number of demand units assigned to no region; 0 for NULL. */
COV_API size_t cov_analysis_unassigned_count(const cov_analysis *analysis);

/* How each demand unit was assigned: columns demand_id, region_id ("" when
 * unassigned), method ("inside", "snapped", "outside_land": on the land
 * layer outside every region, or "unassigned": in no region nor within the
 * coastal snap distance of one) and snap_distance_m (0 inside, NaN when
 * not assigned). Caller frees with cov_table_destroy(); NULL with an error
 * in ctx. */
COV_API cov_table *cov_analysis_assignment(cov_ctx *ctx,
                                           const cov_analysis *analysis);

/* Reach per demand unit and kind under model (NULL: straight line): for
 * each unit, the nearest facility of the kind (geodesic distance; along
 * roads, see above) and how many of that kind lie within threshold.
 * kind NULL gives every kind of the facilities, then COV_KIND_DOCTOR_ANY
 * (the nearest doctor of any kind) when there are doctors, in long form;
 * kind may also be COV_KIND_DOCTOR_ANY. Columns:
 * demand_id, region_id, kind, nearest_id ("" when the kind has no
 * facility), nearest_index (-1 then), distance_m (NaN then), n_within,
 * lon, lat (the unit's point, JGD2011 degrees, so a written table can be
 * mapped alone). Cost grows as (demand + facilities) log(facilities). Caller frees with
 * cov_table_destroy(); NULL with an error in ctx (COV_ERR_ARG for an
 * unknown kind or a threshold out of range). */
COV_API cov_table *cov_analysis_reach(cov_ctx *ctx, cov_analysis *analysis,
                                      const cov_travel_model *model, const char *kind,
                                      double threshold);

/* Flags of cov_analysis_coverage(). */
enum cov_coverage_flags {
    COV_COVERAGE_NO_AREA = 1 /* skip the polygon work: area columns NaN */
};

/* Coverage per region and kind within threshold under model (NULL:
 * straight line), weighted by weight column
 * `weight` of the demand. One row per region and kind, then per region the
 * derived kinds COV_KIND_DOCTOR_ANY and COV_KIND_DOCTOR_AND_NURSING (a
 * doctor kind AND a nursing kind within reach) when the facilities have
 * both. Columns: region_id, region_name, kind, n_facilities (inside the
 * region; for COV_KIND_DOCTOR_AND_NURSING doctors plus nurses),
 * demand_total, demand_covered, share_covered, demand_redundant
 * (>= 2 facilities of the kind within reach), share_redundant, area_km2,
 * area_covered_km2, share_area_covered. Shares of an empty total are NaN.
 * Caller frees with cov_table_destroy(); NULL with an error in ctx. */
COV_API cov_table *cov_analysis_coverage(cov_ctx *ctx, cov_analysis *analysis,
                                         const cov_travel_model *model, double threshold,
                                         size_t weight, int flags);

/* What cov_analysis_service_areas() returns. */
enum cov_service_area_mode {
    /* One geodesic circle (along roads: isochrone) per facility,
     * unclipped: facility_id, kind, area_km2. */
    COV_AREAS_BY_FACILITY = 1,
    /* Per region and kind, the union of the circles clipped to the region:
     * region_id, kind, area_km2 (derived kinds included). */
    COV_AREAS_BY_REGION_KIND = 2
};

/* Service-area polygons within threshold under model (lon/lat geometry).
 * With COV_AREAS_BY_REGION_KIND, kind selects one kind (or derived kind);
 * NULL gives every one. kind must be NULL with COV_AREAS_BY_FACILITY.
 * Caller frees with cov_table_destroy(); NULL with an error in ctx. */
COV_API cov_table *cov_analysis_service_areas(cov_ctx *ctx,
                                              cov_analysis *analysis,
                                              const cov_travel_model *model,
                                              double threshold, int mode, const char *kind);

/* Uncovered land under model within threshold: per region and kind (NULL:
 * every kind and the derived kinds), the region minus the union of the
 * kind's service areas. Columns:
 * region_id, region_name, kind, area_km2, n_parts, demand_uncovered (weight
 * column `weight` of the units whose point lies outside every circle).
 * Regions fully covered get no row. Caller frees with cov_table_destroy();
 * NULL with an error in ctx. */
COV_API cov_table *cov_analysis_gaps(cov_ctx *ctx, cov_analysis *analysis,
                                     const cov_travel_model *model, double threshold,
                                     const char *kind, size_t weight);

/* Demand units farther than the snap cap of a road model from every road
 * they may snap to: demand_id, snap_distance_m (as
 * cov_network_unreachable()). Caller frees with cov_table_destroy(); NULL
 * with COV_ERR_ARG in ctx for the straight line. */
COV_API cov_table *cov_analysis_unreachable(cov_ctx *ctx, cov_analysis *analysis,
                                            const cov_travel_model *model);

/* Frees an analysis. NULL is a no-op. */
COV_API void cov_analysis_destroy(cov_analysis *analysis);

/* Geodesic distance in metres between two lon/lat points on GRS80, or NaN
 * (with COV_ERR_ARG in ctx) for coordinates out of range. */
COV_API double cov_geodesic_distance_m(cov_ctx *ctx, double lon1, double lat1,
                                       double lon2, double lat2);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_ANALYSIS_H */
