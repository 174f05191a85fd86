/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * video-peer: a camera or a viewer of a running daemon over its HTTP API, for the video e2e
 * tests (tests/e2e/test_video.py) and benchmarks. Both are webrtcbin peers
 * (webrtc_test_util.h): what a speaker's page with its camera and a console page do.
 *
 *   video-peer publish PORT PATH TOKEN SECONDS COLOUR HZ
 *       WHIP to PATH (e.g. /api/v1/sessions/s/whip/floor?name=Chair): a sine at HZ and a
 *       ball on COLOUR (0xAARRGGBB) in VP8. Prints {"status":201,"connected":bool} once
 *       connected (or given up), then every second {"keyframe_requests":N}; ends the
 *       resource (DELETE) after SECONDS.
 *   video-peer view PORT PATH TOKEN SECONDS HZ [audio-only|h264]
 *       WHEP from PATH: Opus (and VP8 unless audio-only; H.264 with h264) in one peer connection. Prints
 *       {"status":201,"video":bool} (whether the answer took the video m-line), then every
 *       second {"t":s,"frames":N,"red":N,"blue":N,"tone_blocks":N}; DELETE after SECONDS.
 * A refused offer prints {"status":S,"error":"code"} and exits 2.
 */
#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"
#include "webrtc_test_util.h"

#define OPUS_PT 111
#define VP8_PT 96
#define H264_PT 102

static char *post_offer(int port, const char *path, const char *token, const char *offer, char **location,
                        int *status, char **error)
{
    char *headers = g_strdup_printf("Authorization: Bearer %s\r\nContent-Type: application/sdp\r\n", token);
    test_reply reply = {0};
    bool ok = test_http(port, "POST", path, headers, offer, &reply);
    g_free(headers);
    *status = ok ? reply.status : 0;
    char *answer = NULL;
    if (ok && reply.status == 201) {
        answer = g_strdup(reply.body);
        *location = test_reply_header(&reply, "Location");
    } else {
        *error = g_strdup(ok ? test_reply_error_code(&reply) : "no reply");
    }
    test_reply_clear(&reply);
    return answer;
}

static void end_resource(int port, const char *location, const char *token)
{
    char *headers = g_strdup_printf("Authorization: Bearer %s\r\n", token);
    test_reply reply = {0};
    test_http(port, "DELETE", location, headers, NULL, &reply);
    test_reply_clear(&reply);
    g_free(headers);
}

static bool connected(void *ctx)
{
    return client_connection_state(ctx) == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED;
}

/* The answer's video m-line sends: the daemon took it (else it is inactive or port 0). */
static bool video_sent(const char *answer)
{
    const char *m = strstr(answer, "m=video ");
    if (!m || strncmp(m, "m=video 0 ", 10) == 0)
        return false;
    const char *end = strstr(m + 1, "\nm=");
    char *section = end ? g_strndup(m, (gsize)(end - m)) : g_strdup(m);
    bool sends = strstr(section, "a=sendonly") || strstr(section, "a=sendrecv");
    g_free(section);
    return sends;
}

/* Offer, POST, answer: the resource's Location, or NULL after printing why. */
static char *negotiate(client *c, int port, const char *path, const char *token, bool *video_answered)
{
    gst_element_set_state(c->pipeline, GST_STATE_PLAYING);
    char *offer = client_offer(c), *location = NULL, *error = NULL;
    int status;
    char *answer = post_offer(port, path, token, offer, &location, &status, &error);
    g_free(offer);
    if (!answer) {
        printf("{\"status\":%d,\"error\":\"%s\"}\n", status, error ? error : "");
        g_free(error);
        return NULL;
    }
    *video_answered = video_sent(answer);
    if (!client_set_answer(c, answer)) {
        printf("{\"status\":%d,\"error\":\"answer not taken\"}\n", status);
        g_free(answer);
        g_free(location);
        return NULL;
    }
    g_free(answer);
    return location;
}

static int publish(int port, const char *path, const char *token, int seconds, unsigned colour, double hz)
{
    client *c = client_new_av_sender_on(OPUS_PT, VP8_PT, hz, colour);
    bool video = false;
    char *location = negotiate(c, port, path, token, &video);
    if (!location)
        return 2;
    bool up = wait_for(connected, c, 15000);
    printf("{\"status\":201,\"connected\":%s}\n", up ? "true" : "false");
    fflush(stdout);
    for (int s = 0; s < seconds; s++) {
        g_usleep(G_USEC_PER_SEC);
        printf("{\"t\":%d,\"keyframe_requests\":%d}\n", s + 1, client_keyframe_requests(c));
        fflush(stdout);
    }
    end_resource(port, location, token);
    g_free(location);
    client_free(c);
    return 0;
}

static int view(int port, const char *path, const char *token, int seconds, double hz, const char *mode)
{
    bool audio_only = mode && strcmp(mode, "audio-only") == 0;
    client *c = audio_only                          ? client_new_receiver(OPUS_PT, hz)
                : mode && strcmp(mode, "h264") == 0 ? client_new_av_receiver_h264(OPUS_PT, H264_PT, hz)
                                                    : client_new_av_receiver(OPUS_PT, VP8_PT, hz);
    bool video = false;
    char *location = negotiate(c, port, path, token, &video);
    if (!location)
        return 2;
    bool up = wait_for(connected, c, 15000);
    printf("{\"status\":201,\"video\":%s,\"connected\":%s}\n", video ? "true" : "false", up ? "true" : "false");
    fflush(stdout);
    for (int s = 0; s < seconds; s++) {
        g_usleep(G_USEC_PER_SEC);
        int blue = 0, frames = client_video_frames(c, &blue);
        printf("{\"t\":%d,\"frames\":%d,\"red\":%d,\"blue\":%d,\"tone_blocks\":%d}\n", s + 1, frames,
               client_red_frames(c), blue, meter_tone_blocks(&c->meter));
        fflush(stdout);
    }
    end_resource(port, location, token);
    g_free(location);
    client_free(c);
    return 0;
}

int main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    if (argc >= 8 && strcmp(argv[1], "publish") == 0)
        return publish(atoi(argv[2]), argv[3], argv[4], atoi(argv[5]), (unsigned)strtoul(argv[6], NULL, 0),
                       atof(argv[7]));
    if (argc >= 7 && strcmp(argv[1], "view") == 0)
        return view(atoi(argv[2]), argv[3], argv[4], atoi(argv[5]), atof(argv[6]), argc >= 8 ? argv[7] : NULL);
    fprintf(stderr, "usage: video-peer publish PORT PATH TOKEN SECONDS COLOUR HZ\n"
                    "       video-peer view PORT PATH TOKEN SECONDS HZ [audio-only|h264]\n");
    return 1;
}
