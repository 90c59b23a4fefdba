/* Internal: coordinate transformations, geodesic helpers and the spatial
 * index used for reach. */
#ifndef COV_GEO_GEO_H
#define COV_GEO_GEO_H

#include "core/internal.h"
#include "geo/shape.h"
#include "geo/table_geom.h"

/* JGD2011 geographic, the CRS everything is stored in (lon/lat order). */
#define COV_LONLAT_CRS "EPSG:6668"

/* A transformation between two CRSs, lon/lat (or easting/northing) order on
 * both sides. identity is set when the source is already JGD2011 lon/lat
 * (or equivalent), and then pj is NULL. */
typedef struct cov_xform {
    PJ *pj;
    int identity;
    int projected; /* cov__xform_to_lonlat(): the source CRS is projected */
} cov_xform;

/* From crs (EPSG code, WKT or PROJ string; NULL means JGD2011 lon/lat) to
 * JGD2011 lon/lat. `what` names the input for messages. */
int cov__xform_to_lonlat(cov_ctx *ctx, const char *crs, const char *what,
                         cov_xform *out);

/* From JGD2011 lon/lat to a projected CRS in metres (crs NULL: a Lambert
 * azimuthal equal-area projection centred on lon0/lat0). *out_def receives
 * the definition used (caller frees with free()). */
int cov__xform_to_projected(cov_ctx *ctx, const char *crs, double lon0,
                            double lat0, cov_xform *out, char **out_def);

/* Transforms n points in place (forward); fails with COV_ERR_CRS naming
 * `what` and the index of the first point that cannot be transformed. */
int cov__xform_points(cov_ctx *ctx, const cov_xform *xf, size_t n, double *x,
                      double *y, const char *what);

/* A transformed copy of g (forward, or inverse when inverse != 0); NULL with
 * COV_ERR_CRS on failure. */
GEOSGeometry *cov__xform_geom(cov_ctx *ctx, const cov_xform *xf,
                              const GEOSGeometry *g, int inverse,
                              const char *what);

/* The same, first inserting points in segments longer than max_segment
 * (source units) so that edges straight in the source CRS stay so. */
GEOSGeometry *cov__xform_geom_densify(cov_ctx *ctx, const cov_xform *xf,
                                      const GEOSGeometry *g, int inverse,
                                      double max_segment, const char *what);

void cov__xform_free(cov_xform *xf);

/* Non-zero when lon/lat are finite and in range. */
int cov__lonlat_ok(double lon, double lat);

/* A hint for coordinates that are not lon/lat: "" when they are, else a
 * sentence saying that lon and lat look swapped, or that they may be in a
 * projected CRS that was not given. Static storage. */
const char *cov__lonlat_hint(double lon, double lat);

/* A hint for a layer whose extent (x0..x1, y0..y1) is not lon/lat: when
 * the extent with x and y exchanged lies in the area of use of JGD2011
 * (Japan, from PROJ's database), a sentence saying the axes look swapped;
 * else "". Static storage. */
const char *cov__swap_hint(cov_ctx *ctx, double x0, double y0, double x1, double y1);

/* Area in m^2 on the GRS80 ellipsoid of a lon/lat (Multi)Polygon, edges
 * taken as geodesics. */
double cov__geod_area_m2(cov_ctx *ctx, const GEOSGeometry *g);

/* Area in m^2 of a lon/lat (Multi)Polygon, edges straight in lon/lat, in a
 * Lambert azimuthal equal-area projection centred on it: agrees with the
 * geodesic area to about 1e-6 and is much faster for long outlines.
 * -1 with an error in ctx on failure. */
double cov__area_m2(cov_ctx *ctx, const GEOSGeometry *g);

/* The same in a given equal-area projection xf (any centre: a Lambert
 * azimuthal equal-area projection keeps areas everywhere; its centre only
 * moves the shape distortion), so that many polygons share one PROJ
 * transform, whose making costs more than a municipality's area. */
double cov__area_m2_in(cov_ctx *ctx, const cov_xform *xf, const GEOSGeometry *g);

/* The union of n polygons that tile without overlapping (the parts of a
 * region), by counting shared edges (linear), checked by area and falling
 * back to the general union when the parts do not tile exactly. The inputs
 * are not changed. NULL with an error in ctx. */
GEOSGeometry *cov__union_parts(cov_ctx *ctx, const GEOSGeometry *const *parts, size_t n);

/* Where (px, py) lies against the closed ring of n points x, y (first = last):
 * 1 inside, 0 on the boundary, -1 outside (even-odd crossing rule). */
int cov__point_in_ring(double px, double py, const double *x, const double *y, size_t n);

/* A geodesic circle: `segments` points at geodesic distance radius_m from
 * (lon, lat), projected with xf, as a Polygon (NULL on failure). */
GEOSGeometry *cov__geod_circle(cov_ctx *ctx, const cov_xform *xf, double lon,
                               double lat, double radius_m, int segments);

/* Spatial index over points for exact geodesic queries: a kd-tree on
 * earth-centred (ECEF) coordinates, where the chord never exceeds the
 * geodesic distance, so chords prune exactly. */
typedef struct cov_kdtree cov_kdtree;

/* Indexes the points idx[0..n) of lon/lat (idx NULL: all n points).
 * Returns NULL with an error in ctx on failure. */
cov_kdtree *cov__kdtree_build(cov_ctx *ctx, const double *lon,
                              const double *lat, const size_t *idx, size_t n);

/* Nearest point by geodesic distance: its index in lon/lat (ties go to the
 * lowest index) and *out_dist_m; -1 when the tree is empty. */
long cov__kdtree_nearest(const cov_kdtree *t, const struct geod_geodesic *g,
                         double lon, double lat, double *out_dist_m);

/* Number of points at geodesic distance <= radius_m (boundary included). */
size_t cov__kdtree_within(const cov_kdtree *t, const struct geod_geodesic *g,
                          double lon, double lat, double radius_m);

/* Calls fn(userdata, index, distance_m) for every point at geodesic
 * distance <= radius_m (boundary included); order unspecified. With exact
 * the distance is the geodesic one; without, it is NaN for points surely
 * inside (no geodesic computed: membership only). */
typedef void (*cov_kdtree_visit_fn)(void *userdata, size_t index, double distance_m);
void cov__kdtree_visit_within(const cov_kdtree *t, const struct geod_geodesic *g, double lon,
                              double lat, double radius_m, int exact, cov_kdtree_visit_fn fn,
                              void *userdata);

size_t cov__kdtree_size(const cov_kdtree *t);
void cov__kdtree_destroy(cov_kdtree *t);

/* Point location over polygon parts (lon/lat): which part contains a
 * point, which lies nearest within a distance. */
typedef struct cov_locator cov_locator;

/* Indexes the polygons parts[0..n_parts). NULL with an error in ctx. */
cov_locator *cov__locator_build(cov_ctx *ctx, GEOSGeometry *const *parts, size_t n_parts);

/* The lowest part_region[k] among the parts k containing (lon, lat), edges
 * included; -1 when none does. */
long cov__locator_inside(const cov_locator *l, double lon, double lat,
                         const size_t *part_region);

/* The part_region[k] of the part nearest to (lon, lat) within max_m metres
 * (ties: lowest region) and its distance in *out_d; -1 when none. */
long cov__locator_nearest(cov_locator *l, double lon, double lat, double max_m,
                          const size_t *part_region, double *out_d);

void cov__locator_destroy(cov_locator *l);

#endif /* COV_GEO_GEO_H */
