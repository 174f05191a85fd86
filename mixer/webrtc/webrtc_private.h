/* SPDX-License-Identifier: EUPL-1.2 */
/* Inside the webrtc module: the peer, shared by the WHEP and WHIP halves. */
#ifndef TOLK_WEBRTC_PRIVATE_H
#define TOLK_WEBRTC_PRIVATE_H

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <stdatomic.h>

#include "video_feed.h"
#include "webrtc.h"

/* PEER_CAMERA: a WHIP peer for the floor video alone (POST .../video/whip), whose offer may
 * have no audio (a hall encoder); everything else about it is WHIP's. */
typedef enum { PEER_WHEP, PEER_WHIP, PEER_CAMERA } peer_kind;

/* Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01). */
#define TOLK_WEBRTC_TWCC_URI "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
/* The rate a camera is asked to start at, kb/s: the floor video's (docs/video.md). */
#define TOLK_WEBRTC_CAMERA_START_KBPS 1500

/* What the offer told us, kept for negotiation and trickle ICE. */
typedef struct {
    char *text;
    unsigned opus_pt;
    guint opus_mline;
    /* The first live video m-line's payload type for each codec (video_rtp.h), when offered:
     * VP8/90000; H264/90000 in packetization-mode 1. */
    bool video_offered[2];
    unsigned video_pt[2];
    guint video_mline;
    /* The id the video m-line gives the transport-wide congestion control header extension,
     * 0 when it offers none: answered, so the camera's rate control hears how its packets
     * arrive (webrtc_whip_video.c). */
    unsigned video_twcc_id;
    bool has_audio, has_video; /* has_audio false: a video-only camera (PEER_CAMERA) */
    GStrv mids;  /* per m-line, "" where the offer has no a=mid */
    char *ufrag; /* the offer's ICE ufrag, to recognise an ICE restart */
} peer_offer;

struct tolk_webrtc_peer {
    gint refs; /* atomic */
    peer_kind kind;
    char id[TOLK_WEBRTC_ID_LEN + 1]; /* secret: see webrtc.h */
    char name[TOLK_WEBRTC_NAME_SIZE]; /* for logs */
    char sitting[64], console[16], channel[64]; /* for logs, with where pointing into them */
    tolk_log_where where;
    char etag[TOLK_WEBRTC_ETAG_SIZE];  /* set once by negotiate, before the answer is returned */
    peer_offer offer;
    unsigned gather_timeout_ms;
    GstElement *pipeline;
    GstElement *webrtc; /* owned by the pipeline */

    /* Serialises close with negotiate's start and with WHIP's pad-added, so a
     * closed pipeline is never restarted or extended. */
    GMutex close_lock;
    /* Guards everything below; cond signals gathered/closed. */
    GMutex lock;
    GCond cond;
    gint closed; /* atomic as well, for cheap checks */
    gboolean stopped; /* under close_lock: the pipeline is stopping or stopped, never to grow */
    GMutex stop_lock; /* held by close around stopping the pipeline, and by nothing else */
    gboolean negotiating, gathered;
    /* Atomic: set once the answer is applied (webrtc_peer.c). WHEP's audio goes into the
     * appsrc only from then on: a first buffer that reached webrtcbin's sink pad during
     * negotiation could stay stuck there for good (webrtcbin 1.22), the peer then getting video
     * but never audio (docs/performance.md, "Viewers with video but no audio"). */
    gint answered;

    tolk_stream *stream; /* WHEP; NULL once closed */
    guint subscription;
    GstElement *appsrc;
    /* WHEP, for lip sync (webrtc_whep.c, docs/video.md "Lip sync"): how long after its tick was
     * due the stream's frame reached this peer, smoothed, in us; 0 before the first frame.
     * Written on the stream's media thread, read on the video feed's push thread: atomic. */
    atomic_int_fast64_t audio_lag_us;
    tolk_media_input *input; /* WHIP; NULL once closed */

    /* The floor video (NULL once closed, or audio only). WHEP (webrtc_whep_video.c): the feed a
     * viewer takes, its subscription, appsrc and payload type. WHIP (webrtc_whip_video.c): the
     * feed a camera gives to as `video_source`, and the received video's pad, up which key frame
     * requests go (under video_lock, which nothing else is held under: the feed's ask comes
     * from inside a push, under lock). */
    tolk_video_feed *video;
    guint video_subscription;
    GstElement *video_appsrc;
    unsigned video_pt;
    GstClockTime video_last_pts; /* WHEP: the last packet's PTS, under the feed's lock (its pushes) */
    int video_source;
    GMutex video_lock;
    GstPad *video_pad;
};

