/* SPDX-License-Identifier: EUPL-1.2 */
/* Test tool: reads video RTP on 127.0.0.1:PORT for SECONDS and prints what video_rtp.c found:
 *   packets=N frames=F keyframes=K keyframe_frames=KF invalid=I first_keyframe_packet=P
 * (frames: marker bits; keyframes: packets a decoder can start from; keyframe_frames: the
 * frames (timestamps) that hold one). Used by test_video_interop.py with real payloaders (GStreamer's
 * rtpvp8pay and rtph264pay, ffmpeg's RTP muxer) as the senders.
 *   video_probe h264|vp8 PORT SECONDS */
#include "net_test_util.h"
#include "video_rtp.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    tolk_video_codec codec;
    if (argc != 4 || !tolk_video_codec_from_name(argv[1], &codec)) {
        fprintf(stderr, "usage: %s h264|vp8 PORT SECONDS\n", argv[0]);
        return 2;
    }
    int fd = net_test_bind_loopback(atoi(argv[2]));
    double end = now_s() + atof(argv[3]);
    long packets = 0, frames = 0, keyframes = 0, keyframe_frames = 0, invalid = 0, first_key = -1;
    uint32_t last_key_timestamp = 0;
    uint8_t buf[65536];
    while (now_s() < end) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        tolk_video_packet pkt;
        if (n <= 0 || tolk_video_rtp_inspect(codec, buf, (size_t)n, &pkt) < 0) {
            invalid++;
            continue;
        }
        if (pkt.keyframe && first_key < 0)
            first_key = packets;
        packets++;
        frames += pkt.frame_end;
        keyframes += pkt.keyframe;
        if (pkt.keyframe && (keyframe_frames == 0 || pkt.timestamp != last_key_timestamp)) {
            keyframe_frames++;
            last_key_timestamp = pkt.timestamp;
        }
    }
    printf("packets=%ld frames=%ld keyframes=%ld keyframe_frames=%ld invalid=%ld first_keyframe_packet=%ld\n", packets,
           frames, keyframes, keyframe_frames, invalid, first_key);
    return 0;
}
