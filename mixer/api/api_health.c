/* SPDX-License-Identifier: EUPL-1.2 */
/* GET /healthz: "ok", or "degraded" with the problems a technician must act on. Each source
 * of problems is one line in collect_problems. A lost input is not one: a sender switched off
 * at the end of a sitting is no fault of the daemon (the session view, the input_state event
 * and tolk_input_state show it). Threads: a handler, under the app lock. */
#include <string.h>

#include "api_internal.h"
#include "app_state.h"
#include "input_health.h"
#include "output_health.h"

/* A fault of the daemon itself, for sources that report one as a message (taken) or NULL. */
static void add_fault(json_object *problems, const char *what, char *message)
{
    if (!message)
        return;
    json_object *problem = json_object_new_object();
    json_object_object_add(problem, "what", json_object_new_string(what));
    json_object_object_add(problem, "message", json_object_new_string(message));
    json_object_array_add(problems, problem);
    g_free(message);
}

/* Inputs that receive packets they cannot play: a wrong key, a second sender, not Opus. */
static void add_failing_inputs(tolk_app *app, json_object *problems)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
        for (tolk_input in = TOLK_EACH_INPUT; tolk_input_next(config, &in);) {
            tolk_input_state state = tolk_session_input_state(session, in.slot);
            if (state != TOLK_INPUT_FAILING)
                continue;
            json_object *problem = json_object_new_object();
            json_object_object_add(problem, "what", json_object_new_string("input"));
            json_object_object_add(problem, "sitting", json_object_new_string(session->id));
            json_object_object_add(problem, "input", json_object_new_string(in.id));
            json_object_object_add(problem, "state", json_object_new_string(tolk_input_state_name(state)));
            json_object_array_add(problems, problem);
        }
    }
}

/* Outputs whose packets the kernel refuses: the hall's receivers get nothing from them. */
static void add_failing_outputs(tolk_app *app, json_object *problems)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        for (guint o = 0; o < session->outputs->len; o++) {
            const tolk_session_output *output = g_ptr_array_index(session->outputs, o);
            if (!output->failing)
                continue;
            json_object *problem = json_object_new_object();
            json_object_object_add(problem, "what", json_object_new_string("output"));
            json_object_object_add(problem, "sitting", json_object_new_string(session->id));
            json_object_object_add(problem, "output", json_object_new_string(output->id));
            json_object_object_add(problem, "state", json_object_new_string(tolk_output_state_name(output)));
            json_object_array_add(problems, problem);
        }
    }
}

/* A channel's recording (or the floor video's: channel "video") that cannot write. */
static void add_recording_problem(json_object *problems, tolk_session *session, const char *channel,
                                  const tolk_recording_status *st)
{
    json_object *problem = json_object_new_object();
    json_object_object_add(problem, "what", json_object_new_string("recording"));
    json_object_object_add(problem, "sitting", json_object_new_string(session->id));
    json_object_object_add(problem, "channel", json_object_new_string(channel));
    json_object_object_add(problem, "state", json_object_new_string(tolk_recording_state_name(st->state)));
    json_object_object_add(problem, "error", st->last_errno ? json_object_new_string(strerrorname_np(st->last_errno)) : NULL);
    json_object_array_add(problems, problem);
}

/* Recordings that cannot write (a disk full), and a recordings folder running out of room. */
static void add_recording_problems(tolk_app *app, json_object *problems)
{
    tolk_recorder *recorder = app->env.recorder;
    if (!recorder)
        return;
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
            tolk_recording_status st;
            if (!tolk_session_recording_status(session, ch, &st) || st.state != TOLK_RECORDING_FAILING)
                continue;
            add_recording_problem(problems, session, tolk_matrix_channel_name(session->matrix, ch), &st);
        }
        tolk_recording_status st;
        if (tolk_session_video_recording_status(session, &st) && st.state == TOLK_RECORDING_FAILING)
            add_recording_problem(problems, session, TOLK_VIDEO_RECORDING_FOLDER, &st);
    }
    guint64 free_bytes;
    if (tolk_recorder_space_low(recorder, &free_bytes))
        add_fault(problems, "recordings_space",
                  g_strdup_printf("%s has %" G_GUINT64_FORMAT " MiB free, less than an hour of the recordings running "
                                  "or %llu MiB", tolk_recorder_dir(recorder), free_bytes >> 20,
                                  TOLK_RECORDER_LOW_SPACE >> 20));
}

/* Icecast sources that cannot reach or log in to their server: the public hears nothing. */
static void add_failing_icecast(tolk_app *app, json_object *problems)
{
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
            tolk_icecast_status st;
            if (!session->icecast[ch])
                continue;
            tolk_icecast_source_status(session->icecast[ch], &st);
            if (st.state != TOLK_ICECAST_FAILING)
                continue;
            json_object *problem = json_object_new_object();
            json_object_object_add(problem, "what", json_object_new_string("icecast"));
            json_object_object_add(problem, "sitting", json_object_new_string(session->id));
            json_object_object_add(problem, "channel", json_object_new_string(tolk_matrix_channel_name(session->matrix, ch)));
            json_object_object_add(problem, "state", json_object_new_string(tolk_icecast_state_name(st.state)));
            json_object_object_add(problem, "message", json_object_new_string(st.last_error));
            json_object_array_add(problems, problem);
        }
    }
}

static void collect_problems(tolk_app *app, json_object *problems)
{
    add_recording_problems(app, problems);
    add_failing_inputs(app, problems);
    add_failing_outputs(app, problems);
    add_failing_icecast(app, problems);
    tolk_hls_problems(app, problems);
    add_fault(problems, "state", tolk_app_state_fault(app));
}

void api_get_health(api_call *call)
{
    json_object *problems = json_object_new_array();
    collect_problems(call->app, problems);
    bool ok = json_object_array_length(problems) == 0;
    json_object *body = json_object_new_object();
    json_object_object_add(body, "status", json_object_new_string(ok ? "ok" : "degraded"));
    if (ok)
        json_object_put(problems);
    else
        json_object_object_add(body, "problems", problems);
    tolk_http_reply_json(call->resp, 200, body);
}
