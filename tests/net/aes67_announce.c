/* SPDX-License-Identifier: EUPL-1.2 */
/* Test tool: announces, by SAP to 127.0.0.1:SAP_PORT, the AES67 SDP Tolk writes for an L24
 * mono stream at 127.0.0.1:STREAM_PORT, COUNT times every INTERVAL ms, then sends the
 * deletion. Single-threaded; only loopback. Used by test_aes67_sap_interop.py: the packets
 * and the SDP are the library's (aes67_sdp.c, sap.c), the listener is ffmpeg's sap demuxer.
 *   aes67_announce SAP_PORT STREAM_PORT PAYLOAD_TYPE COUNT INTERVAL_MS */
#include "aes67_sdp.h"
#include "sap.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int send_to(int fd, int port, const uint8_t *buf, size_t len)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)len ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s SAP_PORT STREAM_PORT PAYLOAD_TYPE COUNT INTERVAL_MS\n", argv[0]);
        return 2;
    }
    int sap_port = atoi(argv[1]), count = atoi(argv[4]), interval_ms = atoi(argv[5]);
    tolk_aes67_sdp_params p = {
        .session_name = "Tolk interop",
        .origin_address = "127.0.0.1",
        .session_id = 1,
        .session_version = 1,
        .address = "127.0.0.1",
        .port = atoi(argv[2]),
        .payload_type = atoi(argv[3]),
        .refclk = {.kind = TOLK_AES67_CLOCK_LOCALMAC, .localmac = "02-00-00-00-00-01"},
    };
    tolk_error err = {0};
    char *sdp = tolk_aes67_sdp_write(&p, &err);
    if (!sdp || sap_port < 1 || sap_port > 65535 || count < 1 || count > 1000 || interval_ms < 1) {
        fprintf(stderr, "aes67_announce: %s\n", sdp ? "bad arguments" : err.message);
        return 2;
    }
    uint16_t hash = tolk_sap_hash(sdp, strlen(sdp));
    uint8_t ann[TOLK_SAP_MAX_SEND], del[TOLK_SAP_MAX_SEND];
    size_t n = tolk_sap_build(false, "127.0.0.1", hash, sdp, ann, sizeof ann, &err);
    size_t d = tolk_sap_build(true, "127.0.0.1", hash, sdp, del, sizeof del, &err);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (n == 0 || d == 0 || fd < 0) {
        fprintf(stderr, "aes67_announce: %s\n", err.message);
        return 1;
    }
    fputs(sdp, stdout);
    fflush(stdout);
    struct timespec pause = {.tv_sec = interval_ms / 1000, .tv_nsec = (long)(interval_ms % 1000) * 1000000L};
    for (int i = 0; i < count; i++) {
        if (send_to(fd, sap_port, ann, n) != 0)
            perror("aes67_announce: sendto");
        nanosleep(&pause, NULL);
    }
    send_to(fd, sap_port, del, d);
    close(fd);
    free(sdp);
    return 0;
}
