/* Reading road lines: shapefiles (the .dbf optional), flat arrays and WKB. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/shp_read.h"
#include "net/net_internal.h"

/* ---- the line buffer ------------------------------------------------------ */

static int class_id(cov_ctx *ctx, cov__lines *l, const char *name, int32_t *out)
{
    *out = -1;
    if (!name || !*name) return COV_OK;
    for (size_t i = 0; i < l->classes.n; i++) /* few classes: a scan is enough */
        if (strcmp(l->classes.items[i], name) == 0) {
            *out = (int32_t)i;
            return COV_OK;
        }
    if (cov__strvec_push(ctx, &l->classes, name) != COV_OK) return COV_ERR_NOMEM;
    *out = (int32_t)(l->classes.n - 1);
    return COV_OK;
}

/* Appends a line of n points (lon/lat, checked by the caller) of class
 * klass (an index into l->classes, -1: none), level (enum cov_road_level)
 * and input index src. */
static int push_line_id(cov_ctx *ctx, cov__lines *l, size_t n, const double *lon,
                        const double *lat, int32_t klass, int dir, double maxspeed,
                        int level, size_t src, const char *where)
{
    if (maxspeed > COV_NET_MAX_SPEED_KMH) {
        if (l->n_absurd_speed++ == 0) {
            l->absurd_speed = maxspeed;
            snprintf(l->absurd_where, sizeof l->absurd_where, "%s", where);
        }
        maxspeed = NAN;
    }
    if (l->n + 1 >= l->cap_lines) {
        size_t cap = l->cap_lines ? 2 * l->cap_lines : 256;
        size_t *off = cov__realloc(ctx, l->off, (cap + 1) * sizeof *off);
        if (!off) return COV_ERR_NOMEM;
        l->off = off;
        int32_t *k = cov__realloc(ctx, l->klass, cap * sizeof *k);
        if (!k) return COV_ERR_NOMEM;
        l->klass = k;
        uint8_t *d = cov__realloc(ctx, l->dir, cap * sizeof *d);
        if (!d) return COV_ERR_NOMEM;
        l->dir = d;
        double *m = cov__realloc(ctx, l->maxspeed, cap * sizeof *m);
        if (!m) return COV_ERR_NOMEM;
        l->maxspeed = m;
        uint8_t *lv = cov__realloc(ctx, l->level, cap * sizeof *lv);
        if (!lv) return COV_ERR_NOMEM;
        l->level = lv;
        size_t *sr = cov__realloc(ctx, l->src, cap * sizeof *sr);
        if (!sr) return COV_ERR_NOMEM;
        l->src = sr;
        l->cap_lines = cap;
        if (l->n == 0) l->off[0] = 0;
    }
    if (l->n_vertices + n > l->cap_vertices) {
        size_t cap = l->cap_vertices ? l->cap_vertices : 4096;
        while (cap < l->n_vertices + n) cap *= 2;
        double *a = cov__realloc(ctx, l->lon, cap * sizeof *a);
        if (!a) return COV_ERR_NOMEM;
        l->lon = a;
        double *b = cov__realloc(ctx, l->lat, cap * sizeof *b);
        if (!b) return COV_ERR_NOMEM;
        l->lat = b;
        l->cap_vertices = cap;
    }
    memcpy(l->lon + l->n_vertices, lon, n * sizeof *lon);
    memcpy(l->lat + l->n_vertices, lat, n * sizeof *lat);
    l->n_vertices += n;
    l->klass[l->n] = klass;
    l->dir[l->n] = (uint8_t)dir;
    l->maxspeed[l->n] = maxspeed > 0 && isfinite(maxspeed) ? maxspeed : NAN;
    l->level[l->n] = (uint8_t)level;
    l->src[l->n] = src;
    l->off[++l->n] = l->n_vertices;
    return COV_OK;
}

/* push_line_id() for a class given by name (NULL or "": none). */
static int push_line(cov_ctx *ctx, cov__lines *l, size_t n, const double *lon,
                     const double *lat, const char *klass, int dir, double maxspeed,
                     int level, size_t src, const char *where)
{
    int32_t k;
    if (class_id(ctx, l, klass, &k) != COV_OK) return COV_ERR_NOMEM;
    return push_line_id(ctx, l, n, lon, lat, k, dir, maxspeed, level, src, where);
}

