/* SPDX-License-Identifier: EUPL-1.2 */
#include "opus_encoder.h"

#include <opus/opus.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const uint8_t tolk_opus_silence_frame[3] = {0xf8, 0xff, 0xfe};

struct tolk_opus_encoder {
    OpusEncoder *opus;
    bool silent; /* the last frame went out canned: reset before the next sound */
};

tolk_opus_encoder *tolk_opus_encoder_new(void)
{
    tolk_opus_encoder *enc = calloc(1, sizeof *enc);
    if (!enc)
        return NULL;
    int err;
    enc->opus = opus_encoder_create(48000, 1, TOLK_OPUS_APPLICATION, &err);
    if (!enc->opus) {
        free(enc);
        return NULL;
    }
    opus_encoder_ctl(enc->opus, OPUS_SET_BITRATE(TOLK_OPUS_BITRATE));
    opus_encoder_ctl(enc->opus, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_FULLBAND));
    opus_encoder_ctl(enc->opus, OPUS_SET_COMPLEXITY(TOLK_OPUS_COMPLEXITY));
    /* No in-band FEC: libopus has it only in SILK, so it would code hybrid at 4x the CPU and
     * a worse tone (docs/performance.md, "Opus settings"); CELT at 64 kbit/s is the cheapest
     * and the best for speech and music alike. */
    opus_encoder_ctl(enc->opus, OPUS_SET_INBAND_FEC(0));
    opus_encoder_ctl(enc->opus, OPUS_SET_PACKET_LOSS_PERC(0));
    /* No DTX: libopus DTX skips packets, and a consumed stream must flow every 20 ms. */
    opus_encoder_ctl(enc->opus, OPUS_SET_DTX(0));
    return enc;
}

void tolk_opus_encoder_free(tolk_opus_encoder *enc)
{
    if (!enc)
        return;
    opus_encoder_destroy(enc->opus);
    free(enc);
}

static bool all_zero(const float *pcm)
{
    for (int i = 0; i < TOLK_OPUS_FRAME; i++)
        if (pcm[i] != 0.0f)
            return false;
    return true;
}

int tolk_opus_encoder_encode(tolk_opus_encoder *enc, const float pcm[TOLK_OPUS_FRAME], uint8_t *out, int max)
{
    if (all_zero(pcm)) {
        if (max < (int)sizeof tolk_opus_silence_frame)
            return OPUS_BUFFER_TOO_SMALL;
        memcpy(out, tolk_opus_silence_frame, sizeof tolk_opus_silence_frame);
        enc->silent = true;
        return (int)sizeof tolk_opus_silence_frame;
    }
    if (enc->silent) {
        opus_encoder_ctl(enc->opus, OPUS_RESET_STATE); /* keeps the settings */
        enc->silent = false;
    }
    return opus_encode_float(enc->opus, pcm, TOLK_OPUS_FRAME, out, max);
}
