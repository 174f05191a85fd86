/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * whep-client: many receive-only WHEP listeners in one process, for the WHEP
 * listener benchmark (tests/bench/whep_bench.py, docs/performance.md).
 *
 *   whep-client raw [SECONDS]
 *       The raw per-listener work of the daemon, timed single-threaded on this
 *       machine: libsrtp2 srtp_protect (AES_CM_128_HMAC_SHA1_80) of a 100-byte
 *       RTP packet, and a sendto of the protected packet on loopback. One JSON
 *       line: microseconds per packet and the fraction of one core for one
 *       listener at 50 packets/s.
 *
 *   whep-client raw-video [SECONDS [BYTES]]
 *       The same for a video packet of BYTES (default 1200: the payloader's MTU): what one
 *       viewer of the floor video costs at the least, per packet; the benchmark multiplies
 *       by the packet rate it measured (tests/bench/video_viewers_bench.py).
 *
 *   whep-client publish HOST PORT PATH TOKEN [--video-only]
 *       A WHIP camera: 720p VP8 at about 1.4 Mb/s (a pinwheel, a key frame every 12 frames,
 *       encoded once at start, then sent in a loop at 30 frames/s, so the camera costs next to
 *       nothing while the daemon is measured; kept in the temporary directory for the next
 *       run) and, unless --video-only, a 440 Hz Opus tone.
 *       Prints {"status": 201, "connected": bool, "encoded_bytes": .., "frames": ..} once up,
 *       then {"sent_frames": N, "keyframe_requests": K} (GstForceKeyUnit that came up from
 *       webrtcbin: the daemon's FIR/PLI) for every line read on stdin; DELETEs at EOF or "quit".
 *
 *   whep-client run HOST PORT PATH TOKEN [--video] [--video-first]
 *       --video: every offer also receives VP8 (the floor video of a console's WHEP);
 *       --video-first: its video m-line comes before the audio one (max-bundle: the audio
 *       then has port 0, bundle-only).
 *       Reads commands on stdin, one per line, answers one line on stdout each:
 *         add N     opens N more WHEP sessions on PATH (offer from a webrtcbin,
 *                   plain-socket HTTP/1.1 POST, answer set), 8 at a time, then
 *                   waits (at most 20 s) until they are connected:
 *                   {"added": N, "ok": .., "failed": .., "connected": .., "ms": ..}
 *         stats     cumulative counters of every peer so far:
 *                   {"cpu": process CPU seconds, "threads": .., "peers": [[packets,
 *                   seq_gaps, reordered, ts_frames, connected, video_packets, video_gaps,
 *                   video_frames, video_bytes], ...]} (video_frames: RTP marker bits)
 *                   ts_frames = frames spanned by the RTP timestamps seen
 *                   ((last - first) / 960 + 1): the daemon stamps frames on arrival
 *                   in its per-listener appsrc and a frame dropped there before the
 *                   payloader leaves no sequence gap, only a timestamp hole, so
 *                   ts_frames - packets counts those.
 *         flood MS S  every MS ms for S seconds, a key frame request up every peer's received
 *                   video (its RTP session sends the daemon a PLI): {"flood_sent": N}
 *         rtpstats  per peer, the source pads webrtcbin added and what its RTP sessions
 *                   received per SSRC: {"peers": [{"pads": N, "inbound": [[ssrc, packets]]}]}
 *         delete    DELETEs every session (8 at a time) and frees the peers:
 *                   {"deleted": .., "failed": .., "ms": ..}
 *         quit
 *       No decoding: a pad probe on webrtcbin's source pad (decrypted RTP, after
 *       its jitter buffer) reads the RTP header; the buffers go to a fakesink.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <netinet/in.h>
#include <nice/agent.h>
#include <srtp2/srtp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define OPUS_PT 111
#define VP8_PT 96
#define WORKERS 8
#define HTTP_TIMEOUT_S 15

static void die(const char *msg)
{
    fprintf(stderr, "whep-client: %s\n", msg);
    exit(2);
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mono_ms(void)
{
    return (double)g_get_monotonic_time() / 1000.0;
}

/* ----------------------------------------------------------------------------------------- */
/* raw: what one listener costs the daemon at the least */

static int cmd_raw(int argc, char **argv, bool video)
{
    double seconds = argc > 2 ? atof(argv[2]) : 5.0;
    /* 1000 contexts, like 1000 listeners: the keys do not all stay in L1 */
    enum { CONTEXTS = 1000, MAX_PKT = 1500 };
    int PKT = video ? (argc > 3 ? atoi(argv[3]) : 1200) : 100;
    if (PKT < 12 || PKT > MAX_PKT)
        die("raw-video: BYTES must be 12..1500");
    int rounds = (int)(seconds * 50);
    if (srtp_init() != srtp_err_status_ok)
        die("srtp_init failed");
    srtp_t *ctx = calloc(CONTEXTS, sizeof *ctx);
    uint8_t key[30];
    for (int i = 0; i < 30; i++)
        key[i] = (uint8_t)(i * 7 + 3);
    for (int i = 0; i < CONTEXTS; i++) {
        srtp_policy_t p;
        memset(&p, 0, sizeof p);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
        p.ssrc.type = ssrc_specific;
        p.ssrc.value = 5000u + (uint32_t)i;
        p.key = key;
        p.window_size = 128;
        p.allow_repeat_tx = 1;
        if (srtp_create(&ctx[i], &p) != srtp_err_status_ok)
            die("srtp_create failed");
    }
    uint8_t pkt[MAX_PKT + SRTP_MAX_TRAILER_LEN];
    int out_len = 0;
    double t0 = cpu_seconds();
    /* rounds x CONTEXTS packets; ~ seconds of audio for CONTEXTS listeners is too long: time
     * `rounds` packets per context for the first 100 contexts, enough for a stable figure */
    long n_prot = 0;
    for (int f = 0; f < rounds; f++)
        for (int i = 0; i < 100; i++) {
            memset(pkt, 0, 12);
            pkt[0] = 0x80;
            pkt[1] = video ? VP8_PT : OPUS_PT;
            pkt[2] = (uint8_t)(f >> 8);
            pkt[3] = (uint8_t)f;
            uint32_t ssrc = 5000u + (uint32_t)(i * 10);
            pkt[8] = (uint8_t)(ssrc >> 24), pkt[9] = (uint8_t)(ssrc >> 16);
            pkt[10] = (uint8_t)(ssrc >> 8), pkt[11] = (uint8_t)ssrc;
            memset(pkt + 12, 0x5a, PKT - 12);
            int len = PKT;
            if (srtp_protect(ctx[i * 10], pkt, &len) != srtp_err_status_ok)
                die("srtp_protect failed");
            out_len = len;
            n_prot++;
        }
    double t_prot = cpu_seconds() - t0;

    int sink = socket(AF_INET, SOCK_DGRAM, 0), src = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (sink < 0 || src < 0 || bind(sink, (struct sockaddr *)&a, sizeof a) < 0)
        die("socket/bind failed");
    socklen_t al = sizeof a;
    getsockname(sink, (struct sockaddr *)&a, &al);
    long n_send = 0;
    t0 = cpu_seconds();
    for (int f = 0; f < rounds; f++)
        for (int i = 0; i < 20; i++) {
            sendto(src, pkt, (size_t)out_len, 0, (struct sockaddr *)&a, sizeof a);
            n_send++;
        }
    double t_send = cpu_seconds() - t0;
    close(sink);
    close(src);
    for (int i = 0; i < CONTEXTS; i++)
        srtp_dealloc(ctx[i]);
    free(ctx);
    double us_prot = t_prot * 1e6 / (double)n_prot, us_send = t_send * 1e6 / (double)n_send;
    printf("{\"packet_bytes\": %d, \"srtp_bytes\": %d, \"protect_us\": %.3f, \"sendto_us\": %.3f, "
           "\"per_listener_core\": %.6f, \"protect_packets\": %ld, \"sendto_packets\": %ld}\n",
           PKT, out_len, us_prot, us_send, (us_prot + us_send) * 50.0 / 1e6, n_prot, n_send);
    return 0;
}

/* ----------------------------------------------------------------------------------------- */
/* HTTP/1.1 over a plain socket, one request per connection */

typedef struct {
    int status;
    char location[256];
    char *body;
} http_reply;

static const char *g_host, *g_token;
static int g_port;

static bool http_request(const char *method, const char *path, const char *ctype, const char *body,
                         http_reply *out)
{
    memset(out, 0, sizeof *out);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct timeval tv = {.tv_sec = HTTP_TIMEOUT_S};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
    if (inet_pton(AF_INET, g_host, &a.sin_addr) != 1 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return false;
    }
    size_t blen = body ? strlen(body) : 0;
    GString *req = g_string_new(NULL);
    g_string_append_printf(req, "%s %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                           "Connection: close\r\nContent-Length: %zu\r\n", method, path, g_host, g_port,
                           g_token, blen);
    if (ctype)
        g_string_append_printf(req, "Content-Type: %s\r\n", ctype);
    g_string_append(req, "\r\n");
    if (body)
        g_string_append(req, body);
    size_t off = 0;
    bool ok = true;
    while (off < req->len) {
        ssize_t n = send(fd, req->str + off, req->len - off, MSG_NOSIGNAL);
        if (n <= 0) {
            ok = false;
            break;
        }
        off += (size_t)n;
    }
    g_string_free(req, TRUE);
    GString *resp = g_string_new(NULL);
    char buf[4096];
    while (ok) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ok = false;
            break;
        }
        if (n == 0)
            break;
        g_string_append_len(resp, buf, n);
    }
    close(fd);
    char *end = ok ? strstr(resp->str, "\r\n\r\n") : NULL;
    if (!end || sscanf(resp->str, "HTTP/1.%*d %d", &out->status) != 1) {
        g_string_free(resp, TRUE);
        return false;
    }
    *end = 0;
    for (char *line = strstr(resp->str, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        if (g_ascii_strncasecmp(line + 2, "Location:", 9) == 0) {
            const char *v = line + 11;
            while (*v == ' ')
                v++;
            size_t n = strcspn(v, "\r\n");
            if (n >= sizeof out->location)
                n = sizeof out->location - 1;
            memcpy(out->location, v, n);
            out->location[n] = 0;
        }
    }
    out->body = g_strdup(end + 4);
    g_string_free(resp, TRUE);
    return true;
}

/* ----------------------------------------------------------------------------------------- */
/* one listener: a receive-only webrtcbin, counting RTP packets at its source pad */

typedef struct {
    GstElement *pipeline, *webrtc;
    GMutex lock;
    GCond cond;
    gboolean gathered;
    char location[256];
    bool posted;
    /* counters, under lock: the audio's, and the video's (told apart by payload type) */
    guint64 packets, gaps, reordered;
    bool have_seq;
    guint16 last_seq;
    guint64 ts_first, ts_ext;  /* extended RTP timestamps */
    guint32 ts_last32;
    guint64 v_packets, v_gaps, v_frames, v_bytes;
    bool v_have_seq;
    guint16 v_last_seq;
    GstPad *video_pad; /* the received video's, for `flood` (a reference, under lock) */
    gint pads;         /* source pads webrtcbin added (atomic) */
} peer;

/* What every peer of this process offers (set once, before any peer). */
static bool g_video, g_video_first;

static GPtrArray *g_peers; /* of peer*, appended by the main thread only */
static GMutex g_peers_lock;

/* Under p->lock. A frame ends at the marker bit; a lost packet is a sequence gap. */
static void count_video(peer *p, guint16 seq, bool marker, gsize bytes)
{
    if (p->v_have_seq) {
        gint16 d = (gint16)(seq - p->v_last_seq);
        if (d > 1)
            p->v_gaps += (guint64)(d - 1);
        if (d > 0)
            p->v_last_seq = seq;
    } else {
        p->v_have_seq = true;
        p->v_last_seq = seq;
    }
    p->v_packets++;
    p->v_frames += marker;
    p->v_bytes += bytes;
}

static GstPadProbeReturn on_rtp(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
    (void)pad;
    peer *p = user_data;
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
    guint8 h[12];
    if (!b || gst_buffer_extract(b, 0, h, sizeof h) != sizeof h)
        return GST_PAD_PROBE_OK;
    guint16 seq = (guint16)(h[2] << 8 | h[3]);
    guint32 ts = (guint32)h[4] << 24 | (guint32)h[5] << 16 | (guint32)h[6] << 8 | h[7];
    g_mutex_lock(&p->lock);
    if ((h[1] & 0x7f) != OPUS_PT) {
        count_video(p, seq, (h[1] & 0x80) != 0, gst_buffer_get_size(b));
        g_mutex_unlock(&p->lock);
        return GST_PAD_PROBE_OK;
    }
    if (!p->have_seq) {
        if (g_getenv("WHEP_CLIENT_SDP"))
            fprintf(stderr, "whep-client: first audio SSRC %u\n", (guint32)h[8] << 24 | (guint32)h[9] << 16 | (guint32)h[10] << 8 | h[11]);
        p->have_seq = true;
        p->ts_first = p->ts_ext = ts;
        p->ts_last32 = ts;
    } else {
        gint16 d = (gint16)(seq - p->last_seq);
        if (d > 1)
            p->gaps += (guint64)(d - 1);
        else if (d <= 0)
            p->reordered++;
        gint32 dt = (gint32)(ts - p->ts_last32);
        if (dt > 0) {
            p->ts_ext += (guint64)dt;
            p->ts_last32 = ts;
        }
    }
    if (!p->have_seq || (gint16)(seq - p->last_seq) > 0)
        p->last_seq = seq;
    p->packets++;
    g_mutex_unlock(&p->lock);
    return GST_PAD_PROBE_OK;
}

static void on_pad(GstElement *webrtc, GstPad *pad, gpointer user_data)
{
    (void)webrtc;
    peer *p = user_data;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
        return;
    g_atomic_int_inc(&p->pads);
    GstElement *sink = gst_element_factory_make("fakesink", NULL);
    g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add(GST_BIN(p->pipeline), sink);
    gst_element_sync_state_with_parent(sink);
    GstPad *sinkpad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtp, p, NULL);
    GstCaps *caps = gst_pad_get_current_caps(pad);
    const GstStructure *st = caps && gst_caps_get_size(caps) ? gst_caps_get_structure(caps, 0) : NULL;
    if (st && !g_strcmp0(gst_structure_get_string(st, "media"), "video")) {
        g_mutex_lock(&p->lock);
        gst_object_replace((GstObject **)&p->video_pad, GST_OBJECT(pad));
        g_mutex_unlock(&p->lock);
    }
    if (caps)
        gst_caps_unref(caps);
    if (gst_pad_link(pad, sinkpad) != GST_PAD_LINK_OK)
        fprintf(stderr, "whep-client: cannot link a source pad\n");
    gst_object_unref(sinkpad);
}

static void on_gathering(GObject *webrtc, GParamSpec *pspec, gpointer user_data)
{
    (void)pspec;
    peer *p = user_data;
    GstWebRTCICEGatheringState state;
    g_object_get(webrtc, "ice-gathering-state", &state, NULL);
    g_mutex_lock(&p->lock);
    p->gathered = state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
    g_cond_broadcast(&p->cond);
    g_mutex_unlock(&p->lock);
}

static GstStructure *await_promise(GstPromise *promise)
{
    GstStructure *copy = NULL;
    if (gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED) {
        const GstStructure *reply = gst_promise_get_reply(promise);
        copy = reply ? gst_structure_copy(reply) : NULL;
    }
    gst_promise_unref(promise);
    return copy;
}

static GstCaps *opus_caps(void)
{
    return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio", "encoding-name", G_TYPE_STRING,
                               "OPUS", "clock-rate", G_TYPE_INT, 48000, "encoding-params", G_TYPE_STRING, "2",
                               "payload", G_TYPE_INT, OPUS_PT, NULL);
}

