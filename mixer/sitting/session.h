/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One sitting: its rules state (tolk_matrix), its inputs (ports, sockets, keys),
 * its outputs, and its media. The session is the only place where a rules change
 * becomes a media change: every mutating call recomputes the route and applies it
 * whole (rule 7).
 *
 * Threads: not thread-safe; the caller (tolk_app) holds its lock around every call.
 */
#ifndef TOLK_SESSION_H
#define TOLK_SESSION_H

#include <gio/gio.h>
#include <json-c/json.h>

#include "aes67_output.h"
#include "error.h"
#include "hub.h"
#include "icecast_source.h"
#include "keys.h"
#include "loudness_watch.h"
#include "media.h"
#include "ports.h"
#include "rate_limit.h"
#include "recorder.h"
#include "rules.h"
#include "sap_directory.h"
#include "sap_announcer.h"
#include "session_hls.h"
#include "session_video.h"
#include "teardown.h"
#include "video_recording.h"
#include "webrtc.h"

/* Caps on the outputs the operator opens (docs/api.md, Limits): each costs a sendto per
 * packet, and one with its own key a protect too. */
#define TOLK_MAX_STREAM_OUTPUTS 64   /* per channel or return feed */
#define TOLK_MAX_SESSION_OUTPUTS 256 /* per session */

/* What a restart restores a sitting from (session_record.h). */
typedef struct tolk_session_saved tolk_session_saved;

typedef struct {
    char id[TOLK_SESSION_ID_SIZE];
    char name[TOLK_NAME_SIZE];
    char floor_language[TOLK_LANG_SIZE]; /* "" when not set */
    tolk_matrix_config matrix;
    tolk_video_codec video_codec;    /* the floor video's ("video_codec", default VP8) */
    const tolk_session_saved *saved; /* a restart: the ports, keys and streams of before; else NULL */
} tolk_session_params;

typedef struct {
    char id[16];  /* "o1", "o2", ... unique within the session */
    int channel;  /* the channel it carries, or -1 for a return feed */
    int slot;     /* the console whose return feed it carries, or -1 */
    char host[TOLK_HOST_SIZE];
    int port;
    int destination; /* id at the sender */
    bool own_key;    /* "key": "own": key below, else the stream's shared key */
    uint8_t key[TOLK_KEY_LEN];
    /* output_health.c: the send errors last seen, when they last grew, the state told. */
    uint64_t seen_errors;
    gint64 errors_at_us;
    bool failing;
    /* "format": "aes67" (session_aes67_output.c, docs/aes67.md): plain RTP from the mix's PCM, no key;
     * the fields below. Else SRTP. */
    bool aes67;
    tolk_aes67_encoding encoding;
    int frame_samples;              /* samples a packet (48: 1 ms) */
    int ttl;                        /* multicast TTL */
    bool sap;                       /* announced by SAP */
    char name[TOLK_OUTPUT_NAME_SIZE]; /* the SDP's s=, "" for "<sitting name> <channel>" */
    uint32_t ssrc;                  /* kept across a restart */
    uint64_t sdp_id;                /* o= session id, kept across a restart */
    /* While attached (never in a saved copy): */
    char *sdp;
    char origin[16];                /* the address it leaves from (o=, SAP) */
    tolk_aes67_output *sender;
} tolk_session_output;

/* Where an input takes its audio from when not from its SRTP port: an AES67 stream, given by
 * its SDP or by the name it is announced under by SAP (session_aes67_input.c). */
typedef struct {
    bool on;
    char sap[128];              /* by SAP: the announced name (s=); "" by SDP */
    int channel;                /* 1-based */
    char *sdp;                  /* the SDP received from; NULL while the announcement is awaited */
    tolk_aes67_stream stream;   /* read from sdp */
    char sap_origin[46];        /* the announcement in use (origin, hash) */
    uint16_t sap_hash;
} tolk_session_aes67;

typedef struct {
    GSocket *socket;
    int port;
    uint8_t key[TOLK_KEY_LEN];
    tolk_session_aes67 aes67;
} tolk_session_input;

