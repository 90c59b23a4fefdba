/* Shapefile reading. Shapelib parses the files; we add what it leaves to the
 * caller: file names in any case of extension, declared sizes checked
 * against real ones (a truncated .shp otherwise surfaces as a random unreadable
 * record), rings checked (closed, >= 4 points, finite), holes given to the
 * outer ring that contains them, and DBF text decoded to UTF-8. Records are
 * numbered from 0 in messages, as shapelib, GDAL FIDs and pandas do. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/shp_read.h"

#define PRJ_MAX_BYTES (1 << 20) /* a .prj is a line of WKT; more is not one */

/* ---- file names ---------------------------------------------------------- */

/* Length of path without the extension of its last component. */
static size_t stem_len(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? (size_t)(dot - path) : strlen(path);
}

static char *with_ext(const char *path, const char *ext)
{
    size_t n = stem_len(path);
    char *s = malloc(n + strlen(ext) + 2);
    if (s) sprintf(s, "%.*s.%s", (int)n, path, ext);
    return s;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The existing file named like `want` but for the case of its extension,
 * as a new string; NULL when there is none. Shapelib itself only tries the
 * all-lower and all-upper forms, and files copied from Windows mix them. */
static char *find_ci(const char *want)
{
    if (is_file(want)) return strdup(want);
    const char *slash = strrchr(want, '/');
    size_t dlen = slash ? (size_t)(slash - want) : 0;
    const char *base = slash ? slash + 1 : want;
    size_t stem = stem_len(base);
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(dlen ? dlen : 1) : 1,
             slash ? want : ".");
    DIR *d = opendir(dir);
    char *found = NULL;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        if (strlen(e->d_name) == strlen(base) && strncmp(e->d_name, base, stem) == 0 &&
            strcasecmp(e->d_name + stem, base + stem) == 0) {
            found = malloc(dlen + strlen(e->d_name) + 2);
            if (found) sprintf(found, "%.*s%s%s", (int)dlen, want, slash ? "/" : "", e->d_name);
            if (found && !is_file(found)) {
                free(found);
                found = NULL;
            }
        }
    }
    if (d) closedir(d);
    return found;
}

/* ---- shapelib hooks ------------------------------------------------------ */

static SAFile hook_fopen(const char *name, const char *access)
{
    FILE *f = fopen(name, access);
    if (!f && errno == ENOENT && access[0] == 'r') {
        char *found = find_ci(name);
        if (found) f = fopen(found, access);
        free(found);
    }
    return (SAFile)f;
}

/* Shapelib would print to stderr; our own messages name file and record. */
static void hook_error(const char *message) { (void)message; }

static void read_hooks(SAHooks *h)
{
    SASetupDefaultHooks(h);
    h->FOpen = hook_fopen;
    h->Error = hook_error;
}

/* ---- opening ------------------------------------------------------------- */

static int family_of(int shp_type)
{
    switch (shp_type) {
    case SHPT_POINT: case SHPT_POINTZ: case SHPT_POINTM:
    case SHPT_MULTIPOINT: case SHPT_MULTIPOINTZ: case SHPT_MULTIPOINTM:
        return SHPT_POINT;
    case SHPT_ARC: case SHPT_ARCZ: case SHPT_ARCM:
        return SHPT_ARC;
    case SHPT_POLYGON: case SHPT_POLYGONZ: case SHPT_POLYGONM:
        return SHPT_POLYGON;
    }
    return 0;
}

static const char *family_name(int family)
{
    return family == SHPT_POINT ? "point" : family == SHPT_ARC ? "line" : "polygon";
}

/* Finds the sibling with extension ext (any case) into *out, or fails with
 * COV_ERR_IO naming the file expected. */
static int require_sibling(cov_ctx *ctx, const char *shp, const char *ext, char **out)
{
    char *want = with_ext(shp, ext);
    if (!want) return cov__error(ctx, COV_ERR_NOMEM, "out of memory");
    *out = find_ci(want);
    int rc = *out ? COV_OK
                  : cov__error(ctx, COV_ERR_IO, "cannot open %s: %s (needed beside %s)",
                               want, strerror(ENOENT), shp);
    free(want);
    return rc;
}

/* Error for a file shapelib refused: unreadable (IO) or not valid (FORMAT). */
static int open_failure(cov_ctx *ctx, const char *path, const char *what)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cov__error(ctx, COV_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    fclose(f);
    return cov__error(ctx, COV_ERR_FORMAT, "%s: not a valid %s (bad header or truncated)",
                      path, what);
}

/* Shapelib trusts the record offsets and sizes of the .shx; checking them
 * against the real size of the .shp turns truncation into one clear error
 * at open instead of a failed read later. (The file length in the .shp
 * header is not checked: some writers get it wrong and every record can
 * still be read.) */
