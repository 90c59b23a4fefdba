/* Internal: reading shapefiles (shapes through shapelib, DBF text decoded
 * to UTF-8): io/shp.c opens files and reads records, io/dbf.c reads field
 * values. Shapes become geometry one floor up, in geo/shape_read.c
 * (cov__shp_geometry in geo/shape.h). */
#ifndef COV_IO_SHP_READ_H
#define COV_IO_SHP_READ_H

#include <shapefil.h>

#include "core/internal.h"
#include "io/text.h"

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

/* Shape family (SHPT_POINT, SHPT_ARC or SHPT_POLYGON) of a shapefile shape
 * type, 0 for types not read (MultiPatch); and the family's name for
 * messages ("point", "line", "polygon"). */
int cov__shp_family(int shp_type);
const char *cov__shp_family_name(int family);

/* The shape of live record rec as shapelib reads it (caller destroys with
 * SHPDestroyObject()); *out_file_rec receives its number in the file, for
 * messages. NULL with COV_ERR_ARG when there is no such record, or
 * COV_ERR_FORMAT naming file and record when the shape cannot be read. */
SHPObject *cov__shp_read_shape(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                               int *out_file_rec);

#endif /* COV_IO_SHP_READ_H */
