/* Internal: the layout of regions, facilities and demand (the model floor). */
#ifndef COV_MODEL_MODEL_H
#define COV_MODEL_MODEL_H

#include "core/internal.h"
#include "geo/geo.h"
#include "libcoverage/demand.h"
#include "libcoverage/facilities.h"
#include "libcoverage/regions.h"

/* Regions are kept as their parts (polygons, lon/lat), each tagged with its
 * region: dissolving only relabels parts, and area work is done part by part
 * (parts of a coverage never overlap), so no costly union is needed until a
 * region's outline is asked for. */
struct cov_regions {
    size_t n;
    char **ids;
    char **names;
    size_t n_parts;
    GEOSGeometry **parts; /* Polygon, lon/lat JGD2011, valid */
    size_t *part_region;
    /* Outlines (union of each region's parts, lon/lat), made on first use
     * and kept: regions are used by one thread at a time (core.h). */
    GEOSGeometry **outline;
    cov_ctx *ctx; /* the creating context (a reference): frees the parts */
};

/* Outline of region i (cached in the regions); NULL with an error. */
const GEOSGeometry *cov__regions_outline(cov_ctx *ctx, const cov_regions *r, size_t i);

struct cov_facilities {
    size_t n;
    char **ids, **names, **kinds;
    double *lon, *lat, *capacity;
    size_t n_kinds;
    char **kind_names; /* distinct kinds, first-appearance order */
    size_t *kind_of;   /* kind index of each facility */
    /* Planning attributes (facility_attrs.c), all NULL until read or set:
     * role bits, 24-hour flag (1, 0, -1 unknown), network id ("" none),
     * capacities and psychiatric beds (NaN unknown). */
    int *roles, *h24;
    char **network_ids;
    double *doctors, *nurse_fte, *beds, *beds_psychiatric;
};

/* Frees the planning attributes of f (they may be NULL). */
void cov__facility_attrs_free(cov_facilities *f);

struct cov_demand {
    size_t n;
    char **ids;
    int *level; /* mesh level, 0 for points */
    double *lon, *lat;
    size_t n_weights;
    char **weight_names;
    double *weights; /* column-major: weights[j * n + i] */
};

/* Builds regions from parts: ids[k] and names[k] (copied; names may be
 * NULL or hold NULLs) for every part k; parts sharing an id form one region,
 * regions ordered by first appearance, named by their first non-empty name.
 * Takes ownership of the parts array and every part (also on failure). */
cov_regions *cov__regions_from_parts(cov_ctx *ctx, size_t n_parts,
                                     GEOSGeometry **parts,
                                     const char *const *ids,
                                     const char *const *names);

#endif /* COV_MODEL_MODEL_H */