/* Transforms n points into lon/lat in place and checks them; `where`
 * names the line for messages. */
static int to_lonlat(cov_ctx *ctx, const cov_xform *xf, size_t n, double *x, double *y,
                     const char *where, cov__lines *l)
{
    for (size_t k = 0; k < n; k++)
        if (!isfinite(x[k]) || !isfinite(y[k]))
            return cov__error(ctx, COV_ERR_VALUE, "%s point %zu: coordinate is not a finite "
                              "number", where, k);
    if (xf->projected) {
        if (!l->projected) {
            l->projected = 1;
            l->raw_x0 = l->raw_y0 = INFINITY;
            l->raw_x1 = l->raw_y1 = -INFINITY;
        }
        for (size_t k = 0; k < n; k++) {
            l->raw_x0 = fmin(l->raw_x0, x[k]); l->raw_x1 = fmax(l->raw_x1, x[k]);
            l->raw_y0 = fmin(l->raw_y0, y[k]); l->raw_y1 = fmax(l->raw_y1, y[k]);
        }
    }
    if (!xf->identity && cov__xform_points(ctx, xf, n, x, y, where) != COV_OK)
        return ctx->status;
    for (size_t k = 0; k < n; k++)
        if (!cov__lonlat_ok(x[k], y[k]) || x[k] > 180.0)
            return cov__error(ctx, COV_ERR_VALUE, "%s point %zu: (%g, %g) is not a lon/lat "
                              "position%s", where, k, x[k], y[k],
                              cov__lonlat_hint(x[k], y[k]));
    return COV_OK;
}

/* One-way rule from text: Geofabrik F/T/B, OSM yes/no/-1, 1/0. */
static int parse_oneway(const char *s, int *out)
{
    if (!*s || !strcasecmp(s, "B") || !strcasecmp(s, "no") || !strcmp(s, "0") ||
        !strcasecmp(s, "false"))
        *out = NET_BOTH;
    else if (!strcasecmp(s, "F") || !strcasecmp(s, "yes") || !strcmp(s, "1") ||
             !strcasecmp(s, "true"))
        *out = NET_FORWARD;
    else if (!strcasecmp(s, "T") || !strcmp(s, "-1") || !strcasecmp(s, "reverse"))
        *out = NET_BACKWARD;
    else
        return -1;
    return 0;
}

/* ---- shapefiles ----------------------------------------------------------- */

/* Field index for an option: NULL tries the Geofabrik name quietly, "" is
 * none, a name must exist. -1 when unused, -2 on error. */
static int option_field(cov_ctx *ctx, const cov_shp_reader *r, const char *opt,
                        const char *geofabrik)
{
    if (opt && !*opt) return -1;
    if (!r->dbf) {
        if (!opt) return -1;
        cov__error(ctx, COV_ERR_FIELD, "%s: no field named %s (the layer has no .dbf)",
                   r->path, opt);
        return -2;
    }
    if (!opt) {
        for (int i = 0; i < DBFGetFieldCount(r->dbf); i++) {
            char name[XBASE_FLDNAME_LEN_READ + 1] = "";
            DBFGetFieldInfo(r->dbf, i, name, NULL, NULL);
            if (strcasecmp(name, geofabrik) == 0) return i;
        }
        return -1;
    }
    int f = cov__shp_field(ctx, r, opt);
    return f >= 0 ? f : -2;
}

/* A level flag of record rec: 1 for T, yes, 1, true (any case). */
static int record_flag(cov_ctx *ctx, const cov_shp_reader *r, int rec, int field, int *out)
{
    *out = 0;
    if (field < 0) return COV_OK;
    char *s = cov__shp_string(ctx, r, rec, field);
    if (!s) return ctx->status;
    *out = !strcasecmp(s, "T") || !strcasecmp(s, "yes") || !strcmp(s, "1") ||
           !strcasecmp(s, "true") || !strcasecmp(s, "Y");
    free(s);
    return COV_OK;
}

