/* SPDX-License-Identifier: EUPL-1.2 */
/* A new session in three steps, so that the app lock is held for the checks only:
 * reserve (the id, a place under --max-sessions) under the lock, build (ports, keys,
 * the pipelines: hundreds of milliseconds for a plenary) without it, commit (into
 * the registry) under it again. */
#include "app.h"

#include "session_record.h"

#include <stdio.h>
#include <string.h>

#define TOLK_LOG_MODULE "app"
#include "log.h"

struct tolk_app_creation {
    tolk_session_params params;
    tolk_floor_aes67_spec floor_aes67; /* the floor's AES67 source, taken once built */
    const tolk_session_env *env;
    tolk_session *session; /* built outside the lock; NULL once the registry has it */
    tolk_error err;        /* why the build failed */
};

/* In the registry, or reserved by a creation under way. */
static bool id_taken(tolk_app *app, const char *id)
{
    if (tolk_app_find(app, id))
        return true;
    for (guint i = 0; i < app->creating->len; i++) {
        const tolk_app_creation *creation = g_ptr_array_index(app->creating, i);
        if (strcmp(creation->params.id, id) == 0)
            return true;
    }
    return false;
}

static void generate_id(tolk_app *app, char id[TOLK_SESSION_ID_SIZE])
{
    do
        snprintf(id, TOLK_SESSION_ID_SIZE, "s%u", ++app->next_session);
    while (id_taken(app, id));
}

/* What refuses a creation before anything is built; false with *err. */
static bool may_create(tolk_app *app, const tolk_session_spec *spec, const tolk_session_env *spec_env, bool capped,
                       tolk_error *err)
{
    if (app->stopping) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "the daemon is stopping");
        return false;
    }
    if (capped && app->sessions->len + app->creating->len >= app->max_sessions) {
        tolk_error_set(err, TOLK_ERROR_LIMIT, "limit_reached", NULL,
                       "this daemon runs at most %u sessions (--max-sessions); delete one first", app->max_sessions);
        return false;
    }
    if (spec->has_id && id_taken(app, spec->id)) {
        tolk_error_set(err, TOLK_ERROR_CONFLICT, "session_exists", "id", "session id %s is taken", spec->id);
        return false;
    }
    const tolk_session_env *env = spec_env ? spec_env : &app->env;
    if (spec->floor_aes67.on && !env->allow_plain_rtp) {
        tolk_error_set(err, TOLK_ERROR_FORBIDDEN, "plain_rtp_not_allowed", "floor_aes67",
                       "the daemon refuses plain RTP; start it with --allow-plain-rtp on a closed hall network");
        return false;
    }
    tolk_result result;
    if (!tolk_config_validate(&spec->matrix, &result)) {
        tolk_error_from_result(err, &result);
        return false;
    }
    return true;
}

tolk_app_creation *tolk_app_reserve(tolk_app *app, const tolk_session_spec *spec, const tolk_session_env *env,
                                    bool capped, tolk_error *err)
{
    if (!may_create(app, spec, env, capped, err))
        return NULL;
    tolk_app_creation *creation = g_new0(tolk_app_creation, 1);
    tolk_session_params *params = &creation->params;
    if (spec->has_id)
        g_strlcpy(params->id, spec->id, sizeof params->id);
    else
        generate_id(app, params->id);
    g_strlcpy(params->name, spec->name, sizeof params->name);
    if (spec->has_floor_language)
        g_strlcpy(params->floor_language, spec->floor_language, sizeof params->floor_language);
    params->matrix = spec->matrix;
    params->video_codec = TOLK_VIDEO_VP8;
    if (spec->video_codec[0])
        tolk_video_codec_from_word(spec->video_codec, &params->video_codec);
    creation->floor_aes67 = spec->floor_aes67;
    creation->env = env ? env : &app->env;
    g_ptr_array_add(app->creating, creation);
    return creation;
}

/* The message with `Field "name"` written `Field "PREFIXname"`. */
static gchar *prefixed_field(const char *message, const char *name, const char *prefix)
{
    gchar *from = g_strdup_printf("Field \"%s\"", name), *to = g_strdup_printf("Field \"%s%s\"", prefix, name);
    GString *out = g_string_new(message);
    g_string_replace(out, from, to, 1);
    g_free(from);
    g_free(to);
    return g_string_free(out, FALSE);
}

/* The floor's AES67 source of the spec: an SDP refused, a channel it lacks, a socket not had
 * refuse the whole creation. By SAP name it is waited for (the next announcement brings it). */
static bool take_floor_aes67(tolk_app_creation *creation)
{
    const tolk_floor_aes67_spec *a = &creation->floor_aes67;
    tolk_error *err = &creation->err;
    if (!a->on || tolk_session_set_aes67(creation->session, -1, a->sdp[0] ? a->sdp : NULL, a->sap[0] ? a->sap : NULL,
                                         a->channel, NULL, err))
        return true;
    tolk_session_free(g_steal_pointer(&creation->session));
    if (err->field[0]) { /* "sdp" and "channel" are under "floor_aes67" here */
        gchar *message = prefixed_field(err->message, err->field, "floor_aes67.");
        gchar *field = g_strconcat("floor_aes67.", err->field, NULL);
        char code[sizeof err->code];
        g_strlcpy(code, err->code, sizeof code);
        tolk_error_set(err, err->kind, code, field, "%s", message);
        g_free(field);
        g_free(message);
    }
    return false;
}

bool tolk_app_build(tolk_app_creation *creation)
{
    creation->session = tolk_session_new(&creation->params, creation->env, &creation->err);
    return creation->session != NULL && take_floor_aes67(creation);
}

tolk_session *tolk_app_commit(tolk_app *app, tolk_app_creation *creation, tolk_error *err)
{
    g_ptr_array_remove(app->creating, creation);
    if (!creation->session) {
        *err = creation->err;
        return NULL;
    }
    if (app->stopping) {
        LOG_INFO_AT(TOLK_WHERE(.sitting = creation->params.id), "not added: the daemon is stopping");
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "the daemon is stopping");
        return NULL; /* tolk_app_creation_free stops it, after the unlock */
    }
    tolk_session *session = g_steal_pointer(&creation->session);
    g_ptr_array_add(app->sessions, session);
    return session;
}

void tolk_app_creation_free(tolk_app_creation *creation)
{
    if (!creation)
        return;
    tolk_session_free(creation->session);
    g_free(creation);
}

tolk_session *tolk_app_restore_session(tolk_app *app, const tolk_session_saved *saved, const tolk_session_env *env,
                                       tolk_error *err)
{
    if (id_taken(app, saved->params.id)) {
        tolk_error_set(err, TOLK_ERROR_CONFLICT, "session_exists", "id", "session id %s is taken", saved->params.id);
        return NULL;
    }
    tolk_app_creation *creation = g_new0(tolk_app_creation, 1);
    creation->params = saved->params;
    creation->env = env ? env : &app->env;
    g_ptr_array_add(app->creating, creation);
    tolk_app_build(creation);
    tolk_session *session = tolk_app_commit(app, creation, err);
    tolk_app_creation_free(creation);
    return session;
}

tolk_session *tolk_app_create(tolk_app *app, const tolk_session_spec *spec, const tolk_session_env *env,
                              tolk_error *err)
{
    tolk_app_creation *creation = tolk_app_reserve(app, spec, env, false, err);
    if (!creation)
        return NULL;
    tolk_app_build(creation);
    tolk_session *session = tolk_app_commit(app, creation, err);
    tolk_app_creation_free(creation);
    return session;
}
