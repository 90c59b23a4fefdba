/* The part of include/libcoverage/*.h that zaitaku uses, as cffi's cdef
 * reads it: no macros, no includes; enum values written out. Kept in step
 * with the headers by tests/python/test_cdef.py. */

typedef struct cov_ctx cov_ctx;
typedef struct cov_table cov_table;
typedef struct cov_output_set cov_output_set;
typedef struct cov_regions cov_regions;
typedef struct cov_facilities cov_facilities;
typedef struct cov_demand cov_demand;
typedef struct cov_analysis cov_analysis;
typedef struct cov_travel_model cov_travel_model;

enum cov_status {
    COV_OK = 0, COV_ERR_NOMEM = 1, COV_ERR_ARG = 2, COV_ERR_CANCELLED = 3,
    COV_ERR_IO = 100, COV_ERR_FORMAT = 101, COV_ERR_FIELD = 102, COV_ERR_VALUE = 103,
    COV_ERR_ENCODING = 104, COV_ERR_MESH = 105, COV_ERR_EMPTY = 106, COV_ERR_DUPLICATE = 107,
    COV_ERR_CRS = 200, COV_ERR_GEOMETRY = 201, COV_ERR_INTERNAL = 900
};
enum cov_message_level { COV_MSG_NOTICE = 1, COV_MSG_WARNING = 2, COV_MSG_ERROR = 3 };
enum cov_column_type { COV_COL_STRING = 1, COV_COL_DOUBLE = 2, COV_COL_INT = 3 };
enum cov_mesh_level { COV_MESH_80KM = 1, COV_MESH_10KM = 2, COV_MESH_1KM = 3,
                      COV_MESH_500M = 4, COV_MESH_250M = 5 };
enum cov_dissolve_flags { COV_DISSOLVE_STRICT = 1 };
enum cov_csv_flags { COV_CSV_NO_HEADER = 1 };
enum cov_coverage_flags { COV_COVERAGE_NO_AREA = 1 };
enum cov_service_area_mode { COV_AREAS_BY_FACILITY = 1, COV_AREAS_BY_REGION_KIND = 2 };

typedef void (*cov_message_handler)(int level, const char *message, void *userdata);
typedef int (*cov_progress_handler)(double fraction, const char *stage, void *userdata);

/* core.h */
cov_ctx *cov_ctx_create(void);
void cov_ctx_destroy(cov_ctx *ctx);
void cov_ctx_set_message_handler(cov_ctx *ctx, cov_message_handler handler, void *userdata);
void cov_ctx_set_progress_handler(cov_ctx *ctx, cov_progress_handler handler, void *userdata);
int cov_last_error(const cov_ctx *ctx);
const char *cov_last_message(const cov_ctx *ctx);
void cov_clear_error(cov_ctx *ctx);
size_t cov_warning_count(const cov_ctx *ctx);
const char *cov_strerror(int status);
const char *cov_status_name(int status);
void cov_free(void *ptr);
int cov_is_input_path(const cov_ctx *ctx, const char *path);
const char *cov_version(void);
int cov_version_number(void);
int cov_api_version_number(void);

/* mesh.h */
typedef struct cov_mesh_cell {
    int level;
    double west_lon_degree;
    double south_lat_degree;
    double east_lon_degree;
    double north_lat_degree;
} cov_mesh_cell;
int cov_mesh_decode(cov_ctx *ctx, const char *code, cov_mesh_cell *out_cell);
int cov_mesh_encode(cov_ctx *ctx, double lon, double lat, int level, char *out_code);

/* table.h */
size_t cov_table_nrows(const cov_table *table);
size_t cov_table_ncols(const cov_table *table);
const char *cov_table_column_name(const cov_table *table, size_t col);
int cov_table_column_type(const cov_table *table, size_t col);
long cov_table_column_index(const cov_table *table, const char *name);
const double *cov_table_doubles(const cov_table *table, size_t col);
const int64_t *cov_table_ints(const cov_table *table, size_t col);
const char *cov_table_string(const cov_table *table, size_t col, size_t row);
char *cov_table_strings_all(cov_ctx *ctx, const cov_table *table, size_t col,
                            size_t *offsets);
