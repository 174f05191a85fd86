/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A sitting's SRTP (or plain RTP) video sources (docs/video.md "SRTP video sources"): a port of
 * the pool, a key, the payload type of the sitting's codec (VP8 96, H.264 102) and an SDP for
 * the sender, with an input (video_input.h) that pushes into the floor video's feed. Durable:
 * the sitting record keeps the port and key (a restart binds the same port, the sender goes on
 * sending), the counters record where its sender stands (its rollover counter, its replays).
 *
 * Threads: like session.h, under the app lock.
 */
#ifndef TOLK_SESSION_VIDEO_RTP_H
#define TOLK_SESSION_VIDEO_RTP_H

#include <json-c/json.h>
#include <stdbool.h>

#include "error.h"
#include "session.h"

#define TOLK_VIDEO_PT_VP8 96
#define TOLK_VIDEO_PT_H264 102

/* A new source with a port and (encrypted) a fresh key. NULL with *err: forbidden
 * plain_rtp_not_allowed (plain without --allow-plain-rtp), conflict too_many_video_sources,
 * unavailable (no port left). */
tolk_session_video_source *tolk_session_video_add_rtp(tolk_session *session, const char *name, bool encrypted,
                                                      tolk_error *err);
/* A new key for an encrypted source: its sender must take the new SDP. False with *err
 * (conflict source_not_encrypted, unavailable). */
bool tolk_session_video_rekey_rtp(tolk_session *session, tolk_session_video_source *source, tolk_error *err);
/* The operator's view of an RTP source, added to o: port, encrypted, payload_type, srtp
 * (null when plain), sdp, and the input's counters. */
void tolk_session_video_rtp_describe(tolk_session *session, const tolk_session_video_source *source, json_object *o);

/* The record's "sources": the RTP ones (WHIP cameras die with their peer). */
json_object *tolk_session_video_rtp_record(tolk_session_video *video);
/* After a restart: the sources of the record, with their ids, ports and keys, their senders
 * continuing where the counters record saw them (counters: its "video" list, or NULL). What
 * cannot come back (its port taken, plain RTP no longer allowed) is logged and left out. */
void tolk_session_video_rtp_restore(tolk_session *session, json_object *sources, json_object *counters);

#endif
