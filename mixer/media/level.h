/* SPDX-License-Identifier: EUPL-1.2 */
/* An RMS level meter: the tick adds frames, the pages' timer takes the level since its last
 * look. Threads: add on the tick (or a worker), take on the main loop; a mutex between them. */
#ifndef TOLK_MEDIA_LEVEL_H
#define TOLK_MEDIA_LEVEL_H

#include <glib.h>

typedef struct {
    GMutex lock;
    double sum;     /* of squares */
    guint64 count;  /* samples */
} tolk_level;

void tolk_level_init(tolk_level *level);
void tolk_level_clear(tolk_level *level);
void tolk_level_add(tolk_level *level, const float *samples, unsigned n);
/* n samples of digital silence: counted, not summed. */
void tolk_level_add_silence(tolk_level *level, unsigned n);
/* dBFS RMS since the previous call; -100 for silence or nothing. */
double tolk_level_take_dbfs(tolk_level *level);

#endif
