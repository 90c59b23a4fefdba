/* Text decoding: UTF-8 validation, conversion to UTF-8 through iconv, and
 * the encoding of a DBF's character fields.
 *
 * What shapelib hands us (checked in shapelib's dbfopen.c, DBFReadAttribute,
 * and against the installed 1.5.0): DBFReadStringAttribute() copies the field
 * with strncpy(), so a NUL byte ends the value early; then, because
 * shapefil.h defines TRIM_DBF_WHITESPACE, it strips leading AND trailing
 * ASCII spaces (0x20 only; an ideographic space U+3000 stays). The result
 * lives in a work buffer of the handle that the next read overwrites, so
 * decode or copy it before reading another value. Stripping 0x20 bytes is
 * safe for CP932 and UTF-8 text: 0x20 never occurs inside a multibyte
 * character of either. DBFIsAttributeNULL() on a 'C' field is true exactly
 * when that trimmed value is empty. Writers that cut text at the field width
 * byte by byte (shapelib's DBFWriteStringAttribute does) can leave half a
 * multibyte character at the end; decoding such a value fails with an error
 * naming it rather than producing garbage.
 *
 * DBFCreate() in shapelib writes LDID 0x57 ("ANSI": the writer's code page,
 * CP932 on Japanese Windows) whatever bytes the caller then stores, so 0x57
 * says nothing about the bytes: it is treated like 0x00 and the text is
 * scanned. Read as CP1252 it would turn Japanese text silently into
 * mojibake, since CP1252 accepts most CP932 bytes. */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/text.h"

/* Length of the well-formed UTF-8 sequence at p (Unicode 15, table 3-7),
 * or 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) len = 3;
    else if (c >= 0xF0 && c <= 0xF4) len = 4;
    else return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
    /* The second byte's range is what excludes overlongs (E0, F0),
     * surrogates (ED) and code points above U+10FFFF (F4). */
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;
    else if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
    if (left < len || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return len;
}

/* Offset of the first byte that does not start a well-formed sequence, or
 * n when all n bytes are well-formed. */
static size_t utf8_invalid_at(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t len = utf8_seq(p + i, n - i);
        if (!len) return i;
        i += len;
    }
    return n;
}

int cov__utf8_valid(const char *s, size_t n)
{
    if (!s) return n == 0;
    return utf8_invalid_at(s, n) == n;
}

static int is_utf8_name(const char *encoding)
{
    return !encoding || strcasecmp(encoding, "UTF-8") == 0 ||
           strcasecmp(encoding, "UTF8") == 0;
}

/* Up to two bytes at s + at (of n) in hex, for messages. */
static void hex_bytes(char *buf, size_t size, const char *s, size_t n, size_t at)
{
    const unsigned char *p = (const unsigned char *)s + at;
    if (at + 1 < n) snprintf(buf, size, "0x%02X 0x%02X", p[0], p[1]);
    else if (at < n) snprintf(buf, size, "0x%02X", p[0]);
    else snprintf(buf, size, "end of text");
}

static char *copy_utf8(cov_ctx *ctx, const char *s, size_t n, const char *where,
                       size_t *out_len)
{
    size_t bad = utf8_invalid_at(s, n);
    if (bad < n) {
        char hex[32];
        hex_bytes(hex, sizeof hex, s, n, bad);
        cov__error(ctx, COV_ERR_ENCODING,
                   "%s: invalid UTF-8 at byte %zu (%s)", where, bad + 1, hex);
        return NULL;
    }
    *out_len = n;
    return cov__strndup(ctx, s, n);
}

/* Grows the iconv output buffer, keeping the write position. */
static int grow(cov_ctx *ctx, char **buf, size_t *cap, char **o, size_t *oleft)
{
    size_t used = (size_t)(*o - *buf);
    if (*cap > SIZE_MAX / 2) return cov__error(ctx, COV_ERR_NOMEM, "text too long");
    char *nb = cov__realloc(ctx, *buf, *cap * 2);
    if (!nb) return COV_ERR_NOMEM;
    *buf = nb;
    *cap *= 2;
    *o = nb + used;
    *oleft = *cap - used - 1; /* room for the NUL */
    return COV_OK;
}

static void iconv_failure(cov_ctx *ctx, int err, const char *s, size_t n,
                          size_t at, const char *encoding, const char *where)
{
    char hex[32];
    hex_bytes(hex, sizeof hex, s, n, at);
    if (err == EINVAL)
        cov__error(ctx, COV_ERR_ENCODING,
                   "%s: %s text ends inside a multibyte character (byte %zu, %s)",
                   where, encoding, at + 1, hex);
    else
        cov__error(ctx, COV_ERR_ENCODING,
                   "%s: invalid %s byte sequence at byte %zu (%s)", where,
                   encoding, at + 1, hex);
}

