/* SPDX-License-Identifier: EUPL-1.2 */
/* Helpers for the WebRTC tests: a tone meter (Goertzel) fed by an appsink, and
 * a browser stand-in built on another webrtcbin. */
#ifndef TOLK_WEBRTC_TEST_UTIL_H
#define TOLK_WEBRTC_TEST_UTIL_H

#include <gst/gst.h>
#include <stdbool.h>

#define METER_BLOCK 960 /* 20 ms at 48 kHz */

typedef struct {
    GMutex lock;
    double hz;
    float block[METER_BLOCK];
    int fill;
    int blocks;      /* blocks with audible sound */
    int tone_blocks; /* of which most energy is at hz */
} tone_meter;

void meter_init(tone_meter *m, double hz);
void meter_clear(tone_meter *m);
int meter_tone_blocks(tone_meter *m);
/* Sends F32 48 kHz mono buffers of `appsink` to the meter. */
void meter_attach(tone_meter *m, GstElement *appsink);
/* F32 48 kHz mono samples straight to the meter. */
void meter_feed(tone_meter *m, const float *x, gsize n);

/* A browser stand-in: one webrtcbin in its own pipeline. */
typedef struct {
    GstElement *pipeline;
    GstElement *webrtc;
    GMutex lock;
    GCond cond;
    gboolean gathered;
    tone_meter meter; /* what it receives (WHEP) */
    int video_frames, blue_frames, red_frames; /* video it decoded (under lock) */
    GstPad *video_pad;             /* webrtcbin's video src pad, once it came (under lock) */
    gint keyframe_requests;        /* a sender: GstForceKeyUnit events up to its encoder (atomic) */
    bool h264;                     /* a receiver of H.264 rather than VP8 */
} client;

/* Receives Opus offered with payload type `pt` (109 like Firefox), decodes it into the meter. */
client *client_new_receiver(unsigned pt, double hz);
/* Receives VP8 offered with payload type `pt`, decodes it and counts the frames, and those
 * that are mostly blue. */
client *client_new_video_receiver(unsigned pt);
int client_video_frames(client *c, int *blue_frames);
/* Receives Opus (pt) and VP8 (vp8_pt) in one peer connection, as a console page does. */
client *client_new_av_receiver(unsigned pt, unsigned vp8_pt, double hz);
/* The same with H.264 (packetization-mode 1, h264_pt) instead of VP8, as a Safari page does. */
client *client_new_av_receiver_h264(unsigned pt, unsigned h264_pt, double hz);
/* Sends a sine at `hz` (Opus, pt) and a moving ball on blue (VP8, vp8_pt, a key frame every
 * 2 s), as a speaker's page with its camera does; counts the key frame requests that reach its
 * encoder. */
client *client_new_av_sender(unsigned pt, unsigned vp8_pt, double hz);
/* The same on another background colour (0xAARRGGBB: 0xffff0000 red). */
client *client_new_av_sender_on(unsigned pt, unsigned vp8_pt, double hz, unsigned background);
/* Frames decoded so far that were mostly red. */
int client_red_frames(client *c);
int client_keyframe_requests(client *c);
/* Asks the sender for a key frame, as a browser's decoder does (RTCP PLI). False before the
 * video pad came. */
bool client_request_keyframe(client *c);
/* Sends a sine at `hz`, Opus with payload type `pt` (111 like Chromium). */
client *client_new_sender(unsigned pt, double hz);
/* A peer with no media yet: the caller adds what it sends (client_link_sending). */
client *client_alloc(double hz);
/* bin's src to a new sending transceiver with these codec preferences (taken). */
void client_link_sending(client *c, GstElement *bin, GstCaps *caps);
/* Creates the offer, waits for its gathering: the full SDP text (g_free). */
char *client_offer(client *c);
/* Answers an offer, waits for its gathering: the full SDP text (g_free). */
char *client_answer(client *c, const char *offer);
bool client_set_answer(client *c, const char *answer);
int client_connection_state(client *c);
void client_free(client *c);

/* Polls `fn` every 20 ms until TRUE or `timeout_ms`. */
bool wait_for(bool (*fn)(void *), void *ctx, int timeout_ms);

#endif
