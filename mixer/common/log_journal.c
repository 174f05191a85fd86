/* SPDX-License-Identifier: EUPL-1.2 */
/* A clean record as native journal fields (sd_journal_sendv): MESSAGE in the words of the text
 * line, PRIORITY, CODE_FILE/LINE/FUNC, and TOLK_MODULE, TOLK_SITTING, TOLK_CONSOLE, TOLK_CHANNEL,
 * TOLK_OUTPUT plus the record's own fields as TOLK_<KEY>, so that `journalctl TOLK_SITTING=x`
 * selects a sitting. Any thread: libsystemd's sending is thread-safe. */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
/* The CODE_ fields are the logging call's, which the record carries; libsystemd's macros would
 * add this file's instead. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

/* Taken from syslog.h, whose LOG_INFO and LOG_DEBUG our own macros then replace. */
static const int priorities[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
#undef LOG_INFO
#undef LOG_DEBUG

#include "log_internal.h"

#define FIELDS_MAX 24
#define FIELD_MAX 2048 /* a message (1 KiB) and its four places fit */

typedef struct {
    struct iovec iov[FIELDS_MAX];
    char text[FIELDS_MAX][FIELD_MAX];
    int n;
} journal_fields;

static void add(journal_fields *j, const char *key, const char *value)
{
    if (!value || j->n == FIELDS_MAX)
        return;
    int len = snprintf(j->text[j->n], FIELD_MAX, "%s=%s", key, value);
    j->iov[j->n] = (struct iovec){j->text[j->n], len < FIELD_MAX ? (size_t)len : FIELD_MAX - 1};
    j->n++;
}

/* TOLK_ and the key in capitals: journal field names are upper case. */
static void add_tolk(journal_fields *j, const char *key, const char *value)
{
    char name[64];
    snprintf(name, sizeof name, "TOLK_%s", key);
    for (char *p = name; *p; p++)
        *p = g_ascii_toupper(*p);
    add(j, name, value);
}

int tolk_log_send_journal(const tolk_log_record *rec)
{
    journal_fields *j = g_new(journal_fields, 1);
    j->n = 0;
    char words[TOLK_LOG_LINE_MAX], priority[4], line[16];
    tolk_log_render_words(rec, words, sizeof words);
    snprintf(priority, sizeof priority, "%d", priorities[rec->level]);
    snprintf(line, sizeof line, "%d", rec->line);
    add(j, "MESSAGE", words);
    add(j, "PRIORITY", priority);
    add(j, "SYSLOG_IDENTIFIER", "tolk");
    const char *file = rec->file;
    while (file && g_str_has_prefix(file, "../")) /* as the build sees it: from the source root */
        file += 3;
    add(j, "CODE_FILE", file);
    add(j, "CODE_LINE", rec->file ? line : NULL);
    add(j, "CODE_FUNC", rec->func);
    add_tolk(j, "module", rec->module);
    if (rec->where) {
        add_tolk(j, "sitting", rec->where->sitting);
        add_tolk(j, "console", rec->where->console);
        add_tolk(j, "channel", rec->where->channel);
        add_tolk(j, "output", rec->where->output);
    }
    for (const char *const *f = rec->fields; f && f[0]; f += 2)
        add_tolk(j, f[0], f[1]);
    int status = sd_journal_sendv(j->iov, j->n);
    g_free(j);
    return status < 0 ? status : 0;
}