/* Runs cd over the input, then once more with NULL input to flush what the
 * converter holds back: glibc's CP1258 keeps the last letter in case a
 * combining accent follows. */
static char *run_iconv(cov_ctx *ctx, iconv_t cd, const char *s, size_t n,
                       const char *encoding, const char *where, size_t *out_len)
{
    size_t cap = n < SIZE_MAX / 4 ? n + n / 2 + 16 : n; /* grown on demand */
    char *buf = cov__malloc(ctx, cap), *o = buf, *in = (char *)s;
    size_t inleft = n, oleft = cap - 1;
    int flushing = 0;
    if (!buf) return NULL;
    for (;;) {
        size_t r = flushing ? iconv(cd, NULL, NULL, &o, &oleft)
                            : iconv(cd, &in, &inleft, &o, &oleft);
        int err = errno;
        if (r != (size_t)-1 && flushing) break;
        if (r != (size_t)-1) {
            flushing = 1; /* all input converted */
            continue;
        }
        if (err == E2BIG && grow(ctx, &buf, &cap, &o, &oleft) == COV_OK) continue;
        if (err != E2BIG) iconv_failure(ctx, err, s, n, n - inleft, encoding, where);
        free(buf);
        return NULL;
    }
    *out_len = (size_t)(o - buf);
    buf[*out_len] = '\0';
    return buf;
}

static char *iconv_to_utf8(cov_ctx *ctx, const char *s, size_t n,
                           const char *encoding, const char *where,
                           size_t *out_len)
{
    /* iconv_open("") would silently mean the locale's charset. */
    iconv_t cd = *encoding ? iconv_open("UTF-8", encoding) : (iconv_t)-1;
    if (cd == (iconv_t)-1) {
        cov__error(ctx, COV_ERR_ENCODING,
                   "%s: encoding \"%s\" is not known to iconv", where, encoding);
        return NULL;
    }
    char *out = run_iconv(ctx, cd, s, n, encoding, where, out_len);
    iconv_close(cd);
    return out;
}

char *cov__to_utf8(cov_ctx *ctx, const char *s, size_t n, const char *encoding,
                   const char *where)
{
    size_t len = 0;
    char *out, *nul;
    COV_CHECK_ARG(ctx, ctx && (s || n == 0), NULL);
    if (!s) s = "";
    if (!where) where = "text";
    out = is_utf8_name(encoding) ? copy_utf8(ctx, s, n, where, &len)
                                 : iconv_to_utf8(ctx, s, n, encoding, where, &len);
    if (!out) return NULL;
    /* iconv given a name it only half understands ("UTF-8 " plus junk
     * from a damaged .cpg) may copy invalid bytes through: found by
     * fuzz_dbf_encoding; the promise is valid UTF-8 or an error */
    if (!is_utf8_name(encoding) && !cov__utf8_valid(out, len)) {
        cov__error(ctx, COV_ERR_ENCODING, "%s: not valid text in encoding \"%.40s\"", where,
                   encoding);
        free(out);
        return NULL;
    }
    /* A NUL would silently cut the C string short: in a text file it means
     * UTF-16 or binary data, so it is refused rather than truncated. */
    if ((nul = memchr(out, '\0', len)) != NULL) {
        cov__error(ctx, COV_ERR_ENCODING,
                   "%s: contains a NUL character (byte %zu of the decoded "
                   "text; UTF-16 or binary data?)",
                   where, (size_t)(nul - out) + 1);
        free(out);
        return NULL;
    }
    if (len >= 3 && memcmp(out, "\xEF\xBB\xBF", 3) == 0)
        memmove(out, out + 3, len - 2); /* with the NUL */
    return out;
}

/* ---- DBF encoding ---------------------------------------------------- */

static void set_encoding(cov_dbf_encoding *out, const char *name,
                         const char *source)
{
    size_t len = strlen(name); /* callers check it fits */
    if (len >= sizeof out->iconv_name) len = sizeof out->iconv_name - 1;
    memcpy(out->iconv_name, name, len);
    out->iconv_name[len] = '\0';
    out->source = source;
}

/* LDID byte -> iconv name. The table is GDAL's (ogrshapelayer.cpp,
 * GetEncodingFromLDIDNumber) minus the code pages glibc lacks (895, 620,
 * 10029) and 0x57 (see the top of this file). */
