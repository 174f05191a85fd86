/* SPDX-License-Identifier: EUPL-1.2 */
/* Inside the logger: one record, cleaned and stamped once, rendered as a text line, a JSON
 * line or journal fields. Threads: a record lives on the stack of the thread that logs. */
#ifndef TOLK_LOG_INTERNAL_H
#define TOLK_LOG_INTERNAL_H

#include <stddef.h>

#include "log.h"

/* Room for the longest record (a 1 KiB message, four places and eight fields of 160 bytes)
 * even with every character escaped: a JSON line is never cut. */
#define TOLK_LOG_LINE_MAX 8192

typedef struct {
    tolk_log_level level;
    const char *module;
    const char *file;
    int line;
    const char *func;
    const tolk_log_where *where;  /* may be NULL */
    const char *const *fields;    /* more key, value pairs (JSON keys, journal TOLK_KEY); NULL-ended */
    const char *message;
} tolk_log_record;

extern const char *const tolk_log_level_names[];

/* Writes the record to the daemon's log when `to_log`; and, when `line` is given, the same
 * line (the journal format's as text) without its newline into it, for another file. */
void tolk_log_emit(const tolk_log_record *rec, bool to_log, char *line, size_t size);
/* Whether a line of this level goes to the daemon's log. */
bool tolk_log_enabled(tolk_log_level level);

/* The renderers get a record whose strings are clean (no control characters, valid UTF-8)
 * and the time "2026-12-02T01:43:20.123Z"; each returns the length written, without newline. */
size_t tolk_log_render_text(const tolk_log_record *rec, const char *time, char *out, size_t size);
/* What the line says, without time, level and module: "sitting plenary, console en/2: mic on". */
size_t tolk_log_render_words(const tolk_log_record *rec, char *out, size_t size);
size_t tolk_log_render_json(const tolk_log_record *rec, const char *time, char *out, size_t size);
/* 0, or a negative errno when the journal cannot be reached. */
int tolk_log_send_journal(const tolk_log_record *rec);

#endif