static int check_sizes(cov_ctx *ctx, const char *shp_path, SHPHandle shp)
{
    struct stat st;
    if (stat(shp_path, &st) != 0)
        return cov__error(ctx, COV_ERR_IO, "cannot stat %s: %s", shp_path, strerror(errno));
    unsigned long long real = (unsigned long long)st.st_size;
    for (int i = 0; i < shp->nRecords; i++) {
        unsigned long long end =
            (unsigned long long)shp->panRecOffset[i] + 8 + shp->panRecSize[i];
        if (end > real)
            return cov__error(ctx, COV_ERR_FORMAT,
                              "%s: truncated or damaged: record %d ends at byte %llu but "
                              "the file has %llu bytes", shp_path, i, end, real);
    }
    return COV_OK;
}

static int check_type(cov_ctx *ctx, cov_shp_reader *r, int expect)
{
    int type = r->shp->nShapeType;
    r->shape_type = family_of(type);
    if (!r->shape_type)
        return cov__error(ctx, COV_ERR_FORMAT, "%s: shape type %s is not supported",
                          r->path, SHPTypeName(type));
    if (expect && r->shape_type != family_of(expect))
        return cov__error(ctx, COV_ERR_FORMAT, "%s: contains %s shapes (%s), expected %s",
                          r->path, family_name(r->shape_type), SHPTypeName(type),
                          family_name(family_of(expect)));
    return COV_OK;
}

/* Reads the .prj, if any, trimmed of trailing white space and newlines. */
static int read_prj(cov_ctx *ctx, const char *prj_path, char **out)
{
    FILE *f = fopen(prj_path, "rb");
    if (!f) return cov__error(ctx, COV_ERR_IO, "cannot open %s: %s", prj_path, strerror(errno));
    char *buf = cov__malloc(ctx, PRJ_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, PRJ_MAX_BYTES + 1, f) : 0;
    int bad = buf && ferror(f);
    fclose(f);
    if (!buf) return COV_ERR_NOMEM;
    if (bad || n > PRJ_MAX_BYTES) {
        free(buf);
        return bad ? cov__error(ctx, COV_ERR_IO, "cannot read %s", prj_path)
                   : cov__error(ctx, COV_ERR_FORMAT, "%s: larger than %d bytes, not a .prj",
                                prj_path, PRJ_MAX_BYTES);
    }
    while (n && strchr(" \t\r\n", buf[n - 1])) n--;
    buf[n] = '\0';
    *out = buf;
    return COV_OK;
}

static void note_if_exists(cov_ctx *ctx, const char *shp, const char *ext)
{
    char *want = with_ext(shp, ext);
    char *found = want ? find_ci(want) : NULL;
    if (found) cov__note_input(ctx, found);
    free(found);
    free(want);
}

/* dBase marks a deleted record with '*' in its first byte and keeps it in
 * the file; GDAL and QGIS skip such records (their FIDs keep the file's
 * numbering), so the live records are mapped to their file numbers. */
static int skip_deleted(cov_ctx *ctx, cov_shp_reader *r, const char *dbf_path)
{
    int first = -1, n = r->n_records;
    for (int i = 0; i < n; i++)
        if (DBFIsRecordDeleted(r->dbf, i)) {
            if (first < 0) first = i;
            r->n_deleted++;
        }
    if (!r->n_deleted) return COV_OK;
    r->live = cov__mallocarray(ctx, (size_t)(n - r->n_deleted) + 1, sizeof *r->live);
    if (!r->live) return COV_ERR_NOMEM;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!DBFIsRecordDeleted(r->dbf, i)) r->live[k++] = i;
    r->n_records = k;
    cov__warn(ctx, "%s: %d record(s) marked deleted are skipped, as GDAL and QGIS skip them "
              "(first: record %d)", dbf_path, r->n_deleted, first);
    return COV_OK;
}

int cov__shp_record_number(const cov_shp_reader *r, int rec)
{
    return r && r->live && rec >= 0 && rec < r->n_records ? r->live[rec] : rec;
}

static int open_dbf(cov_ctx *ctx, cov_shp_reader *r, const char *shp_path)
{
    char *dbf_path = NULL;
    SAHooks hooks;
    read_hooks(&hooks);
    int rc = require_sibling(ctx, shp_path, "dbf", &dbf_path);
    if (rc == COV_OK && !(r->dbf = DBFOpenLL(dbf_path, "rb", &hooks)))
        rc = open_failure(ctx, dbf_path, "dBASE file");
    if (rc == COV_OK && DBFGetRecordCount(r->dbf) != r->n_records)
        rc = cov__error(ctx, COV_ERR_FORMAT,
                        "%s has %d records but %s has %d: the files do not belong "
                        "together", shp_path, r->n_records, dbf_path,
                        DBFGetRecordCount(r->dbf));
    if (rc == COV_OK) rc = cov__dbf_detect_encoding(ctx, dbf_path, r->dbf, &r->encoding);
    if (rc == COV_OK) rc = skip_deleted(ctx, r, dbf_path);
    free(dbf_path);
    return rc;
}