/* With the key frame feedback a browser offers, so the daemon's PLI path is the real one. */
static GstCaps *vp8_caps(void)
{
    return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING,
                               "VP8", "clock-rate", G_TYPE_INT, 90000, "payload", G_TYPE_INT, VP8_PT,
                               "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE,
                               NULL);
}

/* Takes caps. */
static void add_transceiver(GstElement *webrtc, GstWebRTCRTPTransceiverDirection direction, GstCaps *caps)
{
    GstWebRTCRTPTransceiver *t = NULL;
    g_signal_emit_by_name(webrtc, "add-transceiver", direction, caps, &t);
    gst_caps_unref(caps);
    if (t)
        gst_object_unref(t);
}

/* libnice gathers no loopback address. A daemon on this machine run with --ice-address
 * 127.0.0.1 offers only that, and UDP from 127.0.0.1 never reaches 192.0.2.x (nor back): only
 * ICE-TCP would form (a TCP connect to 127.0.0.1 works from any address). So a client of a
 * daemon on loopback offers loopback as well, as a browser on that machine would need to. */
static void loopback_too(NiceAgent *agent)
{
    if (!g_host || strcmp(g_host, "127.0.0.1") != 0 || g_getenv("WHEP_CLIENT_NO_LOOPBACK"))
        return; /* WHEP_CLIENT_NO_LOOPBACK: as before, to see ICE-TCP form */
    NiceAddress address;
    nice_address_init(&address);
    if (!nice_address_set_from_string(&address, "127.0.0.1") || !nice_agent_add_local_address(agent, &address))
        fprintf(stderr, "whep-client: cannot add the loopback address to ICE\n");
}