typedef struct {
    const char *media_address;
    tolk_ports *ports;
    unsigned jitter_ms;
    bool floor_from_file;   /* the demo: the floor plays floor_file (NULL: a chime) */
    const char *floor_file;
    tolk_rate signal_rate;  /* per console and kind (--signal-rate, --signal-burst) */
    bool allow_plain_rtp;   /* --allow-plain-rtp: AES67 inputs and outputs may be made */
    const char *hall_address; /* --hall-address: the hall interface's IPv4 address, or NULL */
    tolk_recorder *recorder;  /* the daemon's recorder (recorder.h), or NULL: recording unavailable */
    const char *ptp_grandmaster; /* --ptp-grandmaster: EUI-64 "xx-xx-...", or NULL: localmac */
    int ptp_domain;              /* --ptp-domain */
    tolk_sap_announcer *sap;     /* the AES67 outputs' announcements, or NULL: none */
    const char *hls_dir;      /* --hls-dir: the HLS folders are hls_dir/SID/CH */
} tolk_session_env;

typedef struct tolk_session {
    char id[TOLK_SESSION_ID_SIZE];
    char name[TOLK_NAME_SIZE];
    char floor_language[TOLK_LANG_SIZE];
    char *media_address;
    /* The hall (AES67 inputs and outputs): copied from the env, which outlives the session;
     * hall_address NULL: the routing's interface. */
    char *hall_address, *ptp_grandmaster;
    int ptp_domain;
    tolk_sap_announcer *sap;
    tolk_matrix *matrix;
    tolk_session_input floor;
    tolk_session_input consoles[TOLK_MAX_SLOTS];
    uint8_t channel_keys[TOLK_MAX_CHANNELS + 1][TOLK_KEY_LEN];
    uint8_t feed_keys[TOLK_MAX_SLOTS][TOLK_KEY_LEN];
    GPtrArray *outputs; /* tolk_session_output* */
    unsigned next_output;
    tolk_media *media;
    uint64_t events_total;
    tolk_hub *hub;                             /* server-sent events of this session */
    bool channel_public[TOLK_MAX_CHANNELS + 1]; /* WHEP without a token */
    tolk_icecast_source *icecast[TOLK_MAX_CHANNELS + 1]; /* session_icecast.c; NULL for none */
    bool sound_check;
    GPtrArray *signals;                        /* tolk_signal*: the open queue */
    unsigned next_signal;
    tolk_rate signal_rate;
    tolk_token_bucket signal_buckets[TOLK_MAX_SLOTS][TOLK_SIGNAL_KINDS]; /* by tolk_signal_kind */
    int handover_requester[TOLK_MAX_BOOTHS];   /* console index + 1 of the latest request, 0 none */
    GPtrArray *peers;                          /* tolk_session_peer*: WHIP and WHEP resources */
    /* Left for the next unlock (tolk_session_collect): peers removed (detached, their
     * pipelines still to stop) and the fence of the latest route change. */
    GPtrArray *ended;
    tolk_media_fence *fence;
    tolk_loudness_watch loudness;              /* the guard's warnings seen so far */
    bool floor_from_file;                      /* the demo's floor */
    bool allow_plain_rtp;                      /* --allow-plain-rtp: AES67 sources may be restored */
    GPtrArray *retired;                        /* AES67 receivers swapped out, released after the unlock */
    /* The durable state (app_state.c): bumped by every change; the records as last queued. */
    uint64_t revision, stored_revision;
    char *stored_record;
    bool has_counters;        /* queued once: counters_digest is of that record */
    uint64_t counters_digest;
    /* input_health.c: each input's state by slot + 1 (0: the floor) as last watched, and
     * each channel's level as the levels timer last took it (the views read these). */
    tolk_input_state input_states[TOLK_MAX_SLOTS + 1];
    double channel_level_db[TOLK_MAX_CHANNELS + 1];
    /* session_recording.c: each channel's recording (0: the floor), made at its first start,
     * released with the sitting; NULL for one never recorded. */
    tolk_recorder *recorder;
    tolk_recording *recordings[TOLK_MAX_CHANNELS + 1];
    /* session_hls.c: each channel's HLS, where its folders are, the HLS that stopped. */
    tolk_session_hls hls[TOLK_MAX_CHANNELS + 1];
    char *hls_dir;
    GPtrArray *hls_ended;
    /* session_video.c: the floor video; which channels' listeners may see it. */
    tolk_session_video *video;
    bool channel_video[TOLK_MAX_CHANNELS + 1];
    tolk_ports *ports; /* the env's port pool (it outlives the session): SRTP video sources' ports */
    /* session_recording.c: the floor video's record while any channel records, its feed
     * subscription (0: none). */
    tolk_video_recording *video_recording;
    guint video_recording_subscription;
} tolk_session;

