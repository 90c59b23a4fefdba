/*
 * Result tables: named, typed columns and an optional geometry column.
 *
 * Every tabular result of the library (reach, coverage, service areas, gaps,
 * layers made from inputs) is a cov_table. Geometries are stored in lon/lat
 * JGD2011 (EPSG:6668) and leave the library as WKB.
 */
#ifndef LIBCOVERAGE_TABLE_H
#define LIBCOVERAGE_TABLE_H

#include "libcoverage/core.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cov_column_type {
    COV_COL_STRING = 1, /* UTF-8, NULL-free: missing values are "" */
    COV_COL_DOUBLE = 2, /* missing values are NaN */
    COV_COL_INT = 3     /* int64_t */
};

typedef struct cov_table cov_table;

/* Row and column counts; 0 for NULL. */
COV_API size_t cov_table_nrows(const cov_table *table);
COV_API size_t cov_table_ncols(const cov_table *table);

/* Column name, or NULL when col is out of range. Owned by the table. */
COV_API const char *cov_table_column_name(const cov_table *table, size_t col);

/* enum cov_column_type of a column, 0 when col is out of range. */
COV_API int cov_table_column_type(const cov_table *table, size_t col);

/* Index of the column called name, or -1 if there is none. */
COV_API long cov_table_column_index(const cov_table *table, const char *name);

/* Contiguous values of a COV_COL_DOUBLE (resp. COV_COL_INT) column, nrows
 * long; NULL if the column has another type or is out of range. Owned by
 * the table. */
COV_API const double *cov_table_doubles(const cov_table *table, size_t col);
COV_API const int64_t *cov_table_ints(const cov_table *table, size_t col);

/* One value of a COV_COL_STRING column; NULL when out of range or of another
 * type. Owned by the table. */
COV_API const char *cov_table_string(const cov_table *table, size_t col,
                                     size_t row);

/* Non-zero when the table has a geometry column. */
COV_API int cov_table_has_geometry(const cov_table *table);

/* Geometry of a row as ISO WKB (2D, little-endian), lon/lat EPSG:6668; a
 * row without geometry gives GEOMETRYCOLLECTION EMPTY. Returns a buffer the
 * caller frees with cov_free() and its size in *out_size, or NULL with an
 * error in ctx (no geometry column, row out of range, out of memory). */
COV_API unsigned char *cov_table_wkb(cov_ctx *ctx, const cov_table *table,
                                     size_t row, size_t *out_size);

/* Every row's geometry as ISO WKB (as cov_table_wkb()) in one buffer, for
 * bindings that cross once per table rather than once per row: row i is
 * bytes [offsets[i], offsets[i + 1]) of the buffer; offsets is the caller's
 * array of cov_table_nrows() + 1 entries and offsets[nrows] the buffer's
 * size. Returns a buffer the caller frees with cov_free() (non-NULL also
 * for an empty table), or NULL with an error in ctx (no geometry column,
 * out of memory). */
COV_API unsigned char *cov_table_wkb_all(cov_ctx *ctx, const cov_table *table,
                                         size_t *offsets);

/* Every row's string of column col in one buffer, each followed by a NUL
 * (a missing string as ""), for bindings that cross once per column: row
 * i's bytes are [offsets[i], offsets[i + 1] - 1) of the buffer; offsets is
 * the caller's array of cov_table_nrows() + 1 entries and offsets[nrows]
 * the buffer's size. Returns a buffer the caller frees with cov_free()
 * (non-NULL also for an empty table), or NULL with an error in ctx (not a
 * string column, out of memory). */
COV_API char *cov_table_strings_all(cov_ctx *ctx, const cov_table *table, size_t col,
                                    size_t *offsets);

/* Writes the table as CSV (UTF-8, comma, header row, RFC 4180 quoting;
 * doubles with 17 significant digits, NaN as an empty cell). The geometry
 * column, if any, is written last as WKT. The file is written under a
 * temporary name in the same folder and renamed over path on success, so a
 * failed call leaves no partial output. Refuses (COV_ERR_IO) to write over a
 * file the library was given as input in this context. */
COV_API int cov_table_write_csv(cov_ctx *ctx, const cov_table *table,
                                const char *path);

/* Writes the table as an ESRI shapefile: path names the .shp; .shx, .dbf,
 * .prj (EPSG:6668) and .cpg ("UTF-8") are written beside it, each first
 * under a temporary name. Column names longer than the DBF's 10 bytes are
 * shortened and made unique (a notice lists the renames). Requires a
 * geometry column; all geometries must be of one family (points or
 * polygons). COV_OK, or an error in ctx (COV_ERR_IO naming the file; a path
 * that is an input of ctx is refused before anything is written). */
COV_API int cov_table_write_shp(cov_ctx *ctx, const cov_table *table,
                                const char *path);

/* An output set: files written into a fresh folder beside `folder` and
 * swapped in as one step (issue 16), so that a killed writer, or a second
 * one, never leaves a mix of two sets. Files in `folder` that the set does
 * not write are kept (carried over by hard links); nothing else is removed.
 * Opaque. */
typedef struct cov_output_set cov_output_set;

/* Begins a set for `folder` (made when missing): takes its lock
 * (`folder`/.zaitaku.lock), settles what writers killed earlier left beside
 * it, and makes the staging folder. A folder that cannot be swapped (parent
 * not writable, a mount point) gets its set renamed in file by file, with a
 * warning. Returns a set the caller ends with cov_output_set_destroy(), or
 * NULL with COV_ERR_IO in ctx ("… another writer is writing an output set
 * into it now …" when the lock is held). */
COV_API cov_output_set *cov_output_set_begin(cov_ctx *ctx, const char *folder);

/* Where to write the set's files (may hold subfolders): owned by the set,
 * valid until cov_output_set_destroy(). NULL for NULL. */
COV_API const char *cov_output_set_staging(const cov_output_set *set);

/* The destination folder, resolved (absolute, symlinks followed). Owned by
 * the set. NULL for NULL. */
COV_API const char *cov_output_set_folder(const cov_output_set *set);

/* Swaps the staged files in: what the folder holds besides is carried
 * over, one rename exchanges the folders (renameat2 RENAME_EXCHANGE, else
 * the old one moved aside first), then the old one is emptied of our files
 * and of the links carried over. COV_OK, or an error in ctx with the folder
 * as it was. */
COV_API int cov_output_set_commit(cov_ctx *ctx, cov_output_set *set);

/* Releases the lock and, when not committed, removes the staging folder.
 * NULL is a no-op. */
COV_API void cov_output_set_destroy(cov_output_set *set);

/* Frees a table. NULL is a no-op. */
COV_API void cov_table_destroy(cov_table *table);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_TABLE_H */
