/* SPDX-License-Identifier: EUPL-1.2 */
/* Logging with levels, to stderr, one line per message, thread-safe.
 * Never log keys: log ids and counts instead. */
#ifndef TOLK_LOG_H
#define TOLK_LOG_H

typedef enum { TOLK_LOG_ERROR, TOLK_LOG_WARN, TOLK_LOG_INFO, TOLK_LOG_DEBUG } tolk_log_level;

void tolk_log_set_level(tolk_log_level level);
/* "error", "warn", "info", "debug"; returns 0 on success, -1 for an unknown name. */
int tolk_log_parse_level(const char *name, tolk_log_level *out);
void tolk_log(tolk_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_ERROR(...) tolk_log(TOLK_LOG_ERROR, TOLK_LOG_MODULE, __VA_ARGS__)
#define LOG_WARN(...) tolk_log(TOLK_LOG_WARN, TOLK_LOG_MODULE, __VA_ARGS__)
#define LOG_INFO(...) tolk_log(TOLK_LOG_INFO, TOLK_LOG_MODULE, __VA_ARGS__)
#define LOG_DEBUG(...) tolk_log(TOLK_LOG_DEBUG, TOLK_LOG_MODULE, __VA_ARGS__)

#endif
