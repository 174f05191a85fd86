/* SPDX-License-Identifier: EUPL-1.2 */
/* An input's AES67 source: the SDP (given, or announced by SAP under a name), the channel, the
 * receiver handed to the media, and the one it replaced kept for release after the unlock.
 *
 * Threads: like session.h, under the app lock. */
#include "session.h"

#include <string.h>

#define TOLK_LOG_MODULE "session"
#include "log.h"

tolk_session_input *tolk_session_input_at(tolk_session *session, int slot)
{
    return slot < 0 ? &session->floor : &session->consoles[slot];
}

static void input_name(tolk_session *session, int slot, char *out, size_t size)
{
    tolk_input_id(tolk_matrix_config_get(session->matrix), slot, out, size);
}

static void retire(tolk_session *session, tolk_aes67_receiver *old)
{
    if (old)
        g_ptr_array_add(session->retired, old);
}

/* The media takes a receiver of the stream; the input's SDP becomes text. */
static bool attach(tolk_session *session, int slot, const char *text, const tolk_aes67_stream *stream, int channel,
                   tolk_error *err)
{
    if (channel > stream->channels) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "channel",
                       "Field \"channel\" must be 1..%d: the stream \"%s\" has %d channel%s", stream->channels,
                       stream->session_name, stream->channels, stream->channels == 1 ? "" : "s");
        return false;
    }
    tolk_aes67_receiver *receiver = tolk_media_aes67_open(stream, channel - 1, session->hall_address, err);
    if (!receiver)
        return false;
    tolk_aes67_receiver *old = NULL;
    bool ok = tolk_media_set_input_aes67(session->media, slot, receiver, &old, err);
    retire(session, old);
    if (!ok)
        return false;
    tolk_session_aes67 *a = &tolk_session_input_at(session, slot)->aes67;
    g_free(a->sdp);
    a->sdp = g_strdup(text);
    a->stream = *stream;
    char name[TOLK_CONSOLE_ID_SIZE];
    input_name(session, slot, name, sizeof name);
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .console = name),
                "from AES67 stream \"%s\" channel %d of %d (%s %s port %d, L%d, %.3f ms packets)",
                stream->session_name, channel, stream->channels, stream->multicast ? "multicast" : "unicast",
                stream->address, stream->port, (int)stream->encoding, stream->ptime_us / 1000.0);
    return true;
}

static void forget(tolk_session_aes67 *a)
{
    g_free(a->sdp);
    memset(a, 0, sizeof *a);
}

/* The announcement named by a, if the directory has one newer than the one in use. */
static const tolk_sap_entry *new_announcement(const tolk_session_aes67 *a, const tolk_sap_directory *dir)
{
    const tolk_sap_entry *e = dir ? tolk_sap_directory_find(dir, a->sap) : NULL;
    if (!e || (e->hash == a->sap_hash && strcmp(e->origin, a->sap_origin) == 0))
        return NULL;
    return e;
}

static bool take_announcement(tolk_session *session, int slot, const tolk_sap_entry *e, tolk_error *err)
{
    tolk_session_aes67 *a = &tolk_session_input_at(session, slot)->aes67;
    if (!attach(session, slot, e->sdp, &e->stream, a->channel, err))
        return false;
    g_strlcpy(a->sap_origin, e->origin, sizeof a->sap_origin);
    a->sap_hash = e->hash;
    return true;
}

bool tolk_session_set_aes67(tolk_session *session, int slot, const char *sdp, const char *sap, int channel,
                            const tolk_sap_directory *dir, tolk_error *err)
{
    tolk_aes67_stream stream;
    if (sdp && !tolk_aes67_sdp_parse(sdp, strlen(sdp), &stream, err)) {
        char why[sizeof err->message], code[sizeof err->code];
        g_strlcpy(why, err->message, sizeof why);
        g_strlcpy(code, err->code, sizeof code);
        tolk_error_set(err, TOLK_ERROR_INVALID, code, "sdp", "Field \"sdp\" is not an AES67 stream Tolk takes: %s",
                       why);
        return false;
    }
    tolk_session_aes67 *a = &tolk_session_input_at(session, slot)->aes67;
    tolk_session_aes67 before = *a;
    a->sdp = NULL; /* attach replaces it; before keeps the old text until the outcome is known */
    if (sdp && !attach(session, slot, sdp, &stream, channel, err)) {
        *a = before;
        return false;
    }
    if (sdp) {
        g_free(before.sdp);
        a->sap[0] = '\0';
        a->sap_origin[0] = '\0';
        a->sap_hash = 0;
    } else {
        const tolk_sap_entry *e = dir ? tolk_sap_directory_find(dir, sap) : NULL;
        a->channel = channel;
        if (e && !take_announcement(session, slot, e, err)) {
            *a = before;
            return false;
        }
        g_free(before.sdp);
        if (!e) { /* awaited: the old source goes now, the announcement's comes when it appears */
            tolk_aes67_receiver *old = NULL;
            tolk_error ignored;
            tolk_media_set_input_aes67(session->media, slot, NULL, &old, &ignored);
            retire(session, old);
            a->sap_origin[0] = '\0';
            a->sap_hash = 0;
        }
        g_strlcpy(a->sap, sap, sizeof a->sap);
    }
    a->on = true;
    a->channel = channel;
    tolk_session_changed(session);
    return true;
}

void tolk_session_clear_aes67(tolk_session *session, int slot)
{
    tolk_session_aes67 *a = &tolk_session_input_at(session, slot)->aes67;
    if (!a->on)
        return;
    tolk_aes67_receiver *old = NULL;
    tolk_error ignored;
    tolk_media_set_input_aes67(session->media, slot, NULL, &old, &ignored);
    retire(session, old);
    forget(a);
    char name[TOLK_CONSOLE_ID_SIZE];
    input_name(session, slot, name, sizeof name);
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .console = name), "from its SRTP port again");
    tolk_session_changed(session);
}

static void update_input(tolk_session *session, int slot, const tolk_sap_directory *dir)
{
    tolk_session_aes67 *a = &tolk_session_input_at(session, slot)->aes67;
    if (!a->on || !a->sap[0])
        return;
    const tolk_sap_entry *e = new_announcement(a, dir);
    if (!e)
        return;
    tolk_error err;
    if (take_announcement(session, slot, e, &err)) {
        tolk_hub_session_changed(session->hub); /* the source is the same (its name): nothing to store */
        return;
    }
    char name[TOLK_CONSOLE_ID_SIZE];
    input_name(session, slot, name, sizeof name);
    LOG_WARN_AT(TOLK_WHERE(.sitting = session->id, .console = name), "the AES67 stream \"%s\" cannot be taken: %s",
                a->sap, err.message);
    a->sap_hash = e->hash; /* not tried again until its announcement changes */
    g_strlcpy(a->sap_origin, e->origin, sizeof a->sap_origin);
}

void tolk_session_sap_update(tolk_session *session, const tolk_sap_directory *dir)
{
    update_input(session, -1, dir);
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(config, &in);)
        update_input(session, in.slot, dir);
}

bool tolk_session_aes67_stats(tolk_session *session, int slot, tolk_aes67_stats *stats)
{
    return tolk_media_input_aes67_stats_at(session->media, slot, stats);
}

const char *tolk_session_aes67_state(tolk_session *session, int slot)
{
    tolk_aes67_stats s;
    if (!tolk_session_aes67_stats(session, slot, &s) || !s.last_valid_us)
        return "waiting";
    return g_get_monotonic_time() - s.last_valid_us < TOLK_INPUT_RECENT_US ? "receiving" : "lost";
}
