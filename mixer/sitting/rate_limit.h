/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A token bucket: at most `burst` requests at once, then `per_second` on average.
 * Used to limit what one caller may ask the daemon to store or publish (signals).
 * Threads: none of its own; the owner's lock guards a bucket.
 */
#ifndef TOLK_RATE_LIMIT_H
#define TOLK_RATE_LIMIT_H

#include <glib.h>
#include <stdbool.h>

typedef struct {
    unsigned per_second; /* tokens added per second, >= 1 */
    unsigned burst;      /* the bucket's size, >= 1 */
} tolk_rate;

typedef struct {
    double tokens;
    gint64 last_us; /* monotonic time of the last refill; 0: never used, full */
} tolk_token_bucket;

/* Takes one token at now_us (monotonic). False when the bucket is empty, with
 * *retry_after_s the whole seconds (>= 1) until a token is back. */
bool tolk_token_bucket_take(tolk_token_bucket *bucket, const tolk_rate *rate, gint64 now_us,
                            unsigned *retry_after_s);

#endif
