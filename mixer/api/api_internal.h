/* SPDX-License-Identifier: EUPL-1.2 */
/* Shared by the API's handler files: one request's context, lookups that
 * answer 404 themselves, and reply helpers. Handlers run under the app lock,
 * which they never release: work that waits goes to call->outside. */
#ifndef TOLK_API_INTERNAL_H
#define TOLK_API_INTERNAL_H

#include "app.h"
#include "grants.h"
#include "http_error.h"
#include "http_server.h"
#include "request_parse.h"
#include "session_json.h"

#define SESSIONS "/api/v1/sessions"
#define SESSION SESSIONS "/{sid}"
#define CHANNEL SESSION "/channels/{ch}"
#define CONSOLE SESSION "/booths/{lang}/consoles/{n}"

typedef struct api_call api_call;

struct api_call {
    tolk_app *app;
    tolk_http_server *http; /* for its statistics in /metrics */
    const tolk_http_request *req;
    tolk_http_response *resp;
    const tolk_grant *grant; /* the caller's grant; NULL for the operator or no token */
    bool operator;
    /* Set by a handler whose work must wait (WebRTC negotiation, building a
     * session), with api_defer(): the dispatch runs outside(call) after the
     * unlock, then commit(call) under the lock again,
     * which looks up what it needs anew (it may have gone) and replies, then
     * finish(call) after the unlock, which frees ctx (and may stop a pipeline). */
    void (*outside)(api_call *call);
    void (*commit)(api_call *call);
    void (*finish)(api_call *call);
    void *ctx;
};

typedef void (*api_fn)(api_call *call);

/* The handler's waiting part, in three steps (see api_call): ctx is theirs to free in finish. */
void api_defer(api_call *call, void *ctx, api_fn outside, api_fn commit, api_fn finish);

tolk_session *api_find_session(api_call *call);
/* Booth language and console number ("en", "1") to indices; exactly one digit 1..6, so
 * "01", "+1" or " 1" name no console. No reply. */
bool api_console_index(tolk_session *session, const char *lang, const char *n, int *booth, int *console);
bool api_find_console(api_call *call, tolk_session *session, int *booth, int *console);
int api_find_channel(api_call *call, tolk_session *session);
/* Every refusal goes out through these two, so its status comes from http_error.c's table. */
void api_reply_error(api_call *call, const tolk_error *err);
void api_fail(api_call *call, tolk_error_kind kind, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void api_reply_created(api_call *call, json_object *body, const char *location);

/* api_state.c: what a route does to the durable state (app_state.h). */
typedef enum {
    API_STATE_READ,   /* nothing */
    API_STATE_MEDIA,  /* WebRTC: a peer lives as long as its connection, nothing to keep */
    API_STATE_LIVE,   /* a console's own controls and its signals: kept in memory when the state
                       * cannot be written, for a full disk must never stop an interpreter */
    API_STATE_CHANGE, /* the rest: refused when it could not be stored */
} api_state;

api_state api_state_of(const char *method, const char *pattern, unsigned flags);
/* Under the lock, before the handler: true (and the reply is a 503 state_unwritable) when the
 * state cannot be written now. */
bool api_refused_unstorable(api_call *call);
/* After a handler of a route that changes something: the path's sitting is looked at again for
 * what it does not see itself (tokens, signals). */
void api_touch_session(api_call *call);
/* Ends a critical section: a change is answered once it is on the disk, or turned into a 503
 * state_unwritable when its commit failed. */
void api_end_section(api_call *call, api_state state);

/* Prometheus text for /metrics, the server's response counts included; the caller holds
 * the lock. g_free the result. */
char *tolk_metrics_render(tolk_app *app, tolk_http_server *http);
/* metrics_video.c: the floor video's families. */
void tolk_metrics_video(tolk_app *app, GString *out);
/* metrics_icecast.c: the Icecast families. */
void tolk_metrics_icecast(tolk_app *app, GString *out);

/* The handlers, by file. */
void api_get_health(api_call *call);
void api_get_metrics(api_call *call);
void api_list_sessions(api_call *call);
void api_create_session(api_call *call);
void api_get_session(api_call *call);
void api_patch_session(api_call *call);
void api_delete_session(api_call *call);
void api_create_channel_output(api_call *call);
void api_delete_channel_output(api_call *call);
void api_get_console(api_call *call);
void api_patch_console(api_call *call);
void api_create_console_output(api_call *call);
void api_delete_console_output(api_call *call);
void api_rekey_channel(api_call *call);
void api_put_icecast(api_call *call);
void api_delete_icecast(api_call *call);
void api_rekey_feed(api_call *call);
void api_rekey_floor_input(api_call *call);
void api_rekey_console_input(api_call *call);

void api_patch_channel(api_call *call);
void api_put_floor_aes67(api_call *call);
void api_put_console_aes67(api_call *call);
void api_delete_floor_aes67(api_call *call);
void api_delete_console_aes67(api_call *call);
void api_list_aes67_streams(api_call *call);
void api_create_token(api_call *call);
void api_list_tokens(api_call *call);
void api_delete_token(api_call *call);
void api_create_signal(api_call *call);
void api_list_signals(api_call *call);
void api_delete_signal(api_call *call);
void api_get_events(api_call *call);

void api_start_recording(api_call *call);
void api_stop_recording(api_call *call);
void api_start_channel_recording(api_call *call);
void api_stop_channel_recording(api_call *call);
void api_list_recordings(api_call *call);
void api_get_recording(api_call *call);

/* api_hls.c */
void api_put_hls(api_call *call);
void api_delete_hls(api_call *call);
void api_get_hls_file(api_call *call);
/* The HLS families of /metrics, the failing HLS channels of /healthz; under the lock. */
void tolk_hls_metrics(tolk_app *app, GString *out);
void tolk_hls_problems(tolk_app *app, json_object *problems);

void api_whip_floor(api_call *call);
void api_whip_camera(api_call *call);
/* api_video.c */
void api_get_video(api_call *call);
void api_put_video_chosen(api_call *call);
void api_delete_video_source(api_call *call);
/* api_video_sources.c */
void api_post_video_source(api_call *call);
void api_rekey_video_source(api_call *call);
void api_whip_console(api_call *call);
void api_whep_channel(api_call *call);
void api_whep_console(api_call *call);
void api_patch_webrtc(api_call *call);
void api_delete_webrtc(api_call *call);

#endif