int cov_table_has_geometry(const cov_table *table);
unsigned char *cov_table_wkb(cov_ctx *ctx, const cov_table *table, size_t row, size_t *out_size);
unsigned char *cov_table_wkb_all(cov_ctx *ctx, const cov_table *table, size_t *offsets);
int cov_table_write_csv(cov_ctx *ctx, const cov_table *table, const char *path);
int cov_table_write_shp(cov_ctx *ctx, const cov_table *table, const char *path);
void cov_table_destroy(cov_table *table);
cov_output_set *cov_output_set_begin(cov_ctx *ctx, const char *folder);
const char *cov_output_set_staging(const cov_output_set *set);
const char *cov_output_set_folder(const cov_output_set *set);
int cov_output_set_commit(cov_ctx *ctx, cov_output_set *set);
void cov_output_set_destroy(cov_output_set *set);

/* regions.h */
cov_regions *cov_regions_read_shp(cov_ctx *ctx, const char *path, const char *id_field,
                                  const char *name_field, const char *crs);
cov_regions *cov_regions_from_wkb(cov_ctx *ctx, size_t n, const char *const *ids,
                                  const char *const *names, const unsigned char *const *wkb,
                                  const size_t *wkb_size, const char *crs);
cov_regions *cov_regions_dissolve(cov_ctx *ctx, const cov_regions *src, size_t n_rows,
                                  const char *const *from_ids, const char *const *to_ids,
                                  const char *const *to_names, int flags);
cov_regions *cov_regions_dissolve_csv(cov_ctx *ctx, const cov_regions *src,
                                      const char *csv_path, const char *from_col,
                                      const char *to_col, const char *name_col, int flags);
size_t cov_regions_count(const cov_regions *regions);
const char *cov_regions_id(const cov_regions *regions, size_t i);
const char *cov_regions_name(const cov_regions *regions, size_t i);
long cov_regions_find(const cov_regions *regions, const char *id);
cov_table *cov_regions_table(cov_ctx *ctx, const cov_regions *regions);
void cov_regions_destroy(cov_regions *regions);

/* facilities.h */
typedef struct cov_facility_fields {
    const char *id;
    const char *name;
    const char *kind;
    const char *capacity;
    const char *lon;
    const char *lat;
    const char *default_kind;
    const char *roles;
    const char *h24;
    const char *network_id;
    const char *doctors;
    const char *nurse_fte;
    const char *beds;
    const char *beds_psychiatric;
} cov_facility_fields;
cov_facilities *cov_facilities_read_csv(cov_ctx *ctx, const char *path,
                                        const cov_facility_fields *fields, const char *crs);
cov_facilities *cov_facilities_read_shp(cov_ctx *ctx, const char *path,
                                        const cov_facility_fields *fields, const char *crs);
cov_facilities *cov_facilities_from_arrays(cov_ctx *ctx, size_t n, const char *const *ids,
                                           const char *const *names, const char *const *kinds,
                                           const double *capacity, const double *x,
                                           const double *y, const char *crs);
size_t cov_facilities_count(const cov_facilities *facilities);
const char *cov_facilities_id(const cov_facilities *facilities, size_t i);
const char *cov_facilities_name(const cov_facilities *facilities, size_t i);
const char *cov_facilities_kind(const cov_facilities *facilities, size_t i);
const double *cov_facilities_lon(const cov_facilities *facilities);
const double *cov_facilities_lat(const cov_facilities *facilities);
const double *cov_facilities_capacity(const cov_facilities *facilities);
size_t cov_facilities_kind_count(const cov_facilities *facilities);
const char *cov_facilities_kind_name(const cov_facilities *facilities, size_t k);
cov_table *cov_facilities_table(cov_ctx *ctx, const cov_facilities *facilities);
void cov_facilities_destroy(cov_facilities *facilities);

/* demand.h */
cov_demand *cov_demand_from_mesh(cov_ctx *ctx, size_t n, const char *const *codes,
                                 size_t n_weights, const char *const *weight_names,
                                 const double *weights);
cov_demand *cov_demand_read_mesh_csv(cov_ctx *ctx, const char *path, const char *mesh_field,
                                     size_t n_weights, const char *const *weight_fields,
                                     int flags);
cov_demand *cov_demand_from_points(cov_ctx *ctx, size_t n, const char *const *ids,
                                   const double *x, const double *y, const char *crs,
                                   size_t n_weights, const char *const *weight_names,
                                   const double *weights);
cov_demand *cov_demand_read_points_csv(cov_ctx *ctx, const char *path, const char *id_field,
                                       const char *x_field, const char *y_field,
                                       const char *crs, size_t n_weights,
                                       const char *const *weight_fields, int flags);
