/* Shapefile opening and records. Shapelib parses the files; we add what it
 * leaves to the caller: file names in any case of extension, declared sizes
 * checked against real ones (a truncated .shp otherwise surfaces as a random
 * unreadable record), the .dbf's deleted records skipped and its encoding
 * decided. Records are numbered from 0 in messages, as shapelib, GDAL FIDs
 * and pandas do. Field values are read in io/dbf.c; shapes become geometry
 * in geo/shape_read.c (io builds no geometry). */
#include <dirent.h>
#include <errno.h>
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

int cov__shp_family(int shp_type)
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

const char *cov__shp_family_name(int family)
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
    r->shape_type = cov__shp_family(type);
    if (!r->shape_type)
        return cov__error(ctx, COV_ERR_FORMAT, "%s: shape type %s is not supported",
                          r->path, SHPTypeName(type));
    if (expect && r->shape_type != cov__shp_family(expect))
        return cov__error(ctx, COV_ERR_FORMAT, "%s: contains %s shapes (%s), expected %s",
                          r->path, cov__shp_family_name(r->shape_type), SHPTypeName(type),
                          cov__shp_family_name(cov__shp_family(expect)));
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

SHPObject *cov__shp_read_shape(cov_ctx *ctx, const cov_shp_reader *r, int rec, int *out_file_rec)
{
    COV_CHECK_ARG(ctx, ctx && r && r->shp && out_file_rec, NULL);
    if (rec < 0 || rec >= r->n_records) {
        cov__error(ctx, COV_ERR_ARG, "%s: no record %d (it has %d)", r->path, rec,
                   r->n_records);
        return NULL;
    }
    rec = *out_file_rec = cov__shp_record_number(r, rec);
    SHPObject *o = SHPReadObject(r->shp, rec);
    if (!o)
        cov__error(ctx, COV_ERR_FORMAT, "%s record %d: unreadable shape (damaged .shp)",
                   r->path, rec);
    return o;
}
