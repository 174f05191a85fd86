/* SPDX-License-Identifier: EUPL-1.2 */
/* TEMPORARY stand-in (replaced by the h8-opus branch). */
#ifndef TOLK_MEDIA_OPUS_ENCODER_H
#define TOLK_MEDIA_OPUS_ENCODER_H
#include <stdint.h>
typedef struct tolk_opus_encoder tolk_opus_encoder;
tolk_opus_encoder *tolk_opus_encoder_new(void);
void tolk_opus_encoder_free(tolk_opus_encoder *enc);
int tolk_opus_encoder_encode(tolk_opus_encoder *enc, const float pcm[960], uint8_t *out, int max);
#endif
