/* SPDX-License-Identifier: EUPL-1.2 */
#include "app_state.h"

#include <stdio.h>
#include <string.h>

#include "session_record.h"

#define TOLK_LOG_MODULE "state"
#include "log.h"

void tolk_app_set_store(tolk_app *app, tolk_store *store)
{
    app->store = store;
}

static void forget_text(char **text)
{
    if (*text)
        tolk_key_wipe(*text, strlen(*text));
    g_clear_pointer(text, g_free);
}

/* The sitting record, if it changed since it was last queued. */
static uint64_t queue_record(tolk_app *app, tolk_session *session)
{
    if (session->revision == session->stored_revision)
        return 0;
    session->stored_revision = session->revision;
    char *text = tolk_session_record(session, app->grants);
    if (session->stored_record && strcmp(text, session->stored_record) == 0) {
        forget_text(&text);
        return 0;
    }
    uint64_t ticket = tolk_store_put(app->store, TOLK_RECORD_SITTING, session->id, text);
    forget_text(&session->stored_record);
    session->stored_record = text;
    return ticket;
}

/* The daemon's id counters (tokens "t<n>", sittings "s<n>"): an id is never given twice,
 * not even one revoked or deleted before a restart. */
#define IDS_KIND "daemon"
#define IDS_ID "ids"

static uint64_t queue_ids(tolk_app *app)
{
    unsigned grant = tolk_grants_last_id(app->grants), session = app->next_session;
    if (app->stored_ids_known && grant == app->stored_last_grant && session == app->stored_next_session)
        return 0;
    app->stored_ids_known = true;
    app->stored_last_grant = grant;
    app->stored_next_session = session;
    char text[64];
    g_snprintf(text, sizeof text, "{\"last_grant\":%u,\"next_session\":%u}", grant, session);
    return tolk_store_put(app->store, IDS_KIND, IDS_ID, text);
}

static void restore_ids(const char *id, const char *text, void *ctx)
{
    tolk_app *app = ctx;
    unsigned grant = 0, session = 0;
    if (strcmp(id, IDS_ID) != 0 || sscanf(text, "{\"last_grant\":%u,\"next_session\":%u}", &grant, &session) != 2)
        return;
    tolk_grants_raise_last_id(app->grants, grant);
    app->next_session = MAX(app->next_session, session);
}

uint64_t tolk_app_queue_changes(tolk_app *app)
{
    if (!app->store)
        return 0;
    uint64_t ticket = queue_ids(app);
    for (guint i = 0; i < app->sessions->len; i++) {
        uint64_t queued = queue_record(app, g_ptr_array_index(app->sessions, i)); /* once: MAX is a macro */
        ticket = MAX(ticket, queued);
    }
    for (guint i = 0; i < app->detached->len; i++) {
        const tolk_session *gone = g_ptr_array_index(app->detached, i);
        tolk_store_put(app->store, TOLK_RECORD_COUNTERS, gone->id, NULL);
        ticket = tolk_store_put(app->store, TOLK_RECORD_SITTING, gone->id, NULL);
    }
    return ticket;
}

void tolk_app_checkpoint(tolk_app *app)
{
    if (!app->store)
        return;
    tolk_app_queue_changes(app);
    gint64 now = g_get_real_time();
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        /* An idle sitting's counters stand still: nothing to make, nothing to write. */
        uint64_t digest = tolk_session_counters_digest(session);
        if (session->has_counters && digest == session->counters_digest)
            continue;
        char *text = tolk_session_counters(session, now);
        tolk_store_put(app->store, TOLK_RECORD_COUNTERS, session->id, text);
        g_free(text);
        session->has_counters = true;
        session->counters_digest = digest;
    }
}

char *tolk_app_state_fault(tolk_app *app)
{
    return app->store ? tolk_store_fault(app->store) : NULL;
}

uint64_t tolk_app_state_failures(tolk_app *app)
{
    return app->store ? tolk_store_failures(app->store) : 0;
}

/* ---- start-up ---- */

static void keep_counters(const char *id, const char *text, void *ctx)
{
    g_hash_table_insert(ctx, g_strdup(id), g_strdup(text));
}

typedef struct {
    tolk_app *app;
    const tolk_session_env *demo_env;
    GHashTable *counters;
    gint64 now;
    unsigned restored;
} restore_run;

static void restore_one(const char *id, const char *text, void *ctx)
{
    restore_run *run = ctx;
    tolk_error err;
    tolk_session_saved *saved = tolk_session_saved_parse(text, g_hash_table_lookup(run->counters, id), run->now, &err);
    if (!saved) {
        LOG_ERROR_AT(TOLK_WHERE(.sitting = id), "not restored: %s (its record stays in the state file)", err.message);
        return;
    }
    const tolk_session_env *env = saved->floor_from_file ? run->demo_env : NULL;
    tolk_session *session = tolk_app_restore_session(run->app, saved, env, &err);
    if (!session) {
        LOG_ERROR_AT(TOLK_WHERE(.sitting = id), "not restored: %s (its record stays in the state file)", err.message);
    } else {
        tolk_session_restore_state(session, saved, run->app->grants);
        session->stored_record = g_strdup(text);
        session->stored_revision = session->revision;
        /* The record may differ from the rebuilt sitting's (a console the rules refused now): written anew. */
        session->revision++;
        run->restored++;
    }
    tolk_session_saved_free(saved);
}

unsigned tolk_app_restore(tolk_app *app, const tolk_session_env *demo_env)
{
    if (!app->store)
        return 0;
    gint64 started = g_get_monotonic_time();
    restore_run run = {.app = app, .demo_env = demo_env, .now = g_get_real_time(),
                       .counters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free)};
    tolk_store_load(app->store, IDS_KIND, restore_ids, app);
    tolk_store_load(app->store, TOLK_RECORD_COUNTERS, keep_counters, run.counters);
    tolk_store_load(app->store, TOLK_RECORD_SITTING, restore_one, &run);
    g_hash_table_unref(run.counters);
    if (run.restored > 0)
        LOG_INFO("%u sittings restored from %s in %lld ms", run.restored, tolk_store_path(app->store),
                 (long long)((g_get_monotonic_time() - started) / 1000));
    return run.restored;
}
