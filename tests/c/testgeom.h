/* Test helper: regions from WKT polygons (through WKB, as callers pass
 * them), for tests that build small hand-made layouts. */
#ifndef COV_TESTGEOM_H
#define COV_TESTGEOM_H

#include <geos_c.h>

#include "libcoverage/regions.h"
#include "testutil.h"

/* Regions from n (<= 8) WKT polygons with ids (and names, may be NULL),
 * in JGD2011 lon/lat. NULL with an error in ctx on failure. */
static inline cov_regions *test_regions_from_wkt(cov_ctx *ctx, size_t n,
                                                 const char *const *wkt,
                                                 const char *const *ids,
                                                 const char *const *names)
{
    CHECK(n <= 8);
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
    GEOSWKBWriter *wr = GEOSWKBWriter_create_r(h);
    unsigned char *wkb[8];
    size_t size[8];
    for (size_t i = 0; i < n; i++) {
        GEOSGeometry *g = GEOSWKTReader_read_r(h, rd, wkt[i]);
        CHECK(g != NULL);
        wkb[i] = GEOSWKBWriter_write_r(h, wr, g, &size[i]);
        GEOSGeom_destroy_r(h, g);
    }
    cov_regions *r = cov_regions_from_wkb(ctx, n, ids, names,
                                          (const unsigned char *const *)wkb, size, NULL);
    for (size_t i = 0; i < n; i++) GEOSFree_r(h, wkb[i]);
    GEOSWKBWriter_destroy_r(h, wr);
    GEOSWKTReader_destroy_r(h, rd);
    GEOS_finish_r(h);
    return r;
}

#endif /* COV_TESTGEOM_H */
