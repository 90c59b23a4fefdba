/* The public table writers: CSV (columns, then the geometry as WKT) and
 * shapefiles (.shp, .shx, .dbf, .prj, .cpg written as one atomic set).
 * The files themselves are written by io/ (write_csv.c, write_shp.c,
 * output_set.c); this floor adds what needs GEOS or PROJ. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo/geo.h"
#include "io/table_internal.h"
#include "io/write.h"

static int csv_geometry(cov_ctx *ctx, FILE *f, GEOSWKTWriter *w, const GEOSGeometry *g,
                        const char *path, size_t row)
{
    if (!g) return COV_OK;
    char *wkt = GEOSWKTWriter_write_r(ctx->geos, w, g);
    if (!wkt) {
        char what[600];
        snprintf(what, sizeof what, "%s row %zu: writing WKT", path, row);
        return cov__geos_error(ctx, what);
    }
    cov__csv_write_text(f, wkt);
    GEOSFree_r(ctx->geos, wkt);
    return COV_OK;
}

static GEOSWKTWriter *wkt_writer(cov_ctx *ctx)
{
    GEOSWKTWriter *w = GEOSWKTWriter_create_r(ctx->geos);
    if (!w) {
        cov__geos_error(ctx, "creating a WKT writer");
        return NULL;
    }
    /* Trimmed: the shortest digits that read back exactly, up to 17
     * decimals (GEOS's default of -1 keeps only 16 and rounds 0.1 + 0.2
     * to 0.3; 17 decimals are below a nanometre in degrees). */
    GEOSWKTWriter_setTrim_r(ctx->geos, w, 1);
    GEOSWKTWriter_setRoundingPrecision_r(ctx->geos, w, 17);
    GEOSWKTWriter_setOutputDimension_r(ctx->geos, w, 2);
    return w;
}

static int csv_body(cov_ctx *ctx, const cov_table *t, FILE *f, const char *path)
{
    GEOSWKTWriter *w = NULL;
    if (cov_table_has_geometry(t) && !(w = wkt_writer(ctx))) return ctx->status;
    cov__csv_write_header(f, t);
    size_t nc = cov_table_ncols(t), nr = cov_table_nrows(t);
    int rc = COV_OK;
    for (size_t r = 0; r < nr && rc == COV_OK && !ferror(f); r++) {
        cov__csv_write_cells(f, t, r);
        if (w) {
            if (nc) fputc(',', f);
            rc = csv_geometry(ctx, f, w, cov__table_geometry(t, r), path, r);
        }
        fputc('\n', f);
    }
    if (w) GEOSWKTWriter_destroy_r(ctx->geos, w);
    if (rc == COV_OK && ferror(f)) rc = cov__write_error(ctx, path, errno ? errno : EIO);
    return rc;
}

int cov_table_write_csv(cov_ctx *ctx, const cov_table *table, const char *path)
{
    COV_CHECK_ARG(ctx, ctx && table && path && *path, COV_ERR_ARG);
    if (cov__is_input(ctx, path)) return cov__refuse_input(ctx, path);
    char *tmp = NULL;
    FILE *f = cov__open_temp(ctx, path, &tmp);
    if (!f) return ctx->status;
    return cov__commit_temp(ctx, f, tmp, path, csv_body(ctx, table, f, path));
}

static int write_prj(cov_ctx *ctx, const char *tmp, const char *path)
{
    PJ *crs = proj_create(ctx->proj, "EPSG:6668");
    const char *wkt = crs ? proj_as_wkt(ctx->proj, crs, PJ_WKT1_ESRI, NULL) : NULL;
    int rc = wkt ? cov__write_text(ctx, tmp, wkt, path)
                 : cov__error(ctx, COV_ERR_CRS, "%s: PROJ cannot describe EPSG:6668 as ESRI "
                              "WKT (is proj.db installed?)", path);
    proj_destroy(crs);
    return rc;
}

/* Writes the five temporaries tmp + ".shp", ... (shapelib adds the .shx). */
static int write_set(cov_ctx *ctx, const cov_table *t, const char *tmp, const char *path)
{
    char *shp = cov__concat(ctx, tmp, ".shp"), *dbf = cov__concat(ctx, tmp, ".dbf");
    char *prj = cov__concat(ctx, tmp, ".prj"), *cpg = cov__concat(ctx, tmp, ".cpg");
    int rc = shp && dbf && prj && cpg ? COV_OK : COV_ERR_NOMEM;
    if (rc == COV_OK) rc = cov__shp_write_shapes(ctx, t, shp, path);
    if (rc == COV_OK) rc = cov__dbf_write_table(ctx, t, dbf, path);
    if (rc == COV_OK) rc = write_prj(ctx, prj, path);
    if (rc == COV_OK) rc = cov__write_text(ctx, cpg, "UTF-8", path);
    if (rc == COV_OK) rc = cov__shp_verify_written(ctx, shp, dbf, cov_table_nrows(t), path);
    free(shp);
    free(dbf);
    free(prj);
    free(cpg);
    return rc;
}

int cov_table_write_shp(cov_ctx *ctx, const cov_table *table, const char *path)
{
    COV_CHECK_ARG(ctx, ctx && table && path, COV_ERR_ARG);
    size_t len = strlen(path), stem = len - 4;
    if (len < 5 || path[len - 5] == '/' || strcasecmp(path + stem, ".shp") != 0)
        return cov__error(ctx, COV_ERR_ARG, "%s: a shapefile path must end in .shp", path);
    if (!cov_table_has_geometry(table))
        return cov__error(ctx, COV_ERR_ARG, "%s: the table has no geometry column", path);
    if (cov_table_nrows(table) > INT32_MAX) /* shapelib counts records in an int */
        return cov__error(ctx, COV_ERR_ARG, "%s: %zu rows are more than a shapefile holds",
                          path, cov_table_nrows(table));
    int rc = cov__shp_set_check_inputs(ctx, path, stem);
    char *tmp = rc == COV_OK ? cov__shp_set_temp(ctx, path, stem) : NULL;
    if (rc == COV_OK && !tmp) rc = ctx->status;
    if (rc == COV_OK) rc = write_set(ctx, table, tmp, path);
    if (rc == COV_OK) rc = cov__shp_set_rename(ctx, tmp, path, stem);
    if (tmp) cov__shp_set_remove(ctx, tmp);
    free(tmp);
    return rc;
}
