/* SPDX-License-Identifier: EUPL-1.2 */
/* A sitting's SRTP/RTP video sources (session_video_rtp.h). */
#include "session_video_rtp.h"

#include <stdio.h>
#include <string.h>

#include "sdp.h"
#include "video_input.h"

#define TOLK_LOG_MODULE "video"
#include "log.h"

#define SRTP_SUITE "AES_CM_128_HMAC_SHA1_80"

static void release_input(tolk_video_input *input)
{
    tolk_video_input_free(input);
}

static void ask_input(tolk_video_input *input)
{
    tolk_video_input_request_keyframe(input);
}

static int payload_type_of(tolk_video_codec codec)
{
    return codec == TOLK_VIDEO_H264 ? TOLK_VIDEO_PT_H264 : TOLK_VIDEO_PT_VP8;
}

/* The source's input on socket (taken on success), its target set. */
static bool attach_input(tolk_session *session, tolk_session_video_source *source, GSocket *socket,
                         const tolk_srtp_receiver_position *senders, int sender_count)
{
    tolk_video_input_config config = {
        .sitting = session->id,
        .name = source->id,
        .socket = socket,
        .key = source->encrypted ? source->key : NULL,
        .payload_type = source->payload_type,
        .feed = tolk_session_video_feed(session->video),
        .source = source->number,
        .senders = senders,
        .sender_count = sender_count,
    };
    tolk_video_input *input = tolk_video_input_new(&config);
    if (!input)
        return false;
    tolk_session_video_set_input(session->video, source, input, ask_input, release_input);
    return true;
}

static void drop_socket(GSocket *socket)
{
    if (!socket)
        return;
    g_socket_close(socket, NULL);
    g_object_unref(socket);
}

/* A source made (new or restored) with its port bound and its input running, or removed again. */
static bool open_source(tolk_session *session, tolk_session_video_source *source, GSocket *socket,
                        const tolk_srtp_receiver_position *senders, int sender_count)
{
    bool ok = socket && attach_input(session, source, socket, senders, sender_count);
    if (socket)
        g_object_unref(socket); /* the input holds its own reference */
    if (!ok) {
        if (socket)
            g_socket_close(socket, NULL);
        tolk_session_video_remove_source(session->video, source->id);
    }
    return ok;
}

tolk_session_video_source *tolk_session_video_add_rtp(tolk_session *session, const char *name, bool encrypted,
                                                      tolk_error *err)
{
    if (!encrypted && !session->allow_plain_rtp) {
        tolk_error_set(err, TOLK_ERROR_FORBIDDEN, "plain_rtp_not_allowed", "encrypted",
                       "the daemon refuses plain RTP; start it with --allow-plain-rtp on a closed hall network");
        return NULL;
    }
    uint8_t key[TOLK_KEY_LEN] = {0};
    if (encrypted && !tolk_key_generate(key)) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "no key could be made");
        return NULL;
    }
    int port = 0;
    GSocket *socket = tolk_ports_bind(session->ports, &port);
    if (!socket) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "no free UDP port left for a video source");
        return NULL;
    }
    tolk_session_video_source *source =
        tolk_session_video_add_source(session->video, TOLK_VIDEO_SOURCE_RTP, NULL, name, err);
    if (!source) {
        drop_socket(socket);
        tolk_key_wipe(key, sizeof key);
        return NULL;
    }
    source->port = port;
    source->encrypted = encrypted;
    memcpy(source->key, key, TOLK_KEY_LEN);
    tolk_key_wipe(key, sizeof key);
    source->payload_type = payload_type_of(tolk_session_video_codec(session->video));
    char id[TOLK_VIDEO_SOURCE_ID_SIZE];
    g_strlcpy(id, source->id, sizeof id);
    if (!open_source(session, source, socket, NULL, 0)) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "the video source %s could not be set up", id);
        return NULL;
    }
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id), "video source %s takes %s RTP on port %d", id,
                encrypted ? "SRTP" : "plain", port);
    return source;
}

bool tolk_session_video_rekey_rtp(tolk_session *session, tolk_session_video_source *source, tolk_error *err)
{
    if (!source->encrypted || !source->input) {
        tolk_error_set(err, TOLK_ERROR_CONFLICT, "source_not_encrypted", NULL,
                       "video source %s takes plain RTP: it has no key to replace", source->id);
        return false;
    }
    uint8_t fresh[TOLK_KEY_LEN];
    bool ok = tolk_key_generate(fresh) && tolk_video_input_rekey(source->input, fresh);
    if (ok)
        memcpy(source->key, fresh, TOLK_KEY_LEN);
    tolk_key_wipe(fresh, sizeof fresh);
    if (!ok) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "no new key could be made; the old one stays");
        return false;
    }
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id), "video source %s has a new key", source->id);
    tolk_session_changed(session);
    return true;
}