/* Who created a WebRTC resource, and so who may trickle to it or end it:
 * the operator, the holder of one grant, or an anonymous listener of a public
 * channel (whoever holds the resource URL: its id is an unguessable secret). */
typedef enum { TOLK_OWNER_OPERATOR, TOLK_OWNER_GRANT, TOLK_OWNER_ANONYMOUS } tolk_owner_kind;

#define TOLK_PEER_ADDRESS_SIZE 48 /* an IPv6 address as text */

/* A WebRTC resource of the session, and who may end it. */
typedef struct {
    tolk_webrtc_peer *peer;
    tolk_owner_kind owner_kind;
    char owner[16];  /* the grant id for TOLK_OWNER_GRANT, else "" */
    int channel;     /* WHEP of a channel, else -1 */
    char address[TOLK_PEER_ADDRESS_SIZE]; /* the client's address, for the per-address cap */
    gint64 answered_us; /* monotonic time of the 201; 0 while negotiating */
    bool connected;     /* seen connected: only then a listener */
} tolk_session_peer;

/* Builds the whole sitting and starts its media. On failure NULL and *err says why: kind
 * invalid for a configuration the rules refuse, unavailable when ports or media are short. */
tolk_session *tolk_session_new(const tolk_session_params *params, const tolk_session_env *env, tolk_error *err);
/* Stops the media, closes the sockets, wipes the keys. Not under the app lock: it
 * waits for the pipelines to stop (tolk_teardown). */
void tolk_session_free(tolk_session *session);
/* Hands what the last changes left to do after the lock (removed peers, the
 * fence of a route change) to the teardown. */
void tolk_session_collect(tolk_session *session, tolk_teardown *teardown);

/* Changes that go through the rules; each applies the new route. A console patch the rules
 * refuse changes nothing: false with *err (invalid, not_found or conflict). */
bool tolk_session_patch_console(tolk_session *session, int booth, int console, const tolk_console_patch *patch,
                                tolk_error *err);
void tolk_session_set_interlock(tolk_session *session, tolk_interlock interlock);
void tolk_session_set_idle_channel(tolk_session *session, tolk_idle idle);
void tolk_session_set_original_under(tolk_session *session, bool on, double db);
/* A change the rules do not see (name, floor language, public flags...): tells the pages. */
void tolk_session_changed(tolk_session *session);
/* Changes the rules do not see, each telling the pages once. NULL keeps a field. */
void tolk_session_set_details(tolk_session *session, const char *name, const char *floor_language);
/* WHEP of the channel without a token. */
void tolk_session_set_channel_public(tolk_session *session, int channel, bool public_flag);
/* The sound check: a 1 kHz tone at -20 dBFS in every channel while on. */
void tolk_session_set_sound_check(tolk_session *session, bool on);
/* Rule 8: turns off live consoles whose input has been silent longer than timeout_us. */
void tolk_session_check_inputs(tolk_session *session, gint64 now_us, gint64 timeout_us);

/* A new SRTP key for an input (slot -1: the floor), in force from the next packet on, and
 * an input_rekeyed event. False with *err when no key could be made (unavailable) or the
 * input has none to replace (conflict input_not_keyed: the demo floor). */
bool tolk_session_rekey_input(tolk_session *session, int slot, tolk_error *err);

/* WebRTC resources: the session keeps a reference and closes them all before
 * its media goes. A removed peer is detached at once (it no longer touches the
 * media) and its pipeline stopped after the unlock (tolk_session_collect). */
tolk_session_peer *tolk_session_add_peer(tolk_session *session, tolk_webrtc_peer *peer, tolk_owner_kind kind,
                                         const char *owner, int channel, const char *address);
/* The 201 went out: the connect deadline (tolk_session_reap_peers) runs from now. */
void tolk_session_peer_answered(tolk_session_peer *entry);
/* By resource id, compared in constant time (the id is a capability). */
tolk_session_peer *tolk_session_find_peer(tolk_session *session, const char *id);
void tolk_session_remove_peer(tolk_session *session, tolk_session_peer *entry);
/* Closes the peers a (revoked) token opened. */
void tolk_session_remove_peers_of(tolk_session *session, const char *grant_id);
/* Drops peers whose connection failed or closed, and those not connected
 * connect_timeout_us after their answer; notes peers that connected (they
 * count as listeners from then). True when a listener count changed; no
 * session event: the counts travel in the levels event. */
