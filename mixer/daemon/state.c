/* SPDX-License-Identifier: EUPL-1.2 */
#include "state.h"

#include <stdio.h>
#include <string.h>

#include "app_state.h"
#include "keys.h"

#define TOLK_LOG_MODULE "state"
#include "log.h"

/* The one recorder of the daemon (recorder.h), in --recordings-dir or under the state folder:
 * made once the store has made that folder private, before the sittings that record again. */
static void start_recorder(tolk_app *app, const tolk_options *options)
{
    gchar *dir = options->recordings_dir ? g_strdup(options->recordings_dir)
                 : options->state_dir      ? g_build_filename(options->state_dir, "recordings", NULL)
                                           : NULL;
    if (dir)
        app->env.recorder = tolk_recorder_new(dir, options->recording_segment_minutes * 60);
    else
        LOG_INFO("no recordings folder (--recordings-dir, --state-dir): recording is unavailable");
    g_free(dir);
}

bool tolk_daemon_state_start(tolk_app *app, const tolk_options *options)
{
    if (!options->state_dir) {
        fprintf(stderr, "tolk: give --state-dir DIR: run from its build tree, tolk has no state folder of its own "
                        "(installed, it is " TOLK_STATE_DIR ")\n");
        return false;
    }
    tolk_error err;
    tolk_store *store = tolk_store_open(options->state_dir, &err);
    if (!store) {
        fprintf(stderr, "tolk: --state-dir: %s\n", err.message);
        return false;
    }
    tolk_app_set_store(app, store);
    start_recorder(app, options);
    tolk_session_env demo_env = app->env;
    demo_env.floor_from_file = true;
    demo_env.floor_file = options->demo_floor;
    tolk_app_restore(app, &demo_env);
    return true;
}

#define TOKEN_KIND "daemon"
#define TOKEN_ID "operator_token"
#define TOKEN_BYTES 24

static void keep_token(const char *id, const char *text, void *ctx)
{
    if (strcmp(id, TOKEN_ID) == 0 && !*(char **)ctx)
        *(char **)ctx = g_strdup(text);
}

char *tolk_daemon_state_operator_token(tolk_app *app)
{
    char *token = NULL;
    tolk_store_load(app->store, TOKEN_KIND, keep_token, &token);
    if (token) {
        printf("Operator token: the one made at the first start, kept in %s\n", tolk_store_path(app->store));
        fflush(stdout);
        return token;
    }
    token = g_malloc(TOLK_TOKEN_TEXT_SIZE(TOKEN_BYTES));
    if (!tolk_random_token(TOKEN_BYTES, TOLK_TOKEN_BASE64URL, token, TOLK_TOKEN_TEXT_SIZE(TOKEN_BYTES))) {
        g_free(token);
        return NULL;
    }
    tolk_error err;
    bool kept = tolk_store_wait(app->store, tolk_store_put(app->store, TOKEN_KIND, TOKEN_ID, token), &err);
    printf("Operator token (shown once%s): %s\n", kept ? ", kept in the state for the next starts" : "", token);
    fflush(stdout);
    return token;
}

/* Every event stream hears when the state stops (or starts again) being written. */
static void tell_sittings(tolk_app *app, const char *fault)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        json_object *data = json_object_new_object();
        json_object_object_add(data, "ok", json_object_new_boolean(fault == NULL));
        json_object_object_add(data, "error", fault ? json_object_new_string(fault) : NULL);
        tolk_hub_publish(session->hub, "state", data);
    }
}

static gboolean checkpoint(gpointer data)
{
    tolk_app *app = data;
    static char *told; /* the fault the streams last heard of; NULL: none */
    tolk_app_lock(app);
    tolk_app_checkpoint(app);
    char *fault = tolk_app_state_fault(app);
    if (g_strcmp0(fault, told) != 0) {
        tell_sittings(app, fault);
        g_free(told);
        told = g_strdup(fault);
    }
    g_free(fault);
    tolk_app_unlock(app);
    return G_SOURCE_CONTINUE;
}

void tolk_daemon_state_watch(tolk_app *app)
{
    g_timeout_add(TOLK_CHECKPOINT_INTERVAL_MS, checkpoint, app);
}

void tolk_daemon_state_stop(tolk_app *app)
{
    if (!app->store)
        return;
    tolk_app_lock(app);
    tolk_app_checkpoint(app);
    tolk_app_unlock(app);
    tolk_store_close(app->store);
    app->store = NULL;
}