/* What the sender reads: where to send, which codec and payload type, the key. Declarative,
 * from the sender's point of view (sendonly), as the audio inputs' SDP. */
static char *video_sdp(tolk_session *session, const tolk_session_video_source *source, const char *key_b64)
{
    const char *address = session->media_address;
    const char *family = strchr(address, ':') ? "IP6" : "IP4";
    char *name = tolk_sdp_session_name_text(source->name);
    int pt = source->payload_type;
    bool h264 = tolk_session_video_codec(session->video) == TOLK_VIDEO_H264;
    char *fmtp = h264 ? g_strdup_printf("a=fmtp:%d packetization-mode=1;profile-level-id=42e01f\r\n", pt)
                      : g_strdup("");
    char *crypto = key_b64 ? g_strdup_printf("a=crypto:1 " SRTP_SUITE " inline:%s\r\n", key_b64) : g_strdup("");
    char *sdp = g_strdup_printf("v=0\r\n"
                                "o=- %d 0 IN %s %s\r\n"
                                "s=%s\r\n"
                                "c=IN %s %s\r\n"
                                "t=0 0\r\n"
                                "m=video %d RTP/%s %d\r\n"
                                "a=rtpmap:%d %s/90000\r\n"
                                "%s"
                                "a=rtcp-mux\r\n"
                                "a=rtcp-fb:%d nack pli\r\n"
                                "a=rtcp-fb:%d ccm fir\r\n"
                                "a=sendonly\r\n"
                                "%s",
                                source->port, family, address, name ? name : "-", family, address, source->port,
                                key_b64 ? "SAVP" : "AVP", pt, pt, h264 ? "H264" : "VP8", fmtp, pt, pt, crypto);
    tolk_key_wipe(crypto, strlen(crypto));
    g_free(crypto);
    g_free(fmtp);
    free(name);
    return sdp;
}

static json_object *input_json(tolk_video_input *input)
{
    tolk_video_input_stats s = {0};
    if (input)
        tolk_video_input_get_stats(input, &s);
    json_object *o = json_object_new_object();
    for (int i = 0; i < TOLK_VIDEO_INPUT_COUNTERS; i++)
        json_object_object_add(o, tolk_video_input_counters[i].name,
                               json_object_new_int64((int64_t)tolk_video_input_counter_value(&s, i)));
    return o;
}

void tolk_session_video_rtp_describe(tolk_session *session, const tolk_session_video_source *source, json_object *o)
{
    char key_b64[TOLK_KEY_B64_LEN + 1];
    json_object *srtp = NULL;
    if (source->encrypted) {
        tolk_key_to_base64(source->key, key_b64);
        srtp = json_object_new_object();
        json_object_object_add(srtp, "suite", json_object_new_string(SRTP_SUITE));
        json_object_object_add(srtp, "key", json_object_new_string(key_b64));
    }
    json_object_object_add(o, "port", json_object_new_int(source->port));
    json_object_object_add(o, "encrypted", json_object_new_boolean(source->encrypted));
    json_object_object_add(o, "payload_type", json_object_new_int(source->payload_type));
    json_object_object_add(o, "srtp", srtp);
    char *sdp = video_sdp(session, source, source->encrypted ? key_b64 : NULL);
    json_object_object_add(o, "sdp", json_object_new_string(sdp));
    tolk_key_wipe(sdp, strlen(sdp));
    g_free(sdp);
    tolk_key_wipe(key_b64, sizeof key_b64);
    json_object_object_add(o, "input", input_json(source->input));
}

json_object *tolk_session_video_rtp_record(tolk_session_video *video)
{
    json_object *list = json_object_new_array();
    for (guint i = 0; i < tolk_session_video_source_count(video); i++) {
        tolk_session_video_source *source = tolk_session_video_source_at(video, i);
        if (source->kind != TOLK_VIDEO_SOURCE_RTP)
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(source->id));
        json_object_object_add(o, "name", json_object_new_string(source->name));
        json_object_object_add(o, "port", json_object_new_int(source->port));
        json_object_object_add(o, "encrypted", json_object_new_boolean(source->encrypted));
        if (source->encrypted) {
            char key_b64[TOLK_KEY_B64_LEN + 1];
            tolk_key_to_base64(source->key, key_b64);
            json_object_object_add(o, "key", json_object_new_string(key_b64));
            tolk_key_wipe(key_b64, sizeof key_b64);
        }
        json_object_object_add(o, "payload_type", json_object_new_int(source->payload_type));
        json_object_array_add(list, o);
    }
    return list;
}