bool tolk_session_reap_peers(tolk_session *session, gint64 now_us, gint64 connect_timeout_us);
/* Peers of one channel (channel >= 0) or of the whole sitting (-1), connected or not. */
int tolk_session_peer_count(tolk_session *session, int channel);
/* Peers opened from this client address. */
int tolk_session_peers_from(tolk_session *session, const char *address);
/* Who hears a channel: its SRTP outputs and its connected WHEP peers. */
int tolk_session_channel_listeners(tolk_session *session, int channel);

/* session_media.c: the media as the views see it. Inputs by slot (-1: the floor);
 * streams by channel (slot < 0) or return feed (channel < 0). False and zeros when
 * there is no such input or stream. */
bool tolk_session_input_stats(tolk_session *session, int slot, tolk_media_input_stats *stats);
/* RMS levels in dBFS since the previous call (the levels event takes them). */
double tolk_session_input_level(tolk_session *session, int slot);
double tolk_session_channel_level(tolk_session *session, int channel);
bool tolk_session_sender_stats(tolk_session *session, int channel, int slot, tolk_srtp_sender_stats *stats);
uint32_t tolk_session_sender_ssrc(tolk_session *session, int channel, int slot);
uint64_t tolk_session_channel_frames(tolk_session *session, int channel);
/* Errors and warnings GStreamer reported for the session's pipeline. */
uint64_t tolk_session_media_errors(tolk_session *session);
/* The loudness guard: a loudness_warning event (and a log line) for each channel and
 * return feed that warned since the previous call; the levels timer calls it. */
void tolk_session_poll_loudness(tolk_session *session);
/* Warnings of a channel (slot < 0) or a console's return feed (channel < 0) so far. */
uint64_t tolk_session_loudness_warnings(tolk_session *session, int channel, int slot);

/* session_aes67_input.c: an input (slot -1: the floor) takes its audio from an AES67 stream: by its
 * SDP (sdp not NULL), or by the SAP announcement named sap (then at once when dir has it, else
 * when it appears: tolk_session_sap_update). channel is 1-based. False with *err (invalid,
 * field "sdp" or "channel"; unavailable when its socket cannot be had): nothing changed. */
bool tolk_session_set_aes67(tolk_session *session, int slot, const char *sdp, const char *sap, int channel,
                            const tolk_sap_directory *dir, tolk_error *err);
/* Back to its SRTP port (and key). */
void tolk_session_clear_aes67(tolk_session *session, int slot);
/* The SAP directory changed: inputs waiting for an announcement, or whose announcement was
 * replaced by a newer version, take it. */
void tolk_session_sap_update(tolk_session *session, const tolk_sap_directory *dir);
tolk_session_input *tolk_session_input_at(tolk_session *session, int slot);
/* "waiting" (no stream yet, or nothing heard from it), "receiving", "lost" (heard, then nothing
 * for half a second). */
const char *tolk_session_aes67_state(tolk_session *session, int slot);
bool tolk_session_aes67_stats(tolk_session *session, int slot, tolk_aes67_stats *stats);

/* What a WebRTC peer carries: a channel or a console's return feed to a listener
 * (WHEP), or a browser's microphone into an input (WHIP). */
/* TOLK_PEER_WHIP_CAMERA: a camera (a hall encoder) whose video is a floor video source and
 * whose audio is not mixed. */
typedef enum { TOLK_PEER_WHEP_CHANNEL, TOLK_PEER_WHEP_FEED, TOLK_PEER_WHIP_INPUT, TOLK_PEER_WHIP_CAMERA } tolk_peer_kind;
/* A peer on that stream or input (index: channel, or slot with -1 the floor), not yet
 * added to the session; NULL with *err as tolk_webrtc_*_prepare fills it (invalid_offer).
 * Video (docs/video.md): a console's WHEP offer with a video m-line gets the floor video, a
 * channel's only when the channel allows it (channel_video); the floor's WHIP offer that
 * sends video, and a camera's, make a floor video source named video_name (NULL: "Speaker"
 * for the floor, "Camera N" else). */
