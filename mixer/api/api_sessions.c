/* SPDX-License-Identifier: EUPL-1.2 */
/* The v1 core (api-v1.md): sessions, consoles, outputs, metrics (/healthz: api_health.c). */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"

#define TOLK_LOG_MODULE "api"
#include "log.h"

void api_get_metrics(api_call *call)
{
    char *text = tolk_metrics_render(call->app, call->http);
    tolk_http_reply_text(call->resp, 200, "text/plain; version=0.0.4; charset=utf-8", text);
    g_free(text);
}

void api_list_sessions(api_call *call)
{
    json_object *list = json_object_new_array();
    for (guint i = 0; i < call->app->sessions->len; i++)
        json_object_array_add(list, tolk_session_to_json(g_ptr_array_index(call->app->sessions, i), true));
    json_object *body = json_object_new_object();
    json_object_object_add(body, "sessions", list);
    tolk_http_reply_json(call->resp, 200, body);
}

/* POST sessions in the dispatch's outside/commit pattern: the id and the place
 * are held under the lock, the pipelines start without it. */
static void build_session(api_call *call)
{
    tolk_app_build(call->ctx);
}

static void commit_session(api_call *call)
{
    tolk_error err;
    tolk_session *session = tolk_app_commit(call->app, call->ctx, &err);
    if (!session) {
        api_reply_error(call, &err);
        return;
    }
    char location[96];
    snprintf(location, sizeof location, SESSIONS "/%s", session->id);
    api_reply_created(call, tolk_session_to_json(session, true), location);
}

static void finish_session(api_call *call)
{
    tolk_app_creation_free(call->ctx);
}

void api_create_session(api_call *call)
{
    tolk_session_spec *spec = g_new0(tolk_session_spec, 1);
    tolk_error err;
    tolk_app_creation *creation = NULL;
    if (tolk_parse_session_create(call->req->body, spec, &err))
        creation = tolk_app_reserve(call->app, spec, NULL, true, &err);
    g_free(spec);
    if (!creation) {
        api_reply_error(call, &err);
        return;
    }
    api_defer(call, creation, build_session, commit_session, finish_session);
}

void api_get_session(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (session)
        tolk_http_reply_json(call->resp, 200, tolk_session_to_json(session, call->operator));
}

static void apply_session_patch(tolk_session *session, const tolk_session_patch *patch)
{
    if (patch->has_interlock)
        tolk_session_set_interlock(session, patch->interlock);
    if (patch->has_idle_channel)
        tolk_session_set_idle_channel(session, patch->idle_channel);
    if (patch->has_original_under)
        tolk_session_set_original_under(session, patch->original_under, patch->original_under_db);
    if (patch->has_sound_check)
        tolk_session_set_sound_check(session, patch->sound_check);
    /* The settings above tell the pages themselves (they change the route). */
    tolk_session_set_details(session, patch->has_name ? patch->name : NULL,
                             patch->has_floor_language ? patch->floor_language : NULL);
}

void api_patch_session(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    tolk_session_patch patch;
    tolk_error err;
    if (!tolk_parse_session_patch(call->req->body, tolk_matrix_config_get(session->matrix), &patch, &err)) {
        api_reply_error(call, &err);
        return;
    }
    apply_session_patch(session, &patch);
    tolk_http_reply_json(call->resp, 200, tolk_session_to_json(session, true));
}

void api_delete_session(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (!session)
        return;
    tolk_app_delete(call->app, session);
    tolk_http_reply_empty(call->resp, 204);
}

/* The output caps: 409 limit_reached naming the cap, false past one. */
static bool output_fits(api_call *call, tolk_session *session, int channel, int slot)
{
    int of_stream = 0;
    for (guint i = 0; i < session->outputs->len; i++) {
        const tolk_session_output *output = g_ptr_array_index(session->outputs, i);
        of_stream += channel >= 0 ? output->channel == channel : output->slot == slot;
    }
    if (of_stream >= TOLK_MAX_STREAM_OUTPUTS) {
        api_fail(call, TOLK_ERROR_LIMIT, "limit_reached", "a %s has at most %d outputs; delete one first",
                 channel >= 0 ? "channel" : "return feed", TOLK_MAX_STREAM_OUTPUTS);
        return false;
    }
    if (session->outputs->len >= TOLK_MAX_SESSION_OUTPUTS) {
        api_fail(call, TOLK_ERROR_LIMIT, "limit_reached", "session %s has at most %d outputs; delete one first",
                 session->id, TOLK_MAX_SESSION_OUTPUTS);
        return false;
    }
    return true;
}

