/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * WebRTC peers for browsers, on webrtcbin: WHIP (a browser sends audio into an
 * input) and WHEP (a browser receives a channel or a return feed). No HTTP
 * here: the routes call this API and answer a tolk_error as it comes. See
 * docs/webrtc.md.
 *
 * Each peer is its own GstPipeline, so peers come and go while the session's
 * mixing pipeline runs untouched. A WHEP peer only payloads and DTLS-SRTP
 * encrypts the stream's already-encoded Opus frames: nothing is encoded per
 * listener.
 *
 * Creation is two steps, because the answer takes up to the ICE gathering
 * timeout and the caller must not hold its lock that long while the session
 * could be deleted meanwhile:
 *   1. tolk_webrtc_whep_prepare / tolk_webrtc_whip_prepare: fast, under the
 *      owner's lock (the stream or input is alive). Checks the offer, builds the
 *      peer, subscribes to the stream. The owner registers the peer (keeps the
 *      returned reference) before dropping its lock.
 *   2. tolk_webrtc_peer_negotiate: slow, WITHOUT the owner's lock, holding a
 *      reference of its own (tolk_webrtc_peer_ref). If the owner closes the peer
 *      meanwhile, negotiate returns NULL promptly.
 * tolk_webrtc_whep_new / tolk_webrtc_whip_new do both in one call, for callers
 * that can guarantee the stream/input outlives the call.
 *
 * Threads (what may run concurrently):
 * - prepare: any control thread; the stream/input must stay alive during it.
 * - negotiate: at most once per peer, any control thread, concurrently with
 *   close, add_candidates, state, id, ref, unref (of other references).
 * - close: any control thread, any number of times, concurrently with
 *   everything above. When it returns, the peer never touches its stream or
 *   input again (stream unsubscribed, no push in progress or to come) and its
 *   pipeline is stopped. Never call it (or the last unref) from a media thread:
 *   it waits for the stream's lock and for the peer's streaming threads.
 * - detach: like close, but it never waits for the pipeline: when it returns
 *   the peer never touches its stream or input again and every wait on it ends;
 *   the pipeline stops at close or the last unref. An owner detaches under its
 *   lock and closes after it (the media may go in between).
 * - add_candidates, state, id, name: any control thread,
 *   any time, even after close; etag once negotiate returned the answer.
 * - unref: any control thread; the last one closes the peer if needed.
 */
#ifndef TOLK_WEBRTC_H
#define TOLK_WEBRTC_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "log.h"
#include "media_input_stats.h"
#include "stream.h"
#include "video_feed.h"

/* The resource id is the capability of an anonymous WHEP listener (RFC 9725:
 * whoever holds the resource URL may end it): 128 random bits, never logged.
 * Logs name a peer by its name, a counter ("p17"). */
#define TOLK_WEBRTC_ID_LEN 32
#define TOLK_WEBRTC_NAME_SIZE 16
#define TOLK_WEBRTC_ETAG_SIZE 300

typedef struct {
    const char *stun_server;   /* "stun://host:port" or NULL: host candidates only */
    const char *turn_server;   /* "turn://user:pass@host:port" or NULL */
    unsigned latency_ms;       /* WHIP jitter buffer; 0 = default (60 ms) */
    unsigned gather_timeout_ms; /* wait for ICE gathering; 0 = default (3000 ms) */
    /* Comma-separated IP addresses ICE uses INSTEAD of discovering the
     * interfaces, or NULL to discover (every interface but loopback). libnice
     * never offers loopback by itself: list 127.0.0.1 (plus the LAN address)
     * for a machine with no other interface. */
    const char *ice_addresses;
    unsigned min_port, max_port; /* UDP/TCP port range for ICE (firewalls); 0 = any */
    /* For the peers' owner, not used in here: a peer not connected this long
     * after its answer is closed, and how many peers it admits. */
    unsigned connect_timeout_ms;
    unsigned max_peers_per_channel, max_peers_per_session, max_peers_per_address;
} tolk_webrtc_config;

typedef enum {
    TOLK_WEBRTC_NEW,        /* prepared, answer not given yet */
    TOLK_WEBRTC_CONNECTING, /* ICE/DTLS under way, or a connection that was lost and may come back */
    TOLK_WEBRTC_CONNECTED,
    TOLK_WEBRTC_FAILED,     /* ICE or DTLS failed: reap it */
    TOLK_WEBRTC_CLOSED,     /* closed by us, or by the browser (DTLS close_notify) */
} tolk_webrtc_state;

typedef struct tolk_webrtc_peer tolk_webrtc_peer;

/* TRUE if `offer_sdp` is an SDP offer with an audio m-line offering Opus
 * (opus/48000/2); *opus_pt (may be NULL) gets its payload type. FALSE with
 * *err (invalid, invalid_offer) naming the problem otherwise. */
bool tolk_webrtc_offer_check(const char *offer_sdp, unsigned *opus_pt, tolk_error *err);
/* The same for a camera of the floor video alone (POST .../video/whip): an offer with no audio
 * m-line but VP8 or H.264 (packetization mode 1) video passes too (a hall encoder). */
bool tolk_webrtc_camera_offer_check(const char *offer_sdp, tolk_error *err);

/* Step 1. NULL with *err (invalid, invalid_offer) for an offer that
 * tolk_webrtc_offer_check refuses or whose direction does not fit (a WHEP
 * offer must receive, a WHIP offer send); and, with the same kind and code,
 * when a GStreamer plugin is missing (logged, the message says "not
 * installed"/"could not build"): the API has always answered that one 400,
 * as docs/api.md says. Returns one reference. */
