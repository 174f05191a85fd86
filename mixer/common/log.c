/* SPDX-License-Identifier: EUPL-1.2 */
/* The logger's state (level, format), the cleaning every record gets, and the routing of
 * each line to stderr or the journal. The renderers are in log_render.c and log_journal.c. */
#include "log.h"

#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log_internal.h"

#define WHERE_MAX 160
#define FIELDS_MAX 8
#define TOLK_JOURNAL_SOCKET "/run/systemd/journal/socket" /* libsystemd's, fixed */

const char *const tolk_log_level_names[] = {"error", "warn", "info", "debug"};
static const char *const format_names[] = {"text", "json", "journal"};

static atomic_int current_level = TOLK_LOG_INFO;
static atomic_int current_format = TOLK_LOG_TEXT;
static atomic_bool journal_failed;

void tolk_log_set_level(tolk_log_level level)
{
    atomic_store(&current_level, (int)level);
}

bool tolk_log_enabled(tolk_log_level level)
{
    return (int)level <= atomic_load(&current_level);
}

int tolk_log_parse_level(const char *name, tolk_log_level *out)
{
    for (int i = 0; i <= TOLK_LOG_DEBUG; i++) {
        if (strcmp(name, tolk_log_level_names[i]) == 0) {
            *out = (tolk_log_level)i;
            return 0;
        }
    }
    return -1;
}

void tolk_log_set_format(tolk_log_format format)
{
    atomic_store(&current_format, (int)format);
}

tolk_log_format tolk_log_get_format(void)
{
    return (tolk_log_format)atomic_load(&current_format);
}

int tolk_log_parse_format(const char *name, tolk_log_format *out)
{
    for (int i = 0; i <= TOLK_LOG_JOURNAL; i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (tolk_log_format)i;
            return 0;
        }
    }
    return -1;
}

/* A message quotes what clients sent (a path, a sitting id, a libmicrohttpd complaint): a
 * control character could start a forged line or drive the terminal, and a byte that is not
 * UTF-8 would make the JSON line unreadable. Both become '?'. */
static const char *clean(char *dst, size_t size, const char *src)
{
    if (!src)
        return NULL;
    g_strlcpy(dst, src, size);
    for (char *p = dst; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    const char *end;
    for (char *p = dst; !g_utf8_validate(p, -1, &end); p = (char *)end + 1)
        *(char *)end = '?';
    return dst;
}

static void stamp(char out[64])
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
}

static void write_stderr(const tolk_log_record *rec, const char *time, tolk_log_format format)
{
    char line[TOLK_LOG_LINE_MAX + 1];
    size_t n = format == TOLK_LOG_JSON ? tolk_log_render_json(rec, time, line, sizeof line - 1)
                                       : tolk_log_render_text(rec, time, line, sizeof line - 1);
    line[n] = '\n';
    line[n + 1] = '\0';
    fputs(line, stderr); /* one fputs per line keeps lines from different threads whole */
}

/* libsystemd drops a line without a word when journald's socket is missing (not under
 * systemd, in a container): ask first, it is one stat per line and lines are events. */
static int journal_reachable(void)
{
    struct stat st;
    if (stat(TOLK_JOURNAL_SOCKET, &st) != 0)
        return -errno;
    return S_ISSOCK(st.st_mode) ? 0 : -ENOTSOCK;
}

/* No journal: the line goes to stderr as text, and the first time a line says why, so that
 * nothing is lost without a word. */
static void write_journal(const tolk_log_record *rec, const char *time)
{
    int status = journal_reachable();
    if (status == 0)
        status = tolk_log_send_journal(rec);
    if (status == 0)
        return;
    if (!atomic_exchange(&journal_failed, true)) {
        char message[160];
        snprintf(message, sizeof message, "the journal cannot be reached (%s): logging to stderr as text",
                 g_strerror(-status));
        tolk_log_record note = {.level = TOLK_LOG_WARN, .module = "log", .file = __FILE__, .line = __LINE__,
                                .func = __func__, .message = message};
        write_stderr(&note, time, TOLK_LOG_TEXT);
    }
    write_stderr(rec, time, TOLK_LOG_TEXT);
}

