/* SPDX-License-Identifier: EUPL-1.2 */
/* WHEP and WHIP peers against a real WebRTC client (another webrtcbin in this
 * process) over host candidates; bad offers; closing while media flows. */
#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <string.h>

#include "media_input.h"
#include "stream.h"
#include "webrtc.h"
#include "webrtc_private.h" /* tolk_webrtc_ice_set_addresses for the client */
#include "webrtc_test_util.h"

static const tolk_webrtc_config config = {.latency_ms = 40, .gather_timeout_ms = 3000};

/* ---- a channel: a 1 kHz tone encoded once, pushed into a tolk_stream ---- */

typedef struct {
    GstElement *pipeline;
    tolk_stream *stream;
    gint frames; /* atomic */
} channel;

static GstFlowReturn on_encoded(GstAppSink *sink, gpointer user_data)
{
    channel *ch = user_data;
    GstSample *sample = gst_app_sink_pull_sample(sink);
    if (!sample)
        return GST_FLOW_EOS;
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        tolk_stream_push(ch->stream, map.data, map.size, GST_BUFFER_PTS(buffer));
        gst_buffer_unmap(buffer, &map);
        g_atomic_int_inc(&ch->frames);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

static channel *channel_new(double hz)
{
    channel *ch = g_new0(channel, 1);
    uint8_t key[TOLK_KEY_LEN] = {1, 2, 3};
    ch->stream = tolk_stream_new(key);
    g_assert_nonnull(ch->stream);
    char *desc = g_strdup_printf("audiotestsrc is-live=true wave=sine volume=0.3 freq=%.0f ! "
                                 "audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 ! "
                                 "appsink name=sink sync=false",
                                 hz);
    ch->pipeline = gst_parse_launch(desc, NULL);
    g_free(desc);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(ch->pipeline), "sink");
    GstAppSinkCallbacks callbacks = {.new_sample = on_encoded};
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, ch, NULL);
    gst_object_unref(sink);
    gst_element_set_state(ch->pipeline, GST_STATE_PLAYING);
    return ch;
}

static void channel_free(channel *ch)
{
    gst_element_set_state(ch->pipeline, GST_STATE_NULL);
    gst_object_unref(ch->pipeline);
    tolk_stream_free(ch->stream);
    g_free(ch);
}

/* ---- a session: one real tolk_media_input, pulled every 20 ms into a meter as the engine's
 * tick would ---- */

typedef struct {
    GSocket *socket;
    tolk_media_input *input;
    tone_meter meter;
    GThread *puller;
    gint stopping;
} session;

static gpointer pull_main(gpointer data)
{
    session *s = data;
    float frame[TOLK_FRAME_SAMPLES];
    gint64 next = g_get_monotonic_time();
    while (!g_atomic_int_get(&s->stopping)) {
        if (tolk_media_input_pull(s->input, frame, g_get_monotonic_time()))
            meter_feed(&s->meter, frame, TOLK_FRAME_SAMPLES);
        next += 20000;
        gint64 wait = next - g_get_monotonic_time();
        if (wait > 0)
            g_usleep((gulong)wait);
    }
    return NULL;
}

static session *session_new(double hz)
{
    session *s = g_new0(session, 1);
    meter_init(&s->meter, hz);
    s->socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *address = g_inet_socket_address_new(loopback, 0);
    g_assert_true(g_socket_bind(s->socket, address, TRUE, NULL));
    g_object_unref(address);
    g_object_unref(loopback);
    uint8_t key[TOLK_KEY_LEN] = {4, 5, 6};
    s->input = tolk_media_input_new("floor", s->socket, key, 40);
    g_assert_nonnull(s->input);
    s->puller = g_thread_new("pull", pull_main, s);
    return s;
}

static void session_free(session *s)
{
    g_atomic_int_set(&s->stopping, 1);
    g_thread_join(s->puller);
    tolk_media_input_free(s->input);
    g_object_unref(s->socket);
    meter_clear(&s->meter);
    g_free(s);
}

static uint64_t pushed_count(session *s)
{
    tolk_media_input_stats stats;
    tolk_media_input_get_stats(s->input, &stats);
    return stats.received;
}