static int open_shp(cov_ctx *ctx, cov_shp_reader *r, const char *shp_path, int expect)
{
    char *shx_path = NULL;
    SAHooks hooks;
    read_hooks(&hooks);
    int rc = require_sibling(ctx, shp_path, "shx", &shx_path);
    if (rc == COV_OK && !(r->shp = SHPOpenLL(shp_path, "rb", &hooks)))
        rc = open_failure(ctx, shp_path, "shapefile");
    if (rc == COV_OK) rc = check_sizes(ctx, shp_path, r->shp);
    if (rc == COV_OK) rc = check_type(ctx, r, expect);
    if (rc == COV_OK) r->n_records = r->shp->nRecords;
    free(shx_path);
    return rc;
}

/* Path of the .shp itself: path as given when it ends in .shp (any case),
 * else path + ".shp" so that "dir/N03-22_01_220101" works too. */
static int locate_shp(cov_ctx *ctx, const char *path, char **out)
{
    const char *ext = path + stem_len(path);
    int has_shp = strcasecmp(ext, ".shp") == 0;
    char *want = malloc(strlen(path) + 5);
    if (!want) return cov__error(ctx, COV_ERR_NOMEM, "out of memory");
    sprintf(want, has_shp ? "%s" : "%s.shp", path);
    *out = find_ci(want);
    int rc = *out ? COV_OK
                  : cov__error(ctx, COV_ERR_IO, "cannot open %s: %s", want, strerror(ENOENT));
    free(want);
    return rc;
}

int cov__shp_open(cov_ctx *ctx, const char *path, int expect, cov_shp_reader *r)
{
    return cov__shp_open_ex(ctx, path, expect, 0, r);
}

/* A .dbf that may be missing (geometry-only layers): present when there is
 * one beside the .shp. */
static int open_dbf_optional(cov_ctx *ctx, cov_shp_reader *r, const char *shp_path)
{
    char *want = with_ext(shp_path, "dbf");
    if (!want) return cov__error(ctx, COV_ERR_NOMEM, "out of memory");
    char *found = find_ci(want);
    int exists = found != NULL;
    free(want);
    free(found);
    return exists ? open_dbf(ctx, r, shp_path) : COV_OK;
}

int cov__shp_open_ex(cov_ctx *ctx, const char *path, int expect, int dbf_optional,
                     cov_shp_reader *r)
{
    if (r) memset(r, 0, sizeof *r);
    COV_CHECK_ARG(ctx, ctx && path && r, COV_ERR_ARG);
    char *shp_path = NULL, *prj_path = NULL;
    int rc = (r->path = cov__strdup(ctx, path)) ? COV_OK : COV_ERR_NOMEM;
    if (rc == COV_OK) rc = locate_shp(ctx, path, &shp_path);
    if (rc == COV_OK) rc = open_shp(ctx, r, shp_path, expect);
    if (rc == COV_OK)
        rc = dbf_optional ? open_dbf_optional(ctx, r, shp_path) : open_dbf(ctx, r, shp_path);
    char *want = rc == COV_OK ? with_ext(shp_path, "prj") : NULL;
    if (want && (prj_path = find_ci(want))) rc = read_prj(ctx, prj_path, &r->prj_wkt);
    if (rc == COV_OK) {
        static const char *const exts[] = {"shp", "shx", "dbf", "prj", "cpg"};
        for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
            note_if_exists(ctx, shp_path, exts[i]);
    }
    free(want);
    free(prj_path);
    free(shp_path);
    if (rc != COV_OK) cov__shp_close(r);
    return rc;
}

void cov__shp_close(cov_shp_reader *r)
{
    if (!r) return;
    if (r->shp) SHPClose(r->shp);
    if (r->dbf) DBFClose(r->dbf);
    free(r->path);
    free(r->prj_wkt);
    free(r->live);
    memset(r, 0, sizeof *r);
}

/* ---- attributes ---------------------------------------------------------- */

/* Field name for messages: as stored when printable ASCII, else its number,
 * so that undecodable bytes never reach the message handler. */
static void field_label(const cov_shp_reader *r, int field, char *buf, size_t size)
{
    char name[XBASE_FLDNAME_LEN_READ + 1] = "";
    DBFGetFieldInfo(r->dbf, field, name, NULL, NULL);
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
            snprintf(buf, size, "#%d", field);
            return;
        }
    snprintf(buf, size, "%s", name);
}

