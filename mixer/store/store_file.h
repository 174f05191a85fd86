/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The state file itself (store.c's): the checks that the folder and the file are private
 * to the daemon's user, the lock that keeps a second daemon out, the schema and its
 * migrations, and the SQL of one batch of writes.
 *
 * Threads: one at a time (store.c opens and loads at start, then only its writer thread
 * writes).
 */
#ifndef TOLK_STORE_FILE_H
#define TOLK_STORE_FILE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "error.h"
#include "store.h"

typedef struct {
    char *path;
    sqlite3 *db;
    sqlite3_stmt *upsert, *remove;
    int lock_fd;
} tolk_store_file;

typedef enum {
    TOLK_STORE_FILE_OK,
    TOLK_STORE_FILE_REFUSED, /* the daemon must not start: *err says why */
    TOLK_STORE_FILE_FAULT,   /* a file that is not a Tolk state: *err says why, nothing opened */
} tolk_store_file_result;

tolk_store_file_result tolk_store_file_open(tolk_store_file *file, const char *dir, tolk_error *err);
void tolk_store_file_close(tolk_store_file *file);

bool tolk_store_file_load(tolk_store_file *file, const char *kind, tolk_store_record_fn fn, void *ctx);

typedef struct {
    const char *kind, *id;
    const char *text; /* NULL: delete */
} tolk_store_item;

/* One transaction; false with *why (g_free it) when it failed, with nothing changed. */
bool tolk_store_file_write(tolk_store_file *file, const tolk_store_item *items, unsigned count, char **why);

#endif
