/* SPDX-License-Identifier: EUPL-1.2 */
#include "loudness.h"

#include <math.h>
#include <string.h>

#define WARNING_INTERVAL_S 60
#define MIN_U(a, b) ((a) < (b) ? (a) : (b))

void tolk_loudness_init(tolk_loudness *loudness, unsigned rate)
{
    memset(loudness, 0, sizeof(*loudness));
    loudness->rate = rate;
    loudness->warn_ms = 0.01;
}

void tolk_loudness_reset(tolk_loudness *loudness)
{
    tolk_loudness copy = *loudness;
    tolk_loudness_init(loudness, copy.rate);
    loudness->warn_ms = copy.warn_ms;
}

void tolk_loudness_set_level(tolk_loudness *loudness, double warn_level_db)
{
    loudness->warn_ms = pow(10.0, warn_level_db / 10.0);
}

static void check(tolk_loudness *loudness)
{
    double sum = 0.0;
    for (unsigned i = 0; i < TOLK_LOUDNESS_BLOCKS; i++)
        sum += loudness->blocks[i];
    double ms = sum / ((double)loudness->rate * TOLK_LOUDNESS_BLOCKS);
    if (ms <= loudness->warn_ms)
        return;
    if (loudness->warned &&
        loudness->samples_since_warning < (uint64_t)WARNING_INTERVAL_S * loudness->rate)
        return;
    loudness->warned = loudness->due = true;
    loudness->samples_since_warning = 0;
    loudness->due_level_db = 10.0 * log10(ms);
}

static void end_block(tolk_loudness *loudness)
{
    loudness->block_samples = 0;
    loudness->block_index = (loudness->block_index + 1) % TOLK_LOUDNESS_BLOCKS;
    check(loudness);
    loudness->blocks[loudness->block_index] = 0.0;
}

void tolk_loudness_add_block(tolk_loudness *loudness, const float *x, unsigned n)
{
    while (n > 0) {
        unsigned step = MIN_U(n, loudness->rate - loudness->block_samples);
        double sum = 0.0;
        for (unsigned i = 0; i < step; i++)
            sum += (double)x[i] * x[i];
        loudness->blocks[loudness->block_index] += sum;
        loudness->samples_since_warning += step;
        loudness->block_samples += step;
        if (loudness->block_samples == loudness->rate)
            end_block(loudness);
        x += step;
        n -= step;
    }
}

void tolk_loudness_add_silence(tolk_loudness *loudness, unsigned n)
{
    while (n > 0) {
        unsigned step = loudness->rate - loudness->block_samples;
        if (step > n) {
            loudness->block_samples += n;
            loudness->samples_since_warning += n;
            return;
        }
        loudness->samples_since_warning += step;
        n -= step;
        end_block(loudness);
    }
}

bool tolk_loudness_take_warning(tolk_loudness *loudness, double *level_db)
{
    if (!loudness->due)
        return false;
    loudness->due = false;
    *level_db = loudness->due_level_db;
    return true;
}