/* Field names decoded like the data, since some writers store them in the
 * same code page (e.g. CP932). New string, or NULL with an error. */
static char *field_name_utf8(cov_ctx *ctx, const cov_shp_reader *r, int field)
{
    char name[XBASE_FLDNAME_LEN_READ + 1] = "", where[512];
    DBFGetFieldInfo(r->dbf, field, name, NULL, NULL);
    snprintf(where, sizeof where, "%s field #%d (name)", r->path, field);
    return cov__to_utf8(ctx, name, strlen(name), r->encoding.iconv_name, where);
}

static int field_lookup_error(cov_ctx *ctx, const cov_shp_reader *r, const char *name)
{
    char list[700] = "";
    size_t len = 0;
    for (int i = 0; i < DBFGetFieldCount(r->dbf) && len < sizeof list - 1; i++) {
        char *f = field_name_utf8(ctx, r, i);
        if (!f) return ctx->status;
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", f);
        free(f);
    }
    if (len >= sizeof list - 1) strcpy(list + sizeof list - 5, "...");
    return cov__error(ctx, COV_ERR_FIELD, "%s: no field named %s (fields: %s)", r->path,
                      name, DBFGetFieldCount(r->dbf) ? list : "none");
}

/* DBF field names hold at most 10 bytes, and writers (ours included) cut
 * longer names there: "facility_id" is stored as "facility_i". */
#define DBF_NAME_MAX 10

int cov__shp_field(cov_ctx *ctx, const cov_shp_reader *r, const char *name)
{
    COV_CHECK_ARG(ctx, ctx && r && r->dbf && name, -1);
    int n = DBFGetFieldCount(r->dbf), ci_match = -1, cut_match = -1;
    size_t len = strlen(name);
    for (int i = 0; i < n; i++) {
        char *f = field_name_utf8(ctx, r, i);
        if (!f) return -1;
        int exact = strcmp(f, name) == 0;
        if (!exact && ci_match < 0 && strcasecmp(f, name) == 0) ci_match = i;
        if (len > DBF_NAME_MAX && cut_match < 0 && strlen(f) == DBF_NAME_MAX &&
            strncasecmp(f, name, DBF_NAME_MAX) == 0)
            cut_match = i;
        free(f);
        if (exact) return i;
    }
    if (ci_match >= 0) return ci_match;
    if (cut_match >= 0) return cut_match;
    field_lookup_error(ctx, r, name);
    return -1;
}

/* Raw bytes of a field, padding (spaces, and the NULs some writers use)
 * trimmed from the end. Read from the record itself because shapelib's
 * string reader also strips leading spaces, which may be data. */
static const char *raw_field(cov_ctx *ctx, const cov_shp_reader *r, int rec, int field,
                             size_t *out_n, int *out_rec)
{
    char label[64];
    if (!r || !r->dbf || rec < 0 || rec >= r->n_records || field < 0 ||
        field >= DBFGetFieldCount(r->dbf)) {
        cov__error(ctx, COV_ERR_ARG, "%s: no record %d field %d",
                   r && r->path ? r->path : "closed shapefile reader", rec, field);
        return NULL;
    }
    rec = *out_rec = cov__shp_record_number(r, rec);
    const DBFInfo *d = r->dbf;
    int off = d->panFieldOffset[field], width = d->panFieldSize[field];
    const char *rec_bytes = DBFReadTuple(r->dbf, rec);
    if (!rec_bytes || off + width > d->nRecordLength) {
        field_label(r, field, label, sizeof label);
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d field %s: cannot read the record "
                   "(damaged .dbf)", r->path, rec, label);
        return NULL;
    }
    size_t n = (size_t)width;
    while (n && (rec_bytes[off + n - 1] == ' ' || rec_bytes[off + n - 1] == '\0')) n--;
    const char *v = rec_bytes + off;
    while (n && *v == ' ') v++, n--; /* GDAL's shapelib trims both ends */
    *out_n = n;
    return v;
}

char *cov__shp_string(cov_ctx *ctx, const cov_shp_reader *r, int rec, int field)
{
    COV_CHECK_ARG(ctx, ctx && r != NULL, NULL);
    size_t n;
    const char *raw = raw_field(ctx, r, rec, field, &n, &rec);
    if (!raw) return NULL;
    char label[64], where[600];
    field_label(r, field, label, sizeof label);
    snprintf(where, sizeof where, "%s record %d field %s", r->path, rec, label);
    /* A field holding only NULs (shapelib's NULL for strings) trims to "". */
    return cov__to_utf8(ctx, raw, n, r->encoding.iconv_name, where);
}