/* Attributes of record rec. */
static int record_attrs(cov_ctx *ctx, const cov_shp_reader *r, int rec, const int *fields,
                        char **out_class, int *out_dir, double *out_speed, int *out_level)
{
    *out_class = NULL;
    *out_dir = NET_BOTH;
    *out_speed = NAN;
    int bridge = 0, tunnel = 0;
    if (record_flag(ctx, r, rec, fields[3], &bridge) != COV_OK ||
        record_flag(ctx, r, rec, fields[4], &tunnel) != COV_OK)
        return ctx->status;
    *out_level = bridge ? COV_ROAD_BRIDGE : tunnel ? COV_ROAD_TUNNEL : COV_ROAD_GROUND;
    if (fields[0] >= 0 && !(*out_class = cov__shp_string(ctx, r, rec, fields[0])))
        return ctx->status;
    if (fields[1] >= 0) {
        char *s = cov__shp_string(ctx, r, rec, fields[1]);
        if (!s) return ctx->status;
        int bad = parse_oneway(s, out_dir);
        if (bad) {
            char name[XBASE_FLDNAME_LEN_READ + 1] = "";
            DBFGetFieldInfo(r->dbf, fields[1], name, NULL, NULL);
            cov__error(ctx, COV_ERR_VALUE, "%s record %d field %s: one-way rule \"%.40s\" is "
                       "not F, T, B, yes, no, 1, 0 or -1", r->path, cov__shp_record_number(r, rec),
                       name, s);
        }
        free(s);
        if (bad) return ctx->status;
    }
    if (fields[2] >= 0 && cov__shp_double(ctx, r, rec, fields[2], out_speed) != COV_OK)
        return ctx->status;
    return COV_OK;
}

static int read_records(cov_ctx *ctx, const cov_shp_reader *r, const cov_xform *xf,
                        const int *fields, cov__lines *l)
{
    double *bx = NULL, *by = NULL;
    size_t cap = 0;
    int rc = COV_OK;
    for (int rec = 0; rc == COV_OK && rec < r->n_records; rec++) {
        int file_rec = cov__shp_record_number(r, rec); /* records the .dbf deleted are skipped */
        SHPObject *o = SHPReadObject(r->shp, file_rec);
        if (!o) {
            rc = cov__error(ctx, COV_ERR_FORMAT, "%s record %d: cannot read the shape "
                            "(damaged .shp)", r->path, file_rec);
            break;
        }
        if (o->nSHPType == SHPT_NULL || o->nVertices == 0) {
            SHPDestroyObject(o);
            continue;
        }
        char *klass = NULL;
        int dir, level = COV_ROAD_GROUND;
        double speed;
        rc = record_attrs(ctx, r, rec, fields, &klass, &dir, &speed, &level);
        for (int part = 0; rc == COV_OK && part < o->nParts; part++) {
            int a = o->panPartStart[part];
            int z = part + 1 < o->nParts ? o->panPartStart[part + 1] : o->nVertices;
            if (a < 0 || z > o->nVertices || a > z) {
                rc = cov__error(ctx, COV_ERR_FORMAT, "%s record %d part %d: bad part offsets",
                                r->path, file_rec, part);
                break;
            }
            size_t n = (size_t)(z - a);
            if (n > cap) {
                cap = n * 2;
                double *nx = realloc(bx, cap * sizeof *nx), *ny = nx ? realloc(by, cap * sizeof *ny) : NULL;
                if (nx) bx = nx;
                if (ny) by = ny;
                if (!nx || !ny) { rc = cov__error(ctx, COV_ERR_NOMEM, "out of memory"); break; }
            }
            memcpy(bx, o->padfX + a, n * sizeof *bx);
            memcpy(by, o->padfY + a, n * sizeof *by);
            char where[600];
            snprintf(where, sizeof where, "%s record %d part %d", r->path, file_rec, part);
            rc = to_lonlat(ctx, xf, n, bx, by, where, l);
            if (rc == COV_OK) rc = push_line(ctx, l, n, bx, by, klass, dir, speed, level,
                                           (size_t)file_rec, where);
        }
        free(klass);
        SHPDestroyObject(o);
    }
    free(bx);
    free(by);
    return rc;
}