/* A webrtcbin in its pipeline, no transceiver yet. */
static peer *peer_base(void)
{
    peer *p = g_new0(peer, 1);
    g_mutex_init(&p->lock);
    g_cond_init(&p->cond);
    p->pipeline = gst_pipeline_new(NULL);
    p->webrtc = gst_element_factory_make("webrtcbin", NULL);
    if (!p->webrtc)
        die("no webrtcbin (gstreamer1.0-plugins-bad, gstreamer1.0-nice)");
    g_object_set(p->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
    gst_bin_add(GST_BIN(p->pipeline), p->webrtc);
    /* no UPnP IGD on the client's ICE agent either (libnice's default is on): it only costs here */
    GObject *ice = NULL, *agent = NULL;
    g_object_get(p->webrtc, "ice-agent", &ice, NULL);
    if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent"))
        g_object_get(ice, "agent", &agent, NULL);
    if (agent) {
        g_object_set(agent, "upnp", FALSE, NULL);
        loopback_too(NICE_AGENT(agent));
        g_object_unref(agent);
    }
    if (ice)
        g_object_unref(ice);
    g_signal_connect(p->webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering), p);
    g_signal_connect(p->webrtc, "pad-added", G_CALLBACK(on_pad), p);
    return p;
}

/* A viewer: receives Opus, and VP8 with --video. */
static peer *peer_new(void)
{
    peer *p = peer_base();
    if (g_video && g_video_first)
        add_transceiver(p->webrtc, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, vp8_caps());
    add_transceiver(p->webrtc, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, opus_caps());
    if (g_video && !g_video_first)
        add_transceiver(p->webrtc, GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, vp8_caps());
    return p;
}

