/* SPDX-License-Identifier: EUPL-1.2 */
#include "app.h"

#include "input_health.h"

#include <string.h>

#define TOLK_LOG_MODULE "app"
#include "log.h"

void tolk_app_init(tolk_app *app)
{
    g_mutex_init(&app->lock);
    app->sessions = g_ptr_array_new();
    app->detached = g_ptr_array_new();
    app->creating = g_ptr_array_new();
}

void tolk_app_lock(tolk_app *app)
{
    g_mutex_lock(&app->lock);
}

/* Unlocks and runs what the section left; *ticket: the records it queued (0: none). */
static bool unlock_queued(tolk_app *app, uint64_t *ticket)
{
    *ticket = tolk_app_queue_changes(app);
    tolk_teardown *teardown = tolk_teardown_new();
    for (guint i = 0; i < app->sessions->len; i++)
        tolk_session_collect(g_ptr_array_index(app->sessions, i), teardown);
    for (guint i = 0; i < app->detached->len; i++)
        tolk_teardown_add_session(teardown, g_ptr_array_index(app->detached, i));
    g_ptr_array_set_size(app->detached, 0);
    g_mutex_unlock(&app->lock);
    return tolk_teardown_run(teardown);
}

bool tolk_app_unlock(tolk_app *app)
{
    uint64_t ticket;
    return unlock_queued(app, &ticket);
}

bool tolk_app_unlock_stored(tolk_app *app, tolk_error *err)
{
    uint64_t ticket;
    bool carried = unlock_queued(app, &ticket);
    if (ticket && !tolk_store_wait(app->store, ticket, err))
        return false;
    if (!carried)
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "the audio did not take the change in time");
    return carried;
}

tolk_session *tolk_app_find(tolk_app *app, const char *id)
{
    if (!id)
        return NULL;
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        if (strcmp(session->id, id) == 0)
            return session;
    }
    return NULL;
}

void tolk_app_delete(tolk_app *app, tolk_session *session)
{
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id), "closed");
    tolk_grants_remove_session(app->grants, session->id);
    g_ptr_array_remove(app->sessions, session);
    tolk_hub_close(session->hub); /* its event streams end now, not after the teardown */
    g_ptr_array_add(app->detached, session);
}

/* An input's level and health state into the levels event, so pages see a failing input
 * within 250 ms without a session event. */
static void add_input_level(json_object *inputs, json_object *states, tolk_session *session, int slot,
                            const char *id)
{
    json_object_object_add(inputs, id, json_object_new_double(tolk_session_input_level(session, slot)));
    json_object_object_add(states, id, json_object_new_string(tolk_input_state_name(tolk_session_input_state(session, slot))));
}

static json_object *session_levels(tolk_session *session)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    json_object *inputs = json_object_new_object();
    json_object *states = json_object_new_object();
    for (tolk_input in = TOLK_EACH_INPUT; tolk_input_next(config, &in);)
        add_input_level(inputs, states, session, in.slot, in.id);
    json_object *channels = json_object_new_object();
    json_object *listeners = json_object_new_object();
    for (int ch = 0; ch <= config->channel_count; ch++) {
        const char *name = tolk_matrix_channel_name(session->matrix, ch);
        json_object_object_add(channels, name, json_object_new_double(tolk_session_channel_level(session, ch)));
        json_object_object_add(listeners, name, json_object_new_int(tolk_session_channel_listeners(session, ch)));
    }
    json_object *levels = json_object_new_object();
    json_object_object_add(levels, "inputs", inputs);
    json_object_object_add(levels, "input_states", states);
    json_object_object_add(levels, "channels", channels);
    /* Here rather than in a session event: a WHEP listener coming or going is no
     * change of the sitting worth rendering the whole session for every reader. */
    json_object_object_add(levels, "listeners", listeners);
    return levels;
}

/* Nobody watches: the meters still start afresh, so that the first levels a reader gets are of
 * the last quarter second, not of everything since the last reader left. */
static void drop_levels(tolk_session *session)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    for (tolk_input in = TOLK_EACH_INPUT; tolk_input_next(config, &in);)
        tolk_session_input_level(session, in.slot);
    for (int ch = 0; ch <= config->channel_count; ch++)
        tolk_session_channel_level(session, ch);
}

void tolk_app_publish_levels(tolk_app *app)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        /* Levels are of the moment: with nobody watching there is nothing to keep. Loudness
         * warnings are counted for /metrics whoever watches. */
        if (tolk_hub_has_readers(session->hub))
            tolk_hub_publish(session->hub, "levels", session_levels(session));
        else
            drop_levels(session);
        tolk_session_poll_loudness(session);
        tolk_session_video_watch(session->video);
    }
}

void tolk_app_close_streams(tolk_app *app)
{
    tolk_app_lock(app);
    app->stopping = true;
    for (guint i = 0; i < app->sessions->len; i++)
        tolk_hub_close(((tolk_session *)g_ptr_array_index(app->sessions, i))->hub);
    tolk_app_unlock(app);
}
