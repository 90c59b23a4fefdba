/* Tests of io/csv.c. Expected cells are written by hand from RFC 4180's
 * rules; CP932 bytes come from Python's codec
 * (python3 -c "print('中央区'.encode('cp932'))"). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "testutil.h"

#define CP932_CHUO "\x92\x86\x89\x9B\x8B\xE6"  /* 中央区 */
#define CP932_SAPPORO "\x8E\x44\x96\x79\x8E\x73" /* 札幌市 */
#define CP932_NAMAE "\x96\xBC\x91\x4F"           /* 名前 */

static char g_path[512];

static const char *tmp(const char *name)
{
    return cov_test_tmp(g_path, sizeof g_path, name);
}

/* Writes n bytes (NULs allowed) to path. */
static void write_bytes(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(bytes, 1, n, f);
    fclose(f);
}

/* Writes the literal to a temporary file named name and reads it. */
static cov_csv *load_n(cov_ctx *ctx, const char *name, const char *bytes,
                       size_t n, int has_header)
{
    write_bytes(tmp(name), bytes, n);
    cov_clear_error(ctx);
    return cov__csv_read(ctx, tmp(name), has_header);
}
#define LOAD(ctx, name, lit, hdr) load_n(ctx, name, lit, sizeof lit - 1, hdr)

/* Reading fails with status and a message containing each of subs. */
static void check_fails(cov_ctx *ctx, const char *name, const char *bytes,
                        size_t n, int status, const char *sub1, const char *sub2)
{
    cov_csv *csv = load_n(ctx, name, bytes, n, 1);
    CHECK(csv == NULL);
    CHECK(cov_last_error(ctx) == status);
    CHECK_CONTAINS(cov_last_message(ctx), name); /* names the file */
    CHECK_CONTAINS(cov_last_message(ctx), sub1);
    CHECK_CONTAINS(cov_last_message(ctx), sub2);
    cov__csv_destroy(csv);
    remove(tmp(name));
}
#define CHECK_FAILS(ctx, name, lit, status, s1, s2) \
    check_fails(ctx, name, lit, sizeof lit - 1, status, s1, s2)

static void test_basic(cov_ctx *ctx)
{
    cov_csv *csv = LOAD(ctx, "c_basic.csv",
                        "code, name ,pop\n01101,中央区,248680\n01102,北区,285321\n", 1);
    CHECK(csv != NULL);
    if (!csv) return;
    CHECK(cov__csv_nrows(csv) == 2);
    CHECK(cov__csv_ncols(csv) == 3);
    CHECK_STR(cov__csv_header(csv, 1), "name"); /* trimmed */
    CHECK_STR(cov__csv_cell(csv, 0, 0), "01101"); /* leading zero kept */
    CHECK_STR(cov__csv_cell(csv, 0, 1), "中央区");
    CHECK_STR(cov__csv_cell(csv, 1, 2), "285321");
    CHECK(cov__csv_line(csv, 0) == 2);
    CHECK(cov__csv_line(csv, 1) == 3);
    CHECK_CONTAINS(cov__csv_path(csv), "c_basic.csv");
    CHECK(cov__is_input(ctx, tmp("c_basic.csv")));
    /* Out of range: "" and 0, never NULL. */
    CHECK_STR(cov__csv_cell(csv, 2, 0), "");
    CHECK_STR(cov__csv_cell(csv, 0, 3), "");
    CHECK_STR(cov__csv_header(csv, 3), "");
    CHECK(cov__csv_line(csv, 2) == 0);

    CHECK(cov__csv_column(ctx, csv, "name") == 1);
    CHECK(cov__csv_column(ctx, csv, "POP") == 2); /* case-insensitive */
    cov_clear_error(ctx);
    CHECK(cov__csv_column(ctx, csv, "population") == -1);
    CHECK(cov_last_error(ctx) == COV_ERR_FIELD);
    CHECK_CONTAINS(cov_last_message(ctx), "c_basic.csv");
    CHECK_CONTAINS(cov_last_message(ctx), "\"population\"");
    CHECK_CONTAINS(cov_last_message(ctx), "code, name, pop");

    double v = 0;
    CHECK(cov__csv_double(ctx, csv, 1, 2, &v) == COV_OK);
    CHECK_NEAR(v, 285321.0, 0.0);
    cov_clear_error(ctx);
    CHECK(cov__csv_double(ctx, csv, 0, 1, &v) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "c_basic.csv line 2 column \"name\"");
    CHECK_CONTAINS(cov_last_message(ctx), "\"中央区\" is not a number");
    cov__csv_destroy(csv);
    remove(tmp("c_basic.csv"));
}

