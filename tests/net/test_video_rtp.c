/* SPDX-License-Identifier: EUPL-1.2 */
/* video_rtp, keyframe_requests, rtcp_feedback (issue 11's forwarding pieces): key frames found
 * in H.264 (single NAL, STAP-A, FU-A) and VP8 packets as payloaders lay them out; malformed
 * payloads refused; key frame requests of many viewers merged into one per interval; PLI and
 * FIR built byte for byte and found in compound RTCP. */
#include "keyframe_requests.h"
#include "rtcp_feedback.h"
#include "video_rtp.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

/* An RTP packet (PT 96, the marker as given) around a payload; returns its length. */
static size_t rtp(uint8_t *out, bool marker, uint16_t seq, uint32_t ts, const uint8_t *payload, size_t len)
{
    const uint8_t head[12] = {0x80, (uint8_t)((marker ? 0x80 : 0) | 96), (uint8_t)(seq >> 8), (uint8_t)seq,
                              (uint8_t)(ts >> 24), (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts,
                              0x11, 0x22, 0x33, 0x44};
    memcpy(out, head, 12);
    if (len)
        memcpy(out + 12, payload, len);
    return 12 + len;
}

static int inspect(tolk_video_codec codec, const uint8_t *payload, size_t len, bool marker, tolk_video_packet *pkt)
{
    uint8_t buf[256];
    g_assert_cmpuint(len, <=, sizeof buf - 12);
    return tolk_video_rtp_inspect(codec, buf, rtp(buf, marker, 7, 9000, payload, len), pkt);
}

static bool h264_key(const uint8_t *payload, size_t len)
{
    tolk_video_packet pkt;
    g_assert_cmpint(inspect(TOLK_VIDEO_H264, payload, len, false, &pkt), ==, 0);
    return pkt.keyframe;
}

static void test_h264_single_nal(void)
{
    const uint8_t idr[] = {0x65, 0x88, 0x84}, slice[] = {0x41, 0x9a, 0x02}, sps[] = {0x67, 0x42, 0xc0, 0x1f},
                  sei[] = {0x06, 0x05, 0x01}, aud[] = {0x09, 0xf0};
    g_assert_true(h264_key(idr, sizeof idr));
    g_assert_true(h264_key(sps, sizeof sps));
    g_assert_false(h264_key(slice, sizeof slice));
    g_assert_false(h264_key(sei, sizeof sei));
    g_assert_false(h264_key(aud, sizeof aud));

    tolk_video_packet pkt;
    g_assert_cmpint(inspect(TOLK_VIDEO_H264, sps, sizeof sps, true, &pkt), ==, 0);
    g_assert_true(pkt.parameter_sets);
    g_assert_true(pkt.frame_end);
    g_assert_cmpuint(pkt.timestamp, ==, 9000);
    g_assert_cmpuint(pkt.seq, ==, 7);
}

/* What rtph264pay and browsers send before an IDR: SPS and PPS in one STAP-A. */
static void test_h264_stap_a(void)
{
    const uint8_t params[] = {0x78, 0x00, 0x04, 0x67, 0x42, 0xc0, 0x1f, 0x00, 0x02, 0x68, 0xce};
    const uint8_t slices[] = {0x78, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x02, 0x41, 0x9a};
    g_assert_true(h264_key(params, sizeof params));
    g_assert_false(h264_key(slices, sizeof slices));

    tolk_video_packet pkt;
    const uint8_t overlong[] = {0x78, 0x00, 0x09, 0x67, 0x42};
    const uint8_t zero[] = {0x78, 0x00, 0x00, 0x67, 0x42};
    const uint8_t torn[] = {0x78, 0x00, 0x02, 0x67, 0x42, 0x00};
    g_assert_cmpint(inspect(TOLK_VIDEO_H264, overlong, sizeof overlong, false, &pkt), ==, -EINVAL);
    g_assert_cmpint(inspect(TOLK_VIDEO_H264, zero, sizeof zero, false, &pkt), ==, -EINVAL);
    g_assert_cmpint(inspect(TOLK_VIDEO_H264, torn, sizeof torn, false, &pkt), ==, -EINVAL);
}

/* An IDR fragmented: only its first fragment starts a key frame. */
static void test_h264_fu_a(void)
{
    const uint8_t first[] = {0x7c, 0x85, 0xb8, 0x00}, middle[] = {0x7c, 0x05, 0x11}, last[] = {0x7c, 0x45, 0x22};
    const uint8_t slice_first[] = {0x7c, 0x81, 0x9a};
    g_assert_true(h264_key(first, sizeof first));
    g_assert_false(h264_key(middle, sizeof middle));
    g_assert_false(h264_key(last, sizeof last));
    g_assert_false(h264_key(slice_first, sizeof slice_first));

    tolk_video_packet pkt;
    const uint8_t short_fu[] = {0x7c, 0x85};
    const uint8_t forbidden[] = {0xe5, 0x88};
    const uint8_t stap_b[] = {0x79, 0x00, 0x00};
    g_assert_cmpint(inspect(TOLK_VIDEO_H264, short_fu, sizeof short_fu, false, &pkt), ==, -EINVAL);
    g_assert_cmpint(inspect(TOLK_VIDEO_H264, forbidden, sizeof forbidden, false, &pkt), ==, -EINVAL);
    g_assert_cmpint(inspect(TOLK_VIDEO_H264, stap_b, sizeof stap_b, false, &pkt), ==, -EINVAL);
    g_assert_cmpint(inspect(TOLK_VIDEO_H264, NULL, 0, false, &pkt), ==, -EINVAL);
}

static bool vp8_key(const uint8_t *payload, size_t len)
{
    tolk_video_packet pkt;
    g_assert_cmpint(inspect(TOLK_VIDEO_VP8, payload, len, false, &pkt), ==, 0);
    return pkt.keyframe;
}

static void test_vp8(void)
{
    /* S=1, PID 0, then the frame tag: bit 0 clear is a key frame. */
    const uint8_t key[] = {0x10, 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a};
    const uint8_t inter[] = {0x10, 0x51, 0x2a, 0x00};
    const uint8_t continued[] = {0x00, 0x50, 0x2a};
    const uint8_t other_partition[] = {0x11, 0x50, 0x2a};
    /* X with I (15-bit picture id), L and T/K: the frame tag comes after 5 more bytes. */
    const uint8_t extended_key[] = {0x90, 0xf0, 0x80 | 0x12, 0x34, 0x05, 0x20, 0x50, 0x2a};
    const uint8_t extended_inter[] = {0x90, 0x80, 0x12, 0x51};
    g_assert_true(vp8_key(key, sizeof key));
    g_assert_false(vp8_key(inter, sizeof inter));
    g_assert_false(vp8_key(continued, sizeof continued));
    g_assert_false(vp8_key(other_partition, sizeof other_partition));
    g_assert_true(vp8_key(extended_key, sizeof extended_key));
    g_assert_false(vp8_key(extended_inter, sizeof extended_inter));

    tolk_video_packet pkt;
    const uint8_t only_descriptor[] = {0x90, 0xf0, 0x80, 0x12, 0x05, 0x20};
    const uint8_t no_x_byte[] = {0x90};
    g_assert_cmpint(inspect(TOLK_VIDEO_VP8, only_descriptor, sizeof only_descriptor, false, &pkt), ==, -EINVAL);
    g_assert_cmpint(inspect(TOLK_VIDEO_VP8, no_x_byte, sizeof no_x_byte, false, &pkt), ==, -EINVAL);
}

static void test_not_rtp(void)
{
    tolk_video_packet pkt;
    const uint8_t rtcp[] = {0x81, 0xc9, 0x00, 0x01, 1, 2, 3, 4};
    const uint8_t tiny[] = {0x80, 0x60};
    g_assert_cmpint(tolk_video_rtp_inspect(TOLK_VIDEO_VP8, rtcp, sizeof rtcp, &pkt), ==, -EINVAL);
    g_assert_cmpint(tolk_video_rtp_inspect(TOLK_VIDEO_H264, tiny, sizeof tiny, &pkt), ==, -EINVAL);
    tolk_video_codec codec;
    g_assert_true(tolk_video_codec_from_name("h264", &codec) && codec == TOLK_VIDEO_H264);
    g_assert_true(tolk_video_codec_from_name("VP8", &codec) && codec == TOLK_VIDEO_VP8);
    g_assert_false(tolk_video_codec_from_name("VP9", &codec));
}

/* Every truncation of valid packets is refused or read within bounds (ASan watches). */
static void test_truncations(void)
{
    const uint8_t stap[] = {0x78, 0x00, 0x04, 0x67, 0x42, 0xc0, 0x1f, 0x00, 0x02, 0x68, 0xce};
    const uint8_t vp8[] = {0x90, 0xf0, 0x80 | 0x12, 0x34, 0x05, 0x20, 0x50, 0x2a};
    uint8_t buf[64];
    tolk_video_packet pkt;
    for (size_t n = 0; n <= sizeof stap; n++) {
        size_t len = rtp(buf, false, 1, 2, stap, n);
        uint8_t *copy = g_memdup2(buf, len);
        int rc = tolk_video_rtp_inspect(TOLK_VIDEO_H264, copy, len, &pkt);
        g_assert_true(rc == 0 || rc == -EINVAL);
        g_free(copy);
    }
    for (size_t n = 0; n <= sizeof vp8; n++) {
        size_t len = rtp(buf, false, 1, 2, vp8, n);
        uint8_t *copy = g_memdup2(buf, len);
        int expected = n > 6 ? 0 : -EINVAL; /* the frame tag is its 7th byte */
        g_assert_cmpint(tolk_video_rtp_inspect(TOLK_VIDEO_VP8, copy, len, &pkt), ==, expected);
        g_free(copy);
    }
}

static void test_requests_merged(void)
{
    tolk_keyframe_requests k;
    tolk_keyframe_requests_init(&k, 500000);
    g_assert_true(tolk_keyframe_requests_ask(&k, 1000000));
    for (int viewer = 0; viewer < 72; viewer++)
        g_assert_false(tolk_keyframe_requests_ask(&k, 1000000 + viewer * 1000));
    g_assert_cmpint(tolk_keyframe_requests_next_us(&k), ==, 1500000);
    g_assert_false(tolk_keyframe_requests_due(&k, 1499999));
    g_assert_true(tolk_keyframe_requests_due(&k, 1500000));
    g_assert_false(tolk_keyframe_requests_due(&k, 1600000));
    g_assert_cmpint(tolk_keyframe_requests_next_us(&k), ==, INT64_MAX);
    g_assert_cmpuint(k.asked, ==, 73);
    g_assert_cmpuint(k.sent, ==, 2);
}

static void test_request_answered_by_keyframe(void)
{
    tolk_keyframe_requests k;
    tolk_keyframe_requests_init(&k, 500000);
    g_assert_true(tolk_keyframe_requests_ask(&k, 0));
    g_assert_false(tolk_keyframe_requests_ask(&k, 100000));
    tolk_keyframe_requests_keyframe(&k);
    g_assert_false(tolk_keyframe_requests_due(&k, 600000));
    g_assert_cmpuint(k.answered, ==, 1);
    g_assert_true(tolk_keyframe_requests_ask(&k, 600000));
    g_assert_cmpuint(k.sent, ==, 2);
}

static void test_pli_fir(void)
{
    uint8_t pli[TOLK_RTCP_PLI_LEN], fir[TOLK_RTCP_FIR_LEN];
    tolk_rtcp_build_pli(pli, 0x01020304, 0xa0b0c0d0);
    const uint8_t pli_bytes[] = {0x81, 206, 0, 2, 1, 2, 3, 4, 0xa0, 0xb0, 0xc0, 0xd0};
    g_assert_cmpmem(pli, sizeof pli, pli_bytes, sizeof pli_bytes);
    tolk_rtcp_build_fir(fir, 0x01020304, 0xa0b0c0d0, 9);
    const uint8_t fir_bytes[] = {0x84, 206, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0, 0xa0, 0xb0, 0xc0, 0xd0, 9, 0, 0, 0};
    g_assert_cmpmem(fir, sizeof fir, fir_bytes, sizeof fir_bytes);

    /* A receiver report, then the PLI: compound, as browsers send it. */
    uint8_t compound[8 + sizeof pli];
    const uint8_t rr[] = {0x80, 201, 0, 1, 9, 9, 9, 9};
    memcpy(compound, rr, sizeof rr);
    memcpy(compound + sizeof rr, pli, sizeof pli);
    uint32_t ssrc = 0;
    g_assert_true(tolk_rtcp_find_keyframe_request(compound, sizeof compound, &ssrc));
    g_assert_cmphex(ssrc, ==, 0xa0b0c0d0);
    g_assert_true(tolk_rtcp_find_keyframe_request(fir, sizeof fir, &ssrc));
    g_assert_false(tolk_rtcp_find_keyframe_request(rr, sizeof rr, &ssrc));
    /* Lengths that do not add up: nothing believed. */
    for (size_t n = 0; n < sizeof compound; n++)
        g_assert_false(tolk_rtcp_find_keyframe_request(compound, n, &ssrc));
    uint8_t lying[sizeof compound];
    memcpy(lying, compound, sizeof compound);
    lying[3] = 40;
    g_assert_false(tolk_rtcp_find_keyframe_request(lying, sizeof lying, &ssrc));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/video_rtp/h264_single_nal", test_h264_single_nal);
    g_test_add_func("/video_rtp/h264_stap_a", test_h264_stap_a);
    g_test_add_func("/video_rtp/h264_fu_a", test_h264_fu_a);
    g_test_add_func("/video_rtp/vp8", test_vp8);
    g_test_add_func("/video_rtp/not_rtp", test_not_rtp);
    g_test_add_func("/video_rtp/truncations", test_truncations);
    g_test_add_func("/keyframe_requests/merged", test_requests_merged);
    g_test_add_func("/keyframe_requests/answered", test_request_answered_by_keyframe);
    g_test_add_func("/rtcp_feedback/pli_fir", test_pli_fir);
    return g_test_run();
}
