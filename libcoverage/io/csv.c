/* CSV files read whole into memory as UTF-8 cells.
 *
 * The file is decoded once, as a whole (UTF-8 when every byte sequence is
 * valid or a UTF-8 BOM says so, else CP932, the Excel default on Japanese
 * Windows), then split into cells. Decoding first is safe because neither
 * encoding has a byte below 0x40 inside a multibyte character, so commas,
 * quotes and line ends are never part of one.
 *
 * Choices the header leaves open: a file with no row at all fails with
 * COV_ERR_EMPTY, a header without data rows is a valid table of 0 rows;
 * line ends are LF, CRLF or a lone CR (old Mac Excel); line ends inside
 * quoted fields are kept as they are; spaces between a closing quote and the
 * next comma are allowed; a quote inside an unquoted field is kept as text. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/csv.h"
#include "io/text.h"

struct cov_csv {
    char *path;
    char *text;    /* the cells, NUL-terminated, back to back */
    char **cells;  /* row-major: the header row (if any), then data rows */
    size_t *lines; /* first line of each row, header row included */
    size_t nrows, ncols, nall;
    int has_header;
};

typedef struct csv_parser {
    cov_ctx *ctx;
    cov_csv *csv;
    const char *p, *end;
    char *out;       /* next free byte of csv->text */
    size_t line;     /* line of *p, 1-based */
    size_t ncells, cap_cells, cap_lines;
    size_t row_start; /* index in csv->cells of the row being read */
} csv_parser;

static const char *const BOM = "\xEF\xBB\xBF";

/* ---- reading and decoding -------------------------------------------- */

