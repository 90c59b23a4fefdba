/* Fuzz target: regions from WKB. The input holds up to 8 WKB geometries
 * separated by FUZZ_SEP; entries get ids "a", "b", "a", "b", ... so that
 * parts sharing an id are unioned. A success is checked as the API
 * promises (ids, non-negative finite areas, WKB out that GEOS-free code can
 * size-check); a failure must leave a message. */
#include <math.h>

#include "fuzz_util.h"
#include "libcoverage/coverage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part[8];
    size_t len[8], n = fuzz_split(data, size, 8, part, len);
    const char *ids[8];
    for (size_t k = 0; k < n; k++) ids[k] = k % 2 ? "b" : "a";
    cov_ctx *ctx = cov_ctx_create();
    if (!ctx) abort();
    cov_regions *r = cov_regions_from_wkb(ctx, n, ids, NULL, part, len, NULL);
    fuzz_report(r, "regions", ctx);
    if (!r) {
        if (cov_last_error(ctx) == COV_OK || !cov_last_message(ctx)[0]) abort();
    } else {
        if (cov_regions_count(r) < 1 || cov_regions_count(r) > 2) abort();
        cov_table *t = cov_regions_table(ctx, r);
        for (size_t i = 0; t && i < cov_table_nrows(t); i++) {
            double a = cov_table_doubles(t, 2)[i];
            if (!(a >= 0) || isinf(a)) abort();
            size_t nb = 0;
            unsigned char *wkb = cov_table_wkb(ctx, t, i, &nb);
            if (!wkb || nb < 9) abort();
            cov_free(wkb);
        }
        if (!t && !cov_last_message(ctx)[0]) abort();
        cov_table_destroy(t);
        cov_regions_destroy(r);
    }
    cov_ctx_destroy(ctx);
    return 0;
}
