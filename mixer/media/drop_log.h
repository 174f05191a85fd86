/* SPDX-License-Identifier: EUPL-1.2 */
/* The log line of a packet dropped and counted: the first of its cause, then at most a line a
 * minute with how many were dropped in between (the counts themselves are in the API and
 * /metrics). Any thread, lock-free (tolk_log_limit). */
#ifndef TOLK_MEDIA_DROP_LOG_H
#define TOLK_MEDIA_DROP_LOG_H

#include <stdint.h>

#include "log.h"

void tolk_drop_log(tolk_log_limit *limit, const tolk_log_where *where, int64_t now_us, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
