/* SPDX-License-Identifier: EUPL-1.2 */
/* Test tool: the floor video's switch (video_switch.c) between two real senders. Reads video
 * RTP of source 0 on 127.0.0.1:PORT_A and of source 1 on PORT_B, chooses 0, then 1 after
 * SWITCH_S seconds, and forwards the line to 127.0.0.1:OUT_PORT, for SECONDS in all; prints
 *   forwarded=N dropped=D want_keyframe=W invalid=I switches=S switch_wait_ms=M frames_0=F0 frames_1=F1
 * (switch_wait_ms: from choosing source 1 to its first key frame on the line; frames_N: the
 * frames of source N forwarded, by their marker bits).
 *   video_relay h264|vp8 PORT_A PORT_B OUT_PORT SWITCH_S SECONDS */
#include "net_test_util.h"
#include "video_switch.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return at;
}

int main(int argc, char **argv)
{
    tolk_video_codec codec;
    if (argc != 7 || !tolk_video_codec_from_name(argv[1], &codec)) {
        fprintf(stderr, "usage: %s h264|vp8 PORT_A PORT_B OUT_PORT SWITCH_S SECONDS\n", argv[0]);
        return 2;
    }
    struct pollfd in[2] = {{.fd = net_test_bind_loopback(atoi(argv[2])), .events = POLLIN},
                           {.fd = net_test_bind_loopback(atoi(argv[3])), .events = POLLIN}};
    int out = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = loopback(atoi(argv[4]));
    int64_t start = now_us(), switch_at = start + (int64_t)(atof(argv[5]) * 1e6),
            end = start + (int64_t)(atof(argv[6]) * 1e6), switched_us = 0;
    tolk_video_switch sw;
    tolk_video_switch_init(&sw, codec, 0x5eed1e55u, 4242, 1000000);
    tolk_video_switch_select(&sw, 0);
    bool second_chosen = false;
    long want = 0, frames[2] = {0, 0};
    uint8_t buf[65536];
    while (now_us() < end) {
        if (!second_chosen && now_us() >= switch_at) {
            tolk_video_switch_select(&sw, 1);
            second_chosen = true;
        }
        if (poll(in, 2, 10) <= 0)
            continue;
        for (int source = 0; source < 2; source++) {
            if (!(in[source].revents & POLLIN))
                continue;
            ssize_t n = recv(in[source].fd, buf, sizeof buf, 0);
            if (n <= 0)
                continue;
            tolk_video_verdict v = tolk_video_switch_push(&sw, source, buf, (size_t)n, now_us(), NULL);
            want += v == TOLK_VIDEO_WANT_KEYFRAME;
            if (v == TOLK_VIDEO_FORWARD && sendto(out, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof to) < 0)
                perror("sendto");
            if (source == 1 && v == TOLK_VIDEO_FORWARD && !switched_us)
                switched_us = now_us();
            frames[source] += v == TOLK_VIDEO_FORWARD && (buf[1] & 0x80);
        }
    }
    printf("forwarded=%lu dropped=%lu want_keyframe=%ld invalid=%lu switches=%lu switch_wait_ms=%ld frames_0=%ld "
           "frames_1=%ld\n",
           (unsigned long)atomic_load(&sw.forwarded), (unsigned long)atomic_load(&sw.dropped), want,
           (unsigned long)atomic_load(&sw.invalid), (unsigned long)atomic_load(&sw.switches),
           switched_us ? (long)((switched_us - switch_at) / 1000) : -1L, frames[0], frames[1]);
    return 0;
}
