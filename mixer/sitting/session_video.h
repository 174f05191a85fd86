/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The floor video of a sitting (issue 11, docs/video.md): its sources (a WHIP camera, an SRTP
 * H.264/VP8 input from a hall encoder), which one the operator chose, the feed (video_feed.h)
 * that forwards the live one to every viewer, and which channels' listeners may see it.
 * Nothing here decodes: the feed forwards RTP as it came.
 *
 * A source is named by an id ("v1", "v2", ... never reused in a sitting) and holds one of the
 * feed's source numbers. What asks a source for a key frame is its target: a WHIP peer
 * (tolk_webrtc_peer_request_keyframe) or an SRTP input (tolk_video_input_request_keyframe).
 * The feed asks from media threads; targets are kept in a small table under a lock of its own,
 * held while asking, so clearing a target is a barrier (the target is never asked again when
 * it returns). The feed's timer (held requests falling due) runs on the main loop.
 *
 * The first source added while nothing is chosen becomes the chosen one, so a sitting with one
 * camera needs no operator; removing the chosen source chooses none (no picture) rather than
 * guessing which camera is decent to show.
 *
 * Threads: every call under the app lock (like session.h), except what the header of each says.
 */
#ifndef TOLK_SESSION_VIDEO_H
#define TOLK_SESSION_VIDEO_H

#include <json-c/json.h>
#include <stdbool.h>

#include "error.h"
#include "keys.h"
#include "video_feed.h"
#include "webrtc.h"

struct tolk_session;
typedef struct tolk_video_input tolk_video_input; /* media/video_input.h */
typedef void (*tolk_video_input_fn)(tolk_video_input *input);

#define TOLK_VIDEO_SOURCE_ID_SIZE 8
#define TOLK_VIDEO_SOURCE_NAME_SIZE 64

typedef enum {
    TOLK_VIDEO_SOURCE_WHIP, /* a WHIP publisher's camera (the speaker page, a hall encoder) */
    TOLK_VIDEO_SOURCE_RTP,  /* SRTP (or, with --allow-plain-rtp, plain RTP) on a port of its own */
} tolk_video_source_kind;

typedef struct {
    char id[TOLK_VIDEO_SOURCE_ID_SIZE];
    char name[TOLK_VIDEO_SOURCE_NAME_SIZE];
    tolk_video_source_kind kind;
    int number; /* the feed's source number */
    /* WHIP: the peer whose camera it is (a reference), NULL once it ended (then removed). */
    tolk_webrtc_peer *peer;
    /* RTP (session_video_rtp.c): its port, key and receiver; durable (session_record.c). */
    int port;
    bool encrypted;
    uint8_t key[TOLK_KEY_LEN];
    int payload_type;
    tolk_video_input *input;
    tolk_video_input_fn release_input;
} tolk_session_video_source;

typedef struct tolk_session_video tolk_session_video;

/* Made with the sitting (tolk_session_new) for its codec; released before its media goes. */
tolk_session_video *tolk_session_video_new(struct tolk_session *session, tolk_video_codec codec);
/* Every source removed (peers detached, inputs freed), the timer stopped, the feed freed. The
 * WHEP peers that view the feed must be detached before. */
void tolk_session_video_free(tolk_session_video *video);

tolk_video_feed *tolk_session_video_feed(tolk_session_video *video);
tolk_video_codec tolk_session_video_codec(tolk_session_video *video);
/* "vp8" / "h264" (the API's and the record's words) and back; false for another word. */
const char *tolk_video_codec_word(tolk_video_codec codec);
bool tolk_video_codec_from_word(const char *word, tolk_video_codec *out);

/* A new source, not yet with a target. NULL with *err (conflict too_many_video_sources) when
 * the sitting has TOLK_VIDEO_MAX_SOURCES. id NULL: a new id; else that id (a restart).
 * name NULL or "": "Camera N". */
tolk_session_video_source *tolk_session_video_add_source(tolk_session_video *video, tolk_video_source_kind kind,
                                                         const char *id, const char *name, tolk_error *err);
/* The source's key frame requests go to this peer / input from now on (NULL: nobody). */
void tolk_session_video_set_peer(tolk_session_video *video, tolk_session_video_source *source,
                                 tolk_webrtc_peer *peer);
/* An RTP source's input, with how to ask it for a key frame (tolk_video_input_request_keyframe:
 * any thread, never waits) and how to free it (tolk_video_input_free: a barrier), so the
 * sitting layer needs nothing else of the input. */
void tolk_session_video_set_input(tolk_session_video *video, tolk_session_video_source *source,
                                  tolk_video_input *input, tolk_video_input_fn ask, tolk_video_input_fn release);
/* Removes it: target cleared (barrier), a WHIP peer is left to its owner (the session's
 * peers), an RTP input freed; if it was chosen, no picture. False if there is none such. */
bool tolk_session_video_remove_source(tolk_session_video *video, const char *id);
/* The WHIP source of this peer, removed (the peer ended); no-op for a peer without one. */
void tolk_session_video_peer_ended(tolk_session_video *video, tolk_webrtc_peer *peer);
tolk_session_video_source *tolk_session_video_find_source(tolk_session_video *video, const char *id);
guint tolk_session_video_source_count(tolk_session_video *video);
tolk_session_video_source *tolk_session_video_source_at(tolk_session_video *video, guint i);

/* The operator's choice: a source id, or NULL for no picture. False with *err (not_found
 * video_source_not_found) for an unknown id. Takes effect at that source's next key frame. */
bool tolk_session_video_choose(tolk_session_video *video, const char *id, tolk_error *err);
/* The chosen source's id, and the one on the line now ("" for none): they differ while a
 * switch waits for the chosen source's key frame. */
const char *tolk_session_video_chosen(tolk_session_video *video);
const char *tolk_session_video_live(tolk_session_video *video);
/* "waiting" (nothing heard yet), "receiving", "lost" (heard, then nothing for 2 s). */
const char *tolk_session_video_source_state(tolk_session_video *video, const tolk_session_video_source *source);

/* The operator's view: {"codec", "chosen", "live", "sources": [...], "viewers", "stats"}. */
json_object *tolk_session_video_json(tolk_session_video *video);
/* Everyone's view: {"codec", "live": bool, "live_name"}. */
json_object *tolk_session_video_short_json(tolk_session_video *video);
/* The levels timer: a source's state or the live source changed since the last call: the
 * pages are told (a session change). True then. */
bool tolk_session_video_watch(tolk_session_video *video);

#endif
