/* SPDX-License-Identifier: EUPL-1.2 */
#include "http_error.h"

static const int status_of_kind[] = {
    [TOLK_ERROR_NONE] = 500, /* replying "no error" as an error is a bug */
    [TOLK_ERROR_INVALID] = 400,
    [TOLK_ERROR_UNAUTHORIZED] = 401,
    [TOLK_ERROR_FORBIDDEN] = 403,
    [TOLK_ERROR_NOT_FOUND] = 404,
    [TOLK_ERROR_CONFLICT] = 409,
    [TOLK_ERROR_PRECONDITION_FAILED] = 412,
    [TOLK_ERROR_UNSUPPORTED] = 422,
    [TOLK_ERROR_LIMIT] = 409,
    [TOLK_ERROR_RATE_LIMITED] = 429,
    [TOLK_ERROR_UNAVAILABLE] = 503,
    [TOLK_ERROR_INTERNAL] = 500,
    [TOLK_ERROR_RANGE] = 416,
};

int tolk_http_status_for(tolk_error_kind kind)
{
    if ((unsigned)kind >= sizeof status_of_kind / sizeof status_of_kind[0])
        return 500;
    return status_of_kind[kind];
}

void tolk_http_reply_tolk_error(tolk_http_response *resp, const tolk_error *err)
{
    tolk_http_reply_error(resp, tolk_http_status_for(err->kind), err->code, "%s", err->message);
}

void tolk_http_reply_vfailure(tolk_http_response *resp, tolk_error_kind kind, const char *code, const char *fmt,
                              va_list ap)
{
    tolk_http_reply_verror(resp, tolk_http_status_for(kind), code, fmt, ap);
}

void tolk_http_reply_failure(tolk_http_response *resp, tolk_error_kind kind, const char *code, const char *fmt,
                             ...)
{
    va_list ap;
    va_start(ap, fmt);
    tolk_http_reply_vfailure(resp, kind, code, fmt, ap);
    va_end(ap);
}
