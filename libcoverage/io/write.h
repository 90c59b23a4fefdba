/* Internal: writing outputs without geometry. output_set.c writes files
 * atomically (a hidden temporary beside the destination, renamed when
 * complete; a shapefile's files as one set), write_csv.c a table's columns
 * as CSV, write_shp.c a table's columns as a .dbf. The public writers,
 * which add the geometry, are in geo/table_write.c. Every function that
 * fails leaves a message in ctx naming the destination path. */
#ifndef COV_IO_WRITE_H
#define COV_IO_WRITE_H

#include <shapefil.h>
#include <stdio.h>

#include "core/internal.h"
#include "io/table_internal.h"

/* ---- output_set.c ---- */

/* a + b as a new string (caller frees with free()); NULL with COV_ERR_NOMEM. */
char *cov__concat(cov_ctx *ctx, const char *a, const char *b);

/* Records COV_ERR_IO "cannot write <path>: <strerror(err)>"; returns it. */
int cov__write_error(cov_ctx *ctx, const char *path, int err);

/* Records COV_ERR_IO for a destination that was read as an input of ctx. */
int cov__refuse_input(cov_ctx *ctx, const char *path);

/* Opens a new hidden temporary file beside path, exclusively, and gives
 * its name in *out_tmp (caller frees, or passes it to cov__commit_temp()).
 * NULL with an error in ctx. */
FILE *cov__open_temp(cov_ctx *ctx, const char *path, char **out_tmp);

/* Closes f and, when rc is COV_OK and closing succeeded, renames tmp to
 * path; otherwise removes tmp. Frees tmp. Returns the first error. */
int cov__commit_temp(cov_ctx *ctx, FILE *f, char *tmp, const char *path, int rc);

/* Writes text to a new file tmp (exclusive create); messages name path. */
int cov__write_text(cov_ctx *ctx, const char *tmp, const char *text, const char *path);

/* The shapefile set (.shx, .dbf, .prj, .cpg, .shp) of path, whose stem is
 * its first `stem` bytes. Refuses (COV_ERR_IO) when a file of the set, in
 * either case of extension, was read as an input of ctx. */
int cov__shp_set_check_inputs(cov_ctx *ctx, const char *path, size_t stem);

/* A temporary stem beside path none of whose set files exist (caller
 * frees); NULL with an error in ctx. */
char *cov__shp_set_temp(cov_ctx *ctx, const char *path, size_t stem);

/* Renames tmp_stem + each extension to path's stem + that extension (in
 * the case of path's .shp), the .shp last. */
int cov__shp_set_rename(cov_ctx *ctx, const char *tmp_stem, const char *path, size_t stem);

/* Removes whatever temporaries of the set remain. */
void cov__shp_set_remove(cov_ctx *ctx, const char *tmp_stem);

/* ---- write_csv.c ---- */

/* A cell as RFC 4180 text: quoted when it holds a comma, a quote or a line
 * break. */
void cov__csv_write_text(FILE *f, const char *s);

/* The header line: column names, then "geometry" (or "geometry_wkt" when a
 * column is named geometry) when the table has a geometry column. */
void cov__csv_write_header(FILE *f, const cov_table *t);

/* The column cells of one row, comma-separated, without the geometry and
 * without a line end. NaN doubles are empty cells. */
void cov__csv_write_cells(FILE *f, const cov_table *t, size_t row);

/* ---- write_shp.c ---- */

/* Shapelib hooks that print nothing: our messages name the path. */
void cov__shp_quiet_hooks(SAHooks *h);

/* Writes the table's columns to a new .dbf tmp_dbf (UTF-8, LDID 0; names
 * cut to 10 bytes and made unique with a notice; strings longer than 254
 * bytes truncated with a warning; a table without columns gets a FID
 * field). Messages name path. */
int cov__dbf_write_table(cov_ctx *ctx, const cov_table *t, const char *tmp_dbf,
                         const char *path);

/* Reads a written .shp and .dbf back: both hold nrows records and their
 * sizes match their headers, else COV_ERR_IO (disk full?) naming path. */
int cov__shp_verify_written(cov_ctx *ctx, const char *tmp_shp, const char *tmp_dbf,
                            size_t nrows, const char *path);

#endif /* COV_IO_WRITE_H */
