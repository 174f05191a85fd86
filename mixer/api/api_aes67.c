/* SPDX-License-Identifier: EUPL-1.2 */
/* AES67 inputs (docs/api.md, "AES67 input"): an input's source set to an AES67 stream by SDP or
 * by SAP name, set back to its SRTP port, and the SAP directory to choose from. Plain RTP has
 * no authentication: all of it is refused unless the daemon runs with --allow-plain-rtp. */
#include "aes67_json.h"
#include "api_internal.h"
#include "request_parse.h"
#include "session_json.h"

static bool plain_rtp_allowed(api_call *call)
{
    if (call->app->env.allow_plain_rtp)
        return true;
    api_fail(call, TOLK_ERROR_FORBIDDEN, "plain_rtp_not_allowed",
             "the daemon refuses plain RTP; start it with --allow-plain-rtp on a closed hall network");
    return false;
}

/* The input of the path: -1 the floor, else a console's slot; -2 when refused (replied: no
 * plain RTP, no such session or console). */
static int path_input(api_call *call, tolk_session **session, bool floor)
{
    if (!plain_rtp_allowed(call))
        return -2;
    *session = api_find_session(call);
    if (!*session)
        return -2;
    if (floor)
        return -1;
    int booth, console;
    return api_find_console(call, *session, &booth, &console) ? TOLK_SLOT(booth, console) : -2;
}

static void put_aes67(api_call *call, bool floor)
{
    tolk_session *session;
    int slot = path_input(call, &session, floor);
    if (slot < -1)
        return;
    tolk_aes67_source_spec spec;
    tolk_error err;
    if (!tolk_parse_aes67_source(call->req->body, &spec, &err) ||
        !tolk_session_set_aes67(session, slot, spec.sdp, spec.sap, spec.channel, call->app->sap, &err)) {
        api_reply_error(call, &err);
        return;
    }
    tolk_http_reply_json(call->resp, 200, tolk_input_to_json(session, slot));
}

static void delete_aes67(api_call *call, bool floor)
{
    tolk_session *session;
    int slot = path_input(call, &session, floor);
    if (slot >= -1) {
        tolk_session_clear_aes67(session, slot);
        tolk_http_reply_json(call->resp, 200, tolk_input_to_json(session, slot));
    }
}

void api_put_floor_aes67(api_call *call)
{
    put_aes67(call, true);
}

void api_put_console_aes67(api_call *call)
{
    put_aes67(call, false);
}

void api_delete_floor_aes67(api_call *call)
{
    delete_aes67(call, true);
}

void api_delete_console_aes67(api_call *call)
{
    delete_aes67(call, false);
}

void api_list_aes67_streams(api_call *call)
{
    if (plain_rtp_allowed(call))
        tolk_http_reply_json(call->resp, 200, tolk_sap_directory_to_json(call->app->sap));
}
