/* Assigning demand units and facilities to regions: inside a part of the
 * region, else the nearest region within the coastal snap distance (see
 * geo/locator.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/analysis_internal.h"

static void warn_unassigned(cov_ctx *ctx, const cov_analysis *a)
{
    const cov_demand *d = a->demand;
    char list[400] = "";
    size_t len = 0, shown = 0;
    double weight = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        if (a->demand_region[i] >= 0) continue;
        weight += d->weights[i];
        if (shown++ < 8 && len < sizeof list - 40)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", shown > 1 ? ", " : "",
                                    d->ids[i]);
    }
    cov__warn(ctx,
              "%zu demand unit(s) lie in no region nor within %.0f m of one and are left out "
              "of coverage (weight \"%s\" %.10g): %s%s; the assignment table lists them",
              a->n_unassigned, a->coastal_snap_m, d->weight_names[0], weight, list,
              a->n_unassigned > 8 ? ", ..." : "");
}

/* Region of (lon, lat), with *out_snap 0 inside, the distance when
 * snapped, NaN when unassigned. */
static int64_t locate(const cov_analysis *a, cov_locator *l, double lon, double lat,
                      double *out_snap)
{
    const size_t *part_region = a->regions->part_region;
    long region = cov__locator_inside(l, lon, lat, part_region);
    *out_snap = region >= 0 ? 0.0 : NAN;
    if (region < 0 && a->coastal_snap_m > 0.0) {
        double d;
        region = cov__locator_nearest(l, lon, lat, a->coastal_snap_m, part_region, &d);
        if (region >= 0) *out_snap = d;
    }
    return region;
}

/* Facilities outside every region count (people cross borders for care),
 * but one far from all of them is more likely a wrong coordinate (a
 * station geocoded to another prefecture): say so, keep it. */
#define FAR_FACILITY_M 50000.0

static void warn_far_facilities(cov_ctx *ctx, const cov_analysis *a, cov_locator *l)
{
    const cov_facilities *f = a->facilities;
    char list[400] = "";
    size_t len = 0, n = 0;
    for (size_t j = 0; j < f->n; j++) {
        double d;
        if (a->facility_region[j] >= 0 ||
            cov__locator_nearest(l, f->lon[j], f->lat[j], FAR_FACILITY_M,
                                 a->regions->part_region, &d) >= 0)
            continue;
        if (n++ < 8 && len < sizeof list - 60)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s (%.5f, %.5f)",
                                    n > 1 ? ", " : "", f->ids[j], f->lon[j], f->lat[j]);
    }
    if (n)
        cov__warn(ctx,
                  "%zu facility(ies) lie more than %.0f km from every region and still count "
                  "for reach; check their coordinates: %s%s",
                  n, FAR_FACILITY_M / 1000, list, n > 8 ? ", ..." : "");
}

int cov__assign(cov_ctx *ctx, cov_analysis *a)
{
    const cov_demand *d = a->demand;
    const cov_facilities *f = a->facilities;
    a->demand_region = cov__mallocarray(ctx, d->n ? d->n : 1, sizeof *a->demand_region);
    a->demand_snap_m = cov__mallocarray(ctx, d->n ? d->n : 1, sizeof *a->demand_snap_m);
    a->facility_region = cov__mallocarray(ctx, f->n ? f->n : 1, sizeof *a->facility_region);
    if (!a->demand_region || !a->demand_snap_m || !a->facility_region) return COV_ERR_NOMEM;
    cov_locator *l = cov__locator_build(ctx, a->regions->parts, a->regions->n_parts);
    if (!l) return ctx->status;
    int st = COV_OK;
    for (size_t i = 0; i < d->n && st == COV_OK; i++) {
        a->demand_region[i] = locate(a, l, d->lon[i], d->lat[i], &a->demand_snap_m[i]);
        a->n_unassigned += a->demand_region[i] < 0;
        if (i % 4096 == 4095) st = cov__progress(ctx, (double)i / d->n, "assigning to regions");
    }
    for (size_t j = 0; j < f->n && st == COV_OK; j++) {
        double snap;
        a->facility_region[j] = locate(a, l, f->lon[j], f->lat[j], &snap);
    }
    if (st == COV_OK) warn_far_facilities(ctx, a, l);
    cov__locator_destroy(l);
    if (st == COV_OK && a->n_unassigned) warn_unassigned(ctx, a);
    return st;
}