size_t cov_demand_count(const cov_demand *demand);
const char *cov_demand_id(const cov_demand *demand, size_t i);
int cov_demand_mesh_level(const cov_demand *demand, size_t i);
const double *cov_demand_lon(const cov_demand *demand);
const double *cov_demand_lat(const cov_demand *demand);
size_t cov_demand_weight_count(const cov_demand *demand);
const char *cov_demand_weight_name(const cov_demand *demand, size_t j);
const double *cov_demand_weights(const cov_demand *demand, size_t j);
cov_table *cov_demand_table(cov_ctx *ctx, const cov_demand *demand);
void cov_demand_destroy(cov_demand *demand);

/* analysis.h */
typedef struct cov_analysis_options {
    size_t struct_size;
    double coastal_snap_m;
    const char *crs;
    int circle_segments;
    const char *const *doctor_kinds;
    size_t n_doctor_kinds;
    const char *const *nursing_kinds;
    size_t n_nursing_kinds;
    const cov_regions *land;
} cov_analysis_options;
void cov_analysis_options_init(cov_analysis_options *options);
cov_analysis *cov_analysis_create(cov_ctx *ctx, const cov_regions *regions,
                                  const cov_facilities *facilities, const cov_demand *demand,
                                  const cov_analysis_options *options);
const char *cov_analysis_crs(const cov_analysis *analysis);
const int64_t *cov_analysis_demand_region(const cov_analysis *analysis);
size_t cov_analysis_unassigned_count(const cov_analysis *analysis);
cov_table *cov_analysis_assignment(cov_ctx *ctx, const cov_analysis *analysis);
cov_table *cov_analysis_reach(cov_ctx *ctx, cov_analysis *analysis,
                              const cov_travel_model *model, const char *kind, double threshold);
cov_table *cov_analysis_coverage(cov_ctx *ctx, cov_analysis *analysis,
                                 const cov_travel_model *model, double threshold,
                                 size_t weight, int flags);
cov_table *cov_analysis_service_areas(cov_ctx *ctx, cov_analysis *analysis,
                                      const cov_travel_model *model, double threshold, int mode,
                                      const char *kind);
cov_table *cov_analysis_gaps(cov_ctx *ctx, cov_analysis *analysis,
                             const cov_travel_model *model, double threshold,
                             const char *kind, size_t weight);
cov_table *cov_analysis_unreachable(cov_ctx *ctx, cov_analysis *analysis,
                                    const cov_travel_model *model);
void cov_analysis_destroy(cov_analysis *analysis);
double cov_geodesic_distance_m(cov_ctx *ctx, double lon1, double lat1, double lon2,
                               double lat2);

/* planning (facilities.h planning attributes, planning.h) */
enum cov_facility_role { COV_ROLE_LEAD = 1, COV_ROLE_HUB = 2 };
enum cov_supply { COV_SUPPLY_CAPACITY = 0, COV_SUPPLY_DOCTORS = 1, COV_SUPPLY_NURSE_FTE = 2,
                  COV_SUPPLY_BEDS = 3, COV_SUPPLY_ONE = 4, COV_SUPPLY_BEDS_PSYCHIATRIC = 5 };
typedef struct cov_facility_attrs {
    const char *const *roles;
    const int *h24;
    const char *const *network_ids;
    const double *doctors;
    const double *nurse_fte;
    const double *beds;
    const double *beds_psychiatric;
} cov_facility_attrs;
int cov_facilities_set_attrs(cov_ctx *ctx, cov_facilities *facilities,
                             const cov_facility_attrs *attrs);
int cov_facilities_roles(const cov_facilities *facilities, size_t i);
int cov_facilities_h24(const cov_facilities *facilities, size_t i);
const char *cov_facilities_network_id(const cov_facilities *facilities, size_t i);
double cov_facilities_supply(const cov_facilities *facilities, size_t i, int what);
typedef struct cov_policy_options {
    size_t struct_size;
    size_t weight;
    double rule16_m;
    double doctor_threshold;
    double nursing_threshold;
    double min_share_rule16;
    double min_share_nursing;
    double min_share_redundant;
    const char *const *home_care_kinds;
    size_t n_home_care_kinds;
    const char *const *backup_kinds;
    size_t n_backup_kinds;
    const char *const *standard_kinds;
    size_t n_standard_kinds;
    const cov_regions *subareas;
    const char *const *subarea_parent;
} cov_policy_options;
void cov_policy_options_init(cov_policy_options *options);
cov_table *cov_policy_check(cov_ctx *ctx, cov_analysis *analysis, const cov_travel_model *model,
                            const cov_policy_options *options);
cov_table *cov_policy_backup(cov_ctx *ctx, cov_analysis *analysis, const cov_travel_model *model,
                             const cov_policy_options *options);