/* offer, POST, answer; false on any failure (the peer stays, unconnected) */
static bool peer_open(peer *p, const char *path)
{
    if (gst_element_set_state(p->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        return false;
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(p->webrtc, "create-offer", NULL, promise);
    GstStructure *reply = await_promise(promise);
    GstWebRTCSessionDescription *offer = NULL;
    if (reply) {
        gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
        gst_structure_free(reply);
    }
    if (!offer)
        return false;
    promise = gst_promise_new();
    g_signal_emit_by_name(p->webrtc, "set-local-description", offer, promise);
    reply = await_promise(promise);
    if (reply)
        gst_structure_free(reply);
    gst_webrtc_session_description_free(offer);
    gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
    g_mutex_lock(&p->lock);
    while (!p->gathered && g_cond_wait_until(&p->cond, &p->lock, deadline))
        ;
    g_mutex_unlock(&p->lock);
    GstWebRTCSessionDescription *local = NULL;
    g_object_get(p->webrtc, "local-description", &local, NULL);
    if (!local)
        return false;
    char *text = gst_sdp_message_as_text(local->sdp);
    gst_webrtc_session_description_free(local);
    http_reply r;
    bool ok = http_request("POST", path, "application/sdp", text, &r);
    if (!ok || r.status != 201 || !r.location[0]) {
        if (ok)
            fprintf(stderr, "whep-client: POST %s: %d %.200s\n", path, r.status, r.body ? r.body : "");
        else
            fprintf(stderr, "whep-client: POST %s: no reply\n", path);
        g_free(r.body);
        g_free(text);
        return false;
    }
    g_strlcpy(p->location, r.location, sizeof p->location);
    p->posted = true;
    if (g_getenv("WHEP_CLIENT_SDP")) /* to see what was negotiated */
        fprintf(stderr, "whep-client: offer:\n%s\nanswer:\n%s\n", text, r.body);
    g_free(text);
    GstSDPMessage *sdp = NULL;
    ok = gst_sdp_message_new_from_text(r.body, &sdp) == GST_SDP_OK;
    g_free(r.body);
    if (!ok)
        return false;
    GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
    promise = gst_promise_new();
    g_signal_emit_by_name(p->webrtc, "set-remote-description", desc, promise);
    reply = await_promise(promise);
    ok = !reply || !gst_structure_has_field(reply, "error");
    if (reply)
        gst_structure_free(reply);
    gst_webrtc_session_description_free(desc);
    return ok;
}

static bool peer_connected(peer *p)
{
    GstWebRTCPeerConnectionState state;
    g_object_get(p->webrtc, "connection-state", &state, NULL);
    return state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED;
}

/* ----------------------------------------------------------------------------------------- */
/* the command loop */

static const char *g_path;
static gint g_ok, g_failed;

static void open_job(gpointer data, gpointer user_data)
{
    (void)user_data;
    peer *p = data;
    g_atomic_int_inc(peer_open(p, g_path) ? &g_ok : &g_failed);
}

static void delete_job(gpointer data, gpointer user_data)
{
    (void)user_data;
    peer *p = data;
    if (p->posted) {
        http_reply r;
        bool ok = http_request("DELETE", p->location, NULL, NULL, &r) && r.status == 204;
        if (!ok)
            fprintf(stderr, "whep-client: DELETE %s: %d\n", p->location, r.status);
        g_free(r.body);
        g_atomic_int_inc(ok ? &g_ok : &g_failed);
    }
    gst_element_set_state(p->pipeline, GST_STATE_NULL);
    g_signal_handlers_disconnect_by_data(p->webrtc, p);
    gst_clear_object(&p->video_pad);
    gst_object_unref(p->pipeline);
    g_mutex_clear(&p->lock);
    g_cond_clear(&p->cond);
    g_free(p);
}

static int count_threads(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    if (f)
        fclose(f);
    return n;
}

static void cmd_add(int n)
{
    double t0 = mono_ms();
    g_atomic_int_set(&g_ok, 0);
    g_atomic_int_set(&g_failed, 0);
    GThreadPool *pool = g_thread_pool_new(open_job, NULL, WORKERS, FALSE, NULL);
    guint first = g_peers->len;
    for (int i = 0; i < n; i++) {
        peer *p = peer_new();
        g_mutex_lock(&g_peers_lock);
        g_ptr_array_add(g_peers, p);
        g_mutex_unlock(&g_peers_lock);
        g_thread_pool_push(pool, p, NULL);
    }
    g_thread_pool_free(pool, FALSE, TRUE);
    int connected = 0;
    gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
    do {
        connected = 0;
        for (guint i = first; i < g_peers->len; i++)
            connected += peer_connected(g_ptr_array_index(g_peers, i));
        if (connected == n)
            break;
        g_usleep(50000);
    } while (g_get_monotonic_time() < deadline);
    printf("{\"added\": %d, \"ok\": %d, \"failed\": %d, \"connected\": %d, \"ms\": %.0f}\n", n,
           g_atomic_int_get(&g_ok), g_atomic_int_get(&g_failed), connected, mono_ms() - t0);
}

static void cmd_stats(void)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "{\"cpu\": %.4f, \"threads\": %d, \"t_ms\": %.1f, \"peers\": [", cpu_seconds(),
                           count_threads(), mono_ms());
    for (guint i = 0; i < g_peers->len; i++) {
        peer *p = g_ptr_array_index(g_peers, i);
        int connected = peer_connected(p); /* outside the peer's lock: g_object_get takes webrtcbin's */
        g_mutex_lock(&p->lock);
        double ts_frames = p->have_seq ? (double)(p->ts_ext - p->ts_first) / 960.0 + 1.0 : 0.0;
        g_string_append_printf(s, "%s[%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                               ", %.2f, %d, %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                               ", %" G_GUINT64_FORMAT "]", i ? ", " : "", p->packets, p->gaps, p->reordered,
                               ts_frames, connected, p->v_packets, p->v_gaps, p->v_frames, p->v_bytes);
        g_mutex_unlock(&p->lock);
    }
    g_string_append(s, "]}");
    puts(s->str);
    g_string_free(s, TRUE);
}

