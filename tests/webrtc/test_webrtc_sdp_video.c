/* SPDX-License-Identifier: EUPL-1.2 */
/* The offer and answer rules the video benchmark needed (issue 11, docs/video.md "Many
 * viewers"): a video-first max-bundle offer's audio (port 0, bundle-only) is live; an answer's
 * bundled m-line with port 0 is taken, one out of the bundle is not; a video-only offer is
 * taken only where audio is optional (a camera), and never without a codec we forward; a
 * camera's transport-wide congestion control extension is found (and sloppy extmap lines are
 * not taken for it); the answer's start rate goes into the codec's fmtp, or a new one.
 * Pure SDP: no pipeline. */
#include <string.h>

#include "webrtc.h"
#include "webrtc_private.h"

#define HEAD "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
#define VIDEO_FIRST                                                                                                    \
    HEAD "a=group:BUNDLE video0 audio1\r\n"                                                                            \
         "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:vvvv\r\na=mid:video0\r\na=recvonly\r\n"    \
         "a=rtpmap:96 VP8/90000\r\n"                                                                                   \
         "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=bundle-only\r\na=ice-ufrag:vvvv\r\na=mid:audio1\r\n" \
         "a=recvonly\r\na=rtpmap:111 opus/48000/2\r\n"
#define VIDEO_ONLY                                                                                                     \
    HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:cam\r\na=mid:0\r\na=sendonly\r\n"          \
         "a=rtpmap:96 VP8/90000\r\n"

static void test_video_first_offer(void)
{
    peer_offer offer;
    tolk_error err = {0};
    g_assert_true(tolk_webrtc_parse_offer(VIDEO_FIRST, &offer, false, &err));
    g_assert_true(offer.has_audio && offer.has_video);
    g_assert_cmpuint(offer.opus_mline, ==, 1);
    g_assert_cmpuint(offer.opus_pt, ==, 111);
    g_assert_cmpuint(offer.video_mline, ==, 0);
    g_assert_cmpstr(offer.ufrag, ==, "vvvv");
    g_assert_true(tolk_webrtc_offer_direction_fits(VIDEO_FIRST, &offer, PEER_WHEP, &err));
    tolk_webrtc_offer_clear(&offer);
    /* A port-0 audio m-line that is not bundle-only is refused, as before. */
    char *refused = g_strdup(VIDEO_FIRST);
    memcpy(strstr(refused, "a=bundle-only"), "a=x-not-bundle", 13);
    g_assert_false(tolk_webrtc_parse_offer(refused, &offer, false, &err));
    g_assert_nonnull(strstr(err.message, "no audio m-line"));
    g_free(refused);
}

static void test_video_only_offer(void)
{
    peer_offer offer;
    tolk_error err = {0};
    g_assert_false(tolk_webrtc_offer_check(VIDEO_ONLY, NULL, &err));
    g_assert_nonnull(strstr(err.message, "no audio m-line"));
    g_assert_true(tolk_webrtc_camera_offer_check(VIDEO_ONLY, &err));
    g_assert_true(tolk_webrtc_parse_offer(VIDEO_ONLY, &offer, true, &err));
    g_assert_false(offer.has_audio);
    g_assert_true(offer.video_offered[TOLK_VIDEO_VP8]);
    g_assert_cmpuint(tolk_webrtc_offer_main_mline(&offer), ==, 0);
    g_assert_cmpstr(offer.ufrag, ==, "cam");
    g_assert_true(tolk_webrtc_offer_direction_fits(VIDEO_ONLY, &offer, PEER_CAMERA, &err));
    g_assert_false(tolk_webrtc_offer_direction_fits(VIDEO_ONLY, &offer, PEER_WHEP, &err));
    g_assert_nonnull(strstr(err.message, "video is sendonly"));
    tolk_webrtc_offer_clear(&offer);
    /* No codec we forward (VP9): nothing to take. */
    const char *vp9 = HEAD "m=video 9 UDP/TLS/RTP/SAVPF 98\r\na=mid:0\r\na=sendonly\r\na=rtpmap:98 VP9/90000\r\n";
    g_assert_false(tolk_webrtc_camera_offer_check(vp9, &err));
    g_assert_cmpstr(err.code, ==, "invalid_offer");
    g_assert_nonnull(strstr(err.message, "no VP8 or H.264 video"));
}

