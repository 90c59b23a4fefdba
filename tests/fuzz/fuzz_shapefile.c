/* Fuzz target: the shapefile + DBF reader, through the public readers.
 * Input: .shp FUZZ_SEP .shx FUZZ_SEP .dbf [FUZZ_SEP .cpg]; each part is
 * written to a file of the scratch folder, absent parts are absent files.
 * The regions reader (polygons; fields muni_code, muni_name, as in
 * data/sample) and the facilities reader (points; id, name, kind,
 * capacity) both run on it; every success is then checked for what the
 * API promises (ids non-empty, coordinates finite). No .prj is written:
 * PROJ's WKT parser is fuzzed by PROJ, and the no-CRS path is ours. */
#include <math.h>

#include "fuzz_util.h"
#include "libcoverage/coverage.h"

static void check_regions(cov_ctx *ctx, cov_regions *r)
{
    fuzz_report(r, "regions", ctx);
    if (!r) {
        if (cov_last_error(ctx) == COV_OK || !cov_last_message(ctx)[0]) abort();
        return;
    }
    for (size_t i = 0; i < cov_regions_count(r); i++)
        if (!cov_regions_id(r, i) || !cov_regions_id(r, i)[0]) abort();
    /* outlines (union of parts) and geodesic areas */
    cov_table *t = cov_regions_table(ctx, r);
    if (t) {
        const double *a = cov_table_doubles(t, (size_t)cov_table_column_index(t, "area_km2"));
        for (size_t i = 0; i < cov_table_nrows(t); i++)
            if (!(a[i] >= 0)) abort();
    }
    cov_table_destroy(t);
    cov_regions_destroy(r);
}

static void check_facilities(cov_ctx *ctx, cov_facilities *f)
{
    fuzz_report(f, "facilities", ctx);
    if (!f) {
        if (cov_last_error(ctx) == COV_OK || !cov_last_message(ctx)[0]) abort();
        return;
    }
    const double *lon = cov_facilities_lon(f), *lat = cov_facilities_lat(f);
    for (size_t i = 0; i < cov_facilities_count(f); i++)
        if (!isfinite(lon[i]) || !isfinite(lat[i]) || !cov_facilities_id(f, i)[0]) abort();
    cov_facilities_destroy(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"in.shp", "in.shx", "in.dbf", "in.cpg"};
    const uint8_t *part[4];
    size_t len[4], n = fuzz_split(data, size, 4, part, len);
    char path[600], shp[600];
    for (size_t k = 0; k < 4; k++) {
        if (k < n) fuzz_write(path, sizeof path, names[k], part[k], len[k]);
        else fuzz_remove(names[k]);
    }
    snprintf(shp, sizeof shp, "%s/in.shp", fuzz_dir());
    cov_ctx *ctx = cov_ctx_create();
    if (!ctx) abort();
    check_regions(ctx, cov_regions_read_shp(ctx, shp, "muni_code", "muni_name", NULL));
    cov_clear_error(ctx);
    cov_facility_fields ff = {.id = "id", .name = "name", .kind = "kind",
                              .capacity = "capacity"};
    check_facilities(ctx, cov_facilities_read_shp(ctx, shp, &ff, NULL));
    cov_ctx_destroy(ctx);
    return 0;
}
