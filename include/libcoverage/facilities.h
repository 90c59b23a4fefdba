/*
 * Facilities: points that give care (home-care clinics 在支診, hospitals
 * 在支病, visiting-nurse stations 訪問看護ステーション, ...), each with an id,
 * a name, a kind and an optional capacity. Kinds are free strings; the
 * library's defaults know the identifiers of DESIGN.md (zaishin, zaibyo,
 * enhanced_single, enhanced_network, backup_hospital, hospital, clinic,
 * nursing).
 */
#ifndef LIBCOVERAGE_FACILITIES_H
#define LIBCOVERAGE_FACILITIES_H

#include "libcoverage/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cov_facilities cov_facilities;

/* Which fields (CSV columns or DBF fields) hold what. id is required; name,
 * kind and capacity may be NULL. lon and lat name the coordinate columns of
 * a CSV (x and y in the given CRS when it is not lon/lat); shapefiles take
 * coordinates from their points. When kind is NULL every facility gets
 * default_kind (NULL means "facility"). */
typedef struct cov_facility_fields {
    const char *id;
    const char *name;
    const char *kind;
    const char *capacity;
    const char *lon;
    const char *lat;
    const char *default_kind;
} cov_facility_fields;

/* Reads facilities from a CSV with a header row (UTF-8, with or without BOM,
 * or CP932). crs (may be NULL: JGD2011 lon/lat) is the CRS of the
 * coordinates. Rows with an empty or non-numeric coordinate, or an empty id,
 * fail the call with an error naming the file, line and column; so do
 * duplicate ids. Returns facilities the caller frees with
 * cov_facilities_destroy(), or NULL with an error in ctx. */
COV_API cov_facilities *cov_facilities_read_csv(
    cov_ctx *ctx, const char *path, const cov_facility_fields *fields,
    const char *crs);

/* Reads facilities from a point shapefile (DBF text decoded as in
 * cov_regions_read_shp(); crs NULL takes the .prj). */
COV_API cov_facilities *cov_facilities_read_shp(
    cov_ctx *ctx, const char *path, const cov_facility_fields *fields,
    const char *crs);

/* Makes facilities from arrays of n entries. ids is required; names, kinds
 * and capacity may be NULL (kinds NULL gives "facility"; capacity NULL gives
 * NaN). x and y are lon and lat when crs is NULL. */
COV_API cov_facilities *cov_facilities_from_arrays(
    cov_ctx *ctx, size_t n, const char *const *ids, const char *const *names,
    const char *const *kinds, const double *capacity, const double *x,
    const double *y, const char *crs);

/* Number of facilities; 0 for NULL. */
COV_API size_t cov_facilities_count(const cov_facilities *facilities);

/* Id, name ("" if none) and kind of facility i; NULL when out of range. */
COV_API const char *cov_facilities_id(const cov_facilities *facilities,
                                      size_t i);
COV_API const char *cov_facilities_name(const cov_facilities *facilities,
                                        size_t i);
COV_API const char *cov_facilities_kind(const cov_facilities *facilities,
                                        size_t i);

/* Contiguous arrays of count() values: lon, lat (JGD2011 degrees) and
 * capacity (NaN when unknown). Owned by the facilities. */
COV_API const double *cov_facilities_lon(const cov_facilities *facilities);
COV_API const double *cov_facilities_lat(const cov_facilities *facilities);
COV_API const double *cov_facilities_capacity(
    const cov_facilities *facilities);

/* Distinct kinds in order of first appearance. */
COV_API size_t cov_facilities_kind_count(const cov_facilities *facilities);
COV_API const char *cov_facilities_kind_name(const cov_facilities *facilities,
                                             size_t k);

/* The facilities as a point table (facility_id, name, kind, capacity).
 * Caller frees with cov_table_destroy(). */
COV_API cov_table *cov_facilities_table(cov_ctx *ctx,
                                        const cov_facilities *facilities);

/* Frees facilities. NULL is a no-op. */
COV_API void cov_facilities_destroy(cov_facilities *facilities);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_FACILITIES_H */