/* webrtc_sdp.c */
/* An offer refused, as the API answers it: invalid, invalid_offer. */
void tolk_webrtc_offer_refused(tolk_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* audio_optional: an offer with no audio m-line but a VP8/H.264 video one is taken (a camera). */
bool tolk_webrtc_parse_offer(const char *text, peer_offer *offer, bool audio_optional, tolk_error *err);
void tolk_webrtc_offer_clear(peer_offer *offer);
/* The m-line whose direction and ufrag stand for the offer: the Opus one, else the video one. */
guint tolk_webrtc_offer_main_mline(const peer_offer *offer);
/* Checks the direction a WHEP (wants to receive) or WHIP (wants to send) offer gives. */
bool tolk_webrtc_offer_direction_fits(const char *text, const peer_offer *offer, peer_kind kind, tolk_error *err);
/* The answer accepted this m-line (bundled with port 0 counts). */
bool tolk_webrtc_answer_takes(const GstSDPMessage *sdp, guint mline);
/* Adds x-google-start-bitrate=kbps to the fmtp of payload type pt on m-line mline. */
void tolk_webrtc_answer_start_bitrate(GstSDPMessage *sdp, guint mline, unsigned pt, unsigned kbps);
typedef void (*tolk_candidate_fn)(void *ctx, guint mline, const char *candidate);
/* True when the fragment names another ICE ufrag than the offer: an ICE restart (RFC 8840). */
bool tolk_webrtc_frag_restarts_ice(const char *frag, const peer_offer *offer);
/* An ICE restart is unsupported (ice_restart_unsupported), whatever else the fragment
 * holds; any other refusal is invalid (invalid_candidates). */
bool tolk_webrtc_parse_sdpfrag(const char *frag, const peer_offer *offer, tolk_candidate_fn fn, void *ctx,
                               tolk_error *err);

/* webrtc_peer.c */
tolk_webrtc_peer *tolk_webrtc_peer_alloc(peer_kind kind, const char *offer_sdp, const tolk_webrtc_config *cfg,
                                         tolk_error *err);
GstElement *tolk_webrtc_peer_add(tolk_webrtc_peer *peer, const char *factory);
/* A peer of this kind whose media build(peer, ctx) adds; when build() fails, err says failure. */
tolk_webrtc_peer *tolk_webrtc_peer_build(peer_kind kind, const char *offer_sdp, const tolk_webrtc_config *cfg,
                                         bool (*build)(tolk_webrtc_peer *, void *), void *ctx, const char *failure,
                                         tolk_error *err);
/* Negotiates a prepared peer (NULL passes through); on failure the peer goes and NULL comes back. */
tolk_webrtc_peer *tolk_webrtc_peer_answered(tolk_webrtc_peer *peer, char **answer_sdp, tolk_error *err);
GstCaps *tolk_webrtc_rtp_caps(unsigned pt);

/* webrtc_pads.c: an appsink's next sample handed to fn as bytes, mapped for the call only (the
 * body of every new-sample callback here and in the tests); a GstForceKeyUnit (all headers) sent
 * up a pad, which webrtcbin's RTP session turns into a FIR or PLI to the sender; a string field
 * of a pad's caps (g_free; NULL when none); a receiving transceiver with these caps (taken). */
typedef void (*tolk_webrtc_bytes_fn)(void *ctx, const guint8 *data, gsize size);
GstFlowReturn tolk_webrtc_take_sample(GstAppSink *sink, tolk_webrtc_bytes_fn fn, void *ctx);
bool tolk_webrtc_send_keyframe_request(GstPad *pad);
char *tolk_webrtc_pad_caps_string(GstPad *pad, const char *field);
bool tolk_webrtc_add_receiving(tolk_webrtc_peer *peer, GstCaps *caps);
/* An appsink added while the pipeline plays (it follows its state), new_sample called with the
 * peer, holding at most max_buffers before it drops. NULL when it cannot be made. */
GstElement *tolk_webrtc_add_appsink(tolk_webrtc_peer *peer, GstFlowReturn (*new_sample)(GstAppSink *, gpointer),
                                    guint max_buffers);

/* webrtc_whep.c: links element's src to a new sending transceiver of webrtcbin with these
 * codec preferences (the payload type the offer gave). */
bool tolk_webrtc_link_sender(tolk_webrtc_peer *peer, GstElement *element, GstCaps *caps);

/* webrtc_whep_video.c: adds the floor video's chain when the offer has a video m-line for the
 * feed's codec (true without one: audio only); subscribes once the peer is built; the
 * barrier of detach, for WHEP and WHIP. */
bool tolk_webrtc_whep_video_build(tolk_webrtc_peer *peer, tolk_video_feed *video);
void tolk_webrtc_whep_video_subscribe(tolk_webrtc_peer *peer);
void tolk_webrtc_video_detach(tolk_webrtc_peer *peer);
extern const char *const tolk_webrtc_video_codec_names[]; /* "H264", "VP8" by tolk_video_codec */
/* The RTP caps of the feed's codec with the key frame feedback (PLI, FIR); ssrc 0: none. */
GstCaps *tolk_webrtc_video_caps(tolk_video_codec codec, unsigned pt, uint32_t ssrc);

/* webrtc_whip_video.c: a receiving video transceiver when the offer sends the feed's codec
 * (true without: audio only); and the received video's pad, when it comes, to the feed. False
 * for a pad that is not the feed's video. */
bool tolk_webrtc_whip_video_build(tolk_webrtc_peer *peer);
/* The camera's part of the answer text (before it is returned): the start rate. */
void tolk_webrtc_whip_video_answer(tolk_webrtc_peer *peer, GstSDPMessage *answer);
bool tolk_webrtc_whip_video_link(tolk_webrtc_peer *peer, GstPad *pad);

/* webrtc_ice.c: the libnice agent behind a webrtcbin. */
void tolk_webrtc_ice_configure(GstElement *webrtcbin, const tolk_webrtc_config *cfg);
/* Makes ICE use exactly these comma-separated addresses; false if one does not parse. */
bool tolk_webrtc_ice_set_addresses(GstElement *webrtcbin, const char *addresses);

#endif
