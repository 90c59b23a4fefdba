/*
 * Demand: where people live, as JIS X 0410 mesh cells or as points, each with
 * one or more non-negative weights (total population, 65+, 75+, care need).
 *
 * A mesh cell is represented by its centroid for reach and coverage: a cell
 * counts as covered when its centroid is within reach.
 */
#ifndef LIBCOVERAGE_DEMAND_H
#define LIBCOVERAGE_DEMAND_H

#include "libcoverage/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cov_demand cov_demand;

/* Makes demand from n mesh codes (any mix of levels) and n_weights weight
 * columns: weights is row-major, weights[i * n_weights + j] being weight j of
 * cell i; weight_names[j] names column j. n_weights may be 0 (every cell then
 * weighs 1, in a column named "count"). A malformed code fails with
 * COV_ERR_MESH naming its index; negative, NaN or infinite weights fail with
 * COV_ERR_VALUE; a code given twice fails with COV_ERR_DUPLICATE. Caller
 * frees with cov_demand_destroy(). */
COV_API cov_demand *cov_demand_from_mesh(cov_ctx *ctx, size_t n,
                                         const char *const *codes,
                                         size_t n_weights,
                                         const char *const *weight_names,
                                         const double *weights);

/* Flags of the CSV readers. */
enum cov_csv_flags {
    /* The file has no header row; fields are then 1-based column numbers
     * written in decimal ("1", "2", ...). */
    COV_CSV_NO_HEADER = 1
};

/* Reads mesh demand from a CSV (UTF-8 or CP932): mesh_field holds the codes,
 * weight_fields the n_weights weight columns. Errors name the file, line and
 * column. Returns demand the caller frees with cov_demand_destroy(), or NULL
 * with an error in ctx. */
COV_API cov_demand *cov_demand_read_mesh_csv(cov_ctx *ctx, const char *path,
                                             const char *mesh_field,
                                             size_t n_weights,
                                             const char *const *weight_fields,
                                             int flags);

/* Makes point demand: ids (required, unique), x/y (lon/lat when crs is NULL)
 * and weights as in cov_demand_from_mesh(); the arrays are copied. Returns
 * demand the caller frees with cov_demand_destroy(), or NULL with an error in
 * ctx. */
COV_API cov_demand *cov_demand_from_points(cov_ctx *ctx, size_t n,
                                           const char *const *ids,
                                           const double *x, const double *y,
                                           const char *crs, size_t n_weights,
                                           const char *const *weight_names,
                                           const double *weights);

/* Reads point demand from a CSV with a header row (UTF-8 or CP932; errors
 * name the file, line and column). Returns demand the caller frees with
 * cov_demand_destroy(), or NULL with an error in ctx. */
COV_API cov_demand *cov_demand_read_points_csv(
    cov_ctx *ctx, const char *path, const char *id_field, const char *x_field,
    const char *y_field, const char *crs, size_t n_weights,
    const char *const *weight_fields, int flags);

/* Number of demand units; 0 for NULL. */
COV_API size_t cov_demand_count(const cov_demand *demand);

/* Id of unit i (the mesh code for mesh demand); NULL when out of range. */
COV_API const char *cov_demand_id(const cov_demand *demand, size_t i);

/* Mesh level of unit i (enum cov_mesh_level), 0 for a point. */
COV_API int cov_demand_mesh_level(const cov_demand *demand, size_t i);

/* Contiguous lon and lat of the units' points (cell centroids), JGD2011. */
COV_API const double *cov_demand_lon(const cov_demand *demand);
COV_API const double *cov_demand_lat(const cov_demand *demand);

/* Weight columns: count, name of column j, and its count() values. */
COV_API size_t cov_demand_weight_count(const cov_demand *demand);
COV_API const char *cov_demand_weight_name(const cov_demand *demand, size_t j);
COV_API const double *cov_demand_weights(const cov_demand *demand, size_t j);

/* The demand as a table (demand_id, mesh_level, one column per weight) with
 * the cell polygons (points for point demand). Caller frees with
 * cov_table_destroy(). */
COV_API cov_table *cov_demand_table(cov_ctx *ctx, const cov_demand *demand);

/* Frees demand. NULL is a no-op. */
COV_API void cov_demand_destroy(cov_demand *demand);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_DEMAND_H */