/* Printable rendering of raw bytes for a message. */
static void show_text(const char *s, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len + 5 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        len += (size_t)snprintf(buf + len, size - len, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02X", c);
    }
}

int cov__shp_double(cov_ctx *ctx, const cov_shp_reader *r, int rec, int field,
                    double *out)
{
    COV_CHECK_ARG(ctx, ctx && r && out, COV_ERR_ARG);
    size_t n;
    const char *raw = raw_field(ctx, r, rec, field, &n, &rec);
    if (!raw) return ctx->status;
    char text[256], *end;
    if (n >= sizeof text) n = sizeof text - 1; /* DBF fields are at most 255 bytes */
    memcpy(text, raw, n);
    text[n] = '\0';
    if (DBFGetNativeFieldType(r->dbf, field) == 'L' && n <= 1) { /* as GDAL reads them */
        const char *p = n ? strchr("TtYyFfNn", text[0]) : NULL;
        *out = p && text[0] ? (p - "TtYyFfNn" < 4 ? 1.0 : 0.0) : NAN;
        return COV_OK;
    }
    /* Empty, or filled with '*' (dBase's overflow and shapelib's NULL). */
    if (strspn(text, "*") == n) {
        *out = NAN;
        return COV_OK;
    }
    errno = 0;
    double v = strtod(text, &end);
    if (*end || !isfinite(v)) {
        char label[64], shown[256];
        field_label(r, field, label, sizeof label);
        show_text(text, n, shown, sizeof shown);
        return cov__error(ctx, COV_ERR_VALUE, "%s record %d field %s: \"%s\" is not a number",
                          r->path, rec, label, shown);
    }
    *out = v;
    return COV_OK;
}

/* ---- geometry ------------------------------------------------------------ */

typedef struct ring {
    int start, n;
    double area2;   /* twice the signed area: < 0 for clockwise (outer) rings */
    double env[4];  /* minx, miny, maxx, maxy */
    int owner;      /* -1: outer ring; else index of the outer ring it is a hole of */
} ring;

/* Range of part i, checked against the vertex count. */
static int part_range(const SHPObject *o, int i, int *start, int *n)
{
    int s = o->panPartStart[i];
    int e = i + 1 < o->nParts ? o->panPartStart[i + 1] : o->nVertices;
    *start = s;
    *n = e - s;
    return s >= 0 && s < e && e <= o->nVertices;
}

static int check_finite(cov_ctx *ctx, const cov_shp_reader *r, int rec, const SHPObject *o)
{
    for (int i = 0; i < o->nVertices; i++)
        if (!isfinite(o->padfX[i]) || !isfinite(o->padfY[i]))
            return cov__error(ctx, COV_ERR_FORMAT,
                              "%s record %d: vertex %d has a non-finite coordinate", r->path,
                              rec, i);
    return COV_OK;
}

/* Shoelace relative to the first vertex, which keeps the products small
 * for lon/lat far from the origin. */
static double ring_area2(const double *x, const double *y, int n)
{
    double a = 0;
    for (int i = 0; i + 1 < n; i++)
        a += (x[i] - x[0]) * (y[i + 1] - y[0]) - (x[i + 1] - x[0]) * (y[i] - y[0]);
    return a;
}

static int read_ring(cov_ctx *ctx, const cov_shp_reader *r, int rec, const SHPObject *o,
                     int i, ring *out)
{
    if (!part_range(o, i, &out->start, &out->n))
        return cov__error(ctx, COV_ERR_FORMAT, "%s record %d: part %d has invalid bounds",
                          r->path, rec, i);
    const double *x = o->padfX + out->start, *y = o->padfY + out->start;
    int n = out->n;
    if (n < 4)
        return cov__error(ctx, COV_ERR_FORMAT,
                          "%s record %d: ring %d has %d points (a ring needs at least 4)",
                          r->path, rec, i, n);
    if (x[0] != x[n - 1] || y[0] != y[n - 1])
        return cov__error(ctx, COV_ERR_FORMAT, "%s record %d: ring %d is not closed",
                          r->path, rec, i);
    out->area2 = ring_area2(x, y, n);
    out->env[0] = out->env[2] = x[0];
    out->env[1] = out->env[3] = y[0];
    for (int k = 1; k < n; k++) {
        out->env[0] = fmin(out->env[0], x[k]);
        out->env[1] = fmin(out->env[1], y[k]);
        out->env[2] = fmax(out->env[2], x[k]);
        out->env[3] = fmax(out->env[3], y[k]);
    }
    return COV_OK;
}

