/*
 * Benchmark: Hokkaido reach + coverage of visiting-nurse stations, 16 km,
 * through the public libcoverage API. The same computation as
 * peer_hokkaido.py (geopandas/shapely/scipy/pyproj); run_hokkaido.py runs
 * both and compares them.
 *
 *   bench_hokkaido [--json FILE] [--cells FILE]
 *
 * The real data is found through COV_SHARED_DATA (default: ../shared/data
 * beside the source tree); without it the program exits with 77 (skipped).
 * Prints a JSON summary of stage timings and per-area results to stdout (or
 * --json FILE); --cells FILE also writes per-cell results (untimed).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "libcoverage/coverage.h"

#ifndef COV_SHARED_DATA_DEFAULT
#define COV_SHARED_DATA_DEFAULT "../shared/data"
#endif

#define RADIUS_M 16000.0
#define SKIP_EXIT 77
#define N03 "hokkaido_n03_shapefile_cp932/N03-22_01_220101.shp"
#define MAPPING "hokkaido_municipality_2ji_iryoken.csv"
#define MESH "raw/census2010_mesh500m_hokkaido_colspan/population_mesh_third_half.csv"
#define STATIONS "raw/visiting_nursing_stations_mhlw_kaigo_osawa/clinics_geo.json"
#define KIND "nursing"

/* Hokkaido's extent, as in peer_hokkaido.py: drops mis-geocoded stations
 * such as 0175701283 (an Iwamizawa station placed in Tokyo). */
static const double BBOX[4] = {139.3, 41.3, 149.0, 45.6};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(cov_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_hokkaido: %s: %s (%s)\n", what,
            ctx ? cov_last_message(ctx) : "",
            ctx ? cov_status_name(cov_last_error(ctx)) : "no context");
    exit(1);
}

static void on_message(int level, const char *message, void *userdata)
{
    (void)userdata;
    if (level >= COV_MSG_WARNING) fprintf(stderr, "bench_hokkaido: %s\n", message);
}

static char *join(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (!p) die(NULL, "out of memory");
    snprintf(p, n, "%s/%s", dir, file);
    return p;
}

/* ---- stations: a minimal reader for the flat JSON array of clinics_geo.json
 * ([{"id": "...", "n": "...", "lt": 43.1, "lg": 141.3, ...}, ...]). Only
 * strings, numbers, true/false/null values; nested values are an error. */

typedef struct stations {
    size_t n, cap;
    char **ids;
    double *lon, *lat;
    size_t n_prefecture, n_missing, n_outside;
    char dropped[1024]; /* ids of dropped stations, for the summary */
} stations;

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* p at '"': sets *s, *len to the raw (undecoded) text; returns the position
 * after the closing quote, NULL if unterminated. */
static const char *json_string(const char *p, const char **s, size_t *len)
{
    const char *q = ++p;
    while (*q && *q != '"') q += (*q == '\\' && q[1]) ? 2 : 1;
    if (!*q) return NULL;
    *s = p;
    *len = (size_t)(q - p);
    return q + 1;
}

/* A scalar value: sets *num (NaN for non-numbers) and, for strings, *s and *len. */
static const char *json_value(const char *p, double *num, const char **s, size_t *len)
{
    char *end;
    *num = NAN;
    *s = NULL;
    if (*p == '"') return json_string(p, s, len);
    if (!strncmp(p, "null", 4) || !strncmp(p, "true", 4)) return p + 4;
    if (!strncmp(p, "false", 5)) return p + 5;
    *num = strtod(p, &end);
    return end == p ? NULL : end;
}

static void add_dropped(stations *st, const char *id)
{
    size_t used = strlen(st->dropped);
    if (used + strlen(id) + 4 < sizeof st->dropped)
        snprintf(st->dropped + used, sizeof st->dropped - used, "%s\"%s\"", used ? ", " : "", id);
}

