/* SPDX-License-Identifier: EUPL-1.2 */
#include "error.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>

static void cut_at_invalid_utf8(char *s)
{
    const char *end;
    if (!g_utf8_validate(s, -1, &end))
        s[end - s] = '\0';
}

void tolk_error_set(tolk_error *err, tolk_error_kind kind, const char *code, const char *field,
                    const char *fmt, ...)
{
    err->kind = kind;
    g_strlcpy(err->code, code, sizeof err->code);
    g_strlcpy(err->field, field ? field : "", sizeof err->field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    cut_at_invalid_utf8(err->field);
    cut_at_invalid_utf8(err->message);
}

void tolk_error_from_result(tolk_error *err, const tolk_result *result)
{
    static const tolk_error_kind kinds[] = {
        [TOLK_OK] = TOLK_ERROR_NONE,
        [TOLK_ERR_INVALID] = TOLK_ERROR_INVALID,
        [TOLK_ERR_NOT_FOUND] = TOLK_ERROR_NOT_FOUND,
        [TOLK_ERR_ENGAGED] = TOLK_ERROR_CONFLICT,
    };
    tolk_error_set(err, kinds[result->status], result->code ? result->code : "invalid_value", result->field,
                   "%s", result->message);
}
