/* SPDX-License-Identifier: EUPL-1.2 */
#include "rate_limit.h"

bool tolk_token_bucket_take(tolk_token_bucket *bucket, const tolk_rate *rate, gint64 now_us,
                            unsigned *retry_after_s)
{
    unsigned per_second = MAX(1u, rate->per_second);
    if (bucket->last_us == 0) {
        bucket->tokens = rate->burst;
    } else if (now_us > bucket->last_us) {
        double refill = (double)(now_us - bucket->last_us) / G_USEC_PER_SEC * per_second;
        bucket->tokens = MIN((double)rate->burst, bucket->tokens + refill);
    }
    bucket->last_us = now_us;
    if (bucket->tokens >= 1.0) {
        bucket->tokens -= 1.0;
        return true;
    }
    /* Whole seconds for Retry-After (RFC 9110 delay-seconds), rounded up. */
    double wait = (1.0 - bucket->tokens) / per_second;
    unsigned seconds = (unsigned)wait;
    *retry_after_s = MAX(1u, seconds < wait ? seconds + 1 : seconds);
    return false;
}
