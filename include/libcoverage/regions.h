/*
 * Regions: the polygons over which coverage is reported (municipalities,
 * home-care areas 在宅医療圏, secondary medical areas 二次医療圏).
 *
 * Regions are kept in lon/lat JGD2011 (EPSG:6668). Ids are strings and are
 * never parsed as numbers (JIS codes have leading zeros).
 */
#ifndef LIBCOVERAGE_REGIONS_H
#define LIBCOVERAGE_REGIONS_H

#include "libcoverage/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cov_regions cov_regions;

/* Reads regions from a polygon shapefile. path names the .shp; the .dbf
 * beside it must exist. id_field names the region id; name_field (may be
 * NULL) the region name. Records sharing an id form one region (N03 stores
 * every island as its own record) and are unioned. crs (may be NULL) is the
 * CRS of the coordinates, as "EPSG:n", WKT or a PROJ string; NULL takes it
 * from the .prj beside the file, and without a .prj assumes JGD2011 lon/lat
 * with a warning when every coordinate lies in lon/lat range (otherwise it
 * fails with COV_ERR_CRS). DBF text is decoded as the .cpg says, else as
 * the DBF's LDID byte says, else as UTF-8 when every string of the file is
 * valid UTF-8, else as CP932 (Shift_JIS). Records with an empty id or a
 * null shape are skipped with a warning; invalid polygons are repaired
 * (GEOSMakeValid) with a warning naming the record.
 * Returns regions the caller frees with cov_regions_destroy(), or NULL with
 * an error in ctx naming the file, record and field. Records are numbered
 * from 0 in messages, as GDAL and QGIS number features. */
COV_API cov_regions *cov_regions_read_shp(cov_ctx *ctx, const char *path,
                                          const char *id_field,
                                          const char *name_field,
                                          const char *crs);

/* Makes regions from n WKB (or EWKB) polygons or multipolygons. ids[i] is
 * required, names may be NULL (or hold NULLs). Entries sharing an id are
 * unioned into one region. crs as in cov_regions_read_shp(); NULL means
 * JGD2011 lon/lat. Returns regions the caller frees with
 * cov_regions_destroy(), or NULL with an error naming the entry. */
COV_API cov_regions *cov_regions_from_wkb(cov_ctx *ctx, size_t n,
                                          const char *const *ids,
                                          const char *const *names,
                                          const unsigned char *const *wkb,
                                          const size_t *wkb_size,
                                          const char *crs);

/* Flags of cov_regions_dissolve(). */
enum cov_dissolve_flags {
    /* Fail (COV_ERR_VALUE) when a region has no mapping row or maps to an
     * empty code. Without it such regions are dropped with a warning that
     * lists them (e.g. the six Northern Territories villages that belong to
     * no medical area). */
    COV_DISSOLVE_STRICT = 1
};

/* Merges regions through a mapping table: region from_ids[k] becomes part of
 * region to_ids[k], named to_names[k] (to_names may be NULL: the new region
 * is then named after its id). Mapping rows naming an id absent from src are
 * reported in a notice. Returns new regions the caller frees with
 * cov_regions_destroy(), or NULL with an error in ctx. src is not changed. */
COV_API cov_regions *cov_regions_dissolve(cov_ctx *ctx, const cov_regions *src,
                                          size_t n_rows,
                                          const char *const *from_ids,
                                          const char *const *to_ids,
                                          const char *const *to_names,
                                          int flags);

/* The same with the mapping read from a CSV file (UTF-8 or CP932, with a
 * header row); from_col, to_col and name_col (may be NULL) name its
 * columns. Cells are taken as text, so leading zeros are kept. Returns new
 * regions the caller frees with cov_regions_destroy() (src is not changed),
 * or NULL with an error in ctx naming the file, line and column. */
COV_API cov_regions *cov_regions_dissolve_csv(cov_ctx *ctx,
                                              const cov_regions *src,
                                              const char *csv_path,
                                              const char *from_col,
                                              const char *to_col,
                                              const char *name_col, int flags);

/* Number of regions; 0 for NULL. */
COV_API size_t cov_regions_count(const cov_regions *regions);

/* Id and name of region i (name is "" when none was given); NULL when i is
 * out of range. Owned by the regions. */
COV_API const char *cov_regions_id(const cov_regions *regions, size_t i);
COV_API const char *cov_regions_name(const cov_regions *regions, size_t i);

/* Index of the region with the given id, or -1. */
COV_API long cov_regions_find(const cov_regions *regions, const char *id);

/* The regions as a table (columns region_id, region_name, area_km2;
 * polygon geometry), areas computed on the GRS80 ellipsoid. Caller frees
 * with cov_table_destroy(); NULL with an error in ctx on failure. */
COV_API cov_table *cov_regions_table(cov_ctx *ctx, const cov_regions *regions);

/* Frees regions. NULL is a no-op. */
COV_API void cov_regions_destroy(cov_regions *regions);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_REGIONS_H */
