/* Internal: CSV files read whole into memory as UTF-8 cells. */
#ifndef COV_IO_CSV_H
#define COV_IO_CSV_H

#include <stddef.h>

#include "core/internal.h"

typedef struct cov_csv cov_csv;

/* Reads a CSV file: RFC 4180 quoting (quoted fields may hold commas, "" and
 * newlines), CRLF or LF line ends, an optional UTF-8 BOM; text is UTF-8 when
 * the whole file is valid UTF-8, else decoded as CP932. Blank lines are
 * skipped. With has_header the first row gives column names (trimmed of
 * surrounding spaces). Every row must have as many cells as the header (or,
 * without a header, as the first row): a row with another count fails with
 * COV_ERR_FORMAT naming the file and line. Records the path as an input of
 * ctx. Returns NULL with an error in ctx on failure; free with
 * cov__csv_destroy(). */
cov_csv *cov__csv_read(cov_ctx *ctx, const char *path, int has_header);

size_t cov__csv_nrows(const cov_csv *csv); /* data rows, header excluded */
size_t cov__csv_ncols(const cov_csv *csv);
const char *cov__csv_path(const cov_csv *csv);
/* Column name j ("" without a header). */
const char *cov__csv_header(const cov_csv *csv, size_t col);
/* The cell as UTF-8, never NULL. */
const char *cov__csv_cell(const cov_csv *csv, size_t row, size_t col);
/* 1-based line number in the file where data row `row` starts. */
size_t cov__csv_line(const cov_csv *csv, size_t row);

/* Finds a column: by exact name with a header (then, failing that, by a
 * case-insensitive match), or by 1-based number in decimal without one.
 * Returns the 0-based index, or -1 with COV_ERR_FIELD in ctx naming the file,
 * the field and the columns there are. */
long cov__csv_column(cov_ctx *ctx, const cov_csv *csv, const char *field);

/* Parses a cell as a finite double (surrounding spaces allowed, nothing
 * else). Returns COV_OK, or COV_ERR_VALUE naming file, line, column name and
 * the text found. An empty cell is an error too. */
int cov__csv_double(cov_ctx *ctx, const cov_csv *csv, size_t row, size_t col,
                    double *out);

void cov__csv_destroy(cov_csv *csv);

#endif /* COV_IO_CSV_H */
