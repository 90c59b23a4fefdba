/* Result tables: typed columns stored contiguously (so Python can view a
 * double or int column as a NumPy array without copying) and an optional
 * geometry per row. The geometry cells are opaque here: geo/table_geom.c
 * stores them with the function that frees them, so io needs no geometry
 * library. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/table_internal.h"

struct cov_column {
    char *name;
    int type;     /* enum cov_column_type */
    void *values; /* char ** (NULL entries mean ""), double * or int64_t * */
};

struct cov_table {
    cov_ctx *ctx; /* the creating context (a reference): frees geometries */
    size_t nrows, ncols, cap;
    struct cov_column *cols;
    int has_geometry;
    void **geoms;             /* nrows entries when has_geometry, NULL = none */
    cov_geom_free_fn geom_free; /* frees the cells; set with the first one */
};

cov_table *cov__table_create(cov_ctx *ctx, size_t nrows, int with_geometry)
{
    COV_CHECK_ARG(ctx, ctx != NULL, NULL);
    cov_table *t = cov__calloc(ctx, 1, sizeof *t);
    if (!t) return NULL;
    t->ctx = cov__ctx_retain(ctx);
    t->nrows = nrows;
    t->has_geometry = with_geometry != 0;
    if (t->has_geometry) {
        t->geoms = cov__calloc(ctx, nrows, sizeof *t->geoms);
        if (!t->geoms) {
            cov_table_destroy(t);
            return NULL;
        }
    }
    return t;
}

static void *column_alloc(cov_ctx *ctx, int type, size_t nrows)
{
    if (type == COV_COL_STRING) return cov__calloc(ctx, nrows, sizeof(char *));
    if (type == COV_COL_INT) return cov__calloc(ctx, nrows, sizeof(int64_t));
    double *d = cov__mallocarray(ctx, nrows, sizeof *d);
    for (size_t i = 0; d && i < nrows; i++) d[i] = NAN;
    return d;
}

long cov__table_add_column(cov_ctx *ctx, cov_table *t, const char *name,
                           int type)
{
    COV_CHECK_ARG(ctx, ctx && t && name && *name, -1);
    if (type != COV_COL_STRING && type != COV_COL_DOUBLE && type != COV_COL_INT) {
        cov__error(ctx, COV_ERR_ARG, "column %s: unknown column type %d", name, type);
        return -1;
    }
    /* Names are unique so that cov_table_column_index() is unambiguous. */
    if (cov_table_column_index(t, name) >= 0) {
        cov__error(ctx, COV_ERR_DUPLICATE, "table already has a column named %s", name);
        return -1;
    }
    if (t->ncols == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        struct cov_column *cols = cov__realloc(ctx, t->cols, cap * sizeof *cols);
        if (!cols) return -1;
        t->cols = cols;
        t->cap = cap;
    }
    struct cov_column c = {cov__strdup(ctx, name), type, NULL};
    if (c.name) c.values = column_alloc(ctx, type, t->nrows);
    if (!c.values) {
        free(c.name);
        return -1;
    }
    t->cols[t->ncols] = c;
    return (long)t->ncols++;
}

int cov__table_add_columns(cov_ctx *ctx, cov_table *t, const cov_column_spec *spec, size_t n,
                           size_t *out)
{
    for (size_t k = 0; k < n; k++) {
        long c = cov__table_add_column(ctx, t, spec[k].name, spec[k].type);
        if (c < 0) return ctx->status;
        out[k] = (size_t)c;
    }
    return COV_OK;
}

static const struct cov_column *column(const cov_table *t, size_t col, int type)
{
    if (!t || col >= t->ncols || t->cols[col].type != type) return NULL;
    return &t->cols[col];
}

int cov__table_set_string(cov_ctx *ctx, cov_table *t, size_t col, size_t row,
                          const char *s)
{
    COV_CHECK_ARG(ctx, ctx && t != NULL, COV_ERR_ARG);
    const struct cov_column *c = column(t, col, COV_COL_STRING);
    if (!c || row >= t->nrows)
        return cov__error(ctx, COV_ERR_ARG,
                          "no string cell at column %zu row %zu (%zu x %zu table)",
                          col, row, t->ncols, t->nrows);
    char **cells = c->values;
    char *copy = NULL;
    if (s && *s && !(copy = cov__strdup(ctx, s))) return COV_ERR_NOMEM;
    free(cells[row]);
    cells[row] = copy;
    return COV_OK;
}

double *cov__table_doubles_mut(cov_table *t, size_t col)
{
    const struct cov_column *c = column(t, col, COV_COL_DOUBLE);
    return c ? c->values : NULL;
}