/* 1 s of tone (50 blocks of 20 ms) */
static bool heard_tone(void *meter)
{
    return meter_tone_blocks(meter) >= 50;
}

static bool peer_connected(void *peer)
{
    return tolk_webrtc_peer_state(peer) == TOLK_WEBRTC_CONNECTED;
}

/* ---- WHEP ---- */

static tolk_webrtc_peer *whep_connect_with(channel *ch, client *c, unsigned pt, const tolk_webrtc_config *cfg)
{
    char *offer = client_offer(c);
    g_test_message("offer:\n%s", offer);
    g_assert_nonnull(strstr(offer, "OPUS/48000/2"));
    char *answer = NULL;
    tolk_error err = {0};
    tolk_webrtc_peer *peer = tolk_webrtc_whep_new(offer, ch->stream, cfg, &answer, &err);
    g_assert_nonnull(peer);
    g_assert_cmpint(err.kind, ==, TOLK_ERROR_NONE);
    g_assert_true(cfg->ice_addresses == NULL || strstr(answer, cfg->ice_addresses));
    g_test_message("answer:\n%s", answer);
    g_assert_nonnull(strstr(answer, "a=candidate:"));
    g_assert_nonnull(strstr(answer, "a=sendonly"));
    char *rtpmap = g_strdup_printf("a=rtpmap:%u OPUS/48000/2", pt);
    g_assert_nonnull(strstr(answer, rtpmap));
    g_free(rtpmap);
    g_assert_true(client_set_answer(c, answer));
    g_free(answer);
    g_free(offer);
    return peer;
}

static tolk_webrtc_peer *whep_connect(channel *ch, client *c, unsigned pt)
{
    return whep_connect_with(ch, c, pt, &config);
}

static void test_whep(void)
{
    channel *ch = channel_new(1000);
    client *c = client_new_receiver(109, 1000); /* Firefox's payload type */
    tolk_webrtc_peer *peer = whep_connect(ch, c, 109);
    g_assert_cmpint(strlen(tolk_webrtc_peer_id(peer)), ==, TOLK_WEBRTC_ID_LEN);
    g_assert_true(g_str_has_prefix(tolk_webrtc_peer_name(peer), "p")); /* logs say this, not the id */
    const char *etag = tolk_webrtc_peer_etag(peer);
    g_assert_true(strlen(etag) > 2 && etag[0] == '"' && etag[strlen(etag) - 1] == '"');
    g_assert_cmpint(tolk_stream_listener_count(ch->stream), ==, 1);
    g_assert_true(wait_for(heard_tone, &c->meter, 6000));
    g_assert_cmpint(tolk_webrtc_peer_state(peer), ==, TOLK_WEBRTC_CONNECTED);
    tolk_webrtc_peer_close(peer);
    tolk_webrtc_peer_close(peer); /* idempotent */
    g_assert_cmpint(tolk_stream_listener_count(ch->stream), ==, 0);
    g_assert_cmpint(tolk_webrtc_peer_state(peer), ==, TOLK_WEBRTC_CLOSED);
    tolk_webrtc_peer_unref(peer);
    client_free(c);
    channel_free(ch);
}

/* libnice offers no loopback candidate unless told to: a machine with only
 * loopback (or a browser bound to it) needs ice_addresses. Both ends here
 * use 127.0.0.1 alone. */
static void test_whep_loopback(void)
{
    tolk_webrtc_config loopback = config;
    loopback.ice_addresses = "127.0.0.1";
    loopback.min_port = 40000;
    loopback.max_port = 40100;
    channel *ch = channel_new(1000);
    client *c = client_new_receiver(111, 1000);
    /* libnice parses numeric addresses only: a host name is refused. */
    g_assert_false(tolk_webrtc_ice_set_addresses(c->webrtc, "localhost"));
    g_assert_true(tolk_webrtc_ice_set_addresses(c->webrtc, "127.0.0.1"));
    tolk_webrtc_peer *peer = whep_connect_with(ch, c, 111, &loopback);
    g_assert_true(wait_for(heard_tone, &c->meter, 6000));
    tolk_webrtc_peer_unref(peer); /* the last reference closes */
    g_assert_cmpint(tolk_stream_listener_count(ch->stream), ==, 0);
    client_free(c);
    channel_free(ch);
}

