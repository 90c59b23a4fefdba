/* Internal: building cov_table results. */
#ifndef COV_IO_TABLE_INTERNAL_H
#define COV_IO_TABLE_INTERNAL_H

#include "core/internal.h"
#include "libcoverage/table.h"

/* Creates a table of nrows rows and no columns; with_geometry adds a
 * geometry column (initially NULL geometries, written as empty/null). The
 * table keeps a reference to ctx, whose geometry handle frees its
 * geometries. NULL with an error in ctx on failure. */
cov_table *cov__table_create(cov_ctx *ctx, size_t nrows, int with_geometry);

/* Adds a column of the given type (values "", NaN or 0) and returns its
 * index, or -1 with an error in ctx. */
long cov__table_add_column(cov_ctx *ctx, cov_table *t, const char *name,
                           int type);

/* A column to add: name and enum cov_column_type. */
typedef struct cov_column_spec {
    const char *name;
    int type;
} cov_column_spec;

/* Adds n columns in order and writes their indices to out[0..n). COV_OK or
 * an error in ctx. */
int cov__table_add_columns(cov_ctx *ctx, cov_table *t, const cov_column_spec *spec, size_t n,
                           size_t *out);

/* Sets a string cell to a copy of s (NULL means ""). COV_OK or an error. */
int cov__table_set_string(cov_ctx *ctx, cov_table *t, size_t col, size_t row,
                          const char *s);

/* Mutable storage of a double or int column (NULL on type mismatch). */
double *cov__table_doubles_mut(cov_table *t, size_t col);
int64_t *cov__table_ints_mut(cov_table *t, size_t col);

/* The geometry column, opaque at this floor: a cell is a pointer that the
 * table frees with the function given when it was stored (the same one for
 * every cell of a table). Set and read geometries with
 * cov__table_set_geometry() and cov__table_geometry() (geo/table_geom.h).
 * Setting takes ownership of geom, also when row is out of range (then geom
 * is freed at once), and frees any previous cell. */
typedef void (*cov_geom_free_fn)(cov_ctx *ctx, void *geom);
void cov__table_set_geom_cell(cov_table *t, size_t row, void *geom, cov_geom_free_fn free_fn);
void *cov__table_geom_cell(const cov_table *t, size_t row);

/* Keeps only the first nrows rows (nrows <= current rows), freeing the
 * rest; for tables whose final size is known only after filling. */
void cov__table_truncate(cov_table *t, size_t nrows);

#endif /* COV_IO_TABLE_INTERNAL_H */