static void test_answer_takes(void)
{
    const char *answer = HEAD "a=group:BUNDLE video0 audio1\r\n"
                              "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:video0\r\na=sendonly\r\n"
                              "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=mid:audio1\r\na=sendonly\r\n"
                              "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=mid:audio2\r\na=sendonly\r\n"
                              "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:video3\r\na=inactive\r\n";
    GstSDPMessage *sdp = NULL;
    g_assert_cmpint(gst_sdp_message_new_from_text(answer, &sdp), ==, GST_SDP_OK);
    g_assert_true(tolk_webrtc_answer_takes(sdp, 0));
    g_assert_true(tolk_webrtc_answer_takes(sdp, 1));  /* port 0 inside the bundle */
    g_assert_false(tolk_webrtc_answer_takes(sdp, 2)); /* port 0 outside it: rejected */
    g_assert_false(tolk_webrtc_answer_takes(sdp, 3)); /* inactive */
    g_assert_false(tolk_webrtc_answer_takes(sdp, 4)); /* no such m-line */
    gst_sdp_message_free(sdp);
}

/* The video m-line's extmap lines, then the transport-wide congestion control id found. */
static unsigned twcc_id_of(const char *extmaps)
{
    char *text = g_strconcat(VIDEO_ONLY, extmaps, NULL);
    peer_offer offer;
    tolk_error err = {0};
    g_assert_true(tolk_webrtc_parse_offer(text, &offer, true, &err));
    unsigned id = offer.video_twcc_id;
    tolk_webrtc_offer_clear(&offer);
    g_free(text);
    return id;
}

#define TWCC "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

static void test_twcc_extension(void)
{
    g_assert_cmpuint(twcc_id_of(""), ==, 0);
    g_assert_cmpuint(twcc_id_of("a=extmap:2 urn:ietf:params:rtp-hdrext:toffset\r\na=extmap:4 " TWCC "\r\n"), ==, 4);
    g_assert_cmpuint(twcc_id_of("a=extmap:7/sendrecv " TWCC "\r\n"), ==, 7);
    g_assert_cmpuint(twcc_id_of("a=extmap:200 " TWCC " x\r\n"), ==, 200); /* two-byte ids, attributes */
    /* Not it: no id, id 0 or out of range, another URI sharing the prefix, the URI alone. */
    g_assert_cmpuint(twcc_id_of("a=extmap:" TWCC "\r\n"), ==, 0);
    g_assert_cmpuint(twcc_id_of("a=extmap:0 " TWCC "\r\n"), ==, 0);
    g_assert_cmpuint(twcc_id_of("a=extmap:256 " TWCC "\r\n"), ==, 0);
    g_assert_cmpuint(twcc_id_of("a=extmap:99999999999999999999 " TWCC "\r\n"), ==, 0);
    g_assert_cmpuint(twcc_id_of("a=extmap:5 " TWCC "-02\r\n"), ==, 0);
    g_assert_cmpuint(twcc_id_of("a=extmap:5\r\n"), ==, 0);
    /* The first one counts. */
    g_assert_cmpuint(twcc_id_of("a=extmap:3 " TWCC "\r\na=extmap:9 " TWCC "\r\n"), ==, 3);
}

static char *answer_with_start_rate(const char *media)
{
    char *text = g_strconcat(HEAD, media, NULL);
    GstSDPMessage *sdp = NULL;
    g_assert_cmpint(gst_sdp_message_new_from_text(text, &sdp), ==, GST_SDP_OK);
    tolk_webrtc_answer_start_bitrate(sdp, 0, 102, 1500);
    tolk_webrtc_answer_start_bitrate(sdp, 5, 102, 1500); /* no such m-line: nothing */
    char *out = gst_sdp_message_as_text(sdp);
    gst_sdp_message_free(sdp);
    g_free(text);
    return out;
}

static void test_answer_start_rate(void)
{
    char *h264 = answer_with_start_rate("m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\n"
                                        "a=fmtp:1020 x=1\r\na=fmtp:102 packetization-mode=1\r\n");
    g_assert_nonnull(strstr(h264, "a=fmtp:102 packetization-mode=1;x-google-start-bitrate=1500\r\n"));
    g_assert_nonnull(strstr(h264, "a=fmtp:1020 x=1\r\n")); /* another payload type's, untouched */
    g_free(h264);
    char *vp8 = answer_with_start_rate("m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 VP8/90000\r\n");
    g_assert_nonnull(strstr(vp8, "a=fmtp:102 x-google-start-bitrate=1500\r\n"));
    g_free(vp8);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/webrtc-sdp/video-first-offer", test_video_first_offer);
    g_test_add_func("/webrtc-sdp/video-only-offer", test_video_only_offer);
    g_test_add_func("/webrtc-sdp/answer-takes", test_answer_takes);
    g_test_add_func("/webrtc-sdp/twcc-extension", test_twcc_extension);
    g_test_add_func("/webrtc-sdp/answer-start-rate", test_answer_start_rate);
    return g_test_run();
}
