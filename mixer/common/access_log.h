/* SPDX-License-Identifier: EUPL-1.2 */
/* The access log: one line per API request that changes something, in the daemon's log (module
 * "access") and, with --access-log FILE, in that file too, in the same format (text, or JSON with
 * --log-format json). The file is opened for appending and reopened on SIGHUP, so that logrotate
 * can move it away.
 *
 * Threads: open and close at start and stop; reopen on the main loop; tolk_access_log_write
 * from any thread (a mutex keeps the file and its lines whole). */
#ifndef TOLK_ACCESS_LOG_H
#define TOLK_ACCESS_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* False with a sentence in err when the file cannot be opened. */
bool tolk_access_log_open(const char *path, char *err, size_t err_size);
/* The file anew under its name (after logrotate moved it); said in the log when that fails,
 * and the old file kept. */
void tolk_access_log_reopen(void);
void tolk_access_log_close(void);

/* What one request did. Every string is shown as is: never pass a token, a key or an SDP. */
typedef struct {
    const char *who;     /* "operator", "console token t3 (en/2)", "no token" */
    const char *method;  /* "PATCH" */
    const char *path;    /* as requested, without the query */
    int status;          /* the answer's */
    const char *address; /* the client's IP address */
} tolk_access_entry;

void tolk_access_log_write(const tolk_log_where *where, const tolk_access_entry *entry);

#endif
