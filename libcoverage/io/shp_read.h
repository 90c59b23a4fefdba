/* Internal: reading shapefiles (geometry through shapelib, DBF text decoded
 * to UTF-8) into GEOS geometries. */
#ifndef COV_IO_SHP_READ_H
#define COV_IO_SHP_READ_H

#include <shapefil.h>

#include "core/internal.h"
#include "io/text.h"

/* Resource bounds of one polygon record (shapefile record, WKB entry):
 * the largest real ones (a municipality of N03 at full resolution, an
 * archipelago as one record) hold tens of thousands of vertices and a few
 * thousand islands; more is a damaged or generated file, whose repair
 * could run for hours. Exceeding either is COV_ERR_FORMAT (shapefiles) or
 * COV_ERR_GEOMETRY (WKB) naming the record. */
#define COV_MAX_RINGS_PER_RECORD 10000
#define COV_MAX_VERTICES_PER_RECORD 5000000

typedef struct cov_shp_reader {
    char *path;       /* the .shp path as given */
    SHPHandle shp;
    DBFHandle dbf;
    int n_records;    /* live records: those the .dbf does not mark deleted */
    int *live;        /* file record of each live one; NULL when none is deleted */
    int n_deleted;    /* records the .dbf marks deleted (skipped, as GDAL does) */
    int shape_type;   /* SHPT_* reduced to POINT, ARC or POLYGON family */
    cov_dbf_encoding encoding;
    char *prj_wkt;    /* contents of the .prj, NULL when absent */
} cov_shp_reader;

/* Opens path (.shp; the .shx and .dbf beside it, any case of extension).
 * Fails with COV_ERR_IO naming the missing file, COV_ERR_FORMAT for
 * unreadable or inconsistent files (record counts of .shp and .dbf differ).
 * Records the paths as inputs of ctx. On failure the reader is left closed.
 * `expect` is the shape family wanted (SHPT_POINT, SHPT_ARC, SHPT_POLYGON);
 * another family fails with COV_ERR_FORMAT naming both. */
int cov__shp_open(cov_ctx *ctx, const char *path, int expect,
                  cov_shp_reader *r);
void cov__shp_close(cov_shp_reader *r);

/* cov__shp_open(), but with dbf_optional a missing .dbf is no error: the
 * reader then has dbf NULL (geometry-only layers such as Sapporo's road
 * network). */
int cov__shp_open_ex(cov_ctx *ctx, const char *path, int expect, int dbf_optional,
                     cov_shp_reader *r);

/* Record numbers: the accessors below take rec in 0..n_records, the live
 * records (a record the .dbf marks deleted is skipped, as GDAL and QGIS
 * skip it); messages name the record's number in the file, as GDAL's FIDs
 * do. This returns that number for live record rec. */
int cov__shp_record_number(const cov_shp_reader *r, int rec);

/* Index of a DBF field by name (exact, then case-insensitive); -1 with
 * COV_ERR_FIELD in ctx naming the file, the field and the fields there are. */
int cov__shp_field(cov_ctx *ctx, const cov_shp_reader *r, const char *name);

/* Value of field `field` of record `rec` as a new UTF-8 string, trimmed of
 * leading and trailing spaces as GDAL and QGIS trim them, "" for NULL values; the caller frees it with free().
 * NULL with an error naming file, record and field on decoding failure. */
char *cov__shp_string(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                      int field);

/* Numeric value of a field: COV_OK and *out; a NULL value (blank, all '*')
 * gives NaN; a logical field gives 1 (T, t, Y, y), 0 (F, f, N, n) or NaN (?);
 * text that is not a number gives COV_ERR_VALUE naming file, record, field. */
int cov__shp_double(cov_ctx *ctx, const cov_shp_reader *r, int rec, int field,
                    double *out);

/* Geometry of record rec as a new GEOS geometry (caller destroys with
 * GEOSGeom_destroy_r): Point for the point family (MultiPoint records fail),
 * MultiLineString for arcs, Polygon or MultiPolygon for polygons, holes
 * assigned to the outer ring that contains them (shapefile rings: outer
 * clockwise, holes counter-clockwise). Sets *out_null to 1 and returns NULL
 * without error for a null shape. Returns NULL with an error naming file and
 * record for a malformed shape (ring with < 4 points, NaN coordinates,
 * unclosed ring) or one beyond COV_MAX_RINGS_PER_RECORD or
 * COV_MAX_VERTICES_PER_RECORD. Rings that repeat an earlier ring of the
 * record exactly are dropped with a warning. Z and M are dropped. */
GEOSGeometry *cov__shp_geometry(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                                int *out_null);

#endif /* COV_IO_SHP_READ_H */
