/* The geometry column of result tables: GEOS geometries stored as the
 * opaque cells of io/table.c, and their WKB for the public API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"
#include "io/table_internal.h"

static void destroy_geometry(cov_ctx *ctx, void *g)
{
    GEOSGeom_destroy_r(ctx->geos, g);
}

void cov__table_set_geometry(cov_table *t, size_t row, GEOSGeometry *g)
{
    cov__table_set_geom_cell(t, row, g, destroy_geometry);
}

const GEOSGeometry *cov__table_geometry(const cov_table *t, size_t row)
{
    return cov__table_geom_cell(t, row);
}

/* A missing geometry leaves as GEOMETRYCOLLECTION EMPTY rather than NULL,
 * so that NULL always means an error the context explains. */
static const unsigned char wkb_empty_collection[9] = {1, 7, 0, 0, 0, 0, 0, 0, 0};

static unsigned char *wkb_copy(cov_ctx *ctx, const unsigned char *src, size_t n,
                               size_t *out_size)
{
    unsigned char *buf = cov__malloc(ctx, n);
    if (!buf) return NULL;
    memcpy(buf, src, n);
    *out_size = n;
    return buf;
}

unsigned char *cov_table_wkb(cov_ctx *ctx, const cov_table *table, size_t row,
                             size_t *out_size)
{
    COV_CHECK_ARG(ctx, ctx && table && out_size, NULL);
    *out_size = 0;
    if (!cov_table_has_geometry(table)) {
        cov__error(ctx, COV_ERR_ARG, "table has no geometry column");
        return NULL;
    }
    if (row >= cov_table_nrows(table)) {
        cov__error(ctx, COV_ERR_ARG, "row %zu out of range (table has %zu rows)",
                   row, cov_table_nrows(table));
        return NULL;
    }
    const GEOSGeometry *g = cov__table_geometry(table, row);
    if (!g)
        return wkb_copy(ctx, wkb_empty_collection, sizeof wkb_empty_collection,
                        out_size);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(ctx->geos);
    if (!w) {
        cov__geos_error(ctx, "creating a WKB writer");
        return NULL;
    }
    GEOSWKBWriter_setOutputDimension_r(ctx->geos, w, 2);
    GEOSWKBWriter_setByteOrder_r(ctx->geos, w, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(ctx->geos, w, GEOS_WKB_ISO);
    GEOSWKBWriter_setIncludeSRID_r(ctx->geos, w, 0);
    size_t n = 0;
    unsigned char *gw = GEOSWKBWriter_write_r(ctx->geos, w, g, &n);
    GEOSWKBWriter_destroy_r(ctx->geos, w);
    if (!gw) {
        cov__geos_error(ctx, "writing WKB");
        return NULL;
    }
    /* Copied so the caller frees with cov_free(), not GEOSFree_r(). */
    unsigned char *buf = wkb_copy(ctx, gw, n, out_size);
    GEOSFree_r(ctx->geos, gw);
    return buf;
}


unsigned char *cov_table_wkb_all(cov_ctx *ctx, const cov_table *table, size_t *offsets)
{
    COV_CHECK_ARG(ctx, ctx && table && offsets, NULL);
    if (!cov_table_has_geometry(table)) {
        cov__error(ctx, COV_ERR_ARG, "table has no geometry column");
        return NULL;
    }
    size_t n = cov_table_nrows(table), cap = 1024, len = 0;
    unsigned char *buf = cov__malloc(ctx, cap);
    GEOSWKBWriter *w = buf ? GEOSWKBWriter_create_r(ctx->geos) : NULL;
    if (!w) {
        if (buf) cov__geos_error(ctx, "creating a WKB writer");
        free(buf);
        return NULL;
    }
    GEOSWKBWriter_setOutputDimension_r(ctx->geos, w, 2);
    GEOSWKBWriter_setByteOrder_r(ctx->geos, w, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(ctx->geos, w, GEOS_WKB_ISO);
    GEOSWKBWriter_setIncludeSRID_r(ctx->geos, w, 0);
    offsets[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = cov__table_geometry(table, i);
        size_t k = sizeof wkb_empty_collection;
        unsigned char *gw = NULL;
        if (g && !(gw = GEOSWKBWriter_write_r(ctx->geos, w, g, &k))) {
            char what[64];
            snprintf(what, sizeof what, "writing WKB of row %zu", i);
            cov__geos_error(ctx, what);
            goto fail;
        }
        if (len + k > cap) {
            while (len + k > cap) cap *= 2;
            unsigned char *grown = cov__realloc(ctx, buf, cap);
            if (!grown) {
                if (gw) GEOSFree_r(ctx->geos, gw);
                goto fail;
            }
            buf = grown;
        }
        memcpy(buf + len, gw ? gw : wkb_empty_collection, k);
        if (gw) GEOSFree_r(ctx->geos, gw);
        len += k;
        offsets[i + 1] = len;
    }
    GEOSWKBWriter_destroy_r(ctx->geos, w);
    return buf;
fail:
    GEOSWKBWriter_destroy_r(ctx->geos, w);
    free(buf);
    return NULL;
}