cov_network *cov_network_read_shp(cov_ctx *ctx, const char *path,
                                  const cov_network_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, path, NULL);
    cov_network_options opt;
    if (cov__net_take_options(ctx, options, &opt) != COV_OK) return NULL;
    cov_shp_reader r;
    if (cov__shp_open_ex(ctx, path, SHPT_ARC, 1, &r) != COV_OK) return NULL;
    cov__lines l = {0};
    cov_xform xf = {0};
    int fields[5] = {option_field(ctx, &r, opt.class_field, "fclass"),
                     option_field(ctx, &r, opt.oneway_field, "oneway"),
                     option_field(ctx, &r, opt.speed_field, "maxspeed"),
                     option_field(ctx, &r, opt.bridge_field, "bridge"),
                     option_field(ctx, &r, opt.tunnel_field, "tunnel")};
    int rc = COV_OK;
    for (int k = 0; k < 5; k++)
        if (fields[k] == -2) rc = ctx->status;
    const char *crs = opt.crs ? opt.crs : r.prj_wkt;
    if (rc == COV_OK) rc = cov__xform_to_lonlat(ctx, crs, path, &xf);
    if (rc == COV_OK) rc = read_records(ctx, &r, &xf, fields, &l);
    cov__xform_free(&xf);
    cov__shp_close(&r);
    if (rc != COV_OK) {
        cov__lines_free(&l);
        return NULL;
    }
    if (l.n == 0) {
        cov__lines_free(&l);
        cov__error(ctx, COV_ERR_EMPTY, "%s: no line with points", path);
        return NULL;
    }
    return cov__network_build(ctx, &l, &opt, path);
}

/* ---- arrays and WKB ------------------------------------------------------- */

static int dir_of(const int8_t *oneway, size_t i)
{
    if (!oneway) return NET_BOTH;
    return oneway[i] > 0 ? NET_FORWARD : oneway[i] < 0 ? NET_BACKWARD : NET_BOTH;
}

cov_network *cov_network_from_arrays(cov_ctx *ctx, size_t n_lines, const size_t *offsets,
                                     const double *x, const double *y,
                                     const char *const *classes, const int8_t *oneway,
                                     const double *maxspeed_kmh,
                                     const cov_network_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, offsets && (n_lines == 0 || (x && y)), NULL);
    if (offsets[0] != 0)
        return cov__error(ctx, COV_ERR_ARG, "road arrays: offsets[0] must be 0"), NULL;
    for (size_t i = 0; i < n_lines; i++)
        if (offsets[i + 1] < offsets[i])
            return cov__error(ctx, COV_ERR_ARG, "road arrays: offsets decrease at line %zu",
                              i), NULL;
    cov_network_options opt;
    if (cov__net_take_options(ctx, options, &opt) != COV_OK) return NULL;
    cov_xform xf = {0};
    if (cov__xform_to_lonlat(ctx, opt.crs, "road arrays", &xf) != COV_OK) return NULL;
    cov__lines l = {0};
    double *bx = NULL, *by = NULL;
    size_t cap = 0;
    int rc = COV_OK;
    for (size_t i = 0; rc == COV_OK && i < n_lines; i++) {
        size_t n = offsets[i + 1] - offsets[i];
        if (n == 0) continue;
        if (n > cap) {
            cap = 2 * n;
            free(bx); free(by);
            bx = cov__mallocarray(ctx, cap, sizeof *bx);
            by = cov__mallocarray(ctx, cap, sizeof *by);
            if (!bx || !by) { rc = COV_ERR_NOMEM; break; }
        }
        memcpy(bx, x + offsets[i], n * sizeof *bx);
        memcpy(by, y + offsets[i], n * sizeof *by);
        char where[64];
        snprintf(where, sizeof where, "road arrays line %zu", i);
        rc = to_lonlat(ctx, &xf, n, bx, by, where, &l);
        if (rc == COV_OK)
            rc = push_line(ctx, &l, n, bx, by, classes ? classes[i] : NULL, dir_of(oneway, i),
                           maxspeed_kmh ? maxspeed_kmh[i] : NAN, COV_ROAD_GROUND, i, where);
    }
    free(bx); free(by);
    cov__xform_free(&xf);
    if (rc == COV_OK && l.n == 0) rc = cov__error(ctx, COV_ERR_EMPTY, "road arrays: no line");
    if (rc != COV_OK) {
        cov__lines_free(&l);
        return NULL;
    }
    return cov__network_build(ctx, &l, &opt, "road arrays");
}

