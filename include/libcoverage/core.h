/*
 * libcoverage core: contexts, status codes, messages, memory, version.
 *
 * Every function of the library takes a cov_ctx as its first argument. A
 * context owns a GEOS handle, a PROJ context, the last error (a status code
 * and a message naming the file, record and field that failed) and optional
 * message and progress handlers.
 *
 * Thread safety: the library has no mutable global state. A context, and
 * every object created with it, must be used by one thread at a time; give
 * each thread its own context. Objects made with one context must not be
 * passed to calls on another (GEOS geometries and prepared geometries cache
 * state lazily and are not safe to share). Destroying an object is safe
 * from any thread once no call uses it.
 */
#ifndef LIBCOVERAGE_CORE_H
#define LIBCOVERAGE_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "libcoverage/export.h"
#include "libcoverage/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes, grouped in bands: 1-99 generic, 100-199 input files and
 * values, 200-299 geometry and CRS, 900+ internal. The table generates both
 * the enum and the messages of cov_strerror(). */
#define COV_STATUS_MAP(XX)                                                   \
    XX(OK, 0, "success")                                                     \
    XX(ERR_NOMEM, 1, "out of memory")                                        \
    XX(ERR_ARG, 2, "invalid argument")                                       \
    XX(ERR_CANCELLED, 3, "cancelled by the progress handler")                \
    XX(ERR_IO, 100, "cannot open, read or write a file")                     \
    XX(ERR_FORMAT, 101, "malformed file")                                    \
    XX(ERR_FIELD, 102, "missing or unusable field")                          \
    XX(ERR_VALUE, 103, "invalid value in a record")                          \
    XX(ERR_ENCODING, 104, "text cannot be decoded")                          \
    XX(ERR_MESH, 105, "malformed JIS X 0410 mesh code")                      \
    XX(ERR_EMPTY, 106, "input has no usable records")                        \
    XX(ERR_DUPLICATE, 107, "duplicate identifier")                           \
    XX(ERR_CRS, 200, "unknown CRS or failed coordinate transformation")     \
    XX(ERR_GEOMETRY, 201, "invalid geometry or failed geometry operation")   \
    XX(ERR_INTERNAL, 900, "internal error")

enum cov_status {
#define COV_STATUS_ENUM_(name, value, msg) COV_##name = value,
    COV_STATUS_MAP(COV_STATUS_ENUM_)
#undef COV_STATUS_ENUM_
};

/* Message levels passed to a cov_message_handler. */
enum cov_message_level {
    COV_MSG_NOTICE = 1,  /* informative: what was done, e.g. records merged */
    COV_MSG_WARNING = 2, /* the result is valid but the user should know */
    COV_MSG_ERROR = 3    /* an error was recorded in the context */
};

typedef struct cov_ctx cov_ctx;

/* Receives notices, warnings and errors. The message is valid only during
 * the call. */
typedef void (*cov_message_handler)(int level, const char *message,
                                    void *userdata);

/* Receives progress of long calls: fraction in [0, 1] of the named stage.
 * Return non-zero to cancel; the call then fails with COV_ERR_CANCELLED. */
typedef int (*cov_progress_handler)(double fraction, const char *stage,
                                    void *userdata);

/* Creates a context. Returns NULL if memory runs out or GEOS/PROJ cannot be
 * initialised. Caller frees with cov_ctx_destroy(). */
COV_API cov_ctx *cov_ctx_create(void);

/* Releases a context. NULL is a harmless no-op. Objects created with the
 * context keep it alive and may be destroyed before or after it, in any
 * order (as garbage collectors do); the context is freed with the last of
 * them. Its handlers are removed at once. */
COV_API void cov_ctx_destroy(cov_ctx *ctx);

/* Installs a message handler (NULL removes it). Without a handler, warnings
 * are only counted (cov_warning_count()). */
COV_API void cov_ctx_set_message_handler(cov_ctx *ctx,
                                         cov_message_handler handler,
                                         void *userdata);

/* Installs a progress handler (NULL removes it). */
COV_API void cov_ctx_set_progress_handler(cov_ctx *ctx,
                                          cov_progress_handler handler,
                                          void *userdata);

/* Status of the last failed call on ctx, COV_OK if none since the last
 * cov_clear_error(). A NULL ctx gives COV_ERR_ARG. */
COV_API int cov_last_error(const cov_ctx *ctx);

/* Message of the last failed call, naming file, record and field where they
 * apply; "" if none. Owned by the context, valid until the next call. */
COV_API const char *cov_last_message(const cov_ctx *ctx);

/* Forgets the last error. */
COV_API void cov_clear_error(cov_ctx *ctx);

/* Number of warnings emitted on ctx since it was created. */
COV_API size_t cov_warning_count(const cov_ctx *ctx);

/* Generic text of a status code; never NULL (unknown codes give
 * "unknown status"). Static storage. */
COV_API const char *cov_strerror(int status);

/* Name of a status code, e.g. "COV_ERR_IO"; "COV_UNKNOWN" for unknown
 * codes. Static storage. */
COV_API const char *cov_status_name(int status);

/* Non-zero when path (existing or not) names a file read as an input in
 * ctx: the writers refuse to write over those. 0 otherwise, and for NULL
 * arguments. Lets a caller that writes several files check every name
 * before writing any of them. */
COV_API int cov_is_input_path(const cov_ctx *ctx, const char *path);

/* Frees a buffer returned by the library (WKB, strings). NULL is a no-op. */
COV_API void cov_free(void *ptr);

/* Version of the library as linked, e.g. "0.2.0" (static storage, never
 * NULL), and as a number
 * (COV_VERSION_NUMBER of the header it was built with). Compare with the
 * header's COV_VERSION_NUMBER to detect a mismatch. */
COV_API const char *cov_version(void);
COV_API int cov_version_number(void);

/* The library's C API version, COV_API_VERSION_NUMBER as it was built (a
 * program built against other headers can compare the two). */
COV_API int cov_api_version_number(void);

#ifdef __cplusplus
}
#endif
#endif /* LIBCOVERAGE_CORE_H */
