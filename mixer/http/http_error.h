/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The one place where a tolk_error becomes an HTTP status and the v1 error body
 * {"error": {"code", "message"}}. The API layer replies every refusal through here, and so
 * does the server for the bodies it refuses itself. Pure table and reply helpers: safe on
 * any thread that owns the response.
 */
#ifndef TOLK_HTTP_ERROR_H
#define TOLK_HTTP_ERROR_H

#include "error.h"
#include "http_server.h"

#include <stdarg.h>

/* 400 invalid, 401 unauthorized, 403 forbidden, 404 not_found, 409 conflict and limit,
 * 412 precondition_failed, 422 unsupported, 429 rate_limited, 503 unavailable,
 * 500 internal (and for a kind out of range). */
int tolk_http_status_for(tolk_error_kind kind);

/* Replies err with its kind's status, its code and its message. */
void tolk_http_reply_tolk_error(tolk_http_response *resp, const tolk_error *err);

/* The same for an error not held in a tolk_error: the message is formatted uncut. */
void tolk_http_reply_failure(tolk_http_response *resp, tolk_error_kind kind, const char *code, const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));
void tolk_http_reply_vfailure(tolk_http_response *resp, tolk_error_kind kind, const char *code, const char *fmt,
                              va_list ap);

#endif
