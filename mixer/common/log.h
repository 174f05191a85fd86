/* SPDX-License-Identifier: EUPL-1.2 */
/* Logging with levels, one line per event (docs/logging.md): text (the default), JSON lines or
 * native journald fields (--log-format). Every line carries the UTC date and time with
 * milliseconds, the level, the module and what it concerns in plain words (tolk_log_where:
 * the sitting, console, channel or output), which JSON and the journal also give as fields of
 * their own. Never log keys, tokens or SDPs: log ids and counts instead.
 *
 * Threads: any thread may log. The setters run at start, before the other threads. */
#ifndef TOLK_LOG_H
#define TOLK_LOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum { TOLK_LOG_ERROR, TOLK_LOG_WARN, TOLK_LOG_INFO, TOLK_LOG_DEBUG } tolk_log_level;
typedef enum { TOLK_LOG_TEXT, TOLK_LOG_JSON, TOLK_LOG_JOURNAL } tolk_log_format;

/* What a line concerns; any may be NULL. Plain words, never element or pad names. */
typedef struct {
    const char *sitting; /* the sitting's id: "plenary" */
    const char *console; /* "en/2", "floor" */
    const char *channel; /* "fr" */
    const char *output;  /* "o3 to 192.0.2.7:5004" */
} tolk_log_where;

#define TOLK_WHERE(...) (&(const tolk_log_where){__VA_ARGS__})

void tolk_log_set_level(tolk_log_level level);
/* "error", "warn", "info", "debug"; returns 0 on success, -1 for an unknown name. */
int tolk_log_parse_level(const char *name, tolk_log_level *out);
void tolk_log_set_format(tolk_log_format format);
tolk_log_format tolk_log_get_format(void);
/* "text", "json", "journal"; 0 on success, -1 for an unknown name. */
int tolk_log_parse_format(const char *name, tolk_log_format *out);
/* GLib's and GStreamer's g_warning()s through this logger, so that they too carry a date
 * (GStreamer's own debug log, GST_DEBUG, stays as it is). Before the first g_log. */
void tolk_log_route_glib(void);

void tolk_log_at(tolk_log_level level, const char *module, const char *file, int line, const char *func,
                 const tolk_log_where *where, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#define TOLK_LOG_(level, where, ...) \
    tolk_log_at(level, TOLK_LOG_MODULE, __FILE__, __LINE__, __func__, where, __VA_ARGS__)
#define LOG_ERROR(...) TOLK_LOG_(TOLK_LOG_ERROR, NULL, __VA_ARGS__)
#define LOG_WARN(...) TOLK_LOG_(TOLK_LOG_WARN, NULL, __VA_ARGS__)
#define LOG_INFO(...) TOLK_LOG_(TOLK_LOG_INFO, NULL, __VA_ARGS__)
#define LOG_DEBUG(...) TOLK_LOG_(TOLK_LOG_DEBUG, NULL, __VA_ARGS__)
#define LOG_ERROR_AT(where, ...) TOLK_LOG_(TOLK_LOG_ERROR, where, __VA_ARGS__)
#define LOG_WARN_AT(where, ...) TOLK_LOG_(TOLK_LOG_WARN, where, __VA_ARGS__)
#define LOG_INFO_AT(where, ...) TOLK_LOG_(TOLK_LOG_INFO, where, __VA_ARGS__)
#define LOG_DEBUG_AT(where, ...) TOLK_LOG_(TOLK_LOG_DEBUG, where, __VA_ARGS__)

/* What can happen once per packet or frame is logged the first time, then at most once per
 * TOLK_LOG_LIMIT_US with the count of the occurrences not logged in between. Zeroed is
 * ready. Any thread; lock-free. */
#define TOLK_LOG_LIMIT_US (60 * INT64_C(1000000))
typedef struct {
    atomic_int_fast64_t next_us;
    atomic_uint_fast64_t unlogged;
} tolk_log_limit;

/* True when this occurrence gets a line; then *unlogged holds how many did not since the
 * previous line. */
bool tolk_log_limit_pass(tolk_log_limit *limit, int64_t now_us, uint64_t *unlogged);

#endif