static void test_exact_before_case(cov_ctx *ctx)
{
    cov_csv *csv = LOAD(ctx, "c_case.csv", "Name,name\na,b\n", 1);
    CHECK(csv != NULL);
    CHECK(cov__csv_column(ctx, csv, "name") == 1);
    CHECK(cov__csv_column(ctx, csv, "Name") == 0);
    CHECK(cov__csv_column(ctx, csv, "NAME") == 0); /* first case-insensitive */
    cov__csv_destroy(csv);
    remove(tmp("c_case.csv"));
}

static void test_quoting(cov_ctx *ctx)
{
    /* Line 2: a row whose second field runs over lines 2-4; line 5 blank;
     * line 6 the next row; quoted empty and quoted comma. */
    cov_csv *csv = LOAD(ctx, "c_quote.csv",
                        "id,text,note\n"
                        "1,\"first\nsecond, with comma\nthird \"\"quoted\"\"\",x\n"
                        "\n"
                        "2,\"\",\"a,b\"\n"
                        "3,say \"hi\",\"q\" \n",
                        1);
    CHECK(csv != NULL);
    if (!csv) return;
    CHECK(cov__csv_nrows(csv) == 3);
    CHECK_STR(cov__csv_cell(csv, 0, 1), "first\nsecond, with comma\nthird \"quoted\"");
    CHECK_STR(cov__csv_cell(csv, 0, 2), "x");
    CHECK(cov__csv_line(csv, 0) == 2);
    CHECK_STR(cov__csv_cell(csv, 1, 1), "");
    CHECK_STR(cov__csv_cell(csv, 1, 2), "a,b");
    CHECK(cov__csv_line(csv, 1) == 6);
    CHECK_STR(cov__csv_cell(csv, 2, 1), "say \"hi\""); /* bare quote kept */
    CHECK_STR(cov__csv_cell(csv, 2, 2), "q");           /* space after quote */
    CHECK(cov__csv_line(csv, 2) == 7);
    cov__csv_destroy(csv);
    remove(tmp("c_quote.csv"));
}

static void test_bom_crlf(cov_ctx *ctx)
{
    cov_csv *csv = LOAD(ctx, "c_crlf.csv",
                        "\xEF\xBB\xBF" "code,name\r\n\r\n01101,\"a\r\nb\"\r\n01102,x,\r\n"
                        "01103,y",
                        0);
    CHECK(csv == NULL); /* 01102 row has 3 fields */
    CHECK(cov_last_error(ctx) == COV_ERR_FORMAT);
    CHECK_CONTAINS(cov_last_message(ctx), "line 5: 3 field(s) where the first row has 2");

    csv = LOAD(ctx, "c_crlf.csv",
               "\xEF\xBB\xBF" "code,name\r\n\r\n01101,\"a\r\nb\"\r\n01102,x\r\n01103,",
               1);
    CHECK(csv != NULL);
    if (!csv) return;
    CHECK_STR(cov__csv_header(csv, 0), "code"); /* no BOM in the name */
    CHECK(cov__csv_column(ctx, csv, "code") == 0);
    CHECK(cov__csv_nrows(csv) == 3);
    CHECK_STR(cov__csv_cell(csv, 0, 1), "a\r\nb"); /* kept as written */
    CHECK_STR(cov__csv_cell(csv, 1, 1), "x");      /* no stray \r */
    CHECK_STR(cov__csv_cell(csv, 2, 1), "");       /* last cell, no EOL */
    CHECK(cov__csv_line(csv, 0) == 3);
    CHECK(cov__csv_line(csv, 1) == 5);
    CHECK(cov__csv_line(csv, 2) == 6);
    cov__csv_destroy(csv);

    /* Old Mac line ends: a lone CR. */
    csv = LOAD(ctx, "c_cr.csv", "a,b\r1,2\r3,4", 1);
    CHECK(csv != NULL);
    CHECK(cov__csv_nrows(csv) == 2);
    CHECK_STR(cov__csv_cell(csv, 1, 1), "4");
    CHECK(cov__csv_line(csv, 1) == 3);
    cov__csv_destroy(csv);
    remove(tmp("c_crlf.csv"));
    remove(tmp("c_cr.csv"));
}