static void add_station(stations *st, const char *id, size_t id_len, double lon, double lat)
{
    char idbuf[64];
    if (id_len < 2 || strncmp(id, "01", 2) != 0) return; /* not Hokkaido */
    st->n_prefecture++;
    snprintf(idbuf, sizeof idbuf, "%.*s", (int)(id_len < 63 ? id_len : 63), id);
    if (!isfinite(lon) || !isfinite(lat)) {
        st->n_missing++;
        add_dropped(st, idbuf);
        return;
    }
    if (lon < BBOX[0] || lon > BBOX[2] || lat < BBOX[1] || lat > BBOX[3]) {
        st->n_outside++;
        add_dropped(st, idbuf);
        return;
    }
    if (st->n == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 1024;
        st->ids = realloc(st->ids, st->cap * sizeof *st->ids);
        st->lon = realloc(st->lon, st->cap * sizeof *st->lon);
        st->lat = realloc(st->lat, st->cap * sizeof *st->lat);
        if (!st->ids || !st->lon || !st->lat) die(NULL, "out of memory");
    }
    if (!(st->ids[st->n] = malloc(id_len + 1))) die(NULL, "out of memory");
    memcpy(st->ids[st->n], id, id_len);
    st->ids[st->n][id_len] = '\0';
    st->lon[st->n] = lon;
    st->lat[st->n] = lat;
    st->n++;
}

static void read_stations(const char *path, stations *st)
{
    FILE *f = fopen(path, "rb");
    long size;
    char *buf;
    const char *p;
    if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fprintf(stderr, "bench_hokkaido: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    if (!(buf = malloc((size_t)size + 1))) die(NULL, "out of memory");
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "bench_hokkaido: %s: short read\n", path);
        exit(1);
    }
    buf[size] = '\0';
    fclose(f);

    p = ws(buf);
    if (*p++ != '[') goto bad;
    for (p = ws(p); *p != ']';) {
        const char *id = NULL;
        size_t id_len = 0;
        double lon = NAN, lat = NAN;
        if (*p++ != '{') goto bad;
        for (p = ws(p); *p != '}';) {
            const char *key, *s;
            size_t klen, slen;
            double value;
            if (*p != '"' || !(p = json_string(p, &key, &klen))) goto bad;
            p = ws(p);
            if (*p++ != ':') goto bad;
            if (!(p = json_value(ws(p), &value, &s, &slen))) goto bad;
            if (klen == 2 && !memcmp(key, "id", 2) && s) id = s, id_len = slen;
            else if (klen == 2 && !memcmp(key, "lt", 2)) lat = value;
            else if (klen == 2 && !memcmp(key, "lg", 2)) lon = value;
            p = ws(p);
            if (*p == ',') p = ws(p + 1);
            else if (*p != '}') goto bad;
        }
        if (id) add_station(st, id, id_len, lon, lat);
        p = ws(p + 1);
        if (*p == ',') p = ws(p + 1);
        else if (*p != ']') goto bad;
    }
    free(buf);
    return;
bad:
    fprintf(stderr, "bench_hokkaido: %s: unexpected JSON at byte %ld\n", path,
            (long)(p - buf));
    exit(1);
}

/* ---- result tables */

static long column(const cov_table *t, const char *name)
{
    long c = cov_table_column_index(t, name);
    if (c < 0) {
        fprintf(stderr, "bench_hokkaido: result table has no column %s\n", name);
        exit(1);
    }
    return c;
}

/* A numeric cell of an int or double column. */
static double num(const cov_table *t, long col, size_t row)
{
    if (cov_table_column_type(t, (size_t)col) == COV_COL_INT)
        return (double)cov_table_ints(t, (size_t)col)[row];
    return cov_table_doubles(t, (size_t)col)[row];
}

