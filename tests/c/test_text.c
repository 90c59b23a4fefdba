/* Tests of io/text.c: UTF-8 validation, decoding to UTF-8, DBF encoding
 * detection. Byte sequences come from the Unicode standard (table 3-7) and
 * from Python's codecs (python3 -c "print('札幌市'.encode('cp932'))"), not
 * from the code under test. */
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/text.h"
#include "testutil.h"

/* CP932 bytes, from Python's cp932 codec. */
#define CP932_SAPPORO "\x8E\x44\x96\x79\x8E\x73" /* 札幌市 */
#define CP932_CHUO "\x92\x86\x89\x9B\x8B\xE6"    /* 中央区 */
#define CP932_CIRCLED_1 "\x87\x40"                 /* ① (NEC row 13) */
#define CP932_TAKA "\xEE\xE0"                      /* 髙 (IBM extension) */
#define CP932_WAVE "\x81\x60"                      /* ～ U+FF5E */

static int valid(const char *s, size_t n) { return cov__utf8_valid(s, n); }
#define VALID(lit) valid(lit, sizeof lit - 1)

static void test_utf8_valid(void)
{
    CHECK(VALID(""));
    CHECK(VALID("abc"));
    CHECK(VALID("\xC2\x80"));             /* U+0080, smallest 2-byte */
    CHECK(VALID("\xDF\xBF"));             /* U+07FF */
    CHECK(VALID("\xE0\xA0\x80"));         /* U+0800, smallest 3-byte */
    CHECK(VALID("\xED\x9F\xBF"));         /* U+D7FF, just below surrogates */
    CHECK(VALID("\xEE\x80\x80"));         /* U+E000, just above */
    CHECK(VALID("\xEF\xBF\xBF"));         /* U+FFFF */
    CHECK(VALID("\xF0\x90\x80\x80"));     /* U+10000, smallest 4-byte */
    CHECK(VALID("\xF4\x8F\xBF\xBF"));     /* U+10FFFF, the last code point */
    CHECK(VALID("札幌市"));
    CHECK(VALID("a\0b"));                 /* U+0000 is well-formed */
    CHECK(VALID("\xEF\xBB\xBF" "abc"));   /* BOM is a character */

    CHECK(!VALID("\xC0\x80"));            /* overlong NUL */
    CHECK(!VALID("\xC1\xBF"));            /* overlong U+007F */
    CHECK(!VALID("\xE0\x80\xAF"));        /* overlong '/' */
    CHECK(!VALID("\xE0\x9F\xBF"));        /* overlong U+07FF */
    CHECK(!VALID("\xF0\x8F\xBF\xBF"));    /* overlong U+FFFF */
    CHECK(!VALID("\xED\xA0\x80"));        /* U+D800 surrogate */
    CHECK(!VALID("\xED\xBF\xBF"));        /* U+DFFF surrogate */
    CHECK(!VALID("\xF4\x90\x80\x80"));    /* U+110000 */
    CHECK(!VALID("\xF5\x80\x80\x80"));    /* lead beyond U+10FFFF */
    CHECK(!VALID("\xFE"));
    CHECK(!VALID("\xFF"));
    CHECK(!VALID("\x80"));                /* lone continuation */
    CHECK(!VALID("a\xBF" "b"));
    CHECK(!VALID("\xC2"));                /* truncated 2-byte */
    CHECK(!VALID("\xE6\x9C"));            /* 札 cut after 2 of 3 bytes */
    CHECK(!VALID("\xE6\x9C\xAD\xE5"));    /* 札 then a cut lead */
    CHECK(!VALID("\xF0\x90\x80"));        /* truncated 4-byte */
    CHECK(!VALID("\xC2\x41"));            /* bad continuation */
    CHECK(!VALID(CP932_SAPPORO));         /* Shift_JIS is not UTF-8 */
    CHECK(!valid("\xC2\x80", 1));         /* n is honoured */
    CHECK(valid(NULL, 0));
    CHECK(!valid(NULL, 1));
}