/* ---- WHIP ---- */

static tolk_webrtc_peer *whip_connect(session *s, client *c)
{
    char *offer = client_offer(c);
    char *answer = NULL;
    tolk_error err = {0};
    tolk_webrtc_peer *peer = tolk_webrtc_whip_new(offer, s->input, &config, &answer, &err);
    g_assert_nonnull(peer);
    g_test_message("answer:\n%s", answer);
    g_assert_nonnull(strstr(answer, "a=recvonly"));
    g_assert_true(client_set_answer(c, answer));
    g_free(answer);
    g_free(offer);
    return peer;
}

static void test_whip(void)
{
    session *s = session_new(440);
    client *c = client_new_sender(111, 440); /* Chromium's payload type */
    tolk_webrtc_peer *peer = whip_connect(s, c);
    g_assert_true(wait_for(heard_tone, &s->meter, 6000));
    g_assert_true(wait_for(peer_connected, peer, 1000));
    tolk_webrtc_peer_close(peer);
    uint64_t pushed = pushed_count(s);
    g_usleep(200000);
    g_assert_cmpuint(pushed_count(s), ==, pushed); /* nothing pushed after close */
    tolk_webrtc_peer_unref(peer);
    client_free(c);
    session_free(s);
}

/* ---- bad offers ---- */

#define SDP_HEAD "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"

/* What the API answers as it comes: 400 invalid_offer. */
static void assert_offer_refused(const tolk_error *err, const char *words)
{
    g_assert_cmpint(err->kind, ==, TOLK_ERROR_INVALID);
    g_assert_cmpstr(err->code, ==, "invalid_offer");
    g_assert_nonnull(strstr(err->message, words));
}

static void expect_refused(const char *offer, const char *words)
{
    tolk_error err = {0};
    uint8_t key[TOLK_KEY_LEN] = {0};
    tolk_stream *stream = tolk_stream_new(key);
    g_assert_false(tolk_webrtc_offer_check(offer, NULL, &err));
    assert_offer_refused(&err, words);
    err = (tolk_error){0};
    g_assert_null(tolk_webrtc_whep_prepare(offer, stream, &config, &err));
    g_test_message("%s -> %s", offer ? offer : "(null)", err.message);
    assert_offer_refused(&err, words);
    g_assert_cmpint(tolk_stream_listener_count(stream), ==, 0);
    tolk_stream_free(stream);
}