static void cmd_delete(void)
{
    double t0 = mono_ms();
    g_atomic_int_set(&g_ok, 0);
    g_atomic_int_set(&g_failed, 0);
    GThreadPool *pool = g_thread_pool_new(delete_job, NULL, WORKERS, FALSE, NULL);
    g_mutex_lock(&g_peers_lock);
    for (guint i = 0; i < g_peers->len; i++)
        g_thread_pool_push(pool, g_ptr_array_index(g_peers, i), NULL);
    g_ptr_array_set_size(g_peers, 0);
    g_mutex_unlock(&g_peers_lock);
    g_thread_pool_free(pool, FALSE, TRUE);
    printf("{\"deleted\": %d, \"failed\": %d, \"ms\": %.0f}\n", g_atomic_int_get(&g_ok),
           g_atomic_int_get(&g_failed), mono_ms() - t0);
}

/* A GstForceKeyUnit up the received video's pad: webrtcbin's RTP session sends the daemon a PLI
 * (as fast as its RTCP rules let it: the flood a hostile or broken viewer can make). */
static bool ask_keyframe(peer *p)
{
    g_mutex_lock(&p->lock);
    GstPad *pad = p->video_pad ? gst_object_ref(p->video_pad) : NULL;
    g_mutex_unlock(&p->lock);
    if (!pad)
        return false;
    GstStructure *s = gst_structure_new("GstForceKeyUnit", "all-headers", G_TYPE_BOOLEAN, TRUE, NULL);
    bool ok = gst_pad_send_event(pad, gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM, s));
    gst_object_unref(pad);
    return ok;
}

