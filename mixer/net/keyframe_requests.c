/* SPDX-License-Identifier: EUPL-1.2 */
#include "keyframe_requests.h"

void tolk_keyframe_requests_init(tolk_keyframe_requests *k, int64_t min_interval_us)
{
    *k = (tolk_keyframe_requests){.min_interval_us = min_interval_us, .last_sent_us = INT64_MIN};
}

static bool interval_over(const tolk_keyframe_requests *k, int64_t now_us)
{
    return k->last_sent_us == INT64_MIN || now_us - k->last_sent_us >= k->min_interval_us;
}

static bool send_now(tolk_keyframe_requests *k, int64_t now_us)
{
    k->last_sent_us = now_us;
    k->held = false;
    k->sent++;
    return true;
}

bool tolk_keyframe_requests_ask(tolk_keyframe_requests *k, int64_t now_us)
{
    k->asked++;
    if (interval_over(k, now_us))
        return send_now(k, now_us);
    k->held = true;
    return false;
}

bool tolk_keyframe_requests_due(tolk_keyframe_requests *k, int64_t now_us)
{
    if (!k->held || !interval_over(k, now_us))
        return false;
    return send_now(k, now_us);
}

int64_t tolk_keyframe_requests_next_us(const tolk_keyframe_requests *k)
{
    return k->held ? k->last_sent_us + k->min_interval_us : INT64_MAX;
}

void tolk_keyframe_requests_keyframe(tolk_keyframe_requests *k)
{
    if (k->held)
        k->answered++;
    k->held = false;
}