static const char *ldid_encoding(int ldid)
{
    static const struct { unsigned char ldid; const char *name; } table[] = {
        {1, "CP437"},    {2, "CP850"},    {3, "CP1252"},   {4, "MACINTOSH"},
        {8, "CP865"},    {10, "CP850"},   {11, "CP437"},   {13, "CP437"},
        {14, "CP850"},   {15, "CP437"},   {16, "CP850"},   {17, "CP437"},
        {18, "CP850"},   {19, "CP932"},   {20, "CP850"},   {21, "CP437"},
        {22, "CP850"},   {23, "CP865"},   {24, "CP437"},   {25, "CP437"},
        {26, "CP850"},   {27, "CP437"},   {28, "CP863"},   {29, "CP850"},
        {31, "CP852"},   {34, "CP852"},   {35, "CP852"},   {36, "CP860"},
        {37, "CP850"},   {38, "CP866"},   {55, "CP850"},   {64, "CP852"},
        {77, "CP936"},   {78, "CP949"},   {79, "CP950"},   {80, "CP874"},
        /* 87 (0x57) omitted */ {88, "CP1252"},  {89, "CP1252"},  {100, "CP852"},
        {101, "CP866"},  {102, "CP865"},  {103, "CP861"},  {106, "CP737"},
        {107, "CP857"},  {108, "CP863"},  {120, "CP950"},  {121, "CP949"},
        {122, "CP936"},  {123, "CP932"},  {124, "CP874"},  {134, "CP737"},
        {135, "CP852"},  {136, "CP857"},  {150, "MAC-CYRILLIC"},
        {200, "CP1250"}, {201, "CP1251"}, {202, "CP1254"}, {203, "CP1253"},
        {204, "CP1257"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].ldid == ldid) return table[i].name;
    return NULL;
}

/* Opens the .cpg beside dbf_path, trying every case of "cpg" because
 * shapefiles copied from Windows arrive as .CPG, .Cpg, ... */
static FILE *open_cpg(const char *dbf_path, char *cpg_path, size_t size)
{
    const char *slash = strrchr(dbf_path, '/'), *dot = strrchr(dbf_path, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - dbf_path)
                                                 : strlen(dbf_path);
    if (stem + 5 > size) return NULL;
    memcpy(cpg_path, dbf_path, stem);
    for (int mask = 0; mask < 8; mask++) {
        FILE *f;
        cpg_path[stem] = '.';
        cpg_path[stem + 1] = (mask & 1) ? 'C' : 'c';
        cpg_path[stem + 2] = (mask & 2) ? 'P' : 'p';
        cpg_path[stem + 3] = (mask & 4) ? 'G' : 'g';
        cpg_path[stem + 4] = '\0';
        if ((f = fopen(cpg_path, "rb")) != NULL) return f;
    }
    return NULL;
}

/* The first line of a .cpg without BOM and surrounding blanks. */
static void read_cpg_text(FILE *f, char *text, size_t size)
{
    size_t n = fread(text, 1, size - 1, f), start = 0;
    text[n] = '\0';
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) start = 3;
    /* blanks and control bytes (a DOS end-of-file 0x1A) around the name */
    while (text[start] && (unsigned char)text[start] <= ' ') start++;
    memmove(text, text + start, strlen(text + start) + 1);
    text[strcspn(text, "\r\n")] = '\0';
    for (n = strlen(text); n && (unsigned char)text[n - 1] <= ' '; n--)
        text[n - 1] = '\0';
}

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

/* Windows code page number -> iconv name (ESRI's .cpg numbers). */
static int codepage_number(const char *digits, char *name, size_t size)
{
    long cp = strtol(digits, NULL, 10);
    if (cp == 65001) snprintf(name, size, "UTF-8");
    else if ((cp >= 437 && cp <= 950) || (cp >= 1250 && cp <= 1258))
        snprintf(name, size, "CP%ld", cp);
    else if (cp >= 28591 && cp <= 28599) snprintf(name, size, "ISO-8859-%ld", cp - 28590);
    else if (cp == 20932) snprintf(name, size, "EUC-JP");
    else if (strncmp(digits, "8859", 4) == 0 && digits[4])
        snprintf(name, size, "ISO-8859-%s", digits + 4); /* "88591" */
    else return -1;
    return 0;
}

/* Maps .cpg text to an iconv name: the Shift_JIS family to CP932 (files
 * labelled Shift_JIS come from Windows and use its extensions, e.g. (1),
 * which strict SHIFT_JIS rejects), code page numbers as ESRI writes them,
 * anything else passed to iconv as is. */
static void cpg_to_iconv(const char *cpg, char *name, size_t size)
{
    static const char *const cp932[] = {"SJIS", "SHIFT_JIS", "SHIFT-JIS",
                                        "SHIFTJIS", "MS_KANJI", "CP932",
                                        "MS932", "WINDOWS-31J", "WINDOWS-932"};
    const char *p = cpg;
    if (strncasecmp(p, "ANSI ", 5) == 0 || strncasecmp(p, "OEM ", 4) == 0)
        p = strchr(p, ' ') + 1;
    for (size_t i = 0; i < sizeof cp932 / sizeof cp932[0]; i++)
        if (strcasecmp(p, cp932[i]) == 0) {
            snprintf(name, size, "CP932");
            return;
        }
    if (is_utf8_name(p)) snprintf(name, size, "UTF-8");
    else if (strncmp(p, "8859", 4) == 0 && p[4] && !all_digits(p))
        snprintf(name, size, "ISO-8859-%s", p + 4 + (p[4] == '-' || p[4] == '_'));
    else if (!(all_digits(p) && codepage_number(p, name, size) == 0))
        snprintf(name, size, "%s", p);
}