void tolk_log_emit(const tolk_log_record *rec, bool to_log, char *line, size_t size)
{
    char message[1024], sitting[WHERE_MAX], console[WHERE_MAX], channel[WHERE_MAX], output[WHERE_MAX];
    char values[FIELDS_MAX][WHERE_MAX];
    const char *fields[2 * FIELDS_MAX + 1] = {NULL};
    for (int i = 0; rec->fields && rec->fields[2 * i] && i < FIELDS_MAX; i++) {
        fields[2 * i] = rec->fields[2 * i];
        fields[2 * i + 1] = clean(values[i], sizeof values[i], rec->fields[2 * i + 1]);
    }
    tolk_log_where where = {0};
    if (rec->where)
        where = (tolk_log_where){clean(sitting, sizeof sitting, rec->where->sitting),
                                 clean(console, sizeof console, rec->where->console),
                                 clean(channel, sizeof channel, rec->where->channel),
                                 clean(output, sizeof output, rec->where->output)};
    tolk_log_record clean_rec = *rec;
    clean_rec.where = rec->where ? &where : NULL;
    clean_rec.fields = rec->fields ? fields : NULL;
    clean_rec.message = clean(message, sizeof message, rec->message);
    char time[64];
    stamp(time);
    tolk_log_format format = tolk_log_get_format();
    if (to_log && format == TOLK_LOG_JOURNAL)
        write_journal(&clean_rec, time);
    else if (to_log)
        write_stderr(&clean_rec, time, format);
    if (line)
        format == TOLK_LOG_JSON ? tolk_log_render_json(&clean_rec, time, line, size)
                                : tolk_log_render_text(&clean_rec, time, line, size);
}

void tolk_log_at(tolk_log_level level, const char *module, const char *file, int line, const char *func,
                 const tolk_log_where *where, const char *fmt, ...)
{
    if (!tolk_log_enabled(level))
        return;
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    tolk_log_record rec = {level, module, file, line, func, where, NULL, message};
    tolk_log_emit(&rec, true, NULL, 0);
}

bool tolk_log_limit_pass(tolk_log_limit *limit, int64_t now_us, uint64_t *unlogged)
{
    int_fast64_t next = atomic_load(&limit->next_us);
    if (now_us < next || !atomic_compare_exchange_strong(&limit->next_us, &next, now_us + TOLK_LOG_LIMIT_US)) {
        atomic_fetch_add(&limit->unlogged, 1);
        return false;
    }
    *unlogged = atomic_exchange(&limit->unlogged, 0);
    return true;
}

static tolk_log_level glib_level(GLogLevelFlags flags)
{
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        return TOLK_LOG_ERROR;
    if (flags & G_LOG_LEVEL_WARNING)
        return TOLK_LOG_WARN;
    if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
        return TOLK_LOG_INFO;
    return TOLK_LOG_DEBUG;
}

static GLogWriterOutput glib_writer(GLogLevelFlags flags, const GLogField *fields, gsize n, gpointer data)
{
    (void)data;
    const char *domain = NULL, *message = NULL, *file = NULL, *func = NULL;
    int line = 0;
    for (gsize i = 0; i < n; i++) {
        if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0)
            domain = fields[i].value;
        else if (strcmp(fields[i].key, "MESSAGE") == 0)
            message = fields[i].value;
        else if (strcmp(fields[i].key, "CODE_FILE") == 0)
            file = fields[i].value;
        else if (strcmp(fields[i].key, "CODE_FUNC") == 0)
            func = fields[i].value;
        else if (strcmp(fields[i].key, "CODE_LINE") == 0)
            line = atoi(fields[i].value);
    }
    if (g_log_writer_default_would_drop(flags, domain))
        return G_LOG_WRITER_HANDLED;
    tolk_log_level level = glib_level(flags);
    if (!tolk_log_enabled(level) && !(flags & G_LOG_FLAG_FATAL))
        return G_LOG_WRITER_HANDLED;
    tolk_log_record rec = {level, domain ? domain : "glib", file, line, func, NULL, NULL, message ? message : ""};
    tolk_log_emit(&rec, true, NULL, 0);
    return G_LOG_WRITER_HANDLED;
}

void tolk_log_route_glib(void)
{
    g_log_set_writer_func(glib_writer, NULL, NULL);
}
