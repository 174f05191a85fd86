/* SPDX-License-Identifier: EUPL-1.2 */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static atomic_int current_level = TOLK_LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void tolk_log_set_level(tolk_log_level level)
{
    atomic_store(&current_level, (int)level);
}

int tolk_log_parse_level(const char *name, tolk_log_level *out)
{
    for (int i = 0; i <= TOLK_LOG_DEBUG; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (tolk_log_level)i;
            return 0;
        }
    }
    return -1;
}

void tolk_log(tolk_log_level level, const char *module, const char *fmt, ...)
{
    if ((int)level > atomic_load(&current_level))
        return;
    char line[1024];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld %-5s %-8s ", tm.tm_hour, tm.tm_min,
                     tm.tm_sec, now.tv_nsec / 1000000, level_names[level], module);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    /* A message quotes what clients sent (a path, a libmicrohttpd complaint): a control
     * character in it could start a forged line or drive the terminal. */
    size_t len = strlen(line);
    for (size_t i = n > 0 ? (size_t)n : 0; i < len; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = '?';
    /* One fputs per line keeps lines from different threads whole. */
    if (len + 1 < sizeof line) {
        line[len] = '\n';
        line[len + 1] = '\0';
    }
    fputs(line, stderr);
}