int64_t *cov__table_ints_mut(cov_table *t, size_t col)
{
    const struct cov_column *c = column(t, col, COV_COL_INT);
    return c ? c->values : NULL;
}

void cov__table_set_geom_cell(cov_table *t, size_t row, void *geom, cov_geom_free_fn free_fn)
{
    if (!t || !t->has_geometry || row >= t->nrows) {
        /* Ownership was passed in all cases: never leak it. */
        if (t && geom) free_fn(t->ctx, geom);
        return;
    }
    if (t->geoms[row]) t->geom_free(t->ctx, t->geoms[row]);
    t->geoms[row] = geom;
    if (geom) t->geom_free = free_fn;
}

void *cov__table_geom_cell(const cov_table *t, size_t row)
{
    if (!t || !t->has_geometry || row >= t->nrows) return NULL;
    return t->geoms[row];
}

/* Frees the cells and geometries of rows [from, nrows). */
static void free_rows(cov_table *t, size_t from)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (t->cols[c].type != COV_COL_STRING) continue;
        char **cells = t->cols[c].values;
        for (size_t r = from; r < t->nrows; r++) free(cells[r]);
    }
    for (size_t r = from; t->geoms && r < t->nrows; r++)
        if (t->geoms[r]) t->geom_free(t->ctx, t->geoms[r]);
}

void cov__table_truncate(cov_table *t, size_t nrows)
{
    /* The arrays keep their capacity: shrinking them is not worth a
     * realloc that could fail. */
    if (!t || nrows >= t->nrows) return;
    free_rows(t, nrows);
    t->nrows = nrows;
}

size_t cov_table_nrows(const cov_table *table) { return table ? table->nrows : 0; }

size_t cov_table_ncols(const cov_table *table) { return table ? table->ncols : 0; }

const char *cov_table_column_name(const cov_table *table, size_t col)
{
    return table && col < table->ncols ? table->cols[col].name : NULL;
}

int cov_table_column_type(const cov_table *table, size_t col)
{
    return table && col < table->ncols ? table->cols[col].type : 0;
}

long cov_table_column_index(const cov_table *table, const char *name)
{
    if (!table || !name) return -1;
    for (size_t i = 0; i < table->ncols; i++)
        if (strcmp(table->cols[i].name, name) == 0) return (long)i;
    return -1;
}

const double *cov_table_doubles(const cov_table *table, size_t col)
{
    const struct cov_column *c = column(table, col, COV_COL_DOUBLE);
    return c ? c->values : NULL;
}

const int64_t *cov_table_ints(const cov_table *table, size_t col)
{
    const struct cov_column *c = column(table, col, COV_COL_INT);
    return c ? c->values : NULL;
}

const char *cov_table_string(const cov_table *table, size_t col, size_t row)
{
    const struct cov_column *c = column(table, col, COV_COL_STRING);
    if (!c || row >= table->nrows) return NULL;
    const char *s = ((char *const *)c->values)[row];
    return s ? s : "";
}

char *cov_table_strings_all(cov_ctx *ctx, const cov_table *table, size_t col, size_t *offsets)
{
    COV_CHECK_ARG(ctx, ctx && table && offsets, NULL);
    const struct cov_column *c = column(table, col, COV_COL_STRING);
    if (!c) {
        cov__error(ctx, COV_ERR_ARG, "column %zu is not a string column", col);
        return NULL;
    }
    char *const *v = (char *const *)c->values;
    size_t len = 0;
    offsets[0] = 0;
    for (size_t i = 0; i < table->nrows; i++) {
        size_t k = (v[i] ? strlen(v[i]) : 0) + 1;
        if (k > SIZE_MAX - len) {
            cov__error(ctx, COV_ERR_NOMEM, "strings of column %zu: too long", col);
            return NULL;
        }
        len += k;
        offsets[i + 1] = len;
    }
    char *buf = cov__malloc(ctx, len ? len : 1);
    if (!buf) return NULL;
    for (size_t i = 0; i < table->nrows; i++) {
        size_t k = offsets[i + 1] - offsets[i];
        memcpy(buf + offsets[i], v[i] ? v[i] : "", k);
    }
    return buf;
}

int cov_table_has_geometry(const cov_table *table)
{
    return table ? table->has_geometry : 0;
}

void cov_table_destroy(cov_table *table)
{
    if (!table) return;
    free_rows(table, 0);
    for (size_t c = 0; c < table->ncols; c++) {
        free(table->cols[c].values);
        free(table->cols[c].name);
    }
    free(table->cols);
    free(table->geoms);
    cov__ctx_release(table->ctx);
    free(table);
}
