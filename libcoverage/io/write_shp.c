/* Shapefile writing without geometry: the .dbf of a table's columns (names
 * cut to 10 bytes and made unique, widths planned) and the check that a
 * written set came out whole. The shapes come from geo/shape_write.c. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/write.h"

#define DBF_NAME_MAX 10    /* bytes in a DBF field name */
#define DBF_STRING_MAX 254 /* widest C field most readers accept */
#define DBF_DOUBLE_WIDTH 24
#define DBF_DOUBLE_DECIMALS 15
#define DBF_INT_WIDTH 20   /* "-9223372036854775808" */

/* ---- DBF field plan ------------------------------------------------------ */

typedef struct dbf_field {
    char name[DBF_NAME_MAX + 1];
    char type;    /* 'C' or 'N' */
    int width, decimals;
    long col;     /* table column, -1 for the row-number field of a table without columns */
    int col_type;
} dbf_field;

/* Longest prefix of s of at most max bytes that ends on a UTF-8 boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    return max;
}

/* Readers match DBF names without regard to case. */
static int name_taken(const dbf_field *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].name[0] && strcasecmp(f[i].name, name) == 0) return 1;
    return 0;
}

/* A unique name of at most 10 bytes: the name cut short, then with "_1",
 * "_2", ... in place of its end. */
static void shorten_name(dbf_field *f, size_t nf, size_t i, const char *name)
{
    char cand[DBF_NAME_MAX + 1];
    snprintf(cand, sizeof cand, "%.*s", (int)utf8_cut(name, DBF_NAME_MAX), name);
    for (int k = 1; name_taken(f, nf, cand) && k < 100000; k++) {
        char suffix[8];
        int sl = snprintf(suffix, sizeof suffix, "_%d", k);
        snprintf(cand, sizeof cand, "%.*s%s", (int)utf8_cut(name, DBF_NAME_MAX - (size_t)sl),
                 name, suffix);
    }
    memcpy(f[i].name, cand, sizeof cand);
}

/* Names that fit and are unique are kept first, so a shortened name never
 * takes the name of a later column that needed no change. */
static void plan_names(cov_ctx *ctx, const cov_table *t, dbf_field *f, size_t nf,
                       const char *path)
{
    for (size_t i = 0; i < nf; i++) {
        const char *name = cov_table_column_name(t, (size_t)f[i].col);
        if (strlen(name) <= DBF_NAME_MAX && !name_taken(f, nf, name))
            snprintf(f[i].name, sizeof f[i].name, "%s", name);
    }
    char notice[COV_MSG_MAX];
    size_t len = 0;
    for (size_t i = 0; i < nf; i++) {
        if (f[i].name[0]) continue;
        const char *name = cov_table_column_name(t, (size_t)f[i].col);
        shorten_name(f, nf, i, name);
        if (len < sizeof notice)
            len += (size_t)snprintf(notice + len, sizeof notice - len, "%s%s -> %s",
                                    len ? ", " : "", name, f[i].name);
    }
    if (len) cov__notice(ctx, "%s: DBF field names are limited to %d bytes; renamed %s",
                         path, DBF_NAME_MAX, notice);
}

static void plan_string_width(cov_ctx *ctx, const cov_table *t, dbf_field *f,
                              const char *path)
{
    size_t widest = 1, cut = 0;
    for (size_t r = 0; r < cov_table_nrows(t); r++) {
        size_t n = strlen(cov_table_string(t, (size_t)f->col, r));
        if (n > DBF_STRING_MAX) cut++;
        if (n > widest) widest = n;
    }
    f->width = widest > DBF_STRING_MAX ? DBF_STRING_MAX : (int)widest;
    if (cut)
        cov__warn(ctx, "%s: %zu value(s) of column %s longer than %d bytes were truncated",
                  path, cut, cov_table_column_name(t, (size_t)f->col), DBF_STRING_MAX);
}

static void plan_types(cov_ctx *ctx, const cov_table *t, dbf_field *f, const char *path)
{
    f->col_type = f->col < 0 ? COV_COL_INT : cov_table_column_type(t, (size_t)f->col);
    f->type = f->col_type == COV_COL_STRING ? 'C' : 'N';
    f->decimals = f->col_type == COV_COL_DOUBLE ? DBF_DOUBLE_DECIMALS : 0;
    f->width = f->col_type == COV_COL_DOUBLE ? DBF_DOUBLE_WIDTH : DBF_INT_WIDTH;
    if (f->col_type == COV_COL_STRING) plan_string_width(ctx, t, f, path);
}

/* One field per column; a table without columns gets a row number, since
 * a DBF without fields cannot hold records. */
static dbf_field *plan_fields(cov_ctx *ctx, const cov_table *t, const char *path,
                              size_t *out_n)
{
    size_t nc = cov_table_ncols(t), nf = nc ? nc : 1;
    dbf_field *f = cov__calloc(ctx, nf, sizeof *f);
    if (!f) return NULL;
    for (size_t i = 0; i < nf; i++) f[i].col = nc ? (long)i : -1;
    if (nc) plan_names(ctx, t, f, nf, path);
    else strcpy(f[0].name, "FID");
    for (size_t i = 0; i < nf; i++) plan_types(ctx, t, &f[i], path);
    *out_n = nf;
    return f;
}

