/* SPDX-License-Identifier: EUPL-1.2 */
#include "rules_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

tolk_result tolk_result_ok(void)
{
    tolk_result r;
    memset(&r, 0, sizeof r);
    r.status = TOLK_OK;
    return r;
}

tolk_result tolk_result_error(tolk_status status, const char *code, const char *field,
                              const char *fmt, ...)
{
    tolk_result r = tolk_result_ok();
    r.status = status;
    r.code = code;
    snprintf(r.field, sizeof r.field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.message, sizeof r.message, fmt, ap);
    va_end(ap);
    return r;
}

void tolk_console_id(const tolk_matrix_config *cfg, int booth, int console, char *buf, size_t size)
{
    const char *lang = cfg->channels[cfg->booths[booth].channel];
    snprintf(buf, size, "%s/%d", lang, console + 1);
}
