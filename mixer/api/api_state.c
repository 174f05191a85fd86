/* SPDX-License-Identifier: EUPL-1.2 */
/* What each route does to the durable state (app_state.h), and the dispatch's part in it: a
 * change is refused up front while the state cannot be written, and answered only once it is
 * on the disk. Threads: the dispatch's, around the handlers. */
#include <string.h>

#include "api_internal.h"
#include "app_state.h"

api_state api_state_of(const char *method, const char *pattern, unsigned flags)
{
    if (strcmp(method, "GET") == 0)
        return API_STATE_READ;
    if ((flags & TOLK_ROUTE_SLOW) || strstr(pattern, "/webrtc/"))
        return API_STATE_MEDIA;
    if ((strcmp(method, "PATCH") == 0 && strcmp(pattern, CONSOLE) == 0) || strcmp(pattern, SESSION "/signals") == 0 ||
        strcmp(pattern, SESSION "/signals/{gid}") == 0)
        return API_STATE_LIVE;
    return API_STATE_CHANGE;
}

/* A change that could not be stored is refused before it is made. */
bool api_refused_unstorable(api_call *call)
{
    char *fault = tolk_app_state_fault(call->app);
    if (fault)
        api_fail(call, TOLK_ERROR_UNAVAILABLE, "state_unwritable", "refused, as it could not be stored: %s", fault);
    g_free(fault);
    return fault != NULL;
}

/* The path's sitting may have changed in ways it does not see itself (tokens, signals). */
void api_touch_session(api_call *call)
{
    tolk_session *session = tolk_app_find(call->app, tolk_http_param(call->req, "sid"));
    if (session)
        tolk_session_touch(session);
}

/* Ends a section; a change is answered once it is on the disk, or refused as not stored. */
void api_end_section(api_call *call, api_state state)
{
    if (state != API_STATE_CHANGE && state != API_STATE_LIVE) {
        tolk_app_unlock(call->app);
        return;
    }
    /* A live control whose commit fails stays in force and is stored once it can be: its
     * answer stands. */
    tolk_error err;
    if (!tolk_app_unlock_stored(call->app, &err) && strcmp(err.code, "state_unwritable") == 0 &&
        state == API_STATE_CHANGE && call->resp->status < 400) {
        tolk_http_response_clear(call->resp);
        tolk_http_reply_failure(call->resp, TOLK_ERROR_UNAVAILABLE, "state_unwritable",
                                "the change is in force until the daemon stops, but could not be stored: %s",
                                err.message);
    }
}