/* 1 inside, 0 on the boundary, -1 outside (even-odd crossing rule). */
static int point_in_ring(double px, double py, const double *x, const double *y, int n)
{
    int inside = 0;
    for (int i = 0; i + 1 < n; i++) {
        double x1 = x[i], y1 = y[i], x2 = x[i + 1], y2 = y[i + 1];
        double cross = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1);
        if (cross == 0 && px >= fmin(x1, x2) && px <= fmax(x1, x2) && py >= fmin(y1, y2) &&
            py <= fmax(y1, y2))
            return 0;
        if ((y1 > py) != (y2 > py) && px < x1 + (py - y1) * (x2 - x1) / (y2 - y1))
            inside = !inside;
    }
    return inside ? 1 : -1;
}

/* Whether ring b lies in ring a: decided by b's first vertex that is not on
 * a's boundary (a hole may touch its shell at a vertex). */
static int ring_in_ring(const SHPObject *o, const ring *a, const ring *b)
{
    if (b->env[0] < a->env[0] || b->env[1] < a->env[1] || b->env[2] > a->env[2] ||
        b->env[3] > a->env[3])
        return 0;
    const double *ax = o->padfX + a->start, *ay = o->padfY + a->start;
    for (int k = 0; k + 1 < b->n; k++) {
        int where = point_in_ring(o->padfX[b->start + k], o->padfY[b->start + k], ax, ay, a->n);
        if (where) return where > 0;
    }
    return 1; /* every vertex on a's boundary: the same ring */
}

/* Innermost ring containing ring h, among outer rings only or all rings;
 * -1 if none. Equal areas are ordered by index so that two copies of one
 * ring never contain each other. */
static int innermost(const SHPObject *o, const ring *rings, int nr, int h, int outer_only)
{
    int best = -1;
    for (int s = 0; s < nr; s++) {
        if (s == h || (outer_only && rings[s].owner != -1)) continue;
        double as = fabs(rings[s].area2), ah = fabs(rings[h].area2);
        if (as < ah || (as == ah && s > h)) continue;
        if (!ring_in_ring(o, &rings[s], &rings[h])) continue;
        if (best < 0 || as < fabs(rings[best].area2)) best = s;
    }
    return best;
}

/* The shapefile rule: clockwise rings are outer, each counter-clockwise one
 * a hole of the innermost outer ring containing it. Returns 0 when some
 * hole lies in no outer ring (the writer ignored the rule). */
static int assign_by_orientation(const SHPObject *o, ring *rings, int nr)
{
    for (int i = 0; i < nr; i++) rings[i].owner = rings[i].area2 > 0 ? -2 : -1;
    for (int i = 0; i < nr; i++) {
        if (rings[i].owner == -1) continue;
        rings[i].owner = innermost(o, rings, nr, i, 1);
        if (rings[i].owner < 0) return 0;
    }
    return 1;
}

/* Fallback for files with wrong orientation: rings nested an even number of
 * times are outer, the others holes of the ring just outside them. */
static void assign_by_nesting(const SHPObject *o, ring *rings, int nr)
{
    int *parent = malloc((size_t)nr * sizeof *parent);
    if (!parent) return; /* keep the orientation result: valid enough */
    for (int i = 0; i < nr; i++) parent[i] = innermost(o, rings, nr, i, 0);
    for (int i = 0; i < nr; i++) {
        int depth = 0;
        for (int p = parent[i]; p >= 0 && depth <= nr; p = parent[p]) depth++;
        rings[i].owner = depth % 2 ? parent[i] : -1;
    }
    free(parent);
}

static GEOSGeometry *make_ring(cov_ctx *ctx, const SHPObject *o, const ring *rg)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(
        ctx->geos, o->padfX + rg->start, o->padfY + rg->start, NULL, NULL, (unsigned)rg->n);
    return seq ? GEOSGeom_createLinearRing_r(ctx->geos, seq) : NULL;
}

/* Polygon of outer ring s with its holes; NULL on GEOS failure. */
static GEOSGeometry *make_polygon(cov_ctx *ctx, const SHPObject *o, const ring *rings,
                                  int nr, int s)
{
    GEOSGeometry **holes = malloc((size_t)nr * sizeof *holes);
    GEOSGeometry *shell = holes ? make_ring(ctx, o, &rings[s]) : NULL;
    unsigned nh = 0;
    int ok = shell != NULL;
    for (int i = 0; ok && i < nr; i++)
        if (rings[i].owner == s) ok = (holes[nh++] = make_ring(ctx, o, &rings[i])) != NULL;
    GEOSGeometry *poly = NULL;
    if (ok) {
        poly = GEOSGeom_createPolygon_r(ctx->geos, shell, holes, nh);
    } else {
        for (unsigned k = 0; k < nh; k++)
            if (holes[k]) GEOSGeom_destroy_r(ctx->geos, holes[k]);
        if (shell) GEOSGeom_destroy_r(ctx->geos, shell);
    }
    free(holes);
    return poly;
}