/* Appends the line strings of g (LineString or MultiLineString). */
static int push_geom(cov_ctx *ctx, const GEOSGeometry *g, const cov_xform *xf, size_t i,
                     const char *klass, int dir, double speed, cov__lines *l)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_MULTILINESTRING) {
        int parts = GEOSGetNumGeometries_r(ctx->geos, g);
        for (int k = 0; k < parts; k++) {
            int rc = push_geom(ctx, GEOSGetGeometryN_r(ctx->geos, g, k), xf, i, klass, dir,
                               speed, l);
            if (rc != COV_OK) return rc;
        }
        return COV_OK;
    }
    if (type != GEOS_LINESTRING) {
        /* GEOS allocates the name (found leaking by fuzz_network) */
        char *name = GEOSGeomType_r(ctx->geos, g);
        int rc = cov__error(ctx, COV_ERR_GEOMETRY, "road WKB %zu: %s, expected a LineString "
                            "or MultiLineString", i, name ? name : "a geometry");
        GEOSFree_r(ctx->geos, name);
        return rc;
    }
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(ctx->geos, g);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(ctx->geos, cs, &n)) return cov__geos_error(ctx, "road WKB");
    if (n == 0) return COV_OK;
    double *bx = cov__mallocarray(ctx, n, sizeof *bx), *by = cov__mallocarray(ctx, n, sizeof *by);
    int rc = bx && by ? COV_OK : COV_ERR_NOMEM;
    for (unsigned int k = 0; rc == COV_OK && k < n; k++)
        if (!GEOSCoordSeq_getXY_r(ctx->geos, cs, k, &bx[k], &by[k]))
            rc = cov__geos_error(ctx, "road WKB");
    char where[64];
    snprintf(where, sizeof where, "road WKB %zu", i);
    if (rc == COV_OK) rc = to_lonlat(ctx, xf, n, bx, by, where, l);
    if (rc == COV_OK) rc = push_line(ctx, l, n, bx, by, klass, dir, speed, COV_ROAD_GROUND, i,
                                     where);
    free(bx);
    free(by);
    return rc;
}

cov_network *cov_network_from_wkb(cov_ctx *ctx, size_t n, const unsigned char *const *wkb,
                                  const size_t *wkb_size, const char *const *classes,
                                  const int8_t *oneway, const double *maxspeed_kmh,
                                  const cov_network_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, n == 0 || (wkb && wkb_size), NULL);
    cov_network_options opt;
    if (cov__net_take_options(ctx, options, &opt) != COV_OK) return NULL;
    cov_xform xf = {0};
    if (cov__xform_to_lonlat(ctx, opt.crs, "road WKB", &xf) != COV_OK) return NULL;
    GEOSWKBReader *reader = GEOSWKBReader_create_r(ctx->geos);
    cov__lines l = {0};
    int rc = reader ? COV_OK : cov__geos_error(ctx, "road WKB");
    for (size_t i = 0; rc == COV_OK && i < n; i++) {
        if (!wkb[i]) {
            rc = cov__error(ctx, COV_ERR_ARG, "road WKB %zu is NULL", i);
            break;
        }
        GEOSGeometry *g = GEOSWKBReader_read_r(ctx->geos, reader, wkb[i], wkb_size[i]);
        if (!g) {
            rc = cov__error(ctx, COV_ERR_GEOMETRY, "road WKB %zu: not valid WKB (%s)", i,
                            ctx->geos_message);
            break;
        }
        rc = push_geom(ctx, g, &xf, i, classes ? classes[i] : NULL, dir_of(oneway, i),
                       maxspeed_kmh ? maxspeed_kmh[i] : NAN, &l);
        GEOSGeom_destroy_r(ctx->geos, g);
    }
    if (reader) GEOSWKBReader_destroy_r(ctx->geos, reader);
    cov__xform_free(&xf);
    if (rc == COV_OK && l.n == 0) rc = cov__error(ctx, COV_ERR_EMPTY, "road WKB: no line");
    if (rc != COV_OK) {
        cov__lines_free(&l);
        return NULL;
    }
    return cov__network_build(ctx, &l, &opt, "road WKB");
}

/* ---- cov_road_lines ------------------------------------------------------- */

void cov_road_lines_init(cov_road_lines *lines)
{
    if (!lines) return;
    memset(lines, 0, sizeof *lines);
    lines->struct_size = sizeof *lines;
}

