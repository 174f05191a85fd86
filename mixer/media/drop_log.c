/* SPDX-License-Identifier: EUPL-1.2 */
#include "drop_log.h"

#include <stdarg.h>
#include <stdio.h>

#define TOLK_LOG_MODULE "input"

void tolk_drop_log(tolk_log_limit *limit, const tolk_log_where *where, int64_t now_us, const char *fmt, ...)
{
    uint64_t unlogged;
    if (!tolk_log_limit_pass(limit, now_us, &unlogged))
        return;
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (unlogged == 0)
        LOG_WARN_AT(where, "%s: dropped and counted (logged at most once a minute)", what);
    else
        LOG_WARN_AT(where, "%s: %llu more dropped and counted since the last such line", what,
                    (unsigned long long)unlogged);
}