/* JSON has no NaN: non-finite numbers (shares of empty totals) become null. */
static void json_num(FILE *f, double x)
{
    if (isfinite(x)) fprintf(f, "%.17g", x);
    else fputs("null", f);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

/* Per-cell results in the columns peer_hokkaido.py --cells writes. The
 * assignment and reach tables have one row per demand unit, in demand order
 * (reach has one kind here). */
static void write_cells(cov_ctx *ctx, const char *path, const cov_demand *dem,
                        const cov_table *asg, const cov_table *reach)
{
    long a_reg = column(asg, "region_id"), a_met = column(asg, "method");
    long a_snap = column(asg, "snap_distance_m"), a_id = column(asg, "demand_id");
    long r_id = column(reach, "demand_id"), r_near = column(reach, "nearest_id");
    long r_dist = column(reach, "distance_m"), r_n = column(reach, "n_within");
    size_t n = cov_demand_count(dem);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench_hokkaido: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    if (cov_table_nrows(asg) != n || cov_table_nrows(reach) != n) die(ctx, "--cells: row counts");
    fputs("demand_id,region_id,method,snap_distance_m,nearest_id,distance_m,n_within\n", f);
    for (size_t i = 0; i < n; i++) {
        const char *id = cov_demand_id(dem, i);
        double snap = num(asg, a_snap, i), dist = num(reach, r_dist, i);
        if (strcmp(id, cov_table_string(asg, (size_t)a_id, i)) ||
            strcmp(id, cov_table_string(reach, (size_t)r_id, i))) {
            fprintf(stderr, "bench_hokkaido: --cells: tables are not in demand order\n");
            exit(1);
        }
        fprintf(f, "%s,%s,%s,", id, cov_table_string(asg, (size_t)a_reg, i),
                cov_table_string(asg, (size_t)a_met, i));
        if (isfinite(snap)) fprintf(f, "%.17g", snap);
        fprintf(f, ",%s,", cov_table_string(reach, (size_t)r_near, i));
        if (isfinite(dist)) fprintf(f, "%.17g", dist);
        fprintf(f, ",%.0f\n", num(reach, r_n, i));
    }
    if (fclose(f)) die(ctx, "--cells: write failed");
}

int main(int argc, char **argv)
{
    const char *json_path = NULL, *cells_path = NULL, *data;
    const char *weights[] = {"2"}; /* column 2: total population */
    char *shp, *mapping, *mesh, *stations_path;
    struct stat sb;
    stations st = {0};
    double t[6], t0, last;
    static const char *const stage[6] = {"regions", "demand", "facilities",
                                         "assign", "reach", "coverage"};
    cov_ctx *ctx;
    cov_regions *munis, *areas;
    cov_demand *dem;
    cov_facilities *fac;
    cov_analysis *an;
    cov_analysis_options opt;
    cov_table *reach, *cov, *asg;
    const char **kinds;
    FILE *out = stdout;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
        else if (!strcmp(argv[i], "--cells") && i + 1 < argc) cells_path = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--json FILE] [--cells FILE]\n", argv[0]);
            return 2;
        }
    }
    data = getenv("COV_SHARED_DATA");
    if (!data || !*data) data = COV_SHARED_DATA_DEFAULT;
    shp = join(data, N03);
    mapping = join(data, MAPPING);
    mesh = join(data, MESH);
    stations_path = join(data, STATIONS);
    if (stat(shp, &sb) != 0) {
        fprintf(stderr, "skipped: shared data not found at %s (no %s); set "
                "COV_SHARED_DATA to the folder holding the real data\n", data, N03);
        return SKIP_EXIT;
    }
    if (!(ctx = cov_ctx_create())) die(NULL, "cannot create a context");
    cov_ctx_set_message_handler(ctx, on_message, NULL);
    cov_analysis_options_init(&opt); /* coastal_snap_m 1000, as the peer */
    if (getenv("COV_BENCH_SNAP_M")) opt.coastal_snap_m = atof(getenv("COV_BENCH_SNAP_M"));