static gboolean add_inbound(GQuark field, const GValue *value, gpointer data)
{
    (void)field;
    GString *out = data;
    const GstStructure *s = G_VALUE_HOLDS(value, GST_TYPE_STRUCTURE) ? gst_value_get_structure(value) : NULL;
    GstWebRTCStatsType type;
    guint ssrc = 0;
    guint64 packets = 0;
    if (s && gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL) &&
        type == GST_WEBRTC_STATS_INBOUND_RTP && gst_structure_get_uint(s, "ssrc", &ssrc)) {
        gst_structure_get_uint64(s, "packets-received", &packets);
        g_string_append_printf(out, "%s[%u, %" G_GUINT64_FORMAT "]", out->str[out->len - 1] == '[' ? "" : ", ", ssrc,
                               packets);
    }
    return TRUE;
}

/* What webrtcbin's RTP sessions received per SSRC, and how many pads it added: whether a
 * stream that never reached a pad came at all (a daemon's or a client's loss). */
static void cmd_rtpstats(void)
{
    GString *out = g_string_new("{\"peers\": [");
    for (guint i = 0; i < g_peers->len; i++) {
        peer *p = g_ptr_array_index(g_peers, i);
        GstPromise *promise = gst_promise_new();
        g_signal_emit_by_name(p->webrtc, "get-stats", NULL, promise);
        GstStructure *stats = await_promise(promise);
        g_string_append_printf(out, "%s{\"pads\": %d, \"inbound\": [", i ? ", " : "", g_atomic_int_get(&p->pads));
        if (stats) {
            gst_structure_foreach(stats, add_inbound, out);
            gst_structure_free(stats);
        }
        g_string_append(out, "]}");
    }
    g_string_append(out, "]}");
    puts(out->str);
    g_string_free(out, TRUE);
}

static void cmd_flood(int interval_ms, double seconds)
{
    gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    long sent = 0;
    while (g_get_monotonic_time() < end) {
        for (guint i = 0; i < g_peers->len; i++)
            sent += ask_keyframe(g_ptr_array_index(g_peers, i));
        g_usleep((gulong)interval_ms * 1000);
    }
    printf("{\"flood_sent\": %ld}\n", sent);
}

static int cmd_run(int argc, char **argv)
{
    if (argc < 6)
        die("usage: run HOST PORT PATH TOKEN [--video] [--video-first]");
    g_host = argv[2];
    g_port = atoi(argv[3]);
    g_path = argv[4];
    g_token = argv[5];
    for (int i = 6; i < argc; i++) {
        g_video |= !strcmp(argv[i], "--video") || !strcmp(argv[i], "--video-first");
        g_video_first |= !strcmp(argv[i], "--video-first");
    }
    gst_init(NULL, NULL);
    g_peers = g_ptr_array_new();
    setvbuf(stdout, NULL, _IOLBF, 0);
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        int n;
        double seconds;
        if (sscanf(line, "add %d", &n) == 1 && n > 0)
            cmd_add(n);
        else if (sscanf(line, "flood %d %lf", &n, &seconds) == 2 && n > 0)
            cmd_flood(n, seconds);
        else if (!strncmp(line, "rtpstats", 8))
            cmd_rtpstats();
        else if (!strncmp(line, "stats", 5))
            cmd_stats();
        else if (!strncmp(line, "delete", 6))
            cmd_delete();
        else if (!strncmp(line, "quit", 4))
            break;
        else
            printf("{\"error\": \"unknown command\"}\n");
    }
    if (g_peers->len)
        cmd_delete();
    g_ptr_array_free(g_peers, TRUE);
    return 0;
}

