/* SPDX-License-Identifier: EUPL-1.2 */
#include "opus_check.h"

#include "rtp_header.h"

#include <opus/opus.h>

#define OPUS_RATE 48000

static int opus_samples(const uint8_t *payload, size_t len)
{
    const unsigned char *frames[48];
    opus_int16 sizes[48];
    unsigned char toc;
    if (len == 0 || len > INT32_MAX ||
        opus_packet_parse(payload, (opus_int32)len, &toc, frames, sizes, NULL) < 0)
        return -1;
    int samples = opus_packet_get_nb_samples(payload, (opus_int32)len, OPUS_RATE);
    return samples > 0 ? samples : -1;
}

static bool steps_back(const tolk_opus_check *check, const tolk_rtp_header *h)
{
    return check->have_previous && check->samples > 0 && h->ssrc == check->ssrc &&
           h->seq == (uint16_t)(check->seq + 1) && (uint32_t)(h->timestamp - check->timestamp) < (uint32_t)check->samples;
}

static tolk_opus_verdict judge(tolk_opus_check *check, const tolk_rtp_header *h, const uint8_t *payload)
{
    int samples = opus_samples(payload, h->payload_len);
    bool first = !check->have_previous || h->ssrc != check->ssrc;
    bool back = steps_back(check, h);
    if (first)
        check->bad_run = 0;
    check->have_previous = true;
    check->ssrc = h->ssrc;
    check->seq = h->seq;
    check->timestamp = h->timestamp;
    check->samples = samples > 0 ? samples : 0;
    if (samples < 0)
        return TOLK_OPUS_NOT_OPUS;
    if (back)
        return TOLK_OPUS_BAD_TIMING;
    return first ? TOLK_OPUS_UNCONFIRMED : TOLK_OPUS_OK;
}

/* A stream found not to be Opus stays refused until a run of sound packets clears it. */
static tolk_opus_verdict judge_foreign(tolk_opus_check *check, tolk_opus_verdict verdict)
{
    check->good_run = verdict == TOLK_OPUS_OK ? check->good_run + 1 : 0;
    if (check->good_run < TOLK_OPUS_FOREIGN_RUN)
        return check->foreign_verdict;
    check->have_foreign = false;
    check->bad_run = 0;
    return verdict;
}

tolk_opus_verdict tolk_opus_check_packet(tolk_opus_check *check, const uint8_t *packet, size_t len)
{
    tolk_rtp_header h;
    tolk_rtp_parse_result parsed = tolk_rtp_parse(packet, len, &h);
    if (parsed != TOLK_RTP_OK)
        return parsed == TOLK_RTP_PADDING ? TOLK_OPUS_BAD_PADDING : TOLK_OPUS_BAD_HEADER;
    tolk_opus_verdict verdict = judge(check, &h, packet + h.payload_offset);
    if (check->have_foreign && h.ssrc == check->foreign_ssrc)
        return judge_foreign(check, verdict);
    bool bad = verdict == TOLK_OPUS_NOT_OPUS || verdict == TOLK_OPUS_BAD_TIMING;
    check->bad_run = bad ? check->bad_run + 1 : 0;
    if (check->bad_run >= TOLK_OPUS_FOREIGN_RUN) {
        check->have_foreign = true;
        check->foreign_ssrc = h.ssrc;
        check->foreign_verdict = verdict;
        check->good_run = 0;
    }
    return verdict;
}

const char *tolk_opus_verdict_name(tolk_opus_verdict verdict)
{
    static const char *const names[TOLK_OPUS_VERDICTS] = {"ok", "header", "padding", "not_opus", "timing", "unconfirmed"};
    return verdict < TOLK_OPUS_VERDICTS ? names[verdict] : "?";
}