tolk_webrtc_peer *tolk_webrtc_whep_prepare(const char *offer_sdp, tolk_stream *stream,
                                           const tolk_webrtc_config *cfg, tolk_error *err);
tolk_webrtc_peer *tolk_webrtc_whip_prepare(const char *offer_sdp, tolk_media_input *input,
                                           const tolk_webrtc_config *cfg, tolk_error *err);
/* WHEP with the floor video beside the audio (issue 11, docs/video.md): when the offer has a
 * video m-line offering the feed's codec, the viewer subscribes to the feed (a key frame is
 * asked for, its PLI and FIR reach the feed) and its packets go out as they are, with the
 * offer's payload type; otherwise audio only. video NULL: tolk_webrtc_whep_prepare. The feed
 * must outlive the peer's detach (the barrier, as for the stream). */
tolk_webrtc_peer *tolk_webrtc_whep_prepare_with_video(const char *offer_sdp, tolk_stream *stream,
                                                      tolk_video_feed *video, const tolk_webrtc_config *cfg,
                                                      tolk_error *err);
/* WHIP with a camera: when the offer sends video of the feed's codec, it goes into the feed as
 * `source` (packets as they are; tolk_webrtc_peer_request_keyframe asks the camera for a key
 * frame); otherwise audio only. video NULL: tolk_webrtc_whip_prepare. */
tolk_webrtc_peer *tolk_webrtc_whip_prepare_with_video(const char *offer_sdp, tolk_media_input *input,
                                                      tolk_video_feed *video, int source,
                                                      const tolk_webrtc_config *cfg, tolk_error *err);
/* The offer has a video m-line (sending or receiving) offering the codec: VP8, or H.264 in
 * packetization mode 1. Any thread. */
bool tolk_webrtc_offer_has_video(const char *offer_sdp, tolk_video_codec codec);
/* A WHIP camera is asked for a key frame (an RTCP FIR/PLI from webrtcbin); false before its
 * video came, after detach, or for a peer without video. Any thread; it never blocks on the
 * feed (the feed's ask may call it). */
bool tolk_webrtc_peer_request_keyframe(tolk_webrtc_peer *peer);

/* Step 2. Applies the offer, creates the answer, waits for ICE gathering
 * (bounded by gather_timeout_ms, then answers with what was gathered) and
 * returns the answer SDP (g_free it), with all candidates. NULL with *err
 * (unavailable, "no WebRTC answer: ...") when webrtcbin refuses or does not
 * answer in time, or the peer was closed. */
char *tolk_webrtc_peer_negotiate(tolk_webrtc_peer *peer, tolk_error *err);

/* prepare + negotiate in one call; *answer_sdp is g_malloc'd. NULL on any
 * failure (nothing to free), *err as the step that failed says. */
tolk_webrtc_peer *tolk_webrtc_whep_new(const char *offer_sdp, tolk_stream *stream,
                                       const tolk_webrtc_config *cfg, char **answer_sdp, tolk_error *err);
tolk_webrtc_peer *tolk_webrtc_whip_new(const char *offer_sdp, tolk_media_input *input,
                                       const tolk_webrtc_config *cfg, char **answer_sdp, tolk_error *err);

/* The configured ICE servers as Link header values (RFC 9725 4.6:
 * <stun:host:port>; rel="ice-server"). The TURN server, whose username and
 * credential are in its link, only with_credentials: those go to callers the
 * API admitted, never to an unauthenticated OPTIONS. g_strfreev the result. */
GStrv tolk_webrtc_ice_server_links(const tolk_webrtc_config *cfg, bool with_credentials);

tolk_webrtc_peer *tolk_webrtc_peer_ref(tolk_webrtc_peer *peer);
void tolk_webrtc_peer_unref(tolk_webrtc_peer *peer);
void tolk_webrtc_peer_close(tolk_webrtc_peer *peer);
/* The quick half of close: the peer stops reading its stream or writing its
 * input at once (so the media may go), and every wait on it ends; the pipeline
 * stops at close or the last unref. Safe under a caller's lock: it never waits
 * for a pipeline. */
void tolk_webrtc_peer_detach(tolk_webrtc_peer *peer);

/* Trickle ICE: an application/trickle-ice-sdpfrag body (RFC 8840). Each
 * a=candidate goes to the m-line its a=mid names (else the m-line it follows,
 * else the first). FALSE with *err: unsupported (ice_restart_unsupported) for
 * an ICE restart (another ufrag anywhere in the fragment), which peers do not
 * do (RFC 9725); invalid (invalid_candidates) for a fragment that is not one,
 * or a closed peer. */
bool tolk_webrtc_peer_add_candidates(tolk_webrtc_peer *peer, const char *sdpfrag, tolk_error *err);
/* The entity tag of the ICE session (RFC 9725 ETag, quoted): "" before the
 * answer, then fixed. */
const char *tolk_webrtc_peer_etag(tolk_webrtc_peer *peer);

tolk_webrtc_state tolk_webrtc_peer_state(tolk_webrtc_peer *peer);
const char *tolk_webrtc_state_name(tolk_webrtc_state state);
/* 32 random hex characters, for the Location URL; lives as long as the peer.
 * A secret: never write it to a log. */
const char *tolk_webrtc_peer_id(tolk_webrtc_peer *peer);
/* "p17": what logs call the peer; lives as long as the peer. */
const char *tolk_webrtc_peer_name(tolk_webrtc_peer *peer);
/* What the peer's log lines name besides: its sitting, and the channel or console it carries;
 * copied. Between prepare and negotiate, on the thread that prepared it. */
void tolk_webrtc_peer_set_where(tolk_webrtc_peer *peer, const tolk_log_where *where);

#endif
