/* SPDX-License-Identifier: EUPL-1.2 */
/* An RFC 8840 trickle PATCH body (application/trickle-ice-sdpfrag) as the server hands it
 * over, read by tolk_webrtc_parse_sdpfrag against a browser's offer (two m-lines, mids
 * "0" and "1", a ufrag). The oracle: every candidate reported is an a=candidate: value on
 * an m-line of the offer. */
#include "fuzz.h"

#include "fuzz_text.h"
#include "webrtc_private.h"

#include <string.h>

static const char offer_sdp[] =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:abcd\r\n"
    "a=ice-pwd:0123456789012345678901\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\n";

static const peer_offer *the_offer(void)
{
    static peer_offer offer;
    static bool ready;
    tolk_error err;
    if (!ready && !tolk_webrtc_parse_offer(offer_sdp, &offer, false, &err))
        fuzz_fail("the fixed offer is refused: %s", err.message);
    ready = true;
    return &offer;
}

static void on_candidate(void *ctx, guint mline, const char *candidate)
{
    const peer_offer *offer = ctx;
    if (mline >= g_strv_length(offer->mids) || strncmp(candidate, "candidate:", 10) != 0)
        fuzz_fail("candidate on m-line %u: %s", mline, candidate);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Only what passes the server's gate for text bodies reaches the parser. */
    if (!fuzz_server_takes_text(data, size))
        return 0;
    char *frag = g_strndup((const char *)data, size);
    tolk_error err = {0};
    const peer_offer *offer = the_offer();
    bool refused = !tolk_webrtc_parse_sdpfrag(frag, offer, on_candidate, (void *)offer, &err);
    bool known_code = strcmp(err.code, "invalid_candidates") == 0 || strcmp(err.code, "ice_restart_unsupported") == 0;
    if (refused && (!err.message[0] || !known_code))
        fuzz_fail("fragment refused without a reason, or with code %s", err.code);
    g_free(frag);
    return 0;
}