static int known_to_iconv(const char *name)
{
    iconv_t cd = *name ? iconv_open("UTF-8", name) : (iconv_t)-1;
    if (cd == (iconv_t)-1) return 0;
    iconv_close(cd);
    return 1;
}

/* Sets *found when a non-empty .cpg names the encoding. */
static int encoding_from_cpg(cov_ctx *ctx, const char *dbf_path,
                             cov_dbf_encoding *out, int *found)
{
    char cpg_path[4096], text[256], name[256];
    FILE *f = open_cpg(dbf_path, cpg_path, sizeof cpg_path);
    *found = 0;
    if (!f) return COV_OK;
    read_cpg_text(f, text, sizeof text);
    fclose(f);
    if (!*text) return COV_OK; /* an empty .cpg says nothing */
    cpg_to_iconv(text, name, sizeof name);
    if (strlen(name) >= sizeof out->iconv_name || !known_to_iconv(name))
        return cov__error(ctx, COV_ERR_ENCODING,
                          "%s names the encoding \"%s\", which iconv does not "
                          "know; fix the .cpg (e.g. \"UTF-8\" or \"CP932\")",
                          cpg_path, text);
    set_encoding(out, name, "cpg");
    *found = 1;
    return COV_OK;
}

int cov__dbf_check_size(cov_ctx *ctx, const char *dbf_path, DBFHandle dbf)
{
    struct stat st;
    if (stat(dbf_path, &st) != 0)
        return cov__error(ctx, COV_ERR_IO, "cannot stat %s: %s", dbf_path, strerror(errno));
    unsigned long long need = (unsigned long long)(unsigned)dbf->nHeaderLength +
                              (unsigned long long)(unsigned)dbf->nRecords *
                                  (unsigned long long)(unsigned)dbf->nRecordLength;
    if (dbf->nRecords < 0 || need > (unsigned long long)st.st_size)
        return cov__error(ctx, COV_ERR_FORMAT,
                          "%s: truncated or damaged: its header declares %d records of %d "
                          "bytes (%llu bytes with the header) but the file has %lld bytes",
                          dbf_path, dbf->nRecords, dbf->nRecordLength, need,
                          (long long)st.st_size);
    return COV_OK;
}

/* Clears *all_valid at the first 'C' value that is not UTF-8. */
static int scan_utf8(cov_ctx *ctx, const char *dbf_path, DBFHandle dbf,
                     int *all_valid)
{
    int nfields = DBFGetFieldCount(dbf), nrec = DBFGetRecordCount(dbf);
    *all_valid = 1;
    for (int r = 0; r < nrec; r++) {
        for (int f = 0; f < nfields; f++) {
            const char *v;
            if (DBFGetNativeFieldType(dbf, f) != 'C') continue;
            if (!(v = DBFReadStringAttribute(dbf, r, f)))
                return cov__error(ctx, COV_ERR_FORMAT,
                                  "%s: cannot read record %d (truncated file?)",
                                  dbf_path, r + 1);
            if (!cov__utf8_valid(v, strlen(v))) {
                *all_valid = 0;
                return COV_OK;
            }
        }
    }
    return COV_OK;
}

int cov__dbf_detect_encoding(cov_ctx *ctx, const char *dbf_path, DBFHandle dbf,
                             cov_dbf_encoding *out)
{
    int found, utf8, rc;
    const char *ldid_name;
    COV_CHECK_ARG(ctx, ctx && dbf_path && dbf && out, COV_ERR_ARG);
    memset(out, 0, sizeof *out);
    if ((rc = cov__dbf_check_size(ctx, dbf_path, dbf)) != COV_OK) return rc;
    if ((rc = encoding_from_cpg(ctx, dbf_path, out, &found)) != COV_OK || found)
        return rc;
    if ((ldid_name = ldid_encoding(dbf->iLanguageDriver)) != NULL) {
        set_encoding(out, ldid_name, "ldid");
        return COV_OK;
    }
    if ((rc = scan_utf8(ctx, dbf_path, dbf, &utf8)) != COV_OK) return rc;
    if (utf8) {
        set_encoding(out, "UTF-8", "utf8-scan");
    } else {
        set_encoding(out, "CP932", "cp932-fallback");
        cov__notice(ctx, "%s has no .cpg or code page byte and its text is not "
                         "UTF-8: reading it as CP932 (Shift_JIS)", dbf_path);
    }
    return COV_OK;
}
