/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The durable state: records (a kind, an id, a text) in one SQLite file, DIR/tolk.db, that
 * survive a clean stop, a kill -9 and a reboot. The store knows nothing of sittings: the
 * layer above writes each sitting as one record, whole, and reads them back at start.
 *
 * Writes go through a writer thread: tolk_store_put queues a record (the latest text of a
 * record wins, so a burst of changes costs one commit) and returns at once with a ticket;
 * tolk_store_wait blocks until that ticket is committed, so the API answers only after
 * its change is on disk, and no lock of the caller is held across the disk. A write that
 * fails (disk full, I/O error) puts the store in fault; its records stay queued and are
 * retried every TOLK_STORE_RETRY_MS, and the first commit that succeeds clears the fault.
 *
 * A file that is not a Tolk state (corrupt, from a newer Tolk, unreadable) opens as a store
 * in fault for good: nothing loads, nothing is written, the file is left as it was for the
 * technician to look at.
 *
 * Threads: every function may be called from any thread; an internal mutex guards the
 * queue, and only the writer thread (and tolk_store_open, tolk_store_load at start)
 * touches the database.
 */
#ifndef TOLK_STORE_H
#define TOLK_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define TOLK_STORE_FILE "tolk.db"
#define TOLK_STORE_LOCK_FILE "tolk.lock"
#define TOLK_STORE_SCHEMA 1       /* the schema this Tolk writes (PRAGMA user_version) */
#define TOLK_STORE_RETRY_MS 2000  /* after a failed commit */
#define TOLK_STORE_WAIT_MS 5000   /* tolk_store_wait gives up after this */

typedef struct tolk_store tolk_store;

/* Opens DIR/tolk.db, making DIR (0700) and the file (0600) when missing. NULL with *err
 * when the daemon must not start: DIR or the file is open to other users or owned by
 * another, DIR cannot be made, or another daemon uses DIR (tolk.lock). */
tolk_store *tolk_store_open(const char *dir, tolk_error *err);
/* Commits what is queued (a clean stop loses nothing), stops the writer. NULL is a no-op. */
void tolk_store_close(tolk_store *store);

const char *tolk_store_path(const tolk_store *store);

typedef void (*tolk_store_record_fn)(const char *id, const char *text, void *ctx);
/* Every record of kind, in the order each was first written. Nothing in fault at open. */
void tolk_store_load(tolk_store *store, const char *kind, tolk_store_record_fn fn, void *ctx);

/* Queues a record; text NULL deletes it. Returns the ticket to wait for. Never blocks on
 * the disk. */
uint64_t tolk_store_put(tolk_store *store, const char *kind, const char *id, const char *text);
/* Waits until ticket is committed: true; false with *err (kind unavailable, code
 * state_unwritable, a message naming the file and the cause) when its commit failed, the
 * store is in fault (no wait then: the writer is pausing before its retry, and the record
 * stays queued), or the disk did not answer in TOLK_STORE_WAIT_MS. */
bool tolk_store_wait(tolk_store *store, uint64_t ticket, tolk_error *err);

/* NULL when all is well, else why the state cannot be written (g_free it). */
char *tolk_store_fault(tolk_store *store);
/* True when the store is in fault for good (the file could not be opened as a state). */
bool tolk_store_refused(tolk_store *store);
/* Commits that failed, since start. */
uint64_t tolk_store_failures(tolk_store *store);

#endif
