/* Fuzz target: the CSV readers (facilities, mesh demand, point demand),
 * with a header row and without. The input is the file. Column names are
 * those of data/sample (facility_id,name,kind,capacity,lon,lat and
 * mesh_code,total,age65). A success must hold only finite coordinates,
 * non-negative finite weights and non-empty ids; a failure must leave a
 * message. */
#include <math.h>

#include "fuzz_util.h"
#include "libcoverage/coverage.h"

static void failed(cov_ctx *ctx)
{
    if (cov_last_error(ctx) == COV_OK || !cov_last_message(ctx)[0]) abort();
    cov_clear_error(ctx);
}

static void check_demand(cov_ctx *ctx, cov_demand *d)
{
    fuzz_report(d, "demand", ctx);
    if (!d) {
        failed(ctx);
        return;
    }
    for (size_t i = 0; i < cov_demand_count(d); i++) {
        if (!isfinite(cov_demand_lon(d)[i]) || !isfinite(cov_demand_lat(d)[i]) ||
            !cov_demand_id(d, i)[0])
            abort();
        for (size_t j = 0; j < cov_demand_weight_count(d); j++) {
            double w = cov_demand_weights(d, j)[i];
            if (!(w >= 0) || isinf(w)) abort();
        }
    }
    cov_demand_destroy(d);
}

static void check_facilities(cov_ctx *ctx, cov_facilities *f)
{
    fuzz_report(f, "facilities", ctx);
    if (!f) {
        failed(ctx);
        return;
    }
    for (size_t i = 0; i < cov_facilities_count(f); i++)
        if (!isfinite(cov_facilities_lon(f)[i]) || !isfinite(cov_facilities_lat(f)[i]) ||
            !cov_facilities_id(f, i)[0] || !cov_facilities_kind(f, i)[0])
            abort();
    cov_facilities_destroy(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[600];
    fuzz_write(path, sizeof path, "in.csv", data, size);
    cov_ctx *ctx = cov_ctx_create();
    if (!ctx) abort();
    cov_facility_fields ff = {.id = "facility_id", .name = "name", .kind = "kind",
                              .capacity = "capacity", .lon = "lon", .lat = "lat"};
    check_facilities(ctx, cov_facilities_read_csv(ctx, path, &ff, NULL));
    const char *w[] = {"total", "age65"};
    check_demand(ctx, cov_demand_read_mesh_csv(ctx, path, "mesh_code", 2, w, 0));
    const char *wn[] = {"2"};
    check_demand(ctx, cov_demand_read_mesh_csv(ctx, path, "1", 1, wn, COV_CSV_NO_HEADER));
    const char *wp[] = {"capacity"};
    check_demand(ctx, cov_demand_read_points_csv(ctx, path, "facility_id", "lon", "lat", NULL,
                                                 1, wp, 0));
    cov_ctx_destroy(ctx);
    return 0;
}
