/* SPDX-License-Identifier: EUPL-1.2 */
#include "level.h"

#include <math.h>

void tolk_level_init(tolk_level *level)
{
    g_mutex_init(&level->lock);
    level->sum = 0;
    level->count = 0;
}

void tolk_level_clear(tolk_level *level)
{
    g_mutex_clear(&level->lock);
}

void tolk_level_add(tolk_level *level, const float *samples, unsigned n)
{
    double sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += (double)samples[i] * samples[i];
    g_mutex_lock(&level->lock);
    level->sum += sum;
    level->count += n;
    g_mutex_unlock(&level->lock);
}

void tolk_level_add_silence(tolk_level *level, unsigned n)
{
    g_mutex_lock(&level->lock);
    level->count += n;
    g_mutex_unlock(&level->lock);
}

double tolk_level_take_dbfs(tolk_level *level)
{
    g_mutex_lock(&level->lock);
    double mean = level->count ? level->sum / (double)level->count : 0.0;
    level->sum = 0;
    level->count = 0;
    g_mutex_unlock(&level->lock);
    return mean > 1e-10 ? fmax(-100.0, 10.0 * log10(mean)) : -100.0;
}