/* Polygon, or MultiPolygon when the record has several outer rings. */
static GEOSGeometry *make_polygons(cov_ctx *ctx, const SHPObject *o, const ring *rings,
                                   int nr)
{
    GEOSGeometry **polys = malloc((size_t)nr * sizeof *polys);
    unsigned np = 0;
    int ok = polys != NULL;
    for (int s = 0; ok && s < nr; s++)
        if (rings[s].owner == -1) ok = (polys[np++] = make_polygon(ctx, o, rings, nr, s)) != NULL;
    GEOSGeometry *g = NULL;
    if (ok && np == 1) g = polys[0];
    else if (ok) g = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, polys, np);
    else
        for (unsigned k = 0; polys && k < np; k++)
            if (polys[k]) GEOSGeom_destroy_r(ctx->geos, polys[k]);
    free(polys);
    return g;
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

static uint64_t ring_hash(const SHPObject *o, const ring *rg)
{
    uint64_t h = (uint64_t)rg->n;
    for (int k = 0; k < rg->n; k++) {
        uint64_t bx, by;
        memcpy(&bx, &o->padfX[rg->start + k], sizeof bx);
        memcpy(&by, &o->padfY[rg->start + k], sizeof by);
        h = mix64(h ^ bx) + by;
    }
    return mix64(h);
}

static int same_ring(const SHPObject *o, const ring *a, const ring *b)
{
    size_t bytes = (size_t)a->n * sizeof(double);
    return a->n == b->n && memcmp(o->padfX + a->start, o->padfX + b->start, bytes) == 0 &&
           memcmp(o->padfY + a->start, o->padfY + b->start, bytes) == 0;
}

/* Drops rings that repeat an earlier ring of the record vertex for vertex
 * (a writer that appended one ring many times): each copy would only make
 * the repair of the overlapping parts slower (2,000 copies: a minute in
 * GEOS), never change the polygon. Returns the rings kept, or -1 when
 * memory runs out. *out_first_dup and *out_of name the first copy. */
static int drop_duplicate_rings(const SHPObject *o, ring *rings, int nr, int *out_first_dup,
                                int *out_of)
{
    size_t cap = 16;
    while (cap < 2 * (size_t)nr) cap <<= 1;
    int *slot = malloc(cap * sizeof *slot), *orig = malloc((size_t)nr * sizeof *orig);
    if (!slot || !orig) {
        free(slot);
        free(orig);
        return -1;
    }
    for (size_t h = 0; h < cap; h++) slot[h] = -1;
    int kept = 0;
    *out_first_dup = *out_of = -1;
    for (int i = 0; i < nr; i++) {
        size_t h = (size_t)ring_hash(o, &rings[i]) & (cap - 1);
        int dup = -1;
        for (; slot[h] >= 0; h = (h + 1) & (cap - 1))
            if (same_ring(o, &rings[slot[h]], &rings[i])) {
                dup = slot[h];
                break;
            }
        if (dup >= 0) {
            if (*out_first_dup < 0) *out_first_dup = i, *out_of = orig[dup];
            continue;
        }
        rings[kept] = rings[i];
        orig[kept] = i;
        slot[h] = kept++;
    }
    free(slot);
    free(orig);
    return kept;
}

static GEOSGeometry *polygon_geom(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                                  const SHPObject *o)
{
    if (o->nParts > COV_MAX_RINGS_PER_RECORD || o->nVertices > COV_MAX_VERTICES_PER_RECORD) {
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: %d rings of %d vertices in all; a "
                   "record is read with at most %d rings and %d vertices (a damaged file, or "
                   "split the polygon)", r->path, rec, o->nParts, o->nVertices,
                   COV_MAX_RINGS_PER_RECORD, COV_MAX_VERTICES_PER_RECORD);
        return NULL;
    }
    ring *rings = cov__calloc(ctx, (size_t)o->nParts, sizeof *rings);
    if (!rings) return NULL;
    int rc = COV_OK, nr = o->nParts;
    for (int i = 0; rc == COV_OK && i < o->nParts; i++)
        rc = read_ring(ctx, r, rec, o, i, &rings[i]);
    int first_dup = -1, dup_of = -1;
    if (rc == COV_OK && (nr = drop_duplicate_rings(o, rings, nr, &first_dup, &dup_of)) < 0)
        rc = cov__error(ctx, COV_ERR_NOMEM, "out of memory");
    if (rc == COV_OK && nr < o->nParts)
        cov__warn(ctx, "%s record %d: %d of its %d rings repeat an earlier ring vertex for "
                  "vertex and are dropped (first: ring %d repeats ring %d)", r->path, rec,
                  o->nParts - nr, o->nParts, first_dup, dup_of);
    GEOSGeometry *g = NULL;
    if (rc == COV_OK) {
        if (!assign_by_orientation(o, rings, nr)) {
            cov__warn(ctx, "%s record %d: a counter-clockwise ring lies in no clockwise "
                      "ring; outer rings and holes decided by nesting instead", r->path, rec);
            assign_by_nesting(o, rings, nr);
        }
        g = make_polygons(ctx, o, rings, nr);
        if (!g) {
            char what[600];
            snprintf(what, sizeof what, "%s record %d: building the polygon", r->path, rec);
            cov__geos_error(ctx, what);
        }
    }
    free(rings);
    return g;
}

