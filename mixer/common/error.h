/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The daemon's one error type: what kind of failure (which the API layer alone turns
 * into an HTTP status), the snake_case code the API shows, the request field at fault
 * and a sentence naming it. A plain value, filled by the callee, owned by the caller;
 * no thread contract beyond that.
 */
#ifndef TOLK_COMMON_ERROR_H
#define TOLK_COMMON_ERROR_H

#include "rules.h"

typedef enum {
    TOLK_ERROR_NONE = 0,
    TOLK_ERROR_INVALID,             /* the request is wrong: a field, a body, an offer */
    TOLK_ERROR_UNAUTHORIZED,        /* no token, or one nobody knows */
    TOLK_ERROR_FORBIDDEN,           /* a known token without the right */
    TOLK_ERROR_NOT_FOUND,           /* no such session, booth, console, channel... */
    TOLK_ERROR_CONFLICT,            /* the state forbids it now: id taken, channel engaged */
    TOLK_ERROR_PRECONDITION_FAILED, /* an If-Match that no longer holds */
    TOLK_ERROR_UNSUPPORTED,         /* understood, but not done (an ICE restart) */
    TOLK_ERROR_LIMIT,               /* a configured maximum is reached */
    TOLK_ERROR_RATE_LIMITED,        /* too many requests of this kind, for now */
    TOLK_ERROR_UNAVAILABLE,         /* the daemon lacks a resource: ports, pipelines, peers */
    TOLK_ERROR_INTERNAL,            /* a bug */
    TOLK_ERROR_RANGE,               /* a byte range past the end of a file */
} tolk_error_kind;

typedef struct {
    tolk_error_kind kind;
    char code[32];     /* "invalid_value", "session_exists"... */
    char field[96];    /* path of the field at fault ("booths[1].b_channels[0]"), "" for none */
    char message[200]; /* a sentence naming the field or thing */
} tolk_error;

/* field and message are cut to their buffers at a character boundary, and at the first
 * byte that is not UTF-8: they go into a JSON reply. field may be NULL. */
void tolk_error_set(tolk_error *err, tolk_error_kind kind, const char *code, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The one adapter from the rules module's result (kept libc only) to tolk_error:
 * TOLK_ERR_INVALID -> invalid, TOLK_ERR_NOT_FOUND -> not_found, TOLK_ERR_ENGAGED -> conflict.
 * A result without a code is invalid_value. */
void tolk_error_from_result(tolk_error *err, const tolk_result *result);

#endif
