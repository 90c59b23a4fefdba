/* Fuzz target: DBF encoding detection and decoding. Input: .dbf
 * [FUZZ_SEP .cpg]. Opens the DBF with shapelib as the reader does, decides
 * its encoding (.cpg, LDID byte, UTF-8 scan, CP932 fallback) and decodes
 * every character field of every record; each decoded value must be valid
 * UTF-8 (the promise of cov__to_utf8), each failure must leave a message. */
#include "fuzz_util.h"
#include "io/text.h"

static void hook_error(const char *message) { (void)message; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part[2];
    size_t len[2], n = fuzz_split(data, size, 2, part, len);
    char dbf_path[600], cpg_path[600];
    fuzz_write(dbf_path, sizeof dbf_path, "in.dbf", part[0], len[0]);
    if (n > 1) fuzz_write(cpg_path, sizeof cpg_path, "in.cpg", part[1], len[1]);
    else fuzz_remove("in.cpg");
    SAHooks hooks;
    SASetupDefaultHooks(&hooks);
    hooks.Error = hook_error;
    DBFHandle dbf = DBFOpenLL(dbf_path, "rb", &hooks);
    if (!dbf) return 0;
    cov_ctx *ctx = cov_ctx_create();
    if (!ctx) abort();
    cov_dbf_encoding enc;
    int st = cov__dbf_detect_encoding(ctx, dbf_path, dbf, &enc);
    fuzz_report(st == COV_OK, "encoding", ctx);
    if (st == COV_OK && getenv("COV_FUZZ_VERBOSE"))
        fprintf(stderr, "  %s from %s\n", enc.iconv_name, enc.source);
    if (st == COV_OK) {
        int nf = DBFGetFieldCount(dbf), nr = DBFGetRecordCount(dbf);
        for (int r = 0; r < nr && r < 1000; r++)
            for (int f = 0; f < nf; f++) {
                if (DBFGetFieldInfo(dbf, f, NULL, NULL, NULL) != FTString) continue;
                const char *raw = DBFReadStringAttribute(dbf, r, f);
                if (!raw) continue;
                char *s = cov__to_utf8(ctx, raw, strlen(raw), enc.iconv_name, "fuzz");
                if (s && !cov__utf8_valid(s, strlen(s))) abort();
                if (!s && (cov_last_error(ctx) == COV_OK || !cov_last_message(ctx)[0]))
                    abort();
                free(s);
                cov_clear_error(ctx);
            }
    } else if (!cov_last_message(ctx)[0]) {
        abort();
    }
    DBFClose(dbf);
    cov_ctx_destroy(ctx);
    return 0;
}