static int check_line_parts(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                            const SHPObject *o)
{
    int start, n;
    for (int i = 0; i < o->nParts; i++)
        if (!part_range(o, i, &start, &n) || n < 2)
            return cov__error(ctx, COV_ERR_FORMAT,
                              "%s record %d: line part %d has fewer than 2 points or "
                              "invalid bounds", r->path, rec, i);
    return COV_OK;
}

static GEOSGeometry *line_geom(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                               const SHPObject *o)
{
    if (check_line_parts(ctx, r, rec, o) != COV_OK) return NULL;
    GEOSGeometry **lines = cov__calloc(ctx, (size_t)o->nParts, sizeof *lines);
    if (!lines) return NULL;
    int ok = 1, start, n;
    for (int i = 0; ok && i < o->nParts; i++) {
        part_range(o, i, &start, &n);
        GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(
            ctx->geos, o->padfX + start, o->padfY + start, NULL, NULL, (unsigned)n);
        ok = seq && (lines[i] = GEOSGeom_createLineString_r(ctx->geos, seq));
    }
    GEOSGeometry *g = ok ? GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTILINESTRING,
                                                        lines, (unsigned)o->nParts) : NULL;
    for (int k = 0; !ok && k < o->nParts; k++)
        if (lines[k]) GEOSGeom_destroy_r(ctx->geos, lines[k]);
    if (!g) {
        char what[600];
        snprintf(what, sizeof what, "%s record %d: building the lines", r->path, rec);
        cov__geos_error(ctx, what);
    }
    free(lines);
    return g;
}

static GEOSGeometry *point_geom(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                                const SHPObject *o)
{
    if (o->nVertices != 1) {
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: a multipoint of %d points (only "
                   "single points are supported)", r->path, rec, o->nVertices);
        return NULL;
    }
    GEOSGeometry *g = GEOSGeom_createPointFromXY_r(ctx->geos, o->padfX[0], o->padfY[0]);
    if (!g) {
        char what[600];
        snprintf(what, sizeof what, "%s record %d: building the point", r->path, rec);
        cov__geos_error(ctx, what);
    }
    return g;
}

static GEOSGeometry *shape_to_geos(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                                   const SHPObject *o)
{
    if (family_of(o->nSHPType) != r->shape_type) {
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: shape type %s in a file of %s shapes",
                   r->path, rec, SHPTypeName(o->nSHPType), family_name(r->shape_type));
        return NULL;
    }
    if (check_finite(ctx, r, rec, o) != COV_OK) return NULL;
    if (r->shape_type == SHPT_POINT) return point_geom(ctx, r, rec, o);
    if (o->nParts < 1) {
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: %d vertices but no parts", r->path,
                   rec, o->nVertices);
        return NULL;
    }
    return r->shape_type == SHPT_ARC ? line_geom(ctx, r, rec, o) : polygon_geom(ctx, r, rec, o);
}

GEOSGeometry *cov__shp_geometry(cov_ctx *ctx, const cov_shp_reader *r, int rec,
                                int *out_null)
{
    if (out_null) *out_null = 0;
    COV_CHECK_ARG(ctx, ctx && r && r->shp && out_null, NULL);
    if (rec < 0 || rec >= r->n_records) {
        cov__error(ctx, COV_ERR_ARG, "%s: no record %d (it has %d)", r->path, rec,
                   r->n_records);
        return NULL;
    }
    rec = cov__shp_record_number(r, rec);
    SHPObject *o = SHPReadObject(r->shp, rec);
    if (!o) {
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: unreadable shape (damaged .shp)",
                   r->path, rec);
        return NULL;
    }
    GEOSGeometry *g = NULL;
    if (o->nSHPType == SHPT_NULL || o->nVertices == 0) *out_null = 1;
    else g = shape_to_geos(ctx, r, rec, o);
    SHPDestroyObject(o);
    return g;
}