typedef struct cov_gap_options {
    size_t struct_size;
    size_t weight;
    double threshold;
    const char *const *kinds;
    size_t n_kinds;
    double link_m;
    double site_radius_m;
    size_t max_sites;
} cov_gap_options;
void cov_gap_options_init(cov_gap_options *options);
cov_table *cov_gap_clusters(cov_ctx *ctx, cov_analysis *analysis, const cov_travel_model *model,
                            const cov_gap_options *options);
cov_table *cov_plan_sites(cov_ctx *ctx, cov_analysis *analysis, const cov_travel_model *model,
                          const cov_gap_options *options);
typedef struct cov_plan_options {
    size_t struct_size;
    size_t weight;
    double threshold;
    const char *const *candidate_kinds;
    size_t n_candidate_kinds;
    const char *const *enhanced_kinds;
    size_t n_enhanced_kinds;
    double enhanced_weight;
    size_t budget;
    double target_share;
    int one_per_region;
    int swap_passes;
    const unsigned char *candidate;
    const unsigned char *fixed;
    int psychiatric_only_candidates;
    const unsigned char *start;
    const unsigned char *focus;
} cov_plan_options;
void cov_plan_options_init(cov_plan_options *options);
cov_table *cov_plan_candidates(cov_ctx *ctx, cov_analysis *analysis,
                               const cov_plan_options *options);
int cov_plan_designate(cov_ctx *ctx, cov_analysis *analysis, const cov_travel_model *model, const cov_plan_options *options,
                       cov_table **out_picks, cov_table **out_regions);
typedef struct cov_plan_problem {
    size_t n_facilities, n_units, n_regions;
    const unsigned char *status;
    const double *pref;
    const int64_t *region;
    const unsigned char *needs_lead;
    const double *weight;
    const size_t *offset;
    const uint32_t *unit;
    size_t budget;
    double total;
} cov_plan_problem;
cov_plan_problem *cov_plan_problem_create(cov_ctx *ctx, cov_analysis *analysis,
                                          const cov_travel_model *model,
                                          const cov_plan_options *options);
void cov_plan_problem_destroy(cov_plan_problem *problem);
typedef struct cov_access_options {
    size_t struct_size;
    size_t weight;
    const char *const *kinds;
    size_t n_kinds;
    int supply;
    const double *band_limits;
    const double *band_weights;
    size_t n_bands;
    double threshold;
} cov_access_options;
void cov_access_options_init(cov_access_options *options);
int cov_access_2sfca(cov_ctx *ctx, cov_analysis *analysis, const cov_travel_model *model, const cov_access_options *options,
                     cov_table **out_units, cov_table **out_regions);
int cov_demand_jmap_weights(cov_ctx *ctx, size_t n, const double *pop, double *out);

/* callbacks into Python */
extern "Python" void _zt_on_message(int level, const char *message, void *userdata);
extern "Python" int _zt_on_progress(double fraction, const char *stage, void *userdata);

/* road networks (network.h, issue 4) */
typedef struct cov_network cov_network;

typedef struct cov_network_options {
    size_t struct_size;

    double node_tolerance_m;

    const char *class_field;
    const char *oneway_field;
    const char *speed_field;

    double default_speed_kmh;

    size_t min_component_nodes;

    const char *crs;

    int snap_to;

    const char *bridge_field;
    const char *tunnel_field;
} cov_network_options;

enum cov_snap_rule {
    COV_SNAP_ROUTABLE = 0,
    COV_SNAP_ANY_EDGE = 1
};

enum cov_road_level {
    COV_ROAD_GROUND = 0,
    COV_ROAD_BRIDGE = 1,
    COV_ROAD_TUNNEL = 2
};

void cov_network_options_init(cov_network_options *options);

cov_network *cov_network_read_shp(cov_ctx *ctx, const char *path,
                                          const cov_network_options *options);

cov_network *cov_network_from_arrays(
    cov_ctx *ctx, size_t n_lines, const size_t *offsets, const double *x,
    const double *y, const char *const *classes, const int8_t *oneway,
    const double *maxspeed_kmh, const cov_network_options *options);

cov_network *cov_network_from_wkb(
    cov_ctx *ctx, size_t n, const unsigned char *const *wkb, const size_t *wkb_size,
    const char *const *classes, const int8_t *oneway, const double *maxspeed_kmh,
    const cov_network_options *options);

typedef struct cov_road_lines {
    size_t struct_size;
    size_t n_lines;
    const size_t *offsets;
    const double *x, *y;
    const int32_t *class_codes;
    const char *const *class_names;
    size_t n_class_names;
    const int8_t *oneway;
    const double *maxspeed_kmh;
    const uint8_t *level;
} cov_road_lines;