static void test_cp932(cov_ctx *ctx)
{
    cov_csv *csv = LOAD(ctx, "c_sjis.csv",
                        "code," CP932_NAMAE "\r\n01101," CP932_SAPPORO CP932_CHUO "\r\n"
                        "01102,\"" CP932_CHUO ",\"\r\n",
                        1);
    CHECK(csv != NULL);
    if (!csv) return;
    CHECK_STR(cov__csv_header(csv, 1), "名前");
    CHECK(cov__csv_column(ctx, csv, "名前") == 1);
    CHECK_STR(cov__csv_cell(csv, 0, 1), "札幌市中央区");
    CHECK_STR(cov__csv_cell(csv, 1, 1), "中央区,");
    cov__csv_destroy(csv);
    remove(tmp("c_sjis.csv"));
}

static void test_errors(cov_ctx *ctx)
{
    CHECK_FAILS(ctx, "c_ragged.csv", "a,b\n1,2\n\n3\n", COV_ERR_FORMAT,
                "c_ragged.csv line 4", "1 field(s) where the header has 2");
    CHECK_FAILS(ctx, "c_wide.csv", "a,b\n1,2,3\n", COV_ERR_FORMAT, "line 2",
                "must be quoted");
    /* The ragged row starts on line 2 even though its quote spans 2-3. */
    CHECK_FAILS(ctx, "c_ragq.csv", "a,b\n\"x\ny\"\n", COV_ERR_FORMAT, "line 2:",
                "1 field(s)");
    CHECK_FAILS(ctx, "c_open.csv", "a,b\n1,2\n3,\"never\nclosed\n", COV_ERR_FORMAT,
                "line 3 column 2", "never closed");
    CHECK_FAILS(ctx, "c_after.csv", "a,b\n1,\"x\"y\n", COV_ERR_FORMAT,
                "line 2 column 2", "closing quote");
    CHECK_FAILS(ctx, "c_tsv.tsv", "code\tname\n01101\tx\n", COV_ERR_FORMAT,
                "line 1", "tab-separated");
    CHECK_FAILS(ctx, "c_empty.csv", "", COV_ERR_EMPTY, "empty", "no header");
    CHECK_FAILS(ctx, "c_blank.csv", "\n\r\n\n", COV_ERR_EMPTY, "empty", "");
    /* Neither UTF-8 nor CP932 (0x85 0x40 is unassigned in CP932). */
    CHECK_FAILS(ctx, "c_bad.csv", "a,b\n1,2\n3,\x85\x40\n", COV_ERR_ENCODING,
                "c_bad.csv line 3", "CP932");
    /* A UTF-8 BOM means UTF-8: no CP932 guess, the bad line is named. */
    CHECK_FAILS(ctx, "c_bombad.csv", "\xEF\xBB\xBF" "a,b\n1,\xE6\x9C\n", COV_ERR_ENCODING,
                "c_bombad.csv line 2", "BOM");
    check_fails(ctx, "c_nul.csv", "a,b\n1,2\n3,\0\n", 12, COV_ERR_ENCODING,
                "line 3", "NUL");
    check_fails(ctx, "c_utf16.csv", "\xFF\xFE" "a\0,\0b\0", 8, COV_ERR_ENCODING,
                "line 1", "UTF-16");

    cov_clear_error(ctx);
    CHECK(cov__csv_read(ctx, tmp("c_missing.csv"), 1) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "c_missing.csv");
    cov_clear_error(ctx);
    CHECK(cov__csv_read(ctx, "/", 1) == NULL); /* a folder */
    CHECK(cov_last_error(ctx) == COV_ERR_IO);

    /* A header without data is a table of 0 rows. */
    cov_csv *csv = LOAD(ctx, "c_hdr.csv", "a,b\n", 1);
    CHECK(csv != NULL);
    CHECK(cov__csv_nrows(csv) == 0 && cov__csv_ncols(csv) == 2);
    cov__csv_destroy(csv);
    remove(tmp("c_hdr.csv"));
}