/* Decodes a literal, or NULL; the caller frees. */
static char *dec(cov_ctx *ctx, const char *lit, size_t n, const char *enc)
{
    return cov__to_utf8(ctx, lit, n, enc, "test.dbf record 3 field NAME");
}
#define DEC(ctx, lit, enc) dec(ctx, lit, sizeof lit - 1, enc)

static void check_decodes(cov_ctx *ctx, const char *in, size_t n,
                          const char *enc, const char *want)
{
    char *out = dec(ctx, in, n, enc);
    CHECK_STR(out, want);
    free(out);
}
#define CHECK_DEC(ctx, lit, enc, want) check_decodes(ctx, lit, sizeof lit - 1, enc, want)

static void check_fails(cov_ctx *ctx, const char *in, size_t n, const char *enc,
                        int status, const char *sub)
{
    char *out;
    cov_clear_error(ctx);
    out = dec(ctx, in, n, enc);
    CHECK(out == NULL);
    CHECK(cov_last_error(ctx) == status);
    CHECK_CONTAINS(cov_last_message(ctx), sub);
    free(out);
}
#define CHECK_FAILS(ctx, lit, enc, status, sub) \
    check_fails(ctx, lit, sizeof lit - 1, enc, status, sub)

static void test_to_utf8(cov_ctx *ctx)
{
    CHECK_DEC(ctx, CP932_SAPPORO, "CP932", "札幌市");
    CHECK_DEC(ctx, CP932_CHUO, "CP932", "中央区");
    CHECK_DEC(ctx, "01101 " CP932_SAPPORO CP932_CHUO, "CP932", "01101 札幌市中央区");
    CHECK_DEC(ctx, CP932_CIRCLED_1 CP932_TAKA CP932_WAVE, "CP932", "①髙～");
    CHECK_DEC(ctx, "C:\\x~", "CP932", "C:\\x~"); /* CP932 keeps 0x5C a backslash */
    CHECK_DEC(ctx, "caf\xE9 \x80", "CP1252", "café €");
    CHECK_DEC(ctx, "\xE9", "ISO-8859-1", "é");
    CHECK_DEC(ctx, "札幌市", "UTF-8", "札幌市");
    CHECK_DEC(ctx, "札幌市", NULL, "札幌市");
    CHECK_DEC(ctx, "札幌市", "utf8", "札幌市");
    CHECK_DEC(ctx, "\xEF\xBB\xBF" "code", "UTF-8", "code"); /* BOM removed */
    CHECK_DEC(ctx, "\xEF\xBB\xBF", NULL, "");
    CHECK_DEC(ctx, "", "CP932", "");
    CHECK_DEC(ctx, "", NULL, "");
    CHECK_DEC(ctx, "\x1B$B;%KZ;T\x1B(B", "ISO-2022-JP", "札幌市"); /* stateful */
    /* glibc's CP1258 holds the last letter back in case a combining accent
     * follows; only the final flush emits it. */
    CHECK_DEC(ctx, "abc", "CP1258", "abc");

    CHECK_FAILS(ctx, "ab\x85\x40", "CP932", COV_ERR_ENCODING, "byte 3 (0x85 0x40)");
    CHECK_FAILS(ctx, "ab\x85\x40", "CP932", COV_ERR_ENCODING,
                "test.dbf record 3 field NAME");
    CHECK_FAILS(ctx, "ab\x81", "CP932", COV_ERR_ENCODING, "multibyte");
    CHECK_FAILS(ctx, CP932_SAPPORO, "UTF-8", COV_ERR_ENCODING, "invalid UTF-8 at byte 1");
    CHECK_FAILS(ctx, "ok\xED\xA0\x80", NULL, COV_ERR_ENCODING, "byte 3");
    CHECK_FAILS(ctx, "abc", "NO-SUCH-ENCODING", COV_ERR_ENCODING, "NO-SUCH-ENCODING");
    CHECK_FAILS(ctx, "abc", "", COV_ERR_ENCODING, "not known");
    CHECK_FAILS(ctx, "a\0b", NULL, COV_ERR_ENCODING, "NUL");
    CHECK_FAILS(ctx, "a\0b", "CP932", COV_ERR_ENCODING, "NUL");

    /* NULL input is an argument error unless empty; NULL where is allowed. */
    cov_clear_error(ctx);
    CHECK(cov__to_utf8(ctx, NULL, 3, "CP932", "x") == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    char *empty = cov__to_utf8(ctx, NULL, 0, "CP932", "x");
    CHECK_STR(empty, "");
    free(empty);
    CHECK(cov__to_utf8(NULL, "a", 1, NULL, "x") == NULL);
    cov_clear_error(ctx);
    CHECK(cov__to_utf8(ctx, "\xFF", 1, NULL, NULL) == NULL);
    CHECK_CONTAINS(cov_last_message(ctx), "text: invalid UTF-8");
}

/* ---- DBF detection --------------------------------------------------- */

static char g_path[512];
static int g_notices;
static char g_notice[1024];

static void on_message(int level, const char *message, void *userdata)
{
    (void)userdata;
    if (level != COV_MSG_NOTICE) return;
    g_notices++;
    snprintf(g_notice, sizeof g_notice, "%s", message);
}

static const char *tmp(const char *name)
{
    return cov_test_tmp(g_path, sizeof g_path, name);
}

/* Writes base.dbf with a 'C' field and an 'N' field; codepage goes to
 * DBFCreateEx ("LDID/19" sets byte 29, "LDID/0" leaves it 0). */
static int make_dbf(const char *base, const char *codepage,
                    const char *const *values, int n)
{
    char path[512];
    DBFHandle h;
    snprintf(path, sizeof path, "%s.dbf", base);
    if (!(h = DBFCreateEx(path, codepage))) return -1;
    DBFAddField(h, "NAME", FTString, 40, 0);
    DBFAddField(h, "POP", FTInteger, 8, 0);
    for (int i = 0; i < n; i++) {
        DBFWriteStringAttribute(h, i, 0, values[i]);
        DBFWriteIntegerAttribute(h, i, 1, 1000 + i);
    }
    DBFClose(h);
    return 0;
}

static void set_ldid_byte(const char *dbf_path, unsigned char ldid)
{
    FILE *f = fopen(dbf_path, "r+b");
    if (!f) return;
    fseek(f, 29, SEEK_SET); /* dBase header: language driver id */
    fputc(ldid, f);
    fclose(f);
}

/* Opens dbf_path and detects its encoding. */
static int detect(cov_ctx *ctx, const char *dbf_path, cov_dbf_encoding *enc)
{
    DBFHandle h = DBFOpen(dbf_path, "rb");
    int rc;
    memset(enc, 0, sizeof *enc);
    if (!h) return -1;
    rc = cov__dbf_detect_encoding(ctx, dbf_path, h, enc);
    DBFClose(h);
    return rc;
}

static const char *const cp932_values[] = {CP932_SAPPORO, CP932_CHUO, "abc"};
static const char *const utf8_values[] = {"札幌市", "中央区", "abc"};
static const char *const ascii_values[] = {"Sapporo", "Chuo", ""};

/* A DBF without .cpg and LDID whose .cpg then says cpg_text, written under
 * the extension ext ("cpg", "CPG", "Cpg"). */
static void check_cpg(cov_ctx *ctx, const char *name, const char *ext,
                      const char *cpg_text, const char *want)
{
    char base[512], dbf[600], cpg[600];
    cov_dbf_encoding enc;
    snprintf(base, sizeof base, "%s", tmp(name));
    snprintf(dbf, sizeof dbf, "%s.dbf", base);
    snprintf(cpg, sizeof cpg, "%s.%s", base, ext);
    CHECK(make_dbf(base, "LDID/19", cp932_values, 3) == 0); /* .cpg must win */
    CHECK(cov_test_write_file(cpg, cpg_text) == 0);
    cov_clear_error(ctx);
    CHECK(detect(ctx, dbf, &enc) == COV_OK);
    CHECK_STR(enc.iconv_name, want);
    CHECK_STR(enc.source, "cpg");
    remove(cpg);
    remove(dbf);
}

static void test_cpg(cov_ctx *ctx)
{
    check_cpg(ctx, "t_cpg1", "cpg", "UTF-8", "UTF-8");
    check_cpg(ctx, "t_cpg2", "cpg", "UTF8\n", "UTF-8");
    check_cpg(ctx, "t_cpg3", "CPG", "65001", "UTF-8");
    check_cpg(ctx, "t_cpg4", "Cpg", "932\r\n", "CP932");
    check_cpg(ctx, "t_cpg5", "cPg", "CP932", "CP932");
    check_cpg(ctx, "t_cpg6", "cpg", "SJIS", "CP932");
    check_cpg(ctx, "t_cpg7", "cpg", "Shift_JIS", "CP932");
    check_cpg(ctx, "t_cpg8", "cpg", "  ANSI 1252 \n", "CP1252");
    check_cpg(ctx, "t_cpg9", "cpg", "1252", "CP1252");
    check_cpg(ctx, "t_cpg10", "cpg", "88591", "ISO-8859-1");
    check_cpg(ctx, "t_cpg11", "cpg", "ISO-8859-1", "ISO-8859-1");
    check_cpg(ctx, "t_cpg12", "cpg", "\xEF\xBB\xBFUTF-8\r\n", "UTF-8");
    check_cpg(ctx, "t_cpg13", "cpg", "8859-15", "ISO-8859-15");
    check_cpg(ctx, "t_cpg14", "cpg", "EUC-JP", "EUC-JP");

    /* A .cpg naming an encoding iconv lacks is an error naming the file. */
    char dbf[600], cpg[600];
    cov_dbf_encoding enc;
    snprintf(dbf, sizeof dbf, "%s.dbf", tmp("t_cpgbad"));
    snprintf(cpg, sizeof cpg, "%s.cpg", tmp("t_cpgbad"));
    make_dbf(tmp("t_cpgbad"), "LDID/0", ascii_values, 3);
    cov_test_write_file(cpg, "KLINGON-1\n");
    cov_clear_error(ctx);
    CHECK(detect(ctx, dbf, &enc) == COV_ERR_ENCODING);
    CHECK_CONTAINS(cov_last_message(ctx), "KLINGON-1");
    CHECK_CONTAINS(cov_last_message(ctx), "t_cpgbad.cpg");

    /* An empty .cpg says nothing: the LDID decides. */
    cov_test_write_file(cpg, " \n");
    set_ldid_byte(dbf, 0x13);
    CHECK(detect(ctx, dbf, &enc) == COV_OK);
    CHECK_STR(enc.iconv_name, "CP932");
    CHECK_STR(enc.source, "ldid");
    remove(cpg);
    remove(dbf);

    /* An upper-case .DBF finds its .cpg too. */
    char lower[600];
    snprintf(lower, sizeof lower, "%s.dbf", tmp("t_upper"));
    snprintf(dbf, sizeof dbf, "%s.DBF", tmp("t_upper"));
    snprintf(cpg, sizeof cpg, "%s.CPG", tmp("t_upper"));
    make_dbf(tmp("t_upper"), "LDID/0", utf8_values, 3);
    CHECK(rename(lower, dbf) == 0);
    cov_test_write_file(cpg, "UTF-8");
    CHECK(detect(ctx, dbf, &enc) == COV_OK);
    CHECK_STR(enc.source, "cpg");
    remove(cpg);
    remove(dbf);
}

static void check_ldid(cov_ctx *ctx, const char *codepage, int patch,
                       const char *want)
{
    char dbf[600];
    cov_dbf_encoding enc;
    snprintf(dbf, sizeof dbf, "%s.dbf", tmp("t_ldid"));
    CHECK(make_dbf(tmp("t_ldid"), codepage, utf8_values, 3) == 0);
    if (patch >= 0) set_ldid_byte(dbf, (unsigned char)patch);
    CHECK(detect(ctx, dbf, &enc) == COV_OK);
    CHECK_STR(enc.iconv_name, want);
    CHECK_STR(enc.source, "ldid");
    remove(dbf);
}

/* LDID 0x57 (what shapelib's DBFCreate writes by default) says nothing:
 * the content decides (here UTF-8 text). */
static void test_ldid_ansi(cov_ctx *ctx)
{
    char dbf[600];
    cov_dbf_encoding enc;
    snprintf(dbf, sizeof dbf, "%s.dbf", tmp("t_ansi"));
    CHECK(make_dbf(tmp("t_ansi"), "LDID/87", utf8_values, 3) == 0);
    CHECK(detect(ctx, dbf, &enc) == COV_OK);
    CHECK_STR(enc.iconv_name, "UTF-8");
    CHECK_STR(enc.source, "utf8-scan");
    remove(dbf);
}

static void test_ldid(cov_ctx *ctx)
{
    test_ldid_ansi(ctx);
    /* The LDID wins over the content (here UTF-8 text). */
    check_ldid(ctx, "LDID/19", -1, "CP932");  /* 0x13 Japanese Shift-JIS */
    check_ldid(ctx, "LDID/123", -1, "CP932"); /* 0x7B Japanese Shift-JIS */
    check_ldid(ctx, "LDID/0", 0x7B, "CP932"); /* byte 29 patched by hand */
    check_ldid(ctx, "LDID/0", 0x4D, "CP936"); /* 77: Chinese GBK */
    check_ldid(ctx, "LDID/0", 0xC9, "CP1251"); /* 201: Russian Windows */
    check_ldid(ctx, "LDID/0", 0x03, "CP1252"); /* 3: Windows ANSI */
    check_ldid(ctx, "LDID/0", 0x01, "CP437");  /* 1: US MS-DOS */
}

static void check_scan(cov_ctx *ctx, int ldid, const char *const *values,
                       int n, const char *want, const char *source)
{
    char dbf[600];
    cov_dbf_encoding enc;
    snprintf(dbf, sizeof dbf, "%s.dbf", tmp("t_scan"));
    CHECK(make_dbf(tmp("t_scan"), "LDID/0", values, n) == 0);
    if (ldid) set_ldid_byte(dbf, (unsigned char)ldid);
    g_notices = 0;
    CHECK(detect(ctx, dbf, &enc) == COV_OK);
    CHECK_STR(enc.iconv_name, want);
    CHECK_STR(enc.source, source);
    if (strcmp(source, "cp932-fallback") == 0) {
        CHECK(g_notices == 1); /* the user is told the guess */
        CHECK_CONTAINS(g_notice, "t_scan.dbf");
    } else {
        CHECK(g_notices == 0);
    }
    remove(dbf);
}

static void test_scan(cov_ctx *ctx)
{
    check_scan(ctx, 0, utf8_values, 3, "UTF-8", "utf8-scan");
    check_scan(ctx, 0, cp932_values, 3, "CP932", "cp932-fallback");
    check_scan(ctx, 0, ascii_values, 3, "UTF-8", "utf8-scan");
    check_scan(ctx, 0, NULL, 0, "UTF-8", "utf8-scan"); /* no records */
    /* One CP932 value after UTF-8-looking ones decides. */
    static const char *const mixed[] = {"abc", "札幌市", CP932_CHUO};
    check_scan(ctx, 0, mixed, 3, "CP932", "cp932-fallback");
    /* 104 (Kamenicky, CP895) is an LDID glibc cannot decode: scan instead. */
    check_scan(ctx, 104, utf8_values, 3, "UTF-8", "utf8-scan");
}

static void test_detect_args(cov_ctx *ctx)
{
    cov_dbf_encoding enc;
    char dbf[600];
    DBFHandle h;
    snprintf(dbf, sizeof dbf, "%s.dbf", tmp("t_args"));
    make_dbf(tmp("t_args"), "LDID/0", ascii_values, 3);
    h = DBFOpen(dbf, "rb");
    cov_clear_error(ctx);
    CHECK(cov__dbf_detect_encoding(ctx, NULL, h, &enc) == COV_ERR_ARG);
    CHECK(cov__dbf_detect_encoding(ctx, dbf, NULL, &enc) == COV_ERR_ARG);
    CHECK(cov__dbf_detect_encoding(ctx, dbf, h, NULL) == COV_ERR_ARG);
    CHECK(cov__dbf_detect_encoding(NULL, dbf, h, &enc) == COV_ERR_ARG);
    CHECK(cov_last_error(ctx) == COV_ERR_ARG);
    DBFClose(h);
    remove(dbf);
}

/* The real N03 file: CP932, no .cpg, LDID 0. */
static void test_real_n03(cov_ctx *ctx)
{
    const char *data = cov_test_shared_data();
    char path[1024];
    cov_dbf_encoding enc;
    DBFHandle h;
    if (!data) {
        printf("test_text: shared data absent, skipping the N03 file check\n");
        return;
    }
    snprintf(path, sizeof path,
             "%s/hokkaido_n03_shapefile_cp932/N03-22_01_220101.dbf", data);
    if (!(h = DBFOpen(path, "rb"))) {
        printf("test_text: %s absent, skipping the N03 file check\n", path);
        return;
    }
    CHECK(cov__dbf_detect_encoding(ctx, path, h, &enc) == COV_OK);
    CHECK_STR(enc.iconv_name, "CP932");
    CHECK_STR(enc.source, "cp932-fallback");

    int f3 = DBFGetFieldIndex(h, "N03_003"), f4 = DBFGetFieldIndex(h, "N03_004");
    int f7 = DBFGetFieldIndex(h, "N03_007"), f1 = DBFGetFieldIndex(h, "N03_001");
    int n = DBFGetRecordCount(h), rec = -1, bad = 0;
    CHECK(f1 >= 0 && f3 >= 0 && f4 >= 0 && f7 >= 0);
    for (int r = 0; r < n && rec < 0; r++) {
        const char *code = DBFReadStringAttribute(h, r, f7);
        if (code && strcmp(code, "01101") == 0) rec = r;
    }
    CHECK(rec >= 0);
    if (rec >= 0) {
        /* Copy before the next read: shapelib reuses its buffer. */
        const char *raw = DBFReadStringAttribute(h, rec, f4);
        char *ward = cov__to_utf8(ctx, raw, strlen(raw), enc.iconv_name, "N03_004");
        raw = DBFReadStringAttribute(h, rec, f3);
        char *city = cov__to_utf8(ctx, raw, strlen(raw), enc.iconv_name, "N03_003");
        CHECK_STR(ward, "中央区");
        CHECK_STR(city, "札幌市");
        free(ward);
        free(city);
    }
    /* Every record is in Hokkaido, and every text value decodes. */
    for (int r = 0; r < n; r++) {
        const char *raw = DBFReadStringAttribute(h, r, f1);
        if (!raw) {
            bad++;
            continue;
        }
        char *pref = cov__to_utf8(ctx, raw, strlen(raw), enc.iconv_name, "N03_001");
        bad += !pref || strcmp(pref, "北海道") != 0;
        free(pref);
        for (int f = 0; f < DBFGetFieldCount(h); f++) {
            raw = DBFReadStringAttribute(h, r, f);
            char *v = raw ? cov__to_utf8(ctx, raw, strlen(raw), enc.iconv_name,
                                         "field")
                          : NULL;
            bad += v == NULL;
            free(v);
        }
    }
    CHECK(n == 9581); /* SOURCE.md: 9,581 polygon records */
    CHECK(bad == 0);
    DBFClose(h);
}

int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    if (!ctx) return 1;
    cov_ctx_set_message_handler(ctx, on_message, NULL);
    test_utf8_valid();
    test_to_utf8(ctx);
    test_cpg(ctx);
    test_ldid(ctx);
    test_scan(ctx);
    test_detect_args(ctx);
    test_real_n03(ctx);
    cov_ctx_destroy(ctx);
    TEST_END();
}