#define LAP(i) (t[i] = now_s() - last, last += t[i])
    t0 = last = now_s();
    if (!(munis = cov_regions_read_shp(ctx, shp, "N03_007", NULL, NULL))) die(ctx, shp);
    if (!(areas = cov_regions_dissolve_csv(ctx, munis, mapping, "muni_code", "iryoken2_code",
                                           "iryoken2_name", 0)))
        die(ctx, mapping);
    LAP(0);
    if (!(dem = cov_demand_read_mesh_csv(ctx, mesh, "1", 1, weights, COV_CSV_NO_HEADER)))
        die(ctx, mesh);
    LAP(1);
    read_stations(stations_path, &st);
    if (!(kinds = malloc((st.n ? st.n : 1) * sizeof *kinds))) die(NULL, "out of memory");
    for (size_t i = 0; i < st.n; i++) kinds[i] = KIND;
    if (!(fac = cov_facilities_from_arrays(ctx, st.n, (const char *const *)st.ids, NULL,
                                           kinds, NULL, st.lon, st.lat, NULL)))
        die(ctx, stations_path);
    LAP(2);
    if (!(an = cov_analysis_create(ctx, areas, fac, dem, &opt))) die(ctx, "analysis");
    LAP(3);
    if (!(reach = cov_analysis_reach(ctx, an, NULL, NULL, RADIUS_M))) die(ctx, "reach");
    LAP(4);
    if (!(cov = cov_analysis_coverage(ctx, an, NULL, RADIUS_M, 0, COV_COVERAGE_NO_AREA)))
        die(ctx, "coverage");
    LAP(5);
    double total = now_s() - t0;
#undef LAP

    /* Untimed: the summary. */
    if (!(asg = cov_analysis_assignment(ctx, an))) die(ctx, "assignment");
    size_t n = cov_demand_count(dem), n_areas = cov_regions_count(areas);
    const int64_t *region = cov_analysis_demand_region(an);
    const double *w = cov_demand_weights(dem, 0);
    size_t n_inside = 0, n_snapped = 0, n_unassigned = 0, n_covered = 0, n_rows = 0;
    double demand_unassigned = 0, pairs = 0, near_max = 0, near_sum = 0;
    size_t *cells_in = calloc(n_areas ? n_areas : 1, sizeof *cells_in);
    long a_met = column(asg, "method");
    if (!cells_in) die(NULL, "out of memory");
    for (size_t i = 0; i < cov_table_nrows(asg); i++) {
        const char *m = cov_table_string(asg, (size_t)a_met, i);
        n_inside += !strcmp(m, "inside");
        n_snapped += !strcmp(m, "snapped");
    }
    for (size_t i = 0; i < n; i++) {
        if (region[i] < 0) n_unassigned++, demand_unassigned += w[i];
        else cells_in[region[i]]++;
    }
    long r_kind = column(reach, "kind"), r_dist = column(reach, "distance_m");
    long r_n = column(reach, "n_within");
    for (size_t i = 0; i < cov_table_nrows(reach); i++) {
        double d = num(reach, r_dist, i), k = num(reach, r_n, i);
        if (strcmp(cov_table_string(reach, (size_t)r_kind, i), KIND)) continue;
        n_rows++;
        pairs += k;
        n_covered += k >= 1;
        near_sum += d;
        if (d > near_max) near_max = d;
    }

    if (json_path && !(out = fopen(json_path, "w"))) {
        fprintf(stderr, "bench_hokkaido: %s: %s\n", json_path, strerror(errno));
        return 1;
    }
    fprintf(out, "{\n \"implementation\": \"libcoverage\",\n \"versions\": {\"libcoverage\": ");
    json_str(out, cov_version());
#ifdef __VERSION__
    fprintf(out, ", \"compiler\": ");
    json_str(out, __VERSION__);