static void test_no_header(cov_ctx *ctx)
{
    cov_csv *csv = LOAD(ctx, "c_nohdr.csv", "5339452212,120\n5339452213,0\n", 0);
    CHECK(csv != NULL);
    if (!csv) return;
    CHECK(cov__csv_nrows(csv) == 2);
    CHECK_STR(cov__csv_header(csv, 0), "");
    CHECK(cov__csv_line(csv, 0) == 1);
    CHECK(cov__csv_column(ctx, csv, "2") == 1);
    CHECK(cov__csv_column(ctx, csv, "1") == 0);
    const char *bad[] = {"0", "3", "x", "", "-1", "+1", "1x", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cov_clear_error(ctx);
        CHECK(cov__csv_column(ctx, csv, bad[i]) == -1);
        CHECK(cov_last_error(ctx) == COV_ERR_FIELD);
    }
    CHECK_CONTAINS(cov_last_message(ctx), "numbered 1 to 2");
    double v;
    cov_clear_error(ctx);
    CHECK(cov__csv_double(ctx, csv, 0, 0, &v) == COV_OK);
    CHECK_NEAR(v, 5339452212.0, 0.0);
    cov__csv_destroy(csv);
    remove(tmp("c_nohdr.csv"));
}

static void test_double(cov_ctx *ctx)
{
    cov_csv *csv = LOAD(ctx, "c_num.csv",
                        "v\n  12.5 \n1e3\n-0.25\n.5\n\n   \nabc\n\"1,234\"\nnan\ninf\n"
                        "1e999\n0x10\n12 3\n1.5.2\n",
                        1);
    CHECK(csv != NULL);
    if (!csv) return;
    double v = 0;
    CHECK(cov__csv_double(ctx, csv, 0, 0, &v) == COV_OK);
    CHECK_NEAR(v, 12.5, 0.0);
    CHECK(cov__csv_double(ctx, csv, 1, 0, &v) == COV_OK);
    CHECK_NEAR(v, 1000.0, 0.0);
    CHECK(cov__csv_double(ctx, csv, 2, 0, &v) == COV_OK);
    CHECK_NEAR(v, -0.25, 0.0);
    CHECK(cov__csv_double(ctx, csv, 3, 0, &v) == COV_OK);
    CHECK_NEAR(v, 0.5, 0.0);
    /* Row 4 is "   " (the blank line before it is skipped): empty. */
    cov_clear_error(ctx);
    CHECK(cov__csv_double(ctx, csv, 4, 0, &v) == COV_ERR_VALUE);
    CHECK_CONTAINS(cov_last_message(ctx), "c_num.csv line 7 column \"v\": empty");
    for (size_t row = 5; row < cov__csv_nrows(csv); row++) {
        cov_clear_error(ctx);
        CHECK(cov__csv_double(ctx, csv, row, 0, &v) == COV_ERR_VALUE);
        CHECK_CONTAINS(cov_last_message(ctx), cov__csv_cell(csv, row, 0));
    }
    CHECK_CONTAINS(cov_last_message(ctx), "line 15"); /* 1.5.2 */
    cov_clear_error(ctx);
    CHECK(cov__csv_double(ctx, csv, 99, 0, &v) == COV_ERR_ARG);
    CHECK(cov__csv_double(ctx, csv, 0, 1, &v) == COV_ERR_ARG);
    CHECK(cov__csv_double(ctx, csv, 0, 0, NULL) == COV_ERR_ARG);
    CHECK(cov__csv_double(ctx, NULL, 0, 0, &v) == COV_ERR_ARG);

    /* A decimal-comma locale must not change how "12.5" reads. */
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
        CHECK(cov__csv_double(ctx, csv, 0, 0, &v) == COV_OK);
        CHECK_NEAR(v, 12.5, 0.0);
        setlocale(LC_NUMERIC, "C");
    } else {
        printf("test_csv: no decimal-comma locale installed, skipping that check\n");
    }
    cov__csv_destroy(csv);
    remove(tmp("c_num.csv"));
}

