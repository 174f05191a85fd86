/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The daemon's state: every running session, the port range, the operator token.
 * One lock guards it all: the API's handlers and the input watchdog take it for the
 * whole of their work, so a session is never seen half-changed. The rule, with
 * no exception: the lock guards short state changes only. Whatever waits for
 * media (a pipeline that stops, mixers that take new gains, ICE gathering)
 * happens after tolk_app_unlock, which runs what the section left (teardown.h);
 * a new session is built between a reservation and a commit, without the lock.
 */
#ifndef TOLK_APP_H
#define TOLK_APP_H

#include <glib.h>

#include "error.h"
#include "grants.h"
#include "session.h"
#include "session_spec.h"
#include "store.h"

typedef struct {
    GMutex lock;
    GPtrArray *sessions; /* tolk_session*, in creation order */
    tolk_ports *ports;
    tolk_session_env env;
    char *token;
    char *metrics_token;    /* --metrics-token: GET /metrics only; NULL none */
    gint64 lost_timeout_us; /* rule 8 */
    unsigned next_session;   /* for generated session ids */
    unsigned max_sessions;   /* --max-sessions: a create past it is refused (limit_reached) */
    tolk_grants *grants;         /* console, listener and floor tokens */
    tolk_webrtc_config webrtc;   /* STUN/TURN, ICE addresses and ports */
    GPtrArray *detached;         /* tolk_session*: deleted in this section, freed after it */
    GPtrArray *creating;         /* tolk_app_creation*: ids and places held while built */
    bool stopping;               /* set by tolk_app_close_streams: no session is added past it */
    tolk_store *store;           /* the durable state (app_state.h), or NULL */
    bool stored_ids_known;       /* app_state.c: the id counters as last queued */
    unsigned stored_last_grant, stored_next_session;
    tolk_sap_directory *sap;     /* sap_listen.h: the hall's AES67 announcements, or NULL */
    int sap_fd;
    guint sap_watch, sap_timer;
} tolk_app;

/* A session on its way into the registry (app_create.c). */
typedef struct tolk_app_creation tolk_app_creation;

/* Sets up the lock and the session lists; the caller fills the rest. */
void tolk_app_init(tolk_app *app);
void tolk_app_lock(tolk_app *app);
/* Unlocks, then runs what the section left: stops the pipelines of deleted
 * sessions and removed peers, and waits until the mixers carry the route
 * changes made (so a reply sent after this comes after the audio change).
 * False when a mixer did not take its gains in time. */
bool tolk_app_unlock(tolk_app *app);
/* The same, and then waits until the records of the sittings changed in the section are on
 * the disk (app_state.h): false with *err (state_unwritable) when they could not be
 * written; the changes are in force all the same. */
bool tolk_app_unlock_stored(tolk_app *app, tolk_error *err);
/* Queues the records of the sittings changed (or deleted) since; the last ticket, 0 when
 * nothing changed. The caller holds the lock (tolk_app_unlock calls it). */
uint64_t tolk_app_queue_changes(tolk_app *app);

/* Finds a session by id; the caller holds the lock. */
tolk_session *tolk_app_find(tolk_app *app, const char *id);
/* A new session in the lock's outside/commit pattern (api_call in the API layer):
 * Under the lock: checks and holds the id (generated when the spec has none) and,
 * when capped, a place under --max-sessions; validates the configuration. NULL with
 * *err: unavailable (stopping), limit (limit_reached), conflict (session_exists,
 * also for an id another creation holds), invalid. env NULL: the app's; it must
 * outlive the creation. */
tolk_app_creation *tolk_app_reserve(tolk_app *app, const tolk_session_spec *spec, const tolk_session_env *env,
                                    bool capped, tolk_error *err);
/* Without the lock: builds the session and starts its media (tolk_session_new). The
 * creation is the caller's alone; false when it failed (commit says why). */
bool tolk_app_build(tolk_app_creation *creation);
/* Under the lock, after the build, always once: releases the reservation and adds the
 * session to the registry. NULL with *err when the build failed or the daemon began
 * stopping meanwhile; such a session is freed by tolk_app_creation_free. */
tolk_session *tolk_app_commit(tolk_app *app, tolk_app_creation *creation, tolk_error *err);
/* After the unlock: frees the creation and a session that did not get in (which waits
 * for its pipelines to stop). NULL is a no-op. */
void tolk_app_creation_free(tolk_app_creation *creation);
/* Start-up: a sitting of before a restart, built from its record (session_record.h) with
 * the same id, ports and keys; env NULL: the app's. NULL with *err when it cannot be. */
tolk_session *tolk_app_restore_session(tolk_app *app, const tolk_session_saved *saved, const tolk_session_env *env,
                                       tolk_error *err);
/* The three steps at once, not capped, without taking the lock: for start-up sittings
 * (--session files, the demo) before any other thread uses the app. */
tolk_session *tolk_app_create(tolk_app *app, const tolk_session_spec *spec, const tolk_session_env *env,
                              tolk_error *err);
/* Removes a session, whose media stops at the unlock; the caller holds the lock. */
void tolk_app_delete(tolk_app *app, tolk_session *session);

/* Publishes every session's input and channel levels (a "levels" event); the
 * caller holds the lock. */
void tolk_app_publish_levels(tolk_app *app);
/* Ends every event stream, so that the server serving them can stop; takes the lock. */
void tolk_app_close_streams(tolk_app *app);

#endif
