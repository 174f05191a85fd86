/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The sittings' durable state: every sitting as records in the store (session_record.h),
 * written when it changes, and read back at start.
 *  - tolk_app_unlock queues the record of every sitting changed in the section (and the
 *    removal of every sitting deleted in it) before it lets go of the lock;
 *    tolk_app_unlock_stored also waits, after the unlock, until they are on the disk: the
 *    API answers a change only then. No lock is held across the disk.
 *  - tolk_app_checkpoint (every second, and at a clean stop) queues the counters records
 *    and whatever changed without the API (rule 8 on the watchdog).
 * A store in fault never stops the audio: the sittings run on in memory, the records stay
 * queued and are retried, and tolk_app_state_fault says why for health, metrics and the
 * event streams.
 *
 * Threads: under the app lock, except tolk_app_state_fault (any thread) and the start-up
 * calls (before any other thread uses the app).
 */
#ifndef TOLK_APP_STATE_H
#define TOLK_APP_STATE_H

#include "app.h"
#include "store.h"

/* The store the app writes to from now on (NULL: none, nothing durable). */
void tolk_app_set_store(tolk_app *app, tolk_store *store);
/* Start-up: every sitting of the store, built with its ports, keys and streams of before
 * and its state put back. demo_env: the environment of a sitting whose floor is the demo's
 * file. Returns how many came back; one that cannot is logged and left in the store. */
unsigned tolk_app_restore(tolk_app *app, const tolk_session_env *demo_env);
/* Queues the counters (and changed records) of every sitting; the caller holds the lock. */
void tolk_app_checkpoint(tolk_app *app);
/* Why changes cannot be stored now (g_free it), or NULL. */
char *tolk_app_state_fault(tolk_app *app);
/* Commits that failed since start (for /metrics). */
uint64_t tolk_app_state_failures(tolk_app *app);

#endif
