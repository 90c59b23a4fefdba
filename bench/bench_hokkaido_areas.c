/*
 * Benchmark: the polygon work on Hokkaido through the public API: region
 * outlines (cov_regions_table), coverage with areas, gap and service-area
 * polygons, for the visiting-nurse stations at 16 km. No peer yet: the
 * figures in bench/RESULTS.md track libcoverage against itself.
 *
 *   bench_hokkaido_areas STATIONS_CSV
 *
 * STATIONS_CSV has columns id,lon,lat (bench/run_areas.sh writes it from
 * the stations JSON in ../shared/data, which COV_SHARED_DATA locates).
 * Exits 77 (skipped) when the data is absent.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "libcoverage/coverage.h"

#ifndef COV_SHARED_DATA_DEFAULT
#define COV_SHARED_DATA_DEFAULT "../shared/data"
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int fail(cov_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_hokkaido_areas: %s: %s\n", what, cov_last_message(ctx));
    return 1;
}

int main(int argc, char **argv)
{
    const char *dir = getenv("COV_SHARED_DATA");
    char n03[1024], map[1024], mesh[1024];
    struct stat st;
    if (!dir || !*dir) dir = COV_SHARED_DATA_DEFAULT;
    if (argc < 2 || stat(dir, &st) != 0) {
        fprintf(stderr, "bench_hokkaido_areas: needs STATIONS_CSV and the data in %s\n", dir);
        return 77;
    }
    snprintf(n03, sizeof n03, "%s/hokkaido_n03_shapefile_cp932/N03-22_01_220101.shp", dir);
    snprintf(map, sizeof map, "%s/hokkaido_municipality_2ji_iryoken.csv", dir);
    snprintf(mesh, sizeof mesh,
             "%s/raw/census2010_mesh500m_hokkaido_colspan/population_mesh_third_half.csv", dir);
    cov_ctx *ctx = cov_ctx_create();
    double t0 = now();
    cov_regions *m = cov_regions_read_shp(ctx, n03, "N03_007", "N03_004", NULL);
    cov_regions *a = m ? cov_regions_dissolve_csv(ctx, m, map, "muni_code", "iryoken2_code",
                                                  "iryoken2_name", 0)
                       : NULL;
    const char *w[] = {"2"};
    cov_demand *d = a ? cov_demand_read_mesh_csv(ctx, mesh, "1", 1, w, COV_CSV_NO_HEADER) : NULL;
    cov_facility_fields ff = {.id = "id", .lon = "lon", .lat = "lat", .default_kind = "nursing"};
    cov_facilities *f = d ? cov_facilities_read_csv(ctx, argv[1], &ff, NULL) : NULL;
    cov_analysis *an = f ? cov_analysis_create(ctx, a, f, d, NULL) : NULL;
    if (!an) return fail(ctx, "inputs");
    double t1 = now();
    cov_table *rt = cov_regions_table(ctx, a);
    double t2 = now();
    cov_table *cov = cov_analysis_coverage(ctx, an, NULL, 16000.0, 0, 0);
    double t3 = now();
    cov_table *gaps = cov_analysis_gaps(ctx, an, NULL, 16000.0, NULL, 0);
    double t4 = now();
    cov_table *sa =
        cov_analysis_service_areas(ctx, an, NULL, 16000.0, COV_AREAS_BY_REGION_KIND, NULL);
    double t5 = now();
    if (!rt || !cov || !gaps || !sa) return fail(ctx, "polygon work");
    printf("{\"inputs_s\": %.3f, \"regions_table_s\": %.3f, \"coverage_with_areas_s\": %.3f, "
           "\"gaps_s\": %.3f, \"service_areas_s\": %.3f, \"n_gaps\": %zu}\n",
           t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, cov_table_nrows(gaps));
    cov_table_destroy(sa);
    cov_table_destroy(gaps);
    cov_table_destroy(cov);
    cov_table_destroy(rt);
    cov_analysis_destroy(an);
    cov_facilities_destroy(f);
    cov_demand_destroy(d);
    cov_regions_destroy(a);
    cov_regions_destroy(m);
    cov_ctx_destroy(ctx);
    return 0;
}