/* Adds an output to a channel (slot < 0) or a return feed (channel < 0). */
static void create_output(api_call *call, tolk_session *session, int channel, int slot)
{
    tolk_output_spec spec;
    tolk_error err;
    if (!tolk_parse_output_create(call->req->body, &spec, &err)) {
        api_reply_error(call, &err);
        return;
    }
    if (!spec.encrypted && !call->app->env.allow_plain_rtp) {
        api_fail(call, TOLK_ERROR_FORBIDDEN, "plain_rtp_not_allowed",
                 "the daemon refuses plain RTP; start it with --allow-plain-rtp on a closed hall network");
        return;
    }
    if (!output_fits(call, session, channel, slot))
        return;
    const tolk_session_output *existing = tolk_session_find_destination(session, channel, slot, spec.host, spec.port);
    if (existing) {
        api_fail(call, TOLK_ERROR_CONFLICT, "output_exists", "output %s already sends this stream to %s port %d",
                 existing->id, spec.host, spec.port);
        return;
    }
    tolk_session_aes67_params aes67 = {
        .encoding = spec.encoding_bits == 16 ? TOLK_AES67_L16 : TOLK_AES67_L24,
        .frame_samples = spec.frame_samples,
        .ttl = spec.ttl,
        .sap = spec.sap,
        .name = spec.name,
    };
    const tolk_session_output *output =
        spec.aes67 ? tolk_session_add_aes67_output(session, channel, slot, spec.host, spec.port, &aes67, &err)
                   : tolk_session_add_output(session, channel, slot, spec.host, spec.port, spec.own_key, &err);
    if (!output) {
        api_reply_error(call, &err);
        return;
    }
    char location[256];
    snprintf(location, sizeof location, "%s/%s", call->req->path, output->id);
    api_reply_created(call, tolk_output_to_json(session, output), location);
}

/* Removes output {oid} if it belongs to that channel or return feed. */
static void delete_output(api_call *call, tolk_session *session, int channel, int slot)
{
    const char *oid = tolk_http_param(call->req, "oid");
    const tolk_session_output *output = tolk_session_find_output(session, oid);
    if (!output || output->channel != channel || (channel < 0 && output->slot != slot)) {
        api_fail(call, TOLK_ERROR_NOT_FOUND, "output_not_found", "there is no output %s here", oid);
        return;
    }
    tolk_session_remove_output(session, oid);
    tolk_http_reply_empty(call->resp, 204);
}

void api_create_channel_output(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel >= 0)
        create_output(call, session, channel, -1);
}

void api_delete_channel_output(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel >= 0)
        delete_output(call, session, channel, -1);
}

void api_create_console_output(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (session && api_find_console(call, session, &booth, &console))
        create_output(call, session, -1, TOLK_SLOT(booth, console));
}

void api_delete_console_output(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (session && api_find_console(call, session, &booth, &console))
        delete_output(call, session, -1, TOLK_SLOT(booth, console));
}

/* The outputs of a channel or return feed after a new shared key: their new SDPs. */
static void reply_rekeyed(api_call *call, tolk_session *session, int channel, int slot, const char *name,
                          const char *id)
{
    json_object *list = json_object_new_array();
    for (guint i = 0; i < session->outputs->len; i++) {
        const tolk_session_output *output = g_ptr_array_index(session->outputs, i);
        if (channel >= 0 ? output->channel == channel : output->slot == slot)
            json_object_array_add(list, tolk_output_to_json(session, output));
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, name, json_object_new_string(id));
    json_object_object_add(body, "outputs", list);
    tolk_http_reply_json(call->resp, 200, body);
}

void api_rekey_channel(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel < 0)
        return;
    tolk_error err;
    if (!tolk_session_rekey_channel(session, channel, &err)) {
        api_reply_error(call, &err);
        return;
    }
    reply_rekeyed(call, session, channel, -1, "channel", tolk_matrix_channel_name(session->matrix, channel));
}

void api_rekey_feed(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (!session || !api_find_console(call, session, &booth, &console))
        return;
    tolk_error err;
    if (!tolk_session_rekey_feed(session, booth, console, &err)) {
        api_reply_error(call, &err);
        return;
    }
    char id[TOLK_CONSOLE_ID_SIZE];
    tolk_console_id(tolk_matrix_config_get(session->matrix), booth, console, id, sizeof id);
    reply_rekeyed(call, session, -1, TOLK_SLOT(booth, console), "console", id);
}

/* A new key for one input (slot -1: the floor); its port stays. */
static void rekey_input(api_call *call, tolk_session *session, int slot)
{
    tolk_error err;
    if (!tolk_session_rekey_input(session, slot, &err)) {
        api_reply_error(call, &err);
        return;
    }
    tolk_http_reply_json(call->resp, 200, tolk_input_to_json(session, slot));
}

void api_rekey_floor_input(api_call *call)
{
    tolk_session *session = api_find_session(call);
    if (session)
        rekey_input(call, session, -1);
}

void api_rekey_console_input(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (session && api_find_console(call, session, &booth, &console))
        rekey_input(call, session, TOLK_SLOT(booth, console));
}

void api_get_console(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (session && api_find_console(call, session, &booth, &console))
        tolk_http_reply_json(call->resp, 200, tolk_console_to_json(session, booth, console, call->operator));
}

void api_patch_console(api_call *call)
{
    int booth, console;
    tolk_session *session = api_find_session(call);
    if (!session || !api_find_console(call, session, &booth, &console))
        return;
    tolk_console_patch patch;
    tolk_error err;
    if (!tolk_parse_console_patch(call->req->body, tolk_matrix_config_get(session->matrix), booth, &patch, &err)) {
        api_reply_error(call, &err);
        return;
    }
    if (!tolk_session_patch_console(session, booth, console, &patch, &err))
        api_reply_error(call, &err);
    else
        tolk_http_reply_json(call->resp, 200, tolk_console_to_json(session, booth, console, call->operator));
}