/* ----------------------------------------------------------------------------------------- */
/* publish: a WHIP camera that costs next to nothing while it sends */

#define CLIP_FRAMES 60 /* 2 s; a multiple of the key frame distance, so the loop stays decodable */
#define CLIP_FPS 30

#define CLIP_ENCODER                                                                                  \
    "videotestsrc num-buffers=" G_STRINGIFY(CLIP_FRAMES) " pattern=pinwheel ! "                        \
    "video/x-raw,width=1280,height=720,framerate=30/1 ! vp8enc deadline=1 cpu-used=8 end-usage=cbr "   \
    "target-bitrate=1500000 max-quantizer=24 keyframe-max-dist=12 threads=2 ! appsink name=out sync=false"

/* The encoded clip is kept in the temporary directory under a name made of its pipeline's
 * hash, as frames of [4-byte length][bytes]: encoding 720p takes seconds of a shared core. */
static char *clip_cache_path(void)
{
    char name[64];
    g_snprintf(name, sizeof name, "whep-client-clip-%08x.vp8", g_str_hash(CLIP_ENCODER));
    return g_build_filename(g_get_tmp_dir(), name, NULL);
}

static GPtrArray *read_clip(const char *path)
{
    gchar *data = NULL;
    gsize size = 0, off = 0;
    if (!g_file_get_contents(path, &data, &size, NULL))
        return NULL;
    GPtrArray *frames = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    while (off + 4 <= size) {
        guint32 n = GUINT32_FROM_BE(*(guint32 *)(void *)(data + off));
        if (n > size - off - 4)
            break;
        g_ptr_array_add(frames, gst_buffer_new_memdup(data + off + 4, n));
        off += 4 + (gsize)n;
    }
    g_free(data);
    if (frames->len != CLIP_FRAMES || off != size) {
        g_ptr_array_free(frames, TRUE);
        return NULL;
    }
    return frames;
}

static void write_clip(const char *path, GPtrArray *frames)
{
    GByteArray *out = g_byte_array_new();
    for (guint i = 0; i < frames->len; i++) {
        GstMapInfo map;
        GstBuffer *b = g_ptr_array_index(frames, i);
        if (!gst_buffer_map(b, &map, GST_MAP_READ))
            continue;
        guint32 n = GUINT32_TO_BE((guint32)map.size);
        g_byte_array_append(out, (const guint8 *)&n, 4);
        g_byte_array_append(out, map.data, (guint)map.size);
        gst_buffer_unmap(b, &map);
    }
    g_file_set_contents(path, (const gchar *)out->data, out->len, NULL); /* atomic: a rename */
    g_byte_array_free(out, TRUE);
}

/* The clip: CLIP_FRAMES VP8 frames (buffers we own), the first a key frame; encoded once. */
static GPtrArray *encode_clip(void)
{
    char *path = clip_cache_path();
    GPtrArray *cached = read_clip(path);
    if (cached) {
        g_free(path);
        return cached;
    }
    GError *error = NULL;
    GstElement *pipe = gst_parse_launch(CLIP_ENCODER, &error);
    if (!pipe)
        die(error ? error->message : "cannot make the encoder (gstreamer1.0-plugins-good: vp8enc)");
    GstElement *out = gst_bin_get_by_name(GST_BIN(pipe), "out");
    GPtrArray *frames = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    GstSample *sample;
    while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(out)))) {
        g_ptr_array_add(frames, gst_buffer_ref(gst_sample_get_buffer(sample)));
        gst_sample_unref(sample);
    }
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(out);
    gst_object_unref(pipe);
    if (frames->len != CLIP_FRAMES)
        die("the encoder gave fewer frames than asked");
    write_clip(path, frames);
    g_free(path);
    return frames;
}

typedef struct {
    GstElement *appsrc;
    GPtrArray *frames;
    gint stop, sent, keyframe_requests; /* atomic */
} feeder;

/* The daemon's FIR/PLI come up from webrtcbin as GstForceKeyUnit; the clip has a key frame
 * every 0.4 s anyway, so they are only counted: how many reached the camera. */
static GstPadProbeReturn on_upstream(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
    (void)pad;
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_CUSTOM_UPSTREAM && gst_event_has_name(event, "GstForceKeyUnit"))
        g_atomic_int_inc(&((feeder *)user_data)->keyframe_requests);
    return GST_PAD_PROBE_OK;
}