static void test_null_args(cov_ctx *ctx)
{
    cov_clear_error(ctx);
    CHECK(cov__csv_read(ctx, NULL, 1) == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov__csv_read(NULL, tmp("c_basic.csv"), 1) == NULL);
    CHECK(cov__csv_nrows(NULL) == 0);
    CHECK(cov__csv_ncols(NULL) == 0);
    CHECK_STR(cov__csv_path(NULL), "");
    CHECK_STR(cov__csv_header(NULL, 0), "");
    CHECK_STR(cov__csv_cell(NULL, 0, 0), "");
    CHECK(cov__csv_line(NULL, 0) == 0);
    cov_clear_error(ctx);
    CHECK(cov__csv_column(ctx, NULL, "a") == -1);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    cov__csv_destroy(NULL);

    cov_csv *csv = LOAD(ctx, "c_args.csv", "a\n1\n", 1);
    cov_clear_error(ctx);
    CHECK(cov__csv_column(ctx, csv, NULL) == -1);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    CHECK(cov__csv_column(NULL, csv, "a") == -1);
    cov__csv_destroy(csv);
    remove(tmp("c_args.csv"));
}

/* The shared municipality table: UTF-8, CRLF, 195 lines (wc -l), header
 * included; Sapporo's Chuo ward (01101) is in area 0104 札幌. */
static void test_real_file(cov_ctx *ctx)
{
    const char *data = cov_test_shared_data();
    char path[1024];
    FILE *f;
    if (!data) {
        printf("test_csv: shared data absent, skipping the real CSV check\n");
        return;
    }
    snprintf(path, sizeof path, "%s/hokkaido_municipality_2ji_iryoken.csv", data);
    if (!(f = fopen(path, "rb"))) {
        printf("test_csv: %s absent, skipping the real CSV check\n", path);
        return;
    }
    fclose(f);
    cov_csv *csv = cov__csv_read(ctx, path, 1);
    CHECK(csv != NULL);
    if (!csv) return;
    CHECK(cov__csv_nrows(csv) == 194);
    long code = cov__csv_column(ctx, csv, "muni_code");
    long area = cov__csv_column(ctx, csv, "iryoken2_code");
    long name = cov__csv_column(ctx, csv, "iryoken2_name");
    long empty = 0;
    CHECK(code == 0 && area == 2 && name == 3);
    CHECK_STR(cov__csv_cell(csv, 0, (size_t)code), "01101");
    CHECK_STR(cov__csv_cell(csv, 0, (size_t)area), "0104");
    CHECK_STR(cov__csv_cell(csv, 0, (size_t)name), "札幌");
    CHECK(cov__csv_line(csv, 193) == 195);
    for (size_t r = 0; r < cov__csv_nrows(csv); r++)
        empty += !*cov__csv_cell(csv, r, (size_t)area);
    CHECK(empty == 6); /* the Northern Territories villages */
    cov__csv_destroy(csv);
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    if (!ctx) return 1;
    test_basic(ctx);
    test_exact_before_case(ctx);
    test_quoting(ctx);
    test_bom_crlf(ctx);
    test_cp932(ctx);
    test_errors(ctx);
    test_no_header(ctx);
    test_double(ctx);
    test_null_args(ctx);
    test_real_file(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
