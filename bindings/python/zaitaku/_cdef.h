/* The part of include/libcoverage/*.h that zaitaku uses, as cffi's cdef
 * reads it: no macros, no includes; enum values written out. Kept in step
 * with the headers by tests/python/test_cdef.py. */

typedef struct cov_ctx cov_ctx;
typedef struct cov_table cov_table;
typedef struct cov_regions cov_regions;
typedef struct cov_facilities cov_facilities;
typedef struct cov_demand cov_demand;
typedef struct cov_analysis cov_analysis;

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
int cov_table_has_geometry(const cov_table *table);
unsigned char *cov_table_wkb(cov_ctx *ctx, const cov_table *table, size_t row, size_t *out_size);
int cov_table_write_csv(cov_ctx *ctx, const cov_table *table, const char *path);
int cov_table_write_shp(cov_ctx *ctx, const cov_table *table, const char *path);
void cov_table_destroy(cov_table *table);

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
    double coastal_snap_m;
    const char *crs;
    int circle_segments;
    const char *const *doctor_kinds;
    size_t n_doctor_kinds;
    const char *const *nursing_kinds;
    size_t n_nursing_kinds;
} cov_analysis_options;
void cov_analysis_options_init(cov_analysis_options *options);
cov_analysis *cov_analysis_create(cov_ctx *ctx, const cov_regions *regions,
                                  const cov_facilities *facilities, const cov_demand *demand,
                                  const cov_analysis_options *options);
const char *cov_analysis_crs(const cov_analysis *analysis);
const int64_t *cov_analysis_demand_region(const cov_analysis *analysis);
size_t cov_analysis_unassigned_count(const cov_analysis *analysis);
cov_table *cov_analysis_assignment(cov_ctx *ctx, const cov_analysis *analysis);
cov_table *cov_analysis_reach(cov_ctx *ctx, cov_analysis *analysis, const char *kind,
                              double radius_m);
cov_table *cov_analysis_coverage(cov_ctx *ctx, cov_analysis *analysis, double radius_m,
                                 size_t weight, int flags);
cov_table *cov_analysis_service_areas(cov_ctx *ctx, cov_analysis *analysis, double radius_m,
                                      int mode);
cov_table *cov_analysis_gaps(cov_ctx *ctx, cov_analysis *analysis, double radius_m,
                             const char *kind, size_t weight);
void cov_analysis_destroy(cov_analysis *analysis);
double cov_geodesic_distance_m(cov_ctx *ctx, double lon1, double lat1, double lon2,
                               double lat2);

/* callbacks into Python */
extern "Python" void _zt_on_message(int level, const char *message, void *userdata);
extern "Python" int _zt_on_progress(double fraction, const char *stage, void *userdata);
