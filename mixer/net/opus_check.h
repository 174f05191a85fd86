/* SPDX-License-Identifier: EUPL-1.2 */
/* Whether a decrypted RTP packet can be Opus at 48 kHz, before it reaches the decoder: a
 * sound header (CSRCs, extension, padding), a payload libopus can parse, and a timestamp
 * that does not step back into the audio of the packet before (an L16/L24 stream of an
 * AES67 device steps by its packet time, 48 samples at 1 ms, less than any Opus packet).
 * A larger step is normal (loss, DTX) and passes. A stream (SSRC) found not to be Opus
 * stays so: its later packets are refused with the same verdict, as a few of them would
 * pass the parse by chance and feed the decoder noise, until TOLK_OPUS_FOREIGN_RUN
 * packets in a row are sound Opus with sound timing (which no L16/L24 stream achieves:
 * an Opus sender whose timestamps stumbled on a busy machine is heard again). Header and padding faults are
 * judged packet by packet (a real Opus sender with a quirk keeps its good packets).
 * The first packet of a new stream cannot be judged by timing yet and is held back.
 * Threads: a tolk_opus_check belongs to one packet thread. */
#ifndef TOLK_NET_OPUS_CHECK_H
#define TOLK_NET_OPUS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOLK_OPUS_FOREIGN_RUN 3

typedef enum {
    TOLK_OPUS_OK,
    TOLK_OPUS_BAD_HEADER,  /* CSRC list or header extension longer than the packet */
    TOLK_OPUS_BAD_PADDING, /* padding count 0 or longer than the payload */
    TOLK_OPUS_NOT_OPUS,    /* libopus cannot parse the payload */
    TOLK_OPUS_BAD_TIMING,  /* timestamp step shorter than the previous packet's audio */
    TOLK_OPUS_UNCONFIRMED, /* the first packet of a stream: not judged yet, so not played */
    TOLK_OPUS_VERDICTS
} tolk_opus_verdict;

typedef struct {
    bool have_previous;
    uint32_t ssrc;
    uint16_t seq;
    uint32_t timestamp;
    int samples; /* 48 kHz samples in the previous packet; 0 if it was not Opus */
    int bad_run; /* consecutive not-Opus verdicts of this stream */
    bool have_foreign;
    uint32_t foreign_ssrc; /* the last stream found not to be Opus */
    tolk_opus_verdict foreign_verdict;
    int good_run; /* consecutive sound packets of the foreign stream: that many clear it */
} tolk_opus_check;

tolk_opus_verdict tolk_opus_check_packet(tolk_opus_check *check, const uint8_t *packet, size_t len);

/* "header", "padding", "not_opus", "timing" (and "ok"), for logs. */
const char *tolk_opus_verdict_name(tolk_opus_verdict verdict);

#endif
