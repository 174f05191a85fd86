/* SPDX-License-Identifier: EUPL-1.2 */
#include "api_access_log.h"

#include <stdio.h>
#include <string.h>

#include "access_log.h"

static void describe_grant(const api_call *call, const tolk_grant *grant, char out[API_CALLER_SIZE])
{
    const char *kind = tolk_grant_kind_name(grant->kind);
    tolk_session *session = tolk_app_find(call->app, grant->session);
    if (!session || grant->kind == TOLK_GRANT_FLOOR) {
        snprintf(out, API_CALLER_SIZE, "%s token %s", kind, grant->id);
        return;
    }
    char scope[TOLK_CONSOLE_ID_SIZE];
    if (grant->kind == TOLK_GRANT_CONSOLE)
        tolk_console_id(tolk_matrix_config_get(session->matrix), grant->booth, grant->console, scope, sizeof scope);
    else
        g_strlcpy(scope, tolk_matrix_channel_name(session->matrix, grant->channel), sizeof scope);
    snprintf(out, API_CALLER_SIZE, "%s token %s (%s)", kind, grant->id, scope);
}

void api_access_caller(const api_call *call, bool known, char out[API_CALLER_SIZE])
{
    if (!known)
        g_strlcpy(out, "a revoked token", API_CALLER_SIZE);
    else if (call->operator)
        g_strlcpy(out, "operator", API_CALLER_SIZE);
    else if (call->grant)
        describe_grant(call, call->grant, out);
    else
        g_strlcpy(out, "no token", API_CALLER_SIZE);
}

static bool changes_something(const char *method, const char *pattern)
{
    if (strcmp(method, "POST") != 0 && strcmp(method, "PUT") != 0 && strcmp(method, "PATCH") != 0 &&
        strcmp(method, "DELETE") != 0)
        return false;
    return !(strcmp(method, "PATCH") == 0 && g_str_has_suffix(pattern, "/webrtc/{rid}"));
}

/* The path from its route's pattern: a WebRTC resource id is the resource's capability
 * (webrtc.h), so it stays "{rid}"; the other segments are the request's, decoded. */
static void shown_path(const tolk_http_request *req, const char *pattern, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = pattern; *p && len + 1 < size;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            out[len++] = *p++;
            out[len] = '\0';
            continue;
        }
        char name[16];
        g_strlcpy(name, p + 1, MIN(sizeof name, (size_t)(close - p)));
        const char *value = strcmp(name, "rid") == 0 ? NULL : tolk_http_param(req, name);
        len += (size_t)snprintf(out + len, size - len, value ? "%s" : "{%s}", value ? value : name);
        len = MIN(len, size - 1);
        p = close + 1;
    }
}

/* The sitting a request concerns: its {sid}, or for a new sitting the one its Location names. */
static const char *sitting_of(const api_call *call, const char *pattern)
{
    const char *sid = tolk_http_param(call->req, "sid");
    if (sid || strcmp(pattern, SESSIONS) != 0 || call->resp->status != 201)
        return sid;
    for (int i = 0; i < call->resp->header_count; i++)
        if (g_ascii_strcasecmp(call->resp->headers[i].name, "Location") == 0 &&
            g_str_has_prefix(call->resp->headers[i].value, SESSIONS "/"))
            return call->resp->headers[i].value + strlen(SESSIONS "/");
    return NULL;
}

void api_access_log(const api_call *call, const char *pattern, const char *caller)
{
    const tolk_http_request *req = call->req;
    if (!changes_something(req->method, pattern))
        return;
    const char *lang = tolk_http_param(req, "lang"), *n = tolk_http_param(req, "n");
    char console[TOLK_CONSOLE_ID_SIZE * 2];
    if (lang && n)
        snprintf(console, sizeof console, "%s/%s", lang, n);
    tolk_log_where where = {.sitting = sitting_of(call, pattern),
                            .console = lang && n ? console : NULL,
                            .channel = tolk_http_param(req, "ch")};
    char path[256];
    shown_path(req, pattern, path, sizeof path);
    tolk_access_entry entry = {caller, req->method, path, call->resp->status, req->client_address};
    tolk_access_log_write(&where, &entry);
}
