/* SPDX-License-Identifier: EUPL-1.2 */
#include "signals.h"

#include <stdio.h>
#include <string.h>

#define TOLK_LOG_MODULE "signals"
#include "log.h"

json_object *tolk_signal_to_json(tolk_session *session, const tolk_signal *signal)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    const char *booth = config->channels[config->booths[signal->booth].channel];
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "id", json_object_new_int64(signal->id));
    json_object_object_add(obj, "kind", json_object_new_string(tolk_signal_kind_name(signal->kind)));
    json_object_object_add(obj, "booth", json_object_new_string(booth));
    if (signal->kind == TOLK_SIGNAL_SLOWER) {
        json_object_object_add(obj, "console", NULL); /* anonymous, for the chair */
    } else {
        char id[TOLK_CONSOLE_ID_SIZE];
        tolk_console_id(config, signal->booth, signal->console, id, sizeof id);
        json_object_object_add(obj, "console", json_object_new_string(id));
    }
    GDateTime *seconds = g_date_time_new_from_unix_utc(signal->at_us / G_USEC_PER_SEC);
    GDateTime *at = g_date_time_add(seconds, signal->at_us % G_USEC_PER_SEC);
    g_date_time_unref(seconds);
    gchar *iso = g_date_time_format_iso8601(at);
    json_object_object_add(obj, "at", json_object_new_string(iso));
    json_object_object_add(obj, "repeats", json_object_new_int64(signal->repeats));
    g_free(iso);
    g_date_time_unref(at);
    return obj;
}

json_object *tolk_signals_to_json(tolk_session *session)
{
    json_object *list = json_object_new_array();
    for (guint i = 0; i < session->signals->len; i++)
        json_object_array_add(list, tolk_signal_to_json(session, g_ptr_array_index(session->signals, i)));
    return list;
}

/* The live console accepts: the latest requester of its booth goes live. */
static bool accept_handover(tolk_session *session, int booth, int console, tolk_error *err)
{
    int requester = session->handover_requester[booth] - 1;
    if (!tolk_matrix_console_is_live(session->matrix, booth, console) || console == requester) {
        tolk_error_set(err, TOLK_ERROR_CONFLICT, "not_live", NULL,
                       "only the live console of the booth can accept a handover");
        return false;
    }
    if (requester < 0) {
        tolk_error_set(err, TOLK_ERROR_CONFLICT, "no_handover_request", NULL,
                       "no partner in this booth asked for the handover");
        return false;
    }
    tolk_console_patch patch = {.has_mic = true, .mic = TOLK_MIC_ON};
    bool accepted = tolk_session_patch_console(session, booth, requester, &patch, err);
    session->handover_requester[booth] = 0;
    return accepted;
}

bool tolk_session_signal_allowed(tolk_session *session, tolk_signal_kind kind, int booth, int console,
                                 unsigned *retry_after_s)
{
    tolk_token_bucket *bucket = &session->signal_buckets[TOLK_SLOT(booth, console)][kind];
    return tolk_token_bucket_take(bucket, &session->signal_rate, g_get_monotonic_time(), retry_after_s);
}

static tolk_signal *find_open(tolk_session *session, tolk_signal_kind kind, int booth, int console)
{
    for (guint i = 0; i < session->signals->len; i++) {
        tolk_signal *signal = g_ptr_array_index(session->signals, i);
        if (signal->kind == kind && signal->booth == booth && signal->console == console)
            return signal;
    }
    return NULL;
}

static void publish_cleared(tolk_session *session, unsigned id)
{
    json_object *data = json_object_new_object();
    json_object_object_add(data, "id", json_object_new_int64(id));
    tolk_hub_publish(session->hub, "signal_cleared", data);
}

/* Handover signals record what happened (the handover is done or pending either way):
 * past the cap the oldest goes, never a "slower" or "technician". */
static void trim_handover_signals(tolk_session *session)
{
    guint count = 0, oldest = G_MAXUINT;
    for (guint i = session->signals->len; i-- > 0;) {
        const tolk_signal *signal = g_ptr_array_index(session->signals, i);
        if (signal->kind == TOLK_SIGNAL_HANDOVER_REQUEST || signal->kind == TOLK_SIGNAL_HANDOVER_ACCEPT) {
            count++;
            oldest = i;
        }
    }
    if (count <= TOLK_MAX_HANDOVER_SIGNALS)
        return;
    unsigned id = ((const tolk_signal *)g_ptr_array_index(session->signals, oldest))->id;
    g_ptr_array_remove_index(session->signals, oldest);
    publish_cleared(session, id);
}

/* The open signal a raise refreshes: the console's own of that kind, for "slower" and
 * "technician"; for a handover request only while that request is still pending. An
 * accept is a handover that happened: always new. */
static tolk_signal *signal_to_refresh(tolk_session *session, tolk_signal_kind kind, int booth, int console)
{
    if (kind == TOLK_SIGNAL_HANDOVER_ACCEPT ||
        (kind == TOLK_SIGNAL_HANDOVER_REQUEST && session->handover_requester[booth] != console + 1))
        return NULL;
    return find_open(session, kind, booth, console);
}

const tolk_signal *tolk_session_raise_signal(tolk_session *session, tolk_signal_kind kind, int booth, int console,
                                             bool *refreshed, tolk_error *err)
{
    if (kind == TOLK_SIGNAL_HANDOVER_ACCEPT && !accept_handover(session, booth, console, err))
        return NULL;
    tolk_signal *signal = signal_to_refresh(session, kind, booth, console);
    if (kind == TOLK_SIGNAL_HANDOVER_REQUEST)
        session->handover_requester[booth] = console + 1;
    *refreshed = signal != NULL;
    if (!signal) {
        signal = g_new0(tolk_signal, 1);
        signal->id = ++session->next_signal;
        signal->kind = kind;
        signal->booth = booth;
        signal->console = console;
        g_ptr_array_add(session->signals, signal);
        trim_handover_signals(session);
    }
    signal->at_us = g_get_real_time();
    signal->repeats++;
    tolk_hub_publish(session->hub, "signal", tolk_signal_to_json(session, signal));
    char console_id[TOLK_CONSOLE_ID_SIZE];
    tolk_console_id(tolk_matrix_config_get(session->matrix), booth, console, console_id, sizeof console_id);
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .console = console_id), "signal %u %s%s", signal->id,
                tolk_signal_kind_name(kind), *refreshed ? " again" : "");
    return signal;
}

bool tolk_session_clear_signal(tolk_session *session, unsigned id)
{
    for (guint i = 0; i < session->signals->len; i++) {
        tolk_signal *signal = g_ptr_array_index(session->signals, i);
        if (signal->id == id) {
            g_ptr_array_remove_index(session->signals, i);
            publish_cleared(session, id);
            return true;
        }
    }
    return false;
}
