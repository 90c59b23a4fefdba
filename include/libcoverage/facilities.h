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
    /* Planning attributes (see cov_facilities_set_attrs()); NULL: absent.
     * roles holds "lead" (積極的役割を担う医療機関), "hub" (連携の拠点) or
     * both separated by ';'; h24 a 24-hour flag (1/0, yes/no, true/false,
     * ○/×, 有/無; empty = unknown); network_id the network of an
     * enhanced_network clinic; doctors, nurse_fte and beds numbers >= 0
     * (empty = unknown); beds_psychiatric the psychiatric beds (精神病床)
     * among beds (C API 3.0: see cov_facility_attrs). */
    const char *roles;
    const char *h24;
    const char *network_id;
    const char *doctors;
    const char *nurse_fte;
    const char *beds;
    const char *beds_psychiatric;
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
 * cov_regions_read_shp(); crs NULL takes the .prj). Returns facilities the
 * caller frees with cov_facilities_destroy(), or NULL with an error in ctx
 * naming the file, record and field. */
COV_API cov_facilities *cov_facilities_read_shp(
    cov_ctx *ctx, const char *path, const cov_facility_fields *fields,
    const char *crs);

/* Makes facilities from arrays of n entries (copied). ids is required;
 * names, kinds and capacity may be NULL (kinds NULL gives "facility";
 * capacity NULL gives NaN). x and y are lon and lat when crs is NULL.
 * Returns facilities the caller frees with cov_facilities_destroy(), or NULL
 * with an error in ctx (duplicate ids, coordinates out of range). */
COV_API cov_facilities *cov_facilities_from_arrays(
    cov_ctx *ctx, size_t n, const char *const *ids, const char *const *names,
    const char *const *kinds, const double *capacity, const double *x,
    const double *y, const char *crs);

/* Number of facilities; 0 for NULL. */
COV_API size_t cov_facilities_count(const cov_facilities *facilities);

/* Id, name ("" if none) and kind of facility i, owned by the facilities;
 * NULL when out of range. */
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

/* Distinct kinds in order of first appearance: their number (0 for NULL)
 * and kind k (owned by the facilities; NULL when out of range). */
COV_API size_t cov_facilities_kind_count(const cov_facilities *facilities);
COV_API const char *cov_facilities_kind_name(const cov_facilities *facilities,
                                             size_t k);

/* The facilities as a point table (facility_id, name, kind, capacity).
 * Caller frees with cov_table_destroy(); NULL with an error in ctx. */
COV_API cov_table *cov_facilities_table(cov_ctx *ctx,
                                        const cov_facilities *facilities);

/* ---- Planning attributes ------------------------------------------------ */

/* Designated roles, as bit flags. */
enum cov_facility_role {
    COV_ROLE_LEAD = 1, /* 在宅医療において積極的役割を担う医療機関 */
    COV_ROLE_HUB = 2   /* 在宅医療に必要な連携を担う拠点 */
};

/* Which supply figure of a facility: its capacity column, doctors, nurse
 * FTE, beds, 1 for every facility, or psychiatric beds. */
enum cov_supply {
    COV_SUPPLY_CAPACITY = 0,
    COV_SUPPLY_DOCTORS = 1,
    COV_SUPPLY_NURSE_FTE = 2,
    COV_SUPPLY_BEDS = 3,
    COV_SUPPLY_ONE = 4,
    COV_SUPPLY_BEDS_PSYCHIATRIC = 5
};

/* Planning attributes as arrays of count() entries; any may be NULL
 * (absent). roles entries are parsed as in cov_facility_fields; h24
 * entries are 1, 0 or -1 (unknown); capacities NaN when unknown.
 * beds_psychiatric: the psychiatric beds (精神病床) among beds; a facility
 * whose beds are all psychiatric is not a designation candidate by default
 * (cov_plan_options.psychiatric_only_candidates).
 *
 * This struct and cov_facility_fields have no struct_size: beds_psychiatric
 * was added at their end in C API 3.0 (COV_API_VERSION_MAJOR 3), so a
 * program built against 2.x headers must be rebuilt; its source still
 * compiles and means the same when it zero-initialises the struct (as
 * `= {.roles = r}` or memset does). */
typedef struct cov_facility_attrs {
    const char *const *roles;
    const int *h24;
    const char *const *network_ids;
    const double *doctors;
    const double *nurse_fte;
    const double *beds;
    const double *beds_psychiatric;
} cov_facility_attrs;

/* Sets (replacing) the planning attributes of every facility. A bad role
 * word, flag or negative number fails with COV_ERR_VALUE naming the entry,
 * the field and the facility id, and leaves the facilities without
 * attributes. Returns COV_OK or an error code (message in ctx). */
COV_API int cov_facilities_set_attrs(cov_ctx *ctx, cov_facilities *facilities,
                                     const cov_facility_attrs *attrs);

/* Role bits of facility i (enum cov_facility_role); 0 when none or out of
 * range. */
COV_API int cov_facilities_roles(const cov_facilities *facilities, size_t i);

/* 24-hour flag of facility i: 1, 0, or -1 when unknown or out of range. */
COV_API int cov_facilities_h24(const cov_facilities *facilities, size_t i);

/* Network id of facility i ("" when none); NULL when out of range. Owned
 * by the facilities. */
COV_API const char *cov_facilities_network_id(const cov_facilities *facilities,
                                              size_t i);

/* Supply figure `what` (enum cov_supply) of facility i; NaN when unknown
 * or out of range. */
COV_API double cov_facilities_supply(const cov_facilities *facilities,
                                     size_t i, int what);

/* Frees facilities. NULL is a no-op. */
COV_API void cov_facilities_destroy(cov_facilities *facilities);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_FACILITIES_H */
