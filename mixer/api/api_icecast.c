/* SPDX-License-Identifier: EUPL-1.2 */
/* PUT and DELETE .../channels/{ch}/icecast: a public channel's Icecast source (docs/icecast.md). */
#include <string.h>

#include "api_internal.h"
#include "icecast_json.h"
#include "keys.h"
#include "session_icecast.h"

static const tolk_json_field icecast_fields[] = {
    {.name = "url", .type = TOLK_JSON_STRING, .required = true, .max_length = TOLK_ICECAST_URL_SIZE - 1},
    {.name = "user", .type = TOLK_JSON_STRING, .max_length = TOLK_ICECAST_USER_SIZE - 1},
    {.name = "password", .type = TOLK_JSON_STRING, .required = true, .max_length = TOLK_ICECAST_PASSWORD_SIZE - 1},
    {.name = "listen_url", .type = TOLK_JSON_STRING_OR_NULL, .max_length = TOLK_ICECAST_URL_SIZE - 1},
    {.name = "name", .type = TOLK_JSON_STRING_OR_NULL, .max_length = TOLK_ICECAST_NAME_SIZE - 1},
    {.name = "description", .type = TOLK_JSON_STRING_OR_NULL, .max_length = TOLK_ICECAST_DESCRIPTION_SIZE - 1},
    {0},
};

static void copy_field(json_object *body, const char *name, char *out, size_t size, const char *fallback)
{
    json_object *value = NULL;
    const char *text = json_object_object_get_ex(body, name, &value) && value ? json_object_get_string(value) : NULL;
    g_strlcpy(out, text ? text : fallback, size);
}

/* A user or password goes into a Basic authorization header: no line breaks or colons in
 * the user (the table refused control characters already). */
static bool parse_icecast(json_object *body, tolk_icecast_config *cfg, tolk_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (!tolk_json_check(body, icecast_fields, err))
        return false;
    copy_field(body, "url", cfg->url, sizeof cfg->url, "");
    copy_field(body, "user", cfg->user, sizeof cfg->user, "source");
    copy_field(body, "password", cfg->password, sizeof cfg->password, "");
    copy_field(body, "listen_url", cfg->listen_url, sizeof cfg->listen_url, "");
    copy_field(body, "name", cfg->name, sizeof cfg->name, "");
    copy_field(body, "description", cfg->description, sizeof cfg->description, "");
    tolk_icecast_target target;
    const char *why;
    if (!tolk_icecast_url_parse(cfg->url, &target, &why)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "url", "Field \"url\" %s", why);
        return false;
    }
    if (cfg->listen_url[0] && !g_str_has_prefix(cfg->listen_url, "http://") &&
        !g_str_has_prefix(cfg->listen_url, "https://")) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "listen_url",
                       "Field \"listen_url\" must start with http:// or https://");
        return false;
    }
    if (!cfg->user[0] || strchr(cfg->user, ':')) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "user",
                       "Field \"user\" must be a name without a colon (default \"source\")");
        return false;
    }
    if (!cfg->password[0]) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "password",
                       "Field \"password\" must be the mount's source password");
        return false;
    }
    return true;
}

void api_put_icecast(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel < 0)
        return;
    tolk_icecast_config cfg;
    tolk_error err;
    if (!parse_icecast(call->req->body, &cfg, &err) || !tolk_session_set_icecast(session, channel, &cfg, &err))
        api_reply_error(call, &err);
    else
        tolk_http_reply_json(call->resp, 200, tolk_icecast_to_json(session, channel, true));
    tolk_key_wipe(&cfg, sizeof cfg);
}

void api_delete_icecast(api_call *call)
{
    tolk_session *session = api_find_session(call);
    int channel = session ? api_find_channel(call, session) : -1;
    if (channel < 0)
        return;
    if (!tolk_session_remove_icecast(session, channel)) {
        api_fail(call, TOLK_ERROR_NOT_FOUND, "icecast_not_found", "channel %s has no Icecast source",
                 tolk_matrix_channel_name(session->matrix, channel));
        return;
    }
    tolk_http_reply_empty(call->resp, 204);
}
