/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The daemon's state: every running session, the port range, the operator token.
 * One lock guards it all: the API's handlers and the input watchdog take it for the
 * whole of their work, so a session is never seen half-changed. The rule, with
 * no exception: the lock guards short state changes only. Whatever waits for
 * media (a pipeline that stops, mixers that take new gains, ICE gathering)
 * happens after tolk_app_unlock, which runs what the section left (teardown.h).
 */
#ifndef TOLK_APP_H
#define TOLK_APP_H

#include <glib.h>

#include "error.h"
#include "grants.h"
#include "session.h"
#include "session_spec.h"

typedef struct {
    GMutex lock;
    GPtrArray *sessions; /* tolk_session*, in creation order */
    tolk_ports *ports;
    tolk_session_env env;
    char *token;
    gint64 lost_timeout_us; /* rule 8 */
    unsigned next_session;   /* for generated session ids */
    unsigned max_sessions;   /* --max-sessions: a create past it is refused (limit_reached) */
    tolk_grants *grants;         /* console, listener and floor tokens */
    tolk_webrtc_config webrtc;   /* STUN/TURN, ICE addresses and ports */
    GPtrArray *detached;         /* tolk_session*: deleted in this section, freed after it */
} tolk_app;

/* Sets up the lock and the session lists; the caller fills the rest. */
void tolk_app_init(tolk_app *app);
void tolk_app_lock(tolk_app *app);
/* Unlocks, then runs what the section left: stops the pipelines of deleted
 * sessions and removed peers, and waits until the mixers carry the route
 * changes made (so a reply sent after this comes after the audio change).
 * False when a mixer did not take its gains in time. */
bool tolk_app_unlock(tolk_app *app);

/* Finds a session by id; the caller holds the lock. */
tolk_session *tolk_app_find(tolk_app *app, const char *id);
/* Creates a session and adds it; the caller holds the lock. env NULL: the app's.
 * NULL with *err filled on failure: conflict (session_exists) for an id in use, or
 * tolk_session_new()'s. */
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