/* Checks the arrays of in; NULL arrays where allowed. */
static int check_road_lines(cov_ctx *ctx, const cov_road_lines *in)
{
    if (!in->offsets || (in->n_lines && (!in->x || !in->y)))
        return cov__error(ctx, COV_ERR_ARG, "road lines: offsets, x and y are required");
    if (in->offsets[0] != 0)
        return cov__error(ctx, COV_ERR_ARG, "road lines: offsets[0] must be 0");
    for (size_t i = 0; i < in->n_lines; i++) {
        if (in->offsets[i + 1] < in->offsets[i])
            return cov__error(ctx, COV_ERR_ARG, "road lines: offsets decrease at line %zu", i);
        if (in->class_codes && (in->class_codes[i] < -1 ||
                                (in->class_codes[i] >= 0 &&
                                 (size_t)in->class_codes[i] >= in->n_class_names)))
            return cov__error(ctx, COV_ERR_ARG, "road lines: line %zu: class code %d is not -1 "
                              "or below n_class_names (%zu)", i, (int)in->class_codes[i],
                              in->n_class_names);
        if (in->level && in->level[i] > COV_ROAD_TUNNEL)
            return cov__error(ctx, COV_ERR_ARG, "road lines: line %zu: level %d is not "
                              "COV_ROAD_GROUND (0), COV_ROAD_BRIDGE (1) or COV_ROAD_TUNNEL (2)",
                              i, (int)in->level[i]);
    }
    if (in->class_codes && in->n_class_names && !in->class_names)
        return cov__error(ctx, COV_ERR_ARG, "road lines: class_codes without class_names");
    for (size_t k = 0; in->class_codes && k < in->n_class_names; k++)
        if (!in->class_names[k])
            return cov__error(ctx, COV_ERR_ARG, "road lines: class_names[%zu] is NULL", k);
    return COV_OK;
}

cov_network *cov_network_from_lines(cov_ctx *ctx, const cov_road_lines *lines,
                                    const cov_network_options *options)
{
    COV_CHECK_ARG(ctx, ctx, NULL);
    COV_CHECK_ARG(ctx, lines, NULL);
    cov_road_lines in;
    cov_road_lines_init(&in);
    if (cov__options_take(ctx, &in, sizeof in, lines, "road lines") != COV_OK) return NULL;
    if (check_road_lines(ctx, &in) != COV_OK) return NULL;
    cov_network_options opt;
    if (cov__net_take_options(ctx, options, &opt) != COV_OK) return NULL;
    cov_xform xf = {0};
    if (cov__xform_to_lonlat(ctx, opt.crs, "road lines", &xf) != COV_OK) return NULL;
    cov__lines l = {0};
    int32_t *ids = cov__mallocarray(ctx, in.n_class_names ? in.n_class_names : 1, sizeof *ids);
    int rc = ids ? COV_OK : COV_ERR_NOMEM;
    for (size_t k = 0; rc == COV_OK && in.class_codes && k < in.n_class_names; k++)
        rc = class_id(ctx, &l, in.class_names[k], &ids[k]);
    double *bx = NULL, *by = NULL;
    size_t cap = 0;
    for (size_t i = 0; rc == COV_OK && i < in.n_lines; i++) {
        size_t n = in.offsets[i + 1] - in.offsets[i];
        if (n == 0) continue;
        if (n > cap) {
            cap = 2 * n;
            free(bx); free(by);
            bx = cov__mallocarray(ctx, cap, sizeof *bx);
            by = cov__mallocarray(ctx, cap, sizeof *by);
            if (!bx || !by) { rc = COV_ERR_NOMEM; break; }
        }
        memcpy(bx, in.x + in.offsets[i], n * sizeof *bx);
        memcpy(by, in.y + in.offsets[i], n * sizeof *by);
        char where[64];
        snprintf(where, sizeof where, "road lines line %zu", i);
        rc = to_lonlat(ctx, &xf, n, bx, by, where, &l);
        int32_t k = in.class_codes && in.class_codes[i] >= 0 ? ids[in.class_codes[i]] : -1;
        if (rc == COV_OK)
            rc = push_line_id(ctx, &l, n, bx, by, k, dir_of(in.oneway, i),
                              in.maxspeed_kmh ? in.maxspeed_kmh[i] : NAN,
                              in.level ? in.level[i] : COV_ROAD_GROUND, i, where);
    }
    free(bx); free(by); free(ids);
    cov__xform_free(&xf);
    if (rc == COV_OK && l.n == 0) rc = cov__error(ctx, COV_ERR_EMPTY, "road lines: no line");
    if (rc != COV_OK) {
        cov__lines_free(&l);
        return NULL;
    }
    return cov__network_build(ctx, &l, &opt, "road lines");
}
