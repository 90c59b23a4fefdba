/*
 * Quick start with libcoverage: which share of the people of each home-care
 * area lives within 16 km (straight line, the house-call rule) of a home-care
 * clinic, a visiting-nurse station, and both?
 *
 *   quickstart [DATA_DIR [OUT_DIR]]
 *
 * DATA_DIR defaults to data/sample (the fictional sample shipped with the
 * project), OUT_DIR to quickstart-out. Writes coverage.csv, reach.csv,
 * gaps.shp and service_areas.shp there and prints the coverage table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libcoverage/coverage.h"

#define RADIUS_M 16000.0

static void on_message(int level, const char *message, void *userdata)
{
    (void)userdata;
    if (level >= COV_MSG_WARNING) fprintf(stderr, "warning: %s\n", message);
}

static int fail(cov_ctx *ctx, const char *what)
{
    fprintf(stderr, "quickstart: %s failed: %s (%s)\n", what, cov_last_message(ctx),
            cov_status_name(cov_last_error(ctx)));
    return 1;
}

static void print_coverage(const cov_table *t)
{
    long id = cov_table_column_index(t, "region_id"), name = cov_table_column_index(t, "region_name");
    long kind = cov_table_column_index(t, "kind"), nf = cov_table_column_index(t, "n_facilities");
    long share = cov_table_column_index(t, "share_covered");
    long area = cov_table_column_index(t, "share_area_covered");
    printf("%-6s %-20s %-20s %5s %8s %8s\n", "area", "name", "kind", "n", "people", "land");
    for (size_t i = 0; i < cov_table_nrows(t); i++)
        printf("%-6s %-20s %-20s %5lld %7.1f%% %7.1f%%\n", cov_table_string(t, (size_t)id, i),
               cov_table_string(t, (size_t)name, i), cov_table_string(t, (size_t)kind, i),
               (long long)cov_table_ints(t, (size_t)nf)[i],
               100.0 * cov_table_doubles(t, (size_t)share)[i],
               100.0 * cov_table_doubles(t, (size_t)area)[i]);
}

/* Writes one table into out/name, reporting failure. */
static int write_output(cov_ctx *ctx, cov_table *t, const char *out, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out, name);
    int st = !t ? COV_ERR_INTERNAL
             : strstr(name, ".shp") ? cov_table_write_shp(ctx, t, path)
                                    : cov_table_write_csv(ctx, t, path);
    cov_table_destroy(t);
    if (st != COV_OK) return fail(ctx, name);
    printf("wrote %s\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    const char *data = argc > 1 ? argv[1] : "data/sample";
    const char *out = argc > 2 ? argv[2] : "quickstart-out";
    char p_regions[4096], p_areas[4096], p_fac[4096], p_mesh[4096];
    snprintf(p_regions, sizeof p_regions, "%s/municipalities.shp", data);
    snprintf(p_areas, sizeof p_areas, "%s/areas.csv", data);
    snprintf(p_fac, sizeof p_fac, "%s/facilities.csv", data);
    snprintf(p_mesh, sizeof p_mesh, "%s/population_mesh1km.csv", data);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        perror(out);
        return 1;
    }
    cov_ctx *ctx = cov_ctx_create();
    if (!ctx) return 1;
    cov_ctx_set_message_handler(ctx, on_message, NULL);
    int rc = 1;
    cov_regions *munis = cov_regions_read_shp(ctx, p_regions, "muni_code", "muni_name", NULL);
    cov_regions *areas = munis ? cov_regions_dissolve_csv(ctx, munis, p_areas, "muni_code",
                                                          "area_code", "area_name", 0)
                               : NULL;
    cov_facility_fields ff = {.id = "facility_id", .name = "name", .kind = "kind",
                              .capacity = "capacity", .lon = "lon", .lat = "lat"};
    cov_facilities *fac = areas ? cov_facilities_read_csv(ctx, p_fac, &ff, NULL) : NULL;
    const char *weights[] = {"total", "age65", "age75"};
    cov_demand *dem = fac ? cov_demand_read_mesh_csv(ctx, p_mesh, "mesh_code", 3, weights, 0)
                          : NULL;
    cov_analysis *an = dem ? cov_analysis_create(ctx, areas, fac, dem, NULL) : NULL;
    cov_table *cov = an ? cov_analysis_coverage(ctx, an, NULL, RADIUS_M, 0, 0) : NULL;
    if (!cov) {
        rc = fail(ctx, "analysis");
        goto done;
    }
    printf("Within %.0f km (straight line) of a facility, by home-care area:\n", RADIUS_M / 1000);
    print_coverage(cov);
    rc = write_output(ctx, cov, out, "coverage.csv") ||
         write_output(ctx, cov_analysis_reach(ctx, an, NULL, NULL, RADIUS_M), out, "reach.csv") ||
         write_output(ctx, cov_analysis_gaps(ctx, an, NULL, RADIUS_M, NULL, 0), out, "gaps.shp") ||
         write_output(ctx,
                      cov_analysis_service_areas(ctx, an, NULL, RADIUS_M, COV_AREAS_BY_REGION_KIND, NULL),
                      out, "service_areas.shp");
done:
    cov_analysis_destroy(an);
    cov_demand_destroy(dem);
    cov_facilities_destroy(fac);
    cov_regions_destroy(areas);
    cov_regions_destroy(munis);
    cov_ctx_destroy(ctx);
    return rc;
}
