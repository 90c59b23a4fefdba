/* DBF field values of an open shapefile reader: fields found by name (as
 * GDAL finds them, also by the 10-byte cut name), text decoded to UTF-8,
 * numbers parsed; every message names file, record and field. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/shp_read.h"

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
