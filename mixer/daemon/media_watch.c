/* SPDX-License-Identifier: EUPL-1.2 */
#include "media_watch.h"

bool tolk_media_watch_moving(tolk_media_watch *watch, bool busy, uint64_t ticks)
{
    bool moving = !busy || !watch->seen || ticks != watch->ticks;
    watch->seen = busy;
    watch->ticks = ticks;
    return moving;
}
