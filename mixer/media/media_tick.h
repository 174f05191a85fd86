/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What the engine's tick asks of one sitting's media, in this order every 20 ms:
 *   begin      (tick thread)          take the latest route, count the inputs
 *   input i    (pool, any order)      input i's next 20 ms: decoded, concealed, or nothing
 *   plan       (tick thread)          which mixes must be made this tick (consumed, or metered)
 *   mix j      (pool, any order)      mix j: gains with their ramps, protection, encode, send
 *   end        (tick thread)          the fences see the route this tick applied
 * Phases of one sitting never overlap, and the pool runs every sitting's items of one phase
 * together.
 */
#ifndef TOLK_MEDIA_TICK_H
#define TOLK_MEDIA_TICK_H

#include <stdint.h>

#include "media.h"

unsigned tolk_media_tick_begin(tolk_media *media);
void tolk_media_tick_input(tolk_media *media, unsigned index);
unsigned tolk_media_tick_plan(tolk_media *media);
void tolk_media_tick_mix(tolk_media *media, unsigned index, uint64_t pts_ns);
void tolk_media_tick_end(tolk_media *media);

#endif