tolk_webrtc_peer *tolk_session_prepare_peer(tolk_session *session, tolk_peer_kind kind, int index,
                                            const char *offer, const char *video_name,
                                            const tolk_webrtc_config *cfg, tolk_error *err);
/* Listeners of the channel see the floor video (new WHEP peers; those connected keep theirs). */
void tolk_session_set_channel_video(tolk_session *session, int channel, bool on);

/* Outputs: channel >= 0 for a channel output, else slot >= 0 for a return feed; own_key
 * gives it a new key of its own. NULL with *err when the sender refuses the destination
 * (invalid) or no key could be made (unavailable). */
const tolk_session_output *tolk_session_add_output(tolk_session *session, int channel, int slot,
                                                   const char *host, int port, bool own_key, tolk_error *err);
/* What an AES67 output is made of (the API's fields, docs/aes67.md). */
typedef struct {
    tolk_aes67_encoding encoding;
    int frame_samples;
    int ttl;
    bool sap;
    const char *name; /* NULL or "": the default */
} tolk_session_aes67_params;
/* An AES67 output (plain RTP) of a channel or a return feed, as tolk_session_add_output; its SDP
 * and, when asked, its SAP announcement. */
const tolk_session_output *tolk_session_add_aes67_output(tolk_session *session, int channel, int slot,
                                                         const char *host, int port,
                                                         const tolk_session_aes67_params *params, tolk_error *err);
/* session_aes67_output.c: an AES67 output's sender made and handed to the media, its SDP written and
 * announced; undone by detach (the deletion goes out). The output's SSRC and o= id are kept
 * when set (a restart). */
bool tolk_session_aes67_attach(tolk_session *session, tolk_session_output *output, tolk_error *err);
void tolk_session_aes67_detach(tolk_session *session, tolk_session_output *output);
/* Send errors of an output (SRTP or AES67). */
uint64_t tolk_session_output_send_errors(tolk_session *session, const tolk_session_output *output);
/* An output of before a restart (session_record.c): its id, destination and key as they
 * were, an own key's context at roc_base. False with *err when the sender refuses it. */
bool tolk_session_restore_output(tolk_session *session, const tolk_session_output *saved, uint32_t roc_base,
                                 tolk_error *err);
/* A change the API made that the session may not have seen (tokens, signals): the state
 * is written again if its record changed. */
void tolk_session_touch(tolk_session *session);
const tolk_session_output *tolk_session_find_output(tolk_session *session, const char *id);
/* The output of that channel (or return feed) that already sends to host:port, or NULL. */
const tolk_session_output *tolk_session_find_destination(tolk_session *session, int channel, int slot,
                                                         const char *host, int port);
void tolk_session_remove_output(tolk_session *session, const char *id);
/* The shared key's SRTP key of a channel (slot < 0) or a return feed (channel < 0). */
const uint8_t *tolk_session_stream_key(tolk_session *session, int channel, int slot);

/* session_rekey.c (as tolk_session_rekey_input above): a new shared key for a channel's outputs (event channel_rekeyed) or a
 * return feed's (event feed_rekeyed); outputs with their own key keep it. False with *err
 * (unavailable) when no key could be made (nothing changed). */
bool tolk_session_rekey_channel(tolk_session *session, int channel, tolk_error *err);
bool tolk_session_rekey_feed(tolk_session *session, int booth, int console, tolk_error *err);

/* session_recording.c: the record of a channel (0: the floor). Start begins a new segment
 * (a no-op when it records already); false with *err (unavailable recording_unavailable)
 * when the daemon has no recordings folder. A change is stored (the sitting record keeps
 * which channels record, so a restart resumes them in a new segment). */
bool tolk_session_set_recording(tolk_session *session, int channel, bool on, tolk_error *err);
bool tolk_session_recording_on(const tolk_session *session, int channel);
/* False and an off status for a channel never recorded in this run. */
bool tolk_session_recording_status(tolk_session *session, int channel, tolk_recording_status *out);
/* Before the media goes: every recording stopped and handed to the recorder to close. */
void tolk_session_release_recordings(tolk_session *session);
/* The floor video's record (it records while any channel does): false (and *out off) when it
 * never recorded. Released before the video's feed goes (it is one of its viewers). */
bool tolk_session_video_recording_status(tolk_session *session, tolk_recording_status *out);
void tolk_session_release_video_recording(tolk_session *session);

#endif