/* Paced on absolute deadlines, so a late wake-up does not slow the frame rate down. */
static gpointer feed_frames(gpointer data)
{
    feeder *f = data;
    gint64 t0 = g_get_monotonic_time();
    for (guint i = 0; !g_atomic_int_get(&f->stop); i++) {
        gint64 due = t0 + (gint64)i * G_USEC_PER_SEC / CLIP_FPS, now = g_get_monotonic_time();
        if (due > now)
            g_usleep((gulong)(due - now));
        GstBuffer *b = gst_buffer_copy(g_ptr_array_index(f->frames, i % f->frames->len));
        GST_BUFFER_PTS(b) = GST_BUFFER_DTS(b) = GST_CLOCK_TIME_NONE; /* appsrc stamps it */
        if (gst_app_src_push_buffer(GST_APP_SRC(f->appsrc), b) != GST_FLOW_OK)
            break;
        g_atomic_int_inc(&f->sent);
    }
    return NULL;
}

/* element's src to a new sending transceiver preferring caps (taken). */
static void link_sending(peer *p, GstElement *element, GstCaps *caps)
{
    gst_bin_add(GST_BIN(p->pipeline), element);
    GstPad *sink = gst_element_request_pad_simple(p->webrtc, "sink_%u");
    GstPad *src = gst_element_get_static_pad(element, "src");
    if (gst_pad_link(src, sink) != GST_PAD_LINK_OK)
        die("cannot link a sender to webrtcbin");
    GstWebRTCRTPTransceiver *t = NULL;
    g_object_get(sink, "transceiver", &t, NULL);
    g_object_set(t, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "codec-preferences", caps, NULL);
    gst_caps_unref(caps);
    gst_object_unref(t);
    gst_object_unref(src);
    gst_object_unref(sink);
}

static GstElement *make_bin(const char *description)
{
    GError *error = NULL;
    GstElement *bin = gst_parse_bin_from_description(description, TRUE, &error);
    if (!bin)
        die(error ? error->message : description);
    return bin;
}

static int cmd_publish(int argc, char **argv)
{
    g_host = argv[2];
    g_port = atoi(argv[3]);
    g_token = argv[5];
    bool audio = !(argc > 6 && !strcmp(argv[6], "--video-only"));
    gst_init(NULL, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    feeder f = {.frames = encode_clip()};
    gsize bytes = 0;
    for (guint i = 0; i < f.frames->len; i++)
        bytes += gst_buffer_get_size(g_ptr_array_index(f.frames, i));
    peer *p = peer_base();
    if (audio)
        link_sending(p, make_bin("audiotestsrc is-live=true wave=sine volume=0.3 freq=440 ! "
                                 "audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 ! "
                                 "rtpopuspay pt=" G_STRINGIFY(OPUS_PT)), opus_caps());
    GstElement *video = make_bin("appsrc name=clip is-live=true do-timestamp=true format=time "
                                 "caps=video/x-vp8,width=1280,height=720,framerate=30/1 ! "
                                 "rtpvp8pay pt=" G_STRINGIFY(VP8_PT) " mtu=1200 picture-id-mode=15-bit");
    f.appsrc = gst_bin_get_by_name(GST_BIN(video), "clip");
    GstPad *clip_src = gst_element_get_static_pad(f.appsrc, "src");
    gst_pad_add_probe(clip_src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream, &f, NULL);
    gst_object_unref(clip_src);
    link_sending(p, video, vp8_caps());
    bool ok = peer_open(p, argv[4]);
    gint64 deadline = g_get_monotonic_time() + 15 * G_TIME_SPAN_SECOND;
    while (ok && !peer_connected(p) && g_get_monotonic_time() < deadline)
        g_usleep(50000);
    GThread *thread = g_thread_new("feeder", feed_frames, &f);
    printf("{\"status\": %d, \"connected\": %s, \"encoded_bytes\": %zu, \"frames\": %u}\n", ok ? 201 : 0,
           ok && peer_connected(p) ? "true" : "false", bytes, f.frames->len);
    char line[64];
    while (ok && fgets(line, sizeof line, stdin) && strncmp(line, "quit", 4))
        printf("{\"sent_frames\": %d, \"keyframe_requests\": %d}\n", g_atomic_int_get(&f.sent),
               g_atomic_int_get(&f.keyframe_requests));
    g_atomic_int_set(&f.stop, 1);
    g_thread_join(thread);
    gst_object_unref(f.appsrc);
    g_ptr_array_free(f.frames, TRUE);
    g_peers = g_ptr_array_new();
    g_ptr_array_add(g_peers, p);
    cmd_delete();
    g_ptr_array_free(g_peers, TRUE);
    return ok ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "raw"))
        return cmd_raw(argc, argv, false);
    if (argc >= 2 && !strcmp(argv[1], "raw-video"))
        return cmd_raw(argc, argv, true);
    if (argc >= 6 && !strcmp(argv[1], "publish"))
        return cmd_publish(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return cmd_run(argc, argv);
    fprintf(stderr, "usage: whep-client raw [SECONDS] | raw-video [SECONDS [BYTES]] | "
                    "publish HOST PORT PATH TOKEN [--video-only] | run HOST PORT PATH TOKEN [--video] [--video-first]\n");
    return 2;
}
