/* SPDX-License-Identifier: EUPL-1.2 */
/* TEMPORARY stand-in (replaced by the h8-opus branch). */
#include "opus_encoder.h"
#include <glib.h>
#include <opus.h>
struct tolk_opus_encoder { OpusEncoder *enc; };
tolk_opus_encoder *tolk_opus_encoder_new(void)
{
    int err; tolk_opus_encoder *e = g_new0(tolk_opus_encoder, 1);
    e->enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_AUDIO, &err);
    opus_encoder_ctl(e->enc, OPUS_SET_BITRATE(64000));
    opus_encoder_ctl(e->enc, OPUS_SET_BANDWIDTH(OPUS_BANDWIDTH_FULLBAND));
    return e;
}
void tolk_opus_encoder_free(tolk_opus_encoder *e) { if (e) { opus_encoder_destroy(e->enc); g_free(e); } }
int tolk_opus_encoder_encode(tolk_opus_encoder *e, const float pcm[960], uint8_t *out, int max)
{
    return opus_encode_float(e->enc, pcm, 960, out, max);
}
