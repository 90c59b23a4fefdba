/* CSV writing (RFC 4180) of a table's columns; the geometry column is
 * written as WKT one floor up (geo/table_write.c). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/write.h"

/* RFC 4180: quote a cell holding a comma, a quote or a line break. */
void cov__csv_write_text(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_cell(FILE *f, const cov_table *t, size_t c, size_t row)
{
    int type = cov_table_column_type(t, c);
    if (type == COV_COL_STRING) {
        cov__csv_write_text(f, cov_table_string(t, c, row));
    } else if (type == COV_COL_INT) {
        fprintf(f, "%" PRId64, cov_table_ints(t, c)[row]);
    } else {
        double v = cov_table_doubles(t, c)[row];
        if (!isnan(v)) fprintf(f, "%.17g", v);
    }
}

void cov__csv_write_header(FILE *f, const cov_table *t)
{
    size_t nc = cov_table_ncols(t);
    for (size_t c = 0; c < nc; c++) {
        if (c) fputc(',', f);
        cov__csv_write_text(f, cov_table_column_name(t, c));
    }
    if (cov_table_has_geometry(t)) {
        /* "geometry" as geopandas names it, unless a column has that name. */
        const char *name = cov_table_column_index(t, "geometry") < 0 ? "geometry" : "geometry_wkt";
        fprintf(f, "%s%s", nc ? "," : "", name);
    }
    fputc('\n', f);
}

void cov__csv_write_cells(FILE *f, const cov_table *t, size_t row)
{
    for (size_t c = 0; c < cov_table_ncols(t); c++) {
        if (c) fputc(',', f);
        csv_cell(f, t, c, row);
    }
}