/* The senders the counters record saw for the source id (at most max). */
static int saved_senders(json_object *counters, const char *id, tolk_srtp_receiver_position *out, int max)
{
    for (size_t i = 0; counters && i < json_object_array_length(counters); i++) {
        json_object *entry = json_object_array_get_idx(counters, i), *eid = NULL, *senders = NULL;
        if (!json_object_object_get_ex(entry, "id", &eid) || strcmp(json_object_get_string(eid), id) != 0 ||
            !json_object_object_get_ex(entry, "senders", &senders) || !json_object_is_type(senders, json_type_array))
            continue;
        int n = 0;
        for (size_t k = 0; k < json_object_array_length(senders) && n < max; k++) {
            json_object *s = json_object_array_get_idx(senders, k), *ssrc = NULL, *highest = NULL;
            if (json_object_object_get_ex(s, "ssrc", &ssrc) && json_object_object_get_ex(s, "highest", &highest))
                out[n++] = (tolk_srtp_receiver_position){.ssrc = (uint32_t)json_object_get_int64(ssrc),
                                                         .highest = (uint64_t)json_object_get_int64(highest)};
        }
        return n;
    }
    return 0;
}

typedef struct {
    const char *id, *name, *key;
    int port, payload_type;
    bool encrypted;
} saved_source;

static bool read_saved(json_object *o, saved_source *s)
{
    json_object *v;
#define FIELD(name, type) (json_object_object_get_ex(o, name, &v) && json_object_is_type(v, type))
    if (!FIELD("id", json_type_string) || !(s->id = json_object_get_string(v)) || !FIELD("name", json_type_string))
        return false;
    s->name = json_object_get_string(v);
    if (!FIELD("port", json_type_int) || (s->port = json_object_get_int(v)) < 1 || s->port > 65535)
        return false;
    if (!FIELD("payload_type", json_type_int) || (s->payload_type = json_object_get_int(v)) < 96 ||
        s->payload_type > 127)
        return false;
    s->encrypted = !FIELD("encrypted", json_type_boolean) || json_object_get_boolean(v);
    s->key = s->encrypted && FIELD("key", json_type_string) ? json_object_get_string(v) : NULL;
#undef FIELD
    return !s->encrypted || s->key;
}

static void restore_one(tolk_session *session, const saved_source *s, json_object *counters)
{
    uint8_t key[TOLK_KEY_LEN] = {0};
    if ((s->encrypted && !tolk_key_from_base64(s->key, key)) || (!s->encrypted && !session->allow_plain_rtp)) {
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "video source %s is not restored: %s", s->id,
                    s->encrypted ? "its key is unreadable" : "the daemon now refuses plain RTP (no --allow-plain-rtp)");
        return;
    }
    tolk_error err;
    tolk_session_video_source *source =
        tolk_session_video_add_source(session->video, TOLK_VIDEO_SOURCE_RTP, s->id, s->name, &err);
    if (!source) {
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "video source %s is not restored: %s", s->id, err.message);
        tolk_key_wipe(key, sizeof key);
        return;
    }
    source->port = s->port;
    source->encrypted = s->encrypted;
    source->payload_type = s->payload_type;
    memcpy(source->key, key, TOLK_KEY_LEN);
    tolk_key_wipe(key, sizeof key);
    tolk_srtp_receiver_position senders[TOLK_SRTP_RECEIVER_SENDERS];
    int count = saved_senders(counters, s->id, senders, TOLK_SRTP_RECEIVER_SENDERS);
    if (!open_source(session, source, tolk_ports_bind_at(session->ports, s->port), senders, count))
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "video source %s is not restored: port %d is taken", s->id,
                    s->port);
}

void tolk_session_video_rtp_restore(tolk_session *session, json_object *sources, json_object *counters)
{
    for (size_t i = 0; json_object_is_type(sources, json_type_array) && i < json_object_array_length(sources); i++) {
        saved_source s;
        if (read_saved(json_object_array_get_idx(sources, i), &s))
            restore_one(session, &s, counters);
        else
            LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "a video source of the record is unreadable: left out");
    }
}