static void test_bad_offers(void)
{
    expect_refused(NULL, "not SDP");
    expect_refused("hello world", "not SDP");
    expect_refused(SDP_HEAD, "no m-line");
    expect_refused(SDP_HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n", "no audio m-line");
    expect_refused(SDP_HEAD "m=audio 9 UDP/TLS/RTP/SAVPF 0 8\r\na=rtpmap:0 PCMU/8000\r\n", "does not offer Opus");
    /* opus in an rtpmap the m-line does not list */
    expect_refused(SDP_HEAD "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:111 opus/48000/2\r\n", "does not offer Opus");
    unsigned pt = 0;
    tolk_error err;
    const char *good = SDP_HEAD "m=audio 9 UDP/TLS/RTP/SAVPF 109 0\r\na=mid:0\r\na=recvonly\r\n"
                                "a=rtpmap:109 opus/48000/2\r\n";
    g_assert_true(tolk_webrtc_offer_check(good, &pt, &err));
    g_assert_cmpuint(pt, ==, 109);
    /* A WHIP offer must send: a recvonly one is refused. */
    g_assert_null(tolk_webrtc_whip_prepare(good, NULL, &config, &err));
    assert_offer_refused(&err, "recvonly");
}

/* ---- trickle fragments ---- */

static void test_trickle(void)
{
    uint8_t key[TOLK_KEY_LEN] = {0};
    tolk_stream *stream = tolk_stream_new(key);
    const char *offer = SDP_HEAD "a=group:BUNDLE a0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a0\r\n"
                                 "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\na=recvonly\r\n"
                                 "a=rtpmap:111 opus/48000/2\r\n";
    tolk_error err = {0};
    tolk_webrtc_peer *peer = tolk_webrtc_whep_prepare(offer, stream, &config, &err);
    g_assert_nonnull(peer);
    g_assert_cmpint(tolk_webrtc_peer_state(peer), ==, TOLK_WEBRTC_NEW);
    g_assert_true(tolk_webrtc_peer_add_candidates(
        peer, "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\nm=audio 9 RTP/AVP 0\r\na=mid:a0\r\n"
              "a=candidate:1 1 UDP 2122252543 192.0.2.9 40000 typ host\r\na=end-of-candidates\r\n",
        &err));
    g_assert_true(tolk_webrtc_peer_add_candidates(peer, "a=end-of-candidates\r\n", &err));
    /* An ICE restart is unsupported (422), also behind a line that is no SDP. */
    g_assert_false(tolk_webrtc_peer_add_candidates(peer, "a=ice-ufrag:other\r\na=ice-pwd:x\r\n", &err));
    g_assert_cmpint(err.kind, ==, TOLK_ERROR_UNSUPPORTED);
    g_assert_cmpstr(err.code, ==, "ice_restart_unsupported");
    g_assert_nonnull(strstr(err.message, "ICE restart"));
    g_assert_false(tolk_webrtc_peer_add_candidates(peer, "garbage\r\na=ice-ufrag:other\r\n", &err));
    g_assert_cmpstr(err.code, ==, "ice_restart_unsupported");
    g_assert_false(tolk_webrtc_peer_add_candidates(peer, "a=mid:zz\r\n", &err));
    g_assert_cmpint(err.kind, ==, TOLK_ERROR_INVALID);
    g_assert_cmpstr(err.code, ==, "invalid_candidates");
    g_assert_cmpstr(err.message, ==, "unknown a=mid zz");
    g_assert_false(tolk_webrtc_peer_add_candidates(peer, "garbage", &err));
    g_assert_cmpstr(err.code, ==, "invalid_candidates");
    tolk_webrtc_peer_close(peer);
    g_assert_false(tolk_webrtc_peer_add_candidates(peer, "", &err));
    g_assert_cmpstr(err.code, ==, "invalid_candidates");
    /* closed before it answered: negotiate gives up at once, unavailable (503) */
    g_assert_null(tolk_webrtc_peer_negotiate(peer, &err));
    g_assert_cmpint(err.kind, ==, TOLK_ERROR_UNAVAILABLE);
    g_assert_cmpstr(err.code, ==, "unavailable");
    g_assert_cmpstr(err.message, ==, "no WebRTC answer: closed while answering");
    tolk_webrtc_peer_unref(peer);
    g_assert_cmpint(tolk_stream_listener_count(stream), ==, 0);
    tolk_stream_free(stream);
}

/* ---- closing while frames flow ---- */

typedef struct {
    tolk_webrtc_peer *peer;
    char *answer;
    tolk_error err;
} negotiation;

static gpointer negotiate_thread(gpointer data)
{
    negotiation *n = data;
    n->answer = tolk_webrtc_peer_negotiate(n->peer, &n->err);
    return NULL;
}

/* A WHEP listener hearing a channel and a WHIP speaker heard in a session. */
typedef struct {
    channel *ch;
    session *s;
    client *listener, *speaker;
    tolk_webrtc_peer *whep, *whip;
} flowing;

static flowing flowing_start(void)
{
    flowing f = {channel_new(1000), session_new(440), client_new_receiver(111, 1000), client_new_sender(111, 440),
                 NULL, NULL};
    f.whep = whep_connect(f.ch, f.listener, 111);
    f.whip = whip_connect(f.s, f.speaker);
    g_assert_true(wait_for(heard_tone, &f.listener->meter, 6000));
    g_assert_true(wait_for(heard_tone, &f.s->meter, 6000));
    return f;
}

static void test_close_while_flowing(void)
{
    flowing f = flowing_start();
    channel *ch = f.ch;
    session *s = f.s;
    client *listener = f.listener, *speaker = f.speaker;
    tolk_webrtc_peer *whep = f.whep, *whip = f.whip;
    /* The owner closes (session deleted) while media runs on every thread. */
    tolk_webrtc_peer_close(whep);
    tolk_webrtc_peer_close(whip);
    g_assert_cmpint(tolk_stream_listener_count(ch->stream), ==, 0);
    g_usleep(100000);
    tolk_webrtc_peer_unref(whep);
    tolk_webrtc_peer_unref(whip);
    /* A close racing a negotiation in another thread. */
    client *late = client_new_receiver(111, 1000);
    char *offer = client_offer(late);
    tolk_error err;
    negotiation n = {tolk_webrtc_whep_prepare(offer, ch->stream, &config, &err), NULL, {0}};
    g_assert_nonnull(n.peer);
    tolk_webrtc_peer_ref(n.peer); /* the handler's own reference */
    GThread *thread = g_thread_new("negotiate", negotiate_thread, &n);
    g_usleep(5000);
    tolk_webrtc_peer_close(n.peer);
    tolk_webrtc_peer_unref(n.peer); /* the owner's */
    g_thread_join(thread);
    g_assert_cmpint(tolk_stream_listener_count(ch->stream), ==, 0);
    g_test_message("negotiation racing close: %s", n.answer ? "answered" : n.err.message);
    g_free(n.answer);
    tolk_webrtc_peer_unref(n.peer);
    g_free(offer);
    client_free(late);
    client_free(listener);
    client_free(speaker);
    session_free(s);
    channel_free(ch);
}

/* What a session does under the app lock: detach the peers, then free the media
 * (the stream, the input) before the peers' pipelines stop after the unlock. */
static void test_detach_then_media_goes(void)
{
    flowing f = flowing_start();
    tolk_webrtc_peer_detach(f.whep);
    tolk_webrtc_peer_detach(f.whip);
    g_assert_cmpint(tolk_stream_listener_count(f.ch->stream), ==, 0);
    channel_free(f.ch); /* the stream and the input go while both pipelines still run */
    session_free(f.s);
    g_usleep(100000); /* WHIP's appsink keeps receiving: it must not push into the freed input */
    for (int i = 0; i < 2; i++) {
        tolk_webrtc_peer *peer = i ? f.whip : f.whep;
        tolk_webrtc_peer_close(peer);
        tolk_webrtc_peer_unref(peer);
    }
    client_free(f.listener);
    client_free(f.speaker);
}

/* ---- nothing stays behind a closed peer ---- */

/* Threads of this process whose name contains "ice": webrtcbin's ICE agent
 * runs its main loop on a thread named "<webrtcbin>:ice". */
static int ice_threads(void)
{
    GDir *dir = g_dir_open("/proc/self/task", 0, NULL);
    g_assert_nonnull(dir);
    int count = 0;
    const char *tid;
    while ((tid = g_dir_read_name(dir))) {
        char *path = g_build_filename("/proc/self/task", tid, "comm", NULL);
        char *comm = NULL;
        if (g_file_get_contents(path, &comm, NULL, NULL) && strstr(comm, "ice"))
            count++;
        g_free(comm);
        g_free(path);
    }
    g_dir_close(dir);
    return count;
}

typedef struct {
    int ice_before;
    gint alive; /* atomic: watched objects not finalized yet */
} leak_watch;

static void on_finalized(gpointer data, GObject *gone)
{
    (void)gone;
    g_atomic_int_add(&((leak_watch *)data)->alive, -1);
}

static void watch(leak_watch *w, gpointer object)
{
    g_atomic_int_inc(&w->alive);
    g_object_weak_ref(object, on_finalized, w);
}

static bool all_gone(void *data)
{
    leak_watch *w = data;
    return g_atomic_int_get(&w->alive) == 0 && ice_threads() <= w->ice_before;
}

#define LEAK_ROUNDS 10

/* Found by the WHEP benchmark: every negotiated and closed peer kept its
 * pipeline, webrtcbin and ICE thread (the bus handler dropped messages without
 * unreffing them, and each message holds its source). Negotiate and close
 * WHEP and WHIP peers against real clients, as the session does (close, then
 * the last unref): afterwards their pipelines and webrtcbins are finalized and
 * the process has no more ICE threads than before. */
static void test_no_leak(void)
{
    channel *ch = channel_new(1000);
    session *s = session_new(440);
    leak_watch w = {.ice_before = ice_threads(), .alive = 0};
    for (int i = 0; i < LEAK_ROUNDS; i++) {
        client *listener = client_new_receiver(111, 1000);
        client *speaker = client_new_sender(111, 440);
        tolk_webrtc_peer *peers[] = {whep_connect(ch, listener, 111), whip_connect(s, speaker)};
        for (gsize p = 0; p < G_N_ELEMENTS(peers); p++) {
            watch(&w, peers[p]->pipeline);
            watch(&w, peers[p]->webrtc);
            tolk_webrtc_peer_close(peers[p]);
            tolk_webrtc_peer_unref(peers[p]);
        }
        client_free(listener);
        client_free(speaker);
    }
    g_assert_cmpint(tolk_stream_listener_count(ch->stream), ==, 0);
    /* Generous: under AddressSanitizer and a loaded machine the ICE threads take seconds to end. */
    bool clean = wait_for(all_gone, &w, 10000);
    g_test_message("after %d WHEP and %d WHIP peers: %d pipelines and webrtcbins alive, %d ICE threads (%d before)",
                   LEAK_ROUNDS, LEAK_ROUNDS, g_atomic_int_get(&w.alive), ice_threads(), w.ice_before);
    g_assert_cmpint(g_atomic_int_get(&w.alive), ==, 0);
    g_assert_cmpint(ice_threads(), <=, w.ice_before);
    g_assert_true(clean);
    session_free(s);
    channel_free(ch);
}

/* ---- RFC 9725 Link headers ---- */

static void test_ice_server_links(void)
{
    tolk_webrtc_config cfg = {.stun_server = "stun://stun.example:3478",
                              .turn_server = "turns://us%40er:p%22ss@turn.example:5349?transport=tcp"};
    GStrv links = tolk_webrtc_ice_server_links(&cfg, true);
    g_assert_cmpuint(g_strv_length(links), ==, 2);
    g_assert_cmpstr(links[0], ==, "<stun:stun.example:3478>; rel=\"ice-server\"");
    g_assert_cmpstr(links[1], ==, "<turns:turn.example:5349?transport=tcp>; rel=\"ice-server\"; "
                                  "username=\"us@er\"; credential=\"p\\\"ss\"; credential-type=\"password\"");
    g_strfreev(links);
    links = tolk_webrtc_ice_server_links(&cfg, false); /* no credentials: no TURN at all */
    g_assert_cmpuint(g_strv_length(links), ==, 1);
    g_strfreev(links);
    tolk_webrtc_config none = {0};
    links = tolk_webrtc_ice_server_links(&none, true);
    g_assert_cmpuint(g_strv_length(links), ==, 0);
    g_strfreev(links);
    tolk_webrtc_config odd = {.stun_server = "stun://a b", .turn_server = "turn://nouser.example:3478"};
    links = tolk_webrtc_ice_server_links(&odd, true); /* nothing that could break the header */
    g_assert_cmpuint(g_strv_length(links), ==, 0);
    g_strfreev(links);
}

int main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/webrtc/bad-offers", test_bad_offers);
    g_test_add_func("/webrtc/trickle", test_trickle);
    g_test_add_func("/webrtc/ice-server-links", test_ice_server_links);
    g_test_add_func("/webrtc/whep", test_whep);
    g_test_add_func("/webrtc/whep-loopback", test_whep_loopback);
    g_test_add_func("/webrtc/whip", test_whip);
    g_test_add_func("/webrtc/close-while-flowing", test_close_while_flowing);
    g_test_add_func("/webrtc/no-leak", test_no_leak);
    g_test_add_func("/webrtc/detach-then-media-goes", test_detach_then_media_goes);
    int rc = g_test_run();
    gst_deinit();
    return rc;
}