static char *read_all(cov_ctx *ctx, const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, len = 0;
    char *buf;
    if (!f) {
        cov__error(ctx, COV_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    for (buf = cov__malloc(ctx, cap); buf; cap *= 2) {
        char *nb;
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        nb = cap < SIZE_MAX / 2 ? cov__realloc(ctx, buf, cap * 2) : NULL;
        if (!nb) free(buf);
        buf = nb;
    }
    if (buf && ferror(f)) { /* e.g. EISDIR: fopen() accepts a folder */
        cov__error(ctx, COV_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *out_len = len;
    return buf;
}

/* Bytes of the line end at p: LF, CRLF or a lone CR; 0 if none. */
static size_t eol_len(const char *p, const char *end)
{
    if (p >= end) return 0;
    if (*p == '\n') return 1;
    if (*p == '\r') return p + 1 < end && p[1] == '\n' ? 2 : 1;
    return 0;
}

static size_t line_of(const char *s, const char *pos)
{
    size_t line = 1;
    while (s < pos) {
        size_t e = eol_len(s, pos);
        line += e != 0;
        s += e ? e : 1;
    }
    return line;
}

/* After a failed whole-file decode, decodes line by line so that the error
 * names the line (the whole-file message only gives a byte offset). */
static void locate_bad_line(cov_ctx *ctx, const char *path, const char *raw,
                            size_t n, const char *enc, const char *why)
{
    const char *p = raw, *end = raw + n;
    for (size_t line = 1; p < end; line++) {
        const char *q = p;
        char where[1200];
        while (q < end && !eol_len(q, end)) q++;
        snprintf(where, sizeof where, "%s line %zu%s", path, line, why);
        char *text = cov__to_utf8(ctx, p, (size_t)(q - p), enc, where);
        if (!text) return;
        free(text);
        p = q + eol_len(q, end);
    }
}

static char *decode(cov_ctx *ctx, const char *path, const char *raw, size_t n)
{
    int bom = n >= 3 && memcmp(raw, BOM, 3) == 0;
    const char *nul = memchr(raw, '\0', n), *enc;
    char *text;
    if (nul) {
        cov__error(ctx, COV_ERR_ENCODING,
                   "%s line %zu: contains a NUL byte: the file looks UTF-16 or "
                   "binary; save it as CSV in UTF-8",
                   path, line_of(raw, nul));
        return NULL;
    }
    enc = bom || cov__utf8_valid(raw, n) ? "UTF-8" : "CP932";
    if ((text = cov__to_utf8(ctx, raw, n, enc, path)) != NULL) return text;
    if (cov_last_error(ctx) == COV_ERR_ENCODING)
        locate_bad_line(ctx, path, raw, n, enc,
                        bom ? " (the file starts with a UTF-8 BOM)"
                            : " (the file is not UTF-8, so it was read as CP932)");
    return NULL;
}

/* ---- parsing ----------------------------------------------------------- */

static int push_cell(csv_parser *ps, char *cell)
{
    cov_csv *csv = ps->csv;
    if (ps->ncells == ps->cap_cells) {
        size_t cap = ps->cap_cells ? 2 * ps->cap_cells : 64;
        char **cells = cov__realloc(ps->ctx, csv->cells, cap * sizeof *cells);
        if (!cells) return COV_ERR_NOMEM;
        csv->cells = cells;
        ps->cap_cells = cap;
    }
    csv->cells[ps->ncells++] = cell;
    return COV_OK;
}

static int push_line(csv_parser *ps, size_t line)
{
    cov_csv *csv = ps->csv;
    if (csv->nall == ps->cap_lines) {
        size_t cap = ps->cap_lines ? 2 * ps->cap_lines : 64;
        size_t *lines = cov__realloc(ps->ctx, csv->lines, cap * sizeof *lines);
        if (!lines) return COV_ERR_NOMEM;
        csv->lines = lines;
        ps->cap_lines = cap;
    }
    csv->lines[csv->nall++] = line;
    return COV_OK;
}

static size_t column_no(const csv_parser *ps) { return ps->ncells - ps->row_start + 1; }

static void read_unquoted(csv_parser *ps)
{
    while (ps->p < ps->end && *ps->p != ',' && !eol_len(ps->p, ps->end))
        *ps->out++ = *ps->p++;
}

/* Reads "..." with "" for a quote; line ends inside are kept. */
static int read_quoted(csv_parser *ps)
{
    size_t start = ps->line;
    for (ps->p++;; ) {
        size_t e;
        if (ps->p == ps->end)
            return cov__error(ps->ctx, COV_ERR_FORMAT,
                              "%s line %zu column %zu: quoted field never closed "
                              "(missing \")", ps->csv->path, start, column_no(ps));
        if (*ps->p == '"' && !(ps->p + 1 < ps->end && ps->p[1] == '"')) break;
        if (*ps->p == '"') ps->p++; /* "" stands for one quote */
        e = eol_len(ps->p, ps->end);
        ps->line += e != 0;
        for (size_t i = 0; i < (e ? e : 1); i++) *ps->out++ = *ps->p++;
    }
    for (ps->p++; ps->p < ps->end && *ps->p == ' '; ps->p++) {}
    if (ps->p < ps->end && *ps->p != ',' && !eol_len(ps->p, ps->end))
        return cov__error(ps->ctx, COV_ERR_FORMAT,
                          "%s line %zu column %zu: text after the closing quote "
                          "(a quote inside a quoted field must be doubled: \"\")",
                          ps->csv->path, ps->line, column_no(ps));
    return COV_OK;
}

static int read_cell(csv_parser *ps)
{
    char *cell = ps->out;
    if (ps->p < ps->end && *ps->p == '"') {
        int rc = read_quoted(ps);
        if (rc != COV_OK) return rc;
    } else {
        read_unquoted(ps);
    }
    *ps->out++ = '\0';
    return push_cell(ps, cell);
}

/* Reads cells up to and including the line end (or the end of the text). */
static int read_row(csv_parser *ps)
{
    size_t e;
    ps->row_start = ps->ncells;
    for (;;) {
        int rc = read_cell(ps);
        if (rc != COV_OK) return rc;
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        e = eol_len(ps->p, ps->end);
        ps->p += e;
        ps->line += e != 0;
        return COV_OK;
    }
}

/* The first row fixes the column count; catch TSV files there, as they
 * would otherwise read as one column and fail later with a puzzling
 * "no column" error. */
static int check_row(csv_parser *ps, size_t line)
{
    cov_csv *csv = ps->csv;
    size_t n = ps->ncells - ps->row_start;
    if (csv->nall == 0) {
        csv->ncols = n;
        if (n == 1 && strchr(csv->cells[ps->row_start], '\t'))
            return cov__error(ps->ctx, COV_ERR_FORMAT,
                              "%s line %zu: tabs but no commas: the file looks "
                              "tab-separated; only comma-separated files are "
                              "read (save it as CSV)", csv->path, line);
        return COV_OK;
    }
    if (n == csv->ncols) return COV_OK;
    return cov__error(ps->ctx, COV_ERR_FORMAT,
                      "%s line %zu: %zu field(s) where the %s has %zu%s", csv->path,
                      line, n, csv->has_header ? "header" : "first row",
                      csv->ncols,
                      n > csv->ncols ? " (a value with a comma must be quoted)" : "");
}

static int parse_rows(csv_parser *ps)
{
    while (ps->p < ps->end) {
        size_t e = eol_len(ps->p, ps->end), line = ps->line;
        int rc;
        if (e) { /* blank line */
            ps->p += e;
            ps->line++;
            continue;
        }
        if ((rc = read_row(ps)) != COV_OK || (rc = check_row(ps, line)) != COV_OK ||
            (rc = push_line(ps, line)) != COV_OK)
            return rc;
    }
    if (ps->csv->nall == 0)
        return cov__error(ps->ctx, COV_ERR_EMPTY, "%s: the file is empty%s",
                          ps->csv->path, ps->csv->has_header ? " (no header)" : "");
    return COV_OK;
}

static void trim_header(cov_csv *csv)
{
    for (size_t j = 0; j < csv->ncols; j++) {
        char *s = csv->cells[j];
        size_t n;
        while (*s == ' ' || *s == '\t') s++;
        n = strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
        csv->cells[j] = s;
    }
}

static cov_csv *parse(cov_ctx *ctx, const char *path, const char *text,
                      int has_header)
{
    size_t len = strlen(text);
    cov_csv *csv = cov__calloc(ctx, 1, sizeof *csv);
    csv_parser ps = {ctx, csv, text, text + len, NULL, 1, 0, 0, 0, 0};
    if (!csv) return NULL;
    csv->has_header = has_header != 0;
    /* Every cell's text is no longer than its bytes in the file, and its
     * NUL takes the place of the comma or line end after it; only the last
     * cell may have none, hence + 1. */
    if (!(csv->path = cov__strdup(ctx, path)) ||
        !(csv->text = cov__malloc(ctx, len + 1))) {
        cov__csv_destroy(csv);
        return NULL;
    }
    ps.out = csv->text;
    if (parse_rows(&ps) != COV_OK) {
        cov__csv_destroy(csv);
        return NULL;
    }
    csv->nrows = csv->nall - (size_t)csv->has_header;
    if (csv->has_header) trim_header(csv);
    return csv;
}

cov_csv *cov__csv_read(cov_ctx *ctx, const char *path, int has_header)
{
    size_t n;
    char *raw, *text;
    cov_csv *csv;
    COV_CHECK_ARG(ctx, ctx && path, NULL);
    if (!(raw = read_all(ctx, path, &n))) return NULL;
    cov__note_input(ctx, path);
    text = decode(ctx, path, raw, n);
    free(raw);
    if (!text) return NULL;
    csv = parse(ctx, path, text, has_header);
    free(text);
    return csv;
}

void cov__csv_destroy(cov_csv *csv)
{
    if (!csv) return;
    free(csv->path);
    free(csv->text);
    free(csv->cells);
    free(csv->lines);
    free(csv);
}

/* ---- access ------------------------------------------------------------ */

size_t cov__csv_nrows(const cov_csv *csv) { return csv ? csv->nrows : 0; }
size_t cov__csv_ncols(const cov_csv *csv) { return csv ? csv->ncols : 0; }
const char *cov__csv_path(const cov_csv *csv) { return csv ? csv->path : ""; }

const char *cov__csv_header(const cov_csv *csv, size_t col)
{
    if (!csv || !csv->has_header || col >= csv->ncols) return "";
    return csv->cells[col];
}

const char *cov__csv_cell(const cov_csv *csv, size_t row, size_t col)
{
    if (!csv || row >= csv->nrows || col >= csv->ncols) return "";
    return csv->cells[(row + (size_t)csv->has_header) * csv->ncols + col];
}

size_t cov__csv_line(const cov_csv *csv, size_t row)
{
    if (!csv || row >= csv->nrows) return 0;
    return csv->lines[row + (size_t)csv->has_header];
}

/* The column names as "a, b, c", cut short with "..." to fit. */
static void list_columns(const cov_csv *csv, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < csv->ncols; j++) {
        const char *name = csv->cells[j];
        size_t need = strlen(name) + (j ? 2 : 0);
        if (used + need + 4 >= size) {
            snprintf(buf + used, size - used, "%s...", j ? ", " : "");
            return;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s", j ? ", " : "", name);
    }
}

static long column_by_number(cov_ctx *ctx, const cov_csv *csv, const char *field)
{
    char *end;
    unsigned long k;
    errno = 0;
    k = strtoul(field, &end, 10);
    if (*field >= '0' && *field <= '9' && !*end && !errno && k >= 1 && k <= csv->ncols)
        return (long)(k - 1);
    cov__error(ctx, COV_ERR_FIELD,
               "%s: no column \"%s\": the file is read without a header, so "
               "columns are numbered 1 to %zu", csv->path, field, csv->ncols);
    return -1;
}

long cov__csv_column(cov_ctx *ctx, const cov_csv *csv, const char *field)
{
    char names[600];
    COV_CHECK_ARG(ctx, ctx && csv && field, -1);
    if (!csv->has_header) return column_by_number(ctx, csv, field);
    for (size_t j = 0; j < csv->ncols; j++)
        if (strcmp(csv->cells[j], field) == 0) return (long)j;
    for (size_t j = 0; j < csv->ncols; j++)
        if (strcasecmp(csv->cells[j], field) == 0) return (long)j;
    list_columns(csv, names, sizeof names);
    cov__error(ctx, COV_ERR_FIELD, "%s: no column \"%s\"; the columns are: %s",
               csv->path, field, names);
    return -1;
}

/* strtod() follows LC_NUMERIC, which a host program (or a notebook) may have
 * set to a locale with a decimal comma; CSV numbers always use '.'. */
static int parse_double(const char *s, size_t len, double *out)
{
    const char *dp = localeconv()->decimal_point;
    char buf[160], *end;
    size_t dpl = strlen(dp), k = 0;
    double v;
    if (len == 0 || len + dpl >= sizeof buf || strspn(s, "0123456789+-.eE") < len)
        return -1; /* also refuses hex, "inf", "nan" and thousands commas */
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' && dpl) {
            memcpy(buf + k, dp, dpl);
            k += dpl;
        } else {
            buf[k++] = s[i];
        }
    }
    buf[k] = '\0';
    v = strtod(buf, &end);
    if (end != buf + k || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* At most about 60 bytes of s for a message, never cutting a character. */
static void excerpt(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);
    if (n < size && n <= 60) {
        memcpy(buf, s, n + 1);
        return;
    }
    n = 60 < size - 4 ? 60 : size - 4;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    memcpy(buf, s, n);
    memcpy(buf + n, "...", 4);
}

int cov__csv_double(cov_ctx *ctx, const cov_csv *csv, size_t row, size_t col,
                    double *out)
{
    const char *s, *name;
    char label[96], text[72];
    size_t len;
    COV_CHECK_ARG(ctx, ctx && csv && out && row < csv->nrows && col < csv->ncols,
                  COV_ERR_ARG);
    s = cov__csv_cell(csv, row, col);
    while (*s == ' ' || *s == '\t') s++;
    len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    if (parse_double(s, len, out) == 0) return COV_OK;
    name = cov__csv_header(csv, col);
    excerpt(name, text, sizeof text);
    if (*name) snprintf(label, sizeof label, "\"%s\"", text);
    else snprintf(label, sizeof label, "%zu", col + 1);
    excerpt(cov__csv_cell(csv, row, col), text, sizeof text);
    if (len == 0)
        return cov__error(ctx, COV_ERR_VALUE,
                          "%s line %zu column %s: empty where a number is needed",
                          csv->path, cov__csv_line(csv, row), label);
    return cov__error(ctx, COV_ERR_VALUE,
                      "%s line %zu column %s: \"%s\" is not a number",
                      csv->path, cov__csv_line(csv, row), label, text);
}
