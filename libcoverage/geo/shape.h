/* Internal: shapefile shapes and GEOS geometry, both ways. Reading builds
 * geometry from the records io/shp.c reads (ring assembly, geo/shape_read.c);
 * writing turns geometries into the shapes io/ stores (geo/shape_write.c).
 * Included by geo/geo.h. */
#ifndef COV_GEO_SHAPE_H
#define COV_GEO_SHAPE_H

#include "core/internal.h"
#include "libcoverage/table.h"

struct cov_shp_reader; /* io/shp_read.h */

/* Resource bounds of one polygon record (shapefile record, WKB entry):
 * the largest real ones (a municipality of N03 at full resolution, an
 * archipelago as one record) hold tens of thousands of vertices and a few
 * thousand islands; more is a damaged or generated file, whose repair
 * could run for hours. Exceeding either is COV_ERR_FORMAT (shapefiles) or
 * COV_ERR_GEOMETRY (WKB) naming the record. */
#define COV_MAX_RINGS_PER_RECORD 10000
#define COV_MAX_VERTICES_PER_RECORD 5000000

/* Geometry of record rec as a new GEOS geometry (caller destroys with
 * GEOSGeom_destroy_r): Point for the point family (MultiPoint records fail),
 * MultiLineString for arcs, Polygon or MultiPolygon for polygons, holes
 * assigned to the outer ring that contains them (shapefile rings: outer
 * clockwise, holes counter-clockwise). Sets *out_null to 1 and returns NULL
 * without error for a null shape. Returns NULL with an error naming file and
 * record for a malformed shape (ring with < 4 points, NaN coordinates,
 * unclosed ring) or one beyond COV_MAX_RINGS_PER_RECORD or
 * COV_MAX_VERTICES_PER_RECORD. Rings that repeat an earlier ring of the
 * record exactly are dropped with a warning. Z and M are dropped. */
GEOSGeometry *cov__shp_geometry(cov_ctx *ctx, const struct cov_shp_reader *r, int rec,
                                int *out_null);

/* Writes the geometries of table t as a new .shp (and .shx) at tmp_shp: one
 * shape type for the file (Point, MultiPoint when any row is one, Arc or
 * Polygon; Point when no row has a geometry), outer rings clockwise and
 * holes counter-clockwise, a null shape for a missing or empty geometry.
 * COV_ERR_GEOMETRY naming path and row for a collection, mixed kinds or a
 * non-finite coordinate; COV_ERR_IO naming path when writing fails. */
int cov__shp_write_shapes(cov_ctx *ctx, const cov_table *t, const char *tmp_shp,
                          const char *path);

#endif /* COV_GEO_SHAPE_H */
