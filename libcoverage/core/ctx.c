/* Contexts, status codes and messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

/* GRS80, the ellipsoid of JGD2011. */
#define COV_GRS80_A 6378137.0
#define COV_GRS80_F (1.0 / 298.257222101)

static void geos_error_handler(const char *message, void *userdata)
{
    cov_ctx *ctx = userdata;
    snprintf(ctx->geos_message, sizeof ctx->geos_message, "%s", message);
}

static void geos_notice_handler(const char *message, void *userdata)
{
    (void)message;
    (void)userdata; /* GEOS notices are about its internals, not the user's data */
}

static void free_context(cov_ctx *ctx)
{
    if (ctx->geos) GEOS_finish_r(ctx->geos);
    if (ctx->proj) proj_context_destroy(ctx->proj);
    for (size_t i = 0; i < ctx->n_input_paths; i++) free(ctx->input_paths[i]);
    free(ctx->input_paths);
    free(ctx);
}

cov_ctx *cov__ctx_retain(cov_ctx *ctx)
{
    atomic_fetch_add(&ctx->refs, 1);
    return ctx;
}

void cov__ctx_release(cov_ctx *ctx)
{
    if (ctx && atomic_fetch_sub(&ctx->refs, 1) == 1) free_context(ctx);
}

cov_ctx *cov_ctx_create(void)
{
    cov_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return NULL;
    atomic_init(&ctx->refs, 1);
    ctx->geos = GEOS_init_r();
    ctx->proj = proj_context_create();
    if (!ctx->geos || !ctx->proj) {
        cov_ctx_destroy(ctx);
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_error_handler, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->geos, geos_notice_handler, ctx);
    /* PROJ logs to stderr by default; our messages carry what matters. */
    proj_log_level(ctx->proj, PJ_LOG_NONE);
    geod_init(&ctx->geod, COV_GRS80_A, COV_GRS80_F);
    return ctx;
}

void cov_ctx_destroy(cov_ctx *ctx)
{
    if (!ctx) return;
    /* handlers may point at the caller's state, which goes now */
    ctx->on_message = NULL;
    ctx->on_progress = NULL;
    cov__ctx_release(ctx);
}

void cov_ctx_set_message_handler(cov_ctx *ctx, cov_message_handler handler,
                                 void *userdata)
{
    if (!ctx) return;
    ctx->on_message = handler;
    ctx->message_userdata = userdata;
}

void cov_ctx_set_progress_handler(cov_ctx *ctx, cov_progress_handler handler,
                                  void *userdata)
{
    if (!ctx) return;
    ctx->on_progress = handler;
    ctx->progress_userdata = userdata;
}

int cov_last_error(const cov_ctx *ctx) { return ctx ? ctx->status : COV_ERR_ARG; }

const char *cov_last_message(const cov_ctx *ctx)
{
    return ctx ? ctx->message : "no context";
}

void cov_clear_error(cov_ctx *ctx)
{
    if (!ctx) return;
    ctx->status = COV_OK;
    ctx->message[0] = '\0';
}

size_t cov_warning_count(const cov_ctx *ctx) { return ctx ? ctx->n_warnings : 0; }

const char *cov_strerror(int status)
{
    switch (status) {
#define COV_STATUS_TEXT_(name, value, msg) \
    case value: return msg;
        COV_STATUS_MAP(COV_STATUS_TEXT_)
#undef COV_STATUS_TEXT_
    }
    return "unknown status";
}

const char *cov_status_name(int status)
{
    switch (status) {
#define COV_STATUS_NAME_(name, value, msg) \
    case value: return "COV_" #name;
        COV_STATUS_MAP(COV_STATUS_NAME_)
#undef COV_STATUS_NAME_
    }
    return "COV_UNKNOWN";
}

static void emit(cov_ctx *ctx, int level, const char *message)
{
    if (ctx->on_message) ctx->on_message(level, message, ctx->message_userdata);
}

int cov__error(cov_ctx *ctx, int status, const char *fmt, ...)
{
    if (!ctx) return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
    va_end(ap);
    ctx->status = status;
    emit(ctx, COV_MSG_ERROR, ctx->message);
    return status;
}

int cov__geos_error(cov_ctx *ctx, const char *what)
{
    return cov__error(ctx, COV_ERR_GEOMETRY, "%s: %s", what,
                      ctx->geos_message[0] ? ctx->geos_message
                                           : "GEOS reported no reason");
}

static void vemit(cov_ctx *ctx, int level, const char *fmt, va_list ap)
{
    char buf[COV_MSG_MAX];
    vsnprintf(buf, sizeof buf, fmt, ap);
    emit(ctx, level, buf);
}

void cov__warn(cov_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    ctx->n_warnings++;
    va_start(ap, fmt);
    vemit(ctx, COV_MSG_WARNING, fmt, ap);
    va_end(ap);
}

void cov__notice(cov_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vemit(ctx, COV_MSG_NOTICE, fmt, ap);
    va_end(ap);
}

int cov__progress(cov_ctx *ctx, double fraction, const char *stage)
{
    if (!ctx->on_progress) return COV_OK;
    if (ctx->on_progress(fraction, stage, ctx->progress_userdata))
        return cov__error(ctx, COV_ERR_CANCELLED, "%s: cancelled at %.0f%%",
                          stage, 100.0 * fraction);
    return COV_OK;
}

const char *cov_version(void) { return COV_VERSION_STRING; }

int cov_version_number(void) { return COV_VERSION_NUMBER; }

int cov_api_version_number(void) { return COV_API_VERSION_NUMBER; }

void cov_free(void *ptr) { free(ptr); }
