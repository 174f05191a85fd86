/* SPDX-License-Identifier: EUPL-1.2 */
/* A clean record as one text line or one JSON object. Pure functions: any thread. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log_internal.h"

typedef struct {
    char *out;
    size_t size, len;
} line_buf;

static void put(line_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(line_buf *b, const char *fmt, ...)
{
    if (b->len + 1 >= b->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->out + b->len, b->size - b->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len = b->len + (size_t)n < b->size ? b->len + (size_t)n : b->size - 1;
}

/* "sitting plenary, console en/2: " before the message, in the words a technician uses. */
static void put_where(line_buf *b, const tolk_log_where *w)
{
    if (!w)
        return;
    const char *const parts[][2] = {
        {"sitting", w->sitting}, {"console", w->console}, {"channel", w->channel}, {"output", w->output}};
    bool first = true;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!parts[i][1])
            continue;
        put(b, "%s%s %s", first ? "" : ", ", parts[i][0], parts[i][1]);
        first = false;
    }
    if (!first)
        put(b, ": ");
}

static void put_words(line_buf *b, const tolk_log_record *rec)
{
    put_where(b, rec->where);
    put(b, "%s", rec->message);
}

size_t tolk_log_render_words(const tolk_log_record *rec, char *out, size_t size)
{
    line_buf b = {out, size, 0};
    out[0] = '\0';
    put_words(&b, rec);
    return b.len;
}

size_t tolk_log_render_text(const tolk_log_record *rec, const char *time, char *out, size_t size)
{
    line_buf b = {out, size, 0};
    out[0] = '\0';
    put(&b, "%s %-5s %-8s ", time, tolk_log_level_names[rec->level], rec->module);
    put_words(&b, rec);
    return b.len;
}

/* The strings are clean already: only quotes and backslashes need escaping. */
static void put_json(line_buf *b, const char *key, const char *value)
{
    if (!value)
        return;
    put(b, "%s\"%s\":\"", b->len > 1 ? "," : "", key);
    for (const char *p = value; *p && b->len + 2 < b->size; p++) {
        if (*p == '"' || *p == '\\')
            b->out[b->len++] = '\\';
        b->out[b->len++] = *p;
    }
    b->out[b->len] = '\0';
    put(b, "\"");
}

size_t tolk_log_render_json(const tolk_log_record *rec, const char *time, char *out, size_t size)
{
    line_buf b = {out, size, 0};
    out[0] = '\0';
    put(&b, "{");
    put_json(&b, "time", time);
    put_json(&b, "level", tolk_log_level_names[rec->level]);
    put_json(&b, "module", rec->module);
    put_json(&b, "message", rec->message);
    if (rec->where) {
        put_json(&b, "sitting", rec->where->sitting);
        put_json(&b, "console", rec->where->console);
        put_json(&b, "channel", rec->where->channel);
        put_json(&b, "output", rec->where->output);
    }
    for (const char *const *f = rec->fields; f && f[0]; f += 2)
        put_json(&b, f[0], f[1]);
    put(&b, "}");
    return b.len;
}
