/* SPDX-License-Identifier: EUPL-1.2 */
/* A WHIP/WHEP offer body as the server hands it over (request_body_is_text: UTF-8, no control characters but TAB, CR, LF),
 * read by webrtc_sdp.c: the Opus payload type, the mids, the ufrag and the direction. The
 * oracle: an accepted offer names a dynamic or static payload type up to 127 and an m-line
 * it has. */
#include "fuzz.h"

#include "request_body.h"
#include "webrtc_private.h"

#include <string.h>

/* The server's own gate for text bodies: only what passes it reaches the parser. */
static bool server_takes(const uint8_t *data, size_t size)
{
    request_body body;
    request_body_init(&body, size);
    request_body_append(&body, (const char *)data, size);
    bool text = size > 0 && request_body_is_text(&body);
    request_body_clear(&body);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!server_takes(data, size))
        return 0;
    char *text = g_strndup((const char *)data, size);
    peer_offer offer;
    char err[160] = "";
    if (tolk_webrtc_parse_offer(text, &offer, err, sizeof err)) {
        if (offer.opus_pt > 127 || !offer.mids || offer.opus_mline >= g_strv_length(offer.mids))
            fuzz_fail("offer accepted with pt %u on m-line %u", offer.opus_pt, offer.opus_mline);
        tolk_webrtc_offer_direction_fits(text, offer.opus_mline, PEER_WHEP, err, sizeof err);
        tolk_webrtc_offer_direction_fits(text, offer.opus_mline, PEER_WHIP, err, sizeof err);
    } else if (!err[0]) {
        fuzz_fail("offer refused without a reason");
    }
    tolk_webrtc_offer_clear(&offer);
    g_free(text);
    return 0;
}
