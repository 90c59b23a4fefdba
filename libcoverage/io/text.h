/* Internal: text decoding (UTF-8 validation, CP932 and others to UTF-8) and
 * DBF encoding detection. */
#ifndef COV_IO_TEXT_H
#define COV_IO_TEXT_H

#include <shapefil.h>
#include <stddef.h>

#include "core/internal.h"

/* Non-zero when the n bytes are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). */
int cov__utf8_valid(const char *s, size_t n);

/* Converts n bytes from the iconv encoding `encoding` (NULL or "UTF-8":
 * validate and copy) to a new NUL-terminated UTF-8 string, which the caller
 * frees with free(). Returns NULL with COV_ERR_ENCODING in ctx, naming
 * `where` (e.g. "regions.dbf record 12 field N03_004"), when the bytes are
 * not valid in that encoding. A UTF-8 BOM at the start is removed. */
char *cov__to_utf8(cov_ctx *ctx, const char *s, size_t n, const char *encoding,
                   const char *where);

/* How a DBF's text is encoded and how that was decided. */
typedef struct cov_dbf_encoding {
    char iconv_name[32]; /* "UTF-8", "CP932", "CP1252", ... */
    const char *source;  /* "cpg", "ldid", "utf8-scan" or "cp932-fallback" */
} cov_dbf_encoding;

/* Checks that the file holds the records its header declares (header
 * length + records x record length <= file size); shapelib trusts the
 * header, so a damaged count would make every reader loop over records
 * that are not there. COV_OK, or COV_ERR_FORMAT naming the file and both
 * sizes. cov__dbf_detect_encoding() calls it first. */
int cov__dbf_check_size(cov_ctx *ctx, const char *dbf_path, DBFHandle dbf);

/* Decides the encoding of an open DBF: the .cpg beside dbf_path when present
 * (any case of the extension), else the LDID byte, else UTF-8 when every
 * character field of every record is valid UTF-8, else CP932. Returns COV_OK
 * or an error in ctx (e.g. a .cpg naming an encoding iconv lacks). */
int cov__dbf_detect_encoding(cov_ctx *ctx, const char *dbf_path, DBFHandle dbf,
                             cov_dbf_encoding *out);

#endif /* COV_IO_TEXT_H */
