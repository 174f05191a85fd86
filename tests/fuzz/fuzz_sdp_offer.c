/* SPDX-License-Identifier: EUPL-1.2 */
/* A WHIP/WHEP offer body as the server hands it over (request_body_is_text: UTF-8, no control characters but TAB, CR, LF),
 * read by webrtc_sdp.c: the Opus payload type, the mids, the ufrag and the direction. The
 * oracle: an accepted offer names a dynamic or static payload type up to 127 and an m-line
 * it has. */
#include "fuzz.h"

#include "fuzz_text.h"
#include "webrtc_private.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Only what passes the server's gate for text bodies reaches the parser. */
    if (!fuzz_server_takes_text(data, size))
        return 0;
    char *text = g_strndup((const char *)data, size);
    peer_offer offer;
    tolk_error err = {0};
    /* Audio optional (a camera) on odd sizes, so both gates are fuzzed. */
    if (tolk_webrtc_parse_offer(text, &offer, size & 1, &err)) {
        guint main = tolk_webrtc_offer_main_mline(&offer);
        if (offer.opus_pt > 127 || !offer.mids || main >= g_strv_length(offer.mids) ||
            (!offer.has_audio && !offer.has_video))
            fuzz_fail("offer accepted with pt %u on m-line %u", offer.opus_pt, main);
        tolk_webrtc_offer_direction_fits(text, &offer, PEER_WHEP, &err);
        tolk_webrtc_offer_direction_fits(text, &offer, PEER_WHIP, &err);
    } else if (!err.message[0] || err.kind != TOLK_ERROR_INVALID || strcmp(err.code, "invalid_offer") != 0) {
        fuzz_fail("offer refused without a reason, or not as an invalid offer: %s", err.code);
    }
    tolk_webrtc_offer_clear(&offer);
    g_free(text);
    return 0;
}
