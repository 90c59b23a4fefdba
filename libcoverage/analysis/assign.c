/* Assigning demand units and facilities to regions: inside a part of the
 * region, else, unless the point is on the land layer, the nearest region
 * within the coastal snap distance (see geo/locator.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/analysis_internal.h"

/* Up to eight ids of the units matching `which` (1 on land outside the
 * regions, 0 elsewhere outside), their number and weight. */
static size_t list_outside(const cov_analysis *a, int which, char *list, size_t size,
                           double *out_weight)
{
    const cov_demand *d = a->demand;
    size_t len = 0, n = 0;
    *out_weight = 0.0;
    list[0] = '\0';
    for (size_t i = 0; i < d->n; i++) {
        if (a->demand_region[i] >= 0 || a->demand_on_land[i] != which) continue;
        *out_weight += d->weights[i];
        if (n++ < 8 && len < size - 40)
            len += (size_t)snprintf(list + len, size - len, "%s%s", n > 1 ? ", " : "", d->ids[i]);
    }
    return n;
}

static void warn_unassigned(cov_ctx *ctx, const cov_analysis *a)
{
    const char *w = a->demand->weight_names[0];
    char list[400];
    double weight;
    size_t n = list_outside(a, 1, list, sizeof list, &weight);
    if (n)
        cov__warn(ctx,
                  "%zu demand unit(s) lie on the land layer outside every region and are left "
                  "out of coverage, not joined to a region (weight \"%s\" %.10g): %s%s; the "
                  "assignment table lists them (method outside_land)",
                  n, w, weight, list, n > 8 ? ", ..." : "");
    n = list_outside(a, 0, list, sizeof list, &weight);
    if (n)
        cov__warn(ctx,
                  "%zu demand unit(s) lie in no region nor within %.0f m of one and are left out "
                  "of coverage (weight \"%s\" %.10g): %s%s; the assignment table lists them",
                  n, a->coastal_snap_m, w, weight, list, n > 8 ? ", ..." : "");
}

/* Share of the demand beyond the coastal snap distance of every region above
 * which the regions look like part of the land (a city's wards, one area of a
 * prefecture) rather than all of it: the cells the coastal rule joined are
 * then likely cells of the neighbouring towns, not cells in the sea. */
#define SUBSET_SHARE 0.05

/* Without a land layer the coastal rule cannot tell sea from a neighbour's
 * land: say so when the demand shows the regions are a subset. */
static void warn_subset(cov_ctx *ctx, const cov_analysis *a)
{
    const cov_demand *d = a->demand;
    double total = 0.0, beyond = 0.0, snapped = 0.0;
    size_t n_snapped = 0;
    for (size_t i = 0; i < d->n; i++) {
        total += d->weights[i];
        if (a->demand_region[i] < 0) beyond += d->weights[i];
        else if (a->demand_snap_m[i] > 0.0) snapped += d->weights[i], n_snapped++;
    }
    if (!n_snapped || !(beyond > SUBSET_SHARE * total)) return;
    cov__warn(ctx,
              "the demand reaches far beyond the regions (weight \"%s\" %.10g of %.10g lies "
              "farther than %.0f m from every region), so the regions look like part of the "
              "land: the %zu unit(s) (weight %.10g) that the coastal rule joined to a region "
              "may be cells of neighbouring municipalities, not cells in the sea; give the "
              "surrounding municipalities as a land layer (land=) or set the coastal snap "
              "distance to 0",
              d->weight_names[0], beyond, total, a->coastal_snap_m, n_snapped, snapped);
}

/* Region of (lon, lat), with *out_snap 0 inside, the distance when
 * snapped, NaN when unassigned; *out_on_land 1 when the point lies outside
 * every region but on the land layer (then the coastal rule does not
 * apply: it is for points in the sea). */
static int64_t locate(const cov_analysis *a, cov_locator *l, const cov_locator *land,
                      const cov_regions *land_regions, double lon, double lat, double *out_snap,
                      unsigned char *out_on_land)
{
    const size_t *part_region = a->regions->part_region;
    long region = cov__locator_inside(l, lon, lat, part_region);
    *out_snap = region >= 0 ? 0.0 : NAN;
    *out_on_land = 0;
    if (region < 0 && land && cov__locator_inside(land, lon, lat, land_regions->part_region) >= 0) {
        *out_on_land = 1;
        return -1;
    }
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

int cov__assign(cov_ctx *ctx, cov_analysis *a, const cov_regions *land)
{
    const cov_demand *d = a->demand;
    const cov_facilities *f = a->facilities;
    a->demand_region = cov__mallocarray(ctx, d->n ? d->n : 1, sizeof *a->demand_region);
    a->demand_snap_m = cov__mallocarray(ctx, d->n ? d->n : 1, sizeof *a->demand_snap_m);
    a->facility_region = cov__mallocarray(ctx, f->n ? f->n : 1, sizeof *a->facility_region);
    a->demand_on_land = cov__calloc(ctx, d->n ? d->n : 1, 1);
    if (!a->demand_region || !a->demand_snap_m || !a->facility_region || !a->demand_on_land)
        return COV_ERR_NOMEM;
    cov_locator *l = cov__locator_build(ctx, a->regions->parts, a->regions->n_parts);
    if (!l) return ctx->status;
    cov_locator *land_l = NULL;
    if (land && land->n_parts) {
        land_l = cov__locator_build(ctx, land->parts, land->n_parts);
        if (!land_l) {
            cov__locator_destroy(l);
            return ctx->status;
        }
    }
    int st = COV_OK;
    for (size_t i = 0; i < d->n && st == COV_OK; i++) {
        a->demand_region[i] = locate(a, l, land_l, land, d->lon[i], d->lat[i],
                                     &a->demand_snap_m[i], &a->demand_on_land[i]);
        a->n_unassigned += a->demand_region[i] < 0;
        if (i % 4096 == 4095) st = cov__progress(ctx, (double)i / d->n, "assigning to regions");
    }
    for (size_t j = 0; j < f->n && st == COV_OK; j++) {
        double snap;
        unsigned char on_land;
        a->facility_region[j] = locate(a, l, land_l, land, f->lon[j], f->lat[j], &snap, &on_land);
    }
    if (st == COV_OK) warn_far_facilities(ctx, a, l);
    cov__locator_destroy(land_l);
    cov__locator_destroy(l);
    if (st == COV_OK && a->n_unassigned) warn_unassigned(ctx, a);
    if (st == COV_OK && !(land && land->n_parts) && a->coastal_snap_m > 0.0) warn_subset(ctx, a);
    return st;
}