/* ---- DBF writing --------------------------------------------------------- */

/* A double in a 'N' field: as many of the 15 decimals as fit the width,
 * exponent notation for magnitudes no fixed form fits. */
static void format_double(double v, char *buf, size_t size)
{
    int len = snprintf(buf, size, "%*.*f", DBF_DOUBLE_WIDTH, DBF_DOUBLE_DECIMALS, v);
    int dec = DBF_DOUBLE_DECIMALS - (len - DBF_DOUBLE_WIDTH);
    if (len > DBF_DOUBLE_WIDTH && dec >= 0)
        len = snprintf(buf, size, "%*.*f", DBF_DOUBLE_WIDTH, dec, v);
    if (len > DBF_DOUBLE_WIDTH) snprintf(buf, size, "%*.16e", DBF_DOUBLE_WIDTH, v);
}

static int dbf_cell(DBFHandle dbf, const cov_table *t, const dbf_field *f, int field,
                    size_t row)
{
    char buf[DBF_STRING_MAX + 8];
    int r = (int)row;
    if (f->col < 0) {
        snprintf(buf, sizeof buf, "%*zu", DBF_INT_WIDTH, row);
    } else if (f->col_type == COV_COL_STRING) {
        const char *s = cov_table_string(t, (size_t)f->col, row);
        snprintf(buf, sizeof buf, "%.*s", (int)utf8_cut(s, DBF_STRING_MAX), s);
        return DBFWriteStringAttribute(dbf, r, field, buf);
    } else if (f->col_type == COV_COL_INT) {
        snprintf(buf, sizeof buf, "%*" PRId64, DBF_INT_WIDTH, cov_table_ints(t, (size_t)f->col)[row]);
    } else {
        double v = cov_table_doubles(t, (size_t)f->col)[row];
        if (!isfinite(v)) return DBFWriteNULLAttribute(dbf, r, field);
        format_double(v, buf, sizeof buf);
    }
    /* Formatted here: shapelib's own writers take an int and a fixed %f. */
    return DBFWriteAttributeDirectly(dbf, r, field, buf);
}

/* Shapelib would print to stderr; our messages name the path instead. */
static void hook_error(const char *message) { (void)message; }

void cov__shp_quiet_hooks(SAHooks *h)
{
    SASetupDefaultHooks(h);
    h->Error = hook_error;
}

int cov__dbf_write_table(cov_ctx *ctx, const cov_table *t, const char *tmp_dbf,
                         const char *path)
{
    size_t nf = 0;
    dbf_field *f = plan_fields(ctx, t, path, &nf);
    if (!f) return ctx->status;
    SAHooks hooks;
    cov__shp_quiet_hooks(&hooks);
    /* LDID 0 with a .cpg saying UTF-8 is what GDAL writes for UTF-8; the
     * .cpg is written by us (shapelib's own does not check fopen). */
    errno = 0;
    DBFHandle dbf = DBFCreateLL(tmp_dbf, "LDID/0", &hooks);
    int ok = dbf != NULL;
    if (!dbf) cov__write_error(ctx, path, errno ? errno : EIO);
    for (size_t i = 0; ok && i < nf; i++)
        ok = DBFAddNativeFieldType(dbf, f[i].name, f[i].type, f[i].width, f[i].decimals) >= 0;
    for (size_t r = 0; ok && r < cov_table_nrows(t); r++)
        for (size_t i = 0; ok && i < nf; i++) ok = dbf_cell(dbf, t, &f[i], (int)i, r);
    if (dbf) DBFClose(dbf);
    free(f);
    if (!ok && dbf) return cov__write_error(ctx, path, errno ? errno : EIO);
    return ok ? COV_OK : ctx->status;
}

/* Shapelib and PROJ report success while a full disk truncates files;
 * reading the headers back and comparing sizes catches that. */
int cov__shp_verify_written(cov_ctx *ctx, const char *tmp_shp, const char *tmp_dbf,
                            size_t nrows, const char *path)
{
    SAHooks hooks;
    cov__shp_quiet_hooks(&hooks);
    SHPHandle shp = SHPOpenLL(tmp_shp, "rb", &hooks);
    DBFHandle dbf = DBFOpenLL(tmp_dbf, "rb", &hooks);
    struct stat st;
    int ok = shp && dbf && stat(tmp_shp, &st) == 0 && (size_t)shp->nRecords == nrows &&
             (unsigned long long)st.st_size == shp->nFileSize &&
             (size_t)DBFGetRecordCount(dbf) == nrows;
    if (ok && stat(tmp_dbf, &st) == 0)
        ok = (unsigned long long)st.st_size >=
             (unsigned long long)dbf->nHeaderLength + (unsigned long long)dbf->nRecordLength * nrows;
    if (shp) SHPClose(shp);
    if (dbf) DBFClose(dbf);
    return ok ? COV_OK : cov__error(ctx, COV_ERR_IO, "cannot write %s: files came out "
                                    "incomplete (disk full?)", path);
}
