/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Key frame requests toward one video source, aggregated (issue 11): every viewer that joins or
 * loses packets asks (RTCP PLI or FIR), and so does an operator's switch, but the source is
 * asked at most once per interval. A request inside the interval is held and sent when the
 * interval ends, unless a key frame passed meanwhile, which answers it. Seventy-two viewers
 * asking at once cost the source one key frame, not seventy-two.
 *
 * Pure state with the time passed in: not thread-safe; the owner calls it from one thread.
 */
#ifndef TOLK_NET_KEYFRAME_REQUESTS_H
#define TOLK_NET_KEYFRAME_REQUESTS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t min_interval_us;
    int64_t last_sent_us; /* when the source was last asked; INT64_MIN: never */
    bool held;            /* a request waits for the interval to end */
    uint64_t asked;       /* requests from viewers and switches */
    uint64_t sent;        /* requests sent to the source */
    uint64_t answered;    /* held requests a key frame answered before they were sent */
} tolk_keyframe_requests;

void tolk_keyframe_requests_init(tolk_keyframe_requests *k, int64_t min_interval_us);
/* A viewer or a switch asks: true when the source is to be asked now; else it is held. */
bool tolk_keyframe_requests_ask(tolk_keyframe_requests *k, int64_t now_us);
/* From the owner's timer: true when a held request is due now (then it is sent). */
bool tolk_keyframe_requests_due(tolk_keyframe_requests *k, int64_t now_us);
/* When a held request falls due (for the owner's timer); INT64_MAX when none is held. */
int64_t tolk_keyframe_requests_next_us(const tolk_keyframe_requests *k);
/* A key frame from the source passed: a held request is answered. */
void tolk_keyframe_requests_keyframe(tolk_keyframe_requests *k);

#endif
