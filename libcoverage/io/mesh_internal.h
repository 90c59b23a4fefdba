/* Internal: JIS X 0410 mesh decoding without a context, for readers that
 * decode many codes (CSV/DBF columns) and word their own messages. */
#ifndef COV_IO_MESH_INTERNAL_H
#define COV_IO_MESH_INTERNAL_H

#include <stddef.h>

#include "libcoverage/mesh.h"

/* Decodes the len bytes at code (no NUL needed; bytes after len are not
 * read). Returns 0 and fills *out on success. On failure returns non-zero,
 * leaves *out untouched and writes a reason that does not repeat the code,
 * e.g. "digit 5 ('8') must be 0-7 in a 2nd-level code", into why (always
 * NUL-terminated when why_size > 0; why may be NULL). */
int cov__mesh_decode_n(const char *code, size_t len, cov_mesh_cell *out,
                       char *why, size_t why_size);

#endif /* COV_IO_MESH_INTERNAL_H */
