/* SPDX-License-Identifier: EUPL-1.2 */
#include "app.h"

#include <stdio.h>
#include <string.h>

#define TOLK_LOG_MODULE "app"
#include "log.h"

tolk_session *tolk_app_find(tolk_app *app, const char *id)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        if (strcmp(session->id, id) == 0)
            return session;
    }
    return NULL;
}

static void generate_id(tolk_app *app, char id[TOLK_ID_SIZE])
{
    do
        snprintf(id, TOLK_ID_SIZE, "s%u", ++app->next_session);
    while (tolk_app_find(app, id));
}

tolk_session *tolk_app_create(tolk_app *app, const tolk_session_spec *spec, const tolk_session_env *env,
                              int *status, char *err, size_t err_size)
{
    if (spec->has_id && tolk_app_find(app, spec->id)) {
        *status = 409;
        snprintf(err, err_size, "session id %s is taken", spec->id);
        return NULL;
    }
    tolk_session_params *params = g_new0(tolk_session_params, 1);
    if (spec->has_id)
        g_strlcpy(params->id, spec->id, sizeof params->id);
    else
        generate_id(app, params->id);
    g_strlcpy(params->name, spec->name, sizeof params->name);
    if (spec->has_floor_language)
        g_strlcpy(params->floor_language, spec->floor_language, sizeof params->floor_language);
    params->matrix = spec->matrix;
    tolk_session *session = tolk_session_new(params, env ? env : &app->env, status, err, err_size);
    g_free(params);
    if (session)
        g_ptr_array_add(app->sessions, session);
    return session;
}

void tolk_app_delete(tolk_app *app, tolk_session *session)
{
    LOG_INFO("session %s deleted", session->id);
    g_ptr_array_remove(app->sessions, session);
    tolk_session_free(session);
}
