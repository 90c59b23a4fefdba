/* Many threads, each with its own context, running the full analysis of
 * data/sample at once (read, dissolve, reach, coverage with areas, gaps,
 * service areas, CSV and shapefile output). Every thread must get exactly
 * what one thread alone gets. Built and run under ThreadSanitizer by
 * scripts/test.sh (COV_TSAN), where a data race fails the test; under the
 * other builds it checks that results do not depend on concurrency. */
#include <pthread.h>

#include "libcoverage/coverage.h"
#include "testutil.h"

#define N_THREADS 8

/* What a run yields: a fingerprint of every number and string of its
 * tables, and how the run went. */
typedef struct run {
    int index;
    int ok;
    double sum;        /* sum of the finite doubles and ints of all tables */
    unsigned long h;   /* hash of the strings of all tables */
    size_t rows;
    size_t written;    /* bytes of the CSV written */
    char error[1024];
} run;

static void digest(run *r, const cov_table *t)
{
    r->rows += cov_table_nrows(t);
    for (size_t c = 0; c < cov_table_ncols(t); c++)
        for (size_t i = 0; i < cov_table_nrows(t); i++) {
            int type = cov_table_column_type(t, c);
            if (type == COV_COL_DOUBLE) {
                double v = cov_table_doubles(t, c)[i];
                if (isfinite(v)) r->sum += v;
            } else if (type == COV_COL_INT) {
                r->sum += (double)cov_table_ints(t, c)[i];
            } else {
                for (const char *s = cov_table_string(t, c, i); *s; s++)
                    r->h = r->h * 131 + (unsigned char)*s;
            }
        }
}

static int keep(run *r, cov_ctx *ctx, cov_table *t)
{
    if (!t) {
        snprintf(r->error, sizeof r->error, "%s", cov_last_message(ctx));
        return 0;
    }
    digest(r, t);
    return 1;
}

static void *analyse(void *arg)
{
    run *r = arg;
    cov_ctx *ctx = cov_ctx_create();
    const char *w[] = {"total", "age65", "age75"};
    cov_facility_fields ff = {.id = "facility_id", .name = "name", .kind = "kind",
                              .capacity = "capacity", .lon = "lon", .lat = "lat"};
    cov_regions *m = cov_regions_read_shp(ctx, "data/sample/municipalities.shp", "muni_code",
                                          "muni_name", NULL);
    cov_regions *a = m ? cov_regions_dissolve_csv(ctx, m, "data/sample/areas.csv", "muni_code",
                                                  "area_code", "area_name", 0)
                       : NULL;
    cov_facilities *f = cov_facilities_read_csv(ctx, "data/sample/facilities.csv", &ff, NULL);
    cov_demand *d = cov_demand_read_mesh_csv(ctx, "data/sample/population_mesh1km.csv",
                                             "mesh_code", 3, w, 0);
    cov_analysis *an = a && f && d ? cov_analysis_create(ctx, a, f, d, NULL) : NULL;
    int ok = an != NULL;
    if (!ok) snprintf(r->error, sizeof r->error, "%s", cov_last_message(ctx));
    cov_table *cov = NULL;
    if (ok) ok = keep(r, ctx, cov = cov_analysis_coverage(ctx, an, NULL, 16000, 1, 0));
    if (ok) {
        cov_table *t = cov_analysis_reach(ctx, an, NULL, NULL, 16000);
        ok = keep(r, ctx, t);
        cov_table_destroy(t);
    }
    if (ok) {
        cov_table *t = cov_analysis_gaps(ctx, an, NULL, 16000, NULL, 0);
        ok = keep(r, ctx, t);
        cov_table_destroy(t);
    }
    if (ok) {
        cov_table *t = cov_analysis_service_areas(ctx, an, NULL, 10000, COV_AREAS_BY_REGION_KIND, NULL);
        char path[1024], name[64];
        snprintf(name, sizeof name, "threads_%d.shp", r->index);
        ok = keep(r, ctx, t) &&
             cov_table_write_shp(ctx, t, cov_test_tmp(path, sizeof path, name)) == COV_OK;
        cov_table_destroy(t);
    }
    if (ok) {
        char path[1024], name[64];
        struct stat st;
        snprintf(name, sizeof name, "threads_%d.csv", r->index);
        ok = cov_table_write_csv(ctx, cov, cov_test_tmp(path, sizeof path, name)) == COV_OK &&
             stat(path, &st) == 0;
        if (ok) r->written = (size_t)st.st_size;
    }
    if (!ok && !r->error[0]) snprintf(r->error, sizeof r->error, "%s", cov_last_message(ctx));
    r->ok = ok;
    cov_table_destroy(cov);
    cov_analysis_destroy(an);
    cov_demand_destroy(d);
    cov_facilities_destroy(f);
    cov_regions_destroy(a);
    cov_regions_destroy(m);
    cov_ctx_destroy(ctx);
    return NULL;
}

int main(void)
{
    run alone = {.index = 99};
    analyse(&alone);
    CHECK(alone.ok);
    if (!alone.ok) fprintf(stderr, "serial run: %s\n", alone.error);
    CHECK(alone.rows > 1000 && alone.sum > 0 && alone.written > 0);

    run runs[N_THREADS] = {{0}};
    pthread_t tid[N_THREADS];
    for (int k = 0; k < N_THREADS; k++) {
        runs[k].index = k;
        CHECK(pthread_create(&tid[k], NULL, analyse, &runs[k]) == 0);
    }
    for (int k = 0; k < N_THREADS; k++) pthread_join(tid[k], NULL);
    for (int k = 0; k < N_THREADS; k++) {
        CHECK(runs[k].ok);
        if (!runs[k].ok) fprintf(stderr, "thread %d: %s\n", k, runs[k].error);
        /* bit for bit what the lone run got */
        CHECK(runs[k].sum == alone.sum);
        CHECK(runs[k].h == alone.h);
        CHECK(runs[k].rows == alone.rows);
        CHECK(runs[k].written == alone.written);
    }
    TEST_END();
}
