/* Internal: the geometry column of result tables (io/table.c stores the
 * cells without knowing what they are; this floor owns GEOS). Included by
 * geo/geo.h. */
#ifndef COV_GEO_TABLE_GEOM_H
#define COV_GEO_TABLE_GEOM_H

#include "core/internal.h"
#include "libcoverage/table.h"

/* Sets the geometry of a row (lon/lat EPSG:6668); the table takes
 * ownership of g (also when row is out of range: g is then destroyed) and
 * destroys any previous one. */
void cov__table_set_geometry(cov_table *t, size_t row, GEOSGeometry *g);

/* The geometry of a row, owned by the table; NULL when the row has none,
 * the table has no geometry column or row is out of range. */
const GEOSGeometry *cov__table_geometry(const cov_table *t, size_t row);

#endif /* COV_GEO_TABLE_GEOM_H */