#endif
    fprintf(out, "},\n \"radius_m\": %.1f,\n \"timings_s\": {", RADIUS_M);
    for (int i = 0; i < 6; i++) fprintf(out, "\"%s\": %.6f, ", stage[i], t[i]);
    fprintf(out, "\"total\": %.6f},\n", total);
    fprintf(out, " \"n_municipalities\": %zu,\n \"n_areas\": %zu,\n \"n_cells\": %zu,\n"
            " \"n_cells_inside\": %zu,\n \"n_cells_snapped\": %zu,\n"
            " \"n_cells_unassigned\": %zu,\n \"demand_unassigned\": %.17g,\n"
            " \"n_stations\": %zu,\n",
            cov_regions_count(munis), n_areas, n, n_inside, n_snapped, n_unassigned,
            demand_unassigned, cov_facilities_count(fac));
    fprintf(out, " \"stations\": {\"n_prefecture\": %zu, \"n_missing_coords\": %zu, "
            "\"n_outside_bbox\": %zu, \"dropped_ids\": [%s]},\n",
            st.n_prefecture, st.n_missing, st.n_outside, st.dropped);
    fprintf(out, " \"n_cells_covered\": %zu,\n \"n_pairs_within\": %.0f,\n"
            " \"nearest_m\": {\"max\": %.17g, \"mean\": ", n_covered, pairs, near_max);
    json_num(out, near_sum / (double)n_rows);
    fprintf(out, "},\n");

    long c_reg = column(cov, "region_id"), c_name = column(cov, "region_name");
    long c_kind = column(cov, "kind"), c_tot = column(cov, "demand_total");
    long c_cov = column(cov, "demand_covered"), c_red = column(cov, "demand_redundant");
    long c_share = column(cov, "share_covered");
    double sum_tot = 0, sum_cov = 0;
    for (size_t i = 0; i < cov_table_nrows(cov); i++) {
        if (strcmp(cov_table_string(cov, (size_t)c_kind, i), KIND)) continue;
        sum_tot += num(cov, c_tot, i);
        sum_cov += num(cov, c_cov, i);
    }
    fprintf(out, " \"demand_total\": %.17g,\n \"demand_covered\": %.17g,\n"
            " \"share_covered\": ", sum_tot, sum_cov);
    json_num(out, sum_cov / sum_tot);
    fprintf(out, ",\n \"areas\": [");
    for (size_t i = 0, first = 1; i < cov_table_nrows(cov); i++) {
        const char *id = cov_table_string(cov, (size_t)c_reg, i);
        long r = cov_regions_find(areas, id);
        if (strcmp(cov_table_string(cov, (size_t)c_kind, i), KIND)) continue;
        fprintf(out, "%s\n  {\"code\": ", first ? "" : ",");
        json_str(out, id);
        fprintf(out, ", \"name\": ");
        json_str(out, cov_table_string(cov, (size_t)c_name, i));
        fprintf(out, ", \"n_cells\": %zu, \"total\": %.17g, \"covered\": %.17g, "
                "\"redundant\": %.17g, \"share\": ",
                r >= 0 ? cells_in[r] : 0, num(cov, c_tot, i), num(cov, c_cov, i),
                num(cov, c_red, i));
        json_num(out, num(cov, c_share, i));
        fputc('}', out);
        first = 0;
    }
    fprintf(out, "\n ]\n}\n");
    if (out != stdout && fclose(out)) die(NULL, "cannot write the JSON summary");
    if (cells_path) write_cells(ctx, cells_path, dem, asg, reach);

    cov_table_destroy(asg);
    cov_table_destroy(cov);
    cov_table_destroy(reach);
    cov_analysis_destroy(an);
    cov_facilities_destroy(fac);
    cov_demand_destroy(dem);
    cov_regions_destroy(areas);
    cov_regions_destroy(munis);
    cov_ctx_destroy(ctx);
    for (size_t i = 0; i < st.n; i++) free(st.ids[i]);
    free(st.ids), free(st.lon), free(st.lat), free(kinds), free(cells_in);
    free(shp), free(mapping), free(mesh), free(stations_path);
    return 0;
}