void cov_road_lines_init(cov_road_lines *lines);

cov_network *cov_network_from_lines(cov_ctx *ctx, const cov_road_lines *lines,
                                            const cov_network_options *options);

cov_table *cov_network_joins(cov_ctx *ctx, const cov_network *network);

cov_table *cov_network_repair_report(cov_ctx *ctx, const cov_network *network);

void cov_network_destroy(cov_network *network);

size_t cov_network_node_count(const cov_network *network);
size_t cov_network_edge_count(const cov_network *network);
size_t cov_network_component_count(const cov_network *network);

const double *cov_network_node_lon(const cov_network *network);
const double *cov_network_node_lat(const cov_network *network);
const uint32_t *cov_network_node_component(const cov_network *network);

const uint32_t *cov_network_edge_from(const cov_network *network);
const uint32_t *cov_network_edge_to(const cov_network *network);
const double *cov_network_edge_length_m(const cov_network *network);

cov_table *cov_network_components(cov_ctx *ctx, const cov_network *network);

cov_table *cov_network_classes(cov_ctx *ctx, const cov_network *network);

int cov_network_set_speed(cov_ctx *ctx, cov_network *network,
                                  const char *road_class, double speed_kmh);

int cov_network_set_winter_factor(cov_ctx *ctx, cov_network *network,
                                          const char *road_class, double factor);

enum cov_travel_metric {
    COV_TRAVEL_STRAIGHT = 0,
    COV_TRAVEL_DISTANCE = 1,
    COV_TRAVEL_TIME = 2
};

typedef struct cov_travel {
    size_t struct_size;
    int metric;
    int winter;
    double snap_max_m;
    double access_speed_kmh;
    double isochrone_buffer_m;
} cov_travel;

void cov_travel_init(cov_travel *travel);

int cov_network_edge_costs(cov_ctx *ctx, const cov_network *network,
                                   const cov_travel *travel, double *out_forward,
                                   double *out_backward);

cov_table *cov_network_snap(cov_ctx *ctx, cov_network *network, size_t n,
                                    const double *lon, const double *lat,
                                    double snap_max_m);

int cov_network_node_costs(cov_ctx *ctx, cov_network *network, size_t n,
                                   const double *lon, const double *lat,
                                   const cov_travel *travel, double threshold,
                                   double *out_cost, int64_t *out_source);

cov_table *cov_network_reach(cov_ctx *ctx, cov_network *network,
                                     const cov_facilities *facilities,
                                     const cov_demand *demand, const char *kind,
                                     const cov_travel *travel, double threshold);

cov_table *cov_network_reach_sets(cov_ctx *ctx, cov_network *network,
                                          const cov_facilities *facilities,
                                          const cov_demand *demand,
                                          const cov_travel *travel, double threshold);

cov_table *cov_network_unreachable(cov_ctx *ctx, cov_network *network,
                                           const cov_demand *demand,
                                           const cov_travel *travel);

enum cov_isochrone_mode {
    COV_ISOCHRONE_BY_FACILITY = 1,
    COV_ISOCHRONE_BY_KIND = 2
};

cov_table *cov_network_isochrones(cov_ctx *ctx, cov_network *network,
                                          const cov_facilities *facilities,
                                          const cov_travel *travel, double threshold,
                                          int mode);

cov_table *cov_network_node_search(cov_ctx *ctx, cov_network *network, size_t n,
                                           const int64_t *nodes, const cov_travel *travel,
                                           double threshold, int multi);

size_t cov_network_settled_count(const cov_network *network);

/* travel models (travel.h) */
cov_travel_model *cov_travel_model_straight(cov_ctx *ctx);
cov_travel_model *cov_travel_model_network(cov_ctx *ctx, cov_network *network,
                                           const cov_travel *travel);
cov_travel_model *cov_travel_model_with_season(cov_ctx *ctx, const cov_travel_model *model,
                                               int winter);
cov_travel_model *cov_travel_model_with_metric(cov_ctx *ctx, const cov_travel_model *model,
                                               int metric);
int cov_travel_model_metric(const cov_travel_model *model);
int cov_travel_model_winter(const cov_travel_model *model);
int cov_travel_model_is_network(const cov_travel_model *model);
cov_network *cov_travel_model_network_of(const cov_travel_model *model);
const char *cov_travel_model_unit(const cov_travel_model *model);
int cov_travel_model_travel(cov_ctx *ctx, const cov_travel_model *model, cov_travel *out);
void cov_travel_model_destroy(cov_travel_model *model);
